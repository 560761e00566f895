"""Ownership analysis shared by the GIM2xx rules (resources opened and never released).

One `Analysis` per program, built on the first GIM2xx rule that runs and
reused by the others. It answers, for every call in the analysed code:

* is it an **acquisition**? A constructor of the catalog (`resources.toml`,
  plus `[resources.GIMxxx] constructors` from the project config), a
  function of the analysed code that returns a fresh resource on every call
  (interprocedural: it returns a constructor's result, directly or through
  another such function), an interface call one of whose implementations is
  such a function, or (GIM204) a method of a generated `<Svc>Client` whose
  result is a `<Svc>_<Method>Client` stream;
* and if so, is the resource **released or handed on** on every path out of
  the function that acquired it?

The second question is answered by a small abstract interpreter over the
function's ops, replayed in source order along the region tree (if/else,
loops, switch, select; `break` and `continue` carry their path's state to
where they land, a path taking `goto` is not followed): the state on each
path is "live", "done" (closed, or ownership moved: returned, stored in a
field / package variable / a container that outlives the function, sent on
a channel, handed to a function that closes or stores it, captured by a
closure that does) or "no path" (returned, panicked). Aliases (`last = conn`) and local containers
(`conns[host] = conn`, `conns = append(conns, c)`) are followed; a local
container is itself a holder that must be released or handed on.

Whatever the analysis cannot classify (a call it cannot resolve that is
not a known borrower, an assignment to something it does not model) counts
as "handed on": the rules prefer silence to guessing.
"""
from __future__ import annotations

from golint_im.findings import Finding
from golint_im.passes import Pass
from golint_im.program import Program

from .acquire import Acquire
from .calls import Calls
from .cancel import Cancel
from .effects import Effects
from .leaks import Walk
from .resources import Origin, load_kinds, render


# ---------------------------------------------------------------------------
# The analysis


class Analysis(Calls, Acquire, Effects, Cancel):
    def __init__(self, ctx):
        self.ctx = ctx
        self.program: Program = ctx.program
        resources = getattr(ctx.config, "resources", None) or {}
        self.kinds = load_kinds(resources)
        self.debug = {"gim2xx_unresolved_handoffs": 0, "gim2xx_acquisitions": 0}
        self._views: dict = {}
        self._fresh: dict = {}
        self._summary: dict = {}
        self._lit_effect: dict = {}
        self._ext_impls = None
        self._targets_cache: dict = {}
        self._acq_cache: dict = {}
        self._op_idx: dict = {}
        self._by_name: dict[str, list] = {}
        for k in self.kinds.values():
            for c in k.constructors:
                self._by_name.setdefault(c.rsplit(".", 1)[-1], []).append(k)
        self.findings: dict[str, list] = {k: [] for k in self.kinds}
        self._run()

    # ---- driver --------------------------------------------------------------
    def _run(self):
        p = self.program
        interesting = set(self._by_name)
        for f in p.functions:
            if f.facts.results and self.fresh(f) is not None:
                interesting.add(f.facts.name)
        for fn in p.functions:
            if fn.facts.name == "<init>" or fn.file.generated:
                continue
            for op in fn.facts.ops:
                if op.kind != "call" or op.mode != "plain":
                    continue
                callee = op.fn
                last = callee[2] if callee[0] == "sel" else callee[1] if callee[0] == "id" else None
                if last is None:
                    continue
                if last in interesting:
                    origin = self.acquisition(fn, op)
                elif callee[0] == "sel" and "GIM204" in self.kinds and self._stream_call(fn, op):
                    origin = Origin(self.kinds["GIM204"], 0, render(callee))
                else:
                    continue
                if origin is None:
                    continue
                self.debug["gim2xx_acquisitions"] += 1
                finding = Walk(self, fn, op, origin).run()
                if finding is not None:
                    self.findings[origin.kind.rule].append(finding)


# ---------------------------------------------------------------------------
# Entry point for the rules


def _analyse(ctx) -> Analysis:
    an = Analysis(ctx)
    for k, v in an.debug.items():
        ctx.debug[k] = v
    return an


# The resource walk is the family's main cost on real code (see docs/performance.md).
OWNERSHIP = Pass("ownership", _analyse, cost=2,
                 doc="resources acquired, and the paths on which they are neither released nor handed on")


def findings(ctx, rule_id: str) -> list[Finding]:
    return list(ctx.result(OWNERSHIP).findings.get(rule_id, []))


def rule_check(rule_id: str, severity: str):
    """The `check(ctx)` of one GIM2xx rule: its share of the analysis, at its severity."""
    def check(ctx):
        for f in findings(ctx, rule_id):
            f.severity = severity
            yield f
    check.__name__ = f"check_{rule_id}"
    return check
