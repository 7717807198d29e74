"""Tests for _relay: the multiplexer carries real TCP connections, run here instead of in a
container (a stand-in `docker` runs `docker exec -i <container> <argv>` as `<argv>`)."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from paws_stack import _relay
from paws_stack._relay import EngineRelay


@pytest.fixture
def docker(tmp_path: Path) -> str:
    """`docker exec -i <container> python3 -c <script>` run on this host, by this Python."""
    fake = tmp_path / "docker"
    fake.write_text(f'#!/bin/sh\nshift 4\nexec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    return str(fake)


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    """A TCP server that answers each connection with everything it sent, upper-cased."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve(connection: socket.socket) -> None:
        with connection:
            received = b""
            while data := connection.recv(65536):
                received += data
                if received.endswith(b"\n"):
                    connection.sendall(received.upper())
                    received = b""
            connection.sendall(received.upper())  # after a half-close: the rest, then hang up

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()
    server.close()


@pytest.fixture
def relay(docker: str) -> Iterator[EngineRelay]:
    relay = EngineRelay(docker, lambda: "paws-haproxy-1")
    yield relay
    relay.close()


def _ask(where: tuple[str, int], line: bytes) -> bytes:
    with socket.create_connection(where, timeout=10) as connection:
        connection.sendall(line)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


class TestRelay:
    def test_a_connection_reaches_the_target_and_back(
        self, relay: EngineRelay, echo: tuple[str, int]
    ) -> None:
        assert _ask(relay.to(*echo), b"select 1\n") == b"SELECT 1\n"

    def test_one_address_keeps_one_loopback_port(
        self, relay: EngineRelay, echo: tuple[str, int]
    ) -> None:
        host, port = relay.to(*echo)
        assert (host, port) == relay.to(*echo) and host == "127.0.0.1" and port != echo[1]

    def test_many_connections_at_once_keep_their_own_bytes(
        self, relay: EngineRelay, echo: tuple[str, int]
    ) -> None:
        where = relay.to(*echo)
        lines = [f"member {n} {'x' * (n * 997)}\n".encode() for n in range(40)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda line: _ask(where, line), lines))
        assert answers == [line.upper() for line in lines]

    def test_a_half_closed_client_still_reads_the_answer(
        self, relay: EngineRelay, echo: tuple[str, int]
    ) -> None:
        with socket.create_connection(relay.to(*echo), timeout=10) as connection:
            connection.sendall(b"no newline")
            connection.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        assert answer == b"NO NEWLINE"

    def test_a_refused_target_closes_the_client_connection(self, relay: EngineRelay) -> None:
        closed = socket.create_server(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()  # nothing listens there now
        with socket.create_connection(relay.to("127.0.0.1", port), timeout=10) as connection:
            assert connection.recv(1) == b""

    def test_a_dead_multiplexer_is_replaced(
        self, relay: EngineRelay, echo: tuple[str, int]
    ) -> None:
        where = relay.to(*echo)
        assert _ask(where, b"one\n") == b"ONE\n"
        relay._live_mux().close()  # as when the vantage container restarts
        assert _ask(where, b"two\n") == b"TWO\n"

    def test_a_silent_multiplexer_is_ended_and_replaced(
        self, relay: EngineRelay, echo: tuple[str, int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """As `docker exec -i` into a container that stopped: the exec runs on, nothing answers."""
        monkeypatch.setattr(_relay, "SILENCE_S", 2.0)
        where = relay.to(*echo)
        assert _ask(where, b"one\n") == b"ONE\n"
        silent = relay._live_mux()
        os.kill(silent._process.pid, signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while silent.alive and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not silent.alive
        assert _ask(where, b"two\n") == b"TWO\n"
        assert relay._live_mux() is not silent

    def test_an_idle_multiplexer_lives_on_its_heartbeat(
        self, relay: EngineRelay, echo: tuple[str, int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_relay, "SILENCE_S", 2.0)
        where = relay.to(*echo)
        assert _ask(where, b"one\n") == b"ONE\n"
        idle = relay._live_mux()
        time.sleep(4.0)  # twice the silence allowed: only the heartbeat keeps it
        assert idle.alive and relay._live_mux() is idle
        assert _ask(where, b"two\n") == b"TWO\n"

    def test_a_new_vantage_takes_the_next_connections(
        self, docker: str, echo: tuple[str, int]
    ) -> None:
        """As in a restore: etcd runs first and is the vantage, then HAProxy is back."""
        vantage = ["paws-etcd-0-1"]
        relay = EngineRelay(docker, lambda: vantage[0])
        try:
            where = relay.to(*echo)
            assert _ask(where, b"one\n") == b"ONE\n"
            first = relay._live_mux()
            vantage[0] = "paws-haproxy-1"
            assert _ask(where, b"two\n") == b"TWO\n"
            assert relay._live_mux().container == "paws-haproxy-1"
            assert not first.alive  # it carried nothing any more
        finally:
            relay.close()

    def test_a_connection_open_across_a_move_finishes_on_its_multiplexer(
        self, docker: str, echo: tuple[str, int]
    ) -> None:
        vantage = ["paws-etcd-0-1"]
        relay = EngineRelay(docker, lambda: vantage[0])
        try:
            where = relay.to(*echo)
            with socket.create_connection(where, timeout=10) as early:
                early.sendall(b"a\n")
                assert early.recv(65536) == b"A\n"  # it is carried now
                early.sendall(b"hel")
                first = relay._live_mux()
                vantage[0] = "paws-haproxy-1"
                assert _ask(where, b"two\n") == b"TWO\n"
                assert first.alive and relay._live_mux() is not first
                early.sendall(b"lo\n")
                assert early.recv(65536) == b"HELLO\n"
            deadline = time.monotonic() + 10
            while first.alive and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not first.alive  # its last connection ended, and so did it
        finally:
            relay.close()

    def test_close_ends_listening(self, docker: str, echo: tuple[str, int]) -> None:
        relay = EngineRelay(docker, lambda: "paws-haproxy-1")
        where = relay.to(*echo)
        assert _ask(where, b"up\n") == b"UP\n"
        relay.close()
        with pytest.raises(OSError):
            socket.create_connection(where, timeout=2).close()
