"""Completion against the sandbox, through the real kubeconfig and HTTP path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kmech.completion.sources import candidates

from .conftest import age_files, values


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("KUBECACHEDIR", str(root))
    return root


def test_cold_cache_one_discovery_then_no_request(sb, kubeconfig, cache_root: Path) -> None:
    assert values(candidates("watchable_resources", {}), "de") == [
        "deletingpolicies",
        "deletingpolicies.policies.kyverno.io",
        "deploy",
        "deployments",
        "deployments.apps",
        "deviceclasses",
        "deviceclasses.resource.k8s.io",
    ]
    assert sb.request_count > 0
    assert (cache_root / "discovery").is_dir()
    sb.clear_requests()
    assert "deployments.apps" in values(candidates("resources", {}))
    assert sb.request_count == 0


def test_namespaces_listed_cached_and_refreshed(sb, kubeconfig, cache_root: Path) -> None:
    sb.create("configmaps", {"metadata": {"name": "c"}}, namespace="shop")
    found = values(candidates("namespaces", {}))
    assert "shop" in found and "default" in found
    sb.clear_requests()
    sb.create("configmaps", {"metadata": {"name": "c"}}, namespace="payments")
    # Within the TTL the cached list answers, without a request.
    assert "payments" not in values(candidates("namespaces", {}))
    assert sb.request_count == 0


def test_kmech_script_completes_over_the_sandbox(sb, kubeconfig, cache_root: Path) -> None:
    sb.create("configmaps", {"metadata": {"name": "c"}}, namespace="shop")
    env = dict(os.environ)
    env.update(_KMECH_COMPLETE="complete_bash", COMP_WORDS="kmech watch -n s", COMP_CWORD="3")
    proc = subprocess.run(
        [sys.executable, "-c", "from kmech.completion.entry import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "shop\n", "")


def test_refresh_process_updates_the_cache(sb, kubeconfig, cache_root: Path) -> None:
    from kmech.completion import namespaces as ns

    path = ns.cache_file(str(cache_root), sb.url, "sandbox")  # the kubeconfig user
    ns.store(path, ["old"], wall_clock=lambda: 0.0)
    sb.create("configmaps", {"metadata": {"name": "c"}}, namespace="payments")
    # What a TAB on an expired cache starts, run here to completion.
    proc = subprocess.run(
        [sys.executable, "-m", "kmech.completion.refresh", "namespaces", "{}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    names, fresh = ns.cached_namespaces(path) or ([], False)
    assert fresh and "payments" in names and "old" not in names
    assert not os.path.exists(path + ".refreshing")


def test_refresh_rewrites_expired_discovery(sb, kubeconfig, cache_root: Path) -> None:
    from kmech.completion.resources import discovery_dir, read_cached_resources
    from kmech.completion.sources import refresh_discovery

    assert refresh_discovery({}) is True
    directory = discovery_dir(str(cache_root), sb.url)
    age_files(directory)
    assert (read_cached_resources(directory) or ([], True))[1] is False
    assert refresh_discovery({}) is True
    entries, fresh = read_cached_resources(directory) or ([], False)
    assert fresh and any(e.name == "deployments" for e in entries)
