"""Group/version/kind/resource value types and the parsers for command-line type arguments.

Every type is a frozen, slotted record (:mod:`kmech._record`) whose ``str()`` is the Go
``String()`` form used in client-go's error messages. Nothing here lowercases or trims: ``parse_resource_arg("Pods.V1.")``
keeps every letter as typed; normalisation is the mapper's business.

Upstream: apimachinery ``pkg/runtime/schema/group_version.go``.
"""

from __future__ import annotations

from kmech._record import record
from kmech.errors import UsageError

__all__ = [
    "GroupVersion",
    "GroupResource",
    "GroupKind",
    "GroupVersionResource",
    "GroupVersionKind",
    "GroupVersionParseError",
    "parse_group_version",
    "parse_group_resource",
    "parse_group_kind",
    "parse_resource_arg",
    "parse_kind_arg",
]


class GroupVersionParseError(UsageError):
    """A group-version string had more than one ``/``."""


@record(frozen=True, slots=True)
class GroupVersion:
    """An API group and version; the core group is ``""``. ``str()`` gives ``v1`` or ``apps/v1``."""

    group: str
    version: str

    def __str__(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def empty(self) -> bool:
        """True when both parts are empty."""
        return not self.group and not self.version

    def with_resource(self, resource: str) -> GroupVersionResource:
        """This group-version with ``resource``."""
        return GroupVersionResource(self.group, self.version, resource)

    def with_kind(self, kind: str) -> GroupVersionKind:
        """This group-version with ``kind``."""
        return GroupVersionKind(self.group, self.version, kind)


@record(frozen=True, slots=True)
class GroupResource:
    """A resource in a group, no version. ``str()`` gives ``pods`` or ``deployments.apps``."""

    group: str
    resource: str

    def __str__(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def empty(self) -> bool:
        """True when both parts are empty."""
        return not self.group and not self.resource

    def with_version(self, version: str) -> GroupVersionResource:
        """This group-resource at ``version``."""
        return GroupVersionResource(self.group, version, self.resource)


@record(frozen=True, slots=True)
class GroupKind:
    """A kind in a group, no version. ``str()`` gives ``Pod`` or ``Deployment.apps``."""

    group: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def empty(self) -> bool:
        """True when both parts are empty."""
        return not self.group and not self.kind

    def with_version(self, version: str) -> GroupVersionKind:
        """This group-kind at ``version``."""
        return GroupVersionKind(self.group, version, self.kind)


@record(frozen=True, slots=True)
class GroupVersionResource:
    """A fully or partially specified resource; empty parts mean "any" to the mapper.

    ``str()`` is Go's ``group/version, Resource=resource``; empty parts stay empty
    (``/, Resource=foo``), which is exactly what client-go prints in ``no matches for ...``.
    """

    group: str
    version: str
    resource: str

    def __str__(self) -> str:
        return f"{self.group}/{self.version}, Resource={self.resource}"

    def empty(self) -> bool:
        """True when all parts are empty."""
        return not self.group and not self.version and not self.resource

    def group_version(self) -> GroupVersion:
        """The group and version."""
        return GroupVersion(self.group, self.version)

    def group_resource(self) -> GroupResource:
        """The group and resource, without the version."""
        return GroupResource(self.group, self.resource)


@record(frozen=True, slots=True)
class GroupVersionKind:
    """A fully or partially specified kind. ``str()`` is Go's ``group/version, Kind=Kind``."""

    group: str
    version: str
    kind: str

    def __str__(self) -> str:
        return f"{self.group}/{self.version}, Kind={self.kind}"

    def empty(self) -> bool:
        """True when all parts are empty."""
        return not self.group and not self.version and not self.kind

    def group_version(self) -> GroupVersion:
        """The group and version."""
        return GroupVersion(self.group, self.version)

    def group_kind(self) -> GroupKind:
        """The group and kind, without the version."""
        return GroupKind(self.group, self.kind)


def parse_group_version(text: str) -> GroupVersion:
    """Parse ``v1`` / ``apps/v1`` (and ``""`` → empty, ``/`` → empty).

    Raises:
        GroupVersionParseError: more than one ``/``.

    Upstream: apimachinery ``schema.ParseGroupVersion``.
    """
    if text in ("", "/"):
        return GroupVersion("", "")
    parts = text.split("/")
    if len(parts) == 1:
        return GroupVersion("", text)
    if len(parts) == 2:
        return GroupVersion(parts[0], parts[1])
    raise GroupVersionParseError(f"unexpected GroupVersion string: {text}")


def parse_group_resource(text: str) -> GroupResource:
    """Split at the first ``.``: ``deployments.apps`` → (``apps``, ``deployments``)."""
    resource, dot, group = text.partition(".")
    return GroupResource(group if dot else "", resource)


def parse_group_kind(text: str) -> GroupKind:
    """Split at the first ``.``: ``Deployment.apps`` → (``apps``, ``Deployment``)."""
    kind, dot, group = text.partition(".")
    return GroupKind(group if dot else "", kind)


def parse_resource_arg(text: str) -> tuple[GroupVersionResource | None, GroupResource]:
    """Read a command-line type argument both ways: as ``resource.version.group`` and as
    ``resource.group``.

    The first value is set only when the text has at least two dots; the group may then be
    empty (``pods.v1.`` means version v1 in *any* group). The second value is always
    ``parse_group_resource(text)``, so ``deployments.v1.apps`` also yields the (rarely useful)
    group ``v1.apps``.

    >>> parse_resource_arg("deployments.v1.apps")
    (GroupVersionResource(group='apps', version='v1', resource='deployments'), GroupResource(group='v1.apps', resource='deployments'))
    >>> parse_resource_arg("pods.v1")[0] is None
    True

    Upstream: apimachinery ``schema.ParseResourceArg``.
    """
    full: GroupVersionResource | None = None
    if text.count(".") >= 2:
        resource, version, group = text.split(".", 2)
        full = GroupVersionResource(group, version, resource)
    return full, parse_group_resource(text)


def parse_kind_arg(text: str) -> tuple[GroupVersionKind | None, GroupKind]:
    """Same splitting as :func:`parse_resource_arg`, producing kinds.

    Upstream: apimachinery ``schema.ParseKindArg``.
    """
    full: GroupVersionKind | None = None
    if text.count(".") >= 2:
        kind, version, group = text.split(".", 2)
        full = GroupVersionKind(group, version, kind)
    return full, parse_group_kind(text)
