"""Functions of the tree that never return a nil error.

`func (s *server) Serve(ln net.Listener) error { for { c, err := ln.Accept();
if err != nil { return err }; ... } }` leaves only by failing, so a caller's
`if err := s.Serve(ln); err != nil { log.Fatal(err) }` never goes past the
check: the success side of that test is not a path at all. The leak walk reads
the error of such a call as one that is never nil, so a listener handed to a
server that runs for the rest of the process is not reported as dropped on the
path after it.
"""

from __future__ import annotations

from ..expr import binary, callee, ident, is_expr, is_ident, is_nil
from ..facts import Op
from ..program import Function, Program, enclosing_regions

# Standard constructors of an error value: never nil.
_ERROR_MAKERS = {("errors", "New"), ("fmt", "Errorf")}


def never_returns_nil_error(program: Program, fn: Function) -> bool:
    """Every `return` of fn gives a non-nil error as its last result: an error tested non-nil
    on the way (`if err != nil { return err }`, or the `else` of `if err == nil`) and not
    assigned again there, or `errors.New(...)` / `fmt.Errorf(...)`. A bare `return` (named
    results) or any other value makes it False. fn's last result must be `error`."""
    facts = fn.facts
    if not facts.results or facts.results[-1] != "error":
        return False
    returns = [(i, op) for i, op in enumerate(facts.ops) if op.kind == "return"]
    if not returns:
        return False
    return all(_non_nil_error(program, fn, i, op) for i, op in returns)


def _non_nil_error(program: Program, fn: Function, index: int, ret: Op) -> bool:
    if len(ret.args) != len(fn.facts.results):
        return False
    value = ret.args[-1]
    name = ident(value)
    if name is None:
        made = callee(value)
        ext = program.external_callee(fn, made) if made is not None else None
        return ext is not None and (ext.pkg, ext.name) in _ERROR_MAKERS
    facts = fn.facts
    for r in enclosing_regions(facts, ret.region):
        reg = facts.regions[r]
        b = binary(reg.info) if reg.kind in ("if", "else") and is_expr(reg.info) else None
        if b is None:
            continue
        tested = b[1] if is_nil(b[2]) else b[2] if is_nil(b[1]) else None
        if not is_ident(tested, name):
            continue
        if (b[0] == "!=") == (reg.kind == "if"):
            return not _assigned_within(fn, name, r, index)
        return False
    return False


def _assigned_within(fn: Function, name: str, region: int, before: int) -> bool:
    """`name` is assigned inside region before op index `before`, or in a literal of fn."""
    facts = fn.facts
    for op in facts.ops[:before]:
        if op.kind == "assign" and any(is_ident(t, name) for t in op.targets):
            if region in enclosing_regions(facts, op.region):
                return True
    return any(
        op.kind == "assign" and any(is_ident(t, name) for t in op.targets)
        for lit in fn.nested_literals()
        for op in lit.facts.ops
    )
