"""Link the facts of all files into one program a rule can question.

What it knows: packages (from go.mod + directory), named types with their
fields and method sets (promotion through embedding included), which
concrete types implement which interface (by method names: class-hierarchy
analysis), the static type of most local expressions, and where a call can
go. What it does not know it says: resolve_call returns no targets and the
caller decides to stay silent.

Types are written as qualified strings: a named type is "importpath#Name",
so "*example.com/app/ws#Server" or "[]example.com/app/ws#Client".
"""
from __future__ import annotations

from .discover import SourceFile
from .facts import FileFacts, FuncFacts, Op
from .funcvalues import FunctionValues
from .symbols import External, Function, Package, Target
from .typesys import BUILTIN_TYPES, TypeSystem, _map_key

__all__ = ["BUILTIN_TYPES", "External", "Function", "Package", "Program", "Target", "enclosing_regions"]

MAX_IMPLEMENTATIONS = 24
# Library calls that run their function argument on a new goroutine: (import path, receiver type).
SPAWNERS = {
    ("golang.org/x/sync/errgroup", "Group"),
    ("sync", "WaitGroup"),
    ("github.com/sourcegraph/conc", "WaitGroup"),
    ("github.com/sourcegraph/conc/pool", "Pool"),
}
SPAWNER_METHODS = {"Go", "TryGo"}  # an interface call fanning out wider than this is "unknown"


class Program(TypeSystem, FunctionValues):
    def __init__(self, sources: list[SourceFile], facts: list[FileFacts]):
        self.packages: dict[str, Package] = {}
        self.functions: list[Function] = []
        self.files: list[FileFacts] = facts
        self._file_pkg: dict[int, Package] = {}
        self._qualify_cache: dict = {}
        self._impl_cache: dict = {}
        self._method_set_cache: dict = {}
        self._call_cache: dict = {}
        self._by_facts: dict = {}
        self._declared: dict = {}
        self.unresolved_calls = 0
        by_path = {s.rel_path: s for s in sources}
        for ff in facts:
            src = by_path.get(ff.path)
            ip = src.import_path if src else ff.package
            # Tests of package foo_test form their own package.
            if ff.package.endswith("_test"):
                ip += "_test"
            pkg = self.packages.get(ip)
            if pkg is None:
                pkg = self.packages[ip] = Package(ip, ff.package, src.package_dir if src else "")
            pkg.files.append(ff)
            self._file_pkg[id(ff)] = pkg
        self._index()
        self._method_name_index()
        self._link_calls()

    # ---- indexing ------------------------------------------------------
    def pkg_of(self, ff: FileFacts) -> Package:
        return self._file_pkg[id(ff)]

    def _index(self):
        for pkg in self.packages.values():
            for ff in pkg.files:
                for t in ff.types:
                    pkg.types.setdefault(t.name, (t, ff))
                for name, value in ff.consts.items():
                    pkg.consts.setdefault(name, (value, ff))
                local: list[Function] = []
                for fi, f in enumerate(ff.funcs):
                    parent = local[f.parent] if f.parent >= 0 else None
                    fn = Function(len(self.functions), f, ff, pkg, parent)
                    self.functions.append(fn)
                    self._by_facts[id(f)] = fn
                    local.append(fn)
                    if parent is not None:
                        parent.literals.append(fn)
                    elif f.recv:
                        pkg.methods.setdefault((f.recv, f.name), fn)
                    elif f.name == "<init>":
                        for op in f.ops:
                            if op.kind == "assign" and op.mode == "var":
                                for i, t in enumerate(op.targets):
                                    if t[0] == "id":
                                        init = op.args[i] if i < len(op.args) else None
                                        pkg.vars.setdefault(t[1], (op.vtype, init, ff))
                    elif f.name and f.name not in ("init", "_"):
                        pkg.funcs.setdefault(f.name, fn)

    def _link_calls(self):
        """Record where each function is started as a goroutine."""
        for fn in self.functions:
            for op in fn.facts.ops:
                if op.kind != "call":
                    continue
                if op.mode == "go":
                    for t in self.resolve_call(fn, op):
                        t.function.go_sites.append((fn, op))
                elif op.fn[0] == "sel" and op.fn[2] in SPAWNER_METHODS and op.args:
                    ext = self.external_callee(fn, op.fn)
                    if ext is not None and (ext.pkg, ext.recv) in SPAWNERS:
                        for t in self._func_value(fn, op.args[-1]):
                            t.function.go_sites.append((fn, op))

    # ---- types ---------------------------------------------------------
    # ---- locals and expression types -------------------------------------
    def locals(self, fn: Function) -> dict:
        """name -> qualified type for params, receiver, results and inferable locals."""
        cached = fn.env
        if cached is not None:
            return cached
        env: dict[str, str] = {}
        fn.env = env  # guards recursion through literals
        f, ff = fn.facts, fn.file
        if f.recv_name:
            env[f.recv_name] = self.qualify(("*" if f.recv_ptr else "") + f.recv, ff)
        for name, t in f.params:
            if name and name != "_":
                env[name] = self.qualify(t, ff)
        for op in f.ops:
            if op.kind != "assign" or op.mode not in (":=", "var", "="):
                continue
            if op.mode == "var" and op.vtype:
                for t in op.targets:
                    if t[0] == "id":
                        env[t[1]] = self.qualify(op.vtype, ff)
                continue
            types = self._rhs_types(fn, op, env)
            for i, t in enumerate(op.targets):
                if t[0] == "id" and t[1] != "_" and i < len(types) and types[i]:
                    if op.mode != "=" or t[1] not in env:
                        env[t[1]] = types[i]
        return env

    def _rhs_types(self, fn, op, env) -> list:
        if len(op.args) == 1 and len(op.targets) > 1:
            rhs = op.args[0]
            if rhs[0] == "call":
                return self.call_result_types(fn, rhs, env)
            if rhs[0] == "range":
                t = self.type_of(fn, rhs[1], env) or ""
                u = self.underlying(t) if t else ""
                if u.startswith("map["):
                    return [_map_key(u), self.elem(u)]
                if u.lstrip("*").startswith("[") or u.startswith("..."):
                    return ["int", self.elem(u)]
                return ["", ""]
            if rhs[0] == "idx":  # v, ok := m[k]
                return [self.type_of(fn, rhs, env), "bool"]
            if rhs[0] == "assert":
                return [self.type_of(fn, rhs, env), "bool"]
            if rhs[0] == "un" and rhs[1] == "<-":
                return [self.type_of(fn, rhs, env), "bool"]
            return []
        if len(op.args) == 1 and op.args[0][0] == "range":
            t = self.type_of(fn, op.args[0][1], env) or ""
            u = self.underlying(t) if t else ""
            if u.startswith(("chan", "<-chan")):
                return [self.elem(u)]
            return ["int" if not u.startswith("map[") else _map_key(u)]
        return [self.type_of(fn, e, env) for e in op.args]

    # ---- scopes: which function declares a name -----------------------------
    def declared(self, fn: Function) -> dict:
        """name -> region of its first declaration, for the names fn itself declares.

        The receiver and parameters are in region 0, `:=` and `var` targets in the
        region of their statement; the blank identifier declares nothing. Unlike
        locals() this needs no types, so a local whose type cannot be inferred
        still shadows a package-level name or an import of the same name.
        """
        d = self._declared.get(fn.id)
        if d is None:
            d = self._declared[fn.id] = {}
            f = fn.facts
            if f.recv_name and f.recv_name != "_":
                d[f.recv_name] = 0
            for name, _t in f.params:
                if name and name != "_":
                    d[name] = 0
            for op in f.ops:
                if op.kind == "assign" and op.mode in (":=", "var"):
                    for t in op.targets:
                        if t[0] == "id" and t[1] != "_":
                            d.setdefault(t[1], op.region)
        return d

    def declaring_function(self, fn: Function, name: str) -> Function | None:
        """The function a name used in fn belongs to: fn itself or, inside a function
        literal, the innermost enclosing function that declares it. None means the
        name is package-level (function, type, variable, constant) or an import.
        The rules that follow values through variables (GIM2xx ownership, GIM3xx
        address tracing) ask this, so both resolve names the same way."""
        f = fn
        while f is not None:
            if name in self.declared(f):
                return f
            f = f.parent
        return None

    def refers_to_import(self, fn: Function, name: str) -> bool:
        """`name` used in fn is an imported package: the file imports it and no local shadows it."""
        return name in fn.file.imports and self.declaring_function(fn, name) is None

    def lookup_local(self, fn: Function, name: str) -> str | None:
        f = fn
        while f is not None:
            env = self.locals(f)
            if name in env:
                return env[name]
            f = f.parent
        return None

    def type_of(self, fn: Function, expr, env=None) -> str | None:
        """Qualified static type of an expression, or None when unknown."""
        if expr is None:
            return None
        tag = expr[0]
        if tag == "id":
            name = expr[1]
            if env is not None and name in env:
                return env[name]
            t = self.lookup_local(fn, name) if env is None or fn.parent is not None else None
            if t:
                return t
            var = fn.pkg.vars.get(name)
            if var is not None:
                vtype, init, vff = var
                if vtype:
                    return self.qualify(vtype, vff)
                if init is not None and init[0] != "id":
                    init_fn = self._init_function(vff)
                    return self.type_of(init_fn, init, {}) if init_fn else None
            return None
        if tag == "sel":
            base = expr[1]
            if base[0] == "id" and self._is_import(fn, base[1]):
                path = fn.file.imports[base[1]]
                pkg = self.packages.get(path)
                if pkg and expr[2] in pkg.vars:
                    vtype, init, vff = pkg.vars[expr[2]]
                    if vtype:
                        return self.qualify(vtype, vff)
                    if init is not None and init[0] != "id":  # var Ring = &HashRing{}: typed by its initialiser
                        init_fn = self._init_function(vff)
                        return self.type_of(init_fn, init, {}) if init_fn else None
                return None
            bt = self.type_of(fn, base, env)
            if not bt:
                return None
            named = self.named(bt)
            if named:
                ft = self.field_type(named, expr[2])
                if ft:
                    return ft[0]
                m = self.method(named, expr[2])
                if m is not None:
                    return "func"
            return None
        if tag == "call":
            types = self.call_result_types(fn, expr, env)
            return types[0] if types else None
        if tag == "un":
            inner = self.type_of(fn, expr[2], env)
            if expr[1] == "&":
                return "*" + inner if inner else None
            if expr[1] == "*":
                return inner[1:] if inner and inner.startswith("*") else None
            if expr[1] == "<-":
                return self.elem(self.underlying(inner)) if inner else None
            return inner
        if tag == "comp":
            return self.qualify(expr[1], fn.file) if expr[1] else None
        if tag == "idx":
            bt = self.type_of(fn, expr[1], env)
            if bt:
                return self.elem(self.underlying(bt)) or None
            return None
        if tag == "slice":
            return self.type_of(fn, expr[1], env)
        if tag == "assert":
            return self.qualify(expr[2], fn.file) if expr[2] else None
        if tag == "str":
            return "string"
        if tag == "int":
            return "int"
        if tag == "bin":
            if expr[1] in ("==", "!=", "<", ">", "<=", ">=", "&&", "||"):
                return "bool"
            return self.type_of(fn, expr[2], env) or self.type_of(fn, expr[3], env)
        if tag == "funclit":
            return "func"
        return None

    def _init_function(self, ff: FileFacts) -> Function | None:
        return self._by_facts.get(id(ff.funcs[0])) if ff.funcs else None

    def _is_import(self, fn: Function, name: str) -> bool:
        return name in fn.file.imports and self.lookup_local(fn, name) is None

    def call_result_types(self, fn, call_expr, env=None) -> list:
        callee = call_expr[1]
        if callee[0] == "id" and callee[1] in ("make", "new") and call_expr[2]:
            arg = call_expr[2][0]
            t = self.qualify(arg[1], fn.file) if arg[0] in ("type", "id") else ""  # new(T) parses T as a name
            return ["*" + t if callee[1] == "new" else t]
        if callee[0] == "type":
            return [self.qualify(callee[1], fn.file)]
        if callee[0] == "id" and callee[1] in fn.pkg.types and self.lookup_local(fn, callee[1]) is None:
            return [f"{fn.pkg.path}#{callee[1]}"]  # conversion T(x)
        if callee[0] == "sel" and callee[1][0] == "id" and self._is_import(fn, callee[1][1]):
            path = fn.file.imports[callee[1][1]]
            pkg = self.packages.get(path)
            if pkg is not None and callee[2] in pkg.types:
                return [f"{path}#{callee[2]}"]
        for target in self.resolve_expr_call(fn, callee, env):
            f = target.function
            return [self.qualify(t, f.file) for t in f.facts.results]
        return []

    # ---- calls ---------------------------------------------------------
    def resolve_call(self, fn: Function, op: Op) -> list[Target]:
        key = (fn.id, id(op))
        cached = self._call_cache.get(key)
        if cached is None:
            cached = self.resolve_expr_call(fn, op.fn)
            self._call_cache[key] = cached
            if not cached and self.is_unknown_call(fn, op):
                self.unresolved_calls += 1
        return cached

    def is_unknown_call(self, fn: Function, op: Op) -> bool:
        """A call with no target that is neither a builtin nor a call into unanalysed code."""
        return not _is_builtin_call(op.fn) and self.external_callee(fn, op.fn) is None

    def resolve_expr_call(self, fn: Function, callee, env=None) -> list[Target]:
        tag = callee[0]
        if tag == "funclit":
            lit = self.literal(fn, callee[1])
            return [Target(lit)] if lit else []
        if tag == "idx":  # generic instantiation f[T](...)
            return self.resolve_expr_call(fn, callee[1], env)
        if tag == "id":
            name = callee[1]
            if self.lookup_local(fn, name) is not None:
                return self.func_values_of_local(fn, name)
            f = fn.pkg.funcs.get(name)
            return [Target(f)] if f else []
        if tag == "sel":
            base, mname = callee[1], callee[2]
            if base[0] == "id" and self._is_import(fn, base[1]):
                pkg = self.packages.get(fn.file.imports[base[1]])
                if pkg is not None:
                    f = pkg.funcs.get(mname)
                    return [Target(f)] if f else []
                return []
            bt = self.type_of(fn, base, env)
            if not bt:
                return []
            named = self.named(bt)
            if not named:
                return []
            if self.is_interface(named):
                out = []
                impls = self.implementations(named)
                if len(impls) > MAX_IMPLEMENTATIONS:
                    return []
                iname = named.split("#")[1]
                holder = self._field_holder(fn, base, env)
                for impl in impls:
                    if holder is not None and self.field_type(impl, base[2]) is not None \
                            and self.field_type(impl, base[2])[1] == holder:
                        continue  # a wrapper's field of the interface it implements holds the inner value
                    m = self.method(impl, mname)
                    if m is not None:
                        out.append(Target(m, f"interface {iname}.{mname}"))
                return out
            m = self.method(named, mname)
            if m is not None:
                return [Target(m)]
            ft = self.field_type(named, mname)
            if ft is not None:  # a func-typed field: the values stored in it
                return self.func_values_of_field(ft[1], mname)
            return []
        return []

    def _field_holder(self, fn, base, env):
        """For x.f used as a receiver: the named type declaring field f, else None."""
        if base[0] != "sel":
            return None
        bt = self.type_of(fn, base[1], env)
        named = self.named(bt) if bt else None
        if not named:
            return None
        ft = self.field_type(named, base[2])
        return ft[1] if ft else None

    def external_callee(self, fn: Function, callee) -> External | None:
        """For calls into unanalysed packages: which package function or method."""
        if callee[0] != "sel":
            return None
        base, name = callee[1], callee[2]
        if base[0] == "id" and self._is_import(fn, base[1]):
            path = fn.file.imports[base[1]]
            if path not in self.packages:
                return External(path, name)
            return None
        bt = self.type_of(fn, base)
        named = self.named(bt) if bt else None
        if named and named.split("#")[0] not in self.packages:
            return External(named.split("#")[0], name, named.split("#")[1])
        return None

    def literal(self, fn: Function, index: int) -> Function | None:
        """The Function of a literal; indexes are local to the file."""
        if index >= len(fn.file.funcs):
            return None
        return self._by_facts.get(id(fn.file.funcs[index]))

    def function_of(self, facts: FuncFacts) -> Function | None:
        return self._by_facts.get(id(facts))

    # ---- function values (callbacks, method values) -----------------------
    # ---- constants -----------------------------------------------------
    def const_int(self, fn: Function, expr, depth=0):
        if expr is None or depth > 8:
            return None
        tag = expr[0]
        if tag == "int":
            return expr[1] if expr[1] is not None and -(1 << 63) <= expr[1] < (1 << 64) else None
        if tag == "id":
            c = fn.pkg.consts.get(expr[1])
            return self.const_int(fn, c[0], depth + 1) if c else None
        if tag == "sel" and expr[1][0] == "id" and self._is_import(fn, expr[1][1]):
            pkg = self.packages.get(fn.file.imports[expr[1][1]])
            c = pkg.consts.get(expr[2]) if pkg else None
            if c is not None:
                init = self._init_function(c[1])
                return self.const_int(init, c[0], depth + 1) if init else None
            return None
        if tag == "bin":
            a, b = self.const_int(fn, expr[2], depth + 1), self.const_int(fn, expr[3], depth + 1)
            if a is None or b is None:
                return None
            try:
                value = {"+": a + b, "-": a - b, "*": a * b, "<<": a << b if 0 <= b < 64 else None,
                         "/": a // b if b else None}.get(expr[1])
            except (TypeError, ValueError):
                return None
            return value if value is not None and -(1 << 63) <= value < (1 << 64) else None
        if tag == "call" and expr[1][0] in ("id", "type") and len(expr[2]) == 1:
            return self.const_int(fn, expr[2][0], depth + 1)  # int(N)
        return None


_BUILTINS = {"make", "new", "len", "cap", "append", "copy", "delete", "panic", "recover", "print",
             "println", "close", "min", "max", "clear", "complex", "real", "imag"}


def _is_builtin_call(callee) -> bool:
    return callee[0] == "type" or callee[0] == "id" and (callee[1] in _BUILTINS or callee[1] in BUILTIN_TYPES)


def enclosing_regions(fn: FuncFacts, region: int):
    """Yield region indexes from region up to the function body."""
    while region >= 0:
        yield region
        region = fn.regions[region].parent
