"""PriorityRESTMapper: picks one answer among several using ordered wildcard patterns.

Patterns are (group, version, name) triples where ``*`` matches anything. Candidates are
narrowed pattern by pattern: a pattern that matches none is skipped, one that matches exactly one
candidate decides, one that matches several keeps only those for the next pattern. If the
patterns run out with more than one candidate left, the call is ambiguous (and the error lists
*all* original candidates, not just the survivors).

For a discovery-built mapper the patterns are "core v1 first, then each group's preferred
version, then its other versions in listed order, then each group as a whole", so the effective
rule is: the candidate whose group-version comes first in that order wins.

:func:`narrow` exposes the decision (which pattern settled it) so that ``explain`` can say why a
winner won.

Upstream: apimachinery ``pkg/api/meta/priority.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from kmech._record import record
from kmech.mapper.errors import AmbiguousKindError, AmbiguousResourceError
from kmech.mapper.interfaces import ANY_GROUP, ANY_KIND, ANY_RESOURCE, ANY_VERSION, RESTMapping
from kmech.mapper.schema import GroupKind, GroupVersionKind, GroupVersionResource

if TYPE_CHECKING:
    from collections.abc import Callable

    from kmech.mapper.interfaces import RESTMapper

__all__ = [
    "PriorityRESTMapper",
    "Narrowing",
    "narrow",
    "resource_matches",
    "kind_matches",
    "pattern_text",
]

_C = TypeVar("_C")


def resource_matches(pattern: GroupVersionResource, resource: GroupVersionResource) -> bool:
    """True when every non-``*`` part of ``pattern`` equals the part of ``resource``."""
    return (
        (pattern.group == ANY_GROUP or pattern.group == resource.group)
        and (pattern.version == ANY_VERSION or pattern.version == resource.version)
        and (pattern.resource == ANY_RESOURCE or pattern.resource == resource.resource)
    )


def kind_matches(pattern: GroupVersionKind, kind: GroupVersionKind) -> bool:
    """True when every non-``*`` part of ``pattern`` equals the part of ``kind``."""
    return (
        (pattern.group == ANY_GROUP or pattern.group == kind.group)
        and (pattern.version == ANY_VERSION or pattern.version == kind.version)
        and (pattern.kind == ANY_KIND or pattern.kind == kind.kind)
    )


def pattern_text(group: str, version: str) -> str:
    """A pattern's group-version in words-friendly form: ``v1``, ``apps/v1``, ``apps/*``."""
    if not group:
        return version
    return f"{group}/{version}"


@record(frozen=True, slots=True)
class Narrowing(Generic[_C]):
    """The outcome of narrowing ``candidates`` (as given) with patterns.

    ``winner`` is None when the candidates stayed ambiguous. ``decided_by`` is the index of the
    pattern that left exactly one candidate (None when there was only one candidate to start
    with, or none decided). ``ranked`` orders all candidates by the index of the first pattern
    each one matches (stable for ties), i.e. the priority order of the alternatives.
    """

    candidates: tuple[_C, ...]
    winner: _C | None
    decided_by: int | None
    ranked: tuple[_C, ...]
    remaining: tuple[_C, ...]


def narrow(
    candidates: Sequence[_C],
    patterns: Sequence[GroupVersionResource | GroupVersionKind],
    *,
    key: Callable[[_C], GroupVersionResource | GroupVersionKind],
) -> Narrowing[_C]:
    """Apply priority ``patterns`` to ``candidates`` the way PriorityRESTMapper does."""
    cands = tuple(candidates)

    def matches(pattern: GroupVersionResource | GroupVersionKind, cand: _C) -> bool:
        value = key(cand)
        if isinstance(pattern, GroupVersionResource):
            return isinstance(value, GroupVersionResource) and resource_matches(pattern, value)
        return isinstance(value, GroupVersionKind) and kind_matches(pattern, value)

    def first_pattern(cand: _C) -> int:
        for index, pattern in enumerate(patterns):
            if matches(pattern, cand):
                return index
        return len(patterns)

    ranked = tuple(sorted(cands, key=first_pattern))
    if len(cands) == 1:
        return Narrowing(cands, cands[0], None, ranked, cands)
    remaining = cands
    for index, pattern in enumerate(patterns):
        hit = tuple(c for c in remaining if matches(pattern, c))
        if not hit:
            continue
        if len(hit) == 1:
            return Narrowing(cands, hit[0], index, ranked, hit)
        remaining = hit
    return Narrowing(cands, None, None, ranked, remaining)


class PriorityRESTMapper:
    """Wraps ``delegate`` and resolves its multiple answers with priority patterns.

    ``kinds_for``, ``resources_for`` and ``rest_mappings`` pass through unprioritised.
    """

    __slots__ = ("delegate", "resource_priority", "kind_priority")

    def __init__(
        self,
        delegate: RESTMapper,
        *,
        resource_priority: Sequence[GroupVersionResource] = (),
        kind_priority: Sequence[GroupVersionKind] = (),
    ) -> None:
        self.delegate = delegate
        self.resource_priority: tuple[GroupVersionResource, ...] = tuple(resource_priority)
        self.kind_priority: tuple[GroupVersionKind, ...] = tuple(kind_priority)

    def __repr__(self) -> str:
        return f"PriorityRESTMapper({self.delegate!r}, {len(self.kind_priority)} patterns)"

    def mapping_patterns(
        self, group_kind: GroupKind, versions: Sequence[str]
    ) -> list[GroupVersionKind]:
        """The patterns ``rest_mapping`` uses: the requested versions first, then kind priority."""
        if not versions:
            return list(self.kind_priority)
        head = [GroupVersionKind(group_kind.group, v, ANY_KIND) for v in versions]
        return head + list(self.kind_priority)

    def narrow_kinds(self, resource: GroupVersionResource) -> Narrowing[GroupVersionKind]:
        """``kinds_for`` of the delegate, narrowed; errors of the delegate propagate."""
        kinds = self.delegate.kinds_for(resource)
        return narrow(kinds, self.kind_priority, key=_identity_gvk)

    def narrow_resources(self, resource: GroupVersionResource) -> Narrowing[GroupVersionResource]:
        """``resources_for`` of the delegate, narrowed; errors of the delegate propagate."""
        resources = self.delegate.resources_for(resource)
        return narrow(resources, self.resource_priority, key=_identity_gvr)

    def narrow_mappings(self, group_kind: GroupKind, *versions: str) -> Narrowing[RESTMapping]:
        """``rest_mappings`` of the delegate, narrowed with :meth:`mapping_patterns`."""
        mappings = self.delegate.rest_mappings(group_kind, *versions)
        return narrow(mappings, self.mapping_patterns(group_kind, versions), key=_mapping_gvk)

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        """The highest-priority kind for ``resource``.

        Raises:
            NoResourceMatchError: nothing matched.
            AmbiguousResourceError: patterns could not pick one (lists every candidate).
        """
        result = self.narrow_kinds(resource)
        if result.winner is None:
            raise AmbiguousResourceError(resource, matching_kinds=result.candidates)
        return result.winner

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        """The highest-priority resource for ``resource`` (same errors as :meth:`kind_for`)."""
        result = self.narrow_resources(resource)
        if result.winner is None:
            raise AmbiguousResourceError(resource, matching_resources=result.candidates)
        return result.winner

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        """The highest-priority mapping; requested ``versions`` outrank the discovery order.

        Raises:
            NoKindMatchError: the kind is not served (in those versions).
            AmbiguousKindError: patterns could not pick one mapping.
        """
        result = self.narrow_mappings(group_kind, *versions)
        if result.winner is not None:
            return result.winner
        if len(result.remaining) == 1:
            return result.remaining[0]
        raise AmbiguousKindError(
            GroupVersionKind(group_kind.group, "", group_kind.kind),
            matching_kinds=[m.gvk for m in result.candidates],
        )

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        """Pass-through: every kind, in discovery order."""
        return self.delegate.kinds_for(resource)

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        """Pass-through: every resource, in discovery order."""
        return self.delegate.resources_for(resource)

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        """Pass-through: every mapping, in discovery order."""
        return self.delegate.rest_mappings(group_kind, *versions)


def _identity_gvk(value: GroupVersionKind) -> GroupVersionKind:
    return value


def _identity_gvr(value: GroupVersionResource) -> GroupVersionResource:
    return value


def _mapping_gvk(value: RESTMapping) -> GroupVersionKind:
    return value.gvk


if TYPE_CHECKING:
    from kmech.mapper.multi import MultiRESTMapper

    _check: RESTMapper = PriorityRESTMapper(MultiRESTMapper([]))
