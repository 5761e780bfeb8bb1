"""Named retry policies, each an expression in the ``--limiter`` language with its source.

client-go's own defaults are exact. The other projects' policies are written as the delays those
projects wait between attempts; where a project has no per-item state, the schedule shows what one
object (or one watch) would see.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Preset", "PRESETS", "preset_names"]


@dataclass(frozen=True, slots=True)
class Preset:
    """A named policy: the expression it stands for, a one-line summary and its source."""

    name: str
    expression: str
    summary: str
    source: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "default",
            "default",
            "client-go DefaultControllerRateLimiter: max(exp 5ms..1000s, bucket 10 qps burst 100)",
            # client-go util/workqueue/default_rate_limiters.go, DefaultTypedControllerRateLimiter
            "client-go util/workqueue/default_rate_limiters.go",
        ),
        Preset(
            "client-go",
            "default",
            "alias of default",
            "client-go util/workqueue/default_rate_limiters.go",
        ),
        Preset(
            "item-based",
            "item-based",
            "client-go DefaultItemBasedRateLimiter: exp 1ms..1000s",
            # client-go util/workqueue/default_rate_limiters.go, DefaultTypedItemBasedRateLimiter
            "client-go util/workqueue/default_rate_limiters.go",
        ),
        Preset(
            "reflector",
            # client-go tools/cache/reflector.go: wait.Backoff{800ms, Factor 2.0, Jitter 1.0,
            # Cap 30s, Steps ceil(30s/800ms) = 38}.DelayWithReset(clock, 2*time.Minute);
            # see shared/spec/informers.md §3.1.
            "backoff(duration=800ms,factor=2,jitter=1,steps=38,cap=30s,reset=2m)",
            "client-go reflector relist backoff: 0.8s x2 up to 30s, jitter 1.0, reset after 2m",
            "client-go tools/cache/reflector.go; apimachinery pkg/util/wait/backoff.go",
        ),
        Preset(
            "kopf",
            # nolar/kopf kopf/_cogs/configs/configuration.py, QueueingSettings.error_delays =
            # (1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610) seconds; the last delay
            # repeats forever ("30s after the 3rd, 4th, 5th errors and so on", docs/configuration).
            "seq(1s,1s,2s,3s,5s,8s,13s,21s,34s,55s,89s,144s,233s,377s,610s)",
            "kopf framework-error throttling (settings.queueing.error_delays), last delay repeats",
            "nolar/kopf kopf/_cogs/configs/configuration.py QueueingSettings.error_delays",
        ),
        Preset(
            "kopf-api",
            # nolar/kopf kopf/_cogs/configs/configuration.py, NetworkingSettings.error_backoffs =
            # (1, 1, 2, 3, 5, 8, 13, 21) seconds; after the last one the API error escalates
            # instead of retrying (docs/configuration.rst "Retrying of API errors").
            "seq(1s,1s,2s,3s,5s,8s,13s,21s,stop)",
            "kopf API-error retries (settings.networking.error_backoffs), then the error escalates",
            "nolar/kopf kopf/_cogs/configs/configuration.py NetworkingSettings.error_backoffs",
        ),
        Preset(
            "kopf-handler",
            # nolar/kopf kopf/_cogs/configs/configuration.py, ExecutionSettings.default_backoff =
            # 60 seconds for arbitrary handler errors (kopf.TemporaryError also defaults to 60 s).
            "seq(60s)",
            "kopf handler errors: retried every 60s (settings.execution.default_backoff)",
            "nolar/kopf kopf/_cogs/configs/configuration.py ExecutionSettings.default_backoff",
        ),
        Preset(
            "python-informer",
            # kubernetes-client/python kubernetes/informer/informer.py, SharedInformer._run_loop:
            # a failed list waits `self._stop_event.wait(timeout=5)`; watch errors reconnect at
            # once with no backoff (shared/spec/informers.md §8.2).
            "seq(5s)",
            "official Python client SharedInformer: fixed 5s after a failed list, no backoff",
            "kubernetes-client/python kubernetes/informer/informer.py SharedInformer._run_loop",
        ),
    )
}


def preset_names() -> list[str]:
    """Every preset name, in the order they are listed."""
    return list(PRESETS)
