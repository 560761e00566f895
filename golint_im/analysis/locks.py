"""Mutexes by holder, the order each function takes and releases them, and what a call does to them.

A lock is named twice. Its *class* is where it is declared: the field of a
type (`field:pkg#Server.mu`, embedded `sync.Mutex` included), a package
variable, or a function's local; two `Server` values share the class. Its
*instance* is the access path in the function at hand: the variable the path
starts from (receiver, parameter, local or package variable) and the fields
after it, so `s.mu` in a method is the receiver's own mutex. A call maps the
callee's instances onto the caller's: the receiver to the call's receiver
expression, a parameter to the argument, the callee's own locals to nothing
(another instance on every call).

Each function is walked once along its region tree (`REGIONS`), keeping the
locks held on every path (a join keeps what both sides hold), and summarised
for its callers: the locks it may acquire (transitively), the ones it
releases without taking them (its caller's), and the ones it returns
holding. Summaries are computed on demand, callees first; a call back into a
function still being summarised (recursion) is read as doing nothing to
locks, which can only make the rules quieter.

From the walk come the events the rules word: the same instance locked again
while held (directly or through calls), a return that keeps a lock the
function took while another path releases it, the pairs of lock classes one
function takes in order (for inversions), and channel or `Wait` operations
performed while holding a lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import BUILTIN_TYPES, Function, Program, enclosing_regions
from ..symbols import Target
from .channel_locks import lock_channels
from .exits import PROCESS, call_exit
from .failing import error_exit_never_taken
from .flow import CHANNEL_FLOW, ChannelFlow
from .regions import (
    REGIONS,
    STRAIGHT_KINDS,
    FnView,
    Regions,
    argument_constants,
    assignments_to,
    exclusive_branches,
    single_assignment,
    unreachable_under_constants,
)

BRANCHES = frozenset({"if", "else", "case", "default", "switch", "select"})
LOCK_TYPES = frozenset({"sync#Mutex", "sync#RWMutex", "sync#Locker"})
EMBEDDED_LOCKS = ("Mutex", "RWMutex")
ACQUIRE = {"Lock": "w", "RLock": "r"}
RELEASE = {"Unlock": "w", "RUnlock": "r"}
BLOCKING_WAITS = frozenset(
    {("sync", "WaitGroup", "Wait"), ("sync", "Cond", "Wait"), ("golang.org/x/sync/errgroup", "Group", "Wait")}
)
# The names of those calls: only a call so named is looked up as a call into another package.
EXTERNAL_NAMES = frozenset({name for _p, _r, name in BLOCKING_WAITS})
# A summary keeps at most this many acquisitions: a function taking more locks than that is
# summarised by the first ones in source order (the rules only lose findings, never gain).
MAX_ACQUIRES = 32
# Calls followed to summarise deeper than this are read as doing nothing to locks.
MAX_DEPTH = 40


@dataclass(frozen=True, slots=True)
class Lock:
    """A mutex: its class (where it is declared) and its instance in the function at hand.

    inst is (root, field, field...) with root ("name", declaring function id, name)
    or ("var", "pkgpath.name"); None when the instance is not known here.
    """

    cls: str
    inst: tuple | None
    label: str  # the class for messages: "Server.mu", "mu"
    striped: bool = False  # an element of a slice, array or map of locks: which one is a runtime value
    # The named type of the value that holds the mutex through structs embedded by value, when that is
    # not the type declaring it (`s.Lock()` on a *streamScope embedding resourceScope): "" when unknown.
    outer: str = ""

    def same(self, other: Lock) -> bool:
        return self.inst is not None and self.cls == other.cls and self.inst == other.inst


@dataclass(frozen=True, slots=True)
class Hop:
    """One call on the way from a function to the lock operation it reaches."""

    fn: Function
    op: Op
    callee: Function


@dataclass(frozen=True, slots=True)
class Acquire:
    """A lock taken: the `Lock`/`RLock` call (fn, op), reached from the walked function through hops."""

    lock: Lock
    mode: str  # "w" (Lock) or "r" (RLock)
    fn: Function
    op: Op
    hops: tuple[Hop, ...] = ()
    text: str = ""  # the locked expression as written at op: "s.mu"
    # taken (or reached) under a branch of a called function (`if needLock { mu.Lock() }`,
    # `if w == nil { w = store() }`): whether it happens depends on values the walk does not
    # evaluate, so a caller does not count it as certain
    conditional: bool = False
    # classes of the caller's locks released (on some path) before this one is taken: a
    # caller holding one of them does not hold it here (`c.mu.Unlock(); ...; other.Lock()`)
    after_release: frozenset = frozenset()
    # taken in a function a `sync.Once` runs: only on the first call, so it says nothing of the
    # order two locks are taken in later (a double lock on that first call is still one)
    once: bool = False


@dataclass(frozen=True, slots=True)
class Held:
    acq: Acquire

    def key(self) -> tuple:
        return (self.acq.lock.cls, self.acq.lock.inst, self.acq.mode)


@dataclass
class Summary:
    acquires: list[Acquire] = field(default_factory=list)
    releases: list[Lock] = field(default_factory=list)  # released without being taken here: the caller's
    held_on_return: list[Acquire] = field(default_factory=list)
    # the first channel operation or Wait it performs, itself or through calls: (fn, op, hops, kind)
    block: tuple | None = None
    # the first receive after a first send (a request handed over, then its reply waited for:
    # `c.loads <- loadReq{done: done}; <-done`), in the same form; None otherwise
    reply: tuple | None = None
    # (held, taken): the same field of two of its parameters (receiver included), one taken while the
    # other is held (`from.mu` then `to.mu`): which values they are is the caller's arguments
    argument_orders: list[tuple[Acquire, Acquire]] = field(default_factory=list)
    # Taken, itself or through calls, by the one implementation of a wide interface call that locks
    # (see `_order_through_the_one_locker`): which implementation runs is a guess, so these count
    # for lock order only, never as acquisitions a double lock or a partner is judged on.
    ordered: list[Acquire] = field(default_factory=list)


@dataclass(frozen=True)
class DoubleLock:
    fn: Function
    held: Acquire
    again: Acquire  # hops empty: locked again in fn itself
    # again is taken by a deferred call that runs, at the function's exit, before the deferred
    # unlock registered earlier (defers run last in, first out): the line of that unlock
    deferred_before_unlock: int = 0
    # again is a deferred `Lock`/`RLock` of the held lock itself (`defer mu.Lock()`, meant as
    # `defer mu.Unlock()`), and nothing releases the lock before the function returns
    deferred_acquire: bool = False


@dataclass(frozen=True)
class LostUnlock:
    fn: Function
    acq: Acquire
    exit_line: int  # the return (or the function's end) reached holding the lock
    exit_col: int
    released_line: int  # a return or the end reached without it (the lock is not the function's contract)
    by_break: bool = False  # the exit is a `break` out of the endless loop that ends the function


@dataclass(frozen=True)
class MismatchedUnlock:
    """`a.Lock()` followed at once by `defer b.Unlock()` of another mutex of the same holder (or of
    the other mode of the same `RWMutex`), and nothing in the function releases what it locked."""

    fn: Function
    lock_op: Op
    lock_text: str  # `s.seenMu.Lock()`
    lock_label: str  # `Stats.seenMu`
    unlock_op: Op
    unlock_text: str  # `s.mu.Unlock()`
    wrong_mode: bool  # the same mutex, the other mode (`RLock` then `defer Unlock`)


@dataclass(frozen=True)
class RelockedInLoop:
    """A `continue` leaves a loop iteration holding a lock that the next iteration takes again."""

    fn: Function
    acq: Acquire  # the Lock call at the top of the loop body, taken again on the next iteration
    jump: Op  # the `continue` reached with the lock held
    released_line: int  # where the iteration's normal path releases it (the author's intent)
    # Each iteration locks another value (`for _, s := range sets { s.mu.RLock() ...`): the one the
    # `continue` leaves stays locked for good, and this later Lock of the class (fn, op) waits on it.
    blocked: tuple | None = None


@dataclass(frozen=True)
class DeferredInLoop:
    """A loop body locks, then defers the unlock: the deferred call runs when the function returns,
    so the next iteration locks the same mutex again while it is held."""

    fn: Function
    acq: Acquire  # the Lock call in the loop body
    defer_op: Op  # `defer mu.Unlock()` in the same body
    loop_line: int
    case_line: int = 0  # the lock is in this `select` case of the loop body (0: straight in the body)


@dataclass(frozen=True)
class PanicHeld:
    """A `panic(...)` in fn reached holding `acq`, a lock fn took itself with no deferred release, while
    another exit of fn releases it: if the panic is recovered, the lock stays held."""

    fn: Function
    acq: Acquire
    panic_op: Op  # the `panic(...)`, or the call of a function that panics itself (`toUSD(...)`)
    callee: Function | None = None  # that function
    callee_panic: Op | None = None  # and its `panic(...)`
    callback: str = ""  # or: the function value called there (`d.handle`), a parameter or field of func type


@dataclass(frozen=True)
class OrderEdge:
    """In fn, `first` is held (on every path) when `second` is taken."""

    fn: Function
    first: Acquire
    second: Acquire
    also_held: frozenset  # classes of the other locks held at that point


@dataclass(frozen=True)
class ArgumentOrder:
    """At a call (or `go`) op in fn, the callee takes `first` then `second`, the same field of two of its
    parameters; `locks` are the two as fn sees them (`a.mu`, `b.mu` for `transfer(a, b)`)."""

    fn: Function
    op: Op
    callee: Function
    first: Acquire
    second: Acquire
    locks: tuple[Lock, Lock]


@dataclass(frozen=True)
class BlockedUnderLock:
    """A channel operation or Wait (op in fn, or reached through hops) performed while `held` is held."""

    fn: Function
    held: Acquire
    op_fn: Function
    op: Op
    hops: tuple[Hop, ...]
    kind: str  # "send", "recv", "wait"


State = tuple  # of Held, in the order taken; None: no path reaches here


def _merge(*states: State | None) -> State | None:
    """What every path holds: the locks held on each side."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    common = set.intersection(*({h.key() for h in s} for s in live))
    return tuple(h for h in live[0] if h.key() in common)


def sequenced_by_a_flag(program: Program, guarded: OrderEdge, setter: OrderEdge) -> str | None:
    """`x.F` when guarded's way to its second lock runs only under `if x.F {` (a bool field of a
    receiver on the way), and setter's function taking its second lock (the lock guarded holds
    first) sets `recv.F = true` after taking it, with nothing setting F back to false: guarded
    takes the other lock only once setter has been through its own, so the two orders never overlap
    (nomad's batched node updates: the callback takes the client's lock only once batching, done
    under the batcher's lock, has begun). None otherwise."""
    flags = set()
    steps = [(h.fn, h.op) for h in guarded.second.hops] + [(guarded.second.fn, guarded.second.op)]
    for f, op in steps:
        recv = f.facts.recv_name
        if not recv:
            continue
        for r in enclosing_regions(f.facts, op.region):
            reg = f.facts.regions[r]
            sel = E.selector(reg.info) if reg.kind == "if" and E.is_expr(reg.info) else None
            if sel is not None and E.is_ident(sel[0], recv):
                flags.add((f.facts.recv, sel[1]))
    if not flags:
        return None
    g = setter.second.fn
    ops = g.facts.ops
    at = next((k for k, o in enumerate(ops) if o is setter.second.op), None)
    recv = g.facts.recv_name
    if at is None or not recv:
        return None
    for o in ops[at + 1 :]:
        if o.kind != "assign" or len(o.targets) != 1 or len(o.args) != 1 or not E.is_true(o.args[0]):
            continue
        sel = E.selector(o.targets[0])
        if sel is None or not E.is_ident(sel[0], recv) or (g.facts.recv, sel[1]) not in flags:
            continue
        if any(
            op.kind == "assign"
            and any(E.selected_name(t) == sel[1] for t in op.targets)
            and not all(E.is_true(a) for a in op.args)
            for fn in program.package_functions(g.pkg.path)
            for op in fn.facts.ops
        ):
            continue  # set back (or to something else) somewhere: no one-way gate
        return f"{recv}.{sel[1]}"
    return None


def _add_type(found: set[str] | None, named: str | None) -> set[str] | None:
    """found with named added; None once any value's type is not known."""
    if found is None or named is None:
        return None
    found.add(named)
    return found


class LockModel:
    """Per function: summaries for callers and the lock events of its walk."""

    def __init__(self, program: Program, regions: Regions, debug: dict, flow: ChannelFlow):
        self.program = program
        self.regions = regions
        self._narrowed: dict[int, tuple[Op, list]] = {}
        self._field_type_answers: dict[tuple[str, str], set[str] | None] | None = None
        self.debug = debug
        self.flow = flow
        # channels with a buffer of one used as mutexes (see channel_locks.py), by key
        self.lock_channels = lock_channels(program, flow)
        debug["GIM10x_channels_as_locks"] = len(self.lock_channels)
        self.summaries: dict[int, Summary] = {}
        self._running: set[int] = set()
        self._depth = 0
        self.double_locks: list[DoubleLock] = []
        self.lost_unlocks: list[LostUnlock] = []
        self.order_edges: list[OrderEdge] = []
        self.blocked: list[BlockedUnderLock] = []
        self.panics_held: list[PanicHeld] = []
        self.loop_relocks: list[RelockedInLoop] = []
        self._other_lockers: dict[tuple, tuple[Function, Op] | None] = {}  # other_locker's answers
        self.deferred_in_loops: list[DeferredInLoop] = []
        self.argument_orders: list[ArgumentOrder] = []
        self._handed: set[int] | None = None
        self._composites: dict[tuple[str, str], list] | None = None
        self._cond_siblings: dict[str, str] | None = None  # see _cond_sibling_lockers
        self._closure_registrations: dict[int, set[tuple]] = {}  # literal id -> see _handed_on
        self._method_values: dict[tuple, bool] = {}  # see _method_value_of_receiver
        self._own_methods: dict[tuple, bool] = {}  # see _own_method_in_field
        self._kept_receivers: dict[tuple, tuple | None] = {}  # see _receiver_kept_in_result
        self._returned_locals: dict[int, str | None] = {}  # see _returns_local
        self._self_fields: dict[tuple[str, str], bool] = {}  # see _self_held
        self._own_panics: dict[int, Op | None] = {}  # see own_panic
        self._tests_of: dict[int, frozenset] = {}  # goroutine root -> the test functions it runs in
        self._outer_cache: dict[tuple[str, str], tuple | None] = {}  # (named, declaring) -> embedding_chain
        self.lock_ops: dict[str, list[tuple[Function, Op, str]]] = {}  # class -> (fn, op, "acquire"/"release")
        self._unlockers: dict[int, int | None] = {}  # function id -> see unlocker_parameter
        self._guard_fields: dict[int, frozenset[str]] = {}  # function id -> see guard_release_fields
        # class -> the name a reader knows it by: "Server.mu", a package variable's name, or a
        # local's name with the function that declares it (two locals `mu` are two locks)
        self.lock_names: dict[str, str] = {}
        for key in (
            "GIM10x_recursive_calls",
            "GIM10x_calls_too_deep",
            "GIM10x_wide_calls",
            "GIM10x_wide_calls_beside_empty_defaults",
            "GIM10x_wide_calls_to_a_registered_implementation",
            "GIM10x_wide_calls_locking_an_argument",
            "GIM10x_wide_calls_ordered_through_their_one_locker",
            "GIM10x_wide_calls_to_own_methods_in_fields",
            "GIM10x_wide_calls_to_closures_registered_on_the_receiver",
            "GIM10x_read_lockers",
            "GIM104_lost_unlocks_on_throwaway_receivers",
            "GIM104_lost_unlocks_on_errors_never_returned",
        ):
            debug.setdefault(key, 0)
        for fn in program.functions:
            self.summary(fn)
        self._filter_lost_unlocks()
        self._filter_handed_over()
        self._filter_signal_holds()
        self._filter_ruled_out_by_arguments()
        self._keep_channel_lock_deadlocks()
        self.mismatched_unlocks = self._mismatched_unlocks()

    def _keep_channel_lock_deadlocks(self) -> None:
        """A channel used as a mutex counts for the deadlocks it takes part in (taken again while held,
        taken in the opposite order to another lock, re-taken by a loop that defers its release). A slot a
        return keeps is told by the semaphore analysis (semaphores.py), for every buffer size; holding
        the channel across other operations is its purpose (it bounds them), not a hazard."""
        if not self.lock_channels:
            return

        def chan(lock: Lock) -> bool:
            return lock.cls.startswith("chan:")

        self.lost_unlocks = [x for x in self.lost_unlocks if not chan(x.acq.lock)]
        self.blocked = [x for x in self.blocked if not chan(x.held.lock)]
        self.panics_held = [x for x in self.panics_held if not chan(x.acq.lock)]
        self.loop_relocks = [x for x in self.loop_relocks if not chan(x.acq.lock)]

    def _mismatched_unlocks(self) -> list[MismatchedUnlock]:
        """The lock a function takes and, in the very next statement, defers the unlock of another one:
        `s.seenMu.Lock(); defer s.mu.Unlock()` (a sibling field of the same holder, which the function
        never locks), or `mu.RLock(); defer mu.Unlock()`. The function releases nothing of what it
        locked, so it returns with the lock held, and the deferred call unlocks a mutex it does not
        hold (a fatal error at run time unless a caller holds it)."""
        uses: dict[int, list[tuple[Function, Op, str, str]]] = {}
        for cls, ops in self.lock_ops.items():
            for fn, op, what in ops:
                uses.setdefault(fn.id, []).append((fn, op, what, cls))
        out = []
        for fn_id in sorted(uses):
            entries = uses[fn_id]
            fn = entries[0][0]
            index = {id(op): i for i, op in enumerate(fn.facts.ops)}
            for _f, lock_op, what, cls in entries:
                if what != "acquire" or lock_op.mode != "plain":
                    continue
                k = index.get(id(lock_op))
                if k is None or k + 1 >= len(fn.facts.ops):
                    continue
                nxt = fn.facts.ops[k + 1]
                if nxt.kind != "call" or nxt.mode != "defer" or E.selected_name(nxt.fn) not in RELEASE:
                    plain = self._plain_wrong_mode_release(fn, k, cls, entries)
                    if plain is not None:
                        found = self.lock_of(fn, lock_op)
                        label = found[0].label if found else E.render(lock_op.fn)
                        lock_text = f"{E.render(lock_op.fn)}()"
                        out.append(
                            MismatchedUnlock(fn, lock_op, lock_text, label, plain, f"{E.render(plain.fn)}()", True)
                        )
                    continue
                other = next((c for _g, o, w, c in entries if o is nxt and w == "release"), None)
                if other is None:
                    continue
                lock_name, unlock_name = E.selected_name(lock_op.fn), E.selected_name(nxt.fn)
                wrong_mode = other == cls and ACQUIRE.get(lock_name or "") != RELEASE.get(unlock_name or "")
                if other == cls and not wrong_mode:
                    continue
                if any(w == "release" and c == cls and o is not nxt for _g, o, w, c in entries):
                    continue  # it releases what it locked elsewhere: not the typo
                if not wrong_mode:
                    if any(w == "acquire" and c == other for _g, _o, w, c in entries):
                        continue  # it locks the other mutex too: a hand-over-hand pattern, not a typo
                    held, freed = E.selector(lock_op.fn), E.selector(nxt.fn)
                    if held is None or freed is None:
                        continue
                    if E.selector_base(held[0]) != E.selector_base(freed[0]) or E.selector(held[0]) is None:
                        continue  # two fields of one holder: `s.seenMu` and `s.mu`
                found = self.lock_of(fn, lock_op)
                label = found[0].label if found else E.render(lock_op.fn)
                out.append(
                    MismatchedUnlock(
                        fn,
                        lock_op,
                        f"{E.render(lock_op.fn)}()",
                        label,
                        nxt,
                        f"{E.render(nxt.fn)}()",
                        wrong_mode,
                    )
                )
        return out

    def _plain_wrong_mode_release(self, fn: Function, k: int, cls: str, entries: list) -> Op | None:
        """`s.mu.Lock(); ...; s.mu.RUnlock()` in one block: the first release of the class after the
        lock at op k, plain, in the lock's own block with no `return` or jump before it, in the other
        mode (`RUnlock` for `Lock`, `Unlock` for `RLock`), when the function releases the class
        nowhere else in the lock's mode. The write lock stays held (or a read lock is released as a
        write lock: a fatal error)."""
        ops = fn.facts.ops
        lock_op = ops[k]
        want = ACQUIRE.get(E.selected_name(lock_op.fn) or "")
        releases = [o for _g, o, w, c in entries if w == "release" and c == cls]
        if want is None or any(RELEASE.get(E.selected_name(o.fn) or "") in (want, None) for o in releases):
            return None  # released in the lock's mode somewhere, or through a helper: not the typo
        for o in ops[k + 1 :]:
            if o.region != lock_op.region:
                continue
            if o.kind in ("return", "jump"):
                return None
            if any(o is r for r in releases):
                mode = RELEASE.get(E.selected_name(o.fn) or "")
                return o if o.mode == "plain" and mode is not None and mode != want else None
        return None

    # ---- identity ------------------------------------------------------------------
    def instance(self, fn: Function, expr) -> tuple | None:
        """The access path of expr in fn: (root, field, ...), or None when it is not a plain path."""
        fields: list[str] = []
        e = expr
        while True:
            inner = E.unary_operand(e, "*", "&")
            if inner is not None:
                e = inner
                continue
            sel = E.selector(e)
            if sel is None:
                break
            base, name = sel
            path = self.program.imported_path(fn, base)
            if path is not None:
                return (("var", f"{path}.{name}"), *reversed(fields))
            fields.append(name)
            e = base
        root = E.ident(e)
        if root is None:
            return None
        owner = self.program.declaring_function(fn, root)
        if owner is None:
            if root in fn.pkg.vars:
                return (("var", f"{fn.pkg.path}.{root}"), *reversed(fields))
            return None
        if fields:
            # `tx := l.begin()` with begin returning `&txn{l: l}`: `tx.l` is the caller's `l`
            back = self._receiver_kept_in_result(owner, root)
            if back is not None and back[0] == fields[-1]:
                via = self.instance(owner, back[1])
                if via is not None:
                    return (*via, *reversed(fields[:-1]))
        return (("name", owner.id, root), *reversed(fields))

    def _returns_local(self, fn: Function, name: str) -> bool:
        """Every return of fn hands back its local `name` first. map_lock asks it of every lock on a
        callee's local it maps, so fn's answer is read once."""
        if fn.id not in self._returned_locals:
            self._returned_locals[fn.id] = _returned_local(fn)
        return self._returned_locals[fn.id] == name

    def _receiver_kept_in_result(self, fn: Function, name: str) -> tuple | None:
        """(field, receiver expression) when the local `name` of fn is given its value once, by a call
        `x.m(...)` of one method of the tree whose every return builds `&T{field: r}` (or `T{...}`)
        with r its own receiver: the field holds x. Once per local."""
        key = (fn.id, name)
        if key in self._kept_receivers:
            return self._kept_receivers[key]
        found = None
        values = [(o, i) for o, i in assignments_to(fn, name)]
        if len(values) == 1 and len(values[0][0].args) == 1 and values[0][1] == 0:
            number = E.op_number(values[0][0].args[0])
            call = fn.facts.ops[number] if number is not None else None
            sel = E.selector(call.fn) if call is not None and call.kind == "call" else None
            targets = self.program.resolve_call(fn, call) if call is not None and sel is not None else []
            if sel is not None and len(targets) == 1 and not targets[0].via and targets[0].function.facts.recv_name:
                field = _receiver_field_of_returns(targets[0].function)
                found = (field, sel[0]) if field is not None else None
        self._kept_receivers[key] = found
        return found

    def other_locker(self, cls: str, fn: Function, any_mode: bool) -> tuple[Function, Op] | None:
        """The first `Lock()` (or, with any_mode, also `RLock()`) call on a mutex of class cls in a
        function other than fn, in program order; asked only for the rare lock a loop leaves held."""
        cache = self._other_lockers
        key = (cls, fn.id, any_mode)
        if key not in cache:
            found = None
            wanted = ("Lock", "RLock") if any_mode else ("Lock",)
            for f in self.program.functions:
                if f is fn:
                    continue
                for op in f.facts.ops:
                    if op.kind == "call" and op.mode == "plain" and E.selected_name(op.fn) in wanted:
                        got = self.lock_of(f, op)
                        if got is not None and got[0].cls == cls:
                            found = (f, op)
                            break
                if found is not None:
                    break
            cache[key] = found
        return cache[key]

    def lock_of(self, fn: Function, op: Op) -> tuple[Lock, str] | None:
        """For `X.Lock()`-like calls on a sync mutex (or a struct embedding one): the lock and its text."""
        sel = E.selector(op.fn)
        if sel is None:
            return None
        holder = sel[0]
        p = self.program
        t = p.type_of(fn, holder)
        if not t:
            return None
        t = t.lstrip("*")
        if t not in LOCK_TYPES and "#" in t and p.method(t, sel[1]) is None and p.underlying(t) in LOCK_TYPES:
            # `type RWMutex = sync.RWMutex`: only an alias keeps the mutex's methods (a type defined
            # over it has none), so a `Lock` call that is not the type's own is the mutex's.
            t = p.underlying(t)
        if t == "sync#Locker" and self._read_locker(fn, holder):
            self.debug["GIM10x_read_lockers"] += 1
            return None  # `rl = mu.RLocker()`: its Lock is an RLock, which may be taken twice
        if t in LOCK_TYPES or _anonymous_embedding_lock(t):
            # `s.logging.Lock()` on a field of type `struct { sync.RWMutex; ... }`: the field is the lock.
            lock = self._holder_lock(fn, holder)
            return (lock, E.render(holder)) if lock else None
        named = p.named(t)
        if named is None or p.method(named, sel[1]) is not None:
            return None  # the type's own Lock method: a call like any other
        for emb in EMBEDDED_LOCKS:
            ft = p.field_type(named, emb)
            if ft is not None and (ft[0].lstrip("*") in LOCK_TYPES or p.underlying(ft[0]) in LOCK_TYPES):
                inst = self.instance(fn, holder)
                label = f"{ft[1].split('#')[1]}.{emb}"
                outer = self._embedding_outer(named, ft[1])
                lock = Lock(f"field:{ft[1]}.{emb}", (*inst, emb) if inst else None, label, _striped(holder), outer)
                return lock, E.render(holder)
        return None

    def _read_locker(self, fn: Function, holder) -> bool:
        """The `sync.Locker` local `holder` is given a read locker (`rl = mu.RLocker()`) somewhere."""
        name = E.ident(holder)
        owner = self.program.declaring_function(fn, name) if name is not None else None
        if owner is None or name is None:
            return False
        p = self.program
        for op, i in assignments_to(owner, name):
            made = E.callee(op.args[i]) if len(op.args) == len(op.targets) else None
            sel = E.selector(made)
            if sel is not None and sel[1] == "RLocker":
                t = (p.type_of(owner, sel[0]) or "").lstrip("*")
                if t == "sync#RWMutex" or p.underlying(t) == "sync#RWMutex":
                    return True  # the RWMutex's own `RLocker`, not a method of that name elsewhere
        return False

    def channel_lock(self, fn: Function, op: Op) -> tuple[Lock, bool] | None:
        """For a send or receive on a channel used as a mutex: that channel as a lock (class
        `chan:<key>`), and whether op takes it (a send, or a receive when the full buffer is free)."""
        if not self.lock_channels:
            return None
        key = self.flow.key(fn, op.fn)
        found = self.lock_channels.get(key) if key is not None else None
        if found is None or id(op) in found.priming:
            return None
        lock = Lock(f"chan:{key}", self.instance(fn, op.fn), found.label, _striped(op.fn))
        return lock, found.acquire == op.kind

    def lock_at(self, fn: Function, expr) -> Lock | None:
        """The mutex expr denotes in fn (`&s.mu`, `mu`), or None when it is not a plain path to one."""
        return self._holder_lock(fn, E.strip_address(expr))

    def _holder_lock(self, fn: Function, holder) -> Lock | None:
        p = self.program
        inst = self.instance(fn, holder)
        bare = holder
        while (inner := E.unary_operand(bare, "*", "&")) is not None:
            bare = inner
        sel = E.selector(bare)
        if sel is not None:
            base, fname = sel
            path = p.imported_path(fn, base)
            if path is not None:
                return Lock(f"var:{path}.{fname}", inst, fname)
            bt = p.type_of(fn, base)
            named = p.named(bt) if bt else None
            ft = p.field_type(named, fname) if named else None
            if ft is None and named == "sync#Cond" and fname == "L":
                # `p.cond.L`: the Locker of the Cond held in p.cond, one per holder of the Cond; the
                # mutex itself when every `x.cond = sync.NewCond(&x.mu)` names a sibling field
                cond = self._holder_lock(fn, base)
                if cond is None:
                    return None
                sibling = self._cond_sibling_lockers().get(cond.cls)
                cond_sel = E.selector(base)
                if sibling is not None and cond_sel is not None:
                    return self._holder_lock(fn, ("sel", cond_sel[0], sibling))
                return Lock(f"{cond.cls}.L", inst, f"{cond.label}.L", cond.striped)
            if ft is None:
                return None
            outer = self._embedding_outer(named, ft[1]) if named else ""
            label = f"{ft[1].split('#')[1]}.{fname}"
            return Lock(f"field:{ft[1]}.{fname}", inst, label, _striped(holder), outer)
        name = E.ident(bare)
        if name is None or inst is None:
            return None
        root = inst[0]
        if root[0] == "var":
            return Lock(f"var:{root[1]}", inst, name)
        owner = p.functions[root[1]]
        if any(pn == name for pn, _t in owner.facts.params):
            return Lock(f"param:{owner.id}:{name}", inst, name)  # its class is the caller's argument's
        return Lock(f"local:{owner.id}:{name}", inst, name)

    def _cond_sibling_lockers(self) -> dict[str, str]:
        """Class of a Cond field -> the sibling mutex field every `x.c = sync.NewCond(&x.mu)` gives it."""
        if self._cond_siblings is None:
            found: dict[str, set] = {}
            p = self.program
            for fn in p.functions:
                for op in fn.facts.ops:
                    if op.kind != "assign" or len(op.targets) != len(op.args):
                        continue
                    for target, value in zip(op.targets, op.args, strict=True):
                        called = E.call(value)
                        if called is None or not called[1]:
                            continue
                        ext = p.external_callee(fn, called[0])
                        if ext is None or (ext.pkg, ext.name, ext.recv) != ("sync", "NewCond", ""):
                            continue
                        cond = self._holder_lock(fn, target)
                        sel, locker = E.selector(target), E.selector(E.strip_address(called[1][0]))
                        if cond is None:
                            continue
                        same_holder = sel is not None and locker is not None and locker[0] == sel[0]
                        found.setdefault(cond.cls, set()).add(locker[1] if same_holder and locker else None)
            self._cond_siblings = {cls: next(iter(v)) for cls, v in found.items() if len(v) == 1 and None not in v}
        return self._cond_siblings

    def map_lock(self, caller: Function, op: Op, callee: Function, lock: Lock) -> Lock:
        """The callee's lock as the caller sees it at the call op."""
        inst = lock.inst
        if inst is None or inst[0][0] != "name" or inst[0][1] != callee.id:
            return lock  # a package variable, or a variable of a function around both (or one a closure captured)
        name, rest = inst[0][2], inst[1:]
        f = callee.facts
        arg = None
        outer = lock.outer
        if name == f.recv_name:
            sel = E.selector(op.fn)
            if sel is not None and self._direct_receiver(caller, sel[0], callee):
                arg = sel[0]
            elif sel is not None and not outer:
                outer = self._promoted_outer(caller, sel[0], callee)
        else:
            for i, (pn, _t) in enumerate(f.params):
                if pn == name and i < len(op.args) and not (f.variadic and i == len(f.params) - 1):
                    arg = op.args[i]
            if arg is None and rest and self._returns_local(callee, name):
                # `b := l.lockBucket(key)`, lockBucket locking `b.mu` of the bucket it returns
                arg = _result_local(caller, op)
        if arg is None:
            return Lock(lock.cls, None, lock.label, outer=outer)
        arg = self._self_held(caller, arg)
        if not rest and lock.cls.startswith("param:"):
            bare = arg
            while (inner := E.unary_operand(bare, "*", "&")) is not None:
                bare = inner
            found = self._holder_lock(caller, bare)
            return found if found is not None else Lock(lock.cls, None, lock.label)
        base = self.instance(caller, arg)
        if base is not None and rest and base == (("name", caller.id, E.ident(arg)),):
            back = self._element_back_reference(caller, arg, rest[0])
            if back is not None:
                base, rest = back, rest[1:]
        return Lock(lock.cls, (*base, *rest) if base is not None else None, lock.label, outer=outer)

    def _element_back_reference(self, caller: Function, arg, field: str) -> tuple | None:
        """`s.deliver(m)` in a method of h, s an element of a field of h (`for _, s := range h.subs`),
        when every value the tree writes into the element type's field (`hub`) is the receiver of a
        method of h's type that keeps the element it built in a field of its own (`s := &Subscription{
        hub: h}; h.subs[s.id] = s`): `s.hub` is h, so the callee's `s.hub.mu` is the caller's `h.mu`.
        The instance of h, or None."""
        elem = E.ident(arg)
        if elem is None or not isinstance(field, str) or not self._element_of_receiver_field(caller, elem):
            return None
        et = self.program.type_of(caller, arg)
        named = self.program.named(et) if et else None
        owner = self._receiver_type(caller)
        if named is None or owner is None:
            return None
        memo = (named, field, owner, "back")
        known = self._own_methods.get(memo)
        if known is None:
            known = self._own_methods[memo] = self._field_holds_keeper(named, field, owner)
        return (("name", caller.id, caller.facts.recv_name),) if known else None

    def _field_holds_keeper(self, named: str, field: str, owner: str) -> bool:
        """Every write of named.field gives it the receiver r of a method of owner (`&T{field: r}`, or
        `t.field = r`), and that method keeps what it built in a field of r."""
        writes = self.program.field_value_writes(named, field)
        if not writes:
            return False
        for g, base, value in writes:
            recv = g.facts.recv_name
            if not recv or g.parent is not None or f"{g.pkg.path}#{g.facts.recv}" != owner:
                return False
            if not E.is_ident(value, recv):
                return False
            local = E.ident(base) if base is not None else self._built_local(g, named)
            if local is None or not self._kept_in_receiver_field(g, local):
                return False
        return True

    def _built_local(self, g: Function, named: str) -> str | None:
        """The one local g assigns a composite of named to (`s := &Subscription{...}`), else None."""
        found = None
        for o in g.facts.ops:
            if o.kind != "assign" or len(o.targets) != 1 or len(o.args) != 1:
                continue
            built = E.composite(E.strip_address(o.args[0]))
            local = E.ident(o.targets[0])
            if built is None or local is None or self.program.named(self.program.qualify(built[0], g.file)) != named:
                continue
            if found is not None and found != local:
                return None
            found = local
        return found

    def _self_held(self, caller: Function, arg):
        """`s.store` when every value the tree writes into that field of s's type is the holder itself
        (`s.store = s`, an interface field pointing back at its own struct): the value is `s`."""
        sel = E.selector(arg)
        if sel is None or sel[1] not in self.program.self_written_fields():
            return arg  # map_lock asks this of every mapped lock: most fields are never given their holder
        t = self.program.type_of(caller, sel[0])
        named = self.program.named(t) if t else None
        if named is None or not self.program.is_interface(
            self.program.named(self.program.type_of(caller, arg) or "") or ""
        ):
            return arg
        key = (named, sel[1])
        known = self._self_fields.get(key)
        if known is None:
            known = self._self_fields[key] = self.program.holds_itself(named, sel[1])
        return sel[0] if known else arg

    def map_release(self, caller: Function, op: Op, callee: Function, lock: Lock) -> Lock:
        """A lock the callee releases, as the caller sees it at the call op.

        As map_lock, except for a variable the callee captured from a function the caller
        is not inside: a closure some call returned (`unlock := b.lockAndGetUnlock();
        defer unlock()`). Which value that is the caller cannot say, so the release is
        of an unknown instance of the class, which releases the one held.
        """
        mapped = self.map_lock(caller, op, callee, lock)
        inst = mapped.inst
        if inst is not None and inst[0][0] == "name" and not _encloses(inst[0][1], caller):
            return Lock(mapped.cls, None, mapped.label, mapped.striped)
        return mapped

    def _promoted_outer(self, caller: Function, recv_expr, callee: Function) -> str:
        """For a method promoted from a struct embedded by value (`s.IsUnused()` on a *peerScope
        embedding resourceScope): the named type of the receiver the caller has, else ""."""
        t = self.program.type_of(caller, recv_expr)
        named = self.program.named(t) if t else None
        if named is None or not callee.facts.recv:
            return ""
        declaring = f"{callee.pkg.path}#{callee.facts.recv}"
        return self._embedding_outer(named, declaring)

    def _embedding_outer(self, named: str, declaring: str) -> str:
        """named when it holds declaring through embedded fields, else ""."""
        if named == declaring:
            return ""
        return named if self.embedding_chain(named, declaring) is not None else ""

    def embedding_chain(self, named: str, declaring: str, depth: int = 0) -> tuple | None:
        """The embedded fields leading from named to declaring: ((holder type, field, by pointer), ...)."""
        key = (named, declaring)
        if depth == 0 and key in self._outer_cache:
            return self._outer_cache[key]
        found = None
        p = self.program
        d = p.type_decl(named)
        if d is not None and d[0].kind == "struct" and depth <= 4:
            for fname, ftype, emb in d[0].members:
                if not emb:
                    continue
                inner = p.named(p.qualify(ftype, d[1]))
                if inner is None:
                    continue
                step = ((named, fname, ftype.lstrip().startswith("*")),)
                if inner == declaring:
                    found = step
                    break
                rest = self.embedding_chain(inner, declaring, depth + 1)
                if rest is not None:
                    found = step + rest
                    break
        if depth == 0:
            self._outer_cache[key] = found
        return found

    def nested_outers(self, a: str, b: str) -> bool:
        """One outer type holds the other (the same struct may be reached from both)."""
        return self.embedding_chain(a, b) is not None or self.embedding_chain(b, a) is not None

    def _direct_receiver(self, caller: Function, recv_expr, callee: Function) -> bool:
        """The call's receiver is the callee's receiver itself (not an embedded field it was promoted from),
        or an interface parameter the call resolved to this method through: when the callee runs,
        the parameter's value is that receiver."""
        t = self.program.type_of(caller, recv_expr)
        named = self.program.named(t) if t else None
        if named is None:
            # A field of an interface type written out in place (`peers interface{ Instances(string)
            # []Instance }`): as for a named interface, the method runs on the value the field holds.
            written = " ".join((t or "").split())
            return written.startswith("interface{") and E.selector(recv_expr) is not None
        if named.split("#")[1] == callee.facts.recv:
            return True
        # An interface parameter: its lock is then the caller's caller's argument, which
        # `note_argument_orders` compares with the receiver (`s.AddUnlessFull(1, s)`).
        if not self.program.is_interface(named):
            return False
        name = E.ident(recv_expr)
        if name in {pn for pn, _t in caller.facts.params if pn}:
            return True
        # A field of interface type (`a.store.Get(key)`, `store KV`): the method runs on the value the
        # field holds, when its type declares the method itself (not promoted from an embedded one).
        declaring = f"{callee.pkg.path}#{callee.facts.recv}"
        return E.selector(recv_expr) is not None and declaring in self.program.implementations(named)

    # ---- dynamic calls: code registered on the receiver ------------------------------
    def tie_to_receiver(self, fn: Function, op: Op, callee: Function, lock: Lock, mapped: Lock) -> Lock:
        """The callee's lock as a field of fn's receiver, when a dynamic call reaches code registered on that value.

        A call through a function value or an interface loses the instance:
        the callee's locks are another value's as far as the mapping knows.
        Two registrations tie them back, both on a value of fn's receiver type:
        a closure handed to one of its methods that locks through the variable
        it was handed on (`r.Register(func() { r.Count() })`), and an
        implementation built with a field holding the value it is stored into
        (`s.obs = append(s.obs, &printer{s: s})`, printer's method locking
        `p.s.mu`). Anything else keeps the mapped (unknown) instance.
        """
        recv = fn.facts.recv_name
        if not recv or lock.inst is None or E.funclit(op.fn) is not None:
            return mapped
        rest = self._registered_closure(fn, callee, mapped) if callee.parent is not None else None
        if rest is None and mapped.inst is None:
            rest = self._method_value_of_receiver(fn, op, callee, lock)
        if rest is None and mapped.inst is None:
            rest = self._own_method_in_field(fn, op, callee, lock)
        if rest is None and mapped.inst is None:
            rest = self._owner_bound_callback(fn, op, callee, lock)
        if rest is None and mapped.inst is None:
            rest = self._element_bound_callback(fn, op, callee, lock)
        if rest is None and (mapped.inst is None or self._through_own_field(fn, mapped, lock)):
            # (`r.admission.Admit(i)` maps its `z.peers.mu` to `r.admission.peers.mu`: when what
            # `r.admission` holds keeps r in `peers`, that is `r.mu`)
            rest = self._observer_holding_receiver(fn, op, callee, lock)
        if rest is None and mapped.inst is None and self.program.interface_width(fn, op) > 0:
            rest = self._registered_implementation(fn, callee, lock)
        if rest is None:
            return mapped
        self.debug["GIM10x_locks_tied_through_registration"] = (
            self.debug.get("GIM10x_locks_tied_through_registration", 0) + 1
        )
        return Lock(mapped.cls, (("name", fn.id, recv), *rest), mapped.label, mapped.striped)

    @staticmethod
    def _through_own_field(fn: Function, mapped: Lock, lock: Lock) -> bool:
        """The mapped lock is reached through a field of fn's receiver and then the callee's own field
        (`r.admission.peers.mu` for the callee's `z.peers.mu`)."""
        inst, own = mapped.inst, lock.inst
        recv = fn.facts.recv_name
        return (
            inst is not None
            and own is not None
            and len(inst) == len(own) + 1
            and inst[0] == ("name", fn.id, recv)
            and inst[2:] == own[1:]
        )

    def registered_target(self, fn: Function, op: Op, targets: list) -> Function | None:
        """Of an interface call's several implementations, the only one whose summary takes a lock, when
        every lock it takes ties back to fn's receiver through a registration on that value (see
        tie_to_receiver); None otherwise."""
        recv = fn.facts.recv_name
        recv_type = self._receiver_type(fn)
        if not recv or recv_type is None or self.program.interface_width(fn, op) <= 0:
            return None
        # Only an implementation holding a field of the receiver's type can be tied back to it: read
        # the declarations first, and summarise (which walks bodies) only those.
        holding = [t.function for t in targets if self._holds_field_of(t.function, recv_type)]
        if not holding:
            return None
        locking = [t.function for t in targets if self.summary(t.function).acquires]
        if len(locking) != 1:
            return None
        callee = locking[0]
        root = ("name", fn.id, recv)
        for a in self.summary(callee).acquires:
            mapped = self.map_lock(fn, op, callee, a.lock)
            if mapped.inst is not None:
                return None  # known some other way: the narrow path's business
            tied = self.tie_to_receiver(fn, op, callee, a.lock, mapped)
            if tied.inst is None or tied.inst[0] != root:
                return None
        return callee

    def own_panic(self, fn: Function) -> Op | None:
        """fn's own plain `panic(...)` (the first), when fn neither recovers nor is a literal: a call
        of fn may end in that panic."""
        if fn.id in self._own_panics:
            return self._own_panics[fn.id]
        found = None
        if fn.parent is None and not any(o.kind == "call" and o.mode == "defer" for o in fn.facts.ops):
            found = next(
                (
                    o
                    for o in fn.facts.ops
                    if o.kind == "call"
                    and o.mode == "plain"
                    and E.is_ident(o.fn, "panic")
                    and self.program.declaring_function(fn, "panic") is None
                    and not _asserts_receiver_state(fn, o)
                ),
                None,
            )
        self._own_panics[fn.id] = found
        return found

    def argument_target(self, fn: Function, op: Op, targets: list) -> Function | None:
        """Of an interface call's several implementations, the one whose summary takes a lock, when
        it takes the lock of a value the call passes as an argument, and no lock but that and its
        own receiver's: `h.OnPut(key, s)` where one hook calls `s.Len()`. Whichever implementation runs is handed that
        value, so the one that locks it locks the caller's. When several lock, each must lock only
        the argument's lock (and its own receiver's), and the same one: whichever runs locks it
        (`r.policy.Eligible(r, id)`, every policy asking `dir.StatusOf(id)`); the first is returned.
        None otherwise."""
        locking = [t.function for t in targets if self.summary(t.function).acquires]
        if not locking:
            return None
        taken = [self._argument_locks(fn, op, callee) for callee in locking]
        if any(t is None for t in taken):
            return None
        # Implementations that lock only their own receiver's mutex (`c.mu` of a counter) take nothing
        # of the caller's: the ones left must all lock the same argument lock.
        through = [(callee, t) for callee, t in zip(locking, taken, strict=True) if t]
        if not through or len({frozenset(t) for _c, t in through}) != 1:
            return None
        return through[0][0]

    def _argument_locks(self, fn: Function, op: Op, callee: Function) -> set[str] | None:
        """The classes of the caller's locks the callee's summary takes through the arguments op passes,
        when it takes no lock but those and its own receiver's (empty: its receiver's only); None
        otherwise."""
        params = {pn for pn, _t in callee.facts.params}
        recv = callee.facts.recv_name
        out: set[str] = set()
        for a in self.summary(callee).acquires:
            inst = a.lock.inst
            if inst is None or inst[0][0] != "name" or inst[0][1] != callee.id:
                return None
            if recv and inst[0][2] == recv:
                continue  # the implementation's own mutex (`m.mu` of a replica): its business, beside the argument's
            if inst[0][2] not in params:
                return None
            mapped = self.map_lock(fn, op, callee, a.lock)
            if mapped.inst is None or mapped.inst[0][0] != "name":
                return None
            out.add(mapped.cls)
        return out

    def _holds_field_of(self, method: Function, recv_type: str) -> bool:
        """The method's receiver type is a struct of the tree with a field of type recv_type (or a pointer to it)."""
        impl = self._receiver_type(method)
        decl = self.program.type_decl(impl) if impl is not None else None
        if decl is None or decl[0].kind != "struct":
            return False
        t, ff = decl
        return any(
            self._holds(self.program.named(self.program.qualify(ftype, ff)), recv_type) for _f, ftype, _e in t.members
        )

    def _holds(self, field_type: str | None, recv_type: str) -> bool:
        """A field of field_type can hold a value of recv_type: the type itself (or a pointer to it), or
        an interface recv_type implements (`store KV` holding the `*MemStore` it was built with)."""
        if field_type is None:
            return False
        if field_type == recv_type:
            return True
        return self.program.is_interface(field_type) and recv_type in self.program.implementations(field_type)

    def _registered_closure(self, fn: Function, lit: Function, mapped: Lock) -> tuple | None:
        """For `v.Method(func() { ... v.mu ... })` with v of fn's receiver type: the path after v (`("mu",)`)."""
        inst = mapped.inst
        if inst is None or inst[0][0] != "name" or len(inst) < 2:
            return None
        recv_type = self._receiver_type(fn)
        if recv_type is None:
            return None
        for base, named in self._handed_on(lit):
            # `ts.cache.OnEvict = func() { ... ts.cache.Len() }`: the value a path of fields reaches;
            # an interface value (`e.Store`) holds the receiver's type whenever its method ran this one
            mine = named == recv_type or (
                self.program.is_interface(named) and recv_type in self.program.implementations(named)
            )
            if mine and len(inst) > len(base) and inst[: len(base)] == base:
                return inst[len(base) :]
        return None

    def _handed_on(self, lit: Function) -> set[tuple]:
        """(v's instance path, v's named type) for each `v.Method(..., lit, ...)` that hands the literal to a
        method of v, and each `v.f = lit` storing it in a callback field of v."""
        known = self._closure_registrations.get(lit.id)
        if known is not None:
            return known
        found: set[tuple] = set()
        parent = lit.parent
        p = self.program
        if parent is None:
            return found
        for op in parent.facts.ops:
            if op.kind == "assign":
                found.update(self._stored_in_field(parent, op, lit))
                continue
            if op.kind != "call" or not any(p.literal(parent, i) is lit for i in _funclits(op.args)):
                continue
            sel = E.selector(op.fn)
            base = self.instance(parent, sel[0]) if sel is not None else None
            # `v.Walk(p, lit)`, or through a field `e.Store.Walk(p, lit)`: the value the method runs on
            t = p.type_of(parent, sel[0]) if sel is not None and base is not None else None
            named = p.named(t) if t else None
            if base is not None and named is not None:
                found.add((tuple(base), named))
            found.update(self._returned_holding_literal(parent, op, lit))
        self._closure_registrations[lit.id] = found
        return found

    def _returned_holding_literal(self, parent: Function, op: Op, lit: Function) -> set[tuple]:
        """`first = hub.Subscribe(prefix, func(m Message) { first.Cancel() })`, where Subscribe (one
        function of the tree) returns a value it built holding that parameter in a field (`s :=
        &Subscription{handler: fn}; return s`): the literal is registered on `first`, the value a
        method of its type calls it on. {(first's instance path, its named type)} or empty."""
        p = self.program
        ops = parent.facts.ops
        number = next((k for k, o in enumerate(ops) if o is op), -1)
        kept = [
            E.ident(o.targets[0])
            for o in ops
            if o.kind == "assign" and len(o.targets) == 1 and len(o.args) == 1 and E.call_number(o.args[0]) == number
        ]
        local = kept[0] if len(kept) == 1 else None
        targets = p.resolve_call(parent, op) if local else []
        if len(targets) != 1 or targets[0].via:
            return set()
        callee = targets[0].function
        at = [k for k, a in enumerate(op.args) if (n := E.funclit(a)) is not None and p.literal(parent, n) is lit]
        params = callee.facts.params
        if (
            len(at) != 1
            or at[0] >= len(params)
            or not params[at[0]][0]
            or not self._returns_built_with(callee, params[at[0]][0])
        ):
            return set()
        ident = E.make_ident(local)  # type: ignore[arg-type]
        base = self.instance(parent, ident)
        t = p.type_of(parent, ident)
        named = p.named(t) if t else None
        return {((base[0],), named)} if base is not None and len(base) == 1 and named is not None else set()

    @staticmethod
    def _returns_built_with(fn: Function, param: str) -> bool:
        """Every `return` of fn hands back one local that fn built as a composite literal holding
        param as a field's value (`s := &Subscription{handler: fn}; ...; return s`)."""
        built = set()
        for o in fn.facts.ops:
            if o.kind != "assign" or len(o.targets) != 1 or len(o.args) != 1:
                continue
            items = E.composite_items(E.strip_address(o.args[0]))
            if any(E.is_ident(v, param) for _k, v in items) and E.ident(o.targets[0]):
                built.add(E.ident(o.targets[0]))
        returns = [o for o in fn.facts.ops if o.kind == "return"]
        return (
            len(built) == 1 and bool(returns) and all(len(o.args) == 1 and E.ident(o.args[0]) in built for o in returns)
        )

    def _method_value_of_receiver(self, fn: Function, op: Op, method: Function, lock: Lock) -> tuple | None:
        """For `f()` with f a parameter of fn that every caller fills with a method value of the very value
        it calls fn on (`s.report(s.size)`): the path after the method's receiver of its lock (`("mu",)`)."""
        inst, name = lock.inst, E.ident(op.fn)
        if inst is None or name is None or inst[0] != ("name", method.id, method.facts.recv_name) or len(inst) < 2:
            return None
        index = next((i for i, (pn, _t) in enumerate(fn.facts.params) if pn == name), -1)
        if index < 0 or self.program.declaring_function(fn, name) is not fn:
            return None
        memo = (fn.id, index, method.id)
        if memo not in self._method_values:
            self._method_values[memo] = self._callers_pass_own_method(fn, index, method)
        return inst[1:] if self._method_values[memo] else None

    def registered_closure_target(self, fn: Function, op: Op, targets: list) -> Function | None:
        """Of a function-value call on a field of fn's receiver (`s.handler(m)`), the only target that
        takes a lock, when it is a literal every lock of which ties back to the receiver through its
        registration on that value (see _registered_closure); None otherwise."""
        sel = E.selector(op.fn)
        if not fn.facts.recv_name or sel is None or not E.is_ident(sel[0], fn.facts.recv_name):
            return None
        locking = [t.function for t in targets if self.summary(t.function).acquires]
        if len(locking) != 1 or locking[0].parent is None:
            return None
        lit = locking[0]
        for a in self.summary(lit).acquires:
            if self._registered_closure(fn, lit, self.map_lock(fn, op, lit, a.lock)) is None:
                return None
        return lit

    def own_method_target(self, fn: Function, op: Op, targets: list) -> Function | None:
        """Of a function-value call's several targets, the only one that takes a lock, when it is a
        method its receiver stored in the very field the call reads (see _own_method_in_field)."""
        locking = [t.function for t in targets if self.summary(t.function).acquires]
        if len(locking) != 1 or not locking[0].facts.recv_name:
            return None
        callee = locking[0]
        for a in self.summary(callee).acquires:
            rest = self._own_method_in_field(fn, op, callee, a.lock)
            if rest is None or self.map_lock(fn, op, callee, a.lock).inst is not None:
                return None
        return callee

    def _own_method_in_field(self, fn: Function, op: Op, method: Function, lock: Lock) -> tuple | None:
        """For `rule(t)` in a method of l, with rule taken from `l.rules` (a range over it, an index,
        the field itself) and every write of that field holding a method value of `method` binding
        it to the value written (`l.rules = []Rule{..., l.sufficientFunds}`): the call runs the
        method on l itself. The path after the method's receiver of its lock (`("Mutex",)`)."""
        inst, recv = lock.inst, fn.facts.recv_name
        if inst is None or not recv or inst[0] != ("name", method.id, method.facts.recv_name) or len(inst) < 2:
            return None
        field = self._receiver_field_called(fn, op)
        named = self._receiver_type(fn)
        if field is None or named is None:
            return None
        memo = (named, field, method.id)
        if memo not in self._own_methods:
            self._own_methods[memo] = self._field_binds_own_method(named, field, method)
        return inst[1:] if self._own_methods[memo] else None

    def _owner_bound_callback(self, fn: Function, op: Op, method: Function, lock: Lock) -> tuple | None:
        """For `c.onEvict(k, v)` in a method of c, where every value of that field is a method value of
        an owner `s` given to the constructor whose result `s` keeps in the field the method's lock
        goes through (`s.cache = lru.New(n, s.onEvict)`, `onEvict` locking via `s.cache.Len()`): the
        callback runs on the owner of c, and `s.cache` is c. The path after that field (`("mu",)`)."""
        return self._through_back_field(fn, op, method, lock, "owner", self._bound_by_owner_keeping)

    def _element_bound_callback(self, fn: Function, op: Op, method: Function, lock: Lock) -> tuple | None:
        """For `t.onExpire(t)` in a method of s, t an element of a field of s (`for _, t := range
        s.leased`, `s.queue[0]`), when every write of the element type's field is `t.onExpire =
        s.requeue` in a method of s's type that keeps that t in a field of its own receiver: the
        callback runs on the value that holds the element, fn's receiver. The path after the
        method's receiver of its lock (`("mu",)`)."""
        inst, recv = lock.inst, fn.facts.recv_name
        if inst is None or not recv or inst[0] != ("name", method.id, method.facts.recv_name) or len(inst) < 2:
            return None
        sel = E.selector(op.fn)
        elem = E.ident(sel[0]) if sel is not None else None
        if sel is None or elem is None or not self._element_of_receiver_field(fn, elem):
            return None
        et = self.program.type_of(fn, sel[0])
        named = self.program.named(et) if et else None
        owner = self._receiver_type(fn)
        if named is None or owner is None or f"{method.pkg.path}#{method.facts.recv}" != owner:
            return None
        memo = (named, sel[1], method.id, "element")
        if memo not in self._own_methods:
            self._own_methods[memo] = self._field_binds_keeper_method(named, sel[1], method, owner)
        return inst[1:] if self._own_methods[memo] else None

    def _observer_holding_receiver(self, fn: Function, op: Op, method: Function, lock: Lock) -> tuple | None:
        """For `h(*s)` in a method of st, h taken from a field of st (`for _, h := range st.hooks`), where
        every value of that field is a method value `x.Expired` handed to a method of st's type on a
        value v (`store.OnEvict(auditLog.Expired)`), x built by a constructor of the tree given that
        same v and keeping it in the field the method's lock goes through (`audit.NewLogger(out,
        store)` returning `&Logger{counter: c}`, `Expired` locking via `l.counter.ActiveFor`): the
        callback locks v, which is st. The path after that field (`("mu",)`)."""
        return self._through_back_field(fn, op, method, lock, "observer", self._registered_observers_hold)

    def _through_back_field(self, fn: Function, op: Op, method: Function, lock: Lock, how: str, holds) -> tuple | None:
        """The shared head of the callbacks whose lock goes through a field of the method's receiver
        (`l.counter.mu`, `s.cache.mu`) that holds fn's receiver: the path after that field when
        `holds(named, field called, method, back field)` says so (memoised per type, field, method
        and way); None otherwise."""
        inst, recv = lock.inst, fn.facts.recv_name
        if inst is None or not recv or inst[0] != ("name", method.id, method.facts.recv_name) or len(inst) < 3:
            return None
        back = inst[1]
        field = self._receiver_field_called(fn, op)
        named = self._receiver_type(fn)
        if field is None or named is None or not isinstance(back, str):
            return None
        memo = (named, field, method.id, back, how)
        if memo not in self._own_methods:
            self._own_methods[memo] = holds(named, field, method, back)
        return inst[2:] if self._own_methods[memo] else None

    def _registered_observers_hold(self, named: str, field: str, method: Function, back: str) -> bool:
        """Every write of named.field (empty tables aside) registers a value that reads back through v,
        the value whose field it is: a parameter of a method of named whose every call, on v, passes
        `x.<method>` or x itself, x made by a constructor of the tree given v and keeping it in the
        field `back` of what it returns (`store.OnEvict(audit.Expired)`, `reg.Watch(bal)`); or a
        direct write `v.f = x.<method>` with x built over v right there (`lim.OnReject =
        s.noteReject`). See _observer_holding_receiver."""
        p = self.program
        writes = p.field_value_writes(named, field)
        if not writes:
            return False
        for g, base, value in writes:
            if E.is_make_call(value) or E.is_nil(value):
                continue  # `b.subs[filter] = make(map[string]Handler)`: an empty table, no registration
            assigned = E.selector(value)
            v = E.ident(base) if base is not None else None
            x = E.ident(assigned[0]) if assigned is not None else None
            if assigned is not None and assigned[1] == method.facts.name and v is not None and x is not None:
                # `lim.OnReject = s.noteReject` right where `s := &Server{lim: lim}` was built (or
                # by a constructor given lim): the callback reads back through the value it is set on
                if _built_keeping(g, x, back, E.make_ident(v)) or self._made_keeping(g, x, v, back):
                    continue
                return False
            param = E.ident(value)
            params = [pn for pn, _t in g.facts.params]
            if base is None and param in params and self._constructed_then_tied_back(g, params.index(param), back):
                continue  # `obs := &usage{}; st := NewStore(3, obs); obs.store = st`
            if param is None or param not in params or f"{g.pkg.path}#{g.facts.recv}" != named:
                return False
            at = params.index(param)
            callers = p.callers(g)
            if not callers:
                return False
            for caller, call in callers:
                v = E.ident(E.selector_base(call.fn))
                arg = call.args[at] if at < len(call.args) else None
                sel = E.selector(arg) if arg is not None else None
                if v is not None and self._literal_keeping(caller, arg, v, back, method):
                    continue  # `reg.SetAdmission(zoneSpread{peers: reg})`: built right there over v
                if sel is None and E.ident(arg) is not None:
                    # `reg.Watch(bal)`: the value itself, called through the field's interface
                    x, kind = E.ident(arg), method.facts.recv
                    if self._of_another_type(caller, arg, method):
                        continue  # `b.Subscribe("orders", audit)`: registers another implementation
                elif sel is not None and sel[1] == method.facts.name:
                    x, kind = E.ident(sel[0]), None
                else:
                    return False
                if v is None or x is None or not self._made_keeping(caller, x, v, back, kind):
                    return False
        return True

    def _constructed_then_tied_back(self, g: Function, at: int, back: str) -> bool:
        """Every caller of the constructor g passes, for its parameter at, a local x that it then
        points back at what g built: `st := NewStore(3, obs)` and `obs.store = st` (each name
        assigned once in the caller)."""
        callers = self.program.callers(g)
        if not callers:
            return False
        for caller, call in callers:
            x = E.ident(call.args[at]) if at < len(call.args) and call.mode == "plain" else None
            ops = caller.facts.ops
            number = next((k for k, o in enumerate(ops) if o is call), -1)
            built = next(
                (
                    E.ident(o.targets[0])
                    for o in ops
                    if o.kind == "assign" and len(o.args) == 1 and o.targets and E.call_number(o.args[0]) == number
                ),
                None,
            )
            if x is None or built is None or len(list(assignments_to(caller, built))) != 1:
                return False
            ties = [
                o
                for o in ops
                if o.kind == "assign"
                and len(o.targets) == 1
                and len(o.args) == 1
                and E.is_ident(o.args[0], built)
                and (sel := E.selector(o.targets[0])) is not None
                and E.is_ident(sel[0], x)
                and sel[1] == back
            ]
            if len(ties) != 1 or len(list(assignments_to(caller, x))) != 1:
                return False
        return True

    def _literal_keeping(self, fn: Function, arg, v: str, back: str, method: Function) -> bool:
        """arg is a composite literal of method's receiver type keeping v in the field `back`
        (`zoneSpread{peers: reg, perZone: 2}`, or its address)."""
        comp = E.composite(E.strip_address(arg)) if arg is not None else None
        if comp is None:
            return False
        t = self.program.type_of(fn, E.strip_address(arg))
        named = self.program.named(t) if t else None
        if named != f"{method.pkg.path}#{method.facts.recv}":
            return False
        return any(E.ident(key) == back and E.is_ident(val, v) for key, val in comp[1])

    def stored_where_called(self, fn: Function, op: Op, method: Function) -> bool:
        """The interface value op calls through comes from a field of a type of the tree (itself,
        `t.listener`, or ranged from it, `for _, l := range t.listeners`), and some write of that
        field stores a value of method's receiver type: directly, or as the argument of a method
        (`t.Listen(r)`) whose callers pass one. Without that, the implementation is only one the
        interface admits (`m.vals.Get(...)` where every value stored is another type's)."""
        sel = E.selector(op.fn)
        if sel is None:
            return False
        field = E.selector(sel[0])
        name = E.ident(sel[0])
        if field is None and name is not None:
            for o, _i in assignments_to(fn, name):
                ranged = E.ranged(o.args[0]) if len(o.args) == 1 and E.is_ident(o.targets[-1], name) else None
                while (indexed := E.index(ranged)) is not None:
                    ranged = indexed[0]
                field = E.selector(ranged) if ranged is not None else None
                if field is not None:
                    break
        if field is None:
            return False
        p = self.program
        base_type = p.type_of(fn, field[0])
        named = p.named(base_type) if base_type else None
        if named is None:
            return False
        wanted = f"{method.pkg.path}#{method.facts.recv}"
        for g, _base, value in p.field_value_writes(named, field[1]):
            appended = E.call(value)
            if appended is not None and E.is_ident(appended[0], "append") and len(appended[1]) == 2:
                value = appended[1][1]  # `s.Rooms = append(s.Rooms, room)`: the element stored
            t = p.type_of(g, value)
            if t and p.named(t) == wanted:
                return True
            param = E.ident(value)
            params = [pn for pn, _t in g.facts.params]
            if param is None or param not in params:
                continue
            at = params.index(param)
            for caller, call in p.callers(g):
                arg = call.args[at] if at < len(call.args) else None
                t = p.type_of(caller, arg) if arg is not None else None
                if t and p.named(t) == wanted:
                    return True
        return False

    def _of_another_type(self, fn: Function, value, method: Function) -> bool:
        """The value's type is known, and is not the method's receiver type: what it registers is
        another implementation, which does not run `method`."""
        t = self.program.type_of(fn, value)
        named = self.program.named(t) if t else None
        return named is not None and named != f"{method.pkg.path}#{method.facts.recv}"

    def _made_keeping(self, fn: Function, x: str, v: str, back: str, kind: str | None = None) -> bool:
        """The local x of fn is given once, by a call of one function of the tree passing v, that
        returns a composite keeping that parameter in the field `back` (`&Logger{counter: c}`); with
        kind, a composite of that type of the maker's package (the method's receiver type)."""
        given = [o for o, _i in assignments_to(fn, x)]
        if len(given) != 1 or len(given[0].args) != 1:
            return False
        c = E.call(given[0].args[0])
        if c is None:
            return False
        number = E.call_number(given[0].args[0])
        call = fn.facts.ops[number] if number is not None and 0 <= number < len(fn.facts.ops) else None
        targets = self.program.resolve_call(fn, call) if call is not None and call.kind == "call" else []
        if len(targets) != 1 or targets[0].via:
            return False
        maker = targets[0].function
        at = [k for k, a in enumerate(c[1]) if E.is_ident(a, v)]
        params = [pn for pn, _t in maker.facts.params]
        if len(at) != 1 or at[0] >= len(params):
            return False
        kept = params[at[0]]
        returns = [o for o in maker.facts.ops if o.kind == "return" and o.args]
        return bool(returns) and all(
            any(
                E.is_ident(val, kept) and E.ident(key) == back
                for key, val in E.composite_items(E.strip_address(r.args[0]))
            )
            and (kind is None or (E.composite(E.strip_address(r.args[0])) or ("",))[0] == kind)
            for r in returns
        )

    def _element_of_receiver_field(self, fn: Function, name: str) -> bool:
        """The local `name` is given its value once, by a range over, or an index into, a field of fn's
        receiver."""
        values = [o.args[0] if len(o.args) == 1 else None for o, _i in assignments_to(fn, name)]
        if len(values) != 1 or values[0] is None:
            return False
        expr = E.ranged(values[0]) or values[0]
        indexed = E.index(expr)
        if indexed is not None:
            expr = indexed[0]
        base = E.selector(expr)
        return base is not None and E.is_ident(base[0], fn.facts.recv_name)

    def _field_binds_keeper_method(self, named: str, field: str, method: Function, owner: str) -> bool:
        """Every write of named.field is `t.field = r.<method>` in a method of `owner` with receiver r,
        t a local that the method stores into a field of r (`r.queue = append(r.queue, t)`)."""
        writes = self.program.field_value_writes(named, field)
        if not writes:
            return False
        for g, base, value in writes:
            bound = E.selector(value)
            local = E.ident(base) if base is not None else None
            recv = g.facts.recv_name
            if bound is None or local is None or not recv or g.parent is not None:
                return False
            if not E.is_ident(bound[0], recv) or bound[1] != method.facts.name:
                return False
            if f"{g.pkg.path}#{g.facts.recv}" != owner or not self._kept_in_receiver_field(g, local):
                return False
        return True

    @staticmethod
    def _kept_in_receiver_field(g: Function, local: str) -> bool:
        """g stores the local into a field of its receiver: `r.f = append(r.f, local)`, `r.f[k] = local`."""
        recv = g.facts.recv_name
        for o in g.facts.ops:
            if o.kind != "assign" or len(o.targets) != len(o.args):
                continue
            for t, v in zip(o.targets, o.args, strict=True):
                indexed = E.index(t)
                target = indexed[0] if indexed is not None else t
                sel = E.selector(target)
                if sel is None or not E.is_ident(sel[0], recv):
                    continue
                if E.is_ident(v, local) or (
                    E.is_ident(E.callee(v), "append") and any(E.is_ident(a, local) for a in E.call_args(v)[1:])
                ):
                    return True
        return False

    def _bound_by_owner_keeping(self, named: str, field: str, method: Function, back: str) -> bool:
        """Every write of named.field is a constructor's parameter (`&Cache{onEvict: onEvict}`), and
        every call of that constructor passes `x.<method>` and is stored straight into `x.<back>`."""
        writes = self.program.field_value_writes(named, field)
        if not writes:
            return False
        for g, base, value in writes:
            name = E.ident(value)
            params = [pn for pn, _t in g.facts.params]
            if name is None or name not in params:
                return False
            index = params.index(name)
            callers = self.program.callers(g)
            if not callers:
                return False
            for caller, call in callers:
                arg = call.args[index] if index < len(call.args) else None
                bound = E.selector(arg) if arg is not None else None
                owner = E.ident(bound[0]) if bound is not None else None
                if bound is None or owner is None or bound[1] != method.facts.name:
                    return False
                if _stored_into(caller, call, owner, back):
                    continue
                # a setter on the value itself: `cache.SetLoader(exp.load)` with `exp := &expander{cache:
                # cache}`, the setter writing its receiver's field (`c.load = l`)
                receiver = E.selector(call.fn)
                setter = g.facts.recv_name and base is not None and E.is_ident(base, g.facts.recv_name)
                if not setter or receiver is None or not _built_keeping(caller, owner, back, receiver[0]):
                    return False
        return True

    def _receiver_field_called(self, fn: Function, op: Op) -> str | None:
        """The field of fn's receiver a call's function value comes from: `l.cb(...)`, `l.rules[i](...)`,
        or a local given once from one of those or by a range over the field."""
        recv = fn.facts.recv_name
        expr = op.fn
        base = E.selector_base(expr)
        on_field = E.selector(base)
        if E.ident(base) is not None and not E.is_ident(base, recv) and self.program.interface_width(fn, op) > 0:
            expr = base  # `w.ServiceChanged(s)` on a watcher ranged from a field: the value the method runs on
        elif on_field is not None and E.is_ident(on_field[0], recv) and self.program.interface_width(fn, op) > 0:
            return on_field[1]  # `r.admission.Admit(i)`: the implementation the field holds
        # `l.rules[i](t)`, or a local given once (`for _, hs := range b.subs { for _, h := range hs {
        # h.Handle(m) } }`): strip indexes, then follow the local's one value, a few steps at most
        for step in range(4):
            while (indexed := E.index(expr)) is not None:
                expr = indexed[0]
            name = E.ident(expr)
            if name is None or name == recv or step == 3:
                break
            values = []
            for o, i in assignments_to(fn, name):
                values.append(o.args[0] if len(o.args) == 1 else o.args[i] if len(o.args) == len(o.targets) else None)
            if len(values) != 1 or values[0] is None:
                return None
            expr = values[0]
            ranged = E.ranged(expr)
            if ranged is not None:
                expr = ranged
        sel = E.selector(expr)
        return sel[1] if sel is not None and E.is_ident(sel[0], recv) else None

    def _field_binds_own_method(self, named: str, field: str, method: Function) -> bool:
        """Every write of the field that holds a method value of `method` binds it to the value whose
        field is written (`l.rules = append(l.rules, l.check)`, `l.rules = []rule{l.check}`), and one
        does. The writes are the link's (`field_value_writes`): the ones it resolved the call through."""
        bound = False
        name = method.facts.name
        for _g, base, value in self.program.field_value_writes(named, field):
            for x in E.subexprs(value):
                sel = E.selector(x)
                if sel is None or sel[1] != name:
                    continue
                if base is None or E.ident(sel[0]) is None or sel[0] != base:
                    return False
                bound = True
        return bound

    def _callers_pass_own_method(self, fn: Function, index: int, method: Function) -> bool:
        """Every caller of fn passes, at index, `x.<method>` with x the value it calls fn on."""
        callers = self.program.callers(fn)
        if not callers:
            return False
        for caller, call in callers:
            recv = E.selector(call.fn)
            value = E.selector(call.args[index]) if index < len(call.args) else None
            if recv is None or value is None or value[1] != method.facts.name:
                return False
            here = self.instance(caller, recv[0])
            if here is None or here != self.instance(caller, value[0]):
                return False
        return True

    def _stored_in_field(self, parent: Function, op: Op, lit: Function) -> set[tuple]:
        """(v's instance path, v's named type) for `v.f = lit`: a callback field of v holding the
        literal; v may be a path of fields (`ts.cache.OnEvict = func() {...}`).

        A call of `v.f(...)` in a method of v runs the literal; where the
        literal locks through v, it is the method's receiver it locks.
        """
        out: set[tuple] = set()
        p = self.program
        if len(op.targets) != len(op.args):
            return out
        for target, value in zip(op.targets, op.args, strict=True):
            i = E.funclit(value)
            sel = E.selector(target)
            if i is None or sel is None or p.literal(parent, i) is not lit:
                continue
            base = self.instance(parent, sel[0])
            t = p.type_of(parent, sel[0]) if base is not None else None
            named = p.named(t) if t else None
            if base is not None and named is not None:
                out.add((tuple(base), named))
        return out

    def _registered_implementation(self, fn: Function, method: Function, lock: Lock) -> tuple | None:
        """For a method of P locking `p.f.<rest>`, where some `x.g = append(x.g, &P{f: x})` stores P into the very
        value its field f points to, x of fn's receiver type: `<rest>`."""
        inst = lock.inst
        recv_type = self._receiver_type(fn)
        if inst is None or len(inst) < 3 or inst[0] != ("name", method.id, method.facts.recv_name):
            return None
        impl = self.program.named(f"{method.pkg.path}#{method.facts.recv}")
        ft = self.program.field_type(impl, inst[1]) if impl else None
        if impl is None or ft is None or recv_type is None or not self._holds(self.program.named(ft[0]), recv_type):
            return None
        for g, op, holder in self._composites_of(impl, inst[1]):
            if self._stored_into(g, op, holder):
                return inst[2:]
        return None

    def _composites_of(self, named: str, fname: str) -> list[tuple[Function, Op, Any]]:
        """(function, op, value of field fname) for each `T{fname: value}` (T = named) among an op's arguments."""
        if self._composites is None:
            index: dict[tuple[str, str], list] = {}
            p = self.program
            for g in p.functions:
                for op in g.facts.ops:
                    if op.kind not in ("call", "assign"):
                        continue
                    for arg in op.args:
                        for e in E.subexprs(arg):
                            comp = E.composite(e)
                            if comp is None or not comp[0]:
                                continue
                            t = p.named(p.qualify(comp[0], g.file))
                            for key, value in comp[1]:
                                k = E.ident(key)
                                if t and k and E.is_name_or_selector(E.strip_address(value)):
                                    index.setdefault((t, k), []).append((g, op, value))
            self._composites = index
        return self._composites.get((named, fname), [])

    def _stored_into(self, g: Function, op: Op, holder) -> bool:
        """op stores what it builds into the value `holder` names: `holder.f = ...` or a call of holder's method."""
        base = self.instance(g, holder)
        if base is None:
            return False
        if op.kind == "assign":
            if any((sel := E.selector(t)) is not None and self.instance(g, sel[0]) == base for t in op.targets):
                return True
            return self._registered_local(g, op, base)
        sel = E.selector(op.fn)
        return sel is not None and self.instance(g, sel[0]) == base

    def _registered_local(self, g: Function, op: Op, base) -> bool:
        """`v := &P{f: holder}` and later `holder.Watch(v)`: the value built into a local is handed to a
        method of the very value its field holds."""
        name = E.ident(op.targets[0]) if len(op.targets) == 1 and len(op.args) == 1 else None
        if name is None or E.composite(E.strip_address(op.args[0])) is None:
            return False
        ops = g.facts.ops
        for later in ops[ops.index(op) + 1 :]:
            if later.kind == "assign" and E.make_ident(name) in later.targets:
                return False  # the local now names another value
            if later.kind != "call" or not any(E.is_ident(a, name) for a in later.args):
                continue
            sel = E.selector(later.fn)
            if sel is not None and self.instance(g, sel[0]) == base:
                return True
        return False

    def _receiver_type(self, fn: Function) -> str | None:
        f = fn.facts
        return self.program.named(f"{fn.pkg.path}#{f.recv}") if f.recv else None

    # ---- summaries -------------------------------------------------------------
    def summary(self, fn: Function) -> Summary:
        done = self.summaries.get(fn.id)
        if done is not None:
            return done
        if fn.id in self._running:
            self.debug["GIM10x_recursive_calls"] += 1
            return self._entry_summary(fn)
        if self._depth > MAX_DEPTH:
            self.debug["GIM10x_calls_too_deep"] += 1
            return Summary()
        self._running.add(fn.id)
        self._depth += 1
        try:
            s = self._lock_free(fn)
            if s is None:
                s = _Walk(self, fn).run()
        finally:
            self._depth -= 1
            self._running.discard(fn.id)
        self.summaries[fn.id] = s
        return s

    def call_targets(self, fn: Function, op: Op) -> list:
        targets = self.program.resolve_call(fn, op)
        if len(targets) > 1:
            return self._narrowed_by_receiver(fn, op, targets)
        if targets or op.mode != "plain" or not any(E.funclit(a) is not None for a in op.args):
            return targets
        # `re.ReplaceAllStringFunc(v, func(m string) string { ... c.Get(m) ... })`: a library function
        # that calls the literal it is given before it returns, on this goroutine
        ext = self.program.external_callee(fn, op.fn)
        if ext is None or ext.qualname not in SYNCHRONOUS_CALLBACKS:
            return targets
        lits = [self.program.literal(fn, n) for a in op.args if (n := E.funclit(a)) is not None]
        return [Target(lit) for lit in lits if lit is not None]

    def _narrowed_by_receiver(self, fn: Function, op: Op, targets: list) -> list:
        """An interface call's implementations, narrowed to the concrete types its receiver can hold:
        a parameter every caller passes a value of a concrete type of the tree for (`w.Dispatch(truck,
        order)` calling `to.Put`), or an interface field every write of which stores such a value
        (`&Truck{home: wh}` calling `t.home.Put`). Unchanged when any of those is not known."""
        key = id(op) << 32 | fn.id
        cached = self._narrowed.get(key)
        if cached is not None and cached[0] is op:
            return cached[1]
        out = targets
        if all(t.via.startswith("interface") for t in targets):
            concrete = self._receiver_types(fn, op)
            if concrete:
                out = self.program.of_types(targets, concrete) or targets
        self._narrowed[key] = (op, out)
        return out

    def _receiver_types(self, fn: Function, op: Op) -> set[str] | None:
        base = E.selector_base(op.fn)
        name = E.ident(base)
        program = self.program
        if name is not None:
            params = [p for p, _t in fn.facts.params]
            if name not in params or program.declaring_function(fn, name) is not fn:
                return None
            if any(o.kind == "assign" and any(E.is_ident(t, name) for t in o.targets) for o in fn.facts.ops):
                return None
            index = params.index(name)
            callers = program.callers(fn)
            if not callers:
                return None
            out = set()
            for caller, call in callers:
                t = self.program.concrete_type(caller, call.args[index]) if index < len(call.args) else None
                if t is None:
                    return None
                out.add(t)
            return out
        sel = E.selector(base)
        if sel is None:
            return None
        bt = program.type_of(fn, sel[0])
        named = program.named(bt) if bt else None
        ft = program.field_type(named, sel[1]) if named else None
        field_named = program.named(ft[0]) if ft else None
        if ft is None or field_named is None or not program.is_interface(field_named):
            return None
        return self._field_types(ft[1], sel[1])

    def _field_types(self, owner: str, fname: str) -> set[str] | None:
        """The concrete types every write of the interface field `owner.fname` stores (assignments to
        `x.fname` on values of owner, keyed literals of owner); None when any is not known. The
        writes of every interface field are indexed in one pass over the program, on first use."""
        if self._field_type_answers is None:
            self._field_type_answers = self._index_interface_field_writes()
        return self._field_type_answers.get((owner, fname))

    def _index_interface_field_writes(self) -> dict[tuple[str, str], set[str] | None]:
        """(owner, field) -> the concrete types written to it (None once any is not known), for the
        struct fields of the tree declared with an interface type."""
        program = self.program
        names: set[str] = set()
        for pkg in program.packages.values():
            for t, ff in pkg.types.values():
                if t.kind != "struct":
                    continue
                for fname, ftype, _emb in t.members:
                    named = program.named(program.qualify(ftype, ff))
                    if named is not None and program.is_interface(named):
                        names.add(fname)
        out: dict[tuple[str, str], set[str] | None] = {}
        if not names:
            return out
        for f in program.functions:
            for o in f.facts.ops:
                if o.kind == "assign" and len(o.args) == len(o.targets):
                    for t, v in zip(o.targets, o.args, strict=True):
                        fname = E.selected_name(t)
                        if fname not in names:
                            continue
                        bt = program.type_of(f, E.selector_base(t))
                        owner = program.named(bt) if bt else None
                        if owner is not None:
                            key = (owner, fname)
                            out[key] = _add_type(out.get(key, set()), self.program.concrete_type(f, v))
                if o.kind not in ("assign", "call", "return"):
                    continue
                for comp, ctype in E.composites_in_each(o.args, program.elem):
                    items = E.composite_items(comp)
                    if not ctype or not any(E.ident(k) in names for k, _v in items):
                        continue
                    owner = program.named(program.qualify(ctype, f.file))
                    if owner is None:
                        continue
                    for k, v in items:
                        fname = E.ident(k)
                        if fname in names:
                            key = (owner, fname)
                            out[key] = _add_type(out.get(key, set()), self.program.concrete_type(f, v))
        return out

    def synchronous_method_value(self, fn: Function, op: Op) -> tuple | None:
        """(the argument, its method) when op calls a library function that runs its callback before it
        returns (SYNCHRONOUS_CALLBACKS) with a method value of the tree (`os.Expand(raw, s.resolve)`);
        None otherwise, or for literals, which call_targets hands over."""
        if op.kind != "call" or op.mode != "plain" or not op.args:
            return None
        if E.selected_name(op.fn) not in _SYNCHRONOUS_NAMES:
            return None
        ext = self.program.external_callee(fn, op.fn)
        if ext is None or ext.qualname not in SYNCHRONOUS_CALLBACKS:
            return None
        for a in op.args:
            if E.selector(a) is None:
                continue
            values = self.program.func_values(fn, a)
            if len(values) == 1 and values[0].function.facts.recv_name:
                return a, values[0].function
        return None

    def _entry_summary(self, fn: Function) -> Summary:
        """For a call back into fn while fn's own walk is under way (recursion: `Resolve` calls `follow`,
        which calls `Resolve`): the locks fn takes first, on its straight line before anything that could
        branch or call, which every run of fn takes. Nothing else is known of it yet."""
        acquires: list[Acquire] = []
        for op in fn.facts.ops:
            if op.region != 0 or op.kind != "call":
                break
            name = E.selected_name(op.fn)
            if op.mode == "defer" and name in RELEASE:
                continue  # `defer mu.RUnlock()`: released at its return, after what follows
            found = self.lock_of(fn, op) if name is not None and name in ACQUIRE and op.mode == "plain" else None
            if found is None or name is None:
                break
            acquires.append(Acquire(found[0], ACQUIRE[name], fn, op, (), found[1]))
        return Summary(acquires=acquires)

    def handed_to_other_code(self) -> set[int]:
        """Functions passed by name or as method values to calls into other packages (`time.AfterFunc(d, s.check)`).

        The other code may run them on a goroutine of its own: such a root is
        evidence of concurrency, unlike one reached through a table we cannot see.
        """
        if self._handed is None:
            p = self.program
            handed: set[int] = set()
            for fn in p.functions:
                for op in fn.facts.ops:
                    if op.kind != "call" or not op.args:
                        continue
                    named = [a for a in op.args if E.selector(a) is not None or E.ident(a) in fn.pkg.funcs]
                    if not named or p.external_callee(fn, op.fn) is None:
                        continue
                    for arg in named:
                        # `s.check` names the method as a call would: resolve it like a callee
                        handed.update(t.function.id for t in p.resolve_expr_call(fn, arg))
            self._handed = handed
        return self._handed

    def is_once_do(self, fn: Function, op: Op) -> bool:
        """op is `o.Do(f)` on a `sync.Once`: it runs f there (the first time)."""
        sel = E.selector(op.fn)
        if sel is None or sel[1] != "Do" or len(op.args) != 1:
            return False
        return (self.program.type_of(fn, sel[0]) or "").lstrip("*") == "sync#Once"

    def unlocker_parameter(self, f: Function) -> int | None:
        """f returns a closure that unlocks f's parameter k, and only that: k, else None.

        `func unlockOnce(l sync.Locker) func() { var once sync.Once; return func() { once.Do(l.Unlock) } }`:
        calling what it returns releases the lock its caller passed (miekg/dns server.go).
        """
        if f.id in self._unlockers:
            return self._unlockers[f.id]
        self._unlockers[f.id] = None
        returns = [o for o in f.facts.ops if o.kind == "return"]
        lit_no = E.funclit(returns[0].args[0]) if len(returns) == 1 and len(returns[0].args) == 1 else None
        lit = self.program.literal(f, lit_no) if lit_no is not None else None
        if lit is None or len(f.facts.results) != 1:
            return None
        params = [name for name, _t in f.facts.params]
        found: set[int] = set()
        for o in lit.facts.ops:
            if o.kind != "call":
                continue
            released = E.selector(o.fn)  # `l.Unlock()`
            if self.is_once_do(lit, o):
                released = E.selector(o.args[0])  # `once.Do(l.Unlock)`
            if released is None or released[1] not in RELEASE:
                continue
            base = E.ident(released[0])
            if base not in params:
                return None
            found.add(params.index(base))
        result = found.pop() if len(found) == 1 else None
        self._unlockers[f.id] = result
        return result

    def returns_its_unlock(self, f: Function, position: int = 0) -> bool:
        """Every `return` of f hands back, as its result at `position`, the `Unlock` (or `RUnlock`)
        method value of a lock f still holds there: `m := &s.locks[i]; m.Lock(); return m.Unlock`,
        or `r.mut.Lock(); return r.now(), r.mut.Unlock`. Calling what it returns releases what f's
        summary holds on return (`defer s.LockFor(id)()`, `now, unlock := r.lockNow(); defer
        unlock()`)."""
        returns = [o for o in f.facts.ops if o.kind == "return"]
        results = len(f.facts.results)
        if not returns or position >= results or not self.summary(f).held_on_return:
            return False
        for r in returns:
            sel = E.selector(r.args[position]) if len(r.args) == results else None
            if sel is None or sel[1] not in RELEASE:
                return False
            held = self.lock_at(f, sel[0])
            if held is None or not any(_matches(h.lock, held) for h in self.summary(f).held_on_return):
                return False
        return True

    def guard_release_fields(self, f: Function) -> frozenset[str]:
        """The func-typed fields of the guard f returns whose function releases what f still holds.

        `func (o *RWMutex) Lock(why string) Guard { o.mu.Lock(); return Guard{release: func() {
        o.mu.Unlock() }} }`: every `return` hands back, as its one result, a struct literal (or its
        address) with a function literal under those fields that releases a lock of f's
        `held_on_return`. Empty when f is not such a helper."""
        if f.id in self._guard_fields:
            return self._guard_fields[f.id]
        self._guard_fields[f.id] = frozenset()
        returns = [o for o in f.facts.ops if o.kind == "return"]
        held = self.summary(f).held_on_return if len(f.facts.results) == 1 else []
        found: set[str] = set()
        for r in returns if held else ():
            comp = E.composite(E.strip_address(r.args[0])) if len(r.args) == 1 else None
            releasing = set()
            for key, value in comp[1] if comp is not None else ():
                name, lit_no = E.ident(key), E.funclit(value)
                lit = self.program.literal(f, lit_no) if lit_no is not None else None
                if (
                    name is not None
                    and lit is not None
                    and any(_matches(h.lock, lk) for h in held for lk in self.summary(lit).releases)
                ):
                    releasing.add(name)
            if not releasing:
                return frozenset()
            found |= releasing
        result = self._guard_fields[f.id] = frozenset(found)
        return result

    def calls_own_field(self, m: Function, fields: frozenset[str], depth: int = 2) -> bool:
        """Method m calls one of `fields` of its receiver (`g.release()`), itself or through another
        method of the same receiver (`func (g Guard) RUnlock() { g.Unlock() }`)."""
        recv = m.facts.recv_name
        if not recv or m.parent is not None:
            return False
        for o in m.facts.ops:
            sel = E.selector(o.fn) if o.kind == "call" else None
            if sel is None or not E.is_ident(sel[0], recv):
                continue
            if sel[1] in fields:
                return True
            targets = self.call_targets(m, o) if depth > 0 else []
            if len(targets) == 1 and self.calls_own_field(targets[0].function, fields, depth - 1):
                return True
        return False

    def _lock_free(self, fn: Function) -> Summary | None:
        """The summary of a function that touches no lock, itself or through its calls, without walking it.

        Most functions are like that; their walk would hold nothing on any path
        and report nothing, so only the first blocking operation is worth
        finding. None when the function needs the walk.
        """
        block: tuple | None = None
        reply: tuple | None = None
        facts = fn.facts
        for op in facts.ops:
            if op.kind in ("send", "recv"):
                if self.channel_lock(fn, op) is not None:
                    return None
                if not (op.select >= 0 and _has_default(facts.regions[op.select])) and not ranges_no_channel(
                    self.program, fn, op
                ):
                    if block is None:
                        block = (fn, op, (), op.kind)
                    elif reply is None and block[3] == "send" and op.kind == "recv":
                        reply = (fn, op, (), op.kind)
                continue
            if op.kind != "call":
                continue
            name = E.selected_name(op.fn)
            if name in ACQUIRE or name in RELEASE or self.is_once_do(fn, op):
                return None
            if name in _SYNCHRONOUS_NAMES and self.synchronous_method_value(fn, op) is not None:
                return None  # `os.Expand(raw, s.resolve)`: the method value runs here; walk it
            if op.mode == "go":
                # The goroutine holds none of our locks, but values it passes in an order
                # (`go func() { transfer(a, b) }()`) are ours: the walk records that order.
                started = self.call_targets(fn, op)
                if len(started) == 1 and self.summary(started[0].function).argument_orders:
                    return None
                continue
            if name in EXTERNAL_NAMES:
                ext = self.program.external_callee(fn, op.fn)
                if ext is not None and (ext.pkg, ext.recv, ext.name) in BLOCKING_WAITS and op.mode != "defer":
                    block = block or (fn, op, (), "wait")
            targets = self.call_targets(fn, op)
            if not targets and any(self.call_targets(fn, implicit) for implicit in self.program.implicit_calls(fn, op)):
                return None  # a printing call running a method of the analysed code: walk it
            if len(targets) > 1 and (
                self.registered_target(fn, op, targets) is not None
                or self.registered_closure_target(fn, op, targets) is not None
            ):
                return None  # an implementation or a closure registered on the receiver that locks: walk it
            if len(targets) > 1 and op.mode == "plain" and self._one_locker(fn, op, targets):
                return None  # an order through the one implementation that locks: walk it for its callers
            if len(targets) != 1:
                continue
            callee = targets[0].function
            s = self.summary(callee)
            if s.acquires or s.releases or s.held_on_return or s.ordered:
                return None
            if block is None and s.block is not None and op.mode != "defer":
                op_fn, block_op, hops, kind = s.block
                block = (op_fn, block_op, (Hop(fn, op, callee), *hops), kind)
                if s.reply is not None:
                    r_fn, r_op, r_hops, r_kind = s.reply
                    reply = (r_fn, r_op, (Hop(fn, op, callee), *r_hops), r_kind)
        return Summary(block=block, reply=reply)

    def _one_locker(self, fn: Function, op: Op, targets: list) -> bool:
        """Of the wide call's implementations exactly one locks in its own body, and a value of its
        type is stored where the call reads it: the walk may find an order through it (see
        `_Walk._order_through_the_one_locker`). Read from the bodies, not from summaries: asking for
        every implementation's summary here would deepen the summaries' recursion for every
        lock-free function."""
        locking = list(
            {
                t.function.id: t.function
                for t in targets
                if any(o.kind == "call" and E.selected_name(o.fn) in ACQUIRE for o in t.function.facts.ops)
            }.values()
        )
        return len(locking) == 1 and self.stored_where_called(fn, op, locking[0])

    def _filter_ruled_out_by_arguments(self) -> None:
        """Drop double locks whose second lock sits on a path the call's constant arguments rule out.

        `purgeCheck` holds `mkdirMu` and calls `findRoot(ctx, false)`, whose `mkdir` (taking
        `mkdirMu` again) runs only after `if !create { return }`: summaries are per function, so
        the path is checked here, hop by hop, against the constants each call passes.
        """
        kept = [d for d in self.double_locks if not _hops_ruled_out(d.again)]
        self.debug["GIM104_double_locks_ruled_out_by_arguments"] = len(self.double_locks) - len(kept)
        self.double_locks = kept

    def _filter_handed_over(self) -> None:
        """Drop double locks of a mutex a goroutine literal unlocks without locking it: a signal between goroutines.

        `h.Lock(); go func() { ...; h.Unlock() }(); h.Lock()` waits, on purpose, for
        the other goroutine to unlock: the local mutex is used as a semaphore.
        Only locals captured by the literal count: a field's class spans every
        value of its type.
        """
        handed = {
            lk.cls
            for fn in self.program.functions
            if fn.go_sites and fn.parent is not None
            for lk in self.summaries.get(fn.id, Summary()).releases
            if lk.cls.startswith("local:") and lk.inst is not None and lk.inst[0][1] != fn.id
        }
        handed |= self._unlocks_handed_as_values()
        if handed:
            self.debug["GIM104_mutexes_unlocked_by_another_goroutine"] = len(handed)
            self.double_locks = [d for d in self.double_locks if d.held.lock.cls not in handed]

    def _unlocks_handed_as_values(self) -> set[str]:
        """Local mutexes whose `Unlock` is handed on as a value (`srv.NotifyStarted = m.Unlock`, `run(m.Unlock)`).

        Whoever calls it later unlocks, so a second `m.Lock()` waits for that call on purpose: the
        mutex is a start signal (miekg/dns's tests). A deferred call's method value is no hand-off.
        """
        handed: set[str] = set()
        # A local mutex's class names the function declaring it (`local:<id>:<name>`), and only that
        # function and its literals can name it: read those, for the double locks there are, rather
        # than every op of the program (7 s of GIM103's 41 on 7,500 files).
        wanted = {d.held.lock.cls for d in self.double_locks if d.held.lock.cls.startswith("local:")}
        functions = self.program.functions
        owners = [functions[int(cls.split(":")[1])] for cls in sorted(wanted)]
        scope = {f.id: f for owner in owners for f in (owner, *owner.nested_literals())}
        for fn in scope.values():
            for op in fn.facts.ops:
                if op.kind == "assign" or (op.kind == "call" and op.mode != "defer"):
                    for value in _values_within(op.args):
                        sel = E.selector(value)
                        if sel is None or sel[1] not in RELEASE:
                            continue
                        lock = self.lock_at(fn, sel[0])
                        if lock is not None and lock.cls.startswith("local:"):
                            handed.add(lock.cls)
        return handed

    def _filter_signal_holds(self) -> None:
        """Drop waits and orders under a lock a goroutine literal takes and keeps, when the function
        that starts it unlocks that lock: the mutex is a signal between the two goroutines.

        `go func() { c.mu.Lock(); close(locked); result <- c.Shutdown() }()`, then the test
        checks that `Shutdown` blocks and calls `c.mu.Unlock()` itself: the literal holds the
        lock on purpose, and what it does while holding it waits for that unlock, not for a
        partner that must lock first.
        """
        signals: set[tuple[int, str]] = set()
        for fn in self.program.functions:
            if not fn.go_sites or fn.parent is None:
                continue
            kept = {a.lock.cls for a in self.summaries.get(fn.id, Summary()).held_on_return}
            if not kept:
                continue
            starter = fn.outermost()
            for cls in kept:
                if any(
                    what == "release" and f2 is not fn and f2.outermost() is starter
                    for f2, _op, what in self.lock_ops.get(cls, ())
                ):
                    signals.add((fn.id, cls))
        if not signals:
            return
        self.debug["GIM10x_mutexes_held_as_signals"] = len(signals)
        self.blocked = [b for b in self.blocked if (b.fn.id, b.held.lock.cls) not in signals]
        self.order_edges = [e for e in self.order_edges if (e.fn.id, e.first.lock.cls) not in signals]

    def tests_starting(self, flow, root: Function, depth: int = 0) -> frozenset:
        """The test functions (`TestXxx(t *testing.T)`) that run goroutine root: itself, or the tests starting it.

        A root started by `go` belongs to the tests that reach its `go`
        statements (through calls and through the goroutines they start).
        """
        known = self._tests_of.get(root.id)
        if known is not None:
            return known
        self._tests_of[root.id] = frozenset()  # a cycle of goroutines starting each other adds nothing
        if _test_function(root):
            found = frozenset({root.id})
        elif depth > MAX_DEPTH:
            return frozenset()
        else:
            fns = self.program.functions
            found = frozenset(
                t
                for starter, _op in root.go_sites
                for r in flow.entries(starter)
                for t in self.tests_starting(flow, fns[r], depth + 1)
            )
        self._tests_of[root.id] = found
        return found

    # ---- lost unlocks: what callers say --------------------------------------------------
    def _filter_lost_unlocks(self) -> None:
        """Keep a lost unlock only when no caller releases the lock after the call (the function's contract)."""
        kept = []
        for lost in self.lost_unlocks:
            if self._caller_releases(lost.fn, lost.acq.lock.cls):
                continue
            if self._throwaway_receivers(lost):
                self.debug["GIM104_lost_unlocks_on_throwaway_receivers"] += 1
                continue
            if _lock_handed_back(lost.fn, lost.acq):
                self.debug["GIM104_locks_handed_back_to_the_caller"] = (
                    self.debug.get("GIM104_locks_handed_back_to_the_caller", 0) + 1
                )
                continue
            kept.append(lost)
        self.lost_unlocks = kept

    def _throwaway_receivers(self, lost: LostUnlock) -> bool:
        """The lock is a field of the method's receiver, and every call of the method is on a value
        just made and never kept (`rcvTLSConn(conn).read()`, where rcvTLSConn returns `&tlsConn{...}`):
        nothing can lock that instance again, so the lock left held blocks nobody."""
        fn, acq = lost.fn, lost.acq
        recv = fn.facts.recv_name
        if not recv or acq.hops or E.root_ident(E.selector_base(acq.op.fn)) != recv:
            return False
        calls = self.program.callers(fn)
        if not calls:
            return False
        for caller, call_op in calls:
            base = E.selector_base(call_op.fn) if call_op.kind == "call" else None
            if base is not None and E.is_composite_or_address(base):
                continue  # `(&tlsConn{}).read()`
            n = E.call_number(base) if base is not None else None
            if n is None or not 0 <= n < len(caller.facts.ops):
                return False
            targets = self.program.resolve_call(caller, caller.facts.ops[n])
            if not targets:
                return False
            for t in targets:
                returns = [o for o in t.function.facts.ops if o.kind == "return"]
                if not returns or not all(len(o.args) == 1 and E.is_composite_or_address(o.args[0]) for o in returns):
                    return False
        return True

    def _caller_releases(self, fn: Function, cls: str) -> bool:
        """A caller releases the lock after calling fn. For a goroutine (`go f()`) only the starter
        itself counts: its other literals run on goroutines of their own."""
        for caller, call_op in self.program.callers(fn):
            for fn2, op, what in self.lock_ops.get(cls, ()):
                if what != "release" or op.line < call_op.line:
                    continue
                if fn2 is caller if call_op.mode == "go" else fn2.outermost() is caller.outermost():
                    return True
            if call_op.mode != "go" and self._calls_release(caller, call_op, cls):
                return True
        return False

    def _calls_release(self, caller: Function, call_op: Op, cls: str) -> bool:
        """After call_op, caller calls (or defers) a function of the tree that releases a lock of
        class cls it did not take (`defer l.release()` after `l.acquire()`)."""
        for op in caller.facts.ops:
            if op.kind != "call" or op.line < call_op.line or op is call_op or op.mode == "go":
                continue
            for t in self.program.resolve_call(caller, op):
                if t.function is not caller and any(r.cls == cls for r in self.summary(t.function).releases):
                    return True
        return False


class _Walk:
    """One function's walk along its region tree: the state on every path, and its summary."""

    def __init__(self, model: LockModel, fn: Function):
        self.model = model
        self.fn = fn
        self.view: FnView = model.regions.view(fn)
        self.acquires: dict[tuple, Acquire] = {}
        self.releases: dict[tuple, Lock] = {}
        self.exits: list[tuple[int, int, State]] = []  # (line, col, state) at each return and the end
        # the deferred releases registered when each exit was walked: a `defer mu.Unlock()` written
        # after a return does not run on that return
        self.exit_defers: list[frozenset] = []
        self.break_exits: set[tuple[int, int]] = set()  # exits that are a `break` ending the function
        self.jumps: dict[tuple[str, int], list[State]] = {}  # (break/continue, region it leaves) -> states
        self.breaks: dict[int, list[tuple[Op, State]]] = {}  # loop region -> (break op, state) leaving it
        self.continues: dict[int, list[tuple[Op, State]]] = {}  # loop region -> each `continue` and its state
        self.deferred: set[tuple] = set()  # (class, instance) a `defer` releases
        self.released_classes: set[str] = set()  # classes of the caller's locks released so far
        self._branch: dict[int, bool] = {}  # region -> inside a branch
        self.gives_up = False  # goto: the walk cannot follow where paths go
        self.block: tuple | None = None
        self.reply: tuple | None = None
        # each `panic(...)` (or call of a function that panics itself) and the locks held there
        self.panics: list[tuple[Op, State, Function | None, Op | None]] = []
        # each call of a function value the caller supplies (a func-typed parameter or field), under locks
        self.callbacks: list[tuple[Op, State, str]] = []
        self.argument_orders: list[tuple[Acquire, Acquire]] = []
        self.ordered: dict[tuple, Acquire] = {}  # see Summary.ordered
        self._deferred_unlocks: list[Op] | None = None  # the function's `defer x.Unlock()`, read once
        self._fresh: dict[int, bool] = {}  # id(Lock op) -> _unpublished_fresh's answer, read once
        self._fresh_hops: dict[tuple, bool] = {}  # see _fresh_through_receivers

    def run(self) -> Summary:
        fn = self.fn
        end = self.walk_region(0, ()) if self.view.regions else self.walk_ops((), list(range(len(fn.facts.ops))))
        if end is not None:
            self.exits.append((fn.facts.end_line, 1, end))
            self.exit_defers.append(frozenset(self.deferred))
        self._lost_unlocks()
        self._panics_held()
        held_on_return: list[Acquire] = []
        if self.exits and not self.gives_up:
            final = _merge(*(s for _l, _c, s in self.exits))
            held_on_return = [h.acq for h in final or () if not self._deferred(h.acq)]
        released = {(lk.cls, lk.inst) for lk in self.releases.values()}
        acquires = [a for a in self.acquires.values() if (a.lock.cls, a.lock.inst) not in released]
        orders = self.argument_orders[:MAX_ACQUIRES]
        ordered = [a for a in self.ordered.values() if (a.lock.cls, a.lock.inst) not in released]
        return Summary(
            acquires[:MAX_ACQUIRES],
            list(self.releases.values()),
            held_on_return,
            self.block,
            self.reply,
            orders,
            ordered[:MAX_ACQUIRES],
        )

    # ---- structure -----------------------------------------------------------
    def walk_ops(self, state: State, indexes: list[int]) -> State | None:
        for i in indexes:
            after = self.op(state, self.fn.facts.ops[i])
            if after is None:
                return None
            state = after
        return state

    def walk_region(self, r: int, state: State | None) -> State | None:
        v = self.view
        done: set[int] = set()
        for _first, is_region, x in v.children.get(r, ()):
            if state is None:
                return None
            if not is_region:
                state = self.op(state, v.ops[x])
                continue
            if x in done:
                continue
            state = self.child(x, state, done)
        return state

    def child(self, r: int, state: State, done: set[int]) -> State | None:
        v = self.view
        kind = v.regions[r].kind
        if kind == "if":
            if E.literal(v.regions[r].info) == "false":
                taken = None  # `if false {`: never taken
            else:
                taken = self.walk_region(r, state)
            other = v.else_of.get(r)
            if other is None:
                return _merge(taken, state)
            done.add(other)
            return _merge(taken, self.walk_region(other, state))
        if kind == "else":
            return _merge(state, self.walk_region(r, state))  # its `if` has no ops: it passes the state on
        if kind in ("for", "range"):
            body = self.walk_region(r, state)
            self._relocked_in_loop(r, body)
            self._deferred_unlock_in_loop(r, body)
            again = _merge(body, *self.jumps.pop(("continue", r), []))
            breaks = self.jumps.pop(("break", r), [])
            if v.endless(r):
                self._breaks_ending_function(r)
                return _merge(*breaks)
            return _merge(state, again, *breaks)
        if kind in ("switch", "select"):
            return self.branches(r, state)
        return self.walk_region(r, state)

    def branches(self, r: int, state: State) -> State | None:
        v = self.view
        own = [x for _f, is_region, x in v.children.get(r, ()) if not is_region]
        entry = self.walk_ops(state, own)
        if entry is None:
            return None
        kids = v.kids.get(r, [])
        outs = [self.walk_region(k, entry) for k in kids]
        has_default = any(v.regions[k].kind == "default" for k in kids)
        if v.regions[r].kind == "switch" and not has_default:
            outs.append(entry)
        return _merge(*outs, *self.jumps.pop(("break", r), []))

    # ---- one operation ----------------------------------------------------------
    def op(self, state: State, op: Op) -> State | None:
        kind = op.kind
        if kind == "return":
            self.exits.append((op.line, op.col, state))
            self.exit_defers.append(frozenset(self.deferred))
            return None
        if kind == "jump":
            if op.mode in ("break", "continue"):
                target = self.view.jump_target(op)
                if target is not None:
                    self.jumps.setdefault((op.mode, target), []).append(state)
                    if op.mode == "break":
                        self.breaks.setdefault(target, []).append((op, state))
                    if op.mode == "continue":
                        self.continues.setdefault(target, []).append((op, state))
                    return None
            if op.mode == "goto":
                self.gives_up = True
                return None
            return state
        if kind in ("send", "recv"):
            if not (op.select >= 0 and self._select_has_default(op.select)) and not ranges_no_channel(
                self.model.program, self.fn, op
            ):
                self._blocked(state, self.fn, op, (), kind)
            found = self.model.channel_lock(self.fn, op)
            if found is None:
                return state
            lock, takes = found
            if not takes:
                return self.release(state, lock, "w", False)
            text = E.render(op.fn)
            return self.acquire(
                state, Acquire(lock, "w", self.fn, op, (), text, False, frozenset(self.released_classes))
            )
        if kind != "call":
            return state
        if op.mode == "go":
            return self.spawn(state, op)
        return self.call(state, op)

    def spawn(self, state: State, op: Op) -> State:
        """`go f()`: the new goroutine holds none of our locks, but what it unlocks is handed over to it."""
        model = self.model
        targets = model.call_targets(self.fn, op)
        if len(targets) != 1:
            return state
        callee = targets[0].function
        self.note_argument_orders(op, callee)
        for lk in model.summary(callee).releases:
            mapped = model.map_release(self.fn, op, callee, lk)
            for i in range(len(state) - 1, -1, -1):
                if _matches(state[i].acq.lock, mapped):
                    state = (*state[:i], *state[i + 1 :])
                    break
        return state

    def on_branch(self, op: Op) -> bool:
        """op sits in a branch of its function whose condition may follow the caller's locking: a
        `switch` or `select` case, or an `if`/`else` testing a parameter (`if needLock`), a nil
        comparison (`if w == nil { w = store() }`, lazy set-up) or a call's result. An `if` on the
        receiver's state or a local (`if len(s.data) > 1 { s.flush() }`) is a path the program
        takes whatever its caller holds: what is locked there counts as taken."""
        known = self._branch.get(op.region)
        if known is None:
            regions = self.view.regions
            known = self._branch[op.region] = any(
                regions[r].kind in BRANCHES and self._uncertain_branch(regions[r]) for r in self.view.chain(op.region)
            )
        if known and op.kind == "call" and self._guarded_by_own_nil_check(op):
            return False  # `if c.OnEvict != nil { c.OnEvict(k, v) }`: whenever the call runs, it locks
        return known

    def _guarded_by_own_nil_check(self, op: Op) -> bool:
        """Every uncertain branch around the call is `if f != nil` on the very function value it calls,
        or on the interface value whose method it calls (`if c.listener != nil { c.listener.Evicted(k) }`)."""
        regions = self.view.regions
        checked = [op.fn]
        if E.selector(op.fn) is not None:
            checked.append(E.selector_base(op.fn))
        for r in self.view.chain(op.region):
            reg = regions[r]
            if reg.kind not in BRANCHES or not self._uncertain_branch(reg):
                continue
            b = E.binary(reg.info) if reg.kind == "if" and E.is_expr(reg.info) else None
            if (
                b is None
                or b[0] != "!="
                or not ((b[1] in checked and E.is_nil(b[2])) or (b[2] in checked and E.is_nil(b[1])))
            ):
                return False
        return True

    def _uncertain_branch(self, region) -> bool:
        if region.kind not in ("if", "else") or region.info is None:
            return True
        cond = region.info
        while (inner := E.unary_operand(cond, "!")) is not None:
            cond = inner
        if E.ident(cond) is not None or E.selector(cond) is not None:
            return True  # a flag (`if needLock`, `if !c.locked`): it may say what the caller holds
        for x in E.subexprs(cond):
            called = E.call(x)
            if called is not None and not _is_len(x) and not self._atomic_call(x):
                if (
                    E.is_builtin_callee(called[0], BUILTIN_TYPES)
                    and self.model.program.lookup_local(self.fn, E.ident(called[0]) or "") is None
                ):
                    continue  # `string(m.Payload) == "offline"`: a conversion (or builtin) of a value
                return True
            b = E.binary(x)
            if b is not None and b[0] in ("==", "!=") and (E.is_nil(b[1]) or E.is_nil(b[2])):
                return True
        return False

    def _atomic_call(self, x) -> bool:
        """x is a `sync/atomic` function or a method of one of its types (`atomic.CompareAndSwapInt32(
        &s.closed, 0, 1)`, `s.closed.Load()`): the value's own state, not what its caller holds."""
        program = self.model.program
        callee = E.call(x)[0]  # type: ignore[index]
        sel = E.selector(callee)
        if sel is None:
            return False
        if program.imported_path(self.fn, sel[0]) == "sync/atomic":
            return True
        t = program.type_of(self.fn, sel[0]) or ""
        return t.lstrip("*").startswith(("atomic.", "sync/atomic#"))

    def _after_first_iteration(self, op: Op) -> bool:
        """op sits under `if i > 0 {` (or `i != 0`, `i >= 1`) where i is the counter the innermost
        `for` around it tests: a branch the loop's first iteration does not take."""
        facts = self.fn.facts
        chain = list(enclosing_regions(facts, op.region))
        loop = next((r for r in chain if facts.regions[r].kind == "for"), None)
        if loop is None or not E.is_expr(facts.regions[loop].info):
            return False
        for r in chain:
            if r == loop:
                return False
            reg = facts.regions[r]
            b = E.binary(reg.info) if reg.kind == "if" and E.is_expr(reg.info) else None
            if b is None:
                continue
            opname, left, right = b
            counter = E.ident(left)
            limit = E.integer(right) if E.is_int_literal(right) else None
            later = (opname in (">", "!=") and limit == 0) or (opname == ">=" and limit == 1)
            if later and counter is not None and E.occurs_in(facts.regions[loop].info, E.make_ident(counter)):
                return True
        return False

    def _select_has_default(self, r: int) -> bool:
        return _has_default(self.view.regions[r])

    def call(self, state: State, op: Op) -> State | None:
        model, fn = self.model, self.fn
        name = E.selected_name(op.fn)
        if E.is_ident(op.fn, "panic") and model.program.declaring_function(fn, "panic") is None:
            if op.mode == "defer":
                return state  # `defer panic(r)`: it runs at the exit, with what that exit holds
            self.panics.append((op, state, None, None))
            return None
        if name in ACQUIRE or name in RELEASE:
            found = model.lock_of(fn, op)
            if found is not None:
                lock, text = found
                if lock.cls not in model.lock_names:
                    local = lock.cls.startswith(("local:", "param:"))
                    model.lock_names[lock.cls] = f"{lock.label} in {fn.short}" if local else lock.label
                if name in ACQUIRE:
                    model.lock_ops.setdefault(lock.cls, []).append((fn, op, "acquire"))
                    if op.mode == "defer":
                        self._deferred_acquire(state, op, lock, name, text)
                        return state
                    if any(h.acq.lock.same(lock) for h in state) and self._after_first_iteration(op):
                        # `mu.Lock(); for i := 0; ...; i++ { if i > 0 { mu.Lock() }; ...; mu.Unlock() }`:
                        # taken again only on later iterations, after the one before released it.
                        return state
                    acq = Acquire(lock, ACQUIRE[name], fn, op, (), text, False, frozenset(self.released_classes))
                    return self.acquire(state, acq)
                model.lock_ops.setdefault(lock.cls, []).append((fn, op, "release"))
                return self.release(state, lock, RELEASE[name], op.mode == "defer")
        if call_exit(model.program, fn, op) == PROCESS:
            return None  # the process ends here: no lock matters any more, and nothing after runs
        ext = model.program.external_callee(fn, op.fn) if name in EXTERNAL_NAMES else None
        if ext is not None:
            if (ext.pkg, ext.recv, ext.name) in BLOCKING_WAITS and op.mode != "defer":
                self._blocked(state, fn, op, (), "wait")
            return state
        unlocked = self._unlocker_call(op)
        if unlocked is not None:
            model.lock_ops.setdefault(unlocked.cls, []).append((fn, op, "release"))
            return self.release(state, unlocked, None, op.mode == "defer")
        returned = self._returned_unlock(op)
        if returned is not None:
            # `defer s.LockFor(id)()`, or `unlock := s.LockFor(id); ...; unlock()`: the helper's own
            # unlock, handed back, releases what the helper left held.
            helper, made = returned
            for a in model.summary(helper).held_on_return:
                state = self.release(state, model.map_lock(fn, made, helper, a.lock), None, op.mode == "defer")
            return state
        method_value = model.synchronous_method_value(fn, op)
        if method_value is not None:
            # `os.Expand(raw, s.resolve)`: the library calls the method value before it returns, on this
            # goroutine; mapped as the call `s.resolve()` here, so that its receiver is s.
            run = Op("call", op.line, op.col, op.region, method_value[0], (), op.mode)
            return self.through(state, run, method_value[1])
        if model.is_once_do(fn, op):
            # `o.Do(f)` runs f here, the first time: what f locks is locked here.
            sel = E.selector(op.args[0])
            once_unlocked = model.lock_at(fn, sel[0]) if sel is not None and sel[1] in RELEASE else None
            if sel is not None and once_unlocked is not None:
                # `defer once.Do(mu.Unlock)` beside an early `once.Do(mu.Unlock)`: released, once.
                model.lock_ops.setdefault(once_unlocked.cls, []).append((fn, op, "release"))
                return self.release(state, once_unlocked, RELEASE[sel[1]], op.mode == "defer")
            values = model.program.func_values(fn, op.args[0])
            if len(values) != 1:
                return state
            # Mapped as the call `f()` at this place, so that a method value's receiver (`c.load`) is f's.
            run = Op("call", op.line, op.col, op.region, op.args[0], (), op.mode)
            return self.through(state, run, values[0].function, once=True)
        targets = model.call_targets(fn, op)
        if op.mode == "plain" and state:
            callback = _supplied_function(model.program, fn, op)
            if callback is not None:
                self.callbacks.append((op, state, callback))
        if len(targets) == 1 and op.mode == "plain" and state:
            thrown = model.own_panic(targets[0].function)
            if thrown is not None and _panic_ruled_out(model.program, fn, op, targets[0].function, thrown):
                thrown = None  # `writeRecord(..., subRecMsg)`: the panic is the `default` of a switch on it
            if thrown is not None:
                # `usd := toUSD(p.rates, pay)` under p.mu, where toUSD panics for an unknown currency.
                self.panics.append((op, state, targets[0].function, thrown))
        if not targets:
            # `fmt.Sprintf("%v", p)` runs `p.String()`: what it locks is locked here.
            printed: State | None = state
            for implicit in model.program.implicit_calls(fn, op):
                printed = self.call(printed, implicit) if printed is not None else None
            return printed
        if len(targets) > 1:
            # Which one runs is a guess: none of their locks is taken for sure, but any may be released.
            model.debug["GIM10x_wide_calls"] += 1
            for t in targets:
                for lk in model.summary(t.function).releases:
                    state = self.release(state, model.map_release(fn, op, t.function, lk), None, op.mode == "defer")
            registered = model.registered_target(fn, op, targets)
            if registered is not None and state is not None:
                # The one implementation that locks was registered on this very value (`s.Watch(&gauge{s})`):
                # when it is among the observers called here, its locks are this value's.
                model.debug["GIM10x_wide_calls_to_a_registered_implementation"] += 1
                return self.through(state, op, registered)
            own = model.own_method_target(fn, op, targets) if state is not None else None
            if own is not None:
                # The one target that locks is a method the receiver stored in the field the call
                # reads (`l.rules = []Rule{..., l.sufficientFunds}`; `for _, r := range l.rules { r(t) }`).
                model.debug["GIM10x_wide_calls_to_own_methods_in_fields"] += 1
                return self.through(state, op, own)
            closure = model.registered_closure_target(fn, op, targets) if state is not None else None
            if closure is not None:
                # The one callback that locks was handed to the call that built this very value, and
                # locks through it (`first = hub.Subscribe(p, func(m) { first.Cancel() })`, run by
                # `s.handler(m)`): when it runs here, its locks are the receiver's.
                model.debug["GIM10x_wide_calls_to_closures_registered_on_the_receiver"] += 1
                return self.through(state, op, closure)
            taker = model.argument_target(fn, op, targets) if state is not None else None
            if taker is not None:
                # The one implementation that locks takes the lock of a value this call hands it
                # (`h.OnPut(key, s)`, a hook calling `s.Len()`): when it runs, it locks that value.
                model.debug["GIM10x_wide_calls_locking_an_argument"] += 1
                return self.through(state, op, taker)
            doing = [t for t in targets if t.function.facts.ops or t.function.parent is None]
            if len(doing) == 1 and state is not None:
                # The others are empty literals, the defaults put in place of a nil callback
                # (`if onDown == nil { onDown = func(string) {} }`): when anything runs here, that one does.
                model.debug["GIM10x_wide_calls_beside_empty_defaults"] += 1
                return self.through(state, op, doing[0].function)
            if state is not None:
                self._order_through_the_one_locker(state, op, targets)
            return state
        handed = self._unlocks_handed_to(op, targets[0].function)
        if not handed:
            return self.through(state, op, targets[0].function)
        after = self.through(state, op, targets[0].function)
        for lock, mode in handed:
            model.lock_ops.setdefault(lock.cls, []).append((fn, op, "release"))
            after = self.release(after, lock, mode, op.mode == "defer") if after is not None else None
        return after

    def _unlocks_handed_to(self, op: Op, callee: Function) -> list[tuple[Lock, str]]:
        """The locks whose `Unlock` (or `RUnlock`) method value op passes to a callee of the tree that
        calls that parameter: `once.Do(a.mut.Unlock)` with a home-made `func (o *doOnce) Do(cb
        func()) { if !*o { *o = true; cb() } }`. Whether the callee runs it this time is its state's
        business; it may, so the lock counts as released (as for a call that may reach several
        functions), not as held on."""
        out: list[tuple[Lock, str]] = []
        params = callee.facts.params
        for i, arg in enumerate(op.args):
            sel = E.selector(arg)
            if sel is None or sel[1] not in RELEASE or i >= len(params):
                continue
            lock = self.model.lock_at(self.fn, sel[0])
            if lock is None:
                continue
            name = params[i][0]
            if any(
                o.kind == "call" and E.is_ident(o.fn, name)
                for f in (callee, *callee.nested_literals())
                for o in f.facts.ops
            ):
                out.append((lock, RELEASE[sel[1]]))
        return out

    def _unlocker_call(self, op: Op) -> Lock | None:
        """`unlock()` (or `defer unlock()`) where `unlock := unlockOnce(&s.mu)` is the one value of the
        local: the lock that call releases (see LockModel.unlocker_parameter)."""
        name = E.ident(op.fn)
        value = single_assignment(self.model.program, self.fn, name) if name is not None else None
        n = E.call_number(value)
        owner = self.model.program.declaring_function(self.fn, name) if n is not None and n >= 0 and name else None
        if owner is None or n is None:
            return None
        made = owner.facts.ops[n]
        targets = self.model.call_targets(owner, made)
        if len(targets) != 1:
            return None
        k = self.model.unlocker_parameter(targets[0].function)
        if k is None or k >= len(made.args):
            return None
        return self.model.lock_at(owner, made.args[k])

    def _returned_unlock(self, op: Op) -> tuple[Function, Op] | None:
        """(helper, its call) when op calls the unlock a helper returned (LockModel.returns_its_unlock):
        the helper's result called in place (`defer s.LockFor(id)()`) or the one value of a local;
        or a method of the guard a helper returned (`g := o.Lock(why); defer g.Unlock()`) that calls
        the guard's releasing field (LockModel.guard_release_fields)."""
        sel = E.selector(op.fn)
        if sel is not None and E.ident(sel[0]) is not None:
            return self._guard_unlock(op, sel[0])
        n = E.call_number(op.fn)
        owner: Function | None = self.fn
        position = 0
        if n is None:
            name = E.ident(op.fn)
            value = single_assignment(self.model.program, self.fn, name) if name is not None else None
            if value is None and name is not None:
                # `now, unlock := r.lockNow()`: the one assignment of the local is one result of a call.
                value, position = _one_result_of_a_call(self.fn, name)
            n = E.call_number(value)
            owner = self.model.program.declaring_function(self.fn, name) if name is not None else None
            if owner is not self.fn:
                return None  # a closure calling its parent's unlock: not mapped through the parent's call
        if n is None or n < 0 or owner is None or n >= len(owner.facts.ops):
            return None
        made = owner.facts.ops[n]
        targets = self.model.call_targets(owner, made)
        if len(targets) != 1 or not self.model.returns_its_unlock(targets[0].function, position):
            return None
        return targets[0].function, made

    def _guard_unlock(self, op: Op, base) -> tuple[Function, Op] | None:
        """(helper, its call) when op is `g.M()` on a local g whose one value is a helper's guard, and
        M calls the field of the guard holding the helper's release."""
        model = self.model
        name = E.ident(base)
        if name is None or model.program.declaring_function(self.fn, name) is not self.fn:
            return None
        n = E.call_number(single_assignment(model.program, self.fn, name))
        if n is None or n < 0:
            return None
        made = self.fn.facts.ops[n]
        helpers = model.call_targets(self.fn, made)
        if len(helpers) != 1:
            return None
        fields = model.guard_release_fields(helpers[0].function)
        methods = model.call_targets(self.fn, op) if fields else []
        if len(methods) != 1 or not model.calls_own_field(methods[0].function, fields):
            return None
        return helpers[0].function, made

    def through(self, state: State, op: Op, callee: Function, once: bool = False) -> State | None:
        """The state after op runs callee: its summary's waits, acquisitions and releases, mapped here."""
        model, fn = self.model, self.fn
        s = model.summary(callee)
        hop = Hop(fn, op, callee)
        if op.mode == "defer":
            self._deferred_relock(state, op, callee, hop)
            for lk in s.releases:
                state = self.release(state, model.map_release(fn, op, callee, lk), None, True)
            return state
        if s.block is not None:
            op_fn, block_op, hops, kind = s.block
            self._blocked(state, op_fn, block_op, (hop, *hops), kind)
        if s.reply is not None:
            op_fn, block_op, hops, kind = s.reply
            self._blocked(state, op_fn, block_op, (hop, *hops), kind)
        self.note_argument_orders(op, callee)
        branch = self.on_branch(op)
        for a in s.acquires:
            lock = model.tie_to_receiver(fn, op, callee, a.lock, model.map_lock(fn, op, callee, a.lock))
            after = a.after_release | self.released_classes
            mapped = Acquire(lock, a.mode, a.fn, a.op, (hop, *a.hops), a.text, a.conditional, after, a.once or once)
            self.check_acquire(state, mapped)
            self.note_acquire(replace(mapped, conditional=True) if branch and not a.conditional else mapped)
        for a in s.ordered:
            lock = model.tie_to_receiver(fn, op, callee, a.lock, model.map_lock(fn, op, callee, a.lock))
            self.check_order(state, Acquire(lock, a.mode, a.fn, a.op, (hop, *a.hops), a.text))
        for lk in s.releases:
            state = self.release(state, model.map_release(fn, op, callee, lk), None, False)
        for a in s.held_on_return:
            mapped = Acquire(model.map_lock(fn, op, callee, a.lock), a.mode, a.fn, a.op, (hop, *a.hops), a.text)
            state = (*state, Held(mapped))
        return state

    def _order_through_the_one_locker(self, state: State, op: Op, targets: list) -> None:
        """Of an interface call's implementations, only one takes locks, and only its own receiver's
        (`n.OnLeaderChange(...)` under `c.mu`, a member locking `m.mu`, a witness locking nothing):
        when that one runs, it takes them while this function holds its own, an order between the two
        classes. Only that order is kept; which instance, and what it blocks on, stays a guess."""
        model = self.model
        # (an embedding type's promoted method is the embedded type's own: one function, however reached)
        locking = list({t.function.id: t.function for t in targets if model.summary(t.function).acquires}.values())
        if len(locking) != 1 or op.mode != "plain":
            return
        callee = locking[0]
        recv = callee.facts.recv_name
        acquires = model.summary(callee).acquires
        if not recv or not model.stored_where_called(self.fn, op, callee):
            return
        if any(a.conditional or a.lock.inst is None or a.lock.inst[0] != ("name", callee.id, recv) for a in acquires):
            return
        model.debug["GIM10x_wide_calls_ordered_through_their_one_locker"] += 1
        hop = Hop(self.fn, op, callee)
        for a in acquires:
            self.check_order(state, replace(a, hops=(hop, *a.hops)))

    def check_order(self, state: State, a: Acquire) -> None:
        """An acquisition through a guessed implementation (Summary.ordered): an order against the
        locks held here, and one more for this function's callers; the same lock held here is no
        double lock told on a guess."""
        if any(h.acq.lock.same(a.lock) for h in state):
            return
        self.check_acquire(state, a)
        key = (a.lock.cls, a.lock.inst, a.mode)
        if key not in self.ordered and not a.conditional and not self.on_branch(a.hops[0].op if a.hops else a.op):
            self.ordered[key] = a

    def _deferred_relock(self, state: State, op: Op, callee: Function, hop: Hop) -> None:
        """`mu.Lock(); defer mu.Unlock(); defer s.bump()` with bump locking mu: deferred calls run last
        in, first out, so bump runs at the exit while the earlier deferred unlock has not yet run."""
        model = self.model
        for a in model.summary(callee).acquires:
            if a.conditional or a.once:
                continue
            lock = model.tie_to_receiver(self.fn, op, callee, a.lock, model.map_lock(self.fn, op, callee, a.lock))
            for h in state:
                if h.acq.hops or not h.acq.lock.same(lock) or (lock.cls, lock.inst) not in self.deferred:
                    continue
                unlock = self._deferred_unlock_line(h.acq.lock, op)
                if unlock:
                    again = Acquire(lock, a.mode, a.fn, a.op, (hop, *a.hops), a.text)
                    model.double_locks.append(DoubleLock(self.fn, h.acq, again, unlock))
                    return

    def _deferred_acquire(self, state: State, op: Op, lock: Lock, name: str, text: str) -> None:
        """`defer mu.Lock()` while mu is held, with no later `Unlock` of it in the function (nor a
        deferred one registered after, which would run first): at the exit the deferred Lock waits
        for the lock this goroutine still holds. `mu.Unlock(); defer mu.Lock()`, which gives the
        lock back to a caller that held it, does not hold it at the defer."""
        held = next((h for h in state if not h.acq.hops and h.acq.lock.same(lock)), None)
        if held is None:
            return
        ops = self.fn.facts.ops
        for later in ops[ops.index(op) + 1 :]:
            if later.kind != "call" or E.selected_name(later.fn) not in RELEASE:
                continue
            found = self.model.lock_of(self.fn, later)
            if found is not None and found[0].same(lock):
                return  # released later (plainly, or by a deferred call that runs first)
        again = Acquire(lock, ACQUIRE[name], self.fn, op, (), text)
        self.model.double_locks.append(DoubleLock(self.fn, held.acq, again, deferred_acquire=True))

    def _deferred_unlock_line(self, lock: Lock, before: Op) -> int:
        """The line of a deferred `Unlock`/`RUnlock` of lock written before the op, or 0."""
        for o in self.fn.facts.ops:
            if o is before:
                return 0
            if o.kind == "call" and o.mode == "defer" and E.selected_name(o.fn) in RELEASE:
                found = self.model.lock_of(self.fn, o)
                if found is not None and found[0].same(lock):
                    return o.line
        return 0

    def note_argument_orders(self, op: Op, callee: Function) -> None:
        """The callee's orders on the same field of two parameters, as this call's arguments."""
        model = self.model
        for first, second in model.summary(callee).argument_orders:
            a = model.map_lock(self.fn, op, callee, first.lock)
            b = model.map_lock(self.fn, op, callee, second.lock)
            if a.inst is not None and b.inst is not None and a.inst != b.inst:
                model.argument_orders.append(ArgumentOrder(self.fn, op, callee, first, second, (a, b)))
                self._pass_order_on(op, callee, (first, a), (second, b))
            elif (
                a.inst is not None
                and a.inst == b.inst
                and op.mode == "plain"
                and "w" in (first.mode, second.mode)
                and not (first.conditional or second.conditional)
            ):
                # `s.AddUnlessFull(1, s)`: the callee holds its receiver's mutex and locks its
                # parameter's; this call passes the same value for both, so it locks it twice.
                hop = Hop(self.fn, op, callee)
                held = replace(first, lock=a, hops=(hop, *first.hops))
                again = replace(second, lock=b, hops=(hop, *second.hops))
                model.double_locks.append(DoubleLock(self.fn, held, again))

    def _pass_order_on(
        self, op: Op, callee: Function, first: tuple[Acquire, Lock], second: tuple[Acquire, Lock]
    ) -> None:
        """A callee's order on two values that are, here, fields of this function's own parameters or receiver
        (`transfer(k.a, k.b)` in a method of k) is this function's order too: its callers pass the values.

        So `go k.left()` and `k.right()` in one test, each calling `transfer` with the two fields in the
        opposite order, are two calls of one function in opposite orders. A go statement is not passed on
        (the caller does not run it).

        The same holds for a function literal passing two variables it captured
        (`go func() { transfer(a, b) }()`): at the literal's `go` or call the
        values are the enclosing function's own.
        """
        if op.mode != "plain" or not (self._passed_root(first[1]) and self._passed_root(second[1])):
            return
        hop = Hop(self.fn, op, callee)
        self.argument_orders.append(
            (
                replace(first[0], lock=first[1], hops=(hop, *first[0].hops)),
                replace(second[0], lock=second[1], hops=(hop, *second[0].hops)),
            )
        )

    def _passed_root(self, lock: Lock) -> bool:
        """The lock's instance is one this function's callers name: a parameter's or the receiver's
        field, or in a function literal a field of a variable it captured from around it."""
        if self._parameter_root(lock):
            return True
        inst = lock.inst
        return (
            self.fn.parent is not None
            and inst is not None
            and len(inst) >= 2
            and inst[0][0] == "name"
            and inst[0][1] != self.fn.id
            and _encloses(inst[0][1], self.fn.parent)
        )

    def _parameter_root(self, lock: Lock) -> bool:
        """The lock's instance starts at one of this function's parameters or its receiver (`from.mu`)."""
        inst = lock.inst
        if inst is None or len(inst) < 2 or inst[0][0] != "name" or inst[0][1] != self.fn.id:
            return False
        f = self.fn.facts
        return inst[0][2] == f.recv_name or any(pn == inst[0][2] for pn, _t in f.params)

    def _blocked(self, state: State, op_fn: Function, op: Op, hops: tuple, kind: str) -> None:
        if self.block is None:
            self.block = (op_fn, op, hops, kind)
        elif self.reply is None and self.block[3] == "send" and kind == "recv" and self.block[1] is not op:
            self.reply = (op_fn, op, hops, kind)
        for h in state:
            self.model.blocked.append(BlockedUnderLock(self.fn, h.acq, op_fn, op, hops, kind))

    def note_acquire(self, a: Acquire) -> None:
        if not a.hops and self.on_branch(a.op):
            a = replace(a, conditional=True)
        key = (a.lock.cls, a.lock.inst, a.mode)
        first = self.acquires.get(key)
        if first is None or (first.conditional and not a.conditional):
            # a later acquisition on every path counts over an earlier one on a branch: a poll that
            # may lock in a `select` case, then a plain `RLock`, is a function that locks for sure
            self.acquires[key] = a

    def acquire(self, state: State, a: Acquire) -> State:
        self.check_acquire(state, a)
        self.note_acquire(a)
        return (*state, Held(a))

    def check_acquire(self, state: State, a: Acquire) -> None:
        if not state:
            return  # nothing held: no double lock, no order
        model = self.model
        state = tuple(h for h in state if h.acq.lock.cls not in a.after_release)
        if a.conditional:
            return
        for h in state:
            if h.acq.lock.same(a.lock):
                model.double_locks.append(DoubleLock(self.fn, h.acq, a))
                return
        if a.lock.cls.startswith("param:") or a.lock.striped:
            return
        for h in state:
            same_field = h.acq.lock.cls == a.lock.cls and h.acq.lock.inst != a.lock.inst
            if same_field and self._parameter_root(h.acq.lock) and self._parameter_root(a.lock):
                self.argument_orders.append((h.acq, a))

        if a.once:
            return  # first call only: no order
        if self._unpublished_fresh(a):
            return  # `v := &val{}; v.Lock()` before v is stored anywhere: nobody else can hold it
        classes = frozenset(h.acq.lock.cls for h in state)
        for h in state:
            if h.acq.lock.cls != a.lock.cls and not h.acq.lock.cls.startswith("param:") and not h.acq.lock.striped:
                if self._withdrawn(h.acq):
                    continue
                model.order_edges.append(OrderEdge(self.fn, h.acq, a, classes - {h.acq.lock.cls, a.lock.cls}))

    def _unpublished_fresh(self, a: Acquire) -> bool:
        """a locks a mutex of a value this function allocated (`v := &T{}`, `new(T)`, its last
        assignment on the way) and has not yet stored, passed, sent or returned: no other goroutine
        can hold that mutex, so holding another lock while taking it orders nothing."""
        if a.hops:
            return self._fresh_through_receivers(a)
        inst = a.lock.inst
        if a.fn is not self.fn or not inst or inst[0][0] != "name" or inst[0][1] != self.fn.id:
            return False
        known = self._fresh.get(id(a.op))
        if known is None:
            known = self._fresh[id(a.op)] = _fresh_before(self.fn, a.op, E.make_ident(inst[0][2]))
        return known

    def _withdrawn(self, held: Acquire) -> bool:
        """The held mutex is of a value this function took out of a map and deleted from it before
        locking it (`b := m.buckets[k]; delete(m.buckets, k); m.mu.Unlock(); b.mu.Lock()`): code
        that reaches values through that map cannot reach this one any more, so its lock orders
        nothing against theirs. The mirror of a value not yet published (`_unpublished_fresh`)."""
        inst = held.lock.inst
        if held.hops or held.fn is not self.fn or not inst or inst[0][0] != "name" or inst[0][1] != self.fn.id:
            return False
        name = inst[0][2]
        ops = self.fn.facts.ops
        taken = [
            o.args[0] if len(o.args) == 1 else o.args[i]
            for o in ops
            if o.kind == "assign"
            for i, t in enumerate(o.targets)
            if E.is_ident(t, name) and (len(o.args) == 1 or len(o.args) == len(o.targets))
        ]
        indexed = E.index(taken[0]) if len(taken) == 1 else None
        if indexed is None:
            return False
        source, key = indexed
        at = ops.index(held.op)
        return any(
            o.kind == "call"
            and E.is_ident(o.fn, "delete")
            and len(o.args) == 2
            and o.args[0] == source
            and o.args[1] == key
            and ops.index(o) < at
            for o in ops
        )

    def _fresh_through_receivers(self, a: Acquire) -> bool:
        """`p := &Policy{}; p.reload()` where reload (directly or through methods it calls on its own
        receiver) locks `p.mu`: the mutex of a value a function on the way allocated and has not yet
        published when it makes the call."""
        key = (id(a.op), tuple(id(h.op) for h in a.hops))
        known = self._fresh_hops.get(key)
        if known is None:
            known = self._fresh_hops[key] = self._fresh_receiver_chain(a)
        return known

    def _fresh_receiver_chain(self, a: Acquire) -> bool:
        own = self.model.lock_of(a.fn, a.op)
        recv = a.fn.facts.recv_name
        if own is None or not recv or not own[0].inst or own[0].inst[0] != ("name", a.fn.id, recv):
            return False
        for hop in reversed(a.hops):
            base = E.selector_base(hop.op.fn)
            name = E.ident(base) if base is not None else None
            if name is None or hop.op.mode != "plain":
                return False
            if name != hop.fn.facts.recv_name:
                return _fresh_before(hop.fn, hop.op, E.make_ident(name))
            # `p.readAndMerge()` inside a method of p: the same value, one call further up
        return False

    def release(self, state: State, lock: Lock, mode: str | None, deferred: bool) -> State:
        if deferred:
            self.deferred.add((lock.cls, lock.inst))  # released on every return from here on
            if not any(_matches(h.acq.lock, lock) for h in state):
                # `defer done.Unlock()` of a lock nobody here took: the caller's, or
                # the goroutine starter's when the mutex is used as a signal
                self.releases.setdefault((lock.cls, lock.inst), lock)
                self.released_classes.add(lock.cls)
            return state
        for i in range(len(state) - 1, -1, -1):
            h = state[i]
            if _matches(h.acq.lock, lock) and (mode is None or h.acq.mode == mode):
                return (*state[:i], *state[i + 1 :])
        same_class = [i for i, h in enumerate(state) if h.acq.lock.cls == lock.cls and not h.acq.lock.striped]
        if len(same_class) == 1 and not lock.striped and (mode is None or state[same_class[0]].acq.mode == mode):
            # `mux.mutex.Lock()` ... `s.mux.mutex.Unlock()`: the one held mutex of that class, reached
            # through another path (an alias the model cannot equate), is the one released.
            i = same_class[0]
            return (*state[:i], *state[i + 1 :])
        self.releases.setdefault((lock.cls, lock.inst), lock)
        self.released_classes.add(lock.cls)
        return state

    def _callers_lock(self, lock: Lock) -> bool:
        """The function releases this lock without having taken it: it is its caller's, relocked on return."""
        return any(_matches(lock, other) for other in self.releases.values())

    def _deferred(self, a: Acquire, deferred: frozenset | set | None = None) -> bool:
        """A `defer` releases a's lock: among `deferred` (those registered by an exit), else anywhere."""
        pairs = self.deferred if deferred is None else deferred
        return any(_matches(a.lock, Lock(cls, inst, "")) for cls, inst in pairs)

    def _breaks_ending_function(self, loop: int) -> None:
        """An endless `for {` that is the last statement of the function (a goroutine's loop): each
        `break` out of it ends the function, so each is an exit of its own, with the locks it holds
        (merged at the loop's end, a path holding a lock and one not holding it would hide it)."""
        sites = self.breaks.pop(loop, [])
        facts = self.fn.facts
        if len(sites) < 2 or facts.regions[loop].parent != 0:
            return
        inside = [i for i, o in enumerate(facts.ops) if self.view.in_region(o.region, loop)]
        if not inside or any(
            o.region == 0 or not self.view.in_region(o.region, loop) for o in facts.ops[inside[-1] + 1 :]
        ):
            return  # something runs after the loop: it may release what a break holds
        for op, state in sites:
            self.exits.append((op.line, op.col, state))
            self.exit_defers.append(frozenset(self.deferred))
            self.break_exits.add((op.line, op.col))

    # ---- lost unlocks ------------------------------------------------------------
    def _lost_unlocks(self) -> None:
        """A lock this function takes that one exit keeps while another exit has released it."""
        if self.gives_up or len(self.exits) < 2:
            return
        reported: set[tuple] = set()
        for (line, col, state), deferred in zip(self.exits, self.exit_defers, strict=True):
            for h in state:
                a = h.acq
                if not self._taken_here(a) or self._deferred(a, deferred) or self._callers_lock(a.lock):
                    continue
                key = (a.lock.cls, a.lock.inst, a.mode)
                if a.hops:  # several locks one helper call keeps (`c1.mu`, `c2.mu`): told once
                    key = (a.lock.cls, id(a.hops[0].op), a.mode)
                if key in reported or self._handed_to_caller(a.lock, line, col):
                    continue
                if self._never_taken(line, col):
                    continue
                taken_at = a.hops[0].op.line if a.hops else a.op.line
                free = [
                    ln
                    for (ln, _c, s), later in zip(self.exits, self.exit_defers, strict=True)
                    if ln > taken_at and (not any(_matches(x.acq.lock, a.lock) for x in s) or self._deferred(a, later))
                ]
                if free:
                    reported.add(key)
                    by_break = (line, col) in self.break_exits
                    self.model.lost_unlocks.append(LostUnlock(self.fn, a, line, col, free[0], by_break))

    def _taken_here(self, a: Acquire) -> bool:
        """a is this function's own: its own `Lock` call, or one call of a helper that takes the lock
        and returns holding it (`tx := l.begin()`, begin locking `l.mu`), unconditionally."""
        if not a.hops:
            return a.fn is self.fn
        hop = a.hops[0]
        if len(a.hops) != 1 or hop.fn is not self.fn or a.conditional or hop.op.mode != "plain":
            return False
        inst = a.lock.inst
        if not inst or inst[0][0] != "name" or inst[0][1] != self.fn.id:
            return False  # a lock of the helper's own making (`roomMu` looked up in a map): not followed
        kept = self.model.summary(hop.callee).held_on_return
        return any(k.op is a.op and not k.conditional for k in kept)

    def _never_taken(self, line: int, col: int) -> bool:
        """The exit is a `return` under an `if err != nil` whose error comes from a call of the tree
        that always returns nil (failing.error_exit_never_taken)."""
        ret = next((o for o in self.fn.facts.ops if o.kind == "return" and o.line == line and o.col == col), None)
        if ret is None or not error_exit_never_taken(self.model.program, self.fn, ret):
            return False
        self.model.debug["GIM104_lost_unlocks_on_errors_never_returned"] += 1
        return True

    def _handed_to_caller(self, lock: Lock, line: int, col: int) -> bool:
        """The exit returns the value whose mutex is held: `entry.mu.Lock(); return entry`.

        Also through a local copy of the field (`mu := entry.mu; mu.Lock(); ...;
        return entry`). A function that returns an object locked hands the
        unlock to its caller on purpose ("returns with its gate held").
        """
        inst = lock.inst
        if inst is None or inst[0][0] != "name":
            return False
        ret = next((o for o in self.fn.facts.ops if o.kind == "return" and o.line == line and o.col == col), None)
        for x in ret.args if ret is not None else ():
            # `return c.mu.Unlock, nil`: the caller gets the unlock itself, to call or defer.
            sel = E.selector(x)
            if sel is not None and sel[1] in ("Unlock", "RUnlock"):
                held = self.model.lock_at(self.fn, sel[0])
                if held is not None and _matches(held, lock):
                    return True
        name = inst[0][2]
        if len(inst) == 1 and ret is not None and _stored_in_result(ret, name):
            # `locker.Lock(); ...; return &bulkTx{locker: locker}, nil`: the returned transaction
            # holds the lock and its Commit or Rollback releases it.
            return True
        returned = {E.ident(x) for x in ret.args} - {None} if ret is not None else set()
        if not returned:
            return False
        if name in returned and len(inst) > 1:
            return True
        for op in self.fn.facts.ops:
            if op.kind != "assign" or len(op.targets) != len(op.args):
                continue
            for t, v in zip(op.targets, op.args, strict=True):
                if not E.is_ident(t, name) or E.selector(v) is None:
                    continue
                base = v
                while (sel := E.selector(base)) is not None:
                    base = sel[0]
                if E.ident(base) in returned:
                    return True
        return False

    def _relocked_in_loop(self, loop: int, body_end: State | None) -> None:
        """A `continue` that keeps a lock the loop body took unconditionally: the next iteration locks it again.

        Only a lock whose instance is the same on every iteration (its path does not start
        from a variable the loop assigns) and that the body's normal path releases: then
        the author meant one lock per iteration and the `continue` skipped the unlock.
        """
        jumps = self.continues.pop(loop, [])
        if not jumps or self.gives_up or body_end is None:
            return
        view = self.view
        for jump, state in jumps:
            for h in state:
                a = h.acq
                if a.hops or a.fn is not self.fn or a.conditional or a.lock.inst is None or a.lock.striped:
                    continue
                if self._deferred(a) or not view.in_region(a.op.region, loop) or a.op.line > jump.line:
                    continue
                if any(_matches(x.acq.lock, a.lock) for x in body_end):
                    continue  # the normal path keeps it too: held across iterations on purpose
                if not self._straight_below(a.op.region, loop):
                    continue  # taken only on some iterations
                blocked = None
                if self._assigned_in_loop(a.lock.inst, loop):
                    # Another instance on every iteration: the one left locked stays locked, which
                    # matters when some code takes that class's lock for writing (or, for a write
                    # lock, at all) elsewhere.
                    blocked = self.model.other_locker(a.lock.cls, self.fn, any_mode=a.mode == "w")
                    if blocked is None:
                        continue
                released = self._release_line(a.lock, a.op.line)
                if released is not None:
                    self.model.loop_relocks.append(RelockedInLoop(self.fn, a, jump, released, blocked))
                    return

    def _deferred_unlock_in_loop(self, loop: int, body_end: State | None) -> None:
        """`for _, k := range keys { s.mu.Lock(); defer s.mu.Unlock(); ... }`: the unlock waits for the
        function's return, so an iteration that reaches the end of the body holds the lock into
        the next, which locks it again.

        Only a write lock taken straight in the body (no branch or inner loop
        between), of the same instance on every iteration, whose deferred
        `Unlock` is a plain `defer` straight in the same body after it.
        """
        if self.gives_up:
            return
        view, model = self.view, self.model
        if self._deferred_unlocks is None:
            self._deferred_unlocks = [
                op
                for op in self.fn.facts.ops
                if op.kind == "call" and op.mode == "defer" and RELEASE.get(E.selected_name(op.fn) or "") == "w"
            ]
        if not self._deferred_unlocks:
            return
        if self._deferred_unlock_in_case(loop) or body_end is None:
            return
        for h in body_end:
            a = h.acq
            if a.hops or a.fn is not self.fn or a.conditional or a.mode != "w":
                continue
            if a.lock.inst is None or a.lock.striped or not view.in_region(a.op.region, loop):
                continue
            if not self._straight_below(a.op.region, loop) or self._assigned_in_loop(a.lock.inst, loop):
                continue
            for op in self._deferred_unlocks:
                if op.line < a.op.line or not view.in_region(op.region, loop):
                    continue
                found = model.lock_of(self.fn, op)
                if found is None or not _matches(found[0], a.lock) or not self._straight_below(op.region, loop):
                    continue
                model.deferred_in_loops.append(DeferredInLoop(self.fn, a, op, view.regions[loop].line))
                return

    def _deferred_unlock_in_case(self, loop: int) -> bool:
        """`for { select { case <-tick: d.Lock(); defer d.Unlock(); ... } }`: the same, in a `select`
        case of the loop body, lock and deferred unlock straight in the case: the next time the case
        runs it locks the mutex the last run still holds (and everything else waiting for it waits
        for good). True when reported."""
        view, model, facts = self.view, self.model, self.fn.facts
        for op in self._deferred_unlocks or ():
            if not view.in_region(op.region, loop):
                continue
            below = view.regions_below(op.region, loop)
            kinds = [view.regions[x].kind for x in below]
            if "case" not in kinds or any(k not in STRAIGHT_KINDS and k not in ("case", "select") for k in kinds):
                continue
            found = model.lock_of(self.fn, op)
            if found is None or found[0].inst is None or found[0].striped:
                continue
            if self._assigned_in_loop(found[0].inst, loop):
                continue
            index = facts.ops.index(op)
            for lock_op in reversed(facts.ops[:index]):
                if lock_op.region != op.region or lock_op.kind != "call" or lock_op.mode != "plain":
                    continue
                if E.selected_name(lock_op.fn) != "Lock":
                    continue
                held = model.lock_of(self.fn, lock_op)
                if held is None or not _matches(held[0], found[0]):
                    continue
                case = next(x for x in below if view.regions[x].kind == "case")
                if self._leaves_after(case, index):
                    break  # the case returns (or jumps out) after deferring: the defer runs then
                acq = Acquire(held[0], "w", self.fn, lock_op, (), held[1])
                model.deferred_in_loops.append(
                    DeferredInLoop(self.fn, acq, op, view.regions[loop].line, view.regions[case].line)
                )
                return True
        return False

    def _leaves_after(self, region: int, index: int) -> bool:
        """Some op of the region (or inside it) after op `index` returns, jumps with `break` or `goto`,
        or ends the goroutine or the process."""
        facts, view = self.fn.facts, self.view
        for op in facts.ops[index + 1 :]:
            if not view.in_region(op.region, region):
                continue
            if op.kind == "return" or (op.kind == "jump" and op.mode in ("break", "goto")):
                return True
            if op.kind == "call" and call_exit(self.model.program, self.fn, op) is not None:
                return True
        return False

    def _straight_below(self, region: int, loop: int) -> bool:
        """No branch or loop between region and the loop body it is in."""
        view = self.view
        return not any(
            view.regions[x].kind in BRANCHES or view.regions[x].kind in ("for", "range")
            for x in view.regions_below(region, loop)
        )

    def _assigned_in_loop(self, inst: tuple, loop: int) -> bool:
        root = inst[0]
        if root[0] != "name":
            return False
        view = self.view
        for op in self.fn.facts.ops:
            if op.kind == "assign" and view.in_region(op.region, loop):
                if any(E.is_ident(t, root[2]) for t in op.targets):
                    return True
        return False

    def _release_line(self, lock: Lock, after: int) -> int | None:
        """The first line after `after` where this function itself releases `lock`."""
        for fn2, op, what in self.model.lock_ops.get(lock.cls, ()):
            if fn2 is self.fn and what == "release" and op.line > after:
                return op.line
        return None

    def _panics_held(self) -> None:
        """Locks this function took, held at a `panic` with no deferred release, and released by some exit."""
        if self.gives_up or not (self.panics or self.callbacks):
            return
        found = [(op, state, callee, thrown, "") for op, state, callee, thrown in self.panics]
        found += [(op, state, None, None, callback) for op, state, callback in self.callbacks]
        for op, state, callee, thrown, callback in found:
            for h in state:
                a = h.acq
                if a.hops or a.fn is not self.fn or self._deferred(a) or self._callers_lock(a.lock):
                    continue
                if any(not any(_matches(x.acq.lock, a.lock) for x in s) for ln, _c, s in self.exits if ln > a.op.line):
                    self.model.panics_held.append(PanicHeld(self.fn, a, op, callee, thrown, callback))


def _supplied_function(program, fn: Function, op: Op) -> str | None:
    """The text of the callee when op calls a function value its caller supplied: a parameter of fn
    of func type (`f()`), or a field of func type of a struct (`d.handle(w)`), not a method. What
    such a value runs is not in fn's hands, and it may panic."""
    name = E.ident(op.fn)
    if name is not None:
        if program.declaring_function(fn, name) is not fn:
            return None
        if not any(p == name for p, _t in fn.facts.params) and not _registered_function(fn, name):
            return None
        t = program.locals(fn).get(name)
        return name if t and program.underlying(t).startswith("func(") else None
    sel = E.selector(op.fn)
    if sel is None or E.ident(sel[0]) is None:
        return None
    base = program.type_of(fn, sel[0])
    named = program.named(base) if base else None
    ft = program.field_type(named, sel[1]) if named else None
    if ft is None or program.method(named, sel[1]) is not None:
        return None
    return E.render(op.fn) if program.underlying(ft[0]).startswith("func(") else None


def _registered_function(fn: Function, name: str) -> bool:
    """The local is only ever given an element of a table or a field (`h, ok := d.handlers[name]`,
    `h := s.onEvent`): a function value some other code registered, as a parameter is one the
    caller supplied."""
    found = False
    for op, i in assignments_to(fn, name):
        if len(op.targets) == len(op.args):
            value = op.args[i]
        elif len(op.args) == 1 and i == 0:
            value = op.args[0]  # `h, ok := d.handlers[name]`
        else:
            return False
        if E.index(value) is None and (E.selector(value) is None or E.call_number(value) is not None):
            return False
        found = True
    return found


def _has_default(select_region) -> bool:
    """A `select` region with a `default` case (its info is (has_default, number of cases))."""
    info = select_region.info
    return bool(info and info[0])


def _values_within(exprs) -> list:
    """The expressions and, inside composite literals (`&Server{Notify: m.Unlock}`), their field values."""
    out = []
    todo = list(exprs)
    while todo:
        e = todo.pop()
        out.append(e)
        comp = E.composite(E.strip_address(e))
        if comp is not None:
            todo.extend(v for _k, v in comp[1])
    return out


def _funclits(args: tuple) -> list[int]:
    """The literal indexes of the function literals passed as arguments."""
    return [i for a in args if (i := E.funclit(a)) is not None]


def _asserts_receiver_state(fn: Function, op: Op) -> bool:
    """The panic sits under a condition on the method's own receiver (`if m.f != nil { panic(...) }`):
    an assertion about how the value was built, which its callers are taken to keep."""
    recv = fn.facts.recv_name
    if not recv:
        return False
    regions = fn.facts.regions
    return any(
        regions[r].kind in ("if", "else")
        and regions[r].info is not None
        and recv in E.idents_in(regions[r].info, set())
        for r in enclosing_regions(fn.facts, op.region)
    )


def _striped(holder) -> bool:
    """The lock is reached through an index (`s.locks[i]`): one of many, chosen at run time."""
    return any(E.index(e) is not None for e in E.subexprs(holder))


def _encloses(fid: int, fn: Function | None) -> bool:
    """The function with id fid is fn or a function fn is nested in."""
    while fn is not None:
        if fn.id == fid:
            return True
        fn = fn.parent
    return False


def _stored_in_result(ret: Op, name: str) -> bool:
    """The `return` hands back a composite literal holding the local `name` as a field value."""
    for x in ret.args:
        for sub in E.subexprs(x):
            comp = E.composite(sub)
            if comp is not None and any(E.is_ident(v, name) for _k, v in comp[1]):
                return True
    return False


def _one_result_of_a_call(fn: Function, name: str) -> tuple[object, int]:
    """(call, result index) when the local's one assignment in fn takes one result of a call with
    several (`now, unlock := r.lockNow()`); (None, 0) otherwise."""
    found = list(assignments_to(fn, name))
    if len(found) != 1:
        return None, 0
    op, i = found[0]
    if len(op.args) != 1 or len(op.targets) < 2 or E.call(op.args[0]) is None:
        return None, 0
    return op.args[0], i


def _lock_handed_back(fn: Function, acq: Acquire) -> bool:
    """fn hands the mutex it keeps locked to its caller as a result (`lock = &c.rlock; return`,
    `return n, &c.mu`), or inside the value it returns (`return newWriter(w.mu, wc), nil`, whose
    `Close` unlocks it): releasing it is the caller's part of the contract."""
    if acq.hops or not acq.text:
        return False
    lock_result = any(t.lstrip("*") in _LOCK_RESULT_TYPES for t in fn.facts.results)
    for op in fn.facts.ops:
        if op.kind not in ("assign", "return") or (op.kind == "assign" and not lock_result):
            continue
        for a in op.args:
            if lock_result:
                u = E.unary(a)
                if u is not None and u[0] == "&" and E.render(u[1]) == acq.text:
                    return True
            if op.kind != "return":
                continue
            called = E.call(a)
            comp = E.composite(E.strip_address(a))
            parts = called[1] if called is not None else [v for _k, v in comp[1]] if comp else []
            if any(E.render(E.strip_address(x)) == acq.text for x in parts):
                return True
    return False


_LOCK_RESULT_TYPES = {"sync.Mutex", "sync.RWMutex", "sync.Locker"}


def _panic_ruled_out(program: Program, fn: Function, op: Op, callee: Function, thrown: Op) -> bool:
    """The call passes constants (literals, or constants of the package it shares with the callee)
    that keep the callee from reaching its panic."""
    named = _package_constants(program, fn, op, callee) if callee.pkg is fn.pkg else frozenset()
    consts = argument_constants(callee.facts.params, op.args, named)
    index = next((k for k, o in enumerate(callee.facts.ops) if o is thrown), None)
    return index is not None and unreachable_under_constants(callee.facts, index, consts)


def _package_constants(program: Program, fn: Function, op: Op, callee: Function) -> frozenset:
    """The names among op's arguments and the callee's `case` values that are package-level
    constants: declared in neither function, and no variable, function or import of the package
    (constants continued by `iota` are not in the package's table, so they are told apart so)."""
    pkg = callee.pkg
    names = {E.ident(a) for a in op.args} | {
        n
        for reg in callee.facts.regions
        if reg.kind == "block" and E.is_expr(reg.info)
        for n in E.idents_in(reg.info, set())
    }
    return frozenset(
        n
        for n in names
        if n is not None
        and n not in pkg.vars
        and n not in pkg.funcs
        and n not in fn.file.imports
        and n not in ("nil", "true", "false")
        and program.declaring_function(fn, n) is None
        and program.declaring_function(callee, n) is None
    )


def _hops_ruled_out(acq: Acquire) -> bool:
    """Some call on the way to acq passes constants that keep its callee from reaching the next step."""
    for i, hop in enumerate(acq.hops):
        consts = argument_constants(hop.callee.facts.params, hop.op.args)
        if not consts:
            continue
        step = acq.hops[i + 1].op if i + 1 < len(acq.hops) else acq.op
        index = next((k for k, o in enumerate(hop.callee.facts.ops) if o is step), None)
        if index is not None and unreachable_under_constants(hop.callee.facts, index, consts):
            return True
    return False


def _matches(held: Lock, lock: Lock) -> bool:
    """A release of `lock` releases `held`: the same instance, or the same class when either instance is unknown."""
    if held.cls != lock.cls:
        return False
    return held.inst is None or lock.inst is None or held.inst == lock.inst


def _build(ctx: Context) -> LockModel:
    return LockModel(ctx.program, ctx.result(REGIONS), ctx.debug, ctx.result(CHANNEL_FLOW))


# With CHANNEL_FLOW beside it (GIM101-GIM105 share a lane), the costliest family on
# the checkouts measured: it gets a lane of its own (see docs/performance.md).
LOCKS = Pass(
    "locks",
    _build,
    requires=(REGIONS, CHANNEL_FLOW),
    cost=3,
    doc="mutexes (and channels used as mutexes) by holder; per function the locks held on every path, "
    "summaries for callers, lock events",
)


def concurrent_roots(model: LockModel, flow, f1: Function, f2: Function) -> tuple[int, int] | None:
    """Two goroutine roots (function ids) of the channel flow that can run f1 and f2 at the same time, or None.

    Different roots run concurrently; one root only when it is started several
    times (`flow.spawned_many`). Only roots that are seen to start count (see
    `_runs_on_its_own`).
    """
    program = model.program
    fns = program.functions
    r1 = _evidence_roots(model, flow, f1)
    r2 = _evidence_roots(model, flow, f2)
    for x in r1:
        for y in r2:
            if x != y:
                return x, y
    for x in r1:
        if x in r2 and flow.spawned_many(fns[x]):
            return x, x
    if not (f1.file.is_test or f2.file.is_test):
        return None  # the package's own code: a test driving it from two goroutines says little of its design
    return _concurrent_in_one_test(model, flow, f1, f2)


def _concurrent_in_one_test(model: LockModel, flow, f1: Function, f2: Function) -> tuple[int, int] | None:
    """Two roots of one test that run f1 and f2 at the same time: the test and a goroutine it starts, or two of those.

    A test binary runs its `TestXxx` functions one after the other (and never
    `main`), so a test function is evidence of concurrency only beside the
    goroutines that it starts itself, directly or through the calls it makes
    (`NewServer()` starting `go s.loop()`). Asked only when f1 or f2 is test
    code: a test that calls a package's methods from two goroutines (on two
    values of one type, most often) is no evidence that its own code runs
    them at once.
    """
    fns = model.program.functions
    tests1 = {r: model.tests_starting(flow, fns[r]) for r in flow.entries(f1)}
    tests2 = {r: model.tests_starting(flow, fns[r]) for r in flow.entries(f2)}
    for x, tx in sorted(tests1.items()):
        for y, ty in sorted(tests2.items()):
            if tx & ty and (x != y or flow.spawned_many(fns[x])):
                return x, y
    return None


def _evidence_roots(model: LockModel, flow, fn: Function) -> list[int]:
    """The goroutine roots running fn that are evidence of concurrency, and fn itself when it is exported API.

    An exported function or method may be called from any goroutine of the
    code that imports it, even when the analysed code calls it only from tests.
    """
    program = model.program
    fns = program.functions
    handed = model.handed_to_other_code()
    roots = {r for r in flow.entries(fn) if r in handed or _runs_on_its_own(program, fns[r])}
    if _exported(fn):
        roots.add(fn.id)
    return sorted(roots)


def _exported(fn: Function) -> bool:
    """Part of the package's API: an exported function, or an exported method of an exported type."""
    f = fn.facts
    if fn.file.is_test or fn.parent is not None or not f.name[:1].isupper():
        return False
    return not f.recv or f.recv.lstrip("*")[:1].isupper()


def _test_function(fn: Function) -> bool:
    """A `TestXxx(t *testing.T)` function of a `_test.go` file: an entry point of the test binary."""
    f = fn.facts
    if not fn.file.is_test or fn.parent is not None or f.recv or not f.name.startswith("Test"):
        return False
    return len(f.params) == 1 and f.params[0][1].lstrip("*") == "testing.T"


def _runs_on_its_own(program: Program, fn: Function) -> bool:
    """A goroutine root that is evidence of concurrency: started by `go` or a spawning call, or an entry point.

    Entry points are `main` and exported functions and methods (callers outside
    the analysed code run them on goroutines of their own). An unexported
    function nothing visible calls is run through something the model cannot
    see (a handler table, reflection): where it runs is unknown, so it is no
    evidence. Test functions are none either: tests call code one at a time
    unless they say otherwise.
    """
    if fn.file.is_test:
        return False
    if fn.go_sites or program.callers(fn):
        return True
    return _exported(fn) or (fn.parent is None and fn.facts.name == "main")


def racing_writer(model: LockModel, flow, d: DoubleLock) -> tuple[Function, Op] | None:
    """For a recursive read lock, a write `Lock` of the same mutex class that can come between the two `RLock`s.

    Without a writer anywhere, read locks never wait for each other. In a
    `_test.go` file the writer must also run beside the reader, in a goroutine
    of the same test (see `concurrent_roots`): a test holding a read lock on
    purpose while it reads again has no writer racing it.
    """
    for wfn, op, what in model.lock_ops.get(d.held.lock.cls, ()):
        if what != "acquire" or op.mode == "defer" or E.selected_name(op.fn) != "Lock":
            continue
        if _only_before_publishing(model.program, wfn) or _locks_fresh_local(wfn, op):
            continue  # `c := NewClient(); c.SetLocal(addr)`: written only while nobody else has it
        if not d.fn.file.is_test or concurrent_roots(model, flow, d.fn, wfn) is not None:
            return wfn, op
    return None


def _locks_fresh_local(fn: Function, op: Op) -> bool:
    """`c := &Client{}; c.mu.Lock()`: the write lock is on a value fn made and has not published."""
    base = E.selector_base(op.fn)
    while base is not None and E.selector(base) is not None:
        base = E.selector_base(base)
    name = E.ident(base) if base is not None else None
    return name is not None and name != fn.facts.recv_name and _fresh_before(fn, op, E.make_ident(name))


def _only_before_publishing(program: Program, method: Function) -> bool:
    """Every call of the unexported method is on a value its caller made (`&T{}`, `new(T)`, or a
    constructor of the tree returning one) and has not yet stored, passed, sent or returned. (An
    exported method may be called by code outside the tree, at any time.)"""
    if not method.facts.recv_name or method.parent is not None or method.facts.name[:1].isupper():
        return False
    callers = program.callers(method)
    if not callers:
        return False
    for caller, op in callers:
        base = E.selector_base(op.fn) if op.mode == "plain" else None
        name = E.ident(base) if base is not None else None
        if name is None or not _fresh_before(caller, op, E.make_ident(name), program):
            return False
    return True


@dataclass(frozen=True)
class HeldAcross:
    """A blocking channel operation under a lock whose every partner operation is performed under the same lock."""

    blocked: BlockedUnderLock
    channel: Any  # flow.Channel
    partners: tuple[BlockedUnderLock, ...]  # one record per partner operation: it runs holding the lock
    roots: tuple[int, int]


def held_across(model: LockModel, flow, debug: dict) -> list[HeldAcross]:
    """Channel operations performed holding a lock that every partner needs first (GIM103's cases).

    Judged only where the answer is structural: the channel is unbuffered and
    declared beside the lock (fields of one type, or package variables of one
    package), the operation is not a `select` case, nothing closes the channel
    when it is a receive, and every partner operation runs holding a lock of
    the same class, in a goroutine that can run at the same time.
    """
    by_op: dict[int, list[BlockedUnderLock]] = {}
    for b in model.blocked:
        by_op.setdefault(id(b.op), []).append(b)
    for key in ("GIM103_unknown_or_buffered_channels", "GIM103_partners_without_the_lock"):
        debug.setdefault(key, 0)
    out: list[HeldAcross] = []
    seen: set[tuple] = set()
    for b in model.blocked:
        if b.kind not in ("send", "recv") or b.op.select >= 0:
            continue
        where = (b.fn.id, id(b.hops[0].op if b.hops else b.op))
        if where in seen:
            continue
        ch_key = flow.key(b.op_fn, b.op.fn)
        ch = flow.channels.get(ch_key) if ch_key else None
        if ch is None or ch.capacity != 0 or not declared_together(b.held.lock.cls, ch.key):
            debug["GIM103_unknown_or_buffered_channels"] += 1
            continue
        if b.kind == "recv" and ch.closes:
            continue
        partner_ops = ch.receives if b.kind == "send" else ch.sends
        partners: list[BlockedUnderLock] = []
        for _pfn, pop in partner_ops:
            under = [q for q in by_op.get(id(pop), ()) if q.held.lock.cls == b.held.lock.cls and q.op is not b.op]
            if not under:
                partners = []
                break
            partners.append(under[0])
        if not partners:
            debug["GIM103_partners_without_the_lock"] += 1
            continue
        roots = concurrent_roots(model, flow, b.fn, partners[0].fn)
        if roots is None:
            continue
        seen.add(where)
        out.append(HeldAcross(b, ch, tuple(partners), roots))
    # Both sides under the lock is one deadlock: told once, from the sender.
    sent = {(c.channel.key, c.blocked.held.lock.cls) for c in out if c.blocked.kind == "send"}
    return [c for c in out if c.blocked.kind == "send" or (c.channel.key, c.blocked.held.lock.cls) not in sent]


def ranges_no_channel(program: Program, fn: Function, op: Op) -> bool:
    """`for _, ch := range c.watchers`: a `range` over a value known not to be a channel (a map,
    slice, array, string or number) takes nothing from anyone and cannot block."""
    if op.mode != "range":
        return False
    ranged = program.type_of(fn, op.fn)
    if not ranged:
        return False
    t = program.underlying(ranged).strip()
    return t.startswith(("[", "map[", "*[")) or t in ("string", "int", "int64", "int32", "uint", "uint64")


def declared_together(lock_cls: str, chan_key: str) -> bool:
    """The lock and the channel are fields of one type, or package variables of one package."""
    lkind, _, lname = lock_cls.partition(":")
    ckind, _, cname = chan_key.partition(":")
    if lkind != ckind or lkind not in ("field", "var"):
        return False
    return lname.rpartition(".")[0] == cname.rpartition(".")[0]


def argument_order_inversions(model: LockModel) -> list[tuple[ArgumentOrder, ArgumentOrder]]:
    """Two calls in one function passing the same two values in opposite orders to code that locks the same field
    of its parameters in order (`go transfer(a, b)`, then `transfer(b, a)`), the two able to overlap.

    They overlap when both are `go` statements, or when the plain call comes
    after the `go` statement in source order (the goroutine may still be
    running). Branch conditions are not read.
    """
    by_pair: dict[tuple, list[ArgumentOrder]] = {}
    for o in model.argument_orders:
        a, b = o.locks
        by_pair.setdefault((o.fn.id, a.cls, a.inst, b.inst), []).append(o)
    out: list[tuple[ArgumentOrder, ArgumentOrder]] = []
    for (fid, cls, x, y), forward in by_pair.items():
        if (x, y) > (y, x):
            continue  # each pair of values once
        backward = by_pair.get((fid, cls, y, x), [])
        found = next(
            ((o1, o2) for o1 in forward for o2 in backward if _exclusive(o1, o2) and _overlap(model, o1, o2)), None
        )
        if found is not None:
            out.append(found if found[0].op.line <= found[1].op.line else (found[1], found[0]))
    return out


def _exclusive(o1: ArgumentOrder, o2: ArgumentOrder) -> bool:
    """Each side waits for the other: not both read locks on either value."""
    return "w" in (o1.first.mode, o2.second.mode) and "w" in (o2.first.mode, o1.second.mode)


def _overlap(model: LockModel, o1: ArgumentOrder, o2: ArgumentOrder) -> bool:
    """One of two calls in one function is a `go` statement running before (or beside) the other.

    A plain call, or a second `go` statement, after the first `go` statement
    overlaps it unless the function first waits (a receive, a
    `WaitGroup.Wait`) in between: that may be the goroutine's end.
    """
    g1, g2 = o1.op.mode == "go", o2.op.mode == "go"
    if not (g1 or g2):
        return False
    if g1 and g2:
        started, later = (o1, o2) if o1.op.line <= o2.op.line else (o2, o1)
    else:
        started, later = (o1, o2) if g1 else (o2, o1)
        if started.op.line >= later.op.line:
            return False
    fn = later.fn
    for op in fn.facts.ops:
        if not started.op.line <= op.line <= later.op.line:
            continue
        if op.kind == "recv":
            return False
        ext = model.program.external_callee(fn, op.fn) if op.kind == "call" else None
        if ext is not None and (ext.pkg, ext.recv, ext.name) in BLOCKING_WAITS:
            return False
    return True


def waits_for_goroutine(flow, fn: Function, before_line: int, other: Function) -> bool:
    """fn receives, before `before_line`, from a channel that a goroutine running `other` closes or sends on.

    `<-s.recvDone; s.mu.Lock()` waits for the receive loop to finish before
    taking its locks: whatever order that loop takes them in, it is over.
    """
    others = flow.entries(other)
    for op in fn.facts.ops:
        if op.kind != "recv" or op.line >= before_line:
            continue
        key = flow.key(fn, op.fn)
        ch = flow.channels.get(key) if key else None
        if ch is None:
            continue
        for cfn, _cop in (*ch.closes, *ch.sends):
            if flow.entries(cfn) & others:
                return True
    return False


def _is_len(x) -> bool:
    """x is `len(...)` or `cap(...)`: a size, not a call that may read the caller's state."""
    c = E.call(x)
    return c is not None and (E.is_ident(c[0], "len") or E.is_ident(c[0], "cap"))


_ANONYMOUS_LOCK = re.compile(r"struct\s*\{\s*\*?sync#(?:RW)?Mutex[\s;}]")


def _anonymous_embedding_lock(t: str) -> bool:
    """t is an anonymous struct type whose first field embeds a sync mutex."""
    return t.startswith("struct") and _ANONYMOUS_LOCK.match(t) is not None


def _fresh_before(fn: Function, lock_op: Op, var, program: Program | None = None) -> bool:
    """Whether var holds a fresh allocation nothing has published when fn reaches lock_op (with
    program: also a value from a constructor of the tree that returns a fresh one)."""
    facts = fn.facts
    chain = list(enclosing_regions(facts, lock_op.region))
    made = False
    for op in facts.ops:
        if op is lock_op:
            return made
        if exclusive_branches(facts, list(enclosing_regions(facts, op.region)), chain):
            continue  # on another branch than the lock
        if op.kind == "assign" and var in op.targets:
            if op.region not in chain or len(op.targets) != len(op.args):
                made = False  # assigned on some paths only: which value is locked is not followed
                continue
            value = op.args[op.targets.index(var)]
            made = (
                E.is_new_call(value)
                or E.composite(E.strip_address(value)) is not None
                or (program is not None and _fresh_constructor(program, fn, value))
            )
            continue
        if not made:
            continue
        if op.kind == "call":
            if any(x == var or E.unary_operand(x, "&") == var for x in op.args if E.is_expr(x)):
                made = False  # handed to a call
            elif op.mode == "go":
                made = False  # a goroutine may capture it
        elif any(
            x == var for e in (op.fn, *op.args) if e is not None and E.is_expr(e) for x in E.subexprs_outside_calls(e)
        ):
            made = False  # stored, sent or returned (a call in the statement is an op of its own, judged above)
    return False


def _fresh_constructor(program: Program, fn: Function, value) -> bool:
    """value is a call of one function of the tree whose every return gives `&T{...}` (or nil): a
    value nobody else holds yet. The function may have filled it in, not handed it anywhere."""
    n = E.op_number(value)
    if n is None or fn.facts.ops[n].kind != "call":
        return False
    targets = program.resolve_call(fn, fn.facts.ops[n])
    if len(targets) != 1 or targets[0].function.facts.recv_name:
        return False
    g = targets[0].function
    returns = [o for o in g.facts.ops if o.kind == "return"]
    made = [_made_value(g, o) for o in returns if o.args]
    return bool(made) and len(made) == len(returns) and all(m is not False for m in made) and True in made


def _made_value(fn: Function, ret: Op) -> bool | None:
    """What the return gives first: True for `&T{...}`, `new(T)`, or a local fn gives only such values
    and has not published by then; None for nil; False for anything else."""
    e = ret.args[0]
    if E.is_nil(e):
        return None
    if E.is_new_call(e) or E.composite(E.strip_address(e)) is not None:
        return True
    name = E.ident(e)
    if name is None:
        return False
    values = [
        op.args[op.targets.index(t)]
        for op in fn.facts.ops
        if op.kind == "assign" and len(op.targets) == len(op.args)
        for t in op.targets
        if E.is_ident(t, name)
    ]
    return (
        bool(values)
        and all(E.is_new_call(v) or E.composite(E.strip_address(v)) is not None for v in values)
        and _fresh_before(fn, ret, E.make_ident(name))
    )


# Library functions that run the function they are given before they return, on the caller's
# goroutine: a lock held around the call is held while it runs.
SYNCHRONOUS_CALLBACKS = frozenset(
    {
        "sort.Slice",
        "sort.SliceStable",
        "sort.Search",
        "slices.SortFunc",
        "slices.SortStableFunc",
        "slices.IndexFunc",
        "slices.ContainsFunc",
        "strings.Map",
        "strings.FieldsFunc",
        "strings.IndexFunc",
        "bytes.Map",
        "bytes.FieldsFunc",
        "regexp.Regexp.ReplaceAllStringFunc",
        "regexp.Regexp.ReplaceAllFunc",
        "sync.Map.Range",
        "path/filepath.Walk",
        "path/filepath.WalkDir",
        "os.Expand",
        "io/fs.WalkDir",
    }
)

_SYNCHRONOUS_NAMES = frozenset(q.rsplit(".", 1)[1] for q in SYNCHRONOUS_CALLBACKS)


def _returned_local(fn: Function) -> str | None:
    """The local every return of fn hands back as its first result, if there is one."""
    returns = [o for o in fn.facts.ops if o.kind == "return"]
    names = {E.ident(r.args[0]) if r.args else None for r in returns}
    name = names.pop() if len(names) == 1 else None
    params = {pn for pn, _t in fn.facts.params} | {fn.facts.recv_name}
    return name if name is not None and name not in params else None


def _result_local(fn: Function, call: Op):
    """The local that fn's assignment of the call's first result names (`b := l.lockBucket(k)`), as an expression."""
    ops = fn.facts.ops
    at = next((k for k, o in enumerate(ops) if o is call), None)
    for o in ops:
        if o.kind == "assign" and len(o.args) == 1 and o.targets and E.call_number(o.args[0]) == at:
            name = E.ident(o.targets[0])
            return o.targets[0] if name is not None and name != "_" else None
    return None


def _receiver_field_of_returns(method: Function) -> str | None:
    """The one field that every return of the method fills with its receiver in the composite it
    returns first (`return &txn{l: l}`), else None."""
    recv = method.facts.recv_name
    field = None
    returns = [o for o in method.facts.ops if o.kind == "return"]
    for r in returns:
        comp = E.composite(E.strip_address(r.args[0])) if r.args else None
        if comp is None:
            return None
        keys = [E.ident(k) for k, v in comp[1] if k is not None and E.is_ident(v, recv)]
        if len(keys) != 1 or keys[0] is None or field not in (None, keys[0]):
            return None
        field = keys[0]
    return field


def _built_keeping(fn: Function, owner: str, field: str, value) -> bool:
    """fn gives its local `owner` its value once, a composite whose `field` is `value` (`exp :=
    &expander{cache: cache}`)."""
    values = [o.args[0] if len(o.args) == 1 else None for o, _i in assignments_to(fn, owner)]
    if len(values) != 1 or values[0] is None:
        return False
    comp = E.composite(E.strip_address(values[0]))
    return comp is not None and any(E.ident(k) == field and v == value for k, v in comp[1] if k is not None)


def _stored_into(fn: Function, call: Op, owner: str, field: str) -> bool:
    """fn assigns the result of call straight to `owner.field` (`s.cache = lru.New(n, s.onEvict)`)."""
    ops = fn.facts.ops
    at = next((k for k, o in enumerate(ops) if o is call), None)
    for o in ops:
        if o.kind != "assign" or len(o.targets) != 1 or len(o.args) != 1 or E.call_number(o.args[0]) != at:
            continue
        sel = E.selector(o.targets[0])
        return sel is not None and E.is_ident(sel[0], owner) and sel[1] == field
    return False
