"""Same input, same SARIF bytes: whatever the worker count, cache state or hash seed.

The trees are copied first so a colleague editing fixtures mid-run cannot
make two runs see different input.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def sarif(cwd: Path, tree: str, *args, seed: str = "random") -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=seed, XDG_CACHE_HOME=str(cwd / ".xdg-cache"))
    r = subprocess.run(
        [sys.executable, "-m", "golint_im.cli", "check", tree, "--format", "sarif", "--quiet", *args],
        cwd=cwd,
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert r.returncode in (0, 1), r.stderr.decode()
    assert b"Traceback" not in r.stderr
    return r.stdout


@pytest.mark.parametrize("tree", ["fixtures", "examples"])
def test_same_sarif_bytes_for_any_jobs_and_cache_state(tmp_path, tree):
    shutil.copytree(ROOT / tree, tmp_path / tree)
    cache = str(tmp_path / "cache")
    runs = {
        "jobs 1, no cache": sarif(tmp_path, tree, "--jobs", "1", "--no-cache"),
        "jobs 2, no cache": sarif(tmp_path, tree, "--jobs", "2", "--no-cache"),
        "jobs 2, cold cache": sarif(tmp_path, tree, "--jobs", "2", "--cache-dir", cache),
        "jobs 2, warm cache": sarif(tmp_path, tree, "--jobs", "2", "--cache-dir", cache),
        "jobs 1, warm cache": sarif(tmp_path, tree, "--jobs", "1", "--cache-dir", cache),
        "jobs 1, seed 1": sarif(tmp_path, tree, "--jobs", "1", "--no-cache", seed="1"),
        "jobs 1, seed 2": sarif(tmp_path, tree, "--jobs", "1", "--no-cache", seed="2"),
    }
    reference = runs["jobs 1, no cache"]
    assert b'"results"' in reference
    differing = [name for name, out in runs.items() if out != reference]
    assert not differing, f"SARIF differs from `jobs 1, no cache` for: {differing}"
    # The cache was really used: the cold run filled it.
    assert any((tmp_path / "cache").rglob("*.facts"))
    # Portable: no absolute path of this machine in the report.
    assert str(tmp_path).encode() not in reference


def test_fixture_findings_exist_so_the_comparison_means_something(tmp_path):
    shutil.copytree(ROOT / "fixtures" / "GIM101", tmp_path / "fixtures")
    results = json.loads(sarif(tmp_path, "fixtures", "--jobs", "2", "--no-cache"))["runs"][0]["results"]
    assert sum(r["ruleId"] == "GIM101" for r in results) >= 3
