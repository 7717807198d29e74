"""Relay TCP connections to container addresses through the engine's exec API.

On Docker Desktop, colima or a remote engine the containers live on networks this machine has
no route to. For each container address paws talks to, the relay listens on a loopback port
here. One `docker exec -i` of a small Python multiplexer in a container on the stack's networks
(HAProxy's: it is on both) carries every connection accepted there, as frames over its stdin
and stdout, the way `kubectl port-forward` does over its stream. So it needs nothing but what
the docker CLI already reaches (DOCKER_HOST, ssh://, tcp://); a connection costs a frame, not
an exec (an exec costs 0.2 s on an idle local engine and seconds on a busy one); and it leaves
nothing behind: when paws exits, the multiplexer's stdin closes and it ends.

`docker exec -i` does not end when its container stops: with its stdin open the CLI waits on.
So the multiplexer says it is alive every HEARTBEAT_S, and one silent for SILENCE_S is ended
and replaced from a running container (a restore stops and starts every member, HAProxy too).
A multiplexer also stays in the container it was started in, and that one may reach less than
the stack does later (a restore starts etcd first, which is on the members' network only, and
HAProxy last): when the vantage changes, new connections go through a new multiplexer there and
the old one ends once the connections it carries have.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FRAME = struct.Struct(">IBI")  # connection id, kind, payload length
OPEN, OPENED, DATA, EOF, CLOSE, ALIVE = range(6)
CHUNK = 65536
OPEN_TIMEOUT = 10.0  # seconds to connect in the container, the exec's own start included
HEARTBEAT_S = 1.0  # how often the multiplexer says it is alive
SILENCE_S = 10.0  # a multiplexer silent this long is gone (the exec's own start fits in it)
HANGUP_TIMEOUT = 10.0  # seconds the server gets to hang up after the client stopped writing

# Runs inside the container. Frames in: OPEN "address port", DATA, EOF (the client is done
# writing), CLOSE. Frames out: OPENED or CLOSE for an OPEN, then DATA, then CLOSE; and ALIVE
# (connection 0) every HEARTBEAT_S, its one argument.
MUX_SCRIPT = """\
import os, socket, struct, sys, threading, time
FRAME = struct.Struct(">IBI")
out, lock, conns = sys.stdout.buffer, threading.Lock(), {}
def send(cid, kind, data=b""):
    with lock:
        out.write(FRAME.pack(cid, kind, len(data)) + data)
        out.flush()
def drop(cid):
    s = conns.pop(cid, None)
    if s is not None:
        s.close()
def serve(cid, address, port):
    try:
        s = socket.create_connection((address, port), timeout=5)
    except OSError:
        return send(cid, 4)
    s.settimeout(None)
    conns[cid] = s
    send(cid, 1)
    try:
        while data := s.recv(65536):
            send(cid, 2, data)
    except OSError:
        pass
    drop(cid)
    send(cid, 4)
def read(n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(0, n - len(buf))
        if not chunk:
            os._exit(0)
        buf += chunk
    return buf
def beat():
    while True:
        send(0, 5)
        time.sleep(float(sys.argv[1]))
threading.Thread(target=beat, daemon=True).start()
while True:
    cid, kind, size = FRAME.unpack(read(FRAME.size))
    data = read(size) if size else b""
    if kind == 0:
        address, port = data.decode().split()
        threading.Thread(target=serve, args=(cid, address, int(port)), daemon=True).start()
        continue
    s = conns.get(cid)
    try:
        if s is not None and kind == 2:
            s.sendall(data)
        elif s is not None and kind == 3:
            s.shutdown(socket.SHUT_WR)
        elif kind == 4:
            drop(cid)
    except OSError:
        drop(cid)
        send(cid, 4)
"""


class _Channel:
    """One relayed connection: the local socket and whether the container side connected."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.answered = threading.Event()
        self.closed = threading.Event()  # the container side hung up
        self.opened = False


class _Mux:
    """One exec'd multiplexer and the channels it carries."""

    def __init__(self, docker: str, container: str) -> None:
        self.container = container
        argv = [docker, "exec", "-i", container, "python3", "-c", MUX_SCRIPT, str(HEARTBEAT_S)]
        self._process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        if self._process.stdin is None or self._process.stdout is None:  # PIPE sets both
            raise OSError("docker exec started without pipes")
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        self._write_lock = threading.Lock()
        self._channels: dict[int, _Channel] = {}
        self._ids = itertools.count(1)
        self._heard = time.monotonic()
        self._retired = False
        self.alive = True
        threading.Thread(target=self._read_frames, name="relay-mux", daemon=True).start()
        threading.Thread(target=self._watch, name="relay-watch", daemon=True).start()

    def send(self, cid: int, kind: int, data: bytes = b"") -> None:
        try:
            with self._write_lock:
                self._stdin.write(FRAME.pack(cid, kind, len(data)) + data)
                self._stdin.flush()
        except (OSError, ValueError):
            self.alive = False

    def open(self, target: tuple[str, int], connection: socket.socket) -> tuple[int, _Channel]:
        """Connect to `target` from the container; wait until it connected or refused."""
        cid = next(self._ids)
        channel = self._channels[cid] = _Channel(connection)
        self.send(cid, OPEN, f"{target[0]} {target[1]}".encode())
        if not (self.alive and channel.answered.wait(OPEN_TIMEOUT) and channel.opened):
            self._forget(cid)
            channel.closed.set()
        return cid, channel

    def retire(self) -> None:
        """Take no new connections; end once the ones carried now have ended."""
        self._retired = True
        self._end_if_retired_and_idle()

    def _forget(self, cid: int) -> None:
        self._channels.pop(cid, None)
        self._end_if_retired_and_idle()

    def _end_if_retired_and_idle(self) -> None:
        if self._retired and not self._channels and self.alive:
            self.close()

    def _read_exactly(self, size: int) -> bytes | None:
        data = self._stdout.read(size)
        return data if len(data) == size else None

    def _read_frames(self) -> None:
        while (header := self._read_exactly(FRAME.size)) is not None:
            self._heard = time.monotonic()
            cid, kind, size = FRAME.unpack(header)
            data = self._read_exactly(size) if size else b""
            channel = self._channels.get(cid)
            if data is None:
                break
            if channel is not None:
                self._deliver(cid, channel, kind, data)
        self.alive = False
        for cid, channel in list(self._channels.items()):
            self._deliver(cid, channel, CLOSE, b"")

    def _watch(self) -> None:
        """End a multiplexer gone silent: its channels close and the next connection execs anew."""
        while self.alive:
            time.sleep(HEARTBEAT_S)
            if time.monotonic() - self._heard > SILENCE_S:
                log.info("relay: the multiplexer went silent (its container stopped?); ending it")
                self.close()

    def _deliver(self, cid: int, channel: _Channel, kind: int, data: bytes) -> None:
        if kind == OPENED:
            channel.opened = True
            channel.answered.set()
        elif kind == DATA:
            try:
                channel.connection.sendall(data)
            except OSError:
                self.send(cid, CLOSE)
        elif kind == CLOSE:
            channel.answered.set()
            channel.closed.set()
            with contextlib.suppress(OSError):
                channel.connection.shutdown(socket.SHUT_WR)
            self._forget(cid)

    def close(self) -> None:
        self.alive = False
        with contextlib.suppress(OSError):
            self._process.kill()
        self._process.wait()


class _Listener:
    """A loopback port whose connections are relayed to one address:port in the containers."""

    def __init__(self, relay: EngineRelay, target: tuple[str, int]) -> None:
        self.target = target
        self._relay = relay
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        threading.Thread(target=self._accept, name=f"relay-{target}", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._relay.pipe, args=(connection, self.target),
                             daemon=True).start()  # fmt: skip

    def close(self) -> None:
        # close() alone leaves a socket blocked in accept() listening; shutdown() wakes it.
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._socket.close()


class EngineRelay:
    """(address, port) on the stack's networks -> a loopback (host, port) that reaches it.

    `docker` is the engine's CLI; `vantage()` names the running container to connect from,
    asked for each connection (it should cache). A multiplexer whose container went away, or
    that is no longer in the container `vantage()` names, is replaced by one started there.
    """

    def __init__(self, docker: str, vantage: Callable[[], str]) -> None:
        self._docker = docker
        self._vantage = vantage
        self._lock = threading.Lock()
        self._listeners: dict[tuple[str, int], _Listener] = {}
        self._mux: _Mux | None = None
        self._retired: list[_Mux] = []  # still carrying connections made before a move

    def to(self, address: str, port: int) -> tuple[str, int]:
        with self._lock:
            listener = self._listeners.get((address, port))
            if listener is None:
                listener = self._listeners[(address, port)] = _Listener(self, (address, port))
        return "127.0.0.1", listener.port

    def _live_mux(self) -> _Mux:
        with self._lock:
            current = self._mux
            try:
                vantage = self._vantage()
            except Exception:
                if current is not None and current.alive:
                    return current  # nothing to move to: stay where the connections still go
                raise
            if current is not None and current.alive and current.container == vantage:
                return current
            if current is not None:
                current.retire()
                self._retired = [mux for mux in (*self._retired, current) if mux.alive]
            self._mux = _Mux(self._docker, vantage)
            return self._mux

    def pipe(self, connection: socket.socket, target: tuple[str, int]) -> None:
        """Relay one accepted connection until either side closes it."""
        with connection:
            opened = self._open(target, connection)
            if opened is None:
                return  # refused there or nowhere to relay from: the client sees a reset
            mux, cid, channel = opened
            with contextlib.suppress(OSError):
                while data := connection.recv(CHUNK):
                    mux.send(cid, DATA, data)
            mux.send(cid, EOF)
            # A client that only half-closed still reads the answer: keep the socket until the
            # server hangs up too.
            channel.closed.wait(HANGUP_TIMEOUT)

    def _open(
        self, target: tuple[str, int], connection: socket.socket
    ) -> tuple[_Mux, int, _Channel] | None:
        # A second try, for a multiplexer that ended between being handed out and opening.
        for _ in range(2):
            try:
                mux = self._live_mux()
            except Exception as exc:  # no container to relay from
                log.info("relay unavailable: %s", exc)
                return None
            cid, channel = mux.open(target, connection)
            if not channel.closed.is_set():
                return mux, cid, channel
            if mux.alive:
                return None  # the container side refused
        return None

    def close(self) -> None:
        """Stop listening and end the multiplexer, and with it every relayed connection."""
        with self._lock:
            listeners, self._listeners = list(self._listeners.values()), {}
            muxes = [mux for mux in (self._mux, *self._retired) if mux is not None]
            self._mux, self._retired = None, []
        for listener in listeners:
            listener.close()
        for mux in muxes:
            mux.close()
