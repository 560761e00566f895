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

import re
from dataclasses import replace

from golint_im import expr as ex
from golint_im.findings import Location
from golint_im.passes import Context, Pass
from golint_im.program import External, Program

from .origins import BRACKETED, NO_COLON, Origin, built, first_hole_of, hole_name, opaque
from .regions import scoped_declaration, single_assignment
from .sink_catalog import SINK_CATALOG
from .templates import format_verb, hole, is_hole, is_int_verb, join_parts, lit, map_text, parse_format, single_hole
from .writes import WRITES, WriteIndex

# A dotted IPv4 address as written in a string literal.
_DOTTED_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")

MAX_ORIGINS = 48  # per traced expression; more than this is noise, not evidence
MAX_DEPTH = 48
MAX_CALLERS = 64
MAX_TARGETS = 8


# --------------------------------------------------------------------------
# Tracing


class Tracer:
    """Backward value tracing: where the string a given expression holds was built.

    `values(fn, e, at)` answers for a string, `elems(fn, e, at)` for the
    elements of a slice, array or map; both return `Origin`s: the template
    built at each origin site, its kind, and the steps (assignments, appends,
    stores into fields, returns, arguments passed by callers) from that site
    to `e`. Any analysis asking "where does this value come from" can use it;
    it knows nothing about rings or addresses beyond the templates it builds.

    Results are memoised per (function, expression, mode, depth, result
    index), and per place for expressions made in place. The search is
    bounded, because a program-wide backward search can fan out without end
    and a long or wide trace is noise rather than evidence:

    * MAX_ORIGINS origins per traced expression, the rest dropped;
    * MAX_DEPTH nested traces in progress (and any cycle) stop a trace;
    * MAX_CALLERS callers are asked for a parameter's value;
    * MAX_TARGETS targets of one dynamic call are followed.

    Every stop counts in `cut` (reported by `--debug`).

    `ctors` maps an external constructor (pkg, name) to the type it returns,
    so that `r := consistent.New(); r.Add(x)` types `r`; only methods named in
    `typed_methods` are typed that way, which keeps the look-up off the
    hot path for every other method call.
    """

    def __init__(self, program: Program, ctors: dict, typed_methods: set, writes: WriteIndex):
        self.p = program
        self.ctors = ctors
        self._method_names = typed_methods
        self.writes = writes
        self.memo: dict = {}
        self.active: set = set()
        self.cut = 0  # traces stopped by a limit or a cycle
        self.steps = 0  # traces computed (not answered from the memo): the work a budget counts

    # ---- helpers -------------------------------------------------------
    @staticmethod
    def loc(fn, op) -> Location:
        return Location(fn.file.path, op.line, op.col)

    def call_loc(self, fn, e, at: Location) -> Location:
        """Where call e is, when it is an op of fn; else `at`."""
        n = ex.call_number(e)
        if n is not None and 0 <= n < len(fn.facts.ops):
            return self.loc(fn, fn.facts.ops[n])
        return at

    def const_string(self, fn, e, depth=0) -> str | None:
        """The value of a string constant expression (literal, named constant, `+` of those), else None."""
        if e is None or depth > 8:
            return None
        s = ex.string(e)
        if s is not None:
            return s
        name = ex.ident(e)
        if name is not None:
            if self.p.declaring_function(fn, name) is None:
                c = fn.pkg.consts.get(name)
                if c is not None:
                    init = self.p.function_of(c[1].funcs[0]) if c[1].funcs else None
                    return self.const_string(init, c[0], depth + 1) if init else None
            return None
        sel = ex.selector(e)
        if sel is not None:
            pkg_name = ex.ident(sel[0])
            if pkg_name is not None and self.p.refers_to_import(fn, pkg_name):
                pkg = self.p.packages.get(fn.file.imports[pkg_name])
                c = pkg.consts.get(sel[1]) if pkg else None
                if c is not None:
                    init = self.p.function_of(c[1].funcs[0]) if c[1].funcs else None
                    return self.const_string(init, c[0], depth + 1) if init else None
            return None
        b = ex.binary(e)
        if b is not None and b[0] == "+":
            a = self.const_string(fn, b[1], depth + 1)
            rest = self.const_string(fn, b[2], depth + 1) if a is not None else None
            return a + rest if a is not None and rest is not None else None
        return None

    def external(self, fn, callee) -> External | None:
        """The external function a call goes to, typing receivers through known constructors."""
        ext = self.p.external_callee(fn, callee)
        if ext is not None:
            return ext
        method = ex.selected_name(callee)
        if method is None or method not in self._method_names:
            return None
        base = ex.selector_base(callee)
        base_name = ex.ident(base)
        if base_name is not None and self.p.refers_to_import(fn, base_name):
            return None
        rt = self.recv_type(fn, base)
        if rt and rt.split("#")[0] not in self.p.packages:
            path, _, name = rt.partition("#")
            return External(path, method, name)
        return None

    def recv_type(self, fn, base) -> str | None:
        """The named type of a receiver: its static type, else what the external constructor writing it returns."""
        bt = self.p.type_of(fn, base)
        named = Program.named(bt) if bt else None
        if named:
            return named
        for f, rhs in self.writes.sources(fn, base):
            rhs_callee = ex.callee(rhs)
            if rhs_callee is not None:
                ext = self.p.external_callee(f, rhs_callee)
                if ext is not None and not ext.recv:
                    t = self.ctors.get((ext.pkg, ext.name))
                    if t:
                        return t
        return None

    # ---- tracing -------------------------------------------------------
    def values(self, fn, e, at: Location, deep=True, index=0) -> tuple:
        """Origins of the string value of e (evaluated in fn at `at`)."""
        return self._trace(fn, e, at, deep, index, "value")

    def elems(self, fn, e, at: Location, deep=True) -> tuple:
        """Origins of the elements of the slice (or array, map values) e."""
        return self._trace(fn, e, at, deep, 0, "elems")

    def _trace(self, fn, e, at, deep, index, mode):
        if e is None:
            return ()
        key = (fn.id, e, mode, deep, index, at if ex.made_in_place(e) else None)
        got = self.memo.get(key)
        if got is not None:
            return got
        if key in self.active or len(self.active) > MAX_DEPTH:
            self.cut += 1
            return ()
        self.active.add(key)
        self.steps += 1
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
        s = ex.string(e)
        if s is not None:
            return (Origin((lit(s),) if s else (), "literal", at, "a literal"),)
        c = ex.call(e)
        if c is not None:
            return self._call_values(fn, e, c[0], c[1], at, deep, index)
        b = ex.binary(e)
        if b is not None:
            if b[0] != "+":
                return (opaque(hole_name(e)),)
            s = self.const_string(fn, e)
            if s is not None:
                return (Origin((lit(s),), "literal", at, "constants"),)
            pieces = [(leaf, self.operand(fn, leaf, at)) for leaf in ex.plus_operands(e)]
            return (built(join_parts(p for _l, p in pieces), "concat", at, "`+`", self._first_hole(fn, pieces, at)),)
        name = ex.ident(e)
        local = name is not None and self.p.declaring_function(fn, name) is not None
        if name is None:
            name = ex.selected_name(e)
        if name is not None:  # a variable, a field or a constant
            if not local:
                s = self.const_string(fn, e)
                if s is not None:
                    return (Origin((lit(s),), "literal", at, f"constant `{name}`"),)
            if name == "Host" and self._url_host(fn, e):
                # `u.Host` of a net/url URL keeps an IPv6 literal's brackets (`[fd00::1]:80`).
                return (Origin((hole("s", "Host"),), BRACKETED, at, "a URL's Host"),)
            if self._dns_record_name(fn, e):
                # `rec.Target` of an SRV record (an MX's or NS's Host): a DNS name, never an IP literal.
                return (Origin((hole("s", name),), NO_COLON, at, "a DNS record's name"),)
            return self._variable(fn, e, at, deep, index, "value") or (opaque(name),)
        ix = ex.index(e)
        if ix is not None:
            if self._split_on_colon(fn, ix[0], at.line):
                # `strings.Split(addr, ":")[0]`: a piece between colons holds none.
                return (Origin((hole("s", hole_name(e)),), NO_COLON, at, "a piece split on `:`"),)
            return self.elems(fn, ix[0], at, deep) or (opaque(hole_name(e)),)
        if self._cut_before_colon(fn, e):
            # `s[:i]` with `i := strings.Index(s, ":")`: the text before the first `:` holds none.
            return (Origin((hole("s", hole_name(e)),), NO_COLON, at, "the text before the first `:`"),)
        return (opaque(hole_name(e)),)

    def _url_host(self, fn, e) -> bool:
        """e is the `Host` field of a `net/url` URL (pointer or not)."""
        sel = ex.selector(e)
        if sel is None:
            return False
        t = self.p.type_of(fn, sel[0]) if fn is not None else None
        if t is None:
            return False
        if t.lstrip("*") == "net/url#URL":
            return True
        # `type parsedURL struct{ url.URL }`: p.Host is the embedded URL's Host.
        named = Program.named(t)
        decl = self.p.type_decl(named) if named else None
        if decl is None or decl[0].kind != "struct":
            return False
        members = decl[0].members
        return all(n != "Host" for n, _t, _emb in members) and any(
            emb and self.p.qualify(ft, decl[1]).lstrip("*") == "net/url#URL" for _n, ft, emb in members
        )

    def _dns_record_name(self, fn, e) -> bool:
        """e is the name a DNS record points to: `Target` of a `net.SRV`, `Host` of a `net.MX` or `net.NS`."""
        sel = ex.selector(e)
        if sel is None or fn is None or sel[1] not in ("Target", "Host"):
            return False
        t = (self.p.type_of(fn, sel[0]) or "").lstrip("*")
        return (t, sel[1]) in (("net#SRV", "Target"), ("net#MX", "Host"), ("net#NS", "Host"))

    def _split_on_colon(self, fn, e, line: int, depth: int = 0) -> bool:
        """e is `strings.Split(x, ":")` (or SplitN), or a local assigned only from one: the one
        assignment, or, when each assignment declares a variable of its own (`dp := ...` in each
        branch of a parser), the declaration whose block holds the use at `line`; or a parameter
        every caller (up to two calls up) passes such a value (`threePart(parts)`)."""
        name = ex.ident(e)
        owner = self.p.declaring_function(fn, name) if name is not None else None
        if owner is not None and owner is fn and name is not None:
            params = [p[0] for p in owner.facts.params]
            if name in params and single_assignment(self.p, owner, name) is None:
                k = params.index(name)
                callers = self.p.callers(owner)
                return (
                    depth < 2
                    and bool(callers)
                    and all(
                        k < len(op.args) and self._split_on_colon(caller, op.args[k], op.line, depth + 1)
                        for caller, op in callers
                    )
                )
            made = single_assignment(self.p, owner, name) or scoped_declaration(owner, name, line)
            e = made if made is not None else e
        c = ex.call(e)
        if c is None or len(c[1]) < 2:
            return False
        ext = self.external(fn, c[0])
        if ext is None or ext.recv or ext.pkg != "strings" or ext.name not in ("Split", "SplitN"):
            return False
        return self.const_string(fn, c[1][1]) == ":"

    def _cut_before_colon(self, fn, e) -> bool:
        """e is `s[:i]` (or `s[0:i]`) where i's one assignment is `strings.Index(s, ":")` (or
        `IndexByte`, `IndexRune` with `':'`) on the same s."""
        if fn is None or not isinstance(e, tuple) or len(e) < 4 or e[0] != "slice":
            return False
        x, lo, hi = e[1], e[2], e[3]
        if lo is not None and self.p.const_int(fn, lo) != 0:
            return False
        name = ex.ident(hi)
        owner = self.p.declaring_function(fn, name) if name is not None else None
        if owner is None or name is None:
            return False
        c = ex.call(single_assignment(self.p, owner, name))
        if c is None or len(c[1]) != 2 or c[1][0] != x:
            return False
        ext = self.external(fn, c[0])
        if ext is None or ext.recv or ext.pkg != "strings" or ext.name not in ("Index", "IndexByte", "IndexRune"):
            return False
        return self.const_string(fn, c[1][1]) == ":" or ex.literal(c[1][1]) == "':'"

    def _returns_ipv4(self, fn, call_expr) -> bool:
        """call_expr calls functions of the tree every `return` of which is `net.IPv4(...)` (an
        `IP4.ToIP()` helper of an IPv4-only type)."""
        n = ex.call_number(call_expr)
        if fn is None or n is None or not 0 <= n < len(fn.facts.ops):
            return False
        targets = self.p.resolve_call(fn, fn.facts.ops[n])[:MAX_TARGETS]
        if not targets:
            return False
        for t in targets:
            returns = [op for op in t.function.facts.ops if op.kind == "return"]
            if not returns:
                return False
            for op in returns:
                c = ex.call(op.args[0]) if len(op.args) == 1 else None
                ext = self.external(t.function, c[0]) if c is not None else None
                if ext is None or (ext.pkg, ext.recv, ext.name) != ("net", "", "IPv4"):
                    return False
        return True

    def _ipv4_string(self, fn, callee) -> bool:
        """`net.IP(b[4:8]).String()` or `net.IPv4(a, b, c, d).String()`: four bytes print as dotted IPv4."""
        sel = ex.selector(callee)
        if sel is None or sel[1] != "String":
            return False
        c = ex.call(sel[0])
        if c is None:
            return False
        ext = self.external(fn, c[0])
        if ext is not None and ext.pkg == "net" and not ext.recv and ext.name == "IPv4":
            return True
        if ext is None and self._returns_ipv4(fn, sel[0]):
            return True
        if ext is None or ext.pkg != "net" or ext.name != "IP" or len(c[1]) != 1:
            return False
        arg = c[1][0]
        if not isinstance(arg, tuple) or not arg or arg[0] != "slice" or len(arg) < 4:
            return False
        lo = self.p.const_int(fn, arg[2]) if arg[2] is not None else 0
        hi = self.p.const_int(fn, arg[3]) if arg[3] is not None else None
        return lo is not None and hi is not None and hi - lo == 4

    def _elems(self, fn, e, at, deep):
        comp = ex.composite(e)
        if comp is not None:
            out = []
            for _key, value in comp[1]:
                out.extend(self.values(fn, value, at, deep))
            return out
        c = ex.call(e)
        if c is not None:
            callee, args = c[0], c[1]
            cl = self.call_loc(fn, e, at)
            if args and ex.is_ident(callee, "append"):
                out = list(self.elems(fn, args[0], cl, deep))
                name = hole_name(args[0])
                for a in args[1:]:
                    out.extend(o.hop(cl, "appended", name) for o in self._variadic_arg(fn, a, cl, deep))
                return out
            if is_conversion(self.p, fn, callee) and args:
                return self.elems(fn, args[0], at, deep)
            return self._returns(fn, e, cl, deep, 0, "elems")
        if ex.is_name_or_selector(e):
            return self._variable(fn, e, at, deep, 0, "elems")
        inner = ex.sliced(e)
        if inner is None:
            inner = ex.spread(e)
        if inner is not None:
            return self.elems(fn, inner, at, deep)
        return ()

    def _call_values(self, fn, e, callee, args, at, deep, index):
        cl = self.call_loc(fn, e, at)
        if is_conversion(self.p, fn, callee):
            return self.values(fn, args[0], at, deep) if args else ()
        if self._ipv4_string(fn, callee):
            return (Origin((hole("s", hole_name(e)),), NO_COLON, cl, "an IPv4 address"),)
        ext = self.external(fn, callee)
        if ext is not None and (ext.pkg, ext.recv, ext.name) == ("net", "", "ParseIP") and len(args) == 1:
            # `net.ParseIP("239.255.255.250")`: a dotted IPv4 literal prints as itself (nil if invalid).
            text = self.const_string(fn, args[0])
            if text is not None and _DOTTED_IPV4.fullmatch(text):
                return (Origin((hole("s", hole_name(e)),), NO_COLON, cl, "an IPv4 address"),)
        key = (ext.pkg, ext.name) if ext is not None and not ext.recv else None
        if key == ("fmt", "Sprintf") and args:
            fmt = self.const_string(fn, args[0])
            if fmt is None:
                return (opaque("Sprintf"),)
            pieces: list = []
            for piece in parse_format(fmt):
                verb_arg = format_verb(piece)
                if verb_arg is None:
                    pieces.append((None, (piece,)))  # literal text: a template part as it is
                else:
                    verb, ai = verb_arg[0], verb_arg[1] + 1
                    arg = args[ai] if ai < len(args) else None
                    pieces.append((arg, self.operand(fn, arg, cl, verb) if arg is not None else (hole(verb),)))
            return (
                built(
                    join_parts(p for _a, p in pieces), "sprintf", cl, "fmt.Sprintf", self._first_hole(fn, pieces, cl)
                ),
            )
        if key == ("fmt", "Sprint") and args:
            pieces = [(a, self.operand(fn, a, cl)) for a in args]
            return (
                built(join_parts(p for _a, p in pieces), "concat", cl, "fmt.Sprint", self._first_hole(fn, pieces, cl)),
            )
        if key == ("net", "JoinHostPort") and len(args) == 2:
            host = self.operand(fn, args[0], cl)
            host_name = single_hole(host)
            if host_name is not None:
                host = (hole("jhp", host_name),)
            t = join_parts([host, lit(":"), self.operand(fn, args[1], cl)])
            return (built(t, "joinhostport", cl, "net.JoinHostPort"),)
        joined = ex.composite(args[0]) if key == ("strings", "Join") and len(args) == 2 else None
        if joined is not None:
            sep = self.const_string(fn, args[1])
            if sep is not None:
                parts = []
                for i, (_k, v) in enumerate(joined[1]):
                    if i:
                        parts.append(lit(sep))
                    parts.append(self.operand(fn, v, cl))
                return (built(join_parts(parts), "join", cl, "strings.Join"),)
        if key in (("strings", "ToLower"), ("strings", "ToUpper")) and args:
            case = str.upper if key[1] == "ToUpper" else str.lower
            out = []
            for o in self.values(fn, args[0], cl, deep):
                out.append(replace(o, template=map_text(o.template, case)).hop(cl, "applied", key[1]))
            return out
        if key in _TRIMS and args:
            # Trimming takes characters away: a value with no colon still has none.
            return [
                o.hop(cl, "applied", key[1]) if o.kind == NO_COLON else opaque(key[1])
                for o in self.values(fn, args[0], cl, deep)
            ]
        if ext is not None and (ext.pkg, ext.recv, ext.name) == ("net/url", "URL", "String"):
            sel = ex.selector(callee)
            from_url = self._url_string(fn, sel[0], cl) if sel is not None else None
            if from_url is not None:
                return from_url
        if key is not None and key[0] == "strconv" and key[1] in ("Itoa", "FormatInt", "FormatUint"):
            return (opaque(hole_name(args[0]) if args else "", "d"),)
        if ext is not None:
            return (opaque(ext.name),)
        return self._returns(fn, e, cl, deep, index, "value") or (opaque(hole_name(callee)),)

    def _url_string(self, fn, base, cl):
        """`(&url.URL{Scheme: "http", Host: h, Path: p}).String()` as a template, for a
        local built from one composite literal."""
        base = ex.strip_address(base)
        comp = ex.composite(base)
        var = ex.ident(base)
        if var is not None:
            owner = self.p.declaring_function(fn, var)
            writes = self.writes.local_writes(owner, var) if owner is not None else []
            if len(writes) == 1 and len(writes[0][1].args) == len(writes[0][1].targets):
                comp = ex.composite(ex.strip_address(writes[0][1].args[writes[0][2]]))
        if comp is None:
            return None
        fields = {}
        for k, v in comp[1]:
            key = ex.ident(k)
            if key is not None:
                fields[key] = v
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
        return (
            built(join_parts(p for _e, p in pieces), "concat", cl, "url.URL.String", self._first_hole(fn, pieces, cl)),
        )

    def _returns(self, fn, e, cl, deep, index, mode):
        """Origins of what an in-program call returns (result `index`)."""
        n = ex.call_number(e)
        if n is None or not 0 <= n < len(fn.facts.ops):
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
                out.extend(o.hop(rl, "returned", callee.short) for o in got)
        return out

    def _variable(self, fn, e, at, deep, index, mode):
        """Origins of a variable, package variable or field: its writes, and for
        parameters what callers pass."""
        name = ex.ident(e)
        if name is not None:
            owner = self.p.declaring_function(fn, name)
            if owner is None:
                return self._writes(self.writes.package_var_writes(fn.pkg, name), name, deep, mode)
            out = self._writes(self.writes.local_writes(owner, name), name, deep, mode)
            params = [p[0] for p in owner.facts.params]
            if deep and name in params:
                out.extend(self._from_callers(owner, params.index(name), name, mode))
            return out
        base, fname = ex.selector(e)
        base_name = ex.ident(base)
        if base_name is not None and self.p.refers_to_import(fn, base_name):
            pkg = self.p.packages.get(fn.file.imports[base_name])
            return self._writes(self.writes.package_var_writes(pkg, fname), fname, deep, mode) if pkg else []
        if base_name is not None:
            local = self._local_field(fn, base_name, fname, mode)
            if local is not None:
                return local
        if not deep:
            return []
        named = self.p.field_holder(fn, base)
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
            out.extend(o.hop(wl, "stored", label) for o in got)
        if not out and self._zero_string_field(named, fname):
            # `r.host` of a type whose package never sets it: always "" (nacos-sdk-go's push receiver)
            return [Origin((), "literal", at, "a field nothing assigns")]
        return out

    def _zero_string_field(self, named: str, fname: str) -> bool:
        """The field is a string that no code of the tree can have set (see Writes.field_never_written)."""
        declared = self.p.field_type(named, fname)
        return declared is not None and declared[0] == "string" and self.writes.field_never_written(named, fname)

    def _local_field(self, fn, var, fname, mode):
        """`u := url.URL{Host: h}; ... u.Host`: the field of a local built from a
        composite literal, read where it was written. None when var is not such a local."""
        owner = self.p.declaring_function(fn, var)
        if owner is None or var in {p[0] for p in owner.facts.params}:
            return None
        field_key = ex.make_ident(fname)
        found, out = False, []
        for f, op, i in self.writes.local_writes(owner, var):
            wl = self.loc(f, op)
            ranged = ex.ranged(op.args[0]) if len(op.args) == 1 and i == 1 else None
            if ranged is not None:
                comps = self._element_comps(f, ranged)  # for _, v := range []T{{...}, {...}}
            elif len(op.args) == len(op.targets):
                comps = [ex.strip_address(op.args[i])]
            else:
                comps = None
            if comps is None or any(ex.composite(c) is None for c in comps):
                return None  # also assigned from elsewhere: let the caller decide
            found = True
            for c in comps:
                for key, value in ex.composite_items(c):
                    if key == field_key:
                        out.extend(
                            o.hop(wl, "stored", f"{var}.{fname}") for o in self._trace(f, value, wl, True, 0, mode)
                        )
        target = ex.make_selector(ex.make_ident(var), fname)
        for f in [owner] + owner.nested_literals():
            for op in f.facts.ops:
                if op.kind == "assign" and len(op.args) == len(op.targets):
                    for i, t in enumerate(op.targets):
                        if t == target:
                            wl = self.loc(f, op)
                            out.extend(
                                o.hop(wl, "stored", f"{var}.{fname}")
                                for o in self._trace(f, op.args[i], wl, True, 0, mode)
                            )
        return out if found else None

    def _element_comps(self, fn, e, depth=0):
        """The composite literal elements of a slice literal, directly or through a
        local assigned only slice literals; None when anything else can be in it."""
        e = ex.strip_address(e)
        comp = ex.composite(e)
        if comp is not None:
            elems = [ex.strip_address(v) for _k, v in comp[1]]
            return elems if all(ex.composite(x) is not None for x in elems) else None
        var = ex.ident(e)
        if var is None or depth > 2:
            return None
        owner = self.p.declaring_function(fn, var)
        if owner is None or var in {p[0] for p in owner.facts.params}:
            return None
        out = []
        for f, op, i in self.writes.local_writes(owner, var):
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
            ranged = ex.ranged(rhs)
            if ranged is not None:
                if idx == 1 and mode == "value":
                    got = self.elems(f, ranged, wl, deep)
                    out.extend(o.hop(wl, "ranged", name) for o in got)
                continue
            got = self._trace(f, rhs, wl, deep, idx, mode)
            what = "assigned" if mode == "value" else "collected"
            out.extend(o.hop(wl, what, name) for o in got)
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
            out.extend(o.hop(cl, "passed", owner.short, name) for o in got)
        return out

    def _variadic_arg(self, fn, a, at, deep):
        """Elements contributed by one argument of a variadic call: `x`, or all of `xs...`."""
        spread = ex.spread(a)
        return self.elems(fn, spread, at, deep) if spread else self.values(fn, a, at, deep)

    def _first_hole(self, fn, pieces, at):
        """(fn, expr) of the operand that produced the template's first hole (see first_hole_of).

        An operand inlined whole from a template built earlier in the same function
        (`"dns:///" + address`, with `address := host + ":" + port`) hands on that
        template's own first hole, when every origin of it agrees on one.
        """
        for e, piece in pieces:
            if not any(is_hole(p) for p in piece):
                continue
            if e is None or len(piece) == 1:
                return first_hole_of(fn, pieces)
            holes = {o.first_hole for o in self.values(fn, e, at, deep=False)}
            inner = holes.pop() if len(holes) == 1 else None
            return inner if inner is not None and inner[0] is fn else None
        return None

    def operand(self, fn, e, at, verb="s") -> tuple:
        """The template piece for one Sprintf argument or `+` operand: constants
        and a single template built in this function are inlined, the rest is a hole."""
        name = hole_name(e)
        if is_int_verb(verb):
            v = self.p.const_int(fn, e)
            return (lit(str(v)),) if isinstance(v, int) and verb == "d" else (hole(verb, name),)
        if verb not in ("s", "v"):
            return (hole(verb, name),)
        s = self.const_string(fn, e)
        if s is not None:
            return (lit(s),)
        c = ex.call(e)
        if c is not None:
            ext = self.external(fn, c[0])
            if ext is not None and (ext.pkg, ext.name) in (
                ("strconv", "Itoa"),
                ("strconv", "FormatInt"),
                ("strconv", "FormatUint"),
            ):
                return (hole("d", hole_name(c[1][0]) if c[1] else name),)
        origins = self.values(fn, e, at, deep=False)
        templates = {o.template for o in origins}
        if len(templates) == 1 and all(o.kind != "opaque" for o in origins):
            t = next(iter(templates))
            if t:
                return t
        return (hole(verb, name),)


def is_conversion(program: Program, fn, callee) -> bool:
    """A callee that converts rather than calls: a type, `string`, `[]byte`, a type of this or an imported package."""
    if ex.is_conversion_callee(callee):
        return True
    name = ex.ident(callee)
    if name is not None:
        if name in ("string", "[]byte"):
            return True
        return name in fn.pkg.types and program.declaring_function(fn, name) is None
    sel = ex.selector(callee)
    if sel is None:
        return False
    pkg_name = ex.ident(sel[0])
    if pkg_name is not None and program.refers_to_import(fn, pkg_name):
        pkg = program.packages.get(fn.file.imports[pkg_name])
        return pkg is not None and sel[1] in pkg.types
    return False


def _tracer(ctx: Context) -> Tracer:
    catalog = ctx.result(SINK_CATALOG)
    return Tracer(ctx.program, catalog.ctors, catalog.method_names, ctx.result(WRITES))


# Costly enough to keep GIM301/GIM302 in one lane; cheaper than the concurrency family
# (see docs/performance.md, "Winning back this round's cost").
_TRIMS = frozenset(
    ("strings", name) for name in ("TrimSuffix", "TrimPrefix", "TrimSpace", "Trim", "TrimLeft", "TrimRight")
)

VALUE_TRACE = Pass(
    "value-trace",
    _tracer,
    requires=(SINK_CATALOG, WRITES),
    cost=2,
    doc="where a string value comes from: writes, returns, callers' arguments",
)
