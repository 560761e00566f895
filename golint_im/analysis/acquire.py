"""Acquisitions: which calls open a resource (catalog, fresh-resource functions, CHA, streams)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from golint_im.expr import (
    binary,
    call,
    call_args,
    call_name,
    call_number,
    callee,
    composite,
    composite_items,
    funclit,
    ident,
    idents_in,
    index,
    is_expr,
    is_ident,
    is_make_call,
    is_nil,
    make_ident,
    nil_compared,
    op_number,
    ranged,
    received,
    render,
    selected_name,
    selector,
    selector_base,
    selector_bases,
    sliced,
    strip_address,
    subexprs,
    unary_operand,
)
from golint_im.facts import Op
from golint_im.program import Program, enclosing_regions

from .effects import Effects
from .fakes import concrete_methods, fake_transport, field_sites, noop_close, receiver_sites
from .owned_fields import field_store, local_struct
from .regions import (
    STRAIGHT_KINDS,
    argument_constants,
    assignments_to,
    ops_with_literals,
    single_assignment,
    unreachable_under_constants,
)
from .resources import (
    _GENERATED_CLIENT,
    _STREAM_USE,
    ESCAPE,
    RELEASE,
    STUB,
    ClosedHere,
    Filled,
    Holder,
    Kind,
    Origin,
    _ref,
)
from .writes import WriteIndex

if TYPE_CHECKING:
    from .ownership import Analysis


def _stream_result_name(method: str) -> Callable[[str], bool]:
    """Whether a type text names method's generated stream type, `<Svc>_<Method>Client`, qualified
    or not. A string test, not a regex: a program has tens of thousands of method names, and
    compiling one pattern each (past the `re` module's cache) cost 2.6 s on 10,191 files."""
    suffix = f"_{method}Client"

    def names(text: str) -> bool:
        if not text.endswith(suffix):
            return False
        before = len(text) - len(suffix)
        return before == 0 or text[before - 1] == "." or text[before - 1] == "_" or text[before - 1].isalnum()

    return names


_GRPC_CLIENT_STREAM = "google.golang.org/grpc#ClientStream"
_GRPC_STREAMING_CLIENTS = frozenset(
    f"google.golang.org/grpc#{kind}StreamingClient" for kind in ("Server", "Client", "Bidi")
)


@dataclass
class Fresh:
    kind: Kind
    result: int
    base: str
    impl_op: object
    collection: str = ""  # "slice" | "map": a collection of fresh resources, each the caller's to release
    suffix: tuple | None = None  # (field, ...): a struct wrapping the resource (see Origin.suffix)
    # Known by the function's own close on a failure path, not by name: that evidence (closed_values.py).
    impl_closed: ClosedHere | None = None
    # Fresh only in one mode of its receiver (`if r.mode == Direct { return Dial(addr) }`, a cache
    # otherwise), which the program sets: (the condition as written, the function and op setting it).
    mode: tuple | None = None
    # Some returns hand back a connection taken from the receiver's own pool of idle ones (`case c :=
    # <-p.idle: return c, nil`, or popped from a slice) instead of a new one: a checkout the caller must
    # give back or close.
    checked_out: bool = False


class Acquire(Effects):
    """Which calls acquire a resource the caller must release (`acquisition`), and why (`Origin`).

    A call acquires when it is a catalog constructor, a call of an analysed
    function that returns a fresh resource on every call (`fresh`, followed
    through further such functions and CHA), or a method of a generated
    `<Svc>Client` returning a stream. Knowledge that decides ownership of one
    kind lives here too: requests to an httptest server (`to_httptest`).
    """

    kinds: dict[str, Kind]
    stream_kind: Kind | None
    _by_name: dict[str, list[Kind]]
    _acq_cache: dict
    _forwarding: dict  # (interface, method) -> every implementation only forwards
    _stream_methods: dict  # (type, method) -> whether its declaration returns a client stream
    _fresh: dict
    _closed_test_servers: dict[int, bool]
    _writes: WriteIndex | None = None

    def closed_origins(self, fn) -> dict[int, Origin]:
        """Op index -> Origin of fn's values known by a close of fn's own; the ownership analysis fills it."""
        return {}

    # ---- acquisitions ------------------------------------------------------
    def acquisition(self, fn, op) -> Origin | None:
        """Origin if the call op opens a resource the caller must release."""
        if op.kind != "call" or op.mode != "plain":
            return None
        key = (fn.id, id(op))
        if key in self._acq_cache:
            return self._acq_cache[key]
        self._acq_cache[key] = None  # recursion guard
        origin = self._acquisition(fn, op)
        self._acq_cache[key] = origin
        return origin

    def _acquisition(self, fn, op) -> Origin | None:
        fn_expr = op.fn
        last = call_name(fn_expr)
        if not last:
            return None
        an = cast("Analysis", self)  # the ownership analysis this mixin is part of
        targets = self.targets(fn, op)
        if last in self._by_name:
            names = self.call_names(fn, fn_expr)
            for k in self._by_name[last]:
                hit = names & k.constructors
                if hit and (fake_transport(an, fn, op) or self._opens_nothing(fn, op) or self._dials_fakes(fn, op)):
                    return None  # a canned transport, a test's fake listener: no connection behind it
                if hit and k.name == "http-body" and self._head_request(fn, op, hit):
                    self.debug["gim2xx_head_requests"] += 1
                    return None  # a HEAD response has no body: net/http frees the connection itself
                if hit:
                    return Origin(k, 0, sorted(hit, key=len)[-1])
        elif any(t.via for t in targets) and self._opens_nothing(fn, op):
            return None
        # Calls into the analysed code: catalog functions analysed themselves, or fresh-resource functions.
        best = None
        want = self._results_wanted(fn, op)
        if fn.file.is_test and any(t.via.startswith("interface") and t.function.file.is_test for t in targets):
            # The test declares an implementation of the interface of its own (a fake): which one
            # the call reaches is the test's choice, and the dialing one is not evidence.
            self.debug["gim2xx_test_fake_implementations"] += 1
            return None
        for t in targets:
            f = t.function
            if want is not None and len(f.facts.results) != want:
                continue  # CHA by method name matched a method of another shape
            for k in self.kinds.values():
                hit = self.function_names(f) & k.constructors
                if hit:
                    return Origin(k, 0, sorted(hit, key=len)[-1])
            fr = self.fresh(f)
            if fr is not None and self._nothing_open_for(f, op, fr.result):
                self.debug["gim2xx_helpers_closing_for_these_arguments"] += 1
                continue  # `sendRequest(..., true)`: with that flag the helper reads and closes the body
            if fr is not None and fr.kind.name == "http-body" and self._head_through_helper(fn, op, f, fr.impl_op):
                self.debug["gim2xx_head_requests"] += 1
                continue  # a HEAD request sent through the tree's own helper: no body to close
            if fr is not None and best is None:
                if not t.via and selector(fn_expr) is not None and self._opens_nothing(fn, op):
                    return None  # `tr.Dial()` on a wrapper the test built around its fake dialer
                if not t.via and self._field_func_opens_nothing(fn, fn_expr, f, fr):
                    continue  # `f := &factory{Open: func() ... { return conn, nil }}; f.New()`
                best = Origin(
                    fr.kind,
                    fr.result,
                    fr.base,
                    impl=f,
                    via=t.via,
                    impl_op=fr.impl_op,
                    collection=fr.collection,
                    suffix=fr.suffix,
                    impl_closed=fr.impl_closed,
                    mode=fr.mode,
                    checked_out=fr.checked_out,
                    closer=self._wrapper_closer(f, fr),
                )
        if best is not None:
            return best
        forwarded = bool(targets) and self._forwarders_only(fn, op, targets)
        dialer = (
            (self._field_dialer(fn, op) or self._unimplemented_dialer(fn, op))
            if not targets
            else self._unimplemented_dialer(fn, op, forwarders=True)
            if forwarded
            else None
        )
        if dialer is not None:
            return dialer
        into = self._filled_local_struct(fn, op, targets) or self._filled_local_collection(fn, op, targets)
        if into is not None:
            return into
        if selector(fn_expr) is not None and self.stream_kind is not None and self._stream_call(fn, op):
            return Origin(self.stream_kind, 0, f"{render(fn_expr)}")
        return None

    def _selected_on(self, fn, op) -> tuple:
        """(the call's selector `(base, name)`, base's named type or None) for `x.f(...)`; (None, None)
        for a call that selects nothing."""
        sel = selector(op.fn)
        if sel is None:
            return None, None
        t = self.type_of(fn, sel[0])
        return sel, (Program.named(t) if t else None)

    def _field_dialer(self, fn, op) -> Origin | None:
        """`f.Dial("tcp", addr)` through a function-typed field of a type of the tree, when every value
        the tree gives that field is a catalog constructor of one kind (`&Forwarder{Dial: d.Dial}`
        with d a `*net.Dialer`): the call opens what they open. A field given any other value (a
        test's fake, an in-tree function, a parameter) says nothing."""
        sel, named = self._selected_on(fn, op)
        if sel is None:
            return None
        program = cast("Analysis", self).program
        ft = program.field_type(named, sel[1]) if named else None
        if named is None or ft is None or not program.underlying(ft[0]).startswith("func("):
            return None
        found = None
        for g, rhs in self._dialer_values(program.field_value_writes(named, sel[1])):
            names = self.call_names(g, rhs) if selector(rhs) is not None else set()
            kind = next((k for k in self.kinds.values() if names & k.constructors), None)
            if kind is None or (found is not None and found[0] is not kind):
                return None
            found = (kind, sorted(names & kind.constructors, key=len)[-1])
        if found is None:
            return None
        self.debug["gim2xx_field_dialers"] += 1
        return Origin(found[0], 0, found[1])

    def _dialer_values(self, writes: list) -> list[tuple]:
        """(function, value) for each value written into a dialer field; a constructor's parameter
        (`&Balancer{dial: dial}` in `NewBalancer(addrs []string, dial DialFunc)`) stands for what
        each of its callers passes (`NewBalancer(addrs, d.DialContext)`), one level up, when only
        the tree can call it (unexported, or in package main). A parameter of a function nothing in
        the tree calls, or that other modules may call, stays itself, and says nothing."""
        program = cast("Analysis", self).program
        out = []
        for g, _base, rhs in writes:
            name = ident(rhs)
            at = next((i for i, (p, _t) in enumerate(g.facts.params) if name and p == name), -1)
            outside = g.facts.name[:1].isupper() and g.pkg.name != "main"
            callers = program.callers(g) if at >= 0 and not outside else []
            if not callers:
                out.append((g, rhs))
                continue
            for c, call_op in callers:
                if call_op.mode not in ("plain", "go", "defer") or at >= len(call_op.args):
                    return [(g, rhs)]  # passed on as a value, or variadic: the callers are not all seen
                out.append((c, call_op.args[at]))
        return out

    def _forwarders_only(self, fn, op, targets) -> bool:
        """Every implementation the interface call reaches is a decorator of the same interface: each
        of its returns hands back what the same method of a field of that interface returns
        (`return s.next.Do(req)` in a signing or logging `Doer`). Such an interface still stands
        for the library type at the end of the chain (`*http.Client`)."""
        sel, named = self._selected_on(fn, op)
        if sel is None or named is None or not all(t.via.startswith("interface") for t in targets):
            return False
        memo = (named, sel[1])
        known = self._forwarding.get(memo)
        if known is None:
            known = self._forwarding[memo] = all(self._forwards(t.function, named, sel[1]) for t in targets)
        return known

    def _forwards(self, f, named: str, method: str) -> bool:
        """Every `return` of f returns the result of `x.method(...)` with x of the interface named: the
        call itself, nil, or a local given only such results (`resp, err = r.next.Do(req)` in a retry
        loop, `var resp *http.Response` aside)."""
        returns = [o for o in f.facts.ops if o.kind == "return"]
        if not returns:
            return False

        def forwarded(value) -> bool:
            c = call(value)
            sel = selector(c[0]) if c is not None else None
            if sel is None or sel[1] != method:
                return False
            t = self.type_of(f, sel[0])
            return t is not None and Program.named(t) == named

        forwards = False
        for r in returns:
            value = r.args[0] if r.args else None
            if value is None or is_nil(value):
                continue
            if forwarded(value):
                forwards = True
                continue
            name = ident(value)
            given = list(assignments_to(f, name)) if name is not None else []
            calls = [o for o, _ti in given if len(o.args) == 1 and forwarded(o.args[0])]
            if not calls or len(calls) + sum(1 for o, _ti in given if o.mode == "var" and not o.args) != len(given):
                return False
            forwards = True
        return forwards

    def _unimplemented_dialer(self, fn, op, forwarders: bool = False) -> Origin | None:
        """`s.dialer.Dial("tcp", addr)` through an interface of the tree that nothing in the tree
        implements, declared `Dial(network, addr string) (net.Conn, error)`: a method named like a
        catalog constructor of a kind (`net.Dialer.Dial`) whose declared results are a type of that
        kind and an error. The interface stands for the library type the caller plugs in
        (`*net.Dialer`), and what it returns is the caller's to close. An interface with an
        implementation in the tree is judged by that implementation's body instead."""
        sel, named = self._selected_on(fn, op)
        if sel is None:
            return None
        program = cast("Analysis", self).program
        decl = program.type_decl(named) if named else None
        if named is None or decl is None or decl[0].kind != "interface":
            return None
        if not forwarders and program.possible_implementations(named):
            return None
        sig = program.interface_methods(named).get(sel[1])
        if sig is None or len(sig[3]) != 2 or sig[3][1].strip() != "error":
            return None
        result = sig[3][0].strip().lstrip("*")
        if any(p.strip().lstrip("*") in k.types for p in sig[2] for k in self.kinds.values()):
            return None  # `Upgrade(ctx, raw net.Conn)`: built over the caller's connection, not a fresh one
        for k in self.kinds.values():
            if result in k.types and any(c.rsplit(".", 1)[-1] == sel[1] for c in k.constructors):
                self.debug["gim2xx_unimplemented_dialers"] += 1
                return Origin(k, 0, f"{named.split('#')[-1]}.{sel[1]}")
        return None

    def _head_request(self, fn, op, names: set[str]) -> bool:
        """A HEAD request: `http.Head(url)`, or `Do(req)` / `RoundTrip(req)` on a request built by
        `http.NewRequest[WithContext]` with the method "HEAD" (a literal or a constant).

        net/http answers HEAD with `http.NoBody` and puts the connection back at once, so there
        is nothing to close. The request must be a local assigned once in this function.
        """
        if any(n.endswith(".Head") for n in names):
            return True
        found = self._request_method(fn, op)
        return found is not None and self._is_head(*found)

    def _request_method(self, fn, op):
        """(function, method expression) of the request a `Do(req)` / `RoundTrip(req)` sends, when
        req is a local assigned once from `http.NewRequest[WithContext]`; else None."""
        program = cast("Analysis", self).program
        for arg in op.args:
            name = ident(arg)
            if name is None:
                continue
            owner = program.declaring_function(fn, name)
            assigns = list(assignments_to(owner, name)) if owner is not None else []
            if owner is None or len(assigns) != 1 or len(assigns[0][0].args) != 1:
                continue
            built = _request_call(assigns[0][0].args[0])
            if built is None:
                continue
            ext = program.external_callee(owner, callee(built))
            if ext is None or ext.pkg != "net/http" or ext.name not in ("NewRequest", "NewRequestWithContext"):
                continue
            args = call_args(built)
            method = args[1 if ext.name == "NewRequestWithContext" else 0] if len(args) >= 2 else None
            return (owner, method) if method is not None else None
        return None

    def _is_head(self, fn, method) -> bool:
        """The method expression is "HEAD": a literal, a constant, or net/http's MethodHead."""
        program = cast("Analysis", self).program
        if selected_name(method) == "MethodHead" and program.imported_path(fn, selector_base(method)) == "net/http":
            return True  # net/http is not analysed: its constant is known here
        return program.const_string(fn, method) == "HEAD"

    def _head_through_helper(self, fn, op, helper, do_op) -> bool:
        """`s.request(ctx, "HEAD", key)` where the tree helper builds its request with the method it
        is given (`http.NewRequest(method, ...)`) and returns the response of `Do`: a HEAD, no body."""
        found = self._request_method(helper, do_op) if do_op is not None else None
        if found is None or found[0] is not helper:
            return False
        params = [p for p, _t in helper.facts.params]
        name = ident(found[1])
        if name is None or name not in params:
            return False
        k = params.index(name)
        return k < len(op.args) and self._is_head(fn, op.args[k])

    def _opens_nothing(self, fn, op) -> bool:
        """The receiver holds only values of tree types whose own method opens nothing (a test's fake).

        Only ever a reason for silence: when the type's method does open a
        resource, the call keeps the reading it had (catalog or CHA).
        """
        concrete = concrete_methods(cast("Analysis", self), fn, op)
        if concrete is None:
            return False
        for t in concrete:
            if any(self.function_names(t.function) & k.constructors for k in self.kinds.values()):
                return False
            if self.fresh(t.function) is not None and not self._fake_underneath(fn, op, t.function):
                return False
        self.debug["gim2xx_fake_receivers"] += 1
        return True

    def _field_func_opens_nothing(self, fn, fn_expr, method, fr) -> bool:
        """`f.New()` where the method's fresh value comes from calling a func-typed field of its
        receiver (`return f.Open()`), and fn built f itself (`f := &factory{Open: lit}`) with a
        function there that opens nothing (it returns a value it was given, say): the values other
        code stores in that field do not run here."""
        impl = fr.impl_op
        recv = method.facts.recv_name
        inner = selector(impl.fn) if isinstance(impl, Op) and impl.kind == "call" else None
        if inner is None or not recv or not is_ident(inner[0], recv):
            return False
        outer = selector(fn_expr)
        base = ident(outer[0]) if outer is not None else None
        if base is None:
            return False
        made = single_assignment(self.program, fn, base)
        literal = composite(strip_address(made)) if made is not None else None
        if literal is None:
            return False
        owner = self.program.declaring_function(fn, base) or fn
        for key, value in literal[1]:
            if not is_ident(key, inner[1]):
                continue
            number = funclit(value)
            given = self.program.literal(owner, number) if number is not None else None
            if given is None or self.fresh(given) is not None:
                return False
            self.debug["gim2xx_fake_receivers"] += 1
            return True
        return False

    def _dials_fakes(self, fn, op) -> bool:
        """The constructor is given a dial function that returns only a tree type whose `Close`
        does nothing (a test's in-memory conn): `redis.Dial("", "", redis.DialNetDial(func(network,
        addr string) (net.Conn, error) { return &testConn{...}, nil }))`, directly or from a helper
        of the tree that returns such an option. No socket is opened.

        Function literals declared to return a `net.Conn` are looked for in the call's arguments
        and, for an argument that calls a tree function, in what that function returns."""
        an = cast("Analysis", self)
        found = []
        for a in op.args:
            found.extend(_dialers_in(an, fn, a))
            c = call(a)
            n = call_number(a)
            inner = fn.facts.ops[n] if n is not None and n < len(fn.facts.ops) else None
            if c is None or inner is None or inner.kind != "call":
                continue
            for t in self.targets(fn, inner):
                for r in t.function.facts.ops:
                    if r.kind == "return":
                        for e in r.args:
                            found.extend(_dialers_in(an, t.function, e))
        if not found or not all(_returns_only_fakes(an, lit) for lit in found):
            return False
        self.debug["gim2xx_fake_values"] += 1
        return True

    def _fake_underneath(self, fn, op, method) -> bool:
        """`wrapped.Accept()` on `&listener{Listener: fake}`, whose Accept gets its value from `l.Listener.Accept()`.

        The wrapper's method opens something only through one call on a field of
        its receiver; every value fn's receiver may hold puts in that field a tree
        type (a test's fake) whose own method opens nothing.
        """
        an = cast("Analysis", self)
        fresh = self.fresh(method)
        acquiring = [o for o in method.facts.ops if o.kind == "call" and self.acquisition(method, o) is not None]
        if len(acquiring) != 1 or acquiring[0] is not fresh.impl_op:
            return False
        inner = selector(fresh.impl_op.fn)
        holder = selector(inner[0]) if inner is not None else None
        recv = method.facts.recv_name
        if inner is None or holder is None or not recv or not is_ident(holder[0], recv):
            return False
        sites = receiver_sites(an, fn, op)
        named = next((s[0] for s in sites or () if self.program.method(s[0], method.facts.name) is method), None)
        held = field_sites(an, sites, named, holder[1]) if sites and named else None
        if not held:
            return False
        for field_type in {s[0] for s in held}:
            m = self.program.method(field_type, inner[1])
            if m is None or self.fresh(m) is not None:
                return False
            if any(self.function_names(m) & k.constructors for k in self.kinds.values()):
                return False
        self.debug["gim2xx_fakes_inside_wrappers"] += 1
        return True

    def _filled_local_struct(self, fn, op, targets) -> Origin | None:
        """`c.Connect()` on a struct fn built itself, whose method stores a fresh resource in a field of it.

        The struct then holds the resource: fn must call the type's closer on it
        (see owned_fields.field_store), or hand the struct on.
        """
        an = cast("Analysis", self)  # the ownership analysis this mixin is part of
        sel = selector(op.fn)
        name = ident(sel[0]) if sel is not None else None
        if name is None or len(targets) != 1 or not local_struct(an, fn, name):
            return None
        stored = field_store(an, targets[0].function)
        if stored is None:
            return None
        origin, field, closer, stored_op = stored
        return replace(
            origin,
            result=-1,
            impl=targets[0].function,
            impl_op=stored_op,
            via="",
            suffix=(field, *origin.holder_suffix),
            filled=Filled(name, field, closer),
        )

    def _filled_local_collection(self, fn, op, targets) -> Origin | None:
        """`m.connectPeers(ctx, peers, conns)` on a map or slice fn made itself, where the one function
        of the tree the call reaches stores only fresh resources into that parameter (`into[p] = c`),
        and does nothing else with it: the collection then holds them, each fn's to close."""
        if len(targets) != 1 or targets[0].via or targets[0].function.parent is not None:
            return None
        g = targets[0].function
        params = [pn for pn, _t in g.facts.params]
        declared = self.program.declared(fn)
        for k, a in enumerate(op.args):
            name = ident(a)
            if name is None or name not in declared or name in self.params(fn) or k >= len(params):
                continue
            if not self.is_collection(fn, name) or g.facts.variadic and k >= len(params) - 1:
                continue
            pname = params[k]
            if not pname or pname == "_":
                continue
            filled, found = self._fresh_index_stores(g, pname, len(g.facts.results), None)
            if not filled or found is None or found[4]:
                continue
            holders = {pname: Holder(pname, found[5] if found[5] is not None else found[0].suffix, "map")}
            if any(self.op_effect(g, o, holders, found[0], scan=True) in (ESCAPE, RELEASE) for o in g.facts.ops):
                continue  # it closes what it stored, or hands the collection on
            ctype = self.type_of(fn, a) or ""
            shape = "map" if ctype.startswith("map[") else "slice"
            closer = ""
            if found[5]:
                # the elements' own closer (`Disconnect` of the wrappers the map holds), for the fix
                elem = ctype.split("]", 1)[1] if "]" in ctype else ""
                named = Program.named(elem) if elem else None
                closer = (self.field_closer(named, found[5], found[0]) if named else None) or ""
            self.debug["gim2xx_collections_filled_through_a_parameter"] += 1
            return Origin(
                found[0],
                -1,
                found[2],
                impl=g,
                impl_op=found[3],
                collection=shape,
                suffix=found[5],
                filled=Filled(name, "", closer),
            )
        return None

    def _stream_call(self, fn, op) -> bool:
        """A call that opens a gRPC client stream: a method of the tree whose declaration says so
        (`_declares_stream`), or, when the stubs are not analysed, a method of a generated
        `<Svc>Client` whose result is used as a `<Svc>_<Method>Client`."""
        sel = selector(op.fn)
        if sel is None:
            return False
        base, m = sel
        pkg = ident(base)
        if pkg is not None and self.program.refers_to_import(fn, pkg):
            return False
        t = self.type_of(fn, base)
        named = Program.named(t) if t else None
        if not named:
            return False
        tname = named.split("#")[1]
        generated_name = tname.endswith("Client") and "_" not in tname and tname != "Client"
        if self.program.type_decl(named) is not None:
            # The answer depends on the declaration alone: asked once per method (every call on a
            # tree type asks, 10,191 files: +2.9 s when each was judged again)
            key = (named, m)
            found = self._stream_methods.get(key)
            if found is None:
                found = self._stream_methods[key] = self._declares_stream(named, m, generated_name)
            return found
        if not generated_name:
            return False
        want = _stream_result_name(m)
        # The stubs are not analysed (generated files are skipped): judge by the use of the result.
        parent = self._parent_op(fn, op)
        if parent is None:
            return False
        pop = fn.facts.ops[parent]
        if pop.kind == "return":
            results = fn.facts.results
            for i, a in enumerate(pop.args):
                if call_number(a) == self.op_index(fn, op) and i < len(results):
                    rt = results[i] if len(pop.args) == len(results) else results[0]
                    return want(rt.strip().lstrip("*"))
            return False
        name = ident(pop.targets[0]) if pop.kind == "assign" and pop.targets else None
        if name is not None:
            for o in ops_with_literals(fn):
                if o.kind == "call" and is_ident(selector_base(o.fn), name) and selected_name(o.fn) in _STREAM_USE:
                    return True
            if pop.mode == "var" and pop.vtype and want(pop.vtype):
                return True
            return self._passed_as_stream(fn, name, want)
        return False

    def _declares_stream(self, named: str, m: str, generated_name: bool) -> bool:
        """The declared result type of method m of the tree type named says it returns a client stream:
        grpc's generic `ServerStreamingClient[T]` (protoc-gen-go-grpc 1.4 on) or an interface of the
        tree embedding `grpc.ClientStream`, whatever the client's name; generated code's
        `<Svc>_<Method>Client` on a generated client's method, or as the whole result of any other
        (not a map or slice of them: collections are other questions)."""
        p = self.program
        want = _stream_result_name(m)
        decl = p.type_decl(named)
        if decl is not None and decl[0].kind == "interface":
            sig = p.interface_methods(named).get(m)
            results = list(zip(sig[1], sig[3], strict=True)) if sig else []
        else:
            mf = p.method(named, m)
            results = [(r, p.qualify(r, mf.file)) for r in mf.facts.results] if mf is not None else []
        return any(
            self._client_stream_type(q) or (want(bare) and (generated_name or not bare.startswith(("map[", "["))))
            for bare, q in ((r.strip().lstrip("*"), q) for r, q in results)
        )

    def _client_stream_type(self, qualified: str, depth: int = 0) -> bool:
        """A qualified type that is a gRPC client stream by its declaration: one of grpc's generic
        streaming clients, or an interface of the tree that embeds `grpc.ClientStream` (through
        other interfaces of the tree too)."""
        bare = qualified.strip().lstrip("*").split("[", 1)[0]
        if bare in _GRPC_STREAMING_CLIENTS:
            return True
        decl = self.program.type_decl(bare) if "#" in bare and depth < 4 else None
        if decl is None or decl[0].kind != "interface":
            return False
        t, ff = decl
        for embedded in t.embeds:
            q = self.program.qualify(embedded, ff)
            if q.strip() == _GRPC_CLIENT_STREAM or self._client_stream_type(q, depth + 1):
                return True
        return False

    def _passed_as_stream(self, fn, name: str, want) -> bool:
        """The value is handed to a function of the tree whose parameter is declared a `<Svc>_<Method>Client`.

        A read loop kept in a helper (`consume(stream)`) leaves no `Recv` in the
        caller; the helper's signature says what the value is.
        """
        for o in fn.facts.ops:
            if o.kind != "call" or not any(is_ident(a, name) for a in o.args):
                continue
            for t in self.targets(fn, o):
                params = t.function.facts.params
                for i, a in enumerate(o.args):
                    if is_ident(a, name) and i < len(params) and want(params[i][1].strip().lstrip("*")):
                        return True
        return False

    def fresh(self, f):
        """Fresh(kind, result index) when every non-nil return of f hands back a new resource."""
        if f.id in self._fresh:
            return self._fresh[f.id]
        self._fresh[f.id] = None  # recursion guard
        try:
            res = self._compute_fresh(f)
        except RecursionError:
            res = None
        self._fresh[f.id] = res
        return res

    def _compute_fresh(self, f):
        ff = f.facts
        results = ff.results
        if not results or ff.name == "<init>":
            return None
        returns = [o for o in ff.ops if o.kind == "return"]
        if not returns:
            return None
        shapes = []
        for r in returns:
            shape = self._return_values(f, r, len(results))
            if shape is None:
                return self._fresh_in_one_mode(f, returns, len(results))
            shapes.append(shape)
        found = None
        for fresh, _nils, _taken in shapes:
            for c in fresh.values():
                if found is None:
                    found = c
                elif c[0] is not found[0] or c[1] != found[1] or c[4] != found[4] or c[5] != found[5]:
                    return None
        if found is None:
            return self._fresh_in_one_mode(f, returns, len(results))
        kind, idx = found[0], found[1]
        checked_out = False
        for fresh, nils, taken in shapes:
            if idx in taken and not found[4]:
                checked_out = True  # an idle one from the pool on this return, a new one on another
                continue
            if idx not in fresh and idx not in nils:
                return self._fresh_in_one_mode(f, returns, len(results))
        if kind.stream and any(t.replace(" ", "") in ("context.CancelFunc", "func()") for t in results):
            return None
        failing = [_failing_return(f, r) for r in returns]
        handed = [k for k, shape in enumerate(shapes) if idx in shape[0]]
        if handed and all(failing[k] for k in handed) and any(not failing[k] for k in range(len(shapes))):
            # A generated client's `Execute`: it reads and closes the body before every succeeding
            # return, and hands it back open only with an error, which by Go convention the caller
            # need not close: its callers get no new resource to release.
            self.debug["gim2xx_fresh_only_when_failing"] += 1
            return None
        made = self.op_index(f, found[3])
        closed = self.closed_origins(f).get(made) if made >= 0 else None
        here = closed.closed if closed is not None else None
        impl_closed = here if here is not None and here.close is not None else None
        return Fresh(kind, idx, found[2], found[3], found[4], found[5], impl_closed, checked_out=checked_out)

    def _return_values(self, f, r, n):
        """({index: fresh candidate}, {indexes returning nil}, {indexes returning a value taken from the
        receiver's pool of idle ones}) for one return, or None if unsupported."""
        ops = f.facts.ops
        if len(r.args) == 1 and n > 1:
            n_op = op_number(r.args[0])
            if n_op is not None:
                o = self.acquisition(f, ops[n_op])
                if o is not None:
                    return {o.result: (o.kind, o.result, o.base, ops[n_op], o.collection, o.suffix)}, set(), set()
            return None
        if len(r.args) != n:
            return None
        fresh, nils, taken = {}, set(), set()
        for i, a in enumerate(r.args):
            if is_nil(a) or self.unfilled_cache(f, a):
                nils.add(i)  # a cache nothing fills hands back nothing
                continue
            if self._taken_from_own_pool(f, a, i):
                taken.add(i)
                continue
            if _closed_in_return(r, a):
                continue  # `return c, c.Close()`: handed back closed
            c = self._fresh_value(f, a, i)
            if c is not None and self._released_on_the_way(f, r, a, c):
                # `body, err := decode(resp)` (which closes it) before `return resp, body, nil`: nothing
                # open is handed back here, as with a nil (a function closing what it returns on every
                # path is no constructor; one closing it on some paths still hands back fresh ones)
                nils.add(i)
                continue
            if c is not None:
                fresh[i] = c
        return fresh, nils, taken

    def _taken_from_own_pool(self, f, value, i: int) -> bool:
        """The local `value`, returned as f's result i, is every time taken out of a pool in a field
        of f's receiver whose elements are of the result's declared type: received from its channel
        (`case c := <-p.idle:`), or popped from its slice (`c := p.idle[n-1]` with `p.idle =
        p.idle[:n-1]` in f). A checkout of one of the values the function hands out fresh on its
        other returns, owned by the caller as those are (the pool no longer holds it)."""
        name = ident(value)
        recv = f.facts.recv_name
        results = f.facts.results
        if name is None or not recv or name in self.params(f) or i >= len(results):
            return False
        declared = self.program.qualify(results[i], f.file)
        ops = f.facts.ops
        given = list(assignments_to(f, name))
        for op, _pos in given:
            if len(op.args) != 1:
                return False
            popped = index(op.args[0])
            if popped is not None and ident(popped[0]) is not None:
                # `list := p.idle[addr]; c := list[len(list)-1]; p.idle[addr] = list[:len(list)-1]`
                if not self._pops_entry(f, recv, str(ident(popped[0]))):
                    return False
                source = popped[0]
            elif popped is not None:
                held = selector(popped[0])
                if held is None or not is_ident(held[0], recv) or not self._pops(f, recv, held[1]):
                    return False
                source = popped[0]
            else:
                at = self.op_index(f, op) - 1  # `c := <-ch` and `case c := <-ch:` bind right after the receive
                recv_op = ops[at] if at >= 0 else None
                if recv_op is None or recv_op.kind != "recv" or recv_op.mode not in ("expr", "case"):
                    return False
                if unary_operand(op.args[0], "<-") != recv_op.fn:
                    return False
                sel = selector(recv_op.fn)
                if sel is None or not is_ident(sel[0], recv):
                    return False
                source = recv_op.fn
            if Program.elem(self.type_of(f, source) or "") != declared:
                return False
        return bool(given)

    @staticmethod
    def _pops_entry(f, recv: str, local: str) -> bool:
        """f's local `local` is given once, an entry of a map field of its receiver (`list :=
        p.idle[addr]`), and f writes that entry back resliced (`p.idle[addr] = list[:n-1]`): an
        element read out of `local` is gone from the pool."""
        given = list(assignments_to(f, local))
        if len(given) != 1 or len(given[0][0].args) != 1:
            return False
        entry = index(given[0][0].args[0])
        held = selector(entry[0]) if entry is not None else None
        if entry is None or held is None or not is_ident(held[0], recv):
            return False
        for op in f.facts.ops:
            if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
                continue
            written = index(op.targets[0])
            if (
                written is not None
                and selector(written[0]) == held
                and render(written[1]) == render(entry[1])
                and is_ident(sliced(op.args[0]), local)
            ):
                return True
        return False

    @staticmethod
    def _pops(f, recv: str, field: str) -> bool:
        """f reslices its receiver's field onto itself (`p.idle = p.idle[:n-1]`): what it read out is gone."""
        for op in f.facts.ops:
            if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
                continue
            target = selector(op.targets[0])
            base = selector(sliced(op.args[0]))
            if target == (make_ident(recv), field) and base == target:
                return True
        return False

    def _nothing_open_for(self, f, op, result: int) -> bool:
        """The call passes constants (`true`, `"tcp"`, `0`) for some of f's parameters, and every
        `return` of f that those values let run hands back, at `result`, nil or a value closed on the way: a
        helper whose flag decides whether it reads and closes the body. A return is ruled out
        when an `if` on the flag around it (or its `else`) is not taken, or when an `if` on the
        flag that is taken, earlier in a block around it, returns on its straight line."""
        facts = f.facts
        consts = argument_constants(facts.params, op.args)
        if not consts:
            return False
        reachable = [
            r
            for k, r in enumerate(facts.ops)
            if r.kind == "return" and not unreachable_under_constants(facts, k, consts)
        ]
        if not reachable:
            return False
        for r in reachable:
            if len(r.args) != len(facts.results):
                return False  # `return s.client.Do(req)`, a bare `return`: what it hands back is not read here
            a = r.args[result]
            if is_nil(a):
                continue
            c = self._fresh_value(f, a, result)
            if c is None or not self._released_on_the_way(f, r, a, c):
                return False
        return True

    def _released_on_the_way(self, f, r, value, c) -> bool:
        """A plain call before the return, in a block around it (so on every way to it), releases
        the local the return hands back: a helper that reads and closes the body, then returns the
        response for its status and headers, hands back a closed one."""
        name = ident(value)
        if name is None:
            return False
        ops = f.facts.ops
        at = self.op_index(f, r)
        around = set(enclosing_regions(f.facts, r.region))
        kind = c[0]
        suffix = c[5] if c[5] is not None else kind.suffix
        # Only after the last assignment before the return: `resp.Body.Close()` of an earlier
        # response, then `resp, err = retry(...)`, hands back the new one open (go-libp2p's auth).
        assigned = [self.op_index(f, o) for o, _pos in assignments_to(f, name)]
        start = max((k for k in assigned if k < at), default=-1) + 1
        for op in ops[start:at]:
            if op.kind != "call" or op.mode != "plain" or op.region not in around:
                continue
            if not any(name in idents_in(x, set()) for x in (op.fn, *op.args) if x is not None):
                continue  # `decode(resp)`, `resp.Body.Close()`
            if self.op_effect(f, op, {name: Holder(name, suffix, c[4])}, kind, scan=True) == RELEASE:
                return True
        return False

    def _fresh_value(self, f, expr, i, into="", skip=None, stores=()):
        """(kind, i, base, op, collection, suffix) if expr is a constructor call or a local holding only its results.

        `into`: the value is an element of a returned slice (see `fresh_collection`): local slices may hold it.
        `skip`: the op wrapping the value (`tls.Client(raw, cfg)`), which neither keeps nor releases it.
        `stores`: the assignments filling the fields of the struct being judged (see `_filled_later`),
        which hand the value to that struct, not elsewhere.
        """
        ops = f.facts.ops
        n_op = op_number(expr)
        if n_op is not None:
            o = self.acquisition(f, ops[n_op])
            if o is not None and o.result == 0 and not (into and o.collection):
                return (o.kind, i, o.base, ops[n_op], o.collection, o.suffix)
            if o is None and not into:
                return self._wrapping_call(f, ops[n_op], i) or self._stub_over(f, ops[n_op], i)
            return None
        if composite(strip_address(expr)) is not None and not into:
            if (composite(expr) or ("",))[0].startswith("["):
                return self.fresh_literal(f, expr, i)
            return self._wrapping_literal(f, expr, i)
        sel = selector(expr)
        if sel is not None and not into:
            return self._fresh_field(f, sel, i, skip)
        name = ident(expr)
        if name is None or name not in self.program.declared(f) or name in self.params(f):
            return None
        if not into and self.is_collection(f, name):
            return self.fresh_collection(f, name, i)
        found = None
        filled_at = -1
        for op, ti in assignments_to(f, name):
            if op.mode == "var" and not op.args:
                continue
            if len(op.args) == 1 and len(op.targets) > 1:
                v = op.args[0]
                pos = ti
            elif ti < len(op.args):
                v = op.args[ti]
                pos = 0
            else:
                return None
            if is_nil(v) or (not into and index(v) is not None and self._unfilled_field(f, v)):
                continue  # `cc, ok := c.conns[k]` from a cache nothing fills: it holds nothing
            n_op = op_number(v)
            c = None
            if n_op is None:
                if composite(strip_address(v)) is not None and not into and pos == 0:
                    c = self._wrapping_literal(f, v, i)
                    filled, filling = _filled_later(f, name, v) if c is None else (v, ())
                    busy = self._filling_busy
                    if filling and (f.id, name) not in busy and self._result_can_close(f, i):
                        busy.add((f.id, name))  # `a.peer = b; b.peer = a`: each is judged once on the way
                        try:
                            c = self._wrapping_literal(f, filled, i, filling)
                        finally:
                            busy.discard((f.id, name))
                        if c is not None:
                            # before its fields are filled the struct holds no resource to hand on
                            # (`opt(cc)` applying options): only what comes after can keep it
                            stores = (*stores, *filling)
                            filled_at = min(self.op_index(f, st) for st in filling)
                elif selector(v) is not None and not into and pos == 0:
                    c = self._fresh_field(f, selector(v), i, skip)
            else:
                o = self.acquisition(f, ops[n_op])
                if o is None and not into:
                    # `conn, err := t.mgr.DialQUIC(...)`, closed by f when a later step fails and
                    # returned otherwise: f's own close says it is a resource (closed_values.py).
                    o = self.closed_origins(f).get(n_op)
                    if o is not None:
                        made = ops[n_op]
                        o = replace(o, base=render(made.fn) if made.kind == "call" else f"<-{render(made.fn)}")
                if o is not None and o.result == pos and not (into and o.collection):
                    c = (o.kind, i, o.base, ops[n_op], o.collection, o.suffix)
                elif o is None and not into and pos == 0:
                    c = self._wrapping_call(f, ops[n_op], i)
            if c is None:
                return None
            if found is not None and (found[0] is not c[0] or found[4] != c[4] or found[5] != c[5]):
                return None
            found = c
        if found is None:
            return None
        # It must not be kept anywhere else: a function that caches is not a constructor.
        coll = name if found[4] else ""
        suffix = found[5] if found[5] is not None else found[0].suffix
        holders = {name: Holder(name, suffix, found[4])}
        closes = _plain_closes(f, name, found[0].closers) if not found[4] and suffix == () else []
        for k, op in enumerate(f.facts.ops):
            if op is skip or any(op is st for st in stores) or k < filled_at:
                continue
            if op.kind == "return":
                if self._nested_literals_effect(f, op, holders, found[0]) == RELEASE:
                    return None  # `return cc, func() { cc.Close() }`: hands back its own closer
                continue
            eff = self.op_effect(f, op, holders, found[0], scan=True)
            if eff == ESCAPE and closes and _closed_when_it_fails(f, k, closes):
                # `sess, err := wt.Dial(ctx, conn)`, then `conn.Close()` when that fails: by Go's
                # convention a callee that fails keeps nothing, and f's close says it still owns
                # the value, so what f returns is the caller's to close.
                continue
            declared = self.program.declared(f)
            if eff == ESCAPE and into and f.parent is not None and _stores_into_captured(op, into, declared):
                continue  # `out[addr] = c` in a goroutine filling its maker's collection: judged there
            if eff == ESCAPE and into and into in self.params(f) and _stores_into_captured(op, into, set()):
                continue  # `into[p] = c` into the collection its caller passed: judged there
            if eff == ESCAPE:
                return None
            if (
                eff == RELEASE
                and op.region == 0
                and op.mode == "plain"
                and selected_name(op.fn) in found[0].closers
                and not any(o.kind == "return" for o in f.facts.ops[: self.op_index(f, op)])
            ):
                # `resp.Body.Close()` itself on the function's straight line, before any return:
                # every value it returns is closed already
                return None
            if eff == RELEASE and self._released_where_nothing_returned(f, op, i):
                continue  # `if resp.StatusCode >= 400 { defer resp.Body.Close(); ...; return nil, err }`
            if eff == RELEASE and (
                coll
                or op.mode in ("defer", "go")
                or self._nested_literals_effect(f, op, holders, found[0])
                or (op.kind == "call" and any(funclit(a) is not None for a in op.args))
                or (op.kind == "call" and any(self._own_closer(a, holders, found[0]) for a in op.args))
                or funclit(op.fn) is not None
            ):
                # Released by the function itself (`defer`, `t.Cleanup`, a goroutine it starts): callers borrow it.
                return None
            if not into and any(h.container and h.name != coll for h in holders.values()):
                return None
        return found

    def _own_closer(self, arg, holders, kind) -> bool:
        """arg is the resource's own closer as a method value (`cleanup(tb, conn.Close)`)."""
        return selected_name(arg) in kind.closers and _ref(selector_base(arg), holders) is not None

    def _fresh_field(self, f, sel, i, skip):
        """`return resp.Body` as f's `io.ReadCloser`: the body of a fresh response is the resource itself."""
        base, field = sel
        if ident(base) is None:
            return None
        c = self._fresh_value(f, base, i, skip=skip)
        if c is None or c[4] or c[5] is not None or c[0].suffix != (field,):
            return None
        if self._declared_resource(f, i) is not c[0]:
            return None
        return (c[0], i, c[2], c[3], "", ())

    def _wrapper_closer(self, f, fr) -> str:
        """The method of the struct f returns that closes the resource it wraps (`Close` unless the
        type closes it under another name, `CloseWithError`)."""
        if not fr.suffix or fr.suffix == STUB or fr.result >= len(f.facts.results):
            return "Close"
        named = Program.named(self.program.qualify(f.facts.results[fr.result], f.file))
        closer = self.field_closer(named, fr.suffix, fr.kind) if named else None
        if closer == "Close" and named and len(fr.suffix) == 1 and self._embeds_resource(named, fr.suffix[0], fr.kind):
            return "Close"  # promoted from the embedded field that holds it (`struct{ io.Closer }`)
        method = self.program.method(named, closer) if named and closer else None
        if (method is None or closer is None) and named and self._closerless(named, fr.kind):
            # (a body's exported field: a response wrapped by a struct with no closer, `obj.Body`)
            if len(fr.suffix) > 1 or (fr.kind.suffix and fr.suffix[0][:1].isupper()):
                return f"{fr.suffix[0]}.Close"  # `v.sess.Close()`, `obj.Body.Close()`: the struct has no closer
        if method is None or closer is None:
            return "Close"
        return f"{closer}(…)" if method.facts.params else closer

    def _released_where_nothing_returned(self, f, op, i) -> bool:
        """op sits in a branch that ends in a return and whose every return hands back nil as result i.

        The release then serves the failing path only (an error status read
        and closed), and the other returns still hand the resource over.
        """
        view = self.view(f)
        n = len(f.facts.results)
        if i >= n:
            return False  # a goroutine filling a collection returns nothing: its element is judged there
        branch = next((r for r in view.chain(op.region) if view.regions[r].kind in ("if", "else")), None)
        if branch is None:
            return False
        inside = [o for o in f.facts.ops if view.in_region(o.region, branch)]
        last = inside[-1] if inside else None
        if last is None or last.kind != "return" or last.region != branch:
            return False
        return all(
            len(o.args) == n and is_nil(o.args[i]) for o in inside if o.kind == "return" and o.fn is None
        ) and not any(o.kind == "jump" for o in inside)

    # ---- resources known by the declared type, and wrappers of them ----------
    def _declared_resource(self, f, i):
        """The kind whose resource itself f's result i is declared as (`io.ReadCloser`: a body)."""
        return self._declared(f, i, lambda k: k.resource_types)

    def _declared_kind(self, f, i):
        """The kind whose resource f's result i is, by its declared type (`net.Conn`, `*grpc.ClientConn`)."""
        return self._declared(f, i, lambda k: k.types)

    def _declared(self, f, i, types_of):
        """The first kind among whose `types_of(kind)` the declared type of f's result i is."""
        results = f.facts.results
        if i >= len(results):
            return None
        named = Program.named(self.program.qualify(results[i], f.file))
        if named is None:
            return None
        return next((k for k in self.kinds.values() if named in types_of(k)), None)

    def _wrapping_call(self, f, op, i):
        """`tls.Client(raw, cfg)` returned as f's `net.Conn`: a call over a fresh resource of the declared kind.

        The declared result type says what comes back is a resource of that
        kind; it is fresh when the resource it wraps is (and kept nowhere else).
        """
        kind = self._declared_kind(f, i)
        itself = None  # the result is declared as the resource itself (`io.ReadCloser` over a body)
        if kind is None:
            kind = self._declared_resource(f, i)
            itself = ()
        if kind is None or op.kind != "call" or op.mode != "plain":
            return None
        for a in op.args:
            if ident(a) is None and (itself is None or selector(a) is None):
                continue
            c = self._fresh_value(f, a, i, skip=op)
            if c is not None and c[0] is kind and not c[4] and c[5] == itself:
                return (kind, i, c[2], c[3], "", itself)
        return None

    def _stub_over(self, f, op, i):
        """`return pb.NewGreeterClient(cc)` over a fresh connection: the generated stub keeps it, and a
        stub has no `Close`, so whoever drops the stub drops the connection for good."""
        if op.kind != "call" or op.mode != "plain" or len(op.args) != 1:
            return None
        if not _GENERATED_CLIENT.match(call_name(op.fn) or "") or ident(op.args[0]) is None:
            return None
        c = self._fresh_value(f, op.args[0], i, skip=op)
        # c[5], a suffix: the connection is a struct of the tree wrapping one (`grpclite.Dial`'s
        # `&ClientConn{nc: nc}`), closed by its `Close`, which the stub never calls either
        if c is None or c[4] or c[0].stream:
            return None
        if self._returns_closer_of(f, ident(op.args[0]), c[0]):
            return None  # `return pb.NewXClient(conn), conn.Close, nil`: the caller gets the closer too
        return (c[0], i, c[2], c[3], "", STUB)

    def _returns_closer_of(self, f, name, kind) -> bool:
        """A `return` of f also hands back the connection `name`'s closer: its method value
        (`conn.Close`) or a function literal, or a local holding one, that closes it."""
        for r in f.facts.ops:
            if r.kind != "return":
                continue
            for a in r.args:
                sel = selector(a)
                if sel is not None and sel[1] in kind.closers and is_ident(sel[0], name):
                    return True
                held = ident(a)
                if held is not None and held != name:
                    values = [o.args[k] for o, k in assignments_to(f, held) if len(o.args) == len(o.targets)]
                    a = values[0] if len(values) == 1 else a
                number = funclit(a)
                lit = self.program.literal(f, number) if number is not None else None
                if lit is not None and any(
                    o.kind == "call" and selected_name(o.fn) in kind.closers and is_ident(selector_base(o.fn), name)
                    for o in lit.facts.ops
                ):
                    return True
        return False

    def _wrapping_literal(self, f, expr, i, stores=()):
        """`&Client{conn: conn}`: a struct of the analysed code whose Close closes the fresh resource it is given.

        The struct is then the resource: the caller must call its Close.
        """
        lit = strip_address(expr)
        comp = composite(lit)
        if comp is None:
            return None
        t = self.type_of(f, lit)
        named = Program.named(t) if t else None
        if not named or named.split("#")[0] not in self.program.packages:
            return None
        for key, v in comp[1]:
            field = ident(key) if key is not None else None
            wrap = self._foreign_wrap_of_local(f, v)
            if wrap is not None:
                v = wrap.args[0]  # `&Client{rc: rpc.NewClient(conn)}`: the wrapper lives in the field
            part = selector(v) if wrap is None else None
            if field is not None and part is not None and ident(part[0]) is not None:
                # `&Object{body: resp.Body}`: the part of a fresh value that is the resource itself
                c = self._fresh_value(f, part[0], i)
                if c is not None and not c[4] and c[5] is None and c[0].suffix == (part[1],):
                    if self._closes_field(named, (field,), c[0]):
                        return (c[0], i, c[2], c[3], False, (field,))
                    if field[:1].isupper() and self._closerless(named, c[0]):
                        # `&Object{Body: resp.Body}` of a struct with no closer: the caller closes
                        # `obj.Body` itself, as the exported field lets it
                        return (c[0], i, c[2], c[3], False, (field,))
                continue
            if field is None or ident(v) is None:
                continue
            c = self._fresh_value(f, v, i, skip=wrap, stores=stores)
            if c is None or c[4]:
                continue
            if c[5] is not None:
                if wrap is None and self._closerless(named, c[0]):
                    # `&verifier{sess: s}` over a session of the tree (closed by its own Close): the
                    # struct can release nothing, so the caller must close `v.sess` itself
                    return (c[0], i, c[2], c[3], False, (field, *c[5]))
                continue
            suffix = (field, *c[0].suffix)
            if self._closes_field(named, suffix, c[0]):
                if self._declared_kind(f, i) is c[0] and self._embeds_resource(named, field, c[0]):
                    # `return &session{Conn: c}` as f's `net.Conn`: callers see the connection itself
                    return (c[0], i, c[2], c[3], False, None)
                return (c[0], i, c[2], c[3], False, suffix)
        return None

    def _result_can_close(self, f, i) -> bool:
        """f's result i is declared as something its caller can close: not an interface of the tree
        without a `Close` (`events.Stream`, whose values the caller cannot close without asserting)."""
        results = f.facts.results
        if i >= len(results):
            return False
        named = Program.named(self.program.qualify(results[i], f.file))
        decl = self.program.type_decl(named) if named else None
        if decl is None or decl[0].kind != "interface":
            return True
        return any(m[0] == "Close" for m in decl[0].members)

    def _foreign_wrap_of_local(self, f, v) -> Op | None:
        """The call op when v is `rpc.NewClient(conn)`: another module's wrapper over a local (the
        caller then requires the struct's closer to close the field holding it)."""
        n = op_number(v)
        wrap = f.facts.ops[n] if n is not None and 0 <= n < len(f.facts.ops) else None
        if wrap is None or wrap.kind != "call" or not wrap.args or ident(wrap.args[0]) is None:
            return None
        return wrap if self.foreign_wrapper(f, wrap, closed=True) else None

    def _closes_field(self, named, suffix, kind) -> bool:
        """The type's closer (`Close`) releases the resource at suffix (`c.conn.Close()`)."""
        return self.field_closer(named, suffix, kind) is not None

    # ---- fresh in one mode of the receiver ------------------------------------
    def _fresh_in_one_mode(self, f, returns, n):
        """A Fresh for `if r.mode == Direct { return Dial(addr) }` on the method's straight line, every
        return before it handing back nil, when the program builds a receiver in that mode (a constant
        written to the field, or passed to the parameter a constructor writes to it): in that
        deployment every call reaches the `if` or fails, and returns a new resource. The other mode's
        returns (a cache) say nothing about this one. None otherwise."""
        facts = f.facts
        recv = facts.recv_name
        if not recv or not returns:
            return None
        ops = facts.ops
        for r in returns:
            chain = list(enclosing_regions(facts, r.region))
            guard = next((g for g in chain if facts.regions[g].kind not in STRAIGHT_KINDS), None)
            if guard is None or facts.regions[guard].kind != "if":
                continue
            if any(facts.regions[g].kind not in STRAIGHT_KINDS for g in chain[chain.index(guard) + 1 :]):
                continue  # the `if` itself must be on the method's straight line
            mode = self._mode_test(f, facts.regions[guard].info)
            if mode is None:
                continue
            shape = self._return_values(f, r, n)
            if shape is None or len(shape[0]) != 1 or shape[2]:
                continue
            idx, c = next(iter(shape[0].items()))
            first = min((i for i, o in enumerate(ops) if guard in enclosing_regions(facts, o.region)), default=-1)
            for earlier in returns:
                if ops.index(earlier) >= first or earlier is r:
                    continue
                before = self._return_values(f, earlier, n)
                if before is None or idx not in before[1]:
                    return None  # a return before the test hands back something else
            field, value = mode
            setter = self._mode_set(f, field, value)
            if setter is None:
                return None
            self.debug["gim2xx_fresh_in_one_mode"] += 1
            cond = render(facts.regions[guard].info)
            return Fresh(c[0], idx, c[2], c[3], c[4], c[5], None, mode=(cond, setter[0], setter[1]))
        return None

    def _mode_test(self, f, cond):
        """(field, constant) for `recv.field == Const` (either side), else None."""
        b = binary(cond)
        if b is None or b[0] != "==":
            return None
        for side, other in ((b[1], b[2]), (b[2], b[1])):
            sel = selector(side)
            if sel is not None and is_ident(sel[0], f.facts.recv_name) and self.program.is_constant(f, other):
                return sel[1], other
        return None

    def _mode_set(self, f, field: str, value):
        """(function, op) where the program gives the receiver's field the constant `value`: a write of
        it, or a call passing it for the parameter a write takes."""
        p = self.program
        named = Program.named(p.qualify(f.facts.recv, f.file))
        if named is None:
            return None
        want = selected_name(value) or ident(value)

        def same(x) -> bool:
            return x is not None and ((selected_name(x) or ident(x)) == want or render(x) == render(value))

        for g, _base, written in p.field_value_writes(named, field):
            if same(written):
                op = next((o for o in g.facts.ops if any(x is written for a in o.args for x in subexprs(a))), None)
                if op is not None:
                    return g, op
            param = ident(written)
            params = [pn for pn, _t in g.facts.params]
            if param is None or param not in params:
                continue
            at = params.index(param)
            for caller, call_op in p.callers(g):
                if at < len(call_op.args) and (selected_name(call_op.args[at]) or ident(call_op.args[at])) == want:
                    return caller, call_op
        return None

    # ---- caches checked but never filled --------------------------------------
    def unfilled_cache(self, f, expr) -> bool:
        """expr reads a struct field (`d.conns`, `d.conns[k]`, or a local holding that) nothing ever fills.

        Only `nil`, `make(...)` or an empty literal is ever assigned to the
        field anywhere in the program: a "cache" that is read but never written.
        """
        name = ident(expr)
        if name is not None:
            if name not in self.program.declared(f) or name in self.params(f):
                return False
            reads = [op.args[0] if len(op.args) == 1 else None for op, _ti in assignments_to(f, name)]
            return bool(reads) and all(r is not None and self._unfilled_field(f, r) for r in reads)
        return self._unfilled_field(f, expr)

    def _unfilled_field(self, f, expr) -> bool:
        ix = index(expr)
        base = ix[0] if ix is not None else expr
        local = ident(base) if ix is not None else None
        if local is not None:
            # `c := conns[len(conns)-1]` with `conns := p.idle[addr]`: an element of what the cache holds
            read = self._read_from_one_field(f, local)
            inner = index(read) if read is not None else None
            base = inner[0] if inner is not None else read
        field = selector(base) if base is not None else None
        if field is None:
            return False
        t = self.type_of(f, field[0])
        named = Program.named(t) if t else None
        if not named or self.program.field_type(named, field[1]) is None:
            return False
        if self._writes is None:
            self._writes = WriteIndex(self.program)
        for g, _op, rhs, _how in self._writes.field_writes_of(named, field[1]):
            if not (
                is_nil(rhs)
                or is_make_call(rhs)
                or (composite(rhs) is not None and not composite_items(rhs))
                or self._shrinks(g, rhs, field[1])
            ):
                return False
        return True

    def _read_from_one_field(self, f, name: str):
        """The field read (`p.idle[addr]`) that every assignment of the local `name` in f takes, or None."""
        if name in self.params(f):
            return None
        reads = [
            op.args[0] if len(op.args) == 1 and len(op.targets) == 1 else None for op, _ti in assignments_to(f, name)
        ]
        if not reads or any(r is None or render(r) != render(reads[0]) for r in reads):
            return None
        ix = index(reads[0])
        return reads[0] if selector(ix[0] if ix is not None else reads[0]) is not None else None

    def _shrinks(self, g, rhs, fname: str) -> bool:
        """`p.idle[addr] = conns[:len(conns)-1]` with `conns := p.idle[addr]`: the store keeps part of
        what the field held (a checkout popping an element), and adds nothing to it."""
        base = sliced(rhs)
        name = ident(base) if base is not None else None
        read = self._read_from_one_field(g, name) if name is not None else None
        if read is None and base is not None:
            read = base
        ix = index(read) if read is not None else None
        field = selector(ix[0] if ix is not None else read) if read is not None else None
        return field is not None and field[1] == fname

    # ---- collections of fresh resources --------------------------------------
    def fresh_literal(self, f, expr, i):
        """`[]*grpc.ClientConn{conn}`: a slice literal every element of which is fresh."""
        found = None
        for _k, v in composite_items(expr):
            c = self._fresh_value(f, v, i, into="[]")
            if c is None or c[4] or c[5] is not None or (found is not None and found[0] is not c[0]):
                return None
            found = found or c
        return found[:4] + ("slice", None) if found is not None else None

    def is_collection(self, f, name) -> bool:
        """The local is built as a slice or map: `append`ed to, or given a `make` or a literal."""
        for op, ti in assignments_to(f, name):
            v = op.args[ti] if len(op.args) == len(op.targets) else None
            if is_make_call(v) or composite(v) is not None or is_ident(callee(v), "append"):
                return True
        for lit in f.nested_literals():
            # `var conns []net.Conn`, then `conns = append(conns, c)` in the goroutines f starts
            for op, ti in assignments_to(lit, name):
                v = op.args[ti] if len(op.args) == len(op.targets) else None
                if is_ident(callee(v), "append") and name not in self.program.declared(lit):
                    return True
        return False

    def _fresh_index_stores(self, g, name, i, found):
        """(every `name[k] = v` in g stores a fresh value of the kind found so far, what was found):
        the element stores of a collection being summarised (see `fresh_collection`)."""
        for op in g.facts.ops:
            if op.kind == "assign" and len(op.args) == 1 and len(op.targets) > 1:
                # `conns[i], errs[i] = d.DialContext(ctx, "tcp", a)`: an element given the call's result
                for ti, t in enumerate(op.targets):
                    ix = index(t)
                    if ix is None or not is_ident(ix[0], name):
                        continue
                    n_op = op_number(op.args[0])
                    o = self.acquisition(g, g.facts.ops[n_op]) if n_op is not None else None
                    if o is None or o.result != ti or o.collection or o.suffix is not None:
                        return False, found
                    c = (o.kind, i, o.base, g.facts.ops[n_op], "", None)
                    if found is not None and (found[0] is not c[0] or found[5] != c[5]):
                        return False, found
                    found = found or c
                continue
            if op.kind != "assign" or len(op.args) != len(op.targets):
                continue
            for t, v in zip(op.targets, op.args, strict=True):
                ix = index(t)
                if ix is None or not is_ident(ix[0], name):
                    continue
                c = self._element_value(g, v, i, name)
                if c is None or (found is not None and (found[0] is not c[0] or found[5] != c[5])):
                    return False, found
                found = found or c
        return True, found

    def _element_value(self, g, v, i, into):
        """What `_fresh_value` says of v stored as an element of the collection `into`, or, for a
        plain struct literal carrying one fresh resource in a field (`probeResult{conn: c, rtt:
        rtt}`), the same with the path to it (suffix `("conn",)`): the caller closes it there."""
        c = self._fresh_value(g, v, i, into=into)
        if c is not None and c[5] is not None and self._closer_of_wrapper(g, v, c):
            return c  # `out[name] = s`, s a wrapper of the tree its own `Close` releases (`Session.conn`)
        if c is not None:
            return c if c[5] is None else None
        if selector(v) is not None:
            return self._received_element(g, v, i)
        comp = composite(strip_address(v))
        if comp is None or (comp[0] or "").startswith(("[", "map[")):
            return None
        found = None
        for key, value in comp[1]:
            if ident(value) is None:
                continue
            e = self._fresh_value(g, value, i, into=into)
            if e is None:
                continue
            field = ident(key) if key is not None else None
            if field is None or e[4] or found is not None:
                return None
            found = (e[0], i, e[2], e[3], "", (field, *(e[5] if e[5] is not None else e[0].suffix)))
        return found

    def _closer_of_wrapper(self, g, v, c) -> bool:
        """v, stored as an element, is a wrapper struct of the tree whose `Close` (or another closer,
        `Disconnect`) releases the resource at its suffix (`transport.Connect` returning
        `&Session{conn: c}`): closing the element closes it."""
        t = self.type_of(g, v)
        named = Program.named(t) if t else None
        return bool(named) and bool(c[5]) and self.field_closer(named, c[5], c[0]) is not None

    def _received_element(self, g, v, i):
        """`conns[r.addr] = r.conn`, r ranging over (or received from) a channel g made that only g's
        goroutines send to, each a struct literal whose field `conn` holds a resource it made: the
        element is that resource.

        This is the fan-out dial (`go func(a string) { c, err := net.Dial(...); results <-
        result{conn: c, err: err} }(a)`) collected into the collection being summarised. The channel
        must not reach anything else, which could send what it did not make.
        """
        base, field = selector(v)
        var = ident(base)
        if var is None:
            return None
        chan = None
        for op, _ti in assignments_to(g, var):
            # `for r := range results`, or `r := <-results` once per expected answer
            over = ident(ranged(op.args[0]) or received(op.args[0])) if len(op.args) == 1 else None
            if over is None or chan not in (None, over):
                return None
            chan = over
        declared = self.program.declared(g)
        if chan is None or chan not in declared or not self._channel_kept_local(g, chan):
            return None
        found = None
        for lit in g.nested_literals():
            if chan in self.program.declared(lit):
                return None
            for op in lit.facts.ops:
                if op.kind != "send" or not is_ident(op.fn, chan):
                    continue
                value = next((e for k, e in composite_items(strip_address(op.args[0])) if ident(k) == field), None)
                c = self._fresh_value(lit, value, i, into=chan) if ident(value) is not None else None
                if c is None or c[4] or c[5] is not None or (found is not None and found[0] is not c[0]):
                    return None
                found = found or c
        return found

    def _channel_kept_local(self, g, chan: str) -> bool:
        """The local channel is only made, closed, ranged over, measured, or sent to by g's goroutines."""
        for f in [g, *g.nested_literals()]:
            for op in f.facts.ops:
                if op.kind == "send" and is_ident(op.fn, chan):
                    if f is g:
                        return False
                    continue
                if op.kind == "recv" and is_ident(op.fn, chan):
                    continue
                if op.kind == "call" and call_name(op.fn) in ("close", "len", "cap"):
                    continue
                if (
                    op.kind == "assign"
                    and len(op.args) == 1
                    and is_ident(ranged(op.args[0]) or received(op.args[0]), chan)
                ):
                    continue
                if op.kind == "assign" and any(is_ident(t, chan) for t in op.targets):
                    if f is g and len(op.args) == 1 and is_make_call(op.args[0]):
                        continue
                    return False
                if any(is_ident(e, chan) for a in (*op.args, op.fn) for e in subexprs(a)):
                    return False
        return True

    def fresh_collection(self, f, name, i):
        """(kind, i, base, op, shape) if the local slice or map `name` holds only fresh resources, kept nowhere.

        Its values are `nil`, `make(...)`, literals of fresh elements,
        `append(name, fresh...)` and `name[k] = fresh`; neither it nor an
        element escapes or is released. shape: "map" when filled by key.
        """
        shape = "map" if (self.type_of(f, make_ident(name)) or "").startswith("map[") else "slice"
        filled, found = self._fresh_index_stores(f, name, i, None)
        if not filled:
            return None
        fillers = [lit for lit in f.nested_literals() if name not in self.program.declared(lit)]
        for lit in fillers:
            # `go func(u string) { ...; mu.Lock(); out[u] = resp; mu.Unlock() }(u)`: filled by its goroutines.
            filled, found = self._fresh_index_stores(lit, name, i, found)
            if not filled:
                return None
            for op in lit.facts.ops:
                if op.kind != "assign" or not any(is_ident(t, name) for t in op.targets):
                    continue
                # `mu.Lock(); conns = append(conns, c); mu.Unlock()`: appended to by its goroutines
                v = op.args[0] if len(op.args) == 1 and len(op.targets) == 1 else None
                if not (is_ident(callee(v), "append") and call_args(v) and is_ident(call_args(v)[0], name)):
                    return None  # replaced in the goroutine: not followed
                for e in call_args(v)[1:]:
                    c = self._element_value(lit, e, i, name)
                    if c is None or (found is not None and (found[0] is not c[0] or found[5] != c[5])):
                        return None
                    found = found or c
        for op, ti in assignments_to(f, name):
            if op.mode == "var" and not op.args:
                continue
            if len(op.args) == 1 and self._unfilled_field(f, op.args[0]):
                continue  # `conns, ok := d.conns[k]`: a cache nothing fills holds nothing
            if len(op.args) != len(op.targets):
                return None
            v = op.args[ti]
            if is_nil(v) or is_make_call(v):
                continue
            if composite(v) is not None:
                elems = [e for _k, e in composite_items(v)]
            elif is_ident(callee(v), "append") and call_args(v) and is_ident(call_args(v)[0], name):
                elems = list(call_args(v)[1:])
            else:
                return None
            for e in elems:
                c = self._element_value(f, e, i, name)
                if c is None or (found is not None and (found[0] is not c[0] or found[5] != c[5])):
                    return None
                found = found or c
        if found is None:
            return None
        holders = {name: Holder(name, found[5] if found[5] is not None else found[0].suffix, "slice")}
        for k, op in enumerate(f.facts.ops):
            if op.kind == "return":
                if self._nested_literals_effect(f, op, holders, found[0]) == RELEASE:
                    return None  # `return conns, func() { ...Close() }`: hands back its own closer
                continue
            effect = self.op_effect(f, op, holders, found[0], scan=True)
            if effect == RELEASE and _cleanup_before_failure(f, k, name):
                continue  # `for _, c := range conns { c.Close() }; return nil, err`: what a failure leaves
            if effect in (ESCAPE, RELEASE):
                return None
        for lit in fillers:
            if any(self.op_effect(lit, op, holders, found[0], scan=True) in (ESCAPE, RELEASE) for op in lit.facts.ops):
                return None
        return found[:4] + (shape, found[5])

    # ---- GIM203: requests to an httptest server ------------------------------
    def to_httptest(self, fn, op) -> bool:
        """The request goes to an httptest server (its Close tears the connections down)."""
        inner = callee(selector_base(op.fn))
        if selected_name(inner) == "Client" and self._is_test_server(fn, selector_base(inner)):
            return True  # srv.Client().Get(...)
        if self._under_a_closed_test_server(fn):
            return True
        helpers = self.program.resolve_call(fn, op) if op.kind == "call" else []
        if helpers and all(t.function.file.is_test and self._under_a_closed_test_server(t.function) for t in helpers):
            return True  # `makeRequest(t, ...)`, a helper of the test that starts, closes and asks its own server
        if not op.args:
            return False
        if self._addressed_to_test_server(fn, op.args[0], catalog=True):
            return True
        # A helper of the test (`mustDo(t, req)`, `get(t, ts.URL+path)`): whichever argument carries
        # the address, built from the test server's URL here or in the request it was given
        return any(self._addressed_to_test_server(fn, a, catalog=False) for a in op.args[1:])

    def _under_a_closed_test_server(self, fn) -> bool:
        """fn, or a function it is written in, starts an httptest server and closes it (`srv :=
        httptest.NewServer(h); t.Cleanup(srv.Close)`, `defer srv.Close()`): the requests a test makes
        there go to that server (its address spelled out, `srv.Listener.Addr()`), whose Close tears
        their connections down."""
        known = self._closed_test_servers.get(fn.id)
        if known is None:
            known = self._closed_test_servers[fn.id] = self._starts_and_closes_a_test_server(fn) or (
                fn.parent is not None and self._under_a_closed_test_server(fn.parent)
            )
        return known

    def _starts_and_closes_a_test_server(self, g) -> bool:
        """g's own body starts an httptest server and closes it (see _under_a_closed_test_server)."""
        servers: set = set()
        for o in g.facts.ops:
            if o.kind == "assign" and len(o.args) == 1 and len(o.targets) == 1:
                sel = selector(callee(o.args[0]))
                if sel is not None and sel[1].startswith("New") and self._httptest_import(g, sel[0]):
                    servers.add(ident(o.targets[0]))
        servers.discard(None)
        for o in g.facts.ops if servers else ():
            if o.kind != "call":
                continue
            closed = selector(o.fn) if selected_name(o.fn) == "Close" else None
            if closed is not None and ident(closed[0]) in servers:
                return True  # `defer srv.Close()`
            if any((a := selector(x)) is not None and a[1] == "Close" and ident(a[0]) in servers for x in o.args):
                return True  # `t.Cleanup(srv.Close)`
        return False

    def _addressed_to_test_server(self, fn, url, catalog: bool) -> bool:
        """The argument is, or names a request built with, the URL of an httptest server: `ts.URL +
        path`, a request from `http.NewRequest(..., ts.URL+path, ...)`, or (not a catalog call) a
        request from a helper of the test given such a URL (`mustNewRequest(t, "GET", ts.URL+p)`)."""
        req = ident(url)
        if req is not None:  # Do(req) / RoundTrip(req): the URL is in the request
            v = self._single_assignment(fn, req)
            if v is None:
                for f in [fn, *fn.nested_literals()]:
                    for o, ti in assignments_to(f, req):
                        if ti == 0 and len(o.args) == 1:
                            v = o.args[0]
            sel = selector(callee(v))
            if sel is not None and sel[1].startswith("NewRequest"):
                if self._httptest_import(fn, sel[0]):
                    return True
                url = v
            elif not catalog and callee(v) is not None:
                url = v  # `req := mustNewRequest(t, "GET", ts.URL+path, nil)`
        return any(self._is_test_server(fn, base) for base in selector_bases(url, "URL", []))

    def _is_test_server(self, fn, expr) -> bool:
        t = self.type_of(fn, expr) or ""
        if "net/http/httptest#Server" in t:
            return True
        name = ident(expr)
        if name is not None:
            v = self._single_assignment(fn, name)
            if self._httptest_import(fn, selector_base(callee(v))):
                return True
        return False

    @staticmethod
    def _httptest_import(fn, e) -> bool:
        """e names the file's import of net/http/httptest."""
        name = ident(e)
        return name is not None and fn.file.imports.get(name) == "net/http/httptest"


def _request_call(value):
    """The call that builds a request: the value itself, or the one call among the arguments of a
    wrapper around it (`must.Get(http.NewRequest(...))`)."""
    if callee(value) is None:
        return None
    if call_name(callee(value)) in ("NewRequest", "NewRequestWithContext"):
        return value
    inner = [a for a in call_args(value) if callee(a) is not None]
    return inner[0] if len(inner) == 1 else value


def _closed_in_return(r, value) -> bool:
    """The return also closes the value it hands back (`return c, c.Close()`)."""
    name = ident(value)
    if name is None:
        return False
    for a in r.args:
        c = call(a)
        if c is not None and selected_name(c[0]) == "Close" and ident(selector_base(c[0])) == name:
            return True
    return False


def _dialers_in(an, fn, e) -> list:
    """Function literals inside e that are declared to return a `net.Conn` first (dial functions)."""
    out = []
    for x in subexprs(e):
        index = funclit(x)
        lit = an.program.literal(fn, index) if index is not None else None
        if lit is not None and lit.facts.results and lit.facts.results[0] == "net.Conn":
            out.append(lit)
    return out


def _returns_only_fakes(an, lit) -> bool:
    """Every return of the literal gives `&T{...}` (or `T{...}`) of a tree type whose Close does nothing."""
    returns = [o for o in lit.facts.ops if o.kind == "return"]
    if not returns:
        return False
    for r in returns:
        built = composite(strip_address(r.args[0])) if r.args else None
        if built is None or not built[0]:
            return False
        named = an.program.named(an.program.qualify(built[0], lit.file))
        if not noop_close(an, named or ""):
            return False
    return True


def _plain_closes(f, name: str, closers) -> list[int]:
    """Indexes of the ops of f that close the local `name` itself (`name.Close()`, not deferred)."""
    return [
        k
        for k, op in enumerate(f.facts.ops)
        if op.kind == "call"
        and op.mode == "plain"
        and selected_name(op.fn) in closers
        and is_ident(selector_base(op.fn), name)
    ]


def _closed_when_it_fails(f, k: int, closes: list[int]) -> bool:
    """The call at op k assigns an error (`s, err := hand(v)`) and one of the closes sits in an
    `if err != nil` block after it, with err not assigned again in between."""
    ops = f.facts.ops
    after = ops[k + 1] if k + 1 < len(ops) else None
    if after is None or after.kind != "assign" or len(after.args) != 1 or call_number(after.args[0]) != k:
        return False
    err = ident(after.targets[-1]) if after.targets else None
    if err is None or err == "_":
        return False
    regions = f.facts.regions
    for j in closes:
        if j <= k + 1:
            continue
        if any(o.kind == "assign" and any(is_ident(t, err) for t in o.targets) for o in ops[k + 2 : j]):
            continue
        for r in enclosing_regions(f.facts, ops[j].region):
            test = binary(regions[r].info) if regions[r].kind == "if" and is_expr(regions[r].info) else None
            if test is not None and test[0] == "!=" and is_ident(test[1], err) and is_nil(test[2]):
                return True
    return False


def _cleanup_before_failure(f, k: int, name: str) -> bool:
    """Op k of f releases what the collection `name` holds on a branch that then returns without it
    (`if err != nil { for _, c := range conns { c.Close() }; return nil, err }`): a helper cleaning up
    after a partial failure, which still hands back fresh resources on its way out that succeeds."""
    ops = f.facts.ops
    facts = f.facts
    enclosing = list(enclosing_regions(facts, ops[k].region))
    # The return must come after the loop over the collection, not inside it; a loop further out may
    # hold both (`for _, a := range addrs { if c, err := dial(a); err == nil { ...; continue }; cleanup; return }`).
    over = {o.region for o in ops[:k] if o.kind == "assign" and len(o.args) == 1 and is_ident(ranged(o.args[0]), name)}
    closing_loop = next((r for r in enclosing if facts.regions[r].kind == "range" and r in over), None)
    around = set(enclosing[enclosing.index(closing_loop) + 1 :] if closing_loop is not None else enclosing)
    for op in ops[k + 1 :]:
        if op.kind == "jump" and op.region in around:
            return False  # `cleanup; continue`: the path goes elsewhere
        if op.kind != "return":
            continue
        if op.region == 0 or op.region not in around:
            return False
        return not any(is_ident(a, name) for a in op.args)
    return False


def _stores_into_captured(op, into: str, declared) -> bool:
    """op is `into[k] = v` or `into = append(into, v)` for a collection `into` that the function literal
    (declaring `declared`) captures."""
    if op.kind == "send" and into not in declared:
        return is_ident(op.fn, into)  # `results <- result{conn: c}` into the maker's channel
    if op.kind != "assign" or into in declared:
        return False
    if any((ix := index(t)) is not None and is_ident(ix[0], into) for t in op.targets):
        return True
    v = op.args[0] if len(op.args) == 1 and len(op.targets) == 1 else None
    return (
        is_ident(op.targets[0], into)
        and is_ident(callee(v), "append")
        and bool(call_args(v))
        and is_ident(call_args(v)[0], into)
    )


def _filled_later(f, name: str, literal) -> tuple:
    """The composite literal a local is built from, with the fields f assigns to it afterwards added as
    keyed elements (`cc := &ClientConn{timeout: t}; ...; cc.conn, cc.enc = c, json.NewEncoder(c)`):
    the struct then holds what was stored in it, as if the literal had said so. The literal itself
    when nothing is assigned to its fields. Also the assignments."""
    added: list = []
    stores: list = []
    for op in f.facts.ops:
        if op.kind != "assign" or len(op.args) != len(op.targets):
            continue
        for t, v in zip(op.targets, op.args, strict=True):
            sel = selector(t)
            if sel is not None and is_ident(sel[0], name) and ident(v) is not None:
                added.append((("id", sel[1]), v))
                if not stores or stores[-1] is not op:
                    stores.append(op)
    comp = composite(strip_address(literal))
    if not added or comp is None:
        return literal, ()
    filled = ("comp", comp[0], tuple(comp[1]) + tuple(added))
    return (("un", "&", filled) if unary_operand(literal, "&") is not None else filled), tuple(stores)


def _failing_return(f, r) -> bool:
    """The return hands back a non-nil error as its last result: the error variable it returns is
    tested `!= nil` by an `if` around it (alone, or as one side of `||`: `if err != nil || resp ==
    nil {`)."""
    results = f.facts.results
    if not results or results[-1] != "error" or len(r.args) != len(results):
        return False
    name = ident(r.args[-1])
    if name is None:
        return False
    facts = f.facts
    for g in enclosing_regions(facts, r.region):
        reg = facts.regions[g]
        if reg.kind == "if" and is_expr(reg.info) and _tests_non_nil(reg.info, name):
            return True
    return False


def _tests_non_nil(cond, name: str) -> bool:
    """`name != nil`, alone or as one side of `||`."""
    b = binary(cond)
    if b is not None and b[0] == "||":
        return _tests_non_nil(b[1], name) or _tests_non_nil(b[2], name)
    return is_ident(nil_compared(cond, "!="), name)
