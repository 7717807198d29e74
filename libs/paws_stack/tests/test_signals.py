"""Tests for paws_stack._signals: SIGTERM and SIGHUP clean up like Ctrl-C."""

from __future__ import annotations

import os
import signal

import pytest

from paws_stack._signals import Terminated, exit_code, shielded, termination_as_interrupt


class TestTerminationAsInterrupt:
    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
    def test_signal_raises_a_keyboard_interrupt(self, signum: int) -> None:
        """Inside the block the signal raises Terminated, a KeyboardInterrupt, so every
        `except KeyboardInterrupt` cleanup runs."""
        with pytest.raises(KeyboardInterrupt) as caught, termination_as_interrupt():
            os.kill(os.getpid(), signum)
        assert isinstance(caught.value, Terminated) and caught.value.signum == signum

    def test_previous_handlers_come_back(self) -> None:
        """After the block the caller's handlers are in place again."""
        before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
        with termination_as_interrupt():
            pass
        assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before

    @pytest.mark.parametrize(
        ("interrupt", "code"),
        [(KeyboardInterrupt(), 130), (Terminated(signal.SIGTERM), 143), (Terminated(1), 129)],
    )
    def test_exit_codes(self, interrupt: KeyboardInterrupt, code: int) -> None:
        """128 + the signal number, as a shell reports it."""
        assert exit_code(interrupt) == code


def test_shielded_cleanup_is_not_cut_short() -> None:
    """A SIGTERM during the cleanup is ignored (the cleanup finishes)."""
    with termination_as_interrupt(), shielded():
        os.kill(os.getpid(), signal.SIGTERM)
        finished = True
    assert finished


def test_stop_group_stops_the_command_and_its_children() -> None:
    """`docker compose` runs a plugin child: stopping only the parent left it running."""
    import subprocess
    import time

    from paws_stack.compose import stop_group

    process = subprocess.Popen(
        ["bash", "-c", "sleep 300 & echo $!; wait"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    child = int(process.stdout.readline())
    stop_group(process, timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the child outlived stop_group")
    assert process.returncode is not None
