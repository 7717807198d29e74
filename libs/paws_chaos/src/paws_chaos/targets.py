"""From a scenario step to a Fault: pick the member(s) from the steady-state health report and
build the fault on their containers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx

from paws_stack import ClientTls, Component, DirectReach, HealthReport, Reach

from .errors import ScenarioError
from .faults import Container, Fault, action, kill, pause, stop, stop_members
from .netfaults import disconnect, isolate, netem
from .scenarios import Step


def pick(report: HealthReport, target: str, count: int = 1) -> list[Component]:
    """The members a target names, in a stable order (followers before the leader for `any`).

    >>> from paws_stack import Component
    >>> members = [Component(name=f"etcd-{i}", kind="etcd", healthy=True,
    ...     role="leader" if i == 1 else "follower") for i in range(3)]
    >>> report = HealthReport(healthy=True, profile="full", project="p", problems=[],
    ...     components=members)
    >>> [c.name for c in pick(report, "etcd.any", 2)]
    ['etcd-0', 'etcd-2']
    """
    kind, role = target.split(".", 1)
    members = report.of_kind(kind)  # type: ignore[arg-type]
    chosen = [m for m in members if role == "any" or m.role == role]
    chosen.sort(key=lambda m: (m.role in ("leader", "master"), m.name))
    if len(chosen) < count:
        raise ScenarioError(
            f"target {target} needs {count} member(s), the stack has {len(chosen)}",
            "run chaos scenarios against the full profile (`paws-stack up --profile full`)",
        )
    return chosen[:count]


class FaultBuilder:
    """Builds the Fault of a step against the live engine."""

    def __init__(
        self,
        client: Any,
        project: str,
        addresses: Callable[[], dict[str, str]],
        api_password: str,
        tls: ClientTls | None = None,
        reach: Reach | None = None,
    ) -> None:
        self._client = client
        self._reach = reach or DirectReach()
        self._project = project
        self._addresses = addresses
        self._api_password = api_password
        self._tls = tls or ClientTls()

    def container(self, member: Component) -> Container:
        container: Container = self._client.containers.get(member.container)
        return container

    def build(self, step: Step, report: HealthReport) -> tuple[Fault, list[Component]]:
        members = pick(report, step.target, step.count)
        containers = [self.container(m) for m in members]
        first, victim = containers[0], members[0]
        builders: dict[str, Callable[[], Fault]] = {
            "kill": lambda: kill(first),
            "stop": lambda: stop(first),
            "pause": lambda: pause(first),
            "stop_members": lambda: stop_members(containers),
            "disconnect": lambda: disconnect(
                first, self._client.networks.get(f"{self._project}_{step.network}")
            ),
            "isolate": lambda: isolate(first, self._peers(victim.name, step.peers)),
            "netem": lambda: netem(first, step.delay_ms, step.loss_pct),
            "switchover": lambda: self._switchover(victim, report),
        }
        return builders[step.fault](), members

    def _peers(self, victim: str, kinds: Sequence[str]) -> list[str]:
        return [
            address
            for service, address in sorted(self._addresses().items())
            if service != victim and service.rsplit("-", 1)[0] in kinds
        ]

    def _switchover(self, leader: Component, report: HealthReport) -> Fault:
        standbys = [m.name for m in report.of_kind("patroni") if m.role == "sync_standby"]
        candidate = standbys[0] if standbys else None
        host, port = self._reach.to(self._addresses()[leader.name], 8008)

        def run() -> None:
            body = {"leader": leader.name, **({"candidate": candidate} if candidate else {})}
            response = httpx.post(
                f"{self._tls.scheme}://{host}:{port}/switchover",
                json=body,
                auth=("patroni", self._api_password),
                timeout=60,
                # A member on its container address: its chain is verified, not its name.
                verify=self._tls.http_verify(check_hostname=False),
            )
            if response.status_code != 200:
                raise RuntimeError(f"switchover refused: {response.status_code} {response.text}")

        return action("switchover", f"{leader.name} -> {candidate or 'any'}", run)
