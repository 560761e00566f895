"""A context whose only cancel a method can skip, while a goroutine waits for it to end.

    lctx, cancel := context.WithCancel(context.Background())
    l := &Lock{ctx: lctx, cancel: cancel}
    go c.track(l)                       // track: <-l.ctx.Done(); ...; c.wg.Done()

    func (l *Lock) Release() error {
        if !l.client.store.Unlock(l.Key) {
            return ErrNotHeld           // l.cancel() is skipped: track waits for ever
        }
        l.cancel()
        return nil
    }

The context's parent is one nothing can cancel (`context.Background()`,
`context.TODO()`, a local or unexported function's parameter filled that way:
`never_cancelled`), so nothing but its own cancel function ends it. Its
context and cancel function are kept together in the fields of one literal
of a struct type of the tree, and the cancel field is named nowhere else in
the package but in plain calls `x.cancel()` on values of that type, all in
one function, which can `return` before them. A function started with `go`
waits on the context field with a plain `<-x.ctx.Done()`: on that return it
waits for ever. Data only; rule GIM102 words it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program
from .never_cancelled import never_cancelled
from .regions import deciding_region, returns_skipping

_CANCELLERS = frozenset({"WithCancel", "WithCancelCause"})


@dataclass
class SkippedCancel:
    """`canceller` can return at `exit` before `cancel` (its only call of the cancel field), while
    `waiter` (a goroutine) waits on `wait`, `<-x.ctx.Done()` of the same field pair."""

    owner: str  # the struct type: "path#Lock"
    ctx_field: str
    cancel_field: str
    maker: Function  # where the context is made
    made: Op  # the `context.WithCancel(...)` call
    canceller: Function
    cancel: Op
    exit: Op
    region: int  # the branch deciding the exit (-1: none)
    waiter: Function
    wait: Op


def skipped_cancels(program: Program, debug: Counter) -> list[SkippedCancel]:
    out = []
    for fn in program.functions:
        for made, ctx_name, cancel_name in _root_cancellers(program, fn):
            pair = _stored_together(program, fn, ctx_name, cancel_name)
            if pair is None:
                continue
            owner, ctx_field, cancel_field = pair
            calls = _cancel_calls(program, owner, cancel_field)
            if calls is None or len({f.id for f, _op in calls}) != 1:
                continue
            canceller = calls[0][0]
            facts = canceller.facts
            ops = facts.ops
            targets = [ops.index(op) for _f, op in calls]
            exit_found = next(iter(returns_skipping(facts, targets)), None)
            if exit_found is None:
                continue
            waiting = _plain_done_wait(program, owner, ctx_field)
            if waiting is None:
                continue
            i, t = exit_found
            debug["GIM102_context_cancels_skipped"] += 1
            out.append(
                SkippedCancel(
                    owner,
                    ctx_field,
                    cancel_field,
                    fn,
                    made,
                    canceller,
                    ops[t],
                    ops[i],
                    deciding_region(facts, ops[i].region, ops[t].region),
                    *waiting,
                )
            )
    return out


def _root_cancellers(program: Program, fn: Function):
    """(the call, ctx local, cancel local) for `ctx, cancel := context.WithCancel(context.Background())`."""
    ops = fn.facts.ops
    for op in ops:
        if op.kind != "assign" or len(op.targets) != 2 or len(op.args) != 1:
            continue
        called = E.call(op.args[0])
        n = E.call_number(op.args[0])
        if called is None or not called[1]:
            continue
        ext = program.external_callee(fn, called[0])
        if ext is None or ext.pkg != "context" or ext.name not in _CANCELLERS:
            continue
        if never_cancelled(program, fn, called[1][0]) is None:
            continue  # a parent something else may cancel (judged as never_cancelled.py does)
        ctx_name, cancel_name = E.ident(op.targets[0]), E.ident(op.targets[1])
        if ctx_name and cancel_name and n is not None and 0 <= n < len(ops):
            yield ops[n], ctx_name, cancel_name


def _stored_together(program: Program, fn: Function, ctx_name: str, cancel_name: str) -> tuple[str, str, str] | None:
    """(struct type, ctx field, cancel field) when the two locals are named only as the values of two
    keyed fields of one literal of a struct type of the tree (besides their assignment)."""
    found = None
    for f in (fn, *fn.nested_literals()):
        for op in f.facts.ops:
            if op.kind == "assign" and f is fn and any(E.is_ident(t, cancel_name) for t in op.targets):
                continue
            for e in (op.fn, *op.args) if op.fn is not None else op.args:
                if e is None or not E.is_expr(e):
                    continue
                for x in E.subexprs(e):
                    comp = E.composite(x)
                    if comp is None:
                        continue
                    keys = {E.ident(k): v for k, v in comp[1] if k is not None}
                    cf = next((k for k, v in keys.items() if E.is_ident(v, cancel_name)), None)
                    xf = next((k for k, v in keys.items() if E.is_ident(v, ctx_name)), None)
                    if cf and xf:
                        t = program.type_of(f, x)
                        named = program.named(t) if t else None
                        if named is None or named.split("#")[0] not in program.packages or found is not None:
                            return None
                        found = (named, xf, cf)
            if any(cancel_name in E.idents_in(e, set()) for e in op.args if e is not None and E.is_expr(e)):
                if found is None or not _only_in_literal(op, cancel_name):
                    return None
    return found


def _only_in_literal(op: Op, name: str) -> bool:
    """Every mention of name in op's arguments is a keyed value of a composite literal."""
    for a in op.args:
        if a is None or not E.is_expr(a):
            continue
        total = sum(1 for x in E.subexprs(a) if E.is_ident(x, name))
        keyed = 0
        for x in E.subexprs(a):
            comp = E.composite(x)
            if comp is not None:
                keyed += sum(1 for k, v in comp[1] if k is not None and E.is_ident(v, name))
        if total != keyed:
            return False
    return True


def _cancel_calls(program: Program, owner: str, field: str) -> list[tuple[Function, Op]] | None:
    """Every plain call `x.field()` on a value of the owner type in its package; None when the field is
    named any other way there (a value taken, deferred, passed, assigned) or a call is not plain."""
    calls = []
    for g in program.package_functions(owner.split("#")[0]):
        for op in g.facts.ops:
            exprs = [op.fn, *op.args, *op.targets] if op.fn is not None else [*op.args, *op.targets]
            named_here = any(E.selected_name(x) == field for e in exprs if E.is_expr(e) for x in E.subexprs(e))
            if not named_here:
                continue
            sel = E.selector(op.fn) if op.kind == "call" else None
            if sel is not None and sel[1] == field and not op.args:
                t = program.type_of(g, sel[0])
                if t is None or program.named(t) != owner:
                    continue
                if op.mode != "plain":
                    return None
                calls.append((g, op))
                continue
            if op.kind in ("assign", "call", "return"):
                # `l := &Lock{cancel: cancel}` keys the literal; anything else takes the value
                if all(_keyed_only(e, field) for e in exprs if E.is_expr(e)):
                    continue
                return None
    return calls or None


def _keyed_only(e, field: str) -> bool:
    """e names `field` only as a key of composite literals, never as a selector."""
    return not any(E.selector(x) is not None and E.selected_name(x) == field for x in E.subexprs(e))


def _plain_done_wait(program: Program, owner: str, ctx_field: str) -> tuple[Function, Op] | None:
    """(goroutine function, its receive) for a plain `<-x.ctx.Done()` on a value of the owner type in
    a function started with `go`."""
    for g in program.package_functions(owner.split("#")[0]):
        if not g.go_sites:
            continue
        for op in g.facts.ops:
            if op.kind != "recv" or op.select >= 0 or op.mode != "expr":
                continue
            called = E.call(op.fn)
            sel = E.selector(called[0]) if called is not None and not called[1] else None
            if sel is None or sel[1] != "Done":
                continue
            inner = E.selector(sel[0])
            if inner is None or inner[1] != ctx_field:
                continue
            t = program.type_of(g, inner[0])
            if t is not None and program.named(t) == owner:
                return g, op
    return None
