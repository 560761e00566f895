"""Resources kept only in a field of the receiver, replaced each time the method runs again.

`c.conn = conn` hands the connection to `c`, so the path walk counts it as
owned. But when the method that stores it runs again on the same receiver
(called from a loop, directly or through one more method of the receiver)
and nothing on that chain closes the field first, every store drops the
previous connection without closing it: a reconnect loop that leaks one
connection per round. The same holds for a generated client stub built over
the connection (`c.client = pb.NewFooClient(conn)`): nothing can ever close
a connection kept only inside a stub.

Evidence required, for precision: every hand-off of the resource in the
storing function is a store into a field of its receiver; no function on
the chain up to the loop closes such a field; and the loop does not leave
after the call succeeds (`if err == nil { break }`, an unconditional
`return` after it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golint_im.expr import binary, ident, is_expr, is_ident, is_nil, selected_name, selector, selector_base
from golint_im.facts import Op
from golint_im.program import Function

from .regions import ops_with_literals
from .resources import ESCAPE, RELEASE, Holder, Kind, _value_ref

if TYPE_CHECKING:
    from .ownership import Analysis

# How far up the callers a loop around the storing method is looked for.
_CHAIN_DEPTH = 2


@dataclass(frozen=True)
class Again:
    """Where the storing method runs again: the caller's call inside its loop."""

    caller: Function
    call: Op
    loop_line: int


def receiver_fields(
    an: Analysis, fn: Function, start: int, holders: dict[str, Holder], kind: Kind
) -> tuple[list[str], Op | None]:
    """The receiver's fields the resource is stored in, when that is all the function does with it, and the first store.

    Empty when the function releases it, returns it, or hands it to anyone
    but a field of its receiver.
    """
    recv = fn.facts.recv_name
    if not recv:
        return [], None
    holders = dict(holders)
    fields: list[str] = []
    first: Op | None = None
    for op in fn.facts.ops[start + 1 :]:
        if op.kind == "return":
            if an.returns_holder(fn, op, holders):
                return [], None
            continue
        if op.kind not in ("assign", "call", "send"):
            continue
        eff = an.op_effect(fn, op, holders, kind)
        if eff == RELEASE:
            return [], None
        if eff != ESCAPE:
            continue
        stored = _receiver_stores(op, recv, holders) if op.kind == "assign" else []
        if not stored:
            return [], None
        first = first or op
        fields.extend(f for f in stored if f not in fields)
    return fields, first


def _receiver_stores(op: Op, recv: str, holders: dict[str, Holder]) -> list[str]:
    """Fields `recv.f` the assignment gives the resource (or a wrapper of it); [] if it goes elsewhere too."""
    if len(op.targets) != len(op.args):
        return []
    out = []
    for t, v in zip(op.targets, op.args, strict=True):
        if _value_ref(v, holders) is None:
            continue
        sel = selector(t)
        if sel is None or not is_ident(sel[0], recv):
            return []
        out.append(sel[1])
    return out


def runs_again(an: Analysis, fn: Function, fields: list[str], kind: Kind) -> Again | None:
    """The loop that calls fn again on the same receiver without closing the fields first, if any."""
    if closes_fields(fn, fn.facts.recv_name, fields, kind):
        return None
    frontier = [fn]
    seen = {fn.id}
    for _depth in range(_CHAIN_DEPTH):
        nxt = []
        for g in frontier:
            for caller, call in an.program.callers(g):
                recv = caller.facts.recv_name
                if not recv or not is_ident(selector_base(call.fn), recv) or caller.id in seen:
                    continue
                seen.add(caller.id)
                if closes_fields(caller, recv, fields, kind):
                    return None
                line = _repeating_loop(an, caller, call)
                if line:
                    return Again(caller, call, line)
                nxt.append(caller)
        frontier = nxt
    return None


def closes_fields(fn: Function, recv: str, fields: list[str], kind: Kind) -> bool:
    """fn (or a closure in it) closes one of the receiver's fields (`c.conn.Close()`)."""
    for op in ops_with_literals(fn):
        if op.kind != "call" or selected_name(op.fn) not in kind.closers:
            continue
        sel = selector(selector_base(op.fn))
        if sel is not None and is_ident(sel[0], recv) and sel[1] in fields:
            return True
    return False


def _repeating_loop(an: Analysis, caller: Function, call: Op) -> int:
    """The line of the innermost loop around the call when it goes round again after the call succeeds; 0 if not."""
    view = an.view(caller)
    loops = view.loops_around(call.region)
    if not loops:
        return 0
    loop = loops[0]
    ops = caller.facts.ops
    after = False
    for op in ops:
        if op is call:
            after = True
            continue
        if not after or not view.in_region(op.region, loop):
            continue
        leaves = op.kind == "return" or (op.kind == "jump" and op.mode == "break" and view.jump_target(op) == loop)
        if not leaves:
            continue
        below = view.regions_below(op.region, loop)
        if not below or any(_on_success(view.regions[r]) for r in below):
            return 0  # leaves once the call has succeeded: a retry loop
    return view.regions[loop].line


def _on_success(reg) -> bool:
    """The branch holds when an error is nil: `if err == nil {` or the `else` of `if err != nil {`."""
    b = binary(reg.info) if reg.kind in ("if", "else") and is_expr(reg.info) else None
    if b is None:
        return False
    op, left, right = b
    checked = ident(left) if is_nil(right) else ident(right) if is_nil(left) else None
    if checked is None:
        return False
    return (reg.kind == "if" and op == "==") or (reg.kind == "else" and op == "!=")
