"""Whole-run result reuse (reuse.py): answered from the store exactly when the
facts, options, configuration and golint-im's code are those of a stored run,
and never different from a run that analyses everything again.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from golint_im import __version__, reuse
from golint_im.config import Config
from golint_im.engine import Options, analyse
from golint_im.registry import all_rule_infos
from golint_im.report import render

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("deadlock", "socket-leak"):
        shutil.copytree(EXAMPLES / name, tmp_path / "tree" / name)
    return tmp_path / "tree"


def run(options: Options):
    result, ctx = analyse(options)
    return render("sarif", result, all_rule_infos(), tool_version=__version__), result, ctx


def fresh(options: Options) -> str:
    return run(replace(options, cache_dir=None))[0]


@pytest.fixture
def opts(tree, tmp_path):
    return Options(paths=[str(tree)], jobs=1, cache_dir=tmp_path / "cache")


def go_files(tree: Path) -> list[Path]:
    return sorted(tree.rglob("*.go"))


def test_second_run_is_reused_and_identical(opts):
    cold, first, ctx = run(opts)
    assert not first.debug["result_reused"] and ctx is not None
    warm, second, ctx = run(opts)
    assert second.debug["result_reused"] and ctx is None
    assert warm == cold == fresh(opts)
    assert second.debug["files_parsed"] == 0
    assert [str(n) for n in second.notices] == [str(n) for n in first.notices]


def test_comment_at_the_end_keeps_the_facts_and_the_result(opts, tree):
    cold, _, _ = run(opts)
    with go_files(tree)[0].open("a") as fh:
        fh.write("\n// a comment that moves no line of code\n")
    touched, result, _ = run(opts)
    assert result.debug["files_parsed"] == 1 and result.debug["result_reused"]
    assert touched == cold == fresh(opts)


def test_code_change_is_analysed_again(opts, tree):
    cold, first, _ = run(opts)
    assert first.findings
    target = next(p for p in go_files(tree) if "deadlock" in str(p) and "func " in p.read_text())
    text = target.read_text()
    # Move every line down by one: same code, new positions, so the facts differ.
    target.write_text("// shifted\n" + text)
    shifted, result, _ = run(opts)
    assert not result.debug["result_reused"]
    assert shifted != cold and shifted == fresh(opts)
    target.write_text(text)
    back, result, _ = run(opts)
    assert result.debug["result_reused"] and back == cold  # the earlier result is still stored


def test_new_file_is_analysed_again(opts, tree):
    run(opts)
    (tree / "deadlock" / "extra.go").write_text("package main\n\nfunc extra() {}\n")
    _, result, _ = run(opts)
    assert not result.debug["result_reused"]


@pytest.mark.parametrize("change", ["rules", "severity", "exclude", "include_generated"])
def test_options_are_part_of_the_key(opts, tree, change):
    run(opts)
    if change == "rules":
        other = replace(opts, rules={"GIM101"})
    elif change == "severity":
        other = replace(opts, config=Config(severity={"GIM101": "error"}))
    elif change == "exclude":
        other = replace(opts, config=Config(exclude=["socket-leak/**"]))
    else:
        other = replace(opts, include_generated=True)
    out, result, _ = run(other)
    assert not result.debug["result_reused"]
    assert out == fresh(other)


def test_go_mod_is_part_of_the_key(opts, tree):
    """A renamed module changes every import path, with every file's facts equal."""
    run(opts)
    gomod = next(tree.rglob("go.mod"))
    gomod.write_text(gomod.read_text().replace("module ", "module renamed.example/", 1))
    out, result, _ = run(opts)
    assert not result.debug["result_reused"]
    assert out == fresh(opts)


def test_golint_im_code_is_part_of_the_key(opts, monkeypatch):
    run(opts)
    monkeypatch.setattr(reuse, "code_digest", lambda: "a rule was edited")
    _, result, _ = run(opts)
    assert not result.debug["result_reused"]


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_result_is_a_miss(opts, tmp_path, damage):
    cold, _, _ = run(opts)
    (stored,) = sorted((tmp_path / "cache").rglob("runs/*.result"))
    blob = bytearray(stored.read_bytes())
    if damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "flip":
        blob[-3] ^= 0x10
    else:
        blob = bytearray()
    stored.write_bytes(bytes(blob))
    again, result, _ = run(opts)
    assert not result.debug["result_reused"] and again == cold


@pytest.mark.parametrize(
    "record",
    [
        {"a": 1},
        ([("GIM101",)], [], 1, [], {}),
        ([], [("p", 1, "m")], 1, [], {}),
        ([], [], "1", [], {}),
        ([], [], 1, [], []),
    ],
)
def test_wrong_typed_result_is_a_miss(opts, tmp_path, record):
    """Issue 17: a result whose MAC verifies but whose fields have the wrong types is a miss, not a crash."""
    import marshal

    from golint_im.cache import seal

    cold, _, _ = run(opts)
    (stored,) = sorted((tmp_path / "cache").rglob("runs/*.result"))
    key = (stored.parents[2] / "key").read_bytes()
    payload = marshal.dumps(record)
    stored.write_bytes(seal(key, payload) + payload)
    again, result, _ = run(opts)
    assert not result.debug["result_reused"] and again == cold


def test_duplicate_files_reuse_from_the_first_warm_run(opts, tree):
    """Two paths with equal content: the cold run's digests must equal the warm run's."""
    src = go_files(tree)[0]
    shutil.copy(src, src.with_name("copy_" + src.name))
    run(replace(opts, jobs=2))
    _, result, _ = run(opts)
    assert result.debug["result_reused"]


def test_no_cache_never_reuses(opts):
    no_cache = replace(opts, cache_dir=None)
    run(no_cache)
    _, result, _ = run(no_cache)
    assert not result.debug["result_reused"]


def test_broken_file_notices_survive_reuse(opts, tree):
    (tree / "deadlock" / "broken.go").write_bytes(b"package main\n\nfunc broken( {\n")
    (tree / "deadlock" / "latin1.go").write_bytes(b"package main\n// caf\xe9\n")
    _, first, _ = run(opts)
    _, second, _ = run(opts)
    assert second.debug["result_reused"]
    assert [str(n) for n in second.notices] == [str(n) for n in first.notices]
    assert any("syntax error" in str(n) for n in second.notices)
    assert any("UTF-8" in str(n) for n in second.notices)


def test_old_results_are_pruned(opts, tree, monkeypatch):
    monkeypatch.setattr(reuse, "KEEP_RESULTS", 2)
    target = go_files(tree)[0]
    text = target.read_text()
    for i in range(4):
        target.write_text(f"// version {i}\n" * (i + 1) + text)
        run(opts)
    assert len(list(Path(opts.cache_dir).rglob("runs/*.result"))) == 2


def test_a_stored_result_keeps_what_the_notices_are_about():
    """A reused run must still sum up the files using newer syntax in one line, as the run that stored it did."""
    from golint_im.findings import Notice, RunResult
    from golint_im.reuse import decode_result, encode_result

    notice = Notice("a.go", "uses new(expr), syntax newer than the grammar", 3, "new(expr)")
    assert decode_result(encode_result(RunResult(notices=[notice]))).notices == [notice]
