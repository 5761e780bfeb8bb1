"""kmech: explore the Kubernetes API machinery that client-go users live with.

Importing ``kmech`` (or ``kmech.mapper``, ``kmech.workqueue``, ``kmech.informers``) loads nothing
heavy: no typer, rich, kubernetes or HTTP library. Those are imported lazily by the CLI and the
transport, on the paths that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
