"""paws_chaos: break the local HA stack on purpose; measure recovery and every lost write.

>>> from paws_chaos import load_scenario, run_scenario
>>> from paws_stack import Stack
>>> scenario = load_scenario("patroni-leader-failure")
>>> report = run_scenario(Stack.from_settings(), scenario)  # doctest: +SKIP
>>> report.lost  # doctest: +SKIP
0

Faults compose as context managers whose undo always runs:
`with pause(replica) + isolate(replica, peers): ...`. Each injection is listed in a fault
journal first, so `recover(stack)` can undo what a killed experiment left behind.
"""

import importlib.metadata as _metadata

from .errors import (
    CouldNotRun,
    ExperimentFailed,
    FaultNotInjected,
    FaultUnsupported,
    NotSteadyState,
    PawsChaosError,
    RollbackFailed,
    ScenarioError,
    StackUnavailable,
)
from .faults import Fault, action, kill, pause, stop, stop_members, wait_for
from .http_notes import delete_notes
from .http_report import HttpResult
from .http_workload import HttpWorkload
from .journal import Journal, Undo, load_journal
from .ledger import Attempt, Ledger
from .netfaults import disconnect, isolate, netem, netem_support, paws_rules
from .recover import RecoveryReport, Repair, recover
from .report import Check, Event, Report, render_text, summarize
from .runner import Experiment, run_scenario
from .scenarios import Scenario, list_scenarios, load_scenario
from .settings import ChaosSettings, load_chaos_settings
from .steady import steady_state
from .watcher import Sample, SplitBrain, Watcher
from .workloads import AddressMappedSentinel, PostgresWriter, RedisWriter

try:
    __version__ = _metadata.version("paws-chaos")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "AddressMappedSentinel",
    "Attempt",
    "ChaosSettings",
    "Check",
    "CouldNotRun",
    "Event",
    "Experiment",
    "ExperimentFailed",
    "Fault",
    "FaultNotInjected",
    "FaultUnsupported",
    "HttpResult",
    "HttpWorkload",
    "Journal",
    "Ledger",
    "NotSteadyState",
    "PawsChaosError",
    "PostgresWriter",
    "RecoveryReport",
    "RedisWriter",
    "Repair",
    "Report",
    "RollbackFailed",
    "Sample",
    "Scenario",
    "ScenarioError",
    "SplitBrain",
    "StackUnavailable",
    "Undo",
    "Watcher",
    "__version__",
    "action",
    "delete_notes",
    "disconnect",
    "isolate",
    "kill",
    "list_scenarios",
    "load_chaos_settings",
    "load_journal",
    "load_scenario",
    "netem",
    "netem_support",
    "pause",
    "paws_rules",
    "recover",
    "render_text",
    "run_scenario",
    "steady_state",
    "stop",
    "stop_members",
    "summarize",
    "wait_for",
]
