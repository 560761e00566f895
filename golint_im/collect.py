"""Turn discovered files into facts: cache first, then parse misses in processes.

Parsing is CPU-bound and the GIL makes threads useless, so misses go to a
process pool; workers return plain facts (trees do not pickle). Results are
put back in discovery order so output never depends on scheduling.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from types import FrameType

from .cache import FactsCache, content_key
from .discover import SourceFile
from .facts import FileFacts
from .findings import Notice
from .parallel import die_with_parent
from .safeio import NotRegularFile, read_regular
from .source import TooCostly, is_generated, parse

MAX_FILE_BYTES = 8 * 1024 * 1024
# Frames the tree walker may use, whichever process runs it. Left to the
# recursion limit, a parser process (whose stack starts at another depth than
# the main one) skipped as too deep a declaration that --jobs 1 analysed: the
# worker count changed the findings. Kept under Python's default limit of 1000.
WALK_FRAMES = 900


def _read(f: SourceFile) -> tuple[bytes | None, str]:
    try:
        # Regular files only, opened non-blocking: a FIFO or device swapped in since discovery cannot hang us.
        data = read_regular(f.abs_path, MAX_FILE_BYTES)
    except NotRegularFile:
        return None, "not a regular file; skipped"
    except OSError as e:
        return None, f"cannot read file: {e.strerror or e}"
    if len(data) > MAX_FILE_BYTES:
        return None, f"skipped: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
    if b"\0" in data[:8192]:
        return None, "skipped: binary file (NUL bytes)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"skipped: not valid UTF-8 (byte {e.start})"
    return data, ""


_WORKER_CACHE: FactsCache | None = None
# How a file the parser failed on is reported: the notice is golint-im's own failure (Notice.internal).
INTERNAL_PARSE_ERROR = "skipped: internal error while parsing"


def _init_worker(cache_dir, parent: int):
    """Each worker writes its own cache entries: pickling stays off the parent's critical path."""
    global _WORKER_CACHE
    gc.disable()  # the walker allocates many long-lived tuples: see engine.analyse
    # Ctrl-C reaches the whole process group: the parent alone reacts (exit 130)
    # and ends the workers, rather than each worker printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)  # SIGTERM ends a worker at once; the parent's death too
    _WORKER_CACHE = FactsCache(cache_dir) if cache_dir is not None else None


def _quiet_thread_errors(args: threading.ExceptHookArgs) -> None:
    """An abandoned pool's manager thread may fail as its workers die; the run is ending anyway."""


def _abandon(pool: ProcessPoolExecutor) -> None:
    # Ctrl-C or SIGTERM: the user asked for one line ("interrupted"), not the
    # pool's own traceback from a thread racing with the workers' deaths.
    threading.excepthook = _quiet_thread_errors
    pool.shutdown(wait=False, cancel_futures=True)
    # shutdown() cannot stop a chunk already being parsed and the executor has no
    # public way to; end the workers themselves (they only parse and write
    # cache entries, which are renamed into place whole).
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _stack_depth() -> int:
    depth = 0
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def _parse(data: bytes, rel: str, is_test: bool):
    """parse() with the same recursion budget in every process, so nesting limits do not depend on --jobs."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + WALK_FRAMES)
    try:
        return parse(data, rel, is_test)
    finally:
        sys.setrecursionlimit(limit)


def _parse_job(job):
    """Worker: parse one file. Never raises: a crash becomes a notice."""
    key, rel, is_test, data = job
    try:
        facts = _parse(data, rel, is_test)
    except RecursionError:
        return key, None, "skipped: nesting too deep to analyse", None
    except TooCostly as e:
        return key, None, str(e), None
    except MemoryError:
        raise  # not this file's fault: the run fails in one line (cli.py), it does not skip findings
    except Exception as e:  # the walker is defensive; this is the last net
        return key, None, f"{INTERNAL_PARSE_ERROR} ({type(e).__name__}: {e})", None
    stored = _WORKER_CACHE.store(key, facts) if _WORKER_CACHE is not None else None
    if stored is not None:
        return key, stored[1], "", stored[0]  # the cache's payload: pickled once, not twice
    return key, facts, "", None


@dataclass
class Collected:
    """What collect() found: per analysed file a digest, and the facts on demand.

    Cache hits stay unpickled until facts() is called: when a whole-run result
    can be reused (see reuse.py), they never are.
    """

    files: list[SourceFile]
    notices: list[Notice]
    parsed: int
    # Per file index, in discovery order: the facts' digest (bytes), the reason
    # it has no facts (str), or None when the facts exist but have no digest.
    digests: dict[int, bytes | str | None]
    _facts: dict[int, FileFacts]
    _payloads: dict[int, tuple[str, bytes]]  # index -> (content key, payload) of unloaded hits
    _cache: FactsCache
    _include_notices: bool = True
    # Per file index: the digest of its bytes (content_key), for every file that was read,
    # generated ones included; what a shard records so merge can tell two trees apart.
    content_keys: dict[int, str] = field(default_factory=dict)

    def facts(self) -> list:
        """Every file's facts in discovery order (unpickling cache hits once)."""
        for i, (key, payload) in self._payloads.items():
            facts = self._cache.load(payload)
            if facts is None:  # sound MAC, unusable payload: a bug's entry; parse again
                f = self.files[i]
                data, _problem = _read(f)
                _key, facts, problem, _digest = _parse_job((key, f.rel_path, f.is_test, data or b""))
                self.parsed += 1
                if facts is None:
                    self.notices.append(Notice(f.rel_path, problem))
                    continue
                self._cache.put(key, facts)
            facts.path = self.files[i].rel_path
            facts.is_test = self.files[i].is_test
            self._facts[i] = facts
        self._payloads.clear()
        if self._include_notices:
            self._include_notices = False
            for i, facts in sorted(self._facts.items()):
                for line in facts.error_lines[:1]:
                    self.notices.append(
                        Notice(self.files[i].rel_path, "syntax error; analysed what could be parsed", line)
                    )
                first_use: dict[str, int] = {}
                for construct, line in facts.newer_syntax:
                    first_use.setdefault(construct, line)
                for construct, line in first_use.items():
                    self.notices.append(
                        Notice(
                            self.files[i].rel_path,
                            f"uses {construct}, syntax newer than the grammar; read anyway, the whole file analysed",
                            line,
                            construct,
                        )
                    )
                for line in facts.deep_lines[:1]:
                    self.notices.append(
                        Notice(self.files[i].rel_path, "nesting too deep to analyse; skipped that declaration", line)
                    )
        return [self._facts[i] for i in sorted(self._facts)]


def collect(
    files: list[SourceFile], jobs: int, cache: FactsCache, include_generated: bool = False, progress=None
) -> Collected:
    notices: list[Notice] = []
    facts_by_index: dict[int, FileFacts] = {}
    payloads: dict[int, tuple[str, bytes]] = {}
    digests: dict[int, bytes | str | None] = {}
    content_keys: dict[int, str] = {}
    pending = []  # (index, job)
    for i, f in enumerate(files):
        data, problem = _read(f)
        if data is None:
            notices.append(Notice(f.rel_path, problem))
            digests[i] = problem
            continue
        key = content_keys[i] = content_key(data)
        if not include_generated and is_generated(data):
            continue
        entry = cache.read(key)
        if entry is not None:
            digests[i] = entry[0]
            payloads[i] = (key, entry[1])
        else:
            pending.append((i, (key, f.rel_path, f.is_test, data)))

    def done(i, key, facts, problem, digest, cached_by_worker):
        if facts is None:
            notices.append(Notice(files[i].rel_path, problem, internal=problem.startswith(INTERNAL_PARSE_ERROR)))
            digests[i] = problem
            return
        if isinstance(facts, bytes):  # a worker's cache payload: stored without path and is_test
            facts = cache.load(facts)
            if facts is None:
                notices.append(Notice(files[i].rel_path, f"{INTERNAL_PARSE_ERROR} (unreadable facts)", internal=True))
                digests[i] = "unreadable facts"
                return
            facts.path, facts.is_test = files[i].rel_path, files[i].is_test
        elif not cached_by_worker:
            digest = cache.put(key, facts)
        digests[i] = digest
        facts_by_index[i] = facts
        if progress:
            progress()

    start = getattr(progress, "start", None)
    if start is not None:
        start(len(pending))  # the total to show: only misses are parsed
    if jobs > 1 and len(pending) > 8:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(cache.directory, os.getpid()))
        try:
            chunk = max(1, min(64, len(pending) // (jobs * 8)))
            results = pool.map(_parse_job, [job for _, job in pending], chunksize=chunk)
            for (i, _), (key, facts, problem, digest) in zip(pending, results, strict=False):
                done(i, key, facts, problem, digest, True)
        except BaseException:
            _abandon(pool)  # Ctrl-C: exit now, not after every queued chunk is parsed
            raise
        pool.shutdown()
    else:
        for i, job in pending:
            key, facts, problem, digest = _parse_job(job)
            done(i, key, facts, problem, digest, False)
    return Collected(
        files,
        notices,
        len(pending),
        dict(sorted(digests.items())),
        facts_by_index,
        payloads,
        cache,
        content_keys=content_keys,
    )


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
