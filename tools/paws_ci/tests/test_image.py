"""The runner image: its tag, its Dockerfile, the host binaries it copies and its build
context. The host's files are stand-ins in a temporary directory and `docker build` is a fake
that reads the context it is given; nothing reaches an engine."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from paws_ci import ImageBuildFailed, RunnerImageMissing, image
from paws_ci.image import RunnerImage, dockerfile_text, host_binaries


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunnerImage:
    """A docker CLI, a compose plugin and a CA bundle of known content."""
    for name, content in (("docker", "cli-1"), ("docker-compose", "plugin-1"), ("ca.crt", "ca-1")):
        (tmp_path / name).write_text(content, "utf-8")
    monkeypatch.setattr(image, "HOST_CA_BUNDLE", tmp_path / "ca.crt")
    return RunnerImage("paws/base:abc", tmp_path / "docker", tmp_path / "docker-compose")


class TestTag:
    """The tag is a hash of every input: unchanged inputs are never rebuilt."""

    def test_stable_for_the_same_inputs(self, host: RunnerImage) -> None:
        assert host.tag == host.tag == replace(host).tag
        assert len(host.tag) == 12 and host.name == f"paws/ci-runner:{host.tag}"

    def test_another_base_image_changes_it(self, host: RunnerImage) -> None:
        assert replace(host, base="paws/base:def").tag != host.tag

    @pytest.mark.parametrize("name", ["docker", "docker-compose", "ca.crt"])
    def test_a_changed_host_file_changes_it(self, host: RunnerImage, name: str) -> None:
        """A new docker CLI, compose plugin or CA bundle means a new image."""
        before = host.tag
        (host.docker_cli.parent / name).write_text("changed", "utf-8")
        assert host.tag != before

    def test_a_missing_ca_bundle_changes_it(
        self, host: RunnerImage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        before = host.tag
        monkeypatch.setattr(image, "HOST_CA_BUNDLE", tmp_path / "absent.crt")
        assert host.tag != before

    def test_a_changed_dockerfile_changes_it(
        self, host: RunnerImage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = host.tag
        monkeypatch.setattr(image, "dockerfile_text", lambda: dockerfile_text() + "# more\n")
        assert host.tag != before


class TestDockerfile:
    """The packaged Dockerfile builds on the project's base and copies the host's pieces."""

    def test_it_starts_from_the_base_image_argument(self) -> None:
        text = dockerfile_text()
        assert "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n" in text

    @pytest.mark.parametrize(
        "line",
        [
            "COPY ca-certificates.crt /tmp/host-ca.crt",
            "COPY docker /usr/local/bin/docker",
            "COPY docker-compose /usr/local/lib/docker/cli-plugins/docker-compose",
            'LABEL dev.paws.role="ci-runner"',
        ],
    )
    def test_it_copies_the_build_context(self, line: str) -> None:
        """Each file the build context holds is used, and the image is labelled."""
        assert line in dockerfile_text().splitlines()


class TestHostBinaries:
    """The image copies the host's docker CLI and compose plugin; missing ones are named."""

    def test_both_found(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "docker").write_text("", "utf-8")
        (tmp_path / "plugins").mkdir()
        (tmp_path / "plugins" / "docker-compose").write_text("", "utf-8")
        monkeypatch.setattr(image.shutil, "which", lambda name: str(tmp_path / "docker"))
        monkeypatch.setattr(image, "COMPOSE_PLUGIN_DIRS", (tmp_path / "none", tmp_path / "plugins"))
        assert host_binaries() == (tmp_path / "docker", tmp_path / "plugins" / "docker-compose")

    @pytest.mark.parametrize(
        ("cli", "plugin", "found"),
        [
            (False, True, "found CLI: no, compose plugin: "),
            (True, False, "compose plugin: no"),
        ],
    )
    def test_a_missing_binary_is_named_with_the_fix(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: bool, plugin: bool, found: str
    ) -> None:
        if plugin:
            (tmp_path / "docker-compose").write_text("", "utf-8")
        monkeypatch.setattr(image.shutil, "which", lambda name: "/usr/bin/docker" if cli else None)
        monkeypatch.setattr(image, "COMPOSE_PLUGIN_DIRS", (tmp_path,))
        with pytest.raises(ImageBuildFailed) as caught:
            host_binaries()
        assert found in caught.value.message
        assert "needs the host's docker CLI and compose v2 plugin" in caught.value.message
        assert caught.value.remediation == "run `nox -s setup`, which installs both"


class FakeBuild:
    """`docker build`: records the argv and the context's files, answers with `returncode`."""

    def __init__(self, returncode: int = 0, output: str = "") -> None:
        self.returncode, self.output = returncode, output
        self.argv: list[str] = []
        self.context: dict[str, str] = {}

    def __call__(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.argv = argv
        context = Path(argv[-1])
        self.context = {p.name: p.read_text("utf-8") for p in context.iterdir()}
        return subprocess.CompletedProcess(argv, self.returncode, self.output, "")


@pytest.fixture
def build(monkeypatch: pytest.MonkeyPatch) -> FakeBuild:
    fake = FakeBuild()
    monkeypatch.setattr(image, "image_exists", lambda name: name == "paws/base:abc")
    monkeypatch.setattr(image.subprocess, "run", fake)
    return fake


class TestBuildContext:
    """What `docker build` is given: the Dockerfile, both binaries and the CA bundle."""

    def test_the_host_bundle_goes_into_the_context(
        self, host: RunnerImage, build: FakeBuild
    ) -> None:
        host.build(lambda line: None)
        assert build.context == {
            "Dockerfile": dockerfile_text(),
            "docker": "cli-1",
            "docker-compose": "plugin-1",
            "ca-certificates.crt": "ca-1",
        }
        assert ["--build-arg", "BASE_IMAGE=paws/base:abc", "-t", host.name] == build.argv[4:8]

    def test_without_a_host_bundle_the_context_has_an_empty_one(
        self, host: RunnerImage, build: FakeBuild, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """The Dockerfile copies it in any case; empty means keep Debian's own bundle."""
        monkeypatch.setattr(image, "HOST_CA_BUNDLE", tmp_path / "absent.crt")
        host.build(lambda line: None)
        assert build.context["ca-certificates.crt"] == ""

    def test_a_failed_build_shows_its_last_lines(self, host: RunnerImage, build: FakeBuild) -> None:
        build.returncode, build.output = 1, "\n".join(f"step {n}" for n in range(20))
        with pytest.raises(ImageBuildFailed) as caught:
            host.build(lambda line: None)
        assert caught.value.message.endswith("step 19") and "step 11" not in caught.value.message

    def test_a_missing_base_image_is_refused_before_building(
        self, host: RunnerImage, build: FakeBuild
    ) -> None:
        with pytest.raises(RunnerImageMissing, match="base image paws/base:other"):
            replace(host, base="paws/base:other").build(lambda line: None)
        assert build.argv == []


class TestEnsure:
    """An image that exists is used; a missing one is built only when allowed."""

    def test_an_existing_image_is_not_rebuilt(
        self, host: RunnerImage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(image, "image_exists", lambda name: True)
        monkeypatch.setattr(RunnerImage, "build", lambda self, report: pytest.fail("rebuilt"))
        assert host.ensure(build=True, report=lambda line: None) == host.name

    def test_no_build_names_the_command(
        self, host: RunnerImage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(image, "image_exists", lambda name: False)
        with pytest.raises(RunnerImageMissing) as caught:
            host.ensure(build=False, report=lambda line: None)
        assert "paws-ci build-image" in caught.value.remediation
