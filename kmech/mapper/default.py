"""DefaultRESTMapper: the lookup tables of one (or a few) group-versions.

Tables are insertion-ordered dicts and later writes overwrite earlier ones, exactly as Go maps
keyed by the same value do; the order in which discovery adds resources therefore decides
same-key collisions (the later resource wins). Where Go iterates a map and stops at the first
hit, this mapper uses insertion order, which makes the answer deterministic.

Matching rules: the resource part of a query is lowercased (plural and singular names are
case-insensitive); group, version and kind are compared exactly. A query with a group but no
version first looks for an exact group and only when this mapper has no exact hit accepts
groups that *start with* the query's group (``storageclass.storage``).

Upstream: apimachinery ``pkg/api/meta/restmapper.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kmech.mapper.errors import (
    AmbiguousResourceError,
    NoKindMatchError,
    NoResourceMatchError,
    ResourceRequiredError,
)
from kmech.mapper.interfaces import RESTMapping, RESTScopeName
from kmech.mapper.schema import (
    GroupKind,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
)

__all__ = ["DefaultRESTMapper", "unsafe_guess_kind_to_resource", "coerce_resource_for_matching"]

_INTERNAL_VERSION = "__internal"
_UNPLURALIZED_SUFFIXES = ("endpoints", "securitycontextconstraints")


def unsafe_guess_kind_to_resource(
    kind: GroupVersionKind,
) -> tuple[GroupVersionResource, GroupVersionResource]:
    """Guess (plural, singular) resource names from a kind, the way client-go does.

    ``Pod`` → (``pods``, ``pod``); ``Ingress`` → ``ingresses``; ``Policy`` → ``policies``;
    anything ending in ``endpoints`` is its own plural. An empty kind gives two empty GVRs.
    The guess is often wrong for real resources; discovery names win wherever they exist.

    Upstream: apimachinery ``meta.UnsafeGuessKindToResource``.
    """
    if not kind.kind:
        empty = GroupVersionResource("", "", "")
        return empty, empty
    singular_name = kind.kind.lower()
    singular = GroupVersionResource(kind.group, kind.version, singular_name)
    if singular_name.endswith(_UNPLURALIZED_SUFFIXES):
        return singular, singular
    if singular_name.endswith("s"):
        plural_name = singular_name + "es"
    elif singular_name.endswith("y"):
        plural_name = singular_name[:-1] + "ies"
    else:
        plural_name = singular_name + "s"
    return GroupVersionResource(kind.group, kind.version, plural_name), singular


def coerce_resource_for_matching(resource: GroupVersionResource) -> GroupVersionResource:
    """Lowercase only the resource part; the internal version means "any version"."""
    version = "" if resource.version == _INTERNAL_VERSION else resource.version
    return GroupVersionResource(resource.group, version, resource.resource.lower())


_Key = tuple[str, str, str]


class DefaultRESTMapper:
    """Resource↔kind tables for the group-versions in ``default_group_versions``.

    Build it with :meth:`add_specific` / :meth:`add`; after that it is read-only. Results of
    the plural lookups are sorted by the position of their group-version in
    ``default_group_versions``, then by name. The tables are keyed by plain
    ``(group, version, name)`` tuples (hashing them is several times cheaper than hashing the
    records, which matters for discoveries with thousands of CRDs); the methods take and
    return the schema records.
    """

    __slots__ = (
        "default_group_versions",
        "resource_to_kind",
        "kind_to_plural_resource",
        "kind_to_scope",
        "singular_to_plural",
        "plural_to_singular",
    )

    def __init__(self, default_group_versions: Sequence[GroupVersion]) -> None:
        self.default_group_versions: tuple[GroupVersion, ...] = tuple(default_group_versions)
        self.resource_to_kind: dict[_Key, _Key] = {}
        self.kind_to_plural_resource: dict[_Key, _Key] = {}
        self.kind_to_scope: dict[_Key, RESTScopeName] = {}
        self.singular_to_plural: dict[_Key, _Key] = {}
        self.plural_to_singular: dict[_Key, _Key] = {}

    def __repr__(self) -> str:
        gvs = ", ".join(str(gv) for gv in self.default_group_versions)
        return f"DefaultRESTMapper([{gvs}], {len(self.kind_to_plural_resource)} kinds)"

    def add_specific(
        self,
        kind: GroupVersionKind,
        plural: GroupVersionResource,
        singular: GroupVersionResource,
        scope: RESTScopeName,
    ) -> None:
        """Register ``kind`` as served by ``plural`` (also reachable by ``singular``).

        Upstream: ``DefaultRESTMapper.AddSpecific``.
        """
        self.add_specific_raw(
            (kind.group, kind.version, kind.kind),
            (plural.group, plural.version, plural.resource),
            (singular.group, singular.version, singular.resource),
            scope,
        )

    def add_specific_raw(
        self, kind: _Key, plural: _Key, singular: _Key, scope: RESTScopeName
    ) -> None:
        """:meth:`add_specific` with ``(group, version, name)`` tuples (the fast path)."""
        self.singular_to_plural[singular] = plural
        self.plural_to_singular[plural] = singular
        self.resource_to_kind[singular] = kind
        self.resource_to_kind[plural] = kind
        self.kind_to_plural_resource[kind] = plural
        self.kind_to_scope[kind] = scope

    def add(self, kind: GroupVersionKind, scope: RESTScopeName) -> None:
        """Register ``kind`` under its guessed resource names (``Upstream: DefaultRESTMapper.Add``)."""
        plural, singular = unsafe_guess_kind_to_resource(kind)
        self.add_specific(kind, plural, singular, scope)

    def add_raw(self, group: str, version: str, kind: str, scope: RESTScopeName) -> None:
        """:meth:`add` without building records (the fast path)."""
        if not kind:
            self.add_specific_raw((group, version, kind), ("", "", ""), ("", "", ""), scope)
            return
        singular = kind.lower()
        if singular.endswith(_UNPLURALIZED_SUFFIXES):
            plural = singular
        elif singular[-1] == "s":
            plural = singular + "es"
        elif singular[-1] == "y":
            plural = singular[:-1] + "ies"
        else:
            plural = singular + "s"
        self.add_specific_raw(
            (group, version, kind), (group, version, plural), (group, version, singular), scope
        )

    # -- resource → kind ----------------------------------------------------------------------

    def _gv_rank(self, group: str, version: str) -> int:
        for index, gv in enumerate(self.default_group_versions):
            if gv.group == group and gv.version == version:
                return index
        return len(self.default_group_versions)

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        """Every kind whose plural or singular resource matches the partial ``resource``.

        Raises:
            ResourceRequiredError: ``resource.resource`` is empty.
            NoResourceMatchError: nothing matched (carrying the query as given).
        """
        found = self.try_kinds_for(resource)
        if found is None:
            raise NoResourceMatchError(resource)
        return found

    def try_kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind] | None:
        """:meth:`kinds_for`, but None instead of NoResourceMatchError (cheap for the
        MultiRESTMapper, which asks every group-version and skips the misses)."""
        query = coerce_resource_for_matching(resource)
        if not query.resource:
            raise ResourceRequiredError(query)
        group, version, name = query.group, query.version, query.resource
        found: list[_Key] = []
        if group and version:
            kind = self.resource_to_kind.get((group, version, name))
            if kind is not None:
                found.append(kind)
        elif group:
            for key, kind in self.resource_to_kind.items():
                if key[0] == group and key[2] == name:
                    found.append(kind)
            if not found:
                for key, kind in self.resource_to_kind.items():
                    if key[2] == name and key[0].startswith(group):
                        found.append(kind)
        elif version:
            for key, kind in self.resource_to_kind.items():
                if key[2] == name and key[1] == version:
                    found.append(kind)
        else:
            for key, kind in self.resource_to_kind.items():
                if key[2] == name:
                    found.append(kind)
        if not found:
            return None
        found.sort(key=lambda k: (self._gv_rank(k[0], k[1]), k))
        return [GroupVersionKind(*k) for k in found]

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        """The one kind ``resource`` matches; AmbiguousResourceError if several."""
        kinds = self.kinds_for(resource)
        if len(kinds) == 1:
            return kinds[0]
        raise AmbiguousResourceError(resource, matching_kinds=kinds)

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        """Every plural resource whose plural or singular name matches ``resource``.

        A resource whose singular equals its plural (``endpoints``) is listed twice; the
        MultiRESTMapper above removes such duplicates.

        Raises:
            ResourceRequiredError: ``resource.resource`` is empty.
            NoResourceMatchError: nothing matched (carrying the lowercased query).
        """
        found = self.try_resources_for(resource)
        if found is None:
            raise NoResourceMatchError(coerce_resource_for_matching(resource))
        return found

    def try_resources_for(
        self, resource: GroupVersionResource
    ) -> list[GroupVersionResource] | None:
        """:meth:`resources_for`, but None instead of NoResourceMatchError."""
        query = coerce_resource_for_matching(resource)
        if not query.resource:
            raise ResourceRequiredError(query)
        group, version, name = query.group, query.version, query.resource
        found: list[_Key] = []
        pairs = self.plural_to_singular.items()
        if group and version:
            wanted = (group, version, name)
            for plural, singular in pairs:
                if singular == wanted or plural == wanted:
                    found.append(plural)
                    break
        elif group:
            for plural, singular in pairs:
                if singular[0] == group and singular[2] == name:
                    found.append(plural)
                if plural[0] == group and plural[2] == name:
                    found.append(plural)
            if not found:
                for plural, singular in pairs:
                    if not plural[0].startswith(group):
                        continue
                    if singular[2] == name:
                        found.append(plural)
                    if plural[2] == name:
                        found.append(plural)
        elif version:
            for plural, singular in pairs:
                if singular[1] == version and singular[2] == name:
                    found.append(plural)
                if plural[1] == version and plural[2] == name:
                    found.append(plural)
        else:
            for plural, singular in pairs:
                if singular[2] == name:
                    found.append(plural)
                if plural[2] == name:
                    found.append(plural)
        if not found:
            return None
        found.sort(key=lambda r: (self._gv_rank(r[0], r[1]), r))
        return [GroupVersionResource(*r) for r in found]

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        """The one resource ``resource`` matches; AmbiguousResourceError if several."""
        resources = self.resources_for(resource)
        if len(resources) == 1:
            return resources[0]
        raise AmbiguousResourceError(resource, matching_resources=resources)

    # -- kind → resource ----------------------------------------------------------------------

    def plural_for_kind(self, kind: GroupVersionKind) -> GroupVersionResource | None:
        """The plural resource registered for exactly ``kind``, if any."""
        plural = self.kind_to_plural_resource.get((kind.group, kind.version, kind.kind))
        return GroupVersionResource(*plural) if plural is not None else None

    def scope_for_kind(self, kind: GroupVersionKind) -> RESTScopeName | None:
        """The scope registered for exactly ``kind``, if any."""
        return self.kind_to_scope.get((kind.group, kind.version, kind.kind))

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        """Mappings for ``group_kind``: the first of ``versions`` this mapper serves, or (when
        no real version was given) every default group-version of the kind's group.

        Kinds match exactly (``Pod`` or the lowercase ``pod`` registered beside it; never
        ``POD``). The returned GVK keeps the queried spelling.

        Raises:
            NoKindMatchError: no candidate version (an unknown explicit version included).
            NoResourceMatchError: candidate versions existed but none maps the kind.
        """
        mappings = self.try_rest_mappings(group_kind, *versions)
        if mappings is None:
            raise NoKindMatchError(group_kind, versions)
        if not mappings:
            raise NoResourceMatchError(GroupVersionResource(group_kind.group, "", group_kind.kind))
        return mappings

    def try_rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping] | None:
        """:meth:`rest_mappings` without exceptions: None for "no candidate version" (a
        NoKindMatchError), ``[]`` for "candidates but no mapping" (a NoResourceMatchError)."""
        group, kind = group_kind.group, group_kind.kind
        potential: list[_Key] = []
        had_version = False
        for version in versions:
            if not version or version == _INTERNAL_VERSION:
                continue
            had_version = True
            candidate = (group, version, kind)
            if candidate in self.kind_to_plural_resource:
                potential.append(candidate)
                break
        if not had_version and not potential:
            potential = [
                (group, gv.version, kind) for gv in self.default_group_versions if gv.group == group
            ]
        if not potential:
            return None
        return [
            RESTMapping(
                GroupVersionResource(*self.kind_to_plural_resource[key]),
                GroupVersionKind(*key),
                self.kind_to_scope[key],
            )
            for key in potential
            if key in self.kind_to_plural_resource
        ]

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        """The first of :meth:`rest_mappings`."""
        mappings = self.rest_mappings(group_kind, *versions)
        if not mappings:
            raise NoKindMatchError(group_kind, versions)
        return mappings[0]


if TYPE_CHECKING:
    from kmech.mapper.interfaces import RESTMapper

    _check: RESTMapper = DefaultRESTMapper([])
