"""Flags that end a `Cond.Wait` loop, set where nothing wakes the waiters.

The shape: a method waits in `for !q.closed && len(q.items) == 0 { q.cond.Wait() }`
on a condition variable held in a field of its receiver. Another method of
the same type sets the flag that ends the loop (`q.closed = true`) and
neither it nor any function around it signals the condition variable: a
goroutine already waiting is not woken, and sleeps until some unrelated
`Signal` comes, forever if none does. The classic fix is a `Broadcast`
right after the flag is set.

Only boolean fields of the waiter's receiver, read by the loop condition
as `x.f` or `!x.f` in a chain of `&&` (each conjunct false ends the loop),
and set to the constant that makes their conjunct false, are judged. The
setting method is silent when it, a function it calls, or a caller up to
three levels up signals or broadcasts on that condition variable, or when
some signal of it runs in an endless loop (a ticker that wakes everyone).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .regions import exclusive_branches, returns_skipping

_CALLER_DEPTH = 3


@dataclass
class UnwokenFlag:
    """`setter` sets `flag` to `value` at `assign`, which ends `waiter`'s loop around its `Cond.Wait`
    at `wait`, and nothing signals the condition variable `cond` around it."""

    waiter: Function
    wait: Op
    loop_line: int
    condition: str  # the loop condition as written
    setter: Function
    assign: Op
    flag: str  # `q.closed` as the setter writes it
    value: str  # "true" or "false"
    cond: str  # the condition variable as the waiter names it: `q.cond`
    checked_at: int = 0  # the line of the `if` in the loop's body that tests the flag (0: the loop's condition)
    checked_text: str = ""  # that `if`'s condition as written
    # The setter's own `Signal()` after the flag, when that is all that wakes anyone while several
    # goroutines can wait: one wakes, the others sleep on (set for that shape only).
    signal_only: Op | None = None
    # A counter or collection the loop condition reads (`p.size--` for `p.size >= p.max`), changed
    # on a path that returns at this op before the setter's own `Signal()` (set for that shape only).
    returned: Op | None = None
    # For a collection appended to: the sibling method that appends to it and wakes the waiters.
    appender: Function | None = None
    # Or, when none does: (function, its `go` starting a waiter, its later call of the setter).
    filled_while_waiting: tuple | None = None
    guard: str = "for"  # what decides the wait: its loop, or an `if` (`if len(q.items) == 0 { q.cond.Wait() }`)
    # A sibling completing the value another way (`fail`), called instead of the setter (`succeed`):
    # (the caller, its call of the sibling, its call of the setter, the setter). `setter` is then the
    # sibling, and `assign` its call in the caller's function.
    completed_instead: tuple | None = None


def _field_conds(conds: dict):
    """(waits, signals) of each condition variable held in a field that some code waits on, in key order."""
    for key in sorted(conds):
        if not key.startswith("field:"):
            continue
        calls = conds[key]
        waits = [c for c in calls if c.method == "Wait"]
        if waits:
            yield waits, [c for c in calls if c.method in ("Signal", "Broadcast")]


def unwoken_flags(program: Program, conds: dict, debug: Counter) -> list[UnwokenFlag]:
    """conds: the condition variables' calls by identity (SyncPrimitives.calls, COND entries)."""
    out: list[UnwokenFlag] = []
    methods: dict[tuple[int, str], list[Function]] | None = None
    for waits, signals in _field_conds(conds):
        if not signals:
            continue  # nothing ever signals: the unsignalled wait is reported on its own
        waiting = {w.fn.id for w in waits}
        if any(_in_endless_loop(c.fn, c.op) and c.fn.id not in waiting for c in signals):
            # (a signal in the waiting function's own loop, `p.open--; p.cond.Signal(); return err` on a
            # failed dial in `Get`, passes the turn on; it is no periodic wake-up)
            debug["GIM106_flags_with_a_periodic_signal"] += 1
            continue
        signallers = {c.fn.id for c in signals}
        broadcasters = {c.fn.id for c in signals if c.method == "Broadcast"}
        if methods is None:  # built once, on the first judged Cond: keeps the pass linear
            methods = {}
            for f in program.functions:
                if f.facts.recv and f.facts.recv_name:
                    methods.setdefault((id(f.pkg), f.facts.recv), []).append(f)
        for w in waits:
            siblings = methods.get((id(w.fn.pkg), w.fn.facts.recv), [])
            found = _unwoken(program, w, siblings, signallers, debug)
            if found is None:
                found = _freed_unwoken(program, w, siblings, signals, debug)
            if found is None and not broadcasters and _many_waiters(program, w.fn):
                found = _unwoken(program, w, siblings, set(), debug, own_signal=signals)
            if found is None:
                found = _completed_without_the_flag(program, w, siblings, signallers, debug)
            if found is not None:
                out.append(found)
    return out


def _unwoken(
    program: Program, w, siblings: list[Function], signallers: set[int], debug: Counter, own_signal: list | None = None
) -> UnwokenFlag | None:
    """The first sibling method (same receiver type) that sets a flag ending w's wait loop unwoken.
    With own_signal (the Cond's calls, none a Broadcast), the first that sets it and then wakes only
    one waiter with its own `Signal()`."""
    fn, facts = w.fn, w.fn.facts
    found = _wait_loop(w) or _wait_guard(w)
    if found is None:
        return None
    recv, loop, condition = found
    flags = dict(_exit_values(condition, recv)) if condition is not None else {}
    checked: dict[str, tuple[int, str]] = {}
    for f, value, line, test in _body_exits(facts, loop, w.op, recv):
        if f not in flags:
            flags[f] = value
            checked[f] = line, test
    if not flags:
        return None
    for setter in siblings:
        sf = setter.facts
        if setter is fn:
            continue
        # (also in the literals it hands on: `time.AfterFunc(d, func() { q.items = append(q.items, t) })`,
        # when they see the method's receiver)
        literals = [lit for lit in setter.nested_literals() if program.declaring_function(lit, sf.recv_name) is setter]
        literal_ops = {id(o): lit for lit in literals for o in lit.facts.ops}
        for op in [*sf.ops, *(o for lit in literals for o in lit.facts.ops)]:
            in_literal = literal_ops.get(id(op))
            if in_literal is not None and (in_literal.id in signallers or own_signal is not None):
                continue  # the literal signals itself (or the one-waiter shape, judged on methods only)
            if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
                continue
            sel = E.selector(op.targets[0])
            if sel is None or not E.is_ident(sel[0], sf.recv_name) or sel[1] not in flags:
                continue
            appender = None
            filled_while_waiting = None
            if flags[sel[1]] == APPEND:
                if own_signal is not None or not _appends_to(op.args[0], op.targets[0]):
                    continue  # one value appended, one waiter woken by its own Signal: enough
                appender = _appended_with_a_signal(program, siblings, (fn, setter), sel[1], signallers)
                if appender is None:
                    # Only when another method appending to the field wakes the waiters, or the tree
                    # appends while a goroutine waits, is the wake-up the type's own rule: a queue
                    # filled in bulk before anyone waits is not.
                    waiting = _called_while_waiting(program, setter, fn)
                    if waiting is None:
                        debug["GIM106_appends_without_a_signalling_sibling"] += 1
                        continue
                    filled_while_waiting = waiting
            elif flags[sel[1]] in ("-", "+"):
                if own_signal is not None and not _refilled(op, flags[sel[1]]):
                    continue  # one slot, one Signal
                if own_signal is None and op.mode != f"{flags[sel[1]]}=":
                    continue  # moved away from the wait's end, or set outright
            elif flags[sel[1]] == NON_NIL:
                if E.is_nil(op.args[0]):
                    continue
            elif E.literal(op.args[0]) != flags[sel[1]] and not E.is_ident(op.args[0], flags[sel[1]]):
                continue
            signal = None
            if own_signal is not None:
                signal = next((c.op for c in own_signal if c.fn is setter and c.op.line > op.line), None)
                if signal is None:
                    continue
                debug["GIM106_terminal_flags_signalling_one_of_many"] += 1
            elif _woken_around(program, setter, signallers) and not _leaves_unsignalled(
                program, setter, op, signallers
            ):
                debug["GIM106_flags_set_with_a_signal_around"] += 1
                continue
            if not program.callers(setter) and not sf.name[:1].isupper() and not _handed_as_value(program, setter):
                debug["GIM106_flags_set_by_uncalled_methods"] += 1
                continue
            return UnwokenFlag(
                fn,
                w.op,
                facts.regions[loop].line,
                E.render(condition) if condition is not None else "",
                setter,
                op,
                E.render(op.targets[0]),
                E.render(op.args[0])
                if flags[sel[1]] == NON_NIL or (own_signal is not None and _refilled(op, flags[sel[1]]))
                else flags[sel[1]],
                w.text,
                *checked.get(sel[1], (0, "")),
                signal,
                appender=appender,
                filled_while_waiting=filled_while_waiting,
                guard=facts.regions[loop].kind,
            )
    return None


def _completed_without_the_flag(
    program: Program, w, siblings: list[Function], signallers: set[int], debug: Counter
) -> UnwokenFlag | None:
    """A sibling method that records another outcome (`fail`: `h.err = err`) without setting the
    flag that ends w's wait loop (`for !h.done`) or signalling, called by a function that calls the
    method which does (`succeed`: `h.done = true; h.cond.Broadcast()`) on the same value, the two
    calls on exclusive paths (`if err != nil { req.h.fail(err); continue }; req.h.succeed(out)`): on
    the sibling's path the waiter is never released."""
    found = _wait_loop(w)
    if found is None or found[2] is None:
        return None
    recv, loop, condition = found
    flags = dict(_exit_values(condition, recv))
    flags = {f: v for f, v in flags.items() if v in ("true", "false")}
    if not flags:
        return None
    setters = [f for f in siblings if f is not w.fn and f.id in signallers and _sets_flag(f, flags)]
    for setter in setters:
        for caller, call in program.callers(setter):
            base = E.selector_base(call.fn)
            if base is None or call.mode != "plain":
                continue
            facts = caller.facts
            for op in facts.ops:
                if op is call or op.kind != "call" or op.mode != "plain":
                    continue
                if E.render(E.selector_base(op.fn)) != E.render(base):
                    continue
                targets = program.resolve_call(caller, op)
                if len(targets) != 1 or targets[0].function not in siblings:
                    continue
                other = targets[0].function
                if other is w.fn or other.id in signallers or _sets_flag(other, flags):
                    continue
                if not _records_an_outcome(other):
                    continue
                if not _exclusive_or_leaving(facts, op, call):
                    continue
                debug["GIM106_completions_without_the_flag"] += 1
                flag, value = next((f, v) for f, v in flags.items() if _sets_flag(setter, {f: v}))
                return UnwokenFlag(
                    w.fn,
                    w.op,
                    w.fn.facts.regions[loop].line,
                    E.render(condition),
                    other,
                    op,
                    f"{recv}.{flag}",
                    value,
                    w.text,
                    completed_instead=(caller, op, call, setter),
                )
    return None


def _sets_flag(fn: Function, flags: dict) -> bool:
    """fn assigns one of the flags of its receiver the value that ends the wait."""
    recv = fn.facts.recv_name
    for op in fn.facts.ops:
        if op.kind != "assign":
            continue
        for t, v in zip(op.targets, op.args, strict=False):
            sel = E.selector(t)
            if sel is not None and E.is_ident(sel[0], recv) and sel[1] in flags and E.render(v) == flags[sel[1]]:
                return True
    return False


def _records_an_outcome(fn: Function) -> bool:
    """fn assigns a field of its receiver: it completes the value another way."""
    recv = fn.facts.recv_name
    return any(
        op.kind == "assign" and any(E.is_ident(E.selector_base(t), recv) for t in op.targets) for op in fn.facts.ops
    )


def _exclusive_or_leaving(facts, op: Op, other: Op) -> bool:
    """op and other sit on exclusive branches, or op's block leaves (`continue`, `return`) right after
    it, before other."""
    a = list(enclosing_regions(facts, op.region))
    b = list(enclosing_regions(facts, other.region))
    if exclusive_branches(facts, a, b):
        return True
    ops = facts.ops
    at = ops.index(op)
    for o in ops[at + 1 :]:
        if o is other:
            return False
        if o.region == op.region and (o.kind == "return" or (o.kind == "jump" and o.mode in ("continue", "break"))):
            return True
    return False


def _called_while_waiting(program: Program, setter: Function, waiter: Function) -> tuple | None:
    """(caller, its `go`, its call of setter) when a function starts a goroutine that calls the
    waiting method (itself or a function it calls directly) and, later in its body, calls setter:
    the value is appended while a goroutine may already wait for it."""
    for caller, call in program.callers(setter):
        ops = caller.facts.ops
        at = next((i for i, o in enumerate(ops) if o is call), None)
        if at is None:
            continue
        for go in ops[:at]:
            if go.kind != "call" or go.mode != "go":
                continue
            for t in program.resolve_call(caller, go):
                started = t.function
                reached = [started, *started.nested_literals()]
                if (
                    any(
                        g.function is waiter
                        for f in reached
                        for o in f.facts.ops
                        if o.kind == "call"
                        for g in program.resolve_call(f, o)
                    )
                    or started is waiter
                ):
                    return caller, go, call
    return None


def _freed_unwoken(program: Program, w, siblings: list[Function], signals: list, debug: Counter) -> UnwokenFlag | None:
    """A sibling method that changes a counter or collection the wait loop's condition reads, in the
    direction that can end the wait (`p.size--` for `p.size >= p.max`, an `append` to `p.idle` for
    `len(p.idle) == 0`), then returns before its own `Signal()`/`Broadcast()` on that path: the
    release of a broken connection frees a slot and wakes nobody."""
    fn, facts = w.fn, w.fn.facts
    found = _wait_loop(w)
    if found is None:
        return None
    recv, loop, condition = found
    tests: dict[str, tuple[int, str]] = {}
    if condition is None:
        # `for { ...; if p.open < p.max { ...; return }; p.cond.Wait() }`: the counters its body tests
        ending = {}
        for f, v, line, text in _body_exits(facts, loop, w.op, recv):
            if v in ("-", "+") and f not in ending:
                ending[f] = v
                tests[f] = line, text
    else:
        ending = dict(_freeing_changes(condition, recv))
    if not ending:
        return None
    if condition is None:
        leaving = {(f, v) for f, v, _line, _text in _body_exits(facts, loop, w.op, recv)}
    else:
        leaving = set(_exit_values(condition, recv))
    for setter in siblings:
        if setter is fn:
            continue
        sf = setter.facts
        own = [c.op for c in signals if c.fn is setter]
        if not own or any(o.mode == "defer" for o in own):
            continue  # signals nowhere (the flag shape's business) or on every way out
        ops = sf.ops
        for k, op in enumerate(ops):
            if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
                continue
            sel = E.selector(op.targets[0])
            if sel is None or not E.is_ident(sel[0], sf.recv_name) or sel[1] not in ending:
                continue
            if not _changes_as(op, sel[1], ending[sel[1]], sf.recv_name):
                continue
            ret = _return_before_signal(sf, k, own)
            if ret is None:
                continue
            if _after_a_broadcast_flag(sf, op, leaving, siblings, signals):
                debug["GIM106_freed_once_flagged_and_broadcast"] += 1
                continue
            debug["GIM106_freed_without_a_signal"] += 1
            return UnwokenFlag(
                fn,
                w.op,
                facts.regions[loop].line,
                E.render(condition),
                setter,
                op,
                E.render(op.targets[0]),
                "",
                w.text,
                *tests.get(sel[1], (0, "")),
                returned=ret,
            )
    return None


def _after_a_broadcast_flag(sf, change: Op, leaving: set, siblings: list[Function], signals: list) -> bool:
    """The change sits under `if p.closed {` testing a flag of the receiver at the value that makes
    the waiter leave its loop, and every sibling setting the flag to that value broadcasts on the
    condition variable after it (`p.closed = true; ...; p.cond.Broadcast()`): once the flag is set
    every waiter was woken, and none waits again, so a return unsignalled on that branch (`p.open--;
    c.Close(); return`) strands nobody."""
    recv = sf.recv_name
    flags = set()
    for r in enclosing_regions(sf, change.region):
        reg = sf.regions[r]
        if reg.kind == "if" and E.is_expr(reg.info):
            flags |= {fv for fv in _field_values(reg.info, recv, "&&", when_true=True) if fv in leaving}
    if not flags:
        return False
    for field, value in flags:
        setters = 0
        for g in siblings:
            ops = g.facts.ops
            mine = {id(c.op) for c in signals if c.fn is g and c.method == "Broadcast"}
            broadcasts = [i for i, o in enumerate(ops) if id(o) in mine]
            for i, o in enumerate(ops):
                if o.kind != "assign" or len(o.targets) != 1 or len(o.args) != 1 or o.mode != "=":
                    continue
                sel = E.selector(o.targets[0])
                if sel is None or not E.is_ident(sel[0], g.facts.recv_name) or sel[1] != field:
                    continue
                if E.render(o.args[0]) != value:
                    continue
                if not any(j > i and ops[j].region == o.region for j in broadcasts):
                    return False
                setters += 1
        if setters:
            return True
    return False


def _wait_loop(w) -> tuple | None:
    """(receiver name, loop region, loop condition) of the `for` around a method's Cond.Wait (the
    condition None for `for { ... }`, which only its body's tests leave), else None."""
    facts = w.fn.facts
    recv = facts.recv_name
    if not facts.recv or not recv:
        return None
    loop = next((r for r in enclosing_regions(facts, w.op.region) if facts.regions[r].kind == "for"), None)
    if loop is None:
        return None
    return recv, loop, facts.regions[loop].info


def _wait_guard(w) -> tuple | None:
    """(receiver name, `if` region, its condition) for a method's Cond.Wait under an `if` and no loop
    (`if len(q.items) == 0 && !q.closed { q.cond.Wait() }`): the wait is entered on that condition,
    and a change making it false must wake it as a loop's would."""
    facts = w.fn.facts
    recv = facts.recv_name
    if not facts.recv or not recv:
        return None
    around = list(enclosing_regions(facts, w.op.region))
    if any(facts.regions[r].kind in ("for", "range") for r in around):
        return None
    guard = next((r for r in around if facts.regions[r].kind == "if"), None)
    if guard is None or not E.is_expr(facts.regions[guard].info):
        return None
    return recv, guard, facts.regions[guard].info


def _freeing_changes(condition, recv: str):
    """(field, change) for each conjunct of an `&&` chain that a change of one field of recv can make
    false: "-" for `recv.f >= x` / `recv.f > x`, "+" for `recv.f < x` / `recv.f <= x`, "append"
    for `len(recv.f) == 0`."""
    b = E.binary(condition)
    if b is None:
        return
    op, left, right = b
    if op == "&&":
        yield from _freeing_changes(left, recv)
        yield from _freeing_changes(right, recv)
        return
    sel = E.selector(left)
    if sel is not None and E.is_ident(sel[0], recv):
        if op in (">=", ">"):
            yield sel[1], "-"
        elif op in ("<", "<="):
            yield sel[1], "+"
        return
    called = E.call(left)
    if op == "==" and right == ("int", 0) and called is not None and E.is_ident(called[0], "len") and called[1]:
        inner = E.selector(called[1][0])
        if inner is not None and E.is_ident(inner[0], recv):
            yield inner[1], "append"


def _changes_as(op: Op, field: str, change: str, recv: str) -> bool:
    """op (an assignment to recv.field) changes it the way that can end the wait."""
    if change in ("-", "+"):
        return op.mode == f"{change}="
    called = E.call(op.args[0])
    return (
        op.mode == "="
        and called is not None
        and E.is_ident(called[0], "append")
        and bool(called[1])
        and E.render(called[1][0]) == f"{recv}.{field}"
    )


def _return_before_signal(facts, k: int, signals: list) -> Op | None:
    """The first `return` after op k on a path through it (in a region around op k) that no signal of
    the setter's precedes on that path."""
    ops = facts.ops
    at = {id(o): i for i, o in enumerate(ops)}
    signal_at = [(at[id(s)], s.region) for s in signals if id(s) in at]
    for i in range(k + 1, len(ops)):
        ret = ops[i]
        if ret.kind != "return":
            continue
        around = set(enclosing_regions(facts, ret.region))
        if ops[k].region not in around:
            continue
        if any(k < j < i and region in around for j, region in signal_at):
            continue
        return ret
    return None


def _many_waiters(program: Program, waiter: Function) -> bool:
    """Several goroutines can wait at once: the waiting method is called, by a call that can reach
    nothing else (not an interface call that the link resolved to many implementations), from a
    function that runs as a goroutine started in a loop or from several `go` statements, directly or
    through plain calls up to three levels up."""
    level, seen = [waiter], {waiter.id}
    for _depth in range(_CALLER_DEPTH):  # `Gate.Wait` <- `Quote` <- the goroutine a loop starts
        callers = []
        for callee in level:
            for caller, op in program.callers(callee):
                if len(program.resolve_call(caller, op)) != 1:
                    continue  # which iterator an interface call reaches is a guess: no evidence of sharing
                sites = caller.go_sites
                if len(sites) > 1 or any(
                    any(f.facts.regions[r].kind in ("for", "range") for r in enclosing_regions(f.facts, g.region))
                    for f, g in sites
                ):
                    return True
                if caller.id not in seen and op.mode == "plain":
                    seen.add(caller.id)
                    callers.append(caller)
        level = callers
    return False


def _exit_values(condition, recv: str):
    """(field, value) for each conjunct `recv.f` / `!recv.f` of an `&&` chain: the value of f
    that makes the conjunct, and so the whole condition, false."""
    return _field_values(condition, recv, "&&", when_true=False)


def _field_values(condition, recv: str, chain: str, when_true: bool):
    """(field, value) for each operand `recv.f` / `!recv.f` of a `chain` (`&&` or `||`) of them: the
    value of f that makes that operand true (when_true) or false."""
    b = E.binary(condition)
    if b is not None and b[0] == chain:
        yield from _field_values(b[1], recv, chain, when_true)
        yield from _field_values(b[2], recv, chain, when_true)
        return
    negated = E.unary_operand(condition, "!")
    target = negated if negated is not None else condition
    sel = E.selector(target)
    if sel is not None and E.is_ident(sel[0], recv):
        yield sel[1], "true" if (negated is None) == when_true else "false"
    elif b is not None and b[0] in _ORDER and (counted := E.selector(b[1])) and E.is_ident(counted[0], recv):
        # `p.open < p.max` (true ends the wait): a decrement of p.open can end it; as a loop
        # condition (false ends it), `p.open >= p.max` is ended by the same decrement.
        yield counted[1], _ORDER[b[0]] if when_true else _ORDER[_NEGATED[b[0]]]
    elif not when_true and b is not None and b[0] == "==" and E.is_nil(b[2]) and _field_of(b[1], recv):
        # `for r.current == nil { r.ready.Wait() }`: false once the field is given a value
        yield _field_of(b[1], recv), NON_NIL
    elif not when_true and b is not None and b[0] == "==" and E.integer(b[2]) == 0 and _field_of(b[1], recv):
        # `for t.tokens == 0 { t.cond.Wait() }`: false once the counter is moved up
        yield _field_of(b[1], recv), "+"
    elif not when_true and b is not None and b[0] == "==" and E.integer(b[2]) == 0:
        # `len(q.items) == 0`: false once something is appended to the field
        called = E.call(b[1])
        if called is not None and E.is_ident(called[0], "len") and len(called[1]) == 1:
            inner = E.selector(called[1][0])
            if inner is not None and E.is_ident(inner[0], recv):
                yield inner[1], APPEND


def _appended_with_a_signal(
    program: Program, siblings: list[Function], others: tuple, field: str, signallers: set[int]
) -> Function | None:
    """A method of the type other than those in `others` that appends to the field and signals around it."""
    for f in siblings:
        if f in others or not _woken_around(program, f, signallers):
            continue
        recv = f.facts.recv_name
        for op in f.facts.ops:
            if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
                continue
            sel = E.selector(op.targets[0])
            if (
                sel is not None
                and E.is_ident(sel[0], recv)
                and sel[1] == field
                and _appends_to(op.args[0], op.targets[0])
            ):
                return f
    return None


# The value of a collection field that ends `len(x.f) == 0`: something appended to it.
APPEND = "append"
NON_NIL = "non-nil"  # a field compared with nil: any non-nil value ends the wait


def _handed_as_value(program: Program, method: Function) -> bool:
    """The method is handed on as a method value somewhere in its package (`time.AfterFunc(t.window,
    t.refill)`): whoever holds it calls it."""
    name = method.facts.name
    owner = f"{method.pkg.path}#{(method.facts.recv or '').lstrip('*')}"
    for f in program.package_functions(method.pkg.path):
        for op in f.facts.ops:
            if op.kind != "call":
                continue
            for a in op.args:
                sel = E.selector(a)
                if sel is None or sel[1] != name:
                    continue
                t = program.type_of(f, sel[0])
                if t and program.named(t) == owner:
                    return True
    return False


def _refilled(op: Op, direction: str) -> bool:
    """`t.tokens = t.limit`: a counter the wait needs moved up, set outright to something other than
    a literal 0 or 1 (a refill of many slots at once, which one Signal does not share out)."""
    if direction != "+" or op.mode != "=":
        return False
    value = E.integer(op.args[0]) if E.is_int_literal(op.args[0]) else None
    return value is None or value > 1


def _field_of(e, recv: str) -> str | None:
    """f for `recv.f`, else None."""
    sel = E.selector(e)
    return sel[1] if sel is not None and E.is_ident(sel[0], recv) else None


# For a counter compared with `<`, `<=`, `>` or `>=`: the change (`-=`/`--`, `+=`/`++`) that makes
# the comparison true, and the comparison that is true exactly when the given one is false.
_ORDER = {"<": "-", "<=": "-", ">": "+", ">=": "+"}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _appends_to(value, field: E.Expr) -> bool:
    """value is `append(field, ...)`, or puts elements ahead of the field's own
    (`append(append([]T(nil), xs...), field...)`, a requeue at the head)."""
    called = E.call(value)
    if called is None or not E.is_ident(called[0], "append") or not called[1]:
        return False
    args = called[1]
    if args[0] == field:
        return True
    inner = E.call(args[0])
    return (
        len(args) == 2
        and args[1] == ("spread", field)
        and inner is not None
        and E.is_ident(inner[0], "append")
        and len(inner[1]) > 1
    )


def _body_exits(facts, loop: int, wait: Op, recv: str):
    """(field, value, line) for `if recv.f { return }` (or `!recv.f`, or `||` of such) right in the
    loop's body, leaving the loop: the value of f that ends the wait (lib/pq 55f6f27). Before the
    wait as after it: a woken waiter goes round and tests it again (`for e.leader == "" { if
    e.stopped { return ... }; e.cond.Wait() }`)."""
    for r, reg in enumerate(facts.regions):
        if reg.kind != "if" or reg.parent != loop or not E.is_expr(reg.info):
            continue
        leaves = any(
            o.region == r and (o.kind == "return" or (o.kind == "jump" and o.mode == "break")) for o in facts.ops
        )
        if leaves:
            for f, value in _field_values(reg.info, recv, "||", when_true=True):
                yield f, value, reg.line, E.render(reg.info)


def _leaves_unsignalled(program: Program, setter: Function, op: Op, signallers: set[int]) -> bool:
    """setter signals elsewhere, but after this flag set it only unlocks and returns, straight in the
    same block (`f.err = err; f.mu.Unlock(); return`): that path wakes no one. Not when setter defers
    anything, nor calls anything else on the way, nor is a goroutine's loop that a caller signals for."""
    if setter.id not in signallers:
        return False  # woken by a callee or a caller: their paths are not followed here
    ops = setter.facts.ops
    if any(o.kind == "call" and o.mode == "defer" for o in ops):
        return False
    for later in ops[ops.index(op) + 1 :]:
        if later.region != op.region:
            return False
        if later.kind == "return":
            return True
        if later.kind != "call" or E.selected_name(later.fn) not in ("Unlock", "RUnlock"):
            return False
    return False


def _woken_around(program: Program, setter: Function, signallers: set[int]) -> bool:
    """setter, a function it calls, or a caller up to _CALLER_DEPTH levels up signals the Cond."""
    if setter.id in signallers:
        return True
    for op in setter.facts.ops:
        if op.kind == "call" and any(t.function.id in signallers for t in program.resolve_call(setter, op)):
            return True
    seen = {setter.id}
    level = [setter]
    for _ in range(_CALLER_DEPTH):
        upper = []
        for f in level:
            for c, _op in program.callers(f):
                if c.id in signallers:
                    return True
                if c.id not in seen:
                    seen.add(c.id)
                    upper.append(c)
        level = upper
    return False


def _in_endless_loop(fn: Function, op: Op) -> bool:
    facts = fn.facts
    return any(
        facts.regions[r].kind == "for" and facts.regions[r].info is None for r in enclosing_regions(facts, op.region)
    )


@dataclass
class AbandonedWaiters:
    """Every `Broadcast`/`Signal` of a condition variable is in `broadcaster`, which returns before it
    at `skip` (on a failure), and the one function that calls it (`driver`, at `call`) leaves at
    `leaves` right after that call fails: from then on nothing signals, and `wait` sleeps forever."""

    waiter: Function
    wait: Op
    cond: str
    broadcaster: Function
    signal: Op
    skip: Op
    driver: Function
    call: Op
    leaves: Op


def abandoned_waiters(program: Program, conds: dict, debug: Counter) -> list[AbandonedWaiters]:
    """conds as for unwoken_flags: a field condition variable whose only signalling function can
    return before its signal, and whose one caller stops calling it once it fails (`if err :=
    g.flushOnce(); err != nil { return }` in the flusher's loop)."""
    out: list[AbandonedWaiters] = []
    for waits, signals in _field_conds(conds):
        if not signals or len({c.fn.id for c in signals}) != 1:
            continue
        broadcaster = signals[0].fn
        facts = broadcaster.facts
        if broadcaster.parent is not None or not facts.results or facts.results[-1] != "error":
            continue
        index = {id(op): k for k, op in enumerate(facts.ops)}
        targets = [index[id(c.op)] for c in signals if c.op.mode == "plain" and id(c.op) in index]
        if len(targets) != len(signals):
            continue  # a deferred signal runs on every return
        skipping = returns_skipping(facts, targets)
        callers = program.callers(broadcaster)
        if not skipping or len(callers) != 1 or any(c.fn is broadcaster for c in waits):
            continue
        driver, call = callers[0]
        leaves = _leaves_on_its_error(driver, call)
        if leaves is None:
            debug["GIM106_broadcasters_called_again_after_failing"] += 1
            continue
        skip = facts.ops[skipping[0][0]]
        for w in waits:
            out.append(AbandonedWaiters(w.fn, w.op, w.text, broadcaster, signals[0].op, skip, driver, call, leaves))
            break
    return out


def _leaves_on_its_error(fn: Function, call: Op) -> Op | None:
    """The `return` of fn, in an endless `for` loop around the call, under `if err != nil` on the
    error the call returns (`if err := g.flushOnce(); err != nil { return }`): once the call fails,
    fn calls it no more."""
    facts = fn.facts
    ops = facts.ops
    at = next((k for k, o in enumerate(ops) if o is call), -1)
    if at < 0 or call.mode != "plain":
        return None
    loop = next((r for r in enclosing_regions(facts, call.region) if facts.regions[r].kind in ("for", "range")), None)
    if loop is None or facts.regions[loop].kind != "for" or facts.regions[loop].info is not None:
        return None
    err = next(
        (
            E.ident(o.targets[-1])
            for o in ops
            if o.kind == "assign" and len(o.args) == 1 and E.call_number(o.args[0]) == at and o.targets
        ),
        None,
    )
    if err is None:
        return None
    for o in ops[at + 1 :]:
        if o.kind != "return" or loop not in enclosing_regions(facts, o.region):
            continue
        guard = facts.regions[o.region]
        b = E.binary(guard.info) if guard.kind == "if" and E.is_expr(guard.info) else None
        if b is not None and b[0] == "!=" and E.is_ident(b[1], err) and E.is_nil(b[2]):
            return o
    return None
