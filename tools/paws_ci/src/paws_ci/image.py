"""The runner image act runs jobs in: built here, FROM the project's own base image.

No registry is needed: the base comes from `paws-stack build` (debootstrap when offline), the
packages from the Debian mirror through the host's network, and the docker CLI and compose plugin
are the host's own binaries. The tag is a hash of all of that, so an unchanged definition is
never rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import EngineUnavailable, ImageBuildFailed, RunnerImageMissing

Report = Callable[[str], None]
REPOSITORY = "paws/ci-runner"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
COMPOSE_PLUGIN_DIRS = (
    Path("/usr/local/lib/docker/cli-plugins"),
    Path("/usr/libexec/docker/cli-plugins"),
    Path("/usr/lib/docker/cli-plugins"),
    Path.home() / ".docker" / "cli-plugins",
)


def dockerfile_text() -> str:
    return resources.files("paws_ci").joinpath("data/runner.Dockerfile").read_text("utf-8")


def _docker(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise EngineUnavailable(
            "no container engine: the `docker` command is not installed",
            "run `nox -s setup` (installs and starts the engine), then retry",
        ) from None


def require_engine() -> None:
    """Fail clearly unless a docker daemon answers."""
    result = _docker("info", "--format", "{{.ServerVersion}}")
    if result.returncode != 0:
        raise EngineUnavailable(
            f"no container engine answers: {result.stderr.strip().splitlines()[-1:] or '?'}",
            "start it with `nox -s setup` (or start dockerd), then retry",
        )


def image_exists(name: str) -> bool:
    return _docker("image", "inspect", name).returncode == 0


def host_binaries() -> tuple[Path, Path]:
    """The host's docker CLI and compose v2 plugin, copied into the image."""
    cli = shutil.which("docker")
    plugin = next(
        (d / "docker-compose" for d in COMPOSE_PLUGIN_DIRS if (d / "docker-compose").is_file()),
        None,
    )
    if cli is None or plugin is None:
        raise ImageBuildFailed(
            "the runner image needs the host's docker CLI and compose v2 plugin; "
            f"found CLI: {cli or 'no'}, compose plugin: {plugin or 'no'}",
            "run `nox -s setup`, which installs both",
        )
    return Path(cli).resolve(), plugin.resolve()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class RunnerImage:
    """The runner image for one base image and one set of host binaries."""

    base: str
    docker_cli: Path
    compose_plugin: Path

    @classmethod
    def for_host(cls, base: str) -> RunnerImage:
        cli, plugin = host_binaries()
        return cls(base=base, docker_cli=cli, compose_plugin=plugin)

    @property
    def tag(self) -> str:
        digest = hashlib.sha256()
        for part in (
            dockerfile_text(),
            self.base,
            _file_digest(self.docker_cli),
            _file_digest(self.compose_plugin),
            _file_digest(HOST_CA_BUNDLE) if HOST_CA_BUNDLE.is_file() else "",
        ):
            digest.update(part.encode())
        return digest.hexdigest()[:12]

    @property
    def name(self) -> str:
        return f"{REPOSITORY}:{self.tag}"

    def ensure(self, build: bool, report: Report) -> str:
        """The image name, building it first when missing and `build` allows."""
        name = self.name
        if image_exists(name):
            return name
        if not build:
            raise RunnerImageMissing(
                f"the runner image {name} is not built",
                "build it with `paws-ci build-image` (about 1 min), or drop --no-build",
            )
        self.build(report)
        return name

    def build(self, report: Report) -> None:
        if not image_exists(self.base):
            raise RunnerImageMissing(
                f"the base image {self.base} is not built",
                "build it with `paws-stack build` (or `nox -s setup`), then retry",
            )
        report(f"building runner image {self.name} from {self.base} (about 1 min)")
        with tempfile.TemporaryDirectory(prefix="paws-ci-image-") as tmp:
            context = Path(tmp)
            (context / "Dockerfile").write_text(dockerfile_text(), encoding="utf-8")
            shutil.copy2(self.docker_cli, context / "docker")
            shutil.copy2(self.compose_plugin, context / "docker-compose")
            bundle = context / "ca-certificates.crt"
            if HOST_CA_BUNDLE.is_file():
                shutil.copy2(HOST_CA_BUNDLE, bundle)
            else:  # no host bundle (macOS): keep the image's own
                bundle.write_text("", encoding="utf-8")
            result = subprocess.run(
                [
                    "docker",
                    "build",
                    "--network",
                    "host",
                    "--build-arg",
                    f"BASE_IMAGE={self.base}",
                    "-t",
                    self.name,
                    str(context),
                ],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "DOCKER_BUILDKIT": "0"},
            )
        if result.returncode != 0:
            tail = "\n    ".join((result.stdout + result.stderr).strip().splitlines()[-8:])
            raise ImageBuildFailed(
                f"building {self.name} failed:\n    {tail}",
                "check that the Debian mirror in the base image's apt sources is reachable",
            )


def base_image_for(repo: Path, report: Report, build: bool) -> str:
    """The project's base image name (paws_stack's plan), built with paws-stack if missing."""
    try:
        from paws_stack.images import ImagePlan
    except ImportError:
        raise RunnerImageMissing(
            "paws_stack is not installed, so the base image name is unknown",
            "install libs/paws_stack (nox -s ci does: `pip install -e libs/paws_stack`)",
        ) from None
    base: str = ImagePlan.for_definition(repo / "compose").base
    if image_exists(base) or not build:
        return base
    report(f"base image {base} missing: building it with `paws-stack build`")
    # The paws_stack that named the image builds it: same interpreter, no reliance on PATH.
    result = subprocess.run(
        [sys.executable, "-m", "paws_stack.cli", "build"], cwd=repo, check=False
    )
    if result.returncode != 0:
        raise ImageBuildFailed(
            f"`paws-stack build` failed (exit {result.returncode})",
            "see its message above; `nox -s setup` prepares the engine and images",
        )
    return base
