"""Publishers that send to their subscribers while holding the lock the subscribers need.

The pub/sub shape: a type keeps its subscribers' channels in a field
(`subs map[int]chan Event`, `[]chan Event`), filled by a method that makes
each channel unbuffered, stores it and returns it (`Subscribe`). Another
method holds the type's mutex and sends to every subscriber
(`for _, c := range b.subs { c <- e }`). A goroutine that got a channel
from `Subscribe` receives from it and, at some point, calls a method that
takes the same mutex (`Unsubscribe`): while it waits for the mutex it does
not receive, and the publisher, holding the mutex, waits on its send.

Judged when:
- every store into the field in the type's methods is a channel the
  storing method made unbuffered (`make(chan T)`) and returns;
- the send is under a lock of the type (the lock layer's `blocked` events),
  on a channel ranged or indexed from that field of the receiver;
- a function calls the subscribing method, and a goroutine it starts (a
  literal, itself when started by `go`, or the function a `go` statement
  hands the returned channel to as an argument) receives from the returned
  channel and takes the lock's class, directly or through a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program
from .locks import LOCKS, Acquire, BlockedUnderLock, LockModel


@dataclass
class StarvedSubscriber:
    """`blocked`: the publisher's send under the lock; the subscriber `receiver` receives the channel
    `subscribe` returned at `recv` and takes the lock at `lock` (through `via`, a call of `receiver`)."""

    blocked: BlockedUnderLock
    field: str  # `bus.subs`
    subscribe: Function
    subscribe_call: tuple[Function, Op]  # where the subscriber's channel was obtained
    receiver: Function
    recv: Op
    lock: Acquire
    via: Op | None  # the receiver's call that takes the lock (None: it locks directly)


def starved_subscribers(program: Program, model: LockModel, debug: dict) -> list[StarvedSubscriber]:
    debug.setdefault("GIM103_published_channels_without_a_locking_subscriber", 0)
    registries = _registries(program)
    if not registries:
        return []
    out = []
    seen: set[tuple] = set()
    for b in model.blocked:
        if b.kind != "send":
            continue
        field = _field_ranged(b.op_fn, b.op)
        if field is None or (field[0], field[1]) not in registries:
            continue
        key = (b.op_fn.id, b.op.line, b.held.lock.cls)
        if key in seen:
            continue
        seen.add(key)
        publisher_apart = bool(b.fn.go_sites) or any(h.callee.go_sites for h in b.hops)
        found = _subscriber_taking(program, model, registries[(field[0], field[1])], b.held.lock.cls, publisher_apart)
        if found is None:
            debug["GIM103_published_channels_without_a_locking_subscriber"] += 1
            continue
        subscribe, call_site, receiver, recv, lock, via = found
        out.append(StarvedSubscriber(b, field[1], subscribe, call_site, receiver, recv, lock, via))
    return out


def _registries(program: Program) -> dict[tuple[int, str], list[Function]]:
    """(package id, type) of a receiver -> its subscribing methods, for fields every store of which
    (in the type's methods) is an unbuffered channel the method made and returns."""
    stores: dict[tuple[int, str, str], list[tuple[Function, bool]]] = {}
    for fn in program.functions:
        f = fn.facts
        if not f.recv or not f.recv_name:
            continue
        for op in f.ops:
            stored = _stored_channel(op, f.recv_name)
            if stored is None or _removal(op):
                continue
            name, value = stored
            ok = (
                value is not None
                and (_made_unbuffered(fn, value) or _built_with_unbuffered(fn, value))
                and _returned(fn, value)
            )
            stores.setdefault((id(fn.pkg), f.recv, name), []).append((fn, ok))
    out: dict[tuple[int, str], list[Function]] = {}
    for (pkg, recv, name), found in stores.items():
        if all(ok for _fn, ok in found):
            out[(pkg, f"{recv}.{name}")] = [fn for fn, _ok in found]
    return out


def _removal(op: Op) -> bool:
    """`b.subs[t] = append(list[:i], list[i+1:]...)`: the store keeps a slice's own elements, less one
    (an unsubscribe), and adds no value."""
    c = E.call(op.args[0]) if len(op.args) == 1 else None
    if c is None or not E.is_ident(c[0], "append") or len(c[1]) != 2:
        return False
    first, rest = c[1]
    spread = rest[1] if E.is_expr(rest) and rest[0] == "spread" else None
    return E.sliced(first) is not None and spread is not None and E.sliced(spread) == E.sliced(first)


def _stored_channel(op: Op, recv: str) -> tuple[str, str | None] | None:
    """(field, stored local) for `recv.field[k] = c` or `recv.field = append(recv.field, c)`."""
    if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
        return None
    target, value = op.targets[0], op.args[0]
    indexed = E.index(target)
    if indexed is not None:
        target = indexed[0]
    sel = E.selector(target)
    if sel is None or not E.is_ident(sel[0], recv):
        return None
    c = E.call(value)
    if c is not None and E.is_ident(c[0], "append") and len(c[1]) == 2:
        return sel[1], E.ident(c[1][1])  # also `recv.field[k] = append(recv.field[k], c)`: a map of lists
    if indexed is not None:
        return sel[1], E.ident(value)
    return None


def _made_unbuffered(fn: Function, name: str) -> bool:
    assigns = [op for op in fn.facts.ops if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets)]
    if len(assigns) != 1 or len(assigns[0].args) != 1:
        return False
    c = E.call(assigns[0].args[0])
    return c is not None and E.is_make_call(assigns[0].args[0]) and len(c[1]) == 1


def _built_with_unbuffered(fn: Function, name: str) -> bool:
    """`s := &Subscription{ch: make(chan Message), ...}`: a subscription value built once with an
    unbuffered channel field (the publisher sends on `s.ch`)."""
    assigns = [op for op in fn.facts.ops if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets)]
    if len(assigns) != 1 or len(assigns[0].args) != 1:
        return False
    comp = E.composite(E.strip_address(assigns[0].args[0]))
    if comp is None:
        return False
    return any(
        value is not None and E.is_make_call(value) and len((E.call(value) or (None, ()))[1]) == 1
        for _key, value in comp[1]
    )


def _returned(fn: Function, name: str) -> bool:
    return any(op.kind == "return" and any(E.is_ident(a, name) for a in op.args) for op in fn.facts.ops)


def _field_ranged(fn: Function, send: Op) -> tuple[int, str, str] | None:
    """(package id, `Type.field` key, field) when the sent-on channel is ranged or indexed from a
    field of fn's receiver: `for _, c := range b.subs { c <- v }` or `b.subs[k] <- v`."""
    f = fn.facts
    if not f.recv or not f.recv_name:
        return None
    ch = send.fn
    indexed = E.index(ch)
    if indexed is not None:
        sel = E.selector(indexed[0])
        if sel is not None and E.is_ident(sel[0], f.recv_name):
            return id(fn.pkg), f"{f.recv}.{sel[1]}", sel[1]
        return None
    name = E.ident(ch)
    sel = E.selector(ch)
    if name is None and sel is not None:
        name = E.ident(sel[0])  # `s.ch <- v` for a subscription value `s` ranged from the field
    if name is None:
        return None
    for op in f.ops:
        if op.kind != "assign" or not op.targets or not any(E.is_ident(t, name) for t in op.targets):
            continue
        if len(op.args) == 1 and op.args[0] is not None and op.args[0][0] == "range":
            ranged = op.args[0][1]
            inner = E.index(ranged)
            sel = E.selector(inner[0] if inner is not None else ranged)  # `range b.subs[topic]` too
            if sel is not None and E.is_ident(sel[0], f.recv_name) and E.is_ident(op.targets[-1], name):
                return id(fn.pkg), f"{f.recv}.{sel[1]}", sel[1]
    return None


def _subscriber_taking(
    program: Program, model: LockModel, subscribes: list[Function], cls: str, publisher_apart: bool = False
):
    """(subscribe method, its call, the receiving goroutine, its receive, the lock, the call taking it)
    for the first subscriber goroutine that receives the returned channel and takes class cls.

    With `publisher_apart` (the publishing send runs on a goroutine of its own), the function that
    subscribes counts too when it takes the lock before its own receive (`c := h.Join(1); ...;
    h.Leave(1); <-c`): it runs beside the publisher."""
    ids = {s.id for s in subscribes}
    for s in subscribes:
        for r, name, go_op in _started_by_subscribe(program, s):
            recv = next((op for op in r.facts.ops if op.kind == "recv" and _receives_from(program, r, op, name)), None)
            taken = _takes(program, model, r, cls, ids) if recv is not None else None
            if taken is not None:
                return s, (s, go_op), r, recv, taken[0], taken[1]
        for caller, call_op in program.callers(s):
            for r, name, own in _subscriber_routines(program, caller, call_op, publisher_apart):
                recv = next(
                    (op for op in r.facts.ops if op.kind == "recv" and _receives_from(program, r, op, name)), None
                )
                if recv is None:
                    continue
                taken = _takes(program, model, r, cls, ids, before=recv if own else None)
                if taken is not None:
                    return s, (caller, call_op), r, recv, taken[0], taken[1]
    return None


def _started_by_subscribe(program: Program, subscribe: Function):
    """(function, the name it holds the subscription by, the `go` statement) for each goroutine the
    subscribing method starts itself over the value it stores (`h.subs[t] = append(h.subs[t], s);
    go h.serve(s)`): a function the `go` hands the value to, or a goroutine literal seeing it."""
    recv = subscribe.facts.recv_name
    stored = {found[1] for op in subscribe.facts.ops if (found := _stored_channel(op, recv)) and found[1]}
    for op in subscribe.facts.ops:
        if op.kind != "call" or op.mode != "go":
            continue
        for position, arg in enumerate(op.args):
            name = E.ident(arg)
            target = program.parameter_at(subscribe, op, position) if name in stored else None
            if target is not None:
                yield target[0], target[1], op
    for r in subscribe.nested_literals():
        if r.go_sites:
            for name in sorted(stored):
                if program.declaring_function(r, name) is subscribe:
                    yield r, name, r.go_sites[0][1]


def _subscriber_routines(program: Program, caller: Function, call_op: Op, publisher_apart: bool):
    """(function, the name it holds the subscribed channel by, whether it is the subscribing function
    itself running beside the publisher) for each place the channel the call returns is received:
    a `go` statement it is handed to (`go m.consume(b.Subscribe("paid"))`), a goroutine literal of a
    helper it is handed to (`_, ch := c.Watch(); follow(ch, a)`), a goroutine literal of the caller,
    or, with `publisher_apart`, the caller itself."""
    started = _started_with(program, caller, call_op)
    if started is not None:
        yield started[0], started[1], False
    for name in _result_names(caller, call_op):
        for starter, param in _handed_to_starters(program, caller, name):
            for r in starter.nested_literals():
                if r.go_sites and program.declaring_function(r, param) is starter:
                    yield r, param, False
        for r in [caller, *caller.nested_literals()]:
            own = r is caller and publisher_apart and not r.go_sites
            if (r.go_sites or own) and program.declaring_function(r, name) is caller:
                yield r, name, own


def _receives_from(program: Program, fn: Function, op: Op, name: str) -> bool:
    """The receive is from the subscription `name`: the channel itself, its channel field
    (`sub.ch`), or a method of it with no arguments returning its receiver's channel field
    (`for m := range sub.C()`)."""
    if E.is_ident(op.fn, name):
        return True
    sel = E.selector(op.fn)
    if sel is not None and E.is_ident(sel[0], name):
        return True
    c = E.call(op.fn)
    sel = E.selector(c[0]) if c is not None and not c[1] else None
    if sel is None or not E.is_ident(sel[0], name):
        return False
    number = E.call_number(op.fn)
    call = fn.facts.ops[number] if number is not None and 0 <= number < len(fn.facts.ops) else None
    targets = program.resolve_call(fn, call) if call is not None and call.kind == "call" else []
    return len(targets) == 1 and _returns_own_field(targets[0].function)


def _returns_own_field(method: Function) -> bool:
    recv = method.facts.recv_name
    returns = [op for op in method.facts.ops if op.kind == "return"]
    return (
        bool(recv)
        and bool(returns)
        and all(
            len(r.args) == 1 and (sel := E.selector(r.args[0])) is not None and E.is_ident(sel[0], recv)
            for r in returns
        )
    )


def _started_with(program: Program, caller: Function, call_op: Op) -> tuple[Function, str] | None:
    """(goroutine function, its parameter) when the subscribing call is an argument of a `go`
    statement (`go m.consume(bus.Subscribe("paid"))`) reaching one function, whose parameter at that
    position receives the channel."""
    for op in caller.facts.ops:
        if op.kind != "call" or op.mode != "go" or op.line != call_op.line:
            continue
        for position, arg in enumerate(op.args):
            c = E.call(arg)
            if c is not None and c[0] == call_op.fn:
                return program.parameter_at(caller, op, position)
    return None


def _handed_to_starters(program: Program, caller: Function, name: str) -> list[tuple[Function, str]]:
    """(function, its parameter) for each plain call in caller passing the local `name` to one
    function of the tree that starts goroutines (a `go` literal of its own): the subscriber's
    channel handed to the helper that runs its loop."""
    out = []
    for op in caller.facts.ops:
        if op.kind != "call" or op.mode != "plain":
            continue
        for position, arg in enumerate(op.args):
            if not E.is_ident(arg, name):
                continue
            found = program.parameter_at(caller, op, position)
            if found is not None and any(lit.go_sites for lit in found[0].nested_literals()):
                out.append(found)
    return out


def _result_names(caller: Function, call_op: Op) -> list[str]:
    """The locals the call's results are assigned to: `c := b.Subscribe()`, `id, c := b.Subscribe()`."""
    for op in caller.facts.ops:
        if op.kind == "assign" and op.line == call_op.line and len(op.args) == 1:
            c = E.call(op.args[0])
            if c is not None and c[0] == call_op.fn:
                return [n for t in op.targets if (n := E.ident(t)) and n != "_"]
    return []


def _takes(program: Program, model: LockModel, fn: Function, cls: str, skip: set[int], before: Op | None = None):
    """(acquisition, the call reaching it, or None) when fn locks class cls, itself or through a call
    (with `before`: in an op ahead of that one)."""
    for op in fn.facts.ops:
        if op is before:
            return None
        if op.kind != "call" or op.mode not in ("plain", "defer"):
            continue
        name = E.selected_name(op.fn)
        if name in ("Lock", "RLock"):
            found = model.lock_of(fn, op)
            if found is not None and found[0].cls == cls:
                return Acquire(found[0], "w" if name == "Lock" else "r", fn, op, (), found[1]), None
            continue
        for t in program.resolve_call(fn, op):
            if t.function.id in skip:
                continue
            for a in model.summary(t.function).acquires:
                if a.lock.cls == cls and not a.conditional:
                    return a, op
    return None


def _build(ctx: Context) -> list[StarvedSubscriber]:
    return starved_subscribers(ctx.program, ctx.result(LOCKS), ctx.debug)


STARVED_SUBSCRIBERS = Pass(
    "starved-subscribers",
    _build,
    requires=(LOCKS,),
    doc="sends to subscriber channels under a lock that the subscribing goroutine takes",
)
