"""The pass contract: a result is computed once per run, requirements first, and lanes follow the declarations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from golint_im.config import Config
from golint_im.passes import Context, Pass, closure, lane_groups, last_users
from golint_im.program import Program


def _ctx() -> Context:
    return Context(Program([], []), Config())


def test_result_is_computed_once_and_requirements_first():
    calls: list[str] = []
    base = Pass("base", lambda ctx: calls.append("base") or 1)
    top = Pass("top", lambda ctx: calls.append("top") or ctx.result(base) + 1, requires=(base,))
    ctx = _ctx()
    assert ctx.result(top) == 2
    assert ctx.result(top) == 2
    assert ctx.result(base) == 1
    assert calls == ["base", "top"]


def test_a_pass_requiring_itself_is_an_error_not_a_hang():
    holder: list[Pass] = []
    loop = Pass("loop", lambda ctx: ctx.result(holder[0]))
    holder.append(loop)
    with pytest.raises(RuntimeError, match="requires itself"):
        _ctx().result(loop)


def test_closure_lists_each_pass_once_requirements_first():
    a = Pass("a", lambda ctx: None)
    b = Pass("b", lambda ctx: None, requires=(a,))
    c = Pass("c", lambda ctx: None, requires=(a, b))
    assert closure([c, b]) == [a, b, c]


def test_rules_sharing_a_costly_pass_share_a_lane_and_cheap_ones_do_not_tie():
    cheap = Pass("cheap", lambda ctx: None)
    costly = Pass("costly", lambda ctx: None, requires=(cheap,), cost=3)
    other = Pass("other", lambda ctx: None, requires=(cheap,), cost=2)
    r1 = SimpleNamespace(ID="R1", REQUIRES=(costly,))
    r2 = SimpleNamespace(ID="R2", REQUIRES=(other,))
    r3 = SimpleNamespace(ID="R3", REQUIRES=(costly,))
    r4 = SimpleNamespace(ID="R4", REQUIRES=())
    groups = lane_groups([r1, r2, r3, r4])
    assert [([r.ID for r in g], cost) for g, cost in groups] == [(["R1", "R3"], 3), (["R2"], 2), (["R4"], 1)]


def test_a_pass_is_released_after_its_last_user_and_computed_again_if_asked():
    calls: list[str] = []
    base = Pass("base", lambda ctx: calls.append("base") or 1)
    flow = Pass("flow", lambda ctx: calls.append("flow") or 2, requires=(base,), cost=2)
    own = Pass("own", lambda ctx: calls.append("own") or 3, requires=(base,), cost=2)
    rules = [
        SimpleNamespace(ID="R1", REQUIRES=(flow,)),
        SimpleNamespace(ID="R2", REQUIRES=(flow,)),
        SimpleNamespace(ID="R3", REQUIRES=(own,)),
    ]
    assert last_users(rules) == {"R2": [flow], "R3": [base, own]}
    ctx = _ctx()
    assert ctx.result(flow) == 2
    ctx.release([flow])
    assert ctx.result(own) == 3  # base was kept: computed once
    assert ctx.result(flow) == 2  # released: computed again
    assert calls == ["base", "flow", "own", "flow"]


def test_an_on_demand_cache_is_dropped_once_no_other_layer_is_alive():
    views = Pass("views", lambda ctx: {"built": True}, on_demand=True)
    flow = Pass("flow", lambda ctx: ctx.result(views) and 2, requires=(views,), cost=2)
    ctx = _ctx()
    ctx.result(flow)
    ctx.release_idle_caches()
    assert set(ctx._results) == {views, flow}  # flow is alive: the views still serve it
    ctx.release([flow])
    ctx.release_idle_caches()
    assert not ctx._results


def test_a_released_result_holding_a_cycle_is_freed_without_the_cyclic_collector():
    import gc
    import weakref

    class Layer:
        def __init__(self) -> None:
            self.helper = {"ask": self.answer}  # a bound method: the layer refers to itself

        def answer(self) -> int:
            return 1

    layer = Pass("layer", lambda ctx: Layer())
    ctx = _ctx()
    alive = weakref.ref(ctx.result(layer))
    was = gc.isenabled()
    gc.disable()
    try:
        ctx.release([layer])
        assert alive() is None
    finally:
        if was:
            gc.enable()
