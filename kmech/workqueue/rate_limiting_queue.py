"""A delaying queue whose retry delays come from a :class:`RateLimiter`.

The controller loop: ``get`` an item; on success ``forget`` it; on a retryable error
``add_rate_limited`` it (often only while ``num_requeues`` is below a limit); and always call
``done``. ``forget`` only clears the limiter's memory of the item: the worker must still call
``done``, or the item stays "processing" forever.

Upstream: client-go ``util/workqueue/rate_limiting_queue.go``.
"""

from __future__ import annotations

from kmech.clock import Duration, PassiveClock
from kmech.workqueue.delaying_queue import DelayingQueue
from kmech.workqueue.metrics import MetricsProvider
from kmech.workqueue.queue import T
from kmech.workqueue.rate_limiters import RateLimiter

__all__ = ["RateLimitingQueue"]


class RateLimitingQueue(DelayingQueue[T]):
    """:class:`~kmech.workqueue.delaying_queue.DelayingQueue` plus a rate limiter.

    The queue's clock drives only the delays. Token buckets read the clock given to the
    limiter (upstream: always the wall clock), so a simulation passes the same virtual clock
    to both.

    Upstream: client-go ``util/workqueue/rate_limiting_queue.go``, rateLimitingType.
    """

    def __init__(
        self,
        rate_limiter: RateLimiter,
        *,
        name: str = "",
        metrics_provider: MetricsProvider | None = None,
        clock: PassiveClock | None = None,
        background: bool = True,
    ) -> None:
        super().__init__(
            name=name, metrics_provider=metrics_provider, clock=clock, background=background
        )
        self.rate_limiter = rate_limiter

    def add_rate_limited(self, item: T) -> Duration:
        """Add ``item`` after the delay the limiter chooses, and return that delay.

        The limiter is asked first and always, even during shutdown (so the failure count
        still grows when the add is then dropped). Returning the delay is a kmech extension.

        Upstream: client-go ``util/workqueue/rate_limiting_queue.go``, AddRateLimited.
        """
        delay = self.rate_limiter.when(item)
        self.add_after(item, delay)
        return delay

    def forget(self, item: T) -> None:
        """Make the limiter stop tracking ``item``. Does not touch the queue: still call done."""
        self.rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """The limiter's failure count for ``item``."""
        return self.rate_limiter.num_requeues(item)
