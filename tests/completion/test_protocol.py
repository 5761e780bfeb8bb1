"""The fast path answers typer's completion protocol exactly as the typer app itself does.

Each case is asked twice per shell: once through :func:`kmech.completion.protocol.respond` (what
the ``kmech`` script runs on a TAB) and once through the typer app with the same environment.
"""

from __future__ import annotations

import pytest

from kmech.completion.protocol import respond, split_arg_string

from .conftest import KubeEnv

LINES = [
    "kmech ",
    "kmech w",
    "kmech --",
    "kmech --co",
    "kmech --context ",
    "kmech --context prod",
    "kmech --cluster ",
    "kmech --user ",
    "kmech --context prod-eu ",
    "kmech completion ",
    "kmech completion z",
    "kmech watch ",
    "kmech watch de",
    "kmech watch deploy",
    "kmech watch -",
    "kmech watch --output ",
    "kmech watch deployments -o ",
    "kmech resolve ",
    "kmech resolve po de",
    "kmech resources ",
    "kmech backoff --",
    "kmech backoff --limiter ",
    "kmech backoff --limiter k",
    "kmech version ",
    "kmech version -",
    "kmech sandbox --",
]


def shell_env(shell: str, line: str) -> dict[str, str]:
    env = {"_KMECH_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words = split_arg_string(line)
        cword = len(words) if line.endswith(" ") else len(words) - 1
        env.update(COMP_WORDS=line, COMP_CWORD=str(cword))
    elif shell == "powershell":
        words = split_arg_string(line)
        incomplete = "" if line.endswith(" ") else words[-1]
        env.update(_TYPER_COMPLETE_ARGS=line, _TYPER_COMPLETE_WORD_TO_COMPLETE=incomplete)
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return env


def typer_answer(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, int]:
    from kmech.cli.app import app

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit) as exit_info:
        app(args=[], prog_name="kmech")
    out = capsys.readouterr().out
    for key in env:
        monkeypatch.delenv(key)
    return out, int(exit_info.value.code or 0)


def fast_answer(env: dict[str, str]) -> tuple[str, int]:
    # A stale spec is reported once, by test_generated; here it is compared with typer as is.
    response = respond(env["_KMECH_COMPLETE"], env, check_sources=False)
    assert response is not None
    return ("" if response.text is None else response.text + "\n"), response.exit_code


def normalized(text: str) -> list[str]:
    # typer renders descriptions with rich, which may wrap a long one; the fast path does not.
    # click lists "-h" and "--help" in set order, which varies between processes.
    return sorted(text.split())


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
@pytest.mark.parametrize("line", LINES, ids=[line.replace(" ", "_") for line in LINES])
def test_fast_path_matches_typer(
    shell: str,
    line: str,
    kube_env: KubeEnv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = shell_env(shell, line)
    fast = fast_answer(env)
    slow = typer_answer(env, monkeypatch, capsys)
    assert (normalized(fast[0]), fast[1]) == (normalized(slow[0]), slow[1])


@pytest.mark.parametrize(
    ("shell", "line", "expected"),
    [
        pytest.param("bash", "kmech completion ", "bash\nzsh\nfish\npowershell\n", id="bash"),
        pytest.param(
            "zsh",
            "kmech --context ",
            '_arguments \'*: :(("kind-dev":"current, cluster kind-dev, namespace shop"\n'
            '"prod-eu":"cluster prod-eu"))\'\n',
            id="zsh-descriptions",
        ),
        pytest.param(
            "fish",
            "kmech --cluster ",
            "kind-dev\thttps\\://127.0.0.1\\:9\nprod-eu\thttps\\://127.0.0.2\\:9\n".replace(
                "\\:", ":"
            ),
            id="fish-descriptions",
        ),
        pytest.param(
            "powershell",
            "kmech --user ",
            "dev-admin::: \nprod-reader::: \n",
            id="powershell",
        ),
        pytest.param("zsh", "kmech completion x", "_files\n", id="zsh-nothing-falls-back-to-files"),
        pytest.param(
            "zsh",
            "kmech --context=p",
            '_arguments \'*: :(("--context=prod-eu":"cluster prod-eu"))\'\n',
            id="zsh-option-equals-value",
        ),
        pytest.param(
            "powershell",
            "kmech --cluster=k",
            "--cluster=kind-dev:::https://127.0.0.1:9\n",
            id="powershell-option-equals-value",
        ),
    ],
)
def test_rendered_answer(shell: str, line: str, expected: str, kube_env: KubeEnv) -> None:
    assert fast_answer(shell_env(shell, line))[0] == expected


@pytest.mark.parametrize(("line", "code"), [("kmech comp", 0), ("kmech completion x", 1)])
def test_fish_is_args(line: str, code: int, kube_env: KubeEnv) -> None:
    env = shell_env("fish", line) | {"_TYPER_COMPLETE_FISH_ACTION": "is-args"}
    assert fast_answer(env) == ("", code)


def test_source_instruction_is_left_to_typer() -> None:
    assert respond("source_bash", {}) is None


def test_a_stale_spec_hands_the_tab_to_typer(
    kube_env: KubeEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kmech.completion._spec as generated
    from kmech.completion.spec import sources_crc, spec_is_current

    assert spec_is_current()
    assert generated.SOURCES_CRC == sources_crc(generated.SOURCE_FILES)
    assert "cli/watch.py" in generated.SOURCE_FILES
    assert "cli/watch_view.py" not in generated.SOURCE_FILES  # rendering does not matter
    env = shell_env("bash", "kmech completion ")
    assert respond(env["_KMECH_COMPLETE"], env) is not None
    monkeypatch.setattr(generated, "SOURCES_CRC", (generated.SOURCES_CRC or 0) ^ 1)
    assert not spec_is_current()
    assert respond(env["_KMECH_COMPLETE"], env) is None
