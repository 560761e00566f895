"""GIM301/GIM302: templates, the sink catalog, config sinks, and cross-root runs."""

from pathlib import Path

import pytest

from golint_im.analysis import templates as A
from golint_im.analysis.sink_catalog import load_catalog
from golint_im.config import Config
from golint_im.engine import Options, analyse
from golint_im.registry import DOC_SECTIONS, rule_modules


def t(*parts):
    """Template from text and holes: t("%s", ".svc:", "%d")."""
    out = []
    for p in parts:
        out.append(A.hole(p[1]) if p.startswith("%") and len(p) == 2 else A.lit(p))
    return A.join_parts(out)


def test_parse_format_verbs_flags_and_indexes():
    got = list(A.parse_format("%s-gw-%02d.%[1]s:%d%%"))
    assert got == [
        ("verb", "s", 0),
        ("lit", "-gw-"),
        ("verb", "d", 1),
        ("lit", "."),
        ("verb", "s", 0),
        ("lit", ":"),
        ("verb", "d", 1),
        ("lit", "%"),
    ]


def test_shape_takes_an_address_apart():
    s = A.shape(A.norm(t("http://", "%s", ".svc:", "%d", "/")))
    assert (s.scheme, s.body, s.port, s.trailing) == ("http://", A.HOLE + ".svc", A.INT_HOLE, "/")
    assert A.shape(A.norm(t("[", "%s", "]:", "%d"))).bracketed


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (t("%s", ".svc.cluster.local:", "%d"), t("%s", ".svc.cluster.local"), "port suffix"),
        (t("http://", "%s", ".svc:", "%d"), t("%s", ".svc:", "%d"), "scheme prefix"),
        (t("%s", ".svc.cluster.local."), t("%s", ".svc.cluster.local"), "trailing dot"),
        (t("[", "%s", "]:", "%d"), t("%s", ":", "%d"), "IPv6 brackets"),
        (t("%s", ".Cache.svc"), t("%s", ".cache.svc"), "letter case"),
        (t("%s", "-cache-", "%d"), t("%s", "_cache_", "%d"), "separators"),
        (t("%s", ".svc:80"), t("%s", ".svc:88"), "port 80 vs 88"),
    ],
)
def test_differences_name_what_differs(a, b, expected):
    assert A.skeleton(a) == A.skeleton(b)
    assert any(d.startswith(expected) for d in A.differences(a, b)), A.differences(a, b)


def test_same_template_modulo_hole_verbs_is_no_difference():
    assert A.differences(t("%s", ".svc:", "%d"), t("%v", ".svc:", "%s")) == []


def test_joinhostport_versus_plain_colon_is_a_bracket_difference():
    jhp = (A.hole("jhp", "host"), A.lit(":"), A.hole("d", "port"))
    assert any("JoinHostPort" in d for d in A.differences(jhp, t("%s", ":", "%d")))


def test_skeleton_ignores_port_scheme_and_case_but_not_words():
    assert A.skeleton(t("HTTP://", "%s", "-GW.svc:", "%d")) == A.skeleton(t("%s", "-gw.svc"))
    assert A.skeleton(t("shard-", "%d")) != A.skeleton(t("%s", ":", "%d"))
    assert not A.distinctive(A.skeleton(t("%s", ":", "%d")))
    assert A.distinctive(A.skeleton(t("shard-", "%d")))


@pytest.mark.parametrize(
    "template,bare",
    [
        (t("%s", ":", "%d"), True),
        (t("%v", ":", "%v"), True),
        (t("dns:///", "%s", ":", "%d"), True),
        (t("%s", ":0"), True),
        (t("http://", "%s", ":", "%d", "/metrics"), True),
        (t("%s", ".svc:", "%d"), False),  # a DNS name: cannot be an IPv6 literal
        (t(":", "%d"), False),  # no host
        (t("localhost:", "%d"), False),
        (t("[", "%s", "]:", "%d"), False),
        (t("%s", ":", "%s", ":", "%d"), False),
    ],
)
def test_bare_host_port(template, bare):
    assert A.bare_host_port(template) is bare


@pytest.mark.parametrize(
    "template,like",
    [
        (t("%s", ".cache.", "%s", ".svc.cluster.local."), True),
        (t("http://", "%s"), True),
        (t("%s", ":8080"), True),
        (t("%s", "-", "%d"), False),
        (t("token/", "%s"), False),
    ],
)
def test_address_like(template, like):
    assert A.address_like(template) is like


def test_user_platform_key_is_not_an_address():
    key = (A.hole("s", "userID"), A.lit(":"), A.hole("d", "platform"))
    assert not A.address_like(key)
    assert A.address_like((A.hole("s", "peerIP"), A.lit(":"), A.hole("d", "port")))


def test_catalog_is_well_formed():
    sinks, ctors = load_catalog()
    kinds = {s.kind for s in sinks.values()}
    assert kinds <= {"member", "members", "hash", "dial", "listen", "lookup"}
    assert {"member", "members", "hash", "dial", "listen", "lookup"} <= kinds
    for (pkg, recv, name), spec in sinks.items():
        if spec.kind in ("member", "members"):
            assert spec.ring, (pkg, recv, name)
    assert sinks[("github.com/stathat/consistent", "Consistent", "Get")].kind == "lookup"
    assert all("#" in returns for returns in ctors.values())


def test_rules_document_every_section():
    for mod in rule_modules():
        if mod.ID in ("GIM301", "GIM302"):
            for section in DOC_SECTIONS:
                assert f"## {section}" in mod.__doc__, (mod.ID, section)


RING_PKG = """package ring

import "sort"

// Table is a project-specific ring the catalog does not know.
type Table struct{ names []string }

func (t *Table) Enroll(name string) { t.names = append(t.names, name); sort.Strings(t.names) }
"""

USER_PKG = """package app

import (
	"fmt"

	"example.com/cfgsink/ring"
)

var tbl = &ring.Table{}

func fromDiscovery(pod, ns string, port int) {
	tbl.Enroll(fmt.Sprintf("%s.relay.%s.svc:%d", pod, ns, port))
}

func fromAnnounce(pod, ns string) {
	tbl.Enroll(fmt.Sprintf("%s.relay.%s.svc", pod, ns))
}
"""


def _write_module(root: Path, module: str, files: dict):
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text(f"module {module}\n\ngo 1.21\n")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _run(paths, hash_sinks=(), rules=("GIM301", "GIM302")):
    cfg = Config(hash_sinks=list(hash_sinks))
    result, _ = analyse(Options(paths=[str(p) for p in paths], rules=set(rules), config=cfg, cache_dir=None))
    return result.findings


def test_config_hash_sinks_add_a_project_ring(tmp_path):
    _write_module(tmp_path / "m", "example.com/cfgsink", {"ring/ring.go": RING_PKG, "app/app.go": USER_PKG})
    assert _run([tmp_path / "m"]) == []  # Table/Enroll: not a ring by name, not in the catalog
    for spelling in ("ring.Table.Enroll", "example.com/cfgsink/ring.Table.Enroll"):
        found = _run([tmp_path / "m"], hash_sinks=[spelling])
        assert [(f.rule_id, f.location.path, f.location.line) for f in found] == [("GIM301", "app/app.go", 16)]
        assert "port suffix" in found[0].message


GATEWAY = """package peers

import (
	"fmt"

	"github.com/stathat/consistent"
)

func Build(pods []string, ns string, port int) *consistent.Consistent {
	c := consistent.New()
	for _, p := range pods {
		c.Add(fmt.Sprintf("%s.gw-headless.%s.svc.cluster.local:%d", p, ns, port))
	}
	return c
}
"""

PROXY = """package balance

import (
	"fmt"

	"github.com/stathat/consistent"
)

func Build(pods []string, ns string) *consistent.Consistent {
	c := consistent.New()
	for _, p := range pods {
		c.Add(fmt.Sprintf("%s.gw-headless.%s.svc.cluster.local", p, ns))
	}
	return c
}
"""


def test_two_roots_are_one_deployment(tmp_path):
    _write_module(tmp_path / "gateway", "example.com/gateway", {"peers/peers.go": GATEWAY})
    _write_module(tmp_path / "proxy", "example.com/proxy", {"balance/balance.go": PROXY})
    assert _run([tmp_path / "gateway"]) == []
    assert _run([tmp_path / "proxy"]) == []
    found = _run([tmp_path / "gateway", tmp_path / "proxy"])
    assert len(found) == 1
    f = found[0]
    assert (f.rule_id, f.location.path, f.location.line) == ("GIM301", "proxy/balance/balance.go", 12)
    assert f.related[0].location.path == "gateway/peers/peers.go"
    assert "`%s.gw-headless.%s.svc.cluster.local` here vs `%s.gw-headless.%s.svc.cluster.local:%d`" in f.message
    step_paths = {s.location.path for s in f.steps}
    assert step_paths == {"gateway/peers/peers.go", "proxy/balance/balance.go"}


URL_MEMBERS = """package main

import (
	"fmt"
	"net/url"

	"github.com/stathat/consistent"
)

var backends = consistent.New()

func fromProbe(pod string) {
	u := url.URL{Scheme: "http", Host: pod + ".render.svc:8080", Path: "/"}
	backends.Add(u.String())
}

func fromConfig(pod string) {
	backends.Add(fmt.Sprintf("%s.render.svc:8080", pod))
}
"""


def test_url_string_members_are_templates(tmp_path):
    _write_module(tmp_path / "m", "example.com/urls", {"main.go": URL_MEMBERS})
    found = _run([tmp_path / "m"])
    assert [(f.rule_id, f.location.line) for f in found] == [("GIM301", 18)]
    assert "scheme prefix" in found[0].message and "trailing slash" in found[0].message


SPREAD = """package main

import (
	"fmt"

	"github.com/stathat/consistent"
)

func primary(pods []string) []string {
	var out []string
	for _, p := range pods {
		out = append(out, fmt.Sprintf("%s.queue.prod.svc:%d", p, 5672))
	}
	return out
}

func standby(pods ...string) []string {
	var out []string
	for _, p := range pods {
		out = append(out, fmt.Sprintf("%s.queue.prod.svc", p))
	}
	return out
}

func main() {
	ring := consistent.New()
	nodes := primary([]string{"q-0"})
	nodes = append(nodes, standby("q-1", "q-2")...)
	ring.Set(nodes)
}
"""

ELIDED = """package main

import (
	"fmt"
	"net"
	"os"
)

type listener struct {
	host string
	port int
}

func main() {
	all := []*listener{{host: "[::1]", port: 7001}, {host: "127.0.0.1", port: 7002}}
	for _, l := range all {
		ln, _ := net.Listen("tcp", fmt.Sprintf("%s:%d", l.host, l.port))
		ln.Close()
	}
	more := []*listener{{host: os.Getenv("BIND"), port: 7003}}
	for _, m := range more {
		ln, _ := net.Listen("tcp", fmt.Sprintf("%s:%d", m.host, m.port))
		ln.Close()
	}
}
"""


def test_spread_append_and_variadic_parameters_are_followed(tmp_path):
    _write_module(tmp_path / "m", "example.com/spread", {"main.go": SPREAD})
    found = _run([tmp_path / "m"])
    assert [(f.rule_id, f.location.line) for f in found] == [("GIM301", 20)]


def test_elided_composite_literal_hosts_are_known(tmp_path):
    """Bracketed literal hosts in []*T{{...}} are safe; a host from the environment is not."""
    _write_module(tmp_path / "m", "example.com/elided", {"main.go": ELIDED})
    found = _run([tmp_path / "m"])
    assert [(f.rule_id, f.location.line) for f in found] == [("GIM302", 22)]


def test_template_parts_are_read_through_helpers():
    jhp = (A.hole("jhp", "host"),)
    assert A.single_hole(jhp) == "host" and A.single_hole(t("%s", ":")) is None
    assert A.hole_label(A.hole("d", "port")) == "port" and A.hole_label(A.lit(":")) is None
    assert A.is_hole(A.hole("s")) and not A.is_hole(A.lit("x"))
    assert A.map_text(t("GW-", "%s"), str.lower) == t("gw-", "%s")
    pieces = list(A.parse_format("a%d"))
    assert [A.format_verb(p) for p in pieces] == [None, ("d", 0)] and pieces[0] == A.lit("a")


TRACED = """package app

import "fmt"

type Server struct{ Addr string }

func newServer(host string, port int) *Server {
	return &Server{Addr: fmt.Sprintf("%s:%d", host, port)}
}

func use(s *Server) string { return s.Addr }
"""


def test_value_trace_is_a_layer_of_its_own(tmp_path):
    """A rule that only asks where a value comes from gets the tracer alone: no sinks, no rule IDs."""
    from golint_im.analysis.templates import render
    from golint_im.analysis.values import VALUE_TRACE
    from golint_im.findings import Location

    _write_module(tmp_path / "m", "example.com/traced", {"app/app.go": TRACED})
    _result, ctx = analyse(Options(paths=[str(tmp_path / "m")], rules=set(), cache_dir=None))
    tracer = ctx.result(VALUE_TRACE)
    use = next(fn for fn in ctx.program.functions if fn.facts.name == "use")
    ret = next(op for op in use.facts.ops if op.kind == "return")
    origins = tracer.values(use, ret.args[0], Location(use.file.path, ret.line, ret.col))
    assert [(render(o.template), o.kind, o.site.line) for o in origins] == [("%s:%d", "sprintf", 8)]
    assert [step[1:] for step in origins[0].steps] == [("built", origins[0].template, "fmt.Sprintf")]  # one line
