"""`--no-http` and PAWS_CHAOS_HTTP: the user's explicit way to leave the apps out."""

from __future__ import annotations

import pytest

from paws_chaos import CouldNotRun, load_chaos_settings
from paws_chaos.cli import _parser


class TestNoHttp:
    """The flag and the setting reach the experiment's settings."""

    def test_the_flag_turns_the_http_workload_off(self) -> None:
        """--no-http parses to http=False; without it the setting decides (None)."""
        assert _parser().parse_args(["run", "patroni-switchover", "--no-http"]).http is False
        assert _parser().parse_args(["run", "patroni-switchover"]).http is None

    def test_the_setting_turns_it_off_too(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """PAWS_CHAOS_HTTP=false is the same as --no-http."""
        monkeypatch.setenv("PAWS_CHAOS_HTTP", "false")
        assert load_chaos_settings().http is False

    def test_rates_are_validated_at_the_boundary(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A zero rate is refused naming the variable."""
        monkeypatch.setenv("PAWS_CHAOS_HTTP_RATE_PER_S", "0")
        with pytest.raises(CouldNotRun, match="PAWS_CHAOS_HTTP_RATE_PER_S"):
            load_chaos_settings()
