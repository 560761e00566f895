"""The one place that knows how an expression is laid out.

Facts store Go expressions as nested tuples whose first item is a tag (see
`facts`): cheap to build, to cache and to load. Everything else reads them
through this module: a destructuring helper per form that returns the parts
or None, one walk over sub-expressions, one renderer. So the layout can
change here alone, and no pass or rule indexes a tuple or compares a tag.

The helpers are deliberately plain functions (no wrapper objects): they run
millions of times per analysis, and a wrapper per node would cost more than
the analysis it serves.

    ('id', name)                       identifier
    ('sel', base, name)                base.name
    ('call', fn, args, call_no)        call; call_no indexes FuncFacts.ops (-1: not an op of its own)
    ('str', text)                      string literal, decoded
    ('int', value)                     integer literal
    ('lit', text)                      any other literal (float, rune, nil, true)
    ('bin', op, left, right)           binary expression
    ('un', op, operand)                unary: & * - ! <- ^
    ('idx', base, index)               index expression, also generic instantiation
    ('slice', base, low, high, max)    slice expression (a bound None when left out)
    ('assert', operand, type)          type assertion x.(T)
    ('type', text)                     a type used as an expression (make's first arg)
    ('funclit', func_index)            function literal; index into FileFacts.funcs
    ('comp', type, ((key, value), ...))composite literal; key is None when positional
    ('range', expr)                    right side of `for ... := range expr`
    ('spread', expr)                   `expr...` as the last argument of a call
    ('other', text)                    anything else, kept as text
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from typing import Any

Expr = Any  # a tagged tuple as described above, or None where a slot is empty

# Go's predeclared functions: a call of one of these names (not shadowed) is no call into code.
BUILTIN_FUNCS = frozenset(
    {
        "make",
        "new",
        "len",
        "cap",
        "append",
        "copy",
        "delete",
        "panic",
        "recover",
        "print",
        "println",
        "close",
        "complex",
        "real",
        "imag",
        "min",
        "max",
        "clear",
    }
)


# ---- building --------------------------------------------------------------------


def make_ident(name: str) -> Expr:
    return ("id", name)


def make_binary(op: str, left: Expr, right: Expr) -> Expr:
    return ("bin", op, left, right)


def make_selector(base: Expr, name: str) -> Expr:
    return ("sel", base, name)


# ---- what an expression is ----------------------------------------------------------


def is_expr(e: object) -> bool:
    """A tagged tuple (slots hold None or other values where no expression was written)."""
    return isinstance(e, tuple) and bool(e) and isinstance(e[0], str)


# Tags of the expressions with nothing inside them.
_LEAF_TAGS = frozenset(("id", "str", "int", "lit", "type", "other", "funclit"))


def is_leaf(e: Expr) -> bool:
    """A name or a literal: an expression with no expression inside it (so no call, no composite)."""
    return type(e) is tuple and bool(e) and e[0] in _LEAF_TAGS


def ident(e: Expr) -> str | None:
    """The name of an identifier, else None."""
    return e[1] if e is not None and e[0] == "id" else None


def is_ident(e: Expr, name: str) -> bool:
    return e is not None and e[0] == "id" and e[1] == name


def selector(e: Expr) -> tuple[Expr, str] | None:
    """(base, name) of `base.name`, else None."""
    return (e[1], e[2]) if e is not None and e[0] == "sel" else None


def selected_name(e: Expr) -> str | None:
    """`name` of `base.name`, else None."""
    return e[2] if e is not None and e[0] == "sel" else None


def selector_base(e: Expr) -> Expr:
    """`base` of `base.name`, else None."""
    return e[1] if e is not None and e[0] == "sel" else None


def call(e: Expr) -> tuple[Expr, tuple, int] | None:
    """(callee, args, call number) of a call, else None."""
    return (e[1], e[2], e[3]) if e is not None and e[0] == "call" else None


def callee(e: Expr) -> Expr:
    """The called expression of a call, else None."""
    return e[1] if e is not None and e[0] == "call" else None


def call_args(e: Expr) -> tuple:
    """The arguments of a call; () for anything else."""
    return e[2] if e is not None and e[0] == "call" else ()


def call_number(e: Expr) -> int | None:
    """Which op of its function a call is (-1: none of its own), None for anything else."""
    if e is not None and e[0] == "call":
        return e[3] if len(e) > 3 and isinstance(e[3], int) else -1
    return None


def op_number(e: Expr) -> int | None:
    """Which op of its function a call is, when it is an op of its own (a call nested in one is not); else None."""
    if e is not None and e[0] == "call" and len(e) > 3 and isinstance(e[3], int) and e[3] >= 0:
        return e[3]
    return None


def string(e: Expr) -> str | None:
    """The decoded text of a string literal, else None."""
    return e[1] if e is not None and e[0] == "str" else None


def integer(e: Expr) -> int | None:
    """The value of an integer literal, else None."""
    return e[1] if e is not None and e[0] == "int" else None


def is_int_literal(e: Expr) -> bool:
    """An integer literal, whether or not its value could be read."""
    return e is not None and e[0] == "int"


def literal(e: Expr) -> str | None:
    """The text of another literal (float, rune, nil, true), else None."""
    return e[1] if e is not None and e[0] == "lit" else None


def is_nil(e: Expr) -> bool:
    return e is not None and e[0] == "lit" and e[1] == "nil"


def nil_compared(e: Expr, op: str) -> Expr:
    """x of `x op nil` or `nil op x` (op `==` or `!=`), else None."""
    b = binary(e)
    if b is None or b[0] != op:
        return None
    return b[1] if is_nil(b[2]) else b[2] if is_nil(b[1]) else None


def is_true(e: Expr) -> bool:
    """The literal `true`."""
    return e is not None and e[0] == "lit" and e[1] == "true"


def binary(e: Expr) -> tuple[str, Expr, Expr] | None:
    """(operator, left, right) of a binary expression, else None."""
    return (e[1], e[2], e[3]) if e is not None and e[0] == "bin" else None


def case_comparisons(e: Expr) -> tuple[str, list] | None:
    """(name, values) of `x == a || x == b`, the way a case of `switch x { case a, b: }` is kept;
    None for any other expression (another operator, or two names compared)."""
    b3 = binary(e)
    if b3 is None:
        return None
    if b3[0] == "||":
        left, right = case_comparisons(b3[1]), case_comparisons(b3[2])
        if left is None or right is None or left[0] != right[0]:
            return None
        return left[0], left[1] + right[1]
    name = ident(b3[1]) if b3[0] == "==" else None
    return (name, [b3[2]]) if name is not None else None


def unary(e: Expr) -> tuple[str, Expr] | None:
    """(operator, operand) of a unary expression, else None."""
    return (e[1], e[2]) if e is not None and e[0] == "un" else None


def unary_operand(e: Expr, *ops: str) -> Expr:
    """The operand of a unary expression whose operator is one of `ops` (`unary_operand(e, "&", "*")`), else None."""
    return e[2] if e is not None and e[0] == "un" and e[1] in ops else None


def address_of(e: Expr) -> Expr:
    """x of `&x`, else None."""
    return e[2] if e is not None and e[0] == "un" and e[1] == "&" else None


def is_composite_or_address(e: Expr) -> bool:
    """A composite literal or a unary expression (`&T{...}` among them): what `composite(strip_address(e))` may read."""
    return e is not None and (e[0] == "comp" or e[0] == "un")


def strip_address(e: Expr) -> Expr:
    """x for `&x`, e itself otherwise."""
    return e[2] if e is not None and e[0] == "un" and e[1] == "&" else e


def received(e: Expr) -> Expr:
    """The channel of a receive expression `<-ch`, else None."""
    return e[2] if e is not None and e[0] == "un" and e[1] == "<-" else None


def index(e: Expr) -> tuple[Expr, Expr] | None:
    """(base, index) of `base[index]`, else None."""
    return (e[1], e[2]) if e is not None and e[0] == "idx" else None


def sliced(e: Expr) -> Expr:
    """The base of a slice expression `base[i:j]`, else None."""
    return e[1] if e is not None and e[0] == "slice" else None


def assertion(e: Expr) -> tuple[Expr, str] | None:
    """(operand, type text) of `x.(T)`, else None."""
    return (e[1], e[2]) if e is not None and e[0] == "assert" else None


def type_text(e: Expr) -> str | None:
    """The text of a type used as an expression, else None."""
    return e[1] if e is not None and e[0] == "type" else None


def funclit(e: Expr) -> int | None:
    """The FileFacts.funcs index of a function literal, else None."""
    return e[1] if e is not None and e[0] == "funclit" else None


def composite(e: Expr) -> tuple[str, tuple] | None:
    """(type text, ((key, value), ...)) of a composite literal, else None."""
    return (e[1], e[2]) if e is not None and e[0] == "comp" else None


def composite_items(e: Expr) -> tuple:
    """The ((key, value), ...) elements of a composite literal; () for anything else."""
    return e[2] if e is not None and e[0] == "comp" else ()


def ranged(e: Expr) -> Expr:
    """x of `range x` (an assignment's right side), else None."""
    return e[1] if e is not None and e[0] == "range" else None


def spread(e: Expr) -> Expr:
    """xs of a spread argument `xs...`, else None."""
    return e[1] if e is not None and e[0] == "spread" else None


def other(e: Expr) -> str | None:
    """The source text of an expression the facts keep only as text, else None."""
    return e[1] if e is not None and e[0] == "other" else None


_MADE_IN_PLACE = frozenset({"str", "bin", "call", "comp", "spread"})


def made_in_place(e: Expr) -> bool:
    """A string literal, binary expression, call, composite literal or spread: a value made where it is
    written, so what it stands for can depend on the place (a name is looked up wherever it is read)."""
    return e[0] in _MADE_IN_PLACE


def is_name_or_selector(e: Expr) -> bool:
    """An identifier or a selector: something that can name a variable, field or function."""
    return e is not None and e[0] in ("id", "sel")


def may_be_func_value(e: Expr) -> bool:
    """A function literal, a name or a selector: what can hold a function value."""
    return e is not None and e[0] in ("funclit", "id", "sel")


# Standard-library interface types code converts values to (`net.Conn(raw)`): written like a
# package function call, but only a conversion.
_STD_INTERFACE_TYPES = frozenset(
    {
        ("net", "Conn"),
        ("net", "Listener"),
        ("net", "PacketConn"),
        ("io", "Reader"),
        ("io", "Writer"),
        ("io", "Closer"),
        ("io", "ReadCloser"),
        ("io", "WriteCloser"),
        ("io", "ReadWriter"),
        ("io", "ReadWriteCloser"),
    }
)


def is_conversion_callee(e: Expr) -> bool:
    """A type written as the callee (`[]byte(x)`, `(*T)(x)`), or a standard-library interface type
    written as a selector (`net.Conn(raw)`, `io.ReadCloser(f)`)."""
    if e is None:
        return False
    if e[0] == "type":
        return True
    return e[0] == "sel" and e[1] is not None and e[1][0] == "id" and (e[1][1], e[2]) in _STD_INTERFACE_TYPES


def is_builtin_callee(e: Expr, builtin_types: frozenset | set) -> bool:
    """A callee that names a predeclared function or type, or is a type: no call into code."""
    return e[0] == "type" or (e[0] == "id" and (e[1] in BUILTIN_FUNCS or e[1] in builtin_types))


def is_make_call(e: Expr) -> bool:
    """`make(...)` written with the predeclared name."""
    return e is not None and e[0] == "call" and e[1] == ("id", "make")


def is_new_call(e: Expr) -> bool:
    """`new(T)` written with the predeclared name."""
    return e is not None and e[0] == "call" and e[1] == ("id", "new")


def call_name(e: Expr) -> str:
    """The last name of a callee: `f` for `f` and `x.y.f`, "" for anything else."""
    if e is None:
        return ""
    if e[0] == "sel":
        return e[2]
    if e[0] == "id":
        return e[1]
    return ""


def root_ident(e: Expr) -> str | None:
    """The variable an access path starts from: `c` for `c`, `c.x.y`, `c[i]`, `*c`, `c.(T)`."""
    while e is not None:
        tag = e[0]
        if tag == "id":
            return e[1]
        if tag in ("sel", "idx", "slice", "assert"):
            e = e[1]
        elif tag == "un" and e[1] in ("&", "*"):
            e = e[2]
        else:
            return None
    return None


# ---- walking --------------------------------------------------------------------------


def subexprs(e: Expr, skip_calls: Container[int] = ()) -> Iterator[Expr]:
    """Every expression inside e, itself included; function literal bodies are not entered.

    A call whose number is in skip_calls is yielded but not entered (a caller
    that has already seen the inside of those calls).
    """
    return _walk(e, False, skip_calls)


# Tags of the expressions whose one operand (x[1]) or two operands (x[-2:]) the walks enter.
_ONE_OPERAND = frozenset(("sel", "slice", "assert", "range", "spread"))
_TWO_OPERANDS = frozenset(("bin", "idx"))


def _walk(e: Expr, skip_own_calls: bool, skip_calls: Container[int] = ()) -> Iterator[Expr]:
    """The one walk behind subexprs and subexprs_outside_calls (a stack, no recursion: any depth)."""
    stack = [e]
    while stack:
        x = stack.pop()
        if not isinstance(x, tuple) or not x or not isinstance(x[0], str):
            continue
        tag = x[0]
        if skip_own_calls and tag == "call" and (call_number(x) or 0) >= 0:
            continue
        yield x
        if tag == "call":
            if skip_calls and x[3] in skip_calls:
                continue
            stack.append(x[1])
            stack.extend(x[2])
        elif tag == "comp":
            stack.extend([v for _k, v in x[2]])
        elif tag in _ONE_OPERAND:
            stack.append(x[1])
        elif tag == "un":
            stack.append(x[2])
        elif tag in _TWO_OPERANDS:
            stack.extend(x[-2:])


def fields_named(e: Expr) -> frozenset[str]:
    """Names `f` that e selects (`x.f`) more often than it receives from or ranges over them
    (`<-x.f`, `range x.f`): the fields e names other than as the channel it waits on.

    The same expressions as `subexprs`, counted in one pass for every name at once; a layer
    asking this of each field in turn walked each expression once per field.
    """
    named: dict[str, int] = {}
    for x in _walk(e, False):
        tag = x[0]
        if tag == "sel":
            named[x[2]] = named.get(x[2], 0) + 1
        elif (tag == "un" and x[1] == "<-") or tag == "range":
            inner = x[2] if tag == "un" else x[1]
            if isinstance(inner, tuple) and inner and inner[0] == "sel":
                named[inner[2]] = named.get(inner[2], 0) - 1
    return frozenset(n for n, count in named.items() if count > 0)


def subexprs_outside_calls(e: Expr) -> Iterator[Expr]:
    """Every expression inside e, not entering calls that are ops of their own (their arguments
    are read at that op): in `return wait(ctx, ch)` the `ch` is the call's, not the return's."""
    yield from _walk(e, skip_own_calls=True)


def calls_in(e: Expr, skip_calls: Container[int] = ()) -> list[int]:
    """Call numbers of the calls inside an expression (of those in skip_calls, not the calls inside them).

    The same walk as `subexprs`, in the same order, without a generator:
    the ownership layer's consumer index asks this of every expression of
    every op of the program, and most of them hold no call. Only the parts
    that can hold a call are pushed.
    """
    out: list[int] = []
    stack = [e]
    push, pop = stack.append, stack.pop
    while stack:
        x = pop()
        if not isinstance(x, tuple) or not x or not isinstance(x[0], str):
            continue
        tag = x[0]
        if tag == "call":
            out.append(x[3])
            if skip_calls and x[3] in skip_calls:
                continue
            push(x[1])
            stack.extend(x[2])
        elif tag == "comp":
            stack.extend([v for _k, v in x[2]])
        elif tag in _ONE_OPERAND:
            push(x[1])
        elif tag == "un":
            push(x[2])
        elif tag in _TWO_OPERANDS:
            stack.extend(x[-2:])
    return out


def calls_within(e: Expr) -> Iterator[Expr]:
    """The call expressions inside an expression, itself included."""
    return (x for x in subexprs(e) if x[0] == "call")


def _tagged(e: Expr, want: str) -> list:
    """The expressions tagged `want` inside e, in `subexprs` order: the same walk, without a generator.

    The resource walk asks for the function literals and names of every
    expression it meets (grpc-go: 110,000 questions, most about a name or a
    literal), so a generator per question cost more than the walk itself.
    """
    if isinstance(e, tuple) and e and (e[0] == "id" or e[0] == "funclit"):  # a leaf: nothing inside it
        return [e] if e[0] == want else []
    out = []
    stack = [e]
    push, pop, extend = stack.append, stack.pop, stack.extend
    while stack:
        x = pop()
        if not isinstance(x, tuple) or not x or not isinstance(x[0], str):
            continue
        tag = x[0]
        if tag == want:
            out.append(x)
        if tag == "call":
            push(x[1])
            extend(x[2])
        elif tag == "comp":
            extend([v for _k, v in x[2]])
        elif tag in _ONE_OPERAND:
            push(x[1])
        elif tag == "un":
            push(x[2])
        elif tag in _TWO_OPERANDS:
            extend(x[-2:])
    return out


def idents_in(e: Expr, out: set) -> set:
    """Add the names of the identifiers inside e to out."""
    out.update([x[1] for x in _tagged(e, "id")])
    return out


def funclits_in(e: Expr, out: list) -> list:
    """Append the FileFacts.funcs indexes of the function literals inside e to out."""
    out.extend([x[1] for x in _tagged(e, "funclit")])
    return out


def selector_bases(e: Expr, name: str, out: list) -> list:
    """Append the bases of the `X.name` selectors inside e to out."""
    out.extend([x[1] for x in _tagged(e, "sel") if x[2] == name])
    return out


def mentions(e: Expr, part: Expr) -> bool:
    """`part` occurs inside e (equal as a tree)."""
    return any(x == part for x in subexprs(e))


def occurs_in(e: object, part: Expr) -> bool:
    """`part` anywhere in e's nested tuples, composite literal keys included (`mentions` skips keys).

    e may also be a plain tuple of expressions (a region's info).
    """
    if e == part:
        return True
    return isinstance(e, tuple) and any(isinstance(x, tuple) and occurs_in(x, part) for x in e)


def plus_operands(e: Expr) -> list:
    """Operands of a `+` chain, left to right (e itself when it is no `+`)."""
    out, stack = [], [e]
    while stack:
        x = stack.pop()
        if x[0] == "bin" and x[1] == "+":
            stack.append(x[3])
            stack.append(x[2])
        else:
            out.append(x)
    return out


_MAY_HOLD_COMPOSITE = frozenset({"comp", "call", "un", "sel", "idx", "slice", "assert", "range", "bin"})


def composites_in_each(exprs: Sequence[Expr], elem_of) -> list[tuple[Expr, str]]:
    """(composite literal, its type) inside several expressions (an op's arguments), in order, as a list.

    Elided element types are filled in: `elem_of(type text)` gives the
    element type of a container type, so that `[]*T{{...}}`'s inner literals
    are typed `T`. Calls that are ops of their own are not entered: their
    arguments are seen where the op is. Expressions that cannot hold a
    composite literal (names, literals, such calls) are skipped without
    starting a walk: most arguments are such. No generator per expression:
    the write index asks this of every op of the program.
    """
    out: list[tuple[Expr, str]] = []
    may_hold = _MAY_HOLD_COMPOSITE
    for e in exprs:
        tag = e[0]
        if tag not in may_hold or (tag == "call" and len(e) > 3 and isinstance(e[3], int) and e[3] >= 0):
            continue
        stack = [(e, "")]
        push, pop = stack.append, stack.pop
        while stack:
            x, inherited = pop()
            if not isinstance(x, tuple) or not x:
                continue
            tag = x[0]
            if tag == "comp":
                ctype = x[1] or inherited
                out.append((x, ctype))
                inner = elem_of(ctype).lstrip("*") if ctype else ""
                for _k, v in x[2]:
                    push((v, inner))
            elif tag == "call":
                if len(x) > 3 and isinstance(x[3], int) and x[3] >= 0:
                    continue
                for y in x[2]:
                    push((y, ""))
            elif tag == "un" and x[1] == "&":
                push((x[2], inherited))
            elif tag in may_hold:
                for y in x[1:]:
                    if isinstance(y, tuple) and y and y[0] in may_hold:
                        push((y, ""))
    return out


def composites_in(e: Expr, elem_of) -> list[tuple[Expr, str]]:
    """`composites_in_each` of one expression."""
    return composites_in_each((e,), elem_of)


def composite_types(exprs: Sequence[Expr], out: set) -> None:
    """Add to out the written types of the composite literals inside exprs (ops' arguments and callees).

    Elided element types are left out: the enclosing literal's type already
    names them. Like `composites_in`, calls that are ops of their own are not
    entered. One flat walk with no per-literal work and no generator per
    node: the program model asks this of every function to know which types
    get made.
    """
    may_hold = _MAY_HOLD_COMPOSITE
    stack = [e for e in exprs if e and e[0] in may_hold]
    push, pop = stack.append, stack.pop
    while stack:
        x = pop()
        tag = x[0]
        if tag == "comp":
            if x[1]:
                out.add(x[1])
            for _k, y in x[2]:
                if isinstance(y, tuple) and y and y[0] in may_hold:
                    push(y)
            continue
        if tag == "call":
            if len(x) > 3 and isinstance(x[3], int) and x[3] >= 0:
                continue
            parts = x[2]
        else:
            parts = x[1:]
        for y in parts:
            if isinstance(y, tuple) and y and y[0] in may_hold:
                push(y)


# ---- rendering ------------------------------------------------------------------------

_FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def render(e: Expr, depth: int = 0) -> str:
    """Short Go-like source text for messages; deep or long parts elided with `…`."""
    if e is None:
        return ""
    if depth > 6:
        return "…"
    tag = e[0]
    if tag == "id":
        return e[1]
    if tag == "sel":
        return f"{render(e[1], depth + 1)}.{e[2]}"
    if tag == "call":
        args = ", ".join(render(a, depth + 1) for a in e[2][:3])
        if len(e[2]) > 3:
            args += ", …"
        return f"{render(e[1], depth + 1)}({args})"
    if tag == "str":
        return '"' + e[1][:20] + '"'
    if tag in ("int", "lit"):
        return str(e[1])
    if tag == "bin":
        return f"{render(e[2], depth + 1)} {e[1]} {render(e[3], depth + 1)}"
    if tag == "un":
        return f"{e[1]}{render(e[2], depth + 1)}"
    if tag == "idx":
        return f"{render(e[1], depth + 1)}[{render(e[2], depth + 1)}]"
    if tag == "slice":  # ("slice", base, low, high, max), a bound None when left out
        parts = [render(b, depth + 1) if b is not None else "" for b in e[2:]]
        if len(parts) == 3 and not parts[2]:
            parts.pop()  # no capacity: `s[i:j]`, not `s[i:j:]`
        return f"{render(e[1], depth + 1)}[{':'.join(parts) or ':'}]"
    if tag == "assert":
        return f"{render(e[1], depth + 1)}.({e[2]})"
    if tag == "type":
        return e[1]
    if tag == "funclit":
        return "func(){…}"
    if tag == "comp":
        return f"{e[1]}{{…}}"
    return str(e[1])[:40] if len(e) > 1 else "…"


def render_negated(e: Expr) -> str:
    """The condition that holds on the other branch of `if e`, as text."""
    if e[0] == "bin" and e[1] in _FLIP:
        return render(("bin", _FLIP[e[1]], e[2], e[3]))
    if e[0] == "un" and e[1] == "!":
        return render(e[2])
    return f"!({render(e)})"
