"""Resources kept only in a field of the receiver, replaced each time the method runs again.

`c.conn = conn` hands the connection to `c`, so the path walk counts it as
owned. But when the method that stores it runs again on the same receiver
(called from a loop, directly or through one more method of the receiver)
and nothing on that chain closes the field first, every store drops the
previous connection without closing it: a reconnect loop that leaks one
connection per round. The same holds for a generated client stub built over
the connection (`c.client = pb.NewFooClient(conn)`): nothing can ever close
a connection kept only inside a stub.

Evidence required, for precision: every hand-off of the resource in the
storing function is a store into a field of its receiver; no function on
the chain up to the loop closes such a field; and the loop does not leave
after the call succeeds (`if err == nil { break }`, an unconditional
`return` after it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golint_im.expr import (
    binary,
    call_number,
    composite,
    ident,
    idents_in,
    index,
    is_expr,
    is_ident,
    is_make_call,
    is_nil,
    nil_compared,
    op_number,
    ranged,
    render,
    root_ident,
    selected_name,
    selector,
    selector_base,
    strip_address,
    subexprs,
    unary_operand,
)
from golint_im.expr import call as call_parts
from golint_im.facts import Op
from golint_im.program import Function, enclosing_regions

from .flow import innermost_loop
from .regions import assignments_to, exclusive_branches, ops_with_literals
from .resources import ESCAPE, RELEASE, Holder, Kind, _value_ref

if TYPE_CHECKING:
    from .ownership import Analysis

# How far up the callers a loop around the storing method is looked for.
_CHAIN_DEPTH = 2


@dataclass(frozen=True)
class Again:
    """Where the storing method runs again: the caller's call inside its loop, or (for a map entry)
    a call with a key whose entry the caller has already read or stored on the same path."""

    caller: Function
    call: Op
    loop_line: int
    entry_seen: Op | None = None  # the caller's earlier read of the entry, or its earlier call storing it
    guard_line: int = 0  # `if c.f == nil || c.f.calls >= max {`: the caller stores again over a live value
    after_failure: bool = False  # the guard is `err != nil` for a call just made on the field's value
    failed_through: str = ""  # `c.write`: the failed call was a method of the receiver that uses the field
    failed_last_round: bool = False  # that failure was the previous round's, carried by an error variable
    # A sibling method that closes the field before it stores a new one (`redial`): (it, its close).
    closed_first_by: tuple[Function, Op] | None = None
    # The `if` (its line, and the other conjunct rendered) that skips the store only when the entry is
    # set AND something else holds (`if g.topology[r] == addr && g.upstreams[r] != nil { continue }`).
    partial_guard: tuple[int, str] | None = None
    # The constructor that fills the field through the storing method when it builds the value
    # (`c := &Client{...}; c.connect(addr); return c`), and that call: a method calling it again on
    # such a value (`caller`, `call`) replaces a live one.
    constructed_by: tuple[Function, Op] | None = None
    # The method's own later range over the map that closes the entries whose keys the call was not
    # given (`for n, c := range h.links { if !want[n] { c.Close(); delete(h.links, n) } }`): it keeps
    # every entry it was given a key for, so the next call's store under such a key replaces a live one.
    reconciled_by: Op | None = None
    # The store is made for every key of this map field of the receiver, each time the method runs
    # (`for name := range r.dests { ...; r.conns[name] = c }`), and `caller` runs it again in a loop.
    every_key_of: str = ""
    # A sibling method that hands the map's entry out as the live value for its key (a cache:
    # `if sc, ok := g.routes[room]; ok { return sc, nil }`), and its look-up.
    cached_by: tuple[Function, Op] | None = None
    # The key comes from the request an HTTP handler serves (`clientID := r.URL.Query().Get("client")`):
    # (the line it is read, the request expression read), and a sibling method closes the map's values.
    request_key: tuple[int, str] | None = None
    closed_by: Function | None = None
    # The storing method itself stores under `guard_line` (`if r.up == nil || r.up.queries >= max {
    # up, err := r.dial(); ...; r.up = up }`): `call` is then its store, not a caller's call.
    own_guard: bool = False
    # The caller calls the storing method in the timeout case of a `select` (line) waiting on a call
    # it made on the field's value (rendered): the value is still live, and the store drops it.
    timed_out: tuple[int, str] | None = None


def receiver_fields(
    an: Analysis, fn: Function, start: int, holders: dict[str, Holder], kind: Kind, wrapped_errors: bool = False
) -> tuple[list[str], Op | None]:
    """The receiver's fields the resource is stored in, when that is all the function does with it, and the first store.

    Empty when the function releases it, returns it, or hands it to anyone
    but a field of its receiver.
    """
    recv = fn.facts.recv_name
    if not recv:
        return [], None
    holders = dict(holders)
    fields: list[str] = []
    first: Op | None = None
    ops = fn.facts.ops
    for at in range(start + 1, len(ops)):
        op = ops[at]
        if op.kind == "return":
            if an.returns_holder(fn, op, holders):
                return [], None
            continue
        if op.kind not in ("assign", "call", "send"):
            continue
        eff = an.op_effect(fn, op, holders, kind)
        if eff == RELEASE and first is None and op.region != 0 and _cleanup_then_leaves(fn.facts, at, wrapped_errors):
            # `if _, err := fmt.Fprintf(conn, ...); err != nil { conn.Close(); return err }` before the
            # store: the failure's own cleanup, on a way out that never reaches the field
            continue
        if eff == RELEASE:
            return [], None
        if eff != ESCAPE:
            continue
        stored = _receiver_stores(op, recv, holders) if op.kind == "assign" else []
        if not stored:
            return [], None
        first = first or op
        fields.extend(f for f in stored if f not in fields)
    return fields, first


def _cleanup_then_leaves(facts, at: int, wrapped_errors: bool = False) -> bool:
    """The op at index `at` (a close) is followed, in its own block, only by plain assignments to
    names (`lastErr = err`) and then a `return`, `continue` or `break` ending that block: a failure's
    cleanup on a way that does not reach the store. With `wrapped_errors`, the calls that build what
    that `return` hands back (`return fmt.Errorf("announce: %w", err)`) may come between."""
    region = facts.ops[at].region
    calls: list[int] = []
    for i, op in enumerate(facts.ops[at + 1 :], at + 1):
        if op.region != region:
            return False
        if op.kind in ("return", "jump"):
            if op.kind != "return":
                return op.mode in ("continue", "break")
            numbers = {n for a in op.args if is_expr(a) for x in subexprs(a) if (n := op_number(x)) is not None}
            return all(c in numbers for c in calls)
        if wrapped_errors and op.kind == "call" and op.mode == "plain":
            calls.append(i)
            continue
        if op.kind != "assign" or any(ident(t) is None for t in op.targets):
            return False
    return False


def _receiver_stores(op: Op, recv: str, holders: dict[str, Holder]) -> list[str]:
    """Fields `recv.f` the assignment gives the resource (or a wrapper of it); [] if it goes elsewhere too."""
    if len(op.targets) != len(op.args):
        return []
    out = []
    for t, v in zip(op.targets, op.args, strict=True):
        if _value_ref(v, holders) is None:
            continue
        sel = selector(t)
        if sel is None or not is_ident(sel[0], recv):
            return []
        out.append(sel[1])
    return out


def runs_again(an: Analysis, fn: Function, fields: list[str], kind: Kind) -> Again | None:
    """The loop that calls fn again on the same receiver without closing the fields first, if any."""
    if closes_fields(fn, fn.facts.recv_name, fields, kind):
        return None
    frontier = [fn]
    seen = {fn.id}
    closing: dict[int, bool] = {}  # caller id -> it closes one of the fields somewhere
    for _depth in range(_CHAIN_DEPTH):
        nxt = []
        this_level: set[int] = set()
        for g in frontier:
            for caller, call in an.program.callers(g):
                recv = caller.facts.recv_name
                if not recv or not is_ident(selector_base(call.fn), recv):
                    line = _looped_on_one_local(an, caller, call, g, fields, kind) if g is fn else 0
                    if line:
                        return Again(caller, call, line)
                    continue
                first = caller.id not in seen
                if not first and caller.id not in this_level:
                    continue  # a caller already judged one level closer
                seen.add(caller.id)
                this_level.add(caller.id)
                if caller.id not in closing:
                    closing[caller.id] = closes_fields(caller, recv, fields, kind)
                if closing[caller.id] and (
                    innermost_loop(caller.facts, call.region) is None
                    or _closes_fields_on_the_way(caller, recv, fields, kind, call)
                ):
                    # The caller closes the field before this call, or (outside a loop) anywhere: this
                    # call replaces nothing live. Another call of it, in a loop, may still.
                    continue
                if _only_when_nil(caller, call, recv, fields):
                    continue  # `if a.conn == nil { a.connect() }`: nothing live to replace there
                line = _repeating_loop(an, caller, call)
                if line:
                    return Again(caller, call, line)
                line, failed = _replacing_guard(caller, call, recv, fields)
                through = ""
                last_round = False
                if not line:
                    line, through = _guard_on_failed_method(an, caller, call, recv, fields, kind)
                    failed = bool(line)
                if not line:
                    line, through = _guard_on_last_rounds_failure(an, caller, call, recv, fields, kind)
                    failed = last_round = bool(line)
                if not line:
                    line, through = _past_a_failed_use(an, caller, call, recv, fields, kind)
                    failed = True
                if not line:
                    timed_out = _after_a_timed_out_use(an, caller, call, recv, fields)
                    if timed_out is not None:
                        return Again(caller, call, 0, timed_out=timed_out)
                if line:
                    return Again(
                        caller,
                        call,
                        0,
                        guard_line=line,
                        after_failure=failed,
                        failed_through=through,
                        failed_last_round=last_round,
                    )
                if first and not closing[caller.id]:
                    nxt.append(caller)
        frontier = nxt
    return None


def _looped_on_one_local(an: Analysis, caller: Function, call: Op, fn: Function, fields: list[str], kind: Kind) -> int:
    """The loop line when a function that is no method of the value (`main`'s ticker goroutine)
    calls the storing method on one value in a loop that goes round again after it succeeds
    (`for range tick.C { s.Rotate(key) }`), the value a local of the caller or of the function
    it sits in, given once outside that loop, or a parameter never given another value, and
    nothing in the caller closes the fields. 0 if not."""
    name = ident(selector_base(call.fn))
    if name is None or call.mode != "plain":
        return 0
    holder: Function | None = caller
    while holder is not None and name not in an.program.declared(holder):
        holder = holder.parent
    if holder is None:
        return 0
    given = list(assignments_to(holder, name))
    if name in an.params(holder):
        if given:
            return 0  # a parameter given another value on the way
    elif len(given) != 1 or innermost_loop(holder.facts, given[0][0].region) is not None:
        return 0
    if any(
        o.kind == "call" and selected_name(o.fn) in kind.closers and root_ident(selector_base(o.fn)) == name
        for o in ops_with_literals(caller)
    ):
        return 0  # the caller closes the value (or what it holds) itself
    return _repeating_loop(an, caller, call)


def _replacing_guard(caller: Function, call: Op, recv: str, fields: list[str]) -> tuple[int, bool]:
    """(line, after a failure) of the `if` around the call whose condition is `recv.f == nil ||
    <reads recv.f>` (`b.cur == nil || b.cur.calls >= max`, `c.conn == nil || !c.conn.Healthy()`), or
    `err != nil` for a call just made on `recv.f` (see _failed_on_field; the flag says which): the
    call runs when the field holds a live value, and its store then drops that value. (0, False)
    if none."""
    facts = caller.facts
    for reg in _enclosing_ifs(facts, call):
        operands = _disjuncts(reg.info)
        if len(operands) == 1 and any(_failed_on_field(facts, reg.info, call, recv, f) for f in fields):
            return reg.line, True
        for f in fields:
            if any(_is_nil_test(o, recv, f) for o in operands) and any(
                not _is_nil_test(o, recv, f) and _reads_through(facts, o, recv, f) for o in operands
            ):
                return reg.line, False
    return 0, False


def _guard_on_failed_method(
    an: Analysis, caller: Function, call: Op, recv: str, fields: list[str], kind: Kind
) -> tuple[int, str]:
    """(line, the failed call rendered) of an `if` around the call testing an error (`err != nil`,
    `errors.As(err, &ne)`) last assigned from a method of the receiver that uses one of the fields
    without closing it (`reply, err := c.roundTrip(args); if errors.As(err, &ne) { c.connect() }`):
    the field's value was used and failed, still held, and the call's store replaces it. (0, "")
    if none."""
    for reg in _enclosing_ifs(caller.facts, call):
        err = _tested_error(an, caller, reg.info)
        if err is None:
            continue
        through = _error_of_method_using_fields(an, caller, err, call, recv, fields, kind)
        if through:
            return reg.line, through
    return 0, ""


def _enclosing_ifs(facts, op: Op) -> list:
    """The `if` regions around op with a condition, innermost first."""
    regions = (facts.regions[r] for r in enclosing_regions(facts, op.region))
    return [reg for reg in regions if reg.kind == "if" and is_expr(reg.info)]


def _nonnil_error(cond) -> str | None:
    """`err` for the condition `err != nil`, else None."""
    b = binary(cond)
    return ident(b[1]) if b is not None and b[0] == "!=" and is_nil(b[2]) else None


def _tested_error(an: Analysis, fn: Function, cond) -> str | None:
    """The error variable a condition holds only when it is set: `err != nil`, or package errors'
    `errors.As(err, &t)` / `errors.Is(err, ErrX)` (resolved as calls of that package)."""
    if binary(cond) is not None:
        return _nonnil_error(cond)
    called = call_parts(cond)
    if called is None or not called[1]:
        return None
    ext = an.program.external_callee(fn, called[0])
    if ext is None or ext.pkg != "errors" or ext.name not in ("As", "Is"):
        return None
    return ident(called[1][0])


def _guard_on_last_rounds_failure(
    an: Analysis, caller: Function, call: Op, recv: str, fields: list[str], kind: Kind
) -> tuple[int, str]:
    """(line, the failed call rendered) of an `if` around the call, inside a loop, one of whose `||`
    operands is `lastErr != nil` where the loop's body assigns lastErr from a call on or with
    `recv.f`, or from a method of the receiver that uses `recv.f` without closing it (`for ... { if
    p.conn == nil || lastErr != nil { p.reconnect() }; if lastErr = p.write(b); lastErr == nil {
    return nil } }`): the previous round used the field's value and failed, and the call's store
    replaces it. (0, "") if none."""
    facts = caller.facts
    loop = innermost_loop(facts, call.region)
    if loop is None:
        return 0, ""
    ops = facts.ops
    for r in enclosing_regions(facts, call.region):
        if r == loop:
            break
        reg = facts.regions[r]
        if reg.kind != "if" or not is_expr(reg.info):
            continue
        for operand in _disjuncts(reg.info):
            err = _nonnil_error(operand)
            if err is None:
                continue
            for op in ops:
                if op.kind != "assign" or not any(is_ident(t, err) for t in op.targets):
                    continue
                if loop not in enclosing_regions(facts, op.region) or len(op.args) != 1:
                    continue
                n = call_number(op.args[0])
                used = ops[n] if n is not None and 0 <= n < len(ops) else None
                if used is None or used.kind != "call":
                    continue
                if any(_is_field(e, recv, f) for e in (selector_base(used.fn), *used.args) for f in fields):
                    return reg.line, render(used.fn)
                through = _method_using_fields(an, caller, used, recv, fields, kind)
                if through:
                    return reg.line, through
    return 0, ""


def _past_a_failed_use(
    an: Analysis, caller: Function, call: Op, recv: str, fields: list[str], kind: Kind
) -> tuple[int, str]:
    """The line of an `if err == nil { return ... }` before the call, outside anything around it,
    where err comes from a call on or with `recv.f` (`if _, err := c.conn.Write(b); err == nil {
    return nil }`, then `c.connect()`), or from a method of the receiver that uses `recv.f` without
    closing it (`err := c.write(points)`, named in the second item): past it, the field's value was
    used and failed, and the call's store replaces it. (0, "") if none."""
    facts = caller.facts
    ops = facts.ops
    around = set(enclosing_regions(facts, call.region))
    for op in ops[: ops.index(call)]:
        if op.kind != "return" or op.region < 0 or op.region in around:
            continue
        reg = facts.regions[op.region]
        # `if err == nil { return }`, or `if err == nil || !retryable(err) { return }`: past it, err is set
        tests = [binary(d) for d in _disjuncts(reg.info)] if reg.kind == "if" and is_expr(reg.info) else []
        b = next((t for t in tests if t is not None and t[0] == "==" and is_nil(t[2]) and ident(t[1])), None)
        if b is None:
            continue
        first = next(o for o in ops if o.region == op.region or op.region in enclosing_regions(facts, o.region))
        err = str(ident(b[1]))
        if any(_error_of_field_use(facts, err, first, recv, f) for f in fields):
            return reg.line, ""
        through = _error_of_method_using_fields(an, caller, err, first, recv, fields, kind)
        if through:
            return reg.line, through
    return 0, ""


def _after_a_timed_out_use(an: Analysis, caller: Function, call: Op, recv: str, fields: list[str]) -> tuple | None:
    """(the select's line, the use rendered) when the call sits in a `case <-time.After(...)` of a
    `select` that the caller reaches, on its straight way, after a call on the field's value, made
    directly (`c.rpc.Go(...)`) or through a getter of the receiver returning the field
    (`c.client().Go(...)`): the caller stopped waiting for that value, which is still live and
    still held, and the call's store replaces it. None otherwise."""
    facts = caller.facts
    regions = facts.regions
    chain = list(enclosing_regions(facts, call.region))
    case = next((r for r in chain if regions[r].kind == "case"), None)
    info = regions[case].info if case is not None else None
    timer = call_parts(info[1]) if isinstance(info, tuple) and len(info) == 2 and info[0] == "recv" else None
    after = selector(timer[0]) if timer is not None else None
    if case is None or after is None or after[1] != "After" or an.program.imported_path(caller, after[0]) != "time":
        return None
    select = regions[case].parent
    if select < 0 or regions[select].kind != "select":
        return None
    around = set(enclosing_regions(facts, select))
    for op in facts.ops:
        if op.line >= regions[select].line:
            break
        if op.kind != "call" or op.region not in around:
            continue
        base = selector_base(op.fn)
        if any(_is_field(base, recv, f) for f in fields) or _getter_of_fields(an, caller, base, recv, fields):
            return regions[select].line, render(op.fn)
    return None


def _getter_of_fields(an: Analysis, caller: Function, e, recv: str, fields: list[str]) -> bool:
    """e is `recv.g()`, a call of a method of the receiver that returns one of the fields."""
    c = call_parts(e)
    if c is None or c[1] or not is_ident(selector_base(c[0]), recv):
        return False
    targets = an.program.resolve_expr_call(caller, c[0])
    return len(targets) == 1 and _returns_field(targets[0].function, fields)


def _failed_on_field(facts, cond, call: Op, recv: str, field: str) -> bool:
    """cond is `err != nil` for an `err` last assigned, before the call, from a call made on or with
    `recv.field` (`if _, err := io.WriteString(g.conn, line); err != nil { g.redial() }`): the field
    held a value that was just used and failed, and the store replaces it."""
    err = _nonnil_error(cond)
    if err is None:
        return False
    return _error_of_field_use(facts, err, call, recv, field)


def _error_of_field_use(facts, err: str, call: Op, recv: str, field: str) -> bool:
    """err was last assigned, before call, from a call made on or with `recv.field`."""
    used = _error_source(facts, err, call)
    return used is not None and any(_is_field(e, recv, field) for e in (selector_base(used.fn), *used.args))


def _error_source(facts, err: str, call: Op) -> Op | None:
    """The call whose result last assigned err before call, if err was assigned from one call."""
    ops = facts.ops
    at = ops.index(call)
    assigned = next(
        (op for op in reversed(ops[:at]) if op.kind == "assign" and any(is_ident(t, err) for t in op.targets)), None
    )
    n = call_number(assigned.args[0]) if assigned is not None and len(assigned.args) == 1 else None
    if n is None or not 0 <= n < len(ops):
        return None
    return ops[n]


def _error_of_method_using_fields(
    an: Analysis, caller: Function, err: str, call: Op, recv: str, fields: list[str], kind: Kind
) -> str:
    """`c.write` when err was last assigned from `c.write(...)`, a method of the same receiver whose
    body calls on or with one of the fields (`c.conn.SetWriteDeadline(...)`) and never closes it:
    its failure is the field's value failing, still held. "" otherwise."""
    used = _error_source(caller.facts, err, call)
    if used is None:
        return ""
    return _method_using_fields(an, caller, used, recv, fields, kind)


def _method_using_fields(an: Analysis, caller: Function, used: Op, recv: str, fields: list[str], kind: Kind) -> str:
    """`c.write` when used is a call of `c.write(...)`, a method of the same receiver whose body
    calls on or with one of the fields and never closes it; "" otherwise."""
    if used.kind != "call" or not is_ident(selector_base(used.fn), recv):
        return ""
    targets = an.program.resolve_call(caller, used)
    if len(targets) != 1:
        return ""
    g = targets[0].function
    grecv = g.facts.recv_name
    if not grecv or closes_fields(g, grecv, fields, kind):
        return ""
    for op in g.facts.ops:
        if op.kind == "call" and any(_is_field(e, grecv, f) for e in (selector_base(op.fn), *op.args) for f in fields):
            return render(used.fn)
    return ""


def _disjuncts(cond) -> list:
    """The operands of a chain of `||`: [a, b, c] for `a || b || c`, [cond] for anything else."""
    b = binary(cond)
    if b is None or b[0] != "||":
        return [cond]
    return _disjuncts(b[1]) + _disjuncts(b[2])


def replaced_under_own_guard(fn: Function, fields: list[str], store: Op, kind: Kind) -> Again | None:
    """The method stores the new value under an `if` whose condition also holds while the field is
    set and in use (`r.up == nil || r.up.queries >= max`, see _replacing_guard), closing none of the
    fields on the way: past the first call, each store there drops a live value."""
    recv = fn.facts.recv_name
    line, failed = _replacing_guard(fn, store, recv, fields)
    if not line or _closes_fields_on_the_way(fn, recv, fields, kind, store):
        return None
    return Again(fn, store, 0, guard_line=line, after_failure=failed, own_guard=True)


def replaced_past_a_partial_guard(an: Analysis, fn: Function, fields: list[str], store: Op, kind: Kind) -> Again | None:
    """The field version of entry_stored_past_a_partial_guard: an `if` on the way to the store leaves
    (`return`, `continue`) only when the field is set *and* something else holds (`if b :=
    g.current(); b != nil && b.addr == addr { return }`, the getter returning `g.backend`): when the
    other condition fails with the field set, the store drops the live value. Only when nothing on
    the way closes the field."""
    recv = fn.facts.recv_name
    if not recv or _closes_fields_on_the_way(fn, recv, fields, kind, store):
        return None
    facts = fn.facts
    around = set(enclosing_regions(facts, store.region))
    for r, reg in enumerate(facts.regions):
        if reg.kind != "if" or reg.parent not in around or reg.line >= store.line or not is_expr(reg.info):
            continue
        held = _field_locals(an, fn, reg, recv, fields)
        conjuncts = _conjuncts(reg.info)
        set_tests = [c for c in conjuncts if _field_set_test(c, recv, fields, held)]
        others = [c for c in conjuncts if not _field_set_test(c, recv, fields, held)]
        if not set_tests or not others:
            continue
        if not any(
            o.region == r and (o.kind == "return" or (o.kind == "jump" and o.mode == "continue")) for o in facts.ops
        ):
            continue
        return Again(fn, store, 0, partial_guard=(reg.line, " && ".join(render(c) for c in others)))
    return None


def _field_locals(an: Analysis, fn: Function, reg, recv: str, fields: list[str]) -> set[str]:
    """Locals the `if` statement binds in its init from one of the fields, read directly or through a
    getter of the receiver whose every return hands back that field (`if b := g.current(); ...`)."""
    out = set()
    for op in fn.facts.ops:
        if op.kind != "assign" or len(op.args) != 1 or len(op.targets) != 1 or op.line != reg.line:
            continue
        if op.region != reg.parent:
            continue
        name = ident(op.targets[0])
        value = op.args[0]
        sel = selector(value)
        if name and sel is not None and is_ident(sel[0], recv) and sel[1] in fields:
            out.add(name)
            continue
        got = call_parts(value)
        getter = selector(got[0]) if got is not None and not got[1] else None
        if name is None or getter is None or not is_ident(getter[0], recv):
            continue
        number = call_number(value)
        call = fn.facts.ops[number] if number is not None and 0 <= number < len(fn.facts.ops) else None
        targets = an.program.resolve_call(fn, call) if call is not None and call.kind == "call" else []
        if len(targets) == 1 and _returns_field(targets[0].function, fields):
            out.add(name)
    return out


def _returns_field(getter: Function, fields: list[str]) -> bool:
    returns = [o for o in getter.facts.ops if o.kind == "return"]
    recv = getter.facts.recv_name
    return bool(returns) and all(
        len(o.args) == 1 and (sel := selector(o.args[0])) is not None and is_ident(sel[0], recv) and sel[1] in fields
        for o in returns
    )


def _field_set_test(cond, recv: str, fields: list[str], held: set[str]) -> bool:
    """`recv.f != nil` for one of the fields, or `b != nil` for a local bound from one."""
    other = nil_compared(cond, "!=")
    if other is None:
        return False
    if ident(other) in held:
        return True
    sel = selector(other)
    return sel is not None and is_ident(sel[0], recv) and sel[1] in fields


def _only_when_nil(caller: Function, call: Op, recv: str, fields: list[str]) -> bool:
    """The call sits under an `if` that requires one of the fields to be nil (`if a.conn == nil {`, or
    `a.conn == nil && ...`): when it runs, the field holds nothing to close."""
    facts = caller.facts
    for r in enclosing_regions(facts, call.region):
        reg = facts.regions[r]
        if reg.kind == "if" and is_expr(reg.info):
            if any(_is_nil_test(c, recv, f) for c in _conjuncts(reg.info) for f in fields):
                return True
    return False


def _is_nil_test(cond, recv: str, field: str) -> bool:
    """`recv.field == nil` (either side)."""
    return _is_field(nil_compared(cond, "=="), recv, field)


def _reads_through(facts, cond, recv: str, field: str) -> bool:
    """cond reads something of the value in `recv.field`: `recv.field.x`, or calls a method on it."""
    for sub in subexprs(cond):
        n = call_number(sub)
        target = facts.ops[n].fn if n is not None and 0 <= n < len(facts.ops) else sub
        if _is_field(selector_base(target), recv, field):
            return True
    return False


def closes_fields(fn: Function, recv: str, fields: list[str], kind: Kind) -> bool:
    """fn (or a closure in it) closes one of the receiver's fields (`c.conn.Close()`), each
    element of one (`for _, cc := range c.conns { cc.Close() }`), or a local it copied one into
    (`prev := s.conn; s.conn = conn; ...; prev.Close()`, the swap)."""
    return bool(_field_closes(fn, recv, fields, kind, list(ops_with_literals(fn))))


def _closes_fields_on_the_way(fn: Function, recv: str, fields: list[str], kind: Kind, call: Op) -> bool:
    """fn closes one of the fields (as `closes_fields` reads it) on the way to the call: in fn's
    own body (not a literal, not deferred), before the call, in a region around it. A close on
    another branch of a loop (`default: c.conn.Close(); c.reconnect()` beside `case
    isTimeout(err): c.reconnect()`) or in a deferred closure does not close what the call's
    store replaces."""
    ops = fn.facts.ops
    at = next((i for i, o in enumerate(ops) if o is call), len(ops))
    around = set(enclosing_regions(fn.facts, call.region))
    own = {id(o) for o in ops}
    regions = fn.facts.regions
    for op in _field_closes(fn, recv, fields, kind, list(ops_with_literals(fn))):
        if id(op) not in own or op.mode == "defer":
            continue
        if ops.index(op) < at and (op.region in around or _nil_guarded_close(regions, op, around)):
            return True
    return False


def _nil_guarded_close(regions, op: Op, around: set) -> bool:
    """`if p.peer != nil { p.peer.Close() }` in a block around the store: the close of whatever the
    field holds, skipped only when it holds nothing."""
    reg = regions[op.region] if op.region >= 0 else None
    if reg is None or reg.kind != "if" or reg.parent not in around or not is_expr(reg.info):
        return False
    tested = nil_compared(reg.info, "!=")
    return tested is not None and render(tested) == render(selector_base(op.fn))


def _field_closes(fn: Function, recv: str, fields: list[str], kind: Kind, ops: list[Op]) -> list[Op]:
    """The close ops of `closes_fields` among ops."""
    elements = set()
    for op in ops:
        over = selector(ranged(op.args[0])) if op.kind == "assign" and len(op.args) == 1 else None
        if over is not None and len(op.targets) == 2 and is_ident(over[0], recv) and over[1] in fields:
            element = ident(op.targets[1])
            if element is not None:
                elements.add(element)
        if op.kind == "assign" and len(op.args) == len(op.targets):
            for t, v in zip(op.targets, op.args, strict=True):
                copy = ident(t)
                if copy is not None and any(_is_field(v, recv, f) for f in fields):
                    elements.add(copy)
    out = []
    for op in ops:
        if op.kind != "call" or selected_name(op.fn) not in kind.closers:
            continue
        base = selector_base(op.fn)
        if root_ident(base) in elements or _in_field(base, recv, fields):
            out.append(op)  # `s.conn.Close()` on a ranged element closes what the element holds
    return out


def _in_field(base, recv: str, fields: list[str]) -> bool:
    """base is `recv.f` for one of the fields, or a path inside it (`r.up.conn`: the connection a
    struct in the field holds, closed where it sits)."""
    sel = selector(base)
    while sel is not None:
        if is_ident(sel[0], recv):
            return sel[1] in fields
        sel = selector(sel[0])
    return False


def _repeating_loop(an: Analysis, caller: Function, call: Op) -> int:
    """The line of the innermost loop around the call when it goes round again after the call succeeds; 0 if not."""
    view = an.view(caller)
    loops = view.loops_around(call.region)
    if not loops:
        return 0
    loop = loops[0]
    ops = caller.facts.ops
    after = False
    for op in ops:
        if op is call:
            after = True
            continue
        if not after or not view.in_region(op.region, loop):
            continue
        leaves = op.kind == "return" or (op.kind == "jump" and op.mode == "break" and view.jump_target(op) == loop)
        if not leaves:
            continue
        below = view.regions_below(op.region, loop)
        if not below or any(_on_success(view.regions[r]) for r in below):
            return 0  # leaves once the call has succeeded: a retry loop
    return view.regions[loop].line


def _on_success(reg) -> bool:
    """The branch holds when an error is nil: `if err == nil {`, `if c.connect() == nil {`, or the `else`
    of `if err != nil {`."""
    b = binary(reg.info) if reg.kind in ("if", "else") and is_expr(reg.info) else None
    if b is None:
        return False
    op, left, right = b
    tested = left if is_nil(right) else right if is_nil(left) else None
    # `err == nil`, or the call's own error tested in place (`if p.connect() == nil { break }`)
    if tested is None or (ident(tested) is None and call_parts(tested) is None):
        return False
    return (reg.kind == "if" and op == "==") or (reg.kind == "else" and op == "!=")


def map_field_store(an: Analysis, fn: Function, start: int, holders: dict[str, Holder], kind: Kind):
    """(field, key, the store, the entry written) when the method's one hand-off of the resource after
    op `start` is `recv.f[key] = v` into a map field of its receiver; None otherwise (released, or
    handed anywhere else). One walk, shared by the judges of map entries below."""
    recv = fn.facts.recv_name
    if not recv:
        return None
    found = None
    for i, op in enumerate(fn.facts.ops[start + 1 :], start + 1):
        if op.kind not in ("assign", "call", "send"):
            continue
        eff = an.op_effect(fn, op, holders, kind)
        if eff == RELEASE and _cleanup_then_leaves(fn.facts, i):
            continue  # `if err := rw.Flush(); err != nil { conn.Close(); return }`: a failure's way out
        if eff == RELEASE:
            return None
        if eff != ESCAPE:
            continue
        if op.kind != "assign" or len(op.targets) != len(op.args) or found is not None:
            return None
        for t, v in zip(op.targets, op.args, strict=True):
            if _value_ref(v, holders) is None:
                continue
            ix = index(t)
            sel = selector(ix[0]) if ix is not None else None
            if ix is None or sel is None or not is_ident(sel[0], recv):
                return None
            found = (sel[1], ix[1], op, t)
    return found


def entry_store(fn: Function, stored) -> tuple[str, int, Op] | None:
    """(field, index of the key parameter, the store) for a map-field store (`map_field_store`) keyed
    by a parameter (returning it too is fine: the caller borrows what the map owns); None otherwise."""
    if stored is None:
        return None
    field, key, store, _target = stored
    params = [p for p, _t in fn.facts.params]
    name = ident(key)
    return (field, params.index(name), store) if name in params else None


def entry_replaced(an: Analysis, fn: Function, field: str, key_index: int, kind: Kind) -> Again | None:
    """A caller on the same receiver calls fn with a key whose entry it read (`c, ok := u.conns[addr]`)
    or stored through fn before, on the same path: fn's store then replaces a live entry without
    closing it. Only when fn itself never reads, deletes or closes the map's entries."""
    recv = fn.facts.recv_name
    if closes_fields(fn, recv, [field], kind) or _touches_entries(fn, recv, field, skip_targets=True):
        return None
    for caller, call in an.program.callers(fn):
        crecv = _same_value_base(caller, call)
        if crecv is None or call.mode != "plain":
            continue
        if key_index >= len(call.args) or closes_fields(caller, crecv, [field], kind):
            continue
        key = render(call.args[key_index])
        facts = caller.facts
        ops = facts.ops
        at = ops.index(call)
        call_chain = list(enclosing_regions(facts, call.region))
        ranged = _ranged_entry_key(facts, at, call_chain, crecv, field, key, kind)
        if ranged is not None:
            return Again(caller, call, 0, ranged)
        for op in ops[:at]:
            if op.kind == "call" and selected_name(op.fn) == "delete":
                break  # an entry deleted on the way: not judged
            seen = (
                _reads_entry(op, crecv, field, key)
                or (
                    op.kind == "call"
                    and op is not call
                    and selected_name(op.fn) == selected_name(call.fn)
                    and is_ident(selector_base(op.fn), crecv)
                    and key_index < len(op.args)
                    and render(op.args[key_index]) == key
                )
                or _stores_entry_through(an, caller, op, call, crecv, field, key)
            )
            if seen and _absent_on_the_call(facts, op, call_chain):
                continue  # `c, ok := u.conns[addr]; if !ok { u.connect(addr) }`: no entry to replace there
            if seen and op.kind == "call" and _retry_after_failure(facts, op, call_chain):
                continue  # `if _, err := u.connect(a); err != nil { u.connect(a) }`: the first stored nothing
            if seen and not exclusive_branches(facts, list(enclosing_regions(facts, op.region)), call_chain):
                return Again(caller, call, 0, op)
    return None


def entry_replaced_in_place(
    an: Analysis, fn: Function, field: str, key_index: int, store: Op, kind: Kind
) -> Again | None:
    """fn itself looks the entry up and returns it only when a check on it passes (`if conn, ok :=
    c.conns[addr]; ok && alive(conn) { return conn, nil }`), then stores a fresh one under the same
    key: an entry that exists but fails the check is replaced without being closed. Only when
    nothing between the lookup and the store closes the looked-up value or deletes an entry."""
    recv = fn.facts.recv_name
    params = [p for p, _t in fn.facts.params]
    if not recv or key_index >= len(params):
        return None
    key = params[key_index]
    facts = fn.facts
    ops = facts.ops
    at = ops.index(store)
    store_chain = set(enclosing_regions(facts, store.region))
    for i, op in enumerate(ops[:at]):
        if op.kind != "assign" or len(op.targets) != 2 or len(op.args) != 1 or index(op.args[0]) is None:
            continue
        if not _reads_entry(op, recv, field, key):
            continue
        value, ok = ident(op.targets[0]), ident(op.targets[1])
        if not value or not ok or value == "_" or ok == "_":
            continue
        between = ops[i + 1 : at]
        closes_or_deletes = (
            o.kind == "call"
            and (
                selected_name(o.fn) == "delete"
                or (selected_name(o.fn) in kind.closers and is_ident(selector_base(o.fn), value))
            )
            for o in between
        )
        if any(closes_or_deletes):
            return None
        for o in between:
            if o.kind != "return" or o.region < 0 or o.region in store_chain:
                continue
            reg = facts.regions[o.region]
            b = binary(reg.info) if reg.kind == "if" and is_expr(reg.info) else None
            if b is None or b[0] != "&&" or not is_ident(b[1], ok) or value not in idents_in(b[2], set()):
                continue
            if not any(is_ident(a, value) for a in o.args):
                continue  # `return conn, nil`: the entry handed out when the check passes
            return Again(fn, store, 0, entry_seen=op, guard_line=reg.line)
    return None


def entry_stored_for_every_key_again(an: Analysis, fn: Function, stored, kind: Kind) -> tuple[str, Op, Again] | None:
    """(the entry as written, the store, how it is replaced) when the method stores into a map field of
    its receiver, unconditionally in each round of a range over a map field of the receiver whose key
    is the store's key (`for name, d := range r.dests { c, err := r.dial(...); ...; r.conns[name] = c
    }`), never reading, deleting or closing that map's entries itself, and a caller runs it again on
    the same value in a loop: from the second run on every store replaces a live entry."""
    recv = fn.facts.recv_name
    if stored is None or not recv:
        return None
    field, key, store, target = stored
    name = ident(key)
    facts = fn.facts
    if name is None or closes_fields(fn, recv, [field], kind) or _touches_entries(fn, recv, field, skip_targets=True):
        return None
    loop = innermost_loop(facts, store.region)
    if loop is None or facts.regions[loop].kind != "range":
        return None
    bind = next(
        (
            o
            for o in facts.ops
            if o.kind == "assign"
            and len(o.args) == 1
            and ranged(o.args[0]) is not None
            and o.targets
            and is_ident(o.targets[0], name)
            and o.line == facts.regions[loop].line
        ),
        None,
    )
    over = selector(ranged(bind.args[0])) if bind is not None else None
    if over is None or not is_ident(over[0], recv):
        return None
    chain = list(enclosing_regions(facts, store.region))
    if any(facts.regions[r].kind not in ("block", "body") for r in chain[: chain.index(loop)]):
        return None  # a store under a condition in the round: not made for every key
    for caller, call in an.program.callers(fn):
        if call.mode != "plain" or _same_value_base(caller, call) is None:
            continue
        line = _repeating_loop(an, caller, call)
        if line:
            again = Again(caller, call, line, every_key_of=f"{recv}.{over[1]}")
            return render(target), store, again
    return None


def entry_replaced_by_a_reconciler(fn: Function, stored, kind: Kind) -> tuple[str, Op, Again] | None:
    """(the entry as written, the store, how it is replaced) when fn stores a fresh resource under
    each key of a `range` over a parameter (`for _, n := range nodes { c, _ := dial(n); h.links[n] = c
    }`, or under `n.ID`) without reading the entry first, and, before or after, ranges over the map
    closing (and deleting) the entries whose keys it was not given: a reconciliation, run again
    whenever the set changes, which keeps the given keys' entries, so each run replaces them without
    closing them."""
    if stored is None:
        return None
    field, key, store, target = stored
    recv = fn.facts.recv_name
    name = ident(key) or ident(selector_base(key))  # `h.links[n]`, `s.conns[n.ID]`
    facts = fn.facts
    ops = facts.ops
    at = ops.index(store)
    params = {p for p, _t in facts.params}
    loop = next(
        (
            o
            for o in ops[:at]
            if o.kind == "assign"
            and len(o.args) == 1
            and (over := ranged(o.args[0])) is not None
            and ident(over) in params
            and name is not None
            and any(is_ident(t, name) for t in o.targets)
            and facts.regions[o.region].kind == "range"
            and o.region in enclosing_regions(facts, store.region)
        ),
        None,
    )
    if loop is None or not recv:
        return None
    reconciler = None
    for i, op in enumerate(ops):
        over = ranged(op.args[0]) if op.kind == "assign" and len(op.args) == 1 else None
        sel = selector(over) if over is not None else None
        if sel is None or not is_ident(sel[0], recv) or sel[1] != field or len(op.targets) != 2:
            continue
        value = ident(op.targets[1])
        if value is None or facts.regions[op.region].kind != "range" or op.region == loop.region:
            continue
        closing = [
            o
            for o in ops[i + 1 :]
            if o.kind == "call"
            and selected_name(o.fn) in kind.closers
            and is_ident(selector_base(o.fn), value)
            and op.region in enclosing_regions(facts, o.region)
            and o.region != op.region
        ]
        if closing and (i > at or all(_under_a_negated_test(facts, o, op.region) for o in closing)):
            # before the stores, only a close of the keys not wanted (`if !want[id]`): closing the
            # wanted ones' entries first (`if want[id]`) is what makes their replacement safe
            reconciler = op
            break
    if reconciler is None:
        return None
    for op in ops[:at]:
        if op.kind == "call" and selected_name(op.fn) == "delete":
            if reconciler.region in enclosing_regions(facts, op.region):
                continue  # the reconciliation's own delete of an entry it closes
            return None
        if op is not store and any(_reads_entry(op, recv, field, render(k)) for k in (key,)):
            return None  # it looks the entry up: the look-up judges say what happens then
    return render(target), store, Again(fn, store, facts.regions[loop.region].line, reconciled_by=reconciler)


def _under_a_negated_test(facts, op: Op, stop: int) -> bool:
    """op sits under an `if !x` (a negated condition) inside the region stop."""
    for r in enclosing_regions(facts, op.region):
        if r == stop:
            return False
        reg = facts.regions[r]
        if reg.kind == "if" and is_expr(reg.info) and unary_operand(reg.info, "!") is not None:
            return True
    return False


def _stores_entry_through(an: Analysis, caller: Function, op: Op, call: Op, recv: str, field: str, key: str) -> bool:
    """op is a call, on the same value, of another method of its type that stores the entry under the
    same key (`c, err := p.get(addr)`, `get` doing `p.conns[addr] = c` when it has none): once it
    has returned without failing, the entry is live."""
    if op.kind != "call" or op is call or not is_ident(selector_base(op.fn), recv):
        return False
    if selected_name(op.fn) == selected_name(call.fn):
        return False  # the storing method itself: judged above
    targets = an.program.resolve_call(caller, op)
    if len(targets) != 1:
        return False
    method = targets[0].function
    mrecv = method.facts.recv_name
    params = [p for p, _t in method.facts.params]
    at = [k for k, a in enumerate(op.args) if render(a) == key]
    if not mrecv or len(at) != 1 or at[0] >= len(params):
        return False
    mkey = params[at[0]]
    for o in method.facts.ops:
        if o.kind != "assign":
            continue
        for t in o.targets:
            ix = index(t)
            if ix is None:
                continue
            sel = selector(ix[0])
            if sel is not None and is_ident(sel[0], mrecv) and sel[1] == field and is_ident(ix[1], mkey):
                return True
    return False


def _ranged_entry_key(facts, at: int, call_chain: list, recv: str, field: str, key: str, kind: Kind) -> Op | None:
    """The `for key, v := range recv.field {` (or over a local copy of it, filled by ranging the field
    with its own keys) around the call at index `at`, when nothing in the loop deletes an entry or
    closes `v` before the call: every key the loop gives names a live entry. The range's op, else None."""
    ops = facts.ops
    for i, op in enumerate(ops[:at]):
        if op.kind != "assign" or len(op.args) != 1 or op.region not in call_chain or not op.targets:
            continue
        over = ranged(op.args[0])
        if over is None or not is_ident(op.targets[0], key):
            continue
        if not (_is_field(over, recv, field) or _copy_of_field(facts, ident(over), recv, field)):
            continue
        value = ident(op.targets[1]) if len(op.targets) > 1 else None
        for o in ops[i + 1 : at]:
            if op.region not in enclosing_regions(facts, o.region):
                continue
            if o.kind != "call":
                continue
            if is_ident(o.fn, "delete"):
                return None
            if selected_name(o.fn) in kind.closers and value and is_ident(selector_base(o.fn), value):
                return None  # `s.Close(); p.reconnect(node)`: the old one closed first
        return op
    return None


def _is_field(e, recv: str, field: str) -> bool:
    sel = selector(e)
    return sel is not None and is_ident(sel[0], recv) and sel[1] == field


def _copy_of_field(facts, name: str | None, recv: str, field: str) -> bool:
    """`snap := make(map...); for k, v := range recv.field { snap[k] = v }`: name holds the field's
    own entries under their own keys, and is given nothing else."""
    if not name:
        return False
    copied = False
    for op in facts.ops:
        if op.kind != "assign":
            continue
        for t, v in zip(op.targets, op.args, strict=False):
            if is_ident(t, name) and not is_make_call(v):
                return False
            ix = index(t)
            if ix is None or not is_ident(ix[0], name):
                continue
            loop = next(
                (
                    r
                    for r in facts.ops
                    if r.kind == "assign"
                    and r.region == op.region
                    and len(r.args) == 1
                    and _is_field(ranged(r.args[0]), recv, field)
                    and len(r.targets) == 2
                    and is_ident(r.targets[0], render(ix[1]))
                    and is_ident(v, render(r.targets[1]))
                ),
                None,
            )
            if loop is None:
                return False
            copied = True
    return copied


def _same_value_base(caller: Function, call: Op) -> str | None:
    """The name the call is made on when it stands for one value through the caller: its receiver, or
    a local assigned once (`p := &pool{...}; p.refresh(a); p.refresh(a)`)."""
    base = ident(selector_base(call.fn))
    if base is None:
        return None
    if base == caller.facts.recv_name:
        return base
    if any(p == base for p, _t in caller.facts.params):
        # a parameter never assigned (`func ping(p *pool, addr string)`): one value throughout
        return base if not any(True for _ in assignments_to(caller, base)) else None
    own = len(list(assignments_to(caller, base)))
    if own:
        return base if own == 1 else None
    # a variable the literal captures (`go func() { for range tick { r.rebalance() } }()`): one value
    # when the function declaring it assigns it once
    outer = caller.parent
    while outer is not None:
        given = len(list(assignments_to(outer, base)))
        if given:
            return base if given == 1 else None
        if any(p == base for p, _t in outer.facts.params):
            return None
        outer = outer.parent
    return None


def _absent_on_the_call(facts, read: Op, call_chain: list) -> bool:
    """The read is `v, ok := m[k]` and the call sits under `if !ok` (or `ok == false`, or the `else` of
    `if ok`): on that path the map had no entry for the key."""
    if read.kind != "assign" or len(read.targets) != 2 or len(read.args) != 1 or index(read.args[0]) is None:
        return False
    ok = ident(read.targets[1])
    if ok is None or ok == "_":
        return False
    for r in call_chain:
        reg = facts.regions[r]
        if reg.kind not in ("if", "else") or not is_expr(reg.info):
            continue
        cond = reg.info
        negated = is_ident(unary_operand(cond, "!"), ok)
        b = binary(cond)
        false_test = b is not None and b[0] == "==" and is_ident(b[1], ok) and render(b[2]) == "false"
        if (reg.kind == "if" and (negated or false_test)) or (reg.kind == "else" and is_ident(cond, ok)):
            return True
    return False


def _retry_after_failure(facts, first: Op, call_chain: list) -> bool:
    """The later call sits under `if err != nil` for the error the first call's assignment received."""
    ops = facts.ops
    number = ops.index(first)
    consumer = next(
        (o for o in ops[number + 1 :] if o.kind == "assign" and any(call_number(a) == number for a in o.args)), None
    )
    err = ident(consumer.targets[-1]) if consumer is not None and consumer.targets else None
    if err is None or err == "_":
        return False
    for r in call_chain:
        reg = facts.regions[r]
        b = binary(reg.info) if reg.kind == "if" and is_expr(reg.info) else None
        if b is not None and b[0] == "!=" and is_ident(b[1], err) and is_nil(b[2]):
            return True
    return False


def _reads_entry(op: Op, recv: str, field: str, key: str) -> bool:
    """op reads `recv.field[key]` (a lookup, not a store into it)."""
    for e in (op.fn, *op.args):
        if e is None or not is_expr(e):
            continue
        for x in subexprs(e):
            ix = index(x)
            if ix is None:
                continue
            sel = selector(ix[0])
            if sel is not None and is_ident(sel[0], recv) and sel[1] == field and render(ix[1]) == key:
                return True
    return False


def _touches_entries(fn: Function, recv: str, field: str, skip_targets: bool) -> bool:
    """fn reads an entry of `recv.field` or deletes one: it knows what the map already holds."""
    for op in ops_with_literals(fn):
        if op.kind == "call" and selected_name(op.fn) == "delete":
            return True
        for e in (op.fn, *op.args) if skip_targets else (op.fn, *op.args, *op.targets):
            if e is None or not is_expr(e):
                continue
            for x in subexprs(e):
                ix = index(x)
                sel = selector(ix[0]) if ix is not None else None
                if sel is not None and is_ident(sel[0], recv) and sel[1] == field:
                    return True
    return False


def entry_overwritten_beside_a_cache(an: Analysis, fn: Function, field: str, store: Op, kind: Kind) -> Again | None:
    """fn stores into the map field without reading, deleting or closing its entries, while a sibling
    method of the type serves the map as a cache of live values: it looks an entry up and returns it
    when found (`if sc, ok := g.routes[room]; ok { return sc, nil }`), and fills it otherwise. fn's
    store then drops the cached value of its key, open."""
    recv = fn.facts.recv_name
    if not recv or closes_fields(fn, recv, [field], kind) or _touches_entries(fn, recv, field, skip_targets=True):
        return None
    for sibling in _methods_of_receiver_type(fn):
        srecv = sibling.facts.recv_name
        if sibling is fn or not srecv:
            continue
        if closes_fields(sibling, srecv, [field], kind):
            continue
        lookup = _cache_hit(sibling, srecv, field)
        if lookup is not None:
            return Again(fn, store, 0, cached_by=(sibling, lookup))
    return None


def _cache_hit(fn: Function, recv: str, field: str) -> Op | None:
    """`if v, ok := recv.field[k]; ok { return v, ... }` in fn, which also stores into recv.field: the
    look-up whose value fn hands out."""
    facts = fn.facts
    stores = any(
        op.kind == "assign" and any((ix := index(t)) is not None and _is_field(ix[0], recv, field) for t in op.targets)
        for op in facts.ops
    )
    if not stores:
        return None
    for op in facts.ops:
        if op.kind != "assign" or len(op.args) != 1 or len(op.targets) != 2:
            continue
        ix = index(op.args[0])
        value, found = ident(op.targets[0]), ident(op.targets[1])
        if ix is None or not _is_field(ix[0], recv, field) or not value or not found:
            continue
        for r, reg in enumerate(facts.regions):
            if reg.kind != "if" or reg.line != op.line or not is_ident(reg.info, found):
                continue
            if any(o.kind == "return" and o.region == r and o.args and is_ident(o.args[0], value) for o in facts.ops):
                return op
    return None


def replaced_unlike_a_sibling(an: Analysis, fn: Function, fields: list[str], store: Op, kind: Kind) -> Again | None:
    """fn stores a fresh resource over `recv.f` without closing it first, where a sibling method of
    the same type closes `recv.f` and then stores a new one into it (`redial`: `r.conn.Close();
    ...; r.conn = c`): the author's own word that the field holds a live value that must be closed
    before it is replaced. Not when fn closes the field, or decides the store on a nil test of it
    (`if r.conn == nil {`) or leaves when it is set (`if r.conn != nil { return }`)."""
    recv = fn.facts.recv_name
    if not recv or closes_fields(fn, recv, fields, kind) or _nil_guarded(fn, recv, fields, store):
        return None
    if not an.program.callers(fn) and not fn.facts.name[:1].isupper():
        return None
    for sibling in an.program.package_functions(fn.pkg.path):
        srecv = sibling.facts.recv_name
        if sibling is fn or not srecv or sibling.parent is not None or sibling.facts.recv != fn.facts.recv:
            continue
        close = _close_then_store(sibling, srecv, fields, kind)
        if close is not None:
            return Again(sibling, close, 0, closed_first_by=(sibling, close))
    return None


def _called_by_an_exported_sibling(an: Analysis, method: Function) -> bool:
    """An exported method of the same type calls the unexported `method` on its own receiver
    (`Send` calling `s.reconnect(client)`): its users run it as often as they call that one."""
    for caller, call in an.program.callers(method):
        crecv = caller.facts.recv_name
        if (
            crecv
            and caller.parent is None
            and caller.facts.recv == method.facts.recv
            and caller.facts.name[:1].isupper()
            and call.mode == "plain"
            and is_ident(selector_base(call.fn), crecv)
        ):
            return True
    return False


def replaced_after_construction(an: Analysis, fn: Function, fields: list[str], kind: Kind) -> Again | None:
    """fn stores a fresh resource in `recv.f`; a constructor of the type calls fn on the value it has
    just built, before returning it (`c := &Client{...}; if err := c.connect(addr); ... return c`), so
    every value it hands out holds a live one; and an exported method of the type calls fn again on
    its own receiver (`Failover`: `return c.connect(addr)`), neither closing the fields on the way nor
    deciding the call on a nil test of them: that call drops the live one."""
    recv = fn.facts.recv_name
    if not recv or closes_fields(fn, recv, fields, kind):
        return None
    built = None
    again = None
    for caller, call in an.program.callers(fn):
        if call.mode != "plain" or caller.parent is not None:
            continue
        crecv = caller.facts.recv_name
        if crecv and caller.facts.recv == fn.facts.recv and is_ident(selector_base(call.fn), crecv):
            if (
                again is None
                and (caller.facts.name[:1].isupper() or _called_by_an_exported_sibling(an, caller))
                and innermost_loop(caller.facts, call.region) is None
            ):
                if not closes_fields(caller, crecv, fields, kind) and not _nil_guarded(caller, crecv, fields, call):
                    again = (caller, call)
            continue
        if not crecv and built is None and _constructs_with(caller, call, fn):
            built = (caller, call)
    if built is None or again is None:
        return None
    return Again(again[0], again[1], 0, constructed_by=built)


def _constructs_with(caller: Function, call: Op, fn: Function) -> bool:
    """caller builds a value of fn's receiver type in a local (`c := &Client{...}`), calls fn on it
    on its straight line (call), and every `return` of that local comes after the call."""
    base = ident(selector_base(call.fn))
    if base is None or call.region != 0:
        return False
    ops = caller.facts.ops
    tname = (fn.facts.recv or "").lstrip("*")
    made = [
        o
        for o in ops
        if o.kind == "assign"
        and len(o.targets) == 1
        and is_ident(o.targets[0], base)
        and len(o.args) == 1
        and (composite(strip_address(o.args[0])) or ("",))[0].lstrip("*").split(".")[-1] == tname
    ]
    if len(made) != 1:
        return False
    at = ops.index(call)
    returns = [k for k, o in enumerate(ops) if o.kind == "return" and any(is_ident(a, base) for a in o.args)]
    return bool(returns) and all(k > at for k in returns) and ops.index(made[0]) < at


def _close_then_store(fn: Function, recv: str, fields: list[str], kind: Kind) -> Op | None:
    """fn's plain close of `recv.f` followed later by a store into `recv.f` of something other than nil."""
    ops = fn.facts.ops
    for k, op in enumerate(ops):
        if op.kind != "call" or op.mode != "plain" or selected_name(op.fn) not in kind.closers:
            continue
        sel = selector(selector_base(op.fn))
        if sel is None or not is_ident(sel[0], recv) or sel[1] not in fields:
            continue
        for later in ops[k + 1 :]:
            if later.kind != "assign" or len(later.targets) != len(later.args):
                continue
            for t, v in zip(later.targets, later.args, strict=True):
                if _is_field(t, recv, sel[1]) and not is_nil(v):
                    return op
    return None


def _nil_guarded(fn: Function, recv: str, fields: list[str], store: Op) -> bool:
    """The store sits under `if recv.f == nil` (any `||` operand), or an earlier `if` tests
    `recv.f != nil` (or reads the field in its condition) and returns: fn replaces only a nil field."""
    facts = fn.facts
    for r in enclosing_regions(facts, store.region):
        reg = facts.regions[r]
        if reg.kind != "if" or not is_expr(reg.info):
            continue
        if any(_is_nil_test(o, recv, f) for o in _disjuncts(reg.info) for f in fields):
            return True
    for op in facts.ops[: facts.ops.index(store)]:
        if op.kind != "return" or op.region < 0:
            continue
        reg = facts.regions[op.region]
        b = binary(reg.info) if reg.kind == "if" and is_expr(reg.info) else None
        if b is not None and b[0] == "!=" and any(_is_field(x, recv, f) for x in (b[1], b[2]) for f in fields):
            return True
    return False


def entry_stored_past_a_partial_guard(fn: Function, stored, kind: Kind) -> tuple[str, Op, Again] | None:
    """(the entry as written, the store, how it is replaced) for the method's one hand-off of the
    resource into a map field of its receiver (`map_field_store`), when an `if` on the way to it leaves
    the round (`continue`, `return`) only when the entry is set *and* another condition holds (`if
    g.topology[r] == addr && g.upstreams[r] != nil { continue }`): when the other condition fails
    with the entry set, the store replaces a live entry without closing it. Only when the method
    neither deletes entries of the map nor closes any of them."""
    recv = fn.facts.recv_name
    if stored is None:
        return None
    field, key, store, target = stored
    facts = fn.facts
    if _entry_dropped_before(facts, facts.ops.index(store), recv, field, kind):
        return None
    around = set(enclosing_regions(facts, store.region))
    for r, reg in enumerate(facts.regions):
        if reg.kind != "if" or reg.parent not in around or reg.line >= store.line or not is_expr(reg.info):
            continue
        conjuncts = _conjuncts(reg.info)
        looked_up = _entry_lookups(facts, r, recv, field, key)
        for companion in _companion_maps(fn, recv, field, key, store):
            looked_up.update(
                {n: "found" for n, how in _entry_lookups(facts, r, recv, companion, key).items() if how == "found"}
            )
        set_tests = [c for c in conjuncts if _entry_set_test(c, recv, field, key, looked_up)]
        others = [c for c in conjuncts if not _entry_set_test(c, recv, field, key, looked_up)]
        if not set_tests or not others:
            continue
        if not any(
            o.region == r and (o.kind == "return" or (o.kind == "jump" and o.mode == "continue")) for o in facts.ops
        ):
            continue
        other = " && ".join(render(c) for c in others)
        return render(target), store, Again(fn, store, 0, partial_guard=(reg.line, other))
    return None


def entry_keyed_by_the_request(an: Analysis, fn: Function, stored, kind: Kind) -> tuple[str, Op, Again] | None:
    """(the entry as written, the store, how it is replaced) for an HTTP handler method (`ServeHTTP(w,
    r)`, or any method given a `*http.Request`) that stores the resource into a map field of its
    receiver under a key the request supplies (`h.subs[r.URL.Query().Get("client")] = sub`, directly
    or through a local given it once), without looking at, deleting or closing the entries, while a
    sibling method closes what the map holds. The handler runs for every request and a client can
    send the same key twice (a reconnect): the second store drops the live entry without closing it."""
    recv = fn.facts.recv_name
    if stored is None or not recv:
        return None
    field, key, store, target = stored
    request = next((p for p, t in fn.facts.params if p and an.program.qualify(t, fn.file) == "*net/http#Request"), None)
    if request is None:
        return None
    if closes_fields(fn, recv, [field], kind) or _touches_entries(fn, recv, field, skip_targets=True):
        return None
    source, line = key, store.line
    name = ident(key)
    if name is not None:
        given = list(assignments_to(fn, name))
        if len(given) != 1:
            return None
        op, at = given[0]
        if len(op.args) != len(op.targets):
            return None
        source, line = op.args[at], op.line
    if _call_root(source) != request:
        return None
    closer = next(
        (
            m
            for m in _methods_of_receiver_type(fn)
            if m is not fn and m.facts.recv_name and closes_fields(m, m.facts.recv_name, [field], kind)
        ),
        None,
    )
    if closer is None:
        return None
    again = Again(fn, store, 0, request_key=(line, render(source)), closed_by=closer)
    return render(target), store, again


def _call_root(e) -> str | None:
    """The name a chain of selectors and method calls starts from (`r` of `r.URL.Query().Get("k")`)."""
    while True:
        c = call_parts(e)
        if c is not None:
            e = c[0]
            continue
        sel = selector(e)
        if sel is None:
            return ident(e)
        e = sel[0]


def _companion_maps(fn: Function, recv: str, field: str, key, store: Op) -> list[str]:
    """Map fields of the receiver written under the same key right beside the store, in its block
    (`m.streams[svc] = conn; m.gens[svc] = gen`), whose entries every method of the type that
    deletes one of `field` deletes too: an entry set there means one set in `field`."""
    out = []
    for op in fn.facts.ops:
        if op.kind != "assign" or op.region != store.region or op is store or len(op.targets) != 1:
            continue
        ix = index(op.targets[0])
        if ix is None:
            continue
        sel = selector(ix[0])
        if sel is None or not is_ident(sel[0], recv) or sel[1] == field or render(ix[1]) != render(key):
            continue
        out.append(sel[1])
    if not out:
        return out
    for method in _methods_of_receiver_type(fn):
        deleted = {
            sel[1]
            for o in method.facts.ops
            if o.kind == "call"
            and is_ident(o.fn, "delete")
            and o.args
            and (sel := selector(o.args[0])) is not None
            and is_ident(sel[0], method.facts.recv_name)
        }
        if field in deleted:
            out = [g for g in out if g in deleted]
    return out


def _conjuncts(cond) -> list:
    """The operands of a chain of `&&`."""
    b = binary(cond)
    if b is None or b[0] != "&&":
        return [cond]
    return _conjuncts(b[1]) + _conjuncts(b[2])


def _entry_lookups(facts, r: int, recv: str, field: str, key) -> dict[str, str]:
    """The names bound from a look-up of the entry that the `if` at region r tests: in its own
    statement (`if cur, ok := r.workers[name]; ok && ...`), or in the same block before it, with
    neither name assigned again in between (`cur, ok := r.links[name]; r.mu.RUnlock(); if ok &&
    ...`): name -> "found" for the comma-ok flag, "value" for the entry itself."""
    found: dict[str, str] = {}
    reg = facts.regions[r]
    for op in facts.ops:
        if op.kind != "assign" or op.region != reg.parent or op.line > reg.line:
            continue  # (the `if` statement's own init sits in the block around it, on its line)
        if any(n in found for n in (ident(t) for t in op.targets)):
            found = {}  # assigned again after the look-up: what the `if` tests is not the entry
        if len(op.args) != 1:
            continue
        ix = index(op.args[0])
        if ix is None or render(ix[1]) != render(key):
            continue
        sel = selector(ix[0])
        if sel is None or not is_ident(sel[0], recv) or sel[1] != field:
            continue
        names = [ident(t) for t in op.targets]
        if names and names[0] not in (None, "_"):
            found[names[0]] = "value"
        if len(names) == 2 and names[1] not in (None, "_"):
            found[names[1]] = "found"
    return found


def _entry_set_test(cond, recv: str, field: str, key, looked_up: dict[str, str] | None = None) -> bool:
    """`recv.field[key] != nil` (either side), or, of the names the `if` bound from a look-up of
    that entry, the comma-ok flag (`ok`) or `cur != nil`."""
    if looked_up and looked_up.get(ident(cond) or "") == "found":
        return True
    other = nil_compared(cond, "!=")
    if looked_up and looked_up.get(ident(other) or "") == "value":
        return True
    ix = index(other) if other is not None else None
    if ix is None:
        return False
    sel = selector(ix[0])
    return sel is not None and is_ident(sel[0], recv) and sel[1] == field and render(ix[1]) == render(key)


def _entry_dropped_before(facts, at: int, recv: str, field: str, kind: Kind) -> bool:
    """Before op `at`, the function deletes an entry of `recv.field` or closes one (`recv.field[k].Close()`,
    or an element ranged from it); or it reads an entry before `at` and closes that value, or what it
    holds, anywhere (`prev := p.conns[addr]; p.conns[addr] = e; ...; prev.conn.Close()`): the entry
    the store replaces may have been dealt with."""
    elements = set()
    for number, op in enumerate(facts.ops):
        if number < at:
            over = selector(ranged(op.args[0])) if op.kind == "assign" and len(op.args) == 1 else None
            if over is not None and is_ident(over[0], recv) and over[1] == field and len(op.targets) == 2:
                elements.add(ident(op.targets[1]))
            looked = index(op.args[0]) if op.kind == "assign" and len(op.args) == 1 and op.targets else None
            if looked is not None and _is_field(looked[0], recv, field):
                elements.add(ident(op.targets[0]))  # `if old, ok := r.workers[name]; ok { old.Close() }`
        if op.kind != "call":
            continue
        elements.discard(None)
        if number < at and is_ident(op.fn, "delete") and op.args and _is_field(op.args[0], recv, field):
            return True
        if selected_name(op.fn) in kind.closers:
            base = selector_base(op.fn)
            held = selector_base(base)  # `prev.conn.Close()`: what the element holds
            if ident(base) in elements or (held is not None and ident(held) in elements):
                return True
            ix = index(base)
            if number < at and ix is not None and _is_field(ix[0], recv, field):
                return True
    return False


def _methods_of_receiver_type(fn: Function) -> list[Function]:
    """The methods of fn's receiver type in fn's package, in source order."""
    recv_type = (fn.facts.recv or "").lstrip("*")
    found = [m for (tname, _m), m in fn.pkg.methods.items() if tname == recv_type]
    return sorted(found, key=lambda m: (m.file.path, m.facts.line))
