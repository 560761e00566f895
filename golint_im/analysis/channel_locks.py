"""Channels with a buffer of one used as mutexes: a send takes the lock, a receive gives it back.

    func (p *pool) acquire() { p.sem <- struct{}{} }
    func (p *pool) release() { <-p.sem }

A send into the full buffer waits like `Lock` on a held mutex, so such a
channel is a lock that the lock layer (`locks.py`) can follow through calls:
taken again by its holder, it deadlocks; taken in the opposite order to a
mutex by two goroutines, it deadlocks too.

The buffer alone does not make a lock: a capacity-1 channel is as often a
mailbox (one goroutine signals, another waits). A channel is read as a lock
only when the code says so on every use:

- every make site gives it a constant buffer of exactly one, nothing closes it;
- its elements carry no data (`struct{}` or `bool`);
- no operation on it is a `select` case or a `range` (a cancellable or
  non-blocking acquire is a different protocol, left alone);
- every receive is a release: it follows a send on the same channel in the
  same function, or it is in a function (a deferred closure, a `release`
  helper) that each of its callers calls after such a send, directly or
  through a function that only sends on the channel (an `acquire` helper).

A receive that nothing acquired before is a consumer's, and the channel is
not a lock.

The other convention fills the buffer once where the channel is made and
reads "empty" as "held": a receive takes the lock, a send gives it back
(`w.gate = make(chan struct{}, 1); w.gate <- struct{}{}`, then `<-w.gate`
... `w.gate <- struct{}{}`). The same evidence is asked with the roles
swapped: every send is either that priming send (in a function that makes
the channel, before any receive of it there) or gives back a slot a receive
took before it, and at least one send is such a release.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..facts import Op
from ..program import Function, Program
from .flow import Channel, ChannelFlow

DATA_FREE_ELEMS = frozenset({"struct{}", "bool"})


@dataclass(frozen=True)
class ChannelLock:
    """A channel used as a mutex: which operation takes it, and the priming sends that are neither."""

    label: str
    acquire: str  # "send" (a slot taken is held) or "recv" (the buffer filled once; empty is held)
    priming: frozenset[int]  # id() of the sends that fill the buffer where it is made


def lock_channels(program: Program, flow: ChannelFlow) -> dict[str, ChannelLock]:
    """The channels used as mutexes, by key (see the module docstring)."""
    out = {}
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not _shaped_like_a_lock(ch):
            continue
        if all(_released_after_acquire(program, ch, fn, op, "send") for fn, op in ch.receives):
            out[key] = ChannelLock(ch.label, "send", frozenset())
            continue
        priming = {id(op) for fn, op in ch.sends if _priming(ch, fn, op)}
        releases = [(fn, op) for fn, op in ch.sends if id(op) not in priming]
        if priming and releases and all(_released_after_acquire(program, ch, fn, op, "recv") for fn, op in releases):
            out[key] = ChannelLock(ch.label, "recv", frozenset(priming))
    return out


def _shaped_like_a_lock(ch: Channel) -> bool:
    if ch.capacity != 1 or ch.closes or not ch.sends or not ch.receives or not ch.make_sites:
        return False
    if ch.elem.replace(" ", "") not in DATA_FREE_ELEMS:
        return False
    if any(op.select >= 0 for _fn, op in ch.sends):
        return False
    return all(op.select < 0 and op.mode == "expr" for _fn, op in ch.receives)


def _priming(ch: Channel, fn: Function, send: Op) -> bool:
    """send fills the buffer in a function that makes the channel, after the make and before any receive."""
    made = [op for f, op in ch.make_sites if f is fn and op is not None]
    if not made:
        return False
    receives = {id(op) for f, op in ch.receives if f is fn}
    seen_make = False
    for op in fn.facts.ops:
        if op is send:
            return seen_make
        if any(op is m for m in made):
            seen_make = True
        if id(op) in receives:
            return False
    return False


def _ops_on(ch: Channel, fn: Function, kind: str) -> list[Op]:
    return [op for f, op in (ch.sends if kind == "send" else ch.receives) if f is fn]


def _released_after_acquire(program: Program, ch: Channel, fn: Function, release: Op, acquire: str) -> bool:
    """release (in fn) gives back what an `acquire` operation took before it: earlier in fn, or, when
    fn is a release helper or a deferred closure, in every caller of fn before the call."""
    if _acquired_before(program, ch, fn, release, acquire):
        return True
    if _ops_on(ch, fn, acquire):
        return False  # fn acquires too, but after this: a consumer that answers
    callers = program.callers(fn)
    return bool(callers) and all(_acquired_before(program, ch, caller, call, acquire) for caller, call in callers)


def _acquired_before(program: Program, ch: Channel, fn: Function, here: Op, acquire: str) -> bool:
    """fn takes ch before the op `here`: an `acquire` operation on it, or a call to a function whose
    only operations on ch are of that kind (an acquire helper)."""
    release = "recv" if acquire == "send" else "send"
    mine = {id(op) for op in _ops_on(ch, fn, acquire)}
    for op in fn.facts.ops:
        if op is here:
            return False
        if id(op) in mine:
            return True
        if op.kind == "call" and op.mode == "plain":
            for target in program.resolve_call(fn, op):
                g = target.function
                if _ops_on(ch, g, acquire) and not _ops_on(ch, g, release):
                    return True
    return False
