"""Reuse a whole run's result when nothing the analysis reads has changed.

Linking the program and running the rules costs seconds on a large
repository, and most runs (pre-commit on a commit that touched no Go code,
a CI re-run, an edit to a comment) analyse exactly the facts of the run
before. The analysis is a pure function of the facts of every file (in
order, with their display paths), the options, the configuration and
golint-im's own code, so a digest of all of those names its result.

Per-file facts are digested without unpickling them: a cache entry's MAC is
a keyed hash of its payload (see cache.py), so equal facts give an equal
MAC. An edit that leaves a file's facts equal (a comment that moves no line)
therefore reuses the result; any change to code relinks and reruns the rules.

Results live beside the facts in the private cache directory, MAC-checked
and written atomically like them, as plain data (never a pickle: reading a
result cannot run code); a damaged one, or one of the wrong shape, is a miss.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from functools import lru_cache
from pathlib import Path

from .cache import CACHE_VERSION, MAX_ENTRY_BYTES, FactsCache, _atomic_write, seal, unseal
from .escape import utf8
from .factcodec import BadEntry, check_record, load_record
from .findings import Finding, Location, Notice, Related, RunResult, Step
from .safeio import read_regular

KEEP_RESULTS = 32  # per cache directory: enough for several repositories and branches


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of golint-im's own code and data (the engine and the rules).

    The version string is not enough while developing: a changed rule must
    never be answered with the result of the rule before the change.
    """
    import golint_im

    h = hashlib.blake2b(digest_size=20)
    for directory in [Path(golint_im.__file__).parent]:
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(directory)).encode() + b"\0")
                h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def run_key(files, digests: dict, options_fingerprint: str) -> str | None:
    """The key of a run's result, or None when a file's facts have no digest."""
    h = hashlib.blake2b(digest_size=24)
    h.update(utf8(f"{CACHE_VERSION}\0{code_digest()}\0{options_fingerprint}\0"))
    for i, digest in digests.items():
        if digest is None:
            return None
        f = files[i]
        # Where the file sits in the Go module (go.mod decides import paths), not just its facts.
        h.update(
            utf8(f"{f.rel_path}\0{int(f.is_test)}\0{f.module}\0{f.module_dir}\0{f.package_dir}\0{f.import_path}\0")
        )  # a file name need not be UTF-8
        h.update(digest if isinstance(digest, bytes) else b"notice:" + utf8(digest))
        h.update(b"\0")
    return h.hexdigest()


class ResultCache:
    def __init__(self, facts_cache: FactsCache):
        self.key = facts_cache.key
        self.dir = facts_cache.dir / "runs" if facts_cache.dir is not None else None

    def get(self, key: str | None) -> RunResult | None:
        if self.dir is None or key is None:
            return None
        path = self.dir / f"{key}.result"
        try:
            blob = read_regular(path, MAX_ENTRY_BYTES)
        except OSError:
            return None
        sealed = unseal(self.key, blob)
        if sealed is None:
            return None
        try:
            result = decode_result(sealed[1])
        except BadEntry:  # written by another build: a miss
            return None
        try:
            os.utime(path)  # recently used: kept by _prune
        except OSError:
            pass
        return result

    def put(self, key: str | None, result: RunResult) -> None:
        if self.dir is None or key is None:
            return
        try:
            payload = encode_result(result)
            self.dir.mkdir(exist_ok=True)
            _atomic_write(self.dir / f"{key}.result", seal(self.key, payload) + payload)
            self._prune()
        except (OSError, ValueError, TypeError, RecursionError):
            pass  # not stored: the next run analyses again, which is all a miss costs

    def _prune(self) -> None:
        entries = []
        for entry in os.scandir(self.dir):
            if entry.name.endswith(".result"):
                try:
                    entries.append((entry.stat().st_mtime, entry.path))
                except OSError:
                    pass
        for _mtime, path in sorted(entries, reverse=True)[KEEP_RESULTS:]:
            try:
                os.unlink(path)
            except OSError:
                pass


_LOCATION_TYPES = (str, int, int, int, int)
_FINDING_TYPES = (str, str, tuple, str, tuple, tuple, str, str)
_NOTICE_TYPES = (str, str, int, str, str, bool)
_RESULT_TYPES = (list, list, int, list, dict)


def _location(loc: Location) -> tuple:
    return (loc.path, loc.line, loc.col, loc.end_line, loc.end_col)


def finding_record(f: Finding) -> tuple:
    """A finding as a tuple of plain values (decode_finding reads it back)."""
    return (
        f.rule_id,
        f.message,
        _location(f.location),
        f.severity,
        tuple((_location(r.location), r.message) for r in f.related),
        tuple((_location(s.location), s.message) for s in f.steps),
        f.key,
        f.suppressed,
    )


def encode_result(result: RunResult) -> bytes:
    """A run's result as plain data; ValueError when something in it is not plain (a rule's debug value)."""
    return marshal.dumps(
        (
            [finding_record(f) for f in result.findings],
            [notice_record(n) for n in result.notices],
            result.files_analysed,
            [finding_record(f) for f in result.suppressed],
            result.debug,
        )
    )


def _decode_location(values) -> Location:
    check_record(values, _LOCATION_TYPES)
    return Location(*values)


def _decode_evidence(values, cls):
    check_record(values, (tuple, str))
    return cls(_decode_location(values[0]), values[1])


def decode_finding(values) -> Finding:
    """The finding of a finding_record; BadEntry when values is not one."""
    check_record(values, _FINDING_TYPES)
    rule_id, message, location, severity, related, steps, key, suppressed = values
    return Finding(
        rule_id,
        message,
        _decode_location(location),
        severity,
        tuple(_decode_evidence(r, Related) for r in related),
        tuple(_decode_evidence(s, Step) for s in steps),
        key,
        suppressed,
    )


def notice_record(n: Notice) -> tuple:
    """A notice as a tuple of plain values; its construct and summary too, so a reused run still sums them up."""
    return (n.path, n.message, n.line, n.construct, n.summary, n.internal)


def decode_notice(values) -> Notice:
    """The notice of a notice_record; BadEntry when values is not one."""
    check_record(values, _NOTICE_TYPES)
    return Notice(*values)


def decode_result(payload: bytes) -> RunResult:
    """The result in payload; BadEntry when it is not one of this build."""
    record = load_record(payload, _RESULT_TYPES)
    findings, notices, files_analysed, suppressed, debug = record
    return RunResult(
        findings=[decode_finding(f) for f in findings],
        notices=[decode_notice(n) for n in notices],
        files_analysed=files_analysed,
        suppressed=[decode_finding(f) for f in suppressed],
        debug=debug,
    )
