"""Build the stack's images, with a registry or without one.

One definition, two ways to the base image:
- registry: `docker build` of images/base/Dockerfile.registry on Debian's slim image;
- debian: debootstrap a root filesystem from Debian packages and `docker import` it
  (air-gapped machines, or where no registry answers).
The per-service images then add only files on top of the base, with no network.
Images are tagged by a hash of their definition, so an unchanged definition is never rebuilt,
and a change rebuilds only the images whose inputs it touches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._wheels import ensure_wheels
from .buildlog import BuildReport
from .errors import ImageBuildError
from .versions import Pins, load_pins, mismatches, parse_manifest

Source = Literal["registry", "debian"]
Report = BuildReport
# `app` is the base of the applications' images (apps/*/Dockerfile: FROM ${PAWS_APP_BASE}).
SERVICE_IMAGES = ("postgres", "etcd", "redis", "haproxy", "app")
REPOSITORY = "paws"
BASE_INPUTS = ("versions.toml", "images/base")


def _hash_inputs(compose_dir: Path, inputs: tuple[str, ...], seed: str = "") -> str:
    digest = hashlib.sha256(seed.encode())
    for relative in inputs:
        root = compose_dir / relative
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(compose_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def copied_sources(dockerfile: Path) -> tuple[str, ...]:
    """The build-context paths a Dockerfile COPYs or ADDs: with the Dockerfile itself, an image's
    inputs. Read from the Dockerfile so that a new COPY can never leave an image stale."""
    sources: list[str] = []
    for line in dockerfile.read_text("utf-8").splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        if any(w.startswith("--from") for w in words[1:]):
            continue  # from another build stage, not from the context
        paths = [w for w in words[1:] if not w.startswith("--")]
        sources.extend(p.rstrip("/") for p in paths[:-1])
    return tuple(sources)


def service_inputs(compose_dir: Path, name: str) -> tuple[str, ...]:
    """What service image `name` is built from: images/<name>/ and what its Dockerfile copies."""
    own = f"images/{name}"
    return (own, *copied_sources(compose_dir / own / "Dockerfile"))


@dataclass(frozen=True)
class ImagePlan:
    """The image names for the current definition.

    Each service image has its own tag: a hash of the base tag and of that image's inputs, so an
    edit of haproxy.cfg rebuilds and recreates HAProxy alone, not the Patroni cluster.
    """

    base_tag: str
    service_tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_definition(cls, compose_dir: Path) -> ImagePlan:
        base_tag = _hash_inputs(compose_dir, BASE_INPUTS)
        return cls(
            base_tag=base_tag,
            service_tags={
                name: _hash_inputs(compose_dir, service_inputs(compose_dir, name), base_tag)
                for name in SERVICE_IMAGES
            },
        )

    @property
    def base(self) -> str:
        return f"{REPOSITORY}/base:{self.base_tag}"

    def tag(self, name: str) -> str:
        """Service image `name`'s tag."""
        return self.service_tags[name]

    def service(self, name: str) -> str:
        return f"{REPOSITORY}/{name}:{self.tag(name)}"

    def compose_env(self) -> dict[str, str]:
        """The PAWS_IMAGE_* variables compose.yaml reads."""
        return {f"PAWS_IMAGE_{name.upper()}": self.service(name) for name in SERVICE_IMAGES}


def image_exists(client: Any, name: str) -> bool:
    import docker.errors

    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


def missing_images(client: Any, plan: ImagePlan) -> list[str]:
    """The service images of this definition that are not built yet."""
    return [plan.service(n) for n in SERVICE_IMAGES if not image_exists(client, plan.service(n))]


def registry_answers(client: Any, image: str) -> bool:
    """Whether `image` is present or can be pulled (fails in well under a second offline)."""
    import docker.errors

    if image_exists(client, image):
        return True
    try:
        client.images.pull(image)
    except docker.errors.APIError:
        return False
    return True


def choose_source(client: Any, requested: str, pins: Pins) -> Source:
    """`registry` or `debian`: the user's choice, or the registry when one answers."""
    if requested in ("registry", "debian"):
        return requested  # type: ignore[return-value]
    return "registry" if registry_answers(client, pins.registry_base) else "debian"


def build_images(
    client: Any, compose_dir: Path, work_dir: Path, requested_source: str, report: Report
) -> ImagePlan:
    """Build whatever this definition still lacks; return the plan naming the images."""
    plan = ImagePlan.for_definition(compose_dir)
    missing = missing_images(client, plan)
    if not missing:
        report("images up to date")
        return plan
    pins = load_pins(compose_dir)
    if not image_exists(client, plan.base):
        ensure_wheels(pins.wheels, compose_dir)
        source = choose_source(client, requested_source, pins)
        report(f"building base image {plan.base} from {source}")
        if source == "debian":
            from ._rootfs import build_base_from_debian

            build_base_from_debian(plan.base, pins, compose_dir, work_dir, report)
        else:
            _build_base_from_registry(client, compose_dir, plan.base, pins, report)
    installed = verify_versions(client, plan.base, pins)
    for name in SERVICE_IMAGES:
        if plan.service(name) in missing:
            report(f"building {plan.service(name)}")
            stream_build(
                client,
                str(compose_dir),
                f"images/{name}/Dockerfile",
                plan.service(name),
                {"BASE_IMAGE": plan.base},
                installed,
                report,
            )
    return plan


def verify_versions(client: Any, image: str, pins: Pins) -> dict[str, str]:
    """Read the image's version manifest and refuse it when it drifted from the pins."""
    installed = parse_manifest(_read_image_file(client, image, "/etc/paws-versions").decode())
    wrong = mismatches(pins, installed)
    if wrong:
        raise ImageBuildError(
            f"image {image} does not match compose/versions.toml: {'; '.join(wrong)}",
            "update the pins in compose/versions.toml, or remove the image and rebuild",
        )
    return installed


def _read_image_file(client: Any, image: str, path: str) -> bytes:
    """A file of `image`, printed by a throwaway container that is removed whatever happens:
    the SDK's run(remove=True) leaves the container behind when it fails to start."""
    container = client.containers.create(image, ["cat", path], network_disabled=True)
    try:
        container.start()
        status = container.wait().get("StatusCode", 1)
        output: bytes = container.logs(stdout=True, stderr=status != 0)
    finally:
        container.remove(force=True)
    if status != 0:
        raise ImageBuildError(
            f"image {image} has no readable {path}: {output.decode(errors='replace').strip()}",
            "remove the image and build it again: paws-stack setup --yes",
        )
    return output


def _build_base_from_registry(
    client: Any, compose_dir: Path, tag: str, pins: Pins, report: Report
) -> None:
    args = {
        "REGISTRY_BASE": pins.registry_base,
        "PACKAGES": " ".join(pins.packages),
        "BACKPORT_PACKAGES": " ".join(pins.backport_packages),
        "BACKPORTS_SUITE": pins.backports_suite,
    }
    dockerfile = "images/base/Dockerfile.registry"
    stream_build(client, str(compose_dir), dockerfile, tag, args, {}, report, pull=True)


def stream_build(
    client: Any,
    context: str,
    dockerfile: str,
    tag: str,
    buildargs: dict[str, str],
    versions: dict[str, str],
    report: Report,
    pull: bool = False,
) -> None:
    """`docker build` through the engine API, reporting its steps; an error names the fix."""
    labels = {f"dev.paws.version.{name}": version for name, version in versions.items()}
    stream = client.api.build(
        path=context,
        dockerfile=dockerfile,
        tag=tag,
        buildargs=buildargs,
        labels=labels,
        rm=True,
        forcerm=True,
        pull=pull,
        decode=True,
    )
    for chunk in stream:
        if "error" in chunk:
            report.raw(chunk["error"])
            raise ImageBuildError(
                f"building {tag} failed: {chunk['error'].strip()}",
                f"the whole output is in {report.log_path}; check network access to the "
                f"registry or mirror, and {dockerfile}; then run `paws-stack setup` again",
            )
        line = str(chunk.get("stream", "")).strip()
        if line:
            report.docker_line(f"docker build {tag}", line)
