"""Program model: packages, method sets, interface implementations, call resolution."""

from __future__ import annotations

import textwrap

import pytest

from golint_im.engine import Options, analyse
from golint_im.funcvalues import FunctionValues
from golint_im.program import Program

STORE = {
    "go.mod": "module example.com/svc\n",
    "store/store.go": """
        package store

        type Store interface {
            Put(key string, v []byte) error
            Close() error
        }
    """,
    "store/mem/mem.go": """
        package mem

        type Mem struct{ m map[string][]byte }

        func (s *Mem) Put(key string, v []byte) error { s.m[key] = v; return nil }
        func (s *Mem) Close() error                    { return nil }
    """,
    "store/disk/disk.go": """
        package disk

        type Disk struct{ dir string }

        func (d Disk) Put(key string, v []byte) error { return nil }
        func (d Disk) Close() error                    { return nil }

        // Put with the wrong arity and no Close: not a Store.
        type NotAStore struct{}

        func (NotAStore) Put(key string) error { return nil }
    """,
    "app/app.go": """
        package app

        import (
            "fmt"

            "example.com/svc/store"
        )

        type Inner struct{}

        func (i *Inner) Flush() {}

        type Outer struct {
            *Inner
            name string
        }

        type Hub struct {
            onMsg func(string)
            st    store.Store
        }

        type Server struct{ hub *Hub }

        func (s *Server) handle(m string) {}

        func (s *Server) Start() {
            s.hub = &Hub{onMsg: s.handle}
            f := s.handle
            f("x")
            run(s.handle)
        }

        func run(cb func(string)) { cb("y") }

        func (h *Hub) Deliver(m string) {
            h.onMsg(m)
            _ = h.st.Put(m, nil)
            fmt.Println(m)
            unknown.Thing()
            var o Outer
            o.Flush()
            mystery().Go()
        }
    """,
}


def build(root, files: dict):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    _result, ctx = analyse(Options(paths=[str(root)], jobs=1, cache_dir=None))
    return ctx.program


@pytest.fixture
def program(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return build(tmp_path, STORE)


def calls_in(program, name: str) -> dict:
    """callee expression text -> resolved qualified names, for each call in function `name`."""
    fn = next(f for f in program.functions if f.name == name)
    out = {}
    for op in fn.facts.ops:
        if op.kind == "call":
            targets = program.resolve_call(fn, op)
            out[_text(op.fn)] = sorted((t.function.qualname, t.via) for t in targets)
    return out


def _text(expr) -> str:
    if expr[0] == "id":
        return expr[1]
    if expr[0] == "sel":
        return f"{_text(expr[1])}.{expr[2]}"
    if expr[0] == "call":
        return f"{_text(expr[1])}()"
    return expr[0]


def test_packages_from_go_mod_and_directories(program):
    assert sorted(program.packages) == [
        "example.com/svc/app",
        "example.com/svc/store",
        "example.com/svc/store/disk",
        "example.com/svc/store/mem",
    ]
    assert program.packages["example.com/svc/store/mem"].name == "mem"


def test_interface_call_resolves_to_every_implementation_across_packages(program):
    assert program.implementations("example.com/svc/store#Store") == [
        "example.com/svc/store/disk#Disk",
        "example.com/svc/store/mem#Mem",
    ]
    put = calls_in(program, "(*Hub).Deliver")["h.st.Put"]
    assert put == [
        ("example.com/svc/store/disk.(Disk).Put", "interface Store.Put"),
        ("example.com/svc/store/mem.(*Mem).Put", "interface Store.Put"),
    ]


def test_embedded_struct_method_promotion(program):
    flush = program.method("example.com/svc/app#Outer", "Flush")
    assert flush is not None and flush.qualname == "example.com/svc/app.(*Inner).Flush"
    assert calls_in(program, "(*Hub).Deliver")["o.Flush"] == [("example.com/svc/app.(*Inner).Flush", "")]
    assert program.method("example.com/svc/app#Outer", "Nope") is None


def test_method_values_and_callbacks_resolve(program):
    start = calls_in(program, "(*Server).Start")
    assert start["f"] == [("example.com/svc/app.(*Server).handle", "method value (*Server).handle")]
    assert calls_in(program, "run")["cb"] == [
        ("example.com/svc/app.(*Server).handle", "callback passed by app.(*Server).Start")
    ]
    assert calls_in(program, "(*Hub).Deliver")["h.onMsg"] == [
        ("example.com/svc/app.(*Server).handle", "stored in field Hub.onMsg")
    ]


def test_unknown_calls_stay_unresolved(program):
    deliver = calls_in(program, "(*Hub).Deliver")
    assert deliver["fmt.Println"] == []
    assert deliver["unknown.Thing"] == []
    assert deliver["mystery().Go"] == []
    fn = next(f for f in program.functions if f.name == "(*Hub).Deliver")
    external = {
        op.fn[2]: program.external_callee(fn, op.fn) for op in fn.facts.ops if op.kind == "call" and op.fn[0] == "sel"
    }
    assert external["Println"].qualname == "fmt.Println"
    assert external["Thing"] is None  # not even an import: unknown, not guessed
    assert program.unresolved_calls >= 2


def test_callers_and_local_types(program):
    handle = next(f for f in program.functions if f.name == "(*Server).handle")
    callers = sorted(c.name for c, _op in program.callers(handle))
    assert callers == ["(*Hub).Deliver", "(*Server).Start", "run"]
    deliver = next(f for f in program.functions if f.name == "(*Hub).Deliver")
    assert program.type_of(deliver, ("sel", ("id", "h"), "st")) == "example.com/svc/store#Store"
    assert program.type_of(deliver, ("id", "o")) == "example.com/svc/app#Outer"


def test_implementation_through_a_promoted_method(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    program = build(
        tmp_path,
        {
            "go.mod": "module example.com/p\n",
            "p.go": """
            package p

            type Closer interface{ Close() error; Name() string }

            type base struct{}

            func (base) Close() error { return nil }

            type File struct{ base }

            func (File) Name() string { return "f" }

            type Sock struct{}

            func (Sock) Close() error  { return nil }
            func (Sock) Name() string  { return "s" }
            func (Sock) Other() string { return "" }
        """,
        },
    )
    assert program.implementations("example.com/p#Closer") == ["example.com/p#File", "example.com/p#Sock"]


def test_two_directories_without_go_mod(tmp_path, monkeypatch):
    """Without go.mod, a package's import path is its directory; both are linked."""
    monkeypatch.chdir(tmp_path)
    program = build(
        tmp_path,
        {
            "a/a.go": """
            package a

            type Sender interface{ Send(int) }

            func Use(s Sender) { s.Send(1) }
        """,
            "b/b.go": """
            package b

            type Impl struct{}

            func (Impl) Send(int) {}
        """,
        },
    )
    assert sorted(program.packages) == ["a", "b"]
    assert program.implementations("a#Sender") == ["b#Impl"]
    assert calls_in(program, "Use")["s.Send"] == [("b.(Impl).Send", "interface Sender.Send")]


def test_which_function_declares_a_name(tmp_path, monkeypatch):
    """Scopes without types: a local shadows an import even when its type is unknown."""
    monkeypatch.chdir(tmp_path)
    program = build(
        tmp_path,
        {
            "go.mod": "module example.com/p\n",
            "p.go": """
            package p

            import (
                "net"
                _ "net/http/pprof"
            )

            var conns []net.Conn

            func Serve(addr string) {
                net := unknownHelper(addr)
                go func() {
                    _ = net
                    ln, _ := listen(addr)
                    _ = ln
                }()
            }

            func Dial(addr string) (net.Conn, error) { return net.Dial("tcp", addr) }
        """,
        },
    )
    serve = next(f for f in program.functions if f.name == "Serve")
    (lit,) = serve.literals
    dial = next(f for f in program.functions if f.name == "Dial")
    assert program.declared(serve) == {"addr": 0, "net": 0}
    assert program.declaring_function(lit, "addr") is serve  # captured from the enclosing function
    assert program.declaring_function(lit, "ln") is lit
    assert program.declaring_function(lit, "conns") is None  # package-level
    assert not program.refers_to_import(lit, "net")  # shadowed by Serve's untyped local
    assert program.refers_to_import(dial, "net")
    assert program.declaring_function(lit, "_") is None and "_" not in program.declared(lit)


def test_surely_different_only_when_no_alias_or_type_parameter_can_make_them_one(program):
    differ = program.surely_different
    assert not differ("[]byte", "[]uint8")
    assert not differ("interface {}", "any")
    assert differ("int", "string")
    assert differ("*example.com/svc/store/mem#Mem", "*example.com/svc/store/disk#Disk")
    assert differ("net#Conn", "*example.com/svc/store/mem#Mem")
    assert not differ("T", "int")  # a type parameter
    assert not differ("func(a int)", "func(b int)")  # parameter names differ, the types do not


DECOYS = {
    "go.mod": "module example.com/d\n",
    "main.go": """
        package main

        import "example.com/d/lib"

        type Conn struct{}

        type owner interface{ Logout(c *Conn) }

        type hub struct{}
        type decoy struct{}
        type asserted struct{}
        type wrongParam struct{}
        type fewerResults struct{}

        func (*hub) Logout(c *Conn)        {}
        func (decoy) Logout(c *Conn)       {}
        func (*asserted) Logout(c *Conn)   {}
        func (wrongParam) Logout(c string) {}

        var _ owner = (*asserted)(nil)
        var _ = wrongParam{}

        type holder struct{ o owner }

        func (h holder) run() { h.o.Logout(&Conn{}) }

        func main() {
            holder{o: &hub{}}.run()
            var c lib.Closer
            _ = c
        }
    """,
    "lib/lib.go": """
        package lib

        type Exported struct{}

        type unexported struct{}

        func (Exported) Close() error   { return nil }
        func (unexported) Close() error { return nil }

        type Closer interface{ Close() error }
    """,
}


def test_possible_implementations_are_the_made_ones_of_the_right_signature(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = build(tmp_path, DECOYS)
    assert p.implementations("example.com/d#owner") == [
        "example.com/d#asserted",
        "example.com/d#decoy",
        "example.com/d#hub",
    ]
    assert p.possible_implementations("example.com/d#owner") == ["example.com/d#hub"]
    # An exported struct of a library can be made by code we do not see; an unexported one cannot.
    assert p.possible_implementations("example.com/d/lib#Closer") == ["example.com/d/lib#Exported"]
    assert calls_in(p, "(holder).run")["h.o.Logout"] == [("example.com/d.(*hub).Logout", "interface owner.Logout")]


def test_kept_types_are_the_types_computed_afresh(tmp_path, monkeypatch):
    """type_of and external_callee keep their answers after the link: the same answers as a program that keeps none."""
    monkeypatch.chdir(tmp_path)
    kept = build(tmp_path, STORE)
    fresh = build(tmp_path, STORE)
    fresh._types = None  # as during the link: nothing kept
    for p in (kept, fresh):
        p.answers = [
            (p.type_of(fn, e), p.external_callee(fn, e))
            for fn in p.functions
            for op in fn.facts.ops
            for e in (op.fn, *op.args, *op.targets)
            if e is not None
        ]
    assert kept.answers == fresh.answers and any(t for t, _x in kept.answers)
    assert kept._types and not fresh._types and kept._partial == fresh._partial == 0


def _visitor_tree(kinds: int) -> dict:
    """`kinds` expression types whose Walk hands its named-func-typed visitor on to both children,
    each child call reaching every implementation: a dense graph of cycles between the Walk methods."""
    methods = "".join(
        f"""
        type E{i} struct{{ L, R Expr }}

        func (e *E{i}) Walk(f WalkFn) {{
            f(e)
            if e.L != nil {{
                e.L.Walk(f)
            }}
            if e.R != nil {{
                e.R.Walk(f)
            }}
        }}
        """
        for i in range(kinds)
    )
    made = "".join(f"all = append(all, &E{i}{{}})\n" for i in range(kinds))
    return {
        "go.mod": "module example.com/walk\n",
        "walk.go": textwrap.dedent(
            """
            package walk

            type WalkFn func(e Expr)

            type Expr interface{ Walk(f WalkFn) }
            """
        )
        + textwrap.dedent(methods)
        + "func Count() int {\nvar all []Expr\n"
        + made
        + "n := 0\nfor _, e := range all {\ne.Walk(func(Expr) { n++ })\n}\nreturn n\n}\n",
    }


def test_a_visitor_handed_round_a_cycle_of_methods_is_found_with_bounded_work(tmp_path, monkeypatch):
    """Each (function, local) is answered once per outermost query: every simple path through the
    Walk methods' cycles took minutes at a dozen kinds (loki's syntax trees have dozens)."""
    monkeypatch.chdir(tmp_path)
    kinds = 12
    answered = []
    fresh = FunctionValues._func_values_of_local

    def counting(self, fn, name):
        answered.append((fn.id, name))
        return fresh(self, fn, name)

    monkeypatch.setattr(FunctionValues, "_func_values_of_local", counting)
    p = build(tmp_path, _visitor_tree(kinds))
    walk = next(f for f in p.functions if f.name == "(*E0).Walk")
    targets = calls_in(p, "(*E0).Walk")["f"]
    assert [name for name, _via in targets] == ["example.com/walk.Count.func1"]
    # Each Walk's `f(e)` is one outermost query while the callers index is built, and each query
    # answers every Walk's `f` once: about kinds squared. Every simple path would be about kinds!.
    assert len(answered) <= (kinds + 1) ** 2, len(answered)
    assert p._local_values_depth == 0 and not p._local_values_memo
    assert walk is not None


def test_a_long_chain_of_external_handle_methods_is_typed_with_bounded_work(tmp_path, monkeypatch):
    """`client.Bucket(b).Object(o)...` of another module is typed through a small table of method
    results. The table's lookup once typed each receiver a second time beside the call resolution,
    which doubled at every link of a chain: a pull request could stall the run with one long line."""
    monkeypatch.chdir(tmp_path)
    links = 40
    chain = 'client.Bucket("b")' + '.Object("o")' * links + ".NewWriter(ctx)"
    typed = []
    fresh = Program._type_of

    def counting(self, fn, expr, env):
        typed.append(1)
        return fresh(self, fn, expr, env)

    monkeypatch.setattr(Program, "_type_of", counting)
    source = textwrap.dedent(
        f"""
        package store

        import (
            "context"

            "cloud.google.com/go/storage"
        )

        func Put(ctx context.Context, client *storage.Client) error {{
            w := {chain}
            _, err := w.Write(nil)
            return err
        }}
        """
    )
    p = build(tmp_path, {"store.go": source})
    assert any(f.name == "Put" for f in p.functions)
    # Linear in the chain's length; the doubling walk would have typed about 2**40 expressions.
    assert len(typed) < 10 * links, len(typed)
