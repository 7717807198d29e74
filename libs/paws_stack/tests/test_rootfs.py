"""Tests for paws_stack._rootfs: debootstrap always verifies; no keyring, no build."""

from __future__ import annotations

from pathlib import Path

import pytest

from paws_stack import _debian, _rootfs
from paws_stack.errors import ImageBuildError
from paws_stack.versions import Pins

PINS = Pins("bookworm", "trixie", "debian@sha256:" + "0" * 64, {}, ("curl", "procps"), ())


def test_debootstrap_gets_the_keyring_and_forces_signature_checks(tmp_path: Path) -> None:
    """The keyring is explicit, unsigned input is refused, and --no-check-gpg never appears."""
    keyring = tmp_path / "k.gpg"
    argv = _rootfs.debootstrap_argv(tmp_path / "root", PINS, "https://m.example/debian", keyring)
    assert f"--keyring={keyring}" in argv
    assert "--force-check-gpg" in argv
    assert not any(arg.startswith("--no-check") for arg in argv)
    assert argv[-3:] == ["bookworm", str(tmp_path / "root"), "https://m.example/debian"]


def test_build_without_keyring_stops_before_anything_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No keyring: one ImageBuildError with the apt-get fix, and no root filesystem is made."""
    monkeypatch.setattr(_rootfs, "_require_root", lambda: None)
    monkeypatch.setattr(_debian, "ARCHIVE_KEYRING", tmp_path / "absent.gpg")
    with pytest.raises(ImageBuildError) as caught:
        _rootfs.build_base_from_debian("paws/base:x", PINS, tmp_path, tmp_path / "work", print)
    assert caught.value.remediation == "apt-get install -y debian-archive-keyring"
    assert not (tmp_path / "work").exists()


def test_sources_use_the_chosen_mirror_for_updates_and_security() -> None:
    """The root filesystem's apt sources follow the mirror, https included."""
    text = _rootfs.apt_sources("bookworm", "https://deb.debian.org/debian")
    assert "deb https://deb.debian.org/debian-security bookworm-security main" in text
    assert "http://" not in text


def test_chroot_apt_uses_the_host_cas_only_while_present(tmp_path: Path) -> None:
    """apt in the chroot trusts the host's CA bundle (TLS proxies) only when it was copied in."""
    assert "-o" not in _rootfs._chroot_apt(tmp_path, "update")
    with _rootfs._build_ca(tmp_path, "https://m.example/debian"):
        if _rootfs.HOST_CA_BUNDLE.is_file():
            argv = _rootfs._chroot_apt(tmp_path, "update")
            assert f"Acquire::https::CAInfo=/{_rootfs.BUILD_CA}" in argv
    assert not (tmp_path / _rootfs.BUILD_CA).exists()
