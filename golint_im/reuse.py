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
and written atomically like them; a damaged one is a miss.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from .cache import CACHE_VERSION, FactsCache, _atomic_write, seal, unseal
from .findings import RunResult

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
    h.update(f"{CACHE_VERSION}\0{code_digest()}\0{options_fingerprint}\0".encode())
    for i, digest in digests.items():
        if digest is None:
            return None
        f = files[i]
        # Where the file sits in the Go module (go.mod decides import paths), not just its facts.
        h.update(f"{f.rel_path}\0{int(f.is_test)}\0{f.module}\0{f.module_dir}\0{f.package_dir}\0"
                 f"{f.import_path}\0".encode())
        h.update(digest if isinstance(digest, bytes) else b"notice:" + digest.encode())
        h.update(b"\0")
    return h.hexdigest()


class ResultCache:
    def __init__(self, facts_cache: FactsCache):
        self.key = facts_cache.key
        self.dir = facts_cache.dir / "runs" if facts_cache.dir is not None else None

    def get(self, key: str | None) -> RunResult | None:
        if self.dir is None or key is None:
            return None
        path = self.dir / f"{key}.pkl"
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        sealed = unseal(self.key, blob)
        if sealed is None:
            return None
        try:
            result = pickle.loads(sealed[1])
        except Exception:  # noqa: BLE001 - written by another build: a miss
            return None
        if not isinstance(result, RunResult):
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
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            self.dir.mkdir(exist_ok=True)
            _atomic_write(self.dir / f"{key}.pkl", seal(self.key, payload) + payload)
            self._prune()
        except (OSError, pickle.PicklingError, TypeError, RecursionError):
            pass  # not stored: the next run analyses again, which is all a miss costs

    def _prune(self) -> None:
        entries = []
        for entry in os.scandir(self.dir):
            if entry.name.endswith(".pkl"):
                try:
                    entries.append((entry.stat().st_mtime, entry.path))
                except OSError:
                    pass
        for _mtime, path in sorted(entries, reverse=True)[KEEP_RESULTS:]:
            try:
                os.unlink(path)
            except OSError:
                pass
