"""Machine output with a stable shape: sorted keys and order, so diffs between runs mean something."""
from __future__ import annotations

import json

from ..escape import json_safe
from ..findings import Finding, Location, RunResult
from . import sorted_findings, sorted_notices


def _location(loc: Location) -> dict:
    return {"path": loc.path, "line": loc.line, "col": loc.col, "end_line": loc.end_line, "end_col": loc.end_col}


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
        "version": tool_version,
        "findings": [finding_dict(f) for f in sorted_findings(result.findings)],
        "suppressed": [finding_dict(f) for f in sorted_findings(result.suppressed)],
        "notices": [{"path": n.path, "line": n.line, "message": n.message} for n in sorted_notices(result.notices)],
        "files_analysed": result.files_analysed,
    }
    return json_safe(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
