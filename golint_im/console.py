"""How the command line meets the process: one-line errors, signals, exit, stdout, progress.

Every error a user sees is one escaped line on stderr (exit 2); Ctrl-C and
SIGTERM unwind like each other (exit 130 and 143); out of memory is reported
from a reserve; a closed stdout or stderr never becomes a traceback. The
commands themselves live in cli.py.
"""

from __future__ import annotations

import mmap
import os
import signal
import sys

import click

from .discover import UsageError
from .escape import printable
from .findings import summarised
from .outputs import analysed_roots, write_text

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143

# Address space given back on MemoryError, so that reporting it can allocate again.
# An untouched anonymous mapping: it counts against ulimit -v, not in RSS.
_RESERVE: mmap.mmap | None = None


def prepare_process() -> None:
    """Once, when golint-im is the process: closed std fds taken, SIGTERM handled, memory reserved."""
    global _RESERVE
    global _HANDLER_PID
    reserve_std_fds()
    _HANDLER_PID = os.getpid()
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        _RESERVE = mmap.mmap(-1, 8 * 1024 * 1024)
    except (OSError, ValueError):  # already at the limit: nothing to keep in reserve
        _RESERVE = None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is so it unwinds like Ctrl-C: workers ended, no partial output."""


# The process that installed on_sigterm (prepare_process; 0: installed elsewhere, by a test): a
# worker forked from it inherits the handler until its initializer puts the default back
# (parallel.die_with_parent), and a SIGTERM in that window must end the worker quietly, not raise
# into the executor's bootstrap (a traceback on the user's screen).
_HANDLER_PID = 0


def on_sigterm(_signum, _frame):
    if _HANDLER_PID and os.getpid() != _HANDLER_PID:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated()


def shown_notices(notices, quiet: bool) -> list:
    """All notices, or with --quiet only golint-im's own failures: a run whose findings
    may be incomplete must say so even when asked for findings only."""
    return [n for n in notices if n.internal] if quiet else list(notices)


def notice_lines(notices, debug: bool) -> list[str]:
    """The notices as printed: files using syntax newer than the grammar summed up per construct, and
    notices sharing a summary (see Notice.summary) as that one line, unless debug.

    A large project on a new Go release can have hundreds of such files; a
    line each would bury every other notice.
    """
    newer: dict[str, int] = {}
    lines = []
    for notice in notices if debug else summarised(notices):
        if notice.construct and not debug:
            newer[notice.construct] = newer.get(notice.construct, 0) + 1
        else:
            lines.append(str(notice))
    if newer:
        files = len({n.path for n in notices if n.construct})
        counts = ", ".join(f"{construct}: {n}" for construct, n in sorted(newer.items()))
        lines.append(
            f"{files} file{'s' if files != 1 else ''} use{'' if files != 1 else 's'} syntax newer than the grammar"
            f" ({counts}); read anyway, each file fully analysed; --debug lists them"
        )
    return lines


def say(line: str) -> None:
    """One line on stderr, escaped; nothing (and no traceback) when stderr is closed."""
    try:
        click.echo(printable(line), err=True)
    except (OSError, ValueError):
        pass


def fail(message: str) -> None:
    say(f"golint-im: error: {message}")
    sys.exit(EXIT_ERROR)


_OOM_LINE = b"golint-im: error: out of memory (raise the memory limit, or exclude the largest files)\n"
# Address space given back on MemoryError, so that reporting it can allocate again.
# An untouched anonymous mapping: it counts against ulimit -v, not in RSS.


def out_of_memory() -> None:
    """Report MemoryError in one line even when the report itself cannot allocate.

    While the exception is handled, its traceback keeps the parse tree and
    the facts alive; formatting a message or a traceback then fails again, and
    the run ended with three tracebacks and exit 1. The line is a constant
    written straight to fd 2, and the process ends there (its children die
    with it, see parallel.die_with_parent).
    """
    global _RESERVE
    if _RESERVE is not None:
        _RESERVE.close()
        _RESERVE = None
    if not owns_process():  # inside a test runner: unwind normally
        fail(_OOM_LINE.decode()[len("golint-im: error: ") :].rstrip())
    try:
        os.write(2, _OOM_LINE)
    except OSError:
        pass
    os._exit(EXIT_ERROR)


def interrupted(e: KeyboardInterrupt) -> None:
    """One line and exit 130 or 143; when golint-im is the process, without running exit handlers.

    By the time the interrupt reaches here every output and cache entry has
    been completed or removed (they are renamed into place whole). What is
    left are the parser pool's own exit handlers, and those can hang: the
    standard library joins the pool's queue feeder thread at exit, and a
    feeder blocked writing a chunk to workers that were just killed never
    finishes (seen once in CI on SIGTERM to the whole group). Ending the
    process directly is what Ctrl-C promises.
    """
    terminated = isinstance(e, Terminated)
    say("golint-im: terminated" if terminated else "golint-im: interrupted")
    code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if owns_process():
        _end_worker_processes()
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


def _end_worker_processes() -> None:
    """Kill and reap the parser workers that are left, which the skipped exit handlers would have joined."""
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:  # SIGTERM, which a worker holds off while it renames a cache entry into place
        try:
            child.terminate()
        except (OSError, ValueError, AssertionError):
            pass
    for child in children:
        try:
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join(1)
        except (OSError, ValueError, AssertionError):
            pass


def write_output(text: str, output: str | None, paths: list[str] | None = None) -> None:
    """The report to stdout, or to a file (see outputs.py: atomic, never over a source or a device)."""
    if not output:
        if _STDOUT_CLOSED or sys.stdout is None:
            raise UsageError("cannot write the report: stdout is closed")
        try:
            click.echo(text, nl=False, color=True)  # colour was decided by --color; click would strip it off a tty
            sys.stdout.flush()
        except OSError as e:  # a closed or broken pipe: the report did not arrive, so not a clean exit
            raise UsageError(f"cannot write the report to stdout: {e.strerror or e}") from None
        return
    write_text(text, output, analysed_roots(paths or []))


def owns_process() -> bool:
    """True when run as the command itself: not inside a test runner, and with no
    profiler or tracer attached (cProfile and coverage write their data at exit)."""
    return (
        sys.stdout is sys.__stdout__
        and sys.stderr is sys.__stderr__
        and sys.getprofile() is None
        and sys.gettrace() is None
    )


def exit_now(code: int):
    """End a finished run without tearing the heap down object by object.

    Freeing the program model at interpreter shutdown costs 1-2 s on a large
    repository, a third of a warm run. By now the report is written (renamed
    into place), the parse pool is shut down and cache entries are renamed
    whole, so nothing is lost by skipping it: flush and leave. When stdout or
    stderr are not the process's own (click's test runner, pytest capture), or
    a profiler or tracer is attached (`python -m cProfile`, coverage: they
    write their data at exit), exit normally.
    """
    if not owns_process():
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the exit code still matters
        pass
    os._exit(code)


class Progress:
    """`parsed 812/2,694 files`, then the phase after parsing, on one stderr line.

    Only for a person at a terminal (the caller decides): a pipe, a log file
    or a CI step must get no carriage-return noise.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.n = 0
        self.total = 0
        self.shown = False

    def start(self, total: int) -> None:
        self.total = total

    def __call__(self) -> None:
        self.n += 1
        step = max(1, self.total // 100)
        if self.enabled and (self.n % step == 0 or self.n == self.total):
            self._show(f"parsed {self.n:,}/{self.total:,} files")

    def phase(self, name: str) -> None:
        if self.enabled:
            self._show(name)

    def _show(self, text: str) -> None:
        click.echo(f"\r\x1b[K{text}", err=True, nl=False)
        self.shown = True

    def done(self) -> None:
        if self.enabled and self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)


_STDOUT_CLOSED = False  # fd 1 was closed when we started: the report has nowhere to go


def reserve_std_fds() -> None:
    """Give a closed fd 0, 1 or 2 to os.devnull (opened, never written over).

    Otherwise the next file we open (a report's temp file, a cache entry)
    takes that number, and whatever writes to stdout or stderr, here or in a
    child, writes into it.
    """
    global _STDOUT_CLOSED
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            if fd == 1:
                _STDOUT_CLOSED = True
            try:
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            except OSError:
                pass


def internal_error(e: BaseException) -> str:
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(e, BrokenProcessPool):  # a parser process killed: by the OOM killer, a memory limit, a signal
        return "a parser process died (out of memory?); run with --jobs 1 --debug for details"
    return f"internal error: {type(e).__name__}: {e} (run with --debug for a traceback)"


def color_wanted(choice: str, output: str | None) -> bool:
    """--color always|never decide; auto colours a terminal unless NO_COLOR is set
    (https://no-color.org: any non-empty value) or the report goes to a file."""
    if choice == "always":
        return True
    if choice == "never" or output:
        return False
    return sys.stdout is not None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def progress_wanted(quiet: bool) -> bool:
    """Progress is for a person watching a terminal: never in a pipe, a log or CI."""
    return not quiet and sys.stderr is not None and sys.stderr.isatty()
