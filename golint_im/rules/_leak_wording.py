"""How the leak rules (GIM201-204) word a leak the ownership layer found.

The layer reports a leak as data (`analysis.ownership.Leak`: how the path
leaves, where, under which branches, kept in which container); this module
turns it into the sentence a reviewer reads. The sentences are shared by the
four rules; each rule brings its own nouns and fix text in a `Wording`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from golint_im.analysis.deleted_entries import DELETED_ENTRIES, DeletedEntry
from golint_im.analysis.early_closers import EARLY_CLOSERS, EarlyCloserReturn
from golint_im.analysis.forgotten_closers import FORGOTTEN_CLOSERS, ForgottenCloser
from golint_im.analysis.ownership import OWNERSHIP, Branch, Leak
from golint_im.analysis.resources import STUB, OwnedHere
from golint_im.analysis.truncated_fields import TRUNCATED_FIELDS, TruncatedField
from golint_im.expr import (
    call_number,
    case_comparisons,
    composite,
    ident,
    is_expr,
    ranged,
    render,
    render_negated,
    selected_name,
    selector,
    selector_base,
    strip_address,
)
from golint_im.findings import Finding, Location, Related, Step
from golint_im.passes import Context


@dataclass(frozen=True)
class Wording:
    """A leak rule's own words: what the resource is called, how it is obtained, how to fix a leak."""

    noun: str  # "gRPC client connection"
    verb: str  # "dialed": "... is dialed for every iteration of the loop"
    fix: str  # may name the variable it closes as `{holder}`
    holder: str = "conn"  # that variable, unless the catalog names what the constructor opens
    # What a leak at the end of the function, and a return that leaks it under no condition, are called.
    ends: str = "is never closed"
    open_on_return: str = ""  # "" : worded like any resource ("is never closed (the function returns ...)")
    # The call that releases `{holder}` ("{holder}.Close()"), for a return that drops what the function
    # hands back on its other returns: closed before that return, not deferred. "": no such fix.
    release: str = ""


def check(ctx: Context, kind: str, rule_id: str, severity: str, words: Wording) -> Iterator[Finding]:
    """The findings of one leak rule: the ownership layer's leaks of `kind`, worded."""
    for leak in ctx.result(OWNERSHIP).leaks_of(kind):
        yield finding(leak, rule_id, severity, words)
    for early in ctx.result(EARLY_CLOSERS):
        if early.kind.name == kind:
            yield early_closer_finding(early, rule_id, severity, words)
    for cut in ctx.result(TRUNCATED_FIELDS):
        if cut.kind.name == kind:
            yield truncated_field_finding(cut, rule_id, severity, words)
    for gone in ctx.result(DELETED_ENTRIES):
        if gone.kind.name == kind:
            yield deleted_entry_finding(gone, rule_id, severity, words)
    for forgotten in ctx.result(FORGOTTEN_CLOSERS):
        if forgotten.kind.name == kind:
            yield forgotten_closer_finding(forgotten, rule_id, severity, words)


def deleted_entry_finding(d: DeletedEntry, rule_id: str, severity: str, words: Wording) -> Finding:
    """A map field of connections whose entry a method deletes without closing it."""
    loc = Location(d.fn.file.path, d.delete.line, d.delete.col)
    noun = _FIELD_NOUNS.get(d.type, words.noun)
    key = render(d.delete.args[1])
    closer_loc = Location(d.closer.file.path, d.closer.facts.line, d.closer.facts.col)
    held = f"the {noun} under `{key}`"
    closed = f"{d.field}[{key}].Close()"
    if d.member.startswith("."):  # reached from the entry through fields and assertions (an LRU's element)
        held = f"the entry under `{key}`, and with it the {noun} it holds (`{d.member[1:]}`),"
        # the key read off the entry removed (`oldest.Value.(*cacheEntry).addr`) names that entry
        base = d.delete.args[1]
        while (inner := selector(base)) is not None or (base is not None and base[0] == "assert"):
            base = inner[0] if inner is not None else base[1]
        entry = render(base) if base is not d.delete.args[1] else f"{d.field}[{key}]"
        closed = f"{entry}{d.member}.Close()"
    elif d.member:  # the entries are structs of the tree carrying it in a field
        held = f"the entry under `{key}`, and with it the {noun} in its field `{d.member}`,"
        closed = f"{d.field}[{key}].{d.member}.Close()"
    message = (
        f"`{d.fn.short}` deletes {held} from `{d.field}` without closing it, while "
        f"`{d.closer.short}` closes what `{d.field}` holds: once the entry is gone, nothing can reach it, and it "
        f"stays open. Fix: close it before deleting the entry (`{closed}`)."
    )
    return Finding(
        rule_id=rule_id,
        message=message,
        location=loc,
        severity=severity,
        related=(Related(closer_loc, f"`{d.closer.short}` closes the map's values"),),
        steps=(Step(loc, f"the {noun} is dropped from `{d.field}` here, still open"),),
        key=f"{d.fn.qualname}|deleted|{d.field}",
    )


def truncated_field_finding(t: TruncatedField, rule_id: str, severity: str, words: Wording) -> Finding:
    """A slice field of connections cut short by re-slicing, closing none of the elements cut off."""
    loc = Location(t.fn.file.path, t.cut.line, t.cut.col)
    noun = _FIELD_NOUNS.get(t.type, words.noun)
    cut = render(t.cut.args[0])
    message = (
        f"`{t.fn.short}` cuts `{t.field}` short with `{t.field} = {cut}` without closing the elements past the "
        f"new length: each {noun} cut off stays open, kept only by the slice's backing array until an `append` "
        f"overwrites it. Fix: close them first (`for _, c := range {t.field}[n:] {{ c.Close() }}`), then cut."
    )
    if t.kept and t.closer is not None:  # filtered in place: the elements left out are dropped
        held = f" (its field `{t.member}`)" if t.member else ""
        member = f".{t.member}" if t.member else ""
        message = (
            f"`{t.fn.short}` filters `{t.field}` in place (into `{t.kept}`, in the range at line {t.loop_line}) and "
            f"stores the result back at line {t.cut.line}, closing none of the elements it leaves out: the {noun}"
            f"{held} of each one dropped stays open, out of reach of `{t.closer.short}`, which closes what "
            f"`{t.field}` holds. Fix: close each element not kept, in the loop (`else {{ x{member}.Close() }}`)."
        )
    return Finding(
        rule_id=rule_id,
        message=message,
        location=loc,
        severity=severity,
        steps=(
            Step(loc, f"the {noun}s not kept are dropped here, still open")
            if t.kept
            else Step(loc, f"the {noun}s past the new length are dropped here, still open"),
        ),
        key=f"{t.fn.qualname}|truncated|{t.field}",
    )


def early_closer_finding(e: EarlyCloserReturn, rule_id: str, severity: str, words: Wording) -> Finding:
    """A `Close` method that returns on a failed call before closing its receiver's fields."""
    path = e.fn.file.path
    exit_loc = Location(path, e.exit.line, e.exit.col)
    close_loc = Location(path, e.close.line, e.close.col)
    failed = render(e.failed.fn)
    noun = _FIELD_NOUNS.get(e.type, words.noun)
    field = e.fields[0]
    also = ""
    if len(e.fields) > 1:
        also = " (and " + ", ".join(f"`{f}`" for f in e.fields[1:]) + " after it)"
    message = (
        f"`{e.fn.short}` returns at line {e.exit.line} when `{failed}` fails (`{render(e.cond)}`), before "
        f"`{render(e.close.fn)}()` at line {e.close.line}{also}: the {noun} in `{field}` stays open for good, "
        f"since a caller that called `Close` will not call it again. Fix: close `{field}` on every path "
        f"(remember the first error, close, then return it; or `defer {field}.Close()` at the top)."
    )
    return Finding(
        rule_id=rule_id,
        message=message,
        location=exit_loc,
        severity=severity,
        related=(Related(close_loc, f"the close of `{field}`, skipped on that path"),),
        steps=(
            Step(Location(path, e.failed.line, e.failed.col), f"`{failed}` fails"),
            Step(exit_loc, f"`{e.fn.short}` returns here"),
            Step(close_loc, f"`{field}` would be closed only here"),
        ),
        key=f"{e.fn.qualname}|early-close|{field}|{e.exit.line}",
    )


def forgotten_closer_finding(f: ForgottenCloser, rule_id: str, severity: str, words: Wording) -> Finding:
    """A teardown that tears down other fields of its value but never one whose own teardown closes
    the resources it keeps."""
    owner, inner_type = f.owner.rpartition("#")[2], f.field_type.rpartition("#")[2]
    loc = Location(f.teardown.file.path, f.teardown.facts.line, max(f.teardown.facts.col, 1))
    close_loc = Location(f.closer.file.path, f.close.line, f.close.col)
    inner_loc = Location(f.inner.file.path, f.inner.facts.line, max(f.inner.facts.col, 1))
    recv = f.teardown.facts.recv_name
    noun = words.noun + "s"
    message = (
        f"`{f.teardown.short}` tears down other fields of its `{owner}` but never `{recv}.{f.field}`, a "
        f"`{inner_type}` built for it whose own `{f.inner.short}` closes the {noun} it keeps "
        f"(`{render(f.close.fn)}()` at line {f.close.line} of {f.closer.file.path}), and no other code can reach it: "
        f"after `{f.teardown.short}` they stay open. Fix: call `{recv}.{f.field}.{f.inner.facts.name}()` in "
        f"`{f.teardown.short}`."
    )
    return Finding(
        rule_id=rule_id,
        message=message,
        location=loc,
        severity=severity,
        related=(Related(inner_loc, f"`{f.inner.short}`, never called"),),
        steps=(
            Step(loc, f"`{f.teardown.short}` tears down its value without `{recv}.{f.field}`"),
            Step(inner_loc, f"`{f.inner.short}` would close what `{f.field}` keeps"),
            Step(close_loc, f"the {words.noun} closed only there"),
        ),
        key=f"{f.teardown.qualname}|forgotten-closer|{f.field}",
    )


# What a field of these declared types holds, when it is not what the rule calls its resource.
_FIELD_NOUNS = {
    "net#Listener": "listener",
    "net#TCPListener": "listener",
    "net#UnixListener": "listener",
    "net#PacketConn": "packet connection",
    "net#UDPConn": "packet connection",
}


def conditions(branches: tuple[Branch, ...]) -> str:
    """`checkVersion` fails and `resp.StatusCode != 200`: the branches a path takes, outermost first."""
    return " and ".join(_branch(b) for b in branches)


def _branch(b: Branch) -> str:
    if b.kind == "recv":
        return f"`<-{render(b.expr)}` is received"
    if b.kind == "send":
        return f"`{render(b.expr)} <-` is sent"
    if b.kind == "default":
        return "the `select` takes its `default` case"
    if b.kind == "case":
        if b.expr is not None:
            compared = case_comparisons(b.expr)
            if compared is not None:
                tag, values = compared
                # `switch err { case a, b:` is kept as `err == a || err == b`: said as written.
                return f"the `switch` on `{tag}` takes `case {', '.join(render(v) for v in values)}:` at line {b.line}"
            return f"the `switch` takes `case {render(b.expr)}:` at line {b.line}"
        return f"the `switch` takes the case at line {b.line}"
    if b.kind == "fails":
        return f"`{render(b.expr)}` fails"
    if b.kind == "if":
        return f"`{render(b.expr)}`"
    return f"`{render_negated(b.expr)}`"


def _owned(leak: Leak, owned: OwnedHere, words: Wording, what: str) -> tuple[str, str]:
    """What leaks and how, for a connection a goroutine owns (a parameter, a captured variable)."""
    exit_ = f"return at line {leak.line}" if leak.how == "return" else f"it ends at line {leak.line}"
    detail = conditions(leak.conditions)
    ends = "returns" if leak.how == "return" else "ends"
    unclosed = f"not when {detail} ({exit_})" if detail else f"not on the path that {ends} at line {leak.line}"
    if leak.how not in ("return", "end"):
        unclosed = f"not before the `{leak.how}` at line {leak.line}"
    if owned.pooled is not None:
        store, field, closer = owned.pooled
        closes = (
            f"keeps it in `{field}` at line {store.line} (whose values `{closer.short}` closes) but neither keeps "
            f"nor closes it when {detail} ({exit_})"
            if detail
            else f"keeps it in `{field}` at line {store.line} (whose values `{closer.short}` closes) but drops it "
            f"on the path that {ends} at line {leak.line}"
        )
    elif owned.close is None:
        closes = (
            f"never closes it: nothing else holds it, so it stays open once the goroutine {ends} at line {leak.line}"
        )
    elif not owned.close_by_callee:
        closes = f"closes it at line {owned.close.line} on one path but {unclosed}"
    else:
        closes = (
            f"hands it to `{render(owned.close.fn)}`, which closes it, at line {owned.close.line} on one path "
            f"but {unclosed}"
        )
    if owned.captured:
        problem = f"is handed to the goroutine started at line {owned.owner.facts.line}, which {closes}"
        return what, problem
    name = owned.owner.short
    what = f"{words.noun} `{owned.holder}` given to `{name}`"
    if owned.pooled is not None and owned.let_go is not None:
        caller, call, passed = owned.let_go
        why = (
            f"its callers let go of the value: `{caller.short}` never looks at `{passed}` again after "
            f"the call at line {call.line}"
        )
    elif owned.let_go is not None:
        caller, call, passed = owned.let_go
        why = f"its one caller `{caller.short}` never looks at `{passed}` again after the call at line {call.line}"
    elif owned.handed_on_by is not None:
        returns = "it returns nothing, and " if not owned.owner.facts.results else ""
        why = (
            f"{returns}the tree starts it with `go`, or calls it from "
            f"`{owned.handed_on_by.short}`, itself such a goroutine, as its last use of the value"
        )
    else:
        why = (
            "the tree calls it only with `go`, so no caller sees its results"
            if owned.owner.facts.results
            else "it returns nothing, and the tree calls it only with `go`, if at all"
        )
    problem = f"is owned by `{name}` ({why}), which {closes}"
    return what, problem


def _assigned_name(fn, op, result: int) -> str | None:
    """The local the acquisition's result lands in (`cl, err := kafka.NewFranzClient(ctx)`: `cl`),
    when the statement right after the call assigns it to a plain name; else None."""
    ops = fn.facts.ops
    at = next((k for k, o in enumerate(ops) if o is op), -1)
    after = ops[at + 1] if 0 <= at < len(ops) - 1 else None
    if op.kind != "call" or after is None or after.kind != "assign" or len(after.args) != 1:
        return None
    if call_number(after.args[0]) != at or result >= len(after.targets):
        return None
    target = after.targets[result]
    sel = selector(target)
    if sel is not None and ident(sel[0]) is not None:
        return render(target)  # `cn.c, err = net.Dial(...)` into a field of a struct it built: `cn.c`
    name = ident(target)
    return name if name not in (None, "_") else None


def _also_open(leak: Leak) -> str:
    """`; the returns at lines 77 and 90 leave it open too`, for the other leaking returns the walk found."""
    lines = [str(n) for n in leak.other_returns]
    if not lines:
        return ""
    if len(lines) == 1:
        return f"; the return at line {lines[0]} leaves it open too"
    return f"; the returns at lines {', '.join(lines[:-1])} and {lines[-1]} leave it open too"


def _out_of_reach_type(leak: Leak) -> str:
    """The struct type written in the composite a return hands back out of reach (`session`)."""
    built = composite(strip_address(leak.out_of_reach))
    return built[0].lstrip("&*") if built is not None else "the struct"


def _failure_closer(leak: Leak) -> str:
    """The close the other failure returns make (`p.close()`), when they all make the same one; else ""."""
    texts = {render(o.fn) for o in leak.closed_on_failure}
    return f"{texts.pop()}()" if len(texts) == 1 else ""


def finding(leak: Leak, rule_id: str, severity: str, words: Wording) -> Finding:
    """The finding for one leak: what leaks, on which path, why the callee is a constructor, how to fix it."""
    fn, op, origin = leak.fn, leak.op, leak.origin
    assert fn is not None and op is not None and origin is not None
    path = fn.file.path
    callee = render(op.fn if leak.wrapper is None else leak.wrapper)  # unwrapped: op is the replacing assignment
    named = origin.kind.name_of(origin.base)
    if named is not None:
        # The catalog says what this constructor opens (a listener, a stream): say that, and close that.
        words = replace(words, noun=named.noun, holder=named.holder, fix=words.fix.replace("Close()", named.close))
    body_field = "." in origin.closer and "resp.Body.Close()" in words.fix  # `obj.Body.Close()`: said below
    if origin.closer != "Close" and origin.suffix and not body_field:
        # a struct of the tree wrapping it, closed by `Release()` or `CloseWithError(…)` rather than `Close()`
        call = origin.closer if origin.closer.endswith("(…)") else f"{origin.closer}()"
        words = replace(
            words,
            fix=words.fix.replace("Close()", call),
            release=words.release.replace("Close()", call) if words.release else words.release,
        )
    # Known by the helper's close of it when a later step fails (`conn.CloseWithError(1, "")`).
    helper_close = origin.impl_closed.close if origin.impl_closed is not None else None
    closed = origin.closed  # not known by name: the function closes it on another path
    if closed is not None:
        words = replace(words, noun=words.noun if closed.typed else "value", holder=closed.holder)
    elif origin.impl_closed is not None and not origin.impl_closed.typed:
        words = replace(words, noun="value")  # known only by the helper's close: its type says nothing
    if closed is None:
        assigned = _assigned_name(fn, op, origin.result)
        if assigned is not None:
            words = replace(words, holder=assigned)  # the fix closes the variable the code uses
        if origin.suffix and origin.suffix != STUB and "resp.Body.Close()" in words.fix:
            # a struct of the tree wrapping the body (`obj, err := store.Get(k)`): its own closer
            closer = origin.closer if origin.closer.endswith("(…)") else f"{origin.closer}()"
            words = replace(words, fix=words.fix.replace("resp.Body.Close()", f"{assigned or 'v'}.{closer}"))
    what = f"{words.noun} {'received from `<-' if op.kind == 'recv' else 'from `'}{callee}`"
    if origin.suffix == STUB and origin.impl is not None:
        what = f"{words.noun} inside the client stub from `{callee}`"
    filled = origin.filled  # the call filled a local struct: the struct holds the resource
    if filled is not None:
        what = f"{words.noun} that `{callee}` stores in `{filled.holder}.{filled.field}`"
    many = origin.collection  # a slice of fresh ones: every element is the caller's to close
    if many and filled is not None:
        what = f"every {words.noun} that `{callee}` stores in the {many} `{filled.holder}`"
    elif many:
        what = f"every {words.noun} in the {many} from `{callee}`"
    loc = Location(path, op.line, op.col)
    related: list[Related] = []
    steps = [Step(loc, f"{words.verb} here")]
    detail = conditions(leak.conditions)
    container = f"{leak.container.shape} `{leak.container.name}`" if leak.container is not None else ""
    returns = Related(Location(path, leak.line, leak.col), "returns without closing it")
    owned = origin.owned  # a goroutine owns it without acquiring it, and closes it on another path
    entry = leak.kept_entry
    if leak.how == "entry-never-closed" and owned is not None and entry is not None:
        storer, deleter = entry.storer, entry.deleter
        store, delete = entry.store, entry.delete
        what = f"{words.noun} `{owned.holder}` given to `{owned.owner.short}`"
        through = f"through `{storer.short}`, " if storer is not owned.owner else ""
        problem = (
            f"is owned by `{owned.owner.short}` (the tree starts it only with `go`), which, once it keeps it as "
            f"a value of the map `{leak.container.name if leak.container else ''}` "
            f"({through}{storer.file.path}:{store.line}), never closes it; no code closes that map's values, "
            f"and `{deleter.short}` deletes the entry at {deleter.file.path}:{delete.line}: after that nothing "
            "can reach it, and it stays open"
        )
        steps = [Step(loc, "received here as a parameter")]
        related.append(Related(Location(storer.file.path, store.line, store.col), "kept in the map here"))
        related.append(Related(Location(deleter.file.path, delete.line, delete.col), "deleted here, not closed"))
    elif owned is not None:
        what, problem = _owned(leak, owned, words, what)
        if not owned.captured:
            steps = [Step(loc, "received here as a parameter")]
        if owned.close is not None:
            related.append(Related(Location(path, owned.close.line, owned.close.col), "closed here on another path"))
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "left open here"))
    elif leak.how == "unwrapped" and leak.container is not None:
        body = leak.container.name
        what = f"{words.noun} `{body}`"
        steps = [Step(loc, f"replaced here by a `{callee}` reader over it, which does not close it")]
        problem = (
            f"is replaced by the `{callee}` reader over it, whose `Close` leaves it open: "
            f"closing `{body}` afterwards closes only the reader, and nothing can close the original any more"
        )
    elif leak.how == "return" and leak.out_of_reach is not None:
        tname = _out_of_reach_type(leak)
        problem = (
            f"is kept only in the `{tname}` returned at line {leak.line}, in fields of interface types "
            f"without `Close` (or readers over it), and `{tname}` has no method that closes anything: "
            "nobody can close it"
        )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "returned out of reach here"))
    elif leak.how == "discard":
        problem = "is discarded without being closed"
    elif leak.how == "abandoned-send" and leak.abandoned_by is not None:
        receiver, recv, leave, case = leak.abandoned_by
        took = (
            f"`<-{render(case.fn)}` is received"
            if case is not None and case.fn is not None
            else "it takes another case"
        )
        rpath = receiver.file.path
        problem = (
            f"is sent on `{leak.channel}` (line {leak.line}) to `{receiver.short}`, which stops receiving from it "
            f"when {took} (return at line {leave.line}): nothing takes it on that path, and nothing closes it"
        )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), f"sent on `{leak.channel}` here"))
        related.append(Related(Location(rpath, leave.line, max(leave.col, 1)), "the receiver leaves without it"))
    elif leak.how == "deferred-in-loop":
        loop = next((r for r in fn.facts.regions if r.line == leak.loop_line and r.kind in ("for", "range")), None)
        goes = "goes round for good"
        if loop is not None and loop.kind == "range" and is_expr(loop.info):
            goes = f"ranges over `{render(loop.info)}` for as long as it is fed"
        problem = (
            f"is closed only by the `defer` at line {leak.line}, which runs when `{fn.short}` returns, but the "
            f"`for` loop at line {leak.loop_line} {goes}: every round's {words.noun} stays open "
            f"until then"
        )
        related.append(
            Related(
                Location(path, leak.loop_line, 1),
                "the endless loop" if loop is None or loop.kind == "for" else "the worker's loop",
            )
        )
    elif leak.how == "loop":
        line = leak.line
        if leak.closed_after:
            problem = (
                f"is {words.verb} for every iteration of the loop at line {line}; "
                f"closed only after the loop (line {leak.closed_after}), so all but the last one leak"
            )
        elif detail:
            problem = (
                f"is {words.verb} for every iteration of the loop at line {line} and not closed in it when {detail}"
            )
        else:
            problem = f"is {words.verb} for every iteration of the loop at line {line} and not closed in it"
        related.append(Related(Location(path, line, 1), "the loop"))
    elif leak.how == "later-iteration" and leak.with_error:
        problem = (
            f"is kept only in local {container}, which a later iteration returns at line {leak.line} "
            f"together with a non-nil error (wrapping `{leak.with_error}`)"
            + (f" (when {detail})" if detail else "")
            + ": by Go convention a caller drops what comes back beside an error, so nothing closes them"
        )
        related.append(returns)
    elif leak.how == "later-iteration":
        problem = (
            f"is kept only in local {container}, which is dropped when a later iteration "
            f"returns at line {leak.line}" + (f" (when {detail})" if detail else "")
        )
        related.append(returns)
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None and leak.again.partial_guard:
        guard_line, other = leak.again.partial_guard
        in_entry = leak.container.shape == "entry"
        problem = (
            f"is kept only in `{leak.container.name}` (line {leak.line}), which the `if` at line {guard_line} "
            f"skips only when the {'entry' if in_entry else 'field'} is set and `{other}` also holds: when it does "
            f"not, the store replaces the live {'entry' if in_entry else 'value'} without closing it"
        )
        related.append(_dropped_here(path, leak, "entry" if in_entry else "value"))
        related.append(Related(Location(path, guard_line, 1), "skipped only when both hold"))
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None and leak.again.request_key:
        key_line, source = leak.again.request_key
        map_closer = leak.again.closed_by
        assert map_closer is not None
        problem = (
            f"is kept only in `{leak.container.name}` (line {leak.line}), under a key the request supplies "
            f"(`{source}`, line {key_line}): `{fn.short}` runs for every request and overwrites the entry without "
            f"looking at it, while `{map_closer.short}` closes what the map holds, so a second request with the same "
            "key drops the live one without closing it"
        )
        related.append(_dropped_here(path, leak))
        related.append(Related(Location(path, key_line, 1), "the key, from the request"))
        related.append(
            Related(
                Location(map_closer.file.path, map_closer.facts.line, max(map_closer.facts.col, 1)),
                "closes the map's values",
            )
        )
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None and leak.again.cached_by:
        cacher, lookup = leak.again.cached_by
        problem = (
            f"is kept only in `{leak.container.name}` (line {leak.line}), which `{fn.short}` overwrites without "
            f"looking at the entry there, while `{cacher.short}` hands that entry out as the live value for its "
            f"key ({cacher.file.path}:{lookup.line}): when one is there, the store drops it without closing it"
        )
        related.append(_dropped_here(path, leak))
        related.append(Related(Location(cacher.file.path, lookup.line, lookup.col), "the entry handed out here"))
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None and leak.again.every_key_of:
        again = leak.again
        caller = again.caller
        problem = (
            f"is kept only in `{leak.container.name}` (line {leak.line}), which `{fn.short}` stores for every "
            f"key of `{again.every_key_of}` each time it runs, without looking at the entry already there, and "
            f"`{caller.short}` runs it again in the loop at {caller.file.path}:{again.loop_line}: from the "
            "second run on, each store replaces the live entry without closing it"
        )
        related.append(_dropped_here(path, leak))
        related.append(
            Related(Location(caller.file.path, again.call.line, again.call.col), "run again from here, in a loop")
        )
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None and leak.again.reconciled_by:
        rec = leak.again.reconciled_by
        problem = (
            f"is kept only in `{leak.container.name}` (line {leak.line}), stored for every key the loop at line "
            f"{leak.again.loop_line} is given, while the range at line {rec.line} closes only the entries whose "
            "keys it was not given: the entries of the other keys stay, and the next call's store under one of "
            "them replaces the live connection without closing it"
        )
        related.append(_dropped_here(path, leak))
        related.append(Related(Location(path, rec.line, max(rec.col, 1)), "keeps the entries of the keys given"))
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None and leak.again.entry_seen:
        again = leak.again
        caller = again.caller
        seen = again.entry_seen
        assert seen is not None
        how = "whose entry it read" if seen.kind != "call" or seen.fn != again.call.fn else "it already stored"
        if seen.kind == "call" and selected_name(seen.fn) != selected_name(again.call.fn):
            how = f"whose entry `{render(seen.fn)}` stores or finds"  # replaced._stores_entry_through
        if seen.kind == "assign" and len(seen.args) == 1 and ranged(seen.args[0]) is not None:
            how = "that its range over the entries gives (every one names a live entry)"
        related.append(_dropped_here(path, leak))
        if again.call.kind == "assign":
            # replaced.entry_replaced_in_place: the function's own look-up, handed out only past a check
            problem = (
                f"is kept only in `{leak.container.name}` (line {leak.line}), which replaces the entry "
                f"`{caller.short}` looked up at line {seen.line} and hands out only when the check at line "
                f"{again.guard_line} passes: an entry that exists but fails that check is dropped without "
                "being closed"
            )
            related.append(Related(Location(caller.file.path, seen.line, seen.col), "the entry looked up here"))
        else:
            problem = (
                f"is kept only in `{leak.container.name}` (line {leak.line}), and `{caller.short}` calls "
                f"`{render(again.call.fn)}` at {caller.file.path}:{again.call.line} for a key {how} at line "
                f"{seen.line}: the store replaces the live entry without closing it"
            )
            related.append(Related(Location(caller.file.path, seen.line, seen.col), "the entry already held here"))
            related.append(
                Related(Location(caller.file.path, again.call.line, again.call.col), "stored again from here")
            )
    elif leak.how == "replaced" and leak.container is not None and leak.again is not None:
        again = leak.again
        caller = again.caller
        stub = leak.container.shape == "stub"
        kept = f"inside the client stub in `{leak.container.name}`" if stub else f"in `{leak.container.name}`"
        if again.own_guard:
            when = (
                f"`{fn.short}` stores the new one under the condition at {fn.file.path}:{again.guard_line}, "
                f"which also holds while `{leak.container.name}` is set"
            )
        elif again.constructed_by is not None:
            maker, maker_call = again.constructed_by
            when = (
                f"`{maker.short}` fills it when it builds the value ({maker.file.path}:{maker_call.line}), and "
                f"`{caller.short}` calls `{render(again.call.fn)}()` again on that value "
                f"({caller.file.path}:{again.call.line}) without closing the one it holds"
            )
        elif again.closed_first_by is not None:
            sibling, close = again.closed_first_by
            when = (
                f"`{sibling.short}` closes `{render(selector_base(close.fn))}` before it stores a new one "
                f"({sibling.file.path}:{close.line}), but `{fn.short}` does not"
            )
        elif again.timed_out is not None:
            select_line, used = again.timed_out
            when = (
                f"`{caller.short}` calls `{render(again.call.fn)}()` when the `select` at "
                f"{caller.file.path}:{select_line} times out waiting on `{used}`, while the field still holds "
                "that live one"
            )
        elif again.after_failure:
            failed = f"a call on `{leak.container.name}`"
            if again.failed_through:
                failed = f"`{again.failed_through}`, which uses `{leak.container.name}`,"
            fails = "failed in the round before" if again.failed_last_round else "fails"
            when = (
                f"`{caller.short}` calls it when {failed} {fails} "
                f"({caller.file.path}:{again.guard_line}), while the field still holds that one"
            )
        elif again.guard_line:
            when = (
                f"`{caller.short}` calls it under the condition at {caller.file.path}:{again.guard_line}, "
                f"which also holds while `{leak.container.name}` is set"
            )
        else:
            calls = f"calls it at line {again.call.line}"
            if selected_name(again.call.fn) != fn.facts.name:
                calls = f"calls `{render(again.call.fn)}()` at line {again.call.line}, which runs it,"
            when = f"`{caller.short}` {calls} in the loop at {caller.file.path}:{again.loop_line}"
        problem = (
            f"is kept only {kept} (line {leak.line}), which `{fn.short}` overwrites "
            f"without closing the previous one each time it runs again: {when}"
        )
        again_note = "runs again from here"
        if again.closed_first_by is not None:
            problem = (
                f"is kept only {kept} (line {leak.line}), which `{fn.short}` overwrites without closing the "
                f"one the field still holds: {when}"
            )
            again_note = "the field closed before it is replaced"
        if again.own_guard:
            problem = (
                f"is kept only {kept} (line {leak.line}), which `{fn.short}` overwrites without closing the "
                f"one the field still holds: {when}"
            )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "stored here, dropping the previous one"))
        if again.own_guard:
            related.append(
                Related(Location(path, again.guard_line, 1), "the condition that also holds while it is set")
            )
        else:
            related.append(Related(Location(caller.file.path, again.call.line, again.call.col), again_note))
    elif leak.how == "owner-never-closes" and leak.container is not None and leak.owner_closer:
        owner = f"`{leak.owner_type}`"
        field = leak.container.name.rpartition(".")[2]
        where = f"is returned inside a `{leak.owner_type}` as its field `{field}` (line {leak.line})"
        if leak.owner_local:
            where = (
                f"is put into a `{leak.owner_type}` as its field `{field}` (`{leak.owner_local}`, line {leak.line}), "
                f"which `{fn.short}` returns"
            )
        problem = (
            f"{where}, "
            f"and `{leak.owner_type}.{leak.owner_closer}` closes the value's other fields but not this one, "
            f"nor does any other code close it or hand it on: it stays open after the {owner} value is torn down"
        )
        note = "put in a field its teardown forgets" if leak.owner_local else "returned in a field its teardown forgets"
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), note))
    elif leak.how == "owner-never-closes" and leak.container is not None:
        owner = f"`{fn.facts.recv}`"
        kept = (
            f"inside the client stub in `{leak.container.name}`"
            if leak.container.shape == "stub"
            else f"in `{leak.container.name}`"
        )
        problem = (
            f"is kept only {kept} (line {leak.line}), and no method of {owner} closes it "
            f"nor does any other code reach that field: it stays open for as long as the {owner} value lives"
        )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "stored here, never closed"))
    elif leak.how == "failure-left-open" and leak.container is not None:
        closer = _failure_closer(leak)
        lines = [str(o.line) for o in leak.closed_on_failure]
        at = f"lines {', '.join(lines[:-1])} and {lines[-1]}"
        when = f" (when {detail})" if detail else ""
        problem = (
            f"is kept in `{leak.container.name}` (line {leak.stored_at}) and is left open by the failure return "
            f"at line {leak.line}{when}: the function's other failure returns after storing it close it first "
            f"({f'`{closer}` at ' if closer else 'at '}{at})"
        )
        related.append(Related(Location(path, leak.stored_at, 1), f"stored in `{leak.container.name}` here"))
        for o in leak.closed_on_failure:
            related.append(Related(Location(path, o.line, o.col), "closed here before another failure return"))
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "returns the failure with it open"))
    elif leak.how == "cut" and leak.container is not None:
        held = leak.container.name
        problem = (
            f"is kept in the local {leak.container.shape} `{held}`, which line {leak.line} re-slices to a part "
            f"of itself before any element is closed: the elements cut off stay open, out of reach"
        )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "cuts the collection, drops the rest"))
    elif leak.how == "closed-one" and leak.container is not None:
        held = leak.container.name
        problem = (
            f"is kept in the local {leak.container.shape} `{held}`, of which the function closes only the one "
            f"element it picks at line {leak.stored_at} (closed at line {leak.line}): every other one is dropped "
            "without being closed"
        )
        related.append(Related(Location(path, leak.stored_at, 1), f"picks one element of `{held}`"))
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "closes only that one"))
    elif leak.how == "picked-one" and leak.container is not None:
        held = leak.container.name
        problem = (
            f"is kept in the local {leak.container.shape} `{held}`, and the return at line {leak.line} hands the "
            f"caller one of its elements, taken in a range over `{held}`: every other one is dropped without "
            "being closed"
        )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "returns one element, drops the rest"))
    elif container:
        where = {
            "return": f"on return (line {leak.line})",
            "continue": f"by the `continue` at line {leak.line}",
            "break": f"by the `break` at line {leak.line}",
        }.get(leak.how, "when the function ends")
        problem = f"is stored only in local {container}, which is dropped {where}"
        if detail:
            problem += f" when {detail}"
        if many:
            problem += " with none of them closed"
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "dropped here"))
    elif leak.how == "return" and leak.with_error:
        when = f" (when {detail})" if detail else ""
        problem = (
            f"is returned at line {leak.line} together with the non-nil `{leak.with_error}`{when}: "
            f"by Go convention a caller drops what comes back beside an error, so nothing closes it"
        )
        related.append(Related(Location(path, leak.line, max(leak.col, 1)), "returns it with an error"))
    elif leak.how == "return" and leak.refused_at is not None:
        rfn, rop = leak.refused_at
        taker = render(leak.refused_by)
        where = f"line {rop.line}" if rfn.file.path == path else f"{rfn.file.path}:{rop.line}"
        inner = "" if render(leak.refused_by).endswith(rfn.short.split(".")[-1]) else f" (in `{rfn.short}`)"
        problem = (
            f"is not closed when `{taker}` fails: line {leak.line} returns that failure as its own, "
            f"and `{taker}` fails at {where}{inner} before it takes the {words.noun} over"
        )
        back = Location(path, leak.line, max(leak.col, 1))
        related.append(Related(back, "returns the callee's failure with it open"))
        related.append(Related(Location(rfn.file.path, rop.line, max(rop.col, 1)), "fails here without closing it"))
    elif leak.how == "end" and leak.refused_by is not None:
        problem = f"is not closed when `{render(leak.refused_by)}` fails (the function then ends at line {leak.line})"
    elif leak.how == "end" and detail:
        problem = f"is not closed when {detail} (the function then ends at line {leak.line})"
    elif leak.how == "end":
        problem = words.ends
    elif leak.how in ("continue", "break"):
        if detail:
            problem = f"is not closed when {detail} ({leak.how} at line {leak.line})"
        else:
            problem = f"is not closed before the `{leak.how}` at line {leak.line}"
        gone = "goes to the next iteration" if leak.how == "continue" else "leaves the loop"
        related.append(Related(Location(path, leak.line, leak.col), f"{gone} without closing it"))
    elif detail and leak.handled_after is False:
        # Nothing after the acquisition closes it: naming one branch would suggest
        # a fix on that branch only (dendrite's lookups leak on success too).
        problem = f"is never closed (first dropped when {detail}, return at line {leak.line}; no path closes it)"
        related.append(returns)
    elif detail:
        problem = f"is not closed when {detail} (return at line {leak.line}){_also_open(leak)}"
        related.append(returns)
    elif leak.released_after:
        problem = f"is not closed on the path that returns at line {leak.line}{_also_open(leak)}"
        related.append(returns)
    elif words.open_on_return:
        problem = words.open_on_return.format(line=leak.line)
    else:
        problem = f"is never closed (the function returns at line {leak.line})"
        related.append(returns)
    if filled is not None and many and leak.how == "return" and detail:
        problem += f": `{callee}` can fail after storing some"
    if leak.refused_at is not None:
        pass  # the problem above names the callee and its failing return
    elif leak.refused_by is not None and leak.refused_loaded:
        problem += f": `{render(leak.refused_by)}` keeps it only when no value was stored under the key yet"
    elif leak.refused_by is not None:
        # The resource was handed on, but on this path the callee failed: by Go
        # convention a function that returns an error has not taken it over.
        problem += f": `{render(leak.refused_by)}` takes it over only when it succeeds"
    note = ""
    impl = origin.impl
    if impl is not None:
        iop = origin.impl_op
        line = iop.line if iop is not None else impl.facts.line
        base_short = origin.base.rsplit("/", 1)[-1]
        value = origin.via.startswith(("stored in field", "returned by"))
        via = f" (through {'the function value ' if value else ''}{origin.via})" if origin.via else ""
        fresh = f"returns {f'a {many} of new ones' if many else 'a new one'} on every call"
        made = f"returns a new {words.noun} on every call"
        if filled is not None and many:
            fresh = f"stores new ones in the {many} it is given on every call"
            made = f"stores a new {words.noun} in the {many} it is given on every call"
        elif filled is not None:
            fresh = f"stores a new one in its receiver's field `{filled.field}` on every call"
            made = f"stores a new {words.noun} in its receiver on every call"
        elif many and origin.suffix:
            fresh = f"returns a {many} of new ones on every call, each in the field `{origin.suffix[0]}` of an element"
        elif origin.suffix == STUB:
            fresh = "keeps a new one on every call inside the generated client stub it returns, which has no `Close`"
        elif origin.suffix and origin.closer.startswith(f"{origin.suffix[0]}."):
            fresh = (
                f"wraps a new one on every call in the struct it returns (field `{origin.suffix[0]}`, "
                f"which the struct has no method to close)"
            )
        elif origin.suffix:
            fresh = (
                f"wraps a new one on every call in the struct it returns "
                f"(field `{origin.suffix[0]}`, closed by the struct's `{origin.closer.removesuffix('(…)')}`)"
            )
        if origin.checked_out:
            wrapped = f" in the struct it returns (field `{origin.suffix[0]}`)" if origin.suffix else ""
            fresh = f"hands out on every call an idle one taken from its pool, or a new one{wrapped}"
            made = f"returns a new {words.noun} when its pool has no idle one"
        if origin.mode is not None:
            cond, setter, set_op = origin.mode
            fresh += f" when `{cond}` ({setter.file.path}:{set_op.line} builds it in that mode)"
            related.append(Related(Location(setter.file.path, set_op.line, set_op.col), f"sets `{cond}`"))
        if iop is not None and iop.kind == "call" and selected_name(iop.fn) != base_short.rsplit(".", 1)[-1]:
            base_short = render(iop.fn)  # a wrapper of the tree over the constructor (`grpclite.Dial`)
        evidence = f"`{base_short}` at {impl.file.path}:{line}"
        if helper_close is not None:
            evidence += f", which it closes itself at line {helper_close.line} when a later step fails"
        note = f"; `{callee}` resolves{via} to `{impl.short}`, which {fresh} ({evidence})"
        related.append(
            Related(
                Location(impl.file.path, line, iop.col if iop is not None else 1),
                f"`{impl.short}` {made}",
            )
        )
    if closed is not None and closed.close is not None:
        note += (
            f"; `{fn.short}` closes `{closed.holder}` itself at line {closed.close.line}, "
            "so it holds something that must be closed on every path"
        )
        related.append(Related(Location(path, closed.close.line, closed.close.col), "closed here on another path"))
    fix = words.fix.replace("{holder}", words.holder)
    if impl is not None and helper_close is not None and selected_name(helper_close.fn) != "Close":
        # Known by the helper's `conn.CloseWithError(1, "")`: the type may have no plain `Close`.
        closing = selected_name(helper_close.fn)
        fix = f"close it on every path the way `{impl.short}` does (`{closing}(…)`) or hand it to an owner"
    plain_fix = words.fix.replace("{holder}", words.holder)
    if origin.checked_out and fix == plain_fix:
        fix = plain_fix = f"give `{words.holder}` back to the pool or close it on every path"
    # the call that closes it, as a fix writes it (`conn.Close()`; a QUIC connection's own closer)
    release = words.release.replace("{holder}", words.holder) if words.release else ""
    if release and named is not None:
        release = release.replace("Close()", named.close)
    if leak.how == "return" and leak.handed_back and release and fix == plain_fix:
        # A constructor: a deferred close would close what it returns on success as well.
        these = "each of these returns" if leak.other_returns else "this return"
        fix = (
            f"close it before {these} (`{release}`); a plain `defer {release}` would also close the one "
            f"`{fn.short}` returns to its caller"
        )
    if (
        leak.how == "return"
        and (leak.refused_by is not None or leak.refused_at is not None)
        and release
        and fix == plain_fix
    ):
        # `nc, err := p.secure(raw)`: when the callee succeeds it keeps the value (wrapped in what it
        # returns), so a deferred close would close it under the callee too.
        taker = render(leak.refused_by) if leak.refused_by is not None else "the callee"
        fix = (
            f"close it before this return (`{release}`); when `{taker}` succeeds it keeps the "
            f"{words.noun}, which a `defer {release}` would close under it"
        )
    if leak.how in ("continue", "break") and leak.container is None and release and fix == plain_fix:
        # In a loop a `defer` runs only when the function returns: the round must close what it opened.
        fix = (
            f"close it before the `{leak.how}` (`{release}`); a `defer` in the loop would run only when "
            "the function returns"
        )
    if leak.how == "deferred-in-loop" and release:
        fix = (
            f"close it at the end of each round (`{release}`), or hand it to a goroutine that defers its close; "
            "a `defer` in the loop runs only when the function returns"
        )
    elif leak.how == "deferred-in-loop":
        fix = (
            "close it at the end of each round instead of deferring the close, or move the round's work into "
            "a function of its own whose `defer` runs when the round ends"
        )
    local = leak.container if leak.container is not None and leak.container.shape in ("map", "slice") else None
    if local is not None and not many and leak.how not in ("replaced", "unwrapped", "failure-left-open"):
        # `conns[pod] = cc` in a local map dropped on return: closing `cc` right away would close what
        # the map is for; what it holds is to be closed before it goes, or not dialled per call at all.
        when = "before that return" if leak.how == "later-iteration" else "before it is dropped"
        held = local.name
        part = "".join(f".{f}" for f in local.part)  # `c.Body` of each response kept whole
        fix = f"close what `{held}` holds {when} (`for _, c := range {held} {{ c{part}.Close() }}`)"
        if origin.kind.name == "grpc-conn" and leak.how != "later-iteration":
            fix += ", or keep one connection per target and share it (a gRPC connection is meant to be reused)"
    if leak.how == "return" and leak.out_of_reach is not None:
        tname = _out_of_reach_type(leak)
        fix = (
            f"keep it in a field `{tname}` can close (declared as the connection's own type) and give "
            f"`{tname}` a `Close` that closes it, for its callers to call"
        )
    if leak.how == "cut" and leak.container is not None:
        held = leak.container.name
        fix = (
            f"close the elements you drop before cutting `{held}` (range over the part cut off and close "
            f"each), or keep the whole `{held}` until it is closed"
        )
    if leak.how == "closed-one" and leak.container is not None:
        fix = (
            f"close every element of `{leak.container.name}` when done (`for _, c := range "
            f"{leak.container.name} {{ c.Close() }}`), or obtain only the one connection used"
        )
    if leak.how == "picked-one" and leak.container is not None:
        # the element's field the code closes: the carrier's field (`e.conn`), down to a body (`e.resp.Body`)
        element_path: tuple = origin.suffix or ()
        body_path: tuple = origin.kind.suffix
        tail = element_path[len(element_path) - len(body_path) :]
        kept_path = element_path if body_path and tail == body_path else element_path[:1]
        member = ".".join(("e", *kept_path)) if element_path else "c"
        fix = (
            f"close every other element of `{leak.container.name}` before returning the one kept "
            f"(`for _, {member.partition('.')[0]} := range {leak.container.name} "
            f"{{ if {member} != kept {{ {member}.Close() }} }}`)"
        )
    elif many and leak.container is not None and leak.how != "cut":
        fix = (
            f"close each of them when done (`for _, c := range {leak.container.name} {{ c.Close() }}`), "
            "or keep one per target and share it"
        )
    if leak.how == "replaced" and leak.container is not None and leak.container.shape == "entry":
        old = ".".join(("old", *leak.container.part))
        fix = (
            f"close the entry it replaces before storing the new one (`if old, ok := {leak.container.name}; ok "
            f"{{ {old}.Close() }}`)"
        )
    elif leak.how == "replaced" and leak.container is not None:
        fix = f"close the previous one before storing the next (`if {leak.container.name} != nil {{ ... Close() }}`)"
        if leak.container.shape == "stub":
            fix = "keep the connection itself in a field and close the previous one before dialling again"
    if impl is not None and origin.suffix == STUB:
        fix = (
            f"let `{impl.short}` return the connection with the stub (or keep one connection and share it), "
            "and close it on every path"
        )
    if filled is not None and many:
        each = f"c.{filled.closer or 'Close'}()"  # the elements' own closer (`c.Disconnect()`)
        fix = (
            f"close each of them on every path (`for _, c := range {filled.holder} {{ {each} }}`, deferred "
            f"before the call), or hand `{filled.holder}` to an owner"
        )
    elif filled is not None:
        fix = (
            f"call `{filled.holder}.{filled.closer}()` on every path "
            f"(`defer {filled.holder}.{filled.closer}()` after the error check), or hand `{filled.holder}` to an owner"
        )
    if leak.how == "unwrapped" and leak.container is not None:
        fix = (
            f"keep the original and close it too (`orig := {leak.container.name}` before wrapping, "
            "then `defer orig.Close()`), or replace it with a reader whose `Close` closes both"
        )
    if owned is not None and owned.pooled is not None:
        fix = f"close `{owned.holder}` on the path that does not keep it (`{owned.holder}.Close()` before returning)"
    elif owned is not None:
        fix = (
            f"`defer {owned.holder}.Close()` at the top of "
            f"{'the goroutine' if owned.captured else f'`{fn.short}`'}, or close it on every path"
        )
    if leak.how == "failure-left-open" and leak.container is not None:
        closer = _failure_closer(leak) or f"{leak.container.name}.Close()"
        fix = f"close it on this return too (`{closer}` before returning), as the other failure returns do"
    if leak.how == "abandoned-send" and leak.abandoned_by is not None:
        fix = (
            f"send with `select {{ case {leak.channel} <- v: case <-ctx.Done(): /* close it */ }}` on the receiver's "
            f"context, or have the receiver drain `{leak.channel}` and close what it carries on that path"
        )
    if leak.how == "entry-never-closed" and leak.kept_entry is not None and origin.owned is not None:
        deleter = leak.kept_entry.deleter
        fix = (
            f"close the connection where `{deleter.short}` deletes its entry, or `defer "
            f"{origin.owned.holder}.Close()` at the top of `{origin.owned.owner.short}`"
        )
    if leak.how == "owner-never-closes" and leak.container is not None and leak.owner_closer:
        field = leak.container.name.rpartition(".")[2]
        fix = f"close the `{field}` field in `{leak.owner_type}.{leak.owner_closer}` too"
    elif leak.how == "owner-never-closes" and leak.container is not None:
        # A stub has no `Close`: the connection it was built from must be kept beside it to be closed.
        closing = (
            f"keep the connection beside the stub in a field of `{fn.facts.recv}`, close it"
            if leak.container.shape == "stub"
            else f"close `{leak.container.name}`"
        )
        fix = (
            f"{closing} in a method of `{fn.facts.recv}` (its `Close`), and call it when the value is no longer needed"
        )
    message = f"{what} {problem}{note}. Fix: {fix}."
    for rel in related:
        steps.append(Step(rel.location, rel.message))
    key = f"{fn.qualname}|{callee}|{leak.how}"
    return Finding(
        rule_id=rule_id,
        message=message,
        location=loc,
        severity=severity,
        related=tuple(related),
        steps=tuple(steps),
        key=key,
    )


def _dropped_here(path: str, leak, what: str = "entry") -> Related:
    """The store of a replaced-value leak, as a related location."""
    return Related(Location(path, leak.line, max(leak.col, 1)), f"stored here, dropping the {what} it replaces")
