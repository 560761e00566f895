"""What a resource is and what holds it: the catalog's kinds, holders, references, origins.

Shared by the ownership layers (acquisition, effects, the leak walk).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from golint_im import knowledge

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
