"""Types of the linked program: qualified type strings, method sets and interface implementations.

A named type is written "importpath#Name" (so "*example.com/app/ws#Server"
or "[]example.com/app/ws#Client"). Method sets include what embedding
promotes; an interface's implementations are the analysed concrete types
whose method set covers it (class-hierarchy analysis by name and arity).
`Program` inherits these queries; they need only the packages and their
type declarations, not the call graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from .facts import FileFacts

if TYPE_CHECKING:
    from .symbols import Function, Package

BUILTIN_TYPES = {
    "bool",
    "string",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "byte",
    "rune",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "error",
    "any",
    "comparable",
}
_IDENT = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)?")  # Go identifiers are Unicode letters and digits
_NAMED_CACHE: dict = {}  # named() is a pure function of its string: memoised process-wide
_ELEM_CACHE: dict[str, str] = {}  # so is elem(): one entry per distinct type text


class TypeSystem:
    """Type queries over the analysed packages (mixed into `Program`)."""

    packages: dict[str, Package]
    _qualify_cache: dict
    _impl_cache: dict
    _method_set_cache: dict
    _field_index: dict[str, dict[str, str]]

    if TYPE_CHECKING:

        def pkg_of(self, ff: FileFacts) -> Package: ...

    def _method_name_index(self):
        """method name -> [(pkg, type name)] of types having it, declared or promoted by embedding."""
        self._by_method: dict[str, list] = defaultdict(list)
        self._declared_methods: dict[str, set] = defaultdict(set)  # "path#Type" -> method names
        for pkg in self.packages.values():
            for tname, mname in pkg.methods:
                self._by_method[mname].append((pkg, tname))
                self._declared_methods[f"{pkg.path}#{tname}"].add(mname)
        for pkg in self.packages.values():
            for tname, (t, _ff) in pkg.types.items():
                if t.kind != "struct" or not any(emb for _n, _t, emb in t.members):
                    continue
                named = f"{pkg.path}#{tname}"
                own = self._declared_methods.get(named, set())
                for mname in self._promoted_names(named, 0) - own:
                    self._by_method[mname].append((pkg, tname))

    def _promoted_names(self, named: str, depth: int) -> set:
        """Method names a struct gets from its embedded fields (structs and interfaces)."""
        if depth > 3:
            return set()
        out = set()
        for inner in self.embedded(named):
            if self.is_interface(inner):
                out |= set(self.interface_methods(inner))
            else:
                out |= self._declared_methods.get(inner, set())
                out |= self._promoted_names(inner, depth + 1)
        return out

    def qualify(self, type_str: str, ff: FileFacts) -> str:
        """Rewrite a type as written in ff into qualified form."""
        per_file = self._qualify_cache.get(id(ff))
        if per_file is None:
            per_file = self._qualify_cache[id(ff)] = {}
        cached = per_file.get(type_str)
        if cached is not None:
            return cached
        pkg = self.pkg_of(ff)

        def repl(m):
            word = m.group(0)
            if "." in word:
                alias, name = word.split(".", 1)
                path = ff.imports.get(alias)
                return f"{path}#{name}" if path else word
            if word in BUILTIN_TYPES or word in ("chan", "map", "func", "struct", "interface"):
                return word
            if word in pkg.types:
                return f"{pkg.path}#{word}"
            return word

        out = _IDENT.sub(repl, type_str)
        per_file[type_str] = out
        return out

    @staticmethod
    def named(qtype: str) -> str | None:
        """The named type a (possibly pointer) type refers to: 'path#Name' or None."""
        try:
            return _NAMED_CACHE[qtype]
        except KeyError:
            pass
        t = qtype.lstrip("*").strip()
        if t.startswith("(") and t.endswith(")"):
            t = t[1:-1].lstrip("*")
        t = t.split("[", 1)[0]
        out = _NAMED_CACHE[qtype] = t if "#" in t else None
        return out

    @staticmethod
    def elem(qtype: str) -> str:
        """Element type of a slice, array, map (value), channel or pointer-to-array."""
        try:
            return _ELEM_CACHE[qtype]
        except KeyError:
            pass
        out = _ELEM_CACHE[qtype] = _element_type(qtype)
        return out

    def type_decl(self, named: str):
        """(TypeFacts, FileFacts) of 'path#Name' if analysed."""
        path, _, name = named.partition("#")
        pkg = self.packages.get(path)
        if pkg is None:
            return None
        return pkg.types.get(name)

    def underlying(self, qtype: str, depth=0) -> str:
        """Follow `type X chan T` style definitions to the structural type."""
        n = self.named(qtype)
        if n is None or qtype.strip().startswith("*") or depth > 5:
            return qtype
        decl = self.type_decl(n)
        if decl is None or decl[0].kind in ("struct", "interface"):
            return qtype
        return self.underlying(self.qualify(decl[0].underlying, decl[1]), depth + 1)

    def is_interface(self, named: str) -> bool:
        d = self.type_decl(named)
        return d is not None and d[0].kind == "interface"

    def embedded(self, named: str) -> list[str]:
        """Named types embedded in a struct (qualified), in declaration order."""
        d = self.type_decl(named)
        if d is None or d[0].kind != "struct":
            return []
        out = []
        for _f, ftype, emb in d[0].members:
            if emb:
                inner = self.named(self.qualify(ftype, d[1]))
                if inner is not None:
                    out.append(inner)
        return out

    def field_type(self, named: str, fname: str, depth=0) -> tuple[str, str] | None:
        """(qualified field type, declaring named type) through embedding."""
        d = self.type_decl(named)
        if d is not None and d[0].kind == "other" and depth <= 4:
            # `type UserApi rpcclient.User`: a defined type has the fields of the struct it is defined as.
            under = self.named(self.qualify(d[0].underlying, d[1]))
            return self.field_type(under, fname, depth + 1) if under and under != named else None
        if d is None or d[0].kind != "struct" or depth > 4:
            return None
        t, ff = d
        fields = self._field_index.get(named)
        if fields is None:  # a dict per struct: a lookup must not scan a thousand-field struct each time
            fields = self._field_index[named] = {}
            for name, ftype, _emb in t.members:
                fields.setdefault(name, ftype)
        ftype = fields.get(fname)
        if ftype is not None:
            return self.qualify(ftype, ff), named
        for inner in self.embedded(named):
            found = self.field_type(inner, fname, depth + 1)
            if found:
                return found
        return None

    def interface_methods(self, named: str, depth=0) -> dict:
        """method name -> (n_params, results, qualified params, qualified results), embedded interfaces included."""
        d = self.type_decl(named)
        if d is None or d[0].kind != "interface" or depth > 5:
            return {}
        t, ff = d
        out = {
            m[0]: (m[1], m[2], tuple(self.qualify(p, ff) for p in m[3]), tuple(self.qualify(r, ff) for r in m[2]))
            for m in t.members
        }
        for e in t.embeds:
            inner = self.named(self.qualify(e, ff))
            if inner:
                for k, v in self.interface_methods(inner, depth + 1).items():
                    out.setdefault(k, v)
        return out

    def declared_method_names(self, named: str) -> set:
        """The names of the methods declared on the named type itself (not promoted)."""
        if not hasattr(self, "_declared_methods"):
            self._method_name_index()
        return self._declared_methods.get(named, set())

    def method(self, named: str, mname: str, depth=0) -> Function | None:
        """The method mname of named type (pointer receivers included), through embedding."""
        key = (named, mname)
        if key in self._method_set_cache:
            return self._method_set_cache[key]
        result = None
        path, _, name = named.partition("#")
        pkg = self.packages.get(path)
        if pkg is not None:
            result = pkg.methods.get((name, mname))
            if result is None and depth < 4:
                for inner in self.embedded(named):
                    if not self.is_interface(inner):
                        result = self.method(inner, mname, depth + 1)
                        if result:
                            break
        self._method_set_cache[key] = result
        return result

    def implementations(self, iface: str) -> list[str]:
        """Concrete analysed types whose method set covers the interface (CHA)."""
        if iface in self._impl_cache:
            return self._impl_cache[iface]
        methods = self.interface_methods(iface)
        out = []
        if methods:
            # Candidates: types declaring the rarest method; then check the rest.
            rarest = min(methods, key=lambda m: len(self._by_method.get(m, ())))
            for pkg, tname in self._by_method.get(rarest, ()):
                named = f"{pkg.path}#{tname}"
                if self.is_interface(named):
                    continue
                if all(self._has_method(named, m, methods[m]) for m in methods) and self._may_declare_unexported(
                    named, iface, methods
                ):
                    out.append(named)
        out.sort()
        self._impl_cache[iface] = out
        return out

    def _may_declare_unexported(self, named: str, iface: str, methods) -> bool:
        """An interface with an unexported method (`run`) is implemented only by methods declared in
        its own package: `plugin.(*Socket).run` does not implement `tariff.runnable`."""
        home = iface.split("#", 1)[0]
        for m in methods:
            if m[:1].isupper():
                continue
            fn = self.method(named, m)
            if fn is not None and fn.pkg.path != home:
                return False
        return True

    def _has_method(self, named, mname, sig, depth=0) -> bool:
        """named has a method mname fitting the interface's signature sig (see interface_methods)."""
        fn = self.method(named, mname)
        if fn is not None:
            return self._signature_fits(fn, sig)
        # Promoted from an embedded interface field: the struct satisfies it by embedding.
        if depth > 3:
            return False
        for inner in self.embedded(named):
            if self.is_interface(inner):
                if mname in self.interface_methods(inner):
                    return True
            elif self._has_method(inner, mname, sig, depth + 1):
                return True
        return False

    def _signature_fits(self, fn: Function, sig) -> bool:
        """fn's parameters and results can be those of the interface method: same arity, and no
        type that is surely another one. Decoys sharing a method name (or a copy of the package,
        whose `*Conn` is another type) do not implement the interface, so they are not followed."""
        n_params, _results, qparams, qresults = sig
        f = fn.facts
        if len(f.params) != n_params and not f.variadic:
            return False
        if len(f.results) != len(qresults):
            return False
        if len(f.params) == len(qparams):
            for (_name, have), want in zip(f.params, qparams, strict=True):
                if self.surely_different(self.qualify(have, fn.file), want):
                    return False
        for have, want in zip(f.results, qresults, strict=True):
            if self.surely_different(self.qualify(have, fn.file), want):
                return False
        return True

    def surely_different(self, a: str, b: str) -> bool:
        """Two qualified types are certainly not the same type, as far as the model can tell.

        Only what cannot be an alias or a type parameter counts: builtins,
        analysed structs and interfaces, types of packages outside the
        analysed code. A name the model does not know, a defined type that may
        be an alias (`type Conn = ws.Conn`), a function or struct type written
        out (parameter names differ) make the pair undecided: not different.
        """
        a, b = _normal_type(a), _normal_type(b)
        if a == b:
            return False
        for t in (a, b):
            if any(k in t for k in ("func", "struct{", "interface{")) and t not in ("interface{}", "struct{}"):
                return False
            for named in _QUALIFIED.findall(t):
                path = named.split("#", 1)[0]
                decl = self.type_decl(named) if path in self.packages else None
                if path in self.packages and (decl is None or decl[0].kind not in ("struct", "interface")):
                    return False
            rest = _QUALIFIED.sub(" ", t)
            if any(w not in _CERTAIN_WORDS for w in _IDENT.findall(rest)):
                return False
        return True


_QUALIFIED = re.compile(r"[^\s\[\]*(){},;#]+#[^\W\d]\w*")
_CERTAIN_WORDS = BUILTIN_TYPES | {"chan", "map", "interface", "struct"}
_SAME_TYPES = {"byte": "uint8", "rune": "int32", "any": "interface{}"}
_WORD = re.compile(r"[^\W\d]\w*")


def _normal_type(t: str) -> str:
    """A type string with the spellings Go treats as one type made the same (byte is uint8...)."""
    t = " ".join(t.replace("interface {}", "interface{}").replace("struct {}", "struct{}").split())
    if any(w in t for w in _SAME_TYPES):
        t = _WORD.sub(lambda m: _SAME_TYPES.get(m.group(0), m.group(0)), t)
    return t


def _map_key_end(t: str) -> int:
    """Index of the `]` closing a map type's key (0 if malformed)."""
    depth = 0
    for i, ch in enumerate(t):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
    return 0


def _map_key(t: str) -> str:
    if not t.startswith("map["):
        return ""
    end = _map_key_end(t)
    return t[4:end] if end else ""


def _element_type(qtype: str) -> str:
    """TypeSystem.elem, uncached."""
    t = qtype.strip().lstrip("*")
    if t.startswith("..."):
        return t[3:]
    if t.startswith("[]"):
        return t[2:]
    if t.startswith("["):
        return t[t.index("]") + 1 :] if "]" in t else ""
    if t.startswith("map["):
        end = _map_key_end(t)
        return t[end + 1 :] if end else ""
    for prefix in ("chan<- ", "<-chan ", "chan "):
        if t.startswith(prefix):
            return t[len(prefix) :].strip()
    return ""
