"""How GIM103, GIM104 and GIM105 word a lock acquisition: where it is taken and the calls that reach it."""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.locks import Acquire, Hop
from golint_im.findings import Step, op_location

MODE_CALL = {"w": "Lock", "r": "RLock"}


def call_steps(hops: tuple[Hop, ...]) -> list[Step]:
    """One step per call on the way to an operation."""
    return [Step(op_location(h.fn, h.op), f"`{h.fn.short}` calls {_callee(h)}") for h in hops]


def _callee(h: Hop) -> str:
    """`g`, or for a method a printing call runs, `fmt.Sprintf`, which calls `g` (see Program.implicit_calls)."""
    if h.op.kind == "call" and h.op.vtype:
        return f"`{h.op.vtype}`, which calls `{h.callee.short}` to print `{E.render(E.selector_base(h.op.fn))}`"
    return f"`{h.callee.short}`"


def acquire_steps(a: Acquire, what: str) -> list[Step]:
    """The calls reaching an acquisition, then the `Lock`/`RLock` itself, described by `what`."""
    return [*call_steps(a.hops), Step(op_location(a.fn, a.op), f"{lock_call(a)} {what}")]


def lock_call(a: Acquire) -> str:
    """`s.mu.Lock()` as written where it is taken; `p.sem <- …` (or `<-p.sem`) for a channel used as a mutex."""
    if a.op.kind == "send":
        return f"`{a.text} <- …`"
    if a.op.kind == "recv":
        return f"`<-{a.text}`"
    return f"`{a.text}.{MODE_CALL[a.mode]}()`"


def is_channel_lock(a: Acquire) -> bool:
    """a takes a channel with a buffer of one used as a mutex (see analysis/channel_locks.py)."""
    return a.op.kind in ("send", "recv")


def via(a: Acquire) -> str:
    """` through `f` → `g`` for an acquisition reached through calls; empty for a direct one."""
    return through(a.hops)


def through(hops: tuple[Hop, ...]) -> str:
    """` through `f` → `g`` naming the functions called on the way; empty without calls."""
    if not hops:
        return ""
    names = " → ".join(
        f"`{h.op.vtype}` → `{h.callee.short}`" if h.op.kind == "call" and h.op.vtype else f"`{h.callee.short}`"
        for h in hops
    )
    return f" through {names}"
