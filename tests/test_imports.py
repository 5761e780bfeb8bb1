"""Import weight: the library never drags in the CLI or HTTP stack, and help stays light.

Each check runs in a fresh interpreter (``sys.modules`` of this process is already full).
Upstream model: typer ``tests/test_rich_import.py``, click ``tests/test_imports.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY_FOR_LIBRARY = ("typer", "click", "rich", "kubernetes", "urllib3", "yaml")

PROBE = """
import json, sys
{body}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def loaded_top_modules(body: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    [
        "kmech",
        "kmech.errors",
        "kmech.mapper",
        "kmech.workqueue",
        "kmech.informers",
        "kmech.clock",
        "kmech.transport.options",
    ],
)
def test_library_imports_stay_light(module: str) -> None:
    loaded = loaded_top_modules(f"import {module}")
    assert loaded.isdisjoint(HEAVY_FOR_LIBRARY), sorted(loaded & set(HEAVY_FOR_LIBRARY))


RUN_CLI = """
import contextlib, io
from kmech.cli.app import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main({argv!r})
    except SystemExit:
        pass
"""


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--help"], id="kmech--help"),
        pytest.param(["backoff", "--help"], id="backoff--help"),
        pytest.param(["backoff"], id="backoff"),
        pytest.param(["version", "--client"], id="version--client"),
    ],
)
def test_help_never_loads_kubernetes(argv: list[str]) -> None:
    loaded = loaded_top_modules(RUN_CLI.format(argv=argv))
    assert "kubernetes" not in loaded
    assert "urllib3" not in loaded


def test_transport_client_loads_kubernetes_only_when_configuring() -> None:
    loaded = loaded_top_modules("import kmech.transport.client")
    assert "http" in loaded  # http.client: urllib3 is not used at all
    assert "urllib3" not in loaded
    assert "kubernetes" not in loaded
