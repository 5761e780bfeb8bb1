"""The discovery fixtures of spec/restmapper.md §15, as legacy discovery JSON (kubectl cache shape).

``R(name, singular, Kind, scope, shortNames, categories)`` rows become APIResource dicts; groups
are listed in discovery order, the first version preferred unless stated.
"""

from __future__ import annotations

from typing import Any

from kmech.mapper import DiscoveryRESTMapper, build_rest_mapper


def R(  # noqa: N802 - mirrors the spec's notation
    name: str,
    singular: str,
    kind: str,
    scope: str = "N",
    short: tuple[str, ...] = (),
    cats: tuple[str, ...] = (),
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "name": name,
        "singularName": singular,
        "namespaced": scope == "N",
        "kind": kind,
        "verbs": ["get", "list"] if "/" not in name else ["get"],
    }
    if short:
        res["shortNames"] = list(short)
    if cats:
        res["categories"] = list(cats)
    return res


Group = tuple[str, list[str], str, dict[str, list[dict[str, Any]]]]


def G(name: str, versions: dict[str, list[dict[str, Any]]], preferred: str = "") -> Group:
    order = list(versions)
    return (name, order, preferred or order[0], versions)


def build(groups: list[Group]) -> DiscoveryRESTMapper:
    return build_rest_mapper(*documents(groups))


def documents(groups: list[Group]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(APIGroupList, {groupVersion: APIResourceList}) for ``groups``, kubectl cache shape."""
    group_list: dict[str, Any] = {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
    lists: dict[str, Any] = {}
    for name, order, preferred, versions in groups:

        def gv(v: str, name: str = name) -> str:
            return f"{name}/{v}" if name else v

        group_list["groups"].append(
            {
                "name": name,
                "versions": [{"groupVersion": gv(v), "version": v} for v in order],
                "preferredVersion": {"groupVersion": gv(preferred), "version": preferred},
            }
        )
        for v, resources in versions.items():
            lists[gv(v)] = {
                "kind": "APIResourceList",
                "groupVersion": gv(v),
                "resources": resources,
            }
    return group_list, lists


def core_v1() -> list[dict[str, Any]]:
    return [
        R("componentstatuses", "componentstatus", "ComponentStatus", "C", ("cs",)),
        R("endpoints", "endpoints", "Endpoints", "N", ("ep",)),
        R("events", "event", "Event", "N", ("ev",)),
        R("namespaces", "namespace", "Namespace", "C", ("ns",)),
        R("nodes", "node", "Node", "C", ("no",)),
        R("pods", "pod", "Pod", "N", ("po",), ("all",)),
        R("pods/log", "", "Pod"),
        R(
            "replicationcontrollers",
            "replicationcontroller",
            "ReplicationController",
            "N",
            ("rc",),
            ("all",),
        ),
        R("services", "service", "Service", "N", ("svc",), ("all",)),
    ]


def _hpa() -> list[dict[str, Any]]:
    return [
        R(
            "horizontalpodautoscalers",
            "horizontalpodautoscaler",
            "HorizontalPodAutoscaler",
            "N",
            ("hpa",),
            ("all",),
        )
    ]


def f0_groups(*, autoscaling_versions: tuple[str, ...] = ("v2", "v1")) -> list[Group]:
    widgets = R("widgets", "widget", "Widget", "N", ("wd", "po"), ("acme",))
    return [
        G("", {"v1": core_v1()}),
        G(
            "apps",
            {
                "v1": [
                    R("daemonsets", "daemonset", "DaemonSet", "N", ("ds",), ("all",)),
                    R("deployments", "deployment", "Deployment", "N", ("deploy",), ("all",)),
                    R("deployments/scale", "", "Scale"),
                    R("replicasets", "replicaset", "ReplicaSet", "N", ("rs",), ("all",)),
                    R("statefulsets", "statefulset", "StatefulSet", "N", ("sts",), ("all",)),
                ]
            },
        ),
        G("events.k8s.io", {"v1": [R("events", "event", "Event", "N", ("ev",))]}),
        G("autoscaling", {v: _hpa() for v in autoscaling_versions}),
        G(
            "batch",
            {
                "v1": [
                    R("cronjobs", "cronjob", "CronJob", "N", ("cj",), ("all",)),
                    R("jobs", "job", "Job", "N", (), ("all",)),
                ]
            },
        ),
        G(
            "storage.k8s.io",
            {"v1": [R("storageclasses", "storageclass", "StorageClass", "C", ("sc",))]},
        ),
        G(
            "metrics.k8s.io",
            {"v1beta1": [R("nodes", "", "NodeMetrics", "C"), R("pods", "", "PodMetrics", "N")]},
        ),
        G(
            "acme.example.com",
            {
                "v1": [widgets],
                "v1beta1": [widgets, R("gadgets", "gadget", "Gadget", "N", ("gd",), ("acme",))],
            },
        ),
        G("kinds.example.com", {"v1": [R("sprockets", "sprocket", "Cog", "N")]}),
    ]


def f0() -> DiscoveryRESTMapper:
    return build(f0_groups())


def coll() -> DiscoveryRESTMapper:
    return build(
        [
            *f0_groups(),
            G(
                "example.io",
                {"v1": [R("deployments", "deployment", "Deployment", "N", ("deploy",))]},
            ),
            G("tiny.example.com", {"v1": [R("po", "po", "Po", "N")]}),
            G(
                "shadow.example.com",
                {"v1": [R("things", "thing", "Thing", "N", (), ("services",))]},
            ),
            G(
                "gateway.networking.k8s.io",
                {"v1": [R("gateways", "gateway", "Gateway", "N", ("gtw",))]},
            ),
            G(
                "networking.istio.io",
                {"v1beta1": [R("gateways", "gateway", "Gateway", "N", ("gw",))]},
            ),
        ]
    )


def old() -> DiscoveryRESTMapper:
    deploy = [R("deployments", "deployment", "Deployment", "N", ("deploy",))]
    return build(
        [
            G("", {"v1": core_v1()}),
            G(
                "apiregistration.k8s.io",
                {v: [R("apiservices", "apiservice", "APIService", "C")] for v in ("v1", "v1beta1")},
            ),
            G(
                "extensions",
                {"v1beta1": [*deploy, R("ingresses", "ingress", "Ingress", "N", ("ing",))]},
            ),
            G("apps", dict.fromkeys(("v1", "v1beta2", "v1beta1"), deploy)),
            G("autoscaling", {v: _hpa() for v in ("v1", "v2beta1", "v2beta2")}),
        ]
    )


def pfx() -> DiscoveryRESTMapper:
    return build(
        [
            G("", {"v1": core_v1()}),
            G("example.com", {"v1": [R("foos", "foo", "Foo")]}),
            G("example", {"v1": [R("foos", "foo", "Foo")]}),
        ]
    )


def s1() -> DiscoveryRESTMapper:
    return build(
        [
            G("", {"v1": core_v1()}),
            G("amb.example.com", {"v1": [R("foos", "foo", "Foo"), R("foo", "foosingle", "Bar")]}),
        ]
    )


def s2() -> DiscoveryRESTMapper:
    return build(
        [
            G("", {"v1": core_v1()}),
            G("amb.example.com", {"v1": [R("foo", "foosingle", "Bar"), R("foos", "foo", "Foo")]}),
        ]
    )


def vo() -> DiscoveryRESTMapper:
    later = [R("broccoli", "broccoli", "Broccoli"), R("peas", "pea", "Pea")]
    return build(
        [
            G("", {"v1": core_v1()}),
            G(
                "fruit.example.com",
                {
                    "v1": [R("broccoli", "broccoli", "Broccoli")],
                    "v2alpha1": later,
                    "v2beta1": later,
                },
            ),
        ]
    )


def pm() -> DiscoveryRESTMapper:
    things = [R("things", "thing", "Thing")]
    return build(
        [
            G("", {"v1": core_v1()}),
            G("g.example.com", {"v1beta1": things, "v1": things}, preferred="v1"),
        ]
    )


def c2() -> DiscoveryRESTMapper:
    pods = [R("pods", "pod", "Pod", "N", ("po",))]
    return build(
        [
            G("extensions", {"v1beta": [R("jobs", "job", "Job"), *pods]}),
            G("", {"v1": pods, "v2": pods}),
        ]
    )


def stale() -> DiscoveryRESTMapper:
    """STALE after aggregated→legacy conversion: autoscaling's stale v2 is gone, v1 preferred."""
    return build(f0_groups(autoscaling_versions=("v1",)))


def nosing() -> DiscoveryRESTMapper:
    return build(
        [
            G(
                "",
                {
                    "v1": [
                        R("pods", "", "Pod", "N", ("po",)),
                        R("endpoints", "", "Endpoints", "N", ("ep",)),
                    ]
                },
            )
        ]
    )


FIXTURES = {
    "F0": f0,
    "COLL": coll,
    "OLD": old,
    "PFX": pfx,
    "S1": s1,
    "S2": s2,
    "VO": vo,
    "PM": pm,
    "C2": c2,
    "STALE": stale,
    "NOSING": nosing,
}

_CACHE: dict[str, DiscoveryRESTMapper] = {}


def fixture(name: str) -> DiscoveryRESTMapper:
    """Build (once per test session) the named §15 fixture; mappers are immutable."""
    if name not in _CACHE:
        _CACHE[name] = FIXTURES[name]()
    return _CACHE[name]
