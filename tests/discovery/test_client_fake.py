"""HTTPDiscoveryClient against a hand-written fake server (the HTTP path is in test_http.py)."""

from __future__ import annotations

import json
import threading

import pytest

from kmech.discovery.aggregated import ACCEPT_DISCOVERY
from kmech.discovery.client import HTTPDiscoveryClient
from kmech.errors import NotFoundError, Status, status_error
from kmech.transport.client import Response

AGG_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _agg(name, version, resources, freshness="Current"):
    return {
        "metadata": {"name": name},
        "versions": [{"version": version, "resources": resources, "freshness": freshness}],
    }


def _res(name, kind):
    return {
        "resource": name,
        "responseKind": {"kind": kind},
        "scope": "Namespaced",
        "singularResource": name[:-1],
        "verbs": ["get"],
    }


class FakeServer:
    """Answers discovery paths from a dict; records requests (path, Accept)."""

    def __init__(self, routes, aggregated=None):
        self.routes = routes
        self.aggregated = aggregated or {}
        self.requests = []
        self.lock = threading.Lock()

    @property
    def server(self):
        return "http://fake:1"

    def request(self, method, path, *, headers=None, raise_for_status=True):
        accept = (headers or {}).get("Accept", "application/json")
        with self.lock:
            self.requests.append((path, accept))
        if "apidiscovery" in accept and path in self.aggregated:
            return Response(
                200, {"content-type": AGG_CT}, json.dumps(self.aggregated[path]).encode()
            )
        if path not in self.routes:
            status = Status(404, "NotFound", "the server could not find the requested resource")
            if raise_for_status:
                raise status_error(status)
            return Response(404, {"content-type": "application/json"}, b"{}")
        code, body = self.routes[path]
        if code != 200:
            if raise_for_status:
                raise status_error(Status(code, "", body))
            return Response(code, {}, b"")
        return Response(200, {"content-type": "application/json"}, json.dumps(body).encode())


LEGACY = {
    "/api": (200, {"versions": ["v1"]}),
    "/apis": (
        200,
        {
            "groups": [
                {
                    "name": "apps",
                    "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                    "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
                },
                {
                    "name": "metrics.k8s.io",
                    "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}],
                    "preferredVersion": {
                        "groupVersion": "metrics.k8s.io/v1beta1",
                        "version": "v1beta1",
                    },
                },
            ]
        },
    ),
    "/api/v1": (200, {"groupVersion": "v1", "resources": [{"name": "pods", "kind": "Pod"}]}),
    "/apis/apps/v1": (
        200,
        {"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": "Deployment"}]},
    ),
    "/apis/metrics.k8s.io/v1beta1": (503, "the server is currently unable to handle the request"),
}


def test_legacy_fetches_every_group_version_and_reports_failures():
    fake = FakeServer(LEGACY)
    docs = HTTPDiscoveryClient(fake).server_groups_and_resources()
    assert [g["name"] for g in docs.group_list["groups"]] == ["", "apps", "metrics.k8s.io"]
    assert list(docs.resource_lists) == ["v1", "apps/v1"]
    assert docs.failures == {
        "metrics.k8s.io/v1beta1": "the server is currently unable to handle the request"
    }
    # /api and /apis are asked at once, in either order.
    assert sorted(fake.requests[:2]) == [("/api", ACCEPT_DISCOVERY), ("/apis", ACCEPT_DISCOVERY)]
    assert sorted(p for p, _ in fake.requests[2:]) == [
        "/api/v1",
        "/apis/apps/v1",
        "/apis/metrics.k8s.io/v1beta1",
    ]


def test_aggregated_uses_two_requests_and_reports_stale():
    aggregated = {
        "/api": {"items": [_agg("", "v1", [_res("pods", "Pod")])]},
        "/apis": {
            "items": [
                _agg("apps", "v1", [_res("deployments", "Deployment")]),
                _agg("metrics.k8s.io", "v1beta1", [], "Stale"),
            ]
        },
    }
    fake = FakeServer(LEGACY, aggregated)
    client = HTTPDiscoveryClient(fake)
    docs = client.server_groups_and_resources()
    assert client.aggregated is True
    assert sorted(p for p, _ in fake.requests) == ["/api", "/apis"]  # asked at once
    assert list(docs.resource_lists) == ["v1", "apps/v1"]
    assert docs.failures == {
        "metrics.k8s.io/v1beta1": "stale GroupVersion discovery: metrics.k8s.io/v1beta1"
    }
    metrics = docs.group_list["groups"][2]
    assert metrics["name"] == "metrics.k8s.io" and metrics["versions"] == []


def test_mixed_answers_fall_back_to_legacy_resources():
    fake = FakeServer(LEGACY, {"/api": {"items": [_agg("", "v1", [_res("pods", "Pod")])]}})
    client = HTTPDiscoveryClient(fake)
    docs = client.server_groups_and_resources()
    assert client.aggregated is False
    assert [g["name"] for g in docs.group_list["groups"]] == ["", "apps", "metrics.k8s.io"]
    assert "/api/v1" in [p for p, _ in fake.requests]


def test_missing_core_is_tolerated_but_missing_apis_is_not():
    routes = {k: v for k, v in LEGACY.items() if k != "/api"}
    docs = HTTPDiscoveryClient(FakeServer(routes)).server_groups_and_resources()
    assert [g["name"] for g in docs.group_list["groups"]] == ["apps", "metrics.k8s.io"]
    routes = {k: v for k, v in LEGACY.items() if k != "/apis"}
    with pytest.raises(NotFoundError):
        HTTPDiscoveryClient(FakeServer(routes)).server_groups_and_resources()


def test_empty_list_is_a_failure():
    routes = dict(LEGACY)
    routes["/apis/apps/v1"] = (200, {"groupVersion": "apps/v1", "resources": []})
    docs = HTTPDiscoveryClient(FakeServer(routes)).server_groups_and_resources()
    assert docs.failures["apps/v1"] == "Got empty response for: apps/v1"


def test_memory_until_invalidate():
    fake = FakeServer(LEGACY)
    client = HTTPDiscoveryClient(fake)
    client.server_groups_and_resources()
    client.server_groups_and_resources()
    assert len(fake.requests) == 5
    client.invalidate()
    client.server_groups_and_resources()
    assert len(fake.requests) == 10
