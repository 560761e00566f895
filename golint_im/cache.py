"""Per-file facts keyed by content hash and analyzer version.

The cache lives outside the analysed tree by default (the user's cache
directory): a repository must never be able to plant an entry that we
would unpickle. Entries carry an HMAC under a key private to the cache
directory, so a corrupt, truncated or foreign entry is ignored and rebuilt.
Writes go to a temp file and are renamed into place, so an interrupted or
concurrent run never leaves a half-written entry.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path

from . import __version__
from .facts import FileFacts
from .source import GRAMMAR_VERSION

FACTS_VERSION = 11
CACHE_VERSION = f"{__version__}-f{FACTS_VERSION}-{GRAMMAR_VERSION}"
_FACT_SLOTS = FileFacts.__slots__


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "golint-im"


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class FactsCache:
    def __init__(self, directory: Path | None):
        self.dir = None
        self.key = b""
        self.directory = directory  # as given: workers open their own FactsCache on it
        self._made: set[Path] = set()  # entry subdirectories known to exist
        if directory is None:
            return
        try:
            root = Path(directory) / CACHE_VERSION
            root.mkdir(parents=True, exist_ok=True)
            self.key = self._load_key(Path(directory))
            self.dir = root
        except OSError:
            self.dir = None  # read-only or unusable: run without a cache

    @staticmethod
    def _load_key(directory: Path) -> bytes:
        path = directory / "key"
        damaged = False
        try:
            key = path.read_bytes()
            if len(key) == 32:
                return key
            damaged = True  # truncated by a crash or a full disk: replace it below
        except FileNotFoundError:
            pass
        # Create-if-absent, atomically: two runs starting on a fresh cache directory
        # must end up with one key, or each would find the other's entries foreign.
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-key-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
            if damaged:
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)  # fails if another process made the key first
                except FileExistsError:
                    pass
                except OSError:  # a filesystem without hard links: last writer wins
                    os.replace(tmp, path)
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        key = path.read_bytes()
        if len(key) != 32:
            raise OSError("unusable cache key")  # a damaged key file: run without a cache
        return key

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pkl"

    def read(self, key: str) -> tuple[bytes, bytes] | None:
        """(mac, payload) of a sound entry, without unpickling it.

        The MAC doubles as the digest of the facts (same key, same payload, same
        MAC): a whole-run result can be looked up from it before any entry is
        unpickled.
        """
        if self.dir is None:
            return None
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            return None
        return unseal(self.key, blob)

    @staticmethod
    def load(payload: bytes):
        """The facts in a payload from read(), or None if it does not hold usable facts."""
        try:
            facts = pickle.loads(payload)
        except Exception:  # corrupt beyond the MAC's reach: rebuild
            return None
        # An entry written by a build whose facts differ but share this version
        # string (a developer forgot to bump FACTS_VERSION): rebuild, never crash later.
        if not isinstance(facts, FileFacts) or not all(hasattr(facts, s) for s in _FACT_SLOTS):
            return None
        return facts

    def get(self, key: str):
        entry = self.read(key)
        return None if entry is None else self.load(entry[1])

    def put(self, key: str, facts) -> bytes | None:
        """Store facts; returns their digest (the entry's MAC), None when nothing was stored."""
        stored = self.store(key, facts)
        return None if stored is None else stored[0]

    def store(self, key: str, facts) -> tuple[bytes, bytes] | None:
        """Store facts; returns (digest, payload), None when nothing was stored.

        A parser process hands the payload back rather than the facts: they
        are pickled once, for the cache, not a second time for the trip.
        """
        if self.dir is None:
            return None
        # An entry is keyed by content alone, and whoever loads it sets path and
        # is_test: store neither, so equal content gives an equal payload (and
        # digest) whichever copy of a duplicated file wrote it.
        stripped = isinstance(facts, FileFacts) and hasattr(facts, "path") and hasattr(facts, "is_test")
        if stripped:
            path, is_test = facts.path, facts.is_test
            facts.path, facts.is_test = "", False
        try:
            payload = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, RecursionError):  # e.g. absurdly deep expressions
            return None  # not cached: parsed again next time, which is all a miss costs
        finally:
            if stripped:
                facts.path, facts.is_test = path, is_test
        mac = seal(self.key, payload)
        path = self._path(key)
        try:
            if path.parent not in self._made:
                path.parent.mkdir(exist_ok=True)
                self._made.add(path.parent)
            _atomic_write(path, mac + payload)
        except OSError:
            return None  # a read-only cache is not an error
        return mac, payload


def seal(key: bytes, payload: bytes) -> bytes:
    """The MAC stored in front of a payload (facts, or a whole run's result)."""
    return hmac.new(key, payload, "sha256").digest()


def unseal(key: bytes, blob: bytes) -> tuple[bytes, bytes] | None:
    """(mac, payload) of a blob whose MAC verifies under key, else None."""
    mac, payload = blob[:32], blob[32:]
    if len(mac) != 32 or not hmac.compare_digest(mac, seal(key, payload)):
        return None
    return mac, payload


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
