"""The only package that touches tree-sitter: Go source bytes -> FileFacts.

One walk over each tree, statements first and expressions on demand, so a
file costs one parse and one pass. Anything the walker does not understand
becomes an ('other', text) expression rather than an error: broken or
unusual code yields what could be read, never an exception.
"""

from __future__ import annotations

import os
import re
import resource

import tree_sitter as ts

from ..facts import FileFacts
from ..made import made_types
from .conventions import default_import_name, is_generated
from .grammar import GO, GRAMMAR_VERSION
from .walker import MAX_KEPT_ELEMENTS, Walker

_PARSER = None


def _parser() -> ts.Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = ts.Parser(GO)
    return _PARSER


class TooCostly(Exception):
    """tree-sitter's error recovery outgrew its memory budget on this file (str(): why)."""


# Memory tree-sitter may add while parsing one file: a base plus a multiple of
# its size. A normal 8 MB file needs about 350 MB; 1.7 MB of unclosed calls
# (`x := a(x := a(...`) took 1.2 GB and 80 s before this cut them short.
PARSE_BUDGET_BASE = 256 * 1024 * 1024
PARSE_BUDGET_PER_BYTE = 96
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_CHUNK = 1 << 16
WATCH_FROM = 256 * 1024  # smaller files cannot reach the budget


def _memory() -> tuple[int, int]:
    """(virtual size, resident size) of this process in bytes; (0, 0) where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            fields = fh.read().split()
        return int(fields[0]) * _PAGE, int(fields[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0, 0


def _tree(src: bytes):
    """src parsed, with tree-sitter's memory watched.

    tree-sitter aborts the process (SIGSEGV, SIGABRT) when an allocation
    fails, so a run under a memory limit (ulimit -v, a container) must stop
    before the limit rather than at it: MemoryError, which the command line
    reports in one line. A file whose parse merely outgrows its budget is
    TooCostly: skipped with a notice, like an oversized file.
    """
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if len(src) < WATCH_FROM and soft == resource.RLIM_INFINITY:
        return _parser().parse(src)  # cannot outgrow the budget: the faster, unwatched parse
    vm0, rss0 = _memory()  # read only when watched: /proc is opened once per file otherwise
    if not vm0:
        return _parser().parse(src)
    headroom = 64 * 1024 * 1024  # allocations between two progress callbacks, and the walk's own start
    if soft != resource.RLIM_INFINITY and vm0 + headroom > soft:
        raise MemoryError("no memory left to parse under the address-space limit")
    budget = PARSE_BUDGET_BASE + PARSE_BUDGET_PER_BYTE * len(src)
    stop: list[str] = []
    calls = [0]

    def progress(_offset, _has_error) -> bool:
        calls[0] += 1
        if calls[0] % 8:
            return False
        vm, rss = _memory()
        if soft != resource.RLIM_INFINITY and vm + headroom > soft:
            stop.append("limit")
        elif rss - rss0 > budget:
            stop.append("budget")
        return bool(stop)

    try:
        tree = _parser().parse(lambda offset, _point: src[offset : offset + _CHUNK], progress_callback=progress)
    except ValueError:  # "Parsing failed": cancelled by progress()
        tree = None
    if tree is None or stop:
        _parser().reset()  # a cancelled parse would otherwise resume on the next file
        if stop and stop[0] == "limit":
            raise MemoryError("tree-sitter reached the address-space limit")
        raise TooCostly(f"skipped: parsing needs more than {budget >> 20} MB (pathological syntax errors?)")
    return tree


def parse(src: bytes, path: str, is_test: bool = False) -> FileFacts:
    tree = _tree(src)
    newer: tuple = ()
    if tree.root_node.has_error and b"new" in src:
        tree, newer = _read_newer_syntax(src, tree)
    facts = Walker(src, path, is_test).file(tree.root_node)
    facts.newer_syntax = newer
    facts.made_types, facts.conversion_names = made_types(facts)
    return facts


# Go syntax newer than the grammar (tree-sitter-go 0.25.0 covers Go 1.25):
# Go 1.26's `new(expr)`, which the grammar only accepts with a type argument.
NEW_EXPR = "new(expr)"
_NEW_CALL = re.compile(rb"\bnew\s*\(")


def _read_newer_syntax(src: bytes, tree):
    """(tree, ((construct, line), ...)): the file parsed again with the newer constructs made readable.

    `new(expr)` is parsed as a call of `nex`, a name of the same length, so
    every offset stays put and the walker, which reads names from the
    original bytes, still sees `new`. Only the `new` calls the parser
    rejected are renamed, and the new tree is kept only when it has fewer
    errors: other syntax errors are reported as before.
    """
    root = tree.root_node
    spots = []
    for m in _NEW_CALL.finditer(src):
        node = root.descendant_for_byte_range(m.start(), m.start() + 3)
        if node is None or node.type != "identifier" or node.start_byte != m.start() or node.end_byte != m.start() + 3:
            continue  # in a comment or a string, or part of a longer name
        parent = node.parent
        if parent is not None and (parent.is_error or parent.has_error):
            spots.append(m.start())
    if not spots:
        return tree, ()
    patched = bytearray(src)
    for at in spots:
        patched[at + 2 : at + 3] = b"x"
    retry = _tree(bytes(patched))
    if _error_count(retry.root_node) >= _error_count(root):
        return tree, ()
    return retry, tuple(sorted({(NEW_EXPR, src.count(b"\n", 0, at) + 1) for at in spots}))


def _error_count(node) -> int:
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            count += 1
        elif n.has_error:
            stack.extend(n.children)
    return count


__all__ = ["GRAMMAR_VERSION", "MAX_KEPT_ELEMENTS", "TooCostly", "default_import_name", "is_generated", "parse"]
