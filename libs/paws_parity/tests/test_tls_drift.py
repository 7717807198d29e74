"""TLS drift: staging speaks TLS, so a local stack without it is reported, with the fix."""

from __future__ import annotations

import pytest
from helpers import plant

from paws_parity import Severity, build_report, bundled_snapshot
from paws_parity.model import Finding, Snapshot

# What the local stack reports in each mode (pg_settings `ssl`, CONFIG GET of the data nodes).
PLAIN = {
    ("postgresql", "ssl"): "off",
    ("redis", "port"): "6379",
    ("redis", "tls-port"): "0",
    ("redis", "tls-replication"): "no",
    ("redis", "tls-auth-clients"): "yes",
    ("redis", "tls-cert-file"): "",
}
TLS = {
    ("postgresql", "ssl"): "on",
    ("redis", "port"): "0",
    ("redis", "tls-port"): "6379",
    ("redis", "tls-replication"): "yes",
    ("redis", "tls-auth-clients"): "no",
    ("redis", "tls-cert-file"): "/run/paws/tls/server.crt",
}


def _local(values: dict[tuple[str, str], str]) -> Snapshot:
    local = bundled_snapshot().model_copy(update={"name": "local"})
    for (component, key), value in values.items():
        local = plant(local, component, key, value)
    return local


def _findings(values: dict[tuple[str, str], str]) -> dict[tuple[str, str], Finding]:
    report = build_report(_local(values), bundled_snapshot())
    return {(f.component, f.key): f for f in report.findings}


class TestTlsOffLocally:
    def test_postgresql_without_tls_is_a_warning_naming_tls_mode(self) -> None:
        """`ssl off` against staging's `on`: a warning whose fix is `paws-stack up --tls`."""
        finding = _findings(PLAIN)[("postgresql", "ssl")]
        assert finding.severity is Severity.WARNING
        assert "up --tls" in finding.remediation
        assert "TLS" in finding.reason

    @pytest.mark.parametrize("key", ["tls-port", "tls-replication", "tls-auth-clients"])
    def test_redis_without_tls_is_reported_once_more_as_info(self, key: str) -> None:
        """The Redis side of the same decision: reported, at info (one switch fixes both)."""
        finding = _findings(PLAIN)[("redis", key)]
        assert finding.severity is Severity.INFO
        assert "up --tls" in finding.remediation

    def test_the_plain_port_and_certificate_paths_are_not_drift(self) -> None:
        """`port` is 0 with TLS on and the files' paths are host-specific: never reported."""
        found = _findings(PLAIN)
        assert ("redis", "port") not in found
        assert ("redis", "tls-cert-file") not in found


class TestTlsOnLocally:
    def test_tls_mode_matches_staging(self) -> None:
        """With TLS on, none of these keys differs from staging."""
        found = _findings(TLS)
        assert not {key for key in TLS if key in found}
