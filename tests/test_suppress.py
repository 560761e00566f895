"""Inline suppressions and the GIM001 reports about them."""

from __future__ import annotations

import pytest

from golint_im.findings import Finding, Location
from golint_im.suppress import Directive, apply_suppressions, parse_directive

PATH = "internal/push/push_to_client.go"
ACTIVE = {"GIM001", "GIM101", "GIM201", "GIM202", "GIM203", "GIM204", "GIM301", "GIM302"}


def finding(rule: str, line: int, path: str = PATH) -> Finding:
    return Finding(rule, f"{rule} at line {line}", Location(path, line, 5), key=f"{rule}-{line}")


def trailing(line: int, text: str, path: str = PATH) -> Directive:
    return Directive(path, line, 30, text, own_line=False)


def above(line: int, text: str, path: str = PATH) -> Directive:
    return Directive(path, line, 2, text, own_line=True)


def run(findings, directives, active=ACTIVE, **kw):
    return apply_suppressions(findings, directives, active, **kw)


def messages(meta):
    return [(m.rule_id, m.location.line, m.message, m.severity) for m in meta]


# -- parsing ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, rules, all_rules, reason",
    [
        ("//golintim:ignore GIM201 pooled by caller", {"GIM201"}, False, "pooled by caller"),
        ("// golintim:ignore GIM101", {"GIM101"}, False, ""),
        ("//golintim:ignore GIM201,GIM202 closed in Stop", {"GIM201", "GIM202"}, False, "closed in Stop"),
        ("//golintim:ignore gim201: because", {"GIM201"}, False, "because"),
        ("//nolint:GIM201,GIM202 // reason", {"GIM201", "GIM202"}, False, "reason"),
        ("//nolint:gim201", {"GIM201"}, False, ""),
        ("//nolint:errcheck,GIM203", {"GIM203"}, False, ""),
        ("//nolint", set(), True, ""),
        ("//nolint:all // generated", set(), True, "generated"),
        ("// nolint:GIM301", {"GIM301"}, False, ""),
    ],
)
def test_parse_forms(text, rules, all_rules, reason):
    p = parse_directive(text)
    assert p is not None
    assert set(p.rules) == rules and p.all_rules is all_rules and p.reason == reason


@pytest.mark.parametrize(
    "text",
    [
        "//nolint:errcheck",
        "//nolint:errcheck,gosec // other linters",
        "// nolintlint is a linter",
        "// just a comment about golintim",
        "//nolint:",
    ],
)
def test_not_ours(text):
    assert parse_directive(text) is None


# -- applying ---------------------------------------------------------------


def test_trailing_comment_suppresses_its_line():
    f = finding("GIM201", 10)
    kept, suppressed, meta = run([f], [trailing(10, "//golintim:ignore GIM201 pooled by caller")])
    assert kept == [] and meta == []
    assert len(suppressed) == 1 and suppressed[0].suppressed == "pooled by caller"
    assert suppressed[0].fingerprint == f.fingerprint
    assert f.suppressed == ""  # the input is not modified


def test_line_above_suppresses_next_line_only():
    f10, f11 = finding("GIM201", 10), finding("GIM201", 11)
    kept, suppressed, meta = run([f10, f11], [above(9, "//golintim:ignore GIM201 owned by the pool")])
    assert kept == [f11]
    assert [s.location.line for s in suppressed] == [10]


def test_trailing_does_not_reach_next_line():
    f = finding("GIM201", 11)
    kept, suppressed, meta = run([f], [trailing(10, "//golintim:ignore GIM201 why")])
    assert kept == [f] and suppressed == []
    assert messages(meta) == [("GIM001", 10, "unused suppression for GIM201: no GIM201 finding on line 10", "warning")]


def test_stacked_directives_apply_to_the_statement_below():
    f = finding("GIM202", 12)
    g = finding("GIM201", 12)
    kept, suppressed, meta = run(
        [f, g],
        [
            above(10, "//golintim:ignore GIM201 pooled"),
            above(11, "//nolint:GIM202 // closed by Stop"),
        ],
    )
    assert kept == [] and meta == []
    assert sorted(s.suppressed for s in suppressed) == ["closed by Stop", "pooled"]


def test_other_rule_on_the_line_is_kept_and_directive_unused():
    f = finding("GIM202", 10)
    kept, suppressed, meta = run([f], [trailing(10, "//nolint:GIM201")])
    assert kept == [f]
    assert messages(meta) == [("GIM001", 10, "unused suppression for GIM201: no GIM201 finding on line 10", "warning")]


def test_other_file_is_not_affected():
    f = finding("GIM201", 10, path="other.go")
    kept, _, _ = run([f], [trailing(10, "//golintim:ignore GIM201 why")])
    assert kept == [f]


@pytest.mark.parametrize("text", ["//nolint", "//nolint:all", "// nolint // generated code"])
def test_nolint_all_suppresses_every_rule(text):
    fs = [finding("GIM201", 10), finding("GIM301", 10)]
    kept, suppressed, meta = run(fs, [trailing(10, text)])
    assert kept == [] and len(suppressed) == 2 and meta == []


def test_nolint_all_that_suppresses_nothing_is_not_reported():
    kept, suppressed, meta = run([], [trailing(10, "//nolint"), trailing(11, "//nolint:all")])
    assert meta == []


def test_nolint_lowercase_and_no_reason():
    f = finding("GIM201", 10)
    kept, suppressed, meta = run([f], [trailing(10, "//nolint:gim201")])
    assert kept == [] and suppressed[0].suppressed == "no reason given"
    assert meta == []  # nolint without a reason is not a GIM001 (the reason rule is for golintim:ignore)


def test_other_linters_are_ignored_silently():
    f = finding("GIM201", 10)
    kept, suppressed, meta = run([f], [trailing(10, "//nolint:errcheck"), trailing(11, "//nolint:errcheck // x")])
    assert kept == [f] and suppressed == [] and meta == []


def test_mixed_nolint_list_reports_only_our_unused_rule():
    kept, suppressed, meta = run([], [trailing(10, "//nolint:errcheck,GIM203")])
    assert messages(meta) == [("GIM001", 10, "unused suppression for GIM203: no GIM203 finding on line 10", "warning")]


def test_golintim_ignore_without_reason_warns_but_suppresses():
    f = finding("GIM201", 10)
    kept, suppressed, meta = run([f], [trailing(10, "//golintim:ignore GIM201")])
    assert kept == [] and suppressed[0].suppressed == "no reason given"
    assert messages(meta) == [("GIM001", 10, "suppression of GIM201 without a reason", "warning")]


def test_golintim_ignore_without_rule_id():
    kept, suppressed, meta = run([finding("GIM201", 10)], [trailing(10, "//golintim:ignore because")])
    assert len(kept) == 1
    assert "without a rule ID" in meta[0].message


def test_unused_only_for_rules_that_ran():
    directives = [trailing(10, "//golintim:ignore GIM201 why"), trailing(11, "//nolint:GIM301")]
    _, _, meta = run([], directives, active={"GIM001", "GIM301"})
    assert [m.location.line for m in meta] == [11]


def test_meta_does_not_need_gim001_among_the_rules_that_ran():
    _, _, meta = run([], [trailing(10, "//golintim:ignore GIM201")], active={"GIM201"})
    assert [m.message for m in meta] == [
        "suppression of GIM201 without a reason",
        "unused suppression for GIM201: no GIM201 finding on line 10",
    ]


def test_unknown_rule_reported_when_known_rules_given():
    _, _, meta = run([], [trailing(10, "//golintim:ignore GIM2O1 typo")], known_rules=ACTIVE)
    # "GIM2O1" (letter O) is not a rule ID: the ignore names no rule at all.
    assert [m.message.split(";")[0] for m in meta] == ["golintim:ignore without a rule ID"]
    _, _, meta = run([], [trailing(10, "//golintim:ignore GIM299 typo")], known_rules=ACTIVE)
    assert messages(meta) == [("GIM001", 10, "suppression names unknown rule GIM299", "warning")]


def test_two_directives_for_one_finding_are_both_used():
    f = finding("GIM201", 10)
    kept, suppressed, meta = run(
        [f],
        [
            above(9, "//golintim:ignore GIM201 pooled"),
            trailing(10, "//nolint:GIM201 // pooled"),
        ],
    )
    assert kept == [] and len(suppressed) == 1 and meta == []


def test_directive_naming_gim001_silences_its_own_complaint():
    _, suppressed, meta = run([], [trailing(10, "//golintim:ignore GIM201,GIM001 kept for the next release")])
    assert meta == []
    assert [(s.rule_id, s.suppressed) for s in suppressed] == [("GIM001", "kept for the next release")]


def test_meta_findings_are_sorted_and_have_stable_fingerprints():
    d1 = [trailing(20, "//nolint:GIM202"), trailing(10, "//golintim:ignore GIM201")]
    _, _, meta = run([], d1)
    assert [m.location.line for m in meta] == [10, 10, 20]
    shifted = [Directive(d.path, d.line + 5, d.col, d.text, d.own_line) for d in d1]
    _, _, meta2 = run([], shifted)
    assert {m.fingerprint for m in meta} == {m.fingerprint for m in meta2}


def test_kept_preserves_order():
    fs = [finding("GIM301", 30), finding("GIM101", 5), finding("GIM201", 10)]
    kept, _, _ = run(fs, [trailing(10, "//nolint:GIM201")])
    assert kept == [fs[0], fs[1]]


# -- golangci-lint habits (issue 14) -----------------------------------------

LEAKY = """package api

import "net/http"

{directive}
func Fetch(u string) int {{
	resp, err := http.Get(u)
	if err != nil {{
		return 0
	}}
	return resp.StatusCode
}}
"""


def _analyse(tmp_path, directive: str):
    from golint_im.engine import Options, analyse

    (tmp_path / "go.mod").write_text("module example.com/api\n")
    (tmp_path / "api.go").write_text(LEAKY.format(directive=directive))
    result, _ = analyse(Options(paths=[str(tmp_path)], base=str(tmp_path), cache_dir=None))
    return result


def test_nolint_on_top_of_a_func_covers_the_whole_declaration(tmp_path):
    plain = _analyse(tmp_path, "// Fetch returns a status.")
    assert [f.rule_id for f in plain.findings] == ["GIM203"]
    for directive in (
        "//nolint:GIM203 // the caller drains it",
        "//nolint:http-body-leak // drained",
        "// Fetch returns a status.\n//nolint:GIM203 // drained by the caller",
    ):
        result = _analyse(tmp_path, directive)
        assert result.findings == [], directive
        assert [f.rule_id for f in result.suppressed] == ["GIM203"]


def test_nolint_separated_by_a_blank_line_covers_nothing_below(tmp_path):
    result = _analyse(tmp_path, "//nolint:GIM203 // drained\n")
    assert sorted(f.rule_id for f in result.findings) == ["GIM001", "GIM203"]


def test_rule_names_work_like_ids_and_near_misses_are_reported():
    assert parse_directive("//nolint:http-body-leak", {"http-body-leak": "GIM203"}).rules == {"GIM203"}
    p = parse_directive("//golintim:ignore grpc-conn-leak pooled", {"grpc-conn-leak": "GIM201"})
    assert (p.rules, p.reason) == ({"GIM201"}, "pooled")
    assert parse_directive("//nolint:errcheck,gosec", {"http-body-leak": "GIM203"}) is None
    _, _, meta = run([finding("GIM203", 10)], [trailing(10, "//nolint:http-body-leek // drained")])
    assert messages(meta) == [
        ("GIM001", 10, "suppression names unknown rule 'http-body-leek' (did you mean http-body-leak?)", "warning")
    ]
    _, _, meta = run([], [trailing(10, "//nolint:GIM2O1")])
    assert [m.message for m in meta] == ["suppression names unknown rule 'GIM2O1' (did you mean a GIMnnn rule ID?)"]
    _, _, meta = run([], [trailing(10, "//nolint:GIM299 // typo")])
    assert [m.message for m in meta] == ["suppression names unknown rule GIM299"]


def test_unused_func_level_suppression_names_the_lines():
    _, _, meta = run([], [Directive(PATH, 5, 1, "//nolint:GIM201 // pooled", True, end_line=12)])
    assert [m.message for m in meta] == ["unused suppression for GIM201: no GIM201 finding in lines 6-12"]
