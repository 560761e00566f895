"""The expression module: destructuring, walking and rendering the facts' expressions."""

from __future__ import annotations

from golint_im import expr as E
from golint_im.source import parse


def _call(src_expr: str):
    """The outermost call op's callee and args of `func f() { <src_expr> }`."""
    ff = parse(f"package p\nfunc f() {{ {src_expr} }}\n".encode(), "x.go")
    op = [o for fn in ff.funcs for o in fn.ops if o.kind == "call"][-1]  # the outermost call comes last
    return op


def test_destructuring_returns_parts_or_none():
    op = _call('c.hc.Do(req, "x", 3)')
    base, name = E.selector(op.fn)
    assert name == "Do" and E.selected_name(op.fn) == "Do"
    assert E.selector(base)[1] == "hc" and E.ident(E.selector_base(base)) == "c"
    assert E.ident(op.fn) is None and E.call(op.fn) is None
    assert E.ident(op.args[0]) == "req" and E.string(op.args[1]) == "x" and E.integer(op.args[2]) == 3
    assert E.call_name(op.fn) == "Do" and E.root_ident(op.fn) == "c"


def test_unary_and_address():
    op = _call("use(&x, *y, <-ch, nil)")
    amp, star, recv, nil = op.args
    assert E.ident(E.address_of(amp)) == "x" and E.address_of(star) is None
    assert E.unary_operand(star, "&", "*") is not None and E.unary_operand(recv, "&", "*") is None
    assert E.ident(E.received(recv)) == "ch"
    assert E.is_nil(nil) and not E.is_nil(amp)
    assert E.strip_address(amp) == E.address_of(amp) and E.strip_address(star) is star


def test_walk_sees_nested_calls_and_render_elides():
    op = _call('f(g(h(1)), a.b, "a long string literal that is cut", x+y)')
    names = {E.call_name(E.callee(c)) for c in E.calls_within(E_call_of(op))}
    assert {"f", "g", "h"} <= names
    assert E.render(E_call_of(op)) == 'f(g(h(1)), a.b, "a long string litera", …)'
    assert E.idents_in(E_call_of(op), set()) >= {"x", "y", "a", "f"}


def E_call_of(op):
    """The op as the call expression the facts would nest: callee, args, call number."""
    return ("call", op.fn, op.args, 0)


def test_negation_reads_like_the_other_branch():
    assert E.render_negated(E.make_binary("!=", E.make_ident("err"), ("lit", "nil"))) == "err == nil"
    assert E.render_negated(("un", "!", E.make_ident("ok"))) == "ok"
    assert E.render_negated(E.make_ident("ok")) == "!(ok)"


def test_plus_operands_in_order():
    e = E.make_binary("+", E.make_binary("+", ("str", "a"), E.make_ident("b")), ("str", "c"))
    assert [E.render(x) for x in E.plus_operands(e)] == ['"a"', "b", '"c"']


def test_occurs_in_counts_composite_keys_where_mentions_does_not():
    op = _call("f(map[string]int{host: 1})")
    host = E.make_ident("host")
    assert E.occurs_in(op.args[0], host) and not E.mentions(op.args[0], host)
    assert E.occurs_in((None, op.args[0]), host)  # a plain tuple holding expressions, like a region's info
    assert E.composite_items(op.args[0])[0][0] == host and E.composite_items(host) == ()


def test_composites_in_each_matches_composites_in_per_argument():
    op = _call("f(x, T{A: 1}, &U{B: []V{{C: 2}}})")
    each = list(E.composites_in_each(op.args, lambda t: t[2:] if t.startswith("[]") else ""))
    one_by_one = [c for a in op.args for c in E.composites_in(a, lambda t: t[2:] if t.startswith("[]") else "")]
    assert each == one_by_one and [t for _c, t in each] == ["T", "U", "[]V", "V"]
    assert E.made_in_place(op.args[1]) and not E.made_in_place(op.args[0])


def test_flat_walks_match_subexprs_in_order():
    """funclits_in, idents_in and selector_bases walk without a generator: the same answers, in subexprs order."""
    op = _call("run(func() {}, a.Close, T{k: func() {}, v: b.c.Close}, &s.x, xs[i].Close, -n, func() {})")
    for e in (*op.args, op.fn, None, ()):
        assert E.funclits_in(e, []) == [x[1] for x in E.subexprs(e) if x[0] == "funclit"]
        assert E.idents_in(e, set()) == {x[1] for x in E.subexprs(e) if x[0] == "id"}
        assert E.selector_bases(e, "Close", []) == [x[1] for x in E.subexprs(e) if x[0] == "sel" and x[2] == "Close"]
    assert len(E.funclits_in(E_call_of(op), [])) == 3


def test_leaves_hold_nothing():
    op = _call('use(x, "s", 1, nil, f(y), &z, T{})')
    leaves = [E.is_leaf(a) for a in op.args]
    assert leaves == [True, True, True, True, False, False, False]
    assert not any(E.calls_in(a) for a, leaf in zip(op.args, leaves, strict=True) if leaf)
    assert [E.is_composite_or_address(a) for a in op.args] == [False] * 5 + [True, True]


def test_fields_named_leaves_out_the_channels_waited_on():
    """A field counts as named when selected more often than received from or ranged over."""
    op = _call("use(<-s.done, s.out, f(<-t.in, t.in), s.x.y)")
    assert E.fields_named(E_call_of(op)) == {"out", "in", "x", "y"}
    assert E.fields_named(op.args[0]) == frozenset()
    assert E.fields_named(op.args[2]) == {"in"}
    ranged = parse(b"package p\nfunc f() { for v := range s.feed { _ = v } }\n", "x.go")
    rng = [o for fn in ranged.funcs for o in fn.ops if o.kind == "assign" and o.args][0]
    assert E.fields_named(rng.args[0]) == frozenset()


def test_slices_render_their_bounds():
    """A message quoting `addr[0:8] == "/ip4/127"` must not say `addr[:]`."""
    op = _call("use(a[0:8], a[:], a[i:], a[:j:k])")
    assert [E.render(a) for a in op.args] == ["a[0:8]", "a[:]", "a[i:]", "a[:j:k]"]
    assert all(E.ident(E.sliced(a)) == "a" and E.root_ident(a) == "a" for a in op.args)
