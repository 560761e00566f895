"""The sink catalog: which calls make a string a ring member, a hash key or a dial/listen address.

The catalog is data (`knowledge/hash_sinks.toml`), extended by `hash-sinks`
in the project's config: `SINK_CATALOG` is both, read once per run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from golint_im import knowledge
from golint_im.passes import Context, Pass

RING_KINDS = ("member", "members", "hash")
ADDRESS_KINDS = ("dial", "listen")


@dataclass(frozen=True)
class SinkSpec:
    """One catalog entry: the call's argument `arg` is a sink of `kind` (ring: the ring library it feeds)."""

    kind: str
    arg: int
    ring: str = ""
    network: int = -1  # the argument naming the network (`net.Dial(network, address)`), if any


def load_catalog(name: str = "hash_sinks.toml") -> tuple[dict, dict]:
    """(sinks {(pkg, recv, name): SinkSpec}, constructors {(pkg, name): qualified type}) of a knowledge table."""
    data = knowledge.load(name)
    sinks = {}
    for s in data.get("sink", []):
        key = (s["pkg"], s.get("recv", ""), s["name"])
        sinks[key] = SinkSpec(s["kind"], int(s.get("arg", 0)), s.get("ring", ""), int(s.get("network", -1)))
    ctors = {(c["pkg"], c["name"]): c["returns"] for c in data.get("constructor", [])}
    return sinks, ctors


def _config_matcher(names) -> Callable[[str, str, str, str], bool]:
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


class SinkCatalog:
    """The catalog's sinks and constructors, with the config's sinks as a predicate."""

    def __init__(self, hash_sinks=()):
        self.specs, self.ctors = load_catalog()
        # Methods whose receiver is worth typing through a constructor: the catalog's, and the config's.
        self.method_names = {name for (_pkg, recv, name) in self.specs if recv}
        self.method_names.update(item.rsplit(".", 1)[-1] for item in hash_sinks)
        self.config_match = _config_matcher(hash_sinks)


def _catalog(ctx: Context) -> SinkCatalog:
    return SinkCatalog(tuple(getattr(ctx.config, "hash_sinks", ()) or ()))


SINK_CATALOG = Pass("sink-catalog", _catalog, doc="hash_sinks.toml plus the config's hash-sinks")
