r"""GIM302 hostport-without-joinhostport: a host and a port glued with ":" reach a dial, a listen or a hash ring.

## What it does
Finds addresses built as `fmt.Sprintf("%s:%d", host, port)`,
`host + ":" + port` or `host + ":" + strconv.Itoa(port)` — the host part
being exactly one value, not a DNS name template — whose result reaches
`net.Dial*`, `(*net.Dialer).Dial*`, `tls.Dial`, `grpc.Dial/DialContext/NewClient`,
`net.Listen*`, `http.ListenAndServe*`, or a hash ring / hash sink (see
GIM301). The string is traced the same way as for GIM301: through
variables, slices, fields, returns and parameters. Strings that are only
logged or printed are not reported.

## Why is this bad
An IPv6 host needs brackets: `net.JoinHostPort("fd00::5", "6379")` is
`[fd00::5]:6379`, while `"%s:%d"` gives `fd00::5:6379`, which `net.Dial`
rejects ("too many colons") and a human cannot split either. Clusters that
move to IPv6 or dual stack (Kubernetes pod IPs) break at the first dial,
and ring members stop matching the addresses other components produce with
`JoinHostPort`.

## Example
```go
addr := fmt.Sprintf("%s:%d", podIP, port)
conn, err := net.Dial("tcp", addr)
```

## Fix
```go
addr := net.JoinHostPort(podIP, strconv.Itoa(port))
```

## Known limits
- Reported only when the host part is a single value that may be an IPv6
  literal: `%s.%s.svc:%d` is a DNS name; a host operand named `network` or
  `scheme` (`unix:%s`) is not a host; a host whose every traced value is a
  literal name, an IPv4 address or a bracketed literal is safe (so is a
  piece of `strings.Split(addr, ":")` (also through a parameter every
  caller, up to two calls up, passes such a slice), the text before the first colon
  (`s[:i]` with `i := strings.Index(s, ":")`), `net.IP(b[4:8]).String()`,
  the `String()` of a helper whose every return is `net.IPv4(...)`, or a
  `url.URL`'s `Host`, which brackets an IPv6 literal itself, also of one
  `url.Parse` returned in the same function, or `net.ParseIP` of a dotted
  IPv4 literal), and so is
  one that a helper brackets (`"[" + ip + "]"`), also when the joined
  address gets a prefix afterwards in the same function (`"dns:///" +
  address`), and so is a variable the
  same function first gives to `net.SplitHostPort` (the "add the default
  port when it is missing" idiom), and so is an unexported string field
  that no code of the tree can have set (never assigned or keyed in a
  literal, its address never taken, no literal of its type by position):
  it is always "". A value read from config
  or the environment that is always a host name is still reported;
  suppress it with a reason.
- A join inside an `if` whose condition says the host holds no colon
  (`strings.IndexByte(host, ':') == -1`, `strings.Index(host, ":") < 0`,
  `!strings.Contains(host, ":")`, possibly among `&&`) is not reported:
  every IPv6 literal takes the other way. Nor is one inside an `if
  strings.HasPrefix(host, "[")` (a project's own JoinHostPort that takes
  an already bracketed host as it is). So is a join kept in a local
  that the very next statement replaces when such a condition says the
  host holds a colon (`if strings.Contains(host, ":") { addr =
  fmt.Sprintf("[%s]:%d", host, port) }`); a helper's test (`isIPv6(host)`)
  is not read.
- Hashes count only for address-like strings: `userID:platform` shard keys
  are not addresses, and neither are virtual-node keys whose number is the
  counter of the loop around the hash (`addr + ":" + strconv.Itoa(i)`), nor
  keys with the dummy port `0` (`qname + ":0"` hashed to pick an upstream).
- Sinks are the catalog in `hash_sinks.toml`; a custom dialer wrapping
  `net.Dial` is followed through its parameters, one that stores the
  address in a struct (`http.Server{Addr: ...}`) is not seen.
- Test files are neither reported nor followed.
"""

from __future__ import annotations

from golint_im import expr as ex
from golint_im.analysis.origins import BRACKETED, NO_COLON, hole_name
from golint_im.analysis.regions import single_assignment
from golint_im.analysis.sinks import ADDRESS_SINKS
from golint_im.analysis.templates import (
    JHP_HOLE,
    address_like,
    bare_host_port,
    has_literal,
    hole_label,
    norm,
    render,
    shape,
)
from golint_im.findings import Finding, Related

from ._trace_words import sink_step, trace_steps

ID = "GIM302"
NAME = "hostport-without-joinhostport"
FAMILY = "routing"
SEVERITY = "warning"
REQUIRES = (ADDRESS_SINKS,)
SUMMARY = (
    "host:port built with Sprintf or + instead of net.JoinHostPort reaches a dial, listen or hash sink (breaks IPv6)"
)

_WHAT = {
    "dial": "dialled",
    "listen": "listened on",
    "member": "a hash-ring member",
    "members": "hash-ring members",
    "hash": "hashed",
}


def check(ctx):
    sinks = ctx.result(ADDRESS_SINKS)
    tracer = sinks.tracer
    by_site: dict = {}
    for sink in sinks.sinks():
        if sink.fn.file.is_test:
            continue
        for origin in sinks.origins(sink):
            if origin.kind not in ("sprintf", "concat") or origin.site.path.endswith("_test.go"):
                continue
            if sink.kind == "hash" and not address_like(origin.template):
                continue  # `userID:platform` hashed to pick a shard is a key, not an address
            if sink.kind == "hash" and shape(norm(origin.template)).port == "0":
                continue  # `qname + ":0"` hashed to pick an upstream: a dummy port, so a key, not an address
            if sink.kind == "hash" and _loop_counter_suffix(origin.template, sink):
                continue  # `addr + ":" + strconv.Itoa(i)` per ring section: a key, not a port
            if bare_host_port(origin.template) and _host_may_be_ipv6(tracer, origin):
                by_site.setdefault(origin.site, []).append((origin, sink))
    ctx.debug["gim3xx_traces_cut"] = tracer.cut
    for site in sorted(by_site, key=lambda loc: (loc.path, loc.line, loc.col)):
        hits = sorted(by_site[site], key=lambda h: (h[1].location.path, h[1].location.line, h[1].location.col))
        origin, sink = hits[0]
        template = render(origin.template)
        how = "fmt.Sprintf" if origin.kind == "sprintf" else "concatenation"
        sinks = []
        for _o, s in hits:
            if s.label not in sinks:
                sinks.append(s.label)
        message = (
            f"`{template}` ({how}) joins host and port with a bare `:` and is {_WHAT[sink.kind]} via "
            f"`{'`, `'.join(sinks)}`; an IPv6 host such as `fd00::1` yields `fd00::1:<port>`, which "
            f"cannot be split into host and port. Use net.JoinHostPort(host, port) "
            f"(with strconv.Itoa for an int port)."
        )
        related = tuple(Related(s.location, f"reaches `{s.label}` here") for _o, s in hits[:3])
        steps = trace_steps(origin.steps) + (sink_step(sink),)
        yield Finding(
            rule_id=ID,
            message=message,
            location=site,
            severity=SEVERITY,
            related=related,
            steps=steps,
            key=f"{origin.site.path}|{template}|{sink.label}",
        )


def _loop_counter_suffix(template, sink) -> bool:
    """The number after the last `:` is the counter of a `for` around the hash.

    A ketama ring hashes `node + ":" + i` for i in 1..sections: virtual-node
    keys, never split back into host and port."""
    label = hole_label(template[-1]) if template else None
    if not label:
        return False
    counter = ex.make_ident(label)
    regions = sink.fn.facts.regions
    r = sink.op.region
    while r >= 0:
        reg = regions[r]
        if reg.kind == "for" and isinstance(reg.info, tuple) and ex.occurs_in(reg.info, counter):
            return True
        r = reg.parent
    return False


# A first hole with one of these names is a network or scheme ("unix:%s"), not a host.
_NOT_HOST = {"network", "net", "scheme", "proto", "protocol", "transport", "kind"}


def _host_may_be_ipv6(tracer, origin) -> bool:
    """Could the host filling a bare `%s:%d` be an unbracketed IPv6 literal?

    No when the host operand is named like a network or scheme, when one of
    its values is bracketed by the code that builds it (a helper returning
    "[" + ip + "]", net.JoinHostPort), or when all of its values are known and
    safe: literal names, IPv4 addresses, bracketed literals, DNS name
    templates. Unknown values: yes."""
    if origin.first_hole is None:
        return True
    fn, expr = origin.first_hole
    if hole_name(expr).lower() in _NOT_HOST:
        return False
    if _split_checked(tracer, fn, expr):
        return False
    if _colon_guarded(tracer, fn, expr, origin.site):
        return False
    if _replaced_when_colon(tracer, fn, expr, origin.site):
        return False
    values = tracer.values(fn, expr, origin.site)
    if not values:
        return True
    known = True
    for v in values:
        if v.kind in (NO_COLON, BRACKETED):
            continue  # a piece split on `:`, a dotted IPv4 address, a URL's bracketed Host
        n = norm(v.template)
        bracketed = n.startswith("[") and n.endswith("]")
        if v.kind != "literal" and (bracketed or JHP_HOLE in n):
            return False
        if v.kind == "opaque" or not has_literal(v.template) and v.kind != "literal":
            known = False
        elif ":" in n and not bracketed:
            known = False
    return not known


# strings functions that find the colon: `strings.IndexByte(host, ':') == -1` (or `< 0`) says it has none.
_FINDS_COLON = frozenset(("Index", "IndexByte", "IndexRune", "IndexAny", "LastIndex", "LastIndexByte", "LastIndexAny"))
# ... and those that test for it: `!strings.Contains(host, ":")`.
_HAS_COLON = frozenset(("Contains", "ContainsRune", "ContainsAny"))


def _colon_guarded(tracer, fn, expr, site) -> bool:
    """The join runs only in an `if` whose condition says the host holds no `:`.

    `if strings.IndexByte(host, ':') == -1 { addr = fmt.Sprintf("%s:%d", host, port) }`
    (mongo-go-driver crypt.go), `< 0`, or `!strings.Contains(host, ":")`:
    every IPv6 literal takes the other way."""
    op = next((o for o in fn.facts.ops if o.line == site.line and o.col == site.col), None)
    if op is None:
        op = next((o for o in fn.facts.ops if o.line == site.line), None)
    regions = fn.facts.regions
    r = op.region if op is not None else -1
    while r >= 0:
        reg = regions[r]
        if reg.kind == "if" and (
            _says_no_colon(tracer, fn, reg.info, expr, True) or _says_bracketed(tracer, fn, reg.info, expr)
        ):
            return True
        r = reg.parent
    return False


def _replaced_when_colon(tracer, fn, host, site) -> bool:
    """The join is kept in a local that the next statement replaces when the host holds a colon:

        addr := fmt.Sprintf("%s:%d", host, port)
        if strings.Contains(host, ":") {
            addr = fmt.Sprintf("[%s]:%d", host, port)
        }

    The bare join survives only when the host has no colon. Nothing may read the
    local, return or jump between the join and that `if`."""
    ops = fn.facts.ops
    regions = fn.facts.regions
    call_at = next((i for i, o in enumerate(ops) if o.line == site.line and o.col == site.col), None)
    if call_at is None:
        return False
    at = next(
        (
            i
            for i in range(call_at, len(ops))
            if ops[i].line == site.line and ops[i].kind == "assign" and ops[i].region == ops[call_at].region
        ),
        None,
    )
    local = ex.ident(ops[at].targets[0]) if at is not None and len(ops[at].targets) == 1 else None
    if at is None or local is None:
        return False
    block = ops[at].region
    for o in ops[at + 1 :]:
        if o.kind in ("return", "jump"):
            return False
        if o.kind == "assign" and any(ex.is_ident(t, local) for t in o.targets):
            reg = regions[o.region] if o.region >= 0 else None
            return (
                reg is not None
                and reg.kind == "if"
                and reg.parent == block
                and _says_no_colon(tracer, fn, reg.info, host, False)
            )
        if any(ex.is_ident(x, local) for a in o.args for x in ex.subexprs(a)):
            return False
    return False


def _says_no_colon(tracer, fn, cond, host, holds: bool) -> bool:
    """cond, when it is `holds`, means `host` contains no `:`."""
    if not ex.is_expr(cond):
        return False
    inner = ex.unary_operand(cond, "!")
    if inner is not None:
        return _says_no_colon(tracer, fn, inner, host, not holds)
    b = ex.binary(cond)
    if b is not None and b[0] == ("&&" if holds else "||"):
        return _says_no_colon(tracer, fn, b[1], host, holds) or _says_no_colon(tracer, fn, b[2], host, holds)
    if (
        b is not None
        and b[0] in ("==", "<", "!=", ">=")
        and _colon_call(tracer, fn, _only_value(tracer, fn, b[1]), host, _FINDS_COLON)
    ):
        bound = _signed_integer(b[2])
        absent = (b[0], bound) in (("==", -1), ("<", 0))
        present = (b[0], bound) in (("!=", -1), (">=", 0))
        return absent if holds else present
    return not holds and _colon_call(tracer, fn, cond, host, _HAS_COLON)


def _says_bracketed(tracer, fn, cond, host) -> bool:
    """cond, when true, means `host` starts with `[`: `strings.HasPrefix(host, "[")`, alone or in a
    chain of `&&` (`... && strings.HasSuffix(host, "]")`). A bracketed host takes `:port` safely
    (a project's own JoinHostPort that accepts `[::1]` as it is)."""
    if not ex.is_expr(cond):
        return False
    b = ex.binary(cond)
    if b is not None and b[0] == "&&":
        return _says_bracketed(tracer, fn, b[1], host) or _says_bracketed(tracer, fn, b[2], host)
    c = ex.call(cond)
    if c is None or len(c[1]) != 2 or c[1][0] != host or tracer.const_string(fn, c[1][1]) != "[":
        return False
    ext = tracer.external(fn, c[0])
    return ext is not None and not ext.recv and (ext.pkg, ext.name) == ("strings", "HasPrefix")


def _only_value(tracer, fn, e):
    """For a local given one value (`if idx := strings.IndexByte(host, ':'); idx == -1`), that value; else e."""
    name = ex.ident(e)
    value = single_assignment(tracer.p, fn, name) if name is not None else None
    return e if value is None else value


def _signed_integer(e) -> int | None:
    """The value of `1` or `-1`, else None."""
    negated = ex.unary_operand(e, "-")
    if negated is not None:
        n = ex.integer(negated)
        return -n if n is not None else None
    return ex.integer(e)


def _colon_call(tracer, fn, e, host, names) -> bool:
    """e is `strings.<name>(host, ":")` (or `':'`) for one of names."""
    c = ex.call(e)
    if c is None or len(c[1]) != 2 or c[1][0] != host:
        return False
    ext = tracer.external(fn, c[0])
    if ext is None or ext.recv or ext.pkg != "strings" or ext.name not in names:
        return False
    return ex.string(c[1][1]) == ":" or ex.literal(c[1][1]) == "':'"


def _split_checked(tracer, fn, expr) -> bool:
    """The host is what the same function gave to net.SplitHostPort, or built from it.

    That is the port-aware idiom `if _, _, err := net.SplitHostPort(addr); err
    is "missing port" { addr = fmt.Sprintf("%s:%d", addr, port) }`: SplitHostPort
    reports a missing port only for a string with no colon or a bracketed
    literal, and either takes `:port` safely. `host := "dns+" + u.Host` checked
    as `net.SplitHostPort(u.Host)` counts too. (A host *returned* by
    SplitHostPort is another variable, and is still checked.)"""
    checked = []
    scope = [fn]  # fn and the functions it is nested in
    while scope[-1].parent is not None:
        scope.append(scope[-1].parent)
    for f in scope:
        for op in f.facts.ops:
            if op.kind == "call" and op.args and ex.selected_name(op.fn) == "SplitHostPort":
                ext = tracer.external(f, op.fn)
                if ext is not None and ext.pkg == "net" and not ext.recv:
                    checked.append(op.args[0])
    if not checked:
        return False
    if expr in checked:
        return True
    if ex.ident(expr) is None:
        return False
    for f in scope:
        for op in f.facts.ops:
            if op.kind == "assign" and expr in op.targets and len(op.targets) == len(op.args):
                value = op.args[op.targets.index(expr)]
                if any(ex.occurs_in(value, c) for c in checked):
                    return True
    return False
