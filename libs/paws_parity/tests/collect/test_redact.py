"""Secrets are redacted at the source; set/unset survives so auth drift is still visible."""

from __future__ import annotations

import pytest

from paws_parity.collect.redact import (
    REDACTED,
    is_secret_key,
    redact_text,
    redact_tree,
    redact_value,
)


class TestRedaction:
    @pytest.mark.parametrize("key", ["requirepass", "masterauth", "auth-pass", "sentinel-pass",
                                     "root-password", "PGPASSWORD", "api_token", "client_secret"])  # fmt: skip
    def test_secret_keys(self, key: str) -> None:
        """Names that hold secrets are recognised."""
        assert is_secret_key(key)

    @pytest.mark.parametrize("key", ["password_encryption", "ssl_passphrase_command", "maxmemory"])
    def test_not_secret_keys(self, key: str) -> None:
        """Settings about passwords are not themselves secrets."""
        assert not is_secret_key(key)

    def test_set_and_unset_survive(self) -> None:
        """A set password becomes <redacted>; an empty one stays empty."""
        assert redact_value("requirepass", "s3cret") == REDACTED
        assert redact_value("requirepass", "") == ""

    def test_conninfo_and_urls(self) -> None:
        """Passwords inside primary_conninfo and URLs are redacted."""
        assert redact_text("host=a user=r password='x y' port=5432") == (
            f"host=a user=r password={REDACTED} port=5432"
        )
        assert (
            redact_text("redis://default:hunter2@redis-0:6379")
            == f"redis://default:{REDACTED}@redis-0:6379"
        )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("redis://:hunter2@redis-0:6379/0", f"redis://:{REDACTED}@redis-0:6379/0"),
            ("rediss://:hunter2@h", f"rediss://:{REDACTED}@h"),
            ("postgresql://app:p@ss@h:5432/app", f"postgresql://app:{REDACTED}@h:5432/app"),
            ("URL=postgres://u:pw@h/db?x=a@b", f"URL=postgres://u:{REDACTED}@h/db?x=a@b"),
            ("redis://h:6379/0", "redis://h:6379/0"),
            ("http://h:8080/stats", "http://h:8080/stats"),
        ],
    )
    def test_url_passwords_with_or_without_user(self, text: str, expected: str) -> None:
        """An empty user (`redis://:pw@host`, paws' own format) and an @ in the password are
        redacted too; URLs without a password are left as they are."""
        assert redact_text(text) == expected

    def test_nested_tree(self) -> None:
        """Patroni-style nested documents are redacted by key at any depth."""
        tree = {"postgresql": {"authentication": {"superuser": {"password": "x"}}}, "ttl": 30}
        assert redact_tree(tree) == {
            "postgresql": {"authentication": {"superuser": {"password": REDACTED}}},
            "ttl": 30,
        }
