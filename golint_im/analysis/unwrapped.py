"""Resources replaced by a reader that wraps them and does not close them.

`resp.Body, err = gzip.NewReader(resp.Body)` (or `resp.Body = io.NopCloser(r)`
over such a reader) leaves nothing that can close the original body: the
owner's `resp.Body.Close()` later closes only the reader, and a gzip, zlib or
flate reader's `Close` leaves what it reads from open (the catalog lists
these readers as the kind's `unclosing_wrappers`). The path walk cannot see
this: the close it finds is a close of the field, whatever the field holds.

Evidence required, for precision: the field replaced is the kind's own
(`Body`) of a value whose declared type is the kind's (`*http.Response`),
the wrapper reads from that very field, and nothing before the replacement
kept the original (`body := resp.Body`) or deferred its close
(`defer resp.Body.Close()` binds the original when it runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from golint_im.expr import call, ident, op_number, render, selector
from golint_im.facts import Op
from golint_im.program import Function, Program

from .paths import Container, Leak
from .regions import assignments_to
from .resources import _TAKERS, Kind, Origin

if TYPE_CHECKING:
    from .ownership import Analysis


def replaced_resources(an: Analysis, fn: Function, kind: Kind) -> list[Leak]:
    """One leak per field of fn replaced by an unclosing wrapper of itself (the first replacement)."""
    if not kind.unclosing_wrappers or len(kind.suffix) != 1:
        return []
    field = kind.suffix[0]
    ops = fn.facts.ops
    leaks: list[Leak] = []
    seen: set[str] = set()
    for i, op in enumerate(ops):
        if op.kind != "assign":
            continue
        for ti, target in enumerate(op.targets):
            sel = selector(target)
            if sel is None or sel[1] != field or not _holds_kind(an, fn, sel[0], kind):
                continue
            value = _assigned(op, ti)
            wrapper = _wrapper_of(an, fn, value, target, kind, depth=0)
            name = render(target)
            if wrapper is None or name in seen or _original_kept(an, fn, ops[:i], target, kind):
                continue
            seen.add(name)
            ext = an.program.external_callee(fn, wrapper)
            base = f"{ext.pkg}.{ext.name}" if ext is not None else render(wrapper)
            leak = Leak("unwrapped", op.line, op.col, container=Container("field", name), fn=fn, op=op)
            leak.origin = Origin(kind, 0, base)
            leak.wrapper = wrapper
            leaks.append(leak)
    return leaks


def _assigned(op: Op, position: int):
    """The value assigned to target `position` (the first of a multi-value call: `r, err = f(x)`)."""
    if len(op.args) == len(op.targets):
        return op.args[position]
    return op.args[0] if position == 0 and len(op.args) == 1 else None


def _holds_kind(an: Analysis, fn: Function, base, kind: Kind) -> bool:
    """base is declared as the kind's type (`*http.Response`), or a local assigned an acquisition of the kind."""
    t = an.type_of(fn, base)
    named = Program.named(t) if t else None
    if named is not None:
        return named in kind.types
    name = ident(base)
    if name is None:
        return False
    ops = fn.facts.ops
    for op, position in assignments_to(fn, name):
        value = op.args[0] if len(op.args) == 1 else op.args[position] if position < len(op.args) else None
        n = op_number(value)
        origin = an.acquisition(fn, ops[n]) if n is not None else None
        if origin is not None and origin.kind is kind and origin.suffix is None and origin.result == position:
            return True
    return False


def _wrapper_of(an: Analysis, fn: Function, value, target, kind: Kind, depth: int):
    """The callee of the unclosing wrapper reading from `target` that `value` is, directly or under `io.NopCloser`.

    Followed through one local (`zr := zstd.NewReader(resp.Body)` ...
    `resp.Body = io.NopCloser(zr)`).
    """
    if value is None or depth > 2:
        return None
    name = ident(value)
    if name is not None:
        return _wrapper_of(an, fn, an._single_assignment(fn, name), target, kind, depth + 1)
    c = call(value)
    if c is None or not c[1]:
        return None
    ext = an.program.external_callee(fn, c[0])
    qual = f"{ext.pkg}.{ext.name}" if ext is not None else ""
    if qual in kind.unclosing_wrappers:
        return c[0] if c[1][0] == target else None
    if qual in _TAKERS and qual.endswith("NopCloser") and len(c[1]) == 1:
        return _wrapper_of(an, fn, c[1][0], target, kind, depth + 1)
    return None


def _original_kept(an: Analysis, fn: Function, before: list[Op], target, kind: Kind) -> bool:
    """Something before the replacement kept the original: a copy of it, or a deferred or concurrent call."""
    for o in before:
        if o.kind == "call":
            sel = selector(o.fn)
            if o.mode == "defer" and sel is not None and sel[0] == target and sel[1] in kind.closers:
                return True  # `defer resp.Body.Close()` bound the original
            if o.mode in ("defer", "go") and target in o.args:
                return True  # handed to a deferred or concurrent call before it was replaced
        elif o.kind == "assign" and any(a == target for a in o.args):
            return True  # `body := resp.Body`
    return False
