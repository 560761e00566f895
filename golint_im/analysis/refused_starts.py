"""A WaitGroup counted before a call to a wrapper that may refuse to start the goroutine.

    n.wg.Add(1)
    s.startGoRoutine(func() { defer n.wg.Done(); n.runCatchup() })

    func (s *Server) startGoRoutine(f func()) bool {
        s.mu.Lock()
        defer s.mu.Unlock()
        if s.running {
            go func() { f() }()
            return true
        }
        return false
    }

The count is for the function handed to the wrapper, whose `Done` releases
it. When the wrapper declines (the server is shutting down), that function
never runs, nothing calls `Done`, and whoever `Wait`s on the group (a
`Stop` that waits for its goroutines) blocks forever.

Judged only when every piece is in sight: the starter calls `Add` and then,
on its own straight line, calls a function of the tree with a function
value (a literal, a method value) whose own body calls `Done` on the group;
that callee starts its function parameter in exactly one `go` statement,
behind a branch and in no loop, and never calls it otherwise; the starter
calls no `Done` on the group itself (the fix calls it when the wrapper says
it did not start the function); and something waits on the group: the
starter after the call, or, for a group held in a field, a function of the
starter's package. A starter in a test file is not judged: the test sets up
what the wrapper tests (a running server) itself. Counted in `--debug` as
`GIM106_refused_starts` (and `GIM106_refused_starts_in_tests`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .regions import STRAIGHT_KINDS, on_straight_line

# How many ops after the `Add` the wrapper's call may come (`n.wg.Add(1); n.Unlock(); s.start(f)`).
_CALL_WINDOW = 6


@dataclass
class RefusedStart:
    """`wg.Add` for a function a wrapper starts only on a branch: when it declines, nothing calls Done."""

    add: Any  # SyncCall: the starter's Add
    call: Op  # the starter's call of the wrapper
    wrapper: Function
    go_op: Op  # the wrapper's `go` that starts the function
    branch: int  # the wrapper's innermost region around that `go` that not every run enters
    counted: Function  # the function handed over, whose Done releases the count
    done: Any  # SyncCall: its Done
    wait: Any  # SyncCall: a Wait on the group
    checked: bool  # the wrapper returns a result the starter could test


def refused_starts(program: Program, calls: dict, debug: Counter) -> list[RefusedStart]:
    out = []
    for key in sorted(calls):
        group = calls[key]
        waits = [c for c in group if c.method == "Wait"]
        if not waits or any(c.method == "Go" for c in group):
            continue
        dones: dict[int, list] = {}
        for c in group:
            if c.method == "Done":
                dones.setdefault(c.fn.id, []).append(c)
        for add in group:
            if add.method != "Add" or add.fn.id in dones:
                continue  # the starter releases the count itself somewhere (when the wrapper declines)
            if add.fn.file.is_test:
                debug["GIM106_refused_starts_in_tests"] += 1
                continue  # a test sets up what the wrapper tests (a running server) itself
            found = _refused(program, add, dones, waits)
            if found is not None:
                debug["GIM106_refused_starts"] += 1
                out.append(found)
    return out


def _refused(program: Program, add, dones: dict, waits: list) -> RefusedStart | None:
    starter = add.fn
    ops = starter.facts.ops
    at = ops.index(add.op)
    for call in ops[at + 1 : at + 1 + _CALL_WINDOW]:
        if call.kind != "call" or call.mode != "plain" or call.region != add.op.region:
            continue
        for k, arg in enumerate(call.args):
            for value in program.func_values(starter, arg):
                counted = value.function
                if counted.id not in dones or counted is starter:
                    continue
                found = _declined(program, starter, call, k)
                if found is None:
                    continue
                wrapper, go_op, branch = found
                wait = _wait_for(starter, call, add, waits)
                if wait is None:
                    return None
                checked = bool(wrapper.facts.results)
                return RefusedStart(add, call, wrapper, go_op, branch, counted, dones[counted.id][0], wait, checked)
    return None


def _declined(program: Program, starter: Function, call: Op, k: int) -> tuple[Function, Op, int] | None:
    """(wrapper, its `go`, the branch around it) when the one callee starts parameter k only on a branch."""
    targets = program.resolve_call(starter, call)
    if len(targets) != 1:
        return None
    wrapper = targets[0].function
    params = wrapper.facts.params
    if wrapper.parent is not None or k >= len(params) or not params[k][0]:
        return None
    name = params[k][0]
    facts = wrapper.facts
    starts, runs = [], 0
    for op in facts.ops:
        if op.kind != "call":
            continue
        if E.is_ident(op.fn, name):
            if op.mode != "go":
                return None  # also run in place (a fallback): the function's Done comes that way
            starts.append(op)
            continue
        lit_index = E.funclit(op.fn)
        lit = program.literal(wrapper, lit_index) if lit_index is not None else None
        if lit is not None and any(o.kind == "call" and E.is_ident(o.fn, name) for o in lit.facts.ops):
            if op.mode != "go":
                return None
            starts.append(op)
        elif any(E.is_ident(a, name) for a in op.args):
            runs += 1  # handed on to another function: what it does with it is not followed
    if len(starts) != 1 or runs:
        return None
    go_op = starts[0]
    if on_straight_line(facts, go_op.region):
        return None
    chain = list(enclosing_regions(facts, go_op.region))
    if any(facts.regions[r].kind in ("for", "range") for r in chain):
        return None
    branch = next(r for r in chain if facts.regions[r].kind not in STRAIGHT_KINDS)
    return wrapper, go_op, branch


def _wait_for(starter: Function, call: Op, add, waits: list):
    """The Wait that stays blocked: the starter's own after the call, else (a group in a field) one
    in another function of the starter's package."""
    ops = starter.facts.ops
    after = ops.index(call)
    own = [w for w in waits if w.fn is starter and ops.index(w.op) > after]
    if own:
        return own[0]
    if not add.key.startswith("field:"):
        return None
    others = [w for w in waits if w.fn.outermost() is not starter.outermost() and w.fn.pkg is starter.pkg]
    return min(others, key=lambda w: (w.fn.file.path, w.op.line), default=None)
