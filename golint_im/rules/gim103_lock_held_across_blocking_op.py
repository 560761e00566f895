r"""GIM103 lock-held-across-blocking-op: a channel operation or Wait under a mutex that its partner must take first.

## What it does
Finds a send or receive on an unbuffered channel performed while holding a
mutex (directly or in a function called under it), where every goroutine
that could complete the operation (every receiver of the send, every sender
of the receive) performs its side while holding the same mutex. The partner
must take the mutex first, and the mutex is not released until the
operation completes: both wait forever.

It also finds the hand-off form, where the partner does not hold the
mutex at its operation but takes it on its way there: a receive (or a send)
under a mutex while every goroutine that would send or `close` (or
receive) first takes that mutex, itself or in a function it calls, on every
path before its operation (`mu.Lock(); go f.loop(); <-f.done` with `loop`
locking `mu` before `close(f.done)`; a producer that locks, unlocks, then
sends, while the consumer receives holding the lock). A read lock held
while the partner needs the write lock counts. A deferred `close(s.done)`
runs at the partner's exits: it counts as after the lock when every
`return` of the partner comes after taking it and the partner cannot run
off its end (an endless `for {`, no labelled `break` or `goto`).

A reply channel the waiting function made and put into a map field of a
value (`done := make(chan error, 1); n.waiters[idx] = done; <-done`) is
answered by whoever takes it out of a map field of that name on a value of
the same type (`w, ok := n.waiters[idx]; w <- err`): those sends are its
partners.

A send under a mutex to a goroutine that receives in a `select` whose
other case takes that mutex (a ticker case that flushes under the lock, a
stop case that cleans up under it) is reported too: when that case runs
while the send waits, the goroutine waits for the mutex and never gets
back to its receive. Likewise a receive under a mutex (`<-e.done`) whose
partner closes the channel only once it returns (deferred, or after its
loop) from an endless `for { select {` loop left through one case, when
another case of that loop takes the mutex (`case <-t.C: e.tick()`).

A send under a mutex to a goroutine whose loop takes that mutex after each
receive, before the next (`for e := range h.events { h.mu.Lock(); ... }`,
or the receiving `case` of a `select` loop that locks), when the send can
run again: it sits in a loop, or its function is called from two places or
from a loop, or it is an exported method of an exported type of a library
package that the tree itself never calls (`func (b *Batcher) Add(item)`:
its users call it as often as they like). Also when the goroutine's range
takes the mutex only on a branch that then returns (`if err :=
c.conn.Write(msg); err != nil { c.hub.leave(c); return }`, `leave`
locking the hub). The goroutine takes one value and waits for the mutex; the
next send under the mutex can take the mutex first (an `Unlock` wakes a
waiter but does not hand it the lock) and then waits for a receive that
cannot come. The same holds for a buffered channel whose every receiver
loops that way (a scheduler's `Enqueue` sending to its bounded queue under
`s.mu`, its workers calling `s.finish(t)`, which locks `s.mu`, after each
task): once the buffer is full the send waits with the mutex held, and
each worker that took a value waits for the mutex instead of draining
the buffer. A send in a `select` with a `default` (drop when full) does
not wait.

A publisher that sends to its subscribers under its lock, where a
subscriber takes that lock: the type keeps the subscribers' channels in a
field (a map or slice of channels) filled only by a method that makes each
unbuffered, stores it and returns it (`Subscribe`); a method sends to
them (`for _, c := range b.subs { c <- e }`) holding the type's mutex; and
a goroutine that got a channel from `Subscribe` receives from it and takes
the same mutex (`Unsubscribe`, directly or through a call): while it waits
for the mutex it does not receive, and the send waits for it. The field may
keep a list per key (`subs map[string][]chan E`, filled with `append`,
sent to with `for _, c := range b.subs[topic]`), and the goroutine may get
the channel as its argument (`go m.consume(b.Subscribe("paid"))`), or be
started by a helper the channel is handed to (`_, ch := s.Watch();
follow(ch, a)`, `follow` ranging over it in a `go` literal). When the
publishing send runs on a goroutine of its own, the function that called
`Subscribe` counts too if it takes the mutex before its own receive (`c :=
h.Join(1); h.Leave(1); <-c`). The field may also keep subscription values
built with an unbuffered channel field (`s := &Sub{ch: make(chan E)}`,
sent to as `s.ch <- e`), received by the subscriber through that field or
a method returning it (`for e := range sub.C()`); an unsubscribe's
`append(list[:i], list[i+1:]...)` stores nothing new.

The same for the two other waits of package `sync`:

- `wg.Wait()` while holding a mutex that a goroutine counted by `wg`
  (started with `go`, calling `wg.Done()` itself or through one call) takes
  before its `Done` (a deferred `Done`: anywhere in the goroutine, itself or
  in a function it calls). The waiter keeps the mutex until the last `Done`,
  the goroutine needs the mutex to get there. The same for a release no
  goroutine of its own runs (a pool counting what it lends, `Add` in `Get`):
  `put` takes the mutex before its `Done` (deferred or not), so every release
  waits for the waiter's unlock while the waiter waits for the releases.
- `g.Wait()` of an `errgroup.Group` (declared as one) while holding a
  mutex that a function the group started with `g.Go(f)` takes, itself or
  through calls: it cannot finish while the lock is held.
- `c.Wait()` while holding a mutex that is not the Cond's locker (`Wait`
  releases only `c.L`), when every `c.Signal()`/`c.Broadcast()` comes after
  its function takes that mutex: nothing can wake the waiter. A signal whose
  function only moves a counter the wait loop tests away from the wait's
  end (`j.inFlight++` for `for j.inFlight > 0 {`) cannot end the wait and is
  left out, unless that leaves none.

A partner that takes the lock between receives is still one when a round
skips the lock only by `continue` under `if err != nil` on an error of that
round (a failed write), and when it runs in a function called only by
goroutine literals (`go func() { defer wg.Done(); c.writePump() }()`). A
send in a loop over a message's frames, inside the loop over clients,
sends to each client again.

A partner that takes the lock only on the rounds whose received value
passes a test (`for ev := range m.inbox { if ev.kind == "bye" {
m.hub.leave(m.id) } }`) blocks the next send made under that lock after
such a value; the finding quotes the test.

## Why is this bad
This is the most common mixed channel/lock deadlock in Go programs: a
component notifies a worker on a channel while holding its state lock, and
the worker takes that lock before it reads the next notification. It only
bites when both happen at once, so it passes tests and hangs in production.

## Example
```go
type Hub struct {
    mu      sync.Mutex
    updates chan string
    last    string
}

func (h *Hub) Publish(s string) {
    h.mu.Lock()
    defer h.mu.Unlock()
    h.updates <- s // the receiver needs h.mu first
}

func (h *Hub) run() {
    for {
        h.mu.Lock()
        h.last = <-h.updates
        h.mu.Unlock()
    }
}

func (p *Pool) Stop() {
    p.mu.Lock()
    defer p.mu.Unlock()
    p.wg.Wait() // each worker takes p.mu before its Done
}

func (p *Pool) work() {
    defer p.wg.Done()
    p.mu.Lock()
    p.done++
    p.mu.Unlock()
}
```

## Fix
Release the mutex before the channel operation or the `Wait` (copy what you
need under the lock, then send or wait), or let the partner take the lock
only after the operation (`Done` before `Lock`); a buffered channel only
postpones the deadlock. For a Cond, wait holding only its own locker.

## Known limits
- A goroutine literal that takes a lock and keeps it, while the function
  starting it unlocks that lock itself, uses the mutex as a signal between
  the two: what the literal does under it is not judged
  (`GIM10x_mutexes_held_as_signals` in `--debug`).
- Judged only where the answer is structural: the channel is unbuffered and
  declared beside the mutex (fields of one type, or package variables of one
  package; in the hand-off forms also a field of a type that keeps a pointer
  to the mutex's owner, `client.send` beside `client.hub *Hub`, or of a type
  the owner keeps in a field, by type or through an interface it implements,
  `KV.notif Notifier` and `chanNotifier.ch`), the
  operation is not a `select` case, a received channel is never closed,
  and every partner operation runs under a mutex of the same
  declaration in a goroutine that can run at the same time. `--debug` counts
  what was not judged (`GIM103_*`).
- A partner's lock counts before its operation when no branch the operation
  is not also under holds it, or when the one such branch is the success of
  the partner's own call (`if err == nil { s.put(k, v) }`, `err` an `error`,
  or `if won {` for `won, err := leases.Acquire(...)`, a result the call
  gives beside its error): the usual path; a flag (`if f.cache {`) may
  follow the caller's locking and does not count.
- The other-case form needs the receiving function to be started with `go`
  and the other case to take the mutex outside any branch of its own
  (itself or in the one function it calls).
- The between-receives form needs the lock in every round, outside the
  round's branches and before any `continue`, `break` or `return`, and a
  round that comes back to receive; a send the program makes once (a
  `Close`) is not reported. A send in a loop over the channels' holders
  (`for _, c := range h.clients { c.send <- m }`) sends once to each: its
  function must be called again.
- Hand-off form: the partner's `Lock` must come before its operation on
  every path (not under a branch the operation is not under, not a
  `TryLock`), in a goroutine of its own or in a function every caller of
  which is such a goroutine (followed up to 3 calls); a partner reached
  from the blocked function's own code, or from an unseen caller, keeps it
  silent (`GIM103_handoffs_*` in `--debug`). The lock may have been taken
  and released before the blocked side locked: the finding is a deadlock
  of some interleavings, most often of the first. When the partner's
  function is the one that starts the blocked goroutine, only a `Lock`
  between that `go` and its operation counts: one before the `go` was got
  past before the goroutine existed
  (`GIM103_handoffs_partner_locked_before_start`). A receive from a
  buffered channel under `if len(ch) > 0 {` (or `== 1`, `>= 1`, `!= 0`) of
  the same channel takes a value already there and is not judged
  (`GIM103_handoffs_len_guarded_receives`), although a second receiver
  could empty the buffer between the test and the receive.
- Mutexes are compared by declaration: a partner holding the same field of
  another value of the type is taken as the same mutex.
- The two sides must run in goroutines that can overlap, as for GIM105: in a
  `_test.go` kernel, a `TestXxx` function and the goroutines it starts
  (`go s.watch()`, or a constructor it calls starting one), when one of
  the two sides is test code itself; two test functions never overlap.
- A goroutine counted by the group that also calls `Add` itself (or in a
  function it calls) is not a partner: it may take the mutex before it is
  counted (a start helper that adds under the lock so that `Add` cannot race
  `Wait`). Goroutines started through wrappers (`errgroup`, `WaitGroup.Go`)
  are not followed.
- A Cond's locker is known only from `x = sync.NewCond(&mu)` assignments;
  a Cond built as a composite literal, or made with several lockers, is not
  judged. Two Conds made with the same single locker (`c1, c2 =
  sync.NewCond(m), sync.NewCond(m)`) share it: waiting on one while holding
  the other's `L` releases it. Goroutine-side locks are looked for in the goroutine's own code and
  the functions it calls directly or through summaries (one resolved target,
  or, for an interface call, the one implementation that locks a value the
  call hands it: `m.Refresh(s)` where a mirror calls back `s.Revision()`),
  in source order before the `Done`/`Signal`, whatever branch they sit in.
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.flow import CHANNEL_FLOW
from golint_im.analysis.locks import LOCKS, HeldAcross, held_across
from golint_im.analysis.subscribers import STARVED_SUBSCRIBERS, StarvedSubscriber
from golint_im.analysis.syncprims import ERRGROUP, WAITGROUP
from golint_im.analysis.waits import HANDOFFS_UNDER_LOCK, WAITS_UNDER_LOCK, HandoffHeldAcross, WaitHeldAcross
from golint_im.findings import Finding, Related, Step, op_location

from ._lock_words import acquire_steps, call_steps, lock_call, through, via

ID = "GIM103"
NAME = "lock-held-across-blocking-op"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = (
    "A channel operation, WaitGroup.Wait or Cond.Wait performed while holding a mutex "
    "that the partner goroutine must take first"
)
REQUIRES = (LOCKS, CHANNEL_FLOW, WAITS_UNDER_LOCK, HANDOFFS_UNDER_LOCK, STARVED_SUBSCRIBERS)

_VERB = {"send": ("sends on", "receive"), "recv": ("receives from", "send")}


def check(ctx):
    model = ctx.result(LOCKS)
    flow = ctx.result(CHANNEL_FLOW)
    told: set[tuple] = set()
    for case in held_across(model, flow, ctx.debug):
        told.add(_where(case.blocked))
        told.add((case.channel.key, case.blocked.held.lock.cls))  # both sides under the lock: one deadlock
        yield _finding(ctx, case)
    for wait in ctx.result(WAITS_UNDER_LOCK):
        yield _wait_finding(wait)
    # A subscriber that takes the lock only on some values is told as a starved subscriber, which
    # names the subscription that handed it the channel.
    subscribers = {_where(s.blocked) for s in ctx.result(STARVED_SUBSCRIBERS)}
    for handoff in ctx.result(HANDOFFS_UNDER_LOCK):
        if handoff.taken_on is not None and _where(handoff.blocked) in subscribers:
            continue
        if _where(handoff.blocked) not in told and (handoff.channel.key, handoff.blocked.held.lock.cls) not in told:
            told.add(_where(handoff.blocked))
            yield _handoff_finding(handoff)
    for starved in ctx.result(STARVED_SUBSCRIBERS):
        if _where(starved.blocked) not in told:
            yield _starved_finding(starved)


def _starved_finding(s: StarvedSubscriber) -> Finding:
    """A send to a subscriber's channel under the lock the subscriber goroutine takes."""
    b, held = s.blocked, s.blocked.held
    label = held.lock.label
    op_loc = op_location(b.op_fn, b.op)
    call_fn, call_op = s.subscribe_call
    lock_loc = op_location(s.lock.fn, s.lock.op)
    through_call = f" (through `{E.render(s.via.fn)}(…)` at line {s.via.line})" if s.via is not None else ""
    who = "subscriber goroutine" if s.receiver.go_sites else "subscriber"
    first = ", before that receive," if not s.receiver.go_sites else ""
    message = (
        f"`{b.fn.short}` sends to a subscriber's channel (`{s.field}`, made unbuffered by "
        f"`{s.subscribe.short}`) at line {b.op.line}{through(b.hops)} while holding `{held.text}` "
        f"(`{label}`, {lock_call(held)} at line {held.op.line}{via(held)}); the {who} "
        f"`{s.receiver.short}` receives that channel at line {s.recv.line} and{first} takes `{label}`"
        f"{through_call}: while it waits for the lock it does not receive, and the send waits for it. "
        f"Fix: copy the subscribers' channels under the lock and send after unlocking, or give each "
        f"channel a buffer and send with `select` and `default`."
    )
    steps = [
        *acquire_steps(held, f"takes `{label}`"),
        *call_steps(b.hops),
        Step(op_loc, f"sends to a subscriber while holding `{label}`: waits for its receive"),
        Step(op_location(call_fn, call_op), _subscribed_how(s, call_fn)),
        Step(op_location(s.receiver, s.recv), f"the {who} receives from it"),
        Step(lock_loc, f"the subscriber takes `{label}`{through_call}: waits for the publisher's unlock"),
    ]
    return Finding(
        rule_id=ID,
        message=message,
        location=op_loc,
        severity=SEVERITY,
        related=(Related(lock_loc, f"the subscriber takes `{label}` here"),),
        steps=tuple(steps),
        key=f"{b.fn.qualname}|{s.field}|starved-subscriber",
    )


def _subscribed_how(s: StarvedSubscriber, call_fn) -> str:
    if call_fn is s.subscribe:
        return f"`{call_fn.short}` stores the channel and starts its subscriber goroutine"
    return f"`{call_fn.short}` subscribes and gets the channel"


def _where(b) -> tuple:
    """The blocked function's statement (the operation, or the call reaching it) and the lock class."""
    return (b.fn.id, id(b.hops[0].op if b.hops else b.op), b.held.lock.cls)


def _finding(ctx, case: HeldAcross) -> Finding:
    b, ch = case.blocked, case.channel
    held = b.held
    label = held.lock.label
    verb, other = _VERB[b.kind]
    partner = case.partners[0]
    fns = ctx.program.functions
    x, y = case.roots
    op_loc = op_location(b.op_fn, b.op)
    steps = [
        *acquire_steps(held, f"takes `{label}`"),
        *call_steps(b.hops),
        Step(op_loc, f"{verb} `{ch.label}` (unbuffered) while holding `{label}`: waits for the partner"),
        *acquire_steps(partner.held, f"the partner takes `{label}` first: waits for the lock"),
        *call_steps(partner.hops),
        Step(op_location(partner.op_fn, partner.op), f"the partner's {other} on `{ch.label}`, never reached"),
    ]
    names = ", ".join(f"`{p.op_fn.short}` (line {p.op.line})" for p in case.partners[:3])
    if len(case.partners) > 3:
        names += f" and {len(case.partners) - 3} more"
    message = (
        f"`{b.fn.short}` {verb} unbuffered `{ch.label}` at line {b.op.line}{through(b.hops)} while holding "
        f"`{held.text}` (`{label}`, {lock_call(held)} at line {held.op.line}{via(held)}), but every {other} on "
        f"`{ch.label}` runs holding `{label}` too: {names}. Goroutines running `{fns[x].short}` and "
        f"`{fns[y].short}` wait for each other forever. "
        f"Fix: unlock `{held.text}` before the channel operation, or take `{label}` in the partner only after it."
    )
    related = [
        Related(op_location(p.op_fn, p.op), f"{other} on `{ch.label}` under `{label}`") for p in case.partners[:3]
    ]
    where = op_location(b.fn, b.hops[0].op) if b.hops else op_loc
    return Finding(
        rule_id=ID,
        message=message,
        location=where,
        severity=SEVERITY,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{b.fn.qualname}|{label}|{ch.label}|{b.kind}",
    )


def _wait_finding(case: WaitHeldAcross) -> Finding:
    b, wait, partner = case.blocked, case.wait, case.partner_lock
    held, label = b.held, b.held.lock.label
    wait_loc = op_location(b.op_fn, b.op)
    call = f"`{wait.text}.{case.partner_call.method}()`"
    call_loc = op_location(case.partner_call.fn, case.partner_call.op)
    holding = f"`{held.text}` (`{label}`, {lock_call(held)} at line {held.op.line}{via(held)})"
    takes = f"{lock_call(partner)} at line {partner.op.line}{via(partner)}"
    if wait.kind == WAITGROUP:
        wait_step = f"`{wait.text}.Wait()` while holding `{label}`: waits for every counted goroutine's `Done`"
        partner_what = f"the goroutine `{case.partner_fn.short}` counted by `{wait.text}` takes `{label}` first"
        done_step = f"its {call}, never reached"
        message = (
            f"`{b.fn.short}` waits in `{wait.text}.Wait()` at line {b.op.line}{through(b.hops)} while holding "
            f"{holding}, but the goroutine `{case.partner_fn.short}` counted by `{wait.text}` takes `{label}` "
            f"({takes}) before its {call} at line {case.partner_call.op.line}: the Wait never returns and the "
            f"goroutine never gets the lock. Fix: unlock `{held.text}` before `{wait.text}.Wait()`, or let the "
            f"goroutine call `{wait.text}.Done()` before it takes `{label}`."
        )
        if case.released:
            partner_what = (
                f"`{case.partner_fn.short}`, the release every count of `{wait.text}` ends with, takes `{label}` first"
            )
            message = (
                f"`{b.fn.short}` waits in `{wait.text}.Wait()` at line {b.op.line}{through(b.hops)} while holding "
                f"{holding}, but `{case.partner_fn.short}`, which releases what `{wait.text}` counts, takes `{label}` "
                f"({takes}) before its {call} at line {case.partner_call.op.line}: while anything is still out, the "
                f"Wait never returns and every release blocks on the lock. Fix: unlock `{held.text}` before "
                f"`{wait.text}.Wait()`, or call `{wait.text}.Done()` before taking `{label}`."
            )
        key_kind = "waitgroup"
    elif wait.kind == ERRGROUP:
        started = f"`{wait.text}.{case.partner_call.method}(…)` at line {case.partner_call.op.line}"
        wait_step = f"`{wait.text}.Wait()` while holding `{label}`: waits for every function the group started"
        partner_what = f"`{case.partner_fn.short}`, started by {started}, takes `{label}`"
        done_step = f"{started} starts it"
        message = (
            f"`{b.fn.short}` waits in `{wait.text}.Wait()` at line {b.op.line}{through(b.hops)} while holding "
            f"{holding}, but `{case.partner_fn.short}`, which the group started with {started}, takes `{label}` "
            f"({takes}): it cannot finish while the lock is held, so the Wait never returns. Fix: unlock "
            f"`{held.text}` before `{wait.text}.Wait()`, or do the locked work after the Wait."
        )
        key_kind = "errgroup"
    else:
        others = "" if case.partners == 1 else f" (and {case.partners - 1} more, all under `{label}`)"
        that_can = ""
        if case.left_out:
            # `Add` broadcasting after `b.unwritten++`: it moves the counter away from the wait's end
            that_can = " that can end this wait (the others only move what it waits on away from its end)"
        wait_step = f"`{wait.text}.Wait()` releases only the Cond's own locker, `{label}` stays held"
        partner_what = f"`{case.partner_fn.short}` takes `{label}` before it signals"
        done_step = f"{call}, never reached: nothing wakes the waiter"
        message = (
            f"`{b.fn.short}` waits in `{wait.text}.Wait()` at line {b.op.line}{through(b.hops)} while holding "
            f"{holding}, which is not the Cond's locker (`Wait` releases only that one), but every "
            f"`Signal`/`Broadcast` of `{wait.text}`{that_can} runs after taking `{label}`: "
            f"`{case.partner_fn.short}` "
            f"({takes}, then {call} at line {case.partner_call.op.line}){others}. Nothing can wake the waiter. "
            f"Fix: unlock `{held.text}` before `{wait.text}.Wait()`, or make `{label}` the Cond's locker."
        )
        key_kind = "cond"
    steps = [
        *acquire_steps(held, f"takes `{label}`"),
        *call_steps(b.hops),
        Step(wait_loc, wait_step),
        *acquire_steps(partner, partner_what + ": waits for the lock"),
        Step(call_loc, done_step),
    ]
    where = op_location(b.fn, b.hops[0].op) if b.hops else wait_loc
    return Finding(
        rule_id=ID,
        message=message,
        location=where,
        severity=SEVERITY,
        related=(
            Related(
                op_location(partner.fn, partner.op),
                f"`{label}` taken by the started function"
                if wait.kind == ERRGROUP
                else f"`{label}` taken before {call}",
            ),
        ),
        steps=tuple(steps),
        key=f"{b.fn.qualname}|{label}|{wait.text}|{key_kind}",
    )


_PARTNER_VERB = {"send": "receive", "recv": "send or `close`"}


def _partner_text(op) -> str:
    if op.kind == "call":
        return "`close`"
    return "receive" if op.kind == "recv" else "send"


def _handoff_finding(case: HandoffHeldAcross) -> Finding:
    b, ch, partner = case.blocked, case.channel, case.partner_lock
    held, label = b.held, b.held.lock.label
    verb, other = _VERB[b.kind]
    op_loc = op_location(b.op_fn, b.op)
    partner_loc = op_location(case.partner_fn, case.partner_op)
    what = _partner_text(case.partner_op)
    awaited = what if case.partner_op.kind == "call" else other  # a `close`, or the partner's send/receive
    holding = (
        f"`{b.fn.short}` {verb} `{ch.label}` at line {b.op.line}{through(b.hops)} while holding `{held.text}` "
        f"(`{label}`, {lock_call(held)} at line {held.op.line}{via(held)})"
    )
    taken = f"{lock_call(partner)} at line {partner.op.line}{via(partner)}"
    if case.when is not None:
        taken += f", when `{E.render(case.when)}`"
    if case.in_other_case and case.partner_op.kind == "call":  # closes once its `select` loop leaves
        message = (
            f"{holding}, but the goroutine `{case.partner_fn.short}` closes it only when its `select` loop "
            f"returns (line {case.partner_op.line}), and another case of that loop takes `{label}` ({taken}): "
            f"when that case is running as the lock is taken here, the goroutine waits for the lock and "
            f"never returns to close it. Fix: unlock `{held.text}` before waiting, or let that case run "
            f"without `{label}`."
        )
        partner_step = f"another case of the partner's `select` loop takes `{label}`: waits for the lock"
        partner_end, related = "not reached", f"`{label}` taken in another case"
    elif case.in_other_case:  # the partner receives in a `select` and takes the lock in another case
        message = (
            f"{holding}, but the goroutine `{case.partner_fn.short}` that receives it at line "
            f"{case.partner_op.line} takes `{label}` in another case of the same `select` ({taken}): when "
            f"that case runs while the send waits, the goroutine waits for the lock and never gets back to "
            f"the receive. Fix: unlock `{held.text}` before the send, or send in a `select` with a way out "
            f"(`ctx.Done()`, a quit channel)."
        )
        partner_step = f"the partner, in another case of its `select`, takes `{label}`: waits for the lock"
        partner_end, related = "not reached again", f"`{label}` taken in another case"
    elif case.between_receives and case.leaving_on is not None:  # on a branch that then returns
        cond = E.render(case.leaving_on)
        message = (
            f"{holding}, but the goroutine `{case.partner_fn.short}` that receives it at line "
            f"{case.partner_op.line} takes `{label}` when `{cond}` after a receive, and then returns ({taken}): "
            f"it takes one value, then waits for the lock, and a later send made under `{label}` can find it "
            f"there and wait forever (an `Unlock` wakes the goroutine but does not hand it the lock). Fix: "
            f"unlock `{held.text}` before the send (or send with a way out), or let the goroutine leave without "
            f"taking `{label}`."
        )
        partner_step = f"when `{cond}`, takes `{label}` before returning: waits for the lock"
        partner_end, related = "takes one value", f"`{label}` taken before the goroutine returns"
    elif case.between_receives and case.taken_on is not None:  # on rounds whose value passes a test
        cond = E.render(case.taken_on)
        message = (
            f"{holding}, but the goroutine `{case.partner_fn.short}` that receives it at line "
            f"{case.partner_op.line} takes `{label}` after a receive when `{cond}`, before its next receive "
            f"({taken}): it takes such a value, then waits for the lock, and a later send made under `{label}` "
            f"can find it there and wait forever (an `Unlock` wakes the goroutine but does not hand it the "
            f"lock). Fix: unlock `{held.text}` before the send, or let the goroutine do that without taking "
            f"`{label}` (hand it to another goroutine, or return and let the caller do it)."
        )
        partner_step = f"when `{cond}`, takes `{label}` before its next receive: waits for the lock"
        partner_end, related = "takes one value", f"`{label}` taken when `{cond}`"
    elif case.between_receives and ch.capacity != 0 and b.kind == "send":  # a queue: blocks once full
        size = f"a buffer of {ch.capacity}" if ch.capacity else "a buffer"
        message = (
            f"{holding}, but `{ch.label}` has {size} and the goroutine `{case.partner_fn.short}` that "
            f"receives from it at line "
            f"{case.partner_op.line} takes `{label}` after each receive, before the next ({taken}): once the "
            f"buffer is full this send waits with `{label}` held, and every receiver that has taken a value "
            f"waits for the lock instead of draining the buffer, so neither side moves again. Fix: unlock "
            f"`{held.text}` before the send, or let the goroutine receive without taking `{label}`."
        )
        partner_step = f"then takes `{label}` before its next receive: waits for the lock"
        partner_end, related = "takes one value", f"`{label}` taken between receives"
    elif case.between_receives:  # the partner's loop takes the lock after each receive
        message = (
            f"{holding}, but the goroutine `{case.partner_fn.short}` that receives it at line "
            f"{case.partner_op.line} takes `{label}` after each receive, before the next ({taken}): it takes "
            f"one value, then waits for the lock, and a later send made under `{label}` can find it there "
            f"and wait forever (an `Unlock` wakes the goroutine but does not hand it the lock). Fix: unlock "
            f"`{held.text}` before the send, or let the goroutine receive without taking `{label}`."
        )
        partner_step = f"then takes `{label}` before its next receive: waits for the lock"
        partner_end, related = "takes one value", f"`{label}` taken between receives"
    else:
        others = "" if case.partners == 1 else f" (and {case.partners - 1} more, each after taking `{label}`)"
        message = (
            f"{holding}, but the goroutine that would {_PARTNER_VERB[b.kind]} first takes `{label}` ({taken}) "
            f"before its {what} at line {case.partner_op.line} in `{case.partner_fn.short}`{others}: the "
            f"operation waits for the goroutine, the goroutine waits for the lock. Fix: unlock `{held.text}` "
            f"before the channel operation, or let the goroutine do its {what} before it takes `{label}`."
        )
        partner_step = f"the partner takes `{label}` first: waits for the lock"
        partner_end, related = "never reached", f"`{label}` taken before the {what}"
    partner_steps = [
        *acquire_steps(partner, partner_step),
        Step(partner_loc, f"the partner's {what} on `{ch.label}`, {partner_end}"),
    ]
    if case.between_receives:  # the receive comes first, then the lock the next round waits on
        partner_steps = [partner_steps[-1], *partner_steps[:-1]]
    steps = [
        *acquire_steps(held, f"takes `{label}`"),
        *call_steps(b.hops),
        Step(op_loc, f"{verb} `{ch.label}` while holding `{label}`: waits for the partner's {awaited}"),
        *partner_steps,
    ]
    where = op_location(b.fn, b.hops[0].op) if b.hops else op_loc
    return Finding(
        rule_id=ID,
        message=message,
        location=where,
        severity=SEVERITY,
        related=(Related(op_location(partner.fn, partner.op), related),),
        steps=tuple(steps),
        key=f"{b.fn.qualname}|{label}|{ch.label}|{b.kind}|handoff",
    )
