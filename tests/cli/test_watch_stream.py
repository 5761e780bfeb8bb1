"""`kmech watch` line output: jsonl/json/yaml/name records, SYNCED placement, Secret redaction."""

from __future__ import annotations

import io
import json
import threading

import pytest

from kmech.cli.watch_stream import (
    REDACTED,
    EventWriter,
    kind_name,
    object_key,
    redact_secret,
    replay,
)


def pod(name: str, rv: str, ns: str = "shop") -> dict:
    return {"metadata": {"namespace": ns, "name": name, "resourceVersion": rv}}


def test_jsonl_records_and_synced_line() -> None:
    out = io.StringIO()
    w = EventWriter(out, "jsonl")
    w.notify("ADDED", "initial", pod("a", "1"))
    w.synced("7")
    w.notify("MODIFIED", "watch", pod("a", "8"))
    w.notify("DELETED", "relist", pod("a", "8"))
    assert out.getvalue().splitlines() == [
        '{"type":"ADDED","origin":"initial","object":{"metadata":{"namespace":"shop","name":"a","resourceVersion":"1"}}}',
        '{"type":"SYNCED","resourceVersion":"7"}',
        '{"type":"MODIFIED","origin":"watch","object":{"metadata":{"namespace":"shop","name":"a","resourceVersion":"8"}}}',
        '{"type":"DELETED","origin":"relist","object":{"metadata":{"namespace":"shop","name":"a","resourceVersion":"8"}}}',
    ]
    assert w.records == 3


def test_synced_is_written_before_the_first_non_initial_record_and_only_once() -> None:
    out = io.StringIO()
    w = EventWriter(out, "jsonl")
    w.notify("ADDED", "initial", pod("a", "1"))
    w.mark_rv("5")
    w.notify("ADDED", "watch", pod("b", "6"))
    assert w.synced("9") is False
    types = [json.loads(line)["type"] for line in out.getvalue().splitlines()]
    assert types == ["ADDED", "SYNCED", "ADDED"]
    assert json.loads(out.getvalue().splitlines()[1]) == {"type": "SYNCED", "resourceVersion": "5"}


def test_synced_once_under_concurrent_callers() -> None:
    out = io.StringIO()
    w = EventWriter(out, "jsonl")
    threads = [threading.Thread(target=w.synced, args=("1",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out.getvalue().count("SYNCED") == 1


@pytest.mark.parametrize(
    ("show", "expected_data"),
    [
        pytest.param(False, {"password": REDACTED}, id="redacted-by-default"),
        pytest.param(True, {"password": "aHVudGVyMg=="}, id="show-secrets"),
    ],
)
def test_secret_values_are_redacted_unless_asked(show: bool, expected_data: dict) -> None:
    secret = {
        "metadata": {"namespace": "shop", "name": "db"},
        "data": {"password": "aHVudGVyMg=="},
        "stringData": {"user": "admin"},
    }
    out = io.StringIO()
    EventWriter(out, "jsonl", secrets=True, show_secrets=show).notify("ADDED", "initial", secret)
    record = json.loads(out.getvalue())
    assert record["object"]["data"] == expected_data
    assert "hunter2" not in out.getvalue()
    assert secret["data"] == {"password": "aHVudGVyMg=="}, "the cached object must not change"


def test_redact_secret_keeps_keys_and_leaves_other_fields() -> None:
    s = {"kind": "Secret", "type": "Opaque", "data": {"a": "x", "b": "y"}}
    assert redact_secret(s) == {
        "kind": "Secret",
        "type": "Opaque",
        "data": {"a": REDACTED, "b": REDACTED},
    }


def test_name_format_prints_verb_and_kind_slash_name() -> None:
    out = io.StringIO()
    w = EventWriter(out, "name", kind="Deployment", group="apps")
    w.notify("ADDED", "initial", pod("web", "1"))
    w.synced("1")
    w.notify("DELETED", "watch", pod("web", "2"))
    assert out.getvalue() == "added deployment.apps/web\ndeleted deployment.apps/web\n"


def test_json_and_yaml_documents() -> None:
    out = io.StringIO()
    w = EventWriter(out, "yaml")
    w.notify("ADDED", "initial", pod("a", "1"))
    w.notify("MODIFIED", "watch", pod("a", "2"))
    assert out.getvalue() == (
        "type: ADDED\norigin: initial\nobject:\n  metadata:\n    namespace: shop\n    name: a\n"
        "    resourceVersion: '1'\n---\ntype: SYNCED\nresourceVersion: ''\n---\n"
        "type: MODIFIED\norigin: watch\nobject:\n  metadata:\n    namespace: shop\n    name: a\n"
        "    resourceVersion: '2'\n"
    )
    out = io.StringIO()
    EventWriter(out, "json").notify("ADDED", "initial", pod("a", "1"))
    assert json.loads(out.getvalue())["type"] == "ADDED"
    assert out.getvalue().startswith('{\n    "type": "ADDED",')


def test_replay_rebuilds_the_cache() -> None:
    out = io.StringIO()
    w = EventWriter(out, "jsonl")
    w.notify("ADDED", "initial", pod("a", "1"))
    w.notify("ADDED", "initial", pod("b", "2"))
    w.synced("2")
    w.notify("MODIFIED", "watch", pod("a", "3"))
    w.notify("DELETED", "watch", pod("b", "4"))
    assert replay(out.getvalue().splitlines()) == {"shop/a": pod("a", "3")}


def test_keys_and_kind_names() -> None:
    assert object_key(pod("a", "1")) == "shop/a"
    assert object_key({"metadata": {"name": "n1"}}) == "n1"
    assert kind_name("Pod", "") == "pod"
    assert kind_name("Deployment", "apps") == "deployment.apps"
