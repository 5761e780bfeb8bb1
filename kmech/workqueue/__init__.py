"""client-go's workqueue and rate limiters, exact to the nanosecond, and a simulator.

Upstream: client-go ``util/workqueue``, golang.org/x/time ``rate``, apimachinery
``pkg/util/wait``. Nothing here imports the CLI, the transport, rich or kubernetes.
"""

from __future__ import annotations

from kmech.workqueue.backoff import (
    Backoff,
    BackoffManager,
    WaitTimeoutError,
    exponential_backoff,
    jitter,
)
from kmech.workqueue.delaying_queue import DelayingQueue
from kmech.workqueue.expression import LimiterExpression, parse_limiter
from kmech.workqueue.metrics import InMemoryMetricsProvider, MetricsProvider, QueueMetricsSnapshot
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
from kmech.workqueue.simulate import SimulationConfig, SimulationResult, simulate
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
    "run_steps",
    "Schedule",
    "ScriptCall",
    "SequenceRateLimiter",
    "simulate",
    "SimulationConfig",
    "SimulationResult",
    "TokenBucket",
    "VirtualClock",
    "WaitTimeoutError",
    "WithMaxWaitRateLimiter",
]
