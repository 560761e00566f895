"""Parser facts: what source.parse records for small Go files.

Each test parses a few lines written inline; nothing here depends on the
fixtures tree, so a failure points at the walker, not at a rule.
"""

from __future__ import annotations

import pickle
import textwrap

import pytest

from golint_im.facts import FileFacts
from golint_im.source import default_import_name, is_generated, parse


def facts(src: str, path: str = "a.go") -> FileFacts:
    return parse(textwrap.dedent(src).lstrip().encode(), path)


def func(ff: FileFacts, name: str, recv: str = ""):
    for f in ff.funcs:
        if f.name == name and f.recv == recv:
            return f
    raise AssertionError(f"no function {recv}.{name} in {[(f.recv, f.name) for f in ff.funcs]}")


def ops(fn, kind: str) -> list:
    return [o for o in fn.ops if o.kind == kind]


def type_named(ff: FileFacts, name: str):
    return next(t for t in ff.types if t.name == name)


def test_package_and_imports_with_aliases():
    ff = facts("""
        package ws

        import "fmt"
        import (
            log "github.com/acme/logging"
            _ "net/http/pprof"
            . "strings"
            "google.golang.org/grpc/v2"
            "gopkg.in/yaml.v3"
            "github.com/redis/go-redis/v9"
        )
    """)
    assert ff.package == "ws"
    assert ff.imports == {
        "fmt": "fmt",
        "log": "github.com/acme/logging",
        "_": "net/http/pprof",
        ".": "strings",
        "grpc": "google.golang.org/grpc/v2",
        "yaml": "gopkg.in/yaml.v3",
        "redis": "github.com/redis/go-redis/v9",
    }


@pytest.mark.parametrize(
    "path, name",
    [
        ("github.com/acme/go-kit", "kit"),
        ("github.com/acme/client-go", "client"),
        ("github.com/acme/my-pkg", "my_pkg"),
        ("k8s.io/api/v1", "api"),
        ("fmt", "fmt"),
    ],
)
def test_default_import_name(path, name):
    assert default_import_name(path) == name


def test_struct_fields_including_embedded():
    ff = facts("""
        package ws

        type Base struct{ id int }
        type Server struct {
            Base
            *Other
            pkg.Remote
            ch, done chan int
            mu       sync.Mutex
            handlers map[string]func(int) error
        }
    """)
    server = type_named(ff, "Server")
    assert server.kind == "struct"
    by_name = {name: (t, emb) for name, t, emb in server.members}
    assert by_name["Base"] == ("Base", True)
    assert by_name["Other"][1] is True
    assert by_name["Remote"] == ("pkg.Remote", True)
    assert by_name["ch"] == ("chan int", False)
    assert by_name["done"] == ("chan int", False)
    assert by_name["mu"] == ("sync.Mutex", False)
    assert by_name["handlers"] == ("map[string]func(int) error", False)


def test_interfaces_with_embedded_interfaces():
    ff = facts("""
        package ws

        type Reader interface{ Read(p []byte) (n int, err error) }
        type RW interface {
            Reader
            io.Writer
            Close() error
            Reset(a, b int, c string)
        }
    """)
    reader = type_named(ff, "Reader")
    assert reader.kind == "interface"
    assert reader.members == (("Read", 1, ("int", "error"), ("[]byte",)),)
    rw = type_named(ff, "RW")
    assert rw.embeds == ("Reader", "io.Writer")
    methods = {m[0]: (m[1], m[2]) for m in rw.members}
    assert methods == {"Close": (0, ("error",)), "Reset": (3, ())}


def test_methods_with_pointer_and_value_receivers():
    ff = facts("""
        package ws

        type S struct{}

        func (s *S) Ptr(a int, b, c string) (int, error) { return 0, nil }
        func (S) Val() {}
        func (s *G[T]) Gen() {}
        func Plain(xs ...int) {}
    """)
    ptr = func(ff, "Ptr", "S")
    assert (ptr.recv_ptr, ptr.recv_name) == (True, "s")
    assert ptr.params == (("a", "int"), ("b", "string"), ("c", "string"))
    assert ptr.results == ("int", "error")
    val = func(ff, "Val", "S")
    assert (val.recv_ptr, val.recv_name) == (False, "")
    assert func(ff, "Gen", "G").recv_ptr is True  # generic receiver: base name only
    plain = func(ff, "Plain")
    assert plain.variadic and plain.params == (("xs", "...int"),)


def test_closures_have_their_parent_and_go_statements_have_mode_go():
    ff = facts("""
        package ws

        func (s *S) Run() {
            f := func() { s.ch <- 1 }
            go f()
            go func() {
                inner := func() {}
                inner()
            }()
            go s.loop(1)
        }
    """)
    run = func(ff, "Run", "S")
    run_index = ff.funcs.index(run)
    literals = [(i, f) for i, f in enumerate(ff.funcs) if f.name == "" and f.parent >= 0]
    assert len(literals) == 3
    assert [f.parent for _, f in literals[:2]] == [run_index, run_index]
    assert literals[2][1].parent == literals[1][0]  # nested inside the go literal
    gos = [o for o in run.ops if o.kind == "call" and o.mode == "go"]
    assert [o.fn for o in gos] == [("id", "f"), ("funclit", literals[1][0]), ("sel", ("id", "s"), "loop")]
    assert ops(literals[0][1], "send")[0].fn == ("sel", ("id", "s"), "ch")


def test_defer():
    ff = facts("""
        package ws

        func F() {
            defer mu.Unlock()
            defer func() { recover() }()
        }
    """)
    defers = [o for o in func(ff, "F").ops if o.kind == "call" and o.mode == "defer"]
    assert defers[0].fn == ("sel", ("id", "mu"), "Unlock")
    assert defers[1].fn[0] == "funclit"


def test_comments_between_operands_are_not_operands():
    ff = facts("""
        package ws

        func F() (int, error) {
            g(ctx, // the caller's context
                conn, /* the socket */ opts)
            a, // first
                b := 1, 2
            return a, // the count
                nil
        }
    """)
    fn = func(ff, "F")
    call = next(o for o in ops(fn, "call") if o.fn == ("id", "g"))
    assert call.args == (("id", "ctx"), ("id", "conn"), ("id", "opts"))
    assign = ops(fn, "assign")[0]
    assert len(assign.targets) == 2 and len(assign.args) == 2
    assert len(ops(fn, "return")[0].args) == 2


def test_select_cases_and_default_regions():
    ff = facts("""
        package ws

        func (s *S) Run() {
            for {
                select {
                case c := <-s.register:
                    s.add(c)
                case <-s.quit:
                    return
                case s.out <- 1:
                default:
                    s.idle()
                }
            }
        }
    """)
    run = func(ff, "Run", "S")
    kinds = [r.kind for r in run.regions]
    assert kinds.count("case") == 3 and kinds.count("default") == 1
    sel_index = kinds.index("select")
    assert run.regions[sel_index].info == (True, 4)  # has default, four cases
    assert run.regions[run.regions[sel_index].parent].kind == "for"

    recvs = ops(run, "recv")
    assert [(o.fn, o.mode) for o in recvs] == [
        (("sel", ("id", "s"), "register"), "case"),
        (("sel", ("id", "s"), "quit"), "case"),
    ]
    assert all(o.select == sel_index for o in recvs)
    # The handler of each receive is its case body, and the call sits in it.
    body = run.regions[recvs[0].body]
    assert body.kind == "case" and body.info == ("recv", ("sel", ("id", "s"), "register"))
    add = next(o for o in ops(run, "call") if o.fn == ("sel", ("id", "s"), "add"))
    assert add.region == recvs[0].body
    send = ops(run, "send")[0]
    assert send.fn == ("sel", ("id", "s"), "out") and send.select == sel_index
    idle = next(o for o in ops(run, "call") if o.fn == ("sel", ("id", "s"), "idle"))
    assert run.regions[idle.region].kind == "default"
    # `c := <-s.register` binds c inside the case body.
    bind = next(o for o in ops(run, "assign") if o.targets == (("id", "c"),))
    assert bind.region == recvs[0].body


def test_range_over_channel_is_a_receive_with_mode_range():
    ff = facts("""
        package ws

        func drain(jobs <-chan int) {
            for j := range jobs {
                handle(j)
            }
        }
    """)
    fn = func(ff, "drain")
    (recv,) = ops(fn, "recv")
    assert recv.mode == "range" and recv.fn == ("id", "jobs")
    assert fn.regions[recv.body].kind == "range"
    handle = next(o for o in ops(fn, "call") if o.fn == ("id", "handle"))
    assert handle.region == recv.body


def test_jumps_are_ops_and_labels_name_their_loop():
    ff = facts("""
        package ws

        func f(xs []int) {
        outer:
            for i := 0; ; i++ {
                switch i {
                case 1:
                    fallthrough
                case 2:
                    break outer
                }
                if i > 3 {
                    continue outer
                }
                goto done
            }
        done:
            for len(xs) > 0 {
                break
            }
        }
    """)
    fn = func(ff, "f")
    jumps = [(o.mode, o.fn, fn.regions[o.region].kind) for o in ops(fn, "jump")]
    assert jumps == [
        ("fallthrough", None, "block"),
        ("break", ("id", "outer"), "block"),
        ("continue", ("id", "outer"), "if"),
        ("goto", ("id", "done"), "for"),
        ("break", None, "for"),
    ]
    loops = [r for r in fn.regions if r.kind == "for"]
    assert [r.label for r in loops] == ["outer", "done"]
    assert loops[0].info is None  # no condition: left only by a jump or a return
    cond = loops[1].info
    assert cond[:2] == ("bin", ">") and cond[2][:3] == ("call", ("id", "len"), (("id", "xs"),))


def test_make_chan_with_constant_capacity():
    ff = facts("""
        package ws

        const bufSize = 64
        const (
            big = bufSize * 2
        )

        func New() *S {
            return &S{ch: make(chan string, bufSize), done: make(chan struct{})}
        }
    """)
    assert ff.consts["bufSize"] == ("int", 64)
    assert ff.consts["big"] == ("bin", "*", ("id", "bufSize"), ("int", 2))
    makes = [o for o in ops(func(ff, "New"), "call") if o.fn == ("id", "make")]
    assert makes[0].args == (("type", "chan string"), ("id", "bufSize"))
    assert makes[1].args == (("type", "chan struct{}"),)


def test_const_spec_with_several_names():
    ff = facts("""
        package ws

        const a, b = 1, 2
    """)
    assert ff.consts == {"a": ("int", 1), "b": ("int", 2)}


def test_generics_do_not_crash():
    ff = facts("""
        package q

        type Q[T any] struct{ items []T; ch chan T }
        type Number interface{ ~int | ~float64 }
        type Pair[K comparable, V any] struct{ k K; v V }

        func F[T any]() {}
        func Sum[N Number](xs ...N) (s N) {
            for _, x := range xs { s += x }
            return
        }
        func (q *Q[T]) Push(v T) { q.ch <- v }
        func use() {
            F[int]()
            _ = Sum[float64](1, 2)
            var p Pair[string, int]
            _ = p
        }
    """)
    assert type_named(ff, "Q").type_params == ("T",)
    assert type_named(ff, "Pair").type_params == ("K", "V")
    assert func(ff, "F").type_params == ("T",)
    assert func(ff, "Push", "Q").recv_ptr
    assert not ff.error_lines
    calls = [o.fn for o in ops(func(ff, "use"), "call")]
    assert ("idx", ("id", "F"), ("id", "int")) in calls


@pytest.mark.parametrize(
    "literal, decoded",
    [
        (r'"%s:%d"', "%s:%d"),
        (r'"a\n\tb\\c\"d"', 'a\n\tb\\c"d'),
        (r'"\a\b\f\v\r"', "\a\b\f\v\r"),
        (r"`raw\n%s:%d`", r"raw\n%s:%d"),
        ("`multi\nline`", "multi\nline"),
        (r'"héllo"', "héllo"),
        (r'""', ""),
        (r'"\x41\101\u00e9\U0001F600"', "AAé\U0001f600"),
    ],
)
def test_sprintf_string_literal_decoding(literal, decoded):
    ff = facts(f"""
        package ws

        func F(h string, p int) string {{
            return fmt.Sprintf({literal}, h, p)
        }}
    """)
    (call,) = ops(func(ff, "F"), "call")
    assert call.fn == ("sel", ("id", "fmt"), "Sprintf")
    assert call.args[0] == ("str", decoded)
    assert call.args[1:] == (("id", "h"), ("id", "p"))


def test_string_concatenation_and_joinhostport_are_expressions():
    ff = facts("""
        package ws

        func F(host string, port int) string {
            a := host + ":" + strconv.Itoa(port)
            return net.JoinHostPort(host, a)
        }
    """)
    fn = func(ff, "F")
    assign = ops(fn, "assign")[0]
    assert assign.args[0][:2] == ("bin", "+")
    assert assign.args[0][2] == ("bin", "+", ("id", "host"), ("str", ":"))
    assert assign.args[0][3][:2] == ("call", ("sel", ("id", "strconv"), "Itoa"))
    ret = ops(fn, "return")[0]
    assert ret.args[0][1] == ("sel", ("id", "net"), "JoinHostPort")


def test_directives_in_function_bodies():
    ff = facts("""
        package ws

        //golintim:ignore GIM201 file-level reason
        func F() {
            conn := dial() //golintim:ignore GIM201 closed by the pool
            // nolint:GIM101 reviewed
            ch <- 1
            // an ordinary comment
        }
    """)
    assert ff.directives == [
        (3, 1, "//golintim:ignore GIM201 file-level reason", True, 9),  # on top of func F: lines 4-9
        (5, 20, "//golintim:ignore GIM201 closed by the pool", False, 0),
        (6, 5, "// nolint:GIM101 reviewed", True, 7),
    ]


def test_generated_marker():
    assert is_generated(b"// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage pb\n")
    assert not is_generated(b"package pb\n\n// This code is generated by hand, sort of.\n")
    assert facts("// Code generated by x. DO NOT EDIT.\npackage pb\n").generated


def test_generated_marker_of_any_length():
    # Vendored stubs whose generator lists every input on the marker line: 33,000 characters.
    inputs = " ".join(f"dir/file{i}.proto" for i in range(2000))
    src = f"// Code generated by protoc-gen-go from {inputs}. DO NOT EDIT.\n\npackage pb\n".encode()
    assert len(src) > 33_000
    assert is_generated(src)


def test_generated_marker_after_a_long_comment_block():
    licence = "".join(f"// Licence line {i}: the usual terms apply.\n" for i in range(400))
    block = "/*\n" + "Some documentation.\n" * 300 + "*/\n"
    marker = "// Code generated by mockgen. DO NOT EDIT.\n"
    assert is_generated((licence + "\n" + block + marker + "\npackage mocks\n").encode())
    assert is_generated(("\ufeff" + licence + marker + "package mocks\n").encode())  # after a byte-order mark
    assert is_generated(b"// Code generated by stringer. DO NOT EDIT.\r\n\r\npackage p\r\n")  # CRLF


def test_marker_look_alike_after_the_package_clause_is_not_generated():
    body = "func F() {}\n" * 100_000
    assert not is_generated(f"package p\n\n// Code generated by x. DO NOT EDIT.\n{body}".encode())
    assert not is_generated(f"package p\n{body}/*\n// Code generated by x. DO NOT EDIT.\n*/\n".encode())
    # Not the exact wording: not the marker.
    assert not is_generated(b"// Code generated by x. Do not edit.\npackage p\n")
    assert not is_generated(b"// Code generated by x. DO NOT EDIT. Or do.\npackage p\n")


def test_syntax_errors_keep_the_valid_parts():
    ff = facts("""
        package ws

        func broken( {
            x :=
        }

        func ok(ch chan int) { ch <- 1 }
    """)
    assert ff.error_lines and ff.error_lines[0] <= 4
    assert ops(func(ff, "ok"), "send")


def test_columns_count_characters_not_bytes():
    ff = facts("""
        package ws

        func F() { s := "ééé"; ch <- s }
    """)
    (send,) = ops(func(ff, "F"), "send")
    assert (send.line, send.col) == (3, 24)


@pytest.mark.parametrize(
    "src",
    [
        b"",
        b"package",
        b"package main\nfunc",
        b"\xef\xbb\xbfpackage main\n",  # BOM
        b"package main\nfunc main() { go }\n",
        b"package main\nfunc main() { select { case } }\n",
        b"package main\ntype T[ struct{}\n",
        b"package main\nvar x = []int{1, 2,\n",
        b"package main\nfunc (s *) M() {}\n",
        b"package main\nfunc f() { for range {} }\n",
    ],
)
def test_fragments_never_raise_and_facts_pickle(src):
    ff = parse(src, "a.go")
    assert pickle.loads(pickle.dumps(ff)).path == "a.go"


NEW_EXPR_FILE = b"""package p

// new(in a comment) and "new(in a string)" are left alone.
func Ptr() (*int, *string) {
	n := new(42)
	s := new(describe(n))
	t := new(int)
	_ = t
	return n, s
}
"""


def test_go_1_26_new_of_an_expression_is_read_as_a_call():
    ff = parse(NEW_EXPR_FILE, "p.go")
    assert ff.error_lines == ()  # nothing swallowed by the parser's error recovery
    assert ff.newer_syntax == (("new(expr)", 5), ("new(expr)", 6))
    fn = next(f for f in ff.funcs if f.name == "Ptr")
    calls = [(op.line, op.fn, op.args) for op in fn.ops if op.kind == "call"]
    assert (5, ("id", "new"), (("int", 42),)) in calls
    assert (7, ("id", "new"), (("type", "int"),)) in calls  # new(T): as before
    assert any(line == 6 and fn_ == ("id", "describe") for line, fn_, _ in calls)
    assert [op.line for op in fn.ops if op.kind == "assign"][-1] == 8  # `_ = t`, after the newer syntax


def test_other_syntax_errors_are_not_taken_for_newer_syntax():
    src = b"package p\n\nfunc F() {\n\tx := new(int\n\ty := 1 +\n}\n"
    ff = parse(src, "p.go")
    assert ff.error_lines
    assert ff.newer_syntax == ()


RENAMED = "\u00b7"


def assigned_names(fn) -> list[str]:
    return [t[1] for o in fn.ops if o.kind == "assign" for t in o.targets if t[0] == "id"]


def test_locals_declared_again_in_other_blocks_get_names_of_their_own():
    ff = facts("""
        package p

        func f(xs []int, simple bool) int {
            if simple {
                done := make(chan int)
                go func() { done <- 1 }()
                return <-done
            }
            done := make(chan int)
            go func() { done <- 2 }()
            for _, done := range xs {
                _ = done
            }
            return <-done
        }
    """)
    fn = func(ff, "f")
    names = assigned_names(fn)
    assert names[0] == "done" and names[1] == f"done{RENAMED}2" and f"done{RENAMED}3" in names
    # each literal sends on the channel of its own block
    lits = [g for g in ff.funcs if g.parent == ff.funcs.index(fn)]
    assert [sent_on(o) for g in lits for o in ops(g, "send")] == ["done", f"done{RENAMED}2"]
    # the last receive is the second block's, not the range variable's
    assert ops(fn, "return")[-1].args[0] == ("un", "<-", ("id", f"done{RENAMED}2"))


def sent_on(op) -> str:
    """The name a send op sends on."""
    return op.fn[1]


def test_same_block_short_declaration_assigns_and_headers_scope_their_names():
    ff = facts("""
        package p

        type T struct{ err error }

        func g() (int, error) { return 0, nil }

        func f() error {
            a, err := g()
            b, err := g()
            if c, err := g(); err != nil {
                return T{err: err}.err
            }
            _ = a + b
            return err
        }
    """)
    fn = func(ff, "f")
    names = assigned_names(fn)
    assert names[:4] == ["a", "err", "b", "err"]  # `b, err :=` assigns the same err
    assert names[4:6] == ["c", f"err{RENAMED}2"]  # the if's own err
    inner = ops(fn, "return")[0].args[0]
    # the struct literal's key is the field, its value the if's err
    assert "('id', 'err')" in repr(inner) and f"('id', 'err{RENAMED}2')" in repr(inner)
    assert ops(fn, "return")[-1].args == (("id", "err"),)


def test_findings_show_renamed_locals_as_written():
    from golint_im.findings import Finding, Location, Step

    f = Finding(
        "GIM102",
        f"sends on `done{RENAMED}2`",
        Location("a.go", 1),
        steps=(Step(Location("a.go", 1), f"`done{RENAMED}2`"),),
        key=f"x|done{RENAMED}2",
    )
    assert f.message == "sends on `done`" and f.steps[0].message == "`done`" and f.key == "x|done"
