"""Turn ``kmech watch`` arguments (``deploy``, ``pods,deployments.apps``) into watch targets.

Owns :class:`WatchTarget` (GVR, kind, scope) and :func:`resolve_targets`. Resolution goes through
the RESTMapper of ``kmech resolve`` over the server's discovery; every target must support
``list`` and ``watch``.

Upstream: cli-runtime ``pkg/resource/builder.go`` (resourceTupleMappings: one mapping per
comma-separated name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kmech.errors import MapperError, UsageError
from kmech.mapper.schema import GroupVersionResource

if TYPE_CHECKING:
    from kmech.discovery.client import DiscoveryDocuments

__all__ = ["WatchTarget", "resolve_targets", "targets_from_documents"]


@dataclass(frozen=True, slots=True)
class WatchTarget:
    """One resource to watch: its GVR, its kind and whether it is namespaced."""

    gvr: GroupVersionResource
    kind: str
    namespaced: bool = True

    def __str__(self) -> str:
        """``resource[.group]`` as kubectl names it (``pods``, ``deployments.apps``)."""
        g = self.gvr.group
        return f"{self.gvr.resource}.{g}" if g else self.gvr.resource

    @property
    def is_secret(self) -> bool:
        """Core Secrets: their values are redacted in output."""
        return self.gvr.group == "" and self.gvr.resource == "secrets"


def resolve_targets(client: Any, text: str) -> list[WatchTarget]:
    """Resolve a comma-separated list of names against the server's discovery.

    Raises UsageError for an empty name, MapperError (exit 3) for a name that matches nothing or
    a resource that cannot be listed and watched.
    """
    from kmech.discovery import HTTPDiscoveryClient

    names = [n.strip() for n in text.split(",")]
    if not names or any(not n for n in names):
        raise UsageError(f"empty resource name in {text!r}: use RESOURCE[,RESOURCE...]")
    documents = HTTPDiscoveryClient(client).server_groups_and_resources()
    return targets_from_documents(documents, names)


def targets_from_documents(
    documents: DiscoveryDocuments, names: Iterable[str]
) -> list[WatchTarget]:
    """Resolve ``names`` against discovery documents (see :func:`resolve_targets`)."""
    from kmech.mapper import build_rest_mapper

    mapper = build_rest_mapper(documents.group_list, documents.resource_lists)
    targets: list[WatchTarget] = []
    for name in names:
        for mapping in mapper.resolve(name).mappings:
            target = WatchTarget(mapping.resource, mapping.gvk.kind, mapping.namespaced)
            verbs = _verbs(documents, target.gvr)
            if verbs is not None and not {"list", "watch"} <= verbs:
                raise MapperError(
                    f'the server does not allow "list" and "watch" on {target}: '
                    "pick a resource that can be watched (kmech resolve shows its verbs)"
                )
            if target not in targets:
                targets.append(target)
    return targets


def _verbs(documents: DiscoveryDocuments, gvr: GroupVersionResource) -> set[str] | None:
    gv = f"{gvr.group}/{gvr.version}" if gvr.group else gvr.version
    rl = documents.resource_lists.get(gv) or {}
    for entry in rl.get("resources") or []:
        if isinstance(entry, dict) and entry.get("name") == gvr.resource:
            verbs = entry.get("verbs")
            return {str(v) for v in verbs} if isinstance(verbs, list) else None
    return None
