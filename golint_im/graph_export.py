"""Export the channel-flow graph for people: DOT for Graphviz, JSON for tools, HTML to look at.

Besides send/receive edges, each loop receive lists the sends its handler
can reach and the call path to them, so a reader can follow a suspected
deadlock without the source open. Each GIM101 finding's cycle (the loop
goroutine, the channel it receives from, the handler's call chain, the
channel it sends into and back) is marked, so the picture shows the bug
rather than every goroutine of the program; `focus` keeps only one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .analysis.flow import ChannelFlow, handler_ops
from .escape import printable
from .findings import Finding

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


def focus_cycles(cycles: list[Cycle], spec: str) -> list[Cycle]:
    """The cycles a --focus SPEC names: `FILE:LINE`, `RULE@FILE:LINE`, or a fingerprint (or its prefix)."""
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


def _cycle_json(c: Cycle) -> dict:
    return {
        "finding": {
            "rule": c.finding.rule_id,
            "path": c.finding.location.path,
            "line": c.finding.location.line,
            "fingerprint": c.finding.fingerprint,
        },
        "goroutine": c.goroutine,
        "received": c.received,
        "sent": c.sent,
        "chain": [{"callee": callee, "via": via} for callee, via in c.chain],
    }


def subgraph(flow: ChannelFlow, cycles: list[Cycle] | None):
    """The whole graph, or with focus only the nodes on the chosen cycles."""
    g = flow.graph
    if cycles is None:
        return g
    keep = {n for c in cycles for n in c.nodes() if n in g}
    return g.subgraph(keep)


def to_json(flow: ChannelFlow, cycles: Sequence[Cycle] = (), focus: bool = False) -> str:
    g = subgraph(flow, list(cycles) if focus else None)
    nodes = [{"id": n, **{k: v for k, v in d.items()}} for n, d in sorted(g.nodes(data=True))]
    edges = sorted(
        ({"from": a, "to": b, **d} for a, b, d in g.edges(data=True)),
        key=lambda e: (e["from"], e["to"], e.get("line", 0), e.get("kind", "")),
    )
    doc = {"nodes": nodes, "edges": edges, "handler_paths": handler_paths(flow)}
    if cycles or focus:
        doc["cycles"] = [_cycle_json(c) for c in cycles]
    # ASCII-only: names from the tree (controls, bidi marks, undecodable bytes) come out as \u escapes.
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _q(s: str) -> str:
    """A DOT quoted string; a newline or control in a name is escaped, never a line of its own."""
    return '"' + printable(s.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def to_dot(flow: ChannelFlow, cycles: Sequence[Cycle] = (), focus: bool = False) -> str:
    """DOT; the cycles' nodes and edges in bold red, each handler chain as numbered call nodes."""
    cycles = list(cycles)
    g = subgraph(flow, cycles if focus else None)
    on_cycle = {n for c in cycles for n in (c.goroutine, c.received, c.sent)}
    marked = {(c.received, c.goroutine) for c in cycles} | {(c.sent, c.goroutine) for c in cycles}
    red = f"color={_q(CYCLE_COLOR)}, fontcolor={_q(CYCLE_COLOR)}, penwidth=2.5"
    lines = ["digraph channel_flow {", "  rankdir=LR;"]
    for n, d in sorted(g.nodes(data=True)):
        mark = f", {red}, style=bold" if n in on_cycle else ""
        if d.get("kind") == "channel":
            lines.append(
                f"  {_q(n)} [shape=box, label={_q(n + ' (cap ' + str(_capacity(d.get('capacity'))) + ')')}{mark}];"
            )
        else:
            lines.append(f"  {_q(n)} [shape=ellipse{mark}];")
    for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("line", 0))):
        label = f"{d['kind']} {d['function']}:{d['line']}"
        mark = f", {red}" if (a, b) in marked else ""
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
