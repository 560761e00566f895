"""The pre-commit hook, for real: `pre-commit try-repo` against this checkout.

pre-commit builds the hook's own virtualenv and installs golint-im into it
from the package registry, so this needs the registry (marked `network`;
deselect with `-m "not network"` when offline). CI runs it.
"""

import json
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
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        },
    )


def _try_repo(project: Path, home: Path):
    exe = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [exe, "try-repo", str(ROOT), "golint-im", "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


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


# -- the hook definition, run by the real pre-commit client (issue 14) ----------
#
# These use this checkout's .pre-commit-hooks.yaml entry as a `repo: local`
# hook (language: system, this Python), so pre-commit needs no registry:
# file selection, exclude, batching and args are pre-commit's own.


def _hook_definition() -> dict:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return hook


def _local_config(project: Path, args: list[str]) -> None:
    import yaml

    hook = _hook_definition()
    local = {k: v for k, v in hook.items() if k not in ("language", "entry", "minimum_pre_commit_version")}
    local.update(language="system", entry=f"{sys.executable} -m golint_im.cli pre-commit", args=args)
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))


def _run_hook(project: Path, tmp_path: Path, *extra: str):
    exe = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pc-home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [exe, "run", "--verbose", "--color", "never", *extra],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


LEAK = """package {pkg}

import "net/http"

func Fetch{n}(u string) int {{
	resp, err := http.Get(u)
	if err != nil {{
		return 0
	}}
	return resp.StatusCode
}}
"""


def _legacy_project(tmp_path: Path) -> Path:
    project = tmp_path / "legacy"
    (project / "old").mkdir(parents=True)
    (project / "go.mod").write_text("module example.com/legacy\n\ngo 1.21\n")
    (project / "old" / "old.go").write_text(LEAK.format(pkg="old", n=1))
    _git(project, "init", "-q")
    return project


needs_pre_commit = pytest.mark.skipif(
    shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists(),
    reason="pre-commit is not installed",
)


@pytest.mark.slow
@needs_pre_commit
@pytest.mark.parametrize("how", ["args", "config"])
def test_hook_adopts_a_legacy_repo_with_a_baseline(tmp_path, how):
    project = _legacy_project(tmp_path)
    from test_cli import gim

    written = gim(
        "check",
        "--write-baseline",
        ".golint-im-baseline.json",
        cwd=project,
        env={"XDG_CACHE_HOME": str(tmp_path / "xdg")},
    )
    assert written.returncode == 0, written.stderr
    if how == "args":
        _local_config(project, ["--baseline", ".golint-im-baseline.json"])
    else:
        (project / ".golint-im.toml").write_text('baseline = ".golint-im-baseline.json"\n')
        _local_config(project, [])
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "legacy code with a known finding")
    old = _run_hook(project, tmp_path, "--all-files")
    assert old.returncode == 0, old.stdout + old.stderr  # the known finding is not shown

    (project / "old" / "new.go").write_text(LEAK.format(pkg="old", n=2))
    _git(project, "add", "old/new.go")
    new = _run_hook(project, tmp_path)  # the staged files, as on `git commit`
    assert new.returncode == 1, new.stdout + new.stderr
    assert "old/new.go:6:15: GIM203" in new.stdout and "old/old.go" not in new.stdout


@pytest.mark.slow
@needs_pre_commit
def test_hook_new_from_rev_reports_only_what_the_branch_adds(tmp_path):
    project = _legacy_project(tmp_path)
    _local_config(project, ["--new-from-rev", "HEAD"])
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "legacy")
    assert _run_hook(project, tmp_path, "--all-files").returncode == 0
    (project / "old" / "new.go").write_text(LEAK.format(pkg="old", n=2))
    _git(project, "add", "old/new.go")
    new = _run_hook(project, tmp_path)
    assert new.returncode == 1 and "old/new.go:6:15: GIM203" in new.stdout
    assert "old/old.go" not in new.stdout


@pytest.mark.slow
@needs_pre_commit
def test_all_files_is_analysed_once_despite_the_batch_split(tmp_path):
    """pre-commit splits a long file list into batches even with require_serial:
    the first batch analyses, the others reuse its stored result; findings are
    shown once, batches with nothing to report print nothing; vendor/ and
    generated files are not even passed; the hook writes the shared cache."""
    project = tmp_path / "big"
    project.mkdir()
    (project / "go.mod").write_text("module example.com/big\n\ngo 1.21\n")
    for d in range(5):  # 750 paths of ~210 characters: more than one 128 KiB command line
        sub = project / (f"d{d}" + "x" * 200)
        sub.mkdir()
        for i in range(150):
            (sub / f"f{i}.go").write_text(f"package d{d}\n\nfunc F{i}() int {{ return {i} }}\n")
    (project / "d0" / "leak.go").parent.mkdir()
    (project / "d0" / "leak.go").write_text(LEAK.format(pkg="d0", n=1))
    (project / "vendor" / "dep").mkdir(parents=True)
    (project / "vendor" / "dep" / "dep.go").write_text(LEAK.format(pkg="dep", n=1))
    (project / "api.pb.go").write_text(LEAK.format(pkg="big", n=9))
    _local_config(project, ["--debug"])
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "big")

    r = _run_hook(project, tmp_path, "--all-files")
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    debug = [
        json.loads(line.split("golint-im: debug: ", 1)[1]) for line in out.splitlines() if "golint-im: debug: " in line
    ]
    assert len(debug) >= 2  # pre-commit did split the list
    assert [d["result_reused"] for d in debug].count(False) == 1
    assert out.count("d0/leak.go:6:15: GIM203") == 1
    assert "vendor/" not in out and "api.pb.go" not in out
    assert "no findings" not in out
    assert any((tmp_path / "xdg" / "golint-im").rglob("*")), "the hook should use the shared cache"
