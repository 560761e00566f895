"""`WaitGroup.Wait` and `Cond.Wait` under a held mutex, matched with the goroutines that would end the wait.

The lock layer records every `Wait` performed while a mutex is held (a
`BlockedUnderLock` of kind "wait"); the sync-primitives layer knows each
WaitGroup and Cond by holder, with its `Done` and `Signal`/`Broadcast`
calls. This layer joins the two:

- a `wg.Wait()` under mutex M, where a goroutine counted by `wg` (started
  with `go`, calling `wg.Done()` itself or through one call) takes M before
  its `Done` (a deferred `Done`: anywhere in the goroutine). The waiter keeps
  M until every `Done` arrives, the goroutine needs M to get there;
- a `c.Wait()` under mutex M that is not the Cond's own `L` (`Wait` releases
  only `L`), where every `Signal`/`Broadcast` of `c` is preceded, in its
  function, by taking M.

Mutexes are compared by declaration (class), as for channel partners; a read
lock on both sides is no conflict. What cannot be judged is counted in
`debug` (`GIM103_*`). Data only; rule GIM103 words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, enclosing_regions
from .cond_flags import _changes_as, _freeing_changes, _wait_loop
from .flow import CHANNEL_FLOW, in_loop
from .locks import (
    ACQUIRE,
    BRANCHES,
    LOCKS,
    Acquire,
    BlockedUnderLock,
    Hop,
    LockModel,
    concurrent_roots,
    declared_together,
)
from .never_stopped import top_endless_loop
from .regions import assignments_to, under_len_guard
from .replies import taken_from_map_fields
from .syncprims import COND, ERRGROUP, SYNC_PRIMITIVES, WAITGROUP, SyncCall, SyncPrimitives

# Counted in --debug: the Waits under a lock this layer gave up on, by reason.
DEBUG_KEYS = (
    "GIM103_waits_on_unknown_groups",
    "GIM103_cond_waits_with_unknown_locker",
    "GIM103_waits_whose_partners_skip_the_lock",
    "GIM103_waits_on_goroutines_adding_themselves",
)


@dataclass(frozen=True)
class WaitHeldAcross:
    """A Wait under `blocked.held` whose partner (a counted goroutine, or every signaller) must take that lock."""

    blocked: BlockedUnderLock
    wait: SyncCall
    partner_fn: Function  # the goroutine (WaitGroup) or the signalling function (Cond)
    partner_lock: Acquire  # the partner's acquisition of the held mutex's class, reached from partner_fn
    partner_call: SyncCall  # the Done, Signal or Broadcast it reaches only after that
    partners: int  # how many partner functions were checked (all take the lock for a Cond)
    released: bool = False  # partner_fn is a borrower's release no goroutine of its own runs (a pool's put)
    left_out: int = 0  # signals of the Cond left out: they only move the wait's counter away from its end


class _Matcher:
    def __init__(self, model: LockModel, prims: SyncPrimitives, debug: dict):
        self.model = model
        self.prims = prims
        self.debug = debug
        self.by_op = {id(c.op): c for calls in prims.calls.values() for c in calls}
        self._cond_lockers: dict[str, set[str]] | None = None
        self._taken: dict[tuple, Acquire | None] = {}
        self._adding: dict[tuple[int, str], bool] = {}
        self.adders: dict[str, set[int]] = {}  # group key -> functions calling its Add themselves
        for key, calls in prims.calls.items():
            self.adders[key] = {c.fn.id for c in calls if c.method == "Add"}

    # ---- the partner's side ------------------------------------------------------------------
    def takes_before(self, fn: Function, stop: Op | None, cls: str) -> Acquire | None:
        """fn takes a mutex of class cls (itself, or in a function it calls) before the op `stop` (None: ever).

        Memoised: many Waits on one group ask about the same goroutines, and each answer reads the
        goroutine's ops once, so the layer stays linear in the ops of the partners it looks at.
        """
        key = (fn.id, id(stop), cls)
        if key not in self._taken:
            self._taken[key] = self._first_acquire(fn, stop, cls)
        return self._taken[key]

    def _first_acquire(self, fn: Function, stop: Op | None, cls: str) -> Acquire | None:
        deferred_stop = stop is not None and stop.mode == "defer"
        past = False
        for op in fn.facts.ops:
            if op is stop:
                if not deferred_stop:
                    return None
                past = True  # `defer wg.Done()`: the body runs first, and the defers registered after it
                continue
            if op.kind != "call" or op.mode == "go" or (op.mode == "defer" and not past):
                continue
            a = acquire_at(self.model, fn, op, cls)
            if a is not None:
                return a
        return None

    def goroutines_counting(self, done: SyncCall) -> list[tuple[Function, Op | None]]:
        """The goroutines whose run ends in this `Done`: (goroutine function, op its Done comes with; None: at the end).

        The Done's own function when it is started with `go`, or a goroutine
        calling that function directly.
        """
        fn, op = done.fn, done.op
        out: list[tuple[Function, Op | None]] = []
        if fn.go_sites:
            out.append((fn, op))  # a deferred Done: what runs before it is judged by _first_acquire
        for caller, call in self.model.program.callers(fn):
            if caller.go_sites and call.mode != "go":
                out.append((caller, call))
        return out

    def _locks_before_done(self, done: SyncCall, g: Function | None, key: str, cls: str) -> Acquire | None:
        """The Done's own function, apart from the goroutine and adding nothing, takes a mutex of
        class cls before its Done (`Put`: `p.mu.Lock(); ...; p.mu.Unlock(); p.active.Done()`)."""
        if done.fn is g or self._adds(done.fn, key):
            return None
        # A deferred Done runs at the function's end: a lock taken before it is registered comes first.
        return self.takes_before(done.fn, done.op, cls)

    def adds_itself(self, fns: tuple[Function, ...], key: str) -> bool:
        """One of fns calls the group's `Add`, itself or in a function it calls directly.

        Such a goroutine is counted only once it runs: when it takes the
        mutex before its own `Add` (a start helper that adds under the lock
        so that Add cannot race Wait), the waiter holding the mutex does not
        wait for it.
        """
        return any(self._adds(fn, key) for fn in fns)

    def _adds(self, fn: Function, key: str) -> bool:
        memo = (fn.id, key)
        if memo not in self._adding:
            adders = self.adders.get(key, set())
            program = self.model.program
            self._adding[memo] = fn.id in adders or any(
                op.kind == "call" and any(t.function.id in adders for t in program.resolve_call(fn, op))
                for op in fn.facts.ops
            )
        return self._adding[memo]

    # ---- WaitGroup ---------------------------------------------------------------------------
    def waitgroup(self, b: BlockedUnderLock, wait: SyncCall) -> WaitHeldAcross | None:
        cls = b.held.lock.cls
        dones = [c for c in self.prims.calls.get(wait.key, ()) if c.method == "Done"]
        checked = 0
        for done in dones:
            counting = self.goroutines_counting(done)
            if not counting and not self._adds(done.fn, wait.key) and done.fn is not b.fn:
                # A borrower's release, whoever calls it (`conn.Release()` -> `p.put(c)`: `p.mu.Lock()`,
                # then the deferred `p.active.Done()`): every release waits for the waiter's lock first.
                a = self._locks_before_done(done, None, wait.key, cls)
                if a is not None and not (a.mode == "r" and b.held.mode == "r"):
                    return WaitHeldAcross(b, wait, done.fn, a, done, checked + 1, released=True)
            for g, stop in counting:
                if g is b.fn or g is b.op_fn:
                    continue
                if self.adds_itself((g, done.fn), wait.key):
                    # Counted once its Add ran; a Done in a function that adds nothing and takes the
                    # mutex first (a pool's `Put` after its `Get`) then waits for the waiter's lock.
                    a = self._locks_before_done(done, g, wait.key, cls)
                    if a is not None and not (a.mode == "r" and b.held.mode == "r"):
                        return WaitHeldAcross(b, wait, g, a, done, checked + 1)
                    self.debug["GIM103_waits_on_goroutines_adding_themselves"] += 1
                    continue
                checked += 1
                a = self.takes_before(g, stop, cls)
                if a is None and done.fn is not g and stop is not None:
                    # g reaches the Done by calling its function at `stop` (a completion callback:
                    # `func(o Outcome) { defer wg.Done(); c.record(o) }`), which locks first
                    a = self.takes_before(done.fn, done.op, cls)
                if a is not None and not (a.mode == "r" and b.held.mode == "r"):
                    return WaitHeldAcross(b, wait, g, a, done, checked)
        if checked:
            self.debug["GIM103_waits_whose_partners_skip_the_lock"] += 1
        else:
            self.debug["GIM103_waits_on_unknown_groups"] += 1
        return None

    # ---- errgroup.Group ----------------------------------------------------------------------
    def errgroup(self, b: BlockedUnderLock, wait: SyncCall) -> WaitHeldAcross | None:
        """`g.Wait()` under a mutex that a function the same group started with `g.Go(f)` takes:
        the goroutine waits for the lock, the Wait for the goroutine."""
        cls = b.held.lock.cls
        checked = 0
        program = self.model.program
        for start in self.prims.calls.get(wait.key, ()):
            if start.method not in ("Go", "TryGo") or not start.op.args:
                continue
            started = start.op.args[-1]
            number = E.funclit(started)
            if number is not None:
                lit = program.literal(start.fn, number)
                goroutines = [lit] if lit is not None else []
            else:
                goroutines = [t.function for t in program.func_values(start.fn, started)]
            for g in goroutines:
                if g is b.fn or g is b.op_fn:
                    continue
                checked += 1
                a = self.takes_before(g, None, cls)
                if a is not None and not (a.mode == "r" and b.held.mode == "r"):
                    return WaitHeldAcross(b, wait, g, a, start, checked)
        self.debug["GIM103_waits_whose_partners_skip_the_lock" if checked else "GIM103_waits_on_unknown_groups"] += 1
        return None

    # ---- Cond --------------------------------------------------------------------------------
    def cond_lockers(self) -> dict[str, set[str]]:
        """Cond key -> the classes of the mutexes it is made with (`sync.NewCond(&s.mu)` assigned to it)."""
        if self._cond_lockers is None:
            found: dict[str, set[str]] = {}
            prims, model = self.prims, self.model
            for fn in model.program.functions:
                for op in fn.facts.ops:
                    if op.kind != "assign" or len(op.targets) != len(op.args):
                        continue
                    for target, value in zip(op.targets, op.args, strict=True):
                        called = E.call(value)
                        if called is None or not called[1] or not prims.is_new_cond(fn, value):
                            continue
                        key = prims.key_of(fn, target)
                        lock = self._locker(fn, op, called[1][0])
                        if key is not None:
                            found.setdefault(key, set()).add(lock.cls if lock is not None else "")
            self._cond_lockers = found
        return self._cond_lockers

    def _locker(self, fn, op, arg):
        """The mutex a Cond is made with: `sync.NewCond(&s.mu)`, or `sync.NewCond(d)` where d's type
        embeds a mutex (its promoted Lock takes that field, as `d.Lock()` does)."""
        model = self.model
        bare = E.strip_address(arg)
        as_call = Op("call", op.line, op.col, op.region, E.make_selector(bare, "Lock"), (), "plain")
        found = model.lock_of(fn, as_call)
        return found[0] if found is not None else model.lock_at(fn, arg)

    def cond(self, b: BlockedUnderLock, wait: SyncCall) -> WaitHeldAcross | None:
        cls = b.held.lock.cls
        lockers = self.cond_lockers().get(wait.key)
        if not lockers or "" in lockers or len(lockers) != 1:
            self.debug["GIM103_cond_waits_with_unknown_locker"] += 1
            return None
        if cls in lockers:
            return None  # Wait releases the mutex it holds: the signaller can take it
        if cls.endswith(".L") and self.cond_lockers().get(cls[: -len(".L")]) == lockers:
            # `c1, c2 = sync.NewCond(m), sync.NewCond(m)`: holding `c1.L` is holding c2's locker
            return None
        every = [c for c in self.prims.calls.get(wait.key, ()) if c.method in ("Signal", "Broadcast")]
        signals = _signals_that_can_end(wait, every)
        first: tuple[SyncCall, Acquire] | None = None
        for s in signals:
            a = self.takes_before(s.fn, s.op, cls)
            if a is None or (a.mode == "r" and b.held.mode == "r"):
                self.debug["GIM103_waits_whose_partners_skip_the_lock"] += 1
                return None
            first = first or (s, a)
        if first is None:
            return None  # nothing signals: GIM106's case
        s, a = first
        return WaitHeldAcross(b, wait, s.fn, a, s, len(signals), left_out=len(every) - len(signals))


def _signals_that_can_end(wait: SyncCall, signals: list[SyncCall]) -> list[SyncCall]:
    """The signals that may follow a change ending the wait: those whose function changes a counter
    the wait loop's condition reads only the other way (`b.unwritten++` for `for b.unwritten > 0 {`,
    an `Add` that broadcasts to wake readers) cannot end it and are left out. Every signal stays
    when the loop or its counters are not read, or when leaving one out would leave none."""
    found = _wait_loop(wait)
    if found is None:
        return signals
    recv, _loop, condition = found
    ending = {f: c for f, c in _freeing_changes(condition, recv) if c in ("-", "+")}
    if not ending:
        return signals
    kept = []
    for s in signals:
        srecv = s.fn.facts.recv_name
        changes = [
            (sel[1], op)
            for op in s.fn.facts.ops
            if op.kind == "assign"
            and len(op.targets) == 1
            and (sel := E.selector(op.targets[0])) is not None
            and srecv
            and E.is_ident(sel[0], srecv)
            and sel[1] in ending
        ]
        if changes and not any(_changes_as(op, f, ending[f], srecv) for f, op in changes):
            continue  # only moves the counter away from the end: this signal wakes readers, not this wait
        kept.append(s)
    return kept or signals


def waits_held_across(model: LockModel, prims: SyncPrimitives, debug: dict) -> list[WaitHeldAcross]:
    """Every `WaitGroup.Wait`/`Cond.Wait` under a mutex that its partner must take first, one per Wait call site."""
    for key in DEBUG_KEYS:
        debug.setdefault(key, 0)
    matcher = _Matcher(model, prims, debug)
    out: list[WaitHeldAcross] = []
    seen: set[tuple] = set()
    for b in model.blocked:
        if b.kind != "wait" or b.op.mode == "go":
            continue
        where = (b.fn.id, id(b.hops[0].op if b.hops else b.op), b.held.lock.cls)
        if where in seen:
            continue  # one finding per call reaching the operations (`c.fill(key)` sends, then waits)
        wait = matcher.by_op.get(id(b.op))
        if wait is None or wait.method != "Wait":
            debug["GIM103_waits_on_unknown_groups"] += 1
            continue
        found = matcher.waitgroup(b, wait) if wait.kind == WAITGROUP else None
        if wait.kind == ERRGROUP:
            found = matcher.errgroup(b, wait)
        if wait.kind == COND:
            found = matcher.cond(b, wait)
        if found is not None:
            out.append(found)
    return out


def _build(ctx: Context) -> list[WaitHeldAcross]:
    return waits_held_across(ctx.result(LOCKS), ctx.result(SYNC_PRIMITIVES), ctx.debug)


WAITS_UNDER_LOCK = Pass(
    "waits-under-lock",
    _build,
    requires=(LOCKS, SYNC_PRIMITIVES),
    doc="WaitGroup.Wait and Cond.Wait under a mutex that the goroutine ending the wait must take first",
)


def acquire_at(model: LockModel, fn: Function, op: Op, cls: str, certain: bool = False) -> Acquire | None:
    """The acquisition of a mutex of class cls that the call op makes: a `Lock`/`RLock` itself, or
    one its single callee takes, or the one implementation of an interface call that locks a value
    the call hands it (certain: only one the callee takes outside its branches)."""
    name = E.selected_name(op.fn)
    if name in ACQUIRE:
        found = model.lock_of(fn, op)
        if found is not None and found[0].cls == cls:
            return Acquire(found[0], ACQUIRE[name], fn, op, (), found[1])
        return None
    targets = model.call_targets(fn, op)
    if len(targets) == 1:
        callee = targets[0].function
    else:
        # an interface call whose one locking implementation locks a value the call hands it
        # (`r.Apply(p)`, the replica calling back `src.Version()`): when it runs, it takes that lock
        taker = model.argument_target(fn, op, targets) if targets else None
        if taker is None:
            return None
        callee = taker
    for a in model.summary(callee).acquires:
        if a.lock.cls == cls and not (certain and a.conditional):
            return Acquire(a.lock, a.mode, a.fn, a.op, (Hop(fn, op, callee), *a.hops), a.text)
    return None


# ---- channel operations under a lock whose partner takes that lock first ---------------------------
# Counted in --debug: the channel operations under a lock this part gave up on, by reason.
HANDOFF_DEBUG_KEYS = (
    "GIM103_handoffs_on_unknown_channels",
    "GIM103_handoffs_released_in_callee",
    "GIM103_handoffs_with_a_partner_outside_goroutines",
    "GIM103_handoffs_with_a_partner_skipping_the_lock",
    "GIM103_handoffs_partner_locks_in_another_case",
    "GIM103_handoffs_after_partner_flag",
    "GIM103_handoffs_len_guarded_receives",
    "GIM103_handoffs_partner_locked_before_start",
)
# Calls followed up from a partner's channel operation to the goroutine that runs it.
_PARTNER_DEPTH = 3


@dataclass(frozen=True)
class HandoffHeldAcross:
    """A channel operation under `blocked.held` whose every partner first takes that lock in its goroutine.

    For a receive, the partners are every send and `close` of the channel; for
    a send, every receive. Each partner runs in a goroutine that takes the
    held lock's class before it reaches its operation, on every path (the
    lock and the operation may be in a function the goroutine calls): while
    the operation waits holding the lock, no partner can get past its `Lock`.
    """

    blocked: BlockedUnderLock
    channel: Any  # flow.Channel
    partner_fn: Function  # the function holding the first partner operation
    partner_op: Op  # that send, receive or close
    partner_lock: Acquire  # the partner goroutine's acquisition of the held lock's class, before partner_op
    partners: int  # partner operations checked (every one takes the lock first)
    # the partner receives in a `select` and takes the lock in another of its cases (not before
    # its receive): while it is in that case, it cannot come back to receive
    in_other_case: bool = False
    # the partner receives in a loop that takes the lock after each receive, before the next one:
    # it takes one value, then waits for the lock while the next send under it waits for it
    between_receives: bool = False
    # with between_receives: the partner takes the lock only on a branch of its round that then
    # returns (`if err := write(msg); err != nil { c.hub.leave(c); return }`): the branch's condition
    leaving_on: object = None
    # the partner takes the lock only when a call it made succeeded (`if err == nil { s.Store(v) }`):
    # that condition, the usual path
    when: object = None
    # with between_receives: the partner takes the lock only on rounds whose received value passes a
    # test (`if ev.Topic == "account.closed" { m.Hub.Unsubscribe(m.ID) }`): that test
    taken_on: object = None


class _HandoffMatcher:
    """Decides, per partner operation, whether every goroutine reaching it takes a lock class before it."""

    def __init__(self, model: LockModel, flow, matcher: _Matcher):
        self.model = model
        self.flow = flow
        self.matcher = matcher
        self._memo: dict[tuple, tuple[Acquire | None | bool, frozenset]] = {}
        # id(acquisition) -> the success condition it sits under (`err == nil`), see _on_success_branch
        self.success_conditions: dict[int, object] = {}
        self._map_sends: dict[str, list[tuple[Function, Op, str | None]]] | None = None

    def map_answers(self, b: BlockedUnderLock) -> list[tuple[Function, Op]]:
        """The sends answering a reply channel the blocked function made (`done := make(...)`, one
        assignment) and put into a map field of a value (`n.waiters[idx] = done`) before its wait:
        sends (and closes) on a local taken out of a map field of that name, on a value of the same
        type (`w, ok := n.waiters[idx]; w <- err`). [] when there is no such store or answer."""
        fn = b.op_fn
        alone = E.ident(b.op.fn)
        made = _single_value(fn, alone) if alone is not None else None
        if alone is None or made is None or not E.is_make_call(made):
            return []
        program = self.model.program
        stored = None
        for op in fn.facts.ops:
            if op is b.op:
                break
            if op.kind == "assign" and len(op.targets) == 1 and len(op.args) == 1 and E.is_ident(op.args[0], alone):
                ix = E.index(op.targets[0])
                sel = E.selector(ix[0]) if ix is not None else None
                if sel is not None:
                    stored = (sel[1], program.named(program.type_of(fn, sel[0]) or ""))
        if stored is None or stored[1] is None:
            return []
        return [(g, op) for g, op, holder in self._sends_from_maps().get(stored[0], []) if holder == stored[1]]

    def _sends_from_maps(self) -> dict[str, list[tuple[Function, Op, str | None]]]:
        """Map field name -> (function, send or close, the map's holder type) for each send on (or
        close of) a local assigned from an index of a field (`w := n.waiters[i]`), built once."""
        if self._map_sends is None:
            program = self.model.program
            found: dict[str, list[tuple[Function, Op, str | None]]] = {}
            for g in program.functions:
                taken: dict[str, list[tuple[int, tuple]]] | None = None
                for op in g.facts.ops:
                    if op.kind == "send":
                        local = E.ident(op.fn)
                    elif op.kind == "call" and E.is_ident(op.fn, "close") and len(op.args) == 1:
                        local = E.ident(op.args[0])
                    else:
                        continue
                    if local is None:
                        continue
                    if taken is None:
                        taken = taken_from_map_fields(g)
                    if local in taken:
                        sel = taken[local][0][1]
                        holder = program.named(program.type_of(g, sel[0]) or "")
                        found.setdefault(sel[1], []).append((g, op, holder))
            self._map_sends = found
        return self._map_sends

    def first_on_every_path(self, fn: Function, stop: Op, cls: str) -> Acquire | None:
        """fn takes cls before `stop` unconditionally: not under a branch that `stop` is not also under.

        A deferred `stop` (`defer close(s.done)`) runs at fn's exits: fn takes cls first when every
        `return` is preceded by the acquisition that way and fn cannot run off its end (an endless
        `for {` straight in its body, no labelled `break` or `goto`)."""
        if stop.mode == "defer":
            return self._before_every_exit(fn, cls)
        a = self.matcher.takes_before(fn, stop, cls)
        if a is None:
            return None
        if not a.conditional and self._on_the_way(fn, a, stop):
            return a
        success = self._on_success_branch(fn, a, stop) if not a.conditional else None
        if success is not None:
            # `v, err := load(k); if err == nil { sink.Store(k, v) }; req.reply <- err`: on the usual path
            # the goroutine takes the lock before its operation
            self.success_conditions[id(a)] = success
            return a
        # The first acquisition sits in another branch (`case m := <-h.msgs: h.fanout(m)` before the
        # `case <-h.quit: h.mu.Lock(); ...; return` leading to stop): look for one on stop's own way.
        for op in fn.facts.ops:
            if op is stop:
                break
            if op.kind != "call" or op.mode in ("go", "defer"):
                continue
            b = acquire_at(self.model, fn, op, cls)
            if b is not None and not b.conditional and self._on_the_way(fn, b, stop):
                return b
        return None

    def _on_success_branch(self, fn: Function, a: Acquire, stop: Op):
        """The condition of the one branch, not around stop, that a's statement sits under, when it is
        the success of a call of fn: `if err == nil {` (or the `else` of `if err != nil {`), err assigned
        from a call's result. None otherwise."""
        top = a.hops[0].op if a.hops else a.op
        facts = fn.facts
        regions = facts.regions
        around_stop = set(enclosing_regions(facts, stop.region))
        branches = [
            r for r in enclosing_regions(facts, top.region) if r not in around_stop and regions[r].kind in BRANCHES
        ]
        if len(branches) != 1:
            return None
        reg = regions[branches[0]]
        if reg.kind == "if" and self._success_flag(fn, reg.info):
            return reg.info
        b = E.binary(reg.info) if E.is_expr(reg.info) else None
        wanted = {"if": "==", "else": "!="}.get(reg.kind)
        if b is None or b[0] != wanted or not E.is_nil(b[2]) or E.ident(b[1]) is None:
            return None
        name = E.ident(b[1]) or ""
        called = [
            op
            for op in facts.ops
            if op.kind == "assign"
            and len(op.args) == 1
            and E.call_number(op.args[0]) is not None
            and any(E.is_ident(t, name) for t in op.targets[-1:])
        ]
        declared = (self.model.program.type_of(fn, b[1]) or "").strip()
        # an `error` by its type, or by Go's convention: the last of a call's several results
        if not called or not (declared == "error" or (not declared and any(len(op.targets) > 1 for op in called))):
            return None
        return reg.info if reg.kind == "if" else ("bin", "==", b[1], b[2])

    def _success_flag(self, fn: Function, cond) -> bool:
        """`if won {` where `won, err := e.backend.TryAcquire(...)`: a boolean result a call gives
        beside its error, each of its assignments such a call's, that says the call succeeded."""
        name = E.ident(cond)
        if name is None:
            return False
        assigns = [op for op, _i in assignments_to(fn, name)]
        if not assigns:
            return False
        for op in assigns:
            if len(op.args) != 1 or E.call_number(op.args[0]) is None or len(op.targets) < 2:
                return False
            if E.is_ident(op.targets[-1], name):
                return False  # the last result is the error's place
        declared = (self.model.program.type_of(fn, cond) or "").strip()
        return declared in ("bool", "")

    @staticmethod
    def _on_the_way(fn: Function, a: Acquire, stop: Op) -> bool:
        """a's statement is under no branch that stop is not also under."""
        top = a.hops[0].op if a.hops else a.op
        regions = fn.facts.regions
        around_stop = set(enclosing_regions(fn.facts, stop.region))
        return not any(
            r not in around_stop and regions[r].kind in BRANCHES for r in enclosing_regions(fn.facts, top.region)
        )

    def _before_every_exit(self, fn: Function, cls: str) -> Acquire | None:
        facts = fn.facts
        if top_endless_loop(facts) is None:
            return None
        if any(op.kind == "jump" and (op.mode == "goto" or op.fn is not None) for op in facts.ops):
            return None
        exits = [op for op in facts.ops if op.kind == "return"]
        if not exits:
            return None
        first = None
        for ret in exits:
            a = self.first_on_every_path(fn, ret, cls)
            if a is None:
                return None
            first = first or a
        return first

    def other_case_lock(self, fn: Function, recv: Op, cls: str) -> Acquire | None:
        """For a receive that is a `select` case: an acquisition of cls that another case of that
        select makes unconditionally (not under a branch inside the case), itself or through a call.

        A goroutine in that case waits for the lock before it can get back to the receive; while
        a sender holds the lock and waits for the receive, neither moves.
        """
        if recv.select < 0:
            return None
        facts = fn.facts
        regions = facts.regions
        # a case's own receive sits in the select region; its case is the one opening on its line
        cases = [r for r, reg in enumerate(regions) if reg.parent == recv.select and reg.kind in ("case", "default")]
        own_cases = [r for r in cases if regions[r].line == recv.line]
        if len(own_cases) != 1:
            return None  # two cases on one line: which one is the receive's, the regions do not say
        own = own_cases[0]
        for op in facts.ops:
            if op.kind != "call" or op.mode != "plain" or op.region < 0:
                continue
            chain = list(enclosing_regions(facts, op.region))
            at = chain.index(recv.select) if recv.select in chain else 0
            if at == 0 or chain[at - 1] == own:
                continue  # outside the select's cases, or in the receive's own case
            if any(regions[r].kind in BRANCHES for r in chain[: at - 1]):
                continue  # under a branch inside the case: maybe not taken
            a = acquire_at(self.model, fn, op, cls, certain=True)
            if a is not None:
                return a
        return None

    def lock_between_receives(self, fn: Function, recv: Op, cls: str) -> Acquire | None:
        """For a receive that a goroutine's loop repeats (`for v := range ch`, `v := <-ch` straight
        in a `for` body, or a `case v := <-ch:` of a `select` in one): an acquisition of cls the
        loop makes in every round after the receive, itself or through a call, before any `continue`,
        `break` or `return` of the round.

        The first send under the lock is received; the goroutine then waits for the lock, and the
        next send under it (the next round of the sender, or its next call) waits for a receive
        that cannot come: a sender's `Unlock` wakes the goroutine, but does not hand it the lock.
        """
        facts = fn.facts
        regions = facts.regions
        if recv.mode == "range":
            body = recv.body
        elif recv.select >= 0:
            own = [r for r, reg in enumerate(regions) if reg.parent == recv.select and reg.line == recv.line]
            if len(own) != 1 or regions[own[0]].kind != "case":
                return None
            body = own[0]
            loop = regions[recv.select].parent
            if loop < 0 or regions[loop].kind != "for":
                return None
        else:
            body = recv.region
            if body < 0 or regions[body].kind != "for":
                return None
        if body is None or body < 0:
            return None
        ops = facts.ops
        start = ops.index(recv)
        found: Acquire | None = None
        for op in ops[start + 1 :]:
            if op.region < 0 or body not in enclosing_regions(facts, op.region):
                if op.region >= 0 and op.line > regions[body].end_line:
                    break
                continue
            chain = list(enclosing_regions(facts, op.region))
            inner = chain[: chain.index(body)]
            straight = not any(regions[r].kind in BRANCHES or regions[r].kind in ("for", "range") for r in inner)
            if op.kind in ("return", "jump"):
                if found is None and op.kind == "jump" and op.mode == "continue" and op.fn is None:
                    if _on_failure_branch(facts, op, body):
                        continue  # `if err := c.conn.Write(f); err != nil { continue }`: a failed round
                if found is None or op.mode == "goto" or op.fn is not None:
                    return None  # a round that can skip the lock, or a jump not followed
                if straight and (op.kind == "return" or (op.mode == "break" and recv.select < 0)):
                    return None  # the round that took the lock does not come back to receive
                continue
            if found is None and straight and op.kind == "call" and op.mode == "plain":
                found = acquire_at(self.model, fn, op, cls, certain=True)
        return found

    def lock_before_leaving(self, fn: Function, recv: Op, cls: str) -> tuple[Acquire, object] | None:
        """For a receive a goroutine's loop repeats (see lock_between_receives): an acquisition of cls
        made, itself or through a call, on a branch of the round right before that branch returns
        (`for msg := range c.send { if err := write(msg); err != nil { c.hub.leave(c); return } }`),
        and the branch's condition. The goroutine takes one value, takes the branch and waits for the
        lock; the next send under it waits for a receive that cannot come."""
        facts = fn.facts
        regions = facts.regions
        if recv.mode != "range" or recv.body is None or recv.body < 0:
            return None
        body = recv.body
        ops = facts.ops
        for k, op in enumerate(ops):
            if op.kind != "call" or op.mode != "plain" or op.region < 0 or k + 1 >= len(ops):
                continue
            reg = regions[op.region]
            if reg.kind != "if" or reg.parent != body or reg.info is None:
                continue  # straight in an `if` right in the loop's body
            nxt = ops[k + 1]
            if nxt.region != op.region or nxt.kind != "return":
                continue
            a = acquire_at(self.model, fn, op, cls, certain=True)
            if a is not None:
                return a, reg.info
        return None

    def lock_on_value_branch(self, fn: Function, recv: Op, cls: str) -> tuple[Acquire, object] | None:
        """For a `range` receive a goroutine's loop repeats: an acquisition of cls made, itself or through
        a call, straight in an `if` right in the loop's body whose condition tests the value received
        (`for ev := range events { m.send(ev); if ev.Topic == "account.closed" { m.Hub.Unsubscribe(m.ID)
        } }`), with no `return` or jump in that `if`: the round that receives such a value waits for
        the lock before its next receive. The acquisition and the condition."""
        facts = fn.facts
        regions = facts.regions
        if recv.mode != "range" or recv.body is None or recv.body < 0:
            return None
        body = recv.body
        values = {
            E.ident(t)
            for o in facts.ops
            if o.kind == "assign" and o.region == body and o.line == recv.line
            for t in o.targets
            if E.ident(t) not in (None, "_")
        }
        if not values:
            return None
        for op in facts.ops:
            if op.kind != "call" or op.mode != "plain" or op.region < 0:
                continue
            reg = regions[op.region]
            if reg.kind != "if" or reg.parent != body or not E.is_expr(reg.info):
                continue
            if not values & E.idents_in(reg.info, set()):
                continue  # a test of something other than the value received
            inside = [o for o in facts.ops if o.region >= 0 and op.region in enclosing_regions(facts, o.region)]
            if any(o.kind in ("return", "jump") for o in inside):
                continue  # the branch leaves: lock_before_leaving's shape, or a skip
            a = acquire_at(self.model, fn, op, cls, certain=True)
            if a is not None:
                return a, reg.info
        return None

    def partner_lock(self, fn: Function, stop: Op, cls: str, depth: int = 0) -> tuple[Acquire | None | bool, frozenset]:
        """The acquisition of cls every goroutine reaching (fn, stop) makes before it, and the functions on the way.

        None: some way to reach it skips the lock; False: some way to reach it
        is not a goroutine of its own (an unseen caller, calls too deep). The
        functions on the way (fn and the callers followed) let the caller
        reject a partner that is the blocked function's own code. Memoised
        per (function, op, class): each answer reads the partner's ops once.
        """
        key = (fn.id, id(stop), cls)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = (False, frozenset())  # a cycle of calls: no answer from it
        found: tuple[Acquire | None | bool, frozenset]
        a = self.first_on_every_path(fn, stop, cls)
        if a is not None:
            found = (a, frozenset({fn.id}))
        else:
            got, levels = self._through_callers(fn, cls, depth)
            found = (got, levels | {fn.id})
        self._memo[key] = found
        return found

    def _through_callers(self, fn: Function, cls: str, depth: int) -> tuple[Acquire | None | bool, frozenset]:
        callers = self.model.program.callers(fn)
        if fn.go_sites:
            return None, frozenset()  # a goroutine of its own reaches the operation without the lock
        if not callers or depth >= _PARTNER_DEPTH:
            return False, frozenset()
        first: Acquire | None = None
        levels: frozenset = frozenset()
        for caller, call in callers:
            if call.mode in ("go", "defer"):
                return False, frozenset()
            got, more = self.partner_lock(caller, call, cls, depth + 1)
            levels |= more
            if not isinstance(got, Acquire):
                return got, levels
            first = first or got
        return first, levels


def handoffs_held_across(model: LockModel, flow, prims: SyncPrimitives, debug: dict) -> list[HandoffHeldAcross]:
    """Channel sends and receives under a lock whose every partner must take that lock before its operation.

    Complements `locks.held_across` (partners that hold the lock *at* their
    operation): here the partner takes the lock and may release it, but only
    gets to its operation after the `Lock`, e.g. a goroutine that updates
    state under the lock and then closes `done` while the caller waits on
    `<-done` holding the lock. The channel must be declared beside the lock
    (fields of one type, package variables of one package) or be a local
    channel, and not a `select` case.
    """
    for key in HANDOFF_DEBUG_KEYS:
        debug.setdefault(key, 0)
    matcher = _HandoffMatcher(model, flow, _Matcher(model, prims, debug))
    out: list[HandoffHeldAcross] = []
    seen: set[tuple] = set()
    for b in model.blocked:
        if b.kind not in ("send", "recv") or b.op.select >= 0:
            continue
        where = (b.fn.id, id(b.hops[0].op if b.hops else b.op), b.held.lock.cls)
        if where in seen:
            continue  # one finding per call reaching the operations (`c.fill(key)` sends, then waits)
        if _released_on_the_way(model, b):
            debug["GIM103_handoffs_released_in_callee"] += 1
            continue
        ch_key = flow.key(b.op_fn, b.op.fn)
        ch = flow.channels.get(ch_key) if ch_key else None
        if ch is None or not (
            declared_together(b.held.lock.cls, ch.key)
            or ch.key.startswith("local:")
            or _points_back(model.program, b.held.lock.cls, ch.key)
            or _holds_channel_owner(model.program, b.held.lock.cls, ch.key)
            or _fresh_reply_field(model.program, b, ch.key)
        ):
            debug["GIM103_handoffs_on_unknown_channels"] += 1
            continue
        # A buffered send blocks only once the buffer is full: judged below only when every receiver
        # takes the lock between its receives, so that once all of them wait for it nothing drains.
        buffered_send = b.kind == "send" and ch.capacity != 0
        partner_ops = ch.receives if b.kind == "send" else [*ch.sends, *ch.closes]
        if b.kind == "recv" and not partner_ops:
            # `done := make(chan error, 1); n.waiters[idx] = done; <-done`: answered by whoever takes
            # it out of the map (`w := n.waiters[idx]; w <- err`)
            partner_ops = matcher.map_answers(b)
        if b.kind == "recv" and _flagged_after_partner(b, partner_ops):
            debug["GIM103_handoffs_after_partner_flag"] += 1
            continue
        if b.kind == "recv" and ch.capacity != 0 and _len_guarded(b):
            debug["GIM103_handoffs_len_guarded_receives"] += 1
            continue
        found = _all_partners_lock(matcher, b, partner_ops, debug)
        if found is None:
            continue
        pfn, pop, a, in_other_case, between_receives, leaving_on, taken_on = found
        if buffered_send and not between_receives:
            debug["GIM103_handoffs_on_unknown_channels"] += 1
            continue
        if concurrent_roots(model, flow, b.fn, a.fn) is None and concurrent_roots(model, flow, b.fn, pfn) is None:
            continue
        seen.add(where)
        when = matcher.success_conditions.get(id(a))
        out.append(
            HandoffHeldAcross(
                b, ch, pfn, pop, a, len(partner_ops), in_other_case, between_receives, leaving_on, when, taken_on
            )
        )
    return out


def _field_holders(lock_cls: str, chan_key: str) -> tuple[str, str] | None:
    """(the lock's owner type, the channel's holder type) when both are fields of types."""
    lkind, _, lname = lock_cls.partition(":")
    ckind, _, cname = chan_key.partition(":")
    if lkind != "field" or ckind != "field":
        return None
    return lname.rpartition(".")[0], cname.rpartition(".")[0]


def _points_back(program, lock_cls: str, chan_key: str) -> bool:
    """The channel is a field of a type that keeps a pointer to the lock's owner (`client.send`
    beside `client.hub *Hub`, the lock `Hub.mu`): the clients a hub feeds reach its lock through
    that field, so a client's goroutine taking `Hub.mu` takes the lock of the hub that feeds it."""
    types = _field_holders(lock_cls, chan_key)
    decl = program.type_decl(types[1]) if types else None
    if types is None or decl is None or decl[0].kind != "struct":
        return False
    owner = types[0]
    return any(
        ftype.startswith("*") and program.named(program.qualify(ftype, decl[1])) == owner
        for _name, ftype, _emb in decl[0].members
    )


def _fresh_reply_field(program, b: BlockedUnderLock, chan_key: str) -> bool:
    """The receive waits on a reply channel of a request the function built itself
    (`req := AppendEntries{..., ack: make(chan bool)}`, then `<-req.ack`): a fresh channel only the
    code handed the request can complete, so the sends on that field of the type are the partners,
    whatever type the lock belongs to. Judged for one assignment of the local, a literal of the
    channel's holder type whose field is a `make` written in it, or (`done := make(chan
    struct{})` put into the request's literal, then `<-done`) a `make` itself."""
    if b.kind != "recv" or not chan_key.startswith("field:"):
        return False
    fn = b.op_fn
    alone = E.ident(b.op.fn)
    if alone is not None:
        # `done := make(chan struct{}); c.loads <- loadReq{done: done}; <-done`: the channel itself,
        # made here and joined to the request's field by the literal
        made = _single_value(fn, alone)
        return made is not None and E.is_make_call(made)
    sel = E.selector(b.op.fn)
    local = E.ident(sel[0]) if sel is not None else None
    if sel is None or local is None or local == fn.facts.recv_name:
        return False
    value = _single_value(fn, local)
    comp = E.composite(E.strip_address(value)) if value is not None else None
    if comp is None or not comp[0]:
        return False
    holder = program.named(program.qualify(comp[0], fn.file))
    if holder is None or chan_key != f"field:{holder}.{sel[1]}":
        return False
    return any(E.ident(k) == sel[1] and E.is_make_call(v) for k, v in comp[1])


def _single_value(fn: Function, local: str):
    """The value of fn's one assignment to local (none from a call's several results), else None."""
    found = list(assignments_to(fn, local))
    if len(found) != 1 or len(found[0][0].targets) != len(found[0][0].args):
        return None
    op, at = found[0]
    return op.args[at]


def _holds_channel_owner(program, lock_cls: str, chan_key: str) -> bool:
    """The lock's owner keeps the channel's holder in a field, by its type or by an interface the
    holder implements (`KV.notif Notifier`, a `chanNotifier{ch}` implementing it), or in a slice or
    map of them (`Bus.subs []*subscriber`): a method of the owner reaching the holder's send under
    its lock sends on the channel of the holder it keeps."""
    types = _field_holders(lock_cls, chan_key)
    decl = program.type_decl(types[0]) if types else None
    if types is None or decl is None or decl[0].kind != "struct":
        return False
    holder = types[1]
    for _name, ftype, _emb in decl[0].members:
        qualified = program.qualify(ftype, decl[1])
        if qualified.startswith(("[]", "map[")):
            qualified = program.elem(qualified)  # `subs []*subscriber`: it keeps every subscriber it feeds
        named = program.named(qualified)
        if named is None:
            continue
        if named == holder or (program.is_interface(named) and holder in program.implementations(named)):
            return True
    return False


def _flagged_after_partner(b: BlockedUnderLock, partner_ops: list) -> bool:
    """The receive sits under `if responded {` where every partner sets `responded = true` right
    after its send (`ch <- v; responded = true`): once the flag is up, the value has been sent."""
    facts = b.op_fn.facts
    flags = {
        E.ident(facts.regions[r].info)
        for r in enclosing_regions(facts, b.op.region)
        if facts.regions[r].kind == "if" and E.is_expr(facts.regions[r].info)
    }
    flags.discard(None)
    if not flags or not partner_ops:
        return False
    for pfn, pop in partner_ops:
        ops = pfn.facts.ops
        at = ops.index(pop)
        later = ops[at + 1 : at + 3]
        if not any(
            o.kind == "assign"
            and o.region == pop.region
            and any(E.ident(t) in flags for t in o.targets)
            and all(E.is_true(v) for v in o.args)
            for o in later
        ):
            return False
    return True


# `len(ch) OP n` tests that say the buffer holds at least one value.
def _on_failure_branch(facts, op: Op, body: int) -> bool:
    """op sits, inside the loop body `body`, only under `if x != nil` branches testing an error a call
    of that body returned (`if err := c.conn.WriteFrame(f); err != nil { continue }`): a round that
    failed. The rounds that succeed still run on past it."""
    chain = list(enclosing_regions(facts, op.region))
    inner = chain[: chain.index(body)] if body in chain else []
    branches = [r for r in inner if facts.regions[r].kind != "block"]
    if not branches:
        return False
    for r in branches:
        reg = facts.regions[r]
        test = E.binary(reg.info) if reg.kind == "if" and E.is_expr(reg.info) else None
        name = E.ident(test[1]) if test is not None and test[0] == "!=" and E.is_nil(test[2]) else None
        if name is None:
            return False
        if not any(
            o.kind == "assign"
            and any(E.is_ident(t, name) for t in o.targets)
            and len(o.args) == 1
            and E.call(o.args[0]) is not None
            and body in enclosing_regions(facts, o.region)
            for o in facts.ops
        ):
            return False
    return True


def _on_a_goroutine(program, fn: Function) -> bool:
    """fn is started with `go` (or sits in a literal that is), or is called plainly only by goroutine
    literals (`go func() { defer h.wg.Done(); c.writePump() }()`)."""
    if fn.go_sites or fn.outermost().go_sites:
        return True
    callers = program.callers(fn)
    return bool(callers) and all(c.parent is not None and c.go_sites and op.mode == "plain" for c, op in callers)


def _len_guarded(b: BlockedUnderLock) -> bool:
    """The receive from a buffered channel runs only when a value is already buffered (see
    `regions.under_len_guard`): fabric's `drainInterruptChannel`, called under the lock the sender
    takes, never waits for that sender."""
    return under_len_guard(b.op_fn.facts, b.op)


def _released_on_the_way(model: LockModel, b: BlockedUnderLock) -> bool:
    """A function on the way to the operation releases a lock of the held class (`s.mu.Unlock(); <-s.ch;
    s.mu.Lock()` in a helper called under the lock): the operation may run without it."""
    cls = b.held.lock.cls
    return any(any(lk.cls == cls for lk in model.summary(h.callee).releases) for h in b.hops)


def _all_partners_lock(
    matcher: _HandoffMatcher, b: BlockedUnderLock, partner_ops: list, debug: dict
) -> tuple[Function, Op, Acquire, bool, bool, object, object] | None:
    """(function, op, acquisition, in another case, between receives, the condition of the branch
    that takes the lock and returns, or None, the test of the received value on whose rounds it
    takes the lock, or None) of the first partner, when every
    partner operation comes after taking the lock, or (a receive in a `select` of a goroutine) shares
    its select with a case that takes it, or (a receive a goroutine's loop repeats) is followed in
    every round by taking it."""
    first: tuple[Function, Op, Acquire, bool, bool, object, object] | None = None
    cls = b.held.lock.cls
    for pfn, pop in partner_ops:
        got, levels = matcher.partner_lock(pfn, pop, cls)  # in a `select` or not: the Lock waits
        in_other_case = False
        if got is None and b.kind == "send" and pop.kind == "recv":
            sibling = matcher.other_case_lock(pfn, pop, cls)
            if sibling is not None and (pfn.go_sites or pfn.outermost().go_sites):
                got, levels, in_other_case = sibling, frozenset({pfn.id}), True
                debug["GIM103_handoffs_partner_locks_in_another_case"] += 1
        if got is None and b.kind == "recv" and pop.kind == "call" and E.is_ident(pop.fn, "close"):
            # `<-e.donec` under the lock, closed when the goroutine's `for { select {` loop leaves
            # through its stop case: another case of that loop (a ticker's) takes the lock first
            exit_recv = _loop_exit_case(pfn, pop)
            sibling = matcher.other_case_lock(pfn, exit_recv, cls) if exit_recv is not None else None
            if sibling is not None and (pfn.go_sites or pfn.outermost().go_sites):
                got, levels, in_other_case = sibling, frozenset({pfn.id}), True
                debug["GIM103_handoffs_partner_locks_in_another_case"] += 1
        between_receives = False
        leaving_on = None
        taken_on = None
        if (
            got is None
            and b.kind == "send"
            and pop.kind == "recv"
            and _on_a_goroutine(matcher.model.program, pfn)
            and _sends_again(matcher.model, b)
        ):
            later = matcher.lock_between_receives(pfn, pop, cls)
            if later is not None:
                got, levels, between_receives = later, frozenset({pfn.id}), True
            else:
                leaving = matcher.lock_before_leaving(pfn, pop, cls)
                valued = matcher.lock_on_value_branch(pfn, pop, cls) if leaving is None else None
                if leaving is not None:
                    got, levels, between_receives = leaving[0], frozenset({pfn.id}), True
                    leaving_on = leaving[1]
                elif valued is not None:
                    got, levels, between_receives = valued[0], frozenset({pfn.id}), True
                    taken_on = valued[1]
        if b.fn.id in levels or b.op_fn.id in levels:
            got = False  # the blocked function's own code
        if isinstance(got, Acquire):
            got = _taken_after_start(matcher.model, b, pfn, pop, got)
            if got is None:
                debug["GIM103_handoffs_partner_locked_before_start"] += 1
                return None
        if got is False:
            debug["GIM103_handoffs_with_a_partner_outside_goroutines"] += 1
            return None
        if not isinstance(got, Acquire) or (got.mode == "r" and b.held.mode == "r"):
            debug["GIM103_handoffs_with_a_partner_skipping_the_lock"] += 1
            return None
        first = first or (pfn, pop, got, in_other_case, between_receives, leaving_on, taken_on)
    return first


def _loop_exit_case(fn: Function, close_op: Op) -> Op | None:
    """The receive of the one `select` case by which fn's endless `for { select {` loop returns, when
    close_op (the partner's close) runs only once fn returns: deferred, or after that loop."""
    facts = fn.facts
    regions = facts.regions
    loops = [r for r, reg in enumerate(regions) if reg.kind == "for" and reg.info is None]
    if len(loops) != 1:
        return None
    loop = loops[0]
    if close_op.mode != "defer" and (close_op.mode != "plain" or close_op.line <= regions[loop].end_line):
        return None
    exits = []
    for op in facts.ops:
        if op.kind != "return" or op.region < 0:
            continue
        chain = list(enclosing_regions(facts, op.region))
        if loop not in chain:
            continue
        case = chain[0] if regions[chain[0]].kind == "case" else None
        if case is None or regions[regions[case].parent].kind != "select" or regions[case].parent not in chain:
            return None  # a return elsewhere in the loop: not the one stop case
        exits.append(case)
    if len(set(exits)) != 1:
        return None
    case = exits[0]
    select = regions[case].parent
    return next(
        (o for o in facts.ops if o.kind == "recv" and o.select == select and o.line == regions[case].line), None
    )


def _sends_again(model: LockModel, b: BlockedUnderLock) -> bool:
    """The blocked send can run again while an earlier one's receiver waits for the lock: it sits in a
    loop (or the call reaching it does), or its function is called from two places, from a loop, or
    is started by `go` more than once or in a loop. A send the program makes once (a `Close` telling
    the loop to stop) has no later send to wait for."""
    if _repeats_on_one_channel(b.op_fn.facts, b.op) or any(in_loop(h.fn.facts, h.op.region) for h in b.hops):
        return True
    top = b.fn.outermost()
    sites = list({id(call): (caller, call) for caller, call in [*model.program.callers(top), *top.go_sites]}.values())
    if not sites and _library_entry(top):
        return True  # `func (b *Batcher) Add(item)` of a library: its users call it as often as they like
    if len(sites) > 1 or any(in_loop(caller.facts, call.region) for caller, call in sites):
        return True
    # `for i := 0; i < 8; i++ { go func(i int) { lobby.Join(name(i)) }(i) }`: its one caller is a
    # goroutine started in a loop, or more than once
    return any(
        len(caller.go_sites) > 1 or any(in_loop(starter.facts, go.region) for starter, go in caller.go_sites)
        for caller, _call in sites
    )


def _library_entry(fn: Function) -> bool:
    """fn is an exported method of an exported type of a package other than `main`, outside tests:
    when the tree never calls it, code outside the tree does, any number of times."""
    recv = (fn.facts.recv or "").lstrip("*")
    return (
        fn.parent is None
        and fn.pkg.name != "main"
        and not fn.file.is_test
        and recv[:1].isupper()
        and fn.facts.name[:1].isupper()
    )


def _repeats_on_one_channel(facts, op: Op) -> bool:
    """The send sits in a loop that sends on the same channel each round: not one over the holders
    (`for _, c := range h.clients { c.send <- msg }` sends once to each client), unless a loop
    around that one goes over them again (`for _, e := range events { for _, s := range b.subs {
    s.ch <- e } }`) or one inside it sends to each holder several times (`for _, f := range frames`)."""
    if not in_loop(facts, op.region):
        return False
    sel = E.selector(op.fn)
    root = E.ident(sel[0]) if sel is not None else None
    if root is None:
        return True
    chain = list(enclosing_regions(facts, op.region))
    for i, r in enumerate(chain):
        if facts.regions[r].kind != "range":
            continue
        binds = [o for o in facts.ops if o.kind == "assign" and o.region == r and o.line == facts.regions[r].line]
        if any(E.is_ident(t, root) for o in binds for t in o.targets):
            # another loop, inside the one binding the holder (`for _, f := range frames { c.send <- f
            # }`) or around it, sends on one holder's channel again
            return any(facts.regions[x].kind in ("for", "range") for x in (*chain[:i], *chain[i + 1 :]))
    return True


def _taken_after_start(model: LockModel, b: BlockedUnderLock, pfn: Function, pop: Op, got: Acquire) -> Acquire | None:
    """The partner's acquisition that counts when its function itself starts the blocked goroutine
    (`go func() { mu.Lock(); ch <- v }()`): only one between that `go` and its operation. One before
    the `go` was got past before the goroutine existed, so the goroutine's hold cannot keep the
    partner from its operation (had it kept the lock, the goroutine would wait at its own `Lock`
    instead). got when the partner does not start the goroutine; None when it takes the lock only
    before it."""
    ops = pfn.facts.ops
    top = got.hops[0].op if got.hops else got.op
    at = next((k for k, op in enumerate(ops) if op is top), None)
    end = next((k for k, op in enumerate(ops) if op is pop), None)
    if at is None or end is None:
        return got
    for site_fn, go_op in b.fn.go_sites:
        if site_fn is not pfn:
            continue
        g = next((k for k, op in enumerate(ops) if op is go_op), None)
        if g is None or not at < g < end:
            continue
        for op in ops[g + 1 : end]:
            if op.kind == "call" and op.mode == "plain":
                later = acquire_at(model, pfn, op, b.held.lock.cls)
                if later is not None:
                    return later
        return None
    return got


def _build_handoffs(ctx: Context) -> list[HandoffHeldAcross]:
    return handoffs_held_across(ctx.result(LOCKS), ctx.result(CHANNEL_FLOW), ctx.result(SYNC_PRIMITIVES), ctx.debug)


HANDOFFS_UNDER_LOCK = Pass(
    "handoffs-under-lock",
    _build_handoffs,
    requires=(LOCKS, CHANNEL_FLOW, SYNC_PRIMITIVES),
    doc="channel operations under a mutex whose every partner goroutine takes that mutex before its operation",
)
