r"""GIM101 select-loop-self-send: a receive loop whose handler can block sending into a channel only that loop drains.

## What it does
Finds goroutines that loop receiving from channels (a `select` in a loop,
`for x := range ch`, or `x := <-ch` in a loop) where the code handling one
received value — followed through calls, methods, interface calls (every
implementation in the analysed code that can be the value called: same
signature, and a type the program makes), closures, method values and
callbacks stored in struct fields (also a function another call returned,
as in `h.leave = h.register(m)` ... `h.leave()`, and one a constructor
was given and stored, `&Registry{onChange: onChange}`, or a local holding
a literal stored in a field) — reaches a blocking send `s <- v` on a
channel `s` that no goroutine other than the loop itself receives from.

## Why is this bad
While the loop runs the handler it is not receiving. The send succeeds only
while the channel's buffer has room; under load the buffer fills, the send
blocks, and the only goroutine that could make room is the one blocked. The
loop stops for good, and everything feeding its other channels piles up
behind it. A buffer (`make(chan T, 1000)`) only delays this, which is why
it passes tests and fails in production. OpenIM's gateway hit exactly this:
registering a client kicked an old connection, whose close path sent on
`unregisterChan`, drained only by the same `select` loop.

## Example
```go
go func() {
    for {
        select {
        case c := <-s.joinCh:
            s.join(c)        // join -> kick -> c.close() -> s.Leave(c)
        case c := <-s.leaveCh:
            s.leave(c)
        }
    }
}()

func (s *Server) Leave(c *Conn) { s.leaveCh <- c } // blocks once leaveCh is full
```

## Fix
Drain each channel on its own goroutine, so that a handler of one never
waits for the other; or hand the send off so it cannot block the loop
(`go func() { s.leaveCh <- c }()`, or `select { case s.leaveCh <- c: default: ... }`
with a decision about what to do when full); or handle the event inline
instead of re-queuing it.

A clock case of the loop (`case <-ticker.C:`, `case <-time.After(d):`) is a
receive like any other: its handler is followed the same way. A handler that
takes back what it just sent (`ch <- v` then `<-ch` in the same block) leaves
the slot free and is not reported. Handler functions kept in a field (a map
of slices, registered by `On(kind, h)`) are followed also when the loop
calls them from a local copy (`hs := append([]Handler(nil),
b.handlers[kind]...)`, or `hs := b.handlers[kind]`).

## Known limits
- For a loop in production code, receives in test files are not counted as
  other receivers: a test that drains a field of an instance it built itself
  drains no channel of the running loop.
- A send inside a `select` with a `default` case, or with a timer case
  (`time.After`, a ticker) or another data channel, is treated as non-blocking.
  A `select` whose only alternative is a shutdown signal (`ctx.Done()`, a
  channel that is only ever closed, a `chan struct{}`) still blocks until
  shutdown: it is reported, with a note.
- A function value returned by a call is followed through the callee's
  `return` statements of its first result, when that result is written
  `func(...)`; a named function type as the result, or a later result, is
  not.
- Calls the model cannot resolve (function values from unknown places,
  code outside the analysed roots) are not followed; `--debug` counts them.
  An interface call is followed into each implementation that fits the
  interface's parameter and result types and whose type the program makes
  (`T{}`, `new(T)`, a zero value; exported structs of library packages and
  non-struct types always count), up to 16 of them. Past that it is not
  followed, and the run says so in one notice (`--debug` lists the calls).
  A path chooses among more than 4 implementations only once: a second such
  call on the same path is not followed (`--debug` counts it), because two
  guesses compound (a wrapper's inner stream resolved back to the wrapping
  type is another instance, whose channels the model cannot tell apart).
- Each function's handlers get a work budget (and the rule one per run), far
  above real code; an input that spends it has the rest of that function
  skipped, with a notice naming the rule.
- A channel made in a local variable has one instance per call of the
  function that makes it: a send reached through a new call of that function
  (a job that runs the same helper again for its children) goes into another
  instance and is not reported (`--debug` counts it).
- Goroutines started in a loop or from several `go` statements are several
  receivers, and are not reported.
- A `chan struct{}` the loop receives from and the handler sends back into is
  a semaphore (`<-slots` ... `slots <- struct{}{}`): the send returns the
  token the receive took, and is not reported. A token channel that other
  goroutines also fill with blocking sends could still block; that case is
  missed.
- A wrapper that starts its function argument in a goroutine
  (`func (s *S) spawn(f func()) { go func() { defer s.wg.Done(); f() }() }`)
  starts one goroutine per call: each function passed to it is a goroutine of
  its own, and one passed several times, or in a loop, is several receivers.
  Wrappers that store the function first (a queue of tasks, a worker pool's
  channel of funcs) are not followed.
- Channel identity is by holder (struct field, variable); two instances of
  the same struct type share a field's identity unless one of them is
  drained by a different goroutine, in which case the rule stays silent.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from golint_im import expr as E
from golint_im.analysis.flow import CHANNEL_FLOW, MAX_INTERFACE_FANOUT, Channel, child_regions, handler_ops
from golint_im.findings import Finding, Notice, Related, Step, op_location

ID = "GIM101"
NAME = "select-loop-self-send"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = "A receive loop's handler can block sending into a channel only that loop drains"
REQUIRES = (CHANNEL_FLOW,)


def check(ctx):
    flow = ctx.result(CHANNEL_FLOW)
    program = ctx.program
    budget = ctx.budget(ID)
    reported = set()
    wide: dict = {}
    ctx.debug.setdefault("GIM101_sends_on_another_value_of_the_loops_type", 0)
    ctx.debug.setdefault("GIM101_paths_through_test_code", 0)
    clocks = [
        (Channel(f"clock:{fn.id}:{op.line}:{op.col}", E.render(op.fn)), fn, op) for fn, op in flow.clock_loop_receives()
    ]
    for ch, fn, recv in [*flow.loop_receives(), *clocks]:
        entries = flow.entries(fn)
        if len(entries) != 1:
            continue  # run by several goroutines: cannot say who drains what
        root = program.functions[next(iter(entries))]
        if flow.spawned_many(root):
            continue
        work = partial(budget.charge, fn)  # a handler's walk is work done for the loop's function
        for sink_key, path, send_fn, send_op, note in _blocking_sends(ctx, fn, recv, entries, ch, wide, work):
            key = (fn.id, recv.line, sink_key)
            if key in reported:
                continue
            reported.add(key)
            yield _finding(ch, fn, recv, root, flow.channels[sink_key], path, send_fn, send_op, note)
    ctx.notices.extend(_wide_notice(fn, op, width) for fn, op, width in wide.values())
    ctx.debug["GIM101_unresolved_calls_on_handler_paths"] = flow.unresolved_on_paths
    ctx.debug["GIM101_interface_calls_too_wide_to_follow"] = len(wide)
    ctx.debug["GIM101_second_wide_interface_calls_on_a_path"] = flow.second_guesses
    ctx.debug["GIM101_sends_on_another_instance_of_a_local"] = flow.fresh_instance_sends


def _wide_notice(fn, op, width) -> Notice:
    """An interface call on a handler path with too many possible implementations to follow."""
    return Notice(
        fn.file.path,
        f"{ID}: the interface call `{E.render(op.fn)}` in `{fn.short}` has {width} possible implementations, "
        f"more than the {MAX_INTERFACE_FANOUT} a handler path follows; not followed",
        op.line,
        summary=(
            f"{ID}: {{n}} interface call{{s}} on handler paths not followed, each with more than "
            f"{MAX_INTERFACE_FANOUT} possible implementations; --debug lists them"
        ),
    )


def _blocking_sends(ctx, loop_fn, recv, entries, received, wide, work):
    """Sends reachable from the handler on channels only this goroutine drains."""
    flow = ctx.result(CHANNEL_FLOW)
    production = not loop_fn.file.is_test
    for fn, op, path, key in flow.reachable_sends(loop_fn, handler_ops(loop_fn, recv), wide=wide, charge=work):
        if production and (fn.file.is_test or any(callee.file.is_test for _c, _o, callee, _v in path)):
            ctx.debug["GIM101_paths_through_test_code"] += 1
            continue  # a test's fake implementation, reached through an interface: never runs in the loop
        ch = flow.channels.get(key)
        if ch is None or not ch.receives or flow.receivers(key, skip_tests=production) != entries:
            continue
        if key == received.key and ch.elem == "struct{}":
            continue  # a semaphore: the handler gives back the token this receive took, so a slot is free
        if not ch.make_sites and _received_local(ctx.program, key):
            continue  # `fetcher := <-requests`: a reply channel another goroutine sent here, its other end
        if key.startswith("local:") and len(ch.make_sites) > 1:
            continue  # `in = out` on one branch, `in = make(...)` on the other: two channels under one name
        if _taken_back(flow, fn, op, key):
            continue  # `expired <- id; use(<-expired)`: the handler empties the slot it just filled
        if _on_another_instance(path, key):
            ctx.debug["GIM101_sends_on_another_value_of_the_loops_type"] += 1
            continue  # `for _, sink := range b.sinks { sink.Write(e) }` reaching `(*Broadcaster).Write`
        blocking, note = _send_blocks(ctx, fn, op)
        if blocking:
            yield key, path, fn, op, note


def _taken_back(flow, fn, send, key: str) -> bool:
    """The sending function receives from the same channel right after the send, in the same
    block, with no other send of it in between: the value is taken back before the next send."""
    ops = fn.facts.ops
    at = ops.index(send)
    for op in ops[at + 1 :]:
        if op.region != send.region and op.kind in ("send", "recv"):
            return False
        if op.kind == "send" and flow.key(fn, op.fn) == key:
            return False
        if op.kind == "recv" and op.select < 0 and flow.key(fn, op.fn) == key:
            return True
        if op.kind in ("return", "jump"):
            return False
    return False


def _on_another_instance(path, key: str) -> bool:
    """The path leaves a method of the type whose field channel is sent on, into a method of that
    type called on an element of a collection the receiver holds: the send is on that value's channel.

    A broadcaster that writes each event to its sinks (`for _, sink := range b.sinks`) may have other
    broadcasters among them; the channel the sink's `Write` sends on is the sink's, not the one the
    loop drains. A value reached any other way (`c.owner` of a received connection) may well be the
    loop's own, and is followed as before.
    """
    if not key.startswith("field:"):
        return False
    named = key[len("field:") :].rpartition(".")[0]
    for caller, op, callee, _via in path:
        if not callee.facts.recv or f"{callee.pkg.path}#{callee.facts.recv}" != named:
            continue
        top = caller
        while top.parent is not None:
            top = top.parent
        if not top.facts.recv or f"{top.pkg.path}#{top.facts.recv}" != named or not top.facts.recv_name:
            continue
        base = E.selector_base(op.fn)
        if base is not None and _element_of_own_field(caller, base, top.facts.recv_name):
            return True
    return False


def _element_of_own_field(fn, base, recv: str) -> bool:
    """base is `xs[i]` or a range variable over `xs`, where xs is a field of the receiver `recv`."""

    def own_field(e) -> bool:
        sel = E.selector(e)
        return sel is not None and E.is_ident(sel[0], recv)

    indexed = E.index(base)
    if indexed is not None:
        return own_field(indexed[0])
    name = E.ident(base)
    if name is None:
        return False
    for op in fn.facts.ops:
        if op.kind == "assign" and len(op.args) == 1 and any(E.is_ident(t, name) for t in op.targets):
            over = E.ranged(op.args[0])
            if over is not None and own_field(over):
                return True
    return False


def _received_local(program, key: str) -> bool:
    """The channel is a local given its value by a receive (`case fetcher := <-retrievers:`): a
    channel of channels hands over one end, and whoever sent it holds the other."""
    kind, _, rest = key.partition(":")
    fid, _, name = rest.partition(":")
    if kind != "local" or not fid.isdigit() or not name:
        return False
    target = E.make_ident(name)
    for op in program.functions[int(fid)].facts.ops:
        if op.kind == "assign" and any(t == target for t in op.targets):
            if any(E.is_expr(v) and E.unary_operand(v, "<-") is not None for v in op.args):
                return True
    return False


def _send_blocks(ctx, fn, send):
    """(blocks?, note) for a send, looking at the select it may sit in."""
    if send.select < 0:
        return True, ""
    sel = fn.facts.regions[send.select]
    has_default, _n = sel.info or (False, 0)
    if has_default:
        return False, ""
    regions = fn.facts.regions
    alternatives = [
        regions[i]
        for i in child_regions(fn, send.select)
        if regions[i].kind == "case" and regions[i].info and regions[i].info[1] != send.fn
    ]
    if not alternatives:
        return True, ""
    for case in alternatives:
        if not _is_shutdown_signal(ctx, fn, case.info):
            return False, ""
    return True, " (the send's `select` can only give up at shutdown, so until then the loop still waits on itself)"


def _is_shutdown_signal(ctx, fn, info) -> bool:
    """A case that fires only when the program stops: ctx.Done(), or a channel
    that is only ever closed or carries struct{}. Timers and data channels can
    fire any time, so a send beside them is not blocking."""
    direction, expr = info
    if direction != "recv":
        return False
    called = E.call(expr)
    if called is not None:
        callee, args, _n = called
        return E.selected_name(callee) == "Done" and not args
    flow = ctx.result(CHANNEL_FLOW)
    key = flow.key(fn, expr)
    ch = flow.channels.get(key) if key is not None else None
    if ch is None:
        return False
    return ch.elem == "struct{}" or (not ch.sends and bool(ch.closes))


def _capacity_text(ch) -> str:
    if ch.key.startswith("clock:"):
        return "a clock tick"
    if ch.capacity is None:
        return "buffer size unknown"
    if ch.capacity == 0:
        return "unbuffered"
    return f"buffer {ch.capacity}"


def _finding(recv_ch, loop_fn, recv, root, sink, path, send_fn, send_op, note):
    loc = op_location(loop_fn, recv)
    send_loc = op_location(send_fn, send_op)
    steps = [Step(loc, f"`{loop_fn.short}` receives from `{recv_ch.label}` and handles it")]
    chain = []
    for caller, op, callee, via in path:
        text = f"calls `{callee.short}`" + (f" (resolved from {via})" if via else "")
        steps.append(Step(op_location(caller, op), text))
        chain.append(callee.name if not via else f"{via} → {callee.name}")
    same = sink.key == recv_ch.key
    if sink.make_sites and all(f.file.is_test for f, _op in sink.make_sites) and not loop_fn.file.is_test:
        # The only make seen is a test's own: it says nothing of the running loop's buffer.
        sink = replace(sink, capacity=None)
    steps.append(Step(send_loc, f"sends on `{sink.label}` ({_capacity_text(sink)}); blocks when it is full"))
    if sink.capacity:
        delay = f"; {_capacity_text(sink)} only delays it"
    elif sink.capacity == 0:
        delay = "; it is unbuffered, so the first such send blocks"
    else:
        delay = ""
    via = " → ".join(chain) if chain else "directly"
    what = "back into the channel it is draining" if same else f"into `{sink.label}`"
    message = (
        f"receive from `{recv_ch.label}` ({_capacity_text(recv_ch)}) can deadlock its loop: the handler "
        f"({via}) sends {what}, which is drained only by this same goroutine `{root.short}`; once "
        f"`{sink.label}` is full the loop waits on itself{delay}{note}. Drain `{sink.label}` on its own "
        f"goroutine, or hand the send off (`go`, or `select` with `default`)."
    )
    related = [Related(send_loc, f"blocking send on `{sink.label}`")]
    for mfn, mop in sink.make_sites[:1]:
        if mop is not None:
            related.append(Related(op_location(mfn, mop), f"`{sink.label}` made here ({_capacity_text(sink)})"))
    return Finding(
        rule_id=ID,
        message=message,
        location=loc,
        severity=SEVERITY,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{loop_fn.qualname}|{recv_ch.label}|{sink.label}",
    )
