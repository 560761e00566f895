"""The pre-commit hook, for real: `pre-commit try-repo` against this checkout.

pre-commit builds the hook's own virtualenv and installs golint-im into it
from the package registry, so this needs the registry (marked `network`;
deselect with `-m "not network"` when offline). CI runs it.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BUGGY = """package main

type Hub struct {
	joins  chan string
	leaves chan string
}

func (h *Hub) Leave(who string) { h.leaves <- who }

func (h *Hub) loop() {
	for {
		select {
		case who := <-h.joins:
			h.Leave(who)
		case who := <-h.leaves:
			_ = who
		}
	}
}

func main() {
	h := &Hub{joins: make(chan string, 8), leaves: make(chan string, 8)}
	go h.loop()
	h.joins <- "a"
}
"""

FIXED = BUGGY.replace("\t\t\th.Leave(who)\n", "\t\t\tgo h.Leave(who)\n")


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def _try_repo(project: Path, home: Path):
    exe = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([exe, "try-repo", str(ROOT), "golint-im", "--all-files"], cwd=project,
                          capture_output=True, text=True, env=env, timeout=900)


@pytest.mark.network
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="try-repo needs this checkout to be a git repository")
def test_hook_fails_on_bug_and_passes_when_fixed(tmp_path):
    if shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists():
        pytest.skip("pre-commit is not installed")
    project = tmp_path / "service"
    project.mkdir()
    (project / "go.mod").write_text("module example.com/service\n\ngo 1.21\n")
    (project / "main.go").write_text(BUGGY)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "buggy")
    home = tmp_path / "pre-commit-home"

    bad = _try_repo(project, home)
    if bad.returncode != 0 and "GIM101" not in bad.stdout and "Could not" in (bad.stdout + bad.stderr):
        pytest.skip("the hook environment could not be installed (offline?)")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "GIM101" in bad.stdout

    (project / "main.go").write_text(FIXED)
    _git(project, "commit", "-qam", "fixed")
    good = _try_repo(project, home)
    assert good.returncode == 0, good.stdout + good.stderr
