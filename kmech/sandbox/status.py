"""meta/v1 Status bodies the sandbox answers with, and the exception that carries one to the wire.

Every failure the sandbox reports over HTTP is a ``Status`` object shaped like kube-apiserver's
(``kind``, ``apiVersion``, ``metadata``, ``status: Failure``, ``message``, ``reason``, ``code`` and
optional ``details``). Handlers raise :class:`StatusException`; the HTTP layer turns it into the
response line, the ``Retry-After`` header (429) and the JSON body.

Upstream: apimachinery ``pkg/api/errors/errors.go`` (NewNotFound, NewAlreadyExists, NewConflict,
NewResourceExpired, NewForbidden, NewTooManyRequests, NewInternalError, NewTimeoutError).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "StatusException",
    "status_body",
    "not_found",
    "path_not_found",
    "already_exists",
    "conflict",
    "expired",
    "bad_request",
    "invalid",
    "forbidden_field",
    "unsupported_field",
    "forbidden",
    "unauthorized",
    "too_many_requests",
    "internal_error",
    "too_large_resource_version",
    "not_acceptable",
    "method_not_allowed",
    "unsupported_media_type",
    "status_for_code",
]


def status_body(
    code: int,
    reason: str,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A Failure Status as kube-apiserver encodes it (``details`` only when given)."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": metadata or {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        body["details"] = details
    body["code"] = code
    return body


class StatusException(Exception):
    """A request failed with ``body`` (a Status) as its answer; raised inside the sandbox only."""

    def __init__(self, body: dict[str, Any], *, retry_after: int | None = None) -> None:
        super().__init__(body.get("message", ""))
        self.body = body
        self.code = int(body["code"])
        self.retry_after = retry_after


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> StatusException:
    """404 ``pods "x" not found`` (``details.kind`` is the plural resource, as upstream)."""
    return StatusException(
        status_body(
            404,
            "NotFound",
            f'{_qualified(resource, group)} "{name}" not found',
            {"name": name, "group": group, "kind": resource},
        )
    )


def path_not_found() -> StatusException:
    """404 for a path that names no served resource or discovery document."""
    return StatusException(
        status_body(404, "NotFound", "the server could not find the requested resource", {})
    )


def already_exists(resource: str, group: str, name: str) -> StatusException:
    """409 AlreadyExists for a create of an existing name."""
    return StatusException(
        status_body(
            409,
            "AlreadyExists",
            f'{_qualified(resource, group)} "{name}" already exists',
            {"name": name, "group": group, "kind": resource},
        )
    )


def conflict(resource: str, group: str, name: str) -> StatusException:
    """409 Conflict for an update whose resourceVersion precondition failed."""
    return StatusException(
        status_body(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": the object '
            "has been modified; please apply your changes to the latest version and try again",
            {"name": name, "group": group, "kind": resource},
        )
    )


def expired(message: str, *, continue_token: str | None = None) -> StatusException:
    """410 Expired (too old resourceVersion, or an expired continue token)."""
    metadata = {"continue": continue_token} if continue_token else None
    return StatusException(status_body(410, "Expired", message, metadata=metadata))


def bad_request(message: str) -> StatusException:
    """400 BadRequest."""
    return StatusException(status_body(400, "BadRequest", message))


def invalid(
    kind: str, name: str, errors: list[tuple[str, str, str]], *, group: str = ""
) -> StatusException:
    """422 Invalid, worded like apimachinery's NewInvalid over a field.ErrorList.

    ``errors`` holds (field path, cause reason, message body), e.g. ("resourceVersionMatch",
    "FieldValueForbidden", "Forbidden: ..."); the message is ``Kind.group "name" is invalid:
    field: body`` (a list in brackets when there are several).
    """
    qualified = _qualified(kind, group)
    texts = [f"{path}: {body}" for path, _, body in errors]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [{"reason": r, "message": body, "field": path} for path, r, body in errors]
    return StatusException(
        status_body(422, "Invalid", f'{qualified} "{name}" is invalid: {joined}', details)
    )


def forbidden_field(path: str, detail: str) -> tuple[str, str, str]:
    """A field.Forbidden error for :func:`invalid`."""
    return (path, "FieldValueForbidden", f"Forbidden: {detail}")


def unsupported_field(path: str, value: str, supported: list[str]) -> tuple[str, str, str]:
    """A field.NotSupported error for :func:`invalid`."""
    allowed = ", ".join(f'"{v}"' for v in supported)
    return (
        path,
        "FieldValueNotSupported",
        f'Unsupported value: "{value}": supported values: {allowed}',
    )


def forbidden(
    message: str, *, resource: str = "", group: str = "", name: str = ""
) -> StatusException:
    """403 Forbidden with kube-apiserver's details."""
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if resource:
        details["group"] = group
        details["kind"] = resource
    return StatusException(status_body(403, "Forbidden", message, details or None))


def unauthorized() -> StatusException:
    """401 exactly as kube-apiserver answers a missing or wrong bearer token."""
    return StatusException(status_body(401, "Unauthorized", "Unauthorized"))


def too_many_requests(message: str, retry_after: int | None) -> StatusException:
    """429 TooManyRequests; ``retry_after`` also becomes the Retry-After header."""
    details = {"retryAfterSeconds": retry_after} if retry_after is not None else None
    return StatusException(
        status_body(429, "TooManyRequests", message, details), retry_after=retry_after
    )


def internal_error(message: str) -> StatusException:
    """500 InternalError."""
    return StatusException(
        status_body(
            500,
            "InternalError",
            f"Internal error occurred: {message}",
            {"causes": [{"message": message}]},
        )
    )


def too_large_resource_version(requested: str, current: str) -> StatusException:
    """504 Timeout with cause ResourceVersionTooLarge (kube-apiserver storage/errors.go)."""
    return StatusException(
        status_body(
            504,
            "Timeout",
            f"Timeout: Too large resource version: {requested}, current: {current}",
            {
                "causes": [
                    {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
                ],
                "retryAfterSeconds": 1,
            },
        ),
        retry_after=1,
    )


def not_acceptable(accept: str) -> StatusException:
    """406 when no media range in Accept can be served."""
    return StatusException(
        status_body(
            406,
            "NotAcceptable",
            f"only the following media types are accepted: application/json (asked for: {accept})",
        )
    )


def method_not_allowed(method: str) -> StatusException:
    """405 for a verb the resource does not serve."""
    return StatusException(
        status_body(
            405,
            "MethodNotAllowed",
            f"the server does not allow this method ({method}) on the requested resource",
        )
    )


def unsupported_media_type(content_type: str) -> StatusException:
    """415 for a body type the sandbox does not decode (protobuf, CBOR, YAML, apply patches)."""
    hint = ""
    if "protobuf" in content_type:
        hint = (
            "; the kmech sandbox does not decode protobuf (kubectl's typed generators such as "
            "`kubectl create namespace` send it): use kubectl create -f or apply -f with a manifest"
        )
    return StatusException(
        status_body(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json, application/merge-patch+json, application/json-patch+json, "
            f'application/strategic-merge-patch+json (got "{content_type}"){hint}',
        )
    )


def status_for_code(code: int, message: str | None, too_old_message: str) -> dict[str, Any]:
    """A kube-apiserver-like Status body for an injected error ``code`` (410 uses
    ``too_old_message`` unless a message is given)."""
    if code == 410:
        return expired(message or too_old_message).body
    if code == 429:
        return too_many_requests(message or "Too many requests, please try again later.", 1).body
    if code == 500:
        return internal_error(message or "injected by the kmech sandbox").body
    if code == 504:
        if message:
            return status_body(504, "Timeout", message)
        return too_large_resource_version("0", "0").body
    reasons = {
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        409: "Conflict",
        422: "Invalid",
        503: "ServiceUnavailable",
    }
    reason = reasons.get(code, "InternalError" if code >= 500 else "BadRequest")
    return status_body(code, reason, message or f"injected {code} by the kmech sandbox")
