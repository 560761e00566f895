"""The string algebra of addresses: templates, and how to take one apart.

A string built by `fmt.Sprintf`, `+`, `net.JoinHostPort` or `strings.Join`
is summarised as a template: literal text and holes (`%s`, `%d`, ...).
Value tracing (`values.Tracer`) builds templates; small pure functions below
take them apart into scheme / host body / port / trailing character, so the
rules can say how two spellings of one node differ.

This module is the one place that knows how a template part is laid out
(as `expr` is for expressions): other modules build parts with `lit` and
`hole` and read them with `is_hole`, `hole_label` and `single_hole`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FMT_VERB = re.compile(r"%([-+# 0]*)(\[\d+\])?(\*|\d+)?(?:\.(\*|\d+)?)?(\[\d+\])?([a-zA-Z%])")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://+")
_PORT = re.compile(r":(\x00|\x02|\d+)$")
_WORD = re.compile(r"[\x00\x01\x02]|[a-z0-9]+")
_HOSTISH = re.compile(r"host|addr|ip$|^ip|endpoint|node|peer|server|target|instance|pod|member", re.I)

HOLE = "\x00"  # a string hole (%s, %v, a variable)
JHP_HOLE = "\x01"  # the host hole of net.JoinHostPort: bracketed when it is IPv6
INT_HOLE = "\x02"  # a numeric hole (%d, strconv.Itoa)

# --------------------------------------------------------------------------
# Templates: tuples of ('lit', text) and ('hole', verb, name)


def lit(text: str) -> tuple:
    return ("lit", text)


def hole(verb: str, name: str = "") -> tuple:
    return ("hole", verb, name)


def is_hole(p: tuple) -> bool:
    """A hole, not literal text."""
    return p[0] == "hole"


def hole_label(p: tuple) -> str | None:
    """The name of the value that fills a hole ("" when unnamed); None for literal text."""
    return p[2] if p[0] == "hole" else None


def single_hole(t: tuple) -> str | None:
    """The hole's name when the template is one hole and nothing else, else None."""
    return t[0][2] if len(t) == 1 and t[0][0] == "hole" else None


def map_text(t: tuple, f) -> tuple:
    """The template with `f` applied to each piece of literal text (holes unchanged, nothing merged)."""
    return tuple(lit(f(p[1])) if p[0] == "lit" else p for p in t)


def join_parts(parts) -> tuple:
    """Flatten nested templates, merge adjacent literal text, drop empty text."""
    out: list = []
    for p in parts:
        if p and p[0] in ("lit", "hole"):
            items = [p]
        else:
            items = list(p)
        for q in items:
            if q[0] == "lit":
                if not q[1]:
                    continue
                if out and out[-1][0] == "lit":
                    out[-1] = lit(out[-1][1] + q[1])
                    continue
            out.append(q)
    return tuple(out)


def has_literal(t: tuple) -> bool:
    return any(p[0] == "lit" and p[1] for p in t)


def is_int_verb(verb: str) -> bool:
    return verb in ("d", "x", "X", "o", "b", "c")


def render(t: tuple) -> str:
    """Sprintf-style text of a template: `%s-gw-%d.%s.svc:%d`."""
    out = []
    for p in t:
        if p[0] == "lit":
            out.append(p[1])
        else:
            out.append("%s" if p[1] == "jhp" else "%" + p[1])
    return "".join(out)


def norm(t: tuple) -> str:
    """Template text with holes as marker characters: what comparisons use."""
    out = []
    for p in t:
        if p[0] == "lit":
            out.append(p[1])
        elif p[1] == "jhp":
            out.append(JHP_HOLE)
        else:
            out.append(INT_HOLE if is_int_verb(p[1]) else HOLE)
    return "".join(out)


@dataclass(frozen=True)
class Shape:
    """A template taken apart the way an address is."""

    scheme: str
    body: str  # host part, holes as markers, brackets and port removed
    port: str | None  # marker or digits; None when there is no port
    trailing: str  # "." or "/" after everything, or ""
    bracketed: bool  # `[%s]:%d`
    joinhostport: bool  # built by net.JoinHostPort


def shape(n: str) -> Shape:
    scheme = ""
    m = _SCHEME.match(n)
    if m:
        scheme, n = m.group(0), n[m.end() :]
    trailing = ""
    if n.endswith(("/", ".")) and len(n) > 1:
        trailing, n = n[-1], n[:-1]
    port = None
    m = _PORT.search(n)
    if m and m.start() > 0:
        port, n = m.group(1), n[: m.start()]
    bracketed = n.startswith("[") and n.endswith("]")
    if bracketed:
        n = n[1:-1]
    jhp = JHP_HOLE in n
    return Shape(scheme, n.replace(JHP_HOLE, HOLE), port, trailing, bracketed, jhp)


def skeleton(t: tuple) -> tuple:
    """What kind of node a template names: its words and holes, without port,
    scheme, brackets, separators or case. Same skeleton = same kind of node."""
    body = shape(norm(t)).body.lower().replace(INT_HOLE, HOLE)
    return tuple(_WORD.findall(body))


def distinctive(skel: tuple) -> bool:
    """At least one word of literal text (not only holes and numbers)."""
    return any(tok not in (HOLE, JHP_HOLE, INT_HOLE) and not tok.isdigit() for tok in skel)


def differences(a: tuple, b: tuple) -> list[str]:
    """Address-significant ways two templates of one skeleton differ."""
    na, nb = norm(a), norm(b)
    if na.replace(INT_HOLE, HOLE) == nb.replace(INT_HOLE, HOLE):
        return []
    sa, sb = shape(na), shape(nb)
    out = []
    if (sa.port is None) != (sb.port is None):
        out.append("port suffix")
    elif sa.port and sb.port and sa.port.isdigit() and sb.port.isdigit() and sa.port != sb.port:
        out.append(f"port {sa.port} vs {sb.port}")
    if sa.scheme != sb.scheme:
        out.append("scheme prefix " + " vs ".join(f"`{s}`" if s else "none" for s in (sa.scheme, sb.scheme)))
    if sa.trailing != sb.trailing:
        which = sa.trailing or sb.trailing
        out.append("trailing dot" if which == "." else "trailing slash")
    form_a = "bracketed" if sa.bracketed else "joinhostport" if sa.joinhostport else "plain"
    form_b = "bracketed" if sb.bracketed else "joinhostport" if sb.joinhostport else "plain"
    if form_a != form_b and sa.port is not None and sb.port is not None:
        out.append(
            "IPv6 brackets (`[host]:port` vs `host:port`)"
            if "joinhostport" not in (form_a, form_b)
            else "IPv6 brackets (net.JoinHostPort vs a plain `:`)"
        )
    ba, bb = sa.body.replace(INT_HOLE, HOLE), sb.body.replace(INT_HOLE, HOLE)
    if ba != bb:
        if ba.lower() == bb.lower():
            out.append("letter case")
        else:
            pa, pb = _punct(ba), _punct(bb)
            out.append(f"separators (`{pa}` vs `{pb}`)" if pa != pb else "spelling")
    return out or ["spelling"]


def _punct(body: str) -> str:
    return "".join(ch for ch in body if not ch.isalnum() and ch not in (HOLE, JHP_HOLE, INT_HOLE))


def address_like(t: tuple) -> bool:
    """Does this template name a network node? Direct hash sinks hash many
    things (`userID:platform` keys); only node names count for them."""
    s = shape(norm(t))
    if s.scheme or s.bracketed or s.joinhostport:
        return True
    holes = [p for p in t if p[0] == "hole"]
    if any(p[2] and _HOSTISH.search(p[2]) for p in holes):
        return True
    if s.port is not None and (s.port.isdigit() or holes and re.search("port", holes[-1][2], re.I)):
        return True
    # A DNS name template: dot-separated labels, some literal words, some holes (`%s.cache.%s.svc`).
    labels = s.body.split(".")
    return (
        len(labels) >= 3
        and any(HOLE in lb or INT_HOLE in lb for lb in labels)
        and any(re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", lb) for lb in labels)
    )


def bare_host_port(t: tuple) -> bool:
    """`%s:%d`, `host + ":" + port` (optionally after a scheme, before a path):
    the host part is exactly one string hole, so an IPv6 host is not bracketed."""
    parts = list(t)
    if parts and parts[0][0] == "lit" and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:/*", parts[0][1]):
        parts = parts[1:]
    if len(parts) < 2 or parts[0][0] != "hole" or parts[0][1] not in ("s", "v"):
        return False
    sep = parts[1]
    if sep[0] != "lit" or not sep[1].startswith(":"):
        return False
    if sep[1] == ":":
        if len(parts) < 3 or parts[2][0] != "hole":
            return False
        rest = parts[3:]
    else:
        if not re.fullmatch(r":\d+(/.*)?", sep[1], re.S):
            return False
        rest = parts[2:]
    if not rest:
        return True
    return rest[0][0] == "lit" and rest[0][1].startswith("/")


def parse_format(fmt: str):
    """Yield ('lit', text) and ('verb', verb, arg_index) for a Printf format.

    A ('lit', text) piece is a template part as it is (`lit(text)`); read a
    verb piece with `format_verb`."""
    pos, argi = 0, 0
    for m in _FMT_VERB.finditer(fmt):
        if m.start() > pos:
            yield ("lit", fmt[pos : m.start()])
        pos = m.end()
        flags, idx1, width, prec, idx2, verb = m.groups()
        if verb == "%":
            yield ("lit", "%")
            continue
        for star in (width, prec):
            if star == "*":
                argi += 1
        explicit = idx2 or idx1
        if explicit:
            argi = int(explicit[1:-1]) - 1
        yield ("verb", verb, argi)
        argi += 1
    if pos < len(fmt):
        yield ("lit", fmt[pos:])


def format_verb(piece: tuple) -> tuple[str, int] | None:
    """(verb, argument index) of a `parse_format` verb piece; None for literal text."""
    return (piece[1], piece[2]) if piece[0] == "verb" else None
