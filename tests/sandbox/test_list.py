"""LIST: selectors, paging with continue tokens, resourceVersion and resourceVersionMatch."""

from __future__ import annotations

import pytest

from kmech.sandbox import Sandbox
from tests.sandbox.helpers import Client, pod

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def five(sb):
    labels = [
        {"app": "web", "tier": "front"},
        {"app": "web", "tier": "back"},
        {"app": "db"},
        {"env": "prod"},
        {},
    ]
    for i, lab in enumerate(labels):
        sb.create("pods", pod(f"p{i}", labels=lab, phase="Running" if i % 2 else "Pending"))
    sb.create("pods", pod("other", labels={"app": "web"}), namespace="shop")
    return sb


def names(answer) -> list[str]:
    return [i["metadata"]["name"] for i in answer.json()["items"]]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param("app=web", ["p0", "p1"], id="equals"),
        pytest.param("app==web", ["p0", "p1"], id="double-equals"),
        pytest.param("app!=web", ["p2", "p3", "p4"], id="not-equals-includes-missing"),
        pytest.param("app in (web,db)", ["p0", "p1", "p2"], id="in"),
        pytest.param("app notin (web)", ["p2", "p3", "p4"], id="notin-includes-missing"),
        pytest.param("env", ["p3"], id="exists"),
        pytest.param("!app", ["p3", "p4"], id="does-not-exist"),
        pytest.param("app=web,tier=back", ["p1"], id="and"),
        pytest.param("app in (web), tier notin (front)", ["p1"], id="set-and-spaces"),
    ],
)
def test_label_selectors(client: Client, five, selector, expected):
    assert names(client.get(PODS, params={"labelSelector": selector})) == expected


@pytest.mark.parametrize(
    ("path", "selector", "expected"),
    [
        pytest.param(PODS, "metadata.name=p2", ["p2"], id="name"),
        pytest.param(PODS, "metadata.name!=p2", ["p0", "p1", "p3", "p4"], id="name-not"),
        pytest.param("/api/v1/pods", "metadata.namespace=shop", ["other"], id="namespace"),
        pytest.param(PODS, "status.phase=Running", ["p1", "p3"], id="pod-phase"),
    ],
)
def test_field_selectors(client: Client, five, path, selector, expected):
    assert names(client.get(path, params={"fieldSelector": selector})) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param(
            {"fieldSelector": "spec.replicas=1"},
            "field label not supported: spec.replicas",
            id="unsupported-field",
        ),
        pytest.param(
            {"labelSelector": "app in web"},
            "unable to parse requirement: found 'web', expected: '('",
            id="bad-label",
        ),
    ],
)
def test_bad_selectors_are_400(client: Client, five, params, message):
    answer = client.get(PODS, params=params)
    assert answer.status == 400
    assert answer.json()["message"] == message


def test_all_namespaces_and_list_shape(client: Client, five, sb):
    body = client.get("/api/v1/pods").json()
    assert body["kind"] == "PodList"
    assert body["metadata"] == {"resourceVersion": sb.resource_version}
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in body["items"]][-1] == (
        "shop",
        "other",
    )
    # Built-in list items come without apiVersion/kind, as kube-apiserver encodes them.
    assert "kind" not in body["items"][0]
    assert client.get("/api/v1/namespaces/empty/pods").json()["items"] == []


def test_paging_walks_a_consistent_snapshot(client: Client, five, sb):
    first = client.get(PODS, params={"limit": 2}).json()
    assert [i["metadata"]["name"] for i in first["items"]] == ["p0", "p1"]
    assert first["metadata"]["remainingItemCount"] == 3
    snapshot_rv = first["metadata"]["resourceVersion"]
    sb.delete("pods", "p3")
    sb.create("pods", pod("p9"))
    second = client.get(PODS, params={"limit": 2, "continue": first["metadata"]["continue"]}).json()
    assert [i["metadata"]["name"] for i in second["items"]] == ["p2", "p3"]
    assert second["metadata"]["resourceVersion"] == snapshot_rv
    third = client.get(PODS, params={"limit": 2, "continue": second["metadata"]["continue"]}).json()
    assert [i["metadata"]["name"] for i in third["items"]] == ["p4"]
    assert "continue" not in third["metadata"]


def test_paging_with_selector_has_no_remaining_count(client: Client, five):
    first = client.get(PODS, params={"limit": 1, "labelSelector": "app"}).json()
    assert "remainingItemCount" not in first["metadata"]
    second = client.get(
        PODS, params={"limit": 5, "labelSelector": "app", "continue": first["metadata"]["continue"]}
    )
    assert names(second) == ["p1", "p2"]


def test_expired_continue_token_is_410(client: Client, five, sb):
    token = client.get(PODS, params={"limit": 2}).json()["metadata"]["continue"]
    sb.create("pods", pod("later"))
    sb.compact()
    answer = client.get(PODS, params={"limit": 2, "continue": token})
    assert answer.status == 410
    status = answer.json()
    assert status["reason"] == "Expired"
    assert status["message"].startswith("The provided continue parameter is too old")


def test_exact_and_not_older_than(client: Client, five, sb):
    old_rv = sb.resource_version
    sb.create("pods", pod("new"))
    exact = client.get(
        PODS, params={"resourceVersion": old_rv, "resourceVersionMatch": "Exact"}
    ).json()
    assert "new" not in [i["metadata"]["name"] for i in exact["items"]]
    assert exact["metadata"]["resourceVersion"] == old_rv
    # limit + resourceVersion without a match means Exact, too.
    assert (
        client.get(PODS, params={"resourceVersion": old_rv, "limit": 50}).json()["metadata"][
            "resourceVersion"
        ]
        == old_rv
    )
    newer = client.get(
        PODS, params={"resourceVersion": old_rv, "resourceVersionMatch": "NotOlderThan"}
    ).json()
    assert "new" in [i["metadata"]["name"] for i in newer["items"]]
    assert newer["metadata"]["resourceVersion"] == sb.resource_version
    any_rv = client.get(PODS, params={"resourceVersion": "0"}).json()
    assert len(any_rv["items"]) == 6


@pytest.mark.parametrize(
    ("params", "code", "reason"),
    [
        pytest.param({"resourceVersionMatch": "Exact"}, 422, "Invalid", id="match-without-rv"),
        pytest.param(
            {"resourceVersion": "0", "resourceVersionMatch": "Exact"},
            422,
            "Invalid",
            id="exact-zero",
        ),
        pytest.param(
            {"resourceVersion": "1", "resourceVersionMatch": "Sometime"},
            422,
            "Invalid",
            id="unknown-match",
        ),
        pytest.param({"resourceVersion": "abc"}, 400, "BadRequest", id="malformed-rv"),
        pytest.param(
            {"resourceVersion": "99999999", "limit": 1}, 504, "Timeout", id="too-large-exact"
        ),
    ],
)
def test_resource_version_errors(client: Client, five, params, code, reason):
    answer = client.get(PODS, params=params)
    assert answer.status == code
    assert answer.json()["reason"] == reason


def test_invalid_list_options_message(client: Client, five):
    status = client.get(PODS, params={"resourceVersionMatch": "Exact", "continue": "x"}).json()
    assert status["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch '
        "is forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: "
        "resourceVersionMatch is forbidden when continue is provided]"
    )
    assert client.get(PODS, params={"sendInitialEvents": "true"}).status == 422


def test_too_large_status_has_cause(client: Client, five):
    status = client.get(PODS, params={"resourceVersion": "99999999", "limit": 1}).json()
    assert status["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"
    assert status["details"]["retryAfterSeconds"] == 1


def test_exact_below_history_is_410(client: Client, five, sb):
    old_rv = sb.resource_version
    sb.create("pods", pod("new"))
    sb.compact()
    answer = client.get(PODS, params={"resourceVersion": old_rv, "resourceVersionMatch": "Exact"})
    assert answer.status == 410
    assert answer.json()["message"] == f"too old resource version: {old_rv} ({sb.resource_version})"


def test_opaque_resource_versions():
    with Sandbox(opaque_resource_versions=True) as sb, Client(sb.url) as c:
        rv = sb.create("pods", pod("p"))["metadata"]["resourceVersion"]
        assert rv.startswith("rv-") and not rv[3:].isdigit() or not rv.isdigit()
        listed = c.get(PODS, params={"resourceVersion": rv, "resourceVersionMatch": "Exact"}).json()
        assert listed["metadata"]["resourceVersion"] == rv
        assert c.get(PODS, params={"resourceVersion": "12"}).status == 400
