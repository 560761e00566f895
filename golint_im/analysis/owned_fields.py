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

from golint_im.expr import selected_name, subexprs
from golint_im.program import Function

from .replaced import closes_fields
from .resources import ESCAPE, RELEASE, Kind

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


def field_users(an: Analysis) -> dict[str, set[tuple[str, str]]]:
    """Field name -> the owners of the functions that select a field of that name (built once, linear)."""
    if an._field_users is not None:
        return an._field_users
    users: dict[str, set[tuple[str, str]]] = {}
    for fn in an.program.functions:
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
    an._field_users = users
    return users


def never_closed(an: Analysis, fn: Function, fields: list[str], kind: Kind) -> bool:
    """No code can ever release the receiver fields fn stores a fresh resource in."""
    recv_type = fn.facts.recv
    if not recv_type or fn.parent is not None or kind.stream:
        return False
    if any(not f[:1].islower() for f in fields):
        return False  # exported: code outside the tree may close it
    owner = (fn.pkg.path, recv_type)
    users = field_users(an)
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
