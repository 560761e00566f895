"""Sinks in the program: calls where a string becomes a ring member, a hash key or a dial/listen address.

A call is a sink when the catalog (`SINK_CATALOG`) or the config names its
callee, or when it is a member-adding method (`Add`, `SetNodes`...) of an
in-program type named like a ring. `ADDRESS_SINKS` lists them once per run
and traces what reaches each (`VALUE_TRACE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golint_im import expr as ex
from golint_im.facts import Op
from golint_im.findings import Location
from golint_im.passes import Budget, Context, Pass
from golint_im.program import Function, Program

from .sink_catalog import SINK_CATALOG, SinkSpec
from .values import MAX_CALLERS, MAX_TARGETS, VALUE_TRACE, Tracer, is_conversion

# In-program ring types found by name: a method that adds members to a type
# whose name has one of these words (HashRing, ConsistentHash, NodeRing...).
RING_TYPE_WORDS = {"ring", "consistent", "hashring", "rendezvous", "ringhash"}
MEMBER_METHODS = {
    "Add",
    "AddNode",
    "AddNodes",
    "AddMember",
    "AddMembers",
    "Set",
    "SetNodes",
    "SetMembers",
    "Remove",
    "RemoveNode",
    "RemoveMember",
}


@dataclass(frozen=True, eq=False)
class Sink:
    """A call where a string becomes a ring member, is hashed, dialled or listened on."""

    kind: str  # member | members | hash | dial | listen
    family: str  # ring library, hash function or in-program ring type
    label: str  # how messages name the call
    fn: Function
    op: Op
    arg: tuple
    holder: tuple | None  # identity of the ring value, when known

    @property
    def location(self) -> Location:
        return Location(self.fn.file.path, self.op.line, self.op.col)


def _camel_words(name: str) -> set:
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)}


def _member_param(f) -> SinkSpec | None:
    for i, (_name, t) in enumerate(f.facts.params):
        t = t.replace(" ", "")
        if t == "string":
            return SinkSpec("member", i, "")
        if t in ("[]string", "...string"):
            return SinkSpec("members", i, "")
    return None


def _label(pkg: str, recv: str, name: str, ptr: bool = True) -> str:
    short = pkg.rsplit("/", 1)[-1]
    if short.startswith("v") and short[1:].isdigit() and "/" in pkg:
        short = pkg.rsplit("/", 2)[-2]
    if recv:
        return f"({'*' if ptr else ''}{short}.{recv}).{name}"
    return f"{short}.{name}"


class AddressSinks:
    """The sinks of one program and, memoised per sink, the origins of what reaches them.

    `sinks()` scans every call once per run; `origins(sink)` traces the sink's
    argument with the run's `Tracer` (elements for a `members` sink). A sink's
    `holder` identifies the ring value it feeds, so that rules can tell two
    rings of one library apart.
    """

    def __init__(self, tracer: Tracer, catalog, budget: Budget):
        self.tracer = tracer
        self.budget = budget
        self.p = tracer.p
        self.catalog = catalog.specs
        self.config_match = catalog.config_match
        self.external = tracer.external
        self._sinks: list[Sink] | None = None
        self._origins: dict = {}

    def sinks(self) -> list[Sink]:
        """Every sink call in the program, in function and op order."""
        if self._sinks is None:
            self._sinks = [
                s for fn in self.p.functions for op in fn.facts.ops if op.kind == "call" for s in self._sinks_of(fn, op)
            ]
        return self._sinks

    def _sinks_of(self, fn, op):
        callee = op.fn
        ext = self.external(fn, callee)
        if ext is not None:
            spec = self.catalog.get((ext.pkg, ext.recv, ext.name))
            label = _label(ext.pkg, ext.recv, ext.name)
            if spec is None and self.config_match(ext.pkg, ext.pkg.rsplit("/", 1)[-1], ext.recv, ext.name):
                kind = "members" if (self.p.type_of(fn, op.args[0]) or "").startswith("[]") else "member"
                spec = SinkSpec(kind, 0, f"{ext.pkg}.{ext.recv}")
            if spec is not None and spec.kind != "lookup" and spec.arg < len(op.args) and not _unix(spec, op):
                yield self._sink(fn, op, spec, label, ext.recv)
            return
        for target in self.p.resolve_call(fn, op)[:MAX_TARGETS]:
            f = target.function
            recv = f.facts.recv
            spec = self.catalog.get((f.pkg.path, recv, f.facts.name))
            if spec is None and (
                self.config_match(f.pkg.path, f.pkg.name, recv, f.facts.name)
                or recv
                and f.facts.name in MEMBER_METHODS
                and _camel_words(recv) & RING_TYPE_WORDS
            ):
                spec = _member_param(f)
            if spec is not None and spec.kind != "lookup" and spec.arg < len(op.args):
                yield self._sink(fn, op, spec, _label(f.pkg.path, recv, f.facts.name, f.facts.recv_ptr), recv)
                return

    def _sink(self, fn, op, spec, label, recv):
        sel = ex.selector(op.fn)
        holder = self.holder(fn, sel[0]) if recv and sel is not None else ("call", fn.id, op.line, op.col)
        family = spec.ring or label
        return Sink(spec.kind, family, label, fn, op, op.args[spec.arg], holder)

    def holder(self, fn, base, depth=0):
        """Identity of the value a method is called on: which ring."""
        name = ex.ident(base)
        if name is not None:
            owner = self.p.declaring_function(fn, name)
            if owner is None:
                return ("var", fn.pkg.path, name)
            params = [p[0] for p in owner.facts.params]
            if name in params and depth < 4:
                pi = params.index(name)
                found = {
                    self.holder(c, cop.args[pi], depth + 1)
                    for c, cop in self.p.callers(owner)[:MAX_CALLERS]
                    if pi < len(cop.args)
                }
                if len(found) == 1:
                    return found.pop()
            return ("local", owner.id, name)
        sel = ex.selector(base)
        if sel is not None:
            inner, fname = sel
            pkg_name = ex.ident(inner)
            if pkg_name is not None and self.p.refers_to_import(fn, pkg_name):
                return ("var", fn.file.imports[pkg_name], fname)
            bt = self.p.type_of(fn, inner)
            named = Program.named(bt) if bt else None
            if named:
                return ("field", named, fname)
        return ("expr", fn.id, base)

    def origins(self, sink: Sink) -> tuple:
        """The origins of the string (or strings) reaching a sink."""
        got = self._origins.get(sink)
        if got is None:
            at = sink.location
            steps = self.tracer.steps
            if not self.budget.charge(sink.fn, 1):
                got = ()  # the budget of this function, or of the run, is spent: nothing is known
            elif sink.kind == "members":
                got = self.tracer.elems(sink.fn, sink.arg, at)
            elif sink.kind == "hash" and not self._hashes_a_string(sink.fn, sink.arg):
                got = ()  # a byte buffer filled piecemeal (labels, records): not an address
            else:
                got = self.tracer.values(sink.fn, sink.arg, at)
            # One trace is bounded by the tracer's own limits; its steps are charged after it.
            self.budget.charge(sink.fn, self.tracer.steps - steps)
            self._origins[sink] = got
        return got

    def _hashes_a_string(self, fn, arg) -> bool:
        """`[]byte(s)`, a string, or something we cannot type; not a []byte variable."""
        callee = ex.callee(arg)
        if callee is not None and is_conversion(self.p, fn, callee):
            return True
        t = self.p.type_of(fn, arg)
        return t is None or t == "string"


def _unix(spec: SinkSpec, op) -> bool:
    """`d.DialContext(ctx, "unix", path)`: the address of a Unix-domain network is a socket path."""
    if spec.network < 0 or spec.network >= len(op.args):
        return False
    network = ex.string(op.args[spec.network])
    return network is not None and network.startswith("unix")


def _sinks(ctx: Context) -> AddressSinks:
    budget = ctx.budget("address-sinks", "GIM301/GIM302 (address tracing)")
    return AddressSinks(ctx.result(VALUE_TRACE), ctx.result(SINK_CATALOG), budget)


# Like VALUE_TRACE: shares a lane with the ownership family (see docs/performance.md).
ADDRESS_SINKS = Pass(
    "address-sinks",
    _sinks,
    requires=(VALUE_TRACE, SINK_CATALOG),
    cost=2,
    doc="dial, listen and hash-ring sinks, and where the strings reaching them come from",
)
