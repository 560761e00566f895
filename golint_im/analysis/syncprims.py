"""WaitGroups and condition variables by holder, and the ways their partners go missing.

A `sync.WaitGroup` or `sync.Cond` is identified like a channel: by where it
is held (a local of the function that declares it, a package variable, a
struct field), with a parameter joined to whatever each analysed caller
passes (`go worker(&wg)`). On that identity the layer finds:

- `wg.Add` inside the goroutine it counts: the goroutine also calls
  `wg.Done`, starts no goroutine of its own, and the function that starts it
  waits on the same group without having added for it;
- a `return` of a counted goroutine that skips its (not deferred) `wg.Done`
  while the starter waits on the group;
- `Cond.Wait` outside any loop (its condition is not re-checked after a
  wake-up) on a condition variable something `Signal`s, unless the function
  is a wrapper its callers loop around;
- `Cond.Wait` on a condition variable nothing ever signals or broadcasts,
  when the variable never leaves the code the model sees.

Data only; rule GIM106 words it. What cannot be judged is counted in
`debug`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program, enclosing_regions
from .cond_flags import AbandonedWaiters, UnwokenFlag, abandoned_waiters, unwoken_flags
from .flow import _UnionFind, innermost_loop, leaves_round
from .once import ReenteredOnce, reentered_onces
from .recovery import Recovery
from .refused_starts import RefusedStart, refused_starts
from .regions import assignments_to, deciding_region, leaves_right_after, on_straight_line, returns_skipping
from .stopped_timers import (
    DrainedAfterAnotherTaker,
    DrainedTwice,
    RangedTicker,
    StoppedTimerWait,
    drained_after_another_taker,
    drained_twice,
    ranged_stopped_tickers,
    stopped_timer_waits,
)
from .unpaired import has_else
from .wg_counts import (
    CopiedGroup,
    GroupSelfWait,
    Miscounted,
    NestedLimitedGo,
    SelfWait,
    UncountedStart,
    copied_groups,
    counts_on_a_copy,
    group_self_waits,
    miscounted_groups,
    nested_limited_go,
    self_waits,
    uncounted_starts,
)
from .writes import WRITES, WriteIndex

WAITGROUP = "sync#WaitGroup"
COND = "sync#Cond"
ERRGROUP = "golang.org/x/sync/errgroup#Group"
_METHODS = {
    WAITGROUP: ("Add", "Done", "Wait", "Go"),
    COND: ("Wait", "Signal", "Broadcast"),
    ERRGROUP: ("Go", "TryGo", "Wait", "SetLimit"),
}
_METHOD_NAMES = frozenset(m for methods in _METHODS.values() for m in methods)


# How many levels of callers may wrap a `Cond.Wait` whose re-check loop is further up.
_WRAPPER_DEPTH = 3


@dataclass
class SyncCall:
    fn: Function
    op: Op
    key: str
    kind: str  # WAITGROUP, COND or ERRGROUP
    method: str
    text: str  # the holder as written at this call: `wg`, `s.wg`


def _counts_itself(add: SyncCall, dones: list[SyncCall], via) -> bool:
    """`wg.Add(1); defer wg.Done()` on the goroutine's own straight line: it counts itself.

    An Add on a branch, or with a Done that is not deferred, may count
    another goroutine it starts (`wg.Add(1); startGoRoutine(func() { defer wg.Done() ... })`).
    """
    return via is None and add.op.region == 0 and len(dones) == 1 and dones[0].op.mode == "defer"


@dataclass
class AddInside:
    """`wg.Add` in the goroutine it counts, while the starter waits."""

    starter: Function
    go_op: object
    goroutine: Function
    add: SyncCall
    wait: SyncCall
    via: Op | None = None  # the goroutine's call reaching the Add in another function (None: its own Add)
    elsewhere: bool = False  # the Wait is in another function of the package (`Close`), not in the starter


@dataclass
class DoneSkipped:
    """A counted goroutine's `return` that skips its `wg.Done`."""

    starter: Function
    go_op: object
    goroutine: Function
    exit: object
    region: int  # the branch deciding the return (-1: none)
    done: SyncCall
    wait: SyncCall
    panics: bool = False  # the exit is a `panic(...)` the goroutine itself recovers, not a `return`
    # the Done is per item, in the goroutine's range over a work channel (the group counts items):
    # the line of that loop; the exit (a `continue` or `return`) skips one item's Done
    item_loop: int = 0
    # the per-item Done is a helper's that the loop calls for each item (`s.execute(ctx, j)`):
    # (the helper, the loop's call of it); exit, region and done are then the helper's
    item_helper: tuple | None = None
    # the helper's Done sits in a retry loop, followed by `return`, and the helper runs on past that
    # loop to its end without one: the loop's line (exit is then the helper's last op)
    ends_after_loop: int = 0


@dataclass
class StartSkipped:
    """`wg.Add` counts one goroutine per loop iteration up front, and a `continue` skips starting one."""

    starter: Function
    add: SyncCall
    loop_line: int
    jump: Op  # the `continue` (or `break`) before the `go` statement
    go_op: object
    goroutine: Function
    wait: SyncCall
    count_text: str  # the Add's argument as written: `len(items)`
    via: Op | None = None  # the starter's call of the method holding the Wait (`im.waitWorkers()`)


@dataclass
class UnstartedAdd:
    """`wg.Add(1)` for a goroutine that the `go` after it starts only on one side of an `if`: on the
    other side nothing calls Done for that count."""

    add: SyncCall
    branch: int  # the `if` region whose body holds the `go`
    go_op: Op
    wait: SyncCall


@dataclass
class CondWait:
    """A `Cond.Wait` outside a loop, or with nothing that signals it."""

    call: SyncCall
    unsignalled: bool  # True: nothing signals; False: outside a loop
    # For a one-shot (broadcast-only) wait: the `Lock()` taken inside the `if` that checked the
    # condition, before the wait: the check ran unlocked, so the broadcast can come in between.
    locked_after_check: Op | None = None
    # For a one-shot wait: no `if`, `switch` or `select` around it at all, so nothing checks first
    # whether the broadcast already came.
    unguarded: bool = False


def _locked_after_check(fn: Function, wait: Op) -> Op | None:
    """The plain `x.Lock()` between the `if` around the wait and the wait itself, in that `if`'s
    own body (`if !f.isDone() { f.mu.Lock(); f.cond.Wait(); ... }`): the condition was read before
    the lock, so a broadcast between the read and the `Lock` is missed, and nothing wakes the wait."""
    facts = fn.facts
    if wait.region < 0 or facts.regions[wait.region].kind != "if":
        return None
    ops = facts.ops
    at = ops.index(wait)
    for op in reversed(ops[:at]):
        if op.region != wait.region:
            return None  # something else runs in between: not followed
        if op.kind == "call" and op.mode == "plain" and E.selected_name(op.fn) == "Lock" and not op.args:
            return op
    return None


def _unguarded(fn: Function, wait: Op) -> bool:
    """The wait sits on its function's straight line, and the function does nothing before it but
    take the lock (`g.mu.Lock(); g.cond.Wait()`, or with `defer g.mu.Unlock()` between): no branch
    or case around it, in a named function (a closure's caller may check for it). A function that
    starts the work that will broadcast after taking the lock (`b.mu.Lock(); go b.e.RequestStatus();
    b.cond.Wait()`, tailscale e7482f0df) waits for a broadcast that cannot come before its wait."""
    facts = fn.facts
    if fn.parent is not None or any(facts.regions[r].kind != "body" for r in enclosing_regions(facts, wait.region)):
        return False
    before = facts.ops[: facts.ops.index(wait)]
    return all(
        o.kind == "call"
        and (
            (o.mode == "plain" and E.selected_name(o.fn) in ("Lock", "RLock"))
            or (o.mode == "defer" and E.selected_name(o.fn) in ("Unlock", "RUnlock"))
        )
        for o in before
    )


class SyncPrimitives:
    def __init__(self, program: Program, writes: WriteIndex | None = None):
        self.program = program
        self.writes = writes  # who writes each field (`writes.py`), asked of Cond fields nothing signals
        self.debug: Counter = Counter()
        self.uf = _UnionFind()
        self._recovery = Recovery(program)
        self._labels: dict[str, str] = {}
        self._raw: list[SyncCall] = []
        self._made_conds: dict[int, set[str]] = {}
        self._collect()
        self._collect_done_values()
        self._join_parameters()
        self._join_copies()
        self.calls: dict[str, list[SyncCall]] = defaultdict(list)
        for c in self._raw:
            c.key = self.uf.find(c.key)
            self.calls[c.key].append(c)
        self.add_inside: list[AddInside] = []
        self.done_skipped: list[DoneSkipped] = []
        self.starts_skipped: list[StartSkipped] = []
        self.cond_waits: list[CondWait] = []
        self.copied: list[CopiedGroup] = copied_groups(program, self.calls, self.debug)
        self._drop_counts_on_copies()
        self._judge_goroutines()
        self.unstarted: list[UnstartedAdd] = self._unstarted_adds()
        self._judge_conds()
        self.miscounted: list[Miscounted] = miscounted_groups(program, self.calls, self.debug)
        self.uncounted: list[UncountedStart] = uncounted_starts(program, self.calls, self.debug)
        self.refused: list[RefusedStart] = refused_starts(program, self.calls, self.debug)
        self.nested_limited: list[NestedLimitedGo] = nested_limited_go(program, self.calls, self.debug)
        self.self_waits: list[SelfWait] = self_waits(self.calls, self.debug, program)
        self.group_self_waits: list[GroupSelfWait] = group_self_waits(program, self.calls, self.debug)
        self.reentered_onces: list[ReenteredOnce] = reentered_onces(program, self.holder, self.debug)
        self.stopped_timer_waits: list[StoppedTimerWait] = stopped_timer_waits(program, self.holder, self.debug)
        self.timers_drained_twice: list[DrainedTwice] = drained_twice(program, self.debug)
        self.timers_drained_after_another_taker: list[DrainedAfterAnotherTaker] = drained_after_another_taker(
            program, self.holder, self.debug
        )
        self.ranged_tickers: list[RangedTicker] = ranged_stopped_tickers(program, self.holder, self.debug)
        conds = {k: v for k, v in self.calls.items() if any(c.kind == COND for c in v)}
        self.unwoken_flags: list[UnwokenFlag] = unwoken_flags(program, conds, self.debug)
        self.abandoned_waiters: list[AbandonedWaiters] = abandoned_waiters(program, conds, self.debug)

    def _drop_counts_on_copies(self) -> None:
        """An `Add` or `Done` on a by-value copy of a group (told once, by `copied_groups`) counts
        nothing on the group it was copied from: the other analyses of that group must not see it
        (a goroutine counted only on a copy is not waited for, and its locks cannot block the Wait)."""
        for key, calls in self.calls.items():
            kept = [c for c in calls if not (c.method in ("Add", "Done") and counts_on_a_copy(self.program, c))]
            if len(kept) != len(calls):
                self.debug["GIM106_counts_on_copies_left_out"] += len(calls) - len(kept)
                self.calls[key] = kept

    # ---- identity -------------------------------------------------------------------
    def kind_of(self, fn: Function, expr, method: str) -> str | None:
        """WAITGROUP, COND or ERRGROUP when expr (or what it points to) is one, else None."""
        expr = E.strip_address(expr)
        t = (self.program.type_of(fn, expr) or "").lstrip("*")
        if t in _METHODS:
            return t
        if method not in _METHODS[COND]:
            return None
        name = E.ident(expr)
        g = self.program.declaring_function(fn, name) if name is not None else None
        if g is None or name is None:
            return None
        found = self._made_conds.get(g.id)
        if found is None:
            found = self._made_conds[g.id] = self._new_cond_locals(g)
        return COND if name in found else None

    def _new_cond_locals(self, fn: Function) -> set[str]:
        """The locals of fn assigned `sync.NewCond(...)` (their type is not inferred from the call)."""
        out = set()
        for op in fn.facts.ops:
            if op.kind == "assign" and len(op.targets) == len(op.args):
                for target, value in zip(op.targets, op.args, strict=True):
                    name = E.ident(target)
                    if name is not None and self.is_new_cond(fn, value):
                        out.add(name)
        return out

    def is_new_cond(self, fn: Function, value) -> bool:
        """value is a call of `sync.NewCond`."""
        called = E.call(value)
        if called is None:
            return False
        ext = self.program.external_callee(fn, called[0])
        return ext is not None and (ext.pkg, ext.name, ext.recv) == ("sync", "NewCond", "")

    def holder(self, fn: Function, expr) -> str | None:
        """Where the value is held, before joining parameters: local, package var or field."""
        expr = E.strip_address(expr)
        pointed = E.unary_operand(expr, "*")
        if pointed is not None:
            expr = pointed
        name = E.ident(expr)
        if name is not None:
            g = self.program.declaring_function(fn, name)
            if g is not None:
                key = f"local:{g.id}:{name}"
            elif name in fn.pkg.vars:
                key = f"var:{fn.pkg.path}.{name}"
            else:
                return None
            self._labels.setdefault(key, name)
            return key
        sel = E.selector(expr)
        if sel is None:
            return None
        base, fname = sel
        bt = self.program.type_of(fn, base)
        named = self.program.named(bt) if bt else None
        ft = self.program.field_type(named, fname) if named else None
        if ft is None:
            return None
        key = f"field:{ft[1]}.{fname}"
        self._labels.setdefault(key, f"{ft[1].split('#')[1]}.{fname}")
        return key

    def label(self, key: str) -> str:
        return self._labels.get(key, key.split(":")[-1])

    def _collect(self) -> None:
        for fn in self.program.functions:
            for op in fn.facts.ops:
                if op.kind != "call" or E.selected_name(op.fn) not in _METHOD_NAMES:
                    continue
                sel = E.selector(op.fn)
                if sel is None:
                    continue
                base, method = sel
                kind = self.kind_of(fn, base, method)
                if kind is None or method not in _METHODS[kind]:
                    continue
                key = self.holder(fn, base)
                if key is None:
                    self.debug["GIM106_holders_unknown"] += 1
                    continue
                self._raw.append(SyncCall(fn, op, key, kind, method, E.render(E.strip_address(base))))

    def _collect_done_values(self) -> None:
        """`go l.loadShard(ctx, sh, wg.Done)`: a `func()` parameter every caller fills with the `Done`
        method value of one WaitGroup; each call of it in the callee (`done()`) is that group's Done."""
        for fn in self.program.functions:
            params = fn.facts.params
            wanted = [(i, name) for i, (name, t) in enumerate(params) if name and t.replace(" ", "") == "func()"]
            if not wanted:
                continue
            callers = self.program.callers(fn)
            if not callers:
                continue
            for i, name in wanted:
                holders: set[tuple[str, str]] = set()
                for caller, call in callers:
                    arg = call.args[i] if i < len(call.args) else None
                    sel = E.selector(arg) if arg is not None else None
                    if sel is None or sel[1] != "Done" or self.kind_of(caller, sel[0], "Done") != WAITGROUP:
                        holders = set()
                        break
                    key = self.holder(caller, sel[0])
                    if key is None:
                        holders = set()
                        break
                    holders.add((key, E.render(E.strip_address(sel[0]))))
                if len(holders) != 1:
                    continue
                key, text = holders.pop()
                for op in fn.facts.ops:
                    if op.kind == "call" and E.is_ident(op.fn, name) and not op.args:
                        self._raw.append(SyncCall(fn, op, key, WAITGROUP, "Done", text))
                        self.debug["GIM106_dones_through_method_values"] += 1

    def _join_parameters(self) -> None:
        """A WaitGroup or Cond parameter is whatever its analysed callers pass."""
        for fn in self.program.functions:
            params = fn.facts.params
            wanted = [
                (i, name) for i, (name, t) in enumerate(params) if name and ("sync.WaitGroup" in t or "sync.Cond" in t)
            ]
            if not wanted:
                continue
            for caller, op in self.program.callers(fn):
                for i, name in wanted:
                    if i < len(op.args):
                        a = self.holder(caller, op.args[i])
                        if a is not None:
                            self.uf.union(a, f"local:{fn.id}:{name}")

    def _join_copies(self) -> None:
        """A local that copies a pointer to a Cond or WaitGroup held elsewhere (`c := rl.c`, its one
        assignment) is that one: `c.Wait()` waits on what `rl.c.Broadcast()` wakes."""
        for fn in self.program.functions:
            for op in fn.facts.ops:
                if op.kind != "assign" or len(op.targets) != len(op.args):
                    continue
                for target, value in zip(op.targets, op.args, strict=True):
                    name = E.ident(target)
                    if name is None or E.ident(value) is None and E.selector(value) is None:
                        continue
                    t = self.program.type_of(fn, value) or ""
                    if t not in ("*sync#Cond", "*sync#WaitGroup"):
                        continue
                    if len(list(assignments_to(fn, name))) != 1:
                        continue
                    copied, local = self.holder(fn, value), self.holder(fn, target)
                    if copied is not None and local is not None and copied != local:
                        self.uf.union(copied, local)
                        self.debug["GIM106_copies_joined"] += 1

    def key_of(self, fn: Function, expr) -> str | None:
        """The group's or condition variable's identity: its holder, parameters joined to what callers pass."""
        raw = self.holder(fn, expr)
        return self.uf.find(raw) if raw else None

    # ---- WaitGroups and the goroutines they count ---------------------------------------
    def _own(self, fn: Function, kind: str, method: str) -> list[SyncCall]:
        return [c for c in self._by_fn.get(fn.id, ()) if c.kind == kind and c.method == method]

    def _judge_goroutines(self) -> None:
        self._by_fn: dict[int, list[SyncCall]] = defaultdict(list)
        for calls in self.calls.values():
            for c in calls:
                self._by_fn[c.fn.id].append(c)
        helpers = self._done_helpers()
        for g in self.program.functions:
            if g.go_sites:
                self._by_fn[g.id].extend(self._dones_in_deferred_literals(g))
            if g.go_sites and helpers and not self._by_fn.get(g.id):
                self._by_fn[g.id].extend(self._dones_through_helpers(g, helpers))
            if g.go_sites:
                for starter, go_op in g.go_sites:
                    self._item_skipped_in_helper(starter, go_op, g)
            if not g.go_sites or not self._by_fn.get(g.id):
                continue
            for starter, go_op in g.go_sites:
                self._judge_goroutine(starter, go_op, g)

    def _item_skipped_in_helper(self, starter: Function, go_op, g: Function) -> None:
        """`for j := range s.jobs { s.execute(ctx, j) }` in a goroutine with no Done of its own, where
        `execute` (a function of the tree, called straight in the loop's body) counts each item down
        with plain `s.pending.Done()` calls outside any loop, and returns before them on some path,
        while the group is added to elsewhere and waited on: that item is never counted down."""
        facts = g.facts
        regions = facts.regions
        for rop in facts.ops:
            if rop.kind != "recv" or rop.mode != "range":
                continue
            loop = rop.body
            for call in facts.ops:
                if call.kind != "call" or call.mode != "plain" or call.region != loop:
                    continue
                targets = self.program.resolve_call(g, call)
                h = targets[0].function if len(targets) == 1 and not targets[0].via else None
                if h is None or h.parent is not None or h.go_sites:
                    continue
                mine = [c for c in self._by_fn.get(h.id, ()) if c.kind == WAITGROUP]
                keys = {c.key for c in mine}
                if not mine or len(keys) != 1 or any(c.method != "Done" or c.op.mode != "plain" for c in mine):
                    continue
                key = keys.pop()
                hops = h.facts.ops
                if any(c.key == key for c in self._by_fn.get(g.id, ())) or any(
                    self._in_loop(h, c.op.region) and not leaves_right_after(h.facts, hops.index(c.op)) for c in mine
                ):
                    continue  # the goroutine counts the group itself, or the helper counts per inner round
                if any(c.method == "Done" and c.fn is not h for c in self.calls.get(key, ())):
                    continue  # counted down elsewhere too: which items reach this helper is not followed
                if not any(c.method == "Add" and c.fn is not h for c in self.calls.get(key, ())):
                    continue
                wait = self._wait_after(starter, go_op, key) or self._wait_elsewhere(starter, key)
                if wait is None:
                    continue
                done_idx = [hops.index(c.op) for c in mine]
                ends = _ends_past_its_loop(h.facts, done_idx)
                if ends is not None:
                    end, loop_line = ends
                    self.debug["GIM106_items_skipped_in_helpers"] += 1
                    done = next(c for c in mine if c.op is hops[done_idx[0]])
                    self.done_skipped.append(
                        DoneSkipped(
                            starter,
                            go_op,
                            g,
                            hops[end],
                            -1,
                            done,
                            wait,
                            item_loop=regions[loop].line,
                            item_helper=(h, call),
                            ends_after_loop=loop_line,
                        )
                    )
                    return
                for i, t in returns_skipping(h.facts, done_idx):
                    region = deciding_region(h.facts, hops[i].region, hops[t].region)
                    done = next(c for c in mine if c.op is hops[t])
                    self.debug["GIM106_items_skipped_in_helpers"] += 1
                    self.done_skipped.append(
                        DoneSkipped(
                            starter,
                            go_op,
                            g,
                            hops[i],
                            region,
                            done,
                            wait,
                            item_loop=regions[loop].line,
                            item_helper=(h, call),
                        )
                    )
                    return

    def _unstarted_adds(self) -> list[UnstartedAdd]:
        """`d.wg.Add(1)`, then `if cond { go d.run(j); return }` and nothing else for it: when cond
        does not hold, no goroutine is started for the count and no Done of the function pays it back
        (its own deferred Done pays the count it was started with). Judged for a constant 1, the `go`
        the first op of the group's key after the Add (in an `if` with no `else`, its region nested in
        the Add's), no other Add, plain Done or `go` of the function after the Add, and a Wait of the
        group elsewhere."""
        out: list[UnstartedAdd] = []
        for key in sorted(self.calls):
            calls = self.calls[key]
            waits = [c for c in calls if c.kind == WAITGROUP and c.method == "Wait"]
            if not waits:
                continue
            if not any(c.kind == WAITGROUP and c.method == "Done" for c in calls):
                # `s.startWG.Add(1)` ... `s.startWG.Wait()` with no Done anywhere: a deliberate park of
                # the waiter (like `select {}`), not a count a goroutine was meant to pay back
                self.debug["GIM106_groups_never_counted_down"] += 1
                continue
            for add in calls:
                if add.kind != WAITGROUP or add.method != "Add" or add.op.mode != "plain" or len(add.op.args) != 1:
                    continue
                if self.program.const_int(add.fn, add.op.args[0]) != 1:
                    continue
                found = self._go_on_one_side(add, calls)
                if found is not None:
                    wait = next((w for w in waits if w.fn is not add.fn), waits[0])
                    out.append(UnstartedAdd(add, found[0], found[1], wait))
                    self.debug["GIM106_adds_for_goroutines_started_on_one_side"] += 1
        return out

    def _go_on_one_side(self, add: SyncCall, calls: list[SyncCall]) -> tuple[int, Op] | None:
        fn = add.fn
        facts = fn.facts
        ops = facts.ops
        at = ops.index(add.op)
        later = ops[at + 1 :]
        gos = [o for o in later if o.kind == "call" and o.mode == "go"]
        mine = [c for c in calls if c.fn is fn and c is not add and ops.index(c.op) > at]
        if len(gos) != 1 or any(c.method in ("Add", "Wait") or c.op.mode != "defer" for c in mine):
            return None
        go_op = gos[0]
        r = go_op.region
        if r < 0 or facts.regions[r].kind != "if" or has_else(facts, r):
            return None
        around_add = set(enclosing_regions(facts, add.op.region))
        if r in around_add or facts.regions[r].parent not in around_add:
            return None  # the `if` must sit on the Add's own way, after it, not around it
        if any(o.kind in ("return", "jump") and o.region != r and ops.index(o) < ops.index(go_op) for o in later):
            return None
        return r, go_op

    def _done_helpers(self) -> dict[int, SyncCall]:
        """Functions that only count their group down (`func (c *Crawler) finish() { c.wg.Done() }`):
        their one sync call, a plain `Done` on their straight line, with nothing around it."""
        out: dict[int, SyncCall] = {}
        for fid, every in self._by_fn.items():
            # its mutex calls around a bookkeeping write (`r.mu.Lock(); r.res[k] = v; r.mu.Unlock()`) aside
            calls = [c for c in every if c.kind == WAITGROUP]
            if len(calls) != 1 or calls[0].method != "Done":
                continue
            c = calls[0]
            facts = c.fn.facts
            if c.op.mode not in ("plain", "defer") or c.op.region != 0 or not _reaches_end(facts, c.op):
                continue  # a `defer wg.Done()` on the straight line runs on every return past it
            if _on_a_parameter(c):
                pass  # `func (r *Runner) execute(e Entry, wg *sync.WaitGroup)`: the group each caller passes
            elif c.fn.parent is not None:
                # `finish := func(err error) { ...; wg.Done() }` over a group its enclosing function
                # declares: the same group for every goroutine that function starts
                if not c.key.startswith(f"local:{c.fn.parent.id}:"):
                    continue
            elif not c.key.startswith("field:"):
                continue  # a group of the helper's own receiver: the same one for every caller on that value
            out[fid] = c
        return out

    def _dones_in_deferred_literals(self, g: Function) -> list[SyncCall]:
        """g's `defer func() { <-sem; wg.Done() }()`: a plain Done on the straight line of a literal g
        defers, as a deferred Done of g at the `defer` statement (the literal runs exactly once, when
        g returns, as `defer wg.Done()` would)."""
        found = []
        for op in g.facts.ops:
            number = E.funclit(op.fn) if op.kind == "call" and op.mode == "defer" else None
            lit = self.program.literal(g, number) if number is not None else None
            if lit is None:
                continue
            for c in self._by_fn.get(lit.id, ()):
                if c.kind == WAITGROUP and c.method == "Done" and c.op.mode == "plain" and c.op.region == 0:
                    found.append(SyncCall(g, op, c.key, WAITGROUP, "Done", c.text))
        return found

    def _dones_through_helpers(self, g: Function, helpers: dict[int, SyncCall]) -> list[SyncCall]:
        """g's plain calls of done helpers on its own receiver or on a parameter (`rep.record(name, st)`
        with `rep *report` given by the `go` statement), as Done calls of g at those calls."""
        found = []
        own = {g.facts.recv_name, *(p for p, _t in g.facts.params)} - {"", "_", None}
        declared = self.program.declared(g) if g.parent is not None else None
        for op in g.facts.ops:
            base = E.ident(E.selector_base(op.fn)) if op.kind == "call" else None
            # a goroutine literal's captured local (`go func() { ...; c.ok(rows) }()`) is its starter's
            # value; so is a helper literal it calls by its local name (`finish(err)`)
            called = E.ident(op.fn) if op.kind == "call" else None
            captured = declared is not None and (base or called) is not None and (base or called) not in declared
            if op.kind != "call" or op.mode != "plain" or (base not in own and not captured):
                continue
            targets = self.program.resolve_call(g, op)
            c = helpers.get(targets[0].function.id) if len(targets) == 1 else None
            if c is not None:
                hrecv = c.fn.facts.recv_name
                text = c.text
                if hrecv and text.startswith(hrecv + "."):
                    text = E.render(E.selector_base(op.fn)) + text[len(hrecv) :]  # `r.wg` in record: `rep.wg` here
                elif _on_a_parameter(c):
                    text = _as_passed(c, op, text)  # `wg.Done()` in execute: the group this call passes
                found.append(SyncCall(g, op, c.key, WAITGROUP, "Done", text))
        if found:
            self.debug["GIM106_dones_through_helpers"] += 1
        return found

    def _wait_after(self, starter: Function, go_op, key: str) -> SyncCall | None:
        """The starter's Wait on the group after the `go`; else the Wait of a goroutine literal the
        starter starts after it, on its straight line (`go func() { wg.Wait(); close(out) }()`, the
        closer of a fan-in)."""
        ops = starter.facts.ops
        g = ops.index(go_op)
        for c in self._own(starter, WAITGROUP, "Wait"):
            if c.key == key and ops.index(c.op) > g:
                return c
        for lit in starter.nested_literals():
            starts = [op for f, op in lit.go_sites if f is starter]
            if len(starts) != 1 or lit.parent is not starter:
                continue
            at = next((i for i, o in enumerate(ops) if o is starts[0]), -1)
            if at <= g:
                continue
            for c in self._own(lit, WAITGROUP, "Wait"):
                if c.key == key and on_straight_line(lit.facts, c.op.region):
                    return c
        return None

    def _judge_goroutine(self, starter: Function, go_op, g: Function) -> None:
        ops = g.facts.ops
        if any(c.method == "Go" for c in self._by_fn[g.id]):
            return
        dones = self._own(g, WAITGROUP, "Done")
        for key in sorted({c.key for c in dones}):
            wait = self._wait_after(starter, go_op, key)
            elsewhere = self._wait_elsewhere(starter, key) if wait is None else None
            if wait is None and elsewhere is None:
                continue
            mine = [c for c in dones if c.key == key]
            adds = [c for c in self._own(g, WAITGROUP, "Add") if c.key == key]
            via = None
            if not adds:
                via, adds = self._adds_through_call(g, key, mine)
            if adds:
                started = any(op.kind == "call" and op.mode == "go" for op in ops)
                s_ops = starter.facts.ops
                gi = s_ops.index(go_op)
                added = any(c.key == key and s_ops.index(c.op) < gi for c in self._own(starter, WAITGROUP, "Add"))
                if started or added or len(mine) != 1:
                    self.debug["GIM106_adds_in_spawning_goroutines"] += 1
                elif wait is not None and self._synchronised(starter, go_op, wait, g, via or adds[0].op, key):
                    self.debug["GIM106_adds_before_a_handshake"] += 1
                elif elsewhere is not None and not _counts_itself(adds[0], mine, via):
                    self.debug["GIM106_adds_for_other_goroutines"] += 1
                elif elsewhere is not None and self._handshake_after(starter, go_op):
                    self.debug["GIM106_adds_before_a_handshake"] += 1
                elif elsewhere is not None and self._ordered_by(
                    elsewhere.fn, _before(elsewhere), g, via or adds[0].op, key
                ):
                    self.debug["GIM106_adds_before_a_handshake"] += 1
                elif not any(a.goroutine is g and a.add is adds[0] for a in self.add_inside):
                    found = wait or elsewhere
                    assert found is not None
                    self.add_inside.append(AddInside(starter, go_op, g, adds[0], found, via, wait is None))
                continue
            if wait is None:
                assert elsewhere is not None
                via = self._wait_called_after(starter, go_op, elsewhere)
                if via is not None:
                    self._start_skipped(starter, go_op, g, key, elsewhere, via)
                self._exits_skipping_for_another_waiter(starter, go_op, g, key, mine, elsewhere)
                continue  # the other forms follow the starter's own path to its Wait
            self._start_skipped(starter, go_op, g, key, wait)
            if any(c.op.mode == "defer" for c in mine) and not self._deferred_late(g, mine):
                continue
            counted = any(c.key == key and c.method == "Add" for c in self.calls[key])
            if not counted:
                continue
            done_idx = [ops.index(c.op) for c in mine]
            if any(self._in_loop(g, ops[i].region) for i in done_idx):
                self.debug["GIM106_dones_in_loops"] += 1  # the group counts items, not goroutines
                self._item_skipped(starter, go_op, g, mine, wait)
                continue
            self._exits_skipping(starter, go_op, g, key, mine, wait)

    @staticmethod
    def _deferred_late(g: Function, mine: list) -> bool:
        """Every Done of g is deferred, and a `return` comes before the first of those defers
        (`conn, err := dial(); if err != nil { return }; defer wg.Done()`): a return that has not
        passed the `defer` statement leaves without it, as it would leave without a plain Done."""
        if not all(c.op.mode == "defer" for c in mine):
            return False
        ops = g.facts.ops
        first = min(ops.index(c.op) for c in mine)
        return any(o.kind == "return" for o in ops[:first])

    def _exits_skipping_for_another_waiter(
        self, starter: Function, go_op, g: Function, key: str, mine: list, wait: SyncCall
    ) -> None:
        """`c.wg.Add(1); go c.visit(u)`, with `visit` returning on an error before its plain
        `c.wg.Done()`, and `c.wg.Wait()` in another method of the type (`Close`, `Wait`): the count
        never reaches zero, so that Wait never returns. Judged for a struct field's group when the
        starter adds to it right before the `go` (on the same path, no branch between), every Done of
        the group in the program is the goroutine's own, and none is in a loop, nor deferred unless a
        `return` comes before the `defer` (`if err := p.Init(); err != nil { return }; defer
        h.wg.Done()`)."""
        if any(c.op.mode == "defer" for c in mine) and not self._deferred_late(g, mine):
            return
        # a done helper only this goroutine calls (`g.release()`, which does `<-g.sem; g.wg.Done()`)
        # counts it down for this goroutine alone
        helpers = {
            t.function.id
            for c in mine
            if E.selected_name(c.op.fn) != "Done"
            for t in self.program.resolve_call(g, c.op)
            if all(caller is g for caller, _op in self.program.callers(t.function))
        }
        if any(c.method == "Done" and c.fn is not g and c.fn.id not in helpers for c in self.calls.get(key, ())):
            self.debug["GIM106_dones_elsewhere_for_another_waiter"] += 1
            return
        gops = g.facts.ops
        if any(self._in_loop(g, c.op.region) and not leaves_right_after(g.facts, gops.index(c.op)) for c in mine):
            return  # a Done that repeats counts items; one followed by `return` counts the goroutine
        facts = starter.facts
        gi = facts.ops.index(go_op)
        add = next(
            (
                c
                for c in self._own(starter, WAITGROUP, "Add")
                if c.key == key and facts.ops.index(c.op) < gi and c.op.region == go_op.region
            ),
            None,
        )
        if add is None:
            add = self._add_for_the_loop(starter, go_op, key)
        elif any(
            o.kind in ("return", "jump") and o.region == go_op.region for o in facts.ops[facts.ops.index(add.op) : gi]
        ):
            return
        if add is None:
            return
        self.debug["GIM106_goroutines_judged_for_another_waiter"] += 1
        self._exits_skipping(starter, go_op, g, key, mine, wait)

    def _add_for_the_loop(self, starter: Function, go_op, key: str) -> SyncCall | None:
        """`p.wg.Add(workers)` straight before `for i := 0; i < workers; i++ { go p.worker() }`, the `go`
        straight in the loop's body (no branch, nothing leaving the loop first): the Add counts
        exactly the goroutines the loop starts."""
        facts = starter.facts
        regions = facts.regions
        loop = go_op.region
        if loop < 0 or regions[loop].kind not in ("for", "range") or regions[loop].parent < 0:
            return None
        ops = facts.ops
        gi = ops.index(go_op)
        if any(o.kind in ("return", "jump") and o.region == loop for o in ops[:gi]):
            return None
        for c in self._own(starter, WAITGROUP, "Add"):
            if c.key != key or c.op.region != regions[loop].parent or not c.op.args:
                continue
            at = ops.index(c.op)
            between = ops[at + 1 : gi]
            if (
                c.op.line < regions[loop].line
                and _counts_loop(c.op.args[0], regions[loop])
                and not any(o.kind in ("return", "jump") and o.region == c.op.region for o in between)
            ):
                return c
        return None

    def _wait_called_after(self, starter: Function, go_op, wait: SyncCall) -> Op | None:
        """The starter's plain call, after the `go`, on its own receiver, of the method holding the
        Wait on the receiver's group (`im.waitWorkers()`): the starter waits there itself."""
        recv = starter.facts.recv_name
        if not recv or wait.fn.parent is not None or wait.op.mode != "plain":
            return None
        ops = starter.facts.ops
        for op in ops[ops.index(go_op) + 1 :]:
            if op.kind != "call" or op.mode != "plain" or not E.is_ident(E.selector_base(op.fn), recv):
                continue
            targets = self.program.resolve_call(starter, op)
            if len(targets) == 1 and targets[0].function is wait.fn and not targets[0].via:
                return op
        return None

    def _start_skipped(
        self, starter: Function, go_op, g: Function, key: str, wait: SyncCall, via: Op | None = None
    ) -> None:
        """`wg.Add(len(xs))` (or `wg.Add(n)`) before a loop over xs (or `i < n`) whose body may `continue`
        before the `go` statement: the skipped iterations start no goroutine, so Wait never returns.

        Only when the `go` is on the body's straight line (no branch around it in the loop), the
        loop is the one the Add's count describes, the starter calls no other Add or Done of the
        group, and Wait (or via, the starter's call of the method waiting) follows the loop.
        """
        facts = starter.facts
        regions = facts.regions
        chain = list(enclosing_regions(facts, go_op.region))
        loop = next((r for r in chain if regions[r].kind in ("for", "range")), None)
        if loop is None or any(regions[r].kind not in ("for", "range") for r in chain[: chain.index(loop)]):
            return  # not in a loop, or started on a branch of it
        own = [c for c in self._by_fn.get(starter.id, ()) if c.key == key and c.method in ("Add", "Done")]
        adds = [c for c in own if c.method == "Add"]
        if len(own) != 1 or len(adds) != 1:
            return
        add = adds[0]
        if (via or wait.op).line <= regions[loop].end_line or not add.op.args:
            return
        ops = facts.ops
        first = 0
        if add.op.line >= regions[loop].line:
            # `wg.Add(1)` at the top of the body, then a `continue` before the `go`: the same skip.
            add_chain = list(enclosing_regions(facts, add.op.region))
            if loop not in add_chain or any(
                regions[r].kind not in ("block",) for r in add_chain[: add_chain.index(loop)]
            ):
                return
            if self.program.const_int(starter, add.op.args[0]) != 1:
                return
            first = ops.index(add.op)
        elif not _counts_loop(add.op.args[0], regions[loop]):
            return
        g_idx = ops.index(go_op)
        for op in ops[first:g_idx]:
            if op.kind != "jump" or op.mode not in ("continue", "break") or op.line < regions[loop].line:
                continue
            if loop not in enclosing_regions(facts, op.region) or E.ident(op.fn):
                continue  # outside this loop's body, or a labelled jump to another loop
            inner = list(enclosing_regions(facts, op.region))
            if any(regions[r].kind in ("for", "range", "switch", "select") for r in inner[: inner.index(loop)]):
                continue  # it leaves an inner statement, not this loop
            branch = set(inner[: inner.index(loop)])
            at = ops.index(op)
            if any(o.kind == "call" and o.mode == "go" and o.region in branch for o in ops[first:at]):
                continue  # the skipping branch starts a goroutine of its own first
            count_text = E.render(add.op.args[0])
            self.starts_skipped.append(
                StartSkipped(starter, add, regions[loop].line, op, go_op, g, wait, count_text, via)
            )
            return

    def _exits_skipping(self, starter: Function, go_op, g: Function, key: str, mine: list, wait: SyncCall) -> None:
        """The first `return` of g (or `panic`, when g recovers it) before its Done on that path: one finding."""
        ops = g.facts.ops
        done_idx = [ops.index(c.op) for c in mine]
        exits = [(False, returns_skipping(g.facts, done_idx))]
        if self._recovery.defers_recover(g):
            exits.append((True, returns_skipping(g.facts, done_idx, self._is_panic(g))))
        for panics, found in exits:
            for i, t in found:
                if self._done_on_the_way(g, i, ops[t].region, key):
                    self.debug["GIM106_returns_through_calls"] += 1
                    continue
                region = deciding_region(g.facts, ops[i].region, ops[t].region)
                done = next(c for c in mine if c.op is ops[t])
                self.done_skipped.append(DoneSkipped(starter, go_op, g, ops[i], region, done, wait, panics))
                return

    def _item_skipped(self, starter: Function, go_op, g: Function, mine: list, wait: SyncCall) -> None:
        """Every Done of g is per item, straight in its range over a work channel, and a `continue` of
        that loop or a `return` after taking an item comes before it: that item is never counted
        down, and Wait never returns. (`for line := range in.lines { if bad { continue }; ...;
        in.wg.Done() }` with `wg.Add(len(input))` by the producer.)"""
        facts = g.facts
        regions = facts.regions
        ops = facts.ops
        loops = set()
        for c in mine:
            chain = list(enclosing_regions(facts, c.op.region))
            loop = innermost_loop(facts, c.op.region)
            if loop is None or regions[loop].kind != "range" or c.op.mode != "plain":
                return
            if any(regions[r].kind not in ("block",) for r in chain[: chain.index(loop)]):
                return  # a Done on a branch of the round: some rounds count down elsewhere
            loops.add(loop)
        if len(loops) != 1:
            return
        loop = loops.pop()
        if not any(op.kind == "recv" and op.mode == "range" and op.body == loop for op in ops):
            return
        done_idx = [ops.index(c.op) for c in mine]

        for i, t in returns_skipping(facts, done_idx, lambda op: leaves_round(facts, op, loop)):
            if loop not in enclosing_regions(facts, ops[i].region):
                continue  # before the first item
            region = deciding_region(facts, ops[i].region, ops[t].region)
            done = next(c for c in mine if c.op is ops[t])
            self.done_skipped.append(
                DoneSkipped(starter, go_op, g, ops[i], region, done, wait, item_loop=regions[loop].line)
            )
            return

    def _is_panic(self, fn: Function) -> Callable[[Op], bool]:
        """A predicate: the op calls the builtin `panic`."""
        builtin = self.program.declaring_function(fn, "panic") is None
        return lambda op: builtin and op.kind == "call" and op.mode == "plain" and E.is_ident(op.fn, "panic")

    def _adds_through_call(self, g: Function, key: str, dones: list[SyncCall]) -> tuple[Op | None, list[SyncCall]]:
        """g's own call (before its Done) to a function that adds to the group itself: (that call, [its Add])."""
        ops = g.facts.ops
        first_done = min(ops.index(c.op) if c.op.mode != "defer" else len(ops) for c in dones)
        for op in ops[:first_done]:
            if op.kind != "call" or op.mode != "plain":
                continue
            targets = self.program.resolve_call(g, op)
            if len(targets) != 1 or targets[0].function.go_sites:
                continue
            callee = targets[0].function
            adds = [c for c in self._own(callee, WAITGROUP, "Add") if c.key == key]
            if adds and not any(o.kind == "call" and o.mode == "go" for o in callee.facts.ops):
                return op, adds
        return None, []

    def _wait_elsewhere(self, starter: Function, key: str) -> SyncCall | None:
        """A Wait on a struct field's group in another function of the starter's package (`Close`).

        `s.wg` of one type: the constructor or method starting the goroutine and
        the `Close` waiting on it meet on the same value in the usual life of the
        type; a local or package group waited elsewhere is not followed.
        """
        if not key.startswith("field:"):
            return None
        waits = [
            c
            for c in self.calls.get(key, ())
            if c.method == "Wait" and c.fn.outermost() is not starter.outermost() and c.fn.pkg is starter.pkg
        ]
        return min(waits, key=lambda c: (c.fn.file.path, c.op.line), default=None)

    def _handshake_after(self, starter: Function, go_op) -> bool:
        """After the `go` the starter blocks on a receive or a Wait: the goroutine may have added first."""
        s_ops = starter.facts.ops
        waits = {id(c.op) for c in self._own(starter, WAITGROUP, "Wait")}
        return any(op.kind == "recv" or id(op) in waits for op in s_ops[s_ops.index(go_op) + 1 :])

    def _synchronised(self, starter: Function, go_op, wait: SyncCall, g: Function, add_op: Op, key: str) -> bool:
        """Between the `go` and the Wait the starter blocks on something the goroutine may signal after
        its Add (a receive, a select, another group's Wait), or sends what the goroutine receives only
        after its Add: the Add may be known to come first.

        A deferred Wait runs when the starter returns, after every op of its body; the Wait of a
        goroutine the starter starts later (`go func() { wg.Wait(); close(out) }()`, see _wait_after)
        may run as soon as that `go` does."""
        s_ops = starter.facts.ops
        if wait.fn is not starter:
            end = next(i for i, op in enumerate(s_ops) if any(op is o for f, o in wait.fn.go_sites if f is starter))
        elif wait.op.mode == "defer":
            end = len(s_ops)
        else:
            end = s_ops.index(wait.op)
        return self._ordered_by(starter, s_ops[s_ops.index(go_op) + 1 : end], g, add_op, key)

    def _ordered_by(self, waiter: Function, between: list, g: Function, add_op: Op, key: str) -> bool:
        """The waiter's ops before its Wait block on something the goroutine g may signal after its
        Add, or send what g receives only after its Add (`s.unsub <- true; s.wg.Wait()` while g
        adds, then selects on `s.unsub`)."""
        waits = {id(c.op) for c in self._own(waiter, WAITGROUP, "Wait")}
        blocks = any(op.kind == "recv" or id(op) in waits for op in between)
        hands = any(op.kind == "send" for op in between)
        if not blocks and not hands:
            return False
        after = g.facts.ops[g.facts.ops.index(add_op) + 1 :]
        other_dones = {id(c.op) for c in self._own(g, WAITGROUP, "Done") if c.key != key}
        signals = any(
            op.kind == "send" or id(op) in other_dones or (op.kind == "call" and E.is_ident(op.fn, "close"))
            for op in after
        )
        takes = any(op.kind == "recv" for op in after)
        return (blocks and signals) or (hands and takes)

    def _done_on_the_way(self, fn: Function, i: int, stop_region: int, key: str) -> bool:
        """Before the return at index i, on its branch, fn calls code that may call Done (or hands the group on)."""
        facts = fn.facts
        around_stop = set(enclosing_regions(facts, stop_region))
        branch = [r for r in enclosing_regions(facts, facts.ops[i].region) if r not in around_stop]
        for op in facts.ops[:i]:
            if op.region not in branch or op.kind != "call":
                continue
            if any(self.key_of(fn, a) == key for a in op.args):
                return True
            for t in self.program.resolve_call(fn, op):
                if self._by_fn.get(t.function.id):
                    return True
        return False

    # ---- condition variables ------------------------------------------------------------
    def _judge_conds(self) -> None:
        for key in sorted(self.calls):
            calls = self.calls[key]
            waits = [c for c in calls if c.kind == COND and c.method == "Wait"]
            if not waits:
                continue
            signalled = any(c.method in ("Signal", "Broadcast") for c in calls)
            if not signalled:
                if self._escapes(key, waits[0]):
                    self.debug["GIM106_conds_escaping"] += 1
                elif key.startswith("field:") and not self._field_made_here(key, waits[0]):
                    self.debug["GIM106_cond_fields_not_made_in_place"] += 1
                    continue
                else:
                    self.cond_waits.append(CondWait(waits[0], True))
                    continue
            if signalled and not any(c.method == "Signal" for c in calls):
                # Only Broadcast: typically a one-shot event (done, result ready) set before the
                # broadcast and never reset, for which a single `if !done { Wait() }` is enough,
                # unless the check ran before the lock the wait runs under was taken.
                for w in waits:
                    if self._in_loop(w.fn, w.op.region):
                        continue
                    lock = _locked_after_check(w.fn, w.op)
                    if lock is not None:
                        self.cond_waits.append(CondWait(w, False, lock))
                    elif _unguarded(w.fn, w.op) and not self._looped_by_callers(w.fn, starts_count=False):
                        # `mu.Lock(); cond.Wait()` with no check at all: a Broadcast before it is missed
                        self.cond_waits.append(CondWait(w, False, unguarded=True))
                    else:
                        self.debug["GIM106_unlooped_waits_on_broadcast_only"] += 1
                continue
            for w in waits:
                if self._in_loop(w.fn, w.op.region):
                    continue
                if self._looped_by_callers(w.fn):
                    self.debug["GIM106_cond_waits_in_looping_wrappers"] += 1
                    continue
                self.cond_waits.append(CondWait(w, False))

    def _in_loop(self, fn: Function, region: int) -> bool:
        regions = fn.facts.regions
        return any(regions[r].kind in ("for", "range") for r in enclosing_regions(fn.facts, region))

    def _looped_by_callers(self, fn: Function, starts_count: bool = True) -> bool:
        """fn may be a wrapper around Wait: a caller loops around it, or (exported, uncalled) callers are unseen.

        Wrappers nest (`Wait` in a queue method, called by a helper that a worker loop calls), so callers
        are followed up to _WRAPPER_DEPTH levels; each function is visited once, so this stays linear.
        """
        seen = {id(fn)}
        level = [fn]
        for _ in range(_WRAPPER_DEPTH):
            upper = []
            for f in level:
                callers = self.program.callers(f)
                if not callers and f.parent is None and f.facts.name[:1].isupper() and not _test_root(f):
                    return True
                for c, op in callers:
                    if op.mode == "go" and not starts_count:
                        continue  # `for ... { go s.worker(i) }` starts goroutines: no loop around the wait
                    if self._in_loop(c, op.region):
                        return True
                    if id(c) not in seen:
                        seen.add(id(c))
                        upper.append(c)
            level = upper
        return False

    def _escapes(self, key: str, wait: SyncCall) -> bool:
        """The Cond is used other than by its own methods (passed, returned, stored elsewhere), or held
        where code outside the analysed tree can reach it (an exported field or package variable)."""
        label = self.label(key)
        name = label.split(".")[-1]
        if key.startswith(("field:", "var:")) and name[:1].isupper():
            return True
        if key.startswith("local:"):
            owner = self.program.functions[int(key.split(":")[1])]
            scope = [owner, *owner.nested_literals()]
        else:
            scope = [f for f in self.program.functions if f.pkg is wait.fn.pkg]
        for fn in scope:
            for op in fn.facts.ops:
                exprs = [op.fn, *op.args]
                if op.kind != "assign":
                    exprs += list(op.targets)
                elif len(op.targets) == len(op.args):
                    # `c := rl.c`: a copy joined to the same Cond (`_join_copies`) is not an escape.
                    copies = [v for t, v in zip(op.targets, op.args, strict=True) if self.key_of(fn, t) == key]
                    exprs = [e for e in exprs if not any(e is v for v in copies)]
                for e in exprs:
                    if e is None or not E.is_expr(e):
                        continue
                    seen = used = 0
                    for x in E.subexprs(e):
                        sel = E.selector(x)
                        if sel is not None and sel[1] in ("Wait", "Signal", "Broadcast", "L"):
                            if self._names(fn, sel[0], name) and self.key_of(fn, sel[0]) == key:
                                used += 1
                        if self._names(fn, x, name) and self.key_of(fn, x) == key:
                            seen += 1
                    if seen > used:
                        return True
        return False

    def _field_made_here(self, key: str, wait: SyncCall) -> bool:
        """Every value the package stores in the Cond field is a new Cond (`sync.NewCond(...)`,
        `&sync.Cond{...}`), and it stores at least one.

        `&dummyPaced{wait: wait}` shares a Cond the caller also holds (and may broadcast through its
        own name); a field nothing sets is nil, and a Wait on it never blocks (it is guarded, or panics).
        """
        named, _, fname = key[len("field:") :].rpartition(".")
        declared = self.program.field_type(named, fname)
        if declared is None or not declared[0].startswith("*"):
            return True  # a `sync.Cond` value lives in its holder: it is made with it
        if self.writes is None:
            return True  # who writes the field is not known here: judged as before
        values = [(fn, rhs) for fn, _op, rhs, how in self.writes.field_writes_of(named, fname) if how == "assign"]
        return bool(values) and all(self._new_cond(fn, v) for fn, v in values)

    def _new_cond(self, fn: Function, value) -> bool:
        comp = E.composite(E.strip_address(value))
        if comp is not None:
            return self.program.qualify(comp[0], fn.file) == "sync#Cond" if comp[0] else False
        called = E.call(value)
        ext = self.program.external_callee(fn, called[0]) if called is not None else None
        return ext is not None and (ext.pkg, ext.name) == ("sync", "NewCond")

    def _names(self, fn: Function, x, name: str) -> bool:
        """Cheap pre-check before a type query: x is `name` or `something.name`."""
        x = E.strip_address(x)
        sel = E.selector(x)
        return E.is_ident(x, name) or (sel is not None and sel[1] == name)


def _reaches_end(facts, done: Op) -> bool:
    """Every run of the function gets to `done`, a statement of its body's straight line: nothing
    before it can leave (a `return`, a `panic`, a `goto`, a jump out of a labelled loop) or loop
    forever (a `for` with no condition, a `select {}`); loops that end and branches that rejoin may
    come first (`mu.Lock(); for i := range ss { ... }; mu.Unlock(); wg.Done()`)."""
    for op in facts.ops:
        if op is done:
            return True
        if op.kind in ("return", "jump") and not (op.kind == "jump" and op.fn is None and op.region != 0):
            return False
        if op.kind == "call" and op.mode == "plain" and E.is_ident(op.fn, "panic"):
            return False
    return not any(
        (r.kind == "for" and r.info is None) or (r.kind == "select" and r.info and r.info[1] == 0)
        for r in facts.regions
    )


def _parameter_at(c: SyncCall) -> int:
    """The position of the parameter the call's group is (`wg.Done()` with `wg *sync.WaitGroup`), -1 if none."""
    base = E.ident(E.selector_base(c.op.fn))
    return next((i for i, (name, _t) in enumerate(c.fn.facts.params) if base is not None and name == base), -1)


def _on_a_parameter(c: SyncCall) -> bool:
    """The call's group is one of its function's parameters."""
    return _parameter_at(c) >= 0


def _as_passed(c: SyncCall, call: Op, text: str) -> str:
    """The helper's `wg.Done()` written with the argument the call passes for `wg` (`&tick.wg` gives
    `tick.wg.Done()`); unchanged when the argument is not a plain name or selector."""
    at = _parameter_at(c)
    if not 0 <= at < len(call.args):
        return text
    base = c.fn.facts.params[at][0]
    arg = E.strip_address(call.args[at])
    if E.ident(arg) is None and E.selector(arg) is None:
        return text
    return E.render(arg) + text[len(base) :]


def _ends_past_its_loop(facts, done_idx: list[int]) -> tuple[int, int] | None:
    """(the index of the function's last op, the loop's line) when every Done sits in one `for` loop
    with a condition (`for j.Tries < max {`), each followed right away by `return`, and the function
    goes on past that loop to its end with no `return` of its own: when the loop runs out, the
    function ends without counting down."""
    regions = facts.regions
    ops = facts.ops
    loops = {innermost_loop(facts, ops[t].region) for t in done_idx}
    if len(loops) != 1 or None in loops or not all(leaves_right_after(facts, t) for t in done_idx):
        return None
    loop = loops.pop()
    assert loop is not None
    reg = regions[loop]
    if reg.kind != "for" or reg.info is None or reg.parent != 0:
        return None  # an endless `for {` leaves only through its returns; a nested loop is not followed
    after = [k for k, o in enumerate(ops) if o.region == 0 and o.line > reg.end_line]
    if not after or any(ops[k].kind in ("return", "jump") for k in after):
        return None
    if any(o.kind == "jump" and o.mode == "goto" for o in ops):
        return None
    return after[-1], reg.line


def _counts_loop(count, loop) -> bool:
    """The Add's count is the loop's trip count: `len(xs)` for `range xs`, `n` for `i < n`."""
    if loop.kind == "range":
        c = E.call(count)
        if c is None or not E.is_ident(c[0], "len") or len(c[1]) != 1:
            return False
        return E.render(c[1][0]) == E.render(loop.info)
    b = E.binary(loop.info) if loop.info is not None else None
    return b is not None and b[0] == "<" and E.render(b[2]) == E.render(count)


def _build(ctx: Context) -> SyncPrimitives:
    s = SyncPrimitives(ctx.program, ctx.result(WRITES))
    ctx.debug.update(s.debug)
    return s


SYNC_PRIMITIVES = Pass(
    "sync-primitives",
    _build,
    requires=(WRITES,),
    doc="WaitGroups and condition variables by holder: Add inside the counted goroutine, skipped Done, lone Cond.Wait",
)


def _test_root(fn: Function) -> bool:
    """A test, benchmark, fuzz test or example of a test file: `go test` calls it, and nothing loops around it."""
    name = fn.facts.name
    return fn.file.is_test and name.startswith(("Test", "Benchmark", "Fuzz", "Example"))


def _before(wait: SyncCall) -> list:
    """The ops of the waiting function on its straight line before its Wait (all of them for a
    deferred Wait)."""
    facts = wait.fn.facts
    end = len(facts.ops) if wait.op.mode == "defer" else facts.ops.index(wait.op)
    return [op for op in facts.ops[:end] if op.region == 0]
