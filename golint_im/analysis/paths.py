"""Leak paths as data, and what the walk knows on a path: conditions, merged states.

`Leak` is what the ownership layer reports: which acquisition leaks, how
the path leaves (return, end, jump, loop), under which branches, kept in
which container. It carries no rule ID and no wording: the rules word it.

The rest is the small algebra the walk (leaks.py) uses on a path: what a
branch condition says about the resource (`cond_effect`), and how the states
and last assignments of paths that meet are merged.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from golint_im.expr import (
    Expr,
    binary,
    call,
    call_number,
    ident,
    index,
    is_expr,
    is_int_literal,
    is_nil,
    render,
    selected_name,
    selector,
    unary_operand,
)
from golint_im.facts import Op
from golint_im.program import Function

from .replaced import Again
from .resources import Origin, _ref

if TYPE_CHECKING:
    from .registered_conns import KeptEntry

# testify's assertions that hold when the error is nil (true: the acquisition succeeded).
_ASSERTS_NO_ERROR = {"NoError", "NoErrorf", "Nil", "Nilf"}


@dataclass(frozen=True)
class Branch:
    """One branch a leaking path takes, for the report to name the condition it leaks under.

    kind: "fails" (the `err != nil` branch after the call `expr`), "if" (`expr`
    holds), "else" (`expr` does not hold), "recv"/"send" (the select case
    receiving from / sending on channel `expr`), "default" (the select's
    default case), "case" (the switch case at `line`; `expr`: its condition, in a tagless switch).
    """

    kind: str
    expr: Expr = None
    line: int = 0


@dataclass(frozen=True)
class Container:
    """A local map or slice the resource is kept in, dropped with the function."""

    # "map" | "slice"; how "replaced" or "owner-never-closes": "field" of the receiver, or "stub" (a client stub in one)
    shape: str
    name: str
    # where each element holds the resource, for a collection: ("Body",) for responses, () for the
    # resources themselves
    part: tuple = ()


@dataclass
class Leak:
    """A path on which an acquired resource is neither released nor handed on, as data.

    how: "return", "end" (falls off the end), "replaced" (kept only in a
    field of the receiver that the next run of the method overwrites), "loop" (acquired in every
    iteration, kept in nothing that outlives it), "discard" (the result is
    dropped), "later-iteration" (a later iteration returns and drops the local
    container), "owner-never-closes" (kept only in a field of the receiver that no
    method of its type closes and no other code reaches; container is the
    field), "deferred-in-loop" (closed by a `defer` in an endless loop, which runs only when the
    function returns), "picked-one" (a return hands back one element of the local collection of
    fresh resources, taken in a range over it, and drops the rest; container is the collection),
    "closed-one" (the function closes one element of that collection, picked by index at line
    stored_at, and drops the rest),
    "continue" or "break". line/col: where the path leaves (the
    return, the jump, the loop). conditions: the branches the path takes
    below the acquisition's own, outermost first (at most three).
    closed_after: for "loop", the line of a close after the loop (0: none).

    The leak reported for an acquisition also carries the acquisition (fn,
    op, origin) and, for a return leak kept in no container, whether
    anything after the acquisition handles the resource (`handled_after`,
    asked when the path has conditions and the resource is no stream) or
    releases it (`released_after`, asked when it has none). `refused_by`: the
    callee the resource was handed to, when the path is the one on which that
    callee failed (a Go function that returns an error has not taken it over). They are asked
    only there because effects are memoised with recursion guards: asking
    more often would change what later walks see.
    """

    how: str
    line: int = 0
    col: int = 0
    conditions: tuple[Branch, ...] = ()
    container: Container | None = None
    closed_after: int = 0
    loop_line: int = 0  # for "deferred-in-loop": the endless loop whose every round defers its close
    fn: Function | None = None
    op: Op | None = None
    origin: Origin | None = None
    handled_after: bool | None = None
    # how == "return", in no container: another return hands the resource to the caller.
    handed_back: bool = False
    released_after: bool | None = None
    # how == "replaced": where the storing method runs again (replaced.Again); container is the field.
    again: Again | None = None
    refused_by: Expr = None  # the callee whose failure left the resource with the caller on this path
    # how == "return": the composite returned, of a struct with no closer, that keeps the resource
    # only in closeless interface fields (`&session{w: conn}`): nobody can close it
    out_of_reach: Expr = None
    # how == "return": the resource is returned, but together with this non-nil error (`return conn, err`
    # under `if err = hs(conn); err != nil`): by Go convention the caller drops a value returned beside one
    with_error: str = ""
    refused_loaded: bool = False  # refused_by is a `sync.Map.LoadOrStore` that loaded another value
    # `return f(conn)` (refused_by: f): the callee's failing return that keeps nothing, (function, op).
    refused_at: tuple | None = None
    # how == "unwrapped": the resource (container: the field) was replaced by a reader over it that
    # does not close it; op is the assignment, wrapper the reader's constructor (`gzip.NewReader`).
    wrapper: Expr = None
    # how == "failure-left-open": the receiver's field (container) was stored at line stored_at, and
    # these closes of it, each right before another failure return, show that failures must close it.
    closed_on_failure: tuple[Op, ...] = ()
    stored_at: int = 0
    # how == "owner-never-closes" for a value a constructor returns: its type, and that type's closer
    # method, which closes other fields but not this one ("" for a field of the receiver).
    owner_type: str = ""
    owner_closer: str = ""
    owner_local: str = ""  # the local the function builds the value in and returns ("" : returned whole)
    # how == "abandoned-send": the function receiving what the goroutine sends on `channel`, the
    # receive (a `select` case), and the `return` of another case of that select that leaves first.
    channel: str = ""
    abandoned_by: tuple | None = None
    # how == "entry-never-closed": where the owned connection is kept (registered_conns.KeptEntry).
    kept_entry: KeptEntry | None = None
    # how == "return" in no container: the lines of the other returns the walk found leaving it open
    # after a failed call (every branch on their path an `err != nil` of a call; at most three, in
    # source order), so that the message and its fix name each. Paths through other conditions are
    # left out: the walk does not relate two tests of one variable, and such a path may not exist.
    other_returns: tuple[int, ...] = ()


class NeverNil(int):
    """The index of the op that assigned an error which is never nil (a call of failing.py's):
    still the op index that names the call in messages, and a mark that `err == nil` never holds."""


def cond_effect(cond: Expr, stream: bool, last_assign: dict, no_nil: bool, holders: dict) -> tuple:
    """What a condition says about the resource when true and when false.

    "failed": the acquisition failed (nothing to release); "ok": it succeeded;
    "ended": the stream ended (Recv/Send returned an error); None: nothing known.
    """
    if not is_expr(cond):
        return None, None
    negated = unary_operand(cond, "!")
    if negated is not None:
        t, f = cond_effect(negated, stream, last_assign, no_nil, holders)
        return f, t
    marker = last_assign.get(ident(cond))
    if marker == "error-type" and not no_nil:
        return "failed", None  # `if _, ok := err.(T); ok`: the error is not nil, so nothing was acquired
    if marker == "acq-ok" and not no_nil:
        return "ok", "failed"  # `success := err == nil; if success {`
    if marker == "acq-failed" and not no_nil:
        return "failed", "ok"
    if marker == "received" or (marker == "acq" and not no_nil):
        # `if ok`: the receive `c, ok := <-ch` got a value (else the channel was closed), or the
        # acquisition's last result is a bool saying it succeeded (`conn, ok := h.NewConn(w, r)`).
        return "ok", "failed"
    c = call(cond)
    if c is not None:
        args = c[1]
        if stream and any(last_assign.get(ident(a)) == "recv" for a in args):
            return "ended", None  # errors.Is(err, io.EOF)
        if not no_nil and any(last_assign.get(ident(a)) == "acq" for a in args):
            if selected_name(c[0]) in _ASSERTS_NO_ERROR:
                return None, "failed"  # `if !assert.NoError(t, err) { return }`: false when it failed
            # A predicate on the acquisition's error (netutil.IsTemporaryError(err),
            # errors.Is(err, x), os.IsTimeout(err)) holds only for a non-nil error,
            # when the resource is nil: nothing to release on that branch.
            return "failed", None
        return None, None
    b3 = binary(cond)
    if b3 is None:
        return None, None
    op, left, right = b3
    if op in ("&&", "||"):
        a = cond_effect(left, stream, last_assign, no_nil, holders)
        b = cond_effect(right, stream, last_assign, no_nil, holders)
        strong = ("failed", "ended")

        def pick(x, y):
            for v in (x, y):
                if v in strong:
                    return v
            return x if x is not None else y

        if op == "&&":  # true: both hold; false: one fails
            return pick(a[0], b[0]), (a[1] if a[1] == b[1] else None)
        return (a[0] if a[0] == b[0] else None), pick(a[1], b[1])
    if op not in ("==", "!="):
        return None, None  # an order on a received value (`ev.ID < 0`) says nothing of the stream's end
    if is_nil(left):
        left, right = right, left
    if selector(left) is not None and is_nil(right) and not no_nil:
        r = _ref(left, holders)
        if r is not None and r.resource:
            # `if resp.Body != nil { resp.Body.Close() }`: a nil one has nothing to release.
            return ("failed", "ok") if op == "==" else ("ok", "failed")
    if call(left) is not None:
        if stream and op == "==" and cond_effect(left, stream, last_assign, no_nil, holders)[0] == "ended":
            return "ended", None  # status.Code(err) == codes.Canceled
        return None, None
    name = error_key(left)
    if name is None:
        return None, None
    marker = last_assign.get(name)
    eq = op == "=="
    if is_nil(right):
        if marker == "nil-error":
            # The error of a write that never fails: `err != nil` never holds, nothing leaks there.
            return (None, "failed") if eq else ("failed", None)
        if isinstance(marker, NeverNil):
            # The error of a call that only ever fails (failing.py): `err == nil` never holds.
            return ("failed", None) if eq else (None, "failed")
        if marker == "acq" and not no_nil:
            return ("ok", "failed") if eq else ("failed", "ok")
        if marker == "acq-value" and not no_nil:
            return ("failed", "ok") if eq else ("ok", "failed")  # `if addr == nil`: nothing was acquired
        h = holders.get(name)
        if h is not None and not h.container and not no_nil:
            return ("failed", "ok") if eq else ("ok", "failed")
        if marker == "recv":
            return (None, "ended") if eq else ("ended", None)
        return None, None
    if marker == "recv":
        return ("ended", None) if eq else (None, "ended")  # err == io.EOF / err != io.EOF
    if marker == "acq" and not no_nil:
        # `err == pebble.ErrNotFound`: equal to a non-nil error only when the acquisition failed.
        return ("failed", None) if eq else (None, "failed")
    return None, None


def error_key(e: Expr) -> str | None:
    """The name a walk keys an error variable by: `err`, `errs[idx]` for an element of a local
    slice indexed by a name (`conn, errs[idx] = d.Dial(...)` then `if errs[idx] != nil`), or
    `res.err` for a field of a variable (`stream, res.err = c.Open(...)` then `if res.err == nil`)."""
    name = ident(e)
    if name is not None:
        return name
    sel = selector(e)
    if sel is not None and ident(sel[0]) is not None:
        return render(e)
    ix = index(e)
    if ix is not None and ident(ix[0]) is not None and (ident(ix[1]) is not None or is_int_literal(ix[1])):
        return render(e)
    return None


def handoff_refused(
    cond: Expr, last_assign: dict, assigns: set, calls: set, flags: AbstractSet[int] = frozenset()
) -> tuple[bool, bool]:
    """Does a condition, when true / when false, say that a conditional hand-off failed?

    `assigns` are the assignments receiving the error of a call that takes the
    resource only if it succeeds (`err := register(conn)`), `calls` such calls
    tested directly (`if send(conn) != nil`). `err != nil`, `errors.Is(err, x)`
    and `isTimeout(err)` hold only when the callee failed; `err == nil` only
    when it succeeded. `flags` are the assignments whose last result is a bool
    that is true when the callee kept nothing (`_, loaded := m.LoadOrStore(k,
    conn)`): the bare `loaded` holds only then.
    """
    if not is_expr(cond):
        return False, False
    negated = unary_operand(cond, "!")
    if negated is not None:
        t, f = handoff_refused(negated, last_assign, assigns, calls, flags)
        return f, t
    flag = ident(cond)
    if flag is not None:
        return last_assign.get(flag) in flags, False

    def failed_call(e) -> bool:
        n = call_number(e)
        if n is not None:
            return n in calls
        name = ident(e)
        return name is not None and last_assign.get(name) in assigns

    c = call(cond)
    if c is not None:
        return any(failed_call(a) for a in c[1] if call_number(a) is None), False
    b3 = binary(cond)
    if b3 is None:
        return False, False
    op, left, right = b3
    if op in ("&&", "||"):
        a = handoff_refused(left, last_assign, assigns, calls, flags)
        b = handoff_refused(right, last_assign, assigns, calls, flags)
        if op == "&&":  # true: both hold; false: at least one does not
            return a[0] or b[0], a[1] and b[1]
        return a[0] and b[0], a[1] or b[1]
    if op not in ("==", "!="):
        return False, False
    if is_nil(left):
        left, right = right, left
    if not is_nil(right) or not failed_call(left):
        return False, False
    return (True, False) if op == "!=" else (False, True)


def _merge_assigns(a, b, before):
    """Last assignments after an if/else: where the branches disagree, nothing is known."""
    if a is None and b is None:
        return before
    if a is None or b is None:
        return dict(a if a is not None else b)
    out = {}
    for k in set(a) | set(b):
        out[k] = a.get(k) if a.get(k) == b.get(k) else "mixed"
    return out


def _merge(*states):
    live = [s for s in states if s is not None]
    if not live:
        return None
    return all(live)
