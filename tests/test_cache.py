"""Cache faults (issue 8): a truncated, corrupted, foreign or version-mismatched entry,
a read-only or unusable cache directory, two runs at once: results identical to
--no-cache, entries rebuilt, no crash.
"""

from __future__ import annotations

import errno
import marshal
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from golint_im import __version__, factcodec
from golint_im import cache as cache_mod
from golint_im.cache import FactsCache, content_key
from golint_im.engine import Options, analyse
from golint_im.registry import all_rule_infos
from golint_im.report import render
from golint_im.source import parse

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "fixtures" / "GIM101"


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.rglob("*.facts"))


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(TREE, tmp_path / "tree")
    return tmp_path / "tree"


def run(tree: Path, cache_dir: Path | None, jobs: int = 1):
    result, _ctx = analyse(Options(paths=[str(tree)], jobs=jobs, cache_dir=cache_dir))
    sarif = render("sarif", result, all_rule_infos(), tool_version=__version__)
    return sarif, result.debug


@pytest.fixture
def reference(tree):
    sarif, debug = run(tree, None)
    assert debug["files_cached"] == 0 and '"ruleId": "GIM101"' in sarif
    return sarif


# ---- the cache object -------------------------------------------------------


def sample_facts():
    return parse(b"package p\n\nfunc F(ch chan int) { ch <- 1 }\n", "p.go")


def test_round_trip(tmp_path):
    c = FactsCache(tmp_path)
    key = content_key(b"x")
    assert c.get(key) is None
    c.put(key, sample_facts())
    got = c.get(key)
    assert got.package == "p" and got.funcs[1].ops[0].kind == "send"
    assert not list(tmp_path.rglob(".tmp-*"))  # the rename happened


def test_round_trip_of_a_file_with_suppression_directives(tmp_path):
    """Directives record where the node below ends: an entry with one must load, not be
    dropped as unreadable (a parser process's file was then skipped, so --jobs changed findings)."""
    c = FactsCache(tmp_path)
    source = (
        b"package p\n\n//nolint:GIM101\nfunc F(ch chan int) {\n\tch <- 1\n}\n\n"
        b"func G() {} // golintim:ignore GIM202 why\n"
    )
    facts = parse(source, "p.go")
    assert facts.directives
    key = content_key(source)
    c.put(key, facts)
    assert c.get(key).directives == facts.directives


@pytest.mark.parametrize("damage", ["truncate", "truncate-to-mac", "empty", "flip-payload", "flip-mac", "garbage"])
def test_damaged_entry_is_a_miss(tmp_path, damage):
    c = FactsCache(tmp_path)
    key = content_key(b"y")
    c.put(key, sample_facts())
    (path,) = entries(tmp_path)
    blob = bytearray(path.read_bytes())
    if damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "truncate-to-mac":
        blob = blob[:20]
    elif damage == "empty":
        blob = bytearray()
    elif damage == "flip-payload":
        blob[-5] ^= 0xFF
    elif damage == "flip-mac":
        blob[3] ^= 0x01
    else:
        blob = bytearray(os.urandom(len(blob)))
    path.write_bytes(bytes(blob))
    assert FactsCache(tmp_path).get(key) is None


def test_entry_under_another_key_is_foreign(tmp_path):
    """An entry MAC'd with another cache dir's key (copied in, or planted) is ignored."""
    a, b = tmp_path / "a", tmp_path / "b"
    key = content_key(b"z")
    FactsCache(a).put(key, sample_facts())
    FactsCache(b)  # b gets a key of its own
    (src,) = entries(a)
    dst = b / src.relative_to(a)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst)
    assert FactsCache(b).get(key) is None
    assert FactsCache(a).get(key) is not None


def plant(c: FactsCache, key: str, payload: bytes) -> Path:
    """An entry whose MAC verifies: what a build with other facts, or anyone holding the key, could write."""
    path = c._path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cache_mod.seal(c.key, payload) + payload)
    return path


def test_valid_mac_but_not_facts_is_a_miss(tmp_path):
    """What an older build with the same version string could have left: rebuilt, not trusted."""
    c = FactsCache(tmp_path)
    key = content_key(b"w")
    assert c.put(key, {"not": "facts"}) is None  # only facts are stored
    half = cache_mod.FileFacts.__new__(cache_mod.FileFacts)  # a FileFacts missing its fields
    assert c.put(key, half) is None
    assert c.put(key, pickle) is None  # put() must not raise either
    assert c.get(key) is None
    for payload in (
        marshal.dumps({"not": "facts"}),
        marshal.dumps(("facts", "from", "an", "older", "layout")),
        pickle.dumps(sample_facts()),
        b"",
        b"\xff" * 9,
    ):
        plant(c, key, payload)
        assert c.get(key) is None


def _wrong_typed_entries():
    """Sound payloads of sample_facts() with one field of one record given a wrong type."""
    good = marshal.loads(factcodec.encode(sample_facts()))
    funcs = good[3]
    fn = list(funcs[-1])
    op = list(fn[10][0])
    region = list(fn[11][0])

    def but(index: int, value) -> tuple:
        """The good record with field `index` replaced."""
        return good[:index] + (value,) + good[index + 1 :]

    yield "file field", but(1, [])
    yield "import", but(1, {"x": 1})
    yield "short file", good[:-1]
    yield "func name", but(3, [tuple([5] + fn[1:])])
    yield "op line", but(3, [tuple(fn[:10] + [[tuple(op[:1] + ["line"] + op[2:])]] + fn[11:])])
    yield "region parent", but(3, [tuple(fn[:11] + [[tuple(region[:1] + [None] + region[2:])]] + fn[12:])])
    yield "error lines", but(6, ("1",))
    yield "directive", but(5, [(1, 2)])
    yield "newer syntax", but(9, (1,))
    yield "newer syntax line", but(9, (("new(expr)", "1"),))
    yield "made types", but(10, (1,))
    yield "conversion names", but(11, (None,))
    yield "unrun examples", but(12, (3,))


@pytest.mark.parametrize("what,record", list(_wrong_typed_entries()), ids=[w for w, _ in _wrong_typed_entries()])
def test_valid_mac_wrong_field_types_is_rebuilt(tree, tmp_path, reference, what, record):
    """Issue 17: a sound MAC over facts of the wrong shape is a miss, rebuilt on the next run, never a crash."""
    cache_dir = tmp_path / "cache"
    run(tree, cache_dir)
    c = FactsCache(cache_dir)
    files = entries(cache_dir)
    for path in files:
        plant(c, path.stem, marshal.dumps(record))
    damaged, debug = run(tree, cache_dir)
    assert damaged == reference and debug["files_cached"] == 0
    healed, debug = run(tree, cache_dir)
    assert healed == reference and debug["files_parsed"] == 0


def test_entries_never_unpickle(tmp_path, monkeypatch):
    """Issue 17: reading the cache cannot run code: no entry is ever given to pickle."""
    c = FactsCache(tmp_path)
    key = content_key(b"p")
    c.put(key, sample_facts())

    def refuse(*_a, **_k):
        raise AssertionError("the cache unpickled an entry")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    assert c.get(key).funcs[-1].name == "F"


def test_fifo_entry_and_key_do_not_hang(tmp_path):
    """Issue 17: a FIFO planted as an entry or as the key is a miss or a new key, not a read that never returns."""
    c = FactsCache(tmp_path)
    key = content_key(b"f")
    c.put(key, sample_facts())
    path = c._path(key)
    path.unlink()
    os.mkfifo(path)
    assert c.get(key) is None
    (tmp_path / "key").unlink()
    os.mkfifo(tmp_path / "key")
    c = FactsCache(tmp_path)  # the FIFO key is replaced by a real one
    assert c.dir is not None and len((tmp_path / "key").read_bytes()) == 32


def test_damaged_key_file_means_no_cache_not_a_crash(tmp_path):
    (tmp_path / "key").write_bytes(b"short")
    c = FactsCache(tmp_path)  # a short key is replaced
    c.put(content_key(b"k"), sample_facts())
    assert c.get(content_key(b"k")) is not None
    (tmp_path / "key").unlink()
    (tmp_path / "key").mkdir()  # unreadable as a file
    c = FactsCache(tmp_path)
    assert c.dir is None and c.get(content_key(b"k")) is None


# ---- whole runs over damaged caches ------------------------------------------


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "garbage", "empty"])
def test_run_over_a_damaged_cache_equals_no_cache(tree, tmp_path, reference, damage):
    cache_dir = tmp_path / "cache"
    cold, _ = run(tree, cache_dir)
    assert cold == reference
    files = entries(cache_dir)
    assert files
    for i, path in enumerate(files):
        blob = bytearray(path.read_bytes())
        if damage == "truncate":
            blob = blob[: max(1, len(blob) * i // len(files))]
        elif damage == "corrupt":
            blob[32 + (i * 7919) % (len(blob) - 32)] ^= 0x55
        elif damage == "garbage":
            blob = bytearray(os.urandom(64 + i))
        else:
            blob = bytearray()
        path.write_bytes(bytes(blob))
    damaged, debug = run(tree, cache_dir)
    assert damaged == reference
    assert debug["files_cached"] == 0  # every damaged entry was a miss...
    healed, debug = run(tree, cache_dir)
    assert healed == reference
    assert debug["files_parsed"] == 0  # ...and was rewritten whole


def test_version_mismatched_entries_are_not_used(tree, tmp_path, reference, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setattr(cache_mod, "CACHE_VERSION", "0.0.0-f0-old-grammar")
    old, _ = run(tree, cache_dir)
    assert old == reference
    # Plant the old entries under the current version too, written with another
    # facts layout: same MAC key, same content keys, different pickles.
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    current = cache_dir / cache_mod.CACHE_VERSION
    c = FactsCache(cache_dir)
    for path in entries(cache_dir / "0.0.0-f0-old-grammar"):
        plant(c, path.stem, marshal.dumps(("facts", "from", "an", "older", "layout")))
    assert entries(current)
    new, debug = run(tree, cache_dir)
    assert new == reference
    assert debug["files_cached"] == 0


def test_unusable_cache_dir_runs_without_cache(tree, tmp_path, reference):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache dir should be\n")
    out, debug = run(tree, blocker / "cache")
    assert out == reference and debug["files_cached"] == 0


def test_read_only_cache_dir(tree, tmp_path, reference, monkeypatch):
    """Reads still hit; writes fail quietly (EROFS simulated: root ignores chmod)."""
    cache_dir = tmp_path / "cache"
    run(tree, cache_dir)
    n = len(entries(cache_dir))

    def read_only(*_a, **_k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache_mod.tempfile, "mkstemp", read_only)
    warm, debug = run(tree, cache_dir, jobs=2)
    assert warm == reference and debug["files_parsed"] == 0
    (tree / "extra.go").write_text("package main\n\nfunc extra() {}\n")
    with_new_file, debug = run(tree, cache_dir, jobs=1)
    assert debug["files_parsed"] >= 1 and len(entries(cache_dir)) == n  # nothing written
    fresh, debug = run(tree, tmp_path / "fresh-cache", jobs=1)  # cannot even create the key
    assert fresh == with_new_file and debug["files_cached"] == 0


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into a 0555 directory anyway")
def test_read_only_cache_dir_chmod(tree, tmp_path, reference):
    cache_dir = tmp_path / "cache"
    run(tree, cache_dir)
    for d in [cache_dir, *[p for p in cache_dir.rglob("*") if p.is_dir()]]:
        d.chmod(0o555)
    try:
        (tree / "extra.go").write_text("package main\n")
        out, _ = run(tree, cache_dir, jobs=2)
    finally:
        for d in [cache_dir, *[p for p in cache_dir.rglob("*") if p.is_dir()]]:
            d.chmod(0o755)
    assert out == reference


def test_two_processes_at_once_on_one_fresh_cache_dir(tree, tmp_path, reference):
    cache_dir = tmp_path / "shared-cache"
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    cmd = [
        sys.executable,
        "-m",
        "golint_im.cli",
        "check",
        str(tree),
        "--format",
        "sarif",
        "--quiet",
        "--jobs",
        "2",
        "--cache-dir",
        str(cache_dir),
    ]
    procs = [
        subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    no_cache = subprocess.run(cmd[:-2] + ["--no-cache"], cwd=tmp_path, capture_output=True, env=env, timeout=300)
    for p, (out, err) in zip(procs, outs, strict=False):
        assert p.returncode == 1, err.decode()
        assert b"Traceback" not in err
        assert out == no_cache.stdout
    assert len((cache_dir / "key").read_bytes()) == 32
    assert not list(cache_dir.rglob(".tmp-*"))  # no temp file left behind
    # Both runs' entries verify under the one key: a third run parses nothing.
    warm = subprocess.run(cmd + ["--debug"], cwd=tmp_path, capture_output=True, env=env, timeout=300)
    assert warm.stdout == no_cache.stdout
    assert '"files_parsed": 0' in warm.stderr.decode()
