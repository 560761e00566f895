"""Run the pipeline: discover -> facts -> program -> rules -> suppressions.

Everything here is deterministic given the inputs: files are processed in
path order, findings sorted, so worker count and cache state never change
the output.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import FactsCache
from .collect import collect
from .config import Config
from .discover import discover
from .findings import Notice, RunResult
from .parallel import model_too_large_to_copy, run_lanes
from .passes import Budget, Context, budget_limits, lane_groups, last_users
from .program import Program
from .registry import rule_modules
from .reuse import ResultCache, run_key
from .shard import Ownership, tree_digests
from .suppress import Directive, apply_suppressions


@dataclass
class Options:
    paths: list[str] = field(default_factory=lambda: ["."])
    rules: set[str] | None = None  # None: every rule
    config: Config = field(default_factory=Config)
    jobs: int = 1
    cache_dir: Path | None = None  # None: no cache
    include_generated: bool = False
    debug: bool = False
    progress: object = None
    base: str | None = None  # display paths relative to this (default: cwd or the roots' parent)
    reuse: bool = True  # answer from a stored result when the facts are unchanged (no Context then)
    # (I, N): shard I of N (see shard.py). The run still links everything; layers may skip
    # work whose findings would be anchored in packages another shard reports.
    shard: tuple[int, int] | None = None


def analyse(options: Options) -> tuple[RunResult, Context | None]:
    """Run the pipeline with the cyclic garbage collector paused.

    Facts and the program model are millions of small, long-lived tuples;
    with the collector on, each generation-2 pass rescans all of them, which
    cost more than half of unpickling a warm cache. Nothing here makes much
    cyclic garbage, so pausing it is safe; it is restored on the way out.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse(options)
    finally:
        if was_enabled:
            gc.enable()


def _analyse(options: Options) -> tuple[RunResult, Context | None]:
    timings = {}
    t0 = time.perf_counter()
    found = discover(options.paths, exclude=None, base=options.base)
    files = [f for f in found.files if not options.config.is_excluded(f.rel_path)]
    cache = FactsCache(options.cache_dir)
    collected = collect(files, options.jobs, cache, options.include_generated, progress=options.progress)
    timings["parse"] = time.perf_counter() - t0
    ownership = Ownership.of((f.rel_path for f in files), *options.shard) if options.shard else None
    tree = tree_digests(files, collected.content_keys, collected.digests)
    results = ResultCache(cache)
    key = None
    if options.reuse and results.dir is not None:
        key = run_key(files, collected.digests, _fingerprint(options, found.base))
        stored = results.get(key)
        if stored is not None:
            timings["total"] = time.perf_counter() - t0
            return _finish(stored, found, timings, collected, reused=True, tree=tree), None
    _phase(options, "linking")
    t1 = time.perf_counter()
    facts = collected.facts()
    notices = collected.notices
    timings["load"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    program = Program(files, facts)
    ctx = Context(program, options.config, owns=ownership.owns if ownership is not None else None)
    timings["link"] = time.perf_counter() - t1
    mods = [m for m in rule_modules() if options.rules is None or m.ID in options.rules]
    active = {m.ID for m in mods}
    _phase(options, "rules")
    t1 = time.perf_counter()
    findings, rule_errors = run_rules(ctx, mods, options, timings)
    timings["rules"] = time.perf_counter() - t1
    directives = [Directive(ff.path, *d) for ff in facts for d in ff.directives]
    kept, suppressed, meta = apply_suppressions(findings, directives, active)
    if options.rules is None or "GIM001" in options.rules:
        kept.extend(meta)
    kept.sort(key=lambda f: f.sort_key())
    suppressed.sort(key=lambda f: f.sort_key())
    result = RunResult(findings=kept, notices=notices + rule_errors, files_analysed=len(facts), suppressed=suppressed)
    result.debug = {"unresolved_calls": program.unresolved_calls, **ctx.debug}
    results.put(key, result)  # before the run's own details are added below
    timings["total"] = time.perf_counter() - t0
    return _finish(result, found, timings, collected, reused=False, tree=tree), ctx


def _phase(options: Options, name: str) -> None:
    """Tell a progress display (the CLI's, on a terminal) which phase follows parsing."""
    phase = getattr(options.progress, "phase", None)
    if phase is not None:
        phase(name)


def run_rules(ctx: Context, mods: list, options: Options, timings: dict) -> tuple[list, list[Notice]]:
    """Every selected rule's findings; groups of rules side by side when there are cores for it.

    Rules that need the same costly pass form a group and stay in one
    process (`passes.lane_groups`, from the rules' REQUIRES). Groups are
    spread over at most options.jobs lanes, the costliest first, each onto
    the least loaded lane. No more lanes than jobs: each forked child ends
    up copying most of the model it reads (reference counts are writes), so
    a third lane on two cores added 40 % memory for no time. A model too large
    to copy (`parallel.LANE_MODEL_LIMIT`) gets one lane whatever the jobs, so
    memory stays that of one process. --debug runs everything here, so a
    rule's traceback reaches the user.
    """
    groups = lane_groups(mods)
    one_lane = options.debug or model_too_large_to_copy()
    n_lanes = 1 if one_lane else max(1, min(options.jobs, len(groups)))
    lanes: list[list] = [[] for _ in range(n_lanes)]
    load = [0] * n_lanes
    for group, cost in groups:
        lane = load.index(min(load))
        lanes[lane].extend(group)
        load[lane] += cost
    # The costliest lane runs here, the others in forked children: a child copies every page of
    # the model it reads (reference counts are writes), and gives the copies back when it exits,
    # so the lanes that end first should be the children (grpc-go --jobs 2: peak PSS -39 MiB).
    lanes = [lane for _load, lane in sorted(zip(load, lanes, strict=True), key=lambda x: -x[0]) if lane]

    def run_lane(lane_mods):
        found, errors, spent = [], [], {}
        budgets_before = set(ctx.budgets)
        ordered = sorted(lane_mods, key=lambda m: m.ID)
        done_with = last_users(ordered)
        for mod in ordered:
            t = time.perf_counter()
            first_notice = len(ctx.notices)
            try:
                produced = list(mod.check(ctx))
            except Exception as e:  # noqa: BLE001 - one rule's bug must not cost the others' findings
                if options.debug:
                    raise
                errors.append(
                    Notice(
                        "",
                        f"{mod.ID} stopped with an internal error ({type(e).__name__}: {e}); "
                        "its findings are missing from this run (--debug for a traceback)",
                        internal=True,
                    )
                )
                produced = []
            errors.extend(ctx.notices[first_notice:])
            for f in produced:
                f.severity = options.config.severity.get(f.rule_id, f.severity)
            found.extend(produced)
            spent[mod.ID] = time.perf_counter() - t
            finished = done_with.get(mod.ID, ())
            ctx.release(finished)
            ctx.release_idle_caches()
            if finished:
                ctx.program.forget_answers()  # a family's answers, not under the next family's peak
        # After the whole lane: a pass's budget (address tracing) is spent by every rule asking it.
        for owner in sorted(set(ctx.budgets) - budgets_before):
            errors.extend(budget_notices(ctx.budgets[owner], ctx.debug))
        return found, errors, spent, dict(ctx.debug)

    findings, rule_errors = [], []
    for found, errors, spent, debug in run_lanes(lanes, run_lane):
        findings.extend(found)
        rule_errors.extend(errors)
        timings.update(spent)
        ctx.debug.update(debug)
    rule_errors.sort(key=lambda n: n.message)
    return findings, rule_errors


def budget_notices(budget: Budget, debug: dict) -> list[Notice]:
    """One notice per function a rule's or pass's work budget cut short, printed as one summary line.

    Also records in `debug` how much of the budget was spent, so that we can
    see on real code how far from the limits ordinary work stays.
    """
    debug[f"budget_{budget.owner}_spent"] = budget.spent
    debug[f"budget_{budget.owner}_most_on_one_function"] = budget.most_on_one_function
    if not budget.cut:
        return []
    rest = " and then for the rest of the run" if budget.run_out else ""
    summary = (
        f"{budget.label} ran out of its work budget in {{n}} function{{s}}{rest}; the rest of each "
        "was not analysed, every other result is kept; --debug lists them"
    )
    return [
        Notice(
            fn.file.path,
            f"{budget.label} ran out of its work budget in `{fn.short}`; the rest of this function was not analysed",
            fn.facts.line,
            summary=summary,
        )
        for fn in budget.cut.values()
    ]


def _fingerprint(options: Options, base: str) -> str:
    """Everything besides the facts and golint-im's code that can change a result."""
    rules = sorted(options.rules) if options.rules is not None else None
    return repr((rules, options.config, options.include_generated, str(base), options.shard, budget_limits()))


def _finish(result: RunResult, found, timings: dict, collected, reused: bool, tree: list) -> RunResult:
    """Add what belongs to this run only: discovery notices, display base, the tree's digests, timings."""
    result.notices = found.notices + result.notices
    result.base = found.base
    result.tree = tree
    result.debug = {
        "timings": timings,
        "files_parsed": collected.parsed,
        "files_cached": result.files_analysed - collected.parsed,
        "result_reused": reused,
        **result.debug,
    }
    return result
