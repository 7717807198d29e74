"""Tests for paws_stack.versions: reading compose/versions.toml and checking installed versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from paws_stack.errors import ImageBuildError
from paws_stack.versions import Pins, load_pins, mismatches, parse_manifest

COMPOSE_DIR = Path(__file__).resolve().parents[3] / "compose"


@pytest.fixture(scope="module")
def pins() -> Pins:
    """The pins in the repository's compose/versions.toml."""
    return load_pins(COMPOSE_DIR)


class TestLoadPins:
    def test_components(self, pins: Pins) -> None:
        """Every component the stack runs is pinned."""
        assert sorted(pins.components) == [
            "etcd",
            "haproxy",
            "java",
            "node",
            "patroni",
            "postgres_exporter",
            "postgresql",
            "prometheus",
            "redis",
            "redis_exporter",
        ]

    def test_debian_pins_are_prefixes(self, pins: Pins) -> None:
        """Debian pins are prefixes ending at a series boundary (e.g. "15."); the PyPI pin
        (Patroni) is exact, since PyPI keeps every release."""
        debian = {name: v for name, v in pins.components.items() if name != "patroni"}
        assert all(prefix.endswith(".") for prefix in debian.values())
        assert pins.components["patroni"] == "3.0.4"

    def test_wheels_are_pinned_by_sha256(self, pins: Pins) -> None:
        """Every wheel has a 64-hex-digit sha256."""
        assert pins.wheels
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in pins.wheels.values())

    def test_debian_section(self, pins: Pins) -> None:
        """The Debian suites and the registry base image are read."""
        assert (pins.base_suite, pins.backports_suite) == ("bookworm", "trixie")
        assert pins.registry_base.startswith("debian:12-slim@sha256:")

    @pytest.mark.parametrize(
        "reference",
        [
            "debian:12-slim",
            "debian:latest",
            "debian@sha256:abc",
            "debian:12-slim@sha256:" + "G" * 64,
        ],
    )
    def test_registry_base_must_be_a_digest(self, tmp_path: Path, reference: str) -> None:
        """A tag (or a malformed digest) is refused with how to pin it, before any build."""
        text = (COMPOSE_DIR / "versions.toml").read_text("utf-8")
        pinned = load_pins(COMPOSE_DIR).registry_base
        (tmp_path / "versions.toml").write_text(text.replace(pinned, reference), "utf-8")
        with pytest.raises(ImageBuildError, match="mutable tag") as caught:
            load_pins(tmp_path)
        assert "imagetools inspect" in caught.value.remediation

    def test_registry_dockerfile_has_no_default_tag(self) -> None:
        """The registry Dockerfile takes its base only from the pin, never a default tag."""
        dockerfile = (COMPOSE_DIR / "images/base/Dockerfile.registry").read_text("utf-8")
        assert "ARG REGISTRY_BASE\n" in dockerfile and "ARG REGISTRY_BASE=" not in dockerfile

    def test_packages(self, pins: Pins) -> None:
        """The package lists are tuples, with etcd coming from backports."""
        assert isinstance(pins.packages, tuple) and "postgresql-15" in pins.packages
        assert "etcd-server" in pins.backport_packages

    def test_every_pin_is_recorded_by_the_image(self, pins: Pins) -> None:
        """finish-rootfs.sh writes a `name=` line for each pinned component (else the builder
        would refuse every image: `missing`), and each Debian one is in a package list."""
        script = (COMPOSE_DIR / "images/base/finish-rootfs.sh").read_text("utf-8")
        recorded = set(re.findall(r"^\s*(?:dpkg-query -W -f=|printf )'(\w+)=", script, re.M))
        assert recorded == set(pins.components)
        components = tomllib.loads((COMPOSE_DIR / "versions.toml").read_text("utf-8"))
        debian = [c["package"] for c in components["components"].values() if "source" not in c]
        assert set(debian) <= set(pins.packages) | set(pins.backport_packages)

    @pytest.mark.parametrize(
        "text",
        [
            "this is = not [toml",
            '[debian]\nbase_suite = "bookworm"\n',
            "",
        ],
        ids=["syntax", "missing-sections", "empty"],
    )
    def test_malformed_file_names_it(self, tmp_path: Path, text: str) -> None:
        """A malformed or incomplete file is an ImageBuildError naming the file."""
        (tmp_path / "versions.toml").write_text(text, "utf-8")
        with pytest.raises(ImageBuildError) as caught:
            load_pins(tmp_path)
        assert str(tmp_path / "versions.toml") in caught.value.message
        assert "git checkout compose/versions.toml" in caught.value.remediation

    def test_missing_file_names_it(self, tmp_path: Path) -> None:
        """An absent file is an ImageBuildError naming where it was looked for."""
        with pytest.raises(ImageBuildError, match=r"versions\.toml"):
            load_pins(tmp_path)


class TestMismatches:
    @pytest.fixture
    def small(self) -> Pins:
        return Pins(
            "bookworm", "trixie", "debian:12-slim", {"redis": "5:7.0.", "etcd": "3.5."}, (), ()
        )

    def test_matching_prefix_is_accepted(self, small: Pins) -> None:
        """Installed versions starting with the pinned prefix pass."""
        assert mismatches(small, {"redis": "5:7.0.15-1~deb12u1", "etcd": "3.5.16-4"}) == []

    def test_wrong_prefix_is_found(self, small: Pins) -> None:
        """A different series is reported with pin and installed version."""
        found = mismatches(small, {"redis": "5:7.2.4-1", "etcd": "3.5.16-4"})
        assert found == ["redis: pinned 5:7.0.*, installed 5:7.2.4-1"]

    def test_prefix_is_not_a_substring_match(self, small: Pins) -> None:
        """3.5. does not accept 3.50.x: the prefix is compared from the start, dot included."""
        assert mismatches(small, {"redis": "5:7.0.1", "etcd": "3.50.1"}) == [
            "etcd: pinned 3.5.*, installed 3.50.1"
        ]

    def test_missing_component_is_reported(self, small: Pins) -> None:
        """A pinned component absent from the image is reported as missing."""
        assert mismatches(small, {"redis": "5:7.0.1"}) == ["etcd: pinned 3.5.*, installed missing"]

    def test_real_pins_accept_real_versions(self, pins: Pins) -> None:
        """The repository's pins accept Debian's current versions of each component."""
        installed = {
            "postgresql": "15.10-0+deb12u1",
            "patroni": "3.0.4",
            "etcd": "3.5.16-4",
            "redis": "5:7.0.15-1~deb12u1",
            "haproxy": "2.6.12-1+deb12u1",
            "java": "17.0.17+10-1~deb12u1",
            "node": "18.20.4+dfsg-1~deb12u1",
            "postgres_exporter": "0.11.1-3+b5",
            "redis_exporter": "1.45.0-2+b4",
            "prometheus": "2.42.0+ds-5+deb12u1",
        }
        assert mismatches(pins, installed) == []


class TestParseManifest:
    def test_name_value_lines(self) -> None:
        """`name=version` lines become a dict; blank and malformed lines are skipped."""
        text = "postgresql=15.10-0+deb12u1\n\nnot a pair\n redis = 5:7.0.15 \n"
        assert parse_manifest(text) == {"postgresql": "15.10-0+deb12u1", "redis": "5:7.0.15"}

    def test_value_may_contain_equals(self) -> None:
        """Only the first `=` separates name from version."""
        assert parse_manifest("odd=1=2\n") == {"odd": "1=2"}
