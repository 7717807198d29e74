"""Dev mode's pure parts: the apps file's dev blocks, the override, inotify limits, javac."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paws_stack import _inotify, _javac
from paws_stack.apps import load_apps_file
from paws_stack.devmode import JavaCompile, dev_service, parse_dev
from paws_stack.devprepare import SourcesNotMountable, require_mountable
from paws_stack.errors import AppsFileError

ROOT = Path(__file__).resolve().parents[3]
APPS_FILE = ROOT / "apps" / "compose.yaml"


class TestReferenceAppsDevBlocks:
    def test_both_apps_have_a_dev_block(self) -> None:
        """The reference apps file gives the backend and the frontend a dev mode."""
        apps = {app.name: app for app in load_apps_file(APPS_FILE).apps}
        assert apps["backend"].dev and apps["frontend"].dev

    def test_backend_compiles_on_the_host_and_watches_a_trigger(self) -> None:
        """The backend's dev block names a Java compile and DevTools' trigger file."""
        backend = next(a for a in load_apps_file(APPS_FILE).apps if a.name == "backend")
        assert backend.dev and backend.dev.java
        environment = backend.dev.environment
        assert environment["SPRING_DEVTOOLS_RESTART_TRIGGER_FILE"] == backend.dev.java.trigger
        assert environment["SPRING_PROFILES_ACTIVE"] == "dev"
        assert "pom.xml" in backend.dev.dependencies

    def test_frontend_dev_output_is_not_the_builds(self) -> None:
        """next dev writes to a distDir of its own, in a tmpfs, never the build's .next."""
        frontend = next(a for a in load_apps_file(APPS_FILE).apps if a.name == "frontend")
        assert frontend.dev
        dist = frontend.dev.environment["NEXT_DIST_DIR"]
        assert dist != ".next"
        assert any(t.startswith(f"/srv/app/{dist}") for t in frontend.dev.tmpfs)
        assert frontend.dev.ready_pattern
        assert frontend.dev.ready_pattern.search(" ✓ Compiled in 312ms (612 modules)")

    def test_backend_ready_pattern_matches_a_devtools_restart(self) -> None:
        """The backend's ready pattern finds Spring's start line and its duration."""
        backend = next(a for a in load_apps_file(APPS_FILE).apps if a.name == "backend")
        assert backend.dev and backend.dev.ready_pattern
        line = "Started PawsBackendApplication in 2.871 seconds (process running for 40.2)"
        match = backend.dev.ready_pattern.search(line)
        assert match and match["took"] == "2.871"


class TestMalformedDevBlock:
    def test_a_dev_block_without_mount_names_the_service(self, tmp_path: Path) -> None:
        """A dev block missing `mount` is an AppsFileError naming the service."""
        path = tmp_path / "apps.yaml"
        path.write_text("services:\n  web:\n    image: x\n    x-paws:\n      dev: {command: [a]}\n")
        with pytest.raises(AppsFileError, match="service web"):
            load_apps_file(path)

    def test_a_bad_ready_pattern_is_refused_at_load(self, tmp_path: Path) -> None:
        """An invalid regular expression in `ready` fails when the file is read."""
        path = tmp_path / "apps.yaml"
        path.write_text(
            "services:\n  web:\n    image: x\n    x-paws:\n"
            "      dev: {mount: {'.': /srv}, ready: '(unclosed'}\n"
        )
        with pytest.raises(AppsFileError, match="malformed"):
            load_apps_file(path)


class TestOverride:
    def test_override_changes_only_image_command_and_mounts(self, tmp_path: Path) -> None:
        """The dev service uses the base image, binds the sources, and labels itself dev."""
        spec = parse_dev(
            {
                "mount": {".": "/srv/app", "target": "/srv/app/target:ro"},
                "command": ["java", "-cp", "x"],
                "memory": "768M",
            }
        )
        service = dev_service(tmp_path, spec, "paws/app:abc", polling=False)
        assert service["image"] == "paws/app:abc"
        assert service["command"] == ["java", "-cp", "x"]
        assert service["labels"] == {"dev.paws.mode": "dev"}
        binds = {v["target"]: v for v in service["volumes"]}
        assert binds["/srv/app"]["source"] == str(tmp_path.resolve())
        assert binds["/srv/app/target"]["read_only"] is True
        assert "read_only" not in binds["/srv/app"]
        assert service["deploy"]["resources"]["limits"]["memory"] == "768M"
        assert "WATCHPACK_POLLING" not in service["environment"]

    def test_polling_fallback_sets_the_watchers_polling_variables(self, tmp_path: Path) -> None:
        """With polling on, the dev servers' watchers poll instead of using inotify."""
        service = dev_service(tmp_path, parse_dev({"mount": {".": "/a"}}), "i", polling=True)
        # A number is watchpack's interval in ms; "true" would poll only every 5 s.
        assert service["environment"]["WATCHPACK_POLLING"] == "300"

    def test_as_owner_runs_as_the_checkouts_owner(self, tmp_path: Path) -> None:
        """A dev server that writes files runs as the uid:gid owning the checkout."""
        spec = parse_dev({"mount": {".": "/a"}, "as_owner": True})
        info = tmp_path.stat()
        assert dev_service(tmp_path, spec, "i", False)["user"] == f"{info.st_uid}:{info.st_gid}"


class TestInotifyLimits:
    def _proc(self, tmp_path: Path, watches: int, instances: int) -> Path:
        (tmp_path / "max_user_watches").write_text(f"{watches}\n")
        (tmp_path / "max_user_instances").write_text(f"{instances}\n")
        return tmp_path

    def test_low_watches_are_reported_with_the_fix(self, tmp_path: Path) -> None:
        """8192 watches (old kernels' default) is too few; the fix raises it with sysctl."""
        low = _inotify.low_limits(self._proc(tmp_path, 8192, 128))
        assert low == {"max_user_watches": 8192}
        assert "sysctl -w fs.inotify.max_user_watches=524288" in _inotify.fix_for(low)

    def test_enough_is_quiet(self, tmp_path: Path) -> None:
        """Limits at or above the minimum report nothing."""
        assert _inotify.low_limits(self._proc(tmp_path, 524288, 128)) == {}

    def test_no_proc_files_is_not_an_error(self, tmp_path: Path) -> None:
        """Not Linux (no /proc/sys/fs/inotify): nothing to report."""
        assert _inotify.low_limits(tmp_path / "absent") == {}


class TestMountable:
    def test_mnt_paths_outside_wsl_are_just_paths(self, tmp_path: Path) -> None:
        """On plain Linux /mnt/c is an ordinary path: only its existence is checked."""
        version = tmp_path / "version"
        version.write_text("Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)\n")
        with pytest.raises(SourcesNotMountable, match="do not exist"):
            require_mountable(Path("/mnt/c/not-here-either"), version)

    def test_missing_sources_are_refused(self, tmp_path: Path) -> None:
        """A context that does not exist is one clear error naming it."""
        with pytest.raises(SourcesNotMountable, match="do not exist"):
            require_mountable(tmp_path / "nope")

    def test_a_windows_drive_under_wsl_is_refused_with_the_fix(self, tmp_path: Path) -> None:
        """/mnt/c/... inside WSL2: refused, the fix says to clone inside WSL2 or poll."""
        version = tmp_path / "version"
        version.write_text("Linux version 5.15.153.1-microsoft-standard-WSL2\n")
        with pytest.raises(SourcesNotMountable, match="Windows drive") as caught:
            require_mountable(Path("/mnt/c/src/paws/apps/frontend"), version)
        assert "PAWS_DEV_POLLING" in caught.value.remediation


@pytest.mark.skipif(shutil.which("javac") is None, reason="needs a JDK's javac")
class TestJavac:
    def _project(self, tmp_path: Path, body: str) -> Path:
        source = tmp_path / "src" / "main" / "java" / "demo" / "Hello.java"
        source.parent.mkdir(parents=True)
        source.write_text(f"package demo; public class Hello {{ {body} }}\n")
        (tmp_path / "target" / "dev-lib").mkdir(parents=True)
        return source

    def test_a_good_change_compiles_and_touches_the_trigger(self, tmp_path: Path) -> None:
        """javac writes the class and then the trigger file DevTools waits for."""
        source = self._project(tmp_path, 'public static String hi() { return "hi"; }')
        result = _javac.compile_java(tmp_path, JavaCompile(), [source])
        assert result.ok, result.errors
        classes = tmp_path / "target" / "classes"
        assert (classes / "demo" / "Hello.class").is_file()
        assert (classes / ".reloadtrigger").is_file()

    def test_a_broken_change_reports_errors_and_leaves_the_trigger(self, tmp_path: Path) -> None:
        """A syntax error is reported with javac's lines; DevTools is not triggered."""
        source = self._project(tmp_path, "public static String hi() { return }")
        result = _javac.compile_java(tmp_path, JavaCompile(), [source])
        assert not result.ok and "Hello.java" in result.errors
        assert not (tmp_path / "target" / "classes" / ".reloadtrigger").exists()


class TestDevNeedsApps:
    def test_dev_with_the_apps_off_is_refused(self, tmp_path: Path) -> None:
        """`dev --no-apps` is one error with the fix, before any engine is asked."""
        from paws_stack.devloop import dev_apps
        from paws_stack.errors import PawsStackError
        from paws_stack.settings import load_settings
        from paws_stack.stack import Stack

        stack = Stack(load_settings(project_dir=tmp_path, apps=False))
        with pytest.raises(PawsStackError, match="dev mode needs the apps"):
            dev_apps(stack)

    def test_an_apps_file_without_dev_blocks_is_refused(self, tmp_path: Path) -> None:
        """An apps file whose services have no x-paws.dev block: the error says to add one."""
        from paws_stack.devloop import dev_apps
        from paws_stack.errors import PawsStackError
        from paws_stack.settings import load_settings
        from paws_stack.stack import Stack

        apps = tmp_path / "apps.yaml"
        apps.write_text("services:\n  web:\n    image: x\n")
        stack = Stack(load_settings(project_dir=tmp_path, apps_file=apps))
        with pytest.raises(PawsStackError, match=r"x-paws\.dev block"):
            dev_apps(stack)
