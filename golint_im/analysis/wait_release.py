"""`wg.Wait()` for a goroutine that blocks on something the waiter does only after the Wait.

A function S calls `wg.Wait()`; a goroutine T counted by `wg` (its `Done`
deferred, or after the blocking operation) first blocks, unconditionally, on

- `<-ctx.Done()` of a context made with `context.WithCancel` from
  `context.Background()`/`context.TODO()`, whose every `cancel()` call is
  S's own code after the Wait (a deferred `cancel()` included: it runs when
  S returns, after the Wait);
- a receive (or a `range`) on a channel whose every send and `close` (every
  `close`, for a `range`) is S's own code after the Wait;
- `c.Wait()` of a `sync.Cond` whose every `Signal`/`Broadcast` is S's own
  code after the Wait.

T's endless `for { select { ... } }` whose only way out is its `case
<-ctx.Done()` counts as blocking on that case. When the context's cancel
function is never called at all (kept in a field nothing calls), nothing
releases T, and S's Wait never returns either. A context parameter is what
the function's one call or `go` statement passes for it.

S waits for T's `Done`, T waits for what S does after the Wait: neither
moves. The wait-before-drain cycles of `circular.py` (T blocked on a send S
receives later) are the other half of this shape; here the goroutine waits
for a release, not a partner's operation.

The cancel function or the channel must be seen whole: a local cancel
passed or stored anywhere, or a cancel field read other than to call it,
keeps the context unjudged; a channel operation the flow does not see
cannot be told from no operation, so only channels held in locals and
struct fields are judged. What is given up is counted in `debug`
(`GIM106_release_*`). Data only; rule GIM106 words it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program, enclosing_regions
from .cancel import is_done_call
from .flow import CHANNEL_FLOW, ChannelFlow
from .locks import BRANCHES
from .regions import on_straight_line
from .syncprims import COND, SYNC_PRIMITIVES, WAITGROUP, SyncCall, SyncPrimitives

DEBUG_KEYS = (
    "GIM106_release_waits_judged",
    "GIM106_release_contexts_unknown",
    "GIM106_release_channels_unknown",
    "GIM106_release_before_or_elsewhere",
)
_BACKGROUND = frozenset({"Background", "TODO"})
_CANCELLABLE = frozenset({"WithCancel", "WithCancelCause"})


@dataclass(frozen=True)
class WaitBeforeRelease:
    """S's `Wait` (wait) counts goroutine T, which blocks on `blocked` until S's `release`, after the Wait."""

    wait: SyncCall  # S's wg.Wait()
    goroutine: Function  # T
    done: SyncCall  # T's Done
    blocked_fn: Function  # T (the blocking op is T's own)
    blocked: Op  # `<-ctx.Done()`, `<-ch`, `for range ch`, `c.Wait()`
    what: str  # "context", "channel" or "cond"
    holder: str  # the context, channel or Cond as the goroutine writes it
    release_fn: Function | None
    release: Op | None  # the first `cancel()`, send, `close` or `Signal` of S after the Wait
    releases: int  # how many release operations exist (all of them after the Wait); 0: none at all
    # with no release at all: where the context and its cancel function are made (`WithCancel`)
    made_fn: Function | None = None
    made: Op | None = None
    looped: bool = False  # blocked is the Done case of the endless select loop the goroutine runs


class _Finder:
    def __init__(self, program: Program, prims: SyncPrimitives, flow: ChannelFlow, debug: dict):
        self.program = program
        self.prims = prims
        self.flow = flow
        self.debug = debug
        self._cancel_fields: dict[str, list[tuple[Function, Op]] | None] = {}
        self.made: tuple[Function, Op] | None = None  # the `WithCancel` the last context judged came from
        self._ctx_fields: dict[tuple, list[tuple[Function, Op]] | None] = {}

    # ---- the goroutine's side ------------------------------------------------------------
    def counted(self, done: SyncCall) -> list[tuple[Function, Op | None]]:
        """(goroutine, the op its Done comes with, None when deferred): the Done's own function started with `go`."""
        fn, op = done.fn, done.op
        if not fn.go_sites or any(c for c in self.program.callers(fn) if c[1].mode != "go"):
            return []
        return [(fn, None if op.mode == "defer" else op)]

    def first_block(self, g: Function, stop: Op | None) -> Op | None:
        """g's first operation that may block, reached on every run of g; None if a branch or return comes first."""
        facts = g.facts
        for op in facts.ops:
            if op is stop or op.kind in ("return", "jump", "send"):
                return None  # the Done first, a way out, or another blocking operation: another story
            wait = self.prims_call(op) if op.kind == "call" and op.mode == "plain" else None
            if wait is not None and wait.method == "Wait" and wait.kind != COND:
                return None
            if (op.kind != "recv" and wait is None) or (wait is not None and wait.method != "Wait"):
                continue
            if op.kind == "recv" and op.select >= 0 and not _one_case_select(facts, op.select):
                return _done_ends_the_loop(g, op.select)
            for r in enclosing_regions(facts, op.region):
                region = facts.regions[r]
                if region.kind in BRANCHES and not (region.kind in ("case", "select") and _one_case_select(facts, r)):
                    return None
                if region.kind == "range" and op.mode != "range":
                    return None
                if region.kind == "for" and region.info is not None and wait is None:
                    return None  # a bounded loop may run no iteration (a Cond's re-check loop is the rule)
            return op
        return None

    def prims_call(self, op: Op) -> SyncCall | None:
        if not hasattr(self, "_by_op"):
            self._by_op = {id(c.op): c for calls in self.prims.calls.values() for c in calls}
        return self._by_op.get(id(op))

    # ---- what releases it ------------------------------------------------------------------
    def releases(
        self, g: Function, op: Op, per_item: bool = False
    ) -> tuple[str, str, list[tuple[Function, Op]]] | None:
        """(what, holder text, every operation that would release op) or None when not seen whole.
        per_item: op is a `range` whose body calls the Done, so each value sent lets it through."""
        c = self.prims_call(op)
        if c is not None:
            return "cond", c.text, [(s.fn, s.op) for s in self.prims.calls.get(c.key, ()) if s.method != "Wait"]
        called = E.call(op.fn)
        if called is not None:
            sel = E.selector(called[0])
            if sel is None or sel[1] != "Done" or called[1]:
                return None
            t = self.program.type_of(g, sel[0]) or ""
            if t and t.lstrip("*") != "context#Context" and not t.endswith("context.Context"):
                return None  # unknown types are left to the pair: only `context.WithCancel` makes one
            cancels = self._cancels(g, sel[0])
            if cancels is None:
                self.debug["GIM106_release_contexts_unknown"] += 1
                return None
            return "context", E.render(sel[0]), cancels
        key = self.flow.key(g, op.fn)
        ch = self.flow.channels.get(key) if key else None
        if ch is None or not key or not (key.startswith("local:") or key.startswith("field:")):
            self.debug["GIM106_release_channels_unknown"] += 1
            return None
        ops = list(ch.closes) if op.mode == "range" and not per_item else [*ch.sends, *ch.closes]
        return "channel", E.render(op.fn), ops

    def _cancels(self, g: Function, ctx_expr, depth: int = 0) -> list[tuple[Function, Op]] | None:
        """Every call of the cancel function made with this context; None when it escapes or is unknown.

        A parameter is what the function's one call (or `go` statement) passes for it."""
        name = E.ident(ctx_expr)
        if name is not None:
            d = self.program.declaring_function(g, name)
            if d is None:
                return None
            params = [pn for pn, _t in d.facts.params]
            if name in params:
                sites = self.program.callers(d)
                if depth >= 3 or len(sites) != 1 or d.parent is not None:
                    return None
                caller, call_op = sites[0]
                index = params.index(name)
                if index >= len(call_op.args) or d.facts.variadic:
                    return None
                return self._cancels(caller, call_op.args[index], depth + 1)
            pair = self._pair(d, lambda t, n=name: E.is_ident(t, n))
            if pair is None:
                return None
            op, cancel = pair
            self.made = (d, op)
            cancel_name = E.ident(cancel)
            if cancel_name is not None:
                return self._local_cancels(d, cancel_name)
            sel = E.selector(cancel)
            return self._field_cancels(d, sel[0], sel[1]) if sel is not None else None
        sel = E.selector(ctx_expr)
        if sel is None:
            return None
        return self._field_cancels_of_ctx(g, sel[0], sel[1])

    def _pair(self, d: Function, is_ctx) -> tuple[Op, object] | None:
        """In d, the one `ctx, cancel := context.WithCancel(context.Background())` assigning ctx: (op, cancel)."""
        found = None
        for op in d.facts.ops:
            if op.kind != "assign" or not any(is_ctx(t) for t in op.targets):
                continue
            if found is not None or len(op.targets) != 2 or len(op.args) != 1 or not is_ctx(op.targets[0]):
                return None
            if not self._fresh_cancellable(d, op.args[0]):
                return None
            found = (op, op.targets[1])
        return found

    def _fresh_cancellable(self, fn: Function, value) -> bool:
        """`context.WithCancel(context.Background())` (or TODO): nothing but its own cancel ends it."""
        called = E.call(value)
        if called is None or len(called[1]) < 1:
            return False
        ext = self.program.external_callee(fn, called[0])
        if ext is None or ext.pkg != "context" or ext.name not in _CANCELLABLE:
            return False
        parent = E.call(called[1][0])
        pext = self.program.external_callee(fn, parent[0]) if parent is not None else None
        return pext is not None and pext.pkg == "context" and pext.name in _BACKGROUND

    def _local_cancels(self, d: Function, cancel: str) -> list[tuple[Function, Op]] | None:
        """The calls of local `cancel` in d and its literals; None when it is used any other way (stored, passed)."""
        out: list[tuple[Function, Op]] = []
        stored_into: list = []
        for f in (d, *d.nested_literals()):
            for op in f.facts.ops:
                if op.kind == "call" and E.is_ident(op.fn, cancel):
                    if self.program.declaring_function(f, cancel) is d:
                        out.append((f, op))
                    continue
                if op.kind == "assign" and any(E.is_ident(t, cancel) for t in op.targets):
                    if f is d and len(op.args) == 1 and self._fresh_cancellable(f, op.args[0]):
                        continue  # the pair's own assignment
                    return None
                for a in op.args:
                    if any(E.is_ident(e, cancel) for e in E.subexprs(a)):
                        if op.kind == "call" and op.mode == "defer" and E.funclit(op.fn) is not None:
                            continue
                        comp = self._composite_field(f, a, cancel)
                        if comp is None:
                            return None
                        stored_into.append(comp)
        for type_name, fname in stored_into:
            more = self._field_calls(type_name, fname)
            if more is None:
                return None
            out.extend(more)
        return out

    def _composite_field(self, fn: Function, value, name: str) -> tuple[str, str] | None:
        """(type, field) when value is `&T{f: name}` (or `T{...}`) storing the local only there."""
        comp = E.composite(E.strip_address(value))
        if comp is None or not comp[0]:
            return None
        t = self.program.named(self.program.qualify(comp[0], fn.file))
        if t is None:
            return None
        for k, v in comp[1]:
            if E.is_ident(v, name) and E.ident(k) is not None:
                return t, str(E.ident(k))
        return None

    def _field_cancels(self, d: Function, base, fname: str) -> list[tuple[Function, Op]] | None:
        t = self.program.type_of(d, base)
        named = self.program.named(t) if t else None
        return self._field_calls(named, fname) if named else None

    def _field_cancels_of_ctx(self, g: Function, base, ctx_field: str) -> list[tuple[Function, Op]] | None:
        """For `<-s.ctx.Done()`: the one field pair `s.ctx, s.cancel` assigned from a fresh WithCancel, its calls.

        Memoised per field: the answer reads the whole program once.
        """
        t = self.program.type_of(g, base)
        named = self.program.named(t) if t else None
        if named is None:
            return None
        memo = ("ctx", named, ctx_field)
        if memo not in self._ctx_fields:
            self._ctx_fields[memo] = self._read_ctx_field(named, ctx_field)
        return self._ctx_fields[memo]

    def _read_ctx_field(self, named: str, ctx_field: str) -> list[tuple[Function, Op]] | None:
        cancel_field: str | None = None
        for f in self.program.functions_naming_field(named, ctx_field):
            for op in f.facts.ops:
                if op.kind != "assign":
                    continue
                for i, target in enumerate(op.targets):
                    sel = E.selector(target)
                    if sel is None or sel[1] != ctx_field or self._named(f, sel[0]) != named:
                        continue
                    if i != 0 or len(op.targets) != 2 or len(op.args) != 1:
                        return None
                    if not self._fresh_cancellable(f, op.args[0]):
                        return None
                    other = E.selector(op.targets[1])
                    if other is None or cancel_field not in (None, other[1]):
                        return None
                    cancel_field = other[1]
        if cancel_field is None:
            return self._composite_cancels(named, ctx_field)
        return self._field_calls(named, cancel_field)

    def _composite_cancels(self, named: str, ctx_field: str) -> list[tuple[Function, Op]] | None:
        """`&T{ctx: ctx, cancel: cancel}` from a local pair: the calls of the local and of the field."""
        for f in self.program.functions_naming_field(named, ctx_field):
            for op in f.facts.ops:
                for a in op.args:
                    comp = E.composite(E.strip_address(a))
                    if comp is None or not comp[0]:
                        continue
                    if self.program.named(self.program.qualify(comp[0], f.file)) != named:
                        continue
                    for k, v in comp[1]:
                        local = E.ident(v)
                        if E.ident(k) != ctx_field or local is None:
                            continue
                        d = self.program.declaring_function(f, local)
                        pair = self._pair(d, lambda t, n=local: E.is_ident(t, n)) if d is not None else None
                        cancel = E.ident(pair[1]) if pair is not None else None
                        return self._local_cancels(d, cancel) if d is not None and cancel else None
        return None

    def _named(self, fn: Function, expr) -> str | None:
        t = self.program.type_of(fn, expr)
        return self.program.named(t) if t else None

    def _field_calls(self, named: str, fname: str) -> list[tuple[Function, Op]] | None:
        """The calls `x.fname()` on values of type named; None when the field is read any other way."""
        memo = f"{named}.{fname}"
        if memo in self._cancel_fields:
            return self._cancel_fields[memo]
        out: list[tuple[Function, Op]] | None = []
        for f in self.program.functions_naming_field(named, fname):
            for op in f.facts.ops:
                if op.kind == "call" and (sel := E.selector(op.fn)) is not None and sel[1] == fname:
                    if self._named(f, sel[0]) == named and out is not None:
                        out.append((f, op))
                    continue
                if op.kind == "assign":
                    continue  # the pair's own assignment was checked where the field was found
                for a in op.args:
                    for e in E.subexprs(a):
                        s = E.selector(e)
                        if s is not None and s[1] == fname and self._named(f, s[0]) == named:
                            out = None
        self._cancel_fields[memo] = out
        return out

    # ---- the waiter's side -------------------------------------------------------------------
    def all_after(self, wait: SyncCall, releases: list[tuple[Function, Op]]) -> tuple[Function, Op] | None:
        """The first release when every one is S's own code after the Wait (or deferred in S)."""
        s, w = wait.fn, wait.op
        first: tuple[Function, Op] | None = None
        for rfn, rop in releases:
            if rfn is not s:
                deferred = self._deferred_literal(s, rfn)  # `defer func() { cancel() }()`
                if deferred is None:
                    return None
                rfn, rop = s, deferred
            elif not (rop.mode == "defer" or rop.line > w.line):
                return None
            if first is None or rop.line < first[1].line:
                first = (rfn, rop)
        return first

    def _deferred_literal(self, s: Function, lit: Function) -> Op | None:
        """The `defer func() { ... }()` of s that runs the literal lit, if that is the only way it runs."""
        if lit.parent is not s or lit.go_sites:
            return None
        for op in s.facts.ops:
            if op.kind == "call" and op.mode == "defer" and (i := E.funclit(op.fn)) is not None:
                if self.program.literal(s, i) is lit:
                    return op
        return None

    def judge(self, wait: SyncCall) -> WaitBeforeRelease | None:
        for done in self.prims.calls.get(wait.key, ()):
            if done.method != "Done":
                continue
            for g, stop in self.counted(done):
                if g is wait.fn or any(site[0] is wait.fn and site[1].line > wait.op.line for site in g.go_sites):
                    continue
                op = self.first_block(g, stop)
                if op is None:
                    continue
                self.made = None
                found = self.releases(g, op, _done_per_item(g, op, stop))
                if found is None:
                    continue
                what, holder, ops = found
                self.debug["GIM106_release_waits_judged"] += 1
                looped = op.select >= 0 and not _one_case_select(g.facts, op.select)
                if not ops and what == "context" and self.made is not None:
                    # `ctx, cancel := context.WithCancel(...)` whose cancel nothing ever calls
                    made_fn, made = self.made
                    return WaitBeforeRelease(wait, g, done, g, op, what, holder, None, None, 0, made_fn, made, looped)
                first = self.all_after(wait, ops) if ops else None
                if first is None:
                    self.debug["GIM106_release_before_or_elsewhere"] += 1
                    continue
                return WaitBeforeRelease(
                    wait, g, done, g, op, what, holder, first[0], first[1], len(ops), looped=looped
                )
        return None


def _done_per_item(g: Function, op: Op, stop: Op | None) -> bool:
    """op is a `range` over a channel and the Done (stop) sits in its body: the group counts the
    values sent (`for range ch { work(); wg.Done() }`), not the goroutine's end."""
    if op.mode != "range" or stop is None:
        return False
    facts = g.facts
    loops = [r for r in enclosing_regions(facts, stop.region) if facts.regions[r].kind == "range"]
    return any(facts.regions[r].line == op.line for r in loops)


def _done_ends_the_loop(g: Function, select: int) -> Op | None:
    """`for { select { case <-ctx.Done(): return; case <-t.C: ... } }` as g's body: the `<-ctx.Done()`
    receive when it is the only way out of g, so g runs until the context is cancelled.

    The select must sit straight in an endless `for` (no branch around either), have no `default`,
    and every `return` and labelled or `goto` jump of g must be inside the Done case."""
    facts = g.facts
    done = [
        op
        for op in facts.ops
        if op.kind == "recv" and op.select == select and op.mode == "case" and is_done_call(op.fn)
    ]
    info = facts.regions[select].info  # (has a default, number of cases)
    if len(done) != 1 or not info or info[0]:
        return None
    chain = list(enclosing_regions(facts, select))
    loop = next((r for r in chain if facts.regions[r].kind in ("for", "range")), None)
    if loop is None or facts.regions[loop].kind != "for" or facts.regions[loop].info is not None:
        return None
    for r in chain:
        if r == loop:
            break
        if r != select and facts.regions[r].kind in BRANCHES:
            return None
    for r in enclosing_regions(facts, loop):
        if r != loop and facts.regions[r].kind in BRANCHES | {"for", "range"}:
            return None
    case = done[0].body
    for op in facts.ops:
        leaves = op.kind == "return" or (op.kind == "jump" and (op.mode == "goto" or op.fn is not None))
        if leaves and case not in enclosing_regions(facts, op.region):
            return None
    return done[0]


def _one_case_select(facts, r: int) -> bool:
    """r is a select (or a case of one) with a single case and no default: a plain blocking operation."""
    region = facts.regions[r]
    if region.kind == "case":
        region = facts.regions[region.parent] if region.parent >= 0 else region
    info = region.info
    return region.kind == "select" and bool(info) and not info[0] and info[1] == 1


def waits_before_release(program: Program, prims: SyncPrimitives, flow: ChannelFlow, debug: dict) -> list:
    for key in DEBUG_KEYS:
        debug.setdefault(key, 0)
    finder = _Finder(program, prims, flow, debug)
    out: list[WaitBeforeRelease] = []
    for calls in prims.calls.values():
        for c in calls:
            if c.kind != WAITGROUP or c.method != "Wait" or c.op.mode != "plain":
                continue
            found = finder.judge(c)
            if found is not None:
                out.append(found)
    return out


def _build(ctx: Context) -> list[WaitBeforeRelease]:
    return waits_before_release(ctx.program, ctx.result(SYNC_PRIMITIVES), ctx.result(CHANNEL_FLOW), ctx.debug)


WAIT_BEFORE_RELEASE = Pass(
    "wait-before-release",
    _build,
    requires=(SYNC_PRIMITIVES, CHANNEL_FLOW),
    doc="wg.Wait() for a goroutine blocked on a cancel, close, send or Signal the waiter does only after the Wait",
)


# ---- a Cond signalled only before its waiter starts ----------------------------------------------


@dataclass(frozen=True)
class EarlySignal:
    """`c.Wait()` in a goroutine that `starter` starts with `go_op`, after every `Signal`/`Broadcast` of c."""

    wait: SyncCall
    starter: Function
    go_op: Op
    signals: tuple[SyncCall, ...]  # every Signal/Broadcast of the Cond: the starter's own, before go_op
    # The raced form: `starter` starts the signalling goroutine with go_op, then calls the waiting
    # function here; the Wait checks no condition, so a signal sent before it is lost. None: the
    # signals are the starter's own, sent before it starts the waiting goroutine.
    waiter_call: Op | None = None
    waiter_caller: Function | None = None  # the function making waiter_call: starter, or a goroutine it starts


def early_signals(program: Program, prims: SyncPrimitives, debug: dict) -> list[EarlySignal]:
    """Cond Waits whose every wake-up is sent before the goroutine that waits is even started.

    A signal wakes only goroutines already waiting; one sent before the `go`
    statement wakes nobody, and nothing signals again. Judged only when the
    Wait is on the goroutine's straight line (no branch, no `return` before
    it) and not in a conditional re-check loop (`for !ready { c.Wait() }`
    may never wait, if the state was set with the signal), the goroutine is
    started once, from one place, by the function holding every signal, and
    no loop around the `go` statement could signal again.
    """
    debug.setdefault("GIM106_early_signal_waits_unjudged", 0)
    out: list[EarlySignal] = []
    for calls in prims.calls.values():
        signals = tuple(c for c in calls if c.kind == COND and c.method in ("Signal", "Broadcast"))
        if not signals:
            continue
        for w in calls:
            if w.kind != COND or w.method != "Wait" or w.op.mode != "plain":
                continue
            found = _early(program, w, signals) or _raced(program, w, signals)
            if found is None:
                debug["GIM106_early_signal_waits_unjudged"] += 1
                continue
            out.append(found)
    return out


def _early(program: Program, w: SyncCall, signals: tuple[SyncCall, ...]) -> EarlySignal | None:
    g = w.fn
    if len(g.go_sites) != 1 or any(call.mode != "go" for _c, call in program.callers(g)):
        return None
    starter, go_op = g.go_sites[0]
    if go_op.mode != "go" or _in_loop(starter, go_op):
        return None
    if any(s.fn is not starter or s.op.mode != "plain" or s.op.line >= go_op.line for s in signals):
        return None
    facts = g.facts
    for op in facts.ops:
        if op is w.op:
            break
        if op.kind in ("return", "jump"):
            return None
    for r in enclosing_regions(facts, w.op.region):
        region = facts.regions[r]
        if region.kind in BRANCHES or region.kind == "range" or (region.kind == "for" and region.info is not None):
            return None
    return EarlySignal(w, starter, go_op, signals)


def _raced(program: Program, w: SyncCall, signals: tuple[SyncCall, ...]) -> EarlySignal | None:
    """A Wait that checks no condition, in a function that takes the lock itself, called by a
    function right after it starts the goroutine holding every signal of the Cond (`go e.Elect(id);
    return e.AwaitLeader()`): when the goroutine signals before the Wait, nobody is waiting yet, the
    signal is lost, and nothing signals again. Judged only on straight lines: the Wait, the lock
    before it, the `go` and the call outside any branch or loop, each signal outside any loop, and
    no `return` before the Wait."""
    g = w.fn
    if not _bare(g, w.op) or not _locks_before(g, w.op):
        return None
    signallers = {s.fn.id for s in signals}
    if len(signallers) != 1 or any(s.op.mode != "plain" or _in_loop(s.fn, s.op) for s in signals):
        return None
    signaller = signals[0].fn
    for caller, call in program.callers(g):
        if call.mode != "plain" or not on_straight_line(caller.facts, call.region):
            continue
        # the caller itself, or the function starting the caller's goroutine (`go func() { got <-
        # s.WaitReady() }()` after `go s.Load(...)`), starts the signaller first
        places = [(caller, call)]
        if caller.parent is not None and len(caller.go_sites) == 1:
            places.append(caller.go_sites[0])
        for starter, at_op in places:
            if at_op.mode not in ("plain", "go") or not on_straight_line(starter.facts, at_op.region):
                continue
            go_op = _started_before(program, starter, at_op, signaller)
            if go_op is not None:
                return EarlySignal(w, starter, go_op, signals, waiter_call=call, waiter_caller=caller)
    return None


def _started_before(program: Program, starter: Function, at_op: Op, signaller: Function) -> Op | None:
    """starter's `go` statement, straight and before at_op, that runs signaller."""
    ops = starter.facts.ops
    for go_op in ops[: ops.index(at_op)]:
        if go_op.kind != "call" or go_op.mode != "go" or not on_straight_line(starter.facts, go_op.region):
            continue
        if any(t.function is signaller for t in program.resolve_call(starter, go_op)):
            return go_op
    return None


def _bare(fn: Function, op: Op) -> bool:
    """op is on fn's straight line: no branch or loop around it, no `return` or jump before it."""
    facts = fn.facts
    for before in facts.ops:
        if before is op:
            break
        if before.kind in ("return", "jump"):
            return False
    return on_straight_line(fn.facts, op.region)


def _locks_before(fn: Function, op: Op) -> bool:
    """fn calls `X.Lock()` on its straight line before op: it takes the Cond's lock itself, after
    its caller started the signalling goroutine."""
    for before in fn.facts.ops:
        if before is op:
            return False
        if before.kind == "call" and E.selected_name(before.fn) == "Lock" and on_straight_line(fn.facts, before.region):
            return True
    return False


def _in_loop(fn: Function, op: Op) -> bool:
    facts = fn.facts
    return any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, op.region))


def _build_early(ctx: Context) -> list[EarlySignal]:
    return early_signals(ctx.program, ctx.result(SYNC_PRIMITIVES), ctx.debug)


EARLY_SIGNALS = Pass(
    "early-signals",
    _build_early,
    requires=(SYNC_PRIMITIVES,),
    doc="Cond.Wait in a goroutine started only after every Signal/Broadcast of the Cond",
)
