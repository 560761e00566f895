"""Run independent families of rules side by side in forked processes.

After linking, the families (concurrency, resources, routing) read the same
model and share nothing with each other, so on a multi-core machine each can
run in its own process. fork() gives every child the linked model for free
(copy-on-write, with the cyclic GC off nothing rewrites it wholesale); a
child sends back only its findings, notices and counters, pickled over a
pipe. Anything unusual (no fork on this platform, a child that dies, a
result that does not unpickle) falls back to running that lane here, so
the output never depends on whether a lane ran in parallel.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable


def die_with_parent(parent: int) -> None:
    """In a child: default SIGTERM, and be killed when the parent dies, however it dies.

    The parent turns SIGTERM into an orderly exit that ends its children; a
    child that inherited that handler would instead unwind into its own
    error net. PR_SET_PDEATHSIG covers a parent that is SIGKILLed: no lane
    or parser keeps burning CPU, or blocks forever, as an orphan.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl: nothing would signal us
        os._exit(1)


def can_fork() -> bool:
    # fork() without exec is only dependable on Linux (macOS frameworks are not fork-safe).
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def run_lanes(lanes: list, run_lane: Callable[[object], object]) -> list:
    """run_lane(lane) for every lane: the first here, the others in forked children.

    Returns the results in lane order. run_lane must not raise (it reports its
    own errors in its result) and its result must pickle.
    """
    if len(lanes) < 2 or not can_fork():
        return [run_lane(lane) for lane in lanes]
    children = []  # (pid, read end) per forked lane
    try:
        for lane in lanes[1:]:
            children.append(_fork(lane, run_lane))
        results = [run_lane(lanes[0])]
        for lane, (pid, fd) in zip(lanes[1:], children, strict=False):
            results.append(_collect(pid, fd, lane, run_lane))
        children = []
        return results
    finally:
        for pid, fd in children:  # interrupted: end the children, leave no zombies
            _end(pid, fd)


def _fork(lane, run_lane) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: run the lane, send the result, exit without cleanup
        code = 0
        try:
            os.close(read_fd)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends us
            die_with_parent(parent)
            payload = pickle.dumps(run_lane(lane), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        except BaseException:  # noqa: BLE001 - the parent reruns the lane itself
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, fd: int, lane, run_lane):
    with os.fdopen(fd, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - fall through to running it here
            pass
    return run_lane(lane)


def _end(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass
