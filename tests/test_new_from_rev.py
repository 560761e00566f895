"""--new-from-rev: only findings introduced since a revision, robust to moved lines."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

LOOP = """package svc

type Hub{n} struct {{
	in  chan int
	out chan int
}}

func (h *Hub{n}) Put(v int) {{ h.out <- v }}

func (h *Hub{n}) loop() {{
	for {{
		select {{
		case v := <-h.in:
			h.Put(v)
		case <-h.out:
		}}
	}}
}}

func start{n}() {{
	h := &Hub{n}{{in: make(chan int, 4), out: make(chan int, 4)}}
	go h.loop()
}}
"""


def _git(cwd, *args):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def _check(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "golint_im.cli", "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/r\n\ngo 1.21\n")
    svc = tmp_path / "svc"
    svc.mkdir()
    (svc / "a.go").write_text(LOOP.format(n="A"))
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "one bug")
    return tmp_path


def test_only_new_findings_are_reported(repo):
    (repo / "svc" / "b.go").write_text(LOOP.format(n="B"))
    # Shift the old finding down: it must not come back as new.
    old = repo / "svc" / "a.go"
    old.write_text(old.read_text().replace("package svc\n", "package svc\n\n// moved down\n\n"))
    full = _check(repo, "svc")
    assert full.returncode == 1 and full.stdout.count("GIM101 ") == 2, full.stdout + full.stderr
    new = _check(repo, "--new-from-rev", "HEAD", "svc")
    assert new.returncode == 1, new.stdout + new.stderr
    assert new.stdout.count("GIM101 ") == 1
    assert "svc/b.go" in new.stdout and "svc/a.go:" not in new.stdout


def test_unknown_revision_is_a_usage_error(repo):
    res = _check(repo, "--new-from-rev", "no-such-rev", ".")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.strip().count("\n") == 0


def test_outside_a_git_repository(tmp_path):
    (tmp_path / "x.go").write_text("package x\n")
    res = _check(tmp_path, "--new-from-rev", "HEAD", ".")
    assert res.returncode == 2 and "git" in res.stderr


def test_sharded_new_from_rev_merges_into_the_unsharded_report(repo):
    """Each shard compares with the whole old tree (whose packages may be split otherwise)."""
    (repo / "svc" / "b.go").write_text(LOOP.format(n="B"))
    (repo / "other").mkdir()
    (repo / "other" / "c.go").write_text(LOOP.format(n="C").replace("package svc", "package other"))
    single = _check(repo, "--new-from-rev", "HEAD", ".")
    assert single.returncode == 1, single.stderr
    shards = []
    for i in (1, 2):
        out = repo.parent / f"shard-{i}.json"
        r = _check(repo, "--new-from-rev", "HEAD", "--shard", f"{i}/2", "-o", str(out), ".")
        assert r.returncode == 0, r.stderr
        shards.append(str(out))
    merged = subprocess.run(
        [sys.executable, "-m", "golint_im.cli", "merge", *shards],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert (merged.returncode, merged.stdout) == (single.returncode, single.stdout), merged.stderr
