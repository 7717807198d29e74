"""SIGTERM and SIGHUP end an experiment like Ctrl-C: as KeyboardInterrupt, so undos run."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from paws_chaos import Fault
from paws_chaos._signals import STOP_SIGNALS, signals_held, stop_signals_interrupt


@pytest.fixture(autouse=True)
def restore_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


class TestStopSignals:
    """Each stop signal undoes the fault that is in place."""

    @pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
    def test_signal_undoes_like_ctrl_c(self, sig: signal.Signals) -> None:
        """The signal arrives while the fault is held: KeyboardInterrupt, and the undo ran."""
        stop_signals_interrupt()
        log: list[str] = []
        fault = Fault("demo", "x", lambda: log.append("in"), lambda: log.append("out"), "-")
        with pytest.raises(KeyboardInterrupt), fault:
            os.kill(os.getpid(), sig)
            log.append("not reached")
        assert log == ["in", "out"]

    def test_a_signal_during_an_undo_waits_for_it(self) -> None:
        """A second signal in the middle of an undo is held back until the undo is done."""
        stop_signals_interrupt()
        log: list[str] = []
        with pytest.raises(KeyboardInterrupt), signals_held():
            os.kill(os.getpid(), signal.SIGHUP)
            log.append("undo finished")
        assert log == ["undo finished"]
