"""Channel-flow graph: which goroutines send on and receive from which channels.

A channel is identified by where it is held (struct field, package var,
local, parameter); assignments, composite literals and call arguments
alias those holders (union-find), so `ws.ch` in two methods of *WsServer and
`h.ch` after `h := &Hub{ch: make(...)}` are one channel. Goroutine roots are
the functions run by `go` (literal or named), the functions a spawning
wrapper runs for its function parameter, and the functions nothing calls
(entry points); each function belongs to the roots that reach it by
ordinary calls.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .. import expr as E
from ..facts import Op
from ..passes import Context, Pass
from ..program import Function, Program, enclosing_regions


@dataclass
class Channel:
    key: str  # canonical holder, e.g. "field:example.com/ws#Server.joinCh"
    label: str  # short name for messages: "Server.joinCh"
    capacity: int | None = None  # None: unknown; 0: unbuffered
    make_sites: list = field(default_factory=list)  # (Function, Op)
    receives: list = field(default_factory=list)  # (Function, Op)
    sends: list = field(default_factory=list)  # (Function, Op)
    closes: list = field(default_factory=list)  # (Function, Op)
    elem: str = ""


# Reachability follows an interface call into every implementation that can be
# the dynamic type (same signature, a type the program makes: see
# Program.possible_implementations), up to this many; beyond that it gives up,
# and says so (the rule turns `wide` into one summarised notice).
MAX_INTERFACE_FANOUT = 16
# Any number of calls on a path may go through interfaces with at most this many
# implementations; one call per path may choose among more (up to the bound above).
# Two such guesses in a row compound: a wrapper's inner stream resolved back to
# the stream type that wraps it is another instance, not this one.
NARROW_INTERFACE_FANOUT = 4


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.parent.get(x, x)
        if p == x:
            return x
        root = self.find(p)
        self.parent[x] = root
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # Prefer a field or package var as the representative: it names the channel best.
            if _rank(rb) < _rank(ra):
                ra, rb = rb, ra
            self.parent[rb] = ra


def _rank(key: str) -> int:
    return {"field": 0, "var": 1, "local": 2, "param": 3}.get(key.split(":", 1)[0], 4)


class ChannelFlow:
    def __init__(self, program: Program):
        self.program = program
        self.uf = _UnionFind()
        self.channels: dict[str, Channel] = {}
        self._labels: dict[str, str] = {}
        self._entries_cache: dict[int, frozenset] = {}
        self._pending_makes: list = []  # (raw key, Function, make expr)
        # raw key of a local channel a one-call factory literal makes and returns -> (its caller,
        # the call): the channel is made for that run of the caller (see `_alias_returned`)
        self._made_for_caller: dict[str, tuple[Function, Op]] = {}
        self._element_keys: set[str] = set()  # slice fields of channels something is appended to
        self.unresolved_on_paths = 0  # calls reachable_sends could not follow (--debug)
        # ... of which interface calls with more implementations than it follows: which one runs is a guess
        self.wide_interface_calls = 0
        # ... and interface calls with more than NARROW_INTERFACE_FANOUT implementations met
        # on a path that already went through one
        self.second_guesses = 0
        # sends on a local channel reached through a new call of the function that makes it: another instance
        self.fresh_instance_sends = 0
        self._param_keys: dict[tuple[int, str], str | None] = {}
        self._getters: dict[int, str | None] = {}  # function id -> the field every return hands back
        self._alias()
        self._collect_ops()

    # ---- identity ----------------------------------------------------------
    def raw_key(self, fn: Function, expr) -> str | None:
        """Holder of a channel expression before aliasing, or None if unknown."""
        p = self.program
        sel = E.selector(expr)
        if sel is not None:
            base, fname = sel
            path = p.imported_path(fn, base)
            if path is not None:
                self._labels.setdefault(f"var:{path}.{fname}", fname)
                return f"var:{path}.{fname}"
            bt = p.type_of(fn, base)
            named = p.named(bt) if bt else None
            if not named:
                return None
            ft = p.field_type(named, fname)
            if ft is None or not _is_chan(p.underlying(ft[0])):
                return None
            key = f"field:{ft[1]}.{fname}"
            self._labels.setdefault(key, f"{ft[1].split('#')[1]}.{fname}")
            return key
        name = E.ident(expr)
        if name is not None:
            owner: Function | None = fn
            while owner is not None and name not in p.locals(owner):
                owner = owner.parent
            if owner is not None and owner.parent is None and owner.facts.name == "<init>" and name in fn.pkg.vars:
                owner = None  # `var q = make(chan T, n)`: the package initialiser declares package variables
            if owner is not None and name in fn.pkg.vars and name not in p.declared(owner):
                owner = None  # `serverDone = make(chan int)`: a package variable given a value here
            if owner is not None:
                if not _is_chan(p.underlying(p.locals(owner)[name])):
                    return None
                kind = "param" if any(pn == name for pn, _ in owner.facts.params) else "local"
                key = f"{kind}:{owner.id}:{name}"
                self._labels.setdefault(key, name)
                return key
            if name in fn.pkg.vars:
                key = f"var:{fn.pkg.path}.{name}"
                self._labels.setdefault(key, name)
                return key
            return None
        pointed = E.unary_operand(expr, "*", "&")
        if pointed is not None:
            return self.raw_key(fn, pointed)
        if expr is not None and expr[0] == "call" and not expr[2]:
            return self._getter_key(fn, expr)
        ix = E.index(expr)
        if ix is not None:
            return self._element_key(fn, ix[0])
        return None

    def _element_key(self, fn: Function, held) -> str | None:
        """The channels kept as elements of a slice field (`b.parked[0]` of `parked []chan
        struct{}`): one holder for all of them, as a field is one holder for every value of its
        type. A waiter queue's channels are made one per waiter and closed by whoever serves the
        queue; which element is which is not followed. (Channels in map fields, reply channels
        registered by key, are followed by their own judgments, by the local that holds them.)"""
        sel = E.selector(held)
        if sel is None:
            return None
        p = self.program
        bt = p.type_of(fn, sel[0])
        named = p.named(bt) if bt else None
        ft = p.field_type(named, sel[1]) if named else None
        if ft is None:
            return None
        container = p.underlying(ft[0])
        if not container.startswith("[]") or not _is_chan(p.underlying(p.elem(container))):
            return None
        key = f"field:{ft[1]}.{sel[1]}[]"
        self._labels.setdefault(key, f"{ft[1].split('#')[1]}.{sel[1]}[...]")
        return key

    def _getter_key(self, fn: Function, expr) -> str | None:
        """`w.Start()` in `for ev := range w.Start()`: the call resolves to one function of the tree,
        without arguments, whose every `return` hands back the same field (`return w.events`):
        the channel is that field's."""
        n = E.call_number(expr)
        ops = fn.facts.ops
        if n is None or not 0 <= n < len(ops):
            return None
        targets = self.program.resolve_call(fn, ops[n])
        if len(targets) != 1:
            return None
        getter = targets[0].function
        if getter.id in self._getters:
            return self._getters[getter.id]
        self._getters[getter.id] = None  # recursion guard
        found = None
        for op in getter.facts.ops:
            if op.kind != "return":
                continue
            key = self.raw_key(getter, op.args[0]) if len(op.args) == 1 else None
            if key is None or not key.startswith("field:") or (found is not None and key != found):
                found = None
                break
            found = key
        self._getters[getter.id] = found
        return found

    def getter_of(self, fn: Function) -> str | None:
        """The field key a getter hands back, if it was read as one (see `_getter_key`)."""
        return self._getters.get(fn.id)

    def key(self, fn: Function, expr) -> str | None:
        raw = self.raw_key(fn, expr)
        return self.uf.find(raw) if raw else None

    def label(self, key: str) -> str:
        return self._labels.get(key, key.split(":")[-1])

    def _alias(self):
        p = self.program
        returns: list[tuple[Function, Op]] = []  # `x := f()`: judged once every append is joined
        for fn in p.functions:
            for op in fn.facts.ops:
                if op.kind == "assign":
                    for i, target in enumerate(op.targets):
                        if i < len(op.args) and len(op.targets) == len(op.args):
                            self._alias_pair(fn, target, op.args[i])
                            self._alias_appended(fn, target, op.args[i])
                    if len(op.args) == 1 and E.call(op.args[0]) is not None:
                        self._alias_returned(fn, op)
                        if len(op.targets) == 1 and E.ident(op.targets[0]) is not None:
                            returns.append((fn, op))
                if op.kind in ("assign", "call", "return", "send"):
                    for arg in op.args:
                        if E.is_composite_or_address(arg):  # tested first: most arguments are not
                            self._alias_composite(fn, arg)
                if op.kind == "call":
                    targets = p.resolve_call(fn, op)
                    # each argument's holder is found once, not once per target (an interface call has many)
                    holders: dict[int, str | None] = {}
                    for t in targets:
                        params = t.function.facts.params
                        for i, arg in enumerate(op.args):
                            if i < len(params) and params[i][0]:
                                # the parameter first: most are not channels, and then the
                                # argument's holder is never needed
                                b = self._param_key(t.function, params[i][0])
                                if b:
                                    a = (
                                        holders[i]
                                        if i in holders
                                        else holders.setdefault(i, self._argument_key(fn, arg))
                                    )
                                    if a:
                                        self.uf.union(a, b)
        if self._element_keys:
            for fn, op in returns:
                self._alias_returned_element(fn, op)

    def _alias_returned(self, fn: Function, op) -> None:
        """`done, shutdown := stopFunc(exp)` where `stopFunc` is a function literal of the same
        function, called only here: the channels it returns are the caller's locals, one instance
        per run of the caller. A factory called from several places (or declared elsewhere) makes
        a channel per call, which holders cannot tell apart; those stay unaliased."""
        called = E.call(op.args[0])
        if called is None:
            return
        targets = self.program.resolve_expr_call(fn, called[0])
        if len(targets) != 1:
            return
        lit = targets[0].function
        if lit.parent is None or lit.outermost() is not fn.outermost() or len(self.program.callers(lit)) != 1:
            return
        for ret in lit.facts.ops:
            if ret.kind != "return" or len(ret.args) != len(op.targets):
                continue
            for target, value in zip(op.targets, ret.args, strict=True):
                if E.ident(value) is None:
                    continue
                a = self.raw_key(fn, target)
                b = self.raw_key(lit, value) if a is not None else None
                if a is not None and b is not None:
                    self.uf.union(a, b)
                    if b.startswith("local:") and 0 <= called[2] < len(fn.facts.ops):
                        self._made_for_caller[b] = (fn, fn.facts.ops[called[2]])

    def _argument_key(self, fn: Function, arg) -> str | None:
        """The holder of a channel passed as an argument; for a call's result passed straight on
        (`p.transform(p.extract(lines), out)`), the local channel that the called function, called
        nowhere else, makes and returns: one instance per run of this caller, as a literal's is."""
        key = self.raw_key(fn, arg)
        called = E.call(arg) if key is None else None
        if called is None:
            return key
        targets = self.program.resolve_expr_call(fn, called[0])
        if len(targets) != 1 or targets[0].via:
            return None
        maker = targets[0].function
        if len(self.program.callers(maker)) != 1:
            return None
        returned = {
            self.raw_key(maker, ret.args[0]) if len(ret.args) == 1 and E.ident(ret.args[0]) else None
            for ret in maker.facts.ops
            if ret.kind == "return"
        }
        key = returned.pop() if len(returned) == 1 else None
        return key if key is not None and key.startswith(f"local:{maker.id}:") else None

    def _alias_returned_element(self, fn: Function, op) -> None:
        """`grant := b.park()`, where park (called only here) makes a channel, appends it to a slice
        field of channels and returns it: the local is one of that field's elements. Returned
        channels kept nowhere else stay their maker's own (see `_alias_returned`)."""
        returned = self._argument_key(fn, op.args[0])
        if returned is None:
            return
        held = next((k for k in self._element_keys if self.uf.find(k) == self.uf.find(returned)), None)
        local = self.raw_key(fn, op.targets[0]) if held is not None else None
        if held is not None and local is not None:
            self.uf.union(local, held)

    def _alias_appended(self, fn: Function, target, value) -> None:
        """`b.parked = append(b.parked, ch)` into a slice field of channels: ch is one of its elements."""
        called = E.call(value)
        if called is None or not E.is_ident(called[0], "append") or len(called[1]) < 2:
            return
        if E.render(called[1][0]) != E.render(target) or self.program.lookup_local(fn, "append") is not None:
            return
        elements = self._element_key(fn, target)
        if elements is None:
            return
        for v in called[1][1:]:
            k = self.raw_key(fn, v)
            if k is not None:
                self.uf.union(k, elements)
                self._element_keys.add(elements)

    def _param_key(self, fn: Function, name: str) -> str | None:
        """raw_key of parameter `name` of fn, once per parameter: every call of fn asks it."""
        cache_key = (fn.id, name)
        if cache_key not in self._param_keys:
            self._param_keys[cache_key] = self.raw_key(fn, E.make_ident(name))
        return self._param_keys[cache_key]

    def _alias_pair(self, fn, target, value):
        if E.is_make_call(value):
            return  # a fresh channel: recorded as a make site, not an alias
        if E.selector(value) is None and E.ident(value) is None and E.unary_operand(value, "*", "&") is None:
            return  # raw_key knows no holder for anything else (a call's result, a literal)
        a = self.raw_key(fn, target)
        if a is None:
            return
        b = self.raw_key(fn, value)
        if b is not None:
            self.uf.union(a, b)

    def _alias_composite(self, fn, expr):
        comp = E.composite(E.strip_address(expr))
        if comp is None or not comp[0]:
            return
        ctype, elems = comp
        p = self.program
        named = p.named(p.qualify(ctype, fn.file))
        if not named:
            return
        for key, value in elems:
            fname = E.ident(key)
            if fname is None:
                continue
            ft = p.field_type(named, fname)
            if ft is None or not _is_chan(p.underlying(ft[0])):
                continue
            fkey = f"field:{ft[1]}.{fname}"
            self._labels.setdefault(fkey, f"{ft[1].split('#')[1]}.{fname}")
            if E.is_make_call(value):
                self._pending_makes.append((fkey, fn, value))
            else:
                other = self.raw_key(fn, value)
                if other:
                    self.uf.union(fkey, other)

    # ---- operations ----------------------------------------------------------
    def channel(self, key: str) -> Channel:
        ch = self.channels.get(key)
        if ch is None:
            ch = self.channels[key] = Channel(key, self.label(key))
        return ch

    def _collect_ops(self):
        p = self.program
        for fn in p.functions:
            for op in fn.facts.ops:
                if op.kind == "recv":
                    k = self.key(fn, op.fn)
                    if k:
                        self.channel(k).receives.append((fn, op))
                elif op.kind == "send":
                    k = self.key(fn, op.fn)
                    if k:
                        self.channel(k).sends.append((fn, op))
                elif op.kind == "call" and E.is_ident(op.fn, "close") and op.args:
                    k = self.key(fn, op.args[0])
                    if k:
                        self.channel(k).closes.append((fn, op))
                elif op.kind == "assign":
                    for i, value in enumerate(op.args):
                        if E.is_make_call(value) and i < len(op.targets):
                            raw = self.raw_key(fn, op.targets[i])
                            if raw:
                                self._pending_makes.append((raw, fn, value))
        for raw, fn, make_expr in self._pending_makes:
            ch = self.channel(self.uf.find(raw))
            _make, args, call_no = E.call(make_expr)
            cap = p.const_int(fn, args[1]) if len(args) > 1 else 0
            op = fn.facts.ops[call_no] if 0 <= call_no < len(fn.facts.ops) else None
            ch.make_sites.append(self._made_for_caller.get(raw, (fn, op)))
            made = E.type_text(args[0]) if args else None
            if made is not None:
                ch.elem = p.elem(p.qualify(made, fn.file))
            if len(ch.make_sites) == 1:
                ch.capacity = cap
            elif ch.capacity != cap:
                ch.capacity = None  # made in several places with different sizes

    # ---- goroutines ------------------------------------------------------------
    def entries(self, fn: Function) -> frozenset:
        """Goroutine roots that run fn by ordinary (non-go) calls."""
        cached = self._entries_cache.get(fn.id)
        if cached is not None:
            return cached
        roots, seen, stack = set(), {fn.id}, [fn]
        while stack:
            f = stack.pop()
            callers, spawned = [], False
            for c, op in self.program.callers(f):
                if op.mode == "go":
                    continue
                if self._spawned_callback(c, op):
                    spawned = True
                else:
                    callers.append(c)
            if f.go_sites or spawned or not callers:
                roots.add(f)
            for c in callers:
                if c.id not in seen:
                    seen.add(c.id)
                    stack.append(c)
        result = frozenset(r.id for r in roots)
        self._entries_cache[fn.id] = result
        return result

    def spawned_many(self, fn: Function) -> bool:
        """True if fn may run as several goroutines at once: several `go` sites or
        spawning wrapper calls (see _spawned_callback), or one of them in a loop."""
        starts = len(fn.go_sites)
        if any(in_loop(caller.facts, op.region) for caller, op in fn.go_sites):
            return True
        for c, op in self.program.callers(fn):
            if op.mode == "go" or not self._spawned_callback(c, op):
                continue
            if self.spawned_many(c):
                return True
            param = E.ident(op.fn)  # _spawned_callback: the wrapper's parameter, called
            wrapper = self.program.declaring_function(c, param) if param is not None else None
            if wrapper is None:
                continue
            index = [p[0] for p in wrapper.facts.params].index(param)
            for wc, wop in self.program.callers(wrapper):
                if index < len(wop.args) and any(
                    t.function is fn for t in self.program.func_values(wc, wop.args[index])
                ):
                    starts += 2 if in_loop(wc.facts, wop.region) else 1
        return starts > 1

    def _spawned_callback(self, caller: Function, op) -> bool:
        """The call `f()` in a goroutine that a wrapper starts for its parameter f.

        `func (s *S) spawn(f func()) { go func() { defer s.wg.Done(); f() }() }`
        called as `s.spawn(s.run)` and `s.spawn(s.apply)` starts two goroutines,
        one running run and one running apply. Naming both by the wrapper's
        literal would make them one goroutine (that drains what the other sends);
        each function reached this way is a goroutine root of its own instead.
        """
        name = E.ident(op.fn)
        if not caller.go_sites or name is None:
            return False
        owner = self.program.declaring_function(caller, name)
        return owner is not None and owner is not caller and any(p[0] == name for p in owner.facts.params)

    @cached_property
    def graph(self):
        """The networkx MultiDiGraph view, built on first use (rules query the indexes directly)."""
        import networkx as nx  # 0.2 s to import: only graph export pays it

        g = nx.MultiDiGraph()
        fns = self.program.functions
        for ch in self.channels.values():
            cnode = f"chan {ch.label}"
            g.add_node(cnode, kind="channel", key=ch.key, capacity=ch.capacity)
            for edges, kind in ((ch.sends, "send"), (ch.receives, "recv"), (ch.closes, "close")):
                for fn, op in edges:
                    for root in sorted(self.entries(fn)):
                        gnode = f"goroutine {fns[root].short}"
                        g.add_node(gnode, kind="goroutine")
                        attrs = dict(kind=kind, function=fn.short, path=fn.file.path, line=op.line, mode=op.mode)
                        if kind == "recv":
                            g.add_edge(cnode, gnode, **attrs)
                        else:
                            g.add_edge(gnode, cnode, **attrs)
        return g

    def reachable_sends(
        self,
        fn: Function,
        ops,
        max_states: int = 4000,
        max_depth: int = 25,
        max_fanout: int = MAX_INTERFACE_FANOUT,
        wide: dict | None = None,
        charge: Callable[[int], bool] | None = None,
        bound: dict | None = None,
    ):
        """Sends reachable from ops of fn by ordinary calls (not `go`), breadth first.

        Yields (function, send op, call path, channel key); the path is a tuple
        of (caller, call op, callee, via). Channel parameters are bound to what
        each call passes, so a helper `send(ch, v)` is attributed to the caller's
        channel, not to every channel ever passed to it. Interface calls with
        more than max_fanout possible implementations are not followed: each is
        recorded in `wide` ((function id, op id) -> (function, op, implementations)).
        `charge(units)` is told the work done (one unit per op read); when it
        answers False the walk stops there (a rule's work budget ran out).
        `bound` binds raw holder keys of fn to channels from the start (a channel
        instance the goroutine was given: see instances.py).
        """
        seen = {(fn.id, ())}
        # (function, channel bindings, call path, ops to read, whether the path already chose among many)
        queue: deque[tuple[Function, dict, tuple, list, bool]] = deque([(fn, dict(bound or {}), (), list(ops), False)])
        while queue and len(seen) < max_states:
            cur, bindings, path, cur_ops, guessed = queue.popleft()
            if charge is not None and not charge(len(cur_ops) + 1):
                return
            for op in cur_ops:
                if op.kind == "send":
                    raw = self.raw_key(cur, op.fn)
                    if raw is None:
                        continue
                    if _made_anew_on(raw, path):
                        self.fresh_instance_sends += 1
                    else:
                        yield cur, op, path, bindings.get(raw) or self.uf.find(raw)
                elif op.kind == "call" and op.mode != "go" and len(path) < max_depth:
                    targets = self.program.resolve_call(cur, op)
                    width = len(targets) if targets else self.program.interface_width(cur, op)
                    if width > max_fanout:
                        if wide is not None:
                            wide.setdefault((cur.id, id(op)), (cur, op, width))
                        targets = []  # an interface with many implementations: which one runs is a guess
                        self.unresolved_on_paths += 1
                        self.wide_interface_calls += 1
                    elif not targets and self.program.is_unknown_call(cur, op):
                        self.unresolved_on_paths += 1
                    if path and targets:
                        targets = self._passed_here(cur, op, path[-1], targets)
                        targets = self._implementation_passed_here(cur, op, path, targets)
                    guess = len(targets) > NARROW_INTERFACE_FANOUT
                    if guess and guessed:
                        targets = []  # a second choice among many on one path: too speculative
                        self.unresolved_on_paths += 1
                        self.second_guesses += 1
                    for target in targets:
                        callee = target.function
                        new_bindings = self._bind_params(cur, op, callee, bindings)
                        state = (callee.id, tuple(sorted(new_bindings.items())))
                        if state in seen:
                            continue
                        seen.add(state)
                        step = ((cur, op, callee, target.via),)
                        queue.append((callee, new_bindings, path + step, callee.facts.ops, guessed or guess))

    def _passed_here(self, cur: Function, op, came_by: tuple, targets: list) -> list:
        """For `f()` where f is a parameter of cur: only what the call that led here passed for f.

        Every caller's function values are candidates for a parameter in
        general; on one path the value is the one its call passed, like a
        channel parameter is bound to the caller's channel. When that value
        cannot be told, all candidates stay.
        """
        name = E.ident(op.fn)
        params = [p[0] for p in cur.facts.params]
        if name is None or name not in params or self.program.declaring_function(cur, name) is not cur:
            return targets
        caller, call, _callee, _via = came_by
        index = params.index(name)
        if index >= len(call.args) or call.mode == "go":
            return targets
        arg = call.args[index]
        local = E.ident(arg)
        if local is not None and self.program.lookup_local(caller, local) is not None:
            # `opFn := func() ...; Retry(ctx, opFn)`: what the caller's local holds
            values = self.program.func_values_of_local(caller, local)
        else:
            values = self.program.func_values(caller, arg)
        passed = {t.function.id for t in values}
        return [t for t in targets if t.function.id in passed] if passed else targets

    def _implementation_passed_here(self, cur: Function, op, path: tuple, targets: list) -> list:
        """For `out.Publish(ev)` through an interface, where `out` is a parameter of cur: only the
        implementation of the value the path passed for it, when that value's type is a concrete
        type of the tree (`b.dispatch(ev, pending)` with `pending := &backlog{}`, handed on through
        `h.Handle(ev, out)`). Every implementation is a candidate for a parameter in general; on one
        path the value is the one its calls passed. When it cannot be told, all candidates stay."""
        if not all(t.via.startswith("interface") for t in targets):
            return targets
        base = E.selector_base(op.fn)
        name = E.ident(base)
        if name is None:
            return targets
        fn = cur
        for caller, call, _callee, _via in reversed(path):
            params = [p[0] for p in fn.facts.params]
            if name not in params or self.program.declaring_function(fn, name) is not fn or call.mode == "go":
                return targets
            index = params.index(name)
            if index >= len(call.args):
                return targets
            arg = call.args[index]
            local = E.ident(arg)
            if local is not None and local in [p[0] for p in caller.facts.params]:
                fn, name = caller, local  # handed on from the caller's own parameter: look further up
                continue
            named = self.program.concrete_type(caller, arg)
            return targets if named is None else self.program.of_types(targets, {named})
        return targets

    def _bound_key(self, fn, expr, bindings):
        raw = self.raw_key(fn, expr)
        if raw is None:
            return None
        return bindings.get(raw) or self.uf.find(raw)

    def _bind_params(self, caller, op, callee, bindings):
        out = {}
        params = callee.facts.params
        for i, arg in enumerate(op.args):
            if i < len(params) and params[i][0]:
                key = self._bound_key(caller, arg, bindings)
                if key is not None:
                    out[f"param:{callee.id}:{params[i][0]}"] = key
        return out

    def loop_receives(self):
        """(channel, function, recv op) for receives a goroutine performs in a loop."""
        for key in sorted(self.channels):
            ch = self.channels[key]
            for fn, op in ch.receives:
                if op.mode == "range" or in_loop(fn.facts, op.region):
                    yield ch, fn, op

    def clock_loop_receives(self):
        """(function, recv op) for receives of a clock tick (`<-ticker.C`, `<-time.After(d)`) in a
        loop of a function that also receives a channel of the flow in a loop: the loop runs that
        case's handler like any other, and its other receives are what the handler may fill."""
        from .stopped_timers import is_clock_receive  # stopped_timers builds on this module's neighbours

        looping = {fn.id: fn for ch in self.channels.values() for fn, op in ch.receives if in_loop(fn.facts, op.region)}
        for fid in sorted(looping):
            fn = looping[fid]
            for op in fn.facts.ops:
                if op.kind != "recv" or op.mode == "range" or not in_loop(fn.facts, op.region):
                    continue
                if self.key(fn, op.fn) is None and is_clock_receive(self.program, fn, op):
                    yield fn, op

    def receivers(self, key: str, skip_tests: bool = False) -> set:
        """Goroutine roots (Function ids) that receive from the channel. skip_tests: not counting
        receives in test files, which never run beside the production code being judged (a test
        that drains a field of an instance it built itself drains no production instance)."""
        ch = self.channels.get(key)
        out: set[int] = set()
        for fn, _op in ch.receives if ch else ():
            if not (skip_tests and fn.file.is_test):
                out |= self.entries(fn)
        return out


def _is_chan(t: str) -> bool:
    t = t.strip()
    return t.startswith(("chan ", "chan<-", "<-chan", "chan("))


def in_loop(facts, region: int) -> bool:
    """The region is inside a `for` or `range` loop of its function."""
    return any(facts.regions[r].kind in ("for", "range") for r in enclosing_regions(facts, region))


def innermost_loop(facts, region: int) -> int | None:
    """The innermost `for` or `range` loop around the region, or None."""
    return next((r for r in enclosing_regions(facts, region) if facts.regions[r].kind in ("for", "range")), None)


def leaves_round(facts, op, loop: int) -> bool:
    """op ends a round of `loop` before the rest of its body: a `return`, or an unlabelled
    `continue` whose loop is that one (a worker skipping the item it took)."""
    if op.kind == "return":
        return True
    return op.kind == "jump" and op.mode == "continue" and op.fn is None and innermost_loop(facts, op.region) == loop


def handler_ops(fn, recv):
    """Ops that handle a received value: the case or range body, or the rest of the loop body."""
    regions = fn.facts.regions
    if recv.mode in ("case", "range"):
        stop = recv.body
        after = (0, 0)
    else:
        stop = recv.region
        while stop >= 0 and regions[stop].kind not in ("for", "range"):
            stop = regions[stop].parent
        after = (recv.line, recv.col)
    for op in _ops_under(fn, stop):
        if (op.line, op.col) > after:
            yield op


def child_regions(fn: Function, region: int) -> list[int]:
    """The regions directly inside a region (a select's cases, an if's branches), in source order."""
    return _region_index(fn)[1].get(region, [])


def _region_index(fn: Function) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """(op indexes by region, child regions by parent) of a function, built once."""
    index = fn.region_index
    if index is None:
        own: dict[int, list[int]] = {}
        children: dict[int, list[int]] = {}
        for i, op in enumerate(fn.facts.ops):
            own.setdefault(op.region, []).append(i)
        for r, reg in enumerate(fn.facts.regions):
            children.setdefault(reg.parent, []).append(r)
        index = fn.region_index = (own, children)
    return index


def _ops_under(fn: Function, region: int) -> list:
    """The ops inside a region (its nested regions included), in source order; all of them for -1.

    From a per-function index of each region's own ops and child regions, so
    that asking for every case of a 10,000-case select costs the cases' ops
    once, not the whole function once per case.
    """
    facts = fn.facts
    if region < 0:
        return facts.ops
    own, children = _region_index(fn)
    picked: list[int] = []
    stack = [region]
    while stack:
        r = stack.pop()
        picked.extend(own.get(r, ()))
        stack.extend(children.get(r, ()))
    picked.sort()
    return [facts.ops[i] for i in picked]


def _build(ctx: Context) -> ChannelFlow:
    return ChannelFlow(ctx.program)


# Building the flow is GIM101's main cost on real code (see docs/performance.md).
CHANNEL_FLOW = Pass(
    "channel-flow",
    _build,
    cost=2,
    doc="channels by holder, their operations, goroutine roots and the paths between them",
)


def _made_anew_on(raw_key: str, path: tuple) -> bool:
    """The send's channel is a local whose maker the call path enters again.

    `func ForEach(...) { ch := make(...); for v := range ch { job(v) } }` where `job` calls
    `ForEach` once more: that call makes a channel of its own, and the send into it cannot fill
    the channel the first call's loop drains.
    """
    if not raw_key.startswith("local:"):
        return False
    maker = int(raw_key.split(":")[1])
    return any(callee.id == maker for _caller, _op, callee, _via in path)
