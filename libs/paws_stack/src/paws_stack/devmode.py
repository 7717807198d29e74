"""Dev mode of an app: the `x-paws.dev` block of the apps file, and the compose override it gives.

    x-paws:
      dev:
        mount: {".": /srv/app}             # source (relative to build.context) -> container
        as_owner: true                     # run as the checkout's owner (the server writes)
        entrypoint: [node, node_modules/next/dist/bin/next]
        command: [dev, --port, "3000"]
        environment: {NEXT_DIST_DIR: .next-dev}
        tmpfs: [/srv/app/.next-dev]        # dev output never shares `next build`'s .next
        memory: 1536M
        cpus: "1.50"                       # a compile is CPU-bound: it sets the reload time
        prepare: [{run: [npm, ci, ...], creates: node_modules}]
        java: {sources: src/main/java, ...}   # host-side incremental compile (backend)
        dependencies: [package.json, package-lock.json]   # a change rebuilds the image
        ready: 'Compiled .* in (?P<ms>[0-9.]+ ?m?s)'      # the server's "reloaded" log line

The override replaces only the app services' image, command and mounts: the infrastructure's
definition is untouched, so `compose up` on it leaves those containers (and their ids) alone.
The dev image is paws' app base itself (Java 17, Node 18, the secret-file entrypoint): the
sources come from the bind mount, so no app image has to be built to start developing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .devsession import DEV_MODE_LABEL

# The polling fallback's interval: an edit waits up to this long to be seen.
POLL_MS = 300


@dataclass(frozen=True)
class PrepareStep:
    """A host command run before dev mode starts, skipped when `creates` already exists."""

    run: tuple[str, ...]
    creates: str | None = None


@dataclass(frozen=True)
class JavaCompile:
    """Where the host-side Java compiler reads sources and writes classes (relative paths)."""

    sources: str = "src/main/java"
    resources: str = "src/main/resources"
    classes: str = "target/classes"
    classpath: str = "target/dev-lib"
    # DevTools restarts when this file (at the top of `classes`) changes, not on every class:
    # a compile writes many class files, and one restart per compile is what a developer wants.
    trigger: str = ".reloadtrigger"
    release: str = "17"


@dataclass(frozen=True)
class DevSpec:
    """How one app runs in dev mode."""

    mounts: dict[str, str]
    entrypoint: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    environment: dict[str, str] = field(default_factory=dict)
    tmpfs: tuple[str, ...] = ()
    memory: str | None = None
    cpus: str | None = None
    as_owner: bool = False
    prepare: tuple[PrepareStep, ...] = ()
    java: JavaCompile | None = None
    dependencies: tuple[str, ...] = ()
    ready: str | None = None
    # Where dev mode's health is read, if not the app's own path (see docs/dev-loop.md).
    health_path: str | None = None

    @property
    def ready_pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.ready) if self.ready else None


def parse_dev(block: dict[str, Any]) -> DevSpec:
    """A DevSpec from an `x-paws.dev` mapping (KeyError/TypeError/ValueError when malformed).

    >>> spec = parse_dev({"mount": {".": "/srv/app"}, "dependencies": ["pom.xml"]})
    >>> spec.mounts, spec.dependencies, spec.java
    ({'.': '/srv/app'}, ('pom.xml',), None)
    """
    java = block.get("java")
    ready = block.get("ready")
    if ready is not None:
        re.compile(str(ready))  # a bad pattern is a malformed block, said at load time
    return DevSpec(
        mounts={str(k): str(v) for k, v in dict(block["mount"]).items()},
        entrypoint=_argv(block.get("entrypoint")),
        command=_argv(block.get("command")),
        environment={str(k): str(v) for k, v in (block.get("environment") or {}).items()},
        tmpfs=tuple(str(t) for t in block.get("tmpfs", [])),
        memory=str(block["memory"]) if "memory" in block else None,
        cpus=str(block["cpus"]) if "cpus" in block else None,
        as_owner=bool(block.get("as_owner", False)),
        prepare=tuple(
            PrepareStep(tuple(str(a) for a in step["run"]), step.get("creates"))
            for step in block.get("prepare", [])
        ),
        java=JavaCompile(**{str(k): str(v) for k, v in java.items()}) if java else None,
        dependencies=tuple(str(d) for d in block.get("dependencies", [])),
        ready=str(ready) if ready is not None else None,
        health_path=str(block["health"]["path"]) if "health" in block else None,
    )


def _argv(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError("entrypoint and command are lists of words")
    return tuple(str(word) for word in value)


def owner_of(path: Path) -> str:
    """`uid:gid` of a checkout, so that a dev server writes files its developer owns."""
    info = path.stat()
    return f"{info.st_uid}:{info.st_gid}"


def dev_service(context: Path, spec: DevSpec, image: str, polling: bool) -> dict[str, Any]:
    """The compose override of one app in dev mode."""
    volumes = [_bind(context / source, target) for source, target in spec.mounts.items()]
    environment = dict(spec.environment)
    if polling:
        # Where inotify does not see the host's writes (a VM share): poll. Costs CPU, see
        # docs/dev-loop.md#polling.
        # watchpack takes a number as its interval in ms; `true` would mean every 5007 ms.
        environment |= {"WATCHPACK_POLLING": str(POLL_MS), "CHOKIDAR_USEPOLLING": "true"}
    service: dict[str, Any] = {
        "image": image,
        "volumes": volumes,
        "environment": environment,
        "labels": {DEV_MODE_LABEL: "dev"},
    }
    if spec.entrypoint is not None:
        service["entrypoint"] = list(spec.entrypoint)
    if spec.command is not None:
        service["command"] = list(spec.command)
    if spec.tmpfs:
        service["tmpfs"] = list(spec.tmpfs)  # compose adds them to the service's own
    limits = {k: v for k, v in (("memory", spec.memory), ("cpus", spec.cpus)) if v}
    if limits:
        service["deploy"] = {"resources": {"limits": limits}}
    if spec.as_owner:
        service["user"] = owner_of(context)
    return service


def _bind(source: Path, target: str) -> dict[str, Any]:
    """A bind mount; `target:ro` mounts read-only.

    >>> _bind(Path("/src/target"), "/srv/app/target:ro")["read_only"]
    True
    """
    path, _, mode = target.partition(":")
    mount: dict[str, Any] = {"type": "bind", "source": str(source.resolve()), "target": path}
    if mode == "ro":
        mount["read_only"] = True
    return mount


def write_override(services: dict[str, dict[str, Any]], target: Path) -> Path:
    """Write the dev override file (no secrets in it) and return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML()
    yaml.default_flow_style = False
    with target.open("w", encoding="utf-8") as handle:
        handle.write("# Written by `paws-stack dev` from the apps file's x-paws.dev blocks.\n")
        yaml.dump({"services": services}, handle)
    return target
