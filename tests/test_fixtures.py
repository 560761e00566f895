"""Every fixture program yields exactly the findings its annotations promise."""
import pytest

from golint_im.testing import fixture_cases, run_case

from conftest import FIXTURE_STATS, ROOT

CASES = fixture_cases(ROOT / "fixtures")


@pytest.mark.parametrize("case_dir", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case_dir):
    res = run_case(case_dir)
    for name in ("tp", "fp", "fn", "todo"):
        FIXTURE_STATS[name].update(getattr(res, name))
    assert res.ok, "\n".join(res.problems)


def test_there_are_fixtures():
    assert CASES
