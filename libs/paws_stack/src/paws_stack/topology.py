"""What each profile runs: member counts and the compose variables that wire them together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["etcd", "patroni", "redis", "sentinel", "haproxy", "app"]
KINDS: tuple[Kind, ...] = ("etcd", "patroni", "redis", "sentinel", "haproxy", "app")

# Members per kind and the Sentinel quorum, per profile: the knowledge, kept as data.
PROFILES: dict[str, dict[str, int]] = {
    "full": {"etcd": 3, "patroni": 3, "redis": 3, "sentinel": 3, "haproxy": 1, "quorum": 2},
    "lite": {"etcd": 1, "patroni": 1, "redis": 1, "sentinel": 1, "haproxy": 1, "quorum": 1},
}


@dataclass(frozen=True)
class Topology:
    """The members of one profile, and the app services of the apps file (both profiles)."""

    profile: str
    apps: tuple[str, ...] = ()

    def count(self, kind: Kind) -> int:
        return len(self.apps) if kind == "app" else PROFILES[self.profile][kind]

    @property
    def sentinel_quorum(self) -> int:
        return PROFILES[self.profile]["quorum"]

    def services(self, kind: Kind) -> list[str]:
        """Compose service names of one kind, e.g. ['patroni-0', 'patroni-1', 'patroni-2']."""
        if kind == "haproxy":
            return ["haproxy"]
        if kind == "app":
            return list(self.apps)
        return [f"{kind}-{i}" for i in range(self.count(kind))]

    def all_services(self) -> list[str]:
        return [service for kind in KINDS for service in self.services(kind)]

    def kind_of(self, service: str) -> Kind:
        if service in self.apps:
            return "app"
        return next(
            kind
            for kind in KINDS
            if kind != "app" and (service == kind or service.startswith(f"{kind}-"))
        )

    def compose_env(self, tls: bool = False) -> dict[str, str]:
        """PAWS_* variables compose.yaml interpolates to wire this profile's members."""
        etcd = self.services("etcd")
        peer = "https" if tls else "http"
        return {
            "PAWS_ETCD_CLUSTER": ",".join(f"{m}={peer}://{m}:2380" for m in etcd),
            "PAWS_ETCD_HOSTS": ",".join(f"{m}:2379" for m in etcd),
            "PAWS_SENTINELS": ",".join(f"{m}:26379" for m in self.services("sentinel")),
            "PAWS_REDIS_NODES": ",".join(f"{m}:6379" for m in self.services("redis")),
            "PAWS_SENTINEL_QUORUM": str(self.sentinel_quorum),
            # Lite has no replica: its read-only address then serves the leader.
            "PAWS_PG_REPLICA_CHECK": "/replica" if self.count("patroni") > 1 else "/read-only",
        }
