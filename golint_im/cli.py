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
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import click

from . import __version__
from .cache import default_cache_dir
from .collect import default_jobs
from .config import Config, ConfigError, find_config, load_config, select_rules
from .discover import UsageError
from .escape import printable
from .outputs import analysed_roots, resolve_target, write_text
from .targets import in_report, resolve_targets, strip_go_pattern
from .report import FORMATS, render

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is so it unwinds like Ctrl-C: workers ended, no partial output."""


def _on_sigterm(_signum, _frame):
    raise Terminated()


def notice_lines(notices, debug: bool) -> list[str]:
    """The notices as printed: files using syntax newer than the grammar summed up per construct, unless debug.

    A large project on a new Go release can have hundreds of such files; a
    line each would bury every other notice.
    """
    newer: dict[str, int] = {}
    lines = []
    for notice in notices:
        if notice.construct and not debug:
            newer[notice.construct] = newer.get(notice.construct, 0) + 1
        else:
            lines.append(str(notice))
    if newer:
        files = len({n.path for n in notices if n.construct})
        counts = ", ".join(f"{construct}: {n}" for construct, n in sorted(newer.items()))
        lines.append(
            f"{files} file{'s' if files != 1 else ''} use{'' if files != 1 else 's'} syntax newer than the grammar"
            f" ({counts}); read anyway, each file fully analysed; --debug lists them"
        )
    return lines


def _say(line: str) -> None:
    """One line on stderr, escaped; nothing (and no traceback) when stderr is closed."""
    try:
        click.echo(printable(line), err=True)
    except (OSError, ValueError):
        pass


def _fail(message: str) -> None:
    _say(f"golint-im: error: {message}")
    sys.exit(EXIT_ERROR)


_OOM_LINE = b"golint-im: error: out of memory (raise the memory limit, or exclude the largest files)\n"
# Address space given back on MemoryError, so that reporting it can allocate again.
# An untouched anonymous mapping: it counts against ulimit -v, not in RSS.
_RESERVE: mmap.mmap | None = None


def _out_of_memory() -> None:
    """Report MemoryError in one line even when the report itself cannot allocate.

    While the exception is handled, its traceback keeps the parse tree and
    the facts alive; formatting a message or a traceback then fails again, and
    the run ended with three tracebacks and exit 1. The line is a constant
    written straight to fd 2, and the process ends there (its children die
    with it, see parallel.die_with_parent).
    """
    global _RESERVE
    if _RESERVE is not None:
        _RESERVE.close()
        _RESERVE = None
    if not _owns_process():  # inside a test runner: unwind normally
        _fail(_OOM_LINE.decode()[len("golint-im: error: ") :].rstrip())
    try:
        os.write(2, _OOM_LINE)
    except OSError:
        pass
    os._exit(EXIT_ERROR)


def _interrupted(e: KeyboardInterrupt) -> None:
    terminated = isinstance(e, Terminated)
    _say("golint-im: terminated" if terminated else "golint-im: interrupted")
    sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)


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


def _write_output(text: str, output: str | None, paths: list[str] | None = None) -> None:
    """The report to stdout, or to a file (see outputs.py: atomic, never over a source or a device)."""
    if not output:
        if _STDOUT_CLOSED or sys.stdout is None:
            raise UsageError("cannot write the report: stdout is closed")
        try:
            click.echo(text, nl=False, color=True)  # colour was decided by --color; click would strip it off a tty
            sys.stdout.flush()
        except OSError as e:  # a closed or broken pipe: the report did not arrive, so not a clean exit
            raise UsageError(f"cannot write the report to stdout: {e.strerror or e}") from None
        return
    write_text(text, output, analysed_roots(paths or []))


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


def _owns_process() -> bool:
    """True when run as the command itself: not inside a test runner, and with no
    profiler or tracer attached (cProfile and coverage write their data at exit)."""
    return (
        sys.stdout is sys.__stdout__
        and sys.stderr is sys.__stderr__
        and sys.getprofile() is None
        and sys.gettrace() is None
    )


def _exit(code: int):
    """End a finished run without tearing the heap down object by object.

    Freeing the program model at interpreter shutdown costs 1-2 s on a large
    repository, a third of a warm run. By now the report is written (renamed
    into place), the parse pool is shut down and cache entries are renamed
    whole, so nothing is lost by skipping it: flush and leave. When stdout or
    stderr are not the process's own (click's test runner, pytest capture), or
    a profiler or tracer is attached (`python -m cProfile`, coverage: they
    write their data at exit), exit normally.
    """
    if not _owns_process():
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the exit code still matters
        pass
    os._exit(code)


class _Progress:
    """`parsed 812/2,694 files`, then the phase after parsing, on one stderr line.

    Only for a person at a terminal (the caller decides): a pipe, a log file
    or a CI step must get no carriage-return noise.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.n = 0
        self.total = 0
        self.shown = False

    def start(self, total: int) -> None:
        self.total = total

    def __call__(self) -> None:
        self.n += 1
        step = max(1, self.total // 100)
        if self.enabled and (self.n % step == 0 or self.n == self.total):
            self._show(f"parsed {self.n:,}/{self.total:,} files")

    def phase(self, name: str) -> None:
        if self.enabled:
            self._show(name)

    def _show(self, text: str) -> None:
        click.echo(f"\r\x1b[K{text}", err=True, nl=False)
        self.shown = True

    def done(self) -> None:
        if self.enabled and self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)


_STDOUT_CLOSED = False  # fd 1 was closed when we started: the report has nowhere to go


def _reserve_std_fds() -> None:
    """Give a closed fd 0, 1 or 2 to os.devnull (opened, never written over).

    Otherwise the next file we open (a report's temp file, a cache entry)
    takes that number, and whatever writes to stdout or stderr, here or in a
    child, writes into it.
    """
    global _STDOUT_CLOSED
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            if fd == 1:
                _STDOUT_CLOSED = True
            try:
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            except OSError:
                pass


class _Cli(click.Group):
    """The command group, keeping the one-line promise for click's own errors (usage, bad options)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        global _RESERVE
        if _owns_process():
            _reserve_std_fds()
            signal.signal(signal.SIGTERM, _on_sigterm)
            try:
                _RESERVE = mmap.mmap(-1, 8 * 1024 * 1024)
            except (OSError, ValueError):  # already at the limit: nothing to keep in reserve
                _RESERVE = None
        try:
            os.getcwd()
        except OSError:
            _fail("the current directory no longer exists (it was deleted or moved)")
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError:
            _fail("no command given (see `golint-im --help`)")
        except click.ClickException as e:
            ctx = getattr(e, "ctx", None)
            command = f"golint-im {ctx.info_name}" if ctx is not None and ctx.parent is not None else "golint-im"
            _fail(e.format_message() + (f" (see `{command} --help`)" if isinstance(e, click.UsageError) else ""))
        except click.Abort:
            _say("golint-im: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except KeyboardInterrupt as e:
            _interrupted(e)
        except MemoryError:
            _out_of_memory()
        except OSError as e:  # writing --help or a rule list to a closed stdout
            _fail(f"cannot write to stdout: {e.strerror or e}")
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
):
    from .engine import Options, analyse
    from .registry import all_rule_infos

    # A command-line run ends right after its report: keep the cyclic GC off
    # for good, or re-enabling it after analyse() costs a full pass over the
    # model (0.6 s on grpc-go) just before exiting. In-process callers keep theirs.
    if _owns_process():
        gc.disable()
    try:
        paths = list(paths) or ["./..."]
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
            progress=_Progress(_progress_wanted(quiet)),
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

            _write_output(baseline_text(result.findings, __version__), write_baseline, targets.analyse)
            if not quiet:
                n = len(result.findings)
                _say(f"golint-im: wrote {n} finding{'' if n == 1 else 's'} to {write_baseline}")
            return EXIT_CLEAN
        text = render(
            fmt,
            result,
            infos,
            color=fmt == "text" and _color_wanted(color, output),
            tool_version=__version__,
            summary=not quiet and (not hook or bool(result.findings)),
        )
        _write_output(text, output, targets.analyse)
        if not quiet:
            for line in notice_lines(result.notices, debug):
                _say(f"golint-im: {line}")
            if result.files_analysed == 0 and not result.notices:
                _say("golint-im: no Go files found")
        if debug:
            _say("golint-im: debug: " + json.dumps(result.debug, sort_keys=True, default=str))
        return EXIT_FINDINGS if result.findings else EXIT_CLEAN
    except KeyboardInterrupt as e:
        _interrupted(e)
    except (UsageError, ConfigError) as e:
        _fail(str(e))
    except MemoryError:
        _out_of_memory()
    except Exception as e:  # noqa: BLE001 - the last net: one line, not a traceback
        if _is_baseline_error(e):
            _fail(str(e))
        if debug:
            raise
        _fail(_internal_error(e))


def _internal_error(e: BaseException) -> str:
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(e, BrokenProcessPool):  # a parser process killed: by the OOM killer, a memory limit, a signal
        return "a parser process died (out of memory?); run with --jobs 1 --debug for details"
    return f"internal error: {type(e).__name__}: {e} (run with --debug for a traceback)"


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


def _color_wanted(choice: str, output: str | None) -> bool:
    """--color always|never decide; auto colours a terminal unless NO_COLOR is set
    (https://no-color.org: any non-empty value) or the report goes to a file."""
    if choice == "always":
        return True
    if choice == "never" or output:
        return False
    return sys.stdout is not None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _progress_wanted(quiet: bool) -> bool:
    """Progress is for a person watching a terminal: never in a pipe, a log or CI."""
    return not quiet and sys.stderr is not None and sys.stderr.isatty()


def _is_baseline_error(e) -> bool:
    from .baseline import BaselineError

    return isinstance(e, BaselineError)


def _filter_known(result, opts, paths, new_from_rev, baseline):
    from .baseline import filter_new, load_baseline, snapshot_at_rev
    from .engine import analyse

    known = set()
    if baseline:
        known |= load_baseline(baseline)
    if new_from_rev:
        root = _git_root(Path(paths[0]))
        with snapshot_at_rev(root, new_from_rev) as snap:
            snap_root = Path(snap)  # the snapshot of the repository's top directory
            old_paths = [str(snap_root / os.path.relpath(Path(p).resolve(), root)) for p in paths]
            old_paths = [p for p in old_paths if Path(p).exists()]
            if old_paths:
                # The same display base inside the snapshot, so fingerprints line up.
                old_base = snap_root / os.path.relpath(result.base, root)
                old, _ = analyse(replace(opts, paths=old_paths, progress=None, base=str(old_base)))
                known |= {(f.rule_id, f.fingerprint) for f in old.findings}
    return filter_new(result.findings, known)


def _git_root(path: Path) -> Path:
    from .baseline import BaselineError, git_refusal

    start = path if path.is_dir() else path.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(start), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
        )
    except OSError:
        raise BaselineError("--new-from-rev needs git on PATH")
    if out.returncode != 0:
        refusal = git_refusal(out.stderr)
        if refusal:
            raise BaselineError(f"--new-from-rev: {refusal}")
        raise BaselineError(f"--new-from-rev needs a git repository: {path} is not inside one")
    return Path(out.stdout.strip())


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
):
    """Analyse the Go code under PATHS (default: ./...) as one program.

    A PATH inside a Go module links the whole module (rules follow calls
    across packages) and reports the findings located under PATH. Go patterns
    (`./...`, `pkg/...`) are accepted; a directory always includes everything
    below it. Several checkouts given together are analysed as one
    deployment, which is how cross-service bugs (two services hashing one
    ring differently) are found.
    """
    _exit(
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
    _exit(
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
    _fail(f"unknown rule '{rule}' (see `golint-im rules`)")


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
    help="Draw only this finding's cycle: FILE:LINE, RULE@FILE:LINE or a fingerprint (prefix).",
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
    as a numbered chain); --focus keeps only one.
    """
    from .analysis.flow import CHANNEL_FLOW
    from .engine import Options, analyse
    from .graph_export import find_cycles, focus_cycles, subgraph, to_dot, to_json

    try:
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
                rules={"GIM101"},
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
        findings = result.findings
        if focus:
            cycles = focus_cycles(cycles, focus)
            if not cycles:
                raise UsageError(f"--focus {focus}: no GIM101 finding there (see `golint-im check --format json`)")
            findings = [c.finding for c in cycles]
        if fmt == "dot":
            text = to_dot(flow, cycles, focus=bool(focus))
        elif fmt == "json":
            text = to_json(flow, cycles, focus=bool(focus))
        else:
            from .graph_html import render_html

            text = render_html(
                subgraph(flow, cycles if focus else None),
                cycles,
                findings,
                title=focus or Path(targets.root).name or str(targets.root),
            )
        _write_output(text, output, targets.analyse)
    except (UsageError, ConfigError) as e:
        _fail(str(e))
    except KeyboardInterrupt as e:
        _interrupted(e)
    except MemoryError:
        _out_of_memory()
    except Exception as e:  # noqa: BLE001 - as in check: one line, not a traceback
        _fail(_internal_error(e))


if __name__ == "__main__":
    main()
