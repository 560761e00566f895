r"""GIM102 goroutine-stuck-on-channel: a goroutine blocks on a channel operation whose partner never comes.

## What it does
Finds these shapes of a goroutine stuck on a channel, each with both sides
shown as steps.

The forgotten sender: a function makes a channel, starts goroutines
with `go` (a literal, or a named function or method given the channel,
`go worker(ch)` / `go s.fetch(ch)`, followed through calls) that send on
it, and receives from it itself or in one helper it passes the channel to
(`return wait(ctx, ch)`), but on some path returns before that receive: a
`select` case on `ctx.Done()`, a timer or `default` beside the receive, an
earlier `return` on an error, or a `return` inside the receive loop before
every sender was heard. When the channel's buffer is smaller than the
number of senders that may still be waiting, the rest block on their send
forever. A worker shared by several callers is judged per call site: the
parameter is the channel that call passed, not every channel ever passed.
A local factory literal called once, `done, run := stopFunc(exp)` with
`stopFunc := func(...) (<-chan error, func()) { done := make(chan error);
return done, func() { done <- ... } }`, makes that channel for the caller:
`go run()` starts the closure it returned, and the caller is judged as if
it had made the channel itself (the finding's "made here" step is the
factory's call). A send inside a literal kept in a local that is only ever
given literals (`deliver := func(a answer) { answers <- a }`) and passed
to the goroutine's function for a callback parameter (`go r.query(ctx,
res, deliver)`) is the goroutine's send.
A goroutine that sends in an endless `for {` loop with a plain `ch <- v`,
and between its sends only checks for cancellation (a `select` on
`ctx.Done()` straight in the loop) or waits for the clock
(`<-time.After(d)`, a ticker's or timer's `C`), sends until it is stopped:
no buffer holds all it sends, and the fix is a `select` on the send.

A `range` over a channel that nothing closes: the senders all finish (no
endless loop, `for {` or `for true {` or `for ; true; <-tick.C {`, and no
receive-driven loop around them) but no path calls `close`, so
after the last send the ranging goroutine (or the function itself) waits
forever. Likewise a range whose only `close` is made (not deferred) by the
producer goroutine the ranging function starts, when that goroutine can
`return` (or end with `t.Fatal`) before it: the finding names that return.
The same when the maker starts the ranging goroutine and fills the channel
through a function it calls once (`go func() { for l := range lines {...}
}(); err := readLines(src, lines); wg.Wait()`), and that function can return
before its `close`; and for one instance's field channel: workers its
constructor starts range over `p.jobs`, the owner calls `p.Feed(...)`,
which can return before `close(p.jobs)`, and then waits on the group the
workers count down (`p.Wait()`), or on a channel the ranging goroutine
closes only after its range (`go t.consume(); err := t.readLoop(); <-t.done`,
all in one method the owner calls).

A future that can answer never: a function makes a channel, starts the
one goroutine that sends on it (once, outside loops and selects; nothing
closes it) and hands it on only by returning it, and the goroutine can
`return` before its send; a caller receives from the result plainly
(`<-fetchAsync()`, a local assigned from the call once, or the values of a
local map filled with such results and ranged once): on that return the
receive waits forever. Likewise a struct's done channel (`f.done`, an
unexported field only ever given a fresh `make`, never handed anywhere):
the one goroutine that fills the struct closes it (in one or several plain
`close` calls), outside any loop, but can `return` first before all of them,
and another function waits on a plain `<-f.done`
outside any `select`. The closer may also be called plainly by its one
caller after that caller put the struct in a map field where other callers
find it and wait (`c.calls[key] = cl; c.fill(key, cl)`, the shared-load
shape). And a struct of result channels (`&Ticket{res:
make(...), err: make(...)}`, the goroutine started with it sending on one
or the other) waited on by one `select` over all of them with no other
case: a `return` of the goroutine before any of its sends leaves the
waiter blocked.

A stream a function returns (its goroutine sends in a loop, unbuffered,
outside any `select`) that a caller ranges over, `for l := range
lines(r)` or a local assigned from the call once and named only by that
range, and leaves early: a `return`, a `break` or `t.Fatal` inside the
loop. Nothing receives after that, and the goroutine waits on its next
send forever. And a function that ranges over its own channel and closes
it only after that loop (or in a `defer`), every close being its own: the
loop ends only at the close, so it waits forever once the senders are
done (`for r := range results {...}; wg.Wait(); close(results)`), or that
hands it to one plain call of a function that ranges over it and closes
it only after that call returns (`snap := a.merge(ch); wg.Wait();
close(ch)`). The
same for a field channel whose only closes sit in one method that only the
ranging function calls, on the same local, after its range (`for s := range
c.Samples() {...}; c.Stop()`, `Stop` waiting for the senders and closing
`c.samples`), when no sender runs in a loop that never ends; also when a
method ranges over its receiver's field and its one caller closes the field
through another method only after that call returns (`sum := ix.collect();
ix.finish()`). An inner `for _, e := range entries` over a slice (two
iteration variables, or a slice's type) is no receive that keeps a sender
alive.

A `select {}` on the straight line of `main` (or of the function `main`
calls once to run) after an `if` or `switch` one branch of which starts
the goroutine the empty `select` keeps the process alive for, while another
branch (not returning) starts none: on that branch nothing else runs.
Judged only when everything run before the `select` on that branch is seen
to start no goroutine (functions of the tree, followed a few calls deep,
and calls into fmt, strings, log, os and a few other standard packages).

A `select {}` on a branch of a function that otherwise returns when its
context ends (`if w.interval <= 0 { select {} }` before a loop that returns
in `case <-ctx.Done():`): the callers cancel the context and wait for the
function to return, which on that branch it never does.

A wait for a worker's end signal that it gives only after a `range` over a
channel nothing closes: `run` does `defer close(a.done)` (or closes or sends
after its loop) around `for s := range a.in`, and `Flush` receives
`<-a.done`. Judged when the ranged channel is an unexported field that is
only ever given fresh `make(chan ...)` values in its package (a channel a
subscription call returns is its maker's to close), no code closes it, its
value goes to no code the flow does not follow (a getter returning it as a
receive-only `<-chan T` hands it to no one who could close it), the range has no other way
out, the ranging function is started with `go`, the signal is its only
close or send, and the waiter's receive is a plain one (not a `select`).
The signal may also be a WaitGroup field of the ranging method's receiver
whose `Done` it defers before the range (or calls after it), waited on
plainly by another function of the package on a value of the same type
(`Close` doing `s.Flush(); s.wg.Wait()`), when no code closes the channel
at all (a closer that can return before its close may skip the wait too).
The producer may be a function the goroutine calls once, outside any loop,
with nothing sent after the call (`go func() { if err := read(seg, lines);
err != nil { log.Print(err) } }()`, `read` closing its parameter only at its
end), or only on a channel the ranging function receives from after its
range (`go func() { errc <- loader.Load(jobs) }()`, `<-errc` after `for j
:= range jobs`): that send cannot end the range.
The same for a producer function that returns the channel (`func stream()
<-chan T { out := make(chan T); go func() {...; close(out) }(); return out
}`), handing it on in no other way, when a caller ranges over its result
(`for v := range stream()`, or a local assigned from the call once, also
beside other results, `recs, errc := decode(lines)`, or a
function of the tree that local is handed to, ranging over its parameter:
`drain(out)`); its goroutine may also close the channel on early
branches that end right there (`if err != nil { close(out); return }`),
when another way out skips its last close. A pipeline stage whose sends all sit in `for v := range in`
loops, with its close after them, is written to end with its input and is
judged too; so is a stage whose only close (followed by `return`) sits in
its `range` loop, on a failure: when the input runs out it ends past the
loop without closing. When the producer's goroutine sends in a loop (also through a
helper it calls, `emit(out, v)`), a caller that stops ranging early (also over a
local taken beside an error, `events, err := c.Watch(ctx, key)`; a `ctx.Done()`
case in the producer's loop does not free a plain send it is blocked in), or a
function of the tree the caller hands the stream to (`drain(ctx,
Source(ctx))`) that receives from it in a `range` or a `select` loop and can
return before the stream ends (a `ctx.Done()` case, an error; not the
receive's own `!ok`), leaves the producer blocked on its next send; the
function handed the stream may read it in the one goroutine literal it
starts (a pipeline stage, `parse(in)` running `go func() { for l := range
in { ... return } }()`), naming it nowhere else. A
producer's `for {` loop left by a `break` ends, and so does a `range` over a
slice, array, map or string (a goroutine sending each of a slice's values
finishes): neither is a long-lived producer.

A subscriber that gives up while it is still published to: a method
started with `go` ranges over an unbuffered channel field of its
receiver (every value the tree gives the field is `make(chan T)`), can
leave the loop on a branch that only logs (a `return` or `break` on an
error; also through a callback field every value of which only logs), and
another function sends on that field plainly, outside any `select`: the
next send after the reader left blocks forever (reported at the leaving
`return`). The method may defer nothing but the `Close` of a value in a
field of its receiver whose implementations send, close and delete nothing
(`defer c.tr.Close()`: the transport is released; nobody is unsubscribed).

A subscription an unsubscribe drops: a method of a broker makes a channel,
keeps it in a map field of its receiver (as a key or a value, also
through a local holding one of the field's entries, `m := b.subs[t]; m[ch]
= struct{}{}`) and returns it (a closed broker may answer with a closed
channel first); another method deletes it from that map (also through such
a local) and neither it nor what it
calls closes any channel; and a caller ranges over the returned channel
with no other way out of the loop. Once the entry is deleted nothing can
close the channel, so the subscriber's range never ends (reported at the
`delete`). Silent when a caller of the unsubscribe closes the channel it
passes (`d.RemoveWatcher(c.ch); close(c.ch)`), or when the subscribing
method or a goroutine it starts closes the returned channel (a forwarder
that closes it when its source ends).

A worker pool whose coordinator receives one result per item with a plain
receive in a counted loop (`for range items { err = <-results }`), while a
worker, ranging over the work channel, can `return` or `continue` after
taking an item and before its send (a `case <-ctx.Done(): return`, a skipped
item): for the item dropped no result comes. A context made from
`context.Background()`, or a stop channel of the coordinator, that only the
coordinator cancels or closes as it stops counting (deferred, after the
loop, or right before a `break` or `return` out of it) is not judged; a
context the caller passed in can end at any time, and is. The worker may be
a function each goroutine literal of the coordinator calls on its straight
line (`go func() { defer wg.Done(); c.work(jobs, results) }()`).

A receive whose only sender is skipped: a goroutine that can `return`
(on an error, say) before its one send, or end past an `if` with no `else`
that holds it, while the function that started it waits on a plain
`<-ch`. The finding names that `return` or that `if`. A panic counts as
such a way out when the goroutine defers, at its top, a function of the
tree that calls `recover()` and neither sends nor closes, and calls a
function value it was given before its send (`defer r.guard(); out, err :=
t.Fn(); ch <- ...`): the author expects that call to panic. The same on a
struct field channel of an instance the function allocates: a `Stop` that
waits on `<-w.stopped`, which only the instance's goroutine sends on or
closes (not deferred), when that goroutine can return first (on an error,
in another `select` case) without it, also in an endless loop that closes
it only in the round taking a stop case and returns on an error in another,
and in a bounded retry loop that signals only on a branch followed by its
`return` (`for i := 0; i < attempts; i++ { if err == nil { close(m.ready);
return } }`): when the attempts run out, the goroutine ends without it. The
`go` and the wait may both sit in one method the owner calls (`Load() {
go l.parse(); return <-l.ready }`).

A send or receive, outside any `select`, on a local `var ch chan T` that
nothing ever assigns, or on an unexported struct field channel that its
package never gives a value (a constructor that forgot the `make`): a nil
channel blocks forever. Likewise one only an option's closure makes
(`func withReadiness() Option { return func(s *Server) { s.ready =
make(...) } }`), when a keyed literal outside tests builds the type without
it and other code guards its own use with `if s.ready != nil`, while this
use, in a function testing it against nil nowhere, is unguarded. So does an element of a local `make([]chan T, n)`
that nothing fills (`errChs[i] <- err`, or the value of a `range` over it),
when the slice is used only that way. And one instance built without its
channel (`retry := &Job{ID: j.ID}` where `newJob` makes `done`), followed
whole as below, whose methods then send or receive plainly on that field:
unless the method first returns on a nil check (`if j.done == nil {
return }`), written for such an instance. A variable declared first and
given an instance on each side of an `if` (`var s *Sampler; if rec { s =
NewRecordingSampler() } else { s = NewSampler() }`) is followed once per
side, without the other side's statements.

Channels held in a struct field are judged one instance at a time, when
the function allocates the struct itself (`p := &Pool{jobs: make(chan
int)}`, or `w := NewWatcher()` (also `var c Closer = NewWatcher()`, an
interface it is seen through) where the in-tree constructor returns its
own `&Watcher{...}`, perhaps after `go w.loop()`) and every use of it is
in sight: a `range` over the field that nothing closes, in a goroutine
that defers `wg.Done()` on a WaitGroup field someone waits on (the
`wg.Wait()` then waits forever too) or in the allocating function
itself; a goroutine that sends a known number of times (or in an endless
loop) while the allocating function receives fewer times than the buffer
leaves over (its own receives straight in its body or in a counted `for i :=
0; i < K; i++` loop), then ends; a quit send made twice on one path (`defer
f.Stop()`, then `f.Stop()` on an error before returning) to a goroutine whose
every receive of it returns; and a send after the function has
called the `cancel` of `ctx, cancel := context.WithCancel(...)` whose
`ctx` it gave the only receiving goroutine, when that goroutine returns in
its `case <-ctx.Done():`. In `main`, whose end ends the process, only what
keeps main itself from ending is judged: a `range` over a field nothing
closes that main waits for (`p.Wait()` on the WaitGroup the ranging workers
defer `Done` on) or ranges over itself. A `range` over an instance's field
(through its getter, `for l := range t.Lines()`) whose body can return,
while the instance's goroutine sends in a loop of unknown length (`for
sc.Scan() {`), itself or through a method only it calls there (`t.emit(l)`),
is stranded the same way.

A send loop that outlives its receiver: a method sends on an unexported
field channel of its receiver, plainly, in an endless `for {` loop, and the
only receiver is another method of the type, started beside it on the same
value (`go w.poll(); go w.run()`), whose endless receive loop can leave: a
`select` case on a stop channel something closes, on `ctx.Done()` or a timer,
or a `return` on an error. After that nothing receives, and whatever the
buffer, the sender blocks forever. The fix puts the receiver's way out into
a `select` on the send. The send may be in a helper method the looping
method calls on its receiver (`n.publish(ev)`), the loop may range over a
ticker's channel (`for range t.C`, which never ends), and the receiver may
start the sender itself (`go n.watch()` before its own receive loop).

A send after the receiving loop has left by itself: a method's plain send
(`Unsubscribe`, `Send`) on an unexported, unbuffered field channel whose
only receiver is another method's loop (or one `select`), started with
`go`, that can return on its own: on an error, on a subscription's `Err()`,
a timer, an input channel that is not the type's own. Called after that,
the method blocks forever. A loop that leaves only on a shutdown signal its
owner gives (`ctx.Done()`, its own `quit` field) is not judged: a send after
shutdown is the caller's mistake.

A deferred close that never runs: a function defers `close(x.ch)` and then,
straight in its body, enters a `for {` loop with no way out (no `return`,
`goto`, `break` of the loop or call ending the goroutine), while something
else waits on `<-x.ch` (or a method that only returns the field hands it to
waiters). Once the loop is reached the function never returns, and the
waiters wait forever.

A circular wait: a function starts a goroutine, then blocks on a send or
receive (`b <- 2`, `<-done`) that only the goroutine can complete, after
its own send or receive (`a <- 1`, `values <- v`) whose only partner is in
the function, after that blocking operation (`<-a`, `<-values`). Each
waits for the other. The finding sits on the function's operation and
names both sides. (The `wg.Wait()` form is GIM106's.)

A send nobody hears: an unbuffered channel that a function makes and
keeps to itself (never returned, stored, closed or handed to code outside
the analysed tree), sent on outside any `select` by the function or by a
goroutine it starts, and received from nowhere (`errc <- srv.Serve()` with
no `<-errc` anywhere); or an unexported struct field channel, made
unbuffered, that its package sends on but never receives from, closes, or
names in any other way, and never sets from another channel (another field,
a parameter, a call's result: `&msg{reply: g.in}` is received from as
`g.in`). The first send blocks forever.

A goroutine waiting for itself: an unbuffered channel whose every send and
receive runs in one goroutine, so nobody else can be at the other end. A
local channel used only in the function that makes it (not in a literal or
a callee), or an unexported field channel, named only in its sends,
receives and assignments, whose uses are reached only from test functions
or `main.main` by ordinary calls (`q.push(1); q.pop()` in one test); or
used by the test on its own straight line before the `go` statement that
starts the goroutine using the other end (`c.Send(1); go c.readAcks()`).
A buffered local channel used only by the function that makes it is stuck
the same way when it sends more values than the buffer holds (counted:
straight sends, constant-trip loops) before its first receive, when no
loop around those sends also holds a receive (a loop draining the buffer
every `n` rounds makes room in time).

A wait on a context nothing can cancel: `<-ctx.Done()` (plain, or a
`select` of nothing else) where `ctx` is `context.Background()` or
`context.TODO()`, directly, through `context.WithValue`, a `WithCancel`
whose cancel function is dropped (or, made by the waiting function, only
deferred there: it runs after the wait), a local, or a parameter that every
caller fills that way (only for functions nothing outside the tree can
call: unexported, or in package main or a test), when the context is made
in a test file (outside tests, `run(context.Background())` is how a service
runs until it is killed).

A goroutine abandoned by its starter: the function starts a goroutine
whose first channel operation is a plain receive, then `return`s (on an
error, say) before the `close` of (or send on) that channel, which is the
only one in the program: on that path the goroutine waits forever.

A one-shot channel received from again: a loop makes a channel each round
(`applied = make(chan int, 1)`, straight in its body) and hands it to a
goroutine that sends on it once (and closes it, if at all, only on a path
without that send); the next round takes the value with a plain
`<-applied`. A `continue` between that receive and the `make`, with no
`applied = nil` on the way, goes round with the drained channel, and the
next round's receive waits for a value nobody will send. Other receives of
it must sit in a `select`, nothing may set it to nil earlier in the
round except a `select` case that received from it, and an `if` around the
receive may test only the channel itself (a flag cleared before the
`continue` keeps the next round from waiting).

An exchange where everyone sends first: every receive from an unexported,
unbuffered field channel (named nowhere but in its sends, receives and
assignments) is made by one function, after its own plain send on that
same field, straight in its body (`p.other.inbox <- v` then `<-p.inbox`),
and a `go` statement runs that function. Whichever value each send goes
to, it waits for a receive that only comes after a send, so every
goroutine running the function blocks at its send.

A `break` that leaves only the `select`: an unlabelled `break` ending a
`select` case directly inside a `for {` loop that has no other way out (no
`return`, `goto`, labelled `break` or call that ends the goroutine): the
function never returns. A `break` that closes a case after other work,
unconditionally, with no send or `close` in the case (`done <- true;
break` reports the end) and no `continue` of the loop beside it, is a habit
from C and is not reported (`GIM102_ineffective_breaks_closing_a_case`).

A goroutine waiting for itself: a method started by `go` at one site
outside any loop is the only goroutine that sends on (or closes) an
unbuffered field channel, and through method calls on its own receiver it
reaches a plain receive from that channel (a reader that, on a frame it
does not expect, makes a request and waits for the reply only it
delivers). Nobody else can send, and it cannot send while it waits.

A receive from a stopped timer: `<-t.C` (outside a `select`) after
`t.Stop()` on the same straight line of a function, directly or through
methods it calls on the same value, when nothing in the program `Reset`s
that timer: a stopped timer sends nothing. And the drain written after the
value was taken: `<-t.C` on a function's straight line, then `if !t.Stop()
{ <-t.C }` with no `Reset` between: `Stop` returns false because the timer
fired, and the second receive waits for a value that never comes. The
same drain after a plain `t.Stop()` on the straight line that stopped the
timer before it fired (in a loop's `select` case too), with no `Reset` or
receive before it: `Stop` returns false for a stopped timer as well. The
same drain in one case of a `for { select }` loop whose other case `case
<-t.C:` takes the value and goes round without a `Reset`, or after a
receive before the loop took it (a local timer, not reassigned in the
loop, not captured): the next update blocks. Not when the draining case
resets the timer on some branch before its drain (`if started { ... }
else { started = true; t.Reset(d) }`): whether the drain can follow a taken
value then rests on a flag the model does not follow
(`GIM102_timer_drains_after_a_reset_in_their_case`). The same drain in a
helper given the timer (`rearm(t, d)`: `if !t.Stop() { <-t.C }` on its
straight line before its `Reset`), called in the loop's body right after a
`select` whose `case <-t.C:` takes the value and falls through to the call
(no `Reset` between), or in another case of that loop's `select` (a
debouncer's `case key := <-in: rearm(t)` beside `case <-t.C: flush()`). The same drain in a method
on a timer field of its receiver (`if !d.timer.Stop() { <-d.timer.C }`)
while a goroutine started on a method of the same type receives from that
field: once the timer fires and the goroutine takes the value, the drain
waits forever (judged when every `Reset` of the timer is in the draining
method). And a
`for range t.C` over a ticker, with no other way out of the loop, when the
program stops that ticker (matched by its holder: a field, a local):
`Stop` does not close the channel, so the loop outlives it.

A waiter for a goroutine that can never end: a goroutine's only ways out
come after a receive from a stop channel (`case <-stop: return` in its
`for { select {...} }`), nothing in the program closes or sends on that
channel, and someone waits for the goroutine to finish: `<-done` on a
channel it closes (or sends on) only on its way out, or `wg.Wait()` on a
WaitGroup whose `Done` it defers. The typical `Close()` that waits for its
loop and forgot `close(stop)`; or the stop is `ctx.Done()` of a
`context.WithCancel(context.Background())` whose `cancel` is only deferred
(or called after the wait, or before it only inside an `if` with no
`else`, such as the error path: the other path waits with the context
alive). A loop nobody waits for is not reported.

More values sent than received on a local channel, between a function
and one goroutine it starts (a literal, or a named function given the
channel, `go produce(ch, 5)`): the only receive is a `range` (or a plain
`v := <-ch` in a loop) whose body can `return`, `break` out or call
`t.Fatal` while the other side still
has sends to make (the goroutine's or the function's own); or the
function receives fewer times than the goroutine sends (counted sends,
a loop bound the `go` statement passes as a constant included, or the
sends of one path through its branches: a reported error without the
`return` after it) and ends. The buffer is subtracted; the first send
nobody takes blocks. Several goroutines, each started once and sending
once, count as many sends (`go func() { errc <- copyUp() }()` twice, then
one `<-errc`). A pool of ranging workers started in a counted loop
is stranded the same way once each worker has left after one receive.
A relay counts too: a goroutine whose only send on the channel sits
straight in the body of its receive from another channel of the function
(`case v := <-in: out <- v` in a `for {` whose other cases only watch for
cancellation or the clock, or `for v := range in { out <- v }`) sends
once for each value it takes, and the function alone sends a counted
number of values on `in`, with room for them all. `main` waiting for the
sender after its last receive (`wg.Wait()` on the group whose `Done` the
goroutine defers) does not end the process, so it is judged too.

A request whose reply a server skips: a caller sends `r` (a struct with a
reply channel field, `r.reply`) to a server goroutine and waits on a plain
`<-r.reply`; the server binds it by a receive (`case r := <-reqs:`) and,
on some path after that, leaves with `return`, `continue` or `break`
before its only `r.reply <- v` (a `break` or `continue` of a loop, switch
or select nested in the handler leaves only that statement, not the
request's scope). Judged when every send on that field
channel is in the one server, nothing closes it, and the server only reads
fields of `r` (handing `r` on, whole, to a call, a closure or a channel may
answer it elsewhere: `GIM102_replies_handed_on`). The same when the request
is the reply channel itself: the caller makes `resp`, sends it
(`c.reqs <- resp`) and waits on a plain `<-resp`, and the server binds
`resp := <-c.reqs` and can leave before `resp <- v`; also a server method
given the request by its one loop (`case r := <-a.reqs: a.serve(r)`), every
caller passing a local it received and uses for nothing else, when a
`return` of the method skips the reply. The same when the
server answers through handlers (`h, ok := s.handlers[r.op]; if !ok {
continue }; h(r)`), every function the call may run sending on its
parameter's reply field once, straight: the call stands for the reply. And
for a map of pending calls: a caller stores a channel it made in
`c.pending[id]` and waits on it plainly; a reader that takes it out and
deletes the entry (`ch, ok := c.pending[id]; delete(c.pending, id)`), then
leaves before `ch <- v` or `close(ch)` on a path not decided by `ok`, leaves
the caller waiting (nothing else can find the channel once its entry is
gone). And a reply the server only registers for a later answer
(`n.track(idx, p.reply)`, a function of the tree keeping its parameter in a
map field of its receiver, which another function takes values out of and
sends on): a `return`, `continue` or `break` before that call leaves the
request's waiter waiting, as a skipped reply does
(`GIM102_registered_replies_skipped`).

A reply its requester gave up on: the reply is a struct field channel (by
class, `lookup.answer`) made unbuffered, and only by the functions that wait
for it, sent on plainly by one other function, and waited for only in
`select` cases, one of which has another receive case that returns on its
straight line (`case <-ctx.Done(): return`, a timeout) and no `default`.
After that return nobody receives on that instance: the send blocks
forever, and a server loop answering requests it received with it. The
same for an awaiter: the channel made by another function (`Query` makes
`&awaiter{replies: make(chan T)}`), waited for by methods of the awaiter
called plainly, whose other case is a timeout (`time.After`, a timer's
`C`), as a server loop stopped by a quit is not; and not when every caller
calls that method in an endless `for {` loop (a batcher waiting for its
next batch): the next call takes the late send
(`GIM102_replies_awaited_again_in_a_loop`).

A result sender abandoned on a struct field channel: a function allocates
an instance with an unbuffered channel field, starts its goroutine (`go
f.run()`), which sends on the field plainly, and receives it only in a
`select` with another case that returns (`case <-ctx.Done():`, a
timeout): after that return nothing receives. The `select` may be in a
method of the instance or in a function the instance is handed to
(`watch(ctx, u)`, its parameter a pointer to the type), and in a loop
when the goroutine sends in a loop too; the goroutine may close the
field after its sends.

Goroutines started one per round of a loop (`go s.serve(i)` in a method
of an instance the function allocates) that each send once, on every path,
on an unbuffered field channel, while the method that started them
receives in a loop it can `return` from (the first error): the goroutines
not yet heard block on their send. When the instance is `main`'s, this and
the abandoned result sender above are reported only for a method that
`main` calls inside a loop: `main` goes on, and each round can leave more
goroutines behind (called once, they end with the process). The same by
the field's class when the value comes from a constructor: an unexported
field made unbuffered, never closed, received from only by one method, sent
on only by the goroutines one `go` statement starts straight in a loop of
that method or of a method only it calls (`p.start(ctx)`), each sending
once (itself, or through a helper it hands the field to:
`report(p.results, ...)`); a `return` decided by a count the loop keeps
(`if heard == len(jobs)`) comes after hearing them all.

An implementation that leaves open the output channel every other
implementation of its interface method closes (`type Stage interface {
Run(in <-chan R, out chan<- R) }` with two or more implementations doing
`defer close(out)`, and one only sending on `out`), when the method is
started with `go` somewhere: whoever ranges over its output waits for a
close that never comes. Only a single outlier is reported, and test
doubles do not count as the contract for code outside tests.

A result abandoned by the caller's `select`: a function makes an
unbuffered channel, starts a goroutine that sends on it once, and returns
it, handing it on in no other way (`func fetch() <-chan result`); a caller
receives from what it returned only in a `select` with another case that
returns (`case <-time.After(d):`, `case <-ctx.Done():`). After that
return nothing receives, and the goroutine blocks forever. The caller's
receive is `case r := <-fetch(key):`, or on a local assigned from the call
once and named nowhere else (no goroutine left to drain it). The same for a
goroutine that sends in a loop (a stream `Watch()` returns, closed by the
goroutine itself) when the caller's `select` can leave, or takes one value
at most. A caller that is `main` is not judged: its return ends the process.
The function may also fan out, starting one goroutine per round of a loop
straight in its body (`for _, s := range r.stores { go func(s Store) { out
<- fetch(s) }(s) }; return out`), each sending once on every path: a caller's
`select` that can return leaves the rest blocked. So does a caller that
receives plainly in a loop and returns on the first good value (`for range
rs { a := <-answers; if a.err == nil { return a.addr, nil } }`). A fan-out
may make the channel with a constant buffer, when its loop's rounds are
not a constant or exceed the buffer plus the one value the caller takes.

First answer wins: a loop that starts one goroutine per round (`for _, r
:= range replicas { go ask(r, out) }`, straight in a loop nothing leaves
early), each sending once on a local channel, while the function receives
from it once after the loop and returns. On an unbuffered channel every
goroutine after the first to send blocks forever whenever the loop runs
more than once; with one buffer slot and one receive (or no buffer and two
receives), every goroutine after the second does whenever it runs more than
twice (a larger room is not judged for a loop of unknown length: it may
have been sized to the list); a counted loop (`for i := 0; i < 3; i++`) is judged by its
count against the receives and the buffer. The same function started twice
with the same channel (`go pump(a, b, errc); go pump(b, a, errc)`) counts
as two senders, and a guard returning before the goroutines start does not
change how many receives follow them. The goroutine may send through one
call it makes once, unconditionally (`go h.query(r)` calling `h.emit(v)`, a
closure kept in a field that sends on the local channel); so may the
goroutines of the per-round shape below (`go c.run(b)` calling
`c.deliver(r)`).

A hub's delete that skips the close its other deletes make: a function
deletes clients from a map field in several places, closing the client's
channel (`close(c.send)`) with some of the deletes but not with another
(`case c := <-h.unregister: delete(h.clients, c)`), while a method of the
client's type ranges over that channel field of its receiver (a write pump)
and every send on such a channel is the hub's own: the unregistered client's
pump waits forever.

A pending call dropped on a failure: a method keeps a call (a pointer
to a struct of the tree with a channel field) in a map field of its
receiver, `c.pending[seq] = call`, where a reader finds it by key and
answers on its channel (`call.done <- call`), then, on a failure, deletes
the entry with the same key and returns in the same block without
answering; a caller waiting on `<-....done` with a plain receive then
waits forever. A block that takes the call back out of the map before
the delete is left to the taker's answer.

A reply the dispatcher skips on a test its waiter makes: in the loop that
takes pending calls out of a map field by id and answers them (`ch :=
c.pending[r.ID]; delete(...); ch <- r`), a `continue` before the take, under
`if r.Err != ""`, while the caller waiting on its plain `<-ch` tests the
same field the same way (`if r.Err != "" { return ... }`): the caller
expects those replies, and for one the dispatcher drops it waits forever.
A `continue` on a test the waiter does not make (a pushed update with id
0) is not judged.

A reader that leaves its pending calls: a goroutine (started with `go`,
looping with `for {`, deferring nothing) answers calls through a map field
of reply channels, itself or through one method it calls (`ch :=
c.pending[id]; delete(c.pending, id); ch <- body`), while callers store a
channel they made there and wait on it plainly (also through a helper that
registers and returns it, `id, ch := c.register(); ...; <-ch`); when the loop returns (a
failed read) and nothing anywhere ranges over that map to fail what is left,
the calls already pending wait forever, and so does every later one.

A hedged request: a function starts one sender on an unbuffered local
channel before its `select` loop and another in a different case of that
`select` (`case <-hedge.C: go ask(next, out)`), each sending once,
unconditionally, and returns from the case that receives an answer. Once
the hedge has started, two are in flight; the one not received blocks on
its send forever. The starts may be calls of a local closure holding the
`go` (`launch := func() { go ask(...) }`). A buffer, a sender that selects,
or a second request started only after an answer came stays silent.

An unbuffered field channel sent on by the constructor that makes it
before the constructor starts the goroutine that receives (`b.events <-
"started"; go b.loop()`): the constructor waits for itself.

An endless `for {` loop (no `return`, `goto` or `break` out of it) around
a `select` without `default` whose every case receives from a variable
that the case sets to nil once the channel is closed: when all are closed
no case can run, and the function blocks in the `select` forever.

An HTTP handler (a function taking an `http.ResponseWriter` and an
`*http.Request`), or a function it calls on its own goroutine, calling
`(*http.Server).Shutdown` with a context nothing can cancel: Shutdown waits
for every connection to go idle, including the one serving the handler.

Goroutines started once per round of a loop `for i := 0; i < n; i++`,
each sending a counted number of times on a local channel, while the
function receives fewer times per round of a loop with the same bound `n`
(a name it never assigns) and nothing else receives: for any `n` the
surplus senders block.

A receiver that leaves its `range` early: the only receive of a local
channel is a `range` whose body can `return` or `break` out, while the
other side still sends (a counted surplus, or any loop on an unbuffered
channel); the two sides are the function and a goroutine it starts, or two
goroutines it starts (`go`, or an errgroup's `g.Go`), or a goroutine it
starts and a function it then calls once on its straight line (`go
produce(out); return consume(out)`: the callee runs on the function's own
goroutine), so nothing else receives and the next send blocks forever.
Not a request/acknowledge lock-step: the receiver sends a request and, with
no way out in between, waits for the acknowledgement, which the other side
sends only after receiving that request in the same round.

One stop value for several waiters: a goroutine started from one `go`
statement run a counted number of times (`for i := 0; i < 4; i++ { go
func() { <-stop }() }`), each copy waiting once for a value on a local
channel, or a field of an instance the function allocates, while the
function (or a method it calls) sends on it fewer times and nothing
closes it. A value wakes one receiver; `close` wakes them all.

A pipeline stage fed too far ahead: a function starts a stage (a goroutine
ranging over a local channel `in` and sending each result on a local `out`
in the range's body), then sends on `in` more values (counted) than the
stage and the two buffers can take (one plus both capacities) before it
first reads `out`, outside the loop that feeds: the stage waits on `out`,
the function on `in`. A pool of K copies of the stage (a `go` in loops of
constant count) takes K values. When both channels are unbuffered, feeding
once per item of an input of any size (`for _, a := range addrs`, not a
literal, an array or a constant) counts too: more items than copies
deadlock. Fed that way, a pool whose size is read at run time (`for i :=
0; i < runtime.NumCPU(); i++ { go ... }`) is judged too: an input with more
items than copies (and buffered slots) deadlocks.

A buffered local channel a function alone receives from, filled in a loop
of a count the model cannot read (`for id := range pending { expired <-
id }`) with no receive inside that loop: once the buffer is full the send
waits for a receive only that function, blocked, could make. A range over
a literal, an array or a constant is the author's count and not judged.

A buffered field channel filled before its receiver runs: the function
allocating the instance sends (itself, or through methods it calls, each
once on its straight line) more values than the buffer holds before its
own first receive and before the `go` that starts the receiving
goroutine: the send that finds the buffer full waits forever.

A partner some path never starts: the only receiver of an unbuffered
local channel is a goroutine started under an `if` (no `else`), while the
function sends on the channel outside that `if`; or the goroutines that
send (one send each) are started by a `go` in a `range xs` loop whose body
can `continue` or `break` before it, while the function receives once per
element of the same `xs`. Conditions are not evaluated: a send inside the
same `if`, a buffer, or receives counted by the goroutines started stay
silent.

A quit sent to a loop that may be gone: the function sends on an
unbuffered quit channel, a local or a field of an instance it allocates
(`Close() { c.quit <- struct{}{} }`), whose only receiver is a `case` of a
goroutine's select loop, after it sent on (or closed) another channel
whose case in that loop can `return`.

A loop that waits again for a value already taken: an endless `for {`
whose `select` receives only from local channels that one goroutine, started
once before the loop, sends on at most once on any path (`errc <- err;
return` or `resc <- v`), with a case that goes round the loop again (a
`continue` after a retryable error, or a case that runs to the end of the
loop body). After that case the goroutine has sent its one value, and the
`select` waits forever. Another case (a context, a timer, `default`), a
second sender, a `close`, or any other use of the channels keeps it silent.

A signal dropped before anyone waits: the only send on an unbuffered local
channel is a `select` case with `default` (outside any loop), in a goroutine
the function starts once, and the function then waits for it with a plain
receive. The send goes through only if the receive is already waiting; if
the goroutine gets there first, the value is dropped and the receive waits
forever. A send retried in a loop, a buffered channel, a `close`, or any
other use of the channel keeps it silent.

A pipe writer whose reader left: `pr, pw := io.Pipe()` has no buffer, so
each write waits for the reader. A function that starts a goroutine given
(or capturing) `pw`, then reads `pr` in a loop (itself or through a reader
wrapped around it, `bufio.NewScanner(pr)`) and returns from inside that
loop without ever closing `pr` leaves the writer blocked in its next write
forever. Silent when `pr` is closed anywhere in the function (`defer
pr.Close()`, `CloseWithError`), or returned, stored, assigned, or handed to
a goroutine or to a function of the tree; a return on the error of a direct
read of `pr` (the writer closed its end) is no early exit.

A command waited for before its output is read: `out, _ :=
cmd.StdoutPipe()` (or `StderrPipe`), then `cmd.Wait()` (or `Run`) on the
function's straight line before the first use of `out`, which is not handed
to a goroutine first. The child blocks once it has filled the pipe's
buffer, and `Wait` waits for the child (the `os/exec` documentation calls
this incorrect).

A plain send in a channel's producer (the function that closes the channel
when done, `defer close(out)`) is reported when the same function's other
sends on that channel select on a way out (`<-ctx.Done()`, or a receive
whose case returns): the author has said its reader may stop reading, which
is when this send blocks for ever. The reader need not be in the analysed
code (a returned channel, a framework's output). A `default` case (drop when
full) or another input the `select` multiplexes is no such evidence, nor is
a sender that does not close the channel (`GIM102_unguarded_sends_*` in
`--debug`). The producer's first send on a buffered channel only it sends
on, outside loops (an earlier send followed by `return` does not count),
finds the buffer empty and is not reported; and a plain send in the body of
the way-out case itself (`case <-ctx.Done(): out <- Item{Err: ctx.Err()}`)
says the reader reads on until the close, so none of the producer's sends
is reported. Nor is any when every reader the tree shows cannot stop:
each receive is a `range` over the channel whose body has no `return`,
`break`, `goto`, `panic` or goroutine-ending call, and which runs whenever
its function started the goroutine (on its straight line, or in the branch
that holds the `go`); it takes every value until the close
(`GIM102_unguarded_sends_read_to_the_close`).

A function its callers call plainly (not as a goroutine, nor from a
goroutine literal) that ranges over an unexported field channel nothing
closes (`for line := range j.Lines()`, through a getter) and returns its
result only after the range, while every send on the field finishes (none
in an endless loop): once the last value is sent the range waits forever,
and its caller with it (`GIM102_synchronous_endless_ranges`).

A context made from one nothing else cancels (`ctx, cancel :=
context.WithCancel(context.Background())`, or a local or an unexported
function's parameter filled that way) and kept with its cancel in the
fields of one literal of a struct of the tree (`&Lease{ctx: ctx, cancel:
cancel}`), whose cancel field is named nowhere in its package but in plain
calls `x.cancel()`, all in one function, which can `return` before them,
while a function started with `go` waits on the field with a plain
`<-x.ctx.Done()`: on that return nothing ends the context, and the goroutine
waits forever (`GIM102_context_cancels_skipped`).

A function of the tree that runs the literal it is given on a goroutine of
its own (`sh.QueryAsync(q, func(...) { replies <- r })`) starts it, like a
`go` statement. A producer's skipped close is reported when the maker
starts both the producer and the rangers, and when the consumer leaves its
range only on its own failures (an exit under an `if` that does not test
the received value cannot end a range waiting for values; a sentinel test
can). A reply channel taken out of its map by a helper that deletes the
entry and returns it (`d.take(id)`) and dropped by one caller, while
another sends on it, leaves the caller that kept it waiting
(`GIM102_taken_replies_dropped`).

A skipped send is also judged when every receive sits in one function of
the tree the maker hands the channel to (`return c.gather(results,
len(c.shards))`), and when the sender's sends sit in a retry loop but each
ends the goroutine (`won <- nil; e.renew(ctx); return`), for a goroutine
that is the channel's only sender; a receive under `if len(ch) > 0` never
waits and is left out. A producer whose every `close` ends its branch
(`close(out); return` on `io.EOF` and on `ctx.Done()`) skips the close on
any other way out. A `break` out of a receive loop is judged for a
constant buffer when the `go` and the receive each run once per item of
the same collection filled at run time (`for _, p := range c.probes`).

A request and its answer on two field channels of one value (`l.f.in <- b;
ack := <-l.f.acks`) are judged like a reply channel carried in the
request: when one server loop is the only receiver of the requests and the
only sender of the answers, a round that received a request and leaves
without answering (`continue` on a failed apply) strands the caller.

## Why is this bad
A blocked goroutine is never collected: it keeps its stack and everything
it references (a connection, a response, a request context) until the
process exits. The leak grows with every timeout or error, which is exactly
when a service is already under stress, and tests rarely see it because the
happy path receives.

## Example
```go
func fetch(ctx context.Context, url string) (*Result, error) {
    ch := make(chan *Result)          // unbuffered
    go func() { ch <- download(url) }()
    select {
    case r := <-ch:
        return r, nil
    case <-ctx.Done():
        return nil, ctx.Err()         // the goroutine above now blocks forever
    }
}
```

## Fix
Give the channel room for every sender (`make(chan *Result, 1)` for one
goroutine, the number of goroutines for a fan-out), so a send always
completes; or make the sender give up too:
`select { case ch <- r: case <-ctx.Done(): }`.

## Known limits
- A receive loop that binds `v, ok := <-ch`, or tests the value it
  received `if v == nil {` right after (a closed channel of pointers gives
  nil; a nil may also be the sender's stop sentinel), leaves by the
  protocol: that exit is not judged as one that strands a sender.
- A send loop that receives anything else each round (a request, a value
  to relay) sends once per value it gets, which the model counts only for
  the relay above (values fed by the function itself, a counted number of
  times); otherwise it is not judged (`GIM102_senders_uncounted`). Nor is one that checks
  `ctx.Done()` only on a branch (after a read fails): what paces it, a
  socket say, is not in sight.
- A helper that stops receiving only by returning an error, when its caller
  tests that error right after the call and ends the process on it
  (`log.Fatal`, `os.Exit`), strands no sender worth reporting: the sender
  ends with the process (`GIM102_failures_ending_the_process`).
- An exit in `case <-t.Context().Done():` of the test function `t` belongs
  to never runs while that function waits: the testing package cancels the
  context only after it returns (`GIM102_exits_on_the_running_test_context`).
- An exit under `if !ok` of `v, ok := <-ch` (or a select case's), on the
  stuck channel itself, runs only once something closes it: when nothing
  does, that exit strands nobody (`GIM102_exits_on_a_close_that_never_comes`).
- A goroutine left sending when `main` itself returns (an interrupt case
  that returns before the receive) ends with the process
  (`GIM102_senders_left_when_main_returns`); any other function that
  returns that way is still reported.
- A sender's `case <-ctx.Done(): return` strands no waiter when that
  context cannot end while the waiter waits: made from
  `context.Background()` or `TODO()` by `WithCancel`, with a cancel that
  only the waiting function calls, deferred or after its wait (for a field
  channel: the instance's context field given once in its allocation, the
  cancel called only deferred by the allocating function, also through a
  func field as in `defer t.Stop()`)
  (`GIM102_skips_on_a_context_only_the_waiter_cancels`). A cancel handed
  on, called before the wait, or a context with a deadline is still
  reported.
- An exit that first receives from a channel the sending goroutine closes
  where no send of its can follow (a deferred `close`, `close(done);
  return` inside its loop, a close after the loop) leaves no sender
  behind, for the starter's own receive and for a helper's
  (`GIM102_exits_after_sender_signal`). So does an exit under `if !ok`
  of a comma-ok receive from the channel itself, when every `close` of it
  is made by a function that also sends on it: its producer closed it, and
  no sender can be waiting on a closed channel
  (`GIM102_exits_on_a_closed_channel`). A closer of its own is still
  judged: a sender it outran panics.
- A goroutine that serves a server and sends only an error its stop does
  not give (one guarded against `http.ErrServerClosed`, or any error of a
  gRPC server's `Serve`, which returns nil once stopped) has nothing to
  send once the starter, on its way out, calls that server's `Shutdown`,
  `Close`, `GracefulStop` or `Stop` (`GIM102_exits_stopping_the_senders_server`).
  An exit that does not stop it is still reported.
- Only channels whose whole life is visible are judged: made once, in one
  function, with a constant capacity, received only by that function's own
  statements (or by one helper it calls once, outside loops, with the
  channel), sent on only by goroutines it starts with `go`, and never
  returned, stored or passed to code outside the analysed tree. Everything
  else is silence; `--debug` counts each reason (`GIM102_channels_*`, and
  `GIM102_instances_*` for channels judged per call site).
- A channel passed on through parameters is followed at most three calls
  deep; a parameter that is stored, sent, returned, reassigned or passed to
  code the model cannot see makes the whole channel escape (silence). A
  helper that receives is judged alone: its own early return, with the
  caller receiving nothing afterwards.
- A send inside any `select` is taken as non-blocking (it has a `default`,
  a `ctx.Done()` or another way out). Goroutines started by `errgroup`'s
  or `WaitGroup`'s `Go` (by the group's type, or a local from
  `errgroup.WithContext`), or by an in-tree method named `Go` that runs
  its last parameter on a goroutine it starts, count as started like `go`
  for the skipped send (a receive whose only sender returns first) and
  for the forgotten sender (a receiver that leaves first); a receive after the
  group's `Wait` is not judged (`GIM102_skips_reported_by_group_wait`: the failure is heard
  there). Other shapes do not follow them. The function `time.AfterFunc(d,
  f)` runs counts as a goroutine started there, for the forgotten sender
  too, unless the function stops the returned Timer (or keeps it in a
  field): a stopped timer may never run f. So, for the forgotten sender,
  does a plain call of a function of the tree that does nothing but start
  goroutines (no send, receive or returned value of its own: `s.launch(ctx,
  b, q, results)` running `go func() { out <- ... }()`).
- Early exits are `return` statements and what leaves like one:
  `runtime.Goexit()`; `Fatal`, `Fatalf`, `FailNow`, `Skip`, `Skipf`,
  `SkipNow` on a `*testing.T`, `*testing.B`, `*testing.F` or `testing.TB`
  (a test that times out with `t.Fatal` leaves its sender behind); a
  `panic(...)` that a deferred `recover()` of the function or of a caller
  up to four calls up in the same goroutine catches, or the `net/http`
  server; a `break` out of a loop that receives, when no receive
  follows the loop and no loop around it can come back to it; and, on the
  same terms, an assignment that can make such a loop's condition false
  (`case errc = <-p.quit:` in `for errc == nil`, `done = true` in `for
  !done`; conditions of the forms `x == nil`, `x != nil`, `!x` and `x`,
  with no receive later in that round). `log.Fatal`,
  `os.Exit` and a panic nothing is seen to recover end the process, so
  nothing is left to leak (`GIM102_panics_not_seen_recovered`). `goto` is
  not followed, nor is a helper of the test's own (or a library such as
  testify's `require`) that calls `t.Fatal` for it, and neither is an exit
  that comes after a receive from another channel the same goroutine sends
  on (the exit may be the sender's own signal).
- Senders are counted at each exit: only the `go` statements that can run
  before it on its path (one after it, or on the other side of an `if` or
  another case, never started; of two on exclusive branches one counts, up
  to 16 `go` statements on the channel), less the receives made on the way
  to it (a select passed only through its receive case, every other case
  leaving, counts as a receive on the way). A receive inside a loop that
  ran to its end before the exit may have heard every sender: such an exit
  is not reported (`GIM102_exits_after_receive_loop`), nor is one taken only
  once a counter of the senders is down to zero (`if n == 0 { break }` after
  `n--` in the receive's handler, with `n++` beside the `go`:
  `GIM102_exits_when_senders_counted_down`), nor one after `wg.Wait()` on
  the path, when each sender defers its `wg.Done()` (or calls it after its
  last send) on the same WaitGroup: the senders are done by then, and if one
  is still blocked the `Wait` never returns, which GIM106 reports
  (`GIM102_exits_after_waiting_for_senders`; only when a receive from the
  channel follows the `Wait`: with none, the exit is reported). At an exit other
  than `return`, a buffered channel fed by a loop of senders, or by senders
  reached through an interface or a function value, is not judged
  (`GIM102_buffered_uncertain_senders_at_early_exit`): tests size such
  buffers to a loop bound the model does not read.
- A `t.Fatal` (Skip, FailNow...) is judged in a case of the receive's own
  `select` (the timeout beside it) or after a receive on its way (the
  first error of several); one under an `if` before any receive is mostly a
  set-up failure (a dial, a handshake) the sender itself waits on, and is
  judged only when the sender cannot influence the condition: no name in it
  is assigned after the `go`, and it calls nothing with arguments (`n < 0`,
  `testing.Short()`); otherwise it is not (`GIM102_test_exits_before_any_receive`). Neither is an early
  exit of a function that defers `close` of the channel (the late sender
  panics instead, `GIM102_early_exits_closing_the_channel`), nor one after
  a receive from a channel the sender closes (its done signal).
- A case of the receive's `select` that runs on to the end of the
  function leaves like a `return` too, when the `select` is in no loop, no
  receive from the channel follows it, the function is not `main` (whose
  end ends the process), the case calls no `t.Fatal` or `t.Skip` (judged
  as that exit), and the senders are counted (not a `go` or a send in a
  loop).
- Senders are counted one per `go` statement; a `go` statement or a send in
  a loop counts as unboundedly many, so any constant buffer is too small,
  unless the send is followed by a `return` or a `break` out of that loop
  (made once).
- Conditions are not evaluated: an early return the program can never
  take (or only after the sender finished) is still a path.
- A `range` nobody closes is reported only when the channel is local,
  closed nowhere (through calls, defers and literals, any `close` of it
  silences), never escapes, and the range has no `return`, `break`, `goto`
  or `panic` of its own. A send in a `for {` loop or in a loop that receives
  from a channel is a long-lived producer: a worker pool ranging forever is
  then the design, and nothing is reported. So is a send in a function
  literal that outlives its maker: returned, stored, or put in a composite
  literal handed to a call (a client's `OnMessage` callback, called for
  every message). In `main`, a goroutine left ranging ends with the process
  and is not reported.
- A skipped send is reported only when the goroutine sends directly (not
  through calls), once (not in a loop, not in a `select`), defers nothing
  that sends, and the return's own branch sends nothing (an error channel
  the receiver may hear). A goroutine with no `return` that sends only
  inside an `if` with no `else` (`if err == nil { ch <- v }`) ends without
  sending when the condition is false, and is reported the same way unless
  something outside that `if` sends. The receiver must be a plain `<-ch`.
  It is not reported either when, before the return, the goroutine sent on
  another channel that the receiver reads first and may leave after
  (`errc <- err; if err != nil { return }` against `if err := <-errc; err
  != nil { t.Fatal(err) }` before `<-data`). Nor when, on a field channel
  of an instance, the waiter sends its request right before the receive
  and the goroutine takes that request only in select cases that go on to
  the send (`w.sync <- req; return <-w.syncErr` against `case <-w.sync:
  ...; w.syncErr <- err`; `GIM102_skips_after_own_request`).
- A field channel is judged only on an instance allocated in the function
  (or by a constructor with one result that returns its own `&T{...}`)
  whose every use is a method call on it, a field access, or a send,
  receive, `range`, `close`, `len` or `cap` of a channel field: stored,
  passed, returned, converted to an interface, a method value taken or a
  channel field handed on, and the instance is not judged. The field must
  be made once, with a constant capacity. Methods of embedded types, more
  than 64 functions or goroutines on the walk, and `main` (whose end ends
  the process) are not followed. A goroutine left ranging over a field
  that nobody waits for is not reported (a watcher running past the test
  is common and often intended). `--debug` counts each reason
  (`GIM102_field_*`).
- A sender counted on a field channel sends directly in the goroutine
  (not through calls), outside any `select`, with no `return` or jump
  before its last send: straight-line sends, one `for {` with no way out,
  or one `for i := 0; i < K; i++` (a post statement other than
  `i++` leaves it uncounted). The allocating function's receives must all be plain `<-x.ch`
  in its own body (or straight in a method it calls directly), outside
  any branch or loop, after the `go`.
- A send after `cancel()` is reported only when the receiving goroutine is
  started by the allocating function itself with that `ctx`, receives
  only in one `select` of an endless `for {` loop whose `ctx.Done()` case
  returns, and the `cancel()` and the send (the function's own, or straight
  in a method it calls directly) are both unconditional and outside any
  `select`, and more sends follow the `cancel()` than the buffer holds. The
  goroutine may still take one of them before it sees the cancellation;
  the send then waits for the next.
- A circular wait is judged only on local channels made once with a
  constant capacity and never handed to code the model cannot see (the
  instances above), followed into the goroutine's literal or the function
  or method it runs with the channel as an argument; and on struct-field
  channels made once (`&T{ch: make(chan int)}`, in the function or a
  constructor it calls) of a struct the function holds in one variable
  and never hands to code nothing resolves, the goroutine being a literal
  or a method of that variable (`go srv.loop()`); for those, the partners
  are the operations in the function, the goroutine and what they call
  (three calls deep). The function's blocking operation may be a call to a
  method of the same variable that blocks first thing (`srv.Wait()`).
  Every partner of both operations must be seen: the
  goroutine's release (a `close`, send or receive of the channel the
  function blocks on) in the goroutine itself, after its own operation or
  deferred; the partner of the goroutine's operation in the function
  itself, after its blocking one. A send the function blocks on must be on
  an unbuffered channel; a send of the goroutine on a buffered one blocks
  only when its own sends outside branches and loops exceed the buffer.
  Operations inside a `select` and `range` loops of the function are not
  judged. `--debug` counts what was given up (`circular_*`).
- A waiter for a never-stopped goroutine is judged on local channels (made
  by the function that starts the goroutine with one `go` outside any
  branch or loop, and waits on a plain `<-done`, or `wg.Wait()` of a local
  WaitGroup whose only `Done` the goroutine literal defers, after it,
  outside any branch or loop) and on struct-field channels of one instance (as above;
  the wait unconditional, in the allocating function or straight in a
  method it calls after the goroutine started). The goroutine's function
  must leave only after the stop receive: any other `return`, a `break`
  out of its endless loop, a `goto`, a `panic`, `t.Fatal`, `os.Exit` or a
  loop that can end makes it silent (`GIM102_stop_receivers_with_other_exits`);
  its done signal must be deferred or come after the stop receive, in the
  goroutine itself (not in a deferred literal or a function it calls); a
  WaitGroup counting another goroutine too is not judged.
- Counted sends and receives are judged on local channel instances only,
  between the making function and one goroutine it starts outside any
  branch or loop (or a pool of ranging workers started by one `go` in
  loops of constant trip count and no branch: each worker may leave after
  one receive, so the sends must exceed the workers plus the buffer),
  each side sending or receiving directly (not through
  calls), one receiving and the other sending, with no send in a `select`
  and no `close` by the receiving side. The range must be the only receive;
  a send count the model cannot read (a `range` over a slice) is judged
  only on an unbuffered channel with every send in a loop. Sends that end
  with one of their own after a loop of them (an end marker, `ch <- -1`)
  are not judged: the early exit may answer that marker. A goroutine whose
  sends sit in branches (none in a loop) is counted on its longest path:
  the sends one path makes in order, each reached from the one before with
  no `return`, jump or `t.Fatal` between (`if err != nil { ch <- err }`
  then `ch <- nil` sends twice); the branch conditions are not evaluated,
  so two branches that cannot both be taken still count. Plain receives
  are counted straight or in a constant-trip loop. `main` is judged only as
  the sender. `--debug`: `GIM102_counted_*`. On a field channel of one
  instance (as above) the range must be the only receive and the field
  closed only by the sending side: in the allocating function's body with the goroutine
  sending, or straight in the goroutine with the allocating function
  sending (in its own body, counted, or once per unconditional call of a
  method that sends).
- A quit send is judged on local channel instances (the `go` and the
  sends straight in the function, the trigger between them) and on field
  channels of one instance: unbuffered,
  closed nowhere, sent on only by the allocating function (itself or
  straight in a method it calls), unconditionally and outside any
  `select`; received only in `case`s of one goroutine whose other case
  (on a field channel the function sent on or closed after starting it)
  holds a `return`. Conditions are not evaluated, except that a
  `v, ok := <-ch` case counts only after a `close` of that channel.
  `--debug`: `GIM102_quit_sends_not_certain`.
- A nil channel is reported only when the variable is never assigned at
  all (nor its address taken). A variable made on some paths only is not
  followed, and `select {}` is reported only on a branch of a function that
  on its other path returns in a `case <-ctx.Done():` of its own (parking
  `main` or a server goroutine is the idiom),
  nor is a receive from a nil local that is the last statement of `main`
  (`var exit chan bool; <-exit`, the same park; counted as
  `GIM102_nil_receives_parking_main`).
  A nil field is reported only when the field is unexported and no field of
  that name is assigned, set in a keyed literal or has its address passed
  anywhere in the analysed code, whatever the type, and no literal without
  keys builds its type, while some keyed literal does build it (a type
  no literal builds is dead code or built out of sight: silence, counted
  as `GIM102_nil_fields_of_types_never_built`); operations inside a `select` (a disabled case is an
  idiom) never count. Code excluded from the analysis (generated files,
  unless `--include-generated`) is not seen setting it. A field one
  constructor makes and a sibling constructor leaves out of its keyed
  literal is reported when both are functions named `New…`, every make is
  in such a literal, nothing assigns the field and no use of it is checked
  for nil; a method or helper building a value for one use (a lister that
  fills only the channel its caller reads) is not a constructor here. A
  field a `New…` constructor makes only under an `if` on one option
  (`if opt.Window > 0 { p.ready = make(...) }`) is reported when a call
  outside tests passes a keyed literal without that option, nothing else
  assigns the field, and the waiting function tests neither the field for
  nil, nor the option, nor a field the constructor copies it into.
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.circular import CIRCULAR
from golint_im.analysis.partners import PARTNERS, UNBOUNDED
from golint_im.analysis.syncprims import SYNC_PRIMITIVES
from golint_im.analysis.unclosed_implementations import UnclosedGetterField
from golint_im.findings import Finding, Location, Related, Step, display_name, op_location
from golint_im.program import enclosing_regions
from golint_im.rules._block_wording import branch_text
from golint_im.rules._circular_wording import circular_finding

ID = "GIM102"
NAME = "goroutine-stuck-on-channel"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = "A goroutine blocks forever on a channel: its receiver left, its range is never closed, its sender returned"
REQUIRES = (PARTNERS, CIRCULAR, SYNC_PRIMITIVES)


def check(ctx):
    """Every shape's findings, one per blocking operation and channel: two shapes that reach the same
    op on the same channel by different roads (a close a goroutine skips, seen from the closer and
    from the field's instance) tell one bug, and the first told stays. One op blocking on two
    channels (a helper's send, given a different channel by each of two goroutines) is two bugs."""
    told: set[tuple] = set()
    for finding in _findings(ctx):
        made = frozenset((r.location.path, r.location.line) for r in finding.related if _MADE_HERE in r.message)
        where = (finding.location.path, finding.location.line, finding.location.col, made)
        if where not in told:
            told.add(where)
            yield finding


def _findings(ctx):
    partners = ctx.result(PARTNERS)
    for s in partners.stuck:
        yield _finding(s)
    awaited = set()  # waits told with the range nothing closes, from the ranging side
    for u in partners.unpaired.unclosed:
        if u.awaited is not None:
            awaited.add(id(u.awaited[1]))
        yield _unclosed_finding(u)
    for k in partners.unpaired.skipped:
        yield _skipped_finding(k)
    told_exits = set()
    for sc in (*partners.unpaired.skipped_closes, *partners.fields.skipped_closes):
        told_exits.add((sc.closer.id, id(sc.exit)))
        yield _skipped_close_finding(sc)
    for er in partners.endless_range_waits:
        if er.skipped is not None and (er.skipped[0].id, id(er.skipped[1])) in told_exits:
            continue  # the same skipped close, told from the closer's side
        if id(er.wait) in awaited:
            continue
        yield _endless_range_wait_finding(er)
    for sr in partners.synchronous_endless_ranges:
        if sr.skipped is not None and (sr.skipped[0].id, id(sr.skipped[1])) in told_exits:
            continue
        yield _synchronous_endless_range_finding(sr)
    for sc in partners.skipped_cancels:
        yield _skipped_cancel_finding(sc)
    for pb in partners.parked_on_branches:
        yield _parked_on_branch_finding(pb)
    for ud in partners.unclosed_deletes:
        yield _unclosed_delete_finding(ud)
    for ds in partners.dropped_subscriptions:
        yield _dropped_subscription_finding(ds)
    for ui in partners.unclosed_implementations:
        yield _unclosed_implementation_finding(ui)
    left_early = {id(e.range_op) for e in partners.early_leaves}  # told below, from the sender's side
    for dsub in partners.deserted_subscribers:
        if id(dsub.range_op) not in left_early:
            yield _deserted_subscriber_finding(dsub)
    for pn in partners.parked_with_nothing_running:
        yield _parked_with_nothing_running_finding(pn)
    for sr in partners.skipped_replies:
        yield _skipped_reply_finding(sr)
    for ar in partners.abandoned_replies:
        yield _abandoned_reply_finding(ar)
    for n in partners.unpaired.nil_ops:
        yield _nil_finding(n)
    # A field a sibling constructor leaves out is told from one instance when one is in sight.
    siblings = [nf for nf in partners.unpaired.nil_fields if nf.built is not None and nf.checked is None]
    for nf in partners.unpaired.nil_fields:
        if nf not in siblings:
            yield _nil_field_finding(nf)
    told_nil = {nf.label for nf in partners.unpaired.nil_fields if nf not in siblings}  # told above
    for ni in partners.fields.nil_uses:
        if ni.label not in told_nil:
            told_nil.add(ni.label)
            yield _nil_instance_field_finding(ni)
    for nf in siblings:
        if nf.label not in told_nil:
            yield _nil_field_finding(nf)
    for r in partners.fields.short:
        if r.owner.id not in partners.budget.cut:
            yield _short_finding(r)
    for q in partners.quit_after_exit:
        yield _quit_after_exit_finding(q)
    for g in partners.fields.gone:
        if g.owner.id not in partners.budget.cut:
            yield _gone_finding(g)
    for u in partners.unheard:
        yield _unheard_finding(u)
    for uf in partners.unheard_fields:
        yield _unheard_field_finding(uf)
    for lone in partners.lone:
        yield _lone_finding(lone)
    for af in partners.abandoned_field_senders:
        yield _abandoned_field_finding(af)
    for uh in partners.unheard_field_senders:
        yield _unheard_field_senders_finding(uh)
    for st in partners.stalled_stages:
        yield _stalled_stage_finding(st)
    for on in partners.outnumbered:
        yield _outnumbered_finding(on)
    for o in partners.outnumbered_rounds:
        yield _outnumbered_round_finding(o)
    for ls in partners.loop_started:
        yield _loop_started_finding(ls)
    for h in partners.hedged:
        yield _hedged_finding(h)
    for d in partners.dropped_calls:
        yield _dropped_call_finding(d)
    for d in partners.dropped_taken:
        yield _dropped_taken_finding(d)
    for sr in partners.tested_replies_skipped:
        yield _skipped_tested_reply_finding(sr)
    for a in partners.abandoned_pending:
        yield _abandoned_pending_finding(a)
    for u in partners.undersignalled:
        yield _undersignalled_finding(u)
    for of in partners.overfilled_fields:
        yield _overfilled_field_finding(of)
    for ur in partners.unstarted_receivers:
        yield _unstarted_receiver_finding(ur)
    for ss in partners.skipped_starts:
        yield _skipped_start_finding(ss)
    for dead in partners.dead_context_waits:
        yield _dead_context_finding(dead)
    for a in partners.abandoned:
        yield _abandoned_finding(a)
    for b in partners.ineffective_breaks:
        yield _ineffective_break_finding(b)
    for r in partners.received_again:
        yield _received_again_finding(r)
    for x in partners.send_first:
        yield _send_first_finding(x)
    for o in partners.outlived:
        yield _outlived_finding(o)
    for ls in partners.late_sends:
        yield _late_send_finding(ls)
    for ar in partners.abandoned_results:
        yield _abandoned_result_finding(ar)
    for dc in partners.dead_closes:
        yield _dead_close_finding(dc)
    for sw in partners.short_workers:
        yield _short_worker_finding(sw)
    for n in partners.nilled_selects:
        yield _nilled_select_finding(n)
    for s in partners.self_shutdowns:
        yield _self_shutdown_finding(s)
    for u in partners.unguarded:
        yield _unguarded_finding(u)
    for w in ctx.result(SYNC_PRIMITIVES).stopped_timer_waits:
        yield _stopped_timer_finding(w)
    drained = set()
    for d in ctx.result(SYNC_PRIMITIVES).timers_drained_twice:
        drained.add(id(d.recv))
        yield _drained_twice_finding(d)
    for t in ctx.result(SYNC_PRIMITIVES).timers_drained_after_another_taker:
        if id(t.recv) not in drained:
            yield _drained_after_another_taker_finding(t)
    for r in ctx.result(SYNC_PRIMITIVES).ranged_tickers:
        yield _ranged_ticker_finding(r)
    for n in partners.never_stopped:
        yield _never_stopped_finding(n)
    for r in partners.short_locals:
        yield _short_finding(r)
    for e in partners.early_leaves:
        yield _early_leave_finding(e)
    for o in partners.self_overflows:
        yield _self_overflow_finding(o)
    for od in partners.overdrawn_selects:
        yield _overdrawn_select_finding(od)
    for ds in partners.dropped_signals:
        yield _dropped_signal_finding(ds)
    for ap in partners.abandoned_pipes:
        yield _abandoned_pipe_finding(ap)
    for wr in partners.waits_before_reading:
        yield _wait_before_read_finding(wr)
    for sr in partners.self_receives:
        yield _self_receive_finding(sr)
    for w in ctx.result(CIRCULAR).found:
        if not w.is_group:
            yield circular_finding(w, ID, SEVERITY)


def _self_receive_finding(r):
    """A goroutine receiving from an unbuffered channel only it sends on."""
    loc = op_location(r.recv_fn, r.recv)
    send_loc = op_location(r.send_fn, r.send)
    chain = " → ".join(f"`{c.short}`" for c in (r.root, *(t for t in _path_callees(r)))) if r.path else ""
    via = f" (through {chain})" if chain else ""
    message = (
        f"the goroutine running `{r.root.short}` (started at line {r.go_op.line} of `{r.go_fn.short}`) reaches "
        f"this receive from `{r.text}`{via}, but it is the only goroutine that sends on `{r.label}` "
        f"(unbuffered, never closed; its send at {_where(send_loc, loc)}): it waits for a value "
        f"only it can send, so it blocks forever. Fix: do not wait for the reply on the goroutine that "
        f"delivers replies (hand the call to another goroutine, or answer it directly)."
    )
    steps = [Step(op_location(r.go_fn, r.go_op), f"starts the goroutine running `{r.root.short}`")]
    steps.extend(
        Step(op_location(fn, op), f"`{fn.short}` calls `{callee.short}`") for (fn, op), callee in _path_steps(r)
    )
    steps.append(Step(loc, f"waits on `{r.text}`, which only this goroutine sends on"))
    steps.append(Step(send_loc, f"the only send on `{r.label}`, run by this same goroutine"))
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(send_loc, f"the only send on `{r.label}`"),),
        steps=tuple(steps),
        key=f"{r.recv_fn.qualname}|{r.label}|self-receive",
    )


def _where(at, here) -> str:
    """`line N`, with the file when it is not here's."""
    return f"line {at.line}" if at.path == here.path else f"{at.path}:{at.line}"


def _path_steps(r):
    """(call, the function it calls) along the path from the goroutine's method to the receive."""
    callees = [*(fn for fn, _op in r.path[1:]), r.recv_fn]
    return list(zip(r.path, callees, strict=True))


def _path_callees(r):
    return [callee for _call, callee in _path_steps(r)]


def _capacity_text(cap: int) -> str:
    return "unbuffered" if cap == 0 else f"buffer {cap}"


def _senders_text(n: int) -> str:
    if n == UNBOUNDED:
        return "senders or sends in a loop"  # goroutines started in one, or one goroutine sending in one
    return "1 sender" if n == 1 else f"{n} senders"


def _exit_verb(s) -> str:
    """What the receiving function does at its exit, for the related location."""
    how = s.exit.how
    if s.exit.falls_off:
        return "ends"
    if how in ("goexit", "fatal"):
        return "ends its goroutine"
    if how == "panic":
        return "panics"
    if how in ("break", "condition"):
        return "leaves its receive loop"
    return "returns"


def _leaves(s) -> str:
    """How the receiving function leaves: "returns", the call that ends its goroutine, the
    recovered panic, or the `break` out of its receive loop."""
    how, op = s.exit.how, s.exit.op
    if s.exit.falls_off:
        return "ends the function"
    if how in ("goexit", "fatal"):
        return f"calls `{E.render(op.fn)}{'()' if not op.args else '(…)'}` (the goroutine ends there)"
    if how == "panic":
        catcher, by_http = s.exit.recovered
        if by_http:
            return f"panics (the net/http server recovers `{catcher.short}`)"
        if catcher is s.waiter:
            return "panics (its deferred `recover()` makes it return)"
        return f"panics (recovered by the deferred `recover()` of `{catcher.short}`)"
    if how == "break":
        return "breaks out of its receive loop (nothing receives after it)"
    if how == "condition":
        loop = _loop_of(s)
        cond = f"`for {E.render(s.waiter.facts.regions[loop].info)}`" if loop is not None else "its condition"
        name = E.render(op.targets[0])
        return f"assigns `{name}`, which ends its receive loop ({cond}; nothing receives after it)"
    return "returns"


def _loop_of(s) -> int | None:
    """The `for` loop whose condition an exit by condition ends: the innermost around the assignment."""
    facts = s.waiter.facts
    return next((r for r in enclosing_regions(facts, s.exit.op.region) if facts.regions[r].kind == "for"), None)


def _why(s) -> str:
    """Why the receiving function leaves: the case, branch or loop around its `return`."""
    facts = s.waiter.facts
    if s.exit.region >= 0 and facts.regions[s.exit.region].kind in ("for", "range"):
        return _leaves(s) if s.exit.how in ("break", "condition") else f"{_leaves(s)} from inside its receive loop"
    return branch_text(facts, s.exit.region, _leaves(s))


def _send_text(s, cap: str) -> str:
    """The send, naming the parameter it goes through when the sender holds the channel by another name."""
    held = E.ident(s.send.fn)
    if held is not None and display_name(held) != display_name(s.channel.label):
        return f"sends on `{held}`, which is `{s.channel.label}` of `{s.owner.short}` ({cap}): waits for a receiver"
    return f"sends on `{s.channel.label}` ({cap}): waits for a receiver"


def _finding(s):
    ch, owner, send, waiter = s.channel, s.owner, s.send, s.waiter
    path = owner.file.path
    send_loc = Location(s.sender.file.path, send.line, send.col)
    go_loc = Location(path, s.go_op.line, s.go_op.col)
    exit_loc = op_location(waiter, s.exit.op)
    recv_loc = op_location(waiter, s.receive)
    cap = _capacity_text(ch.capacity)
    why = _why(s)
    if s.helper is None and s.helper_call is not None:
        receive = f"the call at line {s.receive.line} that receives"
    else:
        receive = f"the receive at line {s.receive.line}"
    before = (
        f"before it has heard every sender (receive at line {s.receive.line})"
        if s.exit.after_receive
        else f"without reaching {receive}"
    )
    steps = [Step(go_loc, f"`{owner.short}` starts the sending goroutine" + _timer(s.go_op))]
    for caller, op, callee, via in s.path:
        text = f"calls `{callee.short}`" + (f" (resolved from {via})" if via else "")
        steps.append(Step(op_location(caller, op), text))
    steps.append(Step(send_loc, _send_text(s, cap)))
    if s.helper is not None:
        steps.append(
            Step(
                op_location(owner, s.helper_call), f"`{owner.short}` passes `{ch.label}` to `{waiter.short}` to receive"
            )
        )
    steps.append(Step(exit_loc, f"`{waiter.short}` {why} at line {s.exit.op.line}, {before}"))
    only = "the only receive" if len(ch.receives) == 1 else "the receive"
    steps.append(Step(recv_loc, f"{only} from `{ch.label}`, skipped on that path"))
    room = f"{_senders_text(s.senders)}, {cap}"
    if s.send_loop == "endless":
        fix = ""  # a loop of sends: no buffer holds them all, only the select below helps
    elif s.send_loop == "counted":
        fix = f"give `{ch.label}` a buffer for every send of the goroutine's loop"
    elif s.senders == UNBOUNDED:
        fix = f"make `{ch.label}` with one buffer slot per goroutine started"
    else:
        fix = f"give `{ch.label}` a buffer of {s.senders}"
    select = f"`select {{ case {ch.label} <- v: case <-ctx.Done(): }}`"
    if s.closed_on_exit:
        remedy = (
            f"{fix} and do not close it on the receiving side, or send with {select}"
            if fix
            else f"do not close it on the receiving side, and send with {select}"
        )
        message = (
            f"goroutine started at line {s.go_op.line} sends on `{ch.label}` ({room}) after `{waiter.short}` "
            f"{why} at line {s.exit.op.line} {before}: its deferred `close({ch.label})` has run by then, so the "
            f"send panics (send on closed channel). Fix: {remedy}."
        )
    else:
        remedy = (
            f"{fix}, or send with {select}"
            if fix
            else f"send with {select} (the goroutine sends in a loop, so no buffer is large enough)"
        )
        message = (
            f"{_started(s.go_op)} can block forever sending on `{ch.label}` ({room}): "
            f"`{waiter.short}` {why} at line {s.exit.op.line} {before}, and nothing else receives. Fix: {remedy}."
        )
    related = [
        Related(exit_loc, f"`{waiter.short}` {_exit_verb(s)} here without receiving"),
        Related(recv_loc, f"{only} from `{ch.label}`"),
    ]
    mfn, mop = ch.make_sites[0]
    if mop is not None:
        related.append(Related(op_location(mfn, mop), f"`{ch.label}` made here ({cap})"))
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{owner.qualname}|{ch.label}",
    )


def _made_here(ch) -> list:
    mfn, mop = ch.make_sites[0]
    if mop is None:
        return []
    cap = "unknown buffer" if ch.capacity is None else _capacity_text(ch.capacity)
    return [Related(op_location(mfn, mop), f"`{ch.label}`{_MADE_HERE}({cap})")]


# In every note naming where a channel is made: check() tells the channels of a finding apart by them.
_MADE_HERE = " made here "


def _made_type(ch) -> str:
    """The channel type its one `make` names (`chan string`), else ""."""
    if len(ch.make_sites) != 1 or ch.make_sites[0][1] is None:
        return ""
    op = ch.make_sites[0][1]
    if op.kind == "call" and E.is_ident(op.fn, "make") and op.args:
        return E.render(op.args[0])  # the make call itself
    made = next((E.call(a) for a in op.args if E.is_ident(E.callee(a), "make")), None)
    return E.render(made[1][0]) if made is not None and made[1] else ""


def _wait_text(op) -> str:
    """`wg.Wait()` for a call, `<-done` for a receive."""
    return f"<-{E.render(op.fn)}" if op.kind == "recv" else f"{E.render(op.fn)}()"


def _unclosed_finding(u):
    ch, owner = u.channel, u.owner
    name = ch.label
    range_loc = op_location(u.ranger, u.range_op)
    steps = []
    starter = u.starter or owner
    if u.go_op is not None:
        steps.append(
            Step(op_location(starter, u.go_op), f"`{starter.short}` starts the goroutine that ranges over `{name}`")
        )
    if u.producer_go is not None:
        steps.append(
            Step(op_location(owner, u.producer_go), f"`{owner.short}` starts the goroutine that sends on `{name}`")
        )
    steps.append(Step(op_location(u.sender, u.send), f"the last send on `{name}`; every sender finishes after it"))
    if u.go_op is not None:
        waiter = f"the goroutine started at line {u.go_op.line}"
        after = f"once the senders are done (last send at line {u.send.line}) and `{owner.short}` returns"
    elif u.returned:
        waiter = f"`{u.ranger.short}`"
        after = (
            f"`{owner.short}` returns it to `{u.ranger.short}` and its goroutines send on it (last send at "
            f"{_where(op_location(u.sender, u.send), range_loc)}), but no code closes it, so after the last "
            f"value the loop waits forever and `{u.ranger.short}` never returns"
        )
    else:
        waiter = f"`{owner.short}`"
        after = f"after the last send (line {u.send.line}) the loop waits forever and `{owner.short}` never returns"
    steps.append(Step(range_loc, f"{waiter} waits here for a next value or a close, neither of which comes"))
    if u.awaited is not None:
        wfn, wop = u.awaited
        steps.append(Step(op_location(wfn, wop), f"`{wfn.short}` waits here for that goroutine to finish"))
        after = (
            f"after the last send (line {u.send.line}) the loop waits forever, and `{wfn.short}` waits for it "
            f"at line {wop.line} (`{_wait_text(wop)}`), so neither ever returns"
        )
    elif u.go_op is not None:
        after += ", the loop waits forever"
    fix = (
        f"`close({name})` after the last send (a `defer close({name})` in the only sender, or after "
        f"`wg.Wait()` when several send), or leave the loop another way"
    )
    if u.awaited is not None:
        # The wait is for the ranging goroutines themselves: closing after it would come too late.
        fix = (
            f"`close({name})` once the last value is sent and before `{_wait_text(u.awaited[1])}`: "
            "the loop ends only when the channel is closed"
        )
    message = f"{waiter} ranges over `{name}`, which is never closed: {after}. Fix: {fix}."
    if u.closed_after is not None:
        close = u.closed_after
        deferred = close.mode == "defer"
        when = (
            f"only when it returns (`defer close({name})` at line {close.line})"
            if deferred
            else f"only after that loop (line {close.line})"
        )
        if u.closed_through is not None and len(u.closed_through) == 4 and u.closed_through[1] is None:
            _close, _none, caller, rcall = u.closed_through
            ranging = E.render(rcall.fn)
            steps.append(Step(op_location(caller, rcall), f"`{caller.short}` hands it to `{ranging}()`, which ranges"))
            steps.append(Step(op_location(caller, close), f"the only `close({name})`, after `{ranging}()` returns"))
            message = (
                f"`{u.ranger.short}` ranges over `{E.render(u.range_op.fn)}` (line {u.range_op.line}), the channel "
                f"`{caller.short}` made and handed it at line {rcall.line}, but `{caller.short}` closes it only "
                f"after that call returns (`close({name})` at line {close.line}): the range ends only when the "
                f"channel is closed, so after the last send ({_where(op_location(u.sender, u.send), range_loc)}) "
                f"it waits forever and the close is never reached. Fix: close `{name}` from a goroutine started "
                f"before the call once the senders are done (`go func() {{ wg.Wait(); close({name}) }}()`)."
            )
            return Finding(
                rule_id=ID,
                message=message,
                location=range_loc,
                severity=SEVERITY,
                related=tuple([Related(op_location(u.sender, u.send), f"last send on `{name}`"), *_made_here(ch)]),
                steps=tuple(steps),
                key=f"{owner.qualname}|{name}|range",
            )
        if u.closed_through is not None and len(u.closed_through) == 4:
            call, closer, caller, rcall = u.closed_through
            closed = E.render(close.args[0]) if close.args else name
            ranged = E.render(u.range_op.fn)
            called, ranging = E.render(call.fn), E.render(rcall.fn)
            steps.append(Step(op_location(caller, rcall), f"`{caller.short}` calls `{ranging}()`, which ranges"))
            steps.append(Step(op_location(caller, call), f"and calls `{called}()` only after it returns"))
            steps.append(Step(op_location(closer, close), f"the only `close({closed})`, run only after the range"))
            message = (
                f"`{owner.short}` ranges over `{ranged}` (line {u.range_op.line}), which only `{closer.short}` "
                f"closes (`close({closed})` at {_where(op_location(closer, close), range_loc)}), and "
                f"`{caller.short}` calls `{called}()` (line {call.line}) only after `{ranging}()` returns (line "
                f"{rcall.line}): the range ends only when the channel is closed, so after the last send "
                f"({_where(op_location(u.sender, u.send), range_loc)}) it waits forever and the close is never "
                f"reached. Fix: close it from a goroutine started before the range once the senders are done, "
                f"not in `{called}()` after it."
            )
            return Finding(
                rule_id=ID,
                message=message,
                location=range_loc,
                severity=SEVERITY,
                related=tuple([Related(op_location(u.sender, u.send), f"last send on `{closed}`"), *_made_here(ch)]),
                steps=tuple(steps),
                key=f"{owner.qualname}|{name}|range",
            )
        if u.closed_through is not None:
            call, closer = u.closed_through
            closed = E.render(close.args[0]) if close.args else name
            ranged = E.render(u.range_op.fn)
            called = E.render(call.fn)
            steps.append(Step(op_location(owner, call), f"`{owner.short}` calls `{called}()` after the loop"))
            steps.append(Step(op_location(closer, close), f"the only `close({closed})`, run only after the loop ends"))
            message = (
                f"`{owner.short}` ranges over `{ranged}` (line {u.range_op.line}), which only "
                f"`{closer.short}` closes (`close({closed})` at {_where(op_location(closer, close), range_loc)}), "
                f"and calls it only after that loop (`{E.render(call.fn)}()` at line {call.line}): the loop ends only "
                f"when the channel is closed, so after the last send "
                f"({_where(op_location(u.sender, u.send), range_loc)}) it waits forever and the close is never "
                f"reached. Fix: close it from a goroutine started before "
                f"the loop once the senders are done, not in `{E.render(call.fn)}()` after it."
            )
            return Finding(
                rule_id=ID,
                message=message,
                location=range_loc,
                severity=SEVERITY,
                related=tuple([Related(op_location(u.sender, u.send), f"last send on `{closed}`"), *_made_here(ch)]),
                steps=tuple(steps),
                key=f"{owner.qualname}|{name}|range",
            )
        steps.append(Step(op_location(owner, close), f"the only `close({name})`, run only after the loop ends"))
        message = (
            f"`{owner.short}` ranges over `{name}` (line {u.range_op.line}) and closes it {when}: "
            f"the loop ends only when `{name}` is closed, so after the last send "
            f"(line {u.send.line}) it waits forever and the close is never reached. Fix: close `{name}` from "
            f"a goroutine started before the loop once the senders are done "
            f"(`go func() {{ wg.Wait(); close({name}) }}()`), and let the loop run until then."
        )
    return Finding(
        rule_id=ID,
        message=message,
        location=range_loc,
        severity=SEVERITY,
        related=tuple([Related(op_location(u.sender, u.send), f"last send on `{name}`"), *_made_here(ch)]),
        steps=tuple(steps),
        key=f"{owner.qualname}|{name}|range",
    )


def _skipped_finding(k):
    ch, owner = k.channel, k.owner
    name = ch.label
    facts = k.sender.facts
    waiter = k.waiter or owner
    closes = k.send.kind == "call"  # the goroutine's signal is a `close`, not a send
    signal = f"`close({name})`" if closes else f"send on `{name}`"
    without = f"without closing `{name}`" if closes else f"without sending on `{name}`"
    verb = "closes" if closes else "sends on"
    if k.recovered is not None:
        exit_loc = op_location(k.sender, k.exit)
        why = (
            f"ends when `{E.render(k.exit.fn)}(…)` at line {k.exit.line} panics (the deferred "
            f"`{E.render(k.recovered.fn)}(…)` at line {k.recovered.line} recovers the panic)"
        )
    elif k.exit is not None:
        exit_loc = op_location(k.sender, k.exit)
        why = f"{branch_text(facts, k.region)} at line {k.exit.line}"
    elif facts.regions[k.region].kind in ("for", "range"):
        loop = facts.regions[k.region]
        exit_loc = Location(k.sender.file.path, loop.line)
        ends = f" (`{E.render_negated(loop.info)}`)" if loop.kind == "for" and E.is_expr(loop.info) else ""
        why = f"ends when its loop at line {loop.line} runs out{ends}"
    else:
        guard = facts.regions[k.region]
        exit_loc = Location(k.sender.file.path, guard.line)
        why = f"ends when `{E.render_negated(guard.info)}` (the `if` at line {guard.line} has no `else`)"
    steps = (
        Step(op_location(owner, k.go_op), f"`{owner.short}` starts the goroutine that {verb} `{name}`"),
        Step(exit_loc, f"the goroutine {why}, before its {'close' if closes else 'send'}"),
        Step(op_location(k.sender, k.send), f"the only {signal}, skipped on that path"),
        *(
            [Step(op_location(owner, k.handed_at), f"`{owner.short}` passes `{name}` to `{waiter.short}` to receive")]
            if k.handed_at is not None
            else []
        ),
        Step(op_location(waiter, k.receive), f"`{waiter.short}` waits here for a value that never comes"),
    )
    fix = (
        f"Fix: `defer close({name})` at the top of the goroutine, or receive in a `select` with `ctx.Done()`."
        if closes
        else f"Fix: send on that path too (an error value, or a result type carrying the error), "
        f"`close({name})` in a defer, or receive in a `select` with `ctx.Done()`."
    )
    # The waiter's own name for the channel when it got it from the maker (`<-ch` over a slice of futures).
    received = E.render(k.receive.fn) if waiter is not owner and E.is_expr(k.receive.fn) else name
    blocks = f"blocks forever on `<-{received}` at line {k.receive.line}"
    if k.also:
        sent = E.render(k.send.fn)
        without = "without sending on " + " or ".join(f"`{c}`" for c in (sent, *k.also))
        blocks = f"blocks forever in its `select` on all of them (line {k.receive.line}), which has no other way out"
        fix = (
            f"Fix: answer on that path too (an error value on `{sent}`), or give the waiter's `select` a way "
            "out (`ctx.Done()`, a timeout)."
        )
    message = f"the goroutine started at line {k.go_op.line} {why} {without}, and `{waiter.short}` {blocks}. {fix}"
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=tuple(
            [Related(op_location(waiter, k.receive), f"the receive from `{name}` left waiting"), *_made_here(ch)]
        ),
        steps=steps,
        key=f"{owner.qualname}|{name}|skipped",
    )


def _short_worker_finding(w):
    """A worker that can leave its work loop (or skip an item) before its send, while its
    coordinator receives one result per item."""
    name = w.channel.label
    wfacts, ofacts = w.worker.facts, w.owner.facts
    verb = "returns" if w.exit.kind == "return" else "skips the item with `continue`"
    how = branch_text(wfacts, w.region, verb)
    exit_loc = op_location(w.worker, w.exit)
    send_loc = op_location(w.worker, w.send)
    recv_loc = op_location(w.owner, w.receive)
    loop_line = ofacts.regions[w.count_loop].line
    message = (
        f"the worker started at line {w.go_op.line} {how} at line {w.exit.line}, after taking an item and "
        f"before its send on `{name}` (line {w.send.line}), while `{w.owner.short}` receives from `{name}` once "
        f"per round of its loop at line {loop_line} (plain receive at line {w.receive.line}): for the item "
        f"dropped no result comes, and that receive waits forever. Fix: send a result (an error value) for "
        f"every item taken, or receive in a `select` with `ctx.Done()`."
    )
    steps = (
        Step(op_location(w.owner, w.go_op), f"`{w.owner.short}` starts the worker"),
        Step(exit_loc, f"the worker {how} here, after taking an item"),
        Step(send_loc, f"its send on `{name}`, skipped for that item"),
        Step(recv_loc, f"`{w.owner.short}` waits for one result per round, and one never comes"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=tuple([Related(recv_loc, "the counted receive left waiting"), *_made_here(w.channel)]),
        steps=steps,
        key=f"{w.owner.qualname}|{name}|short-worker",
    )


def _skipped_close_finding(k):
    """A range whose only closer can return before its close."""
    name = k.channel.label
    facts = k.closer.facts
    close_loc = op_location(k.closer, k.close_op)
    range_loc = op_location(k.ranger, k.range_op)
    if k.exit is not None:
        exit_loc = op_location(k.closer, k.exit)
        verb = "returns" if k.exit.kind == "return" else f"calls `{E.render(k.exit.fn)}(…)`"
        here = f"{branch_text(facts, k.region, verb)} here"
        how = f"{branch_text(facts, k.region, verb)} at line {k.exit.line}"
    elif facts.regions[k.region].kind == "range":
        loop = facts.regions[k.region]
        exit_loc = Location(k.closer.file.path, loop.line)
        over = E.render(loop.info) if E.is_expr(loop.info) else ""  # a range region's info: what it ranges over
        how = f"ends when the range{f' over `{over}`' if over else ''} at line {loop.line} runs out"
        here = how
    elif facts.regions[k.region].kind == "block" and facts.regions[facts.regions[k.region].parent].kind == "switch":
        case = facts.regions[k.region]
        exit_loc = Location(k.closer.file.path, case.line)
        switch_line = facts.regions[case.parent].line
        how = f"ends after the `switch` at line {switch_line} takes its case at line {case.line}"
        here = how
    else:
        guard = facts.regions[k.region]
        exit_loc = Location(k.closer.file.path, guard.line)
        how = f"ends when `{E.render_negated(guard.info)}` (the `if` at line {guard.line} has no `else`)"
        here = how
    closer, ranger, where = f"the goroutine started at line {k.go_op.line}", f"`{k.ranger.short}`", "at its top"
    if k.published is not None:
        # the singleflight shape: the closer is called plainly after the value was put where others wait
        pub, store, call = k.published
        closer = (
            f"`{k.closer.short}`, which `{pub.short}` calls (line {call.line}) after putting the value where other "
            f"callers find it (`{E.render(store.targets[0])}`, line {store.line}),"
        )
        where = f"at the top of `{k.closer.short}`"
    closed = name
    if (k.channel.key.startswith("field:") or k.closer.parent is None) and k.close_op.args:
        closed = E.render(k.close_op.args[0])  # `close(w.events)`, `close(out)`: as the goroutine writes it
    if k.via is not None:  # the goroutine (or, when it ranges, the owner) calls the function that closes
        started = f"line {k.go_op.line}"
        if k.closer.file is not k.owner.file:
            started = f"{op_location(k.owner, k.go_op).path}:{k.go_op.line}"
        closer = f"`{k.closer.short}`, which the goroutine started at {started} calls,"
        if k.ranger_started:
            closer = f"`{k.closer.short}`, which `{k.via[0].short}` calls at line {k.via[1].line},"
            ranger = f"the goroutine started at line {k.go_op.line}"
        closed = E.render(k.close_op.args[0]) if k.close_op.args else name
        where = f"at the top of `{k.closer.short}`"
    ranged, at = f"`{name}`", f"line {k.range_op.line}"
    if k.ranger is not k.owner and not k.ranger_started and k.returned_by_owner:
        ranged = f"`{name}` (returned by `{k.owner.short}`)"
    if k.ranger.file is not k.closer.file:  # the finding is at the closer's exit: name the range's file
        at = f"{range_loc.path}:{k.range_op.line}"
    waits = k.range_op.mode != "range"  # a plain `<-f.done`, not a range
    wait_text = (
        f"waits on `<-{E.render(k.range_op.fn)}` at {at}: that receive never returns"
        if waits
        else f"ranges over {ranged} at {at}: that range never ends"
    )
    message = (
        f"{closer} {how} without `close({closed})` (line {k.close_op.line}), and {ranger} "
        f"{wait_text}, so it blocks forever. "
        f"Fix: `defer close({closed})` {where}{f' in place of its {k.closes} `close` calls' if k.closes > 1 else ''}, "
        f"so every way out closes it."
    )
    caller = f"`{k.via[0].short}`" if k.ranger_started and k.via is not None else "the goroutine"
    calls = () if k.via is None else (Step(op_location(*k.via), f"{caller} calls `{k.closer.short}`"),)
    started = "the ranging goroutine" if k.ranger_started else "the goroutine"
    go_fn = k.go_fn or k.owner
    first = Step(op_location(go_fn, k.go_op), f"`{go_fn.short}` starts {started}")
    if k.published is not None:
        first = Step(op_location(go_fn, k.go_op), f"`{go_fn.short}` calls `{k.closer.short}`, having shared the value")
    steps = (
        first,
        Step(
            range_loc,
            f"{ranger} waits on `<-{E.render(k.range_op.fn)}` until it is closed"
            if waits
            else f"{ranger} ranges over `{name}` until it is closed",
        ),
        *calls,
        Step(exit_loc, f"{closer} {here}, before closing `{closed}`"),
        Step(close_loc, f"{'the only' if k.closes == 1 else 'a'} `close({closed})`, skipped on that path"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=tuple(
            [Related(range_loc, f"the {'receive' if waits else 'range'} left waiting"), *_made_here(k.channel)]
        ),
        steps=steps,
        key=f"{k.owner.qualname}|{name}|skipped-close",
    )


def _endless_range_wait_finding(e):
    """A wait for a signal its goroutine gives only after a range over a channel nothing closes."""
    ranged = e.ranged.label
    signal = e.signal.label if e.signal is not None else E.render(E.selector_base(e.signal_op.fn))
    wait_loc = op_location(e.waiter, e.wait)
    range_loc = op_location(e.ranger, e.range_op)
    signal_loc = op_location(e.ranger, e.signal_op)
    if e.signal is None:
        when = (
            f"deferred at line {e.signal_op.line}, so only when it returns"
            if e.signal_op.mode == "defer"
            else (f"line {e.signal_op.line}")
        )
        gives = f"calls `{signal}.Done()` ({when}) only after"
    elif e.signal_op.kind == "send":
        gives = f"sends on `{signal}` (line {e.signal_op.line}) only after"
    elif e.signal_op.mode == "defer":
        gives = f"closes `{signal}` (deferred at line {e.signal_op.line}) only when it returns, after"
    else:
        gives = f"closes `{signal}` (line {e.signal_op.line}) only after"
    at = f"line {e.range_op.line}"
    if e.ranger.file is not e.waiter.file:
        at = f"{range_loc.path}:{e.range_op.line}"
    waits_on = f"waits on `{E.render(e.wait.fn)}`" if e.signal is not None else f"waits in `{E.render(e.wait.fn)}()`"
    blocked = "receive" if e.signal is not None else "wait"
    message = (
        f"`{e.waiter.short}` {waits_on} here, but `{e.ranger.short}` {gives} its "
        f"`range` over `{ranged}` at {at} ends, and nothing closes `{ranged}`: the range never ends, so this "
        f"{blocked} blocks forever. Fix: close `{ranged}` once nothing more is sent on it (before waiting), or "
        f"give the loop another way out."
    )
    skipped: tuple[Step, ...] = ()
    if e.skipped is not None:
        closer, exit_op, close_op, region = e.skipped
        closed = E.render(close_op.args[0]) if close_op.args else ranged
        how = branch_text(closer.facts, region, "returns")
        where = (
            f"line {exit_op.line}"
            if closer.file is e.waiter.file
            else f"{op_location(closer, exit_op).path}:{exit_op.line}"
        )
        message = (
            f"`{e.waiter.short}` waits on `{E.render(e.wait.fn)}` here, but `{e.ranger.short}` {gives} its "
            f"`range` over `{ranged}` at {at} ends, and `{closer.short}`, its only closer, {how} at {where} "
            f"without `close({closed})` (line {close_op.line}): on that path the range never ends, so this "
            f"receive blocks forever. Fix: `defer close({closed})` in `{closer.short}`, so every way out closes it."
        )
        skipped = (
            Step(op_location(closer, exit_op), f"`{closer.short}` {how} here, before closing `{ranged}`"),
            Step(op_location(closer, close_op), f"the only `close({closed})`, skipped on that path"),
        )
    steps = (
        Step(range_loc, f"`{e.ranger.short}` ranges over `{ranged}` until it is closed"),
        *skipped,
        Step(signal_loc, f"the signal `{signal}`, given only once the range is over"),
        Step(wait_loc, f"`{e.waiter.short}` waits for that signal"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(range_loc, "the range nothing ends"), *(_made_here(e.ranged) if e.ranged.make_sites else ())),
        steps=steps,
        key=f"{e.waiter.qualname}|{signal}|endless-range-wait",
    )


def _synchronous_endless_range_finding(e):
    """A function its callers call plainly ranges over a channel nothing closes, then returns."""
    ranged = e.ranged.label
    range_loc = op_location(e.ranger, e.range_op)
    ret_loc = op_location(e.ranger, e.ret)
    call_loc = op_location(e.caller, e.call)
    where = f"line {e.call.line}" if e.caller.file is e.ranger.file else f"{call_loc.path}:{e.call.line}"
    nothing = f"nothing closes `{ranged}`"
    skipped: tuple[Step, ...] = ()
    if e.skipped is not None:
        closer, exit_op, close_op, region = e.skipped
        how = branch_text(closer.facts, region, "returns")
        nothing = (
            f"`{closer.short}`, its only closer, {how} at {op_location(closer, exit_op).path}:{exit_op.line} "
            f"without `close({ranged})`"
        )
        skipped = (Step(op_location(closer, exit_op), f"`{closer.short}` {how} here, before closing `{ranged}`"),)
    message = (
        f"`{e.ranger.short}` ranges over `{ranged}` here and returns its result only after the range "
        f"(line {e.ret.line}), but {nothing}: once the last value is sent the range waits forever, and so "
        f"does `{e.caller.short}`, which calls it at {where}. Fix: close `{ranged}` once nothing more is "
        f"sent on it, or give the loop another way out (a done channel in a `select`)."
    )
    steps = (
        Step(range_loc, f"`{e.ranger.short}` ranges over `{ranged}` until it is closed"),
        *skipped,
        Step(ret_loc, "the result is returned only after the range"),
        Step(call_loc, f"`{e.caller.short}` waits in this call"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=range_loc,
        severity=SEVERITY,
        related=(
            Related(call_loc, "the caller waiting for it"),
            *(_made_here(e.ranged) if e.ranged.make_sites else ()),
        ),
        steps=steps,
        key=f"{e.ranger.qualname}|{ranged}|synchronous-endless-range",
    )


def _skipped_cancel_finding(c):
    """A context whose only cancel a method can skip, while a goroutine waits on its Done."""
    tname = c.owner.rpartition("#")[2]
    exit_loc = op_location(c.canceller, c.exit)
    cancel_loc = op_location(c.canceller, c.cancel)
    wait_loc = op_location(c.waiter, c.wait)
    made_loc = op_location(c.maker, c.made)
    how = branch_text(c.canceller.facts, c.region, "returns")
    message = (
        f"`{c.canceller.short}` {how} at line {c.exit.line} before `{E.render(c.cancel.fn)}()` (line "
        f"{c.cancel.line}), the only cancel of the context kept in `{tname}.{c.ctx_field}` (made from a "
        f"context nothing else "
        f"cancels at {made_loc.path}:{c.made.line}), while `{c.waiter.short}`, started with `go`, waits on its "
        f"`Done` at {wait_loc.path}:{c.wait.line}: on that path nothing ends the context, and the goroutine "
        f"waits forever (with whoever waits for it). Fix: cancel on every path (`defer "
        f"{E.render(c.cancel.fn)}()`), or cancel before the early return too."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "waits for the context to end"), Related(cancel_loc, "the only cancel")),
        steps=(
            Step(made_loc, f"the context and its cancel are made here and kept in `{tname}`"),
            Step(wait_loc, f"`{c.waiter.short}` waits on `{tname}.{c.ctx_field}.Done()`"),
            Step(exit_loc, f"`{c.canceller.short}` {how} here"),
            Step(cancel_loc, "the cancel, skipped on that path"),
        ),
        key=f"{c.canceller.qualname}|{tname}.{c.cancel_field}|skipped-cancel",
    )


def _parked_on_branch_finding(p):
    """A `select {}` on a branch of a function that otherwise returns when its context ends."""
    facts = p.fn.facts
    region = facts.regions[p.select_region]
    loc = Location(p.fn.file.path, region.line)
    ctx = E.render(p.context)
    when = branch_text(facts, p.branch, "reaches it")
    exit_loc = op_location(p.fn, p.exit)
    message = (
        f"`select {{}}` blocks forever: `{p.fn.short}` {when} and never returns, while on its other path it "
        f"returns once `{ctx}` is cancelled (line {p.exit.line}), which is what its callers wait for. "
        f"Fix: wait for the context instead (`<-{ctx}.Done()` and return `{ctx}.Err()`)."
    )
    steps = (
        Step(loc, "an empty `select`: nothing can wake it"),
        Step(exit_loc, f"the other path returns when `{ctx}` is cancelled"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(exit_loc, f"the return on `{ctx}.Done()`"),),
        steps=steps,
        key=f"{p.fn.qualname}|select{{}}|{region.line - facts.regions[0].line if facts.regions else 0}",
    )


def _parked_with_nothing_running_finding(p):
    """`select {}` keeping the process alive for a goroutine the branch taken never started."""
    facts = p.fn.facts
    loc = Location(p.fn.file.path, facts.regions[p.select_region].line)
    go_loc = op_location(p.fn, p.go_op)
    statement = facts.regions[p.statement]
    if p.arm < 0:
        taken = f"when no branch of the `{statement.kind}` at line {statement.line} is taken"
        arm_loc = Location(p.fn.file.path, statement.line)
    else:
        taken = f"on the branch at line {facts.regions[p.arm].line}"
        arm_loc = Location(p.fn.file.path, facts.regions[p.arm].line)
    message = (
        f"`select {{}}` blocks forever with nothing else running: `{p.fn.short}` reaches it {taken}, which "
        f"starts no goroutine (the one it keeps the process alive for is started only at line "
        f"{p.go_op.line}), so the program hangs there instead of finishing (or the runtime stops it: all "
        f"goroutines are asleep). Fix: return on that branch, or park only where the goroutine was started."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(go_loc, "the only goroutine it waits for, started on another branch"),),
        steps=(
            Step(arm_loc, "this branch starts no goroutine"),
            Step(loc, "an empty `select`: nothing can wake it, and nothing else runs"),
        ),
        key=f"{p.fn.qualname}|select{{}}|nothing-running",
    )


def _deserted_subscriber_finding(d):
    """A subscriber's loop that can leave while another function keeps sending to it plainly."""
    exit_loc = op_location(d.reader, d.exit)
    send_loc = op_location(d.sender, d.send)
    range_loc = op_location(d.reader, d.range_op)
    how = "returns" if d.exit.kind == "return" else "breaks out of its loop"
    why = branch_text(d.reader.facts, d.exit.region, how)
    message = (
        f"`{d.reader.short}` {why} at line {d.exit.line} and stops receiving from `{d.field}` (unbuffered), its "
        f"only reader, but `{d.sender.short}` keeps sending on it with a plain send "
        f"({send_loc.path}:{send_loc.line}): the next send to this subscriber blocks forever. Fix: remove the "
        f"subscriber from its publisher before leaving (or close a `done` channel the sender selects on), or "
        f"keep receiving until the channel is closed."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(send_loc, "the send left without a reader"),),
        steps=(
            Step(op_location(d.start_fn, d.start), f"starts `{d.reader.short}`, the channel's only reader"),
            Step(range_loc, f"receives from `{d.field}` in a loop"),
            Step(exit_loc, f"{why}: nobody receives any more"),
            Step(send_loc, "sends with nobody to receive: blocks forever"),
        ),
        key=f"{d.reader.qualname}|{d.field}|deserted",
    )


def _dropped_subscription_finding(d):
    """An unsubscribe deleting a subscriber's channel from the broker's map without closing it."""
    loc = op_location(d.unsubscribe, d.delete)
    range_loc = op_location(d.ranger, d.range_op)
    store_loc = op_location(d.subscribe, d.store)
    message = (
        f"`{d.unsubscribe.short}` deletes the subscriber's channel from `{d.field}` without closing it, but "
        f"`{d.ranger.short}` ranges over the channel `{d.subscribe.short}` returned ({range_loc.path}:"
        f"{range_loc.line}) until it is closed: once the entry is gone nothing can close it, so that range "
        f"never ends and the goroutine blocks forever. Fix: close the channel where it is deleted (under the "
        f"same lock as the sends), or have the subscriber stop on a signal of its own."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(range_loc, "the range left waiting for a close"),),
        steps=(
            Step(store_loc, f"`{d.subscribe.short}` keeps the channel in `{d.field}` and returns it"),
            Step(range_loc, f"`{d.ranger.short}` ranges over it until it is closed"),
            Step(loc, "the entry is deleted, and the channel with it is never closed"),
        ),
        key=f"{d.unsubscribe.qualname}|{d.field}|dropped-subscription",
    )


def _unclosed_getter_finding(u):
    """An implementation's getter hands out a field channel nothing closes, where a sibling closes its own."""
    send_loc = op_location(u.sender, u.send)
    close_loc = op_location(u.closer, u.close)
    range_loc = op_location(u.ranger, u.range_op)
    name = u.field.rpartition(".")[2]
    message = (
        f"`{u.sender.short}` sends on `{u.field}` (line {u.send.line}) and ends without closing it, though "
        f"`{u.getter.short}` hands that channel out as `{u.interface}`, whose other implementation closes its "
        f"own (`{u.closer.short}`, {_where(close_loc, send_loc)}); `{u.ranger.short}` ranges over "
        f"`{u.interface}()`'s channel at {_where(range_loc, send_loc)} until it is closed, so with this "
        f"implementation the range never ends and blocks forever. Fix: `defer close({E.render(u.send.fn)})` at "
        f"the top of `{u.sender.short}`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=(Related(close_loc, f"the other implementation closes its `{name}`"), Related(range_loc, "the range")),
        steps=(
            Step(range_loc, f"`{u.ranger.short}` ranges over `{u.interface}()` until the channel is closed"),
            Step(op_location(u.getter, u.getter.facts.ops[-1]), f"`{u.getter.short}` hands out `{u.field}`"),
            Step(send_loc, f"`{u.sender.short}` sends on it and ends without closing it"),
        ),
        key=f"{u.getter.qualname}|{u.field}|unclosed-getter-field",
    )


def _unclosed_implementation_finding(u):
    """An implementation sending on its channel parameter without closing it, where the others close it."""
    if isinstance(u, UnclosedGetterField):
        return _unclosed_getter_finding(u)
    send_loc = op_location(u.method, u.send)
    others = ", ".join(f"`{m.short}`" for m in u.closers[:3]) + (", …" if len(u.closers) > 3 else "")
    caller, start = u.start
    start_loc = op_location(caller, start)
    message = (
        f"`{u.method.short}` sends on `{u.param}` (line {u.send.line}) and never closes it, while every other "
        f"implementation of `{u.interface}` ({others}) closes it when done: whoever ranges over the channel "
        f"handed to `{u.interface}` (started with `go` at {start_loc.path}:{start.line}) waits for that close, "
        f"and with this implementation it never comes, so the range blocks forever. Fix: `defer close({u.param})` "
        f"at the top of `{u.method.short}`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(Related(Location(m.file.path, m.facts.line), f"`{m.short}` closes it") for m in u.closers[:3]),
        steps=(
            Step(start_loc, f"`{caller.short}` starts `{u.interface}` on a goroutine"),
            Step(send_loc, f"`{u.method.short}` sends on `{u.param}`, and returns without closing it"),
        ),
        key=f"{u.method.qualname}|{u.param}|unclosed-implementation",
    )


def _skipped_reply_finding(k):
    """A server that can leave a received request without sending its reply."""
    reply = f"{k.name}.{k.field}" if k.field else k.name
    exit_loc = op_location(k.server, k.exit)
    wait_loc = op_location(k.waiter, k.wait)
    if k.exit.kind == "return":
        verb = "returns"
    else:
        verb = f"leaves with `{k.exit.mode}`"
    how = branch_text(k.server.facts, k.region, verb)
    skipped = f"`{reply} <- …` (line {k.reply.line})"
    handler = ()
    if k.handler is not None:
        hfn, hsend = k.handler
        call = E.render(k.reply.fn)
        skipped = (
            f"calling `{call}({k.name})` (line {k.reply.line}), the only way it replies (`{hfn.short}` sends "
            f"`{E.render(hsend.fn)} <- …` at line {hsend.line})"
        )
        handler = (Step(op_location(hfn, hsend), f"the handler's reply `{E.render(hsend.fn)} <- …`"),)
    if k.registered is not None:
        gfn, gstore, afn, asend = k.registered
        call = E.render(k.reply.fn)
        skipped = (
            f"registering `{reply}` with `{call}(…)` (line {k.reply.line}), the only way it is answered "
            f"(`{gfn.short}` keeps it in `{E.render(gstore.targets[0])}`, and `{afn.short}` answers from there "
            f"at {op_location(afn, asend).path}:{asend.line})"
        )
        handler = (Step(op_location(afn, asend), "the answer to a registered reply channel"),)
    got = f"receives the request `{k.name}` at line {k.bind.line}"
    got_step = f"`{k.server.short}` receives the request `{k.name}`"
    bind_loc = op_location(k.server, k.bind)
    if k.handed_by is not None:
        caller, cbind = k.handed_by
        bind_loc = op_location(caller, cbind)
        got = f"gets the request `{k.name}` from `{caller.short}`, which receives it at {bind_loc.path}:{cbind.line},"
        got_step = f"`{caller.short}` receives the request and hands it to `{k.server.short}`"
    if k.taken is not None:
        held, gone = k.taken
        got = (
            f"takes the reply channel `{k.name}` out of `{held}` at line {k.bind.line} (deleting the entry at line "
            f"{gone.line}, so nobody else can find it)"
        )
        got_step = f"`{k.server.short}` takes `{k.name}` out of `{held}` and deletes the entry"
    if k.paired is not None:
        request_send, request_label = k.paired
        got = f"receives a request on `{request_label}` at line {k.bind.line}"
        got_step = f"`{k.server.short}` receives the request `{k.waiter.short}` sent at line {request_send.line}"
    message = (
        f"`{k.server.short}` {got} and {how} at line "
        f"{k.exit.line} without {skipped}, while `{k.waiter.short}` waits on its reply "
        f"with a plain receive at line {k.wait.line}: that caller blocks forever. Fix: answer on every path "
        + (
            f"(send an error value on `{reply}`: it is every caller's channel, so do not close it), "
            if k.paired is not None
            else f"(send an error value on `{reply}`, or `close({reply})`), "
        )
        + "or let the caller `select` on a way out."
    )
    what = f"the call `{E.render(k.reply.fn)}({k.name})` that replies" if k.handler else f"the reply `{reply} <- …`"
    if k.registered is not None:
        what = f"the call `{E.render(k.reply.fn)}(…)` that registers `{reply}`"
    steps = (
        Step(bind_loc, got_step),
        Step(exit_loc, f"it {how} here, before replying"),
        Step(op_location(k.server, k.reply), f"{what}, skipped on that path"),
        *handler,
        Step(wait_loc, f"`{k.waiter.short}` waits for the reply (`{k.label}`) forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the caller waiting for the reply"),),
        steps=steps,
        key=f"{k.server.qualname}|{k.label}|skipped-reply",
    )


def _abandoned_reply_finding(k):
    """A plain send on a reply channel whose requester can return from its `select` first."""
    reply_loc = op_location(k.server, k.reply)
    wait_loc = op_location(k.waiter, k.wait)
    leave_loc = op_location(k.waiter, k.leave)
    reply = E.render(k.reply.fn)
    maker = k.maker or k.waiter
    also = ", and the loop serving every later request with it" if k.served else ""
    message = (
        f"`{k.server.short}` sends on `{reply}` (`{k.label}`, unbuffered, made by `{maker.short}` at line "
        f"{k.made.line}) at line {k.reply.line}, but `{k.waiter.short}` waits for it only in a `select` that can "
        f"take `case <-{E.render(k.case_chan)}` (line {k.case_line}) and return at line {k.leave.line}: after "
        f"that nothing receives on it, and the send blocks forever{also}. Fix: make the channel with room for "
        f"every value sent on it (a buffer of 1 for one reply), or send with `select` on a way out the waiter "
        f"closes."
    )
    steps = (
        Step(op_location(maker, k.made), f"`{maker.short}` makes the channel, unbuffered"),
        Step(wait_loc, f"`{k.waiter.short}` waits for a value here"),
        Step(leave_loc, f"or gives up here (`<-{E.render(k.case_chan)}`), and nothing receives any more"),
        Step(reply_loc, f"`{k.server.short}` sends, and waits for a receiver forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=reply_loc,
        severity=SEVERITY,
        related=(Related(leave_loc, "the waiter gives up here"),),
        steps=steps,
        key=f"{k.server.qualname}|{k.label}|abandoned-reply",
    )


def _abandoned_field_finding(a):
    """The goroutine's send on a field channel whose only receive is a select case the waiter can skip."""
    name = a.channel.label
    send_loc = op_location(a.sender, a.send)
    leave_loc = op_location(a.waiter, a.leave)
    how = branch_text(a.waiter.facts, a.case_region)
    buffer = "" if a.looped else f"give `{name}` a buffer of 1, or "
    message = (
        f"the goroutine started at line {a.go_op.line} sends on `{name}` (unbuffered) at line {a.send.line}, "
        f"but `{a.waiter.short}` receives it only in a `select` that {how} at line {a.leave.line} instead: "
        f"nothing else receives, so the send blocks forever and the goroutine leaks. Fix: {buffer}"
        f"send with `select {{ case {name} <- v: case <-ctx.Done(): }}`."
    )
    steps = (
        Step(op_location(a.go_fn, a.go_op), f"`{a.go_fn.short}` starts the sending goroutine"),
        Step(leave_loc, f"`{a.waiter.short}` {how} without receiving `{name}`"),
        Step(send_loc, "the goroutine's send waits for a receiver forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(leave_loc, "the waiter leaves here"), *_made_here(a.channel)]),
        steps=steps,
        key=f"{a.owner.qualname}|{name}|abandoned-field-sender",
    )


def _unheard_field_senders_finding(u):
    """Goroutines one per round each send; the receive loop can return before hearing them all."""
    name = u.channel.label
    loop_line = u.starter.facts.regions[u.go_loop].line
    exit_loc = op_location(u.receiver or u.starter, u.exit)
    send_loc = op_location(u.sender, u.send)
    waiter = u.receiver or u.starter
    starts = f"`{u.starter.short}` starts"
    receives = "its receive loop"
    started: tuple = ()
    if u.receiver is not None and u.start_call is not None:
        starts = f"`{waiter.short}` starts, through `{E.render(u.start_call.fn)}` (line {u.start_call.line}),"
        receives = "its own receive loop"
        started = (Step(op_location(waiter, u.start_call), f"`{waiter.short}` calls `{u.starter.short}`"),)
    message = (
        f"{starts} one goroutine per round of the loop at line {loop_line} (`go` at line "
        f"{u.go_op.line}), each sending on `{name}` (unbuffered, line {u.send.line}), but {receives} "
        f"(line {u.recv.line}) can return at line {u.exit.line} before hearing them all: the goroutines not "
        f"yet heard block on their send forever. Fix: give `{name}` a buffer of one per goroutine, or keep "
        f"receiving until every goroutine is heard."
    )
    via = ()
    if u.via is not None:
        via = (Step(op_location(*u.via), f"each goroutine calls `{E.render(u.via[1].fn)}`"),)
    steps = (
        *started,
        Step(op_location(u.starter, u.go_op), "one goroutine per round of the loop"),
        *via,
        Step(send_loc, f"each goroutine sends on `{name}` (unbuffered)"),
        Step(op_location(waiter, u.recv), f"`{waiter.short}` receives one value per round"),
        Step(exit_loc, "and can return before the last: the rest wait for a receiver forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(exit_loc, "the receive loop returns here"), *_made_here(u.channel)]),
        steps=steps,
        key=f"{u.owner.qualname}|{name}|unheard-field-senders",
    )


def _stalled_stage_finding(st):
    """The owner feeds a stage more than it and the buffers hold before reading its output."""
    feed, output = st.feed.label, st.output.label
    stuck_loc = op_location(st.owner, st.stuck)
    stage_loc = op_location(st.stage, st.stage_send)
    room = st.workers + (st.output.capacity or 0) + (st.feed.capacity or 0)
    many = _how_many(st.sends)
    held = f"{room} value{'s are' if room != 1 else ' is'} taken or buffered"
    when = f"with more than {room} value{'s' if room != 1 else ''} to feed" if st.sends == 0 else f"once {held}"
    if st.workers == 0:  # a pool whose size is read at run time
        buffered = room
        slots = f" and the {buffered} buffered slot{'s' if buffered != 1 else ''}" if buffered else ""
        when = f"with more values to feed than copies of the stage{slots}"
    if st.workers == 0:
        stage = (
            f"each copy of the stage it started at line {st.go_op.line} (`{st.stage.short}`, one per round of "
            f"the loop around it)"
        )
        waits = f"every copy waits on `{output}`"
    elif st.workers > 1:
        stage = f"each of the {st.workers} copies of the stage it started at line {st.go_op.line} (`{st.stage.short}`)"
        waits = f"every copy waits on `{output}`"
    else:
        stage = f"the stage it started at line {st.go_op.line} (`{st.stage.short}`)"
        waits = f"the stage waits on `{output}`"
    message = (
        f"`{st.owner.short}` sends on `{feed}` {many} before it reads `{output}` (line {st.first_read.line}), "
        f"but {stage} sends each result on `{output}` "
        f"(line {st.stage_send.line}) before taking the next value: {when}, {waits} and the send at line "
        f"{st.stuck.line} waits on the stage, forever. Fix: feed `{feed}` from its own goroutine, or read "
        f"`{output}` while feeding."
    )
    steps = (
        Step(op_location(st.owner, st.go_op), f"`{st.owner.short}` starts the stage"),
        Step(stage_loc, f"the stage sends each result on `{output}` and waits for a reader"),
        Step(stuck_loc, f"`{st.owner.short}` is still feeding `{feed}`: waits for the stage"),
        Step(op_location(st.owner, st.first_read), f"the first read of `{output}`, never reached"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=stuck_loc,
        severity=SEVERITY,
        related=tuple([Related(stage_loc, "the stage's output send"), *_made_here(st.feed)]),
        steps=steps,
        key=f"{st.owner.qualname}|{feed}|stalled-stage",
    )


def _overfilled_field_finding(o):
    """More sends on a buffered field than its buffer, before any receiver can run."""
    if o.channel.capacity == 0:
        return _unbuffered_field_send_finding(o)
    name = o.channel.label
    stuck_loc = op_location(o.owner, o.stuck_via)
    later = (
        f" (the goroutine that receives starts only at line {o.partner_go.line})" if o.partner_go is not None else ""
    )
    message = (
        f"`{o.owner.short}` sends {_how_many(o.sends)} on `{name}` (buffer {o.channel.capacity}) before anything "
        f"can receive from it{later}: the send reached at line {o.stuck_via.line} finds the buffer full and "
        f"blocks forever, since the only goroutine that could make room is the one waiting. Fix: start the "
        f"receiver first, send with `select` and `default`, or give `{name}` room for every value."
    )
    steps = (
        *(Step(op_location(o.owner, v), f"sends on `{name}`{_through(v)}") for v in o.via[: o.channel.capacity]),
        Step(stuck_loc, "the buffer is full: this send waits for a receiver that is not running"),
        *(
            [Step(op_location(o.owner, o.partner_go), "the receiver would only be started here")]
            if o.partner_go
            else []
        ),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=stuck_loc,
        severity=SEVERITY,
        related=tuple(_made_here(o.channel)),
        steps=steps,
        key=f"{o.owner.qualname}|{name}|overfilled-field",
    )


def _unbuffered_field_send_finding(o):
    """A send on an unbuffered field before the goroutine that receives from it is started."""
    name = o.channel.label
    send_loc = op_location(o.stuck_fn, o.stuck)
    starter = o.partner_fn or o.owner
    later = (
        f" (the goroutine that receives is started only at line {o.partner_go.line}, in `{starter.short}`)"
        if o.partner_go is not None
        else " (no goroutine that receives is started before it)"
    )
    message = (
        f"`{o.stuck_fn.short}` sends on `{name}` (unbuffered) at line {o.stuck.line} before anything can "
        f"receive from it{later}: the send waits for a receiver that is not running, and blocks forever. "
        f"Fix: start the receiver first, send with `select` and `default`, or give `{name}` a buffer."
    )
    steps = (
        *(
            [Step(op_location(o.owner, o.stuck_via), f"`{o.owner.short}` reaches the send through this statement")]
            if o.stuck_fn is not o.owner
            else []
        ),
        Step(send_loc, "this send waits for a receiver that is not running"),
        *(
            [Step(op_location(starter, o.partner_go), "the receiver would only be started here")]
            if o.partner_go
            else []
        ),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(_made_here(o.channel)),
        steps=steps,
        key=f"{o.owner.qualname}|{name}|unbuffered-field-send",
    )


def _unheard_count(n: int) -> str:
    return "one goroutine is" if n == 1 else f"{n} goroutines are"


def _undersignalled_finding(u):
    """Several copies of a goroutine each wait for one value; fewer are sent and nothing closes the channel."""
    name = u.channel.label
    recv_loc = op_location(u.goroutine, u.receive)
    sent = len(u.sends)
    left = u.started - sent
    sender, last = u.sends[-1]
    message = (
        f"the goroutine started at line {u.go.line} runs {u.started} times and each copy waits once on "
        f"`<-{name}` (line {u.receive.line}), but `{sender.short}` sends on `{name}` only {_times(sent)} "
        f"(line {last.line}) and nothing closes it: one value wakes one waiter, so "
        f"{'one goroutine waits' if left == 1 else f'{left} goroutines wait'} forever. "
        f"Fix: `close({name})` to release every waiter at once, or send once per goroutine."
    )
    steps = (
        Step(op_location(u.starter, u.go), f"`{u.starter.short}` starts {u.started} copies of the goroutine"),
        Step(recv_loc, "each copy waits here for one value"),
        *(Step(op_location(f, s), f"`{f.short}` sends one value on `{name}`") for f, s in u.sends),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=recv_loc,
        severity=SEVERITY,
        related=tuple(_made_here(u.channel)),
        steps=steps,
        key=f"{u.owner.qualname}|{name}|undersignalled",
    )


def _outnumbered_round_finding(o):
    """Goroutines started per round each send more times than a round of the owner receives."""
    name = o.channel.label
    last = o.sends[-1]
    send_loc = op_location(o.goroutine, last)
    left = o.per_goroutine - o.per_round - (o.channel.capacity or 0)
    waiting = f"{left} sends per goroutine wait" if left != 1 else "1 send per goroutine waits"
    message = (
        f"the goroutine started at line {o.go.line}, once per round of `{o.bound}`, sends {_times(o.per_goroutine)} "
        f"on `{name}` ({_capacity_text(o.channel.capacity)}), but `{o.owner.short}` receives only "
        f"{_times(o.per_round)} per round of `{o.bound}` (loop at line {o.recv_loop_line}) and nothing else receives: "
        f"for any `{o.bound}` ≥ 1, {waiting} forever (the last at "
        f"line {last.line}). Fix: receive {_times(o.per_goroutine)} per goroutine, or give `{name}` room for every "
        f"extra value."
    )
    steps = (
        Step(op_location(o.owner, o.go), f"`{o.owner.short}` starts one goroutine per round of `{o.bound}`"),
        *(Step(op_location(o.goroutine, s), f"each goroutine sends on `{name}`") for s in o.sends),
        *(Step(op_location(o.owner, r), f"`{o.owner.short}` receives once per round") for r in o.receives),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(_made_here(o.channel)),
        steps=steps,
        key=f"{o.owner.qualname}|{name}|outnumbered-per-round",
    )


def _outnumbered_finding(o):
    """Goroutines each sending once outnumber the owner's receives and the buffer."""
    name = o.channel.label
    fn, send = o.stuck
    send_loc = op_location(fn, send)
    lines = ", ".join(str(g.line) for g, _f, _s in o.starts)
    got = _times(len(o.receives))
    unheard = len(o.starts) - len(o.receives) - (o.channel.capacity or 0)
    message = (
        f"{len(o.starts)} goroutines (started at lines {lines}) each send once on `{name}` "
        f"({_capacity_text(o.channel.capacity)}), but `{o.owner.short}` receives only {got} "
        f"(line {o.receives[-1].line}) and ends: {_unheard_count(unheard)} never heard, blocked on its send "
        f"forever. Fix: give `{name}` a buffer of {len(o.starts)}, or receive once per goroutine."
    )
    steps = (
        *(
            Step(op_location(o.owner, g), f"`{o.owner.short}` starts a goroutine that sends once")
            for g, _f, _s in o.starts
        ),
        *(Step(op_location(o.owner, r), f"`{o.owner.short}` receives from `{name}`") for r in o.receives),
        Step(send_loc, "this send waits for a receiver forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(_made_here(o.channel)),
        steps=steps,
        key=f"{o.owner.qualname}|{name}|outnumbered",
    )


def _loop_started_finding(o):
    """A loop starts one goroutine per round, each sending once, and the owner receives fewer times."""
    name, owner, facts = o.channel.label, o.owner, o.owner.facts
    send_loc = op_location(o.sender, o.send)
    loop = facts.regions[o.loop]
    got = _times(len(o.receives))
    started = f"the loop at line {loop.line} starts a goroutine in every round (line {o.go.line})"
    if o.rounds is None:
        ranged = E.render(loop.info) if loop.kind == "range" and E.is_expr(loop.info) else ""
        taken = (o.channel.capacity or 0) + len(o.receives)
        elements = "one element" if taken == 1 else f"{taken} elements"
        more = f"`{ranged}` holds more than {elements}" if ranged else f"the loop runs more than {_times(taken)}"
        first = "the first to send" if taken == 1 else f"the first {taken} to send"
        made = _made_type(o.channel)
        room = f"`make({made}, len({ranged}))`" if ranged and made else f"`len({ranged})` slots" if ranged else ""
        message = (
            f"{started}, each sending once on `{name}` ({_capacity_text(o.channel.capacity)}) at line "
            f"{o.send.line}, but `{owner.short}` receives only {got} (line {o.receives[-1].line}) and ends: when "
            f"{more}, every goroutine but {first} blocks forever. Fix: make `{name}` with room for every goroutine"
            f"{f' ({room})' if room else ''}, or send with `select {{ case {name} <- v: case <-ctx.Done(): }}` "
            "and cancel the context "
            f"when `{owner.short}` returns."
        )
    else:
        unheard = o.rounds - len(o.receives) - (o.channel.capacity or 0)
        message = (
            f"{started}, {o.rounds} in all, each sending once on `{name}` ({_capacity_text(o.channel.capacity)}) "
            f"at line {o.send.line}, but `{owner.short}` receives only {got} (line {o.receives[-1].line}) and "
            f"ends: {_unheard_count(unheard)} never heard, blocked on its send forever. Fix: give `{name}` a "
            f"buffer of {o.rounds}, or receive once per goroutine."
        )
    via = ()
    if o.via is not None:
        via = (Step(op_location(*o.via), f"each goroutine calls `{E.render(o.via[1].fn)}`"),)
    steps = (
        Step(op_location(owner, o.go), f"`{owner.short}` starts a goroutine in every round of the loop"),
        *via,
        *(Step(op_location(owner, r), f"`{owner.short}` receives from `{name}`") for r in o.receives),
        Step(send_loc, "the goroutines not received from wait here forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(_made_here(o.channel)),
        steps=steps,
        key=f"{owner.qualname}|{name}|loop-started",
    )


def _hedged_finding(h):
    """A request started before a select loop, a hedge started in another case, one answer taken."""
    name, owner, facts = h.channel.label, h.owner, h.owner.facts
    send_loc = op_location(h.sender, h.send)
    case = facts.regions[h.hedge_case]
    when = f"`case {_case_text(case)}`" if case.info is not None else "another case"
    how = f"calls `{E.render(h.hedge.fn)}()`, which starts" if h.launcher is not None else "starts"
    message = (
        f"`{owner.short}` starts a sender on `{name}` (unbuffered) before its loop (line {h.first.line}) and "
        f"{how} another in {when} (line {h.hedge.line}), each sending once at line {h.send.line}, but it "
        f"returns at line {h.exit.line} after receiving one answer: once a hedge has started, a sender still in "
        f"flight is never received from and blocks on its send forever. Fix: make `{name}` with room for every "
        f"sender (`make({_made_type(h.channel) or 'chan T'}, len(...))`), or send with `select {{ case {name} <- v: "
        "case <-ctx.Done(): }` and cancel the context when it returns."
    )
    steps = [Step(op_location(owner, h.first), "the first request starts here")]
    steps.append(Step(op_location(owner, h.hedge), "a hedge starts another before any answer is received"))
    if h.launcher is not None:
        go = next(o for o in h.launcher.facts.ops if o.kind == "call" and o.mode == "go")
        steps.append(Step(op_location(h.launcher, go), f"`{E.render(h.hedge.fn)}` starts the goroutine"))
    steps.append(Step(op_location(owner, h.receive), f"`{owner.short}` receives one answer"))
    steps.append(Step(op_location(owner, h.exit), "and returns, receiving no other"))
    steps.append(Step(send_loc, "a sender still in flight waits here forever"))
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(_made_here(h.channel)),
        steps=tuple(steps),
        key=f"{owner.qualname}|{name}|hedged",
    )


def _dropped_call_finding(d):
    """A pending call deleted from the map its answer comes through, and left unanswered."""
    exit_loc = op_location(d.sender, d.exit)
    wait_loc = op_location(d.waiter, d.wait)
    held = E.render(d.delete.args[0])
    reply = f"{d.name}.{d.field}"
    region = d.sender.facts.regions[d.exit.region] if d.exit.region >= 0 else None
    how = branch_text(d.sender.facts, d.exit.region, "returns") if region is not None else "returns"
    message = (
        f"`{d.sender.short}` keeps `{d.name}` in `{held}` (line {d.store.line}), where "
        f"`{d.answerer.short}` finds it to answer on `{reply}` (line {d.answer.line}), but deletes the entry "
        f"(line {d.delete.line}) and {how} at line {d.exit.line} without answering: nobody can find the call "
        f"any more, and `{d.waiter.short}` waits on `<-{E.render(d.wait.fn)}` (line {d.wait.line}) forever. "
        f"Fix: answer before returning (`{d.name}.Err = err; {reply} <- {d.name}`), as the other failure paths do."
    )
    steps = (
        Step(op_location(d.sender, d.store), f"`{d.name}` is kept in `{held}` for its answer"),
        Step(op_location(d.sender, d.delete), "the entry is deleted"),
        Step(exit_loc, f"`{d.sender.short}` {how} without answering on `{reply}`"),
        Step(op_location(d.answerer, d.answer), f"the only other answer, through `{held}`, which no longer holds it"),
        Step(wait_loc, f"`{d.waiter.short}` waits here forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the caller waiting for the answer"),),
        steps=steps,
        key=f"{d.sender.qualname}|{held}|dropped-call",
    )


def _dropped_taken_finding(d):
    """A pending reply channel taken out of its map by a helper, and dropped unanswered."""
    call_loc = op_location(d.dropper, d.call)
    wait_loc = op_location(d.waiter, d.wait)
    taken = E.render(d.call.fn)
    message = (
        f"`{d.dropper.short}` takes the reply channel out of `{d.label}` with `{taken}(…)` at line {d.call.line} "
        f"and drops it without sending on it, while `{d.answerer.short}` answers on what `{taken}` returns (line "
        f"{d.answer.line}) and `{d.storer.short}` hands that channel to its caller, which waits on "
        f"`<-{E.render(d.wait.fn)}` at {wait_loc.path}:{d.wait.line}: that caller blocks forever. Fix: send the "
        f"failure on the channel `{taken}` returns, as `{d.answerer.short}` sends the result."
    )
    steps = (
        Step(op_location(d.storer, d.store), f"`{d.storer.short}` keeps the reply channel in `{d.label}`"),
        Step(wait_loc, f"`{d.waiter.short}` waits on it"),
        Step(call_loc, f"`{d.dropper.short}` takes it out and drops it"),
        Step(op_location(d.answerer, d.answer), "the answer the other path sends"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=call_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the caller waiting for the answer"),),
        steps=steps,
        key=f"{d.dropper.qualname}|{d.label}|dropped-taken-reply",
    )


def _skipped_tested_reply_finding(r):
    """The dispatcher skips replies on a test that the waiter makes of the replies it receives."""
    skip_loc = op_location(r.dispatcher, r.skip)
    wait_loc = op_location(r.waiter, r.wait)
    message = (
        f"`{r.dispatcher.short}` skips a reply with `continue` when `{r.test}` (line {r.test_line}), before it "
        f"takes the pending call out of `{r.label}` and answers it (line {r.answer.line}), while "
        f"`{r.waiter.short}`, waiting on `<-{E.render(r.wait.fn)}` ({wait_loc.path}:{r.wait.line}), tests the "
        f"same of what it receives ({wait_loc.path}:{r.expects_line}): it expects those replies, and for one "
        f"of them it waits forever. Fix: answer the pending call on that branch too (take it out of "
        f"`{r.label}` and send the reply), as the other path does."
    )
    steps = (
        Step(wait_loc, f"`{r.waiter.short}` waits for the reply"),
        Step(skip_loc, f"`{r.dispatcher.short}` skips the reply when `{r.test}`"),
        Step(op_location(r.dispatcher, r.answer), "the answer the other path sends"),
        Step(Location(wait_loc.path, r.expects_line, 1), f"`{r.waiter.short}` tests the same: it expects them"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=skip_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "the caller waiting for the reply"),),
        steps=steps,
        key=f"{r.dispatcher.qualname}|{r.label}|skipped-tested-reply",
    )


def _abandoned_pending_finding(a):
    """The goroutine answering pending calls returns, leaving the calls still in the map unanswered."""
    exit_loc = op_location(a.reader, a.exit)
    wait_loc = op_location(a.waiter, a.wait)
    region = a.exit.region
    how = branch_text(a.reader.facts, region, "returns")
    through = "" if a.dispatcher is a.reader else f" (through `{a.dispatcher.short}`, line {a.answer.line})"
    message = (
        f"`{a.reader.short}`, the goroutine that answers the calls pending in `{a.label}`{through}, {how} at line "
        f"{a.exit.line}, and nothing fails the calls still in `{a.label}`: `{a.waiter.short}` waits on "
        f"`<-{E.render(a.wait.fn)}` (line {a.wait.line}) forever for a request already sent, and so does every "
        f"later call. Fix: on the way out, close (or answer with the error) every channel left in `{a.label}`, "
        "and refuse new calls once the reader is gone."
    )
    steps = (
        Step(op_location(a.dispatcher, a.answer), f"the only answers, through `{a.label}`"),
        Step(exit_loc, f"`{a.reader.short}` {how}, leaving the pending calls"),
        Step(wait_loc, f"`{a.waiter.short}` waits here forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "a caller waiting for its answer"),),
        steps=steps,
        key=f"{a.reader.qualname}|{a.label}|abandoned-pending",
    )


def _unclosed_delete_finding(u):
    """A delete of a client from a hub's map that skips the close its other deletes make."""
    loc = op_location(u.fn, u.delete)
    range_loc = op_location(u.ranger, u.range_op)
    chan = f"{u.key}.{u.field}"
    message = (
        f"`{u.fn.short}` deletes `{u.key}` from `{u.label}` (line {u.delete.line}) without `close({chan})`, "
        f"as its delete at line {u.closing.line} does, but `{u.ranger.short}` ranges over its `{u.field}` "
        f"({_where(range_loc, loc)}) until it is closed: once the entry is gone nothing closes it, so that "
        f"range never ends and its goroutine blocks forever. Fix: `close({chan})` with this delete too."
    )
    steps = (
        Step(op_location(u.fn, u.closing), f"this delete of `{u.label}` closes `{chan}`"),
        Step(loc, "this one does not"),
        Step(range_loc, f"`{u.ranger.short}` waits here for a close that never comes"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(range_loc, "the range left waiting"),),
        steps=steps,
        key=f"{u.fn.qualname}|{u.label}|{u.delete.line}|unclosed-delete",
    )


def _case_text(case) -> str:
    """`<-hedge.C` for a case region receiving from hedge.C."""
    info = case.info
    if E.is_expr(info) and info[0] == "recv":
        return f"<-{E.render(info[1])}"
    return E.render(info) if E.is_expr(info) else "..."


def _unstarted_receiver_finding(u):
    """The only receiver is started under an `if`; the send is made whatever the condition."""
    name = u.channel.label
    facts = u.owner.facts
    cond = facts.regions[u.guard].info
    when = f"when `{E.render(cond)}`" if cond is not None else "under an `if`"
    send_loc = op_location(u.owner, u.send)
    go_loc = op_location(u.owner, u.go_op)
    message = (
        f"`{u.owner.short}` starts the only receiver of `{name}` (`{u.receiver.short}`, line {u.go_op.line}) "
        f"only {when}, but sends on `{name}` (unbuffered) at line {u.send.line} whatever the condition: when it "
        f"is false nobody receives, and the send blocks forever. Fix: send only where the receiver runs (inside "
        f"the same `if`), or start the receiver on every path."
    )
    steps = (
        Step(go_loc, f"the only receiver of `{name}` is started only {when}"),
        Step(send_loc, f"`{u.owner.short}` sends on `{name}` on every path: with no receiver, it waits forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(go_loc, "the receiver, started conditionally"), *_made_here(u.channel)]),
        steps=steps,
        key=f"{u.owner.qualname}|{name}|unstarted-receiver",
    )


def _skipped_start_finding(k):
    """A `continue` skips a sender while the receives are counted by the same collection."""
    name = k.channel.label
    jump_loc = op_location(k.owner, k.jump)
    recv_loc = op_location(k.owner, k.recv)
    message = (
        f"`{k.owner.short}` can `{k.jump.mode}` at line {k.jump.line} before the `go` at line {k.go_op.line} that "
        f"starts the goroutine sending on `{name}`, but receives from `{name}` once per element of "
        f"`{k.collection}` (line {k.recv.line}): a skipped element sends nothing, and the last receive blocks "
        f"forever. Fix: count the goroutines started and receive that many times, or send a value for the "
        f"skipped element too."
    )
    steps = (
        Step(jump_loc, f"skips the `go` at line {k.go_op.line} for this element of `{k.collection}`"),
        Step(
            op_location(k.owner, k.go_op), f"one goroutine per element that is not skipped, one send on `{name}` each"
        ),
        Step(recv_loc, f"one receive per element of `{k.collection}`: the last waits forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=jump_loc,
        severity=SEVERITY,
        related=tuple([Related(recv_loc, "the receive left waiting"), *_made_here(k.channel)]),
        steps=steps,
        key=f"{k.owner.qualname}|{name}|skipped-start",
    )


def _nil_finding(n):
    verb = "send on" if n.op.kind == "send" else "receive from"
    loc = op_location(n.fn, n.op)
    if n.elements_of:
        return _nil_element_finding(n, verb, loc)
    message = (
        f"{verb} a nil channel: `{n.name}` is declared at line {n.declared.line} and never assigned, "
        f"so this blocks forever. Fix: `{n.name} := make(...)`, or assign it before use."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(n.fn, n.declared), f"`{n.name}` declared, never made"),),
        steps=(
            Step(op_location(n.fn, n.declared), f"`var {n.name}` starts nil and nothing assigns it"),
            Step(loc, f"{verb} `{n.name}` blocks forever"),
        ),
        key=f"{n.fn.qualname}|{n.name}|nil",
    )


def _nil_element_finding(n, verb: str, loc) -> Finding:
    """An element of a `make([]chan T, n)` slice that nothing fills."""
    made = E.render(n.declared.args[0])
    elem = made.split("chan ", 1)[1].split(",", 1)[0] if "chan " in made else "T"
    message = (
        f"{verb} a nil channel: `{n.name}` is an element of `{n.elements_of}`, made by `{made}` at line "
        f"{n.declared.line}, whose elements start nil and are never given a channel, so this blocks forever. "
        f"Fix: make each element before use (`{n.elements_of}[i] = make(chan {elem}, 1)`)."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(op_location(n.fn, n.declared), f"`{n.elements_of}` made, its channels never made"),),
        steps=(
            Step(op_location(n.fn, n.declared), f"`{made}` holds nil channels, and nothing fills it"),
            Step(loc, f"{verb} `{n.name}` blocks forever"),
        ),
        key=f"{n.fn.qualname}|{n.elements_of}|{n.op.line}|nil-element",
    )


def _unheard_finding(u):
    """A send on a local unbuffered channel that nothing in the program receives from."""
    ch, owner = u.channel, u.owner
    name = ch.label
    loc = op_location(u.sender, u.send)
    if u.go_op is None:
        who = f"`{owner.short}`"
        steps = [Step(loc, f"{who} sends on `{name}` itself; no receiver exists")]
        fate = "it deadlocks here, waiting for itself"
    else:
        who = f"the goroutine started at line {u.go_op.line}"
        steps = [
            Step(op_location(owner, u.go_op), f"`{owner.short}` starts the goroutine that sends on `{name}`"),
            Step(loc, f"{who} blocks here: no receiver exists"),
        ]
        fate = "it blocks there forever and is never collected"
    others = f" ({u.sends} sends in all)" if u.sends > 1 else ""
    message = (
        f"{who} sends on `{name}` (unbuffered) at line {u.send.line}{others}, but nothing ever receives from "
        f"`{name}`, which never leaves `{owner.short}`: {fate}. "
        f"Fix: receive from `{name}` where the result is needed (or `select` on it with `ctx.Done()`), "
        f"or drop the channel."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=tuple(_made_here(ch)),
        steps=tuple(steps),
        key=f"{owner.qualname}|{name}|unheard",
    )


def _unheard_field_finding(u):
    """A send on an unexported, unbuffered field channel that nothing in its package receives from."""
    ch = u.channel
    name = ch.label
    loc = op_location(u.sender, u.send)
    others = f" ({u.sends} sends in all)" if u.sends > 1 else ""
    message = (
        f"`{u.sender.short}` sends on `{name}` (unbuffered) at line {u.send.line}{others}, but nothing ever "
        f"receives from `{name}`: the field is unexported and its package never reads it, so the send blocks "
        f"forever. Fix: start the goroutine that should receive from `{name}`, or drop the field."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=tuple(_made_here(ch)),
        steps=(*(Step(r.location, r.message) for r in _made_here(ch)), Step(loc, "blocks here: no receiver exists")),
        key=f"{name}|unheard-field",
    )


def _lone_finding(u):
    """Every send and receive on an unbuffered channel runs in one goroutine: the first blocks forever."""
    ch = u.channel
    name = ch.label
    loc = op_location(u.fn, u.op)
    verb = "sends on" if u.op.kind == "send" else "receives from"
    where = f"`{u.fn.short}`" if u.fn is u.root else f"`{u.fn.short}`, called from `{u.root.short}`,"
    count = f" ({u.ops} in all)" if u.ops > 1 else ""
    if u.overfilled:
        sent = "without end" if u.overfilled == UNBOUNDED else f"{u.overfilled} values"
        message = (
            f"`{u.fn.short}` sends {sent} on `{name}` (buffer {ch.capacity}) before its first receive from it, "
            f"and no other goroutine uses `{name}`: the send at line {u.op.line} finds the buffer full and "
            f"blocks forever, since only this goroutine could make room. Fix: give `{name}` a buffer of "
            f"{u.overfilled if u.overfilled != UNBOUNDED else 'the values sent'}, or receive in another goroutine."
        )
    elif u.late_go is not None:
        message = (
            f"{where} {verb} `{name}` (unbuffered) at line {u.op.line} before `{u.root.short}` starts the "
            f"goroutine that would be at the other end (the `go` statement at line {u.late_go.line}): no goroutine "
            f"running yet uses `{name}`, so it blocks there forever and that goroutine is never started. Fix: start "
            f"the goroutine first, or give `{name}` a buffer for the values sent before it runs."
        )
    else:
        message = (
            f"{where} {verb} `{name}` (unbuffered) at line {u.op.line}, but every send and receive on `{name}`"
            f"{count} runs in the goroutine of `{u.root.short}`, so nobody else can ever be at the other end: the "
            f"first of them to run blocks forever. Fix: run the other side in a goroutine of its own, or give "
            f"`{name}` a buffer for the values sent before they are received."
        )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=tuple(_made_here(ch)),
        steps=(
            *(Step(r.location, r.message) for r in _made_here(ch)),
            Step(loc, f"the goroutine of `{u.root.short}` blocks here, waiting for itself"),
            *([Step(op_location(u.root, u.late_go), "the partner would only be started here")] if u.late_go else []),
        ),
        key=f"{u.root.qualname}|{name}|lone",
    )


def _dead_context_finding(d):
    """`<-ctx.Done()` on a context that nothing can cancel."""
    loc = op_location(d.fn, d.op)
    made = E.render(d.origin)
    where = "" if d.origin_fn is d.fn else f" (made in `{d.origin_fn.short}`)"
    if d.deferred_cancel is not None:
        message = (
            f"`{d.fn.short}` waits on `<-{d.ctx_text}.Done()` at line {d.op.line}, but the only cancel of "
            f"`{d.ctx_text}` is deferred (line {d.deferred_cancel.line}) and runs after this wait returns, and its "
            f"parent comes from `{made}`{where}, which nothing can cancel: `Done()` never closes, so this blocks "
            f"forever. Fix: call the cancel function where the wait should end (or hand it to the goroutine that "
            f"finishes the work)."
        )
    else:
        message = (
            f"`{d.fn.short}` waits on `<-{d.ctx_text}.Done()` at line {d.op.line}, but `{d.ctx_text}` comes from "
            f"`{made}`{where}, which nothing can cancel and which has no deadline: `Done()` never closes, so this "
            f"blocks forever. Fix: derive the context with `context.WithCancel` (or from the caller's context) "
            f"and cancel it when the wait should end."
        )
    origin_loc = Location(d.origin_fn.file.path, d.origin_line)
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(origin_loc, f"`{made}`: never cancelled"),),
        steps=(
            Step(origin_loc, f"`{made}` makes a context with no cancel function and no deadline"),
            Step(loc, f"`{d.fn.short}` waits here for a cancellation that never comes"),
        ),
        key=f"{d.fn.qualname}|{d.ctx_text}|dead-context",
    )


def _abandoned_finding(a):
    """A goroutine waits for a close (or send) that its starter skips on an early return."""
    closes = a.release.kind == "call"
    held = E.render(a.release.args[0] if closes else a.release.fn)
    release = f"close({held})" if closes else f"{held} <- …"
    waited = E.render(a.receive.fn)
    exit_loc = op_location(a.starter, a.exit)
    why = branch_text(a.starter.facts, a.exit.region)
    message = (
        f"`{a.starter.short}` {why} at line {a.exit.line} before `{release}` at line {a.release.line}, but the "
        f"goroutine it started at line {a.go_op.line} waits on `<-{waited}` (line {a.receive.line}) and nothing "
        f"else ever {'closes' if closes else 'sends on'} `{a.channel.label}`: on that path the goroutine blocks "
        f"forever. Fix: "
        + (
            f"`defer {release}` right after starting the goroutine, or close it on that path too."
            if closes
            else f"`close({held})` on that path (the goroutine then sees the channel closed), or let the goroutine "
            f"`select` on `ctx.Done()` too."
        )
    )
    steps = (
        Step(op_location(a.starter, a.go_op), f"`{a.starter.short}` starts the goroutine"),
        Step(op_location(a.waiter, a.receive), f"the goroutine waits on `<-{waited}`"),
        Step(exit_loc, f"`{a.starter.short}` {why}"),
        Step(op_location(a.starter, a.release), f"the only `{release}`, skipped on that path"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(op_location(a.waiter, a.receive), f"the receive from `{waited}` left waiting"),),
        steps=steps,
        key=f"{a.starter.qualname}|{a.channel.label}|abandoned",
    )


def _send_first_finding(x):
    """Every receiver of a field channel waits first at its own send on that field."""
    fn, name = x.fn, x.channel.label
    send_loc = op_location(fn, x.send)
    go_fn, go_op = x.go
    message = (
        f"every receive from `{name}` is made by `{fn.short}` (line {x.receive.line}), after its own send on "
        f"`{name}` at line {x.send.line} (`{E.render(x.send.fn)} <- …`, unbuffered): each goroutine running it "
        f"(started at line {go_op.line} of `{go_fn.short}`) waits at that send for a receiver that is itself "
        f"waiting to send, so no send ever completes and they all block forever. Fix: receive in a goroutine "
        f"of its own, give `{name}` a buffer, or send in a `select` that also receives."
    )
    steps = (
        Step(op_location(go_fn, go_op), f"`{go_fn.short}` starts `{fn.short}`"),
        Step(send_loc, f"`{fn.short}` sends on `{name}` first, and waits for a receiver"),
        Step(op_location(fn, x.receive), f"the only receives from `{name}` come after that send"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=(
            Related(op_location(fn, x.receive), "the only receive, reached only after the send"),
            *_made_here(x.channel),
        ),
        steps=steps,
        key=f"{fn.qualname}|{name}|send-first",
    )


def _dead_close_waiter(d) -> str:
    if d.wait.kind == "return":
        return f"whoever waits on what `{d.waiter.short}` returns (line {d.wait.line}) blocks forever"
    return f"`{d.waiter.short}` blocks forever on `<-{E.render(d.wait.fn)}` at line {d.wait.line}"


def _dead_close_finding(d):
    """A deferred close that never runs: the function's endless loop has no way out."""
    fn, name = d.fn, E.render(d.defer.args[0]) if d.defer.args else d.channel.label
    loop_line = fn.facts.regions[d.loop].line
    defer_loc = op_location(fn, d.defer)
    wait_loc = op_location(d.waiter, d.wait)
    message = (
        f"`{fn.short}` defers `close({name})` at line {d.defer.line}, but its `for` loop at line {loop_line} "
        f"has no way out (no `return`, `break` of the loop or `goto`): once there `{fn.short}` never returns, and "
        f"the close never runs: {_dead_close_waiter(d)}. "
        f"Fix: give the loop a way out (a `case <-ctx.Done(): return`), or close the channel where the work ends."
    )
    steps = (
        Step(defer_loc, f"`{fn.short}` defers the close, to run when it returns"),
        Step(Location(fn.file.path, loop_line, 1), "the loop below has no way out"),
        Step(wait_loc, f"`{d.waiter.short}` waits for the close forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=defer_loc,
        severity=SEVERITY,
        related=(Related(wait_loc, "waits for the close"),),
        steps=steps,
        key=f"{fn.qualname}|{d.channel.label}|dead-close",
    )


def _abandoned_result_finding(a):
    """The maker's goroutine sends once on the channel it returns; the caller's select can leave first."""
    if a.ranged:
        return _abandoned_stream_finding(a)
    name, maker, caller = a.channel.label, a.maker, a.caller
    send_loc = op_location(a.sender, a.send)
    leave_loc = op_location(caller, a.leave)
    how = branch_text(caller.facts, a.case_region)
    made = _made_type(a.channel)
    sends = "in a loop" if a.many else "once"
    fix = (
        f"send with `select {{ case {name} <- v: case <-ctx.Done(): return }}` in `{maker.short}`'s goroutine, "
        "on a context the caller cancels when it stops reading"
        if a.many
        else f"make the channel with a buffer of 1 in `{maker.short}`"
        f"{f' (`make({made}, 1)`)' if made else ''}, so the goroutine can leave whether or not anyone waits"
    )
    reads = f"receives from it only in a `select` that {how} at line {a.leave.line} instead"
    if a.many and a.reads_once:
        reads = (
            f"receives from it at most once, in a `select` (line {a.receive.line}) that may also take "
            f"another case and return at line {a.leave.line}"
        )
    started = f"the goroutine started at line {a.go.line}"
    if a.fan_loop:
        # a fan-out: one sender per round of the maker's loop, each sending once
        started = f"each goroutine the loop at line {a.fan_loop} starts (line {a.go.line})"
        reads = f"receives from it in a `select` that {how} at line {a.leave.line}, maybe before every one has sent"
        if a.plain_loop:
            reads = (
                f"receives from it in a loop (line {a.receive.line}) and {how} at line {a.leave.line}, "
                "maybe before every one has sent"
            )
        fix = (
            f"make the channel with room for every goroutine in `{maker.short}`"
            f"{f' (`make({made}, len(...))`)' if made else ''}, so each can leave whether or not anyone waits"
        )
    message = (
        f"{started} sends {sends} on `{name}` ({_capacity_text(a.channel.capacity)}) at line {a.send.line}, "
        f"and `{maker.short}` returns the channel; `{caller.short}` {reads}: after that nothing receives, and "
        f"the {'next ' if a.many else ''}send blocks forever. Fix: {fix}."
    )
    steps = (
        Step(op_location(maker, a.go), f"`{maker.short}` starts the goroutine that sends {sends}"),
        Step(op_location(caller, a.call), f"`{caller.short}` takes the channel `{maker.short}` returns"),
        Step(
            leave_loc,
            f"`{caller.short}` {how} before hearing every goroutine"
            if a.plain_loop
            else f"`{caller.short}` {how} without receiving",
        ),
        Step(send_loc, "the goroutine's send waits for a receiver forever"),
    )
    return _returned_channel_finding(a, message, steps, "abandoned-result")


def _returned_channel_finding(a, message: str, steps: tuple, shape: str) -> Finding:
    """The finding of a returned channel its caller stops receiving from: at the maker's send."""
    return Finding(
        rule_id=ID,
        message=message,
        location=op_location(a.sender, a.send),
        severity=SEVERITY,
        related=(Related(op_location(a.caller, a.leave), f"`{a.caller.short}` leaves here"), *_made_here(a.channel)),
        steps=steps,
        key=f"{a.maker.qualname}|{a.channel.label}|{shape}",
    )


def _abandoned_stream_finding(a):
    """The maker's goroutine sends a stream on the channel it returns; the caller's range can leave first."""
    name, maker, caller = a.channel.label, a.maker, a.caller
    send_loc = op_location(a.sender, a.send)
    leave_loc = op_location(caller, a.leave)
    if a.leave.kind == "return":
        leaves = "returns from inside the loop"
    elif a.leave.kind == "jump":
        leaves = "breaks out of the loop"
    else:
        leaves = f"calls `{E.render(a.leave.fn)}(…)` inside the loop (the goroutine ends)"
    sends = f"sends on `{name}` (unbuffered) in a loop at line {a.send.line}"
    through = ()
    if a.through is not None:
        gfn, helper = a.through
        sends = (
            f"sends on `{name}` (unbuffered) in a loop, through `{E.render(helper.fn)}(…)` at line {helper.line} "
            f"(the send at line {a.send.line})"
        )
        through = (Step(op_location(gfn, helper), f"each round calls `{E.render(helper.fn)}`, which sends"),)
    reads = f"`{caller.short}` ranges over it (line {a.receive.line})"
    took = (Step(op_location(caller, a.receive), f"`{caller.short}` ranges over the channel `{maker.short}` returns"),)
    if a.taker is not None:
        taker, handoff = a.taker
        loop = "ranges over it" if a.receive.mode == "range" else "receives from it in a loop"
        # a goroutine literal of the function called reads it (`parseRecords` starting `func1`)
        given = caller.outermost()
        reader = "which" if given is caller else f"whose goroutine `{caller.short}`"
        reads = (
            f"`{taker.short}` hands it to `{given.short}` (line {handoff.line}), {reader} {loop} "
            f"(line {a.receive.line})"
        )
        if a.leave.kind == "return":
            leaves = branch_text(caller.facts, a.case_region)
        took = (
            Step(
                op_location(taker, handoff),
                f"`{taker.short}` hands the channel `{maker.short}` returns to `{given.short}`",
            ),
            Step(op_location(caller, a.receive), f"`{caller.short}` {loop}"),
        )
    message = (
        f"the goroutine started at line {a.go.line} {sends}, "
        f"and `{maker.short}` returns the channel; {reads} and "
        f"{leaves} at line {a.leave.line}, before the stream ends: after that nothing receives, and the next send "
        f"blocks forever. Fix: give `{maker.short}` a context (or done channel) that `{caller.short}` cancels when "
        f"it stops reading, and send with `select {{ case {name} <- v: case <-ctx.Done(): return }}`; or drain the "
        "channel before leaving."
    )
    steps = (
        Step(op_location(maker, a.go), f"`{maker.short}` starts the goroutine that sends in a loop"),
        *through,
        *took,
        Step(leave_loc, f"`{caller.short}` {leaves} before the stream ends"),
        Step(send_loc, "the goroutine's next send waits for a receiver forever"),
    )
    return _returned_channel_finding(a, message, steps, "abandoned-stream")


def _outlived_finding(o):
    """An endless send loop goes on after the one loop receiving from it has left."""
    sender, receiver, starter = o.sender, o.receiver, o.starter
    chan = E.render(o.send.fn)
    send_loc = op_location(sender, o.send)
    exit_loc = op_location(receiver, o.exit)
    verb = {"return": "returns", "jump": "leaves its loop"}.get(o.exit.kind, "ends the goroutine")
    how = branch_text(receiver.facts, o.branch, verb)
    started = "starts" if o.receiver_start.mode == "go" else "then runs"
    cap = o.channel.capacity
    blocks = (
        "the next send blocks forever"
        if cap == 0
        else "once the buffer is full the next send blocks forever"
        if cap is not None
        else "once the buffer, whatever its size, is full the next send blocks forever"
    )
    looper = o.via[0] if o.via is not None else sender
    helper = ""
    through: tuple = ()
    if o.via is not None:
        helper = f", through `{E.render(o.via[1].fn)}` called at line {o.via[1].line},"
        through = (Step(op_location(*o.via), f"each round of `{looper.short}`'s loop calls `{sender.short}`"),)
    receiving = f"the only receiver, `{receiver.short}` (line {o.receiver_start.line}),"
    started_by = (
        Step(op_location(starter, o.receiver_start), f"`{starter.short}` {started} `{receiver.short}`, the receiver"),
    )
    if starter is receiver:
        receiving = f"the only receiver, `{receiver.short}` itself,"
        started_by = ()
    message = (
        f"`{looper.short}` (started at line {o.sender_go.line} of `{starter.short}`) sends on `{chan}` "
        f"({'unknown buffer' if cap is None else _capacity_text(cap)}) at line {o.send.line}{helper} in an endless "
        f"loop that does not watch the receiver, but {receiving} "
        f"{how} at line {o.exit.line}: after that nothing receives from `{chan}`, {blocks}, "
        f"and `{looper.short}` leaks. "
        f"Fix: {_outlived_fix(o, chan)}."
    )
    steps = (
        Step(op_location(starter, o.sender_go), f"`{starter.short}` starts `{looper.short}`, the sender"),
        *started_by,
        Step(op_location(receiver, o.receive), f"`{receiver.short}` receives from `{chan}` in its loop"),
        Step(exit_loc, f"`{receiver.short}` {how}"),
        *through,
        Step(send_loc, f"`{looper.short}` goes on sending; this send waits for a receiver forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=(Related(exit_loc, f"`{receiver.short}` leaves its receive loop here"), *_made_here(o.channel)),
        steps=steps,
        key=f"{sender.qualname}|{o.channel.label}|outlived",
    )


def _late_send_finding(o):
    """A method's plain send on a field channel whose only receiving loop may have returned."""
    sender, receiver = o.sender, o.receiver
    chan = E.render(o.send.fn)
    go_fn, go_op = o.go
    send_loc = op_location(sender, o.send)
    exit_loc = op_location(receiver, o.exit)
    verb = {"return": "returns", "jump": "leaves its loop"}.get(o.exit.kind, "ends the goroutine")
    how = branch_text(receiver.facts, o.branch, verb)
    message = (
        f"`{sender.short}` sends on `{chan}` (unbuffered) at line {o.send.line}, and its only receiver, "
        f"`{receiver.short}` (started at line {go_op.line} of `{go_fn.short}`), {how} at line "
        f"{o.exit.line}: called after that, `{sender.short}` blocks forever. Fix: "
        f"{_outlived_fix(o, chan)}."
    )
    steps = (
        Step(op_location(go_fn, go_op), f"`{go_fn.short}` starts `{receiver.short}`, the only receiver"),
        Step(op_location(receiver, o.receive), f"`{receiver.short}` receives from `{chan}` in its loop"),
        Step(exit_loc, f"`{receiver.short}` {how}"),
        Step(send_loc, f"`{sender.short}`, called later, waits here for a receiver that is gone"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=(Related(exit_loc, f"`{receiver.short}` leaves its receive loop here"), *_made_here(o.channel)),
        steps=steps,
        key=f"{sender.qualname}|{o.channel.label}|late-send",
    )


def _outlived_fix(o, chan: str) -> str:
    """A `select` on the send with the receiver's own way out, written with the sender's names."""
    if o.sender_case:
        context = o.sender_case == "<-ctx.Done()"
        tail = "on the receiver's context" if context else "so the sender leaves with the receiver"
        if context and o.starter is o.receiver:
            tail = f"passing `{o.receiver.short}`'s context to the goroutine it starts"
        return f"send with `select {{ case {chan} <- v: case {o.sender_case}: return }}`, {tail}"
    return (
        f"have `{o.receiver.short}` close a channel when it leaves (`defer close(done)`), and send with "
        f"`select {{ case {chan} <- v: case <-done: return }}`"
    )


def _received_again_finding(r):
    """A `continue` goes round without making the next one-shot channel; the receive waits on the drained one."""
    fn, name = r.fn, r.name
    recv_loc = op_location(fn, r.receive)
    when = f"when `{E.render(r.condition)}` " if E.is_expr(r.condition) else ""
    message = (
        f"`<-{name}` at line {r.receive.line} takes the one value that `{r.sender.short}` (started at line "
        f"{r.go_op.line}) sends on it, but {when}the `continue` at line {r.jump.line} goes round before line "
        f"{r.make.line} makes the next channel: the next round waits on `<-{name}` again, on a channel nothing "
        f"will send on, and blocks forever. Fix: set `{name} = nil` before that `continue`, or make the next "
        f"channel before going round."
    )
    steps = (
        Step(op_location(fn, r.go_op), f"`{fn.short}` starts `{r.sender.short}`, which sends once on `{name}`"),
        Step(op_location(r.sender, r.send), "the one send"),
        Step(recv_loc, "the next round takes that value"),
        Step(op_location(fn, r.jump), f"`continue` goes round with `{name}` already drained"),
        Step(recv_loc, "the round after waits here forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=recv_loc,
        severity=SEVERITY,
        related=(
            Related(op_location(fn, r.jump), "goes round without a new channel"),
            Related(op_location(fn, r.make), "the next channel is made here, skipped"),
        ),
        steps=steps,
        key=f"{fn.qualname}|{name}|received-again",
    )


def _ineffective_break_finding(b):
    """An unlabelled `break` in a select case meant to leave the endless loop around it."""
    loc = op_location(b.fn, b.jump)
    message = (
        f"`break` at line {b.jump.line} leaves only the `select` (line {b.select_line}), not the `for` loop at "
        f"line {b.loop_line}, which has no other way out: `{b.fn.short}` never returns"
        + (", spins through that case once its channel is closed," if b.receives else ",")
        + " and whoever waits for it waits forever. Fix: label the loop (`loop: for {`) and `break loop`, "
        "or `return`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(Location(b.fn.file.path, b.loop_line), "the loop it was meant to leave"),),
        steps=(
            Step(Location(b.fn.file.path, b.loop_line), "an endless `for` loop"),
            Step(loc, "`break` ends the `select` only; the loop goes round again"),
        ),
        key=f"{b.fn.qualname}|{b.jump.line - b.loop_line}|break",
    )


def _self_shutdown_finding(s):
    """An HTTP handler calls its server's Shutdown with a context nothing cancels."""
    loc = op_location(s.fn, s.op)
    via = "".join(f" → `{g.short}`" for g, _op in s.path[1:]) + (f" → `{s.fn.short}`" if s.path else "")
    through = f" (through `{s.handler.short}`{via})" if s.path else ""
    message = (
        f"the HTTP handler `{s.handler.short}` calls `{E.render(s.op.fn)}` at line {s.op.line}{through} with a "
        f"context nothing can cancel; `Shutdown` returns only once every connection is idle, and the one serving "
        f"this request stays active until the handler returns: the handler waits for itself forever. Fix: run "
        f"it in a goroutine (`go srv.Shutdown(ctx)`), or give it a context with a deadline."
    )
    steps = (
        *(Step(op_location(g, op), f"`{g.short}` calls on toward the shutdown") for g, op in s.path),
        Step(loc, "waits for every request to finish, this one included"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(Location(s.handler.file.path, s.handler.facts.line), "the handler"),),
        steps=steps,
        key=f"{s.handler.qualname}|self-shutdown",
    )


def _nilled_select_finding(n):
    """An endless loop's select on channels each case sets to nil once closed, with no way out."""
    path = n.fn.file.path
    names = " and ".join(f"`{c}`" for c in n.channels)
    loc = Location(path, n.select_line)
    message = (
        f"the `select` at line {n.select_line} sets {names} to nil once closed (line"
        f"{'s' if len(n.nil_lines) > 1 else ''} {', '.join(str(x) for x in n.nil_lines)}), but the `for` loop at "
        f"line {n.loop_line} has no way out: once every one is closed, no case can run and `{n.fn.short}` blocks "
        f"in the `select` forever (a `select` on nil channels never proceeds), so whoever waits for it waits too. "
        f"Fix: loop while any channel is left (`for {' || '.join(f'{c} != nil' for c in n.channels)} {{`), "
        "or return once the last one is closed."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(Location(path, n.loop_line), "the loop with no exit"),),
        steps=(
            *(
                Step(Location(path, line), f"`{c}` set to nil once closed")
                for c, line in zip(n.channels, n.nil_lines, strict=True)
            ),
            Step(loc, "with every channel nil, this select blocks forever"),
        ),
        key=f"{n.fn.qualname}|{n.select_line - n.loop_line}|nilled",
    )


def _ranged_ticker_finding(r):
    """`for range t.C` over a ticker the program stops: Stop does not close the channel."""
    loc = op_location(r.fn, r.range_op)
    stop_loc = op_location(r.stop_fn, r.stop)
    message = (
        f"`{r.fn.short}` ranges over `{r.text}.C` at line {r.range_op.line} with no other way out of the loop, and "
        f"`{r.stop_fn.short}` stops the ticker (`{E.render(r.stop.fn)}()` at line {r.stop.line}); but `Stop` does "
        f"not close a ticker's channel, so after it the loop waits forever, and whoever waits for this goroutine "
        f"waits too. Fix: loop with `select` on the ticker and a done channel closed beside `Stop`, or return on "
        f"a context."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(stop_loc, "the ticker is stopped here; its channel stays open"),),
        steps=(
            Step(loc, f"the only way out of this loop is `{r.text}.C` being closed"),
            Step(stop_loc, "`Stop` ends the ticks without closing the channel"),
        ),
        key=f"{r.fn.qualname}|{r.text}|ranged-ticker",
    )


def _drained_twice_finding(d):
    """`if !t.Stop() { <-t.C }` after the function already received the timer's value."""
    loc = op_location(d.fn, d.recv)
    taker = d.caller or d.fn  # the function whose receive took the value
    if d.caller is not None and d.call is not None and d.in_other_case:
        why = (
            f"but `{d.caller.short}` calls it at {op_location(d.caller, d.call).path}:{d.call.line} in one case of "
            f"the loop at line {d.loop_line}, and once the `case <-{E.render(d.first.fn)}:` at line "
            f"{d.first.line} has taken the timer's only value, the loop goes round without resetting it: the "
            f"next time the call runs, the channel is empty and this receive blocks forever"
        )
    elif d.caller is not None and d.call is not None:
        why = (
            f"but `{d.caller.short}` calls it at {op_location(d.caller, d.call).path}:{d.call.line} right after "
            f"the `case <-{E.render(d.first.fn)}:` at line {d.first.line} "
            f"took the timer's only value, with no Reset between: the channel is empty and this receive "
            f"blocks forever"
        )
    elif d.stopped_first:
        why = (
            f"but `{d.text}.Stop()` at line {d.first.line} stopped the timer before it could fire, and nothing "
            f"resets it before this drain: `Stop` returns false for a stopped timer too, and the channel has "
            f"nothing to give, so the first time this runs it blocks forever"
        )
    elif d.before_loop:
        why = (
            f"but the receive at line {d.first.line} already took the timer's only value (or the `Stop` "
            f"guarding it stopped the timer unfired), and the function enters the loop at line {d.loop_line} "
            f"without resetting it: the first time this case runs, `Stop` returns false again and the "
            f"channel has nothing to give, so this receive blocks forever"
        )
    elif d.loop_line:
        why = (
            f"but once the `case <-{d.text}.C:` at line {d.first.line} has taken the timer's only value, "
            f"the loop at line {d.loop_line} goes round without resetting it: the next time this case "
            f"runs, the channel is empty and this receive blocks forever"
        )
    else:
        why = (
            f"but it already took the timer's only value at line {d.first.line}: the channel stays "
            f"empty and this receive blocks forever"
        )
    message = (
        f"`{d.fn.short}` receives from `{d.text}.C` at line {d.recv.line} because `{d.text}.Stop()` returned false "
        f"(line {d.stop}), {why}. Fix: drain only when the value was not taken (track it in a "
        f"flag), or drain with `select {{ case <-{d.text}.C: default: }}`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(
            Related(
                op_location(taker, d.first),
                "the timer is stopped here" if d.stopped_first else "the timer's value is received here",
            ),
        ),
        steps=(
            Step(
                op_location(taker, d.first),
                "stops the timer before it fires"
                if d.stopped_first
                else f"takes the one value `{d.text}` sends"
                + (
                    f" and goes round the loop at line {d.loop_line} without a Reset, to the call at line {d.call.line}"
                    if d.call is not None and d.in_other_case
                    else f", and the select falls through to the call at line {d.call.line}"
                    if d.call is not None
                    else f" and enters the loop at line {d.loop_line} without a Reset"
                    if d.before_loop
                    else f" and goes round the loop at line {d.loop_line} without a Reset"
                    if d.loop_line
                    else ""
                ),
            ),
            Step(
                Location(d.fn.file.path, d.stop),
                "`Stop` returns false: the timer was stopped already"
                if d.stopped_first
                else "`Stop` returns false: the timer already fired",
            ),
            Step(loc, "waits for a second value that never comes"),
        ),
        key=f"{d.fn.qualname}|{d.text}|drained-twice",
    )


def _drained_after_another_taker_finding(t):
    """`if !d.timer.Stop() { <-d.timer.C }` on a timer a goroutine also receives from."""
    loc = op_location(t.fn, t.recv)
    take = op_location(t.taker, t.take)
    start = op_location(t.start_fn, t.start)
    message = (
        f"`{t.fn.short}` receives from `{t.text}.C` at line {t.recv.line} because `{t.text}.Stop()` returned "
        f"false (line {t.stop}), but the goroutine running `{t.taker.short}` (started at "
        f"{start.path}:{start.line}) also receives from this timer at {take.path}:{take.line}: once the timer "
        f"fires and that goroutine takes the value, `Stop` returns false and the channel has nothing left, "
        f"so this receive blocks forever. Fix: drain without waiting (`select {{ case <-{t.text}.C: default: }}`), "
        f"or let the goroutine that receives from the timer be the only one to stop and reset it."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(take, f"`{t.taker.short}` takes the timer's value here"),),
        steps=(
            Step(start, f"starts `{t.taker.short}`"),
            Step(take, "takes the value when the timer fires"),
            Step(Location(t.fn.file.path, t.stop), "`Stop` returns false: the timer already fired"),
            Step(loc, "waits for a value that was already taken"),
        ),
        key=f"{t.fn.qualname}|{t.text}|drained-after-another-taker",
    )


def _stopped_timer_finding(w):
    """`<-t.C` after `t.Stop()` on the same straight line: a stopped timer sends nothing."""
    loc = op_location(w.recv_fn, w.recv)
    stop_loc = op_location(w.stop_fn, w.stop)
    via = "" if w.recv_fn is w.root else f" (in `{w.recv_fn.short}`, called from `{w.root.short}`)"
    message = (
        f"receive from `{w.text}.C` at line {w.recv.line}{via} after `{w.text}.Stop()` at line {w.stop.line}, "
        f"and nothing ever calls `Reset` on it: a stopped timer sends nothing, so this blocks forever. "
        f"Fix: `Reset` the timer before waiting, or wait in a `select` with the signal that stopped it."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(stop_loc, f"`{w.text}.Stop()`"),),
        steps=(
            Step(stop_loc, f"`{w.text}.Stop()`: the timer will not fire"),
            Step(loc, f"`<-{w.text}.C` waits for a tick that never comes"),
        ),
        key=f"{w.root.qualname}|{w.text}|stopped-timer",
    )


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _how_many(sends: int) -> str:
    """How many times a sender sends: UNBOUNDED for an endless loop, 0 for a loop of unknown count."""
    if sends == UNBOUNDED:
        return "in an endless loop"
    return _times(sends) if sends else "in a loop"


def _through(op) -> str:
    """ " through `w.Next(…)`" when the owner's statement is a call of the method that receives."""
    return "" if op.kind == "recv" else f" through `{E.render(op.fn)}{'(…)' if op.args else '()'}`"


def _short_finding(r):
    """A goroutine sends more values on an instance's field channel than its owner ever receives."""
    ch, owner = r.channel, r.owner
    name = ch.label
    cap = _capacity_text(ch.capacity)
    go_loc = op_location(r.go_fn, r.go_op)
    send_loc = op_location(r.sender, r.send)
    last = r.receives[-1] if r.receives else None
    sent = f"{_how_many(r.sends)} ({cap})"
    if r.path:
        lines = ", ".join(str(op.line) for op in r.path[:-1]) + f" and {r.path[-1].line}"
        sent = f"({cap}) {_times(r.sends)} on one path, at lines {lines}"
    relay_steps: list[Step] = []
    if r.relayed:
        feed, pace, feeds = r.relayed
        lines = ", ".join(str(op.line) for op in feeds[:-1]) + (" and " if len(feeds) > 1 else "") + str(feeds[-1].line)
        sent = (
            f"once for each value it takes from `{feed}` (line {pace.line}), and `{owner.short}` sends "
            f"{_how_many(r.sends)} on `{feed}` (line{'s' if len(feeds) > 1 else ''} {lines}; `{name}` is {cap})"
        )
        relay_steps = [
            *(Step(op_location(owner, op), f"`{owner.short}` sends a value on `{feed}`") for op in feeds),
            Step(op_location(r.sender, pace), f"`{r.sender.short}` takes each value from `{feed}` here"),
        ]
    got = f"receives only {_times(len(r.receives))}" if r.receives else "never receives"
    where = f" (last at line {last.line})" if last is not None else ""
    end = owner.facts.end_line
    ending = Step(Location(owner.file.path, end, 1), f"`{owner.short}` ends; nothing else can receive from `{name}`")
    after = f"and ends at line {end}"
    if r.waits is not None:
        ending = Step(op_location(owner, r.waits), f"`{owner.short}` waits here for `{r.sender.short}` to finish")
        after = f"and then waits for it (`{E.render(r.waits.fn)}()` at line {r.waits.line})"
    steps = [
        Step(go_loc, f"`{r.go_fn.short}` starts `{r.sender.short}`, which sends on `{name}` {sent}"),
        *relay_steps,
        *(
            Step(op_location(owner, op), f"`{owner.short}` receives from `{name}`{_through(op)}")
            for op in {id(op): op for op in r.receives}.values()  # a receive in a counted loop: one step
        ),
        ending,
        Step(send_loc, "this send waits for a receiver forever"),
    ]
    fix = "let the sender give up"
    if r.sends != UNBOUNDED:
        fix = f"receive every value, give `{name}` room for what is not received, or {fix}"
    if r.path:
        fix = f"`return` right after the send at line {r.path[0].line}, {fix}"
    stop = f"`select` on a stop channel that `{owner.short}` closes"
    if r.relayed and r.relayed[1].select >= 0:
        stop = "send in the `select` too, beside the case that lets it stop"
    message = (
        f"the goroutine started at line {r.go_op.line} sends on `{name}` {sent}, but `{owner.short}` "
        f"{got}{where} {after}: the send at line {r.send.line} blocks forever. "
        f"Fix: {fix} ({stop})."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(go_loc, "the sending goroutine is started here"), *_made_here(ch)]),
        steps=tuple(steps),
        key=f"{owner.qualname}|{name}|short",
    )


def _gone_finding(g):
    """The owner cancels the context its receiving goroutine returns on, then sends to it."""
    ch, owner, receiver = g.channel, g.owner, g.receiver
    name = ch.label
    send_loc = op_location(g.sender, g.send)
    through = "" if g.via is g.send else f" ({_through(g.via).strip()} at line {g.via.line})"
    steps = (
        Step(op_location(owner, g.go_op), f"`{owner.short}` starts `{receiver.short}`, the only receiver of `{name}`"),
        Step(op_location(receiver, g.gone), f"`{receiver.short}` returns here once the context is cancelled"),
        Step(op_location(owner, g.cancel), f"`{owner.short}` cancels that context"),
        Step(op_location(owner, g.via), f"`{owner.short}` goes on to send on `{name}`"),
        Step(send_loc, "this send waits for a receiver that may be gone"),
    )
    message = (
        f"`{owner.short}` calls `{E.render(g.cancel.fn)}()` at line {g.cancel.line}, which makes "
        f"`{receiver.short}` (started at line {g.go_op.line}, the only receiver of `{name}`) return at line "
        f"{g.gone.line}, and then sends on `{name}` at line {g.send.line}{through}: once that goroutine is gone "
        f"nothing receives, and the send blocks forever. Fix: send in a `select` with `case <-ctx.Done():`, "
        f"or send before cancelling."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(op_location(receiver, g.gone), f"`{receiver.short}` returns here"), *_made_here(ch)]),
        steps=steps,
        key=f"{owner.qualname}|{name}|gone",
    )


def _nil_field_finding(n):
    verb = {"send": "send on"}.get(n.op.kind, "receive from")
    if n.op.kind == "recv" and n.op.mode == "range":
        verb = "range over"
    loc = op_location(n.fn, n.op)
    type_name, _, field_name = n.label.partition(".")
    more = f" (and {n.others} more operation{'s' if n.others != 1 else ''} on it)" if n.others else ""
    if n.made_when:
        return _option_nil_field_finding(n, verb, loc, more)
    if n.built is not None and n.checked is None:
        return _sibling_nil_field_finding(n, verb, loc, more)
    if n.built is not None:
        return _optional_nil_field_finding(n, verb, loc, more)
    message = (
        f"{verb} a nil channel: the field `{n.label}` is never given a value (no `make`, no assignment, "
        f"no struct literal sets it), so this blocks forever{more}. "
        f"Fix: make the channel where the `{type_name}` is built, e.g. `{field_name}: make(...)`."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        steps=(Step(loc, f"{verb} `{n.label}`, still nil: blocks forever"),),
        key=f"{n.fn.qualname}|{n.label}|nilfield",
    )


def _sibling_nil_field_finding(n, verb: str, loc: Location, more: str):
    """A blocking operation on a channel field one constructor makes and a sibling leaves out."""
    made_fn, made_op = n.made
    built_fn, built_op = n.built
    made_loc = op_location(made_fn, made_op)
    built_loc = op_location(built_fn, built_op)
    message = (
        f"{verb} `{E.render(n.op.fn)}`, which is nil on values `{built_fn.short}` builds: it leaves `{n.label}` "
        f"out of its literal ({_where(built_loc, loc)}), while `{made_fn.outermost().short}` makes it "
        f"({_where(made_loc, loc)}) and nothing else sets it, so on such a value this {verb.split()[0]} "
        f"blocks forever{more}. Fix: make the channel in `{built_fn.short}` too."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        steps=(
            Step(built_loc, f"`{built_fn.short}` builds the value without `{n.label}`"),
            Step(made_loc, f"`{made_fn.outermost().short}` makes it; nothing else sets it"),
            Step(loc, f"{verb} `{E.render(n.op.fn)}`: blocks forever while it is nil"),
        ),
        related=(Related(built_loc, f"built without `{n.label}`"),),
        key=f"{n.fn.qualname}|{n.label}|sibling-nilfield",
    )


def _option_nil_field_finding(n, verb: str, loc: Location, more: str):
    """A blocking operation on a channel field its constructor makes only when an option is set."""
    made_fn, made_op = n.made
    built_fn, built_op = n.built
    made_loc = op_location(made_fn, made_op)
    built_loc = op_location(built_fn, built_op)
    message = (
        f"{verb} `{E.render(n.op.fn)}`, which is nil unless `{n.made_when}`: `{made_fn.short}` makes "
        f"`{n.label}` only then ({_where(made_loc, loc)}), and `{built_fn.short}` calls it without that option "
        f"({_where(built_loc, loc)}), so on its value this {verb.split()[0]} blocks forever{more}. "
        f"Fix: make the channel whatever the option, or test `{E.render(n.op.fn)} != nil` before waiting on it."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        steps=(
            Step(made_loc, f"`{made_fn.short}` makes `{n.label}` only when `{n.made_when}`"),
            Step(built_loc, f"`{built_fn.short}` builds one without that option"),
            Step(loc, f"{verb} `{E.render(n.op.fn)}`: blocks forever while it is nil"),
        ),
        related=(Related(built_loc, "built without the option"),),
        key=f"{n.fn.qualname}|{n.label}|option-nilfield",
    )


def _optional_nil_field_finding(n, verb: str, loc: Location, more: str):
    """A blocking operation on a channel field only some constructions make, unchecked for nil."""
    made_fn, made_op = n.made
    built_fn, built_op = n.built
    checked_fn, checked_op = n.checked
    made_loc = op_location(made_fn, made_op)
    built_loc = op_location(built_fn, built_op)
    checked_loc = op_location(checked_fn, checked_op)
    message = (
        f"{verb} `{E.render(n.op.fn)}` with no nil check: only `{made_fn.outermost().short}` makes "
        f"`{n.label}` ({_where(made_loc, loc)}), `{built_fn.short}` builds the value without it "
        f"({_where(built_loc, loc)}), and `{checked_fn.short}` tests it against nil before its "
        f"use at {_where(checked_loc, loc)}: when the channel was never made, this "
        f"{verb.split()[0]} blocks forever{more}. Fix: make the channel in `{built_fn.short}` "
        "(and keep the option from replacing it), or test "
        f"`{E.render(n.op.fn)} != nil` here as the other use does."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        steps=(
            Step(built_loc, f"`{built_fn.short}` builds the value without `{n.label}`"),
            Step(made_loc, "the only `make` of the field, not run on every construction"),
            Step(checked_loc, "this use is guarded by a nil check"),
            Step(loc, f"{verb} `{E.render(n.op.fn)}` unguarded: blocks forever while it is nil"),
        ),
        key=f"{n.fn.qualname}|{n.label}|optional-nilfield",
    )


def _nil_instance_field_finding(n):
    """A channel operation on a field the instance was built without."""
    if n.failing is not None:
        return _nil_after_failed_start_finding(n)
    verb = "send on" if n.op.kind == "send" else "receive from"
    loc = op_location(n.fn, n.op)
    built = op_location(n.alloc_fn, n.alloc)
    where = f"line {n.alloc.line}" if n.alloc_fn.file is n.fn.file else f"{built.path}:{n.alloc.line}"
    message = (
        f"{verb} a nil channel: `{n.var}` is built at {where} (in `{n.alloc_fn.short}`) without its `{n.field}` "
        f"channel, and nothing gives it one before `{n.owner.short}` reaches this {verb.split()[0]}, so `"
        f"{E.render(n.op.fn)}` is nil and this blocks forever. Fix: build it the way the other instances are "
        f"built (with `{n.field}: make(...)`, or through its constructor)."
    )
    steps = (
        Step(built, f"`{n.var}` built without `{n.field}`: the field stays nil"),
        Step(loc, f"{verb} `{E.render(n.op.fn)}`, still nil: blocks forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(built, f"`{n.var}` built without `{n.field}`"),),
        steps=steps,
        key=f"{n.owner.qualname}|{n.var}.{n.field}|nil-instance-field",
    )


def _nil_after_failed_start_finding(n):
    """A deferred call's channel operation on a field that a later call makes only after it may fail."""
    deferred, call, maker, ret = n.failing
    verb = "send on" if n.op.kind == "send" else "receive from"
    loc = op_location(n.fn, n.op)
    built = op_location(n.alloc_fn, n.alloc)
    defer_loc = op_location(n.owner, deferred)
    call_loc = op_location(n.owner, call)
    ret_loc = op_location(maker, ret)
    guard = next(r for r in enclosing_regions(maker.facts, ret.region) if maker.facts.regions[r].kind == "if")
    returned = E.render(ret.args[-1])
    when = branch_text(maker.facts, guard, f"returns `{returned}`")
    chan = E.render(n.op.fn)

    def at(where, line):
        return f"line {line}" if where.path == loc.path else f"{where.path}:{line}"

    message = (
        f"{verb} a nil channel when `{E.render(call.fn)}` fails: `{n.owner.short}` defers "
        f"`{E.render(deferred.fn)}()` ({at(defer_loc, deferred.line)}) before calling `{E.render(call.fn)}` "
        f"({at(call_loc, call.line)}); `{maker.short}` {when} ({at(ret_loc, ret.line)}) before it makes `{chan}`, "
        f"and `{n.var}` is built (in `{n.alloc_fn.short}`) without it, so on that failure the deferred call's "
        f"{verb} a nil channel blocks forever. Fix: make `{n.field}` when `{n.var}` is built, "
        f"skip the {verb.split()[0]} while `{chan}` is nil, or defer `{E.render(deferred.fn)}()` only once "
        f"`{E.render(call.fn)}` has succeeded."
    )
    steps = (
        Step(built, f"`{n.var}` built without `{n.field}`: the field stays nil"),
        Step(defer_loc, f"`{n.owner.short}` defers `{E.render(deferred.fn)}()`"),
        Step(call_loc, f"`{E.render(call.fn)}` would make `{n.field}`"),
        Step(ret_loc, f"but it {when} first, leaving it nil"),
        Step(loc, f"the deferred call's {verb} `{chan}`, still nil: blocks forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=(Related(defer_loc, "deferred here"), Related(ret_loc, f"returns before making `{n.field}`")),
        steps=steps,
        key=f"{n.owner.qualname}|{n.var}.{n.field}|nil-after-failure",
    )


def _never_stopped_finding(n):
    """The owner waits for a goroutine whose only way out is a stop channel nobody signals."""
    stop = n.stop.label
    wait_loc = op_location(n.waiter, n.wait)
    stop_loc = op_location(n.goroutine, n.stop_op)
    sig_fn, sig_op = n.signal
    through = "" if n.waiter is n.owner else f" (in `{n.waiter.short}`)"
    steps = (
        Step(op_location(n.go_fn, n.go_op), f"`{n.go_fn.short}` starts `{n.goroutine.short}`"),
        Step(stop_loc, f"the goroutine leaves only after receiving from `{stop}`"),
        Step(op_location(sig_fn, sig_op), "it signals the waiter here, on its way out"),
        Step(wait_loc, f"`{n.owner.short}`{through} waits for it; nothing ends `{stop}` first"),
    )
    if n.cancel is not None and n.cancel.mode == "plain" and n.cancel.line < n.wait.line:
        cancel = E.render(n.cancel.fn)
        facts = n.owner.facts
        guard = next(r for r in enclosing_regions(facts, n.cancel.region) if facts.regions[r].kind == "if")
        when = branch_text(facts, guard, "runs only")
        never = f"and `{cancel}()` (line {n.cancel.line}) {when}: on the other path nothing cancels the context"

        fix = f"Fix: call `{cancel}()` on every path before waiting (`defer` does not: it runs after the wait)."
    elif n.cancel is not None:
        when = "is deferred" if n.cancel.mode == "defer" else "comes after the wait"
        cancel = E.render(n.cancel.fn)
        never = f"and `{cancel}()` (line {n.cancel.line}) {when}, so nothing cancels the context before"
        fix = f"Fix: call `{cancel}()` before waiting, or give the goroutine another way out."
    else:
        never = "which nothing closes or sends on"
        fix = f"Fix: `close({stop})` before waiting, or give the goroutine another way out."
    message = (
        f"`{n.owner.short}`{through} waits on `{n.waited}` at line {n.wait.line} for the goroutine started at "
        f"line {n.go_op.line} to finish, but that goroutine leaves only after a receive from `{stop}` "
        f"(line {n.stop_op.line}), {never}: the wait blocks forever, and the goroutine with it. {fix}"
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=tuple(
            [Related(stop_loc, f"the only way out: a receive from `{stop}`"), *([] if n.cancel else _made_here(n.stop))]
        ),
        steps=steps,
        key=f"{n.owner.qualname}|{stop}|never-stopped",
    )


def _self_overflow_finding(o):
    """A function sends on its own buffered channel in a loop with no receive, and is its only receiver."""
    name, owner = o.channel.label, o.owner
    cap = o.channel.capacity
    facts = owner.facts
    loop_line = facts.regions[o.loop].line
    send_loc, recv_loc = op_location(owner, o.send), op_location(owner, o.receive)
    values = f"{cap} value{'s' if cap != 1 else ''}"
    message = (
        f"`{owner.short}` sends on `{name}` (buffer {cap}) in the loop at line {loop_line} (line {o.send.line}), "
        f"but it is the only one that receives from `{name}` (line {o.receive.line}), and not in that loop: once "
        f"the loop has sent {values} the next send waits for a receive that only this goroutine could make, "
        f"and blocks forever. Fix: handle each value in place, give `{name}` room for every value, or send "
        f"with `select` and `default`."
    )
    steps = (
        Step(send_loc, f"`{owner.short}` fills `{name}` here, once per iteration"),
        Step(recv_loc, f"the only receive from `{name}`, never reached while the loop runs"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(recv_loc, f"the only receive from `{name}`"), *_made_here(o.channel)]),
        steps=steps,
        key=f"{owner.qualname}|{name}|self-overflow",
    )


def _overdrawn_select_finding(o):
    """The loop's select goes back to wait after the goroutine's one send was received."""
    owner, facts = o.owner, o.owner.facts
    names = " or ".join(f"`{ch.label}`" for ch in o.channels)
    select_line = facts.regions[o.select].line
    taken = f"`{E.render(o.again.fn)}`"
    if o.jump is not None:
        how = f"the `continue` at line {o.jump.line}"
        round_loc = op_location(owner, o.jump)
    else:
        how = "the end of the loop body"
        round_loc = op_location(owner, o.again)
    start_loc = op_location(owner, o.start)
    once = ", and no path sends twice" if len(o.sends) > 1 else ", once"
    message = (
        f"`{owner.short}`'s `select` at line {select_line} waits again after its case on {taken} (line "
        f"{o.again.line}) goes round the loop ({how}), but the only sender on {names}, the goroutine started "
        f"at line {o.start.line}, sends one value and ends: the second wait blocks forever. Fix: return in "
        f"that case, or start a new attempt (a new goroutine) before going round again."
    )
    steps = (
        Step(start_loc, f"`{owner.short}` starts the goroutine that sends once on {names}"),
        *(
            Step(op_location(o.sender, s), f"it sends on `{E.render(s.fn)}` here{once}")
            for s in sorted(o.sends, key=lambda s: s.line)[:3]
        ),
        Step(op_location(owner, o.again), f"the loop takes that value from {taken}"),
        Step(round_loc, "and goes round to the `select` again, where nothing will ever arrive"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=op_location(owner, o.again),
        severity=SEVERITY,
        related=tuple(
            [Related(start_loc, "the one sender, started once"), *(r for ch in o.channels for r in _made_here(ch))]
        ),
        steps=steps,
        key=f"{owner.qualname}|{select_line}|overdrawn-select",
    )


def _dropped_signal_finding(d):
    """The one non-blocking send may come before the receive, and is then dropped."""
    owner, name = d.owner, d.channel.label
    send_loc, recv_loc = op_location(d.sender, d.send), op_location(d.receiver or owner, d.receive)
    start_loc = op_location(d.start_fn or owner, d.start)
    waiter = d.receiver or owner
    message = (
        f"`{waiter.short}` waits on unbuffered `{name}` (line {d.receive.line}), but the only send, in the goroutine "
        f"started at line {d.start.line}, is a `select` case with `default` (line {d.send.line}): it is dropped "
        f"unless the receive is already waiting, and then the receive blocks forever. Fix: give `{name}` a buffer "
        f"of 1 and send plainly, or `close({name})`."
    )
    steps = (
        Step(start_loc, f"`{owner.short}` starts the goroutine that signals on `{name}`"),
        Step(send_loc, "the signal, dropped by `default` when nobody is receiving yet"),
        Step(recv_loc, f"`{waiter.short}` may reach this receive only after that, and waits forever"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=recv_loc,
        severity=SEVERITY,
        related=tuple(
            [Related(send_loc, f"the only send on `{name}`, dropped when no receiver waits"), *_made_here(d.channel)]
        ),
        steps=steps,
        key=f"{owner.qualname}|{name}|dropped-signal",
    )


def _wait_before_read_finding(w):
    """Wait for the child before reading its output pipe."""
    owner, pipe = w.owner, w.pipe
    wait_loc, read_loc = op_location(owner, w.wait), op_location(owner, w.read)
    waited = E.render(w.wait.fn)
    message = (
        f"`{owner.short}` calls `{waited}()` at line {w.wait.line} before it reads `{pipe}` (from `{w.method}`, "
        f"line {w.pipe_op.line}; first read at line {w.read.line}): once the child has written a pipe buffer "
        f"of output it waits for a reader, and `{waited}` waits for the child, so neither returns. Fix: read "
        f"`{pipe}` to the end first (or in a goroutine), then call Wait; or use `cmd.Output()`."
    )
    steps = (
        Step(op_location(owner, w.pipe_op), f"`{owner.short}` takes the child's output pipe `{pipe}`"),
        Step(wait_loc, f"waits for the child with `{waited}()` while nobody reads `{pipe}`"),
        Step(read_loc, "the read comes only after that wait"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=wait_loc,
        severity=SEVERITY,
        related=(Related(read_loc, f"first read of `{pipe}`, after the wait"),),
        steps=steps,
        key=f"{owner.qualname}|{pipe}|wait-before-read",
    )


def _abandoned_pipe_finding(a):
    """The reader returns from its read loop with the pipe open; the writer waits in its next write."""
    owner, facts = a.owner, a.owner.facts
    pr, pw = a.reader, a.writer
    exit_loc, start_loc = op_location(owner, a.exit), op_location(owner, a.start)
    made_loc = op_location(owner, a.made)
    loop_line = facts.regions[a.loop].line
    message = (
        f"`{owner.short}` returns at line {a.exit.line} from its loop reading pipe `{pr}` (line {loop_line}) "
        f"without closing it, while the goroutine started at line {a.start.line} writes to `{pw}`: a pipe has no "
        f"buffer, so that goroutine blocks forever in its next write. Fix: `defer {pr}.Close()` after "
        f"`io.Pipe()`, or `{pr}.CloseWithError(err)` before returning."
    )
    steps = (
        Step(made_loc, f"`{owner.short}` makes the pipe"),
        Step(start_loc, f"and starts the goroutine writing to `{pw}`"),
        Step(exit_loc, f"then leaves its read loop here, `{pr}` still open: nothing reads or closes it again"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=exit_loc,
        severity=SEVERITY,
        related=(Related(made_loc, "the pipe, made here"), Related(start_loc, f"the writer of `{pw}`, started here")),
        steps=steps,
        key=f"{owner.qualname}|{pr}|abandoned-pipe",
    )


def _early_leave_finding(e):
    """The one range over the channel can be left while the other side still sends."""
    ch, owner = e.channel, e.owner
    name = ch.label
    cap = _capacity_text(ch.capacity)
    send_loc = op_location(e.sender, e.send)
    exit_loc = op_location(e.receiver, e.exit)
    range_loc = op_location(e.receiver, e.range_op)
    if e.exit.kind == "return":
        leaves = "returns"
    elif e.exit.kind == "jump":
        leaves = "breaks out"
    else:
        leaves = f"calls `{E.render(e.exit.fn)}(…)` (the goroutine ends)"
    loop = f"`range` over `{name}`" if e.range_op.mode == "range" else f"receive loop on `{name}`"
    if e.receiver is owner:
        receiver, sender = f"`{owner.short}`", f"the goroutine started at line {e.go_op.line}"
    elif e.workers > 1:
        receiver = f"each of the {e.workers} goroutines started at line {e.go_op.line}"
        sender = f"`{owner.short}`"
    else:
        receiver, sender = f"the goroutine started at line {e.go_op.line}", f"`{owner.short}`"
    if e.sender_go is not None:
        sender = f"the goroutine started at line {e.sender_go.line}"
    if e.receiver_call is not None:
        receiver = f"`{e.receiver.short}`, which `{owner.short}` calls at line {e.receiver_call.line},"
    many = _how_many(e.sends)
    nobody = f"once all {e.workers} have left, nothing receives" if e.workers > 1 else "nothing else receives"
    where = "returns from inside" if leaves == "returns" else f"{leaves} of"
    steps = (
        Step(
            op_location(e.go_fn or owner, e.go_op),
            f"`{(e.go_fn or owner).short}` starts "
            + (f"{e.workers} copies of the goroutine" if e.workers > 1 else "the goroutine"),
        ),
        Step(range_loc, f"{receiver} receives from `{name}` here, its only receive"),
        Step(
            exit_loc,
            f"{receiver} {where} the loop here, before `{name}` is drained",
        ),
        Step(send_loc, f"{sender} sends on `{name}` {many} ({cap}): the next send waits for a receiver forever"),
    )
    message = (
        f"{receiver} can leave its {loop} at line {e.exit.line} ({leaves}) while {sender} "
        f"sends on it {many} ({cap}, line {e.send.line}): {nobody}, so the next send blocks forever. "
        f"Fix: keep receiving until `{name}` is closed (drain it on the way out), give it room for every value, "
        f"or send with `select` on a done channel the receiver closes."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(exit_loc, "the receiver leaves here"), *_made_here(ch)]),
        steps=steps,
        key=f"{owner.qualname}|{name}|early-leave",
    )


def _quit_after_exit_finding(q):
    """The owner's quit send, whose only receiver may have returned through another case."""
    name, owner, receiver = q.channel.label, q.owner, q.receiver
    send_loc = op_location(q.sender, q.send)
    gone_loc = op_location(receiver, q.gone)
    trig_fn, trig_op = q.trigger
    through = "" if q.via is q.send else f" ({_through(q.via).strip()} at line {q.via.line})"
    verb = "closes" if trig_op.kind == "call" else "sends on"
    steps = (
        Step(
            op_location(q.go_fn, q.go_op), f"`{q.go_fn.short}` starts `{receiver.short}`, the only receiver of `{name}`"
        ),
        Step(op_location(trig_fn, trig_op), f"`{owner.short}` {verb} `{q.other.label}`"),
        Step(
            gone_loc,
            f"`{receiver.short}` may return here, in its case on `{q.other.label}`, without receiving `{name}`",
        ),
        Step(send_loc, f"`{owner.short}` then sends on `{name}` (unbuffered): waits for a receiver that may be gone"),
    )
    if q.other is q.channel:
        # The same channel twice on one path: a plain send, then the deferred one on the way out.
        steps = (
            steps[0],
            Step(
                op_location(trig_fn, trig_op), f"`{owner.short}` sends on `{name}` (through `{E.render(trig_op.fn)}`)"
            ),
            Step(gone_loc, f"`{receiver.short}` receives it and returns here"),
            Step(op_location(owner, q.via), f"`{owner.short}` deferred another send on `{name}` here"),
            Step(send_loc, "the deferred send, run on the way out, waits for a receiver that is gone"),
        )
        message = (
            f"`{owner.short}` sends on `{name}` twice on one path: at line {trig_op.line} "
            f"(`{E.render(trig_op.fn)}(…)`), which makes its only receiver `{receiver.short}` (started at line "
            f"{q.go_op.line}) return at line {q.gone.line}, and again when it returns, through the deferred "
            f"`{E.render(q.via.fn)}(…)` at line {q.via.line}: nothing receives the second, and the send at line "
            f"{q.send.line} blocks forever. Fix: `close({name})` instead of sending (once, with `sync.Once`), or "
            f"send in a `select` with a done channel the loop closes on its way out."
        )
        return Finding(
            rule_id=ID,
            message=message,
            location=send_loc,
            severity=SEVERITY,
            related=tuple([Related(gone_loc, f"`{receiver.short}` returns here"), *_made_here(q.channel)]),
            steps=steps,
            key=f"{owner.qualname}|{name}|quit-twice",
        )
    message = (
        f"`{owner.short}` sends on `{name}` at line {q.send.line}{through}, but its only receiver, "
        f"`{receiver.short}` (started at line {q.go_op.line}), can already have returned at line {q.gone.line} "
        f"in its case on `{q.other.label}`, which `{owner.short}` {verb} at line {trig_op.line}: nothing else "
        f"receives, so the send blocks forever. Fix: `close({name})` instead of sending, or send in a `select` "
        f"with a done channel the loop closes on its way out."
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple([Related(gone_loc, f"`{receiver.short}` returns here"), *_made_here(q.channel)]),
        steps=steps,
        key=f"{owner.qualname}|{name}|quit-after-exit",
    )


def _unguarded_finding(u):
    """A plain send among sends on the same channel that select on a way out."""
    ch = E.render(u.send.fn)
    buffer = f" (buffer {u.capacity})" if u.capacity else ""
    message = (
        f"`{ch} <-` at line {u.send.line} can block forever: `{u.fn.short}` produces `{ch}`{buffer} and "
        f"selects on {u.way_out} when it sends at line {u.guarded.line}, because its reader may stop reading; "
        f"this send has no way out. Fix: send here with the same `select` "
        f"(`select {{ case {ch} <- v: case {u.way_out.strip('`')}: return }}`)."
    )
    steps = (
        Step(op_location(u.fn, u.guarded), f"this send selects on {u.way_out}: the reader may be gone"),
        Step(op_location(u.fn, u.send), "this send waits for a reader that may be gone, with no way out"),
    )
    return Finding(
        rule_id=ID,
        message=message,
        location=op_location(u.fn, u.send),
        severity=SEVERITY,
        related=(Related(op_location(u.fn, u.guarded), f"a send on `{ch}` guarded by {u.way_out}"),),
        steps=steps,
        key=f"{u.fn.qualname}|{ch}|unguarded",
    )


def _by_timer(go_op) -> bool:
    """The partner layer took go_op, a plain call, as a start: only `time.AfterFunc` is taken so here
    (Program.is_timer_start; a group's `Go` is not followed by this shape)."""
    return go_op.mode != "go" and E.selected_name(go_op.fn) == "AfterFunc"


def _started(go_op) -> str:
    """`goroutine started at line N`, or the function `time.AfterFunc` runs on a goroutine of its own."""
    if _by_timer(go_op):
        return f"the function `time.AfterFunc` runs at line {go_op.line} (on a goroutine of its own)"
    if _by_helper(go_op):
        return f"goroutine started at line {go_op.line} (by `{E.render(go_op.fn)}`)"
    return f"goroutine started at line {go_op.line}"


def _by_helper(go_op) -> bool:
    """The partner layer took go_op, a plain call of a helper that only starts goroutines, as a start
    (partners.Partners._started_by_helper)."""
    return go_op.mode == "plain" and not _by_timer(go_op)


def _timer(go_op) -> str:
    if _by_helper(go_op):
        return f" (through `{E.render(go_op.fn)}`)"
    return " (`time.AfterFunc` runs it once the timer fires)" if _by_timer(go_op) else ""
