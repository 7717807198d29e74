"""The no-registry path: a Debian root filesystem built with debootstrap, then `docker import`.

Needs root (debootstrap and chroot do) and Debian's package mirror; nothing else. The result
holds the same packages as the registry path, security updates included.

Everything fetched is verified: debootstrap gets the archive keyring explicitly and
`--force-check-gpg` (it never runs unsigned, and `--no-check-gpg` is never passed), and the mirror
is used over https whenever it serves https.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import _debian
from ._wheels import wheel_dir
from .buildlog import BuildReport
from .errors import ImageBuildError, InstallError
from .versions import Pins

Report = BuildReport
IMAGE_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8")
FINISH_SCRIPT = Path("images/base/finish-rootfs.sh")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Where the host's CAs sit inside the root filesystem while apt runs there: behind a
# TLS-intercepting proxy only they verify the mirror. Removed before the import.
BUILD_CA = Path("tmp/paws-host-ca.crt")

log = logging.getLogger(__name__)


def build_base_from_debian(
    tag: str, pins: Pins, compose_dir: Path, work_dir: Path, report: Report
) -> None:
    """Debootstrap, add backports and updates, run the shared finish script, import."""
    _require_root()
    keyring = _require_keyring()
    _require_debootstrap(report)
    mirror = _choose_mirror(pins.base_suite, report)
    rootfs = work_dir / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    rootfs.mkdir(parents=True)
    try:
        report(f"debootstrap {pins.base_suite} with {len(pins.packages)} packages (~1.5 min)")
        _run(debootstrap_argv(rootfs, pins, mirror, keyring), "debootstrap", report, "I: ")
        with _mounted_proc(rootfs), _build_ca(rootfs, mirror):
            _apply_updates(rootfs, pins.base_suite, mirror, report)
            _unpack_backports(rootfs, pins, work_dir, mirror, report)
            _copy_wheels(rootfs, compose_dir, report)
            _run_finish_script(rootfs, compose_dir / FINISH_SCRIPT, report)
        _import(rootfs, tag, report)
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise ImageBuildError(
            "building images from Debian packages needs root: debootstrap and chroot do",
            'run setup as root (`sudo "$(command -v paws-stack)" setup`), or build from a '
            "registry: `paws-stack setup --source registry`",
        )


def _require_debootstrap(report: Report) -> None:
    if shutil.which("debootstrap"):
        return
    report("installing debootstrap")
    _run(["apt-get", "update", "-q"], "apt-get update", report)
    _run(
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "debootstrap"],
        "installing debootstrap",
        report,
    )


def _require_keyring() -> Path:
    """Checked before anything is fetched or created: no keyring, no build."""
    try:
        return _debian.require_keyring()
    except InstallError as exc:
        raise ImageBuildError(exc.message, exc.remediation) from None


def _choose_mirror(suite: str, report: Report) -> str:
    choice = _debian.choose_mirror(suite)
    if choice.note:
        report(choice.note)
        log.log(logging.INFO if choice.https else logging.WARNING, choice.note)
    return choice.url


def debootstrap_argv(rootfs: Path, pins: Pins, mirror: str, keyring: Path) -> list[str]:
    """debootstrap's argv: the Release file must verify against `keyring`, or it stops."""
    return [
        "debootstrap",
        "--variant=minbase",
        f"--keyring={keyring}",
        "--force-check-gpg",
        f"--include={','.join(pins.packages)}",
        pins.base_suite,
        str(rootfs),
        mirror,
    ]


def apt_sources(suite: str, mirror: str) -> str:
    """The root filesystem's sources.list: the suite, its updates and its security fixes.

    >>> print(apt_sources("bookworm", "https://deb.debian.org/debian"), end="")
    deb https://deb.debian.org/debian bookworm main
    deb https://deb.debian.org/debian bookworm-updates main
    deb https://deb.debian.org/debian-security bookworm-security main
    """
    security = mirror.rstrip("/").removesuffix("/debian") + "/debian-security"
    return (
        f"deb {mirror} {suite} main\n"
        f"deb {mirror} {suite}-updates main\n"
        f"deb {security} {suite}-security main\n"
    )


@contextmanager
def _build_ca(rootfs: Path, mirror: str) -> Iterator[None]:
    """The host's CA bundle inside the root filesystem while apt runs there over https."""
    target = rootfs / BUILD_CA
    if mirror.startswith("https://") and HOST_CA_BUNDLE.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HOST_CA_BUNDLE, target)
    try:
        yield
    finally:
        target.unlink(missing_ok=True)


def _chroot_apt(rootfs: Path, *args: str) -> list[str]:
    ca = ["-o", f"Acquire::https::CAInfo=/{BUILD_CA}"] if (rootfs / BUILD_CA).is_file() else []
    return ["env", "DEBIAN_FRONTEND=noninteractive", "chroot", str(rootfs), "apt-get", *ca, *args]


def _apply_updates(rootfs: Path, suite: str, mirror: str, report: Report) -> None:
    """The registry path installs with updates and security fixes; so does this one."""
    (rootfs / "etc/apt/sources.list").write_text(apt_sources(suite, mirror), encoding="utf-8")
    report("applying Debian updates and security fixes")
    _run(_chroot_apt(rootfs, "-q", "update"), "apt-get update", report)
    _run(_chroot_apt(rootfs, "-q", "-y", "upgrade"), "apt-get upgrade", report)


def _unpack_backports(
    rootfs: Path, pins: Pins, work_dir: Path, mirror: str, report: Report
) -> None:
    report(f"adding {', '.join(pins.backport_packages)} from {pins.backports_suite}")
    try:
        debs = _debian.download_debs(
            pins.backport_packages, pins.backports_suite, work_dir / "debs", mirror=mirror
        )
    except InstallError as exc:
        raise ImageBuildError(exc.message, exc.remediation) from None
    for deb in debs:
        _run(["dpkg-deb", "-x", str(deb), str(rootfs)], f"unpacking {deb.name}", report)


def _copy_wheels(rootfs: Path, compose_dir: Path, report: Report) -> None:
    """The pinned wheels (fetched by images.build_images) for the finish script to install."""
    wheels = sorted(wheel_dir(compose_dir).glob("*.whl"))
    if wheels:
        report(f"adding {', '.join(w.name for w in wheels)}")
        target = rootfs / "tmp" / "wheels"
        target.mkdir(parents=True, exist_ok=True)
        for wheel in wheels:
            shutil.copyfile(wheel, target / wheel.name)


def _run_finish_script(rootfs: Path, script: Path, report: Report) -> None:
    """The same last step as the registry path's Dockerfile runs."""
    target = rootfs / "tmp" / script.name
    shutil.copyfile(script, target)
    _run(
        ["chroot", str(rootfs), "sh", f"/{target.relative_to(rootfs)}"],
        "finishing the root filesystem",
        report,
    )
    target.unlink()


def _import(rootfs: Path, tag: str, report: Report) -> None:
    report(f"importing the root filesystem as {tag}")
    changes = [arg for env in IMAGE_ENV for arg in ("--change", f"ENV {env}")]
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    result = subprocess.run(
        # Podman's CLI takes the same arguments, where it is the engine and docker is absent.
        [shutil.which("docker") or "podman", "import", *changes, "-", tag],
        stdin=tar.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    tar.wait()
    if tar.returncode != 0 or result.returncode != 0:
        raise ImageBuildError(
            f"docker import of {tag} failed: {result.stderr.strip()}",
            "check free disk space and that the Docker daemon is running",
        )


@contextmanager
def _mounted_proc(rootfs: Path) -> Iterator[None]:
    proc = rootfs / "proc"
    proc.mkdir(exist_ok=True)
    mounted = (
        subprocess.run(
            ["mount", "-t", "proc", "proc", str(proc)], check=False, capture_output=True
        ).returncode
        == 0
    )
    try:
        yield
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(proc)], check=False, capture_output=True)


def _run(argv: Sequence[str], what: str, report: Report, progress_prefix: str = "") -> None:
    """Run a build step: every line to the build log, a count per phase to the progress bar,
    and on failure its last lines and the log's name."""
    tail: list[str] = []
    counts: dict[str, int] = {}
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as process:
        for line in process.stdout or ():
            line = line.rstrip()
            tail = [*tail[-19:], line]
            report.raw(line)
            # debootstrap prints one line per package and phase ("I: Retrieving libc6"), apt
            # one per download ("Get:3 ...") and per package set up: count them per phase.
            phase = _phase(line.removeprefix(progress_prefix) if progress_prefix else line)
            if phase:
                counts[phase] = counts.get(phase, 0) + 1
                report.count(f"{what}: {phase}", counts[phase], None)
    if process.returncode != 0:
        raise ImageBuildError(
            f"{what} failed (exit {process.returncode}):\n    " + "\n    ".join(tail[-8:]),
            f"the whole output is in {report.log_path}; check the Debian mirror in "
            "/etc/apt/sources.list* is reachable, then retry `paws-stack setup`",
        )


# The first word of a progress line, as debootstrap and apt print them, and what it counts.
PHASES = {
    "Retrieving": "packages fetched",
    "Get:": "packages fetched",
    "Extracting": "packages extracted",
    "Unpacking": "packages unpacked",
    "Configuring": "packages configured",
    "Setting": "packages set up",
}


def _phase(line: str) -> str | None:
    """What a tool's progress line counts, or None for other output.

    >>> _phase("Retrieving libc6 2.36-9"), _phase("Setting up curl (7.88)"), _phase("done")
    ('packages fetched', 'packages set up', None)
    """
    return PHASES.get(line.split(" ", 1)[0])
