"""`kmech resolve NAME...`: what kubectl would use for each name, and why.

The command's logic, without typer: :mod:`kmech.cli.resolve_command` declares it for typer, and
:mod:`kmech.cli.fastpath` runs it straight from ``sys.argv`` when the arguments are plain.
"""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

from kmech._record import record

if TYPE_CHECKING:
    from kmech.discovery.client import DiscoveryDocuments
    from kmech.mapper import DiscoveryRESTMapper
    from kmech.mapper.resolve import ResolveResult
    from kmech.transport.options import ConnectionOptions

OUTPUTS = ("table", "wide", "name", "json", "yaml")
HEADERS = ("INPUT", "RESOURCE", "GROUP", "VERSION", "KIND", "SCOPE", "SHORTNAMES")
WIDE_HEADERS = ("VERBS", "CATEGORIES")

HELP = """Show what kubectl would use for each NAME (resource, short name, kind or category), and why.

Names are resolved exactly as `kubectl get NAME` resolves them: categories first, then
resource.version.group, resource.group, short names (case-sensitive), plural and singular names
(case-insensitive), and kinds, against the server's discovery data (cached under --cache-dir as
kubectl caches it) or a saved folder (--discovery).

Examples:

  kmech resolve po deploy.apps hpa cpol all

  kmech resolve ev --explain

  kmech resolve --kind Deployment.apps -o json

Exit codes: 0 all resolved, 3 a name is unknown (kubectl's message, plus "did you mean") or
ambiguous.
"""


@record(frozen=True, slots=True)
class ResolveOptions:
    """What `kmech resolve` was asked for, after parsing."""

    names: tuple[str, ...]
    output: str = "table"
    explain: bool = False
    kind: bool = False
    discovery_dir: str | None = None
    cache_dir: str | None = None
    refresh: bool = False


def _build(docs: DiscoveryDocuments) -> DiscoveryRESTMapper:
    from kmech.mapper import build_rest_mapper

    return build_rest_mapper(docs.group_list, docs.resource_lists)


def _scope(namespaced: bool) -> str:
    return "Namespaced" if namespaced else "Cluster"


def _rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-resource objects of one name's JSON (several for categories and lists)."""
    if "resources" in doc:
        return [dict(r, input=doc["input"]) for r in doc["resources"]]
    return [doc]


def _qualified(row: dict[str, Any]) -> str:
    return f"{row['resource']}.{row['group']}" if row["group"] else row["resource"]


def render(docs: list[dict[str, Any]], output: str) -> str:
    """The text of one output format for the resolved names' JSON objects."""
    from kmech.cli.output import dump_json, dump_yaml, format_columns

    if output == "json":
        return dump_json(docs[0] if len(docs) == 1 else docs)
    if output == "yaml":
        return dump_yaml(docs[0] if len(docs) == 1 else docs)
    rows = [row for doc in docs for row in _rows(doc)]
    if output == "name":
        return "".join(_qualified(r) + "\n" for r in rows)
    wide = output == "wide"
    headers = list(HEADERS) + (list(WIDE_HEADERS) if wide else [])
    table = []
    for r in rows:
        cells = [
            r["input"],
            r["resource"],
            r["group"] or "(core)",
            r["version"],
            r["kind"],
            _scope(r["namespaced"]),
            ",".join(r["shortNames"]),
        ]
        if wide:
            cells += [",".join(r["verbs"]), ",".join(r["categories"])]
        table.append(cells)
    return format_columns(headers, table) if table else ""


def run(
    options: ResolveOptions,
    connection: ConnectionOptions,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    color: bool = True,
) -> int:
    """Resolve every name; print results on ``stdout``, warnings and per-name errors on
    ``stderr``. Returns the exit code (3 when any name failed). Discovery and configuration
    problems raise their KmechError."""
    from kmech.discovery.deferred import DeferredMapper
    from kmech.discovery.flags import DiscoveryFlags, failure_warnings, open_discovery
    from kmech.errors import MapperError, UsageError

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if options.output not in OUTPUTS:
        raise UsageError(f'unknown output format "{options.output}": use -o wide|name|json|yaml')
    if not options.names:
        raise UsageError("no NAME given: try `kmech resolve po deploy.apps`")
    from kmech.cli.progress import ProgressCallback

    spinner = ProgressCallback("Discovering", unit="group-versions", color=color, stream=err)
    opened = open_discovery(
        connection,
        DiscoveryFlags(options.discovery_dir, options.cache_dir, options.refresh),
        on_progress=spinner,
    )
    if opened.notice:
        err.write(opened.notice + "\n")
    deferred = DeferredMapper(opened.client, _build)
    results: list[dict[str, Any]] = []
    explained: list[str] = []
    failed = False
    try:
        deferred.mapper()
        spinner.close()
        for line in failure_warnings(deferred.documents().failures):
            err.write(f"Warning: {line}\n")
        for name in options.names:
            try:
                result = deferred.call(partial(_resolve, name=name, kind=options.kind))
            except MapperError as exc:
                spinner.close()
                failed = True
                if not options.explain:
                    err.write(f"error: {exc.message}\n")
                    hint = getattr(exc, "hint", "")
                    if hint:
                        err.write(hint + "\n")
            else:
                spinner.close()
                if not options.explain:
                    for warning in [*result.warnings, *result.notes]:
                        err.write(f"Warning: {warning}\n")
                results.append(result.to_dict())
            if options.explain:
                lines = deferred.mapper().explain(name, kind=options.kind)
                explained.append("\n".join(lines) + "\n")
    finally:
        spinner.close()
        opened.close()
    if options.explain:
        out.write("\n".join(explained))
    elif results:
        out.write(render(results, options.output))
    return 3 if failed else 0


def _resolve(mapper: DiscoveryRESTMapper, *, name: str, kind: bool) -> ResolveResult:
    return mapper.resolve_kind(name) if kind else mapper.resolve(name)
