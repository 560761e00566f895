"""The Go grammar golint-im parses with, and what of it the cache key must name."""

from __future__ import annotations

import tree_sitter as ts
import tree_sitter_go as tsgo

GO = ts.Language(tsgo.language())


# Facts depend on the grammar's node names: part of the cache key.
def _grammar_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"ts{version('tree-sitter')}-go{version('tree-sitter-go')}"
    except PackageNotFoundError:
        return f"abi{GO.abi_version}"


GRAMMAR_VERSION = _grammar_version()
COMMENTS = ts.Query(GO, "(comment) @c")
