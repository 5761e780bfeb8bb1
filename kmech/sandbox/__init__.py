"""A local Kubernetes API server for tests, demos and learning (``kmech sandbox``).

Standard library only: it shares data formats with the rest of kmech, not code paths. The
public surface is :class:`Sandbox` and the types its methods hand out.
"""

from __future__ import annotations

from kmech.sandbox.faults import Faults, ScriptedResponse, StatusFault, WatchFault, WatchFaultKind
from kmech.sandbox.sandbox import DEFAULT_NAMESPACES, Sandbox
from kmech.sandbox.server import RequestRecord
from kmech.sandbox.storage import EventType
from kmech.sandbox.tls import openssl_available

__all__ = [
    "DEFAULT_NAMESPACES",
    "EventType",
    "Faults",
    "RequestRecord",
    "Sandbox",
    "ScriptedResponse",
    "StatusFault",
    "WatchFault",
    "WatchFaultKind",
    "openssl_available",
]
