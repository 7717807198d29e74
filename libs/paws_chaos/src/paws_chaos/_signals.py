"""Stop signals: SIGINT, SIGTERM and SIGHUP all end an experiment the same way, with its undo.

A closed terminal sends SIGHUP, a supervisor or `kill` sends SIGTERM, a user Ctrl-C: each
becomes KeyboardInterrupt, so every `with fault:` undoes on the way out. After a hangup the
terminal is gone and writing to it fails (EIO), which must not abort an undo halfway: the
streams that were a terminal are pointed at /dev/null first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Which of stdout/stderr were a terminal when we started (after a hangup isatty() may lie).
_ON_TERMINAL: dict[int, bool] = {}


def remember_terminal() -> None:
    """Note which output streams are a terminal; call once at start-up."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(ValueError, OSError):
            _ON_TERMINAL[stream.fileno()] = stream.isatty()


def detach_from_terminal() -> None:
    """After SIGHUP: send what would go to the vanished terminal to /dev/null instead."""
    targets = [fd for fd, tty in _ON_TERMINAL.items() if tty]
    if not targets:
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in targets:
            os.dup2(null, fd)
    finally:
        os.close(null)


def _as_interrupt(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGHUP:
        detach_from_terminal()
    raise KeyboardInterrupt


def stop_signals_interrupt() -> None:
    """Install the handler: SIGTERM and SIGHUP raise KeyboardInterrupt, like SIGINT."""
    remember_terminal()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _as_interrupt)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold stop signals back while an undo runs; raise KeyboardInterrupt afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            detach_from_terminal()
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt
