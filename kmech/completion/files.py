"""Small owner-only JSON files for the completion caches: read quietly, write atomically.

Directories are created 0700 and files 0600, whatever the umask, because these caches live
beside kubectl's and may name the user's clusters. A write goes to a temporary file in the same
directory and is renamed into place, so a concurrent TAB never reads half a file. Failures are
silent: a cache that cannot be read or written only makes completion slower, never wrong.
"""

from __future__ import annotations

import contextlib
import json
import os

from kmech._files import make_private_dirs

# typing is not imported on the completion path; mypy treats this name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["read_json", "private_write", "make_private_dirs"]


def read_json(path: str) -> dict[str, Any] | None:
    """The JSON object in ``path``, or ``None`` when absent, unreadable or not an object."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def private_write(path: str, doc: Any) -> bool:
    """Write ``doc`` as JSON to ``path`` (0600, atomically); ``False`` if that failed."""
    data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    try:
        make_private_dirs(directory)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True
