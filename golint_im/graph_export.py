"""Export the channel-flow graph for people: DOT for Graphviz, JSON for tools, HTML to look at.

Besides send/receive edges, each loop receive lists the sends its handler
can reach and the call path to them, so a reader can follow a suspected
deadlock without the source open. Each GIM101 finding's cycle (the loop
goroutine, the channel it receives from, the handler's call chain, the
channel it sends into and back) is marked, so the picture shows the bug
rather than every goroutine of the program; `focus` keeps only one.

The other blocking-bug findings (GIM102-GIM106) are marked too: the
goroutines (roots) running the functions the finding points at, the
channels operated at its locations and, for lock rules, the mutexes taken
there as lock nodes (named by class, as the LOCKS layer names them) with
`locks`/`waits` edges from the goroutines. What is marked is read off the
finding's own locations (primary, steps, related) mapped to the operations
the layers recorded there; nothing is analysed again here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis.flow import ChannelFlow, handler_ops
from .analysis.locks import LockModel
from .analysis.syncprims import ERRGROUP, WAITGROUP, SyncPrimitives
from .escape import printable
from .findings import Finding
from .program import Function

NODE_SHAPES = {
    "lock": "octagon",
    "waitgroup": "box3d",
    "cond": "hexagon",
    "finding": "note",
}  # added by marks; goroutines and channels as the flow draws them
CYCLE_COLOR = "#d62728"  # one red for DOT and HTML, so a reader knows it from either


@dataclass(frozen=True)
class Cycle:
    """A GIM101 finding drawn on the graph: goroutine -> handler chain -> channel -> back."""

    finding: Finding
    goroutine: str  # graph node of the loop goroutine
    received: str  # graph node of the channel whose handler starts the chain
    sent: str  # graph node of the channel the handler blocks on, drained by the goroutine
    chain: tuple[tuple[str, str], ...]  # (callee, via) from the loop to the sending function

    @property
    def title(self) -> str:
        loc = self.finding.location
        return f"{self.finding.rule_id} at {loc.path}:{loc.line}"

    def chain_nodes(self) -> list[str]:
        return [f"call {callee} [{self.title}]" for callee, _ in self.chain]

    def nodes(self) -> list[str]:
        return [self.received, self.goroutine, *self.chain_nodes(), self.sent]

    def edges(self) -> list[tuple[str, str, str]]:
        """(from, to, label): the receive, the numbered call chain, the blocking send, the drain."""
        out = [(self.received, self.goroutine, "receives")]
        hops = [self.goroutine, *self.chain_nodes()]
        for i, (a, b) in enumerate(zip(hops, hops[1:], strict=False), 1):
            via = self.chain[i - 1][1]
            out.append((a, b, f"{i}. calls" + (f" ({via})" if via else "")))
        out.append((hops[-1], self.sent, "blocks sending"))
        out.append((self.sent, self.goroutine, "drained only here"))
        return out


def find_cycles(flow: ChannelFlow, findings: list[Finding]) -> list[Cycle]:
    """Match each GIM101 finding to the handler path it reports, by the receive's
    location and the channel the finding names as the one sent into."""
    paths = handler_paths(flow)
    g = flow.graph
    out = []
    for f in findings:
        if f.rule_id != "GIM101" or f.key.count("|") < 2:
            continue
        sent_label = f.key.rsplit("|", 1)[1]
        for hp in paths:
            rec, snd = hp["receive"], hp["send"]
            if (rec["path"], rec["line"]) != (f.location.path, f.location.line) or snd["channel"] != sent_label:
                continue
            received = f"chan {rec['channel']}"
            loops = (
                sorted(
                    b
                    for _, b, d in g.out_edges(received, data=True)
                    if d.get("kind") == "recv" and d.get("line") == rec["line"] and d.get("function") == rec["function"]
                )
                if received in g
                else []
            )
            if loops:
                chain = tuple((c["callee"], c["via"] or "") for c in hp["calls"])
                out.append(Cycle(f, loops[0], received, f"chan {sent_label}", chain))
                break
    return out


# Goroutine roots drawn per side of a finding: a function that hundreds of tests call would
# otherwise bury the picture; the rest are counted (goroutines_not_drawn).
MAX_ROOTS = 3
MARKED_RULES = frozenset({"GIM102", "GIM103", "GIM104", "GIM105", "GIM106"})


@dataclass(frozen=True)
class Mark:
    """A GIM102-GIM106 finding drawn on the graph: its goroutines, channels and locks."""

    finding: Finding
    goroutines: tuple[str, ...]  # graph nodes of the goroutine roots involved
    channels: tuple[str, ...]  # graph nodes of the channels operated at the finding's locations
    lock_edges: tuple[tuple[str, str, str, str, int], ...]  # (goroutine, lock node, locks|waits, function, line)
    goroutines_not_drawn: int = 0  # roots past MAX_ROOTS per side (a library function every test calls)
    # (goroutine, WaitGroup or Cond node, waits|done|adds|signals, function, line)
    sync_edges: tuple[tuple[str, str, str, str, int], ...] = ()

    @property
    def title(self) -> str:
        loc = self.finding.location
        return f"{self.finding.rule_id} at {loc.path}:{loc.line}"

    @property
    def node(self) -> str:
        """The finding's own node, labelled with its rule and location, pointing at what it marks."""
        return f"finding {self.title}"

    def locks(self) -> list[str]:
        return sorted({lock for _g, lock, _k, _f, _l in self.lock_edges})

    def syncs(self) -> list[str]:
        """The WaitGroup and Cond nodes: `waitgroup Pool.wg`, `cond Queue.cond`."""
        return sorted({node for _g, node, _k, _f, _l in self.sync_edges})

    def nodes(self) -> list[str]:
        return [self.node, *self.goroutines, *self.channels, *self.locks(), *self.syncs()]

    def edges(self) -> set[tuple[str, str]]:
        """The graph edges this finding marks: its goroutines' operations on its channels, locks, groups, conds."""
        mine = set(self.goroutines)
        out = {(g, node) for g, node, _k, _f, _l in (*self.lock_edges, *self.sync_edges)}
        out |= {(g, c) for g in mine for c in self.channels} | {(c, g) for g in mine for c in self.channels}
        return out | {(self.node, n) for n in self.nodes()[1:]}

    def to_json(self) -> dict:
        return {
            "finding": _finding_json(self.finding),
            "goroutines": list(self.goroutines),
            "channels": list(self.channels),
            "goroutines_not_drawn": self.goroutines_not_drawn,
            "locks": [
                {"goroutine": g, "lock": lock, "kind": k, "function": f, "line": line}
                for g, lock, k, f, line in self.lock_edges
            ],
            "syncs": [
                {"goroutine": g, "node": node, "kind": k, "function": f, "line": line}
                for g, node, k, f, line in self.sync_edges
            ],
        }


def _finding_locations(f: Finding) -> list[tuple[str, int]]:
    """The finding's locations in reading order: its steps, its related places, then where it is reported."""
    seen: dict[tuple[str, int], None] = {}
    for loc in [s.location for s in f.steps] + [r.location for r in f.related] + [f.location]:
        seen.setdefault((loc.path, loc.line), None)
    return list(seen)


def find_marks(
    flow: ChannelFlow, locks: LockModel, findings: list[Finding], prims: SyncPrimitives | None = None
) -> list[Mark]:
    """Mark each GIM102-GIM106 finding: the functions owning an operation at one of its locations
    (innermost function by span where no operation is recorded), their goroutine roots, the
    channels the flow layer recorded operations on there, and the lock acquisitions LOCKS recorded
    there. Per goroutine the last lock it takes waits when it already holds another or when a
    goroutine read earlier in the finding takes that one; the others are held. With the
    sync-primitives layer, the WaitGroup and Cond calls at the finding's locations are marked too,
    as nodes named by holder with waits/done/adds/signals edges from the goroutines."""
    chosen = [f for f in findings if f.rule_id in MARKED_RULES]
    wanted = {where for f in chosen for where in _finding_locations(f)}
    if not wanted:
        return []
    fns = flow.program.functions
    owners: dict[tuple[str, int], list] = {}
    spans: dict[str, list] = {}
    for fn in fns:
        spans.setdefault(fn.file.path, []).append(fn)
        for op in fn.facts.ops:
            where = (fn.file.path, op.line)
            if where in wanted and fn not in owners.setdefault(where, []):
                owners[where].append(fn)
    chans: dict[tuple[str, int], set[str]] = {}
    for ch in flow.channels.values():
        for fn, op in (*ch.sends, *ch.receives, *ch.closes):
            if (fn.file.path, op.line) in wanted:
                chans.setdefault((fn.file.path, op.line), set()).add(f"chan {ch.label}")
    acquires: dict[tuple[str, int], list[tuple[str, Function]]] = {}
    for cls, ops in locks.lock_ops.items():
        for fn, op, what in ops:
            if what == "acquire" and op.mode != "defer" and (fn.file.path, op.line) in wanted:
                acquires.setdefault((fn.file.path, op.line), []).append((f"lock {locks.lock_names[cls]}", fn))

    syncs = _sync_calls(prims, wanted) if prims is not None else {}

    def owner(where: tuple[str, int]) -> list:
        if where in owners:
            return owners[where]
        around = [fn for fn in spans.get(where[0], ()) if fn.facts.line <= where[1] <= fn.facts.end_line]
        return [min(around, key=lambda fn: fn.facts.end_line - fn.facts.line)] if around else []

    def tops(fn, mine: frozenset[int]) -> list[Function]:
        """The finding's own functions that run fn by ordinary calls (fn when none does): a callee
        on the finding's call path belongs to the goroutine of the function that calls it there,
        not to every goroutine that calls it elsewhere."""
        found, seen, stack = [], {fn.id}, [fn]
        while stack:
            cur = stack.pop()
            up = [c for c, op in flow.program.callers(cur) if op.mode != "go" and c.id in mine]
            if not up:
                found.append(cur)
            for c in up:
                if c.id not in seen:
                    seen.add(c.id)
                    stack.append(c)
        return found or [fn]

    def roots(fn) -> tuple[list[str], int]:
        """fn's goroutine roots, outside tests first, at most MAX_ROOTS; and how many were left out."""
        every = sorted(flow.entries(fn), key=lambda r: (fns[r].file.is_test, fns[r].short))
        return [f"goroutine {fns[r].short}" for r in every[:MAX_ROOTS]], max(0, len(every) - MAX_ROOTS)

    def goroutines_of(fn, mine: frozenset[int], left_out: dict[int, int]) -> list[tuple[str, int]]:
        """The sides running fn in this finding, (goroutine, the finding's function calling fn):
        one goroutine that runs both sides of an inversion is two sides, each with its own order."""
        found: list[tuple[str, int]] = []
        for top in tops(fn, mine):
            names, left_out[top.id] = roots(top)
            found += [(n, top.id) for n in names]
        return found

    out = []
    for f in chosen:
        goroutines: dict[str, None] = {}
        channels: dict[str, None] = {}
        taken: dict[tuple[str, int], list[tuple[str, str, int]]] = {}  # side -> (lock, function, line) in order
        mine = frozenset(fn.id for where in _finding_locations(f) for fn in owner(where))
        left_out: dict[int, int] = {}
        for where in _finding_locations(f):
            for fn in owner(where):
                for g, _top in goroutines_of(fn, mine, left_out):
                    goroutines.setdefault(g, None)
            for c in sorted(chans.get(where, ())):
                channels.setdefault(c, None)
            for lock, fn in acquires.get(where, ()):
                for side in goroutines_of(fn, mine, left_out):
                    seq = taken.setdefault(side, [])
                    if (lock, fn.short, where[1]) not in seq:
                        seq.append((lock, fn.short, where[1]))
        edges, locked_before = [], set()
        for (g, _top), seq in taken.items():  # sides in reading order: the first to take a lock holds it
            for i, (lock, fname, line) in enumerate(seq):
                waits = i == len(seq) - 1 and (len(seq) > 1 or lock in locked_before)
                edges.append((g, lock, "waits" if waits else "locks", fname, line))
            locked_before |= {lock for lock, _f, _l in seq}
        sync_edges: dict[tuple[str, str, str, str, int], None] = {}
        for where in _finding_locations(f):
            for node, fn, kind in syncs.get(where, ()):
                for g, _top in goroutines_of(fn, mine, left_out):
                    sync_edges.setdefault((g, node, kind, fn.short, where[1]), None)
        marked = Mark(f, tuple(goroutines), tuple(channels), tuple(edges), sum(left_out.values()), tuple(sync_edges))
        out.append(marked)
    return out


_SYNC_EDGE = {"Wait": "waits", "Done": "done", "Add": "adds", "Signal": "signals", "Broadcast": "signals"}


_SYNC_NODE = {WAITGROUP: "waitgroup", ERRGROUP: "errgroup"}


def _sync_calls(prims: SyncPrimitives, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], list]:
    """(path, line) -> [(node, function, edge kind)] for the WaitGroup and Cond calls at the wanted lines."""
    out: dict[tuple[str, int], list] = {}
    for key, calls in prims.calls.items():
        for c in calls:
            where = (c.fn.file.path, c.op.line)
            if where in wanted and c.method in _SYNC_EDGE:
                node = f"{_SYNC_NODE.get(c.kind, 'cond')} {prims.label(key)}"
                out.setdefault(where, []).append((node, c.fn, _SYNC_EDGE[c.method]))
    return out


def focus_cycles(cycles: Sequence, spec: str) -> list:
    """The cycles (or marks) a --focus SPEC names: `FILE:LINE`, `RULE@FILE:LINE`, or a fingerprint (or its prefix)."""
    rule, _, where = spec.rpartition("@")
    chosen = []
    for c in cycles:
        loc = c.finding.location
        if rule and rule.upper() != c.finding.rule_id:
            continue
        if where in (f"{loc.path}:{loc.line}", f"{loc.path}:{loc.line}:{loc.col}") or (
            not rule and len(spec) >= 6 and c.finding.fingerprint.startswith(spec.lower())
        ):
            chosen.append(c)
    return chosen


def _capacity(c):
    return "unknown" if c is None else c


def handler_paths(flow: ChannelFlow):
    out = []
    for ch, fn, recv in flow.loop_receives():
        for send_fn, op, path, key in flow.reachable_sends(fn, handler_ops(fn, recv)):
            out.append(
                {
                    "receive": {"channel": ch.label, "function": fn.short, "path": fn.file.path, "line": recv.line},
                    "send": {
                        "channel": flow.label(key) if key not in flow.channels else flow.channels[key].label,
                        "function": send_fn.short,
                        "path": send_fn.file.path,
                        "line": op.line,
                    },
                    "calls": [
                        {"caller": c.short, "line": o.line, "callee": callee.short, "via": via}
                        for c, o, callee, via in path
                    ],
                }
            )
    return out


def _finding_json(f: Finding) -> dict:
    return {"rule": f.rule_id, "path": f.location.path, "line": f.location.line, "fingerprint": f.fingerprint}


def _cycle_json(c: Cycle) -> dict:
    return {
        "finding": _finding_json(c.finding),
        "goroutine": c.goroutine,
        "received": c.received,
        "sent": c.sent,
        "chain": [{"callee": callee, "via": via} for callee, via in c.chain],
    }


def marked_graph(flow: ChannelFlow, marks: Sequence[Mark] = ()):
    """The channel-flow graph plus, per marked finding, its node, its lock nodes and the
    goroutines' locks/waits edges (a goroutine that touches no channel is added here)."""
    g = flow.graph
    if not marks:
        return g
    g = g.copy()
    for m in marks:
        loc = m.finding.location
        g.add_node(
            m.node,
            kind="finding",
            rule=m.finding.rule_id,
            path=loc.path,
            line=loc.line,
            goroutines_not_drawn=m.goroutines_not_drawn,
        )
        for n in m.goroutines:
            if n not in g:
                g.add_node(n, kind="goroutine")
        for lock in m.locks():
            g.add_node(lock, kind="lock")
        for _g, node, _k, _f, _l in m.sync_edges:
            g.add_node(node, kind=node.split(" ", 1)[0])
        for a, lock, kind, fname, line in (*m.lock_edges, *m.sync_edges):
            if not any(
                d.get("kind") == kind and d.get("line") == line for d in g.get_edge_data(a, lock, default={}).values()
            ):
                g.add_edge(a, lock, kind=kind, function=fname, path="", line=line)
        for n in m.nodes()[1:]:
            g.add_edge(m.node, n, kind="marks", function=loc.path, path=loc.path, line=loc.line)
    return g


def subgraph(flow: ChannelFlow, cycles: list[Cycle] | None, marks: Sequence[Mark] = ()):
    """The whole graph with the marks' additions, or with focus (cycles and marks chosen, not
    None) only the nodes on the chosen cycles and marks."""
    g = marked_graph(flow, marks)
    if cycles is None:
        return g
    keep = {n for c in cycles for n in c.nodes() if n in g} | {n for m in marks for n in m.nodes() if n in g}
    return g.subgraph(keep)


def to_json(flow: ChannelFlow, cycles: Sequence[Cycle] = (), focus: bool = False, marks: Sequence[Mark] = ()) -> str:
    g = subgraph(flow, list(cycles) if focus else None, marks)
    nodes = [{"id": n, **{k: v for k, v in d.items()}} for n, d in sorted(g.nodes(data=True))]
    edges = sorted(
        ({"from": a, "to": b, **d} for a, b, d in g.edges(data=True)),
        key=lambda e: (e["from"], e["to"], e.get("line", 0), e.get("kind", "")),
    )
    doc = {"nodes": nodes, "edges": edges, "handler_paths": handler_paths(flow)}
    if cycles or focus:
        doc["cycles"] = [_cycle_json(c) for c in cycles]
    if marks or focus:
        doc["marks"] = [m.to_json() for m in marks]
    # ASCII-only: names from the tree (controls, bidi marks, undecodable bytes) come out as \u escapes.
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _q(s: str) -> str:
    """A DOT quoted string; a newline or control in a name is escaped, never a line of its own."""
    return '"' + printable(s.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def to_dot(flow: ChannelFlow, cycles: Sequence[Cycle] = (), focus: bool = False, marks: Sequence[Mark] = ()) -> str:
    """DOT; the cycles' and marked findings' nodes and edges in bold red, each handler chain as
    numbered call nodes, each marked finding as a note node pointing at what it marks."""
    cycles = list(cycles)
    g = subgraph(flow, cycles if focus else None, marks)
    on_cycle = {n for c in cycles for n in (c.goroutine, c.received, c.sent)} | {n for m in marks for n in m.nodes()}
    marked = {(c.received, c.goroutine) for c in cycles} | {(c.sent, c.goroutine) for c in cycles}
    marked |= {e for m in marks for e in m.edges()}
    red = f"color={_q(CYCLE_COLOR)}, fontcolor={_q(CYCLE_COLOR)}, penwidth=2.5"
    lines = ["digraph channel_flow {", "  rankdir=LR;"]
    for n, d in sorted(g.nodes(data=True)):
        mark = f", {red}, style=bold" if n in on_cycle else ""
        if d.get("kind") == "channel":
            lines.append(
                f"  {_q(n)} [shape=box, label={_q(n + ' (cap ' + str(_capacity(d.get('capacity'))) + ')')}{mark}];"
            )
        elif d.get("kind") in NODE_SHAPES:
            more = d.get("goroutines_not_drawn", 0)
            label = f", label={_q(f'{n} (+{more} more goroutines)')}" if more else ""
            lines.append(f"  {_q(n)} [shape={NODE_SHAPES[d['kind']]}{label}{mark}];")
        else:
            lines.append(f"  {_q(n)} [shape=ellipse{mark}];")
    for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("line", 0))):
        label = f"{d['kind']} {d['function']}:{d['line']}"
        mark = f", {red}" if (a, b) in marked else ""
        if d["kind"] == "marks":
            mark += ", style=dashed"
        lines.append(f"  {_q(a)} -> {_q(b)} [label={_q(label)}{mark}];")
    for i, c in enumerate(cycles):
        lines.append(f"  subgraph {_q(f'cluster_cycle_{i}')} {{")
        lines.append(f"    graph [label={_q(c.title + ': the handler path')}, {red}, style=dashed];")
        for node, (callee, _via) in zip(c.chain_nodes(), c.chain, strict=False):
            lines.append(f"    {_q(node)} [shape=note, label={_q(callee)}, {red}];")
        lines.append("  }")
        for a, b, label in c.edges()[1:-2] + c.edges()[-2:-1]:
            lines.append(f"  {_q(a)} -> {_q(b)} [label={_q(label)}, {red}, style=bold];")
    for hp in handler_paths(flow):
        chain = " -> ".join(c["callee"] + (f" [{c['via']}]" if c["via"] else "") for c in hp["calls"])
        comment = (
            f"handler of {hp['receive']['channel']} ({hp['receive']['function']}:"
            f"{hp['receive']['line']}) reaches send on {hp['send']['channel']} at "
            f"{hp['send']['path']}:{hp['send']['line']} via {chain or 'direct'}"
        )
        lines.append("  // " + printable(comment))  # a newline in a name would end the comment
    lines.append("}")
    return "\n".join(lines) + "\n"
