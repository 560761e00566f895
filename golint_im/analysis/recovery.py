"""Panics the program survives: where a `panic(...)` reached holding a lock is recovered.

A lock held at a `panic` matters only when the panic is recovered: otherwise
the process dies and the lock with it. The lock layer records each `panic`
reached holding a lock the function took itself, with no deferred release,
while another exit of the function releases it (`PanicHeld`). This layer
keeps those with evidence that the panic is recovered:

- the function itself, or a function that calls it (up to `MAX_CALLER_DEPTH`
  calls up, never across a `go` statement: a panic does not leave its
  goroutine), defers a call that calls `recover()`;
- or one of those functions is a `net/http` handler (it takes an
  `http.ResponseWriter` and an `*http.Request`): the server recovers a
  handler's panic and goes on serving.

A call of a supplied function value (not a `panic` of the tree) counts only
when the recover is deferred in the function itself or in a direct caller
(`GIM104_supplied_functions_not_isolated` otherwise).

Without such evidence nothing is kept; `debug` counts those
(`GIM104_panics_not_seen_recovered`). Data only; rule GIM104 words it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..passes import Context, Pass
from ..program import Function, Program
from .locks import LOCKS, PanicHeld

# How many calls up a deferred recover() is looked for.
MAX_CALLER_DEPTH = 4
HTTP_WRITER = "net/http#ResponseWriter"
HTTP_REQUEST = "*net/http#Request"


@dataclass(frozen=True)
class RecoveredPanic:
    """A panic reached holding a lock, and the function whose deferred recover (or http server) catches it."""

    held: PanicHeld
    recovered_in: Function
    by_http_server: bool  # True: recovered_in is a net/http handler; False: it defers a recover()


class Recovery:
    """Which functions recover a panic: a deferred `recover()`, or a net/http handler (the server recovers)."""

    def __init__(self, program: Program):
        self.program = program
        self._recovers: dict[int, bool] = {}
        self._catchers: dict[int, tuple[Function, bool] | None] = {}

    def defers_recover(self, fn: Function) -> bool:
        """fn defers a call (a literal or a function of the analysed code) that calls `recover()` itself."""
        known = self._recovers.get(fn.id)
        if known is None:
            known = self._recovers[fn.id] = any(
                op.kind == "call"
                and op.mode == "defer"
                and any(self._calls_recover(t.function) for t in self.program.resolve_call(fn, op))
                for op in fn.facts.ops
            )
        return known

    def recovers(self, fn: Function) -> bool:
        """fn calls `recover()` and keeps what it recovers (see `_calls_recover`)."""
        return self._calls_recover(fn)

    def _calls_recover(self, fn: Function) -> bool:
        """fn calls `recover()`, and does not hand every recovered panic on again (`if r := recover();
        r != nil { cleanup(); panic(r) }` recovers nothing: the panic goes on up)."""
        if self.program.declaring_function(fn, "recover") is not None:
            return False
        ops = fn.facts.ops
        recovered = [(i, op) for i, op in enumerate(ops) if op.kind == "call" and E.is_ident(op.fn, "recover")]
        if not recovered:
            return False
        return not all(_repanics(fn, i) for i, _op in recovered)

    def is_http_handler(self, fn: Function) -> bool:
        """fn takes an `http.ResponseWriter` and an `*http.Request`: the server runs it and recovers its panics."""
        types = {self.program.qualify(t, fn.file).replace(" ", "") for _n, t in fn.facts.params}
        return HTTP_WRITER in types and HTTP_REQUEST in types

    def catcher(self, fn: Function) -> tuple[Function, bool] | None:
        """The nearest function (fn or a caller, same goroutine) that recovers a panic raised in fn."""
        if fn.id not in self._catchers:
            self._catchers[fn.id] = self._search_callers(fn)
        return self._catchers[fn.id]

    def _search_callers(self, fn: Function) -> tuple[Function, bool] | None:
        """A panic in code shipped to production is recovered by production code: a test that
        recovers it (to assert that it panics) drops the value it broke, and outside tests the
        panic ends the process, lock and all. So test files recover only panics of test files."""
        seen = {fn.id}
        level = [fn]
        production = not fn.file.is_test
        for _ in range(MAX_CALLER_DEPTH + 1):
            upper: list[Function] = []
            for f in level:
                if production and f.file.is_test:
                    continue
                if self.defers_recover(f):
                    return f, False
                if self.is_http_handler(f):
                    return f, True
                for caller, op in self.program.callers(f):
                    if op.mode != "go" and caller.id not in seen:
                        seen.add(caller.id)
                        upper.append(caller)
            level = upper
        return None


def _repanics(fn: Function, at: int) -> bool:
    """The value `recover()` gives at op `at` (`r := recover()`) is panicked again on the straight
    line of the `if r != nil` that follows."""
    facts = fn.facts
    ops = facts.ops
    if at + 1 >= len(ops) or ops[at + 1].kind != "assign" or len(ops[at + 1].targets) != 1:
        return False
    name = E.ident(ops[at + 1].targets[0])
    if name is None:
        return False
    for op in ops[at + 2 :]:
        if op.kind != "call" or not E.is_ident(op.fn, "panic") or len(op.args) != 1 or not E.is_ident(op.args[0], name):
            continue
        region = facts.regions[op.region]
        while region.kind == "block":
            region = facts.regions[region.parent]
        test = E.binary(region.info) if region.kind == "if" and region.info is not None else None
        if test is not None and test[0] == "!=" and E.is_ident(test[1], name) and E.is_nil(test[2]):
            return True
    return False


def _isolates(program: Program, fn: Function, catcher: Function, by_http_server: bool) -> bool:
    """A deferred `recover()` in fn itself or in a direct caller: written around this very call to
    survive what the supplied function does (a server's catch-all, or one further up, is not evidence
    that anyone expects a callback, like a logger, to panic)."""
    if by_http_server:
        return False
    return catcher is fn or any(caller is catcher for caller, _op in program.callers(fn))


def recovered_panics(program: Program, panics: list[PanicHeld], debug: dict) -> list[RecoveredPanic]:
    """The panics held under a lock that a deferred recover or an http server is seen to catch."""
    debug.setdefault("GIM104_panics_not_seen_recovered", 0)
    debug.setdefault("GIM104_supplied_functions_not_isolated", 0)
    recovery = Recovery(program)
    out: list[RecoveredPanic] = []
    for p in panics:
        found = recovery.catcher(p.fn)
        if found is None:
            debug["GIM104_panics_not_seen_recovered"] += 1
            continue
        if p.callback and not _isolates(program, p.fn, *found):
            debug["GIM104_supplied_functions_not_isolated"] += 1
            continue
        out.append(RecoveredPanic(p, found[0], found[1]))
    return out


def _build(ctx: Context) -> list[RecoveredPanic]:
    return recovered_panics(ctx.program, ctx.result(LOCKS).panics_held, ctx.debug)


RECOVERED_PANICS = Pass(
    "recovered-panics",
    _build,
    requires=(LOCKS,),
    doc="panics reached holding a lock without a deferred unlock, where a recover() or an http server catches them",
)
