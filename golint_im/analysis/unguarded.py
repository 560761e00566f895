"""A plain send among sends on the same channel that the author guarded with a way out.

    go func() {
        defer close(out)
        for _, k := range keys {
            if err := remove(k); err != nil {
                out <- Result{Err: err}          // blocks once the reader has gone
                continue
            }
            select {
            case out <- Result{Key: k}:
            case <-ctx.Done():                   // the reader may stop reading
                return
            }
        }
    }()

When a function's sends on a channel select on a way out (`<-ctx.Done()`,
or a quit channel whose case returns), its author has said that the reader
may stop reading. A plain send on the same channel in the same function then blocks
forever once it has: the goroutine leaks with everything it holds. The
reader need not be in the analysed code (a returned channel, a framework's
output), which is why the author's own guard is the evidence, not the
reader.

Only in the channel's producer: the function that closes it when done
(`defer close(out)`), the generator whose reader is free to leave. A
function that sends on a channel it does not close may be one of several
senders on a channel whose capacity the design counts on (a buffer of one
that the first send of each round always finds empty). Left out as well: a
channel the function also receives from, a buffer that holds every send
of the channel when none is in a loop, the producer's first send on a
buffered channel only it sends on, outside loops (the buffer is empty), and
a producer whose way-out case itself sends (`case <-ctx.Done(): out <-
Item{Err: ctx.Err()}`): its reader is meant to read until the close.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .flow import ChannelFlow
from .regions import STRAIGHT_KINDS
from .unpaired import ends_goroutine


@dataclass
class UnguardedSend:
    """A plain send on a channel that other sends of the same function guard with a way out."""

    fn: Function
    send: Op
    guarded: Op  # one of the guarded sends
    way_out: str  # what the guard selects on: "`<-ctx.Done()`", "`<-s.quit`"
    label: str  # the channel, for messages
    capacity: int | None


def unguarded_sends(flow: ChannelFlow, debug: Counter) -> list[UnguardedSend]:
    """Every plain send whose function guards its other sends on the same channel."""
    out: list[UnguardedSend] = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends:
            continue
        by_fn: dict[int, list[tuple[Function, Op]]] = {}
        for fn, op in ch.sends:
            by_fn.setdefault(fn.id, []).append((fn, op))
        receivers = {fn.id for fn, _op in ch.receives}
        closers = {fn.id for fn, _op in ch.closes}
        for sends in by_fn.values():
            fn = sends[0][0]
            guarded = [(op, way) for _fn, op in sends if (way := _way_out(fn, op))]
            plain = [op for _fn, op in sends if op.select < 0]
            if not guarded or not plain:
                continue
            if fn.id in receivers:
                debug["GIM102_unguarded_sends_in_receivers"] += 1
                continue
            if fn.id not in closers:
                debug["GIM102_unguarded_sends_not_the_producer"] += 1
                continue
            if _buffer_holds_all(flow, ch):
                debug["GIM102_unguarded_sends_buffered"] += 1
                continue
            if _drained(ch):
                debug["GIM102_unguarded_sends_drained"] += 1
                continue  # `for range out {}` on the reader's way out takes every later value
            if _read_to_the_close(flow.program, ch):
                debug["GIM102_unguarded_sends_read_to_the_close"] += 1
                continue  # the reader the tree shows never stops before the producer's close
            if any(_in_way_out_case(fn, op) for op in plain):
                # `case <-ctx.Done(): out <- Item{Err: ctx.Err()}; return`: the author tells the reader
                # about the cancellation, so the reader is meant to read on until the close
                debug["GIM102_unguarded_sends_reader_drains"] += 1
                continue
            plain = [op for op in plain if not _first_into_buffer(ch, fn, op, sends)]
            if not plain:
                debug["GIM102_unguarded_sends_first_into_buffer"] += 1
                continue
            first = min(plain, key=lambda op: (op.line, op.col))
            op, way = guarded[0]
            debug["GIM102_unguarded_sends"] += 1
            out.append(UnguardedSend(fn, first, op, way, ch.label, ch.capacity))
    return out


def _drained(ch) -> bool:
    """Some function ranges over the channel doing nothing with the values: a drain (`for range
    out {}`) that an aborting reader runs before leaving, so the producer's sends are taken."""
    for fn, op in ch.receives:
        if op.mode == "range" and op.body >= 0:
            if not any(op.body in enclosing_regions(fn.facts, o.region) for o in fn.facts.ops):
                return True
    return False


def _read_to_the_close(program: Program, ch) -> bool:
    """Every receive of the channel is a `range` that cannot stop before the close: nothing in the
    loop's body leaves it (no `return`, `break`, `goto`, `panic`, `t.Fatal` or
    `runtime.Goexit`), and it runs whenever its function started a goroutine there (on the
    function's straight line, or inside the branch that holds the `go`). Each reader then takes
    every value until the producer's close, so no send waits for good (restic's `for err := range
    errChan` over `chkr.Packs`)."""
    if not ch.receives:
        return False
    for fn, op in ch.receives:
        if op.mode != "range" or op.body < 0:
            return False
        facts = fn.facts
        inside = [o for o in facts.ops if op.body in enclosing_regions(facts, o.region)]
        if any(o.kind in ("return", "jump") for o in inside):
            return False
        if any(E.is_ident(o.fn, "panic") or ends_goroutine(program, fn, o) for o in inside if o.kind == "call"):
            return False
        starts = [o for o in facts.ops if o.kind == "call" and o.mode == "go" and (o.line, o.col) < (op.line, op.col)]
        for r in enclosing_regions(facts, op.region):
            if facts.regions[r].kind in STRAIGHT_KINDS:
                continue
            if not any(r in enclosing_regions(facts, g.region) for g in starts):
                return False  # a branch or loop the goroutine's start is not in: the range may not run
    return True


def _way_out(fn: Function, op: Op) -> str:
    """The case a send's `select` leaves by instead of waiting for the reader, or "" if none.

    A receive of a context's `Done()`, or a receive whose case returns
    straight away (`case <-s.quit: return`): the author expects to stop
    while the reader is gone. A `default` (drop when full) or another input
    the select multiplexes (`case v := <-in:`) says nothing about the reader.
    """
    if op.select < 0:
        return ""
    facts = fn.facts
    for other in facts.ops:
        if other.kind != "recv" or other.select != op.select or other.mode != "case":
            continue
        done = E.call(other.fn)
        if done is not None and E.selected_name(done[0]) == "Done" and not done[1]:
            return f"`<-{E.render(other.fn)}`"
        if any(o.kind == "return" and o.region == other.body for o in facts.ops):
            return f"`<-{E.render(other.fn)}`"
    return ""


def _in_way_out_case(fn: Function, op: Op) -> bool:
    """op sits in the body of a select case that is a way out (`case <-ctx.Done():`)."""
    facts = fn.facts
    for r in enclosing_regions(facts, op.region):
        if facts.regions[r].kind != "case":
            continue
        for other in facts.ops:
            if other.kind == "recv" and other.mode == "case" and other.body == r and _way_out(fn, other):
                return True
    return False


def _first_into_buffer(ch, fn: Function, op: Op, sends: list[tuple[Function, Op]]) -> bool:
    """op is the producer's first send, outside loops, on a buffered channel only it sends on: the
    buffer is still empty, so it cannot block (`if err != nil { ch <- item{err: err}; return }` before
    the guarded loop, minio-go api-list.go:806)."""
    if not ch.capacity or any(f.id != fn.id for f, _o in ch.sends):
        return False
    regions = fn.facts.regions
    if any(regions[r].kind in ("for", "range") for r in enclosing_regions(fn.facts, op.region)):
        return False
    return not any((o.line, o.col) < (op.line, op.col) and not _returns_after(fn, o) for _f, o in sends)


def _returns_after(fn: Function, send: Op) -> bool:
    """A `return` follows the send in its own block (`ch <- item{err: err}; return`): no later send
    of the function runs after it on that path."""
    return any(
        o.kind == "return" and o.region == send.region and (o.line, o.col) > (send.line, send.col) for o in fn.facts.ops
    )


def _buffer_holds_all(flow: ChannelFlow, ch) -> bool:
    """The buffer takes every send of the channel: none in a loop, no more of them than its capacity."""
    if not ch.capacity or len(ch.sends) > ch.capacity:
        return False
    for fn, op in ch.sends:
        regions = fn.facts.regions
        if any(regions[r].kind in ("for", "range") for r in enclosing_regions(fn.facts, op.region)):
            return False
    return True
