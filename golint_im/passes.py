"""Declared analysis passes and the context that computes each at most once per run.

A rule or a layer never builds another layer's result itself: it declares
the passes it needs (`REQUIRES` on a rule, `requires` on a pass) and asks
`ctx.result(PASS)`. The context computes a result on first request and keeps
it for the rest of the run, so rules sharing a layer share its work, and the
engine can tell from the declarations alone which rules must run in the same
process (see `lane_groups`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .config import Config
from .program import Program

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Pass:
    """One analysis layer: `run(ctx)` computes its result from the program and the passes it requires.

    `cost` is the layer's relative run time, measured on real code (see
    docs/performance.md). A layer that costs more than 1 is worth computing
    once per run: rules that share it run in one lane. A cheap one (cost 1)
    is computed again in every lane that asks for it, so it never ties
    unrelated rules together.

    `on_demand` marks a cache of per-function answers built as they are
    asked for: forgetting it loses only time, so a lane drops it whenever no
    other layer is alive (`Context.release_idle_caches`).
    """

    name: str
    run: Callable[[Context], Any]
    requires: tuple[Pass, ...] = ()
    cost: int = 1
    doc: str = ""
    on_demand: bool = False

    def __repr__(self) -> str:
        return f"Pass({self.name})"


# Work units (ops read, states visited) a rule or pass may spend on one function, and on
# the whole run. Far above what any real project needs (the largest of our 45 validation
# targets spends under a tenth of them, see docs/reliability.md): they exist so that no input
# can make a rule superlinear, not to trim ordinary work.
FUNCTION_BUDGET = 2_000_000
RUN_BUDGET = 40_000_000
# Tests only: "per function,per run" to lower the budgets (never to raise them).
BUDGET_ENV = "GOLINT_IM_TEST_BUDGET"


def budget_limits() -> tuple[int, int]:
    """(per function, per run): the defaults, lowered by GOLINT_IM_TEST_BUDGET when a test sets it."""
    per_function, per_run = FUNCTION_BUDGET, RUN_BUDGET
    wanted = os.environ.get(BUDGET_ENV, "")
    try:
        f, r = (int(x) for x in wanted.split(","))
    except ValueError:
        return per_function, per_run
    return max(1, min(f, per_function)), max(1, min(r, per_run))


class Budget:
    """The work a rule or pass may still do, per function and per run, counted in units.

    Units, not seconds: the same input runs out at the same place on any
    machine, under any load and with any --jobs, so the results stay
    deterministic. A caller charges the units it is about to spend on a
    function; a False answer means stop working on that function (its
    budget, or the run's, is spent). What was cut short is kept in `cut`
    (function id -> Function, in the order it happened) for the notice.
    """

    def __init__(self, owner: str, per_function: int, per_run: int, label: str = ""):
        self.owner = owner
        self.label = label or owner  # how notices name it: the rules it serves
        self.per_function = per_function
        self.per_run = per_run
        self.spent = 0
        self.most_on_one_function = 0
        self.run_out = False
        self._by_function: dict[int, int] = {}
        self.cut: dict[int, Any] = {}

    def charge(self, fn, units: int) -> bool:
        """Spend units on fn; False (and fn recorded as cut short) once its or the run's budget is spent."""
        if self.run_out:
            self.cut.setdefault(fn.id, fn)
            return False
        on_fn = self._by_function.get(fn.id, 0) + units
        self._by_function[fn.id] = on_fn
        self.spent += units
        self.most_on_one_function = max(self.most_on_one_function, on_fn)
        if self.spent > self.per_run:
            self.run_out = True
        if on_fn > self.per_function or self.run_out:
            self.cut.setdefault(fn.id, fn)
            return False
        return True


@dataclass
class Context:
    """What a rule sees: the linked program, the config, and the results of the passes it asked for."""

    program: Program
    config: Config
    # In a shard (`check --shard`): whether this shard reports what is anchored at a display
    # path. A layer may skip work whose every finding would be anchored elsewhere; None: report all.
    owns: Callable[[str], bool] | None = None
    debug: dict = field(default_factory=dict)
    # Notices a rule adds while it runs (the engine hands them on with the rule's findings).
    notices: list = field(default_factory=list)
    budgets: dict = field(default_factory=dict, repr=False)
    _results: dict = field(default_factory=dict, repr=False)
    _running: set = field(default_factory=set, repr=False)

    def budget(self, owner: str, label: str = "") -> Budget:
        """The work budget of a rule or pass (by ID or name), made on first request; label names it in notices."""
        b = self.budgets.get(owner)
        if b is None:
            b = self.budgets[owner] = Budget(owner, *budget_limits(), label=label)
        return b

    def release(self, passes: Iterable[Pass]) -> None:
        """Forget these passes' results (their last user is done); asked again, one is computed again.

        A result object's attributes are cleared as it is forgotten. The cyclic
        collector is paused for the whole run (engine.analyse), so a layer whose
        object graph holds a cycle through its top object (partners hands its own
        bound methods to the helpers it keeps) would otherwise stay in memory to
        the end of the run, under the next family's peak. Nothing outside a pass
        keeps its top object: rules keep findings, which are plain data.
        """
        for p in passes:
            dropped = self._results.pop(p, None)
            attributes = getattr(dropped, "__dict__", None)
            if isinstance(attributes, dict) and not isinstance(dropped, type):
                attributes.clear()

    def release_idle_caches(self) -> None:
        """Forget the on-demand caches once no other layer is alive.

        Between two families of rules (concurrency, then ownership) the views
        the first family built would otherwise stay under the second family's
        peak; the second builds again only the views it asks for (10,191 files,
        one lane: peak RSS 1,493 -> 1,450 MiB, no measurable time).
        """
        if self._results and all(p.on_demand for p in self._results):
            self.release(list(self._results))

    def result(self, p: Pass) -> Any:
        """The result of pass `p` in this run, computed on first request (its requirements first)."""
        try:
            return self._results[p]
        except KeyError:
            pass
        if p in self._running:
            raise RuntimeError(f"analysis pass {p.name} requires itself")
        self._running.add(p)
        try:
            for needed in p.requires:
                self.result(needed)
            value = self._results[p] = p.run(self)
        finally:
            self._running.discard(p)
        return value


def last_users(rules: list) -> dict[str, list[Pass]]:
    """Per rule ID, the passes no rule after it in `rules` needs (directly or through requirements).

    A lane runs its rules in this order and releases each pass's result once
    its last user is done: the layers of one family (channel flow, locks) are
    not kept while the next (ownership) builds its own, so a lane's peak is its
    largest family rather than the sum of them.
    """
    last: dict[Pass, str] = {}
    for rule in rules:
        for p in closure(getattr(rule, "REQUIRES", ())):
            last[p] = rule.ID
    out: dict[str, list[Pass]] = {}
    for p, rule_id in last.items():
        out.setdefault(rule_id, []).append(p)
    return out


def closure(passes: Iterable[Pass]) -> list[Pass]:
    """The passes and everything they require, each once, requirements first."""
    seen: dict[Pass, None] = {}

    def visit(p: Pass) -> None:
        if p in seen:
            return
        for q in p.requires:
            visit(q)
        seen[p] = None

    for p in passes:
        visit(p)
    return list(seen)


def lane_groups(rules: list) -> list[tuple[list, int]]:
    """Rules that must share a process, with the group's cost, costliest first.

    Two rules are grouped when they need (directly or through requirements)
    the same pass of cost above 1: computing it twice would cost more than
    the parallelism gains. A group costs its costliest pass (at least 1).
    Rules keep their given order inside a group; groups of equal cost keep
    the order of their first rule.
    """
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Pass, int] = {}
    needs = [closure(getattr(r, "REQUIRES", ())) for r in rules]
    for i, passes in enumerate(needs):
        for p in passes:
            if p.cost <= 1:
                continue
            if p in owner:
                parent[find(i)] = find(owner[p])
            else:
                owner[p] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(rules)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        cost = max([1] + [p.cost for i in members for p in needs[i]])
        out.append(([rules[i] for i in members], cost))
    out.sort(key=lambda g: g[1], reverse=True)
    return out
