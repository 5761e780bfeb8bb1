"""The fast engine of :func:`kmech.workqueue.simulate.run_simulation`.

It runs the reference engine's event loop (:func:`kmech.workqueue.simulate._simulate_queue`,
which drives the real :class:`~kmech.workqueue.rate_limiting_queue.RateLimitingQueue`) with the
queue's bookkeeping inlined on integer item indices, and gives the same result to the bit: the
same limiter calls in the same order at the same virtual times, the same metrics (float sums
accumulated in the same order), the same records. The test suite compares the two engines.

What makes it fast, and why each shortcut is exact:

- Items are indices into flat lists and bytearrays (dirty, processing, add time)
  instead of strings in sets and dicts; names are only used to call a generic limiter and to
  record rows.
- Every processing lasts exactly ``work_time``, so processings finish in the order they start:
  the busy set is a FIFO, and the work-duration histogram observes one value ``processings``
  times (summed once at the end, in the same sequential float order).
- A queue latency of 0 (an item released and taken at the same instant, the common case) adds
  nothing to the histogram's sum or max: it is only counted.
- With ``work_time == 0`` every processing starts and ends within one instant, so an instant
  is a sequence of rounds: take ``k = min(idle workers, queue length)`` items (workers 0..k-1,
  lowest first, as the idle heap hands them out), finish them in order, repeat. Within a round
  the items are distinct, so taking and finishing each one in turn gives what "take all k,
  then finish all k" gives.
- The default controller limiter (``MaxOfRateLimiter`` of an ``ItemExponentialFailureRateLimiter``
  and a ``BucketRateLimiter`` on the simulation's clock) is evaluated inline: the exponential
  delays come from a table built by the limiter's own ``when`` (constant from failure 1025 on),
  and the token bucket's reservation is :meth:`~kmech.workqueue.token_bucket.TokenBucket.delay`
  inlined on local floats. The limiter objects' state (failure counts, bucket balance,
  ``last_decided_by``) is written back at the end, so the caller sees what the reference
  engine leaves behind. Any other limiter is called through its ``when``/``forget``.

An item is only ever waiting after a failure and only processed after its release, so it never
has two waiting entries: the "an entry already waits for this item" branch of ``add_after`` and
the superseded-entry skipping of ``release_due`` would never run, and are left out.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left
from collections import deque
from typing import TYPE_CHECKING

from kmech.workqueue._go import MAX_DURATION, TWO_63
from kmech.workqueue.metrics import (
    HISTOGRAM_BUCKETS_SECONDS,
    UNFINISHED_WORK_UPDATE_PERIOD,
    Histogram,
    QueueMetricsSnapshot,
)
from kmech.workqueue.rate_limiters import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
)
from kmech.workqueue.schedule import item_name
from kmech.workqueue.token_bucket import INF, TokenBucket
from kmech.workqueue.virtual_clock import VirtualClock

if TYPE_CHECKING:
    from kmech.workqueue.simulate import SimulationConfig, SimulationResult

__all__ = ["simulate_fast"]

_NEVER = 1 << 64
"""A release time later than any real one (the reference's ``None``)."""

_EXP_TABLE_SIZE = 1025
"""``2.0**exp`` is +Inf from exp 1024 on, so the exponential delay is constant from there."""


def _default_controller_parts(
    limiter: RateLimiter, clock: VirtualClock
) -> tuple[MaxOfRateLimiter, ItemExponentialFailureRateLimiter, BucketRateLimiter] | None:
    """The parts of a default-controller-shaped limiter the engine can evaluate inline, or None.

    Inline evaluation needs exactly ``MaxOf(exp, bucket)`` (these classes, not subclasses), an
    exponential limiter that tracks no item yet, and a bucket reading this simulation's virtual
    clock from time 0 or earlier (so the bucket's time is the simulation's ``now``).
    """
    if type(limiter) is not MaxOfRateLimiter or len(limiter.limiters) != 2:
        return None
    exp, bucket = limiter.limiters
    if type(exp) is not ItemExponentialFailureRateLimiter or exp._failures:  # noqa: SLF001
        return None
    if type(bucket) is not BucketRateLimiter or type(bucket.bucket) is not TokenBucket:
        return None
    if bucket.clock is not clock or type(clock) is not VirtualClock or clock.now() > 0:
        return None
    return limiter, exp, bucket


def _exp_table(exp: ItemExponentialFailureRateLimiter) -> list[int]:
    """Delay of failure ``k+1`` at index k, computed by a fresh limiter's own arithmetic."""
    twin = ItemExponentialFailureRateLimiter(exp.base_delay, exp.max_delay)
    return [twin.when(0) for _ in range(_EXP_TABLE_SIZE)]


def simulate_fast(
    limiter: RateLimiter, clock: VirtualClock, config: SimulationConfig
) -> SimulationResult:
    """Run the simulation; same contract and same result as the reference engine."""
    from kmech.workqueue.simulate import QUEUE_NAME, DepthSeries, Retry, SimulationResult

    k_items = config.items
    names = [item_name(i) for i in range(k_items)]
    rng = random.Random(config.seed)
    rand = rng.random
    fail_rate = config.fail_rate
    rated = fail_rate is not None
    rate = fail_rate if fail_rate is not None else 0.0
    cap = (
        config.max_failures
        if config.max_failures is not None
        else (None if fail_rate is not None else config.failures)
    )
    cap_n = cap if cap is not None else -1  # -1: no cap
    per_item = config.failures
    work_time = max(0, config.work_time)
    workers = config.workers
    record_limit = config.record_limit

    # The limiter: inline (default controller) or through its methods.
    parts = _default_controller_parts(limiter, clock)
    inline = parts is not None
    when = limiter.when
    forget = limiter.forget
    clock_set = clock.set
    exp_table: list[int] = []
    exp_last = 0
    expc: list[int] = []
    b_limit = 0.0
    b_burst = 0
    b_burst_f = 0.0
    b_tokens = 0.0
    b_last: int | None = None
    e = b = 0  # the children's most recent delays (for last_decided_by)
    if parts is not None:
        _, exp_lim, bucket_lim = parts
        exp_table = _exp_table(exp_lim)
        exp_last = exp_table[-1]
        expc = [0] * k_items
        tb = bucket_lim.bucket
        b_limit = tb._limit  # noqa: SLF001 - TokenBucket.delay is inlined below
        b_burst = tb._burst  # noqa: SLF001
        b_burst_f = float(b_burst)
        b_tokens = tb._tokens  # noqa: SLF001
        b_last = tb._last  # noqa: SLF001
    b_inf = b_limit == INF
    b_refills = b_limit > 0
    b_never = b_burst < 1  # the bucket refuses every reservation: InfDuration, no state change

    # Per-item state (Queue/DelayingQueue/QueueMetrics), indexed by item.
    failed = [0] * k_items
    dirty = bytearray(b"\x01") * k_items
    processing = bytearray(k_items)
    add_time = [0] * k_items  # -1: no add pending for the latency metric

    queue: deque[int] = deque(range(k_items))
    popleft = queue.popleft
    append = queue.append
    wheap: list[tuple[int, int, int]] = []
    wrun: deque[tuple[int, int, int]] = deque()
    wrun_append = wrun.append
    wrun_popleft = wrun.popleft
    wseq = 0
    nwait = 0

    # Metrics.
    bounds = HISTOGRAM_BUCKETS_SECONDS
    lat_counts = [0] * (len(bounds) + 1)
    lat_n = lat_zero = 0
    lat_sum = lat_max = 0.0
    adds = depth = depth_peak = k_items
    unf_peak = long_peak = 0.0
    next_tick = UNFINISHED_WORK_UPDATE_PERIOD
    period = UNFINISHED_WORK_UPDATE_PERIOD

    idle = list(range(workers))  # a heap: the lowest idle worker takes the next item
    busy: deque[tuple[int, int, int]] = deque()  # (finish_at, worker, item), in start order
    busy_append = busy.append
    busy_popleft = busy.popleft
    heappush = heapq.heappush
    heappop = heapq.heappop

    retries: list[Retry] = []
    recorded = 0
    depth_series = DepthSeries(config.depth_buckets)
    record_depth = depth_series.record
    bucket_end = -1
    bucket_peak = -1
    processings = failures = successes = gave_up = 0
    max_delay = sum_delays = 0
    peak_waiting = 0
    drain = 0
    now = 0
    # Module constants as locals: the loop below reads them on every failure.
    never = _NEVER
    max_duration = MAX_DURATION
    two_63 = TWO_63
    exp_n = _EXP_TABLE_SIZE
    t_release = never
    instant = work_time == 0
    if k_items and not inline:
        clock_set(0)  # the reference sets the clock before the first processing ends

    while True:
        # 1. Take items, move to the next instant, and count the processings ending now.
        if instant:
            if queue:
                # work_time == 0: one round of this instant. Its k items are taken and
                # finished in turn below (they are distinct, so this is "take all k, then
                # finish all k"); its depth is recorded as after the k takes.
                ending = len(queue)
                if ending > workers:
                    ending = workers
                qlen = len(queue) - ending
                if qlen > bucket_peak or now >= bucket_end:
                    record_depth(now, qlen)
                    width = depth_series.width
                    bucket_end = (now // width + 1) * width
                    bucket_peak = depth_series.peaks[now // width]
            else:
                if bucket_peak < 0 or now >= bucket_end:
                    # The reference records the (empty) queue once more before moving on.
                    record_depth(now, 0)
                    width = depth_series.width
                    bucket_end = (now // width + 1) * width
                    bucket_peak = depth_series.peaks[now // width]
                if t_release == never:
                    break
                now = t_release
                if not inline:
                    clock_set(now)
                if now >= next_tick:
                    # Nothing is in progress between instants: both gauges are set to 0.
                    next_tick = (now // period + 1) * period
                ending = 0
        else:
            while idle and queue:
                i = popleft()
                depth -= 1
                added = add_time[i]
                if added >= 0:
                    add_time[i] = -1
                    if added == now:
                        lat_zero += 1
                    else:
                        v = (now - added) / 1e9
                        lat_counts[bisect_left(bounds, v)] += 1
                        lat_n += 1
                        lat_sum += v
                        if v > lat_max:
                            lat_max = v
                processing[i] = 1
                dirty[i] = 0
                processings += 1
                busy_append((now + work_time, heappop(idle), i))
            qlen = len(queue)
            if qlen > bucket_peak or now >= bucket_end:
                record_depth(now, qlen)
                width = depth_series.width
                bucket_end = (now // width + 1) * width
                bucket_peak = depth_series.peaks[now // width]
            if busy:
                t_done = busy[0][0]
                now = t_release if t_release < t_done else t_done
            elif t_release == never:
                break
            else:
                now = t_release
            if not inline:
                clock_set(now)
            ending = 0
            for finish_at, _, _ in busy:  # start order, so finish order too
                if finish_at != now:
                    break
                ending += 1
            if now >= next_tick:
                total = oldest = 0.0
                for finish_at, _, _ in busy:  # start order, as QueueMetrics iterates
                    age = (now - (finish_at - work_time)) / 1e9
                    total += age
                    if age > oldest:
                        oldest = age
                if total > unf_peak:
                    unf_peak = total
                if oldest > long_peak:
                    long_peak = oldest
                next_tick = (now // period + 1) * period
        # 2. The processings ending now, in the order they started: fail or succeed.
        for worker in range(ending):
            if instant:
                # Queue.get with QueueMetrics.get (workers 0..k-1, as the idle heap hands them out)
                i = popleft()
                depth -= 1
                added = add_time[i]
                if added >= 0:
                    add_time[i] = -1
                    if added == now:
                        lat_zero += 1
                    else:
                        v = (now - added) / 1e9
                        lat_counts[bisect_left(bounds, v)] += 1
                        lat_n += 1
                        lat_sum += v
                        if v > lat_max:
                            lat_max = v
                dirty[i] = 0
                processings += 1
            else:
                _, worker, i = busy_popleft()
                # Queue.done's bookkeeping, early: nothing below reads it.
                processing[i] = 0
                heappush(idle, worker)
            n = failed[i]
            if rated:
                fails = rand() < rate and (cap_n < 0 or n < cap_n)
            else:
                fails = n < per_item
            if fails:
                n += 1
                failed[i] = n
                if inline:
                    # MaxOf(exp, bucket).when, inlined.
                    c = expc[i]
                    expc[i] = c + 1
                    e = exp_table[c] if c < exp_n else exp_last
                    if b_inf:
                        b = 0
                    elif b_never:
                        b = max_duration
                    else:
                        tokens = b_tokens
                        if b_last is not None and now > b_last and b_refills:
                            el = now - b_last
                            if el < 1_000_000_000:
                                tokens += (el / 1e9) * b_limit
                            else:
                                sec, nsec = divmod(el, 1_000_000_000)
                                tokens += (float(sec) + float(nsec) / 1e9) * b_limit
                            if tokens > b_burst_f:
                                tokens = b_burst_f
                        tokens -= 1
                        b_last = now
                        b_tokens = tokens
                        if tokens >= 0:
                            b = 0
                        elif not b_refills:
                            b = max_duration
                        else:
                            d = (-tokens / b_limit) * 1e9
                            if d > two_63:
                                b = max_duration
                            elif d == two_63:
                                b = 0
                            else:
                                b = int(d)
                    delay = e if e > 0 else 0
                    if b > delay:
                        delay = b
                else:
                    delay = when(names[i])
                # DelayingQueue.add_after
                if delay <= 0:
                    # Queue.add while processing: marked dirty, queued on done.
                    if not dirty[i]:
                        adds += 1
                        depth += 1
                        if depth > depth_peak:
                            depth_peak = depth
                        if add_time[i] < 0:
                            add_time[i] = now
                        dirty[i] = 1
                else:
                    ready = now + delay
                    nwait += 1
                    wseq += 1
                    if not wrun or ready >= wrun[-1][0]:
                        wrun_append((ready, wseq, i))
                    else:
                        heappush(wheap, (ready, wseq, i))
                    if ready < t_release and ready < max_duration:
                        t_release = ready
                failures += 1
                if delay == max_duration:
                    gave_up += 1
                else:
                    sum_delays += delay
                    if delay > max_delay:
                        max_delay = delay
                    drain = now
                if recorded < record_limit:
                    recorded += 1
                    retries.append(Retry(now, names[i], n, delay, worker))
            else:
                if inline:
                    expc[i] = 0
                else:
                    forget(names[i])
                successes += 1
                drain = now
            # Queue.done
            if dirty[i]:
                append(i)
        if nwait > peak_waiting:
            peak_waiting = nwait
        if t_release > now:
            continue
        # DelayingQueue.release_due. The waiting entries live in two structures ordered by
        # (ready, seq): `wrun`, a deque of entries that arrived in order (O(1); with a token
        # bucket in debt almost all of them do), and `wheap` for the rest. Their merged order
        # is the reference heap's order. (No entry is ever superseded: see the module doc.)
        t_release = never
        if not wheap:
            # The common case: every waiting entry is in `wrun`, in order.
            while wrun:
                ready, _, i = wrun[0]
                if ready > now:
                    if ready < max_duration:
                        t_release = ready
                    break
                wrun_popleft()
                nwait -= 1
                if not dirty[i]:
                    adds += 1
                    depth += 1
                    if depth > depth_peak:
                        depth_peak = depth
                    if add_time[i] < 0:
                        add_time[i] = now
                    dirty[i] = 1
                    if not processing[i]:
                        append(i)
            continue
        while True:
            if wrun:
                first = wrun[0]
                in_heap = bool(wheap) and wheap[0] < first
                if in_heap:
                    first = wheap[0]
            elif wheap:
                first = wheap[0]
                in_heap = True
            else:
                break
            ready, _, i = first
            if ready > now:
                if ready < max_duration:
                    t_release = ready
                break
            if in_heap:
                heappop(wheap)
            else:
                wrun_popleft()
            nwait -= 1
            # Queue.add
            if not dirty[i]:
                adds += 1
                depth += 1
                if depth > depth_peak:
                    depth_peak = depth
                if add_time[i] < 0:
                    add_time[i] = now
                dirty[i] = 1
                if not processing[i]:
                    append(i)

    if k_items:
        clock_set(now)  # the reference moves the clock to every instant it reaches
    if parts is not None:
        # Leave the limiter as the reference engine's calls would have.
        max_lim, exp_lim, bucket_lim = parts
        exp_lim._failures.update(  # noqa: SLF001
            (names[i], c) for i, c in enumerate(expc) if c
        )
        tb = bucket_lim.bucket
        tb._tokens = b_tokens  # noqa: SLF001
        tb._last = b_last  # noqa: SLF001
        if failures:  # one when() per failure
            max_lim.last_decided_by = bucket_lim if b > (e if e > 0 else 0) else exp_lim

    # The work-duration histogram: every processing observed exactly work_time.
    work = Histogram()
    if processings:
        wv = work_time / 1e9
        work.counts[bisect_left(bounds, wv)] = processings
        work.count = processings
        work.max = wv
        if wv:
            s = 0.0
            for _ in range(processings):
                s += wv
            work.sum = s
    latency = Histogram()
    lat_counts[0] += lat_zero
    latency.counts = lat_counts
    latency.count, latency.sum, latency.max = lat_n + lat_zero, lat_sum, lat_max
    snapshot = QueueMetricsSnapshot(
        name=QUEUE_NAME,
        depth=float(depth),
        depth_peak=float(depth_peak),
        adds_total=adds,
        retries_total=failures,
        queue_duration_seconds=latency.to_dict(),
        work_duration_seconds=work.to_dict(),
        # The final gauge update sees nothing in progress: both values are 0.
        unfinished_work_seconds=0.0,
        unfinished_work_seconds_peak=unf_peak,
        longest_running_processor_seconds=0.0,
        longest_running_processor_seconds_peak=long_peak,
    )
    return SimulationResult(
        config=config,
        limiter=str(limiter),
        drain_time_ns=drain,
        processings=processings,
        failures=failures,
        successes=successes,
        gave_up=gave_up,
        max_delay_ns=max_delay,
        sum_delays_ns=sum_delays,
        peak_depth=depth_peak,
        peak_waiting=peak_waiting,
        retries=retries,
        depth=depth_series,
        metrics=snapshot,
    )
