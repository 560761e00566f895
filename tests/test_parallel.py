"""Rule families in forked lanes (parallel.py): same output as one lane, and a
lane that fails in its child is run again in the parent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from golint_im import __version__, parallel
from golint_im.engine import Options, analyse
from golint_im.registry import all_rule_infos
from golint_im.report import render

ROOT = Path(__file__).resolve().parent.parent

needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="lanes run in order where fork is unavailable")


def sarif(jobs: int, paths) -> str:
    result, _ = analyse(Options(paths=[str(p) for p in paths], jobs=jobs, cache_dir=None, base=str(ROOT)))
    return render("sarif", result, all_rule_infos(), tool_version=__version__)


@needs_fork
def test_lanes_give_the_same_report_as_one_lane(monkeypatch):
    monkeypatch.setattr(parallel, "LANE_MODEL_LIMIT", 1 << 62)  # the test process may be large
    paths = [ROOT / "examples", ROOT / "fixtures"]
    assert sarif(2, paths) == sarif(1, paths)


def test_a_model_too_large_to_copy_gets_one_lane_and_the_same_report(monkeypatch):
    lanes_run: list[int] = []
    real = parallel.run_lanes

    def counting(lanes, run_lane):
        lanes_run.append(len(lanes))
        return real(lanes, run_lane)

    monkeypatch.setattr("golint_im.engine.run_lanes", counting)
    monkeypatch.setattr(parallel, "LANE_MODEL_LIMIT", 1 << 62)
    paths = [ROOT / "examples"]
    forked = sarif(2, paths)
    monkeypatch.setattr(parallel, "LANE_MODEL_LIMIT", 0)
    assert sarif(2, paths) == forked
    assert lanes_run[-1] == 1
    assert lanes_run[0] == 2  # lanes are planned whether or not this platform forks them


def test_model_size_limit():
    assert not parallel.model_too_large_to_copy(parallel.LANE_MODEL_LIMIT)
    assert parallel.model_too_large_to_copy(parallel.LANE_MODEL_LIMIT + 1)
    resident = parallel.resident_bytes()
    assert resident is None or resident > 0


@needs_fork
def test_results_come_back_in_lane_order_from_children():
    parent = os.getpid()
    got = parallel.run_lanes([1, 2, 3], lambda lane: (lane * 10, os.getpid() != parent))
    assert [value for value, _ in got] == [10, 20, 30]
    assert [in_child for _, in_child in got] == [False, True, True]


@needs_fork
@pytest.mark.parametrize("how", ["raises", "dies", "unpicklable"])
def test_a_lane_that_fails_in_its_child_runs_here(how):
    parent = os.getpid()

    def run_lane(lane):
        if os.getpid() != parent and lane == "b":
            if how == "raises":
                raise RuntimeError("child only")
            if how == "dies":
                os._exit(9)
            return lambda: None  # does not pickle
        return f"done {lane}"

    assert parallel.run_lanes(["a", "b"], run_lane) == ["done a", "done b"]


def test_one_lane_or_no_fork_runs_in_order(monkeypatch):
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    parent = os.getpid()
    assert parallel.run_lanes([1, 2], lambda lane: (lane, os.getpid() == parent)) == [(1, True), (2, True)]


@needs_fork
def test_interrupt_in_the_parent_ends_the_children():
    """Ctrl-C while lanes run: the parent's KeyboardInterrupt propagates and no child is left behind."""
    parent = os.getpid()

    def run_lane(lane):
        if os.getpid() == parent:
            raise KeyboardInterrupt
        import time

        time.sleep(30)  # a child still working when the parent is interrupted
        return lane

    before = set(_children())
    with pytest.raises(KeyboardInterrupt):
        parallel.run_lanes(["here", "there"], run_lane)
    assert set(_children()) == before  # killed and reaped: no zombie, no orphan


def _children() -> list[int]:
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []
