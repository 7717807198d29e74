"""What paws copies to a remote engine's host before `up`: which files, and how they travel.
(The copy itself runs against a real second engine in tests/test_remote_engine.py.)"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from paws_stack._remotefiles import archive, by_directory, mounted_files


def test_mounted_files_are_the_secrets_configs_and_bound_files_that_exist(tmp_path: Path) -> None:
    """Directories (the dev loop's sources) and paths that do not exist here are left out."""
    secret, config, bound = tmp_path / "s", tmp_path / "c.yml", tmp_path / "b.crt"
    for path in (secret, config, bound):
        path.write_text("x")
    sources = tmp_path / "src"
    sources.mkdir()
    config_document = {
        "secrets": {"a": {"file": str(secret)}, "gone": {"file": str(tmp_path / "nope")}},
        "configs": {"p": {"file": str(config)}, "inline": {"content": "x"}},
        "services": {
            "x": {"volumes": [{"type": "bind", "source": str(bound)}]},
            "y": {"volumes": [{"type": "bind", "source": str(sources)}, {"type": "volume"}]},
            "z": {},
        },
    }
    assert mounted_files(config_document) == sorted([secret, config, bound])


def test_mounted_files_of_a_configuration_without_any() -> None:
    assert mounted_files({"services": {"x": {}}}) == []


def test_archive_keeps_name_content_mode_and_owner(tmp_path: Path) -> None:
    """Each file under its bare name, so the directory it lands in is the tar's root."""
    secret = tmp_path / "redis_password"
    secret.write_bytes(b"s3cr3t")
    secret.chmod(0o600)
    with tarfile.open(fileobj=io.BytesIO(archive([secret]))) as tar:
        (member,) = tar.getmembers()
        content = tar.extractfile(member)
        assert content is not None
        assert (member.name, member.mode, content.read()) == ("redis_password", 0o600, b"s3cr3t")
        assert (member.uid, member.gid) == (secret.stat().st_uid, secret.stat().st_gid)


def test_by_directory_groups_files_for_one_bind_each() -> None:
    files = [Path("/a/1"), Path("/b/2"), Path("/a/3")]
    assert by_directory(files) == {
        Path("/a"): [Path("/a/1"), Path("/a/3")],
        Path("/b"): [Path("/b/2")],
    }
