"""Knowledge about Go APIs, kept as data beside the analyses that use it.

`resources.toml` lists the calls that acquire something that must be
released (connections, response bodies, streams) and how it is released;
`hash_sinks.toml` lists the hash-ring and address sinks; `exits.toml` the
library calls that end the process, the goroutine or a test (`analysis/exits.py`). Passes read these
tables through `load`; rules never hard-code an API's name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

HERE = Path(__file__).parent


def path(name: str) -> Path:
    """Where the table `name` (e.g. "resources.toml") lives."""
    return HERE / name


def load(name: str) -> dict[str, Any]:
    """The parsed table `name`."""
    return tomllib.loads(path(name).read_text(encoding="utf-8"))
