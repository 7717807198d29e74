"""Stack: the public facade that brings the local HA stack up, down, and reports on it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _rollback, _startup, _tlsmode, podmanhealth, prometheus
from . import engine as engine_mod
from ._appbuild import app_images, build_app_images
from ._identity import Checkout, claim, require_own_projects
from ._lock import Holder, ProjectLock, lock_path, locked
from ._scratch import scratch_dir
from ._signals import shielded
from ._stackreach import stack_reach
from .apps import AppsFile, load_apps_file, write_wiring
from .buildlog import BuildReport
from .certs import CertificateStore
from .clienttls import ClientTls
from .compose import ComposeProject
from .devsession import DevSession, dev_mode_services
from .endpoints import Endpoints, build_endpoints
from .enginehost import announce, engine_endpoint, platform_checks
from .errors import AppsFileError, ComposeError, ProbeError
from .health import HealthReport, assess
from .hostcheck import IMAGE_DISK_GIB, HostReport, check_host
from .images import ImagePlan, build_images, missing_images
from .install import ensure_engine
from .members import Inventory, inventory
from .podmannet import require_open_bridges
from .probes import Credentials, applied_migrations, probe_all
from .progress import Progress, SilentProgress
from .reach import Reach
from .rolesettings import converge_on_leader
from .secrets import TLS_DIR, SecretStore
from .settings import Profile, StackSettings, load_settings
from .topology import Topology

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Stack:
    """One local stack: its settings, engine and compose project."""

    settings: StackSettings
    progress: Progress = field(default_factory=SilentProgress)
    _engine: engine_mod.EngineInfo | None = None
    _client: Any = None
    _apps: AppsFile | None = None
    _client_tls: ClientTls | None = None
    _reach: Reach | None = None

    @classmethod
    def from_settings(cls, progress: Progress | None = None, **overrides: Any) -> Stack:
        """Load PAWS_* settings (and .env); overrides win, e.g. profile='lite'."""
        return cls(load_settings(**overrides), progress or SilentProgress())

    # --- what the stack is made of -----------------------------------------------------------

    @property
    def profile(self) -> Profile:
        return self.settings.profile

    @property
    def topology(self) -> Topology:
        return Topology(self.profile, self.apps.names if self.apps else ())

    @property
    def apps(self) -> AppsFile | None:
        """The apps file's services, or None when the stack runs infrastructure only."""
        if not self.settings.apps:
            return None
        if self._apps is None:
            self._apps = load_apps_file(self.settings.apps_path)
            clash = set(self._apps.names) & set(Topology("full").all_services())
            if clash:
                raise AppsFileError(
                    f"apps file {self._apps.path} defines {', '.join(sorted(clash))}, "
                    "which the stack's infrastructure already uses",
                    "rename those services in the apps file",
                )
        return self._apps

    @property
    def project(self) -> str:
        return self._project_for(self.profile)

    def _project_for(self, profile: Profile) -> str:
        # Each profile is its own compose project: a lite etcd cluster must never be started
        # on the volumes of a three-member one.
        base = self.settings.project_name
        return base if profile == "full" else f"{base}-lite"

    @property
    def secrets(self) -> SecretStore:
        return SecretStore(self.settings.secrets_path)

    @property
    def lock(self) -> ProjectLock:
        """The project's lock; both profiles share it, as they share the secrets."""
        return ProjectLock.of(self.settings.state_path, self.settings.project_name)

    def require_own_project(self) -> None:
        """Refuse a project name whose containers another checkout created (ForeignProject)."""
        profiles: tuple[Profile, ...] = ("full", "lite")
        checkout = Checkout(
            self.settings.compose_dir,
            self.settings.state_path,
            self.settings.project_name,
            has_secrets=self.secrets.holds_volume_secrets(),
        )
        require_own_projects(self.client(), [self._project_for(p) for p in profiles], checkout)

    def engine(self) -> engine_mod.EngineInfo:
        if self._engine is None:
            choice = self.settings.engine
            found = engine_mod.detect_engine(choice=choice)
            self._engine = engine_mod.require_engine(found, choice=choice)
            engine_mod.point_clients_at(self._engine)
        return self._engine

    def client(self) -> Any:
        """A docker SDK client, once the engine is known to answer (else a clear error)."""
        if self._client is None:
            import docker

            self.engine()
            self._client = docker.from_env(timeout=30)
        return self._client

    def compose(
        self,
        plan: ImagePlan | None = None,
        extra_files: tuple[Path, ...] = (),
        observability: bool | None = None,
    ) -> ComposeProject:
        """The project's compose files; `extra_files` go last (the dev override, say).
        `observability` (default: the setting) adds the exporters' and Prometheus' profile."""
        plan = plan or ImagePlan.for_definition(self.settings.compose_dir)
        topology_env = self.topology.compose_env(tls=self.settings.tls)
        files = [self.settings.compose_dir / "compose.yaml"]
        if self.apps:
            target = self.settings.state_path / "compose" / f"{self.project}-apps.yaml"
            wiring = write_wiring(self.apps, topology_env["PAWS_SENTINELS"], target)
            files += [self.apps.path, wiring]
        if self.settings.tls:
            files.append(_tlsmode.wiring(self))
        files += extra_files
        env = {
            **plan.compose_env(),
            **(app_images(self.apps, plan) if self.apps else {}),
            **topology_env,
            **{name: str(port) for name, port in self.settings.published_ports().items()},
            "PAWS_BIND_ADDRESS": self.settings.bind_address,
            "PAWS_SECRETS_DIR": str(self.settings.secrets_path.resolve()),
            **prometheus.compose_env(self),
        }
        return ComposeProject(
            argv=self.engine().compose_argv,
            compose_files=tuple(files),
            project=self.project,
            full_profile=self.profile == "full",
            env=env,
            observability=self.settings.observability if observability is None else observability,
        )

    @property
    def reach(self) -> Reach:
        """Where this process connects to reach the stack's addresses (reach.py)."""
        if self._reach is None:
            self._reach = stack_reach(
                self.settings.reach, self.client(), str(self.engine().client_path),
                self.project, self.topology,
            )  # fmt: skip
        return self._reach

    def inventory(self) -> Inventory:
        return inventory(self.client(), self.project, self.topology)

    # --- TLS mode (docs/tls.md) ----------------------------------------------------------------

    @property
    def certificates(self) -> CertificateStore:
        return CertificateStore(self.settings.secrets_path / TLS_DIR)

    @property
    def client_tls(self) -> ClientTls:
        """How clients verify this stack: the CA in TLS mode (also when started with --tls)."""
        if self._client_tls is None:
            tls_on = self.settings.tls or self.inventory().tls
            self._client_tls = ClientTls(self.certificates.ca_file if tls_on else None)
        return self._client_tls

    # --- setup -------------------------------------------------------------------------------

    @locked("setup")
    def setup(self, assume_yes: bool = False, interactive: bool = False) -> HostReport:
        """Install/start the engine if needed, check the host, create secrets, build images."""
        self.secrets.require_ours()
        self._engine = ensure_engine(
            assume_yes,
            interactive,
            self.progress.message,
            ci=self.settings.ci,
            log_dir=self.settings.state_path,
            choice=self.settings.engine,
        )
        engine_mod.point_clients_at(self._engine)
        podmanhealth.serve(self._engine, self.settings.state_path, self.progress.message)
        self.require_own_project()
        current = self.inventory()
        held_by_us = set(self.settings.published_ports().values()) if current.running else set()
        plan = ImagePlan.for_definition(self.settings.compose_dir)
        need_disk = IMAGE_DISK_GIB if missing_images(self.client(), plan) else 0.0
        report = check_host(self.settings, ignore_ports=held_by_us, need_disk_gib=need_disk)
        report = HostReport(report.checks + tuple(platform_checks(self.client(), self.settings)))
        announce(report, self.progress.message)
        if self._engine.kind == "podman":
            require_open_bridges()
        created = self.secrets.ensure(volumes_exist=self._any_volumes())
        if created:
            self.progress.message(f"generated {len(created)} secrets in {self.secrets.path}")
        if self.settings.tls:
            _tlsmode.ensure_certificates(self)
        self.build()
        return report

    def _any_volumes(self) -> bool:
        """Volumes of either profile: both use the one secrets directory."""
        profiles: tuple[Profile, ...] = ("full", "lite")
        return any(
            inventory(self.client(), self._project_for(p), Topology(p)).volumes for p in profiles
        )

    def build(self, source: str | None = None) -> ImagePlan:
        """Build the images this definition and the apps' sources lack (skips what exists).

        Not the apps' while a `dev` in another shell runs them: their build would rewrite the
        very directories its servers run from (node_modules, target/classes).
        """
        # Images are shared by every project of this checkout: one build at a time, each in a
        # work directory of its own (a root filesystem is never removed under another build).
        images = ProjectLock(lock_path(self.settings.state_path, "images.build"), "the image build")
        report = BuildReport(self.progress, self.settings.state_path / "logs" / "build.log")
        with (
            images.hold("build", report=self.progress.message),
            scratch_dir(self.settings.state_path / "build") as work_dir,
        ):
            try:
                plan = build_images(
                    self.client(),
                    self.settings.compose_dir,
                    work_dir,
                    source or self.settings.image_source,
                    report,
                )
                if self.apps and not self._dev_elsewhere("their production images not built"):
                    build_app_images(
                        self.client(), self.apps, plan, self.settings.state_path, report
                    )
            finally:
                report.close()
        return plan

    # --- lifecycle ---------------------------------------------------------------------------

    @locked("up")
    def up(
        self, timeout: float | None = None, assume_yes: bool = False, interactive: bool = False
    ) -> HealthReport:
        """Bring the stack up and return only when it is healthy (idempotent)."""
        self.setup(assume_yes=assume_yes, interactive=interactive)
        # The wait budget is for starting, not for a first-time image build.
        deadline = time.monotonic() + (timeout or self.settings.wait_timeout)
        current = self.inventory()
        _tlsmode.require_mode(self, current)
        kept = self._dev_override_kept()
        if current.running:
            report = self.health()
            changed = self.changed_services(kept)
            if report.healthy and not changed:
                self.progress.message("already up and healthy: nothing to do")
                self.converge()
                return report
            if changed:
                reasons = ", ".join(f"{name} ({why})" for name, why in changed.items())
                self.progress.message(f"not as defined: {reasons}; updating")
        before = _rollback.resources(self.client(), self.project)
        claim(self.settings.state_path, self.project, self.settings.compose_dir)
        _tlsmode.note_mode(self)
        try:
            _startup.compose_up(self, deadline, kept)
            report = self.wait_healthy(deadline)
        except KeyboardInterrupt:
            self._abandon(before)
            raise
        self.converge()
        return report

    def converge(self) -> None:
        """What bootstrap gives only new clusters (rolesettings: role settings, the exporter's
        monitor role and its password), set on this one if missing."""
        import psycopg

        from .monitorrole import MONITOR_SECRET

        host, port = self.reach.published(self.settings.bind_address, self.settings.pg_port)
        try:
            changes = converge_on_leader(
                host,
                port,
                self.secrets.read("pg_superuser_password"),
                self.secrets.read(MONITOR_SECRET),
            )
        except psycopg.Error as exc:
            # Healthy, but the leader refused or moved meanwhile: the next `up` tries again.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.progress.message(f"warning: roles not checked ({first}); rerun `up`")
            return
        for change in changes:
            self.progress.message(change.describe())

    def changed_services(self, extra_files: tuple[Path, ...] = ()) -> dict[str, str]:
        """service -> why its container does not match the definition (missing, changed)."""
        return self.compose(extra_files=extra_files).planned_changes()

    @property
    def dev_session(self) -> DevSession:
        return DevSession.of(self.settings.state_path, self.project)

    def _dev_elsewhere(self, consequence: str) -> Holder | None:
        """Another process's `dev` holding the apps (devsession.py); says so, with `consequence`."""
        holder = self.dev_session.elsewhere()
        if holder is not None:
            self.progress.message(f"the apps are in dev mode under {holder.describe()}:")
            self.progress.message(f"  {consequence}")
        return holder

    def _dev_override_kept(self) -> tuple[Path, ...]:
        """dev's override while another process's `dev` runs, so `up` leaves its apps be."""
        if self._dev_elsewhere(
            "their containers are left as they are (Ctrl-C there puts them back on their images)"
        ):
            return (self.dev_session.override,)
        containers = self.client().containers.list(
            all=True, filters={"label": f"com.docker.compose.project={self.project}"}
        )
        left = dev_mode_services([c.labels for c in containers])
        if left:
            self.progress.message(
                f"{', '.join(left)}: left in dev mode by a `dev` that is gone; "
                "back on their production images"
            )
        return ()

    def wait_healthy(self, deadline: float) -> HealthReport:
        """Poll health until the topology is right or the deadline passes."""
        return _startup.wait_healthy(self, deadline)

    def _abandon(self, before: _rollback.Resources) -> None:
        """Ctrl-C (or SIGTERM/SIGHUP) during up: remove what this run created, nothing else."""
        with shielded():
            _rollback.remove_created(self.client(), self.project, before, self.progress.message)

    @locked("down")
    def down(self, volumes: bool = False) -> list[str]:
        """Stop and remove the containers; with volumes=True also the data. Returns volumes."""
        self.require_own_project()
        doomed = self.inventory().volumes if volumes else []
        if doomed:
            self.progress.message(f"deleting volumes: {', '.join(doomed)}")
        # With the exporters' profile on, whatever the setting: their containers go down too.
        down = ["down", "--remove-orphans", *(["--volumes"] if volumes else [])]
        self.compose(observability=True).run(*down)
        if volumes:
            _tlsmode.mode_marker(self).unlink(missing_ok=True)
        return doomed

    def _require_services(self, services: list[str]) -> None:
        unknown = [s for s in services if s not in self.topology.all_services()]
        if unknown:
            raise ComposeError(
                f"unknown service(s) {', '.join(unknown)} in the {self.profile} profile",
                f"choose from: {', '.join(self.topology.all_services())}",
            )

    def restart(self, service: str) -> None:
        """Restart one service, e.g. 'patroni-1'."""
        self._require_services([service])
        self.compose().run("restart", service)

    def logs(
        self,
        services: list[str],
        follow: bool = False,
        since: str | None = None,
        tail: int | None = None,
    ) -> Iterator[str]:
        """The merged logs of the chosen services (all when empty)."""
        self._require_services(services)
        args = ["logs", "--no-color", "--timestamps"]
        args += ["--follow"] if follow else []
        args += [f"--since={since}"] if since else []
        args += [f"--tail={tail}"] if tail else []
        process = self.compose().popen(*args, *services)
        try:
            # compose erases its progress line with ANSI codes even when piped; logs are data.
            for line in process.stdout or ():
                yield ANSI_ESCAPE.sub("", line)
        finally:
            if process.poll() is None:
                process.terminate()

    # --- reports -----------------------------------------------------------------------------

    def health(self) -> HealthReport:
        """Probe every member in parallel and judge the topology."""
        current = self.inventory()
        if not current.members:
            raise ProbeError(
                f"the {self.profile} stack (project {self.project}) is not running",
                "start it with `paws-stack up"
                + (" --profile lite`" if self.profile == "lite" else "`"),
            )
        # Probes speak TLS when the containers do, however the stack was started.
        components = probe_all(current.members, self._credentials(tls=current.tls), self.reach)
        return assess(self.topology, self.project, components)

    def _credentials(self, tls: bool = False) -> Credentials:
        host, ports = self.settings.bind_address, self.settings
        (reached, pg_port), (_, redis_port), (_, stats_port) = (
            self.reach.published(host, port)
            for port in (ports.pg_port, ports.redis_port, ports.stats_port)
        )
        return Credentials(
            redis_password=self.secrets.read("redis_password"),
            app_password=self.secrets.read("pg_app_password"),
            pg_port=pg_port,
            redis_port=redis_port,
            stats_port=stats_port,
            host=reached,
            ca_file=self.certificates.ca_file if tls or self.settings.tls else None,
        )

    def migrations(self) -> dict[str, Any] | None:
        """The newest schema migration the apps applied (Flyway's history), None if none."""
        return applied_migrations(self._credentials())

    def endpoints(self, show_secrets: bool = False) -> Endpoints:
        """Connection URLs; passwords masked unless show_secrets."""
        ca_file = self.certificates.ca_file if self.settings.tls else None
        endpoint = engine_endpoint(self.client())
        return build_endpoints(
            self.settings, self.topology, self.secrets, show_secrets, ca_file, endpoint
        )
