"""Property test: under random churn and faults the informer converges to the source's state.

A seeded run mutates objects while the source drops and breaks watches, expires them (410),
compacts its history, expires continue tokens, throttles (429 with Retry-After) and fails lists;
some seeds use the streaming list, some the DeltaFIFO queue.
After the churn stops, the informer's store must equal the source's state, and every handler's
stream must be coherent: never an update or delete for a key it has not been added, never an add
for a key it already holds, and its final view equal to the source.
"""

from __future__ import annotations

import random
import threading

import pytest

from kmech.clock import FakeClock
from kmech.informers import (
    Notification,
    NotificationType,
    QueueMode,
    ReflectorOptions,
    SharedIndexInformer,
    meta_namespace_key_func,
)
from kmech.informers.testing import (
    FakeControllerSource,
    connection_refused_error,
    internal_error,
    make_object,
    too_many_requests_error,
)
from tests.informers.conftest import ClockPump, wait_until

SEEDS = 40
OPERATIONS = 250


class CoherentHandler:
    """Replays notifications onto its own view and records any incoherence."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.view: dict[str, str] = {}
        self.violations: list[str] = []

    def on_notification(self, n: Notification) -> None:
        key = meta_namespace_key_func(n.object)
        with self.lock:
            if n.type is NotificationType.ADD:
                if key in self.view:
                    self.violations.append(f"add for live key {key} ({n.origin})")
                self.view[key] = n.new["metadata"]["resourceVersion"]
            elif n.type is NotificationType.UPDATE:
                if key not in self.view:
                    self.violations.append(f"update for unknown key {key} ({n.origin})")
                self.view[key] = n.new["metadata"]["resourceVersion"]
            else:
                if key not in self.view:
                    self.violations.append(f"delete for unknown key {key} ({n.origin})")
                self.view.pop(key, None)

    def snapshot(self) -> dict[str, str]:
        with self.lock:
            return dict(self.view)


def rvs(objects: dict) -> dict[str, str]:
    return {k: o["metadata"]["resourceVersion"] for k, o in objects.items()}


def churn(src: FakeControllerSource, rng: random.Random) -> None:
    names = [f"p{i}" for i in range(25)]
    for i in range(OPERATIONS):
        r = rng.random()
        name = rng.choice(names)
        ns = rng.choice(["a", "b"])
        if r < 0.45:
            src.modify(make_object(name, ns, labels={"step": str(i)}))
        elif r < 0.65:
            src.delete(f"{ns}/{name}")
        elif r < 0.70:
            src.drop_watches()
        elif r < 0.74:
            src.expire_watches(rng.choice(["Expired", "Gone"]))
        elif r < 0.78:
            src.compact()
        elif r < 0.81:
            src.break_watches()
        elif r < 0.84:
            src.fail_next_watches(
                rng.choice([too_many_requests_error(1), connection_refused_error()])
            )
        elif r < 0.87:
            src.fail_next_lists(rng.choice([too_many_requests_error(2), internal_error()]))
        elif r < 0.90:
            src.expire_continue_tokens()
        elif r < 0.93:
            src.bookmark()
        if rng.random() < 0.05:
            threading.Event().wait(0.001)  # let the informer catch up now and then


@pytest.mark.parametrize("seed", range(SEEDS))
def test_informer_converges_under_faults(seed):
    rng = random.Random(seed)
    clock = FakeClock()
    src = FakeControllerSource()
    for i in range(rng.randrange(0, 30)):
        src.add(make_object(f"p{i}", rng.choice(["a", "b"])))
    options = ReflectorOptions(page_size=rng.choice([0, 7]), use_watch_list=seed % 4 == 3)
    informer = SharedIndexInformer(
        src,
        name=f"conv{seed}",
        clock=clock,
        rng=random.Random(seed),
        reflector_options=options,
        queue_mode=QueueMode.DELTA_FIFO if seed % 5 == 1 else QueueMode.IN_ORDER,
    )
    early = CoherentHandler()
    informer.add_event_handler(early)
    late = CoherentHandler()
    with ClockPump(clock):
        informer.start()
        try:
            churn(src, rng)
            informer.add_event_handler(late)
            churn(src, rng)
            expected = rvs(src.state())
            assert wait_until(
                lambda: rvs(informer.indexer.thread_safe_store.snapshot()) == expected
            ), f"store never converged: {informer.stats()}"
            assert wait_until(lambda: early.snapshot() == expected)
            assert wait_until(lambda: late.snapshot() == expected)
        finally:
            informer.stop()
    assert early.violations == []
    assert late.violations == []
