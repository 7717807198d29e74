"""TLS mode's wiring: the override compose gets, the URLs users get, the plain path untouched."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from paws_stack import _tlsmode
from paws_stack.certs import CertificateStore, identities
from paws_stack.endpoints import build_endpoints
from paws_stack.errors import SettingsError
from paws_stack.members import Inventory
from paws_stack.probes import Credentials
from paws_stack.secrets import SecretStore
from paws_stack.settings import load_settings
from paws_stack.stack import Stack
from paws_stack.tls import (
    CA_TARGET,
    CERT_TARGET,
    KEY_TARGET,
    LABEL,
    RUNTIME_DIR,
    wiring,
    write_wiring,
)
from paws_stack.topology import Topology


@pytest.fixture()
def store(tmp_path: Path) -> CertificateStore:
    certificates = CertificateStore(tmp_path / "secrets" / "tls")
    certificates.ensure(identities("127.0.0.1"))
    return certificates


class TestWiring:
    def test_each_member_gets_the_ca_and_its_own_pair_only(self, store: CertificateStore) -> None:
        """patroni-1's mounts are the CA and patroni-1's files, at the names its config reads."""
        document = wiring(Topology("full"), store)
        mounts = document["services"]["patroni-1"]["secrets"]
        assert {m["target"] for m in mounts} == {CA_TARGET, CERT_TARGET, KEY_TARGET}
        sources = {m["source"] for m in mounts}
        files = {document["secrets"][s]["file"] for s in sources}
        assert files == {
            str(store.ca_file.resolve()),
            str(store.cert("patroni-1").resolve()),
            str(store.key("patroni-1").resolve()),
        }

    def test_the_cas_key_is_never_handed_over(self, store: CertificateStore) -> None:
        """No container can sign a certificate: ca.key is in no secret."""
        document = wiring(Topology("full"), store)
        assert all(not s["file"].endswith("ca.key") for s in document["secrets"].values())

    def test_haproxy_gets_the_ca_and_its_check_options(self, store: CertificateStore) -> None:
        """HAProxy serves no TLS: the CA only, and the variables its template appends."""
        haproxy = wiring(Topology("full"), store)["services"]["haproxy"]
        assert [m["target"] for m in haproxy["secrets"]] == [CA_TARGET]
        assert "check-ssl verify required ca-file" in haproxy["environment"]["HAPROXY_TLS_CHECKS"]
        assert haproxy["environment"]["HAPROXY_TLS_CONNECT"] == " ssl"

    def test_every_service_is_labelled_and_told(self, store: CertificateStore) -> None:
        """The label lets later commands follow the mode; PAWS_TLS switches the entrypoint."""
        services = wiring(Topology("full"), store)["services"]
        assert len(services) == 16  # 13 members and HAProxy, the 2 exporters and Prometheus
        assert all(s["labels"][LABEL] == "on" for s in services.values())
        assert all(s["environment"]["PAWS_TLS"] == "on" for s in services.values())

    def test_etcd_speaks_https_to_clients_and_peers(self, store: CertificateStore) -> None:
        """etcd starts through the entrypoint (to read its key) and advertises https URLs."""
        etcd = wiring(Topology("full"), store)["services"]["etcd-2"]
        environment = etcd["environment"]
        assert environment["ETCD_ADVERTISE_CLIENT_URLS"] == "https://etcd-2:2379"
        assert environment["ETCD_INITIAL_ADVERTISE_PEER_URLS"] == "https://etcd-2:2380"
        assert environment["ETCD_PEER_TRUSTED_CA_FILE"].endswith("/ca.crt")
        assert etcd["entrypoint"][-1] == "etcd"
        assert "https://127.0.0.1:2379/health" in etcd["healthcheck"]["test"]

    def test_the_lite_profile_names_only_its_services(self, store: CertificateStore) -> None:
        """Only the profile's members, and the observability services (compose.yaml defines
        them always)."""
        services = wiring(Topology("lite"), store)["services"]
        members = {"etcd-0", "patroni-0", "redis-0", "sentinel-0", "haproxy"}
        assert set(services) == members | {"exporter-postgres", "exporter-redis", "prometheus"}

    def test_the_observability_services_get_the_ca_and_no_pair(
        self, store: CertificateStore
    ) -> None:
        """They are clients only: the CA to verify the leader, the master and the members'
        https /metrics, no key."""
        services = wiring(Topology("full"), store)["services"]
        for exporter in ("exporter-postgres", "exporter-redis", "prometheus"):
            mounts = services[exporter]["secrets"]
            assert mounts == [{"source": "tls_ca", "target": CA_TARGET}]

    def test_data_apps_get_the_ca_and_their_own_switch(self, store: CertificateStore) -> None:
        """A data app learns PAWS_CA_FILE & co plus its x-paws.tls environment."""
        topology = Topology("full", ("backend", "frontend"))
        services = wiring(topology, store, {"backend": {"SPRING_PROFILES_INCLUDE": "tls"}})[
            "services"
        ]
        backend = services["backend"]
        assert backend["environment"]["PAWS_DATABASE_SSLMODE"] == "verify-full"
        assert backend["environment"]["PAWS_CA_FILE"] == f"/run/paws/secrets/{CA_TARGET}"
        assert backend["environment"]["SPRING_PROFILES_INCLUDE"] == "tls"
        assert "frontend" not in services

    def test_the_written_file_holds_paths_not_secrets(
        self, store: CertificateStore, tmp_path: Path
    ) -> None:
        """The override is YAML compose reads; no PEM content is ever in it."""
        target = write_wiring(wiring(Topology("full"), store), tmp_path / "p-tls.yaml")
        text = target.read_text(encoding="utf-8")
        assert "BEGIN" not in text
        assert YAML(typ="safe").load(text)["services"]["redis-0"]["labels"][LABEL] == "on"


class TestTopology:
    def test_etcd_peers_are_https_in_tls_mode_only(self) -> None:
        """The plain value is what it always was."""
        plain = Topology("full").compose_env()["PAWS_ETCD_CLUSTER"]
        assert plain.startswith("etcd-0=http://etcd-0:2380,")
        assert (
            Topology("full")
            .compose_env(tls=True)["PAWS_ETCD_CLUSTER"]
            .startswith("etcd-0=https://etcd-0:2380,")
        )


class TestEndpoints:
    def test_tls_mode_gives_verify_full_rediss_and_the_ca(
        self, store: CertificateStore, tmp_path: Path
    ) -> None:
        """Every URL says how to verify; the CA's path is in the output."""
        settings = load_settings(project_dir=tmp_path, tls=True)
        endpoints = build_endpoints(
            settings, Topology("full"), SecretStore(tmp_path), False, store.ca_file
        )
        assert endpoints.postgres_url.endswith(
            f"/app?sslmode=verify-full&sslrootcert={store.ca_file}"
        )
        assert endpoints.redis_url.startswith("rediss://")
        assert endpoints.etcd_endpoints[0] == "https://etcd-0:2379"
        assert endpoints.shown()["ca_file"] == str(store.ca_file)

    def test_plain_mode_output_is_unchanged(self, tmp_path: Path) -> None:
        """No ca_file key, no query string, redis:// and http://."""
        settings = load_settings(project_dir=tmp_path)
        endpoints = build_endpoints(settings, Topology("full"), SecretStore(tmp_path), False)
        shown = endpoints.shown()
        assert "ca_file" not in shown
        # The port is whatever the environment sets (a CI job sets its own): not the point here.
        want = f"postgresql://app:********@127.0.0.1:{settings.pg_port}/app"
        assert shown["postgres_url"] == want
        assert shown["redis_url"].startswith("redis://")
        assert shown["etcd_endpoints"][0] == "http://etcd-0:2379"
        assert "prometheus_url" not in shown

    def test_the_observability_profile_adds_prometheus_url(self, tmp_path: Path) -> None:
        """With --profile observability, where Prometheus answers (plain http, on loopback)."""
        settings = load_settings(project_dir=tmp_path, observability=True)
        endpoints = build_endpoints(settings, Topology("full"), SecretStore(tmp_path), False)
        want = f"http://{settings.bind_address}:{settings.prometheus_port}"
        assert endpoints.shown()["prometheus_url"] == want


class TestCredentials:
    def _credentials(self, ca_file: Path | None) -> Credentials:
        return Credentials("r", "a", 1, 2, 3, "127.0.0.1", ca_file=ca_file)

    def test_plain_probes_add_nothing(self) -> None:
        """Without a CA the probes' arguments are exactly as before."""
        plain = self._credentials(None).tls
        assert plain.pg() == {}
        assert plain.redis(check_hostname=True) == {}
        assert plain.scheme == "http"
        assert plain.http_verify() is True

    def test_tls_probes_verify(self, store: CertificateStore) -> None:
        """libpq verify-full; redis-py requires a certificate; REST over https, chain only."""
        ca = store.ca_file
        secure = self._credentials(ca).tls
        assert secure.pg() == {"sslmode": "verify-full", "sslrootcert": str(ca)}
        assert secure.redis(check_hostname=True)["ssl_cert_reqs"] == "required"
        assert secure.scheme == "https"
        context = secure.http_verify(check_hostname=False)
        assert not isinstance(context, bool) and not context.check_hostname


class TestSettings:
    @pytest.mark.parametrize(("value", "expected"), [("on", True), ("off", False), ("1", True)])
    def test_paws_tls_reads_on_and_off(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, expected: bool
    ) -> None:
        """PAWS_TLS=on is the documented spelling; pydantic's booleans work too."""
        monkeypatch.setenv("PAWS_TLS", value)
        assert load_settings(project_dir=tmp_path).tls is expected

    def test_off_by_default(self, tmp_path: Path) -> None:
        assert load_settings(project_dir=tmp_path).tls is False


class TestModeSwitch:
    """A stack keeps its mode: `up` in the other one is refused before anything changes."""

    def _stack(self, tmp_path: Path, tls: bool) -> Stack:
        return Stack(load_settings(project_dir=tmp_path, tls=tls))

    def test_running_tls_stack_refuses_a_plain_up(self, tmp_path: Path) -> None:
        """The containers' label says TLS; the fix names both ways out."""
        running = Inventory(members=[object()], volumes=["v"], tls=True)  # type: ignore[list-item]
        with pytest.raises(SettingsError) as caught:
            _tlsmode.require_mode(self._stack(tmp_path, tls=False), running)
        assert "in TLS mode" in str(caught.value)
        assert "--tls" in caught.value.remediation and "down --volumes" in caught.value.remediation

    def test_volumes_made_plain_refuse_a_tls_up(self, tmp_path: Path) -> None:
        """No containers, but the volumes were made by a plain `up` (the mode file says so)."""
        plain = self._stack(tmp_path, tls=False)
        _tlsmode.note_mode(plain)
        with pytest.raises(SettingsError, match="without TLS"):
            _tlsmode.require_mode(
                self._stack(tmp_path, tls=True), Inventory(members=[], volumes=["v"])
            )

    def test_same_mode_and_fresh_stacks_pass(self, tmp_path: Path) -> None:
        """Either mode starts on no volumes; the same mode always restarts."""
        _tlsmode.note_mode(self._stack(tmp_path, tls=False))
        _tlsmode.require_mode(self._stack(tmp_path, tls=True), Inventory(members=[], volumes=[]))
        _tlsmode.require_mode(
            self._stack(tmp_path, tls=False), Inventory(members=[], volumes=["v"])
        )


class TestContainerSide:
    """The host's override and the containers' code name the same files (written on each side)."""

    RUNTIME = Path(__file__).resolve().parents[3] / "compose" / "images" / "runtime"

    def _paws_tls(self) -> Any:
        spec = importlib.util.spec_from_file_location("paws_tls", self.RUNTIME / "paws_tls.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_mount_names_match_what_the_entrypoint_copies(self) -> None:
        """/run/secrets/<target> names and the /run/paws/tls copies agree."""
        paws_tls = self._paws_tls()
        assert set(paws_tls.FILES) == {CA_TARGET, CERT_TARGET, KEY_TARGET}
        assert str(paws_tls.RUNTIME) == RUNTIME_DIR

    def test_the_tls_templates_read_the_entrypoints_copies(self) -> None:
        """Every path in the services' TLS settings is one of the copies."""
        copies = {f"{RUNTIME_DIR}/{name}" for name in self._paws_tls().FILES.values()}
        config = self.RUNTIME.parents[1] / "config"
        for template in (
            "patroni/patroni-tls.yml",
            "redis/redis-tls.conf",
            "sentinel/sentinel-tls.conf",
        ):
            text = (config / template).read_text(encoding="utf-8")
            paths = set(re.findall(r"/run/paws/tls/[a-z.]+", text))
            assert paths and paths <= copies, (template, paths)
