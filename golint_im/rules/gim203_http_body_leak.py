r"""GIM203 http-body-leak: an HTTP response body that is not closed on every path.

## What it does
Follows every `*http.Response` from `http.Get/Post/Head/PostForm`,
`(*http.Client).Do/Get/Post/Head/PostForm`, `http.DefaultClient.*` and
`RoundTrip`, `ctxhttp.Do/Get/Post/Head/PostForm`, plus functions of the analysed code that return a fresh
response on every call, and reports the request when some path out of the
function neither closes `resp.Body` (directly, deferred, in a closure, or
via a helper that closes it) nor hands the response or its body on
(returned, stored, sent, passed to a function that closes or keeps it).
On the `err != nil` branch of the request there is no body to close, whether
it is an `if` or the first case of a tagless `switch` (`switch { case err !=
nil: return nil, err; case ok(res): ... }`): a later case is taken only when
the conditions above it are false.

Also reported: a body replaced by a reader over it whose `Close` leaves it
open (`resp.Body, err = gzip.NewReader(resp.Body)`, zlib, flate, brotli,
zstd, `io.NopCloser(bufio.NewReader(resp.Body))`): the owner's later
`resp.Body.Close()` closes only the reader. A response received into a named
result inside a retry loop, and a deferred closure that closes the body only
when the function's named error is nil, are followed as well. A helper
that returns the body in an exported field of a struct with no closer of
its own (`return &Object{Body: resp.Body}`) returns a body: its callers
close `obj.Body` themselves, and one that drops the object is reported.

A `Do` through an interface of the tree counts as `(*http.Client).Do` when
no implementation in the tree makes responses itself: none at all, or only
decorators whose every return hands back what the same method of an inner
value of that interface returned (a signing, logging or retrying `Doer`).

## Why is this bad
Until the body is closed the transport cannot reuse the connection, and the
connection (a socket plus two goroutines) stays open until the server gives
up. A health check that only looks at `resp.StatusCode` leaks one
connection per check; an early `return` on a non-200 status leaks one per
failure, which is exactly when the server is already struggling.

## Example
```go
resp, err := c.hc.Do(req)
if err != nil {
    return nil, err
}
if resp.StatusCode != http.StatusOK {
    return nil, fmt.Errorf("status %d", resp.StatusCode) // body leaks
}
defer resp.Body.Close()
```

## Fix
`defer resp.Body.Close()` right after the error check, before looking at the
status. Drain it (`io.Copy(io.Discard, resp.Body)`) first if the connection
should be reused.

## Known limits
- A branch on which the status is `http.StatusNoContent` or
  `http.StatusNotModified` (204, 304) has no body to close: net/http gives
  such a response `http.NoBody`. A function of the tree that closes the body
  on its straight line before any return (`resp.Body.Close(); return resp`)
  returns no open body. A response discarded in test support (a file
  importing `testing`) is a request expected to fail, as in a test file.
- `httputil.DumpResponse(resp, true)` reads the body out and closes it
  (leaving an in-memory copy); when it fails the body is still open, so
  that path is reported. With `false` as its last argument it leaves the
  body alone.
- `Example` functions of test files with no `// Output:` (or `// Unordered
  output:`) comment are not looked at: `go test` compiles them but never
  runs them (counted as `gim2xx_unrun_examples` in `--debug`).
- A helper of the tree that closes the body before every return of the
  response (`body, err := decode(resp)` with a `decode` that closes it, or
  `resp.Body.Close()`, in a block around the `return` and after the last
  assignment of the response) hands back a closed body: dropping that
  response leaks nothing. One that closes it before some returns only (a
  flag argument deciding whether it reads the body) still hands back a
  fresh body, except to a call whose `true`/`false` arguments leave only
  returns of nil or of a closed body: an `if` on the flag that is not taken
  rules out the returns inside it, and one that is taken and returns rules
  out those after it (`ok_helper_flag_decides_close`;
  `gim2xx_helpers_closing_for_these_arguments`). A comment between the
  call's arguments is still read as an argument, which misplaces the flags
  after it, and the call is then judged as before.
- HEAD requests are not reported (`http.Head`, or `Do` of a request that
  `http.NewRequest[WithContext]` built with the method `"HEAD"`,
  `http.MethodHead` or a string constant of it, assigned once, or by a
  helper of the tree that builds its request with the method it is given,
  called with one of those): net/http
  answers them with no body and frees the connection itself. Nor is the
  return on the error of `io.ReadAll(resp.Body)` (`io/ioutil` too): when
  reading the body fails, net/http closes the connection under it. A copy
  to another writer (`io.Copy(f, resp.Body)`) may fail on the writer's side
  with the body open, and is reported. A body read to its end and never
  closed is still reported, although net/http puts that connection back in
  its pool: the contract is to close it, and real fixes add that `Close`.
- In `_test.go` files, a request whose URL is an `httptest.Server`'s
  (`srv.URL + "/x"`, directly, through `http.NewRequest` or through a
  helper of the test given it) or that is sent with `srv.Client()` is not
  reported: the server's `Close` tears the connections down. Neither is any
  request made in a test function (or a helper literal) that starts an
  `httptest` server and closes it (`t.Cleanup(srv.Close)`, `defer
  srv.Close()`), its address spelled out or not (`srv.Listener.Addr()`),
  nor a response from such a helper: a request that function sends to
  another server is missed. Discarded responses in tests (`_, err := http.Get(u)`,
  a probe expected to fail) are not reported either, nor are responses of a
  `RoundTrip` a test calls directly: it is testing a round tripper, over a
  fake transport whose bodies live in memory.
- A client built in the function (`&http.Client{Transport: t}`) over a
  transport of the tree whose `RoundTrip` returns no fresh response (a
  canned transport) is not reported, nor is a `RoundTrip` on a local
  holding such a type, or on a local `&http.Transport{Dial: ...}` whose
  dial functions return only values of tree types whose `Close` does
  nothing (a request dumper over an in-memory connection). A round tripper whose responses are in-memory
  buffers is not recognised when it reaches the call through a field or
  a parameter of type `http.RoundTripper`: its responses are taken for
  real ones.
- Bodies handed to functions the analysis cannot resolve are assumed to be
  closed there; `io`, `encoding/json` and the like are known to only read.
- A path that takes a `goto` is not followed (`break` and `continue` are).
- A body replaced by a decompressing reader is reported only when nothing
  before the replacement kept the original (`orig := resp.Body`, `defer
  resp.Body.Close()`, a deferred call given it); a reader whose `Close`
  closes both is not in the catalog and is not reported.
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

ID = "GIM203"
NAME = "http-body-leak"
FAMILY = "resources"
SEVERITY = "warning"
SUMMARY = "An HTTP response body is not closed on every path"

REQUIRES = (OWNERSHIP, EARLY_CLOSERS, TRUNCATED_FIELDS, DELETED_ENTRIES, FORGOTTEN_CLOSERS)
# The kind of resource of the ownership layer's catalog (knowledge/resources.toml) this rule reports.
RESOURCE = "http-body"

WORDS = Wording(
    noun="HTTP response body",
    verb="received",
    fix="close the body on every path (`defer resp.Body.Close()` right after the error check)",
)


def check(ctx: Context) -> Iterator[Finding]:
    """Each leak of a http-body the ownership layer found, worded."""
    return _leak_wording.check(ctx, RESOURCE, ID, SEVERITY, WORDS)
