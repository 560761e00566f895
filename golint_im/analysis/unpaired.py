"""Receives whose partner never comes: ranges nobody closes, sends skipped on a return, nil channels.

Three shapes of a goroutine stuck on a channel that the forgotten-sender
analysis in `partners.py` does not cover, judged on the same channels (made
once, locally, and never handed to code the model cannot see):

- a `range` over a channel that nothing closes, while every sender finishes
  (no endless or request-driven loop around a send): after the last send
  the ranging goroutine waits forever;
- a plain `<-ch` whose only senders are goroutines that can `return` (on an
  error, say) before their send: the receiver waits forever on that path;
- a send or receive on a local `var ch chan T` that is never assigned: a
  nil channel blocks forever.

What the model cannot see is silence, counted in `debug` by reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .cancel import cancelled_only_after, done_case_context, quiet_cancel
from .endless_ranges import field_escapes, only_made
from .exits import GOROUTINE, LIBRARY_EXITS, PANIC, PROCESS, TEST, call_exit
from .flow import Channel, ChannelFlow, _ops_under
from .recovery import Recovery
from .regions import (
    assignments_to,
    deciding_region,
    exits_skipping,
    leaves_right_after,
    returns_skipping,
    under_len_guard,
)

# What ends the process or the goroutine (not a test's `t.Fatal`): a loop calling one has another way out.
_GOROUTINE_ENDS = (PANIC, PROCESS, GOROUTINE)


@dataclass
class UnclosedRange:
    """A `range` over a channel that no path closes, while its senders all finish."""

    channel: Channel
    owner: Function  # makes the channel and starts (or is) the ranging goroutine
    ranger: Function  # the function holding the range
    range_op: object
    go_op: object | None  # the `go` statement starting the ranger (None: the owner ranges itself)
    sender: Function
    send: object  # the last send in source order of the sending side
    producer_go: object | None = None  # owner's `go f(..., ch)` starting the sender, when it is named
    starter: Function | None = None  # the function holding go_op, when not owner (a method of a field's instance)
    awaited: tuple | None = None  # (function, `wg.Wait()` or `<-done` op) waiting for the ranging goroutine to end
    closed_after: object | None = None  # the ranger's own `close`, reached only once its range has ended
    # With closed_after: the ranger's call, after its range, of the method holding that close, and the method.
    closed_through: tuple | None = None
    returned: bool = False  # the owner returns the channel and a caller (the ranger) ranges over the result


@dataclass
class SkippedSend:
    """A plain receive whose sending goroutine can return before its send."""

    channel: Channel
    owner: Function
    go_op: object
    sender: Function
    send: object
    exit: object | None  # the sender's `return` that skips the send; None: it ends past an `if` with no `else`
    region: int  # the branch of the sender deciding that return, or the `if` it ends past (-1: none)
    receive: object
    waiter: Function | None = None  # holds the receive when not the owner (a method it calls: `Stop`)
    # The other channels (as the sender names them) of a `select` the waiter waits in, all skipped too
    # (silent_futures.py: `t.res` or `t.err`).
    also: tuple[str, ...] = ()
    handed_at: object | None = None  # owner's call handing the channel to the waiter (`c.gather(results, n)`)
    # The sender's deferred call that recovers a panic (`defer r.recoverPanic(t.Name)`); exit is then the
    # call of supplied code before the send that may panic (`t.Fn()`): recovered, the goroutine ends there.
    recovered: object | None = None


@dataclass
class SkippedClose:
    """A `range` over a channel whose only closer can `return` before its `close`."""

    channel: Channel
    owner: Function  # makes the channel and starts the other side
    ranger: Function
    range_op: object
    closer: Function
    close_op: object
    exit: object  # the closer's `return` (or goroutine-ending call) that skips the close; None: it ends past an `if`
    region: int  # the branch deciding that return (-1: none), or the `if` with no `else` it ends past
    go_op: object  # owner's `go` statement starting the closer or the ranger
    # the started goroutine's call of the closer, when the closer is a function it calls (`go func()
    # { readSegment(seg, lines) }()`); None: the goroutine closes the channel itself
    via: tuple[Function, object] | None = None
    # the owner starts the ranging goroutine (go_op) and calls the closer itself (via is that call):
    # `go func() { for l := range lines {...} }(); err := readLines(src, lines); wg.Wait()`
    ranger_started: bool = False
    go_fn: Function | None = None  # the function holding go_op, when not owner (an instance's constructor)
    # the ranger gets the channel from what owner returns (False: through a parameter, a field's getter aside)
    returned_by_owner: bool = True
    closes: int = 1  # how many `close` statements the closer has (close_op is the one the exit skips)
    # A closer called plainly, not started: (the caller, its store of the value into a map field where
    # other callers find it to wait, its call of the closer) (`c.calls[key] = cl; c.fill(key, cl)`)
    published: tuple | None = None


@dataclass
class NilChannelOp:
    """A send or receive, outside any `select`, on a local channel variable that is never assigned."""

    fn: Function
    op: object
    name: str
    declared: object  # the `var` op
    # the channel is an element of a local slice `make([]chan T, n)` whose elements are never
    # given a channel (`errChs[i] <- err`, or a range's value over it): the slice's name
    elements_of: str = ""


@dataclass
class NilFieldOp:
    """A send or receive, outside any `select`, on a struct field channel that nothing ever sets."""

    fn: Function
    op: object
    label: str  # "Queue.items"
    others: int  # further sends and receives on the field, as stuck
    # An optional channel: the function making it (an option) and the op, a literal building the type
    # without it, and an op on it the code itself guards with a nil check (None: never given a value).
    made: tuple[Function, object] | None = None
    built: tuple[Function, object] | None = None
    checked: tuple[Function, object] | None = None
    # A channel its constructor makes only under a condition on an option (`opt.Window > 0`, rendered),
    # with `built` the call passing options that leave the condition false.
    made_when: str = ""


def _ends_past_if(facts, target: int) -> int | None:
    """The `if` with no `else` around the op at index target, when the function has no `return` and
    the op sits in no loop, only in `if` blocks: with the condition false the function ends without
    running it. None otherwise."""
    if any(op.kind == "return" for op in facts.ops):
        return None
    chain = list(enclosing_regions(facts, facts.ops[target].region))
    if any(facts.regions[r].kind not in ("block", "if", "body") for r in chain):
        return None
    return next((r for r in chain if facts.regions[r].kind == "if" and not has_else(facts, r)), None)


def _ends_past_case(facts, target: int) -> int | None:
    """Another case of the `switch` around the op at index target, holding no such op itself, when
    the function has no `return` and the op sits in no loop (`switch r.format { case Logfmt: ...;
    close(out); case JSONLines: ... }`): when the switch takes that case the function ends without
    running the op. None otherwise."""
    if any(op.kind == "return" for op in facts.ops):
        return None
    op = facts.ops[target]
    chain = list(enclosing_regions(facts, op.region))
    if any(facts.regions[r].kind not in ("block", "if", "body", "switch") for r in chain):
        return None
    switches = [r for r in chain if facts.regions[r].kind == "switch"]
    if len(switches) != 1:
        return None
    switch = switches[0]
    mine = chain[chain.index(switch) - 1] if chain.index(switch) > 0 else None  # the case holding the op
    same = [i for i, o in enumerate(facts.ops) if o.kind == op.kind and o.fn == op.fn and o.args == op.args]
    for r, reg in enumerate(facts.regions):
        if reg.parent != switch or reg.kind != "block" or r == mine:
            continue
        if not any(r in enclosing_regions(facts, facts.ops[i].region) for i in same):
            return r
    return None


def _loop_running_out_past(facts, target: int) -> int | None:
    """The `range` loop around the close at index target, when the close is followed by a `return`
    in its own block and the loop, in no other loop and under no branch, can run out (a range ends
    when what it ranges over does): the function then goes on past it, and nothing after the loop
    closes. None otherwise."""
    if not _closes_then_leaves(facts, target):
        return None
    chain = list(enclosing_regions(facts, facts.ops[target].region))
    loops = [r for r in chain if facts.regions[r].kind in ("for", "range")]
    if len(loops) != 1 or facts.regions[loops[0]].kind != "range":
        return None
    loop = loops[0]
    if any(facts.regions[r].kind not in ("block", "body") for r in chain[chain.index(loop) + 1 :]):
        return None
    return loop


def _closes_then_leaves(facts, target: int) -> bool:
    """The close at index target is followed, in its own block, by a `return`, inside a loop: the
    producer's loop is written to end there (`if page.Next == "" { close(out); return }`), not to
    run for the process's life."""
    close_op = facts.ops[target]
    return leaves_right_after(facts, target) and any(
        facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, close_op.region)
    )


def _main_close(ch: Channel) -> tuple[Function, Op, frozenset[int]] | None:
    """(closer, close, the returns right after the other closes) when ch's closes are all plain ones
    in one function and all but one end their branch right away (`if err != nil { close(out); return
    }` before the loop, `close(out)` after it): that one is the close every other way out must reach.
    When all of them do, the first stands for every close. A single close of any mode is returned as
    it is."""
    if len(ch.closes) == 1:
        return ch.closes[0][0], ch.closes[0][1], frozenset()
    closer = ch.closes[0][0]
    if any(fn is not closer or op.mode != "plain" for fn, op in ch.closes):
        return None
    facts = closer.facts
    at = [facts.ops.index(op) for _fn, op in ch.closes]
    main = [t for t in at if not leaves_right_after(facts, t)]
    if not main:
        # every close ends its branch (`if err == io.EOF { close(out); return }`, and the same in a
        # `case <-ctx.Done():`): any other way out leaves without closing; the first stands for them
        return closer, facts.ops[at[0]], frozenset(t + 1 for t in at)
    if len(main) != 1:
        return None
    return closer, facts.ops[main[0]], frozenset(t + 1 for t in at if t != main[0])


def _returned_at(fn: Function, name: str) -> int:
    """The result position at which every `return` of fn naming `name` returns it (0 when none does,
    or the positions differ)."""
    at = {k for op in fn.facts.ops if op.kind == "return" for k, a in enumerate(op.args) if E.is_ident(a, name)}
    return at.pop() if len(at) == 1 else 0


def _fills_itself(op, name: str) -> bool:
    """The assignment to the container `name` makes it (`make(...)`), declares it (`var p []T`) or
    appends to it (`p = append(p, x)`)."""
    if op.mode == "var" and not op.args:
        return True
    if len(op.args) != 1 or len(op.targets) != 1:
        return False
    if E.is_make_call(op.args[0]):
        return True
    c = E.call(op.args[0])
    return c is not None and E.is_ident(c[0], "append") and bool(c[1]) and E.is_ident(c[1][0], name)


class Unpaired:
    def __init__(
        self,
        program: Program,
        flow: ChannelFlow,
        confined: Callable[[Function, str, int], bool],
        senders: Callable,
        debug: Counter,
        instances: list | None = None,
    ):
        self.program = program
        self._recovery = Recovery(program)  # whose deferred calls recover a panic (memoised per function)
        self.flow = flow
        self.confined = confined
        self.senders = senders
        self.debug = debug
        self.unclosed: list[UnclosedRange] = []
        self.skipped: list[SkippedSend] = []
        self.skipped_closes: list[SkippedClose] = []
        self.nil_ops: list[NilChannelOp] = []
        for key in sorted(flow.channels):
            ch = flow.channels[key]
            if ch.closes and ch.sends and _ranged(ch):
                found = self._skipped_close(ch)
                if found is None and key.startswith("field:"):
                    found = self._skipped_field_close(ch)
                if found is None and key.startswith("local:"):
                    found = self._returned_skipped_close(ch)  # the caller's range, joined through the return
                if found is not None:
                    self.skipped_closes.append(found)
                elif key.startswith("local:"):
                    after = self._closed_after_range(ch)
                    if after is not None:
                        self.unclosed.append(after)
                elif key.startswith("field:"):
                    after = self._field_closed_after_range(ch)
                    if after is not None:
                        self.unclosed.append(after)
                continue
            if ch.closes and not ch.sends and ch.receives and key.startswith("field:"):
                found = self._skipped_done_close(ch)
                if found is not None:
                    self.skipped_closes.append(found)
                continue
            if ch.closes and ch.sends and not ch.receives:
                found = self._returned_skipped_close(ch)
                if found is not None:
                    self.skipped_closes.append(found)
                continue
            if ch.sends and not ch.closes and key.startswith("local:"):
                returned = self._returned_skipped_send(ch)
                if returned is not None:
                    self.skipped.append(returned)
                    continue
                endless = self._returned_unclosed_range(ch)
                if endless is not None:
                    self.unclosed.append(endless)
                    continue
            if ch.sends and not ch.closes and key.startswith("field:") and _ranged(ch):
                never = self._field_range_never_closed(ch)
                if never is not None:
                    self.unclosed.append(never)
                    continue
            if not ch.sends or not (_ranged(ch) or _plain_receives_only(ch)):
                continue  # cheap checks first: the confinement walk below is the costly part
            whole = self._whole(ch)
            if whole is not None:
                self._judge(ch, *whole)
        # Instances (see instances.py) come confined already; they need only be unclosed, and not
        # reported above under their holder.
        reported = {(u.owner.id, u.channel.label) for u in self.unclosed}
        reported |= {(k.owner.id, k.channel.label) for k in self.skipped}
        for ch, owner, name in instances or ():
            if (owner.id, name) in reported:
                continue
            if ch.sends and not ch.closes and (_ranged(ch) or _plain_receives_only(ch)):
                self._judge(ch, owner, name)
        for fn in program.functions:
            if fn.parent is None:
                self.nil_ops.extend(self._nil_channel_ops(fn))
                self.nil_ops.extend(self._nil_element_ops(fn))
        self.nil_fields: list[NilFieldOp] = self._nil_field_ops()
        self.nil_fields.extend(self._optional_nil_field_ops())
        self.nil_fields.extend(self._sibling_built_nil_field_ops({n.label for n in self.nil_fields}))
        self.nil_fields.extend(self._conditionally_made_nil_field_ops({n.label for n in self.nil_fields}))

    def _judge(self, ch: Channel, owner: Function, name: str) -> None:
        if _ranged(ch):
            found = self._unclosed_range(ch, owner, name)
            if found is not None:
                self.unclosed.append(found)
        else:
            skipped = self._skipped_send(ch, owner)
            if skipped is not None:
                self.skipped.append(skipped)

    def _whole(self, ch: Channel) -> tuple[Function, str] | None:
        """(owner, local name) when the channel's whole life is visible and no path closes it."""
        if ch.closes or len(ch.make_sites) != 1 or not ch.receives:
            return None
        owner = ch.make_sites[0][0]
        name = self.flow.label(ch.key)
        if ch.key != f"local:{owner.id}:{name}":
            return None
        if not self.confined(owner, name, 0):
            self.debug["GIM102_unclosed_escaping"] += 1
            return None
        return owner, name

    # ---- a range nobody closes ---------------------------------------------------------
    def _unclosed_range(self, ch: Channel, owner: Function, name: str) -> UnclosedRange | None:
        ranges = [(fn, op) for fn, op in ch.receives if op.mode == "range"]
        ranger, range_op = ranges[0]
        if any(self._range_exits(fn, op) for fn, op in ranges):
            self.debug["GIM102_ranges_with_exit"] += 1
            return None
        go_op = None
        if ranger is not owner:
            go_op = self._starter(owner, ranger)
            if go_op is None:
                self.debug["GIM102_ranges_not_started_by_maker"] += 1
                return None
            if owner.is_main:
                return None  # the process ends with main: a goroutine left ranging does not matter
        if self._senders_long_lived(ch, owner, name, queues_end=True):
            self.debug["GIM102_ranges_senders_long_lived"] += 1
            return None
        if not ch.sends:
            return None
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        producer = next(
            (op for op in owner.facts.ops if op.kind == "call" and op.mode == "go" and _mentions(op, name)),
            None,
        )
        awaited = self._signal_awaited_by_owner(ch, owner, ranger, range_op) if go_op is not None else None
        return UnclosedRange(ch, owner, ranger, range_op, go_op, sender, send, producer, awaited=awaited)

    def _signal_awaited_by_owner(self, ch: Channel, owner: Function, ranger: Function, range_op) -> tuple | None:
        """(owner, its `<-done`) when the ranging goroutine signals its end on a channel of its own
        (`defer close(done)`, or a close or send after the range) that nothing else signals, and
        the owner waits for that signal with a plain receive: it then waits as long as the range."""
        ops = ranger.facts.ops
        at = ops.index(range_op)
        for i, op in enumerate(ops):
            closing = op.kind == "call" and E.is_ident(op.fn, "close") and op.args
            after = i > at and range_op.body not in enclosing_regions(ranger.facts, op.region)
            if not (closing and op.mode == "defer" and i < at or (closing or op.kind == "send") and after):
                continue
            key = self.flow.key(ranger, op.args[0] if closing else op.fn)
            signal = self.flow.channels.get(key) if key else None
            if signal is None or signal is ch or len(signal.closes) + len(signal.sends) != 1:
                continue
            wait = next((w for f, w in signal.receives if f is owner and w.mode == "expr" and w.select < 0), None)
            if wait is not None:
                return owner, wait
        return None

    def _field_closed_after_range(self, ch: Channel) -> UnclosedRange | None:
        """A field channel whose only closes are in one method, called only by the function that
        ranges over the field (through its getter or directly), on the same local, after its range.

            for s := range c.Samples() { st.append(s) }
            failed := c.Stop()      // wg.Wait(); close(c.samples): reached only once the range has ended

        The range ends only at the close, which runs only after the range: once the senders are
        done the loop waits forever. Judged on one range with no way out, the closing method
        called nowhere else (no `go`, no `defer`, no method value)."""
        if len(ch.receives) != 1 or not ch.closes:
            return None
        ranger, range_op = ch.receives[0]
        closer = ch.closes[0][0]
        if range_op.mode != "range" or any(fn is not closer for fn, _op in ch.closes) or closer is ranger:
            return None
        if not closer.facts.recv_name or closer.parent is not None:
            return None
        base = _ranged_base(ranger, range_op)
        calls = self.program.callers(closer)
        if base is None or len(calls) != 1:
            return None
        call = calls[0][1]
        if call.mode != "plain" or self._range_exits(ranger, range_op):
            return None
        if calls[0][0] is not ranger:
            # `sum := ix.collect(); ix.finish()`: a method ranging over its receiver's field, and its
            # caller closing the field through another method only after it returns
            return self._closed_after_ranging_call(ch, ranger, range_op, base, calls[0][0], call, closer)
        if not E.is_ident(E.selector_base(call.fn), base):
            return None
        facts = ranger.facts
        at = {id(op): i for i, op in enumerate(facts.ops)}
        if at.get(id(call), -1) <= at.get(id(range_op), len(facts.ops)):
            return None
        if range_op.body in enclosing_regions(facts, call.region):
            return None
        if len(list(assignments_to(ranger, base))) != 1:
            return None
        if not ch.sends or self._senders_long_lived(ch, ranger, ch.key, queues_end=True):
            return None  # a producer that never ends: the range is meant to run for good
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        self.debug["GIM102_field_ranges_closed_only_after_themselves"] += 1
        close = ch.closes[0][1]
        return UnclosedRange(
            ch, ranger, ranger, range_op, None, sender, send, None, closed_after=close, closed_through=(call, closer)
        )

    def _closed_after_ranging_call(
        self, ch: Channel, ranger: Function, range_op, base: str, caller: Function, call, closer: Function
    ) -> UnclosedRange | None:
        """ranger, a method ranging over a field of its receiver (`base`), called once, plainly, by
        caller on a receiver or local, which calls closer on the same value only after that call."""
        if base != ranger.facts.recv_name:
            return None
        rcalls = self.program.callers(ranger)
        if len(rcalls) != 1 or rcalls[0][0] is not caller or rcalls[0][1].mode != "plain":
            return None
        rcall = rcalls[0][1]
        value = E.render(E.selector_base(rcall.fn))
        if E.render(E.selector_base(call.fn)) != value or E.ident(E.selector_base(call.fn)) is None:
            return None
        facts = caller.facts
        at = {id(op): i for i, op in enumerate(facts.ops)}
        if at.get(id(call), -1) <= at.get(id(rcall), len(facts.ops)):
            return None
        if not ch.sends or self._senders_long_lived(ch, ranger, ch.key, queues_end=True):
            return None
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        self.debug["GIM102_field_ranges_closed_only_after_themselves"] += 1
        close = ch.closes[0][1]
        return UnclosedRange(
            ch,
            ranger,
            ranger,
            range_op,
            None,
            sender,
            send,
            None,
            closed_after=close,
            closed_through=(call, closer, caller, rcall),
        )

    def _closed_after_range(self, ch: Channel) -> UnclosedRange | None:
        """The function that ranges over its own channel closes it only after the loop.

            for r := range results { out = append(out, r) }
            wg.Wait()
            close(results)      // reached only once the range has ended, which needs this close

        The range ends only at the close, and every close is the ranger's own,
        after its loop: the loop waits forever once the senders are done. Judged
        on a local channel made once, confined to its maker, received only by
        that one range of the maker's own body, with no way out of the range.
        """
        if len(ch.make_sites) != 1 or len(ch.receives) != 1:
            return None
        owner = ch.make_sites[0][0]
        ranger, range_op = ch.receives[0]
        name = self.flow.label(ch.key)
        if ranger is not owner and range_op.mode == "range" and ch.key == f"local:{owner.id}:{name}":
            # `snap := a.merge(ch); wg.Wait(); close(ch)`: the maker closes only after the function
            # it handed the channel to, which ranges over it, has returned
            return self._closed_after_handed_range(ch, owner, name, ranger, range_op)
        if ranger is not owner or range_op.mode != "range" or ch.key != f"local:{owner.id}:{name}":
            return None
        facts = owner.facts
        at = {id(op): i for i, op in enumerate(facts.ops)}
        start = at.get(id(range_op))
        for fn, close in ch.closes:
            if fn is not owner or start is None:
                return None
            if close.mode != "defer" and at.get(id(close), -1) <= start:
                return None  # `defer close(results)` runs only when the function returns, after the loop too
            if range_op.body in enclosing_regions(facts, close.region):
                return None  # a close inside the loop itself
        if self._range_exits(owner, range_op):
            self.debug["GIM102_ranges_with_exit"] += 1
            return None
        if not self.confined(owner, name, 0):
            self.debug["GIM102_unclosed_escaping"] += 1
            return None
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        producer = next(
            (op for op in facts.ops if op.kind == "call" and op.mode == "go" and _mentions(op, name)),
            None,
        )
        self.debug["GIM102_ranges_closed_only_after_themselves"] += 1
        first_close = min((op for _fn, op in ch.closes), key=lambda op: (op.mode == "defer", at[id(op)]))
        return UnclosedRange(ch, owner, owner, range_op, None, sender, send, producer, closed_after=first_close)

    def _field_range_never_closed(self, ch: Channel) -> UnclosedRange | None:
        """An unexported field channel's one receive is a `range` with no way out, in a function that
        computes a result (not only an `error`) that a caller waits for, and nothing in the
        program closes the channel or hands it anywhere the model cannot follow (a call it cannot
        resolve, a send of the channel itself, a return of it): the loop never ends, and the function
        never returns (`for e := range a.entries { ... }; return counts`)."""
        ranger, range_op = ch.receives[0]
        field = ch.key.rsplit(".", 1)[-1]
        if len(ch.receives) != 1 or range_op.mode != "range" or not field[:1].islower():
            return None
        if ranger.is_main or all(t == "error" for t in ranger.facts.results):
            return None  # `Run() error` over a queue nothing closes: a loop meant to last as long as the process
        if not any(call.mode == "plain" for _caller, call in self.program.callers(ranger)):
            return None  # nobody waits for what it computes
        if self._range_exits(ranger, range_op):
            self.debug["GIM102_ranges_with_exit"] += 1
            return None
        if self._field_channel_escapes(ch, field):
            self.debug["GIM102_field_ranges_handed_to_unknown_code"] += 1
            return None
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        return UnclosedRange(ch, ranger, ranger, range_op, None, sender, send)

    def _field_channel_escapes(self, ch: Channel, field: str) -> bool:
        """Some op hands the field channel (`x.field`, read straight from a value of the field's
        type) to code the model cannot follow: a call that resolves to nothing, a send of the
        channel itself, a `return` of it, a composite or an assignment outside the flow's aliases."""
        for fn in self.program.functions:
            for op in fn.facts.ops:
                values = [a for a in (*op.args, *op.targets) if a is not None and E.selected_name(a) == field]
                if not values or not any(self.flow.key(fn, a) == ch.key for a in values):
                    continue
                if op.kind == "call" and any(
                    op.fn is not None and E.is_ident(op.fn, b) for b in ("len", "cap", "close")
                ):
                    continue
                if op.kind == "call" and self.program.resolve_call(fn, op):
                    continue  # followed by the flow: what the callee does with it is the channel's too
                if op.kind == "assign" and all(v in op.targets for v in values):
                    continue  # the field written (`a.entries = make(...)`)
                if op.kind == "recv":
                    continue
                return True
        return False

    def _range_exits(self, fn: Function, op) -> bool:
        return range_exits(self.program, fn, op)

    def _starter(self, owner: Function, ranger: Function):
        """The `go` statement of owner (or of its literals) that runs ranger."""
        for f in [owner, *owner.nested_literals()]:
            for op in f.facts.ops:
                if op.kind == "call" and op.mode == "go":
                    if any(t.function is ranger for t in self.program.resolve_call(f, op)):
                        return op
        return None

    def _long_lived(self, fn: Function, region: int, queues_end: bool = False, breaks_end: bool = False) -> bool:
        """A loop around region runs for good (`for {`) or as long as some channel delivers (with
        queues_end: a range over a channel some code closes ends, a work queue fed and closed)."""
        facts = fn.facts
        for r in enclosing_regions(facts, region):
            reg = facts.regions[r]
            if reg.kind == "for" and reg.info is None and not (breaks_end and _broken_out_of(facts, r)):
                return True
            if reg.kind in ("for", "range") and self._receives_in(fn, r, queues_end):
                return True
        return False

    def _receives_in(self, fn: Function, loop: int, queues_end: bool = False) -> bool:
        """The loop receives from a channel each round, or ranges over one (with queues_end: one
        nothing closes)."""
        facts = fn.facts
        for op in facts.ops:
            if op.kind != "recv":
                continue
            if op.mode == "range" and op.body == loop:
                key = self.flow.key(fn, op.fn)
                if not queues_end:
                    if key is not None:
                        return True
                    continue
                ranged = self.flow.channels.get(key) if key is not None else None
                if key is None and self._ranges_no_channel(fn, op):
                    continue  # `for _, v := range samples` over a slice or map: it ends
                if ranged is None or not ranged.closes:
                    return True  # a ticker's channel, or one nothing closes: it delivers for good
            elif loop in enclosing_regions(facts, op.region):
                if op.mode == "range" and self.flow.key(fn, op.fn) is None and self._ranges_no_channel(fn, op):
                    continue  # an inner `for _, e := range entries` over a slice: no channel delivers it
                return True
        return False

    def _ranges_no_channel(self, fn: Function, op) -> bool:
        """The range op goes over a slice, map, string or array: its type says so, or it binds two
        iteration variables (`for _, e := range entries`), which a range over a channel cannot."""
        declared = self.program.type_of(fn, op.fn)
        if declared and _not_a_channel(self.program.underlying(declared.strip().lstrip("*"))):
            return True
        return any(
            o.kind == "assign"
            and o.line == op.line
            and len(o.targets) == 2
            and len(o.args) == 1
            and E.ranged(o.args[0]) is not None
            for o in fn.facts.ops
        )

    def _closed_in_loop(self, ch: Channel, fn: Function, region: int) -> bool:
        """The endless loop around region closes ch itself and then returns (`if err == io.EOF {
        close(lines); return nil }`): a producer meant to end, not a server loop."""
        facts = fn.facts
        loop = next((r for r in enclosing_regions(facts, region) if facts.regions[r].kind == "for"), None)
        if loop is None:
            return False
        for f, close_op in ch.closes:
            if f is not fn or loop not in enclosing_regions(facts, close_op.region):
                continue
            if leaves_right_after(facts, facts.ops.index(close_op)):
                return True
        return False

    def _senders_long_lived(
        self, ch: Channel, owner: Function, name: str, queues_end: bool = False, breaks_end: bool = False
    ) -> bool:
        """Some send on ch, or the statement of owner that starts it, sits in a loop that does not end
        by itself: a long-lived producer, for which a consumer ranging forever is the design."""
        for fn, op in ch.sends:
            f, region = fn, op.region
            while region is not None:
                if self._long_lived(f, region, queues_end, breaks_end) and not self._closed_in_loop(ch, f, region):
                    return True
                if f is owner or f.parent is None:
                    break
                if _literal_escapes(self.program, f):
                    # `return func() { work <- 1 }`: the sender outlives its maker, called as often as
                    # its holder likes (a pool's submit function kept in a package variable).
                    return True
                region, f = _creation_region(self.program, f), f.parent
        for f in [owner, *owner.nested_literals()]:
            for op in f.facts.ops:
                if (
                    op.kind in ("call", "send")
                    and _mentions(op, name)
                    and self._long_lived(f, op.region, queues_end, breaks_end)
                    and not self._closed_in_loop(ch, f, op.region)
                ):
                    return True
        return False

    def _returned_unclosed_range(self, ch: Channel) -> UnclosedRange | None:
        """A stream its maker hands on only by returning it, sent on by goroutines the maker starts
        (workers ranging over a queue it closes count as finishing), closed by nobody, and ranged
        over by a caller with no other way out of the loop: after the last send the caller's range
        waits forever (`for r := range fetch.All(...)`, where All's goroutine waits for its workers
        and never closes `out`)."""
        if len(ch.make_sites) != 1:
            return None
        owner = ch.make_sites[0][0]
        name = self.flow.label(ch.key)
        if ch.key != f"local:{owner.id}:{name}" or owner.is_main:
            return None
        literals = {f.id for f in owner.nested_literals()}
        if not all(fn.id in literals for fn, _op in ch.sends):
            return None
        if not self._only_returned(owner, name):
            return None
        ranging = self._ranging_caller(owner, _returned_at(owner, name))
        if ranging is None:
            return None
        caller, range_op = ranging
        # (an exit on a failure of the loop's own work, `if err := w.add(e); err != nil { return }`,
        # runs only on a value received: after the last one the loop still waits)
        if any(op is not range_op for _fn, op in ch.receives) or range_exits(
            self.program, caller, range_op, on_values_only=True
        ):
            return None
        if self._senders_long_lived(ch, owner, name, queues_end=True):
            self.debug["GIM102_ranges_senders_long_lived"] += 1
            return None
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        self.debug["GIM102_returned_streams_never_closed"] += 1
        return UnclosedRange(ch, owner, caller, range_op, None, sender, send, returned=True)

    # ---- a close skipped on a return ------------------------------------------------------
    def _skipped_close(self, ch: Channel) -> SkippedClose | None:
        """A local channel its maker ranges over, closed (plainly, not deferred) only by a goroutine
        the maker starts, which can `return` (or end itself) before its `close`: the range then
        never ends. (The maker closing for a ranging goroutine is the abandoned waiter's shape.)"""
        if len(ch.make_sites) != 1:
            return None
        owner = ch.make_sites[0][0]
        name = self.flow.label(ch.key)
        if ch.key != f"local:{owner.id}:{name}":
            return None
        ranges = [(fn, op) for fn, op in ch.receives if op.mode == "range"]
        closers = {fn.id for fn, _op in ch.closes}
        if len(ranges) != len(ch.receives) or len({fn.id for fn, _op in ranges}) != 1 or len(closers) != 1:
            return None
        ranger, range_op = ranges[0]
        closer = ch.closes[0][0]
        if closer is ranger or any(op.mode != "plain" for _f, op in ch.closes):
            return None  # a deferred close runs on every way out
        swapped = ranger is not owner
        handed = False
        if swapped and self._starter(owner, ranger) is None and self._hands_to_ranger(owner, ranger, name):
            # `go pump(src, ch); agg.Consume(ch)`: the maker waits in the range of a function it calls
            # with the channel, while the goroutine it starts closes it (or skips the close)
            swapped, handed = False, True
        if swapped:
            # A goroutine ranging and the maker closing itself is the abandoned waiter's shape; the
            # maker closing through a function it calls is this one.
            go_op = self._starter(owner, ranger)
            call = self._called_once(owner, closer, go_op) if go_op is not None and closer is not owner else None
            via: tuple[Function, object] | None = (owner, call) if go_op is not None and call is not None else None
            if via is None:
                # `go func() { errc <- loader.Stream(src, jobs) }()` beside `go func() { defer wg.Done();
                # r.work(jobs) }()`: the maker starts both sides, each through a goroutine calling it
                both = self._both_started(owner, closer, ranger, range_op) if closer is not owner else None
                if both is None:
                    return None
                go_op, via = both
                swapped, handed = False, True
        else:
            go_op = self._starter(owner, closer)
            via = None
            if go_op is None:
                # handed: the maker ranges in a function it calls, so a send the goroutine makes after
                # the closer (`errc <- tail(src, lines)`) is heard, if at all, only once that range is over
                started = self._started_caller(owner, closer, ranger, range_op, partner_apart=handed)
                if started is None:
                    return None
                go_op, via = started
        if range_exits(self.program, ranger, range_op, on_values_only=True):
            return None
        if not self.confined(owner, name, 0):
            self.debug["GIM102_skipped_closes_escaping"] += 1
            return None
        if self._senders_long_lived(ch, owner, name, breaks_end=True):
            return None
        facts = closer.facts
        targets = [facts.ops.index(op) for _f, op in ch.closes]

        def leaves(op) -> bool:
            return op.kind == "return" or ends_goroutine(self.program, closer, op) is not None

        for i, t in exits_skipping(facts, targets, leaves):
            if self._signalled_away(closer, i, ranger, range_op):
                self.debug["GIM102_skipped_closes_signalled"] += 1
                continue  # `errs <- err; return`, and the ranger returns on `<-errs` before its range
            region = deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
            return SkippedClose(
                ch,
                owner,
                ranger,
                range_op,
                closer,
                facts.ops[t],
                facts.ops[i],
                region,
                go_op,
                via,
                swapped,
                returned_by_owner=not handed,
                closes=len(targets),
            )
        return None

    def _closed_after_handed_range(
        self, ch: Channel, owner: Function, name: str, ranger: Function, range_op
    ) -> UnclosedRange | None:
        """The maker hands its local channel to one plain call of ranger, which ranges over it with no
        way out, and every close of it is the maker's own, plain, after that call."""
        calls = [
            op
            for op in owner.facts.ops
            if op.kind == "call"
            and op.mode == "plain"
            and any(E.is_ident(a, name) for a in op.args)
            and any(t.function is ranger for t in self.program.resolve_call(owner, op))
        ]
        if len(calls) != 1 or not ch.closes or not ch.sends or self._range_exits(ranger, range_op):
            return None
        rcall = calls[0]
        facts = owner.facts
        at = {id(op): i for i, op in enumerate(facts.ops)}
        if any(fn is not owner or op.mode != "plain" or at.get(id(op), -1) <= at[id(rcall)] for fn, op in ch.closes):
            return None
        if not self.confined(owner, name, 0) or self._senders_long_lived(ch, owner, name, queues_end=True):
            return None
        sender, send = max(ch.sends, key=lambda s: (s[0].file.path, s[1].line, s[1].col))
        self.debug["GIM102_ranges_closed_only_after_themselves"] += 1
        close = min((op for _fn, op in ch.closes), key=lambda op: at[id(op)])
        return UnclosedRange(
            ch,
            owner,
            ranger,
            range_op,
            None,
            sender,
            send,
            None,
            closed_after=close,
            closed_through=(close, None, owner, rcall),
        )

    def _hands_to_ranger(self, owner: Function, ranger: Function, name: str) -> bool:
        """owner calls ranger plainly, once, with its local channel `name` as an argument."""
        calls = [
            op
            for op in owner.facts.ops
            if op.kind == "call"
            and op.mode == "plain"
            and any(E.is_ident(a, name) for a in op.args)
            and any(t.function is ranger for t in self.program.resolve_call(owner, op))
        ]
        return len(calls) == 1

    def _skipped_field_close(self, ch: Channel) -> SkippedClose | None:
        """An unexported channel field, only ever given a fresh `make`, that one goroutine sends on and
        closes plainly, and one other function ranges over (`for ev := range w.Start()`, the getter
        handing back the field): the goroutine can return before its close, and the range never ends."""
        key = ch.key
        if not key.rsplit(".", 1)[-1][:1].islower() or len(ch.closes) != 1:
            return None
        closer, close_op = ch.closes[0]
        ranges = [(fn, op) for fn, op in ch.receives if op.mode == "range"]
        if close_op.mode != "plain" or len(ranges) != len(ch.receives) or len({f.id for f, _o in ranges}) != 1:
            return None
        ranger, range_op = ranges[0]
        if ranger is closer or any(f is not closer for f, _op in ch.sends) or len(closer.go_sites) != 1:
            return None
        owner, go_op = closer.go_sites[0]
        if self._range_exits(ranger, range_op) or field_escapes(self.program, self.flow, key, getters=True):
            return None
        if not only_made(self.program, self.flow, key):
            return None
        skipping = self._exit_skipping_close(closer, close_op, ranger, range_op)
        if skipping is None:
            return None
        self.debug["GIM102_skipped_field_closes"] += 1
        exit_op, target, region = skipping
        returned = self.flow.getter_of(owner) == key
        return SkippedClose(
            ch, owner, ranger, range_op, closer, target, exit_op, region, go_op, go_fn=owner, returned_by_owner=returned
        )

    def _exit_skipping_close(
        self, closer: Function, close_op, waiter: Function, wait_op, more: tuple = ()
    ) -> tuple | None:
        """(the closer's first `return` or goroutine-ending call that skips close_op (and every close
        in `more`), the close, the branch deciding it), unless on that path the closer signals the
        waiter away first."""
        facts = closer.facts
        targets = [facts.ops.index(op) for op in (close_op, *more)]

        def leaves(op) -> bool:
            return op.kind == "return" or ends_goroutine(self.program, closer, op) is not None

        for i, t in exits_skipping(facts, targets, leaves):
            if self._signalled_away(closer, i, waiter, wait_op):
                continue
            return facts.ops[i], facts.ops[t], deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
        return None

    def _skipped_done_close(self, ch: Channel) -> SkippedClose | None:
        """A done channel of a struct (a future's), closed by the one goroutine that fills it, which
        can return first: whoever waits on `<-f.done` waits forever on that path.

            func (c *Cache) load(key string, f *Future) {
                data, err := c.backend.Read(key)
                if err != nil { f.err = err; return }    // f.done is never closed
                f.val = data
                close(f.done)
            }
            func (f *Future) Get() ([]byte, error) { <-f.done; return f.val, f.err }

        Judged on an unexported field only ever given a fresh `make`, never
        handed anywhere (no getter), sent on by nobody, closed by one plain
        `close` in a function started with `go`, and received plainly, outside
        any `select`, by another function; the close in no loop.
        """
        key = ch.key
        if not key.rsplit(".", 1)[-1][:1].islower() or not ch.closes:
            return None
        closer, close_op = ch.closes[0]
        if any(fn is not closer or op.mode != "plain" or _in_loop(fn.facts, op.region) for fn, op in ch.closes):
            return None  # closed by several functions, deferred, or in a loop: not this shape
        published = None if closer.go_sites else self._published_then_closed(closer)
        if close_op.mode != "plain" or not (closer.go_sites or published) or _in_loop(closer.facts, close_op.region):
            # In a loop, the close is of each value the loop takes in turn (`case f := <-es.install:
            # close(f.installed)`): a return skips the closes of values not taken yet, which wait elsewhere.
            return None
        waits = [(fn, op) for fn, op in ch.receives if op.mode == "expr" and op.select < 0 and fn is not closer]
        if not waits or any(fn is closer for fn, _op in ch.receives):
            return None
        if field_escapes(self.program, self.flow, key, getters=True) or not only_made(self.program, self.flow, key):
            return None
        waiter, wait_op = waits[0]
        if closer.go_sites:
            owner, go_op = closer.go_sites[0]
        elif published is not None:
            owner, go_op = published[0], published[2]
        else:
            return None
        more = tuple(op for _fn, op in ch.closes[1:])
        skipping = self._exit_skipping_close(closer, close_op, waiter, wait_op, more)
        if skipping is None:
            return None
        self.debug["GIM102_skipped_done_closes"] += 1
        exit_op, target, region = skipping
        return SkippedClose(
            ch,
            owner,
            waiter,
            wait_op,
            closer,
            target,
            exit_op,
            region,
            go_op,
            go_fn=owner,
            returned_by_owner=False,
            closes=len(ch.closes),
            published=published,
        )

    def _published_then_closed(self, closer: Function) -> tuple | None:
        """(caller, store, call) when closer's one caller calls it plainly with a local it stored
        before into a map field (`cl := &call{done: make(chan struct{})}; c.calls[key] = cl; ...;
        c.fill(key, cl)`): concurrent callers find the value there and wait on it (the singleflight
        shape), whether or not this one is started with `go`."""
        calls = self.program.callers(closer)
        if len(calls) != 1 or calls[0][1].mode != "plain":
            return None
        caller, call = calls[0]
        ops = caller.facts.ops
        at = next((k for k, o in enumerate(ops) if o is call), None)
        if at is None:
            return None
        passed = {E.ident(a) for a in call.args} - {None}
        for store in ops[:at]:
            if store.kind != "assign" or len(store.targets) != 1 or len(store.args) != 1:
                continue
            ix = E.index(store.targets[0])
            if ix is not None and E.selector(ix[0]) is not None and E.ident(store.args[0]) in passed:
                return caller, store, call
        return None

    def _both_started(self, owner: Function, closer: Function, ranger: Function, range_op):
        """(the `go` starting the closer, (its goroutine, its call of the closer)) when owner starts the
        ranger and, on another goroutine, calls the closer once: a send that goroutine makes after the
        call (`errc <- loader.Stream(...)`) cannot end a range whose function never receives from it."""
        ranger_go = self._starter(owner, ranger) or (self._started_caller(owner, ranger) or (None,))[0]
        if ranger_go is None:
            return None
        return self._started_caller(owner, closer, ranger, range_op, partner_apart=True)

    def _called_once(self, owner: Function, closer: Function, go_op) -> Op | None:
        """owner's one plain call of closer, after `go_op` and outside any loop."""
        ops = owner.facts.ops
        calls = [
            op
            for op in ops
            if op.kind == "call"
            and op.mode == "plain"
            and any(t.function is closer for t in self.program.resolve_call(owner, op))
        ]
        if len(calls) != 1 or _in_loop(owner.facts, calls[0].region):
            return None
        if go_op not in ops or ops.index(calls[0]) < ops.index(go_op):
            return None  # the ranger is started by a literal, or after the closer ran
        return calls[0]

    def _started_caller(
        self, owner: Function, closer: Function, ranger: Function | None = None, range_op=None, partner_apart=False
    ) -> tuple[object, tuple[Function, object]] | None:
        """(owner's `go`, (goroutine, its call)) when owner starts a goroutine that calls the closer once,
        plainly and outside any loop, and sends nothing after that call (a send there may be the
        failure's own signal to the ranger): `go func() { if err := readSegment(seg, lines); err !=
        nil { log.Print(err) } }()`. When the closer returns early, the goroutine goes on without
        closing, as it would had the close been skipped in its own body."""
        for f in [owner, *owner.nested_literals()]:
            for go_op in f.facts.ops:
                if go_op.kind != "call" or go_op.mode != "go":
                    continue
                for target in self.program.resolve_call(f, go_op):
                    g = target.function
                    ops = g.facts.ops
                    calls = [
                        (k, op)
                        for k, op in enumerate(ops)
                        if op.kind == "call"
                        and op.mode == "plain"
                        and any(t.function is closer for t in self.program.resolve_call(g, op))
                    ]
                    if len(calls) != 1 or _in_loop(g.facts, calls[0][1].region):
                        continue
                    k, call = calls[0]
                    if any(
                        op.kind == "send"
                        and not self._heard_only_after(ranger, range_op, op)
                        and not (partner_apart and ranger is not None and not self._receives_on(ranger, g, op))
                        for op in ops[k + 1 :]
                    ):
                        self.debug["GIM102_skipped_closes_signalled"] += 1
                        continue
                    return go_op, (g, call)
        return None

    def _receives_on(self, ranger: Function, sender: Function, send) -> bool:
        """The ranger receives from the channel of `send` (made by sender's side) anywhere in its body."""
        key = self.flow.key(sender, send.fn)
        return key is None or any(op.kind == "recv" and self.flow.key(ranger, op.fn) == key for op in ranger.facts.ops)

    def _heard_only_after(self, ranger: Function | None, range_op, send) -> bool:
        """The channel of `send` (`errc <- loader.Load(jobs)`) is a local the ranger receives from only
        after its range loop (plainly, or in a `select` there: `select { case err := <-errc: ...;
        default: }`): that send cannot end the range."""
        name = E.ident(send.fn)
        if ranger is None or range_op is None or name is None:
            return False
        facts = ranger.facts
        if self.program.declaring_function(ranger, name) is not ranger:
            return False
        at = facts.ops.index(range_op)
        recvs = [op for op in facts.ops if op.kind == "recv" and E.is_ident(op.fn, name)]
        return bool(recvs) and all(
            facts.ops.index(op) > at and range_op.body not in enclosing_regions(facts, op.region) for op in recvs
        )

    def _signalled_away(self, closer: Function, i: int, ranger: Function, range_op) -> bool:
        """Right before the return at index i the closer sends on a channel that the ranger receives
        from before its range, in a `select` case (or straight before a `return`) that leaves (a
        `return`, `t.Fatal`, a call ending the goroutine): on that path the ranger never reaches
        the range."""
        ops = closer.facts.ops
        before = ops[i - 1] if i > 0 else None
        if before is None or before.kind != "send" or before.region != ops[i].region:
            return False
        key = self.flow.key(closer, before.fn)
        if key is None:
            return False
        rfacts = ranger.facts
        stop = rfacts.ops.index(range_op)
        for op in rfacts.ops[:stop]:
            if op.kind != "recv" or self.flow.key(ranger, op.fn) != key:
                continue
            body = op.body if op.mode == "case" else op.region
            if any(o.region == body and self._leaves_ranger(ranger, o) for o in rfacts.ops[:stop]):
                return True
        return False

    def _leaves_ranger(self, ranger: Function, op) -> bool:
        """op takes the ranger away before its range: a `return`, a call that ends the goroutine or
        the process, or a test's `t.Fatal` (the test's goroutine ends there)."""
        if op.kind == "return":
            return True
        if op.kind != "call":
            return False
        return ends_goroutine(self.program, ranger, op) is not None or call_exit(self.program, ranger, op) == TEST

    def _returned_skipped_close(self, ch: Channel) -> SkippedClose | None:
        """The producer shape `func stream() <-chan T { out := make(chan T); go func() {...; close(out)
        }(); return out }`: the maker returns the channel and receives nothing itself; the goroutine it
        starts is the only sender and closer, and can return before its plain `close`; a caller
        ranges over what the maker returned (`for v := range stream()`, or a local assigned from the
        call once). On that return the caller's range never ends."""
        if len(ch.make_sites) != 1 or not ch.closes:
            return None
        owner = ch.make_sites[0][0]
        name = self.flow.label(ch.key)
        if ch.key != f"local:{owner.id}:{name}":
            return None
        main_close = _main_close(ch)
        if main_close is None:
            return None
        closer, close_op, early_leaves = main_close
        # the senders: the closer, or literals of it that run on its goroutine (a recursive `visit`)
        own = {closer.id} | {lit.id for lit in closer.nested_literals() if not lit.go_sites}
        if closer is owner or close_op.mode != "plain" or any(f.id not in own for f, _op in ch.sends):
            return None
        go_op = self._starter(owner, closer)
        # `go f.pump(out)` hands the channel to the closer itself: the goroutine the flow joined
        if go_op is None or not self._only_returned(owner, name, started=go_op):
            return None
        consumer = self._ranging_caller(owner, _returned_at(owner, name))
        if consumer is None:
            self.debug["GIM102_returned_channels_no_caller_ranging"] += 1
            return None
        if range_exits(self.program, *consumer, on_values_only=True):
            return None  # (an exit taken only on a value received, `if err := flush(); err != nil`, is none)
        if any(fn is not consumer[0] or op is not consumer[1] for fn, op in ch.receives):
            return None  # received somewhere else too (the flow joins a caller's range through the return)
        facts = closer.facts
        target = facts.ops.index(close_op)
        if (
            self._senders_long_lived(ch, owner, name, breaks_end=True)
            and not self._ends_with_its_input(ch, closer, close_op)
            and not _closes_then_leaves(facts, target)
        ):
            return None

        def leaves(op) -> bool:
            return op.kind == "return" or ends_goroutine(self.program, closer, op) is not None

        # also `if err != nil { return }` before a close on a later branch of the loop (`if page.Next == ""
        # { close(out); return }`)
        ranger, range_op = consumer
        for i, t in exits_skipping(facts, [target], leaves):
            if i in early_leaves:
                continue  # `close(out); return` on an early failure: that way out closes first
            region = deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
            return SkippedClose(
                ch, owner, ranger, range_op, closer, facts.ops[t], facts.ops[i], region, go_op, closes=len(ch.closes)
            )
        guard = _ends_past_if(facts, target)
        if guard is None:
            guard = _ends_past_case(facts, target)  # `case JSONLines:` falling off the end unclosed
        if guard is not None:
            # `if len(batch) > 0 { out <- batch; close(out) }` at the end: with the condition false the
            # goroutine ends without closing.
            return SkippedClose(
                ch, owner, ranger, range_op, closer, close_op, None, guard, go_op, closes=len(ch.closes)
            )
        loop = _loop_running_out_past(facts, target)
        if loop is not None:
            # `for line := range in { ...; if bad { close(out); return } ... }`: when `in` runs out the
            # goroutine ends past the loop without closing.
            return SkippedClose(ch, owner, ranger, range_op, closer, close_op, None, loop, go_op, closes=len(ch.closes))
        return None

    def _returned_skipped_send(self, ch: Channel) -> SkippedSend | None:
        """The future shape `func fetchAsync() <-chan T { ch := make(chan T, 1); go func() { v, err :=
        f(); if err != nil { return }; ch <- v }(); return ch }`: the maker hands the channel on only by
        returning it, the goroutine it starts is the only sender (once, outside loops and selects)
        and nothing closes it; a caller receives from the result with a plain receive (`<-fetchAsync()`,
        or a local assigned from the call once). On the goroutine's return before its send, that
        receive waits forever."""
        if len(ch.make_sites) != 1:
            return None
        owner = ch.make_sites[0][0]
        name = self.flow.label(ch.key)
        sfn = ch.sends[0][0]
        if ch.key != f"local:{owner.id}:{name}" or sfn is owner or any(f is not sfn for f, _op in ch.sends):
            return None
        if not self._only_returned(owner, name):
            return None
        go_op = self._starter(owner, sfn)
        if go_op is None or self._defers_signal(sfn):
            return None
        facts = sfn.facts
        sidx = [facts.ops.index(op) for _f, op in ch.sends]
        if any(_in_loop(facts, facts.ops[i].region) or facts.ops[i].select >= 0 for i in sidx):
            return None
        waiting = self._receiving_caller(owner)
        if waiting is None:
            return None
        waiter, receive = waiting
        if any(op is not receive for _f, op in ch.receives):
            return None  # received somewhere else too
        for i, t in returns_skipping(facts, sidx):
            if self._signals_on_the_way(sfn, i, facts.ops[t].region):
                continue
            region = deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
            self.debug["GIM102_returned_channels_skipping_their_send"] += 1
            return SkippedSend(ch, owner, go_op, sfn, facts.ops[t], facts.ops[i], region, receive, waiter)
        return None

    def _receiving_caller(self, maker: Function) -> tuple[Function, object] | None:
        """(caller, its receive) for the first caller receiving plainly from maker's result, outside
        any `select`: `v := <-maker()`, or `c := maker()` (c assigned only there) and `<-c`."""
        for caller, call_op in self.program.callers(maker):
            if call_op.mode != "plain":
                continue
            ops = caller.facts.ops
            for op in ops:
                if op.line != call_op.line:
                    continue
                c = E.call(op.fn) if op.kind == "recv" else None
                if c is not None and c[0] == call_op.fn and op.mode == "expr" and op.select < 0:
                    return caller, op
                if op.kind == "assign" and len(op.args) == 1 and len(op.targets) == 1:
                    c = E.call(op.args[0])
                    target = E.ident(op.targets[0])
                    if c is not None and c[0] == call_op.fn and target is None:
                        ix = E.index(op.targets[0])
                        found = self._received_from_container(caller, E.ident(ix[0]) if ix is not None else None)
                        if found is not None:
                            return caller, found
                        continue
                    if (
                        c is not None
                        and E.is_ident(c[0], "append")
                        and len(c[1]) == 2
                        and E.is_ident(c[1][0], target or "")
                        and (inner := E.call(c[1][1])) is not None
                        and inner[0] == call_op.fn
                    ):
                        # `pending = append(pending, maker(a))`, then `for _, c := range pending { <-c }`
                        found = self._received_from_container(caller, target)
                        if found is not None:
                            return caller, found
                        continue
                    if c is None or c[0] != call_op.fn or not target:
                        continue
                    recvs = [o for o in ops if o.kind == "recv" and E.is_ident(o.fn, target)]
                    once = len(list(assignments_to(caller, target))) == 1
                    if once and len(recvs) == 1 and recvs[0].mode == "expr" and recvs[0].select < 0:
                        return caller, recvs[0]
        return None

    def _received_from_container(self, caller: Function, m: str | None) -> object | None:
        """`pending[k] = maker(k)` into a local map (or `pending = append(pending, maker(a))` into a
        local slice), then `for k, c := range pending { <-c }`: that plain receive, when the container
        itself is only ever given a `make` (or a declaration, or its own `append`) and is ranged once."""
        if m is None or self.program.declaring_function(caller, m) is not caller:
            return None
        ops = caller.facts.ops
        ranges = []
        for op in ops:
            if op.kind != "assign":
                continue
            if any(E.is_ident(t, m) for t in op.targets) and not _fills_itself(op, m):
                return None  # the container itself reassigned
            if len(op.args) == 1 and E.is_ident(E.ranged(op.args[0]), m):
                ranges.append(op)
        if len(ranges) != 1 or len(ranges[0].targets) != 2:
            return None
        v = E.ident(ranges[0].targets[1])
        recvs = [o for o in ops if o.kind == "recv" and v and E.is_ident(o.fn, v)]
        if len(recvs) != 1 or recvs[0].mode != "expr" or recvs[0].select >= 0:
            return None
        return recvs[0]

    def _ends_with_its_input(self, ch: Channel, closer: Function, close_op) -> bool:
        """A pipeline stage: every send is in `for ... range` loops of the closer (over its input
        channel or a slice; no other loop around it, no `select`), and the close comes after them:
        the stage is written to end when its input does, not to live for good."""
        facts = closer.facts
        ranged = {op.body for op in facts.ops if op.kind == "recv" and op.mode == "range" and op.body >= 0}
        close_chain = set(enclosing_regions(facts, close_op.region))
        for fn, op in ch.sends:
            if fn is not closer:
                return False
            loops = [r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind in ("for", "range")]
            if not loops and ranged and op.line > max(facts.regions[r].line for r in ranged):
                continue  # the leftover flushed after the range (`if len(batch) > 0 { out <- batch }`)
            if not loops or any(r not in ranged or r in close_chain for r in loops):
                return False
            if any(facts.regions[r].kind == "select" for r in enclosing_regions(facts, op.region)):
                return False
        return True

    def _only_returned(self, owner: Function, name: str, started: Op | None = None, passed: Op | None = None) -> bool:
        """owner hands the channel on only by returning it: every op naming it in owner and its
        literals is its make, a send, a receive, a close, the `go` of a literal, or a `return`;
        or `started`, the `go split(line, out)` of the function the caller knows sends on it, or
        `passed`, the goroutine's call of the helper the caller knows sends on it (`emit(out, v)`)."""
        returned = False
        for f in [owner, *owner.nested_literals()]:
            for op in f.facts.ops:
                if not _mentions(op, name):
                    continue
                if op.kind == "return" and f is owner and any(E.is_ident(a, name) for a in op.args):
                    returned = True
                elif op.kind == "return" and f is owner:
                    return False
                elif (
                    op.kind in ("send", "recv")
                    and E.is_ident(op.fn, name)
                    and not any(_mentions_expr(a, name) for a in op.args)
                ):
                    continue
                elif op.kind == "call" and E.is_ident(op.fn, "close"):
                    continue
                elif op.kind == "assign" and len(op.args) == 1 and E.is_make_call(op.args[0]):
                    continue
                elif op.kind == "call" and op.mode == "go" and E.funclit(op.fn) is not None and not op.args:
                    continue
                elif op is started or op is passed:
                    continue
                else:
                    return False
        return returned

    def _ranging_caller(self, maker: Function, position: int = 0) -> tuple[Function, object] | None:
        """(caller, its range) for the first caller ranging over maker's result: `for v := range
        maker()`, or `c := maker()` (c assigned only there) and `for v := range c`; for a channel
        returned at `position` beside other results, `recs, errc := maker()` and a range over `recs`."""
        for caller, call_op in self.program.callers(maker):
            if call_op.mode != "plain":
                continue
            names: list[str] = []
            passed = self._ranged_by_callee(caller, "", call_op)  # `aggregate(parseRecords(lines))`
            if passed is not None:
                return passed
            for op in caller.facts.ops:
                if op.kind == "recv" and op.mode == "range" and op.line == call_op.line:
                    c = E.call(op.fn)
                    if c is not None and c[0] == call_op.fn:
                        return caller, op
                if op.kind == "assign" and op.line == call_op.line and len(op.args) == 1 and position < len(op.targets):
                    c = E.call(op.args[0])
                    target = E.ident(op.targets[position])
                    if c is not None and c[0] == call_op.fn and target:
                        names.append(target)
            for name in names:
                assigned = [
                    o for o in caller.facts.ops if o.kind == "assign" and any(E.is_ident(t, name) for t in o.targets)
                ]
                ranges = [
                    o for o in caller.facts.ops if o.kind == "recv" and o.mode == "range" and E.is_ident(o.fn, name)
                ]
                if len(assigned) == 1 and ranges:
                    return caller, ranges[0]
                if len(assigned) == 1:
                    handed = self._ranged_by_callee(caller, name)
                    if handed is not None:
                        return handed
        return None

    def _ranged_by_callee(self, caller: Function, name: str, call_op=None) -> tuple[Function, object] | None:
        """(callee, its range) when caller hands the channel in its local `name` (or, with call_op,
        the result of that call: `aggregate(parseRecords(lines))`) to a function of the tree
        (`drain(out)`) that ranges over that parameter and never assigns it: the helper's range is
        the caller's."""
        number = None
        if call_op is not None:
            number = next((k for k, o in enumerate(caller.facts.ops) if o is call_op), None)
        for op in caller.facts.ops:
            if op.kind != "call" or op.mode != "plain":
                continue
            if number is not None:
                at = [k for k, a in enumerate(op.args) if E.call_number(a) == number]
            else:
                at = [k for k, a in enumerate(op.args) if E.is_ident(a, name)]
            if len(at) != 1:
                continue
            found = self.program.parameter_at(caller, op, at[0], direct=False)
            if found is None:
                continue
            g, param = found
            if any(o.kind == "assign" and any(E.is_ident(t, param) for t in o.targets) for o in g.facts.ops):
                continue
            ranges = [o for o in g.facts.ops if o.kind == "recv" and o.mode == "range" and E.is_ident(o.fn, param)]
            if ranges:
                return g, ranges[0]
        return None

    # ---- a send skipped on a return -------------------------------------------------------
    def _skipped_send(self, ch: Channel, owner: Function) -> SkippedSend | None:
        recvs = [op for fn, op in ch.receives if fn is owner]
        waiter: Function | None = None
        handed: dict[int, object] = {}  # a receive in the helper -> owner's call handing it the channel
        if not recvs:
            gathered = self._receiving_callee(ch, owner)
            if gathered is not None:
                waiter, call_op = gathered
                recvs = [op for _fn, op in ch.receives]
                handed = {id(op): call_op for op in recvs}
        if len(recvs) != len(ch.receives) or any(op.mode != "expr" or op.select >= 0 for op in recvs):
            return None  # a select can take another case; a receive elsewhere is another story
        if any(under_len_guard((waiter or owner).facts, op) for op in recvs):
            return None  # `if len(errCh) > 0 { t.Fatal(<-errCh) }`: it never waits for a sender
        starts = self.senders(owner, ch)
        if not starts:
            return None
        index = {id(op): i for i, op in enumerate(owner.facts.ops)}
        index.update({op_id: index[id(call)] for op_id, call in handed.items()})
        for go_op, sends in starts:
            if any(path for _sfn, _sop, path in sends):
                self.debug["GIM102_skips_send_through_calls"] += 1
                return None
            sfn = sends[0][0]
            if any(s[0] is not sfn for s in sends):
                return None
            facts = sfn.facts
            sidx = [facts.ops.index(sop) for _f, sop, _p in sends]
            if any(facts.ops[i].select >= 0 for i in sidx):
                return None
            if any(_in_loop(facts, facts.ops[i].region) for i in sidx) and not (
                len(starts) == 1 and all(_sends_then_leaves(facts, i) for i in sidx)
            ):
                # a loop of sends; a retry loop whose every send ends the goroutine is one send, when
                # that goroutine is the channel's only sender
                return None
            if self._defers_signal(sfn):
                return None
            g = index.get(id(go_op), -1)
            later = [r for r in recvs if index.get(id(r), -1) > g]
            if not later:
                continue
            if go_op.mode != "go" and self._group_waited(owner, go_op, g, index.get(id(later[0]), -1)):
                # `g.Go(f)` then `if err := g.Wait(); err != nil { return }` before the receive:
                # the skipping goroutine's error is heard, and the owner leaves on it.
                self.debug["GIM102_skips_reported_by_group_wait"] += 1
                continue
            for i, t in returns_skipping(facts, sidx):
                ret = facts.ops[i]
                if self._signals_on_the_way(sfn, i, facts.ops[t].region):
                    self.debug["GIM102_skips_signalled"] += 1
                    continue
                if self._heard_first(sfn, i, ch, owner, later[0]):
                    self.debug["GIM102_skips_heard_on_another_channel_first"] += 1
                    continue
                if self._done_only_after_wait(sfn, ret, owner, go_op, later[0]):
                    self.debug["GIM102_skips_on_a_context_only_the_waiter_cancels"] += 1
                    continue
                region = deciding_region(facts, ret.region, facts.ops[t].region)
                found = SkippedSend(ch, owner, go_op, sfn, facts.ops[t], ret, region, later[0], waiter)
                found.handed_at = handed.get(id(later[0]))
                return found
            recovered = self._recovered_before_send(sfn, sidx[0])
            if recovered is not None:
                found = SkippedSend(ch, owner, go_op, sfn, facts.ops[sidx[0]], recovered[1], -1, later[0], waiter)
                found.recovered, found.handed_at = recovered[0], handed.get(id(later[0]))
                self.debug["GIM102_skips_by_a_recovered_panic"] += 1
                return found
            guard = self._falls_past(sfn, sidx)
            if guard is not None:
                found = SkippedSend(ch, owner, go_op, sfn, facts.ops[sidx[0]], None, guard, later[0], waiter)
                found.handed_at = handed.get(id(later[0]))
                return found
        return None

    def _receiving_callee(self, ch: Channel, owner: Function) -> tuple[Function, Op] | None:
        """(helper, owner's call of it) when every receive of the channel sits in one function of the
        tree that owner calls plainly, once, handing it the channel (`return c.gather(results,
        len(c.shards))`), on a parameter the helper never assigns: the helper's receives are the
        owner's, made at that call."""
        helpers = {fn.id for fn, _op in ch.receives}
        if len(helpers) != 1:
            return None
        helper = ch.receives[0][0]
        name = self.flow.label(ch.key)
        found = None
        for op in owner.facts.ops:
            if op.kind != "call" or not any(E.is_ident(a, name) for a in op.args):
                continue
            at = [k for k, a in enumerate(op.args) if E.is_ident(a, name)]
            target = self.program.parameter_at(owner, op, at[0]) if len(at) == 1 else None
            if target is None or target[0] is not helper:
                continue
            if found is not None or op.mode != "plain":
                return None
            param = target[1]
            if any(o.kind == "assign" and any(E.is_ident(t, param) for t in o.targets) for o in helper.facts.ops):
                return None
            if any(not E.is_ident(r.fn, param) for _fn, r in ch.receives):
                return None
            found = (helper, op)
        return found

    def _done_only_after_wait(self, sfn: Function, ret: Op, owner: Function, go_op: Op, wait: Op) -> bool:
        """ret sits in `case <-ctx.Done():` of a context owner makes from `context.Background()`
        with a cancel that owner calls only after its wait (`defer cancel()`): that case cannot be
        taken while owner waits, so it strands nobody. ctx is a local of owner's seen by the
        goroutine's literal, or the argument the `go` passes for the parameter it names."""
        ctx = done_case_context(sfn, ret)
        name = E.ident(ctx) if ctx is not None else None
        if name is None:
            return False
        if sfn.parent is not None:
            if self.program.declaring_function(sfn, name) is not owner:
                return False
        else:
            params = [n for n, _t in sfn.facts.params]
            if name not in params or params.index(name) >= len(go_op.args):
                return False
            name = E.ident(go_op.args[params.index(name)])
            if name is None:
                return False
        cancel = quiet_cancel(self.program, owner, name)
        return cancel is not None and cancelled_only_after(self.program, owner, cancel, owner, wait)

    def _group_waited(self, owner: Function, go_op, start: int, stop: int) -> bool:
        """Between indexes start and stop, owner calls `Wait` on the group whose `Go` is go_op."""
        group = E.render(E.selector_base(go_op.fn))
        return any(
            op.kind == "call" and E.selected_name(op.fn) == "Wait" and E.render(E.selector_base(op.fn)) == group
            for op in owner.facts.ops[start + 1 : stop]
        )

    def _heard_first(self, sender: Function, i: int, ch: Channel, owner: Function, receive) -> bool:
        """Before its return at index i, the sender sends on another channel that the owner receives
        from before `receive`, and the owner may leave in between (a `return`, `t.Fatal`, a panic).

        `errc <- err; if err != nil { return }` with the owner doing `if err := <-errc; err != nil {
        t.Fatal(err) }` before `<-data`: the error arrives first and the owner leaves on it.
        """
        flow = self.flow
        sent = {flow.key(sender, op.fn) for op in sender.facts.ops[:i] if op.kind == "send"}
        sent.discard(None)
        sent.discard(ch.key)
        if not sent:
            return False
        heard = False
        for op in owner.facts.ops:
            if op is receive:
                return False
            if not heard:
                heard = op.kind == "recv" and flow.key(owner, op.fn) in sent
                continue
            if op.kind == "return" or (op.kind == "call" and call_exit(self.program, owner, op) is not None):
                return True
        return False

    def _recovered_before_send(self, fn: Function, send: int) -> tuple[Op, Op] | None:
        """(the deferred call that recovers, the call it would recover from) when fn defers, at its top,
        a function of the tree calling `recover()` (the author expects a panic), and before its send
        calls a function value it was given (`out, err := t.Fn()`): that call panicking is a way to the
        end of fn that skips the send. The recovering function must not send or close anything
        (`_defers_signal` has ruled out a deferred call reaching a send)."""
        ops = fn.facts.ops
        recovering = None
        for op in ops[:send]:
            if op.kind != "call" or op.mode != "defer" or op.region != 0:
                continue
            for t in self.program.resolve_call(fn, op._replace(mode="plain")):
                body = t.function.facts.ops
                if self._recovery.recovers(t.function) and not any(
                    o.kind == "send" or (o.kind == "call" and E.is_ident(o.fn, "close")) for o in body
                ):
                    recovering = op
        if recovering is None:
            return None
        start = ops.index(recovering)
        for op in ops[start + 1 : send]:
            if op.kind != "call" or op.mode != "plain":
                continue
            written = self.program.type_of(fn, op.fn)
            structural = self.program.underlying(written) if written is not None else ""
            if structural.replace(" ", "").startswith("func("):
                return recovering, op
        return None

    def _falls_past(self, fn: Function, sidx: list[int]) -> int | None:
        """The `if` (with no `else`) around fn's one send, when fn has no `return` and nothing outside
        that `if` sends: with the condition false, fn ends without sending. None otherwise."""
        facts = fn.facts
        guard = _ends_past_if(facts, sidx[0]) if len(sidx) == 1 else None
        if guard is None:
            return None
        outside = [op for op in facts.ops if guard not in enclosing_regions(facts, op.region)]
        if any(op.kind == "send" for op in outside):
            return None
        calls = [op for op in outside if op.kind == "call" and op.mode != "go"]
        if any(True for _ in self.flow.reachable_sends(fn, calls, max_states=200)):
            self.debug["GIM102_skips_signalled"] += 1
            return None
        return guard

    def _defers_signal(self, fn: Function) -> bool:
        """A deferred call of fn sends on some channel (or calls code that does): the return may be heard."""
        for op in fn.facts.ops:
            if op.kind == "call" and op.mode == "defer":
                if any(True for _ in self.flow.reachable_sends(fn, [op._replace(mode="plain")], max_states=200)):
                    return True
                if not self.program.resolve_call(fn, op) and self.program.is_unknown_call(fn, op):
                    return True  # a deferred call the model cannot follow may signal
        return False

    def _signals_on_the_way(self, fn: Function, i: int, stop_region: int) -> bool:
        """Before the return at index i, in the branch that leads to it, fn sends on some channel."""
        facts = fn.facts
        around_stop = set(enclosing_regions(facts, stop_region))
        branch = [r for r in enclosing_regions(facts, facts.ops[i].region) if r not in around_stop]
        ops = [op for op in facts.ops[:i] if op.region in branch]
        if any(op.kind == "send" for op in ops):
            return True
        calls = [op for op in ops if op.kind == "call" and op.mode != "go"]
        return any(True for _ in self.flow.reachable_sends(fn, calls, max_states=200))

    # ---- nil channels ------------------------------------------------------------------------
    def _nil_channel_ops(self, top: Function):
        """Sends and receives outside a select on `var ch chan T` locals never assigned afterwards."""
        for fn in [top, *top.nested_literals()]:
            for op in fn.facts.ops:
                if op.kind != "assign" or op.mode != "var" or op.args or not _is_chan_type(op.vtype):
                    continue
                for target in op.targets:
                    name = E.ident(target)
                    if name is None or name == "_" or self._ever_assigned(fn, name, op):
                        continue
                    for f in [fn, *fn.nested_literals()]:
                        if self.program.declaring_function(f, name) is not fn:
                            continue
                        for use in f.facts.ops:
                            if use.kind in ("send", "recv") and _blocks_alone(f, use) and E.is_ident(use.fn, name):
                                if _parks_main(f, use):
                                    self.debug["GIM102_nil_receives_parking_main"] += 1
                                    continue
                                yield NilChannelOp(f, use, name, op)

    def _nil_element_ops(self, top: Function):
        """Sends and receives outside a select on elements of a local `make([]chan T, n)` that nothing
        fills: its elements start nil. The slice must stay in the function and its literals, used
        only as `s[i]` in a channel operation or as the operand of a `range`; any other use (passed,
        stored, appended to, an element assigned) may fill it."""
        for op in top.facts.ops:
            if op.kind != "assign" or op.mode not in (":=", "var") or len(op.targets) != 1 or len(op.args) != 1:
                continue
            made = E.call(op.args[0])
            if made is None or not E.is_make_call(op.args[0]) or not made[1]:
                continue
            kind = made[1][0]
            if kind is None or kind[0] != "type" or not str(kind[1]).startswith("[]chan "):
                continue
            name = E.ident(op.targets[0])
            if name is None or name == "_":
                continue
            uses = self._element_uses(top, name, op)
            if uses is None:
                continue
            for f, use in uses:
                if _blocks_alone(f, use) and not _parks_main(f, use):
                    yield NilChannelOp(f, use, E.render(use.fn), op, elements_of=name)

    def _element_uses(self, top: Function, name: str, decl) -> list | None:
        """(function, op) of the channel operations on elements of the slice `name`, or None when the
        slice is used any other way. An element is `name[i]`, or the value of `for _, v := range name`
        (v never assigned again)."""
        values: set[str] = set()
        found: list = []
        fns = [top, *top.nested_literals()]
        for f in fns:
            if f is not top and self.program.declaring_function(f, name) is not top:
                continue
            for op in f.facts.ops:
                if op is decl:
                    continue
                ranged = E.ranged(op.args[0]) if op.kind == "assign" and len(op.args) == 1 else None
                if ranged is not None and E.is_ident(ranged, name):
                    if len(op.targets) == 2 and E.ident(op.targets[1]):
                        values.add(E.ident(op.targets[1]) or "")
                    continue
                if op.kind == "recv" and op.mode == "range" and E.is_ident(op.fn, name):
                    continue  # the range itself, judged by its assignment above
                if op.kind in ("send", "recv"):
                    idx = E.index(op.fn)
                    if idx is not None and E.is_ident(idx[0], name):
                        if any(_mentions_expr(a, name) for a in op.args):
                            return None
                        found.append((f, op))
                        continue
                if _mentions(op, name) or any(_mentions_expr(t, name) for t in op.targets):
                    return None  # passed, stored, filled (`name[i] = make(...)`) or appended to
        for f in fns:
            for op in f.facts.ops:
                for v in values:
                    if (
                        op.kind == "assign"
                        and any(E.is_ident(t, v) for t in op.targets)
                        and E.ranged(op.args[0] if op.args else None) is None
                    ):
                        return None  # the value is given another channel
                    if op.kind in ("send", "recv") and E.is_ident(op.fn, v):
                        found.append((f, op))
        return found

    def _nil_field_ops(self) -> list[NilFieldOp]:
        """Sends and receives outside a select on an unexported struct field channel never given a value.

        The field is unexported, so only its own package can set it, and that package is
        analysed: no `make` reaches it, and no assignment, keyed literal, literal without keys
        of its type, or `&x.field` hand-off gives any field of that name a value (whatever
        the base type, so an unresolved type only makes this quieter), while some keyed
        literal does build the type (the constructor that forgot it). Operations on the
        zero value then block forever. One finding per field, at its first blocking operation.
        """
        candidates: dict[str, tuple[str, str, Channel]] = {}  # field name -> (type, key, channel)
        for key, ch in self.flow.channels.items():
            if not key.startswith("field:") or ch.make_sites or not (ch.sends or ch.receives):
                continue
            named, _, fname = key[len("field:") :].rpartition(".")
            if not fname[:1].islower() or fname in candidates:
                if fname in candidates:
                    candidates[fname] = ("", "", ch)  # two types share the name: leave both alone
                continue
            candidates[fname] = (named, key, ch)
        candidates = {n: c for n, c in candidates.items() if c[1]}
        if not candidates:
            return []
        types = {named for named, _k, _c in candidates.values()}
        built: set[str] = set()  # candidate types some struct literal builds: a constructor forgot the field
        program = self.program
        # The fields are unexported, so their own packages set them when anything does: scan those
        # first, and most runs are done long before the rest of the program.
        home = {named.partition("#")[0] for named in types}
        ordered = [fn for fn in program.functions if fn.pkg.path in home]
        ordered += [fn for fn in program.functions if fn.pkg.path not in home]
        for fn in ordered:
            for op in fn.facts.ops:
                if op.kind == "assign":
                    for t in op.targets:
                        candidates.pop(E.selected_name(t) or "", None)
                if op.kind not in ("assign", "call", "return", "send", "go", "defer"):
                    continue
                for arg in op.args:
                    pointed = E.unary_operand(arg, "&")
                    if pointed is not None:
                        candidates.pop(E.selected_name(pointed) or "", None)
                for comp, ctype in E.composites_in_each(op.args, program.elem):
                    lit_type = program.named(program.qualify(ctype, fn.file)) if ctype else None
                    if lit_type in types:
                        built.add(lit_type)
                    for k, _v in E.composite_items(comp):
                        name = E.ident(k)
                        if name is not None:
                            candidates.pop(name, None)
                        elif lit_type in types:
                            for n in [n for n, c in candidates.items() if c[0] == lit_type]:
                                candidates.pop(n)
                if not candidates:
                    return []
        out = []
        for named, key, ch in candidates.values():
            if named not in built:
                self.debug["GIM102_nil_fields_of_types_never_built"] += 1
                continue  # no literal builds the type here: dead code, or built where the model cannot see
            fname = key.rpartition(".")[2]
            blocking = sorted(
                (
                    (f, op)
                    for f, op in (*ch.sends, *ch.receives)
                    if _blocks_alone(f, op) and E.selected_name(op.fn) == fname and not under_nil_check(f, op)
                ),
                key=lambda x: (x[0].file.path, x[1].line, x[1].col),
            )
            if blocking:
                self.debug["GIM102_nil_fields"] += 1
                f, op = blocking[0]
                out.append(NilFieldOp(f, op, self.flow.label(key), len(blocking) - 1))
        return out

    def _optional_nil_field_ops(self) -> list[NilFieldOp]:
        """A blocking send or receive, with no nil check, on an unexported channel field that only
        some constructions make, while other code guards its own use with `if s.ready != nil`.

            func WithReadiness() Option { return func(s *Server) { s.ready = make(chan struct{}) } }
            func NewServer(opts ...Option) *Server { s := &Server{name: "default"}; ... }
            go func() { ...; if s.ready != nil { close(s.ready) } }()
            func (s *Server) WaitReady() { <-s.ready }    // blocks forever without the option

        Judged when a keyed literal outside tests builds the type without the
        field in a function that neither makes it nor calls a function of the
        tree that does, every make is in a function literal outside tests (an
        option's closure; a method such as `Open` that makes it is a lifecycle
        the model cannot order), some operation on
        the field sits under a nil check (the author's own word that it may be
        nil), and the reported operation's function tests the field against nil
        nowhere.
        """
        out: list[NilFieldOp] = []
        for key, ch in self.flow.channels.items():
            if not key.startswith("field:") or not ch.make_sites or not (ch.sends or ch.receives):
                continue
            named, _, fname = key[len("field:") :].rpartition(".")
            if not fname[:1].islower():
                continue
            checked = next(((f, op) for f, op in (*ch.sends, *ch.receives, *ch.closes) if under_nil_check(f, op)), None)
            if checked is None:
                continue
            blocking = _unchecked_blocking_ops(ch, fname, lambda f, op: not under_nil_check(f, op))
            if not blocking:
                continue
            if not all(f.parent is not None and not f.file.is_test for f, _op in ch.make_sites):
                # Made by a method (`Open`, `Start`, a constructor): a lifecycle whose later calls the
                # model cannot order; only an option's closure says some constructions go without it.
                continue
            makers = {f.outermost().id for f, _op in ch.make_sites}
            built = self._built_without(named, fname, makers)
            if built is None:
                continue
            self.debug["GIM102_optional_nil_fields"] += 1
            f, op = blocking[0]
            out.append(NilFieldOp(f, op, self.flow.label(key), len(blocking) - 1, ch.make_sites[0], built, checked))
        return out

    def _sibling_built_nil_field_ops(self, told: set[str]) -> list[NilFieldOp]:
        """A blocking send or receive, with no nil check anywhere on the field, on an unexported
        channel field that one constructor's keyed literal makes and a sibling constructor's keyed
        literal leaves out, with nothing else ever assigning it:

            func NewHub() *Hub { return &Hub{register: make(chan *Client), unregister: make(chan *Client)} }
            func NewHubWithBacklog(n int) *Hub { return &Hub{register: make(chan *Client)} }
            c.hub.unregister <- c      // blocks forever on a hub from NewHubWithBacklog

        Judged when every make of the field is a value of a keyed literal of its type outside tests,
        no code assigns the field, the function making it and the sibling that leaves it out are
        both constructors (functions named `New…`), and the sibling is exported or called outside
        tests."""
        out: list[NilFieldOp] = []
        program = self.program
        for key, ch in sorted(self.flow.channels.items()):
            if not key.startswith("field:") or not ch.make_sites or not (ch.sends or ch.receives):
                continue
            named, _, fname = key[len("field:") :].rpartition(".")
            label = self.flow.label(key)
            if not fname[:1].islower() or label in told:
                continue
            if any(under_nil_check(f, op) for f, op in (*ch.sends, *ch.receives, *ch.closes)):
                continue  # the author says it may be nil: the optional shape's business
            if any(
                op is None or f.file.is_test or not _made_in_literal(program, f, op, fname) for f, op in ch.make_sites
            ):
                continue
            home = named.partition("#")[0]
            if any(
                op.kind == "assign" and any(E.selected_name(t) == fname for t in op.targets)
                for fn in program.package_functions(home)
                for op in fn.facts.ops
            ):
                continue
            makers = {f.outermost().id for f, _op in ch.make_sites}
            built = self._built_without(named, fname, makers)
            if built is None:
                continue
            sibling = built[0]
            if not sibling.facts.name[:1].isupper() and not any(
                not c.file.is_test for c, _op in program.callers(sibling)
            ):
                continue
            if not all(_constructor(f) for f in (sibling, *(m for m, _op in ch.make_sites))):
                # A method or helper building a value for one use of it (a lister filling only the
                # channel its caller reads): which operations run on that value is not known here.
                continue
            blocking = _unchecked_blocking_ops(ch, fname)
            if not blocking:
                continue
            self.debug["GIM102_nil_fields_left_out_by_a_sibling_constructor"] += 1
            f, op = blocking[0]
            out.append(NilFieldOp(f, op, label, len(blocking) - 1, ch.make_sites[0], built, None))
        return out

    def _conditionally_made_nil_field_ops(self, told: set[str]) -> list[NilFieldOp]:
        """A blocking send or receive, with no nil check anywhere on the field, on an unexported
        channel field that its constructor makes only when an option is set, while a call outside
        tests builds the value with that option left at its zero value:

            func NewPacer(opt Options) *Pacer { p := &Pacer{...}; if opt.Window > 0 { p.ready = make(...) }; ... }
            func (p *Pacer) Acquire() { <-p.ready }      // blocks forever without a window
            p := NewPacer(Options{Name: "outbound"})

        Judged when every make of the field is such an assignment in a `New…` constructor outside
        tests, under an `if` whose condition is false on the zero value of one parameter's field
        (`opt.X > 0`, `opt.X != 0`, `opt.X != ""`, `opt.X`), nothing else in the package assigns
        the field, a call of the constructor outside tests passes a keyed literal without `X`, and
        the blocking operation's function tests neither the field for nil, nor `X`, nor a field the
        constructor copies `X` into (it may run only when the option is set)."""
        out: list[NilFieldOp] = []
        program = self.program
        for key, ch in sorted(self.flow.channels.items()):
            if not key.startswith("field:") or not ch.make_sites or not (ch.sends or ch.receives):
                continue
            named, _, fname = key[len("field:") :].rpartition(".")
            label = self.flow.label(key)
            if not fname[:1].islower() or label in told:
                continue
            if any(under_nil_check(f, op) for f, op in (*ch.sends, *ch.receives, *ch.closes)):
                continue
            conditions = [_made_under_option(f, op, fname) for f, op in ch.make_sites]
            if any(c is None for c in conditions) or len({c[1] for c in conditions if c}) != 1:
                continue
            made_fn, made_op = ch.make_sites[0]
            param_at, option, cond, _assign = conditions[0]  # type: ignore[misc]
            home = named.partition("#")[0]
            makes = {id(c[3]) for c in conditions if c}
            if any(
                op.kind == "assign" and id(op) not in makes and any(E.selected_name(t) == fname for t in op.targets)
                for fn in program.package_functions(home)
                for op in fn.facts.ops
            ):
                continue
            built = next(
                (
                    (c, call)
                    for c, call in program.callers(made_fn)
                    if not c.file.is_test and _leaves_out(call, param_at, option)
                ),
                None,
            )
            if built is None:
                continue
            mirrors = {option, *_fields_set_from(made_fn, param_at, option)}
            blocking = _unchecked_blocking_ops(ch, fname, _untested_by(mirrors))
            if not blocking:
                continue
            self.debug["GIM102_nil_fields_made_under_an_option"] += 1
            f, op = blocking[0]
            out.append(NilFieldOp(f, op, label, len(blocking) - 1, (made_fn, made_op), built, None, cond))
        return out

    def _built_without(self, named: str, fname: str, makers: set[int]) -> tuple[Function, object] | None:
        """A keyed literal of the type `named` without `fname`, in a function of its package that does
        not make the field, assign it, or call a function of the tree that makes it."""
        program = self.program
        home = named.partition("#")[0]
        for fn in program.functions:
            if fn.pkg.path != home or fn.outermost().id in makers or fn.file.is_test:
                continue  # a test building a partial value is not a construction the code offers
            for op in fn.facts.ops:
                if op.kind not in ("assign", "call", "return"):
                    continue
                for comp, ctype in E.composites_in_each(op.args, program.elem):
                    lit_type = program.named(program.qualify(ctype, fn.file)) if ctype else None
                    if lit_type != named:
                        continue
                    keys = [E.ident(k) for k, _v in E.composite_items(comp)]
                    if not keys or None in keys or fname in keys:
                        continue
                    if self._sets_field(fn, fname, makers):
                        return None
                    return fn, op
        return None

    def _sets_field(self, fn: Function, fname: str, makers: set[int]) -> bool:
        """fn assigns `x.fname`, or calls a plain function of the tree that makes it."""
        for op in fn.facts.ops:
            if op.kind == "assign" and any(E.selected_name(t) == fname for t in op.targets):
                return True
            if op.kind == "call" and any(
                t.function.outermost().id in makers for t in self.program.resolve_call(fn, op)
            ):
                return True
        return False

    def _ever_assigned(self, fn: Function, name: str, decl) -> bool:
        """Anything but the declaration assigns `name`, or takes its address (a callee could assign it)."""
        ident = E.make_ident(name)
        for f in [fn, *fn.nested_literals()]:
            for op in f.facts.ops:
                if op is decl:
                    continue
                if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets):
                    return True
                for e in (op.fn, *op.args, *op.targets):
                    if e is not None and E.is_expr(e):
                        if any(E.unary_operand(x, "&") == ident for x in E.subexprs(e)):
                            return True
        return False


_BREAKABLE = ("for", "range", "switch", "select")


def range_exits(program: Program, fn: Function, op, on_values_only: bool = False) -> bool:
    """The range loop of op has a way out besides the close: return, break, goto, panic or a process exit.

    With on_values_only, an exit under an `if` that does not test the received value (`if err :=
    s.sink.Write(buf); err != nil { return }`) is no way out of a range waiting for a value that never
    comes: it runs only on a value received. An exit on the value itself (`if v.Last { return }`, a
    producer's sentinel) or not under such an `if` still counts.
    """
    regions = fn.facts.regions
    values = _range_values(fn, op) if on_values_only else set()
    for inner in _ops_under(fn, op.body):
        if values and _under_test_of_other_than(fn, inner, op.body, values):
            continue
        if inner.kind == "return":
            return True
        if inner.kind == "jump" and inner.mode == "goto":
            return True
        if inner.kind == "jump" and inner.mode == "break":
            if inner.fn is not None:
                return True  # a labelled break may leave the range
            target = next((r for r in enclosing_regions(fn.facts, inner.region) if regions[r].kind in _BREAKABLE), None)
            if target == op.body:
                return True
        if inner.kind == "call" and exits_process(program, fn, inner):
            return True
    return False


def _range_values(fn: Function, op) -> set[str]:
    """The names a range over a channel binds (`for v := range ch`)."""
    ops = fn.facts.ops
    at = next((k for k, o in enumerate(ops) if o is op), None)
    bind = ops[at - 1] if at else None
    if bind is None or bind.kind != "assign" or len(bind.args) != 1 or E.ranged(bind.args[0]) is None:
        return set()
    return {n for t in bind.targets if (n := E.ident(t)) is not None and n != "_"}


def _under_test_of_other_than(fn: Function, inner, body: int, values: set[str]) -> bool:
    """Between inner and the range body, an `if` whose condition names none of `values`; no `select`
    or `switch` on the way (their cases may wait on something else)."""
    regions = fn.facts.regions
    found = False
    for r in enclosing_regions(fn.facts, inner.region):
        if r == body:
            return found
        reg = regions[r]
        if reg.kind in ("select", "case", "switch"):
            return False
        if reg.kind in ("if", "else") and reg.info is not None:
            if any(E.ident(x) in values for x in E.subexprs(reg.info)):
                return False
            found = True
    return False


def _constructor(fn: Function) -> bool:
    """A function (not a method, nor a literal) named `New…`/`new…`: one of a type's constructors."""
    return fn.parent is None and not fn.facts.recv and fn.facts.name.lower().startswith("new")


def _unchecked_blocking_ops(
    ch: Channel, fname: str, also: Callable[[Function, Op], bool] = lambda _f, _op: True
) -> list[tuple[Function, Op]]:
    """The sends and receives on the field `fname` of ch that block alone, in functions that never
    test the field against nil, and that pass `also`; in source order."""
    return sorted(
        (
            (f, op)
            for f, op in (*ch.sends, *ch.receives)
            if _blocks_alone(f, op)
            and E.selected_name(op.fn) == fname
            and not _tests_field_for_nil(f, fname)
            and also(f, op)
        ),
        key=lambda x: (x[0].file.path, x[1].line, x[1].col),
    )


def _made_under_option(fn: Function, make_op, fname: str) -> tuple[int, str, str, Op] | None:
    """(parameter position, option field, condition rendered, the assignment) when make_op makes `x.fname = make(...)`
    in a `New…` constructor outside tests, directly under an `if` false on the zero value of the
    parameter's field (`opt.Window > 0`); None otherwise."""
    if make_op is None or fn.file.is_test or not _constructor(fn):
        return None
    facts = fn.facts
    if make_op.kind != "assign":
        number = next((i for i, o in enumerate(facts.ops) if o is make_op), -1)
        make_op = next(
            (o for o in facts.ops if o.kind == "assign" and len(o.args) == 1 and E.call_number(o.args[0]) == number),
            None,
        )
    if make_op is None or not any(E.selected_name(t) == fname for t in make_op.targets):
        return None
    chain = list(enclosing_regions(facts, make_op.region))
    ifs = [r for r in chain if facts.regions[r].kind == "if"]
    if len(ifs) != 1 or any(facts.regions[r].kind not in ("if", "block", "body") for r in chain):
        return None
    cond = facts.regions[ifs[0]].info
    if cond is None or not E.is_expr(cond):
        return None
    tested = cond
    b = E.binary(cond)
    if b is not None:
        zero = E.integer(b[2]) == 0 or E.string(b[2]) == ""
        if not (b[0] in (">", "!=") and zero) and not (b[0] == ">=" and E.integer(b[2]) == 1):
            return None
        tested = b[1]
    sel = E.selector(tested)
    if sel is None:
        return None
    params = [name for name, _t in facts.params]
    base = E.ident(sel[0])
    if base is None or base not in params:
        return None
    return params.index(base), sel[1], E.render(cond), make_op


def _leaves_out(call, param_at: int, option: str) -> bool:
    """The call passes, at param_at, a keyed composite literal (or its address) without `option`."""
    if call.kind != "call" or len(call.args) <= param_at:
        return False
    comp = E.strip_address(call.args[param_at])
    if E.composite(comp) is None:
        return False
    keys = [E.ident(k) for k, _v in E.composite_items(comp)]
    return None not in keys and option not in keys


def _untested_by(names: set[str]) -> Callable[[Function, Op], bool]:
    """A filter of operations whose function never tests one of the fields `names` (see _tests_field)."""
    return lambda fn, _op: not _tests_field(fn, names)


def _tests_field(fn: Function, names: set[str]) -> bool:
    """Some condition of fn reads a field named in `names` (`p.opt.Window > 0`, `s.window > 0`): the
    function may run its channel operation only when the option is set."""
    for reg in fn.facts.regions:
        info = reg.info
        if info is None or not E.is_expr(info):
            continue
        if any(E.selected_name(x) in names for x in E.subexprs(info)):
            return True
    return False


def _fields_set_from(fn: Function, param_at: int, option: str) -> set[str]:
    """The fields the constructor fn sets from its parameter's option (`&Shaper{window: opt.Window}`,
    `s.window = opt.Window`): copies of the option that later code may test instead."""
    param = fn.facts.params[param_at][0]

    def reads_option(v) -> bool:
        sel = E.selector(v)
        return sel is not None and E.is_ident(sel[0], param) and sel[1] == option

    out: set[str] = set()
    for op in fn.facts.ops:
        if op.kind == "assign":
            for t, v in zip(op.targets, op.args, strict=False):
                field = E.selected_name(t)
                if reads_option(v) and field is not None:
                    out.add(field)
        for comp, _t in E.composites_in_each(op.args, lambda t: t):
            for k, v in E.composite_items(comp):
                key = E.ident(k)
                if reads_option(v) and key is not None:
                    out.add(key)
    return out


def _made_in_literal(program: Program, fn: Function, make_op, fname: str) -> bool:
    """The `make` is the value of the key `fname` in a keyed composite literal of fn."""
    number = next((i for i, o in enumerate(fn.facts.ops) if o is make_op), -1)
    for op in fn.facts.ops:
        if op.kind not in ("assign", "call", "return"):
            continue
        for comp, _t in E.composites_in_each(op.args, program.elem):
            for k, v in E.composite_items(comp):
                if E.is_ident(k, fname) and E.is_make_call(v) and E.call_number(v) == number:
                    return True
    return False


def under_nil_check(fn: Function, op) -> bool:
    """op sits under an `if` whose condition compares something with nil (`if ch != nil {`):
    the author knows the channel may be nil and may never reach op with it."""
    regions = fn.facts.regions
    for r in enclosing_regions(fn.facts, op.region):
        if regions[r].kind in ("if", "else") and regions[r].info is not None:
            if any(E.is_nil(x) for x in E.subexprs(regions[r].info)):
                return True
    return False


def _tests_field_for_nil(fn: Function, fname: str) -> bool:
    """Some condition of fn compares `x.fname` with nil (`if s.ready == nil { return }`)."""
    for reg in fn.facts.regions:
        info = reg.info
        if info is None or not E.is_expr(info):
            continue
        subs = list(E.subexprs(info))
        if any(E.is_nil(x) for x in subs) and any(E.selected_name(x) == fname for x in subs):
            return True
    return False


def _parks_main(fn: Function, op) -> bool:
    """`<-exit` on a nil channel as the last statement of `main`: like `select {}`, it keeps the
    process serving its goroutines until it is killed, the author's evident intent."""
    if fn.parent is not None or fn.facts.name != "main" or fn.facts.recv or fn.pkg.name != "main":
        return False
    ops = fn.facts.ops
    return op.kind == "recv" and op.region == 0 and op.select < 0 and bool(ops) and ops[-1] is op


def _blocks_alone(fn: Function, op) -> bool:
    """A send or receive outside any `select`, or the only case of a `select` with no `default`
    (which waits exactly as the bare operation would)."""
    if op.select < 0:
        return True
    info = fn.facts.regions[op.select].info
    return info is not None and not info[0] and info[1] == 1


def exits_process(program: Program, fn: Function, op) -> bool:
    """The call op is `panic(...)`, a library call that ends the process or the goroutine, or an
    in-tree helper that always does (see exits.py)."""
    return call_exit(program, fn, op) in _GOROUTINE_ENDS


def ends_goroutine(program: Program, fn: Function, op) -> str | None:
    """A plain call that ends the running goroutine as a `return` would: "goexit" for
    `runtime.Goexit()`, "fatal" for `Fatal`/`FailNow`/`Skip`... on a `*testing.T` (B, F) or
    `testing.TB` (the `goroutine` and `test` calls of knowledge/exits.toml); None for anything
    else. Test-ending calls end the test's goroutine, not the process: a sender may still wait.
    log.Fatal and os.Exit end the process (nothing is left to leak) and are not here."""
    if op.kind != "call" or op.mode != "plain":
        return None
    ext = program.external_callee(fn, op.fn)
    kind = LIBRARY_EXITS.get(ext.qualname) if ext is not None else None
    return "goexit" if kind == GOROUTINE else "fatal" if kind == TEST else None


def _broken_out_of(facts, loop: int) -> bool:
    """A plain `break` leaves the `for {` loop (it is the innermost loop, switch or select around
    the break): the loop ends, it does not run for good."""
    breakable = ("for", "range", "switch", "select")
    for op in facts.ops:
        if op.kind != "jump" or op.mode != "break" or E.ident(op.fn):
            continue
        inner = next((r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind in breakable), None)
        if inner == loop:
            return True
    return False


def _ranged(ch: Channel) -> bool:
    return any(op.mode == "range" for _fn, op in ch.receives)


def _plain_receives_only(ch: Channel) -> bool:
    """Every receive from ch is a plain `<-ch` outside any select, all in one function."""
    fns = {fn.id for fn, _op in ch.receives}
    return len(fns) == 1 and all(op.mode == "expr" and op.select < 0 for _fn, op in ch.receives)


def has_else(facts, if_region: int) -> bool:
    """The `if` region has an `else` (a sibling `else` region with the same condition)."""
    reg = facts.regions[if_region]
    return any(
        r.kind == "else" and r.parent == reg.parent and r.info == reg.info and r.line >= reg.line for r in facts.regions
    )


def _is_chan_type(t: str) -> bool:
    t = t.strip()
    return t.startswith(("chan ", "chan<-", "<-chan", "chan("))


def _sends_then_leaves(facts, i: int) -> bool:
    """The send at index i is followed, in its own block, by a `return` with no jump or other send
    between (`won <- nil; e.renewLoop(ctx); return`): inside a loop it is still the goroutine's last
    send, made once."""
    region = facts.ops[i].region
    for op in facts.ops[i + 1 :]:
        if op.region != region and region not in enclosing_regions(facts, op.region):
            return False  # fell out of the send's block
        if op.kind in ("jump", "send"):
            return False
        if op.kind == "return" and op.region == region:
            return True
    return False


def _in_loop(facts, region: int) -> bool:
    return any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, region))


def _creation_region(program: Program, lit: Function) -> int | None:
    """The region of the statement of its parent that creates the literal lit (None: not found)."""
    made = literal_creation(program, lit)
    return made[1].region if made is not None else None


def _literal_escapes(program: Program, lit: Function) -> bool:
    """The literal is returned by its parent, stored in anything but a local of it, or put in a
    composite literal handed to a call (`NewClient(Config{OnMessage: []func(m){func(m) {...}}})`:
    a callback the client calls for every message, as often as it likes)."""
    made = literal_creation(program, lit)
    parent = lit.parent
    if made is None or parent is None:
        return False
    op = made[1]
    if op.kind == "return":
        return True
    if op.kind == "assign":
        names = [E.ident(t) for t in op.targets]
        return any(n is None or program.lookup_local(parent, n) is None for n in names)
    if op.kind == "call":
        return any(_in_composite(program, parent, a, lit) for a in op.args)
    return False


def _in_composite(program: Program, parent: Function, e, lit: Function) -> bool:
    """lit is an element or field value of a composite literal inside e."""
    for x in E.subexprs(e):
        for _key, value in E.composite_items(x):
            index = E.funclit(value)
            if index is not None and program.literal(parent, index) is lit:
                return True
    return False


def literal_creation(program: Program, lit: Function) -> tuple[int, Op] | None:
    """(index, op) of the statement of its parent that creates the literal lit (None: not found)."""
    parent = lit.parent
    if parent is None:
        return None
    for i, op in enumerate(parent.facts.ops):
        for e in (op.fn, *op.args):
            if e is None or not E.is_expr(e):
                continue
            for x in E.subexprs(e):
                index = E.funclit(x)
                if index is not None and program.literal(parent, index) is lit:
                    return i, op
    return None


def _mentions_expr(e, name: str) -> bool:
    ident = E.make_ident(name)
    return e is not None and E.is_expr(e) and any(x == ident for x in E.subexprs(e))


def _mentions(op, name: str) -> bool:
    return any(_mentions_expr(e, name) for e in (op.fn, *op.args))


def _not_a_channel(t: str) -> bool:
    """A structural type a `range` ends over: a slice, array, map, string or integer (a named type
    is asked by its underlying type, `type Samples []Sample`)."""
    t = t.strip()
    return t.startswith(("[", "map[")) or t == "string" or t in _INTEGERS


_INTEGERS = frozenset(
    ("int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr")
)


def _ranged_base(ranger: Function, range_op) -> str | None:
    """`c` of `for s := range c.Samples()` or `for s := range c.samples`: the local the range
    reaches the field through."""
    over = range_op.fn
    n = E.call_number(over)
    if n is not None and 0 <= n < len(ranger.facts.ops):
        over = ranger.facts.ops[n].fn
    elif (called := E.call(over)) is not None:
        over = called[0]
    return E.ident(E.selector_base(over))
