"""Which candidates answer a TAB: click's completion rules, replayed over the generated spec.

Given the words before the cursor and the incomplete word, :func:`complete` finds what click
would complete (a sub-command name, an option name, an option's value or an argument's value)
and returns the candidates that start with the incomplete word. It parses the words exactly as
click does with ``resilient_parsing`` (options with attached or separate values, clusters of
short flags, ``--``, groups that stop at their first positional word, parse errors that end
parsing quietly), so the answer is the one the typer app itself would give; the tests compare
the two for every shell. The difference is cost: no typer, click or rich is imported.

The values of connection options met on the way (``--kubeconfig``, ``--context``, ``--cluster``,
``--user``, ``--server``, ``-n``, ``--cache-dir``) are collected for the candidate sources, so
``kmech --context prod watch -n <TAB>`` lists the namespaces of ``prod``.

Upstream: click ``shell_completion.py`` (_resolve_context, _resolve_incomplete,
_is_incomplete_option, _is_incomplete_argument), click ``parser.py`` (the option parser), click
``core.py`` (Command.shell_complete, Group.shell_complete).
"""

from __future__ import annotations

from kmech.completion.candidate import Candidate

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from kmech.completion.spec import CommandSpec, ParamSpec

__all__ = ["CONNECTION_PARAMS", "Level", "complete", "resolve", "filter_candidates"]

COMMA_LISTS = frozenset({"resources", "watchable_resources"})
"""Sources whose values kubectl accepts as a comma-separated list (``kubectl get po,deploy``)."""

if TYPE_CHECKING:
    SourceLookup = Callable[[str, dict[str, str]], list[Candidate]]


class _ParseStop(Exception):
    """click raised a UsageError; with resilient parsing it stops parsing quietly."""


class Level:
    """One command on the path, with what the command line gave it: the parameters given
    (``given``), the option values by parameter name (``values``) and the unparsed words."""

    __slots__ = ("spec", "given", "values", "rest")

    def __init__(self, spec: CommandSpec) -> None:
        self.spec = spec
        self.given: set[str] = set()
        self.values: dict[str, str] = {}
        self.rest: list[str] = []


def resolve(spec: CommandSpec, args: list[str]) -> list[Level]:
    """The chain of commands ``args`` selects, root first (click's ``_resolve_context``)."""
    levels = [_parse(spec, args)]
    while True:
        level = levels[-1]
        if not level.spec["commands"] or not level.rest:
            return levels
        name = level.rest[0]
        sub = next((c for c in level.spec["commands"] if c["name"] == name), None)
        if sub is None:
            return levels
        levels.append(_parse(sub, level.rest[1:]))


def complete(
    spec: CommandSpec, args: list[str], incomplete: str, sources: SourceLookup
) -> list[Candidate]:
    """The candidates click would offer for ``incomplete`` after ``args``."""
    args = list(args)
    levels = resolve(spec, args)
    level = levels[-1]
    # Shells differ on "--opt=value": click always splits and discards the "=".
    if incomplete == "=":
        incomplete = ""
    elif "=" in incomplete and incomplete[:1] == "-":
        name, _, incomplete = incomplete.partition("=")
        args.append(name)

    if "--" not in args and incomplete[:1] == "-":
        return _names(level, incomplete)

    params = level.spec["params"]
    for param in params:
        if _is_incomplete_option(args, param):
            return _values(param, incomplete, _connection(levels), sources)
    for param in params:
        if _is_incomplete_argument(level, param):
            return _values(param, incomplete, _connection(levels), sources)
    return _names(level, incomplete)


def filter_candidates(source: str, found: list[Candidate], incomplete: str) -> list[Candidate]:
    """``found`` that start with ``incomplete``; for a comma-separated list of resources
    (``deployments,po``) only the last item is completed and the rest is kept in front."""
    if source in COMMA_LISTS and "," in incomplete:
        head, _, last = incomplete.rpartition(",")
        return [Candidate(f"{head},{c.value}", c.help) for c in found if c.value.startswith(last)]
    return [c for c in found if c.value.startswith(incomplete)]


# -- what to complete ------------------------------------------------------------------------


def _is_incomplete_option(args: list[str], param: ParamSpec) -> bool:
    if param["kind"] != "option" or not param["typer_param"] or param["is_flag"]:
        return False
    last_option = None
    for index, arg in enumerate(reversed(args)):
        if index + 1 > param["nargs"]:
            break
        if arg[:1] == "-":
            last_option = arg
            break
    return last_option is not None and last_option in param["opts"]


def _is_incomplete_argument(level: Level, param: ParamSpec) -> bool:
    if param["kind"] != "argument" or not param["typer_param"]:
        return False
    return param["nargs"] == -1 or param["name"] not in level.given


def _names(level: Level, incomplete: str) -> list[Candidate]:
    out = [
        Candidate(c["name"], c["short_help"])
        for c in level.spec["commands"]
        if c["name"].startswith(incomplete) and not c["hidden"]
    ]
    if incomplete and not incomplete[0].isalnum():
        for p in level.spec["params"]:
            if p["kind"] != "option" or p["hidden"] or not p["typer_param"]:
                continue
            if not p["multiple"] and p["name"] in level.given:
                continue
            out.extend(
                Candidate(n, p["help"])
                for n in [*p["opts"], *p["secondary_opts"]]
                if n.startswith(incomplete)
            )
    return out


def _values(
    param: ParamSpec, incomplete: str, connection: dict[str, str], sources: SourceLookup
) -> list[Candidate]:
    source = param["source"]
    if source is not None:
        if source == "choices":
            found = [Candidate(c) for c in param["choices"] or []]
        else:
            found = sources(source, connection)
        return filter_candidates(source, found, incomplete)
    choices = param["choices"]
    if choices is not None:
        if param["case_sensitive"]:
            return [Candidate(c) for c in choices if c.startswith(incomplete)]
        low = incomplete.lower()
        return [Candidate(c) for c in choices if c.lower().startswith(low)]
    return []


CONNECTION_PARAMS = (
    "kubeconfig",
    "context",
    "cluster",
    "user",
    "server",
    "namespace",
    "cache_dir",
    "discovery",
)
"""The parameters whose values the candidate sources read (the ``connection`` they are given)."""


def _connection(levels: list[Level]) -> dict[str, str]:
    out: dict[str, str] = {}
    for level in levels:
        for name in CONNECTION_PARAMS:
            if name in level.values:
                out[name] = level.values[name]
    return out


# -- click's parser, resilient ---------------------------------------------------------------


def _parse(spec: CommandSpec, args: list[str]) -> Level:
    level = Level(spec)
    long_opts: dict[str, ParamSpec] = {}
    short_opts: dict[str, ParamSpec] = {}
    for p in spec["params"]:
        if p["kind"] != "option":
            continue
        for opt in [*p["opts"], *p["secondary_opts"]]:
            if opt[:2] == "--" or (len(opt) > 2 and opt[:1] == "-"):
                long_opts[opt] = p
            else:
                short_opts[opt] = p
    rargs = list(args)
    largs: list[str] = []
    try:
        while rargs:
            arg = rargs.pop(0)
            if arg == "--":
                break
            if arg[:1] == "-" and len(arg) > 1:
                _process_opts(level, arg, rargs, long_opts, short_opts)
            elif spec["interspersed"]:
                largs.append(arg)
            else:
                rargs.insert(0, arg)
                break
    except _ParseStop:
        level.rest = largs
        return level
    level.rest = _process_arguments(level, largs + rargs)
    return level


def _process_opts(
    level: Level,
    arg: str,
    rargs: list[str],
    long_opts: dict[str, ParamSpec],
    short_opts: dict[str, ParamSpec],
) -> None:
    explicit: str | None = None
    long_opt = arg
    if "=" in arg:
        long_opt, explicit = arg.split("=", 1)
    param = long_opts.get(long_opt)
    if param is None:
        if arg[:2] == "--":
            raise _ParseStop
        _match_short(level, arg, rargs, short_opts)
        return
    if not param["is_flag"]:
        if explicit is not None:
            rargs.insert(0, explicit)
        _take_value(level, param, rargs)
    elif explicit is not None:
        raise _ParseStop
    else:
        level.given.add(param["name"])


def _match_short(
    level: Level, arg: str, rargs: list[str], short_opts: dict[str, ParamSpec]
) -> None:
    prefix = arg[0]
    i = 1
    for ch in arg[1:]:
        param = short_opts.get(prefix + ch)
        i += 1
        if param is None:
            raise _ParseStop
        if not param["is_flag"]:
            if i < len(arg):
                rargs.insert(0, arg[i:])
                _take_value(level, param, rargs)
                return
            _take_value(level, param, rargs)
        else:
            level.given.add(param["name"])


def _take_value(level: Level, param: ParamSpec, rargs: list[str]) -> None:
    nargs = param["nargs"]
    if len(rargs) < nargs:
        raise _ParseStop
    values = rargs[:nargs]
    del rargs[:nargs]
    level.given.add(param["name"])
    level.values[param["name"]] = values[-1]


def _process_arguments(level: Level, args: list[str]) -> list[str]:
    """Assign positional words to arguments as click's ``_unpack_args`` does; return the rest."""
    arguments = [p for p in level.spec["params"] if p["kind"] == "argument"]
    remaining = list(args)
    # A star argument (nargs=-1) takes everything the fixed ones after it leave over.
    fixed_after = 0
    star = next((i for i, p in enumerate(arguments) if p["nargs"] < 0), None)
    if star is not None:
        fixed_after = sum(p["nargs"] for p in arguments[star + 1 :])
    for p in arguments:
        if p["nargs"] < 0:
            take = max(0, len(remaining) - fixed_after)
            if take:
                level.given.add(p["name"])
            del remaining[:take]
            continue
        got = remaining[: p["nargs"]]
        del remaining[: p["nargs"]]
        if got and (p["nargs"] == 1 or len(got) == p["nargs"]):
            level.given.add(p["name"])
    return remaining
