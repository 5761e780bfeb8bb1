"""Benchmark: build the mapper from a 3,000-resource discovery (synthetic CRDs) and resolve names.

Target (issue 3): build + resolve, warm, under 100 ms. Prints medians over repeated runs and the
ratio of each figure to that 100 ms budget. The peer is kubectl itself, which cannot run without a
server here; the budget stands in for it.

    python benchmarks/bench_mapper.py [--resources 3000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from kmech.mapper import MapperError, build_rest_mapper, bundled_snapshot_dir, load_discovery_dir

BUDGET_MS = 100.0
NAMES = [
    "pods",
    "po",
    "deploy",
    "hpa.v1.autoscaling",
    "all",
    "widget0042s",
    "w42",
    "Thing30.crd1.example.com",
    "nosuchthing",
]


def synthetic(resources: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The k3s snapshot plus ``resources`` CRD resources in 100 groups with two versions each."""
    group_list, lists = load_discovery_dir(bundled_snapshot_dir())
    groups = list(group_list["groups"])
    per_group = max(1, resources // 200)
    count = 0
    g = 0
    while count < resources:
        name = f"crd{g}.example.com"
        versions = ["v1", "v1beta1"]
        groups.append(
            {
                "name": name,
                "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
                "preferredVersion": {"groupVersion": f"{name}/v1", "version": "v1"},
            }
        )
        for v in versions:
            items = []
            for i in range(per_group):
                n = count + i
                items.append(
                    {
                        "name": f"widget{n:04d}s",
                        "singularName": f"widget{n:04d}",
                        "namespaced": True,
                        "kind": f"Thing{n}",
                        "verbs": ["get", "list", "watch"],
                        "shortNames": [f"w{n}"],
                        "categories": ["synthetic"],
                    }
                )
                items.append(
                    {
                        "name": f"widget{n:04d}s/status",
                        "singularName": "",
                        "namespaced": True,
                        "kind": f"Thing{n}",
                        "verbs": ["get"],
                    }
                )
            lists[f"{name}/{v}"] = {
                "kind": "APIResourceList",
                "groupVersion": f"{name}/{v}",
                "resources": items,
            }
        count += per_group * len(versions)
        g += 1
    return {**group_list, "groups": groups}, lists


def median_ms(fn: Any, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time (this process) in ms.

    CPU time is the figure to trust on a busy machine: wall time also counts waiting for a core.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    group_list, lists = synthetic(args.resources)
    mapper = build_rest_mapper(group_list, lists)
    print(f"discovery: {mapper!r}")

    build = median_ms(lambda: build_rest_mapper(group_list, lists), args.repeat)

    def resolve_one() -> None:
        mapper.resolve("deploy")

    def resolve_all() -> None:
        for name in NAMES:
            try:
                mapper.resolve(name)
            except MapperError:
                pass  # the unknown name is part of the mix (its did-you-mean search included)

    def build_and_resolve() -> None:
        build_rest_mapper(group_list, lists).resolve("deploy")

    one = median_ms(resolve_one, args.repeat)
    many = median_ms(resolve_all, args.repeat)
    total = median_ms(build_and_resolve, args.repeat)
    for label, (wall, cpu) in [
        ("build", build),
        ("resolve 'deploy' (warm mapper)", one),
        (f"resolve {len(NAMES)} names (warm mapper)", many),
        ("build + resolve 'deploy'", total),
    ]:
        print(
            f"{label:<36} median wall {wall:8.2f} ms  cpu {cpu:8.2f} ms   "
            f"{cpu / BUDGET_MS:5.2f}x of the {BUDGET_MS:.0f} ms budget (cpu)"
        )


if __name__ == "__main__":
    main()
