"""A subscription channel an unsubscribe drops from its broker without closing it.

    func (b *Broker) Subscribe(topic string) <-chan Msg {
        ch := make(chan Msg, 8)
        b.subs[topic][ch] = struct{}{}    // kept in a map field of the broker
        return ch
    }
    func (b *Broker) Unsubscribe(topic string, ch <-chan Msg) {
        delete(b.subs[topic], ch)         // dropped, not closed
    }

    ch := b.Subscribe("orders")
    go func() { for m := range ch { ... } }()   // ends only when ch is closed
    ...
    b.Unsubscribe("orders", ch)                 // and now nothing ever will

A subscriber ranging over its channel stops only when the channel is closed.
The broker closes the channels it still holds (a `Close` ranging over the
map), or none at all; either way, once an unsubscribe has deleted the entry
without closing it, nothing can close that channel, and the subscriber's
range waits forever (and whoever waits for the subscriber with it).

Judged only with the whole life in sight: a method of the broker makes the
channel, stores it in a map field of its receiver (as a key or a value, at
any depth) and returns it; a method of the same type deletes from that map
field and neither it, its closures nor the functions it calls close any
channel; that method is called somewhere, and no caller closes a channel it
passes to it (`d.RemoveWatcher(c.ch); close(c.ch)`); neither the subscribing
method nor a goroutine it starts closes the channel; and a caller of the subscribing
method ranges over the returned channel (held in a local assigned once, or
in a field of a struct literal it builds) in a loop with no other way out.
Counted in `--debug` as `GIM102_dropped_subscriptions`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program
from .regions import assignments_to, leaves_right_after, ops_with_literals
from .unpaired import range_exits


@dataclass
class DroppedSubscription:
    """An unsubscribe that deletes a subscriber's channel from the broker's map without closing it."""

    subscribe: Function  # makes, stores and returns the channel
    store: Op  # the store into the map field
    field: str  # the map field of the receiver: `subs`
    unsubscribe: Function
    delete: Op  # `delete(b.subs[topic], ch)`
    ranger: Function  # ranges over the returned channel
    range_op: Op
    caller: Function  # the caller of subscribe the channel came back to
    call: Op


def dropped_subscriptions(program: Program, debug: Counter) -> list[DroppedSubscription]:
    out = []
    for sub in program.functions:
        recv = sub.facts.recv_name
        if not recv or sub.parent is not None:
            continue
        stored = _stored_and_returned(sub, recv)
        if stored is None:
            continue
        name, field, store, position = stored
        deleting = _deleting_methods(program, sub, field)
        if not deleting:
            continue
        ranger = _ranging_subscriber(program, sub, position)
        if ranger is None:
            continue
        unsub, delete = deleting[0]
        debug["GIM102_dropped_subscriptions"] += 1
        out.append(DroppedSubscription(sub, store, field, unsub, delete, *ranger))
    return out


def _map_field(e, recv: str) -> str | None:
    """`f` of `recv.f[k]`, `recv.f[a][b]` (or `recv.f` itself): the receiver's field the index chain starts at."""
    while (ix := E.index(e)) is not None:
        e = ix[0]
    sel = E.selector(e)
    return sel[1] if sel is not None and E.is_ident(sel[0], recv) else None


def _stored_and_returned(sub: Function, recv: str) -> tuple[str, str, Op, int] | None:
    """(local, map field, store op, result position) when sub makes a channel in a local assigned
    once, stores it in a map field of its receiver (`b.subs[t][id] = ch`, `b.subs[t][ch] = x`) and
    returns it; None otherwise."""
    ops = sub.facts.ops
    made = [
        (E.ident(op.targets[0]), op)
        for op in ops
        if op.kind == "assign" and len(op.targets) == 1 and len(op.args) == 1 and E.is_make_call(op.args[0])
    ]
    for name, _make in made:
        if name is None or not _assigned_once(sub, name):
            continue
        store = field = None
        for op in ops:
            if op.kind != "assign" or len(op.targets) != len(op.args):
                continue
            for t, v in zip(op.targets, op.args, strict=True):
                ix = E.index(t)
                if ix is None:
                    continue
                if E.is_ident(v, name) or E.is_ident(ix[1], name):
                    store, field = op, _map_field(t, recv) or _entry_local_field(sub, ix[0], recv)
        if store is None or field is None:
            continue
        at = {id(o): k for k, o in enumerate(ops)}
        stored_at = at[id(store)]
        if any(
            o.kind == "call"
            and E.is_ident(o.fn, "close")
            and o.args
            and E.is_ident(o.args[0], name)
            and not (at.get(id(o), stored_at) < stored_at and leaves_right_after(sub.facts, at[id(o)]))
            for o in ops_with_literals(sub)
        ):
            # Closed by sub or the goroutine it starts (a forwarder closing when its source does);
            # not `if b.closed { close(ch); return ch }` before the store: a closed broker's answer.
            continue
        returns = [o for o in ops if o.kind == "return"]
        positions = {next((i for i, a in enumerate(r.args) if E.is_ident(a, name)), -1) for r in returns}
        if len(positions) != 1 or -1 in positions:
            continue  # returned on every way out, at one position
        return name, field, store, positions.pop()
    return None


def _deleting_methods(program: Program, sub: Function, field: str) -> list[tuple[Function, Op]]:
    """Methods of sub's type that delete from the map field and close no channel, and are called."""
    found = []
    for fn in program.package_functions(sub.pkg.path):
        recv = fn.facts.recv_name
        if fn is sub or not recv or fn.parent is not None or fn.facts.recv != sub.facts.recv:
            continue
        delete = next(
            (
                op
                for op in fn.facts.ops
                if op.kind == "call"
                and E.is_ident(op.fn, "delete")
                and op.args
                and _deleted_from(fn, op.args[0], recv) == field
                and program.declaring_function(fn, "delete") is None
            ),
            None,
        )
        if delete is None or _closes_any(program, fn) or not program.callers(fn):
            continue
        if any(_closes_what_it_passed(caller, call) for caller, call in program.callers(fn)):
            continue  # `d.RemoveWatcher(c.ch); close(c.ch)`: the subscriber closes its own channel
        found.append((fn, delete))
    return found


def _entry_local_field(fn: Function, e, recv: str) -> str | None:
    """The map field a local stands for when fn only ever gives it an entry of that field or a fresh
    map it then stores there (`m := b.subs[t]; if m == nil { m = make(...); b.subs[t] = m }`)."""
    name = E.ident(e)
    if name is None:
        return None
    fields = set()
    for op, ti in assignments_to(fn, name):
        v = op.args[ti] if len(op.args) == len(op.targets) else None
        if v is not None and E.index(v) is not None and _map_field(v, recv) is not None:
            fields.add(_map_field(v, recv))
        elif not E.is_make_call(v):
            return None
    for op in fn.facts.ops:
        if op.kind == "assign" and len(op.args) == len(op.targets):
            fields.update(_map_field(t, recv) for t, v in zip(op.targets, op.args, strict=True) if E.is_ident(v, name))
    fields.discard(None)
    return fields.pop() if len(fields) == 1 else None


def _deleted_from(fn: Function, e, recv: str) -> str | None:
    """The map field of the receiver a `delete` works on: named in place (`delete(b.subs[t], ch)`),
    or through a local given one entry of it once (`if m := b.subs[t]; m != nil { delete(m, ch) }`)."""
    field = _map_field(e, recv)
    name = E.ident(e)
    if field is not None or name is None:
        return field
    values = [op.args[ti] for op, ti in assignments_to(fn, name) if len(op.args) == len(op.targets)]
    if len(values) != 1 or E.index(values[0]) is None:
        return None
    return _map_field(values[0], recv)


def _closes_what_it_passed(caller: Function, call: Op) -> bool:
    """The caller also closes an argument it passes to the unsubscribe (`close(c.ch)`)."""
    passed = {E.render(a) for a in call.args}
    return any(
        o.kind == "call" and E.is_ident(o.fn, "close") and o.args and E.render(o.args[0]) in passed
        for o in ops_with_literals(caller)
    )


def _closes_any(program: Program, fn: Function) -> bool:
    """fn, its closures or a function of the tree it calls call `close`."""
    for op in ops_with_literals(fn):
        if op.kind != "call":
            continue
        if E.is_ident(op.fn, "close"):
            return True
        for t in program.resolve_call(fn, op):
            if any(o.kind == "call" and E.is_ident(o.fn, "close") for o in ops_with_literals(t.function)):
                return True
    return False


def _ranging_subscriber(program: Program, sub: Function, position: int) -> tuple[Function, Op, Function, Op] | None:
    """(ranger, its range, caller, call) for a caller of sub that ranges over the returned channel,
    kept in a local assigned once or a field of a struct literal, with no way out of the loop."""
    for caller, call in program.callers(sub):
        if call.mode != "plain":
            continue
        for text in _result_held_as(caller, call, position):
            for fn in [caller, *caller.nested_literals()]:
                for op in fn.facts.ops:
                    if (
                        op.kind == "recv"
                        and op.mode == "range"
                        and E.render(op.fn) == text
                        and not range_exits(program, fn, op)
                    ):
                        return fn, op, caller, call
            handed = _ranged_by_callee(program, caller, text)
            if handed is not None:
                return (*handed, caller, call)
        straight = _ranged_straight_by_callee(program, caller, call) if position == 0 else None
        if straight is not None:
            return (*straight, caller, call)
    return None


def _ranged_straight_by_callee(program: Program, caller: Function, call: Op) -> tuple[Function, Op] | None:
    """(callee, its range) when the subscribe call is itself an argument of a call to a function of
    the tree that ranges over that parameter (`go a.consume(b.Subscribe("audit"), done)`)."""
    ops = caller.facts.ops
    number = next((i for i, o in enumerate(ops) if o is call), None)
    for op in ops:
        if op.kind != "call" or op.mode not in ("plain", "go") or op is call:
            continue
        at = [k for k, a in enumerate(op.args) if E.op_number(a) == number]
        if len(at) == 1:
            return _ranging_parameter(program, caller, op, at[0])
    return None


def _ranged_by_callee(program: Program, caller: Function, name: str) -> tuple[Function, Op] | None:
    """(callee, its range) when caller hands its local `name` to a function of the tree, plainly or
    with `go` (`go audit.consume(events, done)`), that ranges over that parameter with no other way
    out of the loop and never assigns it."""
    for op in caller.facts.ops:
        if op.kind != "call" or op.mode not in ("plain", "go"):
            continue
        at = [k for k, a in enumerate(op.args) if E.is_ident(a, name)]
        if len(at) != 1:
            continue
        found = _ranging_parameter(program, caller, op, at[0])
        if found is not None:
            return found
    return None


def _ranging_parameter(program: Program, caller: Function, op: Op, k: int) -> tuple[Function, Op] | None:
    """(callee, its range) when the function op calls ranges over its parameter for argument k with
    no other way out of the loop and never assigns it."""
    found = program.parameter_at(caller, op, k, direct=False)
    if found is None:
        return None
    g, param = found
    if any(o.kind == "assign" and any(E.is_ident(t, param) for t in o.targets) for o in g.facts.ops):
        return None
    for o in g.facts.ops:
        if o.kind == "recv" and o.mode == "range" and E.is_ident(o.fn, param) and not range_exits(program, g, o):
            return g, o
    return None


def _result_held_as(caller: Function, call: Op, position: int) -> list[str]:
    """How the caller names the subscribe call's result at position: `ch` (`id, ch := b.Subscribe(t)`,
    ch assigned only there) or `c.ch` (`c := &Counter{ch: b.Subscribe(t)}`, c assigned only there)."""
    out = []
    ops = caller.facts.ops
    for op in ops:
        if op.kind != "assign" or op.line != call.line or len(op.args) != 1:
            continue
        value = op.args[0]
        c = E.call(value)
        if c is not None and c[0] == call.fn:
            target = op.targets[position] if position < len(op.targets) else None
            name = E.ident(target)
            if name and name != "_" and _assigned_once(caller, name):
                out.append(name)
            continue
        lit = E.composite(E.strip_address(value))
        var = E.ident(op.targets[0]) if len(op.targets) == 1 else None
        if lit is None or not var or position != 0 or not _assigned_once(caller, var):
            continue
        for key, v in lit[1]:
            kc = E.call(v)
            if kc is not None and kc[0] == call.fn and E.ident(key):
                out.append(f"{var}.{E.ident(key)}")
    return out


def _assigned_once(fn: Function, name: str) -> bool:
    return len(list(assignments_to(fn, name))) == 1


@dataclass
class UnclosedDelete:
    """A delete of a client from a map that does not close the client's channel, where the
    function's other deletes of that map do, and a pump ranges over that channel."""

    fn: Function
    delete: Op
    closing: Op  # one of the function's deletes that closes the channel
    field: str  # the channel field: `send`
    label: str  # the map as written: `h.clients`
    key: str  # the deleted value as written: `c`
    ranger: Function
    range_op: Op


def unclosed_deletes(program: Program, debug: Counter) -> list[UnclosedDelete]:
    """`case c := <-h.unregister: delete(h.clients, c)` in a hub whose other deletes of the same map
    close the client's channel first (`close(c.send); delete(h.clients, c)`): the unregistered
    client's pump, ranging over `c.send`, never ends. Judged when the keys deleted are plain names,
    the other delete of the function closes `<key>.F` in its own block, this one's block names the
    key nowhere else, a method of the key's type ranges over its receiver's `F`, and every send on a
    `.F` channel is the hub function's own (after the delete nothing sends to that client again, so
    any way out of the range's body, which comes after a value, never comes). Counted in `--debug`
    as `GIM102_deletes_without_the_close`."""
    out = []
    for fn in program.functions:
        deletes = [
            op
            for op in fn.facts.ops
            if op.kind == "call" and E.is_ident(op.fn, "delete") and len(op.args) == 2 and E.ident(op.args[1])
        ]
        if len(deletes) < 2:
            continue
        closing: dict[str, list[tuple[Op, str]]] = {}
        for d in deletes:
            field = _closed_in_block(fn, d)
            if field is not None:
                closing.setdefault(E.render(d.args[0]), []).append((d, field))
        for d in deletes:
            label = E.render(d.args[0])
            if label not in closing or _closed_in_block(fn, d) is not None or _names_key_else(fn, d):
                continue
            other, field = closing[label][0]
            key = E.ident(d.args[1]) or ""
            ranging = _pump_over(program, fn, key, field)
            if ranging is None:
                continue
            debug["GIM102_deletes_without_the_close"] += 1
            out.append(UnclosedDelete(fn, d, other, field, label, key, *ranging))
    return out


def _closed_in_block(fn: Function, d: Op) -> str | None:
    """F when the delete's own block also runs `close(<key>.F)`."""
    key = E.ident(d.args[1])
    for op in fn.facts.ops:
        if op.region != d.region or op.kind != "call" or not E.is_ident(op.fn, "close") or not op.args:
            continue
        sel = E.selector(op.args[0])
        if sel is not None and E.is_ident(sel[0], key or ""):
            return sel[1]
    return None


def _names_key_else(fn: Function, d: Op) -> bool:
    """The delete's block hands the key on or uses it in a call other than the delete itself."""
    key = E.ident(d.args[1]) or ""
    for op in fn.facts.ops:
        if op is d or op.region != d.region or op.kind not in ("call", "send", "assign"):
            continue
        exprs = [op.fn, *op.args] if op.kind != "assign" else list(op.args)
        if any(e is not None and E.is_expr(e) and key in E.idents_in(e, set()) for e in exprs):
            return True
    return False


def _pump_over(program: Program, fn: Function, key: str, field: str) -> tuple[Function, Op] | None:
    """(method, its range) for a method of the key's type ranging over its receiver's `field` with no
    other way out of the loop."""
    named = program.named(program.type_of(fn, E.make_ident(key)) or "")
    if named is None:
        return None
    for g in program.functions:
        recv = g.facts.recv_name
        if not recv or g.parent is not None or f"{g.pkg.path}#{g.facts.recv.lstrip('*')}" != named:
            continue
        for op in g.facts.ops:
            sel = E.selector(op.fn) if op.kind == "recv" and op.mode == "range" else None
            if sel is not None and E.is_ident(sel[0], recv) and sel[1] == field and _only_sender(program, fn, field):
                # every way out of its body comes after a value, and only the hub sends one
                return g, op
    return None


def _only_sender(program: Program, hub: Function, field: str) -> bool:
    """Every send on a `.field` channel anywhere is the hub's own (its broadcast over the map): once
    the entry is deleted, nothing sends to the deleted client's channel again."""
    sends = [
        (f, op)
        for f in program.functions
        for op in f.facts.ops
        if op.kind == "send" and E.selected_name(op.fn) == field
    ]
    return bool(sends) and all(f is hub for f, _op in sends)
