from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_STATS: dict = {"tp": Counter(), "fp": Counter(), "fn": Counter(), "todo": Counter()}


@pytest.fixture
def repo_root() -> Path:
    return ROOT


def pytest_terminal_summary(terminalreporter):
    rules = sorted(set().union(*FIXTURE_STATS.values()))
    if not rules:
        return
    terminalreporter.write_sep("-", "fixture precision per rule")
    for r in rules:
        terminalreporter.write_line(
            f"{r}: TP {FIXTURE_STATS['tp'][r]}  FP {FIXTURE_STATS['fp'][r]}  "
            f"FN {FIXTURE_STATS['fn'][r]}  todo {FIXTURE_STATS['todo'][r]}"
        )
