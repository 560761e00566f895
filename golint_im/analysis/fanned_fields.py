"""Goroutines a method fans out, one per round, each sending on a field channel only that method reads.

    func (p *Prober) start(ctx context.Context) {
        for _, t := range p.targets {
            go func() { report(p.results, t, p.check(ctx, t)) }()
        }
    }

    func (p *Prober) WaitHealthy(ctx context.Context) error {
        p.start(ctx)
        for pending := len(p.targets); pending > 0; pending-- {
            select {
            case st := <-p.results:
                if !st.Healthy {
                    return errUnhealthy        // the probes not yet heard block on their send
                }
            case <-ctx.Done():
                return ctx.Err()
            }
        }
        return nil
    }

The instance view (`field_instances.py`) judges this shape on a value the
function allocates and follows whole; here the value comes from a constructor
the caller ran, and the channel is handed to a helper (`report(p.results,
...)`). What makes the shape hold for every value of the type is the class
itself: the field is unexported and made unbuffered, nothing closes it, every
receive of it is in one method (the waiter), and every send is made by the
goroutines one `go` statement starts, straight in a loop of the waiter or of a
method only the waiter calls, each goroutine sending once on every path
(itself, or through one helper it calls straight). The field is named nowhere
else but in its make, those sends and receives, and as the argument of a
helper of the tree that only sends on it. When the waiter can `return` from
inside the loop around its receives, after starting them, the goroutines not
yet heard wait on their sends forever.
"""

from __future__ import annotations

from collections import Counter

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .counted import _is_main
from .field_instances import UnheardFieldSenders
from .flow import Channel, ChannelFlow, in_loop
from .regions import STRAIGHT_KINDS, counting_exit, returns_skipping


def fanned_field_senders(program: Program, flow: ChannelFlow, debug: Counter) -> list[UnheardFieldSenders]:
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or ch.capacity != 0 or not ch.make_sites or ch.closes:
            continue
        if not ch.sends or not ch.receives or not key.rpartition(".")[2][:1].islower():
            continue
        waiters = {fn.id: fn for fn, _op in ch.receives}
        if len(waiters) != 1:
            continue
        waiter = next(iter(waiters.values()))
        if (
            waiter.parent is not None
            or _is_main(waiter)
            or any(op.mode not in ("expr", "case") for _f, op in ch.receives)
        ):
            continue
        found = _judge(program, flow, ch, waiter, debug)
        if found is not None:
            debug["GIM102_fanned_field_senders"] += 1
            out.append(found)
    return out


def _judge(program: Program, flow: ChannelFlow, ch: Channel, waiter: Function, debug: Counter):
    started = _one_fan_out(program, flow, ch, waiter)
    if started is None:
        return None
    starter, start_call, go_op, go_loop, goroutine, sends = started
    if any(sop.select >= 0 for _sfn, sop, _path in sends):
        return None
    via = None
    for sfn, sop, path in sends:
        if not _sends_once_straight(goroutine, sfn, sop, path):
            debug["GIM102_fanned_senders_not_counted"] += 1
            return None
        if path:
            via = (path[0][0], path[0][1])
    if not _only_sent_and_received(program, ch, sends):
        debug["GIM102_fanned_fields_named_elsewhere"] += 1
        return None
    facts = waiter.facts
    start_at = facts.ops.index(start_call if start_call is not None else go_op)
    recvs = [op for _f, op in ch.receives]
    for recv in recvs:
        loops = [r for r in enclosing_regions(facts, recv.region) if facts.regions[r].kind in ("for", "range")]
        if not loops or facts.ops.index(recv) < start_at:
            continue
        loop = loops[-1]
        if loop in enclosing_regions(facts, facts.ops[start_at].region):
            continue  # started again each round: a round's goroutines may all be heard before it leaves
        exit_op = next(
            (
                op
                for op in facts.ops
                if op.kind == "return"
                and loop in enclosing_regions(facts, op.region)
                and not counting_exit(facts, loop, op)
            ),
            None,
        )
        if exit_op is None:
            continue
        sfn, sop, _path = sends[0]
        return UnheardFieldSenders(
            ch,
            waiter,
            starter,
            go_op,
            go_loop,
            sfn,
            sop,
            recv,
            exit_op,
            via,
            receiver=waiter if starter is not waiter else None,
            start_call=start_call,
        )
    return None


def _one_fan_out(program: Program, flow: ChannelFlow, ch: Channel, waiter: Function):
    """(the function holding the `go`, the waiter's call of it or None, the `go`, its loop, the
    goroutine's function, the sends on ch it reaches) when exactly one `go` statement, of the waiter
    or of a method only the waiter calls (plainly, once, outside any loop), starts every sender."""
    candidates: list[tuple[Function, Op | None]] = [(waiter, None)]
    for op in waiter.facts.ops:
        if op.kind != "call" or op.mode != "plain":
            continue
        targets = program.resolve_call(waiter, op)
        if len(targets) == 1 and targets[0].function is not waiter:
            callee = targets[0].function
            if all(c is waiter for c, _op in program.callers(callee)):
                candidates.append((callee, op))
    found = None
    wanted = {(fn.id, op.line, op.col) for fn, op in ch.sends}
    for starter, call in candidates:
        if call is not None and in_loop(waiter.facts, call.region):
            continue
        for go_op in starter.facts.ops:
            if go_op.kind != "call" or go_op.mode != "go":
                continue
            for target in program.resolve_call(starter, go_op):
                sends = [
                    (sfn, sop, path)
                    for sfn, sop, path, k in flow.reachable_sends(target.function, target.function.facts.ops)
                    if k == ch.key
                ]
                if not sends:
                    continue
                if found is not None:
                    return None  # senders started in two places: not one fan-out
                found = (starter, call, go_op, target.function, sends)
    if found is None:
        return None
    starter, call, go_op, goroutine, sends = found
    if {(sfn.id, sop.line, sop.col) for sfn, sop, _p in sends} != wanted:
        return None  # some send is made by something else
    facts = starter.facts
    chain = list(enclosing_regions(facts, go_op.region))
    loops = [r for r in chain if facts.regions[r].kind in ("for", "range")]
    if len(loops) != 1 or any(facts.regions[r].kind not in STRAIGHT_KINDS for r in chain[: chain.index(loops[0])]):
        return None  # not one goroutine per round of one loop
    inside = [o for o in facts.ops if loops[0] in enclosing_regions(facts, o.region)]
    if any(o.kind in ("return", "jump") for o in inside):
        return None
    if call is not None and any(
        facts.regions[r].kind not in STRAIGHT_KINDS for r in chain[chain.index(loops[0]) + 1 :]
    ):
        return None
    return starter, call, go_op, loops[0], goroutine, sends


def _sends_once_straight(goroutine: Function, sfn: Function, sop: Op, path: tuple) -> bool:
    """The goroutine reaches the send on every path, once: the send straight in its function, or in a
    helper it calls straight, the send straight there; no `return` before either, no loop around."""
    if len(path) > 1:
        return False
    steps = [(goroutine, path[0][1])] if path else []
    steps.append((sfn, sop))
    for fn, op in steps:
        facts = fn.facts
        if any(facts.regions[r].kind not in STRAIGHT_KINDS for r in enclosing_regions(facts, op.region)):
            return False
        if returns_skipping(facts, [facts.ops.index(op)]):
            return False
    return True


def _only_sent_and_received(program: Program, ch: Channel, sends: list) -> bool:
    """The field is named, in its package, only as the channel of a send or receive, as an
    assignment's target or a composite's key (its make), or as an argument of a call whose every
    target the flow followed to a send on it (`report(p.results, ...)`)."""
    named, _, fname = ch.key[len("field:") :].rpartition(".")
    pkg = named.split("#")[0]
    helpers = {id(op) for _fn, _sop, path in sends for (_c, op, _callee, _via) in path}
    for fn in program.package_functions(pkg):
        for op in fn.facts.ops:
            if op.kind in ("send", "recv") and fname not in set().union(*(E.fields_named(a) for a in op.args)):
                continue
            if op.kind == "assign":
                if any(fname in E.fields_named(a) for a in op.args):
                    return False
                continue
            exprs = [op.fn, *op.args] if op.kind == "call" else list(op.args)
            if any(e is not None and fname in E.fields_named(e) for e in exprs) and id(op) not in helpers:
                return False
    return True
