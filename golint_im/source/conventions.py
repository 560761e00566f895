"""Go's file conventions that need no parser: the generated-file marker, default import names."""

from __future__ import annotations

import re

# A line of its own, anywhere before the package clause (CRLF endings allowed, as Go strips the CR).
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)
_BLANKS = re.compile(rb"[ \t\r\n\f\v]+")


def is_generated(src: bytes) -> bool:
    """Go's convention: a `// Code generated ... DO NOT EDIT.` line before the package clause, however long.

    Only the leading comments are scanned (each comment is skipped with one
    find(), not character by character), so a large file costs as much as
    its header; a look-alike line after the package clause does not count.
    """
    return bool(_GENERATED.search(src, 0, header_end(src)))


def header_end(src: bytes) -> int:
    """Offset of the first token that is neither blank nor a comment: normally the package clause."""
    pos, n = 0, len(src)
    if src.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, which Go allows first
        pos = 3
    while pos < n:
        blanks = _BLANKS.match(src, pos)
        if blanks is not None:
            pos = blanks.end()
        elif src.startswith(b"//", pos):
            end = src.find(b"\n", pos)
            if end < 0:
                return n
            pos = end + 1
        elif src.startswith(b"/*", pos):
            end = src.find(b"*/", pos + 2)
            if end < 0:
                return n
            pos = end + 2
        else:
            return pos
    return n


_VERSION_SUFFIX = re.compile(r"^v\d+$")
# Where a vendoring tool copies another module inside the tree: `go mod vendor` (and GOPATH
# vendoring before it) and godep's rewritten imports.
_VENDORED = re.compile(r"^(?:.*/)?(?:vendor|Godeps/_workspace/src)/")


def devendored_import_path(path: str) -> str:
    """The import path of the package a vendored import names (`.../vendor/google.golang.org/grpc`).

    Code of older projects imports its dependencies through the copy it
    vendors; the package is still the library's own, and the catalogs
    (`resources.toml`) know it only by its own path.
    """
    return _VENDORED.sub("", path, count=1)


def default_import_name(path: str) -> str:
    """The package name Go code most likely uses for an import path."""
    parts = path.split("/")
    name = parts[-1]
    if _VERSION_SUFFIX.match(name) and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"\.v\d+$", "", name)
    if name.startswith("go-"):
        name = name[3:]
    elif name.endswith("-go"):
        name = name[:-3]
    return name.replace("-", "_")
