"""Targets: staging, a file, live:<endpoints>, or a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import snapshot

from paws_parity import CollectorError, EndpointsError, TargetError, resolve_target, write_snapshot
from paws_parity.endpoints import read_endpoints
from paws_parity.targets import collect_from


class TestResolve:
    def test_staging_is_bundled(self) -> None:
        """`staging` is the snapshot shipped in the package."""
        assert resolve_target("staging").name == "staging"

    def test_file(self, tmp_path: Path) -> None:
        """A path to a snapshot file loads that file."""
        path = write_snapshot(snapshot("mine"), tmp_path / "mine.yaml")
        assert resolve_target(str(path)).name == "mine"

    def test_unknown(self) -> None:
        """Anything else is a clear error naming the accepted forms."""
        with pytest.raises(TargetError, match="live:<endpoints file>"):
            resolve_target("prod")

    def test_live_without_file(self, tmp_path: Path) -> None:
        """live: with a missing endpoints file says which file."""
        with pytest.raises(EndpointsError, match="no endpoints file"):
            resolve_target(f"live:{tmp_path / 'none.yaml'}")


class TestEndpoints:
    def test_relative_paths_from_the_file(self, tmp_path: Path) -> None:
        """Password files and compose files are relative to the endpoints file."""
        path = tmp_path / "endpoints.yaml"
        path.write_text("redis: {url: 'redis://127.0.0.1:1/0', password_file: pw}\n"
                        "compose: {files: [compose.yaml]}\n")  # fmt: skip
        endpoints = read_endpoints(path)
        assert endpoints.redis is not None and endpoints.redis.password_file == tmp_path / "pw"
        assert endpoints.compose is not None and endpoints.compose.files == [
            tmp_path / "compose.yaml"
        ]

    def test_unknown_field_names_line(self, tmp_path: Path) -> None:
        """A misspelt component names its line."""
        path = tmp_path / "endpoints.yaml"
        path.write_text("name: x\nreddis: {url: 'redis://h'}\n")
        with pytest.raises(EndpointsError) as caught:
            read_endpoints(path)
        assert (caught.value.line, caught.value.field) == (2, "reddis")

    def test_unreachable_component_names_it(self, tmp_path: Path) -> None:
        """A component that does not answer fails the whole collection, naming it."""
        path = tmp_path / "endpoints.yaml"
        path.write_text("redis: {url: 'redis://127.0.0.1:9/0'}\ntimeout: 1\n")
        with pytest.raises(CollectorError) as caught:
            collect_from(path)
        assert caught.value.component == "redis"
        assert "could not collect redis" in str(caught.value)
