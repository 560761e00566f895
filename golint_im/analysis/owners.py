"""Resources a goroutine owns without acquiring them: a connection it is given and closes on one path.

An accept loop gives each connection to the goroutine that serves it,
either as the argument of a function every caller starts with `go`
(`go handle(conn)`) or captured by the literal it starts (`go func() {
... }()`). The starter lets go of it there (the ownership walk counts
the hand-off as giving it away), so the goroutine must close it on every
path. When its body closes the connection on one path, its author has
said so; the paths that drop it (an early `return` when the greeting
cannot be read, the end of a session that did not fail) are leaks, found
by the same path walk as for an acquisition (`leaks.Walk.run_owned`).

Kept narrow, for precision:

* only kinds whose resource is the value itself and is not a stream
  (a connection, a listener, a client connection), and not in test files;
* a parameter: the function is started with `go` by every caller in the
  tree (a literal: where it is written; its results, if any, are dropped,
  so no caller can learn whether it was closed), or is a method returning
  nothing with no caller in the tree (an interface's handler, called from
  another package), or is called by one function of the tree that passes
  a local and never looks at it again after the call (so nobody else can
  close it on the function's failure); and it
  closes the parameter itself, with a plain call in a block that then
  returns (`conn.Close(); return`): the author's own failure handling;
* a captured variable: assigned once, from an acquisition, in the
  function that starts the goroutine, which does not close it itself.

Each candidate left out is counted in `--debug` (`gim2xx_owned_*`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from golint_im.expr import (
    call,
    funclit,
    ident,
    idents_in,
    index,
    is_ident,
    make_ident,
    op_number,
    ranged,
    selected_name,
    selector,
    selector_base,
)
from golint_im.facts import Op
from golint_im.program import Program
from golint_im.symbols import Function

from .closed_values import _acquiring_op
from .leaks import Walk
from .paths import Container, Leak
from .regions import assignments_to, op_mentions, ops_with_literals
from .registered_conns import KeptEntry, kept_in_unclosed_map
from .resources import CLOSER_INTERFACES, RELEASE, Holder, Kind, Origin, OwnedHere

if TYPE_CHECKING:
    from .ownership import Analysis


def owned_leaks(an: Analysis, fn: Function, reported: set[int]) -> Iterator[Leak]:
    """The leaks of what fn's goroutines own: fn's own parameters, and what the literals fn starts capture.

    `reported`: ids of fn's acquisition ops that already have a leak (one finding per acquisition).
    """
    if fn.file.is_test or fn.file.generated:
        return
    yield from _parameter_leaks(an, fn)
    yield from _captured_leaks(an, fn, reported)


def _owned_kind(kind: Kind | None) -> bool:
    """A kind whose resource is the value itself, closed by its own closer: not a stream, not a body."""
    return kind is not None and not kind.stream and not kind.suffix


def _parameter_leaks(an: Analysis, fn: Function) -> Iterator[Leak]:
    f = fn.facts
    if not f.params:
        return
    for pname, ptype in f.params:
        if not pname or pname == "_":
            continue
        qualified = an.program.qualify(ptype, fn.file)
        named = Program.named(qualified)
        kind = next(
            (k for k in an.kinds.values() if named is not None and (named in k.types or named in k.stream_types)),
            None,
        )
        if kind is None and named is not None:  # `type Conn = net.Conn` in a package of the tree
            embedded = _embedded_resource_type(an, named)
            named = embedded or Program.named(an.program.underlying(qualified))
            kind = next((k for k in an.kinds.values() if named is not None and named in k.types), None)
        if kind is None and named in CLOSER_INTERFACES:
            kind = _kind_started_with(an, fn, [p for p, _t in f.params].index(pname))
        if kind is None and named is not None:
            kind = _wrapped_kind(an, named)  # `c *ws.Conn`, a struct of the tree whose Close closes its net.Conn
        if kind is None or not _owned_kind(kind):
            continue
        close = _closed_then_returns(fn, pname, kind)
        by_callee = close is None
        close = close or _handed_to_a_closer_last(an, fn, pname, kind)
        if close is None:
            closes = _closes_anywhere(fn, pname, kind)
            kept = kept_in_unclosed_map(an, fn, pname, kind) if not closes else None
            if kept is not None:
                yield _kept_entry_leak(fn, pname, kind, kept)
            elif not closes:
                yield from _pooled_leak(an, fn, pname, kind)
            continue
        an.debug["gim2xx_owned_parameter_candidates"] += 1
        index = [p for p, _t in f.params].index(pname)
        let_go = None
        if not _started_as_goroutine(an, fn, results=bool(f.results), index=index):
            let_go = _callers_let_go(an, fn, index)
            if let_go is None:
                an.debug["gim2xx_owned_parameter_borrowed"] += 1
                continue
        elif _kept_by_starter(an, fn, index):
            an.debug["gim2xx_owned_parameter_registered"] += 1
            continue
        start = Op("param", f.line, f.col, 0, make_ident(pname))
        # a session's stream is called one in the finding (the catalog names what its streams' constructors open)
        base = min(kind.session_streams) if named in kind.stream_types and kind.session_streams else ""
        handed = None
        if let_go is None:
            handed = next((c for c, op in an.program.callers(fn) if op.mode != "go"), None)
        owned = OwnedHere(pname, fn, close, False, let_go, handed, close_by_callee=by_callee)
        origin = Origin(kind, 0, base, owned=owned)
        if not an.budget.charge(fn, len(f.ops) + 1):
            continue
        leak = Walk(an, fn, start, origin).run_owned(pname)
        if leak is not None:
            yield leak
        elif let_go is None:
            kept = kept_in_unclosed_map(an, fn, pname, kind)
            if kept is not None:
                yield _kept_entry_leak(fn, pname, kind, kept)


def _pooled_leak(an: Analysis, fn: Function, pname: str, kind: Kind) -> Iterator[Leak]:
    """A pool's `Put(c)`: a method that keeps its parameter in a field of its receiver (`p.idle =
    append(p.idle, c)`) whose values another method of the type closes (the pool's `Close`), on one
    path, and returns without keeping or closing it on another (`if len(p.idle) >= p.maxIdle {
    return }`), while every caller in the tree lets go of the value at the call. The pool owns what
    it is given: the path that neither keeps nor closes it leaks it."""
    pooled = _kept_in_a_closed_field(an, fn, pname, kind)
    if pooled is None:
        return
    index = [p for p, _t in fn.facts.params].index(pname)
    callers = [(c, op) for c, op in an.program.callers(fn) if not c.file.is_test]
    let_go = [_caller_lets_go(caller, op, index, an) for caller, op in callers]
    if not callers or any(g is None for g in let_go):
        an.debug["gim2xx_pooled_parameters_borrowed"] += 1
        return
    if not an.budget.charge(fn, len(fn.facts.ops) + 1):
        return
    an.debug["gim2xx_pooled_parameters"] += 1
    f = fn.facts
    start = Op("param", f.line, f.col, 0, make_ident(pname))
    origin = Origin(kind, 0, "", owned=OwnedHere(pname, fn, None, False, let_go[0], pooled=pooled))
    leak = Walk(an, fn, start, origin).run_owned(pname)
    if leak is not None:
        yield leak


def _kept_in_a_closed_field(an: Analysis, fn: Function, pname: str, kind: Kind) -> tuple | None:
    """(the store, `recv.field`, the closing method) when method fn's one mention of its parameter that
    keeps it is `recv.f = append(recv.f, p)` or `recv.f[k] = p`, and another method of the type ranges
    over `x.f` closing each value."""
    recv = fn.facts.recv_name
    if not recv or fn.parent is not None or fn.file.is_test:
        return None
    stores = []
    for op in ops_with_literals(fn):
        if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
            continue
        target, value = op.targets[0], op.args[0]
        entry = index(target)
        field = selected_name(entry[0]) if entry is not None else None
        if entry is not None and field is not None and is_ident(selector_base(entry[0]), recv):
            if is_ident(value, pname):
                stores.append((op, field))
                continue
        called = call(value)
        appended = selected_name(target)
        if (
            called is not None
            and appended is not None
            and is_ident(called[0], "append")
            and len(called[1]) == 2
            and is_ident(called[1][1], pname)
            and is_ident(selector_base(target), recv)
            and selected_name(called[1][0]) == appended
            and is_ident(selector_base(called[1][0]), recv)
        ):
            stores.append((op, appended))
    if len(stores) != 1:
        return None
    store, field = stores[0]
    closer = _closes_field_values(an, fn, field, kind)
    if closer is None:
        return None
    return store, f"{recv}.{field}", closer


def _closes_field_values(an: Analysis, fn: Function, field: str, kind: Kind) -> Function | None:
    """Another method of fn's type that ranges over `x.field` and closes each value (`for _, c :=
    range p.idle { c.Close() }`)."""
    for g in an.program.package_functions(fn.pkg.path):
        if g is fn or g.facts.recv != fn.facts.recv or not g.facts.recv_name:
            continue
        values = set()
        for o in g.facts.ops:
            over = selector(ranged(o.args[0])) if o.kind == "assign" and len(o.args) == 1 else None
            if over is not None and is_ident(over[0], g.facts.recv_name) and over[1] == field and o.targets:
                values.add(ident(o.targets[-1]))
        values.discard(None)
        if any(
            o.kind == "call" and selected_name(o.fn) in kind.closers and ident(selector_base(o.fn)) in values
            for o in g.facts.ops
        ):
            return g
    return None


def _caller_lets_go(caller: Function, op: Op, index: int, an: Analysis) -> tuple | None:
    """(caller, call, local) when the call passes a local of the caller at `index` that the caller never
    mentions again after it (see _callers_let_go)."""
    name = ident(op.args[index]) if op.mode != "go" and index < len(op.args) else None
    if name is None or name in an.params(caller) or _mentioned_after(caller, op, name):
        return None
    return caller, op, name


def _kept_entry_leak(fn: Function, pname: str, kind: Kind, kept: KeptEntry) -> Leak:
    """The leak of an owned connection kept only in a registry map nothing closes (registered_conns)."""
    f = fn.facts
    return Leak(
        "entry-never-closed",
        f.line,
        f.col,
        container=Container("map", f"{f.recv_name}.{kept.field}"),
        fn=fn,
        op=Op("param", f.line, f.col, 0, make_ident(pname)),
        origin=Origin(kind, 0, "", owned=OwnedHere(pname, fn, None, False)),
        kept_entry=kept,
    )


def _closes_anywhere(fn: Function, name: str, kind: Kind) -> bool:
    """fn or a closure in it calls a closer on `name` anywhere."""
    return any(
        o.kind == "call" and selected_name(o.fn) in kind.closers and is_ident(selector_base(o.fn), name)
        for o in ops_with_literals(fn)
    )


def _kind_started_with(an: Analysis, fn: Function, index: int) -> Kind | None:
    """The one kind of resource every caller of fn starts it with, by `go`, at parameter `index`: a
    local of the caller assigned once from an acquisition (`c, err := ln.Accept(); go handle(c)`)."""
    kinds = set()
    callers = an.program.callers(fn)
    for caller, op in callers:
        name = ident(op.args[index]) if op.mode == "go" and index < len(op.args) else None
        acquired = _acquired_once(an, caller, name) if name is not None else None
        if acquired is None:
            return None
        kinds.add(acquired[1].kind.name)
    if len(kinds) != 1:
        return None
    return an.kinds.get(kinds.pop())


def _wrapped_kind(an: Analysis, named: str) -> Kind | None:
    """The kind of the catalog resource a struct of the tree wraps: a field of a catalog type that the
    struct's own closer releases (`type Conn struct { nc net.Conn }` with `Close` calling
    `c.nc.Close()`). A value of it then holds that resource, and closing it closes the resource."""
    path, _, tname = named.partition("#")
    pkg = an.program.packages.get(path)
    entry = pkg.types.get(tname) if pkg is not None else None
    if entry is None or entry[0].kind != "struct":
        return None
    for fname, ftype, _embedded in entry[0].members:
        qualified = Program.named(an.program.qualify(ftype, entry[1])) if isinstance(ftype, str) else None
        for k in an.kinds.values():
            if qualified is not None and qualified in k.types and _owned_kind(k):
                if an.field_closer(named, (fname,), k) is not None:
                    return k
    return None


def _embedded_resource_type(an: Analysis, named: str) -> str | None:
    """The catalog type an interface of the tree embeds (`type Conn interface { net.Conn; ID()
    string }`): a value of it is that resource, with more methods."""
    path, _, tname = named.partition("#")
    pkg = an.program.packages.get(path)
    entry = pkg.types.get(tname) if pkg is not None else None
    if entry is None or entry[0].kind != "interface":
        return None
    for embedded in entry[0].embeds:
        qualified = Program.named(an.program.qualify(embedded, entry[1])) if isinstance(embedded, str) else None
        if qualified is not None and any(qualified in k.types for k in an.kinds.values()):
            return qualified
    return None


def _closed_then_returns(fn: Function, name: str, kind: Kind) -> Op | None:
    """fn's own plain `name.Close()` in a block that also returns (`conn.Close(); return`), or as
    the body's last statement (`w.Flush(); c.Close()`), if any;
    else its `defer name.Close()` that comes after a `return` (`if err := auth(c); err != nil {
    return }; defer c.Close()`): the author closes it, but not on the way out before the defer."""
    ops = fn.facts.ops
    for o in _last_calls(fn):
        if selected_name(o.fn) in kind.closers and is_ident(selector_base(o.fn), name):
            return o
    first_return = next((i for i, o in enumerate(ops) if o.kind == "return"), None)
    if first_return is None:
        return None
    for o in ops[first_return + 1 :]:
        if o.kind == "call" and o.mode == "defer" and o.region == 0:
            if selected_name(o.fn) in kind.closers and is_ident(selector_base(o.fn), name):
                return o
    return None


def _handed_to_a_closer_last(an: Analysis, fn: Function, name: str, kind: Kind) -> Op | None:
    """fn's plain call handing `name` to a function of the tree that releases it (`s.session(dev, c)`,
    whose `defer conn.Close()` closes it), as the body's last statement or in a block that then
    returns: the author's own end of the value's life, on the path that reaches it."""
    for o in _last_calls(fn):
        if not any(is_ident(a, name) for a in o.args) or not an.program.resolve_call(fn, o):
            continue
        if an.op_effect(fn, o, {name: Holder(name, kind.suffix)}, kind) == RELEASE:
            return o
    return None


def _last_calls(fn: Function) -> Iterator[Op]:
    """fn's plain calls in a block that also returns, or as the body's last statement (`w.Flush();
    c.Close()` at the end): where an author ends a value's life on a path."""
    ops = fn.facts.ops
    returning = {o.region for o in ops if o.kind == "return"}
    last_top = max((i for i, o in enumerate(ops) if o.region == 0), default=-1)
    for i, o in enumerate(ops):
        if o.kind == "call" and o.mode == "plain" and (o.region in returning or i == last_top):
            yield o


def _started_as_goroutine(an: Analysis, fn: Function, results: bool = False, index: int | None = None) -> bool:
    """Every caller in the tree starts fn with `go`; or fn is a method no code of the tree calls.

    A literal qualifies when the function around it starts it with `go` where it is written
    (`go func(c net.Conn) { ... }(conn)`). A function with results (`handle(conn) error`)
    qualifies only through callers that all start it with `go`, which drops the results: a
    method nothing in the tree calls may be called by code that reads them.
    """
    outer = fn.parent
    if outer is not None:
        for op in outer.facts.ops:
            at = funclit(op.fn) if op.kind == "call" and op.mode == "go" else None
            if at is not None and an.program.literal(outer, at) is fn:
                return True
        return False
    callers = an.program.callers(fn)
    if not callers:
        return bool(fn.facts.recv) and not results
    if all(op.mode == "go" for _caller, op in callers):
        return True
    if index is None:
        return False
    # Some callers hand on a connection they own themselves as their last word (`func (m *Mixed)
    # handle(c net.Conn) { ...; http.HandleConn(c) }`, m.handle started with `go`): fn owns it then too.
    return all(op.mode == "go" or _hands_on_own(an, caller, op, index) for caller, op in callers)


def _hands_on_own(an: Analysis, caller: Function, op: Op, index: int) -> bool:
    """caller passes, at `index`, a parameter of its own that it owns (every caller of it starts it
    with `go`, or it is a literal started with `go` where it is written: `go func(c net.Conn) { if
    err := s.relay(c); ... }(c)`) and never mentions again after the call (nor in a defer or a
    closure)."""
    if op.mode != "plain" or index >= len(op.args) or caller.facts.results:
        return False
    name = ident(op.args[index])
    if name is None or name not in an.params(caller):
        return False
    if not _started_as_goroutine(an, caller):
        return False
    if _mentioned_after(caller, op, name):
        return False
    an.debug["gim2xx_owned_parameters_handed_on"] += 1
    return True


def _callers_let_go(an: Analysis, fn: Function, index: int) -> tuple | None:
    """(caller, call, local) when fn's one caller in the tree passes a local at `index` and never
    mentions it again after the call, nor in a defer or a closure (`c, err := s.handshake(conn); if
    err != nil { continue }`; a later assignment to it is a mention too): whatever fn does not
    close, nobody closes. A caller that looks at the value again may close it on fn's failure
    (borrowed): None, as for several callers."""
    callers = an.program.callers(fn)
    if len(callers) != 1 or fn.parent is not None:
        return None
    caller, op = callers[0]
    let_go = _caller_lets_go(caller, op, index, an)
    if let_go is not None:
        an.debug["gim2xx_owned_parameter_let_go"] += 1
    return let_go


def _kept_by_starter(an: Analysis, fn: Function, index: int) -> bool:
    """A function starting fn with `go` also keeps the value somewhere else: stores it in a field,
    a map or a slice (`s.slots = append(s.slots, conn); go s.read(conn)`). Whoever holds that
    registry may close it (a session's `Close` closing every slot): fn is not its only owner."""
    for caller, op in an.program.callers(fn):
        name = ident(op.args[index]) if op.mode == "go" and index < len(op.args) else None
        if name is None:
            continue
        for o in caller.facts.ops:
            if o.kind == "assign" and not all(ident(t) is not None for t in o.targets):
                if name in {n for a in o.args for n in idents_in(a, set())}:
                    return True
    return False


def _mentioned_after(caller: Function, op: Op, name: str) -> bool:
    """caller names `name` after the call op (the statement keeping the call's result aside), in a
    `defer`, or in any closure of its own: it may still close or keep the value."""
    ops = caller.facts.ops
    at = next(i for i, o in enumerate(ops) if o is op)
    later = [
        o
        for i, o in enumerate(ops)
        if (i > at or o.mode == "defer") and not (o.kind == "assign" and any(op_number(a) == at for a in o.args))
    ]
    later.extend(o for lit in caller.nested_literals() for o in ops_with_literals(lit))
    return any(op_mentions(o, name) for o in later)


def _captured_leaks(an: Analysis, fn: Function, reported: set[int]) -> Iterator[Leak]:
    ops = fn.facts.ops
    for op in ops:
        at = funclit(op.fn) if op.kind == "call" and op.mode == "go" else None
        lit = an.program.literal(fn, at) if at is not None else None
        if lit is None or lit.facts.results:
            continue
        used: set[str] = set()
        for o in lit.facts.ops:
            for e in (*o.args, *o.targets, *((o.fn,) if o.kind != "jump" and o.fn is not None else ())):
                idents_in(e, used)
        declared_here = an.program.declared(lit)
        for name in sorted(used - set(declared_here)):
            acquired = _acquired_once(an, fn, name)
            if acquired is None:
                continue
            acq, origin = acquired
            if id(acq) in reported or _closes_itself(an, fn, name, origin.kind):
                continue
            close = _first_close(an, lit, name, origin.kind)
            if close is None and not _let_go_to(an, fn, op, lit, name, origin):
                continue
            an.debug["gim2xx_owned_captured_candidates"] += 1
            if not an.budget.charge(lit, len(lit.facts.ops) + 1):
                continue
            start = Op("param", lit.facts.line, lit.facts.col, 0, make_ident(name))
            owned = replace(origin, owned=OwnedHere(name, lit, close, True))
            leak = Walk(an, lit, start, owned).run_owned(name)
            if leak is not None:
                # Reported at the acquisition, in the function that handed it to the goroutine.
                leak.fn, leak.op = fn, acq
                reported.add(id(acq))
                yield leak


# Methods of a listener or packet socket a server loop calls: a goroutine that serves one usually
# runs for the process, and its socket is closed, if at all, by whoever stops the server.
_SERVED_NOUNS = ("listener", "packet connection")
_SERVING = frozenset(
    {"Accept", "AcceptTCP", "AcceptUnix", "ReadFrom", "ReadFromUDP", "ReadFromUDPAddrPort", "ReadMsgUDP"}
)


def _let_go_to(an: Analysis, fn: Function, go: Op, lit: Function, name: str, origin: Origin) -> bool:
    """The goroutine literal started by `go` is the value's last holder, though it never closes it: fn
    never mentions it after the `go` statement (nor in a defer or another closure), the literal hands
    it to no function of the tree and calls none of its methods but reads and writes, and it is a
    literal that ends (no endless loop around everything). Whatever the goroutine leaves open when it
    ends, nobody closes (a log shipper writing until its channel closes)."""
    kind = origin.kind
    named = kind.name_of(origin.base)
    if fn.file.is_test or lit.facts.results or (named is not None and named.noun in _SERVED_NOUNS):
        return False
    ops = fn.facts.ops
    at = next(i for i, o in enumerate(ops) if o is go)
    later = [o for i, o in enumerate(ops) if i > at or o.mode == "defer"]
    later.extend(o for other in fn.nested_literals() if other is not lit for o in ops_with_literals(other))
    if any(op_mentions(o, name) for o in later):
        return False
    if any(op_mentions(o, name) for inner in lit.nested_literals() for o in ops_with_literals(inner)):
        return False
    kept = {name: Holder(name, kind.suffix)}
    for o in ops[:at]:
        if any(op_mentions(o, n) for n in list(kept)) and an.op_effect(fn, o, kept, kind, scan=True) is not None:
            return False  # handed on or stored before the `go`
    if any(op_mentions(o, n) for o in later for n in kept if n != name):
        return False  # a struct built around it before the `go` (`s := &sub{conn: conn}`), used after it
    holders = {name: kept[name]}
    for o in lit.facts.ops:
        if not op_mentions(o, name):
            continue
        if o.kind == "call" and is_ident(selector_base(o.fn), name) and selected_name(o.fn) in _SERVING:
            return False  # a listener or packet socket the goroutine serves, usually for the process
        if o.kind == "call" and any(is_ident(a, name) for a in o.args) and an.program.resolve_call(lit, o):
            return False  # given to code of the tree (`t.Serve(ln)`): followed by the hand-off rules, not here
        if an.op_effect(lit, o, holders, kind, scan=True) is not None:
            return False  # handed on, stored, released somewhere: not this shape
    an.debug["gim2xx_owned_captured_never_closed"] += 1
    return True


def _acquired_once(an: Analysis, fn: Function, name: str) -> tuple[Op, Origin] | None:
    """(acquiring call, its Origin) when fn's local `name` is assigned once, from an acquisition of the value itself."""
    if name not in an.program.declared(fn) or name in an.params(fn):
        return None
    found = list(assignments_to(fn, name))
    if len(found) != 1:
        return None
    at = _acquiring_op(an, fn, *found[0])
    if at is None or fn.facts.ops[at[0]].kind != "call":
        return None
    n, result, _value = at
    acq = fn.facts.ops[n]
    origin = an.acquisition(fn, acq)
    if origin is None or not _owned_kind(origin.kind) or origin.result != result:
        return None
    if origin.collection or origin.suffix or origin.filled is not None:
        return None
    return acq, origin


def _closes_itself(an: Analysis, fn: Function, name: str, kind: Kind) -> bool:
    """fn calls `name.Close()` in its own body (a deferred close, say): the goroutine only borrows it."""
    found = any(
        o.kind == "call" and selected_name(o.fn) in kind.closers and is_ident(selector_base(o.fn), name)
        for o in fn.facts.ops
    )
    if found:
        an.debug["gim2xx_owned_captured_starter_closes"] += 1
    return found


def _first_close(an: Analysis, lit: Function, name: str, kind: Kind) -> Op | None:
    """The literal's first own plain call that releases `name` (directly or through a struct built around it)."""
    holders = {name: Holder(name, kind.suffix)}
    for o in lit.facts.ops:
        eff = an.op_effect(lit, o, holders, kind, scan=True)
        if eff == RELEASE and o.kind == "call" and o.mode in ("plain", "defer") and funclit(o.fn) is None:
            return o
    return None
