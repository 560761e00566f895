"""Resources known by the function's own behaviour: a local the function closes on one path.

The catalog cannot list every library's `Dial`, `Accept` or `OpenStream`, and
a dialer handed in as a function value has no name at all. But when a
function calls `x.Close()` on some path (plainly, deferred, or inside a
closure it builds) on a local `x` it obtained from a call or a channel
receive, its author has said that `x` needs closing. That value is then a
resource on every path, and the paths that drop it are the ownership walk's
to find (`leaks.Walk`), exactly as for a catalog constructor.

Candidates are kept narrow, for precision:

* the local is declared in the function (not a parameter, field or package
  variable) and assigned from a call or from `<-ch`;
* the call is not one whose body the program can read as a plain function
  or method (if that body returned a fresh resource, the catalog walk would
  already know it; if it does not, the value may well be shared). Interface
  calls, function values (struct fields of func type, parameters) and
  calls into other modules qualify;
* calls into the standard library are left out: what it opens that needs
  closing over the network is in the catalog, and the rest are files and
  pipes, which the GIM2xx rules do not report.

A connection received from a channel (`c, ok := <-l.incoming`, `case c :=
<-conns:`) needs no close to be known when the channel's element type says
what it carries: a type of the catalog (`chan net.Conn`), or a type of the
tree with a connection's methods (`Read`, `Write`, `Close`, `RemoteAddr`).

Each candidate is counted in `--debug` (`gim2xx_closed_value_*`,
`gim2xx_received_connections`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from golint_im.expr import (
    address_of,
    callee,
    calls_in,
    composite,
    funclits_in,
    ident,
    index,
    is_expr,
    is_ident,
    is_nil,
    make_ident,
    occurs_in,
    op_number,
    ranged,
    selected_name,
    selector,
    selector_base,
    strip_address,
    unary_operand,
)
from golint_im.facts import Op
from golint_im.program import Program
from golint_im.symbols import Function

from .fakes import concrete_methods, fake_type, noop_close
from .regions import assigned_value, assignments_to, map_field_stored, ops_with_literals, single_assignment
from .resources import ClosedHere, Kind, Origin

if TYPE_CHECKING:
    from .ownership import Analysis

# The method whose call on a local says the author considers it a resource.
_CLOSE = "Close"
# With a QUIC connection's or a WebTransport session's own closer, which takes an error code instead.
_CLOSERS = (_CLOSE, "CloseWithError")


def closed_locals(an: Analysis) -> dict[int, dict[str, Op]]:
    """Declaring function id -> {local name: its first `name.Close()` op}, from one pass over every op.

    The close may sit in a function literal inside the declaring function
    (`defer func() { if err != nil { c.Close() } }()`): it is recorded
    against the function that declares the variable.
    """
    p = an.program
    found: dict[int, dict[str, Op]] = defaultdict(dict)
    for f in p.functions:
        for op in f.facts.ops:
            if op.kind != "call" or op.mode == "go":
                continue
            sel = selector(op.fn)
            if sel is None or sel[1] not in _CLOSERS:
                continue
            name = ident(sel[0])
            if name is None:
                continue
            owner = p.declaring_function(f, name)
            if owner is None or name in an.params(owner):
                continue
            known = found[owner.id].get(name)
            if known is None or (selected_name(known.fn) != _CLOSE and sel[1] == _CLOSE):
                found[owner.id][name] = op  # the first `Close()`, else the first close with an error code
    return found


def closed_value_origins(an: Analysis, fn: Function, closes: dict[str, Op]) -> dict[int, Origin]:
    """Op index -> Origin for each call or receive in fn whose value lands in a local fn closes elsewhere.

    The op is the call (or the `recv` op of `<-ch`) whose value the
    assignment stores; the walk starts from that assignment.
    """
    out: dict[int, Origin] = {}
    ops = fn.facts.ops
    if closes and _deferred_cleanup(an, fn, set(closes)):
        # `defer func() { if err != nil { for _, q := range qs { q.Close() } } }()`: a cleanup
        # conditioned on the named error result, which the path walk does not model.
        an.debug["gim2xx_closed_value_deferred_cleanup"] += 1
        closes = {}
    for name, close in closes.items():
        if _declarations(fn, name) > 1:
            # `t := ...` in one block, another `t := ...` in the next: which one the close is of needs scopes.
            an.debug["gim2xx_closed_value_shadowed"] += 1
            continue
        found = (_acquiring_op(an, fn, assign, position) for assign, position in assignments_to(fn, name))
        acquiring = [at for at in found if at is not None]
        if len(acquiring) > 1:
            # `db, err := open(p); if corrupt(err) { db, err = recover(p) }; if err != nil { return }`:
            # the later error test is the second call's, so which value a path holds is not known.
            an.debug["gim2xx_closed_value_reassigned"] += 1
            continue
        for idx, result, value in acquiring:
            op = ops[idx]
            if op.kind == "call" and not _unknown_callee(an, fn, op, result):
                continue
            if op.kind == "call" and _over_memory(an, fn, op):
                an.debug["gim2xx_closed_value_over_memory"] += 1
                continue
            if op.kind == "call" and _from_deferred_closer(fn, op):
                an.debug["gim2xx_closed_value_owner_deferred"] += 1
                continue
            if op.kind == "call" and _drawn_from_an_acquisition(an, fn, op):
                an.debug["gim2xx_closed_value_drawn_from_a_resource"] += 1
                continue
            if an.acquisition(fn, op) is not None:
                continue  # the catalog or a fresh-resource function already knows it
            kind, typed = _kind_of(an, fn, name, value if op.kind == "call" else None, result)
            if kind is None:
                continue
            releases = _releases_before_return(fn, name)
            if releases:
                # `_ = sink.Cancel(); return err`: the function's own way of letting it go on that path.
                kind = replace(kind, closers=kind.closers | releases)
            an.debug["gim2xx_closed_value_candidates"] += 1
            commit = _named_type(an, fn, name, value if op.kind == "call" else None, result) in kind.commit_writers
            out[idx] = Origin(kind, result, "", closed=ClosedHere(name, close, typed, commit))
    for idx, name, kind in _connection_receives(an, fn):
        if idx not in out:
            an.debug["gim2xx_received_connections"] += 1
            out[idx] = Origin(kind, 0, "", closed=ClosedHere(name, None, True))
    return out


# The methods of a connection (`net.Conn`'s own): a type of the tree with all of them is one.
_CONNECTION_METHODS = ("Read", "Write", "Close", "RemoteAddr")


def _connection_receives(an: Analysis, fn: Function):
    """(recv op index, local, kind) for `c := <-ch` / `case c := <-ch:` where ch carries connections by its type.

    The element type is one the catalog lists (`chan net.Conn`), or a type of
    the tree with a connection's methods (`chan *Conn` of a websocket wrapper):
    each value received is a connection the receiver now owns.
    """
    ops = fn.facts.ops
    p = an.program
    for i, op in enumerate(ops):
        if op.kind != "recv" or op.mode not in ("expr", "case", "range"):
            continue
        at = i - 1 if op.mode == "range" else i + 1  # `for c := range ch` binds before its receive
        assign = ops[at] if 0 <= at < len(ops) else None
        if assign is None or assign.kind != "assign" or not assign.targets or len(assign.args) != 1:
            continue
        if (ranged(assign.args[0]) if op.mode == "range" else unary_operand(assign.args[0], "<-")) != op.fn:
            continue
        if op.mode == "range" and len(assign.targets) != 1:
            continue
        name = ident(assign.targets[0])
        if name is None or name == "_" or name in an.params(fn) or _declarations(fn, name) != 1:
            continue
        elem = Program.named(Program.elem(an.type_of(fn, op.fn) or ""))
        if elem is None:
            continue
        if not _sent_fresh(an, fn, op.fn):
            an.debug["gim2xx_received_kept_by_sender"] += 1
            continue
        kind = next((k for k in an.kinds.values() if elem in k.types and not k.stream and not k.suffix), None)
        if kind is None and elem.split("#")[0] in p.packages and not fake_type(an, elem):
            if all(p.method(elem, m) is not None for m in _CONNECTION_METHODS):
                kind = an.kinds.get("net-conn")
        if kind is not None:
            yield i, name, kind


def _acquiring_op(an: Analysis, fn: Function, assign: Op, position: int) -> tuple[int, int, object] | None:
    """(index of the call or receive op giving the value at `position`, its index among the results, the value)."""
    if assign.mode == "var" and not assign.args:
        return None
    ops = fn.facts.ops
    if len(assign.args) == 1 and len(assign.targets) > 1:
        value, result = assign.args[0], position
    elif position < len(assign.args):
        value, result = assign.args[position], 0
    else:
        return None
    n = op_number(value)
    if n is not None:
        return (n, result, value) if ops[n].kind == "call" and ops[n].mode == "plain" else None
    channel = unary_operand(value, "<-")
    if channel is None or result != 0:
        return None
    # The receive is recorded as its own op just before the assignment that stores its value.
    i = an.op_index(fn, assign)
    if i > 0 and ops[i - 1].kind == "recv" and ops[i - 1].mode in ("expr", "case") and ops[i - 1].fn == channel:
        return i - 1, 0, value
    return None


def _deferred_cleanup(an: Analysis, fn: Function, closed: set[str]) -> bool:
    """fn defers a closure that closes something, or calls a method of a local fn closes elsewhere
    (`defer atexit.OnError(&err, func() { w.Abort(ctx) })()`: the writer's own way of letting go)."""
    for op in fn.facts.ops:
        if op.kind != "call" or op.mode != "defer":
            continue
        lits: list[int] = []
        funclits_in(op.fn, lits)
        for at in lits:
            lit = an.program.literal(fn, at)
            if lit is not None and any(
                o.kind == "call" and (selected_name(o.fn) in _CLOSERS or ident(selector_base(o.fn)) in closed)
                for o in ops_with_literals(lit)
            ):
                return True
    return False


def _releases_before_return(fn: Function, name: str) -> frozenset:
    """Methods fn calls on `name` without arguments, result dropped, in a block that then returns
    (`sink.Cancel(); return err`), or defers (`defer sink.Cancel()`, run on every exit after it).

    Linear in fn's ops: the blocks holding a return are listed once.
    """
    ops = fn.facts.ops
    returning = {o.region for o in ops if o.kind == "return"}
    found = set()
    read: set[int] | None = None  # see _calls_read, built when first asked
    for i, op in enumerate(ops[:-1]):
        sel = selector(op.fn) if op.kind == "call" and op.mode in ("plain", "defer") and not op.args else None
        if sel is None or not is_ident(sel[0], name) or sel[1] == _CLOSE:
            continue
        if op.mode == "defer":
            found.add(sel[1])
            continue
        if read is None:
            read = _calls_read(fn)
        if i in read:
            # Its result is used (`str, err := conn.OpenStream()`), or it is a question asked of the
            # value (`if !allowed[sess.RemotePeer()]`): not a release.
            continue
        if op.region in returning:
            found.add(sel[1])
    return frozenset(found)


def _calls_read(fn: Function) -> set[int]:
    """Numbers of fn's call ops whose value a condition or another op reads (`_ =` reads nothing)."""
    read = {n for reg in fn.facts.regions if is_expr(reg.info) for n in calls_in(reg.info)}
    for o in fn.facts.ops:
        if o.kind == "assign" and all(is_ident(t, "_") for t in o.targets):
            continue  # `_ = sink.Cancel()`: dropped
        for e in (*o.args, *o.targets, o.fn if o.kind in ("call", "send") else None):
            if is_expr(e):
                read.update(calls_in(e))
    return read


def _declarations(fn: Function, name: str) -> int:
    """How many `:=` / `var` statements of fn's own body declare `name`."""
    return sum(
        1
        for op in fn.facts.ops
        if op.kind == "assign" and op.mode in (":=", "var") and any(is_ident(t, name) for t in op.targets)
    )


# Packages of in-memory values and streams a function already has: what is built over one of
# them (`s2.NewWriter(&buf)`, `yaml.NewEncoder(w)`) is a codec, whose Close flushes, not a connection.
_STREAM_PACKAGES = frozenset({"io", "bufio", "bytes", "strings", "os"})


def _over_memory(an: Analysis, fn: Function, op: Op) -> bool:
    """The call is given an in-memory buffer or a stream: its result (a compressor, an encoder) wraps it."""
    for a in op.args:
        inner = address_of(a)
        for e in (a, inner):
            if e is None:
                continue
            if composite(e) is not None:
                return True
            t = an.type_of(fn, e)
            named = Program.named(t) if t else None
            if named is not None and named.split("#")[0] in _STREAM_PACKAGES:
                return True
    return False


def _drawn_from_an_acquisition(an: Analysis, fn: Function, op: Op) -> bool:
    """`w, err := client.Data()` on a local the catalog already knows as a resource (an SMTP client):
    what a method of the resource hands out lives inside it, and the walk of the resource itself
    reports the paths that drop it."""
    owner = ident(selector_base(op.fn))
    if owner is None:
        return False
    for assign, position in assignments_to(fn, owner):
        at = _acquiring_op(an, fn, assign, position)
        if at is not None and fn.facts.ops[at[0]].kind == "call" and an.acquisition(fn, fn.facts.ops[at[0]]):
            return True
    return False


def _from_deferred_closer(fn: Function, op: Op) -> bool:
    """`str, err := conn.OpenStream()` where fn runs `defer conn.Close()`: closing the owner ends what it opened."""
    owner = ident(selector_base(op.fn))
    if owner is None:
        return False
    deferred = (o for o in fn.facts.ops if o.kind == "call" and o.mode == "defer")
    return any(selected_name(o.fn) in _CLOSERS and is_ident(selector_base(o.fn), owner) for o in deferred)


# How many plain functions of the tree may stand between the call and the unknown code they forward.
_FORWARD_DEPTH = 3


def _unknown_callee(an: Analysis, fn: Function, op: Op, result: int = 0, depth: int = _FORWARD_DEPTH) -> bool:
    """The call reaches code whose body does not decide the question: another module, an interface, a func value.

    A plain function of the tree that only hands on, as result `result`, what
    such code returns (`func (c *Ctl) connectServer() (net.Conn, error) {
    return c.conn.Connect() }`) does not decide it either: see _forwards_unknown.
    """
    if is_ident(op.fn, "new") and an.program.declaring_function(fn, "new") is None:
        # `c := new(Conn)`: a zero value holds nothing open; what its Close closes is set later, if at all.
        an.debug["gim2xx_closed_value_zero_values"] += 1
        return False
    targets = an.targets(fn, op)
    if any(t.via for t in targets) and concrete_methods(an, fn, op) is not None:
        # `d.Dial()` on a local holding a type of the tree (a test's fake dialer): that body decides.
        an.debug["gim2xx_closed_value_static_callee"] += 1
        return False
    if any(not t.via for t in targets):
        if depth > 0 and all(not t.via and _forwards_unknown(an, t.function, result, depth - 1) for t in targets):
            an.debug["gim2xx_closed_value_forwarded"] += 1
            return True
        if all(not t.via and _registered_until_closed(an, t.function, result) for t in targets):
            an.debug["gim2xx_closed_value_registered"] += 1
            return True
        if all(not t.via and _checked_out_until_closed(an, t.function, result) for t in targets):
            an.debug["gim2xx_closed_value_checked_out"] += 1
            return True
        an.debug["gim2xx_closed_value_static_callee"] += 1
        return False  # a plain function of the tree: its body says whether what it returns is fresh
    if any(_returns_shared(an, t.function, 0, 3) for t in targets):
        # An implementation of the tree hands out what it keeps (`return client.brokers[id]`):
        # closing it is a reset on failure, not the release of the caller's own.
        an.debug["gim2xx_closed_value_shared"] += 1
        return False
    ext = an.program.external_callee(fn, op.fn)
    if ext is not None and _standard(ext.pkg):
        an.debug["gim2xx_closed_value_stdlib"] += 1
        return False
    base = ident(selector_base(op.fn))
    made = single_assignment(an.program, fn, base) if base is not None else None
    maker = an.program.external_callee(fn, callee(made)) if made is not None and callee(made) is not None else None
    if maker is not None and _standard(maker.pkg):
        # `cmd := exec.Command(...)`; `cmd.StdinPipe()`: a method of a standard-library value.
        an.debug["gim2xx_closed_value_stdlib"] += 1
        return False
    return True


def _registered_until_closed(an: Analysis, f: Function, result: int) -> bool:
    """f registers something in a map field (`s.streams[id] = pw`, `s.streams[st.id] = st`) and
    returns, as result `result`, a value (a local or a literal) whose type's `Close` takes an entry
    out of such a map again (`delete(s.streams, id)`, in Close or in a plain or deferred call of the tree it
    makes: `st.sess.forget(st.id)`). Such a handle (a multiplexed stream, a session slot) is held
    by its registry until its user closes it; the body says it is fresh per call, not shared, so
    the caller's own close on one path decides, as for a call into another module."""
    n = len(f.facts.results)
    if result >= n or f.facts.parent >= 0:
        return False
    stored = {field for o in f.facts.ops if (field := map_field_stored(o))}
    if not stored:
        return False
    types: set[str] = set()
    for op in f.facts.ops:
        if op.kind != "return":
            continue
        if len(op.args) != n:
            return False
        value = op.args[result]
        if is_nil(value):
            continue
        name = ident(value)
        if name is None and composite(strip_address(value)) is None:
            return False
        if name is not None and (name in an.params(f) or name not in an.program.declared(f)):
            return False
        t = an.type_of(f, value)
        named = Program.named(t) if t else None
        if named is None:
            return False
        types.add(named)
    if len(types) != 1:
        return False
    close = an.program.method(types.pop(), "Close")
    if close is None:
        return False
    bodies = [close]
    for o in close.facts.ops:
        if o.kind == "call" and o.mode in ("plain", "defer"):  # `defer st.sess.release(st.id)` too
            bodies += [t.function for t in an.program.resolve_call(close, o) if not t.via]
    return any(
        o.kind == "call"
        and is_ident(o.fn, "delete")
        and o.args
        and (sel := selector(o.args[0])) is not None
        and sel[1] in stored
        for g in bodies
        for o in g.facts.ops
    )


def _checked_out_until_closed(an: Analysis, f: Function, result: int) -> bool:
    """f is a method of a pool (a struct, by pointer) that returns, as result `result`, a value built
    over the pool itself (`&pooledConn{p: p, c: c}`) whose type's `Close` calls a method on that
    field (`pc.p.put(pc.c, ...)`): a checkout the caller must give back. Its other returns may be
    values without the pool (`errorConn{err}`, whose `Close` does nothing). Every call checks one
    out, so the caller's own close on one path decides, as for a call into another module."""
    recv = f.facts.recv_name
    n = len(f.facts.results)
    if not recv or result >= n or f.facts.parent >= 0 or not f.facts.recv_ptr:
        return False  # a pool is a struct its methods share by pointer (not a slice value's view)
    owner = an.program.type_decl(f"{f.pkg.path}#{f.facts.recv}")
    if owner is None or owner[0].kind != "struct":
        return False
    checkouts: set[str] = set()
    for op in f.facts.ops:
        if op.kind != "return" or len(op.args) != n:
            continue
        comp = composite(strip_address(op.args[result]))
        if comp is None:
            continue
        back = next((ident(k) for k, v in comp[1] if k is not None and is_ident(v, recv)), None)
        t = an.type_of(f, op.args[result])
        named = Program.named(t) if t else None
        if back and named is not None:
            checkouts.add(f"{named}|{back}")
    if len(checkouts) != 1:
        return False
    named, back = checkouts.pop().split("|")
    close = an.program.method(named, "Close")
    if close is None or not close.facts.recv_name:
        return False
    mine = close.facts.recv_name
    return any(
        o.kind == "call"
        and (base := selector(selector_base(o.fn))) is not None
        and is_ident(base[0], mine)
        and base[1] == back
        for o in close.facts.ops
    )


def _forwards_unknown(an: Analysis, f: Function, result: int, depth: int) -> bool:
    """Every return of f hands back, as its result `result`, nil or what an unknown callee returned.

    `return c.conn.Connect()`, or `conn, err := libnet.Dial(addr); ...; return
    conn, err`: the wrapper adds nothing the caller's own close does not
    already say, so the caller's close is the evidence, as for a direct call.
    A bare return of named results, or any other value, decides nothing.
    """
    n = len(f.facts.results)
    if result >= n:
        return False
    forwarded = False
    for op in f.facts.ops:
        if op.kind != "return":
            continue
        if len(op.args) == 1 and n > 1:
            call, at = op_number(op.args[0]), result  # `return c.conn.Connect()`
        elif len(op.args) == n:
            value = op.args[result]
            if is_nil(value):
                continue
            call, at = op_number(value), 0
            name = ident(value)
            if call is None and name is not None and name in an.program.declared(f) and name not in an.params(f):
                made = [_acquiring_op(an, f, a, position) for a, position in assignments_to(f, name)]
                if len(made) != 1 or made[0] is None or not _only_returned(f, name):
                    return False
                call, at = made[0][0], made[0][1]
        else:
            return False
        if call is None or not _forwarded_call(an, f, f.facts.ops[call], at, depth):
            return False
        forwarded = True
    return forwarded


def _only_returned(f: Function, name: str) -> bool:
    """f does nothing with the local but assign and return it (`if err != nil` reads only the error).

    A wrapper that also uses the value (negotiates a protocol on a stream,
    asks a store for its indexes, resets it on failure) is more than a
    forward: its body is the one that decides, as for any plain function.
    """
    for op in f.facts.ops:
        if op.kind == "return" or (op.kind == "assign" and any(is_ident(t, name) for t in op.targets)):
            continue
        if any(occurs_in(e, make_ident(name)) for e in (op.fn, *op.args, *op.targets)):
            return False
    return True


# Argument types a forwarded call may be given: none of them is a stream the result could wrap.
_PLAIN_ARGUMENT_TYPES = frozenset({"context#Context", "string", "bool", "int", "int64", "uint64", "time.Duration"})


def _forwarded_call(an: Analysis, f: Function, op: Op, result: int, depth: int) -> bool:
    """op is a call of f to code whose body does not decide whether its result `result` is fresh.

    Not when the call is given one of f's parameters of another type than
    a context or a plain value: `st.SecureInbound(ctx, conn, p)` builds its
    result over the caller's connection, which the caller closes instead.
    """
    if op.kind != "call" or op.mode != "plain" or _over_memory(an, f, op):
        return False
    params = an.params(f)
    for a in op.args:
        name = ident(a)
        if name is not None and name in params and an.type_of(f, a) not in _PLAIN_ARGUMENT_TYPES:
            return False
    if result == 0 and an.acquisition(f, op) is not None:
        # `if e.chain.IsEmpty() { return d.DialContext(ctx, "udp", addr) }; return e.chain.Dial(addr)`:
        # a branch the catalog knows as fresh beside one of unknown code.
        return True
    return _unknown_callee(an, f, op, result, depth)


def _standard(path: str) -> bool:
    """The import path is the standard library's (no domain in its first element)."""
    return "." not in path.split("/", 1)[0]


def _kind_of(an: Analysis, fn: Function, name: str, call_expr, result: int) -> tuple[Kind | None, bool]:
    """The catalog kind the local's declared type belongs to (typed), else the network connections' kind (untyped).

    Streams and bodies are released otherwise than by their own `Close`, so
    only kinds closed by `Close` take an untyped value.
    """
    named = _named_type(an, fn, name, call_expr, result)
    if named is not None:
        for k in an.kinds.values():
            if named in k.types:
                if k.stream or k.suffix:
                    an.debug["gim2xx_closed_value_other_kind"] += 1
                    return None, False
                return k, True
        if fake_type(an, named):
            return None, False  # a type of the tree whose Close only does bookkeeping: a test double
        fallback = an.kinds.get("net-conn")
        if fallback is not None and _releases_nothing(an, named, fallback):
            an.debug["gim2xx_closed_value_releases_nothing"] += 1
            return None, False
        if _domain_interface_of_noop_closers(an, named):
            an.debug["gim2xx_closed_value_releases_nothing"] += 1
            return None, False
        if _standard(named.split("#")[0]):
            # A standard-library type the catalog does not list (`io.WriteCloser` of a compressor,
            # `*os.File`): closing it flushes or frees a file, not a connection.
            an.debug["gim2xx_closed_value_stdlib"] += 1
            return None, False
    fallback = an.kinds.get("net-conn")
    return fallback, False


def _named_type(an: Analysis, fn: Function, name: str, call_expr, result: int) -> str | None:
    """The named type ("path#Name") of the local, or of the call's result it is given."""
    t = an.type_of(fn, make_ident(name))
    if not t and call_expr is not None:
        # A function value's declared signature (`dial func(...) (net.Conn, error)`) types what it returns.
        try:
            results = an.program.call_result_types(fn, call_expr)
        except RecursionError:
            results = []
        t = results[result] if result < len(results) else None
    return Program.named(t) if t else None


def _releases_nothing(an: Analysis, named: str, kind: Kind) -> bool:
    """The named type is one of the catalog's `releases_nothing`, or a type of the tree whose
    `Close` (for an interface: every possible implementation's) calls only their `Close`
    (`func (it *iter) Close() error { return it.gocqlIter.Close() }`); an implementation in a
    test file, or one whose Close only does bookkeeping, closes nothing either."""
    p = an.program
    if named in kind.releases_nothing:
        return True
    if named.split("#")[0] not in p.packages or not kind.releases_nothing:
        return False
    impls = p.possible_implementations(named) if p.is_interface(named) else [named]
    reached = False
    for impl in impls:
        close = p.method(impl, "Close")
        if close is None:
            return False
        closing = [o for o in close.facts.ops if o.kind == "call" and selected_name(o.fn) == _CLOSE]
        if not closing:
            if close.file.is_test or noop_close(an, impl):
                continue  # a test double's Close (`return errIterFailed`), or bookkeeping
            return False
        for o in closing:
            ext = p.external_callee(close, o.fn)
            if ext is None or f"{ext.pkg}#{ext.recv}" not in kind.releases_nothing:
                return False
        reached = True
    return reached


# Methods of the standard library's I/O and network interfaces: an interface of the tree made only of
# these may hold a value of another module (a `net.Conn`), whatever the tree's own implementations do.
_IO_METHODS = frozenset(
    (
        "Close",
        "Read",
        "Write",
        "ReadFrom",
        "WriteTo",
        "LocalAddr",
        "RemoteAddr",
        "SetDeadline",
        "SetReadDeadline",
        "SetWriteDeadline",
        "Addr",
        "Accept",
        "Flush",
        "String",
        "Error",
    )
)


def _domain_interface_of_noop_closers(an: Analysis, named: str) -> bool:
    """An interface of the tree with a method of its own (not one of `_IO_METHODS`), whose every
    possible implementation's `Close` only does bookkeeping (`func (c *pollCtx) Close() error {
    return nil }`) or lives in a test file, and at least one of them outside tests: polaris's watch
    contexts. A value of it holds nothing to release, so the function's own close of it is no
    evidence. An interface of I/O methods alone may hold a connection of another module."""
    p = an.program
    if named.split("#")[0] not in p.packages or not p.is_interface(named):
        return False
    if not set(p.interface_methods(named)) - _IO_METHODS:
        return False
    impls = p.possible_implementations(named)
    outside_tests = False
    for impl in impls:
        close = p.method(impl, "Close")
        if close is None or not (close.file.is_test or noop_close(an, impl)):
            return False
        outside_tests = outside_tests or not close.file.is_test
    return outside_tests


def _sent_fresh(an: Analysis, fn: Function, channel) -> bool:
    """Every send on the channel field (`l.incoming <- NewConn(c)`) gives away a value its sender keeps nowhere else.

    A sender that also keeps what it sends (`s.streams[id] = stream; s.acceptCh
    <- stream`) still owns it: the receiver only borrows it. Only channels in a
    struct field are judged (their senders are found by the field and the
    struct's type); a local or a parameter's senders are not looked for.
    """
    sel = selector(channel)
    owner = Program.named(an.type_of(fn, sel[0]) or "") if sel is not None else None
    if sel is None or owner is None:
        return False
    sends = [(g, o) for g, o in an.sends_on_field(sel[1]) if _channel_owner(an, g, o) == owner]
    return bool(sends) and all(_given_away(g, o.args[0]) for g, o in sends if o.args)


def _channel_owner(an: Analysis, g: Function, send: Op) -> str | None:
    """The named type whose field the send's channel is (`l` of `l.incoming <- c`)."""
    sel = selector(send.fn)
    return Program.named(an.type_of(g, sel[0]) or "") if sel is not None else None


def _given_away(g: Function, value) -> bool:
    """The sent value is a call's result, or a local nothing but the send takes (not stored in a field or map)."""
    if op_number(value) is not None or composite(strip_address(value)) is not None:
        return True
    name = ident(value)
    if name is None:
        return False
    for o in g.facts.ops:
        if o.kind == "assign" and any(is_ident(a, name) for a in o.args):
            if any(ident(t) is None for t in o.targets):
                return False  # `s.streams[id] = stream`, `s.last = stream`: the sender keeps it too
    return True


def _returns_shared(an: Analysis, f: Function, result: int, depth: int) -> bool:
    """Some return of f hands back, as its result `result`, a value kept in a field, map or slice."""
    n = len(f.facts.results)
    for op in f.facts.ops:
        if op.kind == "return" and len(op.args) == n and result < n and _shared(an, f, op.args[result], depth):
            return True
    return False


def _shared(an: Analysis, f: Function, value, depth: int) -> bool:
    """The value is read from a field, map or slice, directly, through a local, or through a plain function."""
    if depth <= 0 or value is None:
        return False
    if op_number(value) is None and (selector(value) is not None or index(value) is not None):
        return True
    n = op_number(value)
    if n is not None:
        targets = an.targets(f, f.facts.ops[n])
        return any(not t.via and _returns_shared(an, t.function, 0, depth - 1) for t in targets)
    name = ident(value)
    if name is None or name not in an.program.declared(f) or name in an.params(f):
        return False
    for op, position in assignments_to(f, name):
        v = assigned_value(op, position)
        over = ranged(op.args[0]) if len(op.args) == 1 else None
        if over is not None and (selector(over) is not None or index(over) is not None):
            return True  # `for _, b := range client.brokers`
        if v is not None and _shared(an, f, v, depth - 1):
            return True
    return False
