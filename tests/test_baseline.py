"""Baseline files and the git snapshot behind --new-from-rev."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from golint_im.baseline import (
    FORMAT_KEY,
    BaselineError,
    filter_new,
    fingerprints,
    load_baseline,
    snapshot_at_rev,
    write_baseline,
)
from golint_im.findings import Finding, Location

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def finding(rule: str, path: str, line: int, key: str) -> Finding:
    return Finding(rule, f"{rule} {key}", Location(path, line, 1), key=key)


FINDINGS = [
    finding("GIM201", "pkg/k8s.go", 40, "conn from grpc.Dial in GetConn"),
    finding("GIM101", "internal/ws.go", 12, "unregisterChan in Run"),
    finding("GIM301", "pkg/k8s.go", 90, "ring fed host:port and host"),
]


# -- baseline files ---------------------------------------------------------


def test_round_trip(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(path, FINDINGS + [FINDINGS[0]], "0.1.0")
    doc = json.loads(path.read_text())
    assert doc[FORMAT_KEY] == 1 and doc["tool_version"] == "0.1.0"
    assert len(doc["findings"]) == 3  # deduplicated
    assert [e["path"] for e in doc["findings"]] == ["internal/ws.go", "pkg/k8s.go", "pkg/k8s.go"]
    assert set(doc["findings"][0]) == {"rule", "fingerprint", "path", "message"}
    known = load_baseline(path)
    assert known == fingerprints(FINDINGS)
    assert filter_new(FINDINGS, known) == []


def test_output_is_deterministic_and_leaves_no_temp_files(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_baseline(a, FINDINGS, "0.1.0")
    write_baseline(b, list(reversed(FINDINGS)), "0.1.0")
    assert a.read_bytes() == b.read_bytes()
    write_baseline(a, FINDINGS[:1], "0.1.0")  # overwrite in place
    assert len(json.loads(a.read_text())["findings"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_line_shift_is_not_new_but_a_new_finding_is(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(path, FINDINGS, "0.1.0")
    shifted = finding("GIM201", "pkg/k8s.go", 55, "conn from grpc.Dial in GetConn")
    fresh = finding("GIM202", "pkg/k8s.go", 60, "websocket conn in Dial")
    assert filter_new([shifted, fresh], load_baseline(path)) == [fresh]


def test_newer_format_is_refused(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({FORMAT_KEY: 2, "tool_version": "9.0", "findings": []}))
    with pytest.raises(BaselineError, match="newer golint-im"):
        load_baseline(path)


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("not json", "invalid JSON"),
        ("[]", "not a golint-im baseline"),
        ('{"findings": []}', "not a golint-im baseline"),
        (json.dumps({FORMAT_KEY: "1", "findings": []}), "bad baseline format"),
        (json.dumps({FORMAT_KEY: 1, "findings": {}}), "must be a list"),
        (json.dumps({FORMAT_KEY: 1, "findings": [{"rule": "GIM201"}]}), "findings[0]"),
    ],
)
def test_malformed_baselines(tmp_path, content, fragment):
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(BaselineError) as info:
        load_baseline(path)
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_missing_baseline(tmp_path):
    with pytest.raises(BaselineError, match="not found"):
        load_baseline(tmp_path / "nope.json")


# -- snapshot_at_rev --------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "dev")
    git(root, "config", "commit.gpgsign", "false")
    (root / "go.mod").write_text("module example.com/m\n")
    (root / "pkg").mkdir()
    (root / "pkg" / "a.go").write_text("package pkg\n\nfunc A() {}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    first = git(root, "rev-parse", "HEAD")
    (root / "pkg" / "a.go").write_text("package pkg\n\n// A moved down.\nfunc A() {}\n")
    (root / "pkg" / "b.go").write_text("package pkg\n\nfunc B() {}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "second")
    (root / "pkg" / "dirty.go").write_text("package pkg\n")  # uncommitted: never in a snapshot
    return root, first


@needs_git
def test_snapshot_holds_the_tree_at_rev(repo):
    root, first = repo
    with snapshot_at_rev(root, "HEAD~1") as snap:
        files = sorted(p.relative_to(snap).as_posix() for p in snap.rglob("*") if p.is_file())
        assert files == ["go.mod", "pkg/a.go"]
        assert (snap / "pkg" / "a.go").read_text() == "package pkg\n\nfunc A() {}\n"
        kept = snap
    assert not kept.exists()  # removed on exit
    with snapshot_at_rev(root, first[:10]) as snap:
        assert (snap / "go.mod").is_file()
    with snapshot_at_rev(root, "HEAD") as snap:
        assert sorted(p.name for p in (snap / "pkg").iterdir()) == ["a.go", "b.go"]


@needs_git
def test_snapshot_of_a_subdirectory_keeps_relative_paths(repo):
    root, _ = repo
    with snapshot_at_rev(root / "pkg", "HEAD") as snap:
        assert sorted(p.name for p in snap.iterdir()) == ["a.go", "b.go"]
    (root / "new").mkdir()
    with snapshot_at_rev(root / "new", "HEAD~1") as snap:  # did not exist then: empty
        assert snap.is_dir() and list(snap.iterdir()) == []


@needs_git
def test_snapshot_is_removed_on_error(repo):
    root, _ = repo
    with pytest.raises(RuntimeError):
        with snapshot_at_rev(root, "HEAD") as snap:
            kept = snap
            raise RuntimeError("analysis failed")
    assert not kept.exists()


@needs_git
@pytest.mark.parametrize("rev", ["no-such-branch", "0123456789abcdef0123456789abcdef01234567", "--output=x", ""])
def test_unknown_revision(repo, rev):
    root, _ = repo
    with pytest.raises(BaselineError, match="unknown revision"):
        with snapshot_at_rev(root, rev):
            pass
    assert not (root / "x").exists()


@needs_git
def test_not_a_repository(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # no repository above tmp counts
    with pytest.raises(BaselineError) as info:
        with snapshot_at_rev(plain, "HEAD"):
            pass
    assert str(info.value) == f"--new-from-rev needs a git repository: {plain} is not inside one"


@needs_git
def test_snapshot_skips_links_leaving_the_tree(repo):
    root, _ = repo
    (root / "pkg" / "outside").symlink_to("/etc/hostname")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    with snapshot_at_rev(root, "HEAD") as snap:
        assert not (snap / "pkg" / "outside").exists()
        assert (snap / "pkg" / "a.go").is_file()
