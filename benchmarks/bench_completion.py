"""Latency of one TAB: ``kmech watch de`` against ``kubectl __complete get de``, warm cache.

Starts a sandbox, writes its kubeconfig, warms kubectl's discovery cache in a fresh cache dir
(``kubectl api-resources``), then times N completion requests of each tool as the shell would
run them (a new process each, same kubeconfig, same ``KUBECACHEDIR``), and prints the medians and
their ratio. Neither tool touches the network in the timed runs (the cache is fresh).

    python benchmarks/bench_completion.py [--runs 25] [--kmech ~/.local/bin/kmech]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_interleaved(
    commands: dict[str, tuple[list[str], dict[str, str]]], runs: int
) -> dict[str, tuple[float, str]]:
    """Run each command once per round, ``runs`` rounds, so load changes hit all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    outputs: dict[str, str] = {}
    for _ in range(runs):
        for name, (cmd, env) in commands.items():
            start = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            samples[name].append(time.perf_counter() - start)
            outputs[name] = proc.stdout
    return {name: (statistics.median(s), outputs[name]) for name, s in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument(
        "--kmech", help="the kmech program to time (default: kmech on PATH), e.g. a pipx install"
    )
    args = parser.parse_args()

    from kmech.sandbox import Sandbox

    kubectl = shutil.which("kubectl")
    kmech = args.kmech or shutil.which("kmech")
    if kubectl is None or kmech is None:
        sys.stderr.write("kubectl and kmech must be on PATH\n")
        return 1
    # pyenv and similar put shell-script shims on PATH; time the real programs.
    kubectl = _real(kubectl, "kubectl")
    kmech = kmech if args.kmech else _real(kmech, "kmech")

    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        kubeconfig = sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")
        cache = Path(tmp) / "cache"
        env = dict(os.environ)
        env.update(KUBECONFIG=str(kubeconfig), KUBECACHEDIR=str(cache), HOME=tmp)
        env.pop("NO_COLOR", None)
        subprocess.run([kubectl, "api-resources"], env=env, capture_output=True, check=True)

        kmech_env = dict(
            env, _KMECH_COMPLETE="complete_bash", COMP_WORDS="kmech watch de", COMP_CWORD="2"
        )
        # Warm both once (page cache, kmech's kubeconfig summary), untimed.
        subprocess.run([kmech], env=kmech_env, capture_output=True, check=False)
        subprocess.run(
            [kubectl, "__complete", "get", "de"], env=env, capture_output=True, check=False
        )
        typer_env = dict(kmech_env)
        python = _real(sys.executable, "python")
        requests_before = sandbox.request_count
        results = time_interleaved(
            {
                "kmech": ([kmech], kmech_env),
                "kubectl": ([kubectl, "__complete", "get", "de"], env),
                "typer": ([python, "-c", "from kmech.cli.app import main; main()"], typer_env),
                "python": ([python, "-c", "pass"], env),
            },
            args.runs,
        )
        requests = sandbox.request_count - requests_before

    kmech_median, kmech_out = results["kmech"]
    kubectl_median, kubectl_out = results["kubectl"]
    print(f"runs per command (interleaved):      {args.runs}")
    print(f"kmech   watch de  (fast path)        median {kmech_median * 1000:7.1f} ms")
    print(f"kubectl __complete get de            median {kubectl_median * 1000:7.1f} ms")
    print(f"ratio kmech / kubectl                {kmech_median / kubectl_median:7.2f}")
    print(f"for scale: typer's own completion    median {results['typer'][0] * 1000:7.1f} ms")
    print(f"for scale: python -c pass            median {results['python'][0] * 1000:7.1f} ms")
    print(f"requests to the server while timed:  {requests}")
    print(f"kmech offered:   {' '.join(kmech_out.split())}")
    kubectl_items = [line for line in kubectl_out.split() if not line.startswith(":")]
    print(f"kubectl offered: {' '.join(kubectl_items)}")
    return 0


def _real(path: str, name: str) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return path
    if head.startswith(b"#!") and b"bash" in head.split(b"\n", 1)[0]:
        try:
            proc = subprocess.run(
                ["pyenv", "which", name], capture_output=True, text=True, check=True
            )
            return proc.stdout.strip() or path
        except (OSError, subprocess.CalledProcessError):
            return path
    return path


if __name__ == "__main__":
    raise SystemExit(main())
