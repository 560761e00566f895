"""Resources kept in a field of the receiver that nothing can ever close.

`c.conn = conn` hands the connection to `c`, and the path walk counts it as
owned. That is only true when someone can release the field later: a
method of the type that closes it (a `Close`), or code elsewhere that
reaches the field. When every use of the field in the program is inside
the type's own methods and none of them closes it or gives it away, the
connection stays open for as long as the value lives and nothing can ever
close it.

Evidence required, for precision: the field is unexported (code outside the
analysed tree cannot reach it); every function that selects a field of that
name is a method of the type (or a closure in one), so no other code of the
tree closes `x.conn`; and no method of the type releases the field, returns
it or hands it to anyone (its summary on the field is neither RELEASE nor
ESCAPE). A field reached through embedding is selected by a method of the
outer type, so that case stays silent too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from golint_im.expr import (
    call_number,
    composite,
    ident,
    is_ident,
    is_new_call,
    selected_name,
    selector,
    selector_base,
    strip_address,
    subexprs,
    subexprs_outside_calls,
)
from golint_im.facts import Op
from golint_im.program import Function

from .regions import assignments_to
from .replaced import closes_fields, receiver_fields
from .resources import ESCAPE, RELEASE, Holder, Kind, Origin

if TYPE_CHECKING:
    from .ownership import Analysis

# Which code selects a field of a given name: (package path, receiver type name), or _OTHER for
# a function that is not a method (nor a closure in one).
_OTHER = ("", "")


def _owner(fn: Function) -> tuple[str, str]:
    """The (package, receiver type) of the method fn is, or is a closure in; _OTHER otherwise."""
    top = fn
    while top.parent is not None:
        top = top.parent
    return (top.pkg.path, top.facts.recv) if top.facts.recv else _OTHER


def field_users(an: Analysis, pkg_path: str) -> dict[str, set[tuple[str, str]]]:
    """Field name -> the owners of the functions of one package that select a field of that name.

    Only the package's own code can select an unexported field, so each package is read at
    most once, and only when one of its methods stores a fresh resource in a field (linear).
    """
    if an._field_users is None:
        an._field_users = {}
    cached = an._field_users.get(pkg_path)
    if cached is not None:
        return cached
    users: dict[str, set[tuple[str, str]]] = {}
    for fn in an.program.package_functions(pkg_path):
        owner = _owner(fn)
        exprs: list = []
        for op in fn.facts.ops:
            exprs.append(op.fn)
            exprs.extend(op.args)
            exprs.extend(op.targets)
        exprs.extend(r.info for r in fn.facts.regions)
        for e in exprs:
            for x in subexprs(e):
                name = selected_name(x)
                if name is not None:
                    users.setdefault(name, set()).add(owner)
    an._field_users[pkg_path] = users
    return users


def never_closed(an: Analysis, fn: Function, fields: list[str], kind: Kind) -> bool:
    """No code can ever release the receiver fields fn stores a fresh resource in."""
    recv_type = fn.facts.recv
    if not recv_type or fn.parent is not None or kind.stream:
        return False
    if any(not f[:1].islower() for f in fields):
        return False  # exported: code outside the tree may close it
    owner = (fn.pkg.path, recv_type)
    users = field_users(an, fn.pkg.path)
    if any(users.get(f, set()) - {owner} for f in fields):
        an.debug["gim2xx_fields_reached_elsewhere"] += 1
        return False
    for (tname, _m), method in fn.pkg.methods.items():
        if tname != recv_type:
            continue
        recv = method.facts.recv_name
        if not recv or closes_fields(method, recv, fields, kind):
            return False
        for f in fields:
            if an.summary(method, recv, (f, *kind.suffix), kind) in (RELEASE, ESCAPE):
                return False
    return True


# Methods whose name says they tear the value down.
_TEARDOWNS = ("Close", "Stop", "Shutdown")


def forgotten_by_teardown(an: Analysis, builder: Function, named: str, field: str, kind: Kind) -> str | None:
    """The name of the teardown method of `named` when it closes other fields of its value but never
    `field`, a fresh resource `builder` puts into the value it returns, and nothing else can.

        func newSession(c net.Conn) (*Session, error) {
            up, err := net.Dial(...)
            ...
            return &Session{client: c, upstream: up}, nil
        }
        func (s *Session) Close() { s.client.Close() }    // upstream: never closed

    Evidence required: the field is unexported; every function of the type's
    package that selects a field of that name is a method of the type (or a
    closure in one) or the builder; the type has a teardown (`Close`, `Stop`,
    `Shutdown`) that closes at least one other field; and no method of the
    type releases the field, returns it or hands it on.
    """
    pkg_path, _, tname = named.partition("#")
    if not field[:1].islower() or kind.stream:
        return None
    pkg = an.program.packages.get(pkg_path)
    if pkg is None:
        return None
    for fn in an.program.package_functions(pkg_path):
        top = fn.outermost()
        if top is builder.outermost() or top.facts.recv == tname or top.facts.recv == f"*{tname}":
            continue
        if _selects(fn, field) and not _only_used_through(an, fn, field, kind):
            an.debug["gim2xx_fields_reached_elsewhere"] += 1
            return None
    teardown = None
    for (recv_type, mname), method in pkg.methods.items():
        if recv_type != tname:
            continue
        recv = method.facts.recv_name
        if not recv or closes_fields(method, recv, [field], kind):
            return None
        if an.summary(method, recv, (field, *kind.suffix), kind) in (RELEASE, ESCAPE):
            return None
        if mname in _TEARDOWNS and teardown is None and _closes_another_field(method, recv, field, kind):
            teardown = mname
    return teardown


def _only_used_through(an: Analysis, fn: Function, field: str, kind: Kind) -> bool:
    """Every place fn selects `x.field` reads or writes through it with code outside the tree
    (`io.Copy(r.data, os.Stdin)`, `r.data.Write(b)`), none a closer: it uses the value, and can
    neither close it nor hand it to code that could. A call nested in an expression is an op of
    its own, judged as such."""
    for r in fn.facts.regions:
        if any(selected_name(x) == field for x in subexprs(r.info)):
            return False  # tested in a condition: not followed
    for op in fn.facts.ops:
        exprs = [op.fn, *op.args, *op.targets] if op.kind != "jump" else list(op.args)
        if not any(selected_name(x) == field for e in exprs for x in subexprs_outside_calls(e)):
            continue
        if op.kind != "call" or op.mode != "plain" or an.program.resolve_call(fn, op):
            return False  # assigned, returned, sent, deferred, or given to code of the tree
        if selected_name(op.fn) in kind.closers:
            return False
    return True


def _selects(fn: Function, field: str) -> bool:
    """fn selects a field (or method) named `field` anywhere."""
    exprs: list = [r.info for r in fn.facts.regions]
    for op in fn.facts.ops:
        exprs.extend((op.fn, *op.args, *op.targets))
    return any(selected_name(x) == field for e in exprs for x in subexprs(e))


def _closes_another_field(method: Function, recv: str, field: str, kind: Kind) -> bool:
    """The method closes some field of its receiver other than `field` (`s.client.Close()`), or
    something reached through one (`w.stream.Body.Close()`)."""
    for op in method.facts.ops:
        if op.kind != "call" or selected_name(op.fn) not in kind.closers:
            continue
        sel = selector(selector_base(op.fn))
        while sel is not None and not is_ident(sel[0], recv) and selector(sel[0]) is not None:
            sel = selector(sel[0])
        if sel is not None and is_ident(sel[0], recv) and sel[1] != field:
            return True
    for lit in method.nested_literals():
        if _closes_another_field(lit, recv, field, kind):
            return True
    return False


# ---- a local struct that a method fills with a fresh resource, then dropped --------------


def field_store(an: Analysis, method: Function) -> tuple[Origin, str, str, Op] | None:
    """(origin, field, closer, acquiring op) when `method` stores a fresh resource into a field of its receiver.

    Evidence required: the acquisition (a catalog constructor or a fresh-resource
    function, no collection, no stream) is kept only in one field of the
    receiver, and the receiver's type has a closer method (`Close`) that
    releases that field. A caller holding the struct in a local then owns the
    resource and must call that closer.
    """
    cache = an._field_stores
    if method.id in cache:
        return cache[method.id]
    cache[method.id] = None  # recursion guard
    found = _field_store(an, method)
    cache[method.id] = found
    return found


def _field_store(an: Analysis, method: Function) -> tuple[Origin, str, str, Op] | None:
    recv = method.facts.recv_name
    if not recv or method.parent is not None:
        return None
    named = f"{method.pkg.path}#{method.facts.recv}"
    ops = method.facts.ops
    found = None
    for i, op in enumerate(ops):
        if op.kind != "call" or op.mode != "plain":
            continue
        origin = an.acquisition(method, op)
        if origin is None:
            continue
        if origin.collection or origin.kind.stream or found is not None:
            return None
        parent = an._parent_op(method, op)
        if parent is None or ops[parent].kind != "assign":
            return None
        fields = _stored_fields(an, method, parent, op, i, origin)
        if len(fields) != 1:
            return None
        closer = an.field_closer(named, (fields[0], *origin.holder_suffix), origin.kind)
        if closer is None:
            return None
        found = (origin, fields[0], closer, op)
    return found


def _stored_fields(an: Analysis, method: Function, parent: int, op, index: int, origin: Origin) -> list[str]:
    """The receiver fields the acquisition at op ends up in: assigned directly, or through a local."""
    recv = method.facts.recv_name
    pop = method.facts.ops[parent]
    if len(pop.args) == 1 and len(pop.targets) > 1:
        target = pop.targets[origin.result] if origin.result < len(pop.targets) else None
    else:
        target = next((t for t, v in zip(pop.targets, pop.args, strict=False) if call_number(v) == index), None)
    if target is None:
        return []
    sel = selector(target)
    if sel is not None and is_ident(sel[0], recv):
        return [sel[1]]
    name = ident(target)
    if name is None or name not in an.program.declared(method) or name in an.params(method):
        return []
    holders = {name: Holder(name, origin.holder_suffix, "")}
    fields, _store = receiver_fields(an, method, parent, holders, origin.kind)
    return fields


def local_struct(an: Analysis, fn: Function, name: str, results: bool = False) -> bool:
    """`name` is a struct value fn builds itself (`&T{...}`, `T{}`, `new(T)`, `var x T`) and nothing else.

    With `results`, a named result of a declared function so built counts too.
    """
    result = results and fn.facts.parent < 0 and name in fn.facts.result_names
    if (name not in an.program.declared(fn) and not result) or name in an.params(fn):
        return False
    seen = False
    for op, pos in assignments_to(fn, name):
        if op.mode == "var" and not op.args:
            seen = True
            continue
        if len(op.targets) != len(op.args):
            return False
        value = op.args[pos]
        if composite(strip_address(value)) is None and not is_new_call(value):
            return False
        seen = True
    return seen
