r"""GIM204 grpc-stream-leak: a gRPC client stream that is abandoned while still open.

## What it does
Finds streams opened by a method of a generated `<Svc>Client` interface
whose result is a `<Svc>_<Method>Client` (server-streaming and
bidirectional RPCs; also through functions that return such a stream), or
by any method of the tree whose declared result is a client stream by its
type: grpc's generic `ServerStreamingClient[T]`, `ClientStreamingClient`
or `BidiStreamingClient` (what protoc-gen-go-grpc 1.4 and later declare),
or an interface embedding `grpc.ClientStream`; or by
`(*grpc.ClientConn).NewStream`, the untyped stream a client opens by method
name (as generated stubs do inside); and
reports the call when some path out of the function leaves the stream open:
its context is not cancelled by the function, `CloseSend`/`CloseAndRecv` is
not called, and the stream has not been read until `Recv` failed. A stream
returned, stored, sent, or handed to a function or goroutine that reads it
to the end is fine, and so is one opened on a client the function closes
with `defer client.Close()` (a client's Close tears down its connection).

## Why is this bad
A client stream lives until its context is cancelled or it is read to
`io.EOF`/an error. Returning after the first message (or after finding the
value one was waiting for) leaves the RPC, its transport stream and a
goroutine alive on both sides for as long as the context lives, often the
whole process with `context.Background()`.

## Example
```go
stream, err := c.Watch(ctx, &pb.WatchRequest{Key: key})
if err != nil {
    return "", err
}
ev, err := stream.Recv()
if err != nil {
    return "", err
}
return ev.Value, nil // the stream stays open
```

## Fix
Derive a cancellable context for the stream and cancel it when done:
`ctx, cancel := context.WithCancel(ctx); defer cancel()`; or keep reading
until `Recv` returns an error.

## Known limits
- `Example` functions of test files with no `// Output:` (or `// Unordered
  output:`) comment are not looked at: `go test` compiles them but never
  runs them (counted as `gim2xx_unrun_examples` in `--debug`).
- Conservative on purpose: any `CloseSend` (gRPC's documentation does not
  count it as ending a stream, but taken as a release it hides the read
  loops that leave early after it; a first try without it reported three
  grpc-go interop functions whose `logger.Fatalf` branches were not known
  to end the process); a context created in the
  function by `context.With{Cancel,Timeout,Deadline}` whose cancel function
  is used; a context taken from a struct field or from `X.Context()` (a
  test, a request, a server stream: owned by something that ends); a
  context parameter every caller passes such a context for; the context of
  a unary gRPC handler (a method `(ctx, *Req) (*Resp, error)` of a type the
  tree passes to a generated `RegisterXServer(s, impl)`: the server
  cancels it when the handler returns); each counts as released. A failed
  `Send` or `Recv` ends the stream.
- Generated stubs are usually not analysed (generated files are skipped):
  a method of a `...Client` type then counts as opening a stream only when
  its result is used like one (`Recv`, `Send`, `CloseSend`), returned as
  a `..._<Method>Client`, or passed to a function of the analysed code whose
  parameter is one. A helper that reads the stream in a loop and fails only
  when `Recv` fails has ended it; one that also fails on its own errors
  leaves it open on those, and the caller returning that error leaks it.
- Test files are not reported: a stream a test leaves open ends with the
  test's client connection, which tests close in a Cleanup or a defer.
  Nor is test support (a file importing `testing` or `net/http/httptest`,
  such as an integration suite's cases): its streams end with the test's
  context and connection too.
- A loop with a condition or a `range` that calls `Recv` is taken to read
  the stream to its end unless it returns on another condition; out of an
  endless `for {` loop, only its `break`s are followed.
- A return under `if ctx.Err() != nil`, on the context the stream was
  opened with, has nothing left to cancel: that context is done and gRPC
  has ended the stream.
- A context is taken as cancelled when it comes back with its cancel from a
  function of the tree (`ctx, cancel, err := p.Lookup(ctx)`, the cancel
  typed `context.CancelFunc` or `CancelCauseFunc`) and the caller calls or
  defers that cancel; a context parameter rewrapped only as `ctx =
  wrap(ctx, ...)` is still its callers'.
"""

from __future__ import annotations

from collections.abc import Iterator

from golint_im.analysis.deleted_entries import DELETED_ENTRIES
from golint_im.analysis.early_closers import EARLY_CLOSERS
from golint_im.analysis.forgotten_closers import FORGOTTEN_CLOSERS
from golint_im.analysis.ownership import OWNERSHIP
from golint_im.analysis.truncated_fields import TRUNCATED_FIELDS
from golint_im.findings import Finding
from golint_im.passes import Context
from golint_im.rules import _leak_wording
from golint_im.rules._leak_wording import Wording

ID = "GIM204"
NAME = "grpc-stream-leak"
FAMILY = "resources"
SEVERITY = "warning"
SUMMARY = "A gRPC client stream is left open: not cancelled, not closed, not read to the end"

REQUIRES = (OWNERSHIP, EARLY_CLOSERS, TRUNCATED_FIELDS, DELETED_ENTRIES, FORGOTTEN_CLOSERS)
# The kind of resource of the ownership layer's catalog (knowledge/resources.toml) this rule reports.
RESOURCE = "grpc-stream"

WORDS = Wording(
    noun="gRPC client stream",
    verb="opened",
    fix=(
        "cancel the stream's context when done (`ctx, cancel := context.WithCancel(ctx); "
        "defer cancel()`), or read it until it returns an error"
    ),
    ends="is left open when the function ends",
    open_on_return=(
        "is left open on the return at line {line}: its context is not cancelled here, "
        "CloseSend is not called and it is not read until Recv fails"
    ),
)


def check(ctx: Context) -> Iterator[Finding]:
    """Each leak of a grpc-stream the ownership layer found, worded."""
    return _leak_wording.check(ctx, RESOURCE, ID, SEVERITY, WORDS)
