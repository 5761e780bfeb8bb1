"""Discovery input validation: malformed documents raise one-line DiscoveryErrors naming the part."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kmech.errors import DiscoveryError
from kmech.mapper import build_rest_mapper, load_discovery_dir
from kmech.mapper.load import read_discovery_dir

CORE = {"name": "", "versions": [{"groupVersion": "v1", "version": "v1"}]}
POD = {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod"}


def gl(*groups: Any) -> dict[str, Any]:
    return {"groups": list(groups)}


@pytest.mark.parametrize(
    ("group_list", "lists", "message"),
    [
        pytest.param(
            [],
            {},
            "malformed discovery data in the group list: expected an APIGroupList object, got list",
            id="group-list-not-object",
        ),
        pytest.param(
            {"groups": {}},
            {},
            "malformed discovery data in the group list: groups must be a list",
            id="groups-not-list",
        ),
        pytest.param(
            gl(5),
            {},
            "malformed discovery data in the group list (group #0): expected an APIGroup object, got int",
            id="group-not-object",
        ),
        pytest.param(
            gl({"name": 3}),
            {},
            "malformed discovery data in the group list (group #0): name must be a string, got int",
            id="group-name",
        ),
        pytest.param(
            gl({"name": "a", "versions": "v1"}),
            {},
            "malformed discovery data in the group list (group 'a'): versions must be a list",
            id="versions",
        ),
        pytest.param(
            gl(CORE),
            {"v1": []},
            "malformed discovery data in the resource list of v1: expected an APIResourceList object, got list",
            id="list-not-object",
        ),
        pytest.param(
            gl(CORE),
            {"v1": {"resources": 1}},
            "malformed discovery data in the resource list of v1: resources must be a list",
            id="resources-not-list",
        ),
        pytest.param(
            gl(CORE),
            {"v1": {"resources": [{"kind": "Pod"}]}},
            "malformed discovery data in the resource list of v1 resource #0: name is missing",
            id="name-missing",
        ),
        pytest.param(
            gl(CORE),
            {"v1": {"resources": [{**POD, "verbs": "get"}]}},
            "malformed discovery data in the resource list of v1 resource #0: verbs must be a list of strings",
            id="verbs",
        ),
        pytest.param(
            gl(CORE),
            {"v1": {"resources": [{**POD, "namespaced": "yes"}]}},
            "malformed discovery data in the resource list of v1 resource #0: namespaced must be true or false",
            id="namespaced",
        ),
        pytest.param(
            gl(CORE),
            {"v1": {"resources": [{**POD, "shortNames": [1]}]}},
            "malformed discovery data in the resource list of v1 resource #0: shortNames must be a list of strings",
            id="short-names",
        ),
    ],
)
def test_malformed(group_list: Any, lists: Any, message: str) -> None:
    with pytest.raises(DiscoveryError) as info:
        build_rest_mapper(group_list, lists)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_missing_optional_fields_are_empty() -> None:
    mapper = build_rest_mapper(gl(CORE), {"v1": {"resources": [{"name": "pods", "kind": "Pod"}]}})
    (info,) = mapper.all_resources()
    assert (info.singular, info.singular_guessed, info.namespaced, info.verbs) == (
        "pod",
        True,
        False,
        (),
    )


def test_group_versions_without_lists_are_skipped() -> None:
    apps = {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}]}
    mapper = build_rest_mapper(gl(CORE, apps), {"v1": {"resources": [POD]}})
    assert [i.resource for i in mapper.all_resources()] == ["pods"]
    assert mapper.group_version_rank(mapper.all_resources()[0].group_version) == 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param({}, "holds no discovery data", id="empty-folder"),
        pytest.param({"apis.json": "{not json"}, "is not valid JSON (line 1", id="bad-json"),
        pytest.param(
            {"servergroups.json": "[]"}, "is not an APIGroupList", id="cache-not-group-list"
        ),
        pytest.param(
            {"apis.json": '{"groups": []}', "api.json": '{"versions": "v1"}'},
            "is not an APIVersions document",
            id="bad-api",
        ),
    ],
)
def test_load_discovery_dir_errors(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(DiscoveryError, match=message.replace("(", r"\(")):
        load_discovery_dir(tmp_path)


APPS = {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}]}
PODS = {"kind": "APIResourceList", "groupVersion": "v1", "resources": [POD]}


@pytest.mark.parametrize(
    ("files", "missing"),
    [
        pytest.param(
            {
                "api.json": {"versions": ["v1"]},
                "apis.json": gl(APPS),
                "resources/core_v1.json": PODS,
            },
            {"apps/v1": "resources/apps_v1.json"},
            id="fixture",
        ),
        pytest.param(
            {"servergroups.json": gl(CORE, APPS), "v1/serverresources.json": PODS},
            {"apps/v1": "apps/v1/serverresources.json"},
            id="kubectl-cache",
        ),
    ],
)
def test_read_discovery_dir_names_missing_files(
    tmp_path: Path, files: dict[str, Any], missing: dict[str, str]
) -> None:
    for name, doc in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(json.dumps(doc))
    found = read_discovery_dir(tmp_path)
    assert [g["name"] for g in found.group_list["groups"]] == ["", "apps"]
    assert found.resource_lists == {"v1": PODS}
    assert found.missing == missing
    assert load_discovery_dir(tmp_path) == (found.group_list, found.resource_lists)
