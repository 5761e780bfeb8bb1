"""The mapper's error classes, carrying their data and building client-go's exact messages.

Hierarchy (all exit code 3 through ``kmech.errors.MapperError``)::

    MapperError
    ├── NoMatchError                   nothing matched (client-go ``meta.IsNoMatchError``)
    │   ├── NoResourceMatchError       no matches for <GVR>
    │   └── NoKindMatchError           no matches for kind "K" in version "G/V"
    ├── AmbiguousError                 more than one thing matched (``meta.IsAmbiguousError``)
    │   ├── AmbiguousResourceError     <GVR> matches multiple resources [...] / kinds [...]
    │   └── AmbiguousKindError         <GVK> matches multiple resources [...] / kinds [...]
    ├── ResourceRequiredError          a resource must be present, got: <GVR>
    └── ResourceTypeNotFoundError      kubectl: the server doesn't have a resource type "X"

A discovery layer that caches discovery data should treat :func:`is_no_match` (and
``ResourceTypeNotFoundError``) as "maybe my data is stale": client-go's
DeferredDiscoveryRESTMapper invalidates its cache and retries once on such a miss.

Upstream: apimachinery ``pkg/api/meta/errors.go``; cli-runtime ``pkg/resource/builder.go``
(``mappingFor``'s not-found message).
"""

from __future__ import annotations

from collections.abc import Sequence

from kmech.errors import MapperError
from kmech.mapper._gofmt import go_list, go_quote
from kmech.mapper.schema import (
    GroupKind,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
)

__all__ = [
    "MapperError",
    "NoMatchError",
    "NoResourceMatchError",
    "NoKindMatchError",
    "AmbiguousError",
    "AmbiguousResourceError",
    "AmbiguousKindError",
    "ResourceRequiredError",
    "ResourceTypeNotFoundError",
    "is_no_match",
    "is_ambiguous",
    "did_you_mean",
]


def did_you_mean(suggestions: Sequence[str]) -> str:
    """``did you mean "pods" or "podtemplates"?``, or ``""`` without suggestions."""
    if not suggestions:
        return ""
    quoted = [go_quote(s) for s in suggestions]
    if len(quoted) == 1:
        return f"did you mean {quoted[0]}?"
    return "did you mean " + ", ".join(quoted[:-1]) + f" or {quoted[-1]}?"


class NoMatchError(MapperError):
    """Nothing matched the request; the discovery data may be stale (retry after refreshing).

    ``suggestions`` (nearest known names) is filled only by the high-level ``resolve_kind``.
    """

    suggestions: tuple[str, ...] = ()

    @property
    def hint(self) -> str:
        """A "did you mean" sentence for a second output line, or ``""``."""
        return did_you_mean(self.suggestions)


class NoResourceMatchError(NoMatchError):
    """No resource matched ``partial_resource``."""

    def __init__(self, partial_resource: GroupVersionResource) -> None:
        super().__init__(f"no matches for {partial_resource}")
        self.partial_resource = partial_resource


class NoKindMatchError(NoMatchError):
    """No mapping exists for ``group_kind`` in any of ``searched_versions``.

    The message names the searched group-versions: none → the group, one → that version,
    several → the sorted, de-duplicated list.
    """

    def __init__(self, group_kind: GroupKind, searched_versions: Sequence[str] = ()) -> None:
        self.group_kind = group_kind
        self.searched_versions = tuple(searched_versions)
        versions = sorted({str(GroupVersion(group_kind.group, v)) for v in searched_versions})
        kind = go_quote(group_kind.kind)
        if not versions:
            text = f"no matches for kind {kind} in group {go_quote(group_kind.group)}"
        elif len(versions) == 1:
            text = f"no matches for kind {kind} in version {go_quote(versions[0])}"
        else:
            quoted = "[" + " ".join(go_quote(v) for v in versions) + "]"
            text = f"no matches for kind {kind} in versions {quoted}"
        super().__init__(text)


def _ambiguous_text(
    partial: object,
    resources: Sequence[GroupVersionResource],
    kinds: Sequence[GroupVersionKind],
) -> str:
    if resources and kinds:
        return (
            f"{partial} matches multiple resources {go_list(resources)} and kinds {go_list(kinds)}"
        )
    if kinds:
        return f"{partial} matches multiple kinds {go_list(kinds)}"
    if resources:
        return f"{partial} matches multiple resources {go_list(resources)}"
    return f"{partial} matches multiple resources or kinds"


class AmbiguousError(MapperError):
    """More than one resource or kind matched and priority could not pick one."""

    matching_resources: tuple[GroupVersionResource, ...]
    matching_kinds: tuple[GroupVersionKind, ...]


class AmbiguousResourceError(AmbiguousError):
    """``partial_resource`` matched several resources or kinds (every match is kept)."""

    def __init__(
        self,
        partial_resource: GroupVersionResource,
        *,
        matching_resources: Sequence[GroupVersionResource] = (),
        matching_kinds: Sequence[GroupVersionKind] = (),
    ) -> None:
        self.partial_resource = partial_resource
        self.matching_resources = tuple(matching_resources)
        self.matching_kinds = tuple(matching_kinds)
        super().__init__(
            _ambiguous_text(partial_resource, self.matching_resources, self.matching_kinds)
        )


class AmbiguousKindError(AmbiguousError):
    """``partial_kind`` (version empty) has several mappings that priority could not order."""

    def __init__(
        self,
        partial_kind: GroupVersionKind,
        *,
        matching_resources: Sequence[GroupVersionResource] = (),
        matching_kinds: Sequence[GroupVersionKind] = (),
    ) -> None:
        self.partial_kind = partial_kind
        self.matching_resources = tuple(matching_resources)
        self.matching_kinds = tuple(matching_kinds)
        super().__init__(
            _ambiguous_text(partial_kind, self.matching_resources, self.matching_kinds)
        )


class ResourceRequiredError(MapperError):
    """The query had an empty resource name (client-go returns a plain error, not a NoMatch)."""

    def __init__(self, query: GroupVersionResource) -> None:
        super().__init__(f"a resource must be present, got: {query}")
        self.query = query


class ResourceTypeNotFoundError(MapperError):
    """kubectl's verdict for a type argument that matched no resource and no kind.

    ``message`` is exactly kubectl's text; ``suggestions`` holds the nearest known names
    (filled by :mod:`kmech.mapper.suggest`, empty when nothing is close) and ``hint`` renders
    them as a "did you mean" sentence for a second output line.
    """

    def __init__(
        self,
        resource: str,
        *,
        argument: str = "",
        suggestions: Sequence[str] = (),
        note: str = "",
        group: str = "",
    ) -> None:
        # kubectl >= 1.33 (cmdutil.CheckErr on a NoResourceMatchError) names the group part.
        in_group = f" in group {go_quote(group)}" if group else ""
        super().__init__(f"the server doesn't have a resource type {go_quote(resource)}{in_group}")
        self.group = group
        self.resource = resource
        self.argument = argument or resource
        self.suggestions = tuple(suggestions)
        self.note = note

    @property
    def hint(self) -> str:
        """The note (e.g. the TYPE/NAME reading of ``pods/log``) and the "did you mean"
        sentence, joined; ``""`` when there is neither."""
        return " ".join(part for part in (self.note, did_you_mean(self.suggestions)) if part)


def is_no_match(err: BaseException) -> bool:
    """True for NoResourceMatchError and NoKindMatchError (client-go ``meta.IsNoMatchError``)."""
    return isinstance(err, NoMatchError)


def is_ambiguous(err: BaseException) -> bool:
    """True for both ambiguity errors (client-go ``meta.IsAmbiguousError``)."""
    return isinstance(err, AmbiguousError)
