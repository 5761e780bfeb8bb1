"""`kmech version`: the client's version and, when a cluster is reachable, the server's.

Mirrors ``kubectl version``: plain text is ``Client Version: ...`` then ``Server Version: ...``;
``-o json|yaml`` print ``clientVersion`` and ``serverVersion`` objects (the server's is its
``/version`` document, unchanged). When the server cannot be asked, the client part is still
printed, then the error, with its exit code (kubectl exits non-zero there too). The server is
asked with a short timeout (``--request-timeout`` if given, else 5s). ``--client`` never touches
the network or the kubeconfig.

Upstream: kubectl ``pkg/cmd/version/version.go`` (Run).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from kmech.errors import KmechError

if TYPE_CHECKING:
    from kmech.transport.options import ConnectionOptions

__all__ = ["VersionOptions", "register", "run", "client_version_info"]

SERVER_VERSION_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class VersionOptions:
    """What `kmech version` was asked for."""

    connection: ConnectionOptions
    client_only: bool = False
    output: str = "text"


def client_version_info() -> dict[str, str]:
    """kmech's own version, shaped like kubectl's clientVersion."""
    from kmech import __version__

    major, minor, *_ = __version__.split(".")
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"v{__version__}",
        "pythonVersion": platform.python_version(),
        "platform": f"{sys.platform}/{arch}",
    }


def run(options: VersionOptions) -> None:
    """Print the versions; raise the kmech error that kept the server version from being read."""
    from kmech.cli.output import check_output_format, dump_json, dump_yaml

    fmt = check_output_format(options.output, ["text", "json", "yaml"])
    data: dict[str, Any] = {"clientVersion": client_version_info()}
    error: KmechError | None = None
    if not options.client_only:
        try:
            data["serverVersion"] = _server_version(options.connection)
        except KmechError as exc:  # re-raised below, once the client part is printed
            error = exc
    if fmt == "json":
        sys.stdout.write(dump_json(data))
    elif fmt == "yaml":
        sys.stdout.write(dump_yaml(data))
    else:
        sys.stdout.write(f"Client Version: {data['clientVersion']['gitVersion']}\n")
        if "serverVersion" in data:
            server = data["serverVersion"]
            text = server.get("gitVersion", "unknown") if isinstance(server, dict) else "unknown"
            sys.stdout.write(f"Server Version: {text}\n")
    sys.stdout.flush()
    if error is not None:
        raise error


def _server_version(connection: ConnectionOptions) -> Any:
    from kmech.transport.client import RESTClient

    timeout = connection.request_timeout_seconds or SERVER_VERSION_TIMEOUT
    with RESTClient.from_options(connection) as client:
        return client.get_json("/version", timeout=timeout)


def register(app: typer.Typer) -> None:
    """Add the `version` command to ``app``."""

    @app.command("version")
    def version(
        ctx: typer.Context,
        client: bool = typer.Option(
            False, "--client", help="Print only the client version; do not contact the server."
        ),
        output: str = typer.Option("text", "-o", "--output", help="Output format: text|json|yaml."),
    ) -> None:
        """Print the client and server versions.

        Examples:

          kmech version                 # Client Version: v0.1.0 / Server Version: v1.34.3+k3s1

          kmech version --client -o json
        """
        from kmech.cli.app import global_options

        run(
            VersionOptions(
                connection=global_options(ctx).connection,
                client_only=client,
                output=output,
            )
        )
