"""The seam between an informer and a server: ``list`` and ``watch`` for one resource.

A :class:`ListerWatcher` is bound to one resource (GroupVersionResource), one namespace (or all) and
one selector set, and is the only place that performs I/O for an informer. kmech ships two: the
HTTP one in the CLI layer and :class:`kmech.informers.testing.FakeControllerSource` (in memory).

Errors a ListerWatcher raises, and what the reflector does with them (spec §3.5):

- :class:`~kmech.errors.GoneError` (410, reason ``Expired`` or ``Gone``): from ``list`` it means the
  resourceVersion or continue token is too old; from ``watch`` (request time) it forces a relist.
- :class:`~kmech.errors.TooManyRequestsError` (429, ``retry_after_seconds``): back off and retry
  the same request; never a relist when raised by ``watch``.
- :class:`~kmech.errors.ConnectError`: from ``watch`` (request time) back off and re-watch at the
  same resourceVersion; raised while iterating a stream it is a clean end (re-watch at once).
- :class:`~kmech.errors.RequestTimeoutError` while iterating: the read-idle timeout, a clean end.
- :class:`~kmech.errors.WatchDecodeError` while iterating: garbage on the stream, forces a relist.
- any other :class:`~kmech.errors.APIStatusError`: from ``list``/``watch`` a failure (the watch-error
  hook runs, then backoff and relist).

In-stream errors arrive as :attr:`EventType.ERROR` events whose object is a meta/v1 ``Status``.

Upstream: client-go ``tools/cache/listwatch.go`` (ListerWatcher, ListWatch),
apimachinery ``pkg/watch/watch.go`` (Interface, EventType).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

__all__ = [
    "Object",
    "EventType",
    "WatchEvent",
    "ListOptions",
    "ListResult",
    "WatchInterface",
    "ListerWatcher",
    "ListWatch",
]

Object = dict[str, Any]
"""A decoded Kubernetes object. Objects handed to handlers or kept in a store are shared: read-only."""


class EventType(StrEnum):
    """The ``type`` of a watch event, exactly as on the wire."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"
    BOOKMARK = "BOOKMARK"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One decoded watch event. For ERROR, ``object`` is a meta/v1 Status."""

    type: EventType
    object: Object


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOptions:
    """Query parameters of one LIST or WATCH request (meta/v1 ListOptions).

    Empty strings and ``0``/``None``/``False`` mean "leave the parameter out" (client-go omits an
    empty ``resourceVersion``; ``"0"`` is a real value meaning "any").
    """

    resource_version: str = ""
    resource_version_match: str = ""
    limit: int = 0
    continue_token: str = ""
    label_selector: str = ""
    field_selector: str = ""
    timeout_seconds: int | None = None
    allow_watch_bookmarks: bool = False
    send_initial_events: bool = False

    def replace(self, **changes: Any) -> ListOptions:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """The query parameters as the API server expects them (omitting unset ones).

        ``watch=true`` is not included: that is the caller's choice of verb.
        """
        q: dict[str, str] = {}
        if self.label_selector:
            q["labelSelector"] = self.label_selector
        if self.field_selector:
            q["fieldSelector"] = self.field_selector
        if self.resource_version:
            q["resourceVersion"] = self.resource_version
        if self.resource_version_match:
            q["resourceVersionMatch"] = self.resource_version_match
        if self.limit:
            q["limit"] = str(self.limit)
        if self.continue_token:
            q["continue"] = self.continue_token
        if self.timeout_seconds is not None:
            q["timeoutSeconds"] = str(self.timeout_seconds)
        if self.allow_watch_bookmarks:
            q["allowWatchBookmarks"] = "true"
        if self.send_initial_events:
            q["sendInitialEvents"] = "true"
        return q


@dataclass(frozen=True, slots=True)
class ListResult:
    """One LIST response page: items, the list's resourceVersion, and the paging metadata.

    ``continue_token`` is ``""`` on the last page; ``remaining`` is ``remainingItemCount`` when the
    server sent it (it does not with selectors). Items need not carry ``apiVersion``/``kind``.
    """

    items: list[Object]
    resource_version: str
    continue_token: str = ""
    remaining: int | None = None


class WatchInterface(Protocol):
    """An open watch: iterate for events; :meth:`stop` may be called from any thread.

    Iteration ends when the server closes the stream or after :meth:`stop`; it may raise the
    errors listed in the module docstring. After :meth:`stop` a blocked iteration returns promptly
    (the HTTP implementation closes the socket).
    """

    def __iter__(self) -> Iterator[WatchEvent]: ...

    def stop(self) -> None: ...


class ListerWatcher(Protocol):
    """Lists and watches one resource in one namespace with one selector set."""

    def list(self, options: ListOptions) -> ListResult:
        """One LIST request (one page when ``options.limit`` is set)."""
        ...

    def watch(self, options: ListOptions) -> WatchInterface:
        """Open a WATCH; errors the server answers before any event are raised here."""
        ...


@dataclass(frozen=True, slots=True)
class ListWatch:
    """A :class:`ListerWatcher` from two functions, adding fixed selectors to every request.

    The reflector never sets selectors itself: binding them here (client-go's
    ``tweakListOptions``) guarantees every LIST and WATCH of one informer, relists included, sends
    identical selectors.
    """

    list_func: Callable[[ListOptions], ListResult]
    watch_func: Callable[[ListOptions], WatchInterface]
    label_selector: str = field(default="", kw_only=True)
    field_selector: str = field(default="", kw_only=True)

    def _tweak(self, options: ListOptions) -> ListOptions:
        if not self.label_selector and not self.field_selector:
            return options
        return options.replace(
            label_selector=self.label_selector, field_selector=self.field_selector
        )

    def list(self, options: ListOptions) -> ListResult:
        return self.list_func(self._tweak(options))

    def watch(self, options: ListOptions) -> WatchInterface:
        return self.watch_func(self._tweak(options))
