"""Where variables and fields are written: the indexes value tracing reads.

Built once per run over every assignment and composite literal of the
program, so that asking "who writes field `Host` of `T`" or "who assigns
package variable `addrs`" is a dictionary look-up, not a scan.
"""
from __future__ import annotations

from golint_im.program import Program


class WriteIndex:
    """Writes to locals, package variables and struct fields.

    Entries are (function, assign op, target position) or, for fields,
    (function, op, right-hand side, kind) with kind "assign" (`x.f = v`,
    `T{f: v}`) or "index" (`x.f[i] = v`). The indexes are built on first use.
    """

    def __init__(self, program: Program):
        self.p = program
        self._field_writes = None
        self._var_writes = None

    def sources(self, fn, e):
        """(function, right-hand side) of the plain writes to a variable or field expression."""
        if e[0] == "id":
            owner = self.p.declaring_function(fn, e[1])
            if owner is not None:
                for f, op, i in self.local_writes(owner, e[1]):
                    if len(op.args) == len(op.targets):
                        yield f, op.args[i]
                return
            yield from self._var_sources(fn.pkg, e[1])
        elif e[0] == "sel":
            if e[1][0] == "id" and self.p.refers_to_import(fn, e[1][1]):
                pkg = self.p.packages.get(fn.file.imports[e[1][1]])
                if pkg is not None:
                    yield from self._var_sources(pkg, e[2])
                return
            bt = self.p.type_of(fn, e[1])
            named = Program.named(bt) if bt else None
            if named:
                for f, op, rhs, _kind in self.field_writes_of(named, e[2]):
                    yield f, rhs

    def _var_sources(self, pkg, name):
        for f, op, i in self.package_var_writes(pkg, name):
            if len(op.args) == len(op.targets):
                yield f, op.args[i]

    def local_writes(self, owner, name):
        out = []
        for f in [owner] + _nested(owner):
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        if t == ("id", name):
                            out.append((f, op, i))
        return out

    def _build_indexes(self):
        fields: dict = {}
        variables: dict = {}
        for f in self.p.functions:
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        if t[0] == "sel":
                            fields.setdefault(t[2], []).append((f, op, i, "assign"))
                            if t[1][0] == "id":
                                variables.setdefault(t[2], []).append((f, op, i))
                        elif t[0] == "idx" and t[1][0] == "sel":
                            fields.setdefault(t[1][2], []).append((f, op, i, "index"))
                        elif t[0] == "id":
                            variables.setdefault(t[1], []).append((f, op, i))
                for e in op.args:
                    if e[0] not in _MAY_HOLD_COMP:
                        continue
                    for comp, ctype in _comps(e):
                        for key, value in comp[2]:
                            if key is not None and key[0] == "id":
                                fields.setdefault(key[1], []).append((f, op, ctype, "comp", value))
        self._field_writes, self._var_writes = fields, variables

    def field_writes_of(self, named: str, fname: str):
        """(function, op, rhs, kind) writing field fname of named type: `x.f = v`, `x.f[i] = v`, `T{f: v}`."""
        if self._field_writes is None:
            self._build_indexes()
        out = []
        for entry in self._field_writes.get(fname, ()):
            f, op = entry[0], entry[1]
            if entry[3] == "comp":
                ctype, value = entry[2], entry[4]
                if ctype and Program.named(self.p.qualify(ctype, f.file)) == named:
                    out.append((f, op, value, "assign"))
                continue
            i = entry[2]
            target = op.targets[i]
            base = target[1] if entry[3] == "assign" else target[1][1]
            if base[0] == "id" and self.p.refers_to_import(f, base[1]):
                continue
            bt = self.p.type_of(f, base)
            if bt and Program.named(bt) == named and len(op.args) == len(op.targets):
                out.append((f, op, op.args[i], entry[3]))
        return out

    def package_var_writes(self, pkg, name: str):
        if self._var_writes is None:
            self._build_indexes()
        out = []
        for f, op, i in self._var_writes.get(name, ()):
            t = op.targets[i]
            if t[0] == "id":
                if f.pkg is pkg and self.p.declaring_function(f, name) is None:
                    out.append((f, op, i))
                elif f.pkg is pkg and f.facts.name == "<init>" and op.mode == "var":
                    out.append((f, op, i))
            elif t[0] == "sel" and self.p.refers_to_import(f, t[1][1]) and f.file.imports[t[1][1]] == pkg.path:
                out.append((f, op, i))
        return out

    # ---- tracing -------------------------------------------------------


def _nested(fn) -> list:
    """Function literals inside fn, at any depth, in source order."""
    out = []
    for lit_fn in fn.literals:
        out.append(lit_fn)
        out.extend(_nested(lit_fn))
    return out



_MAY_HOLD_COMP = {"comp", "call", "un", "sel", "idx", "slice", "assert", "range", "bin"}


def _comps(e):
    """(composite literal, its type) in an expression, elided element types
    (`[]*T{{...}}`) filled in; not descending into calls that are ops of their own."""
    stack = [(e, "")]
    while stack:
        x, inherited = stack.pop()
        if not isinstance(x, tuple) or not x:
            continue
        tag = x[0]
        if tag == "comp":
            ctype = x[1] or inherited
            yield x, ctype
            inner = Program.elem(ctype).lstrip("*") if ctype else ""
            for _k, v in x[2]:
                stack.append((v, inner))
        elif tag == "call":
            if len(x) > 3 and isinstance(x[3], int) and x[3] >= 0:
                continue
            stack.extend((y, "") for y in x[2])
        elif tag == "un" and x[1] == "&":
            stack.append((x[2], inherited))
        elif tag in _MAY_HOLD_COMP:
            stack.extend((y, "") for y in x[1:] if isinstance(y, tuple) and y and y[0] in _MAY_HOLD_COMP)

