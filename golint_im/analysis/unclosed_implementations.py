"""An implementation that leaves open the output channel every other implementation closes.

    type Stage interface { Run(in <-chan Record, out chan<- Record) }
    func (spamFilter) Run(in <-chan Record, out chan<- Record) { defer close(out); ... out <- r }
    func (lowercaser) Run(in <-chan Record, out chan<- Record) { defer close(out); ... out <- r }
    func (e emailRedactor) Run(in <-chan Record, out chan<- Record) { for r := range in { ...; out <- r } }

    go st.Run(in, out)    // the next stage, or the caller, ranges over out until it is closed

When an interface method takes a channel it may send on, and its other
implementations all close that channel when they are done, the interface's
contract is that the method owns the channel and closes it: whoever ranges
over it ends only then. An implementation that sends on it but never closes
it, nor hands it to anything that could, breaks that contract, and every
`range` over its output waits forever.

Judged only when at least two other implementations close the parameter
(`close(out)`, plain or deferred, in the method or a literal inside it;
for an implementation outside tests, two outside tests: test doubles make
no contract), every implementation that sends on it closes it except the
reported one (a single one: when several leave it open, the contract may be
that the caller closes it, as Prometheus's `Discoverer.Run` says), the
reported one sends on it and uses it in no other way (no call argument,
assignment, return or `go`), and the interface method is started with `go`
somewhere in the tree (a pipeline, not a synchronous callback). Counted in
`--debug` as `GIM102_unclosed_implementations`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program

MIN_CLOSING_SIBLINGS = 2  # implementations closing the parameter that make it the interface's contract


@dataclass
class UnclosedImplementation:
    """`method` sends on its channel parameter `param` and never closes it, while `closers` all do."""

    interface: str  # `Stage.Run`
    method: Function
    param: str
    send: Op  # its first send on the parameter
    closers: list[Function]  # the other implementations, each closing it
    start: tuple[Function, Op]  # a `go` statement starting the interface method


def unclosed_implementations(program: Program, debug: Counter) -> list[UnclosedImplementation]:
    out: list[UnclosedImplementation] = []
    for pkg in program.packages.values():
        for tname, (tfacts, _ff) in sorted(pkg.types.items()):
            if tfacts.kind != "interface":
                continue
            iface = f"{pkg.path}#{tname}"
            for member in tfacts.members:
                if len(member) < 4:
                    continue
                mname, _n, _results, ptypes = member[:4]
                for position, ptype in enumerate(ptypes or ()):
                    if not _may_send(ptype):
                        continue
                    out.extend(_judge(program, iface, tname, mname, position, debug))
    return out


def _may_send(ptype) -> bool:
    """A channel type a method can send on: `chan T` or `chan<- T`, not `<-chan T`."""
    text = ptype if isinstance(ptype, str) else ""
    return text.startswith("chan ") or text.startswith("chan<-")


def _judge(
    program: Program, iface: str, tname: str, mname: str, position: int, debug: Counter
) -> list[UnclosedImplementation]:
    closers: list[Function] = []
    silent: list[tuple[Function, str, Op]] = []
    for impl in program.implementations(iface):
        method = program.method(impl, mname)
        if method is None or position >= len(method.facts.params):
            continue
        param = method.facts.params[position][0]
        if not param or param == "_":
            continue
        use = _use_of(program, method, param)
        if use == "closes":
            closers.append(method)
        elif isinstance(use, Op):
            silent.append((method, param, use))
        elif use == "sends-and-hands-on":
            return []  # an implementation that sends and hands the channel on: the contract is not plain
    if len(silent) != 1:
        return []  # several implementations leave it open: the contract may be that the caller closes it
    if not silent[0][0].file.is_test:
        closers = [m for m in closers if not m.file.is_test]  # test doubles do not make a contract
    if len(closers) < MIN_CLOSING_SIBLINGS:
        return []
    start = _started(program, [m for m, _p, _s in silent] + closers)
    if start is None:
        return []
    debug["GIM102_unclosed_implementations"] += len(silent)
    return [UnclosedImplementation(f"{tname}.{mname}", m, p, s, closers, start) for m, p, s in silent]


def _use_of(program: Program, method: Function, param: str):
    """ "closes" when the method (or a literal in it) closes the parameter; its first send (an Op) when
    it sends on it and uses it in no other way; "sends-and-hands-on" when it sends and also passes,
    stores or returns it; None otherwise."""
    closes = False
    send = None
    other = False
    for f in [method, *method.nested_literals()]:
        if program.declaring_function(f, param) is not method:
            continue  # a literal declaring the name again
        for op in f.facts.ops:
            if op.kind == "send" and E.is_ident(op.fn, param):
                send = send or op
                continue
            if op.kind == "call" and E.is_ident(op.fn, "close") and op.args and E.is_ident(op.args[0], param):
                closes = True
                continue
            if op.kind == "call" and E.ident(op.fn) in ("len", "cap"):
                continue
            names: set = set()
            for e in (*op.args, *op.targets, *((op.fn,) if op.kind not in ("send", "recv") else ())):
                if e is not None and E.is_expr(e):
                    E.idents_in(e, names)
            if param in names:
                other = True
    if closes:
        return "closes"
    if send is None:
        return None
    return "sends-and-hands-on" if other else send


def _started(program: Program, methods: list[Function]) -> tuple[Function, Op] | None:
    """A `go` statement reaching one of the methods (through the interface or directly)."""
    for m in methods:
        for caller, op in program.callers(m):
            if op.mode == "go":
                return caller, op
    return None
