"""`kmech completion SHELL`, the completion callbacks other commands attach, and the generator.

``kmech completion bash|zsh|fish|powershell`` prints the script for a shell (kubectl's
convention; typer's ``--install-completion`` installs the same script). The scripts hold no
data: every TAB runs ``kmech`` again with ``_KMECH_COMPLETE`` set, and
:mod:`kmech.completion.entry` answers from the generated command spec without loading typer.

Other commands attach a candidate source to an option or argument with ``autocompletion=``::

    from kmech.cli.completion import complete_namespaces, output_formats

    namespace: str | None = typer.Option(None, "-n", autocompletion=complete_namespaces)
    output: str = typer.Option("table", "-o", autocompletion=output_formats("table", "json"))

Each callback works on typer's own (slow) completion path too; its ``kmech_source`` attribute
names the source the fast path uses. After changing any command, regenerate the checked-in
files (the spec, and the scripts in ``completions/``) and commit them::

    python -m kmech.cli.completion --write
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from kmech.completion.entry import COMPLETE_VAR

__all__ = [
    "register",
    "complete_resources",
    "complete_watchable_resources",
    "complete_namespaces",
    "complete_contexts",
    "complete_clusters",
    "complete_users",
    "complete_limiters",
    "output_formats",
    "completion_script",
    "build_spec",
    "generated_files",
]

PROG_NAME = "kmech"

EXAMPLES = """Print the shell completion script for SHELL (bash, zsh, fish or powershell).

The script carries no data: every TAB runs kmech again, so the candidates are live (resource
names from kubectl's discovery cache, namespaces, contexts, clusters, limiter presets, output
formats) and a TAB on a warm cache makes no network call.

Examples:

\b
  # bash, this shell only; or install it for good
  source <(kmech completion bash)
  kmech completion bash > ~/.local/share/bash-completion/completions/kmech

\b
  # zsh (compinit must run) and fish
  kmech completion zsh > "${fpath[1]}/_kmech"
  kmech completion fish > ~/.config/fish/completions/kmech.fish

\b
  # PowerShell
  kmech completion powershell | Out-String | Invoke-Expression
"""

SCRIPT_FILES = {
    "bash": "kmech.bash",
    "zsh": "_kmech",
    "fish": "kmech.fish",
    "powershell": "kmech.ps1",
}


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


def register(app: typer.Typer) -> None:
    """Add the `completion` command to ``app``, and kmech's script templates to typer."""
    use_kmech_templates()

    @app.command("completion", help=EXAMPLES, short_help="Print the shell completion script.")
    def completion(
        shell: Annotated[
            Shell, typer.Argument(metavar="SHELL", help="bash, zsh, fish or powershell.")
        ],
    ) -> None:
        typer.echo(completion_script(shell.value))


# typer's templates (``%(name)s`` placeholders), improved; installed into typer by
# :func:`register`, so ``--install-completion`` and ``--show-completion`` write these too.
BASH_TEMPLATE = """\
%(complete_func)s() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \\
                   COMP_CWORD=$COMP_CWORD \\
                   COMP_LINE="$COMP_LINE" \\
                   COMP_POINT=$COMP_POINT \\
                   %(autocomplete_var)s=complete_bash $1 ) )
    return 0
}

complete -o default -F %(complete_func)s %(prog_name)s"""

ZSH_TEMPLATE = """\
#compdef %(prog_name)s

%(complete_func)s() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(autocomplete_var)s=complete_zsh %(prog_name)s)
}

# Autoloaded from $fpath, this file is the body of _%(prog_name)s: complete now. Sourced: register.
if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then
  %(complete_func)s "$@"
else
  compdef %(complete_func)s %(prog_name)s
fi"""


def use_kmech_templates() -> None:
    """Make typer's script generation (``--install-completion``, ``--show-completion``) use
    kmech's bash and zsh templates. Typer keeps its templates in a private module-level dict,
    stable within the pinned typer 0.28; a test checks both paths print the same script.

    bash: typer's script plus ``COMP_LINE`` and ``COMP_POINT``, so names with ``:`` or ``=``
    (EKS context ARNs, ``--context=NAME``) survive bash's word breaks. zsh: typer's, made to
    complete on the first TAB when autoloaded from ``$fpath`` (typer's completes only from the
    second).
    """
    from typer import _completion_shared as shared

    shared._completion_scripts["bash"] = BASH_TEMPLATE
    shared._completion_scripts["zsh"] = ZSH_TEMPLATE


def completion_script(shell: str) -> str:
    """The completion script for ``shell``, calling ``kmech`` back on every TAB."""
    from typer._completion_shared import get_completion_script

    use_kmech_templates()
    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell)


# -- callbacks for other commands' options ------------------------------------------------------


def _source(name: str, doc: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    def callback(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from kmech.completion.engine import filter_candidates
        from kmech.completion.sources import candidates

        found = candidates(name, _connection_from_context(ctx))
        return [(c.value, c.help or "") for c in filter_candidates(name, found, incomplete)]

    callback.__doc__ = doc
    callback.__name__ = callback.__qualname__ = f"complete_{name}"
    callback.kmech_source = name  # type: ignore[attr-defined]
    return callback


complete_resources = _source("resources", "Resource names, short names and name.group forms.")
complete_watchable_resources = _source(
    "watchable_resources", "As complete_resources, only resources that support watch."
)
complete_namespaces = _source(
    "namespaces", "Namespaces (cached 30 s, refreshed with a 1 s timeout)."
)
complete_contexts = _source("contexts", "Context names from the kubeconfig.")
complete_clusters = _source("clusters", "Cluster names from the kubeconfig.")
complete_users = _source("users", "User names from the kubeconfig.")
complete_limiters = _source("limiters", "Rate limiter presets and expression functions.")


def output_formats(*formats: str) -> Callable[[str], list[str]]:
    """A callback offering ``formats`` for ``-o``."""

    def callback(incomplete: str) -> list[str]:
        return [f for f in formats if f.startswith(incomplete)]

    callback.kmech_source = "choices"  # type: ignore[attr-defined]
    callback.kmech_choices = list(formats)  # type: ignore[attr-defined]
    return callback


def _connection_from_context(ctx: typer.Context) -> dict[str, str]:
    """What the fast path's engine collects (``CONNECTION_PARAMS``), read from click's contexts."""
    from kmech.completion.engine import CONNECTION_PARAMS

    chain = []
    c: Any = ctx
    while c is not None:
        chain.append(c)
        c = c.parent
    out: dict[str, str] = {}
    for level in reversed(chain):
        for name in CONNECTION_PARAMS:
            value = level.params.get(name)
            if isinstance(value, str) and value:
                out[name] = value
    return out


# -- the generated files ----------------------------------------------------------------------

LIMITER_SIGNATURES = {
    "exp": "exp(BASE, MAX): ItemExponentialFailureRateLimiter",
    "fastslow": "fastslow(FAST, SLOW, N): ItemFastSlowRateLimiter",
    "bucket": "bucket(QPS, BURST): BucketRateLimiter",
    "max": "max(EXPR, EXPR, ...): MaxOfRateLimiter",
    "maxwait": "maxwait(EXPR, MAX): WithMaxWaitRateLimiter",
    "seq": "seq(D1, D2, ...): fixed delays, the last repeats (a final stop gives up)",
    "backoff": "backoff(duration=, factor=, jitter=, steps=, cap=, reset=): wait.Backoff",
}


def build_spec(app: typer.Typer) -> dict[str, Any]:
    """The command tree of ``app`` as :class:`kmech.completion.spec.CommandSpec` data."""
    import typer.main
    from typer._click import Context
    from typer._types import TyperChoice
    from typer.core import TyperArgument, TyperOption

    root = typer.main.get_command(app)

    def command_spec(cmd: Any, name: str, parent: Any) -> dict[str, Any]:
        settings = dict(cmd.context_settings)
        settings["resilient_parsing"] = True
        ctx = Context(cmd, info_name=name, parent=parent, **settings)
        params = []
        for p in cmd.get_params(ctx):
            is_option = not isinstance(p, TyperArgument) and hasattr(p, "is_flag")
            source, choices = _source_of(p)
            case_sensitive = True
            if source is None and isinstance(p.type, TyperChoice):
                choices = [str(c) for c in p.type.choices]
                case_sensitive = bool(p.type.case_sensitive)
            opts = list(p.opts)
            if p.name == "help":
                # click builds the help option's names from a set: pin the configured order.
                order = list(ctx.help_option_names)
                opts.sort(key=lambda o: order.index(o) if o in order else len(order))
            params.append(
                {
                    "kind": "option" if is_option else "argument",
                    "name": p.name,
                    "opts": opts,
                    "secondary_opts": list(p.secondary_opts),
                    "nargs": p.nargs,
                    "is_flag": bool(is_option and (p.is_flag or p.count)),
                    "multiple": bool(getattr(p, "multiple", False)),
                    "hidden": bool(getattr(p, "hidden", False)),
                    "typer_param": isinstance(p, (TyperOption, TyperArgument)),
                    "help": _plain(getattr(p, "help", None)),
                    "source": source,
                    "choices": choices,
                    "case_sensitive": case_sensitive,
                }
            )
        commands = []
        for sub_name in getattr(cmd, "list_commands", lambda _c: [])(ctx):
            sub = cmd.get_command(ctx, sub_name)
            if sub is None:
                continue
            spec = command_spec(sub, sub_name, ctx)
            spec["short_help"] = _plain(sub.get_short_help_str()) or ""
            spec["hidden"] = bool(sub.hidden)
            commands.append(spec)
        return {
            "name": name,
            "short_help": "",
            "hidden": False,
            "params": params,
            "commands": commands,
            "interspersed": bool(cmd.allow_interspersed_args),
        }

    return command_spec(root, PROG_NAME, None)


def _source_of(param: Any) -> tuple[str | None, list[str] | None]:
    fn = getattr(param, "_custom_shell_complete", None)
    seen: set[int] = set()
    stack = [fn]
    while stack:
        f = stack.pop()
        if f is None or id(f) in seen:
            continue
        seen.add(id(f))
        name = getattr(f, "kmech_source", None)
        if isinstance(name, str):
            choices = getattr(f, "kmech_choices", None)
            return name, list(choices) if choices is not None else None
        stack.append(getattr(f, "__wrapped__", None))
        for cell in getattr(f, "__closure__", None) or ():
            try:
                stack.append(cell.cell_contents)
            except ValueError:
                continue
    return None, None


def _plain(text: str | None) -> str | None:
    """Help as typer shows it in zsh and fish: rich markup rendered to plain text, one line."""
    if not text:
        return text
    from typer.rich_utils import rich_render_text

    return " ".join(rich_render_text(text).split())


def limiter_values() -> list[tuple[str, str]]:
    """Presets (value, summary), then expression functions (``exp(``, signature)."""
    from kmech.workqueue.expression import FUNCTIONS
    from kmech.workqueue.presets import PRESETS

    out = [(p.name, p.summary) for p in PRESETS.values()]
    for fn in FUNCTIONS:
        out.append((f"{fn}(", LIMITER_SIGNATURES[fn]))
    return out


def render_spec_module(
    spec: dict[str, Any],
    limiters: list[tuple[str, str]],
    source_files: list[str],
    sources_crc: int | None,
) -> str:
    """The text of ``kmech/completion/_spec.py``."""
    import pprint

    body = pprint.pformat(spec, indent=1, width=100, sort_dicts=False)
    lims = pprint.pformat(limiters, indent=1, width=100)
    crc = "None" if sources_crc is None else f"0x{sources_crc:08x}"
    return (
        '"""Generated by ``python -m kmech.cli.completion --write``: do not edit."""\n\n'
        "from __future__ import annotations\n\n"
        "from kmech.completion.spec import CommandSpec\n\n"
        f"SOURCE_FILES: list[str] = {source_files!r}\n\n"
        f"SOURCES_CRC: int | None = {crc}\n\n"
        f"SPEC: CommandSpec = {body}\n\n"
        f"LIMITERS: list[tuple[str, str]] = {lims}\n"
    )


def spec_source_files(app: typer.Typer) -> list[str]:
    """The files the spec depends on, relative to the package: the modules whose functions
    define the commands and the global options, this module (the callbacks), the presets."""
    import importlib

    modules = {__name__, "kmech.workqueue.presets"}
    if app.registered_callback is not None and app.registered_callback.callback is not None:
        modules.add(app.registered_callback.callback.__module__)
    for info in app.registered_commands:
        if info.callback is not None:
            modules.add(info.callback.__module__)
    files = []
    for name in sorted(modules):
        path = getattr(importlib.import_module(name), "__file__", None)
        if name.startswith("kmech.") and path:
            files.append("/".join(name.split(".")[1:]) + ".py")
    return files


def generated_files(repo: Path) -> dict[Path, str]:
    """Every generated file under ``repo`` and the text it must have."""
    import subprocess
    import sys

    from kmech.cli.app import app
    from kmech.completion.spec import sources_crc

    source_files = spec_source_files(app)
    files = {
        repo / "kmech" / "completion" / "_spec.py": render_spec_module(
            build_spec(app), limiter_values(), source_files, sources_crc(source_files)
        )
    }
    for shell, name in SCRIPT_FILES.items():
        files[repo / "completions" / name] = completion_script(shell) + "\n"
    # Format the spec module as ruff would, so `ruff format --check` passes on it.
    spec_path = repo / "kmech" / "completion" / "_spec.py"
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(spec_path), "-"],
        input=files[spec_path],
        capture_output=True,
        text=True,
        cwd=repo,
        check=False,
    )
    if proc.returncode == 0:
        files[spec_path] = proc.stdout
    return files


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m kmech.cli.completion",
        description="Regenerate or check the completion spec and scripts.",
    )
    parser.add_argument("--write", action="store_true", help="write the generated files")
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    args = parser.parse_args(argv)
    repo = Path(args.repo)
    stale = []
    for path, text in generated_files(repo).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if args.write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "wrote" if args.write else "stale"
        sys.stdout.write(f"{verb}: {path.relative_to(repo)}\n")
    return 0 if args.write or not stale else 1


if __name__ == "__main__":
    raise SystemExit(_main())
