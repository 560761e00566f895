"""Which types a file's functions make a value of: per-file facts for the program's type analysis.

`Program.instantiated_types` (rapid type analysis: a struct type nothing makes
has no values to call through an interface) needs, for every function, the
types its results, declarations, `new`/`make` calls, conversions and
composite literals name. None of that depends on other files, so it is
worked out once per file at parse time and cached with the file's facts;
the link then only qualifies each file's distinct texts.

One thing does depend on the package: a call `T(x)` is a conversion only if
`T` is a type of the package, which other files may declare. Such callee
names are kept apart (`conversion_names`) and judged at link time.
"""

from __future__ import annotations

from . import expr as E
from .facts import FileFacts, Op


def made_types(ff: FileFacts) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(type texts the file's functions make a value of, names called as `name(x)` that make a
    value if `name` is a type of the package), both sorted."""
    texts: set[str] = set()
    names: set[str] = set()

    def mention(type_text: str, pointer_is_enough: bool = True) -> None:
        """Note type_text; a bare `*T` makes no T unless pointer_is_enough."""
        if type_text and (pointer_is_enough or not type_text.startswith("*") or "[" in type_text):
            texts.add(type_text)

    for fn in ff.funcs:
        for result in fn.results:
            mention(result, pointer_is_enough=False)  # a named result starts as a zero value
        exprs: list = []  # every op's arguments and callee: one composite walk per function
        for op in fn.ops:
            if op.vtype:
                mention(op.vtype, pointer_is_enough=False)
            if op.kind == "call":
                _made_by_call(ff, op, mention, names)
            if op.args:
                exprs.extend(op.args)
            if op.fn is not None:
                exprs.append(op.fn)  # `holder{o: &hub{}}.run()`
        E.composite_types(exprs, texts)
    return tuple(sorted(texts)), tuple(sorted(names))


def _made_by_call(ff: FileFacts, op: Op, mention, names: set[str]) -> None:
    """new(T), make(...T...), conversions T(x) / (*T)(x) / pkg.T(x), and generic f[T](...)."""
    callee, args = op.fn, op.args
    if len(args) == 1 and E.is_ident(args[0], "nil"):
        return  # `var _ I = (*T)(nil)` asserts that T implements I; it makes no T
    name = E.ident(callee)
    if name is not None:
        if name in ("new", "make") and args:
            sel = E.selector(args[0])
            base = E.ident(sel[0]) if sel is not None else None
            written = f"{base}.{sel[1]}" if sel is not None and base is not None else None
            mention(written or E.type_text(args[0]) or E.ident(args[0]) or "")
        else:
            names.add(name)  # a conversion when the package declares a type of that name
        return
    conversion = E.type_text(callee)
    if conversion is not None:
        mention(conversion)
        return
    sel = E.selector(callee)
    if sel is not None:
        alias = E.ident(sel[0])
        if alias is not None and alias in ff.imports:  # pkg.T(x)
            mention(f"{alias}.{sel[1]}")
        return
    instantiated = E.index(callee)
    if instantiated is not None:
        for x in E.subexprs(instantiated[1]):
            word = E.ident(x) or E.type_text(x)
            if word is not None:
                mention(word)
