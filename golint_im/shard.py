"""Spreading one run over CI jobs: `check --shard I/N` writes a shard file, `merge` joins them.

Every shard analyses the whole program (whole-program answers need the
link over all packages; the facts cache is keyed by content, so a cache
shared between jobs saves the parsing), and keeps what is anchored in the
packages it owns: findings, suppressed findings and notices by their path.
Packages are shared out by file count, largest first, each to the least
loaded shard, in an order that depends only on the tree, so every job
computes the same split without talking to the others.

A shard file is untrusted data to `merge` (it crosses jobs as an artifact):
it is read with a size limit, parsed as JSON (never unpickled), every value
type-checked, and merge refuses, in one line, shards of different trees,
configurations or builds, and a set of shards that is not exactly 1..N.
Each kept item carries its position in the shard's lists: notices (made
before any rule runs) in the whole run's order, findings in an order that
merge reproduces, so the merged result is, item for item and in order, the
single run's result.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .discover import SourceFile
from .escape import json_safe, printable
from .factcodec import BadEntry
from .findings import Finding, Notice, RunResult
from .reuse import decode_finding, decode_notice, finding_record, notice_record
from .safeio import read_regular

FORMAT_KEY = "golint-im-shard"
FORMAT_VERSION = 2  # 2: notices carry `internal`
MAX_SHARDS = 256
MAX_SHARD_BYTES = 256 * 1024 * 1024
_MAX_DEPTH = 8  # the deepest value a shard file holds: findings[i][1][4][j][0] is a location, a list of scalars
_MAX_INT = 2**31
_SEVERITIES = ("error", "warning", "note")
_SPEC = re.compile(r"([0-9]{1,4})/([0-9]{1,4})")
_DIGEST = re.compile(r"[0-9a-f]{1,128}")
_RULE_ID = re.compile(r"GIM[0-9]{3}")


class ShardError(Exception):
    """A shard spec, file or set that cannot be used; str() is the one-line message."""


def parse_spec(spec: str) -> tuple[int, int]:
    """`I/N` as (I, N), 1 <= I <= N <= MAX_SHARDS; ShardError otherwise."""
    m = _SPEC.fullmatch(spec.strip())
    if m is None:
        raise ShardError(f"--shard {printable(spec)}: expected I/N, such as 1/3")
    index, count = int(m.group(1)), int(m.group(2))
    if not 1 <= index <= count <= MAX_SHARDS:
        raise ShardError(f"--shard {printable(spec)}: need 1 <= I <= N <= {MAX_SHARDS}")
    return index, count


def package_of(path: str) -> str:
    """The package a display path belongs to: its directory (one Go package per directory)."""
    return posixpath.dirname(path)


def assign_packages(paths: Iterable[str], count: int) -> dict[str, int]:
    """Each package's shard (1-based): biggest packages first, each onto the least loaded shard.

    Ties are broken by the package path and the lowest shard number, so the
    split is a function of the file list alone (every discovered file, so
    the split does not depend on which files parse).
    """
    sizes: dict[str, int] = {}
    for path in paths:
        pkg = package_of(path)
        sizes[pkg] = sizes.get(pkg, 0) + 1
    load = [0] * count
    owner = {}
    for pkg, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        shard = load.index(min(load))
        owner[pkg] = shard + 1
        load[shard] += size
    return owner


@dataclass(frozen=True)
class Ownership:
    """Which display paths shard `index` of `count` reports."""

    index: int
    count: int
    packages: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Iterable[str], index: int, count: int) -> Ownership:
        """The split of the packages of these display paths (every discovered file)."""
        return cls(index, count, assign_packages(paths, count))

    def owner(self, path: str) -> int:
        """The shard that reports what is anchored at path.

        A path outside every package (a run-wide notice has none; a discovery
        notice may name a directory) goes by a stable hash of its package, and
        the empty path to shard 1, so every item has exactly one owner.
        """
        pkg = package_of(path)
        if pkg in self.packages:
            return self.packages[pkg]
        if not path:
            return 1
        digest = hashlib.blake2b(pkg.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % self.count + 1

    def owns(self, path: str) -> bool:
        return self.owner(path) == self.index


@dataclass
class Identity:
    """What must be equal across the shards of one run."""

    tool_version: str
    code_digest: str  # golint-im's own code (reuse.code_digest)
    config_digest: str  # configuration, selected rules and report filters
    tree: list[tuple[str, str]]  # every discovered file: (display path, digest of its bytes or why it has none)


def tree_digests(files: list[SourceFile], content_keys: dict[int, str], problems: dict) -> list[tuple[str, str]]:
    """(path, content digest) of every file in discovery order; an unreadable file gives its problem."""
    out = []
    for i, f in enumerate(files):
        if i in content_keys:
            out.append((f.rel_path, content_keys[i]))
        else:
            out.append((f.rel_path, "unread: " + str(problems.get(i, ""))))
    return out


def keep_owned(
    result: RunResult, ownership: Ownership
) -> tuple[list[tuple[int, Finding]], list[tuple[int, Finding]], list[tuple[int, Notice]]]:
    """The shard's part of its result: (position in the shard's list, item) of findings, suppressed, notices."""
    return (
        [(i, f) for i, f in enumerate(result.findings) if ownership.owns(f.location.path)],
        [(i, f) for i, f in enumerate(result.suppressed) if ownership.owns(f.location.path)],
        [(i, n) for i, n in enumerate(result.notices) if ownership.owns(n.path)],
    )


def shard_text(result: RunResult, ownership: Ownership, identity: Identity) -> str:
    """The shard file: JSON, ASCII only (a file name's undecodable bytes survive as escapes)."""
    findings, suppressed, notices = keep_owned(result, ownership)
    doc = {
        FORMAT_KEY: FORMAT_VERSION,
        "tool_version": identity.tool_version,
        "code_digest": identity.code_digest,
        "config_digest": identity.config_digest,
        "shard": [ownership.index, ownership.count],
        "files_analysed": result.files_analysed,
        "tree": [list(entry) for entry in identity.tree],
        "findings": [[i, finding_record(f)] for i, f in findings],
        "suppressed": [[i, finding_record(f)] for i, f in suppressed],
        "notices": [[i, notice_record(n)] for i, n in notices],
    }
    return json_safe(json.dumps(doc, ensure_ascii=True, separators=(",", ":"))) + "\n"


# --------------------------------------------------------------------------
# Reading shard files back


@dataclass
class Shard:
    path: str
    index: int
    count: int
    identity: Identity
    files_analysed: int
    findings: list[tuple[int, Finding]]
    suppressed: list[tuple[int, Finding]]
    notices: list[tuple[int, Notice]]


def _depth(value, limit: int) -> int:
    """How deeply value nests lists and dicts; stops counting past limit."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            if d > limit:
                return d
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _plain(value):
    """JSON lists as tuples; anything but lists, strings and non-negative ints (a bool, a float, a dict) refused."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if type(value) is str:
        return value
    if type(value) is int and 0 <= value < _MAX_INT:
        return value
    raise BadEntry("a value of the wrong type")


def _items(doc: dict, key: str, decode) -> list:
    values = doc.get(key)
    if not isinstance(values, list):
        raise BadEntry(f'"{key}" must be a list')
    out = []
    last = -1
    for entry in values:
        record = _plain(entry)
        if len(record) != 2 or type(record[0]) is not int or type(record[1]) is not tuple or record[0] <= last:
            raise BadEntry(f'"{key}" entries must be [position, record] in rising position order')
        last = record[0]
        out.append((record[0], decode(record[1])))
    return out


def _checked_finding(record) -> Finding:
    """A finding whose rule ID and severity are ones golint-im writes (reports print them unescaped)."""
    finding = decode_finding(record)
    if finding.severity not in _SEVERITIES:
        raise BadEntry("a finding's severity")
    if not _RULE_ID.fullmatch(finding.rule_id):
        raise BadEntry("a finding's rule ID")
    return finding


def _str(doc: dict, key: str, pattern: re.Pattern | None = None) -> str:
    value = doc.get(key)
    if type(value) is not str or (pattern is not None and not pattern.fullmatch(value)):
        raise BadEntry(f'"{key}"')
    return value


def read_shard(path: str) -> Shard:
    """The shard file at path, every value checked; ShardError (one line) when it is not one."""
    shown = printable(path)
    try:
        blob = read_regular(path, MAX_SHARD_BYTES)
    except OSError as e:
        raise ShardError(f"{shown}: cannot read shard file: {printable(e.strerror or str(e))}") from None
    if len(blob) > MAX_SHARD_BYTES:
        raise ShardError(f"{shown}: shard file larger than {MAX_SHARD_BYTES >> 20} MB")
    try:
        doc = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ShardError(f"{shown}: not a golint-im shard file (invalid JSON)") from None
    except RecursionError:
        raise ShardError(f"{shown}: not a golint-im shard file (nested too deeply)") from None
    if not isinstance(doc, dict) or FORMAT_KEY not in doc:
        raise ShardError(f'{shown}: not a golint-im shard file (no "{FORMAT_KEY}" key)')
    if doc[FORMAT_KEY] != FORMAT_VERSION or type(doc[FORMAT_KEY]) is not int:
        raise ShardError(f"{shown}: shard format {printable(repr(doc[FORMAT_KEY]))[:40]} is not {FORMAT_VERSION}")
    if _depth(doc, _MAX_DEPTH) > _MAX_DEPTH:
        raise ShardError(f"{shown}: malformed shard file (nested too deeply)")
    try:
        spec = _plain(doc.get("shard"))
        if not (len(spec) == 2 and all(type(v) is int for v in spec) and 1 <= spec[0] <= spec[1] <= MAX_SHARDS):
            raise BadEntry('"shard"')
        files_analysed = doc.get("files_analysed")
        if type(files_analysed) is not int or not 0 <= files_analysed < _MAX_INT:
            raise BadEntry('"files_analysed"')
        tree = _plain(doc.get("tree"))
        if not all(len(e) == 2 and type(e[0]) is str and type(e[1]) is str for e in tree):
            raise BadEntry('"tree"')
        identity = Identity(
            _str(doc, "tool_version"), _str(doc, "code_digest", _DIGEST), _str(doc, "config_digest", _DIGEST), tree
        )
        return Shard(
            path,
            spec[0],
            spec[1],
            identity,
            files_analysed,
            _items(doc, "findings", _checked_finding),
            _items(doc, "suppressed", _checked_finding),
            _items(doc, "notices", decode_notice),
        )
    except BadEntry as e:
        raise ShardError(f"{shown}: malformed shard file ({printable(str(e))})") from None
    except TypeError:  # a scalar where a list was expected (len() of an int)
        raise ShardError(f"{shown}: malformed shard file (a value of the wrong type)") from None


def _tree_difference(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> str:
    """The first file the two trees disagree on, for the refusal message."""
    digests_a, digests_b = dict(a), dict(b)
    for path in sorted(set(digests_a) | set(digests_b)):
        if digests_a.get(path) != digests_b.get(path):
            return printable(path)
    return "the file order"


def merge_shards(shards: list[Shard], expected: Identity | None = None) -> RunResult:
    """The single run's result from its shards; ShardError when they are not exactly one run's 1..N.

    expected, when given, is this build's identity (tool version, code
    digest): shards written by another golint-im are refused, since the
    rule documentation in the reports comes from this one.
    """
    if not shards:
        raise ShardError("merge needs at least one shard file")
    first = shards[0]
    if expected is not None and (
        first.identity.tool_version != expected.tool_version or first.identity.code_digest != expected.code_digest
    ):
        raise ShardError(
            f"{printable(first.path)}: written by another golint-im build "
            f"({printable(first.identity.tool_version)}); merge with the build that wrote the shards"
        )
    seen: dict[int, str] = {}
    for s in shards:
        name = printable(s.path)
        if s.count != first.count:
            raise ShardError(f"{name}: shard {s.index}/{s.count} does not belong with {first.index}/{first.count}")
        if s.index in seen:
            raise ShardError(f"{name}: shard {s.index}/{s.count} given twice (also {seen[s.index]})")
        seen[s.index] = name
        build = (s.identity.tool_version, s.identity.code_digest)
        if build != (first.identity.tool_version, first.identity.code_digest):
            raise ShardError(f"{name}: written by another golint-im build than {printable(first.path)}")
        if s.identity.config_digest != first.identity.config_digest:
            raise ShardError(f"{name}: run with another configuration, rule selection or filters than the other shards")
        if s.identity.tree != first.identity.tree:
            where = _tree_difference(first.identity.tree, s.identity.tree)
            raise ShardError(f"{name}: analysed another tree than {printable(first.path)} (they differ at {where})")
        if s.files_analysed != first.files_analysed:
            raise ShardError(f"{name}: analysed another number of files than {printable(first.path)}")
    missing = sorted(set(range(1, first.count + 1)) - set(seen))
    if missing:
        listed = ", ".join(f"{i}/{first.count}" for i in missing[:10])
        raise ShardError(f"shard{'s' if len(missing) > 1 else ''} {listed} missing: merge needs all {first.count}")
    result = RunResult(files_analysed=first.files_analysed)
    for attr in ("findings", "suppressed"):
        # Findings come sorted by sort_key, whose first part is the path: findings that tie are in
        # one shard, whose own order (its positions) is the single run's order for them.
        placed = sorted(
            ((f.sort_key(), s.index, i, f) for s in shards for i, f in getattr(s, attr)), key=lambda t: t[:3]
        )
        setattr(result, attr, [t[3] for t in placed])
    # Notices are made before any rule runs (discovery, parsing): every shard has the whole
    # list, and its positions, so the merged notices keep the single run's order.
    notices = sorted((item for s in shards for item in s.notices), key=lambda item: item[0])
    if len({i for i, _ in notices}) != len(notices):
        raise ShardError("two shards hold the same notice: not shards of one run")
    result.notices = [n for _, n in notices]
    return result


def run_identity(result: RunResult, options, filters: object = None) -> Identity:
    """The identity of the run behind result (engine.Options options), filters: the report filters applied.

    The configuration is digested without where its file sits (source, root):
    jobs that check the tree out at different places still merge.
    """
    from . import __version__
    from .reuse import code_digest

    config = replace(options.config, source=None, root=None)
    rules = sorted(options.rules) if options.rules is not None else None
    parts = repr((rules, config, options.include_generated, filters))
    return Identity(
        tool_version=__version__,
        code_digest=code_digest(),
        config_digest=hashlib.blake2b(parts.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest(),
        tree=result.tree,
    )
