"""The resources ``kubectl api-resources`` lists: each group-resource once, in the version the
server prefers (or, when the preferred version lacks it, the first listed version that has it),
filtered and sorted as kubectl does.

Upstream: client-go ``discovery/discovery_client.go`` (ServerPreferredResources) and kubectl
``pkg/cmd/apiresources/apiresources.go`` (RunAPIResources, sortableResource).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kmech._record import field, record
from kmech.discovery.client import DiscoveryDocuments

__all__ = ["APIResourceRow", "ResourceFilter", "preferred_resources", "api_resources"]


@record(frozen=True, slots=True)
class APIResourceRow:
    """One row of ``api-resources``: a resource in its selected group-version."""

    group: str
    version: str
    name: str
    singular_name: str
    namespaced: bool
    kind: str
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified_name(self) -> str:
        """``resource`` for the core group, ``resource.group`` otherwise (``-o name``)."""
        return f"{self.name}.{self.group}" if self.group else self.name

    def to_api_resource(self) -> dict[str, Any]:
        """The APIResource dict kubectl prints for ``-o json`` (group and version filled in)."""
        out: dict[str, Any] = {
            "name": self.name,
            "singularName": self.singular_name,
            "namespaced": self.namespaced,
        }
        if self.group:
            out["group"] = self.group
        out["version"] = self.version
        out["kind"] = self.kind
        out["verbs"] = list(self.verbs)
        if self.short_names:
            out["shortNames"] = list(self.short_names)
        if self.categories:
            out["categories"] = list(self.categories)
        return out


@record(frozen=True, slots=True)
class ResourceFilter:
    """kubectl's filters; ``None``/empty means "not given"."""

    api_group: str | None = None
    namespaced: bool | None = None
    verbs: tuple[str, ...] = ()
    categories: tuple[str, ...] = field(default=())

    def accepts(self, row: APIResourceRow) -> bool:
        if self.api_group is not None and row.group != self.api_group:
            return False
        if self.namespaced is not None and row.namespaced != self.namespaced:
            return False
        if self.verbs and not set(self.verbs) <= set(row.verbs):
            return False
        return not (self.categories and not set(self.categories) <= set(row.categories))


def _row(group: str, version: str, r: Mapping[str, Any]) -> APIResourceRow:
    return APIResourceRow(
        group=group,
        version=version,
        name=str(r.get("name") or ""),
        singular_name=str(r.get("singularName") or ""),
        namespaced=bool(r.get("namespaced")),
        kind=str(r.get("kind") or ""),
        verbs=tuple(r.get("verbs") or ()),
        short_names=tuple(r.get("shortNames") or ()),
        categories=tuple(r.get("categories") or ()),
    )


def preferred_resources(docs: DiscoveryDocuments) -> list[APIResourceRow]:
    """Each group-resource once (subresources left out), in discovery order of first sight:
    the preferred version's entry wins; a resource missing from the preferred version keeps the
    first listed version that serves it."""
    chosen: dict[tuple[str, str], APIResourceRow] = {}
    for group in docs.group_list.get("groups") or []:
        name = str(group.get("name") or "")
        preferred = str((group.get("preferredVersion") or {}).get("version") or "")
        for v in group.get("versions") or []:
            version = str(v.get("version") or "")
            gv = f"{name}/{version}" if name else version
            resource_list = docs.resource_lists.get(gv)
            if resource_list is None:
                continue
            for r in resource_list.get("resources") or []:
                resource = str(r.get("name") or "")
                if "/" in resource:
                    continue
                key = (name, resource)
                if key in chosen and version != preferred:
                    continue
                chosen[key] = _row(name, version, r)
    return list(chosen.values())


def api_resources(
    docs: DiscoveryDocuments, resource_filter: ResourceFilter | None = None, *, sort_by: str = ""
) -> list[APIResourceRow]:
    """``kubectl api-resources``: preferred resources with verbs, filtered, sorted by group then
    name (or by ``sort_by`` ``name``/``kind``, ties by name)."""
    f = resource_filter or ResourceFilter()
    rows: Iterable[APIResourceRow] = (
        r for r in preferred_resources(docs) if r.verbs and f.accepts(r)
    )

    def key(r: APIResourceRow) -> tuple[str, str]:
        first = {"name": r.name, "kind": r.kind}.get(sort_by, r.group)
        return (first, r.name)

    return sorted(rows, key=key)
