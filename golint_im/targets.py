"""What a `check PATH...` run analyses, what it reports, and where paths start.

The answer must not depend on the directory golint-im is started from: the
same repository and config must give the same findings, paths, exclusions,
baseline matches and SARIF URIs from its root, from its parent or from `/`.
So every path is made relative to one fixed root, chosen like golangci-lint
does: the folder of the config file, else the git top level, else the
analysed root (the common parent of the paths).

Rules are whole-program: a finding in `internal/` can depend on a caller in
`cmd/`. So `check internal` analyses the Go module(s) that contain `internal`
(the nearest `go.mod` above it) and then reports only the findings located
under `internal`, the way the pre-commit hook analyses the repository and
reports on the staged files.

Go path patterns are accepted because Go users type them: `./...` and
`pkg/...` mean the directory and everything below it, which is what a
directory argument always means here.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .discover import SKIP_DIRS, UsageError

GO_PATTERN_SUFFIX = "..."


@dataclass(frozen=True)
class Targets:
    """Where to look, what to show, and the root every path is relative to."""

    root: Path  # display paths, excludes, baselines and SARIF URIs are relative to it
    analyse: list[str]  # absolute directories or files handed to discovery
    report: list[str] | None  # root-relative path prefixes findings must lie in; None: all


def strip_go_pattern(path: str) -> str:
    """`./...` -> `.`, `pkg/...` -> `pkg`, `...` -> `.`; anything else unchanged."""
    if path == GO_PATTERN_SUFFIX:
        return "."
    for sep in ("/", os.sep):
        suffix = sep + GO_PATTERN_SUFFIX
        if path.endswith(suffix):
            return path[: -len(suffix)] or sep
    return path


def git_toplevel(directory: Path) -> Path | None:
    """The git work tree holding directory, or None (not a repository, no git)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except OSError:
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip()).resolve()


def module_root(directory: Path, stop: Path | None) -> Path | None:
    """The directory of the nearest go.mod at or above directory, not above stop."""
    d = directory
    while True:
        if (d / "go.mod").is_file():
            return d
        if d == stop or d.parent == d:
            return None
        d = d.parent


def _contains(outer: Path, inner: Path) -> bool:
    return inner == outer or outer in inner.parents


def _common_dir(paths: list[Path]) -> Path:
    dirs = [p if p.is_dir() else p.parent for p in paths]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def _skipped_on_the_way(root: Path, path: Path) -> bool:
    """True when a directory between root and path is one discovery never enters
    (vendor/, testdata/, hidden or `_`-prefixed): linking its module would not
    reach path, so path is analysed as given."""
    rel = path.relative_to(root).parts
    return any(p in SKIP_DIRS or p.startswith((".", "_")) for p in rel[:-1] if p)


def resolve_targets(paths: list[str], config_root: Path | None, link_modules: bool = True) -> Targets:
    """Expand PATHs to the modules they need and pick the fixed root.

    config_root is the folder of the config file in use, if any. The root is
    the first of config folder, git top level and analysed root that holds
    every analysed path (so two checkouts side by side, outside any
    repository, keep their common parent as before).
    """
    given: list[Path] = []
    for p in paths or ["."]:
        spelled = strip_go_pattern(p)
        path = Path(spelled)
        if not path.exists():
            raise UsageError(f"path does not exist: {p}")
        given.append(path.resolve())

    common = _common_dir(given)
    top = git_toplevel(common)
    analyse: list[Path] = []
    narrowed = False
    for path in given:
        start = path if path.is_dir() else path.parent
        mod = module_root(start, top) if link_modules else None
        if mod is not None and mod != path and not _skipped_on_the_way(mod, path):
            analyse.append(mod)
            narrowed = True
        else:
            analyse.append(path)
    # A module already holding another analysed path makes that path redundant.
    dedup: list[Path] = []
    for a in sorted(set(analyse), key=lambda x: (len(x.parts), str(x))):
        if not any(a != d and d.is_dir() and _contains(d, a) for d in dedup):
            dedup.append(a)
    analysed_common = _common_dir(dedup)

    root = analysed_common
    for candidate in (config_root, top):
        if candidate is not None and all(_contains(candidate, a) for a in dedup):
            root = candidate.resolve()
            break

    report: list[str] | None = None
    if narrowed:
        report = []
        for path in given:
            rel = os.path.relpath(path, root)
            report.append("" if rel == "." else Path(rel).as_posix())
        if "" in report:
            report = None
    order = {a: i for i, a in enumerate(analyse)}
    dedup.sort(key=lambda a: order.get(a, len(order)))
    return Targets(root=root, analyse=[str(a) for a in dedup], report=report)


def in_report(path: str, prefixes: list[str] | None) -> bool:
    """True when a root-relative path lies in one of the reported prefixes."""
    if prefixes is None:
        return True
    return any(path == p or path.startswith(p + "/") for p in prefixes)
