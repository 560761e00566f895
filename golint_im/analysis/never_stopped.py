"""Waiters for a goroutine that can never end: its only way out is a stop signal nobody gives.

The shape: a goroutine loops (`for { select { case <-stop: return; case v :=
<-in: ... } }`) and leaves only after a receive from a stop channel; on its
way out it closes (or sends on) a done channel, or calls the deferred `Done`
of a WaitGroup. Someone waits for it (`<-done`, `wg.Wait()`), but nothing in
the program ever closes or sends on the stop channel, and the channel never
reaches code the model cannot see: the wait blocks forever, with the
goroutine. The typical bug is a `Close()` that waits for its loop and forgot
`close(stop)`. A loop nobody waits for is a daemon, not judged here.

`stop_guard` decides, for one function and its receives from the stop
channel, that every way out of the function comes after such
a receive. `field_instances.py` asks it for struct-field channels of one
instance; `local_never_stopped` for local channels (`instances.py`) made by
the function that starts the goroutine and waits for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .flow import Channel
from .regions import STRAIGHT_KINDS, FnView
from .syncprims import WAITGROUP
from .unpaired import ends_goroutine, exits_process, has_else


@dataclass
class NeverStopped:
    """`waiter` blocks on `wait` for the goroutine `goroutine` (started by `go_op` in `go_fn`),
    whose only ways out come after `stop_op`, a receive from a channel nothing closes or sends on."""

    owner: Function  # makes the channels (or allocates the instance holding them)
    waiter: Function  # holds the wait: the owner, or a method it calls
    wait: Op  # `<-done` or `wg.Wait()`
    waited: str  # how the finding names the wait: "done" or "k.wg.Wait()"
    signal: tuple[Function, Op]  # the goroutine's close/send of done or its deferred `Done`
    go_fn: Function
    go_op: Op
    goroutine: Function  # the function the `go` statement runs
    stop: Channel
    stop_op: Op  # the goroutine's receive from stop
    # The stop is `ctx.Done()` of `ctx, cancel := context.WithCancel(...)`: the owner's `cancel`
    # (deferred, or after the wait) that comes too late.
    cancel: Op | None = None


def stop_guard(program: Program, fn: Function, stop_ids: set[int]) -> Op | None:
    """The first receive from the stop channel (stop_ids: its receive ops' ids) in fn when every
    way out of fn comes after one: each `return` sits in the body of a `case` receiving from it
    (or after a plain receive from it in a region around the return), and fn cannot run off its
    end other than that way (an endless `for {` straight in its body, left only by such guarded
    `break`s, or a plain receive from it straight in the body). None when another way out
    exists (a `goto`, a `panic`, a call that ends the goroutine or the process, an unguarded
    `return` or `break`)."""
    facts = fn.facts
    stops = [(i, op) for i, op in enumerate(facts.ops) if op.kind == "recv" and id(op) in stop_ids]
    if not stops:
        return None

    def guarded(i: int, op: Op) -> bool:
        return _after_stop(facts, i, op, stops)

    view = FnView(fn)
    loop = top_endless_loop(facts)
    for i, op in enumerate(facts.ops):
        if op.kind == "call" and (exits_process(program, fn, op) or ends_goroutine(program, fn, op)):
            return None
        if op.kind == "return" and not guarded(i, op):
            return None
        if op.kind == "jump" and op.mode == "goto":
            return None
        if op.kind == "jump" and op.mode == "break" and loop is not None:
            target = view.jump_target(op)
            if target is None:
                return None
            leaves = target == loop or target in enclosing_regions(facts, loop)
            if leaves and not guarded(i, op):
                return None  # a break out of the endless loop runs on to the end
    if loop is None:
        straight = any(
            s.mode == "expr" and s.select < 0 and all(facts.regions[r].kind in STRAIGHT_KINDS for r in _chain(facts, s))
            for _i, s in stops
        )
        if not straight:
            return None
    return stops[0][1]


def _chain(facts, op: Op) -> list[int]:
    return list(enclosing_regions(facts, op.region))


def top_endless_loop(facts) -> int | None:
    """The `for {` loop straight in the function's body (no branch around it), if any."""
    for r, reg in enumerate(facts.regions):
        if reg.kind == "for" and reg.info is None:
            around = list(enclosing_regions(facts, reg.parent)) if reg.parent >= 0 else []
            if all(facts.regions[x].kind in STRAIGHT_KINDS for x in around):
                return r
    return None


def signals_on_exit(program: Program, fn: Function, op: Op, stop_ops: set[int]) -> bool:
    """op (a close or send of the done channel, a `Done` call) in fn runs only on fn's way out:
    deferred, after fn's endless loop (`stop_guard` has checked every way out of it), or
    guarded by a receive from the stop channel (ids in stop_ops)."""
    if op.kind == "call" and op.mode == "defer":
        return True
    facts = fn.facts
    stops = [(j, s) for j, s in enumerate(facts.ops) if id(s) in stop_ops]
    i = facts.ops.index(op)
    loop = top_endless_loop(facts)
    if loop is not None and loop not in enclosing_regions(facts, op.region):
        inside = [j for j, o in enumerate(facts.ops) if loop in enclosing_regions(facts, o.region)]
        if inside and i > inside[-1]:
            return True  # after the endless loop: reached only by its (guarded) ways out
    return _after_stop(facts, i, op, stops)


def _after_stop(facts, i: int, op: Op, stops: list[tuple[int, Op]]) -> bool:
    """op (at index i) runs only after a receive from the stop channel: in the body of a `case`
    receiving from it, or after a plain receive from it in a region around op."""
    chain = set(enclosing_regions(facts, op.region))
    for si, s in stops:
        if s.mode == "case" and s.body in chain:
            return True
        if s.mode == "expr" and s.select < 0 and si < i and s.region in chain:
            return True
    return False


def local_never_stopped(
    program: Program, instances: list[tuple[Channel, Function, str]], debug: Counter
) -> list[NeverStopped]:
    """Local channel instances of one function: a stop channel only received from (in one
    goroutine the function starts, all of whose ways out follow that receive) and a done channel
    that goroutine alone closes or sends on, on its way out, while the function waits on a plain
    `<-done` after the `go`, outside any branch or loop."""
    by_owner: dict[int, list[Channel]] = {}
    for ch, owner, _name in instances:
        by_owner.setdefault(owner.id, []).append(ch)
    out = []
    for owner_id, chans in sorted(by_owner.items()):
        owner = program.functions[owner_id]
        for stop in chans:
            if stop.sends or stop.closes or not stop.receives:
                continue
            fns = {f.id for f, _op in stop.receives}
            if len(fns) != 1:
                continue
            goroutine = stop.receives[0][0]
            started = started_by(program, owner, goroutine)
            if started is None:
                continue
            go_index, go_op = started
            stop_ids = {id(op) for _f, op in stop.receives}
            stop_op = stop_guard(program, goroutine, stop_ids)
            if stop_op is None:
                debug["GIM102_stop_receivers_with_other_exits"] += 1
                continue
            waiter = _local_waiter(program, owner, goroutine, go_index, chans, stop_ids)
            if waiter is not None:
                wait, waited, signal = waiter
                out.append(NeverStopped(owner, owner, wait, waited, signal, owner, go_op, goroutine, stop, stop_op))
        out.extend(_cancelled_only_after(program, owner, chans, debug))
    return out


def go_statements_running(
    program: Program, owner: Function, target: Function, given: str | None = None
) -> list[tuple[int, Op]]:
    """(index, op) of each of owner's `go` statements that runs target: a literal of owner, or a
    function it names (with `given`, only those passing the name `given` as an argument)."""
    found = []
    for i, op in enumerate(owner.facts.ops):
        if op.kind != "call" or op.mode != "go":
            continue
        number = E.funclit(op.fn)
        if number is not None:
            if program.literal(owner, number) is target:
                found.append((i, op))
        elif (given is None or any(E.is_ident(a, given) for a in op.args)) and any(
            t.function is target for t in program.resolve_call(owner, op)
        ):
            found.append((i, op))
    return found


def started_by(program: Program, owner: Function, target: Function) -> tuple[int, Op] | None:
    """(index, op) of owner's one `go` statement that runs target (a literal of owner, or a
    function it names), outside any branch or loop; None otherwise."""
    found = go_statements_running(program, owner, target)
    if len(found) != 1:
        return None
    i, op = found[0]
    if not all(owner.facts.regions[r].kind in STRAIGHT_KINDS for r in _chain(owner.facts, op)):
        return None
    return i, op


def _local_waiter(
    program: Program, owner: Function, goroutine: Function, go_index: int, chans: list[Channel], stop_ids: set[int]
) -> tuple[Op, str, tuple[Function, Op]] | None:
    """(wait op, how to name it, the goroutine's signal): owner's `<-done` on one of its channels
    or `wg.Wait()` on a local WaitGroup that only the goroutine signals, on its way out."""
    for done in chans:
        found = _waits_on_done(program, owner, goroutine, go_index, done, stop_ids)
        if found is not None:
            return found[0], done.label, found[1]
    group = _waits_on_group(program, owner, goroutine, go_index)
    if group is not None:
        return group[0], f"{E.render(group[0].fn)}()", group[1]
    return None


def _cancelled_only_after(program: Program, owner: Function, chans: list[Channel], debug: Counter) -> list:
    """`ctx, cancel := context.WithCancel(context.Background())` in owner, a goroutine literal
    whose only ways out follow `<-ctx.Done()`, and owner waiting for it (`_local_waiter`) while
    `cancel` is only deferred or called after that wait: the wait never ends."""
    facts = owner.facts
    out = []
    for k, op in enumerate(facts.ops):
        made = _with_cancel(program, owner, op)
        if made is None:
            continue
        ctx, cancel = made
        if sum(1 for o in facts.ops if o.kind == "assign" and any(E.is_ident(t, ctx) for t in o.targets)) != 1:
            continue
        for lit in owner.literals:
            started = started_by(program, owner, lit)
            if started is None or started[0] < k:
                continue
            go_index, go_op = started
            stop_ids = {id(o) for o in lit.facts.ops if o.kind == "recv" and _is_done_of(o.fn, ctx)}
            stop_op = stop_guard(program, lit, stop_ids) if stop_ids else None
            if stop_op is None:
                continue
            waiter = _local_waiter(program, owner, lit, go_index, chans, stop_ids)
            if waiter is None:
                continue
            wait, waited, signal = waiter
            late = _late_cancel(owner, cancel, facts.ops.index(wait))
            if late is None:
                debug["GIM102_contexts_cancelled_before_the_wait"] += 1
                continue
            stop = Channel(f"context:{owner.id}:{ctx}", f"{ctx}.Done()", 0, [(owner, op)])
            out.append(NeverStopped(owner, owner, wait, waited, signal, owner, go_op, lit, stop, stop_op, late))
    return out


def _with_cancel(program: Program, fn: Function, op: Op) -> tuple[str, str] | None:
    """(ctx, cancel) for `ctx, cancel := context.WithCancel(context.Background())` (or `TODO()`):
    a context nothing but that cancel ends."""
    if op.kind != "assign" or len(op.targets) != 2 or len(op.args) != 1:
        return None
    call = E.call(op.args[0])
    ext = program.external_callee(fn, call[0]) if call else None
    if call is None or ext is None or (ext.pkg, ext.name) != ("context", "WithCancel") or len(call[1]) != 1:
        return None
    parent = E.call(call[1][0])
    root = program.external_callee(fn, parent[0]) if parent else None
    if root is None or root.pkg != "context" or root.name not in ("Background", "TODO"):
        return None
    ctx, cancel = E.ident(op.targets[0]), E.ident(op.targets[1])
    return (ctx, cancel) if ctx and cancel and cancel != "_" else None


def _is_done_of(e, ctx: str) -> bool:
    """e is `ctx.Done()`."""
    call = E.call(e)
    sel = E.selector(call[0]) if call else None
    return call is not None and not call[1] and sel is not None and sel[1] == "Done" and E.is_ident(sel[0], ctx)


def _late_cancel(owner: Function, cancel: str, wait_index: int) -> Op | None:
    """owner's `defer cancel()` (or a `cancel()` after the wait, or one before it that only an
    `if` with no `else` runs) when that is every use of `cancel` in owner and its literals
    besides its assignment; None when it may run earlier on every path. With a conditional
    `cancel()` the path that skips its `if` reaches the wait with the context alive."""
    found = None
    conditional = None
    facts = owner.facts
    for f in [owner, *owner.nested_literals()]:
        for i, op in enumerate(f.facts.ops):
            names: set = set()
            for e in (op.fn, *op.args):
                if e is not None and E.is_expr(e):
                    E.idents_in(e, names)
            if cancel not in names:
                continue
            if f is not owner or op.kind != "call" or not E.is_ident(op.fn, cancel):
                return None
            if op.mode == "defer" or (op.mode == "plain" and i > wait_index):
                found = found or op
            elif op.mode == "plain" and _only_under_if(facts, op):
                conditional = conditional or op
            else:
                return None
    return conditional or found


def _only_under_if(facts, op: Op) -> bool:
    """op sits in the body of an `if` with no `else` (straight regions around that `if`): the
    path that finds the condition false skips it."""
    chain = _chain(facts, op)
    kinds = [facts.regions[r].kind for r in chain]
    if any(k not in (*STRAIGHT_KINDS, "if") for k in kinds) or "if" not in kinds:
        return False
    return all(not has_else(facts, r) for r in chain if facts.regions[r].kind == "if")


def _waits_on_group(
    program: Program, owner: Function, goroutine: Function, go_index: int
) -> tuple[Op, tuple[Function, Op]] | None:
    """(owner's `wg.Wait()` after the `go`, outside any branch or loop, the goroutine's deferred
    `wg.Done()`) for a local `sync.WaitGroup` of owner whose every `Done` is that deferred one in
    the goroutine (a literal of owner): the wait lasts as long as the goroutine."""
    if goroutine.parent is not owner:
        return None
    env = program.locals(owner)
    facts = owner.facts
    for i, op in enumerate(facts.ops):
        sel = E.selector(op.fn) if op.kind == "call" and op.mode == "plain" and i > go_index else None
        name = E.ident(sel[0]) if sel is not None and sel[1] == "Wait" else None
        if name is None or program.named(env.get(name, "")) != WAITGROUP:
            continue
        if not all(facts.regions[r].kind in STRAIGHT_KINDS for r in _chain(facts, op)):
            continue
        dones = [
            (f, d)
            for f in [owner, *owner.nested_literals()]
            for d in f.facts.ops
            if d.kind == "call" and (s := E.selector(d.fn)) is not None and s[1] == "Done" and E.is_ident(s[0], name)
        ]
        if dones and all(f is goroutine and d.mode == "defer" for f, d in dones):
            return op, dones[0]
    return None


def _waits_on_done(
    program: Program, owner: Function, goroutine: Function, go_index: int, done: Channel, stop_ids: set[int]
) -> tuple[Op, tuple[Function, Op]] | None:
    """(owner's plain receive from done after the `go`, the goroutine's signal) when only the
    goroutine closes or sends on done, each time on its way out."""
    signals = [(f, op) for f, op in (*done.sends, *done.closes)]
    if not signals or any(f is not goroutine for f, _op in signals):
        return None
    if not all(signals_on_exit(program, goroutine, op, stop_ids) for _f, op in signals):
        return None
    facts = owner.facts
    for f, op in done.receives:
        if f is not owner or op.mode != "expr" or op.select >= 0:
            continue
        if facts.ops.index(op) > go_index and all(facts.regions[r].kind in STRAIGHT_KINDS for r in _chain(facts, op)):
            return op, signals[0]
    return None
