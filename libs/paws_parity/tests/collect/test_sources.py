"""Shaping real server output into settings: pg_settings, CONFIG GET, SENTINEL, etcd, Patroni."""

from __future__ import annotations

from typing import Any

from helpers import FIXTURES

from paws_parity.collect import Collected
from paws_parity.collect.containers import etcd_settings, merge_members
from paws_parity.collect.live import assemble
from paws_parity.collect.patroni import flatten, settings_from_config
from paws_parity.collect.postgres import settings_from_rows
from paws_parity.collect.redis import settings_from_config as redis_settings
from paws_parity.collect.redis import settings_from_sentinel
from paws_parity.normalise import PER_MEMBER


class TestPostgres:
    def test_rows_keep_unit_vartype_context(self, pg_rows: dict[str, dict[str, Any]]) -> None:
        """Each pg_settings row keeps what normalisation and restart flags need."""
        rows = [
            (r["name"], r["setting"], r["unit"], r["vartype"], r["context"])
            for r in pg_rows.values()
        ]
        settings = settings_from_rows(rows)
        buffers = settings["shared_buffers"]
        assert (buffers.value, buffers.unit, buffers.vartype, buffers.context) == (
            "16384", "8kB", "integer", "postmaster")  # fmt: skip

    def test_conninfo_password_redacted(self) -> None:
        """primary_conninfo's password is redacted at collection."""
        row = ("primary_conninfo", "host=p user=r password=hunter2", None, "string", "sighup")
        assert "hunter2" not in str(settings_from_rows([row])["primary_conninfo"].value)


class TestRedis:
    def test_config_get_with_secrets_redacted(self, redis_config: dict[str, str]) -> None:
        """CONFIG GET * becomes settings; requirepass is only <redacted>."""
        settings = redis_settings(redis_config)
        assert settings["requirepass"].value == "<redacted>"
        assert settings["maxmemory-policy"].value == "noeviction"

    def test_sentinel_master_settings(self) -> None:
        """Only configuration fields of SENTINEL MASTER are kept, plus whether auth is asked."""
        lines = (FIXTURES / "sentinel70_master.txt").read_text().split("\n")
        master = dict(zip(lines[0::2], lines[1::2], strict=False))
        settings = settings_from_sentinel(master, auth_required=False)
        assert sorted(settings) == ["down-after-milliseconds", "failover-timeout",
                                    "parallel-syncs", "quorum", "requirepass"]  # fmt: skip
        assert settings["requirepass"].value == ""


class TestEtcd:
    def test_env_and_flags(self) -> None:
        """ETCD_* variables and --flags map to one key space; flags win."""
        settings = etcd_settings(["ETCD_HEARTBEAT_INTERVAL=100", "PATH=/bin", "ETCD_ROOT_PASSWORD=x"],
                                 ["--heartbeat-interval=200", "--election-timeout=1000"])  # fmt: skip
        assert settings == {"heartbeat-interval": "200", "election-timeout": "1000",
                            "root-password": "<redacted>"}  # fmt: skip

    def test_member_identity_becomes_per_member(self) -> None:
        """A value that differs between members is not compared value by value."""
        merged = merge_members(
            [{"name": "etcd-0", "log-level": "warn"}, {"name": "etcd-1", "log-level": "warn"}]
        )
        assert merged == {"log-level": "warn", "name": PER_MEMBER}


class TestPatroni:
    def test_flatten_keeps_lists(self) -> None:
        """DCS configuration flattens to dotted keys; lists (pg_hba) stay ordered values."""
        config = {
            "ttl": 30,
            "postgresql": {"parameters": {"work_mem": "4MB"}, "pg_hba": ["a", "b"]},
        }
        assert flatten(config) == {"ttl": 30, "postgresql.parameters.work_mem": "4MB",
                                   "postgresql.pg_hba": ["a", "b"]}  # fmt: skip
        assert settings_from_config(config)["postgresql.pg_hba"].value == ["a", "b"]

    def test_assemble_topology(self) -> None:
        """Collected pieces become one snapshot with members, sync mode and quorum."""
        snap = assemble("local", "live", [
            Collected("patroni", members=3, synchronous_mode=True, version="3.0.2"),
            Collected("sentinel", members=3, sentinel_quorum=2),
        ])  # fmt: skip
        assert snap.topology.members == {"patroni": 3, "sentinel": 3}
        assert (snap.topology.synchronous_mode, snap.topology.sentinel_quorum) == (True, 2)
        assert snap.versions == {"patroni": "3.0.2"}
