"""Declared analysis passes and the context that computes each at most once per run.

A rule or a layer never builds another layer's result itself: it declares
the passes it needs (`REQUIRES` on a rule, `requires` on a pass) and asks
`ctx.result(PASS)`. The context computes a result on first request and keeps
it for the rest of the run, so rules sharing a layer share its work, and the
engine can tell from the declarations alone which rules must run in the same
process (see `lane_groups`).
"""

from __future__ import annotations

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
    """

    name: str
    run: Callable[[Context], Any]
    requires: tuple[Pass, ...] = ()
    cost: int = 1
    doc: str = ""

    def __repr__(self) -> str:
        return f"Pass({self.name})"


@dataclass
class Context:
    """What a rule sees: the linked program, the config, and the results of the passes it asked for."""

    program: Program
    config: Config
    # In a shard (`check --shard`): whether this shard reports what is anchored at a display
    # path. A layer may skip work whose every finding would be anchored elsewhere; None: report all.
    owns: Callable[[str], bool] | None = None
    debug: dict = field(default_factory=dict)
    _results: dict = field(default_factory=dict, repr=False)
    _running: set = field(default_factory=set, repr=False)

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
