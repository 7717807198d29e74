"""The PostgreSQL exporter's role: logs in, a member of pg_monitor, nothing more; own password.

post_bootstrap.py (in the image) creates it on a new cluster. A cluster bootstrapped before it,
or one whose role drifted, is converged by `up` (rolesettings.converge_on_leader) and by a
restore: the role created if missing, its attributes and membership set, its password set
from the secret when the stored SCRAM verifier does not match it. A second run only reads the
catalogue. The password goes to the server as a SCRAM verifier computed by libpq, so the
cleartext is in no statement, record, message or server log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

# Keep in step with post_bootstrap.py (the image runs it and cannot import paws_stack).
MONITOR_ROLE = "monitor"
MONITOR_SECRET = "pg_monitor_password"  # noqa: S105 (the secret's name, not its value)
# pg_monitor holds pg_read_all_stats (every column of pg_stat_activity and pg_stat_replication,
# which a plain role sees only for its own sessions), pg_read_all_settings and
# pg_stat_scan_tables: what postgres_exporter reads, without a superuser's power to change
# anything.
MONITOR_MEMBER_OF = ("pg_monitor",)
# pg_authid column -> (wanted value, the CREATE/ALTER ROLE keyword that gives it). INHERIT:
# without it the role would be a member of pg_monitor but not use its privileges.
MONITOR_ATTRIBUTES: dict[str, tuple[bool, str]] = {
    "rolcanlogin": (True, "LOGIN"),
    "rolinherit": (True, "INHERIT"),
    "rolsuper": (False, "NOSUPERUSER"),
    "rolcreatedb": (False, "NOCREATEDB"),
    "rolcreaterole": (False, "NOCREATEROLE"),
    "rolreplication": (False, "NOREPLICATION"),
    "rolbypassrls": (False, "NOBYPASSRLS"),
}
SCRAM = "SCRAM-SHA-256"
Action = Literal["create", "alter", "grant", "password"]


@dataclass(frozen=True)
class RoleState:
    """What the catalogue holds for the role: attributes, direct memberships, verifier."""

    attributes: dict[str, bool]
    member_of: frozenset[str]
    verifier: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class MonitorChange:
    """One change converging made to the monitor role (never carrying its password)."""

    action: Action
    keywords: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.action == "create":
            return (
                f"created role {MONITOR_ROLE} ({' '.join(self.keywords)}, member of "
                f"{', '.join(MONITOR_MEMBER_OF)}) for the PostgreSQL exporter (the cluster "
                "was bootstrapped without it)"
            )
        if self.action == "alter":
            return f"set {' '.join(self.keywords)} on role {MONITOR_ROLE} (it differed)"
        if self.action == "grant":
            return f"granted {', '.join(self.keywords)} to role {MONITOR_ROLE}"
        return (
            f"set the password of role {MONITOR_ROLE} from the secret {MONITOR_SECRET} "
            "(the stored one did not match it)"
        )


def password_matches(verifier: str | None, password: str) -> bool:
    """Whether a pg_authid.rolpassword SCRAM verifier is that of `password`.

    >>> rfc7677 = (  # user "user", password "pencil": RFC 7677's example, section 3
    ...     "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
    ...     "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
    ...     "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
    ... )
    >>> password_matches(rfc7677, "pencil"), password_matches(rfc7677, "pencil2")
    (True, False)
    >>> password_matches(None, "pencil"), password_matches("md5abc", "pencil")
    (False, False)
    """
    try:
        method, parameters, keys = (verifier or "").split("$")
        iterations, salt = parameters.split(":")
        stored_key, server_key = (base64.b64decode(k, validate=True) for k in keys.split(":"))
        salted = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), base64.b64decode(salt, validate=True), int(iterations)
        )
    except ValueError:
        # No verifier, an MD5 one, or one this code cannot read: set the password anew.
        return False
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    return (
        method == SCRAM
        and hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)
        and hmac.compare_digest(hmac.digest(salted, b"Server Key", "sha256"), server_key)
    )


def plan(state: RoleState | None, password: str) -> list[MonitorChange]:
    """The changes that make `state` (None: no such role) the monitor role with `password`.

    >>> [c.action for c in plan(None, "secret")]
    ['create']
    >>> wanted = {column: value for column, (value, _) in MONITOR_ATTRIBUTES.items()}
    >>> changes = plan(RoleState({**wanted, "rolsuper": True}, frozenset(), None), "secret")
    >>> [(change.action, change.keywords) for change in changes]
    [('alter', ('NOSUPERUSER',)), ('grant', ('pg_monitor',)), ('password', ())]
    """
    if state is None:
        return [MonitorChange("create", tuple(kw for _, kw in MONITOR_ATTRIBUTES.values()))]
    changes = []
    wrong = tuple(
        keyword
        for column, (value, keyword) in MONITOR_ATTRIBUTES.items()
        if state.attributes.get(column) is not value
    )
    if wrong:
        changes.append(MonitorChange("alter", wrong))
    missing = tuple(role for role in MONITOR_MEMBER_OF if role not in state.member_of)
    if missing:
        changes.append(MonitorChange("grant", missing))
    if not password_matches(state.verifier, password):
        changes.append(MonitorChange("password"))
    return changes


def statement(change: MonitorChange, verifier: str) -> sql.Composed:
    """The SQL of one change; `verifier` is the password as libpq encrypted it."""
    from psycopg import sql

    role = sql.Identifier(MONITOR_ROLE)
    keywords = sql.SQL(" ".join(change.keywords))
    if change.action == "create":
        return sql.SQL("CREATE ROLE {} {} PASSWORD {} IN ROLE {}").format(
            role, keywords, sql.Literal(verifier), _identifiers(MONITOR_MEMBER_OF)
        )
    if change.action == "alter":
        return sql.SQL("ALTER ROLE {} {}").format(role, keywords)
    if change.action == "grant":
        return sql.SQL("GRANT {} TO {}").format(_identifiers(change.keywords), role)
    return sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(verifier))


def _identifiers(names: tuple[str, ...]) -> sql.Composed:
    from psycopg import sql

    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def _state_query() -> sql.Composed:
    from psycopg import sql

    return sql.SQL(
        "SELECT {}, a.rolpassword,"
        " ARRAY(SELECT g.rolname::text FROM pg_auth_members m"
        " JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = a.oid)"
        " FROM pg_authid a WHERE a.rolname = %s"
    ).format(sql.SQL(", ").join(sql.Identifier("a", column) for column in MONITOR_ATTRIBUTES))


def read_state(connection: psycopg.Connection[Any]) -> RoleState | None:
    """The role as the catalogue has it (pg_authid: a superuser's connection); None if absent."""
    row = connection.execute(_state_query(), (MONITOR_ROLE,)).fetchone()
    if row is None:
        return None
    *attributes, verifier, member_of = row
    return RoleState(
        dict(zip(MONITOR_ATTRIBUTES, map(bool, attributes), strict=True)),
        frozenset(member_of),
        verifier,
    )


def converge_monitor_role(
    connection: psycopg.Connection[Any], password: str
) -> list[MonitorChange]:
    """Make the monitor role what it must be; `connection`: a superuser's, autocommit."""
    changes = plan(read_state(connection), password)
    if changes:
        verifier = connection.pgconn.encrypt_password(
            password.encode(), MONITOR_ROLE.encode(), SCRAM.lower().encode()
        ).decode()
        for change in changes:
            connection.execute(statement(change, verifier))
    return changes
