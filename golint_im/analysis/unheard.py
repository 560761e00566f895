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
    and never received from, closed, or mentioned at all except as a send's channel or an
    assignment's target: only its own package can name the field, and that package is
    analysed, so no receiver exists anywhere."""
    candidates: dict[str, dict[str, Channel]] = {}  # package path -> field name -> channel
    shared: set[tuple[str, str]] = set()
    for key, ch in flow.channels.items():
        if not key.startswith("field:") or not ch.sends or ch.receives or ch.closes or not ch.make_sites:
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
                # A send's channel and an assignment's target may name the field; nothing else may.
                exprs = op.args if op.kind in ("send", "assign") else (op.fn, *op.args)
                for fname in [n for n in fields if any(_names_field(e, n) for e in exprs)]:
                    debug["GIM102_unheard_fields_handed_on"] += 1
                    del fields[fname]
    out = []
    for fields in candidates.values():
        for ch in fields.values():
            blocking = sorted(((fn, op) for fn, op in ch.sends if op.select < 0), key=_position)
            if blocking:
                fn, op = blocking[0]
                out.append(UnheardFieldSend(ch, fn, op, len(blocking)))
    return sorted(out, key=lambda u: _position((u.sender, u.send)))


def _names_field(e, fname: str) -> bool:
    return e is not None and bool(E.selector_bases(e, fname, []))
