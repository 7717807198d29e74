"""Debian helpers shared by the installer and the image builder.

`download_debs` fetches .deb files of another Debian suite (say trixie on a bookworm host) through
apt-get with a private state, cache and sources directory, so the host's own package lists are never
touched and stay those of the installed release.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .errors import InstallError

DEFAULT_MIRROR = "http://deb.debian.org/debian"
ARCHIVE_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
APT_ETC = Path("/etc/apt")
OS_RELEASE = Path("/etc/os-release")
APT_TIMEOUT = 600.0
HTTPS_PROBE_TIMEOUT = 5.0
KEYRING_FIX = "apt-get install -y debian-archive-keyring"


def parse_os_release(text: str) -> dict[str, str]:
    """Parse os-release(5) text: KEY=value lines, values optionally shell-quoted.

    >>> parse_os_release('ID=debian\\nVERSION_ID="12"\\n# note\\n')
    {'ID': 'debian', 'VERSION_ID': '12'}
    """
    fields: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            parts = shlex.split(raw)
        except ValueError:  # an unbalanced quote: keep the raw text rather than fail
            parts = [raw.strip("\"'")]
        fields[key.strip()] = parts[0] if parts else ""
    return fields


def os_release(path: Path = OS_RELEASE) -> dict[str, str]:
    """The host's /etc/os-release as a dict; empty when the file is absent (macOS)."""
    try:
        return parse_os_release(path.read_text(encoding="utf-8"))
    except OSError:
        return {}


def is_debian_archive(uri: str) -> bool:
    """Whether `uri` is a Debian main archive (a mirror or a snapshot), not security or a 3rd party.

    >>> is_debian_archive("http://deb.debian.org/debian/")
    True
    >>> is_debian_archive("http://snapshot.debian.org/archive/debian/20250520T000000Z")
    True
    >>> is_debian_archive("http://deb.debian.org/debian-security")
    False
    """
    parsed = urlparse(uri)
    if parsed.scheme not in ("http", "https"):
        # mirror+file:, cdrom:, tor+http: ... cannot be handed to a private apt as a plain URI.
        return False
    return "debian" in parsed.path.split("/")


def uris_from_deb822(text: str) -> list[str]:
    """URIs of the enabled binary (`Types: deb`) stanzas of a deb822 .sources file."""
    uris: list[str] = []
    for stanza in _deb822_stanzas(text):
        if "deb" not in stanza.get("types", "").split():
            continue
        if stanza.get("enabled", "yes").lower() == "no":
            continue
        uris.extend(stanza.get("uris", "").split())
    return uris


def _deb822_stanzas(text: str) -> list[dict[str, str]]:
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                stanzas.append(current)
            current = {}
            continue
        if line.lstrip().startswith("#") or ":" not in line or line[0].isspace():
            continue  # comments and continuation lines (long Signed-By keys) carry no URI
        key, _, value = line.partition(":")
        current[key.strip().lower()] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def uris_from_one_line(text: str) -> list[str]:
    """URIs of the `deb ...` lines of a one-line-style sources.list."""
    uris: list[str] = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        rest = words[1:]
        if rest and rest[0].startswith("["):  # skip the [option=value ...] block
            while rest and not rest[0].endswith("]"):
                rest = rest[1:]
            rest = rest[1:]
        if rest:
            uris.append(rest[0])
    return uris


def _source_files(etc_apt: Path) -> Iterable[tuple[Path, bool]]:
    """Source files in apt's own order, with whether each is deb822."""
    yield etc_apt / "sources.list", False
    parts = etc_apt / "sources.list.d"
    if parts.is_dir():
        for path in sorted(parts.iterdir()):
            if path.suffix in (".list", ".sources"):
                yield path, path.suffix == ".sources"


def debian_archives(etc_apt: Path = APT_ETC) -> list[str]:
    """Every Debian main archive the host's apt uses, in apt's order, without a trailing slash."""
    found: list[str] = []
    for path, deb822 in _source_files(etc_apt):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        uris = uris_from_deb822(text) if deb822 else uris_from_one_line(text)
        found.extend(uri.rstrip("/") for uri in uris if is_debian_archive(uri))
    return found


def mirror_url(etc_apt: Path = APT_ETC) -> str:
    """The Debian mirror the host's apt already uses, so we fetch from where the admin chose."""
    return next(iter(debian_archives(etc_apt)), DEFAULT_MIRROR)


def https_variant(uri: str) -> str:
    """The same mirror over https.

    >>> https_variant("http://deb.debian.org/debian")
    'https://deb.debian.org/debian'
    """
    return "https://" + uri.split("://", 1)[1]


def https_answers(mirror: str, suite: str) -> bool:
    """Whether `mirror` serves `suite`'s signed index (InRelease) over https (host's CAs)."""
    if not mirror.startswith("https://"):
        return False
    # The scheme is checked above: urlopen never sees file: or a custom scheme.
    request = urllib.request.Request(f"{mirror}/dists/{suite}/InRelease", method="HEAD")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=HTTPS_PROBE_TIMEOUT) as answer:  # noqa: S310
            return int(answer.status) == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


@dataclass(frozen=True)
class MirrorChoice:
    """The mirror to build from, and what to tell the user about its transport."""

    url: str
    note: str = ""

    @property
    def https(self) -> bool:
        return self.url.startswith("https://")


def choose_mirror(
    suite: str,
    etc_apt: Path = APT_ETC,
    probe: Callable[[str, str], bool] = https_answers,
) -> MirrorChoice:
    """The configured mirror over https when it has https, else the configured http URL, said.

    A configured https archive wins; a configured http one is tried over https first (most
    mirrors serve both). Either way every package is verified against the archive keyring:
    https hides what is fetched and stops a stale-mirror replay, it does not replace signatures.
    """
    configured = debian_archives(etc_apt) or [DEFAULT_MIRROR]
    secure = next((uri for uri in configured if uri.startswith("https://")), None)
    if secure:
        return MirrorChoice(secure)
    plain = configured[0]
    upgraded = https_variant(plain)
    if probe(upgraded, suite):
        return MirrorChoice(upgraded, f"the configured mirror {plain} also serves https: using it")
    return MirrorChoice(
        plain,
        f"the configured mirror {plain} does not answer over https: using http "
        f"(packages are still verified against {ARCHIVE_KEYRING})",
    )


def require_keyring(keyring: Path | None = None) -> Path:
    """The archive keyring, or a clear error: without it nothing fetched could be verified."""
    keyring = keyring or ARCHIVE_KEYRING
    if not keyring.is_file():
        raise InstallError(
            f"the Debian archive keyring {keyring} is missing, so Debian's packages cannot be "
            "verified; paws refuses to install unverified packages",
            KEYRING_FIX,
        )
    return keyring


def _apt_options(state: Path) -> list[str]:
    # Every path apt would read or write points into `state`; the host's lists, caches and
    # pinning are neither read nor changed. The dpkg status file is left alone: `download` only
    # reads it to print nothing useful, and it never writes it.
    options = {
        "Dir::State": state / "state",
        "Dir::Cache": state / "cache",
        "Dir::Etc::SourceList": state / "sources.list",
        "Dir::Etc::SourceParts": "/dev/null",
        "Dir::Etc::Preferences": "/dev/null",
        "Dir::Etc::PreferencesParts": "/dev/null",
        "Acquire::Languages": "none",
        # As root apt drops to the _apt user, which cannot enter our private (0700) directory;
        # the archive signature is still verified against the keyring.
        "APT::Sandbox::User": "root",
    }
    argv: list[str] = []
    for key, value in options.items():
        argv += ["-o", f"{key}={value}"]
    return argv


def _prepare_state(state: Path, mirror: str, suite: str, keyring: Path) -> None:
    for sub in ("state/lists/partial", "cache/archives/partial", "download"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    line = f"deb [signed-by={keyring}] {mirror} {suite} main\n"
    (state / "sources.list").write_text(line, encoding="utf-8")


def _run_apt(argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run apt-get; a seam the tests replace."""
    return subprocess.run(
        list(argv), cwd=cwd, capture_output=True, text=True, timeout=APT_TIMEOUT, check=False
    )


def _apt_get(args: Sequence[str], state: Path, cwd: Path, what: str) -> None:
    try:
        result = _run_apt(["apt-get", "-q", *_apt_options(state), *args], cwd)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{what} failed: {exc}", "check that apt-get is installed") from exc
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise InstallError(
            f"{what} failed (exit {result.returncode}): {' / '.join(last)}",
            "check network access to the Debian mirror in /etc/apt/sources.list*",
        )


def _collect(download: Path, packages: Sequence[str], dest: Path) -> list[Path]:
    found: list[Path] = []
    for package in packages:
        matches = sorted(download.glob(f"{package}_*.deb"))
        if not matches:
            raise InstallError(
                f"apt-get reported success but no {package}_*.deb was downloaded",
                "re-run; if it persists, report it with the apt output",
            )
        target = dest / matches[-1].name
        shutil.move(str(matches[-1]), target)
        found.append(target)
    return found


def download_debs(
    packages: Sequence[str],
    suite: str,
    dest: Path,
    *,
    mirror: str | None = None,
    keyring: Path = ARCHIVE_KEYRING,
) -> list[Path]:
    """Download the .deb files of `packages` from Debian `suite` into `dest`, without dependencies.

    apt's state lives in `dest/.apt-state`, which is reused as a cache on the next call.
    """
    require_keyring(keyring)
    dest.mkdir(parents=True, exist_ok=True)
    state = dest / ".apt-state"
    _prepare_state(state, mirror or mirror_url(), suite, keyring)
    download = state / "download"
    for stale in download.glob("*.deb"):  # a previous, interrupted run must not leak in
        stale.unlink()
    _apt_get(["update"], state, download, f"apt-get update for Debian {suite}")
    _apt_get(["download", *packages], state, download, f"downloading {', '.join(packages)}")
    return _collect(download, packages, dest)
