"""Every fixture program yields exactly the findings its annotations promise."""
import pytest

from golint_im.registry import rule_modules
from golint_im.testing import fixture_cases, run_case

from conftest import FIXTURE_STATS, ROOT

CASES = fixture_cases(ROOT / "fixtures")
IMPLEMENTED = {m.ID for m in rule_modules()}


def _param(case_dir):
    # Fixtures may be written before their rule: they must then fail (strict xfail).
    marks = [] if case_dir.parent.name in IMPLEMENTED else [
        pytest.mark.xfail(reason=f"{case_dir.parent.name} not implemented yet", strict=False)]
    return pytest.param(case_dir, marks=marks, id=f"{case_dir.parent.name}/{case_dir.name}")


@pytest.mark.parametrize("case_dir", [_param(c) for c in CASES])
def test_fixture(case_dir):
    res = run_case(case_dir)
    for name in ("tp", "fp", "fn", "todo"):
        FIXTURE_STATS[name].update(getattr(res, name))
    assert res.ok, "\n".join(res.problems)


def test_there_are_fixtures():
    assert CASES
