"""Reading files that someone else may have swapped: regular files only, never a blocking open.

Anything named by the analysed tree, and anything in a shared cache, can be
replaced between the check and the read by a FIFO (an open that waits for a
writer forever) or a device (endless data, side effects). Files are opened
non-blocking and checked with fstat on the open descriptor, so what is read
is what was checked.
"""

from __future__ import annotations

import errno
import os
import stat


class NotRegularFile(OSError):
    """A FIFO, device, socket or directory where a file was expected."""


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most limit + 1 of them when limit is given).

    Raises OSError, NotRegularFile included, like open() would.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):  # checked before opening: a device's open can act
        raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read() if limit is None else fh.read(limit + 1)
    finally:
        os.close(fd)
