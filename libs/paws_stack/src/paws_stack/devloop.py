"""`paws-stack dev`: the apps in dev mode on the running stack, watched until Ctrl-C.

Only the app containers change: they are recreated from the dev override (bind-mounted
sources, dev servers) and, on exit, from their production images again. The infrastructure's
definition is not touched, so its containers keep their ids throughout.

Each reload prints one line: what changed and how long it took, from the save (seen by
inotify on the host) to the server's own "ready" log line.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _inotify, _javac
from ._signals import shielded
from .apps import HEALTH_PATH_LABEL, NOT_INPUTS, App
from .compose import ComposeProject
from .devmode import POLL_MS, DevSpec, dev_service, write_override
from .devprepare import prepare, require_mountable
from .devsession import DEV_MODE_LABEL
from .errors import PawsStackError, ProjectBusy
from .images import ImagePlan
from .stack import Stack

Report = Callable[[str], None]
DEV_IGNORED = frozenset({*NOT_INPUTS, ".next-dev", "dev-lib", ".idea", ".vscode"})
HEALTH_BUDGET = 300.0


@dataclass(frozen=True)
class DevApp:
    """An app with a dev block, and the directory its dev paths are relative to."""

    app: App
    context: Path
    spec: DevSpec

    @property
    def name(self) -> str:
        return self.app.name


def dev_apps(stack: Stack) -> list[DevApp]:
    """The apps of the apps file that have an `x-paws.dev` block."""
    if not stack.apps:
        raise PawsStackError(
            "dev mode needs the apps, and they are off (--no-apps or PAWS_APPS=false)",
            "run `paws-stack dev` without --no-apps, with PAWS_APPS unset",
        )
    found = [
        DevApp(app, app.build.context if app.build else stack.apps.path.parent, app.dev)
        for app in stack.apps.apps
        if app.dev
    ]
    if not found:
        raise PawsStackError(
            f"no service of {stack.apps.path} has an x-paws.dev block",
            "add one (docs/dev-loop.md shows the reference apps' blocks)",
        )
    return found


@dataclass
class Pending:
    """A change waiting for its app's ready line: what changed, when it was saved."""

    what: str
    saved: float
    detail: str = ""


class DevLoop:
    """Switch the apps to dev mode, watch, print reloads, switch back."""

    def __init__(
        self, stack: Stack, report: Report, polling: bool = False, reloaded: Report = print
    ) -> None:
        self.stack = stack
        self.report = report
        # One line per reload: the command's data, so on stdout (messages go to `report`).
        self.reloaded = reloaded
        self.polling = polling
        self.apps = dev_apps(stack)
        self._pending: dict[str, Pending] = {}
        self._guard = threading.Lock()
        self._previous_images: dict[str, str] = {}
        self._plan = ImagePlan.for_definition(stack.settings.compose_dir)
        self._stopping = threading.Event()
        self.reloads: list[dict[str, Any]] = []

    # --- switching ---------------------------------------------------------------------------

    def dev_compose(self, plan: ImagePlan) -> ComposeProject:
        services = {d.name: self._service(d, plan) for d in self.apps}
        target = self.stack.dev_session.override
        return self.stack.compose(plan, extra_files=(write_override(services, target),))

    def _service(self, d: DevApp, plan: ImagePlan) -> dict[str, Any]:
        service = dev_service(d.context, d.spec, plan.service("app"), self.polling)
        if d.spec.health_path and d.app.health_port:
            # next dev answers 500 on every compiled route while a file has a syntax error
            # (that is the overlay's job): dev health asks whether the server serves at all.
            url = f"http://127.0.0.1:{d.app.health_port}{d.spec.health_path}"
            service["labels"][HEALTH_PATH_LABEL] = d.spec.health_path
            service["healthcheck"] = {"test": ["CMD", "curl", "-fsS", "-o", "/dev/null", url]}
        return service

    def start(self) -> None:
        """Check, prepare, and recreate the app containers in dev mode; wait for health."""
        for d in self.apps:
            require_mountable(d.context)
        low = _inotify.low_limits()
        if low and not self.polling:
            listing = ", ".join(f"fs.inotify.{k}={v}" for k, v in low.items())
            self.report(f"warning: low inotify limits ({listing}); edits may go unseen.")
            self.report(f"  fix: {_inotify.fix_for(low)}")
        for d in self.apps:
            prepare(d.name, d.context, d.spec, self.stack.settings.state_path, self.report)
            if d.spec.java:
                result = _javac.compile_java(d.context, d.spec.java, [])
                if not result.ok:
                    self.report(f"{d.name}: the sources do not compile yet:\n{result.errors}")
        self._previous_images = self._running_images()
        # Pinned for the session: a dependency change recreates its app on the images the
        # session started with, even if the definition (and so the tags) changed meanwhile.
        self._plan = ImagePlan.for_definition(self.stack.settings.compose_dir)
        with self.stack.lock.hold("dev", report=self.report):
            self.dev_compose(self._plan).run(
                "up", "--detach", "--no-build", "--no-deps", *self.names
            )
        self.stack.wait_healthy(time.monotonic() + HEALTH_BUDGET)

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.apps]

    def _running_images(self) -> dict[str, str]:
        """PAWS_IMAGE_<APP> -> the production image each app runs now (not a dev one)."""
        images = {}
        for d in self.apps:
            for container in self.stack.client().containers.list(
                filters={"label": f"com.docker.compose.project={self.stack.project}"}
            ):
                labels = container.labels
                if labels.get("com.docker.compose.service") != d.name:
                    continue
                if labels.get(DEV_MODE_LABEL) != "dev":
                    images[d.app.image_variable] = container.attrs["Config"]["Image"]
        return images

    def restore(self) -> None:
        """The apps back on production images built from the current sources.

        If that build fails (say, a syntax error was left in), the images they ran before
        dev mode started come back instead, and the message says so.
        """
        self._stopping.set()
        with shielded(), self.stack.lock.hold("dev", report=self.report):
            self.report("leaving dev mode: the apps go back to their production images")
            compose = self.stack.compose()
            try:
                self.stack.build()
            except PawsStackError as exc:
                if not self._previous_images:
                    raise
                self.report(f"could not build the current sources ({exc.message})")
                self.report(
                    "  back on the images from before dev mode; `paws-stack up` once it builds"
                )
                env = {**compose.env, **self._previous_images}
                compose = dataclasses.replace(compose, env=env)
            else:
                compose = self.stack.compose()
            compose.run("up", "--detach", "--no-build", "--no-deps", *self.names)
        self.stack.wait_healthy(time.monotonic() + HEALTH_BUDGET)
        self.report("the apps run their production images again; the stack is healthy")

    # --- watching ----------------------------------------------------------------------------

    def watch(self, stop: threading.Event | None = None) -> None:
        """Follow the dev servers' logs and the sources until `stop` is set or Ctrl-C."""
        import watchfiles

        for d in self.apps:
            if d.spec.ready_pattern:
                threading.Thread(target=self._follow, args=(d,), daemon=True).start()
        # Not the whole context: inotify watches are per directory, and node_modules or
        # target/ would take thousands of them for changes nobody needs to see.
        roots = [
            str(child)
            for d in self.apps
            for child in sorted(d.context.iterdir())
            if child.name not in DEV_IGNORED
        ]
        watcher = watchfiles.watch(
            *roots,
            watch_filter=watchfiles.DefaultFilter(
                ignore_dirs=sorted(DEV_IGNORED.union(watchfiles.DefaultFilter.ignore_dirs))
            ),
            debounce=30,
            step=20,
            stop_event=stop,
            force_polling=self.polling,
            poll_delay_ms=POLL_MS,
            rust_timeout=1000,
            yield_on_timeout=False,
        )
        for changes in watcher:
            saved = time.time()
            # An editor's (or sed's) temporary file, created and gone within the batch.
            scratch = {
                p for c, p in changes if c == watchfiles.Change.added and not Path(p).exists()
            }
            for d in self.apps:
                paths = sorted(
                    {
                        Path(p)
                        for _, p in changes
                        if p not in scratch and Path(p).is_relative_to(d.context)
                    }
                )
                if paths:
                    self._changed(d, paths, saved)

    def _changed(self, d: DevApp, paths: list[Path], saved: float) -> None:
        relative = [str(p.relative_to(d.context)) for p in paths]
        what = ", ".join(relative[:3]) + (f" (+{len(relative) - 3})" if len(relative) > 3 else "")
        if any(r in d.spec.dependencies for r in relative):
            try:
                self._dependencies_changed(d, what, saved)
            except PawsStackError as exc:
                # A malformed pom.xml must not end the session: say why, keep watching.
                self.report(f"{d.name}: {exc.message}")
                if exc.remediation:
                    self.report(f"  fix: {exc.remediation}")
                self.report(f"  {d.name} keeps its current container; still watching")
            return
        detail = ""
        if d.spec.java:
            outcome = self._compile(d, paths)
            if outcome is None:
                return
            detail = outcome
        with self._guard:
            self._pending[d.name] = Pending(what, saved, detail)

    def _compile(self, d: DevApp, paths: list[Path]) -> str | None:
        """Compile the Java sources among `paths` and copy resources; None when nothing to do."""
        java = d.spec.java
        assert java is not None  # noqa: S101 (only called for apps with a java block)
        sources = [
            p for p in paths if p.is_relative_to(d.context / java.sources) and p.suffix == ".java"
        ]
        resources = [p for p in paths if p.is_relative_to(d.context / java.resources)]
        if resources:
            _javac.copy_resources(d.context, java, resources)
        if not sources:
            return "resources copied" if resources else None
        # A deleted source leaves its class behind: compile everything (javac cannot tell).
        deleted = any(not p.exists() for p in sources)
        changed = [] if deleted else sources
        result = _javac.compile_java(d.context, java, changed)
        if not result.ok:
            self.report(f"{d.name}: compile failed after {result.seconds:.1f} s, not reloaded:")
            self.report(result.errors)
            return None
        return f"javac {result.seconds:.1f} s"

    def _dependencies_changed(self, d: DevApp, what: str, saved: float) -> None:
        """A dependency file changed: prepare again, recreate only this app's container."""
        self.report(f"{d.name}: {what} changed: installing its dependencies again")
        prepare(d.name, d.context, d.spec, self.stack.settings.state_path, self.report, force=True)
        if d.spec.java:
            _javac.compile_java(d.context, d.spec.java, [])
        self.dev_compose(self._plan).run(
            "up", "--detach", "--no-build", "--no-deps", "--force-recreate", d.name
        )
        self.report(f"{d.name}: recreated in {time.time() - saved:.1f} s ({what})")

    def _follow(self, d: DevApp) -> None:
        """Match the dev server's log lines against its ready pattern (a thread per app)."""
        pattern = d.spec.ready_pattern
        assert pattern is not None  # noqa: S101
        # The stream ends when the container is recreated (a dependency change): follow the
        # new one, so the reload lines never silently stop.
        while not self._stopping.is_set():
            for line in self._log_lines(d.name):
                match = pattern.search(line)
                if match:
                    self._ready(d.name, match)
            self._stopping.wait(1.0)

    def _log_lines(self, service: str) -> Iterable[str]:
        containers = self.stack.client().containers.list(
            filters={
                "label": [
                    f"com.docker.compose.project={self.stack.project}",
                    f"com.docker.compose.service={service}",
                ]
            }
        )
        if not containers:
            return
        buffer = b""
        for chunk in containers[0].logs(stream=True, follow=True, since=int(time.time())):
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                yield line.decode("utf-8", errors="replace")

    def _ready(self, service: str, match: re.Match[str]) -> None:
        now = time.time()
        with self._guard:
            pending = self._pending.pop(service, None)
        if pending is None:
            return  # the server's own (re)start or a page's first compile: no edit to time
        took = match.groupdict().get("took") or ""
        total = now - pending.saved
        parts = [p for p in (pending.detail, f"server {took}" if took else "") if p]
        self.reloaded(
            f"{service}: {pending.what} -> live in {total:.2f} s"
            + (f" ({', '.join(parts)})" if parts else "")
        )
        self.reloads.append({"service": service, "what": pending.what, "seconds": total})


def run_dev(stack: Stack, report: Report, polling: bool = False, reloaded: Report = print) -> None:
    """The whole `dev` command: up (if needed), dev mode, watch until interrupted, restore."""
    loop = DevLoop(stack, report, polling, reloaded)
    for d in loop.apps:
        require_mountable(d.context)  # before anything starts: a clear error, nothing created
    # Held until the apps are back on their images: another shell's `up` leaves them be, and
    # a second `dev` fails here, before it touches anything (devsession.py).
    session = stack.dev_session
    running = session.lock.holder()
    if running is not None:
        raise ProjectBusy(
            f"dev mode of project {stack.project} is busy: {running.describe()} runs it",
            "use that one (its reload lines are in its shell), or Ctrl-C it and run this again",
        )
    with session.lock.hold("dev", wait=False):
        stack.up()
        try:
            loop.start()
            endpoints = stack.endpoints()
            report(
                f"dev mode: frontend {endpoints.frontend_url}, backend {endpoints.backend_url}; "
                "watching (Ctrl-C returns the apps to their images)"
            )
            loop.watch()
        finally:
            loop.restore()
