"""The write index value tracing reads: field writes looked up by (declaring type, field)."""

from __future__ import annotations

from test_program import build

from golint_im import expr as ex
from golint_im.analysis.writes import WriteIndex

SHARED_FIELD = {
    "go.mod": "module example.com/svc\n",
    "p/p.go": """
        package p

        type A struct{ Addr string; Tags []string }
        type B struct{ Addr string }

        var shared = B{Addr: "b0"}

        func Setup(a *A, b *B) {
            a.Addr = "a1"
            b.Addr = "b1"
            a.Tags[0] = "t"
            lit := A{Addr: "a2"}
            _ = lit
            b.Addr = "b2"
            a.Addr, b.Addr = "a3", "b3"
        }
    """,
}


def _writes(index, named, field):
    return [(f.name, ex.string(rhs), kind) for f, _op, rhs, kind in index.field_writes_of(named, field)]


def test_field_writes_are_looked_up_by_declaring_type(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    index = WriteIndex(build(tmp_path, SHARED_FIELD))
    a, b = "example.com/svc/p#A", "example.com/svc/p#B"
    assert _writes(index, a, "Addr") == [
        ("Setup", "a1", "assign"),
        ("Setup", "a2", "assign"),
        ("Setup", "a3", "assign"),
    ]
    assert _writes(index, b, "Addr") == [
        ("<init>", "b0", "assign"),
        ("Setup", "b1", "assign"),
        ("Setup", "b2", "assign"),
        ("Setup", "b3", "assign"),
    ]
    assert [(name, kind) for name, _rhs, kind in _writes(index, a, "Tags")] == [("Setup", "index")]
    assert _writes(index, b, "Tags") == []
    assert _writes(index, "example.com/svc/p#C", "Addr") == []
    # A caller may consume the list it gets without changing the index.
    index.field_writes_of(a, "Addr").clear()
    assert len(_writes(index, a, "Addr")) == 3
