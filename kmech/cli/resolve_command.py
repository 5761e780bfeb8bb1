"""`kmech resolve` declared for typer; the logic is in :mod:`kmech.cli.resolve`."""

from __future__ import annotations

from typing import Any

import typer

from kmech.cli.completion import complete_resources, output_formats
from kmech.cli.resolve import HELP, ResolveOptions, run

# The discovery-source flags, shared with `kmech resources` (one declaration, one help text).
DISCOVERY_DIR_OPTION: Any = typer.Option(
    None,
    "--discovery",
    help="Read a saved discovery folder (fixture layout or a kubectl cache) instead of a server.",
)
CACHE_DIR_OPTION: Any = typer.Option(
    None, "--cache-dir", help="Discovery cache root (default $KUBECACHEDIR or ~/.kube/cache)."
)
REFRESH_OPTION: Any = typer.Option(
    False, "--refresh", help="Ignore the cache and fetch discovery again."
)


def register(app: typer.Typer) -> None:
    """Add the `resolve` command to ``app``."""

    @app.command("resolve", help=HELP)
    def resolve_command(
        ctx: typer.Context,
        names: list[str] = typer.Argument(  # noqa: B008
            None, metavar="NAME...", show_default=False, autocompletion=complete_resources
        ),
        output: str | None = typer.Option(
            None,
            "-o",
            "--output",
            help="Output format: wide|name|json|yaml.",
            autocompletion=output_formats("wide", "name", "json", "yaml"),
        ),
        explain: bool = typer.Option(
            False, "--explain", help="Explain every step: parsing, rules, candidates, priorities."
        ),
        kind: bool = typer.Option(
            False, "--kind", help="Resolve Kinds (Deployment, Deployment.apps, Deployment.v1.apps)."
        ),
        discovery: str | None = DISCOVERY_DIR_OPTION,
        cache_dir: str | None = CACHE_DIR_OPTION,
        refresh: bool = REFRESH_OPTION,
    ) -> None:
        from kmech.cli.app import run_with_globals

        options = ResolveOptions(
            names=tuple(names or ()),
            output=output or "table",
            explain=explain,
            kind=kind,
            discovery_dir=discovery,
            cache_dir=cache_dir,
            refresh=refresh,
        )
        run_with_globals(ctx, run, options)
