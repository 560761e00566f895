#!/usr/bin/env python3
"""Benchmark golint-im against a peer (semgrep) on a Go checkout.

    python benchmarks/run.py CHECKOUT [CHECKOUT...] [--runs 3] [--json FILE] [--no-peer] [--scaling] [--base-rev REV]
    python benchmarks/run.py --scenario 10k --targets-dir DIR [--targets-dir DIR...] [options]

Several checkouts are analysed together, as one deployment (golint-im's way of
finding cross-service bugs). The trees are copied to a temporary directory
first, so "touching" a file never modifies the checkout.

Each round runs, in this order and alternating so that drift on the machine
affects every tool alike:

  cold     golint-im with a fresh, empty --cache-dir
  warm     golint-im again on that cache (every file a hit)
  touched  golint-im after a comment was appended to one file (one miss; that
           file's facts are unchanged, so the stored result is reused)
  edited   golint-im after a function was added to that file (one miss; the
           facts changed, so the program is linked and every rule runs again)
  semgrep  semgrep with benchmarks/semgrep-rules.yml over the same .go files

Per run: wall time, peak RSS of the whole process tree (sampled from /proc
every 20 ms: parent and worker processes summed), the largest single process's
RSS (from wait4), files/s and MiB/s. The table shows medians; --json writes
every run as well. --scaling times cold and warm runs on 25/50/100% of the
packages and fits time ~ size^k.

With --base-rev REV, cold and edited runs of golint-im as it was at git
revision REV (unpacked into the temporary directory) alternate with this
tree's, and the table gives each ratio: how a refactor is held to "no
slower", both measured in one run on the same load.

--scenario NAME analyses a large deployment made of several checkouts (see
SCENARIOS): checkouts are taken, in the scenario's order, from the
--targets-dir folders until the analysed files reach the scenario's size.
semgrep is skipped there when it is not installed.

A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE / "semgrep-rules.yml"
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# ---- what is analysed -------------------------------------------------------------

# Large deployments, as one analysed set: (analysed files to reach, checkout names in the order taken).
# The names are directories under a --targets-dir; the biggest Go projects come first, so a scenario
# needs as few checkouts as it can. 20k needs more Go than the usual target list holds: gardener and
# moby (checked out beside the others) bring it there.
SCENARIOS: dict[str, tuple[int, list[str]]] = {
    "10k": (
        10_000,
        ["go-ethereum", "jaeger", "etcd", "grpc-go", "go-zero", "cortex", "dubbo-go", "kitex", "prometheus"]
        + ["dendrite", "thanos", "quic-go", "livekit", "protoactor-go", "dskit", "open-im-server", "sarama"],
    ),
    "20k": (
        20_000,
        ["gardener", "moby", "go-ethereum", "jaeger", "etcd", "grpc-go", "go-zero", "cortex", "dubbo-go"]
        + ["kitex", "prometheus", "dendrite", "thanos", "quic-go", "livekit", "protoactor-go", "dskit"]
        + ["open-im-server", "sarama", "kratos", "kafka-go", "nats-server", "nakama", "centrifuge", "watermill"]
        + ["olric", "nats.go", "gotify-server", "nsq", "serf", "etcd-raft", "tinode-chat", "go-redis", "raft"],
    ),
}


def scenario_checkouts(name: str, dirs: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The checkouts of scenario `name` found under dirs, taken in order until its size, and their files."""
    size, names = SCENARIOS[name]
    trees: list[Path] = []
    files: list[tuple[Path, str]] = []
    missing = []
    for checkout in names:
        found = next((d / checkout for d in dirs if (d / checkout).is_dir()), None)
        if found is None:
            missing.append(checkout)
            continue
        trees.append(found.resolve())
        files += analysed_files([trees[-1]])
        if len(files) >= size:
            return trees, files
    sys.exit(
        f"benchmark: scenario {name} reaches {len(files)} of {size} files; "
        f"not found under --targets-dir: {', '.join(missing) or 'none'}"
    )


def analysed_files(trees: list[Path]) -> list[tuple[Path, str]]:
    """(absolute path, path inside the staged copy) of every file golint-im analyses:
    its own discovery rules, generated files left out."""
    from golint_im.discover import discover
    from golint_im.source import is_generated

    out = []
    for tree in trees:
        for f in discover([str(tree)], base=str(tree)).files:
            with open(f.abs_path, "rb") as fh:
                if is_generated(fh.read()):  # the marker line can be tens of kB long
                    continue
            out.append((Path(f.abs_path), f"{tree.name}/{f.rel_path}"))
    return out


def stage(trees: list[Path], files: list[tuple[Path, str]], dest: Path) -> list[Path]:
    """Copy the files (and every go.mod, for import paths) into dest/<tree name>/..."""
    for tree in trees:
        for gomod in tree.rglob("go.mod"):
            if any(part.startswith(".") or part in ("vendor", "testdata") for part in gomod.relative_to(tree).parts):
                continue
            target = dest / tree.name / gomod.relative_to(tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(gomod, target)
    staged = []
    for src, rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        staged.append(target)
    return staged


# ---- measuring one run -------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _mem_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB. PSS splits each shared page among its
    sharers, so summing it over forked processes does not count shared pages twice."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    return rss, pss or rss


class TreeSampler(threading.Thread):
    """Peaks of the summed RSS and PSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib, self.peak_pss_kib = pid, interval, 0, 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            total = total_pss = 0
            stack, seen = [self.pid], set()
            while stack:
                p = stack.pop()
                if p in seen:
                    continue
                seen.add(p)
                rss, pss = _mem_kib(p)
                total += rss
                total_pss += pss
                stack.extend(_children(p))
            self.peak_kib = max(self.peak_kib, total)
            self.peak_pss_kib = max(self.peak_pss_kib, total_pss)
            self.stopped.wait(self.interval)


def measure(cmd: list[str], cwd: Path, env: dict) -> dict:
    load = os.getloadavg()[0]  # other work on the machine: times are comparable only at a like load
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stderr = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    sampler.stopped.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "load_1m": load,
        "rc": proc.returncode,
        "peak_rss_tree_mib": sampler.peak_kib / 1024,
        "peak_pss_tree_mib": sampler.peak_pss_kib / 1024,
        "max_rss_single_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "stderr_tail": stderr.decode("utf-8", "replace")[-400:],
    }


# ---- the tools ---------------------------------------------------------------------


def golint_cmd(args, targets: list[str], cache_dir: Path, out: Path, base_rev: bool = False) -> list[str]:
    if base_rev:  # the other revision's tree, not the installed one (see base_env)
        base = [sys.executable, "-S", "-m", "golint_im.cli"]
    else:
        base = args.golint_im.split() if args.golint_im else [sys.executable, "-m", "golint_im.cli"]
    cmd = base + [
        "check",
        *targets,
        "--format",
        "sarif",
        "--output",
        str(out),
        "--quiet",
        "--cache-dir",
        str(cache_dir),
    ]
    return cmd + (["--jobs", str(args.jobs)] if args.jobs else [])


def semgrep_cmd(args, files: list[Path], out: Path) -> list[str]:
    cmd = [
        args.semgrep,
        "scan",
        "--metrics=off",
        "--disable-version-check",
        "--config",
        str(RULES),
        "--json",
        "--output",
        str(out),
        "--quiet",
    ]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    return cmd + [str(f) for f in files]


def find_semgrep() -> str | None:
    beside = Path(sys.executable).parent / "semgrep"
    return str(beside) if beside.exists() else shutil.which("semgrep")


def tool_version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ---- machine -------------------------------------------------------------------------


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


# ---- the benchmark -----------------------------------------------------------------


def extract_revision(rev: str, into: Path) -> Path:
    """golint-im as it was at git revision REV of this repository, unpacked (nothing in the checkout is written)."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=False)
    if archive.returncode != 0:
        sys.exit(f"benchmark: git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def base_env(env: dict, tree: Path) -> dict:
    """Run the extracted revision: its tree first on sys.path, then site-packages without their .pth hooks
    (an editable install of golint-im would otherwise map its modules to this checkout)."""
    import site

    out = dict(env)
    out["PYTHONPATH"] = os.pathsep.join([str(tree), *site.getsitepackages()])
    out["PYTHONSAFEPATH"] = "1"
    return out


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summarise(runs: list[dict], n_files: int, n_bytes: int) -> dict:
    wall = median_of(runs, "wall_s")
    return {
        "runs": len(runs),
        "median_wall_s": wall,
        "min_wall_s": min(r["wall_s"] for r in runs),
        "max_wall_s": max(r["wall_s"] for r in runs),
        "median_peak_rss_tree_mib": median_of(runs, "peak_rss_tree_mib"),
        "median_peak_pss_tree_mib": median_of(runs, "peak_pss_tree_mib"),
        "max_peak_rss_tree_mib": max(r["peak_rss_tree_mib"] for r in runs),
        "median_max_rss_single_mib": median_of(runs, "max_rss_single_mib"),
        "files_per_s": n_files / wall if wall else 0.0,
        "mib_per_s": n_bytes / 1048576 / wall if wall else 0.0,
        "exit_codes": sorted({r["rc"] for r in runs}),
        "median_load_1m": median_of(runs, "load_1m"),
    }


def check_rc(name: str, run: dict, ok: tuple) -> None:
    if run["rc"] not in ok:
        sys.exit(f"benchmark: {name} exited {run['rc']}:\n{run['stderr_tail']}")


def benchmark(
    args, trees: list[Path], files: list[tuple[Path, str]], work: Path, label: str, names: list[str] | None = None
) -> dict:
    staged = stage(trees, files, work / "tree")
    targets = [str(work / "tree" / t.name) for t in trees]
    n_bytes = sum(p.stat().st_size for p in staged)
    touch = sorted(staged, key=lambda p: p.stat().st_size)[len(staged) // 2] if staged else None
    env = dict(
        os.environ, XDG_CACHE_HOME=str(work / "xdg"), SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off"
    )
    names = names or ["cold", "warm", "touched", "edited"] + ([] if args.no_peer else ["semgrep"])
    if args.base_rev and names[:1] == ["cold"]:
        # cold@base right after cold, edited@base right after edited: each pair sees the same machine load.
        names = [n for name in names for n in ([name, f"{name}@base"] if name in ("cold", "edited") else [name])]
        env_base = base_env(env, args.base_tree)
    runs = {name: [] for name in names}
    for i in range(args.runs):
        cache = work / f"cache-{i}"
        out = work / "report.sarif"
        for name in names:
            if name == "touched" and touch is not None:
                with touch.open("a") as fh:
                    fh.write(f"\n// benchmark round {i}: one file changed\n")
            if name == "edited" and touch is not None:
                with touch.open("a") as fh:
                    fh.write(f"\nfunc benchmarkEdit{i}() int {{ return {i} }}\n")
            if name == "semgrep":
                run = measure(semgrep_cmd(args, staged, work / "semgrep.json"), work, env)
                check_rc(name, run, (0, 1))
            elif name.endswith("@base"):
                cmd = golint_cmd(args, targets, work / f"cache-base-{i}", work / "report-base.sarif", base_rev=True)
                run = measure(cmd, work, env_base)
                check_rc(name, run, (0, 1))
            else:
                run = measure(golint_cmd(args, targets, cache, out), work, env)
                check_rc(name, run, (0, 1))
            runs[name].append(run)
            print(
                f"  [{label}] round {i + 1}/{args.runs} {name:<8} {run['wall_s']:7.2f} s "
                f"{run['peak_rss_tree_mib']:7.0f} MiB (PSS {run['peak_pss_tree_mib']:.0f}) load {run['load_1m']:.1f}",
                file=sys.stderr,
                flush=True,
            )
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(work / f"cache-base-{i}", ignore_errors=True)
    summary = {name: summarise(r, len(staged), n_bytes) for name, r in runs.items()}
    result = {
        "label": label,
        "files": len(staged),
        "bytes": n_bytes,
        "touched_file": str(touch.relative_to(work / "tree")) if touch else None,
        "summary": summary,
        "runs": runs,
    }
    if "semgrep" in summary:
        result["semgrep_over_cold"] = summary["semgrep"]["median_wall_s"] / summary["cold"]["median_wall_s"]
    for name in ("cold", "edited"):
        if f"{name}@base" in summary:
            result[f"{name}_over_base"] = summary[name]["median_wall_s"] / summary[f"{name}@base"]["median_wall_s"]
    return result


def subset(files: list[tuple[Path, str]], fraction: float) -> list[tuple[Path, str]]:
    """Whole packages (directories) in a fixed pseudo-random order until `fraction` of the bytes."""
    by_dir: dict[str, list] = {}
    for src, rel in files:
        by_dir.setdefault(rel.rsplit("/", 1)[0], []).append((src, rel))
    order = sorted(by_dir, key=lambda d: (zlib.crc32(d.encode()), d))
    total = sum(src.stat().st_size for src, _ in files)
    chosen, size = [], 0
    for d in order:
        if size >= fraction * total:
            break
        chosen.extend(by_dir[d])
        size += sum(src.stat().st_size for src, _ in by_dir[d])
    return sorted(chosen, key=lambda x: x[1])


def fit_exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(size)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / var if var else None


def scaling(args, trees, files, work: Path) -> dict:
    # Fixed cost (interpreter start, imports): a run on one tiny file.
    tiny = work / "tiny"
    (tiny / "t").mkdir(parents=True)
    (tiny / "t" / "t.go").write_text("package t\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "xdg"))
    startup = statistics.median(
        measure(golint_cmd(args, [str(tiny / "t")], work / "tiny-cache", work / "tiny.sarif"), work, env)["wall_s"]
        for _ in range(args.runs)
    )
    points = []
    for pct in (25, 50, 100):
        chosen = subset(files, pct / 100) if pct < 100 else files
        sub = work / f"scale-{pct}"
        # "edited" rather than "warm": a warm run reuses the stored result, so only
        # a run whose facts changed shows how linking and the rules scale.
        res = benchmark(args, trees, chosen, sub, f"{pct}%", names=["cold", "warm", "edited"])
        points.append(
            {
                "percent": pct,
                "files": res["files"],
                "bytes": res["bytes"],
                "cold_s": res["summary"]["cold"]["median_wall_s"],
                "warm_s": res["summary"]["warm"]["median_wall_s"],
                "edited_s": res["summary"]["edited"]["median_wall_s"],
                "cold_peak_rss_tree_mib": res["summary"]["cold"]["median_peak_rss_tree_mib"],
            }
        )
        shutil.rmtree(sub, ignore_errors=True)
    out = {"startup_s": startup, "points": points}
    for kind in ("cold", "warm", "edited"):
        out[f"{kind}_exponent"] = fit_exponent([(p["bytes"], p[f"{kind}_s"]) for p in points])
        out[f"{kind}_exponent_minus_startup"] = fit_exponent([(p["bytes"], p[f"{kind}_s"] - startup) for p in points])
    return out


# ---- output -----------------------------------------------------------------------


def table(result: dict) -> str:
    s = result["summary"]
    lines = [
        f"{result['files']} files, {result['bytes'] / 1048576:.1f} MiB; median of {s['cold']['runs']} runs",
        f"{'run':<9} {'wall s':>8} {'min-max s':>13} {'peak RSS tree':>14} {'PSS tree':>9} {'max 1 proc':>11} "
        f"{'files/s':>9} {'MiB/s':>7} {'load':>5}",
    ]
    for name, m in s.items():
        lines.append(
            f"{name:<9} {m['median_wall_s']:8.2f} {m['min_wall_s']:6.2f}-{m['max_wall_s']:<6.2f} "
            f"{m['median_peak_rss_tree_mib']:10.0f} MiB {m['median_peak_pss_tree_mib']:5.0f} MiB "
            f"{m['median_max_rss_single_mib']:7.0f} MiB "
            f"{m['files_per_s']:9.0f} {m['mib_per_s']:7.2f} {m['median_load_1m']:5.1f}"
        )
    for name in ("cold", "edited"):
        if f"{name}_over_base" in result:
            lines.append(
                f"{name} : {name}@base = {result[f'{name}_over_base']:.3f} (this tree's time over the base revision's)"
            )
    if "semgrep_over_cold" in result:
        lines.append(
            f"golint-im cold : semgrep = 1 : {result['semgrep_over_cold']:.2f} "
            f"(golint-im cold is {result['semgrep_over_cold']:.1f}x as fast)"
        )
    return "\n".join(lines)


def scaling_table(sc: dict) -> str:
    lines = [
        f"startup (one tiny file): {sc['startup_s']:.2f} s",
        f"{'share':>6} {'files':>6} {'MiB':>7} {'cold s':>8} {'warm s':>8} {'edited s':>9} {'cold RSS':>9}",
    ]
    for p in sc["points"]:
        lines.append(
            f"{p['percent']:>5}% {p['files']:>6} {p['bytes'] / 1048576:7.1f} {p['cold_s']:8.2f} "
            f"{p['warm_s']:8.2f} {p['edited_s']:9.2f} {p['cold_peak_rss_tree_mib']:6.0f} MiB"
        )

    def fmt(x):
        return "n/a" if x is None else f"{x:.2f}"

    lines.append(
        f"time ~ size^k: cold k={fmt(sc['cold_exponent'])} (minus startup {fmt(sc['cold_exponent_minus_startup'])}), "
        f"edited k={fmt(sc['edited_exponent'])} (minus startup {fmt(sc['edited_exponent_minus_startup'])}), "
        f"warm k={fmt(sc['warm_exponent'])} (minus startup {fmt(sc['warm_exponent_minus_startup'])})"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkouts", nargs="*", type=Path, help="Go checkout(s), analysed together")
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), help="a large deployment of several checkouts")
    ap.add_argument(
        "--targets-dir", type=Path, action="append", default=[], help="where --scenario finds its checkouts"
    )
    ap.add_argument("--runs", type=int, default=3, help="rounds per measurement (median reported)")
    ap.add_argument("--jobs", type=int, default=0, help="--jobs for both tools (default: each tool's own)")
    ap.add_argument("--no-peer", action="store_true", help="skip semgrep")
    ap.add_argument("--semgrep", default=None, help="semgrep executable (default: beside this Python, or PATH)")
    ap.add_argument("--golint-im", default=None, help="golint-im command (default: this Python -m golint_im.cli)")
    ap.add_argument("--scaling", action="store_true", help="also time 25/50/100%% of the packages")
    ap.add_argument("--json", type=Path, help="write every measurement to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy (its path is printed)")
    ap.add_argument(
        "--base-rev",
        default=None,
        metavar="REV",
        help="also time cold and edited runs of golint-im at git revision REV, alternating with this tree's",
    )
    args = ap.parse_args(argv)

    if bool(args.scenario) == bool(args.checkouts):
        ap.error("give checkouts or --scenario NAME (with --targets-dir), not both")
    if args.scenario:
        trees, files = scenario_checkouts(args.scenario, args.targets_dir)
    else:
        trees = [c.resolve() for c in args.checkouts]
        for t in trees:
            if not t.is_dir():
                ap.error(f"not a directory: {t}")
    if len({t.name for t in trees}) != len(trees):
        ap.error("checkouts must have different directory names")
    if not args.no_peer:
        args.semgrep = args.semgrep or find_semgrep()
        if not args.semgrep and args.scenario:
            print("benchmark: semgrep is not installed; its approximation is skipped", file=sys.stderr)
            args.no_peer = True
        elif not args.semgrep:
            ap.error("semgrep not found (pip install semgrep, or --no-peer)")
    if not args.scenario:
        files = analysed_files(trees)
    work = Path(tempfile.mkdtemp(prefix="golint-im-bench-"))
    args.base_tree = extract_revision(args.base_rev, work / "base-rev") if args.base_rev else None
    try:
        report = {
            "machine": machine(),
            "scenario": args.scenario,
            "load_before": os.getloadavg(),
            "checkouts": [t.name for t in trees],
            "golint_im": tool_version(golint_cmd(args, [], work, work / "x")[:3] + ["--version"]),
            "semgrep": None if args.no_peer else tool_version([args.semgrep, "--version", "--disable-version-check"]),
            "jobs": args.jobs or "default",
        }
        label = f"scenario {args.scenario}" if args.scenario else "+".join(report["checkouts"])
        main_result = benchmark(args, trees, files, work / "main", label)
        report["benchmark"] = main_result
        print(table(main_result))
        if args.scaling:
            report["scaling"] = scaling(args, trees, files, work)
            print(scaling_table(report["scaling"]))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
