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
        if not out or (decl and not out[-1][0]) or (line and not line[0].isspace() and not decl
                                                     and out[-1][0] and out[-1][1][-1].startswith("}")):
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
