"""Tests for paws_stack.probes parsing: HAProxy's CSV stats and the route/streaming annotations."""

from __future__ import annotations

import pytest

from paws_stack.health import Component
from paws_stack.probes import _annotate_routes, _annotate_streaming, haproxy_routes

# The header HAProxy 2.6 prints for `show stat` / `/stats;csv` (abridged after check_status).
HEADER = (
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,"
    "wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,"
    "throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,"
    "check_duration,"
)


def row(proxy: str, server: str, status: str) -> str:
    """One CSV row with realistic counters around the status column."""
    cells = [proxy, server, "0", "0", "0", "1", "", "42", "1024", "2048", "", "0", "", "0", "0"]
    cells += ["0", "0", status, "1", "1", "0", "0", "0", "12", "0", "", "1", "2", "1"]
    cells += ["", "7", "", "2", "0", "", "1", "L7OK", "200", "3", ""]
    return ",".join(cells)


STATS = (
    "\n".join(
        [
            HEADER,
            row("stats", "FRONTEND", "OPEN"),
            row("stats", "BACKEND", "UP"),
            row("postgres_primary", "FRONTEND", "OPEN"),
            row("postgres_primary", "patroni-0", "UP"),
            row("postgres_primary", "patroni-1", "DOWN"),
            row("postgres_primary", "patroni-2", "DOWN"),
            row("postgres_primary", "BACKEND", "UP"),
            row("postgres_replicas", "FRONTEND", "OPEN"),
            row("postgres_replicas", "patroni-0", "DOWN"),
            row("postgres_replicas", "patroni-1", "UP"),
            row("postgres_replicas", "patroni-2", "UP"),
            row("postgres_replicas", "BACKEND", "UP"),
            row("redis_master", "FRONTEND", "OPEN"),
            row("redis_master", "redis-0", "DOWN"),
            row("redis_master", "redis-1", "UP"),
            row("redis_master", "redis-2", "DOWN"),
            row("redis_master", "BACKEND", "UP"),
        ]
    )
    + "\n"
)


class TestHaproxyRoutes:
    def test_realistic_stats(self) -> None:
        """Each proxy maps to the servers that are UP, in CSV order."""
        assert haproxy_routes(STATS) == {
            "postgres_primary": ["patroni-0"],
            "postgres_replicas": ["patroni-1", "patroni-2"],
            "redis_master": ["redis-1"],
        }

    def test_frontend_and_backend_rows_are_ignored(self) -> None:
        """A proxy with only FRONTEND/BACKEND rows (the stats page) has no routes."""
        assert "stats" not in haproxy_routes(STATS)

    def test_down_servers_are_excluded(self) -> None:
        """A proxy whose servers are all DOWN routes to nobody, but is still listed."""
        stats = "\n".join(
            [HEADER, row("redis_master", "redis-0", "DOWN"), row("redis_master", "redis-1", "DOWN")]
        )
        assert haproxy_routes(stats) == {"redis_master": []}

    @pytest.mark.parametrize("status", ["DOWN", "DOWN 1/2", "MAINT", "no check", "NOLB"])
    def test_only_up_counts(self, status: str) -> None:
        """Any status other than UP keeps a server out of the routes."""
        stats = "\n".join([HEADER, row("pg", "patroni-0", "UP"), row("pg", "patroni-1", status)])
        assert haproxy_routes(stats) == {"pg": ["patroni-0"]}

    def test_status_column_is_found_by_header(self) -> None:
        """The status column is located by name, not by a fixed position."""
        stats = "# pxname,svname,status,weight\npg,patroni-2,UP,1\npg,patroni-0,DOWN,1\n"
        assert haproxy_routes(stats) == {"pg": ["patroni-2"]}


class TestAnnotateRoutes:
    def test_single_server_is_reduced_to_its_name(self) -> None:
        """A proxy with one UP server routes to that name; several stay a list."""
        proxy = Component(
            name="haproxy",
            kind="haproxy",
            healthy=True,
            facts={"routes": haproxy_routes(STATS)},
        )
        [annotated] = _annotate_routes([proxy])
        assert annotated.facts["routes"] == {
            "postgres_primary": "patroni-0",
            "postgres_replicas": ["patroni-1", "patroni-2"],
            "redis_master": "redis-1",
        }


class TestAnnotateStreaming:
    def test_streaming_comes_from_the_leader(self) -> None:
        """A replica streams when the leader lists it among its streaming replicas."""
        components = [
            Component(
                name="patroni-0",
                kind="patroni",
                role="leader",
                healthy=True,
                facts={"streaming_replicas": ["patroni-1"]},
            ),
            Component(name="patroni-1", kind="patroni", role="sync_standby", healthy=True),
            Component(name="patroni-2", kind="patroni", role="replica", healthy=True),
        ]
        streaming = {c.name: c.facts.get("streaming") for c in _annotate_streaming(components)}
        assert streaming == {"patroni-0": None, "patroni-1": True, "patroni-2": False}


def test_credentials_repr_hides_the_passwords() -> None:
    """A Credentials object in a traceback, log line or debugger shows no password."""
    from paws_stack.probes import Credentials

    value = "redis-SECRET-1"
    creds = Credentials(value, "app-SECRET-2", 1, 2, 3, "127.0.0.1")
    assert "SECRET" not in repr(creds) and "SECRET" not in str(creds)
    assert creds.redis_password == value
