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
from .flow import ChannelFlow, _is_chan
from .regions import (
    STRAIGHT_KINDS,
    deciding_region,
    exits_skipping,
    map_field_stored,
    returns_skipping,
    single_assignment,
)


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
    # When the server replies through a call (`h(r)`, a handler looked up per request): one of the
    # handlers it may call, and that handler's send of the reply; `reply` is then the server's call.
    handler: tuple[Function, Op] | None = None
    # When the server took the reply channel out of a map of pending calls: (the map expression
    # rendered, `c.pending`; the `delete` that removed the entry, after which nobody else can answer).
    taken: tuple[str, Op] | None = None
    # When the server only registers the reply channel for a later answer (`n.track(idx, p.reply)`
    # storing it in a map field, answered by whoever takes it out of a map field of that name):
    # (the registering function, its store; the answering function, its send). `reply` is then the
    # server's registering call.
    registered: tuple[Function, Op, Function, Op] | None = None
    # When the server got the request as a parameter: (the caller that received it, its binding
    # receive); `bind` is then that caller's op.
    handed_by: tuple[Function, Op] | None = None
    # When the reply goes back on a channel of its own beside the request's (`l.f.in <- b; ack :=
    # <-l.f.acks`): (the waiter's send of the request, the request channel's label); `name` is then the
    # reply channel as the server writes it.
    paired: tuple[Op, str] | None = None


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
        found = _skipped(flow.program, server, [op for _f, op in ch.sends], debug)
        handed = None
        if found is None:
            through = _skipped_param(flow.program, server, [op for _f, op in ch.sends], debug)
            if through is not None:
                found, handed = through
        if found is not None:
            bind, name, field, reply, exit_op, region = found
            waiter, wait = waits[0]
            out.append(
                SkippedReply(
                    flow.label(key), server, bind, name, field, reply, exit_op, region, waiter, wait, handed_by=handed
                )
            )
    return out


def _skipped_param(program, server: Function, sends: list[Op], debug: Counter):
    """`_skipped` for a server that gets the request as a parameter (`case r := <-a.reqs: a.serve(r)`):
    every caller passes, in a plain call, a local it bound once by a receive and uses only for that
    call and field reads. Any `return` of the server that skips every reply leaves the caller's
    waiter waiting. ((bind, name, field, reply, exit, region), (caller, its bind)) or None."""
    facts = server.facts
    sels = [E.selector(op.fn) for op in sends]
    if any(s is None or E.ident(s[0]) is None for s in sels):
        return None
    names = {E.ident(s[0]) or "" for s in sels if s is not None}
    fields = {s[1] for s in sels if s is not None}
    params = [p for p, _t in facts.params]
    if len(names) != 1 or len(fields) != 1:
        return None
    name, field = names.pop(), fields.pop()
    if (
        name not in params
        or server.parent is not None
        or any(op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets) for op in facts.ops)
    ):
        return None
    position = params.index(name)
    callers = program.callers(server)
    if not callers:
        return None
    handed: tuple[Function, Op] | None = None
    for caller, call in callers:
        arg = E.ident(call.args[position]) if call.mode == "plain" and position < len(call.args) else None
        bind = _bound_once_by_receive(caller.facts, arg) if arg else None
        if arg is None or bind is None:
            return None
        if _escapes(caller.facts.ops, arg, bind, allow=frozenset({id(call)})) or any(
            _escapes(lit.facts.ops, arg, bind) for lit in caller.nested_literals()
        ):
            debug["GIM102_replies_handed_on"] += 1
            return None
        handed = handed or (caller, bind)
    if handed is None:
        return None
    # the parameter has no binding op in the server: a placeholder that matches none of its ops
    unbound = Op("param", facts.line, facts.col, 0, E.make_ident(name))
    if _escapes(facts.ops, name, unbound) or any(
        _escapes(lit.facts.ops, name, unbound) for lit in server.nested_literals()
    ):
        debug["GIM102_replies_handed_on"] += 1
        return None
    index = {id(op): i for i, op in enumerate(facts.ops)}
    targets = [index[id(op)] for op in sends]
    # `if empty { r.reply <- nil; return }` then a failing step's `return` before the last reply:
    # each reply sits on a branch of its own, and that return skips them all
    for i, t in exits_skipping(facts, targets):
        exit_op = facts.ops[i]
        region = deciding_region(facts, exit_op.region, 0)
        return (handed[1], name, field, facts.ops[t], exit_op, region), handed
    return None


def skipped_handler_replies(flow: ChannelFlow, debug: Counter) -> list[SkippedReply]:
    """The same when the server answers through handlers: `for r := range s.reqs { h, ok :=
    s.handlers[r.op]; if !ok { continue }; h(r) }`, where every function the call `h(r)` may run
    sends `r.reply <- v` on its parameter, once, on every path. The call stands for the reply, and a
    `continue` or `return` of the server before it leaves the caller waiting.

    Judged when the reply field is sent on only by such handlers (two or more of them, or one the
    server reaches through a function value), nothing closes it, some function waits on it with a
    plain receive, and the request is used by the server only through that call and field reads."""
    program = flow.program
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or not ch.sends or ch.closes or not ch.receives:
            continue
        handlers = _reply_handlers(ch)
        if handlers is None:
            continue
        waits = [(fn, op) for fn, op in ch.receives if fn.id not in handlers and op.mode == "expr" and op.select < 0]
        if not waits:
            continue
        calls = {}
        for fid in sorted(handlers):
            handler, position, _send = handlers[fid]
            for caller, call in program.callers(handler):
                if call.mode == "plain" and position < len(call.args) and E.ident(call.args[position]):
                    calls[id(call)] = (caller, call, position)
        for caller, call, position in calls.values():
            targets = program.resolve_call(caller, call)
            if not targets or any(
                t.function.id not in handlers or handlers[t.function.id][1] != position for t in targets
            ):
                continue
            if len(targets) < 2 and E.ident(call.fn) is None:
                continue  # one named callee sending the reply is the ordinary request/reply server
            found = _skipped_call(caller, call, E.ident(call.args[position]) or "", debug)
            if found is not None:
                bind, name, exit_op, region = found
                handler = targets[0].function
                waiter, wait = waits[0]
                field = key.rsplit(".", 1)[-1]
                out.append(
                    SkippedReply(
                        flow.label(key),
                        caller,
                        bind,
                        name,
                        field,
                        call,
                        exit_op,
                        region,
                        waiter,
                        wait,
                        handler=(handler, handlers[handler.id][2]),
                    )
                )
                break
    return out


def skipped_registered_replies(flow: ChannelFlow, debug: Counter) -> list[SkippedReply]:
    """A request's reply channel that the server only registers for a later answer:

        case p := <-n.propc:
            if err := n.storage.Append(e); err != nil {
                return                       // p.reply is neither answered nor registered
            }
            n.track(e.Index, p.reply)        // n.pending[idx] = reply; commit answers it later

    Judged on a struct field channel `T.f` that nothing sends on or closes by that name, some
    function waits on with a plain receive, and one server passes as `r.f` (r bound once by a
    receive) to a function of the tree that stores its parameter as a value of a map field of its
    receiver, where another function takes values out of a map field of that name and sends on them.
    A `return`, `continue` or `break` of the server before that call, in the request's scope, leaves
    the caller waiting (the request used otherwise only by reading its fields)."""
    program = flow.program
    candidates: dict[str, list[tuple[str, list]]] = {}
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or ch.sends or ch.closes or not ch.receives:
            continue
        waits = [(fn, op) for fn, op in ch.receives if op.mode == "expr" and op.select < 0]
        if waits:
            candidates.setdefault(key.rsplit(".", 1)[-1], []).append((key, waits))
    if not candidates:
        return []
    out = []
    answered: dict[str, tuple[Function, Op] | None] = {}  # map field name -> who answers its values
    for server in program.functions:
        for call in server.facts.ops:
            if call.kind != "call" or call.mode != "plain":
                continue
            for position, arg in enumerate(call.args):
                sel = E.selector(arg)
                if sel is None or sel[1] not in candidates or E.ident(sel[0]) is None:
                    continue
                ch_key = flow.key(server, arg)
                waiting = next((w for k, w in candidates[sel[1]] if k == ch_key), None)
                if ch_key is None or waiting is None:
                    continue
                registered = _registers(program, server, call, position, answered)
                if registered is None:
                    continue
                name = str(E.ident(sel[0]))
                found = _skipped_call(server, call, name, debug)
                if found is None:
                    continue
                bind, name, exit_op, region = found
                waiter, wait = next(((f, o) for f, o in waiting if f is not server), waiting[0])
                debug["GIM102_registered_replies_skipped"] += 1
                out.append(
                    SkippedReply(
                        flow.label(ch_key),
                        server,
                        bind,
                        name,
                        sel[1],
                        call,
                        exit_op,
                        region,
                        waiter,
                        wait,
                        registered=registered,
                    )
                )
    return out


def _registers(
    program, fn: Function, call: Op, position: int, answered: dict
) -> tuple[Function, Op, Function, Op] | None:
    """(callee, its store, answerer, its send) when the call's one callee of the tree stores its
    parameter `position` as a value of a map field of its receiver (`n.pending[idx] = reply`) and
    some function sends on a local it took out of a map field of that name (`reply, ok :=
    n.pending[e.Index]`, then `reply <- result{...}`)."""
    targets = program.resolve_call(fn, call)
    if len(targets) != 1:
        return None
    g = targets[0].function
    params = g.facts.params
    recv = g.facts.recv_name
    if position >= len(params) or not params[position][0] or not recv:
        return None
    pname = params[position][0]
    store = None
    for op in g.facts.ops:
        if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1 or not E.is_ident(op.args[0], pname):
            continue
        ix = E.index(op.targets[0])
        sel = E.selector(ix[0]) if ix is not None else None
        if sel is not None and E.is_ident(sel[0], recv):
            store = (op, sel[1])
            break
    if store is None:
        return None
    store_op, field = store
    if field not in answered:
        answered[field] = _answerer(program, field)
    found = answered[field]
    return (g, store_op, *found) if found is not None else None


def _answerer(program, field: str) -> tuple[Function, Op] | None:
    """The first function that sends on a local it took out of a map field named `field`."""
    for h in program.functions:
        taken: set[str] = set()
        for op in h.facts.ops:
            if op.kind == "assign" and op.targets and len(op.args) == 1:
                ix = E.index(op.args[0])
                if ix is not None and E.selected_name(ix[0]) == field and E.ident(op.targets[0]) is not None:
                    taken.add(str(E.ident(op.targets[0])))
            elif op.kind == "send" and E.ident(op.fn) in taken:
                return h, op
    return None


def _reply_handlers(ch) -> dict[int, tuple[Function, int, Op]] | None:
    """function id -> (function, parameter position, its first send) for the functions sending on
    the reply field: each sends only on `p.<field>` of one parameter `p`, straight, on every path
    (no `return` before, no loop or branch around). None when some sender is not such a handler."""
    out: dict[int, tuple[Function, int, Op]] = {}
    for fn, _op in ch.sends:
        if fn.id in out:
            continue
        facts = fn.facts
        own = {id(op) for f, op in ch.sends if f is fn}
        mine = [(i, op) for i, op in enumerate(facts.ops) if id(op) in own]
        params = [p[0] for p in facts.params]
        bases = {E.ident(E.selector_base(op.fn)) for _i, op in mine}
        base = bases.pop() if len(bases) == 1 else None
        if base is None or base not in params or fn.parent is not None:
            return None
        if any(op.select >= 0 or facts.regions[op.region].kind not in STRAIGHT_KINDS for _i, op in mine):
            return None
        if any(
            facts.regions[r].kind not in STRAIGHT_KINDS for _i, op in mine for r in enclosing_regions(facts, op.region)
        ):
            return None
        if returns_skipping(facts, [i for i, _op in mine]):
            return None
        out[fn.id] = (fn, params.index(base), mine[0][1])
    return out


def _skipped_call(server: Function, call: Op, name: str, debug: Counter):
    """(bind, name, exit, region) for a server that binds the request `name` by a receive, uses it
    only in field reads and `call`, and can leave before `call`."""
    facts = server.facts
    bind = _bound_once_by_receive(facts, name)
    if bind is None:
        return None
    if _escapes(facts.ops, name, bind, allow=frozenset({id(call)})) or any(
        _escapes(lit.facts.ops, name, bind) for lit in server.nested_literals()
    ):
        debug["GIM102_replies_handed_on"] += 1
        return None
    scope = bind.region
    b, target = facts.ops.index(bind), facts.ops.index(call)

    def leaves(op: Op) -> bool:
        return op.kind == "return" or (op.kind == "jump" and op.mode in ("continue", "break"))

    for i, _t in returns_skipping(facts, [target], leaves):
        exit_op = facts.ops[i]
        if i <= b or scope not in enclosing_regions(facts, exit_op.region):
            continue
        if exit_op.kind == "jump" and (exit_op.fn is not None or _lands_inside(facts, exit_op, scope)):
            continue
        return bind, name, exit_op, deciding_region(facts, exit_op.region, scope)
    return None


def skipped_pending_replies(program, debug: Counter) -> list[SkippedReply]:
    """The pending-call map: a caller makes `ch := make(chan T, n)`, stores it as `c.pending[id] = ch`
    and waits on a plain `<-ch`; the reader takes it out (`ch, ok := c.pending[id]; delete(c.pending,
    id)`) and answers with `ch <- v` or `close(ch)`. Once the entry is deleted nothing else can find
    the channel, so a `continue`, `break` or `return` of the reader after the delete that skips every
    answer leaves that caller waiting forever.

    Judged when the reader names the channel only in the take, its answers and conditions (no call,
    store or closure gets it), the exit is not decided by the take's `ok` or a nil test of the channel,
    and some method of the same type stores a channel it made into that field and waits on it with a
    plain receive. Counted in `--debug` as `GIM102_pending_replies_skipped`."""
    stores: dict[str, list[tuple[Function, Op]]] = {}
    takes: list[tuple[Function, int, int]] = []  # (reader, index of the take, index of the delete)
    for fn in program.functions:
        ops = fn.facts.ops
        for i, op in enumerate(ops):
            field = map_field_stored(op)
            if field is not None:
                stores.setdefault(field, []).append((fn, op))
            elif op.kind == "call" and E.is_ident(op.fn, "delete") and len(op.args) == 2 and i > 0:
                take = _take_before(ops, i)
                if take is not None:
                    takes.append((fn, take, i))
    out = []
    for reader, t, d in takes:
        facts = reader.facts
        take, gone = facts.ops[t], facts.ops[d]
        sel = E.selector(gone.args[0])
        name = E.ident(take.targets[0])
        if sel is None or name is None or sel[1] not in stores:
            continue
        waits = _pending_waits(program, reader, sel, stores[sel[1]])
        if not waits:
            continue
        found = _skipped_after_delete(reader, t, d, name, debug)
        if found is not None:
            exit_op, reply, region = found
            waiter, wait = waits[0]
            debug["GIM102_pending_replies_skipped"] += 1
            label = f"{E.render(gone.args[0])}[…]"
            taken = (E.render(gone.args[0]), gone)
            out.append(SkippedReply(label, reader, take, name, "", reply, exit_op, region, waiter, wait, taken=taken))
    return out


def taken_from_map_fields(fn: Function) -> dict[str, list[tuple[int, tuple]]]:
    """Local name -> [(index of the op, the map field's selector)] for each `v := x.f[k]` (or `v, ok
    := ...`) of fn, in order: the values a function takes out of a map or slice field, read in one
    pass (callers asking per send would read the function again for each)."""
    out: dict[str, list[tuple[int, tuple]]] = {}
    for k, op in enumerate(fn.facts.ops):
        if op.kind != "assign" or len(op.args) != 1 or not op.targets:
            continue
        ix = E.index(op.args[0])
        sel = E.selector(ix[0]) if ix is not None else None
        name = E.ident(op.targets[0])
        if sel is not None and name is not None:
            out.setdefault(name, []).append((k, sel))
    return out


def _take_before(ops: list[Op], d: int) -> int | None:
    """Index of `ch, ok := m[k]` (or `ch := m[k]`) just before `delete(m, k)` (nothing but calls in
    between: a lock's `Unlock`), taking from the same map with the same key."""
    gone = ops[d]
    for j in range(d - 1, max(-1, d - 4), -1):
        op = ops[j]
        if op.kind == "assign":
            ix = E.index(op.args[0]) if len(op.args) == 1 else None
            if ix is not None and ix[0] == gone.args[0] and ix[1] == gone.args[1] and len(op.targets) in (1, 2):
                return j if op.region == gone.region else None
            return None
        if op.kind != "call":
            return None
    return None


def _pending_waits(program, reader: Function, sel, stores: list[tuple[Function, Op]]) -> list[tuple[Function, Op]]:
    """(waiter, its plain receive) for each store `x.f[k] = ch` of a channel the storing function made
    itself, on a value of the reader's map's holder type, followed by a plain `<-ch` there."""
    holder = program.named(program.type_of(reader, sel[0]) or "")
    out = []
    for fn, store in stores:
        if fn is reader:
            continue
        target = E.index(store.targets[0])
        tsel = E.selector(target[0]) if target is not None else None
        if tsel is None or tsel[1] != sel[1] or program.named(program.type_of(fn, tsel[0]) or "") != holder:
            continue
        ch = E.ident(store.args[0]) or ""
        made = [op for op in fn.facts.ops if op.kind == "assign" and any(E.is_ident(x, ch) for x in op.targets)]
        if len(made) != 1 or len(made[0].args) != 1 or not E.is_make_call(made[0].args[0]):
            continue
        wait = next(
            (
                op
                for op in fn.facts.ops
                if op.kind == "recv"
                and op.mode == "expr"
                and op.select < 0
                and E.is_ident(op.fn, ch)
                and op.line > store.line
            ),
            None,
        )
        if wait is not None and holder is not None:
            out.append((fn, wait))
        elif wait is None and holder is not None:
            out.extend(_waits_on_returned(program, fn, ch))
    return out


def _waits_on_returned(program, maker: Function, ch: str) -> list[tuple[Function, Op]]:
    """(caller, its plain receive) for callers of maker, which registers the channel `ch` and returns
    it (`id, ch := c.register()`), that receive from what they were handed (`ack := <-ch`)."""
    at = {k for op in maker.facts.ops if op.kind == "return" for k, a in enumerate(op.args) if E.is_ident(a, ch)}
    returns = [op for op in maker.facts.ops if op.kind == "return"]
    if len(at) != 1 or not returns or any(len(r.args) <= min(at) for r in returns):
        return []
    position = at.pop()
    out = []
    for caller, call in program.callers(maker):
        if call.mode != "plain":
            continue
        ops = caller.facts.ops
        k = next((i for i, o in enumerate(ops) if o is call), len(ops))
        bind = ops[k + 1] if k + 1 < len(ops) else None
        if bind is None or bind.kind != "assign" or len(bind.args) != 1 or position >= len(bind.targets):
            continue
        called = E.call(bind.args[0])
        if called is None or called[0] != call.fn:
            continue
        local = E.ident(bind.targets[position])
        if not local or local == "_":
            continue
        wait = next(
            (
                o
                for o in ops[k + 1 :]
                if o.kind == "recv" and o.mode == "expr" and o.select < 0 and E.is_ident(o.fn, local)
            ),
            None,
        )
        if wait is not None:
            out.append((caller, wait))
    return out


def _skipped_after_delete(reader: Function, t: int, d: int, name: str, debug: Counter):
    """(exit, the first answer it skips, the deciding region) for a way out of the reader after the
    delete that skips every `name <- v` and `close(name)`; None when there is none, or when the
    channel is handed anywhere."""
    facts = reader.facts
    take = facts.ops[t]
    answers = [
        i
        for i, op in enumerate(facts.ops)
        if i > d
        and (
            (op.kind == "send" and E.is_ident(op.fn, name))
            or (op.kind == "call" and E.is_ident(op.fn, "close") and len(op.args) == 1 and E.is_ident(op.args[0], name))
        )
    ]
    if not answers:
        return None
    allow = frozenset(id(facts.ops[i]) for i in answers)
    if _escapes(facts.ops, name, take, allow=allow) or any(
        _escapes(lit.facts.ops, name, take) for lit in reader.nested_literals()
    ):
        debug["GIM102_replies_handed_on"] += 1
        return None
    ok = E.ident(take.targets[1]) if len(take.targets) == 2 else None
    scope = take.region

    def leaves(op: Op) -> bool:
        return op.kind == "return" or (op.kind == "jump" and op.mode in ("continue", "break"))

    for i, a in returns_skipping(facts, answers, leaves):
        exit_op = facts.ops[i]
        if i <= d or scope not in enclosing_regions(facts, exit_op.region):
            continue
        if exit_op.kind == "jump" and (exit_op.fn is not None or _lands_inside(facts, exit_op, scope)):
            continue
        region = deciding_region(facts, exit_op.region, scope)
        tested = (
            E.idents_in(facts.regions[region].info, set())
            if region >= 0 and E.is_expr(facts.regions[region].info)
            else set()
        )
        if (ok and ok in tested) or name in tested:
            continue  # `if !ok { continue }`: nothing was pending under that key
        return exit_op, facts.ops[a], region
    return None


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
        if recv.mode not in ("expr", "case", "range"):
            continue
        found = _skipped_on_received(server, recv, debug)
        if found is not None:
            bind, name, reply, exit_op, region = found
            out.append(SkippedReply(flow.label(key), server, bind, name, "", reply, exit_op, region, wfn, wait))
    return out


def skipped_paired_replies(flow: ChannelFlow, debug: Counter) -> list[SkippedReply]:
    """Requests and replies on two field channels of one value: the caller sends the request and then
    waits for the answer with a plain receive (`l.f.in <- b; ack := <-l.f.acks`); one server loop is
    the only receiver of the requests and the only sender of the answers, and can leave the round
    that received a request (`continue` on a failed apply, a `return`) before answering: the caller
    waits forever. Judged only when every receive of the answers is such a plain receive right after
    a send on the request channel, on the same value."""
    out = []
    for key in sorted(flow.channels):
        answers = flow.channels[key]
        if not key.startswith("field:") or not answers.sends or not answers.receives or answers.closes:
            continue
        servers = {fn.id for fn, _op in answers.sends}
        if len(servers) != 1:
            continue
        server = answers.sends[0][0]
        pairs = [_paired_request(flow, fn, op) for fn, op in answers.receives]
        if not pairs or any(p is None for p in pairs):
            continue
        request_keys = {p[1] for p in pairs if p is not None}
        if len(request_keys) != 1:
            continue
        requests = flow.channels.get(request_keys.pop())
        if requests is None or requests.closes or any(fn is not server for fn, _op in requests.receives):
            continue
        if len(requests.receives) != 1:
            continue
        recv = requests.receives[0][1]
        sends = [op for _fn, op in answers.sends]
        found = _skipped_after_request(server, recv, sends)
        if found is None:
            continue
        exit_op, reply, region = found
        waiter, wait, request_send = next((p[2], p[3], p[0]) for p in pairs if p is not None)
        debug["GIM102_paired_replies_skipped"] += 1
        out.append(
            SkippedReply(
                flow.label(key),
                server,
                recv,
                E.render(reply.fn),
                "",
                reply,
                exit_op,
                region,
                waiter,
                wait,
                paired=(request_send, flow.label(requests.key)),
            )
        )
    return out


def _paired_request(flow: ChannelFlow, fn: Function, wait: Op):
    """(the send, the request channel's key, fn, wait) when the plain receive wait follows, on its own
    block's straight line, a send on another field channel of the same value (`l.f.in <- b` before
    `<-l.f.acks`); else None."""
    if wait.kind != "recv" or wait.mode != "expr" or wait.select >= 0:
        return None
    base = E.selector_base(wait.fn)
    if base is None:
        return None
    ops = fn.facts.ops
    k = ops.index(wait)
    for op in reversed(ops[:k]):
        if op.region != wait.region:
            return None
        if op.kind in ("return", "jump", "recv"):
            return None
        if op.kind == "send":
            key = flow.key(fn, op.fn)
            if op.select >= 0 or E.selector_base(op.fn) != base or key is None or not key.startswith("field:"):
                return None
            return op, key, fn, wait
    return None


def _skipped_after_request(server: Function, recv: Op, sends: list[Op]):
    """(exit, the answer it skips, the deciding region) for a `continue`, `break` or `return` of the
    server after its receive of the request, in the scope of that receive (its `case`, or the loop's
    body), on a path without an answer."""
    facts = server.facts
    if recv.select >= 0:
        scope = recv.body
    elif recv.mode == "range":
        scope = recv.body
    else:
        scope = recv.region
    if scope is None or scope < 0:
        return None
    k = facts.ops.index(recv)
    targets = [facts.ops.index(op) for op in sends if scope in enclosing_regions(facts, op.region)]
    if not targets:
        return None

    def leaves(op: Op) -> bool:
        return op.kind == "return" or (op.kind == "jump" and op.mode in ("continue", "break"))

    for i, t in exits_skipping(facts, targets, leaves):
        exit_op = facts.ops[i]
        if i <= k or scope not in enclosing_regions(facts, exit_op.region):
            continue
        if exit_op.kind == "jump" and (exit_op.fn is not None or _lands_inside(facts, exit_op, scope)):
            continue
        return exit_op, facts.ops[t], deciding_region(facts, exit_op.region, scope)
    return None


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
    near = k - 1 if recv.mode == "range" else k + 1  # `for r := range in` binds before its receive
    bind = facts.ops[near] if 0 <= near < len(facts.ops) else None
    if bind is None or bind.kind != "assign" or bind.mode != ":=" or len(bind.targets) != 1 or len(bind.args) != 1:
        return None  # `=` assigns a variable that outlives the iteration: a `continue` may reach the reply
    if not _binds_received(facts, bind):
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

    b = max(k, near)
    for i, t in returns_skipping(facts, sends, leaves):
        exit_op = facts.ops[i]
        if i <= b or bind.region not in enclosing_regions(facts, exit_op.region):
            continue
        if exit_op.kind == "jump" and (exit_op.fn is not None or _lands_inside(facts, exit_op, bind.region)):
            continue
        return bind, name, facts.ops[t], exit_op, deciding_region(facts, exit_op.region, bind.region)
    return None


def _skipped(program, server: Function, sends: list[Op], debug: Counter):
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
    bind = _bound_once_by_receive(facts, name)
    if bind is None:
        return None  # bound once, by a receive, and never reassigned
    b = index[id(bind)]
    readers = _readers(program, server, name, field)
    if _escapes(facts.ops, name, bind, readers=readers) or any(
        _escapes(lit.facts.ops, name, bind) for lit in server.nested_literals()
    ):
        debug["GIM102_replies_handed_on"] += 1
        return None
    scope = bind.region
    targets = [index[id(op)] for op in sends]

    def leaves(op: Op) -> bool:
        return op.kind == "return" or (op.kind == "jump" and op.mode in ("continue", "break"))

    # `exits_skipping`: a reply on a branch that leaves right after it (`q.reply <- cached; continue`)
    # is not one the later failing `continue` may have made
    for i, t in exits_skipping(facts, targets, leaves):
        exit_op = facts.ops[i]
        if i <= b or scope not in enclosing_regions(facts, exit_op.region):
            continue  # before the request arrived, or outside the scope that holds it
        if exit_op.kind == "jump" and exit_op.fn is not None:
            continue  # a labelled jump: where it lands is not followed
        if exit_op.kind == "jump" and _lands_inside(facts, exit_op, scope):
            continue  # `break` out of a retry loop inside the handler: the reply after it still runs
        return bind, name, field, facts.ops[t], exit_op, deciding_region(facts, exit_op.region, scope)
    return None


def _binds_received(facts, bind: Op) -> bool:
    """`bind` gives its one name a value just received: `r := <-in`, `case r := <-in:`, or `for r :=
    range in` over a channel (a range over a slice or map binds an index or key, never a request)."""
    arg = bind.args[0]
    if E.unary_operand(arg, "<-") is not None:
        return True
    if arg is None or arg[0] != "range":
        return False
    return any(
        op.kind == "recv" and op.mode == "range" and op.line == bind.line and op.fn == arg[1] for op in facts.ops
    )


def _lands_inside(facts, jump: Op, scope: int) -> bool:
    """An unlabelled `break`/`continue` whose loop (or switch, select) is nested inside `scope`,
    the region holding the request: it leaves only that inner statement (wireguard-go's named
    pipe listener breaks out of its retry loop, then replies)."""
    kinds = ("for", "range") if jump.mode == "continue" else ("for", "range", "switch", "select")
    for r in enclosing_regions(facts, jump.region):
        if facts.regions[r].kind in kinds:
            return r != scope and scope in enclosing_regions(facts, r)
    return False


def _escapes(
    ops: list[Op], name: str, bind: Op, allow: frozenset = frozenset(), readers: frozenset = frozenset()
) -> bool:
    """The request `name` is used other than by reading its fields (or sending on its reply).
    In a literal of the server any use counts: a deferred or spawned closure may answer. Ops in
    `allow` (the sends on a reply channel itself) are not uses, nor is passing it whole to one of
    the calls numbered in `readers` (a callee that only reads its other fields, see `_readers`)."""
    for i, op in enumerate(ops):
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
                if E.call_number(x) in readers:
                    parts += sum(1 for a in E.call_args(x) if E.is_ident(a, name))
            if op.kind == "call" and i in readers and any(e is a for a in op.args) and E.is_ident(e, name):
                parts += 1  # the reading call itself, its argument
            if whole > parts:
                return True
    return False


def _readers(program, fn: Function, name: str, field: str) -> frozenset:
    """Numbers of fn's plain calls that pass the request `name` whole to the one function of the
    tree they reach, whose parameter is never assigned, is used only by reading its fields, never
    names `field` (the reply), and is not captured by a literal (`if err := s.validate(req); err !=
    nil { continue }`): such a callee cannot answer, so the server still owes the reply."""
    found = set()
    for i, op in enumerate(fn.facts.ops):
        if op.kind != "call" or op.mode != "plain":
            continue
        at = [k for k, a in enumerate(op.args) if E.is_ident(a, name)]
        if len(at) != 1:
            continue
        target = program.parameter_at(fn, op, at[0])
        if target is None:
            continue
        callee, param = target
        unbound = Op("param", callee.facts.line, callee.facts.col, 0, E.make_ident(param))
        if callee.nested_literals() or _escapes(callee.facts.ops, param, unbound):
            continue
        if any(
            (o.kind == "assign" and any(E.is_ident(t, param) for t in o.targets))
            or any(_names_field(e, param, field) for e in (o.fn, *o.args, *o.targets))
            for o in callee.facts.ops
        ):
            continue
        found.add(i)
    return frozenset(found)


def _names_field(e, name: str, field: str) -> bool:
    """`name.field` appears in e."""
    if e is None or not E.is_expr(e):
        return False
    return any(E.selector(x) == (E.make_ident(name), field) for x in E.subexprs(e))


@dataclass
class AbandonedReply:
    """`server` answers on the unbuffered reply channel `label` at `reply`, while the requester
    `waiter` waits for that answer in a `select` (`wait`) with another case that leaves the
    function (`leave`, in the case at `case_line`, on `case_chan`)."""

    label: str
    server: Function
    reply: Op
    waiter: Function
    wait: Op
    leave: Op  # the `return` of the other case
    case_line: int
    case_chan: object  # the other case's channel expression (`time.After(d)`, `ctx.Done()`)
    made: Op  # the requester's statement making the channel
    served: bool  # the sender answers requests it received from a channel: a server loop
    maker: Function | None = None  # where `made` is, when not the waiter (the awaiter's constructor)


def abandoned_replies(flow: ChannelFlow, debug: Counter) -> list[AbandonedReply]:
    """The request/reply idiom with a requester that can give up: the reply is a struct field
    channel (by class) made unbuffered, and only, by the functions that wait for it, answered with a
    plain send by one other function, and waited for only in `select` cases, one of which has
    another case that returns (a timeout, `ctx.Done()`). After that return nothing will ever
    receive on this instance, so the sender blocks forever, and a server loop with it."""
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or ch.capacity != 0 or not ch.make_sites or ch.closes:
            continue
        if not ch.sends or not ch.receives or len({fn.id for fn, _op in ch.sends}) != 1:
            continue
        server = ch.sends[0][0]
        if any(op.select >= 0 for _f, op in ch.sends) or any(E.selector(op.fn) is None for _f, op in ch.sends):
            continue
        if any(fn is server or op.mode != "case" for fn, op in ch.receives):
            continue
        waiters = {fn.id for fn, _op in ch.receives}
        # The requester makes its own reply channel, per request; or the waiters are methods of the
        # awaiter holding it, called plainly (`a := &awaiter{reply: make(chan T)}` ... `a.Gather()`),
        # which can only time out (a server loop started with `go` and stopped by a quit is not one).
        holder = key[len("field:") :].rsplit(".", 1)[0]
        awaiter = all(
            f"{fn.pkg.path}#{fn.facts.recv}" == holder and not fn.go_sites for fn, _op in ch.receives
        ) and not any(fn.id in waiters for fn, _op in ch.make_sites)
        if awaiter and _handed_out(flow.program, holder, key.rsplit(".", 1)[-1]):
            continue  # `Chan()` returns it: others may receive after the awaiter gives up
        if not awaiter and any(fn.id not in waiters for fn, _op in ch.make_sites):
            continue
        # A server loop answering requests it receives (`for l := range reqs`) blocks every later one too.
        served = all(_bound_by_receive(flow.program, server, E.selector_base(op.fn)) for _f, op in ch.sends)
        for waiter, wait in ch.receives:
            found = _leaving_case(waiter, wait)
            if found is not None and awaiter and not _timeout(flow.program, waiter, found[1].info[1]):
                continue  # an awaiter that leaves for another reason than time running out
            if found is not None and awaiter and _called_in_endless_loops(flow.program, waiter):
                # `for { batch := b.WaitForBatch(d); ... }`: after a timeout the next call waits again
                debug["GIM102_replies_awaited_again_in_a_loop"] += 1
                continue
            if found is not None:
                leave, case = found
                out.append(
                    AbandonedReply(
                        flow.label(key),
                        server,
                        ch.sends[0][1],
                        waiter,
                        wait,
                        leave,
                        case.line,
                        case.info[1],
                        ch.make_sites[0][1],
                        served,
                        ch.make_sites[0][0],
                    )
                )
                break
        else:
            debug["GIM102_replies_waited_without_a_way_out"] += 1
    return out


def _called_in_endless_loops(program, fn: Function) -> bool:
    """Every call of fn in the tree sits in an endless `for {` loop of its caller (nuclio's batcher
    loop around `WaitForBatch`): a wait that timed out is followed by another one."""
    callers = program.callers(fn)
    if not callers:
        return False
    for caller, op in callers:
        facts = caller.facts
        if not any(
            facts.regions[r].kind == "for" and facts.regions[r].info is None
            for r in enclosing_regions(facts, op.region)
        ):
            return False
    return True


def _handed_out(program, holder: str, field_name: str) -> bool:
    """A method of the holder type returns the channel field (`func (r *R) Chan() <-chan T { return r.ch }`)."""
    path, _, type_name = holder.partition("#")
    pkg = program.packages.get(path)
    methods = [f for (recv, _name), f in pkg.methods.items() if recv == type_name] if pkg is not None else []
    for fn in methods:
        for op in fn.facts.ops:
            if op.kind == "return" and any(E.selected_name(a) == field_name for a in op.args):
                return True
    return False


def _timeout(program, fn: Function, chan) -> bool:
    """chan is a timer's channel: `time.After(d)`, `t.C`, or a local given `time.After(d)` once."""
    name = E.ident(chan)
    if name is not None:
        chan = single_assignment(program, fn, name)
    if chan is not None and E.selected_name(chan) == "C":
        return True
    called = E.call(chan) if chan is not None else None
    ext = program.external_callee(fn, called[0]) if called is not None else None
    return ext is not None and (ext.pkg, ext.recv, ext.name) in (("time", "", "After"), ("time", "", "Tick"))


def _leaving_case(fn: Function, wait: Op):
    """(the `return`, the case region) of another receive case of wait's `select` (no `default`)
    that returns on its straight line."""
    facts = fn.facts
    select = facts.regions[wait.select]
    if select.info is None or select.info[0]:
        return None  # a `default`: the requester polls, and is judged elsewhere
    for op in facts.ops:
        if op.kind != "return":
            continue
        chain = list(enclosing_regions(facts, op.region))
        if wait.select not in chain:
            continue
        case_index = chain[chain.index(wait.select) - 1] if chain.index(wait.select) > 0 else None
        if case_index is None:
            continue
        case = facts.regions[case_index]
        if case.kind != "case" or not case.info or case.info[0] != "recv":
            continue
        if case.info[1] == wait.fn or wait.body in chain:
            continue  # the reply's own case
        between = chain[: chain.index(case_index)]
        if any(facts.regions[r].kind not in STRAIGHT_KINDS for r in between):
            continue
        return op, case
    return None


def _bound_by_receive(program, fn: Function, base) -> bool:
    """base is a local of fn bound from a receive: `for l := range reqs` (reqs a channel), `l := <-reqs`,
    `case l := <-reqs:`."""
    name = E.ident(base)
    if name is None:
        return False
    for op in fn.facts.ops:
        if op.kind != "assign" or len(op.args) != 1 or not any(E.is_ident(t, name) for t in op.targets):
            continue
        value = op.args[0]
        if E.received(value) is not None:
            return True
        ranged = E.ranged(value)
        if ranged is not None and _is_chan(program.underlying(program.type_of(fn, ranged) or "")):
            return True
    return False


def _bound_once_by_receive(facts, name: str) -> Op | None:
    """The one `name := <-in` (or `case name := <-in:`, `for name := range in`) that gives `name` its
    value, when nothing assigns it again; else None."""
    binds = [
        op
        for op in facts.ops
        if op.kind == "assign"
        and op.mode == ":="
        and len(op.targets) == 1
        and E.is_ident(op.targets[0], name)
        and len(op.args) == 1
        and _binds_received(facts, op)
    ]
    if len(binds) != 1 or any(E.is_ident(t, name) for op in facts.ops if op is not binds[0] for t in op.targets):
        return None
    return binds[0]
