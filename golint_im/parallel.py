"""Run independent families of rules side by side in forked processes.

After linking, the families (concurrency, resources, routing) read the same
model and share nothing with each other, so on a multi-core machine each can
run in its own process. fork() gives every child the linked model for free
(copy-on-write, with the cyclic GC off nothing rewrites it wholesale); a
child sends back only its findings, notices and counters, pickled into a
temporary file. Anything unusual (no fork on this platform, a child that dies, a
result that does not unpickle) falls back to running that lane here, so
the output never depends on whether a lane ran in parallel.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable
from typing import BinaryIO


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


# A forked lane ends up copying nearly every page of the model it reads (reference counts are
# writes), so each lane beyond the first costs about the model's size again. Above this size the
# lanes run one after another in this process instead. Measured on 10,191 files analysed as one
# program (a model of about 1 GiB): the second lane cost 1.1 GiB of peak PSS (2.6 against 1.5 GiB)
# for 10 s of a 48 s run; on grpc-go (1,003 files, about 0.2 GiB) it costs 70 MiB and saves a
# fifth of the rules' wall time.
LANE_MODEL_LIMIT = 512 * 2**20


def model_too_large_to_copy(resident: int | None = None) -> bool:
    """Whether this process (the linked model, before the rules) is too large to fork rule lanes from.

    `resident` is the process's resident set in bytes (read from /proc when
    not given; where it cannot be read, lanes are allowed, as before).
    """
    if resident is None:
        resident = resident_bytes()
    return resident is not None and resident > LANE_MODEL_LIMIT


def resident_bytes() -> int | None:
    """This process's resident set size, from /proc/self/statm; None where there is none."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def run_lanes(lanes: list, run_lane: Callable[[object], object]) -> list:
    """run_lane(lane) for every lane: the first here, the others in forked children.

    Returns the results in lane order. run_lane must not raise (it reports its
    own errors in its result) and its result must pickle.
    """
    if len(lanes) < 2 or not can_fork():
        return [run_lane(lane) for lane in lanes]
    children = []  # (pid, result file) per forked lane
    try:
        for lane in lanes[1:]:
            children.append(_fork(lane, run_lane))
        results = [run_lane(lanes[0])]
        for lane, (pid, out) in zip(lanes[1:], children, strict=False):
            results.append(_collect(pid, out, lane, run_lane))
        children = []
        return results
    finally:
        for pid, out in children:  # interrupted: end the children, leave no zombies
            _end(pid, out)


def _fork(lane, run_lane) -> tuple[int, BinaryIO]:
    """Start a lane in a child; its result comes back through an unlinked temporary file.

    A file, not a pipe: a child that ends first writes its result and exits at
    once, whatever its size, instead of waiting (with every page of the model
    it copied) until the parent is done with its own lane and reads a pipe.
    """
    out = tempfile.TemporaryFile()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: run the lane, send the result, exit without cleanup
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends us
            die_with_parent(parent)
            out.write(pickle.dumps(run_lane(lane), protocol=pickle.HIGHEST_PROTOCOL))
            out.flush()
        except BaseException:  # noqa: BLE001 - the parent reruns the lane itself
            code = 1
        finally:
            os._exit(code)
    return pid, out


def _collect(pid: int, out: BinaryIO, lane, run_lane):
    _, status = os.waitpid(pid, 0)
    with out:
        if os.waitstatus_to_exitcode(status) == 0:
            try:
                out.seek(0)
                return pickle.loads(out.read())
            except Exception:  # noqa: BLE001 - fall through to running it here
                pass
    return run_lane(lane)


def _end(pid: int, out: BinaryIO) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    out.close()
