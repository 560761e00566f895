"""Issue 17: a hostile repository must not hang, blind or fool the check, or make it run code.

Every file name, file and config value in the analysed tree is the
attacker's. Device nodes and symlinks used here are made by the test in its
own temporary directory: never the machine's /dev (as root, writing over
them would replace them for every process on the machine).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_cli import _group_alive  # tests/ is on sys.path under pytest's default import mode

from golint_im import cli
from golint_im.analysis.flow import CHANNEL_FLOW
from golint_im.config import ConfigError, load_config, path_excluded
from golint_im.globs import MAX_PATTERN_CHARS, MAX_PATTERNS, GlobSet

ROOT = Path(__file__).resolve().parent.parent
DEADLOCK = ROOT / "examples" / "deadlock"
# A file name that forges two workflow commands, recolours a terminal and is not UTF-8.
HOSTILE = b"ma\xffin\x1b[31m\x1b]0;title\x07\n::error file=x.go,line=1::INJECTED\n::add-mask::SECRET\n\xe2\x80\xaez.go"


def gim(*args, cwd, env=None, **kw):
    """The real entry point in a subprocess; no run may show a traceback."""
    # The cache beside the tree, not in it: one inside an analysed root is refused.
    full_env = {**os.environ, "XDG_CACHE_HOME": str(Path(cwd).parent / f"{Path(cwd).name}.xdg-cache"), **(env or {})}
    r = subprocess.run(
        [sys.executable, "-m", "golint_im.cli", *args], cwd=cwd, capture_output=True, env=full_env, timeout=300, **kw
    )
    assert b"Traceback" not in r.stderr, r.stderr
    return r


def sh(script: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    """golint-im started by a shell ($0 is this Python), for what only a shell sets up: closed fds, a deleted cwd."""
    env = {**os.environ, "XDG_CACHE_HOME": str(Path(cwd).parent / "xdg"), "PYTHONPATH": str(ROOT)}
    return subprocess.run(["sh", "-c", script, sys.executable], cwd=cwd, env=env, timeout=120, **kw)


def deadlock_tree(tmp_path: Path) -> Path:
    """t/main.go: the self-requeue deadlock, one GIM101 finding."""
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "main.go").write_bytes((DEADLOCK / "main.go").read_bytes())
    return tree


def one_error_line(r) -> str:
    """The one-line promise: exit 2, exactly one line on stderr, nothing raw in it."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    err = r.stderr.decode("utf-8")
    assert err.count("\n") == 1 and err.endswith("\n") and err.startswith("golint-im: error: "), err
    assert not any(ord(c) < 0x20 for c in err[:-1]), err
    return err


@pytest.fixture
def hostile_tree(tmp_path) -> Path:
    """examples/deadlock with main.go renamed to HOSTILE, plus an unreadable-as-UTF-8 file of that name."""
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "go.mod").write_bytes((DEADLOCK / "go.mod").read_bytes())
    with open(os.path.join(os.fsencode(tree), HOSTILE), "wb") as fh:
        fh.write((DEADLOCK / "main.go").read_bytes())
    with open(os.path.join(os.fsencode(tree), b"bad" + HOSTILE), "wb") as fh:
        fh.write(b"package main\n\xff\xfe\n")  # not UTF-8: a notice that names the file on stderr
    return tree


# ---- 1. exclude globs ------------------------------------------------------------


def test_backtracking_exclude_glob_is_linear(tmp_path):
    """`**a**a...b` against a 40-character name: minutes as a regular expression, instant here."""
    pattern = "**a" * 12 + "**b"
    start = time.perf_counter()
    assert not path_excluded("a" * 40 + "/x.go", [pattern])
    assert not GlobSet(["**a" * 80 + "**b"]).matches("a" * 4000)
    assert time.perf_counter() - start < 2


def test_backtracking_exclude_in_a_config_does_not_hang_a_run(tmp_path):
    tree = tmp_path / "t"
    (tree / ("a" * 40)).mkdir(parents=True)
    (tree / ("a" * 40) / "x.go").write_text("package x\n")
    (tree / ".golint-im.toml").write_text('exclude = ["' + "**a" * 12 + '**b"]\n')
    start = time.perf_counter()
    r = gim("check", "t", cwd=tmp_path)
    assert r.returncode == 0 and time.perf_counter() - start < 60


@pytest.mark.parametrize(
    "exclude,why",
    [
        ('["[z-a].go"]', "bad character class"),
        ('["' + "x" * (MAX_PATTERN_CHARS + 1) + '"]', "longer than"),
        ("[" + ", ".join(f'"p{i}"' for i in range(MAX_PATTERNS + 1)) + "]", "too many patterns"),
    ],
)
def test_unusable_exclude_is_a_config_error(tmp_path, exclude, why):
    cfg = tmp_path / ".golint-im.toml"
    cfg.write_text(f"exclude = {exclude}\n")
    with pytest.raises(ConfigError, match=why):
        load_config(cfg, {"GIM101"})
    (tmp_path / "x.go").write_text("package x\n")
    assert why in one_error_line(gim("check", ".", cwd=tmp_path))


@pytest.mark.parametrize(
    "pattern,path,expected",
    [
        ("**/mocks/**", "a/mocks/b.go", True),
        ("*.pb.go", "x/y/z.pb.go", True),
        ("internal/gen", "internal/gen/a.go", True),
        ("vendor/**", "vendor/a/b.go", True),
        ("a/*/c.go", "a/b/x/c.go", False),
        ("a/**/c.go", "a/c.go", True),
        ("?.go", "dir/x.go", True),
        ("[!a]*.go", "b.go", True),
        ("[!a]*.go", "a.go", False),
        ("*.go", "a\nb.go", True),
        ("a**b", "a/x/b", True),
        ("**/", "x.go", True),
    ],
)
def test_glob_semantics(pattern, path, expected):
    assert GlobSet([pattern]).matches(path) is expected


# ---- 2 and 5. file names in every output --------------------------------------------


def _no_raw_controls(text: str) -> None:
    for ch in text:
        assert ch in "\n" or not (
            ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\u202e\u2028\u2029"
        ), repr(ch)


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
def test_hostile_file_name_in_every_format(hostile_tree, fmt):
    """Found, escaped, and UTF-8: no forged workflow command, no terminal escape, no UnicodeEncodeError.

    No git and no config: paths are relative to the analysed folder `t`.
    """
    r = gim("check", "t", "--format", fmt, "--no-cache", cwd=hostile_tree.parent)
    assert r.returncode == 1, r.stderr
    out, err = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")  # strict: both are valid UTF-8
    _no_raw_controls(out)
    _no_raw_controls(err)
    for line in err.splitlines():
        assert line.startswith("golint-im: bad"), line  # the notice is one line, escaped
    assert "not valid UTF-8" in err
    if fmt == "github":
        lines = out.splitlines()
        assert len(lines) == 2 and all(line.startswith(("::error file=ma", "::warning file=bad")) for line in lines)
        assert "INJECTED" in lines[0] and not any(
            line.startswith(("::add-mask", "::error file=x.go")) for line in lines
        )
    elif fmt == "text":
        assert "GIM101" in out and "\\n::error" in out and "\\x1b[31m" in out and "\\xff" in out
    else:
        doc = json.loads(out)
        text = json.dumps(doc)
        assert "GIM101" in text
        if fmt == "sarif":
            uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert uri.startswith("ma%FFin%1B%5B31m") and "\n" not in uri
        else:
            assert doc["findings"][0]["location"]["path"] == os.fsdecode(HOSTILE)  # lossless


def test_hostile_file_name_in_stderr_quiet_is_silent(hostile_tree):
    r = gim("check", "t", "--quiet", "--no-cache", cwd=hostile_tree.parent)
    assert r.returncode == 1 and r.stderr == b""


def test_hostile_names_in_the_graph(tmp_path):
    """DOT: a newline in a name must not end a comment or a quoted string and start a statement."""
    from golint_im.engine import Options, analyse
    from golint_im.graph_export import to_dot, to_json

    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "go.mod").write_text("module example.com/x\n")
    name = "m\n}\ndigraph evil { a -> b }\n//.go"
    with open(os.path.join(os.fsencode(tree), os.fsencode(name).replace(b"/", b"_")), "wb") as fh:
        fh.write((DEADLOCK / "main.go").read_bytes())
    _result, ctx = analyse(Options(paths=[str(tree)], rules=set(), jobs=1, reuse=False))
    dot = to_dot(ctx.result(CHANNEL_FLOW))
    lines = dot.splitlines()
    assert lines[0] == "digraph channel_flow {" and lines[-1] == "}"
    assert all(line.startswith(("  ", "digraph", "}")) for line in lines)
    assert sum(line == "}" for line in lines) == 1 and "digraph evil" not in "\n".join(lines[1:-1]).replace(
        "\\ndigraph evil", ""
    )
    json.loads(to_json(ctx.result(CHANNEL_FLOW)))


def test_hostile_lock_node_in_the_graph():
    """A lock node and a finding node named from the code: a newline or quote stays inside its string."""
    import networkx as nx

    from golint_im.findings import Finding, Location
    from golint_im.graph_export import Mark, marked_graph, to_dot, to_json
    from golint_im.graph_html import render_svg

    evil = 'mu"]\n}\ndigraph evil { a -> b }\n//'
    flow = SimpleNamespace(graph=nx.MultiDiGraph(), loop_receives=list)
    finding = Finding("GIM104", "double lock", Location(f"{evil}.go", 3, 1))
    mark = Mark(finding, ("goroutine main.main",), (), (("goroutine main.main", f"lock {evil}", "waits", "main.f", 3),))
    dot = to_dot(flow, marks=[mark])
    lines = dot.splitlines()
    assert lines[0] == "digraph channel_flow {" and lines[-1] == "}"
    assert all(line.startswith(("  ", "digraph", "}")) for line in lines)
    assert sum(line == "}" for line in lines) == 1 and "\ndigraph evil" not in dot
    assert '"lock mu\\"]\\n}\\ndigraph evil { a -> b }\\n//" [shape=octagon' in dot
    doc = json.loads(to_json(flow, marks=[mark]))
    assert f"lock {evil}" in {n["id"] for n in doc["nodes"]} and doc["marks"][0]["locks"][0]["kind"] == "waits"
    svg = render_svg(marked_graph(flow, [mark]), [], [mark])
    assert 'mu"]' not in svg and "mu&quot;]" in svg


def test_escape_helpers():
    from golint_im.escape import json_safe, printable

    assert printable("a\nb\x1b[2J\x9b\u202e\udcff") == "a\\nb\\x1b[2J\\x9b\\u202e\\xff"
    assert printable("plain ünïcode") == "plain ünïcode"
    raw = json.dumps({"p": "\x9b\u2028\udcff"}, ensure_ascii=False)
    assert json.loads(json_safe(raw)) == {"p": "\x9b\u2028\udcff"} and json_safe(raw).isascii()


def test_notices_and_errors_are_escaped(tmp_path):
    """A config value quoted in an error cannot start a second line."""
    (tmp_path / ".golint-im.toml").write_text('select = ["GIM1\\n::error file=a.go::X"]\n')
    (tmp_path / "x.go").write_text("package x\n")
    err = one_error_line(gim("check", ".", cwd=tmp_path))
    assert "\\n::error" in err


# ---- 3. cache ------------------------------------------------------------------------


def test_cache_dir_inside_an_analysed_root_is_refused(tmp_path):
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "x.go").write_text("package x\n")
    err = one_error_line(gim("check", "t", "--cache-dir", "t/.cache", cwd=tmp_path))
    assert "inside the analysed tree" in err
    assert not (tree / ".cache").exists()
    err = one_error_line(gim("check", "t", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tree / "c")}))
    assert "inside the analysed tree" in err


def test_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    from golint_im.cache import default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", ".cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "golint-im"


def test_planted_pickle_never_runs(tmp_path):
    """The attack of the issue: a key and a crafted entry, sealed with it; nothing may run."""
    import pickle

    from golint_im.cache import CACHE_VERSION, content_key, seal

    tree = tmp_path / "t"
    tree.mkdir()
    src = (DEADLOCK / "main.go").read_bytes()
    (tree / "main.go").write_bytes(src)
    cache = tmp_path / "cache"
    key = b"k" * 32
    marker = tmp_path / "pwned"

    class Boom:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Boom())
    entry = cache / CACHE_VERSION / content_key(src)[:2]
    entry.mkdir(parents=True)
    (cache / "key").write_bytes(key)
    for suffix in (".facts", ".pkl"):
        (entry / (content_key(src) + suffix)).write_bytes(seal(key, payload) + payload)
    r = gim("check", "t", "--cache-dir", str(cache), cwd=tmp_path)
    assert r.returncode == 1 and not marker.exists()


# ---- 4. outputs ----------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_output_over_an_analysed_source_is_refused(tmp_path, option):
    main = deadlock_tree(tmp_path) / "main.go"
    before = main.read_bytes()
    assert "Go source" in one_error_line(gim("check", "t", option, "t/main.go", cwd=tmp_path))
    link = tmp_path / "report.sarif"
    link.symlink_to(main)
    assert "Go source" in one_error_line(gim("check", "t", option, str(link), cwd=tmp_path))
    assert main.read_bytes() == before and link.is_symlink()


def test_output_through_a_symlink_keeps_the_link(tmp_path):
    deadlock_tree(tmp_path)
    real = tmp_path / "reports" / "r.json"
    real.parent.mkdir()
    link = tmp_path / "r.json"
    link.symlink_to(real)
    r = gim("check", "t", "--format", "json", "-o", str(link), cwd=tmp_path)
    assert r.returncode == 1 and link.is_symlink() and json.loads(real.read_text())["findings"]


def test_symlink_in_the_tree_pointing_out_is_refused(tmp_path):
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "x.go").write_text("package x\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tree / "report.txt").symlink_to(victim)
    assert "symlink" in one_error_line(gim("check", "t", "-o", "t/report.txt", cwd=tmp_path))
    assert victim.read_text() == "keep me\n"


def test_output_into_a_fifo_is_written_not_replaced(tmp_path):
    deadlock_tree(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = gim("check", "t", "-o", str(fifo), cwd=tmp_path)
    reader.join(30)
    assert r.returncode == 1 and stat.S_ISFIFO(fifo.stat().st_mode)
    assert b"GIM101" in got[0]


def test_output_through_a_link_to_our_stdout(tmp_path):
    """What `-o /dev/stdout` does, through a link made here to /proc/self/fd/1 (not the machine's /dev)."""
    deadlock_tree(tmp_path)
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    r = gim("check", "t", "-o", str(link), cwd=tmp_path)
    assert r.returncode == 1 and b"GIM101" in r.stdout and link.is_symlink()
    with open(tmp_path / "captured", "wb") as fh:  # stdout redirected to a file, as `> captured` does
        r = subprocess.run(
            [sys.executable, "-m", "golint_im.cli", "check", "t", "-o", str(link)],
            cwd=tmp_path,
            stdout=fh,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path.parent / "xdg")},
        )
    assert r.returncode == 1 and b"GIM101" in (tmp_path / "captured").read_bytes() and link.is_symlink()


def test_output_onto_a_device_node_is_written_not_replaced(tmp_path):
    """A character device made here (major 1, minor 3: what /dev/null is), never the machine's own."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    deadlock_tree(tmp_path)
    r = gim("check", "t", "-o", str(node), cwd=tmp_path)
    # Written (exit 1) or, on a nodev mount, refused in one line: never replaced by a regular file.
    assert r.returncode in (1, 2) and stat.S_ISCHR(node.lstat().st_mode)
    if r.returncode == 2:
        one_error_line(r)


# ---- 8. unreadable directories -------------------------------------------------------


def test_unreadable_directory_is_reported(tmp_path, monkeypatch):
    """As a non-root user a chmod 000 directory cannot be listed; simulated, since root reads anything."""
    from golint_im.discover import discover

    tree = tmp_path / "t"
    (tree / "locked").mkdir(parents=True)
    (tree / "locked" / "a.go").write_text("package a\n")
    (tree / "b.go").write_text("package b\n")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([str(tree)], base=str(tmp_path))
    assert [f.rel_path for f in found.files] == ["t/b.go"]
    assert [str(n) for n in found.notices] == [
        "t/locked: cannot read directory: Permission denied; its files are not analysed"
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 directory")
def test_unreadable_directory_is_reported_for_real(tmp_path):
    tree = tmp_path / "t"
    (tree / "locked").mkdir(parents=True)
    (tree / "locked" / "a.go").write_text("package a\n")
    (tree / "locked").chmod(0)
    try:
        r = gim("check", "t", cwd=tmp_path)
    finally:
        (tree / "locked").chmod(0o755)
    assert b"t/locked: cannot read directory" in r.stderr


# ---- 13. special files ---------------------------------------------------------------


def test_fifo_swapped_in_after_discovery_does_not_hang(tmp_path):
    from golint_im.collect import _read
    from golint_im.discover import SourceFile

    fifo = tmp_path / "x.go"
    os.mkfifo(fifo)
    f = SourceFile(str(fifo), "x.go", "", "", "", False)
    assert _read(f) == (None, "not a regular file; skipped")


def test_fifo_as_baseline_or_config_does_not_hang(tmp_path):
    (tmp_path / "x.go").write_text("package x\n")
    os.mkfifo(tmp_path / "baseline.json")
    os.mkfifo(tmp_path / "cfg.toml")
    assert "not a regular file" in one_error_line(gim("check", ".", "--baseline", "baseline.json", cwd=tmp_path))
    assert "not a regular file" in one_error_line(gim("check", ".", "--config", "cfg.toml", cwd=tmp_path))


# ---- 11. SIGTERM during the rule phase -------------------------------------------------

_LANES_SCRIPT = """
import os, signal, sys, time
from golint_im import console, parallel
signal.signal(signal.SIGTERM, console.on_sigterm)
def lane(n):
    if n:
        time.sleep(120)  # a child's rules, still running
    print("ready", flush=True)
    time.sleep(120)
try:
    parallel.run_lanes([0, 1, 2], lane)
except console.Terminated:
    sys.exit(143)
"""


def test_sigterm_in_the_rule_phase_ends_the_forked_lanes(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", _LANES_SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, start_new_session=True
    )
    assert proc.stdout.readline() == b"ready\n"
    children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    assert len(children) == 2
    # Let the parent get from its `print` into its lane's sleep: a SIGTERM raised inside the flush of
    # stdout is the interpreter's business, not the lanes' (a CI run once hung there for 30 s).
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 143
    time.sleep(0.2)
    assert not [
        pid
        for pid in children
        if Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    ]


def test_a_lane_dies_with_its_parent(tmp_path):
    """Even a SIGKILLed parent leaves no lane burning CPU (PR_SET_PDEATHSIG)."""
    script = _LANES_SCRIPT.replace('print("ready", flush=True)', 'print("ready", flush=True); os.kill(os.getpid(), 9)')
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdout.readline() == b"ready\n"
    proc.wait(30)
    deadline = time.monotonic() + 10
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_alive(proc.pid) == []


# ---- 14. the one-line promise ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--no-such-option"],
        ["check", "--format", "xml"],
        ["explain"],
        ["nosuchcommand"],
        ["check", "--jobs", "0"],
        [],
    ],
)
def test_click_usage_errors_are_one_line(tmp_path, args):
    one_error_line(gim(*args, cwd=tmp_path))


def test_deeply_nested_toml_is_one_line(tmp_path):
    (tmp_path / ".golint-im.toml").write_text("select = " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "x.go").write_text("package x\n")
    assert "nested too deeply" in one_error_line(gim("check", ".", cwd=tmp_path))


def test_deeply_nested_baseline_is_one_line(tmp_path):
    (tmp_path / "b.json").write_text("[" * 100000 + "]" * 100000)
    (tmp_path / "x.go").write_text("package x\n")
    assert "nested too deeply" in one_error_line(gim("check", ".", "--baseline", "b.json", cwd=tmp_path))


def test_write_baseline_into_a_missing_directory_is_one_line(tmp_path):
    (tmp_path / "x.go").write_text("package x\n")
    err = one_error_line(gim("check", ".", "--write-baseline", "no/such/dir/b.json", cwd=tmp_path))
    assert "No such file or directory" in err


def test_write_baseline_onto_a_full_disk_is_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from golint_im import outputs

    (tmp_path / "x.go").write_text("package x\n")
    monkeypatch.chdir(tmp_path)

    def full(*_a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "fsync", full)
    r = CliRunner().invoke(cli.main, ["check", ".", "--no-cache", "--write-baseline", "b.json"])
    assert r.exit_code == 2 and r.stderr == "golint-im: error: cannot write b.json: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.go"]


def test_deleted_working_directory_is_one_line(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    r = sh(f'cd "{gone}" && rmdir "{gone}" && exec "$0" -m golint_im.cli check .', tmp_path, capture_output=True)
    assert "no longer exists" in one_error_line(r)


def test_closed_stdout_is_one_line(tmp_path):
    deadlock_tree(tmp_path)
    r = sh('exec "$0" -m golint_im.cli check t >&-', tmp_path, stderr=subprocess.PIPE)
    assert "stdout is closed" in one_error_line(r)


def test_closed_stderr_still_reports_and_exits(tmp_path):
    tree = deadlock_tree(tmp_path)
    (tree / "bad.go").write_bytes(b"package main\n\xff\n")  # a notice with nowhere to go
    r = sh('exec "$0" -m golint_im.cli check t 2>&-', tmp_path, stdout=subprocess.PIPE)
    assert r.returncode == 1 and b"GIM101" in r.stdout
    r = sh('exec "$0" -m golint_im.cli check missing 2>&-', tmp_path, stdout=subprocess.PIPE)
    assert r.returncode == 2 and r.stdout == b""


def test_git_dubious_ownership_is_named(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "x.go").write_text("package x\n")
    env = dict(os.environ, GIT_CONFIG_GLOBAL=str(tmp_path / "gitconfig"), GIT_CONFIG_NOSYSTEM="1", HOME=str(tmp_path))
    (tmp_path / "gitconfig").write_text("")
    for cmd in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *cmd], cwd=repo, env=env, check=True)
    try:
        os.chown(repo, 12345, 12345)
        os.chown(repo / ".git", 12345, 12345)
    except PermissionError:
        pytest.skip("needs root to give the repository to another user")
    probe = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=repo, env=env, capture_output=True, text=True)
    if "dubious ownership" not in probe.stderr:
        pytest.skip("this git does not check ownership")
    r = gim("check", ".", "--new-from-rev", "HEAD", cwd=repo, env=env)
    err = one_error_line(r)
    assert "owned by another user" in err and "safe.directory" in err


# ---- 6. the worker count never changes the result ---------------------------------------


@pytest.mark.parametrize("depth", [440, 447, 455, 485])
def test_nesting_near_the_limit_is_the_same_with_any_jobs(tmp_path, depth):
    """A declaration nested about as deep as the walker goes, among more than 8 files (so a pool parses them)."""
    from golint_im import __version__
    from golint_im.engine import Options, analyse
    from golint_im.registry import all_rule_infos
    from golint_im.report import render

    tree = deadlock_tree(tmp_path)
    src = (tree / "main.go").read_text()
    (tree / "main.go").write_text(
        src.replace(
            "func (g *Gateway) Run() {\n", "func (g *Gateway) Run() {\n\t" + "{" * depth + "}" * depth + "\n", 1
        )
    )
    for i in range(10):
        (tree / f"f{i}.go").write_text(f"package main\n\nfunc f{i}() {{}}\n")
    reports = []
    for jobs in (1, 2):
        result, _ctx = analyse(Options(paths=[str(tree)], jobs=jobs, base=str(tmp_path)))
        reports.append(render("sarif", result, all_rule_infos(), tool_version=__version__))
    assert reports[0] == reports[1]


# ---- 9 and 12. memory -------------------------------------------------------------------


def test_huge_literal_keeps_a_bounded_part(tmp_path):
    """A generated table keeps MAX_KEPT_ELEMENTS elements; calls in the rest are still ops."""
    from golint_im.source import MAX_KEPT_ELEMENTS, parse

    n = MAX_KEPT_ELEMENTS * 5
    src = "package p\n\nvar table = []string{" + ", ".join(f'"s{i}"' for i in range(n)) + ', f("last")}\n'
    ff = parse(src.encode(), "p.go")
    init = ff.funcs[0]
    (assign,) = [op for op in init.ops if op.kind == "assign"]
    comp = assign.args[0]
    assert comp[0] == "comp" and len(comp[2]) == MAX_KEPT_ELEMENTS
    assert [op.fn for op in init.ops if op.kind == "call"] == [("id", "f")]


def test_pathological_parse_is_cut_short(tmp_path, monkeypatch):
    """Unclosed calls make tree-sitter's error recovery grow without end: past its budget the file is a notice."""
    from golint_im import source

    monkeypatch.setattr(source, "WATCH_FROM", 0)
    monkeypatch.setattr(source, "PARSE_BUDGET_BASE", 8 * 1024 * 1024)
    monkeypatch.setattr(source, "PARSE_BUDGET_PER_BYTE", 0)
    src = b"package main\nfunc f() {\n" + b"x := a(" * 40000 + b"\n}\n"
    start = time.perf_counter()
    with pytest.raises(source.TooCostly, match="parsing needs more than 8 MB"):
        source.parse(src, "x.go")
    assert time.perf_counter() - start < 60
    assert source.parse(b"package main\n\nfunc g() {}\n", "y.go").funcs[-1].name == "g"  # the parser is reusable


def _generated_functions(size: int) -> str:
    out, i = ["package main\n\n"], 0
    while sum(map(len, out)) < size:
        out.append(
            f"func f{i}(ch chan int) {{\n\tfor {{\n\t\tselect {{\n\t\tcase v := <-ch:\n\t\t\tch <- v + {i}\n"
            "\t\t}\n\t}\n}\n\n"
        )
        i += 1
    return "".join(out)


def test_low_memory_is_one_line(tmp_path):
    """Under an address-space limit: findings, or exit 2 with one line; never a signal or a traceback."""
    import resource

    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import golint_im.cli, golint_im.engine, golint_im.source;"
            "print(open('/proc/self/statm').read().split()[0])",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    base = int(probe.stdout) * os.sysconf("SC_PAGE_SIZE")
    (tmp_path / "big.go").write_text(_generated_functions(1_000_000))
    codes = set()
    for extra in (24, 48, 96):
        limit = base + extra * 1024 * 1024
        r = subprocess.run(
            [sys.executable, "-m", "golint_im.cli", "check", "big.go", "--no-cache", "--jobs", "1", "--quiet"],
            cwd=tmp_path,
            capture_output=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            preexec_fn=lambda limit=limit: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        )
        assert r.returncode in (1, 2), (extra, r.returncode, r.stderr[-2000:])
        if r.returncode == 2:
            one_error_line(r)
            assert b"out of memory" in r.stderr
        codes.add(r.returncode)
    assert 2 in codes  # the smallest limit is too small for this file


@pytest.mark.parametrize("directory", [b"a#b", b"[x", b"a b", b"\t", b"*", b"%23"])
@pytest.mark.parametrize("gomod", [True, False])
def test_directory_name_cannot_hide_a_finding(tmp_path, directory, gomod):
    """Found by fuzzing file names: a package directory named `a#b` broke qualified names and lost the finding."""
    from golint_im.engine import Options, analyse

    where = os.path.join(os.fsencode(tmp_path), directory)
    os.makedirs(where)
    with open(os.path.join(where, b"main.go"), "wb") as fh:
        fh.write((DEADLOCK / "main.go").read_bytes())
    if gomod:
        (tmp_path / "go.mod").write_text("module example.com/m\n")
    result, _ctx = analyse(Options(paths=[str(tmp_path)], jobs=1, base=str(tmp_path)))
    assert [f.rule_id for f in result.findings] == ["GIM101"]


# ---- decoys (item 7) and work budgets (item 10) ---------------------------------------------------

DECOY_FIXTURES = ROOT / "fixtures" / "GIM101"


@pytest.mark.parametrize("fixture", ["want_decoy_methods", "want_package_copies"])
def test_decoys_cannot_hide_a_finding(tmp_path, fixture):
    """Types that only share a method name, or copies of the package, once hid the deadlock (exit 0)."""
    tree = tmp_path / "t"
    shutil.copytree(DECOY_FIXTURES / fixture, tree, ignore=shutil.ignore_patterns("findings.txt"))
    r = gim("check", "--no-cache", ".", cwd=tree)
    assert r.returncode == 1, r.stderr
    assert b"GIM101" in r.stdout and b"logouts" in r.stdout
    assert b"possible implementations" not in r.stderr  # nothing left too wide to follow


def _too_many_plugins(n: int) -> str:
    """examples' plugin host whose Plugin has n made implementations besides the echo that deadlocks."""
    impls = "".join(f"type p{i} struct{{}}\n\nfunc (p{i}) Handle(h *Host, msg string) {{}}\n\n" for i in range(n))
    made = ", ".join(f"p{i}{{}}" for i in range(n))
    return f"""package main

type Plugin interface {{
	Handle(h *Host, msg string)
}}

type Host struct {{
	queue  chan string
	plugin Plugin
}}

func (h *Host) Post(msg string) {{ h.queue <- msg }}

func (h *Host) serve() {{
	for msg := range h.queue {{
		h.plugin.Handle(h, msg)
	}}
}}

type echo struct{{}}

func (echo) Handle(h *Host, msg string) {{ h.Post("echo: " + msg) }}

{impls}var all = []Plugin{{echo{{}}, {made}}}

func main() {{
	h := &Host{{queue: make(chan string, 32), plugin: all[0]}}
	go h.serve()
	h.Post("hello")
}}
"""


def test_an_interface_call_too_wide_to_follow_is_a_notice(tmp_path):
    """Past the bound the path is not followed, and the run says so: one summary line, --debug names the call."""
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "go.mod").write_text("module example.com/plugins\n")
    with open(os.path.join(os.fsencode(tree), HOSTILE), "w") as fh:  # the notice names this file: escaped
        fh.write(_too_many_plugins(30))
    r = gim("check", "--no-cache", ".", cwd=tree)
    err = r.stderr.decode()
    assert r.returncode == 0
    assert err.count("possible implementations") == 1, err
    assert "GIM101: 1 interface call on handler paths not followed, each with more than 16 possible" in err
    assert "--debug lists them" in err
    r = gim("check", "--no-cache", "--debug", ".", cwd=tree)
    err = r.stderr.decode()
    assert "the interface call `h.plugin.Handle` in `main.(*Host).serve` has 31 possible implementations" in err
    assert '"GIM101_interface_calls_too_wide_to_follow": 1' in err
    _no_raw_controls(err)
    # Annotations for Actions: one warning for the summary, not one per call.
    r = gim("check", "--no-cache", "--format", "github", ".", cwd=tree)
    warnings = [line for line in r.stdout.decode().splitlines() if "possible implementations" in line]
    assert len(warnings) == 1 and warnings[0].startswith("::warning::GIM101: 1 interface call"), warnings
    # Within the bound every implementation is followed, and the echo path is found.
    (tree / "small.go").write_text(_too_many_plugins(12).replace("package main", "package main\n\n// small", 1))
    os.remove(os.path.join(os.fsencode(tree), HOSTILE))
    r = gim("check", "--no-cache", ".", cwd=tree)
    assert r.returncode == 1 and b"echo" in r.stdout, r.stdout


def _costly_select(cases: int, chain: int) -> str:
    """A receive loop of `cases` cases, each handled by a call chain `chain` deep: much work, no finding."""
    steps = "".join(f"func step{i}(v int) int {{ return step{i + 1}(v + {i}) }}\n\n" for i in range(chain))
    chans = "\n".join(f"\tc{i} chan int" for i in range(cases))
    arms = "".join(f"\t\tcase v := <-p.c{i}:\n\t\t\tp.out <- step0(v)\n" for i in range(cases))
    return f"""package main

type Pump struct {{
	out chan int
{chans}
}}

{steps}func step{chain}(v int) int {{ return v }}

func (p *Pump) Run() {{
	for {{
		select {{
{arms}		}}
	}}
}}

func start() {{
	p := &Pump{{out: make(chan int)}}
	go p.Run()
	for v := range p.out {{
		_ = v
	}}
}}
"""


def budget_tree(tmp_path: Path) -> Path:
    """The deadlock example beside a generated select whose handlers cost far more than its own."""
    tree = deadlock_tree(tmp_path)
    (tree / "go.mod").write_bytes((DEADLOCK / "go.mod").read_bytes())
    (tree / "pump.go").write_text(_costly_select(cases=60, chain=30))
    return tree


SMALL_BUDGET = {"GOLINT_IM_TEST_BUDGET": "2000,1000000"}


def test_a_spent_budget_is_a_notice_and_keeps_every_other_result(tmp_path):
    tree = budget_tree(tmp_path)
    full = gim("check", "--no-cache", "--format", "json", ".", cwd=tree)
    r = gim("check", "--no-cache", "--format", "json", ".", cwd=tree, env=SMALL_BUDGET)
    err = r.stderr.decode()
    assert r.returncode == 1
    assert json.loads(r.stdout)["findings"] == json.loads(full.stdout)["findings"] != []
    assert "GIM101 ran out of its work budget in 1 function; the rest of each was not analysed" in err, err
    assert "budget" not in full.stderr.decode()
    r = gim("check", "--no-cache", "--debug", ".", cwd=tree, env=SMALL_BUDGET)
    assert "pump.go:" in r.stderr.decode() and "in `main.(*Pump).Run`" in r.stderr.decode()


def test_a_spent_run_budget_is_said_too(tmp_path):
    tree = budget_tree(tmp_path)
    """Once the run's budget is spent, every function after is cut short too (the deadlock's loop among them)."""
    r = gim("check", "--no-cache", ".", cwd=tree, env={"GOLINT_IM_TEST_BUDGET": "2000,500"})
    assert "GIM101 ran out of its work budget in 2 functions and then for the rest of the run" in r.stderr.decode()


def test_a_spent_budget_is_the_same_with_any_jobs(tmp_path):
    """Budgets count work units, not seconds: where they run out does not depend on the worker count."""
    tree = budget_tree(tmp_path)
    outs = [
        gim("check", "--no-cache", "--jobs", jobs, "--format", "sarif", ".", cwd=tree, env=SMALL_BUDGET)
        for jobs in ("1", "2")
    ]
    assert outs[0].returncode == outs[1].returncode == 1
    assert outs[0].stdout == outs[1].stdout
    assert outs[0].stderr == outs[1].stderr
    assert b"ran out of its work budget" in outs[0].stderr


def test_a_test_budget_can_only_lower_the_limits(monkeypatch):
    from golint_im.passes import FUNCTION_BUDGET, RUN_BUDGET, budget_limits

    monkeypatch.setenv("GOLINT_IM_TEST_BUDGET", f"{FUNCTION_BUDGET * 10},{RUN_BUDGET * 10}")
    assert budget_limits() == (FUNCTION_BUDGET, RUN_BUDGET)
    monkeypatch.setenv("GOLINT_IM_TEST_BUDGET", "nonsense")
    assert budget_limits() == (FUNCTION_BUDGET, RUN_BUDGET)
    monkeypatch.setenv("GOLINT_IM_TEST_BUDGET", "0,-5")
    assert budget_limits() == (1, 1)
