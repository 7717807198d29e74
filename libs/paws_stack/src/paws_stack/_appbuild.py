"""Build the apps' images without a registry: host steps first, then an offline `docker build`.

The host reaches Maven Central and npm; the image build does not need to. So the app's own
tools run on the host (Maven, npm) with their caches under `.paws/cache/`, and the image only
copies their output onto paws' app base image. Every step's raw output goes to a log file under
`.paws/logs/`, named in the error when a step fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from .apps import App, AppsFile
from .buildlog import BuildReport
from .errors import AppBuildError
from .images import REPOSITORY, ImagePlan, image_exists, stream_build

Report = BuildReport
LOG_TAIL = 12


def app_image(app: App, plan: ImagePlan) -> str:
    """The image name for an app's current sources on the current base."""
    assert app.build is not None  # noqa: S101 (only apps with a build block have an image)
    return f"{REPOSITORY}/{app.name}:{app.build.fingerprint()}-{plan.tag('app')[:6]}"


def app_images(apps: AppsFile, plan: ImagePlan) -> dict[str, str]:
    """PAWS_IMAGE_<APP> -> image, for the apps paws builds (others name their own image)."""
    return {app.image_variable: app_image(app, plan) for app in apps.apps if app.build}


def build_app_images(
    client: Any,
    apps: AppsFile,
    plan: ImagePlan,
    state_dir: Path,
    report: Report,
    force: bool = False,
) -> dict[str, str]:
    """Build each app image whose sources changed (all, with force); return the variables."""
    for app in apps.apps:
        if app.build is None:
            continue
        image = app_image(app, plan)
        if image_exists(client, image) and not force:
            continue
        why = "asked to" if force else "its sources changed or its image is missing"
        report(f"building {app.name}: {why}")
        log_path = state_dir / "logs" / f"build-{app.name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("w", encoding="utf-8") as log:
            for step in app.build.steps:
                _run_step(app, step, state_dir, log, log_path, report)
        report(f"building image {image}")
        stream_build(
            client,
            str(app.build.context),
            "Dockerfile",
            image,
            {"PAWS_APP_BASE": plan.service("app")},
            {},
            report,
        )
    return app_images(apps, plan)


def _expand(step: tuple[str, ...], state_dir: Path) -> list[str]:
    cache = str((state_dir / "cache").resolve())
    return [arg.replace("{cache}", cache) for arg in step]


def _run_step(
    app: App, step: tuple[str, ...], state_dir: Path, log: Any, log_path: Path, report: Report
) -> None:
    assert app.build is not None  # noqa: S101
    argv = _expand(step, state_dir)
    if shutil.which(argv[0]) is None:
        raise AppBuildError(
            f"building {app.name} needs `{argv[0]}`, which is not on PATH",
            f"install it (docs/apps.md lists each app's tools), or build the image yourself "
            f"and set {app.image_variable}",
        )
    started = time.monotonic()
    report(f"{app.name}: {' '.join(step)}")
    log.write(f"$ {' '.join(argv)}\n")
    log.flush()
    result = subprocess.run(
        argv,
        cwd=app.build.context,
        env={**os.environ, **app.build.environment},
        stdout=log,
        stderr=subprocess.STDOUT,
        check=False,
    )
    if result.returncode != 0:
        raise AppBuildError(
            f"building {app.name} failed at `{' '.join(step)}` (exit {result.returncode}):\n"
            + _tail(log_path),
            f"the whole output is in {log_path}; fix the cause and run `paws-stack up` again",
        )
    report(f"{app.name}: done in {time.monotonic() - started:.0f} s")


def _tail(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(f"    {line}" for line in lines[-LOG_TAIL:])
