"""The entities of the linked program: functions, packages, call targets.

Kept apart from `Program` so the modules that `Program` is assembled from
(types, function values) can build and return them without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .facts import FileFacts, FuncFacts


@dataclass(eq=False, slots=True)
class Function:
    """A function, method or literal of the analysed program."""

    id: int
    facts: FuncFacts
    file: FileFacts
    pkg: Package
    parent: Function | None = None
    literals: list = field(default_factory=list)
    go_sites: list = field(default_factory=list)  # (caller Function, Op) spawning this as a goroutine
    env: dict | None = None  # local variable types, filled by Program.locals on first use
    # (ops by region, child regions by parent), built by the flow layer on first use
    region_index: tuple[dict[int, list[int]], dict[int, list[int]]] | None = None

    @property
    def name(self) -> str:
        f = self.facts
        if self.parent is not None:
            n = sum(1 for lit in self.parent.literals if lit.facts.line <= f.line and lit is not self)
            return f"{self.parent.name}.func{n + 1}"
        if f.recv:
            star = "*" if f.recv_ptr else ""
            return f"({star}{f.recv}).{f.name}"
        return f.name

    @property
    def qualname(self) -> str:
        return f"{self.pkg.path}.{self.name}"

    @property
    def short(self) -> str:
        return f"{self.pkg.name}.{self.name}"

    def __repr__(self):
        return f"<Function {self.qualname}>"

    def nested_literals(self) -> list[Function]:
        """Function literals inside this function, at any depth, in source order (depth first)."""
        out: list[Function] = []
        for lit in self.literals:
            out.append(lit)
            out.extend(lit.nested_literals())
        return out

    @property
    def is_main(self) -> bool:
        """The program's `main` (a declared, receiverless `main` of package main): the process ends
        when it returns."""
        return self.parent is None and not self.facts.recv and self.facts.name == "main" and self.pkg.name == "main"

    def outermost(self) -> Function:
        """The declared function (or package initialiser) this one is nested in; itself if it is not a literal."""
        fn = self
        while fn.parent is not None:
            fn = fn.parent
        return fn


@dataclass(eq=False, slots=True)
class Package:
    path: str  # import path
    name: str
    dir: str
    files: list = field(default_factory=list)
    types: dict = field(default_factory=dict)  # name -> (TypeFacts, FileFacts)
    funcs: dict = field(default_factory=dict)  # name -> Function
    methods: dict = field(default_factory=dict)  # (type name, method) -> Function
    consts: dict = field(default_factory=dict)  # name -> (Expr, FileFacts)
    vars: dict = field(default_factory=dict)  # package var -> (type or "", init Expr or None, FileFacts)
    module: str = ""  # the Go module (go.mod) the package is in; "" when none is known


@dataclass(frozen=True)
class External:
    """A call into code we did not analyse: import path + name (+ receiver type)."""

    pkg: str
    name: str
    recv: str = ""  # qualified receiver type for methods of external types

    @property
    def qualname(self) -> str:
        return f"{self.pkg}.{self.recv + '.' if self.recv else ''}{self.name}"


@dataclass(frozen=True, slots=True)
class Target:
    function: Function
    via: str = ""  # e.g. "interface ws#LongConnServer.UnRegister" when resolved by CHA
