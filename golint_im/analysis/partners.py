"""Forgotten senders: goroutines that send on a channel whose only receiver can leave first.

The shape: a function makes a channel, starts goroutines (`go func(){...}()`
or `go f(ch)`) that send on it, and receives from it itself, but on some
path it returns before that receive: a `select` case on `ctx.Done()`, a
timer, `default`, or an early `return` on an error (or what leaves like a
`return`: `t.Fatal`, `runtime.Goexit`, a recovered `panic`, a `break` out of
the receive loop with nothing received after it). A sender started before
that exit, on its path, that has not delivered by then waits forever, unless
the buffer still has room for it.

Only channels whose whole life is visible are judged: made once in one
function with a constant capacity, received only by that function's own
statements, sent on only by goroutines it starts with `go`, and never handed
anywhere else (returned, stored, passed to code outside the analysed tree).
Everything else is silence, counted in `debug` by the reason it was given up.

On the same channels, `unpaired.py` (`Partners.unpaired`) finds the other
side missing: a range nobody closes, a send skipped on a return, a nil
channel.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from .. import expr as E
from ..facts import Op
from ..passes import Budget, Context, Pass
from ..program import Function, Program, enclosing_regions
from .abandoned import abandoned_waiters
from .cancel import done_case_context, is_done_call
from .counted import (
    counted_channels,
    dropped_signals,
    local_quits_after_exit,
    loop_started_senders,
    outnumbered_per_round,
    outnumbered_receives,
    overdrawn_selects,
    self_overflows,
    stalled_stages,
    undersignalled_waiters,
)
from .dead_defers import dead_deferred_closes
from .deserted_subscribers import deserted_subscribers
from .dropped_calls import (
    abandoned_pending_calls,
    dropped_pending_calls,
    dropped_taken_replies,
    replies_skipped_on_a_test,
)
from .dropped_subscriptions import dropped_subscriptions, unclosed_deletes
from .empty_selects import parked_on_branches, parked_with_nothing_running
from .endless import ineffective_breaks, nilled_selects
from .endless_ranges import endless_range_waits, synchronous_endless_ranges
from .exits import PROCESS, call_exit
from .fanned_fields import fanned_field_senders
from .field_instances import FieldInstances
from .flow import CHANNEL_FLOW, Channel, ChannelFlow, _ops_under, child_regions, innermost_loop
from .hedged import hedged_senders
from .instances import Confinement, instance_bindings, is_instance, local_instances
from .missing_partners import missing_partners
from .never_cancelled import dead_context_waits
from .never_stopped import local_never_stopped
from .one_shot import received_again
from .outlived import late_sends, outlived_receivers
from .pipes import abandoned_pipes, waits_before_reading
from .recovery import Recovery
from .regions import REGIONS, Regions, exclusive_branches, fan_out_rounds, on_straight_line
from .replies import (
    abandoned_replies,
    skipped_handler_replies,
    skipped_paired_replies,
    skipped_pending_replies,
    skipped_registered_replies,
    skipped_replies,
    skipped_reply_channels,
)
from .returned_results import abandoned_results
from .self_receives import SelfReceive, self_receives
from .self_shutdown import self_shutdowns
from .send_first import send_first_exchanges
from .short_workers import short_workers
from .silent_futures import silent_futures
from .skipped_cancels import skipped_cancels
from .stopped_timers import is_clock_receive
from .syncprims import WAITGROUP
from .unclosed_implementations import unclosed_implementations
from .unguarded import UnguardedSend, unguarded_sends
from .unheard import lone_goroutine_ops, unheard_field_sends, unheard_sends
from .unpaired import Unpaired, ends_goroutine, exits_process

UNBOUNDED = -1  # a sender count nobody can bound (a `go` or a send in a loop)
# Up to this many `go` statements on one channel, two on exclusive branches count as one sender
# (the check is quadratic in them); beyond it every one counts.
MAX_EXCLUSIVE_STARTS = 16


def _condition_variable(cond) -> tuple[str | None, Callable[[object], bool]]:
    """(the variable a loop condition tests, whether an assigned value keeps the condition true)
    for `x == nil`, `x != nil`, `!x` and `x`; (None, ...) for any other condition."""
    b = E.binary(cond)
    if b is not None and b[0] in ("==", "!=") and E.is_nil(b[2]) and E.ident(b[1]):
        if b[0] == "==":
            return E.ident(b[1]), E.is_nil
        return E.ident(b[1]), lambda v: not E.is_nil(v) and E.is_expr(v) and v[0] in ("comp", "un", "call")
    negated = E.unary_operand(cond, "!")
    if negated is not None and E.ident(negated):
        return E.ident(negated), lambda v: E.is_expr(v) and v[0] == "lit" and v[1] == "false"
    if E.ident(cond):
        return E.ident(cond), E.is_true
    return None, E.is_true


@dataclass
class Exit:
    """A way out of the receiving function that skips the receive: a `return`, or one of the
    early exits of `_early_exit` (a call ending the goroutine, a recovered panic, a `break` out
    of the receive loop with no receive after it)."""

    op: object  # the return Op, the call Op (`t.Fatal(...)`, `panic(...)`) or the `break` Op
    region: int  # the region that decides it: a select case, default, if or else (-1: none)
    after_receive: bool  # in the receive's loop, after it: one receive may have happened
    # "return", "fatal" (t.Fatal...), "goexit" (runtime.Goexit), "panic", "break" or "condition" (an
    # assignment that makes the receive loop's condition false)
    how: str = "return"
    senders: int = 0  # senders started before the exit on its path and not heard on it (UNBOUNDED: a loop)
    # for "panic": (the function whose deferred recover() catches it, True: a net/http handler the server recovers)
    recovered: tuple[Function, bool] | None = None
    # No `return`: a `select` case that runs on to the end of the function (op is a stand-in
    # `return` at the function's closing line).
    falls_off: bool = False


@dataclass
class StuckSend:
    channel: Channel
    owner: Function  # makes the channel, starts the senders, receives
    go_op: object  # the `go` statement that starts the sender
    sender: Function  # the function that sends (the goroutine, or what it calls)
    send: object  # the send Op
    path: tuple  # calls from the goroutine to the send (caller, op, callee, via)
    senders: int  # goroutines that may send (UNBOUNDED)
    exit: Exit
    receive: object  # the receive Op the exit skips
    # The receiving side is a helper owner calls with the channel (`wait(ctx, ch)`): the helper,
    # and owner's call into it. The exit and the receive are then the helper's.
    helper: Function | None = None
    helper_call: object = None
    # The receiving function defers `close` of the channel: the late send panics instead of blocking.
    closed_on_exit: bool = False
    # How the goroutine repeats its send: "endless" (`for {`: no buffer holds all it sends),
    # "counted" (a loop with a condition or a range: its count of sends), "" (once).
    send_loop: str = ""

    @property
    def waiter(self) -> Function:
        """The function that returns without receiving: the helper, or owner itself."""
        return self.helper or self.owner


class Partners:
    def __init__(self, program: Program, flow: ChannelFlow, budget: Budget, regions: Regions):
        self.program = program
        self.flow = flow
        self.budget = budget
        self.regions = regions
        self.recovery = Recovery(program)
        self.debug: Counter = Counter()
        self.stuck: list[StuckSend] = []
        self.confinement = Confinement(program)
        self._assigned: dict[int, dict[str, list[int]]] = {}
        self._after_sends: dict[tuple, set] = {}  # (id(go op), channel key) -> _closed_after_sends
        for key in sorted(flow.channels):
            self._keep(self._judge(flow.channels[key]))
        # Channels the holder view merged with others (a worker started with several makers'
        # channels) or could not judge (a helper receives): judged again one instance at a time.
        reported = {s.channel.key for s in self.stuck}
        unsized: list[tuple[Channel, Function, str]] = []
        instances = local_instances(program, flow, self.confinement, reported, self.debug, unsized=unsized)
        self.debug["GIM102_instances"] += len(instances)
        for ch, owner, _name in instances:
            self._keep(self._judge_instance(ch, owner))
        senders = partial(self._senders, spawners=True)
        self.unpaired = Unpaired(program, flow, self._confined, senders, self.debug, instances)
        # Channels in struct fields, one locally allocated instance at a time (field_instances.py).
        self.fields = FieldInstances(program, self.unpaired, budget, self.debug)
        self.unpaired.unclosed.extend(u for u in self.fields.unclosed if u.owner.id not in budget.cut)
        self.unpaired.skipped.extend(k for k in self.fields.skipped if k.owner.id not in budget.cut)
        # A struct of result channels whose goroutine can return answering on none (silent_futures.py).
        self.unpaired.skipped.extend(
            k for k in silent_futures(program, flow, self.debug) if k.owner.id not in budget.cut
        )
        self.abandoned_field_senders = [a for a in self.fields.abandoned if a.owner.id not in budget.cut]
        self.unheard_field_senders = [a for a in self.fields.unheard_senders if a.owner.id not in budget.cut]
        # The same fan-out on a field channel by class, started by the method that alone receives (fanned_fields.py).
        told = {id(a.send) for a in self.unheard_field_senders}
        self.unheard_field_senders.extend(
            f
            for f in fanned_field_senders(program, flow, self.debug)
            if id(f.send) not in told and f.owner.id not in budget.cut
        )
        self.overfilled_fields = [a for a in self.fields.overfilled if a.owner.id not in budget.cut]
        # Local channels nothing receives from at all (unheard.py).
        self.unheard = [
            u for u in unheard_sends(flow, self._confined, self._senders, self.debug) if u.owner.id not in budget.cut
        ]
        self.unheard_fields = unheard_field_sends(program, flow, self.debug)
        self.lone = lone_goroutine_ops(program, flow, self._confined, self.debug)
        # Waits on the Done channel of a context nothing can cancel (never_cancelled.py).
        self.dead_context_waits = dead_context_waits(program, self.debug)
        # Goroutines waiting on a release their starter returns before (abandoned.py).
        self.abandoned = abandoned_waiters(program, flow, self.debug)
        # Field channels whose every receiver must first complete a send on the same field (send_first.py).
        self.send_first = [x for x in send_first_exchanges(program, flow, self.debug) if x.fn.id not in budget.cut]
        # A deferred close after which the function loops for ever (dead_defers.py).
        self.dead_closes = [d for d in dead_deferred_closes(program, flow, self.debug) if d.fn.id not in budget.cut]
        # Workers that can drop an item while their coordinator counts one result per item (short_workers.py).
        self.short_workers = [w for w in short_workers(program, flow, self.debug) if w.owner.id not in budget.cut]
        # Waits for a goroutine's end signal that follows its range over a channel nothing closes.
        self.endless_range_waits = endless_range_waits(program, flow, self.debug)
        self.synchronous_endless_ranges = [
            r for r in synchronous_endless_ranges(program, flow, self.debug) if r.ranger.id not in budget.cut
        ]
        # `select {}` on a branch of a function that otherwise returns on its context's Done.
        self.parked_on_branches = parked_on_branches(program, self.debug)
        # A context whose only cancel a method can skip while a goroutine waits on it (skipped_cancels.py).
        self.skipped_cancels = [c for c in skipped_cancels(program, self.debug) if c.waiter.id not in budget.cut]
        # A subscriber's channel an unsubscribe deletes from its broker's map without closing it.
        self.dropped_subscriptions = dropped_subscriptions(program, self.debug)
        # A hub's delete of a client that skips the close its other deletes make (dropped_subscriptions.py).
        self.unclosed_deletes = [u for u in unclosed_deletes(program, self.debug) if u.fn.id not in budget.cut]
        # An implementation leaving open the output channel every other implementation closes.
        self.unclosed_implementations = unclosed_implementations(program, self.debug, flow)
        # A subscriber's loop that can give up while another function keeps sending to it plainly.
        self.deserted_subscribers = deserted_subscribers(program, self.debug)
        # `select {}` keeping main alive for a goroutine that the branch taken never started.
        self.parked_with_nothing_running = parked_with_nothing_running(program, self.debug)
        # A one-shot result channel a function returns, abandoned by its caller's select (returned_results.py).
        self.abandoned_results = [
            r for r in abandoned_results(program, flow, self.unpaired, self.debug) if r.maker.id not in budget.cut
        ]
        # An endless send loop outliving the one loop that receives from it (outlived.py).
        self.outlived = [o for o in outlived_receivers(program, flow, self.debug) if o.sender.id not in budget.cut]
        self.late_sends = [o for o in late_sends(program, flow, self.debug) if o.sender.id not in budget.cut]
        # A one-shot channel received from again after a `continue` skipped its renewal (one_shot.py).
        self.received_again = [r for r in received_again(program, self.debug) if r.fn.id not in budget.cut]
        # `break` in a select case, the only way meant out of an endless loop (endless.py).
        self.ineffective_breaks = ineffective_breaks(program, self.debug)
        # An endless loop's select whose channels are all set to nil once closed (endless.py).
        self.nilled_selects = nilled_selects(program, self.debug)
        # A handler waiting for its own server's Shutdown (self_shutdown.py).
        self.self_shutdowns = self_shutdowns(program, self.debug)
        # A plain send among sends on the same channel guarded with a way out (unguarded.py).
        self.unguarded: list[UnguardedSend] = unguarded_sends(flow, self.debug)
        # Waiters for a goroutine whose only way out is a stop signal nobody gives (never_stopped.py).
        self.never_stopped = local_never_stopped(program, instances, self.debug)
        self.never_stopped.extend(n for n in self.fields.never if n.owner.id not in budget.cut)
        # Sends outnumbering what the one receiver takes (counted.py), on instances not reported above.
        stuck = {s.channel.key for s in self.stuck}
        fresh = [i for i in instances if i[0].key not in stuck and i[1].id not in budget.cut]
        self.early_leaves, self.short_locals = counted_channels(program, fresh, self.debug)
        # A function overfilling a buffered local channel only it receives from (counted.py).
        self.self_overflows = [
            o
            for o in self_overflows(program, flow, self.confinement, self.debug, instances)
            if o.owner.id not in budget.cut and o.channel.key not in stuck
        ]
        self.early_leaves.extend(e for e in self.fields.early if e.owner.id not in budget.cut)
        # Partners started only on some paths (missing_partners.py).
        # (a skipped start strands a receive whatever the buffer: `make(chan T, len(xs))` counts too)
        unsized_fresh = [i for i in unsized if i[0].key not in stuck and i[1].id not in budget.cut]
        self.unstarted_receivers, self.skipped_starts = missing_partners(program, fresh + unsized_fresh, self.debug)
        # Requests whose reply the server loop can skip (replies.py).
        self.skipped_replies = (
            skipped_replies(flow, self.debug)
            + skipped_reply_channels(flow, self.debug)
            + skipped_handler_replies(flow, self.debug)
            + skipped_pending_replies(program, self.debug)
            + skipped_registered_replies(flow, self.debug)
            + skipped_paired_replies(flow, self.debug)
        )
        # Replies whose requester can give up on them in a `select` (replies.py).
        told = {id(a.send) for a in self.fields.abandoned}  # the instance view said it already
        self.abandoned_replies = [r for r in abandoned_replies(flow, self.debug) if id(r.reply) not in told]
        self.quit_after_exit = local_quits_after_exit(program, fresh)
        self.stalled_stages = stalled_stages(program, fresh)
        # An endless loop's select going back to wait on a goroutine that sent its one value (counted.py).
        self.overdrawn_selects = [o for o in overdrawn_selects(program, fresh) if o.owner.id not in budget.cut]
        # Writers to a pipe whose reader returned from its read loop without closing it (pipes.py).
        self.abandoned_pipes = [a for a in abandoned_pipes(program, self.debug) if a.owner.id not in budget.cut]
        # A goroutine receiving from a channel only it sends on (self_receives.py).
        self.self_receives: list[SelfReceive] = [
            r for r in self_receives(program, flow, self.debug) if r.root.id not in budget.cut
        ]
        # `cmd.Wait()` before reading the command's StdoutPipe (pipes.py).
        self.waits_before_reading = [
            w for w in waits_before_reading(program, self.debug) if w.owner.id not in budget.cut
        ]
        # A wait for a value its one sender drops unless the wait has begun (counted.py).
        self.dropped_signals = [d for d in dropped_signals(program, fresh) if d.owner.id not in budget.cut]
        self.dropped_signals.extend(d for d in self.fields.dropped if d.owner.id not in budget.cut)
        reported = {e.channel.key for e in self.early_leaves} | {r.channel.key for r in self.short_locals}
        self.outnumbered = [o for o in outnumbered_receives(program, fresh) if o.channel.key not in reported]
        self.outnumbered_rounds = [o for o in outnumbered_per_round(program, fresh) if o.channel.key not in reported]
        # One goroutine per round of a loop, each sending once, outnumbering the receives (counted.py).
        self.loop_started = [o for o in loop_started_senders(program, fresh) if o.channel.key not in reported]
        # A request before a select loop and a hedge in another case, one answer awaited (hedged.py).
        self.hedged = [h for h in hedged_senders(program, fresh, self.debug) if h.channel.key not in reported]
        # A pending call deleted from the map its answer comes through, and not answered (dropped_calls.py).
        self.dropped_calls = [d for d in dropped_pending_calls(program, self.debug) if d.sender.id not in budget.cut]
        # A pending reply channel taken out of its map by a helper and dropped by one caller (dropped_calls.py).
        self.dropped_taken = [d for d in dropped_taken_replies(program, self.debug) if d.dropper.id not in budget.cut]
        # A reply the dispatcher skips on a test of the message that its waiter makes too (dropped_calls.py).
        self.tested_replies_skipped = [
            s for s in replies_skipped_on_a_test(program, self.debug) if s.dispatcher.id not in budget.cut
        ]
        # A reader returning with calls still pending in the map it answers through (dropped_calls.py).
        self.abandoned_pending = [
            a for a in abandoned_pending_calls(program, self.debug) if a.reader.id not in budget.cut
        ]
        # One value sent where several goroutines each wait for one (counted.py).
        self.undersignalled = [u for u in undersignalled_waiters(program, fresh) if u.channel.key not in reported]
        self.undersignalled.extend(u for u in self.fields.undersignalled if u.owner.id not in budget.cut)
        self.quit_after_exit.extend(q for q in self.fields.quit_after_exit if q.owner.id not in budget.cut)

    def _keep(self, found: StuckSend | None) -> None:
        # A channel whose owner's budget ran out was judged on part of its senders: no finding.
        if found is None or found.owner.id in self.budget.cut:
            return
        if found.helper is None and found.exit.how == "return" and found.owner.is_main:
            # `main` returning ends the process, and every goroutine with it: nothing is left blocked.
            self.debug["GIM102_senders_left_when_main_returns"] += 1
            return
        if found.helper is None and _exit_on_own_test_context(found):
            # `case <-t.Context().Done():` in the test function t belongs to: that context is
            # cancelled only once the test function has returned, so this case never runs first.
            self.debug["GIM102_exits_on_the_running_test_context"] += 1
            return
        if not found.channel.closes and _exit_only_on_close(found):
            # `v, ok := <-ch; if !ok { return }` on a channel nothing closes: that exit never runs.
            self.debug["GIM102_exits_on_a_close_that_never_comes"] += 1
            return
        if found.helper is None and _exit_after_the_senders_are_done(self.program, found):
            # `case <-finished:` where `go func() { wg.Wait(); close(finished) }()` and each sender
            # is counted before its `go` and done after its send: the case runs only once no send waits.
            self.debug["GIM102_exits_after_the_senders_are_done"] += 1
            return
        self.stuck.append(found)

    # ---- which channels can be judged ----------------------------------------------
    def _judge(self, ch: Channel) -> StuckSend | None:
        if not ch.sends:
            return None
        if len(ch.make_sites) != 1 or ch.capacity is None:
            self.debug["GIM102_channels_unknown_capacity"] += 1
            return None
        owner = ch.make_sites[0][0]
        name = self.flow.label(ch.key)
        if ch.key != f"local:{owner.id}:{name}":
            self.debug["GIM102_channels_not_local"] += 1
            return None
        if not ch.receives or any(fn is not owner for fn, _op in ch.receives):
            self.debug["GIM102_channels_received_elsewhere"] += 1
            return None
        starts = self._senders(owner, ch, spawners=True)
        if starts is None:
            self.debug["GIM102_channels_sent_elsewhere"] += 1
            return None
        if not self._confined(owner, name, 0):
            self.debug["GIM102_channels_escaping"] += 1
            return None
        return self._skipped_receive(ch, owner, starts)

    def _judge_instance(self, ch: Channel, owner: Function) -> StuckSend | None:
        """The forgotten-sender judgement of one instance (see instances.py): its receives all
        in owner, its sends all in goroutines owner starts."""
        if not ch.sends or not ch.receives:
            return None
        if any(fn is owner for fn, _op in ch.sends):
            self.debug["GIM102_instances_sent_elsewhere"] += 1
            return None  # owner sends itself: not only goroutines it starts (and no walk needed to know)
        if all(op.select >= 0 for _fn, op in ch.sends):
            self.debug["GIM102_sends_in_select"] += 1
            return None
        receivers = {fn.id for fn, _op in ch.receives}
        if owner.id not in receivers and len(receivers) != 1:
            self.debug["GIM102_instances_received_elsewhere"] += 1
            return None
        starts = self._senders(owner, ch, spawners=True)
        if starts is None:
            self.debug["GIM102_instances_sent_elsewhere"] += 1
            return None
        if all(fn is owner for fn, _op in ch.receives):
            return self._skipped_receive(ch, owner, starts)
        return self._helper_skips_receive(ch, owner, starts)

    def _helper_skips_receive(self, ch: Channel, owner: Function, starts) -> StuckSend | None:
        """Every receive of the instance is in one helper that owner calls once, with the channel,
        outside any loop (`return wait(ctx, ch)`): the helper's early return (a `ctx.Done()` case)
        leaves the senders waiting, since owner receives nothing after it."""
        helpers = {fn.id: fn for fn, _op in ch.receives}
        helper = next(iter(helpers.values()))
        if len(helpers) != 1 or helper.parent is not None:
            self.debug["GIM102_instances_received_elsewhere"] += 1
            return None
        calls = [
            op
            for op in owner.facts.ops
            if op.kind == "call"
            and op.mode == "plain"
            and any(E.is_ident(a, ch.label) for a in op.args)
            and any(t.function is helper for t in self.program.resolve_call(owner, op))
        ]
        if len(calls) != 1 or innermost_loop(owner.facts, calls[0].region) is not None:
            self.debug["GIM102_instances_received_elsewhere"] += 1
            return None
        call = calls[0]
        index = owner.facts.ops.index(call)
        if any(owner.facts.ops.index(go_op) > index for go_op, _sends in starts):
            return None
        # Owner's side: the call stands for the receive (an owner exit before it skips it too).
        found = self._skipped_receive(ch, owner, starts, [(index, call)])
        if found is not None:
            found.helper_call = call  # owner leaves before calling the helper that receives
            return found
        hrecvs = sorted((helper.facts.ops.index(op), op) for _fn, op in ch.receives)
        cap = ch.capacity or 0
        for go_op, sends in starts:
            blocking = [(sfn, sop, path) for sfn, sop, path in sends if sop.select < 0]
            count = self._count(owner, go_op, blocking, starts, [(index, call)]) if blocking else None
            if count is None or (count != UNBOUNDED and cap >= count):
                continue

            def helper_waiting(_i: int, _chain: list, heard: bool, count: int = count) -> tuple[int, int, bool]:
                """Every sender was started before the helper call: (started, still waiting, False)."""
                return count, (count if count == UNBOUNDED else count - (1 if heard else 0)), False

            own_key = self.flow.key(owner, E.make_ident(ch.label))
            # a channel the sender closes when it has sent all it will (`close(done); return`) says so
            fed = (self._fed_by(go_op, owner) | self._closed_after_sends(owner, go_op, own_key)) - {own_key}
            for ri, recv in hrecvs:
                exit = self._exit(helper, -1, ri, recv, fed, hrecvs, cap, helper_waiting)
                if exit is not None and exit.how == "return" and _failure_ends_process(self.program, owner, call, exit):
                    # `if err := consume(ch); err != nil { log.Fatal(err) }`: the helper leaves early only
                    # by failing, and then the process ends with the sender (minio-go's examples)
                    self.debug["GIM102_failures_ending_the_process"] += 1
                    continue
                if exit is not None:
                    return self._stuck(ch, owner, go_op, blocking[0], exit, recv, helper=helper, helper_call=call)
        return None

    def _senders(self, owner: Function, ch: Channel, spawners: bool = False):
        """[(go op, [(sender fn, send op, path)])] for the `go` statements of owner that send on ch
        (with `spawners`, its `g.Go(f)` calls too); None when some send on ch is made by anything else."""
        out, covered = [], set()
        for op in owner.facts.ops:
            if op.kind != "call":
                continue
            if op.mode == "go":
                targets = self.program.resolve_call(owner, op)
            elif self.program.is_timer_start(owner, op) or (spawners and self.program.is_spawner_call(owner, op)):
                # `time.AfterFunc(d, func() {...})` always; `g.Go(func() error {...})` when asked
                targets = self.program.func_values(owner, op.args[-1])
            elif op.mode == "plain" and (started := self._started_by_helper(owner, op)):
                # `s.launch(ctx, b, q, results)`, a helper whose only work is `go func() { out <- ... }()`:
                # the call starts the sender as a `go` statement would
                targets = started
            else:
                continue
            sends = []
            for target in targets:
                charge = partial(self.budget.charge, owner)
                bound = None
                if is_instance(ch):
                    bound = instance_bindings(self.flow, owner, ch, owner, op, target.function)
                for sfn, sop, path, key in self.flow.reachable_sends(
                    target.function, target.function.facts.ops, charge=charge, bound=bound
                ):
                    if key == ch.key:
                        sends.append((sfn, sop, path))
                        covered.add((sfn.id, sop.line, sop.col))
            if sends:
                out.append((op, sends))
        if any((fn.id, op.line, op.col) not in covered for fn, op in ch.sends):
            return None
        return out

    def _started_by_helper(self, owner: Function, op: Op) -> list:
        """The goroutines a plain call starts when it calls one function of the tree that does
        nothing but start them (its ops are `go` statements, their literals' bodies and calls made
        in evaluating their arguments): `func (s *Searcher) launch(ctx, b, q, out chan<- result) {
        go func() { out <- ... }() }`. Empty otherwise."""
        targets = self.program.resolve_call(owner, op)
        if len(targets) != 1 or targets[0].via or not any(E.ident(a) for a in op.args):
            return []
        helper = targets[0].function
        facts = helper.facts
        gos = [o for o in facts.ops if o.kind == "call" and o.mode == "go"]
        if not gos or helper.parent is not None:
            return []
        if any(
            (o.kind in ("send", "recv") and not self._ranges_a_collection(helper, o)) or (o.kind == "return" and o.args)
            for o in facts.ops
        ):
            return []
        started = []
        for g in gos:
            started.extend(self.program.resolve_call(helper, g))
        return started

    def _ranges_a_collection(self, fn: Function, op: Op) -> bool:
        """op is a `range` over a slice, map or array (`for _, gw := range c.gateways`), not a channel:
        a helper starting one goroutine per element still does nothing but start them."""
        if op.kind != "recv" or op.mode != "range":
            return False
        t = self.program.type_of(fn, op.fn)
        return t is not None and self.program.underlying(t.lstrip("*")).startswith(("[]", "map[", "["))

    def _confined(self, fn: Function, name: str, depth: int) -> bool:
        """The channel `name` never leaves fn, its literals and the analysed functions it is passed to."""
        return self.confinement.confined(fn, name, depth)

    # ---- the receive an early return skips -------------------------------------------
    def _skipped_receive(self, ch: Channel, owner: Function, starts, recvs=None) -> StuckSend | None:
        """`recvs`: (index, op) of owner's receives, when not ch's own (a call standing for one)."""
        facts = owner.facts
        index = {id(op): i for i, op in enumerate(facts.ops)}
        if recvs is None:
            recvs = sorted((index[id(op)], op) for fn, op in ch.receives if id(op) in index)
        cap = ch.capacity or 0
        counted: dict = {}  # (exit index, heard): what `_waiting_at_exit` said, asked once per exit
        # The latest `go` first: at an exit after several, the earlier ones may have been heard.
        for go_op, sends in reversed(starts):
            blocking = [(sfn, sop, path) for sfn, sop, path in sends if sop.select < 0]
            if not blocking:
                self.debug["GIM102_sends_in_select"] += 1
                continue
            count = self._count(owner, go_op, blocking, starts, recvs)
            if count is None:
                self.debug["GIM102_senders_uncounted"] += 1
                return None
            if count != UNBOUNDED and cap >= count:
                continue
            fed = self._fed_by(go_op, owner) - {ch.key, self.flow.key(owner, E.make_ident(ch.label))}
            g = index[id(go_op)]

            def waiting(i: int, chain: list, heard: bool) -> tuple[int, int, bool] | None:
                if (i, heard) not in counted:
                    counted[i, heard] = self._waiting_at_exit(owner, index, starts, recvs, i, chain, heard)
                return counted[i, heard]

            for ri, recv in recvs:
                if ri < g:
                    continue
                exit = self._exit(owner, g, ri, recv, fed, recvs, cap, waiting)
                if exit is None:
                    continue
                closes = _defers_close(owner, ch.label)
                if closes and exit.how != "return":
                    self.debug["GIM102_early_exits_closing_the_channel"] += 1
                    continue  # a test that stops on a failure: its late sender's panic is another story
                return self._stuck(ch, owner, go_op, blocking[0], exit, recv, closed_on_exit=closes)
        return None

    def _stuck(self, ch: Channel, owner: Function, go_op, send, exit: Exit, recv, **extra) -> StuckSend:
        """The finding for the first blocking send (sender, op, path) of the goroutine go_op starts."""
        sfn, sop, path = send
        loop = self._send_loop_kind(sfn, sop, path)
        return StuckSend(ch, owner, go_op, sfn, sop, path, exit.senders, exit, recv, send_loop=loop, **extra)

    def _count(self, owner, go_op, blocking, starts, recvs) -> int | None:
        """Senders that may block at once: one per `go` statement, UNBOUNDED for a fan-out
        loop or a send loop; None when the model cannot count them (an event loop that
        both starts and hears goroutines, a sender paced by requests)."""
        total = 0
        for op, sends in starts:
            live = [s for s in sends if s[1].select < 0]
            if not live:
                continue
            loop = innermost_loop(owner.facts, op.region)
            started = 1
            if op.mode == "plain" and not self.program.is_timer_start(owner, op) and self._started_by_helper(owner, op):
                # started through a helper (`c.launch(ctx, results)`): one goroutine per round of
                # the helper's own loop around its `go` (one per gateway), if it has one
                fanned = self._fanned_by_helper(owner, op)
                if fanned is None:
                    return UNBOUNDED
                started = fanned
            if loop is not None:
                if not any(loop in enclosing_regions(owner.facts, r.region) for _i, r in recvs):
                    # a fan-out: the loop starts them all before any receive
                    rounds = fan_out_rounds(self.program, owner, op.region)
                    if rounds is None:
                        return UNBOUNDED
                    started = rounds
                elif not self._heard_each_round(owner, op, loop, recvs):
                    return None
            for sfn, sop, path in live:
                for fn, inner in self._send_loops(sfn, sop, path):
                    if self._paced_by_receives(fn, inner):
                        return None  # a worker answering requests: one send per request
                    return UNBOUNDED
            total += started
        return total

    def _fanned_by_helper(self, owner: Function, call: Op) -> int | None:
        """How many goroutines the helper `call` runs starts: 1 for a `go` outside any loop, the
        rounds of a loop around it when they can be counted (`fan_out_rounds`), None otherwise."""
        targets = self.program.resolve_call(owner, call)
        helper = targets[0].function if len(targets) == 1 else None
        if helper is None:
            return None
        total = 0
        for g in helper.facts.ops:
            if g.kind != "call" or g.mode != "go":
                continue
            if innermost_loop(helper.facts, g.region) is None:
                total += 1
                continue
            rounds = fan_out_rounds(self.program, helper, g.region)
            if rounds is None or rounds == UNBOUNDED:
                return None
            total += rounds
        return total

    def _send_loops(self, sfn: Function, sop, path) -> list[tuple[Function, int]]:
        """(function, innermost loop) around the send and around each call on the way to it: the
        loops that repeat the send (a send followed by `return` or `break` is made once)."""
        places = [(c, cop.region) for c, cop, _t, _v in path]
        if not self._leaves_after_send(sfn, sop):
            places.append((sfn, sop.region))
        loops = [(fn, innermost_loop(fn.facts, region)) for fn, region in places]
        return [(fn, inner) for fn, inner in loops if inner is not None]

    def _paced_by_receives(self, fn: Function, loop: int) -> bool:
        """The loop receives from some channel each round (or ranges over one), other than a
        cancellation check or a clock tick made every round: a loop that only checks for
        cancellation between its sends (`select { case <-ctx.Done(): return; default: }; out <- v`),
        or waits for a tick (`case <-tick.C:`), is not paced by requests: it sends until it is
        cancelled. A `Done()` checked only on some branch (after a read fails, say) does not say
        so: what paces that loop is not in sight."""
        facts = fn.facts
        for op in facts.ops:
            if op.kind != "recv" or not (op.body == loop or loop in enclosing_regions(facts, op.region)):
                continue
            each_round = _selected_each_round(facts, op, loop) or (op.select < 0 and op.region == loop)
            if each_round and ((is_done_call(op.fn) and op.select >= 0) or is_clock_receive(self.program, fn, op)):
                continue
            return True
        return False

    def _send_loop_kind(self, sfn: Function, sop, path) -> str:
        """ "endless" when a loop with no condition (`for {`) repeats the send: it sends until it is
        stopped, so no buffer size would do; "counted" for any other loop around it (a counted
        loop's `n` sends fit a buffer of n); "" for a send made once."""
        loops = self._send_loops(sfn, sop, path)
        if not loops:
            return ""
        endless = any(
            fn.facts.regions[loop].kind == "for" and fn.facts.regions[loop].info is None for fn, loop in loops
        )
        return "endless" if endless else "counted"

    def _heard_each_round(self, owner: Function, go_op, loop: int, recvs) -> bool:
        """The `go` statement's loop also receives, after it and with no `continue` between:
        each round hears its goroutine (or exits), so at most one is ever waiting."""
        facts = owner.facts
        g = facts.ops.index(go_op)
        for ri, recv in recvs:
            if ri > g and loop in enclosing_regions(facts, recv.region):
                between = facts.ops[g + 1 : ri]
                return not any(op.kind == "jump" and op.mode in ("continue", "goto") for op in between)
        return False

    def _fed_by(self, go_op, owner) -> set:
        """Channels the goroutine started by go_op sends on: a receive from one of them
        before an exit means the exit may follow the sender's own signal."""
        keys = set()
        for target in self.program.resolve_call(owner, go_op):
            charge = partial(self.budget.charge, owner)
            for _f, _op, _p, key in self.flow.reachable_sends(
                target.function, target.function.facts.ops, charge=charge
            ):
                keys.add(key)
        return keys

    def _exit(self, owner: Function, g: int, ri: int, recv, fed: set, recvs, cap: int, waiting) -> Exit | None:
        """The first way out of owner after the `go` at index g that skips the receive recv while
        more senders may wait than the buffer (cap) holds. `waiting(i, chain, heard)` gives
        (senders started, senders still waiting) at the exit of index i, or None (not counted)."""
        facts = owner.facts
        regions = facts.regions
        go_region = facts.ops[g].region if g >= 0 else -1  # -1: a helper, running from its start
        recv_chain = list(enclosing_regions(facts, recv.region))
        loop = next((r for r in recv_chain if regions[r].kind in ("for", "range")), None)
        go_chain = set(enclosing_regions(facts, go_region))
        if loop is not None and loop in go_chain:
            loop = None  # the goroutine is started inside the receive's loop: one per iteration
        for i in range(g + 1, len(facts.ops)):
            op = facts.ops[i]
            how = "return" if op.kind == "return" else self._early_exit(owner, op, i, recvs)
            if how is None:
                continue
            chain = list(enclosing_regions(facts, op.region))
            if exclusive_branches(facts, list(enclosing_regions(facts, go_region)), chain):
                continue  # on another branch than the `go` statement
            case = next(
                (
                    r
                    for r in chain
                    if regions[r].kind in ("case", "default")
                    and recv.select >= 0
                    and regions[r].parent == recv.select
                    and r != recv.body
                    and r not in recv_chain
                ),
                None,
            )
            if _after_drain(facts, g, i, chain, recvs):
                continue  # a `range` over the channel ran to its close first: every sender was heard
            if _closed_seen(facts, chain, recvs) and self._closed_by_its_senders(owner, recv):
                self.debug["GIM102_exits_on_a_closed_channel"] += 1
                continue  # `v, ok := <-ch; if !ok { return }`: its senders closed it, so none is left
            if _flag_guarded_receive(facts, g, i, chain, recvs):
                self.debug["GIM102_exits_after_flag_guarded_receive"] += 1
                continue  # `if !stopped { <-stop }` first: heard now, or before when the flag was set
            if self._waited_for_senders(owner, g, i, chain, recvs):
                self.debug["GIM102_exits_after_waiting_for_senders"] += 1
                continue  # `wg.Wait()` for the senders first: they are done (or the Wait hangs: GIM106)
            if _counted_down(facts, g, i, chain, recvs):
                self.debug["GIM102_exits_when_senders_counted_down"] += 1
                continue  # `n--` per receive, `if n == 0 { break }`, `n++` beside the `go`: every sender heard
            after = _heard_on_the_way(g, i, chain, recvs)  # the exit's own path receives first
            if case is None and i > ri:
                if loop is None or loop not in chain:
                    continue
                after = True
            counted = waiting(i, chain, after)
            if counted is None or (counted[1] != UNBOUNDED and cap >= counted[1]):
                continue  # the buffer holds every sender still waiting there
            beside_receive = case is not None or after or _heard_on_the_way(-1, i, chain, recvs)
            if how == "fatal" and not beside_receive and self._decided_before_start(owner, g, i, chain):
                beside_receive = True  # a test exit on a condition the sender cannot influence
            if (
                how != "return"
                and self._early_exit_unjudged(how, beside_receive, cap, counted)
                and not (how == "break" and self._one_sender_per_item(owner, g, recv, counted))
            ):
                continue
            if (
                self._coordinated(owner, g, i, chain, fed)
                or (
                    how != "return"
                    and g >= 0
                    and self._coordinated(owner, g, i, chain, self._closed_by(owner, facts.ops[g]))
                )
                or (
                    g >= 0
                    and self._coordinated(
                        owner, g, i, chain, self._closed_after_sends(owner, facts.ops[g], self.flow.key(owner, recv.fn))
                    )
                )
            ):
                self.debug["GIM102_exits_after_sender_signal"] += 1
                continue
            if self._stops_the_senders_server(owner, g, i, chain):
                self.debug["GIM102_exits_stopping_the_senders_server"] += 1
                continue
            decider = case if case is not None else next((r for r in chain if regions[r].kind != "block"), -1)
            recovered = self.recovery.catcher(owner) if how == "panic" else None
            return Exit(op, decider, after, how, counted[0], recovered)
        return self._falls_off_end(owner, g, recv, fed, recvs, cap, waiting)

    def _closed_by_its_senders(self, owner: Function, recv) -> bool:
        """Every `close` of the received channel is made by a function that also sends on it (a
        producer closing when it is done). A closer of its own may close while a sender still has
        values to send: that sender then panics, and the exit is judged as before."""
        key = self.flow.key(owner, recv.fn)
        ch = self.flow.channels.get(key) if key else None
        if ch is None or not ch.closes:
            return False
        senders = {f.id for f, _op in ch.sends}
        return all(f.id in senders for f, _op in ch.closes)

    def _falls_off_end(self, owner: Function, g: int, recv, fed: set, recvs, cap: int, waiting) -> Exit | None:
        """A case of the receive's `select` with no `return` that runs on to the end of the function:
        it leaves as surely as a `return` would. Only a `select` outside any loop, with no receive
        from the channel after it, in a function that is not `main` (the process ends with it), for
        senders the model can count: a fan-out whose goroutines send at most once each (`errs <- err;
        break`) would be counted as unbounded, and a test's error channel is exactly that."""
        facts = owner.facts
        if g >= 0 and any(
            self.recovery.defers_recover(t.function) for t in self.program.resolve_call(owner, facts.ops[g])
        ):
            self.debug["GIM102_falls_off_sender_recovers"] += 1
            return None  # a recovered panic may end the sender before its send (`q.Close()` unblocking it)
        if recv.select < 0 or innermost_loop(facts, recv.select) is not None:
            return None
        if owner.is_main:
            return None
        inside = _ops_under(owner, recv.select)
        end = facts.ops.index(inside[-1]) if inside else -1
        if any(ri > end for ri, _op in recvs):
            return None  # the function receives again after the select
        go_chain = list(enclosing_regions(facts, facts.ops[g].region)) if g >= 0 else []
        for case in child_regions(owner, recv.select):
            if case == recv.body or facts.regions[case].kind not in ("case", "default"):
                continue
            body = _ops_under(owner, case)
            if any(
                op.kind in ("return", "jump") or (op.region == case and exits_process(self.program, owner, op))
                for op in body
            ):
                continue  # leaves another way (a `return` is judged above), or may loop back
            if any(self._ends_goroutine(owner, op) is not None for op in body):
                self.debug["GIM102_falls_off_after_test_stop"] += 1
                continue  # `t.Fatal` leaves there, not at the end: judged as that exit
            chain = list(enclosing_regions(facts, case))
            if exclusive_branches(facts, go_chain, chain):
                continue
            if self._waited_for_senders(owner, g, len(facts.ops), chain, recvs):
                self.debug["GIM102_exits_after_waiting_for_senders"] += 1
                continue
            after = _heard_on_the_way(g, len(facts.ops), chain, recvs)
            counted = waiting(len(facts.ops), chain, after)
            if counted is None:
                continue
            if counted[0] == UNBOUNDED:
                self.debug["GIM102_falls_off_senders_uncounted"] += 1
                return None
            if cap >= counted[1]:
                continue  # the buffer holds every sender still waiting there
            if self._coordinated(owner, g, len(facts.ops), chain, fed):
                self.debug["GIM102_exits_after_sender_signal"] += 1
                continue
            if self._stops_the_senders_server(owner, g, len(facts.ops), chain):
                self.debug["GIM102_exits_stopping_the_senders_server"] += 1
                continue
            self.debug["GIM102_exits_falling_off_end"] += 1
            end_op = Op("return", facts.end_line, 1, case)
            return Exit(end_op, case, after, "return", counted[0], None, falls_off=True)
        return None

    def _stops_the_senders_server(self, owner: Function, g: int, i: int, chain: list) -> bool:
        """The goroutine started at g serves a server (`err := srv.Serve(ln)`, `srv.ListenAndServe()`)
        and sends only for an error the server's stop does not give: one guarded against
        `http.ErrServerClosed`, or any error of a gRPC server, whose `Serve` returns nil once stopped.
        On the way to the exit at i, owner stops that same server (`srv.Shutdown(ctx)`, `Close`,
        `GracefulStop`, `Stop`): from then on the sender has nothing to send."""
        if g < 0:
            return False
        lit_index = E.funclit(owner.facts.ops[g].fn)
        lit = self.program.literal(owner, lit_index) if lit_index is not None else None
        if lit is None:
            return False
        served = {}  # the server's expression -> its type, for each `X.Serve*()` of an http or gRPC server
        for op in lit.facts.ops:
            name = E.selected_name(op.fn) if op.kind == "call" else None
            if name and name.startswith(("Serve", "ListenAndServe")):
                base = E.selector_base(op.fn)
                served[E.render(base)] = (self.program.type_of(lit, base) or "").lstrip("*")
        if len(served) != 1:
            return False
        server, server_type = served.popitem()
        if server_type not in (_HTTP_SERVER, _GRPC_SERVER):
            return False
        sends = [op for op in lit.facts.ops if op.kind == "send"]
        if not sends:
            return False
        for send in sends:
            guards = [
                lit.facts.regions[r].info
                for r in enclosing_regions(lit.facts, send.region)
                if lit.facts.regions[r].kind == "if" and E.is_expr(lit.facts.regions[r].info)
            ]
            if server_type == _GRPC_SERVER and not guards:
                return False  # a stopped gRPC server's Serve returns nil: any error test keeps the send
            if server_type == _HTTP_SERVER and not any(self._names_server_closed(lit, c) for c in guards):
                return False
        on_the_way = set(chain)
        stops = ("Shutdown", "Close", "GracefulStop", "Stop")
        return any(
            op.kind == "call"
            and op.region in on_the_way
            and E.selected_name(op.fn) in stops
            and E.render(E.selector_base(op.fn)) == server
            for op in owner.facts.ops[g + 1 : i]
        )

    def _names_server_closed(self, fn: Function, cond) -> bool:
        """cond reads `http.ErrServerClosed` of net/http (`err != http.ErrServerClosed`, `errors.Is(...)`)."""
        for x in E.subexprs(cond):
            sel = E.selector(x)
            if sel is not None and sel[1] == "ErrServerClosed" and self.program.imported_path(fn, sel[0]) == "net/http":
                return True
        return False

    # ---- early exits other than `return` (issue 16) ----------------------------------
    def _early_exit(self, owner: Function, op, i: int, recvs) -> str | None:
        """How op leaves owner for good without a `return`, skipping every receive after it:
        "goexit" (`t.Fatal`, `runtime.Goexit()`), "panic" (a `panic` the goroutine recovers),
        "break" (out of the receive loop, with no receive after the loop); None otherwise."""
        ends = self._ends_goroutine(owner, op)
        if ends is not None:
            return ends
        if self._recovered_panic(owner, op):
            return "panic"
        if self._breaks_past_receives(owner, op, i, recvs):
            return "break"
        if self._ends_loop_by_condition(owner, op, i, recvs):
            return "condition"
        return None

    def _ends_loop_by_condition(self, fn: Function, op, i: int, recvs) -> bool:
        """An assignment to the variable a receive loop's condition tests (`for errc == nil`,
        `for !done`, `for running`) that can make it false (`case errc = <-p.quit:`, `done =
        true`): the loop leaves at its next test. Judged like a `break` at the assignment: no
        receive later in that round, none after the loop, and no loop around it to come back."""
        if op.kind != "assign" or op.mode != "=":
            return False
        facts = fn.facts
        loop = innermost_loop(facts, op.region)
        if loop is None or facts.regions[loop].kind != "for":
            return False
        name, keeps = _condition_variable(facts.regions[loop].info)
        if name is None:
            return False
        values = [v for t, v in zip(op.targets, op.args, strict=False) if E.is_ident(t, name)]
        if len(op.targets) != len(op.args) and len(op.args) == 1 and any(E.is_ident(t, name) for t in op.targets):
            values = [op.args[0]]  # `errc, ok = <-ch`: the first target is the received value
        if not values or any(keeps(v) for v in values):
            return False
        view = self.regions.view(fn)
        inside = [view.in_region(_recv_region(r), loop) for _ri, r in recvs]
        if not any(inside):
            return False  # not the receive loop
        if any(ri > i for (ri, _r), ins in zip(recvs, inside, strict=True)):
            self.debug["GIM102_condition_exits_before_a_later_receive"] += 1
            return False  # a receive later in the round, or after the loop
        if view.loops_around(facts.regions[loop].parent):
            self.debug["GIM102_breaks_inside_outer_loop"] += 1
            return False
        return True

    def _recovered_panic(self, fn: Function, op) -> bool:
        """A `panic(...)` that a deferred `recover()` of fn or of a caller in the same goroutine
        (or the net/http server) catches: fn's frame is gone and its receive never runs. A panic
        nothing recovers ends the process, like `os.Exit`: nothing is left to leak."""
        if not (
            op.kind == "call"
            and op.mode == "plain"
            and E.is_ident(op.fn, "panic")
            and self.program.declaring_function(fn, "panic") is None
        ):
            return False
        if self.recovery.catcher(fn) is None:
            self.debug["GIM102_panics_not_seen_recovered"] += 1
            return False
        return True

    def _breaks_past_receives(self, fn: Function, op, i: int, recvs) -> bool:
        """A `break` out of a loop that holds a receive, when no receive follows the loop and no
        loop around it can come back to it: once out, fn goes on to return without receiving."""
        if op.kind != "jump" or op.mode != "break":
            return False
        view = self.regions.view(fn)
        target = view.jump_target(op)
        if target is None or fn.facts.regions[target].kind not in ("for", "range"):
            return False
        inside = [view.in_region(_recv_region(r), target) for _ri, r in recvs]
        if not any(inside):
            return False  # the loop it leaves is not a receive loop
        if any(not ins and ri > i for (ri, _r), ins in zip(recvs, inside, strict=True)):
            self.debug["GIM102_breaks_to_a_later_receive"] += 1
            return False
        if view.loops_around(fn.facts.regions[target].parent):
            self.debug["GIM102_breaks_inside_outer_loop"] += 1
            return False  # the outer loop may come back to the receive loop
        return True

    def _waiting_at_exit(self, owner: Function, index: dict, starts, recvs, i: int, chain: list, heard: bool):
        """(senders started and not heard for sure, senders still waiting, some reached only
        through an interface or function value) at owner's exit of index i, or None when the
        model cannot count them. Only a `go` statement that can run
        before the exit on its path counts (one after it, or on a branch excluding it, never
        started), less the receives the path makes on the way (at least one when `heard`: a
        receive of an earlier round may have happened)."""
        facts = owner.facts
        started: list = []
        chains: list = []
        for op, sends in starts:
            go_chain = list(enclosing_regions(facts, op.region))
            if index[id(op)] > i or exclusive_branches(facts, go_chain, chain):
                continue
            if len(starts) <= MAX_EXCLUSIVE_STARTS and any(exclusive_branches(facts, go_chain, c) for c in chains):
                continue  # the other side of an `if` (or another case) than a `go` already counted
            if self._answered_elsewhere(owner, index, op, sends, i, chain):
                self.debug["GIM102_senders_answered_on_another_channel"] += 1
                continue
            started.append((op, sends))
            chains.append(go_chain)
        if len(started) < len(starts):
            self.debug["GIM102_senders_not_started_at_exit"] += 1
        count = self._count(owner, None, None, started, recvs)
        if count is None or not started:
            return None
        first = min(index[id(op)] for op, _sends in started)
        heard_count = 0
        for ri, op in recvs:
            if not first < ri < i:
                continue
            if _on_the_way(op, chain) or self._only_way_past(owner, op, chain):
                heard_count += 1
            elif _drained_in_loop(facts, op, chain):
                self.debug["GIM102_exits_after_receive_loop"] += 1
                return count, 0, False  # a loop of receives ran first: it may have heard every sender
        maybe = any(via for _op, sends in started for _f, _s, path in sends for *_step, via in path)
        if count == UNBOUNDED:
            return count, count, maybe
        return count - heard_count, count - max(heard_count, 1 if heard else 0), maybe

    def _waited_for_senders(self, owner: Function, g: int, i: int, chain: list, recvs) -> bool:
        """On every path from the `go` at index g to the exit at index i, owner calls `wg.Wait()`
        on a `sync.WaitGroup` (by its type) the started goroutine calls `Done` on (the same variable: a closure's
        capture, or a package variable), then reaches a receive from the channel (a poll whose
        `default` is the exit). By the exit the sender has finished: it sent into the buffer, or
        it is still blocked and the `Wait` never returns, which is GIM106's finding (a wait before
        the drain), not a sender left behind by this exit. With no receive after the `Wait`, the
        hang at the `Wait` is reported here, as the exit that skipped the receive."""
        if g < 0:
            return False
        facts = owner.facts
        start = facts.ops[g]
        if start.mode == "plain" and self.program.is_spawner_call(owner, start):
            # `g.Go(f)` then `g.Wait()` on the way: by the exit every function the group started has
            # returned (or the `Wait` hangs on a blocked send, GIM106's wait before the drain).
            group = E.selector_base(start.fn)
            return any(
                (op := facts.ops[k]).kind == "call"
                and op.mode == "plain"
                and op.region in chain
                and E.selected_name(op.fn) == "Wait"
                and E.selector_base(op.fn) == group
                for k in range(g + 1, i)
            )
        waited = {
            name
            for k in range(g + 1, i)
            if (op := facts.ops[k]).kind == "call"
            and op.mode == "plain"
            and op.region in chain
            and not op.args
            and E.selected_name(op.fn) == "Wait"
            and any(k < ri < i for ri, _r in recvs)
            and (name := E.ident(E.selector_base(op.fn))) is not None
            and (self.program.type_of(owner, E.selector_base(op.fn)) or "").lstrip("*") == WAITGROUP
        }
        if not waited:
            return False
        targets = self.program.resolve_call(owner, facts.ops[g])
        if not targets:
            return False
        for t in targets:
            ops = t.function.facts.ops
            last_send = max((k for k, op in enumerate(ops) if op.kind == "send"), default=-1)
            if not any(
                op.kind == "call"
                and (op.mode == "defer" or (op.mode == "plain" and k > last_send))
                and E.selected_name(op.fn) == "Done"
                and (name := E.ident(E.selector_base(op.fn))) in waited
                and self.program.declaring_function(t.function, name) is self.program.declaring_function(owner, name)
                for k, op in enumerate(ops)
            ):
                return False  # a `Done` before its send lets the `Wait` return while it blocks
        return True

    def _answered_elsewhere(self, owner: Function, index: dict, go_op, sends, i: int, chain: list) -> bool:
        """The goroutine started by go_op (once) sends either its result on another channel or on
        this one, on exclusive branches (`if err != nil { errCh <- err } else { resCh <- v }`), and
        the path to the exit at index i has received from that other channel, which nobody else
        sends on: the goroutine took its other branch, and will never send here."""
        facts = owner.facts
        if innermost_loop(facts, go_op.region) is not None or not sends:
            return False
        sender = sends[0][0]
        if any(sfn is not sender or path for sfn, _sop, path in sends):
            return False
        if any(innermost_loop(sender.facts, sop.region) is not None for _f, sop, _p in sends):
            return False
        mine = [sop for _f, sop, _p in sends]
        own_keys = {self.flow.key(sender, sop.fn) for sop in mine}
        g = index[id(go_op)]
        for recv in facts.ops[g + 1 : i]:
            if recv.kind != "recv" or not (_on_the_way(recv, chain) or self._only_way_past(owner, recv, chain)):
                continue
            other = self.flow.channels.get(self.flow.key(owner, recv.fn) or "")
            if other is None or other.key in own_keys or not other.sends or other.closes:
                continue
            if any(sfn is not sender for sfn, _op in other.sends):
                continue
            if any(innermost_loop(sender.facts, sop.region) is not None for _f, sop in other.sends):
                continue
            if all(_one_or_the_other(sender.facts, sop, m) for _f, sop in other.sends for m in mine):
                return True
        return False

    def _decided_before_start(self, owner: Function, g: int, i: int, chain: list) -> bool:
        """The exit at index i sits under `if`s (no loop, switch or case) whose conditions the
        goroutine started at index g cannot influence: no name in them is assigned between the
        `go` and the exit, and they call nothing with arguments (`n < 0`, `testing.Short()`). A
        set-up failure the sender waits on (`conn, err := net.Dial(...)` after the `go`, then
        `if err != nil { t.Fatal(err) }`) does not qualify."""
        facts = owner.facts
        go_chain = set(enclosing_regions(facts, facts.ops[g].region)) if g >= 0 else set()
        conditions = []
        for r in chain:
            if r in go_chain:
                break
            region = facts.regions[r]
            if region.kind in ("block", "body"):
                continue
            if region.kind not in ("if", "else") or region.info is None:
                return False
            conditions.append(region.info)
        if not conditions:
            return False
        assigned = self._assignments(owner)
        for cond in conditions:
            for name in E.idents_in(cond, set()):
                at = assigned.get(name, ())
                k = bisect_right(at, g)
                if k < len(at) and at[k] < i:
                    return False  # assigned after the `go`, before the exit
            if any((c := E.call(x)) is not None and c[1] for x in E.subexprs(cond)):
                return False
        return True

    def _assignments(self, fn: Function) -> dict[str, list[int]]:
        """Name -> indexes of fn's ops assigning it, in order (built once per function)."""
        found = self._assigned.get(fn.id)
        if found is None:
            found = self._assigned[fn.id] = {}
            for k, op in enumerate(fn.facts.ops):
                if op.kind == "assign":
                    names: set = set()
                    for t in op.targets:
                        if t is not None and E.is_expr(t):
                            E.idents_in(t, names)
                    for name in names:
                        found.setdefault(name, []).append(k)
        return found

    def _one_sender_per_item(self, owner: Function, g: int, recv, counted) -> bool:
        """The `go` runs once per item of a collection the program fills at run time (`for _, p := range
        c.probes { go func() { results <- run(p) }() }`), and the receive runs once per item of the
        same collection (`for range c.probes { o := <-results; ... break }`): a constant buffer
        was not sized to that count, so a `break` after some receives strands every sender past it.
        Not for senders reached through interfaces or function values, nor for ranges over
        composite literals, arrays or channels."""
        if g < 0 or counted[2]:
            return False
        facts = owner.facts
        sent_over = self._ranged_by_loop(owner, innermost_loop(facts, facts.ops[g].region))
        heard_over = self._ranged_by_loop(owner, innermost_loop(facts, recv.region))
        if sent_over is None or heard_over != sent_over:
            return False
        if E.composite(E.strip_address(sent_over)) is not None:
            return False
        declared = (self.program.type_of(owner, sent_over) or "").strip()
        return declared.startswith(("[]", "map[")) and "chan " not in declared.split("]", 1)[0]

    @staticmethod
    def _ranged_by_loop(fn: Function, loop: int | None):
        """The expression a `range` loop ranges over, or None (no loop, or a `for` loop)."""
        if loop is None or fn.facts.regions[loop].kind != "range":
            return None
        return next(
            (op.fn for op in fn.facts.ops if op.kind == "recv" and op.mode == "range" and op.body == loop), None
        )

    def _early_exit_unjudged(self, how: str, beside_receive: bool, cap: int, counted) -> bool:
        """Exits other than `return` the model does not judge, for precision (each counted):

        - a `t.Fatal` (Skip, FailNow...) under an `if` before any receive: in tests that is
          mostly a set-up failure (`net.Dial`, a handshake) the sender itself waits on, so the
          sender never reaches its send. Judged are the `t.Fatal` in a case of the receive's
          own select (the timeout beside it) and one after a receive (the first error of many);
        - a buffered channel fed by a loop of senders, or by senders reached through an
          interface or a function value: tests size such buffers to a loop bound the model
          does not read (`make(chan error, 8)`), and a may-call is not a sender for sure."""
        if how == "fatal" and not beside_receive:
            self.debug["GIM102_test_exits_before_any_receive"] += 1
            return True
        if cap > 0 and (counted[1] == UNBOUNDED or counted[2]):
            self.debug["GIM102_buffered_uncertain_senders_at_early_exit"] += 1
            return True
        return False

    def _closed_by(self, owner: Function, go_op) -> set:
        """Channels the goroutine started by go_op closes in its own body (`close(done)`, deferred
        or not): at an early exit, a receive from one of them may be the sender saying it is done."""
        keys = set()
        for target in self.program.resolve_call(owner, go_op):
            fn = target.function
            for op in fn.facts.ops:
                if op.kind == "call" and E.is_ident(op.fn, "close") and op.args:
                    keys.add(self.flow.key(fn, op.args[0]))
        return keys

    def _closed_after_sends(self, owner: Function, go_op, key: str | None) -> set:
        """Channels the goroutine started by go_op closes where no send of its on channel `key` can
        follow (`for ... { ticks <- i }; close(stop)`, or `close(done); return` on a path that sends
        nothing): a receive from one of them says the goroutine has sent all it will."""
        memo = (id(go_op), key)
        if memo not in self._after_sends:
            self._after_sends[memo] = self._closes_after_sends(owner, go_op, key)
        return self._after_sends[memo]

    def _closes_after_sends(self, owner: Function, go_op, key: str | None) -> set:
        keys: set = set()
        for target in self.program.resolve_call(owner, go_op):
            fn = target.function
            facts = fn.facts
            sends = [op for op in facts.ops if op.kind == "send" and self.flow.key(fn, op.fn) == key]
            if not sends or any(
                f is not fn and k == key
                for f, _op, _p, k in self.flow.reachable_sends(fn, facts.ops, charge=partial(self.budget.charge, owner))
            ):
                return set()  # it sends through calls too: not judged here
            for op in facts.ops:
                if (
                    op.kind == "call"
                    and E.is_ident(op.fn, "close")
                    and op.args
                    and _no_send_after(self.program, fn, op, sends)
                ):
                    keys.add(self.flow.key(fn, op.args[0]))
        keys.discard(key)  # a value taken from the channel itself says nothing of its close
        return keys

    def _only_way_past(self, fn: Function, recv, chain: list) -> bool:
        """A receive in a case of a select that ran to its end on the way to the op of `chain`,
        every other case of which leaves fn (`return`, `t.Fatal`...): past that select, the
        receive happened (`select { case <-done: case <-time.After(d): t.Fatal(...) }`)."""
        if recv.mode != "case" or recv.select < 0:
            return False
        regions = fn.facts.regions
        if recv.select in chain or regions[recv.select].parent not in chain:
            return False
        view = self.regions.view(fn)
        return all(
            any(
                kind == 0 and (view.ops[at].kind == "return" or self._ends_goroutine(fn, view.ops[at]) is not None)
                for _first, kind, at in view.children[case]
            )
            for case in view.kids[recv.select]
            if case != recv.body
        )

    def _leaves_after_send(self, fn: Function, send) -> bool:
        """The statement after the send, in its own block, is a `return` or a `break` out of the
        loop around it: a send in a loop that is made once."""
        facts = fn.facts
        if _returns_after(facts, send):
            return True
        i = facts.ops.index(send)
        nxt = facts.ops[i + 1] if i + 1 < len(facts.ops) else None
        if nxt is None or nxt.kind != "jump" or nxt.mode != "break" or nxt.region != send.region:
            return False
        return self.regions.view(fn).jump_target(nxt) == innermost_loop(facts, send.region)

    def _ends_goroutine(self, fn: Function, op) -> str | None:
        return ends_goroutine(self.program, fn, op)

    def _coordinated(self, owner, g, i, chain, fed) -> bool:
        """The exit follows something the same goroutine sent (another of its channels)."""
        if not fed:
            return False
        facts = owner.facts
        for r in chain:
            info = facts.regions[r].info
            if facts.regions[r].kind == "case" and info and info[0] == "recv":
                if self.flow.key(owner, info[1]) in fed:
                    return True
        for op in facts.ops[g + 1 : i]:
            if op.kind == "recv" and self.flow.key(owner, op.fn) in fed and not _excluded_by(facts, op, chain):
                return True
        return False


def _no_send_after(program: Program, fn: Function, close_op, sends: list) -> bool:
    """No path through fn runs one of `sends` after `close_op`: the close is deferred, is followed
    at once by `return` in its own block, or sits outside any loop with every later send on another
    branch or past a way out of the close's block."""
    if close_op.mode == "defer":
        return True
    facts = fn.facts
    if _returns_after(facts, close_op):
        return True  # `close(done); return`, in a loop or not: the goroutine ends with the close
    close_chain = list(enclosing_regions(facts, close_op.region))
    if any(facts.regions[r].kind in ("for", "range", "select") for r in close_chain):
        return False
    around = set(close_chain)
    at = facts.ops.index(close_op)
    for send in sends:
        later = facts.ops.index(send)
        if later < at or exclusive_branches(facts, close_chain, list(enclosing_regions(facts, send.region))):
            continue
        if any(
            op.region in around and (op.kind == "return" or ends_goroutine(program, fn, op) is not None)
            for op in facts.ops[at + 1 : later]
        ):
            continue
        return False
    return True


def _one_or_the_other(facts, a, b) -> bool:
    """Sends a and b (neither in a loop) never both run: they sit on exclusive branches, or the
    earlier one is followed by a `return` in its own block (`if err != nil { errs <- err; return };
    results <- v`)."""
    chain_a = list(enclosing_regions(facts, a.region))
    if exclusive_branches(facts, chain_a, list(enclosing_regions(facts, b.region))):
        return True
    first = a if facts.ops.index(a) < facts.ops.index(b) else b
    return _returns_after(facts, first)


def _returns_after(facts, op) -> bool:
    """The statement after op, in op's own block, is a `return`: a send in a loop made once."""
    i = facts.ops.index(op)
    nxt = facts.ops[i + 1] if i + 1 < len(facts.ops) else None
    return nxt is not None and nxt.kind == "return" and nxt.region == op.region


def _failure_ends_process(program: Program, owner: Function, call: Op, exit) -> bool:
    """The helper's exit returns a non-nil error, and owner tests the call's error right after it
    (`err := helper(ch)` or `if err := helper(ch); ...`) and ends the process on that branch."""
    ret = exit.op
    if ret is None or ret.kind != "return" or not ret.args or E.is_nil(ret.args[-1]):
        return False
    ops = owner.facts.ops
    index = ops.index(call)
    consumer = next(
        (o for o in ops[index + 1 :] if o.kind == "assign" and any(E.call_number(a) == index for a in o.args)), None
    )
    err = E.ident(consumer.targets[-1]) if consumer is not None and consumer.targets else None
    if err is None or err == "_":
        return False
    regions = owner.facts.regions
    for r, reg in enumerate(regions):
        b = E.binary(reg.info) if reg.kind == "if" and E.is_expr(reg.info) else None
        if b is None or b[0] != "!=" or not E.is_ident(b[1], err) or not E.is_nil(b[2]) or reg.line < call.line:
            continue
        return any(o.region == r and o.kind == "call" and call_exit(program, owner, o) == PROCESS for o in ops)
    return False


def _selected_each_round(facts, op, loop: int) -> bool:
    """op is a case of a `select` that sits straight in the loop's body, under no branch."""
    if op.select < 0:
        return False
    return facts.regions[op.select].parent == loop


_AT_ZERO = {("==", 0), ("<=", 0), ("<", 1)}


def _counted_down(facts, g: int, i: int, chain: list, recvs) -> bool:
    """The exit at index i is taken only once a counter of started senders is down to zero:
    it sits under `if n == 0` (`n <= 0`, `n < 1`), a receive from the channel before it, in its
    loop, is followed by `n -= 1` (`n--`) in the same handler, and the `go` statement at index g
    has `n += 1` (`n++`) beside it, in its own block. The loop then leaves only after hearing every
    sender it started; a sender the count skipped is not this exit's to judge."""
    if g < 0:
        return False
    guard = next((r for r in chain if facts.regions[r].kind not in ("block", "body")), None)
    if guard is None or facts.regions[guard].kind != "if":
        return False
    cond = E.binary(facts.regions[guard].info) if E.is_expr(facts.regions[guard].info) else None
    if cond is None:
        return False
    op, left, right = cond
    if E.integer(left) == 0 and op == "==":
        left, right = right, left
    counter = E.ident(left)
    if counter is None or (op, E.integer(right)) not in _AT_ZERO:
        return False

    def steps(kind: str, region: int, start: int, end: int) -> bool:
        return any(
            x.kind == "assign"
            and x.mode == kind
            and x.region == region
            and len(x.targets) == 1
            and E.is_ident(x.targets[0], counter)
            and E.integer(x.args[0]) == 1
            for x in facts.ops[start:end]
        )

    go_region = facts.ops[g].region
    if not (steps("+=", go_region, 0, g) or steps("+=", go_region, g + 1, len(facts.ops))):
        return False
    around = set(chain)
    for ri, r in recvs:
        if g < ri < i:
            handler = r.body if r.body >= 0 else r.region
            if handler in around and steps("-=", handler, ri + 1, i):
                return True
    return False


def _flag_guarded_receive(facts, g: int, i: int, chain: list, recvs) -> bool:
    """On the way to the exit at index i, `if !stopped { <-stop }`, where every other receive from
    the channel sets `stopped = true` in its handler: the exit has heard the sender, now or before."""
    around = set(chain)
    for ri, r in recvs:
        if not g < ri < i:
            continue
        guard = next(
            (
                x
                for x in enclosing_regions(facts, r.region)
                if facts.regions[x].kind == "if" and facts.regions[x].parent in around
            ),
            None,
        )
        info = facts.regions[guard].info if guard is not None else None
        flag = E.ident(E.unary_operand(info, "!")) if info is not None and E.is_expr(info) else None
        if flag is None:
            continue
        others = [op for _rj, op in recvs if op is not r]
        if others and all(_sets_flag(facts, op, flag) for op in others):
            return True
    return False


def _sets_flag(facts, recv, flag: str) -> bool:
    """The receive's handler (its select case, or the block of a plain receive) sets flag to true."""
    body = recv.body if recv.body >= 0 else recv.region
    target = E.make_ident(flag)
    for op in facts.ops:
        if op.kind == "assign" and op.region == body and len(op.targets) == len(op.args):
            for t, v in zip(op.targets, op.args, strict=True):
                if t == target and E.is_true(v):
                    return True
    return False


def _heard_on_the_way(g: int, i: int, chain: list, recvs) -> bool:
    """A plain receive from the channel runs on the way to the exit at index i."""
    return any(g < ri < i and _on_the_way(op, chain) for ri, op in recvs)


def _on_the_way(recv, chain: list) -> bool:
    """The receive runs on every path to an op whose region chain is `chain` that gets past it:
    a plain receive in a region around the op, or a select case / range whose body holds it."""
    return (recv.mode == "expr" and recv.region in chain) or (recv.mode != "expr" and recv.body in chain)


def _recv_region(recv) -> int:
    """The region a receive runs in: its own for a plain receive, its handler body for a case or range."""
    return recv.region if recv.mode == "expr" else recv.body


def _defers_close(fn: Function, name: str) -> bool:
    """fn defers `close(name)`: a send still waiting when fn leaves panics instead of blocking."""
    return any(
        op.kind == "call"
        and op.mode == "defer"
        and E.is_ident(op.fn, "close")
        and op.args
        and E.is_ident(op.args[0], name)
        for op in fn.facts.ops
    )


def _excluded_by(facts, op, chain: list) -> bool:
    """op sits on a branch that excludes the op of `chain` (another case of its select, the
    other side of its `if`): it never ran on the way there."""
    return exclusive_branches(
        facts, list(enclosing_regions(facts, _recv_region(op) if op.kind == "recv" else op.region)), chain
    )


def _drained_in_loop(facts, recv, chain: list) -> bool:
    """A plain or select receive inside a loop that ran to its end on the way to the op of `chain`."""
    if recv.mode == "range":
        return False  # `_after_drain` judges ranges: they end at the close
    loop = innermost_loop(facts, recv.region)
    return loop is not None and loop not in chain and facts.regions[loop].parent in chain


def _closed_seen(facts, chain: list, recvs) -> bool:
    """The exit sits under `if !ok`, where `ok` is the second value of a receive from the channel
    (`v, ok := <-ch`, `case v, ok := <-ch:`): the channel is closed there, and a sender still
    waiting on a closed channel cannot exist (its send would have panicked)."""
    received = {E.render(op.fn) for _ri, op in recvs}
    for r in chain:
        region = facts.regions[r]
        flag = E.ident(E.unary_operand(region.info, "!")) if region.kind == "if" and E.is_expr(region.info) else None
        if flag is None:
            continue
        for op in facts.ops:
            if op.kind != "assign" or len(op.targets) != 2 or not E.is_ident(op.targets[1], flag):
                continue
            source = E.unary_operand(op.args[0], "<-") if len(op.args) == 1 else None
            if source is not None and E.render(source) in received:
                return True
    return False


def _after_drain(facts, g: int, i: int, chain: list, recvs) -> bool:
    """The op at index i follows (outside it) a `range` over the channel started after the `go`."""
    for ri, op in recvs:
        if g < ri < i and op.mode == "range" and op.body not in chain:
            return True
    return False


def _build(ctx: Context) -> Partners:
    p = Partners(
        ctx.program,
        ctx.result(CHANNEL_FLOW),
        ctx.budget("partners", "GIM102 (goroutine partners)"),
        ctx.result(REGIONS),
    )
    ctx.debug.update(p.debug)
    return p


PARTNERS = Pass(
    "partners",
    _build,
    requires=(CHANNEL_FLOW, REGIONS),
    doc="goroutines stuck on a channel: a receiver that returns first, a range never closed, a skipped send",
)


_HTTP_SERVER = "net/http#Server"
_GRPC_SERVER = "google.golang.org/grpc#Server"


def _exit_after_the_senders_are_done(program: Program, found: StuckSend) -> bool:
    """The exit is a `case <-finished:` of the waiting function, and `finished` is closed only by
    goroutines of that function that first wait on a WaitGroup (`go func() { wg.Wait();
    close(finished) }()`) which the sending goroutine counts down after its send (a deferred
    `wg.Done()`, or one after the send on its straight line) and does not add to itself: the case
    can be taken only after every counted send went through."""
    owner = found.owner
    facts = owner.facts
    case = next(
        (op for op in facts.ops if op.kind == "recv" and op.mode == "case" and op.body == found.exit.region), None
    )
    finished = E.ident(case.fn) if case is not None else None
    if finished is None:
        return False

    def closes_finished(op) -> bool:
        return op.kind == "call" and E.is_ident(op.fn, "close") and bool(op.args) and E.is_ident(op.args[0], finished)

    closers = [(lit, op) for lit in owner.nested_literals() for op in lit.facts.ops if closes_finished(op)]
    if not closers or any(closes_finished(op) for op in facts.ops):
        return False
    groups = set()
    for lit, close in closers:
        if not lit.go_sites or not on_straight_line(lit.facts, close.region):
            return False
        before = lit.facts.ops[: lit.facts.ops.index(close)]
        waits = [
            E.render(E.selector_base(o.fn)) for o in before if o.kind == "call" and E.selected_name(o.fn) == "Wait"
        ]
        if len(waits) != 1:
            return False
        groups.add(waits[0])
    if len(groups) != 1:
        return False
    group = groups.pop()
    go_op: Op = found.go_op  # type: ignore[assignment]
    goroutine = next((t.function for t in program.resolve_call(owner, go_op)), None)
    if goroutine is None or goroutine.parent is None:
        return False  # the group's name means the same variable only in a literal of the same function
    g_ops = goroutine.facts.ops
    step = found.send if found.sender is goroutine else (found.path[0][1] if found.path else None)
    if step is None or not any(step is o for o in g_ops):
        return False

    def on(o, method: str) -> bool:
        return o.kind == "call" and E.selected_name(o.fn) == method and E.render(E.selector_base(o.fn)) == group

    if any(on(o, "Add") for o in g_ops):
        return False  # counted only once it runs: the Wait may return first (GIM106)
    at = g_ops.index(step)
    return any(
        on(o, "Done") and (o.mode == "defer" or (k > at and on_straight_line(goroutine.facts, o.region)))
        for k, o in enumerate(g_ops)
    )


def _exit_only_on_close(found: StuckSend) -> bool:
    """The exit sits under `if !ok` (or the `else` of `if ok`), where ok is the second value of a
    receive from the stuck channel in the waiting function: it runs only once the channel is closed."""
    fn = found.waiter
    facts = fn.facts
    label = found.channel.label
    flags = set()
    for op in facts.ops:
        # `v, ok := <-ch` (also a select case's): an assignment after the receive op
        if op.kind == "assign" and len(op.targets) == 2 and len(op.args) == 1:
            if E.ident(E.unary_operand(op.args[0], "<-")) == label:
                flag = E.ident(op.targets[1])
                if flag and flag != "_":
                    flags.add(flag)
    if not flags:
        return False
    exit_op: Op = found.exit.op  # type: ignore[assignment]
    for r in enclosing_regions(facts, exit_op.region):
        reg = facts.regions[r]
        if reg.kind not in ("if", "else") or not E.is_expr(reg.info):
            continue
        negated = E.unary_operand(reg.info, "!")
        if reg.kind == "if" and E.ident(negated) in flags:
            return True
        if reg.kind == "else" and E.ident(reg.info) in flags:
            return True
    return False


_TESTING_PARAMS = ("*testing.T", "*testing.B", "*testing.F", "testing.TB")


def _exit_on_own_test_context(found: StuckSend) -> bool:
    """The exit sits in `case <-t.Context().Done():` where t is a `*testing.T` (B, F, TB)
    parameter of the waiting function itself: the testing package cancels that context only after
    the function returns, so the case cannot be taken while it waits."""
    fn = found.waiter
    exit_op: Op = found.exit.op  # type: ignore[assignment]
    ctx = done_case_context(fn, exit_op)
    got = E.call(ctx) if ctx is not None else None
    if got is None or got[1] or E.selected_name(got[0]) != "Context":
        return False
    name = E.ident(E.selector_base(got[0]))
    return any(n == name and t in _TESTING_PARAMS for n, t in fn.facts.params)
