"""Local channels whose sends outnumber what their one receiver takes.

Two shapes on a local channel instance (`instances.py`: made once with a
constant buffer, never handed to code the model cannot see), between the
function that makes it and one goroutine it starts (a literal, or a named
function given the channel as a parameter):

- the receiver leaves early: the only receive is a `range` over the channel
  whose body can `return`, `break` out or end the goroutine (`t.Fatal`),
  while the other side sends more values than one receive and the buffer
  take (a counted loop, several sends, or any loop on an unbuffered
  channel). After that exit nothing receives, and the next send blocks
  forever (`EarlyLeave`; either side may be the goroutine);
- the owner receives fewer times than the goroutine sends: the goroutine's
  sends are counted (straight-line sends, `for i := 0; i < K; i++` with K a
  constant or a parameter the `go` statement binds to one, an endless
  `for {`), the owner's plain receives too, and the surplus is larger than
  the buffer (`ShortReceive`, as `field_instances.py` finds on fields).

A send inside a `select` has another way out; a second receiver, a
`close` by the receiving side, or a sender reached through calls makes the
channel unjudged. `main` is judged only as the sender (it then blocks for
good): main leaving ends the process, its senders with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .cancel import is_done_call
from .field_instances import (
    MAX_COUNTED_OPS,
    UNBOUNDED,
    DroppedSignal,
    EarlyLeave,
    QuitAfterExit,
    ShortReceive,
    UndersignalledWaiters,
    _loop_times,
    comma_ok,
    count_runs,
    ends_with_marker,
    one_start,
    range_exit,
    receive_loop,
)
from .flow import Channel
from .instances import local_instances
from .never_stopped import go_statements_running, started_by
from .regions import STRAIGHT_KINDS, FnView, assignments_to, exclusive_branches, fan_out_rounds, on_straight_line
from .stopped_timers import is_clock_receive
from .syncprims import WAITGROUP
from .unpaired import ends_goroutine, exits_process


def counted_channels(
    program: Program, instances: list[tuple[Channel, Function, str]], debug: Counter
) -> tuple[list[EarlyLeave], list[ShortReceive]]:
    """The early leaves and short receives among the local channel instances."""
    early: list[EarlyLeave] = []
    short: list[ShortReceive] = []
    positions = _Positions()
    by_name = {(owner.id, name): ch for ch, owner, name in instances}
    for ch, owner, _name in instances:
        if not ch.sends or not ch.receives:
            continue
        senders = {f.id for f, _op in ch.sends}
        receivers = {f.id for f, _op in ch.receives}
        if len(senders) != 1 or len(receivers) != 1 or senders == receivers:
            continue
        if any(op.select >= 0 for _f, op in ch.sends):
            debug["GIM102_counted_sends_in_select"] += 1
            continue
        sender, receiver = ch.sends[0][0], ch.receives[0][0]
        goroutine = receiver if sender is owner else sender if receiver is owner else None
        waits = None
        if receiver is owner and _is_main(owner):
            started_main = started_by(program, owner, sender) if sender is not owner else None
            waits = _waits_for(program, owner, started_main, sender, ch) if started_main is not None else None
            if waits is None:
                continue  # main leaving ends the process, the sender with it
        if goroutine is None:
            both = _two_goroutines_leave_early(program, positions, ch, owner, sender, receiver)
            if both is None:
                both = _called_receiver_leaves_early(program, positions, ch, owner, sender, receiver)
            if both is not None:
                early.append(both)
            continue
        started = started_by(program, owner, goroutine)
        workers = 1
        if started is None and goroutine is not None and goroutine is receiver:
            pool = _started_workers(program, owner, goroutine)
            if pool is not None:
                started, workers = (pool[0], pool[1]), pool[2]
        if goroutine is None or started is None:
            debug["GIM102_counted_sides_not_seen"] += 1
            continue
        if any(f is receiver for f, _op in ch.closes):
            continue  # the receiving side closes it: a late send panics instead
        go_index, go_op = started
        known = _bound_parameters(program, owner, go_op, goroutine)
        sends = [op for _f, op in ch.sends]
        counted = count_runs(program, sender, sends, known if sender is goroutine else None)
        recvs = [op for _f, op in ch.receives]
        found = None
        if len(recvs) == 1 and receive_loop(receiver.facts, recvs[0]) is not None:
            found = _early_leave(
                program, positions, ch, owner, go_index, go_op, receiver, sender, sends, counted, workers
            )
        if found is not None:
            early.append(found)
        elif receiver is owner:
            one_path: tuple[Op, ...] = ()
            relayed: tuple = ()
            if counted is None and sender is goroutine:
                path = most_sends_on_one_path(program, sender, sends)
                if path is not None:
                    counted, one_path = (len(path), path), tuple(path)
            if counted is None and sender is goroutine and len(sends) == 1:
                relayed = _relayed(program, owner, go_op, sender, sends[0], by_name) or ()
                if relayed:
                    counted = (len(relayed[2]), [sends[0]])
            if counted is None:
                continue
            found_short = _short_receive(program, positions, ch, owner, go_index, go_op, sender, recvs, counted)
            if found_short is not None:
                found_short.path = one_path
                found_short.relayed = relayed
                found_short.waits = waits
                short.append(found_short)
    return early, short


def _relayed(program: Program, owner: Function, go_op: Op, relay: Function, send: Op, by_name: dict) -> tuple | None:
    """(feed's name, the relay's receive, owner's sends on feed) when relay sends once for each value it
    receives from a channel of owner's that owner alone sends on a counted number of times.

    `for { select { case <-ctx.Done(): return; case v := <-in: out <- v } }` or `for v := range in
    { out <- v }`: the send sits straight in the body of the receive's case (or the range), with no
    jump before it, and the loop's other cases only watch for cancellation or the clock. The feed
    has room for every value owner sends (owner never waits on it), so the relay can take them all.
    """
    facts = relay.facts
    paced = [o for o in facts.ops if o.kind == "recv" and o.body >= 0 and o.body == send.region]
    if len(paced) != 1:
        return None
    recv = paced[0]
    at, sent_at = facts.ops.index(recv), facts.ops.index(send)
    if any(o.kind in ("return", "jump") for o in facts.ops[at + 1 : sent_at]):
        return None  # `if v < 0 { continue }` before the send: not one send per value
    if recv.mode != "range":
        select = facts.regions[recv.region] if recv.select >= 0 else None
        loop = facts.regions[select.parent] if select is not None and select.parent >= 0 else None
        if select is None or loop is None or loop.kind != "for" or loop.info is not None:
            return None  # a select straight in an endless `for {`
        others = [o for o in facts.ops if o.kind == "recv" and o.select == recv.select and o is not recv]
        if any(not (is_done_call(o.fn) or is_clock_receive(program, relay, o)) for o in others):
            return None
        if any(o.kind == "send" and o.select == recv.select for o in facts.ops):
            return None
    name = E.ident(recv.fn)
    if name is None:
        return None
    params = [n for n, _t in facts.params]
    if name in params and E.funclit(go_op.fn) is None:
        k = params.index(name)
        fed = E.ident(go_op.args[k]) if k < len(go_op.args) else None
    else:
        fed = name if program.declaring_function(relay, name) is owner else None
    feed = by_name.get((owner.id, fed)) if fed is not None else None
    if feed is None or feed.capacity is None or feed.closes and any(f is not owner for f, _op in feed.closes):
        return None
    if not feed.sends or any(f is not owner or op.select >= 0 for f, op in feed.sends):
        return None
    if any(f is not relay for f, _op in feed.receives):
        return None
    fed_count = count_runs(program, owner, [op for _f, op in feed.sends])
    if fed_count is None or fed_count[0] == UNBOUNDED or feed.capacity < fed_count[0]:
        return None
    return (feed.label, recv, tuple(fed_count[1]))


def _waits_for(
    program: Program, owner: Function, started: tuple[int, Op], goroutine: Function, ch: Channel
) -> Op | None:
    """`wg.Wait()` in owner after its last receive from ch, on the `sync.WaitGroup` owner hands the
    goroutine (`go relay(..., &wg)`) whose `Done` the goroutine defers: owner cannot end before it."""
    _g, go_op = started
    facts = owner.facts
    last = max(facts.ops.index(op) for f, op in ch.receives if f is owner)
    params = [n for n, _t in goroutine.facts.params]
    groups = {n for n in params if n and program.named(program.type_of(goroutine, E.make_ident(n)) or "") == WAITGROUP}
    done = set()
    for o in goroutine.facts.ops:
        sel = E.selector(o.fn) if o.kind == "call" and o.mode == "defer" else None
        if sel is not None and sel[1] == "Done" and E.ident(sel[0]) in groups:
            k = params.index(E.ident(sel[0]))
            if k < len(go_op.args):
                arg = go_op.args[k]
                done.add(E.ident(E.unary_operand(arg, "&") or arg))
    for o in facts.ops[last + 1 :]:
        if o.kind in ("return", "jump"):
            return None
        sel = E.selector(o.fn) if o.kind == "call" and o.mode == "plain" and not o.args else None
        if sel is not None and sel[1] == "Wait" and E.ident(sel[0]) in done:
            return o
    return None


def _two_goroutines_leave_early(
    program: Program, positions: _Positions, ch: Channel, owner: Function, sender: Function, receiver: Function
) -> EarlyLeave | None:
    """Both sides are function literals the owner starts (`go func() {...}()`, or `g.Go(func() error
    {...})` of an errgroup): the receiving one ranges and can return early while the sending one
    still sends. Nothing else uses the channel (a local instance), so that send blocks forever,
    and a `g.Wait()` for the sender with it."""
    starts = [_literal_start(program, owner, f) for f in (receiver, sender)]
    if starts[0] is None or starts[1] is None or len(ch.receives) != 1:
        return None
    if receive_loop(receiver.facts, ch.receives[0][1]) is None:
        return None
    (go_index, go_op), (_si, sender_go) = starts[0], starts[1]
    sends = [op for _f, op in ch.sends]
    counted = count_runs(program, sender, sends)
    found = _early_leave(program, positions, ch, owner, go_index, go_op, receiver, sender, sends, counted)
    if found is not None:
        found.sender_go = sender_go
    return found


def _called_receiver_leaves_early(
    program: Program, positions: _Positions, ch: Channel, owner: Function, sender: Function, receiver: Function
) -> EarlyLeave | None:
    """The owner starts the sender (`go stage(in, out)`) and then calls the receiver itself
    (`return consume(out)`), once, on its straight line: the receiver runs on the owner's
    goroutine, and once its range returns early nothing else receives, so the sender blocks
    on its next send (and a pipeline stage feeding it with it)."""
    started = started_by(program, owner, sender)
    if started is None or len(ch.receives) != 1 or any(f is receiver for f, _op in ch.closes):
        return None
    if receive_loop(receiver.facts, ch.receives[0][1]) is None:
        return None
    go_index, go_op = started
    calls = [
        (i, op)
        for i, op in enumerate(owner.facts.ops)
        if op.kind == "call"
        and op.mode == "plain"
        and any(t.function is receiver for t in program.resolve_call(owner, op))
    ]
    if len(calls) != 1 or calls[0][0] < go_index or not on_straight_line(owner.facts, calls[0][1].region):
        return None
    if len(program.resolve_call(owner, calls[0][1])) != 1:
        return None
    sends = [op for _f, op in ch.sends]
    counted = count_runs(program, sender, sends, _bound_parameters(program, owner, go_op, sender))
    found = _early_leave(program, positions, ch, owner, go_index, go_op, receiver, sender, sends, counted)
    if found is not None:
        found.sender_go, found.receiver_call = go_op, calls[0][1]
    return found


def _literal_start(program: Program, owner: Function, lit: Function) -> tuple[int, Op] | None:
    """(index, op) of owner's one statement starting the literal lit on a new goroutine (`go`, or a
    spawner such as an errgroup's `g.Go`), on owner's straight line; None otherwise."""
    if lit.parent is not owner:
        return None
    found = []
    for i, op in enumerate(owner.facts.ops):
        if op.kind != "call":
            continue
        if op.mode == "go":
            started = op.fn
        elif program.is_spawner_call(owner, op):
            started = op.args[-1]
        else:
            continue
        number = E.funclit(started)
        if number is not None and program.literal(owner, number) is lit:
            found.append((i, op))
    if len(found) != 1 or not on_straight_line(owner.facts, found[0][1].region):
        return None
    return found[0]


def _is_main(fn: Function) -> bool:
    return fn.parent is None and fn.facts.name == "main" and fn.pkg.name == "main"


def _bound_parameters(program: Program, owner: Function, go_op: Op, target: Function) -> dict[str, int]:
    """Parameters of the goroutine's function that its `go` statement gives a constant."""
    params = target.facts.params
    out = {}
    for i, arg in enumerate(go_op.args):
        if i < len(params) and params[i][0]:
            value = program.const_int(owner, arg)
            if value is not None:
                out[params[i][0]] = value
    return out


def _short_receive(
    program: Program,
    positions: _Positions,
    ch: Channel,
    owner: Function,
    go_index: int,
    go_op: Op,
    sender: Function,
    recvs: list,
    counted,
) -> ShortReceive | None:
    """The owner's plain receives, after the `go`, counted; fewer than the sends less the buffer."""
    if any(op.mode != "expr" or op.select >= 0 or positions.of(owner, op) < go_index for op in recvs):
        return None
    received = count_runs(program, owner, recvs)
    if received is None or received[0] == UNBOUNDED:
        return None
    total, ordered = counted
    taken = received[0] + (ch.capacity or 0)
    if total != UNBOUNDED and total <= taken:
        return None
    stuck = ordered[min(taken, len(ordered) - 1)]
    return ShortReceive(ch, owner, owner, go_op, sender, stuck, total, received[1])


def _early_leave(
    program: Program,
    positions: _Positions,
    ch: Channel,
    owner: Function,
    go_index: int,
    go_op: Op,
    receiver: Function,
    sender: Function,
    sends: list,
    counted,
    workers: int = 1,
) -> EarlyLeave | None:
    """The range's early exit, when more sends remain after one receive than the buffer holds.

    With `workers` copies of the receiving goroutine (a `go` in constant-count loops), each can
    leave after its first receive: the send after `workers` receives and a full buffer waits."""
    range_op = ch.receives[0][1]
    if receiver is owner and positions.of(owner, range_op) < go_index:
        return None
    if sender is owner and any(positions.of(owner, op) < go_index for op in sends):
        return None
    exit_op = range_exit(program, receiver, range_op)
    if exit_op is None:
        return None
    if _lock_step(program, receiver, range_op, sender, sends):
        return None
    cap = ch.capacity or 0
    facts = sender.facts
    if counted is not None:
        total, ordered = counted
        if total != UNBOUNDED and total - workers <= cap or ends_with_marker(ordered):
            return None
        stuck = ordered[min(workers + cap, len(ordered) - 1)]  # after each receiver's one receive, a full buffer
        return EarlyLeave(ch, owner, go_op, receiver, range_op, exit_op, sender, stuck, total, workers=workers)
    in_loop = all(
        any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, op.region)) for op in sends
    )
    if cap or not in_loop:
        return None  # a count the model cannot read: judged only unbuffered, every send in a loop
    first = min(sends, key=lambda op: positions.of(sender, op))
    return EarlyLeave(ch, owner, go_op, receiver, range_op, exit_op, sender, first, 0, workers=workers)


def _lock_step(program: Program, receiver: Function, recv: Op, sender: Function, sends: list) -> bool:
    """A request/acknowledge lock-step: the receiver sends a request on another channel and, with no
    way out in between, waits on this one (`lines <- l; <-ack`), and the sender sends here only
    after receiving that request in the same round (`l := <-lines; ...; ack <- 1`). Every send then
    finds the receiver waiting: whatever exits its loop has, they come before its request."""
    rops = receiver.facts.ops
    at = next((i for i, op in enumerate(rops) if op is recv), None)
    if at is None:
        return False
    request = next((op for op in reversed(rops[:at]) if op.kind == "send"), None)
    if request is None or request.region != recv.region or E.render(request.fn) == E.render(recv.fn):
        return False
    between = rops[rops.index(request) + 1 : at]
    if any(
        op.kind in ("return", "jump", "recv", "send")
        or op.kind == "call"
        and (ends_goroutine(program, receiver, op) is not None or exits_process(program, receiver, op))
        for op in between
    ):
        return False
    wanted = E.render(request.fn)
    sfacts = sender.facts
    for send in sends:
        loop = next(
            (r for r in enclosing_regions(sfacts, send.region) if sfacts.regions[r].kind in ("for", "range")), None
        )
        chain = set(enclosing_regions(sfacts, send.region))
        took = any(
            op.kind == "recv"
            and E.render(op.fn) == wanted
            and op.line < send.line
            and (
                op.select < 0
                and op.mode == "expr"
                and op.region in chain  # `l := <-lines; ...; ack <- 1`
                or op.mode == "case"
                and op.body in chain  # `case l := <-lines: ...; ack <- 1`
            )
            and (loop is None or loop in enclosing_regions(sfacts, op.region))
            for op in sfacts.ops
        )
        if not took:
            return False
    return True


def most_sends_on_one_path(program: Program, fn: Function, sends: list[Op]) -> list[Op] | None:
    """The longest run of `sends` that one path through fn makes, in order, when it is two or
    more: each send outside any loop, and each next one reached after the one before
    (not on the other side of its `if`, not in another case of its `switch`, and no `return`,
    jump or goroutine-ending call in a region around the earlier send between the two). A path
    that takes every `if` it can, e.g. `if err := a(); err != nil { ch <- err }` then
    `ch <- nil`, sends twice. None when some send sits in a loop or no path sends twice."""
    facts = fn.facts
    if len(sends) < 2 or len(sends) > MAX_COUNTED_OPS:
        return None
    index = {id(op): k for k, op in enumerate(facts.ops)}
    chains = {id(op): list(enclosing_regions(facts, op.region)) for op in sends}
    if any(facts.regions[r].kind in ("for", "range", "select") for op in sends for r in chains[id(op)]):
        return None
    ordered = sorted(sends, key=lambda op: index[id(op)])
    first, last = index[id(ordered[0])], index[id(ordered[-1])]
    stops = [
        (k, op)
        for k, op in enumerate(facts.ops[first:last], start=first)
        if op.kind in ("return", "jump") or exits_process(program, fn, op) or ends_goroutine(program, fn, op)
    ]

    def follows(a: Op, b: Op) -> bool:
        if exclusive_branches(facts, chains[id(a)], chains[id(b)]):
            return False
        around_a = set(chains[id(a)])
        lo, hi = index[id(a)], index[id(b)]
        return not any(lo < k < hi and op.region in around_a for k, op in stops)

    best: list[list[Op]] = []
    for j, b in enumerate(ordered):
        longest = max((best[i] for i in range(j) if follows(ordered[i], b)), key=len, default=[])
        best.append([*longest, b])
    path = max(best, key=len)
    return path if len(path) >= 2 else None


def _started_workers(
    program: Program, owner: Function, target: Function, any_count: bool = False
) -> tuple[int, Op, int] | None:
    """(index, op, how many) for owner's one `go` statement running target from inside loops of
    constant trip count, with no branch around it: a pool of that many identical workers. With
    any_count, a loop of a count read at run time (`for i := 0; i < workers; i++`) gives 0: a
    pool of some number of workers."""
    found = []
    for i, op in enumerate(owner.facts.ops):
        if op.kind != "call" or op.mode != "go":
            continue
        number = E.funclit(op.fn)
        if number is not None and program.literal(owner, number) is target:
            found.append((i, op))
        elif number is None and any(t.function is target for t in program.resolve_call(owner, op)):
            found.append((i, op))
    if len(found) != 1:
        return None
    i, op = found[0]
    facts = owner.facts
    kinds = [facts.regions[r].kind for r in enclosing_regions(facts, op.region)]
    if any(k not in (*STRAIGHT_KINDS, "for", "range") for k in kinds) or not any(k in ("for", "range") for k in kinds):
        return None
    count = fan_out_rounds(program, owner, op.region)
    if count is None and any_count:
        return i, op, 0
    if count is None or count < 1:
        return None
    return i, op, count


class _Positions:
    """Each op's index in its function, from one read of the function's ops."""

    def __init__(self) -> None:
        self._by_fn: dict[int, dict[int, int]] = {}

    def of(self, fn: Function, op: Op) -> int:
        found = self._by_fn.get(fn.id)
        if found is None:
            found = self._by_fn[fn.id] = {id(o): k for k, o in enumerate(fn.facts.ops)}
        return found[id(op)]


@dataclass
class StalledStage:
    """The owner feeds a pipeline stage more values than it and the buffers can take before the
    owner starts reading the stage's output: the stage waits on its output send, the owner on
    its input send."""

    feed: Channel  # the stage's input, which the owner sends on
    output: Channel  # the stage's output, which the owner reads only after feeding
    owner: Function
    go_op: Op
    stage: Function
    stage_send: Op  # the stage's send on the output, in its range over the input
    stuck: Op  # the owner's send that waits forever
    sends: int  # how many the owner sends (UNBOUNDED: an endless loop)
    first_read: Op  # the owner's first receive from the output
    # copies of the stage the `go` starts (a pool, in loops of constant count; 0: a count read at run time)
    workers: int = 1


def stalled_stages(program: Program, instances: list[tuple[Channel, Function, str]]) -> list[StalledStage]:
    """`go square(in, out)`, then `for i := 0; i < 3; i++ { in <- i }` before `for v := range out`:
    the stage takes one value and blocks sending its result, nobody takes the next input."""
    by_owner: dict[int, list[Channel]] = {}
    for ch, owner, _name in instances:
        by_owner.setdefault(owner.id, []).append(ch)
    positions = _Positions()
    out = []
    for owner_id, chans in sorted(by_owner.items()):
        owner = program.functions[owner_id]
        for feed in chans:
            if feed.capacity is None or not feed.sends or any(f is not owner for f, _op in feed.sends):
                continue
            stages = {f.id for f, _op in feed.receives}
            if len(stages) != 1 or any(op.mode != "range" for _f, op in feed.receives):
                continue
            stage = feed.receives[0][0]
            if stage is owner:
                continue
            range_op = feed.receives[0][1]
            started = started_by(program, owner, stage)
            workers = 1
            if started is None:
                pool = _started_workers(program, owner, stage, any_count=True)
                if pool is None:
                    continue
                started, workers = (pool[0], pool[1]), pool[2]
            go_index, go_op = started
            for output in chans:
                if output is feed or output.capacity is None or not output.receives:
                    continue
                stage_sends = [op for f, op in output.sends if f is stage]
                if len(stage_sends) != len(output.sends) or len(stage_sends) != 1:
                    continue
                stage_send = stage_sends[0]
                if stage_send.select >= 0 or range_op.body not in enclosing_regions(stage.facts, stage_send.region):
                    continue
                if not on_straight_line_within(stage.facts, stage_send.region, range_op.body):
                    continue
                reads = [op for f, op in output.receives if f is owner]
                if not reads or len(reads) != len(output.receives):
                    continue
                first_read = min(reads, key=lambda op: positions.of(owner, op))
                before = [
                    op for _f, op in feed.sends if go_index < positions.of(owner, op) < positions.of(owner, first_read)
                ]
                if not before or len(before) != len(feed.sends) or any(op.select >= 0 for op in before):
                    continue
                read_loops = set(enclosing_regions(owner.facts, first_read.region))
                if any(
                    r in read_loops and owner.facts.regions[r].kind in ("for", "range")
                    for op in before
                    for r in enclosing_regions(owner.facts, op.region)
                ):
                    continue  # reads and feeds in one loop: in step
                counted = count_runs(program, owner, before)
                if counted is None and not feed.capacity and not output.capacity:
                    per_item = _fed_per_item(program, owner, before)
                    counted = (0, per_item) if per_item else None
                if counted is None:
                    continue
                total, ordered = counted
                if workers == 0 and total != 0:
                    continue  # a pool of a size read at run time: judged only against an input of any size
                room = workers + (output.capacity or 0) + (feed.capacity or 0)
                if total != UNBOUNDED and 0 < total <= room:
                    continue
                stuck = ordered[min(room, len(ordered) - 1)]
                out.append(
                    StalledStage(feed, output, owner, go_op, stage, stage_send, stuck, total, first_read, workers)
                )
    return out


def _fed_per_item(program: Program, owner: Function, feeds: list[Op]) -> list[Op] | None:
    """The feeds, when they all sit in one `for`/`range` loop of a count the model cannot read
    (`for _, it := range items`, `for i := 0; i < n; i++`) that nothing leaves early: the owner
    sends once per item of an input of any size. None for a range over a literal, an array or a
    constant, whose size the author fixed."""
    facts = owner.facts
    loops = set()
    for op in feeds:
        around = [r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind not in STRAIGHT_KINDS]
        if len(around) != 1 or facts.regions[around[0]].kind not in ("for", "range"):
            return None
        loops.add(around[0])
    if len(loops) != 1:
        return None
    loop = loops.pop()
    if facts.regions[loop].info is None:
        return None  # `for {`: count_runs reads it
    if _author_sized(program, owner, loop):
        return None
    last = max(facts.ops.index(op) for op in feeds)
    if any(op.kind in ("return", "jump") or exits_process(program, owner, op) for op in facts.ops[: last + 1]):
        return None
    return sorted(feeds, key=facts.ops.index)


def _author_sized(program: Program, owner: Function, loop: int) -> bool:
    """The loop ranges over a literal, an array or a constant: its count is fixed where it is
    written, and a buffer sized by the author for it is not judged by count."""
    region = owner.facts.regions[loop]
    if region.kind != "range":
        return False
    ranged = E.ranged(region.info) or region.info
    if E.composite(ranged) is not None or program.const_int(owner, ranged) is not None:
        return True
    name = E.ident(ranged)
    declared = program.locals(owner).get(name, "") if name else ""
    return declared.startswith("[") and not declared.startswith("[]")


@dataclass
class OutnumberedReceive:
    """Several goroutines, each started once and sending once, outnumber the owner's receives."""

    channel: Channel
    owner: Function
    starts: list  # [(go op, goroutine function, its send)] in start order
    receives: list  # the owner's receives, in order
    stuck: tuple  # (goroutine function, send) left waiting: the last started


def outnumbered_receives(program: Program, instances: list[tuple[Channel, Function, str]]) -> list[OutnumberedReceive]:
    """`go func() { errc <- copyA() }(); go func() { errc <- copyB() }(); return <-errc` on an unbuffered
    channel: the goroutine not heard blocks forever (`ShortReceive` is the one-goroutine case)."""
    positions = _Positions()
    out = []
    for ch, owner, name in instances:
        if ch.closes or ch.capacity is None or not ch.sends or not ch.receives:
            continue
        senders = {f.id for f, _op in ch.sends}
        if owner.id in senders or any(f is not owner for f, _op in ch.receives):
            continue
        if len(senders) != len(ch.sends):
            continue  # one send per goroutine function
        starts: list[tuple[int, Op, Function, Op]] = []
        for f, send in ch.sends:
            started = _straight_starts(program, owner, f, name)
            if not started or send.select >= 0:
                starts = []
                break
            counted = count_runs(program, f, [send])
            if counted is None or counted[0] != 1:
                starts = []
                break
            starts.extend((i, go, f, send) for i, go in started)
        if len(starts) < 2:
            continue
        recvs = [op for _f, op in ch.receives]
        last_go = max(i for i, _op, _f, _s in starts)
        if any(op.mode != "expr" or op.select >= 0 or positions.of(owner, op) < last_go for op in recvs):
            continue
        received = _received_after(program, owner, min(i for i, _op, _f, _s in starts), recvs)
        if received is None:
            continue
        if len(starts) <= len(received) + (ch.capacity or 0):
            continue
        starts.sort(key=lambda x: x[0])
        _i, _go, f, send = starts[-1]
        out.append(OutnumberedReceive(ch, owner, [(g, fn, sd) for _k, g, fn, sd in starts], received, (f, send)))
    return out


@dataclass
class LoopStartedSenders:
    """One goroutine per round of a loop, each sending once, outnumber the owner's receives."""

    channel: Channel
    owner: Function
    loop: int  # the owner's loop region whose rounds each start one
    go: Op
    sender: Function
    send: Op
    receives: list  # the owner's receives, in order, after the loop
    rounds: int | None  # the loop's constant trip count; None: as many as what it ranges over holds
    # When the goroutine's function does not send itself: (that function, its one call of `sender`).
    via: tuple[Function, Op] | None = None


# A loop of unknown length is judged when the buffer and the receives together take at most this
# many of its goroutines: a fan-out over "every replica" with one slot and one receive strands the
# third replica's goroutine; a larger room may have been sized to what the list holds.
_UNKNOWN_ROUNDS_ROOM = 2


def loop_started_senders(program: Program, instances: list[tuple[Channel, Function, str]]) -> list[LoopStartedSenders]:
    """`for _, r := range replicas { go func(r R) { out <- r.Do(q) }(r) }; return <-out` on an unbuffered
    channel: the first answer is taken, and every goroutine after it blocks on its send forever.

    The one `go` statement sits straight in the body of one loop of the owner that nothing leaves early
    (no `return`, `break` or `continue` in it), so each round starts one goroutine; the goroutine sends
    once, unconditionally, outside any `select`; the owner receives a counted number of times after the
    loop, plainly, and nothing closes the channel. A loop of unknown length is judged when the buffer
    and the receives take at most two goroutines (an unbuffered channel with one receive: any second
    round leaves a sender unheard; one slot and one receive: a third); a counted loop when its rounds
    outnumber the receives and the buffer."""
    positions = _Positions()
    out = []
    for ch, owner, _name in instances:
        if ch.closes or ch.capacity is None or len(ch.sends) != 1 or not ch.receives or _is_main(owner):
            continue
        sender, send = ch.sends[0]
        if sender is owner or send.select >= 0 or any(f is not owner for f, _op in ch.receives):
            continue
        started = _started_per_round(program, owner, sender)
        via = None
        if started is None:
            through = _started_per_round_through_call(program, owner, sender)
            if through is None:
                continue
            started, via = through
        at, go, loop = started
        facts = owner.facts
        recvs = [op for _f, op in ch.receives]
        if any(
            op.mode != "expr"
            or op.select >= 0
            or positions.of(owner, op) < at
            or loop in enclosing_regions(facts, op.region)
            for op in recvs
        ):
            continue
        counted = count_runs(program, sender, [send])
        if counted is None or counted[0] != 1:
            continue
        received = _received_after(program, owner, at, recvs)
        if received is None:
            continue
        rounds = _loop_times(program, owner, loop)
        if rounds == UNBOUNDED:
            continue
        if rounds is None:
            if ch.capacity + len(received) > _UNKNOWN_ROUNDS_ROOM:
                continue  # a loop of unknown length past a larger room: its length may well fit
        elif rounds <= len(received) + ch.capacity:
            continue
        out.append(LoopStartedSenders(ch, owner, loop, go, sender, send, received, rounds, via))
    return out


def _started_per_round_through_call(
    program: Program, owner: Function, sender: Function
) -> tuple[tuple[int, Op, int], tuple[Function, Op]] | None:
    """`go h.query(r)` per round, where `query` calls the sending function once, unconditionally, as
    its one call of it (`h.emit(v)`, a closure of owner kept in a field): (_started_per_round of the
    goroutine's function, (that function, its call of sender)); None otherwise."""
    for op in owner.facts.ops:
        if op.kind != "call" or op.mode != "go" or E.funclit(op.fn) is not None:
            continue
        for target in program.resolve_call(owner, op):
            goroutine = target.function
            calls = [c for caller, c in program.callers(sender) if caller is goroutine]
            if len(calls) != 1 or calls[0].mode != "plain":
                continue
            counted = count_runs(program, goroutine, calls)
            started = _started_per_round(program, owner, goroutine)
            if counted is not None and counted[0] == 1 and started is not None and started[1] is op:
                return started, (goroutine, calls[0])
    return None


def _straight_starts(program: Program, owner: Function, target: Function, name: str) -> list[tuple[int, Op]] | None:
    """(index, op) of each of owner's `go` statements running target: a literal of owner, or a named
    function given the channel `name` (`go pipe(a, b, errc)` twice: two goroutines); None when one of
    them sits under a branch or in a loop (how many run is then not counted)."""
    found = go_statements_running(program, owner, target, given=name)
    if any(not on_straight_line(owner.facts, op.region) for _i, op in found):
        return None
    return found


def _received_after(program: Program, owner: Function, start: int, recvs: list) -> list | None:
    """The receives in the order they run, when each runs once on owner's straight line and nothing
    from op `start` (the `go`) to the last of them returns, jumps or ends the process; else None. A
    guard returning before the goroutines start does not change how many receives follow them."""
    facts = owner.facts
    if any(not on_straight_line(facts, op.region) for op in recvs):
        return None
    index = {id(op): k for k, op in enumerate(facts.ops)}
    last = max(index[id(op)] for op in recvs)
    if any(o.kind in ("return", "jump") or exits_process(program, owner, o) for o in facts.ops[start : last + 1]):
        return None
    return sorted(recvs, key=lambda op: index[id(op)])


def _started_per_round(program: Program, owner: Function, target: Function) -> tuple[int, Op, int] | None:
    """(index, op, loop) of owner's one `go` statement running target, straight in the body of one loop
    (no branch between them, no loop around it) that nothing leaves or skips a round of, the loop itself
    on owner's straight line."""
    facts = owner.facts
    found = go_statements_running(program, owner, target)
    if len(found) != 1:
        return None
    i, op = found[0]
    chain = list(enclosing_regions(facts, op.region))
    loops = [r for r in chain if facts.regions[r].kind in ("for", "range")]
    if len(loops) != 1:
        return None
    loop = loops[0]
    if any(facts.regions[r].kind not in STRAIGHT_KINDS for r in chain[: chain.index(loop)]):
        return None  # under a branch in the loop: not every round starts one
    if not on_straight_line(facts, facts.regions[loop].parent):
        return None
    inside = [o for o in facts.ops if loop in enclosing_regions(facts, o.region)]
    if any(o.kind in ("return", "jump") or exits_process(program, owner, o) for o in inside):
        return None
    return i, op, loop


def undersignalled_waiters(
    program: Program, instances: list[tuple[Channel, Function, str]]
) -> list[UndersignalledWaiters]:
    """`for i := 0; i < 2; i++ { go func() { <-quit }() }; quit <- struct{}{}` with nothing closing quit:
    one value wakes one waiter, and the others wait forever (a `close` would wake them all).

    The goroutine receives once, outside any `select`, with nothing before it
    that could end it (count_runs); the owner starts it from one `go`
    statement run a counted number of times, and sends, on its straight line
    or a counted loop, fewer times than that, none in a `select`.
    """
    out = []
    for ch, owner, _name in instances:
        if ch.closes or not ch.sends or not ch.receives or ch.capacity is None:
            continue
        goroutine = ch.receives[0][0]
        if goroutine is owner or any(f is not goroutine for f, _op in ch.receives):
            continue
        if any(f is not owner or op.select >= 0 for f, op in ch.sends):
            continue
        recvs = [op for _f, op in ch.receives]
        if len(recvs) != 1 or recvs[0].mode != "expr" or recvs[0].select >= 0:
            continue
        if count_runs(program, goroutine, recvs) != (1, recvs):
            continue
        start = one_start(program, owner, goroutine)
        if start is None:
            continue
        go_op, started = start
        sent = count_runs(program, owner, [op for _f, op in ch.sends])
        if sent is None or sent[0] == UNBOUNDED or sent[0] >= started:
            continue
        sends = [(owner, op) for op in sent[1]]
        out.append(UndersignalledWaiters(ch, owner, owner, go_op, started, goroutine, recvs[0], sends))
    return out


@dataclass
class OutnumberedPerRound:
    """`for i := 0; i < n; i++ { go f() }` where f sends S times, and the owner receives R < S times
    per round of `for i := 0; i < n; i++`, with the same bound `n`: whatever n is, S - R values
    per goroutine are never received."""

    channel: Channel
    owner: Function
    go: Op
    goroutine: Function
    sends: list  # the goroutine's sends, in order
    per_goroutine: int  # S
    receives: list  # the owner's receives, in the order they run for one round
    per_round: int  # R
    bound: str  # `n`
    recv_loop_line: int


def outnumbered_per_round(
    program: Program, instances: list[tuple[Channel, Function, str]]
) -> list[OutnumberedPerRound]:
    """The goroutines and the receiving loop both run `n` rounds (the same parameter, or a name the
    owner never assigns), so the counts compare per round: a goroutine sending more times than a
    round receives, beyond the buffer, leaves senders blocked for any n >= 1.

    Counts are taken with n bound to 1 (count_runs, one_start): sends straight in the goroutine,
    receives plain and unconditional in one counted loop of the owner, nothing else receiving
    and nothing closing.
    """
    out = []
    for ch, owner, _name in instances:
        if ch.closes or ch.capacity is None or not ch.sends or not ch.receives:
            continue
        goroutine = ch.sends[0][0]
        if goroutine is owner or any(f is not goroutine or op.select >= 0 for f, op in ch.sends):
            continue
        if any(f is not owner or op.select >= 0 or op.mode != "expr" for f, op in ch.receives):
            continue
        bound = _shared_bound(owner, [op for _f, op in ch.receives])
        if bound is None or list(assignments_to(owner, bound)):
            continue
        known = {bound: 1}
        start = one_start(program, owner, goroutine, known, least=1)
        if start is None or start[1] != 1 or _loop_bound(owner, start[0]) != bound:
            continue
        sent = count_runs(program, goroutine, [op for _f, op in ch.sends])
        received = count_runs(program, owner, [op for _f, op in ch.receives], known)
        if sent is None or received is None or UNBOUNDED in (sent[0], received[0]):
            continue
        if sent[0] <= received[0] + ch.capacity:
            continue
        out.append(
            OutnumberedPerRound(
                ch,
                owner,
                start[0],
                goroutine,
                sent[1],
                sent[0],
                received[1],
                received[0],
                bound,
                owner.facts.regions[_loop_of(owner, ch.receives[0][1])].line,
            )
        )
    return out


def _loop_of(fn: Function, op: Op) -> int:
    facts = fn.facts
    return next((r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind == "for"), -1)


def _loop_bound(fn: Function, op: Op) -> str | None:
    """`n` of the `for i := 0; i < n; i++` loop around op (the nearest loop), else None."""
    loop = _loop_of(fn, op)
    if loop < 0:
        return None
    cond = E.binary(fn.facts.regions[loop].info)
    return E.ident(cond[2]) if cond is not None and cond[0] == "<" else None


def _shared_bound(fn: Function, ops: list) -> str | None:
    """The one loop bound name of all ops (they must sit in loops bounded by the same name)."""
    bounds = {_loop_bound(fn, op) for op in ops}
    return bounds.pop() if len(bounds) == 1 else None


def on_straight_line_within(facts, region: int, top: int) -> bool:
    """Every region from `region` up to (not including) `top` is a plain block: no branch, no loop."""
    for r in enclosing_regions(facts, region):
        if r == top:
            return True
        if facts.regions[r].kind not in STRAIGHT_KINDS:
            return False
    return False


def local_quits_after_exit(program: Program, instances: list[tuple[Channel, Function, str]]) -> list[QuitAfterExit]:
    """An unbuffered local quit channel the owner sends on (outside any branch, loop or `select`,
    after the `go`), received only in `case`s of the one goroutine it starts, while that goroutine
    has a `return` in a `case` on another local channel the owner sent on (or closed) between the
    `go` and the quit: the goroutine may be gone, and the quit send waits forever."""
    by_owner: dict[int, list[Channel]] = {}
    for ch, owner, _name in instances:
        by_owner.setdefault(owner.id, []).append(ch)
    positions = _Positions()
    out = []
    for owner_id, chans in sorted(by_owner.items()):
        owner = program.functions[owner_id]
        facts = owner.facts
        for quit in chans:
            if quit.capacity != 0 or quit.closes or not quit.sends or not quit.receives:
                continue
            goroutine = quit.receives[0][0]
            if any(f is not goroutine or op.mode != "case" for f, op in quit.receives):
                continue
            if any(f is not owner or op.select >= 0 or not on_straight_line(facts, op.region) for f, op in quit.sends):
                continue
            started = started_by(program, owner, goroutine)
            if started is None:
                continue
            go_index, go_op = started
            send = min((op for _f, op in quit.sends), key=lambda op: positions.of(owner, op))
            before = positions.of(owner, send)
            found = _left_before_quit(program, positions, owner, goroutine, go_index, before, quit, chans)
            if found is not None:
                gone, other, trigger = found
                out.append(QuitAfterExit(quit, owner, owner, go_op, goroutine, gone, other, trigger, send, owner, send))
    return out


def _left_before_quit(program, positions, owner, goroutine, go_index, before, quit, chans):
    """(the goroutine's `return`, the other channel, owner's trigger) as in `local_quits_after_exit`."""
    gfacts = goroutine.facts
    returns = [op for op in gfacts.ops if op.kind == "return"]
    for other in chans:
        if other is quit:
            continue
        owned = [(f, op) for f, op in (*other.sends, *other.closes) if f is owner]
        # A deferred close runs when the owner returns, after every send it makes.
        triggers = [(f, op) for f, op in owned if op.mode != "defer" and go_index < positions.of(owner, op) < before]
        for f, recv in other.receives:
            if f is not goroutine or recv.mode != "case" or not triggers:
                continue
            usable = [t for t in triggers if t[1].kind == "call"] if comma_ok(gfacts, recv) else triggers
            gone = next((r for r in returns if recv.body in enclosing_regions(gfacts, r.region)), None)
            if gone is not None and usable:
                return gone, other, max(usable, key=lambda t: positions.of(owner, t[1]))
    return None


@dataclass
class SelfOverflow:
    """A function that alone receives from its buffered local channel sends on it in a loop of a
    count the model cannot read, with no receive inside that loop: once the buffer is full the
    send waits for the only receiver, itself."""

    channel: Channel
    owner: Function
    send: Op
    loop: int  # the loop region around the send
    receive: Op  # the function's first receive from the channel


def self_overflows(
    program: Program, flow, confinement, debug: Counter, known: list[tuple[Channel, Function, str]]
) -> list[SelfOverflow]:
    """`stop := make(chan string, 1)` in a loop's function whose only receive is its own `case id :=
    <-stop:`, and `for id := range pending { stop <- id }` later in the same loop body.

    `known`: the instances already made for the functions that start goroutines; only the other
    candidate functions get theirs made here."""
    candidates: set[int] = set()
    for f in program.functions:
        made = {
            E.ident(t)
            for op in f.facts.ops
            if op.kind == "assign"
            for t, v in zip(op.targets, op.args, strict=False)
            if len(op.args) == len(op.targets) and E.is_make_call(v) and len(E.call_args(v)) > 1
        }
        if not made:
            continue
        sent = {E.ident(op.fn) for op in f.facts.ops if op.kind == "send"}
        received = {E.ident(op.fn) for op in f.facts.ops if op.kind == "recv"}
        if made & sent & received:
            candidates.add(f.id)
    if not candidates:
        return []
    covered = {owner.id for _ch, owner, _name in known}
    pool = [i for i in known if i[1].id in candidates]
    if candidates - covered:
        pool += local_instances(program, flow, confinement, set(), debug, starters=candidates - covered)
    out = []
    for ch, owner, _name in pool:
        if not ch.capacity or ch.closes or not ch.sends or not ch.receives:
            continue
        if any(f is not owner for f, _op in (*ch.sends, *ch.receives)):
            continue  # another function (a goroutine) takes part
        facts = owner.facts
        recv_regions = [op.region for _f, op in ch.receives]
        for _f, send in ch.sends:
            if send.select >= 0:
                continue
            loops = [r for r in enclosing_regions(facts, send.region) if facts.regions[r].kind in ("for", "range")]
            if not loops:
                continue
            loop = loops[0]
            if any(loop in enclosing_regions(facts, r) for r in recv_regions):
                continue  # the loop receives too: it drains as it sends
            if _loop_times(program, owner, loop) is not None:
                continue  # a counted (or endless) loop: other shapes count it
            inside = [op for op in facts.ops if loop in enclosing_regions(facts, op.region)]
            if any(op.kind in ("return", "jump") or op.kind == "call" and op.mode == "go" for op in inside):
                continue
            if _author_sized(program, owner, loop):
                continue  # a fixed list: its size is the author's
            first = min((op for _f, op in ch.receives), key=facts.ops.index)
            out.append(SelfOverflow(ch, owner, send, loop, first))
            break
    return out


@dataclass
class OverdrawnSelect:
    """An endless loop's `select` that waits only on channels one goroutine sends on once, with a
    case that goes round the loop again: the next wait has no sender left."""

    owner: Function
    select: int  # the select region
    loop: int  # the endless `for {` around it
    channels: list[Channel]
    again: Op  # the receive whose case goes round again
    jump: Op | None  # the `continue` that does (None: the case runs to the end of the loop body)
    sender: Function  # the one goroutine sending on the channels
    start: Op  # its `go` statement
    sends: list[Op]  # its sends, at most one on any path


def overdrawn_selects(program: Program, instances: list[tuple[Channel, Function, str]]) -> list[OverdrawnSelect]:
    """`go func() { if err != nil { errc <- err; return }; resc <- v }()` then `for { select { case v :=
    <-resc: return v; case err := <-errc: if retry(err) { continue }; return err } }`: the goroutine
    has sent its one value, and the `select` it goes back to waits forever.

    The channels are local instances the function makes, closed nowhere, received only in that
    `select` (no default, no other case), sent on only by one goroutine the function starts once,
    on its straight line before the loop, that sends outside loops and at most once on any path.
    Nothing else in the function names the channels, so no later goroutine can send on them.
    """
    by_owner: dict[int, tuple[Function, list[Channel]]] = {}
    names: dict[int, str] = {}
    for ch, owner, name in instances:
        by_owner.setdefault(owner.id, (owner, []))[1].append(ch)
        names[id(ch)] = name
    positions = _Positions()
    out = []
    for owner, chans in by_owner.values():
        case_channel = {
            id(op): ch for ch in chans for f, op in ch.receives if f is owner and op.mode == "case" and op.select >= 0
        }
        for select in sorted({op.select for ch in chans for f, op in ch.receives if id(op) in case_channel}):
            found = _overdrawn(program, positions, owner, select, case_channel, names)
            if found is not None:
                out.append(found)
    return out


def _overdrawn(
    program: Program,
    positions: _Positions,
    owner: Function,
    select: int,
    case_channel: dict[int, Channel],
    names: dict[int, str],
) -> OverdrawnSelect | None:
    facts = owner.facts
    info = facts.regions[select].info
    if not info or info[0]:
        return None  # a default case: the select never waits
    cases = [op for op in facts.ops if op.select == select and op.kind in ("send", "recv")]
    if len(cases) != info[1] or any(id(op) not in case_channel for op in cases):
        return None  # another case (a context, a timer) may end the wait
    loops = [r for r in enclosing_regions(facts, select) if facts.regions[r].kind in ("for", "range")]
    if not loops or facts.regions[loops[0]].kind != "for" or facts.regions[loops[0]].info is not None:
        return None
    loop = loops[0]
    chans = list({id(case_channel[id(op)]): case_channel[id(op)] for op in cases}.values())
    if any(ch.closes or not ch.sends for ch in chans):
        return None
    if any(f is not owner or op.select != select for ch in chans for f, op in ch.receives):
        return None
    senders = {f.id: f for ch in chans for f, _op in ch.sends}
    if len(senders) != 1 or owner.id in senders:
        return None
    sender = next(iter(senders.values()))
    start = started_by(program, owner, sender)
    if start is None:
        return None
    go_index, go_op = start
    body = [op for op in facts.ops if loop in enclosing_regions(facts, op.region)]
    if not body or go_index > positions.of(owner, body[0]):
        return None  # started inside the loop, or after it
    held = {E.make_ident(names[id(ch)]) for ch in chans}
    for op in facts.ops:
        if (
            op is go_op
            or op.select == select
            or op.kind == "assign"
            and E.is_make_call(op.args[0] if op.args else None)
        ):
            continue
        if any(_names_beyond_receives(e, held) for e in (op.fn, *op.args)):
            return None  # the channel goes elsewhere: another sender may come
    sends = [op for ch in chans for _f, op in ch.sends]
    sfacts = sender.facts
    if any(op.select >= 0 for op in sends):
        return None
    if any(sfacts.regions[r].kind in ("for", "range") for op in sends for r in enclosing_regions(sfacts, op.region)):
        return None
    if len(sends) > 1 and (len(sends) > MAX_COUNTED_OPS or most_sends_on_one_path(program, sender, sends)):
        return None  # some path sends twice
    select_start = positions.of(owner, cases[0])
    if any(
        op.kind in ("return", "jump") or exits_process(program, owner, op)
        for op in body
        if positions.of(owner, op) < select_start
    ):
        return None  # the loop can be left before it waits again
    again = _goes_round(program, owner, loop, select, cases)
    if again is None:
        return None
    return OverdrawnSelect(owner, select, loop, chans, again[0], again[1], sender, go_op, sends)


def _names_beyond_receives(e, held: set) -> bool:
    """e names one of the held channels other than as the operand of a receive (`v := <-resc`)."""
    if e is None or not E.is_expr(e):
        return False
    parts = list(E.subexprs(e))
    named = sum(1 for x in parts if x in held)
    received = sum(1 for x in parts if E.is_expr(x) and E.unary_operand(x, "<-") in held)
    return named > received


def _goes_round(
    program: Program, owner: Function, loop: int, select: int, cases: list[Op]
) -> tuple[Op, Op | None] | None:
    """(a case's receive, its `continue` of the loop) when that case can go round the loop again;
    the `continue` is None when the case's body has no way out at all and nothing follows the
    `select` in the loop."""
    facts = owner.facts
    view = FnView(owner)
    after_select = [
        op
        for op in facts.ops
        if loop in enclosing_regions(facts, op.region)
        and select not in enclosing_regions(facts, op.region)
        and op.select != select
    ]
    for recv in cases:
        inside = [op for op in facts.ops if recv.body >= 0 and recv.body in enclosing_regions(facts, op.region)]
        for op in inside:
            if op.kind == "jump" and op.mode == "continue" and view.jump_target(op) == loop:
                return recv, op
        leaves = any(
            op.kind in ("return", "jump") or op.kind == "call" and op.mode == "go" or exits_process(program, owner, op)
            for op in inside
        )
        if recv.body >= 0 and not leaves and not after_select:
            return recv, None
    return None


def dropped_signals(program: Program, instances: list[tuple[Channel, Function, str]]) -> list[DroppedSignal]:
    """`go func() { work(); select { case done <- struct{}{}: default: } }()`, then `<-done` with
    `done` unbuffered: the send goes through only if the receive is already waiting, and is dropped
    otherwise; the receive then waits forever.

    One sender, started once on the function's straight line before the receive, with one send,
    outside any loop; the function receives once, plainly, outside any loop; nothing else names the
    channel in the function."""
    positions = _Positions()
    out = []
    for ch, owner, name in instances:
        if ch.capacity != 0 or ch.closes or len(ch.sends) != 1 or len(ch.receives) != 1:
            continue
        sender, send = ch.sends[0]
        receiver, receive = ch.receives[0]
        if receiver is not owner or sender is owner or receive.mode != "expr" or receive.select >= 0:
            continue
        sfacts = sender.facts
        if send.select < 0 or not (sfacts.regions[send.select].info or (False,))[0]:
            continue  # a blocking send: other shapes judge it
        if any(sfacts.regions[r].kind in ("for", "range") for r in enclosing_regions(sfacts, send.region)):
            continue  # a send retried in a loop may get through later
        facts = owner.facts
        if any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, receive.region)):
            continue
        start = started_by(program, owner, sender)
        if start is None or start[0] > positions.of(owner, receive):
            continue
        held = {E.make_ident(name)}
        if any(
            _names_beyond_receives(e, held)
            for op in facts.ops
            if op is not start[1]
            and op is not receive
            and not (op.kind == "assign" and op.args and E.is_make_call(op.args[0]))
            for e in (op.fn, *op.args)
        ):
            continue  # the channel goes elsewhere: another sender may come
        out.append(DroppedSignal(ch, owner, sender, start[1], send, receive))
    return out
