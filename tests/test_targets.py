"""Issue 14: the same answer from any directory, `check PATH` links its module,
Go path patterns.

A small repository whose deadlock in internal/ is only visible when cmd/
(the interface implementation that sends back) is linked too, with a config
file that excludes gen/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import gim, git_init

from golint_im.targets import in_report, resolve_targets, strip_go_pattern

HUB = """package hub

type Notifier interface {
	Notify(who string)
}

type Hub struct {
	joins  chan string
	leaves chan string
	n      Notifier
}

func New(n Notifier) *Hub {
	return &Hub{joins: make(chan string, 8), leaves: make(chan string, 8), n: n}
}

func (h *Hub) Leave(who string) { h.leaves <- who }

func (h *Hub) Join(who string) { h.joins <- who }

func (h *Hub) Run() {
	for {
		select {
		case who := <-h.joins:
			h.n.Notify(who)
		case who := <-h.leaves:
			_ = who
		}
	}
}
"""

MAIN = """package main

import "example.com/svc/internal/hub"

type kicker struct{ h *hub.Hub }

func (k *kicker) Notify(who string) { k.h.Leave(who) }

func main() {
	k := &kicker{}
	h := hub.New(k)
	k.h = h
	go h.Run()
	h.Join("a")
}
"""

LEAK = """package {pkg}

import "net/http"

func Fetch(u string) int {{
	resp, err := http.Get(u)
	if err != nil {{
		return 0
	}}
	return resp.StatusCode
}}
"""


@pytest.fixture
def repo(tmp_path) -> Path:
    root = git_init(tmp_path / "repo")
    (root / "go.mod").write_text("module example.com/svc\n\ngo 1.21\n")
    for rel, text in {
        "internal/hub/hub.go": HUB,
        "cmd/app/main.go": MAIN,
        "gen/gen.go": LEAK.format(pkg="gen"),
        "internal/fetch.go": LEAK.format(pkg="internal"),
        "pkg/util/fetch.go": LEAK.format(pkg="util"),
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / ".golint-im.toml").write_text('exclude = ["gen"]\n')
    return root


def _rules(stdout: str) -> list[tuple[str, str]]:
    return [
        (line.split(":")[0], line.split(" ")[1])
        for line in stdout.splitlines()
        if line and not line.startswith(" ") and ": GIM" in line
    ]


def test_same_findings_paths_and_sarif_from_any_directory(repo, tmp_path):
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}  # never beside "/"
    runs = {
        "root": gim("check", "--format", "sarif", cwd=repo, env=cache),
        "parent": gim("check", "repo", "--format", "sarif", cwd=tmp_path, env=cache),
        "slash": gim("check", str(repo).lstrip("/"), "--format", "sarif", cwd="/", env=cache),
        "subdir": gim("check", "../..", "--format", "sarif", cwd=repo / "internal" / "hub", env=cache),
    }
    for name, r in runs.items():
        assert r.returncode == 1, (name, r.stderr)
    for name, r in runs.items():
        assert r.stdout == runs["root"].stdout, name  # byte-identical SARIF
    results = json.loads(runs["root"].stdout)["runs"][0]["results"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert uris == ["internal/fetch.go", "internal/hub/hub.go", "pkg/util/fetch.go"]  # gen/ excluded
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in results} == {"%SRCROOT%"}
    text_root = gim("check", cwd=repo).stdout
    assert gim("check", str(repo), cwd="/", env=cache).stdout == text_root
    assert text_root.splitlines()[-1] == "3 findings (GIM101: 1, GIM203: 2); 4 files analysed"


def test_baseline_written_at_the_root_matches_from_elsewhere(repo, tmp_path):
    w = gim("check", "--write-baseline", "base.json", cwd=repo)
    assert w.returncode == 0 and w.stdout == ""
    assert w.stderr == "golint-im: wrote 3 findings to base.json\n"
    r = gim("check", "repo", "--baseline", "repo/base.json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert r.stdout == "no findings; 4 files analysed\n"


def test_check_path_links_the_module_and_reports_what_lies_in_path(repo, tmp_path):
    whole = _rules(gim("check", cwd=repo).stdout)
    inside = [f for f in whole if f[0].startswith("internal/")]
    assert ("internal/hub/hub.go", "GIM101") in inside  # needs cmd/app to be linked
    assert _rules(gim("check", "internal", cwd=repo).stdout) == inside
    assert _rules(gim("check", "repo/internal", cwd=tmp_path).stdout) == inside
    assert _rules(gim("check", "hub.go", cwd=repo / "internal" / "hub").stdout) == [("internal/hub/hub.go", "GIM101")]


@pytest.mark.parametrize("args,cwd", [((), "."), (("./...",), "."), (("...",), "."), (("repo/...",), "..")])
def test_go_patterns(repo, args, cwd):
    r = gim("check", *args, cwd=(repo / cwd).resolve())
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines()[-1] == "3 findings (GIM101: 1, GIM203: 2); 4 files analysed"
    sub = gim("check", "internal/...", cwd=repo)
    assert [f[0] for f in _rules(sub.stdout)] == ["internal/fetch.go", "internal/hub/hub.go"]


def test_strip_go_pattern():
    assert strip_go_pattern("./...") == "."
    assert strip_go_pattern("...") == "."
    assert strip_go_pattern("pkg/...") == "pkg"
    assert strip_go_pattern("/...") == "/"
    assert strip_go_pattern("pkg/a...b") == "pkg/a...b"
    assert strip_go_pattern("internal") == "internal"


def test_root_is_config_folder_else_git_root_else_analysed_root(tmp_path, monkeypatch):
    plain = tmp_path / "plain" / "svc"
    plain.mkdir(parents=True)
    (plain / "a.go").write_text("package a\n")
    monkeypatch.chdir(tmp_path)
    assert resolve_targets(["plain/svc"], None).root == plain  # no git, no config
    git_init(tmp_path / "plain")
    assert resolve_targets(["plain/svc"], None).root == tmp_path / "plain"
    assert resolve_targets(["plain/svc"], plain).root == plain  # the config's folder wins
    # A config folder that does not hold every analysed path is passed over.
    other = tmp_path / "other"
    other.mkdir()
    assert resolve_targets(["plain/svc", "other"], plain).root == tmp_path


def test_in_report():
    assert in_report("internal/a.go", ["internal"]) and in_report("a.go", None)
    assert not in_report("internals/a.go", ["internal"])
    assert in_report("internal/a.go", ["internal/a.go"])


def test_exclude_is_relative_to_the_config_folder_when_the_root_is_above_it(repo, tmp_path):
    (repo / ".golint-im.toml").unlink()
    svc = repo / "pkg"
    (svc / ".golint-im.toml").write_text('exclude = ["util/fetch.go"]\n')
    r = gim("check", "--config", "pkg/.golint-im.toml", ".", cwd=repo)
    paths = [f[0] for f in _rules(r.stdout)]
    assert "pkg/util/fetch.go" not in paths and "gen/gen.go" in paths


def test_rebased_excludes_keep_their_meaning():
    from golint_im.cli import _rebase_excludes
    from golint_im.config import Config

    config = Config(exclude=["./util/fetch.go", "*.pb.go", ".hidden/x", "gen/"], root=Path("/r/pkg"))
    assert _rebase_excludes(config, Path("/r")).exclude == ["pkg/util/fetch.go", "*.pb.go", "pkg/.hidden/x", "gen/"]
    assert _rebase_excludes(config, Path("/r/pkg")) is config
