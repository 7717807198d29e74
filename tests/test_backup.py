"""TC-048, TC-049: backup and restore round trip, and refusals that touch nothing.

The tests run the session's project in the lite profile without the apps (`PAWS_APPS=false`),
on the session's ports: if the shared full stack is up it is stopped first (volumes kept) and
started again at the end. Each test removes the backups it made.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import cli, new_stack
from helpers import leader_pg, monitor_pg, redis_client
from paws_stack import Stack
from paws_stack.secrets import SECRET_NAMES

pytestmark = pytest.mark.backup
ENV = {"PAWS_APPS": "false"}
LITE = ("--profile", "lite")
TABLE = "bk_items"


@pytest.fixture(scope="module")
def lite() -> Iterator[Stack]:
    """The lite stack, infrastructure only; the full one (if it ran) comes back afterwards."""
    full_was_up = bool(new_stack(profile="full").inventory().running)
    if full_was_up:
        assert cli("down").returncode == 0
    try:
        result = cli("up", *LITE, "--yes", env=ENV)
        assert result.returncode == 0, result.stderr
        yield new_stack(profile="lite", apps=False)
    finally:
        cli("down", "--volumes", "--yes", *LITE, env=ENV)
        if full_was_up:
            assert cli("up", "--yes").returncode == 0


@pytest.fixture(scope="module")
def made() -> Iterator[list[Path]]:
    """Backup directories the tests created: removed at the end, and nothing else."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def take_backup(made: list[Path], env: dict[str, str] | None = None) -> dict[str, Any]:
    started = time.monotonic()
    result = cli("backup", *LITE, "--json", env={**ENV, **(env or {})})
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    made.append(Path(document["path"]))
    print(f"\n[paws] backup {document['name']}: {time.monotonic() - started:.1f} s")
    return document


def restore(reference: str, *extra: str, env: dict[str, str] | None = None) -> Any:
    return cli("restore", reference, *LITE, *extra, env={**ENV, **(env or {})})


def patroni_config(stack: Stack, change: dict[str, Any] | None = None) -> dict[str, Any]:
    """The DCS configuration, PATCHed first when a change is given (REST auth from secrets)."""
    member = next(m for m in stack.inventory().members if m.kind == "patroni")
    url = f"http://{member.address}:8008/config"
    if change is not None:
        auth = ("patroni", stack.secrets.read("patroni_api_password"))
        assert httpx.patch(url, json=change, auth=auth, timeout=5).status_code == 200
    return dict(httpx.get(url, timeout=5).json())


def work_mem(value: str) -> dict[str, Any]:
    return {"postgresql": {"parameters": {"work_mem": value}}}


def write_set(stack: Stack, tag: str, rows: int, memory: str) -> None:
    """Rows tagged `tag`, Redis keys of it (a string each and one hash), a Patroni change."""
    with leader_pg(stack) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id serial PRIMARY KEY, tag text, n int)")
        conn.execute(
            f"INSERT INTO {TABLE} (tag, n) SELECT %s, g FROM generate_series(1, %s) g",
            (tag, rows),
        )
    client = redis_client(stack, stack.settings.bind_address, stack.settings.redis_port)
    for i in range(rows):
        client.set(f"bk:{tag}:{i}", f"value {i}")
    client.hset(f"bk:{tag}:hash", mapping={"a": "1", "b": "2"})
    patroni_config(stack, work_mem(memory))


def tagged_rows(stack: Stack) -> dict[str, int]:
    with leader_pg(stack) as conn:
        rows = conn.execute(f"SELECT tag, count(*) FROM {TABLE} GROUP BY tag").fetchall()
    return {tag: count for tag, count in rows}


def tagged_keys(stack: Stack, tag: str) -> int:
    client = redis_client(stack, stack.settings.bind_address, stack.settings.redis_port)
    return len(list(client.scan_iter(f"bk:{tag}:*")))


def monitor_role(stack: Stack) -> tuple[bool, bool]:
    """Logged in as the exporter's monitor role with the stack's secret: (has pg_monitor's
    privileges, is a superuser)."""
    with monitor_pg(stack) as conn:
        row = conn.execute(
            "SELECT pg_has_role('pg_monitor', 'USAGE'), rolsuper"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert row is not None
    return bool(row[0]), bool(row[1])


def healthy(env: dict[str, str] | None = None) -> bool:
    return bool(cli("health", *LITE, env={**ENV, **(env or {})}).returncode == 0)


def test_tc048_round_trip_restores_the_first_set_and_drops_the_second(
    lite: Stack, made: list[Path]
) -> None:
    """Rows, keys and a Patroni change; backup; more of each; restore: the first set only,
    with every count and digest equal to the manifest, and the stack healthy."""
    write_set(lite, "first", 50, "5MB")
    document = take_backup(made)
    path = Path(document["path"])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["postgres"]["databases"]["app"][f"public.{TABLE}"]["rows"] == 50
    assert manifest["redis"]["keys"]["0"] >= 51 and manifest["redis"]["digests"] is not None
    assert manifest["etcd"]["keys"] > 0
    # Backups never contain secret files, nor any secret's value.
    assert not set(SECRET_NAMES) & {p.name for p in path.rglob("*")}
    secrets = [lite.secrets.read(name) for name in SECRET_NAMES]
    for file in path.iterdir():
        content = file.read_bytes()
        assert not [s for s in secrets if s.encode() in content], f"a secret in {file.name}"

    write_set(lite, "second", 30, "7MB")
    with leader_pg(lite) as conn:
        conn.execute("CREATE TABLE bk_later (id int)")
    assert tagged_rows(lite) == {"first": 50, "second": 30}

    started = time.monotonic()
    result = restore(document["name"], "--yes", "--json")
    print(f"[paws] restore to healthy: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verified"] is True and report["healthy"] is True
    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, failed
    digest = next(c for c in report["checks"] if c["item"] == f"app: public.{TABLE} digest")
    assert digest["actual"] == manifest["postgres"]["databases"]["app"][f"public.{TABLE}"]["digest"]

    assert tagged_rows(lite) == {"first": 50}
    with leader_pg(lite) as conn:
        assert conn.execute("SELECT to_regclass('bk_later')").fetchone() == (None,)
    assert (tagged_keys(lite, "first"), tagged_keys(lite, "second")) == (51, 0)
    config = patroni_config(lite)
    assert config["postgresql"]["parameters"]["work_mem"] == "5MB"
    with leader_pg(lite) as conn:
        assert conn.execute("SHOW work_mem").fetchone() == ("5MB",)
    assert healthy()


def _state(stack: Stack) -> dict[str, tuple[str, str]]:
    """container -> (id, started at): equal before and after proves nothing was restarted."""
    client = stack.client()
    found = {}
    for member in stack.inventory().members:
        container = client.containers.get(member.container)
        found[member.container] = (container.id, container.attrs["State"]["StartedAt"])
    return found


def _one_error(stderr: str) -> str:
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert "  fix: " in stderr and "Traceback" not in stderr, stderr
    return errors[0]


@pytest.fixture(scope="module")
def good(lite: Stack, made: list[Path]) -> Path:
    """One backup to spoil, and a row and key written after it that a refusal must keep."""
    path = Path(take_backup(made)["path"])
    write_set(lite, "after", 3, "6MB")
    return path


def _corrupt(source: Path, target: Path) -> None:
    shutil.copytree(source, target)
    dump = target / "postgres.sql"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))


def _foreign(source: Path, target: Path) -> None:
    target.mkdir()
    (target / "dump.sql").write_text("SELECT 1;\n", "utf-8")


def _other_major(source: Path, target: Path) -> None:
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["postgres"]["version"] = "14.11"
    (target / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def _other_format(source: Path, target: Path) -> None:
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text())
    (target / "manifest.json").write_text(json.dumps({**manifest, "format": "x"}), "utf-8")


@pytest.mark.parametrize(
    ("spoil", "said", "fix"),
    [
        (_corrupt, "is corrupt: postgres.sql does not match its checksum", "restore another"),
        (_foreign, "is not a paws backup: it has no manifest.json", "backup --list"),
        (_other_format, "is not a paws backup: manifest.json has format 'x'", "backup --list"),
        (_other_major, "is of other major versions: postgresql: the backup has 14.11", "pins"),
    ],
)
def test_tc049_a_bad_backup_is_refused_before_anything_is_touched(
    lite: Stack, good: Path, tmp_path: Path, spoil: Any, said: str, fix: str
) -> None:
    """Corrupt, foreign, another format, another major: exit 2, one line with its fix; no
    container restarted, the data written after the backup still there."""
    target = tmp_path / "spoilt"
    spoil(good, target)
    before = _state(lite)
    result = restore(str(target), "--yes")
    assert result.returncode == 2, result.stderr
    line = _one_error(result.stderr)
    assert said in line, line
    assert fix in result.stderr.split("fix:", 1)[1]
    assert _state(lite) == before
    assert tagged_rows(lite)["after"] == 3 and tagged_keys(lite, "after") == 4
    assert patroni_config(lite)["postgresql"]["parameters"]["work_mem"] == "6MB"


def test_tc049_without_a_terminal_a_restore_needs_yes(lite: Stack, good: Path) -> None:
    """No terminal to ask on and no --yes: refused, nothing touched."""
    before = _state(lite)
    result = restore(good.name)
    assert result.returncode == 2
    assert "nothing confirmed it (no terminal to ask on)" in _one_error(result.stderr)
    assert "--yes" in result.stderr.split("fix:", 1)[1]
    assert _state(lite) == before
    assert tagged_rows(lite)["after"] == 3


def test_tc048_restore_into_a_stack_with_other_passwords(
    lite: Stack, made: list[Path], tmp_path: Path
) -> None:
    """A backup restored into a fresh stack whose secrets are all different: healthy, the data
    back, and every role (PostgreSQL, Redis, etcd) working with the new passwords."""
    document = take_backup(made)
    rows_then = tagged_rows(lite)
    other = {"PAWS_SECRETS_DIR": str(tmp_path / "other-secrets")}
    assert cli("down", "--volumes", "--yes", *LITE, env=ENV).returncode == 0
    # Both profiles share one secrets directory, so paws refuses new secrets while any volume of
    # the project exists: the shared full stack's volumes go too (the fixture brings it back).
    assert cli("down", "--volumes", "--yes", "--profile", "full").returncode == 0
    try:
        assert cli("up", *LITE, "--yes", env={**ENV, **other}).returncode == 0
        fresh = new_stack(profile="lite", apps=False, secrets_dir=tmp_path / "other-secrets")
        for name in SECRET_NAMES:
            assert fresh.secrets.read(name) != lite.secrets.read(name)
        result = restore(str(document["path"]), "--yes", "--json", env=other)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["verified"] is True
        assert tagged_rows(fresh) == rows_then  # the app role logs in with the new password
        assert monitor_role(fresh) == (True, False)  # and the exporter's, least privileged
        assert tagged_keys(fresh, "first") == 51
        address = next(m.address for m in fresh.inventory().members if m.kind == "etcd")
        login = {"name": "patroni", "password": fresh.secrets.read("etcd_patroni_password")}
        token = httpx.post(f"http://{address}:2379/v3/auth/authenticate", json=login, timeout=5)
        assert "token" in token.json(), token.text
        anonymous = httpx.post(f"http://{address}:2379/v3/kv/range", json={"key": "Lw=="})
        assert "user name is empty" in anonymous.text  # auth is on again
        assert healthy(other)
    finally:
        cli("down", "--volumes", "--yes", *LITE, env={**ENV, **other})
