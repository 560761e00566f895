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
class TruncatedField:
    """`recv.field = recv.field[:n]` in fn on a slice field of resources, closing none of them."""

    fn: Function
    kind: Kind
    type: str  # the element type, "path#Name"
    field: str  # `p.conns`
    cut: Op  # the assignment


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
