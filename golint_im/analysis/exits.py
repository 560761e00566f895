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

A logger of the tree that ends the process only at one severity (a copy of
glog: `Fatalf` calls `printf(fatalLog, ...)`, which calls `output(s, ...)`,
whose `if s == fatalLog { ...; os.Exit(255) }` every message reaches) ends
the path of a call that passes that severity: the summary is the parameter
and the constant it is compared with, passed on through callers that hand
the parameter down, and a `return` before the test counts only right after
a call that exits for the same value (`l.logJSON(s, ...); return`).
"""

from __future__ import annotations

import weakref

from .. import expr as E
from ..facts import Op
from ..knowledge import load
from ..program import Function, Program, enclosing_regions
from .regions import STRAIGHT_KINDS

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
        self._exits_when: dict = _WHEN_MEMOS.setdefault(program, {})

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
        callee = targets[0].function
        found = self.never_returns(callee, depth + 1)
        if found is None:
            found = self._exits_for_argument(fn, op, callee, depth + 1)
        return found

    def _exits_for_argument(self, fn: Function, op: Op, callee: Function, depth: int) -> str | None:
        """What the call ends when the callee ends the process for one value of a parameter and the
        call passes that value: glog's `Fatalf` calls `printf(fatalLog, ...)`, which calls
        `output(s, ...)`, whose `if s == fatalLog { ...; os.Exit(255) }` is always reached."""
        cond = self.exits_when(callee, 0)
        if cond is None:
            return None
        index, value, kind = cond
        if index >= len(op.args) or not _same_constant(self.program, fn, op.args[index], callee, value):
            return None
        return kind

    def exits_when(self, fn: Function, depth: int = 0) -> tuple[int, object, str] | None:
        """(parameter index, constant expression, what it ends) when every call of fn with that
        parameter equal to that constant ends the path: an `if p == C {` on fn's straight line, with
        no `return` before it or inside it, whose block ends in an exit on its own straight line;
        or a call on fn's straight line, before any `return`, that passes p on to such a function."""
        key = (fn.id, depth)  # an answer cut short by the depth bound holds only at that depth
        if key in self._exits_when:
            return self._exits_when[key]
        self._exits_when[key] = None  # recursion ends nothing
        found = None
        if depth < _DEPTH:
            found = self._exits_when_of(fn, depth)
        self._exits_when[key] = found
        return found

    def _exits_when_of(self, fn: Function, depth: int) -> tuple[int, object, str] | None:
        facts = fn.facts
        params = [name for name, _t in facts.params]
        covered: set = set()  # (parameter index, constant) every earlier return has already exited on
        for i, op in enumerate(facts.ops):
            if op.kind == "return":
                # `if jsonMode { l.logJSON(s, ...); return }`: a return right after a call that exits
                # for the same value of a parameter leaves only for the other values.
                before = self._exit_before(fn, i, params, depth)
                if before is None:
                    return None  # a path may leave before anything below
                covered.add(before)
                continue
            reg = facts.regions[op.region]
            straight = all(facts.regions[r].kind in STRAIGHT_KINDS for r in enclosing_regions(facts, op.region))
            if reg.kind == "if" and op.region > 0 and _on_straight_line_above(facts, op.region):
                b = E.binary(reg.info) if E.is_expr(reg.info) else None
                name, tested = (E.ident(b[1]), b[2]) if b is not None and b[0] == "==" else (None, None)
                if name in params and _constant_like(tested):
                    inside = [o for o in facts.ops if op.region in enclosing_regions(facts, o.region)]
                    if any(o.kind == "return" for o in inside):
                        return None
                    for o in inside:
                        if o.region == op.region and o.kind == "call":
                            ended = self.kind(fn, o, depth)
                            if ended is not None:
                                return _agreeing((params.index(name), tested, ended), covered)
            if straight and op.kind == "call" and op.mode == "plain":
                targets = self.program.resolve_call(fn, op)
                if len(targets) == 1:
                    inner = self.exits_when(targets[0].function, depth + 1)
                    if inner is not None and inner[0] < len(op.args):
                        passed = E.ident(op.args[inner[0]])
                        if passed in params:
                            return _agreeing((params.index(passed), inner[1], inner[2]), covered)
        return None

    def _exit_before(self, fn: Function, ret: int, params: list, depth: int) -> tuple | None:
        """(parameter index, constant text) of a call just before the return at index `ret`, in its
        block, that exits when that parameter equals that constant; None if there is none."""
        facts = fn.facts
        region = facts.ops[ret].region
        for op in reversed(facts.ops[:ret]):
            if op.region != region:
                continue
            if op.kind != "call" or op.mode != "plain":
                return None
            targets = self.program.resolve_call(fn, op)
            inner = self.exits_when(targets[0].function, depth + 1) if len(targets) == 1 else None
            if inner is not None and inner[0] < len(op.args) and E.ident(op.args[inner[0]]) in params:
                return params.index(E.ident(op.args[inner[0]])), E.render(inner[1])
            return None
        return None

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


# Per program: function id -> what calling it always ends. Weak keys, plain values: the
# program is freed with its run.
_MEMOS: weakref.WeakKeyDictionary[Program, dict[int, str | None]] = weakref.WeakKeyDictionary()


# Per program: function id -> (parameter index, constant, what it ends) for exits_when.
_WHEN_MEMOS: weakref.WeakKeyDictionary[Program, dict] = weakref.WeakKeyDictionary()


def _agreeing(found: tuple, covered: set) -> tuple | None:
    """found, when every earlier return was covered by an exit on the same parameter and value."""
    index, value, _kind = found
    return found if all(c == (index, E.render(value)) for c in covered) else None


def _on_straight_line_above(facts, region: int) -> bool:
    """Every region around `region` (not itself) is a plain block: every run reaches its statement."""
    parent = facts.regions[region].parent
    return parent < 0 or all(facts.regions[r].kind in STRAIGHT_KINDS for r in enclosing_regions(facts, parent))


def _constant_like(e) -> bool:
    """A name or a selector of one (`fatalLog`, `log.FatalLevel`) or a literal: a value fixed by the program."""
    return E.ident(e) is not None or E.selector(e) is not None or E.integer(e) is not None


def _same_constant(program: Program, fn: Function, arg, callee: Function, value) -> bool:
    """The argument names the same constant as the callee's test (`fatalLog` in both packages, or
    `glog.fatalLog`-style selectors of it), or the same literal."""
    if E.integer(arg) is not None or E.integer(value) is not None:
        return E.integer(arg) is not None and E.integer(arg) == E.integer(value)
    a, v = E.selected_name(arg) or E.ident(arg), E.selected_name(value) or E.ident(value)
    if a is None or a != v:
        return False
    arg_pkg = program.imported_path(fn, E.selector_base(arg)) if E.selector(arg) is not None else fn.pkg.path
    val_pkg = (
        program.imported_path(callee, E.selector_base(value)) if E.selector(value) is not None else callee.pkg.path
    )
    if arg_pkg is None or arg_pkg != val_pkg:
        return False
    # A package-level name of that package, in both places: no local or parameter shadows it.
    # (Constants continued by iota are not in the package's table, so the name is not looked up.)
    return all(
        E.selector(e) is not None or program.declaring_function(f, a) is None for e, f in ((arg, fn), (value, callee))
    )


def call_exit(program: Program, fn: Function, op: Op) -> str | None:
    """What the call op ends (see `ExitCalls.kind`).

    The lock layer asks it of every call on every path it walks (grpc-go: 44,000 questions).
    The helpers a call reaches are summarised in the program's memo on the way and never
    re-judged, so an answer is a resolved call and a memo read: not kept per call, which
    held 350,000 entries (32 MiB) under the lock layer's peak on 10,191 files for no time.
    """
    never_returns = _MEMOS.get(program)
    if never_returns is None:
        never_returns = _MEMOS[program] = {}
    return ExitCalls(program, never_returns).kind(fn, op)
