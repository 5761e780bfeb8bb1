"""Start-up cost of the kmech CLI: import time and wall time, medians over several runs.

Measures, each in a fresh interpreter:

- ``kmech --help`` and ``kmech backoff --help`` (must never import the kubernetes package);
- ``kmech version --client`` (no network, no kubeconfig);
- ``kmech version`` against a sandbox started by this script (reads a kubeconfig with static
  credentials, which needs urllib3 but not the kubernetes package).

"import" is the total of ``python -X importtime`` (the sum of the top-level cumulative times, in
ms); "wall" is the process's wall time; "cpu" its user+system CPU time, the steadiest figure on a
loaded machine. The peer is ``kubectl version --client`` (a Go binary,
when on PATH), printed as a ratio.

Usage: python benchmarks/bench_startup.py [--runs 11] [--python /path/to/python]
(``--python`` runs the CLI under another interpreter, e.g. a venv with another typer, with this
checkout on PYTHONPATH.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RUN_MAIN = "import sys; from kmech.cli.app import main; main(sys.argv[1:])"


def top_level_import_ms(stderr: str) -> float:
    """Sum of cumulative times of top-level imports (name column indented by exactly one space)."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) != 3 or "cumulative" in parts[1]:
            continue
        name = parts[2]
        if name.startswith(" ") and not name.startswith("  "):
            total += int(parts[1].strip())
    return total / 1000


def children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def measure(
    python: str, argv: list[str], env: dict[str, str], runs: int
) -> tuple[float, float, float, set[str]]:
    walls: list[float] = []
    cpus: list[float] = []
    imports: list[float] = []
    modules: set[str] = set()
    for _ in range(runs):
        start = time.perf_counter()
        cpu_start = children_cpu_ms()
        done = subprocess.run(
            [python, "-X", "importtime", "-c", RUN_MAIN, *argv],
            capture_output=True,
            text=True,
            env=env,
        )
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append(children_cpu_ms() - cpu_start)
        imports.append(top_level_import_ms(done.stderr))
        modules = {
            line.split("|")[2].strip().split(".")[0]
            for line in done.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2 and "cumulative" not in line
        }
    return statistics.median(imports), statistics.median(walls), statistics.median(cpus), modules


def wall_only(cmd: list[str], runs: int) -> float:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True)
        walls.append((time.perf_counter() - start) * 1000)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from kmech.sandbox import Sandbox

    # Byte-code caching on, as in any installed package (this sandbox's shell turns it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    sandbox = Sandbox().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")
            env["KUBECONFIG"] = str(kubeconfig)
            cases = [
                ("kmech --help", ["--help"]),
                ("kmech backoff --help", ["backoff", "--help"]),
                ("kmech version --client", ["version", "--client"]),
                ("kmech version (sandbox)", ["version"]),
            ]
            print(f"python: {args.python}  runs: {args.runs} (medians)")
            print(
                f"{'command':<26} {'import ms':>10} {'wall ms':>9} {'cpu ms':>8}  heavy modules loaded"
            )
            results = {}
            for label, argv in cases:
                imp, wall, cpu, modules = measure(args.python, argv, env, args.runs)
                heavy = sorted(modules & {"kubernetes", "urllib3", "rich", "pydantic", "yaml"})
                results[label] = wall
                print(
                    f"{label:<26} {imp:>10.1f} {wall:>9.1f} {cpu:>8.1f}  {', '.join(heavy) or '-'}"
                )
            kubectl = shutil.which("kubectl")
            if kubectl:
                peer = wall_only([kubectl, "version", "--client"], args.runs)
                ratio = results["kmech version --client"] / peer
                print(
                    f"{'kubectl version --client':<26} {'':>10} {peer:>9.1f}  (peer; kmech/kubectl = {ratio:.2f}x)"
                )
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
