"""Machine output with a stable shape: sorted keys and order, so diffs between runs mean something.

The shape is documented in docs/json-format.md and described by
docs/json-schema.json; `schema_version` changes whenever a field is removed
or changes meaning, so scripts can refuse a shape they do not know. A
position golint-im does not know (an end line, a notice's line) is left out
rather than written as 0, which a reader would take for a real position.
"""

from __future__ import annotations

import json

from ..escape import json_safe
from ..findings import Finding, Location, RunResult
from . import sorted_findings, sorted_notices

SCHEMA_VERSION = 1


def _location(loc: Location) -> dict:
    d = {"path": loc.path, "line": loc.line, "col": loc.col}
    if loc.end_line > 0:
        d["end_line"] = loc.end_line
        if loc.end_col > 0:
            d["end_col"] = loc.end_col
    return d


def _notice(n) -> dict:
    d = {"path": n.path, "message": n.message}
    if n.line > 0:
        d["line"] = n.line
    return d


def finding_dict(f: Finding) -> dict:
    d = {
        "rule": f.rule_id,
        "severity": f.severity,
        "message": f.message,
        "location": _location(f.location),
        "related": [{"location": _location(r.location), "message": r.message} for r in f.related],
        "steps": [{"location": _location(s.location), "message": s.message} for s in f.steps],
        "fingerprint": f.fingerprint,
    }
    if f.suppressed:
        d["justification"] = f.suppressed
    return d


def render_json(result: RunResult, *, tool_version: str) -> str:
    doc = {
        "schema_version": SCHEMA_VERSION,
        "version": tool_version,
        "findings": [finding_dict(f) for f in sorted_findings(result.findings)],
        "suppressed": [finding_dict(f) for f in sorted_findings(result.suppressed)],
        "notices": [_notice(n) for n in sorted_notices(result.notices)],
        "files_analysed": result.files_analysed,
    }
    return json_safe(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
