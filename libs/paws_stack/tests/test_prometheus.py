"""Tests for paws_stack.prometheus: the observability profile's scrape configuration, made from
the knowledge `paws-stack metrics` reads, for each profile, mode and apps file."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

from paws_stack import prometheus
from paws_stack.apps import App, AppMetrics, AppsFile
from paws_stack.metricendpoints import (
    MEMBER_METRICS,
    OBSERVABILITY,
    PROMETHEUS,
    app_endpoints,
    haproxy_endpoint,
    member_endpoints,
    network_sources,
)
from paws_stack.probes import Member
from paws_stack.prometheus import (
    CA_FILE,
    CONFIG_VARIABLE,
    DIGEST_VARIABLE,
    SERVICE_LABEL,
    config_path,
    render,
    scrape_config,
    wiring,
    write_config,
)
from paws_stack.settings import load_settings
from paws_stack.stack import Stack
from paws_stack.topology import Topology

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "compose"
RUNTIME = COMPOSE / "images" / "runtime"
APPS = AppsFile(
    Path("apps.yaml"),
    (
        App("backend", True, 8080, "/actuator/health", None, metrics=AppMetrics(8080, "/a", "jvm")),
        App("frontend", False, 3000, "/", None, metrics=AppMetrics(3000, "/metrics", "node")),
        App("worker", True, None, None, None),  # declares no metrics: not scraped
    ),
)


def config(profile: str = "full", apps: AppsFile | None = None, tls: bool = False) -> Any:
    topology = Topology(profile, apps.names if apps else ())
    return scrape_config(network_sources(topology, apps), tls)


def targets(document: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """service label -> (address, path, its job) over every job."""
    found = {}
    for job in document["scrape_configs"]:
        for group in job["static_configs"]:
            (address,) = group["targets"]
            found[group["labels"][SERVICE_LABEL]] = (address, job["metrics_path"], job)
    return found


def running(topology: Topology) -> list[Member]:
    """Every member of `topology` running, as the inventory would list it."""
    return [
        Member(service, topology.kind_of(service), f"p-{service}-1", "10.0.0.9", "running")
        for service in topology.all_services()
    ]


def load_runtime(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, RUNTIME / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestTargets:
    def test_lite_scrapes_its_one_member_of_each_kind(self) -> None:
        """etcd-0 and patroni-0, HAProxy, the exporters and Prometheus itself."""
        assert set(targets(config("lite"))) == {
            "etcd-0",
            "patroni-0",
            "haproxy",
            "exporter-postgres",
            "exporter-redis",
            PROMETHEUS,
        }

    def test_full_scrapes_all_three_of_each(self) -> None:
        """Three etcd and three Patroni members, each at its service name and port."""
        found = targets(config("full"))
        for kind, (port, path, _) in MEMBER_METRICS.items():
            for i in range(3):
                assert found[f"{kind}-{i}"][:2] == (f"{kind}-{i}:{port}", path)
        assert found["haproxy"][:2] == ("haproxy:8404", "/metrics")
        assert found[PROMETHEUS][:2] == ("prometheus:9090", "/metrics")

    @pytest.mark.parametrize("profile", ["full", "lite"])
    def test_the_same_endpoints_as_the_metrics_command(self, profile: str) -> None:
        """With every member and app running, Prometheus's targets are exactly the endpoints
        `paws-stack metrics` lists, by name: both come from metricendpoints."""
        topology = Topology(profile, APPS.names)
        members = running(topology)
        settings = load_settings(project_dir=ROOT)
        listed = [
            *member_endpoints(members),
            haproxy_endpoint(settings),
            *app_endpoints(members, APPS),
        ]
        names = {e.name for e in listed} | set(OBSERVABILITY)
        assert set(targets(config(profile, APPS))) == names

    def test_apps_are_scraped_where_their_metrics_block_says(self) -> None:
        """x-paws.metrics' port and path; an app without the block is left out."""
        found = targets(config("full", APPS))
        assert found["backend"][:2] == ("backend:8080", "/a")
        assert found["frontend"][:2] == ("frontend:3000", "/metrics")
        assert "worker" not in found

    def test_job_names_are_unique(self) -> None:
        """One job per member kind or service: Prometheus refuses a repeated job_name."""
        names = [job["job_name"] for job in config("full", APPS)["scrape_configs"]]
        assert len(names) == len(set(names))
        assert {"etcd", "patroni", "haproxy", "backend", PROMETHEUS} <= set(names)


class TestTls:
    def test_plain_mode_scrapes_http_only(self) -> None:
        """No scheme (Prometheus's default, http) and no TLS settings in any job."""
        for job in config("full", APPS)["scrape_configs"]:
            assert "scheme" not in job and "tls_config" not in job

    def test_tls_mode_verifies_the_members_https_with_the_ca(self) -> None:
        """etcd and Patroni: https against the CA copy, host names verified (no skip)."""
        for service, (_, _, job) in targets(config("full", APPS, tls=True)).items():
            if service.startswith(("etcd-", "patroni-")):
                assert job["scheme"] == "https"
                assert job["tls_config"] == {"ca_file": CA_FILE}
            else:
                assert "scheme" not in job, service  # HAProxy, apps, exporters: plain http

    def test_the_ca_is_the_copy_the_entrypoint_makes(self) -> None:
        """paws_tls.py copies the mounted CA to the path the jobs name."""
        assert str(load_runtime("paws_tls").CA_FILE) == CA_FILE


class TestTheFile:
    def test_it_is_yaml_that_reads_back_as_the_config(self) -> None:
        """JSON under a comment: YAML that Prometheus reads, equal to the document."""
        document = config("full", APPS, tls=True)
        text = render(document)
        assert text.startswith("# Written by paws")
        assert YAML(typ="safe").load(text) == document

    def test_an_unchanged_config_is_not_rewritten(self, tmp_path: Path) -> None:
        """Same text: the file is left alone; new text: rewritten in place (same inode), so a
        bind mount keeps following it."""
        target = tmp_path / "compose" / "p-prometheus.yml"
        write_config("a\n", target)
        before = target.stat()
        write_config("a\n", target)
        assert target.stat().st_mtime_ns == before.st_mtime_ns
        write_config("b\n", target)
        assert target.read_text() == "b\n" and target.stat().st_ino == before.st_ino

    def test_the_digest_follows_the_targets(self, tmp_path: Path) -> None:
        """compose's label changes when the apps do, so compose recreates Prometheus."""
        target = tmp_path / "p-prometheus.yml"
        infra = wiring(Topology("full"), None, False, target)
        with_apps = wiring(Topology("full", APPS.names), APPS, False, target)
        assert infra[DIGEST_VARIABLE] != with_apps[DIGEST_VARIABLE]
        assert with_apps[CONFIG_VARIABLE] == str(target.resolve())
        assert "backend:8080" in target.read_text()

    @pytest.mark.parametrize(("profile", "name"), [("full", "paws"), ("lite", "paws-lite")])
    def test_each_project_has_its_own_file(self, tmp_path: Path, profile: str, name: str) -> None:
        """A Stack writes .paws/compose/<project>-prometheus.yml for its profile."""
        settings = load_settings(
            project_dir=tmp_path, project_name="paws", profile=profile, apps=False
        )
        env = prometheus.compose_env(Stack(settings))
        path = Path(env[CONFIG_VARIABLE])
        assert path == config_path(tmp_path / ".paws", name).resolve() and path.is_file()


@pytest.fixture(scope="module")
def definition() -> Any:
    """The repository's compose.yaml."""
    return YAML(typ="safe").load((COMPOSE / "compose.yaml").read_text("utf-8"))


class TestInStepWithCompose:
    """compose.yaml and the entrypoint repeat a few of these names: kept equal here."""

    def test_prometheus_joins_both_networks_on_its_port(self, definition: Any) -> None:
        """Members are on infra, apps and exporters on app; 9090 is published."""
        spec = definition["services"][PROMETHEUS]
        assert set(spec["networks"]) == {"infra", "app"}
        published = "${PAWS_BIND_ADDRESS:-127.0.0.1}:${PAWS_PROMETHEUS_PORT:-19090}:9090"
        assert spec["ports"] == [published]
        assert spec["profiles"] == ["observability"]

    def test_the_observability_services_publish_the_known_ports(self, definition: Any) -> None:
        """Each container port metricendpoints scrapes is the one compose publishes."""
        for name, (port, _) in OBSERVABILITY.items():
            (published,) = definition["services"][name]["ports"]
            assert published.endswith(f":{port}"), name

    def test_the_config_reaches_the_entrypoint(self, definition: Any) -> None:
        """compose mounts paws' file where paws_exporter.py reads it, labelled with its digest;
        by default the full profile's file."""
        spec = definition["services"][PROMETHEUS]
        (mount,) = spec["configs"]
        assert mount["target"] == str(load_runtime("paws_exporter").PROMETHEUS_CONFIG)
        assert DIGEST_VARIABLE in spec["labels"]["dev.paws.prometheus.config"]
        default = f"${{{CONFIG_VARIABLE}:-../{config_path(Path('.paws'), 'paws')}}}"
        assert definition["configs"][mount["source"]]["file"] == default
