"""TLS material for ``--tls``: a throw-away CA and a server certificate for 127.0.0.1/localhost.

The standard library cannot create keys or certificates, and kmech does not depend on
``cryptography``, so this module drives the ``openssl`` command-line tool (P-256 keys, SHA-256,
one day of validity). Files live in a private temporary directory (0700) removed by
:meth:`TLSMaterial.cleanup`; the private keys never leave it.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kmech.errors import SandboxError

__all__ = ["TLSMaterial", "generate_tls", "openssl_available"]

_NO_OPENSSL = "--tls needs the openssl command-line tool on PATH; install openssl or drop --tls"


def openssl_available() -> bool:
    """Whether the ``openssl`` tool is on PATH."""
    return shutil.which("openssl") is not None


@dataclass(slots=True)
class TLSMaterial:
    """Paths of the generated CA and server key pair, and the CA in PEM."""

    directory: Path
    ca_cert: Path
    server_cert: Path
    server_key: Path
    ca_pem: bytes

    def server_context(self) -> ssl.SSLContext:
        """A server-side SSLContext presenting the generated certificate."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(str(self.server_cert), str(self.server_key))
        return ctx

    def cleanup(self) -> None:
        """Remove the directory with the keys."""
        shutil.rmtree(self.directory, ignore_errors=True)


def _run(args: list[str], cwd: Path) -> None:
    try:
        subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise SandboxError(_NO_OPENSSL) from exc
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise SandboxError(
            f"openssl failed while making the sandbox certificate: {detail[0]}"
        ) from exc


def generate_tls(hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> TLSMaterial:
    """Generate a CA and a server certificate valid for ``hosts`` (IPs and DNS names)."""
    if not openssl_available():
        raise SandboxError(_NO_OPENSSL)
    directory = Path(tempfile.mkdtemp(prefix="kmech-sandbox-tls-"))
    directory.chmod(0o700)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _run(
        [
            "openssl",
            "req",
            "-x509",
            *ec,
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "1",
            "-sha256",
            "-subj",
            "/CN=kmech-sandbox-ca",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        directory,
    )
    _run(
        [
            "openssl",
            "req",
            *ec,
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=kmech-sandbox",
        ],
        directory,
    )
    sans = ",".join(
        f"IP:{h}" if h.replace(".", "").isdigit() or ":" in h else f"DNS:{h}" for h in hosts
    )
    (directory / "ext.cnf").write_text(
        f"subjectAltName={sans}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    _run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "1",
            "-sha256",
            "-extfile",
            "ext.cnf",
        ],
        directory,
    )
    return TLSMaterial(
        directory=directory,
        ca_cert=directory / "ca.crt",
        server_cert=directory / "server.crt",
        server_key=directory / "server.key",
        ca_pem=(directory / "ca.crt").read_bytes(),
    )
