"""The `golint-im` command line.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal
error, 130 interrupted, 143 terminated (SIGTERM). No traceback reaches a user
unless --debug; every error is one line on stderr, with whatever it quotes
from the analysed tree (file names, config values) escaped.
"""

from __future__ import annotations

import gc
import json
import mmap
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from . import __version__
from .cache import default_cache_dir
from .collect import default_jobs
from .config import Config, ConfigError, find_config, load_config, select_rules
from .console import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    Progress,
    color_wanted,
    exit_now,
    fail,
    internal_error,
    interrupted,
    notice_lines,
    out_of_memory,
    owns_process,
    prepare_process,
    progress_wanted,
    say,
    shown_notices,
    write_output,
)
from .discover import UsageError
from .outputs import analysed_roots, resolve_target
from .report import FORMATS, render
from .shard import ShardError, parse_spec
from .targets import in_report, resolve_targets, strip_go_pattern

_RESERVE: mmap.mmap | None = None


def _known_rules() -> set[str]:
    from .registry import all_rule_infos

    return {r.id for r in all_rule_infos()}


def _load_config(config_path, targets) -> Config:
    path = Path(config_path) if config_path else None
    if path is None:
        start = Path(strip_go_pattern(targets[0])) if targets else Path(".")
        path = find_config(start.resolve() if start.exists() else Path(".").resolve())
    if path is None:
        return Config()
    return load_config(path, _known_rules())


def _check_cache_dir(cache_dir: Path | None, paths: list[str]) -> None:
    """Refuse a cache inside an analysed root: the repository would provide its key and entries."""
    if cache_dir is None:
        return
    cache = Path(os.path.abspath(cache_dir)).resolve()
    for root in analysed_roots(paths):
        if cache == root or root in cache.parents:
            raise UsageError(
                f"the cache directory {cache_dir} is inside the analysed tree {root}, where the "
                "repository could plant its entries; use --cache-dir outside it, or --no-cache"
            )


class _Cli(click.Group):
    """The command group, keeping the one-line promise for click's own errors (usage, bad options)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if owns_process():
            prepare_process()
        try:
            os.getcwd()
        except OSError:
            fail("the current directory no longer exists (it was deleted or moved)")
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError:
            fail("no command given (see `golint-im --help`)")
        except click.ClickException as e:
            ctx = getattr(e, "ctx", None)
            command = f"golint-im {ctx.info_name}" if ctx is not None and ctx.parent is not None else "golint-im"
            fail(e.format_message() + (f" (see `{command} --help`)" if isinstance(e, click.UsageError) else ""))
        except click.Abort:
            say("golint-im: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except KeyboardInterrupt as e:
            interrupted(e)
        except MemoryError:
            out_of_memory()
        except OSError as e:  # writing --help or a rule list to a closed stdout
            fail(f"cannot write to stdout: {e.strerror or e}")
        sys.exit(rv if isinstance(rv, int) else EXIT_CLEAN)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="golint-im")
def main():
    """Find Go concurrency, resource-leak and routing bugs: select loops that deadlock on
    themselves, connections opened per message and never closed, and hash rings fed
    addresses in different formats."""


def _common_check_options(f):
    options = [
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
        ),
        click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="Use this .golint-im.toml instead of searching upwards.",
        ),
        click.option("--select", "select", multiple=True, help="Only these rules (IDs or prefixes, comma-separated)."),
        click.option("--ignore", "ignore", multiple=True, help="Skip these rules (IDs or prefixes)."),
        click.option(
            "--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Parser processes (default: CPU count)."
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the facts cache."),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            default=None,
            help="Facts cache directory (default: $XDG_CACHE_HOME/golint-im).",
        ),
        click.option(
            "--include-generated", is_flag=True, help="Also analyse files marked `Code generated ... DO NOT EDIT.`"
        ),
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour the text report; auto: on a terminal unless NO_COLOR is set.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Findings only: no summary line, notices or progress."),
        click.option("--debug", is_flag=True, help="Timings, unresolved-call counts, and tracebacks."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def _run(
    paths,
    fmt,
    output,
    config_path,
    select,
    ignore,
    jobs,
    no_cache,
    cache_dir,
    include_generated,
    quiet,
    debug,
    only_files=None,
    new_from_rev=None,
    baseline=None,
    write_baseline=None,
    color="auto",
    link_modules=True,
    hook=False,
    shard=None,
):
    from .engine import Options, analyse
    from .registry import all_rule_infos

    # A command-line run ends right after its report: keep the cyclic GC off
    # for good, or re-enabling it after analyse() costs a full pass over the
    # model (0.6 s on grpc-go) just before exiting. In-process callers keep theirs.
    if owns_process():
        gc.disable()
    try:
        paths = list(paths) or ["./..."]
        shard_spec = _shard_spec(shard, write_baseline)
        config = _load_config(config_path, paths)
        targets = resolve_targets(paths, config.root if config.source else None, link_modules=link_modules)
        config = _rebase_excludes(config, targets.root)
        baseline = baseline or _config_baseline(config, write_baseline)
        infos = all_rule_infos()
        rules = select_rules([r.id for r in infos], config, select, ignore)
        cache = None if no_cache else Path(cache_dir) if cache_dir else default_cache_dir()
        _check_cache_dir(cache, targets.analyse)
        for target in (output, write_baseline):
            if target:
                resolve_target(target, analysed_roots(targets.analyse))  # refused before the analysis, not after it
        opts = Options(
            paths=targets.analyse,
            rules=rules,
            config=config,
            jobs=jobs or default_jobs(),
            cache_dir=cache,
            include_generated=include_generated,
            debug=debug,
            base=str(targets.root),
            progress=Progress(progress_wanted(quiet)),
            shard=shard_spec,
        )
        result, _ctx = analyse(opts)
        if opts.progress:
            opts.progress.done()
        if targets.report is not None:
            result.findings = [f for f in result.findings if in_report(f.location.path, targets.report)]
            result.suppressed = [f for f in result.suppressed if in_report(f.location.path, targets.report)]
        if new_from_rev or baseline:
            result.findings = _filter_known(result, opts, targets.analyse, new_from_rev, baseline)
        if only_files is not None:
            wanted = _relative_to(only_files, targets.root)
            result.findings = [f for f in result.findings if f.touches(wanted)]
        if write_baseline:
            from .baseline import baseline_text

            write_output(baseline_text(result.findings, __version__), write_baseline, targets.analyse)
            if not quiet:
                n = len(result.findings)
                say(f"golint-im: wrote {n} finding{'' if n == 1 else 's'} to {write_baseline}")
            return EXIT_CLEAN
        if shard_spec is not None:
            return _write_shard(result, shard_spec, opts, targets, (new_from_rev, baseline), output, quiet)
        text = render(
            fmt,
            result,
            infos,
            color=fmt == "text" and color_wanted(color, output),
            tool_version=__version__,
            summary=not quiet and (not hook or bool(result.findings)),
        )
        write_output(text, output, targets.analyse)
        for line in notice_lines(shown_notices(result.notices, quiet), debug):
            say(f"golint-im: {line}")
        if not quiet:
            if result.files_analysed == 0 and not result.notices:
                say("golint-im: no Go files found")
        if debug:
            say("golint-im: debug: " + json.dumps(result.debug, sort_keys=True, default=str))
        return EXIT_FINDINGS if result.findings else EXIT_CLEAN
    except KeyboardInterrupt as e:
        interrupted(e)
    except (UsageError, ConfigError, ShardError) as e:
        fail(str(e))
    except MemoryError:
        out_of_memory()
    except Exception as e:  # noqa: BLE001 - the last net: one line, not a traceback
        if _is_baseline_error(e):
            fail(str(e))
        if debug:
            raise
        fail(internal_error(e))


def _shard_spec(shard: str | None, write_baseline) -> tuple[int, int] | None:
    """--shard I/N as (I, N); the report format is merge's to choose, and a baseline needs every shard."""
    if shard is None:
        return None
    spec = parse_spec(shard)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.get_parameter_source("fmt") not in (None, click.core.ParameterSource.DEFAULT):
        raise UsageError("--shard writes a shard file; choose the report's --format when merging (`golint-im merge`)")
    if write_baseline:
        raise UsageError("--write-baseline needs every finding: run it without --shard")
    return spec


def _write_shard(result, spec, opts, targets, known_filters, output, quiet) -> int:
    """Write this shard's part of the run as a shard file; exit 0 (the verdict is merge's)."""
    from .shard import Ownership, keep_owned, run_identity, shard_text

    new_from_rev, baseline = known_filters
    known = None
    if baseline:
        from .baseline import load_baseline

        known = sorted(load_baseline(baseline))
    identity = run_identity(result, opts, (targets.report, new_from_rev, known))
    ownership = Ownership.of((path for path, _digest in result.tree), *spec)
    write_output(shard_text(result, ownership, identity), output, targets.analyse)
    if not quiet:
        n = len(keep_owned(result, ownership)[0])
        say(
            f"golint-im: shard {spec[0]}/{spec[1]}: {n} finding{'' if n == 1 else 's'} in "
            f"{sum(1 for s in ownership.packages.values() if s == spec[0])} of {len(ownership.packages)} packages"
            f"{' written to ' + output if output else ''}; `golint-im merge` joins the shards"
        )
    return EXIT_CLEAN


@contextmanager
def _errors_in_one_line() -> Iterator[None]:
    """As in check: a usage, configuration or shard problem, an interrupt or an internal error is one line."""
    try:
        yield
    except (UsageError, ConfigError, ShardError) as e:
        fail(str(e))
    except KeyboardInterrupt as e:
        interrupted(e)
    except MemoryError:
        out_of_memory()
    except Exception as e:  # noqa: BLE001 - the last net: one line, not a traceback
        fail(internal_error(e))


def _relative_to(files, root: Path) -> set[str]:
    """Absolute paths as root-relative display paths; files outside root are dropped."""
    out = set()
    for f in files:
        try:
            out.add(Path(f).relative_to(root).as_posix())
        except ValueError:
            continue
    return out


def _rebase_excludes(config: Config, root: Path) -> Config:
    """Exclude globs are written relative to the config file's folder; make them
    relative to the run's root when that is a different (enclosing) folder.

    A pattern without a slash matches a file name anywhere and needs no change.
    """
    if not config.exclude or config.root is None or config.root == root:
        return config
    try:
        prefix = config.root.relative_to(root).as_posix()
    except ValueError:
        return config
    rebased = []
    for pattern in config.exclude:
        pat = pattern.strip()
        while pat.startswith(("./", "/")):
            pat = pat[1:] if pat.startswith("/") else pat[2:]
        rebased.append(pattern if "/" not in pat.rstrip("/") else f"{prefix}/{pat}")
    return replace(config, exclude=rebased)


def _config_baseline(config: Config, write_baseline) -> str | None:
    """The config's `baseline` file, relative to the config's folder; not while
    writing one (the file being rewritten must not hide what it records)."""
    if write_baseline or not config.baseline or config.root is None:
        return None
    path = config.root / config.baseline
    if not path.is_file():
        raise UsageError(
            f"{config.source}: baseline file {config.baseline} does not exist "
            "(create it with `golint-im check --write-baseline FILE`)"
        )
    return str(path)


def _is_baseline_error(e) -> bool:
    from .baseline import BaselineError

    return isinstance(e, BaselineError)


def _filter_known(result, opts, paths, new_from_rev, baseline):
    from .baseline import filter_new, git_root, load_baseline, snapshot_at_rev
    from .engine import analyse

    known = set()
    if baseline:
        known |= load_baseline(baseline)
    if new_from_rev:
        root = git_root(Path(paths[0]))
        with snapshot_at_rev(root, new_from_rev) as snap:
            snap_root = Path(snap)  # the snapshot of the repository's top directory
            old_paths = [str(snap_root / os.path.relpath(Path(p).resolve(), root)) for p in paths]
            old_paths = [p for p in old_paths if Path(p).exists()]
            if old_paths:
                # The same display base inside the snapshot, so fingerprints line up.
                old_base = snap_root / os.path.relpath(result.base, root)
                # Whole, never sharded: the old tree may split its packages over the shards otherwise.
                old, _ = analyse(replace(opts, paths=old_paths, progress=None, base=str(old_base), shard=None))
                known |= {(f.rule_id, f.fingerprint) for f in old.findings}
    return filter_new(result.findings, known)


def _known_options(f):
    """--new-from-rev, --baseline: shared by check and the pre-commit hook, so a
    legacy repository can adopt the hook and see only what it adds."""
    options = [
        click.option("--new-from-rev", metavar="REV", help="Report only findings that are new since git revision REV."),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False, exists=True),
            help="Hide findings recorded in this baseline file (default: the config's `baseline`).",
        ),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_common_check_options
@_known_options
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Record the current findings in FILE and exit 0 without reporting them.",
)
@click.option(
    "--shard",
    metavar="I/N",
    help="Report only the packages of shard I of N, as a shard file for `golint-im merge` (exit 0).",
)
def check(
    paths,
    fmt,
    output,
    config_path,
    select,
    ignore,
    jobs,
    no_cache,
    cache_dir,
    include_generated,
    color,
    quiet,
    debug,
    new_from_rev,
    baseline,
    write_baseline,
    shard,
):
    """Analyse the Go code under PATHS (default: ./...) as one program.

    A PATH inside a Go module links the whole module (rules follow calls
    across packages) and reports the findings located under PATH. Go patterns
    (`./...`, `pkg/...`) are accepted; a directory always includes everything
    below it. Several checkouts given together are analysed as one
    deployment, which is how cross-service bugs (two services hashing one
    ring differently) are found.

    --shard I/N splits the report over N jobs: each still links the whole
    program, reports the packages it owns into a shard file (-o), and
    `golint-im merge` joins the N files into the single run's report.
    """
    exit_now(
        _run(
            paths,
            fmt,
            output,
            config_path,
            select,
            ignore,
            jobs,
            no_cache,
            cache_dir,
            include_generated,
            quiet,
            debug,
            new_from_rev=new_from_rev,
            baseline=baseline,
            write_baseline=write_baseline,
            color=color,
            shard=shard,
        )
    )


@main.command("pre-commit")
@click.argument("files", nargs=-1, type=click.Path())
@_common_check_options
@_known_options
def pre_commit(
    files,
    fmt,
    output,
    config_path,
    select,
    ignore,
    jobs,
    no_cache,
    cache_dir,
    include_generated,
    color,
    quiet,
    debug,
    new_from_rev,
    baseline,
):
    """Analyse the whole repository, report only findings in FILES.

    Cross-file rules need the whole program, so the hook reads everything but
    only blames the files being committed (or findings whose other end is in them).
    pre-commit splits a long file list (`--all-files`) into several runs even
    with require_serial; the first analyses and stores the result, the others
    reuse it without linking, and a run with nothing to report prints nothing
    (pre-commit says "Passed"), so the split costs little and adds no noise.
    """
    root = Path(".").resolve()
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            root = Path(out.stdout.strip()).resolve()
    except OSError:
        pass
    wanted = {Path(f).resolve() for f in files}
    exit_now(
        _run(
            [str(root)],
            fmt,
            output,
            config_path,
            select,
            ignore,
            jobs,
            no_cache,
            cache_dir,
            include_generated,
            quiet,
            debug,
            only_files=wanted,
            new_from_rev=new_from_rev,
            baseline=baseline,
            color=color,
            link_modules=False,
            hook=True,
        )
    )


@main.command()
@click.argument("shard_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text report; auto: on a terminal unless NO_COLOR is set.",
)
@click.option("--quiet", "-q", is_flag=True, help="Findings only: no summary line or notices.")
def merge(shard_files, fmt, output, color, quiet):
    """Join the shard files of `check --shard I/N` (all N of them) into the single run's report.

    The report, notices and exit code are those the unsharded `check` gives.
    Shards of different trees, configurations or golint-im builds, and an
    incomplete set, are refused (exit 2).
    """
    from .registry import all_rule_infos
    from .reuse import code_digest
    from .shard import Identity, merge_shards, read_shard

    with _errors_in_one_line():
        shards = [read_shard(path) for path in shard_files]
        result = merge_shards(shards, Identity(__version__, code_digest(), "", []))
        text = render(
            fmt,
            result,
            all_rule_infos(),
            color=fmt == "text" and color_wanted(color, output),
            tool_version=__version__,
            summary=not quiet,
        )
        write_output(text, output, [])
        for line in notice_lines(shown_notices(result.notices, quiet), False):
            say(f"golint-im: {line}")
    exit_now(EXIT_FINDINGS if result.findings else EXIT_CLEAN)


@main.command()
@click.option("--markdown", is_flag=True, help="Every rule's documentation as one Markdown page (docs/rules.md).")
def rules(markdown):
    """List every rule."""
    from .registry import all_rule_infos, rules_markdown

    infos = all_rule_infos()
    if markdown:
        click.echo(rules_markdown(infos), nl=False)
        return
    width = max(len(r.name) for r in infos)
    click.echo(f"{'ID':<7} {'NAME':<{width}} {'FAMILY':<12} {'SEVERITY':<8} SUMMARY")
    for r in infos:
        click.echo(f"{r.id:<7} {r.name:<{width}} {r.family:<12} {r.severity:<8} {r.summary}")


@main.command()
@click.argument("rule")
def explain(rule):
    """Show a rule's documentation (by ID or name)."""
    from .registry import all_rule_infos

    for r in all_rule_infos():
        if rule.upper() == r.id or rule.lower() == r.name:
            click.echo(f"{r.id} {r.name} ({r.family}, default severity {r.severity})\n")
            click.echo(r.doc)
            return
    fail(f"unknown rule '{rule}' (see `golint-im rules`)")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dot", "json", "html"]),
    default="dot",
    show_default=True,
    help="dot for Graphviz, json for tools, html: a page with the graph as SVG beside the findings.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option(
    "--focus",
    metavar="FINDING",
    help="Draw only this GIM1xx finding's marked part: FILE:LINE, RULE@FILE:LINE or a fingerprint (prefix).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Use this .golint-im.toml instead of searching upwards.",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None)
def graph(paths, fmt, output, focus, config_path, jobs):
    """Export the channel-flow graph: goroutines, channels, send/receive edges.

    Each deadlock cycle GIM101 reports is marked (red, bold, its handler path
    as a numbered chain). Each GIM102-GIM106 finding is marked too: a node
    named by its rule and location points at the goroutines involved on both
    sides, the channels, and for lock rules the mutexes (lock nodes named by
    class, with locks/waits edges from the goroutines). --focus keeps only
    one finding's marked part.
    """
    from .analysis.flow import CHANNEL_FLOW
    from .analysis.locks import LOCKS
    from .analysis.syncprims import SYNC_PRIMITIVES
    from .engine import Options, analyse
    from .graph_export import MARKED_RULES, find_cycles, find_marks, focus_cycles, subgraph, to_dot, to_json

    with _errors_in_one_line():
        paths = list(paths) or ["./..."]
        config = _load_config(config_path, paths)
        targets = resolve_targets(paths, config.root if config.source else None, link_modules=False)
        config = _rebase_excludes(config, targets.root)
        _check_cache_dir(default_cache_dir(), targets.analyse)
        if output:
            resolve_target(output, analysed_roots(targets.analyse))
        result, ctx = analyse(
            Options(
                paths=targets.analyse,
                rules={"GIM101", *MARKED_RULES},
                config=config,
                jobs=jobs or default_jobs(),
                base=str(targets.root),
                cache_dir=default_cache_dir(),
                reuse=False,
            )
        )
        assert ctx is not None  # reuse=False: the program is always linked
        flow = ctx.result(CHANNEL_FLOW)
        cycles = find_cycles(flow, result.findings)
        marks = find_marks(flow, ctx.result(LOCKS), result.findings, ctx.result(SYNC_PRIMITIVES))
        findings = result.findings
        if focus:
            cycles = focus_cycles(cycles, focus)
            marks = focus_cycles(marks, focus)
            if not cycles and not marks:
                raise UsageError(f"--focus {focus}: no GIM1xx finding there (see `golint-im check --format json`)")
            findings = [c.finding for c in [*cycles, *marks]]
        if fmt == "dot":
            text = to_dot(flow, cycles, focus=bool(focus), marks=marks)
        elif fmt == "json":
            text = to_json(flow, cycles, focus=bool(focus), marks=marks)
        else:
            from .graph_html import render_html

            text = render_html(
                subgraph(flow, cycles if focus else None, marks),
                cycles,
                findings,
                title=focus or Path(targets.root).name or str(targets.root),
                marks=marks,
            )
        write_output(text, output, targets.analyse)


if __name__ == "__main__":
    main()
