"""Pipes whose reader leaves early: a writer goroutine blocked on `io.Pipe` for good.

`pr, pw := io.Pipe()` has no buffer: each `pw.Write` waits until the reader
has taken all of it, or until the reader side is closed. A function that
starts a goroutine writing to `pw` and then reads `pr` in a loop (directly,
or through a reader it wraps around `pr`: `bufio.NewScanner(pr)`,
`json.NewDecoder(pr)`) but `return`s from inside that loop without closing
`pr` leaves the writer waiting in its next write forever, like a sender on
an unbuffered channel whose receiver left.

Judged only when everything about `pr` is in sight: the function makes the
pipe, never closes `pr` (no `Close` or `CloseWithError`, deferred or not, in
it or its literals), and uses `pr` only as the argument of calls into other
modules or as the base of its own method calls; it never returns, stores,
assigns or hands `pr` to a goroutine or to a function of the tree (which
might close it). A `return` on the error of a direct read of `pr` (the
writer closed its end) is not an early exit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .regions import on_straight_line, ops_with_literals, single_assignment

_CLOSERS = ("Close", "CloseWithError")


@dataclass
class AbandonedPipe:
    """The reader of a pipe returns from its read loop, unclosed, while a goroutine writes."""

    owner: Function
    made: Op  # `pr, pw := io.Pipe()`
    reader: str
    writer: str
    start: Op  # the `go` statement of the writing goroutine
    loop: int  # the read loop region
    exit: Op  # the `return` inside it


def abandoned_pipes(program: Program, debug: Counter) -> list[AbandonedPipe]:
    out = []
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind != "assign" or len(op.targets) != 2 or len(op.args) != 1:
                continue
            fn_expr = E.callee(op.args[0])
            if fn_expr is None:
                continue
            ext = program.external_callee(fn, fn_expr)
            if ext is None or ext.pkg != "io" or ext.name != "Pipe":
                continue
            reader, writer = E.ident(op.targets[0]), E.ident(op.targets[1])
            if not reader or not writer or reader == "_" or writer == "_":
                continue
            debug["GIM102_pipes"] += 1
            found = _abandoned(program, fn, op, reader, writer)
            if found is not None:
                out.append(found)
    return out


def _abandoned(program: Program, fn: Function, made: Op, reader: str, writer: str) -> AbandonedPipe | None:
    facts = fn.facts
    if not on_straight_line(facts, made.region):
        return None
    r_ident = E.make_ident(reader)
    wrappers = {reader}
    for op in ops_with_literals(fn):
        if op is not made and not _reader_use_ok(program, fn, op, r_ident):
            return None
        if op.kind == "assign" and len(op.args) == 1 and len(op.targets) == 1:
            call = E.call(op.args[0])
            wrapper = E.ident(op.targets[0])
            if call is not None and r_ident in call[1] and wrapper:
                wrappers.add(wrapper)  # `sc := bufio.NewScanner(pr)`
    start = _writer_start(program, fn, writer)
    if start is None:
        return None
    index = {id(o): k for k, o in enumerate(facts.ops)}
    names = {E.make_ident(w) for w in wrappers}
    for loop, region in enumerate(facts.regions):
        if region.kind not in ("for", "range") or not on_straight_line(facts, region.parent):
            continue
        inside = [o for o in facts.ops if loop in enclosing_regions(facts, o.region)]
        if not inside or index[id(inside[0])] < index[id(start)]:
            continue
        reads = _mentions_any(region.info, names) or any(
            _mentions_any(e, names) for o in inside for e in (o.fn, *o.args)
        )
        if not reads:
            continue
        direct_errors = _direct_read_errors(inside, r_ident)
        for o in inside:
            if o.kind == "return" and not _on_read_error(facts, o, direct_errors):
                return AbandonedPipe(fn, made, reader, writer, start, loop, o)
    return None


def _reader_use_ok(program: Program, fn: Function, op: Op, r_ident) -> bool:
    """op uses pr only as the base of its own method calls other than a close, or as a direct
    argument of a call into another module (every call is an op of its own, so a call nested in
    an expression is judged at its own op)."""
    exprs = [e for e in (op.fn, *op.args) if e is not None and E.is_expr(e)]
    if not any(E.mentions(e, r_ident) for e in exprs):
        return True
    if op.kind in ("return", "send") or (op.kind == "call" and op.mode == "go"):
        return False
    if op.kind == "assign" and any(E.ident(t) == E.ident(r_ident) for t in op.targets):
        return False  # pr given another value
    if op.kind == "call":
        sel = E.selector(op.fn)
        if sel is not None and sel[0] == r_ident and sel[1] in _CLOSERS:
            return False
        if r_ident in op.args and program.resolve_call(fn, op):
            return False  # a function of the tree, which may close or keep it
    if op.kind == "call":
        own_method = (E.selector(op.fn) or (None, ""))[0] == r_ident
        exprs = [a for a in op.args if a != r_ident] + ([] if own_method else [op.fn])
    # Anything left names pr outside a call of its own: stored, copied, compared, or `pr.Read`
    # taken as a value. Not judged.
    return not any(x == r_ident for e in exprs if E.is_expr(e) for x in E.subexprs_outside_calls(e))


def _writer_start(program: Program, fn: Function, writer: str) -> Op | None:
    """fn's one `go` statement, on its straight line, whose goroutine is given or captures pw."""
    w_ident = E.make_ident(writer)
    found = []
    for op in fn.facts.ops:
        if op.kind != "call" or op.mode != "go":
            continue
        number = E.funclit(op.fn)
        if number is not None:
            lit = program.literal(fn, number)
            if lit is not None and any(
                E.mentions(e, w_ident) for o in ops_with_literals(lit) for e in (o.fn, *o.args) if E.is_expr(e)
            ):
                found.append(op)
        elif any(E.mentions(a, w_ident) for a in op.args if E.is_expr(a)):
            found.append(op)
    if len(found) != 1 or not on_straight_line(fn.facts, found[0].region):
        return None
    return found[0]


def _mentions_any(e, names: set) -> bool:
    return e is not None and E.is_expr(e) and any(x in names for x in E.subexprs(e))


def _direct_read_errors(ops: list[Op], r_ident) -> set[str]:
    """Error names assigned from a direct read of pr (`n, err := pr.Read(buf)`, `io.ReadFull(pr, b)`)."""
    out = set()
    for op in ops:
        if op.kind != "assign" or len(op.args) != 1 or not op.targets:
            continue
        call = E.call(op.args[0])
        if call is None:
            continue
        sel = E.selector(call[0])
        if (sel is not None and sel[0] == r_ident) or any(a == r_ident for a in call[1]):
            last = E.ident(op.targets[-1])
            if last:
                out.add(last)
    return out


def _on_read_error(facts, op: Op, errors: set[str]) -> bool:
    """op sits under an `if` whose condition tests one of the direct read's errors."""
    if not errors:
        return False
    names = {E.make_ident(n) for n in errors}
    return any(
        facts.regions[r].kind == "if" and _mentions_any(facts.regions[r].info, names)
        for r in enclosing_regions(facts, op.region)
    )


_PIPE_METHODS = ("StdoutPipe", "StderrPipe")


@dataclass
class WaitBeforeRead:
    """`out, _ := cmd.StdoutPipe(); cmd.Start(); cmd.Wait(); io.ReadAll(out)`: Wait waits for the
    child, which waits, once the pipe's buffer is full, for a read that comes only after Wait."""

    owner: Function
    pipe_op: Op  # the assignment from StdoutPipe/StderrPipe
    pipe: str
    method: str
    wait: Op  # cmd.Wait()
    read: Op  # the first use of the pipe after the Wait


def waits_before_reading(program: Program, debug: Counter) -> list[WaitBeforeRead]:
    """os/exec: "it is incorrect to call Wait before all reads from the pipe have completed".

    The function takes a pipe from an `*exec.Cmd` it holds and, on its straight line, calls that
    command's `Wait` (or `Run`) before the first use of the pipe; the pipe is not handed to a
    goroutine, returned or stored before the Wait."""
    out = []
    for fn in program.functions:
        ops = fn.facts.ops
        for i, op in enumerate(ops):
            if op.kind != "assign" or not op.targets or len(op.args) != 1:
                continue
            call = E.call(op.args[0])
            if call is None or E.selected_name(call[0]) not in _PIPE_METHODS:
                continue
            cmd = E.selector_base(call[0])
            if not _exec_command(program, fn, cmd):
                continue
            pipe = E.ident(op.targets[0])
            if not pipe or pipe == "_" or cmd is None or not on_straight_line(fn.facts, op.region):
                continue
            debug["GIM102_exec_pipes"] += 1
            found = _wait_before_read(fn, ops, i, pipe, cmd)
            if found is not None:
                out.append(WaitBeforeRead(fn, op, pipe, E.selected_name(call[0]) or "", *found))
    return out


def _wait_before_read(fn: Function, ops: list, start: int, pipe: str, cmd) -> tuple[Op, Op] | None:
    p_ident = E.make_ident(pipe)
    wait: Op | None = None
    for op in ops[start + 1 :]:
        if any(E.mentions(e, p_ident) for e in (op.fn, *op.args) if e is not None and E.is_expr(e)):
            if wait is None:
                return None  # read (or handed on) before any Wait
            return wait, op
        if op.kind == "call" and op.mode == "go" and E.funclit(op.fn) is not None:
            return None  # a goroutine may read it (its body is not followed here)
        if (
            op.kind == "call"
            and op.mode == "plain"
            and E.selected_name(op.fn) in ("Wait", "Run")
            and E.selector_base(op.fn) == cmd
            and on_straight_line(fn.facts, op.region)
        ):
            wait = wait or op
        if op.kind == "return" and wait is None and on_straight_line(fn.facts, op.region):
            return None
    return None


def _exec_command(program: Program, fn: Function, cmd) -> bool:
    """cmd is an `*exec.Cmd`: so typed, or a local assigned once from `exec.Command(...)`
    (`exec.CommandContext`): the model holds no types of the standard library's results."""
    t = program.type_of(fn, cmd) if cmd is not None else None
    if t and t.lstrip("*") == "os/exec#Cmd":
        return True
    name = E.ident(cmd)
    if name is None:
        return False
    made = single_assignment(program, fn, name)
    called = E.call(made) if made is not None else None
    ext = program.external_callee(fn, called[0]) if called is not None else None
    return ext is not None and ext.pkg == "os/exec" and ext.name in ("Command", "CommandContext")
