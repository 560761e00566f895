"""Requests whose reply a server loop can skip.

The request/reply idiom: a caller builds `r := request{..., reply: make(chan T)}`,
sends `r` to a server goroutine (`s.reqs <- r`) and waits on `<-r.reply`. The
server receives it (`case r := <-s.reqs:`) and answers with `r.reply <- v`. If
some path through the server's handling of `r` leaves without answering (a
`continue` on a bad request, a `return` on an error), the caller waits on its
reply forever.

Judged on a struct field channel `T.f` (by class: every `T` value's `f`) when:
- every send on it is in one function, on a local bound by a receive in that
  function (`r := <-in`, `case r := <-in:`), as `r.f <- v`, and no function
  closes it;
- some function receives from it with a plain `<-x.f` (no `select`), so a
  skipped reply leaves that receive waiting;
- `r` itself never leaves the server: it is only read as `r.x` (passed whole
  to a call, stored, sent or returned, it may be answered elsewhere);
- a `return`, `continue` or `break` after the receive, inside the scope it
  binds `r` in, can leave before any `r.f <- v` (regions.returns_skipping).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, enclosing_regions
from .flow import ChannelFlow
from .regions import deciding_region, returns_skipping


@dataclass
class SkippedReply:
    """`server` receives the request `name` at `bind` and can leave at `exit` before replying on
    `name.field` at `reply`, while `waiter` waits on that reply at `wait`."""

    label: str  # the channel's label: `request.reply`
    server: Function
    bind: Op  # the assignment binding the request from its receive
    name: str  # the request's local name in the server: `r`
    field: str
    reply: Op  # the first send of the reply the exit skips
    exit: Op
    region: int  # the branch deciding the exit (-1: none)
    waiter: Function
    wait: Op


def skipped_replies(flow: ChannelFlow, debug: Counter) -> list[SkippedReply]:
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or not ch.sends or ch.closes or not ch.receives:
            continue
        servers = {fn.id for fn, _op in ch.sends}
        if len(servers) != 1:
            continue
        server = ch.sends[0][0]
        waits = [(fn, op) for fn, op in ch.receives if fn is not server and op.mode == "expr" and op.select < 0]
        if not waits:
            continue
        found = _skipped(server, [op for _f, op in ch.sends], debug)
        if found is not None:
            bind, name, field, reply, exit_op, region = found
            waiter, wait = waits[0]
            out.append(SkippedReply(flow.label(key), server, bind, name, field, reply, exit_op, region, waiter, wait))
    return out


def skipped_reply_channels(flow: ChannelFlow, debug: Counter) -> list[SkippedReply]:
    """The same with the reply channel sent as the request itself: the caller makes `resp := make(chan
    T)`, sends it (`c.reqs <- resp`) and waits on a plain `<-resp`; the server binds it by a receive
    (`resp := <-c.reqs`) and can leave before `resp <- v`."""
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends or not ch.receives:
            continue
        waiter = _requester(ch)
        if waiter is None:
            continue
        wfn, wait = waiter
        servers = {fn.id for fn, _op in ch.receives}
        if len(servers) != 1:
            continue
        server, recv = ch.receives[0]
        if recv.mode not in ("expr", "case"):
            continue
        found = _skipped_on_received(server, recv, debug)
        if found is not None:
            bind, name, reply, exit_op, region = found
            out.append(SkippedReply(flow.label(key), server, bind, name, "", reply, exit_op, region, wfn, wait))
    return out


def _requester(ch) -> tuple[Function, Op] | None:
    """(function, its plain receive) for a sender on ch whose payload is a channel it made and then
    waits on: `resp := make(chan T); reqs <- resp; return <-resp`."""
    for fn, send in ch.sends:
        if len(send.args) != 1:
            continue
        name = E.ident(send.args[0])
        if name is None:
            continue
        made = [
            op
            for op in fn.facts.ops
            if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets) and len(op.args) == 1
        ]
        if len(made) != 1 or not E.is_make_call(made[0].args[0]):
            continue
        wait = next(
            (
                op
                for op in fn.facts.ops
                if op.kind == "recv" and op.mode == "expr" and op.select < 0 and E.is_ident(op.fn, name)
            ),
            None,
        )
        if wait is not None:
            return fn, wait
    return None


def _skipped_on_received(server: Function, recv: Op, debug: Counter):
    """(bind, name, first reply send, exit, region) for a server that binds the received reply
    channel and can leave before sending on it."""
    facts = server.facts
    k = facts.ops.index(recv)
    bind = facts.ops[k + 1] if k + 1 < len(facts.ops) else None
    if bind is None or bind.kind != "assign" or bind.mode != ":=" or len(bind.targets) != 1 or len(bind.args) != 1:
        return None  # `=` assigns a variable that outlives the iteration: a `continue` may reach the reply
    if E.unary_operand(bind.args[0], "<-") is None:
        return None
    name = E.ident(bind.targets[0])
    if not name:
        return None
    sends = [i for i, op in enumerate(facts.ops) if op.kind == "send" and E.is_ident(op.fn, name)]
    if not sends:
        return None
    if _escapes(facts.ops, name, bind, allow=frozenset(id(facts.ops[i]) for i in sends)) or any(
        _escapes(lit.facts.ops, name, bind) for lit in server.nested_literals()
    ):
        debug["GIM102_replies_handed_on"] += 1
        return None

    def leaves(op: Op) -> bool:
        return op.kind == "return" or (op.kind == "jump" and op.mode in ("continue", "break"))

    b = k + 1
    for i, t in returns_skipping(facts, sends, leaves):
        exit_op = facts.ops[i]
        if i <= b or bind.region not in enclosing_regions(facts, exit_op.region):
            continue
        if exit_op.kind == "jump" and exit_op.fn is not None:
            continue
        return bind, name, facts.ops[t], exit_op, deciding_region(facts, exit_op.region, bind.region)
    return None


def _skipped(server: Function, sends: list[Op], debug: Counter):
    facts = server.facts
    index = {id(op): i for i, op in enumerate(facts.ops)}
    sels = [E.selector(op.fn) for op in sends]
    if any(s is None or E.ident(s[0]) is None for s in sels):
        return None
    names = {E.ident(s[0]) or "" for s in sels if s is not None}
    fields = {s[1] for s in sels if s is not None}
    if len(names) != 1 or len(fields) != 1:
        return None
    name, field = names.pop(), fields.pop()
    if not name:
        return None
    binds = [
        (i, op)
        for i, op in enumerate(facts.ops)
        if op.kind == "assign"
        and op.mode == ":="
        and len(op.targets) == 1
        and E.is_ident(op.targets[0], name)
        and len(op.args) == 1
        and E.unary_operand(op.args[0], "<-") is not None
    ]
    if len(binds) != 1 or any(E.is_ident(t, name) for op in facts.ops if op is not binds[0][1] for t in op.targets):
        return None  # bound once, by a receive, and never reassigned
    b, bind = binds[0]
    if _escapes(facts.ops, name, bind) or any(_escapes(lit.facts.ops, name, bind) for lit in server.nested_literals()):
        debug["GIM102_replies_handed_on"] += 1
        return None
    scope = bind.region
    targets = [index[id(op)] for op in sends]

    def leaves(op: Op) -> bool:
        return op.kind == "return" or (op.kind == "jump" and op.mode in ("continue", "break"))

    for i, t in returns_skipping(facts, targets, leaves):
        exit_op = facts.ops[i]
        if i <= b or scope not in enclosing_regions(facts, exit_op.region):
            continue  # before the request arrived, or outside the scope that holds it
        if exit_op.kind == "jump" and exit_op.fn is not None:
            continue  # a labelled jump: where it lands is not followed
        return bind, name, field, facts.ops[t], exit_op, deciding_region(facts, exit_op.region, scope)
    return None


def _escapes(ops: list[Op], name: str, bind: Op, allow: frozenset = frozenset()) -> bool:
    """The request `name` is used other than by reading its fields (or sending on its reply).
    In a literal of the server any use counts: a deferred or spawned closure may answer. Ops in
    `allow` (the sends on a reply channel itself) are not uses."""
    for op in ops:
        if op is bind or id(op) in allow:
            continue
        exprs = [op.fn, *op.args, *(t for t in op.targets if op.kind != "assign" or not E.is_ident(t, name))]
        for e in exprs:
            if e is None or not E.is_expr(e):
                continue
            whole = parts = 0
            for x in E.subexprs(e):
                if E.is_ident(x, name):
                    whole += 1
                sel = E.selector(x)
                if sel is not None and E.is_ident(sel[0], name):
                    parts += 1
            if whole > parts:
                return True
    return False
