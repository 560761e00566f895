"""Goroutines left waiting for a signal their starter skips on an early return.

    go s.serve()               // serve starts with <-s.start
    if err := s.listen(); err != nil {
        return err             // s.start is never closed on this path
    }
    close(s.start)

The mirror image of the forgotten sender: the goroutine waits on a plain
receive, and the only `close` of (or send on) that channel is in the function
that started it, after the `go` statement, behind a `return` that can come
first. On that path nobody else will ever signal the channel, so the
goroutine blocks forever (and whoever waits for it, too).

Judged on a local channel of the starter, or a field channel of the
starter's receiver, when every `close` of and send on it in the program is
in the starter (so no other function can release the goroutine), the
goroutine is started on the starter's straight line, runs a named method,
function or literal whose first channel operation is that plain receive on
its own straight line, and `defer` does not close it. Anything else is
silence, counted in `debug`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program
from .flow import Channel, ChannelFlow
from .regions import on_straight_line, returns_skipping


@dataclass
class AbandonedWaiter:
    """A goroutine's plain receive whose only release, in its starter, an early return skips."""

    channel: Channel
    starter: Function
    go_op: Op
    waiter: Function  # the goroutine's function
    receive: Op
    exit: Op  # the starter's `return` taken before the release
    release: Op  # the skipped `close` or send


def abandoned_waiters(program: Program, flow: ChannelFlow, debug: Counter) -> list[AbandonedWaiter]:
    """Every goroutine whose first receive waits on a release its starter can return before."""
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        releases = [*ch.closes, *ch.sends]
        if not releases or not ch.receives:
            continue
        starters = {fn.id for fn, _op in releases}
        if len(starters) != 1:
            continue
        starter = releases[0][0]
        if not _held_by(flow, key, starter):
            continue
        found = _judge(program, flow, ch, starter, [op for _fn, op in releases], debug)
        if found is not None:
            out.append(found)
    return out


def _held_by(flow: ChannelFlow, key: str, starter: Function) -> bool:
    """The channel is a local of the starter or a field (of its receiver, the caller's to show)."""
    return key == f"local:{starter.id}:{flow.label(key)}" or (key.startswith("field:") and bool(starter.facts.recv))


def _judge(program: Program, flow: ChannelFlow, ch: Channel, starter: Function, releases: list, debug: Counter):
    facts = starter.facts
    index = {id(op): i for i, op in enumerate(facts.ops)}
    if any(id(op) not in index or op.mode == "defer" for op in releases):
        return None  # a release in a literal of the starter, or deferred: it runs on every path
    targets = sorted(index[id(op)] for op in releases)
    for g, go_op in enumerate(facts.ops):
        if go_op.kind != "call" or go_op.mode != "go" or g > targets[0]:
            continue
        if not on_straight_line(facts, go_op.region):
            continue
        targets_run = program.resolve_call(starter, go_op)
        if len(targets_run) != 1:
            continue
        waiter = targets_run[0].function
        receive = _first_op_is_plain_receive(flow, waiter, ch)
        if receive is None:
            continue
        for exit_i, release_i in returns_skipping(facts, targets):
            if exit_i > g:
                debug["GIM102_abandoned_waiters"] += 1
                return AbandonedWaiter(ch, starter, go_op, waiter, receive, facts.ops[exit_i], facts.ops[release_i])
    return None


def _first_op_is_plain_receive(flow: ChannelFlow, fn: Function, ch: Channel) -> Op | None:
    """fn's first channel operation, on its straight line, is a plain receive from ch (nothing
    before it that could leave: no return, jump, select or other channel operation)."""
    facts = fn.facts
    for op in facts.ops:
        if op.kind in ("return", "jump"):
            return None
        if op.kind == "call" and op.mode == "defer":
            continue
        if op.kind in ("send", "recv"):
            if op.kind != "recv" or op.select >= 0 or not on_straight_line(facts, op.region):
                return None
            return op if flow.key(fn, op.fn) == ch.key else None
        if op.kind == "call" and E.ident(op.fn) == "panic":
            return None
    return None
