"""The only module that touches tree-sitter: Go source bytes -> FileFacts.

One walk over each tree, statements first and expressions on demand, so a
file costs one parse and one pass. Anything the walker does not understand
becomes an ('other', text) expression rather than an error: broken or
unusual code yields what could be read, never an exception.
"""

from __future__ import annotations

import os
import re
import resource

import tree_sitter as ts
import tree_sitter_go as tsgo

from .facts import FileFacts, FuncFacts, Op, Region, TypeFacts

GO = ts.Language(tsgo.language())


# Facts depend on the grammar's node names: part of the cache key.
def _grammar_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"ts{version('tree-sitter')}-go{version('tree-sitter-go')}"
    except PackageNotFoundError:
        return f"abi{GO.abi_version}"


GRAMMAR_VERSION = _grammar_version()
_PARSER = None
_COMMENTS = ts.Query(GO, "(comment) @c")

# A line of its own, anywhere before the package clause (CRLF endings allowed, as Go strips the CR).
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)
_BLANKS = re.compile(rb"[ \t\r\n\f\v]+")
_DIRECTIVE = re.compile(r"^//\s*(golintim:|nolint\b)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _parser() -> ts.Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = ts.Parser(GO)
    return _PARSER


def is_generated(src: bytes) -> bool:
    """Go's convention: a `// Code generated ... DO NOT EDIT.` line before the package clause, however long.

    Only the leading comments are scanned (each comment is skipped with one
    find(), not character by character), so a large file costs as much as
    its header; a look-alike line after the package clause does not count.
    """
    return bool(_GENERATED.search(src, 0, header_end(src)))


def header_end(src: bytes) -> int:
    """Offset of the first token that is neither blank nor a comment: normally the package clause."""
    pos, n = 0, len(src)
    if src.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, which Go allows first
        pos = 3
    while pos < n:
        blanks = _BLANKS.match(src, pos)
        if blanks is not None:
            pos = blanks.end()
        elif src.startswith(b"//", pos):
            end = src.find(b"\n", pos)
            if end < 0:
                return n
            pos = end + 1
        elif src.startswith(b"/*", pos):
            end = src.find(b"*/", pos + 2)
            if end < 0:
                return n
            pos = end + 2
        else:
            return pos
    return n


class TooCostly(Exception):
    """tree-sitter's error recovery outgrew its memory budget on this file (str(): why)."""


# Memory tree-sitter may add while parsing one file: a base plus a multiple of
# its size. A normal 8 MB file needs about 350 MB; 1.7 MB of unclosed calls
# (`x := a(x := a(...`) took 1.2 GB and 80 s before this cut them short.
PARSE_BUDGET_BASE = 256 * 1024 * 1024
PARSE_BUDGET_PER_BYTE = 96
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_CHUNK = 1 << 16
WATCH_FROM = 256 * 1024  # smaller files cannot reach the budget


def _memory() -> tuple[int, int]:
    """(virtual size, resident size) of this process in bytes; (0, 0) where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            fields = fh.read().split()
        return int(fields[0]) * _PAGE, int(fields[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0, 0


def _tree(src: bytes):
    """src parsed, with tree-sitter's memory watched.

    tree-sitter aborts the process (SIGSEGV, SIGABRT) when an allocation
    fails, so a run under a memory limit (ulimit -v, a container) must stop
    before the limit rather than at it: MemoryError, which the command line
    reports in one line. A file whose parse merely outgrows its budget is
    TooCostly: skipped with a notice, like an oversized file.
    """
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    vm0, rss0 = _memory()
    if not vm0 or (len(src) < WATCH_FROM and soft == resource.RLIM_INFINITY):
        return _parser().parse(src)  # cannot outgrow the budget: the faster, unwatched parse
    headroom = 64 * 1024 * 1024  # allocations between two progress callbacks, and the walk's own start
    if soft != resource.RLIM_INFINITY and vm0 + headroom > soft:
        raise MemoryError("no memory left to parse under the address-space limit")
    budget = PARSE_BUDGET_BASE + PARSE_BUDGET_PER_BYTE * len(src)
    stop: list[str] = []
    calls = [0]

    def progress(_offset, _has_error) -> bool:
        calls[0] += 1
        if calls[0] % 8:
            return False
        vm, rss = _memory()
        if soft != resource.RLIM_INFINITY and vm + headroom > soft:
            stop.append("limit")
        elif rss - rss0 > budget:
            stop.append("budget")
        return bool(stop)

    try:
        tree = _parser().parse(lambda offset, _point: src[offset : offset + _CHUNK], progress_callback=progress)
    except ValueError:  # "Parsing failed": cancelled by progress()
        tree = None
    if tree is None or stop:
        _parser().reset()  # a cancelled parse would otherwise resume on the next file
        if stop and stop[0] == "limit":
            raise MemoryError("tree-sitter reached the address-space limit")
        raise TooCostly(f"skipped: parsing needs more than {budget >> 20} MB (pathological syntax errors?)")
    return tree


def parse(src: bytes, path: str, is_test: bool = False) -> FileFacts:
    tree = _tree(src)
    newer: tuple = ()
    if tree.root_node.has_error and b"new" in src:
        tree, newer = _read_newer_syntax(src, tree)
    facts = _Walker(src, path, is_test).file(tree.root_node)
    facts.newer_syntax = newer
    return facts


# Go syntax newer than the grammar (tree-sitter-go 0.25.0 covers Go 1.25):
# Go 1.26's `new(expr)`, which the grammar only accepts with a type argument.
NEW_EXPR = "new(expr)"
_NEW_CALL = re.compile(rb"\bnew\s*\(")


def _read_newer_syntax(src: bytes, tree):
    """(tree, ((construct, line), ...)): the file parsed again with the newer constructs made readable.

    `new(expr)` is parsed as a call of `nex`, a name of the same length, so
    every offset stays put and the walker, which reads names from the
    original bytes, still sees `new`. Only the `new` calls the parser
    rejected are renamed, and the new tree is kept only when it has fewer
    errors: other syntax errors are reported as before.
    """
    root = tree.root_node
    spots = []
    for m in _NEW_CALL.finditer(src):
        node = root.descendant_for_byte_range(m.start(), m.start() + 3)
        if node is None or node.type != "identifier" or node.start_byte != m.start() or node.end_byte != m.start() + 3:
            continue  # in a comment or a string, or part of a longer name
        parent = node.parent
        if parent is not None and (parent.is_error or parent.has_error):
            spots.append(m.start())
    if not spots:
        return tree, ()
    patched = bytearray(src)
    for at in spots:
        patched[at + 2 : at + 3] = b"x"
    retry = _tree(bytes(patched))
    if _error_count(retry.root_node) >= _error_count(root):
        return tree, ()
    return retry, tuple(sorted({(NEW_EXPR, src.count(b"\n", 0, at) + 1) for at in spots}))


def _error_count(node) -> int:
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            count += 1
        elif n.has_error:
            stack.extend(n.children)
    return count


# Elements of one composite literal kept in the facts (see _Walker.elements).
MAX_KEPT_ELEMENTS = 1024


class _Walker:
    def __init__(self, src: bytes, path: str, is_test: bool):
        self.src = src
        self.ascii = src.isascii()
        self.facts = FileFacts(path=path, is_test=is_test, generated=is_generated(src))
        self.errors: list[int] = []
        self.too_deep: list[int] = []
        self.fn: FuncFacts | None = None
        self.fn_index = -1

    # ---- helpers -------------------------------------------------------
    def text(self, node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

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
            for node in ts.QueryCursor(_COMMENTS).captures(root).get("c", []):
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
            path = self.text(path_node).strip('"`')
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
        for spec in _descendants_of_type(node, "const_spec"):
            names = [self.text(c) for c in spec.children_by_field_name("name") if c.type == "identifier"]
            value = spec.child_by_field_name("value")
            values = [self.expr(v) for v in value.named_children] if value is not None else []
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
                methods.append((self.text(name), n_params, self.result_types(result)))
            elif child.type == "type_elem":
                for t in child.named_children:
                    embeds.append(self.type_text(t))
        return tuple(methods), tuple(embeds)

    def type_text(self, node) -> str:
        return " ".join(self.text(node).split())

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
            self.in_function(index, lambda: self.block(body, 0))

    def new_func(self, node, name, recv, recv_ptr, recv_name, parent) -> int:
        line, col = self.pos(node)
        params, variadic = self.params(node.child_by_field_name("parameters"))
        results = self.result_types(node.child_by_field_name("result"))
        fn = FuncFacts(name, recv, recv_ptr, recv_name, params, results, line, col, node.end_point[0] + 1, parent)
        fn.variadic = variadic
        fn.regions.append(Region("body", -1, line, None, node.end_point[0] + 1))
        self.facts.funcs.append(fn)
        return len(self.facts.funcs) - 1

    def func_literal(self, node) -> tuple:
        index = self.new_func(node, "", "", False, "", self.fn_index)
        body = node.child_by_field_name("body")
        if body is not None:
            self.in_function(index, lambda: self.block(body, 0))
        return ("funclit", index)

    def region(self, kind, parent, node, info=None) -> int:
        line, _ = self.pos(node)
        fn = self.fn
        assert fn is not None  # regions and ops are only met inside a function (or <init>)
        fn.regions.append(Region(kind, parent, line, info, node.end_point[0] + 1))
        return len(fn.regions) - 1

    def op(self, kind, node, region, **kw) -> Op:
        line, col = self.pos(node)
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
                    values.extend(self.expr(e, region) for e in c.named_children)
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
            self.block(node, self.region("block", region, node))
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
            for c in node.named_children:
                self.expr(c, region)
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
        rhs = tuple(self.expr(e, region) for e in right.named_children) if right is not None else ()
        lhs = tuple(self.expr(e, region) for e in left.named_children) if left is not None else ()
        if mode is None:
            if node.type == "short_var_declaration":
                mode = ":="
            else:
                op_node = node.child_by_field_name("operator")
                mode = self.text(op_node) if op_node is not None else "="
        self.op("assign", node, region, targets=lhs, args=rhs, mode=mode)

    def var_decl(self, node, region):
        for spec in _descendants_of_type(node, "var_spec"):
            names = tuple(("id", self.text(n)) for n in spec.children_by_field_name("name"))
            type_node = spec.child_by_field_name("type")
            value = spec.child_by_field_name("value")
            rhs = tuple(self.expr(e, region) for e in value.named_children) if value is not None else ()
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
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, region)
        cond = node.child_by_field_name("condition")
        cond_expr = self.expr(cond, region) if cond is not None else None
        cons = node.child_by_field_name("consequence")
        if cons is not None:
            self.block(cons, self.region("if", region, cons, cond_expr))
        alt = node.child_by_field_name("alternative")
        if alt is not None:
            r = self.region("else", region, alt, cond_expr)
            if alt.type == "if_statement":
                self.if_stmt(alt, r)
            else:
                self.block(alt, r)

    def for_stmt(self, node, region):
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
                lhs = tuple(self.expr(e, region) for e in left.named_children)
                self.op("assign", rng, r, targets=lhs, args=(("range", ranged),), mode=":=")
            # `for x := range ch` is a receive whose handler is the loop body.
            self.op("recv", node, region, fn=ranged, mode="range", body=r)
        else:
            r = self.region("for", region, node, cond)
        if body is not None:
            self.block(body, r)

    def select_stmt(self, node, region):
        cases = [c for c in node.named_children if c.type in ("communication_case", "default_case")]
        has_default = any(c.type == "default_case" for c in cases)
        sel = self.region("select", region, node, (has_default, len(cases)))
        for case in cases:
            if case.type == "default_case":
                body_region = self.region("default", sel, case)
                self.case_body(case, body_region)
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

    def select_receive(self, comm, sel, body_region):
        right = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
        operand = right
        if right is not None and right.type == "unary_expression":
            operand = right.child_by_field_name("operand")
        ch = self.expr(operand, sel) if operand is not None else ("other", "")
        self.op("recv", comm, sel, fn=ch, mode="case", body=body_region, select=sel)
        left = comm.child_by_field_name("left") if comm.type == "receive_statement" else None
        if left is not None:
            lhs = tuple(self.expr(e, sel) for e in left.named_children)
            self.op("assign", comm, body_region, targets=lhs, args=(("un", "<-", ch),), mode=":=")
        return ("recv", ch)

    def case_body(self, case, region):
        for c in case.named_children:
            if c.type == "statement_list":
                for stmt in c.named_children:
                    self.stmt(stmt, region)

    def switch_stmt(self, node, region):
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init, region)
        value = node.child_by_field_name("value")
        if value is not None:
            v = self.expr(value, region)
            alias = node.child_by_field_name("alias")
            if alias is not None:
                lhs = tuple(self.expr(e, region) for e in alias.named_children)
                self.op("assign", alias, region, targets=lhs, args=(("assert", v, ""),), mode=":=")
        # info: whether a `default` clause exists (without one, no case may run at all)
        has_default = any(c.type == "default_case" for c in node.named_children)
        sw = self.region("switch", region, node, has_default)
        for case in node.named_children:
            if case.type in ("expression_case", "type_case", "default_case"):
                r = self.region("block", sw, case)
                if case.type == "expression_case":
                    val = case.child_by_field_name("value")
                    if val is not None:
                        for e in val.named_children:
                            self.expr(e, r)
                self.case_body(case, r)

    # ---- expressions ---------------------------------------------------
    def expr(self, node, region=0) -> tuple:
        t = node.type
        if t == "identifier" or t == "field_identifier" or t == "package_identifier" or t == "type_identifier":
            return ("id", self.text(node))
        if t == "selector_expression":
            operand = node.child_by_field_name("operand")
            field_node = node.child_by_field_name("field")
            return ("sel", self.expr(operand, region), self.text(field_node) if field_node is not None else "")
        if t == "call_expression":
            return self.call(node, region, "plain")
        if t == "interpreted_string_literal":
            return ("str", self.string(node))
        if t == "raw_string_literal":
            return ("str", self.text(node)[1:-1])
        if t == "int_literal":
            return ("int", _int(self.text(node)))
        if t == "parenthesized_expression":
            inner = node.named_children
            return self.expr(inner[0], region) if inner else ("other", "")
        if t == "binary_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            op_node = node.child_by_field_name("operator")
            return (
                "bin",
                self.text(op_node) if op_node is not None else "?",
                self.expr(left, region) if left is not None else ("other", ""),
                self.expr(right, region) if right is not None else ("other", ""),
            )
        if t == "unary_expression":
            operand = node.child_by_field_name("operand")
            op_node = node.child_by_field_name("operator")
            op = self.text(op_node) if op_node is not None else "?"
            inner = self.expr(operand, region) if operand is not None else ("other", "")
            if op == "<-":
                self.op("recv", node, region, fn=inner, mode="expr")
            return ("un", op, inner)
        if t == "func_literal":
            return self.func_literal(node)
        if t == "composite_literal":
            return self.composite(node, region)
        if t == "index_expression":
            operand = node.child_by_field_name("operand")
            index = node.child_by_field_name("index")
            return (
                "idx",
                self.expr(operand, region) if operand is not None else ("other", ""),
                self.expr(index, region) if index is not None else ("other", ""),
            )
        if t == "slice_expression":
            operand = node.child_by_field_name("operand")
            for c in node.named_children:
                if c is not operand:
                    self.expr(c, region)
            return ("slice", self.expr(operand, region) if operand is not None else ("other", ""))
        if t == "type_assertion_expression":
            operand = node.child_by_field_name("operand")
            type_node = node.child_by_field_name("type")
            return (
                "assert",
                self.expr(operand, region) if operand is not None else ("other", ""),
                self.type_text(type_node) if type_node is not None else "",
            )
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
            return ("lit", self.text(node))
        if t == "generic_type" or t.endswith("_type"):
            return ("type", self.type_text(node))
        if t == "variadic_argument":  # f(xs...)
            inner = node.named_children
            return ("spread", self.expr(inner[0], region)) if inner else ("other", self.head(node))
        if t == "keyed_element" or t == "literal_element":
            inner = node.named_children
            return self.expr(inner[0], region) if inner else ("other", "")
        if t == "literal_value":  # element of a composite literal with its type elided: []T{{...}}
            return ("comp", "", self.elements(node, region))
        if t == "ERROR":
            self.errors.append(node.start_point[0] + 1)
        # Unknown shapes: still visit children so nested calls/literals are recorded.
        for c in node.named_children:
            self.expr(c, region)
        return ("other", self.head(node))

    def call(self, node, region, mode) -> tuple:
        fn_node = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        fn = self.expr(fn_node, region) if fn_node is not None else ("other", "")
        args = []
        if args_node is not None:
            for a in args_node.named_children:
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
                    key = self.expr(key_node, region) if key_node is not None else None
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


_JUMPS = {
    "break_statement": "break",
    "continue_statement": "continue",
    "goto_statement": "goto",
    "fallthrough_statement": "fallthrough",
}
_LABELLED_KINDS = ("for", "range", "switch", "select")


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


def _descendants_of_type(node, type_name):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == type_name:
            yield n
            continue
        stack.extend(reversed(n.named_children))


_VERSION_SUFFIX = re.compile(r"^v\d+$")


def default_import_name(path: str) -> str:
    """The package name Go code most likely uses for an import path."""
    parts = path.split("/")
    name = parts[-1]
    if _VERSION_SUFFIX.match(name) and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"\.v\d+$", "", name)
    if name.startswith("go-"):
        name = name[3:]
    elif name.endswith("-go"):
        name = name[:-3]
    return name.replace("-", "_")


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
