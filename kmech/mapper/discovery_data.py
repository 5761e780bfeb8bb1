"""Typed, validated discovery data: groups in server order, each version's resource list.

The input is legacy-shaped discovery JSON exactly as kubectl's disk cache stores it: an
``APIGroupList`` dict whose ``groups`` are in server order (the core group, ``name: ""``, first)
and a mapping from group-version strings (``"v1"``, ``"apps/v1"``) to ``APIResourceList`` dicts.
Order is semantics here: it decides short-name precedence, category member order and version
priority, so every sequence keeps the order it was given.

Validation is strict on types (a ``verbs`` that is not a list of strings is an error, as Go's
JSON decoder would fail the whole document) and lenient on absence (missing optional fields are
empty). Every problem raises :class:`kmech.errors.DiscoveryError` with one line naming the
group-version or document; nothing else escapes.

Upstream: apimachinery ``pkg/apis/meta/v1/types.go`` (APIGroupList, APIResourceList);
client-go ``restmapper/discovery.go`` ``GetAPIGroupResources``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kmech._record import record
from kmech.errors import DiscoveryError
from kmech.mapper.schema import GroupVersion

__all__ = [
    "APIResource",
    "APIResourceList",
    "APIGroup",
    "DiscoveryData",
    "parse_discovery",
]


@record(frozen=True, slots=True)
class APIResource:
    """One entry of an APIResourceList (subresources such as ``pods/log`` included)."""

    name: str
    singular_name: str
    namespaced: bool
    kind: str
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    group: str = ""
    version: str = ""

    @property
    def is_subresource(self) -> bool:
        """True for ``parent/sub`` names, which the mapper leaves out."""
        return "/" in self.name


@record(frozen=True, slots=True)
class APIResourceList:
    """The resources of one group-version, in the server's order."""

    group_version: GroupVersion
    resources: tuple[APIResource, ...]


@record(frozen=True, slots=True)
class APIGroup:
    """A group with its versions in server order and its preferred version (may be ``""``)."""

    name: str
    versions: tuple[str, ...]
    preferred_version: str


@record(frozen=True, slots=True)
class DiscoveryData:
    """Groups in server order plus the resource lists that were available.

    ``resource_lists`` holds one list per (group, listed version) that had data, ordered by
    group order then version order: the order of client-go's ``ServerGroupsAndResources``.
    Group-versions without data (failed or stale discovery) are absent.
    """

    groups: tuple[APIGroup, ...]
    resource_lists: tuple[APIResourceList, ...]


def _fail(where: str, problem: str) -> DiscoveryError:
    return DiscoveryError(f"malformed discovery data in {where}: {problem}")


def _string(value: Any, where: str, field: str, *, default: str | None = "") -> str:
    if value is None:
        if default is None:
            raise _fail(where, f"{field} is missing")
        return default
    if not isinstance(value, str):
        raise _fail(where, f"{field} must be a string, got {type(value).__name__}")
    return value


def _strings(value: Any, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{field} must be a list of strings")
    return tuple(value)


def _is_strings(value: Any) -> bool:
    return value is None or (type(value) is list and all(type(v) is str for v in value))


def _parse_resource(raw: Any, where: str, index: int) -> APIResource:
    if type(raw) is dict:
        # Fast path: a well-formed entry (the common case by far) is checked inline.
        get = raw.get
        name, kind, singular = get("name"), get("kind"), get("singularName")
        namespaced, group, version = get("namespaced"), get("group"), get("version")
        verbs, shorts, cats = get("verbs"), get("shortNames"), get("categories")
        if (
            type(name) is str
            and type(kind) is str
            and (singular is None or type(singular) is str)
            and (namespaced is None or type(namespaced) is bool)
            and (group is None or type(group) is str)
            and (version is None or type(version) is str)
            and _is_strings(verbs)
            and _is_strings(shorts)
            and _is_strings(cats)
        ):
            return APIResource(
                name,
                singular or "",
                bool(namespaced),
                kind,
                tuple(verbs) if verbs else (),
                tuple(shorts) if shorts else (),
                tuple(cats) if cats else (),
                group or "",
                version or "",
            )
    return _parse_resource_slow(raw, where, index)


def _parse_resource_slow(raw: Any, where: str, index: int) -> APIResource:
    here = f"{where} resource #{index}"
    if not isinstance(raw, dict):
        raise _fail(here, f"expected an object, got {type(raw).__name__}")
    namespaced = raw.get("namespaced", False)
    if namespaced is None:
        namespaced = False
    if not isinstance(namespaced, bool):
        raise _fail(here, "namespaced must be true or false")
    return APIResource(
        name=_string(raw.get("name"), here, "name", default=None),
        singular_name=_string(raw.get("singularName"), here, "singularName"),
        namespaced=namespaced,
        kind=_string(raw.get("kind"), here, "kind", default=None),
        verbs=_strings(raw.get("verbs"), here, "verbs"),
        short_names=_strings(raw.get("shortNames"), here, "shortNames"),
        categories=_strings(raw.get("categories"), here, "categories"),
        group=_string(raw.get("group"), here, "group"),
        version=_string(raw.get("version"), here, "version"),
    )


def _parse_resource_list(raw: Any, gv: GroupVersion) -> APIResourceList:
    where = f"the resource list of {gv}" if not gv.empty() else "a resource list"
    if not isinstance(raw, dict):
        raise _fail(where, f"expected an APIResourceList object, got {type(raw).__name__}")
    resources = raw.get("resources")
    if resources is None:
        resources = []
    if not isinstance(resources, list):
        raise _fail(where, "resources must be a list")
    parsed = tuple(_parse_resource(r, where, i) for i, r in enumerate(resources))
    return APIResourceList(gv, parsed)


def _parse_group(raw: Any, index: int) -> APIGroup:
    where = f"the group list (group #{index})"
    if not isinstance(raw, dict):
        raise _fail(where, f"expected an APIGroup object, got {type(raw).__name__}")
    name = _string(raw.get("name"), where, "name")
    where = f"the group list (group {name!r})"
    raw_versions = raw.get("versions")
    if raw_versions is None:
        raw_versions = []
    if not isinstance(raw_versions, list):
        raise _fail(where, "versions must be a list")
    versions: list[str] = []
    for entry in raw_versions:
        if not isinstance(entry, dict):
            raise _fail(where, "each version must be an object with groupVersion and version")
        version = _string(entry.get("version"), where, "version")
        if not version:
            group_version = _string(entry.get("groupVersion"), where, "groupVersion")
            version = group_version.rpartition("/")[2]
        versions.append(version)
    preferred_raw = raw.get("preferredVersion")
    preferred = ""
    if preferred_raw is not None:
        if not isinstance(preferred_raw, dict):
            raise _fail(where, "preferredVersion must be an object")
        preferred = _string(preferred_raw.get("version"), where, "preferredVersion.version")
    return APIGroup(name, tuple(versions), preferred)


def parse_discovery(group_list: Any, resource_lists: Mapping[str, Any]) -> DiscoveryData:
    """Validate legacy discovery JSON and order it the way client-go does.

    ``group_list`` is an APIGroupList dict; if it has no core group (``name: ""``) but
    ``resource_lists`` has ``"v1"``, a core group serving v1 is put first. Lists whose
    group-version no group names are ignored, as client-go ignores them.

    Raises:
        DiscoveryError: any malformed part, named in the message.
    """
    if not isinstance(group_list, dict):
        raise _fail(
            "the group list", f"expected an APIGroupList object, got {type(group_list).__name__}"
        )
    raw_groups = group_list.get("groups")
    if raw_groups is None:
        raw_groups = []
    if not isinstance(raw_groups, list):
        raise _fail("the group list", "groups must be a list")
    if not isinstance(resource_lists, Mapping):
        raise _fail("the resource lists", "expected a mapping of group-version to APIResourceList")
    groups = [_parse_group(g, i) for i, g in enumerate(raw_groups)]
    if not any(g.name == "" for g in groups) and "v1" in resource_lists:
        groups.insert(0, APIGroup("", ("v1",), "v1"))
    lists: list[APIResourceList] = []
    for group in groups:
        for version in group.versions:
            gv = GroupVersion(group.name, version)
            raw = resource_lists.get(str(gv))
            if raw is None:
                continue
            lists.append(_parse_resource_list(raw, gv))
    return DiscoveryData(tuple(groups), tuple(lists))
