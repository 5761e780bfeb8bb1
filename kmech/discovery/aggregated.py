"""Aggregated discovery (``apidiscovery.k8s.io`` v2 / v2beta1): recognise it and split it into the
legacy shapes (an APIGroup per group, an APIResourceList per group-version).

The conversion is the one kubectl applies before it writes its disk cache, so a converted document
and kubectl's ``serverresources.json`` files hold the same resources in the same order. A version
whose ``freshness`` is ``Stale`` is left out of its group and reported as failed; the preferred
version is the first version that is not stale.

Upstream: client-go ``discovery/aggregated_discovery.go`` (SplitGroupsAndResources,
convertAPIGroup, convertAPIResource, convertAPISubresource) and ``discovery/discovery_client.go``
(AcceptV2, ContentTypeIsGVK).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kmech._record import field, record
from kmech.errors import DiscoveryError

__all__ = [
    "ACCEPT_DISCOVERY",
    "AggregatedSplit",
    "aggregated_version",
    "split_groups_and_resources",
    "group_version_string",
]

#: The Accept header kubectl 1.37 sends for ``/api`` and ``/apis`` (observed with kubectl 1.37.1
#: ``-v=8``): aggregated v2, else the legacy document. v2beta1 answers are still understood.
ACCEPT_DISCOVERY = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
)

_AGGREGATED_VERSIONS = ("v2", "v2beta1")


def group_version_string(group: str, version: str) -> str:
    """``v1`` for the core group, ``group/version`` otherwise (Go's GroupVersion.String)."""
    return f"{group}/{version}" if group else version


def aggregated_version(content_type: str | None) -> str | None:
    """The apidiscovery version (``v2`` or ``v2beta1``) a response's Content-Type announces, or
    ``None`` when the body is a legacy document.

    The media type must be ``application/json`` with parameters ``g=apidiscovery.k8s.io``,
    ``v=v2|v2beta1`` and ``as=APIGroupDiscoveryList`` in any order; other parameters are ignored.
    """
    if not content_type:
        return None
    parts = [p.strip() for p in content_type.split(";")]
    if parts[0].lower() != "application/json":
        return None
    params: dict[str, str] = {}
    for p in parts[1:]:
        key, sep, value = p.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    if params.get("g") != "apidiscovery.k8s.io" or params.get("as") != "APIGroupDiscoveryList":
        return None
    version = params.get("v")
    return version if version in _AGGREGATED_VERSIONS else None


@record(slots=True)
class AggregatedSplit:
    """One aggregated document in legacy shapes.

    ``groups`` are APIGroup dicts in document order; ``resource_lists`` maps a group-version string
    (``v1``, ``apps/v1``) to its APIResourceList dict, in group then version order; ``failed`` maps
    each stale group-version to client-go's message ``stale GroupVersion discovery: <gv>``.
    """

    groups: list[dict[str, Any]] = field(default_factory=list)
    resource_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def split_groups_and_resources(document: Any) -> AggregatedSplit:
    """Convert an ``APIGroupDiscoveryList`` document (v2 or v2beta1) to legacy shapes.

    Raises DiscoveryError when the document is not an object with an ``items`` list, or when a
    list in it (versions, resources, subresources, verbs, shortNames, categories) has the wrong
    type: one line naming the group, version or resource.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("items", []), list):
        raise _malformed("expected an APIGroupDiscoveryList with items")
    split = AggregatedSplit()
    for item in document.get("items") or []:
        if not isinstance(item, Mapping):
            raise _malformed("an item is not an object")
        _convert_group(item, split)
    return split


def _malformed(problem: str) -> DiscoveryError:
    return DiscoveryError(f"malformed aggregated discovery document: {problem}")


def _objects(value: Any, where: str, field: str) -> list[Mapping[str, Any]]:
    """``value`` as a list of objects (absent: empty); a wrong type fails the whole document, as
    Go's JSON decoder fails it."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise _malformed(f"{where}: {field} must be a list of objects")
    return value


def _strings(value: Any, where: str, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _malformed(f"{where}: {field} must be a list of strings")
    return list(value)


def _convert_group(item: Mapping[str, Any], split: AggregatedSplit) -> None:
    metadata = item.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise _malformed("an item's metadata is not an object")
    name = str(metadata.get("name") or "")
    where = f"group {name!r}"
    group: dict[str, Any] = {"name": name, "versions": []}
    preferred: dict[str, str] | None = None
    for v in _objects(item.get("versions"), where, "versions"):
        version = str(v.get("version") or "")
        gv = group_version_string(name, version)
        if v.get("freshness") == "Stale":
            split.failed[gv] = f"stale GroupVersion discovery: {gv}"
            continue
        entry = {"groupVersion": gv, "version": version}
        group["versions"].append(entry)
        if preferred is None:
            preferred = dict(entry)
        resources: list[dict[str, Any]] = []
        in_version = f"{where} version {version!r}"
        for r in _objects(v.get("resources"), in_version, "resources"):
            parent, ok = _convert_resource(r, in_version)
            if ok:
                resources.append(parent)
            # A resource without a kind is dropped, but its subresources still count.
            here = f"resource {gv}/{parent['name']}"
            for sub in _objects(r.get("subresources"), here, "subresources"):
                converted = _convert_subresource(parent, sub, here)
                if converted is not None:
                    resources.append(converted)
        split.resource_lists[gv] = {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }
    # Go leaves PreferredVersion as the zero value when every version is stale.
    group["preferredVersion"] = (
        preferred if preferred is not None else {"groupVersion": "", "version": ""}
    )
    split.groups.append(group)


def _response_kind(value: Any) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    kind = {k: str(value.get(k) or "") for k in ("group", "version", "kind")}
    if not any(kind.values()):
        return None
    return kind


def _convert_resource(r: Mapping[str, Any], where: str) -> tuple[dict[str, Any], bool]:
    """The APIResource for ``r`` and whether it is complete (has a responseKind).

    The field order is the one Go's JSON encoder writes for APIResource, so the dicts serialise
    like kubectl's cache files (``group``/``version``/``shortNames``/``categories`` omitted when
    empty, ``verbs`` always present).
    """
    out: dict[str, Any] = {
        "name": str(r.get("resource") or ""),
        "singularName": str(r.get("singularResource") or ""),
        "namespaced": r.get("scope") == "Namespaced",
    }
    kind = _response_kind(r.get("responseKind"))
    if kind is not None:
        if kind["group"]:
            out["group"] = kind["group"]
        if kind["version"]:
            out["version"] = kind["version"]
        out["kind"] = kind["kind"]
    else:
        out["kind"] = ""
    here = f"{where} resource {out['name']!r}"
    out["verbs"] = _strings(r.get("verbs"), here, "verbs")
    if short_names := _strings(r.get("shortNames"), here, "shortNames"):
        out["shortNames"] = short_names
    if categories := _strings(r.get("categories"), here, "categories"):
        out["categories"] = categories
    return out, kind is not None


def _convert_subresource(
    parent: Mapping[str, Any], sub: Mapping[str, Any], where: str
) -> dict[str, Any] | None:
    kind = _response_kind(sub.get("responseKind"))
    if kind is None:
        return None
    out: dict[str, Any] = {
        "name": f"{parent['name']}/{sub.get('subresource') or ''}",
        "singularName": parent["singularName"],
        "namespaced": parent["namespaced"],
    }
    if kind["group"]:
        out["group"] = kind["group"]
    if kind["version"]:
        out["version"] = kind["version"]
    out["kind"] = kind["kind"]
    out["verbs"] = _strings(sub.get("verbs"), where, "subresource verbs")
    return out
