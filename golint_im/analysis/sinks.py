"""Where a string becomes a ring member, a hash key or a dial/listen address.

The sink catalog is data (`knowledge/hash_sinks.toml`), extended by
`hash-sinks` in the project's config.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from golint_im import knowledge
from golint_im.findings import Location, Step

CATALOG_PATH = knowledge.path("hash_sinks.toml")
RING_KINDS = ("member", "members", "hash")
ADDRESS_KINDS = ("dial", "listen")


# In-program ring types found by name: a method that adds members to a type
# whose name has one of these words (HashRing, ConsistentHash, NodeRing...).
RING_TYPE_WORDS = {"ring", "consistent", "hashring", "rendezvous", "ringhash"}
MEMBER_METHODS = {"Add", "AddNode", "AddNodes", "AddMember", "AddMembers", "Set", "SetNodes",
                  "SetMembers", "Remove", "RemoveNode", "RemoveMember"}


@dataclass(frozen=True, eq=False)
class Sink:
    kind: str  # member | members | hash | dial | listen
    family: str  # ring library, hash function or in-program ring type
    label: str  # how messages name the call
    fn: object
    op: object
    arg: tuple
    holder: tuple | None  # identity of the ring value, when known

    @property
    def location(self) -> Location:
        return Location(self.fn.file.path, self.op.line, self.op.col)

    def step(self) -> Step:
        verb = {"member": "becomes a ring member via", "members": "become ring members via",
                "hash": "is hashed by", "dial": "is dialled by", "listen": "is listened on by"}[self.kind]
        return Step(self.location, f"{verb} `{self.label}`")


@dataclass(frozen=True)
class SinkSpec:
    kind: str
    arg: int
    ring: str = ""


def load_catalog(path: Path = CATALOG_PATH):
    """(sinks {(pkg, recv, name): SinkSpec}, constructors {(pkg, name): qualified type})."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    sinks = {}
    for s in data.get("sink", []):
        key = (s["pkg"], s.get("recv", ""), s["name"])
        sinks[key] = SinkSpec(s["kind"], int(s.get("arg", 0)), s.get("ring", ""))
    ctors = {(c["pkg"], c["name"]): c["returns"] for c in data.get("constructor", [])}
    return sinks, ctors


def _config_matcher(names):
    """'pkg.Type.Method' / 'pkg.Func' / 'example.com/x/pkg.Type.Method' -> predicate(pkg_path, pkg_name, recv, name)."""
    specs = []
    for item in names:
        prefix, _, last = item.rpartition("/")
        parts = last.split(".")
        if len(parts) == 2:
            pkg, recv, name = parts[0], "", parts[1]
        elif len(parts) == 3:
            pkg, recv, name = parts
        else:
            continue
        specs.append((f"{prefix}/{pkg}" if prefix else "", pkg, recv.lstrip("*"), name))

    def match(pkg_path: str, pkg_name: str, recv: str, name: str) -> bool:
        for full, pkg, r, n in specs:
            if n != name or r != recv:
                continue
            if full and pkg_path == full:
                return True
            if not full and (pkg == pkg_name or pkg_path.rsplit("/", 1)[-1] == pkg):
                return True
        return False

    return match


def _camel_words(name: str) -> set:
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)}



def _member_param(f) -> SinkSpec | None:
    for i, (_name, t) in enumerate(f.facts.params):
        t = t.replace(" ", "")
        if t == "string":
            return SinkSpec("member", i, "")
        if t in ("[]string", "...string"):
            return SinkSpec("members", i, "")
    return None


def _label(pkg: str, recv: str, name: str, ptr: bool = True) -> str:
    short = pkg.rsplit("/", 1)[-1]
    if short.startswith("v") and short[1:].isdigit() and "/" in pkg:
        short = pkg.rsplit("/", 2)[-2]
    if recv:
        return f"({'*' if ptr else ''}{short}.{recv}).{name}"
    return f"{short}.{name}"

