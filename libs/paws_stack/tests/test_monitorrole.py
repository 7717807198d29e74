"""Tests for paws_stack.monitorrole: the exporter's least-privilege role, converged idempotently."""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql
from ruamel.yaml import YAML

from paws_stack.monitorrole import (
    MONITOR_ATTRIBUTES,
    MONITOR_MEMBER_OF,
    MONITOR_ROLE,
    MONITOR_SECRET,
    MonitorChange,
    RoleState,
    converge_monitor_role,
    password_matches,
    plan,
    statement,
)

# RFC 7677, section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096
# iterations. The verifier below holds the StoredKey and ServerKey of that password.
RFC_PASSWORD = "pencil"  # noqa: S105 (a published test vector)
RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ=="
RFC_VERIFIER = (
    f"SCRAM-SHA-256$4096:{RFC_SALT}$"
    "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
)
RFC_NONCE = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
RFC_AUTH_MESSAGE = (
    f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={RFC_NONCE},s={RFC_SALT},i=4096,c=biws,r={RFC_NONCE}"
).encode()
RFC_CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
RFC_SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
WANTED = {column: value for column, (value, _) in MONITOR_ATTRIBUTES.items()}
COMPOSE = Path(__file__).resolve().parents[3] / "compose"
RUNTIME = COMPOSE / "images" / "runtime"


def as_wanted(**changes: Any) -> RoleState:
    """The role as it must be (password "pencil"), with `changes` applied."""
    fields: dict[str, Any] = {
        "attributes": WANTED,
        "member_of": frozenset(MONITOR_MEMBER_OF),
        "verifier": RFC_VERIFIER,
    }
    return RoleState(**{**fields, **changes})


def rendered(composed: sql.Composed) -> str:
    return composed.as_string(None)


class TestPasswordMatches:
    def test_the_rfc_verifier_is_that_of_the_rfc_exchange(self) -> None:
        """The test verifier's keys reproduce RFC 7677's client proof and server signature, so
        it is the one a server holds for "pencil" (checked independently of the code)."""
        keys = RFC_VERIFIER.rsplit("$", 1)[1].split(":")
        stored_key, server_key = (base64.b64decode(key) for key in keys)
        signature = hmac.digest(server_key, RFC_AUTH_MESSAGE, "sha256")
        assert base64.b64encode(signature).decode() == RFC_SERVER_SIGNATURE
        client_signature = hmac.digest(stored_key, RFC_AUTH_MESSAGE, "sha256")
        proof = base64.b64decode(RFC_CLIENT_PROOF)
        client_key = bytes(a ^ b for a, b in zip(proof, client_signature, strict=True))
        assert hashlib.sha256(client_key).digest() == stored_key

    def test_the_right_password_matches(self) -> None:
        """The password the verifier was made from matches it."""
        assert password_matches(RFC_VERIFIER, RFC_PASSWORD)

    @pytest.mark.parametrize("password", ["pencil2", "Pencil", "", "pencil "])
    def test_another_password_does_not(self, password: str) -> None:
        """Any other password does not."""
        assert not password_matches(RFC_VERIFIER, password)

    @pytest.mark.parametrize(
        "verifier",
        [
            None,
            "",
            "md5" + "0" * 32,
            RFC_VERIFIER.replace("SCRAM-SHA-256", "SCRAM-SHA-1"),
            RFC_VERIFIER.replace("4096", "many"),
            RFC_VERIFIER.replace("WG5d", "W!5d"),
            RFC_VERIFIER.rsplit(":", 1)[0],
        ],
        ids=["null", "empty", "md5", "other-method", "bad-iterations", "bad-base64", "one-key"],
    )
    def test_anything_but_a_scram_verifier_does_not_match(self, verifier: str | None) -> None:
        """No password, an MD5 hash or a malformed verifier: no match, so it is set anew."""
        assert not password_matches(verifier, RFC_PASSWORD)


class TestPlan:
    def test_a_missing_role_is_created_with_every_attribute(self) -> None:
        """No role: one creation, naming every attribute keyword in the data's order."""
        assert plan(None, RFC_PASSWORD) == [
            MonitorChange("create", tuple(keyword for _, keyword in MONITOR_ATTRIBUTES.values()))
        ]

    def test_the_role_as_wanted_needs_nothing(self) -> None:
        """Attributes, membership and password as wanted: nothing to do (a second run)."""
        assert plan(as_wanted(), RFC_PASSWORD) == []

    @pytest.mark.parametrize(
        ("column", "value", "keyword"),
        [
            ("rolsuper", True, "NOSUPERUSER"),
            ("rolcanlogin", False, "LOGIN"),
            ("rolinherit", False, "INHERIT"),
            ("rolcreatedb", True, "NOCREATEDB"),
            ("rolcreaterole", True, "NOCREATEROLE"),
            ("rolreplication", True, "NOREPLICATION"),
            ("rolbypassrls", True, "NOBYPASSRLS"),
        ],
    )
    def test_a_wrong_attribute_is_set_back(self, column: str, value: bool, keyword: str) -> None:
        """Each attribute that differs is set back by its keyword, alone."""
        state = as_wanted(attributes={**WANTED, column: value})
        assert plan(state, RFC_PASSWORD) == [MonitorChange("alter", (keyword,))]

    def test_a_missing_membership_is_granted(self) -> None:
        """Not a member of pg_monitor: granted; other memberships do not count."""
        state = as_wanted(member_of=frozenset({"pg_read_all_settings"}))
        assert plan(state, RFC_PASSWORD) == [MonitorChange("grant", ("pg_monitor",))]

    @pytest.mark.parametrize("verifier", [None, RFC_VERIFIER.replace("WG5d", "XG5d")])
    def test_a_password_that_does_not_match_is_set(self, verifier: str | None) -> None:
        """No password or another one: the password is set from the secret."""
        assert plan(as_wanted(verifier=verifier), RFC_PASSWORD) == [MonitorChange("password")]

    def test_the_secret_changed(self) -> None:
        """The role holds the old password and the secret is new: the password is set."""
        assert plan(as_wanted(), "a-new-generated-password") == [MonitorChange("password")]

    def test_several_differences_each_once_in_order(self) -> None:
        """Attributes, then membership, then password: each difference one change."""
        state = RoleState({**WANTED, "rolsuper": True, "rolcanlogin": False}, frozenset(), None)
        assert [c.action for c in plan(state, RFC_PASSWORD)] == ["alter", "grant", "password"]
        assert plan(state, RFC_PASSWORD)[0].keywords == ("LOGIN", "NOSUPERUSER")


class TestDescribe:
    @pytest.mark.parametrize(
        ("change", "says"),
        [
            (plan(None, RFC_PASSWORD)[0], "created role monitor (LOGIN INHERIT NOSUPERUSER"),
            (MonitorChange("alter", ("NOSUPERUSER",)), "set NOSUPERUSER on role monitor"),
            (MonitorChange("grant", ("pg_monitor",)), "granted pg_monitor to role monitor"),
            (MonitorChange("password"), "set the password of role monitor from the secret"),
        ],
        ids=["create", "alter", "grant", "password"],
    )
    def test_each_change_says_what_changed(self, change: MonitorChange, says: str) -> None:
        """Each message names the role and the change."""
        assert says in change.describe()

    def test_the_creation_names_the_membership_and_why(self) -> None:
        """A creation says the role is pg_monitor's and that the cluster lacked it."""
        message = plan(None, RFC_PASSWORD)[0].describe()
        assert "member of pg_monitor" in message and "bootstrapped without it" in message

    def test_no_record_or_message_carries_the_password_or_verifier(self) -> None:
        """Neither the changes' messages nor their reprs, nor the state's repr, hold either."""
        state = RoleState({}, frozenset(), RFC_VERIFIER)
        changes = plan(None, RFC_PASSWORD) + plan(state, RFC_PASSWORD)
        shown = " ".join([repr(state), *map(repr, changes), *(c.describe() for c in changes)])
        assert RFC_PASSWORD not in shown and RFC_SALT not in shown


class TestStatement:
    VERIFIER = "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5"

    def test_create(self) -> None:
        """The role, its attributes, its password (the verifier) and pg_monitor, quoted."""
        assert rendered(statement(plan(None, "x")[0], self.VERIFIER)) == (
            'CREATE ROLE "monitor" LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE '
            f"NOREPLICATION NOBYPASSRLS PASSWORD '{self.VERIFIER}' IN ROLE \"pg_monitor\""
        )

    def test_alter(self) -> None:
        """Only the keywords that differ."""
        change = MonitorChange("alter", ("LOGIN", "NOSUPERUSER"))
        expected = 'ALTER ROLE "monitor" LOGIN NOSUPERUSER'
        assert rendered(statement(change, self.VERIFIER)) == expected

    def test_grant(self) -> None:
        """The missing membership, quoted as an identifier."""
        change = MonitorChange("grant", ("pg_monitor",))
        assert rendered(statement(change, self.VERIFIER)) == 'GRANT "pg_monitor" TO "monitor"'

    def test_password(self) -> None:
        """The verifier as a literal."""
        assert rendered(statement(MonitorChange("password"), self.VERIFIER)) == (
            f"ALTER ROLE \"monitor\" PASSWORD '{self.VERIFIER}'"
        )


class FakeResult:
    def __init__(self, row: tuple[Any, ...] | None) -> None:
        self.row = row

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.row


class FakePGconn:
    def __init__(self) -> None:
        self.encrypted: list[tuple[bytes, bytes, bytes]] = []

    def encrypt_password(self, password: bytes, user: bytes, algorithm: bytes) -> bytes:
        self.encrypted.append((password, user, algorithm))
        return b"SCRAM-SHA-256$4096:ZmFrZQ==$ZmFrZQ==:ZmFrZQ=="


class FakeConnection:
    """A superuser's connection: the catalogue row it answers with; statements it was sent."""

    def __init__(self, row: tuple[Any, ...] | None) -> None:
        self.row = row
        self.pgconn = FakePGconn()
        self.queries: list[tuple[str, tuple[Any, ...] | None]] = []

    def execute(self, query: sql.Composed, params: tuple[Any, ...] | None = None) -> FakeResult:
        self.queries.append((rendered(query), params))
        return FakeResult(self.row if params is not None else None)

    @property
    def statements(self) -> list[str]:
        return [text for text, params in self.queries if params is None]


def catalogue_row(state: RoleState) -> tuple[Any, ...]:
    """The row the state query returns for `state`: attributes, verifier, memberships."""
    attributes = [state.attributes[column] for column in MONITOR_ATTRIBUTES]
    return (*attributes, state.verifier, sorted(state.member_of))


class TestConverge:
    def test_reads_the_role_from_pg_authid(self) -> None:
        """One query by role name, selecting every attribute the data names."""
        connection = FakeConnection(catalogue_row(as_wanted()))
        converge_monitor_role(connection, RFC_PASSWORD)  # type: ignore[arg-type]
        (query, params), *_ = connection.queries
        assert params == (MONITOR_ROLE,) and "FROM pg_authid a WHERE a.rolname = %s" in query
        assert all(f'"a"."{column}"' in query for column in MONITOR_ATTRIBUTES)

    def test_a_converged_role_gets_no_write(self) -> None:
        """A second run: the catalogue read, nothing written, no password encrypted."""
        connection = FakeConnection(catalogue_row(as_wanted()))
        assert converge_monitor_role(connection, RFC_PASSWORD) == []  # type: ignore[arg-type]
        assert connection.statements == [] and connection.pgconn.encrypted == []

    def test_a_missing_role_is_created_with_an_encrypted_password(self) -> None:
        """No row: one CREATE ROLE; the password goes as libpq's SCRAM verifier, never clear."""
        connection = FakeConnection(None)
        changes = converge_monitor_role(connection, "clear-text-secret")  # type: ignore[arg-type]
        assert [c.action for c in changes] == ["create"]
        (created,) = connection.statements
        assert created.startswith('CREATE ROLE "monitor" LOGIN')
        assert "PASSWORD 'SCRAM-SHA-256$4096:ZmFrZQ==" in created
        assert connection.pgconn.encrypted == [(b"clear-text-secret", b"monitor", b"scram-sha-256")]
        assert all("clear-text-secret" not in text for text, _ in connection.queries)

    def test_each_planned_change_is_one_statement(self) -> None:
        """A drifted role: ALTER, GRANT and the password, in the plan's order."""
        drifted = as_wanted(attributes={**WANTED, "rolsuper": True}, member_of=frozenset())
        connection = FakeConnection(catalogue_row(drifted))
        converge_monitor_role(connection, "another-password")  # type: ignore[arg-type]
        assert [s.split(" ", 2)[:2] for s in connection.statements] == [
            ["ALTER", "ROLE"],
            ["GRANT", '"pg_monitor"'],
            ["ALTER", "ROLE"],
        ]
        assert "NOSUPERUSER" in connection.statements[0]
        assert "PASSWORD" in connection.statements[2]


def constants(script: Path) -> dict[str, Any]:
    """The module-level NAME = "literal" assignments of a script the image runs."""
    found = {}
    for node in ast.parse(script.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


class TestInStepWithTheImage:
    """The image's scripts cannot import paws_stack: they repeat its data, kept equal here."""

    def test_post_bootstrap_creates_the_same_role(self) -> None:
        """Same name, the same attribute keywords in the same order, the same membership."""
        script = constants(RUNTIME / "post_bootstrap.py")
        assert script["MONITOR_USER"] == MONITOR_ROLE
        assert script["MONITOR_OPTIONS"].split() == [kw for _, kw in MONITOR_ATTRIBUTES.values()]
        assert (script["MONITOR_MEMBER_OF"],) == MONITOR_MEMBER_OF

    def test_the_exporter_logs_in_as_it_with_its_secret(self) -> None:
        """paws_exporter.py names the same role and secret."""
        script = constants(RUNTIME / "paws_exporter.py")
        assert (script["PG_ROLE"], script["PG_SECRET"]) == (MONITOR_ROLE, MONITOR_SECRET)

    def test_compose_gives_the_secret_to_patroni_and_the_exporter_only(self) -> None:
        """Patroni's members (post_bootstrap) and the exporter get it; the exporter no longer
        gets the superuser's."""
        services = YAML(typ="safe").load((COMPOSE / "compose.yaml").read_text("utf-8"))["services"]
        holders = {
            name for name, spec in services.items() if MONITOR_SECRET in spec.get("secrets", [])
        }
        patroni = {name for name in services if name.startswith("patroni-")}
        assert holders == patroni | {"exporter-postgres"} and len(patroni) == 3
        assert services["exporter-postgres"]["secrets"] == [MONITOR_SECRET]
