"""``python -m kmech.completion.refresh KIND CONNECTION``: refresh a completion cache, detached.

Started by a TAB that found a cache expired (it offered the old names and returned at once):
KIND ``namespaces`` lists the namespaces again, ``discovery`` rewrites kubectl's discovery cache.
``CONNECTION`` is the JSON object of connection flags from the completed command line
(kubeconfig path, context, cluster, user, server, cache dir; never credentials). Prints nothing
and always exits 0: nobody is waiting for it.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("namespaces", "discovery"):
        return 0
    try:
        connection = json.loads(args[1])
    except ValueError:
        return 0
    if not isinstance(connection, dict):
        return 0
    from kmech.completion.sources import refresh_discovery, refresh_namespaces

    refresh = refresh_namespaces if args[0] == "namespaces" else refresh_discovery
    refresh({str(k): str(v) for k, v in connection.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
