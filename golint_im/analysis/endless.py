"""A `break` meant to stop a loop that only leaves the `select` around it.

    for {
        select {
        case <-p.done:
            break          // leaves the select, not the loop
        case h := <-p.hits:
            ...
        }
    }

In Go an unlabelled `break` inside a `select` (or `switch`) ends that
statement, not the `for` around it. When that `break` was the loop's only
way out, the goroutine never ends: once `p.done` is closed it spins through
the case for ever, and whoever waits for it (`wg.Wait()`, `<-finished`)
waits for ever too.

Judged on `for {` loops with no condition whose body holds no `return`, no
`goto`, no labelled `break`, no unlabelled `break` of the loop itself, and
no call that ends the goroutine or the process, while some `select` case
directly in the loop (not in a nested loop, switch or select) ends with an
unlabelled `break`; not when that break closes a case after other work that
says nothing of stopping (see `_habitual`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .exits import call_exit

_PLAIN = ("block",)  # regions that do not change where an unlabelled break goes
_BREAKABLE = ("for", "range", "switch", "select")


@dataclass
class IneffectiveBreak:
    """An unlabelled `break` in a select case, the only intended way out of an endless loop."""

    fn: Function
    jump: Op
    loop_line: int
    select_line: int
    receives: bool  # the case receives: once that channel is closed the loop spins through it


def ineffective_breaks(program: Program, debug: Counter) -> list[IneffectiveBreak]:
    out = []
    for fn in program.functions:
        facts = fn.facts
        regions = facts.regions
        loops = [r for r, region in enumerate(regions) if region.kind == "for" and region.info is None]
        if not loops:
            continue
        for loop in loops:
            inside = [op for op in facts.ops if loop in enclosing_regions(facts, op.region)]
            if any(leaves(program, fn, op, loop) for op in inside):
                continue
            for op in inside:
                if op.kind != "jump" or op.mode != "break" or op.fn is not None:
                    continue
                chain = list(enclosing_regions(facts, op.region))
                breakable = [r for r in chain if regions[r].kind in _BREAKABLE]
                if not breakable or regions[breakable[0]].kind != "select":
                    continue
                select = breakable[0]
                case = chain[chain.index(select) - 1] if chain.index(select) > 0 else -1
                between = chain[chain.index(select) + 1 : chain.index(loop)] if loop in chain else None
                if between is None or any(regions[r].kind not in _PLAIN for r in between):
                    continue  # the select is not straight in the loop's body
                if case < 0 or regions[case].kind not in ("case", "default"):
                    continue
                if not _last_in_case(facts, op, case):
                    continue
                if _habitual(facts, op, case, loop):
                    # `case m := <-in: ...queue m...; break`: a C-style break closing a case that did
                    # its work and said nothing of stopping (hmq's CSV log worker)
                    debug["GIM102_ineffective_breaks_closing_a_case"] += 1
                    continue
                debug["GIM102_ineffective_breaks"] += 1
                info = regions[case].info
                receives = bool(info) and info[0] == "recv"
                out.append(IneffectiveBreak(fn, op, regions[loop].line, regions[select].line, receives))
                break
    return out


@dataclass
class NilledSelect:
    """An endless loop's `select` whose every case receives from a channel the case sets to nil once
    it is closed: when all are closed, no case can run, and the loop has no way out."""

    fn: Function
    loop_line: int
    select_line: int
    channels: list  # the names, in case order
    nil_lines: list  # where each is set to nil


def nilled_selects(program: Program, debug: Counter) -> list[NilledSelect]:
    """`for { select { case v, ok := <-a: if !ok { a = nil; continue } ... case ... <-b: ... b = nil } }`
    with no `return`, `goto` or `break` out of the loop: the author handled each close, but
    nothing ends the loop when all are handled, and a `select` on nil channels only blocks.

    Judged on `for {` loops with no exit (as for ineffective breaks), a `select` straight in
    the body, without `default`, whose every case receives from a plain variable that an
    assignment of `nil` inside that case clears.
    """
    out = []
    for fn in program.functions:
        facts = fn.facts
        regions = facts.regions
        for loop, region in enumerate(regions):
            if region.kind != "for" or region.info is not None:
                continue
            inside = [op for op in facts.ops if loop in enclosing_regions(facts, op.region)]
            if not inside or any(leaves(program, fn, op, loop) for op in inside):
                continue
            for sel, sregion in enumerate(regions):
                if sregion.kind != "select" or sregion.parent < 0:
                    continue
                chain = list(enclosing_regions(facts, sregion.parent))
                if loop not in chain or any(regions[r].kind not in _PLAIN for r in chain[: chain.index(loop)]):
                    continue
                found = _all_cases_nilled(facts, sel, inside)
                if found is not None:
                    debug["GIM102_nilled_selects"] += 1
                    names, lines = found
                    out.append(NilledSelect(fn, region.line, sregion.line, names, lines))
    return out


def _all_cases_nilled(facts, sel: int, inside: list) -> tuple[list, list] | None:
    regions = facts.regions
    cases = [r for r, region in enumerate(regions) if region.parent == sel]
    if len(cases) < 1 or any(regions[c].kind != "case" for c in cases):
        return None  # a default (or an odd shape): not judged
    names, lines = [], []
    for c in cases:
        info = regions[c].info
        name = E.ident(info[1]) if info and info[0] == "recv" else None
        if name is None:
            return None
        nil_at = next(
            (
                op.line
                for op in inside
                if op.kind == "assign"
                and c in enclosing_regions(facts, op.region)
                and len(op.targets) == 1
                and E.is_ident(op.targets[0], name)
                and len(op.args) == 1
                and E.is_nil(op.args[0])
            ),
            None,
        )
        if nil_at is None:
            return None
        names.append(name)
        lines.append(nil_at)
    return names, lines


def loop_has_exit(program: Program, fn: Function, loop: int) -> bool:
    """Some op inside the loop region can take the goroutine out of it (see leaves)."""
    facts = fn.facts
    return any(leaves(program, fn, op, loop) for op in facts.ops if loop in enclosing_regions(facts, op.region))


def leaves(program: Program, fn: Function, op: Op, loop: int) -> bool:
    """op can take the goroutine out of the loop: return, goto, a labelled break, a break of the
    loop itself, or a call that ends the goroutine or the process."""
    if op.kind == "return":
        return True
    if op.kind == "jump":
        if op.mode == "goto" or (op.mode == "break" and op.fn is not None):
            return True
        if op.mode == "break":
            regions = fn.facts.regions
            target = next((r for r in enclosing_regions(fn.facts, op.region) if regions[r].kind in _BREAKABLE), None)
            return target == loop
        return False
    return op.kind == "call" and call_exit(program, fn, op) is not None


def _habitual(facts, jump: Op, case: int, loop: int) -> bool:
    """The break stands unconditionally at the end of a case that first does other work, and that
    work says nothing of stopping: no send or `close` (`done <- true; break` reports the end), and
    no `continue` of the loop beside it (`if old { continue }; break` chooses between the two). A
    break that is the case's whole body (`case <-done: break`) or stands behind a condition
    (`if !ok { break }`) is meant to leave, and is judged."""
    if jump.region != case:
        return False
    work = [op for op in facts.ops if op is not jump and case in enclosing_regions(facts, op.region)]
    if not work:
        return False
    for op in work:
        if op.kind == "send" or (op.kind == "call" and E.is_ident(op.fn, "close")):
            return False
        if op.kind == "jump" and op.mode == "continue" and op.fn is None and _innermost_loop(facts, op) == loop:
            return False
    return True


def _innermost_loop(facts, op: Op) -> int:
    """The innermost `for` or `range` region around op, or -1."""
    return next((r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind in ("for", "range")), -1)


def _last_in_case(facts, jump: Op, case: int) -> bool:
    """Nothing of the case's own body follows the break (it is the case's last statement)."""
    later = [
        op for op in facts.ops if op.line > jump.line and case in enclosing_regions(facts, op.region) and op is not jump
    ]
    return not later
