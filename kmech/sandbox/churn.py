"""Background churn: pods and deployments created, changed and deleted at a steady rate, so a
sandbox has something to watch (``kmech sandbox --churn RATE``).

The population stays bounded (about ``pods`` pods and ``deployments`` deployments in one
namespace): below the target an operation creates, at the target it updates (two in three) or
deletes. Pods move through Pending, Running and back, gain restarts and change a label;
deployments scale and report ready replicas. Every operation is one store write, hence one
watch event. Runs in a daemon thread named ``sandbox-churn`` and stops on :meth:`Churn.stop`.
"""

from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING, Any

from kmech.errors import APIStatusError
from kmech.sandbox.storage import ResourceKey

if TYPE_CHECKING:
    from kmech.sandbox.sandbox import Sandbox

__all__ = ["Churn"]

_TICK = 0.01  # seconds between bursts; high rates are met with several writes per tick


class Churn:
    """Writes ``rate`` objects per second into ``namespace`` of ``sandbox`` until stopped."""

    def __init__(
        self,
        sandbox: Sandbox,
        rate: float,
        *,
        namespace: str = "default",
        pods: int = 20,
        deployments: int = 5,
        seed: int | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("churn rate must be positive")
        self.sandbox = sandbox
        self.rate = rate
        self.namespace = namespace
        self.targets = {"pods": pods, "deployments": deployments}
        self.random = random.Random(seed)
        self.operations = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._serial = 0

    def start(self) -> Churn:
        """Start the churn thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-churn", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop and join the thread (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        begin = time.monotonic()
        while not self._stop.is_set():
            due = int((time.monotonic() - begin) * self.rate) - self.operations
            for _ in range(max(due, 0)):
                self.step()
            self._stop.wait(_TICK if due <= 0 else 0)

    def step(self) -> None:
        """One write (create, update or delete of a pod or deployment)."""
        resource = "pods" if self.random.random() < 0.75 else "deployments"
        group = "" if resource == "pods" else "apps"
        _, items = self.sandbox.storage.list_items(ResourceKey(group, resource), self.namespace)
        existing = [obj for _, obj in items]
        try:
            if len(existing) < self.targets[resource]:
                self._create(resource, group)
            elif self.random.random() < 2 / 3:
                self._update(resource, group, self.random.choice(existing))
            else:
                victim = self.random.choice(existing)
                self.sandbox.delete(
                    resource, victim["metadata"]["name"], namespace=self.namespace, group=group
                )
        except APIStatusError:
            pass  # raced with a test or another writer; the next step tries again
        self.operations += 1

    def _create(self, resource: str, group: str) -> None:
        self._serial += 1
        app = self.random.choice(("web", "api", "worker"))
        if resource == "pods":
            obj: dict[str, Any] = {
                "metadata": {
                    "name": f"{app}-{self._serial:05d}",
                    "labels": {"app": app, "churn": "true"},
                },
                "spec": {
                    "containers": [{"name": app, "image": f"example/{app}:1"}],
                    "nodeName": "sandbox-node",
                },
                "status": {"phase": "Pending"},
            }
        else:
            obj = {
                "metadata": {
                    "name": f"{app}-{self._serial:05d}",
                    "labels": {"app": app, "churn": "true"},
                },
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": app}},
                    "template": {
                        "metadata": {"labels": {"app": app}},
                        "spec": {"containers": [{"name": app, "image": f"example/{app}:1"}]},
                    },
                },
                "status": {
                    "replicas": 0,
                    "readyReplicas": 0,
                    "updatedReplicas": 0,
                    "availableReplicas": 0,
                },
            }
        self.sandbox.create(resource, obj, namespace=self.namespace, group=group)

    def _update(self, resource: str, group: str, obj: dict[str, Any]) -> None:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "resourceVersion"}
        if resource == "pods":
            running = (obj.get("status") or {}).get("phase") != "Running"
            restarts = int(self.random.random() < 0.2)
            prior = ((obj.get("status") or {}).get("containerStatuses") or [{}])[0].get(
                "restartCount", 0
            )
            obj["status"] = {
                "phase": "Running" if running else "Pending",
                "podIP": f"10.42.0.{self.random.randint(2, 254)}" if running else None,
                "containerStatuses": [
                    {
                        "name": obj["spec"]["containers"][0]["name"],
                        "ready": running,
                        "restartCount": prior + restarts,
                    }
                ],
            }
            labels = dict(obj["metadata"].get("labels") or {})
            labels["generation"] = str(self.random.randint(1, 9))
            obj["metadata"]["labels"] = labels
        else:
            replicas = self.random.randint(1, 4)
            ready = self.random.randint(0, replicas)
            obj["spec"] = dict(obj["spec"], replicas=replicas)
            obj["status"] = {
                "replicas": replicas,
                "readyReplicas": ready,
                "updatedReplicas": replicas,
                "availableReplicas": ready,
            }
        self.sandbox.update(resource, obj, namespace=self.namespace, group=group)
