"""The shared informer factory (spec §6.6, scenario S39)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kmech.clock import FakeClock
from kmech.errors import KmechError
from kmech.informers import InformerKey, ListWatch, SharedInformerFactory
from kmech.informers.testing import FakeControllerSource, make_object


@dataclass(frozen=True)
class GVR:
    group: str
    version: str
    resource: str


PODS = GVR("", "v1", "pods")
DEPLOYMENTS = GVR("apps", "v1", "deployments")


@pytest.fixture
def sources():
    made: dict[InformerKey, FakeControllerSource] = {}

    def lw_factory(key: InformerKey):
        src = FakeControllerSource()
        src.add(make_object("x", key.namespace or "default"))
        made[key] = src
        return ListWatch(
            src.list,
            src.watch,
            label_selector=key.label_selector,
            field_selector=key.field_selector,
        )

    return made, lw_factory


def test_s39_one_informer_per_key_and_incremental_start(sources):
    made, lw_factory = sources
    factory = SharedInformerFactory(lw_factory, clock=FakeClock(), rng_seed=1)
    try:
        a = factory.for_resource(PODS, namespace="ns1", label_selector="app=x")
        b = factory.for_resource(PODS, namespace="ns1", label_selector="app=x")
        c = factory.for_resource(PODS, namespace="ns1", label_selector="app=y")
        assert a is b and a is not c
        assert len(made) == 2
        factory.start()
        factory.start()
        synced = factory.wait_for_cache_sync(timeout_seconds=10)
        assert sorted(k.label_selector for k, ok in synced.items() if ok) == ["app=x", "app=y"]
        d = factory.for_resource(DEPLOYMENTS)
        assert d.name == "deployments.apps" and not d.started
        assert len(factory.wait_for_cache_sync(timeout_seconds=10)) == 2  # d not started yet
        factory.start()
        assert d.started
        assert all(factory.wait_for_cache_sync(timeout_seconds=10).values())
        for key, src in made.items():
            assert [r.verb for r in src.requests].count("list") == 1, key
            assert {r.options.label_selector for r in src.requests} == {key.label_selector}
        assert a.name == "pods@ns1"
    finally:
        factory.shutdown()
    assert all(i.stopped for i in factory.informers().values())
    with pytest.raises(KmechError, match="shut down"):
        factory.for_resource(PODS, namespace="other")
