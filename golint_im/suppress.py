"""Inline suppressions: `//golintim:ignore GIM201 reason` and `//nolint:GIM201`.

The parser hands over every comment that may be a directive as a Directive;
this module decides which findings they silence and reports, as GIM001, the
directives that silenced nothing and the `golintim:ignore` ones that give no
reason (a suppression is a claim a reviewer should be able to check).

Forms understood (a space after `//` is allowed, rule names are
case-insensitive, lists are comma-separated):

    x := f() //golintim:ignore GIM201 pooled by the caller
    //golintim:ignore GIM201,GIM202 closed in Stop()   (applies to the next line)
    x := f() //nolint:GIM201 // pooled by the caller
    x := f() //nolint                  (every golint-im rule)
    x := f() //nolint:all              (every golint-im rule)
    x := f() //nolint:errcheck         (another linter's: ignored here)
    x := f() //nolint:grpc-conn-leak   (a rule's name works as its ID)

A directive on a line of its own applies to the next line; several
directive lines stacked above one statement all apply to it. As in
golangci-lint, a directive on top of a declaration or statement (a `func`,
a `for` or `select` block; only comments in between) applies to all of it.

A name that is almost a golint-im rule name (`http-body-leek`), or an ID
that is no rule (`GIM299`), is reported as GIM001: the suppression it was
meant to be does nothing, and silence would hide that.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .findings import Finding, Location

META_RULE = "GIM001"
NO_REASON = "no reason given"

_RULE_RE = re.compile(r"GIM\d+", re.I)
_IGNORE_RE = re.compile(r"golintim:ignore(?![\w-])(.*)", re.S)
_NOLINT_RE = re.compile(r"nolint(?![\w-])(?::[ \t]*([^\s/,]+(?:[ \t]*,[ \t]*[^\s/,]+)*))?(.*)", re.S)


@dataclass(frozen=True)
class Directive:
    """A comment that may suppress findings, as the parser found it."""

    path: str  # relative, forward slashes (same as Location.path)
    line: int  # 1-based line of the comment
    col: int  # 1-based column of the comment
    text: str  # the comment text including `//`
    own_line: bool  # nothing but whitespace before the comment on its line
    end_line: int = 0  # own line, on top of a declaration or statement: its last line


@dataclass(frozen=True)
class Parsed:
    """What a directive says."""

    kind: str  # "golintim" | "nolint"
    rules: frozenset[str]  # golint-im rule IDs named (upper case)
    all_rules: bool  # bare //nolint or //nolint:all
    reason: str
    unknown: tuple[tuple[str, str], ...] = ()  # (name as written, the rule name it resembles)


def parse_directive(text: str, names: Mapping[str, str] | None = None) -> Parsed | None:
    """Read a comment; None when it is not a golint-im-relevant directive.

    names maps lower-case rule names to IDs, so `//nolint:http-body-leak`
    means GIM203. `//nolint:errcheck` (only other linters named) gives None:
    it is not ours to apply or to report; a name close to one of ours is
    kept in `unknown` so it can be reported.
    """
    names = names or {}
    body = text.strip()
    if body.startswith("//"):
        body = body[2:]
    elif body.startswith("/*"):
        body = body[2:].removesuffix("*/")
    else:
        return None
    body = body.lstrip(" \t")

    m = _IGNORE_RE.match(body)
    if m:
        rest = m.group(1).strip()
        listed: list[str] = []
        # Rule IDs come first: "GIM201,GIM202 reason" or "GIM201 GIM202 reason".
        while True:
            tok = re.match(r"[\s,]*(GIM\d+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-])", rest, re.I)
            if not tok:
                break
            word = tok.group(1)
            if _RULE_RE.fullmatch(word):
                listed.append(word.upper())
            elif word.lower() in names:
                listed.append(names[word.lower()])
            else:
                break  # a hyphenated word that is no rule name: the reason starts here
            rest = rest[tok.end() :]
        return Parsed("golintim", frozenset(listed), False, _clean_reason(rest))

    m = _NOLINT_RE.match(body)
    if m:
        names_text, rest = m.group(1), m.group(2)
        if names_text is None:
            if rest.startswith(":"):
                return None  # "//nolint:" that names nothing readable
            return Parsed("nolint", frozenset(), True, _clean_reason(rest))
        if any(n.strip().lower() == "all" for n in names_text.split(",")):
            return Parsed("nolint", frozenset(), True, _clean_reason(rest))
        written = [n.strip() for n in names_text.split(",") if n.strip()]
        rules = frozenset(
            n.upper() if _RULE_RE.fullmatch(n) else names[n.lower()]
            for n in written
            if _RULE_RE.fullmatch(n) or n.lower() in names
        )
        unknown = tuple(
            (n, _resembles(n, names))
            for n in written
            if not _RULE_RE.fullmatch(n) and n.lower() not in names and _resembles(n, names)
        )
        if not rules and not unknown:
            return None
        return Parsed("nolint", rules, False, _clean_reason(rest), unknown)
    return None


def _resembles(name: str, names: Mapping[str, str]) -> str:
    """The rule a name not ours was probably meant to be ("" if none): a near
    miss of a rule name, or something spelt like an ID (`GIM2O1`). Other
    linters' names (`errcheck`) resemble nothing and stay theirs."""
    close = difflib.get_close_matches(name.lower(), list(names), n=1, cutoff=0.8)
    if close:
        return close[0]
    return "a GIMnnn rule ID" if name.upper().startswith("GIM") else ""


def _clean_reason(rest: str) -> str:
    rest = rest.strip()
    rest = rest.removesuffix("*/").strip()
    while rest.startswith(("//", "--", ":", "-")):
        rest = rest.lstrip("/-:").strip()
    return rest


def apply_suppressions(
    findings: Iterable[Finding],
    directives: Iterable[Directive],
    active_rules: set[str],
    *,
    known_rules: set[str] | None = None,
    rule_names: Mapping[str, str] | None = None,
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Apply inline suppressions.

    Returns (kept, suppressed, meta):
    - kept: findings no directive covers, in input order;
    - suppressed: copies of the covered findings with `.suppressed` set to
      the directive's reason (or "no reason given"), plus GIM001 findings
      silenced by a directive naming GIM001;
    - meta: new GIM001 warnings, sorted: a directive naming a rule in
      active_rules that silenced nothing, a `golintim:ignore` without a
      reason or without a rule ID, and (when known_rules is given) a rule
      ID that does not exist.

    active_rules are the rules that ran (GIM001 itself need not be among
    them): an unused suppression is only reported for those. Whether GIM001
    findings are shown at all (`--ignore GIM001`) is the caller's decision.
    rule_names (lower-case name -> ID) default to the registered rules'.
    """
    active = {r.upper() for r in active_rules}
    if rule_names is None:
        rule_names = _registered_names()
    if known_rules is None:
        known_rules = set(rule_names.values()) | {META_RULE}
    parsed: list[tuple[Directive, Parsed]] = []
    for d in directives:
        p = parse_directive(d.text, rule_names)
        if p is not None:
            parsed.append((d, p))
    stacked = {(d.path, d.line) for d, _ in parsed if d.own_line}
    # The line each directive covers: its own, or for a comment on a line of
    # its own the first line below that is not another such directive.
    resolved: list[tuple[Directive, Parsed, int]] = []
    for d, p in parsed:
        target = d.line
        if d.own_line:
            target += 1
            while (d.path, target) in stacked:
                target += 1
        resolved.append((d, p, target))

    by_line: dict[tuple[str, int], list[int]] = {}
    for i, (d, _, target) in enumerate(resolved):
        for line in range(target, max(target, d.end_line) + 1):
            by_line.setdefault((d.path, line), []).append(i)
    used: list[set[str]] = [set() for _ in resolved]

    def covering(f: Finding) -> int | None:
        for i in by_line.get((f.location.path, f.location.line), ()):
            p = resolved[i][1]
            if p.all_rules or f.rule_id.upper() in p.rules:
                used[i].add(f.rule_id.upper())
                return i
        return None

    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for f in findings:
        found = covering(f)
        if found is None:
            kept.append(f)
        else:
            # Mark every other directive on the line that also names the rule as used.
            for j in by_line[(f.location.path, f.location.line)]:
                pj = resolved[j][1]
                if f.rule_id.upper() in pj.rules or pj.all_rules:
                    used[j].add(f.rule_id.upper())
            suppressed.append(dataclasses.replace(f, suppressed=resolved[found][1].reason or NO_REASON))

    meta: list[Finding] = []
    for i, (d, p, target) in enumerate(resolved):
        where = Location(d.path, d.line, d.col)
        notes: list[tuple[str, str]] = []  # (message, key)
        if p.kind == "golintim":
            if not p.rules:
                notes.append(
                    (
                        "golintim:ignore without a rule ID; write //golintim:ignore GIMxxx <reason>",
                        f"no-rule {d.text.strip()}",
                    )
                )
            elif not p.reason:
                ids = ", ".join(sorted(p.rules))
                notes.append((f"suppression of {ids} without a reason", f"no-reason {ids}"))
        for written, meant in p.unknown:
            notes.append((f"suppression names unknown rule '{written}' (did you mean {meant}?)", f"unknown {written}"))
        where_text = f"on line {target}" if d.end_line <= target else f"in lines {target}-{d.end_line}"
        for rule in sorted(p.rules):
            if rule == META_RULE:
                continue
            if known_rules is not None and rule not in {k.upper() for k in known_rules}:
                notes.append((f"suppression names unknown rule {rule}", f"unknown {rule}"))
            elif rule in active and rule not in used[i]:
                notes.append(
                    (
                        f"unused suppression for {rule}: no {rule} finding {where_text}",
                        f"unused {rule} {d.text.strip()}",
                    )
                )
        for message, key in notes:
            finding = Finding(META_RULE, message, where, severity="warning", key=key)
            # A directive may silence its own complaints by naming GIM001,
            # and so may any directive covering the comment's line.
            silencer = p if META_RULE in p.rules else None
            if silencer is None:
                for j in by_line.get((d.path, d.line), ()):
                    pj = resolved[j][1]
                    if META_RULE in pj.rules:
                        silencer = pj
                        break
            if silencer is not None:
                suppressed.append(dataclasses.replace(finding, suppressed=silencer.reason or NO_REASON))
            else:
                meta.append(finding)
    meta.sort(key=Finding.sort_key)
    return kept, suppressed, meta


def _registered_names() -> dict[str, str]:
    """Lower-case rule name -> ID for every registered rule (imported late: the
    registry loads the rule modules)."""
    from .registry import all_rule_infos

    return {r.name.lower(): r.id for r in all_rule_infos()}
