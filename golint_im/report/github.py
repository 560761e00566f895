"""GitHub Actions workflow commands, so findings show as annotations without a SARIF upload.

Escaping follows the Actions toolkit: %, CR, LF in the message; also ':' and ','
in properties, where they would end the value. Other controls (ANSI, OSC, a
file name's undecodable bytes) are escaped as in text output, so the log
shows what is there.
"""

from __future__ import annotations

from ..escape import printable
from ..findings import Finding, RunResult, summarised
from . import RuleInfo, sorted_findings, sorted_notices

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(s: str) -> str:
    return printable(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: object) -> str:
    """`::kind k=v,...::message`; props with value None or 0 are left out."""
    given = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v)
    sep = " " if given else ""
    return f"::{kind}{sep}{given}::{escape_data(message)}"


def _annotation(f: Finding, rules: dict[str, RuleInfo]) -> str:
    rule = rules.get(f.rule_id)
    title = f"{f.rule_id} {rule.name}" if rule else f.rule_id
    # Annotations show multi-line messages, so the evidence travels with them.
    lines = [f.message]
    lines += [f"{s.location.path}:{s.location.line}: {s.message}" for s in f.steps]
    lines += [f"related: {r.location.path}:{r.location.line}: {r.message}" for r in f.related]
    loc = f.location
    return command(
        _COMMAND.get(f.severity, "warning"),
        "\n".join(lines),
        file=loc.path,
        line=loc.line,
        col=loc.col,
        endLine=loc.end_line,
        endColumn=loc.end_col,
        title=title,
    )


def render_github(result: RunResult, rules: list[RuleInfo]) -> str:
    by_id = {r.id: r for r in rules}
    out = [_annotation(f, by_id) for f in sorted_findings(result.findings)]
    # One annotation per summary: a hundred "not followed" warnings would bury the findings.
    out += [command("warning", n.message, file=n.path, line=n.line) for n in sorted_notices(summarised(result.notices))]
    return "".join(line + "\n" for line in out)
