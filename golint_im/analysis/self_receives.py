"""A goroutine that receives from a channel only it sends on: it waits for itself.

    func (c *conn) reader() {
        for frame := range frames {
            c.dispatch(frame)     // on an unexpected frame, dispatch calls c.call
        }
    }
    func (c *conn) dispatch(f string) { ...; c.rpc <- f }   // the only send on c.rpc
    func (c *conn) call() { reply := <-c.rpc }              // run by the reader too: blocks forever

The reader goroutine is the only sender on the unbuffered field `rpc`, so
a receive it makes itself (through method calls on the same value) can
never be matched: nobody else sends, and it cannot send while it waits.

Judged for an unbuffered field channel whose every send (and close, if
any: one it makes itself cannot come while it waits) runs only in one
goroutine: a method started by `go` at one site outside any loop (so one
goroutine per value), reaching each send through method calls on its own
receiver. The receive is a plain one (not in a `select`) in a
function that goroutine reaches the same way; the chain of calls is kept
for the message. Anything else is silence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program
from .flow import ChannelFlow

_DEPTH = 6  # method calls followed from the goroutine's own method to a send or the receive


@dataclass
class SelfReceive:
    """The goroutine running `root` reaches `recv` through `path`, and only it sends on the channel."""

    root: Function  # the method the goroutine runs
    go_fn: Function  # where it is started
    go_op: Op
    path: tuple[tuple[Function, Op], ...]  # calls from root to recv_fn
    recv_fn: Function
    recv: Op
    send_fn: Function
    send: Op
    label: str  # the channel: `conn.rpc`
    text: str  # as the receive writes it: `c.rpc`


def self_receives(program: Program, flow: ChannelFlow, debug: Counter) -> list[SelfReceive]:
    out: list[SelfReceive] = []
    for key, ch in flow.channels.items():
        if not key.startswith("field:") or ch.capacity != 0 or not ch.sends or not ch.receives:
            continue
        roots: set[int] = set()
        for fn, _op in (*ch.sends, *ch.closes):  # a close it makes itself cannot come while it waits
            roots |= flow.entries(fn)
        if len(roots) != 1:
            continue
        root = program.functions[next(iter(roots))]
        if not root.facts.recv_name or len(root.go_sites) != 1 or flow.spawned_many(root):
            continue
        reached = _receiver_calls(program, root)
        field_name = key.rsplit(".", 1)[-1]
        if not all(fn.id in reached and _on_receiver(fn, op.fn, field_name) for fn, op in ch.sends) or not all(
            fn.id in reached for fn, _op in ch.closes
        ):
            debug["GIM102_self_receives_other_instances"] += 1
            continue
        for fn, op in ch.receives:
            if op.select >= 0 or op.mode != "expr" or fn.id not in reached or not _on_receiver(fn, op.fn, field_name):
                continue
            send_fn, send = ch.sends[0]
            go_fn, go_op = root.go_sites[0]
            debug["GIM102_self_receives"] += 1
            out.append(
                SelfReceive(root, go_fn, go_op, reached[fn.id], fn, op, send_fn, send, flow.label(key), E.render(op.fn))
            )
            break
    return out


def _on_receiver(fn: Function, chan_expr, field_name: str) -> bool:
    """chan_expr is `r.<field_name>` with r fn's receiver."""
    sel = E.selector(chan_expr)
    return sel is not None and sel[1] == field_name and E.is_ident(sel[0], fn.facts.recv_name or "\0")


def _receiver_calls(program: Program, root: Function) -> dict[int, tuple[tuple[Function, Op], ...]]:
    """Function id -> the calls leading to it from root, through plain method calls on each
    function's own receiver that resolve to one method (root itself: no calls)."""
    found: dict[int, tuple[tuple[Function, Op], ...]] = {root.id: ()}
    frontier = [root]
    for _ in range(_DEPTH):
        nxt = []
        for fn in frontier:
            recv = fn.facts.recv_name
            for op in fn.facts.ops:
                if op.kind != "call" or op.mode != "plain" or not recv:
                    continue
                base = E.selector_base(op.fn)
                if base is None or not E.is_ident(base, recv):
                    continue
                targets = program.resolve_call(fn, op)
                if len(targets) != 1:
                    continue
                callee = targets[0].function
                if callee.id in found or not callee.facts.recv_name:
                    continue
                found[callee.id] = (*found[fn.id], (fn, op))
                nxt.append(callee)
        frontier = nxt
    return found
