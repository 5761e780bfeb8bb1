"""End to end in real shells: source the checked-in script, ask for completions, read them back.

A ``kmech`` wrapper on PATH runs this checkout's console-script entry point, so the scripts call
back exactly what an installed ``kmech`` runs. zsh and fish are Debian packages
(``apt-get install zsh fish``); their tests are skipped, saying so, where they are not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import KubeEnv

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "completions"


@pytest.fixture
def shell_env(kube_env: KubeEnv, tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "kmech"
    wrapper.write_text(
        f"#!/bin/sh\nexec '{sys.executable}' -c "
        "'from kmech.completion.entry import main; main()' \"$@\"\n"
    )
    wrapper.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def run(cmd: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def bash_complete(words: list[str], env: dict[str, str], line: str | None = None) -> list[str]:
    """COMPREPLY of the bash script's function for COMP_WORDS ``words``, the cursor at the end
    of the last one; with ``line``, also COMP_LINE and COMP_POINT as bash sets them."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    comp_line = "" if line is None else f'COMP_LINE="{line}"; COMP_POINT={len(line)}\n'
    script = (
        f"source '{SCRIPTS / 'kmech.bash'}'\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
        f"{comp_line}"
        "_kmech_completion kmech\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    return run(["bash", "--norc", "--noprofile", "-c", script], env).splitlines()


BASH_CASES = [
    pytest.param(
        ["kmech", "watch", "deploy"], ["deploy", "deployments", "deployments.apps"], id="resource"
    ),
    pytest.param(["kmech", "resolve", "po", "hp"], ["hpa"], id="resolve-second-name"),
    pytest.param(["kmech", "--context", ""], ["kind-dev", "prod-eu"], id="context"),
    pytest.param(["kmech", "--cluster", "p"], ["prod-eu"], id="cluster"),
    pytest.param(
        ["kmech", "backoff", "--limiter", "kopf"],
        ["kopf", "kopf-api", "kopf-handler"],
        id="limiter",
    ),
    pytest.param(["kmech", "watch", "pods", "-o", "j"], ["json", "jsonl"], id="output"),
    pytest.param(["kmech", "completion", "f"], ["fish"], id="shell-name"),
    pytest.param(["kmech", "wat"], ["watch"], id="command"),
]


@pytest.mark.parametrize(("words", "expected"), BASH_CASES)
def test_bash(words: list[str], expected: list[str], shell_env: dict[str, str]) -> None:
    assert shutil.which("bash") is not None
    assert bash_complete(words, shell_env) == expected


def test_bash_registers_the_function(shell_env: dict[str, str]) -> None:
    out = run(
        ["bash", "--norc", "-c", f"source '{SCRIPTS / 'kmech.bash'}'; complete -p kmech"], shell_env
    )
    assert out == "complete -o default -F _kmech_completion kmech\n"


def test_bash_namespaces_from_cache(kube_env: KubeEnv, shell_env: dict[str, str]) -> None:
    from kmech.completion import namespaces as ns

    from .conftest import SERVER

    path = ns.cache_file(str(kube_env.cache_root), SERVER, "dev-admin")
    ns.store(path, ["default", "kube-system", "shop"])
    assert bash_complete(["kmech", "watch", "-n", ""], shell_env) == [
        "default",
        "kube-system",
        "shop",
    ]


@pytest.mark.skipif(
    shutil.which("zsh") is None, reason="zsh is not installed (apt-get install zsh)"
)
def test_zsh(shell_env: dict[str, str]) -> None:
    # compinit for compdef; _arguments is replaced by a stub that prints what it was given,
    # which is exactly what zsh's completion system would receive from the script.
    script = (
        "autoload -Uz compinit && compinit -u -D\n"
        f"source '{SCRIPTS / '_kmech'}'\n"
        '_arguments() { print -rl -- "$@" }\n'
        "_files() { print -r -- _files }\n"
        "words=(kmech watch deploy); CURRENT=3\n"
        "_kmech_completion\n"
        "words=(kmech completion x); CURRENT=3\n"
        "_kmech_completion\n"
    )
    out = run(["zsh", "-f", "-c", script], shell_env)
    assert out == (
        '*: :(("deploy":"Deployment (apps/v1)" "deployments":"Deployment (apps/v1)" '
        '"deployments.apps":"Deployment (apps/v1)"))\n'
        "_files\n"
    )


@pytest.mark.skipif(
    shutil.which("zsh") is None, reason="zsh is not installed (apt-get install zsh)"
)
def test_zsh_autoloaded_completes_on_first_tab(shell_env: dict[str, str], tmp_path: Path) -> None:
    functions = tmp_path / "zfunc"
    functions.mkdir()
    (functions / "_kmech").write_text((SCRIPTS / "_kmech").read_text())
    script = (
        f"fpath=('{functions}' $fpath)\n"
        "autoload -Uz compinit && compinit -u -D\n"
        '_arguments() { print -rl -- "$@" }\n'
        "words=(kmech completion f); CURRENT=3\n"
        "_kmech\n"  # what the first TAB runs: compinit bound kmech to the autoloaded _kmech
        "print -r -- ${_comps[kmech]}\n"
    )
    assert run(["zsh", "-f", "-c", script], shell_env) == '*: :(("fish"))\n_kmech\n'


@pytest.mark.skipif(
    shutil.which("fish") is None, reason="fish is not installed (apt-get install fish)"
)
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "kmech watch deploy",
            [
                "deploy\tDeployment (apps/v1)",
                "deployments\tDeployment (apps/v1)",
                "deployments.apps\tDeployment (apps/v1)",
            ],
            id="resource",
        ),
        pytest.param(
            "kmech --context ",
            ["kind-dev\tcurrent, cluster kind-dev, namespace shop", "prod-eu\tcluster prod-eu"],
            id="context",
        ),
        pytest.param(
            "kmech backoff --limiter item",
            ["item-based\tclient-go DefaultItemBasedRateLimiter: exp 1ms..1000s"],
            id="limiter",
        ),
    ],
)
def test_fish(line: str, expected: list[str], shell_env: dict[str, str], tmp_path: Path) -> None:
    shell_env = dict(
        shell_env,
        XDG_CONFIG_HOME=str(tmp_path / "fishconf"),
        XDG_DATA_HOME=str(tmp_path / "fishdata"),
    )
    script = f"source '{SCRIPTS / 'kmech.fish'}'; complete --do-complete='{line}'"
    out = run(["fish", "--no-config", "-c", script], shell_env)
    assert sorted(out.splitlines()) == sorted(expected)


def test_installed_scripts_use_the_fast_entry_point() -> None:
    from importlib.metadata import entry_points

    scripts = {
        ep.name: ep.value
        for ep in entry_points(group="console_scripts")
        if ep.name in ("kmech", "kubectl-mech", "kubectl_complete-mech")
    }
    assert scripts == {
        "kmech": "kmech.completion.entry:main",
        "kubectl-mech": "kmech.completion.entry:main",
        "kubectl_complete-mech": "kmech.completion.entry:kubectl_complete",
    }


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_kubectl_plugin_completion(shell_env: dict[str, str], tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    for name, fn in (("kubectl-mech", "main"), ("kubectl_complete-mech", "kubectl_complete")):
        script = bin_dir / name
        script.write_text(
            f"#!/bin/sh\nexec '{sys.executable}' -c "
            f'\'import sys; from kmech.completion.entry import {fn}; sys.argv[0] = "{name}"; '
            f'{fn}()\' "$@"\n'
        )
        script.chmod(0o755)
    out = run(["kubectl", "__complete", "mech", "watch", "deploy"], shell_env)
    assert out.splitlines()[:4] == [
        "deploy\tDeployment (apps/v1)",
        "deployments\tDeployment (apps/v1)",
        "deployments.apps\tDeployment (apps/v1)",
        ":4",
    ]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["--context", "p"], "prod-eu\tcluster prod-eu\n:4\n", id="context"),
        pytest.param(["completion", "x"], ":0\n", id="nothing"),
        pytest.param(["__complete", "completion", "b"], "bash\n:4\n", id="cobra-prefix"),
    ],
)
def test_kubectl_complete_output(
    argv: list[str], expected: str, kube_env: KubeEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    from kmech.completion.entry import kubectl_complete

    kubectl_complete(argv)
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(["kmech", "--context", "=", ""], ["kind-dev", "prod-eu"], id="after-equals"),
        pytest.param(["kmech", "--context", "=", "p"], ["prod-eu"], id="equals-prefix"),
        pytest.param(["kmech", "--context", "="], ["kind-dev", "prod-eu"], id="cursor-on-equals"),
        pytest.param(
            ["kmech", "--context", "=", "prod-eu", "wat"], ["watch"], id="equals-then-command"
        ),
    ],
)
def test_bash_equals_forms(
    words: list[str], expected: list[str], shell_env: dict[str, str]
) -> None:
    assert bash_complete(words, shell_env) == expected


EKS = "arn:aws:eks:eu-west-1:123456789012:cluster/shop"
EKS_WORDS = " : ".join(EKS.split(":")).split(" ")
"""EKS as bash puts it in COMP_WORDS: split at each ``:`` (one of COMP_WORDBREAKS)."""


@pytest.mark.parametrize(
    ("line", "words", "expected"),
    [
        # COMP_WORDS as bash splits them at COMP_WORDBREAKS; the reply replaces the last piece.
        pytest.param(
            "kmech --context arn:aws:eks:eu",
            ["kmech", "--context", "arn", ":", "aws", ":", "eks", ":", "eu"],
            ["eu-west-1:123456789012:cluster/shop"],
            id="colons",
        ),
        pytest.param(
            "kmech --context arn:aws:",
            ["kmech", "--context", "arn", ":", "aws", ":"],
            ["eks:eu-west-1:123456789012:cluster/shop"],
            id="cursor-after-colon",
        ),
        pytest.param(
            "kmech --context=arn:aws:eks:eu-west-1:123456789012:cl",
            ["kmech", "--context", "=", *EKS_WORDS[:-1], "cl"],
            ["cluster/shop"],
            id="equals-and-colons",
        ),
        pytest.param(
            "kmech --context 'arn:aws:eks:eu",
            ["kmech", "--context", "'arn:aws:eks:eu"],
            [EKS],
            id="quoted",
        ),
        pytest.param(
            f"kmech --context {EKS} watch -n ",
            ["kmech", "--context", *EKS_WORDS, "watch", "-n", ""],
            ["default", "shop"],
            id="colon-context-selects-namespaces",
        ),
    ],
)
def test_bash_comp_line_keeps_colons(
    line: str, words: list[str], expected: list[str], shell_env: dict[str, str], tmp_path: Path
) -> None:
    from kmech.completion import namespaces as ns

    kubeconfig = tmp_path / "eks"
    kubeconfig.write_text(
        f"current-context: kind\nclusters:\n- name: {EKS}\n  cluster: {{server: 'https://127.0.0.3:9'}}\n"
        f"users:\n- name: {EKS}\n  user: {{}}\n"
        f"contexts:\n- name: {EKS}\n  context: {{cluster: '{EKS}', user: '{EKS}'}}\n"
        "- name: kind\n  context: {cluster: kind}\n"
    )
    shell_env = dict(shell_env, KUBECONFIG=str(kubeconfig))
    ns.store(
        ns.cache_file(shell_env["KUBECACHEDIR"], "https://127.0.0.3:9", EKS), ["default", "shop"]
    )
    assert bash_complete(words, shell_env, line) == expected


@pytest.mark.parametrize(("debug", "traceback_shown"), [("", False), ("1", True)])
def test_a_bug_never_reaches_the_prompt(
    debug: str, traceback_shown: bool, shell_env: dict[str, str]
) -> None:
    env = dict(
        shell_env,
        _KMECH_COMPLETE="complete_bash",
        COMP_WORDS="kmech watch de",
        COMP_CWORD="not-a-number",  # makes the protocol code raise ValueError
        KMECH_COMPLETION_DEBUG=debug,
    )
    proc = subprocess.run(["kmech"], env=env, capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stdout) == (0, "")
    assert ("Traceback" in proc.stderr) is traceback_shown


@pytest.mark.skipif(
    shutil.which("fish") is None, reason="fish is not installed (apt-get install fish)"
)
def test_fish_option_equals_value(shell_env: dict[str, str], tmp_path: Path) -> None:
    shell_env = dict(
        shell_env, XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d")
    )
    script = f"source '{SCRIPTS / 'kmech.fish'}'; complete --do-complete='kmech --context=p'"
    out = run(["fish", "--no-config", "-c", script], shell_env)
    assert out.splitlines() == ["--context=prod-eu\tcluster prod-eu"]
