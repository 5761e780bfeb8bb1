"""typer's shell completion protocol, answered without importing typer.

The scripts in ``completions/`` (printed by ``kmech completion SHELL``) call ``kmech`` back on
every TAB with ``_KMECH_COMPLETE=complete_<shell>`` and the command line in the environment:

- bash: ``COMP_WORDS`` (the words joined by spaces) and ``COMP_CWORD``; one value per line;
- zsh: ``_TYPER_COMPLETE_ARGS``; an ``_arguments`` call with ``"value":"description"`` pairs,
  or ``_files`` when nothing matches;
- fish: ``_TYPER_COMPLETE_ARGS`` and ``_TYPER_COMPLETE_FISH_ACTION`` (``get-args``: lines of
  ``value<TAB>description``; ``is-args``: exit status 0 when there are candidates, else 1);
- PowerShell: ``_TYPER_COMPLETE_ARGS`` and ``_TYPER_COMPLETE_WORD_TO_COMPLETE``; lines of
  ``value:::description``.

:func:`respond` reads that, asks :mod:`kmech.completion.engine`, and writes the answer in the
same format typer would, so typer's own scripts (``--install-completion``) work unchanged.
Descriptions are printed as plain text (typer renders them with rich, which can wrap them).

Upstream: typer ``_completion_classes.py`` (BashComplete, ZshComplete, FishComplete,
PowerShellComplete), click ``shell_completion.py`` (split_arg_string).
"""

from __future__ import annotations

import os
import re

from kmech.completion.candidate import Candidate

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["SHELLS", "Response", "respond", "split_arg_string", "completion_args", "render"]

_WHITESPACE = re.compile(r"\s")

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


class Response:
    """What to print and the exit status to end with."""

    __slots__ = ("text", "exit_code")

    def __init__(self, text: str | None, exit_code: int = 0) -> None:
        self.text = text
        self.exit_code = exit_code


def respond(
    instruction: str, environ: Mapping[str, str] | None = None, *, check_sources: bool = True
) -> Response | None:
    """Answer ``complete_<shell>``; ``None`` for anything else (``source_<shell>``) and when the
    generated spec is older than the CLI's sources: the typer app answers those.
    ``check_sources=False`` skips that check (tests that compare the spec with typer)."""
    env = os.environ if environ is None else environ
    action, _, shell = instruction.partition("_")
    if action != "complete" or shell not in SHELLS:
        return None
    from kmech.completion.engine import complete
    from kmech.completion.sources import candidates
    from kmech.completion.spec import load_spec, spec_is_current

    if check_sources and not spec_is_current():
        return None  # a command changed since the spec was generated: typer answers

    if shell == "bash" and env.get("COMP_LINE"):
        args, incomplete, quoted = bash_line_args(env["COMP_LINE"], env.get("COMP_POINT"))
        items = complete(load_spec(), args, incomplete, candidates)
        if not quoted:
            items = trim_to_bash_word(items, incomplete)
        return render(shell, items, env)
    args, incomplete = completion_args(shell, env)
    items = complete(load_spec(), args, incomplete, candidates)
    if shell != "bash" and incomplete[:1] == "-" and "=" in incomplete:
        # zsh, fish and PowerShell replace the whole word "--opt=par": keep "--opt=" in front.
        # (click, and so typer, answer with bare values, which these shells then discard.)
        prefix = incomplete.partition("=")[0] + "="
        items = [Candidate(prefix + c.value, c.help) for c in items]
    return render(shell, items, env)


def completion_args(shell: str, env: Mapping[str, str]) -> tuple[list[str], str]:
    """The complete words after the program name, and the word being completed."""
    if shell == "bash":
        cwords = split_arg_string(env.get("COMP_WORDS", ""))
        cword = int(env.get("COMP_CWORD", "0") or 0)
        args = cwords[1:cword]
        incomplete = cwords[cword] if cword < len(cwords) else ""
        return _join_bash_equals(args, incomplete)
    line = env.get("_TYPER_COMPLETE_ARGS", "")
    cwords = split_arg_string(line)
    if shell in ("powershell", "pwsh"):
        incomplete = env.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        return (cwords[1:-1] if incomplete else cwords[1:]), incomplete
    args = cwords[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def bash_line_args(line: str, point: str | None) -> tuple[list[str], str, bool]:
    """Words from bash's ``COMP_LINE`` up to ``COMP_POINT``, split as the shell would (quotes
    kept together, ``=`` and ``:`` not word breaks), the word under the cursor, and whether that
    word was opened with a quote.

    kmech's bash script passes ``COMP_LINE``: ``COMP_WORDS`` is split at ``COMP_WORDBREAKS``,
    so ``--context=arn:aws:eks:...`` arrives there in seven pieces.
    """
    if point is not None and point.isdigit():
        line = line[: int(point)]
    words = split_arg_string(line + "x")  # "x" stands in for the cursor: it ends the last word
    incomplete = words[-1][:-1] if words else ""
    quote = None
    start = 0
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch.isspace():
            start = i + 1
    raw = line[start:]
    if raw[:1] == "-" and "=" in raw:
        raw = raw.partition("=")[2]
    return words[1:-1], incomplete, raw[:1] in ("'", '"')


_WORD_BREAKS = ":="


def trim_to_bash_word(items: list[Candidate], incomplete: str) -> list[Candidate]:
    """Drop from each candidate what bash keeps in front of the word it replaces: the text up to
    the last ``:`` or ``=`` of the word under the cursor (``COMP_WORDBREAKS``), as
    bash-completion's ``__ltrim_colon_completions`` does for kubectl."""
    if incomplete[:1] == "-" and "=" in incomplete:
        incomplete = incomplete.partition("=")[2]
    cut = max(incomplete.rfind(ch) for ch in _WORD_BREAKS) + 1
    if cut <= 0:
        return items
    prefix = incomplete[:cut]
    return [Candidate(c.value[cut:], c.help) if c.value.startswith(prefix) else c for c in items]


def _join_bash_equals(args: list[str], incomplete: str) -> tuple[list[str], str]:
    """Undo bash's split of ``--opt=value`` into ``--opt``, ``=``, ``value`` (``=`` is in
    ``COMP_WORDBREAKS``), which typer's protocol passes on: complete words are joined again,
    and ``--opt=`` or ``--opt=par`` under the cursor completes the option's value. The shell
    replaces only the text after ``=``, so the candidates are bare values.

    Upstream: cobra ``bash_completions.go`` (``__%[1]s_handle_word``: "--flag=value" handling).
    """
    out: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == "=" and out and out[-1][:2] == "--" and "=" not in out[-1]:
            if i + 1 < len(args):
                out[-1] = f"{out[-1]}={args[i + 1]}"
                i += 2
                continue
            return out, incomplete  # "--opt = par": the option's value is being typed
        out.append(args[i])
        i += 1
    if incomplete == "=" and out and out[-1][:2] == "--":
        return out, ""
    return out, incomplete


def render(shell: str, items: list[Candidate], env: Mapping[str, str]) -> Response:
    """Format ``items`` for ``shell`` exactly as typer's completion classes do."""
    if shell == "bash":
        return Response("\n".join(c.value for c in items))
    if shell == "zsh":
        if not items:
            return Response("_files")
        pairs = "\n".join(_zsh_item(c) for c in items)
        return Response(f"_arguments '*: :(({pairs}))'")
    if shell == "fish":
        action = env.get("_TYPER_COMPLETE_FISH_ACTION", "")
        lines = [_fish_item(c) for c in items]
        if action == "get-args":
            return Response("\n".join(lines))
        if action == "is-args":
            return Response(None, 0 if lines else 1)
        return Response("")
    return Response("\n".join(f"{c.value}:::{c.help if c.help else ' '}" for c in items))


def _zsh_escape(s: str) -> str:
    return (
        s.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )


def _zsh_item(c: Candidate) -> str:
    if c.help:
        return f'"{_zsh_escape(c.value)}":"{_zsh_escape(c.help)}"'
    return f'"{_zsh_escape(c.value)}"'


def _fish_item(c: Candidate) -> str:
    if c.help:
        return c.value + "\t" + _WHITESPACE.sub(" ", c.help)
    return c.value


def split_arg_string(string: str) -> list[str]:
    """Split like ``shlex.split``, keeping a partial last token (an open quote) as it is."""
    import shlex

    lex = shlex.shlex(string, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        for token in lex:
            out.append(token)
    except ValueError:
        out.append(lex.token)
    return out
