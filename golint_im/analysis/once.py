"""`sync.Once.Do` re-entered from its own function: the second `Do` waits for the first forever.

`Once.Do(f)` holds the Once's internal mutex while `f` runs, so an `f` that
(through calls) reaches `Do` on the same Once deadlocks: a lazy loader
whose initialiser calls the getter that guards it. The Once is identified by
its holder as the sync-primitives layer identifies WaitGroups (a field of a
named type, a package variable, a local); `f` is followed through the
functions and method values it may hold and the calls they make, a few
levels deep. What cannot be resolved is silence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import expr as E
from ..facts import Op
from ..program import Function, Program

ONCE = "sync#Once"
_DEPTH = 4


@dataclass
class ReenteredOnce:
    """`once.Do(f)` whose `f` reaches `Do` on the same Once."""

    fn: Function  # holds the outer Do
    op: Op
    text: str  # the Once as written: `c.once`
    inner_fn: Function  # holds the Do reached again
    inner_op: Op
    path: tuple  # functions from f to inner_fn


def reentered_onces(program: Program, holder, debug: Counter) -> list[ReenteredOnce]:
    """`holder(fn, expr)` names a Once's holder (see SyncPrimitives.holder)."""
    dos: dict[str, list[tuple[Function, Op]]] = {}
    for fn in program.functions:
        for op in fn.facts.ops:
            if op.kind != "call" or E.selected_name(op.fn) != "Do" or len(op.args) != 1:
                continue
            base = E.selector(op.fn)[0]  # type: ignore[index]
            if (program.type_of(fn, E.strip_address(base)) or "").lstrip("*") != ONCE:
                continue
            key = holder(fn, base)
            if key is not None:
                dos.setdefault(key, []).append((fn, op))
    out = []
    for key, sites in sorted(dos.items()):
        inner = {(f.id, id(o)) for f, o in sites}
        shared = key.startswith("var:")  # one Once for the program; a field's is one per instance
        for fn, op in sites:
            owner = _instance_name(op)
            if not shared and owner is None:
                continue
            for target in program.func_values(fn, op.args[0]):
                value = op.args[0]
                # `c.load` runs on c, whose receiver name in load says "this instance";
                # a literal sees the instance under the outer name.
                if E.funclit(value) is not None:
                    self_name = owner
                elif E.ident(E.selector_base(value)) == owner and target.function.facts.recv:
                    self_name = target.function.facts.recv_name
                else:
                    self_name = None
                if not shared and self_name is None:
                    continue
                found = _reaches(program, target.function, inner, (), _DEPTH, self_name, shared)
                if found is not None:
                    inner_fn, inner_op, path = found
                    debug["GIM104_reentered_onces"] += 1
                    out.append(ReenteredOnce(fn, op, E.render(E.selector_base(op.fn)), inner_fn, inner_op, path))
                    break
    return out


def _instance_name(op: Op) -> str | None:
    """`c` of `c.once.Do(f)`, else None."""
    return E.ident(E.selector_base(E.selector_base(op.fn)))


def _reaches(program: Program, fn: Function, inner: set, path: tuple, depth: int, self_name, shared: bool):
    """(function, Do op, path) of a Do among `inner` on the same Once that fn runs, plainly or
    through method calls on the same instance (`self_name` in fn)."""
    path = (*path, fn)
    for op in fn.facts.ops:
        if op.kind != "call" or op.mode == "go":
            continue
        if (fn.id, id(op)) in inner and (shared or _instance_name(op) == self_name):
            return fn, op, path
        if depth <= 0:
            continue
        on_self = self_name is not None and E.ident(E.selector_base(op.fn)) == self_name
        # `p.Routes(r)`: the instance handed to a call, which may call back into it (a provider
        # resolving through the registry that is loading it) under the parameter's name.
        given = -1 if self_name is None else next((i for i, a in enumerate(op.args) if E.is_ident(a, self_name)), -1)
        if not shared and not on_self and given < 0:
            continue
        for t in program.resolve_call(fn, op):
            if t.function in path:
                continue
            if on_self:
                nxt = t.function.facts.recv_name if t.function.facts.recv else None
            elif given >= 0:
                params = t.function.facts.params
                nxt = params[given][0] if given < len(params) and params[given][0] not in ("", "_") else None
                if nxt is None and not shared:
                    continue
            else:
                nxt = None
            found = _reaches(program, t.function, inner, path, depth - 1, nxt, shared)
            if found is not None:
                return found
    return None
