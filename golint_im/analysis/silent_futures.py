"""A future whose goroutine can return without answering on any of its channels.

    type Ticket struct{ res chan Result; err chan error }

    func (r *Runner) Submit(j Job) *Ticket {
        t := &Ticket{res: make(chan Result, 1), err: make(chan error, 1)}
        go r.run(j, t)
        return t
    }
    func (r *Runner) run(j Job, t *Ticket) {
        if j.Disabled {
            return                      // answers on neither channel
        }
        ...
        t.res <- Result{...}            // or t.err <- err
    }
    func (t *Ticket) Wait() (Result, error) {
        select {
        case r := <-t.res: return r, nil
        case err := <-t.err: return Result{}, err
        }
    }

The one-channel form (a future a function returns as a channel) is
`Unpaired._returned_skipped_send`'s; here the future is a struct of
channels, the waiter a `select` over all of them with no other way out.
Judged by the struct's class, so that it holds for every value: every
channel field of the type is made only where the type is built, in one
function, which starts the one sending function with `go`, on its straight
line, handing it the value; nothing closes the fields, every send on them
is in that function (none in a `select`, no `defer` in it), every receive
is a case of one `select` of one waiting function (no `default`, no other
case), and the fields are named nowhere else but in their make, those sends
and receives. A `return` of the sender (or its running off its end past an
`if` with no `else`) on which it sends on none of the fields leaves the
waiter blocked for good.
"""

from __future__ import annotations

from collections import Counter

from .. import expr as E
from ..program import Function, Program
from .flow import Channel, ChannelFlow
from .never_stopped import started_by
from .regions import deciding_region, returns_skipping
from .unpaired import SkippedSend


def silent_futures(program: Program, flow: ChannelFlow, debug: Counter) -> list[SkippedSend]:
    by_type: dict[str, list[Channel]] = {}
    for key, ch in flow.channels.items():
        if key.startswith("field:"):
            by_type.setdefault(key[len("field:") :].rpartition(".")[0], []).append(ch)
    out = []
    for named in sorted(by_type):
        chans = by_type[named]
        if len(chans) < 2 or not all(_judged(ch) for ch in chans):
            continue
        found = _silent(program, named, chans)
        if found is not None:
            debug["GIM102_silent_futures"] += 1
            out.append(found)
    return out


def _judged(ch: Channel) -> bool:
    """An unexported field channel made somewhere, sent on and received from, never closed."""
    fname = ch.key.rpartition(".")[2]
    return bool(fname[:1].islower() and ch.make_sites and ch.sends and ch.receives and not ch.closes)


def _one(fns) -> Function | None:
    found = {f.id: f for f in fns}
    return next(iter(found.values())) if len(found) == 1 else None


def _silent(program: Program, named: str, chans: list[Channel]) -> SkippedSend | None:
    maker = _one(f for ch in chans for f, _op in ch.make_sites)
    sender = _one(f for ch in chans for f, _op in ch.sends)
    waiter = _one(f for ch in chans for f, _op in ch.receives)
    if maker is None or sender is None or waiter is None or len({maker.id, sender.id, waiter.id}) != 3:
        return None
    sends = [op for ch in chans for _f, op in ch.sends]
    recvs = [op for ch in chans for _f, op in ch.receives]
    if any(op.select >= 0 for op in sends) or any(op.kind == "call" and op.mode == "defer" for op in sender.facts.ops):
        return None
    selects = {op.select for op in recvs}
    if len(selects) != 1 or -1 in selects or any(op.mode != "case" for op in recvs):
        return None
    select = selects.pop()
    cases = [
        r for r, reg in enumerate(waiter.facts.regions) if reg.parent == select and reg.kind in ("case", "default")
    ]
    if len(cases) != len(recvs):
        return None  # a `default`, a timer or a context: the waiter has another way out
    started = started_by(program, maker, sender)
    if started is None or not program.callers(waiter):
        return None
    if not _named_only_in_channel_ops(program, named, {ch.key.rpartition(".")[2] for ch in chans}):
        return None
    facts = sender.facts
    targets = [facts.ops.index(op) for op in sends]
    for i, t in returns_skipping(facts, targets):
        exit_op = facts.ops[i]
        region = deciding_region(facts, exit_op.region, facts.ops[t].region)
        send = facts.ops[min(targets)]
        found = SkippedSend(chans[0], maker, started[1], sender, send, exit_op, region, recvs[0], waiter=waiter)
        found.also = tuple(sorted({E.render(op.fn) for op in sends} - {E.render(send.fn)}))
        return found
    return None


def _named_only_in_channel_ops(program: Program, named: str, fields: set[str]) -> bool:
    """In the type's package the fields are named only as the channel of a send or receive, or as an
    assignment's target: nothing hands a channel to code that could answer or close it."""
    for fn in program.package_functions(named.split("#")[0]):
        for op in fn.facts.ops:
            if op.kind in ("send", "recv"):
                exprs = list(op.args)
            elif op.kind == "assign":
                exprs = list(op.args)
            else:
                exprs = [op.fn, *op.args]
            for e in exprs:
                if e is not None and E.is_expr(e) and fields & E.fields_named(e):
                    return False
        for r in fn.facts.regions:
            if E.is_expr(r.info) and fields & E.fields_named(r.info) and r.kind not in ("case", "range"):
                return False
    return True
