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

from . import expr as E
from .discover import SourceFile
from .facts import FileFacts, FuncFacts, Op
from .funcvalues import FunctionValues
from .printing import PRINTER_NAMES, PRINTERS, formatted_positions
from .symbols import External, Function, Package, Target
from .typesys import _QUALIFIED as _QUALIFIED_NAME
from .typesys import BUILTIN_TYPES, TypeSystem, _map_key

__all__ = ["BUILTIN_TYPES", "External", "Function", "Package", "Program", "Target", "enclosing_regions"]

MAX_IMPLEMENTATIONS = 24
# Calls through an interface written out in place are followed into at most this many types: such
# an interface is often a one-method view (`interface{ Close() error }`) that many types satisfy.
NARROW_WRITTEN_FANOUT = 4
_NO_TARGETS: list[Target] = []  # resolve_call's answer for every call it cannot resolve; read-only
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
        self._field_index: dict[str, dict[str, str]] = {}
        self._call_cache: dict = {}
        self._spawner_methods: dict[int, bool] = {}  # function id -> runs its last parameter on a goroutine
        self._spawns_once: dict[int, bool] = {}  # function id -> see _runs_it_once
        # function id -> receiver and parameter names declared again in inner blocks (_redeclared)
        self._redeclarations: dict[int, dict[str, list]] = {}
        # id(op) << 32 | fn.id -> (op, the method calls a printing call makes): see implicit_calls
        self._implicit: dict = {}
        self._by_facts: dict = {}
        self._declared: dict = {}
        self._resolved_to_nothing: list[tuple[Function, Op]] = []
        self._instantiated: set[str] | None = None
        self._possible_impls: dict[str, list[str]] = {}  # see possible_implementations
        self._impls_seen_from: dict[tuple[str, str], list[str]] = {}  # see implementations_seen_from
        self._written_interfaces: dict[tuple[str, str, str], list[Target]] = {}  # see _written_interface_targets
        self._module_users: dict[str, set[str]] | None = None  # see _modules_meet
        # Answers of type_of and external_callee, kept once the program is linked (see `type_of`).
        self._types: dict[int, tuple] | None = None
        self._externals: dict[int, tuple] = {}
        # One External per (package, name, receiver): a large program makes the same few thousand
        # from hundreds of thousands of call sites, and external_callee keeps one per site.
        self._external_values: dict[tuple[str, str, str], External] = {}
        # Computations under way whose answers so far are partial (an environment being
        # built, a function value being resolved): while one runs, nothing is kept.
        self._partial = 0
        # Locals' function values found during one outermost `func_values_of_local` query (see there).
        self._local_values_depth = 0
        self._local_values_memo: dict[tuple[int, str], list[Target]] = {}
        self._functions_by_pkg: dict[str, list[Function]] | None = None
        self._made_as: dict[tuple[int, str], str | None] = {}  # see made_as
        self._assignments_by_owner: dict[int, dict[str, list]] = {}  # see _local_assignments
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
                pkg.module = src.module if src else ""
            pkg.files.append(ff)
            self._file_pkg[id(ff)] = pkg
        self._index()
        self._method_name_index()
        self._link_calls()
        self._types = {}

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
                for _fi, f in enumerate(ff.funcs):
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
                                    name = E.ident(t)
                                    if name is not None:
                                        init = op.args[i] if i < len(op.args) else None
                                        pkg.vars.setdefault(name, (op.vtype, init, ff))
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
                elif self.is_spawner_call(fn, op):
                    for t in self._func_value(fn, op.args[-1]):
                        t.function.go_sites.append((fn, op))

    def package_functions(self, pkg_path: str) -> list[Function]:
        """Every function of one package, literals included, in program order.

        Only a package's own code can name its unexported fields and functions, so a
        question about one of those reads one package, not the program: answering it
        per query stays linear however many queries a large program asks.
        """
        if self._functions_by_pkg is None:
            by_pkg: dict[str, list[Function]] = {}
            for fn in self.functions:
                by_pkg.setdefault(fn.pkg.path, []).append(fn)
            self._functions_by_pkg = by_pkg
        return self._functions_by_pkg.get(pkg_path, [])

    def functions_naming_field(self, named: str, fname: str) -> list[Function]:
        """The functions that can select field fname of the tree type named (`pkg#T`).

        An unexported field is named only in its type's package; an exported one anywhere.
        """
        if fname[:1].islower() or fname[:1] == "_":
            return self.package_functions(named.split("#")[0])
        return self.functions

    def made_as(self, fn: Function, name: str) -> str | None:
        """The one named type every value of local `name` has, when each assignment to it calls a
        function of the tree whose every `return` hands back a value of that concrete type
        (`&pubSub{...}`, or a local made so) or nil, though the local (or the function's result) is
        declared as an interface; else None.

        A parameter, or a local assigned anything else, may hold any implementation.
        """
        owner = self.declaring_function(fn, name)
        if owner is None or any(p == name for p, _t in owner.facts.params):
            return None
        key = (owner.id, name)
        if key in self._made_as:
            return self._made_as[key]
        self._made_as[key] = None  # recursion: unknown while it is worked out
        answer = self._made_as_now(owner, name)
        if self._partial:
            del self._made_as[key]  # read while function values were half known: asked again later
        else:
            self._made_as[key] = answer
        return answer

    def _made_as_now(self, owner: Function, name: str) -> str | None:
        made: set[str] = set()
        for f, op in self._local_assignments(owner).get(name, ()):
            position = next(k for k, t in enumerate(op.targets) if E.is_ident(t, name))
            if len(op.args) == len(op.targets):
                value, result = op.args[position], 0
            elif len(op.args) == 1:
                value, result = op.args[0], position
            else:
                return None
            called = E.call(value)
            if called is None:
                return None
            callees = self.resolve_expr_call(f, called[0])
            if not callees or any(t.via for t in callees):
                return None
            for t in callees:
                one = self._returned_literal_type(t.function, result)
                if one is None:
                    return None
                made.add(one)
        return made.pop() if len(made) == 1 else None

    def _local_assignments(self, owner: Function) -> dict[str, list]:
        """Name -> (function, assign op) of the assignments in owner and its literals, read once per
        function: asking it for each of a long function's locals would read the function each time."""
        found = self._assignments_by_owner.get(owner.id)
        if found is None:
            found = self._assignments_by_owner[owner.id] = {}
            for f in (owner, *owner.nested_literals()):
                for op in f.facts.ops:
                    if op.kind == "assign":
                        for t in op.targets:
                            n = E.ident(t)
                            if n is not None:
                                found.setdefault(n, []).append((f, op))
        return found

    def _returned_literal_type(self, g: Function, result: int) -> str | None:
        """The one concrete named type every non-nil `return` of g hands back at `result` (a literal
        `&pubSub{...}`, or a local typed by one), else None."""
        found: set[str] = set()
        for op in g.facts.ops:
            if op.kind != "return":
                continue
            if result >= len(op.args):
                return None
            a = op.args[result]
            if E.is_nil(a):
                continue
            comp = E.composite(E.strip_address(a))
            if comp is not None:
                named = self.named(self.qualify(comp[0], g.file)) if comp[0] else None
            elif E.ident(a) is not None:
                t = self.type_of(g, a)
                named = self.named(t) if t else None
            else:
                return None
            if not named or self.is_interface(named):
                return None
            found.add(named)
        return found.pop() if len(found) == 1 else None

    def is_spawner_call(self, fn: Function, op) -> bool:
        """op is a plain call of a library method that runs its last argument on a new goroutine
        (`g.Go(f)` of an errgroup, `wg.Go(f)`, conc's pools): by the receiver's type, or for a
        local that `errgroup.WithContext` returned, whose result type the model does not hold."""
        if op.kind != "call" or op.mode != "plain" or not op.args:
            return False
        if self.is_timer_start(fn, op):
            return True
        if E.selected_name(op.fn) not in SPAWNER_METHODS:
            # `sh.QueryAsync(q, func(...) { replies <- ... })`: a function of the tree, whatever its
            # name, that runs the literal it is given on a goroutine it starts
            if E.funclit(op.args[-1]) is None:
                return False
            targets = self.resolve_call(fn, op)
            return (
                len(targets) == 1
                and not targets[0].via
                and self._runs_last_parameter_on_goroutine(targets[0].function)
                and self._runs_it_once(targets[0].function)
            )
        ext = self.external_callee(fn, op.fn)
        if ext is not None:
            return (ext.pkg, ext.recv) in SPAWNERS
        targets = self.resolve_call(fn, op)
        if len(targets) == 1 and not targets[0].via and self._runs_last_parameter_on_goroutine(targets[0].function):
            return True  # an in-tree group's `Go` (`go func() { defer g.wg.Done(); fn() }()`)
        if targets and all(t.via and self._runs_last_parameter_on_goroutine(t.function) for t in targets):
            return True  # `u.Exec.Go(f)` through an interface every implementation of which spawns f
        name = E.ident(E.selector_base(op.fn))
        owner = self.declaring_function(fn, name) if name is not None else None
        if owner is None or name is None:
            return False
        for a in owner.facts.ops:
            if a.kind == "assign" and a.targets and E.is_ident(a.targets[0], name) and len(a.args) == 1:
                called = E.call(a.args[0])
                made_by = self.external_callee(owner, called[0]) if called is not None else None
                if made_by is not None and (made_by.pkg, made_by.name) == ("golang.org/x/sync/errgroup", "WithContext"):
                    return True
        return False

    def parameter_at(self, fn: Function, op, position: int, direct: bool = True) -> tuple[Function, str] | None:
        """(callee, parameter name) for argument `position` of the call op: the one function of the
        tree the call reaches (directly, not through an interface, unless `direct` is False), and
        its named parameter there, not the variadic one. None otherwise."""
        targets = self.resolve_call(fn, op)
        if len(targets) != 1 or (direct and targets[0].via):
            return None
        callee = targets[0].function
        params = callee.facts.params
        if position >= len(params) or (callee.facts.variadic and position >= len(params) - 1):
            return None
        name = params[position][0]
        return (callee, name) if name and name != "_" else None

    def _runs_last_parameter_on_goroutine(self, fn: Function) -> bool:
        """fn's last parameter is a function it runs on a goroutine it starts: `go f()`, or a `go`
        literal calling it plainly (`go func() { defer g.wg.Done(); if err := f(); ... }()`). Once
        per function."""
        known = self._spawner_methods.get(fn.id)
        if known is not None:
            return known
        found = False
        params = fn.facts.params
        name = params[-1][0] if params else ""
        if name and name != "_" and not fn.facts.variadic:
            for op in fn.facts.ops:
                if op.kind != "call" or op.mode != "go":
                    continue
                if E.is_ident(op.fn, name):
                    found = True
                    break
                number = E.funclit(op.fn)
                lit = self.literal(fn, number) if number is not None else None
                if lit is not None and any(
                    o.kind == "call" and o.mode == "plain" and E.is_ident(o.fn, name) for o in lit.facts.ops
                ):
                    found = self.declaring_function(lit, name) is fn
                    break
        self._spawner_methods[fn.id] = found
        return found

    def _runs_it_once(self, fn: Function) -> bool:
        """fn starts its goroutines outside any loop, and they call fn's last parameter outside any
        loop: the literal fn is given runs once, as a `go` statement's would (a listener pool calling
        its callback for every request runs it many times, on many goroutines). Once per function."""
        known = self._spawns_once.get(fn.id)
        if known is not None:
            return known
        name = fn.facts.params[-1][0] if fn.facts.params else ""
        once = True
        for op in fn.facts.ops:
            if op.kind != "call" or op.mode != "go":
                continue
            number = E.funclit(op.fn)
            lit = self.literal(fn, number) if number is not None else None
            if _in_a_loop(fn, op.region) or (
                lit is not None
                and any(
                    o.kind == "call" and E.is_ident(o.fn, name) and _in_a_loop(lit, o.region) for o in lit.facts.ops
                )
            ):
                once = False
                break
        self._spawns_once[fn.id] = once
        return once

    def is_timer_start(self, fn: Function, op) -> bool:
        """`time.AfterFunc(d, f)`: f runs on a goroutine of its own once d has passed, and nothing waits
        for it (unlike a group's `Go`). Counted as a start only when the Timer it returns is dropped or
        never stopped in fn: a `t.Stop()` may keep f from running at all, which the goroutine's
        analyses cannot weigh."""
        if op.kind != "call" or op.mode != "plain" or len(op.args) != 2 or E.selected_name(op.fn) != "AfterFunc":
            return False
        ext = self.external_callee(fn, op.fn)
        if ext is None or (ext.pkg, ext.recv, ext.name) != ("time", "", "AfterFunc"):
            return False
        index = next((i for i, o in enumerate(fn.facts.ops) if o is op), -1)
        for other in fn.facts.ops:
            if other.kind == "assign" and any(E.call_number(a) == index for a in other.args):
                names = {E.ident(t) for t in other.targets} - {None, "_"}
                for o in fn.facts.ops:
                    if o.kind == "call" and E.selected_name(o.fn) == "Stop" and E.ident(E.selector_base(o.fn)) in names:
                        return False
                if any(E.selector(t) is not None for t in other.targets):
                    return False  # kept in a field: stopped elsewhere, maybe
        return True

    # ---- types ---------------------------------------------------------
    def possible_implementations(self, iface: str) -> list[str]:
        """The implementations (CHA, by signature) a value of the interface can have at run time.

        Rapid type analysis: a struct type the program never makes (no `T{}`,
        `&T{}`, `new(T)`, zero value of a `var`, field, element or result) has
        no values, so calling through the interface cannot run its methods;
        decoys that only declare a method of the same name drop out. Other
        defined types (`type F func()`, `type N int`) get values by implicit
        conversion, and an exported struct of a library package can be made by
        code outside the analysed roots: those always count.

        Kept per interface: the link asks again at every call through it
        (interface calls in call-result types are not cached per call).
        Callers only read the list.
        """
        cached = self._possible_impls.get(iface)
        if cached is None:
            made = self.instantiated_types()
            cached = [t for t in self.implementations(iface) if t in made or not self._only_made_here(t)]
            self._possible_impls[iface] = cached
        return cached

    def implementations_seen_from(self, iface: str, fn: Function) -> list[str]:
        """The possible implementations whose values can reach a call in fn: those of a module that
        some analysed module uses together with fn's (see `_modules_meet`).

        Several unrelated projects analysed as one program (a deployment of services, the
        benchmarks' scenarios) would otherwise send a call through an interface of one into
        every type of the others that has its methods (`Do(*http.Request)`): targets no
        program can reach, and interfaces pushed over MAX_IMPLEMENTATIONS, which then resolve
        to nothing, so a project's findings depended on what was analysed beside it.
        """
        module = fn.pkg.module
        key = (iface, module)
        cached = self._impls_seen_from.get(key)
        if cached is None:
            impls = self.possible_implementations(iface)
            cached = [t for t in impls if self._modules_meet(module, self._module_of(t))]
            if len(cached) == len(impls):
                cached = impls
            self._impls_seen_from[key] = cached
        return cached

    def _module_of(self, named: str) -> str:
        pkg = self.packages.get(named.partition("#")[0])
        return pkg.module if pkg is not None else ""

    def _modules_meet(self, a: str, b: str) -> bool:
        """Values can pass between modules a and b: the same module, or an analysed module that
        imports both, directly or through others (a module imports itself). Unknown modules ("")
        meet every module. A program outside the analysed tree importing both is not seen: two
        modules that no analysed code combines are taken as never combined."""
        if a == b or not a or not b:
            return True
        users = self._module_users
        if users is None:
            users = self._module_users = self._modules_used_by()
        return not users.get(a, {a}).isdisjoint(users.get(b, {b}))

    def _modules_used_by(self) -> dict[str, set[str]]:
        """module -> the analysed modules that import it, directly or through others, itself included."""
        imports: dict[str, set[str]] = {}
        for pkg in self.packages.values():
            if not pkg.module:
                continue
            mine = imports.setdefault(pkg.module, set())
            for ff in pkg.files:
                for path in ff.imports.values():
                    other = self.packages.get(path)
                    if other is not None and other.module and other.module != pkg.module:
                        mine.add(other.module)
        users: dict[str, set[str]] = {m: {m} for m in imports}
        for user in imports:
            stack, seen = [user], {user}
            while stack:
                for used in imports.get(stack.pop(), ()):
                    if used not in seen:
                        seen.add(used)
                        users.setdefault(used, {used}).add(user)
                        stack.append(used)
        return users

    def _written_interface_targets(self, fn: Function, typ: str, mname: str) -> list[Target]:
        """A call through an interface written out in place (`peers interface{ Instances(string)
        []Instance }`): the types of the program declaring every method it lists, as for a named
        interface (made by the program, of modules that meet fn's), when they are at most
        NARROW_WRITTEN_FANOUT. An interface embedding another, or one with no method, resolves to
        nothing."""
        text = " ".join(typ.split())
        if not text.startswith("interface{") or not text.endswith("}"):
            return []
        key = (text, fn.pkg.module, mname)
        cached = self._written_interfaces.get(key)
        if cached is not None:
            return cached
        out: list[Target] = []
        members = [m.strip() for m in _split_members(text[len("interface{") : -1])]
        names = [m.split("(", 1)[0].strip() for m in members if m]
        if names and all(n.isidentifier() and "(" in m for n, m in zip(names, members, strict=True)):
            if mname in names:
                rarest = min(names, key=lambda m: len(self._by_method.get(m, ())))
                made = self.instantiated_types()
                found = []
                for pkg, tname in self._by_method.get(rarest, ()):
                    named = f"{pkg.path}#{tname}"
                    if self.is_interface(named) or not all(self.method(named, m) is not None for m in names):
                        continue
                    if named not in made and self._only_made_here(named):
                        continue
                    if self._modules_meet(fn.pkg.module, self._module_of(named)):
                        found.append(named)
                if len(found) <= NARROW_WRITTEN_FANOUT:
                    for named in sorted(set(found)):
                        m = self.method(named, mname)
                        if m is not None:
                            out.append(Target(m, f"interface {text}.{mname}"))
        self._written_interfaces[key] = out
        return out

    def _only_made_here(self, named: str) -> bool:
        """named is a struct type that only the analysed code can make (unexported, or in package main)."""
        d = self.type_decl(named)
        if d is None or d[0].kind != "struct":
            return False
        pkg = self.packages.get(named.partition("#")[0])
        return not named.partition("#")[2][:1].isupper() or pkg is None or pkg.name == "main"

    def instantiated_types(self) -> set[str]:
        """Named types the program may make a value of: value fields of structs, and what each
        file's functions make (`made.made_types`, worked out at parse time and cached).

        Each file's distinct type texts are qualified once.
        """
        if self._instantiated is not None:
            return self._instantiated
        texts: dict[int, tuple[FileFacts, set[str]]] = {}
        for pkg in self.packages.values():
            for t, ff in pkg.types.values():
                if t.kind == "struct":
                    written = texts.setdefault(id(ff), (ff, set()))[1]
                    for _name, ftype, _emb in t.members:
                        # a value field is a zero value; a bare `*T` makes no T
                        if ftype and (not ftype.startswith("*") or "[" in ftype):
                            written.add(ftype)
        for pkg in self.packages.values():
            for ff in pkg.files:
                written = texts.setdefault(id(ff), (ff, set()))[1]
                written.update(ff.made_types)
                written.update(n for n in ff.conversion_names if n in pkg.types)
        made: set[str] = set()
        for ff, written in texts.values():
            for text in written:
                made.update(_QUALIFIED_NAME.findall(self.qualify(text, ff)))
        self._instantiated = made
        return made

    def locals(self, fn: Function) -> dict:
        """name -> qualified type for params, receiver, results and inferable locals."""
        cached = fn.env
        if cached is not None:
            return cached
        env: dict[str, str] = {}
        fn.env = env  # guards recursion through literals
        self._partial += 1
        try:
            self._fill_locals(fn, env)
        finally:
            self._partial -= 1
        return env

    def _fill_locals(self, fn: Function, env: dict) -> None:
        f, ff = fn.facts, fn.file
        if f.recv_name:
            env[f.recv_name] = self.qualify(("*" if f.recv_ptr else "") + f.recv, ff)
        for name, t in f.params:
            if name and name != "_":
                env[name] = self.qualify(t, ff)
        # The receiver and parameters keep their type: a `:=` of the same name can only shadow
        # them in an inner block (`js, total := s.tracked()` inside an `if`), where the flat
        # name -> type map cannot tell the two apart; the function-wide meaning wins.
        signature = set(env)
        for op in f.ops:
            if op.kind != "assign" or op.mode not in (":=", "var", "="):
                continue
            if op.mode == "var" and op.vtype:
                for t in op.targets:
                    name = E.ident(t)
                    if name is not None and name not in signature:
                        env[name] = self.qualify(op.vtype, ff)
                continue
            types = self._rhs_types(fn, op, env)
            for i, t in enumerate(op.targets):
                name = E.ident(t)
                if name in signature:
                    continue
                if name is not None and name != "_" and i < len(types) and types[i]:
                    if op.mode != "=" or name not in env:
                        env[name] = types[i]

    def _rhs_types(self, fn, op, env) -> list:
        if len(op.args) == 1 and len(op.targets) > 1:
            rhs = op.args[0]
            if E.call(rhs) is not None:
                return self.call_result_types(fn, rhs, env)
            ranged = E.ranged(rhs)
            if ranged is not None:
                t = self.type_of(fn, ranged, env) or ""
                u = self.underlying(t) if t else ""
                if u.startswith("map["):
                    return [_map_key(u), self.elem(u)]
                if u.lstrip("*").startswith("[") or u.startswith("..."):
                    return ["int", self.elem(u)]
                return ["", ""]
            if E.index(rhs) is not None or E.assertion(rhs) is not None or E.received(rhs) is not None:
                return [self.type_of(fn, rhs, env), "bool"]  # v, ok := m[k] / x.(T) / <-ch
            return []
        ranged = E.ranged(op.args[0]) if len(op.args) == 1 else None
        if ranged is not None:
            t = self.type_of(fn, ranged, env) or ""
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
            d = self._declared[fn.id] = declared_names(fn)
        return d

    def declaring_function(self, fn: Function, name: str) -> Function | None:
        """The function a name used in fn belongs to: fn itself or, inside a function
        literal, the innermost enclosing function that declares it. None means the
        name is package-level (function, type, variable, constant) or an import.
        The rules that follow values through variables (GIM2xx ownership, GIM3xx
        address tracing) ask this, so both resolve names the same way."""
        f: Function | None = fn
        while f is not None:
            if name in self.declared(f):
                return f
            f = f.parent
        return None

    def refers_to_import(self, fn: Function, name: str) -> bool:
        """`name` used in fn is an imported package: the file imports it and no local shadows it."""
        return name in fn.file.imports and self.declaring_function(fn, name) is None

    def lookup_local(self, fn: Function, name: str) -> str | None:
        f: Function | None = fn
        while f is not None:
            env = self.locals(f)
            if name in env:
                return env[name]
            f = f.parent
        return None

    def type_of(self, fn: Function, expr, env=None) -> str | None:
        """Qualified static type of an expression, or None when unknown.

        Rules and layers ask the type of the same expression again and again
        (grpc-go: 185,000 calls after the link, 29,000 distinct). After the
        link, an answer computed while no partial computation is under way
        (`_partial`: an environment or a function value being built) reads
        only finished caches, so it is the answer every later call would
        compute: it is kept. During the link, or under such a computation,
        nothing is kept. An entry holds the expression itself, so its id
        cannot be reused by another expression while the entry exists.
        """
        types = self._types
        if env is not None or types is None or self._partial:
            return self._type_of(fn, expr, env)
        key = id(expr) << 32 | fn.id
        entry = types.get(key)
        if entry is not None and entry[0] is expr:
            return entry[1]
        t = self._type_of(fn, expr, None)
        if not self._partial:
            types[key] = (expr, t)
        return t

    def forget_answers(self) -> None:
        """Drop the kept answers of type_of and external_callee.

        Each is the answer every later asking would compute (see type_of), so
        dropping one changes no result, only time. The engine calls this
        between families of rules: the answers one family asked for (10,191
        files: about 400,000 expressions and calls) would otherwise sit under
        the next family's peak, which asks mostly for others.
        """
        if self._types is not None:
            self._types = {}
        self._externals = {}

    def field_holder(self, fn: Function, base, depth=0) -> str | None:
        """The key that the fields of `base` are written and read under: its named type ('path#T'),
        or, for an anonymous struct held in a field (`cfg.Server` of `Server struct{ Host string }`),
        the field path from the nearest named type ('path#Config.Server'), so that `cfg.Server.Host`
        is the same field wherever the config is read. None when neither is known."""
        t = self.type_of(fn, base)
        if t is None:
            return None
        named = self.named(t)
        if named is not None or depth > 3 or not t.lstrip("*").replace(" ", "").startswith("struct{"):
            return named
        sel = E.selector(base)
        if sel is None:
            return None
        outer = self.field_holder(fn, sel[0], depth + 1)
        return f"{outer}.{sel[1]}" if outer is not None else None

    def _type_of(self, fn: Function, expr, env) -> str | None:
        if expr is None:
            return None
        name = E.ident(expr)
        if name is not None:
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
                if init is not None and E.ident(init) is None:
                    init_fn = self._init_function(vff)
                    return self.type_of(init_fn, init, {}) if init_fn else None
            return None
        sel = E.selector(expr)
        if sel is not None:
            base, fname = sel
            path = self.imported_path(fn, base)
            if path is not None:
                pkg = self.packages.get(path)
                if pkg is None:
                    return _EXTERNAL_VARS.get((path, fname))
                if fname in pkg.vars:
                    vtype, init, vff = pkg.vars[fname]
                    if vtype:
                        return self.qualify(vtype, vff)
                    if init is not None and E.ident(init) is None:  # var Ring = &HashRing{}: typed by its initialiser
                        init_fn = self._init_function(vff)
                        return self.type_of(init_fn, init, {}) if init_fn else None
                return None
            bt = self.type_of(fn, base, env)
            if not bt:
                return None
            named = self.named(bt)
            if named:
                ft = self.field_type(named, fname)
                if ft:
                    return ft[0]
                m = self.method(named, fname)
                if m is not None:
                    return "func"
                return _STDLIB_FIELDS.get((named, fname))
            return None
        if E.call(expr) is not None:
            types = self.call_result_types(fn, expr, env)
            return types[0] if types else None
        un = E.unary(expr)
        if un is not None:
            op, operand = un
            inner = self.type_of(fn, operand, env)
            if op == "&":
                return "*" + inner if inner else None
            if op == "*":
                return inner[1:] if inner and inner.startswith("*") else None
            if op == "<-":
                return self.elem(self.underlying(inner)) if inner else None
            return inner
        comp = E.composite(expr)
        if comp is not None:
            return self.qualify(comp[0], fn.file) if comp[0] else None
        idx = E.index(expr)
        if idx is not None:
            bt = self.type_of(fn, idx[0], env)
            if bt:
                return self.elem(self.underlying(bt)) or None
            return None
        sliced = E.sliced(expr)
        if sliced is not None:
            return self.type_of(fn, sliced, env)
        asserted = E.assertion(expr)
        if asserted is not None:
            return self.qualify(asserted[1], fn.file) if asserted[1] else None
        if E.string(expr) is not None:
            return "string"
        if E.is_int_literal(expr):
            return "int"
        binary = E.binary(expr)
        if binary is not None:
            if binary[0] in ("==", "!=", "<", ">", "<=", ">=", "&&", "||"):
                return "bool"
            return self.type_of(fn, binary[1], env) or self.type_of(fn, binary[2], env)
        if E.funclit(expr) is not None:
            return "func"
        return None

    def _init_function(self, ff: FileFacts) -> Function | None:
        return self._by_facts.get(id(ff.funcs[0])) if ff.funcs else None

    def _is_import(self, fn: Function, name: str) -> bool:
        return name in fn.file.imports and self.lookup_local(fn, name) is None

    def imported_path(self, fn: Function, expr) -> str | None:
        """The import path when expr names an imported package in fn (`http` in `http.Get`), else None."""
        name = E.ident(expr)
        if name is None or not self._is_import(fn, name):
            return None
        return fn.file.imports[name]

    def call_result_types(self, fn, call_expr, env=None) -> list:
        called = E.call(call_expr)
        if called is None:
            return []
        callee, args, _n = called
        name = E.ident(callee)
        if name in ("make", "new") and args:
            written = E.type_text(args[0]) or E.ident(args[0])  # new(T) parses T as a name
            t = self.qualify(written, fn.file) if written is not None else ""
            return ["*" + t if name == "new" else t]
        if name == "append" and args and self.lookup_local(fn, name) is None:
            # `hs := append([]Handler(nil), e.handlers[t]...)`: a copy has the type of what it extends
            extended = self.type_of(fn, args[0], env)
            return [extended] if extended else []
        conversion = E.type_text(callee)
        if conversion is not None:
            return [self.qualify(conversion, fn.file)]
        if name is not None and name in fn.pkg.types and self.lookup_local(fn, name) is None:
            return [f"{fn.pkg.path}#{name}"]  # conversion T(x)
        sel = E.selector(callee)
        path = self.imported_path(fn, sel[0]) if sel is not None else None
        if sel is not None and path is not None:
            pkg = self.packages.get(path)
            if pkg is not None and sel[1] in pkg.types:
                return [f"{path}#{sel[1]}"]
            known = _EXTERNAL_RESULTS.get((path, sel[1]))
            if known is not None and pkg is None:
                return list(known)
        for target in self.resolve_expr_call(fn, callee, env):
            f = target.function
            return [self.qualify(t, f.file) for t in f.facts.results]
        if sel is not None and path is None and sel[1] in _EXTERNAL_METHOD_NAMES:
            known = self._external_method_result(fn, callee, env, 0)
            if known is not None:
                return list(known)
        if E.call(callee) is not None:
            # `buildCtx(timeout)(id)`: the inner call returns a value of a func type of the tree
            returned = self.call_result_types(fn, callee, env)
            named = self.named(returned[0]) if len(returned) == 1 else None
            decl = self.type_decl(named) if named else None
            if decl is not None and decl[0].kind == "func":
                return [self.qualify(t, decl[1]) for t in func_type_results(decl[0].underlying)]
        return []

    def _external_method_result(self, fn: Function, callee, env, depth: int) -> tuple | None:
        """The result types of `x.M` for a method M of another module's type in
        _EXTERNAL_METHOD_RESULTS (`client.Bucket(b).Object(o).NewWriter(ctx)`). A receiver that is
        itself such a call is followed here, three deep at most; any other receiver is typed
        once by type_of, unless it is a call, so a long chain costs no more than its length."""
        sel = E.selector(callee)
        if sel is None or depth > 3:
            return None
        base = sel[0]
        inner = E.call(base)
        if inner is not None:
            inner_sel = E.selector(inner[0])
            if inner_sel is None or inner_sel[1] not in _EXTERNAL_METHOD_NAMES:
                return None
            got = self._external_method_result(fn, inner[0], env, depth + 1)
            bt = got[0] if got else None
        else:
            bt = self.type_of(fn, base, env)
        named = self.named(bt) if bt else None
        if named is None:
            return None
        pkg_path, _, recv = named.partition("#")
        if pkg_path in self.packages:
            return None
        return _EXTERNAL_METHOD_RESULTS.get((pkg_path, recv, sel[1]))

    # ---- calls ---------------------------------------------------------
    def resolve_call(self, fn: Function, op: Op) -> list[Target]:
        """Where a call can go, cached per call.

        The cache holds an entry for every call of the program (grpc-go:
        79,000), read by every rule lane: its key is one integer rather than a
        pair, and the 47,000 calls with no target share one empty list (never
        mutated: callers only read what this returns). 6.7 MB less on grpc-go.
        """
        key = id(op) << 32 | fn.id
        cached = self._call_cache.get(key)
        if cached is None:
            cached = self.resolve_expr_call(fn, op.fn, self._shadowed_env(fn, op)) or _NO_TARGETS
            if self._partial and not cached:
                # asked while an environment or a function value is being built: "nowhere" may only
                # mean "not typed yet" (`es.receive(gctx)` in a literal of the function whose locals
                # are being typed), so it is not kept
                return cached
            self._call_cache[key] = cached
            if not cached:
                self._resolved_to_nothing.append((fn, op))
        return cached

    def _shadowed_env(self, fn: Function, op: Op) -> dict | None:
        """The local types at a method call whose base is a receiver or parameter name that an
        inner block declares again, in scope at the call: `for _, c := range c.parts { c.Close() }`
        in a method of receiver `c` calls the part's `Close`. The function-wide types (`locals`)
        keep the receiver's meaning; None when the call's base is not such a name."""
        sel = E.selector(op.fn)
        name = E.ident(sel[0]) if sel is not None else None
        decls = self._redeclared(fn).get(name) if name is not None else None
        if not decls:
            return None
        facts = fn.facts
        around = set(enclosing_regions(facts, op.region))
        shadow_at = None
        for d, i in decls:  # in source order: the last one before the call, in scope, wins
            if (d.line, d.col) >= (op.line, op.col):
                break  # declared after the call (a made `String` call sits at its printing call)
            if d.region in around:
                shadow_at = (d, i)
        if shadow_at is None:
            return None
        d, i = shadow_at
        env = dict(self.locals(fn))
        types = self._rhs_types(fn, d, env)
        shadow = types[i] if i < len(types) else None
        if not shadow:
            env.pop(name, None)  # a shadow of unknown type: no target rather than a wrong one
        else:
            env[name] = shadow
        return env

    def _redeclared(self, fn: Function) -> dict[str, list]:
        """The `:=` (and `range`) declarations of fn's receiver and parameter names in inner blocks,
        by name, in source order: read once per function, not once per call (most functions have
        none, and then no call of theirs looks any further)."""
        found = self._redeclarations.get(fn.id)
        if found is None:
            facts = fn.facts
            names = {p for p, _t in facts.params if p} | ({facts.recv_name} if facts.recv_name else set())
            found = {}
            for d in facts.ops:
                if d.kind == "assign" and d.mode == ":=":
                    for i, t in enumerate(d.targets):
                        name = E.ident(t)
                        if name is not None and name in names:
                            found.setdefault(name, []).append((d, i))
            self._redeclarations[fn.id] = found
        return found

    def implicit_calls(self, fn: Function, op: Op) -> tuple[Op, ...]:
        """The `String`/`Error` calls a standard printing call makes on its operands, as call ops.

        `fmt.Sprintf("peer %v", p)` runs `p.String()` when p's type, declared in
        the analysed code, has that method in its method set (a pointer
        receiver needs a pointer operand); `Error` wins over `String`, as in
        fmt. The ops made are kept with the call, so each keeps one identity
        (resolve_call's cache is keyed by it) and sits at the printing call's
        position, its vtype naming the printing function (`fmt.Sprintf`) for
        messages. See printing.py for what of a format is read.
        """
        if op.kind != "call" or not op.args or E.selected_name(op.fn) not in PRINTER_NAMES:
            return ()  # most calls: no cache entry (grpc-go has 47,000 calls with no target)
        key = id(op) << 32 | fn.id
        entry = self._implicit.get(key)
        if entry is not None and entry[0] is op:
            return entry[1]
        made = self._make_implicit_calls(fn, op)
        self._implicit[key] = (op, made)
        return made

    def _make_implicit_calls(self, fn: Function, op: Op) -> tuple[Op, ...]:
        ext = self.external_callee(fn, op.fn)
        kind = PRINTERS.get((ext.pkg, ext.name)) if ext is not None and not ext.recv else None
        if ext is None or kind is None:
            return ()
        printer = f"{ext.pkg}.{ext.name}"
        fmt = self.const_string(fn, op.args[kind[0]]) if 0 <= kind[0] < len(op.args) else None
        positions = formatted_positions(kind, len(op.args), fmt)
        made = []
        for i in positions or ():
            arg = op.args[i]
            t = self.type_of(fn, arg)
            named = self.named(t) if t else None
            if t is None or not named or self.is_interface(named):
                continue
            for mname in ("Error", "String"):
                m = self.method(named, mname)
                if m is None or m.facts.params or len(m.facts.results) != 1:
                    continue
                if m.facts.recv_ptr and not t.startswith("*"):
                    break  # not in a value's method set: fmt prints the fields
                made.append(op._replace(fn=E.make_selector(arg, mname), args=(), vtype=printer))
                break
        return tuple(made)

    @property
    def unresolved_calls(self) -> int:
        """How many calls resolved so far reach no target and are neither builtins nor calls into unanalysed code.

        Told apart when asked (only `--debug` prints it), not as each call is
        resolved: `is_unknown_call` types every such callee's base again,
        a tenth of the link's time.
        """
        return sum(1 for fn, op in self._resolved_to_nothing if self.is_unknown_call(fn, op))

    def interface_width(self, fn: Function, op: Op) -> int:
        """For a method call on an interface value: how many implementations it may run; else 0."""
        sel = E.selector(op.fn)
        if sel is None or self.imported_path(fn, sel[0]) is not None:
            return 0
        bt = self.type_of(fn, sel[0])
        named = self.named(bt) if bt else None
        if not named or not self.is_interface(named):
            return 0
        return len(self.implementations_seen_from(named, fn))

    def is_unknown_call(self, fn: Function, op: Op) -> bool:
        """A call with no target that is neither a builtin nor a call into unanalysed code."""
        return not _is_builtin_call(op.fn) and self.external_callee(fn, op.fn) is None

    def resolve_expr_call(self, fn: Function, callee, env=None) -> list[Target]:
        name = E.ident(callee)
        if name is not None:
            if self.lookup_local(fn, name) is not None:
                return self.func_values_of_local(fn, name)
            f = fn.pkg.funcs.get(name)
            return [Target(f)] if f else []
        sel = E.selector(callee)
        if sel is not None:
            base, mname = sel
            path = self.imported_path(fn, base)
            if path is not None:
                pkg = self.packages.get(path)
                if pkg is not None:
                    f = pkg.funcs.get(mname)
                    return [Target(f)] if f else []
                return []
            bt = self.type_of(fn, base, env)
            if not bt:
                return []
            named = self.named(bt)
            if not named:
                return self._written_interface_targets(fn, bt, mname)
            if self.is_interface(named):
                out = []
                impls = self.implementations_seen_from(named, fn)
                iname = named.split("#")[1]
                local = E.ident(base)
                made = self.made_as(fn, local) if local is not None else None
                if made is not None and made in impls:
                    # `pc := newPubSub(c)` declared as the interface, but every value it can hold is one type's
                    m = self.method(made, mname)
                    return [Target(m, f"interface {iname}.{mname}")] if m is not None else []
                if len(impls) > MAX_IMPLEMENTATIONS:
                    return []
                holder = self._field_holder(fn, base, env)
                held_in = E.selected_name(base)
                for impl in impls:
                    if holder is not None and held_in is not None:
                        declared = self.field_type(impl, held_in)
                        if declared is not None and declared[1] == holder and not self.holds_itself(holder, held_in):
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
        lit_index = E.funclit(callee)
        if lit_index is not None:
            lit = self.literal(fn, lit_index)
            return [Target(lit)] if lit else []
        instantiated = E.index(callee)
        if instantiated is not None:  # generic instantiation f[T](...)
            return self.resolve_expr_call(fn, instantiated[0], env)
        return []

    def holds_itself(self, named: str, fname: str) -> bool:
        """Every value the tree writes into field fname of named is the value holding it (`s.store = s`)."""
        if fname not in self.self_written_fields():
            return False
        writes = self.field_value_writes(named, fname)
        return bool(writes) and all(
            base is not None and E.ident(base) is not None and E.ident(value) == E.ident(base)
            for _f, base, value in writes
        )

    def self_written_fields(self) -> frozenset[str]:
        """Names of the fields some code gives the value holding them (`s.store = s`), from the link's
        field-write index, built once: a cheap first test before any type is asked."""
        found = getattr(self, "_self_written", None)
        if found is None:
            found = self._self_written = frozenset(
                fname
                for fname, writes in self._field_writes().items()
                if any(
                    base is not None and E.ident(base) is not None and E.ident(value) == E.ident(base)
                    for _f, base, _t, value in writes
                )
            )
        return found

    def _field_holder(self, fn, base, env):
        """For x.f used as a receiver: the named type declaring field f, else None."""
        sel = E.selector(base)
        if sel is None:
            return None
        bt = self.type_of(fn, sel[0], env)
        named = self.named(bt) if bt else None
        if not named:
            return None
        ft = self.field_type(named, sel[1])
        return ft[1] if ft else None

    def external_callee(self, fn: Function, callee) -> External | None:
        """For calls into unanalysed packages: which package function or method (kept as type_of's answers)."""
        if self._types is None or self._partial:
            return self._external_callee(fn, callee)
        key = id(callee) << 32 | fn.id
        entry = self._externals.get(key)
        if entry is not None and entry[0] is callee:
            return entry[1]
        ext = self._external_callee(fn, callee)
        if not self._partial:
            self._externals[key] = (callee, ext)
        return ext

    def _external_callee(self, fn: Function, callee) -> External | None:
        sel = E.selector(callee)
        if sel is None:
            return None
        base, name = sel
        path = self.imported_path(fn, base)
        if path is not None:
            if path not in self.packages:
                return self._shared_external(path, name, "")
            return None
        bt = self.type_of(fn, base)
        named = self.named(bt) if bt else None
        if named:
            pkg, _, recv = named.partition("#")
            if pkg not in self.packages:
                return self._shared_external(pkg, name, recv)
        return None

    def _shared_external(self, pkg: str, name: str, recv: str) -> External:
        key = (pkg, name, recv)
        ext = self._external_values.get(key)
        if ext is None:
            ext = self._external_values[key] = External(pkg, name, recv)
        return ext

    def literal(self, fn: Function, index: int) -> Function | None:
        """The Function of a literal; indexes are local to the file."""
        if index >= len(fn.file.funcs):
            return None
        return self._by_facts.get(id(fn.file.funcs[index]))

    def function_of(self, facts: FuncFacts) -> Function | None:
        return self._by_facts.get(id(facts))

    # ---- function values (callbacks, method values) -----------------------
    # ---- constants -----------------------------------------------------
    def _named_const(self, fn: Function, expr) -> tuple[Function, E.Expr] | None:
        """(a function of the declaring file, the value) of the constant expr names: a name of fn's
        package or `pkg.Name` of an analysed package; None for anything else."""
        name = E.ident(expr)
        if name is not None:
            c = fn.pkg.consts.get(name)
            return (fn, c[0]) if c else None
        sel = E.selector(expr)
        path = self.imported_path(fn, sel[0]) if sel is not None else None
        pkg = self.packages.get(path) if path is not None else None
        c = pkg.consts.get(sel[1]) if pkg is not None and sel is not None else None
        init = self._init_function(c[1]) if c is not None else None
        return (init, c[0]) if init is not None and c is not None else None

    def concrete_type(self, fn: Function, expr) -> str | None:
        """The named type of expr (`path#T`) when it is a concrete type declared in the tree: what an
        interface value passed or stored from expr holds."""
        qtype = self.type_of(fn, expr)
        named = self.named(qtype) if qtype else None
        if named is None or self.type_decl(named) is None or self.is_interface(named):
            return None
        return named

    @staticmethod
    def of_types(targets: list, types) -> list:
        """The targets that are methods of one of the named types (`path#T`)."""
        return [t for t in targets if f"{t.function.pkg.path}#{t.function.facts.recv}" in types]

    def is_constant(self, fn: Function, expr) -> bool:
        """expr names a constant of fn's package (`Direct`) or of an analysed package (`rpc.Direct`)."""
        return self._named_const(fn, expr) is not None

    def const_string(self, fn: Function, expr, depth=0) -> str | None:
        """The text of a string literal, or of the string constant expr names (see const_int)."""
        if expr is None or depth > 8:
            return None
        text = E.string(expr)
        if text is not None:
            return text
        named = self._named_const(fn, expr)
        return self.const_string(*named, depth + 1) if named else None

    def const_int(self, fn: Function, expr, depth=0):
        if expr is None or depth > 8:
            return None
        if E.is_int_literal(expr):
            value = E.integer(expr)
            return value if value is not None and -(1 << 63) <= value < (1 << 64) else None
        if E.ident(expr) is not None or E.selector(expr) is not None:
            named = self._named_const(fn, expr)
            return self.const_int(*named, depth + 1) if named else None
        binary = E.binary(expr)
        if binary is not None:
            op, left, right = binary
            a, b = self.const_int(fn, left, depth + 1), self.const_int(fn, right, depth + 1)
            if a is None or b is None:
                return None
            try:
                value = {
                    "+": a + b,
                    "-": a - b,
                    "*": a * b,
                    "<<": a << b if 0 <= b < 64 else None,
                    "/": a // b if b else None,
                }.get(op)
            except (TypeError, ValueError):
                return None
            return value if value is not None and -(1 << 63) <= value < (1 << 64) else None
        called = E.call(expr)
        if (
            called is not None
            and len(called[1]) == 1
            and (E.ident(called[0]) is not None or E.type_text(called[0]) is not None)
        ):
            return self.const_int(fn, called[1][0], depth + 1)  # int(N)
        return None


def _is_builtin_call(callee) -> bool:
    return E.is_builtin_callee(callee, BUILTIN_TYPES)


# Exported fields of standard-library structs the rules read through (the standard library is
# not analysed): `c.L` of a `*sync.Cond` is the Locker its Wait releases and retakes.
_STDLIB_FIELDS = {("sync#Cond", "L"): "sync#Locker"}
# Result types of constructors of packages outside the analysed code that the rules follow.
_EXTERNAL_RESULTS = {
    ("golang.org/x/sync/errgroup", "WithContext"): ("*golang.org/x/sync/errgroup#Group", "context#Context"),
    ("regexp", "MustCompile"): ("*regexp#Regexp",),
    ("regexp", "Compile"): ("*regexp#Regexp", "error"),
    # testify's assertion objects: their FailNow ends the test (knowledge/exits.toml)
    ("github.com/stretchr/testify/require", "New"): ("*github.com/stretchr/testify/require#Assertions",),
    ("github.com/stretchr/testify/assert", "New"): ("*github.com/stretchr/testify/assert#Assertions",),
    # Listeners: what their Accept returns is a connection the accepting code owns.
    ("net", "Listen"): ("net#Listener", "error"),
    ("net", "ListenTCP"): ("*net#TCPListener", "error"),
    ("net", "ListenUnix"): ("*net#UnixListener", "error"),
    ("crypto/tls", "Listen"): ("net#Listener", "error"),
    ("net", "LookupSRV"): ("string", "[]*net#SRV", "error"),
    ("net", "LookupMX"): ("[]*net#MX", "error"),
    ("net", "LookupNS"): ("[]*net#NS", "error"),
    # A parsed URL's Host keeps an IPv6 literal's brackets (GIM302 reads `u.Host` as safe).
    ("net/url", "Parse"): ("*net/url#URL", "error"),
    ("net/url", "ParseRequestURI"): ("*net/url#URL", "error"),
    # In-memory buffers: what wraps one (a decompressor over `bytes.NewBuffer(data)`) holds no socket.
    ("bytes", "NewBuffer"): ("*bytes#Buffer",),
    ("bytes", "NewBufferString"): ("*bytes#Buffer",),
    ("bytes", "NewReader"): ("*bytes#Reader",),
    ("strings", "NewReader"): ("*strings#Reader",),
    # Hyperledger Fabric's logger, whose Fatal methods end the process (knowledge/exits.toml).
    ("github.com/hyperledger/fabric-lib-go/common/flogging", "MustGetLogger"): (
        "*github.com/hyperledger/fabric-lib-go/common/flogging#FabricLogger",
    ),
}


# Result types of methods of types outside the analysed code that the rules follow.
_GCS = "cloud.google.com/go/storage"
_EXTERNAL_METHOD_RESULTS = {
    # Google Cloud Storage handles, down to the object writer (knowledge/resources.toml).
    (_GCS, "Client", "Bucket"): (f"*{_GCS}#BucketHandle",),
    (_GCS, "BucketHandle", "Object"): (f"*{_GCS}#ObjectHandle",),
    (_GCS, "ObjectHandle", "NewWriter"): (f"*{_GCS}#Writer",),
    # A request copied for a backend (`out := r.Clone(ctx)`) is still one: `out.Write(conn)` writes
    # itself into the connection and keeps nothing (analysis/effects.py `_WRITES_INTO`).
    ("net/http", "Request", "Clone"): ("*net/http#Request",),
    ("net/http", "Request", "WithContext"): ("*net/http#Request",),
}
_EXTERNAL_METHOD_NAMES = frozenset(m for _p, _r, m in _EXTERNAL_METHOD_RESULTS)
# Types of package variables of packages outside the analysed code that the rules follow.
_EXTERNAL_VARS = {
    # wal-g's loggers: `tracelog.ErrorLogger.Fatal(...)` ends the process (knowledge/exits.toml).
    ("github.com/wal-g/tracelog", "ErrorLogger"): "*github.com/wal-g/tracelog#errorLogger",
}


def enclosing_regions(fn: FuncFacts, region: int):
    """Yield region indexes from region up to the function body."""
    while region >= 0:
        yield region
        region = fn.regions[region].parent


def func_type_results(text: str) -> list[str]:
    """The result types of a func type as written (`func(id string) (Ctx, error)` -> ["Ctx", "error"]).

    Only plain results are read: a result list with names, or one holding a func or
    channel type, gives nothing rather than a wrong type."""
    text = text.strip()
    if not text.startswith("func("):
        return []
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                rest = text[i + 1 :].strip()
                break
    else:
        return []
    if not rest:
        return []
    parts = [rest]
    if rest.startswith("(") and rest.endswith(")"):
        parts, depth, start, inner = [], 0, 0, rest[1:-1]
        for i, ch in enumerate(inner):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if ch == "," and depth == 0:
                parts.append(inner[start:i].strip())
                start = i + 1
        parts.append(inner[start:].strip())
    if any(not p or " " in p or "(" in p or "func" in p or "chan" in p for p in parts):
        return []
    return parts


def declared_names(fn: Function) -> dict:
    """name -> region of its first declaration in fn (see `Program.declared`, which keeps them)."""
    d: dict = {}
    f = fn.facts
    if f.recv_name and f.recv_name != "_":
        d[f.recv_name] = 0
    for name, _t in f.params:
        if name and name != "_":
            d[name] = 0
    for op in f.ops:
        if op.kind == "assign" and op.mode in (":=", "var"):
            for t in op.targets:
                name = E.ident(t)
                if name is not None and name != "_":
                    d.setdefault(name, op.region)
    return d


def _in_a_loop(fn: Function, region: int) -> bool:
    """The region sits inside a `for` or `range` loop of fn."""
    regions = fn.facts.regions
    return any(regions[r].kind in ("for", "range") for r in enclosing_regions(fn.facts, region))


def _split_members(body: str) -> list[str]:
    """The members of an interface's body, split at `;` outside brackets."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    return [m for m in out if m.strip()]
