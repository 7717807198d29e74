"""TC-026..TC-027: one trace from an HTTP request to the PostgreSQL leader, and the merged view.

docs/test-cases.md#tc-026 and #tc-027; docs/observability.md walks through the same trace.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from conftest import StartedStack, cli, wait_for
from helpers import (
    OBSERVABILITY_SERVICES,
    address,
    metric_value,
    metrics_report,
    monitor_pg,
    prometheus_scrapes,
    superuser_pg,
)
from paws_stack import Stack
from paws_stack.monitorrole import MONITOR_ROLE, MONITOR_SECRET
from paws_stack.rolesettings import ROLE_SETTINGS

pytestmark = pytest.mark.stack

# TC-027: lines no format can read, each with its reason (member -> pattern -> reason). Empty:
# on a fresh full stack every line parses (tool output such as initdb's is known to
# paws_stack.logformats.PLAIN_LINES). A line that appears here later must say why.
UNPARSED_EXCEPTIONS: dict[str, dict[str, str]] = {}


def _urls(stack: Stack) -> tuple[str, str]:
    host = stack.settings.bind_address
    return (
        f"http://{host}:{stack.settings.frontend_port}",
        f"http://{host}:{stack.settings.backend_port}",
    )


def _logs_json(*args: str) -> list[dict[str, Any]]:
    result = cli("logs", "--json", *args, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _leader(stack: Stack) -> str:
    report = stack.health()
    return next(c.name for c in report.components if c.kind == "patroni" and c.role == "leader")


def test_tc026_one_trace_from_the_frontend_to_the_postgres_leader(stack: Stack) -> None:
    """A request sent through the frontend with a known traceparent: `logs --trace` finds its
    lines in the frontend, the backend and the PostgreSQL leader, in time order."""
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    frontend, _ = _urls(stack)
    with httpx.Client(timeout=40) as http:
        created = http.post(
            f"{frontend}/api/notes",
            json={"text": f"tc026 {trace_id}"},
            headers={"traceparent": traceparent},
        )
        counted = http.post(f"{frontend}/api/visits", headers={"traceparent": traceparent})
    assert created.status_code == 201, created.text
    assert counted.status_code == 200, counted.text
    assert created.headers["x-trace-id"] == trace_id

    leader = _leader(stack)

    def traced() -> list[dict[str, Any]] | None:
        lines = _logs_json("--trace", trace_id)
        found = {(line["service"], line["member"]) for line in lines}
        wanted = {("frontend", "frontend"), ("backend", "backend"), ("postgres", leader)}
        return lines if wanted <= found else None

    lines = wait_for(traced, 30, f"frontend, backend and {leader} lines of trace {trace_id}")
    assert all(line["trace_id"] == trace_id for line in lines)
    stamps = [line["ts"] for line in lines]
    assert stamps == sorted(stamps), "merged lines are in time order"
    postgres = [line for line in lines if line["service"] == "postgres"]
    assert any("INSERT INTO notes" in line["msg"] for line in postgres), postgres
    backend = [line["msg"] for line in lines if line["service"] == "backend"]
    assert any(msg.startswith("redis INCR paws:visits") for msg in backend), backend
    # The database wrote its line while the backend was still answering the frontend.
    insert = next(line["ts"] for line in postgres if "INSERT INTO notes" in line["msg"])
    answered = [line["ts"] for line in lines if line["service"] == "frontend"]
    assert insert <= max(answered)


def test_tc026_a_page_names_its_trace_and_renders_within_it(stack: Stack) -> None:
    """A page request, not only an API one: its answer names the caller's trace (x-trace-id,
    traceresponse with the frontend's own span), and the page's backend call is in it; a
    page requested without traceparent names a new trace."""
    trace_id = secrets.token_hex(16)
    caller_span = secrets.token_hex(8)
    frontend, _ = _urls(stack)
    page = httpx.get(
        f"{frontend}/", headers={"traceparent": f"00-{trace_id}-{caller_span}-01"}, timeout=40
    )
    assert page.status_code == 200, page.text
    assert page.headers["x-trace-id"] == trace_id
    assert re.fullmatch(rf"00-{trace_id}-[0-9a-f]{{16}}-01", page.headers["traceresponse"])
    assert caller_span not in page.headers["traceresponse"]
    fresh = httpx.get(f"{frontend}/", timeout=40)
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-trace-id"])
    assert fresh.headers["x-trace-id"] != trace_id

    # The backend logs no line for a read; the frontend's says the page's call was in the trace.
    lines = wait_for(
        lambda: [x for x in _logs_json("--trace", trace_id) if x["msg"] == "page backend call"],
        30,
        f"the page's backend call in trace {trace_id}",
    )
    assert all(line["service"] == "frontend" for line in lines), lines


def test_tc026_backend_names_the_trace_it_started(stack: Stack) -> None:
    """A request without traceparent gets a new trace, named in X-Trace-Id, found by --trace."""
    _, backend = _urls(stack)
    answer = httpx.post(f"{backend}/api/notes", json={"text": "tc026 new trace"}, timeout=40)
    assert answer.status_code == 201, answer.text
    trace_id = answer.headers["x-trace-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id)
    lines = wait_for(
        lambda: [x for x in _logs_json("--trace", trace_id) if x["service"] == "postgres"],
        30,
        f"the leader's INSERT line of trace {trace_id}",
    )
    assert lines


def _app_role_settings(stack: Stack) -> list[str]:
    with superuser_pg(stack) as connection:
        row = connection.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
            " WHERE r.rolname = 'app' AND s.setdatabase = 0"
        ).fetchone()
        return list(row[0]) if row else []


def _reset_app_role_logging(stack: Stack) -> None:
    with superuser_pg(stack) as connection:
        connection.execute("ALTER ROLE app RESET log_statement")


def test_tc026_up_gives_an_existing_cluster_the_app_roles_statement_logging(
    stack: Stack,
) -> None:
    """A cluster bootstrapped before the app role logged its writes (the setting removed):
    `up` sets it again, the backend's next write is traced in the leader's log, and a second
    `up` changes nothing."""
    wanted = [f"{k}={v}" for k, v in ROLE_SETTINGS["app"].items()]
    _reset_app_role_logging(stack)
    try:
        assert not set(wanted) <= set(_app_role_settings(stack))
        first = cli("up", "--yes", timeout=300)
        assert first.returncode == 0, first.stderr
        assert "set log_statement = 'mod' for role app" in first.stderr
        assert set(wanted) <= set(_app_role_settings(stack))
        second = cli("up", "--yes", timeout=300)
        assert second.returncode == 0, second.stderr
        assert "log_statement" not in second.stderr
    finally:
        stack.converge()
    # And a write's trace still reaches the leader's log.
    _, backend = _urls(stack)
    answer = httpx.post(f"{backend}/api/notes", json={"text": "tc026 converged"}, timeout=40)
    assert answer.status_code == 201, answer.text
    trace_id = answer.headers["x-trace-id"]
    wait_for(
        lambda: [x for x in _logs_json("--trace", trace_id) if x["service"] == "postgres"],
        30,
        f"the leader's INSERT line of trace {trace_id} after `up` set the role's logging",
    )


def test_tc027_every_line_has_time_and_level_or_a_named_reason(stack: Stack) -> None:
    """Every service's lines come out of the merged view with ts and level; the only
    unparsed lines are the named exceptions above."""
    lines = _logs_json()
    members = {line["member"] for line in lines}
    expected = {m.service for m in stack.inventory().members}
    assert expected <= members, f"no lines from {sorted(expected - members)}"
    surprising = []
    for line in lines:
        assert line["ts"], line
        if line["level"] is not None:
            continue
        reasons = UNPARSED_EXCEPTIONS.get(line["member"], {})
        if not any(re.search(pattern, line["raw"]) for pattern in reasons):
            surprising.append(f"{line['member']}: {line['raw']}")
    assert surprising == [], "\n".join(surprising[:20])


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--trace", "xyz"], "is not a trace id"),
        (["--level", "loud"], "is not a level"),
        (["--since", "yesterday"], "neither a duration nor a timestamp"),
        (["--grep", "("], "not a regular expression"),
        (["--service", "nosuch"], "unknown service nosuch"),
    ],
)
def test_tc027_bad_logs_option_is_one_line_and_exit_2(
    stack: Stack, args: list[str], problem: str
) -> None:
    """A bad option says what is wrong and the fix, exits 2, prints nothing on stdout."""
    result = cli("logs", *args, timeout=60)
    assert result.returncode == 2
    assert problem in result.stderr
    assert "fix:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


# TC-028: every endpoint, each with a series a developer looks at.
METRICS_IN_CONTAINER = {
    "etcd-0": ("http://127.0.0.1:2379/metrics", "etcd_server_has_leader"),
    "patroni-0": ("http://127.0.0.1:8008/metrics", "patroni_postgres_running"),
}


def _prometheus_text(body: str, series: str) -> None:
    samples = [line for line in body.splitlines() if line and not line.startswith("#")]
    assert samples, "no samples"
    assert all(re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+", s) for s in samples[:200])
    assert any(s.startswith(series) for s in samples), f"{series} missing"


@pytest.mark.parametrize("member", sorted(METRICS_IN_CONTAINER))
def test_tc028_member_metrics_in_prometheus_format(stack: Stack, member: str) -> None:
    """etcd's and Patroni's own /metrics answer in Prometheus text with their key series."""
    url, series = METRICS_IN_CONTAINER[member]
    container = next(m.container for m in stack.inventory().members if m.service == member)
    result = stack.client().containers.get(container).exec_run(["curl", "-fsS", "-m", "5", url])
    assert result.exit_code == 0, result.output
    _prometheus_text(result.output.decode(), series)


@pytest.mark.parametrize(
    ("port_setting", "path", "series"),
    [
        ("backend_port", "/actuator/prometheus", "http_server_requests_seconds_count"),
        ("stats_port", "/metrics", "haproxy_backend_active_servers"),
    ],
)
def test_tc028_published_metrics_in_prometheus_format(
    stack: Stack, port_setting: str, path: str, series: str
) -> None:
    """The backend's and HAProxy's metrics answer on their published ports."""
    port = getattr(stack.settings, port_setting)
    answer = httpx.get(f"http://{stack.settings.bind_address}:{port}{path}", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    _prometheus_text(answer.text, series)


def test_tc028_frontend_metrics_count_its_requests(stack: Stack) -> None:
    """The frontend's /metrics answers in Prometheus text and counts the API request just made."""
    frontend, _ = _urls(stack)
    with httpx.Client(timeout=40) as http:
        created = http.post(f"{frontend}/api/notes", json={"text": "tc028"})
        assert created.status_code == 201, created.text
        answer = http.get(f"{frontend}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    _prometheus_text(answer.text, "frontend_http_request_duration_seconds_count")
    posted = re.search(
        r'^frontend_http_request_duration_seconds_count\{method="POST",route="/api/notes",'
        r'status="201"\} (\d+)',
        answer.text,
        re.MULTILINE,
    )
    assert posted and int(posted.group(1)) >= 1, answer.text[:2000]
    assert "x-trace-id" not in answer.headers, "/metrics is no request a developer follows"


EXPORTERS = {
    "exporter-postgres": ("pg_exporter_port", "pg_up"),
    "exporter-redis": ("redis_exporter_port", "redis_up"),
}


@pytest.fixture(scope="class")
def observability(started: StartedStack) -> Iterator[Stack]:
    """`up --profile observability` once for the class: the exporters and Prometheus, removed
    again afterwards (the stack itself stays up)."""
    stack = started.stack
    try:
        result = cli("up", "--yes", "--profile", "observability", timeout=300)
        assert result.returncode == 0, result.stderr
        # Traffic of the app's own (the headlines leave /actuator out), whatever ran before.
        backend = f"http://{stack.settings.bind_address}:{stack.settings.backend_port}"
        note = httpx.post(f"{backend}/api/notes", json={"text": "observability"}, timeout=30)
        note.raise_for_status()
        yield stack
    finally:
        stack.compose(observability=True).run("rm", "--stop", "--force", *OBSERVABILITY_SERVICES)


class TestObservabilityProfile:
    def test_tc028_exporters_and_the_metrics_command(
        self, stack: Stack, observability: Stack
    ) -> None:
        """`up --profile observability` adds the PostgreSQL and Redis exporters, connected
        (pg_up, redis_up 1); `metrics --json` then finds every endpoint answering, with the
        numbers."""
        for port_setting, series in EXPORTERS.values():
            port = getattr(stack.settings, port_setting)
            url = f"http://{stack.settings.bind_address}:{port}/metrics"
            body = wait_for(
                lambda url=url: (a := httpx.get(url, timeout=10)).status_code == 200 and a.text,
                30,
                f"{url} answering",
            )
            _prometheus_text(body, series)
            assert metric_value(body, series) == 1, f"{series} is not 1: no connection"
        _assert_the_exporter_is_the_monitor_role(stack)
        report = metrics_report()
        names = {e["name"] for e in report["endpoints"]}
        members = {m.service for m in stack.inventory().members if m.kind in ("etcd", "patroni")}
        assert members | {"haproxy", "backend", "frontend", *OBSERVABILITY_SERVICES} <= names
        assert all(e["answers"] and e["has_key_series"] for e in report["endpoints"])
        numbers = {h["name"]: h for h in report["headlines"]}
        lags = [h for name, h in numbers.items() if name.startswith("replication lag ")]
        assert len(lags) == 2 and all(h["value"] is not None for h in lags), lags
        assert numbers["postgres connections"]["value"] >= 1
        assert numbers["redis commands"]["value"] is not None
        assert numbers["backend requests"]["value"] is not None

    def test_tc028_prometheus_scrapes_every_metrics_endpoint(
        self, stack: Stack, observability: Stack
    ) -> None:
        """The profile's Prometheus answers /-/ready, and its targets are exactly the endpoints
        `metrics --json` lists (itself included), each one up; `endpoints` prints its URL."""
        listed = {e["name"] for e in metrics_report()["endpoints"]}
        assert "prometheus" in listed
        targets = prometheus_scrapes(stack, listed)
        assert targets["patroni-0"]["scrapeUrl"] == "http://patroni-0:8008/metrics"
        shown = json.loads(
            cli("endpoints", "--json", "--profile", "observability", check=True).stdout
        )
        port = stack.settings.prometheus_port
        assert shown["prometheus_url"] == f"http://{stack.settings.bind_address}:{port}"


# The name the PostgreSQL exporter's sessions carry (compose/images/runtime/paws_exporter.py).
EXPORTER_APPLICATION = "paws-exporter"
MONITOR_ROLE_ROW = """
SELECT r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication,
       r.rolbypassrls, pg_has_role(r.oid, 'pg_monitor', 'USAGE')
  FROM pg_roles r WHERE r.rolname = %s
"""


def _exporter_users(stack: Stack) -> list[str]:
    """Who the exporter's sessions on the leader log in as (after a scrape opened one)."""
    port = stack.settings.pg_exporter_port
    httpx.get(f"http://{stack.settings.bind_address}:{port}/metrics", timeout=10)
    with superuser_pg(stack) as connection:
        rows = connection.execute(
            "SELECT usename FROM pg_stat_activity WHERE application_name = %s",
            (EXPORTER_APPLICATION,),
        ).fetchall()
    return [row[0] for row in rows]


def _monitor_role(stack: Stack) -> tuple[bool, ...] | None:
    """The monitor role's login, superuser, createdb, createrole, replication, bypassrls
    attributes and whether it has pg_monitor's privileges; None when there is no such role."""
    with superuser_pg(stack) as connection:
        row = connection.execute(MONITOR_ROLE_ROW, (MONITOR_ROLE,)).fetchone()
    return tuple(row) if row else None


def _assert_the_exporter_is_the_monitor_role(stack: Stack) -> None:
    """The exporter's sessions are the monitor role's, never the superuser's, and that role
    logs in, has pg_monitor's privileges and nothing more."""
    users = wait_for(lambda: _exporter_users(stack), 30, "the exporter's session on the leader")
    assert set(users) == {MONITOR_ROLE}, users
    assert _monitor_role(stack) == (True, False, False, False, False, False, True)


def _monitor_login(stack: Stack) -> bool:
    """Whether the monitor role logs in with the current secret, through HAProxy."""
    try:
        with monitor_pg(stack) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def test_tc028_up_gives_an_existing_cluster_the_exporters_monitor_role(stack: Stack) -> None:
    """A cluster bootstrapped before the monitor role (the role dropped): `up` creates it,
    saying so; a role whose password differs from the secret gets the secret's; a second `up`
    changes nothing. The role then logs in with the secret and is no superuser."""
    with superuser_pg(stack) as connection:
        connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(MONITOR_ROLE)))
    try:
        assert _monitor_role(stack) is None
        first = cli("up", "--yes", timeout=300)
        assert first.returncode == 0, first.stderr
        assert f"created role {MONITOR_ROLE} (LOGIN" in first.stderr
        assert _monitor_role(stack) == (True, False, False, False, False, False, True)
        assert _monitor_login(stack)
        with superuser_pg(stack) as connection:
            other = sql.SQL("ALTER ROLE {} PASSWORD 'not-the-secret-0000'")
            connection.execute(other.format(sql.Identifier(MONITOR_ROLE)))
        assert not _monitor_login(stack)
        second = cli("up", "--yes", timeout=300)
        assert second.returncode == 0, second.stderr
        assert f"set the password of role {MONITOR_ROLE}" in second.stderr
        assert _monitor_login(stack)
        third = cli("up", "--yes", timeout=300)
        assert third.returncode == 0, third.stderr
        assert f"role {MONITOR_ROLE}" not in third.stderr
        assert stack.secrets.read(MONITOR_SECRET) not in first.stderr + second.stderr
    finally:
        stack.converge()


def _inspect(component: str) -> dict[str, Any]:
    result = cli("inspect", component, "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)  # exactly one document
    return document


def _sync_standbys_on_the_leader(stack: Stack) -> list[str]:
    """The truth from PostgreSQL itself: whom the leader replicates to synchronously."""
    with superuser_pg(stack) as connection:
        rows = connection.execute(
            "SELECT application_name FROM pg_stat_replication WHERE sync_state = 'sync'"
        ).fetchall()
    return sorted(r[0] for r in rows)


@pytest.mark.chaos
def test_tc029_inspect_tells_the_truth_after_a_switchover(stack: Stack) -> None:
    """After a switchover to the sync standby, `inspect postgres` names the new leader, the
    timeline one higher (with the history entry of the switch) and the new sync standby,
    matching what each member and the leader's pg_stat_replication say."""
    before = _inspect("postgres")
    old_leader, timeline = before["leader"], before["timeline"]
    assert before["sync_standby"], before
    candidate = before["sync_standby"][0]
    answer = httpx.post(
        f"http://{address(stack, old_leader)}:8008/switchover",
        json={"leader": old_leader, "candidate": candidate},
        auth=("patroni", stack.secrets.read("patroni_api_password")),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text

    def settled() -> dict[str, Any] | None:
        doc = _inspect("postgres")
        done = doc["leader"] == candidate and doc["timeline"] == timeline + 1
        return doc if done and doc["sync_standby"] else None

    after = wait_for(settled, 90, f"inspect naming {candidate} leader on timeline {timeline + 1}")
    assert after["history"][-1]["timeline"] == timeline
    assert all(
        m["timeline"] == timeline + 1
        for m in after["members"]
        if m["state"] in ("running", "streaming")
    )
    truth = wait_for(
        lambda: _sync_standbys_on_the_leader(stack), 30, "the new leader's sync standby"
    )
    assert after["sync_standby"] == truth
    roles = {c.name: c.role for c in stack.health().components if c.kind == "patroni"}
    assert roles[candidate] == "leader"
    assert roles[after["sync_standby"][0]] == "sync_standby"
    assert after["slots"] and after["dcs_keys"], after
    assert "/service/paws/leader" in after["dcs_keys"]
