"""Effects of ops on the holders of a resource: released, escaped (handed on), stored in a container."""

from __future__ import annotations

from golint_im.expr import (
    assertion,
    binary,
    call,
    call_args,
    call_name,
    call_number,
    composite,
    funclit,
    funclits_in,
    ident,
    idents_in,
    index,
    is_conversion_callee,
    is_expr,
    is_ident,
    is_make_call,
    is_nil,
    make_ident,
    op_number,
    ranged,
    selected_name,
    selector,
    selector_base,
    strip_address,
    subexprs,
    subexprs_outside_calls,
)
from golint_im.expr import (
    callee as callee_of,
)
from golint_im.program import SPAWNER_METHODS, SPAWNERS, Program
from golint_im.typesys import _map_key

from .calls import Calls
from .owned_fields import local_struct
from .regions import argument_constants, ops_with_literals, ruled_out_by_constants, single_assignment
from .resources import (
    _ATOMIC_STORES,
    _BORROW_PKGS,
    _BUILTINS_NEUTRAL,
    _FOREIGN_WRAPPERS,
    _GENERATED_CLIENT,
    _KEEP_ON_FAILURE,
    _LOGGING,
    _STORED_UNLESS_LOADED,
    _SYNC_MAP_STORES,
    _TAKERS,
    CLOSER_INTERFACES,
    ESCAPE,
    FOREIGN_WRAPPER,
    RELEASE,
    STUB,
    Holder,
    Ref,
    Store,
    _ref,
    _value_ref,
    _whole_holder,
    _wrapped_ref,
    test_support,
)

# Methods whose value, returned, hands the caller the means to release the resource.
_RETURNED_CLOSERS = frozenset({"Close", "CloseWithError", "Shutdown", "Stop"})


# Closers of one direction only: the value stays open for the other.
_HALF_CLOSERS = frozenset({"CloseSend", "CloseRead", "CloseWrite"})
# A wrapper's own closer by another name (`CloseWithError`, `Release`, `Logoff`): counted only when
# the method does release the field that holds the resource.
_CLOSING_VERBS = ("Close", "Release", "Shutdown", "Stop", "Disconnect", "Logoff", "Logout", "Quit", "Terminate")


class Effects(Calls):
    """What an op does to the holders of a resource: RELEASE, ESCAPE, Store(container) or nothing.

    Interprocedural: a call's effect on an argument is the callee's summary
    for that parameter (`summary`), a closure's the effect of its body on
    what it captures (`literal_effect`); both memoised per run.
    """

    _summary: dict
    _asserted: dict
    _lit_effect: dict
    _refuses: dict
    _refusing_returns: dict  # _refuses key -> (function, the return that fails keeping nothing)
    _last_refusal: tuple | None  # the key of the last refusal found, for its evidence

    # ---- effects of ops on holders ----------------------------------------
    def op_effect(self, fn, op, holders, kind, scan=False):
        """RELEASE, ESCAPE, Store(container) or None; records new aliases in holders."""
        lit_eff = self._nested_literals_effect(fn, op, holders, kind)
        if lit_eff is not None:
            return lit_eff
        if op.kind == "call":
            return self.call_effect(fn, op, holders, kind)
        if op.kind == "send":
            if op.args and (r := _value_ref(op.args[0], holders)) is not None:
                return self._queued_in_local_struct(fn, op, r, holders)
            return None
        if op.kind == "assign":
            return self.assign_effect(fn, op, holders, kind)
        if op.kind == "return" and scan:
            if self.returns_holder(fn, op, holders) and not self._returns_back_reference(fn, op, holders, kind):
                return ESCAPE
        return None

    def _returns_back_reference(self, fn, op, holders, kind) -> bool:
        """`return &Stream{id: id, sess: s}` in a method of s: a child value of the tree pointing back
        at its receiver, whose own closers never release that field. The child borrows the receiver;
        whoever holds the receiver still has to close it."""
        recv = fn.facts.recv_name
        h = holders.get(recv) if recv else None
        if h is None or h.suffix is None or len(holders) != 1 or fn.parent is not None:
            return False
        for a in op.args:
            if _value_ref(a, holders) is None:
                continue
            comp = composite(strip_address(a))
            t = self.program.type_of(fn, strip_address(a)) if comp is not None else None
            named = self.program.named(t) if t else None
            if comp is None or named is None or named.split("#")[0] not in self.program.packages:
                return False
            keys = [ident(k) for k, v in comp[1] if is_ident(v, recv)]
            if (
                len(keys) != 1
                or keys[0] is None
                or any(_value_ref(v, holders) for k, v in comp[1] if not is_ident(v, recv))
            ):
                return False
            if self.field_closer(named, (keys[0], *h.suffix), kind) is not None:
                return False
        return True

    def returns_holder(self, fn, op, holders) -> bool:
        """The return hands a holder to the caller (directly, in a composite, or in a closure). Not a
        composite of a struct of the tree that has no closer and keeps the resource only in fields of
        closeless interface types (`&session{r: bufio.NewReader(conn), w: conn}`, `w io.Writer`):
        nothing the caller gets can close it."""
        for a in op.args:
            if _value_ref(a, holders) is not None and not self._kept_out_of_reach(fn, a, holders):
                return True
            if self._returns_closer(a, holders):
                return True
            # A literal given to a call the return makes (`return run(func() error { ... })`) is
            # that call's argument, judged at the call's own op: only literals returned count.
            for lit_expr in subexprs_outside_calls(a):
                if lit_expr[0] != "funclit":
                    continue
                lit = self.program.literal(fn, lit_expr[1])
                if lit is not None and self.captured(lit, holders):
                    return True
        return False

    def _kept_out_of_reach(self, fn, value, holders) -> bool:
        """value is a composite of a struct of the tree declaring no closer (no `Close`, `Stop`...),
        whose every field given a holder directly is declared a closeless interface (`io.Writer`)."""
        lit = strip_address(value)
        comp = composite(lit)
        if comp is None:
            return False
        t = self.type_of(fn, lit)
        named = Program.named(t) if t else None
        if named is None or not self._closerless(named):
            return False
        given = False
        for key, v in comp[1]:
            if _ref(v, holders) is None:
                continue
            field = ident(key) if key is not None else None
            ft = self.program.field_type(named, field) if field else None
            if ft is None or ft[0].strip().replace("#", ".") not in _CLOSELESS_INTERFACES:
                return False
            given = True
        return given

    def _closerless(self, named: str, kind=None) -> bool:
        """The struct type declares no method that could release what it holds: none named by a
        closing verb (`Close`, `Stop`, `Shutdown`, `Release`...), nor one of the kind's closers."""
        decl = self.program.type_decl(named)
        if decl is None or decl[0].kind != "struct":
            return False
        closers = kind.closers if kind is not None else ()
        return not any(m in closers or m.startswith(_CLOSING_VERBS) for m in self.program.declared_method_names(named))

    @staticmethod
    def _returns_closer(value, holders) -> bool:
        """`return addr, ln.Close, nil` (or `&srv{stop: ln.Close}`): the caller gets the resource's closer."""
        comp = composite(strip_address(value))
        values = [v for _k, v in comp[1]] if comp is not None else [value]
        for v in values:
            sel = selector(v)
            if sel is not None and sel[1] in _RETURNED_CLOSERS:
                r = _ref(sel[0], holders)
                if r is not None and r.resource:
                    return True
        return False

    def _nested_literals_effect(self, fn, op, holders, kind):
        """Closures built by this op (`cancel := func() { conn.Close() }`, `&T{stop: func() {...}}`)."""
        exprs = list(op.args) + list(op.targets)
        if op.kind == "call":
            exprs = [a for a in op.args if funclit(a) is None]
        lits: list[int] = []
        for e in exprs:
            funclits_in(e, lits)
        best = None
        for lit_no in lits:
            lit = self.program.literal(fn, lit_no)
            if lit is None:
                continue
            eff = self.literal_effect(lit, holders, kind)
            if eff == RELEASE:
                return RELEASE
            if eff == ESCAPE:
                best = ESCAPE
        return best

    def call_effect(self, fn, op, holders, kind):
        callee = op.fn
        if self._calls_releasing_closure(fn, op, holders, kind):
            return RELEASE
        sel = selector(callee)
        if sel is not None and self._func_field_result(fn, sel[0]) and self._gives_no_resource(fn, op, holders):
            return None  # `b.timeNow().Add(b.timeout)`: a method of what a func-typed field returned
        if sel is not None and _wrapped_ref(sel[0], holders) is not None:
            return ESCAPE  # `(&Transport{Conn: conn}).Listen(...)`: the struct built around it takes it over
        if sel is not None:
            r = _ref(sel[0], holders)
            if r is not None and r.container and r.suffix and ident(sel[0]) == r.name:
                # `p.Close()` on a struct built here whose slice or map field holds the resources.
                if sel[1] in kind.closers or sel[1].startswith(("Close", "Stop", "Shutdown", "Release")):
                    return RELEASE
            if r is not None and not r.container:
                m = sel[1]
                if r.suffix is None:  # a struct wrapping the resource
                    if m in kind.closers or m.startswith(("Close", "Stop", "Shutdown", "Release")):
                        return RELEASE
                    if (
                        selector(sel[0]) is not None
                        and op.mode in ("plain", "defer")
                        and not any(_value_ref(a, holders) for a in op.args)
                        and not self.targets(fn, op)
                    ):
                        # `s.r.ReadString('\n')`: a method of another module on one of the wrapper's
                        # fields, the resource or a reader over it, given no holder; like
                        # `conn.Read` on the resource itself, it neither closes nor keeps it; nor when
                        # deferred (`defer c.mu.Unlock()`).
                        return None
                    if self._func_field(fn, sel[0], m) and self._gives_no_resource(fn, op, holders):
                        return None  # `b.timeNow()`: a function kept in a field, not given the wrapper
                    return self._wrapper_method(fn, op, holders, kind, r)
                if r.suffix == () and m in kind.closers:
                    return RELEASE
                if r.suffix == () and op.mode != "go" and self._closing_method(fn, op, kind):
                    return RELEASE
                if r.suffix in (FOREIGN_WRAPPER, STUB):
                    # A generated stub has no closer: `rpc.NewClient(conn)` followed by
                    # `client.Close()` is a wrapper of another module closing what it wraps.
                    if m in kind.closers or m.startswith(("Close", "Stop", "Shutdown", "Release")):
                        return RELEASE
                    if op.mode == "go" and r.suffix == FOREIGN_WRAPPER:
                        return ESCAPE  # `go dec.Loop()`: the goroutine keeps the wrapper
                elif r.suffix:
                    eff = self._holder_method(fn, op, r, kind)
                    if eff is not None:
                        return eff
                    if len(r.suffix) == 1 and m in kind.closers and not self.targets(fn, op):
                        # `st.Close()` on `type Stream struct { net.Conn; ID uint32 }`, or on an interface
                        # it is returned as: a Close no function of the tree declares is the promoted one
                        t = self.program.type_of(fn, sel[0])
                        named = self.program.named(t) if t else None
                        if named is None or self.program.is_interface(named):
                            return RELEASE
                        if self._embeds_resource(named, r.suffix[0], kind):
                            return RELEASE
                    if r.suffix == kind.suffix and m in kind.holder_closers and not self.targets(fn, op):
                        return RELEASE  # `resp.Write(w)`: the library's holder closes its field
        lit_index = funclit(callee)
        if lit_index is not None:
            lit = self.program.literal(fn, lit_index)
            if lit is None:
                return ESCAPE
            eff = self.literal_effect(lit, holders, kind)
            if eff:
                return eff
            if (
                op.mode == "go"
                and not fn.file.is_test
                and not test_support(fn)
                and any(
                    h.suffix == () and self._serves_in_endless_loop(lit, name)
                    for name, h in self.captured(lit, holders).items()
                )
            ):
                # `go func() { for { c, err := ln.Accept() ... } }()`: the goroutine serves the
                # listener it captures for as long as it runs, as `go acceptLoop(ln)` does. Not in
                # tests and their helpers, where a listener served that way outlives its test.
                self.debug["gim2xx_listeners_served_by_goroutines"] += 1
                return ESCAPE
            for i, a in enumerate(op.args):
                r = _value_ref(a, holders)
                if r is not None:
                    e = self._param_effect(lit, i, r, kind)
                    if e:
                        return e
            return None
        effects = []
        for i, a in enumerate(op.args):
            lit_index = funclit(a)
            if lit_index is not None:
                lit = self.program.literal(fn, lit_index)
                if lit is not None:
                    e = self.literal_effect(lit, holders, kind)
                    if not e and self._group_goroutine_serves_wrapper(fn, op, lit, holders, lit):
                        e = ESCAPE  # `g.Go(func() error { return m.Serve() })`, as `go m.Serve()`
                    if e:
                        effects.append(e)
                continue
            if selector(a) is not None and self._group_goroutine_serves_wrapper(fn, op, None, holders, a):
                effects.append(ESCAPE)  # `g.Go(m.Serve)`: the group's goroutine keeps the wrapper
                continue
            if selected_name(a) in kind.closers:
                r = _ref(selector_base(a), holders)
                if r is not None and r.resource:
                    effects.append(RELEASE)  # `t.Cleanup(conn.Close)`: the method value is handed over
                    continue
            r = _value_ref(a, holders) or self._wrapper_ref(fn, a, holders, kind)
            if r is None:
                continue
            if self._wraps_into_local(fn, op, i, r, kind):
                continue  # `rc = limited(rc, n)`: the local the wrapper goes to holds it (assign_effect)
            if self._wraps_into_call(fn, op, i, r, kind):
                continue  # `manet.WrapNetConn(NewConn(c))`: the call given the wrapper is the hand-off
            chained = self._chained_wrapper(fn, op, i, r, kind)
            if chained is not None:
                # `objstore.NewStub(conn).Stat(k)`: the wrapper lives for that one call
                if chained:
                    effects.append(chained)
                continue
            if self._foreign_wrapper_into_local(fn, op, r):
                continue  # `enc := codec.NewEncoder(conn, h)`: the local wrapper holds it (assign_effect)
            e = self.pass_effect(fn, op, i, r, kind)
            if e:
                effects.append(e)
        if RELEASE in effects:
            return RELEASE
        if ESCAPE in effects:
            return ESCAPE
        return None

    def _gives_no_resource(self, fn, op, holders) -> bool:
        """No argument of op can be the resource: none refers to a holder, or only through a field of a
        basic type (`b.timeout`)."""
        return not any(_value_ref(a, holders) and not self._plain_field(fn, a) for a in op.args)

    def _plain_field(self, fn, e) -> bool:
        """e is a field of a basic type (`b.timeout`, a Duration): it cannot hold the resource."""
        sel = selector(e)
        if sel is None:
            return False
        t = self.program.type_of(fn, sel[0])
        named = self.program.named(t) if t else None
        ft = self.program.field_type(named, sel[1]) if named else None
        if ft is None:
            return False
        under = self.program.underlying(ft[0])
        return under in _BASIC_TYPES

    def _func_field_result(self, fn, e) -> bool:
        """e is a call of a func-typed field (`b.timeNow()`)."""
        c = call(e)
        sel = selector(c[0]) if c is not None else None
        return sel is not None and self._func_field(fn, sel[0], sel[1])

    def _func_field(self, fn, base, name: str) -> bool:
        """`name` is a field of func type of the struct base holds (called as `base.name()`)."""
        t = self.program.type_of(fn, base)
        named = self.program.named(t) if t else None
        ft = self.program.field_type(named, name) if named else None
        return ft is not None and self.program.underlying(ft[0]).startswith("func")

    def _wrapper_method(self, fn, op, holders, kind, r):
        targets = self.targets(fn, op)
        if not targets:
            return ESCAPE
        effs = set()
        for t in targets:
            recv = t.function.facts.recv_name
            if not recv:
                return ESCAPE
            effs.add(self.summary(t.function, recv, None, kind))
        return RELEASE if RELEASE in effs else ESCAPE if ESCAPE in effs else None

    def _closing_method(self, fn, op, kind) -> bool:
        """`sess.Exit(0)` where the tree's own `(*Session).Exit` closes its receiver (`s.Close()`).

        Only a call resolved to one method of the analysed code by its static
        type: through an interface, another implementation may keep the value open.
        """
        targets = self.targets(fn, op)
        if len(targets) != 1 or targets[0].via:
            return False
        f = targets[0].function
        recv = f.facts.recv_name
        return bool(recv) and self.summary(f, recv, (), kind) == RELEASE

    def _holder_method(self, fn, op, r, kind):
        """A method of the analysed code called on a struct holding the resource in a field (`client.Close()`).

        Its effect is the method's own on that field of its receiver; a
        goroutine started on it (`go c.readLoop()`) takes it over.
        """
        targets = self.targets(fn, op)
        if not targets or any(not t.function.facts.recv_name for t in targets):
            return None
        effs = {self.summary(t.function, t.function.facts.recv_name, r.suffix, kind) for t in targets}
        if op.mode == "go" and effs & {RELEASE, ESCAPE}:
            return ESCAPE
        return RELEASE if RELEASE in effs else ESCAPE if ESCAPE in effs else None

    def pass_effect(self, fn, op, i, r, kind):
        """What the callee does with a holder passed as argument i."""
        callee = op.fn
        builtin = ident(callee)
        if (
            builtin in _BUILTINS_NEUTRAL
            and self.program.lookup_local(fn, builtin) is None
            and builtin not in fn.pkg.funcs
        ):
            return None
        if is_conversion_callee(callee):
            return None
        name = call_name(callee)
        if (r.resource or _whole_holder(op.args[i], r)) and _GENERATED_CLIENT.match(name or "") and len(op.args) == 1:
            # Generated stubs (`pb.NewFooClient(cc)`, always one argument): followed as a
            # wrapper of the value. `NewRTCClient(conn, opts)` is a constructor like any other.
            return None
        if _LOGGING.match(name or ""):
            return None
        ext = self.program.external_callee(fn, callee)
        if ext is not None:
            if f"{ext.pkg}.{ext.name}" in _TAKERS or ext.qualname in _SYNC_MAP_STORES or ext.qualname in _ATOMIC_STORES:
                return ESCAPE
            if r.suffix == kind.suffix and ext.qualname in kind.holder_releasers and not _false_last(op):
                return RELEASE
            if ext.pkg in _BORROW_PKGS:
                return None
            if ext.qualname in _WRITES_INTO and r.suffix == () and i == 0:
                # `req.Write(conn)`, `tmpl.Execute(conn, data)`: a method of another module's value
                # writing itself into the resource, its destination, which it does not keep
                return None
            self.debug["gim2xx_unresolved_handoffs"] += 1
            return ESCAPE
        targets = self.targets(fn, op)
        if not targets:
            self.debug["gim2xx_unresolved_handoffs"] += 1
            return ESCAPE
        effs = set()
        for t in targets:
            effs.add(self._param_effect(t.function, i, r, kind))
        if RELEASE in effs:
            return RELEASE
        if ESCAPE in effs:
            return ESCAPE
        if op.mode == "go" and all(self._accepts_for_life(t.function, i) for t in targets):
            if r.resource and _closed_after(fn, op, r.name, kind):
                # `go c.serve(ln)`, then `ln.Close()` when a later step fails: the function still owns
                # the listener it serves, by its own word, and every other way out must close it too
                self.debug["gim2xx_served_listeners_closed_by_the_starter"] += 1
                return None
            self.debug["gim2xx_listeners_served_by_goroutines"] += 1
            return ESCAPE
        return None

    def _accepts_for_life(self, f, i: int) -> bool:
        """`go acceptLoop(ln)`: the goroutine calls `Accept*` on its parameter i inside an endless `for {`.

        It keeps the listener for as long as it runs; an Accept that fails (the
        listener closed under it) ends it. A connection read in such a loop is
        not kept this way: a handler that returns when its reads fail still
        leaves the socket open.
        """
        params = f.facts.params
        if i >= len(params) or not params[i][0]:
            return False
        return self._accepts_in_endless_loop(f, params[i][0])

    def _serves_in_endless_loop(self, f, name: str) -> bool:
        """f accepts on `name` in an endless loop, or hands it to a function of the tree that does
        (`go func() { errCh <- t.Serve(l) }()` with `Serve` looping on `listener.Accept()`)."""
        if self._accepts_in_endless_loop(f, name):
            return True
        for op in f.facts.ops:
            if op.kind != "call" or op.mode == "go":
                continue
            for i, a in enumerate(op.args):
                if not is_ident(a, name):
                    continue
                for t in self.targets(f, op):
                    params = t.function.facts.params
                    if i < len(params) and params[i][0] and self._accepts_in_endless_loop(t.function, params[i][0]):
                        return True
        return False

    def _accepts_in_endless_loop(self, f, pname: str) -> bool:
        """f calls `Accept*` on `pname` (a parameter or a captured variable) inside an endless `for {`."""
        view = self.view(f)
        loops = [r for r in range(len(view.regions)) if view.endless(r)]
        for op in f.facts.ops if loops else ():
            name = selected_name(op.fn) if op.kind == "call" else None
            if name and name.startswith("Accept") and is_ident(selector_base(op.fn), pname):
                if any(view.in_region(op.region, r) for r in loops):
                    return True
        return False

    # ---- wrappers of the analysed code -----------------------------------------
    def _wrapper_ref(self, fn, value, holders, kind) -> Ref | None:
        """`limited(rc, n)`: a call of a wrapper (see `wraps_only`) over a holder: the wrapper holds it.

        A `New*` function of another module given the resource, whose one
        result goes to a local (`enc := codec.NewEncoder(conn, h)`), makes a
        `FOREIGN_WRAPPER` holder of it (see `_foreign_wrapper_into_local`).
        """
        n = op_number(value)
        if n is None:
            return None
        op = fn.facts.ops[n]
        for i, a in enumerate(op.args):
            r = _value_ref(a, holders)
            if r is not None and r.resource and self._wraps_all(fn, op, i, r, kind):
                return Ref(r.name, None)
        for a in op.args:
            r = _value_ref(a, holders)
            if r is not None and self._foreign_wrapper_into_local(fn, op, r):
                return Ref(r.name, FOREIGN_WRAPPER)
        return None

    def _result_to_local(self, fn, op) -> bool:
        """The call's only result goes straight to a local of fn (`w := wrap(c)`), not a parameter."""
        parent = self._parent_op(fn, op)
        pop = fn.facts.ops[parent] if parent is not None else None
        if pop is None or pop.kind != "assign" or len(pop.targets) != 1 or len(pop.args) != 1:
            return False
        if call_number(pop.args[0]) != self.op_index(fn, op):
            return False
        name = ident(pop.targets[0])
        return name is not None and name in self.program.declared(fn) and name not in self.params(fn)

    def _wraps_into_local(self, fn, op, i, r, kind) -> bool:
        """The call wraps argument i (see `wraps_only`) and its only result goes to a local of fn."""
        if op.mode != "plain" or not r.resource or not self._result_to_local(fn, op):
            return False
        return self._wraps_all(fn, op, i, r, kind)

    def _foreign_wrapper_into_local(self, fn, op, r) -> bool:
        """`enc := codec.NewEncoder(conn, h)`: a `New*` function of another module wraps the resource in a local.

        We cannot read its body, but what it builds is kept only in that
        local: the resource lives as long as the wrapper, which the walk then
        follows (closing it closes the resource, handing it on hands the
        resource on, dropping it drops the resource); so is `tls.Client(raw, cfg)`
        and the few like it (`_FOREIGN_WRAPPERS`). Packages known to only
        borrow (`bufio`, `encoding/json`) keep their plain "borrows" reading,
        and the known takers (`httputil.NewClientConn`) stay hand-offs.
        """
        if op.mode != "plain" or r.container or r.suffix != ():
            return False
        return self.foreign_wrapper(fn, op) and self._result_to_local(fn, op)

    def foreign_wrapper(self, fn, op, closed: bool = False) -> bool:
        """op calls a `New*` function of another module (or one of `_FOREIGN_WRAPPERS`) that wraps
        what it is given, not one known to only borrow or to take it. A `New*Client` is taken for a
        generated stub, which keeps the connection without closing it, unless the caller knows the
        wrapper is closed (`closed`: `c.rc.Close()` on `&Client{rc: rpc.NewClient(conn)}`)."""
        ext = self.program.external_callee(fn, op.fn)
        if ext is None or ext.recv or not (ext.name.startswith("New") or ext.qualname in _FOREIGN_WRAPPERS):
            return False
        if not closed and _GENERATED_CLIENT.match(ext.name):
            return False
        return not (ext.pkg in _BORROW_PKGS or ext.qualname in _TAKERS)

    def _chained_wrapper(self, fn, op, i, r, kind):
        """`objstore.NewStub(conn).Stat(bucket, key)`: the call wraps argument i (see `wraps_only`) and
        its result is only the receiver of one method call of the tree, which returns no value of
        the wrapper's type. The wrapper is dropped after that call, and the resource with it unless
        the method closes or keeps its receiver: the method's effect on it (RELEASE, ESCAPE, or ""
        for none), or None when the shape does not hold."""
        if op.mode != "plain" or not r.resource:
            return None
        parent = self._parent_op(fn, op)
        pop = fn.facts.ops[parent] if parent is not None else None
        if pop is None or pop.kind != "call" or pop.mode not in ("plain", "defer", "go"):
            return None
        sel = selector(pop.fn)
        if sel is None or call_number(sel[0]) != self.op_index(fn, op) or not self._wraps_all(fn, op, i, r, kind):
            return None
        built = {
            Program.named(self.program.qualify(t.function.facts.results[0], t.function.file))
            for t in self.targets(fn, op)
        }
        methods = self.targets(fn, pop)
        if not methods or any(not t.function.facts.recv_name for t in methods):
            return None
        for t in methods:
            m = t.function
            if any(Program.named(self.program.qualify(res, m.file)) in built for res in m.facts.results):
                return None  # `NewStub(conn).WithTimeout(d)`: the wrapper goes on
        if pop.mode == "go":
            return ESCAPE  # `go NewSession(conn).serve()`: the goroutine keeps it
        effs = {self.summary(t.function, t.function.facts.recv_name, None, kind) for t in methods}
        return RELEASE if RELEASE in effs else ESCAPE if ESCAPE in effs else ""

    def _wraps_into_call(self, fn, op, i, r, kind) -> bool:
        """The call wraps argument i (see `wraps_only`) and is itself an argument of a function's call.

        The outer call must be one the program can name (of the tree or of
        another module): a builtin (`append(ls, wrap(c))`) is left to the
        assignment that stores its value.
        """
        if op.mode != "plain" or not r.resource:
            return False
        parent = self._parent_op(fn, op)
        pop = fn.facts.ops[parent] if parent is not None else None
        if pop is None or pop.kind != "call" or pop.mode != "plain":
            return False
        if self.program.external_callee(fn, pop.fn) is None and not self.targets(fn, pop):
            return False
        here = self.op_index(fn, op)
        if not any(call_number(a) == here for a in pop.args):
            return False
        return self._wraps_all(fn, op, i, r, kind)

    def _wraps_all(self, fn, op, i, r, kind) -> bool:
        targets = self.targets(fn, op)
        return bool(targets) and all(self.wraps_only(t.function, i, r, kind) for t in targets)

    def wraps_only(self, f, i, r, kind) -> bool:
        """f's one result, declared a resource of the kind, wraps its parameter i; f does nothing else with it.

        `func limited(rc io.ReadCloser, n int64) io.ReadCloser { return lrc{io.LimitReader(rc, n), rc} }`:
        every use of the parameter only reads it or puts it in what f returns,
        so the resource lives exactly as long as the wrapper the caller gets.
        The result may also be a struct of the analysed code whose closer
        releases the field the parameter is put in (`func NewConn(raw *ws.Conn)
        *Conn { return &Conn{Conn: raw} }`, `Conn.Close` closing `c.Conn`).
        """
        params = f.facts.params
        if len(f.facts.results) != 1 or i >= len(params) or params[i][1].startswith("..."):
            return False
        declared = Program.named(self.program.qualify(f.facts.results[0], f.file))
        pname = params[i][0]
        if declared is None or not pname or pname == "_":
            return False
        if declared not in kind.types | kind.resource_types and not self._returned_in_closed_field(
            f, declared, pname, r, kind
        ):
            return False  # only a result declared as a resource of the kind (`io.ReadCloser`, `net.Conn`)
        key = (f.id, pname, r.suffix, kind.name, "wraps")
        if key in self._summary:
            return self._summary[key]
        self._summary[key] = False  # recursion: not a wrapper
        holders = {pname: Holder(pname, r.suffix, "")}
        returned = False
        for op in f.facts.ops:
            if op.kind == "return":
                returned = returned or self.returns_holder(f, op, holders)
                continue
            eff = self.op_effect(f, op, holders, kind, scan=True)
            if eff in (RELEASE, ESCAPE) or isinstance(eff, Store):
                return False
        self._summary[key] = returned
        return returned

    def _returned_in_closed_field(self, f, named, pname, r, kind) -> bool:
        """Every return of f that gives back parameter pname builds `&T{field: pname}`, T's closer releasing field.

        T (`named`) must be a type of the analysed code: its closer is read,
        not assumed.
        """
        if r.suffix is None or named.split("#")[0] not in self.program.packages:
            return False  # a wrapper of a wrapper (`_wrapper_ref`): where the resource sits is not known
        found = False
        for op in f.facts.ops:
            if op.kind != "return" or len(op.args) != 1 or is_nil(op.args[0]):
                continue
            built = op.args[0]
            local = ident(built)
            if local is not None:
                # `c := &Conn{conn: raw}; go c.pingWorker(); return c`: the local built once from the literal
                built = single_assignment(self.program, f, local)
            comp = composite(strip_address(built)) if built is not None else None
            fields = [ident(k) for k, v in comp[1] if k is not None and is_ident(v, pname)] if comp else []
            if len(fields) != 1 or fields[0] is None:
                return False
            if self.field_closer(named, (fields[0], *r.suffix), kind) is None:
                return False
            found = True
        return found

    def field_closer(self, named, suffix, kind) -> str | None:
        """The name of the type's closer method that releases the resource at suffix of its receiver, if any."""
        for m in sorted(kind.closers):
            mf = self.program.method(named, m)
            recv = mf.facts.recv_name if mf is not None else ""
            if recv and self.summary(mf, recv, suffix, kind) == RELEASE:
                return m
        # `CloseWithError(code, reason)`, `CloseNow()`: a closer of the type's own by another name (one
        # that ends the value, not half of it)
        if len(suffix) == 1 and "Close" in kind.closers and self._embeds_resource(named, suffix[0], kind):
            return "Close"  # `type Stream struct { net.Conn; ID uint32 }`: the connection's own Close, promoted
        if kind.stream:
            return None  # a stream's wrapper: `Close` there is often a half close (`CloseSend`)
        for m in sorted(self.program.declared_method_names(named)):
            if not m.startswith(_CLOSING_VERBS) or m in kind.closers or m in _HALF_CLOSERS:
                continue
            mf = self.program.method(named, m)
            recv = mf.facts.recv_name if mf is not None else ""
            if recv and self.summary(mf, recv, suffix, kind) == RELEASE:
                return m
        return None

    def _embeds_resource(self, named, field: str, kind) -> bool:
        """The struct embeds the field, of a type of the kind (`net.Conn`) or an io interface with
        `Close` (`struct{ *bufio.Scanner; io.Closer }` over a body), and declares no `Close` of its
        own: its `Close`, promoted from the field, is the resource's."""
        decl = self.program.type_decl(named)
        if decl is None or "Close" in self.program.declared_method_names(named):
            return False
        t, ff = decl
        if t.kind != "struct":
            return False  # an interface's members are its methods
        for name, ftype, embedded in t.members:
            if embedded and name == field:
                embedded_type = Program.named(self.program.qualify(ftype, ff))
                return embedded_type in kind.types or embedded_type in CLOSER_INTERFACES
        return False

    # ---- hand-offs that count only when the callee succeeds ----------------
    def refused_on_failure(self, fn, op, holders, kind, results: int) -> bool:
        """The call takes over the holders it is given only if it succeeds.

        By Go convention a function that returns an error has not taken
        ownership of what it was given. `results` is how many results the
        caller receives (`x, err := f(conn)`: 2; `f(conn) != nil`: 1); the
        last is the error. True when every argument carrying a holder goes to
        a callee that, failing, keeps nothing: a function of the analysed code
        whose last result is an `error` and whose failing returns all come
        before anything that closes, keeps or returns the parameter, or a named
        function of another module received as `x, err := ...` that is not
        known to keep its argument when it fails (`_KEEP_ON_FAILURE`).
        Anything else (function values, closures, calls the program cannot
        name, a callee of the tree that keeps the value first) keeps the
        hand-off unconditional, as before. `sync.Map.LoadOrStore` received as
        `actual, loaded := ...` keeps it only when `loaded` is false (see
        `stored_unless_loaded`).
        """
        if op.mode != "plain" or funclit(op.fn) is not None:
            return False
        refs = [
            (i, r)
            for i, a in enumerate(op.args)
            if funclit(a) is None and (r := _value_ref(a, holders) or self._wrapper_ref(fn, a, holders, kind))
        ]
        if not refs:
            return False
        ext = self.program.external_callee(fn, op.fn)
        if ext is not None:
            if ext.qualname in _SYNC_MAP_STORES:
                return results == 2 and ext.qualname in _STORED_UNLESS_LOADED
            if ext.qualname in _KEEP_ON_FAILURE or f"{ext.pkg}.{ext.name}" in _TAKERS:
                return False
            if kind.keep_on_failure and _listed(ext, kind.keep_on_failure):
                return False  # the project's config says this library closes or keeps it when it fails
            return results >= 2 and ext.pkg not in self.program.packages
        targets = self.targets(fn, op)
        if not targets:
            return False
        for t in targets:
            f = t.function
            if len(f.facts.results) != results or f.facts.results[-1] != "error":
                return False
            if not all(self._refuses_on_failure(f, i, r, kind) for i, r in refs):
                return False
        return True

    def stored_unless_loaded(self, fn, op) -> bool:
        """`m.LoadOrStore(k, conn)` of a `sync.Map`: its `loaded` result, true, says the map kept another value."""
        ext = self.program.external_callee(fn, op.fn)
        return ext is not None and ext.qualname in _STORED_UNLESS_LOADED

    def _refuses_on_failure(self, f, i, r, kind) -> bool:
        """f returns a failure before anything it does closes, keeps or returns its parameter i.

        A function that closes the parameter anywhere (its success path, say) owns it on
        every path. Read in source order, flow-insensitively: a release or hand-off
        anywhere before a failing return (a `defer conn.Close()` at the top,
        `s.conns[c] = ...` before the check) counts as taking the value on
        that return, which errs on the side of silence.
        """
        params = f.facts.params
        if i >= len(params) or params[i][1].startswith("..."):
            return False
        pname = params[i][0]
        if not pname or pname == "_":
            return True  # never looked at
        key = (f.id, pname, r.suffix, kind.name, bool(r.container))
        if key in self._refuses:
            if self._refuses[key]:
                self._last_refusal = key
            return self._refuses[key]
        self._refuses[key] = False  # recursion: assume it keeps the value
        holders = {pname: Holder(pname, r.suffix, "slice" if r.container else "")}
        if any(
            _closes_directly(f, op, pname) and self.op_effect(f, op, holders, kind, scan=True) == RELEASE
            for op in f.facts.ops
        ):
            # It closes what it is given (on success, say): an owner, not a borrower; what it does
            # with the value when it fails is its own business (`Persist(sink)` cancels the sink).
            self._refuses[key] = False
            return False
        refuses = False
        read_error: dict[str, bool] = {}  # name -> last assigned from the stream's Recv
        for op in f.facts.ops:
            if op.kind == "return":
                if self.returns_holder(f, op, holders):
                    if op.region != 0 and op.args and is_nil(op.args[-1]):
                        # `if p.TLS == nil { return raw, nil }`: handed back on that branch only, a
                        # success; the failing returns after it still fail with the value open
                        continue
                    break
                if (kind.stream or kind.suffix) and self._after_failed_read(f, op, read_error):
                    continue  # the stream ended, or the body's read failed: its error leaves nothing open
                if self._after_nil_test(f, op, pname):
                    continue  # `if resp == nil || respErr != nil { return nil, respErr }`: nothing was given
                if self._after_error_parameter_test(f, op):
                    continue  # `statusError(res, err)`: `if err != nil { return err }` is the caller's own failure
                if op.args and not is_nil(op.args[-1]):
                    refuses = True  # `return err`, `return nil, fmt.Errorf(...)`, `return g(c)`
                    self._refusing_returns[key] = (f, op)
                    break
                continue
            if op.kind == "call" and self.returned_handoff_refused(f, op, holders, kind) is not None:
                # `return g(ctx, c)`: g fails before taking c, and f hands that failure on as its own
                refuses = True
                self._refusing_returns[key] = self._refusing_returns.get(self._last_refusal, (f, op))
                break
            if op.kind == "assign" and (kind.stream or kind.suffix):
                value = callee_of(op.args[0]) if len(op.args) == 1 else None
                if kind.stream:
                    read = (
                        selected_name(value) in ("Recv", "RecvMsg") and _ref(selector_base(value), holders) is not None
                    )
                else:  # `b, err := io.ReadAll(r.Body)`: when it fails, the transport closed the body
                    read = self._reads_body_to_end(f, op.args[0], holders, kind) if len(op.args) == 1 else False
                for t in op.targets:
                    name = ident(t)
                    if name is not None:
                        read_error[name] = read
            eff = self.op_effect(f, op, holders, kind, scan=True)
            if eff in (RELEASE, ESCAPE) or isinstance(eff, Store):
                break
        self._refuses[key] = refuses
        if refuses:
            self._last_refusal = key
        return refuses

    def returned_handoff_refused(self, fn, op, holders, kind) -> tuple | None:
        """`return f(conn)`, where f is of the tree and fails before taking conn: f's failing return.

        fn hands f's failure on as its own, so on that path nobody owns the value:
        a leak by the same convention as `if err := f(conn); err != nil { return err }`.
        Only callees of the tree are judged, and every implementation must refuse, so
        the message can name the return that fails with the value still open.
        Returns (function, return op) of that failing return, else None.
        """
        results = fn.facts.results
        if op.kind != "call" or not results or results[-1] != "error":
            return None
        parent = self._parent_op(fn, op)
        ret = fn.facts.ops[parent] if parent is not None else None
        if ret is None or ret.kind != "return" or len(ret.args) != 1:
            return None
        if call_number(ret.args[0]) != self.op_index(fn, op):
            return None
        if self.program.external_callee(fn, op.fn) is not None:
            return None
        if not self.refused_on_failure(fn, op, holders, kind, len(results)):
            return None
        refusal = self._refusing_returns.get(self._last_refusal)
        if refusal is None:
            return None
        rfn, rop = refusal
        consts = argument_constants(rfn.facts.params, op.args)
        if consts and any(t.function is rfn for t in self.targets(fn, op)):
            if ruled_out_by_constants(rfn.facts, rop.region, consts):
                # `NewKeepAliveListener(ln, "tcp", nil)`: the failure sits under `if scheme == "https"`
                self.debug["gim2xx_returned_handoffs_ruled_out_by_arguments"] += 1
                return None
        return refusal

    def _reads_body_to_end(self, f, value, holders, kind) -> bool:
        """`io.ReadAll(r.Body)` (or a copy into `io.Discard`) of the holder's body field."""
        c = call(value)
        if c is None or kind.suffix is None or len(kind.suffix) != 1:
            return False
        sel = selector(self.drained_reader(f, c[0], c[1]))
        return sel is not None and sel[1] == kind.suffix[0] and _ref(sel[0], holders) is not None

    def drained_reader(self, f, fn_expr, args):
        """The reader a call reads until it ends or fails, else None: `io.ReadAll(r)`, or a copy of
        r into `io.Discard`, whose writes never fail (a copy into another writer can fail on the
        writer's side, with r still unread). When such a read of an HTTP body fails, the transport
        has closed the connection under it."""
        name = selected_name(fn_expr)
        if name == "ReadFrom" and len(args) == 1:
            # `buf.ReadFrom(r)` on a bytes.Buffer: it grows rather than fail, so it reads r to its end
            t = (self.program.type_of(f, selector_base(fn_expr)) or "").lstrip("*")
            return args[0] if t == "bytes#Buffer" else None
        if self.program.imported_path(f, selector_base(fn_expr)) not in _IO_PACKAGES:
            return None
        if name == "ReadAll" and len(args) == 1:
            return args[0]
        if name in ("Copy", "CopyBuffer") and len(args) >= 2 and selected_name(args[0]) == "Discard":
            return args[1] if self.program.imported_path(f, selector_base(args[0])) in _IO_PACKAGES else None
        return None

    def _conditions_around(self, f, op):
        """The conditions of the `if`/`else` branches the op sits in, innermost first."""
        view = self.view(f)
        for r in view.chain(op.region):
            reg = view.regions[r]
            if reg.kind in ("if", "else") and is_expr(reg.info):
                yield reg.info

    def _after_failed_read(self, f, op, read_error: dict[str, bool]) -> bool:
        """The return sits under a condition on the error of the stream's last Recv (`if err != nil`)."""
        return any(any(read_error.get(n) for n in idents_in(cond, set())) for cond in self._conditions_around(f, op))

    def _after_nil_test(self, f, op, pname: str) -> bool:
        """The return sits under a condition comparing the parameter (or a field of it) with nil."""
        for cond in self._conditions_around(f, op):
            for e in subexprs(cond):
                b3 = binary(e)
                if b3 is None or b3[0] not in ("==", "!="):
                    continue
                for side, other in ((b3[1], b3[2]), (b3[2], b3[1])):
                    base = side
                    while selector(base) is not None:
                        base = selector_base(base)
                    if is_nil(other) and is_ident(base, pname):
                        return True
        return False

    def _after_error_parameter_test(self, f, op) -> bool:
        """The return sits under `if e != nil` on a parameter e declared `error`.

        A checker handed a call's results (`statusError(res, err)`) returns the
        error it was given before it looks at the value: that failure is the
        caller's own call failing, when there was nothing to take over.
        """
        errors = {name for name, t in f.facts.params if t == "error" and name}
        if not errors:
            return False
        for cond in self._conditions_around(f, op):
            b3 = binary(cond)
            if (
                b3 is not None
                and b3[0] == "!="
                and any(is_nil(other) and ident(side) in errors for side, other in ((b3[1], b3[2]), (b3[2], b3[1])))
            ):
                return True
        return False

    def _param_effect(self, f, i, r, kind):
        params = f.facts.params
        if i >= len(params) or params[i][1].startswith("..."):
            return ESCAPE  # gathered into a variadic slice: not followed
        pname = params[i][0]
        if not pname or pname == "_":
            return None
        closeless = params[i][1] in _CLOSELESS_INTERFACES or (
            self.program.qualify(params[i][1], f.file) in _CLOSELESS_LIBRARY_INTERFACES
        )
        if closeless and not r.container and not self._param_asserted(f, pname):
            # Declared `r io.Reader`: whatever the callee does with it, it cannot close it through
            # that parameter (short of a type assertion, looked for): the caller still must.
            return None
        return self.summary(f, pname, r.suffix, kind, "slice" if r.container else "")

    def _param_asserted(self, f, pname: str) -> bool:
        """_asserted, read once per (function, parameter): a helper may be handed many resources."""
        key = (f.id, pname)
        found = self._asserted.get(key)
        if found is None:
            found = self._asserted[key] = _asserted(f, pname)
        return found

    def summary(self, f, pname, suffix, kind, container=""):
        """What f does with its parameter pname: RELEASE (closes it), ESCAPE (keeps it), None (borrows)."""
        key = (f.id, pname, suffix, kind.name, container)
        if key in self._summary:
            return self._summary[key]
        self._summary[key] = None  # recursion: assume it borrows
        res = self.scan(f, {pname: Holder(pname, suffix, container)}, kind)
        self._summary[key] = res
        return res

    def _group_goroutine_serves_wrapper(self, fn, op, lit, holders, arg) -> bool:
        """op is `g.Go(arg)` of a library group that runs arg on a goroutine of its own
        (program.SPAWNERS: errgroup, WaitGroup, conc), as a `go` statement does, and arg is a
        method value of a wrapper of another module that holds the resource, or the literal lit
        calling a method on such a captured wrapper (`m := cmux.New(ln)`, then `g.Go(m.Serve)` or
        `g.Go(func() error { return m.Serve() })`): the goroutine keeps the wrapper, as
        `go m.Serve()` does."""
        if op.kind != "call" or selected_name(op.fn) not in SPAWNER_METHODS or len(op.args) != 1:
            return False
        ext = self.program.external_callee(fn, op.fn)
        if ext is None or (ext.pkg, ext.recv) not in SPAWNERS:
            return False
        if lit is None:
            h = holders.get(ident(selector_base(arg)) or "")
            if h is None or h.suffix != FOREIGN_WRAPPER:
                return False
        else:
            wrappers = {n for n, h in self.captured(lit, holders).items() if h.suffix == FOREIGN_WRAPPER}
            if not any(
                o.kind == "call" and ident(selector_base(o.fn)) in wrappers
                for o in ops_with_literals(lit)
                if selector(o.fn) is not None
            ):
                return False
        self.debug["gim2xx_wrappers_served_by_group_goroutines"] += 1
        return True

    def _calls_releasing_closure(self, fn, op, holders, kind) -> bool:
        """`fail(err)` where `fail := func(err error) (...) { for _, s := range streams { s.Body.Close() }
        ... }` is a local of fn holding one literal that releases what it captures: the call releases it."""
        name = ident(op.fn)
        if name is None or name in holders or op.mode != "plain" or self.program.lookup_local(fn, name) is None:
            return False
        lits = [t.function for t in self.program.func_values_of_local(fn, name)]
        if len(lits) != 1 or lits[0].parent is None or not self.captured(lits[0], holders):
            return False
        return self.literal_effect(lits[0], holders, kind) == RELEASE

    def captured(self, lit, holders) -> dict:
        """The holders a function literal refers to (and does not redeclare)."""
        captured = {n: h for n, h in holders.items() if n not in self.program.declared(lit)}
        if not captured:
            return {}
        used: set[str] = set()
        for op in ops_with_literals(lit):
            for e in list(op.args) + list(op.targets) + ([op.fn] if op.fn is not None and op.kind != "jump" else []):
                idents_in(e, used)
        return {n: h for n, h in captured.items() if n in used}

    def literal_effect(self, lit, holders, kind):
        """What a function literal does with the holders it captures."""
        captured = self.captured(lit, holders)
        if not captured:
            return None
        key = (lit.id, tuple(sorted((n, h.suffix, h.container) for n, h in captured.items())), kind.name)
        if key in self._lit_effect:
            return self._lit_effect[key]
        self._lit_effect[key] = None
        res = self.scan(lit, captured, kind)
        self._lit_effect[key] = res
        return res

    def scan(self, f, holders, kind):
        """Flow-insensitive effect of a whole function body on the given holders."""
        holders = dict(holders)
        result = None
        for op in f.facts.ops:
            eff = self.op_effect(f, op, holders, kind, scan=True)
            if eff == RELEASE:
                return RELEASE
            if eff == ESCAPE:
                result = ESCAPE
        if kind.stream and self._drained(f, holders):
            return RELEASE
        return result

    def _drained(self, f, holders) -> bool:
        """A stream read in a loop (Recv until it fails) is released by the reader."""
        view = self.view(f)
        for op in f.facts.ops:
            if op.kind == "call" and selected_name(op.fn) in ("Recv", "RecvMsg"):
                r = _ref(selector_base(op.fn), holders)
                if r is not None and r.resource and view.loops_around(op.region):
                    return True
        return False

    def assign_effect(self, fn, op, holders, kind):
        targets, values = op.targets, op.args
        pairs = []
        if len(values) == 1 and len(targets) > 1:
            v = values[0]
            over = ranged(v)
            if over is not None:
                r = _ref(over, holders)
                if r is not None and (r.container or r.suffix is None):
                    # each element of a container, or of a collection literal wrapping the resource
                    # (`for _, tc := range []tc{{conn: c}}`), holds it as the container did
                    for i, t in enumerate(targets):
                        if not self._ranges_elements(fn, over, i):
                            continue
                        name = ident(t)
                        if name is not None and name != "_":
                            holders[name] = Holder(name, r.suffix, "", self.program.declared(fn).get(name, op.region))
                return None
            if assertion(v) is not None or index(v) is not None:
                pairs = [(targets[0], v)]
            elif self._receiver_result(fn, v, holders, kind) is not None:
                pairs = [(targets[0], v)]  # `conn, err := w.Start(m)`: the first result is the same resource
            else:
                return None
        else:
            pairs = list(zip(targets, values, strict=False))
        result = None
        for t, v in pairs:
            tname = ident(t)
            lit_index = funclit(v)
            if lit_index is not None:
                lit = self.program.literal(fn, lit_index)
                if lit is not None and self.captured(lit, holders):
                    if self.literal_effect(lit, holders, kind) is None:
                        # `req := func() error { _, err := io.Copy(w, conn); return err }`: the closure
                        # neither closes, keeps nor returns what it captures, so whoever is given it
                        # (`task.Run(ctx, req)`) cannot release it either.
                        self.debug["gim2xx_closures_only_using_it"] += 1
                        continue
                    if tname is not None and tname in self.program.declared(fn) and tname not in self.params(fn):
                        holders[tname] = Holder(tname, None, "", self.program.declared(fn).get(tname, 0))
                    elif tname != "_":
                        result = _stronger(result, ESCAPE)  # a closure kept in a field or outer variable
                continue
            over = ranged(v)
            if over is not None:
                r = _ref(over, holders)
                if (
                    r is not None
                    and r.container
                    and tname is not None
                    and tname != "_"
                    and self._ranges_elements(fn, over, 0)
                ):
                    holders[tname] = Holder(tname, r.suffix, "", self.program.declared(fn).get(tname, op.region))
                continue
            # m[conn] = x: the resource is kept as a key
            target_index = index(t)
            if target_index is not None:
                kr = _ref(target_index[1], holders)
                if kr is not None and not kr.container:
                    e = self._store_into(fn, op, target_index[0], kr, holders, "map")
                    result = _stronger(result, e)
            args = call_args(v)
            if args and is_ident(callee_of(v), "append"):
                for a in args[1:]:
                    r = _value_ref(a, holders)
                    if r is None:
                        continue
                    e = self._store_into(fn, op, t, r, holders, "slice")
                    result = _stronger(result, e)
                continue
            closer = selector(v)
            if tname is None and closer is not None and closer[1] in kind.closers:
                # `s.closeFunc = h3s.Close`: the closer itself kept in a field; whoever calls it closes
                # the resource (a test harness's Close, a shutdown hook).
                kept = _ref(closer[0], holders)
                if kept is not None and not kept.container:
                    result = _stronger(result, ESCAPE)
                    continue
            r = _value_ref(v, holders)
            if r is None and tname is not None:
                r = self._wrapper_ref(fn, v, holders, kind)
            if r is None:
                r = self._receiver_result(fn, v, holders, kind)
            if r is None:
                continue
            if tname is not None:
                name = tname
                if name == "_":
                    continue
                if name in self.program.declared(fn) and name not in self.params(fn):
                    suffix = r.suffix
                    if suffix is None and not r.container:
                        suffix = self._closed_field_of_literal(fn, v, holders, kind)
                    holders[name] = Holder(
                        name, suffix, "map" if r.container else "", self.program.declared(fn).get(name, 0)
                    )
                    continue
                result = _stronger(result, ESCAPE)
                continue
            if target_index is not None:
                moved = index(v)
                into, out_of = _ref(target_index[0], holders), _ref(moved[0], holders) if moved else None
                if into is not None and out_of is not None and into.container and into.name == out_of.name:
                    continue  # `eps[j], eps[j-1] = eps[j-1], eps[j]`: moved within the same container
                result = _stronger(result, self._store_into(fn, op, target_index[0], r, holders, "map"))
                continue
            result = _stronger(result, ESCAPE)  # field, *p, ...
        return result

    def _closed_field_of_literal(self, fn, value, holders, kind) -> tuple | None:
        """`c := &Client{conn: conn, rd: bufio.NewReader(conn)}`: the one keyed field of a literal of a
        struct of the tree given the resource itself, when the type's closer releases that field. The
        local then holds the resource at that field (`("conn",)`), so its methods are judged by what
        they do with `c.conn`, as for a struct the tree's constructor returns, not by every use of
        the struct. None when the literal gives it otherwise, twice, or the type does not close it."""
        lit = strip_address(value)
        comp = composite(lit)
        if comp is None:
            return None
        t = self.program.type_of(fn, lit)
        named = Program.named(t) if t else None
        if not named or named.split("#")[0] not in self.program.packages:
            return None
        found = None
        for key, v in comp[1]:
            r = _ref(v, holders) if v is not None else None
            if r is None or r.container or r.suffix != ():
                continue
            field = ident(key) if key is not None else None
            if field is None or found is not None:
                return None
            found = field
        if found is None or self.field_closer(named, (found,), kind) is None:
            return None
        return (found,)

    def _receiver_result(self, fn, value, holders, kind) -> Ref | None:
        """`w.Start(m)` on the resource, where the tree's `Start` returns its receiver or a field of it.

        `func (c *WorkConn) Start(m) (net.Conn, error) { ...; return c.conn, nil }`:
        the first result is what the holder wraps (or the holder itself), so it
        holds the same resource. Every non-nil first result must be one. So does a
        method of another module the catalog lists as returning the connection its
        receiver wraps (`ws.UnderlyingConn()`, the kind's `underlying`).
        """
        n = op_number(value)
        if n is None:
            return None
        op = fn.facts.ops[n]
        sel = selector(op.fn) if op.kind == "call" and op.mode == "plain" else None
        r = _ref(sel[0], holders) if sel is not None else None
        if r is None or not r.resource:
            return None
        if kind.underlying:
            ext = self.program.external_callee(fn, op.fn)
            if ext is not None and _listed(ext, kind.underlying):
                return r
            if (
                ext is None
                and sel is not None
                and not self.targets(fn, op)
                and any(u.endswith(f".{sel[1]}") for u in kind.underlying)
            ):
                # the holder's type is another module's, which the model does not know: the method's
                # name on a value this walk already holds as a connection is the evidence
                return r
        targets = self.targets(fn, op)
        if len(targets) != 1 or targets[0].via:
            return None
        g = targets[0].function
        recv = g.facts.recv_name
        found = False
        for o in g.facts.ops:
            if o.kind != "return":
                continue
            if not recv or not o.args:
                return None
            base = o.args[0]
            if is_nil(base):
                continue
            while (inner := selector(base)) is not None:
                base = inner[0]
            if not is_ident(base, recv):
                return None
            found = True
        return r if found else None

    def _ranges_elements(self, fn, over, position: int) -> bool:
        """The range target at `position` (0: key or index, 1: value) can hold what the container
        holds: the value always; the key only of a map whose key type is not a basic type (`m[conn]
        = x` keeps the resource as its key). An index of a slice, or a `string` key, never does.
        Unknown types keep both."""
        if position == 1:
            return True
        t = (self.type_of(fn, over) or "").lstrip("*")
        if t.startswith("map["):
            return _map_key(t) not in _BASIC_TYPES
        return not t.startswith("[")

    def _queued_in_local_struct(self, fn, op, r, holders):
        """`p.idle <- c` into a buffered channel field of a struct fn built itself, with the channel
        made there too (`p := &pool{idle: make(chan net.Conn, size)}`) and no goroutine started
        before: the struct holds what is queued, and is the holder to return or close. Any other
        send hands the value on."""
        sel = selector(op.fn)
        base = ident(sel[0]) if sel is not None else None
        if sel is None or base is None or base == fn.facts.recv_name or base in holders:
            return ESCAPE
        t = self.type_of(fn, op.fn) or ""
        if not t.startswith("chan") or not local_struct(self, fn, base, results=True):
            return ESCAPE
        if not _made_buffered_in(fn, base, sel[1]) or any(
            o.kind == "call" and o.mode == "go" for o in fn.facts.ops[: fn.facts.ops.index(op)]
        ):
            return ESCAPE
        holders[base] = Holder(base, (sel[1],), "channel", self.program.declared(fn).get(base, 0))
        return Store(base)

    def _store_into(self, fn, op, target, r, holders, how):
        """Store a holder into the container expression `target` (m in m[k] = v, s in s = append(s, v)),
        also a slice or map field of a struct fn built itself (`p.conns = append(p.conns, c)` after
        `p := &Pool{}`): the struct holds them, and is the holder to return or close."""
        sel = selector(target)
        base = ident(sel[0]) if sel is not None else None
        if sel is not None and base is not None and base != fn.facts.recv_name and base not in holders:
            t = self.type_of(fn, target) or ""
            if t.startswith(("map[", "[")) and local_struct(self, fn, base, results=True):
                holders[base] = Holder(
                    base, (sel[1],), "map" if t.startswith("map[") else "slice", self.program.declared(fn).get(base, 0)
                )
                return Store(base)
        name = ident(target)
        if name is not None and name in self.program.declared(fn) and name not in self.params(fn):
            t = self.type_of(fn, target) or ""
            shape = "map" if t.startswith("map[") else "slice" if t.startswith("[") else how
            holders[name] = Holder(
                name, r.suffix if r.suffix is not None else None, shape, self.program.declared(fn).get(name, 0)
            )
            return Store(name)
        return ESCAPE


# Methods of the standard library's values that write the value into their first argument, a
# destination they use and drop (`req.Write(conn)`, `tmpl.Execute(conn, data)`): known by their
# qualified names, as the borrowing packages are, not by the bare method name.
_WRITES_INTO = frozenset(
    {
        "net/http.Request.Write",
        "net/http.Request.WriteProxy",
        "net/http.Response.Write",
        "net/http.Header.Write",
        "net/http.Header.WriteSubset",
        "text/template.Template.Execute",
        "text/template.Template.ExecuteTemplate",
        "html/template.Template.Execute",
        "html/template.Template.ExecuteTemplate",
    }
)


def _made_buffered_in(fn, base: str, field: str) -> bool:
    """fn builds `base` with a literal whose field is a buffered `make(chan T, n)`, or assigns
    `base.field = make(chan T, n)`."""
    for o in fn.facts.ops:
        if o.kind != "assign" or len(o.targets) != len(o.args):
            continue
        for t, v in zip(o.targets, o.args, strict=True):
            if is_ident(t, base):
                comp = composite(strip_address(v))
                made = next((val for k, val in comp[1] if ident(k) == field), None) if comp is not None else None
            elif (ts := selector(t)) is not None and is_ident(ts[0], base) and ts[1] == field:
                made = v
            else:
                continue
            if made is not None and is_make_call(made) and len(call_args(made)) == 2:
                return True
    return False


# The packages of `io.ReadAll`, `io.Copy` and `io.Discard` (ioutil's are the same functions).
_IO_PACKAGES = ("io", "io/ioutil")

_BASIC_TYPES = frozenset(
    (
        "bool",
        "string",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
        "float32",
        "float64",
        "byte",
        "rune",
        "time#Duration",
        "time#Time",
    )
)


def _stronger(a, b):
    """The effect that matters more for ownership: release > escape > store into a container > nothing."""

    def rank(x):
        return 3 if x == RELEASE else 2 if x == ESCAPE else 1 if isinstance(x, Store) else 0

    return a if rank(a) >= rank(b) else b


def _closes_directly(f, op, pname: str) -> bool:
    """op is f's own plain call of a method on its parameter `pname` (`sink.Close()`), not a
    goroutine or a call that closes it further away."""
    return op.kind == "call" and op.mode in ("plain", "defer") and is_ident(selector_base(op.fn), pname)


# Interfaces of the standard library whose method sets have no `Close`: a parameter declared as one
# of them borrows whatever it is given.
_CLOSELESS_INTERFACES = frozenset(
    {
        "io.Reader",
        "io.Writer",
        "io.ReaderAt",
        "io.WriterAt",
        "io.ByteReader",
        "io.RuneReader",
        "io.ReadWriter",
        "io.ReadSeeker",
        "io.WriteSeeker",
        "io.ReadWriteSeeker",
        "io.StringWriter",
    }
)


# The same for interfaces of other modules, by qualified name: a gRPC client connection handed on as
# `grpc.ClientConnInterface` (what generated stubs take) can make calls, but not be closed through it.
_CLOSELESS_LIBRARY_INTERFACES = frozenset({"google.golang.org/grpc#ClientConnInterface"})


def _asserted(f, pname: str) -> bool:
    """Some expression of f or its literals is a type assertion on the parameter (`pname.(io.Closer)`)."""
    param = make_ident(pname)
    for op in ops_with_literals(f):
        for e in (op.fn, *op.args):
            if e is None or not is_expr(e):
                continue
            for x in subexprs(e):
                found = assertion(x)
                if found is not None and found[0] == param:
                    return True
    return False


def _listed(ext, names: frozenset) -> bool:
    """The call of another module is among `names`, as "importpath.Func" (`Type.Method` for a
    method) or with the package's last path element, "pkgname.Func", as the config allows."""
    rest = ext.qualname[len(ext.pkg) + 1 :]
    return ext.qualname in names or f"{ext.pkg.rsplit('/', 1)[-1]}.{rest}" in names


def _false_last(op) -> bool:
    """The call's last argument is the literal `false` (`httputil.DumpResponse(resp, false)`)."""
    last = op.args[-1] if op.args else None
    return last is not None and last[0] == "lit" and last[1] == "false"


def _closed_after(fn, op, name: str, kind) -> bool:
    """fn itself calls a closer on `name` (`ln.Close()`) in a plain call after op: it still owns the value."""
    ops = fn.facts.ops
    at = ops.index(op)
    return any(
        o.kind == "call"
        and o.mode == "plain"
        and selected_name(o.fn) in kind.closers
        and is_ident(selector_base(o.fn), name)
        for o in ops[at + 1 :]
    )
