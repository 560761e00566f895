"""A deferred close that never runs: the function's endless loop has no way out.

    func (ar *allocRunner) Run() {
        defer close(ar.waitCh)     // never runs
        for {
            select {
            case <-taskWaitCh:
            case u := <-ar.updateCh:
                ar.apply(u)
            }
        }
    }

    func (ar *allocRunner) Wait() { <-ar.waitCh }   // blocks forever

The close is deferred, so it runs only when the function returns; the
function's `for {` loop, straight in its body after the `defer`, has no
`return`, `goto`, `break` of the loop or call that ends the goroutine
(`endless.loop_has_exit`), so it never returns. Whoever waits for the close
with a plain receive waits forever. Judged when the closed channel is a
struct field or package variable (by holder), something outside the function
receives from it plainly (outside any `select`: a `select` may have another
way on), and nothing else closes or sends on it. Counted in `--debug` as
`GIM102_dead_deferred_closes`. A method that only returns the field (`WaitCh()`) counts as a
waiter: it hands the channel to whoever waits. Paths that return before the loop (an error path
that skips it) run the close; the path through the loop does not, and that is reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .endless import loop_has_exit
from .flow import Channel, ChannelFlow
from .regions import on_straight_line


@dataclass
class DeadDeferredClose:
    """fn defers `close(ch)` and then loops for ever: the close never runs; `waiter` waits for it."""

    channel: Channel
    fn: Function
    defer: Op
    loop: int  # the endless loop's region
    waiter: Function
    wait: Op


def dead_deferred_closes(program: Program, flow: ChannelFlow, debug: Counter) -> list[DeadDeferredClose]:
    out = []
    for key, ch in flow.channels.items():
        if not key.startswith(("field:", "var:")) or len(ch.closes) != 1 or ch.sends:
            continue
        fn, close_op = ch.closes[0]
        if close_op.mode != "defer" or not on_straight_line(fn.facts, close_op.region):
            continue
        loop = _endless_loop_after(program, fn, close_op)
        if loop is None:
            continue
        wait = next(((f, op) for f, op in ch.receives if f is not fn and op.mode == "expr" and op.select < 0), None)
        if wait is None:
            wait = _getter(program, fn, close_op)
        if wait is None:
            continue
        debug["GIM102_dead_deferred_closes"] += 1
        out.append(DeadDeferredClose(ch, fn, close_op, loop, wait[0], wait[1]))
    return out


def _getter(program: Program, fn: Function, close_op: Op) -> tuple[Function, Op] | None:
    """(method, its return) for a method of fn's type that only returns the closed field (`func (ar
    *allocRunner) WaitCh() <-chan struct{} { return ar.waitCh }`): it hands the channel to waiters."""
    if not fn.facts.recv or not close_op.args:
        return None
    sel = E.selector(close_op.args[0])
    if sel is None or not E.is_ident(sel[0], fn.facts.recv_name):
        return None
    for m in program.functions:
        if m.pkg is not fn.pkg or m.facts.recv != fn.facts.recv or m.parent is not None:
            continue
        returns = [op for op in m.facts.ops if op.kind == "return"]
        if len(m.facts.ops) != 1 or len(returns) != 1 or len(returns[0].args) != 1:
            continue
        got = E.selector(returns[0].args[0])
        if got is not None and got[1] == sel[1] and E.is_ident(got[0], m.facts.recv_name):
            return m, returns[0]
    return None


def _endless_loop_after(program: Program, fn: Function, after: Op) -> int | None:
    """A `for {` loop straight in fn's body (no branch around it) after op `after`, with no way out."""
    facts = fn.facts
    index = {id(op): k for k, op in enumerate(facts.ops)}
    start = index[id(after)]
    for op in facts.ops[start + 1 :]:
        chain = list(enclosing_regions(facts, op.region))
        loops = [r for r in chain if facts.regions[r].kind in ("for", "range")]
        if not loops:
            continue
        outer = loops[-1]
        region = facts.regions[outer]
        if region.kind != "for" or region.info is not None or not on_straight_line(facts, region.parent):
            return None
        return None if loop_has_exit(program, fn, outer) else outer
    return None
