"""A receive from a timer's channel after the timer was stopped: nothing will ever arrive.

    r.timer.Stop()     // Cancel
    <-r.timer.C        // Wait: blocks forever

A stopped `*time.Timer` sends nothing until it is `Reset`. A function that
stops the timer and then, on its own straight line (directly or through
methods it calls on the same value), receives from its channel outside a
`select`, blocks forever.

The timer is identified by its holder (a local, a package variable, a
struct field) and by the expression the function reaches it through
(`r.timer` in the caller is `r.timer` in a method called on `r`). Judged
only when nothing in the program `Reset`s the timer; anything that cannot
be followed is silence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .endless import leaves, loop_has_exit
from .regions import exclusive_branches, on_straight_line, single_assignment

TIMER = "time#Timer"
TICKER = "time#Ticker"
_DEPTH = 3


@dataclass
class StoppedTimerWait:
    """`<-t.C` after `t.Stop()` on the same straight line, with no Reset anywhere."""

    root: Function  # whose straight line runs both
    stop_fn: Function
    stop: Op
    recv_fn: Function
    recv: Op
    text: str  # the timer as the root reaches it: `r.timer`


def stopped_timer_waits(program: Program, holder: Callable, debug: Counter) -> list[StoppedTimerWait]:
    """`holder(fn, expr)` names a value's holder (see SyncPrimitives.holder)."""
    roots = _may_wait(program)
    if not roots:
        return []
    reset: set[str] = set()
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind == "call" and E.selected_name(op.fn) == "Reset":
                base = E.selector_base(op.fn)
                if _is_timer(program, fn, base):
                    key = holder(fn, base)
                    reset.add(key if key is not None else "?")
    if "?" in reset:
        return []  # a Reset on a timer the model cannot place: any wait may be woken
    out, seen = [], set()
    for fn in program.functions:
        if fn.id not in roots:
            continue
        found = _judge(program, holder, fn, reset)
        if found is not None and id(found.recv) not in seen:  # one finding per receive, from its first root
            seen.add(id(found.recv))
            debug["GIM102_stopped_timer_waits"] += 1
            out.append(found)
    return out


@dataclass
class DrainedTwice:
    """`<-t.C` on the straight line, then `if !t.Stop() { <-t.C }`: the one value was already taken."""

    fn: Function
    first: Op  # the receive that took the timer's value
    stop: int  # line of the `if !t.Stop()`
    recv: Op  # the second receive, which waits forever
    text: str
    stopped_first: bool = False  # `first` is a plain `t.Stop()` before the timer could fire, not a receive
    loop_line: int = 0  # `first` is a `case <-t.C:` of this loop, which goes round without a Reset
    before_loop: bool = False  # `first` is a plain receive before that loop, which falls into it
    # `first` is a `case <-t.C:` in `caller`, whose select falls through to `call`, a plain call of the
    # helper fn (`rearm(t, d)`) that drains its timer parameter
    caller: Function | None = None
    call: Op | None = None
    in_other_case: bool = False  # the call is in another case of the loop's select, not after it


def drained_twice(program: Program, debug: Counter) -> list[DrainedTwice]:
    """The documented `if !t.Stop() { <-t.C }` drain run after the function already received the
    timer's one value: Stop returns false (the timer fired), and the channel is empty for good.

    Only within one function, on a timer it receives from plainly on its straight line, then
    drains in an `if` whose condition is exactly `!t.Stop()`, with no `Reset` and no other
    receive from it in between.
    """
    out = []
    for fn in program.functions:
        facts = fn.facts
        recvs = {id(op) for op in facts.ops if op.kind == "recv" and op.select < 0 and _timer_of_recv(op) is not None}
        if not recvs:
            helped = _taken_then_drained_by_helper(program, fn)
            if helped is not None:
                debug["GIM102_timers_drained_by_a_helper_after_a_case"] += 1
                out.append(helped)
            continue
        stopped = _stopped_first(program, fn, recvs)
        if stopped is not None:
            debug["GIM102_timers_drained_after_stop"] += 1
            out.append(stopped)
            continue
        taken = _taken_by_case(program, fn, recvs, debug)
        if taken is not None:
            debug["GIM102_timers_drained_after_a_case"] += 1
            out.append(taken)
            continue
        if len(recvs) < 2:
            continue
        first_at: dict[str, Op] = {}
        for op in facts.ops:
            if op.kind == "call" and E.selected_name(op.fn) == "Reset":
                first_at.pop(E.render(E.selector_base(op.fn)), None)
                continue
            if id(op) not in recvs:
                continue
            timer = _timer_of_recv(op)
            text = E.render(timer)
            if on_straight_line(facts, op.region):
                if text not in first_at and _is_timer(program, fn, timer):
                    first_at[text] = op
                continue
            first = first_at.get(text)
            region = facts.regions[op.region]
            if first is None or region.kind != "if" or not on_straight_line(facts, region.parent):
                continue
            stopped = E.unary_operand(region.info, "!") if region.info is not None else None
            call = E.call(stopped) if stopped is not None else None
            if call is None or call[1] or E.selected_name(call[0]) != "Stop":
                continue
            if E.render(E.selector_base(call[0])) != text:
                continue
            debug["GIM102_timers_drained_twice"] += 1
            out.append(DrainedTwice(fn, first, region.line, op, text))
            first_at.pop(text)
    return out


@dataclass
class DrainedAfterAnotherTaker:
    """`if !x.t.Stop() { <-x.t.C }` on a timer field that a goroutine also receives from."""

    fn: Function  # holds the drain
    stop: int  # line of the `if !x.t.Stop()`
    recv: Op  # the drain, which waits forever once the goroutine took the value
    text: str  # the timer as fn writes it: `d.timer`
    taker: Function  # the goroutine's function
    take: Op  # its receive from the timer
    start_fn: Function  # where that goroutine is started
    start: Op  # the `go` statement


def drained_after_another_taker(program: Program, holder: Callable, debug: Counter) -> list[DrainedAfterAnotherTaker]:
    """The drain `if !d.timer.Stop() { <-d.timer.C }` on a timer held in a struct field that a
    goroutine started elsewhere also receives from:

        func (d *Debouncer) loop() {       // go d.loop()
            for { select { case <-d.timer.C: d.flush() ... } }
        }
        func (d *Debouncer) Add(k string) {
            if !d.timer.Stop() {            // false: the timer fired
                <-d.timer.C                 // but loop took its one value: blocks forever
            }
            d.timer.Reset(d.delay)
        }

    Once the timer fires and the goroutine takes the value, `Stop` returns false and nothing is
    left to drain. Judged when both reach the timer as a field of their receiver (a taker ranging
    over a map of instances may retire each one it took from), the drain's condition is exactly
    `!x.Stop()` (a flag beside it may track what was taken), the goroutine's function is not the
    drain's, it is started by a `go` statement, and every `Reset` of the timer in the program is
    in the draining function (a taker that resets the timer itself leaves only a race, not judged).
    """
    drains: dict[str, list[tuple[Function, Op, int, str]]] = {}
    for fn in program.functions:
        facts = fn.facts
        for op in facts.ops:
            if op.kind != "recv" or op.select >= 0 or op.mode != "expr":
                continue
            timer = _timer_of_recv(op)
            if timer is None or not _own_field(fn, timer):
                continue
            region = facts.regions[op.region]
            text = E.render(timer)
            if not _under_stop_drain(region, text) or not _is_timer(program, fn, timer):
                continue
            key = holder(fn, timer)
            if key is not None and key.startswith("field:"):
                drains.setdefault(key, []).append((fn, op, region.line, text))
    if not drains:
        return []
    resets: dict[str, set[int]] = {}
    takes: dict[str, list[tuple[Function, Op]]] = {}
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind == "call" and E.selected_name(op.fn) == "Reset":
                base = E.selector_base(op.fn)
                if base is not None and E.selector(base) is not None and (key := holder(fn, base)) in drains:
                    resets.setdefault(key, set()).add(fn.id)
            elif op.kind == "recv" and fn.go_sites:
                timer = _timer_of_recv(op)
                if timer is not None and _own_field(fn, timer) and (key := holder(fn, timer)) in drains:
                    takes.setdefault(key, []).append((fn, op))
    out = []
    for key, found in drains.items():
        for fn, recv, stop, text in found:
            if resets.get(key, set()) - {fn.id}:
                debug["GIM102_timer_drains_reset_elsewhere"] += 1
                continue
            taker = next(((t, op) for t, op in takes.get(key, []) if t is not fn), None)
            if taker is None:
                continue
            start_fn, start = taker[0].go_sites[0]
            debug["GIM102_timers_drained_after_another_taker"] += 1
            out.append(DrainedAfterAnotherTaker(fn, stop, recv, text, taker[0], taker[1], start_fn, start))
    return out


def _under_stop_drain(region, text: str) -> bool:
    """region is the `if` of the drain `if !t.Stop() {`, exactly, on the timer written `text`."""
    stopped = E.unary_operand(region.info, "!") if region.kind == "if" and region.info is not None else None
    call = E.call(stopped) if stopped is not None else None
    if call is None or call[1] or E.selected_name(call[0]) != "Stop":
        return False
    return E.render(E.selector_base(call[0])) == text


def _own_field(fn: Function, expr) -> bool:
    """expr is a field of fn's receiver (`d.timer` in a method of d): the drain and the goroutine
    then reach one instance's timer, not the timers of values looked up or retired elsewhere."""
    sel = E.selector(expr)
    return sel is not None and bool(fn.facts.recv_name) and E.is_ident(sel[0], fn.facts.recv_name)


def _stopped_first(program: Program, fn: Function, recvs: set[int]) -> DrainedTwice | None:
    """`t := time.NewTimer(d); t.Stop()` on the function's straight line, and later the drain
    `if !t.Stop() { <-t.C }` (anywhere, in a loop's `select` case too) with no `Reset` of `t` and no
    other receive from it before it in the function: the first time the drain runs, the timer is
    stopped and never fired, `Stop` returns false, and the channel has nothing to give."""
    facts = fn.facts
    in_conditions = {  # calls made by `if` conditions (`if !t.Stop()`): not a statement of their own
        n
        for reg in facts.regions
        if reg.kind == "if" and reg.info is not None
        for x in E.subexprs(reg.info)
        if (n := E.op_number(x)) is not None
    }
    stops: dict[str, Op] = {}
    for i, op in enumerate(facts.ops):
        if i in in_conditions:
            continue
        if op.kind == "call" and E.selected_name(op.fn) in ("Reset", "Stop") and op.mode == "plain":
            text = E.render(E.selector_base(op.fn))
            if E.selected_name(op.fn) == "Reset":
                stops.pop(text, None)
            elif on_straight_line(facts, op.region) and _is_timer(program, fn, E.selector_base(op.fn)):
                stops.setdefault(text, op)
            continue
        if op.kind == "recv" and _timer_of_recv(op) is not None:
            text = E.render(_timer_of_recv(op))
            first = stops.pop(text, None)
            if first is None or id(op) not in recvs:
                continue
            region = facts.regions[op.region]
            if not _under_stop_drain(region, text):
                continue
            return DrainedTwice(fn, first, region.line, op, text, stopped_first=True)
    return None


def _taken_by_case(program: Program, fn: Function, recvs: set[int], debug: Counter) -> DrainedTwice | None:
    """The drain `if !t.Stop() { <-t.C }` in one `select` case of an endless loop, after the
    timer's one value was taken and nothing reset it: by another case of the loop that goes round,

        for {
            select {
            case <-t.C:          // fired and taken; the loop goes on
            case u := <-updates:
                if !t.Stop() {   // false: the timer already fired
                    <-t.C        // and its one value is gone: blocks forever
                }
                t.Reset(d)
            }
        }

    or by a receive before the loop that falls into it (`t = time.NewTimer(0); if !t.Stop() { <-t.C }`
    to start with a stopped timer: the value is taken there, and the loop's drain waits again).

    Judged only for a local timer of fn, in a `for {` loop, when the timer is not assigned in the
    loop (nor between the first receive and the loop), no function literal mentions it, the taking
    case has no way out of the loop, and no Reset of the timer runs between the taking and the drain
    (in the loop, only the draining case resets it).
    """
    facts = fn.facts
    regions = facts.regions
    for drain in facts.ops:
        if id(drain) not in recvs:
            continue
        timer = _timer_of_recv(drain)
        name = E.ident(timer)
        region = regions[drain.region]
        if name is None or region.kind != "if" or region.info is None:
            continue
        guard = _stop_condition_guard(region.info, name)
        if guard is None:
            continue
        chain = list(enclosing_regions(facts, drain.region))
        draining_case = next((r for r in chain if regions[r].kind not in ("if", "block")), -1)
        if draining_case < 0 or regions[draining_case].kind != "case":
            continue
        loop = next((r for r in chain if regions[r].kind in ("for", "range")), None)
        if loop is None or regions[loop].kind != "for" or regions[loop].info is not None:
            continue
        if not _is_timer(program, fn, timer) or _touched_elsewhere(fn, name, loop, draining_case):
            continue
        if _reset_before_in_case(facts, name, drain, draining_case):
            # `if batching { n++ } else { batching = true; t.Reset(d) }` before the drain: whether the
            # drain can follow a taken value depends on a flag the model does not follow
            debug["GIM102_timer_drains_after_a_reset_in_their_case"] += 1
            continue
        takes = [
            op for op in facts.ops if op.kind == "recv" and op is not drain and E.ident(_timer_of_recv(op)) == name
        ]
        for take in takes:  # a case of the loop that takes the value and goes round
            if (
                take.mode == "case"
                and take.body >= 0
                and take.body not in chain
                and loop in enclosing_regions(facts, take.region)
                and _goes_round(program, fn, take.body, loop)
                and not _assigns_any(facts, take.body, guard)
            ):
                return DrainedTwice(fn, take, region.line, drain, name, loop_line=regions[loop].line)
        if guard:
            continue  # `!zeroBefore && !t.Stop()`: a guard may know what happened before the loop
        for take in takes:  # a receive before the loop that falls into it
            if take.mode == "expr" and take.select < 0 and _falls_into_loop(fn, name, take, loop):
                return DrainedTwice(fn, take, region.line, drain, name, loop_line=regions[loop].line, before_loop=True)
    return None


def _taken_then_drained_by_helper(program: Program, fn: Function) -> DrainedTwice | None:
    """A helper draining its timer parameter (`func rearm(t *time.Timer, d time.Duration) { if !t.Stop()
    { <-t.C }; t.Reset(d) }`), called on fn's straight line after a `select` whose `case <-t.C:` takes
    the timer's value and falls through to the call:

        for {
            select {
            case <-ctx.Done(): return
            case <-t.C:               // the one value, taken
            }
            ...
            rearm(t, wait)            // Stop returns false, and the drain waits forever
        }

    Judged for a local timer of fn passed by name, a call in the same block as the select (in an
    endless `for`), when the taking case's body neither resets the timer nor leaves, nothing between
    the select and the call resets or reassigns it, and the helper, resolved to one function of the
    tree, drains its parameter in an `if !p.Stop() {` on its straight line before any `Reset`."""
    facts = fn.facts
    regions = facts.regions
    ops = facts.ops
    # only the timers some `case <-t.C:` of fn takes: most functions have none, and are left at once
    taken = {E.ident(_timer_of_recv(op)) for op in ops if op.kind == "recv" and op.mode == "case"} - {None}
    if not taken:
        return None
    for k, call in enumerate(ops):
        if call.kind != "call" or call.mode != "plain":
            continue
        straight = on_straight_line_of_loop(facts, call.region)
        case = None if straight else _case_of_endless_loop(facts, call.region)
        if not straight and case is None:
            continue
        for position, arg in enumerate(call.args):
            name = E.ident(arg)
            if name is None or name not in taken or not _is_timer(program, fn, arg):
                continue
            if case is not None:
                take = _other_case_taking(program, fn, name, call, case)
            else:
                take = _case_taking_before(facts, name, call, k)
            if take is None:
                continue
            targets = program.resolve_call(fn, call)
            if len(targets) != 1 or targets[0].via:
                continue
            helper = targets[0].function
            params = helper.facts.params
            if position >= len(params) or not params[position][0]:
                continue
            drain = _straight_drain(helper, params[position][0])
            if drain is None:
                continue
            stop, recv = drain
            loop = next(r for r in enclosing_regions(facts, call.region) if regions[r].kind == "for")
            return DrainedTwice(
                helper,
                take,
                stop,
                recv,
                params[position][0],
                loop_line=regions[loop].line,
                caller=fn,
                call=call,
                in_other_case=case is not None,
            )
    return None


def _case_of_endless_loop(facts, region: int) -> int | None:
    """The `case` region the region sits in (through `if`s and blocks), when that case's select is
    straight in an endless `for`; else None."""
    regions = facts.regions
    chain = list(enclosing_regions(facts, region))
    case = next((r for r in chain if regions[r].kind not in ("if", "block")), None)
    if case is None or regions[case].kind != "case":
        return None
    loop = next((r for r in chain if regions[r].kind in ("for", "range")), None)
    if loop is None or regions[loop].kind != "for" or regions[loop].info is not None:
        return None
    return case


def _other_case_taking(program: Program, fn: Function, name: str, call: Op, case: int) -> Op | None:
    """A `case <-name.C:` of the same endless loop, other than the calling case, that takes the
    timer's value and goes round, when nothing but the calling case touches the timer in the loop
    and that case does not reset it before the call (`_taken_by_case`, with the helper's drain)."""
    facts = fn.facts
    regions = facts.regions
    chain = list(enclosing_regions(facts, call.region))
    loop = next(r for r in chain if regions[r].kind == "for")
    if _touched_elsewhere(fn, name, loop, case) or _reset_before_in_case(facts, name, call, case):
        return None
    for take in facts.ops:
        if (
            take.kind == "recv"
            and take.mode == "case"
            and take.body >= 0
            and take.body not in chain
            and E.ident(_timer_of_recv(take)) == name
            and loop in enclosing_regions(facts, take.region)
            and _goes_round(program, fn, take.body, loop)
        ):
            return take
    return None


def on_straight_line_of_loop(facts, region: int) -> bool:
    """region is the body of an endless `for` loop (or a block straight in it)."""
    regions = facts.regions
    for r in enclosing_regions(facts, region):
        kind = regions[r].kind
        if kind == "for":
            return regions[r].info is None
        if kind != "block":
            return False
    return False


def _case_taking_before(facts, name: str, call: Op, at: int) -> Op | None:
    """The `case <-name.C:` of a select in the call's own block, before it, whose body neither resets
    the timer nor leaves, with no Reset or assignment of the timer between that select and the call."""
    regions = facts.regions
    ops = facts.ops
    for j in range(at - 1, -1, -1):
        op = ops[j]
        if op.kind == "call" and E.selected_name(op.fn) == "Reset" and E.ident(E.selector_base(op.fn)) == name:
            return None
        if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets):
            return None
        if op.kind != "recv" or op.mode != "case" or E.ident(_timer_of_recv(op)) != name:
            continue
        if op.select < 0 or regions[op.select].parent != call.region:
            return None
        body = op.body
        inside = [o for o in ops if o.region >= 0 and body >= 0 and body in enclosing_regions(facts, o.region)]
        if any(o.kind in ("return", "jump") for o in inside):
            return None
        if any(o.kind == "call" and E.selected_name(o.fn) == "Reset" for o in inside):
            return None
        return op
    return None


def _straight_drain(helper: Function, param: str) -> tuple[int, Op] | None:
    """(line of the `if`, the drain) for `if !param.Stop() { <-param.C }` on the helper's straight
    line, before any `Reset` of param."""
    facts = helper.facts
    for op in facts.ops:
        if op.kind == "call" and E.selected_name(op.fn) == "Reset" and E.ident(E.selector_base(op.fn)) == param:
            return None
        if op.kind != "recv" or op.select >= 0 or E.ident(_timer_of_recv(op)) != param:
            continue
        region = facts.regions[op.region]
        if region.kind != "if" or region.info is None or not on_straight_line(facts, region.parent):
            return None
        guard = _stop_condition_guard(region.info, param)
        return (region.line, op) if guard == set() else None
    return None


def _falls_into_loop(fn: Function, name: str, take: Op, loop: int) -> bool:
    """A plain receive before the loop reaches it with the timer as it left it: nothing between
    them returns, jumps, resets or reassigns the timer, and the receive is not inside another loop."""
    facts = fn.facts
    loop_line = facts.regions[loop].line
    if take.line >= loop_line or any(
        facts.regions[r].kind in ("for", "range", "select") for r in enclosing_regions(facts, take.region)
    ):
        return False
    take_chain = list(enclosing_regions(facts, take.region))
    for op in facts.ops:
        if not take.line < op.line < loop_line:
            continue
        if exclusive_branches(facts, take_chain, list(enclosing_regions(facts, op.region))):
            continue  # the other side of an `if` around the receive: not on its way to the loop
        if op.kind in ("return", "jump"):
            return False
        if op.kind == "call" and E.selected_name(op.fn) == "Reset" and E.ident(E.selector_base(op.fn)) == name:
            return False
        if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets):
            return False
    return True


def _reset_before_in_case(facts, name: str, drain: Op, case: int) -> bool:
    """The draining case resets the timer on some branch before the drain."""
    for op in facts.ops:
        if op is drain:
            return False
        if (
            op.kind == "call"
            and E.selected_name(op.fn) == "Reset"
            and E.ident(E.selector_base(op.fn)) == name
            and case in enclosing_regions(facts, op.region)
        ):
            return True
    return False


def _touched_elsewhere(fn: Function, name: str, loop: int, draining_case: int) -> bool:
    """The timer is assigned inside the loop, mentioned by a function literal inside fn, or reset
    inside the loop outside the draining case: its state at the drain need not be the taken value's."""
    facts = fn.facts
    for op in facts.ops:
        chain = list(enclosing_regions(facts, op.region))
        if op.kind == "assign" and loop in chain and any(E.is_ident(t, name) for t in op.targets):
            return True
        if op.kind == "call" and E.selected_name(op.fn) == "Reset" and E.ident(E.selector_base(op.fn)) == name:
            if loop in chain and draining_case not in chain:
                return True
    used: set[str] = set()
    for lit in fn.nested_literals():
        for op in lit.facts.ops:
            for part in (op.fn, *op.args, *op.targets) if op.fn is not None else (*op.args, *op.targets):
                E.idents_in(part, used)
    return name in used


def _stop_condition_guard(cond, name: str) -> set[str] | None:
    """The names the other conjuncts of a drain's condition read, when the condition is `!t.Stop()`
    or a conjunction with `!t.Stop()` as its last operand (`!prevZero && !t.Stop()`); else None."""
    others: set[str] = set()
    while True:
        stopped = E.unary_operand(cond, "!")
        call = E.call(stopped) if stopped is not None else None
        if call is not None and not call[1] and E.selected_name(call[0]) == "Stop":
            return others if E.ident(E.selector_base(call[0])) == name else None
        if not (isinstance(cond, tuple) and cond[0] == "bin" and cond[1] == "&&"):
            return None
        others.update(n for sub in E.subexprs(cond[2]) if (n := E.ident(sub)) is not None)
        cond = cond[3]


def _assigns_any(facts, case: int, names: set[str]) -> bool:
    """The case's body assigns one of names: a flag the drain's guard reads, set where the value is taken."""
    return bool(names) and any(
        op.kind == "assign"
        and case in enclosing_regions(facts, op.region)
        and any(E.ident(t) in names for t in op.targets)
        for op in facts.ops
    )


def _goes_round(program: Program, fn: Function, case: int, loop: int) -> bool:
    """The case's body can end in the loop's next iteration: it has a `continue` of that loop, or
    nothing in it can take the goroutine out of the loop (return, break, goto, an exit)."""
    facts = fn.facts
    inside = [op for op in facts.ops if case in enclosing_regions(facts, op.region)]
    label = facts.regions[loop].label
    for op in inside:
        if op.kind == "jump" and op.mode == "continue":
            if op.fn is not None:
                if E.ident(op.fn) == label:
                    return True
                continue
            innermost = next(
                r for r in enclosing_regions(facts, op.region) if facts.regions[r].kind in ("for", "range")
            )
            if innermost == loop:
                return True
    return not any(leaves(program, fn, op, loop) for op in inside)


@dataclass
class RangedTicker:
    """`for range t.C` with no way out, over a ticker the program stops: Stop does not close C."""

    fn: Function
    range_op: Op
    text: str
    stop_fn: Function
    stop: Op


def ranged_stopped_tickers(program: Program, holder: Callable, debug: Counter) -> list[RangedTicker]:
    """A goroutine ranging over a ticker's channel, the loop's only way out the end of the range,
    while the program stops that ticker (the author's sign that stopping should end the loop):
    `Stop` closes nothing, so the loop waits forever once the ticker is stopped."""
    ranges = []
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind == "recv" and op.mode == "range" and op.body >= 0 and E.selected_name(op.fn) == "C":
                base = E.selector_base(op.fn)
                if _is_ticker(program, fn, base) and not loop_has_exit(program, fn, op.body):
                    key = holder(fn, base)
                    if key is not None:
                        ranges.append((fn, op, key))
    if not ranges:
        return []
    stops: dict[str, list[tuple[Function, Op]]] = {}
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind == "call" and op.mode in ("plain", "defer") and E.selected_name(op.fn) == "Stop":
                base = E.selector_base(op.fn)
                if _is_ticker(program, fn, base):
                    key = holder(fn, base)
                    if key is not None:
                        stops.setdefault(key, []).append((fn, op))
    out = []
    for fn, op, key in ranges:
        # A Stop in the ranging function itself (`defer ticker.Stop()` before an endless cron
        # loop) runs only if the loop ends: it says nothing about wanting the loop to end.
        # A Stop deferred in `main` runs as the process ends: no one is left to wait on the loop.
        stop = next(
            (
                (sfn, sop)
                for sfn, sop in stops.get(key, ())
                if sfn is not fn and not (sfn.is_main and sop.mode == "defer")
            ),
            None,
        )
        if stop is not None:
            debug["GIM102_ranges_over_stopped_tickers"] += 1
            out.append(RangedTicker(fn, op, E.render(E.selector_base(op.fn)), *stop))
    return out


def _is_ticker(program: Program, fn: Function, expr) -> bool:
    """A `*time.Ticker` by its type, or a local made by `time.NewTicker`."""
    return _is_time_value(program, fn, expr, TICKER, "NewTicker")


def _may_wait(program: Program) -> set[int]:
    """Ids of the functions whose straight line may reach a `<-x.C` outside a select: those
    that hold one, and their callers through method calls, up to _DEPTH calls away.

    A cheap superset (any receive from a `.C`, any method call) that spares the costly
    judgement, which types every `Stop` and `.C`, for the functions that cannot wait.
    """
    found = {
        fn.id
        for fn in program.functions
        if any(op.kind == "recv" and op.select < 0 and _timer_of_recv(op) is not None for op in fn.facts.ops)
    }
    frontier = [program.functions[i] for i in found]
    for _ in range(_DEPTH):
        reached = []
        for fn in frontier:
            for caller, op in program.callers(fn):
                if op.mode == "plain" and E.selector_base(op.fn) is not None and caller.id not in found:
                    found.add(caller.id)
                    reached.append(caller)
        frontier = reached
    return found


def _is_timer(program: Program, fn: Function, expr) -> bool:
    """A `*time.Timer` by its type, or a local made by `time.NewTimer`."""
    return _is_time_value(program, fn, expr, TIMER, "NewTimer")


def _is_time_value(program: Program, fn: Function, expr, type_name: str, maker: str) -> bool:
    """expr has the time package's type_name by its type, or is a local made by `time.<maker>`
    (the time package is not analysed, so the call's result type is unknown)."""
    if expr is None:
        return False
    if (program.type_of(fn, expr) or "").lstrip("*") == type_name:
        return True
    name = E.ident(expr)
    value = single_assignment(program, fn, name) if name is not None else None
    made = E.call(value) if value is not None else None
    if made is None:
        return False
    ext = program.external_callee(fn, made[0])
    return ext is not None and (ext.pkg, ext.name, ext.recv) == ("time", maker, "")


def _judge(program: Program, holder: Callable, root: Function, reset: set) -> StoppedTimerWait | None:
    stopped: dict[str, tuple[Function, Op]] = {}  # timer text -> its Stop
    for fn, op, text, event in _events(program, holder, root, {}, 0):
        if event == "stop":
            stopped[text] = (fn, op)
        elif event == "recv" and text in stopped:
            key = holder(fn, _timer_of_recv(op))
            if key is None or key in reset:
                continue
            sfn, sop = stopped[text]
            return StoppedTimerWait(root, sfn, sop, fn, op, text)
    return None


def _events(program: Program, holder: Callable, fn: Function, rename: dict, depth: int):
    """(function, op, timer text in the root's words, "stop" | "recv") along fn's straight line,
    through method calls on a named value (its receiver renamed to the caller's expression)."""
    facts = fn.facts
    for op in facts.ops:
        if not on_straight_line(facts, op.region):
            continue
        if op.kind == "recv" and op.select < 0:
            timer = _timer_of_recv(op)
            if timer is not None and _is_timer(program, fn, timer):
                yield fn, op, _renamed(timer, rename), "recv"
            continue
        if op.kind != "call" or op.mode != "plain":
            continue
        base = E.selector_base(op.fn)
        if E.selected_name(op.fn) == "Stop" and _is_timer(program, fn, base):
            yield fn, op, _renamed(base, rename), "stop"
            continue
        if depth >= _DEPTH or base is None:
            continue
        targets = program.resolve_call(fn, op)
        if len(targets) != 1 or not targets[0].function.facts.recv_name:
            continue
        callee = targets[0].function
        yield from _events(program, holder, callee, {callee.facts.recv_name: _renamed(base, rename)}, depth + 1)


def is_clock_receive(program: Program, fn: Function, op: Op) -> bool:
    """op receives a tick of the clock: `<-time.After(d)`, `<-time.Tick(d)`, or `<-t.C` of a
    `*time.Ticker` or `*time.Timer`. What it waits for is time passing, not another goroutine."""
    timer = _timer_of_recv(op)
    if timer is not None:
        return _is_ticker(program, fn, timer) or _is_timer(program, fn, timer)
    made = E.call(op.fn)
    if made is None:
        return False
    ext = program.external_callee(fn, made[0])
    return ext is not None and (ext.pkg, ext.recv) == ("time", "") and ext.name in ("After", "Tick")


def _timer_of_recv(op: Op):
    """`t` of `<-t.C`, else None."""
    return E.selector_base(op.fn) if E.selected_name(op.fn) == "C" else None


def _renamed(expr, rename: dict) -> str:
    """The expression as the root function writes it: a callee's receiver replaced by the caller's value."""
    text = E.render(expr)
    head, dot, rest = text.partition(".")
    if head in rename:
        return rename[head] + (dot + rest if dot else "")
    return text
