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
closure that does) or "no path" (returned, panicked). Aliases (`last = conn`) and local containers
(`conns[host] = conn`, `conns = append(conns, c)`) are followed; a local
container is itself a holder that must be released or handed on.

Whatever the analysis cannot classify (a call it cannot resolve that is
not a known borrower, an assignment to something it does not model) counts
as "handed on": the rules prefer silence to guessing.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from golint_im import knowledge
from golint_im.findings import Finding, Location, Related, Step
from golint_im.passes import Pass
from golint_im.program import Program, Target, enclosing_regions
from golint_im.source import default_import_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CATALOG = knowledge.path("resources.toml")

RELEASE = "release"
ESCAPE = "escape"

# Calls that end the path: no leak is reported past them.
_TERMINATORS = {"Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln", "Exit", "FailNow", "Skip",
                "Skipf", "SkipNow", "Goexit"}
# External packages whose functions use a resource without keeping it.
_BORROW_PKGS = {
    "fmt", "io", "io/ioutil", "bufio", "bytes", "strings", "strconv", "errors", "log", "log/slog", "context",
    "sync", "sync/atomic", "time", "sort", "reflect", "encoding/json", "encoding/xml", "encoding/binary",
    "encoding/gob", "encoding/csv", "encoding/pem", "encoding/base64", "encoding/hex", "compress/gzip",
    "compress/flate", "compress/zlib", "mime", "mime/multipart", "testing", "os", "unicode/utf8",
    "github.com/stretchr/testify/assert", "github.com/stretchr/testify/require", "go.uber.org/zap",
    "github.com/sirupsen/logrus", "k8s.io/klog", "k8s.io/klog/v2", "github.com/go-kit/log",
    "github.com/go-kit/log/level", "github.com/go-kit/kit/log", "github.com/go-kit/kit/log/level",
    "google.golang.org/grpc/grpclog", "github.com/google/go-cmp/cmp", "net/http/httputil",
    "google.golang.org/protobuf/proto", "github.com/golang/protobuf/proto", "github.com/gogo/protobuf/proto",
    "github.com/pkg/errors",
}
# ... except these, which wrap the resource and take it over.
_TAKERS = {"net/http/httputil.NewClientConn", "net/http/httputil.NewServerConn", "io.NopCloser",
           "io/ioutil.NopCloser"}
_BUILTINS_NEUTRAL = {"len", "cap", "delete", "print", "println", "min", "max", "clear", "copy", "append",
                     "panic", "new", "make", "close", "complex", "real", "imag", "recover"}
_STREAM_USE = {"Recv", "RecvMsg", "CloseSend", "CloseAndRecv"}  # a value used so is a stream
_CTX_WITH = {"WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause",
             "WithDeadlineCause"}
_GENERATED_CLIENT = re.compile(r"^New\w*Client$")
# Logging and formatting calls only print their arguments, whatever logger implements them.
_LOGGING = re.compile(r"^(Print|Log|Info|Warn|Warning|Error|Debug|Trace|Fatal|Panic|Notice|Sprint|Errorf)"
                      r"(f|ln|w|S|Depth|Context)?$")


# ---------------------------------------------------------------------------
# Catalog


@dataclass(frozen=True)
class Kind:
    rule: str
    noun: str
    verb: str
    closers: frozenset
    constructors: frozenset
    suffix: tuple  # path from the acquired value to the resource: ("Body",) for responses

    @property
    def stream(self) -> bool:
        return self.rule == "GIM204"


def load_kinds(config_resources: dict | None = None) -> dict[str, Kind]:
    data = tomllib.loads(CATALOG.read_text(encoding="utf-8"))
    extra = config_resources or {}
    kinds = {}
    for rule, table in sorted(data.items()):
        add = extra.get(rule, {}) or {}
        kinds[rule] = Kind(
            rule=rule, noun=table["resource"], verb=table.get("verb", "opened"),
            closers=frozenset(table.get("closers", ())) | frozenset(add.get("closers", ())),
            constructors=frozenset(table.get("constructors", ())) | frozenset(add.get("constructors", ())),
            suffix=(table["field"],) if table.get("field") else ())
    return kinds


# ---------------------------------------------------------------------------
# What the analysis knows about holders of a resource


@dataclass
class Holder:
    name: str
    suffix: tuple | None  # None: a struct wrapping the resource somewhere inside
    container: str = ""  # "map" | "slice" when the variable holds many of them
    decl_region: int = 0


@dataclass(frozen=True)
class Ref:
    name: str
    suffix: tuple | None
    container: bool = False

    @property
    def resource(self) -> bool:
        """The expression is the resource itself (or a wrapper that may close it)."""
        return not self.container and (self.suffix is None or self.suffix == ())


@dataclass
class Origin:
    """Why a call is an acquisition: the chain down to the catalog constructor."""

    kind: Kind
    result: int  # index of the resource among the call's results
    base: str  # catalog constructor at the bottom, e.g. "google.golang.org/grpc.DialContext"
    impl: object = None  # Function of the analysed code returning a fresh resource, if any
    via: str = ""  # "interface discovery.Resolver.GetConn" when resolved by CHA
    impl_op: object = None  # the op in impl that acquires it


# ---------------------------------------------------------------------------
# Expression helpers


def render(expr, depth=0) -> str:
    if expr is None:
        return ""
    if depth > 6:
        return "…"
    tag = expr[0]
    if tag == "id":
        return expr[1]
    if tag == "sel":
        return f"{render(expr[1], depth + 1)}.{expr[2]}"
    if tag == "call":
        args = ", ".join(render(a, depth + 1) for a in expr[2][:3])
        if len(expr[2]) > 3:
            args += ", …"
        return f"{render(expr[1], depth + 1)}({args})"
    if tag == "str":
        return '"' + expr[1][:20] + '"'
    if tag in ("int", "lit"):
        return str(expr[1])
    if tag == "bin":
        return f"{render(expr[2], depth + 1)} {expr[1]} {render(expr[3], depth + 1)}"
    if tag == "un":
        return f"{expr[1]}{render(expr[2], depth + 1)}"
    if tag == "idx":
        return f"{render(expr[1], depth + 1)}[{render(expr[2], depth + 1)}]"
    if tag == "slice":
        return f"{render(expr[1], depth + 1)}[:]"
    if tag == "assert":
        return f"{render(expr[1], depth + 1)}.({expr[2]})"
    if tag == "type":
        return expr[1]
    if tag == "funclit":
        return "func(){…}"
    if tag == "comp":
        return f"{expr[1]}{{…}}"
    return str(expr[1])[:40] if len(expr) > 1 else "…"


_FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _negate(expr) -> str:
    if expr[0] == "bin" and expr[1] in _FLIP:
        return render(("bin", _FLIP[expr[1]], expr[2], expr[3]))
    if expr[0] == "un" and expr[1] == "!":
        return render(expr[2])
    return f"!({render(expr)})"


def _is_nil(expr) -> bool:
    return expr is not None and expr[0] == "lit" and expr[1] == "nil"


def _subexprs(expr):
    """Every expression inside expr, itself included; function literal bodies are not entered."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if not isinstance(e, tuple) or not e or not isinstance(e[0], str):
            continue
        yield e
        tag = e[0]
        if tag == "call":
            stack.append(e[1])
            stack.extend(e[2])
        elif tag == "comp":
            stack.extend(v for _k, v in e[2])
        elif tag in ("sel", "slice", "assert", "range", "spread"):
            stack.append(e[1])
        elif tag == "un":
            stack.append(e[2])
        elif tag in ("bin", "idx"):
            stack.extend(e[-2:])


def _calls_in(expr):
    """Call numbers of the calls inside an expression."""
    return [e[3] for e in _subexprs(expr) if e[0] == "call"]


def _ids_in(expr, out: set) -> set:
    out.update(e[1] for e in _subexprs(expr) if e[0] == "id")
    return out


def _funclits_in(expr, out: list) -> list:
    out.extend(e[1] for e in _subexprs(expr) if e[0] == "funclit")
    return out


def _sels_named(expr, name, out: list) -> list:
    """Bases of the `X.name` selectors inside an expression."""
    out.extend(e[1] for e in _subexprs(expr) if e[0] == "sel" and e[2] == name)
    return out


STUB = ("<stub>",)  # suffix of a generated client stub wrapping a connection: its methods are RPCs


def _stub_constructor(callee) -> bool:
    name = callee[2] if callee[0] == "sel" else callee[1] if callee[0] == "id" else ""
    return bool(_GENERATED_CLIENT.match(name or ""))


def _ref(expr, holders) -> Ref | None:
    """The holder an expression evaluates to (the resource, its response, a container, an element)."""
    if not isinstance(expr, tuple) or not expr:
        return None
    tag = expr[0]
    if tag == "id":
        h = holders.get(expr[1])
        if h is None:
            return None
        return Ref(h.name, h.suffix, bool(h.container))
    if tag == "sel":
        r = _ref(expr[1], holders)
        if r is None or r.container:
            return None
        if r.suffix is None:
            return r
        if r.suffix and r.suffix[0] == expr[2]:
            return Ref(r.name, r.suffix[1:])
        return None
    if tag == "un" and expr[1] in ("&", "*"):
        return _ref(expr[2], holders)
    if tag == "assert":
        return _ref(expr[1], holders)
    if tag == "call" and expr[1][0] == "type" and len(expr[2]) == 1:
        return _ref(expr[2][0], holders)
    if tag == "call" and _stub_constructor(expr[1]) and len(expr[2]) == 1:
        # `pb.NewFooClient(cc)`: the generated stub holds the connection for as long as it lives.
        for a in expr[2]:
            r = _ref(a, holders)
            if r is not None and r.resource:
                return Ref(r.name, STUB)
        return None
    if tag == "idx":
        r = _ref(expr[1], holders)
        if r is not None and r.container:
            return Ref(r.name, r.suffix)
        return None
    if tag == "slice":
        return _ref(expr[1], holders)
    return None


def _wrapped_ref(expr, holders) -> Ref | None:
    """A holder inside a composite literal (`&Client{cc: cc}`, `[]net.Conn{c}`)."""
    if not isinstance(expr, tuple) or not expr:
        return None
    if expr[0] == "un" and expr[1] == "&":
        return _wrapped_ref(expr[2], holders)
    if expr[0] == "comp":
        for _k, v in expr[2]:
            r = _ref(v, holders) or _wrapped_ref(v, holders)
            if r is not None:
                return Ref(r.name, None)
    return None


def _value_ref(expr, holders) -> Ref | None:
    return _ref(expr, holders) or _wrapped_ref(expr, holders)


# ---------------------------------------------------------------------------
# Structured view of a function: the items (ops and child regions) of each region in source order


class FnView:
    def __init__(self, fn):
        f = fn.facts
        self.fn = fn
        self.regions = f.regions
        self.ops = f.ops
        n = len(f.regions)
        first = [None] * n
        for i, op in enumerate(f.ops):
            r = op.region
            while 0 <= r < n and first[r] is None:
                first[r] = i
                r = f.regions[r].parent
        self.children: dict[int, list] = {r: [] for r in range(n)}
        for i, op in enumerate(f.ops):
            if 0 <= op.region < n:
                self.children[op.region].append((i, 0, i))
        self.kids: dict[int, list] = {r: [] for r in range(n)}  # all child regions, empty ones included
        for r in range(1, n):
            p = f.regions[r].parent
            if 0 <= p < n:
                self.kids[p].append(r)
                if first[r] is not None:
                    self.children[p].append((first[r], 1, r))
        for items in self.children.values():
            items.sort()
        self.else_of: dict[int, int] = {}
        self.if_of: dict[int, int] = {}
        for p, rs in self.kids.items():
            for a, b in zip(rs, rs[1:]):
                ra, rb = f.regions[a], f.regions[b]
                if ra.kind == "if" and rb.kind == "else" and ra.info == rb.info:
                    self.else_of[a] = b
                    self.if_of[b] = a
        self.first = first

    def in_region(self, r: int, outer: int) -> bool:
        return outer in enclosing_regions(self.fn.facts, r)

    def loops_around(self, r: int):
        return [x for x in enclosing_regions(self.fn.facts, r) if self.regions[x].kind in ("for", "range")]

    def jump_target(self, op) -> int | None:
        """The region a `break`/`continue` leaves; None for goto, fallthrough or an unknown label."""
        if op.mode == "continue":
            kinds = ("for", "range")
        elif op.mode == "break":
            kinds = ("for", "range", "switch", "select")
        else:
            return None
        label = op.fn[1] if op.fn is not None and op.fn[0] == "id" else ""
        for r in enclosing_regions(self.fn.facts, op.region):
            reg = self.regions[r]
            if reg.kind in kinds and (not label or reg.label == label):
                return r
        return None

    def endless(self, r: int) -> bool:
        """`for {`: left only by break, return, panic or goto."""
        reg = self.regions[r]
        return reg.kind == "for" and reg.info is None


# ---------------------------------------------------------------------------
# The analysis


class Analysis:
    def __init__(self, ctx):
        self.ctx = ctx
        self.program: Program = ctx.program
        resources = getattr(ctx.config, "resources", None) or {}
        self.kinds = load_kinds(resources)
        self.debug = {"gim2xx_unresolved_handoffs": 0, "gim2xx_acquisitions": 0}
        self._views: dict = {}
        self._fresh: dict = {}
        self._summary: dict = {}
        self._lit_effect: dict = {}
        self._ext_impls = None
        self._targets_cache: dict = {}
        self._acq_cache: dict = {}
        self._op_idx: dict = {}
        self._by_name: dict[str, list] = {}
        for k in self.kinds.values():
            for c in k.constructors:
                self._by_name.setdefault(c.rsplit(".", 1)[-1], []).append(k)
        self.findings: dict[str, list] = {k: [] for k in self.kinds}
        self._run()

    # ---- small program queries -------------------------------------------
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

    # ---- acquisitions ------------------------------------------------------
    def acquisition(self, fn, op) -> Origin | None:
        """Origin if the call op opens a resource the caller must release."""
        if op.kind != "call" or op.mode != "plain":
            return None
        key = (fn.id, id(op))
        if key in self._acq_cache:
            return self._acq_cache[key]
        self._acq_cache[key] = None  # recursion guard
        origin = self._acquisition(fn, op)
        self._acq_cache[key] = origin
        return origin

    def _acquisition(self, fn, op) -> Origin | None:
        callee = op.fn
        last = callee[2] if callee[0] == "sel" else callee[1] if callee[0] == "id" else None
        if last is None:
            return None
        if last in self._by_name:
            names = self.call_names(fn, callee)
            for k in self._by_name[last]:
                hit = names & k.constructors
                if hit:
                    return Origin(k, 0, sorted(hit, key=len)[-1])
        # Calls into the analysed code: catalog functions analysed themselves, or fresh-resource functions.
        best = None
        want = self._results_wanted(fn, op)
        for t in self.targets(fn, op):
            f = t.function
            if want is not None and len(f.facts.results) != want:
                continue  # CHA by method name matched a method of another shape
            for k in self.kinds.values():
                hit = self.function_names(f) & k.constructors
                if hit:
                    return Origin(k, 0, sorted(hit, key=len)[-1])
            fr = self.fresh(f)
            if fr is not None and best is None:
                best = Origin(fr.kind, fr.result, fr.base, impl=f, via=t.via, impl_op=fr.impl_op)
        if best is not None:
            return best
        if callee[0] == "sel" and "GIM204" in self.kinds and self._stream_call(fn, op):
            return Origin(self.kinds["GIM204"], 0, f"{render(callee)}")
        return None

    def _stream_call(self, fn, op) -> bool:
        """A method of a generated `<Svc>Client` returning a `<Svc>_<Method>Client` stream."""
        base, m = op.fn[1], op.fn[2]
        if base[0] == "id" and self.program.refers_to_import(fn, base[1]):
            return False
        t = self.type_of(fn, base)
        named = Program.named(t) if t else None
        if not named:
            return False
        tname = named.split("#")[1]
        if not tname.endswith("Client") or "_" in tname or tname == "Client":
            return False
        want = re.compile(rf"(^|[.\w])_{re.escape(m)}Client$")
        p = self.program
        decl = p.type_decl(named)
        if decl is not None:
            if decl[0].kind == "interface":
                sig = p.interface_methods(named).get(m)
                return bool(sig) and any(want.search(r.strip().lstrip("*")) for r in sig[1])
            mf = p.method(named, m)
            return mf is not None and any(want.search(r.strip().lstrip("*")) for r in mf.facts.results)
        # The stubs are not analysed (generated files are skipped): judge by the use of the result.
        parent = self._parent_op(fn, op)
        if parent is None:
            return False
        pop = fn.facts.ops[parent]
        if pop.kind == "return":
            results = fn.facts.results
            for i, a in enumerate(pop.args):
                if a[0] == "call" and a[3] == self.op_index(fn, op) and i < len(results):
                    rt = results[i] if len(pop.args) == len(results) else results[0]
                    return bool(want.search(rt.strip().lstrip("*")))
            return False
        if pop.kind == "assign" and pop.targets and pop.targets[0][0] == "id":
            name = pop.targets[0][1]
            for o in self._ops_with_literals(fn):
                if o.kind == "call" and o.fn[0] == "sel" and o.fn[1] == ("id", name) and o.fn[2] in _STREAM_USE:
                    return True
            if pop.mode == "var" and pop.vtype and want.search(pop.vtype):
                return True
        return False

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

    # ---- interprocedural: functions returning a fresh resource -------------
    @dataclass
    class Fresh:
        kind: Kind
        result: int
        base: str
        impl_op: object

    def fresh(self, f):
        """Fresh(kind, result index) when every non-nil return of f hands back a new resource."""
        if f.id in self._fresh:
            return self._fresh[f.id]
        self._fresh[f.id] = None  # recursion guard
        try:
            res = self._compute_fresh(f)
        except RecursionError:
            res = None
        self._fresh[f.id] = res
        return res

    def _compute_fresh(self, f):
        ff = f.facts
        results = ff.results
        if not results or ff.name == "<init>":
            return None
        returns = [o for o in ff.ops if o.kind == "return"]
        if not returns:
            return None
        shapes = []
        for r in returns:
            shape = self._return_values(f, r, len(results))
            if shape is None:
                return None
            shapes.append(shape)
        found = None
        for fresh, _nils in shapes:
            for c in fresh.values():
                if found is None:
                    found = c
                elif c[0] is not found[0] or c[1] != found[1]:
                    return None
        if found is None:
            return None
        kind, idx = found[0], found[1]
        for fresh, nils in shapes:
            if idx not in fresh and idx not in nils:
                return None
        if kind.stream and any(t.replace(" ", "") in ("context.CancelFunc", "func()") for t in results):
            return None
        return Analysis.Fresh(kind, idx, found[2], found[3])

    def _return_values(self, f, r, n):
        """({index: fresh candidate}, {indexes returning nil}) for one return, or None if unsupported."""
        ops = f.facts.ops
        if len(r.args) == 1 and n > 1:
            a = r.args[0]
            if a[0] == "call" and a[3] >= 0:
                o = self.acquisition(f, ops[a[3]])
                if o is not None:
                    return {o.result: (o.kind, o.result, o.base, ops[a[3]])}, set()
            return None
        if len(r.args) != n:
            return None
        fresh, nils = {}, set()
        for i, a in enumerate(r.args):
            if _is_nil(a):
                nils.add(i)
                continue
            c = self._fresh_value(f, a, i)
            if c is not None:
                fresh[i] = c
        return fresh, nils

    def _fresh_value(self, f, expr, i):
        """(kind, i, base, op) if expr is a constructor call or a local holding only constructor results."""
        ops = f.facts.ops
        if expr[0] == "call" and expr[3] >= 0:
            o = self.acquisition(f, ops[expr[3]])
            if o is not None and o.result == 0:
                return (o.kind, i, o.base, ops[expr[3]])
            return None
        if expr[0] != "id" or expr[1] not in self.program.declared(f) or expr[1] in self.params(f):
            return None
        name = expr[1]
        found = None
        for op in ops:
            if op.kind != "assign":
                continue
            for ti, t in enumerate(op.targets):
                if t != ("id", name):
                    continue
                if op.mode == "var" and not op.args:
                    continue
                if len(op.args) == 1 and len(op.targets) > 1:
                    v = op.args[0]
                    pos = ti
                elif ti < len(op.args):
                    v = op.args[ti]
                    pos = 0
                else:
                    return None
                if _is_nil(v):
                    continue
                if v[0] != "call" or v[3] < 0:
                    return None
                o = self.acquisition(f, ops[v[3]])
                if o is None or o.result != pos:
                    return None
                if found is not None and found[0] is not o.kind:
                    return None
                found = (o.kind, i, o.base, ops[v[3]])
        if found is None:
            return None
        # It must not be kept anywhere else: a function that caches is not a constructor.
        holders = {name: Holder(name, found[0].suffix)}
        for op in f.facts.ops:
            if op.kind == "return":
                if self._nested_literals_effect(f, op, holders, found[0]) == RELEASE:
                    return None  # `return cc, func() { cc.Close() }`: hands back its own closer
                continue
            eff = self.op_effect(f, op, holders, found[0], scan=True)
            if eff == ESCAPE:
                return None
            if eff == RELEASE and (op.mode == "defer" or self._nested_literals_effect(f, op, holders, found[0])
                                   or (op.kind == "call" and any(a[0] == "funclit" for a in op.args))
                                   or op.fn is not None and op.fn[0] == "funclit"):
                return None  # released by the function itself (`defer`, `t.Cleanup`): the caller only borrows it
            if any(h.container for h in holders.values()):
                return None
        return found

    # ---- effects of ops on holders ----------------------------------------
    def op_effect(self, fn, op, holders, kind, scan=False):
        """RELEASE, ESCAPE, ("store", container) or None; records new aliases in holders."""
        lit_eff = self._nested_literals_effect(fn, op, holders, kind)
        if lit_eff is not None:
            return lit_eff
        if op.kind == "call":
            return self.call_effect(fn, op, holders, kind)
        if op.kind == "send":
            if op.args and _value_ref(op.args[0], holders) is not None:
                return ESCAPE
            return None
        if op.kind == "assign":
            return self.assign_effect(fn, op, holders, kind)
        if op.kind == "return" and scan:
            if self.returns_holder(fn, op, holders):
                return ESCAPE
        return None

    def returns_holder(self, fn, op, holders) -> bool:
        """The return hands a holder to the caller (directly, in a composite, or in a closure)."""
        for a in op.args:
            if _value_ref(a, holders) is not None:
                return True
            for index in _funclits_in(a, []):
                lit = self.program.literal(fn, index)
                if lit is not None and self.captured(lit, holders):
                    return True
        return False

    def _nested_literals_effect(self, fn, op, holders, kind):
        """Closures built by this op (`cancel := func() { conn.Close() }`, `&T{stop: func() {...}}`)."""
        exprs = list(op.args) + list(op.targets)
        if op.kind == "call":
            exprs = [a for a in op.args if a[0] != "funclit"]
        lits = []
        for e in exprs:
            _funclits_in(e, lits)
        best = None
        for index in lits:
            lit = self.program.literal(fn, index)
            if lit is None:
                continue
            eff = self.literal_effect(lit, holders, kind)
            if eff == RELEASE:
                return RELEASE
            if eff == ESCAPE:
                best = ESCAPE
        return best

    def call_effect(self, fn, op, holders, kind):
        callee = op.fn
        if callee[0] == "sel":
            r = _ref(callee[1], holders)
            if r is not None and not r.container:
                m = callee[2]
                if r.suffix is None:  # a struct wrapping the resource
                    if m in kind.closers or m.startswith(("Close", "Stop", "Shutdown", "Release")):
                        return RELEASE
                    return self._wrapper_method(fn, op, holders, kind, r)
                if r.suffix == () and m in kind.closers:
                    return RELEASE
        if callee[0] == "funclit":
            lit = self.program.literal(fn, callee[1])
            if lit is None:
                return ESCAPE
            eff = self.literal_effect(lit, holders, kind)
            if eff:
                return eff
            for i, a in enumerate(op.args):
                r = _value_ref(a, holders)
                if r is not None:
                    e = self._param_effect(lit, i, r, kind)
                    if e:
                        return e
            return None
        effects = []
        for i, a in enumerate(op.args):
            if a[0] == "funclit":
                lit = self.program.literal(fn, a[1])
                if lit is not None:
                    e = self.literal_effect(lit, holders, kind)
                    if e:
                        effects.append(e)
                continue
            if a[0] == "sel" and a[2] in kind.closers:
                r = _ref(a[1], holders)
                if r is not None and r.resource:
                    effects.append(RELEASE)  # `t.Cleanup(conn.Close)`: the method value is handed over
                    continue
            r = _value_ref(a, holders)
            if r is None:
                continue
            e = self.pass_effect(fn, op, i, r, kind)
            if e:
                effects.append(e)
        if RELEASE in effects:
            return RELEASE
        if ESCAPE in effects:
            return ESCAPE
        return None

    def _wrapper_method(self, fn, op, holders, kind, r):
        targets = self.targets(fn, op)
        if not targets:
            return ESCAPE
        effs = set()
        for t in targets:
            recv = t.function.facts.recv_name
            if not recv:
                return ESCAPE
            effs.add(self.summary(t.function, recv, None, kind))
        return RELEASE if RELEASE in effs else ESCAPE if ESCAPE in effs else None

    def pass_effect(self, fn, op, i, r, kind):
        """What the callee does with a holder passed as argument i."""
        callee = op.fn
        if callee[0] == "id" and callee[1] in _BUILTINS_NEUTRAL and self.program.lookup_local(fn, callee[1]) is None \
                and callee[1] not in fn.pkg.funcs:
            return None
        if callee[0] == "type":
            return None
        name = callee[2] if callee[0] == "sel" else callee[1] if callee[0] == "id" else ""
        if r.resource and _GENERATED_CLIENT.match(name or "") and len(op.args) == 1:
            # Generated stubs (`pb.NewFooClient(cc)`, always one argument): followed as a
            # wrapper of the value. `NewRTCClient(conn, opts)` is a constructor like any other.
            return None
        if _LOGGING.match(name or ""):
            return None
        ext = self.program.external_callee(fn, callee)
        if ext is not None:
            if f"{ext.pkg}.{ext.name}" in _TAKERS:
                return ESCAPE
            if ext.pkg in _BORROW_PKGS:
                return None
            self.debug["gim2xx_unresolved_handoffs"] += 1
            return ESCAPE
        targets = self.targets(fn, op)
        if not targets:
            self.debug["gim2xx_unresolved_handoffs"] += 1
            return ESCAPE
        effs = set()
        for t in targets:
            effs.add(self._param_effect(t.function, i, r, kind))
        if RELEASE in effs:
            return RELEASE
        if ESCAPE in effs:
            return ESCAPE
        return None

    def _param_effect(self, f, i, r, kind):
        params = f.facts.params
        if i >= len(params) or params[i][1].startswith("..."):
            return ESCAPE  # gathered into a variadic slice: not followed
        pname = params[i][0]
        if not pname or pname == "_":
            return None
        return self.summary(f, pname, r.suffix, kind, "slice" if r.container else "")

    def summary(self, f, pname, suffix, kind, container=""):
        """What f does with its parameter pname: RELEASE (closes it), ESCAPE (keeps it), None (borrows)."""
        key = (f.id, pname, suffix, kind.rule, container)
        if key in self._summary:
            return self._summary[key]
        self._summary[key] = None  # recursion: assume it borrows
        res = self.scan(f, {pname: Holder(pname, suffix, container)}, kind)
        self._summary[key] = res
        return res

    def captured(self, lit, holders) -> dict:
        """The holders a function literal refers to (and does not redeclare)."""
        captured = {n: h for n, h in holders.items() if n not in self.program.declared(lit)}
        if not captured:
            return {}
        used = set()
        for op in self._ops_with_literals(lit):
            for e in list(op.args) + list(op.targets) + ([op.fn] if op.fn is not None and op.kind != "jump" else []):
                _ids_in(e, used)
        return {n: h for n, h in captured.items() if n in used}

    def literal_effect(self, lit, holders, kind):
        """What a function literal does with the holders it captures."""
        captured = self.captured(lit, holders)
        if not captured:
            return None
        key = (lit.id, tuple(sorted((n, h.suffix, h.container) for n, h in captured.items())), kind.rule)
        if key in self._lit_effect:
            return self._lit_effect[key]
        self._lit_effect[key] = None
        res = self.scan(lit, captured, kind)
        self._lit_effect[key] = res
        return res

    def scan(self, f, holders, kind):
        """Flow-insensitive effect of a whole function body on the given holders."""
        holders = dict(holders)
        result = None
        for op in f.facts.ops:
            eff = self.op_effect(f, op, holders, kind, scan=True)
            if eff == RELEASE:
                return RELEASE
            if eff == ESCAPE:
                result = ESCAPE
        if kind.stream and self._drained(f, holders):
            return RELEASE
        return result

    def _drained(self, f, holders) -> bool:
        """A stream read in a loop (Recv until it fails) is released by the reader."""
        view = self.view(f)
        for op in f.facts.ops:
            if op.kind == "call" and op.fn[0] == "sel" and op.fn[2] in ("Recv", "RecvMsg"):
                r = _ref(op.fn[1], holders)
                if r is not None and r.resource and view.loops_around(op.region):
                    return True
        return False

    def assign_effect(self, fn, op, holders, kind):
        targets, values = op.targets, op.args
        pairs = []
        if len(values) == 1 and len(targets) > 1:
            v = values[0]
            if v[0] == "range":
                r = _ref(v[1], holders)
                if r is not None and r.container:
                    for t in targets:
                        if t[0] == "id" and t[1] != "_":
                            holders[t[1]] = Holder(t[1], r.suffix, "", self.program.declared(fn).get(t[1], op.region))
                return None
            if v[0] in ("assert", "idx"):
                pairs = [(targets[0], v)]
            else:
                return None
        else:
            pairs = list(zip(targets, values))
        result = None
        for t, v in pairs:
            if v[0] == "funclit":
                lit = self.program.literal(fn, v[1])
                if lit is not None and self.captured(lit, holders):
                    if t[0] == "id" and t[1] in self.program.declared(fn) and t[1] not in self.params(fn):
                        holders[t[1]] = Holder(t[1], None, "", self.program.declared(fn).get(t[1], 0))
                    elif not (t[0] == "id" and t[1] == "_"):
                        result = _stronger(result, ESCAPE)  # a closure kept in a field or outer variable
                continue
            if v[0] == "range":
                r = _ref(v[1], holders)
                if r is not None and r.container and t[0] == "id" and t[1] != "_":
                    holders[t[1]] = Holder(t[1], r.suffix, "", self.program.declared(fn).get(t[1], op.region))
                continue
            # m[conn] = x: the resource is kept as a key
            if t[0] == "idx":
                kr = _ref(t[2], holders)
                if kr is not None and not kr.container:
                    e = self._store_into(fn, op, t[1], kr, holders, "map")
                    result = _stronger(result, e)
            if v[0] == "call" and v[1] == ("id", "append") and v[2]:
                for a in v[2][1:]:
                    r = _value_ref(a, holders)
                    if r is None:
                        continue
                    e = self._store_into(fn, op, t, r, holders, "slice")
                    result = _stronger(result, e)
                continue
            r = _value_ref(v, holders)
            if r is None:
                continue
            if t[0] == "id":
                name = t[1]
                if name == "_":
                    continue
                if name in self.program.declared(fn) and name not in self.params(fn):
                    holders[name] = Holder(name, r.suffix, "map" if r.container else "",
                                           self.program.declared(fn).get(name, 0))
                    continue
                result = _stronger(result, ESCAPE)
                continue
            if t[0] == "idx":
                result = _stronger(result, self._store_into(fn, op, t[1], r, holders, "map"))
                continue
            result = _stronger(result, ESCAPE)  # field, *p, ...
        return result

    def _store_into(self, fn, op, target, r, holders, how):
        """Store a holder into the container expression `target` (m in m[k] = v, s in s = append(s, v))."""
        if target[0] == "id" and target[1] in self.program.declared(fn) and target[1] not in self.params(fn):
            name = target[1]
            t = self.type_of(fn, target) or ""
            shape = "map" if t.startswith("map[") else "slice" if t.startswith("[") else how
            holders[name] = Holder(name, r.suffix if r.suffix is not None else None, shape,
                                   self.program.declared(fn).get(name, 0))
            return ("store", name)
        return ESCAPE

    # ---- GIM204: the context of a stream -----------------------------------
    def ctx_cancelled(self, fn, op, origin=None) -> bool:
        """The stream's context is cancelled by this function, or owned by a longer-lived object."""
        index = 0  # generated stubs take the context first
        if origin is not None and origin.impl is not None:
            params = origin.impl.facts.params
            index = next((i for i, (_n, t) in enumerate(params) if t.endswith("context.Context")), -1)
        if not 0 <= index < len(op.args):
            return False
        return self._ctx_expr_cancelled(fn, op.args[index], 0)

    def conn_closed_by_defer(self, fn, op) -> bool:
        """The stream's client is built from a connection this function closes with `defer conn.Close()`.

        Closing a ClientConn ends every stream opened on it, so
        `conn := grpc.NewClient(...); defer conn.Close(); c := pb.NewXClient(conn);
        s, _ := c.Bidi(ctx)` releases s whatever the paths in between."""
        callee = op.fn
        if callee[0] != "sel":
            return False
        base = callee[1]
        if base[0] == "id":  # client := pb.NewXClient(conn)
            for o in fn.facts.ops:
                if o.kind == "assign" and len(o.targets) == len(o.args) and base in o.targets:
                    value = o.args[o.targets.index(base)]
                    if value[0] == "call":
                        base = value
                        break
        if base[0] != "call":
            return False
        # Whatever builds the client from the connection (a generated constructor or a
        # hand-written wrapper), the connection it was given is what ends the stream.
        closed = {o.fn[1] for o in fn.facts.ops
                  if o.kind == "call" and o.mode == "defer" and o.fn[0] == "sel" and o.fn[2] == "Close"}
        return any(arg[0] == "id" and arg in closed for arg in base[2])

    def _ctx_expr_cancelled(self, fn, expr, depth) -> bool:
        if depth > 4 or expr is None:
            return False
        if expr[0] == "sel":
            return expr[1][0] != "id" or not self.program.refers_to_import(fn, expr[1][1])  # s.ctx: the owner's context
        if expr[0] == "call":
            c = expr[1]
            if c[0] == "sel" and c[2] == "Context" and not expr[2]:
                # t.Context(), r.Context(), stream.Context(): cancelled when the test, the request
                # or the RPC that owns it ends.
                return True
            if expr[2]:
                return self._ctx_expr_cancelled(fn, expr[2][0], depth + 1)
            return False
        if expr[0] != "id":
            return False
        name = expr[1]
        g = self.program.declaring_function(fn, name)
        if g is None:
            return False
        assigned = any(o.kind == "assign" and ("id", name) in o.targets for o in g.facts.ops)
        if not assigned and name in self.params(g) and name != g.facts.recv_name:
            # A parameter: cancelled if every caller passes a context it cancels.
            names = [p[0] for p in g.facts.params]
            i = names.index(name)
            callers = self.program.callers(g) or self._table_callers(g)
            if not callers or len(callers) > 16:
                return False
            for caller, cop in callers:
                if i >= len(cop.args) or not self._ctx_expr_cancelled(caller, cop.args[i], depth + 1):
                    return False
            return True
        for o in g.facts.ops:
            if o.kind != "assign" or ("id", name) not in o.targets:
                continue
            if len(o.args) == 1 and o.args[0][0] == "call":
                call = o.args[0]
                c = call[1]
                if c[0] == "sel" and c[2] == "WithContext" and o.targets.index(("id", name)) == 1:
                    ext = self.program.external_callee(g, c)
                    if ext is not None and ext.pkg == "golang.org/x/sync/errgroup":
                        # `g, gctx := errgroup.WithContext(ctx)`: cancelled when a goroutine
                        # of the group fails and when Wait returns.
                        return True
                if c[0] == "sel" and c[2] in _CTX_WITH and len(o.targets) > 1:
                    cancel = o.targets[1]
                    if cancel[0] == "id" and cancel[1] != "_" and self._used(g, cancel[1]):
                        return True
                    continue
                if self._ctx_expr_cancelled(g, call, depth + 1):
                    return True
            elif len(o.targets) == len(o.args):
                v = o.args[o.targets.index(("id", name))]
                if self._ctx_expr_cancelled(g, v, depth + 1):
                    return True
        return False

    def _table_callers(self, lit):
        """Callers of a literal kept in a test table (`{name: ..., run: func(ctx ...) {...}}`, `tc.run(ctx)`)."""
        if lit.parent is None:
            return []
        top = lit.parent
        while top.parent is not None:
            top = top.parent
        index = next((i for i, ff in enumerate(lit.file.funcs) if ff is lit.facts), -1)
        keys = set()
        for f in [top] + list(self._all_literals(top)):
            for op in f.facts.ops:
                for e in op.args:
                    self._comp_keys_of(e, index, keys)
        if not keys:
            return []
        out = []
        for f in [top] + list(self._all_literals(top)):
            for op in f.facts.ops:
                if op.kind == "call" and op.fn[0] == "sel" and op.fn[2] in keys:
                    out.append((f, op))
        return out

    @staticmethod
    def _comp_keys_of(expr, index, keys):
        """Keys under which the literal `index` is stored in composite literals inside expr."""
        for e in _subexprs(expr):
            if e[0] == "comp":
                keys.update(k[1] for k, v in e[2] if v == ("funclit", index) and k is not None and k[0] == "id")

    def _all_literals(self, fn):
        for lit in fn.literals:
            yield lit
            yield from self._all_literals(lit)

    # ---- GIM203: requests to an httptest server ------------------------------
    def to_httptest(self, fn, op) -> bool:
        """The request goes to an httptest server (its Close tears the connections down)."""
        callee = op.fn
        if callee[0] == "sel" and callee[1][0] == "call":
            inner = callee[1][1]
            if inner[0] == "sel" and inner[2] == "Client" and self._is_test_server(fn, inner[1]):
                return True  # srv.Client().Get(...)
        if not op.args:
            return False
        url = op.args[0]
        if url[0] == "id":  # Do(req) / RoundTrip(req): the URL is in the request
            v = self._single_assignment(fn, url[1])
            if v is None:
                for f in [fn] + list(self._all_literals(fn)):
                    for o in f.facts.ops:
                        if o.kind == "assign" and o.targets and o.targets[0] == url and len(o.args) == 1:
                            v = o.args[0]
            if v is not None and v[0] == "call" and v[1][0] == "sel" and v[1][2].startswith("NewRequest"):
                if v[1][1][0] == "id" and fn.file.imports.get(v[1][1][1]) == "net/http/httptest":
                    return True
                url = v
        sels = []
        _sels_named(url, "URL", sels)
        return any(self._is_test_server(fn, base) for base in sels)

    def _is_test_server(self, fn, expr) -> bool:
        t = self.type_of(fn, expr) or ""
        if "net/http/httptest#Server" in t:
            return True
        if expr[0] == "id":
            v = self._single_assignment(fn, expr[1])
            if v is not None and v[0] == "call" and v[1][0] == "sel" and v[1][1][0] == "id" \
                    and fn.file.imports.get(v[1][1][1]) == "net/http/httptest":
                return True
        return False

    def _used(self, fn, name) -> bool:
        for o in self._ops_with_literals(fn):
            exprs = list(o.args) + ([o.fn] if o.fn is not None and o.kind != "jump" else [])
            for e in exprs:
                if name in _ids_in(e, set()):
                    return True
        return False

    # ---- driver --------------------------------------------------------------
    def _run(self):
        p = self.program
        interesting = set(self._by_name)
        for f in p.functions:
            if f.facts.results and self.fresh(f) is not None:
                interesting.add(f.facts.name)
        for fn in p.functions:
            if fn.facts.name == "<init>" or fn.file.generated:
                continue
            for op in fn.facts.ops:
                if op.kind != "call" or op.mode != "plain":
                    continue
                callee = op.fn
                last = callee[2] if callee[0] == "sel" else callee[1] if callee[0] == "id" else None
                if last is None:
                    continue
                if last in interesting:
                    origin = self.acquisition(fn, op)
                elif callee[0] == "sel" and "GIM204" in self.kinds and self._stream_call(fn, op):
                    origin = Origin(self.kinds["GIM204"], 0, render(callee))
                else:
                    continue
                if origin is None:
                    continue
                self.debug["gim2xx_acquisitions"] += 1
                finding = Walk(self, fn, op, origin).run()
                if finding is not None:
                    self.findings[origin.kind.rule].append(finding)


def _stronger(a, b):
    """The effect that matters more for ownership: release > escape > store into a container > nothing."""
    def rank(x):
        return 3 if x == RELEASE else 2 if x == ESCAPE else 1 if isinstance(x, tuple) else 0
    return a if rank(a) >= rank(b) else b


def _terminates(op) -> bool:
    c = op.fn
    if c is None:
        return False
    if c[0] == "id" and c[1] == "panic":
        return True
    return c[0] == "sel" and c[2] in _TERMINATORS


# ---------------------------------------------------------------------------
# The path walk from one acquisition


@dataclass
class Leak:
    how: str  # "return" | "end" | "loop" | "discard" | "later-iteration" | "continue" | "break"
    line: int = 0
    col: int = 0
    detail: str = ""
    container: str = ""


class Walk:
    def __init__(self, an: Analysis, fn, op, origin: Origin):
        self.an = an
        self.fn = fn
        self.op = op
        self.origin = origin
        self.kind = origin.kind
        self.view = an.view(fn)
        self.ops = fn.facts.ops
        self.a = an.op_index(fn, op)
        self.holders: dict[str, Holder] = {}
        self.last_assign: dict[str, object] = {}
        self.leaks: list[Leak] = []
        self.no_nil = False
        self.primary = ""
        self.stored_in = ""
        self.jumps: list = []  # (target region, 'break'|'continue', state) not yet landed

    # ---- entry -------------------------------------------------------------
    def run(self):
        an, fn, kind = self.an, self.fn, self.kind
        if kind.stream and fn.file.is_test:
            # A stream a test leaves open ends with the test's connection (closed
            # in a Cleanup or a defer): jaeger and cortex had forty such reports,
            # none worth a reviewer's time.
            return None
        if kind.stream and an.ctx_cancelled(fn, self.op, self.origin):
            return None
        if kind.stream and an.conn_closed_by_defer(fn, self.op):
            return None
        if kind.rule == "GIM203" and fn.file.is_test and an.to_httptest(fn, self.op):
            return None  # requests to an httptest server: the server's Close releases them
        if kind.rule == "GIM203" and fn.file.is_test and self.op.fn[0] == "sel" and self.op.fn[2] == "RoundTrip":
            # A test calling RoundTrip directly is testing a round tripper, over a fake
            # transport whose bodies are in memory (jaeger, thanos, cortex: 11 such reports).
            return None
        parent = an._parent_op(fn, self.op)
        if parent is None:  # an expression statement: the value is dropped
            if not fn.file.is_test:
                return self._finding(Leak("discard", self.op.line, self.op.col))
            return None
        pop = self.ops[parent]
        if pop.kind != "assign":
            return None  # returned, sent, passed on: the consumer's business
        start_state = self._bind(pop)
        if start_state is None:
            return None
        if start_state == "discard":
            if fn.file.is_test:
                return None  # `_, err := http.Get(u)` in a test: a probe expected to fail
            return self._finding(Leak("discard", pop.line, pop.col))
        # Releases registered before the acquisition (a deferred closure over a variable declared earlier).
        self._early_defers(parent)
        if self.done_early:
            return None
        self.walk_from(parent)
        if not self.leaks:
            return None
        return self._finding(self.leaks[0])

    def _bind(self, pop):
        """Holders after the assignment that receives the call; None: nothing to track."""
        idx = self.a
        targets, values = pop.targets, pop.args
        res = self.origin.result
        target = None
        errname = None
        if len(values) == 1 and len(targets) > 1:
            if values[0][0] != "call" or values[0][3] != idx:
                return None
            if res < len(targets):
                target = targets[res]
            last = targets[-1]
            if last[0] == "id" and last[1] != "_" and res != len(targets) - 1:
                errname = last[1]
        else:
            for t, v in zip(targets, values):
                if v[0] == "call" and v[3] == idx:
                    target = t
                    break
            if target is None:
                return None  # nested inside another expression
        if target is None:
            return None
        if target[0] == "id" and target[1] == "_":
            return "discard"
        an = self.an
        decl = an.program.declared(self.fn)
        if target[0] == "id":
            name = target[1]
            if name not in decl or name in an.params(self.fn):
                return None  # outer variable, named result, package variable: not ours to judge
            self.holders[name] = Holder(name, self.kind.suffix, "", decl.get(name, 0))
            self.primary = name
        elif target[0] == "idx" and target[1][0] == "id" and target[1][1] in decl \
                and target[1][1] not in an.params(self.fn):
            name = target[1][1]
            t = an.type_of(self.fn, target[1]) or ""
            self.holders[name] = Holder(name, self.kind.suffix, "slice" if t.startswith("[") else "map",
                                        decl.get(name, 0))
            self.primary = name
            self.stored_in = name
        else:
            return None
        if errname:
            self.last_assign[errname] = "acq"
        return False

    def _early_defers(self, parent):
        self.done_early = False
        chain = set(enclosing_regions(self.fn.facts, self.ops[parent].region))
        for i in range(0, self.a):
            o = self.ops[i]
            eff = None
            if o.kind == "call" and o.mode == "defer" and o.region in chain:
                eff = self.an.call_effect(self.fn, o, dict(self.holders), self.kind)
            elif o.kind in ("call", "assign"):
                # A closure built earlier over the same variable (`var cc *ClientConn` ... `cc.Close()` in it).
                lits = []
                for e in list(o.args) + ([o.fn] if o.kind == "call" else []):
                    _funclits_in(e, lits)
                for index in lits:
                    lit = self.an.program.literal(self.fn, index)
                    if lit is not None and self.an.literal_effect(lit, self.holders, self.kind) == RELEASE:
                        eff = RELEASE
            if eff in (RELEASE, ESCAPE):
                self.done_early = True
                return

    # ---- walking -------------------------------------------------------------
    def walk_from(self, start):
        f = self.fn.facts
        regions = f.regions
        chain = list(enclosing_regions(f, self.ops[start].region))
        state = False
        cur = (start, 0, start)
        for r in chain:
            items = self.view.children[r]
            try:
                pos = items.index(cur)
            except ValueError:
                return
            rest = items[pos + 1:]
            consumed = set()
            if cur[1] == 1 and cur[2] in self.view.else_of:
                consumed.add(self.view.else_of[cur[2]])
            if regions[r].kind in ("select", "switch") and cur[1] == 1:
                rest = []
            state = self.exec_items(rest, state, consumed)
            kind = regions[r].kind
            if kind in ("for", "range", "select", "switch"):
                continues, breaks = self._take_jumps(r)
                if kind in ("for", "range"):
                    state = _merge(state, *continues)
                    if state is False:
                        state = self.iteration_end(r, state)
                state = _merge(state, *breaks)
            if state is not False and not any(j[2] is False for j in self.jumps):
                return
            cur = (self.view.first[r], 1, r)
        # Fell off the end of the function.
        if state is False and not f.results and not self._ends_in_endless_loop() and not self._is_main():
            self._leak(Leak("end", f.end_line, 1, "", self._container()))

    def _is_main(self) -> bool:
        fn = self.fn
        while fn.parent is not None:
            fn = fn.parent
        return fn.pkg.name == "main" and fn.facts.name == "main" and not fn.facts.recv

    def _ends_in_endless_loop(self) -> bool:
        items = self.view.children[0]
        if not items or items[-1][1] != 1:
            return False
        r = items[-1][2]
        reg = self.view.regions[r]
        if reg.kind != "for":
            return False
        # `for {` / `for cond {`: no init statement recorded on the loop's line.
        return not any(o.region == 0 and o.line == reg.line and o.kind == "assign" for o in self.ops)

    def exec_region(self, r, state):
        return self.exec_items(self.view.children[r], state, set())

    def exec_items(self, items, state, consumed):
        regions = self.view.regions
        for _key, is_region, x in items:
            if state is None:
                return None
            if not is_region:
                state = self.jump(x, state) if self.ops[x].kind == "jump" else self.transfer(x, state)
                continue
            if x in consumed:
                continue
            kind = regions[x].kind
            if kind in ("if", "else"):
                if kind == "if":
                    cond_region, then_r, else_r = x, x, self.view.else_of.get(x)
                else:
                    cond_region, then_r, else_r = self.view.if_of.get(x), None, x
                # Both branches see the state (and the assignments) from before the `if`.
                in_then = self.branch_state(cond_region, state, True)
                in_else = self.branch_state(cond_region, state, False)
                before = dict(self.last_assign)
                s1 = self.exec_region(then_r, in_then) if then_r is not None else in_then
                after_then = self.last_assign
                self.last_assign = dict(before)
                if else_r is not None:
                    consumed.add(else_r)
                    s2 = self.exec_region(else_r, in_else)
                else:
                    s2 = in_else
                self.last_assign = _merge_assigns(after_then if s1 is not None else None,
                                                  self.last_assign if s2 is not None else None, before)
                state = _merge(s1, s2)
            elif kind in ("for", "range"):
                before = dict(self.last_assign)
                # `for ... isRetryable(err) {`: the body runs only after the acquisition failed.
                in_body = self.branch_state(x, state, True) if kind == "for" else state
                body = self.exec_region(x, in_body)
                continues, breaks = self._take_jumps(x)
                if self.view.endless(x):
                    state = _merge(*breaks)  # `for {`: only a break gets past it
                elif state is False and self._releases_within(x):
                    state = True
                else:
                    if state is False and all(s is not False for s in (body, *continues, *breaks)):
                        # Still live only by skipping the body: what the body assigned
                        # says nothing about it (the error checked next is its own).
                        self.last_assign = before
                    normal = _merge(state, body, *continues)
                    if kind == "for":
                        # Leaving other than by `break` means the condition was false:
                        # `for ...; !errors.Is(err, io.EOF); m, err = s.Recv()` ends read out.
                        normal = self.branch_state(x, normal, False)
                    state = _merge(normal, *breaks)
            elif kind == "select":
                state = self.exec_alternatives(x, state, no_match=False)
            elif kind == "switch":
                # Without a `default`, no case may match and the state goes on as it was.
                state = self.exec_alternatives(x, state, no_match=not regions[x].info)
            else:
                state = self.exec_region(x, state)
        return state

    def exec_alternatives(self, r, state, no_match):
        # Ops directly in the select/switch region (case communications) run first.
        direct = [it for it in self.view.children[r] if not it[1]]
        state = self.exec_items(direct, state, set())
        if state is None:
            return None
        alts = self.view.kids[r]
        if not alts:
            self._take_jumps(r)
            return None if not no_match else state
        before = dict(self.last_assign)
        outs = []
        merged = None
        for c in alts:
            self.last_assign = dict(before)
            out = self.exec_region(c, state)
            outs.append(out)
            if out is not None:
                merged = self.last_assign if merged is None else _merge_assigns(merged, self.last_assign, before)
        self.last_assign = merged if merged is not None else before
        if no_match:
            outs.append(state)
        _continues, breaks = self._take_jumps(r)
        return _merge(*outs, *breaks)

    # ---- jumps ---------------------------------------------------------------
    def jump(self, i, state):
        """A break/continue ends this path; its state is picked up where it lands (see _take_jumps).

        Leaving the loop the resource was acquired in, with the resource live and held
        by nothing that outlives the iteration, is a leak on that path.
        """
        o = self.ops[i]
        if o.mode == "fallthrough":
            return state  # into the next case: taken as reaching the end of this one
        target = self.view.jump_target(o)
        if target is None:
            return None  # goto (or a label we cannot find): where it lands is not modelled
        if state is False and self.view.in_region(self.op.region, target):
            if o.mode == "continue":
                kept = self._kept_across_iterations(target)
            else:
                kept = any(not self._declared_within(h, target) for h in self.holders.values())
            if not kept:
                self._leak(Leak(o.mode, o.line, o.col, self._path_condition(o), self._container()))
                return None
        self.jumps.append((target, o.mode, state))
        return None

    def _take_jumps(self, r):
        """(continue states, break states) of the pending jumps landing on region r."""
        continues, breaks, rest = [], [], []
        for j in self.jumps:
            if j[0] != r:
                rest.append(j)
            elif j[1] == "continue":
                continues.append(j[2])
            else:
                breaks.append(j[2])
        self.jumps = rest
        return continues, breaks

    def _releases_within(self, r) -> bool:
        """Lenient: a loop whose body releases (or, for streams, reads) the resource releases it."""
        holders = dict(self.holders)
        for i, o in enumerate(self.ops):
            if i <= self.a or not self.view.in_region(o.region, r):
                continue
            if o.kind == "call" and o.fn[0] == "sel":
                ref = _ref(o.fn[1], holders)
                if ref is not None and ref.resource:
                    if o.fn[2] in self.kind.closers:
                        return True
                    if self.kind.stream and o.fn[2] in ("Recv", "RecvMsg"):
                        return True
            if o.kind in ("call", "assign") and self.an.op_effect(self.fn, o, holders, self.kind) == RELEASE:
                return True
        return False

    def branch_state(self, if_region, state, taken):
        if state is not False or if_region is None:
            return state
        on_true, on_false = self.cond_effect(self.view.regions[if_region].info)
        eff = on_true if taken else on_false
        return True if eff in ("failed", "ended") else state

    def cond_effect(self, cond):
        """What a condition says about the resource when true and when false.

        "failed": the acquisition failed (nothing to release); "ok": it succeeded;
        "ended": the stream ended (Recv/Send returned an error); None: nothing known.
        """
        if not isinstance(cond, tuple) or not cond:
            return None, None
        if cond[0] == "un" and cond[1] == "!":
            t, f = self.cond_effect(cond[2])
            return f, t
        if cond[0] == "call":
            if self.kind.stream and any(a[0] == "id" and self.last_assign.get(a[1]) == "recv" for a in cond[2]):
                return "ended", None  # errors.Is(err, io.EOF)
            if not self.no_nil and any(a[0] == "id" and self.last_assign.get(a[1]) == "acq" for a in cond[2]):
                # A predicate on the acquisition's error (netutil.IsTemporaryError(err),
                # errors.Is(err, x), os.IsTimeout(err)) holds only for a non-nil error,
                # when the resource is nil: nothing to release on that branch.
                return "failed", None
            return None, None
        if cond[0] != "bin":
            return None, None
        op = cond[1]
        if op in ("&&", "||"):
            a, b = self.cond_effect(cond[2]), self.cond_effect(cond[3])
            strong = ("failed", "ended")

            def pick(x, y):
                for v in (x, y):
                    if v in strong:
                        return v
                return x if x is not None else y

            if op == "&&":  # true: both hold; false: one fails
                return pick(a[0], b[0]), (a[1] if a[1] == b[1] else None)
            return (a[0] if a[0] == b[0] else None), pick(a[1], b[1])
        if op not in ("==", "!="):
            if self.kind.stream and any(self.last_assign.get(n) == "recv" for n in _ids_in(cond, set())):
                return "ended", None
            return None, None
        left, right = cond[2], cond[3]
        if _is_nil(left):
            left, right = right, left
        if left[0] == "sel" and _is_nil(right) and not self.no_nil:
            r = _ref(left, self.holders)
            if r is not None and r.resource:
                # `if resp.Body != nil { resp.Body.Close() }`: a nil one has nothing to release.
                return ("failed", "ok") if op == "==" else ("ok", "failed")
        if left[0] == "call":
            if self.kind.stream and op == "==" and self.cond_effect(left)[0] == "ended":
                return "ended", None  # status.Code(err) == codes.Canceled
            return None, None
        if left[0] != "id":
            return None, None
        marker = self.last_assign.get(left[1])
        eq = op == "=="
        if _is_nil(right):
            if marker == "acq" and not self.no_nil:
                return ("ok", "failed") if eq else ("failed", "ok")
            h = self.holders.get(left[1])
            if h is not None and not h.container and not self.no_nil:
                return ("failed", "ok") if eq else ("ok", "failed")
            if marker == "recv":
                return (None, "ended") if eq else ("ended", None)
            return None, None
        if marker == "recv":
            return ("ended", None) if eq else (None, "ended")  # err == io.EOF / err != io.EOF
        return None, None

    # ---- transfer function -------------------------------------------------
    def transfer(self, i, state):
        o = self.ops[i]
        if o.kind == "assign":
            self._note_assign(i, o)
        if state is not False:
            if o.kind in ("assign", "call"):
                self.an.op_effect(self.fn, o, self.holders, self.kind)  # keep aliases current
            return state
        if o.kind == "return":
            if self.an.returns_holder(self.fn, o, self.holders):
                return None
            if self._is_main():
                return None
            self._leak(self._return_leak(o))
            return None
        if o.kind == "call" and _terminates(o):
            return None
        eff = self.an.op_effect(self.fn, o, self.holders, self.kind)
        if eff in (RELEASE, ESCAPE):
            return True
        if isinstance(eff, tuple) and eff[0] == "store":
            self.stored_in = eff[1]
        return False

    def _note_assign(self, i, o):
        val = o.args[0] if len(o.args) == 1 else None
        marker = ("op", i)
        if val is not None and val[0] == "call":
            c = val[1]
            if c[0] == "sel" and c[2] in ("Recv", "RecvMsg", "Send", "SendMsg", "Header") and self.kind.stream:
                r = _ref(c[1], self.holders)
                if r is not None and r.resource:
                    marker = "recv"
        if val is not None and val[0] == "id" and self.last_assign.get(val[1]) == "acq":
            marker = "acq"  # `err = e`: a copy of the acquisition's error is checked in its place
        for t in o.targets:
            if t[0] == "id" and t[1] != "_":
                self.last_assign[t[1]] = marker

    def _return_leak(self, o) -> Leak:
        container = self._container()
        detail = self._path_condition(o)
        return Leak("return", o.line, o.col, detail, container)

    def _container(self) -> str:
        if self.stored_in and self.stored_in in self.holders:
            h = self.holders[self.stored_in]
            return f"{h.container or 'map'} `{h.name}`"
        return ""

    def _path_condition(self, o) -> str:
        """`checkVersion` fails / `resp.StatusCode != 200`: the branches the return sits in (outermost first)."""
        a_chain = set(enclosing_regions(self.fn.facts, self.op.region))
        parts = []
        for r in enclosing_regions(self.fn.facts, o.region):
            if r in a_chain:
                break
            text = self._branch_text(self.view.regions[r])
            if text:
                parts.append(text)
        parts = parts[:3]
        return " and ".join(reversed(parts))

    def _branch_text(self, reg) -> str:
        if reg.kind == "case" and isinstance(reg.info, tuple) and len(reg.info) == 2:
            direction, ch = reg.info
            return f"`<-{render(ch)}` is received" if direction == "recv" else f"`{render(ch)} <-` is sent"
        if reg.kind == "default":
            return "the `select` takes its `default` case"
        if reg.kind == "block" and reg.parent >= 0 and self.view.regions[reg.parent].kind == "switch":
            return f"the `switch` takes the case at line {reg.line}"
        if reg.kind not in ("if", "else") or not isinstance(reg.info, tuple):
            return ""
        cond = reg.info
        if reg.kind == "if" and cond[0] == "bin" and cond[1] == "!=" and _is_nil(cond[3]) and cond[2][0] == "id":
            m = self.last_assign.get(cond[2][1])
            if isinstance(m, tuple) and m[0] == "op":
                src = self.ops[m[1]]
                val = src.args[0] if len(src.args) == 1 else None
                if val is not None and val[0] == "call":
                    return f"`{render(val[1])}` fails"
        return f"`{render(cond)}`" if reg.kind == "if" else f"`{_negate(cond)}`"

    def _leak(self, leak: Leak):
        self.leaks.append(leak)

    # ---- loops -------------------------------------------------------------
    def iteration_end(self, loop, state):
        """The acquisition sits in this loop: what is still live at the end of one iteration."""
        reg = self.view.regions[loop]
        if reg.kind == "for" and self.cond_effect(reg.info)[0] in ("failed", "ended"):
            # `for ... && isRetryable(err) { resp, err = c.Do(req) }`: the loop goes
            # round again only after a failed acquisition, so a live one leaves it.
            return False
        if self._outside_containers(loop):
            # The next iteration's early exits drop everything kept so far.
            saved = (self.no_nil, list(self.leaks), self.jumps)
            self.no_nil = True
            self.leaks = []
            self.jumps = []
            self.exec_region(loop, False)
            later = self.leaks
            self.no_nil, self.leaks, self.jumps = saved
            for lk in later:
                if lk.how == "return":
                    self._leak(Leak("later-iteration", lk.line, lk.col, lk.detail, self._container()))
                    break
            return False
        if self._previous_closed(loop):
            return None
        after = self._closed_after(loop)
        self._leak(Leak("loop", self.view.regions[loop].line, 1, after))
        return None

    def _outside_containers(self, loop) -> list:
        return [h for h in self.holders.values() if h.container and not self._declared_within(h, loop)]

    def _previous_closed(self, loop) -> bool:
        """`if prev != nil { prev.Close() }; prev = conn`: the previous one is closed in the loop."""
        for h in self.holders.values():
            if not h.container and h.name != self.primary and not self._declared_within(h, loop) \
                    and self._closed_in(h.name, loop):
                return True
        return False

    def _kept_across_iterations(self, loop) -> bool:
        """What iteration_end accepts: a container from outside the loop, or a variable the loop closes later."""
        return bool(self._outside_containers(loop)) or self._previous_closed(loop)

    def _declared_within(self, h, loop) -> bool:
        return self.view.in_region(h.decl_region, loop)

    def _closed_in(self, name, loop) -> bool:
        for o in self.ops:
            if o.kind == "call" and o.fn[0] == "sel" and o.fn[1] == ("id", name) and o.fn[2] in self.kind.closers \
                    and self.view.in_region(o.region, loop):
                return True
        return False

    def _closed_after(self, loop) -> str:
        end = self.view.regions[loop].end_line
        for o in self.ops:
            if o.line <= end or o.kind != "call" or o.fn[0] != "sel":
                continue
            r = _ref(o.fn[1], self.holders)
            if r is not None and r.resource and o.fn[2] in self.kind.closers:
                return f"line {o.line}"
        return ""

    # ---- the finding ---------------------------------------------------------
    def _finding(self, leak: Leak) -> Finding:
        fn, op, kind, origin = self.fn, self.op, self.kind, self.origin
        callee = render(op.fn)
        what = f"{kind.noun} from `{callee}`"
        loc = Location(fn.file.path, op.line, op.col)
        related, steps = [], [Step(loc, f"{kind.verb} here")]
        if leak.how == "discard":
            problem = "is discarded without being closed"
        elif leak.how == "loop":
            line = leak.line
            if leak.detail:
                problem = (f"is {kind.verb} for every iteration of the loop at line {line}; "
                           f"closed only after the loop ({leak.detail}), so all but the last one leak")
            else:
                problem = f"is {kind.verb} for every iteration of the loop at line {line} and not closed in it"
            related.append(Related(Location(fn.file.path, line, 1), "the loop"))
        elif leak.how == "later-iteration":
            problem = (f"is kept only in local {leak.container}, which is dropped when a later iteration "
                       f"returns at line {leak.line}" + (f" (when {leak.detail})" if leak.detail else ""))
            related.append(Related(Location(fn.file.path, leak.line, leak.col), "returns without closing it"))
        elif leak.container:
            where = {"return": f"on return (line {leak.line})", "continue": f"by the `continue` at line {leak.line}",
                     "break": f"by the `break` at line {leak.line}"}.get(leak.how, "when the function ends")
            problem = f"is stored only in local {leak.container}, which is dropped {where}"
            if leak.detail:
                problem += f" when {leak.detail}"
            related.append(Related(Location(fn.file.path, leak.line, max(leak.col, 1)), "dropped here"))
        elif leak.how == "end":
            problem = "is left open when the function ends" if kind.stream else "is never closed"
        elif leak.how in ("continue", "break"):
            if leak.detail:
                problem = f"is not closed when {leak.detail} ({leak.how} at line {leak.line})"
            else:
                problem = f"is not closed before the `{leak.how}` at line {leak.line}"
            gone = "goes to the next iteration" if leak.how == "continue" else "leaves the loop"
            related.append(Related(Location(fn.file.path, leak.line, leak.col), f"{gone} without closing it"))
        elif leak.detail and not kind.stream and not self._handled_somewhere():
            # Nothing after the acquisition closes it: naming one branch would suggest
            # a fix on that branch only (dendrite's lookups leak on success too).
            problem = (f"is never closed (first dropped when {leak.detail}, return at line {leak.line}; "
                       f"no path closes it)")
            related.append(Related(Location(fn.file.path, leak.line, leak.col), "returns without closing it"))
        elif leak.detail:
            problem = f"is not closed when {leak.detail} (return at line {leak.line})"
            related.append(Related(Location(fn.file.path, leak.line, leak.col), "returns without closing it"))
        elif self._released_somewhere():
            problem = f"is not closed on the path that returns at line {leak.line}"
            related.append(Related(Location(fn.file.path, leak.line, leak.col), "returns without closing it"))
        elif kind.stream:
            problem = (f"is left open on the return at line {leak.line}: its context is not cancelled here, "
                       f"CloseSend is not called and it is not read until Recv fails")
        else:
            problem = f"is never closed (the function returns at line {leak.line})"
            related.append(Related(Location(fn.file.path, leak.line, leak.col), "returns without closing it"))
        note = ""
        if origin.impl is not None:
            impl = origin.impl
            iop = origin.impl_op
            base_short = origin.base.rsplit("/", 1)[-1]
            via = f" (through {origin.via})" if origin.via else ""
            note = (f"; `{callee}` resolves{via} to `{impl.short}`, which returns a new one on every call "
                    f"(`{base_short}` at {impl.file.path}:{iop.line if iop is not None else impl.facts.line})")
            related.append(Related(Location(impl.file.path, iop.line if iop is not None else impl.facts.line,
                                            iop.col if iop is not None else 1),
                                   f"`{impl.short}` returns a new {kind.noun} on every call"))
        fix = {
            "GIM201": "close it on every path (`defer conn.Close()` after the error check) or hand it to an owner",
            "GIM202": "close it on every path (`defer conn.Close()` after the error check) or hand it to an owner",
            "GIM203": "close the body on every path (`defer resp.Body.Close()` right after the error check)",
            "GIM204": ("cancel the stream's context when done (`ctx, cancel := context.WithCancel(ctx); "
                       "defer cancel()`), or read it until it returns an error"),
        }.get(kind.rule, "release it on every path")
        message = f"{what} {problem}{note}. Fix: {fix}."
        for rel in related:
            steps.append(Step(rel.location, rel.message))
        key = f"{fn.qualname}|{callee}|{leak.how}"
        return Finding(rule_id=kind.rule, message=message, location=loc, severity="warning",
                       related=tuple(related), steps=tuple(steps), key=key)

    def _handled_somewhere(self) -> bool:
        """Some op after the acquisition closes, hands off, stores or returns the resource."""
        holders = dict(self.holders)
        for o in self.ops[self.a + 1:]:
            if o.kind == "return":
                if self.an.returns_holder(self.fn, o, holders):
                    return True
                continue
            if o.kind not in ("assign", "call"):
                continue
            eff = self.an.op_effect(self.fn, o, holders, self.kind)
            if eff in (RELEASE, ESCAPE) or (isinstance(eff, tuple) and eff[0] == "store"):
                return True
        return False

    def _released_somewhere(self) -> bool:
        holders = dict(self.holders)
        for o in self.ops[self.a + 1:]:
            if o.kind == "call" and self.an.call_effect(self.fn, o, holders, self.kind) == RELEASE:
                return True
        return False


def _merge_assigns(a, b, before):
    """Last assignments after an if/else: where the branches disagree, nothing is known."""
    if a is None and b is None:
        return before
    if a is None or b is None:
        return dict(a if a is not None else b)
    out = {}
    for k in set(a) | set(b):
        out[k] = a.get(k) if a.get(k) == b.get(k) else "mixed"
    return out


def _merge(*states):
    live = [s for s in states if s is not None]
    if not live:
        return None
    return all(live)


# ---------------------------------------------------------------------------
# Entry point for the rules


def _analyse(ctx) -> Analysis:
    an = Analysis(ctx)
    for k, v in an.debug.items():
        ctx.debug[k] = v
    return an


# The resource walk is the family's main cost on real code (see docs/performance.md).
OWNERSHIP = Pass("ownership", _analyse, cost=2,
                 doc="resources acquired, and the paths on which they are neither released nor handed on")


def findings(ctx, rule_id: str) -> list[Finding]:
    return list(ctx.result(OWNERSHIP).findings.get(rule_id, []))


def rule_check(rule_id: str, severity: str):
    """The `check(ctx)` of one GIM2xx rule: its share of the analysis, at its severity."""
    def check(ctx):
        for f in findings(ctx, rule_id):
            f.severity = severity
            yield f
    check.__name__ = f"check_{rule_id}"
    return check
