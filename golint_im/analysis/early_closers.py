"""`Close` methods that give up before closing what they hold.

    func (c *bufConn) Close() error {
        if err := c.w.Flush(); err != nil {
            return err              // c.Conn is never closed
        }
        return c.Conn.Close()
    }

A caller that called `Close` is done with the value: it will not call it
again, so a `Close` that returns on an earlier failure leaves the resource
open for good. The method's own plain close of a field of its receiver
(`c.conn.Close()`, an embedded `c.Conn.Close()`) is the author's word that
the field must be closed; the field's declared type says which kind it is
(a network connection, a listener, a gRPC connection), and so which rule
reports it.

Judged on methods named `Close` only, and only for returns that leave
because a call failed: the `if` deciding the return tests `err != nil` on
an `err` assigned from a call in the method. A guard such as `if c.conn ==
nil { return nil }` or `if c.closed { return errClosed }` is no failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program
from .leaks import NEVER_FAIL
from .ownership import OWNERSHIP
from .regions import deciding_region, returns_skipping
from .resources import Kind, kinds_by_type


@dataclass(frozen=True)
class EarlyCloserReturn:
    """`fn` (a `Close` method) returns at `exit`, when the call at `failed` fails, before closing
    its receiver's fields `fields` (the first at `close`)."""

    fn: Function
    kind: Kind  # the first field's
    type: str  # the first field's declared type, "path#Name"
    fields: tuple[str, ...]  # `c.Conn`, ...: every field whose close the return skips, in close order
    close: Op  # the first of those closes
    exit: Op
    failed: Op  # the call whose error decides the return
    cond: object  # the `if` condition (`err != nil`)


def early_closer_returns(ctx: Context) -> list[EarlyCloserReturn]:
    an = ctx.result(OWNERSHIP)
    program: Program = an.program
    by_type = kinds_by_type(an.kinds)
    out = []
    for fn in program.functions:
        facts = fn.facts
        if facts.name != "Close" or not facts.recv or not facts.recv_name or fn.file.generated:
            continue
        recv_type = program.named(program.qualify(facts.recv, fn.file))
        if recv_type is None:
            continue
        closes: dict[str, list[int]] = {}
        kinds: dict[str, tuple[Kind, str]] = {}
        for i, op in enumerate(facts.ops):
            if op.kind != "call" or op.mode != "plain":
                continue
            sel = E.selector(op.fn)
            inner = E.selector(sel[0]) if sel is not None else None
            if sel is None or inner is None or not E.is_ident(inner[0], facts.recv_name):
                continue
            field = inner[1]
            ftype = program.field_type(recv_type, field)
            named = (program.named(ftype[0]) or "") if ftype else ""
            kind = by_type.get(named)
            if kind is None or sel[1] not in kind.closers:
                continue
            closes.setdefault(field, []).append(i)
            kinds[field] = (kind, named)
        skipped: dict[int, list[tuple[str, int]]] = {}  # return index -> [(field, its close's index)]
        for field, targets in sorted(closes.items(), key=lambda item: item[1][0]):
            for ret, target in returns_skipping(facts, targets):
                skipped.setdefault(ret, []).append((field, target))
        for ret in sorted(skipped):
            field, target = skipped[ret][0]
            exit_op = facts.ops[ret]
            found = _failed_call(facts, exit_op, deciding_region(facts, exit_op.region, facts.ops[target].region))
            if found is None:
                continue
            ext = program.external_callee(fn, found[0].fn) if found[0].kind == "call" else None
            if ext is not None and (ext.pkg, ext.recv, ext.name) in NEVER_FAIL:
                continue  # `if err := c.pw.Close(); err != nil` on an io.PipeWriter: never taken
            served = _closed_by_server(program, fn, found[0], skipped[ret], kinds)
            if served:
                # ctx.debug, not an.debug: the ownership pass has already handed its counters on
                ctx.debug["gim2xx_listeners_closed_by_their_server"] += 1
                skipped[ret] = [(f, t) for f, t in skipped[ret] if f not in served]
                if not skipped[ret]:
                    continue
                field, target = skipped[ret][0]
            kind, named = kinds[field]
            out.append(
                EarlyCloserReturn(
                    fn,
                    kind,
                    named,
                    tuple(f"{facts.recv_name}.{f}" for f, _t in skipped[ret]),
                    facts.ops[target],
                    exit_op,
                    found[0],
                    found[1],
                )
            )
    return out


# `(*http.Server).Shutdown` and `Close` close every listener the server serves before anything else.
_SERVER_STOPS = frozenset({("net/http", "Server", "Shutdown"), ("net/http", "Server", "Close")})
_SERVES = frozenset({"Serve", "ServeTLS"})


def _closed_by_server(program: Program, fn: Function, failed: Op, skipped, kinds) -> set[str]:
    """The skipped fields that `failed`, a failed `Shutdown` (or `Close`) of an `*http.Server`
    field, had already closed: `if err := l.srv.Shutdown(ctx); err != nil { return err }` before
    `l.listener.Close()`, where `l.srv` serves that listener (yggdrasil's websocket link).
    Shutdown closes every listener the server serves before it can fail on its context.

    A listener field counts when some function of the package hands it to `x.srv.Serve`, either
    the field itself or the local it stores in the field (`l := &T{listener: nl}; go
    l.srv.Serve(nl)`)."""
    if failed.kind != "call":
        return set()
    ext = program.external_callee(fn, failed.fn)
    sel = E.selector(failed.fn)
    inner = E.selector(sel[0]) if sel is not None else None
    if ext is None or (ext.pkg, ext.recv, ext.name) not in _SERVER_STOPS or inner is None:
        return set()
    server_field = inner[1]
    listener_fields = {field for field, _target in skipped if kinds[field][1] == "net#Listener"}
    if not listener_fields:
        return set()
    stored: set[str] = set()  # `field=local`: a local stored in a listener field
    served: list = []  # the arguments of `x.<server_field>.Serve(...)`
    for g in program.functions:
        if g.pkg is not fn.pkg:
            continue
        for op in g.facts.ops:
            _note_stores(op, listener_fields, stored)
            sel = E.selector(op.fn) if op.kind == "call" and op.args else None
            inner = E.selector(sel[0]) if sel is not None else None
            if sel is not None and sel[1] in _SERVES and inner is not None and inner[1] == server_field:
                served.append(op.args[0])
    return {
        field
        for field in listener_fields
        if any(_is_field(a, field) or f"{field}={E.ident(a)}" in stored for a in served)
    }


def _is_field(e, field: str) -> bool:
    sel = E.selector(e)
    return sel is not None and sel[1] == field


def _note_stores(op: Op, fields: set[str], stored: set[str]) -> None:
    """Record `field=local` for `x.field = local` and `T{field: local}` in op."""
    if op.kind == "assign" and len(op.targets) == len(op.args):
        for t, a in zip(op.targets, op.args, strict=True):
            ts = E.selector(t)
            if ts is not None and ts[1] in fields and E.ident(a) is not None:
                stored.add(f"{ts[1]}={E.ident(a)}")
    for a in op.args:
        for e in E.subexprs(a):
            for key, value in E.composite_items(e):
                k = E.ident(key)
                if k in fields and E.ident(value) is not None:
                    stored.add(f"{k}={E.ident(value)}")


def _failed_call(facts, ret: Op, region: int) -> tuple[Op, object] | None:
    """(the call whose error was tested, the condition) when `region` is an `if err != nil` and
    `err` was assigned from a call of the method before the return; None for any other guard."""
    if region < 0:
        return None
    reg = facts.regions[region]
    if reg.kind != "if" or reg.info is None:
        return None
    found = E.binary(reg.info)
    if found is None or found[0] != "!=" or not E.is_nil(found[2]):
        return None
    name = E.ident(found[1])
    if name is None:
        return None
    for op in reversed(facts.ops[: facts.ops.index(ret)]):
        if op.kind == "assign" and any(E.is_ident(t, name) for t in op.targets):
            call = E.op_number(op.args[0]) if len(op.args) == 1 else None
            if call is None:
                return None
            return facts.ops[call], reg.info
    return None


EARLY_CLOSERS = Pass(
    "early-closers",
    early_closer_returns,
    requires=(OWNERSHIP,),
    doc="Close methods returning on a failed call before closing a resource field of their receiver",
)
