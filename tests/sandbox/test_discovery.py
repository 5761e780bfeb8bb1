"""Discovery on the wire: legacy and aggregated forms, negotiation by Accept, /version."""

from __future__ import annotations

import json

import pytest

from kmech.sandbox import Sandbox
from tests.sandbox.helpers import Client

KUBECTL_137 = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


@pytest.mark.parametrize(
    ("path", "accept", "content_type", "kind", "api_version"),
    [
        pytest.param(
            "/api",
            KUBECTL_137,
            V2,
            "APIGroupDiscoveryList",
            "apidiscovery.k8s.io/v2",
            id="api-kubectl-header",
        ),
        pytest.param(
            "/apis",
            KUBECTL_137,
            V2,
            "APIGroupDiscoveryList",
            "apidiscovery.k8s.io/v2",
            id="apis-kubectl-header",
        ),
        pytest.param(
            "/apis",
            f"{V2BETA1},application/json",
            V2BETA1,
            "APIGroupDiscoveryList",
            "apidiscovery.k8s.io/v2beta1",
            id="apis-v2beta1-first",
        ),
        pytest.param(
            "/api", "application/json", "application/json", "APIVersions", None, id="api-legacy"
        ),
        pytest.param(
            "/apis",
            "application/json, */*",
            "application/json",
            "APIGroupList",
            "v1",
            id="apis-legacy",
        ),
        pytest.param("/apis", None, "application/json", "APIGroupList", "v1", id="apis-no-accept"),
    ],
)
def test_discovery_negotiation(client: Client, path, accept, content_type, kind, api_version):
    answer = client.get(path, accept=accept)
    assert answer.status == 200
    assert answer.headers["content-type"] == content_type
    body = answer.json()
    assert body["kind"] == kind
    assert body.get("apiVersion") == api_version


@pytest.mark.parametrize(
    ("path", "group_version", "resource"),
    [
        pytest.param("/api/v1", "v1", "pods", id="core"),
        pytest.param("/apis/apps/v1", "apps/v1", "deployments", id="apps"),
        pytest.param("/apis/kyverno.io/v1", "kyverno.io/v1", "clusterpolicies", id="crd-group"),
    ],
)
def test_group_version_resource_lists(client: Client, path, group_version, resource):
    body = client.get(path).json()
    assert body["kind"] == "APIResourceList"
    assert body["groupVersion"] == group_version
    assert resource in [r["name"] for r in body["resources"]]


def test_version_and_unknown_paths(client: Client, fixtures_dir):
    expected = json.loads((fixtures_dir / "discovery" / "k3s-1.34" / "version.json").read_text())
    assert client.get("/version").json() == expected
    missing = client.get("/apis/nope.example.com/v1")
    assert missing.status == 404
    assert missing.json()["reason"] == "NotFound"
    assert client.get("/apis/apps").json()["preferredVersion"] == {
        "groupVersion": "apps/v1",
        "version": "v1",
    }


def test_legacy_only_folder_answers_legacy_to_aggregated_accept(fixtures_dir):
    with Sandbox(fixtures_dir / "discovery" / "minikube-1.33") as sb, Client(sb.url) as c:
        for path, kind in (("/api", "APIVersions"), ("/apis", "APIGroupList")):
            answer = c.get(path, accept=KUBECTL_137)
            assert answer.headers["content-type"] == "application/json"
            assert answer.json()["kind"] == kind


def test_generated_aggregated_from_legacy(fixtures_dir):
    folder = fixtures_dir / "discovery" / "minikube-1.33"
    with Sandbox(folder, generate_aggregated=True) as sb, Client(sb.url) as c:
        answer = c.get("/apis", accept=KUBECTL_137)
        assert answer.headers["content-type"] == V2
        items = answer.json()["items"]
        legacy = json.loads((folder / "apis.json").read_text())
        assert [i["metadata"]["name"] for i in items] == [g["name"] for g in legacy["groups"]]
        apps = next(i for i in items if i["metadata"]["name"] == "apps")
        deploy = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
        assert deploy["scope"] == "Namespaced"
        assert deploy["shortNames"] == ["deploy"]
        assert {s["subresource"] for s in deploy["subresources"]} >= {"scale", "status"}


def test_unacceptable_accept_is_406(client: Client):
    answer = client.get("/api/v1/pods", accept="application/vnd.kubernetes.protobuf")
    assert answer.status == 406
    assert answer.json()["reason"] == "NotAcceptable"


def test_bad_discovery_folder(tmp_path):
    from kmech.errors import SandboxError

    with pytest.raises(SandboxError) as info:
        Sandbox(tmp_path)
    assert str(info.value) == (
        f"{tmp_path} is not a discovery folder (api.json and apis.json are required); "
        "pass --discovery with a folder laid out like shared/fixtures/discovery/k3s-1.34"
    )
