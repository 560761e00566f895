"""A goroutine's endless send loop that outlives the one loop receiving from it.

    func (w *watcher) poll() {
        for {
            w.events <- next()    // blocks forever once run has returned
        }
    }

    func (w *watcher) run() {
        for {
            select {
            case e := <-w.events:
                handle(e)
            case <-w.stop:        // run leaves; poll goes on sending
                return
            }
        }
    }

    go w.poll()
    go w.run()

The receiving loop has a way out that the sender does not take: another
`select` case (a stop channel, `ctx.Done()`, a timer), or an error return.
Once it is taken, nothing receives from the channel again. The sender's loop
never ends by itself, so whatever the buffer holds, a send finds it full or
finds no receiver, and the goroutine blocks forever.

Judged, so that the finding holds for every instance:

- the channel is an unexported struct field, made with `make`, never closed,
  and named nowhere but in sends, receives and assignments
  (`unheard._private_unbuffered_fields`, here with any buffer: an endless
  sender fills any buffer);
- every send is made by one method, plainly (outside any `select`), inside an
  endless `for {` loop, on its receiver's field; every receive by one other
  method of the same type, inside an endless `for {` loop, on its receiver's
  field, and not `v, ok := <-ch` (whose way out is most likely the close);
- the receiving loop has a `return` (or a `break` out of it, or a call that
  ends the goroutine) under a branch: a `select` case on a channel something
  sends on or closes, `ctx.Done()` or a timer, a `default`, or an `if` that
  does not test the received value (an end marker the sender sent last);
- one function starts the sender with `go x.send()` and the receiver with
  `go x.receive()` (or calls `x.receive()` after that), on the same `x`,
  outside any loop (a supervisor restarting the receiver is another shape),
  and that function is not `main` calling the receiver itself (its return ends
  the process).

Counted in `--debug` as `GIM102_outlived_receivers`; the shapes given up on
on the way as `GIM102_outlived_*`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from .. import expr as E
from ..facts import Expr, Op
from ..program import Function, Program, enclosing_regions
from .cancel import is_done_call
from .counted import _is_main
from .field_instances import _binds_ok, comma_ok
from .flow import Channel, ChannelFlow, in_loop
from .regions import FnView, deciding_region
from .stopped_timers import is_clock_receive
from .unheard import _private_unbuffered_fields
from .unpaired import ends_goroutine


@dataclass
class OutlivedReceiver:
    """The sender's endless loop goes on after the receiver's loop has left at `exit`."""

    channel: Channel
    sender: Function
    send: Op
    receiver: Function
    receive: Op
    exit: Op  # the receiver's `return`, `break` or goroutine-ending call
    branch: int  # the region deciding the exit (a case, `default` or `if`)
    starter: Function  # starts both on the same value
    sender_go: Op
    receiver_start: Op  # `go x.receive()` or the plain call after sender_go
    # The exit case written for the sender's `select`: "<-ctx.Done()", "<-w.stop" with the sender's
    # receiver name, or "" when the way out is no case the sender can share (an error, a timer).
    sender_case: str = ""
    # When `sender` is a helper the endless loop calls (`n.publish(ev)` in `watch`'s loop): (the looping
    # method, its call of the helper). The looping method is then the goroutine that was started.
    via: tuple[Function, Op] | None = None


def outlived_receivers(program: Program, flow: ChannelFlow, debug: Counter) -> list[OutlivedReceiver]:
    return _guarded(program, flow, debug, _shape, "GIM102_outlived_receivers", any_capacity=True)


def _guarded(program: Program, flow: ChannelFlow, debug: Counter, shape, counter: str, any_capacity: bool) -> list:
    """What `shape` finds on the field channels that pass the naming guard. The shape first, on every
    field channel (cheap); the guard, which reads every op of the program, only when some channel has it."""
    shaped = {}
    for key, ch in flow.channels.items():
        if not key.startswith("field:") or not ch.sends or not ch.receives or not ch.make_sites:
            continue
        seen = _production_side(ch)
        if not seen.closes:
            found = shape(program, flow, seen, debug)
            if found is not None:
                shaped[id(ch)] = found
    if not shaped:
        return []
    out = []
    # Closes were judged by the shape, on the production side (a test may close its own instance's).
    chans = _private_unbuffered_fields(
        program, flow, lambda c: id(c) in shaped, debug, closes_ok=True, any_capacity=any_capacity
    )
    for ch in chans:
        debug[counter] += 1
        out.append(shaped[id(ch)])
    return out


def _production_side(ch: Channel) -> Channel:
    """The channel as production code uses it: a test's sends and receives (on an instance it built
    itself) are no partner of production code, and the field's name is shared by every instance."""

    def prod(ops: list) -> list:
        return [(f, op) for f, op in ops if not f.file.is_test]

    if not prod(ch.sends) or not prod(ch.receives):
        return ch  # a channel of tests, or one side only in tests: judged as it is
    return replace(ch, sends=prod(ch.sends), receives=prod(ch.receives), closes=prod(ch.closes))


def _one_method(ops: list) -> Function | None:
    """The one method (not a literal) making every op of `ops`, else None."""
    fns = {id(f): f for f, _op in ops}
    if len(fns) != 1:
        return None
    fn = next(iter(fns.values()))
    return fn if fn.parent is None and fn.facts.recv and fn.facts.recv_name not in ("", "_") else None


def _on_receiver(fn: Function, op: Op) -> bool:
    """The op's channel is a field of fn's own receiver (`w.events` in a method on `w`)."""
    sel = E.selector(op.fn)
    return sel is not None and E.is_ident(sel[0], fn.facts.recv_name)


def _endless_loop(fn: Function, op: Op, program: Program | None = None) -> int | None:
    """The outermost `for {` loop (no condition) around op, else None. With `program`, a `for range
    t.C` over a ticker's channel counts too: nothing closes it, so the loop never ends by itself."""
    facts = fn.facts
    endless = [
        r
        for r in enclosing_regions(facts, op.region)
        if (facts.regions[r].kind == "for" and facts.regions[r].info is None)
        or (program is not None and facts.regions[r].kind == "range" and _ranges_over_ticker(program, fn, r))
    ]
    return endless[-1] if endless else None


def _ranges_over_ticker(program: Program, fn: Function, region: int) -> bool:
    """The `range` loop at region is over a clock channel (`for range t.C` of a ticker)."""
    return any(
        o.kind == "recv" and o.mode == "range" and o.body == region and is_clock_receive(program, fn, o)
        for o in fn.facts.ops
    )


def _shape(program: Program, flow: ChannelFlow, ch: Channel, debug: Counter) -> OutlivedReceiver | None:
    sender, receiver = _one_method(ch.sends), _one_method(ch.receives)
    if sender is None or receiver is None or sender is receiver or sender.facts.recv != receiver.facts.recv:
        return None
    sends = [op for _f, op in ch.sends]
    receives = [op for _f, op in ch.receives]
    if any(op.select >= 0 or not _on_receiver(sender, op) for op in sends):
        return None
    via = None
    if any(_endless_loop(sender, op, program) is None for op in sends):
        via = _looping_caller(program, sender, receiver)
        if via is None or any(
            sender.facts.regions[r].kind in ("for", "range")
            for op in sends
            for r in enclosing_regions(sender.facts, op.region)
        ):
            return None
    looper = via[0] if via is not None else sender
    if any(
        op.mode not in ("case", "expr") or not _on_receiver(receiver, op) or _endless_loop(receiver, op) is None
        for op in receives
    ):
        return None
    facts = receiver.facts
    if any(comma_ok(facts, op) if op.mode == "case" else _binds_ok(facts, op) for op in receives):
        return None
    loops = {_endless_loop(receiver, op) for op in receives}
    if len(loops) != 1:
        return None
    loop = loops.pop()
    assert loop is not None
    found = _exit(program, flow, receiver, loop, receives, debug)
    if found is None:
        return None
    exit_op, branch, leave_on = found
    sender_case = _sender_case(looper, receiver, leave_on)
    start = _started_together(program, looper, receiver) or _started_by_receiver(program, looper, receiver, loop)
    if start is None:
        debug["GIM102_outlived_not_started_together"] += 1
        return None
    starter, sender_go, receiver_start = start
    send = min(sends, key=lambda op: (op.line, op.col))
    receive = min(receives, key=lambda op: (op.line, op.col))
    return OutlivedReceiver(
        ch, sender, send, receiver, receive, exit_op, branch, starter, sender_go, receiver_start, sender_case, via
    )


def _looping_caller(program: Program, sender: Function, receiver: Function) -> tuple[Function, Op] | None:
    """(the method, its call) when the sending method's only caller is another method of its type,
    not the receiver, calling it on its own receiver (`n.publish(ev)`) plainly inside an endless
    loop: that method's loop is the one that goes on sending."""
    callers = program.callers(sender)
    if len(callers) != 1:
        return None
    caller, call = callers[0]
    if caller is receiver or caller.parent is not None or caller.facts.recv != sender.facts.recv:
        return None
    if call.mode != "plain" or not _on_receiver(caller, call) or _endless_loop(caller, call, program) is None:
        return None
    return caller, call


def _started_by_receiver(program: Program, looper: Function, receiver: Function, loop: int):
    """(receiver, its `go x.send()`, that same op) when the receiving method starts the sender itself
    on its own receiver (`go n.watch()`), outside any loop, before its receive loop; None otherwise."""
    facts = receiver.facts
    for op in facts.ops:
        if op.kind != "call" or op.mode != "go" or in_loop(facts, op.region) or not _on_receiver(receiver, op):
            continue
        if op.line < facts.regions[loop].line and any(t.function is looper for t in program.resolve_call(receiver, op)):
            return receiver, op, op
    return None


@dataclass
class LateSend:
    """A method's one plain send on a field channel whose only receiving loop may have left."""

    channel: Channel
    sender: Function
    send: Op
    receiver: Function
    receive: Op
    exit: Op
    branch: int
    go: tuple  # (function, `go` op) starting the receiver
    sender_case: str = ""


def late_sends(program: Program, flow: ChannelFlow, debug: Counter) -> list[LateSend]:
    """`func (s *Sub) Unsubscribe() { s.unsub <- struct{}{} }` while `go s.loop()` can return on its
    own (the subscription's error, a context, a timer): called after that, the send blocks forever.

    The channel is unexported, unbuffered, never closed and named nowhere but in sends, receives and
    assignments; every receive is in one method's endless `for {` loop, started with `go`; every
    send is a plain send by another method of the type, on its receiver's field, in no loop, and that
    method is not called by the receiving one. The loop's way out (in the channel's own case only
    under a test: a `return` straight after a receive answers that send) is one it takes by itself
    (`_spontaneous`): leaving on a shutdown signal its owner gives (a context, its own quit channel)
    makes a later send the caller's mistake. Counted in `--debug` as `GIM102_late_sends`."""
    return _guarded(program, flow, debug, _late_shape, "GIM102_late_sends", any_capacity=False)


def _late_shape(program: Program, flow: ChannelFlow, ch: Channel, debug: Counter) -> LateSend | None:
    if ch.capacity != 0:
        return None
    receiver = _one_method(ch.receives)
    if receiver is None:
        return None
    receives = [op for _f, op in ch.receives]
    facts = receiver.facts
    if any(op.mode not in ("case", "expr") or not _on_receiver(receiver, op) for op in receives):
        return None
    if any(comma_ok(facts, op) if op.mode == "case" else _binds_ok(facts, op) for op in receives):
        return None
    once = None  # a single `select`, in no loop, whose other case returns: the one chance to receive
    if any(_endless_loop(receiver, op) is None for op in receives):
        once = _select_once(program, flow, receiver, receives)
        if once is None:
            return None
    senders = {id(f): f for f, _op in ch.sends}
    for f, op in ch.sends:
        if f is receiver or f.parent is not None or f.facts.recv != facts.recv or op.select >= 0:
            return None
        if not _on_receiver(f, op) or any(
            f.facts.regions[r].kind in ("for", "range") for r in enclosing_regions(f.facts, op.region)
        ):
            return None
    if any(c is receiver for f in senders.values() for c, _op in program.callers(f)):
        return None  # the loop itself sends, through the method: another shape
    go = next(((c, op) for c, op in program.callers(receiver) if op.mode == "go"), None)
    if go is None:
        return None
    if once is not None:
        found = once
    else:
        loops = {_endless_loop(receiver, op) for op in receives}
        if len(loops) != 1:
            return None
        loop = loops.pop()
        assert loop is not None
        found = _exit(program, flow, receiver, loop, receives, debug, spontaneous=True)
    if found is None:
        return None
    exit_op, branch, leave_on = found
    sender, send = min(ch.sends, key=lambda s: (s[0].file.path, s[1].line))
    receive = min(receives, key=lambda op: (op.line, op.col))
    return LateSend(ch, sender, send, receiver, receive, exit_op, branch, go, _sender_case(sender, receiver, leave_on))


def _select_once(program: Program, flow: ChannelFlow, fn: Function, receives: list):
    """(the `return` in another case, that case, its channel) for the one receive, a `case` of a
    `select` in no loop, when another case of that select returns on a channel something signals."""
    if len(receives) != 1 or receives[0].mode != "case":
        return None
    facts = fn.facts
    receive = receives[0]
    if any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, receive.region)):
        return None
    for other in facts.ops:
        if other.kind != "recv" or other.select != receive.select or other is receive:
            continue
        if not _signalled(program, flow, fn, other.fn) or not _spontaneous(flow, fn, other.fn):
            continue
        leave = next(
            (o for o in facts.ops if o.kind == "return" and other.body in enclosing_regions(facts, o.region)), None
        )
        if leave is not None:
            return leave, other.body, other.fn
    return None


def _exit(
    program: Program,
    flow: ChannelFlow,
    fn: Function,
    loop: int,
    receives: list,
    debug: Counter,
    spontaneous: bool = False,
):
    """(the first way out of the receiving loop, the branch deciding it, the channel of that branch's
    `case` or None) that some run can take while the sender goes on; None when there is none.
    spontaneous: only ways out the loop takes by itself (`_spontaneous`)."""
    facts = fn.facts
    view = FnView(fn)
    bound = _received_names(facts, receives)
    cases = {op.body: op for op in facts.ops if op.kind == "recv" and op.select >= 0}
    for op in facts.ops:
        chain = list(enclosing_regions(facts, op.region))
        if loop not in chain:
            continue
        leaves = (
            op.kind == "return"
            or op.kind == "jump"
            and op.mode == "break"
            and _leaves(view, op, facts, loop)
            or op.kind == "call"
            and op.mode == "plain"
            and ends_goroutine(program, fn, op) is not None
        )
        if not leaves:
            continue
        inner = chain[: chain.index(loop)]
        branch = deciding_region(facts, op.region, loop)
        if branch < 0 or facts.regions[branch].kind in ("for", "range"):
            continue  # every round leaves, or only an inner loop's round: not a way out taken at times
        if any(bound & E.idents_in(facts.regions[r].info, set()) for r in inner if _tests(facts, r)):
            debug["GIM102_outlived_exits_on_the_received_value"] += 1
            continue  # the value decides: an end marker the sender may send last
        case = next((cases[r] for r in inner if r in cases), None)
        if case is not None and any(case is r for r in receives):
            if _after_the_value_only(facts, op, case):
                continue
        leave_on = None
        if case is not None and not any(case is r for r in receives):
            if not _signalled(program, flow, fn, case.fn):
                debug["GIM102_outlived_exit_cases_never_signalled"] += 1
                continue
            leave_on = case.fn
        if spontaneous and (
            not _spontaneous(flow, fn, leave_on) or (case is not None and comma_ok(facts, case))
        ):  # `v, ok := <-in; if !ok { return }`: a closed input is its owner's doing too
            debug["GIM102_late_sends_after_a_shutdown_signal"] += 1
            continue
        return op, branch, leave_on
    return None


def _spontaneous(flow: ChannelFlow, fn: Function, leave_on: Expr | None) -> bool:
    """A way out the loop takes by itself, not one its owner gives to shut it down: a `return` on an
    error (no case), a subscription's `Err()`, a timer, an input channel that is not the type's own.
    A context's `Done()` and a channel field of the receiver (`quit`, `done`, an input its own methods
    close) are shutdown signals; a send made after shutdown is the caller's mistake, not a race."""
    if leave_on is None or _is_err_call(leave_on):
        return True
    if is_done_call(leave_on):
        return False
    sel = E.selector(leave_on)
    if sel is not None and E.is_ident(sel[0], fn.facts.recv_name):
        return False
    key = flow.key(fn, leave_on)  # `queueCh := pc.queueCh` before the loop: still the type's own
    return not (key is not None and key.startswith(f"field:{fn.pkg.path}#{fn.facts.recv}."))


def _sender_case(sender: Function, receiver: Function, leave_on: Expr | None) -> str:
    """The receiver's exit case as the sender would write it in a `select` on its send."""
    if leave_on is None:
        return ""
    if is_done_call(leave_on):
        return "<-ctx.Done()"
    sel = E.selector(leave_on)
    if sel is not None and E.is_ident(sel[0], receiver.facts.recv_name) and sel[1] != "C":
        return f"<-{sender.facts.recv_name}.{sel[1]}"
    return ""


def _leaves(view: FnView, op: Op, facts, loop: int) -> bool:
    target = view.jump_target(op)
    return target is not None and target in enclosing_regions(facts, loop)


def _tests(facts, region: int) -> bool:
    """The region is a branch whose condition is an expression (`if`, `else`, a switch case)."""
    reg = facts.regions[region]
    return reg.kind in ("if", "else", "block") and reg.info is not None and E.is_expr(reg.info)


def _after_the_value_only(facts, exit_op: Op, case: Op) -> bool:
    """An exit straight in the body of the channel's own case, under no test: every value received
    ends the loop, so the receiver takes one value at a time and the sender is the loop's partner
    for one round only (a one-shot receiver, judged elsewhere)."""
    for r in enclosing_regions(facts, exit_op.region):
        if r == case.body:
            return True
        if facts.regions[r].kind != "block":
            return False
    return False


def _received_names(facts, receives: list) -> set:
    """The names the receives bind (`e := <-w.events`, `case e := <-w.events:`)."""
    names: set = set()
    for op in facts.ops:
        if op.kind != "assign" or len(op.args) != 1:
            continue
        value = E.received(op.args[0])
        if value is not None and any(value == r.fn for r in receives):
            for t in op.targets:
                name = E.ident(t)
                if name and name != "_":
                    names.add(name)
    return names


def _signalled(program: Program, flow: ChannelFlow, fn: Function, chan) -> bool:
    """The exit case's channel is closed, sent on, or cancelled by something the model sees: a
    context's `Done()`, a `time` channel, or a channel the flow knows to have a sender or a close."""
    if is_done_call(chan):
        return True
    if _is_err_call(chan):
        return True  # `sub.Err()`: the channel a subscription sends on or closes when it ends
    called = E.call(chan)
    if called is not None:
        ext = program.external_callee(fn, called[0])
        return ext is not None and ext.pkg == "time"
    sel = E.selector(chan)
    if sel is not None and sel[1] == "C":
        return True  # a timer's or ticker's channel
    key = flow.key(fn, chan)
    found = flow.channels.get(key) if key is not None else None
    return found is not None and bool(found.sends or found.closes)


def _is_err_call(chan) -> bool:
    called = E.call(chan)
    return called is not None and not called[1] and E.selected_name(called[0]) == "Err"


def _started_together(program: Program, sender: Function, receiver: Function):
    """(the function, its `go x.send()`, its `go x.receive()` or later `x.receive()`) for one function
    starting both on the same `x`, outside any loop; None when no function does."""
    receiver_calls: dict[int, list[Op]] = {}
    for caller, op in program.callers(receiver):
        receiver_calls.setdefault(id(caller), []).append(op)
    for caller, go in program.callers(sender):
        if go.mode != "go" or id(caller) not in receiver_calls:
            continue
        facts = caller.facts
        base = _call_base(go)
        if base is None or in_loop(facts, go.region):
            continue
        at = facts.ops.index(go)
        for op in receiver_calls[id(caller)]:
            if _call_base(op) != base or in_loop(facts, op.region):
                continue
            if op.mode == "go" or op.mode == "plain" and facts.ops.index(op) > at and not _is_main(caller):
                return caller, go, op
    return None


def _call_base(op: Op):
    sel = E.selector(op.fn)
    return sel[0] if sel is not None else None
