"""Pools shrunk by re-slicing the field that holds their connections.

    func (p *Pool) Resize(n int) error {
        for len(p.conns) < n { ...; p.conns = append(p.conns, cc) }
        p.conns = p.conns[:n]        // the connections past n are dropped, still open
        return nil
    }

A slice field of the receiver whose element type is a resource of the
catalog (`[]*grpc.ClientConn`, `[]net.Conn`) is cut with `f = f[:n]`: the
elements past the new length stay in the backing array until an `append`
overwrites them, and nothing can close them any more. The author of a
shrink closes them first (`for _, c := range p.conns[n:] { c.Close() }`).

Judged when the method closes no element of the field anywhere (by a range
over it or a part of it, or by an index), reads no element by index (the
pop idiom `c := p.conns[len(p.conns)-1]; p.conns = p.conns[:len(p.conns)-1]`
hands the last one out first), and the cut keeps the front (`[:n]` or
`[0:n]`) with a bound that is not the field's own length.

The same field filtered in place (`kept := p.idle[:0]; for _, ic := range
p.idle { if fresh(ic) { kept = append(kept, ic) } }; p.idle = kept`) drops
the elements left out: judged when the method closes no element (nor the
element's one resource field, for structs of the tree carrying one), and
another method of the type closes the field's elements (`_filtered_in_place`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program
from .deleted_entries import _closing_method, closes_of_type, resource_of_element
from .ownership import OWNERSHIP
from .regions import assignments_to, ops_with_literals
from .resources import Kind, kinds_by_type


@dataclass(frozen=True)
class TruncatedField:
    """`recv.field = recv.field[:n]` in fn on a slice field of resources, closing none of them."""

    fn: Function
    kind: Kind
    type: str  # the element type, "path#Name"
    field: str  # `p.conns`
    cut: Op  # the assignment
    # Filtered in place instead (`kept := p.idle[:0]; for _, ic := range p.idle { if fresh(ic) { kept =
    # append(kept, ic) } }; p.idle = kept`): the local kept, the range's line, the element's field
    # holding the resource ("" when the element is the resource), and a method closing the elements.
    kept: str = ""
    loop_line: int = 0
    member: str = ""
    closer: Function | None = None


def truncated_fields(ctx: Context) -> list[TruncatedField]:
    an = ctx.result(OWNERSHIP)
    program: Program = an.program
    by_type = kinds_by_type(an.kinds)
    out = []
    for fn in program.functions:
        recv = fn.facts.recv_name
        if not recv or fn.parent is not None or fn.file.generated:
            continue
        recv_type = None
        for op in fn.facts.ops:
            if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
                continue
            sel = E.selector(op.targets[0])
            if sel is not None and E.is_ident(sel[0], recv) and E.ident(op.args[0]) is not None:
                filtered = _filtered_in_place(program, by_type, fn, op, recv, sel[1])
                if filtered is not None:
                    out.append(filtered)
                continue
            if sel is None or not E.is_ident(sel[0], recv) or not _front_cut(op.args[0], recv, sel[1]):
                continue
            recv_type = recv_type or program.named(program.qualify(fn.facts.recv, fn.file))
            ftype = program.field_type(recv_type, sel[1]) if recv_type else None
            element = ftype[0] if ftype is not None and ftype[0].startswith("[]") else None
            named = program.named(program.qualify(element[2:], fn.file)) if element else None
            kind = by_type.get(named or "")
            if kind is None or _touches_elements(fn, recv, sel[1], kind):
                continue
            out.append(TruncatedField(fn, kind, named or "", f"{recv}.{sel[1]}", op))
    return out


def _filtered_in_place(
    program: Program, by_type: dict, fn: Function, store: Op, recv: str, field: str
) -> TruncatedField | None:
    """`recv.field = kept` where fn built kept from `recv.field[:0]` by appending, under a branch, only
    elements a range over `recv.field` binds, closing no element (nor its resource field) anywhere,
    while another method of the type closes the field's elements: the ones not kept are dropped open."""
    kept = E.ident(store.args[0])
    text = f"{recv}.{field}"
    ops = fn.facts.ops
    element = None
    appended_under_branch = False
    loop_line = 0
    started = False
    for op, ti in assignments_to(fn, kept or ""):
        value = op.args[ti] if len(op.args) == len(op.targets) else None
        if value is not None and value[0] == "slice" and E.render(value[1]) == text and E.render(value[3]) == "0":
            started = True
            continue
        called = E.call(value) if value is not None else None
        if called is None or not E.is_ident(called[0], "append") or len(called[1]) != 2:
            return None
        if not E.is_ident(called[1][0], kept or "") or E.ident(called[1][1]) is None:
            return None
        item = E.ident(called[1][1])
        bind = next(
            (
                o
                for o in ops
                if o.kind == "assign"
                and len(o.args) == 1
                and len(o.targets) == 2
                and E.ranged(o.args[0]) is not None
                and E.render(E.ranged(o.args[0])) == text
                and E.is_ident(o.targets[1], item or "")
            ),
            None,
        )
        if bind is None or (element is not None and element != item):
            return None
        element, loop_line = item, bind.line
        appended_under_branch = fn.facts.regions[op.region].kind in ("if", "else")
    if not started or element is None or not appended_under_branch:
        return None
    recv_type = program.named(program.qualify(fn.facts.recv, fn.file))
    ftype = program.field_type(recv_type, field) if recv_type else None
    elem = ftype[0][2:] if ftype is not None and ftype[0].startswith("[]") else None
    if elem is None:
        return None
    named = program.named(elem) if "#" in elem else program.named(program.qualify(elem, fn.file))
    member, kind, named = resource_of_element(program, by_type, named)
    if kind is None:
        return None
    for op in ops_with_literals(fn):
        if op.kind == "call" and E.selected_name(op.fn) in kind.closers:
            closed = E.selector_base(op.fn)
            if member and (sel := E.selector(closed)) is not None and sel[1] == member:
                closed = sel[0]
            if E.is_ident(closed, element):
                return None  # the ones not kept are closed
    if closes_of_type(program, fn, kind, named or ""):
        return None  # `expired = append(expired, ic)`, closed after the lock: gathered and closed elsewhere
    closer = _closing_method(program, fn, field, kind, member)
    if closer is None:
        return None
    return TruncatedField(fn, kind, named or "", text, store, kept or "", loop_line, member, closer)


def _front_cut(value, recv: str, field: str) -> bool:
    """value is `recv.field[:n]` (or `[0:n]`) with n not `len(recv.field)`."""
    if value is None or value[0] != "slice":
        return False
    _tag, base, low, high, *_rest = value
    sel = E.selector(base)
    if sel is None or not E.is_ident(sel[0], recv) or sel[1] != field or high is None:
        return False
    if low is not None and E.render(low) != "0":
        return False
    return E.render(high) != f"len({recv}.{field})"


def _touches_elements(fn: Function, recv: str, field: str, kind: Kind) -> bool:
    """fn reads an element of the field by index, or closes elements of it (through a range)."""
    text = f"{recv}.{field}"
    ranged_names = set()
    for op in ops_with_literals(fn):
        for e in (op.fn, *op.args, *op.targets):
            if e is None or not E.is_expr(e):
                continue
            for x in E.subexprs(e):
                ix = E.index(x)
                if ix is not None and E.render(ix[0]) == text:
                    return True
        if op.kind == "assign" and len(op.args) == 1 and len(op.targets) == 2:
            over = E.ranged(op.args[0])
            if over is not None and E.render(E.sliced(over) or over) == text:
                ranged_names.add(E.ident(op.targets[1]))
        if op.kind == "call" and E.selected_name(op.fn) in kind.closers:
            base = E.ident(E.selector_base(op.fn))
            if base is not None and base in ranged_names:
                return True
    return False


TRUNCATED_FIELDS = Pass(
    "truncated-fields",
    truncated_fields,
    requires=(OWNERSHIP,),
    doc="Slice fields of connections cut short by re-slicing, the elements cut off left open",
)
