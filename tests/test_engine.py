"""The engine keeps going when one rule fails, and frees each run's model."""

import gc
from pathlib import Path

from golint_im import registry
from golint_im.engine import Options, analyse
from golint_im.program import Program

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "fixtures" / "GIM101" / "want_self_requeue"
RING = ROOT / "fixtures" / "GIM301" / "want_port_mismatch"


def test_a_failing_rule_becomes_a_notice_and_the_others_still_report(monkeypatch):
    broken = next(m for m in registry.rule_modules() if m.ID == "GIM301")

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(broken, "check", boom)
    result, _ = analyse(Options(paths=[str(CASE)], base=str(CASE)))
    assert [f.rule_id for f in result.findings] == ["GIM101"]
    messages = [str(n) for n in result.notices]
    assert any(m.startswith("GIM301 stopped with an internal error (RuntimeError: kaboom)") for m in messages)


def test_programs_do_not_outlive_their_run():
    for _ in range(3):
        analyse(Options(paths=[str(RING)], base=str(RING)))
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Program)]


def test_in_process_callers_keep_their_garbage_collector():
    from click.testing import CliRunner

    from golint_im.cli import main

    assert gc.isenabled()
    res = CliRunner().invoke(main, ["check", str(CASE), "--no-cache", "-q"])
    assert res.exit_code == 1
    assert gc.isenabled()


def test_quiet_still_says_a_rule_stopped_but_hides_ordinary_notices(monkeypatch, tmp_path):
    """--quiet is "findings only", yet a run missing a rule's findings must not look clean."""
    from click.testing import CliRunner

    from golint_im.cli import main

    broken = next(m for m in registry.rule_modules() if m.ID == "GIM301")

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(broken, "check", boom)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "main.go").write_text((CASE / "main.go").read_text())
    (tree / "broken.go").write_bytes(b"package main\n\xff\xfe not utf-8\n")
    runner = CliRunner()
    quiet = runner.invoke(main, ["check", str(tree), "-q", "--no-cache", "--color", "never"])
    loud = runner.invoke(main, ["check", str(tree), "--no-cache", "--color", "never"])
    assert quiet.exit_code == loud.exit_code == 1
    assert [line for line in quiet.stderr.splitlines() if "GIM301 stopped with an internal error" in line]
    assert "broken.go" not in quiet.stderr  # an ordinary notice: only without -q
    assert "broken.go" in loud.stderr
