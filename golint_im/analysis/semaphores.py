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

from ..expr import call_number, ident, idents_in, is_ident
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
    # Taken through a helper that returns the release function (`release := l.Acquire()`): the
    # local holding it; `acquire` is then the helper's call and `release` the call of the local.
    release_func: str = ""


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


def kept_slots_of_release_funcs(flow: ChannelFlow, debug: Counter) -> list[KeptSlot]:
    """A semaphore taken through a helper that returns its release function:

        func (l *Limiter) Acquire() (release func()) {
            l.slots <- struct{}{}
            return func() { <-l.slots }
        }
        release := c.lim.Acquire()
        if err != nil { return err }   // the slot is never given back
        release()

    Judged on a channel (not unbuffered) whose every send is in one function, on its straight
    line, and whose every receive is in function literals written inside that function (the
    release it returns); a caller that keeps the call's result in a local, calls that local
    plainly and never defers it, and has a `return` after the call that skips every such call."""
    program = flow.program
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends or not ch.receives or ch.closes or ch.capacity == 0:
            continue
        owners = {fn.id for fn, _op in ch.sends}
        acquirer = ch.sends[0][0]
        if len(owners) != 1 or acquirer.parent is not None or not acquirer.facts.results:
            continue
        if any(not on_straight_line(acquirer.facts, op.region) or op.select >= 0 for _f, op in ch.sends):
            continue
        if any(fn.parent is None or fn.outermost() is not acquirer for fn, _op in ch.receives):
            continue
        for caller, call in program.callers(acquirer):
            found = _release_func_skipped(caller, call)
            if found is not None:
                debug["GIM104_semaphore_slots_kept_past_a_release_func"] += 1
                out.append(KeptSlot(ch, caller, call, *found))
                break
    return out


def _release_func_skipped(caller: Function, call: Op):
    """(exit, first release call, local) when the caller keeps the call's result in a local it
    calls plainly (never deferred) and returns after the call before every such call."""
    facts = caller.facts
    ops = facts.ops
    if call.mode != "plain":
        return None
    at = ops.index(call)
    local = None
    for op in ops[at + 1 : at + 2]:
        if op.kind == "assign" and len(op.targets) == 1 and len(op.args) == 1 and call_number(op.args[0]) == at:
            local = ident(op.targets[0])
    if local is None or local == "_":
        return None
    releases = [i for i, op in enumerate(ops) if op.kind == "call" and is_ident(op.fn, local)]
    if not releases or any(ops[i].mode != "plain" for i in releases):
        return None
    # named only where it is assigned and called: returned, stored, passed or captured, it may be
    # called elsewhere
    for f in (caller, *caller.nested_literals()):
        for i, op in enumerate(f.facts.ops):
            if f is caller and (i == at + 1 or i in releases):
                continue
            exprs = [*op.args, *op.targets] if op.kind == "jump" or op.fn is None else [op.fn, *op.args, *op.targets]
            if any(local in idents_in(e, set()) for e in exprs if e is not None):
                return None
    for exit_i, release_i in returns_skipping(facts, releases):
        if exit_i > at:
            return ops[exit_i], ops[release_i], local
    return None


def _build(ctx: Context) -> list[KeptSlot]:
    debug: Counter = Counter()
    flow = ctx.result(CHANNEL_FLOW)
    found = kept_slots(flow, debug) + kept_slots_of_release_funcs(flow, debug)
    ctx.debug.update(debug)
    return found


SEMAPHORES = Pass(
    "semaphores",
    _build,
    requires=(CHANNEL_FLOW,),
    doc="buffered channels used as semaphores whose release a return skips",
)
