"""``python -m kmech.completion.refresh CONNECTION``: refresh the namespace cache, detached.

Started by a TAB that found the namespace cache expired (it offered the old names and returned
at once). ``CONNECTION`` is the JSON object of connection flags from the completed command line
(kubeconfig path, context, cluster, user, server, cache dir; never credentials). Prints nothing
and always exits 0: nobody is waiting for it.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        connection = json.loads(args[0]) if args else {}
    except ValueError:
        return 0
    if not isinstance(connection, dict):
        return 0
    from kmech.completion.sources import refresh_namespaces

    refresh_namespaces({str(k): str(v) for k, v in connection.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
