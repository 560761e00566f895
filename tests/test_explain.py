"""`golint-im explain` prints each rule's documentation as written.

Rule docs are docstrings; a non-raw docstring turns the `\\n` inside a Go
string of an example into a real line break. Every ```go block of every
rule's `explain` output must parse as Go (with golint-im's own parser).
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from golint_im.cli import main
from golint_im.registry import all_rule_infos
from golint_im.source import parse

GO_BLOCK = re.compile(r"```go\n(.*?)```", re.S)
# A line holding only `...` (and maybe a comment) stands for elided code.
ELISION = re.compile(r"^(\s*)\.\.\.(\s*//.*)?$", re.M)
TOP_LEVEL = re.compile(r"^(func|type|var|const|import|package)\b")


def chunks(example: str) -> list[tuple[bool, str]]:
    """Split an example into (is_declarations, text) pieces: examples mix
    statements (a fragment of a function body) with the declarations they call."""
    out: list[tuple[bool, list[str]]] = []
    for line in ELISION.sub(r"\1// ...\2", example).splitlines():
        decl = bool(TOP_LEVEL.match(line))
        if (
            not out
            or (decl and not out[-1][0])
            or (line and not line[0].isspace() and not decl and out[-1][0] and out[-1][1][-1].startswith("}"))
        ):
            out.append((decl, []))
        out[-1][1].append(line)
    return [(decl, "\n".join(lines)) for decl, lines in out]


def as_file(decl: bool, text: str) -> bytes:
    if text.lstrip().startswith("package"):
        return text.encode()
    if decl:
        return f"package example\n\n{text}\n".encode()
    return f"package example\n\nfunc example() {{\n{text}\n}}\n".encode()


@pytest.mark.parametrize("rule", [r.id for r in all_rule_infos()])
def test_every_go_example_in_explain_parses(rule):
    out = CliRunner().invoke(main, ["explain", rule])
    assert out.exit_code == 0, out.output
    info = next(r for r in all_rule_infos() if r.id == rule)
    assert info.doc in out.output  # printed as written, nothing re-wrapped
    examples = GO_BLOCK.findall(out.output)
    assert examples, f"{rule} has no ```go example"
    for example in examples:
        for decl, text in chunks(example):
            facts = parse(as_file(decl, text), f"{rule}.go")
            assert facts.error_lines == (), f"{rule}: does not parse:\n{text}"


def test_gim202_example_keeps_its_escape_sequence():
    out = CliRunner().invoke(main, ["explain", "GIM202"]).output
    assert '"HELLO\\r\\n"' in out


def test_docs_rules_md_is_generated_from_the_rules():
    """docs/rules.md is what `golint-im rules --markdown` prints (regenerate it after a doc change)."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == CliRunner().invoke(main, ["rules", "--markdown"]).output


def test_sarif_links_every_rule_to_its_section_of_docs_rules_md():
    import json
    from pathlib import Path

    from golint_im import __url__, __version__
    from golint_im.findings import RunResult
    from golint_im.report import render

    page = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    driver = json.loads(render("sarif", RunResult(), all_rule_infos(), tool_version=__version__))["runs"][0]["tool"][
        "driver"
    ]
    assert driver["informationUri"] == __url__
    for rule in driver["rules"]:
        prefix = f"{__url__}/blob/v{__version__}/docs/rules.md#"
        assert rule["helpUri"].startswith(prefix)
        anchor = rule["helpUri"][len(prefix) :]
        # GitHub's anchor of "## GIM101 select-loop-self-send" is "gim101-select-loop-self-send".
        assert f"\n## {rule['id']} {rule['name']}\n" in page
        assert anchor == f"{rule['id']} {rule['name']}".lower().replace(" ", "-")


def test_project_url_is_the_one_in_pyproject():
    from pathlib import Path

    from golint_im import __url__
    from golint_im.config import tomllib  # tomli on Python 3.10

    meta = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["urls"]["Homepage"] == __url__
