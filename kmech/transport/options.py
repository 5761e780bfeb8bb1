"""Connection options as the user gave them (kubectl's global flags), before any kubeconfig is read.

A plain record (:mod:`kmech._record`) with no heavy imports, so the CLI can build it on every start-up.
"""

from __future__ import annotations

from kmech._record import record

__all__ = ["ConnectionOptions"]


@record(frozen=True, slots=True)
class ConnectionOptions:
    """kubectl's global connection flags; ``None`` means "not given, use the kubeconfig"."""

    kubeconfig: str | None = None
    context: str | None = None
    cluster: str | None = None
    user: str | None = None
    namespace: str | None = None
    server: str | None = None
    token: str | None = None
    certificate_authority: str | None = None
    insecure_skip_tls_verify: bool = False
    request_timeout_seconds: float | None = None
    verbosity: int = 0

    def __repr__(self) -> str:  # never show the token
        token = "<redacted>" if self.token else None
        return (
            f"ConnectionOptions(kubeconfig={self.kubeconfig!r}, context={self.context!r}, "
            f"cluster={self.cluster!r}, user={self.user!r}, namespace={self.namespace!r}, "
            f"server={self.server!r}, token={token!r}, "
            f"certificate_authority={self.certificate_authority!r}, "
            f"insecure_skip_tls_verify={self.insecure_skip_tls_verify!r}, "
            f"request_timeout_seconds={self.request_timeout_seconds!r}, verbosity={self.verbosity!r})"
        )
