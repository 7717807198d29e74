"""Tests for paws_stack._debian: os-release, the configured mirror, and suite downloads."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from paws_stack import _debian
from paws_stack.errors import InstallError

DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://src.example.org/debian
Suites: bookworm

Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Enabled: no

Types: deb
URIs: http://ftp.de.debian.org/debian/
Suites: bookworm bookworm-updates
Components: main
"""


class TestOsRelease:
    def test_parses_quoted_and_unquoted_values(self) -> None:
        """Shell quoting is removed and comments are skipped."""
        text = '# comment\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'
        assert _debian.parse_os_release(text) == {
            "ID": "debian",
            "VERSION_ID": "12",
            "PRETTY_NAME": "Debian GNU/Linux 12",
        }

    def test_keeps_a_value_with_an_unbalanced_quote(self) -> None:
        """A malformed line does not make the whole file unreadable."""
        assert _debian.parse_os_release('NAME="Broken\n')["NAME"] == "Broken"

    def test_missing_file_is_empty(self, tmp_path: Path) -> None:
        """Hosts without /etc/os-release (macOS) give an empty dict, not an error."""
        assert _debian.os_release(tmp_path / "absent") == {}

    def test_reads_this_host(self) -> None:
        """This machine's os-release names its distribution."""
        if not _debian.OS_RELEASE.is_file():
            pytest.skip("no /etc/os-release on this host")
        assert _debian.os_release()["ID"]


class TestMirrorUrl:
    def test_deb822_picks_the_main_archive(self) -> None:
        """Security, deb-src and disabled stanzas are skipped; the main archive URI is kept."""
        uris = [u for u in _debian.uris_from_deb822(DEB822) if _debian.is_debian_archive(u)]
        assert uris == ["http://ftp.de.debian.org/debian/"]

    def test_one_line_format_with_options(self) -> None:
        """A [signed-by=...] block before the URI is skipped."""
        text = (
            "# deb http://commented.example/debian bookworm main\n"
            "deb-src http://src.example/debian bookworm main\n"
            "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main\n"
        )
        assert _debian.uris_from_one_line(text) == ["http://mirror.example/debian"]

    @pytest.mark.parametrize(
        ("uri", "expected"),
        [
            ("http://deb.debian.org/debian", True),
            ("https://snapshot.debian.org/archive/debian/20250520T000000Z", True),
            ("http://deb.debian.org/debian-security", False),
            ("https://deb.nodesource.com/node_20.x", False),
            ("mirror+file:/etc/apt/mirrors/debian.list", False),
        ],
    )
    def test_recognises_debian_archives(self, uri: str, expected: bool) -> None:
        """Only plain http(s) URIs with a `debian` path segment count as a Debian archive."""
        assert _debian.is_debian_archive(uri) is expected

    def test_sources_list_d_in_apt_order_and_suffix(self, tmp_path: Path) -> None:
        """Files are read in apt's order; files with other suffixes (disabled ones) are ignored."""
        parts = tmp_path / "sources.list.d"
        parts.mkdir()
        (parts / "a.list.disabled").write_text("deb http://disabled.example/debian trixie main\n")
        (parts / "b.sources").write_text(DEB822)
        (parts / "c.list").write_text("deb http://later.example/debian bookworm main\n")
        assert _debian.mirror_url(tmp_path) == "http://ftp.de.debian.org/debian"

    def test_defaults_when_nothing_is_configured(self, tmp_path: Path) -> None:
        """Without any Debian source the official redirector is used."""
        assert _debian.mirror_url(tmp_path) == _debian.DEFAULT_MIRROR

    def test_reads_this_machines_configuration(self) -> None:
        """On this host the mirror comes from the real apt sources and is a Debian archive."""
        if not _debian.APT_ETC.is_dir():
            pytest.skip("no apt on this host")
        url = _debian.mirror_url()
        assert _debian.is_debian_archive(url)
        assert not url.endswith("/")


class FakeApt:
    """Stands in for apt-get: records argv and 'downloads' by creating files in cwd."""

    def __init__(self, fail_on: str | None = None, create: bool = True) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on
        self.create = create

    def __call__(self, argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        verb = next(word for word in argv[1:] if word in ("update", "download"))
        if verb == self.fail_on:
            return subprocess.CompletedProcess(list(argv), 100, "", "E: Failed to fetch\n")
        if verb == "download" and self.create:
            for package in argv[argv.index("download") + 1 :]:
                (cwd / f"{package}_1.0-1_amd64.deb").write_bytes(b"deb")
        return subprocess.CompletedProcess(list(argv), 0, "", "")


@pytest.fixture
def keyring(tmp_path: Path) -> Path:
    path = tmp_path / "keyring.gpg"
    path.write_bytes(b"key")
    return path


class TestDownloadDebs:
    def test_uses_a_private_apt_state(
        self, tmp_path: Path, keyring: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every apt path points under dest/.apt-state; host sources and pins are not read."""
        fake = FakeApt()
        monkeypatch.setattr(_debian, "_run_apt", fake)
        dest = tmp_path / "debs"
        _debian.download_debs(
            ["etcd-server"], "trixie", dest, mirror="http://m/debian", keyring=keyring
        )
        argv = " ".join(fake.calls[0])
        state = dest / ".apt-state"
        assert f"Dir::State={state}/state" in argv
        assert f"Dir::Cache={state}/cache" in argv
        assert f"Dir::Etc::SourceList={state}/sources.list" in argv
        assert "Dir::Etc::SourceParts=/dev/null" in argv
        sources = (state / "sources.list").read_text()
        assert sources == f"deb [signed-by={keyring}] http://m/debian trixie main\n"

    def test_updates_then_downloads_and_returns_paths_in_dest(
        self, tmp_path: Path, keyring: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The files land in dest, one per package, in the order asked."""
        fake = FakeApt()
        monkeypatch.setattr(_debian, "_run_apt", fake)
        got = _debian.download_debs(
            ["etcd-server", "etcd-client"],
            "trixie",
            tmp_path,
            mirror="http://m/debian",
            keyring=keyring,
        )
        assert [c[-1] for c in fake.calls] == ["update", "etcd-client"]
        assert [p.name for p in got] == [
            "etcd-server_1.0-1_amd64.deb",
            "etcd-client_1.0-1_amd64.deb",
        ]
        assert all(p.parent == tmp_path and p.is_file() for p in got)

    def test_apt_failure_names_the_step(
        self, tmp_path: Path, keyring: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failing apt-get update raises InstallError naming the suite and apt's last line."""
        monkeypatch.setattr(_debian, "_run_apt", FakeApt(fail_on="update"))
        with pytest.raises(InstallError, match=r"update for Debian trixie.*Failed to fetch"):
            _debian.download_debs(
                ["x"], "trixie", tmp_path, mirror="http://m/debian", keyring=keyring
            )

    def test_missing_file_after_success_is_an_error(
        self, tmp_path: Path, keyring: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """apt-get exiting 0 without a .deb is reported, not silently returned as empty."""
        monkeypatch.setattr(_debian, "_run_apt", FakeApt(create=False))
        with pytest.raises(InstallError, match=r"no x_\*\.deb"):
            _debian.download_debs(
                ["x"], "trixie", tmp_path, mirror="http://m/debian", keyring=keyring
            )

    def test_missing_keyring_says_which_package(self, tmp_path: Path) -> None:
        """Without the archive keyring nothing is fetched and the fix names the package."""
        with pytest.raises(InstallError) as caught:
            _debian.download_debs(["x"], "trixie", tmp_path, keyring=tmp_path / "none.gpg")
        assert "debian-archive-keyring" in caught.value.remediation


class TestChooseMirror:
    """https where the configured sources have it; the configured http URL, said, otherwise."""

    @staticmethod
    def sources(tmp_path: Path, *uris: str) -> Path:
        lines = "".join(f"deb {uri} bookworm main\n" for uri in uris)
        (tmp_path / "sources.list").write_text(lines, "utf-8")
        return tmp_path

    def test_configured_https_wins_without_probing(self, tmp_path: Path) -> None:
        """An https archive among the sources is used as is, and nothing is probed."""
        etc = self.sources(tmp_path, "http://a.example/debian", "https://b.example/debian/")
        probed: list[str] = []
        choice = _debian.choose_mirror("bookworm", etc, lambda url, _: probed.append(url) or True)
        assert (choice.url, choice.https, choice.note, probed) == (
            "https://b.example/debian",
            True,
            "",
            [],
        )

    def test_http_mirror_upgraded_when_it_serves_https(self, tmp_path: Path) -> None:
        """An http mirror that answers over https is used over https, and the log says so."""
        etc = self.sources(tmp_path, "http://deb.example/debian")
        probed: list[tuple[str, str]] = []
        choice = _debian.choose_mirror(
            "bookworm", etc, lambda url, suite: probed.append((url, suite)) or True
        )
        assert choice.url == "https://deb.example/debian" and choice.https
        assert probed == [("https://deb.example/debian", "bookworm")]
        assert "also serves https" in choice.note

    def test_http_only_mirror_falls_back_and_says_so(self, tmp_path: Path) -> None:
        """Without https the configured http URL is kept; the note names it and the keyring."""
        etc = self.sources(tmp_path, "http://old.example/debian")
        choice = _debian.choose_mirror("bookworm", etc, lambda url, suite: False)
        assert choice.url == "http://old.example/debian" and not choice.https
        assert "does not answer over https" in choice.note
        assert str(_debian.ARCHIVE_KEYRING) in choice.note

    def test_nothing_configured_probes_the_default(self, tmp_path: Path) -> None:
        """No Debian source at all: the official redirector, over https if it answers."""
        choice = _debian.choose_mirror("bookworm", tmp_path, lambda url, suite: True)
        assert choice.url == _debian.https_variant(_debian.DEFAULT_MIRROR)

    def test_probe_of_a_closed_port_is_false(self) -> None:
        """The real probe returns False (no exception) when nothing listens."""
        assert _debian.https_answers("https://127.0.0.1:9/debian", "bookworm") is False


def test_missing_keyring_is_refused_with_the_fix(tmp_path: Path) -> None:
    """No archive keyring: an InstallError whose fix installs debian-archive-keyring."""
    with pytest.raises(InstallError, match="refuses to install unverified") as caught:
        _debian.require_keyring(tmp_path / "missing.gpg")
    assert caught.value.remediation == "apt-get install -y debian-archive-keyring"
