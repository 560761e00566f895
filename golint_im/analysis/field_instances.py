"""Channels held in a struct field of one instance whose every user the model can see.

The channel-flow graph names a field channel by its class (`Pool.jobs` of every
`Pool`), so GIM102 gives up on it: any `Pool` anywhere may close, send or
receive. Here the identity is one instance instead: a struct a function
allocates itself (`p := &Pool{jobs: make(chan int)}`, `var p Pool` then
`p.jobs = make(...)`, or `w := NewWatcher()` where the in-tree constructor
returns its own `&Watcher{...}`, also held as an interface: `var c Closer =
NewWatcher()`; its method calls then reach the type's own methods only), followed into the methods called on it
(`p.Run()`, `go w.loop()`), their methods in turn, and the function
literals of each. Every use of the instance must be one of: a method call on
it, a field read or write, a send, receive, `range`, `close`, `len` or `cap`
of one of its channel fields, or (in the constructor only) `return` of it.
Anything else (the instance stored, passed, returned by the function being
judged, converted to an interface; a channel field handed on; a method
value taken) and the instance is not judged: nothing the model cannot see
may touch its channels. Each reason is counted in `debug`.

For each channel field made exactly once (constant capacity) the walk yields
the instance's sends, receives and closes, each with the goroutine it runs
in (the `go` statement that starts it, or the allocating function's own).
Three shapes are judged on them (GIM102):

- a `range` over the field that nothing closes, while its senders all
  finish and something waits for the ranging goroutine (`wg.Wait()` on a
  WaitGroup field whose `Done` it defers), or the allocating function
  ranges itself (`UnclosedRange`, as for local channels in `unpaired.py`);
- a goroutine that sends a known number of times (straight-line sends, a
  `for i := 0; i < K; i++` loop, or an endless `for {`) on an instance
  channel that the allocating function receives from fewer times (plain
  receives, unconditional, in no loop, its own or straight in a method it
  calls) before it ends (`ShortReceive`);
- a send, after the allocating function called the `cancel` of the context
  its only receiving goroutine returns on, that nothing is left to take
  (`ReceiverGone`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .. import expr as E
from ..facts import Op
from ..passes import Budget
from ..program import Function, Program, enclosing_regions
from .cancel import cancel_stored_or_after, done_case_context, quiet_cancel
from .exits import call_exit
from .flow import Channel, _is_chan
from .instances import goroutine_starters
from .never_stopped import NeverStopped, signals_on_exit, stop_guard
from .regions import (
    STRAIGHT_KINDS,
    FnView,
    constant_trip_count,
    counting_exit,
    deciding_region,
    exclusive_branches,
    exits_skipping,
    on_straight_line,
    returns_skipping,
    returns_skipping_later_rounds,
)
from .syncprims import WAITGROUP
from .unpaired import (
    SkippedClose,
    SkippedSend,
    UnclosedRange,
    Unpaired,
    ends_goroutine,
    exits_process,
    under_nil_check,
)

MAX_FUNCTIONS = 64  # (function, goroutine) pairs one instance's walk may visit before giving up
UNBOUNDED = -1  # an endless loop of sends
MAX_COUNTED_OPS = 64  # sends (or receives) of one channel count_runs reads in one function
_HARMLESS_BUILTINS = ("len", "cap")


@dataclass(frozen=True)
class Goroutine:
    """Where a walked op runs: started by the `go` op of `fn` (None: the allocating function's
    own goroutine). `known` is False inside a function literal run at a time the model cannot
    tell (stored, handed to a callback)."""

    fn: Function | None = None
    op: Op | None = None
    target: Function | None = None  # the function the `go` statement runs
    known: bool = True


OWN = Goroutine()
UNKNOWN = Goroutine(known=False)


@dataclass
class Use:
    """A send, receive or close of one channel field of the instance."""

    fn: Function
    op: Op
    routine: Goroutine
    anchor: int  # index in the owner's ops of the statement through which the walk got here
    long_lived: bool  # a call on the way sits in a loop that runs for good or per received value


@dataclass
class NilInstanceField:
    """A send or receive on a channel field of an instance built without it: a nil channel."""

    fn: Function
    op: Op
    field: str
    var: str  # the owner's variable holding the instance
    owner: Function
    alloc_fn: Function  # where the instance is built (the owner, or its constructor)
    alloc: Op
    label: str  # "Job.done": the field of its type
    # Made later, by a method that may fail first: (the owner's deferred call that reaches the use,
    # the owner's call of the method, the function holding the make, its `return` before the make).
    failing: tuple | None = None


@dataclass
class FieldChannel:
    channel: Channel  # key `field-instance:<owner id>:<var>.<field>`, label `<var>.<field>`
    owner: Function  # allocates the instance (or calls its constructor)
    var: str
    uses: list[Use] = field(default_factory=list)


@dataclass
class DroppedSignal:
    """The only send on an unbuffered local channel is a `select` with `default`, made by a
    goroutine the function starts once, while the function waits for it with a plain receive."""

    channel: Channel
    owner: Function
    sender: Function
    start: Op  # the `go` statement
    send: Op  # the send in the `select` with `default`
    receive: Op  # the plain receive
    start_fn: Function | None = None  # holds `start` when not owner (a constructor)
    receiver: Function | None = None  # holds `receive` when not owner (a method owner calls)


@dataclass
class ShortReceive:
    """A goroutine sends `sends` times; the owner receives `receives` times, then ends."""

    channel: Channel
    owner: Function
    go_fn: Function  # holds the `go` statement
    go_op: Op
    sender: Function
    send: Op  # the first send that no receive and no buffer slot takes
    sends: int  # UNBOUNDED for an endless loop
    receives: list  # the owner's receives, or its calls of a method that receives, in order
    path: tuple = ()  # when set, `sends` counts these sends, made by one path through branches
    # A relay: the sender sends once per value it receives from `feed` (the owner's channel), which the
    # owner sends on `sends` times: (feed's name, the relay's receive, the owner's sends on feed).
    relayed: tuple = ()
    # The owner does not end after its receives: it waits for the sender (`wg.Wait()`), this op.
    waits: Op | None = None


@dataclass
class ReceiverGone:
    """The owner cancels the context its receiving goroutine returns on, then sends to it."""

    channel: Channel
    owner: Function
    go_op: Op  # the owner's `go` statement starting the receiver
    receiver: Function
    gone: Op  # the receiver's `return` in its `case <-ctx.Done():`
    cancel: Op  # the owner's `cancel()`
    via: Op  # the owner's statement that sends, or calls the method that does
    sender: Function
    send: Op


@dataclass
class EarlyLeave:
    """The one `range` over the channel can be left at `exit` while the other side still sends."""

    channel: Channel
    owner: Function
    go_op: Op  # owner's `go` statement starting the goroutine
    receiver: Function  # holds the range (the owner or the goroutine)
    range_op: Op
    exit: Op  # `return`, `break` or the call ending the goroutine
    sender: Function
    send: Op  # the send left waiting (the first one)
    sends: int  # how many the sender makes; UNBOUNDED: an endless loop; 0: a loop of unknown count
    go_fn: Function | None = None  # holds go_op when not the owner (a constructor, a method)
    workers: int = 1  # how many copies of the receiving goroutine the `go` starts (a pool)
    sender_go: Op | None = None  # when the sender is another goroutine of the owner: its start
    receiver_call: Op | None = None  # when the receiver is a function the owner calls: that call


@dataclass
class AbandonedFieldSender:
    """The instance's goroutine sends on an unbuffered field channel whose only receives are cases of
    one `select` of the owner (or a method it calls), another case of which leaves the function."""

    channel: Channel
    owner: Function
    go_fn: Function
    go_op: Op
    sender: Function
    send: Op
    waiter: Function  # holds the select
    leave: Op  # the `return` in the other case
    case_region: int  # that case
    looped: bool = False  # the send is in a loop: one buffer slot would not save it


@dataclass
class UnheardFieldSenders:
    """Goroutines started one per round of a loop each send on an unbuffered field channel, and the
    function that started them receives in a loop it can `return` from before hearing them all."""

    channel: Channel
    owner: Function
    starter: Function  # holds the `go` and the receive loop
    go_op: Op
    go_loop: int  # the loop around the `go`
    sender: Function
    send: Op
    recv: Op
    exit: Op  # the `return` inside the receive loop
    # When the goroutine's function does not send itself: (that function, its call of `sender`).
    via: tuple[Function, Op] | None = None
    # When the receive loop is not the starter's (fanned_fields.py): the method holding it, and its
    # call of the starter (None when it holds the `go` itself).
    receiver: Function | None = None
    start_call: Op | None = None


@dataclass
class OverfilledField:
    """The owner sends (itself or through methods it calls) more values on a buffered field channel
    than its buffer holds before anything can receive: no receive of its own comes first, and the
    goroutine that receives is started only later (or never)."""

    channel: Channel
    owner: Function
    sends: int
    via: list  # the owner's ops leading to the sends, in order
    stuck_fn: Function
    stuck: Op  # the send that finds the buffer full
    stuck_via: Op
    partner_go: Op | None  # the `go` starting the receiver, after the sends
    # The function holding partner_go: the owner, or the constructor both the send and the `go` are in.
    partner_fn: Function | None = None


@dataclass
class QuitAfterExit:
    """The owner sends on a quit channel whose only receiver, a select loop, may already have
    returned in another case, one the owner itself triggered by an earlier send or close."""

    channel: Channel  # the quit channel
    owner: Function
    go_fn: Function
    go_op: Op
    receiver: Function  # the goroutine's function holding the select loop
    gone: Op  # its `return` in the other case
    other: Channel  # the channel that case receives from
    trigger: tuple[Function, Op]  # the owner's earlier send on (or close of) `other`
    via: Op  # the owner's statement that sends on quit, or calls the method that does
    sender: Function
    send: Op


@dataclass
class UndersignalledWaiters:
    """K copies of one goroutine each wait once on a channel the owner sends on fewer than K times."""

    channel: Channel
    owner: Function
    starter: Function  # holds the `go` statement: the owner, or (field instances) a method it calls
    go: Op  # the `go` statement, run `started` times
    started: int
    goroutine: Function
    receive: Op  # each copy's one receive: its wait
    sends: list  # [(function, send op)] in order


@dataclass
class _State:
    fn: Function
    name: str  # the variable holding the instance in fn (a receiver, the owner's variable)
    routine: Goroutine
    anchor: int | None  # None: fn is the owner, each op is its own anchor
    long_lived: bool
    alloc: Op | None = None  # a constructor's allocating op (`v := &T{...}` or `return &T{...}`)


@dataclass
class _Walk:
    """What one instance's walk has found so far."""

    owner: Function
    var: str
    named: str
    alloc: Op  # the owner's allocating op
    ctor: Function | None = None
    allocs: set = field(default_factory=set)  # id() of the allocating ops (owner's, constructor's)
    chans: dict = field(default_factory=dict)  # field name -> FieldChannel
    # (function, op, WaitGroup field, "Wait"|"Done", Goroutine, anchor)
    waitgroups: list = field(default_factory=list)
    makes: dict = field(default_factory=dict)  # field name -> [(function, make op, capacity or None)]
    make_at: list = field(default_factory=list)  # (field name, owner's anchor, function, make op)
    ctor_alloc: Op | None = None  # the constructor's allocating op
    # (field, "call"|"write"|"read", function, op, Goroutine, anchor) for the other fields' mentions
    others: list = field(default_factory=list)
    # The allocation's region chain when the variable is given other values on branches excluding it:
    # the owner's ops on those branches belong to another instance.
    branch_chain: list | None = None

    def __post_init__(self):
        self.allocs.add(id(self.alloc))

    def channel(self, fname: str) -> FieldChannel:
        fc = self.chans.get(fname)
        if fc is None:
            key = f"field-instance:{self.owner.id}:{self.var}.{fname}"
            fc = self.chans[fname] = FieldChannel(Channel(key, f"{self.var}.{fname}"), self.owner, self.var)
        return fc


class _Escape(Exception):
    """The instance leaves what the walk can see; the message is the debug reason."""


class FieldInstances:
    """Field channels of locally allocated, non-escaping instances, and the three shapes judged on them."""

    def __init__(self, program: Program, unpaired: Unpaired, budget: Budget, debug: Counter):
        self.program = program
        self.unpaired = unpaired
        self.budget = budget
        self.debug = debug
        self.unclosed: list[UnclosedRange] = []
        self.short: list[ShortReceive] = []
        self.gone: list[ReceiverGone] = []
        self.never: list[NeverStopped] = []
        self.quit_after_exit: list[QuitAfterExit] = []
        self.early: list[EarlyLeave] = []
        self.skipped: list[SkippedSend] = []
        self.nil_uses: list[NilInstanceField] = []
        self.skipped_closes: list[SkippedClose] = []
        self.abandoned: list[AbandonedFieldSender] = []
        self.unheard_senders: list[UnheardFieldSenders] = []
        self.undersignalled: list[UndersignalledWaiters] = []
        self.overfilled: list[OverfilledField] = []
        self.dropped: list[DroppedSignal] = []
        self._long_cache: dict[tuple[int, int], bool] = {}
        self._names: dict[int, dict[str, list[tuple[int, Op]]]] = {}
        self._creations: dict[int, dict[int, tuple[int, Op]]] = {}
        self._fields: dict[str, list[str] | None] = {}
        # Every shape has its partner in a goroutine some walked function starts: the owner (or a
        # literal in it), the constructor, or a method of the type. Instances with none are skipped.
        self._starters = goroutine_starters(program)
        self._starting_types = {
            f"{f.pkg.path}#{f.facts.recv}" for f in program.functions if f.id in self._starters and f.facts.recv
        }
        constructors = self._constructors()
        self._constructor_names = {program.functions[i].facts.name for i in constructors}
        for owner in program.functions:
            for index, op in enumerate(owner.facts.ops):
                if op.kind != "assign":
                    continue
                found = self._allocation(owner, op, constructors)
                if found is None:
                    continue
                named, var, start = found
                alone = owner.id not in self._starters and named not in self._starting_types
                in_main = owner.is_main
                if alone and (start is None or start.fn.id not in self._starters):
                    # No goroutine anywhere near the instance: only a buffer the function fills
                    # past its size by itself can block (`b.add(v)` three times into a buffer of 2).
                    walk = None if in_main else self._instance(owner, index, named, var, start)
                    if walk is not None:
                        self._overfilled(walk)
                    continue
                walk = self._instance(owner, index, named, var, start)
                if walk is None:
                    continue
                if in_main:
                    # The process ends with main: what main leaves behind does not matter, only what
                    # keeps main itself from ending (a range nobody closes, which main waits for).
                    self._main_waits_forever(walk)
                    self._skipped_signals(walk)
                    self._skipped_closes(walk)
                    self._left_in_main_loop(walk)
                    continue
                for _name, fc in sorted(walk.chans.items()):
                    if fc.channel.make_sites:
                        self._judge(fc, walk.waitgroups)
                self._never_stopped(walk)
                self._quits_after_exit(walk)
                self._quits_twice(walk)
                self._skipped_signals(walk)
                self._skipped_closes(walk)
                self._dropped_signals(walk)
                self._abandoned_senders(walk)
                self._unheard_senders(walk)
                self._undersignalled(walk)
                self._overfilled(walk)

    # ---- which values are instances ---------------------------------------------------------
    def _struct_with_channels(self, fn: Function, value) -> str | None:
        """The named struct type of `&T{...}` / `T{...}` when it has a channel field."""
        comp = E.composite(E.strip_address(value))
        if comp is None or not comp[0]:
            return None
        p = self.program
        named = p.named(p.qualify(comp[0], fn.file))
        return named if named is not None and self._channel_fields(named) else None

    def _channel_fields(self, named: str) -> list[str] | None:
        """The channel fields a named struct type declares itself; None for any other type."""
        if named in self._fields:
            return self._fields[named]
        p = self.program
        decl = p.type_decl(named)
        fields = None
        if decl is not None and decl[0].kind == "struct":
            fields = [m[0] for m in decl[0].members if _is_chan(p.underlying(p.qualify(m[1], decl[1])))] or None
        self._fields[named] = fields
        return fields

    def _constructors(self) -> dict[int, tuple[str, str, Op]]:
        """Function id -> (named type, local, allocating op) for in-tree functions with one result
        that allocate `v := &T{...}` (T with a channel field) and whose every `return` returns
        exactly `v`; or whose one statement returning is `return &T{...}` (no local: "")."""
        out = {}
        for fn in self.program.functions:
            facts = fn.facts
            if fn.parent is not None or facts.recv or len(facts.results) != 1:
                continue
            returns = [op for op in facts.ops if op.kind == "return"]
            if not returns or any(len(r.args) != 1 for r in returns):
                continue
            if len(returns) == 1 and E.ident(returns[0].args[0]) is None:
                named = self._struct_with_channels(fn, returns[0].args[0])
                if named is not None:
                    out[fn.id] = (named, "", returns[0])
                continue
            name = E.ident(returns[0].args[0])
            if name is None or any(not E.is_ident(r.args[0], name) for r in returns):
                continue
            for op in facts.ops:
                if op.kind == "assign" and len(op.targets) == 1 and E.is_ident(op.targets[0], name) and op.args:
                    named = self._struct_with_channels(fn, op.args[0])
                    if named is not None:
                        out[fn.id] = (named, name, op)
                    break
        return out

    def _allocation(self, owner: Function, op, constructors) -> tuple[str, str, _State | None] | None:
        """(named type, variable, constructor state) when op is `v := &T{...}`, `var v T` or
        `v := NewT()`."""
        if op.kind != "assign" or len(op.targets) != 1:
            return None
        var = E.ident(op.targets[0])
        if var is None or var == "_":
            return None
        if op.mode == "var" and not op.args:
            named = self.program.named(self.program.qualify(op.vtype, owner.file)) if op.vtype else None
            if named is None or op.vtype.startswith("*") or self._channel_fields(named) is None:
                return None
            return named, var, None
        declared = op.mode == "=" and any(
            o.kind == "assign" and o.mode == "var" and not o.args and _assigns(o, var) and o.line < op.line
            for o in owner.facts.ops
        )  # `var m *T` first, then `m = NewT()` (on one of several branches: see _instance)
        if (op.mode not in (":=", "var") and not declared) or len(op.args) != 1:
            return None  # `v := ...`, or `var v I = NewT()` (an interface the instance is seen through)
        named = self._struct_with_channels(owner, op.args[0])
        if named is not None:
            return named, var, None
        number = E.call_number(op.args[0])
        if number is None or not 0 <= number < len(owner.facts.ops):
            return None
        callee = E.callee(op.args[0])
        if (E.selected_name(callee) or E.ident(callee)) not in self._constructor_names:
            return None  # not named like any constructor: no need to resolve the call
        targets = self.program.resolve_call(owner, owner.facts.ops[number])
        if len(targets) != 1 or targets[0].function.id not in constructors:
            return None
        ctor = targets[0].function
        named, local, alloc = constructors[ctor.id]
        state = _State(ctor, local, OWN, None, False)
        state.alloc = alloc
        return named, var, state

    # ---- the shapes --------------------------------------------------------------------------
    def _judge(self, fc: FieldChannel, groups: list) -> None:
        ch = fc.channel
        if not ch.sends:
            return
        if any(op.mode == "range" for _fn, op in ch.receives):
            found = self._unclosed_range(fc, groups)
            if found is not None:
                self.unclosed.append(found)
            else:
                early = self._early_leave(fc)
                if early is not None:
                    self.early.append(early)
            return
        short = self._short_receive(fc)
        if short is not None:
            self.short.append(short)
            return
        gone = self._receiver_gone(fc)
        if gone is not None:
            self.gone.append(gone)
            return
        early = self._early_leave(fc)
        if early is not None:
            self.early.append(early)

    def _receiver_gone(self, fc: FieldChannel) -> ReceiverGone | None:
        """Every receive is in one goroutine the owner starts with its `ctx` from
        `context.WithCancel`, in a `select` of an endless loop whose `case <-ctx.Done():` returns;
        the owner calls `cancel()` and afterwards, on the same path, sends (itself or through a
        method it calls) more values than the buffer holds: once that goroutine has taken the
        Done case nothing receives."""
        ch, owner = fc.channel, fc.owner
        facts = owner.facts
        recvs = [u for u in fc.uses if u.op.kind == "recv"]
        if not recvs:
            return None
        go = recvs[0].routine
        receiver, go_op = go.target, go.op
        if go.fn is not owner or receiver is None or go_op is None or not on_straight_line(facts, go_op.region):
            return None
        if any(u.routine != go or u.fn is not receiver or u.op.select < 0 for u in recvs):
            return None
        cancel_name = self._cancel_for(owner, go_op, receiver)
        if cancel_name is None:
            return None
        ctx_param, cancel = cancel_name
        gone = _done_return(receiver, ctx_param, recvs)
        if gone is None:
            self.debug["GIM102_field_receiver_stays"] += 1
            return None
        c = facts.ops.index(cancel)
        late = [u for u in fc.uses if u.op.kind == "send" and u.routine == OWN and u.anchor > c]
        late = [u for u in late if u.op.select < 0 and self._runs_unconditionally(owner, u)]
        if len(late) <= (ch.capacity or 0):
            return None
        u = late[(ch.capacity or 0)]
        return ReceiverGone(ch, owner, go_op, receiver, gone, cancel, facts.ops[u.anchor], u.fn, u.op)

    def _cancel_for(self, owner: Function, go_op: Op, receiver: Function) -> tuple[str, Op] | None:
        """(the receiver's context parameter, the owner's plain `cancel()` after the `go`) when the
        `go` passes it the owner's `ctx` of `ctx, cancel := context.WithCancel(...)`."""
        facts = owner.facts
        params = receiver.facts.params
        for i, arg in enumerate(go_op.args):
            ctx = E.ident(arg)
            if ctx is None or i >= len(params) or not params[i][0]:
                continue
            for op in facts.ops:
                if op.kind != "assign" or len(op.targets) != 2 or not E.is_ident(op.targets[0], ctx):
                    continue
                call = E.call(op.args[0]) if len(op.args) == 1 else None
                ext = self.program.external_callee(owner, call[0]) if call else None
                cancel_name = E.ident(op.targets[1])
                if ext is None or (ext.pkg, ext.name) != ("context", "WithCancel") or not cancel_name:
                    continue
                g = facts.ops.index(go_op)
                for j, c in enumerate(facts.ops):
                    if j > g and c.kind == "call" and c.mode == "plain" and E.is_ident(c.fn, cancel_name):
                        if on_straight_line(facts, c.region):
                            return params[i][0], c
        return None

    def _runs_unconditionally(self, owner: Function, use: Use) -> bool:
        """The send runs whenever the owner's statement that leads to it does: the owner's own
        unconditional send, or one straight in a method that statement calls directly."""
        via = owner.facts.ops[use.anchor]
        if not on_straight_line(owner.facts, via.region) or not on_straight_line(use.fn.facts, use.op.region):
            return False
        if use.fn is owner:
            return via is use.op
        return via.kind == "call" and any(t.function is use.fn for t in self.program.resolve_call(owner, via))

    def _main_waits_forever(self, walk: _Walk) -> None:
        """The unclosed ranges of an instance main allocates that main itself waits for (`p.Wait()`
        on the WaitGroup the ranging workers defer `Done` on), or ranges over: main never ends,
        and the runtime stops the program with "all goroutines are asleep"."""
        for _name, fc in sorted(walk.chans.items()):
            if fc.channel.make_sites and any(u.op.kind == "recv" and u.op.mode == "range" for u in fc.uses):
                found = self._unclosed_range(fc, walk.waitgroups)
                if found is not None:
                    self.unclosed.append(found)

    def _unclosed_range(self, fc: FieldChannel, groups: list) -> UnclosedRange | None:
        """A `range` over the field that no path closes, while every sender finishes."""
        ch, owner = fc.channel, fc.owner
        if ch.closes:
            return None
        ranges = [u for u in fc.uses if u.op.kind == "recv" and u.op.mode == "range"]
        if any(not u.routine.known for u in fc.uses):
            self.debug["GIM102_field_channels_used_at_unknown_time"] += 1
            return None
        if any(self.unpaired._range_exits(u.fn, u.op) for u in ranges):
            self.debug["GIM102_ranges_with_exit"] += 1
            return None
        sends = [u for u in fc.uses if u.op.kind == "send"]
        if not sends:
            self.debug["GIM102_ranges_without_senders"] += 1
            return None  # nothing sent in sight: no last send to name
        if any(u.long_lived or self._long_lived(u.fn, u.op.region) for u in sends):
            self.debug["GIM102_ranges_senders_long_lived"] += 1
            return None
        rng = ranges[0]
        last = max(sends, key=lambda u: (u.fn.file.path, u.op.line, u.op.col))
        go = rng.routine
        found = UnclosedRange(ch, owner, rng.fn, rng.op, go.op, last.fn, last.op, starter=go.fn)
        if go.fn is None:
            return found  # the allocating function ranges itself: it never returns
        if go.target is rng.fn:
            found.awaited = _awaited(groups, go)
        if found.awaited is None:
            # A consumer nobody waits for is left ranging when the function returns: a leak, but
            # also the way many tests and services leave a watcher running; not judged.
            self.debug["GIM102_field_ranges_not_awaited"] += 1
            return None
        return found

    def _short_receive(self, fc: FieldChannel) -> ShortReceive | None:
        """One goroutine sends a known number of times; the owner receives fewer (itself or
        straight in a method it calls directly), unconditionally, then ends: a send that neither
        a receive nor the buffer takes waits forever."""
        ch, owner = fc.channel, fc.owner
        recvs = [u for u in fc.uses if u.op.kind == "recv"]
        sends = [u for u in fc.uses if u.op.kind == "send"]
        facts = owner.facts
        in_loop = None  # the owner's own receives in a counted loop (`for i := 0; i < 5; i++ { <-s.out }`)
        if any(
            u.routine != OWN or u.op.mode != "expr" or u.op.select >= 0 or not self._runs_unconditionally(owner, u)
            for u in recvs
        ):
            if recvs and all(u.routine == OWN and u.fn is owner and u.op.mode == "expr" for u in recvs):
                in_loop = count_runs(self.program, owner, [u.op for u in recvs if u.op.select < 0])
            if in_loop is None or in_loop[0] == UNBOUNDED or any(u.op.select >= 0 for u in recvs):
                self.debug["GIM102_field_receives_not_counted"] += 1
                return None
        if any(u.op.select >= 0 for u in sends):
            self.debug["GIM102_sends_in_select"] += 1
            return None  # the sender has another way out
        routine = sends[0].routine
        go_fn, go_op, sender = routine.fn, routine.op, routine.target
        if go_fn is None or go_op is None or sender is None:
            self.debug["GIM102_field_senders_not_counted"] += 1
            return None
        if any(u.routine != routine or u.fn is not sender or u.anchor != sends[0].anchor for u in sends):
            self.debug["GIM102_field_senders_not_counted"] += 1
            return None
        if not on_straight_line(go_fn.facts, go_op.region) or not on_straight_line(
            facts, facts.ops[sends[0].anchor].region
        ):
            self.debug["GIM102_field_senders_not_counted"] += 1
            return None
        first = min((u.anchor for u in recvs), default=len(facts.ops))
        if sends[0].anchor >= first:
            return None  # the goroutine starts after the receives
        counted = count_runs(self.program, sender, [u.op for u in sends])
        if counted is None:
            self.debug["GIM102_field_senders_not_counted"] += 1
            return None
        total, ordered = counted
        cap = ch.capacity or 0
        taken = (in_loop[0] if in_loop is not None else len(recvs)) + cap
        if total != UNBOUNDED and total <= taken:
            return None
        stuck = ordered[min(taken, len(ordered) - 1)]
        received = in_loop[1] if in_loop is not None else [facts.ops[i] for i in sorted(u.anchor for u in recvs)]
        return ShortReceive(ch, owner, go_fn, go_op, sender, stuck, total, received)

    def _never_stopped(self, walk: _Walk) -> None:
        """A goroutine of the instance whose only ways out follow a receive from a channel field
        nothing closes or sends on (`stop_guard`), while the owner waits for it: a plain receive
        from a field only that goroutine closes or sends on, on its way out, or `wg.Wait()` on a
        WaitGroup field whose `Done` it defers. The wait blocks forever."""
        for fc in walk.chans.values():
            uses = fc.uses
            if not fc.channel.make_sites or not uses or any(u.op.kind != "recv" for u in uses):
                continue
            routine = uses[0].routine
            target = routine.target
            if target is None or routine.op is None or routine.fn is None:
                continue
            mine = {id(u.op) for u in uses if u.routine == routine and u.fn is target}
            if not mine or any(not u.routine.known for u in uses):
                continue
            stop_op = stop_guard(self.program, target, mine)
            if stop_op is None:
                self.debug["GIM102_stop_receivers_with_other_exits"] += 1
                continue
            go_anchor = next(u.anchor for u in uses if u.routine == routine)
            found = self._waits_for(walk, routine, target, mine, go_anchor)
            if found is not None:
                waiter, wait, waited, signal = found
                go = (routine.fn, routine.op, target)
                self.never.append(NeverStopped(walk.owner, waiter, wait, waited, signal, *go, fc.channel, stop_op))
                return

    def _abandoned_senders(self, walk: _Walk) -> None:
        """`f := &fetcher{results: make(chan T)}; go f.run(); select { case r := <-f.results: ...;
        case <-ctx.Done(): return }`: the goroutine's plain send on the unbuffered field waits for a
        receive that, once the other case has returned, never comes."""
        for fc in walk.chans.values():
            ch = fc.channel
            if not ch.make_sites or ch.capacity != 0 or any(not u.routine.known for u in fc.uses):
                continue
            sends = [u for u in fc.uses if u.op.kind == "send"]
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            closes = [u for u in fc.uses if u.op.kind not in ("send", "recv")]
            if not sends or not recvs:
                continue
            routine = sends[0].routine
            target = routine.target
            if routine == OWN or target is None or routine.fn is None or routine.op is None:
                continue
            if any(u.routine != routine or u.fn is not target or u.op.select >= 0 for u in sends):
                continue
            if any(u.routine != routine or u.fn is not target or not _closes(u.op) for u in closes):
                continue  # closed by another side, or used another way: the sender's own close comes after its sends
            if any(u.routine != OWN or u.op.select < 0 for u in recvs) or len({u.fn.id for u in recvs}) != 1:
                continue
            waiter = recvs[0].fn
            facts = waiter.facts
            selects = {u.op.select for u in recvs}
            if len(selects) != 1:
                continue
            select = selects.pop()
            looped = any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, select))
            if looped and not any(_in_loop(target, u.op) for u in sends):
                continue  # a loop around the select may come back to the receive of the one send
            mine = {u.op.body for u in recvs}
            leave = next(
                (
                    op
                    for op in facts.ops
                    if op.kind == "return"
                    and any(
                        facts.regions[r].kind in ("case", "default")
                        and facts.regions[r].parent == select
                        and r not in mine
                        for r in enclosing_regions(facts, op.region)
                    )
                ),
                None,
            )
            case = None
            if leave is None and not looped:
                # `case <-time.After(d): log(...)` falling through to the code after the select, which
                # returns without receiving again: the function's next `return` after the select.
                case, leave = _falls_out_of_select(facts, select, mine)
            if leave is None:
                continue
            if case is None:
                case = next(
                    r
                    for r in enclosing_regions(facts, leave.region)
                    if facts.regions[r].kind in ("case", "default") and facts.regions[r].parent == select
                )
            if looped and _signalled_by(target, facts.regions[case].info):
                continue  # the sender's own signal (`close(done)` after its sends): it has finished
            if not looped and self._not_ready_yet(walk, facts.regions[case].info, sends, recvs):
                self.debug["GIM102_exit_case_signalled_later"] += 1
                continue
            send = min(sends, key=lambda u: target.facts.ops.index(u.op))
            self.abandoned.append(
                AbandonedFieldSender(
                    ch,
                    walk.owner,
                    routine.fn,
                    routine.op,
                    target,
                    send.op,
                    waiter,
                    leave,
                    case,
                    looped=any(_in_loop(target, u.op) for u in sends),
                )
            )

    @staticmethod
    def _not_ready_yet(walk: _Walk, info, sends: list, recvs: list) -> bool:
        """The way out is a receive from another channel field of the same instance (`case
        <-l.done`) that only the owner's own later statements close or send on (`lis.Close()`
        after the first `lis.Accept()`): at the first wait after the `go`, that case cannot be
        taken, so the wait takes the goroutine's one send (not in a loop: checked by the caller
        for a looped select, and by the single send here)."""
        if len(sends) != 1 or _in_loop(sends[0].fn, sends[0].op) or not info or info[0] != "recv":
            return False
        chan = info[1]
        sel = E.selector(chan)
        other = walk.chans.get(sel[1]) if sel is not None and E.ident(sel[0]) is not None else None
        if other is None or not other.uses:
            return False
        start = sends[0].anchor
        first_wait = min((u.anchor for u in recvs if u.anchor >= start), default=None)
        if first_wait is None:
            return False
        signals = [u for u in other.uses if u.op.kind != "recv"]
        return all(u.routine == OWN and u.anchor > first_wait for u in signals)

    def _left_in_main_loop(self, walk: _Walk) -> None:
        """Senders left behind by a method, not main itself, that main calls inside a loop (`for _, b :=
        range batches { im.Import(b) }`): main goes on running, and every round can leave more of
        them, so the process's end does not excuse it."""
        facts = walk.owner.facts

        def in_main_loop(receiver: Function) -> bool:
            if receiver is walk.owner:
                return False  # main's own receive: its end is the process's
            anchors = {
                u.anchor
                for fc in walk.chans.values()
                for u in fc.uses
                if u.fn is receiver and u.op.kind == "recv" and u.routine == OWN and u.anchor is not None
            }
            return any(
                facts.regions[r].kind in ("for", "range")
                for a in anchors
                for r in enclosing_regions(facts, facts.ops[a].region)
            )

        unheard, abandoned = len(self.unheard_senders), len(self.abandoned)
        self._unheard_senders(walk)
        self._abandoned_senders(walk)
        self.unheard_senders[unheard:] = [u for u in self.unheard_senders[unheard:] if in_main_loop(u.starter)]
        self.abandoned[abandoned:] = [a for a in self.abandoned[abandoned:] if in_main_loop(a.waiter)]

    def _unheard_senders(self, walk: _Walk) -> None:
        """`for i := 0; i < n; i++ { go s.serve(i) }` then `for i := 0; i < n; i++ { if err := <-s.errs;
        err != nil { return err } }` on an unbuffered field: every goroutine sends on every path, so
        the early `return` leaves the ones not yet heard blocked on their send."""
        for fc in walk.chans.values():
            ch = fc.channel
            if not ch.make_sites or ch.capacity != 0 or any(not u.routine.known for u in fc.uses):
                continue
            sends = [u for u in fc.uses if u.op.kind == "send"]
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            if not sends or not recvs or len(sends) + len(recvs) != len(fc.uses):
                continue
            routine = sends[0].routine
            target, starter, go_op = routine.target, routine.fn, routine.op
            if routine == OWN or target is None or starter is None or go_op is None:
                continue
            if any(u.routine != routine or u.op.select >= 0 for u in sends):
                continue
            if any(u.routine != OWN or u.fn is not starter or u.op.select >= 0 or u.op.mode != "expr" for u in recvs):
                continue
            facts = starter.facts
            go_loop = next(
                (r for r in enclosing_regions(facts, go_op.region) if facts.regions[r].kind in ("for", "range")), None
            )
            if go_loop is None:
                continue
            tfacts = target.facts
            through = [self._sent_through(target, u) for u in sends]
            sidx = [i for i in through if i is not None]
            if (
                len(sidx) != len(sends)
                or returns_skipping(tfacts, sidx)
                or any(_in_loop(target, tfacts.ops[i]) for i in sidx)
            ):
                continue  # a goroutine that may not send, or sends in a loop: not counted here
            g = facts.ops.index(go_op)
            for u in recvs:
                k = facts.ops.index(u.op)
                loop = next(
                    (r for r in enclosing_regions(facts, u.op.region) if facts.regions[r].kind in ("for", "range")),
                    None,
                )
                if k < g or loop is None or loop == go_loop:
                    continue
                exit_op = next(
                    (
                        op
                        for op in facts.ops[k + 1 :]
                        if op.kind == "return"
                        and loop in enclosing_regions(facts, op.region)
                        and not counting_exit(facts, loop, op)
                    ),
                    None,
                )
                if exit_op is not None:
                    first, use = min(zip(sidx, sends, strict=True), key=lambda x: x[0])
                    via = None if use.fn is target else (target, tfacts.ops[first])
                    self.unheard_senders.append(
                        UnheardFieldSenders(ch, walk.owner, starter, go_op, go_loop, use.fn, use.op, u.op, exit_op, via)
                    )
                    break

    def _sent_through(self, target: Function, use: Use) -> int | None:
        """The index of the op of the goroutine's function `target` that makes the send `use`: the
        send itself, or the one direct call of a method that sends once, on every path and in no
        loop (`func (c *call) run() { ...; c.deliver(r) }` with `deliver` sending on `c.out`)."""
        if use.fn is target:
            return target.facts.ops.index(use.op)
        facts = use.fn.facts
        send = facts.ops.index(use.op)
        if returns_skipping(facts, [send]) or _in_loop(use.fn, use.op):
            return None
        calls = [op for caller, op in self.program.callers(use.fn) if caller is target]
        if len(calls) != 1 or calls[0].mode != "plain":
            return None
        return target.facts.ops.index(calls[0])

    def _undersignalled(self, walk: _Walk) -> None:
        """`func (h *hub) start() { for i := 0; i < 2; i++ { go func() { <-h.quit }() } }` and
        `func (h *hub) stop() { h.quit <- struct{}{} }`: one value wakes one of the waiters.

        As counted.undersignalled_waiters on a field of one instance: the
        waiting goroutine is started from one `go` statement run a counted
        number of times, in the owner or straight in a method the owner
        calls unconditionally; each send is the owner's own goroutine's,
        unconditional and in no loop; nothing closes the field.
        """
        owner = walk.owner
        for fc in walk.chans.values():
            if any(not u.routine.known or u.op.kind == "close" for u in fc.uses):
                continue
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            sends = [u for u in fc.uses if u.op.kind == "send"]
            if len(recvs) != 1 or not sends or len(recvs) + len(sends) != len(fc.uses):
                continue
            wait = recvs[0]
            routine = wait.routine
            target, starter, go_op = routine.target, routine.fn, routine.op
            if routine == OWN or target is None or starter is None or go_op is None or wait.fn is not target:
                continue
            if wait.op.mode != "expr" or wait.op.select >= 0:
                continue
            if count_runs(self.program, target, [wait.op]) != (1, [wait.op]):
                continue
            if not self._started_unconditionally(owner, wait, starter):
                continue
            start = one_start(self.program, starter, target)
            if start is None:
                continue
            if any(u.routine != OWN or u.op.select >= 0 or u.long_lived for u in sends):
                continue
            if not all(self._runs_unconditionally(owner, u) and not _in_loop(u.fn, u.op) for u in sends):
                continue
            if len(sends) >= start[1]:
                continue
            ordered = [(u.fn, u.op) for u in sorted(sends, key=lambda u: u.anchor)]
            self.undersignalled.append(
                UndersignalledWaiters(fc.channel, owner, starter, start[0], start[1], target, wait.op, ordered)
            )

    def _started_unconditionally(self, owner: Function, wait: Use, starter: Function) -> bool:
        """The owner's statement leading to the `go` runs on its straight line and is the `go` itself
        or a direct call of the starter."""
        via = owner.facts.ops[wait.anchor]
        if not on_straight_line(owner.facts, via.region):
            return False
        if starter is owner:
            return True
        return via.kind == "call" and any(t.function is starter for t in self.program.resolve_call(owner, via))

    def _overfilled(self, walk: _Walk) -> None:
        """`w.kick(); w.kick(); go w.drain()` on a field made with buffer 1: the second send waits for
        a receiver nobody has started. Unbuffered, only inside the constructor (`b.events <- e; go
        b.loop()` in `newBroker`): a send before the owner's own `go` is missing_partners.py's."""
        owner = walk.owner
        facts = owner.facts
        for fc in walk.chans.values():
            ch = fc.channel
            if not ch.make_sites or ch.capacity is None or any(not u.routine.known for u in fc.uses):
                continue
            own_sends = [u for u in fc.uses if u.op.kind == "send" and u.routine == OWN]
            if not own_sends:
                continue
            closes = [u for u in fc.uses if u.op.kind not in ("send", "recv")]
            if any(u.routine != OWN or u.anchor <= max(x.anchor for x in own_sends) for u in closes):
                continue  # a close that may come before the sends: which comes first is another question
            receivers = [u for u in fc.uses if u.routine != OWN and u.op.kind == "recv"]
            starts = [u.anchor for u in receivers]  # the receivers' `go`
            own_recvs = [u.anchor for u in fc.uses if u.op.kind == "recv" and u.routine == OWN]
            first_partner = min([*starts, *own_recvs], default=len(facts.ops))
            in_ctor = _sent_before_start_in_ctor(walk, own_sends, receivers, first_partner, own_recvs)
            if ch.capacity == 0 and not in_ctor:
                continue  # unbuffered, sent before the partner's `go` in the owner: missing_partners.py's shape
            early = [u for u in own_sends if u.anchor < first_partner or u in in_ctor]
            if not early or any(u.op.select >= 0 or not on_straight_line(u.fn.facts, u.op.region) for u in early):
                continue
            if any(u.fn is not owner and facts.ops[u.anchor].kind != "call" and u not in in_ctor for u in early):
                continue
            vias = sorted({u.anchor for u in early})
            counted = count_runs(self.program, owner, [facts.ops[a] for a in vias])
            if counted is None:
                continue
            total, ordered = counted
            if len({id(facts.ops[a]) for a in vias}) != len(vias) or any(
                sum(1 for u in early if u.anchor == a) != 1 for a in vias
            ):
                continue  # one send per leading statement, so the statements count the sends
            if total != UNBOUNDED and total <= ch.capacity:
                continue
            stuck_via = ordered[min(ch.capacity, len(ordered) - 1)]
            k = facts.ops.index(stuck_via)
            stuck_use = next(u for u in early if u.anchor == k)
            partner_go = facts.ops[min(starts)] if starts and min(starts) < len(facts.ops) else None
            partner_fn = owner
            if in_ctor:  # the constructor sends, then starts the receiver: name its own `go`
                partner_go, partner_fn = receivers[0].routine.op, receivers[0].routine.fn
            self.overfilled.append(
                OverfilledField(
                    ch,
                    owner,
                    total,
                    [facts.ops[a] for a in vias],
                    stuck_use.fn,
                    stuck_use.op,
                    stuck_via,
                    partner_go,
                    partner_fn,
                )
            )

    def _skipped_signals(self, walk: _Walk) -> None:
        """A field channel only one goroutine of the instance sends on or closes (plainly, in the
        function the `go` runs), that the owner (or a method it calls) waits on with a plain receive
        after the `go`, while that function can `return` before every send and close: the wait then
        never ends (`Stop` closing `quit` and waiting on `stopped` after the loop left on an error)."""
        for fc in walk.chans.values():
            if not fc.channel.make_sites or any(not u.routine.known for u in fc.uses):
                continue
            signals = [u for u in fc.uses if u.op.kind != "recv"]
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            if not signals or not recvs or any(u.routine != OWN for u in recvs):
                continue
            routine = signals[0].routine
            target = routine.target
            if routine == OWN or target is None or routine.op is None or routine.fn is None:
                continue
            where = [self._signal_index(u, target) for u in signals]
            sidx = [i for i in where if i is not None]
            if len(sidx) != len(signals) or any(u.routine != routine or u.op.mode == "defer" for u in signals):
                continue
            go_anchor = min(u.anchor for u in signals)
            waits = [
                u
                for u in recvs
                if u.op.mode == "expr"
                and u.op.select < 0
                and (u.anchor > go_anchor or u.anchor == go_anchor and _after_in(u, routine))
                and self._runs_unconditionally(walk.owner, u)
            ]
            if not waits:
                continue
            facts = target.facts

            def leaves(op: Op, target: Function = target) -> bool:
                return op.kind == "return" or ends_goroutine(self.program, target, op) is not None

            wait = waits[0]
            # The function holding the `go` (a method the owner calls, `l.Load()`) names where it starts,
            # and the channel is named as the methods that use it write it (`l.ready`), not by the
            # owner's variable.
            starter = routine.fn if routine.fn is not None else walk.owner
            channel = fc.channel if starter is walk.owner else replace(fc.channel, label=E.render(wait.op.fn))
            skipping = returns_skipping(facts, sidx, leaves) or returns_skipping_later_rounds(facts, sidx, leaves)
            if not skipping:
                loop = _runs_out_before(facts, sidx)
                first = facts.ops[sidx[0]]
                if loop is None or _asked_first(wait.fn, wait.op, target, first) or self._told(first, wait):
                    continue
                found = SkippedSend(channel, starter, routine.op, target, first, None, loop, wait.op, wait.fn)
                self.skipped.append(found)
                self.debug["GIM102_signals_skipped_when_a_loop_runs_out"] += 1
                continue
            for i, t in skipping:
                region = deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
                if _asked_first(wait.fn, wait.op, target, facts.ops[t]):
                    self.debug["GIM102_skips_after_own_request"] += 1
                    break
                if self._done_only_after_wait(walk, target, facts.ops[i], wait):
                    self.debug["GIM102_skips_on_a_context_only_the_waiter_cancels"] += 1
                    break
                if starter is not walk.owner and self._told(facts.ops[t], wait, facts.ops[i]):
                    break  # the same methods reached from another owner's instance (a second test)
                self.skipped.append(
                    SkippedSend(
                        channel, starter, routine.op, target, facts.ops[t], facts.ops[i], region, wait.op, wait.fn
                    )
                )
                break

    def _signal_index(self, u: Use, target: Function) -> int | None:
        """Where in target's ops the signal u happens: its own op, or, for a `close` in a literal
        target runs through a sync.Once (`w.once.Do(func() { close(w.ready) })`), the `Do` call.
        None when the signal is elsewhere."""
        if u.fn is target:
            return target.facts.ops.index(u.op)
        if u.op.kind != "call" or u.fn.parent is not target:
            return None
        made = self._created(target).get(u.fn.id)
        if made is None or not _once_runs(self.program, target, made[1], u.fn):
            return None
        return made[0]

    def _told(self, signal: Op, wait: Use, exit: Op | None = None) -> bool:
        """A skipped signal of the same send (and exit) and wait is reported already: the same methods
        reached through another owner's instance."""
        return any(k.send is signal and k.exit is exit and k.receive is wait.op for k in self.skipped)

    def _skipped_closes(self, walk: _Walk) -> None:
        """A field channel the instance's goroutines range over (each range's only way out), closed
        once, plainly, in a method the owner calls on its own goroutine, which can return before that
        close, while the owner waits after the call for a group those goroutines count down: `p.Feed`
        returning on a bad item before `close(p.jobs)`, then `p.Wait()`. The ranges never end, so
        neither does the wait (unpaired's `_skipped_close`, roles swapped, for an instance)."""
        for fc in walk.chans.values():
            if not fc.channel.make_sites or any(not u.routine.known for u in fc.uses):
                continue
            closes = [u for u in fc.uses if u.op.kind == "call"]
            ranges = [u for u in fc.uses if u.op.kind == "recv" and u.op.mode == "range"]
            if not closes or not ranges or any(u.op.kind == "recv" and u.op.mode != "range" for u in fc.uses):
                continue
            close = closes[0]
            closer = close.fn
            if any(u.fn is not closer or u.routine != OWN or u.op.mode != "plain" for u in closes):
                continue  # closed in several functions, in a goroutine, or by a `defer`
            if closer is walk.owner:
                continue
            if any(u.routine == OWN or self.unpaired._range_exits(u.fn, u.op) for u in ranges):
                continue
            rng = ranges[0]
            awaited = _awaited(walk.waitgroups, rng.routine)
            group_waits = [(f, op, a) for f, op, _g, m, r, a in walk.waitgroups if m == "Wait" and r == OWN]
            wait = next((w for w in group_waits if (w[0], w[1]) == awaited), None)
            if wait is None:
                wait = _signal_awaited(walk, fc, rng)  # `close(t.done)` after the range, `<-t.done` in the owner
            via = self._closer_called_before(walk, close, wait) if wait is not None else None
            if via is None:
                continue
            facts = closer.facts
            targets = sorted(facts.ops.index(u.op) for u in closes)

            def leaves(op: Op, closer: Function = closer) -> bool:
                return op.kind == "return" or ends_goroutine(self.program, closer, op) is not None

            for i, t in exits_skipping(facts, targets, leaves):
                close = next(u for u in closes if u.op is facts.ops[t])
                if any(k.exit is facts.ops[i] and k.close_op is close.op for k in self.skipped_closes):
                    break  # the same methods reached from another owner's instance (a second test)
                region = deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
                go = rng.routine
                channel = fc.channel
                if via[0] is not walk.owner and close.op.args:
                    channel = replace(channel, label=E.render(close.op.args[0]))  # as the methods write it
                self.skipped_closes.append(
                    SkippedClose(
                        channel,
                        walk.owner,
                        rng.fn,
                        rng.op,
                        closer,
                        close.op,
                        facts.ops[i],
                        region,
                        go.op,
                        via,
                        True,
                        go.fn,
                        closes=len(closes),
                    )
                )
                self.debug["GIM102_field_closes_skipped"] += 1
                break

    def _closer_called_before(self, walk: _Walk, close: Use, wait: tuple) -> tuple[Function, Op] | None:
        """(function, call) of the call that runs the closer, when the wait comes after it: the owner's
        own statement before the wait's, or, both reached through one statement (`tl.Run()`), the call
        of the closer in the waiting method before its wait (`err := t.readLoop(); <-t.done`)."""
        wfn, wop, wanchor = wait
        owner_ops = walk.owner.facts.ops
        if wanchor > close.anchor:
            call = owner_ops[close.anchor]
            return (walk.owner, call) if call.kind == "call" else None
        if wanchor != close.anchor or wfn is walk.owner:
            return None
        ops = wfn.facts.ops
        at = ops.index(wop)
        for k, op in enumerate(ops[:at]):
            if op.kind == "call" and op.mode == "plain":
                if any(t.function is close.fn for t in self.program.resolve_call(wfn, op)):
                    return wfn, ops[k]
        return None

    def _done_only_after_wait(self, walk: _Walk, target: Function, ret: Op, wait: Use) -> bool:
        """ret sits in `case <-r.ctx.Done():` of the method target, where the instance's context
        field is set once, in its allocation, to a context made there from `context.Background()`
        whose cancel only the owner calls, deferred (itself, or through a func field the
        allocation gives it, as `defer t.Stop()` calling `t.stop()`): while the owner waits,
        nothing can cancel it (unpaired's `_done_only_after_wait` for locals)."""
        ctx = done_case_context(target, ret)
        sel = E.selector(ctx) if ctx is not None else None
        if sel is None or not E.is_ident(sel[0], target.facts.recv_name):
            return False
        fname = sel[1]
        if any(name == fname and how == "write" for name, how, *_rest in walk.others):
            return False
        maker, alloc = (walk.ctor, walk.ctor_alloc) if walk.ctor is not None else (walk.owner, walk.alloc)
        comp = E.composite(E.strip_address(alloc.args[0])) if alloc is not None and alloc.args else None
        value = next((v for k, v in comp[1] if E.is_ident(k, fname)), None) if comp else None
        local = E.ident(value) if value is not None else None
        cancel = quiet_cancel(self.program, maker, local) if local else None
        if cancel is None or maker is None or alloc is None:
            return False
        keys = cancel_stored_or_after(maker, cancel, wait.fn, wait.op, alloc, maker is walk.owner)
        if keys is None:
            return False
        owner_ops = walk.owner.facts.ops
        for name, how, _f, _op, routine, anchor in walk.others:
            if name in keys and (how != "call" or routine != OWN or owner_ops[anchor].mode != "defer"):
                return False
        return True

    def _dropped_signals(self, walk: _Walk) -> None:
        """An unbuffered field channel whose only send is a `select` case with `default`, outside
        any loop, in the function one goroutine of the instance runs (started once, outside any
        loop), while the owner (or a method it calls) waits on it once with a plain receive: the
        send is dropped unless that receive already waits (`counted.dropped_signals` on locals)."""
        for fc in walk.chans.values():
            if fc.channel.capacity != 0 or any(not u.routine.known for u in fc.uses):
                continue
            sends = [u for u in fc.uses if u.op.kind == "send"]
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            if len(sends) != 1 or len(recvs) != 1 or len(sends) + len(recvs) != len(fc.uses):
                continue
            send, recv = sends[0], recvs[0]
            routine = send.routine
            if routine == OWN or routine.target is not send.fn or routine.op is None or routine.fn is None:
                continue
            if recv.routine != OWN or recv.op.mode != "expr" or recv.op.select >= 0 or recv.anchor <= send.anchor:
                continue
            sfacts = send.fn.facts
            if send.op.select < 0 or not (sfacts.regions[send.op.select].info or (False,))[0]:
                continue
            if _in_loop(send.fn, send.op) or _in_loop(routine.fn, routine.op) or _in_loop(recv.fn, recv.op):
                continue
            if not self._runs_unconditionally(walk.owner, recv):
                continue
            self.dropped.append(
                DroppedSignal(
                    fc.channel,
                    walk.owner,
                    send.fn,
                    routine.op,
                    send.op,
                    recv.op,
                    start_fn=routine.fn,
                    receiver=recv.fn,
                )
            )

    def _early_leave(self, fc: FieldChannel):
        """The only receive is a `range` over the field, in the owner's own body or straight in a
        goroutine it starts, whose body can leave (`range_exit`); the other side (the goroutine,
        or the owner straight in its body or in methods it calls unconditionally) sends more
        values, after that goroutine started, than one receive and the buffer take."""
        ch, owner = fc.channel, fc.owner
        recvs = [u for u in fc.uses if u.op.kind == "recv"]
        sends = [u for u in fc.uses if u.op.kind == "send"]
        closes = [u for u in fc.uses if u.op.kind not in ("send", "recv")]
        if len(recvs) != 1 or not sends or any(u.op.select >= 0 for u in sends):
            return None
        rng = recvs[0]
        if any(u.routine != sends[0].routine for u in closes):
            return None  # closed by the receiving side: a late send panics instead
        goroutine = rng.routine if rng.routine != OWN else sends[0].routine
        if goroutine == OWN or goroutine.target is None or goroutine.fn is None or goroutine.op is None:
            return None
        if rng.routine == OWN and rng.fn is not owner or rng.routine != OWN and rng.fn is not goroutine.target:
            return None
        exit_op = range_exit(self.program, rng.fn, rng.op)
        if exit_op is None:
            return None
        other = OWN if rng.routine != OWN else goroutine
        if any(u.routine != other for u in sends):
            return None
        go_anchor = rng.anchor if rng.routine != OWN else sends[0].anchor
        cap = ch.capacity or 0
        if other == OWN and all(u.fn is owner for u in sends):
            if any(u.anchor <= go_anchor for u in sends):
                return None
            counted = count_runs(self.program, owner, [u.op for u in sends])
            if counted is None:
                return None
            total, ordered = counted
        elif other == OWN:
            if any(u.anchor <= go_anchor or not self._runs_unconditionally(owner, u) for u in sends):
                return None
            total = len(sends)
            ordered = [u.op for u in sorted(sends, key=lambda u: u.anchor)]
        else:
            sender = goroutine.target
            if rng.anchor < go_anchor:
                return None
            if any(u.fn is not sender for u in sends):
                # `for sc.Scan() { t.emit(line) }`, emit sending on the field: a stream through a helper
                if not all(self._sent_in_a_loop_of(sender, u) for u in sends):
                    return None
                counted = None
            else:
                counted = count_runs(self.program, sender, [u.op for u in sends])
            if counted is None and all(self._sent_in_a_loop_of(sender, u) for u in sends):
                # a loop of unknown length (`for sc.Scan() {`): once it goes round twice, a receiver
                # that has left strands the next send
                self.debug["GIM102_field_senders_in_loops_of_unknown_length"] += 1
                counted = (0, [u.op for u in sends])  # 0: a loop of unknown count
            if counted is None:
                self.debug["GIM102_field_senders_not_counted"] += 1
                return None
            total, ordered = counted
        if total not in (UNBOUNDED, 0) and total - 1 <= cap:
            return None
        if ends_with_marker(ordered):
            self.debug["GIM102_early_leaves_after_an_end_marker"] += 1
            return None
        stuck = ordered[min(1 + cap, len(ordered) - 1)]
        stuck_fn = next(u.fn for u in sends if u.op is stuck)
        return EarlyLeave(ch, owner, goroutine.op, rng.fn, rng.op, exit_op, stuck_fn, stuck, total, goroutine.fn)

    def _sent_in_a_loop_of(self, sender: Function, u: Use) -> bool:
        """The send u runs in a loop of sender: its own op in a loop, or in a function only sender calls,
        plainly, from inside a loop (`t.emit(l)` in `for sc.Scan() {`)."""
        if u.fn is sender:
            return _in_loop(sender, u.op)
        calls = self.program.callers(u.fn)
        return bool(calls) and all(f is sender and c.mode == "plain" and _in_loop(sender, c) for f, c in calls)

    def _quits_after_exit(self, walk: _Walk) -> None:
        """An unbuffered field channel the owner sends on, unconditionally and outside any `select`,
        whose receives are all `case`s of one goroutine; that goroutine has a `return` in the body
        of a `case` receiving from another field channel the owner sent on (or closed) before: by
        the time of the quit send the goroutine may be gone, and nothing else receives."""
        for fc in walk.chans.values():
            ch = fc.channel
            sends = [u for u in fc.uses if u.op.kind == "send"]
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            if (
                not ch.make_sites
                or ch.capacity != 0
                or not sends
                or not recvs
                or len(sends) + len(recvs) != len(fc.uses)
            ):
                continue  # buffered, or closed somewhere: no quit send to be left waiting
            routine = recvs[0].routine
            target = routine.target
            if target is None or routine.fn is None or routine.op is None:
                continue
            if any(u.routine != routine or u.fn is not target or u.op.mode != "case" for u in recvs):
                continue
            if any(
                u.routine != OWN or u.op.select >= 0 or not self._runs_unconditionally(walk.owner, u) for u in sends
            ):
                self.debug["GIM102_quit_sends_not_certain"] += 1
                continue
            found, u = None, None
            for u in sorted(sends, key=lambda x: x.anchor):  # the first send a trigger comes before
                found = self._left_before(walk, fc, routine, u.anchor)
                if found is not None:
                    break
            if found is not None and u is not None:
                gone, other, trigger = found
                via = walk.owner.facts.ops[u.anchor]
                self.quit_after_exit.append(
                    QuitAfterExit(ch, walk.owner, routine.fn, routine.op, target, gone, other, trigger, via, u.fn, u.op)
                )

    def _quits_twice(self, walk: _Walk) -> None:
        """An unbuffered field channel whose only receives are `case`s of one goroutine that each
        return, sent on by the owner through a deferred statement and again, earlier on some path,
        plainly (`defer f.Stop()`, then `f.Stop(); return err` on an error): the first send makes the
        goroutine return, and the deferred one, run on the way out, waits forever."""
        for fc in walk.chans.values():
            ch = fc.channel
            sends = [u for u in fc.uses if u.op.kind == "send"]
            recvs = [u for u in fc.uses if u.op.kind == "recv"]
            if not ch.make_sites or ch.capacity != 0 or not sends or not recvs:
                continue
            if len(sends) + len(recvs) != len(fc.uses) or any(u.routine != OWN for u in sends):
                continue
            routine = recvs[0].routine
            target = routine.target
            if target is None or routine.fn is None or routine.op is None:
                continue
            if any(u.routine != routine or u.fn is not target or u.op.mode != "case" for u in recvs):
                continue
            facts = target.facts
            gone = None
            for u in recvs:
                gone = next(
                    (o for o in facts.ops if o.kind == "return" and u.op.body in enclosing_regions(facts, o.region)),
                    None,
                )
                if gone is None:
                    break
            if gone is None:
                continue
            owner_ops = walk.owner.facts.ops
            if any(u.op.select >= 0 or not on_straight_line(u.fn.facts, u.op.region) for u in sends):
                continue
            deferred = [
                u
                for u in sends
                if owner_ops[u.anchor].mode == "defer"
                and on_straight_line(walk.owner.facts, owner_ops[u.anchor].region)
            ]
            if not deferred:
                continue
            go_anchor = min(u.anchor for u in recvs)
            late = deferred[0]
            plain = [u for u in sends if owner_ops[u.anchor].mode != "defer" and u.anchor > max(late.anchor, go_anchor)]
            if not plain:
                continue
            first = min(plain, key=lambda u: u.anchor)
            self.quit_after_exit.append(
                QuitAfterExit(
                    ch,
                    walk.owner,
                    routine.fn,
                    routine.op,
                    target,
                    gone,
                    ch,
                    (walk.owner, owner_ops[first.anchor]),
                    owner_ops[late.anchor],
                    late.fn,
                    late.op,
                )
            )

    def _left_before(self, walk: _Walk, quit: FieldChannel, routine: Goroutine, before: int):
        """(the goroutine's `return`, the other channel, the owner's trigger) for a `return` in the
        body of a `case` of the goroutine receiving from another field channel that the owner
        sends on or closes after starting the goroutine and before anchor `before`."""
        target = routine.target
        if target is None:
            return None
        facts = target.facts
        go_anchor = next(u.anchor for u in quit.uses if u.routine == routine)
        returns = [op for op in facts.ops if op.kind == "return"]
        for other in walk.chans.values():
            if other is quit:
                continue
            # A deferred close (or a deferred call that closes) runs when the owner returns,
            # after every send it makes: it cannot be what sent the goroutine away.
            triggers = [
                u
                for u in other.uses
                if u.routine == OWN
                and u.op.kind != "recv"
                and go_anchor < u.anchor < before
                and u.op.mode != "defer"
                and walk.owner.facts.ops[u.anchor].mode != "defer"
            ]
            if not triggers:
                continue
            for u in other.uses:
                if u.routine != routine or u.fn is not target or u.op.kind != "recv" or u.op.mode != "case":
                    continue
                if comma_ok(facts, u.op):
                    # `v, ok := <-in` with its `return` on `!ok`: the owner's close is what ends it.
                    triggers = [t for t in triggers if t.op.kind == "call"]
                    if not triggers:
                        continue
                gone = next((r for r in returns if u.op.body in enclosing_regions(facts, r.region)), None)
                if gone is not None:
                    last = max(triggers, key=lambda t: (t.anchor, t.fn.facts.ops.index(t.op)))
                    return gone, other.channel, (last.fn, last.op)
        return None

    def _waits_for(self, walk: _Walk, routine: Goroutine, target: Function, stop_ids: set, go_anchor: int):
        """(waiter, wait op, its text, the goroutine's signal) for the owner's unconditional wait,
        after the goroutine started, on a done field or WaitGroup field only that goroutine
        signals on its way out; None when there is none."""
        p = self.program
        for done in walk.chans.values():
            signals = [u for u in done.uses if u.op.kind != "recv"]  # sends, and `close` calls
            if not signals or any(u.routine != routine or u.fn is not target for u in signals):
                continue
            if not all(signals_on_exit(p, target, u.op, stop_ids) for u in signals):
                continue
            for u in done.uses:
                if u.op.kind != "recv" or u.op.mode != "expr" or u.op.select >= 0 or u.routine != OWN:
                    continue
                if u.anchor > go_anchor and self._runs_unconditionally(walk.owner, u):
                    return u.fn, u.op, done.channel.label, (target, signals[0].op)
        groups = walk.waitgroups
        dones = [g for g in groups if g[3] == "Done" and g[4] == routine]
        if not dones or any(f is not target or op.mode != "defer" for f, op, *_rest in dones):
            return None
        names = {g[2] for g in dones}
        for f, op, name, method, r, anchor in groups:
            if method != "Wait" or name not in names or r != OWN or anchor <= go_anchor:
                continue
            if any(g[2] == name and g[3] == "Done" and g[4] != routine for g in groups):
                return None  # another goroutine counted by the same group
            use = Use(f, op, r, anchor, False)
            if self._runs_unconditionally(walk.owner, use):
                return f, op, f"{E.render(op.fn)}()", (target, dones[0][1])
        return None

    # ---- the walk ------------------------------------------------------------------------------
    def _instance(self, owner: Function, index: int, named: str, var: str, ctor: _State | None) -> _Walk | None:
        """The walk over one instance's users, its channel fields given their one make site; None
        when the instance escapes or is not one."""
        facts = owner.facts
        alloc = facts.ops[index]
        # `var m *T` declares without a value; other values are judged only on branches that exclude
        # this one (`if flag { m = NewA() } else { m = NewB() }`), each instance walked without the other's.
        others = [
            op
            for op in facts.ops
            if op.kind == "assign" and _assigns(op, var) and op is not alloc and (op.mode != "var" or op.args)
        ]
        alloc_chain = list(enclosing_regions(facts, alloc.region))
        if any(not exclusive_branches(facts, alloc_chain, list(enclosing_regions(facts, o.region))) for o in others):
            self.debug["GIM102_field_instances_reassigned"] += 1
            return None
        walk = _Walk(owner, var, named, alloc)
        if others:
            walk.branch_chain = alloc_chain
            self.debug["GIM102_field_instances_on_exclusive_branches"] += 1
        states = [_State(owner, var, OWN, None, False)]
        self._composite_makes(owner, walk.alloc, walk)
        if ctor is not None:
            ctor.anchor = index
            if ctor.name:
                states.append(ctor)  # a constructor with no local (`return &T{...}`) has nothing more to walk
            walk.ctor = ctor.fn
            walk.ctor_alloc = ctor.alloc
            walk.allocs.add(id(ctor.alloc))
            self._composite_makes(ctor.fn, ctor.alloc, walk)
        # One state per statement of the owner that leads there: `s.Submit(1)` before and after `cancel()`.
        seen = {(s.fn.id, s.routine, s.anchor) for s in states}
        try:
            while states:
                state = states.pop()
                if not self.budget.charge(owner, len(state.fn.facts.ops) + 1):
                    raise _Escape("budget")
                for nxt in self._read(state, walk):
                    key = (nxt.fn.id, nxt.routine, nxt.anchor)
                    if key not in seen:
                        if len(seen) >= MAX_FUNCTIONS:
                            raise _Escape("too_wide")
                        seen.add(key)
                        states.append(nxt)
        except _Escape as reason:
            self.debug[f"GIM102_field_instances_{reason}"] += 1
            return None
        self.debug["GIM102_field_instances"] += 1
        for fname, fc in sorted(walk.chans.items()):
            sites = walk.makes.get(fname, [])
            if not sites:
                self._nil_uses(walk, fname, fc)
            else:
                self._made_past_a_failure(walk, fname, fc)
            if len(sites) != 1 or sites[0][2] is None:
                self.debug["GIM102_field_channels_unknown_capacity"] += 1
                continue
            mfn, mop, cap = sites[0]
            fc.channel.capacity = cap
            fc.channel.make_sites.append((mfn, mop))
            for use in fc.uses:
                kind = use.op.kind
                edges = fc.channel.sends if kind == "send" else fc.channel.receives if kind == "recv" else None
                (edges if edges is not None else fc.channel.closes).append((use.fn, use.op))
        return walk

    def _nil_uses(self, walk: _Walk, fname: str, fc: FieldChannel) -> None:
        """The instance is built without this channel field (`&Job{ID: j.ID}`) and nothing in the walk
        makes or assigns it (any other assignment ends the walk): a plain send or receive on it, outside
        any `select`, is on a nil channel and blocks forever. The first such use is reported."""
        if not fname[:1].islower():
            return  # an exported field: code in other modules may set it
        # The owner's own wait first: it is what hangs its caller; a goroutine's is a leak.
        for use in sorted(fc.uses, key=lambda u: (u.routine != OWN, u.anchor)):
            if under_nil_check(use.fn, use.op) or _returns_on_nil_first(use.fn, use.op):
                continue  # `if g.hold != nil { <-g.hold }`; `if g.doneCh == nil { return }`: a zero value handled
            if use.op.kind in ("send", "recv") and use.op.select < 0 and use.op.mode != "range":
                alloc_fn = walk.ctor if walk.ctor is not None else walk.owner
                alloc = walk.ctor_alloc if walk.ctor is not None and walk.ctor_alloc is not None else walk.alloc
                label = f"{walk.named.split('#')[-1]}.{fname}"
                self.nil_uses.append(
                    NilInstanceField(use.fn, use.op, fname, walk.var, walk.owner, alloc_fn, alloc, label)
                )
                self.debug["GIM102_nil_instance_fields"] += 1
                return

    def _made_past_a_failure(self, walk: _Walk, fname: str, fc: FieldChannel) -> None:
        """`defer s.Shutdown()` (which receives from s.done), then `s.Start()`, which makes s.done only
        after an error return (`if len(s.handlers) == 0 { return ErrNoHandlers }`): when Start fails,
        every way out of the owner (a return, `t.Fatal`, a panic) runs the deferred receive on a nil
        channel. Judged when the instance is built without the field, one call of the owner makes it,
        the deferred use is registered before that call, and the failing `return` hands back an error
        under a condition that names no field set before the call and not the channel itself."""
        if not fname[:1].islower():
            return
        owner = walk.owner
        anchors = {a for f, a, _fn, _op in walk.make_at if f == fname}
        makers = [(m, op) for f, _a, m, op in walk.make_at if f == fname]
        if len(anchors) != 1 or len(makers) != 1:
            return
        call_at = anchors.pop()
        maker, make_op = makers[0]
        call = owner.facts.ops[call_at]
        if maker is owner or maker is walk.ctor or call.kind != "call" or call.mode != "plain":
            return
        if any(o.kind == "call" and call_exit(self.program, owner, o) == "process" for o in owner.facts.ops):
            return  # `log.Fatal(err)` on the failure: the deferred calls never run
        failing = self._failing_return(walk, maker, make_op, fname, call_at)
        if failing is None:
            return
        for use in sorted(fc.uses, key=lambda u: u.anchor):
            deferred = owner.facts.ops[use.anchor]
            if use.anchor >= call_at or deferred.kind != "call" or deferred.mode != "defer":
                continue
            if use.routine != OWN or under_nil_check(use.fn, use.op) or _returns_on_nil_first(use.fn, use.op):
                continue
            if use.op.kind in ("send", "recv") and use.op.select < 0 and use.op.mode != "range":
                label = f"{walk.named.split('#')[-1]}.{fname}"
                alloc_fn = walk.ctor if walk.ctor is not None else owner
                alloc = walk.ctor_alloc if walk.ctor is not None and walk.ctor_alloc is not None else walk.alloc
                self.nil_uses.append(
                    NilInstanceField(
                        use.fn, use.op, fname, walk.var, owner, alloc_fn, alloc, label, (deferred, call, maker, failing)
                    )
                )
                self.debug["GIM102_nil_instance_fields_made_past_a_failure"] += 1
                return

    def _failing_return(self, walk: _Walk, maker: Function, make_op: Op, fname: str, call_at: int) -> Op | None:
        """The maker's `return` of an error that leaves before the make, under a condition on the
        arguments or on fields nothing set before the owner's call (not a guard of a second start)."""
        facts = maker.facts
        if not facts.results or facts.results[-1] != "error":
            return None
        ops = facts.ops
        recv = facts.recv_name
        touched = {f for f, _role, fn, _op, _r, anchor in walk.others if anchor < call_at and fn is not walk.ctor}
        touched.add(fname)
        for o in ops:  # a flag the maker sets (`s.running = true`) guards a second start
            if o.kind == "assign":
                touched.update(
                    sel[1] for t in o.targets if (sel := E.selector(t)) is not None and E.is_ident(sel[0], recv)
                )
        for ret, _target in returns_skipping(facts, [ops.index(make_op)]):
            op = ops[ret]
            if not op.args or E.is_nil(op.args[-1]):
                continue
            guards = [
                facts.regions[r].info for r in enclosing_regions(facts, op.region) if facts.regions[r].kind == "if"
            ]
            if not guards:
                continue
            named = {
                sel[1]
                for g in guards
                if g is not None
                for x in E.subexprs(g)
                if (sel := E.selector(x)) is not None and E.is_ident(sel[0], recv)
            }
            if named & touched:
                continue  # `if s.done != nil`, `if s.running`: a second start refused, not a failure
            return op
        return None

    def _composite_makes(self, fn: Function, op, walk: _Walk) -> None:
        """The channel fields `&T{f: make(chan X, n)}` makes; a field given any other value has no
        one make site (it is made nowhere, or shared with whatever it was given)."""
        p = self.program
        comp = E.composite(E.strip_address(op.args[0])) if op is not None and op.args else None
        for key, value in comp[1] if comp else ():
            fname = E.ident(key)
            ft = p.field_type(walk.named, fname) if fname else None
            if fname is None or ft is None or not _is_chan(p.underlying(ft[0])):
                continue
            walk.channel(fname)
            if E.is_make_call(value):
                walk.makes.setdefault(fname, []).append(_make_site(p, fn, value, op))
            else:
                walk.makes.setdefault(fname, []).append((fn, op, None))

    def _read(self, state: _State, walk: _Walk) -> list[_State]:
        """Record the instance's channel uses in state.fn and its literals; the states it calls into."""
        out = []
        p = self.program
        owner_facts = walk.owner.facts
        for f, routine, lit_anchor in self._with_literals(state):
            if (
                f is not walk.owner
                and walk.branch_chain is not None
                and state.fn is walk.owner
                and lit_anchor is not None
                and exclusive_branches(
                    owner_facts,
                    walk.branch_chain,
                    list(enclosing_regions(owner_facts, owner_facts.ops[lit_anchor].region)),
                )
            ):
                continue  # a literal made on another instance's branch
            for i, op in self._naming(f).get(state.name, ()):
                if (
                    f is walk.owner
                    and walk.branch_chain is not None
                    and exclusive_branches(f.facts, walk.branch_chain, list(enclosing_regions(f.facts, op.region)))
                ):
                    continue  # another instance's branch
                if op.kind == "assign" and op.mode == "var" and not op.args:
                    continue  # `var m *T`: declared, given its value later
                anchor = lit_anchor if lit_anchor is not None else i
                long_lived = state.long_lived or self._long_lived(f, op.region)
                group = self._waitgroup_call(op, state.name, walk.named)
                if group is not None:
                    walk.waitgroups.append((f, op, group[0], group[1], routine, anchor))
                for fname, role in self._roles(op, state.name, walk, f is walk.ctor):
                    if role == "method":
                        for t in p.resolve_call(f, op):
                            callee = t.function
                            if not _method_of(callee, walk.named):
                                continue  # a method of an embedded value: it cannot reach this struct's fields
                            recv = callee.facts.recv_name
                            if not recv or recv == "_":
                                continue
                            sub = Goroutine(f, op, callee) if op.mode == "go" else routine
                            out.append(_State(callee, recv, sub, anchor, long_lived))
                        continue
                    if role == "pass":
                        out.append(self._passed(f, op, int(fname), walk, routine, anchor, long_lived))
                        continue
                    if role.startswith("other-"):
                        walk.others.append((fname, role[6:], f, op, routine, anchor))
                        continue
                    fc = walk.channel(fname)
                    if role == "make":
                        value = next(v for t, v in zip(op.targets, op.args, strict=True) if E.selected_name(t) == fname)
                        walk.makes.setdefault(fname, []).append(_make_site(p, f, value, op))
                        walk.make_at.append((fname, anchor, f, op))
                    elif role in ("send", "recv", "close"):
                        fc.uses.append(Use(f, op, routine, anchor, long_lived))
        return out

    def _passed(
        self, f: Function, op: Op, position: int, walk: _Walk, routine: Goroutine, anchor: int, long_lived: bool
    ) -> _State:
        """The state for the instance handed as argument `position` of the call op to the one in-tree
        function it can reach, whose parameter holds a pointer to the instance's type; raises
        _Escape for anything else (an interface or function-value call, a variadic or unnamed
        parameter, a copy of the struct)."""
        found = self.program.parameter_at(f, op, position)
        if found is None or self.program.locals(found[0]).get(found[1]) != "*" + walk.named:
            raise _Escape("passed_to_unknown")
        callee, name = found
        sub = Goroutine(f, op, callee) if op.mode == "go" else routine
        return _State(callee, name, sub, anchor, long_lived)

    def _waitgroup_call(self, op, name: str, named: str) -> tuple[str, str] | None:
        """(field, method) for `name.wg.Wait()` / `name.wg.Done()` on a `sync.WaitGroup` field."""
        sel = E.selector(op.fn) if op.kind == "call" else None
        if sel is None or sel[1] not in ("Wait", "Done"):
            return None
        holder = E.selector(sel[0])
        if holder is None or not E.is_ident(holder[0], name):
            return None
        ft = self.program.field_type(named, holder[1])
        if ft is None or self.program.named(ft[0]) != WAITGROUP:
            return None
        return holder[1], sel[1]

    def _long_lived(self, fn: Function, region: int) -> bool:
        key = (fn.id, region)
        found = self._long_cache.get(key)
        if found is None:
            found = self._long_cache[key] = self.unpaired._long_lived(fn, region)
        return found

    def _with_literals(self, state: _State):
        """(function, goroutine, anchor) for state.fn and each literal inside it that names the
        instance: a literal started by `go` is a goroutine of its own, one called or deferred in
        place runs in its creator's, any other runs at a time nobody can tell."""
        yield state.fn, state.routine, state.anchor
        p = self.program
        routines = {state.fn.id: state.routine}
        anchors = {state.fn.id: state.anchor}
        created = self._created(state.fn)
        for lit in state.fn.nested_literals():  # parents before the literals inside them
            parent = lit.parent
            made = created.get(lit.id)
            if parent is None or made is None or parent.id not in routines:
                routines[lit.id], anchors[lit.id] = UNKNOWN, state.anchor
            else:
                idx, op = made
                number = E.funclit(op.fn) if op.kind == "call" else None
                called = number is not None and p.literal(parent, number) is lit
                called = called or (op.mode != "go" and _once_runs(p, parent, op, lit))
                if called and op.mode == "go":
                    routines[lit.id] = Goroutine(parent, op, lit)
                else:
                    routines[lit.id] = routines[parent.id] if called else UNKNOWN
                parent_anchor = anchors[parent.id]
                anchors[lit.id] = parent_anchor if parent_anchor is not None else idx
            if p.declaring_function(lit, state.name) is state.fn:
                yield lit, routines[lit.id], anchors[lit.id]

    def _naming(self, f: Function) -> dict[str, list[tuple[int, Op]]]:
        """(index, op) of f's ops by the identifiers they name (callee, arguments, targets), built
        once per function: a walk reads only the ops that name its variable."""
        index = self._names.get(f.id)
        if index is None:
            index = self._names[f.id] = {}
            for i, op in enumerate(f.facts.ops):
                names: set = set()
                for e in (op.fn, *op.args, *op.targets):
                    if e is not None and E.is_expr(e):
                        E.idents_in(e, names)
                for n in names:
                    index.setdefault(n, []).append((i, op))
        return index

    def _created(self, fn: Function) -> dict[int, tuple[int, Op]]:
        """Literal id -> (index, op) of the statement of its parent creating it, for every literal
        inside fn, from one read of their ops (once per function)."""
        found = self._creations.get(fn.id)
        if found is None:
            found = self._creations[fn.id] = {}
            for f in [fn, *fn.nested_literals()]:
                for i, op in enumerate(f.facts.ops):
                    numbers: list = []
                    for e in (op.fn, *op.args):
                        if e is not None and E.is_expr(e):
                            E.funclits_in(e, numbers)
                    for number in numbers:
                        lit = self.program.literal(f, number)
                        if lit is not None and lit.parent is f:
                            found.setdefault(lit.id, (i, op))
        return found

    def _getter(self, named: str, mname: str) -> str | None:
        """The channel field the method mname of named only returns (`func (w *T) Events() <-chan E
        { return w.events }`), else None."""
        p = self.program
        m = p.method(named, mname)
        field = _getter_body(m) if m is not None else None
        ft = p.field_type(named, field) if field is not None else None
        return field if ft is not None and ft[1] == named and _is_chan(p.underlying(ft[0])) else None

    def _roles(self, op, name: str, walk: _Walk, in_ctor: bool) -> list[tuple[str, str]]:
        """(field or method name, role) for each use of the instance variable in op; raises _Escape on
        a use the walk cannot follow."""
        p = self.program
        ident = E.make_ident(name)
        out = []
        bare = 0
        sels: list = []
        passed = []
        for pos, e in _positions(op):
            if pos == "arg" and e == ident and op.kind == "call" and op.mode in ("plain", "go"):
                passed.append(op.args.index(e))  # `watch(ctx, u)`: followed into the callee's parameter
                continue
            for x in E.subexprs_outside_calls(e):
                if x == ident:
                    bare += 1
                sel = E.selector(x)
                if sel is not None and sel[0] == ident:
                    sels.append((pos, e, x, sel[1]))
        named = walk.named
        if id(op) in walk.allocs:
            bare -= 1  # the allocation itself
        if bare > len(sels):
            if not (in_ctor and op.kind == "return" and bare == len(sels) + 1):
                raise _Escape("escaping")
        if passed:
            if len(passed) > 1:
                raise _Escape("passed_twice")
            out.append((str(passed[0]), "pass"))
        if op.kind in ("send", "recv") and op.fn is not None:
            got = E.call(op.fn)
            sel = E.selector(got[0]) if got is not None and not got[1] else None
            field = self._getter(named, sel[1]) if sel is not None and sel[0] == ident else None
            if field is not None:
                out.append((field, op.kind))  # `<-w.Events()`: the channel the getter returns
        for pos, e, x, fname in sels:
            if p.method(named, fname) is not None and p.field_type(named, fname) is None:
                if op.kind == "call" and pos == "fn" and e == x:
                    if self._getter(named, fname) is not None:
                        continue  # read where the channel is used (above)
                    out.append((fname, "method"))
                    continue
                raise _Escape("method_value")
            ft = p.field_type(named, fname)
            if ft is None:
                continue
            if not _is_chan(p.underlying(ft[0])):
                # another field: a mutex, a WaitGroup, a counter, a context and its cancel
                called = op.kind == "call" and pos == "fn" and e == x
                written = pos == "target" and e == x
                out.append((fname, "other-call" if called else "other-write" if written else "other-read"))
                continue
            if ft[1] != named:
                # An embedded value's channel: its own methods (not followed) use it, and an
                # embedded pointer may be shared with other instances.
                raise _Escape("embedded_channel")
            out.append((fname, _channel_role(op, pos, e, x)))
        return out


def _closes(op: Op) -> bool:
    """op is `close(...)` (plain or deferred)."""
    return op.kind == "call" and E.is_ident(op.fn, "close")


def _returns_on_nil_first(fn: Function, op: Op) -> bool:
    """Before op, fn returns under an `if` that compares something with nil (`if g.doneCh == nil {
    return }`, `if b.q == nil { return nil }`): the method is written for an instance built without
    its channels, and never reaches op with one."""
    facts = fn.facts
    guards = {
        r
        for r, reg in enumerate(facts.regions)
        if reg.kind == "if"
        and reg.info is not None
        and reg.line < op.line
        and any(E.is_nil(x) for x in E.subexprs(reg.info))
    }
    if not guards:
        return False
    return any(
        o.kind == "return" and guards & set(enclosing_regions(facts, o.region)) for o in facts.ops if o.line < op.line
    )


def _signal_awaited(walk: _Walk, ranged: FieldChannel, rng: Use) -> tuple | None:
    """The owner's anchor of a plain receive on another channel field of the instance that the ranging
    goroutine closes or sends on only after its range (or in a defer): waiting for it waits for the
    range to end."""
    facts = rng.fn.facts
    at = facts.ops.index(rng.op)
    for other in walk.chans.values():
        if other is ranged:
            continue
        signals = [
            u
            for u in other.uses
            if u.fn is rng.fn
            and u.routine == rng.routine
            and u.op.kind in ("call", "send")
            and (u.op.mode == "defer" or facts.ops.index(u.op) > at)
            and rng.op.body not in enclosing_regions(facts, u.op.region)
        ]
        if not signals or len(signals) != sum(1 for u in other.uses if u.op.kind in ("call", "send")):
            continue
        waits = [
            (u.fn, u.op, u.anchor)
            for u in other.uses
            if u.op.kind == "recv" and u.routine == OWN and u.op.mode == "expr" and u.op.select < 0
        ]
        if waits:
            return min(waits, key=lambda w: w[2])
    return None


def _runs_out_before(facts, sidx: list[int]) -> int | None:
    """The bounded loop every signal sits in (`for i := 0; i < attempts; i++ { ...; close(m.ready);
    return }`, or a `range`), when nothing after it signals: once the loop runs out the function ends
    without the signal. An endless `for {` never runs out, and is not this shape."""
    loops = None
    for i in sidx:
        chain = [r for r in enclosing_regions(facts, facts.ops[i].region) if facts.regions[r].kind in ("for", "range")]
        if not chain:
            return None
        loops = chain if loops is None else [r for r in loops if r in chain]
    if not loops:
        return None
    loop = loops[-1]  # the outermost loop around every signal: running it out skips them all
    reg = facts.regions[loop]
    if reg.kind == "for" and reg.info is None:
        return None
    for i in sidx:
        # The signal ends the search: it sits on a branch of the loop (`if err == nil {`) and the
        # function returns right after it. A signal every round (`for ... { ch <- v }`) is not this.
        op = facts.ops[i]
        chain = list(enclosing_regions(facts, op.region))
        below = chain[: chain.index(loop)]
        if all(facts.regions[r].kind in STRAIGHT_KINDS for r in below):
            return None
        if not any(o.kind == "return" and o.region == op.region for o in facts.ops[i + 1 :]):
            return None
    return loop


def _after_in(use: Use, routine: Goroutine) -> bool:
    """The receive comes after the `go` in the one method the owner's statement calls (`l.Load()`
    doing `go l.parse(); return <-l.ready`): both reached through the same anchor."""
    if routine.fn is not use.fn or routine.op is None:
        return False
    ops = use.fn.facts.ops
    return routine.op in ops and ops.index(use.op) > ops.index(routine.op)


def _getter_body(m: Function) -> str | None:
    """The field a method with no parameters does nothing but return (`return w.events`)."""
    f = m.facts
    if f.params or len(f.ops) != 1 or f.ops[0].kind != "return" or len(f.ops[0].args) != 1:
        return None
    sel = E.selector(f.ops[0].args[0])
    return sel[1] if sel is not None and E.is_ident(sel[0], f.recv_name) else None


def _awaited(groups: list, go: Goroutine) -> tuple[Function, Op] | None:
    """(function, op) of a `Wait` on a WaitGroup field whose `Done` the goroutine go defers, made
    by another goroutine: that waiter waits as long as go runs."""
    done = {g for _f, op, g, method, routine, _a in groups if method == "Done" and routine == go and op.mode == "defer"}
    return next(
        ((f, op) for f, op, g, method, routine, _a in groups if method == "Wait" and g in done and routine != go),
        None,
    )


def _done_return(fn: Function, ctx: str, recvs: list) -> Op | None:
    """The `return` in `case <-ctx.Done():` of the `select` holding the receives, when that select
    sits in an endless `for {` loop: the receiver's way out once ctx is cancelled."""
    facts = fn.facts
    selects = {u.op.select for u in recvs}
    if len(selects) != 1:
        return None
    select = selects.pop()
    loop = next((r for r in enclosing_regions(facts, select) if facts.regions[r].kind in ("for", "range")), None)
    if loop is None or facts.regions[loop].kind != "for" or facts.regions[loop].info is not None:
        return None
    for op in facts.ops:
        if op.kind != "recv" or op.select != select:
            continue
        call = E.call(op.fn)
        sel = E.selector(call[0]) if call else None
        if sel is None or sel[1] != "Done" or not E.is_ident(sel[0], ctx) or call is None or call[1]:
            continue
        return next(
            (r for r in facts.ops if r.kind == "return" and op.body in enclosing_regions(facts, r.region)), None
        )
    return None


def _falls_out_of_select(facts, select: int, mine: set) -> tuple[int | None, Op | None]:
    """(another case of the select whose body neither returns nor jumps, the first `return` after
    the select outside it) when the function goes on past the select that way; (None, None)."""
    cases = [r for r, reg in enumerate(facts.regions) if reg.kind in ("case", "default") and reg.parent == select]
    inside = {select, *cases}
    for r in cases:
        if r in mine:
            continue
        body = [o for o in facts.ops if r in enclosing_regions(facts, o.region)]
        if any(o.kind in ("return", "jump") for o in body):
            continue
        if any(o.kind == "call" and o.mode == "plain" and E.is_ident(o.fn, "panic") for o in body):
            continue
        last = max((i for i, o in enumerate(facts.ops) if inside & set(enclosing_regions(facts, o.region))), default=-1)
        after = next(
            (
                o
                for o in facts.ops[last + 1 :]
                if o.kind == "return" and not inside & set(enclosing_regions(facts, o.region))
            ),
            None,
        )
        if after is not None:
            return r, after
    return None, None


def range_exit(program: Program, fn: Function, range_op: Op) -> Op | None:
    """The first way out of the receive loop before the channel is drained: a `return`, a
    `break` leaving the loop, or a call ending the goroutine (`t.Fatal`, `runtime.Goexit`). The
    loop is the outermost around the `range` over the channel or around a plain `v := <-ch`
    (not `v, ok := <-ch`, whose exit is most likely the close). None: no such exit."""
    facts = fn.facts
    loop = receive_loop(facts, range_op)
    if loop is None:
        return None
    view = FnView(fn)
    for op in facts.ops:
        if loop not in enclosing_regions(facts, op.region):
            continue
        if op.kind == "return":
            return op
        if op.kind == "jump" and op.mode == "break":
            target = view.jump_target(op)
            if target is not None and target in enclosing_regions(facts, loop):
                return op
        if op.kind == "call" and op.mode == "plain" and ends_goroutine(program, fn, op) is not None:
            return op
    return None


def ends_with_marker(ordered: list) -> bool:
    """The sends, in the order they run, end with a send of its own after a loop of them (an
    end-of-stream value, `ch <- -1` after `for ... { ch <- v }`): the receiver's early exit may
    be its answer to that value, after which nothing more is sent."""
    return len(ordered) > 1 and ordered[-1] != ordered[-2] and ordered[-2] in ordered[:-2]


def receive_loop(facts, recv: Op) -> int | None:
    """The loop region a receive repeats in: the outermost loop around the `range` over the
    channel, or around a plain receive outside any `select` that does not bind `ok` (a `break`
    out of an inner loop only comes back to the receive)."""
    if recv.mode == "range":
        start = recv.body
    elif recv.mode != "expr" or recv.select >= 0 or _binds_ok(facts, recv):
        return None
    else:
        start = recv.region
    loops = [r for r in enclosing_regions(facts, start) if facts.regions[r].kind in ("for", "range")]
    return loops[-1] if loops else None


def _binds_ok(facts, recv: Op) -> bool:
    """`v, ok := <-ch` (or `=`) for this plain receive, or `v := <-ch` tested `if v == nil {` right
    after (a closed channel of pointers gives nil: the test is the loop's closed check, or the
    sender's nil is its stop sentinel; either way the exit is the protocol's)."""
    return _binds_two(facts, recv, lambda op: op.line == recv.line) or _nil_tested_after(facts, recv)


def _nil_tested_after(facts, recv: Op) -> bool:
    ops = facts.ops
    at = next((k for k, op in enumerate(ops) if op is recv), None)
    if at is None or at + 1 >= len(ops):
        return False
    bind = ops[at + 1]
    if bind.kind != "assign" or len(bind.targets) != 1 or len(bind.args) != 1 or E.received(bind.args[0]) != recv.fn:
        return False
    name = E.ident(bind.targets[0])
    if name is None:
        return False
    for reg in facts.regions:
        if reg.kind != "if" or reg.parent != bind.region or reg.line not in (bind.line, bind.line + 1):
            continue
        b = E.binary(reg.info) if E.is_expr(reg.info) else None
        if b is not None and b[0] == "==" and E.is_nil(b[2]) and E.is_ident(b[1], name):
            return True
    return False


def comma_ok(facts, recv: Op) -> bool:
    """The `case` receive binds `v, ok := <-ch`: its way out is most likely the channel closed."""
    return _binds_two(facts, recv, lambda op: op.region == recv.body)


def _binds_two(facts, recv: Op, where) -> bool:
    """An assignment of two targets from `<-ch` of recv's channel, among the ops `where` picks."""
    return any(
        op.kind == "assign"
        and where(op)
        and len(op.targets) == 2
        and len(op.args) == 1
        and E.received(op.args[0]) == recv.fn
        for op in facts.ops
    )


def count_runs(p: Program, fn: Function, sends: list, known: dict[str, int] | None = None) -> tuple[int, list] | None:
    """(how many times fn runs the ops `sends` (all sends, or all receives, of one channel), those
    ops in the order they run) when fn runs them unconditionally: no `return`, `panic` or jump
    before the last one; each straight in the body or in one loop that is `for {` with no way out
    (UNBOUNDED) or `for i := 0; i < K; i++` (K times; K a constant or a parameter `known` binds).
    None when the count cannot be told. The order repeats a loop's ops; for an endless loop,
    once is enough."""
    facts = fn.facts
    if len(sends) > MAX_COUNTED_OPS:
        return None  # keeps the count linear in the function: a few loops read once each
    last = max(facts.ops.index(op) for op in sends)
    for op in facts.ops[: last + 1]:
        if op.kind in ("return", "jump") or exits_process(p, fn, op):
            return None
    total, ordered, loops_seen = 0, [], set()
    for op in sorted(sends, key=lambda o: facts.ops.index(o)):
        chain = list(enclosing_regions(facts, op.region))
        loops = [r for r in chain if facts.regions[r].kind not in STRAIGHT_KINDS]
        if not loops:
            total = total if total == UNBOUNDED else total + 1
            ordered.append(op)
            continue
        if len(loops) != 1 or facts.regions[loops[0]].kind != "for" or loops[0] in loops_seen:
            return None
        loop = loops[0]
        loops_seen.add(loop)
        times = _loop_times(p, fn, loop, known)
        if times is None:
            return None
        body = [o for o in facts.ops if o.kind == op.kind and loop in enclosing_regions(facts, o.region)]
        if any(o not in sends for o in body):
            return None
        if times == UNBOUNDED:
            return UNBOUNDED, ordered + body
        total = total if total == UNBOUNDED else total + times * len(body)
        ordered.extend(body * times)
    return total, ordered


def count_runs_of_call(p: Program, fn: Function, call: Op, known: dict[str, int] | None = None) -> int | None:
    """How many times fn runs the one op `call` (a `go` statement): 1 on its straight line, K in one
    `for i := 0; i < K; i++` loop with no way out; None when it is conditional, unbounded or unknown.
    As count_runs, nothing before it may return or jump."""
    facts = fn.facts
    for op in facts.ops[: facts.ops.index(call) + 1]:
        if op.kind in ("return", "jump") or exits_process(p, fn, op):
            return None
    loops = [r for r in enclosing_regions(facts, call.region) if facts.regions[r].kind not in STRAIGHT_KINDS]
    if not loops:
        return 1
    if len(loops) != 1 or facts.regions[loops[0]].kind != "for":
        return None
    times = _loop_times(p, fn, loops[0], known)
    return None if times is None or times == UNBOUNDED else times


def one_start(
    program: Program, owner: Function, goroutine: Function, known: dict[str, int] | None = None, least: int = 2
) -> tuple[Op, int] | None:
    """(the one `go` statement of owner running goroutine, how many times it runs: at least `least`), else None.

    It runs unconditionally (no `return` or jump before it), straight or in
    one counted `for` loop (its bound a constant, or a name `known` binds).
    """
    found = []
    for op in owner.facts.ops:
        if op.kind != "call" or op.mode != "go":
            continue
        number = E.funclit(op.fn)
        if number is not None:
            if program.literal(owner, number) is goroutine:
                found.append(op)
        elif any(t.function is goroutine for t in program.resolve_call(owner, op)):
            found.append(op)
    if len(found) != 1:
        return None
    counted = count_runs_of_call(program, owner, found[0], known)
    return (found[0], counted) if counted is not None and counted >= least else None


def _sent_before_start_in_ctor(walk: _Walk, own_sends: list, receivers: list, first: int, own_recvs: list) -> list:
    """The owner's sends made inside the constructor it allocates the instance with, before the
    constructor itself starts the receiving goroutine (`s.events <- e; go s.loop()` in `newServer`):
    one statement of the owner, so only the constructor's own order tells them apart."""
    if first in own_recvs or not receivers or any(u.anchor != first for u in receivers):
        return []
    via = walk.owner.facts.ops[first]
    if id(via) not in walk.allocs:
        return []
    starts = {id(u.routine.op): u.routine for u in receivers}
    if len(starts) != 1:
        return []
    routine = next(iter(starts.values()))
    ctor = routine.fn
    if ctor is None or routine.op is None or ctor is walk.owner:
        return []
    go_at = ctor.facts.ops.index(routine.op)
    return [u for u in own_sends if u.anchor == first and u.fn is ctor and ctor.facts.ops.index(u.op) < go_at]


def _signalled_by(sender: Function, info) -> bool:
    """The select case receives from a channel the sending function closes or sends on (matched by
    the field or variable name), or is not a receive at all (`default`): not a way out of its own."""
    if not info or info[0] != "recv":
        return True
    chan = info[1]
    name = E.selected_name(chan) or E.ident(chan)
    if E.call(chan) is not None:
        return False  # `ctx.Done()`, `time.After(d)`: not the sender's
    for op in sender.facts.ops:
        target = (
            op.fn
            if op.kind == "send"
            else op.args[0]
            if (op.kind == "call" and E.is_ident(op.fn, "close") and op.args)
            else None
        )
        if target is not None and (E.selected_name(target) or E.ident(target)) == name:
            return True
    return False


def _once_runs(p: Program, fn: Function, op: Op, lit: Function) -> bool:
    """op is `o.Do(func() {...})` on a sync.Once with lit as its function: it runs lit there,
    in fn's goroutine (the first time), the way `Close` methods guard their `close(done)`."""
    if op.kind != "call" or len(op.args) != 1 or E.selected_name(op.fn) != "Do":
        return False
    number = E.funclit(op.args[0])
    if number is None or p.literal(fn, number) is not lit:
        return False
    base = E.selector(op.fn)[0]  # type: ignore[index]
    return (p.type_of(fn, E.strip_address(base)) or "").lstrip("*") == "sync#Once"


def _in_loop(fn: Function, op: Op) -> bool:
    facts = fn.facts
    return any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, op.region))


def _loop_times(p: Program, fn: Function, loop: int, known: dict[str, int] | None = None) -> int | None:
    """UNBOUNDED for `for {` with no way out; K for `for i := 0; i < K; i++` with no way out
    (see regions.constant_trip_count); None otherwise."""
    facts = fn.facts
    inside = [op for op in facts.ops if loop in enclosing_regions(facts, op.region)]
    if any(op.kind in ("return", "jump") or exits_process(p, fn, op) for op in inside):
        return None
    if facts.regions[loop].info is None:
        return UNBOUNDED
    return constant_trip_count(p, fn, loop, known)


def _positions(op):
    """(position, expression) of each expression an op holds: its callee or channel, arguments, targets."""
    if op.fn is not None and E.is_expr(op.fn):
        yield "fn", op.fn
    for a in op.args:
        if a is not None and E.is_expr(a):
            yield "arg", a
    for t in op.targets:
        if t is not None and E.is_expr(t):
            yield "target", t


def _channel_role(op, pos: str, e, x) -> str:
    """What an op does with the instance's channel field x (found at position pos in expression e)."""
    if e == x:
        if op.kind in ("send", "recv") and pos == "fn":
            return op.kind
        if op.kind == "call" and pos == "arg":
            if E.is_ident(op.fn, "close"):
                return "close"
            if E.ident(op.fn) in _HARMLESS_BUILTINS:
                return "read"
        if op.kind == "assign" and pos == "target":
            i = op.targets.index(x)
            if len(op.args) == len(op.targets) and E.is_make_call(op.args[i]):
                return "make"
    elif E.received(e) == x or E.ranged(e) == x:
        return "read"  # `v := <-p.ch`, `for v := range p.ch`: the receive is an op of its own
    raise _Escape("channel_handed_on")


def _make_site(p: Program, f: Function, value, op) -> tuple[Function, object, int | None]:
    """(function, the `make` call's op, capacity or None) for `make(chan T, n)` written in op."""
    _make, args, call_no = E.call(value) or (None, (), -1)
    cap = p.const_int(f, args[1]) if len(args) > 1 else 0
    make_op = f.facts.ops[call_no] if 0 <= call_no < len(f.facts.ops) else op
    return f, make_op, cap


def _assigns(op, name: str) -> bool:
    return any(E.is_ident(t, name) for t in op.targets)


def _method_of(fn: Function, named: str) -> bool:
    """fn is a method declared on the named type itself (not on an embedded one)."""
    path, _, name = named.partition("#")
    return fn.facts.recv == name and fn.pkg.path == path


def _asked_first(waiter: Function, receive: Op, sender: Function, send: Op) -> bool:
    """Right before its receive, the waiter sends a request on a field channel of the instance
    (`w.sync <- req; return <-w.syncErr`) that the sender takes only in select cases that go on to
    the send (`case <-w.sync: ...; w.syncErr <- err`): the waiter waits only once a case that
    answers took its request, so the sender's other ways out (`case <-w.close: return`) cannot
    strand it (trpc-go's async roll writer)."""
    ops = waiter.facts.ops
    k = ops.index(receive)
    asked = ops[k - 1] if k > 0 else None
    if asked is None or asked.kind != "send" or asked.select >= 0 or asked.region != receive.region:
        return False
    field = E.selected_name(asked.fn)
    if field is None:
        return False
    around_send = set(enclosing_regions(sender.facts, send.region))
    takes = [op for op in sender.facts.ops if op.kind == "recv" and E.selected_name(op.fn) == field]
    return bool(takes) and all(op.mode == "case" and op.body in around_send for op in takes)
