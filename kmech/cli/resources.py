"""`kmech resources`: kubectl api-resources from the same discovery cache `kmech resolve` uses."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated, TextIO

import typer

from kmech.cli.completion import output_formats
from kmech.cli.resolve_command import CACHE_DIR_OPTION, DISCOVERY_DIR_OPTION, REFRESH_OPTION

OUTPUTS = ("table", "wide", "name", "json", "yaml")


@dataclass(frozen=True, slots=True)
class ResourcesOptions:
    """What `kmech resources` was asked for, after parsing."""

    output: str = "table"
    api_group: str | None = None
    namespaced: bool | None = None
    verbs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sort_by: str = ""
    no_headers: bool = False
    discovery_dir: str | None = None
    cache_dir: str | None = None
    refresh: bool = False


def _split_list(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or []:
        out.extend(v for v in value.split(",") if v)
    return tuple(out)


def _parse_bool(flag: str, value: str | None) -> bool | None:
    from kmech.errors import UsageError

    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "t", "1"):
        return True
    if lowered in ("false", "f", "0"):
        return False
    raise UsageError(f'invalid value "{value}" for {flag}: use true or false')


def run(
    options: ResourcesOptions,
    connection: object,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    color: bool = True,
) -> int:
    """List the preferred resources; failed group-versions become warnings. Returns the exit code."""
    from kmech.cli.output import dump_json, dump_yaml, format_columns
    from kmech.discovery.flags import DiscoveryFlags, failure_warnings, open_discovery
    from kmech.discovery.preferred import ResourceFilter, api_resources
    from kmech.errors import UsageError
    from kmech.transport.options import ConnectionOptions

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if options.output not in OUTPUTS:
        raise UsageError(f'unknown output format "{options.output}": use -o wide|name|json|yaml')
    if options.sort_by not in ("", "name", "kind"):
        raise UsageError("--sort-by accepts only name or kind")
    assert isinstance(connection, ConnectionOptions)
    from kmech.cli.progress import ProgressCallback

    spinner = ProgressCallback("Discovering", unit="group-versions", color=color, stream=err)
    opened = open_discovery(
        connection,
        DiscoveryFlags(options.discovery_dir, options.cache_dir, options.refresh),
        on_progress=spinner,
    )
    try:
        if opened.notice:
            err.write(opened.notice + "\n")
        docs = opened.client.server_groups_and_resources()
    finally:
        spinner.close()
        opened.close()
    for line in failure_warnings(docs.failures):
        err.write(f"Warning: {line}\n")
    rows = api_resources(
        docs,
        ResourceFilter(options.api_group, options.namespaced, options.verbs, options.categories),
        sort_by=options.sort_by,
    )
    if options.output == "name":
        out.write("".join(r.qualified_name + "\n" for r in rows))
    elif options.output in ("json", "yaml"):
        doc = {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "",
            "resources": [r.to_api_resource() for r in rows],
        }
        out.write(dump_json(doc) if options.output == "json" else dump_yaml(doc))
    else:
        headers = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
        wide = options.output == "wide"
        if wide:
            headers += ["VERBS", "CATEGORIES"]
        table = []
        for r in rows:
            cells = [
                r.name,
                ",".join(r.short_names),
                r.group_version,
                str(r.namespaced).lower(),
                r.kind,
            ]
            if wide:
                cells += [",".join(r.verbs), ",".join(r.categories)]
            table.append(cells)
        text = format_columns(headers, table)
        if options.no_headers:
            text = "".join(text.splitlines(keepends=True)[1:])
        out.write(text)
    return 0


def register(app: typer.Typer) -> None:
    """Add the `resources` command to ``app``."""

    @app.command(
        "resources",
        help=(
            "List the resources the server serves, like kubectl api-resources, from the shared "
            "discovery cache.\n\nExamples:\n\n  kmech resources\n\n  kmech resources --api-group apps -o wide\n\n"
            "  kmech resources --namespaced=false --verbs list,watch -o name"
        ),
    )
    def resources_command(
        ctx: typer.Context,
        output: str | None = typer.Option(
            None,
            "-o",
            "--output",
            help="Output format: wide|name|json|yaml.",
            autocompletion=output_formats("wide", "name", "json", "yaml"),
        ),
        api_group: str | None = typer.Option(
            None, "--api-group", help="Only resources in this API group ('' for core)."
        ),
        namespaced: str | None = typer.Option(
            None,
            "--namespaced",
            help="true: only namespaced resources; false: only cluster-scoped.",
        ),
        verbs: Annotated[
            list[str] | None,
            typer.Option(
                "--verbs", help="Only resources supporting all these verbs (comma-separated)."
            ),
        ] = None,
        categories: Annotated[
            list[str] | None,
            typer.Option(
                "--categories", help="Only resources in all these categories (comma-separated)."
            ),
        ] = None,
        sort_by: str = typer.Option(
            "", "--sort-by", help="Sort by 'name' or 'kind' (default: API group, then name)."
        ),
        no_headers: bool = typer.Option(
            False, "--no-headers", help="Omit the header line of tables."
        ),
        discovery: str | None = DISCOVERY_DIR_OPTION,
        cache_dir: str | None = CACHE_DIR_OPTION,
        refresh: bool = REFRESH_OPTION,
    ) -> None:
        from kmech.cli.app import run_with_globals

        options = ResourcesOptions(
            output=output or "table",
            api_group=api_group,
            namespaced=_parse_bool("--namespaced", namespaced),
            verbs=_split_list(verbs),
            categories=_split_list(categories),
            sort_by=sort_by,
            no_headers=no_headers,
            discovery_dir=discovery,
            cache_dir=cache_dir,
            refresh=refresh,
        )
        run_with_globals(ctx, run, options)
