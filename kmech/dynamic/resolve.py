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
        for target in _resolve_one(mapper, documents, name):
            verbs = _verbs(documents, target.gvr)
            if verbs is not None and not {"list", "watch"} <= verbs:
                raise MapperError(
                    f'the server does not allow "list" and "watch" on {target}: '
                    "pick a resource that can be watched (kmech resolve shows its verbs)"
                )
            if target not in targets:
                targets.append(target)
    return targets


def _resolve_one(mapper: Any, documents: DiscoveryDocuments, name: str) -> list[WatchTarget]:
    """kubectl's resolution (short names, categories, priorities) through ``kmech resolve``'s
    mapper; the simple fallback below only runs if that module is not installed."""
    try:
        result = mapper.resolve(name)
    except ImportError:  # pragma: no cover - kmech.mapper.resolve ships with kmech
        return [_resolve_simple(documents, name)]
    return [WatchTarget(m.resource, m.gvk.kind, m.namespaced) for m in result.mappings]


def _split_arg(name: str) -> list[tuple[str, str | None, str | None]]:
    """(resource, version, group) readings of ``name``: ``r.v.g`` and ``r.g``, then bare ``r``."""
    out: list[tuple[str, str | None, str | None]] = []
    if "." in name:
        parts = name.split(".")
        if len(parts) >= 3:
            out.append((parts[0], parts[1], ".".join(parts[2:])))
        out.append((parts[0], None, ".".join(parts[1:])))
    else:
        out.append((name, None, None))
    return out


def _resolve_simple(documents: DiscoveryDocuments, name: str) -> WatchTarget:
    """Fallback resolution: plural, singular, short name or kind; groups in server order,
    preferred version first (core first), as kubectl's priority mapper orders them."""
    lowered = name.lower()
    for resource, version, group in _split_arg(lowered):
        for gv, entry in _entries(documents):
            g, _, v = gv.rpartition("/")
            if group is not None and g != group:
                continue
            if version is not None and v != version:
                continue
            if "/" in str(entry.get("name", "")):
                continue
            names = {
                str(entry.get("name", "")).lower(),
                str(entry.get("singularName", "")).lower(),
                str(entry.get("kind", "")).lower(),
                *(str(s).lower() for s in entry.get("shortNames") or []),
            }
            if resource in names:
                return WatchTarget(
                    GroupVersionResource(g, v, str(entry["name"])),
                    str(entry.get("kind", "")),
                    bool(entry.get("namespaced", True)),
                )
    raise MapperError(
        f'the server doesn\'t have a resource type "{name}": '
        "check the spelling, or run kmech resolve to see what it serves"
    )


def _entries(documents: DiscoveryDocuments) -> Iterable[tuple[str, dict[str, Any]]]:
    for group in documents.group_list.get("groups") or []:
        gname = str(group.get("name", ""))
        preferred = (group.get("preferredVersion") or {}).get("groupVersion")
        versions = [str(v.get("groupVersion")) for v in group.get("versions") or []]
        if preferred in versions:
            versions.remove(preferred)
            versions.insert(0, preferred)
        for gv in versions:
            rl = documents.resource_lists.get(gv)
            if rl is None:
                continue
            for entry in rl.get("resources") or []:
                if isinstance(entry, dict):
                    yield gv, entry
        del gname


def _verbs(documents: DiscoveryDocuments, gvr: GroupVersionResource) -> set[str] | None:
    gv = f"{gvr.group}/{gvr.version}" if gvr.group else gvr.version
    rl = documents.resource_lists.get(gv) or {}
    for entry in rl.get("resources") or []:
        if isinstance(entry, dict) and entry.get("name") == gvr.resource:
            verbs = entry.get("verbs")
            return {str(v) for v in verbs} if isinstance(verbs, list) else None
    return None
