"""Where a report or baseline may be written, and how, so that writing it destroys nothing.

A report is written to a temporary file and renamed over the target, so an
interrupted run leaves no partial file. That rename must not replace what
is not a plain report file: a device or FIFO (`-o /dev/stdout`, a pipe) is
written into as it is; a symlink is followed, so the link stays and its
file is updated, except one inside the analysed tree pointing out of it
(the repository would choose what we overwrite); and a Go source inside an
analysed root is never written over.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .discover import UsageError


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def analysed_roots(paths: list[str]) -> list[Path]:
    """The analysed paths, resolved (a file root as itself)."""
    roots = []
    for p in paths:
        try:
            roots.append(Path(p).resolve())
        except OSError:
            continue
    return roots


def resolve_target(output: str, roots: list[Path]) -> tuple[Path, bool]:
    """(the file to write, write it in place) for --output or --write-baseline; UsageError when refused."""
    given = Path(output)
    absolute = Path(os.path.abspath(given))
    target = absolute.resolve()  # through every symlink, also of the directories on the way
    if (
        target != absolute
        and os.path.islink(absolute)
        and _inside(absolute.parent.resolve(), roots)
        and not _inside(target, roots)
    ):
        raise UsageError(f"refusing to write {output}: it is a symlink in the analysed tree pointing outside it")
    if _inside(target, roots) and (target.suffix == ".go" or target.name == "go.mod"):
        raise UsageError(f"refusing to write {output}: it is a Go source file in the analysed tree")
    try:
        st = os.stat(absolute)  # through the links as open() goes, /proc/self/fd/N included
    except FileNotFoundError:
        return target, False
    except OSError as e:
        raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return absolute, True  # /dev/stdout, /dev/null, a pipe: written into, never replaced
    if stat.S_ISREG(st.st_mode):
        try:
            same = os.path.samestat(st, os.stat(target))
        except OSError:
            same = False
        # A link resolve() cannot name (/dev/stdout redirected to a file): written in place.
        return (target, False) if same else (absolute, True)
    raise UsageError(f"cannot write {output}: not a regular file, character device or FIFO")


def write_text(text: str, output: str, roots: list[Path]) -> None:
    """Write text to output: into a device or FIFO as it is, else atomically (temp file, fsync, rename)."""
    target, in_place = resolve_target(output, roots)
    data = text.encode("utf-8")
    if in_place:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0))
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".golint-im-")
    except OSError as e:
        raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        # mkstemp makes the file 0600; give the report the mode a plain open() would
        # (or keep the old file's), so a CI step running as another user can read it.
        os.chmod(tmp, _output_mode(target))
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):  # a full disk, a read-only directory...
            raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _output_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
