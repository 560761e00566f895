"""SARIF 2.1.0 for code scanning, built from sarif-om classes.

Serialized here rather than with sarif-om's usual serializer, which drops values
equal to class defaults (so `level: "warning"` would vanish). Output is
byte-deterministic: results sorted, key order fixed by the classes.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import attr
import sarif_om as om

from ..escape import json_safe, utf8
from ..findings import Finding, Location, Notice, RunResult
from . import RuleInfo, sorted_notices

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
MAX_RESULTS = 25_000  # code scanning rejects runs with more results
SRCROOT = "%SRCROOT%"
_SRCROOT_TEXT = (
    "The root result URIs are relative to: the folder of golint-im's config file, "
    "else the git top level, else the analysed directory."
)
_LEVELS = ("error", "warning", "note")  # also the keep-order when truncating
_ALWAYS_WRITTEN = {"level"}  # viewers disagree on its default: never leave it implicit


@attr.s
class Suppression(om.Suppression):
    """sarif-om 1.0.4 predates the final spec's `status`; add it."""

    status = attr.ib(default=None, metadata={"schema_property_name": "status"})


_FIELDS: dict[type, list[tuple[str, str, object]]] = {}


def _fields(cls: type) -> list[tuple[str, str, object]]:
    if cls not in _FIELDS:
        out = []
        for a in attr.fields(cls):
            default = a.default
            if isinstance(default, attr.Factory):  # type: ignore[arg-type]  # a class at run time
                default = default.factory()
            out.append((a.name, a.metadata["schema_property_name"], default))
        _FIELDS[cls] = out
    return _FIELDS[cls]


def to_plain(obj: object) -> object:
    """sarif-om objects -> JSON-ready values; None and class defaults are left out, except _ALWAYS_WRITTEN."""
    if attr.has(type(obj)):
        out = {}
        for name, key, default in _fields(type(obj)):
            value = getattr(obj, name)
            if value is None or (value == default and key not in _ALWAYS_WRITTEN):
                continue
            out[key] = to_plain(value)
        return out
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    return obj


def _uri(path: str) -> str:
    """Relative URI reference: forward slashes, percent-encoded (spaces, non-ASCII, a name's undecodable bytes)."""
    return quote(utf8(path.replace("\\", "/")), safe="/")


def _location(loc: Location, message: str = "", id: int = -1) -> om.Location:
    region = om.Region(
        start_line=max(loc.line, 1),
        start_column=max(loc.col, 1),
        end_line=loc.end_line if loc.end_line > 0 else None,
        end_column=loc.end_col if loc.end_col > 0 else None,
    )
    artifact = om.ArtifactLocation(uri=_uri(loc.path), uri_base_id=SRCROOT)
    physical = om.PhysicalLocation(artifact_location=artifact, region=region)
    return om.Location(physical_location=physical, message=om.Message(text=message) if message else None, id=id)


def _link_text(s: str) -> str:
    return s.rstrip(".").replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def result_message(f: Finding) -> str:
    """Plain text; each related location is linked as `[its message](id)`, ids 1..n."""
    text = f.message.strip()
    if f.related and not text.endswith((".", "!", "?")):
        text += "."
    for i, r in enumerate(f.related, 1):
        text += f" See [{_link_text(r.message)}]({i})."
    return text


def _result(f: Finding, suppressed: bool, rule_index: dict[str, int]) -> om.Result:
    res = om.Result(
        rule_id=f.rule_id,
        rule_index=rule_index.get(f.rule_id, -1),
        level=f.severity if f.severity in _LEVELS else "warning",
        message=om.Message(text=result_message(f)),
        locations=[_location(f.location)],
        partial_fingerprints={"golintImFingerprint/v1": f.fingerprint},
    )
    if f.related:
        res.related_locations = [_location(r.location, r.message, i) for i, r in enumerate(f.related, 1)]
    if f.steps:
        steps = [om.ThreadFlowLocation(location=_location(s.location, s.message)) for s in f.steps]
        res.code_flows = [om.CodeFlow(thread_flows=[om.ThreadFlow(locations=steps)])]
    if suppressed:
        res.suppressions = [
            Suppression(kind="inSource", status="accepted", justification=f.suppressed or None)  # type: ignore[call-arg]
        ]
    return res


def _rule(r: RuleInfo, tool_version: str) -> om.ReportingDescriptor:
    from .. import __url__
    from ..registry import rule_help_uri

    return om.ReportingDescriptor(
        id=r.id,
        name=r.name,
        help_uri=rule_help_uri(r, __url__, tool_version),
        short_description=om.MultiformatMessageString(text=r.summary),
        full_description=om.MultiformatMessageString(text=_what_it_does(r.doc) or r.summary),
        help=om.MultiformatMessageString(text=_plain(r.doc) or r.summary, markdown=r.doc or None),
        default_configuration=om.ReportingConfiguration(level=r.severity if r.severity in _LEVELS else "warning"),
        properties=om.PropertyBag(tags=[r.family]),
    )


def _what_it_does(doc: str) -> str:
    """First paragraph of the doc's "What it does" section."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip("#* ").lower().startswith("what it does"):
            para: list[str] = []
            for body in lines[i + 1 :]:
                if (not body.strip() and para) or body.startswith("#"):
                    break
                if body.strip():
                    para.append(body.strip())
            return " ".join(para)
    return ""


def _plain(doc: str) -> str:
    """Markdown doc as plain text: heading marks and code fences dropped."""
    lines = [line.lstrip("#").strip() if line.startswith("#") else line for line in doc.splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith("```")).strip()


def _notification(text: str, path: str = "", line: int = 0) -> om.Notification:
    locations = None
    if path:
        region = om.Region(start_line=line) if line > 0 else None
        artifact = om.ArtifactLocation(uri=_uri(path), uri_base_id=SRCROOT)
        locations = [om.Location(physical_location=om.PhysicalLocation(artifact_location=artifact, region=region))]
    return om.Notification(message=om.Message(text=text), level="warning", locations=locations)


def _select(result: RunResult) -> tuple[list[tuple[Finding, bool]], int]:
    """(finding, suppressed) pairs, at most MAX_RESULTS: active before suppressed, then errors first."""
    chosen = [(f, False) for f in result.findings] + [(f, True) for f in result.suppressed]
    dropped = max(0, len(chosen) - MAX_RESULTS)
    if dropped:
        rank = {level: i for i, level in enumerate(_LEVELS)}
        chosen.sort(key=lambda p: (p[1], rank.get(p[0].severity, 1), p[0].sort_key(), p[0].fingerprint))
        chosen = chosen[:MAX_RESULTS]
    chosen.sort(key=lambda p: (p[0].sort_key(), p[1], p[0].fingerprint))
    return chosen, dropped


def _notifications(notices: list[Notice], dropped: int, total: int) -> list[om.Notification]:
    out = [_notification(n.message, n.path, n.line) for n in sorted_notices(notices)]
    if dropped:
        out.append(
            _notification(
                f"{dropped} of {total} results left out: code scanning accepts at most {MAX_RESULTS} "
                "results per run (kept: unsuppressed first, then by severity, then by location)."
            )
        )
    return out


def build_log(result: RunResult, rules: list[RuleInfo], *, tool_version: str, automation_id: str) -> om.SarifLog:
    rules = sorted(rules, key=lambda r: r.id)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    findings, dropped = _select(result)
    notifications = _notifications(result.notices, dropped, len(result.findings) + len(result.suppressed))
    from .. import __url__

    driver = om.ToolComponent(
        name="golint-im",
        semantic_version=tool_version,
        information_uri=__url__,
        rules=[_rule(r, tool_version) for r in rules],
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        automation_details=om.RunAutomationDetails(id=automation_id),
        column_kind="unicodeCodePoints",
        # No uri: the root is wherever the reader checked the code out; never this machine's path.
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(description=om.Message(text=_SRCROOT_TEXT))},
        invocations=[om.Invocation(execution_successful=True, tool_execution_notifications=notifications or None)],
        results=[_result(f, suppressed, rule_index) for f, suppressed in findings],
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def render_sarif(
    result: RunResult, rules: list[RuleInfo], *, tool_version: str, automation_id: str = "golint-im/"
) -> str:
    plain = to_plain(build_log(result, rules, tool_version=tool_version, automation_id=automation_id))
    assert isinstance(plain, dict)
    log = {"$schema": plain["$schema"], "version": plain["version"], "runs": plain["runs"]}  # readers look here first
    return json_safe(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
