"""The command line as a user meets it: exit codes, --output, rules, explain, --version.

Runs the real entry point in a subprocess (python -m golint_im.cli), so what
is checked is what a shell or CI step sees.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from golint_im import __version__, console
from golint_im.discover import UsageError
from golint_im.registry import all_rule_infos

ROOT = Path(__file__).resolve().parent.parent
SELF_REQUEUE = ROOT / "fixtures" / "GIM101" / "want_self_requeue"

CLEAN = """package main

import "fmt"

type worker struct{ jobs chan int }

func (w *worker) run() {
	for j := range w.jobs {
		fmt.Println(j)
	}
}

func main() {
	w := &worker{jobs: make(chan int, 4)}
	go w.run()
	w.jobs <- 1
	close(w.jobs)
}
"""


_SESSION_CACHE = tempfile.mkdtemp(prefix="golint-im-test-xdg-")


def gim(*args, cwd, env=None):
    """Run the CLI as a user would; no run may ever show a traceback.

    The cache is one temporary directory for the session, never inside a tested
    tree: a cache inside an analysed tree is refused (the repository could plant
    its entries).
    """
    full_env = {**os.environ, "XDG_CACHE_HOME": _SESSION_CACHE, **(env or {})}
    r = subprocess.run(
        [sys.executable, "-m", "golint_im.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r


def git_init(directory: Path) -> Path:
    """Make directory a git work tree: the fixed root that paths are shown relative to
    (without one, and without a config file, paths start at the analysed directory)."""
    subprocess.run(["git", "init", "-q", str(directory)], check=True, capture_output=True)
    return directory


@pytest.fixture
def clean(tmp_path):
    git_init(tmp_path)
    d = tmp_path / "clean"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/clean\n")
    (d / "main.go").write_text(CLEAN)
    return d


@pytest.fixture
def buggy(tmp_path):
    git_init(tmp_path)
    d = tmp_path / "buggy"
    shutil.copytree(SELF_REQUEUE, d)
    return d


def test_exit_0_on_clean_code(clean, tmp_path):
    r = gim("check", "clean", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_exit_1_on_a_finding(buggy, tmp_path):
    r = gim("check", "buggy", "--no-cache", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "GIM101" in r.stdout and "buggy/main.go:" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "clean", "--select", "GIM999"], "unknown rule or prefix 'GIM999' in --select"),
        (["check", "clean", "--ignore", "BOGUS"], "unknown rule or prefix 'BOGUS' in --ignore"),
        (["check", "does-not-exist"], "path does not exist: does-not-exist"),
        (["check", "clean", "--format", "xml"], "Invalid value for '--format'"),
        (["check", "clean", "--jobs", "0"], "Invalid value for '--jobs'"),
        (["check", "clean", "--output", "no-such-dir/report.txt"], "cannot write no-such-dir/report.txt"),
        (["explain", "GIM999"], "unknown rule 'GIM999'"),
        (["graph", "does-not-exist"], "path does not exist"),
        (["frobnicate"], "No such command"),
    ],
)
def test_exit_2_on_usage_errors(clean, tmp_path, args, message):
    r = gim(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


def test_select_narrows_the_rules(buggy, tmp_path):
    assert gim("check", "buggy", "--select", "GIM3", cwd=tmp_path).returncode == 0
    assert gim("check", "buggy", "--ignore", "GIM101", cwd=tmp_path).returncode == 0
    assert gim("check", "buggy", "--select", "GIM1", cwd=tmp_path).returncode == 1


def test_output_writes_the_report_to_a_file(buggy, tmp_path):
    out = tmp_path / "report.sarif"
    r = gim("check", "buggy", "--format", "sarif", "--output", str(out), cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    sarif = json.loads(out.read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "GIM101"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".golint-im-")]
    # Like a file the shell would create: not the 0600 of a temp file.
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_output_replaces_an_existing_report_and_keeps_its_mode(buggy, clean, tmp_path):
    out = tmp_path / "report.txt"
    out.write_text("old report\n")
    out.chmod(0o640)
    assert gim("check", "clean", "-o", str(out), cwd=tmp_path).returncode == 0
    assert "old report" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_output_is_atomic_when_interrupted(tmp_path, monkeypatch):
    """An interrupt between writing and renaming leaves the old file and no temp file."""
    out = tmp_path / "report.txt"
    out.write_text("previous\n")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(console.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        console.write_output("new report\n", str(out))
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_output_write_failure_is_a_usage_error(tmp_path, monkeypatch):
    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(console.os, "replace", full)
    with pytest.raises(UsageError, match="No space left on device"):
        console.write_output("x", str(tmp_path / "r.txt"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "text"])
def test_every_format_renders(buggy, tmp_path, fmt):
    r = gim("check", "buggy", "--format", fmt, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    if fmt in ("json", "sarif"):
        json.loads(r.stdout)
    elif fmt == "github":
        assert r.stdout.startswith("::error file=buggy/main.go,line=")
    else:
        assert "buggy/main.go:" in r.stdout


def test_rules_lists_every_rule(tmp_path):
    r = gim("rules", cwd=tmp_path)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "FAMILY", "SEVERITY"]
    listed = [line.split()[0] for line in lines[1:]]
    assert listed == [i.id for i in all_rule_infos()]
    assert "GIM001" in listed and "GIM101" in listed


def test_explain_gim101(tmp_path):
    r = gim("explain", "GIM101", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.startswith("GIM101 select-loop-self-send (concurrency, default severity error)")
    for section in ("## What it does", "## Why is this bad", "## Example", "## Fix", "## Known limits"):
        assert section in r.stdout
    by_name = gim("explain", "select-loop-self-send", cwd=tmp_path)
    assert by_name.stdout == r.stdout


def test_version(tmp_path):
    r = gim("--version", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.strip() == f"golint-im, version {__version__}"


def test_quiet_and_debug(clean, tmp_path):
    (clean / "bad.go").write_bytes(b"package main\n\xff\xfe\n")
    loud = gim("check", "clean", cwd=tmp_path)
    assert "clean/bad.go: skipped: not valid UTF-8" in loud.stderr
    quiet = gim("check", "clean", "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    debug = gim("check", "clean", "--debug", cwd=tmp_path)
    line = next(x for x in debug.stderr.splitlines() if x.startswith("golint-im: debug: "))
    info = json.loads(line[len("golint-im: debug: ") :])
    assert {"timings", "files_parsed", "files_cached", "unresolved_calls"} <= set(info)


# ---- interruption -------------------------------------------------------------

CORPUS = ROOT.parent / "corpus" / "grpc-go"


def _synthetic_tree(root: Path, files: int = 1500) -> Path:
    """A few thousand lines per file of plain Go: enough for a cold run of many seconds."""
    funcs = "\n".join(
        f"func (s *S{{i}}) M{j}(ch chan int) {{{{\n\tfor v := range ch {{{{\n\t\ts.n += v * {j}\n\t}}}}\n}}}}\n"
        for j in range(60)
    )
    for i in range(files):
        d = root / f"pkg{i % 40}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.go").write_text(f"package pkg{i % 40}\n\ntype S{i} struct{{ n int }}\n\n" + funcs.format(i=i))
    return root


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    alive.append(int(entry.name))
            except OSError:
                continue
    return alive


@pytest.mark.parametrize(
    "target",
    [
        "synthetic",
        pytest.param(
            "grpc-go",
            marks=[
                pytest.mark.slow,
                pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1"),
                pytest.mark.skipif(not CORPUS.is_dir(), reason="no grpc-go checkout beside the repository"),
            ],
        ),
    ],
)
@pytest.mark.parametrize("whom", ["process", "group"])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_ctrl_c_exits_130_without_partial_output_or_cache_entries(tmp_path, target, whom, sig):
    """SIGINT (Ctrl-C) exits 130, SIGTERM (issue 17: a CI runner cancelling the job) 143; alike otherwise."""
    import signal
    import time

    from golint_im.cache import FactsCache

    tree = _synthetic_tree(tmp_path / "tree") if target == "synthetic" else CORPUS
    out = tmp_path / "report.sarif"
    cache_dir = tmp_path / "cache"
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "golint_im.cli",
            "check",
            str(tree),
            "--format",
            "sarif",
            "--output",
            str(out),
            "--jobs",
            "2",
            "--cache-dir",
            str(cache_dir),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # A terminal's Ctrl-C: SIGINT not ignored (a background shell would ignore it), own group.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not any(cache_dir.rglob("*.facts")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the workers are parsing
    assert proc.poll() is None, "the run finished before it could be interrupted"
    t0 = time.monotonic()
    signum = getattr(signal, sig)
    if whom == "group":
        os.killpg(proc.pid, signum)  # what a terminal does
    else:
        proc.send_signal(signum)
    _stdout, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - t0
    assert proc.returncode == (130 if sig == "SIGINT" else 143), stderr.decode()
    assert stderr.decode() == ("golint-im: interrupted\n" if sig == "SIGINT" else "golint-im: terminated\n")
    assert not out.exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".golint-im-")]
    assert not list(cache_dir.rglob(".tmp-*"))
    cache = FactsCache(cache_dir)
    written = sorted(cache_dir.rglob("*.facts"))
    assert written and all(cache.get(p.stem) is not None for p in written)  # every entry whole
    time.sleep(0.2)
    assert _group_alive(proc.pid) == []  # no worker left running
    assert took < 30  # prompt; not a benchmark, only a guard against waiting for the whole parse


# ---- Go command-line habits (issue 14) -----------------------------------------


def test_color_follows_the_flag_and_no_color(buggy, tmp_path):
    plain = gim("check", "buggy", cwd=tmp_path)
    assert "\x1b[" not in plain.stdout  # a pipe: auto means no colour
    forced = gim("check", "buggy", "--color", "always", cwd=tmp_path)
    assert "\x1b[1m" in forced.stdout
    assert forced.stdout.replace("\x1b[0m", "").count("GIM101") == plain.stdout.count("GIM101")
    assert not console.color_wanted("never", None)
    assert console.color_wanted("always", "report.txt")


def test_no_color_env_wins_over_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert console.color_wanted("auto", None)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not console.color_wanted("auto", None)
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    assert console.color_wanted("auto", None)


def test_quiet_drops_the_summary_line(buggy, clean, tmp_path):
    loud = gim("check", "buggy", cwd=tmp_path)
    assert loud.stdout.splitlines()[-1] == "1 finding (GIM101: 1); 1 file analysed"
    quiet = gim("check", "buggy", "--quiet", cwd=tmp_path)
    assert quiet.returncode == 1
    assert quiet.stdout == "".join(line + "\n" for line in loud.stdout.splitlines()[:-1])
    assert gim("check", "clean", "-q", cwd=tmp_path).stdout == ""


def test_write_baseline_exits_0_without_the_report(buggy, tmp_path):
    r = gim("check", "buggy", "--write-baseline", "base.json", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "")
    assert r.stderr == "golint-im: wrote 1 finding to base.json\n"
    assert json.loads((tmp_path / "base.json").read_text())["findings"][0]["rule"] == "GIM101"
    assert gim("check", "buggy", "--write-baseline", "b2.json", "-q", cwd=tmp_path).stderr == ""


def test_baseline_key_in_the_config(buggy, tmp_path):
    (buggy / ".golint-im.toml").write_text('select = ["GIM1"]\n')  # the root is now buggy/
    gim("check", "buggy", "--write-baseline", "buggy/known.json", cwd=tmp_path)
    (buggy / ".golint-im.toml").write_text('select = ["GIM1"]\nbaseline = "known.json"\n')
    r = gim("check", "buggy", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    (buggy / ".golint-im.toml").write_text('baseline = "missing.json"\n')
    r = gim("check", "buggy", cwd=tmp_path)
    assert r.returncode == 2 and "baseline file missing.json does not exist" in r.stderr


def test_progress_only_on_a_terminal(buggy, tmp_path):
    import pty

    assert "parsed" not in gim("check", "buggy", "--no-cache", cwd=tmp_path).stderr  # not a tty
    leader, follower = pty.openpty()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".xdg-cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "golint_im.cli", "check", "buggy", "--no-cache"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        timeout=300,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 1
    text = seen.decode()
    assert "parsed 1/1 files" in text and "linking" in text and "rules" in text
    assert "parsed" not in proc.stdout.decode()  # stderr only
