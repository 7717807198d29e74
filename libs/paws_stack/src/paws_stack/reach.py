"""How this process reaches the stack: its members' container addresses and its published ports.

With a local engine on Linux the host routes to the stack's bridge networks, so a container
address is reachable as it is and published ports open on this machine. On Docker Desktop,
colima or a remote engine neither holds, and paws goes through the engine instead (_relay.py).
`PAWS_REACH` chooses: `auto` (through the engine unless it is a local Linux one), `direct` or
`engine`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from ._relay import EngineRelay

ReachMode = Literal["auto", "direct", "engine"]


class Reach(Protocol):
    """Where to connect to reach an address of the stack."""

    @property
    def via_engine(self) -> bool: ...

    def to(self, address: str, port: int) -> tuple[str, int]:
        """A member's container address and port -> where this process connects."""
        ...

    def published(self, host: str, port: int) -> tuple[str, int]:
        """A published port (as `endpoints` prints it) -> where this process connects."""
        ...

    def published_url(self, url: str) -> str:
        """An http(s) URL on a published port -> the URL this process uses."""
        ...

    def close(self) -> None: ...


class DirectReach:
    """Linux and a local engine: every address is reachable as it is."""

    via_engine = False

    def to(self, address: str, port: int) -> tuple[str, int]:
        return address, port

    def published(self, host: str, port: int) -> tuple[str, int]:
        return host, port

    def published_url(self, url: str) -> str:
        return url

    def close(self) -> None:
        return None


class EngineReach:
    """Every connection goes through the engine: container addresses and published ports alike
    (a published port is reached at the container port it maps to)."""

    via_engine = True

    def __init__(
        self, relay: EngineRelay, published_targets: Callable[[], dict[int, tuple[str, int]]]
    ) -> None:
        self._relay = relay
        self._published_targets = published_targets

    def to(self, address: str, port: int) -> tuple[str, int]:
        return self._relay.to(address, port)

    def published(self, host: str, port: int) -> tuple[str, int]:
        target = self._published_targets().get(port)
        # A port the stack does not publish is the user's own (a tunnel, say): left alone.
        return self._relay.to(*target) if target else (host, port)

    def published_url(self, url: str) -> str:
        return _rewritten(url, self.published)

    def close(self) -> None:
        self._relay.close()


DIRECT = DirectReach()


def through_engine(mode: ReachMode, engine_is_local_linux: Callable[[], bool]) -> bool:
    """Whether to relay through the engine; `auto` asks the engine only when it must."""
    if mode == "auto":
        return not engine_is_local_linux()
    return mode == "engine"


def _rewritten(url: str, where: Callable[[str, int], tuple[str, int]]) -> str:
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        return url
    host, port = where(parts.hostname, parts.port)
    return urlunsplit(parts._replace(netloc=f"{host}:{port}"))


def member_url(
    reach: Reach, address: object, port: int, path: str = "", scheme: str = "http"
) -> str:
    """<scheme>://<where this process reaches `address`:`port`><path> (backup, restore)."""
    host, reached = reach.to(str(address), port)
    return f"{scheme}://{host}:{reached}{path}"


def reached_url(reach: Reach, url: str) -> str:
    """An http(s) URL on a container address, rewritten to where this process connects."""
    return _rewritten(url, reach.to)
