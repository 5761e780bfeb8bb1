"""Every reference schedule in shared/fixtures/backoff, reproduced through the library to the
nanosecond."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kmech.workqueue.backoff import Backoff
from kmech.workqueue.expression import parse_limiter
from kmech.workqueue.schedule import Schedule, run_instant, run_sequential, run_steps
from kmech.workqueue.virtual_clock import VirtualClock

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "backoff"


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def expression_for(limiter: dict[str, Any]) -> str:
    """The --limiter expression for a fixture's limiter block."""
    kind = limiter["type"]
    if kind == "default_controller":
        return "default"
    if kind == "default_item_based":
        return "item-based"
    if kind == "item_exponential_failure":
        return f"exp({limiter['base_delay_ns']}ns,{limiter['max_delay_ns']}ns)"
    if kind == "item_fast_slow":
        return (
            f"fastslow({limiter['fast_delay_ns']}ns,{limiter['slow_delay_ns']}ns,"
            f"{limiter['max_fast_attempts']})"
        )
    if kind == "bucket":
        return f"bucket({limiter['qps']},{limiter['burst']})"
    if kind == "max_of":
        return "max(" + ",".join(expression_for(c) for c in limiter["limiters"]) + ")"
    raise AssertionError(f"no expression for {kind}")


def run_fixture(data: dict[str, Any]) -> Schedule:
    clock = VirtualClock()
    if data["kind"] == "wait_backoff":
        b = data["backoff"]
        backoff = Backoff(
            duration=b["duration_ns"],
            factor=float(b["factor"]),
            jitter=float(b["jitter"]),
            steps=b["steps"],
            cap=b["cap_ns"],
        )
        return run_steps(backoff, clock, calls=data["params"]["calls"])
    limiter = parse_limiter(expression_for(data["limiter"])).build_limiter(clock)
    if data["driver"] == "sequential":
        return run_sequential(limiter, clock, failures=data["params"]["failures"])
    if data["driver"] == "instant":
        return run_instant(limiter, clock, items=data["params"]["items"])
    raise AssertionError(data["driver"])


FIELDS = ("seq", "t_ns", "item", "op", "delay_ns", "num_requeues_after")


def expected_calls(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in data["requests"]:
        row = {k: r.get(k) for k in FIELDS}
        if r["op"] == "step":
            row["duration_after_ns"] = r["duration_after_ns"]
            row["steps_after"] = r["steps_after"]
        out.append(row)
    return out


def actual_calls(schedule: Schedule, data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in schedule.calls:
        d = c.to_dict()
        row = {k: d.get(k) for k in FIELDS}
        if c.op == "step":
            row["duration_after_ns"] = c.duration_after_ns
            row["steps_after"] = c.steps_after
        out.append(row)
    return out


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_fixture_reproduced_exactly(path: Path) -> None:
    data = json.loads(path.read_text())
    schedule = run_fixture(data)
    assert actual_calls(schedule, data) == expected_calls(data)
    assert schedule.delays == data["delays_ns"]
    if data["kind"] == "rate_limiter":
        summary = schedule.summary()
        for key, value in data["summary"].items():
            assert summary[key] == value, key


def test_fixture_directory_is_not_empty() -> None:
    assert len(fixture_files()) == 6
