"""Config discovery, loading, strict validation and rule selection."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from golint_im.config import (
    Config,
    ConfigError,
    find_config,
    find_key_line,
    load_config,
    path_excluded,
    select_rules,
)

RULES = {"GIM001", "GIM101", "GIM201", "GIM202", "GIM203", "GIM204", "GIM301", "GIM302"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path, RULES)
    return info.value


# -- find_config ------------------------------------------------------------


def test_find_config_walks_up_to_the_nearest_file(tmp_path):
    cfg = write(tmp_path / "repo" / ".golint-im.toml", "")
    deep = tmp_path / "repo" / "internal" / "push"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg.resolve()
    assert find_config(deep / "push.go") == cfg.resolve()  # a file: start at its directory


def test_find_config_prefers_dotfile_over_pyproject_in_same_dir(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.golint-im]\nselect = ['GIM1']\n")
    dot = write(tmp_path / ".golint-im.toml", "")
    assert find_config(tmp_path) == dot.resolve()


def test_find_config_uses_pyproject_only_with_our_table(tmp_path):
    write(tmp_path / "a" / "pyproject.toml", "[tool.golint-im]\nignore = ['GIM302']\n")
    write(tmp_path / "a" / "b" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert find_config(tmp_path / "a" / "b") == (tmp_path / "a" / "pyproject.toml").resolve()


def test_find_config_reports_broken_pyproject_meant_for_us(tmp_path):
    broken = write(tmp_path / "pyproject.toml", "[tool.golint-im]\nselect = [\n")
    assert find_config(tmp_path) == broken.resolve()
    assert "invalid TOML" in str(load_error(broken))


def test_find_config_stops_at_repository_top(tmp_path):
    write(tmp_path / ".golint-im.toml", "")  # outside the repository: not used
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    assert find_config(repo / "pkg") is None
    inside = write(repo / ".golint-im.toml", "")
    assert find_config(repo / "pkg") == inside.resolve()  # the top itself is checked


# -- load_config ------------------------------------------------------------


def test_load_none_gives_defaults():
    cfg = load_config(None, RULES)
    assert cfg == Config()
    assert cfg.select is None and cfg.ignore == [] and cfg.source is None


def test_load_full_config(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        select = ["GIM1", "gim201"]
        ignore = ["GIM302"]
        exclude = ["**/mocks/**", "*.pb.go"]
        hash-sinks = ["mypkg.Ring.Add"]

        [severity]
        GIM201 = "error"
        GIM101 = "note"

        [resources.GIM201]
        constructors = ["mypkg.MustDial"]

        [resources.GIM202]
        keep-on-failure = ["wire.NewSession"]
        """,
    )
    cfg = load_config(path, RULES)
    assert cfg.select == ["GIM1", "GIM201"]
    assert cfg.ignore == ["GIM302"]
    assert cfg.exclude == ["**/mocks/**", "*.pb.go"]
    assert cfg.hash_sinks == ["mypkg.Ring.Add"]
    assert cfg.severity == {"GIM201": "error", "GIM101": "note"}
    assert cfg.resources == {
        "GIM201": {"constructors": ["mypkg.MustDial"]},
        "GIM202": {"keep-on-failure": ["wire.NewSession"]},
    }
    assert cfg.source == str(path)
    assert cfg.root == tmp_path.resolve()


def test_hash_sinks_underscore_spelling(tmp_path):
    path = write(tmp_path / ".golint-im.toml", 'hash_sinks = ["a.Ring.Add"]\n')
    assert load_config(path, RULES).hash_sinks == ["a.Ring.Add"]


def test_both_hash_sink_spellings_is_an_error(tmp_path):
    path = write(tmp_path / ".golint-im.toml", 'hash-sinks = ["a.R.Add"]\nhash_sinks = ["a.R.Add"]\n')
    err = load_error(path)
    assert err.line == 2 and "both" in str(err)


def test_pyproject_table(tmp_path):
    path = write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "x"

        [tool.golint-im]
        ignore = ["GIM3"]

        [tool.golint-im.severity]
        GIM202 = "warning"
        """,
    )
    cfg = load_config(path, RULES)
    assert cfg.ignore == ["GIM3"]
    assert cfg.severity == {"GIM202": "warning"}


def test_pyproject_without_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert "no [tool.golint-im] table" in str(load_error(path))


def test_pyproject_unknown_key_line_is_inside_our_table(tmp_path):
    path = write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "x"
        selct = "not ours, other table"

        [tool.golint-im]
        selct = ["GIM1"]
        """,
    )
    err = load_error(path)
    assert str(err).startswith(f"{path}:6: unknown key 'selct'")


def test_unknown_top_level_key_names_file_line_and_key(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        # project settings
        select = ["GIM1"]
        selct = ["GIM2"]
        """,
    )
    err = load_error(path)
    assert str(err) == (
        f"{path}:3: unknown key 'selct' (known: select, ignore, exclude, severity, resources, hash-sinks, baseline)"
    )
    assert (err.path, err.line, err.key) == (str(path), 3, "selct")


def test_unknown_rule_in_multiline_select_points_at_its_line(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        ignore = [
          "GIM101",
          "GIM999",
        ]
        """,
    )
    err = load_error(path)
    assert str(err).startswith(f"{path}:3: unknown rule or prefix 'GIM999' in 'ignore'")


def test_unknown_rule_in_severity_table(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        [severity]
        GIM201 = "error"
        GIM299 = "error"
        """,
    )
    err = load_error(path)
    assert err.line == 3 and "unknown rule 'GIM299'" in str(err) and err.key == "severity.GIM299"


def test_unknown_rule_in_inline_severity_table(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        select = ["GIM2"]
        severity = { GIM201 = "error", GIM777 = "note" }
        """,
    )
    assert load_error(path).line == 2


def test_bad_severity_value(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        [severity]
        GIM201 = "fatal"
        """,
    )
    err = load_error(path)
    assert err.line == 2
    assert "bad severity 'fatal' for 'GIM201' (use one of: error, warning, note)" in str(err)


def test_unknown_rule_in_resources(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        [resources.GIM299]
        constructors = ["a.Dial"]
        """,
    )
    err = load_error(path)
    assert err.line == 1 and "unknown rule 'GIM299' in 'resources'" in str(err)


def test_unknown_resource_key(tmp_path):
    path = write(
        tmp_path / ".golint-im.toml",
        """
        [resources.GIM201]
        constructors = ["a.Dial"]
        constructr = ["a.MustDial"]
        """,
    )
    err = load_error(path)
    assert err.line == 3 and "unknown key 'constructr' in 'resources.GIM201'" in str(err)


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ('select = "GIM1"\n', 1, "'select' must be a list of strings, not a string"),
        ('exclude = ["a", 3]\n', 1, "found a number 3"),
        ('severity = "error"\n', 1, "'severity' must be a table"),
        ('\nresources = ["GIM201"]\n', 2, "'resources' must be a table"),
        ('[resources]\nGIM201 = "a.Dial"\n', 2, "'resources.GIM201' must be a table"),
        ('[resources.GIM201]\nconstructors = "a.Dial"\n', 2, "must be a list of strings"),
        ('hash-sinks = ["Add"]\n', 1, "qualified Go names"),
        ('exclude = [""]\n', 1, "empty pattern"),
    ],
)
def test_wrong_types(tmp_path, text, line, fragment):
    path = tmp_path / ".golint-im.toml"
    path.write_text(text)
    err = load_error(path)
    assert err.line == line, str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"{path}:{line}: ")


def test_malformed_toml_keeps_tomllib_position(tmp_path):
    path = write(tmp_path / ".golint-im.toml", 'select = ["GIM1"]\nignore = [GIM2]\n')
    msg = str(load_error(path))
    assert msg.startswith(f"{path}: invalid TOML: ")
    assert "line 2" in msg


def test_unreadable_and_non_utf8(tmp_path):
    assert "cannot read config" in str(load_error(tmp_path / "missing.toml"))
    bad = tmp_path / ".golint-im.toml"
    bad.write_bytes(b'select = ["\xff"]\n')
    assert "not UTF-8" in str(load_error(bad))


def test_find_key_line_forms():
    text = textwrap.dedent("""
        a = 1
        [tool."golint-im"]   # quoted header
        b = { c = 1 }
        [tool.golint-im.d]
        e.f = 2
        """).lstrip("\n")
    assert find_key_line(text, ("tool", "golint-im", "b", "c")) == 3
    assert find_key_line(text, ("tool", "golint-im", "d")) == 4
    assert find_key_line(text, ("tool", "golint-im", "d", "e", "f")) == 5
    assert find_key_line(text, ("nowhere",)) == 0


# -- select_rules -----------------------------------------------------------


def test_select_defaults_to_all():
    assert select_rules(RULES, Config(), None, None) == RULES
    assert select_rules(RULES, None, (), ()) == RULES  # click passes () when absent


def test_select_prefix_and_ignore():
    cfg = Config(select=["GIM2"], ignore=["GIM201"])
    assert select_rules(RULES, cfg, None, None) == {"GIM202", "GIM203", "GIM204"}


def test_more_specific_selector_wins():
    cfg = Config(select=["GIM201"], ignore=["GIM2"])
    assert select_rules(RULES, cfg, None, None) == {"GIM201"}


def test_cli_select_replaces_config_select_and_ignore():
    cfg = Config(select=["GIM1"], ignore=["GIM201"])
    assert select_rules(RULES, cfg, ["GIM201"], None) == {"GIM201"}


def test_cli_ignore_adds_to_config():
    cfg = Config(ignore=["GIM3"])
    assert select_rules(RULES, cfg, None, "gim2, GIM001") == {"GIM101"}


def test_cli_comma_separated_and_all():
    assert select_rules(RULES, None, ["GIM101,GIM301"], None) == {"GIM101", "GIM301"}
    assert select_rules(RULES, None, ["ALL"], ["GIM1", "GIM2", "GIM3"]) == {"GIM001"}


@pytest.mark.parametrize("select, ignore, flag", [(["GIM9"], None, "--select"), (None, ["GIM2O1"], "--ignore")])
def test_unknown_selector_on_cli(select, ignore, flag):
    with pytest.raises(ConfigError) as info:
        select_rules(RULES, None, select, ignore)
    assert flag in str(info.value) and "unknown rule or prefix" in str(info.value)


# -- exclude ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path, excluded",
    [
        ("mocks/a.go", True),
        ("internal/mocks/a.go", True),
        ("internal/mocksx/a.go", False),
        ("pkg/api.pb.go", True),
        ("api.pb.go", True),
        ("pkg/api.go", False),
        ("internal/gen/x/y.go", True),  # a directory pattern covers what is below it
        ("./internal/gen/z.go", True),
        ("src/internal/gen/z.go", False),  # with a slash: anchored at the root
        ("a/testdata/b.go", True),  # without a slash: a name anywhere
        ("a/testdatax/b.go", False),
    ],
)
def test_exclude_globs(path, excluded):
    cfg = Config(exclude=["**/mocks/**", "*.pb.go", "internal/gen", "testdata"])
    assert cfg.is_excluded(path) is excluded
    assert path_excluded(path, cfg.exclude) is excluded
