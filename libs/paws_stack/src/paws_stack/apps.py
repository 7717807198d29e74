"""The application tier: read an apps file (a compose file of the user's services) and wire it in.

An apps file is plain compose. Each service may carry an `x-paws` block, which paws reads and
compose ignores:

    services:
      backend:
        image: ${PAWS_IMAGE_BACKEND:-paws/backend:latest}
        x-paws:
          data: true                 # joins the infra network, gets the secret files
          wait_for_data: false       # start with the infrastructure; the app waits itself
          health: {port: 8080, path: /actuator/health}
          build:                     # optional: how paws builds the image without a registry
            context: backend         # relative to the apps file; holds the Dockerfile
            inputs: [pom.xml, src, Dockerfile]
            steps: [[mvn, -B, -q, "-Dmaven.repo.local={cache}/maven", -DskipTests, package]]

paws then writes a wiring file (`.paws/compose/<project>-apps.yaml`) that gives every app
service the same networks, connection settings, secret files and start gate, so the reference
apps and a team's own are wired by the same code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .devmode import DevSpec, parse_dev
from .errors import AppsFileError

# The secret files an app with data access receives, under /run/secrets/ (compose secrets).
APP_SECRETS = ("pg_app_password", "redis_password")
# The app services' own docker healthchecks report to `docker ps`; paws' probe decides health.
HEALTH_PORT_LABEL = "dev.paws.health.port"
HEALTH_PATH_LABEL = "dev.paws.health.path"
APP_LABEL = "dev.paws.app"
# Directories that are build output or caches, never an input of an app's image.
NOT_INPUTS = frozenset({"node_modules", ".next", "target", ".git", "coverage", "__pycache__"})
MAX_APPS_FILE_BYTES = 256 * 1024

# What an app's last log lines can reveal about why it would not start, and the fix for each.
KNOWN_FAILURES = {
    "Migration checksum mismatch": (
        "a migration that was already applied has been edited: revert that file and put the "
        "change in a new migration (V<next>__...sql); on a throwaway database `flyway repair` "
        "accepts the edit"
    ),
    "Found non-empty schema": (
        "the database has tables but no Flyway history: start from a fresh database "
        "(`paws-stack down --volumes`) or baseline it (spring.flyway.baseline-on-migrate)"
    ),
    "Migration V": (
        "a migration script failed (its name and the SQL error are above); PostgreSQL rolled "
        "it back, so fix the script and run `paws-stack up` again"
    ),
    "password authentication failed": (
        "the app's database password differs from the one the volumes hold: see "
        "docs/troubleshooting.md#secrets"
    ),
}


@dataclass(frozen=True)
class AppBuild:
    """How paws builds one app's image: host steps (with the registries), then `docker build`."""

    context: Path
    inputs: tuple[str, ...]
    steps: tuple[tuple[str, ...], ...]
    environment: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A hash of the inputs that decide the image (sources, definition, Dockerfile)."""
        digest = hashlib.sha256()
        for path in _input_files(self.context, self.inputs):
            digest.update(str(path.relative_to(self.context)).encode())
            digest.update(path.read_bytes())
        for step in self.steps:
            digest.update("\0".join(step).encode())
        return digest.hexdigest()[:12]


@dataclass(frozen=True)
class AppMetrics:
    """x-paws.metrics: port and path of the app's /metrics, and a series it always carries."""

    port: int
    path: str = "/metrics"
    series: str = ""


@dataclass(frozen=True)
class App:
    """One service of the apps file, as paws sees it."""

    name: str
    data: bool
    health_port: int | None
    health_path: str | None
    build: AppBuild | None
    # Start only once HAProxy is healthy (the safe default), or together with the
    # infrastructure, for an app that retries its first connections itself (the JVM's start
    # then overlaps the cluster's election instead of following it).
    wait_for_data: bool = True
    dev: DevSpec | None = None
    # TLS mode only (x-paws.tls.environment): the app's own switch to verified connections,
    # e.g. a Spring profile; paws adds PAWS_CA_FILE & co to every data app itself.
    tls_environment: dict[str, str] = field(default_factory=dict)
    # Where the app serves Prometheus metrics (x-paws.metrics), for `paws-stack metrics`.
    metrics: AppMetrics | None = None

    @property
    def image_variable(self) -> str:
        """The compose variable paws sets to the image it built, e.g. PAWS_IMAGE_BACKEND."""
        return "PAWS_IMAGE_" + self.name.upper().replace("-", "_")


@dataclass(frozen=True)
class AppsFile:
    """A parsed apps file."""

    path: Path
    apps: tuple[App, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(app.name for app in self.apps)


def _input_files(context: Path, inputs: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for relative in inputs:
        root = context / relative
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files += sorted(
                p
                for p in root.rglob("*")
                if p.is_file() and not NOT_INPUTS.intersection(p.relative_to(context).parts)
            )
    return files


def load_apps_file(path: Path) -> AppsFile:
    """Parse an apps file; anything wrong is an AppsFileError naming the file and line."""
    document = _read_yaml(path)
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        raise AppsFileError(
            f"apps file {path} has no `services:` mapping",
            "an apps file is a compose file: add `services:` with at least one service",
        )
    return AppsFile(path, tuple(_app(path, name, spec) for name, spec in services.items()))


def _read_yaml(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AppsFileError(
            f"cannot read apps file {path}: {exc.strerror}",
            "set PAWS_APPS_FILE to an existing compose file, or run with --no-apps",
        ) from None
    if size > MAX_APPS_FILE_BYTES:
        raise AppsFileError(
            f"apps file {path} is {size} bytes, more than the {MAX_APPS_FILE_BYTES} allowed",
            "an apps file lists services; move anything else out of it",
        )
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AppsFileError(
            f"apps file {path} is not valid YAML at {where}: {problem}",
            f"fix {path.name} at that line (`docker compose -f {path} config` explains more)",
        ) from None


def _app(path: Path, name: Any, spec: Any) -> App:
    if not isinstance(name, str) or not isinstance(spec, dict):
        raise AppsFileError(
            f"apps file {path}: service {name!r} is not a mapping",
            "each service under `services:` needs its own compose mapping",
        )
    meta = spec.get("x-paws") or {}
    health = meta.get("health") or {}
    build = meta.get("build")
    try:
        return App(
            name=name,
            data=bool(meta.get("data", True)),
            health_port=int(health["port"]) if "port" in health else None,
            health_path=str(health.get("path", "/")) if "port" in health else None,
            build=_build(path.parent, build) if build else None,
            wait_for_data=_flag(meta, "wait_for_data", default=True),
            dev=parse_dev(meta["dev"]) if meta.get("dev") else None,
            tls_environment=_tls_environment(meta.get("tls")),
            metrics=_metrics(meta["metrics"]) if meta.get("metrics") else None,
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise AppsFileError(
            f"apps file {path}: service {name}'s x-paws block is malformed ({exc})",
            "see docs/apps.md for the x-paws keys: data, wait_for_data, health, build, dev, "
            "tls, metrics",
        ) from None


def _tls_environment(tls: Any) -> dict[str, str]:
    if tls is None:
        return {}
    environment = tls.get("environment") if isinstance(tls, dict) else None
    if not isinstance(environment, dict):
        raise ValueError("tls must be a mapping with an `environment:` mapping")
    return {str(key): str(value) for key, value in environment.items()}


def _metrics(spec: dict[str, Any]) -> AppMetrics:
    return AppMetrics(
        port=int(spec["port"]),
        path=str(spec.get("path", "/metrics")),
        series=str(spec.get("series", "")),
    )


def _flag(meta: dict[str, Any], key: str, *, default: bool) -> bool:
    value = meta.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, not {value!r}")
    return value


def _build(base: Path, build: dict[str, Any]) -> AppBuild:
    return AppBuild(
        context=(base / str(build["context"])).resolve(),
        inputs=tuple(str(i) for i in build.get("inputs", ["."])),
        steps=tuple(tuple(str(a) for a in step) for step in build.get("steps", [])),
        environment={str(k): str(v) for k, v in (build.get("environment") or {}).items()},
    )


def fix_for(logs: str) -> str | None:
    """The fix for the first known failure in an app's log lines.

    >>> fix_for("ERROR: Validate failed: Migration checksum mismatch for migration version 1")[:24]
    'a migration that was alr'
    >>> fix_for("Started BackendApplication") is None
    True
    """
    return next((fix for marker, fix in KNOWN_FAILURES.items() if marker in logs), None)


def connection_environment(sentinels: str) -> dict[str, str]:
    """The non-secret settings every data app gets: where things are, never a password."""
    return {
        "PAWS_DATABASE_HOST": "haproxy",
        "PAWS_DATABASE_PORT": "5432",
        "PAWS_DATABASE_RO_PORT": "5433",
        "PAWS_DATABASE_NAME": "app",
        "PAWS_DATABASE_USER": "app",
        "PAWS_JDBC_URL": "jdbc:postgresql://haproxy:5432/app",
        "PAWS_JDBC_RO_URL": "jdbc:postgresql://haproxy:5433/app",
        "PAWS_REDIS_SENTINELS": sentinels,
        "PAWS_REDIS_MASTER_NAME": "paws",
        "PAWS_SECRETS_MOUNT": "/run/paws/secrets/",
    }


def wiring(apps: AppsFile, sentinels: str) -> dict[str, Any]:
    """The compose override that wires every app service into the stack."""
    services: dict[str, Any] = {}
    for app in apps.apps:
        labels = {APP_LABEL: "true"}
        if app.health_port:
            labels[HEALTH_PORT_LABEL] = str(app.health_port)
            labels[HEALTH_PATH_LABEL] = app.health_path or "/"
        service: dict[str, Any] = {"networks": ["app"], "labels": labels}
        if app.data:
            service["networks"] = ["app", "infra"]
            service["secrets"] = list(APP_SECRETS)
            service["environment"] = connection_environment(sentinels)
            if app.wait_for_data:
                # The leader and master addresses answer once HAProxy is healthy.
                service["depends_on"] = {"haproxy": {"condition": "service_healthy"}}
        services[app.name] = service
    return {"services": services}


def write_wiring(apps: AppsFile, sentinels: str, target: Path) -> Path:
    """Write the wiring file (no secrets in it) and return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    yaml.default_flow_style = False
    with target.open("w", encoding="utf-8") as handle:
        handle.write(f"# Written by paws from {apps.path}; do not edit (it is rewritten).\n")
        yaml.dump(wiring(apps, sentinels), handle)
    return target
