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
    # The shape first, on every field channel (cheap); the naming guard, which reads every op of
    # the program, only when some channel has it.
    shaped = {}
    for key, ch in flow.channels.items():
        if key.startswith("field:") and ch.receives and ch.sends and ch.capacity == 0:
            found = _shape(program, ch)
            if found is not None:
                shaped[id(ch)] = found
    if not shaped:
        return []
    out = []
    for ch in _private_unbuffered_fields(program, flow, lambda ch: id(ch) in shaped, debug):
        debug["GIM102_send_first_exchanges"] += 1
        out.append(shaped[id(ch)])
    return out


def _shape(program: Program, ch: Channel) -> SendFirstExchange | None:
    """Every receive of ch in one function, after that function's own plain send on ch, straight in
    its body with nothing before it that returns or jumps; and a `go` statement runs the function."""
    fn = ch.receives[0][0]
    if any(f is not fn for f, _op in ch.receives):
        return None
    receives = [op for _f, op in ch.receives]
    own_sends = [op for f, op in ch.sends if f is fn]
    if not own_sends or any(op.select >= 0 for op in (*receives, *own_sends)):
        return None
    ops = fn.facts.ops
    index = {id(op): k for k, op in enumerate(ops)}
    first_send = min(own_sends, key=lambda op: index[id(op)])
    at = index[id(first_send)]
    if any(index[id(r)] < at for r in receives):
        return None
    if any(o.kind in ("return", "jump") for o in ops[:at]):
        return None
    if any(fn.facts.regions[r].kind not in STRAIGHT_KINDS for r in enclosing_regions(fn.facts, first_send.region)):
        return None
    go = next(((c, op) for c, op in program.callers(fn) if op.mode == "go"), None)
    if go is None:
        return None
    receive = min(receives, key=lambda op: index[id(op)])
    return SendFirstExchange(ch, fn, first_send, receive, go)
