"""TC-060..TC-063: TLS mode. The stack is healthy over TLS, the apps connect with verification,
and plain-text connections to PostgreSQL and Redis are refused.

These tests start the test project in TLS mode (`exclusive`: they run last). A plain test
stack that was running is taken down first and brought up again afterwards, without TLS.
"""

from __future__ import annotations

import json
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from cryptography.hazmat.primitives import serialization

from conftest import ROOT, cli, wait_for
from helpers import (
    OBSERVABILITY_SERVICES,
    address,
    leader_pg,
    metric_value,
    metrics_report,
    prometheus_scrapes,
    redis_client,
)
from paws_stack import Stack
from paws_stack.certs import new_ca

pytestmark = [pytest.mark.exclusive, pytest.mark.stack]


def _stack(tls: bool) -> Stack:
    return Stack.from_settings(project_dir=ROOT, profile="full", tls=tls)


@pytest.fixture(scope="module")
def tls_stack() -> Iterator[Stack]:
    plain = _stack(tls=False)
    plain.setup(assume_yes=True)
    was_running = bool(plain.inventory().running) and not plain.inventory().tls
    if plain.inventory().volumes:
        plain.down(volumes=True)  # a stack keeps its mode: switching needs fresh volumes
    secure = _stack(tls=True)
    report = secure.up(timeout=300, assume_yes=True)
    assert report.healthy, report.problems
    try:
        yield secure
    finally:
        secure.down(volumes=True)
        if was_running:
            plain.up(timeout=300)


def _app_pg(stack: Stack, **tls: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=stack.settings.bind_address,
        port=stack.settings.pg_port,
        dbname="app",
        user="app",
        password=stack.secrets.read("pg_app_password"),
        connect_timeout=3,
        autocommit=True,
        **tls,
    )


def _redis(stack: Stack, host: str, port: int, **tls: Any) -> redis.Redis:
    return redis.Redis(
        host=host,
        port=port,
        password=stack.secrets.read("redis_password"),
        socket_timeout=3,
        socket_connect_timeout=3,
        **tls,
    )


def _other_ca(tmp_path: Path) -> Path:
    """A CA that signed none of the stack's certificates."""
    _, certificate = new_ca()
    path = tmp_path / "other-ca.crt"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_tc060_the_tls_stack_is_healthy_and_speaks_tls(tls_stack: Stack) -> None:
    """`health` (without --tls: it follows the running mode) exits 0; the CA and certificates
    are 0600; etcd and Patroni answer https only; endpoints say verify-full and rediss://."""
    result = cli("health", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    components = json.loads(result.stdout)["components"]
    assert len(components) == 15 and all(c["healthy"] for c in components)

    store = tls_stack.certificates
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o700
    files = list(store.path.iterdir())
    assert len(files) == 26 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)

    ca = str(store.ca_file)
    verify = tls_stack.client_tls.http_verify(check_hostname=False)
    for service, port in (("etcd-0", 2379), ("patroni-0", 8008)):
        base = f"{address(tls_stack, service)}:{port}/health"
        assert not _plain_http_answers(f"http://{base}"), service
        assert httpx.get(f"https://{base}", timeout=3, verify=verify).status_code == 200

    endpoints = json.loads(cli("endpoints", "--json", check=True).stdout)
    assert endpoints["postgres_url"].endswith(f"?sslmode=verify-full&sslrootcert={ca}")
    assert endpoints["redis_url"].startswith("rediss://")
    assert endpoints["ca_file"] == ca
    with psycopg.connect(endpoints["postgres_url"].replace("********", _password(tls_stack))) as c:
        row = c.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    assert row == (True,)


def _plain_http_answers(url: str) -> bool:
    """Whether a plain-text request gets an answer (a TLS port drops it, or, like Go's servers,
    answers 400 "Client sent an HTTP request to an HTTPS server")."""
    try:
        return httpx.get(url, timeout=3).status_code != 400
    except httpx.HTTPError:
        return False


def _password(stack: Stack) -> str:
    return stack.secrets.read("pg_app_password")


def test_tc061_the_apps_connect_with_verification(tls_stack: Stack) -> None:
    """The backend runs the tls profile (verify-full against the CA) and is UP with db and
    redis; every one of its PostgreSQL sessions is encrypted; a note and a visit go through
    the frontend."""
    backend = tls_stack.client().containers.get(
        next(m.container for m in tls_stack.inventory().members if m.service == "backend")
    )
    environment = dict(e.split("=", 1) for e in backend.attrs["Config"]["Env"])
    assert environment["SPRING_PROFILES_INCLUDE"] == "tls"
    assert environment["PAWS_DATABASE_SSLMODE"] == "verify-full"
    assert environment["PAWS_CA_FILE"] == "/run/paws/secrets/tls_ca.crt"

    apps = {
        c["name"]: c
        for c in json.loads(cli("health", "--json", check=True).stdout)["components"]
        if c["kind"] == "app"
    }
    facts = apps["backend"]["facts"]
    assert facts["status"] == "UP", facts
    assert facts["components"]["db"] == "UP" and facts["components"]["redis"] == "UP"

    frontend = f"http://{tls_stack.settings.bind_address}:{tls_stack.settings.frontend_port}"
    text = f"tc061 {uuid.uuid4()}"
    with httpx.Client(timeout=40) as http:
        created = http.post(f"{frontend}/api/notes", json={"text": text})
        assert created.status_code == 201, created.text
        first = http.post(f"{frontend}/api/visits").json()["count"]
        assert http.post(f"{frontend}/api/visits").json()["count"] == first + 1

    with _app_pg(tls_stack, **tls_stack.client_tls.pg()) as connection:
        sessions = connection.execute(
            "SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
            " WHERE a.application_name = 'paws-backend'"
        ).fetchall()
        stored = connection.execute("SELECT count(*) FROM notes WHERE text = %s", (text,))
        assert stored.fetchone() == (1,)
    assert sessions and all(row == (True,) for row in sessions), sessions


def test_tc062_plain_text_postgresql_is_refused(tls_stack: Stack, tmp_path: Path) -> None:
    """sslmode=disable is rejected by pg_hba through HAProxy and on a member directly, for the
    app and for the superuser; a CA that is not the stack's fails verification."""
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        _app_pg(tls_stack, sslmode="disable")
    member = address(tls_stack, "patroni-1")
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(
            host=member,
            port=5432,
            dbname="postgres",
            user="postgres",
            password=tls_stack.secrets.read("pg_superuser_password"),
            sslmode="disable",
            connect_timeout=3,
        )
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        _app_pg(tls_stack, sslmode="verify-full", sslrootcert=str(_other_ca(tmp_path)))
    with _app_pg(tls_stack, **tls_stack.client_tls.pg()) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_tc063_plain_text_redis_is_refused(tls_stack: Stack, tmp_path: Path) -> None:
    """The published master port, a data node and a Sentinel answer no plain-text client; with
    the CA they answer PING; with another CA the handshake fails."""
    host, port = tls_stack.settings.bind_address, tls_stack.settings.redis_port
    targets = [
        (host, port, True),
        (address(tls_stack, "redis-1"), 6379, False),
        (address(tls_stack, "sentinel-0"), 26379, False),
    ]
    for target_host, target_port, by_name in targets:
        with pytest.raises((redis.ConnectionError, redis.TimeoutError)):
            _redis(tls_stack, target_host, target_port).ping()
        secure = tls_stack.client_tls.redis(check_hostname=by_name)
        assert _redis(tls_stack, target_host, target_port, **secure).ping()
    wrong = {**tls_stack.client_tls.redis(), "ssl_ca_certs": str(_other_ca(tmp_path))}
    with pytest.raises(redis.ConnectionError, match="certificate verify failed"):
        _redis(tls_stack, host, port, **wrong).ping()
    # The stack stays healthy after the refused attempts.
    wait_for(lambda: tls_stack.health().healthy, 30, "the TLS stack healthy")


def test_tc064_the_exporters_verify_the_tls_stack(tls_stack: Stack) -> None:
    """`up --tls --profile observability`: both exporters connect with verification through
    HAProxy (pg_up and redis_up 1), where a plain-text exporter would be refused; Prometheus
    scrapes etcd and Patroni over verified https, every endpoint `metrics --json` lists up."""
    started = cli("up", "--yes", "--tls", "--profile", "observability", timeout=300)
    try:
        assert started.returncode == 0, started.stderr
        settings = tls_stack.settings
        for port, series in (
            (settings.pg_exporter_port, "pg_up"),
            (settings.redis_exporter_port, "redis_up"),
        ):
            url = f"http://{settings.bind_address}:{port}/metrics"
            body = wait_for(
                lambda url=url: (a := httpx.get(url, timeout=10)).status_code == 200 and a.text,
                30,
                f"{url} answering",
            )
            assert metric_value(body, series) == 1, f"{series} is not 1: no verified connection"
        pg = tls_stack.client().containers.get(f"{settings.project_name}-exporter-postgres-1")
        environment = dict(e.split("=", 1) for e in pg.attrs["Config"]["Env"])
        assert environment.get("PAWS_TLS") == "on"
        report = metrics_report()  # the members over https, verified by the CA
        assert all(e["answers"] and e["has_key_series"] for e in report["endpoints"]), report
        targets = prometheus_scrapes(tls_stack, {e["name"] for e in report["endpoints"]})
        https = {name for name, t in targets.items() if t["scrapeUrl"].startswith("https://")}
        members = tls_stack.inventory().members
        served = {m.service for m in members if m.kind in ("etcd", "patroni")}
        assert https == served and len(served) == 6
    finally:
        compose = tls_stack.compose(observability=True)
        compose.run("rm", "--stop", "--force", *OBSERVABILITY_SERVICES)


def test_tc065_inspect_reads_the_tls_stack(tls_stack: Stack) -> None:
    """`inspect` reaches Patroni and etcd over https and PostgreSQL and Redis over TLS."""
    postgres = json.loads(cli("inspect", "postgres", "--json", check=True).stdout)
    assert postgres["leader"] and len(postgres["members"]) == 3
    assert isinstance(postgres["slots"], list) and postgres["dcs_keys"]
    redis_doc = json.loads(cli("inspect", "redis", "--json", check=True).stdout)
    assert len(redis_doc["nodes"]) == 3 and len(redis_doc["sentinels"]) == 3
    etcd = json.loads(cli("inspect", "etcd", "--json", check=True).stdout)
    assert len(etcd["members"]) == 3


def _tagged(stack: Stack, tag: str, rows: int) -> None:
    with leader_pg(stack) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS tls_items (tag text, n int)")
        connection.execute(
            "INSERT INTO tls_items SELECT %s, g FROM generate_series(1, %s) g", (tag, rows)
        )
    client = redis_client(stack, stack.settings.bind_address, stack.settings.redis_port)
    client.mset({f"tls:{tag}:{i}": str(i) for i in range(rows)})


def _counted(stack: Stack) -> tuple[dict[str, int], int]:
    with leader_pg(stack) as connection:
        rows = connection.execute("SELECT tag, count(*) FROM tls_items GROUP BY tag").fetchall()
    client = redis_client(stack, stack.settings.bind_address, stack.settings.redis_port)
    return dict(rows), len(list(client.scan_iter("tls:*")))


def _etcd_peer_urls(stack: Stack) -> list[str]:
    """The restored cluster's peer URLs, from etcd's member list (as root, over https)."""
    base = f"https://{address(stack, 'etcd-0')}:2379/v3"
    verify = stack.client_tls.http_verify(check_hostname=False)
    with httpx.Client(verify=verify, timeout=5) as http:
        login = {"name": "root", "password": stack.secrets.read("etcd_root_password")}
        token = http.post(f"{base}/auth/authenticate", json=login).json()["token"]
        members = http.post(
            f"{base}/cluster/member/list", json={}, headers={"Authorization": token}
        ).json()["members"]
    return [url for member in members for url in member["peerURLs"]]


def test_tc067_backup_and_restore_in_tls_mode(tls_stack: Stack) -> None:
    """A backup of the TLS stack, more writes, a restore: the first set only, every check ok,
    and the stack still in TLS mode afterwards (etcd's peers re-created on https)."""
    _tagged(tls_stack, "first", 40)
    taken = cli("backup", "--json")
    assert taken.returncode == 0, taken.stderr[-3000:]
    backup = json.loads(taken.stdout)
    try:
        _tagged(tls_stack, "second", 20)
        assert _counted(tls_stack) == ({"first": 40, "second": 20}, 60)
        done = cli("restore", backup["name"], "--yes", "--json", timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout)
        assert report["verified"] and not [c for c in report["checks"] if not c["ok"]], report
        assert _counted(tls_stack) == ({"first": 40}, 40)
        assert tls_stack.inventory().tls
        peers = _etcd_peer_urls(tls_stack)
        assert len(peers) == 3 and all(url.startswith("https://") for url in peers), peers
        with pytest.raises(psycopg.OperationalError):
            _app_pg(tls_stack, sslmode="disable").close()
    finally:
        shutil.rmtree(backup["path"], ignore_errors=True)
