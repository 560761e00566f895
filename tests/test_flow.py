"""Channel-flow graph: channel identity, capacities, aliasing, and the `graph` export."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from golint_im.analysis.flow import CHANNEL_FLOW, handler_ops
from golint_im.cli import main
from golint_im.engine import Options, analyse

GATEWAY = """
package gw

const queueSize = 1000

type WsServer struct {
	registerChan   chan *Client
	unregisterChan chan *Client
}

type Client struct{ id int }

func NewWsServer() *WsServer {
	return &WsServer{
		registerChan:   make(chan *Client, queueSize),
		unregisterChan: make(chan *Client, queueSize*2),
	}
}

func (ws *WsServer) Register(c *Client) { ws.registerChan <- c }

func (ws *WsServer) Run() {
	for {
		select {
		case c := <-ws.registerChan:
			ws.forward(ws.unregisterChan, c)
		case <-ws.unregisterChan:
		}
	}
}

func (ws *WsServer) forward(out chan *Client, c *Client) {
	out <- c
}

func pump(in chan int) {
	for v := range in {
		_ = v
	}
}

func main() {
	ws := NewWsServer()
	go ws.Run()
	local := make(chan int, 3)
	go pump(local)
	local <- 1
	close(local)
}
"""


def line(snippet: str) -> int:
    """1-based line of the first line of GATEWAY containing snippet."""
    lines = textwrap.dedent(GATEWAY).lstrip().splitlines()
    return next(i for i, text in enumerate(lines, 1) if snippet in text)


@pytest.fixture
def gateway(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "go.mod").write_text("module example.com/gw\n")
    (tmp_path / "ws.go").write_text(textwrap.dedent(GATEWAY).lstrip())
    return tmp_path


@pytest.fixture
def flow(gateway):
    _result, ctx = analyse(Options(paths=[str(gateway)], jobs=1, cache_dir=None))
    return ctx.result(CHANNEL_FLOW)


def where(pairs) -> list:
    return sorted((fn.short, op.line) for fn, op in pairs)


def test_field_channel_is_one_channel_across_methods_with_const_capacity(flow):
    key = "field:example.com/gw#WsServer.registerChan"
    ch = flow.channels[key]
    assert ch.label == "WsServer.registerChan"
    assert ch.capacity == 1000
    assert ch.elem == "*example.com/gw#Client"
    # The send in Register and the receive in Run are on the same channel.
    assert where(ch.sends) == [("gw.(*WsServer).Register", line("ws.registerChan <- c"))]
    assert where(ch.receives) == [("gw.(*WsServer).Run", line("case c := <-ws.registerChan"))]
    assert where(ch.make_sites) == [("gw.NewWsServer", line("registerChan:   make"))]
    assert flow.channels["field:example.com/gw#WsServer.unregisterChan"].capacity == 2000


def test_channel_parameter_aliases_to_the_callers_channel(flow):
    unregister = flow.channels["field:example.com/gw#WsServer.unregisterChan"]
    assert where(unregister.sends) == [("gw.(*WsServer).forward", line("out <- c"))]
    local = next(ch for ch in flow.channels.values() if ch.label == "local")
    assert local.capacity == 3
    assert [op.mode for _fn, op in local.receives] == ["range"]
    assert where(local.receives) == [("gw.pump", line("range in"))]
    assert where(local.closes) == [("gw.main", line("close(local)"))]
    assert len(flow.channels) == 3  # `out` and `in` are not channels of their own


def test_receivers_and_reachable_sends_from_a_handler(flow):
    program = flow.program
    run = next(f for f in program.functions if f.name == "(*WsServer).Run")
    key = flow.key(run, ("sel", ("id", "ws"), "registerChan"))
    assert {program.functions[i].short for i in flow.receivers(key)} == {"gw.(*WsServer).Run"}
    loops = {(ch.label, fn.short) for ch, fn, _op in flow.loop_receives()}
    assert ("WsServer.registerChan", "gw.(*WsServer).Run") in loops
    ch, fn, recv = next(x for x in flow.loop_receives() if x[0].label == "WsServer.registerChan")
    reached = [
        (sfn.short, op.line, k, [(c.short, o.line, callee.short) for c, o, callee, _via in path])
        for sfn, op, path, k in flow.reachable_sends(fn, handler_ops(fn, recv))
    ]
    assert reached == [
        (
            "gw.(*WsServer).forward",
            line("out <- c"),
            "field:example.com/gw#WsServer.unregisterChan",
            [("gw.(*WsServer).Run", line("ws.forward("), "gw.(*WsServer).forward")],
        )
    ]


def test_goroutine_entries(flow):
    program = flow.program
    pump = next(f for f in program.functions if f.name == "pump")
    assert [op.mode for _caller, op in pump.go_sites] == ["go"]
    assert flow.entries(pump) == frozenset({pump.id})


def _graph(gateway, monkeypatch, fmt):
    monkeypatch.setenv("XDG_CACHE_HOME", str(gateway.parent / ".cache-home"))  # not in the tree: refused there
    result = CliRunner().invoke(main, ["graph", str(gateway), "--format", fmt, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_graph_json_has_goroutine_and_channel_nodes(gateway, monkeypatch):
    data = json.loads(_graph(gateway, monkeypatch, "json"))
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    assert kinds["chan WsServer.registerChan"] == "channel"
    assert kinds["goroutine gw.(*WsServer).Run"] == "goroutine"
    caps = {n["id"]: n.get("capacity") for n in data["nodes"]}
    assert caps["chan WsServer.registerChan"] == 1000
    edges = {(e["from"], e["to"], e["kind"]) for e in data["edges"]}
    assert ("chan WsServer.registerChan", "goroutine gw.(*WsServer).Run", "recv") in edges
    assert ("goroutine gw.(*WsServer).Run", "chan WsServer.unregisterChan", "send") in edges
    (hp,) = [h for h in data["handler_paths"] if h["receive"]["channel"] == "WsServer.registerChan"]
    assert hp["send"]["channel"] == "WsServer.unregisterChan"
    assert [c["callee"] for c in hp["calls"]] == ["gw.(*WsServer).forward"]


def test_graph_dot(gateway, monkeypatch):
    dot = _graph(gateway, monkeypatch, "dot")
    assert dot.startswith("digraph channel_flow {")
    # The GIM101 cycle through Run (issue 14) is drawn in bold red.
    red = 'color="#d62728", fontcolor="#d62728", penwidth=2.5, style=bold];'
    assert f'"chan WsServer.registerChan" [shape=box, label="chan WsServer.registerChan (cap 1000)", {red}' in dot
    assert f'"goroutine gw.(*WsServer).Run" [shape=ellipse, {red}' in dot
    assert '"chan WsServer.registerChan" -> "goroutine gw.(*WsServer).Run"' in dot
    assert "// handler of WsServer.registerChan" in dot
    assert dot.rstrip().endswith("}")


def _wide_select(tmp_path, cases: int) -> str:
    """A loop whose select has `cases` receive cases, each handling its value with one send."""
    fields = "\n".join(f"\tc{i} chan int" for i in range(cases))
    arms = "\n".join(f"\t\tcase v := <-s.c{i}:\n\t\t\ts.c{(i + 1) % cases} <- v" for i in range(cases))
    run = f"func (s *S) Run() {{\n\tfor {{\n\t\tselect {{\n{arms}\n\t\t}}\n\t}}\n}}\n"
    src = f"package main\n\ntype S struct {{\n{fields}\n}}\n\n{run}"
    (tmp_path / "go.mod").write_text("module example.com/wide\n")
    (tmp_path / "main.go").write_text(src)
    return str(tmp_path)


class _CountingOps(list):
    """A function's op list that counts how many ops are read, by index or by iteration."""

    reads = 0

    def __getitem__(self, i):
        _CountingOps.reads += 1
        return super().__getitem__(i)

    def __iter__(self):
        for op in super().__iter__():
            _CountingOps.reads += 1
            yield op


def _handler_ops_by_scanning(fn, recv):
    """What handler_ops computes, written the obvious way: every op of the function, for every receive."""
    regions = fn.facts.regions
    stop, after = (recv.body, (0, 0)) if recv.mode in ("case", "range") else (recv.region, (recv.line, recv.col))
    if recv.mode not in ("case", "range"):
        while stop >= 0 and regions[stop].kind not in ("for", "range"):
            stop = regions[stop].parent
    out = []
    for op in fn.facts.ops:
        r = op.region
        while r >= 0 and r != stop:
            r = regions[r].parent
        if r == stop and (op.line, op.col) > after:
            out.append(op)
    return out


def test_handler_ops_of_every_case_read_each_op_a_bounded_number_of_times(tmp_path):
    """A select with thousands of cases must not cost cases x ops (it took 28 s at 16,000 cases)."""
    _result, ctx = analyse(Options(paths=[_wide_select(tmp_path, 600)], jobs=1, cache_dir=None, rules=set()))
    run = next(f for f in ctx.program.functions if f.facts.name == "Run")
    receives = [op for op in run.facts.ops if op.kind == "recv"]
    expected = [_handler_ops_by_scanning(run, r) for r in receives]
    run.facts.ops = _CountingOps(run.facts.ops)
    _CountingOps.reads = 0
    got = [list(handler_ops(run, r)) for r in receives]
    assert got == expected
    assert _CountingOps.reads <= 3 * len(run.facts.ops)  # the naive scan reads 600 x 1,200


def test_handler_ops_match_the_scan_on_the_gateway(flow):
    for _ch, fn, recv in flow.loop_receives():
        assert list(handler_ops(fn, recv)) == _handler_ops_by_scanning(fn, recv)


DECOYS = """
package main

type Conn struct{ owner owner }

type owner interface{ Logout(c *Conn) }

type Hub struct{ logins, logouts chan *Conn }

func (h *Hub) Logout(c *Conn) { h.logouts <- c }

type A struct{}
type B struct{}
type C struct{}
type D struct{}

func (A) Logout(c *Conn) {}
func (B) Logout(c *Conn) {}
func (C) Logout(c *Conn) {}
func (D) Logout(c *Conn) {}

func (h *Hub) Run() {
	for {
		select {
		case c := <-h.logins:
			c.owner.Logout(c)
		case <-h.logouts:
		}
	}
}

func main() {
	h := &Hub{logins: make(chan *Conn, 1), logouts: make(chan *Conn, 1)}
	go h.Run()
}
"""


def test_decoys_never_made_do_not_hide_the_path(tmp_path):
    """Four types that only declare a method of the same name are never made: the call has one target."""
    (tmp_path / "go.mod").write_text("module example.com/decoys\n")
    (tmp_path / "main.go").write_text(DECOYS)
    result, _ = analyse(Options(paths=[str(tmp_path)], jobs=1, cache_dir=None, rules={"GIM101"}))
    assert [f.rule_id for f in result.findings] == ["GIM101"]
    assert result.debug["GIM101_interface_calls_too_wide_to_follow"] == 0


def test_a_call_too_wide_to_follow_is_counted_in_debug(tmp_path):
    """Decoys that are all made are too many to follow; the run must say so, not stay silent about it."""
    made = "".join(f"var _ = {t}{{}}\n" for t in "ABCD")
    many = "".join(f"type E{i} struct{{}}\n\nfunc (E{i}) Logout(c *Conn) {{}}\n\nvar _ = E{i}{{}}\n" for i in range(20))
    (tmp_path / "go.mod").write_text("module example.com/decoys\n")
    (tmp_path / "main.go").write_text(DECOYS + made + many)
    result, _ = analyse(Options(paths=[str(tmp_path)], jobs=1, cache_dir=None, rules={"GIM101"}))
    assert result.debug["GIM101_interface_calls_too_wide_to_follow"] == 1
    assert [n.line for n in result.notices if "possible implementations" in n.message] == [26]
