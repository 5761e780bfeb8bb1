"""ShortcutExpander: rewrites short names (``po``, ``deploy``) before asking the wrapped mapper.

Expansion rules, all comparisons exact and case-sensitive (``PO`` is not ``po``):

1. A real name wins: if any resource (in the query's group, when one is given) has the queried
   text as its plural or singular name, the query is left alone.
2. Otherwise the first short name in discovery order (groups as listed, versions as listed)
   wins and the query becomes ``(its group, "", its resource)``: an explicit version is dropped
   (client-go ≥ 1.29). Every *other* resource sharing that short name produces one warning,
   ``short name "po" could also match lower priority resource widgets.acme.example.com``; other
   versions of the winning resource are silent.
3. With a group given and no exact hit, the first short name whose group *starts with* the
   query's group wins, keeping the query's version and without warnings.

Only ``kind_for``/``kinds_for``/``resource_for``/``resources_for`` expand; ``rest_mapping(s)``
pass through. Warnings go to ``warning_handler`` once per expansion, in order.

Upstream: client-go ``restmapper/shortcut.go``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from kmech._record import record
from kmech.mapper.discovery_data import APIResourceList
from kmech.mapper.errors import NoMatchError
from kmech.mapper.interfaces import RESTMapper, RESTMapping
from kmech.mapper.schema import GroupKind, GroupResource, GroupVersionKind, GroupVersionResource

__all__ = ["ShortcutExpander", "Expansion", "ExpansionRule", "ResourceShortcut"]


class ExpansionRule(StrEnum):
    """Which rule of the expander decided."""

    REAL_NAME = "real-name"
    SHORT_NAME = "short-name"
    GROUP_PREFIX_SHORT_NAME = "group-prefix-short-name"
    UNCHANGED = "unchanged"


@record(frozen=True, slots=True)
class ResourceShortcut:
    """A short form (group, short name) and the long form (group, plural) it stands for."""

    short_form: GroupResource
    long_form: GroupResource


@record(frozen=True, slots=True)
class Expansion:
    """The result of one expansion: the rewritten query, the rule used, the warnings produced
    and the other long forms that shared the short name (the subjects of the warnings)."""

    query: GroupVersionResource
    result: GroupVersionResource
    rule: ExpansionRule
    warnings: tuple[str, ...] = ()
    shadowed: tuple[GroupResource, ...] = ()


class ShortcutExpander:
    """Wraps ``delegate``; expands short names found in ``resource_lists`` (discovery order).

    ``resource_lists`` must be every group-version's list, non-preferred versions included, in
    discovery order: that order decides which short name wins.
    """

    __slots__ = ("delegate", "resource_lists", "shortcuts", "warning_handler", "_names")

    def __init__(
        self,
        delegate: RESTMapper,
        resource_lists: Sequence[APIResourceList],
        *,
        warning_handler: Callable[[str], None] | None = None,
    ) -> None:
        self.delegate = delegate
        self.resource_lists = tuple(resource_lists)
        self.warning_handler = warning_handler
        self.shortcuts: tuple[ResourceShortcut, ...] = tuple(
            ResourceShortcut(
                GroupResource(rl.group_version.group, short),
                GroupResource(rl.group_version.group, res.name),
            )
            for rl in self.resource_lists
            for res in rl.resources
            for short in res.short_names
        )
        # Real names (plural and singular, subresources included) per group, for rule 1.
        names: dict[str, set[str]] = {}
        for rl in self.resource_lists:
            bucket = names.setdefault(rl.group_version.group, set())
            for res in rl.resources:
                bucket.add(res.name)
                bucket.add(res.singular_name)
        self._names = names

    def __repr__(self) -> str:
        return f"ShortcutExpander({self.delegate!r}, {len(self.shortcuts)} short names)"

    def expand(self, resource: GroupVersionResource) -> Expansion:
        """Rewrite ``resource`` if it is a short name; report what happened (no side effects)."""
        if resource.group:
            real = resource.resource in self._names.get(resource.group, ())
        else:
            real = any(resource.resource in bucket for bucket in self._names.values())
        if real:
            return Expansion(resource, resource, ExpansionRule.REAL_NAME)

        found: GroupResource | None = None
        warnings: list[str] = []
        shadowed: list[GroupResource] = []
        for item in self.shortcuts:
            if resource.group and resource.group != item.short_form.group:
                continue
            if resource.resource != item.short_form.resource:
                continue
            if found is None:
                found = item.long_form
                continue
            if item.long_form == found or item.long_form in shadowed:
                continue
            shadowed.append(item.long_form)
            warnings.append(
                f'short name "{resource.resource}" could also match lower priority resource '
                f"{item.long_form}"
            )
        if found is not None:
            result = GroupVersionResource(found.group, "", found.resource)
            return Expansion(
                resource, result, ExpansionRule.SHORT_NAME, tuple(warnings), tuple(shadowed)
            )

        if not resource.group:
            return Expansion(resource, resource, ExpansionRule.UNCHANGED)
        for item in self.shortcuts:
            if item.short_form.group.startswith(resource.group) and (
                resource.resource == item.short_form.resource
            ):
                result = GroupVersionResource(
                    item.long_form.group, resource.version, item.long_form.resource
                )
                return Expansion(resource, result, ExpansionRule.GROUP_PREFIX_SHORT_NAME)
        return Expansion(resource, resource, ExpansionRule.UNCHANGED)

    def expand_resource_shortcut(self, resource: GroupVersionResource) -> GroupVersionResource:
        """Expand and send any warnings to the handler; return the rewritten query."""
        expansion = self.expand(resource)
        if self.warning_handler is not None:
            for warning in expansion.warnings:
                self.warning_handler(warning)
        return expansion.result

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        """Expand, then ask the delegate; on a miss expand again and retry once (the delegate
        may have re-discovered in between)."""
        try:
            return self.delegate.kind_for(self.expand_resource_shortcut(resource))
        except NoMatchError:
            return self.delegate.kind_for(self.expand_resource_shortcut(resource))

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        """Expand, then ask the delegate."""
        return self.delegate.kinds_for(self.expand_resource_shortcut(resource))

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        """Expand, then ask the delegate."""
        return self.delegate.resource_for(self.expand_resource_shortcut(resource))

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        """Expand, then ask the delegate."""
        return self.delegate.resources_for(self.expand_resource_shortcut(resource))

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        """Pass-through: kinds are never short names."""
        return self.delegate.rest_mapping(group_kind, *versions)

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        """Pass-through: kinds are never short names."""
        return self.delegate.rest_mappings(group_kind, *versions)


if TYPE_CHECKING:
    from kmech.mapper.multi import MultiRESTMapper

    _check: RESTMapper = ShortcutExpander(MultiRESTMapper([]), [])
