"""Equivalent values compare equal and different values do not, from real server output."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import pg_setting

from paws_parity.model import Setting
from paws_parity.normalise import canonical, display, redis_key

# (name, value written another way) pairs equal to PostgreSQL 15.18's real pg_settings.
PG_EQUIVALENT = [
    ("shared_buffers", "128MB"),
    ("shared_buffers", "131072kB"),
    ("shared_buffers", "16384"),
    ("effective_cache_size", "4GB"),
    ("work_mem", "4MB"),
    ("maintenance_work_mem", "64MB"),
    ("wal_buffers", "4MB"),
    ("max_wal_size", "1GB"),
    ("min_wal_size", "80MB"),
    ("wal_segment_size", "16MB"),
    ("checkpoint_timeout", "5min"),
    ("checkpoint_timeout", "300s"),
    ("deadlock_timeout", "1s"),
    ("log_rotation_age", "1d"),
    ("log_rotation_age", "24h"),
    ("autovacuum_naptime", "1min"),
    ("autovacuum_vacuum_cost_delay", "2ms"),
    ("wal_writer_delay", "200ms"),
    ("statement_timeout", "0"),
    ("fsync", "true"),
    ("fsync", "ON"),
    ("fsync", "1"),
    ("fsync", "yes"),
    ("hot_standby", "on"),
    ("wal_level", "REPLICA"),
    ("synchronous_commit", "On"),
    ("checkpoint_completion_target", "0.90"),
    ("search_path", '"$user",public'),
    ("autovacuum_work_mem", "-1"),
]

PG_DIFFERENT = [
    ("shared_buffers", "256MB"),
    ("shared_buffers", "16385"),
    ("work_mem", "4096MB"),
    ("checkpoint_timeout", "5h"),
    ("fsync", "off"),
    ("wal_level", "logical"),
    ("search_path", 'public, "$user"'),
    ("password_encryption", "md5"),
    ("max_connections", "200"),
    ("checkpoint_completion_target", "0.5"),
]


class TestPostgres:
    @pytest.mark.parametrize(("name", "other"), PG_EQUIVALENT)
    def test_equivalent(self, pg_rows: dict[str, Any], name: str, other: str) -> None:
        """A value written another way, read with the server's unit, equals the real one."""
        real = pg_setting(pg_rows, name)
        written = Setting(value=other)
        assert canonical("postgresql", name, real) == canonical("postgresql", name, written, real)

    @pytest.mark.parametrize(("name", "other"), PG_DIFFERENT)
    def test_different(self, pg_rows: dict[str, Any], name: str, other: str) -> None:
        """A different value stays different after normalisation."""
        real = pg_setting(pg_rows, name)
        written = Setting(value=other)
        assert canonical("postgresql", name, real) != canonical("postgresql", name, written, real)

    def test_listen_addresses_order_does_not_matter(self) -> None:
        """listen_addresses is a set: its order carries no meaning."""
        a, b = Setting(value="127.0.0.1, ::1", vartype="string"), Setting(value="::1,127.0.0.1")
        assert canonical("postgresql", "listen_addresses", a) == canonical(
            "postgresql", "listen_addresses", b, a
        )

    def test_preload_order_matters(self) -> None:
        """shared_preload_libraries load in order, so a different order is a difference."""
        a = Setting(value="pg_stat_statements,auto_explain", vartype="string")
        b = Setting(value="auto_explain,pg_stat_statements", vartype="string")
        assert canonical("postgresql", "shared_preload_libraries", a) != canonical(
            "postgresql", "shared_preload_libraries", b
        )

    def test_display_uses_the_largest_exact_unit(self, pg_rows: dict[str, Any]) -> None:
        """16384 x 8kB shows as 128MB; 300 s as 5min."""
        buffers = pg_setting(pg_rows, "shared_buffers")
        timeout = pg_setting(pg_rows, "checkpoint_timeout")
        assert display("postgresql", "shared_buffers", buffers, None) == "128MB"
        assert display("postgresql", "checkpoint_timeout", timeout, None) == "5min"


REDIS_EQUIVALENT = [
    ("maxmemory", "0"),
    ("repl-backlog-size", "1mb"),
    ("repl-backlog-size", "1048576"),
    ("auto-aof-rewrite-min-size", "64mb"),
    ("client-query-buffer-limit", "1gb"),
    ("proto-max-bulk-len", "512mb"),
    ("appendonly", "YES"),
    ("save", "60 10000 300 100 3600 1"),
    ("client-output-buffer-limit", "pubsub 32mb 8mb 60 replica 256mb 64mb 60 normal 0 0 0"),
    ("maxmemory-policy", "NoEviction"),
    ("appendfsync", "EVERYSEC"),
    ("notify-keyspace-events", ""),
    ("hz", "10"),
]

REDIS_DIFFERENT = [
    ("repl-backlog-size", "1m"),
    ("maxmemory-policy", "allkeys-lru"),
    ("appendonly", "no"),
    ("save", ""),
    ("save", "3600 1 300 100"),
    ("client-output-buffer-limit", "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 30"),
    ("appendfsync", "always"),
]


class TestRedis:
    @pytest.mark.parametrize(("key", "other"), REDIS_EQUIVALENT)
    def test_equivalent(self, redis_config: dict[str, str], key: str, other: str) -> None:
        """A value written as in redis.conf equals Redis 7.0's CONFIG GET answer."""
        real = Setting(value=redis_config[key])
        assert canonical("redis", key, real) == canonical("redis", key, Setting(value=other))

    @pytest.mark.parametrize(("key", "other"), REDIS_DIFFERENT)
    def test_different(self, redis_config: dict[str, str], key: str, other: str) -> None:
        """A different value (1m is 1000000, not 1048576) stays different."""
        real = Setting(value=redis_config[key])
        assert canonical("redis", key, real) != canonical("redis", key, Setting(value=other))

    def test_slave_names_are_aliases(self) -> None:
        """Redis 7 answers both slave-* and replica-* names; they are one setting."""
        assert redis_key("slave-read-only") == "replica-read-only"
        assert redis_key("maxmemory") == "maxmemory"

    def test_notify_flags_are_a_set(self) -> None:
        """notify-keyspace-events flags compare in any order."""
        a, b = Setting(value="Ex"), Setting(value="xE")
        assert canonical("redis", "notify-keyspace-events", a) == canonical(
            "redis", "notify-keyspace-events", b
        )


class TestGeneric:
    @pytest.mark.parametrize(("a", "b"), [(True, "on"), ("yes", "true"), (10, "10"), (0.5, "0.50"),
                                          (" text ", "text"), (["a", "b"], ["a", "b"])])  # fmt: skip
    def test_equivalent(self, a: Any, b: Any) -> None:
        """Booleans by meaning, numbers by value, text trimmed, lists in order."""
        assert canonical("patroni", "k", Setting(value=a)) == canonical(
            "patroni", "k", Setting(value=b)
        )

    def test_list_order_matters(self) -> None:
        """pg_hba lines are first-match: a different order is a difference."""
        a, b = (
            Setting(value=["host all all 0/0 md5", "local all all peer"]),
            Setting(value=["local all all peer", "host all all 0/0 md5"]),
        )
        assert canonical("patroni", "postgresql.pg_hba", a) != canonical(
            "patroni", "postgresql.pg_hba", b
        )

    def test_haproxy_times_in_any_unit(self) -> None:
        """timeout connect 2s equals 2000 (ms) and 2000ms."""
        for other in ("2000", "2000ms"):
            assert canonical(
                "haproxy", "defaults.timeout connect", Setting(value="2s")
            ) == canonical("haproxy", "defaults.timeout connect", Setting(value=other))


class TestSmallCases:
    def test_haproxy_bind_star_is_every_address(self) -> None:
        """`bind *:5432` and `bind :5432` listen on the same addresses."""
        key = "listen pg.bind"
        star = canonical("haproxy", key, Setting(value="*:5432"))
        assert star == canonical("haproxy", key, Setting(value=":5432"))
        assert star != canonical("haproxy", key, Setting(value="127.0.0.1:5432"))

    def test_off_values_show_as_written(self, pg_rows: dict[str, Any]) -> None:
        """-1 ms (disabled) is shown as -1, not in microseconds."""
        row = pg_setting(pg_rows, "log_min_duration_statement", "-1")
        assert display("postgresql", "log_min_duration_statement", row, None) == "-1"
