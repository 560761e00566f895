"""Find the Go files to analyse and the module each belongs to.

Several roots in one run are one deployment: the cross-repository rules
need all of them in one program. Display paths are relative to the common
parent of the roots so two checkouts stay distinguishable in reports.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .escape import utf8
from .findings import Notice
from .safeio import read_regular

SKIP_DIRS = {"vendor", "testdata", "node_modules"}
_MODULE = re.compile(r"^\s*module\s+\"?([^\s\"]+)\"?", re.M)


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


@dataclass(frozen=True)
class SourceFile:
    abs_path: str
    rel_path: str  # display path, forward slashes
    module: str  # module path from the nearest go.mod ("" if none)
    module_dir: str  # rel_path of the module root directory ("" at top)
    package_dir: str  # rel dir of the file
    is_test: bool
    import_path: str = ""  # Go import path of the file's package


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    base: str = ""  # the directory display paths are relative to


def _common_base(roots: list[Path]) -> Path:
    """The working directory when every root is inside it (paths then read like
    golangci-lint's and match a repository's layout for code scanning), else the
    roots' common parent directory."""
    dirs = [r if r.is_dir() else r.parent for r in roots]
    cwd = Path.cwd().resolve()
    if all(d == cwd or cwd in d.parents for d in dirs):
        return cwd
    if len(dirs) == 1:
        return dirs[0]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def discover(paths: list[str], exclude: list[str] | None = None, base: str | None = None) -> Discovery:
    if not paths:
        paths = ["."]
    roots = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise UsageError(f"path does not exist: {p}")
        roots.append(path.resolve())
    base_dir = Path(base).resolve() if base else _common_base(roots)
    result = Discovery(base=str(base_dir))
    seen: set[str] = set()
    modules: dict[str, str] = {}  # abs dir -> module path (cache of go.mod lookups)
    inside = [str(r if r.is_dir() else r.parent) for r in roots]
    links: list[Path] = []  # added after every real file: a file and a link to it are reported at the file
    for root in roots:
        if root.is_file():
            if root.suffix == ".go":
                _add(result, root, base_dir, seen, modules, exclude)
            continue

        def unreadable(e: OSError, base_dir=base_dir) -> None:
            # Its files would silently be missing from the report (README: reported, like an unreadable file).
            where = _rel(Path(e.filename), base_dir) if e.filename else ""
            result.notices.append(
                Notice(where, f"cannot read directory: {e.strerror or e}; its files are not analysed")
            )

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d not in SKIP_DIRS)
            for name in sorted(filenames):
                if not name.endswith(".go"):
                    continue
                full = Path(dirpath) / name
                if full.is_symlink():
                    try:
                        target = full.resolve(strict=True)
                    except (OSError, RuntimeError):  # a loop (RuntimeError before 3.13) or dangling
                        result.notices.append(Notice(_rel(full, base_dir), "broken symlink or symlink loop; skipped"))
                        continue
                    if not any(str(target).startswith(i + os.sep) for i in inside):
                        result.notices.append(
                            Notice(_rel(full, base_dir), "symlink points outside the analysed roots; skipped")
                        )
                        continue
                    if target.is_file():
                        links.append(full)
                        continue
                if not full.is_file():  # a FIFO or device would block the reader forever
                    result.notices.append(Notice(_rel(full, base_dir), "not a regular file; skipped"))
                    continue
                _add(result, full, base_dir, seen, modules, exclude)
    for full in links:
        _add(result, full, base_dir, seen, modules, exclude)
    result.files.sort(key=lambda f: f.rel_path)
    return result


def _rel(path: Path, base: Path) -> str:
    try:
        rel = path.relative_to(base).as_posix()
    except ValueError:
        return path.name
    return "" if rel == "." else rel


def _add(result, full: Path, base: Path, seen, modules, exclude):
    key = str(full.resolve()) if full.is_symlink() else str(full)
    if key in seen:
        return
    seen.add(key)
    rel = _rel(full, base)
    if exclude and any(fnmatch.fnmatch(rel, pat) for pat in exclude):
        return
    module, module_dir = _module_for(full.parent, modules)
    package_dir = _rel(full.parent, base)
    if module:
        sub = Path(full.parent).relative_to(module_dir).as_posix()
        ipath = module if sub == "." else f"{module}/{sub}"
    else:
        ipath = package_dir or "."
    result.files.append(
        SourceFile(
            abs_path=str(full),
            rel_path=rel,
            module=module,
            module_dir=_rel(Path(module_dir), base) if module_dir else "",
            package_dir=package_dir,
            is_test=full.name.endswith("_test.go"),
            import_path=_safe_import_path(ipath),
        )
    )


# Characters Go allows in an import path, which the model's qualified names
# (`importpath#Type`) rely on. A directory named `a#b` or `x y` cannot be a Go
# package, but it must not hide the code in it either.
_IMPORT_UNSAFE = re.compile(r"[^\w\-.~+/]")


def _safe_import_path(path: str) -> str:
    """path with every other character percent-encoded: injective, and unchanged for any real import path."""
    return _IMPORT_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in utf8(m.group())), path)


def _module_for(directory: Path, cache: dict) -> tuple[str, str]:
    """Nearest go.mod upwards: (module path, module dir)."""
    chain = []
    d = directory
    found = ("", "")
    while True:
        key = str(d)
        if key in cache:
            found = cache[key]
            break
        chain.append(key)
        gomod = d / "go.mod"
        if gomod.is_file():
            try:
                # Regular files only: a go.mod swapped for a FIFO after the check cannot hang the run.
                m = _MODULE.search(read_regular(gomod, 1 << 20).decode("utf-8", "replace"))
            except OSError:
                m = None
            found = (m.group(1) if m else "", key)
            break
        if d.parent == d:
            break
        d = d.parent
    for key in chain:
        cache[key] = found
    return found
