"""client-go's workqueue and rate limiters, exact to the nanosecond, and a simulator.

Upstream: client-go ``util/workqueue``, golang.org/x/time ``rate``, apimachinery
``pkg/util/wait``. Nothing here imports the CLI, the transport, rich or kubernetes. Submodules
load on first use of a name (PEP 562), so ``kmech backoff`` pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kmech.workqueue.backoff import (
        Backoff,
        BackoffManager,
        WaitTimeoutError,
        exponential_backoff,
        jitter,
    )
    from kmech.workqueue.delaying_queue import DelayingQueue
    from kmech.workqueue.expression import LimiterExpression, parse_limiter
    from kmech.workqueue.metrics import (
        InMemoryMetricsProvider,
        MetricsProvider,
        QueueMetricsSnapshot,
    )
    from kmech.workqueue.presets import PRESETS, Preset
    from kmech.workqueue.queue import Queue
    from kmech.workqueue.rate_limiters import (
        BucketRateLimiter,
        ItemExponentialFailureRateLimiter,
        ItemFastSlowRateLimiter,
        MaxOfRateLimiter,
        RateLimiter,
        SequenceRateLimiter,
        WithMaxWaitRateLimiter,
        default_controller_rate_limiter,
        default_item_based_rate_limiter,
    )
    from kmech.workqueue.rate_limiting_queue import RateLimitingQueue
    from kmech.workqueue.schedule import (
        Call,
        CallOp,
        Pattern,
        Schedule,
        ScriptCall,
        load_script,
        run_instant,
        run_rounds,
        run_script,
        run_sequential,
        run_steps,
    )
    from kmech.workqueue.simulate import SimulationConfig, SimulationResult, run_simulation
    from kmech.workqueue.token_bucket import INF, Reservation, TokenBucket
    from kmech.workqueue.virtual_clock import VirtualClock

__all__ = [
    "Backoff",
    "BackoffManager",
    "BucketRateLimiter",
    "Call",
    "CallOp",
    "default_controller_rate_limiter",
    "default_item_based_rate_limiter",
    "DelayingQueue",
    "exponential_backoff",
    "INF",
    "InMemoryMetricsProvider",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "jitter",
    "LimiterExpression",
    "load_script",
    "MaxOfRateLimiter",
    "MetricsProvider",
    "parse_limiter",
    "Pattern",
    "Preset",
    "PRESETS",
    "Queue",
    "QueueMetricsSnapshot",
    "RateLimiter",
    "RateLimitingQueue",
    "Reservation",
    "run_instant",
    "run_rounds",
    "run_script",
    "run_sequential",
    "run_simulation",
    "run_steps",
    "Schedule",
    "ScriptCall",
    "SequenceRateLimiter",
    "SimulationConfig",
    "SimulationResult",
    "TokenBucket",
    "VirtualClock",
    "WaitTimeoutError",
    "WithMaxWaitRateLimiter",
]

_SOURCES: dict[str, str] = {
    "Backoff": "kmech.workqueue.backoff",
    "BackoffManager": "kmech.workqueue.backoff",
    "BucketRateLimiter": "kmech.workqueue.rate_limiters",
    "Call": "kmech.workqueue.schedule",
    "CallOp": "kmech.workqueue.schedule",
    "default_controller_rate_limiter": "kmech.workqueue.rate_limiters",
    "default_item_based_rate_limiter": "kmech.workqueue.rate_limiters",
    "DelayingQueue": "kmech.workqueue.delaying_queue",
    "exponential_backoff": "kmech.workqueue.backoff",
    "INF": "kmech.workqueue.token_bucket",
    "InMemoryMetricsProvider": "kmech.workqueue.metrics",
    "ItemExponentialFailureRateLimiter": "kmech.workqueue.rate_limiters",
    "ItemFastSlowRateLimiter": "kmech.workqueue.rate_limiters",
    "jitter": "kmech.workqueue.backoff",
    "LimiterExpression": "kmech.workqueue.expression",
    "load_script": "kmech.workqueue.schedule",
    "MaxOfRateLimiter": "kmech.workqueue.rate_limiters",
    "MetricsProvider": "kmech.workqueue.metrics",
    "parse_limiter": "kmech.workqueue.expression",
    "Pattern": "kmech.workqueue.schedule",
    "Preset": "kmech.workqueue.presets",
    "PRESETS": "kmech.workqueue.presets",
    "Queue": "kmech.workqueue.queue",
    "QueueMetricsSnapshot": "kmech.workqueue.metrics",
    "RateLimiter": "kmech.workqueue.rate_limiters",
    "RateLimitingQueue": "kmech.workqueue.rate_limiting_queue",
    "Reservation": "kmech.workqueue.token_bucket",
    "run_instant": "kmech.workqueue.schedule",
    "run_rounds": "kmech.workqueue.schedule",
    "run_script": "kmech.workqueue.schedule",
    "run_sequential": "kmech.workqueue.schedule",
    "run_steps": "kmech.workqueue.schedule",
    "Schedule": "kmech.workqueue.schedule",
    "ScriptCall": "kmech.workqueue.schedule",
    "SequenceRateLimiter": "kmech.workqueue.rate_limiters",
    "run_simulation": "kmech.workqueue.simulate",
    "SimulationConfig": "kmech.workqueue.simulate",
    "SimulationResult": "kmech.workqueue.simulate",
    "TokenBucket": "kmech.workqueue.token_bucket",
    "VirtualClock": "kmech.workqueue.virtual_clock",
    "WaitTimeoutError": "kmech.workqueue.backoff",
    "WithMaxWaitRateLimiter": "kmech.workqueue.rate_limiters",
}


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
