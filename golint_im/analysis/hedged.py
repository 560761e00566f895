"""Hedged requests: more senders started than the one answer the owner waits for.

    out := make(chan response)
    go c.dispatch(c.replicas[0], key, out)         // the first request
    for inflight > 0 {
        select {
        case <-hedge.C:
            go c.dispatch(c.replicas[next], key, out)   // a hedge: another request in flight
        case res := <-out:
            if res.err == nil {
                return res.body, nil               // the first good answer ends the wait
            }
        }
    }

Once the timer case has started a second request, two senders are in
flight before anything is received; the owner returns on the first good
answer and nobody receives the other one. On an unbuffered channel that
sender blocks on its send forever (a goroutine leak per hedged call).

Judged on a local channel instance (`instances.py`) made unbuffered and
never closed, sent on by one function the owner starts with `go`, once,
unconditionally, outside any `select`; every receive in the owner, one
`select` case inside a loop; a `return` inside that case; one start before
the loop on the owner's straight line, and one inside another case of the
same `select` (one that receives nothing from the channel). A start may be
written in a local closure the owner calls (`launch := func() { go ... }`),
then the closure's calls are the starts. Counted in `--debug` as
`GIM102_hedged_senders`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .field_instances import count_runs
from .flow import Channel
from .never_stopped import go_statements_running
from .regions import assignments_to, on_straight_line


@dataclass(frozen=True)
class HedgedSenders:
    """A request started before a select loop and a hedge started in another case, one answer awaited."""

    channel: Channel
    owner: Function
    sender: Function
    send: Op
    first: Op  # the owner's start before the loop (a `go`, or a call of the launching closure)
    hedge: Op  # the owner's start in the case that receives nothing from the channel
    hedge_case: int  # that case's region
    receive: Op  # the select's receive from the channel
    exit: Op  # the `return` in the receive's case
    launcher: Function | None  # the local closure holding the `go`, when the starts call it


def hedged_senders(
    program: Program, instances: list[tuple[Channel, Function, str]], debug: Counter
) -> list[HedgedSenders]:
    out = []
    for ch, owner, _name in instances:
        if ch.closes or ch.capacity != 0 or len(ch.sends) != 1 or len(ch.receives) != 1 or owner.is_main:
            continue
        sender, send = ch.sends[0]
        receiver, receive = ch.receives[0]
        if sender is owner or receiver is not owner or send.select >= 0 or receive.mode != "case":
            continue
        counted = count_runs(program, sender, [send])
        if counted is None or counted[0] != 1:
            continue
        found = _hedged(program, owner, sender, receive)
        if found is None:
            continue
        debug["GIM102_hedged_senders"] += 1
        first, hedge, case, exit_op, launcher = found
        out.append(HedgedSenders(ch, owner, sender, send, first, hedge, case, receive, exit_op, launcher))
    return out


def _hedged(
    program: Program, owner: Function, sender: Function, receive: Op
) -> tuple[Op, Op, int, Op, Function | None] | None:
    """(first start, hedge start, hedge case, return, launching closure) when owner starts sender
    once before the loop around the receive's select and again in another case of that select,
    and returns from the receive's case."""
    facts = owner.facts
    select = receive.region
    loops = [r for r in enclosing_regions(facts, select) if facts.regions[r].kind in ("for", "range")]
    mine = _receive_case(facts, receive)
    if not loops or mine is None:
        return None
    loop = loops[0]
    exit_op = next((o for o in facts.ops if o.kind == "return" and mine in enclosing_regions(facts, o.region)), None)
    starts = _starts(program, owner, sender)
    if starts is None or exit_op is None:
        return None
    ops, launcher = starts
    inside = [op for op in ops if loop in enclosing_regions(facts, op.region)]
    before = [op for op in ops if op not in inside]
    loop_start = next((k for k, o in enumerate(facts.ops) if loop in enclosing_regions(facts, o.region)), None)
    if len(before) != 1 or loop_start is None or facts.ops.index(before[0]) > loop_start:
        return None
    if not on_straight_line(facts, before[0].region):
        return None
    for op in inside:
        case = next((r for r in enclosing_regions(facts, op.region) if facts.regions[r].parent == select), None)
        if case is None or case == mine or facts.regions[case].kind != "case":
            continue
        return before[0], op, case, exit_op, launcher
    return None


def _receive_case(facts, receive: Op) -> int | None:
    """The case region of the select whose communication is the receive."""
    for k, r in enumerate(facts.regions):
        if r.parent != receive.region or r.kind != "case" or not E.is_expr(r.info):
            continue
        if r.info[0] == "recv" and E.render(r.info[1]) == E.render(receive.fn):
            return k
    return None


def _starts(program: Program, owner: Function, sender: Function) -> tuple[list[Op], Function | None] | None:
    """owner's `go` statements running sender; or, when one local closure of owner holds the only
    `go` (unconditionally) and is assigned once to a local, owner's plain calls of that local, with
    the closure."""
    direct = [op for _i, op in go_statements_running(program, owner, sender)]
    for lit in owner.nested_literals():
        if lit.parent is not owner:
            continue
        held = go_statements_running(program, lit, sender)
        if not held:
            continue
        if direct or len(held) != 1 or not on_straight_line(lit.facts, held[0][1].region):
            return None
        name = _assigned_to(program, owner, lit)
        if name is None:
            return None
        calls = [op for op in owner.facts.ops if op.kind == "call" and op.mode == "plain" and E.is_ident(op.fn, name)]
        return calls, lit
    return (direct, None) if direct else None


def _assigned_to(program: Program, owner: Function, lit: Function) -> str | None:
    """The local that `name := func() {...}` gives lit to, when that is the local's only assignment."""
    for op in owner.facts.ops:
        if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
            continue
        number = E.funclit(op.args[0])
        name = E.ident(op.targets[0])
        if number is None or name is None or program.literal(owner, number) is not lit:
            continue
        return name if len(list(assignments_to(owner, name))) == 1 else None
    return None
