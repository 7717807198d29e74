"""etcd and HAProxy through the container engine: inspect, labels and file reads only."""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import docker
from docker.errors import DockerException, NotFound

from ..endpoints import ContainersEndpoint
from ..errors import CollectorError
from ..model import Setting
from ..normalise import PER_MEMBER
from . import Collected
from .haproxy_cfg import parse_haproxy
from .redact import REDACTED, redact_value

# The image records what it installed, per component: dev.paws.version.haproxy=2.6.12-1+deb12u4.
VERSION_LABEL = "dev.paws.version.{component}"
FALLBACK_LABELS = ("org.opencontainers.image.version",)
DEFAULT_HAPROXY_CONFIG = "/run/paws/haproxy.cfg"
_VERSION = re.compile(r"(?:Version:?|version)\s+v?(\d+\.\d+(?:\.\d+)?)", re.I)
_DEBIAN_VERSION = re.compile(r"^(?:\d+:)?([0-9][0-9A-Za-z.]*?)(?:[-~+].*)?$")
_PLACEHOLDER = re.compile(r"\{\{(secret|env):([A-Za-z0-9_]+)\}\}")


def etcd_settings(env: Iterable[str], args: Iterable[str]) -> dict[str, str]:
    """etcd's configuration from ETCD_* variables and --flags (flags win), secrets redacted."""
    found: dict[str, str] = {}
    for item in env:
        name, _, value = item.partition("=")
        if name.startswith("ETCD_"):
            key = name[5:].lower().replace("_", "-")
            found[key] = value
    for arg in args:
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            found[key] = value or "true"
    return {key: str(redact_value(key, value)) for key, value in found.items()}


def merge_members(members: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """One view of several members: a value that differs between them becomes PER_MEMBER."""
    merged: dict[str, str] = {}
    keys: set[str] = set()
    for member in members:
        keys |= member.keys()
    for key in sorted(keys):
        values = {member.get(key, "") for member in members}
        merged[key] = values.pop() if len(values) == 1 else PER_MEMBER
    return merged


def _engine(component: str, timeout: float) -> Any:
    try:
        return docker.from_env(timeout=max(1, int(timeout)))
    except DockerException as exc:
        raise CollectorError(component, f"the container engine does not answer: {exc}") from None


def _running(client: Any, names: Iterable[str], component: str) -> list[Any]:
    found = []
    for name in names:
        try:
            container = client.containers.get(name)
        except NotFound:
            continue
        except DockerException as exc:
            raise CollectorError(component, f"cannot inspect container {name}: {exc}") from None
        if container.status == "running":
            found.append(container)
    if not found:
        raise CollectorError(
            component,
            f"none of the containers {', '.join(names)} is running",
            "start the stack, or fix the container names in the endpoints file",
        )
    return found


def upstream_version(text: str) -> str:
    """A Debian package version as the upstream release: `5:7.0.15-1~deb12u10` -> `7.0.15`."""
    match = _DEBIAN_VERSION.match(text.strip())
    return match.group(1) if match else text.strip()


def label_version(labels: Mapping[str, str], component: str) -> str | None:
    """The component's version from image labels, if the image records it."""
    for label in (VERSION_LABEL.format(component=component), *FALLBACK_LABELS):
        if labels.get(label):
            return upstream_version(str(labels[label]))
    return None


def _version(container: Any, component: str, command: list[str]) -> str | None:
    labels = container.attrs.get("Config", {}).get("Labels") or {}
    found = label_version(labels, component)
    if found:
        return found
    result = container.exec_run(command)  # prints the version; changes nothing
    match = _VERSION.search(result.output.decode("utf-8", "replace"))
    return match.group(1) if match else None


def collect_etcd(endpoint: ContainersEndpoint, timeout: float) -> Collected:
    """Flags and environment of every running etcd member."""
    client = _engine("etcd", timeout)
    containers = _running(client, endpoint.containers, "etcd")
    members = [
        etcd_settings(c.attrs["Config"].get("Env") or [], c.attrs.get("Args") or [])
        for c in containers
    ]
    settings = {key: Setting(value=value) for key, value in merge_members(members).items()}
    settings["auth"] = Setting(value=etcd_auth_of_any(containers, endpoint.ca_file))
    version = _version(containers[0], "etcd", ["etcd", "--version"])
    return Collected("etcd", settings, version=version, members=len(containers))


def etcd_auth(container: Any, ca_file: str | None = None) -> str:
    """`on` or `off`: whether etcd refuses clients without a user (asked inside the member).

    With `ca_file` (a path inside the member) the question goes over https, verified by it.
    """
    tls = ["--cacert", ca_file] if ca_file else []
    url = f"{'https' if ca_file else 'http'}://127.0.0.1:2379/v3/auth/status"
    result = container.exec_run(["curl", "-sS", "-m", "5", *tls, "-X", "POST", "-d", "{}", url])
    answer = result.output.decode("utf-8", "replace")
    try:
        return auth_state(answer)
    except CollectorError:
        raise CollectorError(
            "etcd",
            f"cannot tell whether authentication is on: {container.name} answered "
            f"{answer[:200].strip() or 'nothing'} (curl exit {result.exit_code})",
        ) from None


def etcd_auth_of_any(containers: list[Any], ca_file: str | None = None) -> str:
    """The cluster's auth state from the first member that answers it: auth is cluster-wide, and
    one member may be busy (a loaded machine) or restarting, which says nothing about auth."""
    failure: CollectorError | None = None
    for container in containers:
        try:
            return etcd_auth(container, ca_file)
        except CollectorError as exc:
            failure = exc
    assert failure is not None  # noqa: S101 (_running returns at least one member)
    raise failure


def auth_state(answer: str) -> str:
    """etcd's `auth/status` answer as on/off: only with auth off does it answer anonymously.

    >>> auth_state('{"header": {"revision": "1"}}'), auth_state(
    ...     '{"code": 3, "message": "etcdserver: user name is empty"}')
    ('off', 'on')
    """
    try:
        data = json.loads(answer)
    except ValueError:
        data = None
    if isinstance(data, dict) and "user name is empty" in str(data.get("message", "")):
        return "on"
    if isinstance(data, dict) and "header" in data:
        return "on" if data.get("enabled") else "off"  # false is omitted from the JSON
    raise CollectorError("etcd", f"cannot tell whether authentication is on: {answer[:200]}")


def read_file(container: Any, path: str) -> str:
    """One file from a container's filesystem, through the engine's archive API."""
    stream, _ = container.get_archive(path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
        handle = archive.extractfile(archive.getmembers()[0])
        if handle is None:
            raise CollectorError("haproxy", f"{path} in {container.name} is not a file")
        return handle.read().decode("utf-8")


def resolve_placeholders(text: str, env: Iterable[str]) -> str:
    """A config template as the entrypoint renders it, without its secrets.

    `{{env:NAME}}` takes the container's environment (`Config.Env`); `{{secret:NAME}}`
    becomes `<redacted>`. An unknown variable stays as written, so it shows as drift.
    """
    variables = dict(item.partition("=")[::2] for item in env)

    def replace(match: re.Match[str]) -> str:
        kind, name = match.groups()
        if kind == "secret":
            return REDACTED
        if name not in variables:
            return match.group(0)
        return str(redact_value(name, variables[name]))

    return _PLACEHOLDER.sub(replace, text)


def collect_haproxy(endpoint: ContainersEndpoint, timeout: float) -> Collected:
    """The configuration file HAProxy runs with, parsed and redacted."""
    client = _engine("haproxy", timeout)
    containers = _running(client, endpoint.containers, "haproxy")
    path = endpoint.config_path or DEFAULT_HAPROXY_CONFIG
    try:
        text = read_file(containers[0], path)
    except DockerException as exc:
        raise CollectorError("haproxy", f"cannot read {path}: {exc}") from None
    text = resolve_placeholders(text, containers[0].attrs["Config"].get("Env") or [])
    settings = {key: Setting(value=list(value) if isinstance(value, list) else value)
                for key, value in parse_haproxy(text).items()}  # fmt: skip
    version = _version(containers[0], "haproxy", ["haproxy", "-v"])
    return Collected("haproxy", settings, version=version, members=len(containers))
