"""A warm TAB loads only what it needs: no typer, rich, yaml, kubernetes or HTTP library."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import KubeEnv

PROBE = """
import json, os, sys
from kmech.completion.protocol import respond
for line in ("kmech watch de", "kmech --context ", "kmech backoff --limiter ", "kmech watch -o "):
    words = line.split(" ")
    env = dict(os.environ, COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    respond("complete_bash", env)
print(json.dumps(sorted(sys.modules)))
"""

FORBIDDEN = (
    "typer",
    "click",
    "rich",
    "yaml",
    "kubernetes",
    "urllib3",
    "http.client",
    "ssl",
    "dataclasses",
    "hashlib",
    "subprocess",
    "kmech.cli",
    "kmech.transport",
    "kmech.discovery",
    "kmech.mapper",
    "kmech.workqueue",
)


def test_warm_tab_imports(kube_env: KubeEnv) -> None:
    from kmech.completion.sources import candidates

    candidates("contexts", {})  # warm the kubeconfig summary, as the first TAB does
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=True,
    )
    loaded = json.loads(proc.stdout)
    heavy = [m for m in loaded if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)]
    assert heavy == []
