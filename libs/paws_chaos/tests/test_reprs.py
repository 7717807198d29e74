"""Objects that carry passwords never show them in a repr (tracebacks, logs, debuggers)."""

from __future__ import annotations

from paws_chaos.verify import PgNodes


def test_pg_nodes_repr_hides_the_conninfo_passwords() -> None:
    """PgNodes holds libpq conninfo dicts with the app password; its repr shows none."""
    conninfo = {"host": "127.0.0.1", "port": 1, "user": "app", "password": "pw-SECRET"}
    nodes = PgNodes(leader=conninfo, replicas={"patroni-1": dict(conninfo)})
    assert "SECRET" not in repr(nodes)
    assert nodes.leader == conninfo
