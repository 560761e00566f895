"""Test doubles: values whose dynamic type is a type of the tree standing in for a connection.

Tests replace sockets with types of their own: a listener whose `Accept`
hands out queued in-memory connections, a connection whose `Close` only
records that it was called. The catalog knows `net.Listener.Accept` by the
interface's name, so `l.Accept()` on such a fake looked like a socket
being accepted. Two structural facts tell a fake from a socket, never a
name:

* **the dynamic type is known** (`concrete_methods`): the receiver of a
  method call is a local assigned only composite literals of a tree type
  (`&fakeListener{...}`), directly or through functions of the tree that
  return one. When the type's own method opens nothing (its body returns
  no fresh resource), the call acquires nothing, whatever the interface's
  name in the catalog says; when it does open one, the call keeps its
  usual reading, unless the method only passes on what one call on a
  field of its receiver returns and every value built puts such a fake
  in that field (`WrapListener(p, &fakeListener{})`: `value_sites`
  follows a constructor's parameters to the arguments of its call);
* **an HTTP client's transport is such a type** (`fake_transport`): the
  client returns what that `RoundTrip` returns: nothing live when it
  returns only response literals it builds (`&http.Response{...}`);
* **its `Close` does nothing a resource needs** (`noop_close`): the method
  body only sets fields of its receiver, takes or releases a lock of its
  own, stores into an atomic, or returns constants. A value of such a type
  is not a resource, whatever interface it is seen through.

Both are counted in `--debug` (`gim2xx_fake_receivers`, `gim2xx_fake_values`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from golint_im.expr import (
    call as call_parts,
)
from golint_im.expr import (
    call_number,
    composite,
    composite_items,
    funclit,
    ident,
    is_ident,
    op_number,
    selected_name,
    selector,
    selector_base,
    strip_address,
    subexprs,
)
from golint_im.expr import (
    callee as call_callee,
)
from golint_im.program import Program
from golint_im.symbols import Function, Target

from .regions import assigned_value, assignments_to, single_assignment

if TYPE_CHECKING:
    from .ownership import Analysis

# Methods of a `sync` or `sync/atomic` value a no-op Close may call on its receiver's fields.
_BOOKKEEPING = frozenset({"Lock", "Unlock", "RLock", "RUnlock", "Store", "Add", "Swap", "CompareAndSwap", "Do"})
_DEPTH = 6  # steps (a local's value, a function's return) followed back to the composite literal


def concrete_methods(an: Analysis, fn: Function, op) -> list[Target] | None:
    """The tree's own methods a method call reaches when its receiver's dynamic type is known; None if not known.

    Only when every type the receiver may hold is a type of the tree that
    declares (or embeds from the tree) the method called.
    """
    sites = receiver_sites(an, fn, op)
    if not sites:
        return None
    method = selected_name(op.fn) or ""
    out = []
    for named in sorted({site[0] for site in sites}):
        m = an.program.method(named, method)
        if m is None:
            return None
        out.append(Target(m, ""))
    return out


def receiver_sites(an: Analysis, fn: Function, op) -> list[Site] | None:
    """The composite literals the receiver of a method call `x.M()` may hold (see value_sites)."""
    sel = selector(op.fn)
    if sel is None:
        return None
    name = ident(sel[0])
    if name is None or an.program.refers_to_import(fn, name):
        return None
    return value_sites(an, fn, sel[0], _DEPTH)


# The standard library's HTTP client, which gets every response from its `Transport` field.
_HTTP_CLIENT = "net/http#Client"
_HTTP_TRANSPORT = "net/http#Transport"
_TRANSPORT_DIALS = frozenset({"Dial", "DialContext", "DialTLS", "DialTLSContext"})


def fake_transport(an: Analysis, fn: Function, op) -> bool:
    """`client.Do(req)` on a local `&http.Client{Transport: t}` whose transport is a tree type opening nothing.

    The client hands back what its transport's `RoundTrip` returns: when
    that is a type of the tree (a test's canned transport) whose
    `RoundTrip` returns only response literals it builds, no connection
    is behind it. Also a call on a local `&http.Transport{...}` that dials
    only in-memory connections (`_dials_only_in_memory`).
    """
    sel = selector(op.fn)
    name = ident(sel[0]) if sel is not None else None
    if name is None:
        return False
    value = single_assignment(an.program, fn, name)
    # the client may be a local of an enclosing function (used inside a literal): its value's
    # expressions, and the calls they number, are that function's
    owner = an.program.declaring_function(fn, name) or fn
    lit = strip_address(value) if value is not None else None
    if composite(lit) is not None and Program.named(an.type_of(owner, lit) or "") == _HTTP_TRANSPORT:
        return _dials_only_in_memory(an, owner, lit)
    if composite(lit) is None or Program.named(an.type_of(owner, lit) or "") != _HTTP_CLIENT:
        return False
    transport = next((v for k, v in composite_items(lit) if is_ident(k, "Transport")), None)
    if transport is not None and _canned_func_transport(an, owner, transport):
        an.debug["gim2xx_fake_receivers"] += 1
        return True
    types = dynamic_types(an, owner, transport, _DEPTH) if transport is not None else None
    if not types:
        return False
    for named in types:
        round_trip = an.program.method(named, "RoundTrip")
        if round_trip is None or not _canned(an, round_trip):
            return False
    an.debug["gim2xx_fake_receivers"] += 1
    return True


def _dials_only_in_memory(an: Analysis, fn: Function, lit) -> bool:
    """`&http.Transport{Dial: func(...) (net.Conn, error) { return &dumpConn{...}, nil }}`: every
    dial function the transport is given returns only literals of tree types whose `Close` does
    nothing (`noop_close`), so no socket is behind any response (a request dumper, a test double)."""
    dials = [v for k, v in composite_items(lit) if ident(k) in _TRANSPORT_DIALS]
    if not dials:
        return False
    for d in dials:
        number = funclit(d)
        dial = an.program.literal(fn, number) if number is not None else None
        returns = [o for o in dial.facts.ops if o.kind == "return"] if dial is not None else []
        if not returns:
            return False
        for r in returns:
            conn = strip_address(r.args[0]) if r.args else None
            named = Program.named(an.type_of(dial, conn) or "") if composite(conn) is not None else None
            if named is None or not noop_close(an, named):
                return False
    an.debug["gim2xx_fake_receivers"] += 1
    return True


def _canned_func_transport(an: Analysis, fn: Function, transport) -> bool:
    """A transport of a function type of the tree whose `RoundTrip` returns what the function
    returns (`type roundTripFunc func(*http.Request) (*http.Response, error)`), given a literal
    that builds every response it returns: `roundTripFunc(func(r) {...})`, or a call of a
    function of the tree returning only such literals (`canned(503, "")`)."""
    named = Program.named(an.type_of(fn, transport) or "")
    if named is None or named.split("#")[0] not in an.program.packages:
        return False
    decl = an.program.type_decl(named)
    round_trip = an.program.method(named, "RoundTrip")
    if decl is None or decl[0].kind == "struct" or round_trip is None or not _returns_its_receiver_call(round_trip):
        return False
    literals = _function_literals(an, fn, transport, 2)
    return literals is not None and all(_canned(an, lit) for lit in literals)


def _returns_its_receiver_call(round_trip: Function) -> bool:
    """`func (f T) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }`."""
    recv = round_trip.facts.recv_name
    returns = [o for o in round_trip.facts.ops if o.kind == "return"]
    return (
        bool(recv)
        and bool(returns)
        and all(len(o.args) == 1 and is_ident(call_callee(o.args[0]), recv) for o in returns)
    )


def _function_literals(an: Analysis, fn: Function, expr, depth: int) -> list[Function] | None:
    """The function literals a value of a function type is, written as one (`T(func() {...})`, a
    bare literal) or returned by every return of a plain function of the tree it calls."""
    lit_index = funclit(expr)
    if lit_index is not None:
        lit = an.program.literal(fn, lit_index)
        return [lit] if lit is not None else None
    called = call_parts(expr)
    if called is None or depth <= 0:
        return None
    args = called[1]
    conv = ident(called[0])
    if len(args) == 1 and conv is not None and conv in fn.pkg.types and an.program.lookup_local(fn, conv) is None:
        return _function_literals(an, fn, args[0], depth)  # a conversion: `roundTripFunc(func(r) {...})`
    call = _numbered_call(fn, expr)
    if call is None:
        return None
    targets = an.targets(fn, call)
    if len(targets) != 1 or targets[0].via:
        return None
    g = targets[0].function
    out: list[Function] = []
    for o in g.facts.ops:
        if o.kind != "return":
            continue
        if len(o.args) != 1:
            return None
        found = _function_literals(an, g, o.args[0], depth - 1)
        if not found:
            return None
        out.extend(found)
    return out or None


def _numbered_call(fn: Function, expr):
    """The call op of fn that the call expression `expr` is (by its number), or None: a call
    numbered in another function's ops (a value read from an enclosing function) is not fn's."""
    n = op_number(expr)
    ops = fn.facts.ops
    if n is None or n >= len(ops) or ops[n].fn != expr[1]:
        return None
    return ops[n]


def _canned(an: Analysis, round_trip: Function) -> bool:
    """Every response the `RoundTrip` returns is a literal it builds (`&http.Response{...}`) or nil.

    A transport that gets its responses from anywhere else (a connection, another
    transport) may well hand back a live body.
    """
    returns = [o for o in round_trip.facts.ops if o.kind == "return"]
    for o in returns:
        value = o.args[0] if o.args else None
        if value is None or is_ident(value, "nil"):
            continue
        if composite(strip_address(value)) is not None:
            continue
        name = ident(value)
        if name is None or name in an.params(round_trip):
            return False
        assigned = [assigned_value(a, position) for a, position in assignments_to(round_trip, name)]
        if not assigned or not all(v is not None and composite(strip_address(v)) is not None for v in assigned):
            return False
    return bool(returns)


# A value built as a composite literal: (its tree type, the function it is written in, the literal,
# and the call of that function whose arguments its parameters hold, when known).
Site = tuple


def dynamic_types(an: Analysis, fn: Function, expr, depth: int) -> set[str] | None:
    """The tree types `expr` may hold at run time, when every value it is given is a composite literal of one.

    A local of fn assigned only `&T{...}` / `T{...}`, or the results of
    plain functions of the tree that return only such values, or return a
    parameter the call is given such a value for. None when any value is
    something else (a parameter of fn, a field, an unknown call).
    """
    sites = value_sites(an, fn, expr, depth)
    return {site[0] for site in sites} if sites else None


def value_sites(an: Analysis, fn: Function, expr, depth: int, bound=None) -> list[Site] | None:
    """The composite literals `expr` may hold (see dynamic_types); `bound`: (caller, call) giving fn's parameters."""
    if depth <= 0:
        return None
    lit = strip_address(expr)
    if composite(lit) is not None:
        named = Program.named(an.type_of(fn, lit) or "")
        if named is None or named.split("#")[0] not in an.program.packages:
            return None
        return [(named, fn, lit, bound)]
    if op_number(expr) is not None:
        call = _numbered_call(fn, expr)
        return _returned_sites(an, fn, call, 0, depth - 1) if call is not None else None
    name = ident(expr)
    if name is None:
        return None
    if name in an.params(fn):
        return _argument_sites(an, fn, name, bound, depth - 1)
    if name not in an.program.declared(fn):
        return None
    sites: list[Site] = []
    for op, position in assignments_to(fn, name):
        value = assigned_value(op, position)
        single = op_number(op.args[0]) if value is None and len(op.args) == 1 else None
        if single is not None:  # `l, err := newFakeListener()`
            found = _returned_sites(an, fn, fn.facts.ops[single], position, depth - 1)
        elif value is None:
            found = None
        else:
            found = value_sites(an, fn, value, depth - 1, bound)  # `a = b; b = a`: every step costs depth
        if not found:
            return None
        sites.extend(found)
    return sites or None


def _argument_sites(an: Analysis, fn: Function, name: str, bound, depth: int) -> list[Site] | None:
    """`func Wrap(ln net.Listener) net.Listener { return ln }`: what the call gives the parameter."""
    if bound is None:
        return None
    caller, call = bound
    params = fn.facts.params
    index = next((i for i, (p, _t) in enumerate(params) if p == name), None)
    if index is None or index >= len(call.args) or (fn.facts.variadic and index == len(params) - 1):
        return None  # the receiver, the variadic slice, or a call written with fewer arguments
    return value_sites(an, caller, call.args[index], depth)


def _returned_sites(an: Analysis, fn: Function, call, result: int, depth: int) -> list[Site] | None:
    """The composite literals a plain call of the tree returns as its result `result`, from every return."""
    if call.kind != "call" or call.mode != "plain" or depth <= 0:
        return None
    targets = an.targets(fn, call)
    if len(targets) != 1 or targets[0].via:
        return None
    g = targets[0].function
    n = len(g.facts.results)
    sites: list[Site] = []
    for o in g.facts.ops:
        if o.kind != "return":
            continue
        if len(o.args) != n or result >= n:
            return None
        value = o.args[result]
        if is_ident(value, "nil"):
            continue
        found = value_sites(an, g, value, depth, (fn, call))
        if not found:
            return None
        sites.extend(found)
    return sites or None


def field_sites(an: Analysis, sites: list[Site], named: str, field: str) -> list[Site] | None:
    """What field `field` holds in every value of type `named` among sites (`&listener{Listener: ln}`)."""
    out: list[Site] = []
    for site_type, fn, lit, bound in sites:
        if site_type != named:
            continue
        value = next((v for k, v in composite_items(lit) if is_ident(k, field)), None)
        found = value_sites(an, fn, value, _DEPTH, bound) if value is not None else None
        if not found:
            return None
        out.extend(found)
    return out or None


def noop_close(an: Analysis, named: str) -> bool:
    """The tree type's `Close` only does bookkeeping: sets its receiver's fields, locks, returns constants."""
    p = an.program
    if named.split("#")[0] not in p.packages:
        return False
    close = p.method(named, "Close")
    if close is None or close.facts.parent >= 0:
        return False
    recv = close.facts.recv_name
    for o in close.facts.ops:
        if o.kind == "assign":
            if not all(_receiver_field(t, recv) or is_ident(t, "_") for t in o.targets):
                return False
            if any(_calls(a) for a in o.args):
                return False
        elif o.kind == "return":
            if any(_calls(a) for a in o.args):
                return False
        elif o.kind == "call":
            if o.mode == "go" or selected_name(o.fn) not in _BOOKKEEPING:
                return False
            owner = selector_base(o.fn)
            if not (_receiver_field(owner, recv) or is_ident(owner, recv)):
                return False
            t = Program.named(an.type_of(close, owner) or "")
            if t is None or t.split("#")[0] not in ("sync", "sync/atomic"):
                return False
        else:
            return False
    return True


def fake_type(an: Analysis, named: str | None) -> bool:
    """A type of the tree whose `Close` does nothing a resource needs (counted when it decides)."""
    if named is None or not noop_close(an, named):
        return False
    an.debug["gim2xx_fake_values"] += 1
    return True


def _receiver_field(e, recv: str) -> bool:
    """`c.closed` (or `c.state.closed`) on the method's receiver `c`."""
    sel = selector(e)
    while sel is not None:
        if is_ident(sel[0], recv):
            return bool(recv)
        sel = selector(sel[0])
    return False


def _calls(e) -> bool:
    """The expression holds a call (its value is another op's result)."""
    return any(call_number(x) is not None for x in subexprs(e))
