"""How the blocking rules (GIM102, GIM106) word the branch that sends a path away from an operation."""

from __future__ import annotations

from golint_im import expr as E


def branch_text(facts, region: int, verb: str = "returns") -> str:
    """ "returns when `err != nil`": the `return` (or what `verb` names: "panics") under the branch `region`
    (-1: no branch)."""
    if region < 0:
        return verb
    reg = facts.regions[region]
    if reg.kind == "default":
        return f"takes the `default` case of the `select` (the sender is not ready yet) and {verb}"
    if reg.kind == "case" and reg.info:
        direction, chan = reg.info
        if direction == "recv":
            return f"takes `case <-{E.render(chan)}` and {verb}"
        return f"takes `case {E.render(chan)} <- …` and {verb}"
    if reg.kind == "if" and reg.info is not None:
        return f"{verb} when `{E.render(reg.info)}`"
    if reg.kind == "else" and reg.info is not None:
        return f"{verb} when `{E.render_negated(reg.info)}`"
    if reg.kind in ("for", "range"):
        return f"{verb} from inside a loop"
    if reg.kind == "block" and reg.parent >= 0 and facts.regions[reg.parent].kind == "switch":
        switch = facts.regions[reg.parent]
        if reg.info is None:
            return f"{verb} in the `default` case of its `switch`"
        if switch.info is True:  # a tagless switch: the case is a condition
            return f"{verb} when `{E.render(reg.info)}`"
    return verb
