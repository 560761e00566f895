"""Field channels whose every receiver must first complete a send on the same field.

    func (p *peer) greet() {
        p.other.inbox <- "hello"   // waits for another peer to receive...
        msg := <-p.inbox            // ...which only happens after its own send
    }

When every receive from an unbuffered field channel is made by one
function, after its own unconditional send on that same field (of whichever
value), no receive can come first: each goroutine running the function
waits at its send for a receiver that is itself waiting to send. It does
not matter which value each send goes to (`p.other` may be any peer, or
`p` itself): the sends wait for receives that only come after sends.

Judged only on unexported field channels, always made unbuffered and named
nowhere but in sends, receives and assignments (`unheard._private_unbuffered_fields`),
so no code outside the tree and no alias can receive from them; the
function's receives are plain (outside any `select`), its send is plain,
straight in its body with nothing before it that returns or jumps, and
precedes every receive; and some `go` statement of the tree runs the
function. Counted in `--debug` as `GIM102_send_first_exchanges`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .flow import Channel, ChannelFlow
from .regions import STRAIGHT_KINDS
from .unheard import _private_unbuffered_fields


@dataclass
class SendFirstExchange:
    """A function that sends on a field channel before it is the only one to receive from it."""

    channel: Channel
    fn: Function
    send: Op
    receive: Op
    go: tuple[Function, Op]  # a `go` statement running fn: (its function, the op)


def send_first_exchanges(program: Program, flow: ChannelFlow, debug: Counter) -> list[SendFirstExchange]:
    out = []
    for ch in _private_unbuffered_fields(program, flow, lambda ch: bool(ch.receives), debug):
        fns = {f.id for f, _op in ch.receives}
        if len(fns) != 1:
            continue
        fn = ch.receives[0][0]
        receives = [op for _f, op in ch.receives]
        own_sends = [op for f, op in ch.sends if f is fn]
        if not own_sends or any(op.select >= 0 for op in (*receives, *own_sends)):
            continue
        ops = fn.facts.ops
        index = {id(op): k for k, op in enumerate(ops)}
        first_send = min(own_sends, key=lambda op: index[id(op)])
        at = index[id(first_send)]
        if any(index[id(r)] < at for r in receives):
            continue
        if any(o.kind in ("return", "jump") for o in ops[:at]):
            continue
        if any(fn.facts.regions[r].kind not in STRAIGHT_KINDS for r in enclosing_regions(fn.facts, first_send.region)):
            continue
        go = next(((c, op) for c, op in program.callers(fn) if op.mode == "go"), None)
        if go is None:
            continue
        debug["GIM102_send_first_exchanges"] += 1
        receive = min(receives, key=lambda op: index[id(op)])
        out.append(SendFirstExchange(ch, fn, first_send, receive, go))
    return out
