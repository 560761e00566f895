"""A pending call removed from the map its answer comes through, and left unanswered.

    func (c *Client) send(call *Call) {
        c.mu.Lock()
        c.pending[seq] = call             // the reader answers through this entry
        c.mu.Unlock()
        frame, err := encode(seq, call)
        if err != nil {
            c.mu.Lock()
            delete(c.pending, seq)        // now nobody can find the call
            c.mu.Unlock()
            return                        // and nobody answers on call.done
        }
        ...
    }
    func (c *Client) Call(m string) error { call := <-c.Go(m).done; return call.Err }

An RPC client keeps each call in a map until its answer arrives: the
reader takes the call out by its sequence number and sends on its `done`
channel. When the sender itself removes the entry (an encode or write
failure) it must answer the call too; a `return` right after the `delete`
leaves the caller waiting on `done` forever.

Judged when: a method stores a local or parameter `v` (a pointer to a
struct of the tree with a channel field `D`) into a map field of its
receiver, `r.M[k] = v`; later deletes `delete(r.M, k)` with the same key
and, in the same block, returns with only calls that do not name `v` in
between; some function takes values out of a field named `M` by index and
sends on their `D` (the normal answer); and some function waits on a `.D`
with a plain receive, outside any `select`. Counted in `--debug` as
`GIM102_pending_calls_dropped`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program
from .regions import map_field_stored
from .replies import _pending_waits, _take_before, taken_from_map_fields


@dataclass(frozen=True)
class DroppedPendingCall:
    """`sender` stores `name` in `r.M[k]`, deletes the entry and returns without answering on `name.D`."""

    sender: Function
    store: Op
    delete: Op
    exit: Op
    name: str
    field: str  # the channel field: `done`
    answerer: Function  # takes calls out of the map and answers them
    answer: Op
    waiter: Function
    wait: Op


def dropped_pending_calls(program: Program, debug: Counter) -> list[DroppedPendingCall]:
    answers = _answers(program)
    if not answers:
        return []
    waits = _waits(program)
    out = []
    for fn in program.functions:
        recv = fn.facts.recv_name
        if not recv or fn.parent is not None:
            continue
        ops = fn.facts.ops
        for i, op in enumerate(ops):
            stored = _store(op, recv)
            if stored is None:
                continue
            mapname, key, name = stored
            for field in _channel_fields(program, fn, name):
                if (mapname, field) not in answers or field not in waits:
                    continue
                found = _deleted_then_left(ops, i, recv, mapname, key, name)
                if found is None:
                    continue
                delete, exit_op = found
                answerer, answer = min(answers[(mapname, field)], key=lambda a: a[0] is fn)  # another's first
                waiter, wait = waits[field][0]
                debug["GIM102_pending_calls_dropped"] += 1
                out.append(DroppedPendingCall(fn, op, delete, exit_op, name, field, answerer, answer, waiter, wait))
                break
    return out


def _store(op: Op, recv: str) -> tuple[str, str, str] | None:
    """(map field, key rendered, stored name) for `recv.M[k] = v`."""
    if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
        return None
    ix = E.index(op.targets[0])
    sel = E.selector(ix[0]) if ix is not None else None
    name = E.ident(op.args[0])
    if ix is None or sel is None or name is None or not E.is_ident(sel[0], recv):
        return None
    return sel[1], E.render(ix[1]), name


def _channel_fields(program: Program, fn: Function, name: str) -> list[str]:
    """The channel fields of the struct `name` points to (a type of the tree)."""
    named = program.named(program.type_of(fn, E.make_ident(name)) or "")
    decl = program.type_decl(named) if named else None
    if named is None or decl is None or decl[0].kind != "struct":
        return []
    out = []
    for fname, _ftype, _embedded in decl[0].members:
        ft = program.field_type(named, fname)
        if ft is not None and program.underlying(ft[0]).startswith(("chan ", "chan<-")):
            out.append(fname)
    return out


def _answers(program: Program) -> dict[tuple[str, str], list[tuple[Function, Op]]]:
    """(map field, channel field) -> [(function, send)] for `x.D <- ...` after x was taken out of a
    map field by index (`call := c.pending[seq]`) earlier in the same function."""
    found: dict[tuple[str, str], list[tuple[Function, Op]]] = {}
    for fn in program.functions:
        taken: dict[str, list[tuple[int, tuple]]] | None = None
        for k, op in enumerate(fn.facts.ops):
            sel = E.selector(op.fn) if op.kind == "send" else None
            base = E.ident(sel[0]) if sel is not None else None
            if sel is None or base is None:
                continue
            if taken is None:
                taken = taken_from_map_fields(fn)
            held = next((h for at, h in taken.get(base, ()) if at < k), None)
            if held is not None:
                found.setdefault((held[1], sel[1]), []).append((fn, op))
    return found


def _waits(program: Program) -> dict[str, list[tuple[Function, Op]]]:
    """Channel field name -> plain receives, outside any `select`, on `x.D`."""
    found: dict[str, list[tuple[Function, Op]]] = {}
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind != "recv" or op.mode != "expr" or op.select >= 0:
                continue
            sel = E.selector(op.fn)
            if sel is not None:
                found.setdefault(sel[1], []).append((fn, op))
    return found


def _deleted_then_left(ops: list[Op], at: int, recv: str, mapname: str, key: str, name: str) -> tuple[Op, Op] | None:
    """(the delete, the return) when, after the store at index `at`, `delete(recv.M, key)` is
    followed in its own block by a `return`, with only calls naming neither `name` nor the map
    between them, and no value taken out of the map in that block before the delete."""
    for d in range(at + 1, len(ops)):
        op = ops[d]
        if op.kind != "call" or not E.is_ident(op.fn, "delete") or len(op.args) != 2:
            continue
        sel = E.selector(op.args[0])
        if sel is None or not E.is_ident(sel[0], recv) or sel[1] != mapname or E.render(op.args[1]) != key:
            continue
        block = [o for o in ops[:d] if o.region == op.region]
        if any(o.kind == "assign" and any(E.index(a) is not None for a in o.args) for o in block):
            continue  # `call = c.pending[seq]` first: the taker answers what it took
        for nxt in ops[d + 1 :]:
            if nxt.region != op.region:
                break
            if nxt.kind == "return":
                return op, nxt
            if nxt.kind != "call" or _names(nxt, name) or _names(nxt, mapname):
                break
        return None
    return None


def _names(op: Op, name: str) -> bool:
    """op mentions the identifier or field `name`."""
    for e in (op.fn, *op.args, *op.targets):
        if (
            e is not None
            and E.is_expr(e)
            and any(E.is_ident(x, name) or E.selected_name(x) == name for x in E.subexprs(e))
        ):
            return True
    return False


@dataclass(frozen=True)
class AbandonedPending:
    """The goroutine reading answers returns, and nothing answers the calls still pending in the map."""

    reader: Function  # the goroutine's function, looping for good
    exit: Op  # its `return` out of that loop
    dispatcher: Function  # takes a channel out of the map and answers it (the reader or a callee)
    answer: Op
    label: str  # the map as the dispatcher names it: `c.pending`
    waiter: Function
    wait: Op


def abandoned_pending_calls(program: Program, debug: Counter) -> list[AbandonedPending]:
    """`go c.readLoop()`, whose `for {` loop answers pending calls through `c.dispatch(f)` (`ch :=
    c.pending[f.ID]; delete(...); ch <- f`) and returns when a read fails, with nothing anywhere
    ranging over the map to fail the calls left in it: a caller waiting on `<-ch` for a request it
    already sent waits forever (and so does every later one). Judged when the answer is taken out of
    a map field by index and deleted (`replies._take_before`), the waiter stores a channel it made
    into a field of that name on a value of the same type and receives from it plainly
    (`replies._pending_waits`), and the reader is started with `go` and loops with `for {`.
    Counted in `--debug` as `GIM102_pending_calls_abandoned_on_exit`."""
    stores, answers, ranged = _stores_and_answers(program)
    out = []
    seen: set[int] = set()
    for dispatcher, _take, answer, sel in answers:
        if sel[1] in ranged or sel[1] not in stores:
            continue  # something ranges over the map: it may fail what is left
        waits = _pending_waits(program, dispatcher, sel, stores[sel[1]])
        if not waits:
            continue
        for reader in _reading_goroutines(program, dispatcher):
            if reader.id in seen:
                continue
            exit_op = _loop_exit(reader)
            if exit_op is None:
                continue
            seen.add(reader.id)
            waiter, wait = waits[0]
            debug["GIM102_pending_calls_abandoned_on_exit"] += 1
            out.append(
                AbandonedPending(reader, exit_op, dispatcher, answer, E.render(sel[0]) + "." + sel[1], waiter, wait)
            )
    return out


def _stores_and_answers(program: Program):
    """The program's pending-call maps, read once: (map field name -> its stores `r.M[k] = v`,
    [(dispatcher, index of its take, its answer (a send on, or `close` of, what it took), the map
    selector)], the field names some function ranges over)."""
    stores: dict[str, list[tuple[Function, Op]]] = {}
    answers: list[tuple[Function, int, Op, tuple]] = []
    ranged: set[str] = set()
    for fn in program.functions:
        ops = fn.facts.ops
        for i, op in enumerate(ops):
            stored = map_field_stored(op)
            if stored is not None:
                stores.setdefault(stored, []).append((fn, op))
            if op.kind == "assign" and len(op.args) == 1 and (over := E.ranged(op.args[0])) is not None:
                name = E.selected_name(over)
                if name:
                    ranged.add(name)
            if op.kind == "call" and E.is_ident(op.fn, "delete") and len(op.args) == 2 and i > 0:
                t = _take_before(ops, i)
                name = E.ident(ops[t].targets[0]) if t is not None else None
                mapped = E.selector(op.args[0])
                if t is None or name is None or mapped is None:
                    continue
                answer = next(
                    (
                        o
                        for o in ops[i + 1 :]
                        if (o.kind == "send" and E.is_ident(o.fn, name))
                        or (o.kind == "call" and E.is_ident(o.fn, "close") and o.args and E.is_ident(o.args[0], name))
                    ),
                    None,
                )
                if answer is not None:
                    answers.append((fn, t, answer, mapped))
    return stores, answers, ranged


def _reading_goroutines(program: Program, dispatcher: Function) -> list[Function]:
    """The dispatcher itself when started with `go`, or its callers that are (one call level)."""
    found = [dispatcher] if dispatcher.go_sites else []
    for caller, _call in program.callers(dispatcher):
        if caller.go_sites and caller.parent is None and caller not in found:
            found.append(caller)
    return found


def _loop_exit(reader: Function) -> Op | None:
    """The first `return` inside the reader's `for {` loop straight in its body, when the reader
    defers nothing (a deferred cleanup may fail the pending calls)."""
    facts = reader.facts
    if any(o.kind == "call" and o.mode == "defer" for o in facts.ops):
        return None
    loops = [r for r, reg in enumerate(facts.regions) if reg.kind == "for" and reg.info is None and reg.parent == 0]
    if len(loops) != 1:
        return None
    loop = loops[0]
    for o in facts.ops:
        if o.kind == "return" and loop in _chain(facts, o.region):
            return o
    return None


def _chain(facts, region: int) -> list[int]:
    out = []
    while region >= 0:
        out.append(region)
        region = facts.regions[region].parent
    return out


@dataclass(frozen=True)
class DroppedTakenReply:
    """`dropper` takes a pending reply channel out of the map through `taker` and drops it unanswered."""

    dropper: Function
    call: Op  # the dropper's call of the taker, its results discarded
    taker: Function  # `take(id)`: `ch, ok := r.M[k]; delete(r.M, k); return ch, ok`
    label: str  # the map as the taker names it: `d.pending`
    answerer: Function  # another caller of the taker, sending on what it returns
    answer: Op
    storer: Function  # keeps a fresh reply channel in the map and hands it to its caller
    store: Op
    waiter: Function
    wait: Op


def dropped_taken_replies(program: Program, debug: Counter) -> list[DroppedTakenReply]:
    """A reply channel kept in a map field, taken out by a helper that deletes the entry and returns
    it, where one caller of the helper discards what it returns (`d.take(id)` on a failure path) while
    another sends the result on it, and the function that kept the channel hands it to a caller that
    waits on it with a plain receive: the dropped request's caller waits forever."""
    out: list[DroppedTakenReply] = []
    for taker in program.functions:
        label = _takes_and_deletes(program, taker)
        if label is None:
            continue
        callers = program.callers(taker)
        dropped = [(fn, op) for fn, op in callers if op.mode == "plain" and _result_discarded(fn, op)]
        answers = [a for fn, op in callers if (a := _sends_on_result(fn, op)) is not None]
        if not dropped or not answers:
            continue
        kept = _kept_and_handed_back(program, taker, label.split(".", 1)[1])
        if kept is None:
            continue
        storer, store, waiter, wait = kept
        fn, op = dropped[0]
        debug["GIM102_taken_replies_dropped"] += 1
        out.append(DroppedTakenReply(fn, op, taker, label, *answers[0], storer, store, waiter, wait))
    return out


def _takes_and_deletes(program: Program, fn: Function) -> str | None:
    """`recv.M` when fn (a method) takes `ch, ok := recv.M[k]` of a map field of channels, deletes
    `recv.M[k]`, and returns that channel first on every return."""
    recv = fn.facts.recv_name
    if not recv or fn.parent is not None:
        return None
    ops = fn.facts.ops
    for d, op in enumerate(ops):
        if op.kind != "call" or not E.is_ident(op.fn, "delete") or len(op.args) != 2:
            continue
        sel = E.selector(op.args[0])
        if sel is None or not E.is_ident(sel[0], recv):
            continue
        j = _take_before(ops, d)
        taken = E.ident(ops[j].targets[0]) if j is not None else None
        returns = [o for o in ops if o.kind == "return"]
        if taken is None or not returns or not all(r.args and E.is_ident(r.args[0], taken) for r in returns):
            continue
        t = program.type_of(fn, op.args[0]) or ""
        elem = t[t.index("]") + 1 :] if t.startswith("map[") and "]" in t else ""
        if program.underlying(elem).startswith("chan "):
            return f"{recv}.{sel[1]}"
    return None


def _result_discarded(fn: Function, call: Op) -> bool:
    """The call's results are not assigned, returned or passed on: an expression statement."""
    at = next((k for k, o in enumerate(fn.facts.ops) if o is call), None)
    return at is not None and not any(
        any(E.call_number(a) == at for a in o.args) or (o.fn is not None and E.call_number(o.fn) == at)
        for o in fn.facts.ops
        if o is not call
    )


def _sends_on_result(fn: Function, call: Op) -> tuple[Function, Op] | None:
    """(fn, its send) when fn sends on the first result of the call (`if ch, ok := d.take(id); ok {
    ch <- r }`)."""
    ops = fn.facts.ops
    at = next((k for k, o in enumerate(ops) if o is call), None)
    bind = next((o for o in ops if o.kind == "assign" and len(o.args) == 1 and E.call_number(o.args[0]) == at), None)
    name = E.ident(bind.targets[0]) if bind is not None and bind.targets else None
    if name is None or name == "_":
        return None
    send = next((o for o in ops if o.kind == "send" and E.is_ident(o.fn, name)), None)
    return (fn, send) if send is not None else None


def _kept_and_handed_back(program: Program, taker: Function, mapname: str):
    """(storer, its store, waiter, its receive): a method of the taker's type keeps a channel it makes in
    the map field (`d.pending[id] = ch`) and returns it on every return, and a caller of that method
    receives from what it returns with a plain receive (`<-d.Submit(...)`)."""
    recv_type = taker.facts.recv
    for storer in program.package_functions(taker.pkg.path):  # only its package names the field
        if storer.facts.recv != recv_type or storer.parent is not None:
            continue
        recv = storer.facts.recv_name
        store = next((o for o in storer.facts.ops if (s := _store(o, recv)) is not None and s[0] == mapname), None)
        if store is None:
            continue
        kept = E.ident(store.args[0])
        returns = [o for o in storer.facts.ops if o.kind == "return"]
        if kept is None or not returns or not all(r.args and E.is_ident(r.args[0], kept) for r in returns):
            continue
        for fn, call in program.callers(storer):
            at = next((k for k, o in enumerate(fn.facts.ops) if o is call), None)
            for o in fn.facts.ops:
                if o.kind == "recv" and o.mode == "expr" and o.select < 0 and E.call_number(o.fn) == at:
                    return storer, store, fn, o
    return None


@dataclass(frozen=True)
class SkippedReply:
    """The dispatcher skips a reply with `continue` on a test its waiter makes of what it receives."""

    dispatcher: Function
    skip: Op  # the `continue` before the dispatcher takes the pending call out of the map
    test_line: int  # the `if` deciding it
    test: str  # that `if`'s condition, as the dispatcher writes it
    answer: Op  # the dispatcher's normal answer (`ch <- resp`)
    label: str  # the map: `c.pending`
    waiter: Function
    wait: Op
    expects_line: int  # the waiter's `if` making the same test of the value it received


def replies_skipped_on_a_test(program: Program, debug: Counter) -> list[SkippedReply]:
    """`if resp.Err != "" { log...; continue }` in a dispatcher's loop before `ch := c.pending[resp.ID];
    delete(...); ch <- resp`, while the waiter, after its plain `resp := <-ch`, tests `if resp.Err != ""`:
    the waiter expects the replies the dispatcher drops, and waits forever for one. Judged when the
    answer is taken out of a map field by index and deleted (`replies._take_before`), the waiter
    stores a channel it made into that map and receives from it plainly (`replies._pending_waits`),
    the `continue` leaves the loop around the take before it, and the two tests compare the same
    field of the message with the same operator and operand. Counted in `--debug` as
    `GIM102_replies_skipped_on_a_tested_field`."""
    stores, answers, _ranged = _stores_and_answers(program)
    out = []
    for dispatcher, t, answer, sel in answers:
        if sel[1] not in stores or answer.kind != "send":
            continue
        waits = _pending_waits(program, dispatcher, sel, stores[sel[1]])
        if not waits:
            continue
        facts = dispatcher.facts
        ops = facts.ops
        loop = next((r for r in _chain(facts, ops[t].region) if facts.regions[r].kind in ("for", "range")), None)
        if loop is None:
            continue
        for skip in ops[:t]:
            if skip.kind != "jump" or skip.mode != "continue" or skip.fn is not None:
                continue
            chain = _chain(facts, skip.region)
            inner = next((r for r in chain if facts.regions[r].kind in ("for", "range")), None)
            test = next((r for r in chain if facts.regions[r].kind == "if"), None)
            if inner != loop or test is None or loop not in _chain(facts, test):
                continue
            tested = _field_test(facts.regions[test].info)
            if tested is None:
                continue
            waiter, wait = waits[0]
            expects = next(
                (
                    reg.line
                    for reg in waiter.facts.regions
                    if reg.kind == "if" and reg.line >= wait.line and _field_test(reg.info) == tested
                ),
                None,
            )
            if expects is None:
                continue
            debug["GIM102_replies_skipped_on_a_tested_field"] += 1
            label = E.render(sel[0]) + "." + sel[1]
            text = E.render(facts.regions[test].info)
            out.append(
                SkippedReply(dispatcher, skip, facts.regions[test].line, text, answer, label, waiter, wait, expects)
            )
            break
    return out


def _field_test(cond) -> tuple | None:
    """(operator, field, operand) of `x.F op v` (or `v op x.F`, x any name), else None."""
    b = E.binary(cond) if E.is_expr(cond) else None
    if b is None or b[0] not in ("==", "!=", "<", ">", "<=", ">="):
        return None
    left, right = E.selector(b[1]), E.selector(b[2])
    if left is not None and E.ident(left[0]) is not None:
        return b[0], left[1], E.render(b[2])
    if right is not None and E.ident(right[0]) is not None:
        return b[0], right[1], E.render(b[1])
    return None
