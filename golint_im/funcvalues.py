"""Function values: which functions a callback, method value or func-typed field may hold, and who calls whom.

A call through a variable, a parameter or a struct field reaches the
functions stored in it; these queries find them program-wide (assignments,
composite literals, arguments at every call site). `Program` inherits them.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .symbols import Function, Target

if TYPE_CHECKING:
    from .facts import FileFacts, Op


class FunctionValues:
    """Function-value and caller queries over the linked program (mixed into `Program`)."""

    functions: list[Function]
    _call_cache: dict

    if TYPE_CHECKING:
        def literal(self, fn: Function, index: int) -> Function | None: ...
        def lookup_local(self, fn: Function, name: str) -> str | None: ...
        def locals(self, fn: Function) -> dict: ...
        def _is_import(self, fn: Function, name: str) -> bool: ...
        def type_of(self, fn: Function, expr, env=None) -> str | None: ...
        def named(self, qtype: str) -> str | None: ...
        def qualify(self, type_str: str, ff: FileFacts) -> str: ...
        def is_interface(self, named: str) -> bool: ...
        def method(self, named: str, mname: str, depth=0) -> Function | None: ...
        def resolve_call(self, fn: Function, op: Op) -> list[Target]: ...

    def func_values(self, fn: Function, expr) -> list[Target]:
        """Functions an expression used as a value in fn may hold (a literal, a function, a method value...)."""
        return self._func_value(fn, expr)

    def _func_value(self, fn: Function, expr) -> list[Target]:
        tag = expr[0]
        if tag == "funclit":
            lit = self.literal(fn, expr[1])
            return [Target(lit, "function literal")] if lit else []
        if tag == "id":
            if self.lookup_local(fn, expr[1]) is None:
                f = fn.pkg.funcs.get(expr[1])
                return [Target(f, "function value")] if f else []
            return []
        if tag == "sel":
            base = expr[1]
            if base[0] == "id" and self._is_import(fn, base[1]):
                pkg = self.packages.get(fn.file.imports[base[1]])
                f = pkg.funcs.get(expr[2]) if pkg else None
                return [Target(f, "function value")] if f else []
            bt = self.type_of(fn, base)
            named = self.named(bt) if bt else None
            if named and not self.is_interface(named):
                m = self.method(named, expr[2])
                if m is not None:
                    return [Target(m, f"method value {m.name}")]
        return []

    def func_values_of_local(self, fn: Function, name: str) -> list[Target]:
        """Function values assigned to a local variable or passed for a parameter."""
        out = []
        owner = fn
        while owner is not None and name not in self.locals(owner):
            owner = owner.parent
        if owner is None:
            return out
        for f in [owner] + owner.nested_literals():
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        if t == ("id", name) and i < len(op.args):
                            out.extend(self._func_value(f, op.args[i]))
        params = [p[0] for p in owner.facts.params]
        if name in params:
            idx = params.index(name)
            for caller, op in self.callers(owner):
                if idx < len(op.args):
                    out.extend(Target(t.function, f"callback passed by {caller.short}")
                               for t in self._func_value(caller, op.args[idx]))
        return _dedupe(out)

    def _field_writes(self) -> dict:
        """field name -> [(Function, base expr or None, composite type, value expr)], built once."""
        idx = getattr(self, "_field_writes_idx", None)
        if idx is not None:
            return idx
        idx = self._field_writes_idx = defaultdict(list)

        def comps(f, expr):
            if expr[0] == "un" and expr[1] == "&":
                expr = expr[2]
            if expr[0] == "comp" and expr[1]:
                for key, value in expr[2]:
                    if key is not None and key[0] == "id" and _maybe_func_value(value):
                        idx[key[1]].append((f, None, expr[1], value))

        for f in self.functions:
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        if t[0] == "sel" and i < len(op.args) and _maybe_func_value(op.args[i]):
                            idx[t[2]].append((f, t[1], "", op.args[i]))
                for arg in op.args:
                    if arg[0] in ("comp", "un"):
                        comps(f, arg)
        return idx

    def func_values_of_field(self, named: str, fname: str) -> list[Target]:
        """Function values stored in a func-typed struct field, program-wide."""
        key = ("field-values", named, fname)
        if key in self._call_cache:
            return self._call_cache[key]
        self._call_cache[key] = []
        out = []
        tname = named.split("#")[1]
        for f, base, comp_type, value in self._field_writes().get(fname, ()):
            if base is not None:
                bt = self.type_of(f, base)
                owner = self.named(bt) if bt else None
            else:
                owner = self.named(self.qualify(comp_type, f.file))
            if owner == named:
                out.extend(Target(v.function, f"stored in field {tname}.{fname}")
                           for v in self._func_value(f, value))
        out = _dedupe(out)
        self._call_cache[key] = out
        return out

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
            self._callers = defaultdict(list)
            through_values = []
            for f in self.functions:
                for op in f.facts.ops:
                    if op.kind != "call":
                        continue
                    if op.fn[0] == "id" and self.lookup_local(f, op.fn[1]) is not None:
                        through_values.append((f, op))
                        continue
                    for t in self.resolve_call(f, op):
                        self._callers[t.function.id].append((f, op))
            for f, op in through_values:
                for t in self.resolve_call(f, op):
                    self._callers[t.function.id].append((f, op))
        return self._callers.get(target.id, [])


def _maybe_func_value(expr) -> bool:
    return expr[0] in ("funclit", "id", "sel")


def _dedupe(targets):
    seen, out = set(), []
    for t in targets:
        if t.function.id not in seen:
            seen.add(t.function.id)
            out.append(t)
    return out
