"""Fixture harness: each fixtures/<RULE>/<case>/ directory is one Go program.

Annotations are trailing comments on the line where a finding starts:
    // want GIM101 "regexp"     a finding of GIM101 must start here, message matching
    // ok GIM101 why            a look-alike that must stay silent
    // todo-want GIM101 "re"    a known miss: counted, not failing
    // todo-ok GIM101 why       a known false positive: counted, not failing
Matching is exhaustive: a finding on a line without want/todo-ok fails.

A case may also pin the whole text of its findings (message, steps, related
locations) in `findings.txt` beside its Go files: a `want` pattern says where
and roughly what, the snapshot catches every change in wording. Write or
refresh snapshots with GOLINT_IM_UPDATE_SNAPSHOTS=1, then review the diff.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Options, analyse
from .report.text import render_text

SNAPSHOT = "findings.txt"

_ANNOTATION = re.compile(r"//\s*(want|ok|todo-want|todo-ok)\s+(GIM\d{3})\b\s*(.*)$")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


@dataclass
class Expectation:
    kind: str
    rule: str
    path: str
    line: int
    pattern: str = ""


@dataclass
class CaseResult:
    case: str
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    todo: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    text: str = ""  # the findings as `golint-im check` prints them, without the summary line

    @property
    def ok(self) -> bool:
        return not self.problems


def expectations(case_dir: Path) -> list[Expectation]:
    out = []
    for go in sorted(case_dir.rglob("*.go")):
        rel = go.relative_to(case_dir).as_posix()
        for no, line in enumerate(go.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = _ANNOTATION.search(line)
            if not m:
                continue
            kind, rule, rest = m.groups()
            q = _QUOTED.search(rest)
            out.append(Expectation(kind, rule, rel, no, q.group(1).replace('\\"', '"') if q else ""))
    return out


def run_case(case_dir: Path) -> CaseResult:
    result, _ = analyse(Options(paths=[str(case_dir)], jobs=1, cache_dir=None, base=str(case_dir)))
    res = CaseResult(case_dir.name)
    # a rule that raised reports nothing: its silence must not pass for an `ok` case's
    res.problems.extend(n.message for n in result.notices if "internal error" in n.message)
    res.text = "".join(render_text(result).splitlines(keepends=True)[:-1])
    res.problems.extend(snapshot_problems(case_dir, res.text))
    exp = expectations(case_dir)
    by_line: dict = {}
    for e in exp:
        by_line.setdefault((e.rule, e.path, e.line), []).append(e)
    matched = set()
    for f in result.findings:
        key = (f.rule_id, f.location.path, f.location.line)
        here = by_line.get(key, [])
        want = [e for e in here if e.kind in ("want", "todo-want") and re.search(e.pattern, f.message)]
        if want:
            matched.add(id(want[0]))
            (res.tp if want[0].kind == "want" else res.todo)[f.rule_id] += 1
        elif any(e.kind == "todo-ok" for e in here):
            res.todo[f.rule_id] += 1
        else:
            res.fp[f.rule_id] += 1
            res.problems.append(f"unexpected {f.location}: {f.rule_id} {f.message}")
    for e in exp:
        if e.kind == "want" and id(e) not in matched:
            res.fn[e.rule] += 1
            res.problems.append(f'missing {e.path}:{e.line}: want {e.rule} "{e.pattern}"')
        elif e.kind == "todo-want" and id(e) not in matched:
            res.todo[e.rule] += 1  # a known miss, still missed
    return res


def fixture_cases(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("GIM*/*") if p.is_dir())


def snapshot_problems(case_dir: Path, text: str) -> list[str]:
    """The differences between a case's findings and its pinned `findings.txt`, if it has one."""
    pinned = case_dir / SNAPSHOT
    if os.environ.get("GOLINT_IM_UPDATE_SNAPSHOTS") == "1":
        if text:
            pinned.write_text(text, encoding="utf-8")
        elif pinned.exists():
            pinned.unlink()
        return []
    if not pinned.exists():
        return []
    expected = pinned.read_text(encoding="utf-8")
    if expected == text:
        return []
    import difflib

    diff = difflib.unified_diff(
        expected.splitlines(), text.splitlines(), f"{SNAPSHOT} (pinned)", "this run", lineterm=""
    )
    return ["findings differ from the pinned text:\n" + "\n".join(diff)]
