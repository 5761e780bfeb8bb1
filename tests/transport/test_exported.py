"""The transport's public surface, pinned: a change here is a contract change for other layers."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    ("module", "names"),
    [
        pytest.param(
            "kmech.transport.client",
            {
                "Response",
                "RESTClient",
                "WatchStream",
                "DEFAULT_CONNECT_TIMEOUT",
                "DEFAULT_READ_TIMEOUT",
                "parse_retry_after",
            },
            id="client",
        ),
        pytest.param(
            "kmech.transport.kubeconfig",
            {
                "RestConfig",
                "load_rest_config",
                "kubeconfig_paths",
                "merge_kubeconfigs",
                "NO_CLUSTER",
            },
            id="kubeconfig",
        ),
        pytest.param("kmech.transport.watch_stream", {"WatchStream"}, id="watch_stream"),
        pytest.param("kmech.transport.errors", {"translate", "format_seconds"}, id="errors"),
        pytest.param(
            "kmech.transport.redact",
            {
                "LOG_REQUESTS",
                "LOG_HEADERS",
                "is_sensitive_header",
                "redact_header",
                "redact_headers",
                "redact_url",
                "log_request",
            },
            id="redact",
        ),
        pytest.param("kmech.transport.options", {"ConnectionOptions"}, id="options"),
    ],
)
def test_all_is_pinned_and_resolves(module: str, names: set[str]) -> None:
    mod = importlib.import_module(module)
    assert set(mod.__all__) == names
    for name in names:
        assert hasattr(mod, name), name


def test_client_watch_stream_is_the_streaming_class() -> None:
    from kmech.transport import client, watch_stream

    assert client.WatchStream is watch_stream.WatchStream
