"""Server-side Table and PartialObjectMetadata representations.

kubectl asks for ``as=Table;g=meta.k8s.io;v=v1`` and prints the columns the server chose; this
module is those choices: pods and deployments get kube-apiserver's columns (with the wide ones at
priority 1), namespaces and configmaps theirs, and every other resource NAME and AGE. Ages are
rendered the way apimachinery's ``duration.HumanDuration`` does.

Upstream: kubernetes ``pkg/printers/internalversion/printers.go`` (pod, deployment, namespace,
configmap handlers); apimachinery ``pkg/util/duration/duration.go`` (HumanDuration);
apiserver ``pkg/endpoints/handlers/response.go`` (asPartialObjectMetadata, asTable).
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable
from typing import Any

from kmech.duration import human_duration

__all__ = [
    "table_for",
    "partial_object_metadata",
    "partial_object_metadata_list",
]

_NAME_DESC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_AGE_DESC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
    "system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)


def _col(
    name: str, typ: str = "string", desc: str = "", priority: int = 0, fmt: str = ""
) -> dict[str, Any]:
    return {"name": name, "type": typ, "format": fmt, "description": desc, "priority": priority}


def _age(obj: dict[str, Any], now: float) -> str:
    stamp = (obj.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    try:
        created = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return "<unknown>"
    return human_duration(now - created)


def _none(value: Any) -> Any:
    return "<none>" if value in (None, "", []) else value


def _pod_row(obj: dict[str, Any], now: float) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    containers = spec.get("containers") or []
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    restarts = sum(int(c.get("restartCount") or 0) for c in statuses)
    reason = status.get("reason") or status.get("phase") or "Pending"
    for c in statuses:
        state = c.get("state") or {}
        waiting = (state.get("waiting") or {}).get("reason")
        terminated = (state.get("terminated") or {}).get("reason")
        if waiting:
            reason = waiting
        elif terminated:
            reason = terminated
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Terminating"
    gates = spec.get("readinessGates") or []
    return [
        obj["metadata"]["name"],
        f"{ready}/{len(containers)}",
        reason,
        str(restarts),
        _age(obj, now),
        _none(status.get("podIP")),
        _none(spec.get("nodeName")),
        _none(status.get("nominatedNodeName")),
        "<none>" if not gates else f"0/{len(gates)}",
    ]


def _deployment_row(obj: dict[str, Any], now: float) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    desired = spec.get("replicas", 1)
    return [
        obj["metadata"]["name"],
        f"{int(status.get('readyReplicas') or 0)}/{desired}",
        int(status.get("updatedReplicas") or 0),
        int(status.get("availableReplicas") or 0),
        _age(obj, now),
        _none(",".join(c.get("name", "") for c in containers)),
        _none(",".join(c.get("image", "") for c in containers)),
        _none(",".join(f"{k}={v}" for k, v in sorted(selector.items()))),
    ]


def _namespace_row(obj: dict[str, Any], now: float) -> list[Any]:
    phase = (obj.get("status") or {}).get("phase") or "Active"
    return [obj["metadata"]["name"], phase, _age(obj, now)]


def _configmap_row(obj: dict[str, Any], now: float) -> list[Any]:
    count = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [obj["metadata"]["name"], count, _age(obj, now)]


def _default_row(obj: dict[str, Any], now: float) -> list[Any]:
    return [obj["metadata"]["name"], _age(obj, now)]


_Row = Callable[[dict[str, Any], float], list[Any]]

_PRINTERS: dict[tuple[str, str], tuple[list[dict[str, Any]], _Row]] = {
    ("", "pods"): (
        [
            _col("Name", desc=_NAME_DESC, fmt="name"),
            _col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
            _col("Status", desc="The aggregate status of the containers in this pod."),
            _col(
                "Restarts",
                typ="string",
                desc="The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            ),
            _col("Age", desc=_AGE_DESC),
            _col(
                "IP",
                desc="IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                priority=1,
            ),
            _col(
                "Node", desc="NodeName indicates in which node this pod is scheduled.", priority=1
            ),
            _col(
                "Nominated Node",
                desc="nominatedNodeName is set when this pod preempts other pods on the node.",
                priority=1,
            ),
            _col(
                "Readiness Gates",
                desc="If specified, all readiness gates will be evaluated for pod readiness.",
                priority=1,
            ),
        ],
        _pod_row,
    ),
    ("apps", "deployments"): (
        [
            _col("Name", desc=_NAME_DESC, fmt="name"),
            _col("Ready", desc="Number of the pod with ready state"),
            _col(
                "Up-to-date",
                typ="integer",
                desc="Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            ),
            _col(
                "Available",
                typ="integer",
                desc="Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            ),
            _col("Age", desc=_AGE_DESC),
            _col("Containers", desc="Names of each container in the template.", priority=1),
            _col("Images", desc="Images referenced by each container in the template.", priority=1),
            _col(
                "Selector",
                desc="Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
                priority=1,
            ),
        ],
        _deployment_row,
    ),
    ("", "namespaces"): (
        [
            _col("Name", desc=_NAME_DESC, fmt="name"),
            _col("Status", desc="The status of the namespace"),
            _col("Age", desc=_AGE_DESC),
        ],
        _namespace_row,
    ),
    ("", "configmaps"): (
        [
            _col("Name", desc=_NAME_DESC, fmt="name"),
            _col("Data", typ="string", desc="Data contains the configuration data."),
            _col("Age", desc=_AGE_DESC),
        ],
        _configmap_row,
    ),
}

_DEFAULT: tuple[list[dict[str, Any]], _Row] = (
    [_col("Name", desc=_NAME_DESC, fmt="name"), _col("Age", desc=_AGE_DESC)],
    _default_row,
)


def partial_object_metadata(
    obj: dict[str, Any], api_version: str = "meta.k8s.io/v1"
) -> dict[str, Any]:
    """``PartialObjectMetadata`` for an object (a Status passes through unchanged)."""
    if obj.get("kind") == "Status":
        return obj
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": api_version,
        "metadata": obj.get("metadata") or {},
    }


def partial_object_metadata_list(
    items: list[dict[str, Any]], list_meta: dict[str, Any], api_version: str = "meta.k8s.io/v1"
) -> dict[str, Any]:
    """``PartialObjectMetadataList`` for a list's items."""
    return {
        "kind": "PartialObjectMetadataList",
        "apiVersion": api_version,
        "metadata": list_meta,
        "items": [partial_object_metadata(o, api_version) for o in items],
    }


def table_for(
    group: str,
    resource: str,
    objects: list[dict[str, Any]],
    *,
    list_meta: dict[str, Any],
    include_object: str = "Metadata",
    headers: bool = True,
    api_version: str = "meta.k8s.io/v1",
    now: float | None = None,
) -> dict[str, Any]:
    """A ``Table`` for ``objects``; ``headers=False`` leaves out the column definitions (what the
    server does after the first event of a watch). ``include_object``: Metadata, Object, None."""
    columns, row = _PRINTERS.get((group, resource), _DEFAULT)
    when = time.time() if now is None else now
    rows = []
    for obj in objects:
        entry: dict[str, Any] = {"cells": row(obj, when)}
        if include_object == "Object":
            entry["object"] = obj
        elif include_object != "None":
            entry["object"] = partial_object_metadata(obj)
        rows.append(entry)
    return {
        "kind": "Table",
        "apiVersion": api_version,
        "metadata": list_meta,
        "columnDefinitions": columns if headers else None,
        "rows": rows,
    }
