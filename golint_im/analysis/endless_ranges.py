"""A wait for a goroutine's end signal that comes only after its range over a channel nothing closes.

    func (a *Aggregator) run() {
        defer close(a.done)
        for s := range a.in {      // nothing ever closes a.in
            ...
        }
    }

    func (a *Aggregator) Flush() map[string]float64 {
        <-a.done                   // blocks forever
        ...
    }

The worker's `range` ends only when its channel is closed. When no code
closes it, the worker's end signal (a deferred `close(a.done)`, or a close
or send after the loop) never comes, and whoever waits for that signal with
a plain receive blocks forever. A worker that ranges for the life of the
process is an idiom; a wait for its end is what makes it a bug.

Judged only where the model sees the channel's whole life: the ranged
channel is an unexported field of a type of the tree (other packages cannot
close it), no code closes it, and every use of the field's value outside a
send, receive or range goes to an analysed function (a parameter the channel
flow joins, whose closes would be the field's); the range has no other way
out (a `return`, a `break` of it, a `goto`, a call ending the goroutine); the
ranging function is started with `go`; the signal is the only close (or
send) of its channel, made by the ranging function after the range or by a
`defer` before it; and another function receives from the signal with a
plain receive, or a `select` whose every case waits for it. Counted in
`--debug` as `GIM102_waits_on_endless_ranges`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .endless import loop_has_exit
from .flow import Channel, ChannelFlow
from .regions import deciding_region, returns_skipping


@dataclass
class EndlessRangeWait:
    """A receive waiting for a signal its goroutine gives only after a range that never ends."""

    ranged: Channel  # the channel nothing closes
    ranger: Function
    range_op: Op
    # the channel the ranger closes (or sends on) once the range is over; None: the signal is the
    # `Done` of a WaitGroup (signal_op) whose `Wait` is the waiter's wait
    signal: Channel | None
    signal_op: Op  # that close or send, in the ranger
    waiter: Function
    wait: Op  # the waiter's receive
    # The ranged channel's one close, in a function that can return before it (`Ingest` returning
    # on a parse error before `close(s.lines)`): (that function, its return, the close, the branch
    # deciding it); None: nothing closes the channel at all.
    skipped: tuple | None = None


def endless_range_waits(program: Program, flow: ChannelFlow, debug: Counter) -> list[EndlessRangeWait]:
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or not ch.receives:
            continue
        skipped = _skipped_plain_close(program, ch) if ch.closes else None
        if ch.closes and skipped is None:
            continue
        fname = key.rsplit(".", 1)[-1]
        if not fname[:1].islower():
            continue  # an exported field: code outside the tree may close it
        for ranger, range_op in ch.receives:
            if range_op.mode != "range" or not ranger.go_sites:
                continue  # a range in a function nobody starts with `go`: its caller's business
            if loop_has_exit(program, ranger, range_op.body):
                continue
            found = (
                _awaited(flow, ch, ranger, range_op)
                or _awaited_by_group(program, ch, ranger, range_op)
                # a group field's wait, only for a channel nothing closes: a closer that skips its close
                # (`if t.shutdown { return nil }`) may skip that wait too
                or (None if ch.closes else _awaited_by_field_group(program, ch, ranger, range_op))
            )
            if found is None:
                continue
            if field_escapes(program, flow, key) or not only_made(program, flow, key):
                debug["GIM102_endless_ranges_escaping"] += 1
                break
            debug["GIM102_waits_on_endless_ranges"] += 1
            out.append(replace(found, skipped=skipped) if skipped is not None else found)
            break
    return out


@dataclass
class SynchronousEndlessRange:
    """A function called plainly ranges over a channel nothing closes, then returns a result: its
    caller waits in the call for a return that never comes."""

    ranged: Channel
    ranger: Function
    range_op: Op
    ret: Op  # the ranger's first return after the range
    caller: Function
    call: Op
    skipped: tuple | None = None  # as EndlessRangeWait.skipped


def synchronous_endless_ranges(program: Program, flow: ChannelFlow, debug: Counter) -> list[SynchronousEndlessRange]:
    """`for line := range j.Lines() { ... }; r.Err = j.Wait(); return r` in a function its callers call
    plainly, over an unexported field channel nothing closes (or whose one plain close its function
    can skip), fed by senders that all finish: the range never ends, and the caller waits in the
    call forever. The code after the range, ending in a `return` of the function's results, says the
    author expects it to end; a goroutine ranging for the life of the process (started with `go`,
    directly or in a literal) is the idiom, and is not judged. The field's whole life must be in
    view (`field_escapes` with getters, `only_made`)."""
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not key.startswith("field:") or not ch.receives or not ch.sends:
            continue
        skipped = _skipped_plain_close(program, ch) if ch.closes else None
        if ch.closes and skipped is None:
            continue
        if not key.rsplit(".", 1)[-1][:1].islower():
            continue
        if any(_in_endless_loop(fn, op) for fn, op in ch.sends):
            continue  # a sender that never stops: the range is meant to run as long as it does
        for ranger, range_op in ch.receives:
            if range_op.mode != "range" or ranger.go_sites or ranger.parent is not None or not ranger.facts.results:
                continue
            if loop_has_exit(program, ranger, range_op.body):
                continue
            ret = _return_after(ranger, range_op)
            callers = program.callers(ranger)
            if ret is None or not callers or any(_runs_as_goroutine(c) or op.mode != "plain" for c, op in callers):
                continue
            if field_escapes(program, flow, key, getters=True) or not only_made(program, flow, key):
                debug["GIM102_endless_ranges_escaping"] += 1
                break
            debug["GIM102_synchronous_endless_ranges"] += 1
            caller, call = callers[0]
            out.append(SynchronousEndlessRange(ch, ranger, range_op, ret, caller, call, skipped))
            break
    return out


def _in_endless_loop(fn: Function, op: Op) -> bool:
    facts = fn.facts
    return any(
        facts.regions[r].kind == "for" and facts.regions[r].info is None for r in enclosing_regions(facts, op.region)
    )


def _return_after(fn: Function, range_op: Op) -> Op | None:
    """fn's first `return` after the range, outside its body."""
    ops = fn.facts.ops
    at = ops.index(range_op)
    for op in ops[at + 1 :]:
        if op.kind == "return" and range_op.body not in enclosing_regions(fn.facts, op.region):
            return op
    return None


def _runs_as_goroutine(fn: Function) -> bool:
    """fn, or a function literal it sits in, is started with `go`."""
    f: Function | None = fn
    while f is not None:
        if f.go_sites:
            return True
        f = f.parent
    return False


def _skipped_plain_close(program: Program, ch: Channel) -> tuple | None:
    """The channel's one close is plain, in a function of the tree that no `go` statement starts and
    that something calls, and that function can return before it: (function, return, close, branch)."""
    if len(ch.closes) != 1:
        return None
    closer, close_op = ch.closes[0]
    if close_op.mode != "plain" or closer.go_sites or closer.parent is not None or not program.callers(closer):
        return None
    facts = closer.facts
    for i, t in returns_skipping(facts, [facts.ops.index(close_op)]):
        return closer, facts.ops[i], facts.ops[t], deciding_region(facts, facts.ops[i].region, facts.ops[t].region)
    return None


def _awaited(flow: ChannelFlow, ch: Channel, ranger: Function, range_op: Op) -> EndlessRangeWait | None:
    """The ranger's end signal after the range, and a plain receive of it in another function."""
    ops = ranger.facts.ops
    at = ops.index(range_op)
    for i, op in enumerate(ops):
        closing = op.kind == "call" and E.is_ident(op.fn, "close") and op.args
        after = i > at and range_op.body not in enclosing_regions(ranger.facts, op.region)
        if closing and op.mode == "defer" and i < at or (closing or op.kind == "send") and after:
            target = op.args[0] if closing else op.fn
            key = flow.key(ranger, target)
            signal = flow.channels.get(key) if key else None
            if signal is None or signal is ch or len(signal.closes) + len(signal.sends) != 1:
                continue
            for waiter, wait in signal.receives:
                if waiter is ranger or waiter.outermost() is ranger.outermost():
                    continue
                if wait.mode == "expr" and wait.select < 0:
                    return EndlessRangeWait(ch, ranger, range_op, signal, op, waiter, wait)
            returned = _received_where_returned(flow, ranger, signal)
            if returned is not None:
                return EndlessRangeWait(ch, ranger, range_op, signal, op, *returned)
    return None


def _received_where_returned(flow: ChannelFlow, ranger: Function, signal: Channel) -> tuple[Function, Op] | None:
    """(caller, its receive) when the signal is a local channel of the function the ranging literal
    sits in, which returns it (`out := make(chan summary, 1); go func() { for ev := range events
    {...}; out <- s }(); return out`), and that function's one caller keeps the result in a local
    and receives from it plainly (`totals := report(r.Events()); ...; s := <-totals`)."""
    maker = ranger.outermost()
    if ranger.parent is None or len(signal.make_sites) != 1 or signal.make_sites[0][0] is not maker:
        return None
    name = flow.label(signal.key)
    if signal.key != f"local:{maker.id}:{name}" or signal.receives:
        return None
    returns = [o for o in maker.facts.ops if o.kind == "return"]
    if not returns or any(len(o.args) != 1 or not E.is_ident(o.args[0], name) for o in returns):
        return None
    callers = flow.program.callers(maker)
    if len(callers) != 1 or callers[0][1].mode != "plain":
        return None
    caller, call = callers[0]
    ops = caller.facts.ops
    at = ops.index(call)
    kept = next(
        (
            E.ident(o.targets[0])
            for o in ops[at + 1 :]
            if o.kind == "assign" and len(o.targets) == 1 and len(o.args) == 1 and E.call_number(o.args[0]) == at
        ),
        None,
    )
    if kept is None:
        return None
    wait = next(
        (o for o in ops[at + 1 :] if o.kind == "recv" and o.mode == "expr" and o.select < 0 and E.is_ident(o.fn, kept)),
        None,
    )
    return (caller, wait) if wait is not None else None


def _awaited_by_group(program: Program, ch: Channel, ranger: Function, range_op: Op) -> EndlessRangeWait | None:
    """The ranger counts a WaitGroup parameter down only once the range is over (`defer wg.Done()`
    before it, or `wg.Done()` after it), and a function starting it with a local group (`go consume(s,
    &wg)`) waits on that group plainly after the `go`: the wait lasts as long as the range."""
    facts = ranger.facts
    ops = facts.ops
    at = ops.index(range_op)
    params = [p for p, _t in facts.params]
    done = None
    group_param = ""
    for i, op in enumerate(ops):
        sel = E.selector(op.fn) if op.kind == "call" and not op.args else None
        name = E.ident(sel[0]) if sel is not None and sel[1] == "Done" else None
        if name is None or name not in params:
            continue
        after = i > at and range_op.body not in enclosing_regions(facts, op.region)
        if (op.mode == "defer" and i < at and op.region == 0) or (op.mode == "plain" and after):
            done, group_param = op, name
            break
    if done is None:
        return None
    k = params.index(group_param)
    for starter, go_op in ranger.go_sites:
        arg = go_op.args[k] if k < len(go_op.args) and E.funclit(go_op.fn) is None else None
        group = E.ident(E.unary_operand(arg, "&") or arg) if arg is not None else None
        if group is None or group not in program.declared(starter):
            continue
        sops = starter.facts.ops
        g = sops.index(go_op)
        for op in sops[g + 1 :]:
            sel = E.selector(op.fn) if op.kind == "call" and op.mode == "plain" else None
            if sel is not None and sel[1] == "Wait" and E.is_ident(sel[0], group) and op.select < 0:
                if program.named(program.type_of(starter, sel[0]) or "") != "sync#WaitGroup":
                    break
                return EndlessRangeWait(ch, ranger, range_op, None, done, starter, op)
    return None


def _awaited_by_field_group(program: Program, ch: Channel, ranger: Function, range_op: Op) -> EndlessRangeWait | None:
    """The ranger counts down a WaitGroup field of its receiver only once the range is over (`defer
    s.wg.Done()` before it, or `s.wg.Done()` after it), and another function of the package waits
    plainly on that field of a value of the same type (`func (s *Shipper) Close() { s.Flush();
    s.wg.Wait() }`): the wait lasts as long as the range."""
    facts = ranger.facts
    ops = facts.ops
    at = ops.index(range_op)
    done, owner, field = None, None, ""
    for i, op in enumerate(ops):
        sel = E.selector(op.fn) if op.kind == "call" and not op.args else None
        group = E.selector(sel[0]) if sel is not None and sel[1] == "Done" else None
        base = E.ident(group[0]) if group is not None else None
        if group is None or base is None:
            continue
        after = i > at and range_op.body not in enclosing_regions(facts, op.region)
        if (op.mode == "defer" and i < at and op.region == 0) or (op.mode == "plain" and after):
            holder = program.declaring_function(ranger, base) if ranger.parent is not None else ranger
            if holder is None or holder.facts.recv_name != base:
                return None
            done, owner, field = op, Program.named(program.type_of(ranger, group[0]) or ""), group[1]
            break
    if done is None or owner is None:
        return None
    declared = program.field_type(owner, field)
    if declared is None or Program.named(declared[0]) != "sync#WaitGroup":
        return None
    for waiter in program.package_functions(owner.split("#", 1)[0]):
        if waiter is ranger or waiter.outermost() is ranger.outermost():
            continue
        for op in waiter.facts.ops:
            sel = E.selector(op.fn) if op.kind == "call" and op.mode == "plain" and op.select < 0 else None
            group = E.selector(sel[0]) if sel is not None and sel[1] == "Wait" else None
            if group is None or group[1] != field:
                continue
            if Program.named(program.type_of(waiter, group[0]) or "") == owner:
                return EndlessRangeWait(ch, ranger, range_op, None, done, waiter, op)
    return None


def field_escapes(program: Program, flow: ChannelFlow, key: str, getters: bool = False) -> bool:
    """The field's value is handed somewhere the flow does not follow (an unresolved call, a
    composite, a return): code there could close it. Only the field's package can name it.

    With `getters`, a return from a getter the flow reads as the field (`func (w *Watcher) Start()
    <-chan Event { go w.loop(); return w.events }`) whose every call is straight the channel of a
    receive or range (`for ev := range w.Start()`) hands it nowhere else."""
    fname = key.rsplit(".", 1)[-1]
    for fn in program.package_functions(key[len("field:") :].split("#", 1)[0]):
        received = getters and _getter_only_received(program, flow, fn, key)
        for op in fn.facts.ops:
            if op.kind not in ("call", "return") or any(E.is_ident(op.fn, b) for b in ("len", "cap", "close")):
                continue
            if op.kind == "return" and (received or _receive_only_results(fn, op)):
                continue
            for arg in op.args:
                sel = E.selector(arg)
                if sel is None or sel[1] != fname or flow.key(fn, arg) != key:
                    continue
                if op.kind == "call" and program.resolve_call(fn, op):
                    continue  # an analysed function's parameter: joined in the flow
                return True
    return False


def _receive_only_results(fn: Function, ret: Op) -> bool:
    """Every channel the `return` hands back goes out as a receive-only `<-chan T` (`func (w *Watcher)
    Events() <-chan Event { return w.events }`): the compiler lets no caller close it."""
    results = fn.facts.results
    if fn.parent is not None or len(results) != len(ret.args):
        return False
    return all(
        str(t).replace(" ", "").startswith("<-chan")
        for t, arg in zip(results, ret.args, strict=True)
        if E.selector(arg)
    )


def _getter_only_received(program: Program, flow: ChannelFlow, fn: Function, key: str) -> bool:
    """fn is a getter the flow reads as the field `key`, and each of its calls is the channel
    expression of a receive or a range in the calling function."""
    if flow.getter_of(fn) != key:
        return False
    callers = program.callers(fn)
    if not callers:
        return False
    for caller, call in callers:
        n = caller.facts.ops.index(call)
        if not any(o.kind == "recv" and E.call_number(o.fn) == n for o in caller.facts.ops):
            return False
    return True


def only_made(program: Program, flow: ChannelFlow, key: str) -> bool:
    """Every value the field is given, in its package, is a fresh `make(chan ...)`: a channel
    that a call returns (`eq.Subscribe()`) may be closed by whoever made it."""
    fname = key.rsplit(".", 1)[-1]
    tname = key.rsplit("#", 1)[-1].rsplit(".", 1)[0]
    given = 0
    for fn in program.package_functions(key[len("field:") :].split("#", 1)[0]):
        for op in fn.facts.ops:
            if op.kind == "assign" and len(op.targets) == len(op.args):
                for target, value in zip(op.targets, op.args, strict=True):
                    sel = E.selector(target)
                    if sel is not None and sel[1] == fname and flow.key(fn, target) == key:
                        given += 1
                        if not E.is_make_call(value):
                            return False
            if op.kind not in ("assign", "call", "return", "send"):
                continue
            for arg in op.args:
                comp = E.composite(E.strip_address(arg)) if E.is_composite_or_address(arg) else None
                if comp is None or comp[0] and comp[0].split("[", 1)[0] != tname:
                    continue  # a literal of another type with a field of the same name
                for k, value in comp[1]:
                    if E.ident(k) == fname:
                        given += 1
                        if not E.is_make_call(value):
                            return False
    return given > 0
