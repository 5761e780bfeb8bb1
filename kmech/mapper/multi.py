"""MultiRESTMapper: asks every child mapper and concatenates the answers in child order.

Children that report "no match" are skipped; any other error aborts. Results are unprioritised
(discovery order) and exact duplicates are dropped; the PriorityRESTMapper above picks one.

Upstream: apimachinery ``pkg/api/meta/multirestmapper.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from kmech.mapper.default import DefaultRESTMapper
from kmech.mapper.errors import (
    AmbiguousKindError,
    AmbiguousResourceError,
    NoKindMatchError,
    NoMatchError,
    NoResourceMatchError,
)
from kmech.mapper.interfaces import RESTMapper, RESTMapping
from kmech.mapper.schema import GroupKind, GroupVersionKind, GroupVersionResource

__all__ = ["MultiRESTMapper"]

_T = TypeVar("_T")


def _append_unique(into: list[_T], items: Sequence[_T]) -> None:
    for item in items:
        if item not in into:
            into.append(item)


class MultiRESTMapper:
    """A union of child mappers, consulted in order; read-only after construction."""

    __slots__ = ("mappers",)

    def __init__(self, mappers: Sequence[RESTMapper]) -> None:
        self.mappers: tuple[RESTMapper, ...] = tuple(mappers)

    def __repr__(self) -> str:
        return f"MultiRESTMapper({len(self.mappers)} mappers)"

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        """Every child's kinds, in child order, without duplicates."""
        found: list[GroupVersionKind] = []
        for mapper in self.mappers:
            if isinstance(mapper, DefaultRESTMapper):
                # Same semantics without raising (and formatting) one error per miss.
                maybe = mapper.try_kinds_for(resource)
                if maybe is None:
                    continue
                kinds = maybe
            else:
                try:
                    kinds = mapper.kinds_for(resource)
                except NoMatchError:
                    continue
            _append_unique(found, kinds)
        if not found:
            raise NoResourceMatchError(resource)
        return found

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        """The single kind over all children; AmbiguousResourceError if several."""
        kinds = self.kinds_for(resource)
        if len(kinds) == 1:
            return kinds[0]
        raise AmbiguousResourceError(resource, matching_kinds=kinds)

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        """Every child's resources, in child order, without duplicates."""
        found: list[GroupVersionResource] = []
        for mapper in self.mappers:
            if isinstance(mapper, DefaultRESTMapper):
                maybe = mapper.try_resources_for(resource)
                if maybe is None:
                    continue
                resources = maybe
            else:
                try:
                    resources = mapper.resources_for(resource)
                except NoMatchError:
                    continue
            _append_unique(found, resources)
        if not found:
            raise NoResourceMatchError(resource)
        return found

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        """The single resource over all children; AmbiguousResourceError if several."""
        resources = self.resources_for(resource)
        if len(resources) == 1:
            return resources[0]
        raise AmbiguousResourceError(resource, matching_resources=resources)

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        """Every child's mappings, concatenated in child order (not de-duplicated)."""
        found: list[RESTMapping] = []
        for mapper in self.mappers:
            if isinstance(mapper, DefaultRESTMapper):
                # None and [] are the two no-match errors of DefaultRESTMapper.rest_mappings.
                found.extend(mapper.try_rest_mappings(group_kind, *versions) or ())
                continue
            try:
                found.extend(mapper.rest_mappings(group_kind, *versions))
            except NoMatchError:
                continue
        if not found:
            raise NoKindMatchError(group_kind, versions)
        return found

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        """The single child answer; AmbiguousKindError (kinds only) if several children answer."""
        found: list[RESTMapping] = []
        for mapper in self.mappers:
            try:
                found.append(mapper.rest_mapping(group_kind, *versions))
            except NoMatchError:
                continue
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousKindError(
                GroupVersionKind(group_kind.group, "", group_kind.kind),
                matching_kinds=[m.gvk for m in found],
            )
        raise NoKindMatchError(group_kind, versions)


if TYPE_CHECKING:
    _check: RESTMapper = MultiRESTMapper([])
