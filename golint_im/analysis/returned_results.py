"""A one-shot result channel that a function returns, abandoned by its caller's `select`.

    func (c *Cache) fetch(key string) <-chan result {
        ch := make(chan result)
        go func() {
            v, err := c.loader.Load(key)
            ch <- result{v, err}      // blocks forever once Get has timed out
        }()
        return ch
    }

    func (c *Cache) Get(key string) ([]byte, error) {
        select {
        case r := <-c.fetch(key):
            return r.val, r.err
        case <-time.After(c.timeout):
            return nil, errTimeout    // nothing receives from fetch's channel again
        }
    }

The maker's goroutine sends once, unconditionally, on an unbuffered channel
that the maker hands on only by returning it. A caller receives from what it
returned only in a `select` with another case that leaves the caller: the
timeout, `ctx.Done()`, `default`. After that nothing can receive, and the
goroutine blocks on its send forever.

Judged only when the maker is followed whole: the channel is a local made
once, unbuffered, never closed, sent on by one goroutine literal (or a
function) the maker starts on its straight line, with one send that runs on
every path outside any `select`, and named in the maker only by its make,
that send, the `go` and `return` (`Unpaired._only_returned`). The caller
receives from the call's result straight in the `select` case
(`case r := <-c.fetch(key):`), or from a local assigned from the call once
and named nowhere else. Counted in `--debug` as
`GIM102_returned_results_abandoned`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .counted import _is_main, _started_per_round
from .field_instances import count_runs, range_exit
from .flow import Channel, ChannelFlow, in_loop
from .never_stopped import started_by
from .regions import deciding_region, fan_out_rounds
from .unpaired import Unpaired, _returned_at


@dataclass
class AbandonedResult:
    """The maker's goroutine sends once on the channel it returns; a caller's `select` can leave first."""

    channel: Channel
    maker: Function
    go: Op  # the maker's `go` starting the sender
    sender: Function
    send: Op
    caller: Function
    call: Op  # the caller's call of the maker
    receive: Op  # the caller's `case <-…` on the result
    leave: Op  # the `return` in another case of that select
    case_region: int  # that case
    many: bool = False  # the goroutine sends in a loop (a stream), not once
    reads_once: bool = False  # the caller's select is in no loop: it takes one value at most
    ranged: bool = False  # the caller ranges over the stream and `leave` exits that range early
    # When `caller` is a consumer the stream is handed to (`drain(ctx, Source(ctx))`): (the function
    # holding `call`, its call of the consumer). `receive` and `leave` are then the consumer's.
    taker: tuple[Function, Op] | None = None
    # When the goroutine sends through a helper (`emit(out, v)`): (the goroutine's function, that call).
    through: tuple[Function, Op] | None = None
    fan_loop: int = 0  # the line of the maker's loop starting one sender per round (a fan-out); 0: one sender
    plain_loop: bool = False  # the caller receives outside any `select`, in a loop it returns from early


def abandoned_results(program: Program, flow: ChannelFlow, unpaired: Unpaired, debug: Counter) -> list:
    out = []
    for key, ch in flow.channels.items():
        if not key.startswith("local:") or ch.capacity is None or not ch.sends or len(ch.make_sites) != 1:
            continue
        maker = ch.make_sites[0][0]
        if any(f is maker or f.outermost() is maker for f, _op in ch.receives):
            continue  # the maker (or a goroutine of its own) receives: not only returned
        name = flow.label(key)
        if key != f"local:{maker.id}:{name}":
            continue
        sender, send = ch.sends[0]
        if sender is maker or any(f is not sender or op.select >= 0 for f, op in ch.sends):
            continue
        goroutine, helper_call = sender, None
        started = started_by(program, maker, sender)
        fanned = False
        per_round = None
        if started is None:
            # `for _, s := range r.stores { go func(s Store) { out <- fetch(s) }(s) }; return out`: one
            # sender per round of the maker's loop, each sending once
            per_round = _started_per_round(program, maker, sender)
            if per_round is not None:
                started, fanned = (per_round[0], per_round[1]), True
        if started is None:
            # `go func() { defer close(out); for ... { emit(out, v) } }()`: the goroutine sends through a helper
            through = _started_through_helper(program, maker, sender)
            if through is None:
                continue
            started, goroutine, helper_call = through
        if ch.capacity and not (fanned and per_round and _outnumbers(program, maker, per_round[1], ch.capacity)):
            continue  # a buffer holds the one sender's value, or as many as a fan-out may start
        if any(f is not sender and f is not goroutine for f, _op in ch.closes):
            continue  # closed by someone else: a send after it panics instead
        sends = [op for _f, op in ch.sends]
        counted = count_runs(program, sender, sends) if not ch.closes else None
        once = counted is not None and counted[0] == 1
        looped = any(in_loop(sender.facts, op.region) for op in sends)
        if helper_call is not None:
            once = once and count_runs(program, goroutine, [helper_call]) == (1, [helper_call])
            looped = looped or in_loop(goroutine.facts, helper_call.region)
        if not once and not looped:
            continue  # a count the model cannot tell, and no loop of sends to outlast the reader
        if not unpaired._only_returned(maker, name, started[1] if started[1].args else None, helper_call):
            continue
        if fanned and not once:
            continue  # each goroutine of a fan-out must send once, on every path
        for caller, call in program.callers(maker):
            if _is_main(caller):
                continue  # main's return ends the process, the sender with it
            found = _abandoning_select(caller, call) if call.mode == "plain" else None
            plain_loop = False
            if found is None and fanned and once and call.mode == "plain":
                found = _abandoning_loop_receive(caller, call)
                plain_loop = found is not None
            if found is None and not once and call.mode == "plain":
                left = _abandoning_range(program, caller, call, _returned_at(maker, name))
                taker, region = None, -1
                if left is None:
                    consumed = _abandoning_consumer(program, caller, call)
                    if consumed is not None and not _is_main(consumed[0]):
                        consumer, handoff, receive, leave = consumed
                        left, taker = (receive, leave), (caller, handoff)
                        caller = consumer
                        region = deciding_region(consumer.facts, leave.region, receive.region)
                if left is not None:
                    debug["GIM102_returned_streams_left_by_a_range"] += 1
                    out.append(
                        AbandonedResult(
                            ch,
                            maker,
                            started[1],
                            sender,
                            send,
                            caller,
                            call,
                            left[0],
                            left[1],
                            region,
                            True,
                            ranged=True,
                            taker=taker,
                            through=(goroutine, helper_call) if helper_call is not None else None,
                        )
                    )
                    break
            if found is not None:
                receive, leave, case_region = found
                debug["GIM102_returned_results_abandoned"] += 1
                out.append(
                    AbandonedResult(
                        ch,
                        maker,
                        started[1],
                        sender,
                        send,
                        caller,
                        call,
                        receive,
                        leave,
                        case_region,
                        not once,
                        not in_loop(caller.facts, receive.region),
                        fan_loop=maker.facts.regions[per_round[2]].line if fanned and per_round else 0,
                        plain_loop=plain_loop,
                    )
                )
                break
    return out


def _started_through_helper(
    program: Program, maker: Function, sender: Function
) -> tuple[tuple[int, Op], Function, Op] | None:
    """(started_by of the goroutine, its function, its one call of `sender`) when the maker starts,
    on its straight line, a goroutine whose function calls the sending helper plainly, once in its
    body (`emit(out, v)` in the loop of the literal)."""
    for op in maker.facts.ops:
        if op.kind != "call" or op.mode != "go":
            continue
        number = E.funclit(op.fn)
        if number is not None:
            literal = program.literal(maker, number)
            targets = [literal] if literal is not None else []
        else:
            targets = [t.function for t in program.resolve_call(maker, op)]
        for goroutine in targets:
            calls = [c for caller, c in program.callers(sender) if caller is goroutine]
            started = started_by(program, maker, goroutine)
            if len(calls) == 1 and calls[0].mode == "plain" and started is not None and started[1] is op:
                return started, goroutine, calls[0]
    return None


def _abandoning_consumer(program: Program, taker: Function, call: Op) -> tuple[Function, Op, Op, Op] | None:
    """(consumer, the taker's call of it, the consumer's receive, its first way out before the stream
    ends) when the taker hands the stream straight to one function of the tree (`drain(ctx,
    Source(ctx))`, or `in := Source(ctx)` named only in that call) that names its parameter only to
    receive from it, once, in a loop (a `range`, or a `select` case) it can leave first."""
    facts = taker.facts
    handoff, position = None, -1
    for op in facts.ops:
        if op.kind == "call" and op is not call:
            found = next((j for j, a in enumerate(op.args) if _is_the_call(facts, a, call)), None)
            if found is not None:
                handoff, position = op, found
                break
    if handoff is None:
        local = _assigned_once_to(taker, call)
        if local is None:
            return None
        handoff, position = local
    targets = program.resolve_call(taker, handoff)
    if handoff.mode != "plain" or len(targets) != 1:
        return None
    consumer = targets[0].function
    params = consumer.facts.params
    if position >= len(params) or not params[position][0]:
        return None
    name = params[position][0]
    if consumer.nested_literals():
        # `func parse(in <-chan string) ... { go func() { for line := range in { ... return } }() }`: the
        # one goroutine literal the consumer starts reads the stream, and nothing else names it
        reader = _only_reading_goroutine(program, consumer, name)
        if reader is None:
            return None
        consumer = reader
    cfacts = consumer.facts
    receives = [o for o in cfacts.ops if o.kind == "recv" and E.is_ident(o.fn, name)]
    others = [
        o
        for o in cfacts.ops
        if _names(o, name)
        and o.kind != "recv"
        and not _binds_received(o, name)
        and E.ranged(o.args[0] if len(o.args) == 1 else None) != ("id", name)
    ]
    if len(receives) != 1 or others:
        return None
    receive = receives[0]
    if receive.mode == "range":
        leave = range_exit(program, consumer, receive)
    elif receive.mode == "case":
        leave = _select_loop_exit(cfacts, receive, name)
    else:
        return None
    return (consumer, handoff, receive, leave) if leave is not None else None


def _only_reading_goroutine(program: Program, consumer: Function, name: str) -> Function | None:
    """The one function literal of consumer, started with `go` on its straight line, when consumer's
    own statements never name its parameter `name` (only the literal, through its closure)."""
    literals = consumer.nested_literals()
    if len(literals) != 1 or literals[0].parent is not consumer:
        return None
    reader = literals[0]
    starts = [op for f, op in reader.go_sites if f is consumer]
    if len(starts) != 1 or consumer.facts.regions[starts[0].region].kind not in ("body", "block"):
        return None
    if any(_names(o, name) for o in consumer.facts.ops) or program.declaring_function(reader, name) is not consumer:
        return None
    return reader


def _assigned_once_to(taker: Function, call: Op) -> tuple[Op, int] | None:
    """(the call op, argument position) where `ch := maker()` is the call's only assignment to `ch`
    and `ch` is named nowhere else but as that one argument."""
    facts = taker.facts
    assign = next(
        (
            o
            for o in facts.ops
            if o.kind == "assign" and len(o.targets) == 1 and len(o.args) == 1 and _is_the_call(facts, o.args[0], call)
        ),
        None,
    )
    name = E.ident(assign.targets[0]) if assign is not None else None
    if assign is None or name is None or any(_names(o, name) for lit in taker.nested_literals() for o in lit.facts.ops):
        return None
    uses = [
        o
        for o in facts.ops
        if o is not assign
        and _names(o, name)
        # `records, errc := parseRecords(lines)`: the assignment names it only inside the call, an op of its own
        and not (o.kind == "assign" and o.args and all(E.op_number(a) is not None for a in o.args))
    ]
    if len(uses) != 1 or uses[0].kind != "call":
        return None
    positions = [j for j, a in enumerate(uses[0].args) if E.is_ident(a, name)]
    if len(positions) != 1 or any(name in E.idents_in(a, set()) for a in (uses[0].fn,)):
        return None
    return uses[0], positions[0]


def _select_loop_exit(facts, receive: Op, name: str) -> Op | None:
    """The first `return` inside the loop around the `select` whose case receives from `name`, not
    decided by the `ok` of that receive (`if !ok { return }` is the stream's end, not leaving early)."""
    loops = [r for r in enclosing_regions(facts, receive.region) if facts.regions[r].kind in ("for", "range")]
    if not loops:
        return None
    loop = loops[-1]
    bind = next(
        (o for o in facts.ops if o.kind == "assign" and o.line == receive.line and _binds_received(o, name)), None
    )
    ok = E.ident(bind.targets[1]) if bind is not None and len(bind.targets) == 2 else None
    for op in facts.ops:
        chain = list(enclosing_regions(facts, op.region))
        if op.kind != "return" or loop not in chain:
            continue
        deciding = chain[: chain.index(loop)]
        if ok and any(
            facts.regions[r].kind == "if" and ok in E.idents_in(facts.regions[r].info, set()) for r in deciding
        ):
            continue
        return op
    return None


def _abandoning_select(caller: Function, call: Op) -> tuple[Op, Op, int] | None:
    """(the `case` receiving the call's result, a `return` in another case of its `select`, that case)."""
    facts = caller.facts
    receive = None
    for op in facts.ops:
        if op.kind != "recv" or op.select < 0 or op.line < call.line:
            continue
        if op.line == call.line and _is_the_call(facts, op.fn, call):
            receive = op
            break
    if receive is None:
        local = _assigned_once(caller, call)
        if local is None:
            return None
        receive = local
    cases = [
        r for r, reg in enumerate(facts.regions) if reg.kind in ("case", "default") and reg.parent == receive.select
    ]
    for region in cases:
        if region == receive.body:
            continue
        leave = next(
            (o for o in facts.ops if o.kind == "return" and region in enclosing_regions(facts, o.region)), None
        )
        if leave is not None:
            return receive, leave, region
    return None


def _outnumbers(program: Program, maker: Function, go: Op, capacity: int) -> bool:
    """A fan-out loop may start more goroutines than the buffer holds beside the one value the caller
    takes: its rounds are not a constant, or more than capacity + 1."""
    rounds = fan_out_rounds(program, maker, go.region)
    return rounds is None or rounds > capacity + 1


def _abandoning_loop_receive(caller: Function, call: Op) -> tuple[Op, Op, int] | None:
    """(the plain receive, a `return` after it in its loop, that return's region) for `results :=
    h.launch(ctx, key)` named only by that receive, in a loop that returns on the first good value
    (`for range rs { r := <-results; if r.err == nil { return r.val, nil } }`): the goroutines not
    yet heard stay blocked on their sends."""
    facts = caller.facts
    receive = _assigned_once(caller, call, "plain")
    if receive is None:
        return None
    loop = next(
        (r for r in enclosing_regions(facts, receive.region) if facts.regions[r].kind in ("for", "range")), None
    )
    if loop is None:
        return None
    at = facts.ops.index(receive)
    leave = next(
        (
            o
            for o in facts.ops[at + 1 :]
            if o.kind == "return" and loop in enclosing_regions(facts, o.region) and o.region != receive.region
        ),
        None,
    )
    return (receive, leave, leave.region) if leave is not None else None


def _abandoning_range(program: Program, caller: Function, call: Op, position: int = 0) -> tuple[Op, Op] | None:
    """(the caller's `range` over the stream, its first way out before the stream ends).

    `for line := range streamLines(r) { ... return err }`, or `lines :=
    streamLines(r)` named only by that range (also beside other results, `events, err :=
    c.Watch(ctx, key)`, the stream at `position`): nothing else can receive once
    the caller has left, so the maker's goroutine waits on its next send.
    """
    facts = caller.facts
    ranged = next(
        (
            o
            for o in facts.ops
            if o.kind == "recv" and o.mode == "range" and o.line == call.line and _is_the_call(facts, o.fn, call)
        ),
        None,
    )
    if ranged is None:
        ranged = _assigned_once(caller, call, "range", position)
    if ranged is None:
        return None
    leave = range_exit(program, caller, ranged)
    return (ranged, leave) if leave is not None else None


def _assigned_once(caller: Function, call: Op, mode: str = "case", position: int = 0) -> Op | None:
    """The `case` receive from `ch` (the `range` over it, with mode "range"; a receive outside any
    `select`, with mode "plain") where `ch := maker()` is the call's only assignment to `ch` and `ch`
    is named nowhere else but that one receive."""
    facts = caller.facts
    assign = next(
        (
            o
            for o in facts.ops
            if o.kind == "assign"
            and o.line == call.line
            and len(o.targets) > position
            and (len(o.targets) == 1 or mode == "range")
            and len(o.args) == 1
            and _is_the_call(facts, o.args[0], call)
        ),
        None,
    )
    name = E.ident(assign.targets[position]) if assign is not None else None
    if assign is None or name is None:
        return None
    uses = [
        o
        for o in facts.ops
        if o is not assign
        and _names(o, name)
        and not _binds_received(o, name)
        and E.ranged(o.args[0] if len(o.args) == 1 else None) != ("id", name)
    ]
    if any(_names(o, name) for lit in caller.nested_literals() for o in lit.facts.ops):
        return None  # a literal may receive it later (`go func() { <-ch }()` on the way out)
    if len(uses) != 1 or uses[0].kind != "recv" or not E.is_ident(uses[0].fn, name):
        return None
    if (uses[0].mode == "range") != (mode == "range") or (mode == "case" and uses[0].select < 0):
        return None
    if mode == "plain" and uses[0].select >= 0:
        return None
    return uses[0]


def _is_the_call(facts, value, call: Op) -> bool:
    """value is the call op `call`: by its number among the function's ops, or written out the same."""
    number = E.call_number(value)
    if number is not None:
        return 0 <= number < len(facts.ops) and facts.ops[number] is call
    called = E.call(value)
    return called is not None and called[0] == call.fn


def _binds_received(op: Op, name: str) -> bool:
    """`r := <-ch`: the assignment of what the receive op (listed apart) takes from `name`."""
    return op.kind == "assign" and len(op.args) == 1 and E.received(op.args[0]) == ("id", name)


def _names(op: Op, name: str) -> bool:
    exprs = [e for e in (op.fn, *op.args, *op.targets) if e is not None and E.is_expr(e)]
    return any(name in E.idents_in(e, set()) for e in exprs)
