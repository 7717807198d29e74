"""Chaos tests (TC-010..TC-013, TC-022..TC-037, TC-046): break the shared stack on purpose through
`paws-chaos`, then prove recovery with numbers. Every scenario of issue 4 runs once here.

Each test leaves the stack healthy (the `stack` fixture waits up to 120 s afterwards). The
common verdict **chaos-ok** (docs/test-cases.md): exit 0, `passed`, `lost == 0`,
`split_brain_events == 0`, `acked >= 50`. The seed's bounds: failover <= 60 s, 0 lost writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, cli, console_script, wait_for
from helpers import leader_pg, like_a_terminal, redis_client
from paws_chaos import FaultUnsupported, isolate, netem, pause, paws_rules
from paws_stack import Stack
from paws_stack.interrupted import RECOVER_COMMAND, journal_path

pytestmark = [pytest.mark.stack, pytest.mark.chaos]

SEED_FAILOVER_S = 60.0


def chaos(
    *args: str, timeout: float = 420, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the paws-chaos console script the way a user does."""
    return console_script(
        "paws_chaos.cli", *args, env={"PYTHONUNBUFFERED": "1", **(env or {})}, timeout=timeout
    )


def run_scenario(name: str) -> dict[str, Any]:
    """`paws-chaos run <name> --json`, asserting the common verdict chaos-ok."""
    result = chaos("run", name, "--json")
    assert result.stdout.strip(), f"no JSON on stdout; stderr:\n{result.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(result.stdout)
    numbers = {
        k: report[k]
        for k in ("write_unavailable_s", "leader_change_s", "recovered_s", "acked", "lost")
    }
    print(f"\n[chaos] {name}: {numbers} client_errors={report['client_errors']}")
    failed = [c for c in report["checks"] if not c["ok"]]
    http_errors = (report.get("http") or {}).get("first_errors", [])
    assert result.returncode == 0, (
        f"exit {result.returncode}; failed checks: {failed}; first HTTP errors: {http_errors}"
    )
    assert report["passed"] is True
    assert report["lost"] == 0
    assert report["split_brain_events"] == 0, report["split_brain"]
    assert report["acked"] >= 50
    return report


def assert_http_clean(stack: Stack, report: dict[str, Any]) -> None:
    """AC-2 where the user feels it: every request through the frontend and to the backend
    answered 2xx, every acknowledged note is stored exactly once, and the notes are gone."""
    http = report["http"]
    print(
        f"[chaos] {report['scenario']} http: requests={http['requests']} "
        f"errors={report['http_errors']} acked={report['http_acked']} lost={report['http_lost']} "
        f"p50={report['http_latency_p50_s']} p99={report['http_latency_p99_s']} "
        f"samples={report['http_latency_samples']}"
    )
    assert http["status"] == "measured", http["reason"]
    assert report["http_errors"] == 0, http["first_errors"]
    assert report["http_lost"] == 0 and report["http_duplicates"] == 0, http["lost_ids"]
    assert set(http["acked_by_route"]) == {"frontend", "backend"}
    # A few notes per route at least: the Redis scenarios alternate notes with visits, and a
    # loaded machine answers fewer of them in the experiment's window.
    assert report["http_acked"] >= 4
    assert report["http_latency_samples"] > 0
    with leader_pg(stack) as conn:
        left = conn.execute(
            "SELECT count(*) FROM notes WHERE starts_with(text, 'paws-chaos:')"
        ).fetchone()
    assert left == (0,), "the workload's notes were not deleted"


def check(report: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["name"] == name)
    return found


def member(stack: Stack, kind: str, role: str) -> Any:
    component = next(c for c in stack.health().of_kind(kind) if c.role == role)  # type: ignore[arg-type]
    return stack.client().containers.get(component.container), component


# --- HA failover ------------------------------------------------------------------------------


def test_tc010_patroni_leader_failure(stack: Stack) -> None:
    """Hard kill of the leader: a replica leads within 60 s, 0 lost, the old node rejoins;
    the apps answer every request meanwhile (0 HTTP errors, 0 lost notes)."""
    report = run_scenario("patroni-leader-failure")
    assert report["leader_change_s"] <= SEED_FAILOVER_S
    assert report["write_unavailable_s"] <= SEED_FAILOVER_S
    assert report["timeline_after"] > report["timeline_before"]
    assert_http_clean(stack, report)


def test_tc011_patroni_switchover(stack: Stack) -> None:
    """Graceful switchover: new leader, timeline advanced, nothing lost."""
    report = run_scenario("patroni-switchover")
    assert report["leader_change_s"] <= SEED_FAILOVER_S
    assert report["timeline_after"] > report["timeline_before"]
    assert_http_clean(stack, report)


def test_tc012_redis_master_failure(stack: Stack) -> None:
    """Master killed: Sentinels promote a replica; WAIT-acked keys all survive; the apps'
    notes and visits (Redis INCR) answer every request meanwhile."""
    report = run_scenario("redis-master-failure")
    assert report["leader_change_s"] <= SEED_FAILOVER_S
    redis = next(w for w in report["workloads"] if w["workload"] == "redis")
    assert redis["lost"] == 0 and redis["acked"] >= 50
    assert report["http"]["calls"] == ["notes", "visits"]
    assert_http_clean(stack, report)


def test_tc011_without_apps_http_is_not_measured_unless_no_http(stack: Stack) -> None:
    """A stack run without apps (PAWS_APPS=false) cannot show AC-2: the switchover fails with
    the HTTP checks "not measured" and names --no-http; with --no-http it passes, skipped."""
    result = chaos("run", "patroni-switchover", "--json", env={"PAWS_APPS": "false"})
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr[-2000:]
    assert report["http"]["status"] == "not measured" and report["http_errors"] is None
    failed = [c for c in report["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["HTTP workload"], failed
    assert "--no-http" in failed[0]["detail"]
    skipped = chaos("run", "patroni-switchover", "--json", "--no-http", env={"PAWS_APPS": "false"})
    report = json.loads(skipped.stdout)
    assert skipped.returncode == 0, [c for c in report["checks"] if not c["ok"]]
    assert report["http"]["status"] == "skipped"
    assert "skipped" in check(report, "HTTP workload")["detail"]


def test_tc013_patroni_replica_failure(stack: Stack) -> None:
    """Sync standby killed: leader and timeline stay, another replica becomes sync."""
    report = run_scenario("patroni-replica-failure")
    assert check(report, "PostgreSQL leader unchanged")["ok"]
    assert report["timeline_after"] == report["timeline_before"]
    assert any(c.role == "sync_standby" for c in stack.health().of_kind("patroni"))


def test_tc035_sentinel_failure_then_master_failover(stack: Stack) -> None:
    """One Sentinel dead, then the master: the other two still fail over; all agree after."""
    report = run_scenario("sentinel-failure")
    assert report["leader_change_s"] <= SEED_FAILOVER_S
    assert_http_clean(stack, report)
    health = stack.health()
    master = next(c.name for c in health.of_kind("redis") if c.role == "master")
    assert {s.facts["master"] for s in health.of_kind("sentinel")} == {master}


# --- resilience -------------------------------------------------------------------------------


def test_tc022_etcd_member_failure_no_write_interruption(stack: Stack) -> None:
    """One etcd follower killed for 2 x ttl: 0 s write interruption, 0 client errors."""
    report = run_scenario("etcd-member-failure")
    assert report["write_unavailable_s"] == 0
    assert report["client_errors"] == 0
    assert report["timeline_after"] == report["timeline_before"]
    voting = {c.facts["voting_members"] for c in stack.health().of_kind("etcd")}
    assert voting == {3}


def test_tc023_etcd_quorum_loss_no_split_brain(stack: Stack) -> None:
    """2 of 3 etcd stopped for 2 x ttl: the leader demotes (failsafe off), no one writes,
    writes resume after restoration."""
    report = run_scenario("etcd-quorum-loss")
    if not report["settings"].get("failsafe_mode"):
        assert check(report, "old leader stops acknowledging writes")["ok"]
        assert check(report, "no writes acknowledged without quorum")["ok"]


def test_tc024_leader_partition_old_leader_stops_writes(stack: Stack) -> None:
    """Leader cut off from etcd and peers: it stops acknowledging, a new leader is elected,
    it rejoins as a replica after healing, and no paws rule is left behind."""
    report = run_scenario("leader-partition")
    assert report["leader_change_s"] <= SEED_FAILOVER_S
    assert check(report, "old leader stops acknowledging writes")["ok"]
    old = report["old_node"]
    container = stack.client().containers.get(
        next(m.container for m in stack.inventory().members if m.service == old)
    )
    assert paws_rules(container) == []


def test_tc025_leader_freeze_no_writes_after_resume(stack: Stack) -> None:
    """Leader paused for ttl + 10 s: a new leader exists before the resume, and a direct
    INSERT into the resumed old leader is not acknowledged."""
    report = run_scenario("leader-freeze")
    assert check(report, "new leader before the old one resumed")["ok"]
    assert check(report, "resumed old leader refuses a direct write")["ok"]


# --- the harness itself -----------------------------------------------------------------------


def test_tc036_undo_runs_when_body_raises(stack: Stack) -> None:
    """pause + isolate of a replica, then the body raises: the RuntimeError propagates, and
    the replica is unpaused with no paws iptables rule left."""
    container, replica = member(stack, "patroni", "replica")
    peers = [m.address for m in stack.inventory().members if m.kind == "etcd" and m.address]
    with pytest.raises(RuntimeError, match="tc036"), isolate(container, peers) + pause(container):
        container.reload()
        assert container.attrs["State"]["Paused"] is True
        raise RuntimeError("tc036")

    def clean() -> bool:
        container.reload()
        return container.attrs["State"]["Paused"] is False and paws_rules(container) == []

    wait_for(clean, 5, f"{replica.name} unpaused and without paws rules")


def test_tc036_undo_runs_on_sigint(stack: Stack) -> None:
    """SIGINT once the fault is injected: exit 130 within 30 s, rollback done, node back."""
    process = subprocess.Popen(
        [sys.executable, "-m", "paws_chaos.cli", "run", "patroni-replica-failure"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=like_a_terminal,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "fault injected" in line:
            break
    process.send_signal(signal.SIGINT)
    begin = time.monotonic()
    stdout, _ = process.communicate(timeout=30)
    print(f"\n[chaos] exit {process.returncode} {time.monotonic() - begin:.1f} s after SIGINT")
    assert process.returncode == 130
    assert "rollback            done" in stdout and "verdict: INTERRUPTED" in stdout
    assert all(m.state == "running" for m in stack.inventory().members)


def test_tc036_undo_runs_on_sigterm(stack: Stack) -> None:
    """SIGTERM (a supervisor, `kill`) once the fault is injected: handled like Ctrl-C."""
    process = _experiment("patroni-replica-failure")
    assert process.stderr is not None
    _wait_injected(process.stderr.readline)
    process.send_signal(signal.SIGTERM)
    begin = time.monotonic()
    stdout, _ = process.communicate(timeout=30)
    print(f"\n[chaos] exit {process.returncode} {time.monotonic() - begin:.1f} s after SIGTERM")
    assert process.returncode == 130
    assert "rollback            done" in stdout and "verdict: INTERRUPTED" in stdout
    _assert_nothing_left(stack, stdout)


def test_tc036_undo_runs_when_the_terminal_closes(stack: Stack) -> None:
    """The terminal closes (SIGHUP from the kernel, then EIO on every write) while the fault is
    in place: the undo still runs, exit 130, no journal and no workload table left."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "paws_chaos.cli", "run", "patroni-replica-failure"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
        preexec_fn=_controlling_terminal,
    )
    os.close(slave)
    try:
        _wait_injected(_pty_lines(master))
        journal = journal_path(stack.settings.state_path, stack.project)
        assert journal.exists(), "the fault is in place but not in the journal"
    finally:
        os.close(master)  # what closing the terminal window does: the kernel sends SIGHUP
    begin = time.monotonic()
    process.wait(timeout=30)
    print(f"\n[chaos] exit {process.returncode} {time.monotonic() - begin:.1f} s after hangup")
    assert process.returncode == 130
    _assert_nothing_left(stack)


def test_tc046_sigkill_mid_fault_then_recover(stack: Stack) -> None:
    """leader-freeze SIGKILLed while the leader is paused: the journal lists the fault, `health`
    and `up` name the recovery command (and `up` changes nothing), and `paws-chaos recover`
    restores health within 60 s, leaving no journal, no paused member and no workload table."""
    journal = journal_path(stack.settings.state_path, stack.project)
    process = _experiment("leader-freeze")
    assert process.stderr is not None
    try:
        _wait_injected(process.stderr.readline)
        listed = wait_for(lambda: _journaled(journal), 10, "the journal lists the pause")
        process.kill()
        process.wait(timeout=10)
        victim = _paused(stack)
        assert victim, f"SIGKILL mid-fault should leave the leader paused; journal: {listed}"

        health = cli("health", timeout=60)
        assert health.returncode == 1 and f"fix: {RECOVER_COMMAND}" in health.stderr
        assert "interrupted chaos experiment left faults in place: pause(" in health.stderr

        before = _states(stack)
        up = cli("up", timeout=120)
        assert up.returncode == 2, up.stderr
        assert f"run `{RECOVER_COMMAND}`" in up.stderr and "paused member(s)" in up.stderr
        assert "cannot start a paused container" not in up.stderr
        assert _states(stack) == before, "`up` refused but changed the containers"

        begin = time.monotonic()
        result = chaos("recover", "--json", timeout=120)
        elapsed = time.monotonic() - begin
        print(f"\n[chaos] recover after SIGKILL: exit {result.returncode} in {elapsed:.1f} s")
        report = json.loads(result.stdout)
        phases = {k: report[k] for k in ("undone_s", "healthy_s", "seconds")}
        print(f"[chaos] recover phases (s since its start): {phases}; {report['repairs']}")
        assert result.returncode == 0, result.stderr[-2000:]
        assert report["healthy"] is True and elapsed <= SEED_FAILOVER_S
        assert {r["what"] for r in report["repairs"] if r["origin"] == "journal"} >= {
            f"unpause {victim[0]}"
        }
        assert not journal.exists()
        assert _paused(stack) == [] and _fingerprint(stack)["chaos_tables"] == 0
        assert cli("health", timeout=60).returncode == 0

        again = chaos("recover", "--json", timeout=120)
        assert again.returncode == 0 and json.loads(again.stdout)["repairs"] == []
    finally:
        if process.poll() is None:
            process.kill()
        if journal.exists():  # never leave the shared stack frozen for the next test
            chaos("recover", timeout=180)
        for name in _paused(stack):
            stack.client().containers.get(name).unpause()


def test_tc046_recover_recognises_faults_without_a_journal(stack: Stack) -> None:
    """No journal (an older paws, or faults made by hand): a paused Redis replica with a paws
    iptables rule, a stopped Sentinel, an etcd follower off the infra network, a paws rule in a
    Patroni replica, a workload table and workload keys are each recognised and undone; health
    exits 0."""
    client, project = stack.client(), stack.project
    paused, _ = member(stack, "redis", "replica")
    stopped, _ = member(stack, "sentinel", "sentinel")
    detached, _ = member(stack, "etcd", "follower")
    ruled, _ = member(stack, "patroni", "replica")
    infra = client.networks.get(f"{project}_infra")
    table, prefix = "chaos_00c0ffee00", "chaos:00c0ffee00"
    # A rule as `isolate` adds it, but with no Fault around it to undo it.
    rule = ["INPUT", "-s", "10.255.255.1", "-m", "comment", "--comment", "paws-chaos", "-j", "DROP"]
    try:
        for target in (ruled, paused):  # the paused one is isolated too: rules under a freeze
            pid = str(client.containers.get(target.id).attrs["State"]["Pid"])
            subprocess.run(["nsenter", "-t", pid, "-n", "iptables", "-I", *rule], check=True)
        paused.pause()
        stopped.stop(timeout=5)
        infra.disconnect(detached, force=True)
        with leader_pg(stack) as connection:
            connection.execute(f"CREATE TABLE {table} (id int)")
        with redis_client(stack, stack.settings.bind_address, stack.settings.redis_port) as r:
            r.set(f"{prefix}:1", "1")
            r.set(f"{prefix}:2", "2")
        assert not journal_path(stack.settings.state_path, project).exists()

        result = chaos("recover", "--json", timeout=180)
        report = json.loads(result.stdout)
        print(
            f"\n[chaos] recover without a journal: exit {result.returncode}, {report['seconds']} s"
        )
        assert result.returncode == 0, result.stderr[-2000:]
        done = {r["what"]: r["outcome"] for r in report["repairs"] if r["origin"] == "recognised"}
        assert done == {
            f"unpause {paused.name}": "done",
            f"start {stopped.name}": "done",
            f"connect {detached.name} to {project}_infra": "done",
            f"remove paws-chaos iptables rules in {ruled.name}": "removed 1 rule(s)",
            f"remove paws-chaos iptables rules in {paused.name}": "removed 1 rule(s)",
            f"drop table {table}": "done",
            f"delete Redis keys {prefix}:*": "deleted 2 key(s)",
        }
        assert paws_rules(ruled) == paws_rules(paused) == [] and _paused(stack) == []
        assert cli("health", timeout=60).returncode == 0
    finally:
        for undo in (paused.unpause, stopped.start, lambda: infra.connect(detached)):
            with contextlib.suppress(Exception):  # already undone by recover, normally
                undo()


def _experiment(scenario: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "paws_chaos.cli", "run", scenario],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=like_a_terminal,
    )


def _wait_injected(next_line: Any, timeout: float = 120) -> None:
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        line = next_line()
        if not line:
            break
        seen.append(line)
        if "fault injected" in line:
            return
    raise AssertionError(f"the fault was never injected: {''.join(seen)[-2000:]}")


def _controlling_terminal() -> None:
    """preexec_fn: the pty on fd 0 becomes the new session's controlling terminal, as in a
    terminal window; SIGINT at its default (see like_a_terminal)."""
    like_a_terminal()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _pty_lines(master: int) -> Any:
    buffer = [b""]

    def next_line() -> str:
        while b"\n" not in buffer[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return ""
            if not chunk:
                return ""
            buffer[0] += chunk
        line, buffer[0] = buffer[0].split(b"\n", 1)
        return line.decode(errors="replace") + "\n"

    return next_line


def _journaled(journal: Path) -> list[str]:
    try:
        data = json.loads(journal.read_text())
    except (OSError, ValueError):
        return []
    return [entry["what"] for entry in data.get("faults", [])]


def _paused(stack: Stack) -> list[str]:
    return [m.container for m in stack.inventory().members if m.state == "paused"]


def _states(stack: Stack) -> dict[str, tuple[str, str]]:
    client = stack.client()
    return {
        m.service: ((c := client.containers.get(m.container)).id, c.status)
        for m in stack.inventory().members
    }


def _assert_nothing_left(stack: Stack, output: str = "") -> None:
    journal = journal_path(stack.settings.state_path, stack.project)
    assert not journal.exists(), f"journal left: {journal.read_text()}\n{output[-1500:]}"
    assert all(m.state == "running" for m in stack.inventory().members)
    wait_for(lambda: _fingerprint(stack)["chaos_tables"] == 0, 10, "no workload table left")


def test_tc037_refuses_on_unhealthy_stack(stack: Stack) -> None:
    """One Redis replica stopped: the run exits 1 naming the steady-state check and the
    component, and nothing changed: same containers, same leader and timeline, no table."""
    container, replica = member(stack, "redis", "replica")
    try:
        container.stop(timeout=5)
        wait_for(lambda: not stack.health().healthy, 30, "health reports the stopped replica")
        before = _fingerprint(stack)
        result = chaos("run", "patroni-leader-failure", timeout=120)
        assert result.returncode == 1, result.stderr
        assert "steady-state check failed" in result.stderr
        assert replica.name in result.stderr
        assert _fingerprint(stack) == before
    finally:
        container.start()


def test_tc037_netem_refused_where_the_kernel_lacks_it(stack: Stack) -> None:
    """Latency injection refuses with the reason instead of pretending (no sch_netem here)."""
    container, _ = member(stack, "patroni", "replica")
    with pytest.raises(FaultUnsupported, match="sch_netem"):
        netem(container, delay_ms=100)


def _fingerprint(stack: Stack) -> dict[str, Any]:
    client = stack.client()
    containers = {
        m.service: (
            (c := client.containers.get(m.container)).id,
            c.status,
            c.attrs["State"]["StartedAt"],
        )
        for m in stack.inventory().members
    }
    health = stack.health()
    leader = next(c for c in health.of_kind("patroni") if c.role == "leader")
    with leader_pg(stack) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'chaos_%'"
        ).fetchone()
    return {
        "containers": containers,
        "leader": leader.name,
        "timeline": leader.facts["timeline"],
        "chaos_tables": row[0] if row else None,
    }
