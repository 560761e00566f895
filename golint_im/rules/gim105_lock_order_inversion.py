r"""GIM105 lock-order-inversion: two goroutines take the same two mutexes in opposite orders.

## What it does
Records, in every function, which mutex is held (on every path) when another
is taken, directly or in a function it calls, by the mutexes' declarations
(`Server.mu`, `Conn.mu`, a package variable). When one function takes `A`
then `B` and another takes `B` then `A`, and the two can run at the same
time (they belong to different goroutine roots: functions started with
`go`, or entry points nothing in the analysed code calls, or one root
started several times), it reports the pair with both acquisition paths.
A channel with a buffer of one used as a mutex (taken by a send, given back
by a receive; see GIM104's known limits for when a channel counts as one)
is one of the two locks like any mutex.

It also reports one function taking the same field of two of its
parameters in order (`from.mu`, then `to.mu`) when one function passes the
same two values in both orders, once in a `go` statement and once in a
call that can run beside it (`go transfer(a, b)`, then `transfer(b, a)`),
directly or from goroutine literals (`go func() { transfer(a, b) }()`).

A lock taken by a method called under its own nil check on the interface
value (`if c.listener != nil { c.listener.Evicted(...) }`) counts whenever
the call runs. So does an interface call whose implementations lock
nothing but one, which takes only its own receiver's mutex
(`l.TopologyChanged(v)` under `t.mu`, a router locking `r.mu`, a printer
locking nothing), when the value called comes from a field (itself, or
ranged from it) that some code stores a value of that type into (`t.Listen(r)`
with `r` a router): when that one runs it orders the two classes; the
order is all that is kept (`GIM10x_wide_calls_ordered_through_their_one_locker`).
A type the interface merely admits, never stored there, gives no order.
An embedding type's promoted method counts as the embedded type's own (one
implementation however many types reach it), and a value appended to the
field (`s.rooms = append(s.rooms, room)`) counts as stored there.
Such a call made in a helper that holds nothing (`q.budget()` under `q.mu`,
calling `q.sizes.Size()`) passes the order on to the helper's callers; a
lock the caller already holds, reached that way, is no double lock, only
a guess of which implementation runs.

## Why is this bad
Each goroutine can take its first mutex and then wait forever for the
other's: a deadlock that needs only unlucky timing, so it shows up under
load in production and never in tests. It is one of the most common
blocking bugs in Go programs.

## Example
```go
func (a *Account) Transfer(b *Bank) {
    a.mu.Lock()
    defer a.mu.Unlock()
    b.mu.Lock() // Account.mu, then Bank.mu
    defer b.mu.Unlock()
}

func (b *Bank) Audit(a *Account) {
    b.mu.Lock()
    defer b.mu.Unlock()
    a.mu.Lock() // Bank.mu, then Account.mu: the opposite order
    defer a.mu.Unlock()
}
```

## Fix
Take the mutexes in one global order everywhere (say `Bank.mu` always
before `Account.mu`), or release the first before taking the second (copy
what you need under one lock, then take the other). For two values of one
type, lock them in an order that does not depend on the arguments (the
lower ID first).

## Known limits
- Locks taken in the function a `sync.Once` runs (`o.Do(f)`) count for
  GIM104 (a double lock on the first call) but give no order here: they
  are taken once, and judging them by class confused fresh values with
  shared ones (a test network's `Close` through its `closeOnce`).
- A goroutine literal that takes a lock and keeps it, while the function
  starting it unlocks that lock itself, uses the mutex as a signal between
  the two: what the literal does under it is not judged
  (`GIM10x_mutexes_held_as_signals` in `--debug`).
- Mutexes are compared by declaration, not by value: two values of one type
  are one class, so an order between a parent and a child of the same type
  is not judged (pairs of one class are skipped). Read locks on both sides
  of the same mutex do not block each other and are not reported.
- A third mutex held around both orders (a gate) makes them safe and is
  recognised, and so is a side that first waits (a receive) on a channel the
  other side's goroutine closes or sends on (`<-s.recvDone` before locking);
  other ways the program keeps the two paths apart (a state check, an object
  not yet shared) are not.
- Concurrency needs evidence: a goroutine root counts when it is started
  with `go` (or a spawning call), is handed by name or as a method value to
  another package (`time.AfterFunc(d, s.check)`, `http.HandleFunc(p, s.serve)`),
  or is `main` or an exported function or method. Unexported functions
  nothing visible calls (run through a handler table or reflection) are no
  evidence. A `TestXxx(t *testing.T)` function runs beside the goroutines it
  starts itself, directly or through the calls it makes (`go b.audit()`,
  a constructor starting a loop), and beside nothing else: tests run one
  after the other (`t.Parallel` is not read) and never with `main`; this
  counts only where one of the two sides is itself test code (a kernel in a
  `_test.go` file), not for a package's own methods that a test happens to
  call from two goroutines. A
  receiver or parameter keeps its type when an inner block shadows its name
  with `:=`.
- Two values of one type in different roles (a leaf connection and an
  inbound gateway connection, both `client`) are one class: an order between
  them can be reported although no value plays both roles. A mutex of a
  struct embedded in two unrelated types (`peerScope` and `streamScope` both
  embedding `scope`) is told apart by the type it is reached through, when
  the embedding is by value or by a pointer every write sets to a new value
  (counted as `GIM105_mutexes_of_structs_embedded_in_other_types`); reached
  through a plain `*scope` (a map of them), it may be any of them.
- Calls are followed as for GIM104 (one resolved target, no recursion).
- Two values of one type through parameters are judged at the calls of
  the function that locks them, and at the calls of a function passing it
  two fields of its own receiver or parameters (`k.pay()` calling
  `transfer(k.a, k.b)`, `k.refund()` calling `transfer(k.b, k.a)`), and at
  a function literal passing two variables it captured (`go func() {
  transfer(a, b) }()` beside `go func() { transfer(b, a) }()`): both
  calls in one function,
  the same two variables in opposite argument positions, one a `go`
  statement and the other another `go` statement or a call after it with
  no receive or `Wait` in between. Branch conditions are not read (a `go`
  in one branch and the call in the other would be reported).
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.flow import CHANNEL_FLOW
from golint_im.analysis.locks import (
    LOCKS,
    ArgumentOrder,
    Lock,
    OrderEdge,
    argument_order_inversions,
    concurrent_roots,
    sequenced_by_a_flag,
    waits_for_goroutine,
)
from golint_im.analysis.writes import WRITES
from golint_im.findings import Finding, Related, Step, op_location

from ._lock_words import acquire_steps, is_channel_lock, lock_call, via

ID = "GIM105"
NAME = "lock-order-inversion"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = "Two goroutines take the same two mutexes in opposite orders and can deadlock"
REQUIRES = (LOCKS, CHANNEL_FLOW, WRITES)

# Edges compared per ordered pair of lock classes: enough to find a witness, bounded for huge code.
MAX_EDGES_PER_PAIR = 16


def check(ctx):
    model = ctx.result(LOCKS)
    flow = ctx.result(CHANNEL_FLOW)
    by_pair: dict[tuple[str, str], list[OrderEdge]] = {}
    for e in model.order_edges:
        edges = by_pair.setdefault((e.first.lock.cls, e.second.lock.cls), [])
        if len(edges) < MAX_EDGES_PER_PAIR:
            edges.append(e)
    ctx.debug.setdefault("GIM105_inversions_not_concurrent", 0)
    ctx.debug.setdefault("GIM105_orders_sequenced_by_a_flag", 0)
    ctx.debug.setdefault("GIM105_mutexes_of_structs_embedded_in_other_types", 0)
    for (a, b), forward in sorted(by_pair.items()):
        if a >= b or (b, a) not in by_pair:
            continue
        witness = _witness(ctx, flow, forward, by_pair[(b, a)])
        if witness is not None:
            yield _finding(ctx, *witness)
    for o1, o2 in argument_order_inversions(model):
        yield _argument_finding(o1, o2)


def _conflict(m1: str, m2: str) -> bool:
    return m1 == "w" or m2 == "w"


def _witness(ctx, flow, forward: list[OrderEdge], backward: list[OrderEdge]):
    blocked_only_by_roots = False
    for e1 in forward:
        for e2 in backward:
            if not (_conflict(e1.first.mode, e2.second.mode) and _conflict(e2.first.mode, e1.second.mode)):
                continue
            if e1.also_held & e2.also_held:
                continue  # a gate lock held around both orders
            if _other_holders(ctx, e1.second.lock, e2.first.lock) or _other_holders(ctx, e1.first.lock, e2.second.lock):
                ctx.debug["GIM105_mutexes_of_structs_embedded_in_other_types"] += 1
                continue
            program = ctx.result(LOCKS).program
            if sequenced_by_a_flag(program, e1, e2) or sequenced_by_a_flag(program, e2, e1):
                ctx.debug["GIM105_orders_sequenced_by_a_flag"] += 1
                continue
            roots = concurrent_roots(ctx.result(LOCKS), flow, e1.fn, e2.fn)
            if roots is None or _one_waits_for_the_other(flow, e1, e2):
                blocked_only_by_roots = True
                continue
            return e1, e2, roots
    if blocked_only_by_roots:
        ctx.debug["GIM105_inversions_not_concurrent"] += 1
    return None


def _other_holders(ctx, x: Lock, y: Lock) -> bool:
    """The two acquisitions of one class are of structs embedded in two unrelated types
    (`peerScope` and `streamScope` both embedding `resourceScope`) that never share one:
    embedded by value, or by a pointer that every write of the tree sets to a new value."""
    if not (x.outer and y.outer and x.outer != y.outer):
        return False
    model = ctx.result(LOCKS)
    if model.nested_outers(x.outer, y.outer):
        return False
    declaring = x.cls.removeprefix("field:").rpartition(".")[0]
    return _owns_its_own(ctx, model, x.outer, declaring) and _owns_its_own(ctx, model, y.outer, declaring)


def _owns_its_own(ctx, model, outer: str, declaring: str) -> bool:
    """Each value of outer has a struct of its own: no embedded pointer on the way is copied from elsewhere."""
    chain = model.embedding_chain(outer, declaring)
    if chain is None:
        return False
    writes = ctx.result(WRITES)
    for holder, field, by_pointer in chain:
        if by_pointer and not all(_fresh(rhs) for _f, _op, rhs, _kind in writes.field_writes_of(holder, field)):
            return False
    return True


def _fresh(rhs) -> bool:
    """A value built by this write: a constructor's call, or `&T{...}`."""
    return E.call(rhs) is not None or E.composite(E.address_of(rhs)) is not None


def _one_waits_for_the_other(flow, e1: OrderEdge, e2: OrderEdge) -> bool:
    """One side receives, before taking its first lock, from a channel the other side's goroutine closes or sends on."""
    return waits_for_goroutine(flow, e1.fn, _first_line(e1), e2.fn) or waits_for_goroutine(
        flow, e2.fn, _first_line(e2), e1.fn
    )


def _first_line(e: OrderEdge) -> int:
    return e.first.hops[0].op.line if e.first.hops else e.first.op.line


def _where(e: OrderEdge):
    return e.second.hops[0].op if e.second.hops else e.second.op


def _finding(ctx, e1: OrderEdge, e2: OrderEdge, roots) -> Finding:
    fns = ctx.program.functions
    a, b = e1.first.lock.label, e1.second.lock.label
    steps = [
        *acquire_steps(e1.first, f"takes `{a}` first"),
        *acquire_steps(e1.second, f"then takes `{b}` while holding `{a}`"),
        *acquire_steps(e2.first, f"the other goroutine takes `{b}` first"),
        *acquire_steps(e2.second, f"then takes `{a}` while holding `{b}`"),
    ]
    x, y = roots
    running = (
        f"goroutines running `{fns[x].short}` and `{fns[y].short}`"
        if x != y
        else f"several goroutines running `{fns[x].short}`"
    )
    message = (
        f"lock-order inversion between `{a}` and `{b}`: `{e1.fn.short}` holds `{a}` ({lock_call(e1.first)} "
        f"at line {e1.first.op.line}{via(e1.first)}) and takes `{b}` ({lock_call(e1.second)} at line "
        f"{e1.second.op.line}{via(e1.second)}), while `{e2.fn.short}` holds `{b}` ({lock_call(e2.first)} at "
        f"line {e2.first.op.line}{via(e2.first)}) and takes `{a}` ({lock_call(e2.second)} at line "
        f"{e2.second.op.line}{via(e2.second)}){_channel_note(e1, a, b)}; {running} can each hold one and wait "
        "forever for the other. "
        f"Fix: take `{a}` and `{b}` in one order everywhere, or release one before taking the other."
    )
    related = [
        Related(op_location(e2.fn, _where(e2)), f"`{e2.fn.short}` takes `{a}` while holding `{b}`"),
    ]
    return Finding(
        rule_id=ID,
        message=message,
        location=op_location(e1.fn, _where(e1)),
        severity=SEVERITY,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{e1.fn.qualname}|{a}|{b}|{e2.fn.qualname}",
    )


def _channel_note(e1, a: str, b: str) -> str:
    """` (`Uploader.slots` is a channel ...)` when one of the two is a channel used as a mutex."""
    names = [n for n, acq in ((a, e1.first), (b, e1.second)) if is_channel_lock(acq)]
    if not names:
        return ""
    return (
        f" (`{names[0]}` is a channel with a buffer of one used as a mutex: taking it waits while another "
        "goroutine holds it)"
    )


def _value(lock: Lock) -> str:
    """The caller's mutex as a path: `a.mu`."""
    assert lock.inst is not None
    root = lock.inst[0]
    name = root[2] if root[0] == "name" else root[1].rpartition(".")[2]
    return ".".join([name, *lock.inst[1:]])


def _call_text(o: ArgumentOrder) -> str:
    args = ", ".join(E.render(a) for a in o.op.args)
    return f"`{'go ' if o.op.mode == 'go' else ''}{E.render(o.op.fn)}({args})`"


def _locker(o: ArgumentOrder) -> str:
    """` through `transfer`` when the callee reaches the two locks in a function it calls with the values."""
    if o.first.fn is o.callee or o.first.fn is not o.second.fn:
        return ""
    return f" through `{o.first.fn.short}`"


def _argument_finding(o1: ArgumentOrder, o2: ArgumentOrder) -> Finding:
    x, y = (_value(lk) for lk in o1.locks)
    label, callee = o1.first.lock.label, o1.callee.short
    steps = []
    for o, (p, q) in ((o1, (x, y)), (o2, (y, x))):
        steps += [
            Step(op_location(o.fn, o.op), f"{_call_text(o)} has `{o.callee.short}` lock `{p}`, then `{q}`"),
            Step(op_location(o.first.fn, o.first.op), f"{lock_call(o.first)} takes `{p}`"),
            Step(op_location(o.second.fn, o.second.op), f"{lock_call(o.second)} then takes `{q}` while holding it"),
        ]
    running = "the two goroutines" if o1.op.mode == o2.op.mode else f"the goroutine and `{o1.fn.short}`"
    fix_in = o1.first.fn.short if _locker(o1) else callee
    message = (
        f"lock-order inversion between `{x}` and `{y}` (both `{label}`): {_call_text(o1)} at line {o1.op.line} "
        f"takes `{x}` then `{y}` in `{callee}`{_locker(o1)} ({lock_call(o1.first)} at line {o1.first.op.line}, then "
        f"{lock_call(o1.second)} at line {o1.second.op.line}), while {_call_text(o2)} at line {o2.op.line} takes "
        f"`{y}` then `{x}`; {running} can each hold one and wait forever for the other. Fix: in `{fix_in}`, take "
        "the two in one order whatever the arguments (by a stable key such as an ID), or do not run the two calls "
        "at once."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=op_location(o2.fn, o2.op),
        severity=SEVERITY,
        related=(Related(op_location(o1.fn, o1.op), f"{_call_text(o1)} takes `{x}` then `{y}`"),),
        steps=tuple(steps),
        key=f"{o1.fn.qualname}|{x}|{y}|{callee}",
    )
