"""Circular waits between a goroutine and the function that started it.

Two of the commonest communication deadlocks are one shape seen from two
sides. A function S starts a goroutine T, then blocks on an operation X
(a `wg.Wait()` or `errgroup.Group.Wait()`, a plain receive, a plain send)
whose only release is in T: the `Done` that T defers, the `close(done)` or
send on `done`, the receive of what S sends. T, before that release, blocks
on an operation Y (a send, a receive, a `range`) whose only partner is in S,
after X. S waits for T, T waits for S: neither moves.

- Wait before drain: counted goroutines send on `out` before their `Done`,
  and S calls `wg.Wait()` before it receives from `out`.
- Channel cycle: T does `a <- 1; <-b`, S does `b <- 2; <-a`.

Only channel instances whose whole life is visible are judged (a local made
once with a constant capacity, followed into the functions it is passed to:
see `instances.py`), so every partner of X and Y is known. A send whose
buffer holds every sender made before the drain does not block; with a
buffer, the senders must be counted (a constant-bound loop starting them),
else the channel is not judged. Operations inside a `select` are taken as
non-blocking. Everything given up is counted in `debug` (`circular_*`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial

from .. import expr as E
from ..facts import Op
from ..passes import Budget, Context, Pass
from ..program import Function, Program, enclosing_regions
from .flow import CHANNEL_FLOW, Channel, ChannelFlow, _ops_under
from .instances import Confinement, instance_bindings, local_instances
from .partners import PARTNERS
from .regions import constant_trip_count, exclusive_branches
from .syncprims import SYNC_PRIMITIVES, WAITGROUP, SyncPrimitives

_SCOPE_DEPTH = 3  # calls followed from S and T to find the operations on S's struct-field channel
_SCOPE_SIZE = 200  # functions in that scope before giving up (silence)
UNCOUNTED = -1  # goroutines started by a loop whose bound is not a constant
_GROUP_TYPES = ("golang.org/x/sync/errgroup#Group", "sync#WaitGroup")  # `g.Go(f)`: counted, Done at f's end


@dataclass
class Started:
    """A goroutine S starts: by `go`, or by `g.Go(f)` of an errgroup or WaitGroup (counted by g)."""

    op: Op  # the `go` statement or the `g.Go(...)` call, in S
    function: Function  # T
    group: str | None = None  # the holder key of g for `g.Go(f)`


@dataclass
class CircularWait:
    """S blocks on `wait` until T's `release`; T blocks on `blocked` until S's `partner`, after `wait`."""

    starter: Function  # S
    started: Started  # the statement starting T
    blocked_fn: Function  # the function holding T's blocking operation (T, or one it calls)
    blocked: Op  # Y: T's send, receive or range
    path: tuple  # calls from T to Y (caller, op, callee, via)
    channel: Channel  # Y's channel
    wait: Op  # X, in S
    wait_kind: str  # "group" (a Wait), "recv" or "send"
    wait_text: str  # the holder as written at X: `wg`, `done`, `b`
    release: Op | None  # T's op that would let X go (None: the end of a `g.Go` function)
    partner: Op  # S's op that Y waits for, after X
    senders: int = 1  # sends that may be waiting on `channel` before S's partner (UNCOUNTED)
    wait_channel: Channel | None = None  # X's channel for "recv"/"send"
    wait_call: Op | None = None  # S's call reaching X in a callee (`srv.Stop()`); None: X is S's own
    wait_fn: Function | None = None  # the function holding X (S, or the callee)
    # S's later call handing the channel to a function that holds the partner (`e.combine(id, signals)`
    # ranging over it): (the call, the callee, the channel as S writes it). None: the partner is S's own.
    partner_call: tuple | None = None

    @property
    def is_group(self) -> bool:
        return self.wait_kind == "group"


class Circular:
    def __init__(
        self,
        program: Program,
        flow: ChannelFlow,
        prims: SyncPrimitives,
        budget: Budget,
        confinement: Confinement | None = None,
    ):
        self.program = program
        self.flow = flow
        self.prims = prims
        self.budget = budget
        self.debug: Counter = Counter()
        self.found: list[CircularWait] = []
        self._scopes: dict[tuple[int, int, str], set[int] | None] = {}
        self._sync_calls: dict[int, list] = {}
        for calls in prims.calls.values():
            for c in calls:
                self._sync_calls.setdefault(c.fn.id, []).append(c)
        # Functions that start goroutines themselves (the only possible S), and with the functions
        # around them, where local channels may be followed as instances.
        # Only the callers of `go` statements the program resolved, and functions with literals (a
        # `g.Go(func() {...})` whose group's type the model may not know), need their ops read.
        candidates = {caller.id for f in program.functions for caller, _op in f.go_sites}
        candidates |= {f.id for f in program.functions if f.literals}
        own = [
            f
            for f in program.functions
            if f.id in candidates and any(op.kind == "call" and _starts_one(op) for op in f.facts.ops)
        ]
        starters: set[int] = set()
        for f in own:
            g: Function | None = f
            while g is not None and g.id not in starters:
                starters.add(g.id)
                g = g.parent
        confinement = confinement or Confinement(program)  # GIM102's, whose op index is built already
        instances = local_instances(program, flow, confinement, set(), Counter(), starters)
        self._by_maker: dict[int, list[Channel]] = {}
        for ch, maker, _name in instances:
            self._by_maker.setdefault(maker.id, []).append(ch)
        # Struct-field channels made once (`&T{ch: make(chan int)}`): one instance when the starter
        # holds the struct through one variable and every partner is seen (checked per use).
        self._fields_by_maker: dict[int, list[Channel]] = {}
        fields = []
        for key in sorted(flow.channels):
            ch = flow.channels[key]
            if key.startswith("field:") and len(ch.make_sites) == 1 and ch.capacity is not None:
                fields.append(ch)
                self._fields_by_maker.setdefault(ch.make_sites[0][0].id, []).append(ch)
        # A method judged on its receiver's field channel made by a caller (`f := &fetcher{out:
        # make(chan string)}; f.fetchAll(urls)`): made at one site, so every instance has its capacity.
        self._fields_used_by: dict[int, list[Channel]] = {}
        for ch in fields:
            for fn, _op in (*ch.sends, *ch.receives, *ch.closes):
                if fn.facts.recv and ch not in self._fields_used_by.setdefault(fn.id, []):
                    self._fields_used_by[fn.id].append(ch)
        # Which instances each op belongs to (a worker's send may serve several callers' instances).
        self._roles: dict[int, list[tuple[Channel, str]]] = {}
        for ch in [c for c, _maker, _name in instances] + fields:
            for role, ops in (("send", ch.sends), ("recv", ch.receives), ("close", ch.closes)):
                for _fn, op in ops:
                    self._roles.setdefault(id(op), []).append((ch, role))
        # The functions each channel has operations in: the goroutine's partner must be in S.
        self._users: dict[str, set[int]] = {}
        for ch in [c for c, _maker, _name in instances] + fields:
            self._users[ch.key] = {fn.id for ops in (ch.sends, ch.receives, ch.closes) for fn, _op in ops}
        for fn in own:
            self._judge_starter(fn)

    # ---- what S starts and what it then blocks on ------------------------------------------
    def _calls_in(self, fn: Function) -> list:
        """The WaitGroup and Cond calls fn makes itself."""
        return self._sync_calls.get(fn.id, [])

    def _instances_around(self, fn: Function) -> list[Channel]:
        """The local instances made by fn or a function around it, and the field channels made
        there or in a function fn calls (a constructor)."""
        out: list[Channel] = []
        g: Function | None = fn
        while g is not None:
            out.extend(self._by_maker.get(g.id, ()))
            out.extend(self._fields_by_maker.get(g.id, ()))
            g = g.parent
        out.extend(c for c in self._fields_used_by.get(fn.id, ()) if c not in out)
        if self._fields_by_maker:
            for op in fn.facts.ops:
                if op.kind == "call" and op.mode == "plain":
                    targets = self.program.resolve_call(fn, op)
                    if len(targets) == 1:
                        out.extend(c for c in self._fields_by_maker.get(targets[0].function.id, ()) if c not in out)
        return out

    def _holders_in(self, s: Function, ch: Channel) -> set[str]:
        """How s names the struct holding the field channel ch in its operations on it (`srv`)."""
        out = set()
        for ops in (ch.sends, ch.receives, ch.closes):
            for fn, op in ops:
                if fn is s:
                    held = E.strip_address(op.fn if op.kind != "call" else op.args[0])
                    base = E.selector_base(held)
                    out.add(E.render(base) if base is not None else "")
        return out

    def _held_once(self, s: Function, started: Started, ch: Channel) -> bool:
        """A field channel is used in s through one variable (`srv.in`, never `a.in` and `b.in`),
        and the goroutine is a literal or is given that variable (`go srv.loop()`, `go run(srv)`)."""
        bases = self._holders_in(s, ch)
        if len(bases) != 1:
            self.debug["circular_field_held_twice"] += 1
            return False
        if started.function.parent is not None:
            return True
        base = next(iter(bases))
        given = [E.selector_base(started.op.fn), *started.op.args]
        return any(e is not None and E.render(E.strip_address(e)) == base for e in given)

    def _starts(self, s: Function) -> list[Started]:
        out = []
        for op in s.facts.ops:
            if op.kind != "call":
                continue
            if op.mode == "go":
                targets = self.program.resolve_call(s, op)
                if len(targets) != 1:
                    self.debug["circular_go_unresolved"] += 1
                    continue
                out.append(Started(op, targets[0].function, None))
            elif op.mode == "plain" and E.selected_name(op.fn) == "Go" and len(op.args) == 1:
                base = E.selector_base(op.fn)
                if not self._is_group(s, base, _GROUP_TYPES):
                    continue
                values = self.program.func_values(s, op.args[0])
                group = self.prims.key_of(s, base)
                if len(values) != 1 or group is None:
                    self.debug["circular_go_unresolved"] += 1
                    continue
                out.append(Started(op, values[0].function, group))
        return out

    def _is_group(self, s: Function, base, types: tuple) -> bool:
        """base is a WaitGroup or errgroup.Group of `types`: by its type, or a local assigned the
        group of `errgroup.WithContext` (whose result type the model does not know)."""
        if (self.program.type_of(s, base) or "").lstrip("*") in types:
            return True
        name = E.ident(base)
        owner = self.program.declaring_function(s, name) if name is not None else None
        if name is None or owner is None or _GROUP_TYPES[0] not in types:
            return False
        for op in owner.facts.ops:
            if op.kind == "assign" and op.targets and E.is_ident(op.targets[0], name) and len(op.args) == 1:
                called = E.call(op.args[0])
                ext = self.program.external_callee(owner, called[0]) if called is not None else None
                if ext is not None and (ext.pkg, ext.name) == ("golang.org/x/sync/errgroup", "WithContext"):
                    return True
        return False

    def _times(self, s: Function, op, ch: Channel, x_at) -> int:
        """How many goroutines the statement starts for one instance of ch, waiting at S's blocking
        operation x_at: 1 outside loops, K in `for i := 0; i < K; i++` (regions.constant_trip_count).
        A loop that also makes the channel makes one per round, and one around x_at too waits for
        each round's goroutines."""
        times = 1
        maker, make_op = ch.make_sites[0]
        per_round = set(enclosing_regions(s.facts, x_at.region))
        if maker is s and make_op is not None:
            per_round |= set(enclosing_regions(s.facts, make_op.region))
        for r in enclosing_regions(s.facts, op.region):
            if r in per_round:
                continue
            reg = s.facts.regions[r]
            if reg.kind == "range":
                return UNCOUNTED
            if reg.kind != "for":
                continue
            bound = constant_trip_count(self.program, s, r)
            if bound is None or self._leaves_loop(s, r):
                return UNCOUNTED
            times *= bound
        return times

    def _leaves_loop(self, s: Function, loop: int) -> bool:
        return any(
            op.kind in ("return", "jump") and loop in enclosing_regions(s.facts, op.region) for op in s.facts.ops
        )

    def _judge_starter(self, s: Function) -> None:
        starts = self._starts(s)
        if not starts:
            return
        channels = self._instances_around(s)
        ops = s.facts.ops
        index = {id(op): i for i, op in enumerate(ops)}
        waits = [c for c in self._calls_in(s) if c.method == "Wait" and c.kind == WAITGROUP]
        blocking = [
            (i, op)
            for i, op in enumerate(ops)
            if op.kind in ("send", "recv") and op.select < 0 and op.mode != "range" and self._roles.get(id(op))
        ]
        group_waits = self._group_waits(s, waits)
        called = self._blocking_calls(s, starts)
        if not blocking and not group_waits and not called:
            return
        if not self.budget.charge(s, len(ops) * (len(starts) + 1)):
            return
        reported: set[int] = set()
        for started in starts:
            g = index[id(started.op)]
            ys = self._goroutine_blocks(s, started, channels)
            if not ys:
                continue
            for xi, x, kind, text, key, via in self._waits_after(s, g, group_waits, blocking, called):
                if id(x) in reported or self._exclusive(s, started.op, via or x):
                    continue
                if via is not None and not self._same_receiver(s, started, via, x):
                    continue
                found = self._cycle(s, started, ys, xi, x, kind, text, key, starts, index, via)
                if found is not None:
                    reported.add(id(x))
                    self.found.append(found)

    def _group_waits(self, s: Function, waits) -> list:
        """(index, Wait op, holder text, key) of S's `Wait` calls on WaitGroups and errgroups."""
        ops = s.facts.ops
        out = [(ops.index(c.op), c.op, c.text, c.key) for c in waits if c.op.mode == "plain"]
        for i, op in enumerate(ops):
            if op.kind == "call" and op.mode == "plain" and E.selected_name(op.fn) == "Wait" and not op.args:
                base = E.selector_base(op.fn)
                if self._is_group(s, base, _GROUP_TYPES[:1]):
                    key = self.prims.key_of(s, base)
                    if key is not None:
                        out.append((i, op, E.render(E.strip_address(base)), key))
        return sorted(out, key=lambda w: w[0])

    def _waits_after(self, s: Function, g: int, group_waits, blocking, called):
        """S's blocking operations after the statement at index g, in source order: (index in S, op,
        kind, holder text, group key, the call of S reaching op in a callee or None)."""
        out = [(i, op, "group", text, key, None) for i, op, text, key in group_waits if i > g]
        for i, op in blocking:
            if i > g:
                out.append((i, op, op.kind, E.render(op.fn), None, None))
        out.extend(w for w in called if w[0] > g)
        out.sort(key=lambda w: w[0])
        return out

    def _blocking_calls(self, s: Function, starts: list[Started]) -> list:
        """S's calls (`srv.Stop()`) to a function with one resolved target whose own body, before any
        `return` and outside branches and loops, blocks like a wait of S would: its first such op."""
        out = []
        started_ops = {id(st.op) for st in starts}
        for i, op in enumerate(s.facts.ops):
            if op.kind != "call" or op.mode != "plain" or id(op) in started_ops:
                continue
            targets = self.program.resolve_call(s, op)
            if len(targets) != 1 or targets[0].function is s:
                continue
            f = targets[0].function
            waits = [c for c in self._calls_in(f) if c.method == "Wait" and c.kind == WAITGROUP]
            inner = [(j, x, "group", text, key) for j, x, text, key in self._group_waits(f, waits)]
            inner += [
                (j, x, x.kind, E.render(x.fn), None)
                for j, x in enumerate(f.facts.ops)
                if x.kind in ("send", "recv") and x.select < 0 and x.mode != "range" and self._roles.get(id(x))
            ]
            for j, x, kind, text, key in sorted(inner, key=lambda w: w[0]):
                before = f.facts.ops[:j]
                regions = {f.facts.regions[r].kind for r in enclosing_regions(f.facts, x.region)}
                if regions <= {"body", "block"} and not any(o.kind in ("return", "jump") for o in before):
                    out.append((i, x, kind, text, key, op))
                break
        return out

    def _same_receiver(self, s: Function, started: Started, via, x) -> bool:
        """A call standing for S's wait acts on what the goroutine was given: the same receiver
        (`go srv.loop()` and `srv.Stop()`), or a channel instance (its identity is already exact),
        or S's own closure (`finish := func() { wg.Wait(); close(out) }; finish()`), which waits on
        S's own group."""
        if not any(c.key.startswith("field:") for c, _r in self._roles.get(id(x), ())) and x.kind != "call":
            return True
        targets = self.program.resolve_call(s, via)
        if len(targets) == 1 and targets[0].function.parent is s:
            return True
        base = E.selector_base(via.fn)
        given = E.selector_base(started.op.fn)
        return base is not None and given is not None and E.render(base) == E.render(given)

    def _exclusive(self, fn: Function, a, b) -> bool:
        facts = fn.facts
        return exclusive_branches(
            facts, list(enclosing_regions(facts, a.region)), list(enclosing_regions(facts, b.region))
        )

    # ---- what T blocks on ------------------------------------------------------------------
    def _goroutine_blocks(self, s: Function, started: Started, channels: list[Channel]) -> list:
        """(index in T, T's op at that index, function, Y, path, channel) for T's blocking operations
        on the instances around S, in T's order."""
        t = started.function
        t_ops = t.facts.ops
        t_index = {id(op): i for i, op in enumerate(t_ops)}
        out = []
        for ch in channels:
            if not self._meets(s, ch):
                continue  # S never meets the channel: no partner of T's operation in S
            maker = ch.make_sites[0][0]
            if ch.key.startswith("field:"):
                bound = {}
                if not self._held_once(s, started, ch):
                    continue
            else:
                bound = instance_bindings(self.flow, maker, ch, s, started.op, t)
                if not any(raw.startswith("param:") for raw in bound) and t.parent is None:
                    continue  # a named function not given the channel
            for op in t_ops:
                if op.kind == "recv" and op.select < 0 and self._bound(t, op.fn, bound) == ch.key:
                    if op.mode == "range" and _range_has_exit(t, op):
                        self.debug["circular_range_with_exit"] += 1
                        continue
                    out.append((t_index[id(op)], op, t, op, (), ch))
            if not any(fn is not t for fn, _op in ch.sends):  # T's own sends: no need to walk its calls
                out.extend((t_index[id(op)], op, t, op, (), ch) for _fn, op in ch.sends if op.select < 0)
                continue
            charge = partial(self.budget.charge, s)
            for sfn, sop, path, key in self.flow.reachable_sends(t, t_ops, max_states=50, charge=charge, bound=bound):
                if key != ch.key or sop.select >= 0:
                    continue
                first = path[0][1] if path else sop
                if id(first) in t_index and first.mode != "go":
                    out.append((t_index[id(first)], first, sfn, sop, path, ch))
        out.sort(key=lambda y: y[0])
        return out

    def _meets(self, s: Function, ch: Channel) -> bool:
        """S operates on the channel, or (a local instance) one of its closures does, or S hands it
        to a call: where a partner of T's operation may be."""
        users = self._users.get(ch.key, ())
        if s.id in users:
            return True
        if ch.key.startswith("field:"):
            return False
        if any(f.id in users for f in s.nested_literals()):
            return True
        name = ch.key.rpartition(":")[2]
        return any(op.kind == "call" and any(E.is_ident(a, name) for a in op.args) for op in s.facts.ops)

    def _bound(self, fn: Function, expr, bound: dict) -> str | None:
        """The channel expr names: an instance through the bindings, else its holder key."""
        raw = self.flow.raw_key(fn, expr)
        return (bound.get(raw) or self.flow.uf.find(raw)) if raw is not None else None

    # ---- the cycle -------------------------------------------------------------------------
    def _cycle(self, s, started, ys, xi, x, kind, text, key, starts, index, via) -> CircularWait | None:
        for yi, _first, yfn, y, path, ch in ys:
            if kind != "group" and any(c is ch for c, _r in self._roles.get(id(x), ())):
                continue  # S blocks on the same channel: not a cycle of two
            release = self._release(s, started, x, kind, key, yi)
            if release is False:
                continue
            wanted = self._partners(ch, y)
            if (
                y.mode == "range"
                and isinstance(release, Op)
                and yfn is started.function
                and y.body in enclosing_regions(yfn.facts, release.region)
            ):
                # The release runs in the range's body: one value lets T reach it, not only a close.
                wanted = [*ch.sends, *ch.closes]
            partners = self._in_scope(s, started, ch, wanted)
            if partners is None:
                continue
            if not partners:
                self.debug["circular_no_partner"] += 1
                continue
            handed = None
            if any(fn is not s for fn, _op in partners):
                handed = self._handed_partner(s, ch, partners)
                if handed is None:
                    self.debug["circular_partner_elsewhere"] += 1
                    continue
                partners = [(s, handed[0])]
            later = [op for _fn, op in partners if index[id(op)] > xi]
            if len(later) != len(partners):
                continue  # S meets T's operation before it blocks
            partner = min(later, key=lambda op: index[id(op)])
            partner_call = None
            if handed is not None:
                partner = handed[3]
                partner_call = handed[:3]
            if self._exclusive(s, via or x, partner):
                continue
            senders: int | None = 1
            if y.kind == "send":
                senders = self._senders(s, started, ch, release, starts, index, xi, kind)
            if senders is None:
                continue
            wait_channel = None
            if kind != "group":
                wait_channel = next(c for c, _r in self._roles[id(x)])
            return CircularWait(
                s,
                started,
                yfn,
                y,
                path,
                ch,
                x,
                kind,
                text,
                release,
                partner,
                senders,
                wait_channel,
                via,
                self.program.resolve_call(s, via)[0].function if via is not None else s,
                partner_call,
            )
        return None

    def _handed_partner(self, s: Function, ch: Channel, partners: list) -> tuple | None:
        """(S's call, the callee, the channel as S writes it, the callee's op) when every partner is
        one operation of a function S calls plainly with the channel as an argument (`return
        e.combine(tx.ID, signals)`, ranging over its parameter), reached there before any branch,
        loop or way out. Only a local instance: its partners are exactly its operations."""
        if ch.key.startswith("field:") or len({id(fn) for fn, _op in partners}) != 1 or len(partners) != 1:
            return None
        callee, op = partners[0]
        facts = callee.facts
        at = facts.ops.index(op)
        regions = {facts.regions[r].kind for r in enclosing_regions(facts, op.region)}
        if not regions <= {"body", "block"} or any(o.kind in ("return", "jump") for o in facts.ops[:at]):
            return None
        maker = ch.make_sites[0][0]
        name = ch.key.rpartition(":")[2]
        if self.program.declaring_function(s, name) is not maker:
            return None
        found = None
        for call in s.facts.ops:
            if call.kind != "call" or not any(E.is_ident(a, name) for a in call.args):
                continue
            if E.ident(call.fn) in ("close", "len", "cap"):
                continue  # a builtin reading or closing it: not a hand-off
            targets = self.program.resolve_call(s, call)
            if call.mode != "plain" or len(targets) != 1 or targets[0].function is not callee or found is not None:
                return None  # handed elsewhere too, or twice: not the one way the partner runs
            found = (call, callee, name, op)
        return found

    def _in_scope(self, s: Function, started: Started, ch: Channel, ops: list) -> list | None:
        """The operations of ch that can meet S's instance. A local instance: all of them. A field
        channel (one holder for every struct of its type): those in S, T and what they call, a few
        calls deep; None when S hands the struct to code the model cannot follow."""
        if not ch.key.startswith("field:"):
            return ops
        bases = self._holders_in(s, ch)
        given = E.selector_base(started.op.fn)
        if not bases and given is not None:
            bases = {E.render(given)}  # S reaches ch only through methods of what T runs on
        scope = self._scope(s, started.function, next(iter(bases))) if len(bases) == 1 else None
        if scope is None:
            return None
        return [(fn, op) for fn, op in ops if fn.id in scope]

    def _scope(self, s: Function, t: Function, base: str) -> set[int] | None:
        """Ids of s, t, their literals and the functions they reach by calls (up to _SCOPE_DEPTH
        deep, _SCOPE_SIZE functions); None when s passes `base` (the struct) to a call nothing resolves."""
        cached = self._scopes.get((s.id, t.id, base))
        if cached is not None or (s.id, t.id, base) in self._scopes:
            return cached
        seen: set[int] = set()
        frontier = [s, *s.nested_literals(), t, *t.nested_literals()]
        escapes = False
        for depth in range(_SCOPE_DEPTH + 1):
            nxt: list[Function] = []
            for f in frontier:
                if f.id in seen:
                    continue
                seen.add(f.id)
                for op in f.facts.ops:
                    if op.kind != "call" or depth == _SCOPE_DEPTH:
                        continue
                    targets = self.program.resolve_call(f, op)
                    if not targets and f.outermost() is s.outermost() and self._passes_holder(op, base):
                        escapes = True
                    nxt.extend(x.function for x in targets)
            frontier = nxt
            if len(seen) > _SCOPE_SIZE:
                escapes = True
                break
        result = None if escapes else seen
        if escapes:
            self.debug["circular_field_holder_escapes"] += 1
        self._scopes[(s.id, t.id, base)] = result
        return result

    def _passes_holder(self, op, base: str) -> bool:
        """The unresolved call op passes the struct's variable whole (`register(srv)`, `f(&srv)`)."""
        return any(E.render(E.strip_address(a)) == base for a in op.args)

    def _partners(self, ch: Channel, y) -> list:
        """What lets Y go: receives for a send, sends and closes for a receive, closes for a range."""
        if y.kind == "send":
            return list(ch.receives)
        if y.mode == "range":
            return list(ch.closes)
        return [*ch.sends, *ch.closes]

    def _release(self, s: Function, started: Started, x, kind: str, key, yi: int):
        """T's operation that lets X go, every one of them after Y (or deferred); False when there is
        none, one elsewhere, or one that may come before Y."""
        t = started.function
        t_ops = t.facts.ops
        if kind == "group":
            if started.group is not None:
                return None if started.group == key else False  # `g.Go(f)`: Done when f returns
            dones = [c for c in self._calls_in(t) if c.key == key and c.method == "Done"]
            if not dones:
                return False
            if not any(
                c.key == key and c.method == "Add" and c.fn is s and c.op.line <= started.op.line
                for c in self._calls_in(s)
            ):
                self.debug["circular_group_not_added_by_starter"] += 1
                return False
            if any(c.op.mode != "defer" and t_ops.index(c.op) < yi for c in dones):
                return False
            return min(dones, key=lambda c: t_ops.index(c.op)).op
        wait_ch = [c for c, _r in self._roles.get(id(x), ())]
        if len(wait_ch) != 1:
            return False
        d = wait_ch[0]
        if kind == "send":
            if d.capacity != 0:
                self.debug["circular_buffered_wait"] += 1
                return False
            releases = list(d.receives)
        else:
            releases = [*d.sends, *d.closes]
        scoped = self._in_scope(s, started, d, releases)
        if scoped is None:
            return False
        releases = scoped
        if not releases or any(fn is not t for fn, _op in releases):
            self.debug["circular_release_elsewhere"] += 1
            return False
        indexes = [t_ops.index(op) for _fn, op in releases]
        if any(
            i < yi and not (op.kind == "call" and op.mode == "defer")
            for i, (_f, op) in zip(indexes, releases, strict=True)
        ):
            return False
        return min(releases, key=lambda r: t_ops.index(r[1]))[1]

    def _senders(self, s, started, ch, release, starts, index, xi, kind) -> int | None:
        """Sends on ch made before S's partner (UNCOUNTED: a loop starts the senders); None when
        the buffer may hold every send made before T's release, so T need not block."""
        cap = ch.capacity or 0
        total = 0
        for other in starts:
            if index[id(other.op)] > xi:
                continue
            if cap > 0 and (kind == "group") != bool(self._counted(other)):
                continue  # with a buffer, only the goroutines holding the release are counted
            if cap > 0 and kind != "group" and other.function is not started.function:
                continue  # ... and, for a wait on one goroutine's signal, that goroutine's copies
            n = self._sends_before(other.function, ch, release if other.function is started.function else None, cap > 0)
            if n is None:
                self.debug["circular_buffered_sends_uncounted"] += 1
                return None
            if n == 0:
                continue
            times = self._times(s, other.op, ch, s.facts.ops[xi])
            if times == UNCOUNTED:
                if cap > 0:
                    self.debug["circular_buffered_senders_uncounted"] += 1
                    return None
                return UNCOUNTED
            total += times * n
        if total <= cap:
            self.debug["circular_buffer_holds_senders"] += 1
            return None
        return total

    def _counted(self, started: Started) -> bool:
        """The goroutine counts down a group (by `g.Go` or its own Done)."""
        return started.group is not None or any(c.method == "Done" for c in self._calls_in(started.function))

    def _sends_before(self, t: Function, ch: Channel, release, certain: bool) -> int | None:
        """T's own sends on ch before its release (all of them for a deferred or no release).
        With `certain` (a buffered channel, whose senders must be counted), None when one of them
        sits in a loop or select; sends under `if`s and `switch` cases (`if err != nil { errs <- err
        }`) count as one more send that a run can make, since every goroutine may take that
        branch (two failing at once fill a one-slot buffer), except one followed at once by
        `return`: that run ends with it, after the sends before it (not the conditional ones
        after it: `if err != nil { errs <- err; return }; if err2 != nil { errs <- err2 }` sends
        once per run)."""
        ops = t.facts.ops
        stop = len(ops) if release is None or release.mode == "defer" else ops.index(release)
        n, branched = 0, 0
        # a conditional send followed at once by `return` ends its run: the run makes the plain
        # sends before it and that one (`if err != nil { errs <- err; return }; errs <- nil`)
        last_sends: list[int] = []
        for k, op in enumerate(ops[:stop]):
            if op.kind != "send" or not any(c is ch for c, _r in self._roles.get(id(op), ())):
                continue
            kinds = {t.facts.regions[r].kind for r in enclosing_regions(t.facts, op.region)}
            if certain and kinds & {"for", "range"} and _then_returns(ops, k):
                # `errs <- err; return` inside the loop: once per run at most, after what came before
                last_sends.append(n + branched + 1)
                continue
            if certain and (op.select >= 0 or kinds & {"for", "range", "select", "case"}):
                return None
            if certain and not kinds <= {"body", "block"}:
                if _then_returns(ops, k):
                    # a run that ends here made the sends before it, not the conditional ones after
                    last_sends.append(n + branched + 1)
                else:
                    branched = 1
                continue
            n += 1
        if branched or last_sends:
            self.debug["circular_branched_sends_counted_once"] += 1
        return max([n + branched, *last_sends])


def _then_returns(ops: list, k: int) -> bool:
    """The send at index k is a plain send (not a `select` case) followed at once by a `return`
    in its own region: the goroutine sends there at most once, whatever loop it sits in."""
    send = ops[k]
    return send.select < 0 and k + 1 < len(ops) and ops[k + 1].kind == "return" and ops[k + 1].region == send.region


def _starts_one(op) -> bool:
    """A call op that starts a goroutine: `go f()`, or `g.Go(f)` (the group's type is checked later)."""
    return op.mode == "go" or (op.mode == "plain" and len(op.args) == 1 and E.selected_name(op.fn) == "Go")


def _range_has_exit(fn: Function, op) -> bool:
    """The range body may leave the loop before the channel is closed: return, break, goto, panic."""
    for inner in _ops_under(fn, op.body):
        if inner.kind == "return" or (inner.kind == "jump" and inner.mode in ("break", "goto")):
            return True
        if inner.kind == "call" and E.is_ident(inner.fn, "panic"):
            return True
    return False


def _build(ctx: Context) -> Circular:
    c = Circular(
        ctx.program,
        ctx.result(CHANNEL_FLOW),
        ctx.result(SYNC_PRIMITIVES),
        ctx.budget("circular", "GIM102/GIM106 (circular waits)"),
        ctx.result(PARTNERS).confinement,
    )
    ctx.debug.update(c.debug)
    return c


CIRCULAR = Pass(
    "circular",
    _build,
    requires=(CHANNEL_FLOW, SYNC_PRIMITIVES, PARTNERS),
    doc="circular waits: a starter blocked on a goroutine that is blocked on the starter's later operation",
)
