"""Export the channel-flow graph for people: DOT for Graphviz, JSON for tools.

Besides send/receive edges, each loop receive lists the sends its handler
can reach and the call path to them, so a reader can follow a suspected
deadlock without the source open.
"""
from __future__ import annotations

import json

from .analysis.flow import ChannelFlow, handler_ops
from .escape import printable


def _capacity(c):
    return "unknown" if c is None else c


def handler_paths(flow: ChannelFlow):
    out = []
    for ch, fn, recv in flow.loop_receives():
        for send_fn, op, path, key in flow.reachable_sends(fn, handler_ops(fn, recv)):
            out.append({
                "receive": {"channel": ch.label, "function": fn.short, "path": fn.file.path, "line": recv.line},
                "send": {"channel": flow.label(key) if key not in flow.channels else flow.channels[key].label,
                         "function": send_fn.short, "path": send_fn.file.path, "line": op.line},
                "calls": [{"caller": c.short, "line": o.line, "callee": callee.short, "via": via}
                          for c, o, callee, via in path],
            })
    return out


def to_json(flow: ChannelFlow) -> str:
    g = flow.graph
    nodes = [{"id": n, **{k: v for k, v in d.items()}} for n, d in sorted(g.nodes(data=True))]
    edges = sorted(({"from": a, "to": b, **d} for a, b, d in g.edges(data=True)),
                   key=lambda e: (e["from"], e["to"], e.get("line", 0), e.get("kind", "")))
    # ASCII-only: names from the tree (controls, bidi marks, undecodable bytes) come out as \u escapes.
    return json.dumps({"nodes": nodes, "edges": edges, "handler_paths": handler_paths(flow)},
                      indent=2, sort_keys=True) + "\n"


def _q(s: str) -> str:
    """A DOT quoted string; a newline or control in a name is escaped, never a line of its own."""
    return '"' + printable(s.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def to_dot(flow: ChannelFlow) -> str:
    g = flow.graph
    lines = ["digraph channel_flow {", "  rankdir=LR;"]
    for n, d in sorted(g.nodes(data=True)):
        if d.get("kind") == "channel":
            lines.append(f"  {_q(n)} [shape=box, label={_q(n + ' (cap ' + str(_capacity(d.get('capacity'))) + ')')}];")
        else:
            lines.append(f"  {_q(n)} [shape=ellipse];")
    for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("line", 0))):
        label = f"{d['kind']} {d['function']}:{d['line']}"
        lines.append(f"  {_q(a)} -> {_q(b)} [label={_q(label)}];")
    for hp in handler_paths(flow):
        chain = " -> ".join(c["callee"] + (f" [{c['via']}]" if c["via"] else "") for c in hp["calls"])
        comment = (f"handler of {hp['receive']['channel']} ({hp['receive']['function']}:"
                   f"{hp['receive']['line']}) reaches send on {hp['send']['channel']} at "
                   f"{hp['send']['path']}:{hp['send']['line']} via {chain or 'direct'}")
        lines.append("  // " + printable(comment))  # a newline in a name would end the comment
    lines.append("}")
    return "\n".join(lines) + "\n"
