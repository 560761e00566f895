"""Baselines: report only what is new.

Two ways to say "new":
- a baseline file (`--write-baseline` / `--baseline`) records the
  fingerprints of accepted findings;
- `--new-from-rev REV` analyses the tree as it was at REV (a snapshot taken
  with `git archive`, so nothing from the scanned repository runs) and
  treats every finding that already existed there as known.

Fingerprints come from Finding.fingerprint: rule + path + what the finding
is about, never line numbers, so edits above a finding do not make it new.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .escape import json_safe
from .findings import Finding
from .safeio import read_regular

FORMAT_KEY = "golint-im-baseline"
FORMAT_VERSION = 1
MAX_BASELINE_BYTES = 256 * 1024 * 1024


class BaselineError(Exception):
    """A baseline or revision that cannot be used; str() is the user message."""


# --------------------------------------------------------------------------
# Baseline files


def baseline_text(findings: Iterable[Finding], tool_version: str) -> str:
    """The baseline file's text: the fingerprints of findings, sorted and deduplicated."""
    entries = {
        (f.location.path, f.rule_id, f.fingerprint): {
            "rule": f.rule_id,
            "fingerprint": f.fingerprint,
            "path": f.location.path,
            "message": f.message,
        }
        for f in findings
    }
    doc = {
        FORMAT_KEY: FORMAT_VERSION,
        "tool_version": tool_version,
        "findings": [entries[k] for k in sorted(entries)],
    }
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"  # paths need not be UTF-8


def write_baseline(path: Path | str, findings: Iterable[Finding], tool_version: str) -> None:
    """Write the fingerprints of findings to path, atomically."""
    path = Path(path)
    data = baseline_text(findings, tool_version)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_baseline(path: Path | str) -> set[tuple[str, str]]:
    """The (rule, fingerprint) pairs recorded in a baseline file."""
    path = Path(path)
    try:
        # A FIFO or device committed as the baseline must not hang or flood the run.
        text = read_regular(path, MAX_BASELINE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
    if len(text) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: baseline larger than {MAX_BASELINE_BYTES >> 20} MB")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a golint-im baseline (invalid JSON: {exc})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a golint-im baseline (nested too deeply)") from None
    if not isinstance(doc, dict) or FORMAT_KEY not in doc:
        raise BaselineError(f'{path}: not a golint-im baseline (no "{FORMAT_KEY}" key)')
    version = doc[FORMAT_KEY]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BaselineError(f"{path}: bad baseline format number {version!r}")
    if version > FORMAT_VERSION:
        raise BaselineError(
            f"{path}: baseline format {version} was written by a newer golint-im "
            f"(tool_version {doc.get('tool_version', '?')}); this version reads format "
            f"{FORMAT_VERSION}: upgrade golint-im or rewrite the baseline with --write-baseline"
        )
    items = doc.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f'{path}: malformed baseline: "findings" must be a list')
    known = set()
    for n, item in enumerate(items):
        if not (
            isinstance(item, dict) and isinstance(item.get("rule"), str) and isinstance(item.get("fingerprint"), str)
        ):
            raise BaselineError(f'{path}: malformed baseline: findings[{n}] needs string "rule" and "fingerprint"')
        known.add((item["rule"], item["fingerprint"]))
    return known


def fingerprints(findings: Iterable[Finding]) -> set[tuple[str, str]]:
    """The (rule, fingerprint) pairs of findings, as load_baseline returns them."""
    return {(f.rule_id, f.fingerprint) for f in findings}


def filter_new(findings: Iterable[Finding], known: set[tuple[str, str]]) -> list[Finding]:
    """The findings whose (rule, fingerprint) is not in known, in input order."""
    return [f for f in findings if (f.rule_id, f.fingerprint) not in known]


# --------------------------------------------------------------------------
# Snapshot of a revision

_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
}
# Config a local repository could set that would make git run a program
# for the commands used here; switched off to keep the scan side-effect free.
_GIT_SAFE_CONFIG = ["-c", "core.fsmonitor=false"]


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *_GIT_SAFE_CONFIG, "-C", str(repo), *args],
            capture_output=True,
            text=True,
            env={**os.environ, **_GIT_ENV},
            check=False,
        )
    except FileNotFoundError:
        raise BaselineError("--new-from-rev needs git, and git is not installed (not on PATH)") from None


def _toplevel(repo_root: Path) -> Path:
    if not repo_root.exists():
        raise BaselineError(f"--new-from-rev: {repo_root} does not exist")
    proc = _git(repo_root, "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        err = proc.stderr.strip()
        refusal = git_refusal(err)
        if refusal:
            raise BaselineError(f"--new-from-rev: {refusal}")
        if "not a git repository" in err.lower() or not err:
            raise BaselineError(f"--new-from-rev needs a git repository: {repo_root} is not inside one")
        raise BaselineError(f"--new-from-rev: git failed in {repo_root}: {err}")
    return Path(proc.stdout.strip())


def git_refusal(stderr: str) -> str | None:
    """git's refusal to work in a repository another user owns, in one line; None for any other failure."""
    if "dubious ownership" not in stderr:
        return None
    where = next(
        (
            line.split("in repository at", 1)[1].strip(" '")
            for line in stderr.splitlines()
            if "in repository at" in line
        ),
        "the repository",
    )
    return (
        f'git refuses {where}: it is owned by another user ("dubious ownership"); '
        f"if it is trusted, run `git config --global --add safe.directory {where}`"
    )


def _resolve(top: Path, rev: str) -> str:
    if not rev or rev.startswith("-"):
        raise BaselineError(f"unknown revision {rev!r}")
    proc = _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if proc.returncode != 0 or not proc.stdout.strip():
        shallow = _git(top, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
        hint = (
            " (this is a shallow clone: fetch the history, e.g. actions/checkout with fetch-depth: 0)"
            if shallow
            else ""
        )
        raise BaselineError(f"unknown revision {rev!r} in {top}{hint}")
    return proc.stdout.strip()


def _safe_member(member: tarfile.TarInfo, dest: str):
    """Extraction filter: tarfile's 'data' filter, skipping (not failing on)
    members it rejects, such as a symlink pointing outside the tree."""
    data_filter = getattr(tarfile, "data_filter", None)
    if data_filter is not None:
        try:
            return data_filter(member, dest)
        except tarfile.FilterError:
            return None
    # Python without extraction filters: only plain files and directories
    # with relative paths that stay inside dest.
    name = member.name
    if not (member.isfile() or member.isdir()) or name.startswith("/") or ".." in name.split("/"):
        return None
    return member


def _extract(tar: tarfile.TarFile, dest: str) -> None:
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter=_safe_member)
        return
    for member in tar:  # pragma: no cover - Python without extraction filters
        if _safe_member(member, dest) is not None:
            tar.extract(member, dest)


@contextlib.contextmanager
def snapshot_at_rev(repo_root: Path | str, rev: str) -> Iterator[Path]:
    """A temporary directory holding the tree of repo_root as it was at rev.

    Paths below the yielded directory are the same as below repo_root (when
    repo_root is a subdirectory of the repository, the yielded directory is
    the same subdirectory of the snapshot; empty if it did not exist at rev).
    The directory is removed on exit. Only `git rev-parse` and `git archive`
    run; nothing from the repository is executed.
    """
    repo_root = Path(repo_root)
    top = _toplevel(repo_root)
    sha = _resolve(top, rev)
    try:
        rel = Path(os.path.relpath(repo_root.resolve(), top.resolve())).as_posix()
    except ValueError:  # pragma: no cover - different drives on Windows
        rel = "."
    with tempfile.TemporaryDirectory(prefix="golint-im-rev-") as tmp:
        target = Path(tmp) / "tree"
        target.mkdir()
        args = ["archive", "--format=tar", sha]
        if rel != ".":
            exists = _git(top, "cat-file", "-e", f"{sha}:{rel}").returncode == 0
            args = args + ["--", rel] if exists else []
        if args:
            with tempfile.TemporaryFile() as errors:
                cmd = ["git", *_GIT_SAFE_CONFIG, "-C", str(top), *args]
                with subprocess.Popen(
                    cmd, stdout=subprocess.PIPE, stderr=errors, env={**os.environ, **_GIT_ENV}
                ) as proc:
                    assert proc.stdout is not None
                    try:
                        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                            _extract(tar, str(target))
                    except tarfile.TarError as exc:
                        proc.kill()
                        proc.wait()
                        errors.seek(0)
                        detail = errors.read().decode(errors="replace").strip() or str(exc)
                        raise BaselineError(f"cannot snapshot {rev!r}: {detail}") from None
                    proc.stdout.read()  # drain, so git is not left blocked
                if proc.returncode != 0:
                    errors.seek(0)
                    detail = errors.read().decode(errors="replace").strip()
                    raise BaselineError(f"cannot snapshot {rev!r}: git archive failed: {detail}")
        root = target / rel if rel != "." else target
        root.mkdir(parents=True, exist_ok=True)
        yield root


def git_root(path: Path) -> Path:
    """The top directory of the git repository holding path, for --new-from-rev."""
    start = path if path.is_dir() else path.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(start), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
        )
    except OSError:
        raise BaselineError("--new-from-rev needs git on PATH") from None
    if out.returncode != 0:
        refusal = git_refusal(out.stderr)
        if refusal:
            raise BaselineError(f"--new-from-rev: {refusal}")
        raise BaselineError(f"--new-from-rev needs a git repository: {path} is not inside one")
    return Path(out.stdout.strip())
