"""Tests for paws_stack.images.ImagePlan: tags are a hash of the definition, nothing more."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paws_stack.images import SERVICE_IMAGES, ImagePlan, copied_sources

COMPOSE_DIR = Path(__file__).resolve().parents[3] / "compose"


@pytest.fixture
def compose(tmp_path: Path) -> Path:
    """A private copy of the repository's compose/ directory."""
    return Path(shutil.copytree(COMPOSE_DIR, tmp_path / "compose"))


def append(path: Path, text: str = "\n# changed\n") -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


class TestTags:
    def test_tags_are_stable(self, compose: Path) -> None:
        """The same definition gives the same tags every time."""
        assert ImagePlan.for_definition(compose) == ImagePlan.for_definition(compose)

    def test_tags_do_not_depend_on_location(self, compose: Path, tmp_path: Path) -> None:
        """A copy elsewhere hashes the same: paths are taken relative to compose/."""
        other = Path(shutil.copytree(compose, tmp_path / "elsewhere" / "compose"))
        assert ImagePlan.for_definition(other) == ImagePlan.for_definition(compose)

    def test_tags_are_short_hex(self, compose: Path) -> None:
        """Tags are 12 hexadecimal characters."""
        plan = ImagePlan.for_definition(compose)
        for tag in (plan.base_tag, *plan.service_tags.values()):
            assert len(tag) == 12 and all(c in "0123456789abcdef" for c in tag)

    @pytest.mark.parametrize(
        "relative",
        ["config/patroni/patroni.yml", "config/haproxy/haproxy.cfg", "images/postgres/Dockerfile"],
    )
    def test_service_input_changes_only_service_tag(self, compose: Path, relative: str) -> None:
        """Changing a service's config or Dockerfile rebuilds the services, not the base."""
        before = ImagePlan.for_definition(compose)
        append(compose / relative)
        after = ImagePlan.for_definition(compose)
        assert after.base_tag == before.base_tag
        assert after.service_tags != before.service_tags

    @pytest.mark.parametrize(
        ("relative", "changed"),
        [
            ("config/haproxy/haproxy.cfg", {"haproxy"}),
            ("config/patroni/patroni.yml", {"postgres"}),
            ("config/sentinel/sentinel.conf", {"redis"}),
            ("images/etcd/Dockerfile", {"etcd"}),
            ("images/runtime/paws_roles.py", {"postgres", "redis", "haproxy", "app", "etcd"}),
        ],
    )
    def test_an_input_changes_only_the_images_built_from_it(
        self, compose: Path, relative: str, changed: set[str]
    ) -> None:
        """An edit of haproxy.cfg rebuilds (and `up` recreates) HAProxy alone, not Patroni."""
        before = ImagePlan.for_definition(compose)
        append(compose / relative)
        after = ImagePlan.for_definition(compose)
        assert {n for n in after.service_tags if after.tag(n) != before.tag(n)} == changed

    def test_a_new_copy_line_makes_its_source_an_input(self, compose: Path) -> None:
        """The inputs are read from the Dockerfile: a file it starts to COPY counts at once."""
        dockerfile = compose / "images" / "etcd" / "Dockerfile"
        append(dockerfile, "COPY --chown=etcd config/etcd/ /etc/paws/etcd/\n")
        (compose / "config" / "etcd").mkdir()
        (compose / "config" / "etcd" / "extra.conf").write_text("a\n", "utf-8")
        before = ImagePlan.for_definition(compose)
        append(compose / "config" / "etcd" / "extra.conf")
        assert ImagePlan.for_definition(compose).tag("etcd") != before.tag("etcd")

    def test_copy_from_another_stage_is_not_a_context_input(self, tmp_path: Path) -> None:
        """`COPY --from=stage` reads the stage, not the build context."""
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text(
            "FROM x AS build\nCOPY --from=build /out /out\nADD a b/ /dest/\n", "utf-8"
        )
        assert copied_sources(dockerfile) == ("a", "b")

    @pytest.mark.parametrize(
        "relative",
        ["versions.toml", "images/base/Dockerfile.registry", "images/base/finish-rootfs.sh"],
    )
    def test_base_input_changes_both_tags(self, compose: Path, relative: str) -> None:
        """Changing the pins or the base definition rebuilds the base and the services."""
        before = ImagePlan.for_definition(compose)
        append(compose / relative)
        after = ImagePlan.for_definition(compose)
        assert after.base_tag != before.base_tag
        assert after.service_tags != before.service_tags

    def test_new_config_file_changes_service_tag(self, compose: Path) -> None:
        """Adding a file under config/ counts as a change."""
        before = ImagePlan.for_definition(compose)
        (compose / "config" / "redis" / "extra.conf").write_text("maxmemory 1mb\n", "utf-8")
        assert ImagePlan.for_definition(compose).tag("redis") != before.tag("redis")

    def test_renamed_file_changes_service_tag(self, compose: Path) -> None:
        """A file's name is part of the hash, not only its content."""
        before = ImagePlan.for_definition(compose)
        (compose / "config" / "redis" / "redis.conf").rename(
            compose / "config" / "redis" / "renamed.conf"
        )
        assert ImagePlan.for_definition(compose).tag("redis") != before.tag("redis")

    def test_compose_yaml_is_not_an_input(self, compose: Path) -> None:
        """compose.yaml is read at `up`, not baked into images: editing it rebuilds nothing."""
        before = ImagePlan.for_definition(compose)
        append(compose / "compose.yaml")
        assert ImagePlan.for_definition(compose) == before


def _plan(base: str, services: str) -> ImagePlan:
    """A plan with every service image on the same tag."""
    return ImagePlan(base, dict.fromkeys(SERVICE_IMAGES, services))


class TestNames:
    def test_base_name(self) -> None:
        """The base image is paws/base:<base tag>."""
        assert _plan("aaa", "bbb").base == "paws/base:aaa"

    def test_service_name(self) -> None:
        """A service image is paws/<name>:<service tag>."""
        assert _plan("aaa", "bbb").service("redis") == "paws/redis:bbb"

    def test_compose_env(self) -> None:
        """compose_env names one PAWS_IMAGE_* variable per service image."""
        assert _plan("aaa", "bbb").compose_env() == {
            "PAWS_IMAGE_POSTGRES": "paws/postgres:bbb",
            "PAWS_IMAGE_ETCD": "paws/etcd:bbb",
            "PAWS_IMAGE_REDIS": "paws/redis:bbb",
            "PAWS_IMAGE_HAPROXY": "paws/haproxy:bbb",
            "PAWS_IMAGE_APP": "paws/app:bbb",
        }

    def test_compose_yaml_reads_every_image_variable(self) -> None:
        """Each PAWS_IMAGE_* variable is used by compose.yaml, or (the app base) by Dockerfiles
        of apps through PAWS_APP_BASE and by apps files that run it directly."""
        text = (COMPOSE_DIR / "compose.yaml").read_text("utf-8") + "PAWS_IMAGE_APP"
        assert all(name in text for name in _plan("a", "b").compose_env())
