"""Shared pieces of the HTTP fidelity tests: a recording handler and a session over the sandbox."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kmech.clock import MILLISECOND, Duration
from kmech.dynamic.informer import WatchSession, resolve_targets
from kmech.informers.reflector import ReflectorOptions
from kmech.transport.client import RESTClient
from kmech.transport.options import ConnectionOptions

# Spec §9 test profile: backoff 10 ms .. 80 ms.
FAST = ReflectorOptions(
    backoff_initial=Duration(10 * MILLISECOND), backoff_cap=Duration(80 * MILLISECOND)
)
WAIT = 10.0  # safety-net timeout for every wait; tests normally finish far sooner


class Recorder:
    """Collects ``(type, origin, object)`` records; tests wait on predicates over them."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self.cache: dict[str, dict[str, Any]] = {}
        self.violations: list[str] = []

    def __call__(self, event_type: str, origin: str, obj: dict[str, Any]) -> None:
        meta = obj.get("metadata") or {}
        key = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
        with self._cond:
            if event_type in ("MODIFIED", "DELETED") and key not in self.cache:
                self.violations.append(f"{event_type} {key} before any ADDED")
            if event_type == "ADDED" and key in self.cache:
                self.violations.append(f"ADDED {key} twice without DELETED")
            if event_type == "DELETED":
                self.cache.pop(key, None)
            else:
                self.cache[key] = obj
            self.records.append((event_type, origin, obj))
            self._cond.notify_all()

    def wait(self, predicate: Callable[[Recorder], bool], timeout: float = WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def names(self) -> set[str]:
        with self._cond:
            return {k.split("/", 1)[1] for k in self.cache}

    def origins(self) -> list[str]:
        with self._cond:
            return [o for _, o, _ in self.records]


def client_for(kubeconfig: Path, **options: Any) -> RESTClient:
    return RESTClient.from_options(ConnectionOptions(kubeconfig=str(kubeconfig), **options))


def start_session(
    kubeconfig: Path,
    resources: str = "pods",
    *,
    namespace: str = "shop",
    reflector_options: ReflectorOptions = FAST,
    read_idle_timeout_seconds: float | None = 70.0,
    on_error: Callable[[BaseException], None] | None = None,
    **kwargs: Any,
) -> tuple[WatchSession, Recorder, RESTClient]:
    """A started session with one Recorder on its (single) target.

    ``on_error`` is set before the session starts, as WatchSession requires: set after
    ``start()``, it would miss the errors of a first request that fails at once."""
    client = client_for(kubeconfig)
    targets = resolve_targets(client, resources)
    session = WatchSession(
        client,
        targets,
        namespace=namespace,
        reflector_options=reflector_options,
        read_idle_timeout_seconds=read_idle_timeout_seconds,
        **kwargs,
    )
    rec = Recorder()
    session.add_handler(targets[0], rec)
    session.on_error = on_error
    session.start()
    return session, rec, client


def pod(name: str, *, labels: dict[str, str] | None = None, image: str = "nginx") -> dict:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"metadata": meta, "spec": {"containers": [{"name": "c", "image": image}]}}
