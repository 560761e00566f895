"""Calls after which the calling path does not go on: what they end, told by structure.

Several layers need to know that a path stops at a call: the leak walk stops
following a resource (`log.Fatal` after a dial is no leak), the lock walk
drops a path that ends the process, the channel analyses count a goroutine
that calls `runtime.Goexit` or `t.Fatal` as gone. They ask here, so that one
table (`knowledge/exits.toml`) says which library calls end what, and so that
a call counts by what it resolves to, never by its name: a project's own
`Fatal` method that logs and returns ends nothing, while its own `fatalf`
helper that always calls `os.Exit` ends its callers' paths too.

An in-tree function ends its caller's path when it has no `return` and one of
its top-level statements is such a call (with no `return`, every path that
leaves the body goes through that statement). Calls to such helpers are
followed a few levels deep; recursion and unresolved or dynamic calls end
nothing.
"""

from __future__ import annotations

import weakref

from .. import expr as E
from ..facts import Op
from ..knowledge import load
from ..program import Function, Program

PROCESS = "process"  # the program stops: deferred calls do not run
GOROUTINE = "goroutine"  # runtime.Goexit: the goroutine stops after its deferred calls
TEST = "test"  # t.Fatal, t.Skip...: Goexit of the test's goroutine
PANIC = "panic"  # panic(...) and loggers' Panic: a deferred recover may stop it

_KINDS = (PROCESS, GOROUTINE, TEST, PANIC)
_DEPTH = 3  # in-tree helpers followed this many calls down


def _load_table() -> dict[str, str]:
    table = load("exits.toml")
    return {name: kind for kind in _KINDS for name in table.get(kind, ())}


def _load_builders() -> tuple[frozenset[str], dict[str, str]]:
    table = load("exits.toml").get("builders", {})
    return frozenset(table.get("sends", ())), {name: kind for kind in _KINDS for name in table.get(kind, ())}


LIBRARY_EXITS: dict[str, str] = _load_table()
# The bare names of the table's calls: a call by any other name needs no lookup.
EXIT_NAMES: frozenset[str] = frozenset(name.rsplit(".", 1)[1] for name in LIBRARY_EXITS)
# Event builders (`log.Fatal()` of zerolog) and the methods that send the event they return.
BUILDER_SENDS, BUILDER_EXITS = _load_builders()
BUILDER_NAMES: frozenset[str] = frozenset(name.rsplit(".", 1)[1] for name in BUILDER_EXITS)
_CHAIN_DEPTH = 16  # setters followed down a builder chain (`.Err(err).Str(k, v)...`)


class ExitCalls:
    """What each call ends, for one program; in-tree helpers are summarised once each.

    Made for one question's walk and thrown away; the summaries it learns live in the
    program's memo (`_MEMOS`), which holds no reference back to the program.
    """

    def __init__(self, program: Program, memo: dict[int, str | None]):
        self.program = program
        self._never_returns = memo

    def kind(self, fn: Function, op: Op, depth: int = 0) -> str | None:
        """PROCESS, GOROUTINE, TEST or PANIC for a plain call that ends the path; None otherwise."""
        if op.kind != "call" or op.mode != "plain" or op.fn is None:
            return None
        if E.is_ident(op.fn, "panic"):
            return PANIC
        program = self.program
        name = E.selected_name(op.fn) or E.ident(op.fn)
        if name in EXIT_NAMES:
            ext = program.external_callee(fn, op.fn)
            if ext is not None:
                return LIBRARY_EXITS.get(ext.qualname)
        if name in BUILDER_SENDS:
            built = self._built_exit(fn, op.fn)
            if built is not None:
                return built
        if depth >= _DEPTH:
            return None
        targets = program.resolve_call(fn, op)
        if len(targets) != 1:
            return None
        return self.never_returns(targets[0].function, depth + 1)

    def _built_exit(self, fn: Function, callee) -> str | None:
        """`log.Fatal().Err(err).Msg("x")`: what the event the chain starts from ends once sent."""
        e = E.selector_base(callee)
        for _ in range(_CHAIN_DEPTH):
            call = E.call(e)
            if call is None:
                return None
            inner = call[0]
            if (E.selected_name(inner) or E.ident(inner)) in BUILDER_NAMES:
                ext = self.program.external_callee(fn, inner)
                if ext is not None and ext.qualname in BUILDER_EXITS:
                    return BUILDER_EXITS[ext.qualname]
            e = E.selector_base(inner)
            if e is None:
                return None
        return None

    def never_returns(self, fn: Function, depth: int = 0) -> str | None:
        """What `fn` always ends when called, or None if some path returns to its caller."""
        key = fn.id
        if key in self._never_returns:
            return self._never_returns[key]
        self._never_returns[key] = None  # a recursive call ends nothing
        ops = fn.facts.ops
        found = None
        if not any(op.kind == "return" for op in ops):
            for op in ops:
                if op.region == 0 and op.kind == "call":
                    found = self.kind(fn, op, depth)
                    if found is not None:
                        break
        self._never_returns[key] = found
        return found


# Per program: (function id -> what calling it always ends, call key -> what that call ends).
# Weak keys, plain values: the program is freed with its run.
_MEMOS: weakref.WeakKeyDictionary[Program, tuple[dict[int, str | None], dict[int, str | None]]] = (
    weakref.WeakKeyDictionary()
)


def call_exit(program: Program, fn: Function, op: Op) -> str | None:
    """What the call op ends (see `ExitCalls.kind`), once per call.

    The lock layer asks it of every call on every path it walks (grpc-go: 44,000 questions).
    A call's answer is settled by its first asking: the helpers it reaches are summarised in
    the program's memo on the way, and never re-judged.
    """
    memos = _MEMOS.get(program)
    if memos is None:
        memos = _MEMOS[program] = ({}, {})
    never_returns, calls = memos
    key = id(op) << 32 | fn.id
    if key not in calls:
        calls[key] = ExitCalls(program, never_returns).kind(fn, op)
    return calls[key]
