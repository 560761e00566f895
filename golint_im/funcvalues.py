"""Function values: which functions a callback, method value or func-typed field may hold, and who calls whom.

A call through a variable, a parameter or a struct field reaches the
functions stored in it; these queries find them program-wide (assignments,
composite literals, arguments at every call site). `Program` inherits them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from . import expr as E
from .symbols import Function, Package, Target

if TYPE_CHECKING:
    from .facts import FileFacts, Op


# Marks a field-write entry made by `x.f = append(x.f, v)` (a registration): only there is a
# parameter `v` followed back to what callers pass, the registered callbacks.
_APPENDED = "append"


class FunctionValues:
    """Function-value and caller queries over the linked program (mixed into `Program`)."""

    functions: list[Function]
    packages: dict[str, Package]
    _call_cache: dict
    _partial: int  # see Program.type_of: raised while a placeholder answer below stands
    _field_writes_idx: dict[str, list[tuple]]
    _local_values_depth: int  # see func_values_of_local
    _local_values_memo: dict[tuple[int, str], list[Target]]

    if TYPE_CHECKING:

        def literal(self, fn: Function, index: int) -> Function | None: ...
        def lookup_local(self, fn: Function, name: str) -> str | None: ...
        def locals(self, fn: Function) -> dict: ...
        def imported_path(self, fn: Function, expr) -> str | None: ...
        def type_of(self, fn: Function, expr, env=None) -> str | None: ...
        def named(self, qtype: str) -> str | None: ...
        def underlying(self, qtype: str, depth=0) -> str: ...
        def qualify(self, type_str: str, ff: FileFacts) -> str: ...
        def is_interface(self, named: str) -> bool: ...
        def method(self, named: str, mname: str, depth=0) -> Function | None: ...
        def field_type(self, named: str, fname: str, depth=0) -> tuple[str, str] | None: ...
        def resolve_call(self, fn: Function, op: Op) -> list[Target]: ...
        def resolve_expr_call(self, fn: Function, callee, env=None) -> list[Target]: ...

    def func_values(self, fn: Function, expr) -> list[Target]:
        """Functions an expression used as a value in fn may hold (a literal, a function, a method value...)."""
        return self._func_value(fn, expr)

    def _func_value(self, fn: Function, expr) -> list[Target]:
        lit_index = E.funclit(expr)
        if lit_index is not None:
            lit = self.literal(fn, lit_index)
            return [Target(lit, "function literal")] if lit else []
        called = E.call(expr)
        if called is not None:
            callee = E.ident(called[0])
            through_local = callee is not None and self.lookup_local(fn, callee) is not None
            if through_local and not self._holds_literals(fn, callee or ""):
                return []  # a call through a local function value: following it could loop back here
            return self._returned_func_values(fn, called[0])
        name = E.ident(expr)
        if name is not None:
            if self.lookup_local(fn, name) is None:
                f = fn.pkg.funcs.get(name)
                return [Target(f, "function value")] if f else []
            if self._holds_literals(fn, name):
                # `deliver := func(a answer) { out <- a }; go r.query(deliver)`: a local only ever
                # given literals holds one of them, and reading them follows no chain of callers.
                return self.func_values_of_local(fn, name)
            return []
        indexed = E.index(expr)
        if indexed is not None:  # `s.cmds[name]`: an element of a field's table of functions
            return self._elements_of_field(fn, indexed[0])
        sel = E.selector(expr)
        if sel is not None:
            base, mname = sel
            path = self.imported_path(fn, base)
            if path is not None:
                pkg = self.packages.get(path)
                f = pkg.funcs.get(mname) if pkg else None
                return [Target(f, "function value")] if f else []
            bt = self.type_of(fn, base)
            named = self.named(bt) if bt else None
            if named and not self.is_interface(named):
                m = self.method(named, mname)
                if m is not None:
                    return [Target(m, f"method value {m.name}")]
                ft = self.field_type(named, mname)
                if ft is not None and (ft[0].startswith("func") or self.underlying(ft[0]).startswith("func(")):
                    # `routing.Recompute(p, stop, m.onChange)`: the functions the field is given
                    return self.func_values_of_field(ft[1], mname)
        return []

    def _returned_func_values(self, fn: Function, callee, index: int = 0) -> list[Target]:
        """Function values a call gives back: what its callees' `return` statements return as their
        result `index`, when it is func-typed (`leave := h.register(m)` holds the literal register
        returns; `data, release := s.acquire()` the one it returns second)."""
        out: list[Target] = []
        busy = self._call_cache.setdefault(("returned-values", "busy"), set())
        if (fn.id, callee) in busy:
            return out  # resolving this callee needs its own answer: no value found this way
        busy.add((fn.id, callee))
        self._partial += 1
        try:
            targets = self.resolve_expr_call(fn, callee)
        finally:
            busy.discard((fn.id, callee))
            self._partial -= 1
        for t in targets:
            g = t.function
            key = ("returned-values", g.id) if index == 0 else ("returned-values", g.id, index)
            cached = self._call_cache.get(key)
            if cached is None:
                self._call_cache[key] = []  # a function returning its own call: stop there
                found: list[Target] = []
                self._partial += 1
                try:
                    if len(g.facts.results) > index and self._func_typed(g, g.facts.results[index]):
                        for op in g.facts.ops:
                            if op.kind == "return" and len(op.args) > index:
                                found.extend(
                                    Target(v.function, f"returned by {g.short}")
                                    for v in self._func_value(g, op.args[index])
                                )
                finally:
                    self._partial -= 1
                cached = self._call_cache[key] = _dedupe(found)
            out.extend(cached)
        return _dedupe(out)

    def _holds_literals(self, fn: Function, name: str) -> bool:
        """The local `name` used in fn is only ever assigned function literals (`stopFunc := func(...)
        (<-chan error, func()) {...}`): a call through it runs one of them, and what they return
        cannot lead back to a call through a local the way `state = state(l)` does."""
        owner: Function | None = fn
        while owner is not None and name not in self.locals(owner):
            owner = owner.parent
        if owner is None or any(p == name for p, _t in owner.facts.params):
            return False
        key = ("holds-literals", owner.id, name)
        known = self._call_cache.get(key)
        if known is None:
            known = self._call_cache[key] = self._assigned_only_literals(owner, name)
        return known

    def _assigned_only_literals(self, owner: Function, name: str) -> bool:
        """See `_holds_literals`: owner's (and its literals') assignments to its local `name`."""
        values: list = []
        for f in [owner] + owner.nested_literals():
            for op in f.facts.ops:
                if op.kind != "assign" or not any(E.is_ident(t, name) for t in op.targets):
                    continue
                if len(op.args) != len(op.targets):
                    return False  # `f, g := pair()`: not a literal written here
                values.extend(v for t, v in zip(op.targets, op.args, strict=True) if E.is_ident(t, name))
        return bool(values) and all(E.funclit(v) is not None for v in values)

    def _func_typed(self, g: Function, type_text: str) -> bool:
        """A result type that holds a function: `func(...)`, or a named type defined as one
        (`type unlockOnce func() bool`)."""
        text = type_text.lstrip("(")
        return text.startswith("func") or self._named_func_type(g, text)

    def _named_func_type(self, fn: Function, type_text: str) -> bool:
        """type_text (as written in fn's file) names a defined type whose underlying type is a function."""
        if not type_text or type_text.startswith(("func", "*", "[", "map[", "chan")):
            return False
        return self.underlying(self.qualify(type_text, fn.file)).startswith("func")

    def _passed_value(self, caller: Function, value) -> list[Target]:
        """Function values a caller passes: what `_func_value` sees, and for a local of the caller
        (`unlock := b.lockAndGetUnlock(); b.enter(unlock)`) what that local holds."""
        name = E.ident(value)
        if name is None or self.lookup_local(caller, name) is None:
            return self._func_value(caller, value)
        busy = self._call_cache.setdefault(("passed-locals", "busy"), set())
        if (caller.id, name) in busy:
            return []  # the local is fed from the parameter being resolved: no value found this way
        busy.add((caller.id, name))
        try:
            return self.func_values_of_local(caller, name)
        finally:
            busy.discard((caller.id, name))

    def func_values_of_local(self, fn: Function, name: str) -> list[Target]:
        """Function values assigned to a local variable, passed for a parameter, or, for a method of
        a function type (`func (u unlockOnce) UnlockEarly()`), called on as the receiver.

        A parameter of a named function type is followed to what each caller passes, and a caller's
        own parameter on to its callers. Methods that hand a visitor on (`func (e *BinOp) Walk(f
        WalkFn) { e.L.Walk(f); e.R.Walk(f) }`, each call reaching every implementation) make that a
        dense graph of cycles, and walking every simple path through it took minutes on a few dozen
        methods. So within one outermost query each (function, local) is answered once, and a local
        met again is given that answer. The outermost answer is unchanged: it is the union of what
        every local it reaches is assigned or passed directly, however often each is reached. Inner
        answers cut by a local still being answered further up may be partial, so the memo is dropped
        when the outermost query returns.
        """
        key = (fn.id, name)
        if self._local_values_depth:
            known = self._local_values_memo.get(key)
            if known is not None:
                return known
        self._local_values_depth += 1
        try:
            out = self._func_values_of_local(fn, name)
        finally:
            self._local_values_depth -= 1
        if self._local_values_depth:
            self._local_values_memo[key] = out
        else:
            self._local_values_memo.clear()
        return out

    def _func_values_of_local(self, fn: Function, name: str) -> list[Target]:
        """See `func_values_of_local`: one (function, local) answered afresh."""
        out: list[Target] = []
        owner: Function | None = fn
        while owner is not None and name not in self.locals(owner):
            owner = owner.parent
        if owner is None:
            return out
        for f in [owner] + owner.nested_literals():
            for op in f.facts.ops:
                if op.kind != "assign":
                    continue
                ranged = E.ranged(op.args[0]) if len(op.args) == 1 else None
                if ranged is not None:  # `for _, h := range r.handlers`: the element of a field slice
                    if len(op.targets) == 2 and E.is_ident(op.targets[1], name):
                        out.extend(self._elements_of_field(f, ranged))
                    continue
                for i, t in enumerate(op.targets):
                    if not E.is_ident(t, name):
                        continue
                    if i < len(op.args) and len(op.args) == len(op.targets):
                        out.extend(self._func_value(f, op.args[i]))
                    elif i == 0 and len(op.args) == 1 and (indexed := E.index(op.args[0])) is not None:
                        out.extend(self._elements_of_field(f, indexed[0]))  # `cmd, found := s.cmds[name]`
                    elif len(op.args) == 1 and (called := E.call(op.args[0])) is not None:
                        # `data, release := s.acquire()`: the call's result i.
                        local = E.ident(called[0])
                        if local is None or self.lookup_local(f, local) is None or self._holds_literals(f, local):
                            out.extend(self._returned_func_values(f, called[0], i))
        params = [p[0] for p in owner.facts.params]
        if name in params:
            idx = params.index(name)
            # A caller's local is followed for a parameter of a named function type (`unlock
            # unlockOnce`): handles passed down a chain of calls. Plain `func()` parameters are
            # callbacks, which test helpers hand on from hundreds of literals (tailscale: +25 %
            # time for no finding), so only what the caller writes at the call counts for them.
            ptype = owner.facts.params[idx][1]
            follow = self._passed_value if self._named_func_type(owner, ptype) else self._func_value
            for caller, op in self.callers(owner):
                if idx < len(op.args):
                    out.extend(
                        Target(t.function, f"callback passed by {caller.short}") for t in follow(caller, op.args[idx])
                    )
        elif name == owner.facts.recv_name and owner.parent is None and self._named_func_type(owner, owner.facts.recv):
            for caller, op in self.callers(owner):
                sel = E.selector(op.fn)
                if sel is not None and op.mode != "go":
                    out.extend(
                        Target(t.function, f"called on by {caller.short}") for t in self._passed_value(caller, sel[0])
                    )
        return _dedupe(out)

    def _elements_of_field(self, fn: Function, container) -> list[Target]:
        """Function values stored in a struct field that holds a slice or map of them (`r.handlers`)."""
        copied = self._copied_field(fn, container)
        if copied is not None:
            container = copied  # `hs := append([]Handler(nil), b.handlers[kind]...)`: a copy of the field's slice
        indexed = E.index(container)
        if indexed is not None:
            container = indexed[0]  # `range b.handlers[ev.Kind]`: the slices a map field holds
        sel = E.selector(container)
        if sel is None or self.imported_path(fn, sel[0]) is not None:
            return []
        bt = self.type_of(fn, sel[0])
        named = self.named(bt) if bt else None
        ft = self.field_type(named, sel[1]) if named else None
        if ft is None or not (ft[0].startswith(("[]func", "map[")) or self._slice_of_func_type(ft[0])):
            return []
        return self.func_values_of_field(ft[1], sel[1])

    def _copied_field(self, fn: Function, container):
        """The field read when the local `container` is only ever given a copy of it: `hs :=
        append([]Handler(nil), b.handlers[kind]...)` (an `append` of the field's elements to an empty
        slice) or `hs := b.handlers[kind]`. None otherwise."""
        name = E.ident(container)
        if name is None or name not in self.locals(fn):
            return None
        found = None
        for op in fn.facts.ops:
            if op.kind != "assign" or not any(E.is_ident(t, name) for t in op.targets):
                continue
            if len(op.targets) != 1 or len(op.args) != 1 or found is not None:
                return None
            value = op.args[0]
            c = E.call(value)
            if c is not None and E.is_ident(c[0], "append") and len(c[1]) == 2:
                first, rest = c[1]
                spread = rest[1] if E.is_expr(rest) and rest[0] == "spread" else None
                if spread is None or not _empty_slice(first):
                    return None
                value = spread
            base = E.index(value)
            if E.selector(base[0] if base is not None else value) is None:
                return None
            found = value
        return found

    def _slice_of_func_type(self, ftype: str) -> bool:
        """`[]Rule` (a field type as `field_type` gives it, qualified) with `type Rule func(Transfer) error`."""
        elem = self.named(ftype[2:]) if ftype.startswith("[]") else None
        return elem is not None and self.underlying(elem).startswith("func(")

    def _field_writes(self) -> dict:
        """field name -> [(Function, base expr or None, composite type, value expr)], built once."""
        idx: dict[str, list[tuple]] | None = getattr(self, "_field_writes_idx", None)
        if idx is not None:
            return idx
        idx = self._field_writes_idx = defaultdict(list)
        for f in self.functions:
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        # `b.handlers[kind] = append(b.handlers[kind], h)`, `s.ops[k] = f`, `b.subs[f][id] = h`
                        base = t
                        while (indexed := E.index(base)) is not None:
                            base = indexed[0]
                        sel = E.selector(base)
                        if sel is None or i >= len(op.args):
                            continue
                        value = op.args[i]
                        if E.is_ident(E.callee(value), "append"):  # `r.handlers = append(r.handlers, f)`
                            for item in E.call_args(value)[1:]:
                                if _may_hold_func(item):
                                    idx[sel[1]].append((f, sel[0], _APPENDED, item))
                        elif (comp := E.composite(value)) is not None and comp[0].startswith(("[]", "map[")):
                            # `l.rules = []Rule{check, l.sufficientFunds}`, `s.ops = map[string]func(){"a": s.a}`
                            for _key, item in comp[1]:
                                if _may_hold_func(item):
                                    idx[sel[1]].append((f, sel[0], _APPENDED, item))
                        elif _may_hold_func(value):
                            idx[sel[1]].append((f, sel[0], "", value))
                for arg in op.args:
                    comp = E.composite(E.strip_address(arg))  # T{f: v} or &T{f: v}
                    if comp is None or not comp[0]:
                        continue
                    ctype, elems = comp
                    for key, value in elems:
                        fname = E.ident(key)
                        if fname is not None and _may_hold_func(value):
                            idx[fname].append((f, None, ctype, value))
        return idx

    def func_values_of_field(self, named: str, fname: str) -> list[Target]:
        """Function values stored in a func-typed struct field, program-wide."""
        key = ("field-values", named, fname)
        if key in self._call_cache:
            return self._call_cache[key]
        self._call_cache[key] = []
        self._partial += 1
        try:
            out = self._stored_func_values(named, fname)
        finally:
            self._partial -= 1
        self._call_cache[key] = out
        return out

    def field_value_writes(self, named: str, fname: str) -> list[tuple[Function, tuple | None, tuple]]:
        """(function, base written or None, value) for each value that may be a function written into
        field fname of type named: `x.f = v` (base x), an element of `x.f = append(x.f, v)` or of
        `x.f = []T{v}` (base x), `T{f: v}` (no base: a value being built). From the link's index."""
        out = []
        for f, base, comp_type, value in self._field_writes().get(fname, ()):
            if base is not None:
                bt = self.type_of(f, base)
                owner = self.named(bt) if bt else None
            else:
                owner = self.named(self.qualify(comp_type, f.file))
            if owner == named:
                out.append((f, base, value))
        return out

    def _stored_func_values(self, named: str, fname: str) -> list[Target]:
        out: list[Target] = []
        tname = named.split("#")[1]
        for f, _base, value in self.field_value_writes(named, fname):
            local = E.ident(value)
            if local is not None and self.lookup_local(f, local) is not None:
                # `r.handlers = append(r.handlers, f)` in `Register(f func())`, `&Registry{onChange:
                # onChange}` in `NewRegistry(onChange func(string))`: what callers pass
                values = self.func_values_of_local(f, local)
            else:
                values = self._func_value(f, value)
            for v in values:
                returned = f"{v.via}, " if v.via.startswith("returned by") else ""
                out.append(Target(v.function, f"{returned}stored in field {tname}.{fname}"))
        return _dedupe(out)

    def callers(self, target: Function) -> list:
        """(caller Function, call Op) pairs for every resolved call of target.

        Built in two passes. A call through a local function value (`f()` with
        `f` a parameter, as in a `spawn(f func())` wrapper) is resolved from
        what the callers pass, i.e. from this very index: resolved during the
        first pass it would see only the callers indexed so far, and its
        answer would depend on the order of the files. So such calls wait for
        the second pass, when every ordinary call is in.
        """
        if not hasattr(self, "_callers"):
            # Answers found while the index is filled saw part of it: the queries under way keep
            # their memo of locals' values apart from those made while filling it.
            outer = (self._local_values_depth, self._local_values_memo)
            self._local_values_depth, self._local_values_memo = 0, {}
            self._partial += 1
            try:
                self._index_callers()
            finally:
                self._partial -= 1
                self._local_values_depth, self._local_values_memo = outer
        return self._callers.get(target.id, [])

    def _index_callers(self) -> None:
        """Fill `_callers` (see `callers`); while it is being filled, callers see part of it."""
        self._callers = defaultdict(list)
        through_values = []
        for f in self.functions:
            for op in f.facts.ops:
                if op.kind != "call":
                    continue
                name = E.ident(op.fn)
                if name is not None and self.lookup_local(f, name) is not None:
                    through_values.append((f, op))
                    continue
                for t in self.resolve_call(f, op):
                    self._callers[t.function.id].append((f, op))
        for f, op in through_values:
            for t in self.resolve_call(f, op):
                self._callers[t.function.id].append((f, op))


def _may_hold_func(e) -> bool:
    """A value that may be a function: a literal, a name, a selector, or a call that may return one."""
    return E.may_be_func_value(e) or E.call(e) is not None


def _dedupe(targets):
    seen, out = set(), []
    for t in targets:
        if t.function.id not in seen:
            seen.add(t.function.id)
            out.append(t)
    return out


def _empty_slice(e) -> bool:
    """`nil`, `[]T(nil)` or `[]T{}`: a slice with nothing in it yet."""
    if E.is_nil(e):
        return True
    c = E.call(e)
    if c is not None and len(c[1]) == 1 and E.is_nil(c[1][0]):
        return True
    comp = E.composite(e)
    return comp is not None and not E.composite_items(e)
