"""Rules: first match wins, values match after normalisation, templates fill in, errors name lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_parity import RulesError, Severity, load_rules
from paws_parity.model import Difference, Kind
from paws_parity.rules import bundled_rules, judge


def _one(component: str, key: str, local: object, target: object, **extra: object) -> Difference:
    return Difference(component, key, local, target, extra.pop("kind", Kind.RUNTIME), **extra)  # type: ignore[arg-type]


class TestBundledRules:
    @pytest.mark.parametrize(
        ("difference", "severity"),
        [
            (_one("postgresql", "fsync", "off", "on"), Severity.CRITICAL),
            (_one("postgresql", "fsync", "on", "off"), Severity.WARNING),
            (_one("postgresql", "full_page_writes", False, True), Severity.CRITICAL),
            (_one("postgresql", "password_encryption", "md5", "scram-sha-256"), Severity.CRITICAL),
            (_one("redis", "requirepass", "", "<redacted>"), Severity.CRITICAL),
            (_one("sentinel", "requirepass", "", "<redacted>"), Severity.CRITICAL),
            (_one("redis", "appendonly", "no", "yes"), Severity.CRITICAL),
            (_one("redis", "maxmemory-policy", "allkeys-lru", "noeviction"), Severity.WARNING),
            (_one("patroni", "synchronous_mode", False, True, kind=Kind.SEMANTIC), Severity.CRITICAL),
            (_one("patroni", "synchronous_mode", True, False, kind=Kind.SEMANTIC), Severity.WARNING),
            (_one("redis", "members", 1, 3, kind=Kind.STRUCTURAL), Severity.CRITICAL),
            (_one("postgresql", "log_min_duration_statement", "-1", "1s"), Severity.INFO),
            (_one("postgresql", "version", "14.1", "15", kind=Kind.SEMANTIC, change="major"), Severity.CRITICAL),
            (_one("redis", "version", "7.2.1", "7.0", kind=Kind.SEMANTIC, change="minor"), Severity.WARNING),
            (_one("redis", "version", "7.0.1", "7.0.15", kind=Kind.SEMANTIC, change="patch"), Severity.INFO),
            (_one("etcd", "auth", "off", "on"), Severity.CRITICAL),
            (_one("etcd", "auth", "on", "off"), Severity.WARNING),
        ],
    )  # fmt: skip
    def test_severity(self, difference: Difference, severity: Severity) -> None:
        """The issue's Critical examples are Critical; the version policy decides versions."""
        (finding,) = judge([difference], bundled_rules())
        assert finding.severity is severity

    def test_host_paths_are_ignored(self) -> None:
        """Host-specific values (data_directory, Redis dir) are never reported."""
        found = [_one("postgresql", "data_directory", "/a", "/b"), _one("redis", "dir", "/a", "/b")]
        assert judge(found, bundled_rules()) == []

    def test_default_severity_is_configurable(self) -> None:
        """A key no rule names gets the default severity, which the caller may change."""
        unknown = [_one("redis", "some-new-key", "1", "2")]
        assert judge(unknown, bundled_rules())[0].severity is Severity.WARNING
        assert judge(unknown, bundled_rules(), Severity.INFO)[0].severity is Severity.INFO


class TestRemediation:
    def test_alter_system_for_plain_parameters(self) -> None:
        """A parameter Patroni does not manage is fixed with ALTER SYSTEM and a reload."""
        (f,) = judge(
            [_one("postgresql", "statement_timeout", "30s", "0", context="user")], bundled_rules()
        )
        assert f.remediation == "ALTER SYSTEM SET statement_timeout = '0'; SELECT pg_reload_conf();"
        assert not f.restart_required

    def test_patronictl_for_dcs_parameters_with_restart(self) -> None:
        """A DCS-managed postmaster parameter is fixed with patronictl and needs a restart."""
        d = _one(
            "postgresql", "max_connections", "50", "100", context="postmaster", dcs_managed=True
        )
        (f,) = judge([d], bundled_rules())
        assert f.remediation.startswith(
            "patronictl edit-config paws --force --pg max_connections='100'"
        )
        assert "patronictl restart paws --pending" in f.remediation
        assert f.restart_required

    def test_redis_config_set_and_file(self) -> None:
        """Redis gets CONFIG SET and the persistent file."""
        (f,) = judge(
            [_one("redis", "maxmemory-policy", "allkeys-lru", "noeviction")], bundled_rules()
        )
        assert "CONFIG SET maxmemory-policy 'noeviction'" in f.remediation
        assert "compose/config/redis/redis.conf" in f.remediation

    def test_compose_file_and_key_otherwise(self) -> None:
        """Anything else names the compose file and the key to edit."""
        d = _one("compose", "services.redis-0.deploy.resources.limits.memory", "128M", "8G")
        (f,) = judge([d], bundled_rules())
        assert f.remediation.startswith(
            "set services.redis-0.deploy.resources.limits.memory to 8G in compose/compose.yaml"
        )

    def test_secrets_never_appear_in_remediation(self) -> None:
        """A missing password is fixed from the secrets, never by printing one."""
        (f,) = judge([_one("redis", "requirepass", "", "<redacted>")], bundled_rules())
        assert "<redacted>" not in f.remediation and "requirepass" in f.remediation


class TestRulesFile:
    def test_custom_rules_file(self, tmp_path: Path) -> None:
        """A user's rules file replaces the bundled one."""
        path = tmp_path / "rules.yaml"
        path.write_text(
            "default_severity: info\nrules:\n  - {key: fsync, severity: critical, reason: r}\n"
        )
        rules = load_rules(path)
        assert judge([_one("x", "fsync", 1, 0)], rules)[0].severity is Severity.CRITICAL
        assert judge([_one("x", "other", 1, 0)], rules)[0].severity is Severity.INFO

    def test_bad_severity_names_line_and_field(self, tmp_path: Path) -> None:
        """A malformed rule names the line and the field."""
        path = tmp_path / "rules.yaml"
        path.write_text("rules:\n  - key: fsync\n    severity: fatal\n    reason: r\n")
        with pytest.raises(RulesError) as caught:
            load_rules(path)
        assert caught.value.line == 3
        assert caught.value.field == "rules.0.severity"
        assert f"{path}:3" in str(caught.value)
