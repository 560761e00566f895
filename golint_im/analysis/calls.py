"""Program queries of the ownership analysis: types, catalog names, call targets (with CHA), parent ops."""
from __future__ import annotations

from golint_im.program import Program, Target
from golint_im.source import default_import_name

from .regions import FnView
from .resources import _calls_in


class Calls:
    def view(self, fn) -> FnView:
        v = self._views.get(fn.id)
        if v is None:
            v = self._views[fn.id] = FnView(fn)
        return v

    def params(self, fn) -> set:
        f = fn.facts
        out = {name for name, _t in f.params if name}
        if f.recv_name:
            out.add(f.recv_name)
        return out

    def pkg_name(self, path: str) -> str:
        pkg = self.program.packages.get(path)
        return pkg.name if pkg is not None else default_import_name(path)

    def type_of(self, fn, expr) -> str | None:
        try:
            t = self.program.type_of(fn, expr)
        except RecursionError:
            t = None
        if t:
            return t
        # Generated stubs are not analysed: `pb.NewFooClient(cc)` is a pb#FooClient.
        call = expr
        if expr[0] == "id":
            call = self._single_assignment(fn, expr[1])
        if call is not None and call[0] == "call" and call[1][0] == "sel":
            base, name = call[1][1], call[1][2]
            if base[0] == "id" and self.program.refers_to_import(fn, base[1]) \
                    and name.startswith("New") and name.endswith("Client"):
                return f"{fn.file.imports[base[1]]}#{name[3:]}"
        return None

    def _single_assignment(self, fn, name):
        g = self.program.declaring_function(fn, name)
        if g is None:
            return None
        found = None
        for op in g.facts.ops:
            if op.kind == "assign" and len(op.targets) == len(op.args):
                for t, v in zip(op.targets, op.args):
                    if t == ("id", name):
                        if found is not None:
                            return None
                        found = v
        return found

    def call_names(self, fn, callee) -> set:
        """Catalog names a callee may go by: importpath.Func, pkg.Func, importpath.Type.Method, ..."""
        names = set()
        if callee[0] == "sel":
            base, m = callee[1], callee[2]
            if base[0] == "id" and self.program.refers_to_import(fn, base[1]):
                path = fn.file.imports[base[1]]
                names |= {f"{path}.{m}", f"{self.pkg_name(path)}.{m}"}
                return names
            if base[0] == "sel" and base[1][0] == "id" and self.program.refers_to_import(fn, base[1][1]):
                path = fn.file.imports[base[1][1]]
                names |= {f"{path}.{base[2]}.{m}", f"{self.pkg_name(path)}.{base[2]}.{m}"}
            t = self.type_of(fn, base)
            named = Program.named(t) if t else None
            if named:
                path, _, tname = named.partition("#")
                names |= {f"{path}.{tname}.{m}", f"{self.pkg_name(path)}.{tname}.{m}"}
        elif callee[0] == "id":
            names |= {f"{fn.pkg.path}.{callee[1]}", f"{fn.pkg.name}.{callee[1]}"}
        return names

    @staticmethod
    def function_names(f) -> set:
        ff = f.facts
        base = f"{ff.recv}.{ff.name}" if ff.recv else ff.name
        return {f"{f.pkg.path}.{base}", f"{f.pkg.name}.{base}"}

    def external_impls(self, named: str) -> list[str]:
        """Analysed concrete types seen converted to an interface type we did not analyse."""
        if self._ext_impls is None:
            ev: dict[str, set] = {}
            p = self.program
            for f in p.functions:
                results = f.facts.results
                if not results:
                    continue
                rtypes = [p.qualify(t, f.file) for t in results]
                for op in f.facts.ops:
                    if op.kind != "return":
                        continue
                    if len(op.args) == len(rtypes):
                        pairs = list(zip(rtypes, op.args))
                    elif len(op.args) == 1 and op.args[0][0] == "call":
                        try:  # return newImpl(...): the callee's result types
                            ats = p.call_result_types(f, op.args[0])
                        except RecursionError:
                            ats = []
                        pairs = [(rt, ("type", at)) for rt, at in zip(rtypes, ats) if at]
                    else:
                        continue
                    for rt, arg in pairs:
                        n = Program.named(rt)
                        if n is None or rt.startswith("*") or n.split("#")[0] in p.packages:
                            continue
                        if arg[0] == "type":
                            at = arg[1]
                        else:
                            try:
                                at = p.type_of(f, arg)
                            except RecursionError:
                                at = None
                        an = Program.named(at) if at else None
                        if an and an.split("#")[0] in p.packages and not p.is_interface(an):
                            ev.setdefault(n, set()).add(an)
            self._ext_impls = {k: sorted(v) for k, v in ev.items()}
        return self._ext_impls.get(named, [])

    def targets(self, fn, op):
        """Functions a call may reach: resolve_call, plus analysed implementations of external interfaces."""
        key = (fn.id, id(op))
        cached = self._targets_cache.get(key)
        if cached is not None:
            return cached
        out = []
        try:
            out = list(self.program.resolve_call(fn, op))
        except RecursionError:
            out = []
        if not out and op.fn[0] == "sel":
            base = op.fn[1]
            if not (base[0] == "id" and self.program.refers_to_import(fn, base[1])):
                t = self.type_of(fn, base)
                named = Program.named(t) if t else None
                if named and named.split("#")[0] not in self.program.packages:
                    for impl in self.external_impls(named):
                        m = self.program.method(impl, op.fn[2])
                        if m is not None:
                            path, _, tname = named.partition("#")
                            out.append(Target(m, f"interface {self.pkg_name(path)}.{tname}.{op.fn[2]}"))
        self._targets_cache[key] = out
        return out

    def op_index(self, fn, op) -> int:
        idx = self._op_idx.get(fn.id)
        if idx is None:
            idx = self._op_idx[fn.id] = {id(o): i for i, o in enumerate(fn.facts.ops)}
        return idx.get(id(op), -1)

    def _results_wanted(self, fn, op):
        """How many results the call's consumer expects, when it says so (`a, b, err := f()`)."""
        parent = self._parent_op(fn, op)
        if parent is None:
            return None
        pop = fn.facts.ops[parent]
        idx = self.op_index(fn, op)
        if pop.kind == "assign" and len(pop.args) == 1 and pop.args[0][0] == "call" and pop.args[0][3] == idx:
            return len(pop.targets)
        if pop.kind == "return" and len(pop.args) == 1 and pop.args[0][0] == "call" and pop.args[0][3] == idx:
            return len(fn.facts.results) or None
        return None

    def _ops_with_literals(self, fn):
        yield from fn.facts.ops
        for lit in fn.literals:
            yield from self._ops_with_literals(lit)

    def _parent_op(self, fn, op) -> int | None:
        """Index of the op that consumes the value of call op (assign, return, call, send), if any."""
        ops = fn.facts.ops
        idx = self.op_index(fn, op)
        if idx < 0:
            return None
        for j in range(idx + 1, len(ops)):
            o = ops[j]
            exprs = list(o.args) + list(o.targets)
            if o.kind in ("call", "send") and o.fn is not None:
                exprs.append(o.fn)
            for e in exprs:
                if idx in set(_calls_in(e)):
                    return j
        return None
