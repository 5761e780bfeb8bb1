"""Writing a kubeconfig file that points kubectl and kmech at a sandbox.

The file is YAML with every string JSON-quoted (a JSON string is a valid YAML double-quoted
scalar), written with mode 0600 because it may hold a bearer token.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

__all__ = ["write_kubeconfig", "render_kubeconfig"]


def render_kubeconfig(
    *,
    server: str,
    namespace: str = "default",
    token: str | None = None,
    context: str = "sandbox",
    ca_pem: bytes | None = None,
) -> str:
    """The kubeconfig text for one cluster, user and context, all named ``context``."""
    q = json.dumps
    lines = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        f"- name: {q(context)}",
        "  cluster:",
        f"    server: {q(server)}",
    ]
    if ca_pem is not None:
        lines.append(f"    certificate-authority-data: {q(base64.b64encode(ca_pem).decode())}")
    lines += [
        "users:",
        f"- name: {q(context)}",
    ]
    lines.append(f"  user:\n    token: {q(token)}" if token else "  user: {}")
    lines += [
        "contexts:",
        f"- name: {q(context)}",
        "  context:",
        f"    cluster: {q(context)}",
        f"    user: {q(context)}",
        f"    namespace: {q(namespace)}",
        f"current-context: {q(context)}",
        "preferences: {}",
        "",
    ]
    return "\n".join(lines)


def write_kubeconfig(
    path: Path,
    *,
    server: str,
    namespace: str = "default",
    token: str | None = None,
    context: str = "sandbox",
    ca_pem: bytes | None = None,
) -> Path:
    """Write :func:`render_kubeconfig` to ``path`` (parents created, mode 0600); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_kubeconfig(
        server=server, namespace=namespace, token=token, context=context, ca_pem=ca_pem
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
    return path
