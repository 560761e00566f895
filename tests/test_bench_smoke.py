"""The benchmark script still runs: one round on a small fixture, no peer. Times are not checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(ROOT / "fixtures" / "GIM101" / "want_self_requeue"),
            "--runs",
            "1",
            "--no-peer",
            "--jobs",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    for name in ("cold", "warm", "touched", "edited"):
        assert any(line.startswith(name) for line in r.stdout.splitlines()), r.stdout
    report = json.loads(out.read_text())
    assert report["machine"]["nproc"] >= 1
    bench = report["benchmark"]
    assert bench["files"] == 1 and bench["bytes"] > 0
    for name in ("cold", "warm", "touched", "edited"):
        m = bench["summary"][name]
        assert m["runs"] == 1 and m["median_wall_s"] > 0 and m["exit_codes"] == [1]  # the fixture's finding
        assert m["median_peak_rss_tree_mib"] > 0
    assert "semgrep" not in bench["summary"]
    # The checkout itself is never touched: the script works on a copy.
    assert "benchmark round" not in (ROOT / "fixtures" / "GIM101" / "want_self_requeue" / "main.go").read_text()


def test_scaling_smoke(tmp_path):
    r = subprocess.run(
        [sys.executable, str(SCRIPT), str(ROOT / "examples"), "--runs", "1", "--no-peer", "--jobs", "1", "--scaling"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "time ~ size^k: cold k=" in r.stdout
    assert "100%" in r.stdout


def test_exponent_fit():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import run as bench
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert abs(bench.fit_exponent([(1, 2), (2, 4), (4, 8)]) - 1.0) < 1e-9
    assert abs(bench.fit_exponent([(1, 1), (2, 4), (4, 16)]) - 2.0) < 1e-9
    assert bench.fit_exponent([(1, 1)]) is None
