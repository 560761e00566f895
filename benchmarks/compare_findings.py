#!/usr/bin/env python3
"""Check that two revisions of golint-im report byte-identical findings on real code.

Why: the analysis-layers refactor (rules/ moved into golint_im/rules/, modules
split) must not change a single finding, message, path or line. This script
runs two revisions of this repository on the same Go checkouts and compares
their reports byte for byte.

    python benchmarks/compare_findings.py --old d7c5fb1 --new HEAD \\
        --targets-dir DIR etcd grpc-go open-im-server+openim-msggateway-proxy

    # record the old revision's reports once ...
    python benchmarks/compare_findings.py --old d7c5fb1 --new d7c5fb1 \\
        --targets-dir DIR --targets-file DIR/targets.txt --save BASELINE
    # ... then run only the new one against them (targets, target directory and
    # golint-im options default to the saved ones)
    python benchmarks/compare_findings.py --old-from BASELINE --new WORKTREE

Targets. Each positional TARGET (or line of --targets-file; blank lines and
`#` comments ignored) is one deployment: `DIR[+DIR...]`, optionally named
`NAME=DIR[+DIR...]`. The directories are relative to --targets-dir (default
$GOLINT_IM_TARGETS_DIR, else the current directory), are analysed together as
`golint-im check DIR1 DIR2 ...`, and every run uses --targets-dir as its working
directory, so display paths (`etcd/server/...`) do not depend on where the
script is started.

Revisions. A git revision of this repository, or WORKTREE (the default for
--new): the current working tree, tracked and untracked-but-not-ignored files,
copied as it is when the script starts. A revision is extracted with
`git archive` into a temporary directory outside the repository (nothing in
the repository or its .git is written). Each run is

    PYTHON -S -m golint_im check DIR... --no-cache --format {text,sarif}

with PYTHONPATH = that tree, then the interpreter's site-packages. `-S` keeps
site-packages' .pth files from running: an editable install of golint-im adds
an import hook that maps golint_im.rules to the developer's checkout, which
would shadow the old revision's own rules/ (loaded through the shim in its
golint_im/__init__.py) and make both sides run the same rules. Before the
first target, a probe imports golint_im, its CLI and every rule module from
the tree and fails if any of them comes from elsewhere. The working directory
is kept off sys.path (PYTHONSAFEPATH), XDG_CACHE_HOME points at an empty
temporary directory, and PYTHONIOENCODING is utf-8. The same interpreter runs
both revisions (default: the one running this script; --python to change).

Comparison. Per target and format: the exit code (0 and 1 are both normal;
anything else is an error) and stdout, byte for byte. Stderr (notices) is kept
with --save/--save-new but not compared; the notices are in the SARIF
`toolExecutionNotifications` anyway. In SARIF, and only there, these fields
are replaced by a placeholder before comparing, because they describe the
build or the run rather than the findings:
  runs[*].tool.driver and runs[*].tool.extensions[*]: version,
      semanticVersion, dottedQuadFileVersion (golint-im writes semanticVersion);
  runs[*].invocations[*]: startTimeUtc, endTimeUtc, processId, machine,
      account (golint-im writes none of these today).
Everything else, layout and key order included, must match exactly.

Output: one line per target, "same" or "DIFFERENT" followed by unified diffs.
Exit status: 0 every target the same, 1 a difference, 2 an error (a revision
that does not resolve, a golint-im crash or timeout, a target missing from the
saved baseline or changed since it was saved).

--save DIR writes the old revision's reports, a manifest and a fingerprint of
every target's Go sources; --old-from DIR reads them instead of running the
old revision, and refuses a target whose sources changed. --save-new DIR
keeps the new revision's reports the same way (a baseline for later runs).

Runs are sequential, one target at a time; --jobs is passed to golint-im.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

WORKTREE = "WORKTREE"
FORMATS = ("text", "sarif")
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
TARGETS_ENV = "GOLINT_IM_TARGETS_DIR"
PLACEHOLDER = '"<normalised>"'
EXIT_SAME, EXIT_DIFFERENT, EXIT_ERROR = 0, 1, 2

# Files whose content decides what golint-im reports on a target (its discovery
# reads .go files and go.mod; configuration is .golint-im.toml or pyproject.toml).
FINGERPRINTED = re.compile(r"(\.go|^go\.mod|^\.golint-im\.toml|^pyproject\.toml)$")

# Which SARIF fields are normalised: (path pattern, keys). "*" matches any array index.
_TOOL_VERSION_KEYS = frozenset({"version", "semanticVersion", "dottedQuadFileVersion"})
_RUN_SPECIFIC = (
    (("runs", "*", "tool", "driver"), _TOOL_VERSION_KEYS),
    (("runs", "*", "tool", "extensions", "*"), _TOOL_VERSION_KEYS),
    (("runs", "*", "invocations", "*"), frozenset({"startTimeUtc", "endTimeUtc", "processId", "machine", "account"})),
)

# Python variables that change what an import finds; the runs get none of them from our environment.
_IMPORT_ENV = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "PYTHONNOUSERSITE",
    "PYTHONSAFEPATH",
    "PYTHONPLATLIBDIR",
    "PYTHONEXECUTABLE",
)

PROBE = r"""
import importlib, json, os, pkgutil, sys
tree = os.path.realpath(sys.argv[1])
import golint_im, golint_im.cli, golint_im.rules
for info in pkgutil.iter_modules(golint_im.rules.__path__, "golint_im.rules."):
    importlib.import_module(info.name)
found = {name: getattr(mod, "__file__", None) for name, mod in sorted(sys.modules.items())
         if name == "golint_im" or name.startswith("golint_im.")}
outside = {n: f for n, f in found.items() if f and os.path.commonpath([os.path.realpath(f), tree]) != tree}
print(json.dumps({"modules": len(found), "outside": outside, "version": getattr(golint_im, "__version__", None)}))
"""


class HarnessError(Exception):
    """Something that makes a comparison impossible (exit 2)."""


# ---- targets ---------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    dirs: list[str]  # relative to the targets directory, as passed to golint-im

    @property
    def key(self) -> str:
        """A file-system-safe, unique-enough name for the saved outputs."""
        safe = re.sub(r"[^A-Za-z0-9._+-]+", "_", self.name).strip("._") or "target"
        return f"{safe}-{hashlib.sha256(self.name.encode()).hexdigest()[:8]}"


def parse_target(spec: str) -> Target:
    spec = spec.strip()
    name, sep, rest = spec.partition("=")
    if not sep:
        name, rest = spec, spec
    dirs = [d.strip() for d in rest.split("+") if d.strip()]
    if not name.strip() or not dirs:
        raise HarnessError(f"bad target {spec!r}: expected DIR[+DIR...] or NAME=DIR[+DIR...]")
    return Target(name=name.strip(), dirs=dirs)


def read_targets_file(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def check_target_dirs(targets: Sequence[Target], base: Path) -> None:
    names: set[str] = set()
    for t in targets:
        if t.name in names:
            raise HarnessError(f"target {t.name!r} given twice")
        names.add(t.name)
        for d in t.dirs:
            full = (base / d).resolve()
            if not full.is_dir():
                raise HarnessError(f"target {t.name}: {d} is not a directory under {base}")
            if base.resolve() not in full.parents:
                raise HarnessError(
                    f"target {t.name}: {d} is not inside the targets directory {base}; display paths would depend on it"
                )


def fingerprint(base: Path, target: Target) -> dict[str, object]:
    """Digest of the files that decide the findings (Go sources, go.mod, config), and the
    checkout's commit when a directory is the top of a git work tree."""
    h = hashlib.sha256()
    files = 0
    commits: dict[str, str] = {}
    for d in target.dirs:
        root = base / d
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(n for n in dirnames if n != ".git")
            for name in sorted(filenames):
                if not FINGERPRINTED.search(name):
                    continue
                full = Path(dirpath) / name
                rel = full.relative_to(base).as_posix()
                h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
                if full.is_symlink():
                    h.update(b"link:" + os.readlink(full).encode("utf-8", "surrogateescape"))
                elif full.is_file():
                    h.update(hashlib.sha256(full.read_bytes()).digest())
                files += 1
        commit = _git(["-C", str(root), "rev-parse", "--show-toplevel", "HEAD"], check=False)
        if commit is not None:
            top, _, head = commit.strip().partition("\n")
            if Path(top).resolve() == root.resolve():
                commits[d] = head.strip()
    return {"sha256": h.hexdigest(), "files": files, "commits": commits}


# ---- revisions ---------------------------------------------------------------------------


def _git(args: list[str], *, cwd: Path | None = None, check: bool = True) -> str | None:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        if check:
            raise HarnessError(f"git {' '.join(args)}: {proc.stderr.strip() or proc.returncode}")
        return None
    return proc.stdout


def repo_root() -> Path:
    out = _git(["rev-parse", "--show-toplevel"], cwd=Path(__file__).resolve().parent)
    assert out is not None
    return Path(out.strip())


def describe_revision(repo: Path, rev: str) -> dict[str, object]:
    if rev == WORKTREE:
        head = (_git(["rev-parse", "HEAD"], cwd=repo) or "").strip()
        status = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all"], cwd=repo) or ""
        return {
            "spec": rev,
            "commit": head,
            "dirty": bool(status),
            "status_sha256": hashlib.sha256(status.encode()).hexdigest(),
        }
    out = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=repo, check=False)
    if not out:
        raise HarnessError(f"{rev!r} is not a commit of {repo}")
    return {"spec": rev, "commit": out.strip()}


def _label(revision: dict[str, object]) -> str:
    spec, commit = str(revision["spec"]), str(revision["commit"])
    if commit.startswith(spec):
        return commit[:10]
    return f"{spec} ({commit[:10]}{', dirty' if revision.get('dirty') else ''})"


def materialise(repo: Path, revision: dict[str, object], into: Path) -> Path:
    """A copy of the revision's files in into/tree (outside the repository)."""
    tree = into / "tree"
    tree.mkdir(parents=True)
    if revision["spec"] == WORKTREE:
        listed = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=repo) or ""
        for rel in sorted(set(p for p in listed.split("\0") if p)):
            src = repo / rel
            if not os.path.lexists(src):  # deleted in the working tree
                continue
            dst = tree / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)
        return tree
    commit = str(revision["commit"])
    archive = into / "tree.tar"
    with archive.open("wb") as out:
        proc = subprocess.run(["git", "archive", "--format=tar", commit], cwd=repo, stdout=out, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise HarnessError(f"git archive {commit}: {proc.stderr.decode(errors='replace').strip()}")
    proc = subprocess.run(["tar", "-x", "-f", str(archive), "-C", str(tree)], capture_output=True)
    archive.unlink()
    if proc.returncode != 0:
        raise HarnessError(f"tar -x of {commit}: {proc.stderr.decode(errors='replace').strip()}")
    # git archive honours export-ignore attributes: make sure nothing was left out.
    expected = set(p for p in (_git(["ls-tree", "-r", "-z", "--name-only", commit], cwd=repo) or "").split("\0") if p)
    missing = sorted(p for p in expected if not os.path.lexists(tree / p))
    if missing:
        raise HarnessError(f"git archive {commit} left out {len(missing)} file(s), e.g. {missing[0]}")
    return tree


# ---- running golint-im --------------------------------------------------------------------


@dataclass
class RunOutput:
    exit_code: int
    stdout: bytes
    stderr: bytes
    seconds: float


@dataclass
class Runner:
    python: str
    tree: Path
    cwd: Path
    scratch: Path
    golint_args: list[str]
    timeout: float | None
    site_dirs: list[str] = field(default_factory=list)

    def env(self, cache_home: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _IMPORT_ENV}
        env["PYTHONPATH"] = os.pathsep.join([str(self.tree), *self.site_dirs])
        env["PYTHONSAFEPATH"] = "1"  # keep the targets directory (the cwd) off sys.path
        env["PYTHONIOENCODING"] = "utf-8"
        env["XDG_CACHE_HOME"] = str(cache_home)
        return env

    def probe(self) -> dict[str, object]:
        """Import golint_im and every rule module the way a run will; fail if any comes from outside the tree."""
        cache_home = Path(tempfile.mkdtemp(prefix="xdg-", dir=self.scratch))
        proc = subprocess.run(
            [self.python, "-S", "-c", PROBE, str(self.tree)],
            cwd=self.cwd,
            env=self.env(cache_home),
            capture_output=True,
            text=True,
        )
        shutil.rmtree(cache_home, ignore_errors=True)
        if proc.returncode != 0:
            raise HarnessError(f"cannot import golint_im from {self.tree}:\n{proc.stderr.strip()}")
        found = json.loads(proc.stdout.strip().splitlines()[-1])
        if found["outside"]:
            raise HarnessError(f"modules imported from outside {self.tree}: {found['outside']}")
        return found

    def run(self, target: Target, fmt: str) -> RunOutput:
        cache_home = Path(tempfile.mkdtemp(prefix="xdg-", dir=self.scratch))
        cmd = [
            self.python,
            "-S",
            "-m",
            "golint_im",
            "check",
            *target.dirs,
            "--no-cache",
            "--format",
            fmt,
            *self.golint_args,
        ]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd,
                cwd=self.cwd,
                env=self.env(cache_home),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired:
            raise HarnessError(f"{target.name}: --format {fmt} did not finish in {self.timeout:.0f} s") from None
        finally:
            shutil.rmtree(cache_home, ignore_errors=True)
        return RunOutput(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0)


def site_dirs(python: str) -> list[str]:
    """The interpreter's site-packages (and user site, if enabled and present), as `site` would add them."""
    code = (
        "import json, os, site\n"
        "dirs = list(site.getsitepackages())\n"
        "user = site.getusersitepackages() if site.ENABLE_USER_SITE else None\n"
        "dirs += [user] if user and os.path.isdir(user) else []\n"
        "print(json.dumps([d for d in dirs if os.path.isdir(d)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in _IMPORT_ENV}
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if proc.returncode != 0:
        raise HarnessError(f"{python} cannot list its site-packages: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def interpreter_version(python: str) -> str:
    proc = subprocess.run(
        [python, "-S", "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
    )
    return proc.stdout.strip()


# ---- SARIF normalisation -----------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def _scalar_spans(text: str) -> Iterator[tuple[tuple[str, ...], int, int]]:
    """(path, start, end) of every scalar value in a JSON document; array indices are "*".

    Only positions are needed (json.loads has validated the document already),
    so this walks the text without building values.
    """
    pos = 0

    def match(pattern: re.Pattern[str]) -> re.Match[str]:
        m = pattern.match(text, pos)
        if m is None:
            raise ValueError(f"unexpected JSON at offset {pos}")
        return m

    def skip() -> None:
        nonlocal pos
        pos = match(_WS).end()

    def value(path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int, int]]:
        nonlocal pos
        skip()
        ch = text[pos]
        if ch == "{":
            pos += 1
            skip()
            if text[pos] == "}":
                pos += 1
                return
            while True:
                skip()
                m = match(_STRING)
                key = json.loads(m.group())
                pos = m.end()
                skip()
                pos += 1  # ':'
                yield from value(path + (key,))
                skip()
                pos += 1  # ',' or '}'
                if text[pos - 1] == "}":
                    return
        elif ch == "[":
            pos += 1
            skip()
            if text[pos] == "]":
                pos += 1
                return
            while True:
                yield from value(path + ("*",))
                skip()
                pos += 1
                if text[pos - 1] == "]":
                    return
        else:
            m = match(_STRING if ch == '"' else _SCALAR)
            yield path, m.start(), m.end()
            pos = m.end()

    yield from value(())


def _run_specific(path: tuple[str, ...]) -> bool:
    for prefix, keys in _RUN_SPECIFIC:
        if (
            len(path) == len(prefix) + 1
            and path[-1] in keys
            and all(p == "*" or p == q for p, q in zip(prefix, path[:-1], strict=True))
        ):
            return True
    return False


def normalise_sarif(data: bytes) -> tuple[bytes, list[str]]:
    """data with the run-specific fields (see the module docstring) replaced; also their paths.

    Output that is not JSON is returned unchanged (the byte comparison then decides)."""
    try:
        text = data.decode("utf-8")
        json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return data, []
    spans = [(p, s, e) for p, s, e in _scalar_spans(text) if _run_specific(p)]
    out, last, changed = [], 0, []
    for path, start, end in spans:
        out.append(text[last:start])
        out.append(PLACEHOLDER)
        last = end
        changed.append("/".join(path))
    out.append(text[last:])
    return "".join(out).encode("utf-8"), changed


# ---- comparing ----------------------------------------------------------------------------


def compare_one(fmt: str, old: RunOutput, new: RunOutput, label_old: str, label_new: str, max_lines: int) -> list[str]:
    """Human-readable differences (empty when the same)."""
    problems = []
    if old.exit_code != new.exit_code:
        problems.append(f"  {fmt}: exit code {old.exit_code} (old) vs {new.exit_code} (new)")
    a, b = old.stdout, new.stdout
    if fmt == "sarif" and a != b:
        a, _ = normalise_sarif(a)
        b, _ = normalise_sarif(b)
    if a != b:
        diff = list(
            difflib.unified_diff(
                a.decode("utf-8", "backslashreplace").splitlines(keepends=True),
                b.decode("utf-8", "backslashreplace").splitlines(keepends=True),
                fromfile=f"{fmt} {label_old}",
                tofile=f"{fmt} {label_new}",
            )
        )
        if not diff:  # same lines, different bytes (line endings, a missing final newline)
            diff = [
                f"--- {fmt} {label_old}\n",
                f"+++ {fmt} {label_new}\n",
                f"  the outputs differ only in bytes the line diff does not show ({len(a)} vs {len(b)} bytes)\n",
            ]
        shown = diff[:max_lines] if max_lines > 0 else diff
        body = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in shown)
        if len(shown) < len(diff):
            body += f"  ... {len(diff) - len(shown)} more diff lines (--max-diff-lines 0 shows all)\n"
        problems.append(body.rstrip("\n"))
    return problems


# ---- saved outputs ------------------------------------------------------------------------


def save_outputs(directory: Path, target: Target, outputs: dict[str, RunOutput]) -> dict[str, dict[str, object]]:
    sub = directory / target.key
    sub.mkdir(parents=True, exist_ok=True)
    runs: dict[str, dict[str, object]] = {}
    for fmt, out in outputs.items():
        (sub / f"{fmt}.stdout").write_bytes(out.stdout)
        (sub / f"{fmt}.stderr").write_bytes(out.stderr)
        runs[fmt] = {
            "exit_code": out.exit_code,
            "seconds": round(out.seconds, 3),
            "stdout": f"{target.key}/{fmt}.stdout",
            "stderr": f"{target.key}/{fmt}.stderr",
        }
    return runs


def load_outputs(directory: Path, entry: dict) -> dict[str, RunOutput]:
    out = {}
    for fmt, run in entry["runs"].items():
        out[fmt] = RunOutput(
            run["exit_code"],
            (directory / run["stdout"]).read_bytes(),
            (directory / run["stderr"]).read_bytes(),
            run["seconds"],
        )
    return out


class Saver:
    """Writes outputs and a manifest into a directory, the manifest after every target."""

    def __init__(self, directory: Path, header: dict[str, object], force: bool):
        if (directory / MANIFEST).exists() and not force:
            raise HarnessError(f"{directory} already holds a saved run; pass --force to overwrite it")
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.manifest = header
        self.entries: list[dict[str, object]] = []

    def add(self, target: Target, fp: dict[str, object], outputs: dict[str, RunOutput]) -> None:
        runs = save_outputs(self.directory, target, outputs)
        self.entries.append(
            {"name": target.name, "dirs": target.dirs, "key": target.key, "fingerprint": fp, "runs": runs}
        )
        tmp = self.directory / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps({**self.manifest, "targets": self.entries}, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.directory / MANIFEST)


# ---- main ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring for details.",
    )
    p.add_argument("targets", nargs="*", metavar="TARGET", help="DIR[+DIR...] or NAME=DIR[+DIR...]")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--old", metavar="REV", help="old revision (a git revision of this repository)")
    src.add_argument("--old-from", metavar="DIR", type=Path, help="read the old outputs saved with --save")
    p.add_argument(
        "--new",
        metavar="REV",
        default=WORKTREE,
        help=f"new revision, or {WORKTREE} for the current working tree (default)",
    )
    p.add_argument(
        "--targets-dir",
        type=Path,
        default=None,
        help=f"directory holding the targets; the runs' working directory "
        f"(default: ${TARGETS_ENV}, else the saved one with --old-from, else .)",
    )
    p.add_argument(
        "--targets-file", type=Path, action="append", default=[], help="read TARGETs from this file, one per line"
    )
    p.add_argument("--save", metavar="DIR", type=Path, help="save the old revision's outputs here")
    p.add_argument("--save-new", metavar="DIR", type=Path, help="save the new revision's outputs here")
    p.add_argument("--force", action="store_true", help="overwrite a saved run in --save/--save-new")
    p.add_argument("--jobs", "-j", type=int, default=None, help="passed to golint-im --jobs")
    p.add_argument(
        "--golint-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more argument for `golint-im check` (repeatable), e.g. --golint-arg=--select=GIM2",
    )
    p.add_argument("--python", default=None, help="interpreter to run golint-im with (default: this one)")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds per golint-im run (default 3600)")
    p.add_argument(
        "--max-diff-lines", type=int, default=200, help="diff lines shown per target and format (0: all; default 200)"
    )
    p.add_argument("--keep-trees", action="store_true", help="keep the extracted revisions (paths are printed)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except HarnessError as e:
        print(f"compare_findings: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("compare_findings: interrupted", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    repo = repo_root()
    python = args.python or sys.executable

    saved: dict | None = None
    if args.old_from:
        if args.save:
            raise HarnessError("--save records the old revision's run; with --old-from there is none")
        try:
            saved = json.loads((args.old_from / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise HarnessError(f"cannot read {args.old_from / MANIFEST}: {e}") from None
        if saved.get("manifest_version") != MANIFEST_VERSION:
            raise HarnessError(f"{args.old_from / MANIFEST} is of another format version")

    env_dir = os.environ.get(TARGETS_ENV)
    if args.targets_dir is not None:
        base = args.targets_dir
    elif env_dir:
        base = Path(env_dir)
    elif saved is not None:
        base = Path(saved["targets_dir"])
    else:
        base = Path(".")
    base = base.resolve()

    specs = list(args.targets)
    for f in args.targets_file:
        specs += read_targets_file(f)
    if specs:
        targets = [parse_target(s) for s in specs]
    elif saved is not None:
        targets = [Target(t["name"], list(t["dirs"])) for t in saved["targets"]]
    else:
        raise HarnessError("no targets: pass TARGETs or --targets-file")
    check_target_dirs(targets, base)

    golint_args = ([f"--jobs={args.jobs}"] if args.jobs else []) + list(args.golint_arg)
    py_version = interpreter_version(python)
    if saved is not None:
        if not args.jobs and not args.golint_arg:
            golint_args = list(saved["golint_args"])
        elif golint_args != saved["golint_args"]:
            print(
                f"compare_findings: warning: golint-im arguments {golint_args} differ from the saved "
                f"{saved['golint_args']}",
                file=sys.stderr,
            )
        if saved.get("python_version") != py_version:
            print(
                f"compare_findings: warning: Python {py_version} here, {saved.get('python_version')} "
                "when the baseline was saved",
                file=sys.stderr,
            )
        by_name = {t["name"]: t for t in saved["targets"]}
        for t in targets:
            if t.name not in by_name or by_name[t.name]["dirs"] != t.dirs:
                raise HarnessError(f"target {t.name} ({'+'.join(t.dirs)}) is not in {args.old_from}")

    old_rev = saved["revision"] if saved is not None else describe_revision(repo, args.old)
    new_rev = describe_revision(repo, args.new)
    label_old, label_new = f"old {_label(old_rev)}", f"new {_label(new_rev)}"

    header = {
        "manifest_version": MANIFEST_VERSION,
        "targets_dir": str(base),
        "python": python,
        "python_version": py_version,
        "platform": platform.platform(),
        "golint_args": golint_args,
    }
    save_old = Saver(args.save, {**header, "revision": old_rev}, args.force) if args.save else None
    save_new = Saver(args.save_new, {**header, "revision": new_rev}, args.force) if args.save_new else None

    scratch = Path(tempfile.mkdtemp(prefix="golint-im-compare-"))
    if repo.resolve() in scratch.resolve().parents:
        raise HarnessError(f"the temporary directory {scratch} is inside the repository")
    try:
        sites = site_dirs(python)
        runners: dict[str, Runner] = {}
        sides = [("new", new_rev)] if saved is not None else [("old", old_rev), ("new", new_rev)]
        for side, rev in sides:
            tree = materialise(repo, rev, scratch / side)
            runner = Runner(
                python=python,
                tree=tree,
                cwd=base,
                scratch=scratch,
                golint_args=golint_args,
                timeout=args.timeout,
                site_dirs=sites,
            )
            probe = runner.probe()
            runners[side] = runner
            dirty = " + working-tree changes" if rev.get("dirty") else ""
            where = tree if args.keep_trees else "its tree"
            print(
                f"{side}: {rev['spec']} = {rev['commit']}{dirty}, golint-im {probe['version']}, "
                f"{probe['modules']} modules from {where}"
            )
        print(
            f"python {py_version} ({python}), cwd {base}, golint-im check ... --no-cache "
            f"--format text|sarif {' '.join(golint_args)}".rstrip()
        )

        counts = {"same": 0, "different": 0, "error": 0}
        seconds = {"old": 0.0, "new": 0.0}
        for i, target in enumerate(targets, 1):
            prefix = f"[{i:>{len(str(len(targets)))}}/{len(targets)}] {target.name}"
            try:
                fp = fingerprint(base, target)
                if saved is not None:
                    entry = next(t for t in saved["targets"] if t["name"] == target.name)
                    if entry["fingerprint"]["sha256"] != fp["sha256"]:
                        raise HarnessError(
                            f"{target.name}: the Go sources changed since the baseline was saved "
                            f"({entry['fingerprint']['files']} -> {fp['files']} files; "
                            f"commits {entry['fingerprint']['commits']} -> {fp['commits']})"
                        )
                    old_out = load_outputs(args.old_from, entry)
                else:
                    old_out = {fmt: runners["old"].run(target, fmt) for fmt in FORMATS}
                    seconds["old"] += sum(o.seconds for o in old_out.values())
                new_out = {fmt: runners["new"].run(target, fmt) for fmt in FORMATS}
                seconds["new"] += sum(o.seconds for o in new_out.values())
                if save_old and saved is None:
                    save_old.add(target, fp, old_out)
                if save_new:
                    save_new.add(target, fp, new_out)
                for side, outs in (("old", old_out), ("new", new_out)):
                    for fmt, out in outs.items():
                        if out.exit_code not in (0, 1):
                            tail = out.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
                            raise HarnessError(
                                f"{target.name}: {side} --format {fmt} exited {out.exit_code}: " + " | ".join(tail)
                            )
            except HarnessError as e:
                counts["error"] += 1
                print(f"{prefix}: ERROR: {e}", flush=True)
                continue
            problems = [
                p
                for fmt in FORMATS
                for p in compare_one(fmt, old_out[fmt], new_out[fmt], label_old, label_new, args.max_diff_lines)
            ]
            timing = " ".join(
                f"{side} {sum(o.seconds for o in outs.values()):.1f} s"
                for side, outs in (("old", old_out), ("new", new_out))
                if side == "new" or saved is None
            )
            codes = f"exit {old_out['text'].exit_code}"
            if problems:
                counts["different"] += 1
                print(f"{prefix}: DIFFERENT ({timing})", flush=True)
                for p in problems:
                    print(p, flush=True)
            else:
                counts["same"] += 1
                print(f"{prefix}: same ({codes}; {timing})", flush=True)

        total = time.perf_counter() - started
        print(
            f"\n{counts['same']} same, {counts['different']} different, {counts['error']} errors "
            f"of {len(targets)} targets; golint-im time "
            + ", ".join(f"{side} {seconds[side]:.1f} s" for side in seconds if side in runners)
            + f"; total {total:.1f} s"
        )
        if args.keep_trees:
            print(f"trees kept in {scratch}")
        if counts["error"]:
            return EXIT_ERROR
        return EXIT_DIFFERENT if counts["different"] else EXIT_SAME
    finally:
        if not args.keep_trees:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
