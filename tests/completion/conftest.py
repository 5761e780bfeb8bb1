"""A kubeconfig with two contexts and a warm discovery cache (k3s 1.34) for completion tests.

The servers are unreachable on purpose (port 9 on 127.0.0.1, which refuses at once): whatever
a warm TAB offers must come from the caches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from kmech.completion.candidate import Candidate

SERVER = "https://127.0.0.1:9"
OTHER_SERVER = "https://127.0.0.2:9"

KUBECONFIG = f"""\
apiVersion: v1
kind: Config
current-context: kind-dev
clusters:
- name: kind-dev
  cluster: {{server: "{SERVER}"}}
- name: prod-eu
  cluster: {{server: "{OTHER_SERVER}"}}
users:
- name: dev-admin
  user: {{token: not-a-real-token}}
- name: prod-reader
  user: {{token: another-fake-token}}
contexts:
- name: kind-dev
  context: {{cluster: kind-dev, user: dev-admin, namespace: shop}}
- name: prod-eu
  context: {{cluster: prod-eu, user: prod-reader}}
"""


@dataclass(frozen=True)
class KubeEnv:
    kubeconfig: Path
    cache_root: Path


def values(found: list[Candidate], prefix: str = "") -> list[str]:
    """The values of ``found`` that start with ``prefix``, in order."""
    return [c.value for c in found if c.value.startswith(prefix)]


def age_files(folder: str | Path) -> None:
    """Date every file under ``folder`` back to 2001, long past any cache TTL."""
    old = 1_000_000_000
    for root, _dirs, files in os.walk(folder):
        for name in files:
            os.utime(os.path.join(root, name), (old, old))


def write_discovery_cache(folder: Path, cache_root: Path, server: str) -> None:
    """Write a saved discovery folder into kubectl's disk cache layout for ``server``."""
    from kmech.discovery.disk_cache import DiskCache, discovery_cache_dir
    from kmech.discovery.snapshot import load_discovery_folder

    docs = load_discovery_folder(folder)
    cache = DiskCache(discovery_cache_dir(cache_root, server))
    cache.write_groups(docs.group_list)
    for gv, rlist in docs.resource_lists.items():
        cache.write_resources(gv, rlist)


@pytest.fixture
def kube_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixtures_dir: Path) -> KubeEnv:
    """KUBECONFIG and KUBECACHEDIR set; the current context's server has a warm cache."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)
    cache_root = tmp_path / "cache"
    write_discovery_cache(fixtures_dir / "discovery" / "k3s-1.34", cache_root, SERVER)
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("KUBECACHEDIR", str(cache_root))
    return KubeEnv(kubeconfig, cache_root)
