"""Helpers for the informer tests: a recording handler, a scripted ListerWatcher, clock pumps."""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from kmech.clock import SECOND, Duration, FakeClock
from kmech.errors import KmechError
from kmech.informers import (
    ListOptions,
    ListResult,
    Notification,
    NotificationType,
    SharedIndexInformer,
    TraceEvent,
    TraceKind,
    WatchEvent,
)

_MINUTE = Duration(60 * SECOND)
SAFETY_TIMEOUT = 10.0  # seconds; a safety net only, never expected to elapse


def wait_until(pred: Callable[[], bool], timeout: float = SAFETY_TIMEOUT) -> bool:
    """Wait (real time, on an Event) until ``pred()`` holds; False when the safety net trips."""
    ev = threading.Event()
    deadline = timeout
    step = 0.002
    waited = 0.0
    while waited < deadline:
        if pred():
            return True
        ev.wait(step)
        waited += step
    return pred()


def name_of(obj: Any) -> str:
    if hasattr(obj, "key"):
        return f"tomb:{obj.key}"
    return obj["metadata"]["name"]


def rv_of(obj: Any) -> str:
    return obj["metadata"].get("resourceVersion", "")


class Recorder:
    """A NotificationHandler that records every notification."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.notifications: list[Notification] = []

    def on_notification(self, notification: Notification) -> None:
        with self.cond:
            self.notifications.append(notification)
            self.cond.notify_all()

    def wait_for(self, count: int, timeout: float = SAFETY_TIMEOUT) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.notifications) >= count, timeout)

    def summary(self) -> list[tuple[str, str, str]]:
        """(type, origin, name) per notification; deletes of tombstones show ``tomb:key``."""
        with self.cond:
            return [(n.type.value, n.origin.value, name_of(n.object)) for n in self.notifications]

    def clear(self) -> None:
        with self.cond:
            self.notifications.clear()


class TraceLog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[TraceEvent] = []

    def __call__(self, event: TraceEvent) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, kind: TraceKind) -> list[TraceEvent]:
        with self.lock:
            return [e for e in self.events if e.kind is kind]


@dataclass
class WatchScript:
    """Events (or exceptions) a scripted watch yields, then ``end``: "close" or "hang"."""

    events: list[WatchEvent | KmechError] = field(default_factory=list)
    end: str = "close"


class ScriptedWatch:
    def __init__(self, script: WatchScript) -> None:
        self.script = script
        self.stopped = threading.Event()

    def __iter__(self) -> Iterator[WatchEvent]:
        for item in self.script.events:
            if self.stopped.is_set():
                return
            if isinstance(item, KmechError):
                raise item
            yield item
        if self.script.end == "hang":
            self.stopped.wait(SAFETY_TIMEOUT)

    def stop(self) -> None:
        self.stopped.set()


class ScriptedLW:
    """A ListerWatcher answering from scripts; when a script runs out, watches hang until stopped."""

    def __init__(
        self,
        lists: list[ListResult | KmechError] | None = None,
        watches: list[WatchScript | KmechError] | None = None,
    ) -> None:
        self.lists: deque[ListResult | KmechError] = deque(lists or [])
        self.watches: deque[WatchScript | KmechError] = deque(watches or [])
        self.requests: list[tuple[str, ListOptions]] = []
        self.cond = threading.Condition()
        self.open: list[ScriptedWatch] = []

    def list(self, options: ListOptions) -> ListResult:
        with self.cond:
            self.requests.append(("list", options))
            self.cond.notify_all()
            item = self.lists.popleft() if self.lists else ListResult([], "1")
        if isinstance(item, KmechError):
            raise item
        return item

    def watch(self, options: ListOptions) -> ScriptedWatch:
        with self.cond:
            self.requests.append(("watch", options))
            self.cond.notify_all()
            item = self.watches.popleft() if self.watches else WatchScript(end="hang")
        if isinstance(item, KmechError):
            raise item
        w = ScriptedWatch(item)
        self.open.append(w)
        return w

    def wait_requests(self, count: int, timeout: float = SAFETY_TIMEOUT) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.requests) >= count, timeout)

    def verbs(self) -> list[str]:
        with self.cond:
            return [v for v, _ in self.requests]


def ev(etype: str, name: str, rv: str, namespace: str = "default", **extra: Any) -> WatchEvent:
    from kmech.informers import EventType

    md: dict[str, Any] = {"name": name, "resourceVersion": rv}
    if namespace:
        md["namespace"] = namespace
    obj: dict[str, Any] = {"metadata": md, **extra}
    return WatchEvent(EventType(etype), obj)


def obj(name: str, rv: str, namespace: str = "default", **extra: Any) -> dict[str, Any]:
    return ev("ADDED", name, rv, namespace, **extra).object


def step_when_waiting(clock: FakeClock, d: Duration, timeout: float = SAFETY_TIMEOUT) -> None:
    """Wait until some thread blocks on ``clock``, then move it by ``d``."""
    assert wait_until(clock.has_waiters, timeout), "nobody waited on the fake clock"
    clock.step(d)


class ClockPump:
    """Steps a FakeClock by ``step`` whenever a thread waits on it (background thread)."""

    def __init__(self, clock: FakeClock, step: Duration = _MINUTE) -> None:
        self.clock = clock
        self.step = step
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="test:clock-pump", daemon=True)

    def _run(self) -> None:
        while not self.done.wait(0.001):
            if self.clock.has_waiters():
                self.clock.step(self.step)

    def __enter__(self) -> ClockPump:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_informer(clock: FakeClock) -> Iterator[Callable[..., SharedIndexInformer]]:
    made: list[SharedIndexInformer] = []

    def factory(lw: Any, **kwargs: Any) -> SharedIndexInformer:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("rng", random.Random(7))
        kwargs.setdefault("name", "pods")
        informer = SharedIndexInformer(lw, **kwargs)
        made.append(informer)
        return informer

    yield factory
    for informer in made:
        informer.stop(timeout_seconds=SAFETY_TIMEOUT)


__all__ = [
    "ClockPump",
    "NotificationType",
    "Recorder",
    "ScriptedLW",
    "TraceLog",
    "WatchScript",
    "ev",
    "obj",
    "rv_of",
    "name_of",
    "step_when_waiting",
    "wait_until",
]
