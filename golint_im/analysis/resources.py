"""What a resource is and what holds it: the catalog's kinds, holders, references, origins.

Shared by the ownership layers (acquisition, effects, the leak walk).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golint_im import knowledge
from golint_im.expr import (
    BUILTIN_FUNCS,
    address_of,
    assertion,
    call,
    call_name,
    composite,
    ident,
    index,
    is_conversion_callee,
    is_expr,
    selector,
    sliced,
    unary_operand,
)
from golint_im.facts import Op
from golint_im.program import Function

# What an op does to the holders of a resource (see effects.py): releases it, or hands it to
# someone who outlives the function; Store(container) when it only puts it in a local container.
RELEASE = "release"
ESCAPE = "escape"


@dataclass(frozen=True)
class Store:
    """The resource was put into the local container `name` (a map or slice the function owns)."""

    name: str


# External packages whose functions use a resource without keeping it.
_BORROW_PKGS = {
    "fmt",
    "io",
    "io/ioutil",
    "bufio",
    "bytes",
    "strings",
    "strconv",
    "errors",
    "log",
    "log/slog",
    "context",
    "sync",
    "sync/atomic",
    "time",
    "sort",
    "reflect",
    "encoding/json",
    "encoding/xml",
    "encoding/binary",
    "encoding/gob",
    "encoding/csv",
    "encoding/pem",
    "encoding/base64",
    "encoding/hex",
    "compress/gzip",
    "compress/flate",
    "compress/zlib",
    "mime",
    "mime/multipart",
    "testing",
    "os",
    "unicode/utf8",
    "github.com/stretchr/testify/assert",
    "github.com/stretchr/testify/require",
    "go.uber.org/zap",
    "github.com/sirupsen/logrus",
    "k8s.io/klog",
    "k8s.io/klog/v2",
    "github.com/go-kit/log",
    "github.com/go-kit/log/level",
    "github.com/go-kit/kit/log",
    "github.com/go-kit/kit/log/level",
    "google.golang.org/grpc/grpclog",
    "github.com/google/go-cmp/cmp",
    "net/http/httputil",
    "google.golang.org/protobuf/proto",
    "github.com/golang/protobuf/proto",
    "github.com/gogo/protobuf/proto",
    "github.com/pkg/errors",
}
# ... except these, which wrap the resource and take it over.
# `context.WithValue(ctx, key, conn)`: the context carries the value to whoever reads it (a handler,
# an engine's worker), which then owns it.
_TAKERS = {
    "net/http/httputil.NewClientConn",
    "net/http/httputil.NewServerConn",
    "io.NopCloser",
    "io/ioutil.NopCloser",
    "context.WithValue",
}
# Methods of the standard library's concurrent map that keep the value they are given: a
# connection stored in a `sync.Map` is owned by the map (a cache of dialled connections).
# `LoadOrStore` keeps it only when nothing was loaded: on `loaded`, the caller still owns it
# (the losing dialler of a race closes its own), see Effects.refused_on_failure.
_SYNC_MAP_STORES = {"sync.Map.Store", "sync.Map.Swap", "sync.Map.LoadOrStore"}
# Methods of the standard library's atomic holders that keep the value they are given (a client swapped
# into an `atomic.Value` field is owned by the field, which the previous holder's code closes).
_ATOMIC_STORES = {
    f"sync/atomic.{holder}.{method}"
    for holder in ("Value", "Pointer")
    for method in ("Store", "Swap", "CompareAndSwap")
}
_STORED_UNLESS_LOADED = {"sync.Map.LoadOrStore"}
# io interfaces whose only method of release is `Close`: a value held as one is closed by it
# (`handle(p1 io.ReadWriteCloser)`, a struct embedding `io.Closer` over a body).
CLOSER_INTERFACES = frozenset({"io#ReadWriteCloser", "io#ReadCloser", "io#WriteCloser", "io#Closer"})
# Functions of other modules not named `New*` that build a wrapper around the connection they are
# given and close it with the wrapper (`tls.Client(raw, cfg)`): followed like a `New*` wrapper.
_FOREIGN_WRAPPERS = {"crypto/tls.Client", "crypto/tls.Server"}
# Functions of other modules that keep (or close) the resource they are given even when they
# fail: a server's Serve closes its listener whatever it returns, ssh closes the connection
# whose handshake failed. Any other named function of another module that fails is taken, by
# Go convention, not to have taken its argument (see Effects.refused_on_failure).
_KEEP_ON_FAILURE = {
    "net/http.Serve",
    "net/http.ServeTLS",
    "net/http.Server.Serve",
    "net/http.Server.ServeTLS",
    "net/http/fcgi.Serve",
    "google.golang.org/grpc.Server.Serve",
    "golang.org/x/crypto/ssh.NewClientConn",
    "golang.org/x/crypto/ssh.NewServerConn",
    "net/smtp.NewClient",  # closes the connection when the server's greeting fails
    # Stream multiplexers over a connection: they fail only on an invalid config (a programming
    # error, not a run-time path), so their error branch is no leak of the connection.
    "github.com/hashicorp/yamux.Client",
    "github.com/hashicorp/yamux.Server",
    "github.com/libp2p/go-yamux/v4.Client",
    "github.com/libp2p/go-yamux/v4.Server",
    "github.com/libp2p/go-yamux/v5.Client",
    "github.com/libp2p/go-yamux/v5.Server",
    "github.com/xtaci/smux.Client",
    "github.com/xtaci/smux.Server",
}
# A resource passed to a predeclared function is neither kept nor released: each of them only
# reads its arguments (`len(conns)`, `append(conns, c)` is followed as an assignment instead).
_BUILTINS_NEUTRAL = BUILTIN_FUNCS
_STREAM_USE = {"Recv", "RecvMsg", "CloseSend", "CloseAndRecv"}  # a value used so is a stream
_GENERATED_CLIENT = re.compile(r"^New\w*Client$")
# Logging and formatting calls only print their arguments, whatever logger implements them.
_LOGGING = re.compile(
    r"^(Print|Log|Info|Warn|Warning|Error|Debug|Trace|Fatal|Panic|Notice|Sprint|Errorf)"
    r"(f|ln|w|S|Depth|Context)?$"
)


# ---------------------------------------------------------------------------
# Catalog


# The kind whose resource is an HTTP response's body: requests to a test server are its own case.
HTTP_BODY = "http-body"


@dataclass(frozen=True)
class ResourceName:
    """What findings call the resources some constructors of a kind open (a listener, not a connection)."""

    noun: str  # "listener"
    holder: str  # the variable the fix text closes: "ln"
    constructors: frozenset
    close: str = "Close()"  # the call the fix text makes on it: "CloseWithError(0, \"\")" for a QUIC connection
    in_tests: bool = True  # False: not reported in test files (a QUIC test's connection ends by the peer or a timeout)
    exhausted_by: str = ""  # a method (`Next`) whose `for x.Next() {` loop, ended by its condition, released it


@dataclass(frozen=True)
class Kind:
    """A kind of resource of the catalog: what opens it, what releases it, where it sits in the value."""

    name: str  # "grpc-conn", "net-conn", "http-body", "grpc-stream"
    config_key: str  # the `[resources.<key>]` table of .golint-im.toml that extends it
    closers: frozenset
    constructors: frozenset
    suffix: tuple  # path from the acquired value to the resource: ("Body",) for responses
    stream: bool = False  # a gRPC client stream: released by cancelling its context or reading it out
    types: frozenset = frozenset()  # declared result types ("path#Name") that hold a resource of the kind
    session_streams: frozenset = frozenset()  # constructors of streams a multiplexed session owns too
    names: tuple[ResourceName, ...] = ()  # nouns for what some constructors open, when not the rule's own
    unclosing_wrappers: frozenset = frozenset()  # readers over the resource whose Close leaves it open
    # declared types ("path#Name") of a value that is the resource itself, not a holder of it
    # (`io.ReadCloser` for a body, where `types` has the response that holds one)
    resource_types: frozenset = frozenset()
    # methods of a library holder that release the resource in its field
    # (`resp.Write(w)` sends a response and closes its Body)
    holder_closers: frozenset = frozenset()
    # functions of other modules ("importpath.Func") that release the resource of the holder they
    # are given, unless their last argument is the literal `false` (`httputil.DumpResponse(resp,
    # true)` reads the body out, closes it and leaves an in-memory copy in its place)
    holder_releasers: frozenset = frozenset()
    # Calls of other modules that keep (or close) what they are given even when they fail, from the
    # config's `keep-on-failure` ("importpath.Func" or "pkgname.Func"), beside _KEEP_ON_FAILURE.
    keep_on_failure: frozenset = frozenset()
    # constructors of in-memory stand-ins (`bufconn.Listen`): what is accepted or dialled on their
    # results is a buffer, not a socket, and is not reported
    in_memory: frozenset = frozenset()
    over_conn: frozenset = frozenset()  # constructors running over the connection given first (a session)
    # types of other modules ("path#Name") whose `Close` releases nothing: it reports the error
    # the value carried (a Cassandra driver's iterator). A value known only by the function's own
    # close is no resource when that close reaches only these.
    releases_nothing: frozenset = frozenset()
    # types of other modules ("path#Name") whose `Close` commits what was written (a cloud object
    # writer): nothing is held before the first write, and a failed `Write` has ended it
    commit_writers: frozenset = frozenset()
    # methods of other modules' wrappers ("importpath.Type.Method") returning the connection they
    # wrap: what they return is the same resource, and closing it closes the wrapper's
    underlying: frozenset = frozenset()
    # stream types of other modules' multiplexed sessions ("path#Name"): a goroutine given one as a
    # parameter owns it, as it owns a connection (owners.py)
    stream_types: frozenset = frozenset()

    def name_of(self, base: str) -> ResourceName | None:
        """The catalog's name for what the constructor `base` opens, if it has one of its own."""
        return next((n for n in self.names if base in n.constructors), None)


def load_kinds(config_resources: dict | None = None) -> dict[str, Kind]:
    """The catalog's kinds by name, in catalog order, each extended by its config table."""
    data = knowledge.load("resources.toml")
    extra = config_resources or {}
    kinds = {}
    for name, table in data.items():
        key = table["config"]
        add = extra.get(key, {}) or {}
        kinds[name] = Kind(
            name=name,
            config_key=key,
            closers=frozenset(table.get("closers", ())) | frozenset(add.get("closers", ())),
            constructors=frozenset(table.get("constructors", ()))
            | frozenset(table.get("session_streams", ()))
            | frozenset(add.get("constructors", ())),
            suffix=(table["field"],) if table.get("field") else (),
            stream=bool(table.get("stream", False)),
            session_streams=frozenset(table.get("session_streams", ())),
            types=frozenset(_qualified(t) for t in table.get("types", ())),
            names=tuple(_resource_name(entry, table) for entry in table.get("names", ())),
            unclosing_wrappers=frozenset(table.get("unclosing_wrappers", ())),
            resource_types=frozenset(_qualified(t) for t in table.get("resource_types", ())),
            holder_closers=frozenset(table.get("holder_closers", ())),
            holder_releasers=frozenset(table.get("holder_releasers", ())),
            in_memory=frozenset(table.get("in_memory", ())),
            over_conn=frozenset(table.get("over_conn", ())),
            releases_nothing=frozenset(_qualified(t) for t in table.get("releases_nothing", ())),
            commit_writers=frozenset(_qualified(t) for t in table.get("commit_writers", ())),
            underlying=frozenset(table.get("underlying", ())),
            stream_types=frozenset(_qualified(t) for t in table.get("stream_types", ())),
            keep_on_failure=frozenset(add.get("keep-on-failure", ())),
        )
    return kinds


def _qualified(name: str) -> str:
    """ "net/http.Response" -> "net/http#Response", the program's qualified type."""
    path, _, type_name = name.rpartition(".")
    return f"{path}#{type_name}"


def _resource_name(entry: dict, table: dict) -> ResourceName:
    """One `[[<kind>.names]]` entry: its constructors, or the kind's session streams."""
    constructors = frozenset(entry.get("constructors", ()))
    if entry.get("session_streams"):
        constructors |= frozenset(table.get("session_streams", ()))
    return ResourceName(
        noun=entry["noun"],
        holder=entry["holder"],
        constructors=constructors,
        close=entry.get("close", "Close()"),
        in_tests=entry.get("in_tests", True),
        exhausted_by=entry.get("exhausted_by", ""),
    )


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


@dataclass(frozen=True)
class Filled:
    """The local struct a method call filled with a fresh resource: `c.Connect()` storing into `c.conn`."""

    holder: str  # the local variable holding the struct ("c")
    field: str  # the field the method stored the resource in ("conn")
    closer: str  # the type's method that releases it ("Close")


@dataclass(frozen=True)
class ClosedHere:
    """The evidence for a resource not known by name: the function closes the local on some path.

    Or (close None) a connection received from a channel whose element type says what it is.
    """

    holder: str  # the local the value is stored in ("conn")
    close: Op | None  # the `conn.Close()` call that says it needs closing; None: its type says so
    typed: bool  # its declared type is one of the kind's types (else it is named neutrally)
    commit: bool = False  # a commit writer of the catalog: held only once something was written


@dataclass(frozen=True)
class OwnedHere:
    """The evidence for a resource no op of its owner acquires: the function closes it on some path.

    A parameter of a function every caller starts as a goroutine (`go handle(conn)`), or a
    variable a goroutine's literal captures (`go func() { ... conn.Close() }()`): whoever
    started it let go of the resource, so the goroutine must close it on every path.
    """

    holder: str  # the parameter or captured variable ("conn")
    owner: Function  # the function (or goroutine literal) that owns it
    close: Op | None  # its own `conn.Close()` on one path; None: a goroutine never closing what it was let go
    captured: bool  # captured by a goroutine's literal (else a parameter)
    # a parameter owned because its one caller never looks at the value again after the call:
    # (that caller, the call, the local it passes)
    let_go: tuple | None = None
    # a caller that is itself such a goroutine and hands the value on as its last word
    handed_on_by: Function | None = None
    # a pool's `Put`: (its store of the value in a field of its receiver, the field, the method
    # closing that field's values); the owner keeps it there on one path and drops it on another
    pooled: tuple | None = None
    # `close` hands the value to a function of the tree that closes it (`s.session(dev, c)`)
    close_by_callee: bool = False


@dataclass
class Origin:
    """Why a call is an acquisition: the chain down to the catalog constructor."""

    kind: Kind
    result: int  # index of the resource among the call's results
    base: str  # catalog constructor at the bottom, e.g. "google.golang.org/grpc.DialContext"
    impl: Function | None = None  # Function of the analysed code returning a fresh resource, if any
    via: str = ""  # "interface discovery.Resolver.GetConn" when resolved by CHA
    impl_op: Op | None = None  # the op in impl that acquires it
    collection: str = ""  # "slice" | "map": the call returns a collection of fresh resources, each to be released
    # Path from the returned value to the resource when it differs from the kind's: (field, ...) for a
    # struct of the analysed code wrapping a fresh resource in `field`, whose Close closes it.
    suffix: tuple | None = None
    filled: Filled | None = None  # the call filled a local struct (its receiver) rather than returning it
    # Not known by name: the function closes the local it stores the value in on another path (closed_values.py).
    closed: ClosedHere | None = None
    # Not acquired by the function that leaks it: a goroutine owns it and closes it on another path (owners.py).
    owned: OwnedHere | None = None
    # impl is known to return a resource by its own close of it on a failure path (closed_values.py).
    impl_closed: ClosedHere | None = None
    # impl returns a fresh one only in one mode of its receiver, which the program sets (acquire.Fresh.mode).
    mode: tuple | None = None
    # impl hands back, on some returns, an idle connection taken from its own pool (acquire.Fresh.checked_out).
    checked_out: bool = False
    # With a wrapper suffix: the struct's method that closes it (`Close`, `Release`), with `(…)` when
    # it takes arguments (`CloseWithError(…)`).
    closer: str = "Close"

    @property
    def holder_suffix(self) -> tuple:
        """The path from what the call returns to the resource."""
        return self.suffix if self.suffix is not None else self.kind.suffix


STUB = ("<stub>",)  # suffix of a generated client stub wrapping a connection: its methods are RPCs
# Suffix of a wrapper another module's `New*` function built over the resource and the function
# keeps in a local (`enc := codec.NewEncoder(conn, h)`): its methods use the resource, its closer
# closes it, and when it is dropped the resource goes with it.
FOREIGN_WRAPPER = ("<wrapper>",)


def _stub_constructor(callee) -> bool:
    return bool(_GENERATED_CLIENT.match(call_name(callee)))


def test_support(fn: Function) -> bool:
    """fn's file is test support: it imports `testing` or `net/http/httptest`, which code shipped
    to production does not."""
    return any(path in ("testing", "net/http/httptest") for path in fn.file.imports.values())


def _ref(expr, holders) -> Ref | None:
    """The holder an expression evaluates to (the resource, its response, a container, an element)."""
    if not is_expr(expr):
        return None
    name = ident(expr)
    if name is not None:
        h = holders.get(name)
        if h is None:
            return None
        return Ref(h.name, h.suffix, bool(h.container))
    sel = selector(expr)
    if sel is not None:
        r = _ref(sel[0], holders)
        if r is None or r.container:
            return None
        if r.suffix is None:
            return r
        if r.suffix and r.suffix[0] == sel[1]:
            return Ref(r.name, r.suffix[1:])
        return None
    inner = unary_operand(expr, "&", "*")
    if inner is not None:
        return _ref(inner, holders)
    asserted = assertion(expr)
    if asserted is not None:
        return _ref(asserted[0], holders)
    c = call(expr)
    if c is not None:
        fn, args = c[0], c[1]
        if is_conversion_callee(fn) and len(args) == 1:
            return _ref(args[0], holders)
        if _stub_constructor(fn) and len(args) == 1:
            # `pb.NewFooClient(cc)`: the generated stub holds the connection for as long as it lives.
            r = _ref(args[0], holders)
            if r is not None and (r.resource or _whole_holder(args[0], r)):
                return Ref(r.name, STUB)
        return None
    ix = index(expr)
    if ix is not None:
        r = _ref(ix[0], holders)
        if r is not None and r.container:
            return Ref(r.name, r.suffix)
        return None
    base = sliced(expr)
    if base is not None:
        return _ref(base, holders)
    return None


def _whole_holder(expr, r: Ref) -> bool:
    """expr names the holder itself, a struct of the tree keeping the resource in a field (`cc` made by
    `rpc.Dial`, whose `Close` closes `cc.conn`): handed whole, as the resource would be."""
    return not r.container and r.suffix is not None and ident(expr) == r.name


def _wrapped_ref(expr, holders) -> Ref | None:
    """A holder inside a composite literal (`&Client{cc: cc}`, `[]net.Conn{c}`)."""
    if not is_expr(expr):
        return None
    inner = address_of(expr)
    if inner is not None:
        return _wrapped_ref(inner, holders)
    comp = composite(expr)
    if comp is not None:
        for _k, v in comp[1]:
            r = _ref(v, holders) or _wrapped_ref(v, holders)
            if r is not None:
                return Ref(r.name, None)
    return None


def _value_ref(expr, holders) -> Ref | None:
    return _ref(expr, holders) or _wrapped_ref(expr, holders)


def kinds_by_type(kinds) -> dict[str, Kind]:
    """Declared type ("path#Name") -> the first kind (not a stream) the catalog lists it under: what a
    field or element of that type holds, for the passes that judge fields of resources."""
    by_type: dict[str, Kind] = {}
    for kind in kinds.values():
        if not kind.stream:
            for t in kind.types:
                by_type.setdefault(t, kind)
    return by_type
