"""Edited runs equal cold runs: whatever files were edited, in whatever order, the
findings from a warm cache (and a stored result, when one applies) are the
cold run's, byte for byte.

Edits are drawn from a seeded random generator, so a failure names the seed
and replays.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from golint_im import __version__
from golint_im.engine import Options, analyse
from golint_im.registry import all_rule_infos
from golint_im.report import render

ROOT = Path(__file__).resolve().parent.parent

# What an edit does to a file: a comment (facts unchanged), a new function (facts changed),
# a body that sends on a fresh channel, or the file as it was.
EDITS = [
    lambda text, n: text + f"\n// edit {n}\n",
    lambda text, n: text + f"\nfunc incrementalEdit{n}() int {{ return {n} }}\n",
    lambda text, n: text + f"\nfunc incrementalSend{n}() {{\n\tch := make(chan int)\n\tch <- {n}\n}}\n",
    lambda text, n: None,  # revert
]


def _report(tree: Path, base: Path, cache: Path | None) -> str:
    result, _ = analyse(Options(paths=[str(tree)], base=str(base), cache_dir=cache, jobs=1))
    infos = all_rule_infos()
    return render("sarif", result, infos, tool_version=__version__) + render("text", result, infos, tool_version="")


@pytest.mark.parametrize("seed", [1, 2])
def test_edits_in_random_order_give_the_cold_runs_findings(tmp_path, seed):
    tree = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", tree)
    files = sorted(tree.rglob("*.go"))
    originals = {f: f.read_text() for f in files}
    cache = tmp_path / "cache"
    rng = random.Random(seed)
    _report(tree, tmp_path, cache)  # warm the cache
    for step in range(6):
        for f in rng.sample(files, k=rng.randint(1, 3)):
            edited = rng.choice(EDITS)(f.read_text(), step)
            f.write_text(originals[f] if edited is None else edited)
        warm = _report(tree, tmp_path, cache)
        cold = _report(tree, tmp_path, None)
        assert warm == cold, f"seed {seed}, step {step}: the edited run differs from a cold run"
