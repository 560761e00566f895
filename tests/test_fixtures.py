"""Every fixture program yields exactly the findings its annotations promise."""

import pytest

from golint_im.registry import rule_modules
from golint_im.testing import SNAPSHOT, expectations, fixture_cases, run_case

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


def test_every_rule_has_want_and_ok_fixtures_and_every_fixture_dir_a_rule():
    """A rule that failed to load, or a fixture directory for a rule that does
    not exist, must fail here rather than make its fixtures pass vacuously."""
    rules = {m.ID for m in rule_modules()}
    dirs = {c.parent.name for c in CASES}
    assert dirs <= rules, f"fixtures for unknown rules: {sorted(dirs - rules)}"
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (ROOT / "fixtures").rglob("*.go"))
    for rule in sorted(rules):
        assert f"want {rule}" in text, f"{rule} has no `want` fixture"
        assert f"ok {rule}" in text, f"{rule} has no `ok` fixture"


def test_every_case_with_a_want_pins_its_messages():
    """Short `want` patterns let wording regressions through; the snapshot does not."""
    unpinned = [
        f"{c.parent.name}/{c.name}"
        for c in CASES
        if any(e.kind == "want" for e in expectations(c)) and not (c / SNAPSHOT).exists()
    ]
    assert not unpinned, f"cases without {SNAPSHOT} (GOLINT_IM_UPDATE_SNAPSHOTS=1 writes them): {unpinned}"
