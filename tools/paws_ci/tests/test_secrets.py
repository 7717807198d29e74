"""Secrets: where they come from, and that they are masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_ci import PawsCiError
from paws_ci.secrets import load_secrets, masker


class TestSources:
    def test_user_file_wins(self, tmp_path: Path) -> None:
        """--secret-file is handed to act as is; its values are known for masking."""
        given = tmp_path / "s.env"
        given.write_text("A=alpha-value\n", "utf-8")
        secrets = load_secrets(given, tmp_path / "default")
        assert secrets.file == given
        assert secrets.values == ("alpha-value",)
        assert secrets.by_env == {}

    def test_paws_secrets_directory(self, tmp_path: Path) -> None:
        """A directory of files becomes NAME=value secrets passed through the environment."""
        folder = tmp_path / "secrets"
        folder.mkdir()
        (folder / "redis_password").write_text("r3dis-secret\n", "utf-8")
        secrets = load_secrets(None, folder)
        assert secrets.by_env == {"REDIS_PASSWORD": "r3dis-secret"}
        assert secrets.file is None

    def test_missing_user_file_is_an_error(self, tmp_path: Path) -> None:
        """A --secret-file that does not exist is named."""
        with pytest.raises(PawsCiError, match="not found"):
            load_secrets(tmp_path / "nope", tmp_path / "default")

    def test_nothing_is_fine(self, tmp_path: Path) -> None:
        """No secrets anywhere: act runs without any."""
        assert load_secrets(None, tmp_path / "none").values == ()


def test_masker_hides_longest_first() -> None:
    """Overlapping secrets are masked completely."""
    mask = masker(("abc", "abcdef"))
    assert mask("x abcdef y abc") == "x *** y ***"


def test_secrets_repr_hides_the_values(tmp_path: Path) -> None:
    """A Secrets object in a traceback or log shows where secrets come from, not their values."""
    (tmp_path / "redis_password").write_text("value-SECRET", "utf-8")
    secrets = load_secrets(None, tmp_path)
    assert secrets.values == ("value-SECRET",)
    assert "SECRET" not in repr(secrets)
