"""Facts as plain data for the cache: a format that cannot run code when read.

A cache entry used to be a pickle, and unpickling runs whatever the pickle
names: anyone who can write an entry and knows the key runs a command. Here
an entry is a marshal of tuples, lists, dicts, strings and integers only,
and decoding builds our own dataclasses from it after checking every field's
type, so an entry that is sound by its MAC but not by its shape (written by
a build with other facts, or crafted) is a miss and is rebuilt, never a
crash later in the linker.
"""

from __future__ import annotations

import marshal

from .facts import FileFacts, FuncFacts, Op, Region, TypeFacts

_NONE = type(None)
_EXPR = (tuple, _NONE)

# The stored fields of each record, in order, with the types each may hold.
# FileFacts.path and is_test are not stored: whoever loads an entry sets them.
_FILE_FIELDS = (
    "package",
    "imports",
    "types",
    "funcs",
    "consts",
    "directives",
    "error_lines",
    "deep_lines",
    "generated",
    "newer_syntax",
    "made_types",
    "conversion_names",
    "unrun_examples",
)
_FILE_TYPES = (str, dict, list, list, dict, list, tuple, tuple, bool, tuple, tuple, tuple, tuple)
_TYPE_TYPES = (str, str, int, int, tuple, tuple, str, tuple)
_FUNC_TYPES = (str, str, bool, str, tuple, tuple, int, int, int, int, list, list, tuple, bool, tuple)
_REGION_TYPES = (str, int, int, object, int, str)
_OP_TYPES = (str, int, int, int, _EXPR, tuple, str, tuple, str, int, int)
_DIRECTIVE_TYPES = (int, int, str, bool, int)  # line, col, text, own line, end of the node below


def _slots(cls) -> tuple[str, ...]:
    return tuple(cls.__slots__)


_TYPE_FIELDS = _slots(TypeFacts)
_FUNC_FIELDS = _slots(FuncFacts)
_REGION_FIELDS = _slots(Region)
# A field added to the facts without a type here would be silently dropped: fail at import instead.
assert set(_FILE_FIELDS) | {"path", "is_test"} == set(_slots(FileFacts)), "facts changed: update factcodec"
assert len(_TYPE_FIELDS) == len(_TYPE_TYPES) and len(_FUNC_FIELDS) == len(_FUNC_TYPES), "facts changed"
assert len(_REGION_FIELDS) == len(_REGION_TYPES) and len(Op._fields) == len(_OP_TYPES), "facts changed"


class BadEntry(ValueError):
    """Data that is not facts of this build."""


def encode(facts: FileFacts) -> bytes:
    """facts as bytes (path and is_test left out); ValueError when they do not fit (absurd nesting)."""
    funcs = [tuple(_func_field(fn, s) for s in _FUNC_FIELDS) for fn in facts.funcs]
    types = [tuple(getattr(t, s) for s in _TYPE_FIELDS) for t in facts.types]
    record = (
        facts.package,
        facts.imports,
        types,
        funcs,
        facts.consts,
        [tuple(d) for d in facts.directives],
        tuple(facts.error_lines),
        tuple(facts.deep_lines),
        facts.generated,
        tuple(facts.newer_syntax),
        tuple(facts.made_types),
        tuple(facts.conversion_names),
        tuple(facts.unrun_examples),
    )
    return marshal.dumps(record)


def _func_field(fn: FuncFacts, name: str):
    if name == "ops":
        return [tuple(op) for op in fn.ops]
    if name == "regions":
        return [tuple(getattr(r, s) for s in _REGION_FIELDS) for r in fn.regions]
    return getattr(fn, name)


def check_record(values, types: tuple) -> None:
    """BadEntry unless values is a tuple holding one value of each of types, in order."""
    if type(values) is not tuple or len(values) != len(types) or not all(map(isinstance, values, types)):
        raise BadEntry("a record of the wrong shape")


def load_record(payload: bytes, types: tuple) -> tuple:
    """The top record of a payload, checked against types; BadEntry when it is not one."""
    try:
        record = marshal.loads(payload)
    except (ValueError, EOFError, TypeError) as e:
        raise BadEntry(str(e)) from None
    check_record(record, types)
    return record


def decode(payload: bytes) -> FileFacts:
    """The facts in payload; BadEntry when it is not facts of this build."""
    record = load_record(payload, _FILE_TYPES)
    (
        package,
        imports,
        types,
        funcs,
        consts,
        directives,
        error_lines,
        deep_lines,
        generated,
        newer,
        made,
        conv,
        unrun,
    ) = record
    if not all(type(k) is str and type(v) is str for k, v in imports.items()):
        raise BadEntry("imports")
    if not all(type(k) is str and isinstance(v, (tuple, str, int, _NONE)) for k, v in consts.items()):
        raise BadEntry("consts")
    for d in directives:
        check_record(d, _DIRECTIVE_TYPES)
    if not all(type(n) is int for n in error_lines) or not all(type(n) is int for n in deep_lines):
        raise BadEntry("lines")
    if not all(type(c) is tuple and len(c) == 2 and type(c[0]) is str and type(c[1]) is int for c in newer):
        raise BadEntry("newer syntax")
    if not all(type(t) is str for t in made) or not all(type(n) is str for n in conv):
        raise BadEntry("made types")
    if not all(type(n) is str for n in unrun):
        raise BadEntry("unrun examples")
    type_list = []
    for t in types:
        check_record(t, _TYPE_TYPES)
        type_list.append(TypeFacts(*t))
    func_list = []
    make_op = tuple.__new__
    for f in funcs:
        check_record(f, _FUNC_TYPES)
        fn = FuncFacts(*f)
        ops = fn.ops
        for i, op in enumerate(ops):
            check_record(op, _OP_TYPES)
            ops[i] = make_op(Op, op)
        regions = fn.regions
        for i, r in enumerate(regions):
            check_record(r, _REGION_TYPES)
            regions[i] = Region(*r)
        func_list.append(fn)
    return FileFacts(
        "",
        package,
        imports,
        type_list,
        func_list,
        consts,
        directives,
        error_lines,
        deep_lines,
        generated,
        False,
        newer,
        made,
        conv,
        unrun,
    )
