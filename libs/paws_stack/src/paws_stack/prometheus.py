"""The observability profile's Prometheus: its configuration, written from metricendpoints.

paws writes `.paws/compose/<project>-prometheus.yml` each time it runs compose, from the same
knowledge `paws-stack metrics` reads (metricendpoints.network_sources): the two list the same
endpoints, each Prometheus target labelled with the name `metrics` gives it. compose.yaml
mounts the file as a config; its digest goes into a label, so that compose recreates
Prometheus when the targets change (Prometheus reads its file only at start). No secret is in
it: in TLS mode only the path of the CA, which the entrypoint copies for the prometheus user.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .apps import AppsFile
from .metricendpoints import Source, network_sources
from .tls import RUNTIME_DIR
from .topology import Topology

if TYPE_CHECKING:
    from .stack import Stack

# A failover takes seconds (Patroni's ttl is 10 s): at Prometheus's default of one minute it
# would fall between two samples. Every 5 s keeps it visible and gives the live checks their
# first scrape within seconds.
SCRAPE_INTERVAL = "5s"
SCRAPE_TIMEOUT = "4s"
# Each target's compose service, as `paws-stack metrics` names its endpoints.
SERVICE_LABEL = "service"
# The entrypoint's copy of the CA, readable by the prometheus user (runtime/paws_tls.py).
CA_FILE = f"{RUNTIME_DIR}/ca.crt"
HEADER = "# Written by paws from paws_stack.metricendpoints; do not edit (it is rewritten).\n"
# compose.yaml's variables: where the file is, and what it holds (the label's value).
CONFIG_VARIABLE = "PAWS_PROMETHEUS_CONFIG"
DIGEST_VARIABLE = "PAWS_PROMETHEUS_CONFIG_DIGEST"


def scrape_config(sources: list[Source], tls: bool = False) -> dict[str, Any]:
    """Prometheus's configuration: one job per member kind or service, one target each.

    >>> from paws_stack.metricendpoints import Source
    >>> config = scrape_config([Source("etcd", "etcd-0", 2379, "/metrics", "up", True)], tls=True)
    >>> job = config["scrape_configs"][0]
    >>> job["scheme"], job["static_configs"]
    ('https', [{'targets': ['etcd-0:2379'], 'labels': {'service': 'etcd-0'}}])
    """
    jobs: dict[str, list[Source]] = {}
    for source in sources:
        jobs.setdefault(source.job, []).append(source)
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "scrape_timeout": SCRAPE_TIMEOUT},
        "scrape_configs": [_job(name, members, tls) for name, members in jobs.items()],
    }


def _job(name: str, sources: list[Source], tls: bool) -> dict[str, Any]:
    # A job's sources are one kind's members or one service: one path, one scheme.
    first = sources[0]
    job: dict[str, Any] = {
        "job_name": name,
        "metrics_path": first.path,
        "static_configs": [
            {"targets": [s.address], "labels": {SERVICE_LABEL: s.service}} for s in sources
        ],
    }
    if tls and first.https_in_tls:
        # The members' certificates carry their service names: verified in full.
        job["scheme"] = "https"
        job["tls_config"] = {"ca_file": CA_FILE}
    return job


def render(config: dict[str, Any]) -> str:
    """The file's text: JSON, which is YAML too, under a header saying who writes it."""
    text = json.dumps(config, indent=2)
    return f"{HEADER}{text}\n"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def write_config(text: str, target: Path) -> None:
    """Write the file when its text changed; in place, so a bind mount keeps seeing it."""
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def config_path(state_path: Path, project: str) -> Path:
    return state_path / "compose" / f"{project}-prometheus.yml"


def wiring(topology: Topology, apps: AppsFile | None, tls: bool, target: Path) -> dict[str, str]:
    """Write the configuration for this stack; return the compose variables that mount it."""
    text = render(scrape_config(network_sources(topology, apps), tls))
    write_config(text, target)
    return {CONFIG_VARIABLE: str(target.resolve()), DIGEST_VARIABLE: digest(text)}


def compose_env(stack: Stack) -> dict[str, str]:
    """`wiring` for a Stack: its profile, apps and mode, its project's file."""
    target = config_path(stack.settings.state_path, stack.project)
    return wiring(stack.topology, stack.apps, stack.settings.tls, target)
