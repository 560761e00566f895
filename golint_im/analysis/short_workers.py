"""Workers that can drop an item while their coordinator counts one result per item.

    for w := 0; w < workers; w++ {
        go func() {
            for it := range work {
                select {
                case <-ctx.Done():
                    return              // the items left get no result
                default:
                }
                results <- handle(it)
            }
        }()
    }
    for _, it := range items {
        work <- it
    }
    close(work)
    for range items {
        sum += <-results                // waits for a result that never comes
    }

One result per item is the protocol; a worker that leaves its work loop early,
or skips an item, leaves the coordinator's count short, and its last receive
waits forever. Judged on a local channel made by the coordinator and never
closed (a close would end the wait with zero values), when:

- its one receive is a plain receive (no `select`) in a counted loop of the
  coordinator (a `range` over a slice, a map or a number, or a `for` with a
  condition), after the `go` statements starting the workers;
- every send on it is a plain send, in a `range` over a channel (the work), in
  a goroutine the coordinator starts;
- a worker can `return`, or `continue` its work loop, after taking an item and
  before its send (`regions.returns_skipping`).

The one-goroutine-per-item form (`go func() { if err != nil { return };
results <- v }()`) is the skipped-send analysis's (`unpaired.py`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .cancel import done_case_context, quiet_cancel
from .flow import Channel, ChannelFlow, innermost_loop, leaves_round
from .regions import deciding_region, on_straight_line, returns_skipping


@dataclass
class ShortWorker:
    """A worker of `owner` that can leave (`exit`) before its send, while `owner` counts results."""

    channel: Channel
    owner: Function
    go_op: Op  # owner's `go` starting the worker
    worker: Function
    work_loop: int  # the worker's range over the work channel
    send: Op
    exit: Op  # the `return` or `continue` skipping the send
    region: int  # the branch deciding that exit (-1: none)
    receive: Op  # owner's counted receive
    count_loop: int  # the loop of owner around it


def short_workers(program: Program, flow: ChannelFlow, debug: Counter) -> list[ShortWorker]:
    debug.setdefault("GIM102_short_workers_judged", 0)
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("local:") or len(ch.make_sites) != 1 or ch.closes or len(ch.receives) != 1:
            continue
        owner = ch.make_sites[0][0]
        rfn, receive = ch.receives[0]
        if rfn is not owner or receive.mode != "expr" or receive.select >= 0 or not ch.sends:
            continue
        count_loop = _counted_loop(flow, owner, receive)
        if count_loop is None:
            continue
        found = _first_skip(program, flow, ch, owner, receive, count_loop, debug)
        if found is None:
            continue
        debug["GIM102_short_workers_judged"] += 1
        go_op, worker, work_loop, send, exit_op, region = found
        out.append(ShortWorker(ch, owner, go_op, worker, work_loop, send, exit_op, region, receive, count_loop))
    return out


def _counted_loop(flow: ChannelFlow, owner: Function, receive: Op) -> int | None:
    """The innermost loop around the receive, when it runs a counted number of rounds: a `range`
    over something that is not a channel, or a `for` with a condition."""
    facts = owner.facts
    loop = innermost_loop(facts, receive.region)
    if loop is None:
        return None
    region = facts.regions[loop]
    if region.kind == "for":
        return loop if region.info is not None else None
    if any(
        op.kind == "recv" and op.mode == "range" and op.body == loop and flow.key(owner, op.fn) is not None
        for op in facts.ops
    ):
        return None  # a range over a channel: counted by its close, not by items
    return loop


def _first_skip(
    program: Program, flow: ChannelFlow, ch: Channel, owner: Function, receive: Op, count_loop: int, debug: Counter
):
    """(go op, worker, work loop, send, exit, deciding region) for the first worker that can skip
    its send, when every send is a plain one in a work loop of a goroutine owner starts first."""
    at_receive = owner.facts.ops.index(receive)
    found = None
    for worker, send in ch.sends:
        if send.select >= 0:
            return None
        # `go` statements and spawners (`wg.Go(func() {...})`, `g.Go(...)`) of owner running the worker
        ops = owner.facts.ops
        position = {id(op): i for i, op in enumerate(ops)}
        starts = [(position[id(op)], op) for f, op in worker.go_sites if f is owner and id(op) in position]
        if not starts:
            starts = _started_through_a_literal(program, owner, worker, position)
        if not starts or any(i > at_receive for i, _op in starts):
            return None
        facts = worker.facts
        work_loop = innermost_loop(facts, send.region)
        if work_loop is None or not any(
            op.kind == "recv" and op.mode == "range" and op.body == work_loop and flow.key(worker, op.fn) is not None
            for op in facts.ops
        ):
            return None  # not a worker taking items from a channel
        if found is not None:
            continue
        targets = [i for i, op in enumerate(facts.ops) if any(op is o for f, o in ch.sends if f is worker)]

        def leaves(op: Op, facts=facts, loop: int = work_loop) -> bool:
            return leaves_round(facts, op, loop)

        for i, t in returns_skipping(facts, targets, leaves):
            exit_op = facts.ops[i]
            if work_loop not in enclosing_regions(facts, exit_op.region):
                continue  # before the worker took an item
            if _cancelled_only_when_leaving(program, owner, worker, exit_op, count_loop) or _stopped_only_when_leaving(
                flow, owner, worker, exit_op, count_loop
            ):
                debug["GIM102_short_workers_on_a_context_cancelled_as_the_count_ends"] += 1
                continue
            region = deciding_region(facts, exit_op.region, facts.ops[t].region)
            found = (starts[0][1], worker, work_loop, send, exit_op, region)
            break
    return found


def _started_through_a_literal(program: Program, owner: Function, worker: Function, position: dict) -> list:
    """(index, `go`) of owner's goroutine literals that call the worker plainly on their straight line
    (`go func(id int) { defer wg.Done(); c.work(id, jobs, results) }(i)`): each runs it once."""
    starts: list[tuple[int, Op]] = []
    for caller, call in program.callers(worker):
        if caller.parent is None or caller.outermost() is not owner or call.mode != "plain":
            continue
        if not on_straight_line(caller.facts, call.region):
            continue
        starts.extend((position[id(op)], op) for f, op in caller.go_sites if f is owner and id(op) in position)
    return sorted(starts, key=lambda x: x[0])


def _cancelled_only_when_leaving(program: Program, owner: Function, worker: Function, exit_op: Op, loop: int) -> bool:
    """The exit is a `case <-ctx.Done():` of a context owner makes from `context.Background()`,
    whose cancel owner calls only as it stops counting: deferred, after the counting loop, or
    right before a `break` or `return` out of it (`if err != nil { cancel(); break }`). Then the
    context is done only once nobody waits for the results it strands."""
    ctx = done_case_context(worker, exit_op)
    name = E.ident(ctx) if ctx is not None else None
    if name is None or program.declaring_function(worker, name) is not owner:
        return False
    cancel = quiet_cancel(program, owner, name)
    if cancel is None:
        return False  # derived from a context the caller may cancel at any time
    for op in owner.facts.ops:
        if op.kind == "assign" and any(E.is_ident(t, cancel) for t in op.targets):
            continue  # the one assignment, checked by quiet_cancel
        if op.kind != "call" or not E.is_ident(op.fn, cancel):
            if any(cancel in E.idents_in(e, set()) for e in (*op.args, *op.targets) if E.is_expr(e)):
                return False  # handed on or stored: may be called any time
            continue
        if not _when_leaving(owner, op, loop):
            return False
    return True


def _stopped_only_when_leaving(flow: ChannelFlow, owner: Function, worker: Function, exit_op: Op, loop: int) -> bool:
    """The exit is a `case <-stop:` of a local channel of owner that only owner closes (or sends
    on) as it stops counting: deferred, after the counting loop, or right before a `break` or
    `return` out of it (`if err != nil { close(stopCh); break }`)."""
    facts = worker.facts
    around = set(enclosing_regions(facts, exit_op.region))
    case = next((op for op in facts.ops if op.kind == "recv" and op.select >= 0 and op.body in around), None)
    key = flow.key(worker, case.fn) if case is not None else None
    stop = flow.channels.get(key) if key else None
    if stop is None or key is None or not key.startswith("local:") or not (stop.closes or stop.sends):
        return False
    return all(f is owner and _when_leaving(owner, op, loop) for f, op in [*stop.closes, *stop.sends])


def _when_leaving(owner: Function, op: Op, loop: int) -> bool:
    """op (a cancel, a close) runs deferred, after the loop, or right before leaving it."""
    if op.mode == "defer" or op.line > owner.facts.regions[loop].end_line:
        return True
    ops = owner.facts.ops
    i = ops.index(op)
    nxt = ops[i + 1] if i + 1 < len(ops) else None
    return (
        nxt is not None
        and nxt.region == op.region
        and (nxt.kind == "return" or (nxt.kind == "jump" and nxt.mode == "break" and nxt.fn is None))
    )
