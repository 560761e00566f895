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

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .discover import SourceFile
from .facts import FileFacts, FuncFacts, Op, TypeFacts

BUILTIN_TYPES = {
    "bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
    "uint32", "uint64", "uintptr", "byte", "rune", "float32", "float64", "complex64",
    "complex128", "error", "any", "comparable",
}
_IDENT = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)?")  # Go identifiers are Unicode letters and digits
_NAMED_CACHE: dict = {}  # named() is a pure function of its string: memoised process-wide
MAX_IMPLEMENTATIONS = 24
# Library calls that run their function argument on a new goroutine: (import path, receiver type).
SPAWNERS = {
    ("golang.org/x/sync/errgroup", "Group"),
    ("sync", "WaitGroup"),
    ("github.com/sourcegraph/conc", "WaitGroup"),
    ("github.com/sourcegraph/conc/pool", "Pool"),
}
SPAWNER_METHODS = {"Go", "TryGo"}  # an interface call fanning out wider than this is "unknown"


@dataclass(eq=False)
class Function:
    """A function, method or literal of the analysed program."""

    id: int
    facts: FuncFacts
    file: FileFacts
    pkg: "Package"
    parent: "Function | None" = None
    literals: list = field(default_factory=list)
    go_sites: list = field(default_factory=list)  # (caller Function, Op) spawning this as a goroutine
    env: dict | None = None  # local variable types, filled by Program.locals on first use

    @property
    def name(self) -> str:
        f = self.facts
        if self.parent is not None:
            n = sum(1 for lit in self.parent.literals if lit.facts.line <= f.line and lit is not self)
            return f"{self.parent.name}.func{n + 1}"
        if f.recv:
            star = "*" if f.recv_ptr else ""
            return f"({star}{f.recv}).{f.name}"
        return f.name

    @property
    def qualname(self) -> str:
        return f"{self.pkg.path}.{self.name}"

    @property
    def short(self) -> str:
        return f"{self.pkg.name}.{self.name}"

    def __repr__(self):
        return f"<Function {self.qualname}>"

    def nested_literals(self) -> list[Function]:
        """Function literals inside this function, at any depth, in source order (depth first)."""
        out: list[Function] = []
        for lit in self.literals:
            out.append(lit)
            out.extend(lit.nested_literals())
        return out

    def outermost(self) -> Function:
        """The declared function (or package initialiser) this one is nested in; itself if it is not a literal."""
        fn = self
        while fn.parent is not None:
            fn = fn.parent
        return fn


@dataclass(eq=False)
class Package:
    path: str  # import path
    name: str
    dir: str
    files: list = field(default_factory=list)
    types: dict = field(default_factory=dict)  # name -> (TypeFacts, FileFacts)
    funcs: dict = field(default_factory=dict)  # name -> Function
    methods: dict = field(default_factory=dict)  # (type name, method) -> Function
    consts: dict = field(default_factory=dict)  # name -> (Expr, FileFacts)
    vars: dict = field(default_factory=dict)  # package var -> (type or "", init Expr or None, FileFacts)


@dataclass(frozen=True)
class External:
    """A call into code we did not analyse: import path + name (+ receiver type)."""

    pkg: str
    name: str
    recv: str = ""  # qualified receiver type for methods of external types

    @property
    def qualname(self) -> str:
        return f"{self.pkg}.{self.recv + '.' if self.recv else ''}{self.name}"


@dataclass(frozen=True)
class Target:
    function: Function
    via: str = ""  # e.g. "interface ws#LongConnServer.UnRegister" when resolved by CHA


class Program:
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

    def _method_name_index(self):
        """method name -> [(pkg, type name)] of types having it, declared or promoted by embedding."""
        self._by_method: dict[str, list] = defaultdict(list)
        self._declared_methods: dict[str, set] = defaultdict(set)  # "path#Type" -> method names
        for pkg in self.packages.values():
            for (tname, mname) in pkg.methods:
                self._by_method[mname].append((pkg, tname))
                self._declared_methods[f"{pkg.path}#{tname}"].add(mname)
        for pkg in self.packages.values():
            for tname, (t, ff) in pkg.types.items():
                if t.kind != "struct" or not any(emb for _n, _t, emb in t.members):
                    continue
                named = f"{pkg.path}#{tname}"
                own = self._declared_methods.get(named, set())
                for mname in self._promoted_names(named, 0) - own:
                    self._by_method[mname].append((pkg, tname))

    def _promoted_names(self, named: str, depth: int) -> set:
        """Method names a struct gets from its embedded fields (structs and interfaces)."""
        if depth > 3:
            return set()
        out = set()
        for inner in self.embedded(named):
            if self.is_interface(inner):
                out |= set(self.interface_methods(inner))
            else:
                out |= self._declared_methods.get(inner, set())
                out |= self._promoted_names(inner, depth + 1)
        return out

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
    def qualify(self, type_str: str, ff: FileFacts) -> str:
        """Rewrite a type as written in ff into qualified form."""
        per_file = self._qualify_cache.get(id(ff))
        if per_file is None:
            per_file = self._qualify_cache[id(ff)] = {}
        cached = per_file.get(type_str)
        if cached is not None:
            return cached
        pkg = self.pkg_of(ff)

        def repl(m):
            word = m.group(0)
            if "." in word:
                alias, name = word.split(".", 1)
                path = ff.imports.get(alias)
                return f"{path}#{name}" if path else word
            if word in BUILTIN_TYPES or word in ("chan", "map", "func", "struct", "interface"):
                return word
            if word in pkg.types:
                return f"{pkg.path}#{word}"
            return word

        out = _IDENT.sub(repl, type_str)
        per_file[type_str] = out
        return out

    @staticmethod
    def named(qtype: str) -> str | None:
        """The named type a (possibly pointer) type refers to: 'path#Name' or None."""
        try:
            return _NAMED_CACHE[qtype]
        except KeyError:
            pass
        t = qtype.lstrip("*").strip()
        if t.startswith("(") and t.endswith(")"):
            t = t[1:-1].lstrip("*")
        t = t.split("[", 1)[0]
        out = _NAMED_CACHE[qtype] = t if "#" in t else None
        return out

    @staticmethod
    def elem(qtype: str) -> str:
        """Element type of a slice, array, map (value), channel or pointer-to-array."""
        t = qtype.strip().lstrip("*")
        if t.startswith("..."):
            return t[3:]
        if t.startswith("[]"):
            return t[2:]
        if t.startswith("["):
            return t[t.index("]") + 1:] if "]" in t else ""
        if t.startswith("map["):
            end = _map_key_end(t)
            return t[end + 1:] if end else ""
        for prefix in ("chan<- ", "<-chan ", "chan "):
            if t.startswith(prefix):
                return t[len(prefix):].strip()
        return ""

    def type_decl(self, named: str):
        """(TypeFacts, FileFacts) of 'path#Name' if analysed."""
        path, _, name = named.partition("#")
        pkg = self.packages.get(path)
        if pkg is None:
            return None
        return pkg.types.get(name)

    def underlying(self, qtype: str, depth=0) -> str:
        """Follow `type X chan T` style definitions to the structural type."""
        n = self.named(qtype)
        if n is None or qtype.strip().startswith("*") or depth > 5:
            return qtype
        decl = self.type_decl(n)
        if decl is None or decl[0].kind in ("struct", "interface"):
            return qtype
        return self.underlying(self.qualify(decl[0].underlying, decl[1]), depth + 1)

    def is_interface(self, named: str) -> bool:
        d = self.type_decl(named)
        return d is not None and d[0].kind == "interface"

    def embedded(self, named: str) -> list[str]:
        """Named types embedded in a struct (qualified), in declaration order."""
        d = self.type_decl(named)
        if d is None or d[0].kind != "struct":
            return []
        out = []
        for _f, ftype, emb in d[0].members:
            if emb:
                inner = self.named(self.qualify(ftype, d[1]))
                if inner is not None:
                    out.append(inner)
        return out

    def field_type(self, named: str, fname: str, depth=0) -> tuple[str, str] | None:
        """(qualified field type, declaring named type) through embedding."""
        d = self.type_decl(named)
        if d is None or d[0].kind != "struct" or depth > 4:
            return None
        t, ff = d
        for name, ftype, _emb in t.members:
            if name == fname:
                return self.qualify(ftype, ff), named
        for inner in self.embedded(named):
            found = self.field_type(inner, fname, depth + 1)
            if found:
                return found
        return None

    def interface_methods(self, named: str, depth=0) -> dict:
        """method name -> (n_params, results) including embedded interfaces."""
        d = self.type_decl(named)
        if d is None or d[0].kind != "interface" or depth > 5:
            return {}
        t, ff = d
        out = {m[0]: (m[1], m[2]) for m in t.members}
        for e in t.embeds:
            inner = self.named(self.qualify(e, ff))
            if inner:
                for k, v in self.interface_methods(inner, depth + 1).items():
                    out.setdefault(k, v)
        return out

    def method(self, named: str, mname: str, depth=0) -> Function | None:
        """The method mname of named type (pointer receivers included), through embedding."""
        key = (named, mname)
        if key in self._method_set_cache:
            return self._method_set_cache[key]
        result = None
        path, _, name = named.partition("#")
        pkg = self.packages.get(path)
        if pkg is not None:
            result = pkg.methods.get((name, mname))
            if result is None and depth < 4:
                for inner in self.embedded(named):
                    if not self.is_interface(inner):
                        result = self.method(inner, mname, depth + 1)
                        if result:
                            break
        self._method_set_cache[key] = result
        return result

    def implementations(self, iface: str) -> list[str]:
        """Concrete analysed types whose method set covers the interface (CHA)."""
        if iface in self._impl_cache:
            return self._impl_cache[iface]
        methods = self.interface_methods(iface)
        out = []
        if methods:
            # Candidates: types declaring the rarest method; then check the rest.
            rarest = min(methods, key=lambda m: len(self._by_method.get(m, ())))
            for pkg, tname in self._by_method.get(rarest, ()):
                named = f"{pkg.path}#{tname}"
                if self.is_interface(named):
                    continue
                if all(self._has_method(named, m, methods[m][0]) for m in methods):
                    out.append(named)
        out.sort()
        self._impl_cache[iface] = out
        return out

    def _has_method(self, named, mname, n_params, depth=0) -> bool:
        fn = self.method(named, mname)
        if fn is not None:
            have = len(fn.facts.params)
            return have == n_params or fn.facts.variadic
        # Promoted from an embedded interface field: the struct satisfies it by embedding.
        if depth > 3:
            return False
        for inner in self.embedded(named):
            if self.is_interface(inner):
                if mname in self.interface_methods(inner):
                    return True
            elif self._has_method(inner, mname, n_params, depth + 1):
                return True
        return False

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


def _maybe_func_value(expr) -> bool:
    return expr[0] in ("funclit", "id", "sel")


def _map_key_end(t: str) -> int:
    """Index of the `]` closing a map type's key (0 if malformed)."""
    depth = 0
    for i, ch in enumerate(t):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
    return 0


def _map_key(t: str) -> str:
    if not t.startswith("map["):
        return ""
    end = _map_key_end(t)
    return t[4:end] if end else ""


def _dedupe(targets):
    seen, out = set(), []
    for t in targets:
        if t.function.id not in seen:
            seen.add(t.function.id)
            out.append(t)
    return out


_BUILTINS = {"make", "new", "len", "cap", "append", "copy", "delete", "panic", "recover", "print",
             "println", "close", "min", "max", "clear", "complex", "real", "imag"}


def _is_builtin_call(callee) -> bool:
    return callee[0] == "type" or callee[0] == "id" and (callee[1] in _BUILTINS or callee[1] in BUILTIN_TYPES)


def enclosing_regions(fn: FuncFacts, region: int):
    """Yield region indexes from region up to the function body."""
    while region >= 0:
        yield region
        region = fn.regions[region].parent
