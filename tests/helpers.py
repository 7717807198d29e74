"""Direct access to members for assertions: container addresses, SQL and Redis clients."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

from conftest import cli, wait_for
from paws_stack import Stack
from paws_stack.metricendpoints import OBSERVABILITY
from paws_stack.monitorrole import MONITOR_ROLE, MONITOR_SECRET
from paws_stack.prometheus import SERVICE_LABEL

# The observability profile's containers (exporters and Prometheus), to remove after a test.
OBSERVABILITY_SERVICES = tuple(OBSERVABILITY)


def address(stack: Stack, service: str) -> str:
    member = next(m for m in stack.inventory().members if m.service == service)
    assert member.address, f"{service} has no address on the infra network"
    return member.address


def container_ids(stack: Stack) -> dict[str, str]:
    """service -> container id: unchanged ids prove nothing was recreated."""
    client = stack.client()
    return {m.service: client.containers.get(m.container).id for m in stack.inventory().members}


def pg(
    stack: Stack,
    host: str,
    port: int,
    dbname: str = "app",
    role: tuple[str, str] = ("app", "pg_app_password"),
) -> psycopg.Connection[Any]:
    """Connect as `role` (its name and its secret's; the application role unless told), the
    password from the secrets file, never argv; in TLS mode verified as redis_client is."""
    user, secret = role
    return psycopg.connect(
        host=host,
        port=port,
        dbname=dbname,
        user=user,
        password=stack.secrets.read(secret),
        connect_timeout=5,
        autocommit=True,
        **stack.client_tls.pg(check_hostname=host == stack.settings.bind_address),
    )


def redis_client(stack: Stack, host: str, port: int) -> redis.Redis:
    """In TLS mode verified by the CA, by name on the bind address (the one certificates hold)."""
    return redis.Redis(
        host=host,
        port=port,
        password=stack.secrets.read("redis_password"),
        socket_timeout=3,
        decode_responses=True,
        **stack.client_tls.redis(check_hostname=host == stack.settings.bind_address),
    )


def leader_pg(stack: Stack) -> psycopg.Connection[Any]:
    return pg(stack, stack.settings.bind_address, stack.settings.pg_port)


def monitor_pg(stack: Stack) -> psycopg.Connection[Any]:
    """The leader through HAProxy as the exporter's monitor role, with the stack's secret."""
    return _leader_postgres_db(stack, (MONITOR_ROLE, MONITOR_SECRET))


def superuser_pg(stack: Stack) -> psycopg.Connection[Any]:
    """The leader through HAProxy as the superuser."""
    return _leader_postgres_db(stack, ("postgres", "pg_superuser_password"))


def _leader_postgres_db(stack: Stack, role: tuple[str, str]) -> psycopg.Connection[Any]:
    host, port = stack.settings.bind_address, stack.settings.pg_port
    return pg(stack, host, port, dbname="postgres", role=role)


def like_a_terminal() -> None:
    """`preexec_fn` for a child that a test will Ctrl-C: SIGINT back to its default action.

    A shell starting a job in the background without job control (`cmd &` in a script, nohup,
    some CI launchers) sets SIGINT to ignored, every descendant inherits that, and Python then
    installs no KeyboardInterrupt handler. A user at a terminal has the default.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# Every port a project publishes, the apps' included: a scratch project beside the running
# shared stack must not collide with any of them.
PORT_SETTINGS = (
    "PAWS_PG_PORT",
    "PAWS_PG_RO_PORT",
    "PAWS_REDIS_PORT",
    "PAWS_STATS_PORT",
    "PAWS_BACKEND_PORT",
    "PAWS_FRONTEND_PORT",
)


def scratch_env(suffix: str, offset: int, secrets: Path | None) -> dict[str, str]:
    """A project of its own: `<session project><suffix>`, ports shifted by `offset`.

    The session's ports come from tests/stack.env through nox. Offsets stay in the hundreds so
    every shifted port remains below the kernel's ephemeral range (32768 and up), where an
    outgoing connection could hold it at random.
    """
    missing = [name for name in ("PAWS_PROJECT_NAME", *PORT_SETTINGS) if name not in os.environ]
    assert not missing, f"{missing} unset: run the tests through `nox -s integration`"
    env = {"PAWS_PROJECT_NAME": os.environ["PAWS_PROJECT_NAME"] + suffix}
    for name in PORT_SETTINGS:
        env[name] = str(int(os.environ[name]) + offset)
    if secrets is not None:
        env["PAWS_SECRETS_DIR"] = str(secrets)
    return env


def metric_value(body: str, series: str) -> float:
    """The value of an unlabelled series in Prometheus text (StopIteration when it is absent)."""
    line = next(s for s in body.splitlines() if s.startswith(series + " "))
    return float(line.split()[-1])


def metrics_report() -> dict[str, Any]:
    """`paws-stack metrics --json`: one document, exit 0 (every endpoint answers)."""
    result = cli("metrics", "--json", "--interval", "2", timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def prometheus_targets(stack: Stack) -> dict[str, dict[str, Any]]:
    """service -> Prometheus's active target for it (health, scrapeUrl, lastError, ...)."""
    settings = stack.settings
    url = f"http://{settings.bind_address}:{settings.prometheus_port}/api/v1/targets"
    answer = httpx.get(url, params={"state": "active"}, timeout=10)
    answer.raise_for_status()
    active = answer.json()["data"]["activeTargets"]
    return {target["labels"][SERVICE_LABEL]: target for target in active}


def prometheus_scrapes(stack: Stack, names: set[str], timeout: float = 60) -> dict[str, Any]:
    """Wait until Prometheus is ready and its targets are exactly `names`, each one up (its
    scrape interval is 5 s: a minute is generous); the targets by service."""
    settings = stack.settings
    ready = f"http://{settings.bind_address}:{settings.prometheus_port}/-/ready"
    wait_for(lambda: httpx.get(ready, timeout=5).status_code == 200, timeout, f"{ready} 200")

    def every_one_up() -> dict[str, dict[str, Any]]:
        targets = prometheus_targets(stack)
        down = {n: (t["health"], t["lastError"]) for n, t in targets.items() if t["health"] != "up"}
        missing, extra = sorted(names - set(targets)), sorted(set(targets) - names)
        assert not (missing or extra or down), f"missing {missing}, extra {extra}, not up {down}"
        return targets

    targets: dict[str, Any] = wait_for(every_one_up, timeout, "Prometheus scraping every endpoint")
    return targets
