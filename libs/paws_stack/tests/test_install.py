"""Tests for paws_stack.install: what the installer decides and which commands it runs."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from _fakes import USABLE_ENGINE, engine

from paws_stack import _composeinstall, _debian, install
from paws_stack.engine import CommandResult, EngineInfo, HostPlatform
from paws_stack.errors import EngineNotFound, InstallError
from paws_stack.install import Context, HostState

DEBIAN = HostPlatform("debian", "debian", "12", "bookworm")
UBUNTU = HostPlatform("ubuntu", "ubuntu", "24.04", "noble")
MACOS = HostPlatform("macos")

POLICY = """\
docker-compose-v2:
  Installed: (none)
  Candidate: 2.24.6+ds1-0ubuntu1~24.04.1
  Version table:
docker-compose:
  Installed: (none)
  Candidate: 1.29.2-6
"""
DEBIAN12_POLICY = "docker-compose:\n  Installed: (none)\n  Candidate: 1.29.2-3\n"


BASE = USABLE_ENGINE


READY = engine()
NO_COMPOSE = engine(compose_argv=(), compose_version=None)
DAEMON_DOWN = engine(server_version=None, daemon_running=False, daemon_error="Cannot connect")
BARE_CLIENT = engine(
    server_version=None, daemon_running=False, compose_argv=(), compose_version=None
)
PODMAN_DOWN = engine(
    kind="podman", client_path="/usr/bin/podman", server_version=None, daemon_running=False
)
NOTHING = EngineInfo(None, None, None, None, (), None, False)


def host(
    platform: HostPlatform = DEBIAN,
    privilege: install.Privilege = "root",
    systemd: bool = False,
    dockerd: str | None = "/usr/sbin/dockerd",
) -> HostState:
    return HostState(platform, privilege, systemd, dockerd)


class Recorder:
    """A Runner that records argv and answers from a table of argv prefixes."""

    def __init__(self, answers: dict[str, CommandResult] | None = None) -> None:
        self.calls: list[str] = []
        self.answers = answers or {}

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult:
        line = " ".join(argv)
        self.calls.append(line)
        for prefix, answer in self.answers.items():
            if line.startswith(prefix):
                return answer
        return CommandResult(0, "", "")


def context(state: HostState, runner: Recorder, *infos: EngineInfo) -> Context:
    seq = list(infos) or [READY]
    return Context(
        state, lambda _: None, runner, detect=lambda: seq.pop(0) if len(seq) > 1 else seq[0]
    )


class TestPlanSteps:
    @pytest.mark.parametrize(
        ("found", "state", "steps"),
        [
            (READY, host(), []),
            (NO_COMPOSE, host(), ["install-compose"]),
            (DAEMON_DOWN, host(), ["start-daemon"]),
            (
                BARE_CLIENT,
                host(dockerd=None),
                ["install-engine", "install-compose", "start-daemon"],
            ),
            (BARE_CLIENT, host(), ["install-compose", "start-daemon"]),
        ],
    )
    def test_steps_for_state(self, found: EngineInfo, state: HostState, steps: list[str]) -> None:
        """Only missing parts are planned; a bare client without dockerd is a missing engine."""
        assert install.plan_steps(found, state) == steps

    @pytest.mark.parametrize("platform", [MACOS, HostPlatform("wsl"), HostPlatform("linux")])
    def test_nothing_is_planned_off_debian_and_ubuntu(self, platform: HostPlatform) -> None:
        """Elsewhere the installer acts on nothing; require_engine says what to do."""
        assert install.plan_steps(BARE_CLIENT, host(platform)) == []

    def test_permission_denied_is_not_fixed_by_starting(self) -> None:
        """A running daemon we may not reach must not be started a second time."""
        denied = engine(daemon_running=False, daemon_error="permission denied")
        assert install.plan_steps(denied, host()) == []

    def test_podman_gets_its_service_not_docker(self) -> None:
        """A podman whose API service is down gets the service started, and no docker."""
        assert install.plan_steps(PODMAN_DOWN, host(dockerd=None)) == ["start-daemon"]

    def test_podman_asked_for_and_absent_is_installed(self) -> None:
        """PAWS_ENGINE=podman on a host without it: podman, compose and its service."""
        steps = install.plan_steps(NOTHING, host(dockerd=None), choice="podman")
        assert steps == ["install-engine", "install-compose", "start-daemon"]
        assert install.engine_kind(NOTHING, "podman") == "podman"
        assert install.engine_kind(NOTHING, "auto") == "docker"

    def test_podman_service_needs_no_root(self) -> None:
        """A user may start a rootless Podman service; installing packages still needs root."""
        install.check_privilege(["start-daemon"], host(privilege="none"), "podman")
        with pytest.raises(InstallError, match="install Podman"):
            install.check_privilege(
                ["install-engine", "start-daemon"], host(privilege="none"), "podman"
            )


class TestConsent:
    def test_yes_and_ci_do_not_ask(self) -> None:
        """--yes or CI proceed without calling the prompt."""

        def never(_: str) -> bool:
            raise AssertionError("asked")

        install.get_consent(
            ["install-compose"], assume_yes=True, ci=False, interactive=True, ask=never
        )
        install.get_consent(
            ["install-compose"], assume_yes=False, ci=True, interactive=False, ask=never
        )

    def test_no_terminal_and_no_yes_refuses(self) -> None:
        """Without a TTY and without --yes nothing is changed and the fix names --yes."""
        with pytest.raises(InstallError) as caught:
            install.get_consent(["install-engine"], assume_yes=False, ci=False, interactive=False)
        assert "--yes" in caught.value.remediation

    def test_answer_no_cancels(self) -> None:
        """Answering no on the prompt cancels and lists what is still needed."""
        with pytest.raises(InstallError, match=r"cancelled.*Compose"):
            install.get_consent(
                ["install-compose"],
                assume_yes=False,
                ci=False,
                interactive=True,
                ask=lambda _: False,
            )

    def test_answer_yes_proceeds(self) -> None:
        """The prompt's question names the steps; yes proceeds."""
        questions: list[str] = []

        def yes(question: str) -> bool:
            questions.append(question)
            return True

        install.get_consent(["start-daemon"], assume_yes=False, ci=False, interactive=True, ask=yes)
        assert "start the Docker daemon" in questions[0]


class TestEnsureEngine:
    def test_ready_engine_runs_nothing(self) -> None:
        """Nothing missing: no command, no prompt, the info comes back."""
        runner = Recorder()
        got = install.ensure_engine(
            False, False, print, host=host(), detect=lambda: READY, run=runner
        )
        assert got is READY and runner.calls == []

    def test_macos_raises_the_remediation(self) -> None:
        """On macOS a missing engine is not installed but explained."""
        missing = engine(kind=None, client_path=None, daemon_running=False)
        with pytest.raises(EngineNotFound) as caught:
            install.ensure_engine(True, False, print, host=host(MACOS), detect=lambda: missing)
        assert "Docker Desktop" in caught.value.remediation

    def test_without_root_or_sudo_says_so(self) -> None:
        """Non-root without passwordless sudo: InstallError telling how to run it as root."""
        with pytest.raises(InstallError, match="neither as root") as caught:
            install.ensure_engine(
                True,
                False,
                print,
                host=host(privilege="none"),
                detect=lambda: NO_COMPOSE,
                run=Recorder(),
            )
        assert "sudo paws-stack setup --yes" in caught.value.remediation

    def test_runs_planned_steps_then_checks_again(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Each planned step runs once, in order, and the final state is re-detected."""
        ran: list[str] = []
        monkeypatch.setitem(install.STEPS, "install-compose", lambda ctx: ran.append("compose"))
        states = [NO_COMPOSE, READY]
        got = install.ensure_engine(
            False, False, print, ci=True, host=host(), detect=lambda: states.pop(0)
        )
        assert ran == ["compose"] and got is READY


class TestAptCommands:
    def test_engine_install_through_sudo(self) -> None:
        """With sudo, apt runs as `sudo -n env DEBIAN_FRONTEND=noninteractive apt-get ...`."""
        runner = Recorder()
        install.install_engine(context(host(privilege="sudo"), runner))
        assert runner.calls == [
            "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q",
            "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io iptables",
        ]

    def test_podman_install_leaves_rootless_extras_out(self) -> None:
        """Podman's packages install without its recommends (rootless helpers, buildah)."""
        runner = Recorder()
        ctx = context(host(), runner)
        ctx.kind = "podman"
        install.install_engine(ctx)
        assert runner.calls[-1].endswith(
            "apt-get install -y -q --no-install-recommends podman netavark aardvark-dns catatonit"
        )

    def test_apt_update_runs_once(self) -> None:
        """Two apt steps in one run share one apt-get update."""
        runner = Recorder()
        ctx = context(host(), runner)
        ctx.apt_update()
        ctx.apt_update()
        assert sum("apt-get update" in c for c in runner.calls) == 1

    def test_failure_names_what_failed(self) -> None:
        """A failing apt-get raises InstallError with apt's last line."""
        runner = Recorder(
            {
                "env DEBIAN_FRONTEND=noninteractive apt-get install": CommandResult(
                    100, "", "E: Unable to locate package docker.io"
                )
            }
        )
        with pytest.raises(InstallError, match=r"installing the engine failed.*Unable to locate"):
            install.install_engine(context(host(), runner))

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("x:\n  Installed: (none)\n  Candidate: 2.26.1-4\n", "2.26.1-4"),
            ("x:\n  Installed: (none)\n  Candidate: (none)\n", None),
            ("", None),
        ],
    )
    def test_parse_apt_candidate(self, text: str, expected: str | None) -> None:
        """`Candidate:` is read; "(none)" and unknown packages give None."""
        assert _composeinstall.parse_apt_candidate(text) == expected

    @pytest.mark.parametrize(
        ("candidates", "chosen"),
        [
            (
                {"docker-compose-plugin": "2.29.1-1~debian.12", "docker-compose-v2": "2.24"},
                "docker-compose-plugin",
            ),
            (
                {"docker-compose-v2": "2.24.6+ds1-0ubuntu1", "docker-compose": "1.29.2"},
                "docker-compose-v2",
            ),
            ({"docker-compose": "2.26.1-4"}, "docker-compose"),
            ({"docker-compose": "1.29.2-3"}, None),
            ({}, None),
        ],
    )
    def test_pick_compose_package(
        self, candidates: dict[str, str | None], chosen: str | None
    ) -> None:
        """Docker's plugin, then Ubuntu's v2, then Debian 13's; Debian 12's v1 is never chosen."""
        assert _composeinstall.pick_compose_package(candidates) == chosen


class TestInstallCompose:
    def test_ubuntu_uses_docker_compose_v2(self) -> None:
        """When apt offers docker-compose-v2 it is installed through apt."""
        runner = Recorder({"apt-cache policy": CommandResult(0, POLICY, "")})
        install.install_compose(context(host(UBUNTU), runner))
        assert runner.calls[-1].endswith("apt-get install -y -q docker-compose-v2")

    def test_debian_12_falls_back_to_trixie(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Debian 12 offers only v1: the trixie .deb is downloaded and installed by path."""
        asked: list[tuple[list[str], str]] = []

        def fake_download(packages: Sequence[str], suite: str, dest: Path) -> list[Path]:
            asked.append((list(packages), suite))
            deb = dest / "docker-compose_2.26.1-4_amd64.deb"
            return [deb]

        monkeypatch.setattr(_debian, "download_debs", fake_download)
        runner = Recorder({"apt-cache policy": CommandResult(0, DEBIAN12_POLICY, "")})
        ctx = context(host(), runner)
        ctx.work_dir = tmp_path
        install.install_compose(ctx)
        assert asked == [(["docker-compose"], "trixie")]
        assert runner.calls[-1].endswith(
            f"apt-get install -y -q {tmp_path}/debs/docker-compose_2.26.1-4_amd64.deb"
        )

    def test_ubuntu_without_a_package_raises(self) -> None:
        """No candidate off Debian: InstallError pointing to Docker's compose docs."""
        runner = Recorder({"apt-cache policy": CommandResult(0, "", "")})
        with pytest.raises(InstallError) as caught:
            install.install_compose(context(host(UBUNTU), runner))
        assert "docs.docker.com/compose" in caught.value.remediation


class FakeProcess:
    """Stands in for the launched dockerd."""

    def __init__(self, returncode: int | None = None) -> None:
        self.returncode = returncode

    def poll(self) -> int | None:
        return self.returncode


class TestStartDaemon:
    def test_already_running_does_nothing(self) -> None:
        """A daemon that answers by now is left alone."""
        runner = Recorder()
        install.start_daemon(context(host(), runner, READY))
        assert runner.calls == []

    def test_systemd_host_uses_systemctl(self) -> None:
        """Under systemd the unit is started, not a private dockerd."""
        runner = Recorder()
        install.start_daemon(context(host(systemd=True), runner, DAEMON_DOWN))
        assert "env DEBIAN_FRONTEND=noninteractive systemctl start docker" in runner.calls[0]
        assert runner.calls[-1].startswith("docker info")

    def test_dockerd_already_starting_is_waited_for(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A dockerd process that does not answer yet is waited for, never started twice."""
        monkeypatch.setattr(install, "launch_dockerd", lambda *a: pytest.fail("launched"))
        ctx = context(host(), Recorder(), DAEMON_DOWN)
        ctx.dockerd_running = lambda: True
        install.start_daemon(ctx)

    def test_launches_dockerd_logging_to_a_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without systemd or a dockerd process, dockerd is launched with a log in log_dir."""
        launched: list[Path] = []

        def fake_launch(ctx: Context, log: Path) -> FakeProcess:
            launched.append(log)
            return FakeProcess()

        monkeypatch.setattr(install, "launch_dockerd", fake_launch)
        ctx = context(host(), Recorder(), DAEMON_DOWN)
        ctx.dockerd_running = lambda: False
        ctx.log_dir = tmp_path
        install.start_daemon(ctx)
        assert launched == [tmp_path / "paws-dockerd.log"]

    def test_podman_service_is_launched_with_its_conf(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without systemd, Podman's service is launched with paws' containers.conf beside its
        log in log_dir, and waited for through detection."""
        launched: list[tuple[str, Path, Path]] = []

        def fake_launch(url: str, conf: Path, log: Path) -> FakeProcess:
            launched.append((url, conf, log))
            return FakeProcess()

        monkeypatch.setattr(install.podman, "launch_service", fake_launch)
        monkeypatch.setenv("DOCKER_HOST", "unix:///run/podman/podman.sock")
        ctx = context(host(), Recorder(), PODMAN_DOWN, PODMAN_DOWN, engine(kind="podman"))
        ctx.kind, ctx.log_dir = "podman", tmp_path
        install.start_daemon(ctx)
        conf, log = tmp_path / "podman-containers.conf", tmp_path / "paws-podman.log"
        assert launched == [("unix:///run/podman/podman.sock", conf, log)]

    def test_systemd_host_starts_podmans_socket(self) -> None:
        """Under systemd, Podman's socket unit is started."""
        runner = Recorder()
        ctx = context(host(systemd=True), runner, PODMAN_DOWN, engine(kind="podman"))
        ctx.kind = "podman"
        install.start_daemon(ctx)
        assert runner.calls[0].endswith("systemctl start podman.socket")

    def test_root_logs_under_var_log(self) -> None:
        """As root with no log_dir the log goes to /var/log/paws-dockerd.log."""
        ctx = context(host(), Recorder())
        assert install.dockerd_log_path(ctx) == Path("/var/log/paws-dockerd.log")


class TestWaitForDaemon:
    def test_polls_until_docker_info_answers(self) -> None:
        """`docker info` failing twice then answering returns after three polls."""
        answers = [CommandResult(1, "", ""), CommandResult(1, "", ""), CommandResult(0, "20", "")]
        ctx = context(host(), Recorder())
        ctx.run = lambda argv, timeout: answers.pop(0)
        install.wait_for_daemon(ctx, None, sleep=lambda _: None)
        assert answers == []

    def test_timeout_names_the_wait_and_the_log(self, tmp_path: Path) -> None:
        """A daemon that never answers gives InstallError naming `docker info`, seconds and log."""
        ctx = context(host(), Recorder({"docker info": CommandResult(1, "", "")}))
        with pytest.raises(InstallError, match=r"`docker info` within 0\.2 s") as caught:
            install.wait_for_daemon(ctx, tmp_path / "d.log", timeout=0.2)
        assert str(tmp_path / "d.log") in caught.value.remediation

    def test_dockerd_exit_fails_fast_with_its_log(self, tmp_path: Path) -> None:
        """If the launched dockerd dies, the error quotes its log at once."""
        log = tmp_path / "d.log"
        log.write_text("level=info msg=start\nfailed to start daemon: pid file found\n")
        ctx = context(host(), Recorder({"docker info": CommandResult(1, "", "")}))
        with pytest.raises(InstallError, match=r"exited with code 1.*pid file found"):
            install.wait_for_daemon(
                ctx,
                log,
                FakeProcess(1),  # type: ignore[arg-type]  # duck-types Popen.poll/returncode
                timeout=30,
                sleep=lambda _: None,
            )


class TestLaunchDockerdForReal:
    def test_detached_process_in_its_own_session(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The launched process (a script standing in for dockerd) leads its own session and
        writes to the log file."""
        fake = tmp_path / "dockerd"
        fake.write_text("#!/bin/sh\necho started\nsleep 1\n")
        fake.chmod(0o755)
        monkeypatch.setattr("shutil.which", lambda name: str(fake))
        log = tmp_path / "paws-dockerd.log"
        proc = install.launch_dockerd(context(host(), Recorder()), log)
        try:
            assert os.getsid(proc.pid) == proc.pid
        finally:
            assert proc.wait(timeout=10) == 0
        assert log.read_text() == "started\n"
