"""Benchmarks for `kmech backoff` (run by hand: python benchmarks/bench_backoff.py).

1. Simulate 100,000 items failing 20 times each through client-go's default controller limiter
   with 10 workers (2,000,000 failures): wall time, CPU time and peak RSS, for the fast engine
   (the default) and the reference engine that drives the real RateLimitingQueue; the ratios
   between them. `--baseline REV` adds the fast engine of git revision REV (its simulate.py and
   _fastsim.py, with today's package otherwise), for before/after figures on the same machine
   and load. Each run is a fresh subprocess importing this working tree, so peak memory is its
   own. CPU time is the figure to compare on a shared machine; the load average is printed
   with the results.
2. `kmech backoff --failures 20` end to end through the installed entry point: median wall time
   against the peer `python -c pass` (bare interpreter start-up), and the import-time breakdown
   of what the command loads (python -X importtime).

Prints medians; asserts nothing. Goal from the issue: the simulation under 5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def repo_env() -> dict[str, str]:
    """The environment for child interpreters: this working tree's kmech first on the path,
    whatever the installed kmech points at."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


SIM_CODE = r"""
import importlib.util, json, resource, sys, time
from kmech.workqueue import SimulationConfig, VirtualClock, parse_limiter, run_simulation
items, failures, workers, work_ns, engine = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if engine.endswith(".py"):  # a baseline simulate.py: its own (fast) engine
    fastsim = engine.replace("baseline_simulate.py", "baseline__fastsim.py")
    try:  # the revision's _fastsim.py too, which its simulate.py imports (not today's)
        spec = importlib.util.spec_from_file_location("kmech.workqueue._fastsim", fastsim)
        module = importlib.util.module_from_spec(spec)
        sys.modules["kmech.workqueue._fastsim"] = module
        spec.loader.exec_module(module)
    except FileNotFoundError:  # a revision before the fast engine moved out of simulate.py
        sys.modules.pop("kmech.workqueue._fastsim", None)
    spec = importlib.util.spec_from_file_location("baseline_simulate", engine)
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_simulate"] = module
    spec.loader.exec_module(module)
    SimulationConfig, run_simulation, engine = module.SimulationConfig, module.run_simulation, "fast"
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
clock = VirtualClock()
limiter = parse_limiter("default").build_limiter(clock)
config = SimulationConfig(items=items, failures=failures, workers=workers, work_time=work_ns)
w0, c0 = time.perf_counter(), time.process_time()
result = run_simulation(limiter, clock, config, engine=engine)
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"wall": wall, "cpu": cpu, "peak_rss_kib": peak, "base_rss_kib": base_rss,
                  "failures": result.failures, "drain_ns": result.drain_time_ns}))
"""


def run_simulation(
    items: int, failures: int, workers: int, work_ns: int, engine: str
) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            SIM_CODE,
            str(items),
            str(failures),
            str(workers),
            str(work_ns),
            engine,
        ],
        check=True,
        capture_output=True,
        text=True,
        env=repo_env(),
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def bench_simulation(
    items: int,
    failures: int,
    workers: int,
    work_ns: int,
    repeat: int,
    engines: list[str],
    baseline: str | None,
) -> None:
    print(
        f"== simulation: {items} items x {failures} failures, default controller limiter, {workers} workers, work time {work_ns} ns"
    )
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average (1/5/15 min) at start: {load} on {os.cpu_count()} CPUs")
    runs_by: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets = {engine: engine for engine in engines}
        if baseline:
            for name in ("simulate.py", "_fastsim.py"):
                shown = subprocess.run(
                    ["git", "-C", str(REPO), "show", f"{baseline}:kmech/workqueue/{name}"],
                    capture_output=True,
                    text=True,
                )
                if shown.returncode == 0:
                    (Path(tmp) / f"baseline_{name}").write_text(shown.stdout)
                elif name == "simulate.py":
                    raise SystemExit(f"{baseline}: no kmech/workqueue/simulate.py there")
            targets[f"fast@{baseline}"] = str(Path(tmp) / "baseline_simulate.py")
        for label, target in targets.items():
            runs = [
                run_simulation(items, failures, workers, work_ns, target) for _ in range(repeat)
            ]
            runs_by[label] = runs
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            peak = max(r["peak_rss_kib"] for r in runs) / 1024
            growth = max(r["peak_rss_kib"] - r["base_rss_kib"] for r in runs) / 1024
            print(
                f"{label:>12}: median wall {wall:.2f} s, cpu {cpu:.2f} s over {repeat} run(s); "
                f"peak RSS {peak:.0f} MiB ({growth:.0f} MiB above the imports); "
                f"{runs[0]['failures']:.0f} failures, drained at {runs[0]['drain_ns'] / 1e9:.1f} s virtual"
            )
    if "fast" in runs_by:
        fast = runs_by["fast"]
        for label, runs in runs_by.items():
            if label == "fast":
                continue
            same = runs[0]["drain_ns"] == fast[0]["drain_ns"]
            print(
                f"fast vs {label}: wall ratio "
                f"{statistics.median(r['wall'] for r in fast) / statistics.median(r['wall'] for r in runs):.2f}, "
                f"cpu ratio {statistics.median(r['cpu'] for r in fast) / statistics.median(r['cpu'] for r in runs):.2f}"
                f"{'' if same else ' (DIFFERENT drain time!)'}"
            )


def median_wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=repo_env()
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_breakdown(max_depth: int = 2, min_us: int = 1000) -> list[tuple[int, str, int]]:
    """(depth, module, cumulative µs) for modules up to ``max_depth`` levels below the script's
    own imports that took at least ``min_us``, in import order (python -X importtime's tree)."""
    code = "from kmech.cli.app import main\ntry:\n    main(['backoff', '--failures', '20'])\nexcept SystemExit:\n    pass\n"
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env=repo_env(),
    ).stderr
    rows: list[tuple[int, str, int]] = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line[len("import time:") :].split("|", 2)
        raw = name.rstrip()
        depth = (len(raw) - len(raw.lstrip(" ")) - 1) // 2
        if depth <= max_depth and int(cumulative) >= min_us:
            rows.append((depth, raw.strip(), int(cumulative)))
    # importtime prints children before their parent; show parents first.
    out: list[tuple[int, str, int]] = []
    pending: list[list[tuple[int, str, int]]] = [[] for _ in range(max_depth + 2)]
    for depth, name, us in rows:
        block = [(depth, name, us), *pending[depth + 1]]
        pending[depth + 1] = []
        if depth == 0:
            out.extend(block)
        else:
            pending[depth].extend(block)
    return out


def bench_command(repeat: int) -> None:
    exe = shutil.which("kmech")
    cmd = (
        [exe, "backoff", "--failures", "20"]
        if exe
        else [sys.executable, "-m", "kmech", "backoff", "--failures", "20"]
    )
    peer = [sys.executable, "-c", "pass"]
    ours = median_wall(cmd, repeat)
    base = median_wall(peer, repeat)
    print(f"== `kmech backoff --failures 20` end to end ({' '.join(cmd[:1])} ...)")
    print(
        f"median wall {ours * 1000:.0f} ms over {repeat} runs; peer `python -c pass` {base * 1000:.0f} ms; ratio {ours / base:.1f}x"
    )
    print("import time (cumulative ms; children indented; >= 1 ms, up to 2 levels deep):")
    for depth, name, us in import_breakdown():
        print(f"  {us / 1000:>7.1f}  {'  ' * depth}{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--failures", type=int, default=20)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--work-time-ns", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--command-repeat", type=int, default=15)
    parser.add_argument("--engines", default="fast,queue")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also run the fast engine of this git revision (e.g. HEAD~3) for before/after",
    )
    parser.add_argument("--skip-command", action="store_true", help="only the simulation benchmark")
    args = parser.parse_args()
    bench_simulation(
        args.items,
        args.failures,
        args.workers,
        args.work_time_ns,
        args.repeat,
        [e for e in args.engines.split(",") if e],
        args.baseline,
    )
    if not args.skip_command:
        bench_command(args.command_repeat)


if __name__ == "__main__":
    main()
