"""Properties: arbitrary names and arbitrary (also malformed) discovery never raise foreign errors."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmech.errors import DiscoveryError, KmechError
from kmech.mapper import (
    GroupKind,
    GroupVersionResource,
    MapperError,
    build_rest_mapper,
    bundled_snapshot_dir,
    load_rest_mapper,
)
from tests.mapper.spec_fixtures import fixture

SNAPSHOT = load_rest_mapper(bundled_snapshot_dir())
NAME_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
names = st.one_of(
    st.text(NAME_ALPHABET, max_size=30),
    st.text(alphabet="podsPOD.v1,/-_ae", max_size=25),
    st.sampled_from(
        [
            "pods",
            "po",
            "all",
            "hpa.v1.autoscaling",
            "Cog.kinds.example.com",
            "",
            ".",
            ",",
            "..",
            "a..b",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names)
def test_any_name_resolves_or_raises_a_mapper_error(name: str) -> None:
    for mapper in (fixture("F0"), SNAPSHOT):
        for call in (mapper.resolve, mapper.resolve_kind):
            try:
                result = call(name)
            except MapperError as exc:
                assert "\n" not in str(exc)
                continue
            assert result.resolutions
            for res in result.resolutions:
                assert res.to_dict()["resource"] == res.resource
        assert isinstance(mapper.explain(name), list)


@settings(max_examples=200, deadline=None)
@given(group=st.text(max_size=8), version=st.text(max_size=5), resource=st.text(max_size=10))
def test_raw_mapper_calls_raise_only_mapper_errors(group: str, version: str, resource: str) -> None:
    mapper = fixture("F0")
    query = GroupVersionResource(group, version, resource)
    for call in (mapper.kind_for, mapper.kinds_for, mapper.resource_for, mapper.resources_for):
        try:
            call(query)
        except MapperError:
            pass
    for rm in (mapper.rest_mapping, mapper.rest_mappings):
        try:
            rm(GroupKind(group, resource), version)
        except MapperError:
            pass


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
resource_entries = st.fixed_dictionaries(
    {
        "name": st.one_of(st.text(max_size=8), json_values),
        "kind": st.one_of(st.text(max_size=8), json_values),
    },
    optional={
        "singularName": st.one_of(st.text(max_size=6), json_values),
        "namespaced": st.one_of(st.booleans(), json_values),
        "shortNames": st.one_of(st.lists(st.text(max_size=4), max_size=2), json_values),
        "categories": st.one_of(
            st.lists(st.sampled_from(["all", "x", ""]), max_size=2), json_values
        ),
        "verbs": st.one_of(st.lists(st.text(max_size=4), max_size=2), json_values),
    },
)
versions = st.sampled_from(["v1", "v2", "", "v1beta1"])
group_entries = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["", "apps", "x.io", "a"]), json_values)},
    optional={
        "versions": st.one_of(
            st.lists(st.fixed_dictionaries({"version": versions}), max_size=2), json_values
        ),
        "preferredVersion": st.one_of(st.fixed_dictionaries({"version": versions}), json_values),
    },
)
documents = st.tuples(
    st.one_of(st.fixed_dictionaries({"groups": st.lists(group_entries, max_size=3)}), json_values),
    st.dictionaries(
        st.sampled_from(["v1", "v2", "apps/v1", "x.io/v1", "a/v2", "a/v1beta1"]),
        st.one_of(
            st.fixed_dictionaries({"resources": st.lists(resource_entries, max_size=3)}),
            json_values,
        ),
        max_size=4,
    ),
)


@settings(max_examples=300, deadline=None)
@given(doc=documents, name=st.sampled_from(["pods", "po", "all", "x", "List", "a.v1.x.io", ""]))
def test_any_discovery_document_builds_or_raises_discovery_error(
    doc: tuple[Any, Any], name: str
) -> None:
    group_list, lists = doc
    try:
        mapper = build_rest_mapper(group_list, lists)
    except DiscoveryError as exc:
        assert "\n" not in str(exc)
        return
    try:
        mapper.resolve(name)
    except KmechError:
        pass
    mapper.all_resources()
    mapper.explain(name)
