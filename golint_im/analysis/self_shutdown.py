"""An HTTP handler that shuts its server down and waits for the shutdown to finish.

    func (a *app) quit(w http.ResponseWriter, r *http.Request) {
        a.srv.Shutdown(context.Background())   // waits for every active request: this one too
    }

`(*http.Server).Shutdown` returns once every connection is idle, and the
connection serving this request stays active until the handler returns: the
handler waits for itself. With a context that has a deadline, Shutdown gives
up when it passes and returns an error; with `context.Background()` (or any
context nothing can cancel, see never_cancelled.py) it never returns.

Judged on functions with an `http.ResponseWriter` and an `*http.Request`
parameter (see recovery.Recovery.is_http_handler) and on the functions they
call on their own goroutine (plain calls, a few levels deep), for a plain or
deferred call of `net/http.Server.Shutdown` whose context argument nothing
can cancel. A Shutdown started with `go` does not wait for the handler.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..facts import Op
from ..program import Function, Program
from .never_cancelled import never_cancelled
from .recovery import Recovery

_DEPTH = 3  # calls followed from the handler


@dataclass
class SelfShutdown:
    """handler reaches `srv.Shutdown(ctx)` (op in fn) through `path`, ctx never cancelled."""

    handler: Function
    fn: Function
    op: Op
    path: tuple  # (function, call op) from the handler to fn


def self_shutdowns(program: Program, debug: Counter) -> list[SelfShutdown]:
    recovery = Recovery(program)
    out = []
    for handler in program.functions:
        if not recovery.is_http_handler(handler):
            continue
        found = _shutdown_in(program, handler, (), {handler.id}, 0)
        if found is not None:
            debug["GIM102_handlers_shutting_down_their_server"] += 1
            fn, op, path = found
            out.append(SelfShutdown(handler, fn, op, path))
    return out


def _shutdown_in(program: Program, fn: Function, path: tuple, seen: set, depth: int):
    for op in fn.facts.ops:
        if op.kind != "call" or op.mode == "go":
            continue
        ext = program.external_callee(fn, op.fn)
        if ext is not None:
            if (ext.pkg, ext.recv, ext.name) == ("net/http", "Server", "Shutdown") and op.args:
                if never_cancelled(program, fn, op.args[0], waiter=fn) is not None:
                    return fn, op, path
            continue
        if depth >= _DEPTH or op.mode != "plain":
            continue
        for t in program.resolve_call(fn, op):
            g = t.function
            if g.id in seen:
                continue
            seen.add(g.id)
            found = _shutdown_in(program, g, (*path, (fn, op)), seen, depth + 1)
            if found is not None:
                return found
    return None
