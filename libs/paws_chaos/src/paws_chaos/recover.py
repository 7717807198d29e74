"""`paws-chaos recover`: undo what an interrupted experiment left, journal or not; then wait
for health. Idempotent: a second run finds nothing to do.

Order: the container faults (journal and recognised) first, then health, then the workloads'
tables and keys (they need a leader and a master), then the journal goes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any, Literal

import psycopg
import redis
from docker.errors import NotFound
from psycopg import sql
from pydantic import BaseModel, Field

from paws_stack import PawsStackError, ProbeError, Stack, StackNotHealthy
from paws_stack.interrupted import journal_path

from .errors import CouldNotRun, StackUnavailable
from .http_notes import delete_notes
from .journal import WORKLOAD_ACTIONS, Document, Undo, load_journal
from .leftovers import (
    expected_networks,
    in_order,
    member_states,
    recognise,
    recognise_workloads,
)
from .netfaults import COMMENT, in_netns, paws_rules, remove_paws_rules

PROJECT_LABEL = "com.docker.compose.project"


class Repair(BaseModel):
    """One undo and how it went."""

    what: str
    origin: Literal["journal", "recognised"]
    outcome: str
    ok: bool


class RecoveryReport(BaseModel):
    """What recovery found and did, and whether the stack is healthy afterwards."""

    project: str
    journal: str | None
    scenario: str | None = None
    repairs: list[Repair] = Field(default_factory=list)
    healthy: bool = False
    problems: list[str] = Field(default_factory=list)
    # Phases, in seconds from the start: container undos done, stack healthy, all done.
    undone_s: float | None = None
    healthy_s: float | None = None
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 0 if self.healthy and all(r.ok for r in self.repairs) else 1


class Recovery:
    """One recovery of one project."""

    def __init__(self, stack: Stack, say: Callable[[str], None] = lambda line: None) -> None:
        self.stack = stack
        self.say = say
        self.path = journal_path(stack.settings.state_path, stack.project)

    def run(self, timeout: float) -> RecoveryReport:
        begun = time.monotonic()
        document = self._journal()
        report = RecoveryReport(
            project=self.stack.project,
            journal=str(self.path) if document else None,
            scenario=document.scenario if document else None,
        )
        journaled = document.undos() if document else []
        containers = [u for u in journaled if u.action not in WORKLOAD_ACTIONS]
        self._apply(report, in_order([*containers, *self._recognised()]), journaled)
        # Rules can only be read in a running namespace: look again once paused or stopped
        # members are back (a paused *and* isolated member has both faults).
        self._apply(report, self._rules_left(), journaled)
        report.undone_s = round(time.monotonic() - begun, 1)
        self._wait_healthy(report, begun + timeout)
        if report.healthy:
            report.healthy_s = round(time.monotonic() - begun, 1)
        workloads = [u for u in journaled if u.action in WORKLOAD_ACTIONS]
        self._apply(report, in_order([*workloads, *self._workload_leftovers()]), journaled)
        if document and all(r.ok for r in report.repairs):
            self.path.unlink(missing_ok=True)
            self.say(f"removed the journal {self.path}")
        if report.healthy and not all(r.ok for r in report.repairs):
            report.problems.append("some undos failed: see `repairs`; the journal is kept")
        report.seconds = round(time.monotonic() - begun, 1)
        return report

    # --- what there is to undo -----------------------------------------------------------

    def _journal(self) -> Document | None:
        document = load_journal(self.path, self.stack.project)
        if document is not None and document.writer_alive and document.pid != os.getpid():
            raise CouldNotRun(
                f"the experiment {document.scenario!r} (pid {document.pid}) is still running; "
                "it undoes its own faults",
                f"wait for it, or interrupt it (Ctrl-C, `kill -INT {document.pid}`), then recover",
            )
        return document

    def _listed(self) -> list[dict[str, Any]]:
        label = f"{PROJECT_LABEL}={self.stack.project}"
        client = self.stack.client()
        return [
            c.attrs for c in client.containers.list(all=True, sparse=True, filters={"label": label})
        ]

    def _recognised(self) -> list[Undo]:
        members = member_states(self._listed(), self.stack.project)
        lite = self.stack.profile == "lite"
        if not members:
            raise StackUnavailable(
                f"the stack (project {self.stack.project}) has no containers: nothing to recover",
                f"start it with `paws-stack up{' --profile lite' if lite else ''}` "
                "(a fault dies with its container)",
            )
        return recognise(members, self._expected(), {})

    def _rules_left(self) -> list[Undo]:
        members = member_states(self._listed(), self.stack.project)
        client = self.stack.client()
        rules = {
            m.container: len(paws_rules(client.containers.get(m.container)))
            for m in members
            if m.state == "running"
        }
        return [u for u in recognise(members, {}, rules) if u.action == "remove_rules"]

    def _expected(self) -> dict[str, dict[str, tuple[str, ...]]]:
        try:
            config = json.loads(self.stack.compose().run("config", "--format", "json"))
        except (PawsStackError, ValueError) as error:
            self.say(f"cannot read the compose definition ({error}); networks not checked")
            return {}
        return expected_networks(config)

    def _workload_leftovers(self) -> list[Undo]:
        tables: list[str] = []
        keys: list[str] = []
        notes: list[str] = []
        try:
            with psycopg.connect(**self._pg(), autocommit=True) as connection:
                rows = connection.execute(
                    "SELECT tablename FROM pg_tables WHERE tablename LIKE 'chaos\\_%'"
                ).fetchall()
                notes = self._note_texts(connection)
            tables = [str(row[0]) for row in rows]
        except psycopg.Error as error:
            self.say(f"cannot list workload tables: {error}")
        try:
            with self._redis() as client:
                keys = [str(k) for k in client.scan_iter(match="chaos:*", count=1000)]
        except (redis.RedisError, OSError) as error:
            self.say(f"cannot list workload keys: {error}")
        return recognise_workloads(tables, keys, notes)

    @staticmethod
    def _note_texts(connection: psycopg.Connection[Any]) -> list[str]:
        """One note text per HTTP workload run that left notes (none without the apps)."""
        exists = connection.execute("SELECT to_regclass('notes')").fetchone()
        if not exists or exists[0] is None:
            return []
        rows = connection.execute(
            "SELECT DISTINCT ON (split_part(text, ':', 2)) text FROM notes "
            "WHERE starts_with(text, 'paws-chaos:')"
        ).fetchall()
        return [str(row[0]) for row in rows]

    # --- doing it ------------------------------------------------------------------------

    def _apply(self, report: RecoveryReport, undos: list[Undo], journaled: list[Undo]) -> None:
        known = {u.key for u in journaled}
        for undo in undos:
            try:
                outcome = self._undo(undo)
                ok = True
            except Exception as error:  # each undo is tried; one failure must not stop the rest
                outcome, ok = f"failed: {type(error).__name__}: {error}"[:300], False
            origin: Literal["journal", "recognised"] = (
                "journal" if undo.key in known else "recognised"
            )
            report.repairs.append(
                Repair(what=undo.describe(), origin=origin, outcome=outcome, ok=ok)
            )
            self.say(f"{undo.describe()}: {outcome}")

    def _undo(self, undo: Undo) -> str:
        if undo.action == "drop_table":
            return self._drop_table(undo.table)
        if undo.action == "delete_keys":
            return self._delete_keys(undo.prefix)
        if undo.action == "delete_notes":
            deleted = delete_notes(self._pg(), undo.prefix)
            return f"deleted {deleted} note(s)" if deleted else "not needed"
        client = self.stack.client()
        try:
            container = client.containers.get(undo.container or undo.name)
        except NotFound:
            return "not needed: the container is gone (a new one carries no fault)"
        if container.labels.get(PROJECT_LABEL) != self.stack.project:
            raise RuntimeError(f"{container.name} is not a member of {self.stack.project}")
        return self._undo_container(undo, container, client)

    def _undo_container(self, undo: Undo, container: Any, client: Any) -> str:
        container.reload()
        status = container.status
        if undo.action == "unpause":
            if status != "paused":
                return "not needed"
            container.unpause()
        elif undo.action == "start":
            if status in ("running", "paused", "restarting"):
                return "not needed"
            container.start()
        elif undo.action == "connect":
            attached = (container.attrs.get("NetworkSettings") or {}).get("Networks") or {}
            if undo.network in attached:
                return "not needed"
            client.networks.get(undo.network).connect(container, aliases=list(undo.aliases))
        elif undo.action == "remove_rules":
            removed = remove_paws_rules(container, undo.comment or COMMENT)
            return f"removed {removed} rule(s)" if removed else "not needed"
        elif undo.action == "remove_netem":
            if status != "running":
                return "not needed"
            pid = int(container.attrs["State"]["Pid"])
            in_netns(pid, "tc", "qdisc", "del", "dev", "eth0", "root")
        return "done"

    def _pg(self) -> dict[str, Any]:
        settings = self.stack.settings
        host, port = self.stack.reach.published(settings.bind_address, settings.pg_port)
        return {
            "host": host,
            "port": port,
            "dbname": "app",
            "user": "app",
            "password": self.stack.secrets.read("pg_app_password"),
            "connect_timeout": 3,
            **self.stack.client_tls.pg(),
        }

    def _redis(self) -> redis.Redis:
        settings = self.stack.settings
        host, port = self.stack.reach.published(settings.bind_address, settings.redis_port)
        return redis.Redis(
            host=host,
            port=port,
            password=self.stack.secrets.read("redis_password"),
            socket_timeout=3,
            decode_responses=True,
            **self.stack.client_tls.redis(),
        )

    def _drop_table(self, table: str) -> str:
        with psycopg.connect(**self._pg(), autocommit=True) as connection:
            exists = connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()
            if not exists or exists[0] is None:
                return "not needed"
            connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
        return "done"

    def _delete_keys(self, prefix: str) -> str:
        with self._redis() as client:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            for chunk in range(0, len(keys), 500):
                client.delete(*keys[chunk : chunk + 500])
        return f"deleted {len(keys)} key(s)" if keys else "not needed"

    def _wait_healthy(self, report: RecoveryReport, deadline: float) -> None:
        self.say("waiting for the stack to be healthy")
        try:
            self.stack.wait_healthy(deadline)
            report.healthy = True
            self.say("stack healthy")
        except StackNotHealthy as error:
            report.problems += [line for line in error.message.splitlines() if line][:10]
        except ProbeError as error:
            report.problems.append(error.message)


def recover(
    stack: Stack, timeout: float = 120.0, say: Callable[[str], None] = lambda line: None
) -> RecoveryReport:
    """Undo every fault paws left in the project (journal and recognised), then wait for health."""
    return Recovery(stack, say).run(timeout)


def render_recovery(report: RecoveryReport) -> str:
    """Plain text: each undo, its origin and outcome, then the verdict."""
    lines = [f"project {report.project}; journal: {report.journal or 'none'}"]
    lines += [f"  [{r.origin}] {r.what}: {r.outcome}" for r in report.repairs]
    if not report.repairs:
        lines.append("  nothing to undo")
    lines += [f"  problem: {p}" for p in report.problems]
    verdict = "healthy" if report.exit_code == 0 else "NOT healthy"
    lines.append(f"{verdict} after {report.seconds:.1f} s")
    return "\n".join(lines)
