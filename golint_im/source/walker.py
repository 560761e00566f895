"""The statement walker: one pass over a file's tree, declarations and statements into FileFacts.

Expressions are read on demand by the mixed-in ExpressionReader (exprs.py).
"""

from __future__ import annotations

import re
import sys

import tree_sitter as ts

from ..facts import FileFacts, FuncFacts, Op, Region, TypeFacts
from .conventions import default_import_name, devendored_import_path, is_generated
from .exprs import MAX_KEPT_ELEMENTS, ExpressionReader, operands
from .grammar import COMMENTS

_DIRECTIVE = re.compile(r"^//\s*(golintim:|nolint\b)")
# What makes `go test` run an Example function (and compare what it prints): go/doc's rule.
_OUTPUT_COMMENT = re.compile(r"^(//|/\*)\s*(unordered )?output:", re.IGNORECASE)

__all__ = ["MAX_KEPT_ELEMENTS", "Walker"]


class Walker(ExpressionReader):
    """One file's walk: declarations, functions and their statements, regions and ops, in source order."""

    def __init__(self, src: bytes, path: str, is_test: bool):
        self.src = src
        self.ascii = src.isascii()
        self.facts = FileFacts(path=path, is_test=is_test, generated=is_generated(src))
        self.errors: list[int] = []
        self.too_deep: list[int] = []
        self.fn: FuncFacts | None = None
        self.fn_index = -1
        self.idents = {}
        self.ident_bytes = {}
        self.shared = {}
        # Block scopes of the function being walked (see declare): what each block declared, and
        # an undo log of `visible` to restore when the block ends.
        self.visible: dict[str, str] = {}
        self.scope_names: list[set[str]] = []
        self.scope_marks: list[int] = []
        self.undo: list[tuple[str, str | None]] = []
        self.fn_seen: set[str] = set()
        self.renamed: dict[str, int] = {}

    # ---- helpers -------------------------------------------------------
    def text(self, node) -> str:
        """The node's source text, interned.

        Identifiers, selectors and type names repeat across a program (grpc-go:
        517,000 strings in the facts, 38,500 distinct). Interned, every copy is
        one object, and marshal keeps the mark: facts loaded from the cache are
        interned by marshal itself, in C, so loading costs nothing more.
        """
        return sys.intern(self.src[node.start_byte : node.end_byte].decode("utf-8", "replace"))

    def head(self, node, chars: int = 80) -> str:
        """The first chars characters of a node's text, without decoding all of it (a node can be megabytes)."""
        end = min(node.end_byte, node.start_byte + 4 * chars)  # 4 bytes per character at most: same result
        return self.src[node.start_byte : end].decode("utf-8", "replace")[:chars]

    def pos(self, node) -> tuple[int, int]:
        row, col = node.start_point
        if not self.ascii and col:
            line_start = node.start_byte - col
            col = len(self.src[line_start : node.start_byte].decode("utf-8", "replace"))
        return row + 1, col + 1

    # ---- scopes ----------------------------------------------------------
    def push_scope(self) -> None:
        if not self.scope_marks:
            self.fn_seen, self.renamed = set(), {}  # a new top-level function (or package-level literal)
        self.scope_marks.append(len(self.undo))
        self.scope_names.append(set())

    def pop_scope(self) -> None:
        mark = self.scope_marks.pop()
        self.scope_names.pop()
        undo, visible = self.undo, self.visible
        while len(undo) > mark:
            name, previous = undo.pop()
            if previous is None:
                visible.pop(name, None)
            else:
                visible[name] = previous

    def declare(self, name: str) -> str:
        """The name a local declared here goes by in the facts.

        Locals are known by name in a function. The first declaration of a name in a top-level
        function (its literals included) keeps it; a later one, in another block, is another
        variable and is named `name·2`, `name·3`... (`·` is no letter: no Go name holds it), so
        that two `done` channels of sibling blocks, or an `err` shadowed in a branch, stay apart.
        Reports show the plain name (findings.display_name). A name already declared in this
        very block is being assigned (`a, err := f()` after `b, err := g()`), not declared.
        """
        if not self.scope_marks or not name or name == "_":
            return name
        here = self.scope_names[-1]
        if name in here:
            return self.visible.get(name, name)
        here.add(name)
        new = name
        if name in self.fn_seen:
            k = self.renamed[name] = self.renamed.get(name, 1) + 1
            new = sys.intern(f"{name}\u00b7{k}")
        self.fn_seen.add(name)
        self.undo.append((name, self.visible.get(name)))
        if new != name:
            self.visible[name] = new
        else:
            self.visible.pop(name, None)
        return new

    def declared_targets(self, node, region) -> tuple:
        """The left side of a `:=` (or a range or receive with `:=`): each bare name is declared."""
        out = []
        for e in operands(node):
            if e.type == "identifier":
                out.append(self.named_ident(self.declare(self.text(e))))
            else:
                out.append(self.expr(e, region))
        return tuple(out)

    def declare_signature(self, index: int) -> None:
        """A function's receiver, parameters and named results, declared in its scope."""
        fn = self.facts.funcs[index]
        if fn.recv_name:
            fn.recv_name = self.declare(fn.recv_name)
        fn.params = tuple((self.declare(n), t) for n, t in fn.params)
        fn.result_names = tuple(self.declare(n) for n in fn.result_names)

    # ---- file level ----------------------------------------------------
    def file(self, root) -> FileFacts:
        f = self.facts
        # <init> spans the file's declarations, not its trailing comments: an edit
        # below the last declaration must leave the facts (and a reused result) equal.
        last = max((c.end_point[0] + 1 for c in root.children if c.type != "comment"), default=1)
        init = FuncFacts("<init>", "", False, "", (), (), 1, 1, last)
        init.regions.append(Region("body", -1, 1))
        f.funcs.append(init)
        self.fn, self.fn_index = init, 0  # package-level expressions belong to <init>
        for child in root.children:
            t = child.type
            try:
                if t == "package_clause":
                    for c in child.named_children:
                        f.package = self.text(c)
                elif t == "import_declaration":
                    self.imports(child)
                elif t == "function_declaration" or t == "method_declaration":
                    self.function(child)
                elif t == "type_declaration":
                    self.type_decl(child)
                elif t == "const_declaration":
                    self.consts(child)
                elif t == "var_declaration":
                    self.var_decl(child, 0)
                elif t == "ERROR":
                    self.errors.append(child.start_point[0] + 1)
            except RecursionError:  # valid but absurdly nested: skip this declaration, keep the rest
                self.too_deep.append(child.start_point[0] + 1)
        if b"golintim" in self.src or b"nolint" in self.src:
            for node in ts.QueryCursor(COMMENTS).captures(root).get("c", []):
                self.comment(node)
            self.facts.directives.sort()
        if root.has_error:
            self.collect_errors(root)
        f.error_lines = tuple(sorted(set(self.errors)))
        f.deep_lines = tuple(self.too_deep)
        return f

    def collect_errors(self, node):
        stack = [node]
        while stack:
            n = stack.pop()
            if n.is_error or n.is_missing:
                self.errors.append(n.start_point[0] + 1)
            elif n.has_error:
                stack.extend(n.children)

    def in_function(self, index, action):
        saved = self.fn, self.fn_index
        self.fn, self.fn_index = self.facts.funcs[index], index
        try:
            action()
        finally:
            self.fn, self.fn_index = saved

    def imports(self, node):
        for spec in _descendants_of_type(node, "import_spec"):
            path_node = spec.child_by_field_name("path")
            if path_node is None:
                continue
            path = devendored_import_path(self.text(path_node).strip('"`'))
            name_node = spec.child_by_field_name("name")
            local = self.text(name_node) if name_node is not None else default_import_name(path)
            self.facts.imports[local] = path

    def comment(self, node):
        text = self.text(node)
        if _DIRECTIVE.match(text):
            line, col = self.pos(node)
            prev = node.prev_sibling
            own_line = prev is None or prev.end_point[0] != node.start_point[0]
            end_line = _declaration_end(node) if own_line else 0
            self.facts.directives.append((line, col, text, own_line, end_line))

    def consts(self, node):
        # A spec with no values repeats the previous spec's (`Shared Mode = iota; Direct`): Go's
        # implicit repetition, so `Direct` is a constant of the package like `Shared`.
        previous: list = []
        for spec in _descendants_of_type(node, "const_spec"):
            names = [self.text(c) for c in spec.children_by_field_name("name") if c.type == "identifier"]
            value = spec.child_by_field_name("value")
            values = [self.expr(v) for v in operands(value)] if value is not None else previous
            previous = values
            for i, name in enumerate(names):
                if i < len(values):
                    self.facts.consts[name] = values[i]

    def type_decl(self, node):
        for spec in node.named_children:
            if spec.type not in ("type_spec", "type_alias"):
                continue
            name_node = spec.child_by_field_name("name")
            type_node = spec.child_by_field_name("type")
            if name_node is None or type_node is None:
                continue
            line, col = self.pos(name_node)
            tparams = self.type_params(spec)
            kind, members, embeds = "other", (), ()
            if type_node.type == "struct_type":
                kind, members = "struct", self.struct_fields(type_node)
            elif type_node.type == "interface_type":
                kind, members, embeds = ("interface",) + self.interface_members(type_node)
            elif type_node.type == "function_type":
                kind = "func"
            self.facts.types.append(
                TypeFacts(self.text(name_node), kind, line, col, members, embeds, self.type_text(type_node), tparams)
            )

    def type_params(self, node):
        tp = node.child_by_field_name("type_parameters")
        if tp is None:
            return ()
        names = []
        for decl in tp.named_children:
            names.extend(self.text(n) for n in decl.children_by_field_name("name"))
        return tuple(names)

    def struct_fields(self, node):
        fields = []
        for decl in _descendants_of_type(node, "field_declaration"):
            type_node = decl.child_by_field_name("type")
            type_text = self.type_text(type_node) if type_node is not None else ""
            names = decl.children_by_field_name("name")
            if names:
                fields.extend((self.text(n), type_text, False) for n in names)
            else:  # embedded: the field is named after the type
                if not type_text.startswith("*") and any(c.type == "*" for c in decl.children):
                    type_text = "*" + type_text  # `*Other`: the star is a sibling of the type node
                base = type_text.lstrip("*").split("[")[0].rsplit(".", 1)[-1]
                fields.append((base, type_text, True))
        return tuple(fields)

    def interface_members(self, node):
        methods, embeds = [], []
        for child in node.named_children:
            if child.type == "method_elem":
                name = child.child_by_field_name("name")
                params = child.child_by_field_name("parameters")
                result = child.child_by_field_name("result")
                n_params = (
                    sum(max(1, len(p.children_by_field_name("name"))) for p in params.named_children)
                    if params is not None
                    else 0
                )
                # The parameter types too: implementations are told apart by signature, not only arity.
                param_types = tuple(t for _n, t in self.params(params)[0])
                methods.append((self.text(name), n_params, self.result_types(result), param_types))
            elif child.type == "type_elem":
                for t in child.named_children:
                    embeds.append(self.type_text(t))
        return tuple(methods), tuple(embeds)

    def type_text(self, node) -> str:
        return sys.intern(" ".join(self.text(node).split()))

    def result_types(self, node) -> tuple:
        if node is None:
            return ()
        if node.type == "parameter_list":
            out = []
            for p in node.named_children:
                t = p.child_by_field_name("type")
                n = max(1, len(p.children_by_field_name("name")))
                out.extend([self.type_text(t) if t is not None else ""] * n)
            return tuple(out)
        return (self.type_text(node),)

    def params(self, node):
        out, variadic = [], False
        if node is None:
            return (), False
        for p in node.named_children:
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            t = p.child_by_field_name("type")
            type_text = self.type_text(t) if t is not None else ""
            if p.type == "variadic_parameter_declaration":
                variadic = True
                type_text = "..." + type_text
            names = p.children_by_field_name("name")
            if names:
                out.extend((self.text(n), type_text) for n in names)
            else:
                out.append(("", type_text))
        return tuple(out), variadic

    # ---- functions -----------------------------------------------------
    def function(self, node):
        name_node = node.child_by_field_name("name")
        recv, recv_ptr, recv_name = "", False, ""
        receiver = node.child_by_field_name("receiver")
        if receiver is not None:
            for p in receiver.named_children:
                t = p.child_by_field_name("type")
                n = p.child_by_field_name("name")
                if t is not None:
                    text = self.type_text(t)
                    recv_ptr = text.startswith("*")
                    recv = text.lstrip("*").split("[")[0].strip()
                if n is not None:
                    recv_name = self.text(n)
        index = self.new_func(
            node, self.text(name_node) if name_node is not None else "", recv, recv_ptr, recv_name, -1
        )
        if node.type == "function_declaration":
            self.facts.funcs[index].type_params = self.type_params(node)
        body = node.child_by_field_name("body")
        if body is not None:
            self.push_scope()
            self.declare_signature(index)
            self.in_function(index, lambda: self.block(body, 0))
            self.pop_scope()
            if self.facts.is_test and not recv and self.facts.funcs[index].name.startswith("Example"):
                if not any(_OUTPUT_COMMENT.match(self.text(c)) for c in _descendants_of_type(body, "comment")):
                    self.facts.unrun_examples += (self.facts.funcs[index].name,)

    def new_func(self, node, name, recv, recv_ptr, recv_name, parent) -> int:
        line, col = self.pos(node)
        params, variadic = self.params(node.child_by_field_name("parameters"))
        result_node = node.child_by_field_name("result")
        results = self.result_types(result_node)
        fn = FuncFacts(name, recv, recv_ptr, recv_name, params, results, line, col, node.end_point[0] + 1, parent)
        fn.variadic = variadic
        if result_node is not None and result_node.type == "parameter_list":
            fn.result_names = tuple(
                self.text(n) for p in result_node.named_children for n in p.children_by_field_name("name")
            )
        fn.regions.append(Region("body", -1, line, None, node.end_point[0] + 1))
        self.facts.funcs.append(fn)
        return len(self.facts.funcs) - 1

    def func_literal(self, node) -> tuple:
        index = self.new_func(node, "", "", False, "", self.fn_index)
        body = node.child_by_field_name("body")
        self.push_scope()
        self.declare_signature(index)
        if body is not None:
            self.in_function(index, lambda: self.block(body, 0))
        self.pop_scope()
        return ("funclit", index)

    def region(self, kind, parent, node, info=None) -> int:
        line, _ = self.pos(node)
        fn = self.fn
        assert fn is not None  # regions and ops are only met inside a function (or <init>)
        fn.regions.append(Region(kind, parent, line, info, node.end_point[0] + 1))
        return len(fn.regions) - 1

    def op(self, kind, node, region, **kw) -> Op:
        line, col = self.pos(node)
        args = kw.get("args")
        if args:
            kw["args"] = self.share_list(args)
        targets = kw.get("targets")
        if targets:
            kw["targets"] = self.share_list(targets)
        o = Op(kind, line, col, region, **kw)
        fn = self.fn
        assert fn is not None
        fn.ops.append(o)
        return o

    # ---- statements ----------------------------------------------------
    def block(self, node, region):
        for child in node.named_children:
            if child.type == "statement_list":
                for stmt in child.named_children:
                    self.stmt(stmt, region)
            else:
                self.stmt(child, region)

    def stmt(self, node, region):
        t = node.type
        if t == "expression_statement":
            for c in node.named_children:
                self.expr(c, region)
        elif t == "short_var_declaration" or t == "assignment_statement":
            self.assign(node, region)
        elif t == "var_declaration":
            self.var_decl(node, region)
        elif t == "send_statement":
            self.send(node, region, -1)
        elif t == "return_statement":
            values = []
            for c in node.named_children:
                if c.type == "expression_list":
                    values.extend(self.expr(e, region) for e in operands(c))
                else:
                    values.append(self.expr(c, region))
            self.op("return", node, region, args=tuple(values))
        elif t == "go_statement" or t == "defer_statement":
            for c in node.named_children:
                if c.type == "call_expression":
                    self.call(c, region, "go" if t == "go_statement" else "defer")
                else:
                    self.expr(c, region)
        elif t == "if_statement":
            self.if_stmt(node, region)
        elif t == "for_statement":
            self.for_stmt(node, region)
        elif t == "select_statement":
            self.select_stmt(node, region)
        elif t in ("expression_switch_statement", "type_switch_statement"):
            self.switch_stmt(node, region)
        elif t == "block":
            self.push_scope()
            self.block(node, self.region("block", region, node))
            self.pop_scope()
        elif t == "labeled_statement":
            label = ""
            for c in node.named_children:
                if c.type == "label_name":
                    label = self.text(c)
                else:
                    first = len(self.fn.regions)
                    self.stmt(c, region)
                    # `L: for ...`: the loop (switch, select) is the first region the statement opens.
                    if label and first < len(self.fn.regions):
                        r = self.fn.regions[first]
                        if r.parent == region and r.kind in _LABELLED_KINDS:
                            r.label = label
        elif t in ("inc_statement", "dec_statement"):
            # `n++` is `n += 1` (the Go spec says so): recorded as that assignment, so that
            # counters (a drain loop counting its senders down) are visible to the analyses.
            targets = tuple(self.expr(c, region) for c in operands(node))
            mode = "+=" if t == "inc_statement" else "-="
            self.op("assign", node, region, targets=targets, args=(self._leaf(("int", 1)),), mode=mode)
        elif t == "ERROR":
            self.errors.append(node.start_point[0] + 1)
        elif t == "const_declaration":
            self.consts(node)
        elif t in _JUMPS:
            label = next((c for c in node.named_children if c.type == "label_name"), None)
            self.op("jump", node, region, mode=_JUMPS[t], fn=("id", self.text(label)) if label is not None else None)
        # empty statements, type declarations: nothing to record

    def assign(self, node, region, mode=None):
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        rhs = tuple(self.expr(e, region) for e in operands(right)) if right is not None else ()
        if left is None:
            lhs: tuple = ()
        elif node.type == "short_var_declaration":
            lhs = self.declared_targets(left, region)
        else:
            lhs = tuple(self.expr(e, region) for e in operands(left))
        if mode is None:
            if node.type == "short_var_declaration":
                mode = ":="
            else:
                op_node = node.child_by_field_name("operator")
                mode = self.text(op_node) if op_node is not None else "="
        self.op("assign", node, region, targets=lhs, args=rhs, mode=mode)

    def var_decl(self, node, region):
        for spec in _descendants_of_type(node, "var_spec"):
            type_node = spec.child_by_field_name("type")
            value = spec.child_by_field_name("value")
            rhs = tuple(self.expr(e, region) for e in operands(value)) if value is not None else ()
            names = tuple(self.named_ident(self.declare(self.text(n))) for n in spec.children_by_field_name("name"))
            self.op(
                "assign",
                spec,
                region,
                targets=names,
                args=rhs,
                mode="var",
                vtype=self.type_text(type_node) if type_node is not None else "",
            )

    def send(self, node, region, select) -> Op:
        ch = node.child_by_field_name("channel")
        val = node.child_by_field_name("value")
        return self.op(
            "send",
            node,
            region,
            fn=self.expr(ch, region),
            args=(self.expr(val, region),) if val is not None else (),
            select=select,
        )

    def if_stmt(self, node, region):
        self.push_scope()  # the initializer's names are the statement's, branches included
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, region)
        cond = node.child_by_field_name("condition")
        cond_expr = self.expr(cond, region) if cond is not None else None
        cons = node.child_by_field_name("consequence")
        if cons is not None:
            self.push_scope()
            self.block(cons, self.region("if", region, cons, cond_expr))
            self.pop_scope()
        alt = node.child_by_field_name("alternative")
        if alt is not None:
            r = self.region("else", region, alt, cond_expr)
            if alt.type == "if_statement":
                self.if_stmt(alt, r)
            else:
                self.push_scope()
                self.block(alt, r)
                self.pop_scope()
        self.pop_scope()

    def for_stmt(self, node, region):
        self.push_scope()  # the clause's names: the loop's own
        self._for_stmt(node, region)
        self.pop_scope()

    def _for_stmt(self, node, region):
        body = node.child_by_field_name("body")
        rng = None
        cond = None
        for c in node.named_children:
            if c.type == "range_clause":
                rng = c
            elif c.type == "for_clause":
                for part in ("initializer", "condition", "update"):
                    p = c.child_by_field_name(part)
                    if p is not None:
                        if part == "condition":
                            cond = self.expr(p, region)
                        else:
                            self.stmt(p, region)
            elif c is not body and c.type not in ("block", "comment"):
                cond = self.expr(c, region)
        if rng is not None:
            right = rng.child_by_field_name("right")
            ranged = self.expr(right, region) if right is not None else ("other", "")
            r = self.region("range", region, node, ranged)
            left = rng.child_by_field_name("left")
            if left is not None:
                token = _assign_token(rng)
                if token == ":=":
                    lhs = self.declared_targets(left, region)
                else:
                    lhs = tuple(self.expr(e, region) for e in operands(left))
                self.op("assign", rng, r, targets=lhs, args=(("range", ranged),), mode=token)
            # `for x := range ch` is a receive whose handler is the loop body.
            self.op("recv", node, region, fn=ranged, mode="range", body=r)
        else:
            # `for true {` and `for ; true; <-tick.C {` loop for good, like `for {`: no condition.
            r = self.region("for", region, node, None if cond == ("lit", "true") else cond)
        if body is not None:
            self.push_scope()
            self.block(body, r)
            self.pop_scope()

    def select_stmt(self, node, region):
        cases = [c for c in node.named_children if c.type in ("communication_case", "default_case")]
        has_default = any(c.type == "default_case" for c in cases)
        sel = self.region("select", region, node, (has_default, len(cases)))
        for case in cases:
            self.push_scope()
            if case.type == "default_case":
                body_region = self.region("default", sel, case)
                self.case_body(case, body_region)
                self.pop_scope()
                continue
            comm = case.child_by_field_name("communication")
            info = None
            body_region = self.region("case", sel, case)
            if comm is not None and comm.type == "send_statement":
                op = self.send(comm, sel, sel)
                info = ("send", op.fn)
            elif comm is not None:
                info = self.select_receive(comm, sel, body_region)
            self.fn.regions[body_region].info = info
            self.case_body(case, body_region)
            self.pop_scope()

    def select_receive(self, comm, sel, body_region):
        right = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
        operand = right
        if right is not None and right.type == "unary_expression":
            operand = right.child_by_field_name("operand")
        ch = self.expr(operand, sel) if operand is not None else ("other", "")
        self.op("recv", comm, sel, fn=ch, mode="case", body=body_region, select=sel)
        left = comm.child_by_field_name("left") if comm.type == "receive_statement" else None
        if left is not None:
            token = _assign_token(comm)
            if token == ":=":
                lhs = self.declared_targets(left, sel)
            else:
                lhs = tuple(self.expr(e, sel) for e in operands(left))
            self.op("assign", comm, body_region, targets=lhs, args=(("un", "<-", ch),), mode=token)
        return ("recv", ch)

    def case_body(self, case, region):
        for c in case.named_children:
            if c.type == "statement_list":
                for stmt in c.named_children:
                    self.stmt(stmt, region)

    def switch_stmt(self, node, region):
        self.push_scope()  # the initializer's and the type switch's names
        self._switch_stmt(node, region)
        self.pop_scope()

    def _switch_stmt(self, node, region):
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, region)
        value = node.child_by_field_name("value")
        tag = None  # a tag that is a plain name: its cases read as comparisons with it
        if value is not None:
            v = self.expr(value, region)
            if node.type == "expression_switch_statement" and v is not None and v[0] == "id":
                tag = v
            alias = node.child_by_field_name("alias")
            if alias is not None:
                lhs = self.declared_targets(alias, region)
                self.op("assign", alias, region, targets=lhs, args=(("assert", v, ""),), mode=":=")
        # info: whether a `default` clause exists (without one, no case may run at all)
        has_default = any(c.type == "default_case" for c in node.named_children)
        sw = self.region("switch", region, node, has_default)
        for case in node.named_children:
            if case.type in ("expression_case", "type_case", "default_case"):
                self.push_scope()
                r = self.region("block", sw, case)
                if case.type == "expression_case":
                    val = case.child_by_field_name("value")
                    if val is not None:
                        conds = [self.expr(e, r) for e in operands(val)]
                        if value is None and len(conds) == 1:
                            # `switch { case err != nil:`: the case is taken when its condition holds.
                            self.fn.regions[r].info = conds[0]
                        elif tag is not None and conds:
                            # `switch err { case nil:` is `switch { case err == nil:`; several values
                            # are tried in turn: `case a, b:` is `case err == a || err == b:`.
                            test = ("bin", "==", tag, conds[0])
                            for c in conds[1:]:
                                test = ("bin", "||", test, ("bin", "==", tag, c))
                            self.fn.regions[r].info = test
                self.case_body(case, r)
                self.pop_scope()

    # ---- expressions ---------------------------------------------------


_JUMPS = {
    "break_statement": "break",
    "continue_statement": "continue",
    "goto_statement": "goto",
    "fallthrough_statement": "fallthrough",
}
_LABELLED_KINDS = ("for", "range", "switch", "select")


def _assign_token(node) -> str:
    """`:=` or `=` of a range clause or a select case's receive: only `:=` declares its names."""
    return "=" if any(c.type == "=" for c in node.children) else ":="


def _declaration_end(comment) -> int:
    """The last line (1-based) of the declaration or statement a comment sits on top of, or 0.

    golangci-lint users write `//nolint:RULE` above a func or a block to
    silence the whole of it. The comment counts as on top when only comment
    lines, with no blank line, stand between it and the node. A comment
    before a block's first statement is a sibling of the statement list, so
    the target is that list's first statement.
    """
    row = comment.end_point[0]
    node = comment.next_named_sibling
    while node is not None and node.type == "comment":
        if node.start_point[0] != row + 1:
            return 0
        row = node.end_point[0]
        node = node.next_named_sibling
    if node is not None and node.type == "statement_list":
        node = node.named_children[0] if node.named_children else None
    if node is None or node.start_point[0] != row + 1:
        return 0
    return node.end_point[0] + 1


def _descendants_of_type(node, type_name):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == type_name:
            yield n
            continue
        stack.extend(reversed(n.named_children))
