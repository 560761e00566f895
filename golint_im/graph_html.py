"""`golint-im graph --format html`: one self-contained page, the graph as SVG beside the findings.

For people who would rather look than read. The layout is our own, so the
page needs neither Graphviz nor JavaScript nor anything from the network:
nodes are ranked top to bottom along the longest path once the edges that
close a cycle are set aside, those edges then curve back up on the right
(a narrow page column holds a long handler chain this way), and every
GIM101 finding's cycle is drawn in the same red as in the DOT output. Every
text (file names, Go identifiers, messages) is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .findings import Finding
from .graph_export import CYCLE_COLOR, Cycle, Mark

NODE_H = 34
ROW_GAP = 46  # between ranks: room for an edge label
COL_GAP = 24  # between nodes of one rank
CHAR_W = 7.2  # monospace 12px, wide enough for the label
MARGIN = 20


@dataclass
class _Node:
    id: str
    label: str
    kind: str  # channel | goroutine | call | lock | waitgroup | cond | finding
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    cycle: bool = False


def _ranks(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering after setting aside the edges that close a cycle
    (found by depth-first search from the nodes nothing points to, in name order)."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    indeg = {n: 0 for n in nodes}
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    for n in succ:
        succ[n].sort()
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    back: set[tuple[str, str]] = set()
    for start in sorted(nodes, key=lambda n: (indeg[n] != 0, n)):
        if start in state:
            continue
        stack = [(start, iter(succ[start]))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    forward = [(a, b) for a, b in edges if (a, b) not in back and a != b]
    rank = {n: 0 for n in nodes}
    for _ in range(len(nodes)):  # relax: at most one pass per node on a DAG
        changed = False
        for a, b in forward:
            if rank[b] < rank[a] + 1:
                rank[b] = rank[a] + 1
                changed = True
        if not changed:
            break
    return rank


def layout(nodes: list[_Node], edges: list[tuple[str, str]]) -> tuple[float, float]:
    """Place nodes in rank rows, cycle nodes first and then by name within a row;
    returns (width, height), with room on the right for the edges that go back up."""
    rank = _ranks([n.id for n in nodes], edges)
    rows: dict[int, list[_Node]] = {}
    for n in sorted(nodes, key=lambda n: (not n.cycle, n.id)):
        n.w = max(80.0, len(n.label) * CHAR_W + 24)
        rows.setdefault(rank[n.id], []).append(n)
    width = 0.0
    y = MARGIN
    for r in sorted(rows):
        x: float = MARGIN
        for n in rows[r]:
            n.x, n.y = x, y
            x += n.w + COL_GAP
        width = max(width, x - COL_GAP)
        y += NODE_H + ROW_GAP
    return width + 90 + MARGIN, y - ROW_GAP + MARGIN


def _shape(n: _Node) -> str:
    stroke = CYCLE_COLOR if n.cycle else "#444"
    width = 3.0 if n.cycle else 1.2
    cls = "node cycle" if n.cycle else "node"
    common = f'class="{cls}" fill="#fff" stroke="{stroke}" stroke-width="{width}"'
    if n.kind == "goroutine":
        body = (
            f'<ellipse {common} cx="{n.x + n.w / 2:.1f}" cy="{n.y + NODE_H / 2:.1f}" '
            f'rx="{n.w / 2:.1f}" ry="{NODE_H / 2:.1f}"/>'
        )
    else:
        dash = ' stroke-dasharray="5 3"' if n.kind == "call" else ""
        radius = 10 if n.kind == "call" else 2
        body = f'<rect {common}{dash} x="{n.x:.1f}" y="{n.y:.1f}" width="{n.w:.1f}" height="{NODE_H}" rx="{radius}"/>'
    color = CYCLE_COLOR if n.cycle else "#111"
    text = (
        f'<text x="{n.x + n.w / 2:.1f}" y="{n.y + NODE_H / 2 + 4:.1f}" text-anchor="middle" '
        f'fill="{color}">{escape(n.label)}</text>'
    )
    return f"<g><title>{escape(n.id)}</title>{body}{text}</g>"


def _edge(a: _Node, b: _Node, label: str, red: bool, right: float) -> str:
    color = CYCLE_COLOR if red else "#888"
    width = 2.5 if red else 1.2
    marker = "arrow-red" if red else "arrow"
    if b.y > a.y:  # down to a later rank: bottom to top
        x1, y1, x2, y2 = a.x + a.w / 2, a.y + NODE_H, b.x + b.w / 2, b.y
        my = (y1 + y2) / 2
        d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{my:.1f} {x2:.1f},{my:.1f} {x2:.1f},{y2:.1f}"
        lx, ly, anchor = (x1 + x2) / 2 + 6, my + 4, "start"
    else:  # back up (or along one rank): out on the right, round the right margin, in on the right
        x1, y1 = a.x + a.w, a.y + NODE_H / 2
        x2, y2 = b.x + b.w, b.y + NODE_H / 2
        out = right - 40
        d = f"M{x1:.1f},{y1:.1f} C{out:.1f},{y1:.1f} {out:.1f},{y2:.1f} {x2 + 2:.1f},{y2:.1f}"
        lx, ly, anchor = out - 4, (y1 + y2) / 2, "end"
    cls = "edge cycle" if red else "edge"
    return (
        f'<g class="{cls}"><path d="{d}" fill="none" stroke="{color}" stroke-width="{width}" '
        f'marker-end="url(#{marker})"/><text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" '
        f'class="edge-label" fill="{color}">{escape(label)}</text></g>'
    )


def render_svg(graph, cycles: list[Cycle], marks: Sequence[Mark] = ()) -> str:
    """The channel-flow graph (networkx, with the marks' lock and finding nodes) plus each
    cycle's handler chain, as an SVG element; cycles and marked findings in red."""
    on_cycle = {n for c in cycles for n in (c.goroutine, c.received, c.sent)} | {n for m in marks for n in m.nodes()}
    marked_edges = {e for m in marks for e in m.edges()}
    nodes: dict[str, _Node] = {}
    for n, d in graph.nodes(data=True):
        label = n
        if d.get("kind") == "channel":
            cap = d.get("capacity")
            label = f"{n} (cap {'unknown' if cap is None else cap})"
        nodes[n] = _Node(n, label, d.get("kind", "goroutine"), cycle=n in on_cycle)
    drawn: dict[tuple[str, str], tuple[str, bool]] = {}
    for a, b, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("line", 0))):
        drawn.setdefault((a, b), (f"{d['kind']} :{d['line']}", (a, b) in marked_edges))
    for c in cycles:
        if c.chain:  # the numbered chain shows this send; a second, direct arrow would cross it
            drawn.pop((c.goroutine, c.sent), None)
        for node, (callee, _via) in zip(c.chain_nodes(), c.chain, strict=False):
            nodes[node] = _Node(node, callee, "call", cycle=True)
        for a, b, label in c.edges():
            if a in nodes and b in nodes:
                drawn[(a, b)] = (label, True)
    width, height = layout(list(nodes.values()), list(drawn))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="channel-flow graph">',
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>',
        '<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{CYCLE_COLOR}"/></marker>',
        "</defs>",
    ]
    for (a, b), (label, red) in sorted(drawn.items(), key=lambda e: (e[1][1], e[0])):
        parts.append(_edge(nodes[a], nodes[b], label, red, width))
    parts += [_shape(n) for n in sorted(nodes.values(), key=lambda n: n.id)]
    parts.append("</svg>")
    return "\n".join(parts)


_CSS = f"""
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #111; }}
header {{ padding: 12px 20px; border-bottom: 1px solid #ddd; }}
main {{ display: flex; gap: 20px; padding: 20px; align-items: flex-start; }}
figure {{ margin: 0; overflow: auto; flex: 0 1 auto; max-width: 62%; border: 1px solid #ddd; }}
svg text {{ font: 12px ui-monospace, monospace; }}
svg .edge-label {{ font-size: 10px; }}
aside {{ flex: 1 1 40%; min-width: 320px; }}
.finding {{ border-left: 4px solid {CYCLE_COLOR}; padding: 4px 12px; margin-bottom: 16px; }}
.finding.other {{ border-left-color: #999; }}
code, .loc {{ font-family: ui-monospace, monospace; font-size: 12px; }}
ol {{ padding-left: 20px; }}
"""


def render_html(graph, cycles: list[Cycle], findings: list[Finding], title: str, marks: Sequence[Mark] = ()) -> str:
    """The page: the SVG on the left, each finding with its code flow on the right."""
    in_cycle = {id(c.finding) for c in cycles} | {id(m.finding) for m in marks}
    items = []
    for f in findings:
        loc = f.location
        steps = "".join(
            f'<li><span class="loc">{escape(s.location.path)}:{s.location.line}</span> {escape(s.message)}</li>'
            for s in f.steps
        )
        related = "".join(
            f'<li>related: <span class="loc">{escape(r.location.path)}:{r.location.line}</span> '
            f"{escape(r.message)}</li>"
            for r in f.related
        )
        cls = "finding" if id(f) in in_cycle else "finding other"
        items.append(
            f'<section class="{cls}"><h3><code>{escape(f.rule_id)}</code> '
            f'<span class="loc">{escape(loc.path)}:{loc.line}:{loc.col}</span></h3>'
            f"<p>{escape(f.message)}</p>"
            + (f"<ol>{steps}</ol>" if steps else "")
            + (f"<ul>{related}</ul>" if related else "")
            + "</section>"
        )
    if not items:
        items.append("<p>No findings.</p>")
    summary = f"{len(cycles)} cycle{'' if len(cycles) == 1 else 's'} marked in red" if cycles else "no deadlock cycle"
    if marks:
        summary += f", {len(marks)} other blocking finding{'' if len(marks) == 1 else 's'} marked in red"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>golint-im: channel-flow graph</h1><p>{escape(title)}: {summary}.</p></header>"
        f"<main><figure>{render_svg(graph, cycles, marks)}</figure>"
        f"<aside><h2>Findings</h2>{''.join(items)}</aside></main>"
        "</body></html>\n"
    )
