"""A resource kept in a field of the receiver that one failure return leaves open while the others close it.

`p.conn = conn` hands the connection to `p`, so the path walk counts it as
owned from there on. But a setup method often keeps going after the store
(a handshake over the new connection), and on each way it can fail it tears
the connection down again (`p.close(); return err`) so that the value is
left as if the call never happened. When one failure return skips that, the
caller sees an error, takes the value as not connected, and the connection
stays open in the field (go-nsq e7e1fe8: an error response to IDENTIFY
returned without `w.close()`, unlike the four failures before it).

Evidence required, for precision: the function's own failure returns after
the store close the field at least twice (a close of the field, or a method
of the receiver that closes it, right before the return); the return left
open is a failure too (the function's last result is an `error` and the
return gives something other than `nil`); no goroutine is started on the
way (it may own the field from then on); and no caller closes the field
after the call on its own receiver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from golint_im.expr import funclit, is_nil, make_ident, selector, selector_base
from golint_im.facts import Op
from golint_im.program import Function

from .exits import call_exit
from .leaks import Walk
from .paths import Container, Leak
from .replaced import closes_fields
from .resources import Kind, Origin

if TYPE_CHECKING:
    from .ownership import Analysis

# Sibling failure returns that must close the field before one that does not is reported.
_MIN_CLOSING_FAILURES = 2


def failure_left_open(an: Analysis, fn: Function, op: Op, origin: Origin, fields: list[str], store: Op) -> Leak | None:
    """The first failure return after `store` that leaves the receiver's field open, if the others close it."""
    recv = fn.facts.recv_name
    if not recv or not fields or not fn.facts.results or fn.facts.results[-1] != "error":
        return None
    ops = fn.facts.ops
    holder = make_ident(recv)
    if any(o.kind == "call" and o.mode == "defer" and _may_close(an, fn, o, holder, fields, origin.kind) for o in ops):
        return None  # a deferred call may be what closes it on failure (`defer func() { if err != nil {...} }()`)
    s = an.op_index(fn, store)
    closing = {i for i in range(s + 1, len(ops)) if _closes_field(an, fn, ops[i], holder, fields, origin.kind)}
    closed_failures = [i for i in sorted(closing) if _failure_return_follows(an, fn, i)]
    if len(closed_failures) < _MIN_CLOSING_FAILURES:
        return None
    walk = _FailureWalk(an, fn, op, origin, closing)
    walk.walk_from(s)
    if not walk.leaks:
        return None
    if _caller_closes(an, fn, fields, origin.kind):
        an.debug["gim2xx_field_failures_closed_by_caller"] += 1
        return None
    leak = walk.leaks[0]
    leak.fn, leak.op, leak.origin = fn, op, origin
    leak.container = Container("field", f"{recv}.{fields[0]}")
    leak.closed_on_failure = tuple(ops[i] for i in closed_failures)
    leak.stored_at = store.line
    return leak


def _closes_field(
    an: Analysis, fn: Function, o: Op, holder, fields: list[str], kind: Kind, mode: str = "plain"
) -> bool:
    """o (a call of the given mode) closes `holder.field` (`p.conn.Close()`), or calls a method of
    holder that does (`p.close()`); holder is the receiver, or a caller's expression for it."""
    if o.kind != "call" or o.mode != mode:
        return False
    sel = selector(o.fn)
    if sel is None:
        return False
    inner = selector(sel[0])
    if inner is not None and inner[0] == holder and inner[1] in fields:
        return sel[1] in kind.closers
    if sel[0] != holder:
        return False
    targets = an.targets(fn, o)
    return bool(targets) and all(
        not t.via and closes_fields(t.function, t.function.facts.recv_name, fields, kind) for t in targets
    )


def _may_close(an: Analysis, fn: Function, o: Op, holder, fields: list[str], kind: Kind) -> bool:
    """A deferred closure (it may test the error), or a deferred close of the field."""
    return funclit(o.fn) is not None or _closes_field(an, fn, o, holder, fields, kind, mode="defer")


def _failure_return_follows(an: Analysis, fn: Function, i: int) -> bool:
    """The next statement after op i, in its block, is a failure return."""
    ops = fn.facts.ops
    region = ops[i].region
    for j in range(i + 1, len(ops)):
        o = ops[j]
        if o.kind == "call" and an._parent_op(fn, o) is not None:
            continue  # evaluated inside a later statement (`return errors.New(...)`)
        return o.region == region and _is_failure_return(o)
    return False


def _is_failure_return(o: Op) -> bool:
    return o.kind == "return" and bool(o.args) and not is_nil(o.args[-1])


def _caller_closes(an: Analysis, fn: Function, fields: list[str], kind: Kind) -> bool:
    """A caller closes the field after calling fn on that receiver (`if p.connect() != nil { p.close() }`)."""
    for caller, call in an.program.callers(fn):
        base = selector_base(call.fn)
        ops = caller.facts.ops
        after = ops[ops.index(call) + 1 :]
        if base is not None and any(
            _closes_field(an, caller, o, base, fields, kind, mode) for o in after for mode in ("plain", "defer")
        ):
            return True
    return False


class _FailureWalk(Walk):
    """The path walk from the store, where only the field's closers release and only failure returns leak."""

    def __init__(self, an: Analysis, fn: Function, op: Op, origin: Origin, closing: set[int]) -> None:
        super().__init__(an, fn, op, origin)
        self.closing = closing

    def transfer(self, i, state):
        o = self.ops[i]
        if o.kind == "assign":
            self._note_assign(i, o)
        if state is not False:
            return state
        if o.kind == "return":
            if _is_failure_return(o):
                self._leak(Leak("failure-left-open", o.line, o.col, self._path_condition(o)))
            return None
        if o.kind == "call" and call_exit(self.an.program, self.fn, o) is not None:
            return None
        if i in self.closing or (o.kind == "call" and o.mode == "go"):
            return True  # closed, or a goroutine that may own the field from now on
        return False

    def jump(self, i, state):
        """A loop's jump only carries the state: the field outlives the iteration."""
        o = self.ops[i]
        if o.mode == "fallthrough":
            return state
        target = self.view.jump_target(o)
        if target is not None:
            self.jumps.append((target, o.mode, state))
        return None

    def iteration_end(self, loop, state):
        return state

    def _fell_off_end(self, state) -> None:
        return None
