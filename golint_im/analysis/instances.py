"""One channel instance: a local `ch := make(chan T, n)` followed into the functions it is passed to.

The channel-flow graph names a channel by its holder and merges holders that
a call connects, so a worker `func worker(out chan R)` that two functions
start with their own channels makes those two channels one (made twice,
received in two places). GIM102 then has to give up on both. Here the
identity is the instance instead: the channel one make statement creates,
its variable used only in the making function, its literals, and the
functions it is passed to (through their parameter, a few calls deep), each
call site binding the parameter to this channel and no other. If the
variable is ever stored, sent, returned, reassigned or handed to code the
model cannot see, the instance is not judged (`confined` says no).
"""

from __future__ import annotations

from collections import Counter

from .. import expr as E
from ..program import Function, Program
from .flow import Channel, ChannelFlow, _is_chan

_HARMLESS_BUILTINS = ("len", "cap", "close")
MAX_PARAM_DEPTH = 3  # calls followed through a channel parameter before giving up


def uses(e, name: str) -> bool:
    """e mentions the variable `name` other than by receiving from it or ranging over it."""
    if e is None or not E.is_expr(e):
        return False
    ident = E.make_ident(name)
    seen = received = 0
    for x in E.subexprs_outside_calls(e):
        if x == ident:
            seen += 1
        elif E.received(x) == ident or E.ranged(x) == ident:
            received += 1
    return seen > received


class Confinement:
    """Answers `confined` questions, reading each function's ops once: an index of the ops that
    name each identifier, so judging many channels of one function does not re-read all its ops."""

    def __init__(self, program: Program):
        self.program = program
        self._naming: dict[int, dict[str, list]] = {}

    def _ops_naming(self, f: Function, name: str) -> list:
        index = self._naming.get(f.id)
        if index is None:
            index = self._naming[f.id] = {}
            for op in f.facts.ops:
                names: set = set()
                for e in (op.fn, *op.args):
                    if e is not None and E.is_expr(e):
                        E.idents_in(e, names)
                for n in names:
                    index.setdefault(n, []).append(op)
        return index.get(name, [])

    def confined(self, fn: Function, name: str, depth: int = 0, found: list | None = None) -> bool:
        """The channel `name` is only sent on, received from, closed or measured in fn and
        its literals, or passed to analysed functions that do the same; never stored,
        returned or handed to unknown code. `found` collects (function, op) of every
        send, receive and close of it on the way, in those functions and their literals."""
        if depth > MAX_PARAM_DEPTH:
            return False
        for f in [fn, *fn.nested_literals()]:
            for op in self._ops_naming(f, name):
                if op.kind in ("recv", "send") and E.is_ident(op.fn, name):
                    if found is not None:
                        found.append((f, op))
                    exprs = op.args
                else:
                    exprs = (op.fn, *op.args)
                if not any(uses(e, name) for e in exprs):
                    continue
                if op.kind == "assign" and len(op.targets) == 1 and E.is_ident(op.targets[0], name):
                    if len(op.args) == 1 and E.is_make_call(op.args[0]):
                        continue
                if op.kind == "return" and f is not fn and self._returned_to_its_name(fn, f, op, name):
                    continue
                if op.kind != "call" or uses(op.fn, name):
                    return False
                if E.ident(op.fn) in _HARMLESS_BUILTINS:
                    if found is not None and E.is_ident(op.fn, "close"):
                        found.append((f, op))
                    continue
                if not self._passed_confined(f, op, name, depth, found):
                    return False
        return True

    def _returned_to_its_name(self, fn: Function, lit: Function, ret, name: str) -> bool:
        """`return done, func() {...}` in a literal of fn that fn calls once, as `done, stop :=
        stopFunc(...)`: the channel comes back into fn's variable of the same name, which the
        rest of this walk follows (the channel flow joins the two, see `_alias_returned`)."""
        callers = self.program.callers(lit)
        if len(callers) != 1:
            return False
        caller, call = callers[0]
        if caller is not fn and caller.outermost() is not fn.outermost():
            return False
        positions = [i for i, a in enumerate(ret.args) if uses(a, name)]
        if any(not E.is_ident(ret.args[i], name) for i in positions):
            return False
        for op in caller.facts.ops:
            called = E.call(op.args[0]) if op.kind == "assign" and len(op.args) == 1 else None
            if called is None or not 0 <= called[2] < len(caller.facts.ops) or caller.facts.ops[called[2]] is not call:
                continue
            return len(op.targets) == len(ret.args) and all(E.is_ident(op.targets[i], name) for i in positions)
        return False

    def _passed_confined(self, f: Function, op, name: str, depth: int, found: list | None) -> bool:
        """The call op passes `name` only as a whole argument to analysed functions that keep it confined."""
        targets = self.program.resolve_call(f, op)
        for t in targets:
            params = t.function.facts.params
            for i, a in enumerate(op.args):
                if not uses(a, name):
                    continue
                if not E.is_ident(a, name) or i >= len(params) or not params[i][0]:
                    return False
                if not self.confined(t.function, params[i][0], depth + 1, found):
                    return False
        return bool(targets)


def local_instances(
    program: Program,
    flow: ChannelFlow,
    confinement: Confinement,
    skip: set,
    debug: Counter,
    starters: set[int] | None = None,
    unsized: list[tuple[Channel, Function, str]] | None = None,
) -> list[tuple[Channel, Function, str]]:
    """(instance channel, maker, variable) for each local channel variable made exactly once,
    by `name := make(chan T, n)` with a constant n in the function declaring it, whose holder key
    is not in `skip` (channels the holder view already reported). The instance's sends, receives
    and closes are those its confinement walk meets; an escaping variable gives no instance
    (counted in debug). `starters`: the ids of the functions that start goroutines, when the
    caller counts more than `go` statements (by default, see goroutine_starters). `unsized`: when
    given, a channel made with a capacity that is not a constant (`len(hosts)`) is an instance too,
    with capacity None, and goes there instead (for the judgments where the buffer plays no part)."""
    # Only names some function makes a channel into, in a function that starts goroutines (every
    # shape GIM102 judges has its partner in a goroutine the maker starts): the rest cost nothing.
    if starters is None:
        starters = goroutine_starters(program)
    made = {
        E.ident(t)
        for f in program.functions
        if f.id in starters
        for op in f.facts.ops
        if op.kind == "assign"
        for t, v in zip(op.targets, op.args, strict=False)
        if len(op.args) == len(op.targets) and E.is_make_call(v)
    }
    assigns: dict[tuple[int, str], list] = {}  # (declaring function id, name) -> [(function, op, value)]
    for f in program.functions:
        for op in f.facts.ops:
            if op.kind != "assign":
                continue
            for i, target in enumerate(op.targets):
                name = E.ident(target)
                if name is None or name not in made or name == "_":
                    continue
                value = op.args[i] if len(op.args) == len(op.targets) else None
                owner = program.declaring_function(f, name)
                if owner is not None:
                    assigns.setdefault((owner.id, name), []).append((f, op, value))
    out: list[tuple[Channel, Function, str]] = []
    for (owner_id, name), sites in sorted(assigns.items()):
        if len(sites) != 1:
            continue
        fn, op, value = sites[0]
        if fn.id != owner_id or fn.id not in starters or value is None or not E.is_make_call(value):
            continue
        if not _is_chan(program.underlying(program.locals(fn).get(name, ""))):
            continue
        if flow.key(fn, E.make_ident(name)) in skip:
            continue
        args = E.call_args(value)
        cap = program.const_int(fn, args[1]) if len(args) > 1 else 0
        target = out if cap is not None else unsized
        if target is None:
            continue
        found: list = []
        if not confinement.confined(fn, name, 0, found):
            debug["GIM102_instances_escaping"] += 1
            continue
        ch = Channel(f"instance:{fn.id}:{name}", name, cap, [(fn, op)])
        seen: set[tuple[int, int]] = set()
        for user, use in found:
            # A literal handed the channel for a parameter of the same name (`go func(ch chan T)
            # {...}(ch)`) is reached twice, as a closure and as a callee: count each use once.
            if (user.id, id(use)) in seen:
                continue
            seen.add((user.id, id(use)))
            if use.kind == "recv":
                ch.receives.append((user, use))
            elif use.kind == "send":
                ch.sends.append((user, use))
            else:
                ch.closes.append((user, use))
        target.append((ch, fn, name))
    return out


def goroutine_starters(program: Program) -> set[int]:
    """Ids of the functions that start a goroutine (a `go` statement, or a spawner such as an
    errgroup's `g.Go(f)`), themselves or in a literal inside them."""
    out: set[int] = set()
    for f in program.functions:
        for op in f.facts.ops:  # a plain loop: two layers ask this of every op of the program
            if op.kind == "call" and (op.mode == "go" or program.is_spawner_call(f, op)):
                g: Function | None = f
                while g is not None and g.id not in out:
                    out.add(g.id)
                    g = g.parent
                break
    return out


def is_instance(ch: Channel) -> bool:
    return ch.key.startswith("instance:")


def instance_bindings(
    flow: ChannelFlow, owner: Function, ch: Channel, go_fn: Function, go_op, target: Function
) -> dict:
    """Channel bindings for a goroutine `go_op` (in go_fn) starts in `target`: the maker's
    variable and the target's parameters that receive it are this instance."""
    name = ch.label
    local = f"local:{owner.id}:{name}"
    bound = {local: ch.key}
    params = target.facts.params
    for i, arg in enumerate(go_op.args):
        if i < len(params) and params[i][0] and flow.raw_key(go_fn, arg) == local:
            bound[f"param:{target.id}:{params[i][0]}"] = ch.key
    return bound
