"""Map fields of resources whose entries a method deletes without closing them.

    type Frontend struct{ listeners map[int]net.Listener }
    func (f *Frontend) Apply(ports []int) {
        for p := range f.listeners {
            if !wanted(p, ports) {
                delete(f.listeners, p)      // the listener stays bound, and nothing can reach it now
            }
        }
    }
    func (f *Frontend) Shutdown() { for _, l := range f.listeners { l.Close() } }

A map field of the receiver whose value type is a resource of the catalog
(`map[int]net.Listener`, `map[string]*grpc.ClientConn`) holds what its
type's methods close: the teardown ranges over it closing every value. An
entry deleted without closing it first is out of the teardown's reach,
and nothing can close it any more.

Evidence required, for precision: some method of the type closes values
of the map (by a range over it, or through an index); the deleting method
neither closes nor reads the entry it deletes (a read, `l := f.listeners[p]`,
may hand it on or close it through the local), nor ranges over the map
closing values; the key is not a value the method got from another
container of the same values. Counted in `--debug` as
`gim2xx_entries_deleted_unclosed`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program
from .ownership import OWNERSHIP
from .regions import ops_with_literals
from .resources import Kind, kinds_by_type


@dataclass(frozen=True)
class DeletedEntry:
    """`delete(recv.field, key)` in fn on a map field of resources, the entry not closed first."""

    fn: Function
    kind: Kind
    type: str  # the value type, "path#Name"
    field: str  # `f.listeners`
    delete: Op
    closer: Function  # a method of the type that closes the map's values
    member: str = ""  # the values are structs of the tree carrying the resource in this field (`conn`)


def deleted_entries(ctx: Context) -> list[DeletedEntry]:
    an = ctx.result(OWNERSHIP)
    program: Program = an.program
    by_type = kinds_by_type(an.kinds)
    an.debug.setdefault("gim2xx_entries_deleted_unclosed", 0)
    an.debug.setdefault("gim2xx_entries_deleted_beside_a_close_of_their_type", 0)
    out = []
    for fn in program.functions:
        recv = fn.facts.recv_name
        if not recv or fn.parent is not None or fn.file.generated:
            continue
        for op in fn.facts.ops:
            if op.kind != "call" or op.mode != "plain" or not E.is_ident(op.fn, "delete") or len(op.args) != 2:
                continue  # `defer delete(m, k)` undoes a registration of the function's own
            if program.declaring_function(fn, "delete") is not None:
                continue
            sel = E.selector(op.args[0])
            if sel is None or not E.is_ident(sel[0], recv):
                continue
            recv_type = program.named(program.qualify(fn.facts.recv, fn.file))
            ftype = program.field_type(recv_type, sel[1]) if recv_type else None
            value = program.elem(ftype[0]) if ftype is not None and ftype[0].startswith("map[") else None
            if value and "#" in value:
                named = program.named(value)  # the field's type came qualified: `*path#backend`
            else:
                named = program.named(program.qualify(value, fn.file)) if value else None
            member, kind, named = resource_of_element(program, by_type, named)
            if kind is None and value:
                # `map[string]*list.Element` of an LRU: what the type's own closer closes through an
                # entry (`el.Value.(*entry).conn.Close()`) says where the resource sits in it
                reached = _closed_through_entries(program, fn, sel[1], by_type)
                if (
                    reached is not None
                    and not _closes_through(fn, reached[0], reached[1])
                    and not closes_of_type(program, fn, reached[1], reached[3])
                    and not _entry_handed_on(program, fn, op)
                    and not _entry_returned(fn, sel[1], op)
                ):
                    path, through_kind, closing, closed_type = reached
                    an.debug["gim2xx_entries_deleted_unclosed"] += 1
                    out.append(DeletedEntry(fn, through_kind, closed_type, f"{recv}.{sel[1]}", op, closing, path))
                continue
            if kind is None or _touches_entries(fn, recv, sel[1], kind, member):
                continue
            if named and closes_of_type(program, fn, kind, named):
                # `for k, cached := range d.conns { if cached == c { delete(d.conns, k) } }; c.Close()`:
                # it closes a value of the entries' type, which may well be the one it drops
                an.debug["gim2xx_entries_deleted_beside_a_close_of_their_type"] += 1
                continue
            closer = _closing_method(program, fn, sel[1], kind, member)
            if closer is None or _replaced_after(program, fn, op, sel[1]):
                continue
            an.debug["gim2xx_entries_deleted_unclosed"] += 1
            out.append(DeletedEntry(fn, kind, named or "", f"{recv}.{sel[1]}", op, closer, member))
    return out


def _replaced_after(program: Program, fn: Function, delete: Op, field: str) -> bool:
    """After the delete, fn calls a function of the tree given the same key that stores into a map
    field of that name (`delete(p.conns, addr); p.redial(addr)`): forget, then replace."""
    key = E.render(delete.args[1])
    ops = fn.facts.ops
    at = next((i for i, o in enumerate(ops) if o is delete), len(ops))
    for o in ops[at + 1 :]:
        if o.kind != "call" or not any(E.render(a) == key for a in o.args):
            continue
        for t in program.resolve_call(fn, o):
            for s in t.function.facts.ops:
                if s.kind == "assign" and any(
                    (ix := E.index(x)) is not None and E.selected_name(ix[0]) == field for x in s.targets
                ):
                    return True
    return False


def _touches_entries(fn: Function, recv: str, field: str, kind: Kind, member: str = "") -> bool:
    """fn reads an entry of the map by index, or closes values of it (through a range; with `member`,
    the values' field of that name, `r.conn.Close()`)."""
    text = f"{recv}.{field}"
    ranged_names: set[str] = set()
    for op in ops_with_literals(fn):
        read: tuple = (op.fn, *op.args)
        if op.kind == "assign":
            # `f.m[p] = ln` stores; `_, ok := f.m[p]` only asks whether the key is there.
            read = () if op.targets and E.is_ident(op.targets[0], "_") else tuple(op.args)
        for e in read:
            if e is None or not E.is_expr(e):
                continue
            for x in E.subexprs(e):
                ix = E.index(x)
                if ix is not None and E.render(ix[0]) == text:
                    return True
        if (bound := _value_ranged_over(op, text)) is not None:
            ranged_names.add(bound)
        if op.kind == "call" and E.selected_name(op.fn) in kind.closers:
            closed = E.selector_base(op.fn)
            if member and (sel := E.selector(closed)) is not None and sel[1] == member:
                closed = sel[0]
            base = E.ident(closed)
            if base is not None and base in ranged_names:
                return True
    return False


def _value_ranged_over(op: Op, text: str) -> str | None:
    """`v` of `for _, v := range recv.field` (text: `recv.field`), else None."""
    if op.kind == "assign" and len(op.args) == 1 and len(op.targets) == 2:
        over = E.ranged(op.args[0])
        if over is not None and E.render(over) == text:
            return E.ident(op.targets[1])
    return None


def _closed_through_entries(
    program: Program, fn: Function, field: str, by_type: dict
) -> tuple[str, Kind, Function, str] | None:
    """(path from an entry to the resource, its kind, the closing method, the resource's type) when
    another method of fn's type closes, through a path of fields and type assertions, a resource of
    the catalog reached from an entry of the map field it ranges over or takes by key (`for _, el :=
    range c.byAddr { el.Value.(*cacheEntry).conn.Close() }`: path `.Value.(*cacheEntry).conn`)."""
    for other, recv in _sibling_methods(program, fn):
        text = f"{recv}.{field}"
        entries: set[str] = set()
        for op in ops_with_literals(other):
            _note_entry(op, text, entries)
            if op.kind != "call" or E.selected_name(op.fn) != "Close" or op.args:
                continue
            closed = E.selector_base(op.fn)
            base = closed
            while (sel := E.selector(base)) is not None or (base is not None and base[0] == "assert"):
                base = sel[0] if sel is not None else base[1]
            name = E.ident(base)
            if name not in entries or base == closed:
                continue
            ctype = program.type_of(other, closed)
            named = program.named(ctype) if ctype else None
            kind = by_type.get(named or "")
            if kind is not None:
                return E.render(closed)[len(name) :], kind, other, named or ""
    return None


def _closes_through(fn: Function, path: str, kind: Kind) -> bool:
    """fn closes something reached by that path from any local (`oldest.Value.(*cacheEntry).conn.Close()`)."""
    for op in ops_with_literals(fn):
        if op.kind == "call" and E.selected_name(op.fn) in kind.closers:
            if E.render(E.selector_base(op.fn)).endswith(path):
                return True
    return False


def closes_of_type(program: Program, fn: Function, kind: Kind, named: str) -> bool:
    """fn (or a closure in it) closes some value of the resource type `named` (`e.conn.Close()` through a
    local copy of the entry, or the expired ones gathered in a slice and closed after the lock): which
    one, the model does not follow, so the method may well close the entries it drops."""
    for f in (fn, *fn.nested_literals()):
        for op in f.facts.ops:
            if op.kind != "call" or E.selected_name(op.fn) not in kind.closers:
                continue
            t = program.type_of(f, E.selector_base(op.fn))
            if t is not None and program.named(t) == named:
                return True
    return False


def _entry_handed_on(program: Program, fn: Function, delete: Op) -> bool:
    """The entry the deleted key was read off (`last` of `delete(c.byID, last.Value.(*peer).id)`) is
    given to code of the tree, or to a call the model cannot place (an eviction callback may close it)."""
    base = delete.args[1]
    while (sel := E.selector(base)) is not None or (base is not None and base[0] == "assert"):
        base = sel[0] if sel is not None else base[1]
    name = E.ident(base)
    if name is None or base is delete.args[1]:
        return False
    for op in fn.facts.ops:
        if op.kind != "call" or op is delete:
            continue
        if not any(name in E.idents_in(a, set()) for a in op.args if E.is_expr(a)):
            continue
        if program.resolve_call(fn, op) or program.is_unknown_call(fn, op):
            return True
    return False


def _entry_returned(fn: Function, field: str, delete: Op) -> bool:
    """fn reads the entry off the map under the key it deletes (`el, ok := c.items[addr]; ...;
    delete(c.items, addr)`) and returns what it holds after the delete (`return
    el.Value.(*entry).conn`): a take-out, whose caller now owns the resource."""
    key = E.render(delete.args[1])
    ops = fn.facts.ops
    at = next(i for i, o in enumerate(ops) if o is delete)
    read = {
        name
        for op in ops[:at]
        if op.kind == "assign"
        and len(op.args) == 1
        and op.targets
        and (ix := E.index(op.args[0])) is not None
        and E.selected_name(ix[0]) == field
        and E.render(ix[1]) == key
        for name in (E.ident(op.targets[0]),)
        if name
    }
    return bool(read) and any(
        op.kind == "return" and any(E.root_ident(a) in read for a in op.args) for op in ops[at + 1 :]
    )


def resource_of_element(program: Program, by_type: dict, named: str | None) -> tuple[str, Kind | None, str | None]:
    """(member, kind, type) of a container's element type: the resource itself (member ""), or a struct of
    the tree carrying one in a field (`backend{conn net.Conn, ...}`: member "conn"); kind None otherwise."""
    kind = by_type.get(named or "")
    if kind is None and named:
        carried = _carried_resource(program, named, by_type)
        if carried is not None:
            return carried
    return "", kind, named


def _sibling_methods(program: Program, fn: Function):
    """The other methods of fn's receiver type (not closures), with their receiver names."""
    for other in program.package_functions(fn.pkg.path):
        recv = other.facts.recv_name
        if other is fn or not recv or other.parent is not None or other.facts.recv != fn.facts.recv:
            continue
        yield other, recv


def _note_entry(op: Op, text: str, names: set[str]) -> None:
    """Add to names the local op binds to an entry of the container `text`: a range's value
    (`for _, b := range s.backends`), or one taken by its key (`if c, ok := h.clients[id]; ok`)."""
    if (bound := _value_ranged_over(op, text)) is not None:
        names.add(bound)
    if op.kind == "assign" and len(op.args) == 1 and op.targets:
        ix = E.index(op.args[0])
        name = E.ident(op.targets[0])
        if ix is not None and E.render(ix[0]) == text and name:
            names.add(name)


def _carried_resource(program: Program, named: str, by_type: dict) -> tuple[str, Kind, str] | None:
    """(field, kind, its type) when the struct of the tree `named` has exactly one field whose type
    is a resource of the catalog (`backend{addr string; conn net.Conn}`)."""
    decl = program.type_decl(named)
    if decl is None or decl[0].kind != "struct":
        return None
    found = []
    for fname, ftype, emb in decl[0].members:
        fnamed = program.named(program.qualify(ftype, decl[1]))
        kind = by_type.get(fnamed or "")
        if kind is not None and not emb:
            found.append((fname, kind, fnamed or ""))
    return found[0] if len(found) == 1 else None


def _closing_method(program: Program, fn: Function, field: str, kind: Kind, member: str = "") -> Function | None:
    """A method of fn's type, other than fn, that closes values of the map field: a range over it
    closing the values, or a close through an index (`f.listeners[p].Close()`); with `member`, the
    values' field of that name (`b.conn.Close()` for `b` ranged over the map)."""
    for other, recv in _sibling_methods(program, fn):
        text = f"{recv}.{field}"
        ranged_names: set[str] = set()
        for op in ops_with_literals(other):
            _note_entry(op, text, ranged_names)
            if op.kind != "call" or E.selected_name(op.fn) not in kind.closers:
                continue
            base = E.selector_base(op.fn)
            if member:
                sel = E.selector(base)
                if sel is None or sel[1] != member:
                    continue
                base = sel[0]
            if E.ident(base) in ranged_names:
                return other
            ix = E.index(base)
            if ix is not None and E.render(ix[0]) == text:
                return other
    return None


DELETED_ENTRIES = Pass(
    "deleted-entries",
    deleted_entries,
    requires=(OWNERSHIP,),
    doc="Map fields of connections whose entries a method deletes without closing them",
)
