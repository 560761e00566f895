r"""GIM201 grpc-conn-leak: a gRPC client connection that is not closed on every path.

## What it does
Follows every `*grpc.ClientConn` opened by `grpc.Dial`, `grpc.DialContext` or
`grpc.NewClient` (plus the constructors listed under `[resources.GIM201]` in
the config), and every call of a function in the analysed code that returns
a brand-new one on each call (directly or through further such functions,
or through an interface one of whose implementations does), and reports the
acquisition when some path out of the function neither closes it nor hands
it to an owner. Closing counts directly, in a `defer`, in a deferred or
`t.Cleanup` closure, or in a helper whose body closes its parameter.
Handing over counts when the connection is returned, stored in a struct
field, a package variable, or a map or slice that outlives the function,
sent on a channel, passed to a function that keeps or closes it, or captured
by a goroutine that closes it. A function whose parameter is declared
`grpc.ClientConnInterface` (what generated stubs take) cannot close the
connection through it, short of a type assertion: passing it there lends
it, and the caller must still close it. A connection kept only in a local map or
slice is still the function's to close. A connection kept only in a field
of the receiver (or inside a generated client stub stored there) is
reported when the method that stores it runs again from a caller's loop
(up to two methods up, on the same receiver) that does not stop once it
succeeds, or under a condition that also holds while the field is set
(`if c.conn == nil || c.conn.calls >= max {`), and nothing on that chain
closes the field first: each round drops the previous connection open. It is also reported when the field is
unexported, no method of the receiver's type closes it, returns it or hands
it on, and no other code of the tree selects a field of that name: nothing
can ever close it. A struct the function builds itself (`c := &Client{}`)
whose method stores a fresh connection in one of its fields (`c.Connect()`)
holds that connection: when the type has a closer (`Close`) that closes the
field, the struct is followed like the connection, and a path that drops it
without calling the closer (or handing the struct on) is reported.

## Why is this bad
Each `ClientConn` owns sockets and a handful of goroutines (resolver,
balancer, transport readers) until `Close` is called; garbage collection
does not close it. One leaked per request grows sockets and goroutines
without bound: OpenIM's push service asked its Kubernetes service-discovery
for a connection per message, and every one of them stayed open.

## Example
```go
func (p *Pusher) Push(ctx context.Context, msg *Message) error {
    conns := make(map[string]*grpc.ClientConn)
    for _, host := range p.gateways() {
        conn, err := p.resolver.GetConn(ctx, host) // kube resolver: grpc.DialContext per call
        if err != nil {
            continue
        }
        conns[host] = conn
    }
    ... // uses conns, then returns: every conn leaks
}
```

## Fix
Close the connection when done (`defer conn.Close()` right after the error
check), or better, keep one connection per target for the life of the
process (a pool or a resolver that caches) and share it: a `ClientConn`
is safe for concurrent use and multiplexes calls.

## Known limits
- `Example` functions of test files with no `// Output:` (or `// Unordered
  output:`) comment are not looked at: `go test` compiles them but never
  runs them (counted as `gim2xx_unrun_examples` in `--debug`).
- A connection passed to a function the analysis cannot resolve (a
  function value, an interface without analysed implementations, a package
  outside the analysed roots other than common borrowers such as `fmt`,
  `io`, generated `NewXxxClient` stubs) is assumed to be handed over.
- A function is a constructor only when every non-nil value it returns is
  a fresh connection, a slice or map of them (a literal of fresh ones, or a
  local slice only `append`ed fresh ones, or a local map only filled by key
  with fresh ones, kept nowhere else), or a struct of the analysed code
  holding one whose `Close` closes it; not one
  that also arranges the release itself (`defer`, `t.Cleanup`, or a
  returned closer function): its callers only borrow. A value read from a
  struct field that nothing in the program ever fills (a "cache" checked
  but never written) counts as nothing returned, also when the same local
  later takes a fresh dial (`cc, ok := c.conns[k]; if ok { return cc, nil
  }`, then `cc, err = grpc.Dial(...)`; `return cc, nil`: only the dial is
  ever handed back). So does an element popped from such a field (`c :=
  conns[len(conns)-1]; p.idle[k] = conns[:len(conns)-1]`: the pop is no
  fill). A method whose receiver has modes (`if r.mode == Direct { return
  Dial(addr) }` on its straight line, only failures returned before it, a
  shared cache otherwise) is a constructor in that mode when the program
  builds a receiver in it (the constant written to the field, or passed for
  the parameter a constructor writes to it); the finding names the mode and
  where it is set. A dialer that closes the
  ones it already made when a later dial fails, on a branch that then
  returns without them (`if err != nil { closeAll(out); return nil, err }`),
  is summarised like one that does not: its success hands them all back.
- An interface declared outside the analysed code (a service-discovery SDK)
  is resolved to the analysed types seen converted to it (returned as it,
  or assigned to a variable of that type); an implementation nobody wires
  in does not make its callers report.
- `break` and `continue` are followed to where they land; a path that
  takes a `goto` is not followed. A loop that may run zero times (`for cond {`,
  `range`) and closes the connection on some path of its body is taken to
  close it.
- Leaks on paths that end the process (`log.Fatal`, `os.Exit`, returns
  from `main`) are not reported, nor results discarded in `_test.go` files
  (`_, err := grpc.Dial(...)` expecting an error).
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

ID = "GIM201"
NAME = "grpc-conn-leak"
FAMILY = "resources"
SEVERITY = "error"
SUMMARY = "A gRPC client connection is not closed on every path, or is dialed per call and dropped"

REQUIRES = (OWNERSHIP, EARLY_CLOSERS, TRUNCATED_FIELDS, DELETED_ENTRIES, FORGOTTEN_CLOSERS)
# The kind of resource of the ownership layer's catalog (knowledge/resources.toml) this rule reports.
RESOURCE = "grpc-conn"

WORDS = Wording(
    noun="gRPC client connection",
    verb="dialed",
    fix="close it on every path (`defer {holder}.Close()` after the error check) or hand it to an owner",
    release="{holder}.Close()",
)


def check(ctx: Context) -> Iterator[Finding]:
    """Each leak of a grpc-conn the ownership layer found, worded."""
    return _leak_wording.check(ctx, RESOURCE, ID, SEVERITY, WORDS)
