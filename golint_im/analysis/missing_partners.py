"""Partners that are not started on every path the waiting side takes.

Two shapes on a local channel instance (`instances.py`) of the function that
makes it, the owner:

- a conditional consumer: every receive is in one goroutine the owner starts
  under an `if` (`if cfg.audit { go consume(events) }`), and the owner sends
  on the unbuffered channel outside that `if`: when the condition is false,
  nobody receives and the send blocks forever (`UnstartedReceiver`);
- a start skipped by `continue`: every send is in goroutines the owner
  starts from one `go` in a `range xs` loop whose body can `continue` (or
  `break`) before it, while the owner receives once per element of the same
  `xs` (`for range xs { <-out }`): a skipped element leaves the last receive
  waiting (`SkippedStart`).

Conditions are not evaluated: an `if` around the `go` is taken to be
skippable, and a `continue` to be takeable. The owner's own operations must
be plain (no `select`), and the other side must be only those goroutines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .flow import Channel, innermost_loop
from .unpaired import has_else


@dataclass
class UnstartedReceiver:
    channel: Channel
    owner: Function
    go_op: Op  # the conditional `go` starting the only receiver
    guard: int  # the `if` region around it
    receiver: Function
    send: Op  # the owner's send outside that `if`


@dataclass
class SkippedStart:
    channel: Channel
    owner: Function
    go_op: Op
    jump: Op  # the `continue` (or `break`) before the `go`
    loop_line: int
    recv: Op  # the owner's receive counted by the same collection
    collection: str


def missing_partners(
    program: Program, instances: list[tuple[Channel, Function, str]], debug: Counter
) -> tuple[list[UnstartedReceiver], list[SkippedStart]]:
    unstarted: list[UnstartedReceiver] = []
    skipped: list[SkippedStart] = []
    for ch, owner, _name in instances:
        if ch.closes and any(f is not owner for f, _op in ch.closes):
            continue
        receivers = {f.id for f, _op in ch.receives}
        senders = {f.id for f, _op in ch.sends}
        if ch.capacity == 0 and ch.sends and ch.receives and owner.id not in receivers and senders == {owner.id}:
            found = _unstarted_receiver(program, ch, owner)
            if found is not None:
                unstarted.append(found)
        if ch.sends and ch.receives and receivers == {owner.id} and owner.id not in senders:
            found_skip = _skipped_start(program, ch, owner)
            if found_skip is not None:
                skipped.append(found_skip)
    return unstarted, skipped


def _go_ops(program: Program, owner: Function, targets: set[int]) -> list[tuple[int, Op]]:
    """(index, op) of owner's `go` statements running one of `targets` (a literal, or a named function)."""
    out = []
    for i, op in enumerate(owner.facts.ops):
        if op.kind != "call" or op.mode != "go":
            continue
        number = E.funclit(op.fn)
        if number is not None:
            lit = program.literal(owner, number)
            if lit is not None and lit.id in targets:
                out.append((i, op))
        elif any(t.function.id in targets for t in program.resolve_call(owner, op)):
            out.append((i, op))
    return out


def _unstarted_receiver(program: Program, ch: Channel, owner: Function) -> UnstartedReceiver | None:
    receivers = {f.id for f, _op in ch.receives}
    if len(receivers) != 1:
        return None
    receiver = ch.receives[0][0]
    starts = _go_ops(program, owner, receivers)
    if len(starts) != 1:
        return None
    facts = owner.facts
    go_index, go_op = starts[0]
    chain = list(enclosing_regions(facts, go_op.region))
    kinds = [facts.regions[r].kind for r in chain]
    if any(k in ("for", "range", "case", "default", "select", "switch", "else") for k in kinds):
        return None
    guards = [r for r in chain if facts.regions[r].kind == "if"]
    if len(guards) != 1:
        return None
    guard = guards[0]
    if has_else(facts, guard):
        return None
    for _f, send in ch.sends:
        if send.select >= 0:
            return None
    later = [
        send
        for _f, send in ch.sends
        if facts.ops.index(send) > go_index and guard not in enclosing_regions(facts, send.region)
    ]
    if not later:
        return None
    send = min(later, key=facts.ops.index)
    if any(facts.regions[r].kind in ("for", "range", "case", "select") for r in enclosing_regions(facts, send.region)):
        return None
    return UnstartedReceiver(ch, owner, go_op, guard, receiver, send)


def _skipped_start(program: Program, ch: Channel, owner: Function) -> SkippedStart | None:
    senders = {f.id for f, _op in ch.sends}
    starts = _go_ops(program, owner, senders)
    if len(starts) != 1:
        return None
    facts = owner.facts
    go_index, go_op = starts[0]
    loop = next((r for r in enclosing_regions(facts, go_op.region) if facts.regions[r].kind == "range"), None)
    if loop is None or facts.regions[loop].info is None:
        return None
    collection = E.render(facts.regions[loop].info)
    if len(ch.sends) != 1:
        return None  # one send per goroutine: each skipped start is one value short
    sender, send = ch.sends[0]
    if any(sender.facts.regions[r].kind in ("for", "range") for r in enclosing_regions(sender.facts, send.region)):
        return None
    jump = next(
        (
            op
            for k, op in enumerate(facts.ops)
            if k < go_index
            and op.kind == "jump"
            and op.mode in ("continue", "break")
            and op.fn is None
            and loop in enclosing_regions(facts, op.region)
            and innermost_loop(facts, op.region) == loop
        ),
        None,
    )
    if jump is None:
        return None
    for _f, recv in ch.receives:
        if recv.select >= 0 or recv.mode != "expr":
            return None
    recv = next(
        (
            r
            for _f, r in ch.receives
            if facts.ops.index(r) > go_index
            and _counted_by(facts, r, collection)
            and loop not in enclosing_regions(facts, r.region)
        ),
        None,
    )
    if recv is None:
        return None
    return SkippedStart(ch, owner, go_op, jump, facts.regions[loop].line, recv, collection)


def _counted_by(facts, op: Op, collection: str) -> bool:
    """op sits in a loop of one round per element of `collection`: `for range xs`, `for i := range xs`,
    or `for i := 0; i < len(xs); i++`."""
    loop = innermost_loop(facts, op.region)
    if loop is None:
        return False
    reg = facts.regions[loop]
    if reg.kind == "range":
        return reg.info is not None and E.render(reg.info) == collection
    cond = E.binary(reg.info) if reg.info is not None else None
    if cond is None or cond[0] != "<":
        return False
    c = E.call(cond[2])
    return c is not None and E.is_ident(c[0], "len") and len(c[1]) == 1 and E.render(c[1][0]) == collection
