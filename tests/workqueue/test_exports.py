"""The public surface of kmech.workqueue, and what importing it (or running the command) loads."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types

import kmech.workqueue

EXPECTED = {
    "Backoff",
    "BackoffManager",
    "BucketRateLimiter",
    "Call",
    "CallOp",
    "DelayingQueue",
    "INF",
    "InMemoryMetricsProvider",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "LimiterExpression",
    "MaxOfRateLimiter",
    "MetricsProvider",
    "PRESETS",
    "Pattern",
    "Preset",
    "Queue",
    "QueueMetricsSnapshot",
    "RateLimiter",
    "RateLimitingQueue",
    "Reservation",
    "Schedule",
    "ScriptCall",
    "SequenceRateLimiter",
    "SimulationConfig",
    "SimulationResult",
    "TokenBucket",
    "VirtualClock",
    "WaitTimeoutError",
    "WithMaxWaitRateLimiter",
    "default_controller_rate_limiter",
    "default_item_based_rate_limiter",
    "exponential_backoff",
    "jitter",
    "load_script",
    "parse_limiter",
    "run_instant",
    "run_rounds",
    "run_script",
    "run_sequential",
    "run_steps",
    "run_simulation",
}


def test_all_is_pinned() -> None:
    assert set(kmech.workqueue.__all__) == EXPECTED
    importlib.import_module("kmech.workqueue.simulate")  # binds the submodule on the package

    for name in kmech.workqueue.__all__:
        value = getattr(kmech.workqueue, name)
        assert not isinstance(value, types.ModuleType), name


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


HEAVY = {"kubernetes", "urllib3", "rich", "typer"}


def test_library_import_is_light() -> None:
    loaded = loaded_after("import kmech.workqueue")
    assert not {m.split(".")[0] for m in loaded} & HEAVY


def test_command_loads_neither_kubernetes_nor_urllib3_nor_rich() -> None:
    code = (
        "import io, contextlib\n"
        "from kmech.cli.app import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        "        main(['backoff', '--failures', '20'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    try:\n"
        "        main(['backoff', '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    roots = {m.split(".")[0] for m in loaded_after(code)}
    assert not roots & {"kubernetes", "urllib3", "rich"}
