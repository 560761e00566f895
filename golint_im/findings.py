"""What a rule reports: a finding with the evidence a reviewer needs.

Locations carry a display path relative to the analysed root (never an
absolute path of this machine) so reports are portable and deterministic.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from .escape import utf8

# A local declared again in another block goes by `name·2` in the facts (source.Walker.declare);
# `·` is no letter, so no Go name holds it. Reports show the name as written.
_RENAMED = re.compile("(?<=\\w)\u00b7\\d+")


def display_name(text: str) -> str:
    """text with the facts' names of locals declared again (`done·2`) as the source writes them."""
    return _RENAMED.sub("", text) if "\u00b7" in text else text


@dataclass(frozen=True, order=True)
class Location:
    path: str  # relative, forward slashes, as shown to users and in SARIF URIs
    line: int  # 1-based
    col: int = 1  # 1-based, in characters
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def op_location(fn, op) -> Location:
    """Where an op of a function starts, as findings, steps and related places show it."""
    return Location(fn.file.path, op.line, op.col)


@dataclass(frozen=True)
class Step:
    """One hop on the path that explains a finding (a call, a send, ...)."""

    location: Location
    message: str


@dataclass(frozen=True)
class Related:
    location: Location
    message: str


@dataclass
class Finding:
    rule_id: str
    message: str
    location: Location
    severity: str = "warning"  # error | warning | note
    related: tuple[Related, ...] = ()
    steps: tuple[Step, ...] = ()
    # Stable identity that survives line shifts: rule + what the finding is
    # about (names, not line numbers). Rules pass a key; see fingerprint().
    key: str = ""
    suppressed: str = ""  # non-empty: the justification of an inline suppression

    def __post_init__(self):
        texts = (self.message, self.key, *(s.message for s in self.steps), *(r.message for r in self.related))
        if any("\u00b7" in t for t in texts):
            self.message = display_name(self.message)
            self.key = display_name(self.key)
            self.steps = tuple(replace(s, message=display_name(s.message)) for s in self.steps)
            self.related = tuple(replace(r, message=display_name(r.message)) for r in self.related)

    @property
    def fingerprint(self) -> str:
        basis = f"{self.rule_id}\0{self.location.path}\0{self.key or self.message}"
        return hashlib.sha256(utf8(basis)).hexdigest()[:32]  # a file name need not be UTF-8

    def sort_key(self):
        return (self.location.path, self.location.line, self.location.col, self.rule_id, self.message)

    def touches(self, paths: set[str]) -> bool:
        """True when the finding or one of its related locations is in paths."""
        if self.location.path in paths:
            return True
        return any(r.location.path in paths for r in self.related)


@dataclass
class Notice:
    """A per-file problem that did not stop the run (unreadable, not UTF-8, ...)."""

    path: str
    message: str
    line: int = 0
    # Set on a file's use of Go syntax newer than the grammar (see source.NEW_EXPR): the
    # command line shows these as one summary line per construct unless --debug.
    construct: str = ""
    # Notices of one kind that can come by the hundred (a rule's work budget spent in a
    # function, interface calls too wide to follow) share a summary: the command line
    # prints it once, `{n}` the number of such notices and `{s}` a plural "s", unless --debug.
    summary: str = ""
    # golint-im's own failure (a rule or the parser stopped): findings may be missing, so
    # --quiet still prints it, as ruff's --quiet still prints its errors.
    internal: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}" if where else self.message


def summarised(notices: list[Notice]) -> list[Notice]:
    """The notices with each group sharing a summary (see Notice.summary) made into one notice, in first-seen order."""
    counts: dict[str, int] = {}
    for n in notices:
        if n.summary:
            counts[n.summary] = counts.get(n.summary, 0) + 1
    out = [n for n in notices if not n.summary]
    for summary, k in counts.items():
        out.append(Notice("", summary.replace("{n}", str(k)).replace("{s}", "" if k == 1 else "s")))
    return out


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    files_analysed: int = 0
    suppressed: list[Finding] = field(default_factory=list)
    debug: dict = field(default_factory=dict)
    base: str = ""  # directory the display paths are relative to
    # Every discovered file's display path and digest of its bytes, in discovery order:
    # what shards of one run must agree on (see shard.py). Not part of any report.
    tree: list[tuple[str, str]] = field(default_factory=list)
