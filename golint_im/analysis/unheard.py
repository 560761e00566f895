"""Sends nobody can hear: an unbuffered channel made in one function and never received from.

The plainest goroutine leak: `errc := make(chan error)`, `go func() { errc <- run() }()`,
and no code ever reads `errc` (the `select` that should have watched it was never written,
or was removed). The sending goroutine blocks on its first send forever; when the function
sends itself, it deadlocks on the spot.

Judged only where the channel's whole life is visible: one `make` with no buffer, no
`close` (which wakes a blocked sender, with a panic it may recover), a local
holder, and the channel never leaving the function, its literals and the analysed
functions it is passed to (so no unseen code or reflection can receive). A send inside a
`select` may take another case and is left alone. The goroutine senders are found the
way the forgotten-sender analysis finds them (`go` statements of the maker, followed
through calls); a send reached any other way is silence, counted in `debug`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .field_instances import UNBOUNDED, count_runs
from .flow import Channel, ChannelFlow
from .regions import on_straight_line


@dataclass
class UnheardSend:
    """A blocking send on a local unbuffered channel that nothing in the program receives from."""

    channel: Channel
    owner: Function  # makes the channel
    sender: Function  # holds the send
    send: Op
    go_op: Op | None  # the owner's `go` starting the sender; None: the owner sends itself
    sends: int  # blocking sends on the channel in all


def _position(site: tuple) -> tuple:
    fn, op = site[0], site[1]
    return (fn.file.path, op.line, op.col)


def unheard_sends(
    flow: ChannelFlow,
    confined: Callable[[Function, str, int], bool],
    senders: Callable,
    debug: Counter,
) -> list[UnheardSend]:
    """The first blocking send of each confined, unbuffered local channel with no receive anywhere."""
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends or ch.receives or ch.closes or len(ch.make_sites) != 1:
            continue  # a close wakes a blocked sender too (with a panic its goroutine may recover)
        owner = ch.make_sites[0][0]
        name = flow.label(key)
        if key != f"local:{owner.id}:{name}":
            continue
        blocking = sorted(((fn, op) for fn, op in ch.sends if op.select < 0), key=_position)
        if not blocking:
            continue
        if ch.capacity != 0:
            debug["GIM102_unheard_buffered_or_unknown"] += 1  # the buffer takes some sends: how many run is not counted
            continue
        if not confined(owner, name, 0):
            debug["GIM102_unheard_escaping"] += 1
            continue
        own = [(fn, op) for fn, op in blocking if fn is owner]
        if own:
            out.append(UnheardSend(ch, owner, owner, own[0][1], None, len(blocking)))
            continue
        if owner.is_main:
            continue  # the process ends with main: a goroutine left blocked does not matter
        starts = senders(owner, ch)
        if starts is None:
            debug["GIM102_unheard_sent_elsewhere"] += 1
            continue
        for go_op, sends in starts:
            reached = sorted(((sfn, sop) for sfn, sop, _path in sends if sop.select < 0), key=_position)
            if reached:
                sfn, sop = reached[0]
                out.append(UnheardSend(ch, owner, sfn, sop, go_op, len(blocking)))
                break
    return out


@dataclass
class UnheardFieldSend:
    """A blocking send on an unexported, unbuffered field channel that nothing receives from."""

    channel: Channel
    sender: Function
    send: Op
    sends: int  # blocking sends on the field in all


def unheard_field_sends(program: Program, flow: ChannelFlow, debug: Counter) -> list[UnheardFieldSend]:
    """The first blocking send on each unexported field channel that is made unbuffered, sent on,
    and never received from, closed, or named at all except as a send's channel or an
    assignment's target: only its own package can name the field, and that package is
    analysed, so no receiver exists anywhere."""
    out = []
    for ch in _private_unbuffered_fields(program, flow, lambda ch: not ch.receives, debug):
        blocking = sorted(((fn, op) for fn, op in ch.sends if op.select < 0), key=_position)
        if blocking:
            fn, op = blocking[0]
            out.append(UnheardFieldSend(ch, fn, op, len(blocking)))
    return sorted(out, key=lambda u: _position((u.sender, u.send)))


@dataclass
class LoneGoroutineOp:
    """A send or receive on an unbuffered channel that only one goroutine ever touches."""

    channel: Channel
    root: Function  # the goroutine: the function that makes the channel, or the test (main) running every use
    fn: Function  # holds the operation
    op: Op
    ops: int  # blocking operations on the channel in all
    late_go: Op | None = None  # the root's `go` statement starting the partner, only after this op
    overfilled: int = 0  # buffered: how many values the goroutine sends before its first receive


def lone_goroutine_ops(
    program: Program, flow: ChannelFlow, confined: Callable[[Function, str, int], bool], debug: Counter
) -> list[LoneGoroutineOp]:
    """Unbuffered channels whose every send and receive runs in one goroutine: the first plain
    one blocks forever, since nobody else can be at the other end.

    - a local channel, confined, never closed, whose operations are all in the function that
      makes it (none in a literal or a callee, which a `go` could run);
    - an unexported field channel named only in its sends, receives and assignments, never
      closed, whose operations are all reached only from test functions or `main.main` by
      ordinary calls: no goroutine anybody starts can reach them;
    - such a field channel (closes allowed) that goroutines the test starts do use, but that
      the test uses on its own straight line before its first `go` statement starting one of
      them (and before any call that may close it): the test blocks there, and the partner
      is never started.
    Channels with no receive at all are `unheard_sends`'.
    """
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends or not ch.receives or ch.closes or len(ch.make_sites) != 1 or ch.capacity is None:
            continue
        owner = ch.make_sites[0][0]
        name = flow.label(key)
        if key != f"local:{owner.id}:{name}":
            continue
        uses = [*ch.sends, *ch.receives]
        if any(fn is not owner for fn, _op in uses) or not confined(owner, name, 0):
            continue
        blocking = sorted(((fn, op) for fn, op in uses if op.select < 0), key=_position)
        if not blocking:
            continue
        if ch.capacity == 0:
            out.append(LoneGoroutineOp(ch, owner, owner, blocking[0][1], len(blocking)))
            continue
        overfill = _overfilled(program, owner, ch)
        if overfill is not None:
            op, sent = overfill
            out.append(LoneGoroutineOp(ch, owner, owner, op, len(blocking), overfilled=sent))
    for ch in _private_unbuffered_fields(program, flow, lambda ch: bool(ch.receives), debug, closes_ok=True):
        uses = [*ch.sends, *ch.receives]
        roots = {r for fn, _op in [*uses, *ch.closes] for r in flow.entries(fn)}
        runners = [program.functions[r] for r in sorted(roots)]
        tests = [r for r in runners if _test_or_main(r)]
        started = [r for r in runners if not _test_or_main(r)]
        test_ids = {t.id for t in tests}
        if not tests or any(
            not g.go_sites or any(starter.id not in test_ids for starter, _op in g.go_sites) for g in started
        ):
            debug["GIM102_lone_fields_reached_by_goroutines"] += 1
            continue
        blocking = sorted(((fn, op) for fn, op in uses if op.select < 0), key=_position)
        if not blocking:
            continue
        if not started:
            if ch.closes:
                continue  # which runs first, a close or a use, is not told here
            fn, op = blocking[0]
            out.append(LoneGoroutineOp(ch, tests[0], fn, op, len(blocking)))
            continue
        found = _used_before_partner_starts(program, tests, started, blocking, ch.closes)
        if found is not None:
            root, fn, op, go_op = found
            out.append(LoneGoroutineOp(ch, root, fn, op, len(blocking), go_op))
    return sorted(out, key=lambda u: _position((u.fn, u.op)))


def _overfilled(program: Program, owner: Function, ch) -> tuple[Op, int] | None:
    """(the send that finds the buffer full, how many values are sent) when the one goroutine
    using a buffered channel sends more than its buffer holds, unconditionally (counted as
    field_instances.count_runs counts), before its first receive: nobody can make room."""
    facts = owner.facts
    position = {id(op): k for k, op in enumerate(facts.ops)}
    first_recv = min(position[id(op)] for _f, op in ch.receives)
    early = [op for _f, op in ch.sends if position[id(op)] < first_recv]
    if not early or any(op.select >= 0 for op in early):
        return None
    loops = {
        r for op in early for r in enclosing_regions(facts, op.region) if facts.regions[r].kind in ("for", "range")
    }
    if any(r in loops for _f, op in ch.receives for r in enclosing_regions(facts, op.region)):
        return None  # `for i := ... { ch <- v; if (i+1)%n == 0 { drain } }`: a later round makes room
    counted = count_runs(program, owner, early)
    if counted is None:
        return None
    total, ordered = counted
    if total != UNBOUNDED and total <= ch.capacity:
        return None
    return ordered[min(ch.capacity, len(ordered) - 1)], total


def _used_before_partner_starts(program: Program, tests: list, started: list, blocking: list, closes: list):
    """(test, function, op, go op) when a test reaches a plain use of the channel on its straight
    line before its first `go` statement starting any of the goroutines that use it, and before
    any call that may close it: the test blocks there, and the partner is never started."""
    plain = {(fn.id, id(op)) for fn, op in blocking}
    closing = {fn.id for fn, _op in closes}
    close_ops = {(fn.id, id(op)) for fn, op in closes}
    started_ids = {g.id for g in started}
    for test in tests:
        facts = test.facts
        for i, op in enumerate(facts.ops):
            if op.kind == "call" and op.mode == "go":
                if any(t.function.id in started_ids for t in program.resolve_call(test, op)):
                    break  # a partner may run from here on
                continue
            if (test.id, id(op)) in close_ops or (op.kind == "call" and _may_reach(program, test, op, closing, 0)):
                break  # a close may come first
            if not on_straight_line(facts, op.region):
                continue
            if (test.id, id(op)) in plain:
                reached: tuple | None = (test, op)
            elif op.kind == "call" and op.mode == "plain":
                reached = _reached_use(program, test, op, plain, 0)
            else:
                reached = None
            if reached is not None:
                go_op = next(
                    (
                        o
                        for o in facts.ops[i + 1 :]
                        if o.kind == "call"
                        and o.mode == "go"
                        and any(t.function.id in started_ids for t in program.resolve_call(test, o))
                    ),
                    None,
                )
                if go_op is not None:
                    return test, reached[0], reached[1], go_op
                break
    return None


_REACH_DEPTH = 3


def _reached_use(program: Program, fn: Function, call_op: Op, plain: set, depth: int):
    """(function, op) of a plain use the call reaches on the straight lines of its callees."""
    if depth >= _REACH_DEPTH:
        return None
    targets = program.resolve_call(fn, call_op)
    if len(targets) != 1:
        return None
    callee = targets[0].function
    facts = callee.facts
    for op in facts.ops:
        if not on_straight_line(facts, op.region):
            continue
        if (callee.id, id(op)) in plain:
            return callee, op
        if op.kind == "call" and op.mode == "plain":
            found = _reached_use(program, callee, op, plain, depth + 1)
            if found is not None:
                return found
    return None


def _may_reach(program: Program, fn: Function, call_op: Op, wanted: set, depth: int) -> bool:
    """The call may run one of the `wanted` functions (by id), a few calls deep; unresolved calls may not."""
    if depth >= _REACH_DEPTH or call_op.kind != "call":
        return False
    for t in program.resolve_call(fn, call_op):
        if t.function.id in wanted or any(
            _may_reach(program, t.function, o, wanted, depth + 1) for o in t.function.facts.ops if o.kind == "call"
        ):
            return True
    return False


def _test_or_main(fn: Function) -> bool:
    """A test function (`TestXxx` in a `_test.go` file) or `main.main`, started by nothing but the runtime."""
    if fn.parent is not None or fn.facts.recv or fn.go_sites:
        return False
    name = fn.facts.name
    return (fn.file.is_test and name.startswith("Test")) or (name == "main" and fn.pkg.name == "main")


def _private_unbuffered_fields(
    program: Program,
    flow: ChannelFlow,
    wanted: Callable,
    debug: Counter,
    closes_ok: bool = False,
    any_capacity: bool = False,
) -> list[Channel]:
    """Unexported field channels that `wanted` accepts, made unbuffered (with `any_capacity`, made
    with any buffer), sent on, never closed, and named nowhere but as the channel of a send, receive
    or `close`, or an assignment's target."""
    candidates: dict[str, dict[str, Channel]] = {}  # package path -> field name -> channel
    shared: set[tuple[str, str]] = set()
    for key, ch in flow.channels.items():
        if not key.startswith("field:") or not ch.sends or not ch.make_sites or not wanted(ch):
            continue
        if ch.closes and not closes_ok:
            continue
        named, _, fname = key[len("field:") :].rpartition(".")
        if not fname[:1].islower():
            continue
        if ch.capacity != 0 and not any_capacity:
            debug["GIM102_unheard_buffered_or_unknown"] += 1
            continue
        if any(_made_value_escapes(mfn, mop) for mfn, mop in ch.make_sites if mop is not None):
            debug["GIM102_private_fields_handed_on"] += 1
            continue  # `ch := make(...); return &S{ch: ch}, ch`: the caller holds the other end
        pkg = named.split("#")[0]
        if fname in candidates.setdefault(pkg, {}):
            shared.add((pkg, fname))  # two types share the name: leave both alone
        candidates[pkg][fname] = ch
    for pkg, fname in shared:
        del candidates[pkg][fname]
    if not any(candidates.values()):
        return []
    for fn in program.functions:
        fields = candidates.get(fn.pkg.path)
        if fields:
            for op in fn.facts.ops:
                # A send's or receive's channel and an assignment's target may name the field; nothing else may.
                if op.kind == "call" and E.is_ident(op.fn, "close"):
                    continue  # `close(x.f)`: the flow counts it among the channel's closes
                exprs = op.args if op.kind in ("send", "recv", "assign") else (op.fn, *op.args)
                names = set().union(*(E.fields_named(e) for e in exprs if e is not None))
                names |= _fields_given_another_channel(fn, op)
                for fname in [n for n in fields if n in names]:
                    debug["GIM102_private_fields_handed_on"] += 1
                    del fields[fname]
    return [ch for fields in candidates.values() for ch in fields.values()]


def _fields_given_another_channel(fn: Function, op: Op) -> set[str]:
    """Fields op sets to a channel that already has another name: another field (`&msg{reply:
    g.in}`, `m.reply = g.in`), a parameter, or what a call returns. The field's receives may then be
    made under that name. (A local made here is `_made_value_escapes`' question.)"""
    out: set[str] = set()
    params = {name for name, _t in fn.facts.params}

    def other(value) -> bool:
        if E.is_nil(value) or E.is_ident(E.callee(value), "make"):
            return False
        name = E.ident(value)
        return name in params if name is not None else True

    if op.kind == "assign" and len(op.targets) == len(op.args):
        for target, value in zip(op.targets, op.args, strict=True):
            sel = E.selector(target)
            if sel is not None and other(value):
                out.add(sel[1])
    for e in (op.fn, *op.args):
        for x in E.subexprs(e) if e is not None and E.is_expr(e) else ():
            comp = E.composite(x)
            for key, value in comp[1] if comp is not None else ():
                name = E.ident(key)
                if name is not None and other(value):
                    out.add(name)
    return out


def _made_value_escapes(fn: Function, made: Op) -> bool:
    """The local a `make` is assigned to is also returned, passed to a call or copied as a whole
    (not only put into a struct field): another holder of the same channel exists."""
    ops = fn.facts.ops
    if made.kind == "call":
        at = ops.index(made)
        made = next(
            (o for o in ops[at + 1 : at + 3] if o.kind == "assign" and any(E.call_number(a) == at for a in o.args)),
            made,
        )
    if made.kind != "assign" or len(made.targets) != 1:
        return False
    local = made.targets[0]
    if E.ident(local) is None:
        return False
    for op in ops:
        if op is made:
            continue
        if op.kind in ("return", "call", "send") and any(a == local for a in op.args):
            return True
        if op.kind == "assign" and any(v == local for v in op.args):
            return True
    return False
