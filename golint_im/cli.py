"""The `golint-im` command line.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal
error, 130 interrupted. No traceback reaches a user unless --debug.
"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from . import __version__
from .cache import default_cache_dir
from .collect import default_jobs
from .config import Config, ConfigError, find_config, load_config, select_rules
from .discover import UsageError
from .targets import in_report, resolve_targets, strip_go_pattern
from .report import FORMATS, render

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _fail(message: str) -> None:
    click.echo(f"golint-im: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


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


def _write_output(text: str, output: str | None) -> None:
    """Write atomically: an interrupted run leaves no partial file."""
    if not output:
        click.echo(text, nl=False, color=True)  # colour was decided by --color; click would strip it off a tty
        return
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".golint-im-")
    except OSError as e:
        raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        # mkstemp makes the file 0600; give the report the mode a plain open() would
        # (or keep the old file's), so a CI step running as another user can read it.
        os.chmod(tmp, _output_mode(target))
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
        raise


def _output_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _owns_process() -> bool:
    """True when run as the command itself: not inside a test runner, and with no
    profiler or tracer attached (cProfile and coverage write their data at exit)."""
    return (sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__
            and sys.getprofile() is None and sys.gettrace() is None)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="golint-im")
def main():
    """Find Go concurrency, resource-leak and routing bugs: select loops that deadlock on
    themselves, connections opened per message and never closed, and hash rings fed
    addresses in different formats."""


def _common_check_options(f):
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="Use this .golint-im.toml instead of searching upwards."),
        click.option("--select", "select", multiple=True, help="Only these rules (IDs or prefixes, comma-separated)."),
        click.option("--ignore", "ignore", multiple=True, help="Skip these rules (IDs or prefixes)."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
                     help="Parser processes (default: CPU count)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the facts cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help="Facts cache directory (default: $XDG_CACHE_HOME/golint-im)."),
        click.option("--include-generated", is_flag=True, help="Also analyse files marked `Code generated ... DO NOT EDIT.`"),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
                     help="Colour the text report; auto: on a terminal unless NO_COLOR is set."),
        click.option("--quiet", "-q", is_flag=True, help="Findings only: no summary line, notices or progress."),
        click.option("--debug", is_flag=True, help="Timings, unresolved-call counts, and tracebacks."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def _run(paths, fmt, output, config_path, select, ignore, jobs, no_cache, cache_dir, include_generated,
         quiet, debug, only_files=None, new_from_rev=None, baseline=None, write_baseline=None,
         color="auto", link_modules=True, hook=False):
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
        opts = Options(paths=targets.analyse, rules=rules, config=config, jobs=jobs or default_jobs(),
                       cache_dir=None if no_cache else Path(cache_dir) if cache_dir else default_cache_dir(),
                       include_generated=include_generated, debug=debug, base=str(targets.root),
                       progress=_Progress(_progress_wanted(quiet)))
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
            from .baseline import write_baseline as _write

            _write(write_baseline, result.findings, __version__)
            if not quiet:
                n = len(result.findings)
                click.echo(f"golint-im: wrote {n} finding{'' if n == 1 else 's'} to {write_baseline}", err=True)
            return EXIT_CLEAN
        text = render(fmt, result, infos, color=fmt == "text" and _color_wanted(color, output),
                      tool_version=__version__, summary=not quiet and (not hook or bool(result.findings)))
        _write_output(text, output)
        if not quiet:
            for notice in result.notices:
                click.echo(f"golint-im: {notice}", err=True)
            if result.files_analysed == 0 and not result.notices:
                click.echo("golint-im: no Go files found", err=True)
        if debug:
            click.echo("golint-im: debug: " + json.dumps(result.debug, sort_keys=True, default=str), err=True)
        return EXIT_FINDINGS if result.findings else EXIT_CLEAN
    except KeyboardInterrupt:
        click.echo("golint-im: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (UsageError, ConfigError) as e:
        _fail(str(e))
    except Exception as e:  # noqa: BLE001 - the last net: one line, not a traceback
        if _is_baseline_error(e):
            _fail(str(e))
        if debug:
            raise
        _fail(f"internal error: {type(e).__name__}: {e} (run with --debug for a traceback)")


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
        raise UsageError(f"{config.source}: baseline file {config.baseline} does not exist "
                         "(create it with `golint-im check --write-baseline FILE`)")
    return str(path)


def _color_wanted(choice: str, output: str | None) -> bool:
    """--color always|never decide; auto colours a terminal unless NO_COLOR is set
    (https://no-color.org: any non-empty value) or the report goes to a file."""
    if choice == "always":
        return True
    if choice == "never" or output:
        return False
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _progress_wanted(quiet: bool) -> bool:
    """Progress is for a person watching a terminal: never in a pipe, a log or CI."""
    return not quiet and sys.stderr.isatty()


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
    from .baseline import BaselineError

    start = path if path.is_dir() else path.parent
    try:
        out = subprocess.run(["git", "-C", str(start), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=False)
    except OSError:
        raise BaselineError("--new-from-rev needs git on PATH")
    if out.returncode != 0:
        raise BaselineError(f"--new-from-rev needs a git repository: {path} is not inside one")
    return Path(out.stdout.strip())


def _known_options(f):
    """--new-from-rev, --baseline: shared by check and the pre-commit hook, so a
    legacy repository can adopt the hook and see only what it adds."""
    options = [
        click.option("--new-from-rev", metavar="REV", help="Report only findings that are new since git revision REV."),
        click.option("--baseline", type=click.Path(dir_okay=False, exists=True),
                     help="Hide findings recorded in this baseline file (default: the config's `baseline`)."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_common_check_options
@_known_options
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Record the current findings in FILE and exit 0 without reporting them.")
def check(paths, fmt, output, config_path, select, ignore, jobs, no_cache, cache_dir, include_generated,
          color, quiet, debug, new_from_rev, baseline, write_baseline):
    """Analyse the Go code under PATHS (default: ./...) as one program.

    A PATH inside a Go module links the whole module (rules follow calls
    across packages) and reports the findings located under PATH. Go patterns
    (`./...`, `pkg/...`) are accepted; a directory always includes everything
    below it. Several checkouts given together are analysed as one
    deployment, which is how cross-service bugs (two services hashing one
    ring differently) are found.
    """
    _exit(_run(paths, fmt, output, config_path, select, ignore, jobs, no_cache, cache_dir,
               include_generated, quiet, debug, new_from_rev=new_from_rev, baseline=baseline,
               write_baseline=write_baseline, color=color))


@main.command("pre-commit")
@click.argument("files", nargs=-1, type=click.Path())
@_common_check_options
@_known_options
def pre_commit(files, fmt, output, config_path, select, ignore, jobs, no_cache, cache_dir, include_generated,
               color, quiet, debug, new_from_rev, baseline):
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
    _exit(_run([str(root)], fmt, output, config_path, select, ignore, jobs, no_cache, cache_dir,
               include_generated, quiet, debug, only_files=wanted, new_from_rev=new_from_rev,
               baseline=baseline, color=color, link_modules=False, hook=True))


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
@click.option("--format", "fmt", type=click.Choice(["dot", "json", "html"]), default="dot", show_default=True,
              help="dot for Graphviz, json for tools, html: a page with the graph as SVG beside the findings.")
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option("--focus", metavar="FINDING",
              help="Draw only this finding's cycle: FILE:LINE, RULE@FILE:LINE or a fingerprint (prefix).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Use this .golint-im.toml instead of searching upwards.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None)
def graph(paths, fmt, output, focus, config_path, jobs):
    """Export the channel-flow graph: goroutines, channels, send/receive edges.

    Each deadlock cycle GIM101 reports is marked (red, bold, its handler path
    as a numbered chain); --focus keeps only one.
    """
    from .engine import Options, analyse
    from .graph_export import find_cycles, focus_cycles, subgraph, to_dot, to_json

    try:
        paths = list(paths) or ["./..."]
        config = _load_config(config_path, paths)
        targets = resolve_targets(paths, config.root if config.source else None, link_modules=False)
        config = _rebase_excludes(config, targets.root)
        result, ctx = analyse(Options(paths=targets.analyse, rules={"GIM101"}, config=config,
                                      jobs=jobs or default_jobs(), base=str(targets.root),
                                      cache_dir=default_cache_dir(), reuse=False))
        flow = ctx.flow
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

            text = render_html(subgraph(flow, cycles if focus else None), cycles, findings,
                               title=focus or Path(targets.root).name or str(targets.root))
        _write_output(text, output)
    except (UsageError, ConfigError) as e:
        _fail(str(e))
    except KeyboardInterrupt:
        click.echo("golint-im: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as e:  # noqa: BLE001 - as in check: one line, not a traceback
        _fail(f"internal error: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
