"""Fuzzing (issue 8): whatever bytes a .go file holds, parsing and the whole engine never raise.

Inputs: the fixture programs with random byte-level mutations and truncations,
programs renamed with random unicode identifiers, deep nesting, huge literals.
Each run must end in findings or per-file notices, never an exception.

The default examples keep CI to seconds; the `slow` versions run thousands
(GOLINT_IM_SLOW=1 pytest -m slow tests/test_fuzz.py; numbers in docs/reliability.md).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from golint_im import __version__
from golint_im.analysis.flow import CHANNEL_FLOW
from golint_im.engine import Options, analyse
from golint_im.graph_export import to_dot, to_json
from golint_im.registry import all_rule_infos
from golint_im.report import FORMATS, render
from golint_im.source import parse

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = sorted(p for p in (ROOT / "fixtures").glob("GIM*/*") if p.is_dir())
GO_FILES = sorted(f for p in PROGRAMS for f in p.rglob("*.go"))
SLOW = [pytest.mark.slow,
        pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")]

FAST = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LONG = settings(max_examples=int(os.environ.get("GOLINT_IM_FUZZ_EXAMPLES", "3000")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TOKENS = [b"{", b"}", b"(", b")", b"[", b"]", b"func", b"go ", b"select {", b"case <-", b"chan ", b"<-",
          b"defer ", b"range ", b"make(chan int, ", b"interface{", b"struct{", b"//golintim:ignore GIM101",
          b"`", b'"', b"\\", b"/*", b"*/", b"\n", b"\x00", b"\xff", "é".encode(), b"\r\n", b"[T any]"]


# ---- strategies -----------------------------------------------------------------

@st.composite
def mutated(draw):
    """(program dir, relative path of the mutated file, mutated bytes, number of mutations)."""
    path = draw(st.sampled_from(GO_FILES))
    data = bytearray(path.read_bytes())
    n = draw(st.integers(1, 8))
    for _ in range(n):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "token", "duplicate"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at: at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "duplicate":
            length = draw(st.integers(1, 400))
            data[at:at] = data[at: at + length]
    program = next(p for p in PROGRAMS if p in path.parents)
    return program, path.relative_to(program).as_posix(), bytes(data), n


def _identifier_char(first: bool):
    cats = ("Lu", "Ll", "Lt", "Lm", "Lo") if first else ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")
    return st.characters(categories=cats, exclude_characters="\x00")


GO_KEYWORDS = {"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
               "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return",
               "select", "struct", "switch", "type", "var"}
PREDECLARED = {"make", "close", "len", "cap", "new", "append", "panic", "print", "println", "copy", "delete",
               "recover", "min", "max", "clear", "nil", "true", "false", "iota", "any", "error", "string",
               "int", "bool", "byte", "rune", "main", "init", "fmt", "_", "complex", "real", "imag",
               "comparable", "float64", "float32", "uint", "int64", "int32", "uint64", "uint32", "uintptr"}


@st.composite
def identifier(draw):
    first = draw(_identifier_char(True))
    rest = draw(st.text(_identifier_char(False), max_size=12))
    name = first + rest  # Go: a letter (any L* category) then letters and Nd digits
    assume(name not in GO_KEYWORDS and name not in PREDECLARED)
    return name


# The self-requeue deadlock with every name a placeholder.
TEMPLATE = """package main

type {Task} struct{{ {attempts} int }}

type {Disp} struct {{
	{backlog} chan {Task}
	{stop}    chan struct{{}}
}}

func {New}() *{Disp} {{
	return &{Disp}{{{backlog}: make(chan {Task}, 128), {stop}: make(chan struct{{}})}}
}}

func ({d} *{Disp}) {Submit}({t} {Task}) {{ {d}.{backlog} <- {t} }}

func ({d} *{Disp}) {loop}() {{
	for {{
		select {{
		case <-{d}.{stop}:
			return
		case {t} := <-{d}.{backlog}:
			{d}.{handle}({t})
		}}
	}}
}}

func ({d} *{Disp}) {handle}({t} {Task}) {{
	{retry} := func() {{
		{t}.{attempts}++
		{d}.{backlog} <- {t}
	}}
	if {t}.{attempts} < 5 {{
		{retry}()
	}}
}}

func main() {{
	{x} := {New}()
	go {x}.{loop}()
	{x}.{Submit}({Task}{{}})
}}
"""
RECEIVE_LINE = next(i for i, line in enumerate(TEMPLATE.splitlines(), 1) if "case {t} := <-" in line)
SLOTS = ["Task", "attempts", "Disp", "backlog", "stop", "New", "d", "Submit", "t", "loop", "handle", "retry", "x"]


# ---- checks ---------------------------------------------------------------------

STATS: Counter = Counter()  # what the examples exercised; written out for docs/reliability.md


@pytest.fixture(scope="module", autouse=True)
def _report_stats():
    yield
    target = os.environ.get("GOLINT_IM_FUZZ_REPORT")
    if target:
        Path(target).write_text(json.dumps(dict(STATS), indent=2, sort_keys=True) + "\n")

def run_engine(files: dict[str, bytes]):
    """Analyse files as one program; render every format and the graph. Returns the RunResult."""
    with tempfile.TemporaryDirectory() as d:
        for rel, data in files.items():
            target = Path(d) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        result, ctx = analyse(Options(paths=[d], jobs=1, cache_dir=None))
        infos = all_rule_infos()
        for fmt in FORMATS:
            render(fmt, result, infos, tool_version=__version__)
        to_json(ctx.result(CHANNEL_FLOW))
        to_dot(ctx.result(CHANNEL_FLOW))
        assert d not in render("sarif", result, infos, tool_version=__version__)
        return result


def program_files(program: Path) -> dict[str, bytes]:
    return {p.relative_to(program).as_posix(): p.read_bytes() for p in program.rglob("*") if p.is_file()}


def check_mutation(case):
    program, rel, data, n = case
    STATS["mutated programs"] += 1
    STATS["byte-level faults injected"] += n
    parse(data, rel)  # the parser alone: any bytes
    files = program_files(program)
    files[rel] = data
    result = run_engine(files)
    assert result.files_analysed + len(result.notices) >= 1


def check_unicode_names(names):
    assume(len(set(names)) == len(names))
    STATS["renamed programs"] += 1
    mapping = dict(zip(SLOTS, names))
    src = TEMPLATE.format(**mapping).encode()
    parse(src, "main.go")
    result = run_engine({"go.mod": b"module example.com/fuzz\n", "main.go": src})
    if result.notices:  # the grammar's idea of a letter is narrower than Go's: a notice, fine
        assert all("syntax error" in n.message for n in result.notices)
        return
    # Renaming changes nothing: the same deadlock, at the same line.
    assert [(f.rule_id, f.location.line) for f in result.findings] == [("GIM101", RECEIVE_LINE)]


SHAPES = {
    "parens": lambda n: "x := " + "(" * n + "1" + ")" * n + "\n_ = x\n",
    "blocks": lambda n: "{" * n + "}" * n + "\n",
    "ifs": lambda n: "if true {\n" * n + "}\n" * n,
    "funclits": lambda n: "func() {\n" * n + "}()\n" * n,
    "go-funclits": lambda n: "go func() {\n" * n + "}()\n" * n,
    "calls": lambda n: "f(" * n + ")" * n + "\n",
    "binary": lambda n: "x := 1" + " + 1" * n + "\n_ = x\n",
    "selectors": lambda n: "x := a" + ".b" * n + "\n_ = x\n",
    "composites": lambda n: "x := " + "[]any{" * n + "}" * n + "\n_ = x\n",
    "receives": lambda n: "x := " + "<-" * n + "ch\n_ = x\n",
    "selects": lambda n: "select {\ncase <-ch:\n" * n + "}\n" * n,
    "unclosed": lambda n: "{(" * n,
}


def check_nesting(shape, depth):
    STATS["deeply nested files"] += 1
    body = SHAPES[shape](depth)
    src = f"package main\n\nvar ch chan int\n\nfunc f(...any) {{}}\n\nfunc deep() {{\n{body}}}\n".encode()
    parse(src, "deep.go")
    run_engine({"go.mod": b"module example.com/deep\n", "deep.go": src})


def check_huge_literal(kind, size):
    STATS["huge literals"] += 1
    literal = {
        "string": '"' + "x" * size + '"',
        "raw": "`" + "y\n" * (size // 2) + "`",
        "escapes": '"' + "\\n\\t\\x41\\u00e9" * (size // 16) + '"',
        "int": "1" + "0" * size,
        "float": "1." + "5" * size + "e10",
        "hex": "0x" + "f" * size,
        "sprintf": 'fmt.Sprintf("' + "%s:%d/" * (size // 6) + '", h, p)',
    }[kind]
    if kind in ("int", "hex"):  # a constant: folded into a channel capacity, squared
        decl, capacity = f"const big = {literal}", "big*big"
    else:
        decl, capacity = f"var big = {literal}", "3"
    src = (f"package main\n\nimport \"fmt\"\n\nvar h, p = \"h\", 1\n\n{decl}\n\n"
           f"func main() {{ ch := make(chan int, {capacity}); ch <- 1; fmt.Println(big, <-ch) }}\n").encode()
    parse(src, "big.go")
    run_engine({"go.mod": b"module example.com/big\n", "big.go": src})


# ---- CI-sized runs ------------------------------------------------------------

@FAST
@given(mutated())
def test_mutated_fixtures(case):
    check_mutation(case)


@FAST
@given(st.lists(identifier(), min_size=len(SLOTS), max_size=len(SLOTS)))
def test_unicode_identifiers(names):
    check_unicode_names(names)


@FAST
@given(st.sampled_from(sorted(SHAPES)), st.integers(1, 3000))
def test_deep_nesting(shape, depth):
    check_nesting(shape, depth)


@FAST
@given(st.sampled_from(["string", "raw", "escapes", "int", "float", "hex", "sprintf"]), st.integers(1, 200_000))
def test_huge_literals(kind, size):
    check_huge_literal(kind, size)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_nesting_at_the_extremes(shape):
    for depth in (1, 400, 1000, 5000):
        check_nesting(shape, depth)


def test_non_ascii_type_name_is_linked():
    mapping = {s: s for s in SLOTS}
    mapping["Disp"] = "Dispätcher"
    result = run_engine({"go.mod": b"module example.com/fuzz\n", "main.go": TEMPLATE.format(**mapping).encode()})
    assert [(f.rule_id, f.location.line) for f in result.findings] == [("GIM101", RECEIVE_LINE)]


def test_huge_constant_capacity():
    big = "9" * 4000
    src = TEMPLATE.format(**{s: s for s in SLOTS}).replace("make(chan Task, 128)", "make(chan Task, huge*huge)")
    src += f"\nconst huge = {big}\n"
    run_engine({"go.mod": b"module example.com/fuzz\n", "main.go": src.encode()})


# ---- the long versions ----------------------------------------------------------

@pytest.mark.parametrize("_", [None], ids=["mutations"])
@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(case=mutated())
def test_mutated_fixtures_long(_, case):
    check_mutation(case)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(st.lists(identifier(), min_size=len(SLOTS), max_size=len(SLOTS)))
def test_unicode_identifiers_long(names):
    check_unicode_names(names)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(st.sampled_from(sorted(SHAPES)), st.integers(1, 6000))
def test_deep_nesting_long(shape, depth):
    check_nesting(shape, depth)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(st.sampled_from(["string", "raw", "escapes", "int", "float", "hex", "sprintf"]), st.integers(1, 2_000_000))
def test_huge_literals_long(kind, size):
    check_huge_literal(kind, size)
