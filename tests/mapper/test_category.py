"""CategoryExpander (spec §9): discovery order, repeats per version, exact names."""

from __future__ import annotations

from kmech.mapper import GroupResource
from tests.mapper.spec_fixtures import fixture


def test_all_keeps_discovery_order_and_repeats() -> None:
    members = fixture("F0").expand_category("all")
    assert members is not None
    assert [str(m) for m in members] == [
        "pods",
        "replicationcontrollers",
        "services",
        "daemonsets.apps",
        "deployments.apps",
        "replicasets.apps",
        "statefulsets.apps",
        "horizontalpodautoscalers.autoscaling",
        "horizontalpodautoscalers.autoscaling",
        "cronjobs.batch",
        "jobs.batch",
    ]


def test_case_sensitive_and_unknown() -> None:
    mapper = fixture("F0")
    assert mapper.expand_category("All") is None
    assert mapper.expand_category("pods") is None
    assert mapper.categories() == ["all", "acme"]


def test_crd_category() -> None:
    assert fixture("F0").expand_category("acme") == (
        GroupResource("acme.example.com", "widgets"),
        GroupResource("acme.example.com", "widgets"),
        GroupResource("acme.example.com", "gadgets"),
    )
