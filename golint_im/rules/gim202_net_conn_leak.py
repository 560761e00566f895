r"""GIM202 net-conn-leak: a network connection that is not closed on every path.

## What it does
Follows every connection opened by `net.Dial*`, `(*net.Dialer).Dial*`,
`tls.Dial*`, websocket dialers (`github.com/gorilla/websocket`,
`nhooyr.io/websocket`, `github.com/coder/websocket`,
`golang.org/x/net/websocket`), a listener's `Accept`, listeners
(`net.Listen*`, `tls.Listen`), streams of multiplexed sessions (quic-go,
yamux, smux `OpenStream`/`AcceptStream`, keyed by the session's package) and
the sessions themselves (yamux and smux `Client`, `Server`: a session owns the
connection under it), redis connections (redigo `Dial*`, `Pool.Get`), SSH
clients (`ssh.Dial` of `golang.org/x/crypto/ssh`), RPC clients (`net/rpc` and
`net/rpc/jsonrpc` `Dial*`) and connections taken out of a `database/sql` pool
(`(*sql.DB).Conn`) and statements prepared on it (`(*sql.DB).Prepare*`,
`(*sql.Conn).PrepareContext`; a transaction's close with it), the result sets
of queries on them (`(*sql.DB).Query*`, `(*sql.Conn).QueryContext`,
`(*sql.Stmt).Query*`; a transaction's close with it), which hold a pooled
connection until `Close`, or until a `for rows.Next() {` loop ends by its
condition (Next closes them then: only a way out of the loop's body, or before
it, leaks them), plus constructors listed under `[resources.GIM202]` in the
config and functions of the analysed code that return a fresh connection on
every call, and reports the acquisition when some path out of the function
neither closes it (directly, deferred, in a closure, or through a helper that
closes its parameter) nor hands it to an owner (returned, stored in a field, a
package variable or a long-lived container, sent on a channel, passed to a
function or goroutine that keeps or closes it). A finding calls the resource
what its constructor opens, as the catalog names it: a listener (`net.Listen`,
`tls.Listen`), a packet connection (`net.ListenPacket`, `net.ListenUDP`), a
session's stream, otherwise a network connection.

A function that returns the connection together with a non-nil error (`if
err = greet(conn); err != nil { return conn, err }`, a bare `return` of
named results there, a package error made once by `errors.New`,
`return resp, errBadChallenge`, or `fmt.Errorf` wrapping such an error;
also a local slice of them that a later round of the dialling loop returns
so, `return conns, fmt.Errorf("dial %s: %w", n, err)`) is reported at that return when the tree's callers
take its results and drop what comes back beside an error, as Go
convention has them do: not when no code of the tree calls it (the caller
decides; but an `http.RoundTripper`'s `RoundTrip` is called by net/http's
`Client`, which ignores a response returned with an error), nor when some
caller closes the returned value in its own `if
err != nil {` branch (that project's contract hands it back even then;
`gim2xx_returned_with_an_error_kept_by_callers`). The same holds for the
other leak rules.

A `Close` method that returns because a call failed (`if err :=
c.w.Flush(); err != nil { return err }`) before its own plain close of a
connection or listener field of its receiver is reported at that return:
the caller that called `Close` will not call it again (the same for a gRPC
connection field under GIM201). Guards such as `if c.conn == nil` are no
failure, and neither is a standard-library call whose error is documented
to be always nil (`io.PipeWriter.Close`, a `bytes.Buffer` write). Nor does
a failed `Shutdown` (or `Close`) of an `*http.Server` field skip the close
of a listener field that server serves (some function of the package hands
the field, or the local it stores in it, to that field's `Serve`): the
server closed it before it could fail (`gim2xx_listeners_closed_by_their_server`).

A connection closed only by a `defer` registered inside an endless `for {`
loop that also opened it (`for { conn, err := ln.Accept(); ...; defer
conn.Close(); ... }`), or inside a worker's `for job := range jobs` over a
channel (also from a bounded loop nested in either, `for { for _, host :=
range m.hosts { ...; defer conn.Close() } }`), is reported too: the deferred close runs when the function
returns, and every round's connection stays open until then (the same
holds under GIM201 and GIM203).

A local slice or map of fresh connections (from a helper that dials
several, `conns := c.dialAll()`) of which the function returns one element
that a range over it bound (`for _, conn := range conns { if leads(conn) {
leader = conn; break } }; return leader`), with none of the others closed
yet, is reported at the acquisition: the rest are dropped open with the
collection. The elements may be plain structs carrying the connection in a
field, filled by the helper's goroutines (`out = append(out,
candidate{conn: c, rtt: d})`; then `best = cand.conn` is the element's
connection) (`gim2xx_collections_returning_one_element`; the same under
GIM201 and GIM203).

A connection stored only in an unexported field of the receiver is
reported when no method of the receiver's type closes, returns or hands on
that field and no other code of the tree selects a field of that name
(nothing can ever close it); likewise one a constructor returns in an
unexported field of the value it builds (`return &session{client: c,
upstream: up}, nil`, or built in a local it returns, `a := &Agent{ln: ln};
go a.serve(); return a, nil`) when the type's teardown (`Close`, `Stop`,
`Shutdown`) closes other fields of it (or something reached through one,
`w.stream.Body.Close()`) but never that one (also a struct the function
fills field by field, `g := &Gateway{}; g.stats, err = net.Dial(...);
...; return g, nil`; also a struct of the tree whose `Close` closes the
connection it wraps, `cc, err := rpc.Dial(addr)`, kept beside the generated
stub built over it, `&Follower{metaConn: cc, meta: metapb.NewMetaClient(cc)}`,
when the teardown forgets both fields), and no other code
selects it; so is a teardown that tears down other fields but never one
built for the value holding a type of the tree whose own teardown closes
connections (a pool whose `Close` closes each pooled connection), reported
at the teardown;
and, as for GIM201, when the storing method (which may close the new
connection itself on a failure before the store, `conn.Close(); return
err`) runs again from a caller's loop, or under a condition that also holds
while the field is set (`if r.up == nil || r.up.count >= 100 {`, or `if
err != nil` for a write on the field's connection that just failed, or
past `if err := c.write(b); err == nil { return nil }` for a method of the
receiver that uses the field and does not close it, or under `if err !=
nil` or `if errors.As(err, &ne)` for such a method's error (`reply, err :=
c.roundTrip(args)`; the storing method may close a half-made connection
and return a wrapped error before its store, `c.Close(); return
fmt.Errorf("announce: %w", err)`), or `if p.conn == nil
|| lastErr != nil {` in a retry loop whose body assigns `lastErr` from such
a write, the round before's failure), without closing the
field first; and when a sibling method of the type closes the field before
it stores a new one (`redial`: `r.conn.Close(); ...; r.conn = c`) while
this method stores over it without closing (and not under `if r.conn ==
nil`, nor after leaving when it is set). A slice field of connections cut short by
re-slicing (`p.conns = p.conns[:n]`) in a method that closes none of its
elements and reads none by index (the pop idiom hands the last one out
first) is reported at the cut: the connections past the new length stay
open (the same for gRPC connections under GIM201). So is one filtered in
place, `kept := p.idle[:0]`, elements of a range over the field appended
under a branch, `p.idle = kept`, closing none of the ones left out (nor
their connection field, for structs of the tree carrying one), when
another method of the type closes the field's elements. A
connection stored only in an entry of a map field of the receiver, keyed
by a parameter (`u.conns[addr] = c`), by a method that never reads,
deletes or closes the map's entries, is reported when a method of the same
receiver (or a function holding the value in a local assigned once) calls
it for a key whose entry it read (`c, ok := u.conns[addr]`,
not under `if !ok`), already stored through it on the same path (not
after that first call failed), or took from its range over the map's
entries (or over a copy it filled from them), with no `delete` and no
close of the ranged value before the call: the store replaces a live
connection without closing it. So does a method storing under a key of its
own (`g.upstreams[region] = c` in a loop), or under a parameter, past an
`if` that skips the store only when the entry is set *and* something else
holds (`if g.addrs[region] == addr && g.upstreams[region] != nil { continue
}`, `if cur, ok := r.workers[name]; ok && cur.Addr() == addr { return }`),
with no delete or close of an entry (or of a value looked up from the map)
before the store. And a method reconciling the map with a list it is
given: it stores a fresh connection under each key of a `range` over a
parameter, without reading or deleting the entry first, then ranges over
the map closing the entries whose keys it was not given (`for n, c :=
range h.links { if !want[n] { c.Close() } }`): it keeps the given keys'
entries, so the next call's store replaces them without closing them.

Connections the catalog does not know by name are found by the function's
own behaviour: a local that the function closes on some path (`x.Close()`,
deferred or in a closure it builds), obtained from a call into another
module, an interface method or a function value (a dialer kept in a field or
passed as a parameter), a function of the tree that registers something in
a map its result's `Close` deletes from (a multiplexer's `OpenStream`), a
pool's method of the tree returning a value built over the pool whose
`Close` gives it back (`&lent{p: p, c: c}`, `l.p.giveBack(l.c)`: a
checkout), or received from a channel, is a resource on every
path, and the paths that drop it are reported. Such a finding names it a
network connection when its declared type is one the catalog lists, else
neutrally "value", and points at the close that shows it needs closing.
Such a value that carries its own error (`if resp.Error != nil { return }`,
a field of type `error` or of an error type) failed like a call whose `err`
is set: that branch has nothing to close. So does a failed `x.Dial...()` or
`x.Connect...()` on it (a client made unconnected), and a failed
`x.Start...()` when the function's first close of it comes after the start
(`if err := fw.Start(); err != nil { return err }; defer fw.Close()`). A
connection received from a channel of connections (`c, ok := <-l.incoming`,
`case c := <-conns:`, `for c := range w.queue`, each round's value its own)
is acquired there even when the function never closes
it, when the channel's element type is a catalog type or a type of the tree
with a connection's methods (`Read`, `Write`, `Close`, `RemoteAddr`), and
every send on that channel gives away a value its sender keeps nowhere else.

A helper that returns such a value, and closes it itself on a branch that
returns nil in its place (`conn, err := t.mgr.DialQUIC(...)`; `sess, err :=
wt.Dial(ctx, conn)`; `if err != nil { conn.CloseWithError(1, ""); return
nil, nil, err }`; `return sess, conn, nil`), returns a fresh one on every
call: its callers must close what it returns on every path. Handing the
value to a call does not give it away when the helper closes it in that
call's `if err != nil` block (by Go's convention a callee that fails keeps
nothing). A close with an error code (`CloseWithError`, QUIC's and
WebTransport's) is that evidence too. A switch on the error reads as the
comparisons it makes (`switch err { case nil: ... }` takes the `nil` case
only when the call succeeded). A field given a value known only
by its helper's close is not reported as overwritten: its owner may close
it with a closer the helper never used (`CloseAllowingRebalance`,
`gim2xx_fields_of_resources_known_by_a_close`). A value that reports its
own error (`if err != nil || rows.Err() != nil { return }`) failed on that
branch and holds nothing to close, and a call that asks the value something
(`if !allowed[sess.RemotePeer()]`) reads it without letting it go. When
the function keeps the close's error (`err = w.Close()`: a message writer's
close commits what was written), a failed `Write` on the value itself has
ended it, and the branch after that failure holds nothing to close
(`gim2xx_failed_writes_of_committed_values`).

A call through an interface of the tree that nothing in the tree
implements, declared like a catalog constructor of a kind (`Dial(network,
addr string) (net.Conn, error)`, the shape of `net.Dialer.Dial`), opens a
connection: the interface stands for the library type its caller plugs in
(`gim2xx_unimplemented_dialers`). A method that takes a value of the kind
(`Upgrade(ctx, raw net.Conn)`) wraps its caller's and opens nothing, and an
interface implemented in the tree is judged by the implementations' bodies.

A connection handed to the goroutine that serves it is that goroutine's to
close: a handler every caller of the tree starts with `go` (`go
handle(conn)`, its results dropped), or a method no code of the tree calls
(an interface's handler) that returns nothing, which closes its connection
parameter itself
before an early `return` (`conn.Close(); return`) or as its last statement
(`w.Flush(); c.Close()` at the end of the body), must close it on every
path (the parameter may also be a struct of the tree wrapping a connection
that its own `Close` closes, `c *ws.Conn`); so must a goroutine's literal that closes a connection it captures
(`go func() { ... c.Close() }()`, or with `defer c.Close()` registered
after an early `return`) when the function that accepted it does not close
it itself. The finding is reported at the parameter (or at the
acquisition of the captured connection) and names the path that leaves it
open. A multiplexed session's stream given to such a handler (`go
handleStream(st)` with `st *yamux.Stream`; the catalog's `stream_types`)
is owned the same way.

A value whose dynamic type is a type of the tree standing in for a socket
is not one: when a method's receiver holds only composite literals of a
tree type (`l := newFakeListener(...)`, which returns `&fakeListener{}`),
that type's own method decides what the call returns, not the interface's
name in the catalog; so does the fake a wrapper of the tree holds, when the
wrapper's method gets its connection from one call on a field of its
receiver and every value the test built puts a tree type opening nothing in
that field (`WrapListener(policy, &fakeListener{})`,
`NewTransport(&fakeDialer{})`, through a constructor's parameter); and a tree type whose `Close` only sets fields of its
receiver, takes a lock or returns constants (a test double) is never a
resource (counted as `gim2xx_fake_*` in `--debug`). Nor is a value whose
`Close`, or every in-tree implementation's, reaches only the `Close` of a
type the catalog lists under `releases_nothing` (a Cassandra driver's
iterator, whose `Close` reports the query's error;
`gim2xx_closed_value_releases_nothing`), nor a value of an interface of the
tree with a method of its own (not only `Read`, `Write`, `Close` and the
like, which a connection of another module may satisfy) whose every
implementation's `Close` only does bookkeeping, one of them outside tests
(a watch context that a factory closure makes).

A function that returns an error has, by Go convention, not taken over what
it was given when it fails: after `if err := register(conn); err != nil`,
the connection is still the caller's on the error branch, unless the
callee's own body closes, keeps or returns it before its first failing
return, or closes it itself anywhere (an owner: what it does with the value
when it fails is its own business), or it is a library function known to
keep it (like
`(*http.Server).Serve`, `ssh.NewClientConn` or `smtp.NewClient`), or one the
project lists under `keep-on-failure` in `[resources.GIM202]`.

A connection put in a registry (`s.conns[conn] = struct{}{}`) that a
deferred `delete(s.conns, conn)` of the same function removes again is
still the function's own: the registry holds it only while the function runs
(`gim2xx_registrations_undone_by_defer`).

A connection stored in a field of the receiver (`p.conn = conn`) by a method
that then goes on with it (a handshake) is reported at a failure return that
leaves it open when the method's other failure returns after the store close
it first (`p.close(); return err`, `p.conn.Close()`): the caller gets an
error and takes the value as not connected.

A method of the tree called on the connection itself, or on the same value
under an asserted type (`sess := c.(*Session); defer sess.Exit(0)`), closes
it when the call resolves by its static type to one method whose body closes
its receiver (`Exit` calling `s.Close()`).

A connection given to a `New*` function of another module whose result is
kept only in a local (`enc := msgpack.NewEncoder(conn)`,
`client := rpc.NewClient(conn)`) lives as long as that wrapper: closing the
wrapper closes it, handing the wrapper on (returning, storing, passing it,
a goroutine started on it) hands it on, and dropping the wrapper drops it.
A struct of the tree that a function builds around the connection and
returns, directly or from the one local it built it in (`c := &sigConn{conn:
conn}; go c.pingWorker(); return c`), is such a wrapper too when its `Close`
closes that field, also when the field holds another module's wrapper over
the connection (`&Client{rc: rpc.NewClient(conn)}`, `Close` calling
`c.rc.Close()`).
A connection a goroutine sends (alone, or in a result literal) on a
channel the function that started it made, when that function receives it
only in `select` cases and another case returns without receiving it
(`case <-ctx.Done(): return nil, ctx.Err()`), is left in the channel on
that path with nobody to close it. A listener a goroutine serves through a
local `http.Server` the function built (`go func() { errc <- srv.Serve(ln)
}()`) is held by that server: a return that neither closes nor shuts the
server down leaves the port bound (not in tests); a value received from
the channel `Serve`'s result is sent on means `Serve` has returned and
closed it. Returning the connection's `Close` method value (`return addr,
ln.Close, nil`) hands it to the caller; a closure that only uses the
connection (`task.Run(ctx, func() error { _, err := io.Copy(conn, src);
return err })`) does not take it.
A map field of connections (`map[int]net.Listener`) whose values another
method of the type closes (a teardown ranging over it) is reported where a
method deletes an entry without closing it first, reading it, or closing
values of the map itself: the deleted connection is out of the
teardown's reach. The values may also be structs of the tree carrying one
connection in a field (`map[string]*backend`, `backend{addr string; conn
net.Conn}`), closed by another method through a range or an entry taken by
its key (`if c, ok := h.clients[id]; ok { c.conn.Close() }`); or elements
of an LRU list (`map[string]*list.Element`), where the closer's own close
says where the connection sits (`el.Value.(*cacheEntry).conn.Close()`) and
the eviction deletes the key read off the removed element without closing
that path or handing the element to code that could.
Imports through a vendored copy (`.../vendor/<path>`,
`Godeps/_workspace/src/<path>`) name the library's own package.

A struct of the tree wrapping the connection counts as the connection when
one of its methods releases the field: `Close`, another closing verb
(`CloseWithError`, `Release`, `Logoff`, `Shutdown`...; the fix names it), or
the promoted `Close` of an embedded `net.Conn`. A value a method returns
that points back at its receiver (`sess.OpenStream()` returning
`&Stream{sess: s}`) borrows the receiver unless its own closer closes it.
Collections of fresh connections may be returned, filled through a
parameter (`connectPeers(peers, conns)`), filled by goroutines (`out[a] =
c`, `conns[i], errs[i] = d.Dial(...)`) or collected from a results channel
those goroutines send on; a call that fills the caller's collection may
fail after storing some, so its error branch still holds them.

A caller keeping one element of such a collection (`best := links[0]`, a
range over `links[1:]`) and returning it, or a struct built around it or
one of its fields (`&Client{conn: best.conn}`), drops the others. A
wrapper of the tree built for one chained call (`objstore.NewStub(conn).Stat(k)`)
holds the connection for that call only: the method's effect on its
receiver decides. A struct that declares no closer at all, built around a
wrapper of the tree (`&verifier{sess: s}`), is the caller's to close
through its field (`defer v.sess.Close()`). `net.Conn(raw)` and the like
are conversions, not hand-offs.

A field a constructor fills through a method (`c := &Client{};
c.connect(addr); return c`) and that an exported method of the type fills
again through the same method (`Failover`), or an unexported one that an
exported method calls (`Send` calling `s.reconnect()`), without closing it
first is a replaced connection, also when it is kept only inside a client
stub built over it (`s.client = pb.NewGatewayClient(conn)`). A local collection of fresh connections re-sliced
onto itself (`eps = eps[:n]`) before any element is closed drops the
elements cut off; moving elements within the collection (an in-place
sort) keeps them.

A reconnect that replaces the connection after a failed write through a
reader or writer kept beside it (`p.w = bufio.NewWriter(c)`) replaces a
live one, and a caller's map filled with wrappers of the tree (sessions
closed by their own `Close`) holds them like raw connections. A
connection returned only inside a struct with no closer, in fields of
closeless interface types (`w io.Writer`), is out of everyone's reach.
A pool's `Put(c)` that keeps the connection in a field whose values
another method of the pool closes (`p.idle = append(p.idle, c)`, closed
by `Close`) owns it when every caller lets go of it at the call: a path
that returns without keeping or closing it (`if len(p.idle) >= max {
return }`) drops it.

## Why is this bad
An unclosed connection keeps its file descriptor and, on the peer, a
server-side goroutine and buffers until the process exits or the peer
times out. Under load the process runs out of descriptors (`too many open
files`) and the peer out of memory. Error paths are where this hides: the
`defer conn.Close()` is registered after the first early return.

## Example
```go
conn, err := net.Dial("tcp", addr)
if err != nil {
    return err
}
if _, err := fmt.Fprintf(conn, "HELLO\r\n"); err != nil {
    return err // conn leaks here
}
defer conn.Close()
```

## Fix
Register `defer conn.Close()` immediately after the error check of the dial,
before anything else can return; or close explicitly on each early return.
Connections accepted in a loop must be handed to the goroutine that serves
(and closes) them.

## Known limits
- The error of a call into the tree whose every `return` gives a non-nil
  error (`if err != nil { return err }`, `errors.New`, `fmt.Errorf`: a
  server loop that leaves only by failing) is never nil, so the `err ==
  nil` side of its test is no path: `if err := s.Serve(ln); err != nil {
  log.Fatal(err) }` keeps the listener for the process
  (`gim2xx_errors_never_nil`). A failure branch that returns still leaks.
- A local declared without a value (`var ln net.Listener`) and assigned
  only on branches the acquisition's branch excludes (another case of the
  same `switch`) is nil on every path of the acquisition, so `if ln == nil {
  go s.servePackets(pc) } else { go s.serve(ln) }` takes only its first
  side (`gim2xx_locals_nil_on_the_acquisitions_paths`). Other correlations
  between variables are not followed.
- A logger of the tree that ends the process only at its fatal severity (a
  project's own copy of glog: `Fatalf` passes `fatalLog` down to an output
  routine whose `if s == fatalLog {` ends in `os.Exit`) ends the path of a
  call that passes that severity; other severities return.
- A helper of the tree whose last result is a value, not an error, and is
  nil exactly beside a nil resource (`return nil, nil` on failure, `return
  l, l.Addr()` or a composite literal otherwise): the caller's `if addr ==
  nil` holds no resource. A last result that may be nil beside an open one
  (a variable) keeps being read as an error.
- A commit writer of the catalog (`commit_writers`: a Google Cloud Storage
  object writer, `bucket.Object(name).NewWriter(ctx)`) holds nothing before
  its first write, and a failed `Write` has ended its upload: a return with
  nothing written to it, or under the failure of its only, direct `Write`,
  drops nothing (`gim2xx_commit_writers_unwritten`). After a write that
  worked, or an `io.Copy` into it (which can fail on its source's side), the
  upload waits for more and the dropped writer is reported.
- After a websocket dial (gorilla's `Dial`, `DialContext`), a branch on
  the response's `StatusCode != http.StatusSwitchingProtocols` holds no
  connection: the dial returns one only after a 101 handshake.
- A value the function closes on one path is not a resource when the
  call making it is given an in-memory buffer (`zlib.NewReader(
  bytes.NewBuffer(data))`): a decompressor or decoder over memory holds
  no socket.
- `Example` functions of test files with no `// Output:` (or `// Unordered
  output:`) comment are not looked at: `go test` compiles them but never
  runs them (counted as `gim2xx_unrun_examples` in `--debug`).
- A counted loop (`for i := 0; i < workers; i++ { go serve(ln) }`) is taken
  to run its body unless its bound is a constant it starts above: a listener
  left open only when a count is configured to zero is not reported
  (`gim2xx_loops_assumed_to_run`).
- A listener given to a goroutine (`go acceptLoop(ln)`) whose function calls
  `Accept*` on it inside an endless `for {` loop is kept by that goroutine
  for its life, also when a function of the tree it is handed to starts
  that goroutine (`mux.Split(ln)`) (`gim2xx_listeners_served_by_goroutines`),
  unless the function that starts it closes the listener itself on a later
  path (`go c.serve(ln)`, then `ln.Close()` when registering fails): then it
  still owns it, and its other failure returns must close it too
  (`gim2xx_served_listeners_closed_by_the_starter`).
  A wrapper of another module over the listener (`m := cmux.New(ln)`) is kept
  by the goroutine that calls its methods: `go m.Serve()`, or an errgroup's
  or WaitGroup's `g.Go(m.Serve)` or `g.Go(func() error { return m.Serve() })`
  (`gim2xx_wrappers_served_by_group_goroutines`);
  a connection read in such a loop is not, since a handler that returns when
  a read fails still leaves the socket open.
- A call on the connection that fails only when it is not a valid, open
  one (its deadline setters, `SyscallConn` and the `Control` of the RawConn
  it gives) opens no path that leaks it; the finding names the next failure
  instead. So does the `!ok` side of a type assertion to the concrete type
  the standard `net` constructor always returns for the network it names as
  a literal (`*net.UDPConn` after `ListenPacket("udp", ...)`,
  `*net.TCPListener` after `Listen("tcp", ...)`; `ln.Addr().(*net.TCPAddr)`
  and the `LocalAddr`/`RemoteAddr` of a connection likewise;
  `gim2xx_assertions_that_always_hold`). A network parameter counts as
  what every caller of the tree passes, two calls up, or what a helper
  whose every `return` is a literal gives (`listen(network(ip), addr)`,
  `network` returning "tcp4" or "tcp6"); a network from configuration or
  from any other variable keeps that branch. So does the error of `net.SplitHostPort(ln.Addr().String())`
  on a socket opened for a literal TCP or UDP network, directly or in the
  helpers that returned it (every return of each, three helpers deep at
  most; its address always prints as `host:port`).
- The acquisition's error check may be kept in a bool first (`ok := err ==
  nil; if ok {`, or `failed := err != nil`); any other computed condition is
  not read as one.
- In package main, a resource that a function run once per process (called
  only from `main` or a package's `init`, directly or a few calls down,
  never in a loop) hands to a goroutine it starts serves the process: the
  `go` statement is a hand-off (`gim2xx_process_lifetime_goroutine_owners`);
  a return before it is still reported. The same holds for an unexported
  function of another package reached only from its `init`; an exported one
  may be called again by code outside the tree.
- `return f(conn)` hands the resource to a function of the tree, except
  when f fails before taking it over: that failure, returned as the
  caller's own, leaves it open, and the message names f's failing return.
- A closer handed to a call as a method value (`t.Cleanup(conn.Close)`, a
  test helper's `cleanupChecked(tb, conn.Close)`) releases the resource, so
  a function that does it before returning the value lends it: its callers
  are not asked to close it.
- A hand-off is conditional only when its error is tested on the next
  branch (`err != nil`, `errors.Is(err, ...)`, `f(conn) != nil`), and, for
  a function of another module, only when received as `x, err := f(conn)`;
  an error that is ignored or returned as is keeps the hand-off
  unconditional.
- A value stored in a `sync.Map` (`Store`, `Swap`) is owned by the map.
  `actual, loaded := m.LoadOrStore(k, conn)` keeps it only when `loaded` is
  false, so a path on which `loaded` holds and nothing closes it leaks it;
  a `LoadOrStore` whose `loaded` is not received is taken as a hand-off.
- Connections handed to functions the analysis cannot resolve (outside the
  analysed roots, function values) are assumed to be owned there; common
  borrowers (`fmt`, `io`, `bufio`, `encoding/*`, logging) are known, and so
  are the standard library's methods that write their value into the
  connection as their destination (`req.Write(conn)`, `tmpl.Execute(conn,
  data)`; a table of qualified names).
- `break` and `continue` are followed to where they land; a path that takes
  a `goto` is not followed. A loop that may run zero times (`for cond {`,
  `range`) and closes the connection on some path of its body counts as
  closing it, unless that close is followed by a `return` in its block
  (`conn.Close(); return err`: that path leaves, and the loop's own end
  still holds the connection); so does a `range` over a local container of them whose body
  hands the element on (`for _, l := range listeners { go serve(l) }`,
  `gim2xx_containers_handed_on_by_element`).
- Results discarded in `_test.go` files or test support (files importing
  `testing`) (`_, err = ln.Accept()` on a closed
  listener) are not reported when the call keeps nothing but an error (a
  probe expected to fail; `_, rb := h.client()`, keeping a reader over the
  discarded connection, is reported), nor are streams of a multiplexed session
  (quic-go, yamux, smux) opened in a test, or in a test-suite package's
  function taking a `*testing.T` (`testing.TB`, B, F): they end with the
  session the test tears down (counted as `gim2xx_test_session_streams` in
  `--debug`),
  nor are QUIC connections dialled in a test (the peer or an idle timeout
  ends them, often as what the test checks; counted the same way). A
  session's stream also dies with its session: a path that closes the value
  the stream was opened from (`sess.Close()` after `sess.OpenStream()`), or
  one holding it (`conn.Close()` after `conn.session.Open()`, taken to close
  its session), releases it (`gim2xx_streams_closed_with_their_session`).
  So does a `defer sess.Close()` registered before the stream is opened, and
  a stream a function of the tree opens on one of its parameters
  (`subscribe(ctx, sess)`) is opened from the argument passed for it.
- A closer kept as a method value in a field (`h.stop = srv.Close`) hands
  the resource to whoever calls it.
- What is accepted or dialled on an in-memory listener is a buffer, not a
  socket: a method call on a value made by a catalogued in-memory
  constructor (`bufconn.Listen`; `in_memory` in the catalog), directly or
  returned by a function of the tree, is not followed
  (`gim2xx_in_memory_values`).
- A catalogued constructor given a dial function (`redis.DialNetDial(func(network,
  addr string) (net.Conn, error) {...})`, inline or from a helper of the tree
  that returns the option) whose every return is `&T{...}` of a tree type
  whose `Close` does nothing opens no socket (`gim2xx_fake_values`).
- A value known only by its close is not taken from a plain function of the
  tree (its body says whether what it returns is fresh), from the standard
  library (files and pipes), when its declared type is another standard
  library type (`io.WriteCloser`), when it is built over an in-memory buffer
  (a compressor over a `bytes.Buffer`), when the value it came from is
  closed by `defer` (a stream of a deferred session), nor when the function
  declares its name more than once (counted as `gim2xx_closed_value_*` in
  `--debug`). A dialer function value's declared result type is not read, so
  such a value is named neutrally.
- A function of the analysed code returning `net.Conn` (or another type
  listed as the kind's `types`) that wraps a fresh connection
  (`tls.Client(raw, cfg)`), or a struct whose `Close` closes the fresh
  connection it holds, is a constructor for its callers; a struct whose
  `Close` releases it only through further calls is not followed.
- A handler that receives its connection as a parameter is judged only
  when it closes it before an early return and no caller of the tree calls
  it without `go` (a plain call may keep using the connection after); a
  goroutine's literal only for a captured connection assigned once from a
  known acquisition. A method called on a struct built around the
  connection (`(&Conn{raw: c}).Run()`) that hands the struct on counts as
  taking the connection.
- A connection kept in a field of the receiver by a method that goes on
  using it is judged by that method's own failure returns only when at
  least two of them close the field right before returning (`p.close();
  return err`), the method defers no closure and no close of the field,
  starts no goroutine before the return, and no caller closes the field
  after the call (`gim2xx_field_failures_closed_by_caller`).
- A registration undone only by a deferred call other than `delete` (`defer
  s.untrack(conn)`) is taken as a hand-off to the registry.
- A connection dialled into a field of a struct the function builds itself
  (`cn := &conn{}` or `new(conn)`, or a named result so built; `cn.c, err =
  net.Dial(...)`) is followed through that struct like a local
  (`gim2xx_fields_of_fresh_structs`); into a field of a parameter or of the
  receiver, it is the owner's. A value known only by its `Close` is never
  one made by `new(T)`: a zero value holds nothing open yet
  (`gim2xx_closed_value_zero_values`).
- A branch on which a local slice or map of the resources is empty
  (`if len(listeners) == 0 { return err }`) has none to close.
- Inside the branch where a hand-off's callee failed, what the branch does
  with the resource holds for the branches nested in it (`conn.Close()`
  before `if retry { return dial(...) }`). A loop that acquires only under
  `if conn == nil`, into a variable declared outside it, re-dials only
  once the one it kept is gone: no per-iteration leak
  (`gim2xx_loops_acquiring_only_when_nil`).
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

ID = "GIM202"
NAME = "net-conn-leak"
FAMILY = "resources"
SEVERITY = "error"
SUMMARY = "A network connection (dialed, accepted or websocket) is not closed on every path"

REQUIRES = (OWNERSHIP, EARLY_CLOSERS, TRUNCATED_FIELDS, DELETED_ENTRIES, FORGOTTEN_CLOSERS)
# The kind of resource of the ownership layer's catalog (knowledge/resources.toml) this rule reports.
RESOURCE = "net-conn"

WORDS = Wording(
    noun="network connection",
    verb="opened",
    fix="close it on every path (`defer {holder}.Close()` after the error check) or hand it to an owner",
    release="{holder}.Close()",
)


def check(ctx: Context) -> Iterator[Finding]:
    """Each leak of a net-conn the ownership layer found, worded."""
    return _leak_wording.check(ctx, RESOURCE, ID, SEVERITY, WORDS)
