"""Waiting on the `Done` channel of a context that nothing can ever cancel.

`<-ctx.Done()` where `ctx` is `context.Background()` or `context.TODO()`
(directly, through `context.WithValue`, `context.WithoutCancel`, a local,
or a parameter that every caller fills that way) blocks forever: those
contexts have no cancel function and no deadline, and `Done` returns a
nil channel. A goroutine written to stop "when the context ends" then
never stops, and whoever waits for it waits forever too.

The proof must be positive, the opposite of `cancel.py`'s leaning: a
parameter counts only when the function cannot be called from outside the
analysed tree (unexported, or in package main or a test file) and every
analysed caller passes such a context; a `WithCancel` whose cancel function
is dropped (`_`) counts, and so does one whose cancel the waiting function
only defers (`defer cancel()` runs after the wait it ends); one whose cancel
is kept otherwise does not. Only a plain
receive, or a `select` whose every case waits on such contexts, is judged,
and only when the context is made in a test file: outside tests,
`run(context.Background())` is how a service runs until it is killed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program
from .regions import assignments_to, ops_with_literals

_ROOTS = frozenset({"Background", "TODO"})
_PASS_THROUGH = frozenset({"WithValue", "WithoutCancel"})  # the parent's cancellation, or none at all
_CANCELLERS = frozenset({"WithCancel", "WithCancelCause"})  # no deadline: cancelled only by the function
_MAX_CALLERS = 16
_DEPTH = 4


@dataclass
class DeadContextWait:
    """A receive from `Done()` of a context nothing can cancel."""

    fn: Function
    op: Op
    ctx_text: str  # the context as written at the receive: `ctx`, `w.ctx`
    origin_fn: Function  # where the uncancellable context is made
    origin: object  # the expression making it: `context.Background()`
    origin_line: int  # its line (the receive's when the facts do not tell)
    # `defer cancel()` of the waiting function's own `WithCancel`: the only cancel, run after the wait
    deferred_cancel: Op | None = None


def dead_context_waits(program: Program, debug: Counter) -> list[DeadContextWait]:
    """Every plain `<-ctx.Done()` (or select of nothing else) on a context nothing can cancel."""
    out = []
    for fn in program.functions:
        facts = fn.facts
        for op in facts.ops:
            if op.kind != "recv" or op.fn is None:
                continue
            ctx = _done_base(program, fn, op.fn)
            if ctx is None:
                continue
            if op.select >= 0 and not _only_dead_cases(program, fn, op.select):
                continue
            origin = _never_cancelled(program, fn, ctx, 0, waiter=fn)
            if origin is None:
                debug["GIM102_context_waits_maybe_cancelled"] += 1
                continue
            ofn, oexpr = origin
            if not ofn.file.is_test:
                # `run(context.Background())` from main is how a service says "until the process is
                # killed": only a test, which must end, is known to wait for an end that never comes.
                debug["GIM102_context_waits_outside_tests"] += 1
                continue
            number = E.call_number(oexpr)
            line = ofn.facts.ops[number].line if number is not None and 0 <= number < len(ofn.facts.ops) else op.line
            deferred = _own_deferred_cancel(fn, ctx)
            out.append(DeadContextWait(fn, op, E.render(ctx), ofn, oexpr, line, deferred))
    return out


def _done_base(program: Program, fn: Function, chan_expr) -> object | None:
    """`ctx` for a channel expression `ctx.Done()` on a `context.Context` (or on a value of unknown
    type), else None."""
    c = E.call(chan_expr)
    if c is None or c[1]:
        return None
    sel = E.selector(c[0])
    if sel is None or sel[1] != "Done":
        return None
    ext = program.external_callee(fn, c[0])
    if ext is not None and (ext.pkg != "context" or ext.recv != "Context"):
        return None
    # Of unknown type (`ctx := context.WithValue(...)`: the context package is not analysed),
    # it is a context only if `_never_cancelled` can show where it is made.
    return sel[0]


def _only_dead_cases(program: Program, fn: Function, select: int) -> bool:
    """Every case of the select receives from the Done channel of a context nothing cancels."""
    facts = fn.facts
    region = facts.regions[select]
    if region.info is None or region.info[0]:
        return False  # unknown shape, or a `default`
    cases = [op for op in facts.ops if op.select == select and op.kind in ("send", "recv")]
    if len(cases) != region.info[1]:
        return False  # a case the facts do not list as a channel operation
    for op in cases:
        ctx = _done_base(program, fn, op.fn) if op.kind == "recv" else None
        if ctx is None or _never_cancelled(program, fn, ctx, 0) is None:
            return False
    return True


def never_cancelled(program: Program, fn: Function, expr, waiter: Function | None = None):
    """(function, expression) making the context `expr` (in fn) when nothing can ever cancel it; else None."""
    return _never_cancelled(program, fn, expr, 0, waiter=waiter)


def _never_cancelled(
    program: Program, fn: Function, expr, depth: int, waiter: Function | None = None
) -> tuple[Function, object] | None:
    """(function, expression) making the context when nothing can ever cancel `expr`; else None.

    `waiter` is the function waiting on it: a `WithCancel` made there whose cancel
    is only deferred there cannot end that wait (the deferred call runs after it)."""
    if depth > _DEPTH or expr is None:
        return None
    c = E.call(expr)
    if c is not None:
        ext = program.external_callee(fn, c[0])
        if ext is None or ext.pkg != "context" or ext.recv:
            return None
        if ext.name in _ROOTS:
            return fn, expr
        if ext.name in _PASS_THROUGH and c[1]:
            return (fn, expr) if ext.name == "WithoutCancel" else _never_cancelled(program, fn, c[1][0], depth + 1)
        return None
    name = E.ident(expr)
    if name is None:
        return None
    g = program.declaring_function(fn, name)
    if g is None:
        return None
    assigned = list(assignments_to(g, name))
    params = [p[0] for p in g.facts.params]
    if not assigned and name in params:
        return _parameter_never_cancelled(program, g, params.index(name), depth)
    if len(assigned) != 1:
        return None
    op, pos = assigned[0]
    if len(op.targets) == len(op.args):
        return _never_cancelled(program, g, op.args[pos], depth + 1)
    # `ctx, cancel := context.WithCancel(parent)`: never cancelled if the cancel is dropped.
    c = E.call(op.args[0]) if len(op.args) == 1 else None
    if c is None or pos != 0 or len(op.targets) != 2 or not c[1]:
        return None
    cancel = E.ident(op.targets[1])
    if cancel != "_" and not (g is waiter and cancel is not None and _only_deferred(g, cancel)):
        return None
    ext = program.external_callee(g, c[0])
    if ext is None or ext.pkg != "context" or ext.recv or ext.name not in _CANCELLERS:
        return None
    return _never_cancelled(program, g, c[1][0], depth + 1)


def _own_deferred_cancel(fn: Function, ctx) -> Op | None:
    """fn's `defer cancel()` when ctx is fn's own `ctx, cancel := context.WithCancel(...)`."""
    name = E.ident(ctx)
    assigned = list(assignments_to(fn, name)) if name is not None else []
    if len(assigned) != 1 or len(assigned[0][0].targets) != 2:
        return None
    cancel = E.ident(assigned[0][0].targets[1])
    if cancel in (None, "_"):
        return None
    return next(
        (op for op in fn.facts.ops if op.kind == "call" and op.mode == "defer" and E.is_ident(op.fn, cancel)), None
    )


def _only_deferred(g: Function, cancel: str) -> bool:
    """Every mention of the cancel function in g and its literals is g's own `defer cancel()`."""
    deferred = 0
    own = len(g.facts.ops)  # ops_with_literals yields g's own ops first
    for k, op in enumerate(ops_with_literals(g)):
        mentions = _mentions(op, cancel)
        if not mentions:
            continue
        if op.kind == "assign" and any(E.is_ident(t, cancel) for t in op.targets) and mentions == 1:
            continue  # `ctx, cancel := context.WithCancel(...)` itself
        if k < own and op.kind == "call" and op.mode == "defer" and E.is_ident(op.fn, cancel):
            if not op.args and mentions == 1:
                deferred += 1
                continue
        return False
    return deferred > 0


def _mentions(op: Op, name: str) -> int:
    """How many times op's expressions name the identifier."""
    n = 0
    for e in (op.fn, *op.args, *op.targets):
        if e is None or not E.is_expr(e):
            continue
        n += sum(1 for x in E.subexprs(e) if E.is_ident(x, name))
    return n


def _parameter_never_cancelled(program: Program, g: Function, index: int, depth: int):
    """Every caller of g passes a context nothing cancels, and nothing outside the tree can call g."""
    facts = g.facts
    name = facts.name
    closed = g.parent is not None or g.file.is_test or g.pkg.name == "main" or not name[:1].isupper()
    if facts.recv and name[:1].isupper() and not (g.file.is_test or g.pkg.name == "main"):
        closed = False  # an exported method: an interface may reach it from outside
    if not closed:
        return None
    callers = program.callers(g)
    if not callers or len(callers) > _MAX_CALLERS:
        return None
    found = None
    for caller, cop in callers:
        if index >= len(cop.args):
            return None
        found = _never_cancelled(program, caller, cop.args[index], depth + 1)
        if found is None:
            return None
    return found
