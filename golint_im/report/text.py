"""Human output: one line a finding that editors and terminals can jump to, then its evidence.

Notices are left to the CLI (stderr) so stdout stays findings only.
"""

from __future__ import annotations

from collections import Counter

from ..escape import printable
from ..findings import RunResult
from . import sorted_findings

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOR = {"error": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(result: RunResult) -> str:
    """`3 findings (GIM101: 1, GIM201: 2); 12 files analysed`, or `no findings; 12 files analysed`.

    The count is of files analysed (parsed and linked), not of files the
    findings are in: "2 findings in 341 files" read as the latter.
    """
    files = _plural(result.files_analysed, "file")
    counts = Counter(f.rule_id for f in result.findings)
    if counts:
        per_rule = ", ".join(f"{rule}: {n}" for rule, n in sorted(counts.items()))
        line = f"{_plural(len(result.findings), 'finding')} ({per_rule})"
    else:
        line = "no findings"
    if result.suppressed:
        line += f", {len(result.suppressed)} suppressed"
    return f"{line}; {files} analysed"


def render_text(result: RunResult, *, color: bool = False, summary: bool = True) -> str:
    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if color else s

    lines = []
    for f in sorted_findings(result.findings):
        rule = paint(_SEVERITY_COLOR.get(f.severity, _BOLD), f.rule_id)
        # Paths and messages carry file names and Go strings: escaped, so none can rewrite the terminal.
        lines.append(f"{paint(_BOLD, printable(str(f.location)))}: {rule} {printable(f.message)}")
        for s in f.steps:
            lines.append(paint(_DIM, printable(f"    {s.location.path}:{s.location.line}: {s.message}")))
        for r in f.related:
            lines.append(paint(_DIM, printable(f"    related: {r.location.path}:{r.location.line}: {r.message}")))
    if summary:
        lines.append(summary_line(result))
    return "".join(line + "\n" for line in lines)
