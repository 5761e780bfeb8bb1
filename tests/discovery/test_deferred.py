"""The deferred mapper: lazy build, one invalidate-and-retry on a miss from possibly stale data."""

from __future__ import annotations

import pytest

from kmech.discovery.client import DiscoveryDocuments
from kmech.discovery.deferred import DeferredMapper
from kmech.mapper.errors import AmbiguousResourceError, ResourceTypeNotFoundError
from kmech.mapper.schema import GroupVersionResource


class FakeDiscovery:
    """Serves ``generations`` of resource names; invalidate moves to the next one."""

    def __init__(self, generations, fresh=False):
        self.generations = list(generations)
        self.index = 0
        self.is_fresh = fresh
        self.invalidations = 0
        self.fetches = 0

    def server_groups_and_resources(self):
        self.fetches += 1
        names = self.generations[self.index]
        return DiscoveryDocuments(
            {"groups": []}, {"v1": {"resources": [{"name": n} for n in names]}}, {}
        )

    def fresh(self):
        return self.is_fresh

    def invalidate(self):
        self.invalidations += 1
        self.is_fresh = True
        self.index = min(self.index + 1, len(self.generations) - 1)


def build(docs):
    return {r["name"] for r in docs.resource_lists["v1"]["resources"]}


def lookup(name):
    def fn(names):
        if name == "ambiguous":
            raise AmbiguousResourceError(GroupVersionResource("", "", name))
        if name not in names:
            raise ResourceTypeNotFoundError(name)
        return name

    return fn


@pytest.mark.parametrize(
    ("generations", "fresh", "name", "result", "invalidations"),
    [
        pytest.param([["pods"]], False, "pods", "pods", 0, id="hit-no-refresh"),
        pytest.param(
            [["pods"], ["pods", "widgets"]],
            False,
            "widgets",
            "widgets",
            1,
            id="new-crd-after-refresh",
        ),
        pytest.param(
            [["pods"], ["pods"]], False, "nope", ResourceTypeNotFoundError, 1, id="miss-twice"
        ),
        pytest.param(
            [["pods"], ["pods", "widgets"]],
            True,
            "widgets",
            ResourceTypeNotFoundError,
            0,
            id="fresh-no-retry",
        ),
        pytest.param(
            [["pods"], ["pods"]],
            False,
            "ambiguous",
            AmbiguousResourceError,
            0,
            id="ambiguity-no-retry",
        ),
    ],
)
def test_retry_once_on_miss(generations, fresh, name, result, invalidations):
    discovery = FakeDiscovery(generations, fresh=fresh)
    deferred = DeferredMapper(discovery, build)
    if isinstance(result, type):
        with pytest.raises(result):
            deferred.call(lookup(name))
    else:
        assert deferred.call(lookup(name)) == result
    assert discovery.invalidations == invalidations


def test_lazy_build_and_reuse():
    discovery = FakeDiscovery([["pods"]])
    deferred = DeferredMapper(discovery, build)
    assert discovery.fetches == 0
    deferred.call(lookup("pods"))
    deferred.call(lookup("pods"))
    assert discovery.fetches == 1
    assert deferred.documents().resource_lists["v1"]["resources"] == [{"name": "pods"}]
