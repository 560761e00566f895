"""Expressions of a Go file as the facts' tagged tuples (see golint_im.expr for the layout).

The walker reads statements; this half of it reads the expressions inside
them, on demand. Anything it does not understand becomes ('other', text).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..facts import FuncFacts, Op

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}

# Expressions are shared by value within a file (`ExpressionReader.expr`): leaves hold strings or an
# integer only; operators hold strings and operand expressions (compared by identity, as
# the operands are shared first), never an integer that an identity could be mistaken for.
# The operand of an operator the parser left out: one object, never looked up itself.
_OTHER = ("other", "")

# Elements of one composite literal kept in the facts (see _Walker.elements).
MAX_KEPT_ELEMENTS = 1024


class ExpressionReader:
    """The expression half of the walker (mixed into `Walker`)."""

    fn: FuncFacts | None
    errors: list
    # One ("id", name) tuple per name in a file: 280,000 of them in grpc-go's facts, 43,000 distinct
    # per file. Shared objects stay shared through the cache (marshal writes a reference).
    idents: dict[str, tuple]
    # The same tuples by their source bytes: a name seen before in the file is neither decoded
    # nor interned again (two byte strings that decode alike still share one tuple via idents).
    ident_bytes: dict[bytes, tuple]
    src: bytes
    # Every other leaf or operator expression, once per distinct value in a file (see `expr`).
    shared: dict[tuple, tuple]
    # Locals in scope whose declaration was given a name of its own (see Walker.declare).
    visible: dict[str, str]

    if TYPE_CHECKING:

        def text(self, node) -> str: ...
        def head(self, node, chars: int = 80) -> str: ...
        def type_text(self, node) -> str: ...
        def func_literal(self, node) -> tuple: ...
        def op(self, kind, node, region, **kw) -> Op: ...

    def expr(self, node, region=0) -> tuple:
        """The expression at node, as one object per distinct value in the file.

        Selectors, literals and operators repeat within a file (`s.mu`,
        `("other", "")`): grpc-go's facts hold 630,000 tuples of which 370,000
        are distinct per file. Sharing equal ones (and equal argument tuples,
        `share_list`), as for identifiers, leaves 621,000 tuples after the link
        instead of 790,000: 10 MB less, in memory and in every rule lane that
        reads them; marshal keeps the sharing through the cache. A leaf
        (`_leaf`) is looked up by its value; an operator expression by its
        operands' identities (they are shared already), so a look-up costs the
        same at any nesting depth. Calls and function literals carry their op
        or function index and are never equal: not looked up. Each branch
        builds its own key (one tuple, no generic walk over the parts): this
        is the walker's most called method, 700,000 calls on grpc-go.
        """
        t = node.type
        if t == "identifier" or t == "field_identifier" or t == "package_identifier" or t == "type_identifier":
            raw = self.src[node.start_byte : node.end_byte]
            ident = self.ident_bytes.get(raw)
            if ident is None:
                name = self.text(node)
                ident = self.idents.get(name)
                if ident is None:
                    ident = self.idents[name] = ("id", name)
                self.ident_bytes[raw] = ident
            if self.visible and t == "identifier":
                # A local declared again in another block of the function reads as its own name
                # (`done·2`, see Walker.declare); most functions have none, and the check is one test.
                alias = self.visible.get(ident[1])
                if alias is not None:
                    return self.named_ident(alias)
            return ident
        shared = self.shared
        if t == "selector_expression":
            operand = node.child_by_field_name("operand")
            field_node = node.child_by_field_name("field")
            base = self.expr(operand, region)
            name = self.text(field_node) if field_node is not None else ""
            return shared.setdefault(("sel", id(base), name), ("sel", base, name))
        if t == "call_expression":
            return self.call(node, region, "plain")
        if t == "interpreted_string_literal":
            return self._leaf(("str", self.string(node)))
        if t == "raw_string_literal":
            return self._leaf(("str", self.text(node)[1:-1]))
        if t == "int_literal":
            return self._leaf(("int", _int(self.text(node))))
        if t == "parenthesized_expression":
            inner = node.named_children
            return self.expr(inner[0], region) if inner else self._leaf(("other", ""))
        if t == "binary_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            op_node = node.child_by_field_name("operator")
            op = self.text(op_node) if op_node is not None else "?"
            a = self.expr(left, region) if left is not None else _OTHER
            b = self.expr(right, region) if right is not None else _OTHER
            return shared.setdefault(("bin", op, id(a), id(b)), ("bin", op, a, b))
        if t == "unary_expression":
            operand = node.child_by_field_name("operand")
            op_node = node.child_by_field_name("operator")
            op = self.text(op_node) if op_node is not None else "?"
            inner = self.expr(operand, region) if operand is not None else _OTHER
            if op == "<-":
                self.op("recv", node, region, fn=inner, mode="expr")
            return shared.setdefault(("un", op, id(inner)), ("un", op, inner))
        if t == "func_literal":
            return self.func_literal(node)
        if t == "composite_literal":
            return self.composite(node, region)
        if t == "index_expression":
            operand = node.child_by_field_name("operand")
            index = node.child_by_field_name("index")
            a = self.expr(operand, region) if operand is not None else _OTHER
            b = self.expr(index, region) if index is not None else _OTHER
            return shared.setdefault(("idx", id(a), id(b)), ("idx", a, b))
        if t == "slice_expression":
            operand = node.child_by_field_name("operand")
            bounds = []
            for part in ("start", "end", "capacity"):
                c = node.child_by_field_name(part)
                bounds.append(self.expr(c, region) if c is not None else None)
            a = self.expr(operand, region) if operand is not None else _OTHER
            key = ("slice", id(a), *(id(b) for b in bounds))
            return shared.setdefault(key, ("slice", a, *bounds))
        if t == "type_assertion_expression":
            operand = node.child_by_field_name("operand")
            type_node = node.child_by_field_name("type")
            a = self.expr(operand, region) if operand is not None else _OTHER
            asserted = self.type_text(type_node) if type_node is not None else ""
            return shared.setdefault(("assert", id(a), asserted), ("assert", a, asserted))
        if t == "type_conversion_expression":
            type_node = node.child_by_field_name("type")
            operand = node.child_by_field_name("operand")
            return (
                "call",
                ("type", self.type_text(type_node) if type_node is not None else ""),
                (self.expr(operand, region),) if operand is not None else (),
                -1,
            )
        if t in ("true", "false", "nil", "iota", "float_literal", "rune_literal", "imaginary_literal"):
            return self._leaf(("lit", self.text(node)))
        if t == "generic_type" or t.endswith("_type"):
            return self._leaf(("type", self.type_text(node)))
        if t == "variadic_argument":  # f(xs...)
            inner = node.named_children
            if not inner:
                return self._leaf(("other", self.head(node)))
            a = self.expr(inner[0], region)
            return shared.setdefault(("spread", id(a)), ("spread", a))
        if t == "keyed_element" or t == "literal_element":
            inner = node.named_children
            return self.expr(inner[0], region) if inner else self._leaf(("other", ""))
        if t == "literal_value":  # element of a composite literal with its type elided: []T{{...}}
            return ("comp", "", self.elements(node, region))
        if t == "ERROR":
            self.errors.append(node.start_point[0] + 1)
        # Unknown shapes: still visit children so nested calls/literals are recorded.
        for c in node.named_children:
            self.expr(c, region)
        return self._leaf(("other", self.head(node)))

    def element_key(self, node, region) -> tuple:
        """A keyed element's key: a bare name is a struct field's (or a constant's), never a renamed local."""
        saved = self.visible
        if not saved:
            return self.expr(node, region)  # no renamed local in scope: nothing to keep apart
        inner = node.named_children if node.type == "literal_element" else [node]
        if len(inner) == 1 and inner[0].type == "identifier":
            self.visible = {}
        try:
            return self.expr(node, region)
        finally:
            self.visible = saved

    def named_ident(self, name: str) -> tuple:
        """The file's one ("id", name) tuple for a name."""
        ident = self.idents.get(name)
        if ident is None:
            ident = self.idents[name] = ("id", sys.intern(name))
        return ident

    def _leaf(self, e: tuple) -> tuple:
        """A leaf (a string, number, literal, type or unread shape), once per distinct value in the file."""
        return self.shared.setdefault(e, e)

    def share_list(self, exprs: tuple) -> tuple:
        """A tuple of expressions (an op's arguments or targets), once per distinct tuple in the file."""
        return self.shared.setdefault(("*", *map(id, exprs)), exprs)

    def call(self, node, region, mode) -> tuple:
        fn_node = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        fn = self.expr(fn_node, region) if fn_node is not None else ("other", "")
        args = []
        if args_node is not None:
            for a in operands(args_node):
                # make(chan T, n) / new(T): a bare type name is a type, not a variable.
                if a.type.endswith("_type") or (a.type == "type_identifier" and _is_make(fn)):
                    args.append(("type", self.type_text(a)))
                else:
                    args.append(self.expr(a, region))
        op = self.op("call", node, region, fn=fn, args=tuple(args), mode=mode)
        assert self.fn is not None
        return ("call", fn, op.args, len(self.fn.ops) - 1)

    def composite(self, node, region) -> tuple:
        type_node = node.child_by_field_name("type")
        body = node.child_by_field_name("body")
        elements = self.elements(body, region) if body is not None else ()
        return ("comp", self.type_text(type_node) if type_node is not None else "", elements)

    def elements(self, body, region) -> tuple:
        """A composite literal's elements; past MAX_KEPT_ELEMENTS only what they do (calls, literals) is kept.

        A generated table of a million entries kept every entry as tuples:
        hundreds of MB per file. No rule reads past the first few elements of
        a literal; the calls and function literals inside every element are
        still recorded as ops, so no finding is lost.
        """
        elements = []
        if body is not None:
            for n, el in enumerate(body.named_children):
                if n >= MAX_KEPT_ELEMENTS:
                    if el.type != "comment":
                        self.expr(el, region)
                    continue
                if el.type == "keyed_element":
                    key_node = el.child_by_field_name("key")
                    value_node = el.child_by_field_name("value")
                    if key_node is None or value_node is None:
                        kids = el.named_children
                        key_node, value_node = (kids + [None, None])[:2]
                    key = self.element_key(key_node, region) if key_node is not None else None
                    value = self.expr(value_node, region) if value_node is not None else ("other", "")
                    elements.append((key, value))
                elif el.type != "comment":
                    elements.append((None, self.expr(el, region)))
        return tuple(elements)

    def string(self, node) -> str:
        parts = []
        for c in node.children:
            if c.type == "interpreted_string_literal_content":
                parts.append(self.text(c))
            elif c.type == "escape_sequence":
                parts.append(_unescape(self.text(c)))
        return "".join(parts)


def operands(node) -> list:
    """The expressions of an argument or expression list, without the comments written between them.

    `f(ctx, // why\n conn)` has three named children; counting the comment as an
    argument would shift every later argument onto the wrong parameter.
    """
    return [c for c in node.named_children if c.type != "comment"]


def _unescape(esc: str) -> str:
    """One Go escape sequence: \\n, \\x41, \\101, \\u00e9, \\U0001F600."""
    kind = esc[1:2]
    try:
        if kind in ("x", "u", "U"):
            return chr(int(esc[2:], 16))
        if kind.isdigit():
            return chr(int(esc[1:], 8))
    except ValueError:
        return esc
    return _ESCAPES.get(kind, esc)


def _is_make(fn) -> bool:
    return fn == ("id", "make") or fn == ("id", "new")


def _int(text: str):
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        try:
            return int(text.replace("_", ""), 8)
        except ValueError:
            return None
