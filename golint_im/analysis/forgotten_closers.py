"""Teardowns that close some fields of their value but forget one holding a closer of connections.

    type client struct {
        pool     *pool              // pool.Close closes every connection it keeps
        handlers *handlers
    }
    func newClient() *client { return &client{pool: newPool(), handlers: &handlers{}} }
    func (c *client) Close() { c.handlers.Close() }   // c.pool: never closed

The forgotten-field judgment (`owned_fields.forgotten_by_teardown`) knows a
field that holds a connection itself; here the field holds a value of the
tree whose own teardown closes connections (a pool, a registry of
sessions), which the outer teardown never calls. When the outer value is
torn down, every connection the inner one keeps stays open.

Evidence required, so that nothing else can close it:
- the outer type has a teardown (`Close`, `Stop`, `Shutdown`) that calls a
  teardown on some other field of its receiver;
- the field is unexported, of a named type of the tree whose teardown
  closes, itself or through the teardown of a value of the tree it holds
  (one level), a resource of a kind (a connection, a listener);
- every value the tree writes into the field is built fresh, by a
  composite literal of that type or a function of the tree returning one;
- the field is named in its package only as the receiver of a method call
  (`c.pool.get(addr)`), as an assignment's target, or as a composite's key;
- no method of the outer type calls a teardown on the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program
from .owned_fields import _TEARDOWNS
from .ownership import OWNERSHIP
from .resources import Kind, kinds_by_type


@dataclass(frozen=True)
class ForgottenCloser:
    """`teardown` (of `owner`) tears down other fields of its receiver but never `field`, whose value's
    own teardown `inner` closes a resource of `kind` (at `close` in `closer`)."""

    kind: Kind
    owner: str  # "path#client"
    teardown: Function
    field: str
    field_type: str  # "path#pool"
    inner: Function
    closer: Function
    close: Op


def forgotten_closers(ctx: Context) -> list[ForgottenCloser]:
    an = ctx.result(OWNERSHIP)
    program: Program = an.program
    by_type = kinds_by_type(an.kinds)
    out = []
    for fn in program.functions:
        facts = fn.facts
        if facts.name not in _TEARDOWNS or not facts.recv or not facts.recv_name or fn.parent is not None:
            continue
        if fn.file.generated or fn.file.is_test:
            continue
        owner = program.named(program.qualify(facts.recv, fn.file))
        decl = program.type_decl(owner) if owner else None
        if owner is None or decl is None or decl[0].kind != "struct":
            continue
        torn = _fields_torn_down(fn, facts.recv_name)
        if not torn:
            continue
        for fname, ftype, embedded in decl[0].members:
            if embedded or not fname[:1].islower() or fname in torn:
                continue
            inner_type = program.named(program.qualify(ftype, decl[1]))
            if inner_type is None or inner_type == owner or inner_type.split("#")[0] not in program.packages:
                continue
            inner = _teardown_of(program, inner_type)
            reached = _closes_a_resource(program, inner, by_type, 1) if inner is not None else None
            if inner is None or reached is None:
                continue
            if _torn_down_by_any_method(program, owner, fname):
                continue
            if not _built_fresh(program, owner, fname, inner_type) or not _only_called_through(program, owner, fname):
                continue
            kind, closer, close = reached
            an.debug["gim2xx_teardowns_forgetting_a_closer"] += 1
            out.append(ForgottenCloser(kind, owner, fn, fname, inner_type, inner, closer, close))
    return out


def _fields_torn_down(fn: Function, recv: str) -> set[str]:
    """Fields of the receiver on which fn (or a closure in it) calls a teardown: `c.handlers.Close()`."""
    out = set()
    for f in [fn, *fn.nested_literals()]:
        for op in f.facts.ops:
            if op.kind != "call" or E.selected_name(op.fn) not in _TEARDOWNS:
                continue
            sel = E.selector(E.selector_base(op.fn))
            if sel is not None and E.is_ident(sel[0], recv):
                out.add(sel[1])
    return out


def _teardown_of(program: Program, named: str) -> Function | None:
    return next((m for name in _TEARDOWNS if (m := program.method(named, name)) is not None), None)


def _closes_a_resource(program: Program, method: Function, by_type: dict, depth: int):
    """(kind, function, close op) for the first close of a resource of a kind that the teardown makes:
    on a value whose declared type the catalog lists (`c.cnx.Close()`), or through the teardown of a
    value of the tree it holds (`for _, c := range p.conns { c.Close() }`, depth levels down)."""
    for f in [method, *method.nested_literals()]:
        for op in f.facts.ops:
            if op.kind != "call" or E.selected_name(op.fn) not in _TEARDOWNS:
                continue
            base = E.selector_base(op.fn)
            named = program.named(program.type_of(f, base) or "") if base is not None else None
            if named is None:
                continue
            kind = by_type.get(named)
            if kind is not None and E.selected_name(op.fn) in kind.closers:
                return kind, f, op
            if depth > 0 and named.split("#")[0] in program.packages:
                inner = _teardown_of(program, named)
                if inner is not None and inner is not method:
                    found = _closes_a_resource(program, inner, by_type, depth - 1)
                    if found is not None:
                        return found
    return None


def _torn_down_by_any_method(program: Program, owner: str, field: str) -> bool:
    """Some method of the owner type calls a teardown on the field (`c.pool.Close()` in `Shutdown`)."""
    pkg = program.packages.get(owner.split("#")[0])
    tname = owner.split("#")[1]
    for (recv_type, _name), method in pkg.methods.items() if pkg is not None else ():
        if recv_type == tname and method.facts.recv_name and field in _fields_torn_down(method, method.facts.recv_name):
            return True
    return False


def _built_fresh(program: Program, owner: str, field: str, inner: str) -> bool:
    """Every value the tree writes into the field is built for it: `&pool{...}`, or a call of a
    function of the tree every return of which is such a literal (`newPool()`)."""
    writes = program.field_value_writes(owner, field)
    if not writes:
        return False
    for f, _base, value in writes:
        if _literal_of(program, f, value, inner):
            continue
        c = E.call(value)
        targets = program.resolve_expr_call(f, c[0]) if c is not None else []
        if len(targets) != 1:
            return False
        g = targets[0].function
        returns = [op for op in g.facts.ops if op.kind == "return"]
        if not returns or not all(r.args and _literal_of(program, g, r.args[0], inner) for r in returns):
            return False
    return True


def _literal_of(program: Program, fn: Function, value, inner: str) -> bool:
    comp = E.composite(E.strip_address(value))
    return comp is not None and program.named(program.qualify(comp[0], fn.file)) == inner


def _only_called_through(program: Program, owner: str, field: str) -> bool:
    """In the owner's package the field is named only as the receiver of a method call, or as an
    assignment's target: nothing hands the inner value to code that could tear it down."""
    for fn in program.package_functions(owner.split("#")[0]):
        for op in fn.facts.ops:
            if op.kind == "call":
                sel = E.selector(E.selector_base(op.fn))
                through = sel is not None and sel[1] == field
                exprs = list(op.args) if through else [op.fn, *op.args]
            elif op.kind == "assign":
                exprs = list(op.args)
            else:
                exprs = [op.fn, *op.args]
            # a call nested in an expression is an op of its own, judged as such
            named = (E.selected_name(x) for e in exprs if e is not None for x in E.subexprs_outside_calls(e))
            if field in named:
                return False
    return True


FORGOTTEN_CLOSERS = Pass(
    "forgotten-closers",
    forgotten_closers,
    requires=(OWNERSHIP,),
    doc="teardowns that never tear down a field whose own teardown closes connections",
)
