"""Report writers: one RunResult, four audiences (people, scripts, code scanning, Actions).

Renderers only format; they never decide what is a finding. They receive the
rules as RuleInfo so they do not depend on how rules are loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..findings import Finding, Notice, RunResult


@dataclass(frozen=True)
class RuleInfo:
    """What a report needs to know about a rule (the engine builds these)."""

    id: str  # "GIM101"
    name: str  # kebab-case, "select-loop-self-send"
    family: str  # concurrency | resources | routing | meta
    severity: str  # error | warning | note
    summary: str  # one line
    doc: str  # markdown: What it does / Why is this bad / Example / Fix / Known limits


FORMATS = ("text", "json", "sarif", "github")


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The one order every format uses, so outputs are comparable and deterministic."""
    return sorted(findings, key=Finding.sort_key)


def sorted_notices(notices: Iterable[Notice]) -> list[Notice]:
    return sorted(notices, key=lambda n: (n.path, n.line, n.message))


def render(
    fmt: str,
    result: RunResult,
    rules: list[RuleInfo],
    *,
    color: bool = False,
    summary: bool = True,
    tool_version: str,
    automation_id: str = "golint-im/",
) -> str:
    """Render result in fmt (one of FORMATS); non-empty output ends with a newline."""
    if fmt == "text":
        from .text import render_text

        return render_text(result, color=color, summary=summary)
    if fmt == "json":
        from .json import render_json

        return render_json(result, tool_version=tool_version)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(result, rules, tool_version=tool_version, automation_id=automation_id)
    if fmt == "github":
        from .github import render_github

        return render_github(result, rules)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
