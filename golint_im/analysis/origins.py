"""Origins: what value tracing yields for a string, and the names of its holes.

An `Origin` is one place where a traced string was built (or the admission
that it is unknown), with the template it built there and the steps from
that place to the traced expression.

Steps are data, not text: `(location, what, *names)` with `what` one of
built (template, how), assigned, collected, ranged, appended (name), stored
(field), returned (function), passed (function, parameter), applied
(function). The rules that report a trace word them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from golint_im import expr as ex
from golint_im.findings import Location

from .templates import has_literal, hole, is_hole

NO_COLON = "nocolon"  # an unknown string that holds no `:` (a piece split on it, a dotted IPv4 address)
BRACKETED = "bracketed"  # an unknown host that brackets an IPv6 literal itself (a URL's `Host`)


@dataclass(frozen=True)
class Origin:
    """Where and how a string was built. kind: sprintf | concat | join |
    joinhostport | literal | opaque (unknown: a hole with no site) | nocolon
    (unknown, but with no `:` in it)."""

    template: tuple
    kind: str
    site: Location | None = None
    how: str = ""
    steps: tuple = ()  # (Location, what, *names), from the site to the expression being traced
    # (Function, expr) that filled the template's first hole, when one operand did
    first_hole: tuple | None = field(default=None, compare=False)

    @property
    def formatted(self) -> bool:
        """Built by formatting or joining around some literal text: a template worth comparing."""
        return self.kind in ("sprintf", "concat", "join", "joinhostport") and has_literal(self.template)

    def hop(self, loc: Location, what: str, *names: str) -> Origin:
        """This origin one step further from its site (no step for an unknown value or on the same line)."""
        if self.kind == "opaque":
            return self
        if self.steps and self.steps[-1][0].path == loc.path and self.steps[-1][0].line == loc.line:
            return self
        return replace(self, steps=self.steps + ((loc, what) + names,))


def opaque(name: str = "", verb: str = "s") -> Origin:
    """An unknown value: one hole named after what holds it."""
    return Origin((hole(verb, name),), "opaque")


def built(template: tuple, kind: str, site: Location, how: str, first_hole=None) -> Origin:
    """A template built at `site` by `how` (`fmt.Sprintf`, `+`...), its first step saying so."""
    return Origin(template, kind, site, how, ((site, "built", template, how),), first_hole)


def hole_name(e) -> str:
    """The name a hole filled by e is labelled with: `port` for `port`, `cfg.Port`, `port()`, `ports[i]`, `&port`."""
    while e is not None:
        name = ex.ident(e)
        if name is not None:
            return name
        name = ex.selected_name(e)
        if name is not None:
            return name
        fn = ex.callee(e)
        if fn is not None:
            return hole_name(fn) if ex.is_name_or_selector(fn) else ""
        ix = ex.index(e)
        if ix is not None:
            e = ix[0]
            continue
        inner = ex.sliced(e)
        if inner is None:
            u = ex.unary(e)
            inner = u[1] if u is not None else None
        if inner is None:
            return ""
        e = inner
    return ""


def first_hole_of(fn, pieces):
    """(fn, expr) of the operand that produced the template's first hole, if it produced only that."""
    for e, piece in pieces:
        if any(is_hole(p) for p in piece):
            return (fn, e) if e is not None and len(piece) == 1 else None
    return None
