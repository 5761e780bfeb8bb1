"""CategoryExpander: ``all``, ``api-extensions`` and CRD categories → the resources they name.

Categories come only from discovery (``categories`` of each APIResource); there is no built-in
fallback list. Names are exact and case-sensitive (``All`` is not a category). Members are kept
in discovery order with one entry per group-version that lists them, so a resource served in two
versions appears twice here; kubectl's argument handling drops the repeat later.

Upstream: client-go ``restmapper/category_expansion.go``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kmech.mapper.discovery_data import APIResourceList
from kmech.mapper.schema import GroupResource

__all__ = ["CategoryExpander"]


class CategoryExpander:
    """Expands category names using every group-version's resource list."""

    __slots__ = ("expansions",)

    def __init__(self, resource_lists: Sequence[APIResourceList]) -> None:
        expansions: dict[str, list[GroupResource]] = {}
        for rl in resource_lists:
            for res in rl.resources:
                for category in res.categories:
                    expansions.setdefault(category, []).append(
                        GroupResource(rl.group_version.group, res.name)
                    )
        self.expansions: dict[str, tuple[GroupResource, ...]] = {
            name: tuple(members) for name, members in expansions.items()
        }

    def __repr__(self) -> str:
        return f"CategoryExpander({sorted(self.expansions)})"

    def expand(self, category: str) -> tuple[GroupResource, ...] | None:
        """The members of ``category`` in discovery order, or None if it is not a category."""
        return self.expansions.get(category)

    def categories(self) -> list[str]:
        """Every category name, in order of first appearance."""
        return list(self.expansions)
