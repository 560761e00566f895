"""A `select {}` on a branch of a function that otherwise returns when its context is cancelled.

    func (w *Watcher) Run(ctx context.Context) error {
        if w.interval <= 0 {
            select {}                  // meant: <-ctx.Done(); return ctx.Err()
        }
        for {
            select {
            case <-ctx.Done():
                return ctx.Err()
            case <-t.C:
                w.poll()
            }
        }
    }

An empty `select` blocks for good: nothing can wake it. Parking `main` (or a
server goroutine) that way is an idiom, so one alone is never judged. Here
the function says otherwise: on its other path it returns when the context
it was given ends, so its callers cancel that context and wait for it to
return. On the branch with the empty `select` it never does.

Judged when the `select {}` sits under a branch (not every run reaches it),
in the same function (not a literal of it) that has a `return` in a `case
<-X.Done():` of its own. Counted in `--debug` as
`GIM102_empty_selects_past_a_context`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .cancel import done_case_context
from .regions import STRAIGHT_KINDS, on_straight_line


@dataclass
class ParkedOnBranch:
    """A `select {}` on a branch of a function whose other path returns on its context's Done."""

    fn: Function
    select_region: int  # the empty `select`
    branch: int  # the innermost region around it that not every run enters
    context: object  # the context expression of the `case <-X.Done():`
    exit: Op  # the `return` in that case


def parked_on_branches(program: Program, debug: Counter) -> list[ParkedOnBranch]:
    out = []
    for fn in program.functions:
        facts = fn.facts
        empties = [r for r, reg in enumerate(facts.regions) if reg.kind == "select" and _empty(reg.info)]
        if not empties:
            continue
        exit_op, context = None, None
        for op in facts.ops:
            if op.kind == "return":
                context = done_case_context(fn, op)
                if context is not None:
                    exit_op = op
                    break
        if exit_op is None:
            continue
        for r in empties:
            chain = list(enclosing_regions(facts, facts.regions[r].parent))
            branch = next((c for c in chain if facts.regions[c].kind not in STRAIGHT_KINDS), None)
            if branch is None or facts.regions[branch].kind in ("for", "range"):
                continue  # every run parks (the author's intent), or a loop decides
            debug["GIM102_empty_selects_past_a_context"] += 1
            out.append(ParkedOnBranch(fn, r, branch, context, exit_op))
    return out


def _empty(info) -> bool:
    """A `select` region's info says it has no `default` and no case."""
    return bool(info) and not info[0] and info[1] == 0


@dataclass
class ParkedWithNothingRunning:
    """`select {}` to keep the process alive for a goroutine that one branch starts, reached on
    another branch that starts none: nothing is left running, and `main` hangs (or the runtime
    stops it with "all goroutines are asleep")."""

    fn: Function
    select_region: int
    arm: int  # the branch that starts no goroutine (-1: the `if` skipped, or no `case` taken)
    statement: int  # the `if` or `switch` whose other branch starts the goroutine
    go_op: Op  # that branch's `go` statement


# Standard-library packages whose calls start no goroutine of their own that keeps a program alive.
_QUIET_PACKAGES = frozenset(
    {
        "bytes",
        "encoding/json",
        "errors",
        "flag",
        "fmt",
        "log",
        "math",
        "os",
        "path",
        "path/filepath",
        "sort",
        "strconv",
        "strings",
        "unicode",
        "unicode/utf8",
    }
)
_QUIET_DEPTH = 4


def parked_with_nothing_running(program: Program, debug: Counter) -> list[ParkedWithNothingRunning]:
    """A `select {}` on the straight line of `main` (or of the function `main` calls once to run),
    after an `if` or `switch` one branch of which starts a goroutine (the one the empty `select`
    keeps the process alive for) while another branch, which neither returns nor exits, starts
    none: on that branch nothing else runs, so the empty `select` blocks a process that has
    nothing left to wait for.

    Judged only when everything the entry runs before the `select` on that branch is seen to start
    no goroutine: functions of the tree (followed through calls and function values, a few calls
    deep) and calls into a few standard-library packages that start none (fmt, strings, log, os...).
    """
    out = []
    memo: dict[int, bool] = {}  # function id -> starts no goroutine (see _quiet)
    for fn in program.functions:
        facts = fn.facts
        empties = [r for r, reg in enumerate(facts.regions) if reg.kind == "select" and _empty(reg.info)]
        if not empties or fn.parent is not None:
            continue
        entry = _entry_call(program, fn)
        if entry is None:
            continue
        for r in empties:
            if not on_straight_line(facts, facts.regions[r].parent):
                continue
            found = _quiet_arm(program, fn, facts.regions[r].line, memo)
            if found is None:
                continue
            if entry is not True and not _quiet_before(program, entry[0], entry[1], memo):
                continue
            debug["GIM102_empty_selects_with_nothing_running"] += 1
            out.append(ParkedWithNothingRunning(fn, r, *found))
    return out


def _entry_call(program: Program, fn: Function):
    """True when fn is `main.main`; (main, its call of fn) when `main.main` is fn's only caller and
    calls it once, plainly; None otherwise."""
    if fn.is_main:
        return True
    callers = program.callers(fn)
    if len(callers) != 1:
        return None
    caller, call = callers[0]
    if call.mode != "plain" or not caller.is_main:
        return None
    return caller, call


def _quiet_arm(program: Program, fn: Function, select_line: int, memo: dict[int, bool]) -> tuple[int, int, Op] | None:
    """(arm, statement, go op) for the branch statement before the empty `select` (on fn's straight
    line) one of whose branches starts a goroutine while another reaches the `select` quietly."""
    facts = fn.facts
    ops = [op for op in facts.ops if op.line < select_line]
    gos = [op for op in ops if op.kind == "call" and (op.mode == "go" or program.is_spawner_call(fn, op))]
    if not gos or any(on_straight_line(facts, op.region) for op in gos):
        return None
    statement = _branch_statement(facts, gos[0].region)
    if statement is None or any(_branch_statement(facts, op.region) != statement for op in gos):
        return None
    kind = facts.regions[statement].kind
    if kind == "if":
        other = _else_of(facts, statement)
        arms = [statement] + ([other] if other is not None else [])
    else:
        arms = [r for r, reg in enumerate(facts.regions) if reg.parent == statement]
    candidates = [a for a in arms if not any(a in enclosing_regions(facts, op.region) for op in gos)]
    if kind == "if" and len(arms) == 1 or kind == "switch" and not _has_default(facts, statement):
        candidates.append(-1)  # no branch taken
    for arm in candidates:
        inside = [op for op in ops if arm >= 0 and arm in enclosing_regions(facts, op.region)]
        straight = [op for op in ops if on_straight_line(facts, op.region)]
        if any(op.kind in ("return", "jump") for op in inside):
            continue
        if all(_quiet(program, fn, op, 0, memo) for op in inside + straight):
            return arm, statement, gos[0]
    return None


def _branch_statement(facts, region: int) -> int | None:
    """The outermost `if` or `switch` around region (an `else` counts as its `if`), when only
    straight blocks lie above it."""
    found = None
    for r in enclosing_regions(facts, region):
        kind = facts.regions[r].kind
        if kind in ("if", "switch"):
            found = r
        elif kind == "else":
            found = _if_of(facts, r)
            if found is None:
                return None
        elif kind not in STRAIGHT_KINDS:
            return None
    return found


def _else_of(facts, if_region: int) -> int | None:
    """The `else` region of an `if`: the sibling after it with the same condition."""
    reg = facts.regions[if_region]
    return next(
        (
            r
            for r, e in enumerate(facts.regions)
            if e.kind == "else" and e.parent == reg.parent and e.info == reg.info and e.line >= reg.line
        ),
        None,
    )


def _if_of(facts, else_region: int) -> int | None:
    """The `if` region an `else` belongs to: the last sibling before it with the same condition."""
    e = facts.regions[else_region]
    ifs = [
        r
        for r, reg in enumerate(facts.regions)
        if reg.kind == "if" and reg.parent == e.parent and reg.info == e.info and reg.line <= e.line
    ]
    return ifs[-1] if ifs else None


def _has_default(facts, switch: int) -> bool:
    """A `switch` region's info says whether it has a `default` case."""
    return bool(facts.regions[switch].info)


def _quiet_before(program: Program, main: Function, call: Op, memo: dict[int, bool]) -> bool:
    """Everything main runs before the call starts no goroutine."""
    facts = main.facts
    return all(
        _quiet(program, main, op, 0, memo)
        and not (op.kind == "call" and op.mode == "go")
        and on_straight_line(facts, op.region)
        for op in facts.ops
        if op.line < call.line
    )


def _quiet(program: Program, fn: Function, op: Op, depth: int, memo: dict[int, bool]) -> bool:
    """op starts no goroutine: not a call, a builtin, a call into a quiet standard-library package,
    or a call whose every target in the tree is quiet throughout (followed _QUIET_DEPTH calls deep;
    each function judged once, in memo: a `False` from the depth limit only keeps a finding back)."""
    if op.kind != "call":
        return True
    if op.mode == "go" or program.is_spawner_call(fn, op):
        return False
    name = E.ident(op.fn)
    if name is not None and program.declaring_function(fn, name) is None and name in _BUILTINS:
        return True
    ext = program.external_callee(fn, op.fn)
    if ext is not None:
        return ext.pkg in _QUIET_PACKAGES
    targets = program.resolve_call(fn, op)
    if not targets or depth >= _QUIET_DEPTH:
        return False
    return all(_quiet_function(program, t.function, depth + 1, memo) for t in targets)


def _quiet_function(program: Program, g: Function, depth: int, memo: dict[int, bool]) -> bool:
    found = memo.get(g.id)
    if found is None:
        memo[g.id] = True  # a call back into g while it is judged: its own ops decide
        found = memo[g.id] = all(_quiet(program, g, o, depth, memo) for o in g.facts.ops)
    return found


_BUILTINS = frozenset({"append", "cap", "copy", "delete", "len", "make", "new", "panic", "print", "println"})
