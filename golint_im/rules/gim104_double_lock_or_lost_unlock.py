r"""GIM104 double-lock-or-lost-unlock: a mutex locked again while held, or a return that keeps it locked.

## What it does
Follows each function's `Lock`/`Unlock` (and `RLock`/`RUnlock`) calls along
its branches, and through the calls it makes, and reports:

- **a double lock**: the same mutex of the same value locked again while
  held, directly or in a function called while it is held (`s.mu` locked in
  one method that calls another method on the same receiver `s` that locks
  `s.mu` too), or locked by a method that holds its receiver's mutex and
  locks a parameter's of the same type, called with the same value for both
  (`s.AddUnlessFull(1, s)`, the parameter an interface the call resolves to
  the same method set), or in the function a `sync.Once`'s `Do` runs
  (`o.Do(s.load)` under `s.mu`, `load` taking `s.mu`: the first call
  deadlocks). `sync.Mutex` is not reentrant: the goroutine waits
  for itself. A recursive `RLock` is reported too when something write-locks
  the same mutex: it deadlocks as soon as that writer queues between the two
  read locks. A printing call counts as the call it makes: `fmt.Sprintf("%v",
  s)`, `log.Printf("%s", s)` or `fmt.Errorf("%w", e)` under `s.mu` runs
  `s.String()` (or `e.Error()`), which may lock the same mutex. A field of
  an anonymous struct type that embeds the mutex first (`logging struct {
  sync.RWMutex; ... }`) is a mutex of its own (`s.logging.Lock()`). A
  deferred call that locks the mutex, deferred after its `defer
  mu.Unlock()`, is a double lock too: defers run last in, first out, so it
  runs at the exit before the unlock. So is `defer mu.Lock()` written where
  `defer mu.Unlock()` was meant: the mutex is held when the call is
  deferred and nothing releases it before the function returns (`mu.Unlock();
  defer mu.Lock()`, handing the lock back to a caller, does not hold it).
- **an unlock deferred inside a loop**: the body takes a write lock and
  `defer`s its `Unlock`; the deferred call runs when the function returns,
  so the next iteration locks the same mutex again while it is held (only
  the same instance on every iteration: `it.mu` of a ranged `it` is not);
  the same in a `select` case of the loop that does not leave it (`case
  <-tick: d.Lock(); defer d.Unlock()`).
- **a return before a later `defer`**: `mu.Lock()`, an early `return`,
  then `mu.Unlock(); ...; mu.Lock(); defer mu.Unlock()`: the defer written
  after the return does not run on it.
- **a lost unlock**: a `Lock` with no `defer`ed `Unlock`, released on some
  paths but still held on another `return`, or on a `break` out of the
  endless loop that ends the function (a goroutine's `for { select }`).
  The `Lock` may be a helper's: `tx := l.begin()`, where `begin` locks
  `l.mu` unconditionally and returns `&txn{l: l}` holding it, and
  `tx.commit()`/`tx.rollback()` unlock `t.l.mu`, which is `l.mu` (a lock
  the helper makes itself, such as a per-key mutex looked up in a map, is
  not followed).
- **a deferred unlock of the wrong mutex**: `s.seenMu.Lock()` followed at
  once by `defer s.mu.Unlock()`, a sibling field of the same holder that
  the function never locks, or `mu.RLock()` followed by `defer
  mu.Unlock()`; nothing in the function releases what it locked. Also a
  plain release of the other mode later in the lock's own block, before
  any `return` (`c.mu.Lock(); c.clients[k] = v; c.mu.RUnlock()`), when the
  function releases that mutex nowhere in the lock's mode.
- **a lock kept across `continue`**: a loop body that locks at its top
  level and unlocks on its normal path, but reaches `continue` still
  holding the lock; the next iteration locks it again and the goroutine
  waits for itself. When each iteration locks another value (`for _, s :=
  range sets { s.mu.RLock(); if empty { continue } ... }`), the value the
  `continue` leaves stays locked for good: reported when some other
  function write-locks that mutex declaration (any lock, for a write lock
  left held), naming that function, which then waits forever.
- **a lost unlock on a recovered panic**: a `Lock` with no `defer`ed
  `Unlock`, released on some path but still held at an explicit `panic(...)`
  (or a call of a function of the tree that panics itself, without a deferred
  call of its own, and not on a condition on its own receiver, or a call of a
  function value the caller supplied: a plugin's factory, a transport, or a handler
  taken from a table or field where other code registered it, `h := d.handlers[name]`),
  in a function
  whose panic is recovered: it defers a `recover()` (one that
  does not panic again with what it recovered), or a function calling it
  does (a few calls up, in the same goroutine), or it is (or is called by) a
  `net/http` handler, whose panics the server recovers. A panic in code
  outside test files is recovered only by code outside them: a test that
  recovers it to assert the panic drops what it broke.

A mutex is known by where it is declared (a field of a type, embedded
`sync.Mutex` included, a package variable or a local) and by the value it
belongs to: `a.mu` and `b.mu` of two values of one type are two mutexes.

A channel with a buffer of one used as a mutex (`s.gate <- struct{}{}` to
take it, `<-s.gate` to give it back, often in `lock`/`unlock` helpers) is a
lock too: sent on again while its holder still holds it, through calls, the
second send waits for a receive only that goroutine would make after it. So
is one filled once where it is made, whose receive takes the token and whose
send gives it back (`<-w.comms` ... `w.comms <- struct{}{}`).

A channel used as a semaphore (`sem <- struct{}{}` to acquire, `<-sem` to
release, a constant buffer, no consumer) whose release a `return` after the
acquire skips: each such return keeps a slot, like a lost unlock. Also one
taken through a helper that returns its release function (`release :=
l.Acquire()`, the helper's only sends on its straight line, its receives in
the literal it returns), when a `return` of the caller skips every plain
`release()` and the caller never defers, returns, stores or passes it.

A `sync.Once.Do(f)` whose `f` reaches `Do` on the same Once (through the
functions and method values it holds and the methods it calls on the same
instance, also as an argument the callee calls back on, `src.Load(s)` whose
`Load` calls `l.Get(...)`, or on a package-level Once from anywhere): `Do` holds the Once's
lock while `f` runs, so the inner `Do` waits for the outer forever.

An element of the receiver's collection whose field points back at its
keeper (every write of that field gives it the receiver of a method of the
keeper's type that stores what it built in its own field: `s :=
&Subscription{hub: h}; h.subs[id] = s`) locks the keeper's mutex through
it. A callback stored in a field of the receiver, handed to the call that
built that very value (`first = hub.Subscribe(p, func(m) {
first.Cancel() })`), is followed as the receiver's own. A method value
handed to a library function that runs it before returning (`os.Expand(s,
c.lookup)`, `sort.Slice`, `strings.Map`...) is walked as a call there. A
lock under `if atomic.CompareAndSwapInt32(&s.closed, 0, 1)` (or a `sync/atomic`
type's method) is taken for sure: it tests the value's own state.

An observer built over the value it is registered on (`r :=
newReporter("audit", c); c.Watch(r.dropped)`, the constructor keeping `c`
in a field) and called back under that value's lock locks the value again
through that field. Registrations of values of other types in the same
table (`b.Subscribe("audit", l)` with `l` a logger that locks nothing) do
not hide it: they register other implementations.

## Why is this bad
A double lock hangs the goroutine forever, with every goroutine that then
wants the same mutex: a request handler, a cache, a whole server. A lost
unlock does the same one call later, far from the return that forgot it.
Both hide on the rare path (a cache miss, an error return) that tests do not
take.

## Example
```go
func (s *Store) Len() int {
    s.mu.Lock()
    defer s.mu.Unlock()
    return len(s.items)
}

func (s *Store) Add(k string) {
    s.mu.Lock()
    defer s.mu.Unlock()
    if s.Len() > 100 { // Len locks s.mu again: deadlock
        return
    }
    s.items[k] = true
}

func (s *Store) Get(k string) (int, error) {
    s.mu.Lock()
    v, ok := s.items[k]
    if !ok {
        return 0, errMissing // s.mu stays locked
    }
    s.mu.Unlock()
    return v, nil
}

func (s *Store) MustPut(k string) { // the server recovers a handler's panic
    s.mu.Lock()
    if _, dup := s.items[k]; dup {
        panic("duplicate " + k) // s.mu stays locked after the recovery
    }
    s.items[k] = true
    s.mu.Unlock()
}

func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
    s.MustPut(r.URL.Path)
}
```

## Fix
For a double lock, split the callee into a locked wrapper and an unlocked
body (`lenLocked`) and call the body while holding the lock, or release the
lock before the call. For a lost unlock, write `defer s.mu.Unlock()` right
after the `Lock`, or unlock before every `return` (and every `panic`).

## Known limits
- A printing call is read for `fmt`'s and `log`'s package functions whose
  format is a constant: an operand printed with `%v`, `%s`, `%q`, `%x`,
  `%X` or `%w` (not `%#v`), or by `Print`/`Println`/`Sprint`, whose type
  declares `Error` or `String` in its method set (a pointer receiver needs
  a pointer). Formats built at run time, explicit argument indexes
  (`%[2]v`), `*` widths, `Formatter` types, loggers' methods and values
  held in interfaces are not followed.
- A lost unlock on a return under `if err != nil`, where err comes from a
  call resolved only to functions of the tree (not through an interface)
  that return a literal `nil` as their error on every path, is not
  reported: that exit is not a path today
  (`GIM104_lost_unlocks_on_errors_never_returned`).
- A return that hands back the value whose mutex is held (`e.mu.Lock();
  return e`, or through a copy `gate := e.runMu; gate.Lock(); ...; return
  e, true`), or that hands back the mutex's own unlock (`return
  s.mu.Unlock, nil`), is not a lost unlock: returning an object locked
  hands the unlock to the caller on purpose. Whether every caller unlocks
  it is not checked. Nor is a lock of the receiver left held by a method
  every call of which is on a value just made and never kept
  (`newFrameReader(r).next()`, `(&T{}).read()`, with the constructor
  returning a composite literal on every path): nothing locks that instance
  again (`GIM104_lost_unlocks_on_throwaway_receivers`).
- Calls are followed when they resolve to one function (interfaces with one
  implementation included, function values in a field or a slice field);
  wider interface calls are not, and recursive calls are read as touching
  no lock (`--debug` counts both as `GIM10x_*`). One exception: of a wider
  interface call's implementations, the only one that takes a lock is
  followed when every lock it takes ties back to the caller's receiver by a
  registration on that value (below), as an observer built over the store
  and handed to its `Watch` is (`GIM10x_wide_calls_to_a_registered_implementation`).
- Through a function value or an interface the value whose lock the callee
  takes is unknown (but an interface field every write of which is its own
  holder, `s.store = s`, is that holder); it is taken to be the caller's receiver only when the
  code registered it on that very value: a closure handed to a method of
  `v` that locks through `v` (`r.Register(func() { r.Count() })`), or an
  implementation built with a field holding `v` and stored into `v`
  (`s.obs = append(s.obs, &printer{s: s})`), a closure stored in a field
  of `v` that locks through `v` (`s.onSet = func(k string) { s.Len() }`,
  also when called under its own nil check, `if s.onSet != nil`, and when
  `v` is reached through fields, `ts.cache.OnEvict = func(...) {
  ts.cache.Len() }`), a method value of an owner given to `v`'s constructor
  whose result the owner keeps in the field the method locks through (`t.cache
  = cache.New(n, t.onEvict)`, `onEvict` calling `t.cache.Len()`),
  or a parameter `f` that every caller fills with a method value of the
  value it calls the method on (`s.report(s.size)`), `v` of the caller's
  receiver type (`--debug`: `GIM10x_locks_tied_through_registration`). A callback
  registered on another value (a parent of the same type) stays silent, and
  so does one registered in any other way (a constructor argument kept
  elsewhere, a channel).
- A lock helper that returns its own unlocker (`unlock := b.lockAndGetUnlock();
  defer unlock()`, or `unlock` handed down to a `...LockedOnEntry` method
  as a named function type) is followed: calling the unlocker releases the
  mutex it took. Which value's mutex that is, the caller cannot tell, so it
  releases any held mutex of that field (quieter, never louder). So is a
  helper whose every return hands back its mutex's `Unlock` method value,
  alone or beside other results (`now, unlock := r.lockNow(); defer
  unlock()`), and a
  helper that returns a guard holding the unlock in a func field (`g :=
  o.Lock(why); defer g.Unlock()`, where the guard's method calls that
  field); a guard method that does not call it releases nothing.
- An `Unlock` method value handed to a callee of the tree that calls that
  parameter (a home-made once: `defer once.Do(s.mu.Unlock)`), or to
  `sync.Once.Do`, counts as released; handed to one that only stores it,
  it does not.
- A lock a callee takes only inside one of its branches whose condition may
  follow the caller's locking (a flag, `if needLock { mu.Lock() }` or `if
  !c.locked`, a nil check for lazy set-up, a call's result, a `switch` or
  `select` case)
  counts as uncertain for its callers, and is not reported as a double lock
  there; the same call in the caller's own branch is. A branch on the
  receiver's state, a local or a computed value (`if len(s.data) > 1 {
  s.flush() }`, `if k%2 == 1 { s.Remove(k) }`) does not make it uncertain.
- Paths are the function's branches, loops and `select`/`switch` cases;
  conditions are not evaluated, so a lock taken and released under the same
  condition in two places is followed as if both branches could differ
  (the join keeps only what every path holds, which keeps it quiet).
  Functions with `goto` are not judged for lost unlocks.
- A function that returns holding the lock on every path (a `lock()`
  helper), or whose caller unlocks after calling it, is taken to hand the
  lock over and is not a lost unlock. A `panic` path is followed only to an
  explicit `panic(...)` call, and reported only with evidence that the panic
  is recovered (without it the process dies with the lock; `--debug` counts
  `GIM104_panics_not_seen_recovered`). Panics from a runtime error (a nil
  map, an index out of range) are not followed, nor panics of a function
  called further down than the first call, or of one called through an
  interface. A function value the caller supplies (a func-typed parameter,
  `f()`, or field, `d.handle(w)`) called under the lock counts as a call
  that may panic: code the function does not control, whose panic a
  recovering caller was written to survive.
- A mutex reached through an alias (`mu := &s.mu`) or a map or slice
  element is not identified with its holder. A mutex that a goroutine
  unlocks without having locked it is a signal between goroutines and is
  not judged for double locks.
- One finding per lock held: the first place that takes it again.
- A lock kept across `continue` is reported only when the body takes it
  unconditionally on every iteration and releases it itself on the normal
  path; on a value the loop assigns (a range variable), only when another
  function locks the same declaration for writing. A `break` that leaves the loop
  holding the lock is not followed.
- A recursive read lock needs a `Lock` of the same mutex declaration
  somewhere (`--debug`: `GIM104_recursive_read_locks_without_a_writer`);
  when the reader is in a `_test.go` file the writer must also run beside
  it, in a goroutine of the same test (a test that holds a read lock on
  purpose has no writer racing it).
- Calling a closure that an unlock helper returned (`unlock :=
  unlockOnce(&mu)`, whose literal unlocks its parameter, directly or through
  `once.Do(l.Unlock)`) releases the mutex passed to it. A local mutex whose
  `Unlock` is handed on as a value (`&Server{NotifyStarted: m.Unlock}`,
  `run(m.Unlock)`) is a start signal: locking it again waits for whoever
  calls it (`GIM104_mutexes_unlocked_by_another_goroutine`). A `sync.Locker`
  given `mu.RLocker()` is not modelled (`GIM10x_read_lockers`).
- A channel counts as a mutex (`--debug`: `GIM10x_channels_as_locks`) only
  when every use says so: every make gives it a constant buffer of one,
  nothing closes it, its elements carry no data (`struct{}`, `bool`), no
  operation on it is a `select` case or a `range`, and every receive gives
  back a slot taken before it (a send earlier in the same function, or, for
  a release helper or deferred closure, in each caller before the call);
  for a channel filled once where it is made, the same with the roles of
  send and receive swapped, and at least one send that gives a token back.
  A `select`-guarded (cancellable) acquire makes the channel another
  protocol, left alone. Its slot kept by a return is told as a semaphore
  slot (above), for any buffer size; holding it across other operations is
  what it is for, and is not judged.
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.flow import CHANNEL_FLOW
from golint_im.analysis.locks import (
    LOCKS,
    DeferredInLoop,
    DoubleLock,
    LostUnlock,
    MismatchedUnlock,
    RelockedInLoop,
    racing_writer,
)
from golint_im.analysis.recovery import RECOVERED_PANICS, RecoveredPanic
from golint_im.analysis.semaphores import SEMAPHORES
from golint_im.analysis.syncprims import SYNC_PRIMITIVES
from golint_im.findings import Finding, Location, Related, Step, op_location

from ._block_wording import branch_text
from ._lock_words import acquire_steps, is_channel_lock, lock_call, via

ID = "GIM104"
NAME = "double-lock-or-lost-unlock"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = "A mutex is locked again while held (directly or through calls), or a return keeps it locked"
REQUIRES = (LOCKS, RECOVERED_PANICS, CHANNEL_FLOW, SYNC_PRIMITIVES, SEMAPHORES)


def check(ctx):
    model = ctx.result(LOCKS)
    seen: set[tuple] = set()
    mismatched = {id(m.lock_op) for m in model.mismatched_unlocks}
    for m in model.mismatched_unlocks:
        yield _mismatched(m)
    ctx.debug.setdefault("GIM104_recursive_read_locks_without_a_writer", 0)
    for d in model.double_locks:
        key = (d.fn.id, d.held.fn.id, d.held.op.line, d.held.op.col)
        if id(d.held.op) in mismatched:
            continue  # told above, with its cause
        if key in seen:
            continue  # one finding per lock held: the first call that takes it again
        writer = None
        if d.held.mode == "r" and d.again.mode == "r":
            writer = racing_writer(model, ctx.result(CHANNEL_FLOW), d)
            if writer is None:
                ctx.debug["GIM104_recursive_read_locks_without_a_writer"] += 1
                continue
        seen.add(key)
        yield _double(d, writer)
    for lost in model.lost_unlocks:
        if id(lost.acq.op) not in mismatched:
            yield _lost(lost)
    for relock in model.loop_relocks:
        yield _relocked(relock)
    for d in model.deferred_in_loops:
        yield _deferred_in_loop(d)
    told: set[tuple] = set()
    for p in ctx.result(RECOVERED_PANICS):
        key = (p.held.fn.id, p.held.acq.lock.cls, p.held.acq.lock.inst)
        if key not in told:  # one finding per lock: the first panic that keeps it
            told.add(key)
            yield _panicked(p)
    for once in ctx.result(SYNC_PRIMITIVES).reentered_onces:
        yield _reentered_once(once)
    for slot in ctx.result(SEMAPHORES):
        yield _kept_slot(slot)


def _mismatched(m: MismatchedUnlock) -> Finding:
    """A lock followed by the deferred unlock of another mutex (or of the other mode)."""
    lock_loc, unlock_loc = op_location(m.fn, m.lock_op), op_location(m.fn, m.unlock_op)
    holder = E.render(E.selector_base(m.lock_op.fn))
    right = {"Lock": "Unlock", "RLock": "RUnlock"}[E.selected_name(m.lock_op.fn) or "Lock"]
    deferred = m.unlock_op.mode == "defer"
    called = f"defer {m.unlock_text}" if deferred else m.unlock_text
    if m.wrong_mode and not deferred:
        why = (
            f"which releases the other mode of the same `RWMutex`: `{holder}` stays held (`{m.lock_label}`), "
            f"so the next `{m.lock_text}` blocks forever, and the call releases a mode it does not hold (a fatal "
            "error)"
        )
    elif m.wrong_mode:
        why = (
            f"which releases the other mode of the same `RWMutex`: `{m.fn.short}` returns with `{holder}` "
            f"still held (`{m.lock_label}`), and the deferred call releases a mode it does not hold (a fatal error)"
        )
    else:
        why = (
            f"which unlocks another mutex, one `{m.fn.short}` never locks: it returns with `{holder}` "
            f"(`{m.lock_label}`) still held, so the next `{m.lock_text}` blocks forever, and the deferred "
            f"call unlocks a mutex it does not hold (a fatal error unless a caller holds it)"
        )
    message = (
        f"`{m.fn.short}` calls `{m.lock_text}` at line {m.lock_op.line} and then `{called}` at line "
        f"{m.unlock_op.line}, {why}. Fix: `{'defer ' if deferred else ''}{holder}.{right}()`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=unlock_loc,
        severity=SEVERITY,
        related=(Related(lock_loc, f"`{holder}` locked here"),),
        steps=(
            Step(lock_loc, f"`{m.lock_text}` takes `{m.lock_label}`"),
            Step(unlock_loc, f"`{called}` releases something else"),
        ),
        key=f"{m.fn.qualname}|mismatched|{m.lock_op.line}",
    )


def _kept_slot(k):
    """A `return` between a channel semaphore's acquire and its release keeps a slot for ever."""
    if k.release_func:
        return _kept_slot_of_release_func(k)
    name = E.render(k.acquire.fn)
    loc = op_location(k.fn, k.exit)
    why = branch_text(k.fn.facts, k.exit.region)
    cap = k.channel.capacity
    message = (
        f"`{k.fn.short}` {why} at line {k.exit.line} after taking a slot of the semaphore `{name}` "
        f"(`{name} <- …` at line {k.acquire.line}) and before giving it back (`<-{name}` at line "
        f"{k.release.line}): each such return keeps "
        + ("its only slot" if cap == 1 else f"one of its {cap} slots")
        + " for ever, and once they are all kept every acquire blocks. "
        f"Fix: `defer func() {{ <-{name} }}()` right after the acquire."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(k.fn, k.acquire), f"`{name}` acquired here"),),
        steps=(
            Step(op_location(k.fn, k.acquire), f"takes a slot of `{name}`"),
            Step(loc, f"`{k.fn.short}` {why}"),
            Step(op_location(k.fn, k.release), "the release, skipped on that path"),
        ),
        key=f"{k.fn.qualname}|{name}|semaphore",
    )


def _kept_slot_of_release_func(k):
    """The same when the slot is taken by a helper returning its release function (`release := l.Acquire()`)."""
    taken = E.render(k.acquire.fn)
    loc = op_location(k.fn, k.exit)
    why = branch_text(k.fn.facts, k.exit.region)
    cap = k.channel.capacity
    slots = "its only slot" if cap == 1 else (f"one of its {cap} slots" if cap else "one of its slots")
    message = (
        f"`{k.fn.short}` {why} at line {k.exit.line} after taking a slot of the semaphore `{k.channel.label}` "
        f"with `{taken}()` at line {k.acquire.line}, and before calling the release function it returned "
        f"(`{k.release_func}()` at line {k.release.line}): each such return keeps {slots} for ever, and once "
        f"they are all kept every `{taken}()` blocks. Fix: `defer {k.release_func}()` right after the acquire."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(k.fn, k.acquire), f"a slot of `{k.channel.label}` taken here"),),
        steps=(
            Step(op_location(k.fn, k.acquire), f"`{taken}()` takes a slot and returns its release function"),
            Step(loc, f"`{k.fn.short}` {why}"),
            Step(op_location(k.fn, k.release), f"`{k.release_func}()`, skipped on that path"),
        ),
        key=f"{k.fn.qualname}|{k.channel.label}|semaphore-release-func",
    )


def _reentered_once(r):
    """`once.Do(f)` whose `f` reaches `Do` on the same Once."""
    loc = op_location(r.fn, r.op)
    chain = " → ".join(f"`{f.short}`" for f in r.path)
    message = (
        f"`{r.text}.Do` at line {r.op.line} runs {chain}, which calls `{r.text}.Do` again at line "
        f"{r.inner_op.line}: `Do` holds the Once's lock until its function returns, so the inner `Do` waits "
        f"for the outer one forever. Fix: let the initialiser use the unguarded values directly, not the "
        f"getter that calls `Do`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(r.inner_fn, r.inner_op), f"`{r.text}.Do` entered again"),),
        steps=(
            Step(loc, f"`{r.text}.Do` takes the Once's lock and runs its function"),
            Step(op_location(r.inner_fn, r.inner_op), f"`{r.text}.Do` again: waits for the first to finish"),
        ),
        key=f"{r.fn.qualname}|{r.text}|once",
    )


def _consequence(held: str, again: str, channel: bool = False) -> str:
    if channel:
        return (
            "the channel's one slot is held, so the second operation waits for the release that only this "
            "goroutine would make after it, and the goroutine waits for itself forever"
        )
    if held == "r" and again == "r":
        return (
            "a recursive read lock: once a writer calls `Lock` between the two, it waits for the first "
            "`RLock` and the second waits for the writer, so the goroutine deadlocks"
        )
    if held == "w" and again == "w":
        return "the mutex is not reentrant, so the goroutine waits for itself forever"
    return "a read and a write lock of one `RWMutex` exclude each other, so the goroutine waits for itself forever"


def _double(d: DoubleLock, writer: tuple | None) -> Finding:
    held, again = d.held, d.again
    where = d.again.hops[0].op if again.hops else again.op
    loc = op_location(d.fn, where)
    label = held.lock.label
    steps = [
        *acquire_steps(held, f"takes `{label}`" + (" (read)" if held.mode == "r" else "")),
        *acquire_steps(again, f"takes `{label}` again, still held"),
    ]
    if d.deferred_acquire:
        message = (
            f"`{d.fn.short}` defers {lock_call(again)} at line {again.op.line} while holding `{held.text}` "
            f"(`{label}`, {lock_call(held)} at line {held.op.line}), and nothing releases it before the function "
            f"returns: the deferred call runs at the exit and takes the lock again, "
            f"{_consequence(held.mode, again.mode, is_channel_lock(again))}. "
            f"Fix: `defer {held.text}.{'RUnlock' if held.mode == 'r' else 'Unlock'}()`."
        )
    elif d.deferred_before_unlock:
        message = (
            f"`{d.fn.short}` defers a call at line {where.line} that takes `{held.text}` (`{label}`) again with "
            f"{lock_call(again)} at line {again.op.line}{via(again)}, after deferring its unlock at line "
            f"{d.deferred_before_unlock}: deferred calls run last in, first out, so at the exit that call runs "
            f"first, while {lock_call(held)} (line {held.op.line}) still holds the lock: "
            f"{_consequence(held.mode, again.mode, is_channel_lock(again))}. "
            "Fix: defer that call before locking, or call it after unlocking."
        )
    else:
        message = (
            f"`{d.fn.short}` holds `{held.text}` (`{label}`, {lock_call(held)} at line {held.op.line}{via(held)}) "
            f"and takes it again with {lock_call(again)} at line {again.op.line}{_under_branch(again)}"
            f"{via(again)}: {_consequence(held.mode, again.mode, is_channel_lock(again))}. "
            "Fix: release it before that call, or call a variant that expects the lock to be held."
        )
    related = [
        Related(op_location(held.fn, held.op), f"`{label}` taken here"),
        Related(op_location(again.fn, again.op), "taken again"),
    ]
    if writer is not None:
        wfn, wop = writer
        related.append(Related(op_location(wfn, wop), f"`{wfn.short}` takes `{label}` for writing here"))
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{d.fn.qualname}|double|{label}|{again.fn.qualname}",
    )


def _under_branch(a) -> str:
    """` (when `len(s.queue) > max`)` for a lock taken again inside an `if` or `else` of the function
    taking it: the condition the double lock needs. Empty on the function's straight line."""
    facts = a.fn.facts
    region = a.op.region
    while region >= 0:
        reg = facts.regions[region]
        if reg.kind == "if" and reg.info is not None:
            return f" (when `{E.render(reg.info)}`)"
        if reg.kind == "else" and reg.info is not None:
            return f" (when `{E.render_negated(reg.info)}`)"
        if reg.kind in ("for", "range", "case", "default", "switch", "select"):
            return ""
        region = reg.parent
    return ""


def _lost(lost: LostUnlock) -> Finding:
    a, fn = lost.acq, lost.fn
    label = a.lock.label
    unlock = "RUnlock" if a.mode == "r" else "Unlock"
    exit_loc = Location(fn.file.path, lost.exit_line, lost.exit_col)
    steps = [
        Step(op_location(a.fn, a.op), f"{lock_call(a)} takes `{label}`"),
        Step(
            exit_loc,
            f"`{fn.short}` {'breaks out and ends' if lost.by_break else 'returns'} here with `{label}` still held",
        ),
        Step(Location(fn.file.path, lost.released_line), f"whereas this exit comes with `{label}` released"),
    ]
    leaves = (
        f"leaves its endless loop with `break` at line {lost.exit_line}, and so ends,"
        if lost.by_break
        else f"returns at line {lost.exit_line}"
    )
    message = (
        f"`{fn.short}` {leaves} with `{a.text}` (`{label}`) still locked by "
        f"{lock_call(a)} at line {a.op.line}, while its exit at line {lost.released_line} releases it: "
        f"the next `{a.text}.Lock()` anywhere blocks forever. "
        f"Fix: call `{a.text}.{unlock}()` before this {'break' if lost.by_break else 'return'}, "
        f"or `defer {a.text}.{unlock}()` right after locking."
    )
    if a.hops:
        # `tx := l.begin()`: a helper of the tree that takes the lock and returns holding it
        helper = a.hops[0]
        call = E.render(helper.op.fn)
        where = f"line {a.op.line}" if a.fn.file is fn.file else f"{op_location(a.fn, a.op).path}:{a.op.line}"
        steps.insert(0, Step(op_location(fn, helper.op), f"`{call}(…)` returns holding `{label}`"))
        message = (
            f"`{fn.short}` {leaves} with `{label}` still locked by `{call}(…)` at line {helper.op.line} "
            f"(`{helper.callee.short}` takes it with {lock_call(a)} at {where} "
            f"and returns holding it), while its exit at line {lost.released_line} releases it: the next "
            f"`Lock` of `{label}` anywhere blocks forever. Fix: release it before this "
            f"{'break' if lost.by_break else 'return'} the way that exit does, or defer the release right "
            f"after `{call}(…)`."
        )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(op_location(a.fn, a.op), f"`{label}` locked here"),),
        steps=tuple(steps),
        key=f"{fn.qualname}|lost|{label}",
    )


def _relocked(r: RelockedInLoop) -> Finding:
    a, fn = r.acq, r.fn
    label = a.lock.label
    unlock = "RUnlock" if a.mode == "r" else "Unlock"
    jump_loc = Location(fn.file.path, r.jump.line, r.jump.col)
    message = (
        f"`{fn.short}` reaches `continue` at line {r.jump.line} with `{a.text}` (`{label}`) still locked by "
        f"{lock_call(a)} at line {a.op.line}, which the next iteration runs again, while the iteration's normal "
        f"path releases it at line {r.released_line}: the goroutine deadlocks on its own lock. "
        f"Fix: call `{a.text}.{unlock}()` before this `continue`, or move the iteration's body into a function "
        f"with `defer {a.text}.{unlock}()`."
    )
    kept = Step(jump_loc, f"`continue` goes to the next iteration with `{label}` still held")
    if r.blocked is not None:
        bfn, bop = r.blocked
        blocked_loc = op_location(bfn, bop)
        message = (
            f"`{fn.short}` reaches `continue` at line {r.jump.line} with `{a.text}` (`{label}`) still locked by "
            f"{lock_call(a)} at line {a.op.line}, while the iteration's normal path releases it at line "
            f"{r.released_line}: each iteration locks another value, so the one this `continue` leaves stays "
            f"locked for good, and `{bfn.short}`'s `{E.render(bop.fn)}()` (line {bop.line}) waits on it forever. "
            f"Fix: call `{a.text}.{unlock}()` before this `continue`, or move the iteration's body into a "
            f"function with `defer {a.text}.{unlock}()`."
        )
        steps = (
            Step(op_location(fn, a.op), f"{lock_call(a)} locks this iteration's `{label}`"),
            kept,
            Step(blocked_loc, f"a later `{E.render(bop.fn)}()` of that value never gets the lock"),
        )
        return Finding(
            rule_id=ID,
            message=message,
            location=jump_loc,
            severity=SEVERITY,
            related=(Related(op_location(fn, a.op), f"`{label}` locked here"), Related(blocked_loc, "waits forever")),
            steps=steps,
            key=f"{fn.qualname}|left-locked|{label}",
        )
    return _next_iteration_relocks(a, "at the top of each iteration", kept, message, f"{fn.qualname}|relock|{label}")


def _deferred_in_loop(d: DeferredInLoop) -> Finding:
    a, fn = d.acq, d.fn
    label = a.lock.label
    where = f"in the `select` case at line {d.case_line} of" if d.case_line else "inside"
    again = (
        "the next time that case runs it waits for the lock the last run still holds"
        if d.case_line
        else "the second iteration waits for the lock the first still holds"
    )
    message = (
        f"`{fn.short}` locks `{a.text}` (`{label}`) at line {a.op.line} {where} the loop at line {d.loop_line} and "
        f"defers its unlock at line {d.defer_op.line}: a deferred call runs when the function returns, not at the "
        f"end of the iteration, so {again}. Fix: unlock at the "
        f"end of the iteration, or move the body into a function (or closure) with `defer {a.text}.Unlock()`."
    )
    kept = Step(op_location(fn, d.defer_op), f"the deferred `{a.text}.Unlock()` runs only when `{fn.short}` returns")
    return _next_iteration_relocks(a, "in the loop body", kept, message, f"{fn.qualname}|defer-in-loop|{label}")


def _next_iteration_relocks(a, where: str, kept: Step, message: str, key: str) -> Finding:
    """A lock an iteration takes and still holds (`kept` says how) when the next iteration takes it
    again; reported where it is kept."""
    label = a.lock.label
    locked = op_location(a.fn, a.op)
    steps = (
        Step(locked, f"{lock_call(a)} takes `{label}` {where}"),
        kept,
        Step(locked, f"the next iteration blocks here taking `{label}` again"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=kept.location,
        severity=SEVERITY,
        related=(Related(locked, f"`{label}` locked here"),),
        steps=steps,
        key=key,
    )


def _panicked(p: RecoveredPanic) -> Finding:
    a, fn, panic_op = p.held.acq, p.held.fn, p.held.panic_op
    label = a.lock.label
    unlock = "RUnlock" if a.mode == "r" else "Unlock"
    panic_loc = op_location(fn, panic_op)
    catcher = p.recovered_in
    if p.by_http_server:
        caught = f"the http server recovers it (`{catcher.short}` is a handler)"
        recovers = f"`{catcher.short}` is a net/http handler: the server recovers its panic and serves on"
    elif catcher is fn:
        caught = f"`{fn.short}` recovers it in a deferred call"
        recovers = f"`{fn.short}` recovers the panic in a deferred call"
    else:
        caught = f"`{catcher.short}`, which calls it, recovers it in a deferred call"
        recovers = f"`{catcher.short}` recovers the panic in a deferred call"
    callee, thrown = p.held.callee, p.held.callee_panic
    how = f"panics at line {panic_op.line}"
    if callee is not None and thrown is not None:
        where = f"line {thrown.line}" if callee.file is fn.file else f"{callee.file.path}:{thrown.line}"
        how = f"calls `{callee.short}` at line {panic_op.line}, which panics ({where}),"
    elif p.held.callback:
        how = f"calls the supplied function `{p.held.callback}` at line {panic_op.line}, which may panic,"
    message = (
        f"`{fn.short}` {how} with `{a.text}` (`{label}`) still locked by "
        f"{lock_call(a)} at line {a.op.line} and no deferred `{unlock}`; {caught}, and the program goes on with "
        f"`{label}` held: the next `{a.text}.Lock()` anywhere blocks forever. "
        f"Fix: `defer {a.text}.{unlock}()` right after locking, or unlock before the "
        f"{'call' if p.held.callback else 'panic'}."
    )
    at_panic: tuple[Step, ...] = (Step(panic_loc, f"panics here with `{label}` still held: the `{unlock}` is skipped"),)
    if p.held.callback:
        at_panic = (
            Step(
                panic_loc,
                f"calls `{p.held.callback}` with `{label}` still held: if it panics, the `{unlock}` is skipped",
            ),
        )
    if callee is not None and thrown is not None:
        at_panic = (
            Step(panic_loc, f"calls `{callee.short}` with `{label}` still held"),
            Step(op_location(callee, thrown), f"`{callee.short}` panics here: the `{unlock}` is skipped"),
        )
    steps = (
        Step(op_location(a.fn, a.op), f"{lock_call(a)} takes `{label}`, released later without `defer`"),
        *at_panic,
        Step(Location(catcher.file.path, catcher.facts.line), recovers),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=panic_loc,
        severity=SEVERITY,
        related=(Related(op_location(a.fn, a.op), f"`{label}` locked here"),),
        steps=steps,
        key=f"{fn.qualname}|panic|{label}",
    )
