"""The rule contract and the list of rules.

A rule module in `golint_im/rules/` defines ID, NAME, FAMILY (shown in
`golint-im rules`), SEVERITY, SUMMARY, REQUIRES (the analysis passes whose
results it asks for with `ctx.result`; see golint_im.passes), a docstring
with the sections below, and check(ctx) -> iterable of Finding. Rules
receive a linked program and analysis results, never text.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from .report import RuleInfo

DOC_SECTIONS = ("What it does", "Why is this bad", "Example", "Fix", "Known limits")


@lru_cache(maxsize=1)
def rule_modules() -> tuple:
    pkg = importlib.import_module("golint_im.rules")

    mods = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"golint_im.rules.{info.name}")
        if hasattr(mod, "ID") and hasattr(mod, "check"):
            mods.append(mod)
    mods.sort(key=lambda m: m.ID)
    return tuple(mods)


def rule_info(mod) -> RuleInfo:
    return RuleInfo(id=mod.ID, name=mod.NAME, family=mod.FAMILY, severity=mod.SEVERITY,
                    summary=mod.SUMMARY, doc=_dedent_doc(mod.__doc__ or ""))


# The meta rule produced by the engine itself (unused suppressions).
META_RULES = (RuleInfo(
    id="GIM001", name="unused-suppression", family="meta", severity="warning",
    summary="An inline suppression that suppresses nothing, or has no reason",
    doc="""## What it does
Reports `//golintim:ignore RULE` and `//nolint:RULE` comments that no longer
suppress any finding, and `golintim:ignore` comments without a reason.

## Why is this bad
Suppressions outlive the code they were written for; a stale one hides the
next real finding on that line, and one without a reason cannot be reviewed.

## Example
```go
conn, _ := grpc.Dial(addr) //golintim:ignore GIM201
```

## Fix
Delete the comment, or add the reason after the rule ID.

## Known limits
Only directives naming golint-im rules (GIMnnn) are checked.
"""),)


def all_rule_infos() -> list[RuleInfo]:
    return list(META_RULES) + [rule_info(m) for m in rule_modules()]


def _dedent_doc(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)
