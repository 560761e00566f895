"""Program queries of the ownership analysis: types, catalog names, call targets (with CHA), parent ops."""

from __future__ import annotations

from array import array
from bisect import bisect_left

from golint_im.expr import call, call_number, callee, calls_in, ident, is_ident, is_leaf, selector, type_text
from golint_im.program import Program, Target
from golint_im.source import default_import_name

from .regions import FnView, Regions, single_assignment


class Calls:
    """Program queries of the ownership analysis, and the state its parts share.

    `Effects` and `Acquire` extend it and `Analysis` sets the state; the
    parts are split by concern, the caches are one per run.
    """

    program: Program
    regions: Regions
    debug: dict[str, int]
    _ext_impls: dict[str, list[str]] | None
    _targets_cache: dict
    _op_idx: dict
    _consumer_index: dict

    def view(self, fn) -> FnView:
        return self.regions.view(fn)

    def params(self, fn) -> set:
        f = fn.facts
        out = {name for name, _t in f.params if name}
        if f.recv_name:
            out.add(f.recv_name)
        return out

    def named_result(self, fn, name: str) -> bool:
        """`name`, used in fn, is a named result (of fn, or of a function around a literal).

        The facts do not list result names; Go lets a function use only what
        it or an enclosing function declares, what the package declares, an
        import, or a named result. A name of none of the others is the last.
        """
        outer = fn.outermost()
        if not outer.facts.results:
            return False
        declaring = self.program.declaring_function(fn, name)
        if declaring is not None:
            # `conn, err := dial()` in the body's own block reuses the named result `conn`: a short
            # declaration redeclares what the same block (the signature's) already has
            return declaring is outer and name in outer.facts.result_names and _only_top_level_short(outer, name)
        pkg = fn.pkg
        return name not in pkg.vars and name not in pkg.funcs and name not in pkg.consts and name not in fn.file.imports

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
        value = expr
        name = ident(expr)
        if name is not None:
            value = self._single_assignment(fn, name)
        sel = selector(callee(value))
        if sel is not None:
            pkg, name = ident(sel[0]), sel[1]
            if (
                pkg is not None
                and self.program.refers_to_import(fn, pkg)
                and name.startswith("New")
                and name.endswith("Client")
            ):
                return f"{fn.file.imports[pkg]}#{name[3:]}"
        return None

    def _single_assignment(self, fn, name):
        return single_assignment(self.program, fn, name)

    def call_names(self, fn, callee) -> set:
        """Catalog names a callee may go by: importpath.Func, pkg.Func, importpath.Type.Method, ..."""
        names: set[str] = set()
        sel = selector(callee)
        if sel is not None:
            base, m = sel
            pkg = ident(base)
            if pkg is not None and self.program.refers_to_import(fn, pkg):
                path = fn.file.imports[pkg]
                names |= {f"{path}.{m}", f"{self.pkg_name(path)}.{m}"}
                return names
            inner = selector(base)
            pkg = ident(inner[0]) if inner is not None else None
            if inner is not None and pkg is not None and self.program.refers_to_import(fn, pkg):
                path = fn.file.imports[pkg]
                names |= {f"{path}.{inner[1]}.{m}", f"{self.pkg_name(path)}.{inner[1]}.{m}"}
            t = self.type_of(fn, base)
            named = Program.named(t) if t else None
            if named:
                path, _, tname = named.partition("#")
                names |= {f"{path}.{tname}.{m}", f"{self.pkg_name(path)}.{tname}.{m}"}
                if path in self.program.packages and self.program.method(named, m) is None:
                    # A method promoted from a type of another module embedded in the tree's struct
                    # (`type hook struct{ *http.Client }`, `h.Do(req)`): it goes by that type's name.
                    for embedded in self.program.embedded(named):
                        ipath, _, iname = embedded.partition("#")
                        if ipath not in self.program.packages:
                            names |= {f"{ipath}.{iname}.{m}", f"{self.pkg_name(ipath)}.{iname}.{m}"}
        else:
            name = ident(callee)
            if name is not None:
                names |= {f"{fn.pkg.path}.{name}", f"{fn.pkg.name}.{name}"}
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
                    # (result type, the returned value's type when known, the returned value)
                    pairs: list[tuple[str, str | None, object]]
                    if len(op.args) == len(rtypes):
                        pairs = [(rt, type_text(a), a) for rt, a in zip(rtypes, op.args, strict=False)]
                    elif len(op.args) == 1 and call(op.args[0]) is not None:
                        try:  # return newImpl(...): the callee's result types
                            ats = p.call_result_types(f, op.args[0])
                        except RecursionError:
                            ats = []
                        pairs = [(rt, at, None) for rt, at in zip(rtypes, ats, strict=False) if at]
                    else:
                        continue
                    for rt, known, arg in pairs:
                        n = Program.named(rt)
                        if n is None or rt.startswith("*") or n.split("#")[0] in p.packages:
                            continue
                        at: str | None
                        if known is not None:
                            at = known
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
        sel = selector(op.fn) if not out else None
        if sel is not None:
            base, method = sel
            pkg = ident(base)
            if not (pkg is not None and self.program.refers_to_import(fn, pkg)):
                t = self.type_of(fn, base)
                named = Program.named(t) if t else None
                if named and named.split("#")[0] not in self.program.packages:
                    for impl in self.external_impls(named):
                        m = self.program.method(impl, method)
                        if m is not None:
                            path, _, tname = named.partition("#")
                            out.append(Target(m, f"interface {self.pkg_name(path)}.{tname}.{method}"))
        self._targets_cache[key] = out
        return out

    def op_index(self, fn, op) -> int:
        """Where op sits in fn's ops, -1 if it is not one of them."""
        positions = self._op_idx.get(fn.id)
        if positions is None:
            positions = self._op_idx[fn.id] = OpPositions(fn.facts.ops)
        return positions.find(op)

    def _results_wanted(self, fn, op):
        """How many results the call's consumer expects, when it says so (`a, b, err := f()`)."""
        parent = self._parent_op(fn, op)
        if parent is None:
            return None
        pop = fn.facts.ops[parent]
        idx = self.op_index(fn, op)
        if pop.kind == "assign" and len(pop.args) == 1 and call_number(pop.args[0]) == idx:
            return len(pop.targets)
        if pop.kind == "return" and len(pop.args) == 1 and call_number(pop.args[0]) == idx:
            return len(fn.facts.results) or None
        return None

    def _parent_op(self, fn, op) -> int | None:
        """Index of the op that consumes the value of call op (assign, return, call, send), if any."""
        idx = self.op_index(fn, op)
        if idx < 0:
            return None
        consumer = self._consumers(fn)[idx]
        return consumer if consumer >= 0 else None

    def _consumers(self, fn) -> array:
        """Per op index, the index of the first later op whose expressions hold that call op (-1:
        none, or not a call), built once per function as one array (4 bytes an op).

        Asking op by op by scanning forward read the rest of the function for
        every call whose value nobody uses: quadratic in a long function.
        A call nested in another is an op before it (the walker numbers a
        call after its callee and arguments), so when op j meets call n < j,
        op n has already indexed every call inside n: n's inside is not
        walked again, and each expression is read once, not once per
        enclosing call.
        """
        found = self._consumer_index.get(fn.id)
        if found is None:
            found = self._consumer_index[fn.id] = array("i", [-1]) * len(fn.facts.ops)
            for j, o in enumerate(fn.facts.ops):
                exprs = list(o.args) + list(o.targets)
                if o.kind in ("call", "send") and o.fn is not None:
                    exprs.append(o.fn)
                indexed = range(j)
                for e in exprs:
                    if is_leaf(e):
                        continue  # a name or a literal (most arguments and targets): no call inside
                    for idx in calls_in(e, indexed):
                        if idx < j and found[idx] < 0:
                            found[idx] = j
        return found


def _only_top_level_short(fn, name: str) -> bool:
    """Every declaration of `name` in fn is a `:=` in the body's own block (region 0)."""
    found = False
    for op in fn.facts.ops:
        if op.kind == "assign" and op.mode in (":=", "var") and any(is_ident(t, name) for t in op.targets):
            if op.mode != ":=" or op.region != 0:
                return False
            found = True
    return found


class OpPositions:
    """A function's op -> position map by identity, as two arrays sorted by the ops' ids.

    The ownership analysis asks where an op sits in nearly every function it
    reads (10,191 files: 900,000 ops). A dict of id -> position held two
    integer objects and a slot per op, about 70 bytes; these arrays hold 16,
    and a look-up is a binary search in C.
    """

    __slots__ = ("_ids", "_positions")

    def __init__(self, ops) -> None:
        order = sorted(range(len(ops)), key=lambda i: id(ops[i]))
        self._ids = array("Q", [id(ops[i]) for i in order])
        self._positions = array("I", order)

    def find(self, op) -> int:
        ids, key = self._ids, id(op)
        at = bisect_left(ids, key)
        return self._positions[at] if at < len(ids) and ids[at] == key else -1
