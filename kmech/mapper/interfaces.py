"""The RESTMapper contract, the RESTMapping it returns, and the scope names.

A RESTMapper answers two questions: "which kind does this (partial) resource name mean?"
(``kind_for``, ``resource_for`` and their plural forms) and "which resource serves this kind?"
(``rest_mapping``). The singular methods return one answer or raise AmbiguousResourceError /
AmbiguousKindError; the plural methods return every match. Misses raise NoResourceMatchError or
NoKindMatchError. Implementations are read-only after construction and safe to share between
threads.

Upstream: apimachinery ``pkg/api/meta/interfaces.go``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from kmech._record import record
from kmech.mapper.schema import GroupKind, GroupVersionKind, GroupVersionResource

__all__ = [
    "ANY_GROUP",
    "ANY_VERSION",
    "ANY_RESOURCE",
    "ANY_KIND",
    "RESTScopeName",
    "RESTMapping",
    "RESTMapper",
]

ANY_GROUP = "*"
ANY_VERSION = "*"
ANY_RESOURCE = "*"
ANY_KIND = "*"


class RESTScopeName(StrEnum):
    """Whether objects of a kind live in a namespace or at the cluster root."""

    NAMESPACE = "namespace"
    ROOT = "root"


@record(frozen=True, slots=True)
class RESTMapping:
    """Where a kind is served: ``resource`` (the plural GVR), ``gvk`` and ``scope``.

    ``gvk.kind`` echoes the kind as queried (``pod`` if you asked for ``pod``), as client-go does.
    """

    resource: GroupVersionResource
    gvk: GroupVersionKind
    scope: RESTScopeName

    @property
    def namespaced(self) -> bool:
        """True when the scope is ``namespace``."""
        return self.scope is RESTScopeName.NAMESPACE


class RESTMapper(Protocol):
    """Maps between resources and kinds; see the module docstring for the error contract."""

    def kind_for(self, resource: GroupVersionResource) -> GroupVersionKind:
        """The single kind a partial resource means."""
        ...

    def kinds_for(self, resource: GroupVersionResource) -> list[GroupVersionKind]:
        """Every kind a partial resource may mean."""
        ...

    def resource_for(self, resource: GroupVersionResource) -> GroupVersionResource:
        """The single fully specified resource a partial resource means."""
        ...

    def resources_for(self, resource: GroupVersionResource) -> list[GroupVersionResource]:
        """Every fully specified resource a partial resource may mean."""
        ...

    def rest_mapping(self, group_kind: GroupKind, *versions: str) -> RESTMapping:
        """The mapping for a kind, trying ``versions`` in order (none: the preferred ones)."""
        ...

    def rest_mappings(self, group_kind: GroupKind, *versions: str) -> list[RESTMapping]:
        """Every mapping for a kind."""
        ...
