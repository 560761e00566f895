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

from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .cancel import done_case_context
from .regions import STRAIGHT_KINDS


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
