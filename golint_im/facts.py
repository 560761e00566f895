"""Plain, picklable facts extracted from one Go file.

These are the only thing that crosses the process boundary and the cache:
tree-sitter trees do not pickle, and re-parsing is the cost we avoid. Keep
them small (tuples, slots) so loading a warm cache is cheap.

Expressions are nested tuples whose first item is a tag; `golint_im.expr`
documents the layout and is the only code that takes them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

Expr = tuple

# Region kinds: where an op sits, so rules can ask "inside which select case,
# loop, if-branch, goroutine literal" without re-parsing.
REGION_KINDS = ("body", "block", "if", "else", "for", "range", "case", "default", "select", "switch")


@dataclass(slots=True)
class Region:
    kind: str
    parent: int  # index in FuncFacts.regions, -1 for the function body
    line: int
    # 'if': condition expr; 'for': condition expr, None when there is none (`for {`);
    # 'range': ranged expr; 'case': ('recv'|'send', chan expr) for select cases, else None;
    # 'block' of a tagless switch's case with one expression (`case err != nil:`): that expression;
    # of a switch on a name, its values as comparisons (`switch err { case a, b:`: `err == a || err == b`);
    # 'select': (has_default, number of cases)
    info: object = None
    end_line: int = 0
    label: str = ""  # `L:` on a for/range/switch/select statement: what `break L`/`continue L` name


class Op(NamedTuple):
    """One thing a function does, in source order (a tuple: cheap to pickle and cache).

    kind:
      'call'   fn, args; mode is 'plain', 'go' or 'defer'
      'send'   fn=channel expr, args=(value,)
      'recv'   fn=channel expr; mode is 'expr', 'case' or 'range'; body is the
               region whose statements handle the received value
      'assign' lhs in `targets`, rhs in args; mode ':=', '=', 'var'; vtype for `var x T`
    A call the link makes, never the parser (Program.implicit_calls: `p.String()` run by
    `fmt.Sprintf("%v", p)`), has the printing function in vtype.
      'return' args = returned exprs
      'jump'   mode is 'break', 'continue', 'goto' or 'fallthrough'; fn=('id', label)
               when labelled, else None. Where it goes is left to the rule: an
               unlabelled break leaves the innermost for/range/switch/select region,
               continue the innermost for/range, a label names a Region.label.
    """

    kind: str
    line: int
    col: int
    region: int
    fn: Expr | None = None
    args: tuple = ()
    mode: str = ""
    targets: tuple = ()
    vtype: str = ""
    body: int = -1  # handler region for receives
    select: int = -1  # enclosing select region for select-case sends/receives


@dataclass(slots=True)
class FuncFacts:
    name: str  # "" for literals, "<init>" for package-level var initialisers
    recv: str  # receiver base type name ("" for plain functions)
    recv_ptr: bool
    recv_name: str
    params: tuple  # ((name, type), ...) ; unnamed params get ""
    results: tuple  # (type, ...)
    line: int
    col: int
    end_line: int
    parent: int = -1  # enclosing function for literals
    ops: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    type_params: tuple = ()
    variadic: bool = False
    # the names of named results, in order (`func f() (conn net.Conn, err error)`); () when unnamed
    result_names: tuple = ()


@dataclass(slots=True)
class TypeFacts:
    name: str
    kind: str  # 'struct' | 'interface' | 'func' | 'other'
    line: int
    col: int
    # struct: ((field_name, type, embedded), ...); interface: ((method, n_params, results, param types), ...)
    members: tuple = ()
    embeds: tuple = ()  # interface embeds (type strings)
    underlying: str = ""
    type_params: tuple = ()


@dataclass(slots=True)
class FileFacts:
    path: str  # display path, relative to its analysed root
    package: str = ""
    imports: dict = field(default_factory=dict)  # local name -> import path
    types: list = field(default_factory=list)
    funcs: list = field(default_factory=list)
    consts: dict = field(default_factory=dict)  # name -> Expr
    directives: list = field(default_factory=list)  # (line, col, text, own_line, end_line of the node below)
    error_lines: tuple = ()  # lines where the parser recovered from a syntax error
    deep_lines: tuple = ()  # declarations skipped because they nest too deep to walk
    generated: bool = False
    is_test: bool = False
    # (construct, line) of Go syntax newer than the grammar, read anyway: see source.NEW_EXPR
    newer_syntax: tuple = ()
    # Type texts the file's functions make a value of, and callee names that do when they name
    # a type of the package (made.made_types): the link's type analysis, worked out per file.
    made_types: tuple = ()
    conversion_names: tuple = ()
    # Example functions of a test file with no `// Output:` comment: `go test` compiles them but
    # never runs them, so nothing they open can leak at run time.
    unrun_examples: tuple = ()
