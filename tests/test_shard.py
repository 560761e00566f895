"""`check --shard I/N` and `merge`: the merged report is the single run's, byte for byte.

Every format (text, JSON, SARIF, GitHub) is compared on the examples and the
fixtures for N = 1, 2, 3, in process (the shard file is still written and
read back); one run goes through the real command line. Shard files are
untrusted input to merge: every refusal is one line and exit 2.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from test_cli import gim  # the CLI as a user runs it; asserts no traceback

from golint_im import __version__
from golint_im.engine import Options, analyse
from golint_im.registry import all_rule_infos
from golint_im.report import FORMATS, render
from golint_im.shard import (
    MAX_SHARDS,
    Ownership,
    ShardError,
    assign_packages,
    merge_shards,
    parse_spec,
    read_shard,
    run_identity,
    shard_text,
)

ROOT = Path(__file__).resolve().parent.parent


def _render_all(result) -> dict[str, str]:
    infos = all_rule_infos()
    return {fmt: render(fmt, result, infos, tool_version=__version__) for fmt in FORMATS}


def _write_shards(tmp_path: Path, options: Options, count: int) -> list[str]:
    paths = []
    for index in range(1, count + 1):
        result, _ = analyse(replace(options, shard=(index, count)))
        ownership = Ownership.of((p for p, _ in result.tree), index, count)
        out = tmp_path / f"shard-{index}-of-{count}.json"
        out.write_text(shard_text(result, ownership, run_identity(result, options)), encoding="ascii")
        paths.append(str(out))
    return paths


@pytest.mark.parametrize("tree", ["examples", "fixtures"])
def test_merged_shards_render_exactly_like_a_single_run(tmp_path, tree):
    shutil.copytree(ROOT / tree, tmp_path / tree)  # a colleague editing fixtures mid-test cannot split the trees
    options = Options(paths=[str(tmp_path / tree)], base=str(tmp_path), cache_dir=tmp_path / "cache", jobs=1)
    single, _ = analyse(options)
    expected = _render_all(single)
    assert single.findings and '"results": [' in expected["sarif"]
    for count in (1, 2, 3):
        files = _write_shards(tmp_path, options, count)
        merged = merge_shards([read_shard(f) for f in reversed(files)])  # the order given does not matter
        assert [str(n) for n in merged.notices] == [str(n) for n in single.notices]
        got = _render_all(merged)
        for fmt in FORMATS:
            assert got[fmt] == expected[fmt], f"{fmt} differs for {count} shards of {tree}"


def test_split_is_balanced_deterministic_and_total():
    paths = [f"pkg{i % 7}/f{i}.go" for i in range(40)] + ["a.go", "b/c.go"]
    owner = assign_packages(paths, 3)
    assert owner == assign_packages(list(reversed(paths)), 3)  # a function of the set of files
    assert set(owner.values()) == {1, 2, 3}
    load = [sum(1 for p in paths if owner[p.rpartition("/")[0]] == s) for s in (1, 2, 3)]
    assert max(load) - min(load) <= 6  # no package is larger than 6 files
    for path in [*paths, "", "not/a/package/dir", "x\udcff/y.go"]:  # every path has exactly one owner
        assert sum(Ownership(i, 3, owner).owns(path) for i in (1, 2, 3)) == 1


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1/0", "a/b", "1", "1/3/4", f"1/{MAX_SHARDS + 1}", "-1/3", "1/\n3"])
def test_bad_shard_specs_are_refused(spec):
    with pytest.raises(ShardError) as e:
        parse_spec(spec)
    assert "\n" not in str(e.value)


def test_the_command_line_round_trip(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    single = gim("check", "examples", "--format", "sarif", cwd=tmp_path)
    assert single.returncode == 1
    for i in (1, 2):
        r = gim("check", "examples", "--shard", f"{i}/2", "-o", f"s{i}.json", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert f"shard {i}/2:" in r.stderr
    merged = gim("merge", "s2.json", "s1.json", "--format", "sarif", cwd=tmp_path)
    assert (merged.returncode, merged.stdout, merged.stderr) == (single.returncode, single.stdout, single.stderr)
    text = gim("merge", "s1.json", "s2.json", cwd=tmp_path)
    assert text.stdout == gim("check", "examples", cwd=tmp_path).stdout


def _one_line_refusal(r, *words):
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("golint-im: "), r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


@pytest.fixture
def shards(tmp_path):
    """Shards 1/2 and 2/2 of a small module, written by the command line."""
    shutil.copytree(ROOT / "examples" / "socket-leak", tmp_path / "m")
    for i in (1, 2):
        assert gim("check", "m", "--shard", f"{i}/2", "-o", f"s{i}.json", cwd=tmp_path).returncode == 0
    return tmp_path


def test_merge_refuses_a_missing_or_doubled_shard(shards):
    _one_line_refusal(gim("merge", "s1.json", cwd=shards), "2/2 missing")
    _one_line_refusal(gim("merge", "s1.json", "s1.json", "s2.json", cwd=shards), "given twice")


def test_merge_refuses_shards_of_another_tree_or_configuration(shards):
    go_file = next((shards / "m").rglob("*.go"))
    go_file.write_text(go_file.read_text() + "\n// edited\n")
    assert gim("check", "m", "--shard", "2/2", "-o", "edited.json", cwd=shards).returncode == 0
    _one_line_refusal(gim("merge", "s1.json", "edited.json", cwd=shards), "another tree", go_file.name)
    assert gim("check", "m", "--shard", "2/2", "--select", "GIM2", "-o", "sel.json", cwd=shards).returncode == 0
    _one_line_refusal(gim("merge", "s1.json", "sel.json", cwd=shards), "another configuration")
    assert gim("check", "m", "--shard", "2/3", "-o", "three.json", cwd=shards).returncode == 0
    _one_line_refusal(gim("merge", "s1.json", "three.json", cwd=shards), "does not belong")


def _tamper(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["findings"].append([999, [True]]),
        lambda d: d["findings"].append([999, ["GIM202", "m", ["a.go", True, 1, 0, 0], "error", [], [], "", ""]]),
        lambda d: d["findings"].append([999, ["GIM202", "m", ["a.go", 1, 1, 0, 0], "evil", [], [], "", ""]]),
        lambda d: d["findings"].append([999, ["\x1b[2J", "m", ["a.go", 1, 1, 0, 0], "error", [], [], "", ""]]),
        lambda d: d["findings"].append([999, ["GIM202", "m", ["a.go", 1.5, 1, 0, 0], "error", [], [], "", ""]]),
        lambda d: d["notices"].append([999, ["a.go", "m", -1, ""]]),
        lambda d: d.update(shard=[2, 1]),
        lambda d: d.update(shard="1/2"),
        lambda d: d.update(tree={"a": 1}),
        lambda d: d.update(files_analysed=False),
        lambda d: d.update(code_digest="\x1b[31m"),
        lambda d: d.update({"golint-im-shard": 99}),
        lambda d: d.update(findings=[[[[[[[[[[[]]]]]]]]]]]),
        lambda d: d.update(findings=None),
        lambda d: d.update(findings=[[2, ["GIM202"]], [1, ["GIM202"]]]),
    ],
)
def test_merge_refuses_malformed_shard_files(shards, change):
    _tamper(shards / "s1.json", change)
    r = gim("merge", "s1.json", "s2.json", cwd=shards)
    _one_line_refusal(r)
    assert "\x1b" not in r.stderr


def test_merge_refuses_what_is_not_a_shard_file(shards):
    (shards / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (shards / "bad.json").write_bytes(b"\xff\xfe{")
    (shards / "bad\nname.json").write_text("{}")
    for name in ("deep.json", "bad.json", "missing.json", "bad\nname.json"):
        _one_line_refusal(gim("merge", name, cwd=shards))
    r = gim("merge", "bad\nname.json", cwd=shards)
    assert "bad\\nname.json" in r.stderr


def test_shard_options_that_cannot_work_are_refused(shards):
    _one_line_refusal(gim("check", "m", "--shard", "1/2", "--format", "json", cwd=shards), "merge")
    _one_line_refusal(gim("check", "m", "--shard", "1/2", "--write-baseline", "b.json", cwd=shards), "without --shard")
    _one_line_refusal(gim("check", "m", "--shard", "3/2", cwd=shards), "1 <= I <= N")


def test_the_documented_matrix_workflow_shards_and_merges():
    import re

    import yaml

    text = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    workflow = next(b for b in blocks if isinstance(b, dict) and "shard" in b.get("jobs", {}))
    shard_job, merge_job = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    count = len(shard_job["strategy"]["matrix"]["shard"])
    runs = [s["run"] for s in shard_job["steps"] + merge_job["steps"] if "run" in s]
    assert any(f'--shard "$SHARD/{count}"' in r for r in runs)
    assert any("golint-im merge" in r for r in runs)
    assert merge_job["needs"] == "shard"
    for r in runs:  # values reach the shell through env:, never as ${{ }} inside a script
        assert "${{" not in r
