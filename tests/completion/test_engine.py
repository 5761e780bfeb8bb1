"""click's completion rules replayed over a spec: what each position on a command line offers."""

from __future__ import annotations

import pytest

from kmech.completion.candidate import Candidate
from kmech.completion.engine import complete, resolve
from kmech.completion.spec import CommandSpec, ParamSpec


def option(name: str, *opts: str, flag: bool = False, source: str | None = None) -> ParamSpec:
    return {
        "kind": "option",
        "name": name,
        "opts": list(opts),
        "secondary_opts": [],
        "nargs": 1,
        "is_flag": flag,
        "multiple": False,
        "hidden": False,
        "typer_param": True,
        "help": f"help for {name}",
        "source": source,
        "choices": None,
        "case_sensitive": True,
    }


def argument(name: str, nargs: int, source: str) -> ParamSpec:
    return {
        "kind": "argument",
        "name": name,
        "opts": [name],
        "secondary_opts": [],
        "nargs": nargs,
        "is_flag": False,
        "multiple": False,
        "hidden": False,
        "typer_param": True,
        "help": None,
        "source": source,
        "choices": None,
        "case_sensitive": True,
    }


def command(
    name: str, params: list[ParamSpec], commands: list[CommandSpec] | None = None
) -> CommandSpec:
    return {
        "name": name,
        "short_help": f"{name} things",
        "hidden": False,
        "params": params,
        "commands": commands or [],
        "interspersed": not commands,
    }


SPEC = command(
    "kmech",
    [
        option("context", "--context", source="contexts"),
        option("namespace", "-n", "--namespace", source="namespaces"),
        option("no_color", "--no-color", flag=True),
    ],
    [
        command(
            "watch",
            [
                argument("resource", 1, "resources"),
                option("namespace", "-n", "--namespace", source="namespaces"),
                option("all_namespaces", "-A", "--all-namespaces", flag=True),
                option("output", "-o", "--output", source="outputs"),
            ],
        ),
        command("resolve", [argument("names", -1, "resources")]),
    ],
)


def fake_sources(source: str, connection: dict[str, str]) -> list[Candidate]:
    suffix = f"@{connection['context']}" if "context" in connection else ""
    return {
        "contexts": [Candidate("kind-dev", "current"), Candidate("prod-eu")],
        "namespaces": [Candidate("default"), Candidate("shop" + suffix)],
        "resources": [Candidate("deployments", "Deployment (apps/v1)"), Candidate("pods")],
        "outputs": [Candidate("json"), Candidate("yaml")],
    }[source]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("", ["watch", "resolve"], id="commands"),
        pytest.param("wa", ["watch"], id="command-prefix"),
        pytest.param("--", ["--context", "--namespace", "--no-color"], id="root-options"),
        pytest.param("--no-color --", ["--context", "--namespace"], id="given-option-not-again"),
        pytest.param("--context ", ["kind-dev", "prod-eu"], id="context-value"),
        pytest.param("--context p", ["prod-eu"], id="context-value-prefix"),
        pytest.param("--context=p", ["prod-eu"], id="context-equals-value"),
        pytest.param("--context prod-eu ", ["watch", "resolve"], id="commands-after-option"),
        pytest.param("watch ", ["deployments", "pods"], id="argument"),
        pytest.param("watch de", ["deployments"], id="argument-prefix"),
        pytest.param("watch pods ", [], id="argument-given"),
        pytest.param("watch -A ", ["deployments", "pods"], id="argument-after-flag"),
        pytest.param("watch -n ", ["default", "shop"], id="namespace-value"),
        pytest.param(
            "watch -Ao ", ["deployments", "pods"], id="short-cluster-value-unseen-as-click"
        ),
        pytest.param("watch -n shop ", ["deployments", "pods"], id="argument-after-option"),
        pytest.param("watch pods -o y", ["yaml"], id="interspersed-option"),
        pytest.param("--context prod-eu watch -n ", ["default", "shop@prod-eu"], id="connection"),
        pytest.param("resolve po ", ["deployments", "pods"], id="star-argument"),
        pytest.param("bogus ", ["watch", "resolve"], id="unknown-command"),
        pytest.param("--bogus watch ", ["watch", "resolve"], id="unknown-option-stops-parsing"),
        pytest.param("watch -- ", ["deployments", "pods"], id="double-dash"),
    ],
)
def test_complete(line: str, expected: list[str]) -> None:
    words = line.split(" ")
    args, incomplete = words[:-1], words[-1]
    got = complete(SPEC, [w for w in args if w], incomplete, fake_sources)
    assert [c.value for c in got] == expected


def test_option_names_carry_help() -> None:
    got = complete(SPEC, [], "--con", fake_sources)
    assert got == [Candidate("--context", "help for context")]


def test_resolve_collects_values_per_level() -> None:
    levels = resolve(SPEC, ["--context", "prod-eu", "watch", "-n", "shop", "pods"])
    assert [lv.spec["name"] for lv in levels] == ["kmech", "watch"]
    assert levels[0].values == {"context": "prod-eu"}
    assert levels[1].values == {"namespace": "shop"}
    assert levels[1].given == {"namespace", "resource"}


def test_public_names() -> None:
    import kmech.completion

    assert kmech.completion.__all__ == ["Candidate"]
    assert kmech.completion.Candidate("a", "b") == Candidate("a", "b")
    assert Candidate("a") != Candidate("a", "b")
    assert repr(Candidate("a")) == "Candidate('a', None)"
