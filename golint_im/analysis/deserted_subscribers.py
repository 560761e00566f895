"""A subscriber's loop that can give up while its publisher keeps sending to it.

    func (s *subscriber) run() {            // go s.run()
        for ev := range s.ch {
            if err := s.handle(ev); err != nil {
                return                      // stops receiving; still in the bus's list
            }
        }
    }
    func (b *Bus) Publish(ev Event) {
        for _, s := range b.subs { s.ch <- ev }   // the next publish to s blocks forever
    }

A goroutine that ranges over a channel field of its own receiver is that
channel's only reader. When it can leave the loop early (a `return` or a
`break` on an error) and another function sends on that field with a plain
send, the send after the reader left never completes: the channel is
unbuffered, so it needs the reader that is gone.

Judged only when every value the tree gives the field is an unbuffered
`make(chan T)` (a composite literal of the type, or an assignment to the
field), the reader is started by a `go` statement, it has no `defer` (a
deferred call may unsubscribe or signal), the branch that leaves calls
nothing but logging, and the send is a plain statement outside any
`select`, in a function other than the reader. A leaving branch must be an
`if` (an error test), not a `select` case on a quit channel (a shutdown,
after which sending is the caller's mistake). Counted in `--debug` as
`GIM102_deserted_subscribers`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .resources import _LOGGING


@dataclass
class DesertedSubscriber:
    reader: Function  # ranges over its receiver's channel field
    range_op: Op
    exit: Op  # the `return` or `break` that leaves the loop
    field: str  # `s.ch`
    sender: Function
    send: Op
    start_fn: Function
    start: Op  # the `go` statement starting the reader


def deserted_subscribers(program: Program, debug: Counter) -> list[DesertedSubscriber]:
    out = []
    for reader in program.functions:
        recv = reader.facts.recv_name
        if not recv or reader.parent is not None or not reader.go_sites:
            continue
        facts = reader.facts
        if any(
            op.kind == "call" and op.mode == "defer" and not _closes_own_field(program, reader, op) for op in facts.ops
        ):
            continue
        for rop in facts.ops:
            if rop.kind != "recv" or rop.mode != "range":
                continue
            sel = E.selector(rop.fn)
            if sel is None or not E.is_ident(sel[0], recv):
                continue
            exit_op = _quiet_exit(program, reader, rop)
            if exit_op is None:
                continue
            named = program.named(program.qualify(facts.recv, reader.file))
            if named is None or not _unbuffered_only(program, reader, named, sel[1]):
                continue
            found = _plain_sender(program, reader, named, sel[1])
            if found is None:
                continue
            start_fn, start = reader.go_sites[0]
            debug["GIM102_deserted_subscribers"] += 1
            out.append(DesertedSubscriber(reader, rop, exit_op, f"{recv}.{sel[1]}", *found, start_fn, start))
            break
    return out


def _quiet_exit(program: Program, reader: Function, rop: Op) -> Op | None:
    """The first `return` (or `break` of this loop) inside the range's body whose branch calls
    nothing but logging (itself, or through a callback whose every value only logs) and sends or
    closes nothing."""
    facts = reader.facts
    loop = rop.body
    for op in facts.ops:
        chain = list(enclosing_regions(facts, op.region))
        if loop not in chain:
            continue
        if op.kind != "return" and not (op.kind == "jump" and op.mode == "break" and op.fn is None):
            continue
        branch = chain[0]
        if branch == loop:
            return None  # leaves every round: not a loop that serves
        if any(facts.regions[r].kind not in ("if", "else", "block") for r in chain[: chain.index(loop)]):
            # `case <-s.quit: return` in a select: a shutdown, not a subscriber giving up (and only
            # `if` branches between them: a plain `break` here is this loop's)
            continue
        inside = [o for o in facts.ops if branch in enclosing_regions(facts, o.region) and o is not op]
        if any(o.kind in ("send", "recv") for o in inside):
            continue
        if any(
            o.kind == "call"
            and not _only_logs(E.selected_name(o.fn) or E.ident(o.fn) or "")
            and not _logging_callback(program, reader, o)
            for o in inside
        ):
            continue
        return op
    return None


def _quiet_body(fn: Function) -> bool:
    """fn sends, receives, closes and deletes nothing, and calls nothing but logging."""
    for o in fn.facts.ops:
        if o.kind in ("send", "recv"):
            return False
        if o.kind == "call" and not _only_logs(E.selected_name(o.fn) or E.ident(o.fn) or ""):
            return False
    return True


def _logging_callback(program: Program, reader: Function, op: Op) -> bool:
    """`c.onError(c, err)` through a function value every value of which, in the tree, only logs."""
    sel = E.selector(op.fn)
    if sel is None or not E.is_ident(sel[0], reader.facts.recv_name):
        return False
    named = program.named(program.qualify(reader.facts.recv, reader.file))
    values = program.func_values_of_field(named, sel[1]) if named else []
    return bool(values) and all(_quiet_body(v.function) for v in values)


def _closes_own_field(program: Program, reader: Function, op: Op) -> bool:
    """`defer c.tr.Close()`: a deferred `Close` of a value held in a field of the reader's receiver,
    whose implementations in the tree send, close and delete nothing (it releases the transport; it
    does not unsubscribe the reader or signal anyone)."""
    sel = E.selector(op.fn)
    if sel is None or sel[1] != "Close":
        return False
    holder = E.selector(sel[0])
    if holder is None or not E.is_ident(holder[0], reader.facts.recv_name):
        return False
    for t in program.resolve_call(reader, op._replace(mode="plain")):
        for o in t.function.facts.ops:
            if o.kind in ("send", "recv"):
                return False
            if o.kind == "call" and (E.is_ident(o.fn, "delete") or E.is_ident(o.fn, "close")):
                return False
    return True


def _only_logs(name: str) -> bool:
    """A logging call that neither ends the process nor panics (`log.Fatal` would end it first)."""
    return bool(_LOGGING.match(name)) and not name.startswith(("Fatal", "Panic"))


def _unbuffered_only(program: Program, reader: Function, named: str, field: str) -> bool:
    """Every value the tree gives the field is `make(chan T)` with no capacity: in composite literals
    of the type (in its package) and in assignments to the field."""
    type_name = named.split("#")[-1]
    seen = False
    for fn in program.package_functions(reader.pkg.path):
        for op in fn.facts.ops:
            if op.kind not in ("assign", "return", "call"):
                continue  # (a literal returned or passed is built too: `return &Conn{send: make(chan Frame)}`)
            for t, v in zip(op.targets, op.args, strict=False):
                ts = E.selector(t)
                if ts is not None and ts[1] == field and program.named(program.type_of(fn, ts[0]) or "") == named:
                    if not _unbuffered_make(v):
                        return False
                    seen = True
            for v in op.args:
                for x in E.subexprs(v):
                    lit = E.composite(x)
                    if lit is None or lit[0].lstrip("*&") != type_name:
                        continue
                    for key, value in lit[1]:
                        if E.ident(key) == field:
                            if not _unbuffered_make(value):
                                return False
                            seen = True
    return seen


def _unbuffered_make(value) -> bool:
    c = E.call(value)
    return c is not None and E.is_ident(c[0], "make") and len(c[1]) == 1


def _plain_sender(program: Program, reader: Function, named: str, field: str) -> tuple[Function, Op] | None:
    """A plain send on `x.field` (x of the reader's type) outside any select, in another function. When
    x's type is not known (a range over a copied slice), the field's name must be the type's alone
    among the package's structs."""
    type_name = named.split("#")[-1]
    others = {
        t.name
        for ff in reader.pkg.files
        for t in ff.types
        if t.kind == "struct" and t.name != type_name and any(m[0] == field for m in t.members)
    }
    for fn in program.package_functions(reader.pkg.path):
        if fn is reader:
            continue
        for op in fn.facts.ops:
            if op.kind != "send" or op.select >= 0:
                continue
            sel = E.selector(op.fn)
            if sel is None or sel[1] != field:
                continue
            t = program.type_of(fn, sel[0])
            if program.named(t or "") == named or (t is None and not others):
                return fn, op
    return None
