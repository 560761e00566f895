"""Control regions of one function: the items of each region in source order, loops, jump targets."""
from __future__ import annotations

from golint_im.program import enclosing_regions

# ---------------------------------------------------------------------------
# Structured view of a function: the items (ops and child regions) of each region in source order


class FnView:
    def __init__(self, fn):
        f = fn.facts
        self.fn = fn
        self.regions = f.regions
        self.ops = f.ops
        n = len(f.regions)
        first = [None] * n
        for i, op in enumerate(f.ops):
            r = op.region
            while 0 <= r < n and first[r] is None:
                first[r] = i
                r = f.regions[r].parent
        self.children: dict[int, list] = {r: [] for r in range(n)}
        for i, op in enumerate(f.ops):
            if 0 <= op.region < n:
                self.children[op.region].append((i, 0, i))
        self.kids: dict[int, list] = {r: [] for r in range(n)}  # all child regions, empty ones included
        for r in range(1, n):
            p = f.regions[r].parent
            if 0 <= p < n:
                self.kids[p].append(r)
                if first[r] is not None:
                    self.children[p].append((first[r], 1, r))
        for items in self.children.values():
            items.sort()
        self.else_of: dict[int, int] = {}
        self.if_of: dict[int, int] = {}
        for p, rs in self.kids.items():
            for a, b in zip(rs, rs[1:]):
                ra, rb = f.regions[a], f.regions[b]
                if ra.kind == "if" and rb.kind == "else" and ra.info == rb.info:
                    self.else_of[a] = b
                    self.if_of[b] = a
        self.first = first

    def in_region(self, r: int, outer: int) -> bool:
        return outer in enclosing_regions(self.fn.facts, r)

    def loops_around(self, r: int):
        return [x for x in enclosing_regions(self.fn.facts, r) if self.regions[x].kind in ("for", "range")]

    def jump_target(self, op) -> int | None:
        """The region a `break`/`continue` leaves; None for goto, fallthrough or an unknown label."""
        if op.mode == "continue":
            kinds = ("for", "range")
        elif op.mode == "break":
            kinds = ("for", "range", "switch", "select")
        else:
            return None
        label = op.fn[1] if op.fn is not None and op.fn[0] == "id" else ""
        for r in enclosing_regions(self.fn.facts, op.region):
            reg = self.regions[r]
            if reg.kind in kinds and (not label or reg.label == label):
                return r
        return None

    def endless(self, r: int) -> bool:
        """`for {`: left only by break, return, panic or goto."""
        reg = self.regions[r]
        return reg.kind == "for" and reg.info is None
