"""The experiment: steady state, workloads, faults, hold, restore, recover, verify, report."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from tenacity import Retrying, stop_after_attempt, wait_fixed

from paws_stack import HealthReport, PawsStackError, Stack, StackNotHealthy
from paws_stack.interrupted import RECOVER_COMMAND

from .errors import FaultNotInjected, NotSteadyState, RollbackFailed
from .faults import Fault
from .http_phase import begin_http
from .journal import Journal, Undo
from .report import Report, verdict
from .scenarios import Scenario
from .settings import ChaosSettings, load_chaos_settings
from .steady import named, patroni_config, steady_state
from .targets import FaultBuilder
from .verdict import Run, judge
from .verify import PgNodes, postgres_result, probe_write, redis_result
from .watcher import Watcher, first_new_leader
from .workloads import Addresses, PostgresWriter, RedisWriter

WARM_UP_ACKS = 10
WARM_UP_TIMEOUT_S = 20.0
CLEANUP_ATTEMPTS = 5
CLEANUP_PAUSE_S = 2.0


class Experiment:
    """One run of one scenario against one stack. `say` receives progress lines."""

    def __init__(
        self,
        stack: Stack,
        scenario: Scenario,
        settings: ChaosSettings | None = None,
        say: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.stack = stack
        self.scenario = scenario
        self.settings = settings or load_chaos_settings()
        self.say = say
        self.run_ = Run(scenario=scenario, settings=self.settings)
        self.journal = Journal.for_project(stack.settings.state_path, stack.project, scenario.name)
        self._workload_entries: list[tuple[PostgresWriter | RedisWriter, str]] = []
        self._http_key: str | None = None

    # --- the phases ----------------------------------------------------------------------

    def run(self) -> Report:
        run = self.run_
        run.before = steady_state(self.stack)
        self.say("steady state: healthy")
        self.addresses = Addresses(self._lookup, self.stack.reach)
        leader = named(run.before, "patroni", "leader")
        run.old_leader, run.old_master = leader, named(run.before, "redis", "master")
        run.config = patroni_config(self.addresses.at(leader, 8008), self.stack.client_tls)
        try:
            self._start_workloads()
        except BaseException:
            self._cleanup()  # a journaled table or key prefix that may exist: not left behind
            raise
        try:
            tag = uuid.uuid4().hex[:10]
            # Listed before the clients start, so a run killed mid-way leaves a journal that
            # `recover` uses to delete its notes (it also finds them by their text prefix).
            notes = Undo(action="delete_notes", prefix=tag)
            self._http_key = self.journal.add("http", notes.describe(), [notes], workload=True)
            run.http = begin_http(self.stack, self.scenario, self.settings, run.before, tag)
            if run.http is not None:
                self.say(f"http workload: {run.http.status} {run.http.reason}".rstrip())
            self._warm_up()
            self._inject_hold_restore()
            if not run.interrupted:
                self._after_restore()
        finally:
            self._stop_workloads()
            try:
                if not run.interrupted:
                    self._verify()
            finally:
                # Notes first: _cleanup ends by reporting whatever the journal still lists.
                self._cleanup_http()
                self._cleanup()
        report = judge(run)
        self.say(f"verdict: {verdict(report)}")
        return report

    def _lookup(self) -> dict[str, str]:
        return {m.service: m.address for m in self.stack.inventory().members if m.address}

    def _leader_conninfo(self) -> dict[str, Any]:
        """HAProxy's leader address, where an application connects."""
        bind = self.stack.settings
        host, port = self.stack.reach.published(bind.bind_address, bind.pg_port)
        return self._conninfo(host, port, by_name=True)

    def _member_conninfo(self, service: str) -> dict[str, Any]:
        """One PostgreSQL member on its container address."""
        host, port = self.addresses.at(service, 5432)
        return self._conninfo(host, port, by_name=False)

    def _conninfo(self, host: str, port: int, by_name: bool) -> dict[str, Any]:
        # TLS mode: the loopback address is verified by name, a member's by its chain.
        return {
            "host": host,
            "port": port,
            "dbname": "app",
            "user": "app",
            "password": self.stack.secrets.read("pg_app_password"),
            "connect_timeout": self.settings.connect_timeout_s,
            **self.stack.client_tls.pg(check_hostname=by_name),
        }

    def _start_workloads(self) -> None:
        run, settings, tag = self.run_, self.settings, uuid.uuid4().hex[:10]
        app = self._leader_conninfo()
        writers: list[PostgresWriter | RedisWriter] = []
        for workload in self.scenario.workloads:
            if workload == "postgres":
                pg = PostgresWriter(app, f"chaos_{tag}", self.addresses, settings.write_interval_s)
                self._journal_workload(pg, Undo(action="drop_table", table=pg.table))
                pg.create_table()
                writers.append(pg)
            else:
                rd = RedisWriter(
                    self.addresses,
                    self.stack.topology.services("sentinel"),
                    self.stack.secrets.read("redis_password"),
                    f"chaos:{tag}",
                    settings.redis_wait_ms,
                    settings.write_interval_s,
                    tls=self.stack.client_tls,
                )
                self._journal_workload(rd, Undo(action="delete_keys", prefix=rd.prefix))
                writers.append(rd)
        run.writers = writers
        run.watcher = Watcher(
            lambda: self.addresses.refresh(max_age=2.0),
            self.stack.secrets.read("redis_password"),
            settings.poll_interval_s,
            tls=self.stack.client_tls,
            reach=self.stack.reach,
        ).start()
        for writer in writers:
            writer.start()

    def _journal_workload(self, writer: PostgresWriter | RedisWriter, undo: Undo) -> None:
        # Before the table or the first key exists: a kill right after must still clean up.
        key = self.journal.add(writer.workload, undo.describe(), [undo], workload=True)
        self._workload_entries.append((writer, key))

    def _warm_up(self) -> None:
        deadline = time.monotonic() + WARM_UP_TIMEOUT_S
        while any(len(w.ledger.acked()) < WARM_UP_ACKS for w in self.run_.writers):
            if time.monotonic() > deadline:
                errors = {w.workload: w.ledger.errors()[-1:] for w in self.run_.writers}
                raise NotSteadyState(
                    f"steady-state check failed: the workloads could not write: {errors}",
                    "check `paws-stack health` and the HAProxy/Sentinel addresses",
                    [str(errors)],
                )
            time.sleep(0.1)
        if self.run_.http is not None:
            # Its own 20 s: the clients started with the writers, but a cold JVM or Next.js
            # route may answer its first request slowly on a loaded machine.
            self.run_.http.warm_up(time.monotonic() + WARM_UP_TIMEOUT_S)
        self.run_.mark("workloads writing", time.monotonic())
        self.say(f"workloads writing: {', '.join(w.workload for w in self.run_.writers)}")

    def _inject_hold_restore(self) -> None:
        run = self.run_
        builder = FaultBuilder(
            self.stack.client(),
            self.stack.project,
            lambda: self.addresses.refresh(max_age=1.0),
            self.stack.secrets.read("patroni_api_password"),
            tls=self.stack.client_tls,
            reach=self.stack.reach,
        )
        try:
            with ExitStack() as held:
                for step in self.scenario.steps:
                    time.sleep(step.delay_s)
                    run.inject_started = run.inject_started or time.monotonic()
                    fault, members = builder.build(step, self._before())
                    run.faults.append(fault)
                    run.victims += [m.name for m in members]
                    if fault.records:
                        # On disk before the injection; forgotten only once its undo worked.
                        key = self.journal.add(fault.kind, repr(fault), fault.records)
                        held.callback(self._forget, key, fault)
                    held.enter_context(fault)
                    at = fault.injected_at or time.monotonic()
                    run.injected = run.injected or at
                    run.trigger = at
                    run.mark(f"fault injected: {fault!r}", at)
                    self.say(f"fault injected: {fault!r}")
                self._hold()
                run.restore_started = time.monotonic()
            run.rollback = "done" if run.faults else "not needed"
        except RollbackFailed as error:
            run.rollback = f"failed: {error.message}"
            run.remediation.append(error.remediation)
        except FaultNotInjected as error:
            # Could not run: its undo already ran; the stack is still checked back to health.
            run.not_injected = error.message
            run.remediation.append(error.remediation)
            run.rollback = _rollback_state(run.faults)
            self.say(f"{error.message}; rollback {run.rollback}")
        except KeyboardInterrupt:
            run.interrupted = True
            run.rollback = _rollback_state(run.faults)
            run.remediation += [f.remediation for f in run.faults if f.undo_error]
            self.say(f"interrupted: rollback {run.rollback}")
        run.restored = time.monotonic()
        run.mark(
            "fault restored" if run.rollback == "done" else f"rollback {run.rollback}", run.restored
        )

    def _forget(self, key: str, fault: Fault) -> None:
        if fault.undo_error is None:
            self.journal.discard(key)

    def _before(self) -> HealthReport:
        if self.run_.before is None:
            raise RuntimeError("the steady state was never checked")
        return self.run_.before

    def _hold(self) -> None:
        run, hold = self.run_, self.scenario.hold
        if run.watcher is None or run.trigger is None:
            return
        kind = {"new_leader": "postgres", "new_master": "redis"}.get(hold.until)
        if kind:
            old = run.old_leader if kind == "postgres" else run.old_master
            seen = run.watcher.wait_for(
                lambda samples: first_new_leader(samples, old, run.trigger or 0, kind) is not None,
                hold.timeout_s,
            )
            if seen:
                self.say(f"new {'leader' if kind == 'postgres' else 'master'} visible")
        extra = hold.seconds + hold.ttls * float(run.config.get("ttl", 30))
        time.sleep(extra)

    def _after_restore(self) -> None:
        run, expect = self.run_, self.scenario.expect
        if expect.probe_old_leader_write and run.table:
            run.probe = probe_write(self._member_conninfo(run.old_leader), run.table)
            run.mark(f"direct write into the resumed old leader: {run.probe}", time.monotonic())
        try:
            run.after = self.stack.wait_healthy(time.monotonic() + self.settings.recover_timeout_s)
            run.healthy_at = time.monotonic()
            run.mark("stack healthy: node rejoined", run.healthy_at)
            self.say("stack healthy again")
        except StackNotHealthy as error:
            run.still_broken = [line for line in str(error.message).splitlines() if line][:10]
            run.remediation.append(error.remediation)
        except PawsStackError as error:
            run.still_broken = [str(error)]
        self._wait_writes_resumed()

    def _wait_writes_resumed(self) -> None:
        run = self.run_
        deadline = time.monotonic() + (self.scenario.expect.writes_resume_within_s or 60.0)
        primary = run.writers[0]
        while time.monotonic() < deadline:
            errors = primary.ledger.errors()
            last_error = max((a.ended for a in errors), default=0.0)
            if any(a.ended > max(last_error, run.restored or 0) for a in primary.ledger.acked()):
                break
            time.sleep(0.2)
        time.sleep(self.settings.settle_s)

    def _stop_workloads(self) -> None:
        run = self.run_
        if run.http is not None:
            run.http.stop()
        for writer in run.writers:
            writer.stop()
        if run.watcher is not None:
            run.watcher.stop()
        run.stopped = time.monotonic()

    def _verify(self) -> None:
        run, settings = self.run_, self.settings
        since, until = run.injected or run.stopped, run.stopped
        if run.http is not None:
            run.http.verify(self._leader_conninfo())
        for writer in run.writers:
            if isinstance(writer, PostgresWriter):
                report = run.after or self.stack.health()
                replicas = {
                    c.name: self._member_conninfo(c.name)
                    for c in report.of_kind("patroni")
                    if c.role != "leader"
                }
                nodes = PgNodes(self._leader_conninfo(), replicas)
                run.results.append(
                    postgres_result(
                        writer.ledger, writer.table, nodes, settings.stall_threshold_s, since, until
                    )
                )
            else:
                run.results.append(redis_result(writer, settings.stall_threshold_s, since, until))

    def _cleanup(self) -> None:
        """Drop the workload table and keys, whatever happened before."""
        for writer, key in self._workload_entries:
            try:
                # Right after an interruption the stack may still be settling (a member just
                # restarted, a loaded machine slow to accept a connection): a few tries.
                for attempt in Retrying(
                    stop=stop_after_attempt(CLEANUP_ATTEMPTS),
                    wait=wait_fixed(CLEANUP_PAUSE_S),
                    reraise=True,
                ):
                    with attempt:
                        _clean(writer)
            except Exception as error:  # cleanup must not hide the experiment's outcome
                self.run_.still_broken.append(
                    f"could not clean up the {writer.workload} workload: {error}"
                )
                continue
            self.journal.discard(key)
        if not self.journal.empty:
            self.run_.still_broken.append(
                f"left in place, listed in {self.journal.path}: {self.journal.document.listing()}"
            )
            self.run_.remediation.append(f"run `{RECOVER_COMMAND}`")

    def _cleanup_http(self) -> None:
        """Delete the notes the HTTP workload wrote (test data), whatever happened before."""
        if self.run_.http is not None:
            try:
                self.run_.http.cleanup(self._leader_conninfo())
            except Exception as error:  # cleanup must not hide the experiment's outcome
                self.run_.still_broken.append(
                    f"could not delete the HTTP workload's notes: {error}"
                )
                return
        if self._http_key is not None:
            self.journal.discard(self._http_key)
            self._http_key = None


def _clean(writer: PostgresWriter | RedisWriter) -> None:
    if isinstance(writer, PostgresWriter):
        writer.drop_table()
    else:
        writer.delete_all()


def _rollback_state(faults: list[Fault]) -> str:
    """ "done", or which undo failed and why (after an interruption or a refused fault)."""
    failed = [f for f in faults if f.undo_error]
    return "failed: " + "; ".join(f"{f!r}: {f.undo_error}" for f in failed) if failed else "done"


def run_scenario(
    stack: Stack,
    scenario: Scenario,
    settings: ChaosSettings | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> Report:
    """Run one scenario and return its report (raises CouldNotRun / NotSteadyState)."""
    return Experiment(stack, scenario, settings, say).run()
