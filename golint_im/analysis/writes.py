"""Where variables and fields are written: the indexes value tracing reads.

Built once per run over every assignment and composite literal of the
program, so that asking "who writes field `Host` of `T`" or "who assigns
package variable `addrs`" is a dictionary look-up, not a scan.
"""

from __future__ import annotations

from golint_im import expr as ex
from golint_im.passes import Pass
from golint_im.program import Program, declared_names


class WriteIndex:
    """Writes to locals, package variables and struct fields.

    Entries are (function, assign op, target position) or, for fields,
    (function, op, right-hand side, kind) with kind "assign" (`x.f = v`,
    `T{f: v}`) or "index" (`x.f[i] = v`). The indexes are built on first use.
    """

    def __init__(self, program: Program):
        self.p = program
        self._field_writes: dict | None = None
        self._var_writes: dict | None = None
        self._field_writes_by_type: dict[str, dict[str, list]] = {}  # field name -> named type -> writes
        self._field_escapes: dict[tuple[str, str], set[str]] = {}  # (package, type) -> fields set out of sight

    def sources(self, fn, e):
        """(function, right-hand side) of the plain writes to a variable or field expression."""
        name = ex.ident(e)
        if name is not None:
            owner = self.p.declaring_function(fn, name)
            if owner is not None:
                for f, op, i in self.local_writes(owner, name):
                    if len(op.args) == len(op.targets):
                        yield f, op.args[i]
                return
            yield from self._var_sources(fn.pkg, name)
            return
        sel = ex.selector(e)
        if sel is not None:
            base, fname = sel
            pkg_name = ex.ident(base)
            if pkg_name is not None and self.p.refers_to_import(fn, pkg_name):
                pkg = self.p.packages.get(fn.file.imports[pkg_name])
                if pkg is not None:
                    yield from self._var_sources(pkg, fname)
                return
            named = self.p.field_holder(fn, base)
            if named:
                for f, _op, rhs, _kind in self.field_writes_of(named, fname):
                    yield f, rhs

    def _var_sources(self, pkg, name):
        for f, op, i in self.package_var_writes(pkg, name):
            if len(op.args) == len(op.targets):
                yield f, op.args[i]

    def local_writes(self, owner, name) -> list:
        """(function, op, target position) of the assignments to local `name` of `owner`, its literals included."""
        target = ex.make_ident(name)
        out = []
        for f in [owner] + owner.nested_literals():
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        if t == target:
                            out.append((f, op, i))
        return out

    def _build_indexes(self) -> tuple[dict, dict]:
        """Field writes by field name, and the writes `package_var_writes` can keep by variable name.

        Of the writes to a plain name, only those to a name no enclosing function
        declares (a package variable, a named result) and a package-level `var` are
        kept; of `x.name = v`, only those where x is an import of the file. The
        rest (nearly every assignment: locals) could never be answered, and held
        half a million entries on 10,191 files.
        """
        fields: dict = {}
        variables: dict = {}
        declared: dict[int, dict] = {}  # function id -> its declared names, for this build only

        def local(f, name: str) -> bool:
            while f is not None:
                names = declared.get(f.id)
                if names is None:
                    names = declared[f.id] = declared_names(f)
                if name in names:
                    return True
                f = f.parent
            return False

        for f in self.p.functions:
            init = f.facts.name == "<init>"
            for op in f.facts.ops:
                if op.kind == "assign":
                    for i, t in enumerate(op.targets):
                        name = ex.ident(t)
                        if name is not None:
                            if (init and op.mode == "var") or not local(f, name):
                                variables.setdefault(name, []).append((f, op, i))
                            continue
                        sel = ex.selector(t)
                        if sel is not None:
                            fields.setdefault(sel[1], []).append((f, op, i, "assign"))
                            if ex.ident(sel[0]) in f.file.imports:
                                variables.setdefault(sel[1], []).append((f, op, i))
                            continue
                        ix = ex.index(t)
                        indexed_field = ex.selected_name(ix[0]) if ix is not None else None
                        if indexed_field is not None:
                            fields.setdefault(indexed_field, []).append((f, op, i, "index"))
                for comp, ctype in ex.composites_in_each(op.args, Program.elem):
                    for key, value in ex.composite_items(comp):
                        name = ex.ident(key)
                        if name is not None:
                            fields.setdefault(name, []).append((f, op, ctype, "comp", value))
        self._field_writes, self._var_writes = fields, variables
        return fields, variables

    def field_never_written(self, named: str, fname: str) -> bool:
        """No code can have set the unexported field fname of the tree type named: it keeps its zero value.

        Only the declaring package can write an unexported field, so that package is
        read: no assignment, index write or keyed literal sets a field of that name
        anywhere in the program, the package takes no field of that name's address
        (`flag.StringVar(&c.host, ...)`), and builds no literal of the type by
        position (`receiver{54951, "::1"}`). Reflection and unsafe are not seen.
        """
        if not fname or not (fname[0].islower() or fname[0] == "_"):
            return False
        path = named.split("#")[0]
        pkg = self.p.packages.get(path)
        if pkg is None:
            return False
        fields = self._field_writes if self._field_writes is not None else self._build_indexes()[0]
        if fields.get(fname):
            return False
        return fname not in self._package_field_escapes(pkg, named)

    def _package_field_escapes(self, pkg, named: str) -> set[str]:
        """Field names whose address the package takes; "" too when it builds a literal of named by position."""
        key = (pkg.path, named)
        cached = self._field_escapes.get(key)
        if cached is not None:
            return cached
        out: set[str] = set()
        for f in self.p.functions:
            if f.pkg is not pkg:
                continue
            for op in f.facts.ops:
                for e in (*op.targets, *op.args) if op.kind == "assign" else op.args:
                    for x in ex.subexprs(e):
                        u = ex.unary(x)
                        if u is not None and u[0] == "&":
                            name = ex.selected_name(u[1])
                            if name is not None:
                                out.add(name)
                for comp, ctype in ex.composites_in_each(op.args, Program.elem):
                    items = ex.composite_items(comp)
                    if items and items[0][0] is None and ctype:
                        if Program.named(self.p.qualify(ctype, f.file)) == named:
                            out.update(name for name, _t, _e in self._struct_fields(named))
        self._field_escapes[key] = out
        return out

    def _struct_fields(self, named: str) -> tuple:
        decl = self.p.type_decl(named)
        return decl[0].members if decl is not None and decl[0].kind == "struct" else ()

    def field_writes_of(self, named: str, fname: str) -> list:
        """(function, op, rhs, kind) writing field fname of named type: `x.f = v`, `x.f[i] = v`, `T{f: v}`."""
        by_type = self._field_writes_by_type.get(fname)
        if by_type is None:
            by_type = self._field_writes_by_type[fname] = self._resolve_field_writes(fname)
        return list(by_type.get(named, ()))

    def _resolve_field_writes(self, fname: str) -> dict[str, list]:
        """The writes to every field called fname, grouped by the named type declaring the written value's base.

        A look-up used to resolve the base type of every write to a field of
        that name, whatever type was asked for: `Name`, `ID` or `Addr` are
        written all over a large program, so GIM301 grew superlinearly. Each
        write is now resolved once, the first time its field name is asked for;
        the order within a type is the index's, so results are unchanged.
        """
        fields = self._field_writes if self._field_writes is not None else self._build_indexes()[0]
        out: dict[str, list] = {}
        for entry in fields.get(fname, ()):
            f, op = entry[0], entry[1]
            if entry[3] == "comp":
                ctype, value = entry[2], entry[4]
                named = Program.named(self.p.qualify(ctype, f.file)) if ctype else None
                if named:
                    out.setdefault(named, []).append((f, op, value, "assign"))
                continue
            i = entry[2]
            target = op.targets[i]
            indexed = ex.index(target)  # `x.f[i] = v`: the base of x.f
            base = ex.selector_base(target if entry[3] == "assign" else indexed[0] if indexed else None)
            base_name = ex.ident(base)
            if base_name is not None and self.p.refers_to_import(f, base_name):
                continue
            if len(op.args) != len(op.targets):
                continue
            named = self.p.field_holder(f, base)
            if named:
                out.setdefault(named, []).append((f, op, op.args[i], entry[3]))
        return out

    def package_var_writes(self, pkg, name: str) -> list:
        """(function, op, target position) of the writes to package variable `name` of pkg, from any package."""
        variables = self._var_writes if self._var_writes is not None else self._build_indexes()[1]
        out = []
        for f, op, i in variables.get(name, ()):
            t = op.targets[i]
            if ex.ident(t) is not None:
                if f.pkg is pkg and self.p.declaring_function(f, name) is None:
                    out.append((f, op, i))
                elif f.pkg is pkg and f.facts.name == "<init>" and op.mode == "var":
                    out.append((f, op, i))
                continue
            pkg_name = ex.ident(ex.selector_base(t))
            if pkg_name is not None and self.p.refers_to_import(f, pkg_name) and f.file.imports[pkg_name] == pkg.path:
                out.append((f, op, i))
        return out


WRITES = Pass(
    "writes",
    lambda ctx: WriteIndex(ctx.program),
    doc="who writes each local, package variable and struct field (built on first question)",
)
