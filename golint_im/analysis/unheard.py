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
from ..program import Function, Program
from .flow import Channel, ChannelFlow


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
        if owner.parent is None and owner.facts.name == "main" and owner.pkg.name == "main":
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


def lone_goroutine_ops(
    program: Program, flow: ChannelFlow, confined: Callable[[Function, str, int], bool], debug: Counter
) -> list[LoneGoroutineOp]:
    """Unbuffered channels whose every send and receive runs in one goroutine: the first plain
    one blocks forever, since nobody else can be at the other end.

    - a local channel, confined, never closed, whose operations are all in the function that
      makes it (none in a literal or a callee, which a `go` could run);
    - an unexported field channel named only in its sends, receives and assignments, never
      closed, whose operations are all reached only from test functions or `main.main` by
      ordinary calls: no goroutine anybody starts can reach them.
    Channels with no receive at all are `unheard_sends`'.
    """
    out = []
    for key in sorted(flow.channels):
        ch = flow.channels[key]
        if not ch.sends or not ch.receives or ch.closes or len(ch.make_sites) != 1 or ch.capacity != 0:
            continue
        owner = ch.make_sites[0][0]
        name = flow.label(key)
        if key != f"local:{owner.id}:{name}":
            continue
        uses = [*ch.sends, *ch.receives]
        if any(fn is not owner for fn, _op in uses) or not confined(owner, name, 0):
            continue
        blocking = sorted(((fn, op) for fn, op in uses if op.select < 0), key=_position)
        if blocking:
            out.append(LoneGoroutineOp(ch, owner, owner, blocking[0][1], len(blocking)))
    for ch in _private_unbuffered_fields(program, flow, lambda ch: bool(ch.receives), debug):
        uses = [*ch.sends, *ch.receives]
        roots = {r for fn, _op in uses for r in flow.entries(fn)}
        runners = [program.functions[r] for r in sorted(roots)]
        if not runners or not all(_test_or_main(r) for r in runners):
            debug["GIM102_lone_fields_reached_by_goroutines"] += 1
            continue
        blocking = sorted(((fn, op) for fn, op in uses if op.select < 0), key=_position)
        if blocking:
            fn, op = blocking[0]
            out.append(LoneGoroutineOp(ch, runners[0], fn, op, len(blocking)))
    return sorted(out, key=lambda u: _position((u.fn, u.op)))


def _test_or_main(fn: Function) -> bool:
    """A test function (`TestXxx` in a `_test.go` file) or `main.main`, started by nothing but the runtime."""
    if fn.parent is not None or fn.facts.recv or fn.go_sites:
        return False
    name = fn.facts.name
    return (fn.file.is_test and name.startswith("Test")) or (name == "main" and fn.pkg.name == "main")


def _private_unbuffered_fields(program: Program, flow: ChannelFlow, wanted: Callable, debug: Counter) -> list[Channel]:
    """Unexported field channels that `wanted` accepts, made unbuffered, sent on, never closed,
    and named nowhere but as the channel of a send or receive or an assignment's target."""
    candidates: dict[str, dict[str, Channel]] = {}  # package path -> field name -> channel
    shared: set[tuple[str, str]] = set()
    for key, ch in flow.channels.items():
        if not key.startswith("field:") or not ch.sends or ch.closes or not ch.make_sites or not wanted(ch):
            continue
        named, _, fname = key[len("field:") :].rpartition(".")
        if not fname[:1].islower():
            continue
        if ch.capacity != 0:
            debug["GIM102_unheard_buffered_or_unknown"] += 1
            continue
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
                exprs = op.args if op.kind in ("send", "recv", "assign") else (op.fn, *op.args)
                for fname in [n for n in fields if any(_names_field(e, n) for e in exprs)]:
                    debug["GIM102_private_fields_handed_on"] += 1
                    del fields[fname]
    return [ch for fields in candidates.values() for ch in fields.values()]


def _names_field(e, fname: str) -> bool:
    """`e` names the field `fname` other than as the channel of a receive expression `<-x.fname`."""
    if e is None:
        return False
    named = received = 0
    for x in E.subexprs(e):
        if E.selected_name(x) == fname:
            named += 1
        elif E.selected_name(E.received(x)) == fname:
            received += 1
    return named > received
