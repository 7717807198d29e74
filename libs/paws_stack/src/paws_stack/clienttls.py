"""How a client of the stack verifies it: nothing in plain mode, the local CA in TLS mode.

One place for the arguments each client library takes, so paws' probes, paws_chaos and the
tests connect exactly as an application does (docs/tls.md).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ClientTls:
    """The local CA in TLS mode (None without TLS: every method then adds nothing)."""

    ca_file: Path | None = None

    @property
    def enabled(self) -> bool:
        return self.ca_file is not None

    @property
    def scheme(self) -> str:
        """Patroni's REST API and etcd: http, or https in TLS mode."""
        return "https" if self.enabled else "http"

    def pg(self, check_hostname: bool = True) -> dict[str, Any]:
        """libpq's arguments: the server's chain and name verified (verify-full), as the apps
        do; a member on its container address by its chain only (verify-ca)."""
        if self.ca_file is None:
            return {}
        mode = "verify-full" if check_hostname else "verify-ca"
        return {"sslmode": mode, "sslrootcert": str(self.ca_file)}

    def redis(self, check_hostname: bool = True) -> dict[str, Any]:
        """redis-py's arguments: TLS, a certificate required, its name checked if asked."""
        if self.ca_file is None:
            return {}
        return {
            "ssl": True,
            "ssl_ca_certs": str(self.ca_file),
            "ssl_cert_reqs": "required",
            "ssl_check_hostname": check_hostname,
        }

    def http_verify(self, check_hostname: bool = True) -> ssl.SSLContext | bool:
        """httpx's `verify` (its default, True, in plain mode).

        Members are reached on their container address, which changes when a container is
        recreated and which no certificate carries: for those, check_hostname=False verifies
        the chain only. The loopback addresses clients use are verified in full.
        """
        if self.ca_file is None:
            return True
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.check_hostname = check_hostname
        return context
