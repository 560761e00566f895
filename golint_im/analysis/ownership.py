"""Ownership analysis shared by the GIM2xx rules (resources opened and never released).

One `Analysis` per program, built on the first GIM2xx rule that runs and
reused by the others. It answers, for every call in the analysed code:

* is it an **acquisition**? A constructor of the catalog (`resources.toml`,
  plus `[resources.GIMxxx] constructors` from the project config), a
  function of the analysed code that returns a fresh resource on every call
  (interprocedural: it returns a constructor's result, directly or through
  another such function), an interface call one of whose implementations is
  such a function, or (GIM204) a method of a generated `<Svc>Client` whose
  result is a `<Svc>_<Method>Client` stream;
* and if so, is the resource **released or handed on** on every path out of
  the function that acquired it?

The second question is answered by a small abstract interpreter over the
function's ops, replayed in source order along the region tree (if/else,
loops, switch, select; `break` and `continue` carry their path's state to
where they land, a path taking `goto` is not followed): the state on each
path is "live", "done" (closed, or ownership moved: returned, stored in a
field / package variable / a container that outlives the function, sent on
a channel, handed to a function that closes or stores it, captured by a
closure that does) or "no path" (returned, panicked). A hand-off to a
function whose error is tested next holds only where that error is nil: a
Go function that fails has not taken over its argument, unless its body
shows it closes, keeps or returns it before failing. Aliases (`last = conn`) and local containers
(`conns[host] = conn`, `conns = append(conns, c)`) are followed; a local
container is itself a holder that must be released or handed on.

Whatever the analysis cannot classify (a call it cannot resolve that is
not a known borrower, an assignment to something it does not model) counts
as "handed on": the rules prefer silence to guessing.
"""

from __future__ import annotations

from golint_im.expr import binary, call_name, funclit, ident, index, is_expr, is_ident, render, selector
from golint_im.facts import Op
from golint_im.passes import Context, Pass
from golint_im.program import Program
from golint_im.symbols import Function

from .acquire import Acquire
from .cancel import CANCELLATION
from .closed_values import closed_locals, closed_value_origins
from .field_failures import failure_left_open
from .leaks import Walk
from .owned_fields import field_store
from .owners import owned_leaks
from .paths import Branch, Container, Leak
from .regions import REGIONS
from .resources import Kind, Origin, load_kinds
from .unwrapped import replaced_resources
from .writes import WRITES

__all__ = ["OWNERSHIP", "Analysis", "Branch", "Container", "Kind", "Leak", "Origin"]


class Analysis(Acquire):
    """The ownership analysis of one program: every acquisition and the leak reported for it, if any.

    Its parts live in their own modules and share this object's state and
    caches, each extending the one before: `Calls` (program queries: types,
    catalog names, call targets), `Effects` (what an op does to the holders
    of a resource) and `Acquire` (which calls open a resource, which
    functions return a fresh one). The
    path walk from each acquisition is `leaks.Walk`. The control regions and
    the context-cancellation analysis are layers of their own, asked of the
    run's context.

    Result: `leaks[kind name]`, one `Leak` per leaking acquisition, in
    program order; `leaks_of(kind)` for a rule.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.program: Program = ctx.program
        resources = getattr(ctx.config, "resources", None) or {}
        self.kinds = load_kinds(resources)
        self.stream_kind: Kind | None = next((k for k in self.kinds.values() if k.stream), None)
        self.regions = ctx.result(REGIONS)
        self.cancellation = ctx.result(CANCELLATION)
        self._writes = ctx.result(WRITES)  # shared with value tracing when both run in one process
        self._filling_busy: set[tuple[int, str]] = set()  # structs judged with the fields filled after them
        self._closed_test_servers: dict[int, bool] = {}  # function id -> under a closed httptest server
        self.budget = ctx.budget("ownership", "GIM201-GIM204 (resource ownership)")
        self.debug = {
            "gim2xx_unresolved_handoffs": 0,
            "gim2xx_acquisitions": 0,
            "gim2xx_field_failures_closed_by_caller": 0,
            "gim2xx_closed_value_zero_values": 0,
            "gim2xx_fields_of_fresh_structs": 0,
            "gim2xx_loops_acquiring_only_when_nil": 0,
            "gim2xx_loops_carrying_to_another_state": 0,
            "gim2xx_registrations_undone_by_defer": 0,
            "gim2xx_test_session_streams": 0,
            "gim2xx_streams_closed_with_their_session": 0,
            "gim2xx_in_memory_values": 0,
            "gim2xx_test_dials_asserted_to_fail": 0,
            "gim2xx_assertions_that_always_hold": 0,
            "gim2xx_locals_nil_on_the_acquisitions_paths": 0,
            "gim2xx_tests_of_errors_already_nil": 0,
            "gim2xx_test_fake_implementations": 0,
            # hand-offs that count only when the callee succeeds (its error is checked after)
            "gim2xx_handoffs_on_success": 0,
            "gim2xx_returned_handoffs_refused": 0,
            "gim2xx_returned_with_an_error": 0,
            "gim2xx_returned_with_an_error_kept_by_callers": 0,
            "gim2xx_returned_handoffs_ruled_out_by_arguments": 0,
            # receiver fields holding a fresh resource, selected by code other than the type's methods
            "gim2xx_fields_reached_elsewhere": 0,
            # values a constructor returns with a fresh resource in a field their teardown forgets
            "gim2xx_fields_a_teardown_forgets": 0,
            # failed writes on a value known by its own close, kept as an error (_failed_use_of_committed_value)
            "gim2xx_failed_writes_of_committed_values": 0,
            # teardowns forgetting a field whose own teardown closes connections (forgotten_closers.py)
            "gim2xx_teardowns_forgetting_a_closer": 0,
            # calls through an interface nothing in the tree implements, declared like a catalog dialer
            "gim2xx_unimplemented_dialers": 0,
            # listeners a goroutine serves through a server value the function built (leaks._served_by_local_server)
            "gim2xx_listeners_served_by_local_servers": 0,
            # resources a goroutine sends to a function that can stop receiving (leaks._abandoned_send)
            "gim2xx_sends_abandoned_by_the_receiver": 0,
            # locals the function closes on some path, taken as resources on every path (closed_values.py)
            "gim2xx_closed_value_candidates": 0,
            # ... left out: a plain function of the tree returns them, the standard library, a stream kind
            "gim2xx_closed_value_static_callee": 0,
            "gim2xx_closed_value_forwarded": 0,
            "gim2xx_closed_value_registered": 0,
            "gim2xx_closed_value_checked_out": 0,
            "gim2xx_closures_only_using_it": 0,
            "gim2xx_closed_value_stdlib": 0,
            "gim2xx_closed_value_releases_nothing": 0,
            "gim2xx_closed_value_other_kind": 0,
            "gim2xx_closed_value_owner_deferred": 0,
            "gim2xx_closed_value_drawn_from_a_resource": 0,
            "gim2xx_closed_value_shadowed": 0,
            "gim2xx_closed_value_reassigned": 0,
            "gim2xx_closed_value_shared": 0,
            "gim2xx_closed_value_deferred_cleanup": 0,
            "gim2xx_closed_value_end_unnamed": 0,
            "gim2xx_closed_value_over_memory": 0,
            # `c := <-ch` where ch's element type is a connection (catalog type, or the tree's with its methods)
            "gim2xx_received_connections": 0,
            # ... not taken: a sender also keeps what it sends (or the senders are not found)
            "gim2xx_received_kept_by_sender": 0,
            # connections a goroutine owns without acquiring them, closed on one of its paths (owners.py)
            "gim2xx_owned_parameter_candidates": 0,
            "gim2xx_owned_parameters_handed_on": 0,
            # ... left out: a caller calls the function plainly (it may use the connection after)
            "gim2xx_owned_parameter_borrowed": 0,
            # of those, owned anyway: every caller passes a local it never looks at again (owners._callers_let_go)
            "gim2xx_owned_parameter_let_go": 0,
            # owned parameters whose starter also stores the value in a field or container (owners._kept_by_starter)
            "gim2xx_owned_parameter_registered": 0,
            # a pool's `Put` keeping its parameter in a field another method closes (owners._pooled_leak)
            "gim2xx_pooled_parameters": 0,
            # ... left out: a caller looks at the value again after the call
            "gim2xx_pooled_parameters_borrowed": 0,
            "gim2xx_owned_captured_candidates": 0,
            "gim2xx_owned_captured_never_closed": 0,
            "gim2xx_owned_conns_kept_in_unclosed_maps": 0,
            # ... left out: the function starting the goroutine closes it itself
            "gim2xx_owned_captured_starter_closes": 0,
            # resources a run-once function of package main hands to a goroutine serving the process
            "gim2xx_process_lifetime_goroutine_owners": 0,
            # local containers whose range loop hands every element on (leaks._hands_on_every_element)
            "gim2xx_containers_handed_on_by_element": 0,
            # functions fresh only in one mode of their receiver, which the program sets (acquire._fresh_in_one_mode)
            "gim2xx_fresh_in_one_mode": 0,
            "gim2xx_fresh_only_when_failing": 0,
            # local collections of fresh resources of which only one element, picked by index, is closed
            "gim2xx_collections_closing_one_picked_element": 0,
            # `Close` methods returning when an http.Server's Shutdown fails, after it closed the listeners it serves
            "gim2xx_listeners_closed_by_their_server": 0,
            # calls whose receiver holds only composite literals of tree types whose method opens nothing (fakes.py)
            "gim2xx_fake_receivers": 0,
            "gim2xx_head_requests": 0,
            # calls through a function-typed field that the tree gives only catalog constructors (`Dial: d.Dial`)
            "gim2xx_field_dialers": 0,
            "gim2xx_switches_taken_as_exhaustive": 0,
            # values of a tree type whose Close only does bookkeeping (a test double), not taken as resources
            "gim2xx_fake_values": 0,
            # ... calls on a wrapper of the tree whose field holds such a fake (`&listener{Listener: fake}`)
            "gim2xx_fakes_inside_wrappers": 0,
            # functions (and their literals) of Example functions with no `// Output:`, which never run
            "gim2xx_unrun_examples": 0,
            # `for i := 0; i < n; i++` with a bound not known: taken to run its body (see counted_loops)
            "gim2xx_loops_assumed_to_run": 0,
            # listeners given to a goroutine that accepts on them in an endless loop (effects._accepts_for_life)
            "gim2xx_listeners_served_by_goroutines": 0,
            "gim2xx_served_listeners_closed_by_the_starter": 0,
            "gim2xx_wrappers_served_by_group_goroutines": 0,
            # `if resp.Error != nil` on a value known by its close: the call failed (leaks._own_error_test)
            "gim2xx_own_error_tests": 0,
            # `return c` for an element a range over the collection bound: the rest dropped (leaks._returns_one_element)
            "gim2xx_collections_returning_one_element": 0,
            # `eps = eps[:n]` on a local collection of fresh resources: the rest dropped (leaks._cut_collection)
            "gim2xx_collections_cut": 0,
            "gim2xx_collections_filled_through_a_parameter": 0,
            # errors of calls whose every return is a non-nil error: the success side is no path (failing.py)
            "gim2xx_errors_never_nil": 0,
            # calls whose true/false arguments make the helper close what it returns on every path left
            "gim2xx_helpers_closing_for_these_arguments": 0,
            # returns past a commit writer (a cloud object writer) before anything was written to it
            "gim2xx_commit_writers_unwritten": 0,
            # fields given a resource known only by its helper's close: other closers unknown (leaks.Walk._replaced)
            "gim2xx_fields_of_resources_known_by_a_close": 0,
        }
        self._fresh: dict = {}
        self._closes: dict[int, dict[str, Op]] | None = None  # see closed_origins
        self._closed_origins: dict[int, dict[int, Origin]] = {}
        self._counted_loops: dict[int, frozenset[int]] = {}  # see counted_loops
        # see owned_fields.field_users: per package, field name -> who selects it; functions by package
        self._field_users: dict[str, dict[str, set[tuple[str, str]]]] | None = None
        self._field_stores: dict = {}  # see owned_fields.field_store
        self._summary: dict = {}
        self._asserted: dict[tuple[int, str], bool] = {}  # see effects.Effects._param_effect
        self._lit_effect: dict = {}
        self._refuses: dict = {}
        # (function id, kind) -> its callers drop what it returns beside an error (leaks.Walk)
        self.callers_drop_on_error: dict[tuple[int, str], bool] = {}
        self.sentinel_errors: dict[tuple[int, str], bool] = {}  # (package id, name): Walk._sentinel_error
        self._refusing_returns: dict = {}
        self._last_refusal: tuple | None = None
        self._ext_impls: dict[str, list[str]] | None = None
        self._targets_cache: dict = {}
        self._acq_cache: dict = {}
        self._forwarding: dict = {}  # (interface, method) -> every implementation only forwards (acquire.py)
        self._stream_methods: dict = {}
        self._op_idx: dict = {}
        self._consumer_index: dict = {}
        self._sends_by_field: dict[str, list] | None = None
        self._by_name: dict[str, list[Kind]] = {}
        for k in self.kinds.values():
            for c in k.constructors:
                self._by_name.setdefault(c.rsplit(".", 1)[-1], []).append(k)
        self.leaks: dict[str, list[Leak]] = {k: [] for k in self.kinds}
        self._run()

    def counted_loops(self, fn: Function) -> frozenset[int]:
        """The `for` regions of fn taken to run their body at least once (`for i := 0; i < 100; i++`).

        Only an integer constant start, assigned on the loop's own line
        outside its body, and a `<` or `<=` test of that counter against an
        integer constant above it, or against a bound the analysis cannot
        know (`for i := 0; i < workers; i++ { go serve(ln) }`): a leak only
        when a count is configured to zero is not one to defend in review
        (counted as `gim2xx_loops_assumed_to_run`). One pass over fn's ops,
        kept for every walk in fn.
        """
        found = self._counted_loops.get(fn.id)
        if found is not None:
            return found
        view = self.view(fn)
        tests: dict[int, tuple[int, str, int | None, str]] = {}  # line -> (region, counter, bound, comparison)
        for r, reg in enumerate(view.regions):
            test = binary(reg.info) if reg.kind == "for" and is_expr(reg.info) else None
            counter = ident(test[1]) if test is not None and test[0] in ("<", "<=") else None
            if test is None or counter is None:
                continue
            bound = self.program.const_int(fn, test[2])
            tests.setdefault(reg.line, (r, counter, bound, test[0]))
        counted = set()
        for o in fn.facts.ops if tests else ():
            t = tests.get(o.line)
            if t is None or o.kind != "assign" or o.mode not in (":=", "=") or len(o.targets) != 1 or len(o.args) != 1:
                continue  # not the start: the post statement `i++` is `i += 1`
            r, counter, bound, cmp = t
            if is_ident(o.targets[0], counter) and not view.in_region(o.region, r):
                start = self.program.const_int(fn, o.args[0])
                if start is not None and bound is None:
                    self.debug["gim2xx_loops_assumed_to_run"] += 1
                    counted.add(r)
                elif start is not None and bound is not None and (start < bound or (cmp == "<=" and start == bound)):
                    counted.add(r)
        found = self._counted_loops[fn.id] = frozenset(counted)
        return found

    def closed_origins(self, fn: Function) -> dict[int, Origin]:
        """Op index -> Origin of fn's values known as resources by a close of fn's own (closed_values.py).

        Asked by the driver for the walk of fn, and by the fresh-resource
        summary (`Acquire.fresh`): a helper that closes what it dialled on
        its failure paths and returns it on success hands its callers a
        resource, whatever library made it.
        """
        found = self._closed_origins.get(fn.id)
        if found is not None:
            return found
        if self._closes is None:
            self._closes = closed_locals(self)
        self._closed_origins[fn.id] = _NO_ORIGINS  # recursion guard: an acquisition asked below may ask fn again
        found = closed_value_origins(self, fn, self._closes.get(fn.id, {})) or _NO_ORIGINS
        self._closed_origins[fn.id] = found
        return found

    def leaks_of(self, kind: str) -> list[Leak]:
        """The leaks of resources of one kind, in program order."""
        return self.leaks.get(kind, [])

    # ---- driver --------------------------------------------------------------
    def _run(self) -> None:
        p = self.program
        interesting = set(self._by_name)
        for f in p.functions:
            if f.facts.results and self.fresh(f) is not None:
                interesting.add(f.facts.name)
                if f.parent is not None:
                    # `dial := func() (net.Conn, error) {...}`: called by the local's name.
                    interesting.update(_local_names_of(p, f))
        # A fresh-resource function, or a catalog constructor (`Dial: d.Dial`), stored in a struct
        # field of func type is called by the field's name (`c, err := p.dial(addr)`): asked too.
        interesting |= _func_field_names(p)
        for f in p.functions:
            # Functions filling a collection their caller passes (`into[p] = c`, see
            # acquire._filled_local_collection): only those that call an acquiring function are asked.
            if (
                f.parent is None
                and _stores_into_a_parameter(f)
                and any(o.kind == "call" and call_name(o.fn) in interesting for o in f.facts.ops)
            ):
                interesting.add(f.facts.name)
        for f in p.functions:
            # Methods that fill their receiver with a fresh resource (see owned_fields.field_store):
            # only those that call an acquiring function are asked.
            if f.facts.recv and any(o.kind == "call" and call_name(o.fn) in interesting for o in f.facts.ops):
                if field_store(self, f) is not None:
                    interesting.add(f.facts.name)
        owns = self.ctx.owns
        wrapped_kinds = [k for k in self.kinds.values() if k.unclosing_wrappers]
        for fn in p.functions:
            if fn.facts.name == "<init>" or fn.file.generated:
                continue
            if owns is not None and not owns(fn.file.path):
                continue  # a shard: a leak is reported at its acquisition, in fn's file, which another shard owns
            if fn.outermost().facts.name in fn.file.unrun_examples:
                self.debug["gim2xx_unrun_examples"] += 1  # no `// Output:`: `go test` never runs it
                continue
            closed = self.closed_origins(fn)
            reported: set[int] = set()  # ids of fn's acquisition ops with a leak
            for i, op in enumerate(fn.facts.ops):
                origin = closed.get(i)
                if origin is None:
                    origin = self._catalog_acquisition(fn, op, interesting)
                if origin is None:
                    continue
                self.debug["gim2xx_acquisitions"] += 1
                # Each walk reads the function's ops: many acquisitions in one huge function add up.
                if not self.budget.charge(fn, len(fn.facts.ops) + 1):
                    continue
                walk = Walk(self, fn, op, origin)
                leak = walk.run()
                if leak is None and walk.kept_in_fields is not None:
                    leak = failure_left_open(self, fn, op, origin, *walk.kept_in_fields)
                if leak is not None and _unnamed_end(origin, leak):
                    # Known only by a close on another path, and no branch names where it is dropped:
                    # the close's own condition (`if expectedOk { defer c.Close() }`) may cover it.
                    self.debug["gim2xx_closed_value_end_unnamed"] += 1
                    continue
                if leak is not None:
                    reported.add(id(op))
                    self.leaks[origin.kind.name].append(leak)
            for leak in owned_leaks(self, fn, reported):
                assert leak.origin is not None
                self.leaks[leak.origin.kind.name].append(leak)
            for kind in wrapped_kinds:
                self.leaks[kind.name].extend(replaced_resources(self, fn, kind))

    def sends_on_field(self, field: str) -> list:
        """(function, send op) for every send on a channel selected as `x.field`, indexed once per run."""
        if self._sends_by_field is None:
            self._sends_by_field = {}
            for g in self.program.functions:
                for o in g.facts.ops:
                    sel = selector(o.fn) if o.kind == "send" else None
                    if sel is not None:
                        self._sends_by_field.setdefault(sel[1], []).append((g, o))
        return self._sends_by_field.get(field, [])

    def _catalog_acquisition(self, fn: Function, op, interesting: set) -> Origin | None:
        """The Origin of a call known by name: the catalog, a fresh-resource function, a stream method."""
        if op.kind != "call" or op.mode != "plain":
            return None
        callee = op.fn
        last = call_name(callee)
        if not last:
            return None
        if last in interesting:
            return self.acquisition(fn, op)
        if self.stream_kind is not None and selector(callee) is not None and self._stream_call(fn, op):
            return Origin(self.stream_kind, 0, render(callee))
        return None


# The answer for the many functions with no value known by a close: one shared empty dict, kept for
# every function of the program during the family (never mutated: readers only look up).
_NO_ORIGINS: dict[int, Origin] = {}


def _stores_into_a_parameter(f: Function) -> bool:
    """f assigns an element of one of its parameters (`into[p] = c`)."""
    params = {pn for pn, _t in f.facts.params if pn}
    return bool(params) and any(
        o.kind == "assign" and any((ix := index(t)) is not None and ident(ix[0]) in params for t in o.targets)
        for o in f.facts.ops
    )


def _local_names_of(p: Program, lit: Function) -> set[str]:
    """The names a function literal is assigned to in its enclosing function (`dial := func() ...`)."""
    out: set[str] = set()
    parent = lit.parent
    if parent is None:
        return out
    for op in parent.facts.ops:
        if op.kind != "assign" or len(op.targets) != len(op.args):
            continue
        for target, value in zip(op.targets, op.args, strict=True):
            number = funclit(value)
            name = ident(target)
            if number is not None and name and p.literal(parent, number) is lit:
                out.add(name)
    return out


def _func_field_names(p: Program) -> set[str]:
    """Names of the struct fields of func type declared in the analysed code: a func literal type, or
    a named type of the tree declared as one (`type dialFunc func(...) (net.Conn, error)`)."""
    func_types = {t.name for ff in p.files for t in ff.types if t.kind == "func"}
    out: set[str] = set()
    for ff in p.files:
        for t in ff.types:
            if t.kind == "struct":
                out.update(
                    name
                    for name, typ, _embedded in t.members
                    if name and (typ.startswith("func(") or typ.rpartition(".")[2] in func_types)
                )
    return out


def _unnamed_end(origin: Origin, leak: Leak) -> bool:
    """A value known by its close that leaks only by reaching the end of the function, on no named branch."""
    closed = origin.closed
    known_by_close = closed is not None and closed.close is not None
    return known_by_close and leak.how == "end" and not leak.conditions and leak.refused_by is None


def _analyse(ctx: Context) -> Analysis:
    an = Analysis(ctx)
    ctx.debug.update(an.debug)
    return an


# The resource walk is the family's main cost on real code, and the costliest layer of all
# (docs/performance.md, "Where an edited run's time goes"): its lane is the one run in the
# parent process, so the other lanes end first and give back the pages they copied.
OWNERSHIP = Pass(
    "ownership",
    _analyse,
    requires=(REGIONS, CANCELLATION, WRITES),
    cost=2,
    doc="resources acquired, and the paths on which they are neither released nor handed on",
)
