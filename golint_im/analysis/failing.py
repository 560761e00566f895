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

from ..expr import binary, call_number, callee, ident, is_expr, is_ident, is_nil
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


def always_returns_nil_error(fn: Function) -> bool:
    """Every `return` of fn gives a literal `nil` as its last result, an `error` (`func (m *Manager)
    TriggerStartConsuming(ctx) error { ...; return nil }`): a caller's `if err != nil` never runs."""
    facts = fn.facts
    if not facts.results or facts.results[-1] != "error":
        return False
    returns = [op for op in facts.ops if op.kind == "return"]
    return bool(returns) and all(len(r.args) == len(facts.results) and is_nil(r.args[-1]) for r in returns)


def error_exit_never_taken(program: Program, fn: Function, ret: Op) -> bool:
    """ret sits under `if err != nil` (and nothing else), err last assigned before it by one call
    resolved only to plain functions of the tree that all always return a nil error
    (`if err = s.mgr.Start(ctx); err != nil { return }`): that exit is not a path at all."""
    facts = fn.facts
    ops = facts.ops
    at = next((i for i, o in enumerate(ops) if o is ret), None)
    if at is None:
        return False
    for r in enclosing_regions(facts, ret.region):
        reg = facts.regions[r]
        if reg.kind != "if" or not is_expr(reg.info):
            continue
        b = binary(reg.info)
        if b is None or b[0] != "!=" or not is_nil(b[2]):
            return False
        name = ident(b[1])
        if name is None:
            return False
        assigned = next(
            (o for o in reversed(ops[:at]) if o.kind == "assign" and any(is_ident(t, name) for t in o.targets)), None
        )
        n = call_number(assigned.args[0]) if assigned is not None and len(assigned.args) == 1 else None
        if n is None or not 0 <= n < len(ops) or ops[n].kind != "call":
            return False
        targets = program.resolve_call(fn, ops[n])
        return bool(targets) and all(not t.via and always_returns_nil_error(t.function) for t in targets)
    return False
