"""Per-role PostgreSQL settings a running cluster must have, also one bootstrapped without them.

Patroni's post_bootstrap sets them on a new cluster only (compose/images/runtime/
post_bootstrap.py); a cluster whose volumes predate a setting would never get it. `up` calls
`converge_on_leader` on every run: it reads the catalogue, changes only what is missing (so a
second run writes nothing) and names each change. The same goes for the exporter's role
(monitorrole.py), which clusters bootstrapped before it lack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .monitorrole import MonitorChange, converge_monitor_role

if TYPE_CHECKING:
    import psycopg

# role -> setting -> value. The `app` role logs its writes: their text carries the request's
# trace id (an sqlcommenter comment), so the leader's own log lines show it
# (docs/observability.md). Keep in step with post_bootstrap.py, which the image runs.
ROLE_SETTINGS: dict[str, dict[str, str]] = {"app": {"log_statement": "mod"}}

_CURRENT = """
SELECT s.setconfig
  FROM pg_roles r
  LEFT JOIN pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0
 WHERE r.rolname = %s
"""
# A role's settings apply to sessions started after the change. Its idle sessions (a pool's
# spare connections) are ended so the pool opens new ones; HikariCP validates a connection
# before lending it, so no request sees the ended one. Busy sessions are left alone.
_END_IDLE_SESSIONS = """
SELECT count(pg_terminate_backend(pid))
  FROM pg_stat_activity
 WHERE usename = %s AND state = 'idle' AND pid <> pg_backend_pid()
"""


@dataclass(frozen=True)
class RoleChange:
    """One setting `converge_role_settings` set, and how many idle sessions it ended."""

    role: str
    setting: str
    value: str
    ended_sessions: int

    def describe(self) -> str:
        return (
            f"set {self.setting} = '{self.value}' for role {self.role} (the cluster was "
            f"bootstrapped without it); ended {self.ended_sessions} idle sessions of the role"
        )


def missing_settings(wanted: dict[str, str], current: list[str] | None) -> dict[str, str]:
    """The wanted settings that `current` (pg_db_role_setting.setconfig) lacks or differs in.

    >>> missing_settings({"log_statement": "mod"}, None)
    {'log_statement': 'mod'}
    >>> missing_settings({"log_statement": "mod"}, ["log_statement=mod", "work_mem=8MB"])
    {}
    >>> missing_settings({"log_statement": "mod"}, ["log_statement=all"])
    {'log_statement': 'mod'}
    """
    have = dict(item.partition("=")[::2] for item in current or [])
    return {name: value for name, value in wanted.items() if have.get(name) != value}


def converge_role_settings(
    connection: psycopg.Connection[Any],
    wanted: dict[str, dict[str, str]] | None = None,
) -> list[RoleChange]:
    """Set what is missing of `wanted` (default ROLE_SETTINGS) for each role that exists.

    `connection` is a superuser's on the leader, in autocommit mode. A role that does not
    exist yet is skipped: its bootstrap creates it with the settings.
    """
    from psycopg import sql

    changes = []
    for role, settings in (wanted or ROLE_SETTINGS).items():
        rows = connection.execute(_CURRENT, (role,)).fetchall()
        if not rows:
            continue
        for setting, value in missing_settings(settings, rows[0][0]).items():
            connection.execute(
                sql.SQL("ALTER ROLE {} SET {} = {}").format(
                    sql.Identifier(role), sql.Identifier(setting), sql.Literal(value)
                )
            )
            ended = connection.execute(_END_IDLE_SESSIONS, (role,)).fetchone()
            changes.append(RoleChange(role, setting, value, int(ended[0]) if ended else 0))
    return changes


def converge_on_leader(
    host: str, port: int, superuser_password: str, monitor_password: str
) -> list[MonitorChange | RoleChange]:
    """The monitor role, then `converge_role_settings`, through the stack's read-write
    address (HAProxy: the leader)."""
    import psycopg

    with psycopg.connect(
        host=host,
        port=port,
        dbname="postgres",
        user="postgres",
        password=superuser_password,
        connect_timeout=5,
        autocommit=True,
        application_name="paws-stack",
    ) as connection:
        monitor = converge_monitor_role(connection, monitor_password)
        return [*monitor, *converge_role_settings(connection)]
