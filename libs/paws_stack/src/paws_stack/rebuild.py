"""`paws-stack rebuild <app>`: build one app's image again and recreate only its container.

The other containers keep their ids: compose is asked for that one service, without its
dependencies (`--no-deps`), so nothing else is compared, stopped or started.
"""

from __future__ import annotations

import time

from ._appbuild import build_app_images
from ._lock import ProjectLock, lock_path
from .apps import AppsFile
from .buildlog import BuildReport
from .errors import ComposeError
from .images import ImagePlan
from .stack import Stack


def rebuild_app(stack: Stack, service: str) -> float:
    """Rebuild `service`'s image from its current sources and recreate it; returns seconds."""
    apps = stack.apps
    buildable = [a for a in apps.apps if a.build] if apps else []
    app = next((a for a in buildable if a.name == service), None)
    if apps is None or app is None:
        choices = ", ".join(a.name for a in buildable) or "none (the apps are off)"
        raise ComposeError(
            f"{service!r} is not an app paws builds, so it cannot be rebuilt",
            f"choose one of: {choices}; `paws-stack restart {service}` restarts any service",
        )
    holder = stack.dev_session.elsewhere()
    if holder is not None:
        raise ComposeError(
            f"{service} is in dev mode under {holder.describe()}: recreating it on its "
            "production image would stop that session's reloads",
            "leave dev mode first (Ctrl-C in its shell), or save a dependency file there: "
            "dev rebuilds the app itself",
        )
    started = time.monotonic()
    plan = ImagePlan.for_definition(stack.settings.compose_dir)
    images = ProjectLock(lock_path(stack.settings.state_path, "images.build"), "the image build")
    report = BuildReport(stack.progress, stack.settings.state_path / "logs" / "build.log")
    try:
        with images.hold("rebuild", report=stack.progress.message):
            build_app_images(
                stack.client(),
                AppsFile(apps.path, (app,)),
                plan,
                stack.settings.state_path,
                report,
                force=True,
            )
    finally:
        report.close()
    stack.compose(plan).run(
        "up", "--detach", "--no-build", "--no-deps", "--force-recreate", service
    )
    return time.monotonic() - started
