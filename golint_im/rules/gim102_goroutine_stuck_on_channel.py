r"""GIM102 goroutine-stuck-on-channel: a goroutine sends on a channel whose only receiver can return before receiving.

## What it does
Finds the forgotten sender: a function makes a channel, starts goroutines
with `go` (a literal, or a named function given the channel, followed
through calls) that send on it, and receives from it itself, but on some
path returns before that receive: a `select` case on `ctx.Done()`, a timer
or `default` beside the receive, an earlier `return` on an error, or a
`return` inside the receive loop before every sender was heard. When the
channel's buffer is smaller than the number of senders that may still be
waiting, the rest block on their send forever.

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
- Only channels whose whole life is visible are judged: made once, in one
  function, with a constant capacity, received only by that function's own
  statements, sent on only by goroutines it starts with `go`, and never
  returned, stored or passed to code outside the analysed tree. Everything
  else is silence; `--debug` counts each reason (`GIM102_channels_*`).
- A send inside any `select` is taken as non-blocking (it has a `default`,
  a `ctx.Done()` or another way out). Goroutines started by `errgroup`,
  `WaitGroup.Go` and other wrappers are not followed.
- Early exits are `return` statements. `break`, `goto`, `panic` and
  `os.Exit` are not followed, and neither is an exit that comes after a
  receive from another channel the same goroutine sends on (the exit may be
  the sender's own signal).
- Senders are counted one per `go` statement; a `go` statement or a send in
  a loop counts as unboundedly many, so any constant buffer is too small.
- Conditions are not evaluated: an early return the program can never
  take (or only after the sender finished) is still a path.
- Not yet covered: a `range` over a channel nobody closes, a receive whose
  only senders are skipped, `select {}` and nil channels.
"""

from __future__ import annotations

from golint_im import expr as E
from golint_im.analysis.partners import PARTNERS, UNBOUNDED
from golint_im.findings import Finding, Location, Related, Step

ID = "GIM102"
NAME = "goroutine-stuck-on-channel"
FAMILY = "concurrency"
SEVERITY = "error"
SUMMARY = "A goroutine sends on a channel whose only receiver can return before receiving, and blocks forever"
REQUIRES = (PARTNERS,)


def check(ctx):
    for s in ctx.result(PARTNERS).stuck:
        yield _finding(s)


def _capacity_text(cap: int) -> str:
    return "unbuffered" if cap == 0 else f"buffer {cap}"


def _senders_text(n: int) -> str:
    if n == UNBOUNDED:
        return "senders started in a loop"
    return "1 sender" if n == 1 else f"{n} senders"


def _why(s) -> str:
    """Why the receiving function leaves: the case, branch or loop around its `return`."""
    facts = s.owner.facts
    if s.exit.region < 0:
        return "returns"
    reg = facts.regions[s.exit.region]
    if reg.kind == "default":
        return "takes the `default` case of the `select` (the sender is not ready yet) and returns"
    if reg.kind == "case" and reg.info:
        direction, chan = reg.info
        if direction == "recv":
            return f"takes `case <-{E.render(chan)}` and returns"
        return f"takes `case {E.render(chan)} <- …` and returns"
    if reg.kind == "if" and reg.info is not None:
        return f"returns when `{E.render(reg.info)}`"
    if reg.kind == "else" and reg.info is not None:
        return f"returns when `{E.render_negated(reg.info)}`"
    if reg.kind in ("for", "range"):
        return "returns from inside its receive loop"
    return "returns"


def _finding(s):
    ch, owner, send = s.channel, s.owner, s.send
    path = owner.file.path
    send_loc = Location(s.sender.file.path, send.line, send.col)
    go_loc = Location(path, s.go_op.line, s.go_op.col)
    exit_loc = Location(path, s.exit.op.line, s.exit.op.col)
    recv_loc = Location(path, s.receive.line, s.receive.col)
    cap = _capacity_text(ch.capacity)
    why = _why(s)
    before = (
        f"before it has heard every sender (receive at line {s.receive.line})"
        if s.exit.after_receive
        else f"without reaching the receive at line {s.receive.line}"
    )
    steps = [Step(go_loc, f"`{owner.short}` starts the sending goroutine")]
    for caller, op, callee, via in s.path:
        text = f"calls `{callee.short}`" + (f" (resolved from {via})" if via else "")
        steps.append(Step(Location(caller.file.path, op.line, op.col), text))
    steps.append(Step(send_loc, f"sends on `{ch.label}` ({cap}): waits for a receiver"))
    steps.append(Step(exit_loc, f"`{owner.short}` {why} at line {s.exit.op.line}, {before}"))
    steps.append(Step(recv_loc, f"the only receive from `{ch.label}`, skipped on that path"))
    room = f"{_senders_text(s.senders)}, {cap}"
    if s.senders == UNBOUNDED:
        fix = f"make `{ch.label}` with one buffer slot per goroutine started"
    else:
        fix = f"give `{ch.label}` a buffer of {s.senders}"
    message = (
        f"goroutine started at line {s.go_op.line} can block forever sending on `{ch.label}` ({room}): "
        f"`{owner.short}` {why} at line {s.exit.op.line} {before}, and nothing else receives. "
        f"Fix: {fix}, or send with `select {{ case {ch.label} <- v: case <-ctx.Done(): }}`."
    )
    related = [
        Related(exit_loc, f"`{owner.short}` returns here without receiving"),
        Related(recv_loc, f"the only receive from `{ch.label}`"),
    ]
    mfn, mop = ch.make_sites[0]
    if mop is not None:
        related.append(Related(Location(mfn.file.path, mop.line, mop.col), f"`{ch.label}` made here ({cap})"))
    return Finding(
        rule_id=ID,
        message=message,
        location=send_loc,
        severity=SEVERITY,
        related=tuple(related),
        steps=tuple(steps),
        key=f"{owner.qualname}|{ch.label}",
    )
