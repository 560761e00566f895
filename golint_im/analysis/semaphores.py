"""A buffered channel used as a semaphore whose slot a `return` keeps.

    l.sem <- struct{}{}          // acquire
    if err := f(); err != nil {
        return err               // the slot is never given back
    }
    <-l.sem                      // release

Each such return keeps one slot of the buffer for ever; once the buffer is
full, every later acquire blocks, like a mutex whose unlock a return skips.

Judged on a channel made with a constant buffer, used as a semaphore only:
every receive from it is in a function that first sends on it (acquire,
then release), so no consumer drains it. The acquire and the release are
plain operations of one function, the acquire on its straight line; a
`return` after the acquire that skips every release (regions.returns_skipping)
is the finding. A deferred release runs on every path and is no finding.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..facts import Op
from ..passes import Context, Pass
from ..program import Function
from .flow import CHANNEL_FLOW, Channel, ChannelFlow
from .regions import on_straight_line, returns_skipping


@dataclass
class KeptSlot:
    """A `return` between a semaphore's acquire and its release."""

    channel: Channel
    fn: Function
    acquire: Op
    exit: Op
    release: Op


def kept_slots(flow: ChannelFlow, debug: Counter) -> list[KeptSlot]:
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends or not ch.receives or ch.closes or not ch.capacity:
            continue  # unknown or no buffer, or closed: not a semaphore
        by_fn: dict[int, tuple[Function, list, list]] = {}
        for fn, op in ch.sends:
            by_fn.setdefault(fn.id, (fn, [], []))[1].append(op)
        for fn, op in ch.receives:
            by_fn.setdefault(fn.id, (fn, [], []))[2].append(op)
        if any(not sends for _fn, sends, _recvs in by_fn.values() if _recvs):
            continue  # a function only receives: a consumer, not a release
        for fn, sends, recvs in by_fn.values():
            found = _kept(fn, sends, recvs)
            if found is not None:
                debug["GIM104_semaphore_slots_kept"] += 1
                out.append(KeptSlot(ch, fn, *found))
                break
    return out


def _kept(fn: Function, sends: list, recvs: list):
    facts = fn.facts
    if not recvs or any(op.mode == "defer" or op.select >= 0 for op in [*sends, *recvs]):
        return None
    index = {id(op): i for i, op in enumerate(facts.ops)}
    acquire = min(sends, key=lambda op: index[id(op)])
    if not on_straight_line(facts, acquire.region):
        return None
    a = index[id(acquire)]
    releases = sorted(index[id(op)] for op in recvs if index[id(op)] > a)
    if not releases:
        return None
    for exit_i, release_i in returns_skipping(facts, releases):
        if exit_i > a:
            return acquire, facts.ops[exit_i], facts.ops[release_i]
    return None


def _build(ctx: Context) -> list[KeptSlot]:
    debug: Counter = Counter()
    found = kept_slots(ctx.result(CHANNEL_FLOW), debug)
    ctx.debug.update(debug)
    return found


SEMAPHORES = Pass(
    "semaphores",
    _build,
    requires=(CHANNEL_FLOW,),
    doc="buffered channels used as semaphores whose release a return skips",
)
