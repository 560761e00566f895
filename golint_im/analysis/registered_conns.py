"""A connection a goroutine owns, kept only as a value of a map no code ever closes.

    func (b *broker) serve(c net.Conn) {      // started with `go b.serve(c)` per accept
        id := b.add(c)                        // b.subs[id] = c
        defer b.remove(id)                    // delete(b.subs, id): dropped, not closed
        ... reads and writes c ...
    }

The goroutine owns the connection its starter let go, and never closes it
itself; the only other holder is an entry of a map field of its receiver,
and no code of the package closes that map's values. When the entry is
deleted, nothing can reach the connection any more, and it stays open.

Judged only with the whole life in sight: the owning method is started with
`go` by every caller, defers nothing on the parameter, closes it only on
paths that end before the store, and hands it to nothing but reads, writes
and one store as a value of an unexported map field of the receiver
(`recv.f[k] = p`, itself or through one call of a method of its own type);
another method of that type deletes from the map; and no function of the
package closes a value read from the map, or hands one to code of the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golint_im.expr import ident, index, is_ident, selected_name, selector, selector_base, subexprs
from golint_im.facts import Op
from golint_im.symbols import Function

from .regions import op_mentions, ops_with_literals
from .resources import RELEASE, Holder, Kind

if TYPE_CHECKING:
    from .ownership import Analysis


@dataclass(frozen=True)
class KeptEntry:
    """Where the owned connection goes: the storing method and its store, the map field, the deleting
    method and its `delete`."""

    storer: Function
    store: Op
    field: str
    deleter: Function
    delete: Op


def kept_in_unclosed_map(an: Analysis, fn: Function, pname: str, kind: Kind) -> KeptEntry | None:
    """The map entry fn's owned parameter lives in, when no code closes the map's values (see module)."""
    recv = fn.facts.recv_name
    if not recv or fn.parent is not None or fn.file.is_test:
        return None
    callers = an.program.callers(fn)
    if not callers or any(op.mode != "go" for _c, op in callers):
        return None
    holders = {pname: Holder(pname, kind.suffix)}
    stored: tuple[Function, Op, str] | None = None
    own = set(map(id, fn.facts.ops))
    for op in ops_with_literals(fn):
        if not op_mentions(op, pname):
            continue
        if op.mode == "defer" or id(op) not in own:
            return None
        found = None
        if stored is None:
            found = _stored_by_own_method(an, fn, op, pname) if op.kind == "call" else _stored_here(fn, op, pname)
        if found is not None:
            stored = found
            continue
        effect = an.op_effect(fn, op, holders, kind, scan=True)
        if effect is None or (effect == RELEASE and stored is None):
            continue  # read and written; or closed on a path that ends before the store
        return None
    if stored is None:
        return None
    storer, store, field = stored
    deleting = _deleter(an, fn, field)
    if deleting is None or _values_closed_or_handed_on(an, fn, field, kind):
        return None
    an.debug["gim2xx_owned_conns_kept_in_unclosed_maps"] += 1
    return KeptEntry(storer, store, field, *deleting)


def _stored_by_own_method(an: Analysis, fn: Function, op: Op, pname: str) -> tuple[Function, Op, str] | None:
    """`recv.add(p)`: a method of fn's own type, on fn's receiver, storing its parameter as a value of
    an unexported map field of its receiver (`b.subs[id] = c`): (method, store, field)."""
    recv = fn.facts.recv_name
    if not is_ident(selector_base(op.fn), recv):
        return None
    at = [k for k, a in enumerate(op.args) if is_ident(a, pname)]
    targets = an.program.resolve_call(fn, op)
    if len(at) != 1 or len(targets) != 1:
        return None
    method = targets[0].function
    mf = method.facts
    if mf.recv != fn.facts.recv or at[0] >= len(mf.params):
        return None
    param = mf.params[at[0]][0]
    for o in mf.ops:
        field = _map_store(o, mf.recv_name, param)
        if field is not None:
            return method, o, field
    return None


def _stored_here(fn: Function, op: Op, pname: str) -> tuple[Function, Op, str] | None:
    """`recv.f[k] = p` in fn itself: (fn, the store, f)."""
    field = _map_store(op, fn.facts.recv_name, pname)
    return (fn, op, field) if field is not None else None


def _map_store(op: Op, recv: str, name: str) -> str | None:
    """f, when op is `recv.f[k] = name` for an unexported field f of the receiver."""
    if op.kind != "assign" or len(op.targets) != len(op.args):
        return None
    for t, v in zip(op.targets, op.args, strict=True):
        ix = index(t)
        sel = selector(ix[0]) if ix is not None else None
        if sel is not None and is_ident(sel[0], recv) and is_ident(v, name) and sel[1][:1].islower():
            return sel[1]
    return None


def _deleter(an: Analysis, fn: Function, field: str) -> tuple[Function, Op] | None:
    """A method of fn's type that deletes an entry of the map field: (method, its `delete`)."""
    for g in an.program.package_functions(fn.pkg.path):
        if g.facts.recv != fn.facts.recv or not g.facts.recv_name:
            continue
        for o in g.facts.ops:
            sel = selector(o.args[0]) if o.kind == "call" and ident(o.fn) == "delete" and o.args else None
            if sel is not None and is_ident(sel[0], g.facts.recv_name) and sel[1] == field:
                return g, o
    return None


def _values_closed_or_handed_on(an: Analysis, fn: Function, field: str, kind: Kind) -> bool:
    """Some function of the package reads a value of the map (`m.f[k]`, or ranges over it) and closes
    it, or hands it to code of the tree, or returns it: the map's values may be released there."""
    for g in an.program.package_functions(fn.pkg.path):
        readers: set[str] = set()
        for o in ops_with_literals(g):
            if o.kind == "assign" and any(_reads_field(a, field) for a in o.args):
                readers.update(n for t in o.targets if (n := ident(t)) is not None)
        for o in ops_with_literals(g):
            if o.kind == "return" and any(_reads_field(a, field) or ident(a) in readers for a in o.args):
                return True
            if o.kind != "call":
                continue
            base = selector_base(o.fn)
            if selected_name(o.fn) in kind.closers and (ident(base) in readers or _reads_field(base, field)):
                return True
            passed = [a for a in o.args if ident(a) in readers or _reads_field(a, field)]
            if passed and an.program.resolve_call(g, o):
                return True
    return False


def _reads_field(e, field: str) -> bool:
    """e reads the map field: `x.f[k]`, or ranges over `x.f`."""
    if e is None:
        return False
    for x in subexprs(e):
        sel = selector(x)
        if sel is not None and sel[1] == field:
            return True
    return False
