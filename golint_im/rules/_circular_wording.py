"""The words of a circular wait (analysis/circular.py), shared by GIM102 (channel forms) and GIM106 (Wait forms).

Both rules report the same two-sided story: the starter blocks on an
operation only the goroutine releases, the goroutine blocks on an operation
only the starter's later code releases. The finding sits on the starter's
operation, which is the one to move.
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.circular import UNCOUNTED, CircularWait
from golint_im.findings import Finding, Related, Step, op_location


def _op_text(op) -> str:
    """An operation as written: `a <- 1`, `<-b`, `for range out`, `wg.Wait()`, `close(done)`."""
    if op.kind == "send":
        value = E.render(op.args[0]) if op.args else "v"
        return f"{E.render(op.fn)} <- {value}"
    if op.kind == "recv":
        return f"for range {E.render(op.fn)}" if op.mode == "range" else f"<-{E.render(op.fn)}"
    return f"{E.render(op.fn)}({', '.join(E.render(a) for a in op.args)})"


def _capacity(cap: int | None) -> str:
    return "unbuffered" if not cap else f"buffer {cap}"


def _senders(n: int) -> str:
    if n == UNCOUNTED:
        return "senders started in a loop"
    return "1 sender" if n == 1 else f"{n} senders"


def _release_text(c: CircularWait, whose: str = "its") -> str:
    if c.release is None:
        return f"the end of the function `{c.wait_text}.Go` runs"
    deferred = f"{whose} deferred " if c.release.kind == "call" and c.release.mode == "defer" else ""
    return f"{deferred}`{_op_text(c.release)}` (line {c.release.line})"


def _name(c: CircularWait) -> str:
    """The goroutine's channel as the starter writes it: `out`, or `srv.out` for a field."""
    if c.partner_call is not None:
        return c.partner_call[2]
    p = c.partner
    held = p.fn if p.kind != "call" else (p.args[0] if p.args else None)
    return E.render(held) if held is not None else c.channel.label


def _waits_for(c: CircularWait) -> str:
    """What the goroutine's operation needs from the starter."""
    name = _name(c)
    if c.blocked.kind == "send":
        return f"a receive from `{name}`"
    if c.blocked.mode == "range":
        return f"`close({name})`"
    return f"a send on `{name}`"


def _fix(c: CircularWait) -> str:
    name = _name(c)
    x = _op_text(c.wait_call or c.wait)
    if c.is_group:
        if c.blocked.kind == "send":
            more = (
                f"or buffer `{name}` to the {c.senders} senders"
                if c.senders != UNCOUNTED
                else f"or make `{name}` with one buffer slot per goroutine started"
            )
            return (
                f"receive from `{name}` in a goroutine before `{x}` (or call `{x}` and `close({name})` "
                f"in a goroutine and range over `{name}`), {more}"
            )
        return f"do `{_op_text(c.partner)}` before `{x}`, or call `{x}` in a goroutine"
    order = f"do the two operations in the same order on both sides (`{_op_text(c.partner)}` before `{x}`)"
    if c.blocked.kind == "send":
        size = c.senders if c.senders != UNCOUNTED else "one slot per goroutine started"
        return f"{order}, or give `{name}` a buffer of {size}"
    if c.wait_kind == "send" and c.wait_channel is not None:
        return f"{order}, or give `{c.wait_channel.label}` a buffer of 1 so `{x}` does not wait"
    return order


def _partner_line(c: CircularWait) -> str:
    """Where the starter meets the goroutine's operation: `line 80`, or, when it hands the channel to
    a function holding the partner, `line 82, in `e.combine`, which ... at line 87`."""
    if c.partner_call is None:
        return f"line {c.partner.line}"
    call, callee, _name_text = c.partner_call
    return f"line {call.line}, in `{callee.short}`, which does `{_op_text(c.partner)}` at line {c.partner.line}"


def circular_finding(c: CircularWait, rule_id: str, severity: str) -> Finding:
    s, ch, name = c.starter, c.channel, _name(c)
    at = c.wait_call or c.wait  # S's own statement: the wait, or the call that waits
    x_loc = op_location(s, at)
    y_loc = op_location(c.blocked_fn, c.blocked)
    partner_fn = c.partner_call[1] if c.partner_call is not None else s
    partner_loc = op_location(partner_fn, c.partner)
    go_line = c.started.op.line
    x, y = _op_text(c.wait), _op_text(c.blocked)
    where = ""
    if c.wait_call is not None and c.wait_fn is not None:
        where = f" in `{c.wait_fn.short}`"
    cap = _capacity(ch.capacity)
    starts = "`go` statement" if c.started.op.mode == "go" else f"`{E.render(c.started.op.fn)}`"
    if c.is_group and c.blocked.kind == "send":
        message = (
            f"`{s.short}` calls `{x}`{where} at line {at.line} before it receives from `{name}` "
            f"({_partner_line(c)}), but the goroutines started at line {go_line} "
            f"({_senders(c.senders)}, `{name}` {cap}) send on `{name}` at line {c.blocked.line} "
            f"before {_release_text(c, 'their')}: "
            "the senders wait for the receiver and the receiver waits for the senders. "
            f"Fix: {_fix(c)}."
        )
    else:
        message = (
            f"`{s.short}` blocks on `{x}`{where} at line {at.line} until the goroutine started at line {go_line} "
            f"reaches {_release_text(c)}, but that goroutine first blocks on `{y}` at line {c.blocked.line} "
            f"(`{name}` {cap}) waiting for {_waits_for(c)}, which `{s.short}` does only at "
            f"{_partner_line(c)}, after line {at.line}: each waits for the other. Fix: {_fix(c)}."
        )
    steps = [Step(op_location(s, c.started.op), f"`{s.short}` starts the goroutine ({starts})")]
    for caller, op, callee, via in c.path:
        text = f"calls `{callee.short}`" + (f" (resolved from {via})" if via else "")
        steps.append(Step(op_location(caller, op), text))
    steps.append(Step(y_loc, f"the goroutine blocks on `{y}` (`{name}` {cap}) waiting for {_waits_for(c)}"))
    if c.release is not None:
        steps.append(
            Step(
                op_location(c.started.function, c.release),
                f"only after it, `{_op_text(c.release)}` would release `{x}`",
            )
        )
    if c.wait_call is not None and c.wait_fn is not None:
        steps.append(Step(x_loc, f"`{s.short}` calls `{c.wait_fn.short}`"))
        steps.append(
            Step(
                op_location(c.wait_fn, c.wait),
                f"`{c.wait_fn.short}` blocks on `{x}` until the goroutine gets past line {c.blocked.line}",
            )
        )
    else:
        steps.append(Step(x_loc, f"`{s.short}` blocks on `{x}` until the goroutine gets past line {c.blocked.line}"))
    if c.partner_call is not None:
        call, callee, _name_text = c.partner_call
        steps.append(
            Step(op_location(s, call), f"`{s.short}` hands `{name}` to `{callee.short}` only here, after `{x}`")
        )
        steps.append(Step(partner_loc, f"`{callee.short}` does `{_op_text(c.partner)}` here: never reached"))
    else:
        steps.append(Step(partner_loc, f"`{s.short}` reaches `{_op_text(c.partner)}` only here, after `{x}`: never"))
    related = [
        Related(y_loc, f"the goroutine's `{y}`, waiting for `{s.short}`"),
        Related(partner_loc, f"the partner of `{y}`, after `{x}`"),
    ]
    mfn, mop = ch.make_sites[0]
    if mop is not None:
        related.append(Related(op_location(mfn, mop), f"`{ch.label}` made here ({cap})"))
    return Finding(
        rule_id=rule_id,
        message=message,
        location=x_loc,
        severity=severity,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{s.qualname}|{ch.label}|{E.render(c.wait.fn)}|circular",
    )
