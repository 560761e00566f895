"""A one-shot channel received from again after a `continue` skipped making the next one.

    var applied chan int
    for plan := range plans {
        if applied != nil {
            idx := <-applied              // the one value of last round's goroutine
            if err := refresh(idx); err != nil {
                continue                  // goes round with `applied` already drained
            }
        }
        applied = make(chan int, 1)
        go applyAsync(plan, applied)      // sends once
    }

Each round makes a channel and starts a goroutine that sends on it once;
the next round takes that one value. A `continue` between the receive and
the `make` goes round without a new channel, so the next round waits on
the drained one, and nothing will ever send on it again.

Judged on a local channel variable of the function, made in the loop by
one `make` (straight in the loop's body) and otherwise only set to nil;
handed to one `go` statement after the `make`, whose goroutine sends on it
once, outside loops and `select`, and closes it, if at all, only on a path
that returns before the send (nomad's `asyncPlanWait`: `close(indexCh)` on
a failed apply). The receive is a plain `<-x` earlier in the same loop (any
other receive sits in a `select`); a `continue` of that loop lies between
the receive and the `make`, with no `x = nil` on the way, and nothing sets
`x` to nil earlier in the round except a `select` case that received from
it. Any `if` around the receive may test only the channel itself (`if x
!= nil`): a flag cleared before the `continue` keeps the next round out.
Counted in `--debug` as `GIM102_one_shot_candidates`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .regions import STRAIGHT_KINDS


@dataclass
class ReceivedAgain:
    """A receive that a `continue` sends back to, on a channel whose one value it already took."""

    fn: Function
    name: str
    receive: Op
    jump: Op  # the `continue` that skips the renewal
    make: Op  # the assignment that makes the next channel
    go_op: Op  # the `go` statement whose goroutine sends once
    sender: Function
    send: Op
    condition: object  # the `if` condition the `continue` sits under, or None


def received_again(program: Program, debug: Counter) -> list[ReceivedAgain]:
    out = []
    for fn in program.functions:
        facts = fn.facts
        # One pass for what every candidate needs: a `continue`, a `go`, and names made by `make`.
        made, jumps, starts = set(), False, False
        for op in facts.ops:
            if op.kind == "jump":
                jumps = jumps or op.mode == "continue"
            elif op.kind == "call":
                starts = starts or op.mode == "go"
            elif op.kind == "assign" and len(op.targets) == 1 and op.args and E.is_make_call(op.args[0]):
                made.add(E.ident(op.targets[0]))
        if not (jumps and starts and made):
            continue
        for i, recv in enumerate(facts.ops):
            if recv.kind != "recv" or recv.mode != "expr" or recv.select >= 0:
                continue
            name = E.ident(recv.fn)
            if name is None or name not in made or program.declaring_function(fn, name) is not fn:
                continue
            found = _judge(program, fn, i, recv, name)
            if found is not None:
                debug["GIM102_one_shot_candidates"] += 1
                out.append(found)
    return out


def _judge(program: Program, fn: Function, i: int, recv: Op, name: str) -> ReceivedAgain | None:
    facts = fn.facts
    regions = facts.regions
    loops = [r for r in enclosing_regions(facts, recv.region) if regions[r].kind in ("for", "range")]
    if not loops:
        return None
    loop = loops[0]
    # Guards around the receive may test only the channel itself (`if x != nil`): a flag cleared
    # before the `continue` (`if waiting { ...; waiting = false; continue }`) keeps the next round out.
    for r in enclosing_regions(facts, recv.region):
        if r == loop:
            break
        info = regions[r].info if regions[r].kind in ("if", "else", "block") else None
        if E.is_expr(info) and E.idents_in(info, set()) - {name, "nil"}:
            return None
    uses = [(k, op) for k, op in enumerate(facts.ops) if _names(op, name)]
    assigns = [(k, op) for k, op in uses if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets)]
    made = [(k, op) for k, op in assigns if op.args and E.is_make_call(op.args[0])]
    if len(made) != 1:
        return None
    a, make = made[0]
    if a < i or len(make.args) != 1 or len(make.targets) != 1:
        return None
    # Straight in the loop's body: every round that gets there renews the channel.
    chain = list(enclosing_regions(facts, make.region))
    if loop not in chain or any(regions[r].kind not in STRAIGHT_KINDS for r in chain[: chain.index(loop)]):
        return None
    forgets = [(k, op) for k, op in assigns if op.mode != "var" and (k, op) not in made]
    if any(len(op.targets) != 1 or len(op.args) != 1 or not E.is_nil(op.args[0]) for _k, op in forgets):
        return None  # set from something else than `make` or nil
    if any(not _after_receiving(facts, k, name) for k, _op in forgets if k < i and _in_loop(facts, k, loop)):
        return None  # `x = nil` earlier in the round, whatever was received: the next round is not stuck
    # Other receives only in a `select` (with a way past it, or another bug); plain ones are judged each.
    if any(op.kind == "recv" and op.select < 0 and k != i for k, op in uses):
        return None
    others = [
        (k, op)
        for k, op in uses
        if k != i
        and (k, op) not in made
        and (k, op) not in forgets
        and op.kind != "recv"
        and not (op.mode == "var" and not op.args)
        and not _only_received(op, name)
    ]
    starts = [(k, op) for k, op in others if op.kind == "call" and op.mode == "go"]
    if len(starts) != 1 or starts[0][0] < a or len(others) != 1:
        return None  # sent on, closed or handed anywhere else: not a one-shot
    _g, go_op = starts[0]
    sent = _sends_once(program, fn, go_op, name)
    if sent is None:
        return None
    for k in range(i + 1, a):
        op = facts.ops[k]
        if any(f == k for f, _op in forgets):
            return None  # `x = nil` after the receive, before going round
        if op.kind != "jump" or op.mode != "continue":
            continue
        label = E.ident(op.fn) or ""
        target = next(
            (
                r
                for r in enclosing_regions(facts, op.region)
                if regions[r].kind in ("for", "range") and (not label or regions[r].label == label)
            ),
            None,
        )
        if target != loop:
            continue
        condition = next(
            (regions[r].info for r in enclosing_regions(facts, op.region) if regions[r].kind == "if"), None
        )
        return ReceivedAgain(fn, name, recv, op, make, go_op, sent[0], sent[1], condition)
    return None


def _in_loop(facts, k: int, loop: int) -> bool:
    return loop in enclosing_regions(facts, facts.ops[k].region)


def _after_receiving(facts, k: int, name: str) -> bool:
    """Op k sits in a `select` case that receives from the channel: it runs only once a value came."""
    for r in enclosing_regions(facts, facts.ops[k].region):
        info = facts.regions[r].info if facts.regions[r].kind == "case" else None
        if isinstance(info, tuple) and len(info) == 2 and info[0] == "recv" and E.is_ident(info[1], name):
            return True
    return False


def _only_received(op: Op, name: str) -> bool:
    """Every mention of the name in op is a receive `<-name` (the op uses the received value)."""
    if op.kind == "recv":
        return False
    receive = ("un", "<-", ("id", name))
    named = received = 0
    for e in (*op.args, *op.targets, op.fn):
        if E.is_expr(e):
            for sub in E.subexprs(e):
                named += E.is_ident(sub, name)
                received += sub == receive
    return named == received


def _names(op: Op, name: str) -> bool:
    """The op mentions the name anywhere (channel, arguments, targets)."""
    exprs = [*op.args, *op.targets, op.fn]
    return any(E.is_expr(e) and name in E.idents_in(e, set()) for e in exprs)


def _sends_once(program: Program, fn: Function, go_op: Op, name: str) -> tuple[Function, Op] | None:
    """(goroutine, its send) when the goroutine the `go` statement starts gets the channel as an
    argument and sends on it once, outside any loop and `select`, and closes it, if at all, only on
    paths without that send (`if err != nil { close(ch); return }` before it, no deferred close)."""
    targets = program.resolve_call(fn, go_op)
    if len(targets) != 1 or E.funclit(go_op.fn) is not None:
        return None
    target = targets[0].function
    positions = [k for k, a in enumerate(go_op.args) if E.is_ident(a, name)]
    params = [n for n, _t in target.facts.params]
    if len(positions) != 1 or positions[0] >= len(params) or not params[positions[0]]:
        return None
    param = params[positions[0]]
    ops = target.facts.ops
    uses = [(k, op) for k, op in enumerate(ops) if _names(op, param)]
    sends = [(k, op) for k, op in uses if op.kind == "send" and E.is_ident(op.fn, param) and op.select < 0]
    closes = [(k, op) for k, op in uses if op.kind == "call" and E.is_ident(op.fn, "close")]
    if len(sends) != 1 or len(uses) != len(sends) + len(closes):
        return None
    at, send = sends[0]
    if any(op.mode != "plain" or k > at for k, op in closes):
        return None  # closed after the send (or by defer): a later receive does not wait
    if any(target.facts.regions[r].kind in ("for", "range") for r in enclosing_regions(target.facts, send.region)):
        return None
    if any(k < at and not _returns_after(ops, k, at) for k, _op in closes):
        return None  # closed and then goes on to send: not the shape
    return target, send


def _returns_after(ops, k: int, at: int) -> bool:
    """A `return` follows op k before index at, in op k's own block."""
    return any(o.kind == "return" and o.region == ops[k].region for o in ops[k + 1 : at])
