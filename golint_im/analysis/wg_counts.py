"""A WaitGroup counted for more goroutines than are started: `Wait` never returns.

`wg.Add(3)` up front, then two `go` statements whose goroutines each call
`wg.Done()` once: the counter never gets back to zero and `wg.Wait()` blocks
forever. Judged on the sync-primitives identity of the group, only where
every `Add` and `Done` on it is in sight and countable:

- the starting function calls `Add` once, with an integer constant, and
  `Wait` after every `go` statement; it calls no `Done` itself;
- every other `Add` or `Done` on the group is in a goroutine it starts, or
  in a function it calls directly on its own goroutine (`go copy(a, b);
  copy(b, a)`): each calls `Done` exactly once (plain or deferred, not in a
  loop, not behind a branch) and never `Add`s;
- each `go` statement runs a known number of times: once on the function's
  straight line, or K times in a `for i := 0; i < K; i++` loop (see
  regions.constant_trip_count) with no `break`, `continue`, `return` or `goto`;
- no `go` statement is behind a branch (a path that starts fewer is another
  finding's business: GIM106's skipped starts).

Anything else is silence; what is given up is counted in `debug`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .regions import STRAIGHT_KINDS, constant_trip_count, on_straight_line, single_assignment


@dataclass
class Miscounted:
    """`wg.Add(N)` for more goroutines than the function starts before `wg.Wait()`."""

    starter: Function
    add: object  # SyncCall
    wait: object  # SyncCall
    added: int
    started: int
    go_ops: list  # the `go` statements counted
    direct: list  # plain calls of a worker that calls Done, on the starter's own goroutine


def miscounted_groups(program: Program, calls: dict, debug: Counter) -> list[Miscounted]:
    """Groups (sync-primitives keys to their SyncCalls) whose constant Add exceeds the Dones started."""
    out = []
    for key in sorted(calls):
        group = calls[key]
        adds = [c for c in group if c.method == "Add"]
        waits = [c for c in group if c.method == "Wait"]
        if len(adds) != 1 or not waits or any(c.method == "Go" for c in group):
            continue
        add = adds[0]
        starter = add.fn
        added = program.const_int(starter, add.op.args[0]) if add.op.args else None
        if added is None or added < 2:
            continue
        found = _count_started(program, starter, key, group, add.op)
        if found is None:
            debug["GIM106_adds_uncounted"] += 1
            continue
        started, go_ops, direct = found
        wait = next((w for w in waits if w.fn is starter and all(w.op.line > g.line for g in go_ops + direct)), None)
        if wait is None or not go_ops or started >= added:
            continue
        out.append(Miscounted(starter, add, wait, added, started, go_ops, direct))
    return out


def _count_started(program: Program, starter: Function, key: str, group: list, add_op: Op):
    """(goroutines started that each call Done once, their `go` statements), or None when some Add,
    Done or start is not countable."""
    facts = starter.facts
    go_ops: list[Op] = []
    direct: list[Op] = []
    started, done_fns = 0, set()
    for op in facts.ops:
        if op.kind != "call" or op.mode not in ("go", "plain"):
            continue
        targets = program.resolve_call(starter, op)
        dones = [c for c in group if c.method == "Done" and any(c.fn is t.function for t in targets)]
        if not dones:
            continue
        if len(targets) != 1 or len(dones) != 1 or op.line < add_op.line:
            return None
        g = targets[0].function
        if not on_straight_line(g.facts, dones[0].op.region):
            return None  # Done behind a branch or in a loop: not once per goroutine
        times = _times_run(program, starter, op)
        if times is None:
            return None
        # A plain call of the worker (`go copy(a, b); copy(b, a)`) runs its Done on the starter's
        # own goroutine, before the Wait that comes after it: it counts as one more.
        (go_ops if op.mode == "go" else direct).append(op)
        started += times
        done_fns.add(g.id)
    for c in group:
        if c.method == "Done" and c.fn.id not in done_fns:
            return None  # a Done elsewhere (the starter, a helper, another goroutine): not all in sight
        if c.method == "Add" and c.op is not add_op:
            return None
    return started, go_ops, direct


def _times_run(program: Program, fn: Function, op: Op) -> int | None:
    """1 for a statement on fn's straight line, K inside one constant-trip `for` loop with no way
    out; None when it is behind a branch or the count is unknown."""
    facts = fn.facts
    chain = [r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind not in STRAIGHT_KINDS]
    if not chain:
        return 1
    if len(chain) != 1 or facts.regions[chain[0]].kind != "for":
        return None
    loop = chain[0]
    inside = [o for o in facts.ops if loop in enclosing_regions(facts, o.region)]
    if any(o.kind in ("return", "jump") for o in inside):
        return None
    return constant_trip_count(program, fn, loop)


@dataclass
class CopiedGroup:
    """`Done` (or `Add`) on a copy of a WaitGroup: a by-value parameter or a value receiver's field."""

    call: object  # SyncCall
    holder: str  # "parameter" or "receiver"
    declared: str  # the parameter or receiver as declared: `wg sync.WaitGroup`, `p Pool`
    wait: object  # a SyncCall waiting on the original group
    # the copy's own `Done` when `call` is its `Add`: both count on the copy, which balances, and the
    # original never counts up at all, so the Wait returns at once instead of waiting
    done_too: object = None


_BY_VALUE = "sync.WaitGroup"  # a parameter's type as written
_FIELD_BY_VALUE = "sync#WaitGroup"  # a field's type, qualified


def copied_groups(program: Program, calls: dict, debug: Counter) -> list[CopiedGroup]:
    """`wg.Done()`/`wg.Add()` where `wg` is a `sync.WaitGroup` parameter taken by value, or a
    WaitGroup field of a value receiver, while the group the caller holds is waited on: the copy
    counts down (or up) alone, and the Wait on the original never returns (or returns early)."""
    out = []
    for key in sorted(calls):
        group = calls[key]
        waits = [c for c in group if c.method == "Wait"]
        if not waits:
            continue
        found_copies: list[CopiedGroup] = []
        for c in group:
            if c.method not in ("Done", "Add") or c.op.mode == "go":
                continue
            found = _copy_of(program, c)
            if found is None:
                continue
            holder, declared = found
            wait = next((w for w in waits if _copy_of(program, w) is None), None)
            if wait is None:
                continue
            debug["GIM106_copied_groups"] += 1
            found_copies.append(CopiedGroup(c, holder, declared, wait))
        out.extend(_pair_on_one_copy(program, found_copies))
    return out


def _pair_on_one_copy(program: Program, copies: list[CopiedGroup]) -> list[CopiedGroup]:
    """One finding for an `Add` and a `Done` on the same copy (a by-value parameter the goroutine's
    literal captures): they balance on the copy, and what goes wrong is the other way round."""

    def call_of(c: CopiedGroup) -> Any:  # a SyncCall (typed `object` in CopiedGroup)
        return c.call

    def copy_id(c: CopiedGroup) -> tuple:
        call = call_of(c)
        name = E.ident(E.selector_base(call.op.fn))
        owner = program.declaring_function(call.fn, name) if name is not None else None
        return (owner.id if owner is not None else -1, c.declared)

    by_copy: dict[tuple, list[CopiedGroup]] = {}
    for c in copies:
        by_copy.setdefault(copy_id(c), []).append(c)
    out = []
    for same in by_copy.values():
        adds = [c for c in same if call_of(c).method == "Add"]
        dones = [c for c in same if call_of(c).method == "Done"]
        if same[0].holder == "parameter" and adds and dones:
            out.append(replace(adds[0], done_too=dones[0].call))
        else:
            out.extend(same)
    return out


def counts_on_a_copy(program: Program, call) -> bool:
    """The call's WaitGroup is a by-value parameter or a value receiver's field: a copy."""
    return call.op.mode != "go" and _copy_of(program, call) is not None


def _copy_of(program: Program, call) -> tuple[str, str] | None:
    """("parameter" | "receiver", as declared) when the call's WaitGroup is a copy."""
    sel = E.selector(call.op.fn)
    if sel is None:
        return None
    base = sel[0]
    name = E.ident(base)
    if name is not None:
        g = program.declaring_function(call.fn, name)
        if g is None:
            return None
        for pname, ptype in g.facts.params:
            if pname == name and ptype == _BY_VALUE:
                return "parameter", f"{pname} {ptype}"
        return None
    inner = E.selector(base)
    owner = E.ident(inner[0]) if inner is not None else None
    if inner is None or owner is None:
        return None
    g = program.declaring_function(call.fn, owner)
    if g is None or g.facts.recv_name != owner or g.facts.recv_ptr or not g.facts.recv:
        return None
    named = program.named(program.qualify(g.facts.recv, g.file))
    ft = program.field_type(named, inner[1]) if named else None
    if ft is None or ft[0] != _FIELD_BY_VALUE:
        return None
    return "receiver", f"{owner} {g.facts.recv}"


@dataclass
class SelfWait:
    """`wg.Wait()` inside a goroutine the same group counts, before that goroutine's own Done."""

    wait: object  # SyncCall
    done: object  # SyncCall: the goroutine's Done, deferred or after the Wait
    starter: Function
    go_op: Op
    add: object  # SyncCall: the starter's Add counting the goroutine
    # the Wait sits in a function the goroutine reaches by these calls ((function, call) pairs, the
    # goroutine's own first), not in the goroutine itself
    via: tuple = ()


def self_waits(calls: dict, debug: Counter, program: Program | None = None) -> list[SelfWait]:
    """A goroutine counted by a group (its starter Adds before the `go`, it calls Done) that waits on
    the group before its own Done has run: the counter cannot reach zero while it waits."""
    out = []
    for key in sorted(calls):
        group = calls[key]
        for wait in group:
            if wait.method != "Wait" or wait.op.mode != "plain":
                continue
            g = wait.fn
            ops = g.facts.ops
            at = ops.index(wait.op)
            done = next(
                (
                    c
                    for c in group
                    if c.fn is g and c.method == "Done" and (c.op.mode == "defer" or ops.index(c.op) > at)
                ),
                None,
            )
            if done is None or not g.go_sites:
                continue
            for starter, go_op in g.go_sites:
                add = _add_before(group, starter, go_op)
                if add is not None:
                    debug["GIM106_self_waits"] += 1
                    out.append(SelfWait(wait, done, starter, go_op, add))
                    break
    if program is not None:
        out.extend(_self_waits_through_calls(program, calls, debug))
    return out


def _add_before(group: list, starter: Function, go_op: Op):
    """The starter's Add of the group before its `go` statement (it counts the goroutine), or None."""
    s_ops = starter.facts.ops
    at = s_ops.index(go_op)
    return next((c for c in group if c.fn is starter and c.method == "Add" and s_ops.index(c.op) < at), None)


_SELF_WAIT_DEPTH = 3


def _self_waits_through_calls(program: Program, calls: dict, debug: Counter) -> list[SelfWait]:
    """A counted goroutine that, before its own Done (any time, when the Done is deferred), calls
    into a function of the tree that waits on the same group (`t.Run(tc)`, a task calling
    `tc.Quiesce()`, which runs `tc.sched.running.Wait()`): it waits for itself, through calls."""
    out = []
    for key in sorted(calls):
        if key.startswith("local:"):
            continue  # a local group: a call into its function makes a new one (a recursive split)
        group = calls[key]
        waits = {c.fn.id: c for c in group if c.method == "Wait" and c.op.mode == "plain"}
        if not waits:
            continue
        for done in group:
            g = done.fn
            if done.method != "Done" or not g.go_sites or g.id in waits:
                continue
            ops = g.facts.ops
            limit = len(ops) if done.op.mode == "defer" else ops.index(done.op)
            path = None
            # the goroutine's own function and its starters: reached again, they are another round
            # of a recursion over other values (a tree of watchers), not this goroutine's group
            seen = {g.id, g.outermost().id, *(starter.id for starter, _op in g.go_sites)}
            for op in ops[:limit]:
                if op.kind == "call" and op.mode == "plain":
                    path = _reaches_wait(program, g, op, waits, _SELF_WAIT_DEPTH, seen)
                    if path is not None:
                        break
            if path is None:
                continue
            wait = _wait_at(program, path, waits)
            for starter, go_op in g.go_sites:
                add = _add_before(group, starter, go_op)
                if add is not None:
                    debug["GIM106_self_waits_through_calls"] += 1
                    out.append(SelfWait(wait, done, starter, go_op, add, tuple(path)))
                    break
    return out


def _reaches_wait(program: Program, fn: Function, op: Op, waits: dict, depth: int, seen: set) -> list | None:
    """[(fn, op), ...] down to a call of a function holding one of the waits, else None."""
    if _on_a_fresh_value(program, fn, op):
        return None
    for t in program.resolve_call(fn, op):
        callee = t.function
        if callee.id in seen:
            continue  # a recursion: the group there may be another value's
        if callee.id in waits:
            if t.via.startswith("interface") and callee.facts.recv in {f.facts.recv for f in _owners(seen, program)}:
                continue  # `alloc.Wait()` on another node of a tree of watchers of the starter's type
            return [(fn, op)]
        if depth <= 1:
            continue
        seen.add(callee.id)
        for inner in callee.facts.ops:
            if inner.kind == "call" and inner.mode == "plain":
                rest = _reaches_wait(program, callee, inner, waits, depth - 1, seen)
                if rest is not None:
                    return [(fn, op), *rest]
    return None


def _on_a_fresh_value(program: Program, fn: Function, op: Op) -> bool:
    """`it.Next()` on a local fn gave one value, a call's or a literal's (`it :=
    txn.NewKeyIterator(...)`): a method of a value made on the way, whose group is its own, not
    the counting goroutine's (badger's value prefetch reading through a fresh iterator)."""
    sel = E.selector(op.fn)
    name = E.ident(sel[0]) if sel is not None else None
    if name is None or name == fn.facts.recv_name or any(p == name for p, _t in fn.facts.params):
        return False
    if program.declaring_function(fn, name) is None:
        return False
    value = single_assignment(program, fn, name)
    return value is not None and (E.call(value) is not None or E.is_composite_or_address(value))


def _owners(ids: set, program: Program) -> list[Function]:
    """The methods among the functions of ids (the goroutine's starters, and their receivers' type)."""
    return [f for f in (program.functions[i] for i in ids) if f.facts.recv]


def _wait_at(program: Program, path: list, waits: dict):
    """The wait the last call of the path reaches."""
    fn, op = path[-1]
    return next(waits[t.function.id] for t in program.resolve_call(fn, op) if t.function.id in waits)


@dataclass
class GroupSelfWait:
    """`g.Wait()` inside a function the same errgroup runs through `g.Go`: it waits for itself."""

    wait: object  # SyncCall: the Wait
    go: object  # SyncCall: the `g.Go(...)` that runs the function holding it


def group_self_waits(program: Program, calls: dict, debug: Counter) -> list[GroupSelfWait]:
    """An errgroup's `Wait` called by one of the group's own functions (the literal given to
    `g.Go`, on its own body, not in a goroutine it starts): `Wait` returns when every function has
    returned, this one included, so it never does."""
    out = []
    for key in sorted(calls):
        group = calls[key]
        gos = [c for c in group if c.method in ("Go", "TryGo") and c.op.args]
        if not gos:
            continue
        for wait in group:
            if wait.method != "Wait" or wait.op.mode != "plain":
                continue
            for go in gos:
                number = E.funclit(go.op.args[-1])
                lit = program.literal(go.fn, number) if number is not None else None
                if lit is not None and lit is wait.fn:
                    debug["GIM106_group_self_waits"] += 1
                    out.append(GroupSelfWait(wait, go))
                    break
    return out


@dataclass
class UncountedStart:
    """A goroutine that calls `Done` started when the starter's `Add`s have no count left for it."""

    starter: Function
    go_op: Op  # the `go` statement with nothing added for it
    goroutine: Function
    done: object  # SyncCall: its Done
    wait: object  # SyncCall: the starter's Wait
    added: int  # what the Adds before it counted in all
    started: int  # goroutines started up to and including it


def uncounted_starts(program: Program, calls: dict, debug: Counter) -> list[UncountedStart]:
    """`wg.Add(1); go a(); wg.Add(1); go b(); go c(); wg.Wait()` where each goroutine defers
    `wg.Done()`: c's Done has no Add of its own, so the counter can go negative (a panic) or `Wait`
    returns while c still runs.

    The starter's Adds are integer constants run a known number of times; every Done on the group
    is in a goroutine the starter starts (a known number of times), called once on its straight
    line; no goroutine Adds; the Wait comes after every start. Reported when the Adds count fewer
    goroutines than are started in all, at the first `go` (going through the starter in order) that
    the Adds before it leave without a count."""
    out = []
    for key in sorted(calls):
        group = calls[key]
        waits = [c for c in group if c.method == "Wait"]
        adds = [c for c in group if c.method == "Add"]
        if not waits or not adds or any(c.method == "Go" for c in group):
            continue
        starter = adds[0].fn
        if any(c.fn is not starter for c in adds) or any(c.fn is starter for c in group if c.method == "Done"):
            continue
        wait = next((w for w in waits if w.fn is starter and w.op.mode == "plain"), None)
        if wait is None:
            continue
        found = _uncounted(program, starter, group, adds, wait)
        if found is not None:
            debug["GIM106_uncounted_starts"] += 1
            out.append(found)
    return out


def _uncounted(program: Program, starter: Function, group: list, adds: list, wait) -> UncountedStart | None:
    facts = starter.facts
    add_ops = {id(c.op): c for c in adds}
    done_fns: set[int] = set()
    credit = added = started = 0
    first: UncountedStart | None = None
    for op in facts.ops:
        if op is wait.op:
            break
        if id(op) in add_ops:
            n = program.const_int(starter, op.args[0]) if op.args else None
            times = _times_run(program, starter, op)
            if n is None or times is None:
                return None
            credit += n * times
            added += n * times
            continue
        if op.kind != "call" or op.mode != "go":
            continue
        targets = program.resolve_call(starter, op)
        dones = [c for c in group if c.method == "Done" and any(c.fn is t.function for t in targets)]
        if not dones:
            continue
        times = _times_run(program, starter, op)
        if len(targets) != 1 or len(dones) != 1 or times is None:
            return None
        g = targets[0].function
        if not on_straight_line(g.facts, dones[0].op.region):
            return None
        done_fns.add(g.id)
        credit -= times
        started += times
        if credit < 0 and first is None:
            first = UncountedStart(starter, op, g, dones[0], wait, added, started)
    if any(c.method == "Done" and c.fn.id not in done_fns for c in group):
        return None  # a Done elsewhere: not all in sight
    if any(c.method == "Add" and c.fn is not starter for c in group):
        return None
    if added >= started:
        return None  # every goroutine is counted; an Add right after its `go` is a race, not a miscount
    return first


@dataclass
class NestedLimitedGo:
    """`g.SetLimit(n)`, then `g.Go` called from inside a function the same group runs."""

    limit: object  # SyncCall: SetLimit
    outer: object  # SyncCall: the Go running the function
    inner: object  # SyncCall: the Go inside it


def nested_limited_go(program: Program, calls: dict, debug: Counter) -> list[NestedLimitedGo]:
    """An errgroup with a limit whose functions start more functions on the same group: `Go` waits
    for a free slot, and once every slot runs a function that is itself waiting in `Go`, no slot
    ever frees. (`TryGo` does not wait.)"""
    out = []
    for key in sorted(calls):
        group = calls[key]
        limits = [c for c in group if c.method == "SetLimit"]
        if not limits:
            continue
        gos = [c for c in group if c.method == "Go"]
        for inner in gos:
            for outer in gos:
                if outer is inner or not outer.op.args:
                    continue
                number = E.funclit(outer.op.args[-1])
                lit = program.literal(outer.fn, number) if number is not None else None
                if lit is None or not _within(inner.fn, lit):
                    continue
                debug["GIM106_nested_limited_go"] += 1
                out.append(NestedLimitedGo(limits[0], outer, inner))
                break
            else:
                continue
            break
    return out


def _within(fn: Function, lit: Function) -> bool:
    """fn is lit or a literal nested inside it."""
    f: Function | None = fn
    while f is not None:
        if f is lit:
            return True
        f = f.parent
    return False
