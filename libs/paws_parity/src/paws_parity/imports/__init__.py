"""`paws-parity import`: a partial snapshot from the configuration files a team keeps.

Each file is optional; its kind comes from its name (`postgresql*.conf`, `redis*.conf`,
`sentinel*.conf`, `haproxy*.cfg`, a `*.yml`/`*.yaml` Patroni file) or an explicit
`kind=path`. The snapshot is partial for exactly the components the files describe, and
each setting keeps the file and line it came from. Secrets are redacted as they are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..collect.haproxy_cfg import parse_haproxy
from ..errors import ConfigFileError
from ..model import Scalar, Setting, Snapshot, Topology, Value
from ._files import read_text
from .patroni_yaml import read_patroni_yaml
from .pg_conf import read_pg_conf
from .redis_conf import read_redis_conf, read_sentinel_conf

KINDS = ("postgresql", "patroni", "redis", "sentinel", "haproxy")
_PATTERNS = (
    ("postgresql", "postgresql*.conf"),
    ("sentinel", "sentinel*.conf"),
    ("redis", "redis*.conf"),
    ("haproxy", "haproxy*.cfg"),
    ("patroni", "*.y*ml"),
)


def kind_of(spec: str) -> tuple[str, Path]:
    """`redis=path` or a path whose name says its kind; anything else is a clear error."""
    kind, sep, rest = spec.partition("=")
    if sep and kind in KINDS:
        return kind, Path(rest)
    path = Path(spec)
    for name, pattern in _PATTERNS:
        if path.match(pattern):
            return name, path
    raise ConfigFileError(
        f"cannot tell what kind of configuration {spec} is",
        f"name it KIND=PATH with KIND one of {', '.join(KINDS)} (e.g. postgresql={spec})",
        path=spec,
    )


def files_in(folder: Path) -> list[str]:
    """The files of `folder` whose names say their kind (a target given as a folder)."""
    return sorted(str(p) for p in folder.iterdir() if p.is_file() and _known(p))


def is_patroni_yaml(path: Path) -> bool:
    """Whether a YAML file is a Patroni configuration: it has a top-level `bootstrap` or `scope`.

    A snapshot has neither; a compose file in the same folder has neither either.
    """
    with path.open(encoding="utf-8", errors="replace") as handle:
        return any(line.startswith(("bootstrap:", "scope:")) for line in handle)


def _known(path: Path) -> bool:
    if path.suffix.lower() in (".yml", ".yaml"):
        return is_patroni_yaml(path)
    return any(path.match(pattern) for _, pattern in _PATTERNS)


def _haproxy(path: Path) -> dict[str, Setting]:
    settings, lines = {}, dict[str, int]()
    for key, value in parse_haproxy(read_text(path), lines).items():
        items: Value = value if isinstance(value, str) else list[Scalar](value)
        where = f"{path.name}:{lines[key]}" if key in lines else path.name
        settings[key] = Setting(value=items, origin=where)
    return settings


def import_files(
    specs: Iterable[str], name: str = "imported", versions: dict[str, str] | None = None
) -> Snapshot:
    """A partial snapshot of what the given files configure."""
    settings: dict[str, dict[str, Setting]] = {}
    sync, quorum, sources = None, None, []
    for spec in specs:
        kind, path = kind_of(spec)
        if not path.is_file():
            raise ConfigFileError(f"no file at {path}", "check the path", path=str(path))
        sources.append(f"{kind}={path}")
        if kind == "postgresql":
            settings.setdefault("postgresql", {}).update(read_pg_conf(path))
        elif kind == "patroni":
            dcs, local, sync = read_patroni_yaml(path)
            settings.setdefault("patroni", {}).update(dcs)
            # Patroni writes its local parameters into postgresql.conf; the conf file wins.
            settings["postgresql"] = local | settings.get("postgresql", {})
        elif kind == "redis":
            settings.setdefault("redis", {}).update(read_redis_conf(path))
        elif kind == "sentinel":
            sentinel, quorum = read_sentinel_conf(path)
            settings.setdefault("sentinel", {}).update(sentinel)
        else:
            settings["haproxy"] = _haproxy(path)
    settings = {component: values for component, values in settings.items() if values}
    return Snapshot(
        name=name,
        versions=versions or {},
        source="import: " + " ".join(sources),
        topology=Topology(synchronous_mode=sync, sentinel_quorum=quorum),
        settings=settings,
        partial=sorted(settings),
    )
