r"""GIM106 waitgroup-cond-misuse: a WaitGroup or Cond used so that a Wait can return early or never.

## What it does
Finds these misuses of `sync.WaitGroup` and `sync.Cond`, each on one
group or condition variable identified by where it is held (a local, a
package variable, a struct field; a parameter is what its callers pass):

- `wg.Add` inside the goroutine it counts: the function that starts the
  goroutine calls `wg.Wait()` after the `go` statement without having added
  for it, and the goroutine itself calls `wg.Add` (or a function that does,
  before its `Done`) and `wg.Done`. For a group held in a struct field
  (`s.wg`), a `Wait` in another function of the package (a `Close` or
  `Stop`) counts too, unless the starter blocks on a receive or a Wait after
  the `go` statement (a handshake the goroutine may answer after its Add);
- a counted goroutine that can `return` before its `wg.Done()` (no
  `defer wg.Done()`, or one registered only after that `return`: `conn,
  err := dial(); if err != nil { return }; defer wg.Done()`), while its
  starter waits on the group: the finding
  names the `return`; or that `panic`s before it while the goroutine
  recovers its own panics (a deferred `recover()`), so it ends without
  counting down. The `Wait` may be the starter's own, or that of a
  goroutine literal it starts afterwards (`go func() { wg.Wait();
  close(out) }()`, a fan-in's closer). For a group in a struct field, a `Wait` in another
  method of the package counts as well, when the starter calls `Add` right
  before the `go` statement (or `Add(n)` right before a loop of `n` rounds
  that starts one goroutine per round) and every `Done` of the group is the
  goroutine's own (a deferred one registered after the `return` too; one in
  a loop only when a `return` follows it at once, as in each way out of a
  `for { select {` worker). The
  `Done` may be a helper's whose only WaitGroup call it is (its mutex calls
  aside), on its body's straight line with nothing before it that can
  leave (loops and branches that rejoin may come first), called on the
  goroutine's receiver, on a parameter, or, in a goroutine literal, on a
  local of its starter it captures (`rep.record(name, st)`, `record`
  storing under `r.mu` and calling `r.wg.Done()`; `finish(err)`, a literal
  of the starter counting down the starter's own group), or a `func()`
  parameter every caller fills with
  the group's `Done` method value (`go l.loadShard(sh, wg.Done)`, then
  `done()`);
- `wg.Add(len(xs))` (or `wg.Add(n)`) before a loop over `xs` (or
  `i < n`), or `wg.Add(1)` at the top of its body, when the body can
  `continue` or `break` before the `go` statement that starts a counted
  goroutine (or a spawner's call running it, `u.Exec.Go(func() {...})`,
  also through an interface whose every implementation in the tree runs
  its function argument on a new goroutine): the skipped iterations never
  call `Done`, and the `Wait` after the loop never returns;
- `wg.Add(N)` with a constant N larger than the goroutines the function
  then starts before its `wg.Wait()` (each calling `Done` once; a `go` in a
  `for i := 0; i < K; i++` loop counts K; a direct call of such a worker on
  the function's own goroutine, as in `go copy(a, b); copy(b, a)`, counts
  too): the counter never reaches zero.
  Only when every `Add` and `Done` of the group is in sight and countable;
- the opposite count: a `go` statement whose goroutine calls `Done` once,
  started when the function's constant `Add`s before it have no count left
  for it (`wg.Add(1); go a(); go b()`): its `Done` can drive the counter
  negative (a panic) or let `Wait` return while it runs. Reported at that
  `go` statement, under the same conditions;
- `wg.Add` before handing a function whose own body calls `wg.Done()` to
  a wrapper of the tree that starts it only on a branch (`if s.running {
  go f() }`), when the starter calls no `Done` on the group itself (as it
  would when the wrapper says it declined) and something waits on the
  group: the starter after the call, or, for a group in a field, a
  function of its package (`Stop`). When the wrapper declines, nothing
  releases the count. Starters in test files are not judged (the test sets
  up what the wrapper tests);
- `g.Go(f)` of an errgroup that `g.SetLimit(n)` bounds, called from inside
  a function the same group runs: `Go` waits for a free slot, and once
  every slot runs a function waiting there, none is freed (`TryGo` does
  not wait);
- `wg.Wait()` inside a goroutine the same group counts (its starter adds
  for it before the `go`), before its own `Done` (deferred, or later): it
  waits for itself; also a Wait on a group held in a field that the
  goroutine reaches through up to three calls of the tree (a task run
  through a function value calling `tc.Quiesce()`), not on a local group
  (each call makes its own), not through a recursion into the goroutine's
  starter, and not through an interface call landing on a method of the
  starter's own type (another node of a tree); likewise an errgroup's `g.Wait()` in the body of a
  function `g.Go` runs (a goroutine that function starts is not counted);
- `Done` (or `Add`) on a copy of a WaitGroup that is waited on: a
  `sync.WaitGroup` parameter taken by value, or the WaitGroup field of a
  method's value receiver; the original never gets back to zero;
- `Cond.Wait` outside any `for` loop, on a condition variable that is
  woken with `Signal`;
- `Cond.Wait` on a condition variable that nothing signals or broadcasts
  (a local copy of a pointer held elsewhere, `c := rl.c`, assigned once,
  is that one: `c.Wait()` is woken by `rl.c.Broadcast()`);
- a flag that ends a `Cond.Wait` loop set where nothing wakes the waiters:
  a method loops `for !q.closed && ... { q.cond.Wait() }` on a Cond field
  of its receiver, and another method of the same type sets `q.closed =
  true` with no `Signal`/`Broadcast` of that Cond in it, in a function it
  calls, or in a caller up to three levels up; or sets it where it signals
  on other paths but, after this set, only unlocks and returns (a flusher's
  `f.err = err; f.mu.Unlock(); return`). Only boolean fields read as
  `x.f` or `!x.f` in a chain of `&&`, set to the constant that makes their
  conjunct false, are judged, and flags the loop's body tests, before or
  after the wait, to leave (`for l.cn == nil { l.cond.Wait(); if l.closed {
  return } }`, `for e.leader == "" { if e.stopped { return }; e.cond.Wait()
  }`, with `||` of such); a Cond signalled from an endless loop (a
  periodic wake-up) is not (`GIM106_flags_*`). The same flag set with
  only a `Signal()` after it, when no `Broadcast` of that Cond exists and
  several goroutines wait (the waiting method called, directly or through
  plain calls up to three levels up, from a goroutine started in a loop or
  by several `go` statements): one wakes, the others sleep on. And a counter or slice the loop condition reads, changed
  the way that can end the wait (`p.size--` for `p.size >= p.max`, an
  `append` for `len(q.items) == 0`) by a method that signals the Cond
  elsewhere but returns before its signal on that path. A slice the loop
  condition reads as `len(q.items) == 0`, appended to (`q.items =
  append(q.items, ts...)`, or put ahead of its elements, `q.items =
  append(append([]T(nil), ts...), q.items...)`) by a method that wakes nobody, while another
  method of the type appends to it and signals (`Push` beside `PushBatch`).
  A wait entered once under an `if` and no loop (`if len(q.items) == 0 &&
  !q.closed { q.cond.Wait() }`, in a method its callers loop around) is
  judged on that `if`'s condition the same way: a flag or an append that
  makes it false with nobody signalled leaves a goroutine already waiting
  asleep. The append may sit in a function literal the method hands on and
  that sees its receiver (`time.AfterFunc(d, func() { q.items =
  append(q.items, t) })`), unless that literal signals itself.
  A counter compared with `<`, `<=`, `>` or `>=` (`p.open < p.max`, in the
  loop's condition or in an `if` of its body that leaves it, also in an
  endless `for { ... p.cond.Wait() }`), moved towards the wait's end
  (`p.open--`) by a method that signals nobody around it: a pool's
  `Discard` freeing a slot that `Get` waits for. One `Signal()` per freed
  slot is enough and stays silent. The counters such an endless loop's
  body tests count for a method that signals on one path but returns before
  its signal on another (a pool's `Put` freeing a broken session's slot),
  and a signal inside the waiting function's own loop (`p.open--;
  p.cond.Signal(); return nil, err` on a failed dial) is not taken for a
  periodic wake-up. A slot freed under `if p.closed {` stays silent when
  the waiters' loop leaves on that flag and every write setting it is
  followed by a `Broadcast()`: every waiter was woken, and none waits
  again;
- a `Wait` (of a WaitGroup or an `errgroup.Group`) before the receive its
  counted goroutines need: they send on `out` (unbuffered, or more sends
  than its buffer) before their `Done`, and the function calls `wg.Wait()`
  before it receives from `out` (or workers `range` over `jobs` that the
  function closes only after `wg.Wait()`). The finding sits on the `Wait`
  and names both sides;
- a `wg.Wait()` before the release its counted goroutine waits for: the
  goroutine first blocks on `<-ctx.Done()` of a context whose every
  `cancel()` comes after the Wait (a `defer cancel()` included), on a
  receive from a channel whose every send and `close` comes after it, or
  on a `Cond.Wait` whose every `Signal`/`Broadcast` comes after it. A
  goroutine whose body is an endless `for { select { ... } }` that it
  leaves only in the `case <-ctx.Done()` counts as blocked on that case.
  When nothing calls the context's cancel function at all (a `cancel`
  kept in a field that no `Close` calls), the Wait never returns either;
- a `Cond.Wait` in a goroutine started only after every `Signal`/`Broadcast`
  of the Cond was sent (by the function starting it, before its `go`
  statement): a signal wakes only goroutines already waiting;
- a `Cond.Wait` that checks no condition (no `if` or loop around it, no
  `return` before it), in a function that takes the lock itself, called
  right after its caller starts the goroutine holding every
  `Signal`/`Broadcast` of the Cond, each outside any loop (`go e.elect(id);
  return e.awaitLeader()`): when the goroutine signals first, the signal is
  lost and the Wait never returns.

A `Done` on the straight line of a literal the goroutine defers (`defer
func() { <-sem; wg.Done() }()`) is the goroutine's deferred Done, and a
method the starter calls on its own receiver after the loop, holding the
`Wait` on the receiver's group (`im.waitWorkers()`), is where the starter
waits. A wait loop `for r.current == nil { r.ready.Wait() }` ends when the
field is given a value, like a flag, and `for t.tokens == 0` when the
counter is moved up; a refill setting it outright (`t.tokens = t.limit`)
followed by a single `Signal` wakes one of many waiters.

## Why is this bad
`Wait` may run before the goroutine reaches its `Add`: the counter is still
zero, `Wait` returns at once and the caller reads results that are not
there yet, or returns while the goroutine still runs. A skipped `Done`
leaves the counter above zero for good: `Wait` never returns, and every
goroutine waiting behind it leaks. A `Cond.Wait` can wake up without its
condition being true (another goroutine got there first, or `Broadcast`
woke everyone), so a `Wait` not re-checked in a loop acts on a stale
condition; and a `Wait` nobody signals sleeps forever. A `Wait` before the
drain is a deadlock: the senders wait for the receiver and the receiver
waits for the senders.

## Example
```go
func fetchAll(urls []string) {
    var wg sync.WaitGroup
    for _, u := range urls {
        go func(u string) {
            wg.Add(1)          // too late: Wait below may already have returned
            defer wg.Done()
            fetch(u)
        }(u)
    }
    wg.Wait()
}

func worker(wg *sync.WaitGroup, job string) {
    if job == "" {
        return                 // Done is skipped: Wait never returns
    }
    process(job)
    wg.Done()
}
```

## Fix
Call `wg.Add(1)` before the `go` statement; call `defer wg.Done()` first
thing in the goroutine, so every return (and a panic) counts down. Wait on
a condition in a loop: `for !ready { cond.Wait() }`; make sure the code that
changes the condition calls `cond.Signal()` or `cond.Broadcast()`.

## Known limits
- A group with an `Add` and a `Wait` but no `Done` anywhere parks its
  waiter on purpose (as `select {}` does): its `Add` is not paired with a
  `go` statement near it (`GIM106_groups_never_counted_down`).
- A wrapper that may decline to start a counted function is judged only
  when it is one resolved function of the tree, starts its parameter in
  one `go` statement behind a branch and in no loop, and neither calls it
  in place nor hands it on; the call must come within a few statements of
  the `Add`, on the same block.
- Only goroutines started with `go` are followed, and only the `Add`,
  `Done` and `Wait` calls they make themselves (an `Add` also in a function
  they call directly with one resolved target). Goroutines started by
  `WaitGroup.Go`, `errgroup` or a spawning helper that adds and defers
  `Done` for them are counted by that wrapper and stay silent. A goroutine that starts
  goroutines of its own is taken to `Add` for those, and is not reported;
  neither is a starter that also adds before the `go` statement.
- A skipped `Done` is looked for only on `return` statements that come
  before every `Done` or on the other side of its branch; a branch that
  calls analysed code that touches any WaitGroup, or that passes the group
  on, is taken to count down there. An explicit `panic(...)` is followed
  only in a goroutine that defers a `recover()` itself (otherwise the
  process dies and nothing waits); falling off the end is not followed.
  A `Done` per item, straight in a worker's range over a work channel (the
  group counts items, `wg.Add(len(input))`), is judged on the `continue`
  of that loop and the `return` that come before it; a `Done` on a branch
  of the round is left alone. So is a helper the range calls for each item
  whose `Done` sits in a retry loop with a condition, each followed by
  `return`, when the helper goes on past that loop to its end without one
  (every try failed: the item is never counted down).
- `Cond.Wait` outside a loop is reported only on a condition variable that
  some code `Signal`s. One only ever `Broadcast` is usually a one-shot event
  (a result is ready, set once and never reset) for which `if !done {
  c.Wait() }` is enough, and is left alone, except when the check ran
  before the lock the wait runs under was taken, or when the function does
  nothing before the wait but take the lock (`mu.Lock(); defer
  mu.Unlock(); c.Wait()`, a deferred unlock included): a `Broadcast` before
  the wait is missed.
- `Cond.Wait` outside a loop is not reported in a function whose callers
  (up to three calls up) loop around it, or in an exported function nothing here calls (a wrapper
  its users loop around); a test, benchmark, fuzz test or example is where calls start, not such a
  wrapper. A condition variable passed, returned or stored
  elsewhere, or held in an exported field or variable, may be signalled by
  code the model does not see: it is never reported as unsignalled.
- A counted start skipped by `continue`/`break` is reported only when
  the `Add`'s argument is the loop's own trip count as written
  (`len(xs)` for `range xs`, `n` for `i < n`), the `go` statement is on
  the loop body's straight line, and the starter makes no other `Add` or
  `Done` call on the group (a `wg.Done()` on the skipping branch is
  accepted as counting it down).
- Wait before drain (the `circular` layer, shared with GIM102): the
  channel must be a local made once with a constant capacity and never
  handed to code the model cannot see (`make(chan T, n)` with a variable
  `n` is not judged); every receive of it must be in the waiting function
  itself, after the `Wait`. The counted goroutine is one started by `go`
  (or `g.Go(f)`) after a `wg.Add` in the same function, whose every
  `Done` is deferred or comes after the send. A send inside a `select` is
  taken as non-blocking. With a buffer, the senders must be counted: a
  constant-bound loop `for i := 0; i < 3; i++` and sends outside loops
  (one under a branch counts as one more that a run can make; one followed
  at once by `return`, under a branch or in a loop, ends its run, which
  then makes only the plain sends before it and that one), else silence.
  A struct-field channel is judged as GIM102's
  circular waits say (one variable holds the struct, partners seen in the
  function, the goroutine and what they call); a method's receiver field
  made at one site of the program (`&crawler{results: make(chan string)}`
  in a caller) has that site's capacity on every instance.
- Wait before release: the goroutine is the function holding the `Done`,
  started with `go` and called nowhere else, and its blocking operation is
  the first thing on its straight line that can block (not under a branch,
  a `range` or a bounded loop; a Cond's re-check loop and a one-case
  `select` are accepted). The context must come from
  `context.WithCancel(context.Background())` (or `TODO`), its cancel
  function held in a local or a struct field and only ever called (a
  cancel handed to other code, `time.AfterFunc(d, cancel)`, is not
  judged); every release must be the waiting function's own code after the
  `Wait`, or deferred there. A `defer wg.Wait()` is not judged. A
  `select` loop counts only when it is the goroutine's endless `for`, with
  no `default`, and every `return`, labelled jump or `goto` of the
  goroutine is inside its `ctx.Done()` case. A context parameter is
  followed to the argument of the function's one call or `go` statement
  (three calls up at most). "Nothing calls the cancel function" needs the
  cancel seen whole as above: a local or a field that is only ever called.
- Signal before the waiter: the Wait must be on the goroutine's straight
  line and not in a conditional re-check loop (`for !ready { c.Wait() }`
  may not wait at all when the state was set with the signal: silent); the
  goroutine is started once, by `go`, from the one function that holds
  every signal, with no loop around the `go` statement. Such an unlooped
  Wait is told once, as the early signal.
- `--debug` counts what was given up (`GIM106_*`, `circular_*`).
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.circular import CIRCULAR
from golint_im.analysis.syncprims import SYNC_PRIMITIVES
from golint_im.analysis.wait_release import EARLY_SIGNALS, WAIT_BEFORE_RELEASE, EarlySignal, WaitBeforeRelease
from golint_im.findings import Finding, Location, Related, Step, op_location
from golint_im.rules._block_wording import branch_text
from golint_im.rules._circular_wording import circular_finding

ID = "GIM106"
NAME = "waitgroup-cond-misuse"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = (
    "WaitGroup.Add inside the counted goroutine, a Done skipped by a return, a Wait before what its goroutine "
    "needs, a Cond.Wait unlooped, unsignalled or signalled only before it starts"
)
REQUIRES = (SYNC_PRIMITIVES, CIRCULAR, WAIT_BEFORE_RELEASE, EARLY_SIGNALS)


def check(ctx):
    prims = ctx.result(SYNC_PRIMITIVES)
    for a in prims.add_inside:
        yield _add_inside(a)
    for d in prims.done_skipped:
        yield _done_skipped(d)
    for u in prims.unstarted:
        yield _unstarted_add(u)
    for k in prims.starts_skipped:
        yield _start_skipped(k)
    for m in prims.miscounted:
        yield _miscounted(m)
    for u in prims.uncounted:
        yield _uncounted(u)
    for r in prims.refused:
        yield _refused_start(r)
    for n in prims.nested_limited:
        yield _nested_limited(n)
    for c in prims.copied:
        yield _copied(c)
    for gw in prims.group_self_waits:
        yield _group_self_wait(gw)
    for sw in prims.self_waits:
        yield _self_wait(sw)
    early = ctx.result(EARLY_SIGNALS)
    told_early = {id(e.wait.op) for e in early}
    for e in early:
        yield _early_signal(e)
    for c in prims.cond_waits:
        if id(c.call.op) not in told_early:  # the early signal is the deadlock; its missing loop matters less
            yield _cond_wait(c)
    for u in prims.unwoken_flags:
        yield _unwoken_flag(u)
    for a in prims.abandoned_waiters:
        yield _abandoned_waiters(a)
    told: set[int] = set()
    for w in ctx.result(CIRCULAR).found:
        if w.is_group:
            told.add(id(w.wait))
            yield circular_finding(w, ID, SEVERITY)
    for r in ctx.result(WAIT_BEFORE_RELEASE):
        if id(r.wait.op) not in told:
            yield _wait_before_release(r)


_RELEASE_WORDS = {
    "context": ("`{h}.Done()`", "the context is cancelled", "call `{r}` before `{w}.Wait()`"),
    "channel": ("`{h}`", "something sends on or closes `{h}`", "do `{r}` before `{w}.Wait()`"),
    "cond": ("`{h}.Wait()`", "`{h}` is signalled", "signal `{h}` before `{w}.Wait()`"),
}


def _blocks(r: WaitBeforeRelease, blocked: str) -> str:
    """How the goroutine waits: on one operation, or in a loop whose only way out is that case."""
    if r.looped:
        return f"whose loop ends only in its `select` case on {blocked}"
    return f"which first blocks on {blocked}"


def _release_text(r: WaitBeforeRelease) -> str:
    op = r.release
    assert op is not None
    if op.kind == "send":
        return f"{E.render(op.fn)} <- {E.render(op.args[0]) if op.args else 'v'}"
    deferred = "defer " if op.mode == "defer" else ""
    if E.funclit(op.fn) is not None:
        return "defer func() { ... }()"
    return f"{deferred}{E.render(op.fn)}({', '.join(E.render(a) for a in op.args)})"


def _never_cancelled(r: WaitBeforeRelease) -> Finding:
    """The goroutine runs until its context is cancelled, and nothing calls the cancel function."""
    wait, g = r.wait, r.goroutine
    s = wait.fn
    assert r.made_fn is not None and r.made is not None
    made = r.made
    cancel = E.render(made.targets[1]) if len(made.targets) > 1 else "cancel"
    wait_loc = op_location(s, wait.op)
    blocked_loc = op_location(r.blocked_fn, r.blocked)
    made_loc = op_location(r.made_fn, made)
    done = "its deferred" if r.done.op.mode == "defer" else "its"
    message = (
        f"`{s.short}` waits in `{wait.text}.Wait()` at line {wait.op.line} for the goroutine `{g.short}`, "
        f"which leaves only when `{r.holder}` is cancelled (`<-{r.holder}.Done()` at line {r.blocked.line}); "
        f"but nothing calls `{cancel}`, the cancel function of `context.WithCancel` at "
        f"{made_loc.path}:{made.line}: the goroutine never reaches {done} `{r.done.text}.Done()` and the Wait "
        f"never returns. Fix: call the cancel function before `{wait.text}.Wait()`."
    )
    steps = (
        Step(made_loc, f"the context and its cancel function `{cancel}` are made here; nothing calls it"),
        Step(blocked_loc, f"the goroutine counted by `{wait.text}` runs until `{r.holder}.Done()`"),
        Step(op_location(r.done.fn, r.done.op), f"`{r.done.text}.Done()`, reached only after that"),
        Step(wait_loc, f"`{wait.text}.Wait()` waits for the goroutine"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(made_loc, f"`{cancel}` made here, never called"),),
        steps=steps,
        key=f"{s.qualname}|{wait.text}|release|never",
    )


def _wait_before_release(r: WaitBeforeRelease) -> Finding:
    if r.release is None:
        return _never_cancelled(r)
    wait, g = r.wait, r.goroutine
    s = wait.fn
    what, until, fix = _RELEASE_WORDS[r.what]
    h = r.holder
    blocked = what.format(h=h)
    release = _release_text(r)
    wait_loc = op_location(s, wait.op)
    blocked_loc = op_location(r.blocked_fn, r.blocked)
    assert r.release_fn is not None and r.release is not None
    release_loc = op_location(r.release_fn, r.release)
    done = "its deferred" if r.done.op.mode == "defer" else "its"
    only = "" if r.releases == 1 else f" (all {r.releases} of them come after the Wait)"
    if r.release.mode == "defer":
        only = f" (deferred: it runs only when `{s.short}` returns){only}"
    message = (
        f"`{s.short}` waits in `{wait.text}.Wait()` at line {wait.op.line} for the goroutine `{g.short}`, "
        f"{_blocks(r, blocked)} at line {r.blocked.line} until {until.format(h=h)}; but the only "
        f"release is `{release}` at line {r.release.line}{only}, after the Wait: the goroutine never reaches "
        f"{done} `{r.done.text}.Done()` and the Wait never returns. "
        f"Fix: {fix.format(r=release.removeprefix('defer '), w=wait.text, h=h)}."
    )
    steps = (
        Step(blocked_loc, f"the goroutine counted by `{wait.text}` blocks on {blocked}"),
        Step(op_location(r.done.fn, r.done.op), f"`{r.done.text}.Done()`, reached only after that"),
        Step(wait_loc, f"`{wait.text}.Wait()` waits for the goroutine"),
        Step(release_loc, f"`{release}` would release it, but runs only after the Wait"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(release_loc, "the release, after the Wait"),),
        steps=steps,
        key=f"{s.qualname}|{wait.text}|release|{r.what}",
    )


def _add_inside(a):
    wg, wait = a.add.text, a.wait
    add_loc = op_location(a.add.fn, a.add.op)
    called = f", in `{a.add.fn.short}` that it calls at line {a.via.line}" if a.via is not None else ""
    if a.elsewhere:
        waiter = (
            f"`{wait.fn.short}` can call `{wait.text}.Wait()` at line {wait.op.line} before the goroutine has "
            f"added (`{a.starter.short}` does not wait for it), and return while it still runs"
        )
    else:
        waiter = (
            f"`{a.starter.short}` can reach `{wait.text}.Wait()` at line {wait.op.line} before the goroutine has "
            f"added, and return while it still runs"
        )
    message = (
        f"`{wg}.Add` runs inside the goroutine it counts (started at line {a.go_op.line}{called}): "
        f"{waiter}. Fix: call `{a.add.text if a.elsewhere else wait.text}.Add(1)` before the `go` statement."
    )
    steps = (
        Step(op_location(a.starter, a.go_op), f"`{a.starter.short}` starts the goroutine, not yet counted"),
        Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` may see a zero counter and return at once"),
        *([Step(op_location(a.goroutine, a.via), f"the goroutine calls `{a.add.fn.short}`")] if a.via else []),
        Step(add_loc, f"the goroutine adds to `{wg}` only when it gets to run"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=add_loc,
        severity=SEVERITY,
        related=(Related(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` that can return early"),),
        steps=steps,
        key=f"{a.starter.qualname}|{wait.text}|add",
    )


def _done_skipped(d):
    """A counted goroutine's exit that skips its `Done`; with `item_loop`, a per-item Done that a
    `continue` or `return` skips for one item."""
    wg, wait = d.done.text, d.wait
    exit_loc = op_location(d.goroutine, d.exit)
    wait_at = f"`{wait.text}.Wait()` at line {wait.op.line}"
    if d.item_helper is not None:
        # `for j := range s.jobs { s.execute(ctx, j) }`, execute counting each item down itself
        helper, call = d.item_helper
        if wait.fn.file is not helper.file:
            wait_at = f"`{wait.text}.Wait()` at {wait.fn.file.path}:{wait.op.line}"
        exit_loc = op_location(helper, d.exit)
        why = branch_text(helper.facts, d.region, "returns")
        calls = f"calls `{wg}.Done()` at line {d.done.op.line} but {why} at line {d.exit.line} before it"
        if d.ends_after_loop:
            why = f"runs out of its loop at line {d.ends_after_loop} and ends"
            calls = (
                f"calls `{wg}.Done()` at line {d.done.op.line} only inside its loop at line {d.ends_after_loop}, "
                f"right before a `return`; when that loop runs out, it ends at line {d.exit.line} without it"
            )
        message = (
            f"the goroutine started at line {d.go_op.line} hands each item of its loop at line {d.item_loop} to "
            f"`{helper.short}` (line {call.line}), which {calls}: "
            f"that item is never counted down, and `{wait.fn.short}` waits "
            f"forever in {wait_at}. Fix: call `{wg}.Done()` on that path too, or `defer {wg}.Done()` at the top "
            f"of `{helper.short}`."
        )
        steps = (
            Step(op_location(d.starter, d.go_op), f"`{d.starter.short}` starts the goroutine handing items on"),
            Step(op_location(d.goroutine, call), f"the loop calls `{helper.short}` for each item"),
            Step(exit_loc, f"`{helper.short}` {why} here"),
            Step(op_location(helper, d.done.op), f"`{wg}.Done()` for that item, skipped"),
        )
        return _done_skipped_finding(d, message, exit_loc, steps, f"{helper.qualname}|{wg}|item-done-helper")
    if d.item_loop:
        verb = "skips the item with `continue`" if d.exit.kind == "jump" else "returns"
        why = branch_text(d.goroutine.facts, d.region, verb)
        message = (
            f"the goroutine started at line {d.go_op.line} calls `{wg}.Done()` once per item of its loop at line "
            f"{d.item_loop}, but {why} at line {d.exit.line} before it: that item is never counted down, and "
            f"`{d.starter.short}` waits forever in {wait_at}. Fix: call `{wg}.Done()` for every item taken "
            f"(before the `continue`, or in a deferred call per item)."
        )
        started, exited, skipped, key = (
            f"`{d.starter.short}` starts the goroutine counting items of `{wait.text}`",
            f"the goroutine {why} here, after taking an item",
            f"`{wg}.Done()` for that item, skipped",
            "item-done",
        )
    else:
        helper = E.selected_name(d.done.op.fn) != "Done"  # `c.finish()`, which calls `c.wg.Done()`
        why = branch_text(d.goroutine.facts, d.region, "panics" if d.panics else "returns")
        recovered = " (its deferred `recover()` swallows the panic)" if d.panics else ""
        waiter = (
            f"`{d.starter.short}` then waits forever in {wait_at}"
            if wait.fn is d.starter
            else f"`{wait.fn.short}` then waits forever in `{wait.text}.Wait()` at {wait.fn.file.path}:{wait.op.line}"
        )
        through = f" (through `{E.render(d.done.op.fn)}()` at line {d.done.op.line})" if helper else ""
        message = (
            f"the goroutine started at line {d.go_op.line} {why} at line {d.exit.line}{recovered} without calling "
            f"`{wg}.Done()`{through}: {waiter}. "
            + (
                f"Fix: call `{E.render(d.done.op.fn)}(...)` (or `{wg}.Done()`) on that path too, so every way out "
                "counts the goroutine down once."
                if helper
                else f"Fix: `defer {wg}.Done()` at the top of the goroutine."
            )
        )
        skipped_text = (
            f"`{E.render(d.done.op.fn)}()`, which calls `{wg}.Done()`, skipped on that path"
            if helper
            else f"`{wg}.Done()`, skipped on that path"
        )
        started, exited, skipped, key = (
            f"`{d.starter.short}` starts the goroutine counted by `{wait.text}`",
            f"the goroutine {why} at line {d.exit.line}",
            skipped_text,
            "done",
        )
    steps = (
        Step(op_location(d.starter, d.go_op), started),
        Step(exit_loc, exited),
        Step(op_location(d.goroutine, d.done.op), skipped),
    )
    return _done_skipped_finding(d, message, exit_loc, steps, f"{d.starter.qualname}|{wait.text}|{key}")


def _done_skipped_finding(d, message: str, exit_loc, steps: tuple, key: str) -> Finding:
    """The skipped-Done finding, its steps ending at the Wait left waiting."""
    wait = d.wait
    wait_loc = op_location(wait.fn, wait.op)
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, f"`{wait.text}.Wait()` left waiting"),),
        steps=(*steps, Step(wait_loc, f"`{wait.text}.Wait()` waits for a Done that never comes")),
        key=key,
    )


def _unstarted_add(u):
    """`wg.Add(1)` for a goroutine started only on one side of the `if` after it."""
    add, wait = u.add, u.wait
    facts = add.fn.facts
    cond = facts.regions[u.branch].info
    add_loc = op_location(add.fn, add.op)
    where = f"line {wait.op.line}" if wait.fn.file is add.fn.file else f"{wait.fn.file.path}:{wait.op.line}"
    message = (
        f"`{add.text}.Add(1)` at line {add.op.line} counts a goroutine that the `go` statement at line "
        f"{u.go_op.line} starts only when `{E.render(cond)}`; when it does not hold, no goroutine is started "
        f"and nothing calls `{add.text}.Done()` for that count, so `{wait.fn.short}` waits forever in "
        f"`{wait.text}.Wait()` at {where}. Fix: call `{add.text}.Add(1)` inside the `if`, right before the `go` "
        f"statement."
    )
    steps = (
        Step(add_loc, f"`{add.text}.Add(1)` counts a goroutine up front"),
        Step(op_location(add.fn, u.go_op), f"the goroutine, started only when `{E.render(cond)}`"),
        Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` waits for a Done that never comes"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=add_loc,
        severity=SEVERITY,
        related=(Related(op_location(add.fn, u.go_op), "the `go` statement on one side only"),),
        steps=steps,
        key=f"{add.fn.qualname}|{add.text}|add-unstarted",
    )


def _through(via, wait) -> str:
    """` (in `waitWorkers`, called at line 69)` when the starter waits in a method it calls."""
    if via is None:
        return ""
    return f" (in `{wait.fn.short}`, called at line {via.line})"


def _start_skipped(k):
    add, wait = k.add, k.wait
    add_text = k.count_text
    jump_loc = op_location(k.starter, k.jump)
    # the `go` statement, or a spawner's call running a literal on a goroutine (`u.Exec.Go(func() {...})`)
    start = "the `go` statement" if k.go_op.mode == "go" else f"`{E.render(k.go_op.fn)}`, which starts a goroutine,"
    before = "the `go` statement" if k.go_op.mode == "go" else f"`{E.render(k.go_op.fn)}`"
    message = (
        f"`{add.text}.Add({add_text})` at line {add.op.line} counts one goroutine per iteration of the loop at "
        f"line {k.loop_line}, but `{k.jump.mode}` at line {k.jump.line} skips {start} at line "
        f"{k.go_op.line}: `{k.starter.short}` then waits forever in `{wait.text}.Wait()` at line {wait.op.line}"
        f"{_through(k.via, wait)}. Fix: call `{add.text}.Add(1)` right before {before} instead."
    )
    called = (
        (Step(op_location(k.starter, k.via), f"`{k.starter.short}` calls `{wait.fn.short}`, which waits"),)
        if k.via is not None
        else ()
    )
    steps = (
        Step(op_location(add.fn, add.op), f"`{add.text}.Add({add_text})` counts every iteration up front"),
        Step(jump_loc, f"`{k.jump.mode}` skips this iteration's goroutine"),
        Step(op_location(k.starter, k.go_op), "the goroutine that would have called Done, never started"),
        *called,
        Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` waits for a Done that never comes"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=jump_loc,
        severity=SEVERITY,
        related=(Related(op_location(add.fn, add.op), f"`{add.text}.Add` counting the skipped goroutines"),),
        steps=steps,
        key=f"{k.starter.qualname}|{wait.text}|start",
    )


def _miscounted(m):
    add, wait = m.add, m.wait
    add_loc = op_location(add.fn, add.op)
    goroutines = "goroutine that calls" if m.started == 1 else "goroutines that call"
    lines = ", ".join(str(g.line) for g in m.go_ops)
    where = f"`go` at line{'s' if len(m.go_ops) > 1 else ''} {lines}"
    if m.direct:
        calls = ", ".join(str(c.line) for c in m.direct)
        where += f"; a direct call at line{'s' if len(m.direct) > 1 else ''} {calls}"
        reaches = f"reaches `{add.text}.Done()` only {m.started} times ({where})"
    else:
        reaches = f"starts only {m.started} {goroutines} `{add.text}.Done()` ({where})"
    message = (
        f"`{add.text}.Add({m.added})` at line {add.op.line} counts {m.added} goroutines, but `{m.starter.short}` "
        f"{reaches}: the counter never reaches zero and `{wait.text}.Wait()` "
        f"at line {wait.op.line} waits forever. Fix: `{add.text}.Add(1)` right before each `go` statement."
    )
    steps = (
        Step(add_loc, f"`{add.text}.Add({m.added})` counts {m.added} goroutines up front"),
        *(Step(op_location(m.starter, g), "starts a goroutine that calls Done once") for g in m.go_ops),
        *(Step(op_location(m.starter, c), "calls Done once, on its own goroutine") for c in m.direct),
        Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` waits for {m.added - m.started} more Done"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=add_loc,
        severity=SEVERITY,
        related=(Related(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` left waiting"),),
        steps=steps,
        key=f"{m.starter.qualname}|{wait.text}|count",
    )


def _uncounted(u):
    done, wait = u.done, u.wait
    go_loc = op_location(u.starter, u.go_op)
    counted = f"{u.added}" if u.added else "nothing"
    message = (
        f"the goroutine started at line {u.go_op.line} calls `{done.text}.Done()` (line {done.op.line}), but "
        f"`{u.starter.short}`'s `Add` calls before it count {counted} for {u.started} goroutines: its `Done` "
        f"can drive the counter negative (a panic) or let `{wait.text}.Wait()` at line {wait.op.line} return "
        f"while it still runs. Fix: `{done.text}.Add(1)` right before this `go` statement."
    )
    steps = (
        Step(go_loc, "starts a goroutine no `Add` counted"),
        Step(op_location(done.fn, done.op), "its `Done`, one more than the Adds"),
        Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` may return before it"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=go_loc,
        severity=SEVERITY,
        related=(Related(op_location(done.fn, done.op), "the Done nothing added for"),),
        steps=steps,
        key=f"{u.starter.qualname}|{wait.text}|uncounted",
    )


def _start_condition(r) -> str:
    """ "only when `s.running`": the branch of the wrapper around its `go`."""
    reg = r.wrapper.facts.regions[r.branch]
    if reg.kind == "if" and reg.info is not None:
        return f"only when `{E.render(reg.info)}`"
    if reg.kind == "else" and reg.info is not None:
        return f"only when `{E.render(reg.info)}` is false"
    return f"only on one branch (line {reg.line})"


def _refused_start(r):
    add, done, wait, w = r.add, r.done, r.wait, r.wrapper
    loc = op_location(add.fn, r.call)
    callee = E.render(r.call.fn)
    where = f" in `{wait.fn.short}`" if wait.fn is not add.fn else ""
    check = (
        f"check what `{callee}` returns and call `{done.text}.Done()` when it did not start the function"
        if r.checked
        else f"have `{w.short}` report whether it started the function, and call `{done.text}.Done()` when it did not"
    )
    message = (
        f"`{add.text}.Add` at line {add.op.line} counts the function handed to `{callee}` here, but "
        f"`{w.short}` starts it {_start_condition(r)} (line {r.go_op.line}) and otherwise returns without "
        f"running it: its `{done.text}.Done()` (line {done.op.line}) never comes, and `{wait.text}.Wait()`{where} "
        f"at line {wait.op.line} waits forever. Fix: {check}."
    )
    steps = (
        Step(op_location(add.fn, add.op), f"`{add.text}.Add` counts the function about to be started"),
        Step(loc, f"hands it to `{w.short}`"),
        Step(op_location(w, r.go_op), "started only on this branch; on the other the function never runs"),
        Step(op_location(done.fn, done.op), "the `Done` that would release the count"),
        Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` waits for it"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(w, r.go_op), "the wrapper's conditional `go`"),),
        steps=steps,
        key=f"{add.fn.qualname}|{add.text}|refused-start",
    )


def _nested_limited(n):
    limit, outer, inner = n.limit, n.outer, n.inner
    loc = op_location(inner.fn, inner.op)
    message = (
        f"`{inner.text}.Go` at line {inner.op.line} runs inside a function that `{outer.text}.Go` (line "
        f"{outer.op.line}) started on the same group, which `{limit.text}.SetLimit` (line {limit.op.line}) "
        f"limits: `Go` waits for a free slot, and once every slot runs a function waiting here, none is ever "
        f"freed. Fix: use `{inner.text}.TryGo` and handle a full group, start the inner work on another group, "
        f"or collect it and start it after the outer functions return."
    )
    steps = (
        Step(op_location(limit.fn, limit.op), f"`{limit.text}.SetLimit` bounds the running functions"),
        Step(op_location(outer.fn, outer.op), "each of these functions holds a slot"),
        Step(loc, "and waits here for another slot of the same group"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(limit.fn, limit.op), "the limit"),),
        steps=steps,
        key=f"{inner.fn.qualname}|{inner.text}|nested-go",
    )


def _self_wait(s):
    wait, done = s.wait, s.done
    loc = op_location(wait.fn, wait.op)
    how = "deferred" if done.op.mode == "defer" else f"after it, at line {done.op.line}"
    where = f"line {wait.op.line}"
    through = ""
    if s.via:  # reached through calls from the goroutine
        where = f"{loc.path}:{wait.op.line}"
        calls = [f"`{E.render(op.fn)}` ({op_location(fn, op).path}:{op.line})" for fn, op in s.via]
        through = f", reached through {' then '.join(calls)}"
    message = (
        f"`{wait.text}.Wait()` at {where} runs inside a goroutine that `{s.add.text}` counts "
        f"(`{s.add.text}.Add` at line {s.add.op.line}, started at line {s.go_op.line}; its `Done` is {how})"
        f"{through}: it waits for its own `Done`, so the counter never reaches zero and every Wait on the "
        f"group hangs. Fix: wait once, outside the counted goroutines."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(done.fn, done.op), f"the goroutine's own `{done.text}.Done()`"),),
        steps=(
            Step(op_location(s.add.fn, s.add.op), f"`{s.add.text}.Add` counts the goroutine"),
            Step(op_location(s.starter, s.go_op), "starts it"),
            *(Step(op_location(fn, op), f"calls `{E.render(op.fn)}`") for fn, op in s.via),
            Step(loc, "the goroutine waits on the group that still counts it"),
            Step(op_location(done.fn, done.op), "its `Done`, which only runs after that Wait"),
        ),
        key=f"{wait.fn.qualname}|{wait.text}|self-wait",
    )


def _group_self_wait(s):
    wait, go = s.wait, s.go
    loc = op_location(wait.fn, wait.op)
    message = (
        f"`{wait.text}.Wait()` at line {wait.op.line} runs inside a function `{go.text}.Go` runs (line "
        f"{go.op.line}): `Wait` returns only when every function of the group has returned, this one "
        f"included, so it waits for itself and the group never finishes. Fix: return the error instead, "
        f"and wait once, outside the group's functions."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(go.fn, go.op), f"`{go.text}.Go` runs the function holding this Wait"),),
        steps=(
            Step(op_location(go.fn, go.op), f"`{go.text}.Go` runs the function and counts it"),
            Step(loc, "the function waits on the group that still counts it"),
        ),
        key=f"{wait.fn.qualname}|{wait.text}|group-self-wait",
    )


def _copied(c):
    call, wait = c.call, c.wait
    loc = op_location(call.fn, call.op)
    if c.holder == "parameter":
        why = f"`{call.fn.short}` takes `{c.declared}` by value"
        fix = f"take `*sync.WaitGroup` and pass `&{wait.text}`"
    else:
        why = f"`{call.fn.short}` has a value receiver (`{c.declared}`), so `{call.text}` is a copy of the group"
        fix = "give the method a pointer receiver"
    done = c.done_too
    if done is not None:
        # Add and Done both on the copy: it balances, the original never counts up, and Wait does not wait.
        message = (
            f"{why}: its `{call.text}.Add()` at line {call.op.line} and the `{done.text}.Done()` at line "
            f"{done.op.line} in `{done.fn.short}` count on the copy, so `{wait.text}.Wait()` at line "
            f"{wait.op.line} in `{wait.fn.short}` returns at once instead of waiting for that goroutine. Fix: {fix}."
        )
        steps = (
            Step(loc, f"`{call.text}.Add()` on a copy"),
            Step(op_location(done.fn, done.op), f"`{done.text}.Done()` on the same copy"),
            Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` on the original, which nothing counted"),
        )
    else:
        message = (
            f"{why}: its `{call.text}.{call.method}()` at line {call.op.line} counts on the copy, and "
            f"`{wait.text}.Wait()` at line {wait.op.line} in `{wait.fn.short}` waits on the original, which never "
            f"gets back to zero. Fix: {fix}."
        )
        steps = (
            Step(loc, f"`{call.text}.{call.method}()` on a copy"),
            Step(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` waits for a Done that goes to the copy"),
        )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(wait.fn, wait.op), f"`{wait.text}.Wait()` on the original group"),),
        steps=steps,
        key=f"{call.fn.qualname}|{call.text}|copied",
    )


def _cond_wait(c):
    call = c.call
    label = call.text
    loc = op_location(call.fn, call.op)
    if c.unsignalled:
        message = (
            f"`{label}.Wait()` in `{call.fn.short}` can never wake up: nothing calls `{label}.Signal()` "
            f"or `{label}.Broadcast()`. Fix: signal where the condition changes, or use a channel."
        )
        step = f"waits on `{label}`, which nothing signals or broadcasts"
        key = "unsignalled"
    elif c.unguarded:
        message = (
            f"`{label}.Wait()` in `{call.fn.short}` waits without checking any condition first: a `Broadcast` "
            f"that came before the wait is missed, and the wait then sleeps forever. Fix: keep the state the "
            f"broadcast announces and wait for it in a loop under the lock: `for !condition {{ {label}.Wait() }}`."
        )
        step = f"waits on `{label}` without checking whether the broadcast already came"
        key = "unlooped"
    elif c.locked_after_check is not None:
        lock = c.locked_after_check
        message = (
            f"`{label}.Wait()` in `{call.fn.short}` waits once, under `{E.render(lock.fn)}()` at line {lock.line}, "
            f"taken only after the `if` around it checked the condition: a `Broadcast` between that check "
            f"and the lock is missed, and the wait then sleeps forever. Fix: take the lock first and check "
            f"in a loop under it: `for !condition {{ {label}.Wait() }}`."
        )
        step = f"waits on `{label}` after locking past an unlocked check of the condition"
        key = "unlooped"
    else:
        message = (
            f"`{label}.Wait()` in `{call.fn.short}` is not in a loop: it can return while the condition "
            f"is still false (another waiter got there first). Fix: `for !condition {{ {label}.Wait() }}`."
        )
        step = f"waits on `{label}` once and goes on without re-checking the condition"
        key = "unlooped"
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        steps=(Step(loc, step),),
        key=f"{call.fn.qualname}|{label}|{key}",
    )


def _unwoken_flag(u) -> Finding:
    """A flag that ends a Cond.Wait loop, set with no Signal/Broadcast around it."""
    set_loc = op_location(u.setter, u.assign)
    wait_loc = op_location(u.waiter, u.wait)
    leaves = f" and leaving it when the `if` at line {u.checked_at} sees `{u.flag}`" if u.checked_at else ""
    if u.completed_instead is not None:
        return _completed_instead(u, wait_loc)
    if u.returned is not None:
        return _freed_unwoken(u, set_loc, wait_loc)
    if u.value in ("-", "+"):
        return _moved_counter_unwoken(u, set_loc, wait_loc)
    if u.signal_only is not None:
        signal_loc = op_location(u.setter, u.signal_only)
        message = (
            f"`{u.setter.short}` sets `{u.flag} = {u.value}` at line {u.assign.line}, which ends the wait of every "
            f"goroutine in `{u.waiter.short}` (`{u.cond}.Wait()` at line {u.wait.line}, looping while "
            f"`{u.condition}`{leaves}), but wakes them with `{E.render(u.signal_only.fn)}()` at line "
            f"{u.signal_only.line}, which wakes one: several goroutines run `{u.waiter.short}`, and the others "
            f"sleep on forever. Fix: `{u.cond}.Broadcast()` instead, so every waiter sees `{u.flag}`."
        )
        one = (
            Step(wait_loc, f"goroutines wait in `{u.waiter.short}` while `{u.condition}` (loop at line {u.loop_line})"),
            Step(set_loc, f"`{u.setter.short}` makes that condition false for all of them"),
            Step(signal_loc, "and wakes only one"),
        )
        return Finding(
            rule_id=ID,
            message=message,
            location=signal_loc,
            severity=SEVERITY,
            related=(Related(wait_loc, "the wait this flag should end"), Related(set_loc, "the flag is set here")),
            steps=one,
            key=f"{u.setter.qualname}|{u.flag}|signals-one",
        )
    message = (
        f"`{u.setter.short}` sets `{u.flag} = {u.value}` at line {u.assign.line}, which ends the wait of "
        f"`{u.waiter.short}` (`{u.cond}.Wait()` at line {u.wait.line}, {_looping(u)}{leaves}), but "
        f"nothing signals `{u.cond}` after it: a goroutine already waiting is not woken and sleeps on, "
        f"forever if no other signal comes. Fix: `{u.cond}.Broadcast()` right after setting `{u.flag}`."
    )
    if u.value == "append":
        sibling = f"`{u.appender.short}` does" if u.appender is not None else "the other functions appending to it do"
        after = f", as {sibling}"
        if u.appender is None and u.filled_while_waiting is not None:
            caller, go, call = u.filled_while_waiting
            where = "line" if caller.file.path == u.setter.file.path else f"{caller.file.path}:"
            sep = " " if where == "line" else ""
            after = (
                f", though `{caller.short}` starts a goroutine waiting there ({where}{sep}{go.line}) before it "
                f"calls `{u.setter.short}` ({where}{sep}{call.line})"
            )
        message = (
            f"`{u.setter.short}` appends to `{u.flag}` at line {u.assign.line}, which ends the wait of "
            f"`{u.waiter.short}` (`{u.cond}.Wait()` at line {u.wait.line}, {_looping(u)}{leaves}), "
            f"but nothing signals `{u.cond}` after it{after}: a goroutine "
            f"already waiting is not woken and sleeps on, forever if no other signal comes. Fix: "
            f"`{u.cond}.Broadcast()` (or one `Signal()` per value) after appending."
        )
    decided = f"`if` at line {u.loop_line}" if u.guard == "if" else f"loop at line {u.loop_line}"
    steps = (
        Step(wait_loc, f"`{u.waiter.short}` waits {_until(u)} ({decided})"),
        Step(set_loc, f"`{u.setter.short}` makes that condition false, and signals nobody"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=set_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the wait this flag should end"),),
        steps=steps,
        key=f"{u.setter.qualname}|{u.flag}|unwoken-flag",
    )


def _abandoned_waiters(a) -> Finding:
    """The only signalling function returns before its signal on a failure, and its one caller stops."""
    wait_loc = op_location(a.waiter, a.wait)
    b, d = a.broadcaster, a.driver
    message = (
        f"`{a.waiter.short}` waits in `{a.cond}.Wait()` at line {a.wait.line} for a signal only "
        f"`{b.short}` sends (line {a.signal.line}), but `{b.short}` returns before it at "
        f"{b.file.path}:{a.skip.line} on a failure, and its only caller `{d.short}` then stops "
        f"(the return at line {a.leaves.line}): nothing signals `{a.cond}` again, and every goroutine "
        f"waiting there sleeps forever. Fix: signal on the failure path too (`{a.cond}.Broadcast()` "
        "after recording the error), and have the waiters' loop test that error."
    )
    steps = (
        Step(wait_loc, f"`{a.waiter.short}` waits for a signal"),
        Step(op_location(b, a.skip), f"`{b.short}` returns here, before its signal"),
        Step(op_location(d, a.leaves), f"`{d.short}` stops calling `{b.short}` once it failed"),
        Step(op_location(b, a.signal), "the only signal, never reached again"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(op_location(b, a.skip), "returns before the signal"),),
        steps=steps,
        key=f"{a.waiter.qualname}|{a.cond}|abandoned",
    )


def _looping(u) -> str:
    """How the wait loop goes on: its condition, or, for `for { ... }`, only its body's tests."""
    if u.guard == "if":
        return f"entered when `{u.condition}`"
    if u.condition:
        return f"looping while `{u.condition}`"
    if u.checked_at and u.checked_text and u.value == "":  # the freed shape names the test it ends
        return f"in an endless loop it leaves when `{u.checked_text}` (the `if` at line {u.checked_at})"
    return "in an endless loop"


def _until(u) -> str:
    if u.guard == "if":
        return f"once, when `{u.condition}`"
    return f"while `{u.condition}`" if u.condition else "in an endless loop"


def _completed_instead(u, wait_loc: Location) -> Finding:
    """A sibling completes the value without the flag that ends the wait, called instead of the setter."""
    caller, call, setter_call, setter = u.completed_instead
    call_loc = op_location(caller, call)
    setter_loc = op_location(caller, setter_call)
    message = (
        f"`{caller.short}` calls `{E.render(call.fn)}` at line {call.line} instead of "
        f"`{E.render(setter_call.fn)}` (line {setter_call.line}), but `{u.setter.short}` neither sets "
        f"`{u.flag} = {u.value}` nor signals `{u.cond}`, as `{setter.short}` does: a goroutine in "
        f"`{u.waiter.short}` (`{u.cond}.Wait()` at line {u.wait.line}, looping while `{u.condition}`) waits "
        f"for that value forever. Fix: set `{u.flag} = {u.value}` in `{u.setter.short}` too and "
        f"`{u.cond}.Broadcast()` after it (or complete through `{setter.short}`)."
    )
    steps = (
        Step(wait_loc, f"`{u.waiter.short}` waits while `{u.condition}` (loop at line {u.loop_line})"),
        Step(setter_loc, f"`{setter.short}` would set `{u.flag}` and wake it"),
        Step(call_loc, f"on this path `{u.setter.short}` runs instead, and wakes nobody"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=call_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the wait that never ends on this path"),),
        steps=steps,
        key=f"{u.setter.qualname}|{u.flag}|completed-instead",
    )


def _moved_counter_unwoken(u, set_loc: Location, wait_loc: Location) -> Finding:
    """A counter a Cond.Wait loop tests (`if p.open < p.max { ... return }`), moved towards the end of
    the wait by a method that signals nobody (a pool's `Discard` freeing a slot)."""
    moved = "lowers" if u.value == "-" else "raises"
    if u.checked_at:
        test = f"`{u.checked_text}` (the `if` at line {u.checked_at})"
    else:
        test = f"the loop's condition `{u.condition}` false"
    looping = _looping(u)
    message = (
        f"`{u.setter.short}` {moved} `{u.flag}` at line {u.assign.line}, which can make {test} end the wait of "
        f"`{u.waiter.short}` (`{u.cond}.Wait()` at line {u.wait.line}, {looping} at line {u.loop_line}), but "
        f"nothing signals `{u.cond}` after it: a goroutine already waiting is not woken and sleeps on, forever "
        f"if no other signal comes. Fix: `{u.cond}.Signal()` (or `Broadcast()`) after changing `{u.flag}`."
    )
    steps = (
        Step(wait_loc, f"`{u.waiter.short}` waits until {test} lets it leave"),
        Step(set_loc, f"`{u.setter.short}` {moved} `{u.flag}`, and signals nobody"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=set_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the wait this change can end"),),
        steps=steps,
        key=f"{u.setter.qualname}|{u.flag}|unwoken-counter",
    )


def _freed_unwoken(u, set_loc: Location, wait_loc: Location) -> Finding:
    """A counter or collection a Cond.Wait loop reads, changed on a path that returns before the signal."""
    ret = u.returned
    ret_loc = op_location(u.setter, ret)
    changed = E.render(u.assign.targets[0])
    message = (
        f"`{u.setter.short}` changes `{changed}` at line {u.assign.line}, which can end the wait of "
        f"`{u.waiter.short}` (`{u.cond}.Wait()` at line {u.wait.line}, {_looping(u)}), then "
        f"returns at line {ret.line} before its `{u.cond}` signal: on that path a goroutine already waiting is "
        f"not woken and sleeps on, forever if no other signal comes. Fix: signal `{u.cond}` before that return "
        f"too (or `defer {u.cond}.Signal()`)."
    )
    steps = (
        Step(wait_loc, f"`{u.waiter.short}` waits {_until(u)} (loop at line {u.loop_line})"),
        Step(set_loc, f"`{u.setter.short}` changes `{changed}`: the condition may now be false"),
        Step(ret_loc, "and returns without signalling"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=set_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the wait this change should end"), Related(ret_loc, "returns unsignalled")),
        steps=steps,
        key=f"{u.setter.qualname}|{changed}|freed-unwoken",
    )


def _raced_signal(e: EarlySignal) -> Finding:
    """A Wait with no condition check, called right after starting the goroutine that signals."""
    w, s = e.wait, e.signals[0]
    assert e.waiter_call is not None
    wait_loc = op_location(w.fn, w.op)
    go_loc = op_location(e.starter, e.go_op)
    caller = e.waiter_caller or e.starter
    call_loc = op_location(caller, e.waiter_call)
    who = "it" if caller is e.starter else f"`{caller.short}`"
    signal_loc = op_location(s.fn, s.op)
    at = f"line {s.op.line}" if signal_loc.path == wait_loc.path else f"{signal_loc.path}:{s.op.line}"
    message = (
        f"`{w.text}.Wait()` in `{w.fn.short}` checks no condition, and its only wake-up, `{s.text}.{s.method}()` "
        f"at {at}, runs on the goroutine `{e.starter.short}` starts at line "
        f"{e.go_op.line}, before {who} calls `{w.fn.short}` at line {e.waiter_call.line}: when the goroutine "
        f"signals first, no one is waiting yet, the signal is lost and the Wait never returns. Fix: set a state "
        f"under the Cond's lock before signalling and wait only while it is unset (`for !ready {{ "
        f"{w.text}.Wait() }}`)."
    )
    steps = (
        Step(go_loc, f"`{e.starter.short}` starts the goroutine that signals"),
        Step(signal_loc, f"`{s.text}.{s.method}()` may run now, while no one waits"),
        Step(call_loc, f"`{caller.short}` calls `{w.fn.short}` after it"),
        Step(wait_loc, f"`{w.text}.Wait()` waits for a signal that may already be gone"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(signal_loc, "the only wake-up, racing the Wait"),),
        steps=steps,
        key=f"{w.fn.qualname}|{w.text}|raced-signal",
    )


def _early_signal(e: EarlySignal) -> Finding:
    if e.waiter_call is not None:
        return _raced_signal(e)
    w, s = e.wait, e.signals[0]
    wait_loc = op_location(w.fn, w.op)
    go_loc = op_location(e.starter, e.go_op)
    kinds = sorted({x.method for x in e.signals})
    more = "" if len(e.signals) == 1 else f" (and {len(e.signals) - 1} more, all before it)"
    message = (
        f"`{w.text}.Wait()` in the goroutine `{w.fn.short}` waits for a wake-up that was already sent: every "
        f"`{'`/`'.join(kinds)}` of `{w.text}` is `{e.starter.short}`'s, before it starts the goroutine at line "
        f"{e.go_op.line} (`{s.text}.{s.method}()` at line {s.op.line}{more}), and a signal wakes only goroutines "
        f"already waiting: the goroutine waits forever. Fix: set a state under the Cond's lock with the signal "
        f"and wait only while it is unset (`for !ready {{ {w.text}.Wait() }}`), or signal after the goroutine "
        f"is waiting."
    )
    steps = (
        Step(op_location(s.fn, s.op), f"`{s.text}.{s.method}()` wakes nobody: no goroutine waits yet"),
        Step(go_loc, f"`{e.starter.short}` starts the waiting goroutine only now"),
        Step(wait_loc, f"`{w.text}.Wait()` waits for a signal that never comes again"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(op_location(s.fn, s.op), "the only wake-up, sent before the goroutine starts"),),
        steps=steps,
        key=f"{w.fn.qualname}|{w.text}|early-signal",
    )
