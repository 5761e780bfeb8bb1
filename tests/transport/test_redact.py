"""Request logs at -v 6 / -v 8 never show a credential."""

from __future__ import annotations

import pytest

from kmech.transport.redact import log_request, redact_header, redact_url


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        pytest.param("Authorization", "Bearer abc.def", "Bearer <masked>", id="bearer"),
        pytest.param("authorization", "Basic YWRtaW46eA==", "Basic <masked>", id="basic"),
        pytest.param("Authorization", "justatoken", "<masked>", id="no-scheme"),
        pytest.param("Proxy-Authorization", "Basic x", "Basic <masked>", id="proxy"),
        pytest.param("X-Auth-Token", "abc", "<masked>", id="x-auth-token"),
        pytest.param("X-Api-Key", "abc", "<masked>", id="api-key"),
        pytest.param("Cookie", "session=abc", "<masked>", id="cookie"),
        pytest.param("Accept", "application/json", "application/json", id="accept"),
        pytest.param("User-Agent", "kmech/v0.1.0", "kmech/v0.1.0", id="user-agent"),
    ],
)
def test_redact_header(name: str, value: str, expected: str) -> None:
    assert redact_header(name, value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://h/api?watch=1", "https://h/api?watch=1", id="plain"),
        pytest.param("https://u:p@h/api", "https://<masked>@h/api", id="userinfo"),
        pytest.param(
            "https://h/x?access_token=abc&limit=5",
            "https://h/x?access_token=%3Cmasked%3E&limit=5",
            id="query-token",
        ),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("verbosity", "expected"),
    [
        pytest.param(5, [], id="v5-silent"),
        pytest.param(6, ["GET https://h/version 200 OK in 12 milliseconds"], id="v6-line"),
        pytest.param(
            8,
            [
                "Request Headers:",
                "    Accept: application/json",
                "    Authorization: Bearer <masked>",
                "GET https://h/version 200 OK in 12 milliseconds",
                "Response Headers:",
                "    content-type: application/json",
            ],
            id="v8-headers",
        ),
    ],
)
def test_log_request(transport_log: list[str], verbosity: int, expected: list[str]) -> None:
    log_request(
        verbosity,
        "GET",
        "https://h/version",
        status=200,
        reason="OK",
        latency_seconds=0.012,
        request_headers={"Accept": "application/json", "Authorization": "Bearer s3cr3t"},
        response_headers={"content-type": "application/json"},
    )
    assert transport_log == expected
    assert not any("s3cr3t" in line for line in transport_log)
