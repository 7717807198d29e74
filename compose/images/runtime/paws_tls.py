"""TLS mode inside a container: is it on, and the service user's copies of its files.

paws (libs/paws_stack/src/paws_stack/tls.py) mounts the CA and the member's own pair under
/run/secrets/ with the names below, root-only like every secret. The entrypoint copies them to
RUNTIME (a tmpfs) for the service user, which the servers and their TLS settings
(config/*/*-tls.*) read. Off unless PAWS_TLS=on: the default stack never reaches this code.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

SECRETS = Path("/run/secrets")
RUNTIME = Path("/run/paws/tls")
# /run/secrets/<name> -> RUNTIME/<copy>; the member's pair is absent for HAProxy (CA only).
FILES = {"tls_ca.crt": "ca.crt", "tls_server.crt": "server.crt", "tls_server.key": "server.key"}
CA_FILE = RUNTIME / "ca.crt"


def enabled() -> bool:
    return os.environ.get("PAWS_TLS") == "on"


def install(owner_uid: int, owner_gid: int) -> None:
    """Copy the mounted files for the service user: directory 0700, files 0600."""
    RUNTIME.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chown(RUNTIME, owner_uid, owner_gid)
    for name, copy in FILES.items():
        source = SECRETS / name
        if not source.is_file():
            continue
        target = RUNTIME / copy
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(source.read_bytes())
        os.chown(target, owner_uid, owner_gid)


def client_context() -> ssl.SSLContext:
    """Verifies the peer against the local CA, host name included."""
    return ssl.create_default_context(cafile=str(SECRETS / "tls_ca.crt"))


def redis_options() -> dict[str, object]:
    """redis-py keyword arguments for a verified TLS connection ({} when TLS is off)."""
    if not enabled():
        return {}
    return {
        "ssl": True,
        "ssl_ca_certs": str(SECRETS / "tls_ca.crt"),
        "ssl_cert_reqs": "required",
        "ssl_check_hostname": True,
    }
