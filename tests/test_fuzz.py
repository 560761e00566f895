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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

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
SLOW = [pytest.mark.slow, pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")]

FAST = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(
    max_examples=int(os.environ.get("GOLINT_IM_FUZZ_EXAMPLES", "3000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TOKENS = [
    b"{",
    b"}",
    b"(",
    b")",
    b"[",
    b"]",
    b"func",
    b"go ",
    b"select {",
    b"case <-",
    b"chan ",
    b"<-",
    b"defer ",
    b"range ",
    b"make(chan int, ",
    b"interface{",
    b"struct{",
    b"//golintim:ignore GIM101",
    b"`",
    b'"',
    b"\\",
    b"/*",
    b"*/",
    b"\n",
    b"\x00",
    b"\xff",
    "é".encode(),
    b"\r\n",
    b"[T any]",
]


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
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "duplicate":
            length = draw(st.integers(1, 400))
            data[at:at] = data[at : at + length]
    program = next(p for p in PROGRAMS if p in path.parents)
    return program, path.relative_to(program).as_posix(), bytes(data), n


def _identifier_char(first: bool):
    cats = ("Lu", "Ll", "Lt", "Lm", "Lo") if first else ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")
    return st.characters(categories=cats, exclude_characters="\x00")


GO_KEYWORDS = {
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
}
PREDECLARED = {
    "make",
    "close",
    "len",
    "cap",
    "new",
    "append",
    "panic",
    "print",
    "println",
    "copy",
    "delete",
    "recover",
    "min",
    "max",
    "clear",
    "nil",
    "true",
    "false",
    "iota",
    "any",
    "error",
    "string",
    "int",
    "bool",
    "byte",
    "rune",
    "main",
    "init",
    "fmt",
    "_",
    "complex",
    "real",
    "imag",
    "comparable",
    "float64",
    "float32",
    "uint",
    "int64",
    "int32",
    "uint64",
    "uint32",
    "uintptr",
}


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
    mapping = dict(zip(SLOTS, names, strict=False))
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
    src = (
        f'package main\n\nimport "fmt"\n\nvar h, p = "h", 1\n\n{decl}\n\n'
        f"func main() {{ ch := make(chan int, {capacity}); ch <- 1; fmt.Println(big, <-ch) }}\n"
    ).encode()
    parse(src, "big.go")
    run_engine({"go.mod": b"module example.com/big\n", "big.go": src})


# ---- file names and config values (issue 17) ------------------------------------

NAME_PIECES = [
    b"::error file=x.go,line=1::X",
    b"\n",
    b"\r",
    b"%",
    b",",
    b":",
    b"\x1b[31m",
    b"\x1b]0;t\x07",
    b"\x07",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xae",
    b"\xe2\x80\xa8",
    b" ",
    b'"',
    b"\\",
    b"`",
    b"}",
    b"{",
    b"digraph",
    b"//",
    b"[",
    b"]",
    b"*",
    b"?",
    "é".encode(),
    b"a",
    b"-",
]
DEADLOCK = (ROOT / "examples" / "deadlock" / "main.go").read_bytes()


@st.composite
def file_name(draw):
    """A file name as bytes: pieces that forge workflow commands, escapes, bad UTF-8, plus random bytes."""
    parts = draw(st.lists(st.one_of(st.sampled_from(NAME_PIECES), st.binary(min_size=1, max_size=4)), max_size=8))
    name = b"".join(parts).replace(b"/", b"_").replace(b"\x00", b"_")[:200]
    assume(name not in (b"", b".", b".."))
    return name


def _raw_controls(text: str) -> list[str]:
    return [
        c
        for c in text
        if (ord(c) < 0x20 and c != "\n")
        or 0x7F <= ord(c) <= 0x9F
        or 0xD800 <= ord(c) <= 0xDFFF
        or c in "\u2028\u2029\u202e"
    ]


def check_file_name(directory: bytes, name: bytes):
    """The deadlock under a hostile name: still found at the same line; every output escaped and valid."""
    from golint_im.escape import printable
    from golint_im.findings import Notice

    STATS["hostile file names"] += 1
    with tempfile.TemporaryDirectory() as d:
        where = os.path.join(os.fsencode(d), directory)
        os.makedirs(where, exist_ok=True)
        with open(os.path.join(where, name + b".go"), "wb") as fh:
            fh.write(DEADLOCK)
        # Hidden, _-prefixed and vendor-like directories are not analysed.
        skipped = directory.startswith((b".", b"_")) or directory in (b"vendor", b"testdata", b"node_modules")
        result, ctx = analyse(Options(paths=[d], jobs=1, cache_dir=None, base=d))
        if skipped:
            return
        assert [(f.rule_id, f.location.line) for f in result.findings] == [("GIM101", 67)]
        infos = all_rule_infos()
        for fmt in FORMATS:
            out = render(fmt, result, infos, tool_version=__version__)
            out.encode("utf-8")  # strict: no lone surrogate reaches a writer
            assert not _raw_controls(out), (fmt, out[:300])
            if fmt == "github":
                assert all(line.startswith("::error file=") for line in out.splitlines())
            elif fmt in ("json", "sarif"):
                json.loads(out)
        dot = to_dot(ctx.result(CHANNEL_FLOW))
        assert not _raw_controls(dot) and dot.count("\n}\n") == 1 and dot.startswith("digraph channel_flow {\n")
        json.loads(to_json(ctx.result(CHANNEL_FLOW)))
        line = printable(str(Notice(result.findings[0].location.path, "a notice")))
        assert "\n" not in line and not _raw_controls(line)


GLOB_ALPHABET = "ab/*?[]!-.\\z^"
TOML_KEYS = ["select", "ignore", "exclude", "severity", "resources", "hash-sinks", "hash_sinks", "nope"]


def _toml_value(draw, depth=0):
    kind = draw(st.sampled_from(["str", "glob", "int", "bool", "list", "table"] if depth < 3 else ["str", "int"]))
    if kind == "str":
        return json.dumps(draw(st.text(max_size=20)))  # a JSON string is a TOML basic string
    if kind == "glob":
        return json.dumps(draw(st.text(alphabet=GLOB_ALPHABET, max_size=12)))
    if kind == "int":
        return str(draw(st.integers(-10, 10**6)))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "list":
        return "[" + ", ".join(_toml_value(draw, depth + 1) for _ in range(draw(st.integers(0, 4)))) + "]"
    items = [
        f"{json.dumps(draw(st.sampled_from(['GIM101', 'GIM201', 'gim2', 'X', 'constructors', 'closers'])))} = "
        f"{_toml_value(draw, depth + 1)}"
        for _ in range(draw(st.integers(0, 3)))
    ]
    return "{" + ", ".join(items) + "}"


@st.composite
def config_text(draw):
    """A .golint-im.toml: known and unknown keys with values of every TOML type, or random text."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200))
    keys = draw(st.lists(st.sampled_from(TOML_KEYS), unique=True, max_size=4))
    return "".join(f"{k} = {_toml_value(draw)}\n" for k in keys)


def _reference_glob(pattern: str) -> str:
    """The exclude semantics written as a regular expression: what globs.GlobSet must agree with."""
    import re

    pat = pattern.strip().replace("\\", "/")
    pat = pat[2:] if pat.startswith("./") else pat
    pat = pat.rstrip("/")
    pat = ("**/" + pat if "/" not in pat else pat).lstrip("/")
    out, i = [], 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        elif pat[i] == "[" and pat.find("]", i + 2) != -1:
            end = pat.find("]", i + 2)
            body = pat[i + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    return "".join(out) + "(?:/.*)?"


def _reference_match(patterns: list[str], path: str) -> bool | None:
    """Whether the reference matches; None where it cannot compile a pattern GlobSet accepts (`[!]...`,
    whose class the regular expression reads on past its `]`)."""
    import re
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return any(re.fullmatch(_reference_glob(p), path, re.S) for p in patterns)
        except re.error:
            return None


def check_config(text: str, paths: list[str]):
    """Any config: loaded or a ConfigError (never another exception); its globs agree with the reference."""
    import time

    from golint_im.config import ConfigError, load_config, path_excluded

    STATS["fuzzed configs"] += 1
    with tempfile.TemporaryDirectory() as d:
        cfg = Path(d) / ".golint-im.toml"
        cfg.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            config = load_config(cfg, {"GIM101", "GIM201", "GIM202"})
        except ConfigError as e:
            assert str(e)
            return
    STATS["fuzzed configs accepted"] += 1
    start = time.perf_counter()
    for path in paths:
        got = path_excluded(path, config.exclude)
        expected = _reference_match(config.exclude, path)
        assert expected is None or got == expected, (config.exclude, path)
    assert time.perf_counter() - start < 5


def check_globs(patterns: list[str], paths: list[str]):
    """Random globs: GlobSet agrees with the reference, or refuses a pattern the reference cannot compile."""
    from golint_im.globs import GlobError, GlobSet

    STATS["fuzzed globs"] += len(patterns)
    try:
        globs = GlobSet(patterns)
    except GlobError:
        return
    for path in paths:
        expected = _reference_match(patterns, path)
        assert expected is None or globs.matches(path) == expected, (patterns, path)


GLOB_PATHS = st.lists(st.text(alphabet="ab/.z-\n", max_size=14), min_size=1, max_size=6)


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


@FAST
@given(st.binary(max_size=6).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")), file_name())
def test_hostile_file_names(directory, name):
    check_file_name(directory, name)


@FAST
@given(config_text(), GLOB_PATHS)
def test_fuzzed_configs(text, paths):
    check_config(text, paths)


@FAST
@given(st.lists(st.text(alphabet=GLOB_ALPHABET, min_size=1, max_size=10), min_size=1, max_size=3), GLOB_PATHS)
def test_fuzzed_globs(patterns, paths):
    check_globs(patterns, paths)


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


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(st.binary(max_size=6).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")), file_name())
def test_hostile_file_names_long(directory, name):
    check_file_name(directory, name)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(config_text(), GLOB_PATHS)
def test_fuzzed_configs_long(text, paths):
    check_config(text, paths)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOLINT_IM_SLOW"), reason="slow: set GOLINT_IM_SLOW=1")
@LONG
@given(st.lists(st.text(alphabet=GLOB_ALPHABET, min_size=1, max_size=10), min_size=1, max_size=3), GLOB_PATHS)
def test_fuzzed_globs_long(patterns, paths):
    check_globs(patterns, paths)
