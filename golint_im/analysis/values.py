"""Value tracing: where a string value comes from.

`Tracer` follows a sink's argument backwards — local variables,
slices it is appended to, composite literal elements, `range` variables,
struct fields, package variables, function returns and, through
`Program.callers`, function parameters — to the places where it was
built (its origins). Operands inside one template (`Sprintf` arguments,
`+` operands) are inlined only when they are constants or a single
template built in the same function, so a template does not depend on
who calls its function: a shared helper yields one origin whoever calls it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from golint_im.findings import Location, Step
from golint_im.passes import Context, Pass
from golint_im.program import External, Program

from .sink_catalog import SINK_CATALOG
from .templates import _is_int_verb, has_literal, hole, join_parts, lit, parse_format, render
from .writes import WriteIndex, _nested

MAX_ORIGINS = 48  # per traced expression; more than this is noise, not evidence
MAX_DEPTH = 48
MAX_CALLERS = 64
MAX_TARGETS = 8


# --------------------------------------------------------------------------
# Origins and sinks


@dataclass(frozen=True)
class Origin:
    """Where and how a string was built. kind: sprintf | concat | join |
    joinhostport | literal | opaque (unknown: a hole with no site)."""

    template: tuple
    kind: str
    site: Location | None = None
    how: str = ""
    steps: tuple = ()  # Step, from the site to the expression being traced
    # (Function, expr) that filled the template's first hole, when one operand did
    first_hole: tuple | None = field(default=None, compare=False)

    @property
    def formatted(self) -> bool:
        return self.kind in ("sprintf", "concat", "join", "joinhostport") and has_literal(self.template)

    def hop(self, loc: Location, text: str) -> Origin:
        if self.kind == "opaque":
            return self
        if self.steps and self.steps[-1].location.path == loc.path and self.steps[-1].location.line == loc.line:
            return self
        return replace(self, steps=self.steps + (Step(loc, text),))


def opaque(name: str = "", verb: str = "s") -> Origin:
    return Origin((hole(verb, name),), "opaque")


def _built(template: tuple, kind: str, site: Location, how: str, first_hole=None) -> Origin:
    return Origin(template, kind, site, how, (Step(site, f"builds `{render(template)}` with {how}"),), first_hole)



# --------------------------------------------------------------------------
# Tracing


class Tracer:
    def __init__(self, program: Program, ctors: dict, typed_methods: set):
        self.p = program
        self.ctors = ctors
        self._method_names = typed_methods
        self.writes = WriteIndex(program)
        self.memo: dict = {}
        self.active: set = set()
        self.cut = 0  # traces stopped by a limit or a cycle

    # ---- helpers -------------------------------------------------------
    @staticmethod
    def loc(fn, op) -> Location:
        return Location(fn.file.path, op.line, op.col)

    def call_loc(self, fn, expr, at: Location) -> Location:
        n = expr[3] if len(expr) > 3 else -1
        if isinstance(n, int) and 0 <= n < len(fn.facts.ops):
            return self.loc(fn, fn.facts.ops[n])
        return at

    def const_string(self, fn, e, depth=0) -> str | None:
        if e is None or depth > 8:
            return None
        tag = e[0]
        if tag == "str":
            return e[1]
        if tag == "id" and self.p.declaring_function(fn, e[1]) is None:
            c = fn.pkg.consts.get(e[1])
            if c is not None:
                init = self.p.function_of(c[1].funcs[0]) if c[1].funcs else None
                return self.const_string(init, c[0], depth + 1) if init else None
        if tag == "sel" and e[1][0] == "id" and self.p.refers_to_import(fn, e[1][1]):
            pkg = self.p.packages.get(fn.file.imports[e[1][1]])
            c = pkg.consts.get(e[2]) if pkg else None
            if c is not None:
                init = self.p.function_of(c[1].funcs[0]) if c[1].funcs else None
                return self.const_string(init, c[0], depth + 1) if init else None
        if tag == "bin" and e[1] == "+":
            a = self.const_string(fn, e[2], depth + 1)
            b = self.const_string(fn, e[3], depth + 1) if a is not None else None
            return a + b if b is not None else None
        return None

    def external(self, fn, callee) -> External | None:
        """The external function a call goes to, typing receivers through known constructors."""
        ext = self.p.external_callee(fn, callee)
        if ext is not None or callee[0] != "sel":
            return ext
        base = callee[1]
        if callee[2] not in self._method_names or base[0] == "id" and self.p.refers_to_import(fn, base[1]):
            return None
        rt = self.recv_type(fn, base)
        if rt and rt.split("#")[0] not in self.p.packages:
            path, _, name = rt.partition("#")
            return External(path, callee[2], name)
        return None

    def recv_type(self, fn, base) -> str | None:
        bt = self.p.type_of(fn, base)
        named = Program.named(bt) if bt else None
        if named:
            return named
        for f, rhs in self.writes.sources(fn, base):
            if rhs[0] == "call":
                ext = self.p.external_callee(f, rhs[1])
                if ext is not None and not ext.recv:
                    t = self.ctors.get((ext.pkg, ext.name))
                    if t:
                        return t
        return None

    def values(self, fn, e, at: Location, deep=True, index=0) -> tuple:
        """Origins of the string value of e (evaluated in fn at `at`)."""
        return self._trace(fn, e, at, deep, index, "value")

    def elems(self, fn, e, at: Location, deep=True) -> tuple:
        """Origins of the elements of the slice (or array, map values) e."""
        return self._trace(fn, e, at, deep, 0, "elems")

    def _trace(self, fn, e, at, deep, index, mode):
        if e is None:
            return ()
        positional = e[0] in ("str", "bin", "call", "comp", "spread")
        key = (fn.id, e, mode, deep, index, at if positional else None)
        got = self.memo.get(key)
        if got is not None:
            return got
        if key in self.active or len(self.active) > MAX_DEPTH:
            self.cut += 1
            return ()
        self.active.add(key)
        try:
            raw = self._values(fn, e, at, deep, index) if mode == "value" else self._elems(fn, e, at, deep)
        finally:
            self.active.discard(key)
        out, seen = [], set()
        for o in raw:
            k = (o.site, o.template, o.kind)
            if k not in seen:
                seen.add(k)
                out.append(o)
        if len(out) > MAX_ORIGINS:
            self.cut += 1
            out = out[:MAX_ORIGINS]
        result = tuple(out)
        self.memo[key] = result
        return result

    def _values(self, fn, e, at, deep, index):
        tag = e[0]
        if tag == "str":
            return (Origin((lit(e[1]),) if e[1] else (), "literal", at, "a literal"),)
        if tag == "call":
            return self._call_values(fn, e, at, deep, index)
        if tag == "bin" and e[1] == "+":
            s = self.const_string(fn, e)
            if s is not None:
                return (Origin((lit(s),), "literal", at, "constants"),)
            pieces = [(leaf, self.operand(fn, leaf, at)) for leaf in _plus_leaves(e)]
            return (_built(join_parts(p for _l, p in pieces), "concat", at, "`+`", _first_hole(fn, pieces)),)
        if tag == "id":
            if self.p.declaring_function(fn, e[1]) is None:
                s = self.const_string(fn, e)
                if s is not None:
                    return (Origin((lit(s),), "literal", at, f"constant `{e[1]}`"),)
            return self._variable(fn, e, at, deep, index, "value") or (opaque(e[1]),)
        if tag == "sel":
            s = self.const_string(fn, e)
            if s is not None:
                return (Origin((lit(s),), "literal", at, f"constant `{e[2]}`"),)
            return self._variable(fn, e, at, deep, index, "value") or (opaque(e[2]),)
        if tag == "idx":
            return self.elems(fn, e[1], at, deep) or (opaque(hole_name(e)),)
        return (opaque(hole_name(e)),)

    def _elems(self, fn, e, at, deep):
        tag = e[0]
        if tag == "comp":
            out = []
            for _key, value in e[2]:
                out.extend(self.values(fn, value, at, deep))
            return out
        if tag == "call":
            callee, args = e[1], e[2]
            cl = self.call_loc(fn, e, at)
            if callee == ("id", "append") and args:
                out = list(self.elems(fn, args[0], cl, deep))
                name = hole_name(args[0])
                for a in args[1:]:
                    out.extend(o.hop(cl, f"appended to `{name}`") for o in self._variadic_arg(fn, a, cl, deep))
                return out
            if _is_conversion(self, fn, callee) and args:
                return self.elems(fn, args[0], at, deep)
            return self._returns(fn, e, cl, deep, 0, "elems")
        if tag in ("id", "sel"):
            return self._variable(fn, e, at, deep, 0, "elems")
        if tag == "slice":
            return self.elems(fn, e[1], at, deep)
        if tag == "spread":
            return self.elems(fn, e[1], at, deep)
        return ()

    def _call_values(self, fn, e, at, deep, index):
        callee, args = e[1], e[2]
        cl = self.call_loc(fn, e, at)
        if _is_conversion(self, fn, callee):
            return self.values(fn, args[0], at, deep) if args else ()
        ext = self.external(fn, callee)
        key = (ext.pkg, ext.name) if ext is not None and not ext.recv else None
        if key == ("fmt", "Sprintf") and args:
            fmt = self.const_string(fn, args[0])
            if fmt is None:
                return (opaque("Sprintf"),)
            pieces = []
            for piece in parse_format(fmt):
                if piece[0] == "lit":
                    pieces.append((None, (lit(piece[1]),)))
                else:
                    verb, ai = piece[1], piece[2] + 1
                    arg = args[ai] if ai < len(args) else None
                    pieces.append((arg, self.operand(fn, arg, cl, verb) if arg is not None else (hole(verb),)))
            return (_built(join_parts(p for _a, p in pieces), "sprintf", cl, "fmt.Sprintf",
                           _first_hole(fn, pieces)),)
        if key == ("fmt", "Sprint") and args:
            pieces = [(a, self.operand(fn, a, cl)) for a in args]
            return (_built(join_parts(p for _a, p in pieces), "concat", cl, "fmt.Sprint", _first_hole(fn, pieces)),)
        if key == ("net", "JoinHostPort") and len(args) == 2:
            host = self.operand(fn, args[0], cl)
            if len(host) == 1 and host[0][0] == "hole":
                host = (hole("jhp", host[0][2]),)
            t = join_parts([host, lit(":"), self.operand(fn, args[1], cl)])
            return (_built(t, "joinhostport", cl, "net.JoinHostPort"),)
        if key == ("strings", "Join") and len(args) == 2 and args[0][0] == "comp":
            sep = self.const_string(fn, args[1])
            if sep is not None:
                parts = []
                for i, (_k, v) in enumerate(args[0][2]):
                    if i:
                        parts.append(lit(sep))
                    parts.append(self.operand(fn, v, cl))
                return (_built(join_parts(parts), "join", cl, "strings.Join"),)
        if key in (("strings", "ToLower"), ("strings", "ToUpper")) and args:
            up = key[1] == "ToUpper"
            out = []
            for o in self.values(fn, args[0], cl, deep):
                t = tuple(lit(p[1].upper() if up else p[1].lower()) if p[0] == "lit" else p for p in o.template)
                out.append(replace(o, template=t).hop(cl, f"{key[1]} applied"))
            return out
        if ext is not None and (ext.pkg, ext.recv, ext.name) == ("net/url", "URL", "String") and callee[0] == "sel":
            built = self._url_string(fn, callee[1], cl)
            if built is not None:
                return built
        if key is not None and key[0] == "strconv" and key[1] in ("Itoa", "FormatInt", "FormatUint"):
            return (opaque(hole_name(args[0]) if args else "", "d"),)
        if ext is not None:
            return (opaque(ext.name),)
        return self._returns(fn, e, cl, deep, index, "value") or (opaque(hole_name(callee)),)

    def _url_string(self, fn, base, cl):
        """`(&url.URL{Scheme: "http", Host: h, Path: p}).String()` as a template, for a
        local built from one composite literal."""
        base = _unref(base)
        comp = base if base[0] == "comp" else None
        if base[0] == "id":
            owner = self.p.declaring_function(fn, base[1])
            writes = self.writes.local_writes(owner, base[1]) if owner is not None else []
            if len(writes) == 1 and len(writes[0][1].args) == len(writes[0][1].targets):
                comp = _unref(writes[0][1].args[writes[0][2]])
        if comp is None or comp[0] != "comp":
            return None
        fields = {k[1]: v for k, v in comp[2] if k is not None and k[0] == "id"}
        if "Host" not in fields or "Opaque" in fields or "User" in fields:
            return None
        pieces = []
        scheme = self.const_string(fn, fields["Scheme"]) if "Scheme" in fields else ""
        if scheme is None:
            return None
        if scheme:
            pieces.append((None, (lit(scheme + "://"),)))
        pieces.append((fields["Host"], self.operand(fn, fields["Host"], cl)))
        if "Path" in fields:
            pieces.append((None, self.operand(fn, fields["Path"], cl)))
        return (_built(join_parts(p for _e, p in pieces), "concat", cl, "url.URL.String", _first_hole(fn, pieces)),)

    def _returns(self, fn, e, cl, deep, index, mode):
        """Origins of what an in-program call returns (result `index`)."""
        n = e[3] if len(e) > 3 else -1
        if not isinstance(n, int) or not 0 <= n < len(fn.facts.ops):
            return ()
        out = []
        for target in self.p.resolve_call(fn, fn.facts.ops[n])[:MAX_TARGETS]:
            callee = target.function
            for rop in callee.facts.ops:
                if rop.kind != "return" or not rop.args:
                    continue
                rl = self.loc(callee, rop)
                if len(rop.args) == 1:  # `return x`, or `return f()` passing f's results on
                    got = self._trace(callee, rop.args[0], rl, deep, index, mode)
                elif index < len(rop.args):
                    got = self._trace(callee, rop.args[index], rl, deep, 0, mode)
                else:
                    continue
                out.extend(o.hop(rl, f"returned by `{callee.short}`") for o in got)
        return out

    def _variable(self, fn, e, at, deep, index, mode):
        """Origins of a variable, package variable or field: its writes, and for
        parameters what callers pass."""
        if e[0] == "id":
            name = e[1]
            owner = self.p.declaring_function(fn, name)
            if owner is None:
                return self._writes(self.writes.package_var_writes(fn.pkg, name), name, deep, mode)
            out = self._writes(self.writes.local_writes(owner, name), name, deep, mode)
            params = [p[0] for p in owner.facts.params]
            if deep and name in params:
                out.extend(self._from_callers(owner, params.index(name), name, mode))
            return out
        base, fname = e[1], e[2]
        if base[0] == "id" and self.p.refers_to_import(fn, base[1]):
            pkg = self.p.packages.get(fn.file.imports[base[1]])
            return self._writes(self.writes.package_var_writes(pkg, fname), fname, deep, mode) if pkg else []
        if base[0] == "id":
            local = self._local_field(fn, base[1], fname, mode)
            if local is not None:
                return local
        if not deep:
            return []
        bt = self.p.type_of(fn, base)
        named = Program.named(bt) if bt else None
        if not named or named.split("#")[0] not in self.p.packages:
            return []  # fields of library types (url.URL.Host) are written all over: no evidence
        out = []
        label = f"{named.split('#')[1]}.{fname}"
        for f, op, rhs, kind in self.writes.field_writes_of(named, fname):
            if f.file.is_test and not fn.file.is_test:
                continue
            wl = self.loc(f, op)
            if kind == "index":
                got = self.values(f, rhs, wl, deep) if mode == "elems" else ()
            else:
                got = self._trace(f, rhs, wl, deep, 0, mode)
            out.extend(o.hop(wl, f"stored in `{label}`") for o in got)
        return out

    def _local_field(self, fn, var, fname, mode):
        """`u := url.URL{Host: h}; ... u.Host`: the field of a local built from a
        composite literal, read where it was written. None when var is not such a local."""
        owner = self.p.declaring_function(fn, var)
        if owner is None or var in {p[0] for p in owner.facts.params}:
            return None
        found, out = False, []
        for f, op, i in self.writes.local_writes(owner, var):
            wl = self.loc(f, op)
            if len(op.args) == 1 and op.args[0][0] == "range" and i == 1:
                comps = self._element_comps(f, op.args[0][1])  # for _, v := range []T{{...}, {...}}
            elif len(op.args) == len(op.targets):
                comps = [_unref(op.args[i])]
            else:
                comps = None
            if comps is None or any(c[0] != "comp" for c in comps):
                return None  # also assigned from elsewhere: let the caller decide
            found = True
            for comp in comps:
                for key, value in comp[2]:
                    if key == ("id", fname):
                        out.extend(o.hop(wl, f"stored in `{var}.{fname}`")
                                   for o in self._trace(f, value, wl, True, 0, mode))
        for f in [owner] + _nested(owner):
            for op in f.facts.ops:
                if op.kind == "assign" and len(op.args) == len(op.targets):
                    for i, t in enumerate(op.targets):
                        if t == ("sel", ("id", var), fname):
                            wl = self.loc(f, op)
                            out.extend(o.hop(wl, f"stored in `{var}.{fname}`")
                                       for o in self._trace(f, op.args[i], wl, True, 0, mode))
        return out if found else None

    def _element_comps(self, fn, e, depth=0):
        """The composite literal elements of a slice literal, directly or through a
        local assigned only slice literals; None when anything else can be in it."""
        e = _unref(e)
        if e[0] == "comp":
            elems = [_unref(v) for _k, v in e[2]]
            return elems if all(x[0] == "comp" for x in elems) else None
        if e[0] != "id" or depth > 2:
            return None
        owner = self.p.declaring_function(fn, e[1])
        if owner is None or e[1] in {p[0] for p in owner.facts.params}:
            return None
        out = []
        for f, op, i in self.writes.local_writes(owner, e[1]):
            got = self._element_comps(f, op.args[i], depth + 1) if len(op.args) == len(op.targets) else None
            if got is None:
                return None
            out.extend(got)
        return out

    def _writes(self, writes, name, deep, mode):
        out = []
        for f, op, i in writes:
            wl = self.loc(f, op)
            if len(op.args) == len(op.targets):
                rhs, idx = op.args[i], 0
            elif len(op.args) == 1:
                rhs, idx = op.args[0], i
            else:
                continue
            if rhs[0] == "range":
                if idx == 1 and mode == "value":
                    got = self.elems(f, rhs[1], wl, deep)
                    out.extend(o.hop(wl, f"ranged over as `{name}`") for o in got)
                continue
            got = self._trace(f, rhs, wl, deep, idx, mode)
            text = f"assigned to `{name}`" if mode == "value" else f"collected in `{name}`"
            out.extend(o.hop(wl, text) for o in got)
        return out

    def _from_callers(self, owner, pi, name, mode):
        out = []
        variadic = owner.facts.variadic and pi == len(owner.facts.params) - 1
        for caller, cop in self.p.callers(owner)[:MAX_CALLERS]:
            if caller.file.is_test and not owner.file.is_test:
                continue  # tests calling production code: not how production builds its strings
            cl = self.loc(caller, cop)
            if variadic:
                if mode != "elems":
                    continue
                got = [o for a in cop.args[pi:] for o in self._variadic_arg(caller, a, cl, True)]
            elif pi < len(cop.args):
                got = self._trace(caller, cop.args[pi], cl, True, 0, mode)
            else:
                continue
            out.extend(o.hop(cl, f"passed to `{owner.short}` as `{name}`") for o in got)
        return out

    def _variadic_arg(self, fn, a, at, deep):
        """Elements contributed by one argument of a variadic call: `x`, or all of `xs...`."""
        spread = _spread(a)
        return self.elems(fn, spread, at, deep) if spread else self.values(fn, a, at, deep)

    def operand(self, fn, e, at, verb="s") -> tuple:
        """The template piece for one Sprintf argument or `+` operand: constants
        and a single template built in this function are inlined, the rest is a hole."""
        name = hole_name(e)
        if _is_int_verb(verb):
            v = self.p.const_int(fn, e)
            return (lit(str(v)),) if isinstance(v, int) and verb == "d" else (hole(verb, name),)
        if verb not in ("s", "v"):
            return (hole(verb, name),)
        s = self.const_string(fn, e)
        if s is not None:
            return (lit(s),)
        if e[0] == "call":
            ext = self.external(fn, e[1])
            if ext is not None and (ext.pkg, ext.name) in (("strconv", "Itoa"), ("strconv", "FormatInt"),
                                                           ("strconv", "FormatUint")):
                return (hole("d", hole_name(e[2][0]) if e[2] else name),)
        origins = self.values(fn, e, at, deep=False)
        templates = {o.template for o in origins}
        if len(templates) == 1 and all(o.kind != "opaque" for o in origins):
            t = next(iter(templates))
            if t:
                return t
        return (hole(verb, name),)


def hole_name(e) -> str:
    if e is None:
        return ""
    tag = e[0]
    if tag == "id":
        return e[1]
    if tag == "sel":
        return e[2]
    if tag == "call":
        return hole_name(e[1]) if e[1][0] in ("id", "sel") else ""
    if tag in ("idx", "slice", "un"):
        return hole_name(e[1] if tag != "un" else e[2])
    return ""


def _plus_leaves(e) -> list:
    """Operands of a `+` chain, left to right."""
    out, stack = [], [e]
    while stack:
        x = stack.pop()
        if x[0] == "bin" and x[1] == "+":
            stack.append(x[3])
            stack.append(x[2])
        else:
            out.append(x)
    return out


def _first_hole(fn, pieces):
    """(fn, expr) of the operand that produced the template's first hole, if it produced only that."""
    for expr, piece in pieces:
        holes = [p for p in piece if p[0] == "hole"]
        if holes:
            return (fn, expr) if expr is not None and len(piece) == 1 else None
    return None


def _unref(e):
    return e[2] if e and e[0] == "un" and e[1] == "&" else e


def _spread(e):
    """The slice inside a spread argument `xs...`, or None."""
    return e[1] if e and e[0] == "spread" else None


def _is_conversion(tracer, fn, callee) -> bool:
    if callee[0] == "type":
        return True
    if callee[0] == "id":
        if callee[1] in ("string", "[]byte"):
            return True
        return callee[1] in fn.pkg.types and tracer.p.declaring_function(fn, callee[1]) is None
    if callee[0] == "sel" and callee[1][0] == "id" and tracer.p.refers_to_import(fn, callee[1][1]):
        pkg = tracer.p.packages.get(fn.file.imports[callee[1][1]])
        return pkg is not None and callee[2] in pkg.types
    return False


def _tracer(ctx: Context) -> Tracer:
    catalog = ctx.result(SINK_CATALOG)
    return Tracer(ctx.program, catalog.ctors, catalog.method_names)


# Tracing values is the heaviest layer on real code (see docs/performance.md).
VALUE_TRACE = Pass("value-trace", _tracer, requires=(SINK_CATALOG,), cost=3,
                   doc="where a string value comes from: writes, returns, callers' arguments")
