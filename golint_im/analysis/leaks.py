"""The path walk from one acquisition: the paths on which the resource is neither released nor handed on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from golint_im.expr import (
    assertion,
    binary,
    call,
    call_args,
    call_number,
    callee,
    calls_in,
    case_comparisons,
    composite,
    composite_items,
    funclit,
    funclits_in,
    ident,
    idents_in,
    index,
    integer,
    is_expr,
    is_ident,
    is_make_call,
    is_nil,
    is_true,
    make_ident,
    nil_compared,
    ranged,
    render,
    selected_name,
    selector,
    selector_base,
    sliced,
    string,
    strip_address,
    subexprs,
    subexprs_outside_calls,
    unary_operand,
)
from golint_im.facts import Op
from golint_im.program import Program, enclosing_regions

from .exits import call_exit
from .failing import never_returns_nil_error
from .flow import in_loop
from .owned_fields import forgotten_by_teardown, local_struct, never_closed
from .paths import (
    Branch,
    Container,
    Leak,
    NeverNil,
    _merge,
    _merge_assigns,
    cond_effect,
    error_key,
    handoff_refused,
)
from .regions import assignments_to, exclusive_branches
from .replaced import (
    entry_keyed_by_the_request,
    entry_overwritten_beside_a_cache,
    entry_replaced,
    entry_replaced_by_a_reconciler,
    entry_replaced_in_place,
    entry_store,
    entry_stored_for_every_key_again,
    entry_stored_past_a_partial_guard,
    map_field_store,
    receiver_fields,
    replaced_after_construction,
    replaced_past_a_partial_guard,
    replaced_under_own_guard,
    replaced_unlike_a_sibling,
    runs_again,
)
from .resources import (
    ESCAPE,
    FOREIGN_WRAPPER,
    HTTP_BODY,
    RELEASE,
    STUB,
    Holder,
    Origin,
    Store,
    _ref,
    _value_ref,
    _whole_holder,
    test_support,
)
from .unpaired import has_else

if TYPE_CHECKING:
    from golint_im.symbols import Function

    from .ownership import Analysis


# A test reporting a failure (`t.Errorf("dial succeeded")`) in the branch where the acquisition succeeded.
_TEST_FAILURES = {"Error", "Errorf", "Fatal", "Fatalf", "Fail", "FailNow"}
# testify assertions that the error is not nil: past them, in a passing test, nothing was acquired.
_ASSERTS_ERROR = {
    "Error",
    "Errorf",
    "NotNil",
    "NotNilf",
    "ErrorIs",
    "ErrorIsf",
    "ErrorContains",
    "EqualError",
    "ErrorAs",
}

# testify assertions that a value is nil: said of the resource itself, nothing was acquired.
_ASSERTS_NIL = {"Nil", "Nilf"}


# ---------------------------------------------------------------------------
# The path walk from one acquisition


class Walk:
    """The abstract interpreter that follows one acquisition along every path out of its function.

    It replays the function's ops in source order along the region tree
    (if/else, loops, switch, select). The state on a path is False (the
    resource is live), True (released or handed on) or None (no path:
    returned, panicked, jumped away). `break`/`continue` carry their state to
    where they land; a path taking `goto` is not followed. Branch conditions
    on the acquisition's error or on a stream's Recv end the obligation on
    their branch (see paths.cond_effect). The first leaking path found is the
    one reported (`run` returns it as a `Leak`, or None).
    """

    def __init__(self, an: Analysis, fn, op, origin: Origin):
        self.an = an
        self.fn = fn
        # Channels a goroutine sends `Serve`'s result on (see _served_by_local_server).
        self.served_until: set[str] = set()
        self.served_bodies: set[int] = set()  # the bodies of `case err := <-errc:` on those channels
        self.served_by: set[str] = set()  # local servers that hold the resource (_served_by_local_server)
        self.op = op
        self.origin = origin
        self.kind = origin.kind
        self.view = an.view(fn)
        self.ops = fn.facts.ops
        self.a = an.op_index(fn, op)
        # Where the value is held from: a select case's receive is stored in the case's body.
        received = op.kind == "recv" and self.a + 1 < len(self.ops)
        self.base_region = self.ops[self.a + 1].region if received else op.region
        self.holders: dict[str, Holder] = {}
        self.last_assign: dict[str, object] = {}
        # `if v, err := f(); ... {`: names an `if` statement declares anew, and what they stood for
        # before it, given back when the `if` ends (its `err` is not the acquisition's)
        self._shadowed: dict[int, dict[str, object]] = {}
        self._ifs_by_line: dict[tuple[int, int], int] | None = None
        self.leaks: list[Leak] = []
        self.no_nil = False
        self.later = False  # walking a later iteration of the loop around the acquisition (iteration_end)
        self.primary = ""
        self.named_result = ""  # the acquisition's target is this named result (see _own_named_result)
        self.value_result = ""  # a last result that is nil exactly when nothing was acquired (see _bind)
        # A deferred closure closes the resource only when the function returns no error: the
        # returns that fail still leak it (see _closes_on_success_only).
        self.closed_on_success = False
        self.stored_in = ""
        # The receiver's fields the resource was stored in and the first store, when that is all
        # the function does with it and nothing else was reported (see field_failures.py).
        self.kept_in_fields: tuple[list[str], Op] | None = None
        self.jumps: list = []  # (target region, 'break'|'continue', state) not yet landed
        # Hand-offs that count only if the callee succeeds: the assignments receiving their
        # error (`err := register(conn)`) and the calls tested directly (`if send(c) != nil`).
        # A branch on which that error is non-nil has the resource back (see branch_state).
        self.handoff_assigns: set[int] = set()
        self.handoff_calls: set[int] = set()
        self.handoff_flags: set[int] = set()  # of handoff_assigns, those whose bool says it failed
        self.refused_by: dict[int, object] = {}  # assignment or call index -> the callee
        self.refused_in: set[int] = set()  # branch regions entered because a hand-off's callee failed
        # select region -> the case on which the resource stays live while another case hands it on
        self.live_case: dict[int, Branch | None] = {}
        # the last `if` one side of which kept the resource live while the other handled it: (region, side)
        self.live_if: tuple[int, Branch] | None = None
        self._commit_close: bool | None = None  # see _failed_use_of_committed_value, asked once per walk

    # ---- entry -------------------------------------------------------------
    def run(self):
        an, fn, kind = self.an, self.fn, self.kind
        if kind.stream and (fn.file.is_test or test_support(fn)):
            # A stream a test leaves open ends with the test's connection (closed
            # in a Cleanup or a defer): jaeger and cortex had forty such reports,
            # none worth a reviewer's time. So does one opened by test support, a
            # package of the tree importing `testing` (dapr's integration suites: 55).
            return None
        if self.origin.base in kind.session_streams and _test_code(fn):
            # A test's stream ends with the session it tears down (quic-go, yamux: 40 such reports),
            # also in a test-suite package's `SubtestX(t *testing.T, ...)` (go-libp2p: 2).
            an.debug["gim2xx_test_session_streams"] += 1
            return None
        named = kind.name_of(self.origin.base)
        if named is not None and not named.in_tests and (_test_code(fn) or test_support(fn)):
            # The catalog says tests end these otherwise (a QUIC test's connection by the peer or
            # an idle timeout, which is often what the test checks): quic-go had 17 such reports.
            # A test server's side of a WebSocket in a test-support package too (k6: 2).
            an.debug["gim2xx_test_session_streams"] += 1
            return None
        if self._from_in_memory():
            an.debug["gim2xx_in_memory_values"] += 1
            return None
        if kind.stream and an.cancellation.ctx_cancelled(fn, self.op, self.origin.impl):
            return None
        if kind.stream and an.cancellation.conn_closed_by_defer(fn, self.op):
            return None
        if kind.name == HTTP_BODY and fn.file.is_test and an.to_httptest(fn, self.op):
            return None  # requests to an httptest server: the server's Close releases them
        if kind.name == HTTP_BODY and fn.file.is_test and selected_name(self.op.fn) == "RoundTrip":
            # A test calling RoundTrip directly is testing a round tripper, over a fake
            # transport whose bodies are in memory (jaeger, thanos, cortex: 11 such reports).
            return None
        if self.origin.filled is not None:
            return self._run_filled()
        if self.op.kind == "recv":
            parent = self.a - 1 if self.op.mode == "range" else self.a + 1  # `for c := range ch` binds first
        else:
            parent = an._parent_op(fn, self.op)
        if parent is None:  # an expression statement: the value is dropped
            if not (fn.file.is_test or test_support(fn)):
                return self._reported(Leak("discard", self.op.line, self.op.col))
            return None
        pop = self.ops[parent]
        if pop.kind != "assign":
            return None  # returned, sent, passed on: the consumer's business
        start_state = self._bind(pop)
        if start_state is None:
            return None
        if start_state == "discard":
            if (fn.file.is_test or test_support(fn)) and not self._keeps_a_result(pop):
                return None  # `_, err := http.Get(u)` in a test (or its support): a probe expected to fail
            return self._reported(Leak("discard", pop.line, pop.col))
        # Releases registered before the acquisition (a deferred closure over a variable declared earlier).
        self._early_defers(parent)
        if self.done_early:
            return None
        start_holders = dict(self.holders)
        self._mark_errors_checked_before(parent)
        self.walk_from(parent)
        if not self.leaks:
            return self._replaced(parent, start_holders)
        return self._reported(self.leaks[0])

    def _keeps_a_result(self, pop) -> bool:
        """The assignment discarding the resource keeps another result that is no error (`_, rb :=
        h.subscribe("m")`, a reader over the connection): the call is used, not probed for its
        failure, and what it opened is dropped."""
        for target in pop.targets:
            name = ident(target)
            if name is None or name == "_":
                continue
            t = self.an.program.type_of(self.fn, target)
            if t is not None and t != "error":
                return True
        return False

    def _run_filled(self):
        """`c.Connect()` filled the local struct `c` with a fresh resource: follow `c` until its closer runs.

        When the call's error is received (`err := c.Connect()`), the error branch holds no resource.
        """
        filled = self.origin.filled
        assert filled is not None
        name = filled.holder
        decl = self.an.program.declared(self.fn)
        # a struct holds one in a field; a collection the call filled holds several
        self.holders[name] = Holder(name, self.origin.holder_suffix, self.origin.collection, decl.get(name, 0))
        self.primary = name
        start = self.a
        parent = self.an._parent_op(self.fn, self.op)
        if parent is not None:
            pop = self.ops[parent]
            if pop.kind != "assign":
                return None  # returned or handed on with its error: the consumer's business
            last = ident(pop.targets[-1]) if pop.targets else None
            if last is not None and last != "_" and not self.origin.collection:
                # (a collection the call fills may hold some when it fails at a later element)
                self.last_assign[last] = "acq"
            start = parent
        self._early_defers(start)
        if self.done_early:
            return None
        self.walk_from(start)
        return self._reported(self.leaks[0]) if self.leaks else None

    def _replaced(self, parent, holders):
        """Owned by a field of the receiver that the method overwrites when it runs again (see replaced.py)."""
        if self.kind.stream or not self.fn.facts.recv_name:
            return None
        fields, store = receiver_fields(self.an, self.fn, parent, holders, self.kind)
        if not fields or store is None:
            replaced = self._replaced_past_a_wrapped_failure(parent, holders)
            return replaced if replaced is not None else self._entry_replaced(parent, holders)
        if self.origin.impl_closed is not None:
            # Known only by its helper's close on a failure path: that is one of its closers, and the
            # owner may close the field with another (`c.client.CloseAllowingRebalance()`).
            self.an.debug["gim2xx_fields_of_resources_known_by_a_close"] += 1
            self.kept_in_fields = (fields, store)
            return None
        again = runs_again(self.an, self.fn, fields + self._views_stored(fields, holders), self.kind)
        if again is None and not self.origin.collection:
            again = replaced_unlike_a_sibling(self.an, self.fn, fields, store, self.kind)
        if again is None and not self.origin.collection:
            again = replaced_after_construction(self.an, self.fn, fields, self.kind)
        if again is None and not self.origin.collection:
            again = replaced_under_own_guard(self.fn, fields, store, self.kind)
        if again is None and not self.origin.collection:
            again = replaced_past_a_partial_guard(self.an, self.fn, fields, store, self.kind)
        if again is None:
            if not self.origin.collection and never_closed(self.an, self.fn, fields, self.kind):
                # No method of the type closes the field, and no other code reaches it.
                holder = self._field_holder(fields, store, holders)
                return self._reported(Leak("owner-never-closes", store.line, store.col, container=holder))
            self.kept_in_fields = (fields, store)
            return None
        holder = self._field_holder(fields, store, holders)
        return self._reported(Leak("replaced", store.line, store.col, container=holder, again=again))

    def _replaced_past_a_wrapped_failure(self, parent, holders):
        """`if _, err := fmt.Fprintf(c, ...); err != nil { c.Close(); return fmt.Errorf("announce: %w", err) }`
        before `p.conn = c`: the failure's cleanup returns a wrapped error. Judged only for the field
        replaced when the method runs again (`runs_again`), the judgment such a reconnect is about."""
        if self.origin.impl_closed is not None or self.origin.collection:
            return None
        fields, store = receiver_fields(self.an, self.fn, parent, holders, self.kind, wrapped_errors=True)
        if not fields or store is None:
            return None
        again = runs_again(self.an, self.fn, fields + self._views_stored(fields, holders), self.kind)
        if again is None:
            return None
        return self._reported(
            Leak("replaced", store.line, store.col, container=self._field_holder(fields, store, holders), again=again)
        )

    def _field_holder(self, fields: list[str], store: Op, holders) -> Container:
        """The receiver's field the store keeps the resource in: `p.conn`, a "stub" when what is stored is
        a client stub over it."""
        refs = [_value_ref(v, holders) for v in store.args]
        shape = "stub" if any(r is not None and r.suffix == STUB for r in refs) else "field"
        return Container(shape, f"{self.fn.facts.recv_name}.{fields[0]}")

    def _views_stored(self, fields: list[str], holders) -> list[str]:
        """Other fields of the receiver the function gives a reader or writer built over the resource
        (`p.w = bufio.NewWriter(c)` beside `p.conn = c`): a method writing through `p.w` uses the
        connection as surely as one writing to `p.conn`."""
        recv = self.fn.facts.recv_name
        views = []
        for o in self.ops:
            if o.kind != "assign" or len(o.targets) != len(o.args):
                continue
            for t, v in zip(o.targets, o.args, strict=True):
                sel = selector(t)
                c = call(v)
                if sel is None or not is_ident(sel[0], recv) or sel[1] in fields or sel[1] in views or c is None:
                    continue
                if any(ident(a) in holders for a in c[1]):
                    views.append(sel[1])
        return views

    def _entry_replaced(self, parent, holders):
        """Owned by an entry of a map field of the receiver that a caller asks for again with a key
        whose entry it already holds (see replaced.entry_replaced): the store drops the live one."""
        stored = map_field_store(self.an, self.fn, parent, holders, self.kind)
        found = entry_store(self.fn, stored)
        again = None
        if found is not None and self.origin.impl_closed is None:
            field, key_index, store = found
            again = entry_replaced(self.an, self.fn, field, key_index, self.kind)
            if again is None:
                again = entry_replaced_in_place(self.an, self.fn, field, key_index, store, self.kind)
            if again is None:
                again = entry_overwritten_beside_a_cache(self.an, self.fn, field, store, self.kind)
        if again is None and self.origin.impl_closed is None:
            # keyed by a parameter or not: an `if` that leaves only when the entry is set and something
            # else holds (`if cur, ok := r.workers[name]; ok && cur.Addr() == addr { return }`)
            partial = entry_stored_past_a_partial_guard(self.fn, stored, self.kind)
            if partial is None:
                partial = entry_replaced_by_a_reconciler(self.fn, stored, self.kind)
            if partial is None:
                partial = entry_stored_for_every_key_again(self.an, self.fn, stored, self.kind)
            if partial is None:
                partial = entry_keyed_by_the_request(self.an, self.fn, stored, self.kind)
            if partial is not None:
                name, store, again = partial
                part = _held_in_element(store, holders)
                return self._reported(
                    Leak("replaced", store.line, store.col, container=Container("entry", name, part), again=again)
                )
        if found is None or again is None:
            return None
        field, key_index, store = found
        target = next((t for t in store.targets if index(t) is not None), None)
        name = render(target) if target is not None else f"{self.fn.facts.recv_name}.{field}[...]"
        return self._reported(Leak("replaced", store.line, store.col, container=Container("entry", name), again=again))

    def _bind(self, pop):
        """Holders after the assignment that receives the call; None: nothing to track."""
        idx = self.a
        targets, values = pop.targets, pop.args
        res = self.origin.result
        target = None
        errname = None
        received = self.op.kind == "recv"  # `c, ok := <-ch`: the receive op just before its assignment

        def acquired(v) -> bool:
            if received and self.op.mode == "range":
                return ranged(v) is not None  # `for c := range ch`
            return unary_operand(v, "<-") is not None if received else call_number(v) == idx

        if len(values) == 1 and len(targets) > 1:
            if not acquired(values[0]):
                return None
            if res < len(targets):
                target = targets[res]
            last = error_key(targets[-1])
            if last is not None and last != "_" and res != len(targets) - 1:
                errname = last
                if (
                    not received
                    and not self._error_like(targets[-1])
                    and self._nil_only_with_resource(len(targets), res)
                ):
                    # `l, addr := listen(port)`: the last result is a value, nil only when nothing was acquired
                    self.value_result, errname = errname, None
        else:
            for t, v in zip(targets, values, strict=False):
                if acquired(v):
                    target = t
                    break
            if target is None:
                return None  # nested inside another expression
        if target is None:
            return None
        if is_ident(target, "_"):
            return "discard"
        an = self.an
        decl = an.program.declared(self.fn)
        name = ident(target)
        container = index(target)
        container_name = ident(container[0]) if container is not None else None
        if name is not None and self._own_named_result(name):
            # A named result of this function: a bare `return` hands it back, any other return drops it.
            decl = {**decl, name: 0}
            self.named_result = name
        if name is not None:
            if name not in decl or name in an.params(self.fn):
                return None  # outer variable, package variable: not ours to judge
            shape = self.origin.collection
            self.holders[name] = Holder(name, self.origin.holder_suffix, shape, decl.get(name, 0))
            self.primary = name
            self.stored_in = name if shape else ""
        elif (field_of := self._fresh_local_field(target)) is not None:
            # `cn.c, err = net.Dial(...)` into a struct this function just built (`cn := &conn{}`):
            # the struct holds it, as a response holds its body (lib/pq 2ff3cb3).
            name = field_of[0]
            self.holders[name] = Holder(name, (field_of[1], *(self.origin.holder_suffix or ())), "", decl.get(name, 0))
            self.primary = name
            if name in self.fn.facts.result_names and self.fn.facts.parent < 0:
                self.named_result = name  # a bare `return` hands the struct back
            an.debug["gim2xx_fields_of_fresh_structs"] += 1
        elif (
            container is not None
            and container_name is not None
            and container_name in decl
            and container_name not in an.params(self.fn)
        ):
            name = container_name
            t = an.type_of(self.fn, container[0]) or ""
            self.holders[name] = Holder(
                name, self.origin.holder_suffix, "slice" if t.startswith("[") else "map", decl.get(name, 0)
            )
            self.primary = name
            self.stored_in = name
        else:
            return None
        if errname:
            # `ok` of a receive is true when a value came: false, the channel is closed and holds none.
            self.last_assign[errname] = "received" if received else "acq"
        if self.value_result:
            self.last_assign[self.value_result] = "acq-value"
        return False

    def _error_like(self, target) -> bool:
        """The acquisition's last result is an error or a success flag, as far as its type is known."""
        t = self.an.type_of(self.fn, target)
        if t is None or t in ("error", "bool"):
            return True
        named = self.an.program.named(t.lstrip("*"))
        return named is not None and self._error_type(named)

    def _nil_only_with_resource(self, n: int, res: int) -> bool:
        """Every function of the tree the acquisition calls returns nil as its last result only
        beside a nil resource (`return nil, nil` on failure), and on its other returns a last
        result that is not a bare name (`return l, l.Addr()`): that result is nil exactly when
        nothing was acquired (fortio's `Listen`)."""
        targets = self.an.program.resolve_call(self.fn, self.op)
        if not targets:
            return False
        for t in targets:
            returns = [r for r in t.function.facts.ops if r.kind == "return"]
            if not returns or any(len(r.args) != n for r in returns):
                return False
            for r in returns:
                last, resource = r.args[-1], r.args[res]
                if is_nil(last) != is_nil(resource):
                    return False
                if not is_nil(last) and not _never_nil_beside(last, resource):
                    return False
        return True

    def _fresh_local_field(self, target) -> tuple[str, str] | None:
        """(local, field) when target is `x.f` and x is a struct fn builds itself (see
        owned_fields.local_struct), not its receiver, and given to no other code before the
        acquisition, so nothing else holds what goes into its field."""
        sel = selector(target)
        base = ident(sel[0]) if sel is not None else None
        if sel is None or base is None or base == self.fn.facts.recv_name:
            return None
        if not local_struct(self.an, self.fn, base, results=True):
            return None
        for o in self.ops[: self.a]:
            if o.kind not in ("call", "send", "assign") or o.mode == "defer":
                continue
            mentions = [a for a in o.args if base in idents_in(a, set())]
            if not mentions:
                continue
            if o.kind == "call" and is_ident(selector_base(o.fn), base):
                continue  # `cn.handleSettings(o)`: a method of the struct itself
            if o.kind == "assign" and all(composite(strip_address(a)) for a in mentions):
                continue  # the struct's own literal
            return None  # given to other code before the dial (`opt(c)`): it may be kept there
        return base, sel[1]

    def _abandoned_send(self, o: Op) -> Leak | None:
        """The goroutine sends the resource (or a literal holding it) on a local channel of the function
        that started it, which receives from that channel only in `select` cases, and another case of
        one of those selects returns without receiving it (`case <-ctx.Done(): return nil, ctx.Err()`):
        on that path nothing takes the resource, and nothing closes it (remotedialer a3fa480).

        Judged for a goroutine literal of that function, a channel the function made (`make`) and
        receives from only in its own body, and a case whose body receives nothing from the channel."""
        fn = self.fn
        name = ident(o.fn)
        value = o.args[0] if o.args else None
        if fn is None or name is None or value is None or fn.parent is None or not fn.go_sites or o.select >= 0:
            return None  # a send in a `select` has its own way out, walked as the other case
        comp = composite(strip_address(value))
        carried = [v for _k, v in comp[1]] if comp is not None else [value]
        if not any(_value_ref(v, self.holders) is not None for v in carried if v is not None):
            return None
        program = self.an.program
        owner = program.declaring_function(fn, name)
        if owner is None or owner is fn or fn.parent is not owner:
            return None
        if not any(
            a.kind == "assign" and is_make_call(a.args[0] if len(a.args) == 1 else None)
            for a, _p in assignments_to(owner, name)
        ):
            return None
        receives = [x for x in owner.facts.ops if x.kind == "recv" and is_ident(x.fn, name)]
        if not receives or any(x.select < 0 for x in receives):
            return None
        others = [lit for lit in owner.nested_literals() if lit is not fn]
        if any(x.kind == "recv" and is_ident(x.fn, name) for lit in others for x in lit.facts.ops):
            return None  # another goroutine of the function drains it
        facts = owner.facts
        for recv in receives:
            for r, reg in enumerate(facts.regions):
                if reg.kind not in ("case", "default") or reg.parent != recv.select or r == recv.body:
                    continue
                body = [x for x in facts.ops if r in enclosing_regions(facts, x.region)]
                if any(x.kind == "recv" and is_ident(x.fn, name) for x in body):
                    continue
                leave = next((x for x in body if x.kind == "return"), None)
                if leave is None:
                    continue
                case = next(
                    (x for x in facts.ops if x.kind == "recv" and x.select == recv.select and x.body == r), None
                )
                self.an.debug["gim2xx_sends_abandoned_by_the_receiver"] += 1
                leak = Leak("abandoned-send", o.line, o.col, channel=name)
                leak.abandoned_by = (owner, recv, leave, case)
                return leak
        return None

    def _bare_return_hands_back(self, o: Op, holders) -> bool:
        """A bare `return` hands back a named result holding the resource: the acquisition's own
        target, or an alias of it (`c, ok := cc.(*net.TCPConn)` in the body's own block reuses the
        named result `c`)."""
        if o.args:
            return False
        if self.named_result:
            return True
        return any(h.suffix == () and self._own_named_result(name) for name, h in holders.items())

    def _own_named_result(self, name: str) -> bool:
        """`c, err = net.Dial(...)` into the named result `c` of the function being judged.

        Only in a declared function (in a literal the name may be an outer
        function's result, handed back by that function's return).
        """
        fn = self.fn
        return fn.facts.parent < 0 and self.an.named_result(fn, name)

    def _closes_on_success_only(self, o: Op) -> bool:
        """`defer func() { if e != nil { return }; resp.Body.Close() }()`: the close waits on the named error.

        The deferred closure releases the resource only when the function's
        named error result is nil: either it returns early when the error is
        set, or the release sits under `if e == nil`. Then a return with an
        error leaks what the closure would have closed. Not followed when the
        acquisition sits in a loop (a defer there runs only at the end).
        """
        lit_index = funclit(o.fn)
        results = self.fn.facts.results
        if lit_index is None or not results or results[-1] != "error" or self.view.loops_around(self.op.region):
            return False
        an = self.an
        lit = an.program.literal(self.fn, lit_index)
        if lit is None or an.literal_effect(lit, self.holders, self.kind) != RELEASE:
            return False
        holders = dict(an.captured(lit, self.holders))
        view = an.view(lit)
        early_return = False  # a return under `if e != nil` came first
        for lo in lit.facts.ops:
            conds = [(view.regions[r].kind, view.regions[r].info) for r in view.chain(lo.region)]
            if lo.kind == "return":
                early_return = early_return or any(
                    k == "if" and self._named_error_test(lit, c) == "!=" for k, c in conds
                )
                continue
            if lo.kind in ("call", "assign") and an.op_effect(lit, lo, holders, self.kind) == RELEASE:
                guarded = any(k == "if" and self._named_error_test(lit, c) == "==" for k, c in conds)
                return early_return or guarded
        return False

    def _named_error_test(self, lit, cond) -> str:
        """ "!=" or "==" when cond compares a named result with nil (`e != nil`), else ""."""
        test = binary(cond) if is_expr(cond) else None
        if test is None or test[0] not in ("==", "!="):
            return ""
        for side, other in ((test[1], test[2]), (test[2], test[1])):
            name = ident(side)
            if name is not None and is_nil(other) and self.an.named_result(lit, name):
                return test[0]
        return ""

    def _endless_loop_around(self, o: Op) -> int | None:
        """The innermost loop around both the acquisition and the deferred o, when it is an endless
        `for {` of production code that no round leaves after deferring: no `return`, `break` or
        `goto` in the loop after o (a retry loop that defers and then returns, or a test holding
        connections open on purpose until it breaks out, keeps one or a few)."""
        if self.fn.file.is_test:
            return None
        around_o = set(self.view.chain(o.region))
        for r in self.view.loops_around(self.op.region):
            if r not in around_o:
                continue
            region = self.view.regions[r]
            endless = region.kind == "for" and region.info is None
            if not endless and not (region.kind == "range" and self._ranges_over_channel(region)):
                if region.kind == "range" or region.info is not None:
                    continue  # `for _, host := range m.hosts` inside an endless loop: each outer round adds more
                return None
            at = self.ops.index(o)
            for later in self.ops[at + 1 :]:
                if later.line > region.end_line:
                    break
                if later.kind == "return" or (later.kind == "jump" and later.mode in ("break", "goto")):
                    return None
            return r
        return None

    def _ranges_over_channel(self, region) -> bool:
        """`for job := range jobs` over a channel: a worker's loop, going round until the channel is
        closed, as long as the process feeds it."""
        over = region.info if is_expr(region.info) else None
        t = self.an.type_of(self.fn, over) if over is not None else None
        return t is not None and self.an.program.underlying(t).startswith(("chan ", "<-chan ", "chan<- "))

    def _endless_loop_below(self, o: Op) -> bool:
        """The acquisition sits in an endless `for {` loop that the deferred op is outside of (an accept
        loop under `defer sess.Close()`): each round's stream stays open until the session ends, which
        is what the loop is there to put off; one more each round."""
        around_defer = set(self.view.chain(o.region))
        return any(
            self.view.regions[r].kind == "for" and self.view.regions[r].info is None and r not in around_defer
            for r in self.view.loops_around(self.op.region)
        )

    def _early_defers(self, parent):
        self.done_early = False
        chain = set(self.view.chain(self.ops[parent].region))
        for i in range(0, self.a):
            o = self.ops[i]
            eff = None
            if o.kind == "call" and o.mode == "defer" and o.region in chain:
                eff = self.an.call_effect(self.fn, o, dict(self.holders), self.kind)
            elif o.kind in ("call", "assign"):
                # A closure built earlier over the same variable (`var cc *ClientConn` ... `cc.Close()` in it).
                lits: list[int] = []
                for e in list(o.args) + ([o.fn] if o.kind == "call" else []):
                    funclits_in(e, lits)
                for index in lits:
                    lit = self.an.program.literal(self.fn, index)
                    if lit is not None and self.an.literal_effect(lit, self.holders, self.kind) == RELEASE:
                        eff = RELEASE
            if eff in (RELEASE, ESCAPE) or (
                o.kind == "call"
                and o.mode == "defer"
                and o.region in chain
                and self._closes_session(o)
                and not self._endless_loop_below(o)
            ):
                # `defer c.Close()` of the session the stream is then opened from: the stream ends with it
                # (a subscription kept open for as long as the session, mediamtx's moq source).
                if eff not in (RELEASE, ESCAPE):
                    self.an.debug["gim2xx_streams_closed_with_their_session"] += 1
                self.done_early = True
                return

    # ---- walking -------------------------------------------------------------
    def walk_from(self, start):
        f = self.fn.facts
        regions = f.regions
        chain = self.view.chain(self.ops[start].region)
        state = False
        cur = (start, 0, start)
        for r in chain:
            items = self.view.children[r]
            try:
                pos = items.index(cur)
            except ValueError:
                return
            rest = items[pos + 1 :]
            consumed = set()
            if cur[1] == 1 and cur[2] in self.view.else_of:
                consumed.add(self.view.else_of[cur[2]])
            if regions[r].kind in ("select", "switch") and cur[1] == 1:
                rest = []
            state = self.exec_items(rest, state, consumed)
            kind = regions[r].kind
            if kind in ("for", "range", "select", "switch"):
                continues, breaks = self._take_jumps(r)
                if kind in ("for", "range"):
                    state = _merge(state, *continues)
                    if state is False:
                        state = self.iteration_end(r, state)
                state = _merge(state, *breaks)
            if state is not False and not any(j[2] is False for j in self.jumps):
                return
            cur = (self.view.first[r], 1, r)
        self._fell_off_end(state)

    def run_owned(self, name: str):
        """Walk the whole function from its entry, `name` (a parameter or captured variable) live there.

        For a function that owns what it is given (see owners.py): no acquisition op, no error of
        its own to test; the first path leaving it open is the leak.
        """
        self.holders[name] = Holder(name, self.origin.holder_suffix, "", 0)
        self.primary = name
        self._fell_off_end(self.exec_items(self.view.children[0], False, set()))
        return self._reported(self.leaks[0]) if self.leaks else None

    def _fell_off_end(self, state) -> None:
        """The path reached the end of the function with the resource in `state`."""
        f = self.fn.facts
        if state is False and not f.results and not self._ends_in_endless_loop() and not self._is_main():
            last = self.view.children[0][-1] if self.view.children[0] else None
            case = self.live_case.get(last[2]) if last is not None and last[1] else None
            leak = Leak("end", f.end_line, 1, (case,) if case is not None else (), self._container())
            if self.handoff_assigns or self.handoff_calls:
                # Live at the end only because a conditional hand-off failed on some path.
                leak.refused_by = next(reversed(self.refused_by.values()), None)
            self._leak(leak)

    def _served_for_the_process(self, go: Op) -> bool:
        """`func startEcho() { pc := listen(); go func() { for { pc.ReadFrom(buf) ... } }() }`, run once
        by `main`: the goroutine the `go` statement starts with the resource serves it for the rest of
        the process, and nothing is lost when the function returns after it (turn's examples). Only in
        package main, or for an unexported function of another package (reached from an `init`), for
        a function every caller of which runs once per process, outside any loop.
        Paths that return before the `go` statement are judged as ever."""
        fn = self.fn
        if fn.parent is not None or in_loop(fn.facts, self.op.region):
            return False
        if fn.pkg.name != "main" and (fn.facts.recv or fn.facts.name[:1].isupper()):
            return False  # code outside the tree may call an exported function of a library package
        index = funclit(go.fn)
        lit = self.an.program.literal(fn, index) if index is not None else None
        served = (lit is not None and bool(self.an.captured(lit, self.holders))) or any(
            _value_ref(a, self.holders) is not None for a in go.args
        )
        if not served or not _runs_once(self.an.program, fn, 0):
            return False
        self.an.debug["gim2xx_process_lifetime_goroutine_owners"] += 1
        return True

    def _served_by_local_server(self, go: Op) -> bool:
        """`srv := http.Server{...}; go func() { errc <- srv.Serve(ln) }()`: the goroutine serves the
        listener through a server value the function built itself, and `Serve` returns (closing the
        listener) only once that server is closed or shut down. The server becomes a holder: a return
        that neither closes nor shuts it down, nor hands it on, leaves the port bound and the goroutine
        serving (syncthing dd850f66b). Only a local `net/http.Server` built by a literal."""
        fn = self.fn
        index = funclit(go.fn)
        lit = self.an.program.literal(fn, index) if fn is not None and index is not None and not go.args else None
        if fn is None or lit is None or fn.file.is_test or test_support(fn):
            # A test's server left serving until the test binary exits: true, but of no weight.
            return False
        owner: Function = fn
        server = None
        for o in lit.facts.ops:
            sel = selector(o.fn) if o.kind == "call" else None
            if sel is None or sel[1] not in ("Serve", "ServeTLS") or not o.args:
                continue
            if _value_ref(o.args[0], self.holders) is None:
                continue
            name = ident(sel[0])
            if name is None or self.an.program.declaring_function(lit, name) is not owner:
                return False
            t = self.an.type_of(owner, sel[0])
            if Program.named(t or "") != "net/http#Server" or not local_struct(self.an, owner, name):
                return False
            server = name
            serve_op = o
        if server is None:
            return False
        # `errc <- srv.Serve(ln)`: a value received from errc says Serve has returned, and Serve closes
        # the listener before it returns.
        at = next((k for k, x in enumerate(lit.facts.ops) if x is serve_op), -1)
        for o in lit.facts.ops:
            channel = ident(o.fn) if o.kind == "send" else None
            if channel is not None and any(call_number(a) == at for a in o.args):
                self.served_until.add(channel)
        self.holders[server] = Holder(server, None, "", self.an.program.declared(owner).get(server, 0))
        self.served_by.add(server)
        self.an.debug["gim2xx_listeners_served_by_local_servers"] += 1
        return True

    def _is_main(self) -> bool:
        """The walk is in `main` or a literal it runs on its own goroutine: leaving it ends the process.
        A goroutine `main` starts (an accept loop's handler) runs alongside it, and its leaks pile up."""
        fn = self.fn
        while fn.parent is not None:
            if fn.go_sites:
                return False
            fn = fn.parent
        return fn.pkg.name == "main" and fn.facts.name == "main" and not fn.facts.recv

    def _ends_in_endless_loop(self) -> bool:
        items = self.view.children[0]
        if not items or items[-1][1] != 1:
            return False
        r = items[-1][2]
        reg = self.view.regions[r]
        if reg.kind != "for":
            return False
        # `for {` / `for cond {`: no init statement recorded on the loop's line.
        return not any(o.region == 0 and o.line == reg.line and o.kind == "assign" for o in self.ops)

    def exec_region(self, r, state):
        return self.exec_items(self.view.children[r], state, set())

    def exec_items(self, items, state, consumed):
        regions = self.view.regions
        for _key, is_region, x in items:
            if state is None:
                return None
            if not is_region:
                state = self.jump(x, state) if self.ops[x].kind == "jump" else self.transfer(x, state)
                continue
            if x in consumed:
                continue
            kind = regions[x].kind
            if kind in ("if", "else"):
                if kind == "if":
                    cond_region, then_r, else_r = x, x, self.view.else_of.get(x)
                else:
                    cond_region, then_r, else_r = self.view.if_of.get(x), None, x
                # Both branches see the state (and the assignments) from before the `if`.
                in_then = self.branch_state(cond_region, state, True)
                in_else = self.branch_state(cond_region, state, False)
                if state is False and self.fn.file.is_test and cond_region is not None:
                    in_then, in_else = self._asserted_to_fail(cond_region, then_r, else_r, in_then, in_else)
                before = dict(self.last_assign)
                s1 = self.exec_region(then_r, in_then) if then_r is not None else in_then
                after_then = self.last_assign
                self.last_assign = dict(before)
                if else_r is not None:
                    consumed.add(else_r)
                    s2 = self.exec_region(else_r, in_else)
                else:
                    s2 = in_else
                then_assigns = after_then if s1 is not None else None
                else_assigns = self.last_assign if s2 is not None else None
                if {s1, s2} == {True, False}:
                    # Live after the `if` only through the branch that kept it: what the branch that
                    # released it assigned (`resp.Body.Close(); err = fmt.Errorf(...)`) cannot decide
                    # a later test of the live one.
                    then_assigns, else_assigns = (then_assigns, None) if s1 is False else (None, else_assigns)
                    cond_reg = self.view.regions[cond_region] if cond_region is not None else None
                    plain = cond_reg is not None and is_expr(cond_reg.info)
                    if cond_reg is not None and plain and self._plain_condition(cond_reg.info):
                        # which side of the `if` kept it live, for a loop leak's message (not the
                        # acquisition's own error test: its success side is no news)
                        self.live_if = (x, Branch("if" if s1 is False else "else", cond_reg.info, cond_reg.line))
                self.last_assign = _merge_assigns(then_assigns, else_assigns, before)
                if kind == "if":
                    self._restore_shadowed(x)
                state = _merge(s1, s2)
            elif kind in ("for", "range"):
                before = dict(self.last_assign)
                # `for ... isRetryable(err) {`: the body runs only after the acquisition failed.
                in_body = self.branch_state(x, state, True) if kind == "for" else state
                body = self.exec_region(x, in_body)
                continues, breaks = self._take_jumps(x)
                if self.view.endless(x):
                    state = _merge(*breaks)  # `for {`: only a break gets past it
                elif state is False and self._releases_within(x):
                    state = True
                elif state is False and kind == "range" and self._hands_on_every_element(x):
                    # `for _, l := range listeners { go serve(l) }`: every element the local
                    # container holds is handed on (none when it is empty)
                    self.an.debug["gim2xx_containers_handed_on_by_element"] += 1
                    state = True
                else:
                    if state is False and all(s is not False for s in (body, *continues, *breaks)):
                        # Still live only by skipping the body: what the body assigned
                        # says nothing about it (the error checked next is its own).
                        self.last_assign = before
                    # A counted loop (`for i := 0; i < 100; i++`) runs its body: no path skips it.
                    skipped = None if self._runs_at_least_once(x) else state
                    normal = _merge(skipped, body, *continues)
                    if kind == "for":
                        # Leaving other than by `break` means the condition was false:
                        # `for ...; !errors.Is(err, io.EOF); m, err = s.Recv()` ends read out.
                        normal = self.branch_state(x, normal, False)
                    state = _merge(normal, *breaks)
            elif kind == "select":
                state = self.exec_alternatives(x, state, no_match=False)
            elif kind == "switch":
                # Without a `default`, no case may match and the state goes on as it was.
                state = self.exec_alternatives(x, state, no_match=not regions[x].info)
            else:
                state = self.exec_region(x, state)
        return state

    def exec_alternatives(self, r, state, no_match):
        # Ops directly in the select/switch region (case communications) run first, except a
        # select case's send: it happens only when its case is chosen (`case out <- conn:` hands
        # the resource on; `case <-ctx.Done():` does not).
        direct = [it for it in self.view.children[r] if not it[1]]
        case_sends = self._case_sends(r, direct)
        state = self.exec_items([it for it in direct if it[0] not in case_sends.values()], state, set())
        if state is None:
            return None
        alts = self.view.kids[r]
        if not alts:
            self._take_jumps(r)
            return None if not no_match else state
        before = dict(self.last_assign)
        outs = []
        merged = None
        regions = self.fn.facts.regions
        # `switch { case err != nil: return nil, err; case ok(res): ... }`: a case is reached only
        # when the conditions of the cases above it are false, and taken when its own is true.
        skipped = state
        for c in alts:
            self.last_assign = dict(before)
            entry = skipped
            if regions[c].kind == "block" and is_expr(regions[c].info):
                entry = self.branch_state(c, skipped, True)
                skipped = self.branch_state(c, skipped, False)
            info = regions[c].info if regions[c].kind == "case" else None
            send = case_sends.get(regions[c].line) if info and info[0] == "send" else None
            out = self.exec_items([(send, 0, send)], entry, set()) if send is not None else entry
            if out is not None:
                out = self.exec_region(c, out)
            outs.append(out)
            if out is not None:
                merged = self.last_assign if merged is None else _merge_assigns(merged, self.last_assign, before)
        self.last_assign = merged if merged is not None else before
        tagged = _tagged(regions, alts)
        returning = any(o.kind in ("return", "jump") and o.region in alts for o in self.fn.facts.ops)
        if no_match and tagged and not returning and outs and all(o is True for o in outs):
            # `switch action { case A: c.Close(); case B: hand(c) }` with no `default`: every case
            # releases or hands it on and goes on past the switch, so the author takes the cases as
            # all there are. (Cases that return leave code after the switch for the no-match path:
            # `switch resp.StatusCode { case 200: ...; return }; return "unknown"` still counts it.)
            self.an.debug["gim2xx_switches_taken_as_exhaustive"] += 1
        elif no_match:
            outs.append(skipped)
        _continues, breaks = self._take_jumps(r)
        if regions[r].kind == "select" and False in outs and True in outs:
            # Some cases hand it on or close it, others keep it live: the first of those names the leak's branch.
            self.live_case[r] = self._branch(regions[alts[outs.index(False)]])
        return _merge(*outs, *breaks)

    def _case_sends(self, r, direct) -> dict[int, int]:
        """Line of a select case -> index of the send op it communicates, when one send sits on that line."""
        lines: dict[int, list[int]] = {}
        for it in direct:
            o = self.ops[it[0]]
            if o.kind == "send" and o.select == r:
                lines.setdefault(o.line, []).append(it[0])
        return {line: ops[0] for line, ops in lines.items() if len(ops) == 1}

    # ---- jumps ---------------------------------------------------------------
    def jump(self, i, state):
        """A break/continue ends this path; its state is picked up where it lands (see _take_jumps).

        Leaving the loop the resource was acquired in, with the resource live and held
        by nothing that outlives the iteration, is a leak on that path.
        """
        o = self.ops[i]
        if o.mode == "fallthrough":
            return state  # into the next case: taken as reaching the end of this one
        target = self.view.jump_target(o)
        if target is None:
            return None  # goto (or a label we cannot find): where it lands is not modelled
        acquired_in = self.op.region
        if self.op.kind == "recv" and self.op.mode == "range" and self.a > 0:
            acquired_in = self.ops[self.a - 1].region  # `for c := range ch`: bound in the loop's body
        if state is False and self.view.in_region(acquired_in, target):
            if o.mode == "continue":
                kept = self._kept_across_iterations(target)
            else:
                kept = any(not self._declared_within(h, target) for h in self.holders.values())
            if not kept:
                leak = Leak(o.mode, o.line, o.col, self._path_condition(o), self._container())
                leak.refused_by = self._refusing_callee(o)
                self._leak(leak)
                return None
        self.jumps.append((target, o.mode, state))
        return None

    def _take_jumps(self, r):
        """(continue states, break states) of the pending jumps landing on region r."""
        continues, breaks, rest = [], [], []
        for j in self.jumps:
            if j[0] != r:
                rest.append(j)
            elif j[1] == "continue":
                continues.append(j[2])
            else:
                breaks.append(j[2])
        self.jumps = rest
        return continues, breaks

    def _runs_at_least_once(self, r) -> bool:
        """`for i := 0; i < 100; i++`: a loop whose counter starts below a constant bound enters its body."""
        return r in self.an.counted_loops(self.fn)

    def _before_acquisition(self, i: int, r: int) -> bool:
        """Op i runs before the acquisition in the pass over loop r: r holds the acquisition and op i
        comes first. A loop apart from it, ahead of it in the text, runs after it only on a later
        iteration (`if err != nil { for _, c := range conns { c.Close() }; return }` ahead of the dial)."""
        return i <= self.a and self.view.in_region(self.ops[self.a].region, r)

    def _releases_within(self, r) -> bool:
        """Lenient: a loop whose body releases (or, for streams, reads) the resource releases it.
        Not by a release the function returns right after (`st.Close(); return err`): that path
        leaves, and the loop's own end still holds the resource."""
        holders = dict(self.holders)
        facts = self.fn.facts
        for i, o in enumerate(self.ops):
            if self._before_acquisition(i, r) or not self.view.in_region(o.region, r):
                continue
            if o.kind == "call" and _returns_after(facts, i):
                continue
            sel = selector(o.fn) if o.kind == "call" else None
            if sel is not None:
                ref = _ref(sel[0], holders)
                if ref is not None and ref.resource:
                    if sel[1] in self.kind.closers:
                        return True
                    if self.kind.stream and sel[1] in ("Recv", "RecvMsg"):
                        return True
            if o.kind in ("call", "assign") and self.an.op_effect(self.fn, o, holders, self.kind) == RELEASE:
                return True
        return False

    def _hands_on_every_element(self, r) -> bool:
        """The range loop r goes over a local container holding the resource, and its body hands
        the element on (to a goroutine, an owner, a field) or releases it."""
        reg = self.view.regions[r]
        holders = dict(self.holders)
        header = None
        for i, o in enumerate(self.ops):
            if self._before_acquisition(i, r) or o.kind != "assign" or len(o.args) != 1 or ranged(o.args[0]) is None:
                continue
            if o.line == reg.line and (o.region == r or self.view.in_region(r, o.region)):
                header = i
                break
        if header is None:
            return False
        over = _ref(ranged(self.ops[header].args[0]), holders)
        if over is None or not over.container:
            return False
        self.an.op_effect(self.fn, self.ops[header], holders, self.kind)  # the element becomes a holder
        elements = {n for n in map(ident, self.ops[header].targets) if n is not None and n != "_" and n in holders}
        if not elements:
            return False
        for i, o in enumerate(self.ops):
            if i <= header or not self.view.in_region(o.region, r) or o.kind not in ("call", "assign"):
                continue
            eff = self.an.op_effect(self.fn, o, holders, self.kind)
            if eff in (RELEASE, ESCAPE) and self._names_any(o, {n: holders[n] for n in elements}):
                return True
        return False

    def _names_any(self, o, elements: dict) -> bool:
        """The op reads one of the element holders (an argument, the called method's receiver, a captured one)."""
        exprs = [*o.args, o.fn] if o.kind == "call" else list(o.args)
        if any(ident(x) in elements for e in exprs for x in subexprs(e)):
            return True
        index = funclit(o.fn) if o.kind == "call" else None
        lit = self.an.program.literal(self.fn, index) if index is not None else None
        return lit is not None and bool(self.an.captured(lit, elements))

    def _asserted_to_fail(self, cond_region, then_r, else_r, in_then, in_else):
        """A test dial expected to fail: the branch where it succeeded reports a test failure, so no path goes on.

        `c, err := Dial(bad); if err == nil { t.Errorf("dial succeeded") }`.
        """
        on_true, on_false = self.cond_effect(self.view.regions[cond_region].info)
        if on_true == "ok" and then_r is not None and self._reports_failure(then_r):
            self.an.debug["gim2xx_test_dials_asserted_to_fail"] += 1
            return None, in_else
        if on_false == "ok" and else_r is not None and self._reports_failure(else_r):
            self.an.debug["gim2xx_test_dials_asserted_to_fail"] += 1
            return in_then, None
        return in_then, in_else

    def _reports_failure(self, region) -> bool:
        """The region calls `t.Error*`/`t.Fatal*` on a *testing.T (or B, TB)."""
        for o in self.ops:
            if o.kind == "call" and selected_name(o.fn) in _TEST_FAILURES and self.view.in_region(o.region, region):
                t = self.an.type_of(self.fn, selector_base(o.fn)) or ""
                if t.lstrip("*").startswith("testing#"):
                    return True
        return False

    def _asserts_error(self, o) -> bool:
        """`require.Error(t, err)` on the acquisition's error, or `assert.Nil(t, conn)` on the value itself,
        in a test: past it, in a passing test, nothing was acquired (a fake that hands back nil)."""
        name = selected_name(o.fn)
        if not self.fn.file.is_test or (name not in _ASSERTS_ERROR and name not in _ASSERTS_NIL):
            return False
        pkg = ident(selector_base(o.fn))
        if pkg is None or not self.fn.file.imports.get(pkg, "").startswith("github.com/stretchr/testify/"):
            return False
        if name in _ASSERTS_NIL:
            return any(_ref(a, self.holders) is not None for a in o.args[1:])
        return any(self.last_assign.get(ident(a) or "") == "acq" for a in o.args)

    def branch_state(self, if_region, state, taken):
        if if_region is None:
            return state
        if state is True and (self.handoff_assigns or self.handoff_calls):
            if self.refused_in & set(self.view.chain(if_region)):
                # Inside the branch where the callee already failed: the resource came back there,
                # and what the branch did with it since (`conn.Close()`) holds (sing-box tls/client.go).
                return state
            # `if err := register(conn); err != nil {`: the callee failed and did not take it.
            on_true, on_false = handoff_refused(
                self.view.regions[if_region].info,
                self.last_assign,
                self.handoff_assigns,
                self.handoff_calls,
                self.handoff_flags,
            )
            refused = on_true if taken else on_false
            if refused:
                branch = if_region if taken else self.view.else_of.get(if_region)
                if branch is not None:
                    self.refused_in.add(branch)
            return False if refused else state
        if state is not False:
            return state
        on_true, on_false = self.cond_effect(self.view.regions[if_region].info)
        eff = on_true if taken else on_false
        return True if eff in ("failed", "ended") else state

    def cond_effect(self, cond):
        """What a condition says about the resource when true and when false (see conditions.cond_effect)."""
        own = (
            self._asserted_always(cond)
            or self._nil_on_this_path(cond)
            or self._stale_error_test(cond)
            or self._own_error_test(cond)
            or self._error_check_helper(cond)
            or self._either_failed(cond)
            or self._empty_container_test(cond)
            or self._stream_context_done(cond)
            or self._no_content(cond)
            or self._handshake_status(cond)
            or self._read_out(cond)
        )
        if own is not None:
            return own
        return cond_effect(cond, self.kind.stream, self.last_assign, self.no_nil, self.holders)

    def _plain_condition(self, cond) -> bool:
        """The condition says nothing of the acquisition (not its error, its success flag or a test of
        the resource): asked of the catalog-free part only, which keeps no memo of its own."""
        return cond_effect(cond, self.kind.stream, self.last_assign, self.no_nil, self.holders) == (None, None)

    def _read_out(self, cond) -> tuple | None:
        """`for rows.Next() {` on the resource itself, when the catalog says its `Next` releases it on
        returning false: leaving the loop by its condition has read the rows out."""
        named = self.kind.name_of(self.origin.base)
        if named is None or not named.exhausted_by or not is_expr(cond):
            return None
        c = call(cond)
        sel = selector(c[0]) if c is not None and not c[1] else None
        if sel is None or sel[1] != named.exhausted_by:
            return None
        r = _ref(sel[0], self.holders)
        if r is None or r.container or r.suffix != ():
            return None
        return None, "ended"

    def _stream_context_done(self, cond) -> tuple | None:
        """`if ctx.Err() != nil { return }` on the context the stream was opened with: it is done on
        that branch, and gRPC has torn the stream down (dapr direct_messaging.go)."""
        if not self.kind.stream or not self.op.args or not is_expr(cond):
            return None
        b3 = binary(cond)
        if b3 is None or b3[0] not in ("==", "!=") or not is_nil(b3[2]):
            return None
        c = call(b3[1])
        sel = selector(c[0]) if c is not None and not c[1] else None
        if sel is None or sel[1] != "Err" or sel[0] != self.op.args[0]:
            return None
        return ("ended", None) if b3[0] == "!=" else (None, "ended")

    def _handshake_status(self, cond) -> tuple | None:
        """`if resp.StatusCode != http.StatusSwitchingProtocols {` on the response a websocket dial
        returned beside its connection: the dial returns a connection only when the handshake's status
        is 101 (otherwise an error and a nil connection), so on that branch none was opened."""
        b3 = binary(cond) if is_expr(cond) else None
        if b3 is None or b3[0] not in ("==", "!="):
            return None
        sel = selector(b3[1])
        if sel is None or sel[1] != "StatusCode":
            return None
        if self.op.kind != "call" or self._handshake_dial() not in _HANDSHAKE_DIALS:
            return None
        parent = self.an._parent_op(self.fn, self.op)
        assign = self.ops[parent] if parent is not None else None
        if assign is None or assign.kind != "assign" or len(assign.targets) != 3:
            return None
        response = ident(assign.targets[1])
        if response in (None, "_") or not is_ident(sel[0], response):
            return None
        code = integer(b3[2])
        if code is None and self.an.program.imported_path(self.fn, selector_base(b3[2])) == "net/http":
            code = 101 if selected_name(b3[2]) == "StatusSwitchingProtocols" else None
        if code != 101:
            return None
        return ("failed", None) if b3[0] == "!=" else (None, "failed")

    def _handshake_dial(self) -> tuple[str, str] | None:
        """(package, method) of the acquiring call: a method of another module's value, or of its
        package's variable (`websocket.DefaultDialer.Dial`), which has no type here."""
        program = self.an.program
        ext = program.external_callee(self.fn, self.op.fn)
        if ext is not None:
            return ext.pkg, ext.name
        outer = selector(self.op.fn)
        inner = selector(outer[0]) if outer is not None else None
        path = program.imported_path(self.fn, inner[0]) if inner is not None else None
        return (path, outer[1]) if path is not None and outer is not None else None

    def _no_content(self, cond) -> tuple | None:
        """`if resp.StatusCode == http.StatusNoContent {`: a 204 (or 304) response has no body
        (net/http gives it `http.NoBody` and has already given the connection back)."""
        if self.kind.name != HTTP_BODY or not is_expr(cond):
            return None
        b3 = binary(cond)
        if b3 is None or b3[0] not in ("==", "!="):
            return None
        sel = selector(b3[1])
        r = _ref(sel[0], self.holders) if sel is not None and sel[1] == "StatusCode" else None
        if r is None or r.suffix != self.kind.suffix:
            return None
        code = integer(b3[2])
        if code is None and self.an.program.imported_path(self.fn, selector_base(b3[2])) == "net/http":
            code = _NO_BODY_STATUSES.get(selected_name(b3[2]) or "")
        if code not in _NO_BODY_STATUSES.values():
            return None
        return ("ended", None) if b3[0] == "==" else (None, "ended")

    def _empty_container_test(self, cond) -> tuple | None:
        """`if len(listeners) == 0 { return err }` on the local slice or map holding the resources:
        where it is empty, it holds none to close (dapr grpc/server.go)."""
        b3 = binary(cond) if is_expr(cond) else None
        bound = integer(b3[2]) if b3 is not None else None
        if b3 is None or bound is None:
            return None
        c = call(b3[1])
        if c is None or not is_ident(c[0], "len") or len(c[1]) != 1:
            return None
        r = _ref(c[1][0], self.holders)
        if (r is None or not r.container) and not self._held_collection(c[1][0]):
            return None
        empty = {("==", 0): True, ("<", 1): True, ("!=", 0): False, (">", 0): False}.get((b3[0], bound))
        if empty is None:
            return None
        return ("failed", None) if empty else (None, "failed")

    def _held_collection(self, e) -> bool:
        """`set.conns`, where the local struct `set` holds the resources in its map or slice field `conns`."""
        sel = selector(e)
        name = ident(sel[0]) if sel is not None else None
        h = self.holders.get(name) if name is not None else None
        return h is not None and bool(h.container) and sel is not None and h.suffix == (sel[1],)

    def _error_check_helper(self, cond) -> tuple | None:
        """`if !i.handleErrors(w, r, err) { return }`: a function of the tree given the acquisition's
        error that opens with `if err == nil { return true }` (true exactly when there was no error):
        its false is the failed acquisition's branch, with nothing to release."""
        if self.no_nil or not is_expr(cond):
            return None
        negated = unary_operand(cond, "!")
        inner = negated if negated is not None else cond
        c = call(inner)
        number = call_number(inner)
        if c is None or number is None or not 0 <= number < len(self.fn.facts.ops):
            return None
        given = [k for k, a in enumerate(c[1]) if self.last_assign.get(ident(a) or "") == "acq"]
        if len(given) != 1:
            return None
        targets = self.an.program.resolve_call(self.fn, self.fn.facts.ops[number])
        if len(targets) != 1 or not true_exactly_without_error(targets[0].function, given[0]):
            return None
        return ("failed", "ok") if negated is not None else ("ok", "failed")

    def _own_error_test(self, cond) -> tuple | None:
        """`if resp.Error != nil { return }` on a value known only by its close: the call reported failure.

        A result that carries its own error (a field whose type is `error`, or
        an error type) and has it set is, by the same convention as
        `err != nil`, a failed call: its close is for the value it returns
        when it succeeds. Only for values known by the function's own close,
        whose type the catalog does not describe.
        """
        if self.origin.closed is None or not is_expr(cond):
            return None
        b3 = binary(cond)
        if b3 is None or b3[0] not in ("==", "!="):
            return None
        op, left, right = b3
        if is_nil(left):
            left, right = right, left
        if not is_nil(right):
            return None
        c = call(left)
        sel = selector(c[0]) if c is not None and not c[1] else selector(left)
        if sel is None:
            return None
        r = _ref(sel[0], self.holders)
        if r is None or not r.resource:
            return None
        t = self.an.type_of(self.fn, left) or ""
        if not t and c is not None and sel[1] == "Err":
            # `rows.Err() != nil` on a type of another module: Go's `Err() error`, the error it carries.
            t = "error"
        named = self.an.program.named(t) if t and t != "error" else None
        if t != "error" and not (named and self._error_type(named)):
            return None
        self.an.debug["gim2xx_own_error_tests"] += 1
        return ("failed", None) if op == "!=" else (None, "failed")

    def _either_failed(self, cond) -> tuple | None:
        """`if err != nil || rows.Err() != nil { return }` where one side is the value's own error test:
        the branch runs only when one of the two failed, and nothing was opened or the value failed."""
        b3 = binary(cond) if is_expr(cond) else None
        if b3 is None or b3[0] != "||":
            return None
        own = self._own_error_test(b3[1]), self._own_error_test(b3[2])
        if own == (None, None):
            return None
        left = own[0] or self.cond_effect(b3[1])
        right = own[1] or self.cond_effect(b3[2])
        on_true = "failed" if left[0] == "failed" and right[0] == "failed" else None
        return (on_true, left[1] or right[1])

    def _returned_in_forgotten_field(self, o: Op) -> Leak | None:
        """`return &Session{client: c, upstream: up}, nil` where the type's teardown closes other fields
        but never `upstream`, and nothing else can (owned_fields.forgotten_by_teardown): the caller
        gets a value whose `Close` leaves the resource open."""
        if self.origin.collection or self.kind.stream:
            return None
        found = None
        for a in o.args:
            lit = strip_address(a)
            comp = composite(lit)
            if comp is None:
                if _value_ref(a, self.holders) is not None:
                    return None  # the resource itself goes back to the caller
                continue
            field = self._field_given(comp)
            if field is None or found is not None:
                return None
            found = (lit, field)
        return self._forgotten_field_leak(o, found) if found is not None else None

    def _built_into_forgotten_field(self, o: Op) -> Leak | None:
        """`a := &Agent{ctrl: ctrl, dataLn: ln}` ... `return a, nil` (also after `go a.serve()`): the
        same as a composite returned whole (`_returned_in_forgotten_field`), for a local the function
        builds once and returns on some path. Whoever gets it can only call the teardown."""
        if self.origin.collection or self.kind.stream or len(o.targets) != 1 or len(o.args) != 1:
            return None
        name = ident(o.targets[0])
        lit = strip_address(o.args[0])
        comp = composite(lit)
        if name is None or comp is None or len(list(assignments_to(self.fn, name))) != 1:
            return None
        if not any(r.kind == "return" and any(is_ident(a, name) for a in r.args) for r in self.fn.facts.ops):
            return None
        if self._named_again_after(o, name):
            return None  # `go s.metrics.Serve(ln)` after the build: the server the value serves owns it too
        field = self._field_given(comp)
        leak = self._forgotten_field_leak(o, (lit, field)) if field is not None else None
        if leak is not None:
            leak.owner_local = name
        return leak

    def _returned_local_with_forgotten_field(self, o: Op) -> Leak | None:
        """`g := &Gateway{}; g.stats, err = net.Dial(...); ...; return g, nil` where the type's
        teardown closes other fields but never `stats`: the same as a composite returned whole
        (`_returned_in_forgotten_field`), for the struct the function filled field by field."""
        if self.origin.collection or self.kind.stream:
            return None
        for h in self.holders.values():
            if h.container or not h.suffix or not isinstance(h.suffix[0], str):
                continue
            if not any(is_ident(a, h.name) for a in o.args):
                continue
            leak = self._forgotten_field_leak(o, (make_ident(h.name), h.suffix[0]))
            if leak is not None:
                leak.line, leak.col = self.op.line, self.op.col  # stored into the field at the acquisition
                leak.owner_local = h.name
            return leak
        return None

    def _returns_one_element(self, o: Op) -> Leak | None:
        """`for _, c := range conns { if isPrimary(c) { return c, nil } }` over the local collection of
        fresh resources this walk follows, with none of them closed yet: the caller gets the one
        element returned, and every other element is dropped open with the collection."""
        coll = self.holders.get(self.primary)
        if coll is None or not coll.container or self.origin.filled is not None:
            return None
        if any(_value_ref(a, {coll.name: coll}) is not None for a in o.args):
            return None  # the collection itself goes back
        for a in o.args:
            # the element itself, or a value built around it (`&Client{conn: best.conn}`)
            items = composite(strip_address(a))
            values = [v for _k, v in items[1]] if items is not None else [a]
            for v in values:
                name = ident(selector_base(v)) if selector(v) is not None else ident(v)
                if name is not None and self._element_of(name, coll.name, 2):
                    self.an.debug["gim2xx_collections_returning_one_element"] += 1
                    return Leak("picked-one", o.line, o.col, container=Container(coll.container, coll.name))
        return None

    def _closes_one_picked_element(self, o: Op) -> Leak | None:
        """`relay := conns[rand.Intn(len(conns))]; defer relay.Close()` on the local collection of fresh
        resources this walk follows: the close releases the one element picked by index, and the
        function touches the collection nowhere else (no range over it, no hand-off, no other
        element), so every other element is dropped open with it."""
        coll = self.holders.get(self.primary)
        if coll is None or not coll.container or self.origin.filled is not None:
            return None
        closed = ident(selector_base(o.fn)) if selector(o.fn) is not None else None
        if closed is None or closed == coll.name or in_loop(self.fn.facts, o.region):
            return None
        picks = list(assignments_to(self.fn, closed))
        if len(picks) != 1:
            return None
        pick, ti = picks[0]
        value = pick.args[ti] if len(pick.args) == len(pick.targets) else None
        indexed = index(value) if value is not None else None
        if indexed is None or not is_ident(indexed[0], coll.name) or in_loop(self.fn.facts, pick.region):
            return None
        for k, op in enumerate(self.ops):
            if k == self.a or op is pick or (op.kind == "call" and is_ident(op.fn, "len")):
                continue
            for x in (op.fn, *op.args) if op.kind in ("call", "assign", "send", "return", "recv") else ():
                if (
                    is_expr(x)
                    and any(is_ident(sub, coll.name) for sub in subexprs(x))
                    and not _only_measured(x, coll.name)
                ):
                    return None  # the collection is used otherwise: ranged, handed on, indexed again
        self.an.debug["gim2xx_collections_closing_one_picked_element"] += 1
        return Leak("closed-one", o.line, o.col, container=Container(coll.container, coll.name), stored_at=pick.line)

    def _cut_collection(self, i: int, o: Op) -> Leak | None:
        """`eps = eps[:c.sample]` on the local collection of fresh resources this walk follows, with
        no element read before (no index, no range over it or a part of it): the elements cut off
        stay open, out of reach. Not when the function takes elements out by index (the pop idiom
        reads the last one before it cuts it off)."""
        coll = self.holders.get(self.primary)
        if coll is None or coll.container != "slice" or self.origin.filled is not None:
            return None
        if len(o.targets) != 1 or len(o.args) != 1 or not is_ident(o.targets[0], coll.name):
            return None
        if not is_ident(sliced(o.args[0]), coll.name):
            return None
        for k, op in enumerate(self.ops):
            for x in (op.fn, *op.args) if op.kind in ("call", "assign", "send", "return", "recv") else ():
                if not is_expr(x):
                    continue
                for sub in subexprs(x):
                    base = index(sub)
                    if base is not None and is_ident(base[0], coll.name):
                        return None  # an element taken by index
                    over = ranged(sub)
                    if over is not None and k < i:
                        over = sliced(over) if sliced(over) is not None else over
                        if is_ident(over, coll.name):
                            return None  # elements handled in a range before the cut
        self.an.debug["gim2xx_collections_cut"] += 1
        return Leak("cut", o.line, o.col, container=Container(coll.container, coll.name))

    def _element_of(self, name: str, coll: str, depth: int) -> bool:
        """Every value the function gives the local `name` is an element a range over the collection
        `coll` binds (`for _, c := range conns`), or, `depth` steps on, a field of one (`best = r.conn`)."""
        found = False
        for op, ti in assignments_to(self.fn, name):
            if op.mode == "var" and not op.args:
                continue
            if len(op.args) == 1 and ranged(op.args[0]) is not None:
                over = ranged(op.args[0])
                over = sliced(over) if sliced(over) is not None else over  # `range links[1:]`
                if not (is_ident(over, coll) and ti == 1):
                    return False
                found = True
                continue
            if len(op.args) != len(op.targets):
                return False
            v = op.args[ti]
            if is_nil(v):
                continue
            indexed = index(v)
            if indexed is not None and is_ident(indexed[0], coll):
                found = True  # `best := links[0]`
                continue
            base = v
            while (sel := selector(base)) is not None:
                base = sel[0]
            other = ident(base)
            if depth <= 0 or other is None or other == name or not self._element_of(other, coll, depth - 1):
                return False
            found = True
        return found

    def _named_again_after(self, o: Op, built: str) -> bool:
        """A variable holding the resource itself (not the value built around it) is named after op o,
        or in a function literal (which may run later): the resource is not kept in the field alone."""
        names = {h.name for h in self.holders.values() if not h.container and h.suffix == () and h.name != built}
        ops = self.fn.facts.ops
        at = next((k for k, x in enumerate(ops) if x is o), len(ops))
        later = [*ops[at + 1 :], *(x for lit in self.fn.nested_literals() for x in lit.facts.ops)]
        return any(_hands_on(x, n) for x in later for n in names)

    def _field_given(self, comp) -> str | None:
        """The one field of a composite literal given the resource itself (`upstream: up`); None when
        none, or the resource goes in otherwise (nested, positionally, twice). Fields given a value
        built around it (`meta: metapb.NewMetaClient(cc)`) are `_wrapper_fields`."""
        found = None
        for key, value in comp[1]:
            r = _value_ref(value, self.holders) if value is not None else None
            if r is None:
                continue
            field = ident(key) if key is not None else None
            if field is None:
                return None
            if self._wrapper_value(value, r):
                continue
            if found is not None or not (r.suffix == () or _whole_holder(value, r)):
                return None
            found = field
        return found

    def _wrapper_value(self, value, r) -> bool:
        """value names a local holding a value built around the resource (a client stub, another
        module's wrapper), not the resource or the tree's struct that keeps it."""
        if r.suffix == STUB and call(value) is not None:
            return True  # `health: NewHealthClient(healthCC)`: a stub built right in the literal
        h = self.holders.get(r.name)
        return (
            ident(value) == r.name
            and h is not None
            and not h.container
            and (h.suffix is None or h.suffix in (STUB, FOREIGN_WRAPPER))
        )

    def _wrapper_fields(self, comp) -> list[str]:
        """The keyed fields of a composite literal given a value built around the resource."""
        out = []
        for key, value in comp[1]:
            r = _value_ref(value, self.holders) if value is not None else None
            field = ident(key) if key is not None else None
            if r is not None and field is not None and self._wrapper_value(value, r):
                out.append(field)
        return out

    def _forgotten_field_leak(self, o: Op, found: tuple) -> Leak | None:
        t = self.an.type_of(self.fn, found[0])
        named = Program.named(t) if t else None
        if not named or named.split("#")[0] not in self.an.program.packages:
            return None
        closer = forgotten_by_teardown(self.an, self.fn, named, found[1], self.kind)
        if closer is None:
            return None
        comp = composite(found[0])
        for wrapper in self._wrapper_fields(comp) if comp is not None else []:
            # `meta: metapb.NewMetaClient(cc)` beside `metaConn: cc`: the stub's field must be as
            # forgotten as the connection's, or closing the stub's value may close it.
            if forgotten_by_teardown(self.an, self.fn, named, wrapper, self.kind) is None:
                return None
        tname = named.rpartition("#")[2]
        self.an.debug["gim2xx_fields_a_teardown_forgets"] += 1
        return Leak(
            "owner-never-closes",
            o.line,
            o.col,
            container=Container("field", f"{tname}.{found[1]}"),
            owner_type=tname,
            owner_closer=closer,
        )

    def _error_type(self, named: str) -> bool:
        """The tree's type implements `error`, or, from another module (or an alias of one), is named
        the way Go names error types (`*cmds.Error`, `*net.OpError`)."""
        if self.an.program.method(named, "Error") is not None:
            return True
        return named.rpartition("#")[2].endswith("Error")

    # ---- transfer function -------------------------------------------------
    def transfer(self, i, state):
        o = self.ops[i]
        if (
            self.served_bodies
            and state is False
            and self.served_bodies & set(enclosing_regions(self.fn.facts, o.region))
        ):
            return True  # in the case that received the serving goroutine's end (_served_by_local_server)
        if o.kind == "assign":
            self._note_assign(i, o)
            if self.later and i == self.a + 1:
                # A later iteration acquires anew: the plain names it assigns hold the new one, and
                # closing that (`resp.Body.Close()` on a bad status) leaves the earlier ones kept
                # in the container open.
                for t in o.targets:
                    name = ident(t)
                    if name in self.holders and not self.holders[name].container:
                        del self.holders[name]
        if state is not False:
            if o.kind in ("assign", "call"):
                eff = self.an.op_effect(self.fn, o, self.holders, self.kind)  # keep aliases current
                if eff in (RELEASE, ESCAPE) and state is True:
                    # Released or handed on again: a pending hand-off's failure no longer matters.
                    self.handoff_assigns.clear()
                    self.handoff_calls.clear()
                    self.handoff_flags.clear()
            return state
        if o.kind == "assign":
            forgotten = self._built_into_forgotten_field(o) or self._cut_collection(i, o)
            if forgotten is not None:
                self._leak(forgotten)
                return None
        if o.kind == "return":
            forgotten = self._returned_in_forgotten_field(o) or self._returned_local_with_forgotten_field(o)
            if forgotten is not None:
                self._leak(forgotten)
                return None
            if self.an.returns_holder(self.fn, o, self.holders) or self._bare_return_hands_back(o, self.holders):
                picked = self._returns_one_element(o)
                if picked is not None:
                    self._leak(picked)
                    return None
                failure = self._returned_with_error(o)
                if failure is not None:
                    leak = self._return_leak(o)
                    leak.with_error = failure
                    self.an.debug["gim2xx_returned_with_an_error"] += 1
                    self._leak(leak)
                return None  # a bare `return` hands the named result back
            if self.closed_on_success and (not o.args or is_nil(o.args[-1])):
                return None  # the deferred closure closes it: this return succeeds
            if self._is_main():
                return None
            if self._commit_unwritten(i, o):
                return None
            self._leak(self._return_leak(o))
            return None
        if o.kind == "call" and call_exit(self.an.program, self.fn, o) is not None:
            return None
        if o.kind == "call" and o.mode == "defer" and self._closes_on_success_only(o):
            self.closed_on_success = True
            return False
        if o.kind == "call" and self._asserts_error(o):
            self.an.debug["gim2xx_test_dials_asserted_to_fail"] += 1
            return True
        if o.kind == "call" and self._closes_session(o):
            self.an.debug["gim2xx_streams_closed_with_their_session"] += 1
            return True
        if o.kind == "call" and o.mode == "go" and self._served_for_the_process(o):
            return True
        if o.kind == "call" and o.mode == "go" and self._served_by_local_server(o):
            # The server value now holds the listener: its Close or Shutdown releases it, also one
            # deferred before (`server := &http.Server{}; ...; defer server.Close()`).
            server = next(h for h in self.holders if self.holders[h].suffix is None and h in self.served_by)
            deferred = any(
                d.kind == "call"
                and d.mode == "defer"
                and ident(selector_base(d.fn)) == server
                and (selected_name(d.fn) or "").startswith(("Close", "Shutdown"))
                for d in self.ops[:i]
            )
            return True if deferred else state
        if o.kind == "send" and state is False:
            abandoned = self._abandoned_send(o)
            if abandoned is not None:
                self._leak(abandoned)
                return None
        if o.kind == "recv" and ident(o.fn) in self.served_until:
            # What the serving goroutine sends once Serve has returned: the listener is closed. In a
            # `select`, only on the way through that case's body (the cases share the select's state).
            if o.select < 0:
                return True
            self.served_bodies.add(o.body)
            return state
        known = len(self.holders)
        loop = self._endless_loop_around(o) if o.kind == "call" and o.mode == "defer" else None
        eff = self.an.op_effect(self.fn, o, self.holders, self.kind)
        if loop is not None and eff == RELEASE:
            # `for { conn, _ := ln.Accept(); defer conn.Close(); ... }`: the close runs when the function
            # returns, which the endless loop puts off; every round's resource stays open until then.
            self._leak(Leak("deferred-in-loop", o.line, o.col, loop_line=self.view.regions[loop].line))
            return None
        if len(self.holders) > known and self._earlier_defer_releases():
            # `sig = wrap(conn)` into a variable a closure deferred above closes (`defer func() { if sig !=
            # nil { sig.Close() } }()`, livekit's head): the wrapper now holds it, and that defer releases it.
            return True
        if eff in (RELEASE, ESCAPE) and o.kind == "call":
            self._note_conditional_handoff(i, o)
        if eff == ESCAPE and o.kind == "assign" and _registered_until_return(self.an, self.fn, o):
            # `s.conns[conn] = struct{}{}` with `defer delete(s.conns, conn)`: the registry holds it only
            # while the function runs, so the function still owns it (livekit 35fe831f1).
            self.an.debug["gim2xx_registrations_undone_by_defer"] += 1
            return False
        if eff == RELEASE and o.kind == "call":
            one = self._closes_one_picked_element(o)
            if one is not None:
                self._leak(one)
                return None
        if eff in (RELEASE, ESCAPE):
            return True
        if isinstance(eff, Store):
            self.stored_in = eff.name
            if self._earlier_defer_releases():
                return True  # `defer func() { for _, c := range conns { c.Close() } }()` above
        return False

    def _earlier_defers(self) -> list:
        """The deferred calls registered before the acquisition, on its way."""
        chain = set(self.view.chain(self.ops[self.a].region))
        return [o for o in self.ops[: self.a] if o.kind == "call" and o.mode == "defer" and o.region in chain]

    def _earlier_defer_releases(self) -> bool:
        """A deferred call registered before the acquisition releases the container the resource
        was just stored in: it runs at the function's end over whatever the container holds then."""
        return any(
            self.an.call_effect(self.fn, o, dict(self.holders), self.kind) == RELEASE for o in self._earlier_defers()
        )

    def _from_in_memory(self) -> bool:
        """The acquisition is a method call on a value an in-memory constructor of the catalog made
        (`lis := bufconn.Listen(n)`, directly or returned by a function of the tree): `lis.Accept()`
        hands out a buffer, not a socket."""
        if not self.kind.in_memory:
            return False
        acquired, args = (self.op.fn, self.op.args) if self.op.kind == "call" else (None, ())
        if acquired is None and self.op.args:
            c = call(self.op.args[0])
            acquired, args = (c[0], c[1]) if c is not None else (None, ())
        program = self.an.program
        if acquired is not None and args and self.kind.over_conn:
            ext = program.external_callee(self.fn, acquired)
            over = ident(args[0]) if ext is not None and ext.qualname in self.kind.over_conn else None
            if over is not None and self._made_in_memory(over):
                return True  # `yamux.Client(p1, conf)` over one end of a `net.Pipe()`: a session in memory
        sel = selector(acquired) if acquired is not None else None
        name = ident(sel[0]) if sel is not None else None
        return name is not None and self._made_in_memory(name)

    def _made_in_memory(self, name: str) -> bool:
        """The local `name` (of this function or one enclosing it) is given a value an in-memory
        constructor of the catalog made, directly or through a function of the tree."""
        program = self.an.program
        owner = program.declaring_function(self.fn, name)
        if owner is None:
            return False
        for op in owner.facts.ops:
            if op.kind != "assign":
                continue
            for i, target in enumerate(op.targets):
                if not is_ident(target, name):
                    continue
                if len(op.args) == 1:
                    value, position = op.args[0], i
                elif i < len(op.args):
                    value, position = op.args[i], 0
                else:
                    continue  # `var lis net.Listener`: no value here
                if self._in_memory_value(owner, value, position, 0):
                    return True
        return False

    def _in_memory_value(self, fn, value, position: int, depth: int) -> bool:
        c = call(value)
        if c is None:
            return False
        program = self.an.program
        ext = program.external_callee(fn, c[0])
        if ext is not None:
            return ext.qualname in self.kind.in_memory
        if depth > 0:
            return False
        for target in program.resolve_expr_call(fn, c[0]):
            callee = target.function
            for ret in (o for o in callee.facts.ops if o.kind == "return"):
                if position >= len(ret.args):
                    continue
                returned = ident(ret.args[position])
                if returned is None:
                    if self._in_memory_value(callee, ret.args[position], 0, depth + 1):
                        return True
                    continue
                for a in callee.facts.ops:
                    if a.kind == "assign" and len(a.targets) == 1 and is_ident(a.targets[0], returned) and a.args:
                        if self._in_memory_value(callee, a.args[0], 0, depth + 1):
                            return True
        return False

    def _closes_session(self, o: Op) -> bool:
        """A multiplexed session's stream dies with its session: closing the value it was opened
        from (`sess.Close()` after `sess.OpenStream()`), or a value holding that one
        (`conn.Close()` after `conn.session.Open()`), releases the stream too."""
        if self.origin.base not in self.kind.session_streams or o.mode not in ("plain", "defer"):
            return False
        sel = selector(o.fn)
        if sel is None or sel[1] not in self.kind.closers:
            return False
        source = self._session()
        closed = render(sel[0])
        while source is not None:
            if render(source) == closed:
                return True
            parent = selector(source)
            source = parent[0] if parent is not None else None
        return False

    def _session(self):
        """The expression the stream is opened from, here: `sess` in `sess.OpenStream()`, or, for a
        function of the tree that opens it on one of its parameters (`subscribe(ctx, c)` returning
        `c.OpenStreamSync(ctx)`), the argument passed for that parameter."""
        acquired = self.op.fn if self.op.kind == "call" else None
        args: tuple = self.op.args if self.op.kind == "call" else ()
        if acquired is None and self.op.args:
            c = call(self.op.args[0])
            if c is not None:
                acquired, args = c[0], c[1]
        if acquired is None:
            return None
        impl, impl_op = self.origin.impl, self.origin.impl_op
        if impl is not None and impl_op is not None and impl_op.kind == "call" and not selector(acquired):
            # `subscribe(ctx, c)`: the helper opens it on its parameter `c`
            inner = selector(impl_op.fn)
            name = ident(inner[0]) if inner is not None else None
            params = [pn for pn, _t in impl.facts.params]
            if name is None or name not in params or params.index(name) >= len(args):
                return None
            return args[params.index(name)]
        opened = selector(acquired)
        return opened[0] if opened is not None else None

    def _note_conditional_handoff(self, i, o) -> None:
        """Remember a hand-off whose error is checked next, if the callee takes the resource only on success."""
        an = self.an
        parent = an._parent_op(self.fn, o)
        if parent is not None:
            pop = self.ops[parent]
            if pop.kind == "return":
                self._note_returned_handoff(o, pop)
                return
            if pop.kind != "assign" or len(pop.args) != 1 or call_number(pop.args[0]) != i:
                return
            err = ident(pop.targets[-1]) if pop.targets else None
            if err is None or err == "_":
                return
            if an.refused_on_failure(self.fn, o, self.holders, self.kind, len(pop.targets)):
                self.handoff_assigns.add(parent)
                if an.stored_unless_loaded(self.fn, o):
                    self.handoff_flags.add(parent)
                self.refused_by[parent] = o.fn
                an.debug["gim2xx_handoffs_on_success"] += 1
            return
        # `if send(conn) != nil {`: the call sits in the condition of the `if` that follows.
        tested = i in self.view.if_condition_calls()
        if tested and an.refused_on_failure(self.fn, o, self.holders, self.kind, 1):
            self.handoff_calls.add(i)
            self.refused_by[i] = o.fn
            an.debug["gim2xx_handoffs_on_success"] += 1

    def _note_returned_handoff(self, o, ret) -> None:
        """`return f(conn)`: where f fails before taking conn, that failure is returned with conn open."""
        refused = self.an.returned_handoff_refused(self.fn, o, self.holders, self.kind)
        if refused is None:
            return
        leak = Leak("return", ret.line, ret.col, self._path_condition(ret), self._container())
        leak.refused_by = o.fn
        leak.refused_at = refused
        self.an.debug["gim2xx_returned_handoffs_refused"] += 1
        self._leak(leak)

    def _note_shadowing(self, o) -> None:
        """Remember the names an `if`'s own `:=` statement hides, to give them back after the `if`."""
        if o.mode != ":=":
            return
        if self._ifs_by_line is None:  # once per walk: a look-up per `:=`, not a scan
            self._ifs_by_line = {
                (reg.parent, reg.line): r for r, reg in enumerate(self.view.regions) if reg.kind == "if"
            }
        scope = self._ifs_by_line.get((o.region, o.line))
        if scope is None:
            return
        hidden = self._shadowed.setdefault(scope, {})
        for t in o.targets:
            name = ident(t)
            if name is not None and name != "_" and name in self.last_assign and name not in hidden:
                hidden[name] = self.last_assign[name]

    def _restore_shadowed(self, if_region: int) -> None:
        for name, marker in self._shadowed.pop(if_region, {}).items():
            self.last_assign[name] = marker

    def _note_assign(self, i, o):
        self._note_shadowing(o)
        val = o.args[0] if len(o.args) == 1 else None
        marker: object = i  # the op that last assigned the name
        c = callee(val)
        if c is not None:
            if selected_name(c) in ("Recv", "RecvMsg", "Send", "SendMsg", "Header") and self.kind.stream:
                r = _ref(selector_base(c), self.holders)
                if r is not None and r.resource:
                    marker = "recv"
            elif self._reads_to_the_end(c, call_args(val)):
                marker = "recv"  # `if err != nil` after it: the body's read failed, and net/http closed it
        if c is not None and self._failed_use_of_committed_value(c):
            marker = "recv"  # `_, err = w.Write(b)` on a writer the function commits with `err = w.Close()`
        if self.last_assign.get(ident(val)) == "acq":
            marker = "acq"  # `err = e`: a copy of the acquisition's error is checked in its place
        if c is not None and self._connects_the_value(c, i):
            marker = "acq"  # `err = client.DialWithContext(ctx)`: until it succeeds, nothing is open
        tested = binary(val) if val is not None and len(o.targets) == 1 else None
        if tested is not None and tested[0] in ("==", "!="):
            checked = tested[2] if is_nil(tested[1]) else tested[1]
            other = tested[1] if is_nil(tested[1]) else tested[2]
            if is_nil(other) and self.last_assign.get(ident(checked)) == "acq":
                # `success := err == nil` (or `failed := err != nil`): the check kept in a bool
                marker = "acq-ok" if tested[0] == "==" else "acq-failed"
        if (
            c is not None
            and len(o.targets) >= 1
            and (self._never_fails(c) or self._sets_own_deadline(c) or self._splits_own_address(c, val))
        ):
            marker = "nil-error"  # `_, err = buf.Write(b)` on a bytes.Buffer: err is always nil
            if selected_name(c) == "SyscallConn" and len(o.targets) == 2:
                # `rc, err := conn.SyscallConn()`: rc is the connection's own RawConn
                for name, mark in zip(map(ident, o.targets), ("raw-conn", marker), strict=True):
                    if name is not None and name != "_":
                        self.last_assign[name] = mark
                return
        if c is not None and o.targets and self._never_succeeds(val):
            # `err := s.Serve(ln)` on a server loop that leaves only by failing: err is never nil
            for t in o.targets[:-1]:
                name = ident(t)
                if name is not None and name != "_":
                    self.last_assign[name] = marker
            last = ident(o.targets[-1])
            if last is not None and last != "_":
                self.last_assign[last] = NeverNil(i)
            return
        asserted = assertion(val) if val is not None else None
        if asserted is not None and len(o.targets) == 2 and self._always_holds(asserted):
            # `uc, ok := pc.(*net.UDPConn)` on what `ListenPacket("udp", ...)` returned: ok is always true
            for name, mark in zip(map(ident, o.targets), (marker, "always-ok"), strict=True):
                if name is not None and name != "_":
                    self.last_assign[name] = mark
            return
        if asserted is not None and len(o.targets) == 2 and self.last_assign.get(ident(asserted[0])) == "acq":
            # `_, ok := err.(HandshakeError)`: ok holds only for a non-nil error, when nothing was acquired.
            okname = ident(o.targets[1])
            if okname is not None and okname != "_":
                self.last_assign[okname] = "error-type"
            first = ident(o.targets[0])
            if first is not None and first != "_":
                # `if err, ok := err.(Temporary); ok && ...`: the new err lives in the `if` alone, and is
                # non-nil exactly when ok; the err tested after the `if` is still the acquisition's.
                shadows = o.mode == ":=" and first == ident(asserted[0])
                self.last_assign[first] = "acq" if shadows else marker
            return
        for t in o.targets:
            name = error_key(t)
            if name is not None and name != "_":
                self.last_assign[name] = marker

    def _connects_the_value(self, c, at: int) -> bool:
        """c is `x.Dial...()` or `x.Connect...()` on the value itself, when the value is known only by
        the function's own close: a client made unconnected (`mail.NewClient(host)`) holds nothing
        until that call succeeds, so its failure is the acquisition's. So is `x.Start...()` when the
        function closes the value only after it (a port forwarder closed once it has started)."""
        closed = self.origin.closed
        if closed is None:
            return False
        sel = selector(c)
        if sel is None or not sel[1].startswith(("Dial", "Connect", "Start")):
            return False
        r = _ref(sel[0], self.holders)
        if r is None or not r.resource or r.suffix != ():
            return False
        if sel[1].startswith("Start"):
            # `if err = fw.Start(); err != nil { return err }; defer fw.Close()`: only when the function's
            # own close comes after the start does its author take a failed start for nothing started.
            ops = self.fn.facts.ops
            close_at = next((k for k, o in enumerate(ops) if o is closed.close), -1)
            first_close = min(
                (
                    k
                    for k, o in enumerate(ops)
                    if o.kind == "call"
                    and selected_name(o.fn) in self.kind.closers
                    and _ref(selector_base(o.fn), self.holders) is not None
                ),
                default=close_at,
            )
            return at < min(close_at, first_close)
        return True

    def _always_holds(self, asserted) -> bool:
        """A type assertion on the resource itself to the concrete type the standard `net`
        constructor that made it always returns for its network (`*net.UDPConn` for
        `ListenPacket("udp", ...)`), or on its address to the address type of that network
        (`ln.Addr().(*net.TCPAddr)` after `Listen("tcp", ...)`): it cannot fail."""
        value = asserted[0]
        c = call(value)
        address = c is not None and not c[1] and selected_name(c[0]) in ("Addr", "LocalAddr", "RemoteAddr")
        r = _ref(selector_base(c[0]) if address and c is not None else value, self.holders)
        if r is None or not r.resource or r.suffix != ():
            return False
        if not address and asserted[1] == "io.Closer":
            return True  # `closer, ok := r.(io.Closer)` on the resource itself: it has the Close being followed
        if self.op.kind != "call":
            return False
        ext = self.an.program.external_callee(self.fn, self.op.fn)
        if ext is None or ext.pkg != "net":
            return False
        by_network = _NET_ADDRS if address else _NET_CONCRETE.get(ext.name, {})
        # The network is the first argument, or the second after a context (`lc.ListenPacket(ctx, "udp4", a)`).
        networks = None
        for a in self.op.args[:2]:
            networks = self._networks(self.fn, a, 2)
            if networks:
                break
        if not networks:
            return False
        concrete = {by_network.get(n.split(":")[0]) for n in networks}
        return len(concrete) == 1 and None not in concrete and asserted[1] == f"*net.{concrete.pop()}"

    def _networks(self, fn, expr, depth: int) -> set[str] | None:
        """The network names expr can hold: a literal; a parameter, as every caller in the tree passes
        it; a local assigned once, as its value; or what a function of the tree returns, when its every
        `return` is a literal (`mox.Network(ip)` giving "tcp4" or "tcp6"). None when one is unknown."""
        text = string(expr)
        if text is not None:
            return {text}
        if depth <= 0:
            return None
        program = self.an.program
        name = ident(expr)
        params = [p for p, _t in fn.facts.params]
        if name is not None and name in params and not list(assignments_to(fn, name)):
            callers = program.callers(fn)
            found: set[str] = set()
            for caller, cop in callers:
                i = params.index(name)
                got = self._networks(caller, cop.args[i], depth - 1) if i < len(cop.args) else None
                if got is None:
                    return None
                found |= got
            return found or None
        if name is not None and name not in params:
            # `proto := extractProto(address)`: a local assigned once, what that value can be
            assigned = list(assignments_to(fn, name))
            if len(assigned) != 1:
                return None
            aop, position = assigned[0]
            if len(aop.args) != len(aop.targets):
                return None
            return self._networks(fn, aop.args[position], depth - 1)
        n = call_number(expr)
        if n is None or not 0 <= n < len(fn.facts.ops):
            return None
        targets = program.resolve_call(fn, fn.facts.ops[n])
        found = set()
        for t in targets:
            returns = [op for op in t.function.facts.ops if op.kind == "return"]
            texts = [string(op.args[0]) if len(op.args) == 1 else None for op in returns]
            if not returns or None in texts:
                return None
            found |= {x for x in texts if x is not None}
        return found or None

    def _mark_errors_checked_before(self, at: int) -> None:
        """Names an exiting `if x != nil { ...; return }` on the way to the acquisition tested after their
        last assignment, and that the acquisition does not assign: nil from there on, so a later `if x
        != nil` cannot be taken (`c, err := up.Upgrade(...); if err != nil { return }; rc, _ :=
        net.Dial(...); if err != nil { return }`: ehco 379c682 tests the old error again)."""
        facts = self.fn.facts
        around = set(enclosing_regions(facts, self.ops[at].region))
        checked: dict[str, bool] = {}
        exiting = self._exiting_nil_tests(at)
        for o in self.ops[:at]:
            if o.kind == "assign":
                for t in o.targets:
                    if (name := ident(t)) is not None:
                        checked[name] = False
                continue
            if o.kind != "return" or o.region not in exiting:
                continue
            reg = facts.regions[o.region]
            b3 = binary(reg.info) if is_expr(reg.info) else None
            name = ident(b3[1]) if b3 is not None and b3[0] == "!=" and is_nil(b3[2]) else None
            if name is not None and name in checked and reg.parent in around:
                checked[name] = True
        for name, nil_now in checked.items():
            if nil_now and name not in self.last_assign and name not in self.holders:
                self.last_assign[name] = "checked-nil"

    def _exiting_nil_tests(self, at: int) -> set[int]:
        """`if` regions before op `at` with no `else` whose own body returns."""
        facts = self.fn.facts
        ifs = {o.region for o in self.ops[:at] if o.kind == "return" and o.region >= 0}
        return {r for r in ifs if facts.regions[r].kind == "if" and not has_else(facts, r)}

    def _failed_use_of_committed_value(self, c) -> bool:
        """`_, err = w.Write(b)` on a value known only by the function's own close, a close whose error
        the function keeps (`err = w.Close()`: the close commits, as a message writer's flush does):
        when a write on the value itself fails, the value has failed with it, and its close would
        only report that again (hprose's websocket `NextWriter`, fasthttp/websocket)."""
        closed = self.origin.closed
        if closed is None or closed.close is None or closed.typed or self.kind.stream:
            return False
        sel = selector(c)
        r = _ref(sel[0], self.holders) if sel is not None else None
        if r is None or not r.resource or sel is None or sel[1] not in ("Write", "WriteString", "ReadFrom"):
            return False
        if self._commit_close is None:
            ops = self.fn.facts.ops
            at = next((k for k, o in enumerate(ops) if o is closed.close), None)
            self._commit_close = at is not None and any(
                o.kind == "assign"
                and len(o.args) == 1
                and call_number(o.args[0]) == at
                and ident(o.targets[-1]) not in (None, "_")
                for o in ops
            )
        if self._commit_close:
            self.an.debug["gim2xx_failed_writes_of_committed_values"] += 1
        return self._commit_close

    def _stale_error_test(self, cond) -> tuple | None:
        """`if err != nil` on a name found nil before the acquisition (see _mark_errors_checked_before):
        the branch is never taken, so it holds nothing to release."""
        b3 = binary(cond) if is_expr(cond) else None
        if b3 is None or b3[0] not in ("==", "!=") or not is_nil(b3[2]):
            return None
        name = ident(b3[1])
        if name is None or self.last_assign.get(name) != "checked-nil":
            return None
        self.an.debug["gim2xx_tests_of_errors_already_nil"] += 1
        return ("failed", None) if b3[0] == "!=" else (None, "failed")

    def _asserted_always(self, cond) -> tuple | None:
        """`if !ok {` (or `if ok {`) on an assertion that always holds: the `!ok` side never runs."""
        if not is_expr(cond):
            return None
        inner = unary_operand(cond, "!")
        name = ident(inner if inner is not None else cond)
        if name is None or self.last_assign.get(name) != "always-ok":
            return None
        self.an.debug["gim2xx_assertions_that_always_hold"] += 1
        return ("failed", None) if inner is not None else (None, "failed")

    def _nil_on_this_path(self, cond) -> tuple | None:
        """`if ln == nil {` (or `!=`) on a local declared `var ln T`, every other assignment of which
        sits on a branch the acquisition excludes (`switch network { case "tcp": ln, err = lc.Listen(...)
        case "udp": cn, err = lc.ListenPacket(...) }`): on the acquisition's paths it is still nil, and
        the other side of the test never runs."""
        b3 = binary(cond) if is_expr(cond) else None
        if b3 is None or b3[0] not in ("==", "!=") or not is_nil(b3[2]):
            return None
        name = ident(b3[1])
        if name is None or name in self.holders or self.an.program.lookup_local(self.fn, name) is None:
            return None
        facts = self.fn.facts
        acquired = list(enclosing_regions(facts, self.op.region))
        declared = False
        for op, _position in assignments_to(self.fn, name):
            if op.mode == "var" and not op.args:
                declared = declared or op.line < self.op.line
                continue
            if not exclusive_branches(facts, acquired, list(enclosing_regions(facts, op.region))):
                return None
        if not declared or self._address_taken(name):
            return None
        self.an.debug["gim2xx_locals_nil_on_the_acquisitions_paths"] += 1
        return (None, "failed") if b3[0] == "==" else ("failed", None)

    def _address_taken(self, name: str) -> bool:
        """`&name` appears in fn or a literal of it, or a literal assigns it: it may change unseen."""
        for f in [self.fn, *self.fn.nested_literals()]:
            for op in f.facts.ops:
                exprs = [op.fn, *op.args, *op.targets] if op.fn is not None else [*op.args, *op.targets]
                if any(is_ident(unary_operand(x, "&"), name) for e in exprs for x in subexprs(e)):
                    return True
                if f is not self.fn and op.kind == "assign" and any(is_ident(t, name) for t in op.targets):
                    return True
        return False

    def _never_succeeds(self, value) -> bool:
        """value calls functions of the tree only, none of which ever returns a nil error (failing.py)."""
        n = call_number(value)
        if n is None or not 0 <= n < len(self.fn.facts.ops):
            return False
        program = self.an.program
        targets = program.resolve_call(self.fn, self.fn.facts.ops[n])
        if not targets or not all(never_returns_nil_error(program, t.function) for t in targets):
            return False
        self.an.debug["gim2xx_errors_never_nil"] += 1
        return True

    def _never_fails(self, fn_expr) -> bool:
        """A standard-library write whose error result is documented to be always nil."""
        ext = self.an.program.external_callee(self.fn, fn_expr)
        return ext is not None and (ext.pkg, ext.recv, ext.name) in NEVER_FAIL

    def _sets_own_deadline(self, fn_expr) -> bool:
        """`err := conn.SetDeadline(t)` (or `rc, err := ln.SyscallConn()`, then `err = rc.Control(f)`)
        on the connection being followed: a net connection's deadline setters and raw-socket access
        fail only when the connection is already closed or was never valid, so their error branch
        holds nothing left to close."""
        if not self.kind.name.startswith("net"):
            return False
        if selected_name(fn_expr) == "Control":
            # `rc.Control(f)` on the RawConn the connection's own `SyscallConn()` gave (marked
            # "raw-conn" in _note_assign): it fails only when the connection is closed or invalid
            return self.last_assign.get(ident(selector_base(fn_expr)) or "") == "raw-conn"
        if selected_name(fn_expr) not in _FAILS_ONLY_WHEN_INVALID:
            return False
        r = _ref(selector_base(fn_expr), self.holders)
        return r is not None and r.resource and r.suffix == ()

    def _splits_own_address(self, fn_expr, value) -> bool:
        """`_, port, err := net.SplitHostPort(ln.Addr().String())` on the socket being followed, which
        a standard `net` (or `crypto/tls`) constructor opened for a TCP or UDP network given as a
        literal (directly or in the in-tree helper that returned it): its address always prints as `host:port`, so the
        error branch never runs. A unix socket's address is a path, and is not taken."""
        ext = self.an.program.external_callee(self.fn, fn_expr)
        if ext is None or (ext.pkg, ext.name) != ("net", "SplitHostPort"):
            return False
        args = call_args(value)
        printed = call(args[0]) if len(args) == 1 else None
        if printed is None or printed[1] or selected_name(printed[0]) != "String":
            return False
        address = call(selector_base(printed[0]))
        if address is None or address[1] or selected_name(address[0]) not in ("Addr", "LocalAddr", "RemoteAddr"):
            return False
        r = _ref(selector_base(address[0]), self.holders)
        if r is None or not r.resource or r.suffix != ():
            return False
        return self._opens_host_port_socket(self.fn, self.op, 0)

    def _opens_host_port_socket(self, fn, op, depth: int) -> bool:
        """The call opens a socket for a literal TCP or UDP network: a standard `net` (or
        `crypto/tls`) constructor, or a function of the tree every return of which gives such a
        call's result (or nil), three helpers deep at most."""
        if op.kind != "call" or depth > 3:
            return False
        program = self.an.program
        made = program.external_callee(fn, op.fn)
        if made is not None:
            if made.pkg not in ("net", "crypto/tls"):
                return False
            network = next((string(a) for a in op.args if string(a) is not None), None)
            return network is not None and network.split(":")[0] in _HOST_PORT_NETWORKS
        targets = program.resolve_call(fn, op)
        if not targets:
            return False
        for t in targets:
            f = t.function
            returns = [r for r in f.facts.ops if r.kind == "return"]
            if not returns:
                return False
            for r in returns:
                first = r.args[0] if r.args else None
                if first is None or is_nil(first):
                    continue
                n = call_number(first)
                inner = f.facts.ops[n] if n is not None and n < len(f.facts.ops) else None
                if inner is None or not self._opens_host_port_socket(f, inner, depth + 1):
                    return False
        return True

    def _reads_to_the_end(self, fn_expr, args) -> bool:
        """`io.ReadAll(resp.Body)` (see Effects.drained_reader): when that read fails, the transport
        has closed the connection under the body, so the `err != nil` branch after it has nothing
        left to release."""
        if self.kind.name != HTTP_BODY:
            return False
        r = _ref(self.an.drained_reader(self.fn, fn_expr, args), self.holders)
        return r is not None and r.resource

    def _commit_unwritten(self, i: int, ret: Op) -> bool:
        """A commit writer (closed_values: the catalog's commit_writers) holds nothing at this
        return: no op before it in the function writes to it (sets of its fields aside), or the only
        write is a direct `w.Write(...)` whose failure the return sits under (the upload has ended)."""
        closed = self.origin.closed
        if closed is None or not closed.commit:
            return False
        name = closed.holder
        writes = []
        for k in range(self.a + 1, i):
            o = self.ops[k]
            if o.kind == "assign":
                if all(selector(t) is not None for t in o.targets) and not any(
                    name in idents_in(a, set()) for a in o.args
                ):
                    continue  # `w.ContentType = ...`: a field of the writer, nothing written
                if len(o.args) == 1 and call_number(o.args[0]) is not None:
                    continue  # `_, err := w.Write(b)`: the call is an op of its own
            exprs = [*o.args, *o.targets] + ([o.fn] if o.fn is not None and o.kind != "jump" else [])
            if any(name in idents_in(e, set()) for e in exprs):
                writes.append(o)
        if not writes:
            self.an.debug["gim2xx_commit_writers_unwritten"] += 1
            return True
        last = writes[-1]
        direct = all(
            o.kind == "call" and selected_name(o.fn) == "Write" and is_ident(selector_base(o.fn), name) for o in writes
        )
        failed = any(b.kind == "fails" and b.expr == last.fn for b in self._path_condition(ret))
        if len(writes) == 1 and direct and failed:
            self.an.debug["gim2xx_commit_writers_unwritten"] += 1
            return True
        return False

    def _returned_with_error(self, o: Op) -> str | None:
        """The error this return hands back beside the resource, when it is known not to be nil: the
        return sits in the `if err != nil {` branch of an error assigned after the acquisition
        (`if err = hs(conn); err != nil { return conn, err }`, or a bare `return` of named results).
        The caller, by Go convention, drops what comes back with an error."""
        facts = self.fn.facts
        if facts.parent >= 0 or not facts.results or facts.results[-1] != "error" or len(facts.results) < 2:
            return None
        if o.args:
            name = ident(o.args[-1]) or _wrapped_error(self.an.program, self.fn, o.args[-1])
        else:
            name = facts.result_names[-1] if facts.result_names else None
        if not name or name == "_":
            return None
        marker = self.last_assign.get(name)
        if o.args and name not in self.last_assign and self._sentinel_error(name):
            pass  # `return resp, errBadChallenge`: a package error made once by `errors.New`, never nil
        elif not isinstance(marker, int) or marker <= self.a:
            return None  # the acquisition's own error (nothing was acquired), or not known
        else:
            regions = self.view.regions
            below = self.view.regions_below(o.region, self.base_region)
            if not any(_tests_not_nil(regions[r], name) for r in below):
                return None
        key = (self.fn.id, self.kind.name)
        dropped = self.an.callers_drop_on_error.get(key)
        if dropped is None:
            dropped = self.an.callers_drop_on_error[key] = self._callers_drop_on_error()
        if not dropped:
            self.an.debug["gim2xx_returned_with_an_error_kept_by_callers"] += 1
            return None
        return name

    def _sentinel_error(self, name: str) -> bool:
        """`name` is a package variable of the function's package, given its value once, by
        `errors.New(...)` or `fmt.Errorf(...)` in its `var` declaration, and written nowhere else."""
        if self.an.program.declaring_function(self.fn, name) is not None:
            return False
        key = (id(self.fn.pkg), name)
        known = self.an.sentinel_errors.get(key)
        if known is None:
            known = self.an.sentinel_errors[key] = _made_once_by_errors_new(self.an.program, self.fn.pkg.path, name)
        return known

    def _callers_drop_on_error(self) -> bool:
        """The tree calls the function, taking its results with an error, and no caller closes a value
        it returned in its `if err != nil {` branch. With no such caller the caller decides (an API);
        with one that closes there (`if err != nil { conn.Close(); session.Close(); ... }`), the
        project's contract hands the value back even with an error. Asked once per function and kind."""
        program = self.an.program
        closers = self.kind.closers
        seen = False
        for caller, site in program.callers(self.fn):
            cfacts = caller.facts
            index = next((k for k, x in enumerate(cfacts.ops) if x is site), -1)
            for a in cfacts.ops:
                if a.kind != "assign" or len(a.args) != 1 or call_number(a.args[0]) != index or len(a.targets) < 2:
                    continue
                err = ident(a.targets[-1])
                values = {n for t in a.targets[:-1] if (n := ident(t)) and n != "_"}
                seen = True
                for x in cfacts.ops:
                    sel = selector(x.fn) if x.kind == "call" else None
                    if sel is None or sel[1] not in closers or ident(sel[0]) not in values:
                        continue
                    if err and any(_tests_not_nil(cfacts.regions[r], err) for r in enclosing_regions(cfacts, x.region)):
                        return False
        return seen or _round_trip_method(self.an.program, self.fn)

    def _return_leak(self, o) -> Leak:
        container = self._container()
        conditions = self._path_condition(o) or (self._skipped_handoff(o) if container is None else ())
        leak = Leak("return", o.line, o.col, conditions, container)
        leak.refused_by = self._refusing_callee(o)
        leak.out_of_reach = next(
            (
                a
                for a in o.args
                if _value_ref(a, self.holders) is not None and self.an._kept_out_of_reach(self.fn, a, self.holders)
            ),
            None,
        )
        return leak

    def _skipped_handoff(self, o: Op) -> tuple[Branch, ...]:
        """The condition of an `if` with no `else`, passed on the way to o, whose body stores or closes
        the resource (`if n, err = conn2.Write(b); err == nil { r.Conn = conn2 }`): the return leaks
        when it does not hold. () when there is none, or more than one."""
        regions = self.view.regions
        facts = self.fn.facts
        around = set(enclosing_regions(facts, o.region))
        if not 0 <= self.a < len(self.ops):
            return ()
        acquired = self.ops[self.a]
        # On the way from the acquisition to o: in a block around the one or the other.
        on_the_way = around | set(enclosing_regions(facts, acquired.region))
        names = set(self.holders)
        start = acquired.line
        found = None
        for r, reg in enumerate(regions):
            if reg.kind != "if" or not is_expr(reg.info) or reg.parent not in on_the_way or r in around:
                continue
            if not start < reg.line < o.line or r in self.view.else_of:
                continue
            body = [x for x in self.ops if r in enclosing_regions(self.fn.facts, x.region)]
            if any(x.kind == "return" for x in body):
                continue  # a body that returns is a way out of its own, not one the path skips
            if not any(_keeps_or_closes(x, names, self.kind.closers) for x in body):
                continue
            if found is not None:
                return ()
            found = reg
        if found is None:
            return ()
        b3 = binary(found.info)
        checked = ident(b3[1]) if b3 is not None and b3[0] == "==" and is_nil(b3[2]) else None
        m = self.last_assign.get(checked) if checked is not None else None
        if isinstance(m, int):
            src = self.ops[m]
            c = callee(src.args[0]) if len(src.args) == 1 else None
            if c is not None:
                return (Branch("fails", c),)
        return (Branch("else", found.info),)

    def _refusing_callee(self, o: Op):
        """The callee of a conditional hand-off whose failure the branch around o stands for, if any."""
        if not (self.handoff_assigns or self.handoff_calls):
            return None
        regions = self.view.regions
        for r in self.view.regions_below(o.region, self.base_region):
            reg = regions[r]
            if reg.kind == "if":
                cond, taken = reg.info, True
            elif reg.kind == "else" and self.view.if_of.get(r) is not None:
                cond, taken = regions[self.view.if_of[r]].info, False
            else:
                continue
            on_true, on_false = handoff_refused(
                cond, self.last_assign, self.handoff_assigns, self.handoff_calls, self.handoff_flags
            )
            if not (on_true if taken else on_false):
                continue
            for a in (*calls_in(cond), *(self.last_assign.get(n) for n in idents_in(cond, set()))):
                if a in self.refused_by:
                    return self.refused_by[a]
        return None

    def _container(self) -> Container | None:
        if self.stored_in and self.stored_in in self.holders:
            h = self.holders[self.stored_in]
            # a slice field of a local struct (`x.conns`), not the resource's own place in each element
            # (`resps`, each element's `.Body`)
            own = h.suffix == (self.origin.suffix or self.kind.suffix)
            field = f".{h.suffix[0]}" if h.container and h.suffix and not own else ""
            return Container(h.container or "map", h.name + field, h.suffix if own and h.suffix else ())
        return None

    def _path_condition(self, o: Op) -> tuple[Branch, ...]:
        """The branches the op sits in below the acquisition's own, outermost first (the innermost three)."""
        parts = []
        for r in self.view.regions_below(o.region, self.base_region):
            b = self._branch(self.view.regions[r])
            if b is not None:
                parts.append(b)
        return tuple(reversed(parts[:3]))

    def _branch(self, reg) -> Branch | None:
        if reg.kind == "case" and isinstance(reg.info, tuple) and len(reg.info) == 2:
            direction, ch = reg.info
            return Branch("recv" if direction == "recv" else "send", ch)
        if reg.kind == "default":
            return Branch("default")
        if reg.kind == "block" and reg.parent >= 0 and self.view.regions[reg.parent].kind == "switch":
            return Branch("case", reg.info if is_expr(reg.info) else None, reg.line)
        if reg.kind not in ("if", "else") or not is_expr(reg.info):
            return None
        cond = reg.info
        b3 = binary(cond) if reg.kind == "if" else None
        checked = ident(b3[1]) if b3 is not None else None
        if (
            b3 is not None
            and b3[0] == "!="
            and is_nil(b3[2])
            and checked is not None
            and self.an.type_of(self.fn, b3[1]) in ("error", None)
        ):
            # `err != nil` reads as "the call failed"; `r != nil` of another type is shown as written
            m = self.last_assign.get(checked)
            if isinstance(m, int):
                src = self.ops[m]
                val = src.args[0] if len(src.args) == 1 else None
                c = callee(val)
                if c is not None:
                    return Branch("fails", c)
        return Branch(reg.kind, cond)

    def _leak(self, leak: Leak):
        if leak.refused_by is not None:
            # The callee was `m.LoadOrStore(k, conn)`: on this path it loaded another value.
            leak.refused_loaded = any(self.refused_by.get(a) is leak.refused_by for a in self.handoff_flags)
        self.leaks.append(leak)

    # ---- loops -------------------------------------------------------------
    def iteration_end(self, loop, state):
        """The acquisition sits in this loop: what is still live at the end of one iteration."""
        reg = self.view.regions[loop]
        if reg.kind == "for" and self.cond_effect(reg.info)[0] in ("failed", "ended"):
            # `for ... && isRetryable(err) { resp, err = c.Do(req) }`: the loop goes
            # round again only after a failed acquisition, so a live one leaves it.
            return False
        if self._outside_containers(loop):
            # The next iteration's early exits drop everything kept so far.
            saved = (self.no_nil, list(self.leaks), self.jumps, dict(self.holders), self.later)
            self.no_nil = True
            self.leaks = []
            self.jumps = []
            self.later = True
            self.exec_region(loop, False)
            later = self.leaks
            self.no_nil, self.leaks, self.jumps, self.holders, self.later = saved
            for lk in later:
                if lk.how == "return":
                    carried = Leak("later-iteration", lk.line, lk.col, lk.conditions, self._container())
                    carried.with_error = lk.with_error  # `return conns, fmt.Errorf(...)`: handed back, dropped
                    self._leak(carried)
                    break
            return False
        if self._previous_closed(loop):
            return None
        if self._carried_to_another_case(loop):
            # `for { switch state { case CONNECT: conn = dial(); state = OPENSENT; case OPENSENT: ...conn... } }`:
            # a state machine hands the value, in a variable outside the loop, to a later iteration's state.
            self.an.debug["gim2xx_loops_carrying_to_another_state"] += 1
            return None
        if self._acquired_only_when_nil(loop):
            # `if conn == nil { c, err := dial(); ...; conn = c }`: the loop dials again only once the
            # one it kept is gone (sing-box command_client.go); what stays live is that one.
            self.an.debug["gim2xx_loops_acquiring_only_when_nil"] += 1
            return None
        kept_by_if = self.live_if is not None and self.view.in_region(self.live_if[0], loop)
        conditions = (self.live_if[1],) if self.live_if is not None and kept_by_if else ()
        line = self.view.regions[loop].line
        self._leak(Leak("loop", line, 1, conditions, closed_after=self._closed_after(loop)))
        return None

    def _carried_to_another_case(self, loop) -> bool:
        """The acquisition sits in one case of a `switch` inside the loop, and another case of that
        switch uses a holder of it declared outside the loop: the next iterations take it over."""
        regions = self.view.regions
        outside = {h.name for h in self.holders.values() if not h.container and not self._declared_within(h, loop)}
        if not outside:
            return False
        for r in self.view.regions_below(self.op.region, loop):
            reg = regions[r]
            if reg.kind != "block" or reg.parent < 0 or regions[reg.parent].kind != "switch":
                continue
            switch = reg.parent
            for o in self.ops:
                if not self.view.in_region(o.region, switch) or self.view.in_region(o.region, r):
                    continue
                exprs = [*o.args, *o.targets] + ([o.fn] if o.fn is not None and o.kind != "jump" else [])
                if any(n in idents_in(e, set()) for e in exprs for n in outside):
                    return True
        return False

    def _acquired_only_when_nil(self, loop) -> bool:
        """The acquisition sits, inside the loop, under `if x == nil` or in a `for x == nil` loop (the
        loop itself or one inside it: `for conn == nil { conn, err = dial() ... }`), where x is a holder
        of it declared outside the loop."""
        regions = self.view.regions
        outside = {h.name for h in self.holders.values() if not self._declared_within(h, loop)}
        for r in [*self.view.regions_below(self.op.region, loop), loop]:
            reg = regions[r]
            b3 = binary(reg.info) if reg.kind in ("if", "for") and is_expr(reg.info) else None
            if b3 is not None and b3[0] == "==" and is_nil(b3[2]) and ident(b3[1]) in outside:
                return True
        return False

    def _outside_containers(self, loop) -> list:
        return [h for h in self.holders.values() if h.container and not self._declared_within(h, loop)]

    def _previous_closed(self, loop) -> bool:
        """`if prev != nil { prev.Close() }; prev = conn`: the previous one is closed in the loop.

        Also the variable the acquisition assigns, when the loop closes it
        before the acquisition (`if resp != nil { resp.Body.Close() }` at the
        top of the body): each iteration's resource is closed by the next.
        """
        for h in self.holders.values():
            if (
                not h.container
                and h.name != self.primary
                and not self._declared_within(h, loop)
                and self._closed_in(h.name, loop)
            ):
                return True
        primary = self.holders.get(self.primary)
        if primary is None or primary.container or self._declared_within(primary, loop):
            return False
        return self._closed_in(self.primary, loop, before=self.a)

    def _kept_across_iterations(self, loop) -> bool:
        """What iteration_end accepts: a container from outside the loop, or a variable the loop closes later."""
        return bool(self._outside_containers(loop)) or self._previous_closed(loop)

    def _declared_within(self, h, loop) -> bool:
        return self.view.in_region(h.decl_region, loop)

    def _closed_in(self, name, loop, before: int | None = None) -> bool:
        """The loop closes the resource the variable holds (`prev.Close()`, `prev.Body.Close()`), before op `before`."""
        own = {name: self.holders[name]}
        for o in self.ops[:before]:
            sel = selector(o.fn) if o.kind == "call" and self.view.in_region(o.region, loop) else None
            if sel is not None and sel[1] in self.kind.closers:
                r = _ref(sel[0], own)
                if r is not None and r.resource:
                    return True
        return False

    def _closed_after(self, loop) -> int:
        """The line of a close of the resource after the loop, 0 if none."""
        end = self.view.regions[loop].end_line
        for o in self.ops:
            sel = selector(o.fn) if o.line > end and o.kind == "call" else None
            if sel is None:
                continue
            r = _ref(sel[0], self.holders)
            if r is not None and r.resource and sel[1] in self.kind.closers:
                return o.line
        return 0

    # ---- the reported leak -------------------------------------------------
    def _reported(self, leak: Leak) -> Leak:
        """The leak reported for this acquisition, with what the report needs to know about the rest."""
        leak.fn, leak.op, leak.origin = self.fn, self.op, self.origin
        if leak.how == "return" and leak.container is None:
            others = sorted(
                {
                    x.line
                    for x in self.leaks[1:]
                    if x.how == "return"
                    and x.container is None
                    and x.refused_by is None
                    and not x.with_error
                    and x.line != leak.line
                    and x.conditions
                    and all(b.kind == "fails" for b in x.conditions)
                }
            )
            leak.other_returns = tuple(others[:3])
            leak.handed_back = self._handed_back()
            if leak.conditions:
                if not self.kind.stream:
                    leak.handled_after = self._handled_somewhere()
            else:
                leak.released_after = self._released_somewhere()
        return leak

    def _handed_back(self) -> bool:
        """Some `return` after the acquisition hands the resource to the caller (a bare `return` of the
        named result included): the function is its constructor, and only its other returns drop it."""
        holders = dict(self.holders)
        return any(
            o.kind == "return"
            and (self.an.returns_holder(self.fn, o, holders) or self._bare_return_hands_back(o, holders))
            for o in self.ops[self.a + 1 :]
        )

    def _handled_somewhere(self) -> bool:
        """Some op after the acquisition closes, hands off, stores or returns the resource."""
        holders = dict(self.holders)
        for o in self.ops[self.a + 1 :]:
            if o.kind == "return":
                if self.an.returns_holder(self.fn, o, holders) or self._bare_return_hands_back(o, holders):
                    return True
                continue
            if o.kind not in ("assign", "call", "send"):
                continue
            eff = self.an.op_effect(self.fn, o, holders, self.kind)
            if eff in (RELEASE, ESCAPE) or isinstance(eff, Store):
                return True
        return False

    def _released_somewhere(self) -> bool:
        holders = dict(self.holders)
        for o in self.ops[self.a + 1 :]:
            if o.kind == "call" and self.an.call_effect(self.fn, o, holders, self.kind) == RELEASE:
                return True
        return False


def _tests_not_nil(reg, name: str) -> bool:
    """The region is the body of `if name != nil {`."""
    b3 = binary(reg.info) if reg.kind == "if" and is_expr(reg.info) else None
    return b3 is not None and b3[0] == "!=" and is_ident(b3[1], name) and is_nil(b3[2])


_TESTING_TYPES = frozenset(("T", "B", "TB", "F"))
# The concrete type the standard `net` constructors return, by the network named (before any
# `:protocol`): `net.Listen("tcp", ...)` is always a *net.TCPListener.
_STREAM_CONNS = {"tcp": "TCPConn", "tcp4": "TCPConn", "tcp6": "TCPConn", "unix": "UnixConn", "unixpacket": "UnixConn"}
_PACKET_CONNS = {"udp": "UDPConn", "udp4": "UDPConn", "udp6": "UDPConn", "unixgram": "UnixConn"}
_PACKET_CONNS |= {"ip": "IPConn", "ip4": "IPConn", "ip6": "IPConn"}
_NET_ADDRS = {n: "TCPAddr" for n in ("tcp", "tcp4", "tcp6")} | {n: "UDPAddr" for n in ("udp", "udp4", "udp6")}
_NET_ADDRS |= {n: "UnixAddr" for n in ("unix", "unixgram", "unixpacket")} | {n: "IPAddr" for n in ("ip", "ip4", "ip6")}
# Networks whose addresses print as `host:port`.
_HOST_PORT_NETWORKS = frozenset(("tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"))
_NET_CONCRETE = {
    "Listen": {"tcp": "TCPListener", "tcp4": "TCPListener", "tcp6": "TCPListener", "unix": "UnixListener"},
    "ListenPacket": _PACKET_CONNS,
    "Dial": _STREAM_CONNS | _PACKET_CONNS,
    "DialContext": _STREAM_CONNS | _PACKET_CONNS,
    "DialTimeout": _STREAM_CONNS | _PACKET_CONNS,
}
# Methods of a net connection or listener that fail only when it is not a valid, open one: the
# deadline setters, and `SyscallConn` (EINVAL for a nil or closed value).
_FAILS_ONLY_WHEN_INVALID = frozenset(("SetDeadline", "SetReadDeadline", "SetWriteDeadline", "SyscallConn"))
# Responses net/http gives no body (`http.NoBody`): 204 No Content and 304 Not Modified.
_NO_BODY_STATUSES = {"StatusNoContent": 204, "StatusNotModified": 304}
# Websocket dials that return (conn, response, err) and a connection only after a 101 handshake.
_HANDSHAKE_DIALS = frozenset(
    {("github.com/gorilla/websocket", "Dial"), ("github.com/gorilla/websocket", "DialContext")}
)
# Standard-library calls whose error is documented to be always nil (bytes.Buffer and strings.Builder
# writes, closing either end of an io.Pipe): an `err != nil` after one is a branch that never runs.
NEVER_FAIL = frozenset(
    [
        (pkg, recv, name)
        for pkg, recv in (("bytes", "Buffer"), ("strings", "Builder"))
        for name in ("Write", "WriteString", "WriteByte", "WriteRune")
    ]
    + [("io", "PipeWriter", "Close"), ("io", "PipeReader", "Close")]  # CloseWithError(nil): always nil
)


def _keeps_or_closes(op: Op, names: set, closers) -> bool:
    """op stores a holder in a field or map (`r.Conn = conn2`), or calls a closer on one."""
    if op.kind == "assign":
        return any(selector(t) is not None or index(t) is not None for t in op.targets) and any(
            ident(v) in names for v in op.args
        )
    if op.kind == "call":
        sel = selector(op.fn)
        return sel is not None and sel[1] in closers and ident(sel[0]) in names
    return False


def _registered_until_return(an: Analysis, fn, o: Op) -> bool:
    """Every store of the assignment `reg[k] = v` is removed again by a deferred `delete(reg, k)` of fn."""
    stores = [index(t) for t in o.targets]
    if not stores or any(x is None for x in stores):
        return False
    deletes = set()
    for d in fn.facts.ops:
        if d.kind != "call" or d.mode != "defer":
            continue
        lit_no = funclit(d.fn)
        lit = an.program.literal(fn, lit_no) if lit_no is not None else None
        for c in [d] if lit is None else lit.facts.ops:
            if c.kind == "call" and is_ident(c.fn, "delete") and len(c.args) == 2:
                deletes.add((c.args[0], c.args[1]))
    return all(x in deletes for x in stores)


def _never_nil_beside(value, resource) -> bool:
    """value is never nil: a method's result on the resource returned beside it (`l.Addr()`), an
    address of a composite literal (`&info{...}`), or a composite literal."""
    c = call(value)
    if c is not None:
        base = selector_base(c[0])
        return base is not None and ident(base) is not None and base == resource
    inner = unary_operand(value, "&")
    return composite(inner if inner is not None else value) is not None


def _test_code(fn) -> bool:
    """fn runs only in tests: a `_test.go` file, or a function (or a literal inside one) of a
    test-suite package taking a `*testing.T` (B, F, or `testing.TB`)."""
    if fn.file.is_test:
        return True
    for _name, typ in fn.outermost().facts.params:
        pkg, _, name = (typ or "").lstrip("*").partition(".")
        if name in _TESTING_TYPES and fn.file.imports.get(pkg) == "testing":
            return True
    return False


def _runs_once(program, fn, depth: int) -> bool:
    """fn runs at most once per process: it is `main.main` or a package's `init`, or every call of it
    (or `go` statement) is outside any loop in a function that itself runs once (three calls deep
    at most)."""
    if fn.pkg.name == "main" and fn.facts.name == "main" and not fn.facts.recv and fn.parent is None:
        return True
    if fn.facts.name == "init" and not fn.facts.recv and fn.parent is None:
        return True  # a package's init runs once per process, in any package
    callers = program.callers(fn)
    if depth >= 3 or not callers:
        return False
    for caller, call_op in callers:
        if caller.parent is not None or in_loop(caller.facts, call_op.region):
            return False
        if not _runs_once(program, caller, depth + 1):
            return False
    return True


def _tagged(regions, alts) -> bool:
    """The switch picks its case by comparing one name with values (`switch action { case A, B:`,
    kept as `action == A || action == B`), or its cases hold no condition the walk reads."""
    tags = set()
    for c in alts:
        info = regions[c].info if regions[c].kind == "block" else None
        if not is_expr(info):
            continue
        compared = case_comparisons(info)
        if compared is None:
            return False
        tags.add(compared[0])
    return len(tags) <= 1


def _round_trip_method(program: Program, fn: Function) -> bool:
    """fn implements `http.RoundTripper`: `RoundTrip(*http.Request) (*http.Response, error)`, its types
    read through the file's imports (an alias of net/http too). Its caller is net/http's Client, which
    ignores a response returned beside an error, and never closes its body."""
    f = fn.facts
    if f.name != "RoundTrip" or not f.recv or len(f.params) != 1 or len(f.results) != 2:
        return False
    declared = [program.qualify(t, fn.file).replace(" ", "") for t in (f.params[0][1], *f.results)]
    return declared == ["*net/http#Request", "*net/http#Response", "error"]


def _made_once_by_errors_new(program: Program, pkg_path: str, name: str) -> bool:
    """The package variable `name` is written once, in its declaration, by `errors.New` or `fmt.Errorf`."""
    writes = [
        (fn, op, v)
        for fn in program.package_functions(pkg_path)
        for op in fn.facts.ops
        if op.kind == "assign" and len(op.args) == len(op.targets)
        for t, v in zip(op.targets, op.args, strict=True)
        if is_ident(t, name) and (fn.facts.name == "<init>" or program.declaring_function(fn, name) is None)
    ]
    if len(writes) != 1 or writes[0][1].mode != "var":
        return False
    fn, _op, value = writes[0]
    c = callee(value)
    ext = program.external_callee(fn, c) if c is not None else None
    return ext is not None and (ext.pkg, ext.name) in (("errors", "New"), ("fmt", "Errorf"))


def _hands_on(op: Op, name: str) -> bool:
    """op names `name` other than as the receiver of its own method call (`ln.Addr()` reads it), a call
    nested in its expressions being an op of its own: it may give the value away."""
    exprs = [*op.args, *op.targets]
    if op.kind != "jump" and op.fn is not None and not (op.kind == "call" and is_ident(selector_base(op.fn), name)):
        exprs.append(op.fn)
    return any(is_ident(x, name) for e in exprs if e is not None for x in subexprs_outside_calls(e))


def _returns_after(facts, t: int) -> bool:
    """A `return` follows op t in its own block with only plain calls between (`st.Close(); return
    fmt.Errorf(...)`: the calls building the returned values)."""
    region = facts.ops[t].region
    for o in facts.ops[t + 1 :]:
        if o.region != region:
            return False
        if o.kind == "return":
            return True
        if o.kind != "call" or o.mode != "plain":
            return False
    return False


def _wrapped_error(program, fn, e) -> str | None:
    """`err` in `fmt.Errorf("dial %s: %w", n, err)`: the error variable a returned error wraps (the
    last identifier argument of package fmt's `Errorf`), judged as if it were returned itself."""
    called = call(e)
    if called is None:
        return None
    ext = program.external_callee(fn, called[0])
    if ext is None or (ext.pkg, ext.name) != ("fmt", "Errorf"):
        return None
    names = [n for a in called[1][1:] if (n := ident(a))]
    return names[-1] if names else None


def _only_measured(x, name: str) -> bool:
    """Every use of `name` in the expression is `len(name)`."""
    uses = sum(1 for sub in subexprs(x) if is_ident(sub, name))
    measured = sum(
        1
        for sub in subexprs(x)
        if (c := call(sub)) is not None and is_ident(c[0], "len") and len(c[1]) == 1 and is_ident(c[1][0], name)
    )
    return uses == measured


def _held_in_element(store: Op, holders) -> tuple:
    """Where the stored element holds the resource: `("conn",)` for `m[k] = &upstream{conn: conn}`,
    () when the element is the resource itself (or the literal is not keyed)."""
    for v in store.args:
        for k, item in composite_items(strip_address(v)):
            if _value_ref(item, holders) is not None and ident(k) is not None:
                return (ident(k),)
    return ()


def true_exactly_without_error(fn: Function, index: int) -> bool:
    """fn returns one bool, and opens with `if err == nil { return true }` on its parameter at index
    (an `error`), which it never assigns nil afterwards, and no other `return true`: true exactly when
    it was given no error."""
    facts = fn.facts
    if facts.results != ("bool",) or index >= len(facts.params) or facts.params[index][1] != "error":
        return False
    name = facts.params[index][0]
    trues = [op for op in facts.ops if op.kind == "return" and len(op.args) == 1 and is_true(op.args[0])]
    first = next((op for op in facts.ops if op.kind == "return"), None)
    if len(trues) != 1 or first is not trues[0]:
        return False
    guard = facts.regions[first.region] if first.region >= 0 else None
    if (
        guard is None
        or guard.kind != "if"
        or not is_expr(guard.info)
        or not is_ident(nil_compared(guard.info, "=="), name)
    ):
        return False
    if not all(facts.regions[r].kind in ("body", "block") for r in enclosing_regions(facts, guard.parent)):
        return False  # the test itself on the function's straight line
    return not any(
        op.kind == "assign" and any(is_ident(t, name) for t in op.targets) and any(is_nil(a) for a in op.args)
        for op in facts.ops
    )
