"""`golint-im graph`: the deadlock cycle marked, --focus, and an HTML page a browser shows.

The browser test renders the page in headless Chromium (skipped when none is
installed: `apt-get install chromium`) and checks the screenshot: the page
loads and the cycle's red is on it.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_cli import gim

from golint_im.graph_export import CYCLE_COLOR

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/deadlock"
LOOP = "examples/deadlock/main.go:67"


def graph(*args, tmp_path):
    r = gim("graph", EXAMPLE, *args, cwd=ROOT, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_dot_marks_the_cycle_and_chains_the_handler_path(tmp_path):
    dot = graph(tmp_path=tmp_path)
    red = f'color="{CYCLE_COLOR}"'
    assert re.search(rf'"goroutine main.\(\*Gateway\).Run" \[shape=ellipse, {red}', dot)
    assert re.search(rf'"chan Gateway.logouts" -> "goroutine main.\(\*Gateway\).Run" \[label="[^"]*", {red}', dot)
    assert '"goroutine main.main.func1" [shape=ellipse];' in dot  # not on the cycle: plain
    chain = re.findall(r'\[label="(\d\. calls[^"]*)"', dot)
    assert chain == ["1. calls", "2. calls", "3. calls", "4. calls (interface connOwner.Logout)"]
    assert 'label="blocks sending"' in dot
    assert f'graph [label="GIM101 at {LOOP}: the handler path"' in dot
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=dot, text=True, check=True, capture_output=True)


def test_focus_keeps_only_that_finding(tmp_path):
    whole = json.loads(graph("--format", "json", tmp_path=tmp_path))
    focused = json.loads(graph("--format", "json", "--focus", f"GIM101@{LOOP}", tmp_path=tmp_path))
    assert len(focused["cycles"]) == 1 and focused["cycles"][0]["sent"] == "chan Gateway.logouts"
    assert {n["id"] for n in focused["nodes"]} == {
        "chan Gateway.logins",
        "chan Gateway.logouts",
        "goroutine main.(*Gateway).Run",
    }
    assert "goroutine main.main.func1" in {n["id"] for n in whole["nodes"]}
    by_fingerprint = graph(
        "--format", "json", "--focus", focused["cycles"][0]["finding"]["fingerprint"][:10], tmp_path=tmp_path
    )
    assert json.loads(by_fingerprint)["cycles"] == focused["cycles"]
    missing = gim(
        "graph",
        EXAMPLE,
        "--focus",
        "examples/deadlock/main.go:1",
        cwd=ROOT,
        env={"XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert missing.returncode == 2 and "no GIM1xx finding there" in missing.stderr


def test_html_embeds_the_svg_beside_the_findings(tmp_path):
    page = graph("--format", "html", tmp_path=tmp_path)
    assert (
        page.startswith("<!DOCTYPE html>")
        and "<script" not in page
        and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('class="edge cycle"') == 7  # receive, 4 calls, the blocking send, the drain
    assert "main.(*Conn).Kick" in svg and "1. calls" in svg
    aside = page[page.index("<aside>") :]
    assert "GIM101" in aside and "examples/deadlock/main.go:67:8" in aside
    assert "sends on `Gateway.logouts`" in aside  # the code flow, step by step


BLOCKING = (Path(__file__).parent / "data" / "graph_blocking.go").read_text()


def _blocking_graph(tmp_path, *args):
    prog = tmp_path / "prog"
    prog.mkdir(exist_ok=True)
    (prog / "go.mod").write_text("module example.com/blocked\n\ngo 1.22\n")
    (prog / "main.go").write_text(BLOCKING)
    r = gim("graph", ".", *args, cwd=prog, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_blocking_findings_mark_their_goroutines_channels_and_locks(tmp_path):
    doc = json.loads(_blocking_graph(tmp_path, "--format", "json"))
    marks = {m["finding"]["rule"]: m for m in doc["marks"]}
    assert set(marks) == {"GIM102", "GIM104", "GIM105"}
    # the forgotten sender: the goroutine that returns early and the one left sending
    assert marks["GIM102"]["channels"] == ["chan results"]
    assert set(marks["GIM102"]["goroutines"]) == {"goroutine main.main", "goroutine main.First.func1"}
    # double lock through a call: the same goroutine holds Store.mu and waits for it in size
    double = {(e["function"], e["lock"], e["kind"]) for e in marks["GIM104"]["locks"]}
    assert double == {("main.(*Store).Put", "lock Store.mu", "locks"), ("main.(*Store).size", "lock Store.mu", "waits")}
    # the inversion: each goroutine holds one lock and waits for the other
    inversion = {(e["goroutine"], e["lock"], e["kind"]) for e in marks["GIM105"]["locks"]}
    assert inversion == {
        ("goroutine main.main.func1", "lock Store.mu", "locks"),
        ("goroutine main.main.func1", "lock Index.mu", "waits"),
        ("goroutine main.main.func2", "lock Index.mu", "locks"),
        ("goroutine main.main.func2", "lock Store.mu", "waits"),
    }
    kinds = {n["id"]: n["kind"] for n in doc["nodes"]}
    assert kinds["lock Store.mu"] == kinds["lock Index.mu"] == "lock"
    assert kinds["finding GIM105 at main.go:45"] == "finding"
    edges = {(e["from"], e["to"], e["kind"]) for e in doc["edges"]}
    assert ("goroutine main.main.func2", "lock Store.mu", "waits") in edges
    assert ("finding GIM105 at main.go:45", "lock Index.mu", "marks") in edges


@pytest.mark.parametrize(
    ("spec", "nodes"),
    [
        (
            "GIM105@main.go:45",
            {
                "finding GIM105 at main.go:45",
                "goroutine main.main.func1",
                "goroutine main.main.func2",
                "lock Index.mu",
                "lock Store.mu",
            },
        ),
        ("GIM104@main.go:29", {"finding GIM104 at main.go:29", "goroutine main.main", "lock Store.mu"}),
        (
            "main.go:66",
            {"finding GIM102 at main.go:66", "goroutine main.main", "goroutine main.First.func1", "chan results"},
        ),
    ],
)
def test_focus_on_each_blocking_finding(tmp_path, spec, nodes):
    doc = json.loads(_blocking_graph(tmp_path, "--format", "json", "--focus", spec))
    assert {n["id"] for n in doc["nodes"]} == nodes and len(doc["marks"]) == 1 and doc["cycles"] == []
    dot = _blocking_graph(tmp_path, "--focus", spec)
    assert all(f'"{n}" [shape=' in dot for n in nodes) and f'color="{CYCLE_COLOR}"' in dot
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=dot, text=True, check=True, capture_output=True)
    page = _blocking_graph(tmp_path, "--format", "html", "--focus", spec)
    assert "<script" not in page and "1 other blocking finding marked in red" in page


def test_whole_blocking_graph_parses_as_dot(tmp_path):
    dot = _blocking_graph(tmp_path)
    assert '"lock Store.mu" [shape=octagon' in dot and '"finding GIM104 at main.go:29" [shape=note' in dot
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=dot, text=True, check=True, capture_output=True)


def test_html_escapes_what_comes_from_the_code(tmp_path):
    import networkx as nx

    from golint_im.findings import Finding, Location
    from golint_im.graph_html import render_html

    g = nx.MultiDiGraph()
    g.add_node("chan <script>", kind="channel", capacity=1)
    f = Finding("GIM203", "<img src=x onerror=alert(1)>", Location("a<b>.go", 1, 1))
    page = render_html(g, [], [f], title="</title><script>")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Rows of RGB(A) bytes from an 8-bit truecolour PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium (apt-get install chromium)")
def test_html_page_renders_in_a_browser_and_shows_the_cycle(tmp_path):
    page = tmp_path / "graph.html"
    page.write_text(graph("--format", "html", tmp_path=tmp_path), encoding="utf-8")
    shot = tmp_path / "shot.png"
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1800,900",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.stat().st_size > 1000, "Chromium wrote no screenshot"
    width, bpp, rows = _png_pixels(shot.read_bytes())
    target = bytes.fromhex(CYCLE_COLOR[1:])
    red = sum(
        1 for row in rows for x in range(0, width * bpp, bpp) if all(abs(row[x + k] - target[k]) < 40 for k in range(3))
    )
    dark = sum(1 for row in rows for x in range(0, width * bpp, bpp) if row[x] < 60 and row[x + 1] < 60)
    assert dark > 500, "the page did not render (no text)"
    assert red > 2000, f"the cycle is not drawn in red ({red} red pixels)"
    dom = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert 'class="edge cycle"' in dom and "main.(*Conn).Kick" in dom


def test_wait_findings_mark_their_waitgroup_and_cond(tmp_path):
    """GIM103 on a Wait: the WaitGroup or Cond is a node of its own, with the waiter's `waits`
    edge and the partner goroutine's `done`/`signals` edge beside the lock both need."""
    fixture = "fixtures/GIM103/want_wait_under_lock"
    r = gim("graph", fixture, "--format", "json", cwd=ROOT, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    syncs = {(e["goroutine"], e["node"], e["kind"]) for m in doc["marks"] for e in m["syncs"]}
    assert ("goroutine main.main", "waitgroup Pool.wg", "waits") in syncs
    assert ("goroutine main.(*Pool).work", "waitgroup Pool.wg", "done") in syncs
    assert ("goroutine main.(*Queue).Put", "cond Queue.cond", "signals") in syncs
    kinds = {n["id"]: n["kind"] for n in doc["nodes"]}
    assert kinds["waitgroup Pool.wg"] == "waitgroup" and kinds["cond Queue.cond"] == "cond"
    dot = gim("graph", fixture, cwd=ROOT, env={"XDG_CACHE_HOME": str(tmp_path / "cache")}).stdout
    assert '"waitgroup Pool.wg" [shape=box3d' in dot
