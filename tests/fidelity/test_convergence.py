"""Convergence under churn and random faults: 100 seeds, each small (about 0.4 s).

For every seed the informer's cache, the handler's view and the replayed ``-o jsonl`` stream must
equal the sandbox's state once churn stops, and no handler may see MODIFIED or DELETED for a key
it was never told about. ``benchmarks/bench_watch.py --convergence N`` runs more seeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kmech.sandbox import Sandbox
from tests.fidelity.convergence import run_seed

SEEDS = 100


@pytest.fixture(scope="module")
def churn_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    """A sandbox of its own: bookmarks every 50 ms and a short event history, so bookmarks and
    410s happen within a small seed."""
    with Sandbox(bookmark_interval=0.05, history_size=100) as sb:
        yield sb, sb.write_kubeconfig(tmp_path_factory.mktemp("churn") / "kubeconfig")


@pytest.mark.parametrize("seed", range(SEEDS), ids=lambda s: f"seed-{s}")
def test_cache_and_jsonl_converge_to_the_server_state(churn_sandbox, seed: int) -> None:
    sb, kubeconfig = churn_sandbox
    sb.reset()
    result = run_seed(sb, kubeconfig, seed)
    assert result.converged, result
    assert result.problems == [], result
