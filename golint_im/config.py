"""Project configuration: `.golint-im.toml` or `[tool.golint-im]` in pyproject.toml.

Validation is strict on purpose: a misspelt key or rule ID that is silently
ignored means a check the user believes is on is off. Every error names the
file, the line and the key, so the user can fix it without guessing.

Example `.golint-im.toml`::

    select = ["GIM1", "GIM201"]       # rule IDs or prefixes; default: all
    ignore = ["GIM302"]
    exclude = ["**/mocks/**", "*.pb.go"]   # not analysed at all, relative to this file's folder
    hash-sinks = ["mypkg.Ring.Add"]
    baseline = ".golint-im-baseline.json"  # hide the findings recorded there

    [severity]
    GIM201 = "error"

    [resources.GIM201]
    constructors = ["mypkg.MustDial"]
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .globs import GlobError, GlobSet
from .safeio import read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MAX_CONFIG_BYTES = 16 * 1024 * 1024
CONFIG_FILE = ".golint-im.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "golint-im")

KNOWN_KEYS = ("select", "ignore", "exclude", "severity", "resources", "hash-sinks", "baseline")
SEVERITIES = ("error", "warning", "note")
# What a `[resources.GIMxxx]` table may add to a rule's resource catalog.
RESOURCE_KEYS = ("constructors", "closers", "keep-on-failure")
# A selector that names every rule, like ruff's ALL.
ALL = "ALL"


class ConfigError(Exception):
    """A configuration problem; str() is the message to show the user."""

    def __init__(self, message: str, *, path: str | None = None, line: int = 0, key: str = ""):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key

    def __str__(self) -> str:
        return self.message


@dataclass
class Config:
    select: list[str] | None = None  # None: every rule
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    resources: dict[str, dict] = field(default_factory=dict)
    hash_sinks: list[str] = field(default_factory=list)
    baseline: str | None = None  # baseline file, relative to the config's folder
    source: str | None = None  # the config file as named in messages
    root: Path | None = None  # the directory that holds the config file

    def is_excluded(self, relpath: str) -> bool:
        """True when a forward-slash relative path matches an `exclude` glob."""
        return path_excluded(relpath, self.exclude)


# --------------------------------------------------------------------------
# Finding the file


def find_config(start: Path) -> Path | None:
    """The nearest config at or above start.

    In each directory `.golint-im.toml` wins over a pyproject.toml with a
    `[tool.golint-im]` table. The walk stops at the filesystem root or after
    checking a directory that holds `.git` (the repository top).
    """
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    while True:
        candidate = here / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = here / PYPROJECT
        if pyproject.is_file() and _pyproject_has_table(pyproject):
            return pyproject
        if (here / ".git").exists() or here.parent == here:
            return None
        here = here.parent


_PYPROJECT_HEADER = re.compile(r"""^\s*\[\s*tool\s*\.\s*(golint-im|"golint-im"|'golint-im')\s*[\].]""", re.M)


def _pyproject_has_table(path: Path) -> bool:
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        # Broken, but clearly meant for us: let load_config report why.
        return bool(_PYPROJECT_HEADER.search(text))
    tool = data.get("tool")
    return isinstance(tool, dict) and "golint-im" in tool


# --------------------------------------------------------------------------
# Loading and validating


def load_config(path: Path | None, known_rules: set[str]) -> Config:
    """Read and validate a config file; None gives the defaults."""
    if path is None:
        return Config()
    try:
        return _load_config(Path(path), known_rules)
    except RecursionError:  # tomllib, or a repr() of the offending value, on `a = [[[[...]]]]`
        raise ConfigError(f"{path}: invalid TOML: nested too deeply", path=str(path)) from None


def _load_config(path: Path, known_rules: set[str]) -> Config:
    source = str(path)
    try:
        data = read_regular(path, MAX_CONFIG_BYTES)  # a FIFO or device named as the config cannot hang the run
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{source}: config larger than {MAX_CONFIG_BYTES >> 20} MB", path=source)
        text = data.decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read config: {exc.strerror or exc}", path=source) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: config is not UTF-8", path=source) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}", path=source) from None

    table: tuple[str, ...] = ()
    if path.name == PYPROJECT:
        table = PYPROJECT_TABLE
        tool = data.get("tool")
        if not isinstance(tool, dict) or "golint-im" not in tool:
            raise ConfigError(f"{source}: no [tool.golint-im] table", path=source)
        data = tool["golint-im"]
        if not isinstance(data, dict):
            _fail(source, text, ("tool",), ("golint-im",), "'tool.golint-im' must be a table")
    validator = _Validator(source, text, table, {r.upper() for r in known_rules})
    config = validator.run(data)
    config.source = source
    config.root = path.resolve().parent
    return config


class _Validator:
    def __init__(self, source: str, text: str, table: tuple[str, ...], known: set[str]):
        self.source = source
        self.text = text
        self.table = table
        self.known = known

    def fail(self, keys: tuple[str, ...], what: str, value: str | None = None):
        _fail(self.source, self.text, self.table, keys, what, value)

    def run(self, data: dict) -> Config:
        config = Config()
        for key in data:
            if key not in KNOWN_KEYS and key != "hash_sinks":
                self.fail((key,), f"unknown key '{key}' (known: {', '.join(KNOWN_KEYS)})")
        if "hash-sinks" in data and "hash_sinks" in data:
            self.fail(("hash_sinks",), "both 'hash-sinks' and 'hash_sinks' are set; keep one")

        if "select" in data:
            config.select = self.rule_selectors("select", data["select"])
        if "ignore" in data:
            config.ignore = self.rule_selectors("ignore", data["ignore"])
        if "exclude" in data:
            config.exclude = self.strings("exclude", data["exclude"])
            for pattern in config.exclude:
                if not pattern.strip():
                    self.fail(("exclude",), "empty pattern in 'exclude'", pattern)
            try:
                GlobSet(config.exclude)
            except GlobError as e:
                self.fail(("exclude",), f"unusable 'exclude': {e}")
        if "severity" in data:
            config.severity = self.severity(data["severity"])
        if "resources" in data:
            config.resources = self.resources(data["resources"])
        for key in ("hash-sinks", "hash_sinks"):
            if key in data:
                config.hash_sinks = self.names((key,), data[key])
        if "baseline" in data:
            value = data["baseline"]
            if not isinstance(value, str) or not value.strip():
                self.fail(("baseline",), f"'baseline' must be a file name, not {_toml_type(value)} {value!r}")
            config.baseline = value
        return config

    def strings(self, key: str, value, keys: tuple[str, ...] | None = None) -> list[str]:
        keys = keys or (key,)
        dotted = ".".join(keys)
        if not isinstance(value, list):
            self.fail(keys, f"'{dotted}' must be a list of strings, not {_toml_type(value)}")
        for item in value:
            if not isinstance(item, str):
                self.fail(keys, f"'{dotted}' must be a list of strings; found {_toml_type(item)} {item!r}")
        return list(value)

    def names(self, keys: tuple[str, ...], value) -> list[str]:
        items = self.strings(keys[-1], value, keys)
        for item in items:
            if not item or any(ch.isspace() for ch in item) or "." not in item:
                self.fail(
                    keys,
                    f"'{'.'.join(keys)}' entries are qualified Go names like 'pkg.Func' "
                    f"or 'pkg.Type.Method'; got {item!r}",
                    item,
                )
        return items

    def rule_selectors(self, key: str, value) -> list[str]:
        items = self.strings(key, value)
        out = []
        for item in items:
            sel = item.strip().upper()
            if not _matches(sel, self.known):
                self.fail(
                    (key,), f"unknown rule or prefix '{item}' in '{key}' (known: {_known_list(self.known)})", item
                )
            out.append(sel)
        return out

    def rule_id(self, keys: tuple[str, ...], rule: str) -> str:
        if rule.upper() not in self.known:
            self.fail(keys, f"unknown rule '{rule}' in '{keys[0]}' (known: {_known_list(self.known)})")
        return rule.upper()

    def severity(self, value) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(
                ("severity",), f"'severity' must be a table of rule = \"error|warning|note\", not {_toml_type(value)}"
            )
        out = {}
        for rule, level in value.items():
            keys = ("severity", rule)
            rid = self.rule_id(keys, rule)
            if not isinstance(level, str) or level not in SEVERITIES:
                self.fail(keys, f"bad severity {level!r} for '{rule}' (use one of: {', '.join(SEVERITIES)})")
            out[rid] = level
        return out

    def resources(self, value) -> dict[str, dict]:
        if not isinstance(value, dict):
            self.fail(("resources",), f"'resources' must be a table of rule tables, not {_toml_type(value)}")
        out: dict[str, dict] = {}
        for rule, entry in value.items():
            keys = ("resources", rule)
            rid = self.rule_id(keys, rule)
            if not isinstance(entry, dict):
                self.fail(keys, f"'resources.{rule}' must be a table, not {_toml_type(entry)}")
            catalog = {}
            for sub, names in entry.items():
                if sub not in RESOURCE_KEYS:
                    self.fail(
                        keys + (sub,), f"unknown key '{sub}' in 'resources.{rule}' (known: {', '.join(RESOURCE_KEYS)})"
                    )
                catalog[sub] = self.names(keys + (sub,), names)
            out[rid] = catalog
        return out


def _toml_type(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _known_list(known: set[str]) -> str:
    return ", ".join(sorted(known)) or "none"


def _fail(source: str, text: str, table: tuple[str, ...], keys: tuple[str, ...], what: str, value: str | None = None):
    line = find_key_line(text, table + keys, value)
    where = f"{source}:{line}" if line else source
    raise ConfigError(f"{where}: {what}", path=source, line=line, key=".".join(keys))


# --------------------------------------------------------------------------
# Line numbers (tomllib does not report where a key is)

_KEY_RE = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*""")


def _split_dotted(s: str) -> list[str] | None:
    """Split a TOML dotted key (`a."b.c".d`) into parts; None if it is not one."""
    parts, pos = [], 0
    while True:
        m = _KEY_RE.match(s, pos)
        if not m:
            return None
        tok = m.group(1)
        parts.append(tok[1:-1] if tok[0] in "\"'" else tok)
        pos = m.end()
        if pos == len(s):
            return parts
        if s[pos] != ".":
            return None
        pos += 1


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def find_key_line(text: str, keys: tuple[str, ...], value: str | None = None) -> int:
    """Best-effort 1-based line of the key path `keys` in TOML text; 0 if unknown.

    Understands `[a.b]` headers, dotted keys (`a.b = ...`) and one-line inline
    tables. With value, prefers the line where that string value appears
    inside the key's (possibly multi-line) array.
    """
    lines = text.splitlines()
    current: list[str] = []
    best = 0
    for no, raw in enumerate(lines, 1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if line.startswith("[") and not line.startswith("[["):
            header = _split_dotted(line.strip("[] \t")) if line.endswith("]") else None
            if header is None:
                continue
            current = header
            if tuple(header) == keys:
                return _value_line(lines, no, value)
            if tuple(header[: len(keys)]) == keys and not best:
                best = no
            continue
        if line.startswith("[["):
            current = _split_dotted(line.strip("[] \t")) or []
            continue
        if "=" not in line:
            continue
        lhs, rhs = line.split("=", 1)
        dotted = _split_dotted(lhs.strip())
        if dotted is None:
            continue
        full = tuple(current + dotted)
        if full[: len(keys)] == keys:
            return _value_line(lines, no, value)
        # `severity = { GIM999 = "error" }`: the key is inside an inline table
        if full == keys[: len(full)] and len(full) < len(keys) and rhs.strip().startswith("{"):
            inner = keys[len(full) :]
            if re.search(r"""(^|[{,\s."'])["']?""" + re.escape(inner[0]) + r"""["']?\s*[=.]""", rhs):
                return no
            best = best or no
    return best


def _value_line(lines: list[str], start: int, value: str | None) -> int:
    """The line at or after start (within the same value) holding "value"."""
    if value is None:
        return start
    pattern = re.compile(r"""["']""" + re.escape(value) + r"""["']""")
    for no in range(start, len(lines) + 1):
        text = lines[no - 1]
        if no > start and re.match(r"\s*(\[|[A-Za-z0-9_\"'-]+\s*=)", text):
            break
        if pattern.search(text):
            return no
    return start


# --------------------------------------------------------------------------
# Rule selection


def _matches(selector: str, rule_ids: Iterable[str]) -> list[str]:
    if selector == ALL:
        return sorted(rule_ids)
    return sorted(r for r in rule_ids if r.startswith(selector))


def _split_selectors(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(s.strip().upper() for s in re.split(r"[,\s]+", value) if s.strip())
    return out


def select_rules(all_ids: Iterable[str], config: Config | None, cli_select=None, cli_ignore=None) -> set[str]:
    """The rule IDs to run.

    Selectors are rule IDs or prefixes ("GIM2" is every GIM2xx; "ALL" is
    every rule), case-insensitive; CLI values may be comma-separated strings.
    Like ruff, the command line is a layer over the config: `--select`
    replaces the config's select *and* ignore, `--ignore` alone adds to the
    config's ignore. Within a layer, the more specific selector wins
    ("select GIM2, ignore GIM201" runs GIM2xx but GIM201); on a tie, ignore wins.
    An unknown rule or prefix is a ConfigError.
    """
    ids = {r.upper() for r in all_ids}
    config = config or Config()
    cli_sel = _split_selectors(cli_select) or None  # click gives () when absent
    cli_ign = _split_selectors(cli_ignore)
    for flag, sels in (("--select", cli_sel or []), ("--ignore", cli_ign)):
        for sel in sels:
            if not _matches(sel, ids):
                raise ConfigError(f"unknown rule or prefix '{sel}' in {flag} (known: {_known_list(ids)})", key=flag)

    def apply(base: set[str], select: list[str] | None, ignore: list[str]) -> set[str]:
        chosen = set(base)
        for rule in ids:
            votes = []  # (specificity, is_ignore)
            if select is not None:
                votes += [(_specificity(s), 0) for s in select if rule in _matches(s, [rule])]
            votes += [(_specificity(s), 1) for s in ignore if rule in _matches(s, [rule])]
            if not votes:
                if select is not None:
                    chosen.discard(rule)
                continue
            _, ignored = max(votes)
            (chosen.discard if ignored else chosen.add)(rule)
        return chosen

    cfg_select = [s.upper() for s in config.select] if config.select is not None else None
    chosen = apply(ids, cfg_select, [s.upper() for s in config.ignore])
    if cli_sel is not None:
        chosen = apply(ids, cli_sel, cli_ign)
    elif cli_ign:
        chosen = apply(chosen, None, cli_ign)
    return chosen


def _specificity(selector: str) -> int:
    return -1 if selector == ALL else len(selector)


# --------------------------------------------------------------------------
# Exclude globs


_GLOB_SETS: dict[tuple[str, ...], GlobSet] = {}


def path_excluded(relpath: str, patterns: Iterable[str]) -> bool:
    """Match a forward-slash relative path against exclude globs (see globs.py), in linear time.

    `*` and `?` stay within one path segment, `**` spans segments
    (`**/mocks/**`, `vendor/**`); a pattern without a slash matches the file
    name anywhere (`*.pb.go`); a pattern that matches a directory excludes
    everything below it (`internal/gen`).
    """
    path = relpath.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    key = tuple(patterns)
    globs = _GLOB_SETS.get(key)
    if globs is None:
        globs = _GLOB_SETS[key] = GlobSet(key)
    return globs.matches(path)
