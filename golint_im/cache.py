"""Per-file facts keyed by content hash and analyzer version.

The cache lives outside the analysed tree (the user's cache directory; one
inside an analysed root or its repository is refused, see cli.py), so a
repository cannot plant entries or the key. Entries are plain data, never
pickles (factcodec.py): reading one cannot run code. They carry an HMAC under
a key private to the cache directory, so a corrupt, truncated or foreign
entry, and one of the wrong shape, is ignored and rebuilt. Files are read
only when regular (safeio.py): a FIFO planted as an entry cannot hang a run.
Writes go to a temp file and are renamed into place, so an interrupted or
concurrent run never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import signal
import tempfile
from pathlib import Path

from . import __version__, factcodec
from .facts import FileFacts
from .safeio import read_regular
from .source import GRAMMAR_VERSION

# 11: entries are factcodec data, not pickles; 12: directives carry their declaration's end;
# 13: newer syntax (Go 1.26's new(expr)) is read, and recorded; 14: interface methods keep their parameter types;
# 16: made types and conversion names; 17: a tagless switch's one-expression case keeps its condition;
# 18: `=` of a range clause or a select receive is no longer recorded as `:=`; 19: slice expressions keep their bounds;
# 20: functions keep the names of their named results; 21: `n++` and `n--` are recorded as `n += 1`, `n -= 1`
# 22: `for true` loops for good; 23: comments between arguments or list elements are not operands;
# 24: a switch on a name keeps its cases as comparisons with it
FACTS_VERSION = 26
CACHE_VERSION = f"{__version__}-f{FACTS_VERSION}-{GRAMMAR_VERSION}"
MAX_ENTRY_BYTES = 512 * 1024 * 1024  # far above any facts; a planted endless file is not read whole


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/golint-im, or ~/.cache/golint-im.

    A relative XDG_CACHE_HOME is ignored, as the XDG spec asks: it would put
    the cache (and its key) inside whatever directory the run starts in,
    usually the checkout being analysed.
    """
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
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
            key = read_regular(path, 64)
            if len(key) == 32:
                return key
            damaged = True  # truncated by a crash or a full disk: replace it below
        except FileNotFoundError:
            pass
        except OSError:  # a FIFO, a directory...: replaced below
            damaged = True
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
        key = read_regular(path, 64)
        if len(key) != 32:
            raise OSError("unusable cache key")  # a damaged key file: run without a cache
        return key

    def _path(self, key: str) -> Path:
        assert self.dir is not None  # only asked for when the cache is on
        return self.dir / key[:2] / f"{key}.facts"

    def read(self, key: str) -> tuple[bytes, bytes] | None:
        """(mac, payload) of a sound entry, without decoding it.

        The MAC doubles as the digest of the facts (same key, same payload, same
        MAC): a whole-run result can be looked up from it before any entry is
        decoded.
        """
        if self.dir is None:
            return None
        try:
            blob = read_regular(self._path(key), MAX_ENTRY_BYTES)
        except OSError:
            return None
        return unseal(self.key, blob)

    @staticmethod
    def load(payload: bytes):
        """The facts in a payload from read(), or None if it does not hold usable facts.

        An entry of the wrong shape (written by a build whose facts differ but
        share this version string, or crafted) is a miss: rebuilt, never a crash later.
        """
        try:
            return factcodec.decode(payload)
        except factcodec.BadEntry:
            return None

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
        are encoded once, for the cache, not pickled a second time for the trip.
        The payload leaves out path and is_test (whoever loads an entry sets
        them), so equal content gives an equal payload (and digest) whichever
        copy of a duplicated file wrote it.
        """
        if self.dir is None or not isinstance(facts, FileFacts):
            return None
        try:
            payload = factcodec.encode(facts)
        except (ValueError, TypeError, AttributeError, RecursionError):  # e.g. absurdly deep expressions
            return None  # not cached: parsed again next time, which is all a miss costs
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
    # SIGTERM or SIGINT wait until the entry is renamed into place: a parser process
    # killed (default SIGTERM) halfway through must not leave its temp file behind.
    held = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, held) if hasattr(signal, "pthread_sigmask") else None
    try:
        _write_and_rename(path, data)
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _write_and_rename(path: Path, data: bytes) -> None:
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
