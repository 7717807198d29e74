"""After the experiment: check the data itself and turn the measurements into checks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from .ledger import Ledger
from .report import Check, WorkloadResult
from .workloads import RedisWriter, ids_on

REPLICA_CATCH_UP_S = 15.0
PROBE_ID = -1  # the direct write into a resumed old leader; never a workload id


@dataclass
class PgNodes:
    """Where to read the workload table: the leader address and each replica's own address."""

    # Conninfo dicts carry the password: kept out of the repr (tracebacks, logs, debuggers).
    leader: dict[str, Any] = field(repr=False)
    replicas: dict[str, dict[str, Any]] = field(repr=False)


def postgres_result(
    ledger: Ledger, table: str, nodes: PgNodes, threshold: float, since: float, until: float
) -> WorkloadResult:
    """Every acked id must be on the leader and on every replica (replicas may catch up)."""
    acked = ledger.acked_keys()
    on_leader = ids_on(nodes.leader, table)
    lost_on: dict[str, list[str]] = {}
    missing = acked - on_leader
    if missing:
        lost_on["leader"] = sorted(missing, key=int)[:20]
    for name, conninfo in sorted(nodes.replicas.items()):
        deadline = time.monotonic() + REPLICA_CATCH_UP_S
        while True:
            gap = acked - ids_on(conninfo, table)
            if not gap or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if gap:
            lost_on[name] = sorted(gap, key=int)[:20]
            missing |= gap
    unexpected = on_leader - acked - {str(PROBE_ID)}
    result = _result(ledger, len(missing), len(unexpected), lost_on, threshold, since, until)
    result.probe_row_on_leader = str(PROBE_ID) in on_leader
    return result


def redis_result(
    writer: RedisWriter, threshold: float, since: float, until: float
) -> WorkloadResult:
    """Every WAIT-acknowledged key must exist on the current master."""
    acked = sorted(writer.ledger.acked_keys(), key=int)
    present = writer.present(acked)
    missing = set(acked) - present
    unexpected = writer.all_keys() - set(acked)
    lost_on = {"master": sorted(missing, key=int)[:20]} if missing else {}
    return _result(writer.ledger, len(missing), len(unexpected), lost_on, threshold, since, until)


def _result(
    ledger: Ledger,
    lost: int,
    unexpected: int,
    lost_on: dict[str, list[str]],
    threshold: float,
    since: float,
    until: float,
) -> WorkloadResult:
    errors = ledger.errors()
    return WorkloadResult(
        workload=ledger.workload,
        attempts=len(ledger.attempts),
        acked=len(ledger.acked()),
        lost=lost,
        unexpected=unexpected,
        client_errors=len(errors),
        write_unavailable_s=ledger.write_unavailable_s(since, threshold, until),
        lost_on=lost_on,
        first_errors=sorted({a.error for a in errors[:50]})[:5],
    )


def probe_write(conninfo: dict[str, Any], table: str, timeout: float = 5.0) -> str:
    """One INSERT straight into a node; 'acked' only when its commit returned in time.

    The commit is never cancelled: a cancelled synchronous commit returns success with a
    warning (committed locally), which is exactly the false acknowledgement to avoid.
    """
    outcome = ["timed out (not acknowledged)"]

    def attempt() -> None:
        try:
            with psycopg.connect(**conninfo, autocommit=True) as connection:
                connection.execute(
                    sql.SQL("INSERT INTO {} (id) VALUES (%s)").format(sql.Identifier(table)),
                    (PROBE_ID,),
                )
            outcome[0] = "acked"
        except psycopg.Error as error:
            outcome[0] = f"refused: {type(error).__name__}: {str(error).strip()[:120]}"

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0]


def bound(name: str, value: float | None, limit: float | None) -> Check | None:
    """A `value <= limit` check, or None when the scenario sets no limit."""
    if limit is None:
        return None
    if value is None:
        return Check(name=name, ok=False, detail=f"not measured (limit {limit} s)")
    return Check(name=name, ok=value <= limit, detail=f"{value:.2f} s (limit {limit} s)")
