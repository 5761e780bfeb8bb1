"""The resources ``kubectl api-resources`` lists: each group-resource once, in the version the
server prefers (or, when the preferred version lacks it, the first listed version that has it),
filtered and sorted as kubectl does.

Upstream: client-go ``discovery/discovery_client.go`` (ServerPreferredResources) and kubectl
``pkg/cmd/apiresources/apiresources.go`` (RunAPIResources, sortableResource).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kmech._record import field, record
from kmech.discovery.client import DiscoveryDocuments
from kmech.mapper.discovery_data import APIResource, parse_discovery
from kmech.mapper.schema import GroupVersion

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


def _row(gv: GroupVersion, r: APIResource) -> APIResourceRow:
    return APIResourceRow(
        group=gv.group,
        version=gv.version,
        name=r.name,
        singular_name=r.singular_name,
        namespaced=r.namespaced,
        kind=r.kind,
        verbs=r.verbs,
        short_names=r.short_names,
        categories=r.categories,
    )


def preferred_resources(docs: DiscoveryDocuments) -> list[APIResourceRow]:
    """Each group-resource once (subresources left out), in discovery order of first sight:
    the preferred version's entry wins; a resource missing from the preferred version keeps the
    first listed version that serves it.

    The documents are read by the mapper's parser (:func:`kmech.mapper.discovery_data.parse_discovery`),
    so malformed discovery raises the same one-line DiscoveryError as ``kmech resolve``.
    """
    data = parse_discovery(docs.group_list, docs.resource_lists)
    preferred = {g.name: g.preferred_version for g in data.groups}
    chosen: dict[tuple[str, str], APIResourceRow] = {}
    for resource_list in data.resource_lists:
        gv = resource_list.group_version
        for r in resource_list.resources:
            if r.is_subresource:
                continue
            key = (gv.group, r.name)
            if key in chosen and gv.version != preferred.get(gv.group):
                continue
            chosen[key] = _row(gv, r)
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
