"""Tests for paws_stack.secrets: generated once, private, never silently replaced."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from paws_stack.errors import SecretsError
from paws_stack.secrets import (
    ALPHABET,
    CONVERGED_SECRETS,
    GENERATED,
    LATER_SECRETS,
    LENGTH,
    MARKER,
    SECRET_NAMES,
    SecretStore,
    generate_password,
    is_well_formed,
)


@pytest.fixture
def store(tmp_path: Path) -> SecretStore:
    """A store in a directory that does not exist yet."""
    return SecretStore(tmp_path / "paws" / "secrets")


@pytest.fixture
def filled(store: SecretStore) -> SecretStore:
    """A store whose secrets were created."""
    store.ensure(volumes_exist=False)
    return store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(store: SecretStore) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(store.path.iterdir())}


class TestGeneratePassword:
    def test_default_length(self) -> None:
        """A generated password has the default length of 32."""
        assert LENGTH == 32 and len(generate_password()) == 32

    def test_custom_length(self) -> None:
        """The length can be chosen."""
        assert len(generate_password(20)) == 20

    def test_letters_and_digits_only(self) -> None:
        """Only ASCII letters and digits: safe in URLs, HAProxy check strings and YAML."""
        text = "".join(generate_password() for _ in range(50))
        assert set(text) <= set(ALPHABET)
        assert set(ALPHABET) == set(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        )

    def test_passwords_differ(self) -> None:
        """Two passwords are not the same."""
        assert generate_password() != generate_password()

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("a" * 32, True),
            ("a" * 16, True),
            ("a" * 15, False),
            ("a" * 31 + "!", False),
            ("pass word with spaces ok", False),
            ("", False),
        ],
    )
    def test_is_well_formed(self, value: str, expected: bool) -> None:
        """Well formed means 16+ characters of the generator's alphabet."""
        assert is_well_formed(value) is expected


class TestEnsureCreates:
    def test_creates_all_and_returns_their_names(self, store: SecretStore) -> None:
        """A first ensure() creates every secret and says which."""
        assert store.ensure(volumes_exist=False) == list(SECRET_NAMES)
        assert sorted(p.name for p in store.path.iterdir()) == sorted(
            [*SECRET_NAMES, ".gitignore", MARKER]
        )

    def test_nine_secrets(self) -> None:
        """The store holds the nine passwords the stack needs (two for etcd, one for the
        PostgreSQL exporter's monitor role)."""
        assert len(SECRET_NAMES) == 9 and set(LATER_SECRETS) <= set(SECRET_NAMES)
        assert CONVERGED_SECRETS == {"pg_monitor_password"} <= set(SECRET_NAMES)

    def test_files_are_0600(self, filled: SecretStore) -> None:
        """Each secret is readable by its owner only."""
        assert {name: mode(filled.file(name)) for name in SECRET_NAMES} == dict.fromkeys(
            SECRET_NAMES, 0o600
        )

    def test_directory_is_0700(self, filled: SecretStore) -> None:
        """The secrets directory is private to its owner."""
        assert mode(filled.path) == 0o700

    def test_values_are_well_formed_and_distinct(self, filled: SecretStore) -> None:
        """Each secret is a generated password, none shared."""
        values = [filled.read(name) for name in SECRET_NAMES]
        assert all(is_well_formed(v) for v in values) and len(set(values)) == len(SECRET_NAMES)

    def test_gitignore_inside_the_directory_only(self, filled: SecretStore) -> None:
        """A .gitignore ignoring everything is written inside the directory, never beside it."""
        assert (filled.path / ".gitignore").read_text("utf-8") == "*\n"
        assert not (filled.path.parent / ".gitignore").exists()

    def test_marker_says_paws_created_it(self, filled: SecretStore) -> None:
        """The marker records that paws created the directory."""
        assert (filled.path / MARKER).read_text("utf-8").startswith("created ")

    def test_loose_mode_is_tightened(self, filled: SecretStore) -> None:
        """A secret someone made world-readable is set back to 0600."""
        filled.file("redis_password").chmod(0o644)
        filled.ensure(volumes_exist=True)
        assert mode(filled.file("redis_password")) == 0o600

    def test_no_problems_when_complete(self, filled: SecretStore) -> None:
        """problems() is empty for a freshly created store."""
        assert filled.problems() == []


class TestEnsureIsIdempotent:
    @pytest.mark.parametrize("volumes_exist", [False, True])
    def test_second_ensure_creates_nothing(self, filled: SecretStore, volumes_exist: bool) -> None:
        """A complete store is left alone: nothing created."""
        assert filled.ensure(volumes_exist=volumes_exist) == []

    @pytest.mark.parametrize("volumes_exist", [False, True])
    def test_second_ensure_keeps_values(self, filled: SecretStore, volumes_exist: bool) -> None:
        """A complete store keeps its values byte for byte."""
        before = snapshot(filled)
        filled.ensure(volumes_exist=volumes_exist)
        assert snapshot(filled) == before


class TestDamagedWithVolumes:
    @pytest.mark.parametrize(
        ("damage", "problem"),
        [
            ("missing", "pg_app_password: missing"),
            ("corrupted", "pg_app_password: corrupted"),
            ("truncated", "pg_app_password: corrupted"),
        ],
    )
    def test_refuses_and_names_the_problem(
        self, filled: SecretStore, damage: str, problem: str
    ) -> None:
        """With volumes present, a damaged secret is an error naming which and how."""
        target = filled.file("pg_app_password")
        if damage == "missing":
            target.unlink()
        elif damage == "corrupted":
            target.write_text("hunter2!", "utf-8")
        else:
            target.write_text(target.read_text("utf-8")[:5], "utf-8")
        with pytest.raises(SecretsError) as caught:
            filled.ensure(volumes_exist=True)
        assert problem in caught.value.message

    def test_message_explains_volumes_hold_old_passwords(self, filled: SecretStore) -> None:
        """The message says the volumes exist and hold the old passwords."""
        filled.file("redis_password").unlink()
        with pytest.raises(SecretsError) as caught:
            filled.ensure(volumes_exist=True)
        assert "volumes exist and hold the old passwords" in caught.value.message
        assert str(filled.path) in caught.value.message

    def test_remediation_offers_both_recoveries(self, filled: SecretStore) -> None:
        """The fix names restoring from a backup and wiping the volumes."""
        filled.file("redis_password").unlink()
        with pytest.raises(SecretsError) as caught:
            filled.ensure(volumes_exist=True)
        assert "restore the directory from a backup" in caught.value.remediation
        assert "paws-stack down --volumes" in caught.value.remediation
        assert "paws-stack up" in caught.value.remediation

    def test_missing_creates_nothing(self, filled: SecretStore) -> None:
        """Refusing leaves the missing secret missing and the others untouched."""
        filled.file("redis_password").unlink()
        before = snapshot(filled)
        with pytest.raises(SecretsError):
            filled.ensure(volumes_exist=True)
        assert snapshot(filled) == before

    def test_corrupted_is_not_changed(self, filled: SecretStore) -> None:
        """Refusing leaves the corrupted value as it was, for the user to inspect."""
        filled.file("redis_password").write_text("short", "utf-8")
        before = snapshot(filled)
        with pytest.raises(SecretsError):
            filled.ensure(volumes_exist=True)
        assert snapshot(filled) == before

    def test_missing_directory_is_not_created(self, store: SecretStore) -> None:
        """Volumes but no secrets at all: refuse without creating the directory."""
        with pytest.raises(SecretsError):
            store.ensure(volumes_exist=True)
        assert not store.path.exists()

    def test_binary_garbage_counts_as_corrupted(self, filled: SecretStore) -> None:
        """A secret overwritten with non-UTF-8 bytes is reported corrupted, not a crash."""
        filled.file("redis_password").write_bytes(b"\xff\xfe\x00garbage")
        with pytest.raises(SecretsError, match="redis_password: corrupted"):
            filled.ensure(volumes_exist=True)


class TestDamagedWithoutVolumes:
    def test_corrupted_is_regenerated(self, filled: SecretStore) -> None:
        """No volumes hold the old value, so a corrupted secret is replaced and reported."""
        filled.file("pg_rewind_password").write_text("not a password!", "utf-8")
        assert filled.ensure(volumes_exist=False) == ["pg_rewind_password"]
        assert is_well_formed(filled.read("pg_rewind_password"))

    def test_regenerated_secret_is_0600(self, filled: SecretStore) -> None:
        """The replacement is private like the rest."""
        filled.file("pg_rewind_password").write_text("bad!", "utf-8")
        filled.file("pg_rewind_password").chmod(0o666)
        filled.ensure(volumes_exist=False)
        assert mode(filled.file("pg_rewind_password")) == 0o600

    def test_missing_is_recreated_others_kept(self, filled: SecretStore) -> None:
        """Only the missing secret is created; the others keep their values."""
        before = snapshot(filled)
        filled.file("redis_password").unlink()
        assert filled.ensure(volumes_exist=False) == ["redis_password"]
        after = snapshot(filled)
        assert {k: v for k, v in after.items() if k != "redis_password"} == {
            k: v for k, v in before.items() if k != "redis_password"
        }


class TestRead:
    def test_returns_the_stored_value(self, filled: SecretStore) -> None:
        """read() returns the file's content without surrounding whitespace."""
        filled.file("pg_app_password").write_text("abcdefghijklmnop0123\n", "utf-8")
        assert filled.read("pg_app_password") == "abcdefghijklmnop0123"

    def test_missing_file_is_secrets_error(self, store: SecretStore) -> None:
        """A missing secret raises SecretsError (not OSError) naming the secret."""
        with pytest.raises(SecretsError) as caught:
            store.read("redis_password")
        assert "cannot read secret redis_password" in caught.value.message
        assert "restore the secrets directory" in caught.value.remediation

    def test_error_is_not_chained(self, store: SecretStore) -> None:
        """The OSError is not chained, so the CLI shows one message."""
        with pytest.raises(SecretsError) as caught:
            store.read("redis_password")
        assert caught.value.__cause__ is None and caught.value.__suppress_context__

    def test_binary_garbage_is_secrets_error(self, filled: SecretStore) -> None:
        """A secret holding non-UTF-8 bytes raises SecretsError, not UnicodeDecodeError."""
        filled.file("redis_password").write_bytes(b"\xff\xfe\x00garbage")
        with pytest.raises(SecretsError):
            filled.read("redis_password")


class TestDirectoryNotOurs:
    """PAWS_SECRETS_DIR pointing at someone else's directory changes nothing there."""

    @pytest.fixture
    def foreign(self, tmp_path: Path) -> Path:
        """A shared directory (like /tmp) holding a user's file, mode 0o755."""
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        shared.chmod(0o755)
        (shared / "notes.txt").write_text("mine", "utf-8")
        return shared

    def tree(self, root: Path) -> dict[str, tuple[int, bytes]]:
        return {
            str(p.relative_to(root)): (mode(p), p.read_bytes() if p.is_file() else b"")
            for p in [root, *sorted(root.rglob("*"))]
        }

    def test_non_empty_directory_is_refused(self, foreign: Path) -> None:
        """A non-empty directory paws did not create is refused, naming a file and the fix."""
        with pytest.raises(SecretsError) as caught:
            SecretStore(foreign).ensure(volumes_exist=False)
        assert "already holds files paws did not create (notes.txt)" in caught.value.message
        assert "PAWS_SECRETS_DIR" in caught.value.remediation

    def test_refusal_changes_nothing_there_or_in_the_parent(self, foreign: Path) -> None:
        """No chmod, no secret, no .gitignore: neither in the directory nor beside it."""
        before = self.tree(foreign.parent)
        with pytest.raises(SecretsError):
            SecretStore(foreign).ensure(volumes_exist=False)
        assert self.tree(foreign.parent) == before

    def test_a_file_is_refused(self, tmp_path: Path) -> None:
        """A path that is a file is refused and left alone."""
        target = tmp_path / "secrets"
        target.write_text("x", "utf-8")
        with pytest.raises(SecretsError, match="is not a directory"):
            SecretStore(target).ensure(volumes_exist=False)
        assert target.read_text("utf-8") == "x"

    def test_empty_directory_is_used_but_not_chmodded(self, tmp_path: Path) -> None:
        """An empty directory the user made gets the secrets, keeps its own mode."""
        mine = tmp_path / "mine"
        mine.mkdir()
        mine.chmod(0o750)
        store = SecretStore(mine)
        assert store.ensure(volumes_exist=False) == list(SECRET_NAMES)
        assert mode(mine) == 0o750
        assert (mine / MARKER).read_text("utf-8").startswith("adopted ")
        store.ensure(volumes_exist=False)
        assert mode(mine) == 0o750, "a later run must not chmod it either"

    def test_directory_others_can_write_is_refused(self, tmp_path: Path) -> None:
        """An empty world-writable directory is refused: anyone could swap a password."""
        shared = tmp_path / "open"
        shared.mkdir()
        shared.chmod(0o777)
        with pytest.raises(SecretsError, match="writable by other users"):
            SecretStore(shared).ensure(volumes_exist=False)
        assert list(shared.iterdir()) == [] and mode(shared) == 0o777

    def test_directory_from_before_the_marker_is_ours(self, filled: SecretStore) -> None:
        """A directory holding only paws' secrets (older paws, no marker) is still accepted."""
        (filled.path / MARKER).unlink()
        (filled.path / ".gitignore").unlink()
        filled.path.chmod(0o755)
        assert filled.ensure(volumes_exist=True) == []
        assert mode(filled.path) == 0o700
        assert (filled.path / MARKER).read_text("utf-8").startswith("created ")

    def test_ours_with_a_stray_file_is_still_ours(self, filled: SecretStore) -> None:
        """Once marked, a file the user drops in (a backup, say) does not lock them out."""
        (filled.path / "redis_password.bak").write_text("x", "utf-8")
        assert filled.ensure(volumes_exist=True) == []


class TestSecretsAddedLater:
    """etcd's passwords came after the first release: existing volumes do not hold them."""

    @pytest.fixture
    def from_before(self, filled: SecretStore) -> SecretStore:
        """A store as the first release left it: six secrets, a marker without a list."""
        for name in LATER_SECRETS | CONVERGED_SECRETS:
            filled.file(name).unlink()
        (filled.path / MARKER).write_text("created by paws-stack\n", "utf-8")
        return filled

    def test_missing_new_secrets_are_generated_despite_volumes(
        self, from_before: SecretStore
    ) -> None:
        """The new secrets are created even though volumes exist; the old ones are kept."""
        later = LATER_SECRETS | CONVERGED_SECRETS
        before = {n: from_before.read(n) for n in SECRET_NAMES if n not in later}
        assert sorted(from_before.ensure(volumes_exist=True)) == sorted(later)
        assert {n: from_before.read(n) for n in before} == before

    def test_once_generated_they_are_protected_like_the_others(
        self, from_before: SecretStore
    ) -> None:
        """After generation a lost etcd secret is damage: refused while volumes exist."""
        from_before.ensure(volumes_exist=True)
        from_before.file("etcd_root_password").unlink()
        with pytest.raises(SecretsError, match="etcd_root_password: missing"):
            from_before.ensure(volumes_exist=True)

    def test_volume_secrets_do_not_count_the_new_ones(self, from_before: SecretStore) -> None:
        """The secrets volumes were made with are complete without the new ones."""
        assert from_before.holds_volume_secrets()
        from_before.file("pg_app_password").unlink()
        assert not from_before.holds_volume_secrets()


class TestConvergedSecrets:
    """The monitor role's password: paws sets it on every `up`, so it is always replaceable."""

    @pytest.fixture
    def from_etcd_era(self, filled: SecretStore) -> SecretStore:
        """A store as the release with etcd's secrets left it: eight, listed in the marker."""
        for name in CONVERGED_SECRETS:
            filled.file(name).unlink()
        marker = filled.path / MARKER
        head = marker.read_text("utf-8").splitlines()[0]
        listed = sorted(set(SECRET_NAMES) - CONVERGED_SECRETS)
        marker.write_text(f"{head}\n{GENERATED} {' '.join(listed)}\n", "utf-8")
        return filled

    def test_a_new_one_is_generated_despite_volumes(self, from_etcd_era: SecretStore) -> None:
        """Volumes from before it: only it is generated, the others are kept byte for byte."""
        before = snapshot(from_etcd_era)
        assert from_etcd_era.ensure(volumes_exist=True) == ["pg_monitor_password"]
        after = snapshot(from_etcd_era)
        assert {k: v for k, v in after.items() if k in before and k != MARKER} == {
            k: v for k, v in before.items() if k != MARKER
        }
        assert mode(from_etcd_era.file("pg_monitor_password")) == 0o600

    @pytest.mark.parametrize("damage", ["missing", "corrupted"])
    def test_a_lost_one_is_generated_again_despite_volumes(
        self, filled: SecretStore, damage: str
    ) -> None:
        """Unlike the others, once generated and then lost or damaged it is replaced, not
        refused: the next `up` sets the role's password from the new file."""
        target = filled.file("pg_monitor_password")
        old = filled.read("pg_monitor_password")
        if damage == "missing":
            target.unlink()
        else:
            target.write_text("hunter2!", "utf-8")
        assert filled.ensure(volumes_exist=True) == ["pg_monitor_password"]
        new = filled.read("pg_monitor_password")
        assert is_well_formed(new) and new != old

    def test_another_damaged_secret_is_still_refused(self, filled: SecretStore) -> None:
        """The exception is the converged secret's only: a lost app password still refuses,
        and nothing is written, not even the converged one."""
        filled.file("pg_monitor_password").unlink()
        filled.file("pg_app_password").unlink()
        before = snapshot(filled)
        with pytest.raises(SecretsError, match="pg_app_password: missing") as caught:
            filled.ensure(volumes_exist=True)
        assert "pg_monitor_password" not in caught.value.message
        assert snapshot(filled) == before

    def test_volume_secrets_do_not_count_it(self, filled: SecretStore) -> None:
        """Volumes are not made with it, so the volume secrets are complete without it."""
        filled.file("pg_monitor_password").unlink()
        assert filled.holds_volume_secrets()
