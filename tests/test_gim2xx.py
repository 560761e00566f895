"""GIM201-204: the catalog, project-configured constructors and closers, and a few path shapes."""

from pathlib import Path

import pytest

from golint_im.analysis import resources
from golint_im.config import Config
from golint_im.engine import Options, analyse
from golint_im.registry import rule_modules

GO_MOD = "module example.com/app\n\ngo 1.21\n"


def run(tmp_path: Path, files: dict, resources=None, rules=("GIM201", "GIM202", "GIM203", "GIM204")):
    (tmp_path / "go.mod").write_text(GO_MOD)
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    config = Config(resources=resources or {})
    result, _ = analyse(Options(paths=[str(tmp_path)], rules=set(rules), config=config))
    return result.findings


def test_catalog_has_one_table_per_rule():
    kinds = resources.load_kinds()
    mods = {m.ID: m for m in rule_modules()}
    by_rule = {rid: kinds[mods[rid].RESOURCE] for rid in ("GIM201", "GIM202", "GIM203", "GIM204")}
    assert len(kinds) == 4
    assert {rid: k.config_key for rid, k in by_rule.items()} == {rid: rid for rid in by_rule}
    assert "google.golang.org/grpc.NewClient" in by_rule["GIM201"].constructors
    assert "net/http.Client.Do" in by_rule["GIM203"].constructors
    assert by_rule["GIM203"].suffix == ("Body",)
    assert "CloseSend" in by_rule["GIM204"].closers


def test_rules_are_registered_with_docs():
    mods = {m.ID: m for m in rule_modules()}
    for rid in ("GIM201", "GIM202", "GIM203", "GIM204"):
        doc = mods[rid].__doc__
        for section in ("What it does", "Why is this bad", "Example", "Fix", "Known limits"):
            assert f"## {section}" in doc, (rid, section)


DIALER = """package dialer

type Conn struct{}

func (c *Conn) Send(b []byte) error { return nil }
func (c *Conn) Shutdown() error     { return nil }

func MustDial(addr string) *Conn { return &Conn{} }
"""

USER = """package main

import "example.com/app/dialer"

func send(addr string, b []byte) error {
	c := dialer.MustDial(addr)
	return c.Send(b)
}

func sendAndStop(addr string, b []byte) error {
	c := dialer.MustDial(addr)
	defer c.Shutdown()
	return c.Send(b)
}

func main() {}
"""


@pytest.mark.parametrize("name", ["example.com/app/dialer.MustDial", "dialer.MustDial"])
def test_config_constructor_by_import_path_or_package_name(tmp_path, name):
    findings = run(
        tmp_path,
        {"dialer/dialer.go": DIALER, "main.go": USER},
        resources={"GIM202": {"constructors": [name], "closers": ["Shutdown"]}},
    )
    assert [(f.rule_id, f.location.line) for f in findings] == [("GIM202", 6)]
    assert "dialer.MustDial" in findings[0].message


def test_without_config_the_custom_constructor_is_unknown(tmp_path):
    assert run(tmp_path, {"dialer/dialer.go": DIALER, "main.go": USER}) == []


def test_close_only_on_one_branch_is_reported_with_the_leaking_return(tmp_path):
    src = """package main

import (
	"errors"
	"net"
)

func hello(addr string, fast bool) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if fast {
		c.Close()
		return nil
	}
	if _, err := c.Write([]byte("hi")); err != nil {
		return errors.New("write failed")
	}
	return c.Close()
}

func main() {}
"""
    findings = run(tmp_path, {"main.go": src})
    assert len(findings) == 1
    f = findings[0]
    assert (f.rule_id, f.location.line) == ("GIM202", 9)
    assert "`c.Write` fails (return at line 18)" in f.message


def test_close_on_both_branches_is_released(tmp_path):
    src = """package main

import "net"

func hello(addr string, fast bool) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	if fast {
		c.Close()
	} else {
		c.Write([]byte("hi"))
		c.Close()
	}
}

func main() {}
"""
    assert run(tmp_path, {"main.go": src}) == []


def test_select_cases_are_alternatives(tmp_path):
    src = """package main

import "net"

func pump(addr string, in <-chan []byte, done <-chan struct{}) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	select {
	case b := <-in:
		c.Write(b)
		c.Close()
	case <-done:
		return
	}
}

func main() {}
"""
    findings = run(tmp_path, {"main.go": src})
    assert [f.location.line for f in findings] == [6]
    assert "when `<-done` is received (return at line 15)" in findings[0].message


def test_findings_are_deterministic(tmp_path):
    src = """package main

import "net/http"

func a(u string) int { r, _ := http.Get(u); return r.StatusCode }
func b(u string) int { r, _ := http.Get(u); return r.StatusCode }

func main() {}
"""
    first = [(f.location.line, f.message) for f in run(tmp_path, {"main.go": src})]
    second = [(f.location.line, f.message) for f in run(tmp_path, {"main.go": src})]
    assert first == second and len(first) == 2


SESSION_USER = """package main

import (
	"net"

	"github.com/acme/wire"
)

func open(addr string) (*wire.Session, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	s, err := wire.NewSession(conn)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func main() {
	if s, err := open("db:7000"); err == nil {
		s.Close()
	}
}
"""


@pytest.mark.parametrize("name", ["github.com/acme/wire.NewSession", "wire.NewSession"])
def test_config_keep_on_failure_silences_the_failed_hand_off(tmp_path, name):
    """By Go convention a library call that fails has not taken the connection, so the return after
    it leaks; a project whose library closes it on failure says so in `keep-on-failure`."""
    assert [f.rule_id for f in run(tmp_path, {"main.go": SESSION_USER})] == ["GIM202"]
    quiet = run(tmp_path, {"main.go": SESSION_USER}, resources={"GIM202": {"keep-on-failure": [name]}})
    assert quiet == []
