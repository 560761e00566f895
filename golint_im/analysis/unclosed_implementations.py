"""An implementation that leaves open the output channel every other implementation closes.

    type Stage interface { Run(in <-chan Record, out chan<- Record) }
    func (spamFilter) Run(in <-chan Record, out chan<- Record) { defer close(out); ... out <- r }
    func (lowercaser) Run(in <-chan Record, out chan<- Record) { defer close(out); ... out <- r }
    func (e emailRedactor) Run(in <-chan Record, out chan<- Record) { for r := range in { ...; out <- r } }

    go st.Run(in, out)    // the next stage, or the caller, ranges over out until it is closed

When an interface method takes a channel it may send on, and its other
implementations all close that channel when they are done, the interface's
contract is that the method owns the channel and closes it: whoever ranges
over it ends only then. An implementation that sends on it but never closes
it, nor hands it to anything that could, breaks that contract, and every
`range` over its output waits forever.

Judged only when at least two other implementations close the parameter
(`close(out)`, plain or deferred, in the method or a literal inside it;
for an implementation outside tests, two outside tests: test doubles make
no contract), every implementation that sends on it closes it except the
reported one (a single one: when several leave it open, the contract may be
that the caller closes it, as Prometheus's `Discoverer.Run` says), the
reported one sends on it and uses it in no other way (no call argument,
assignment, return or `go`), and the interface method is started with `go`
somewhere in the tree (a pipeline, not a synchronous callback). Counted in
`--debug` as `GIM102_unclosed_implementations`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program, enclosing_regions
from .flow import Channel
from .unpaired import range_exits

MIN_CLOSING_SIBLINGS = 2  # implementations closing the parameter that make it the interface's contract


@dataclass
class UnclosedImplementation:
    """`method` sends on its channel parameter `param` and never closes it, while `closers` all do."""

    interface: str  # `Stage.Run`
    method: Function
    param: str
    send: Op  # its first send on the parameter
    closers: list[Function]  # the other implementations, each closing it
    start: tuple[Function, Op]  # a `go` statement starting the interface method


@dataclass
class UnclosedGetterField:
    """`getter` implements `interface` by returning its receiver's channel field `field`, which
    `sender` sends on and nothing closes, while `closer` (another implementation's) closes its own;
    `ranger` ranges over the interface method's result until the channel is closed."""

    interface: str  # `Source.Events`
    getter: Function
    field: str  # `LineReader.events`
    sender: Function
    send: Op
    closer: Function
    close: Op
    ranger: Function
    range_op: Op


def unclosed_implementations(program: Program, debug: Counter, flow=None) -> list:
    out: list = []
    for pkg in program.packages.values():
        for tname, (tfacts, _ff) in sorted(pkg.types.items()):
            if tfacts.kind != "interface":
                continue
            iface = f"{pkg.path}#{tname}"
            for member in tfacts.members:
                if len(member) < 4:
                    continue
                mname, _n, results, ptypes = member[:4]
                for position, ptype in enumerate(ptypes or ()):
                    if not _may_send(ptype):
                        continue
                    out.extend(_judge(program, iface, tname, mname, position, debug))
                if flow is not None and not ptypes and len(results or ()) == 1 and _is_channel(results[0]):
                    found = _judge_getters(program, flow, iface, tname, mname, debug)
                    if found is not None:
                        out.append(found)
    return out


def _is_channel(rtype) -> bool:
    text = rtype if isinstance(rtype, str) else ""
    return text.startswith(("chan ", "<-chan ", "chan<-"))


def _judge_getters(
    program: Program, flow, iface: str, tname: str, mname: str, debug: Counter
) -> UnclosedGetterField | None:
    """An implementation whose getter hands out a field channel its own goroutine fills and never
    closes, while a sibling implementation closes its own, and code ranges over the interface
    method's result with no other way out of the range.

        type Source interface { Events() <-chan string }
        func (c *Counter) Events() <-chan string    { return c.events }    // run: defer close(c.events)
        func (l *LineReader) Events() <-chan string { return l.events }    // run: never closes it
        for ev := range s.Events() { ... }                                 // waits for the close

    Judged when exactly one implementation outside tests leaves its field unclosed while sending
    on it (all its sends in one method, none in a `select`), at least one other closes its own,
    and the range over the method's result is in a function of the tree.
    """
    closers: list[tuple[Function, Op]] = []
    silent: list[tuple[Function, str, Channel]] = []
    for impl in program.implementations(iface):
        getter = program.method(impl, mname)
        if getter is None or getter.file.is_test:
            continue
        key = _returned_field(flow, getter)
        ch = flow.channels.get(key) if key is not None else None
        if key is None or ch is None:
            return None  # an implementation that hands out something else: the contract is not plain
        if ch.closes:
            closers.append(ch.closes[0])
        elif ch.sends:
            silent.append((getter, key, ch))
        else:
            return None
    if len(silent) != 1 or not closers:
        return None
    getter, key, ch = silent[0]
    senders = {f.id for f, _op in ch.sends}
    if len(senders) != 1 or any(op.select >= 0 for _f, op in ch.sends):
        return None
    sender, send = ch.sends[0]
    if not sender.go_sites and not any(caller.go_sites for caller, _c in program.callers(sender)):
        return None  # not a goroutine of its own: a synchronous fill the caller may close after
    if any(_in_endless_loop(sender, op) for _f, op in ch.sends):
        return None  # a long-lived producer: nobody expects its stream to end
    ranged = _range_over(program, getter)
    if ranged is None:
        return None
    debug["GIM102_unclosed_getter_fields"] += 1
    closer, close = closers[0]
    return UnclosedGetterField(
        f"{tname}.{mname}", getter, flow.label(key), sender, send, closer, close, ranged[0], ranged[1]
    )


def _returned_field(flow, getter: Function) -> str | None:
    """The channel key of the receiver field the getter's one `return` hands back."""
    returns = [op for op in getter.facts.ops if op.kind == "return"]
    if len(returns) != 1 or len(returns[0].args) != 1:
        return None
    sel = E.selector(returns[0].args[0])
    if sel is None or not E.is_ident(sel[0], getter.facts.recv_name):
        return None
    key = flow.key(getter, returns[0].args[0])
    return key if key is not None and key.startswith("field:") else None


def _in_endless_loop(fn: Function, op: Op) -> bool:
    """op sits in a `for {` loop with no condition."""
    regions = fn.facts.regions
    return any(regions[r].kind == "for" and regions[r].info is None for r in enclosing_regions(fn.facts, op.region))


def _range_over(program: Program, getter: Function) -> tuple[Function, Op] | None:
    """A `range` over a call reaching getter through its interface, with no way out but the close."""
    for f in program.functions:
        for op in f.facts.ops:
            if op.kind != "recv" or op.mode != "range":
                continue
            n = E.call_number(op.fn)
            if n is None or not 0 <= n < len(f.facts.ops):
                continue
            targets = program.resolve_call(f, f.facts.ops[n])
            if any(t.function is getter and t.via for t in targets) and not range_exits(program, f, op):
                return f, op
    return None


def _may_send(ptype) -> bool:
    """A channel type a method can send on: `chan T` or `chan<- T`, not `<-chan T`."""
    text = ptype if isinstance(ptype, str) else ""
    return text.startswith("chan ") or text.startswith("chan<-")


def _judge(
    program: Program, iface: str, tname: str, mname: str, position: int, debug: Counter
) -> list[UnclosedImplementation]:
    closers: list[Function] = []
    silent: list[tuple[Function, str, Op]] = []
    for impl in program.implementations(iface):
        method = program.method(impl, mname)
        if method is None or position >= len(method.facts.params):
            continue
        param = method.facts.params[position][0]
        if not param or param == "_":
            continue
        use = _use_of(program, method, param)
        if use == "closes":
            closers.append(method)
        elif isinstance(use, Op):
            silent.append((method, param, use))
        elif use == "sends-and-hands-on":
            return []  # an implementation that sends and hands the channel on: the contract is not plain
    if len(silent) != 1:
        return []  # several implementations leave it open: the contract may be that the caller closes it
    if not silent[0][0].file.is_test:
        closers = [m for m in closers if not m.file.is_test]  # test doubles do not make a contract
    if len(closers) < MIN_CLOSING_SIBLINGS:
        return []
    start = _started(program, [m for m, _p, _s in silent] + closers)
    if start is None:
        return []
    debug["GIM102_unclosed_implementations"] += len(silent)
    return [UnclosedImplementation(f"{tname}.{mname}", m, p, s, closers, start) for m, p, s in silent]


def _use_of(program: Program, method: Function, param: str):
    """ "closes" when the method (or a literal in it) closes the parameter; its first send (an Op) when
    it sends on it and uses it in no other way; "sends-and-hands-on" when it sends and also passes,
    stores or returns it; None otherwise."""
    closes = False
    send = None
    other = False
    for f in [method, *method.nested_literals()]:
        if program.declaring_function(f, param) is not method:
            continue  # a literal declaring the name again
        for op in f.facts.ops:
            if op.kind == "send" and E.is_ident(op.fn, param):
                send = send or op
                continue
            if op.kind == "call" and E.is_ident(op.fn, "close") and op.args and E.is_ident(op.args[0], param):
                closes = True
                continue
            if op.kind == "call" and E.ident(op.fn) in ("len", "cap"):
                continue
            names: set = set()
            for e in (*op.args, *op.targets, *((op.fn,) if op.kind not in ("send", "recv") else ())):
                if e is not None and E.is_expr(e):
                    E.idents_in(e, names)
            if param in names:
                other = True
    if closes:
        return "closes"
    if send is None:
        return None
    return "sends-and-hands-on" if other else send


def _started(program: Program, methods: list[Function]) -> tuple[Function, Op] | None:
    """A `go` statement reaching one of the methods (through the interface or directly)."""
    for m in methods:
        for caller, op in program.callers(m):
            if op.mode == "go":
                return caller, op
    return None
