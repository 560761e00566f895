"""Context cancellation: is a context cancelled by someone who ends?

A gRPC client stream lives until its context is cancelled or it is read to
the end, so whether a stream leaks depends on where its context comes from.
This layer answers that question for a context expression, following
variables to their assignments and parameters to every caller (including
the callers of a function literal kept in a test table). It is
conservative in the direction of "cancelled": a context owned by a struct,
taken from `X.Context()` (a test, a request, a server stream) or derived
with a cancel function that the code uses counts as cancelled.
"""

from __future__ import annotations

from golint_im.expr import (
    Expr,
    call,
    call_args,
    callee,
    composite,
    funclit,
    ident,
    idents_in,
    is_ident,
    selected_name,
    selector,
    selector_base,
    strip_address,
    subexprs,
)
from golint_im.facts import Op
from golint_im.passes import Pass
from golint_im.program import Function, Program, enclosing_regions

from .regions import assigned_value, assignments_to, ops_with_literals

# The context package's constructors that return a cancel function beside the context.
_CTX_WITH = {"WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause"}


class Cancellation:
    """Answers whether a context expression is cancelled by the function or owned by something that ends."""

    def __init__(self, program: Program):
        self.program = program
        self._servers: set[str] | None = None

    def ctx_cancelled(self, fn: Function, op: Op, impl: Function | None = None) -> bool:
        """The context of the stream opened by call op is cancelled by this function, or owned by a longer-lived object.

        `impl` is the analysed function the call resolves to, if any: its
        context parameter is where the context goes; generated stubs take it first.
        """
        index = 0  # generated stubs take the context first
        if impl is not None:
            params = impl.facts.params
            index = next((i for i, (_n, t) in enumerate(params) if t.endswith("context.Context")), -1)
        if not 0 <= index < len(op.args):
            return False
        return self._ctx_expr_cancelled(fn, op.args[index], 0)

    def conn_closed_by_defer(self, fn: Function, op: Op) -> bool:
        """The stream's client is built from a connection this function closes with `defer conn.Close()`.

        Closing a ClientConn ends every stream opened on it, so
        `conn := grpc.NewClient(...); defer conn.Close(); c := pb.NewXClient(conn);
        s, _ := c.Bidi(ctx)` releases s whatever the paths in between."""
        base = selector_base(op.fn)
        if base is None:
            return False
        closed = {
            selector_base(o.fn)
            for o in fn.facts.ops
            if o.kind == "call" and o.mode == "defer" and selected_name(o.fn) == "Close"
        }
        client = ident(base)
        if client is not None and base in closed:
            # `defer client.Close()` on the client the stream was opened on: a gRPC client's own
            # Close tears down its connection (dragonfly's wrapper embeds *grpc.ClientConn), and
            # with it the stream; when it does less, silence is the cheaper mistake.
            return True
        if client is not None:  # client := pb.NewXClient(conn)
            previous = None
            for o, pos in assignments_to(fn, client):
                if o is previous:
                    continue  # the name twice among one op's targets: its first position decides
                previous = o
                if self._cleanup_closes_conn(fn, o, pos):
                    return True
                value = assigned_value(o, pos)
                if call(value) is not None:
                    base = value
                    break
        if call(base) is None:
            return False
        # Whatever builds the client from the connection (a generated constructor or a
        # hand-written wrapper), the connection it was given is what ends the stream:
        # `conn` or a field holding it (`defer c.conn.Close()` ... `pb.NewXClient(c.conn)`).
        return any((ident(arg) is not None or selector(arg) is not None) and arg in closed for arg in call_args(base))

    def _cleanup_closes_conn(self, fn: Function, o: Op, pos: int) -> bool:
        """`client, cleanUp := getClient(ctx); defer cleanUp()`, where the tree's getClient returns
        `pb.NewXClient(conn)` beside a closure that closes that `conn`: the deferred clean-up
        closes the connection the client runs on, and with it every stream opened on it."""
        if len(o.args) != 1 or len(o.targets) < 2 or call(o.args[0]) is None:
            return False
        deferred = {ident(d.fn) for d in fn.facts.ops if d.kind == "call" and d.mode == "defer" and not d.args}
        cleanups = [k for k, t in enumerate(o.targets) if k != pos and ident(t) in deferred and ident(t) != "_"]
        if not cleanups:
            return False
        targets = self.program.resolve_expr_call(fn, callee(o.args[0]))
        if not targets:
            return False
        for target in targets:
            helper = target.function
            returns = [r for r in helper.facts.ops if r.kind == "return" and len(r.args) == len(o.targets)]
            if not returns or not all(self._returns_closer_of(helper, r, pos, cleanups) for r in returns):
                return False
        return True

    def _returns_closer_of(self, helper: Function, ret: Op, pos: int, cleanups: list[int]) -> bool:
        """The return gives, at `pos`, a client built by a call from a connection, and at one of
        `cleanups` a function literal (or a local holding one) that closes that connection."""
        built = call(ret.args[pos])
        if built is None:
            return False
        conns = {a for a in built[1] if ident(a) is not None or selector(a) is not None}
        for k in cleanups:
            value = ret.args[k]
            name = ident(value)
            if name is not None:
                held = [assigned_value(a, i) for a, i in assignments_to(helper, name)]
                value = held[0] if len(held) == 1 else None
            number = funclit(value) if value is not None else None
            lit = self.program.literal(helper, number) if number is not None else None
            if lit is None:
                continue
            if any(
                c.kind == "call" and selected_name(c.fn) == "Close" and selector_base(c.fn) in conns
                for c in lit.facts.ops
            ):
                return True
        return False

    def _ctx_expr_cancelled(self, fn: Function, expr: Expr, depth: int) -> bool:
        if depth > 4 or expr is None:
            return False
        sel = selector(expr)
        if sel is not None:
            owner = ident(sel[0])
            return owner is None or not self.program.refers_to_import(fn, owner)  # s.ctx: the owner's context
        c = call(expr)
        if c is not None:
            fn_expr, args = c[0], c[1]
            if selected_name(fn_expr) == "Context" and not args:
                # t.Context(), r.Context(), stream.Context(): cancelled when the test, the request
                # or the RPC that owns it ends.
                return True
            if args:
                return self._ctx_expr_cancelled(fn, args[0], depth + 1)
            return False
        name = ident(expr)
        if name is None:
            return False
        g = self.program.declaring_function(fn, name)
        if g is None:
            return False
        assigned = next(assignments_to(g, name), None) is not None
        parameter = name in _params(g) and name != g.facts.recv_name
        if not assigned and parameter:
            return self._parameter_cancelled(g, name, depth)
        previous = None
        for o, pos in assignments_to(g, name):
            if o is previous:
                continue  # one op, the name twice among its targets: its first position decides
            previous = o
            value = o.args[0] if len(o.args) == 1 else None
            cfn = callee(value)
            if cfn is not None:
                m = selected_name(cfn)
                if m == "WithContext" and pos == 1:
                    ext = self.program.external_callee(g, cfn)
                    if ext is not None and ext.pkg == "golang.org/x/sync/errgroup":
                        # `g, gctx := errgroup.WithContext(ctx)`: cancelled when a goroutine
                        # of the group fails and when Wait returns.
                        return True
                if pos + 1 < len(o.targets) and self._cancel_of_result(g, o.targets[pos + 1]):
                    # `lar, ctx, cancel, err := r.placement.LookupActor(ctx, req)` with `defer cancel(nil)`:
                    # a function of the tree handing back a context with its cancel (dapr router.go)
                    return True
                if m in _CTX_WITH and len(o.targets) > 1:
                    cancel = ident(o.targets[1])
                    if cancel is not None and cancel != "_" and _used(g, cancel):
                        return True
                    continue
                if parameter and _derives_from(value, name):
                    # `ctx = metadata.AppendToOutgoingContext(ctx, ...)` on the parameter: a child of
                    # the caller's context, cancelled with it, when every assignment is such a child
                    if all(
                        _derives_from(a.args[0] if len(a.args) == 1 else None, name)
                        for a, _p in assignments_to(g, name)
                    ):
                        return self._parameter_cancelled(g, name, depth)
                    continue
                if self._ctx_expr_cancelled(g, value, depth + 1):
                    return True
            elif len(o.targets) == len(o.args):
                if self._ctx_expr_cancelled(g, o.args[pos], depth + 1):
                    return True
        return False

    def _parameter_cancelled(self, g: Function, name: str, depth: int) -> bool:
        """The context parameter `name` of g is cancelled: every caller passes a context it cancels,
        or g is a unary gRPC handler (the server cancels the call's context when it returns)."""
        names = [p[0] for p in g.facts.params]
        i = names.index(name)
        if i == 0 and self._unary_handler(g):
            return True
        callers = self.program.callers(g) or self._table_callers(g)
        if not callers or len(callers) > 16:
            return False
        for caller, cop in callers:
            if i >= len(cop.args) or not self._ctx_expr_cancelled(caller, cop.args[i], depth + 1):
                return False
        return True

    def _unary_handler(self, g: Function) -> bool:
        """g is a method `(ctx context.Context, req *T) (*U, error)` of a type the tree registers
        with a generated `RegisterXServer(server, impl)`: gRPC calls it per request and cancels
        ctx as soon as it returns."""
        f = g.facts
        if not f.recv or g.parent is not None or len(f.params) != 2 or len(f.results) != 2:
            return False
        if not f.params[0][1].endswith("context.Context") or not f.params[1][1].startswith("*"):
            return False
        if not f.results[0].startswith("*") or f.results[1] != "error":
            return False
        return f"{g.pkg.path}#{f.recv}" in self._registered_servers()

    def _registered_servers(self) -> set[str]:
        """The named types the tree passes as the implementation to a `RegisterXServer(s, impl)` call
        that reaches no analysed function (generated gRPC code, skipped or of another module), read once."""
        if self._servers is None:
            found: set[str] = set()
            for fn in self.program.functions:
                for op in fn.facts.ops:
                    if op.kind != "call" or len(op.args) != 2:
                        continue
                    m = selected_name(op.fn) or ident(op.fn) or ""
                    if not (m.startswith("Register") and m.endswith("Server")):
                        continue
                    if self.program.resolve_call(fn, op):
                        continue  # a function of the tree of that name: not the generated one
                    t = self.program.type_of(fn, op.args[1]) or ""
                    named = self.program.named(t.lstrip("*")) if t else None
                    if named is not None:
                        found.add(named)
            self._servers = found
        return self._servers

    def _cancel_of_result(self, g: Function, target: Expr) -> bool:
        """target, the result after the context, is a `context.CancelFunc` (or `CancelCauseFunc`) that g calls."""
        name = ident(target)
        if name is None or name == "_":
            return False
        t = self.program.type_of(g, target) or ""
        return t in ("context#CancelFunc", "context#CancelCauseFunc") and _used(g, name)

    def _table_callers(self, lit: Function) -> list[tuple[Function, Op]]:
        """Callers of a literal kept in a test table (`{name: ..., run: func(ctx ...) {...}}`, `tc.run(ctx)`)."""
        if lit.parent is None:
            return []
        top = lit.outermost()
        index = next((i for i, ff in enumerate(lit.file.funcs) if ff is lit.facts), -1)
        scope = [top, *top.nested_literals()]
        keys: set[str] = set()
        for f in scope:
            for op in f.facts.ops:
                for e in op.args:
                    _comp_keys_of(e, index, keys)
        if not keys:
            return []
        out = []
        for f in scope:
            for op in f.facts.ops:
                if op.kind == "call" and selected_name(op.fn) in keys:
                    out.append((f, op))
        return out


def _params(fn: Function) -> set[str]:
    f = fn.facts
    out = {name for name, _t in f.params if name}
    if f.recv_name:
        out.add(f.recv_name)
    return out


def _derives_from(value: Expr, name: str) -> bool:
    """value is a call given `name` first (`wrap(ctx, ...)`): a context derived from it."""
    c = call(value)
    return c is not None and bool(c[1]) and ident(c[1][0]) == name


def _comp_keys_of(expr: Expr, index: int, keys: set[str]) -> None:
    """Keys under which the literal `index` is stored in composite literals inside expr."""
    for e in subexprs(expr):
        comp = composite(e)
        if comp is not None:
            for k, v in comp[1]:
                key = ident(k)
                if key is not None and funclit(v) == index:
                    keys.add(key)


def _used(fn: Function, name: str) -> bool:
    """`name` is read somewhere in fn or the literals inside it."""
    for o in ops_with_literals(fn):
        exprs = list(o.args) + ([o.fn] if o.fn is not None and o.kind != "jump" else [])
        for e in exprs:
            if name in idents_in(e, set()):
                return True
    return False


def is_done_call(chan) -> bool:
    """`x.Done()`: the channel a context (or anything following its convention) closes when cancelled."""
    called = call(chan)
    return called is not None and not called[1] and selected_name(called[0]) == "Done"


def done_case_context(fn: Function, exit_op: Op) -> Expr | None:
    """The context `X` of the `case <-X.Done():` whose body holds exit_op (a `return`), else None."""
    facts = fn.facts
    around = set(enclosing_regions(facts, exit_op.region))
    for op in facts.ops:
        if op.kind != "recv" or op.select < 0 or op.body not in around:
            continue
        c = call(op.fn)
        if c is not None and is_done_call(op.fn):
            return selector_base(c[0])
    return None


def quiet_cancel(program: Program, maker: Function, ctx_name: str) -> str | None:
    """The cancel function's name when maker's local `ctx_name` is given once, by
    `ctx, cancel := context.WithCancel(context.Background())` (or `TODO()`, or `WithCancelCause`):
    nothing but that cancel can end it, for it has no deadline and its parent never ends."""
    made = list(assignments_to(maker, ctx_name))
    if len(made) != 1:
        return None
    op, pos = made[0]
    if pos != 0 or len(op.targets) != 2 or len(op.args) != 1:
        return None
    c = call(op.args[0])
    if c is None or len(c[1]) != 1 or not _context_call(program, maker, c[0], ("WithCancel", "WithCancelCause")):
        return None
    parent = call(c[1][0])
    if parent is None or parent[1] or not _context_call(program, maker, parent[0], ("Background", "TODO")):
        return None
    cancel = ident(op.targets[1])
    if cancel is None or cancel == "_" or len(list(assignments_to(maker, cancel))) != 1:
        return None
    return cancel


def cancelled_only_after(program: Program, maker: Function, cancel: str, wait_fn: Function, wait_op: Op) -> bool:
    """Every use of maker's local `cancel` calls it in maker after wait_op has returned: a
    `defer cancel()` of maker, which holds the wait or calls what does, or a plain `cancel()`
    later in the wait's own function, outside any loop. The context is then not done while the
    wait waits, so a goroutine's `case <-ctx.Done():` cannot be what strands it."""
    return cancel_stored_or_after(maker, cancel, wait_fn, wait_op, None, True) == set()


def cancel_stored_or_after(
    maker: Function, cancel: str, wait_fn: Function, wait_op: Op, store: Op | None, defer_ok: bool
) -> set[str] | None:
    """The keys of the composite literal in `store` (an instance's allocation) that hold maker's
    local `cancel`, when every other use calls it after wait_op (as in cancelled_only_after; a
    `defer` only when defer_ok, maker being the waiting side); None when some use may come first."""
    index = {id(o): i for i, o in enumerate(maker.facts.ops)}
    at = index.get(id(wait_op)) if wait_fn is maker else None
    if at is not None and any(
        maker.facts.regions[r].kind in ("for", "range") for r in enclosing_regions(maker.facts, wait_op.region)
    ):
        return None
    keys: set[str] = set()
    for o in ops_with_literals(maker):
        if o.kind == "assign" and any(ident(t) == cancel for t in o.targets):
            continue  # the one assignment, checked by quiet_cancel
        exprs = [*o.args, *o.targets] + ([o.fn] if o.fn is not None and o.kind != "jump" else [])
        if not any(cancel in idents_in(e, set()) for e in exprs):
            continue
        if o is store:
            held = _keys_holding(o, cancel)
            if held is None:
                return None
            keys |= held
            continue
        if o.kind != "call" or not is_ident(o.fn, cancel) or o.args or id(o) not in index:
            return None  # handed on, stored, or called in a literal that may run any time
        if o.mode == "defer" and defer_ok:
            continue
        if o.mode != "plain" or at is None or index[id(o)] <= at:
            return None
    return keys


def _keys_holding(op: Op, name: str) -> set[str] | None:
    """The keys of the composite literal op allocates whose value is the bare `name`; None when
    `name` appears anywhere else in op."""
    comp = composite(strip_address(op.args[0])) if op.args else None
    if comp is None:
        return None
    keys = {ident(k) or "" for k, v in comp[1] if is_ident(v, name)}
    mentions = sum(1 for e in [*op.args, *op.targets] for x in subexprs(e) if is_ident(x, name))
    return keys if "" not in keys and mentions == len(keys) else None


def _context_call(program: Program, fn: Function, fn_expr: Expr, names: tuple[str, ...]) -> bool:
    ext = program.external_callee(fn, fn_expr)
    return ext is not None and ext.pkg == "context" and selected_name(fn_expr) in names


CANCELLATION = Pass(
    "cancellation",
    lambda ctx: Cancellation(ctx.program),
    doc="whether a context is cancelled by the function or owned by something that ends",
)
