"""Generated passwords: created once into .paws/secrets (0600), handed to containers as files.

The values never go through the environment, a command line or a log. Once volumes exist they
hold these passwords (PostgreSQL roles, Redis config), so a missing or damaged secret is never
silently replaced: the user decides between restoring the files and wiping the volumes. The
exception is a password paws itself sets on every `up` (CONVERGED_SECRETS).
"""

from __future__ import annotations

import os
import secrets
import stat
import string
from dataclasses import dataclass
from pathlib import Path

from .errors import SecretsError

SECRET_NAMES = (
    "pg_superuser_password",
    "pg_replication_password",
    "pg_rewind_password",
    "pg_app_password",
    "patroni_api_password",
    "redis_password",
    "etcd_root_password",
    "etcd_patroni_password",
    "pg_monitor_password",
)
# Added after the first release. Volumes made before hold no such password yet, so a missing
# one is generated even when volumes exist, unless the marker says it was generated before:
# from then on it is as irreplaceable as the others (etcd's users were created with it).
LATER_SECRETS = frozenset({"etcd_root_password", "etcd_patroni_password"})
# Passwords held only by a role paws converges on every `up` (rolesettings.converge_on_leader:
# the exporter's monitor role gets the file's password whenever its stored one differs).
# Whether new, missing or damaged, such a secret is generated even when volumes exist: the
# next `up` gives the role the new value, so nothing is lost, and refusing would only make the
# user wipe their data over a monitoring password.
CONVERGED_SECRETS = frozenset({"pg_monitor_password"})
GENERATED = "generated:"
# Written into a directory paws created itself. Only such a directory is ever chmod-ed, and a
# non-empty directory without it (nor only paws' own files, from before the marker) is refused:
# PAWS_SECRETS_DIR=/tmp must never change /tmp.
MARKER = ".paws-secrets"
MARKER_TEXT = "by paws-stack: generated passwords, one file each (docs/troubleshooting.md)\n"
CREATED, ADOPTED = "created", "adopted"
# Inside the directory itself: never a file outside what paws owns.
GITIGNORE = ".gitignore"
# TLS mode's certificates have a directory of their own (certs.py).
TLS_DIR = "tls"
OWN_FILES = frozenset({*SECRET_NAMES, MARKER, GITIGNORE, TLS_DIR})
# Letters and digits only: the values are embedded in URLs, HAProxy check strings and YAML.
ALPHABET = string.ascii_letters + string.digits
LENGTH = 32


def generate_password(length: int = LENGTH) -> str:
    """A random password of letters and digits."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def is_well_formed(value: str) -> bool:
    """Whether a stored secret looks like one we generated (catches truncation and edits)."""
    return len(value) >= 16 and all(char in ALPHABET for char in value)


@dataclass(frozen=True)
class SecretStore:
    """The secrets directory of one project."""

    path: Path

    def file(self, name: str) -> Path:
        return self.path / name

    def read(self, name: str) -> str:
        """The value of one secret; for clients that must authenticate (never print it)."""
        try:
            return self.file(name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not text (corrupted)"
            raise SecretsError(
                f"cannot read secret {name} from {self.path}: {reason}",
                "restore the secrets directory from a backup (or, to start over, "
                "`paws-stack down --volumes` then `paws-stack up`)",
            ) from None

    def problems(self) -> list[str]:
        """What is wrong with the stored secrets, one line each; empty when complete."""
        found = []
        for name in SECRET_NAMES:
            target = self.file(name)
            if not target.is_file():
                found.append(f"{name}: missing")
            elif not is_well_formed(target.read_bytes().decode("utf-8", "replace").strip()):
                found.append(f"{name}: corrupted (not a generated password)")
        return found

    def ensure(self, volumes_exist: bool) -> list[str]:
        """Create missing secrets unless volumes hold the old ones; return the names created."""
        self.require_ours()
        # A secret newer than the volumes is missing because it never existed: not damage.
        new = {name for name in self._never_generated() if not self.file(name).is_file()}
        found = self.problems()
        problems = [p for p in found if p.split(":")[0] not in new | CONVERGED_SECRETS]
        if problems and volumes_exist:
            raise SecretsError(
                f"the secrets in {self.path} are damaged ({'; '.join(problems)}) but the "
                "stack's volumes exist and hold the old passwords",
                "restore the directory from a backup, or wipe the data with "
                "`paws-stack down --volumes` and run `paws-stack up` again",
            )
        created = [name for name in SECRET_NAMES if not self.file(name).is_file()]
        # Past the refusal, every damaged secret is one that may be replaced.
        created += [p.split(":")[0] for p in found if "corrupted" in p]
        self._create_dir()
        for name in created:
            self._write(name, generate_password())
        self._note_generated(created)
        self._tighten_modes()
        return created

    def holds_volume_secrets(self) -> bool:
        """Whether the passwords that volumes are initialised with are all here and sound."""
        later = LATER_SECRETS | CONVERGED_SECRETS
        return not [p for p in self.problems() if p.split(":")[0] not in later]

    def _generated(self) -> set[str]:
        marker = self.path / MARKER
        if not marker.is_file():
            return set()
        for line in marker.read_text(encoding="utf-8").splitlines():
            if line.startswith(GENERATED):
                return set(line.removeprefix(GENERATED).split())
        # A marker from before the list: the six original secrets were generated.
        return set(SECRET_NAMES) - LATER_SECRETS - CONVERGED_SECRETS

    def _never_generated(self) -> set[str]:
        return set(LATER_SECRETS) - self._generated()

    def _note_generated(self, names: list[str]) -> None:
        marker = self.path / MARKER
        head = marker.read_text(encoding="utf-8").splitlines()[0]
        listed = sorted(self._generated() | set(names) | self._present())
        marker.write_text(f"{head}\n{GENERATED} {' '.join(listed)}\n", encoding="utf-8")

    def _present(self) -> set[str]:
        return {name for name in SECRET_NAMES if self.file(name).is_file()}

    def foreign_entries(self) -> list[str]:
        """Entries of an existing directory that paws did not put there (empty when ours)."""
        if not self.path.is_dir() or (self.path / MARKER).is_file():
            return []
        return sorted(entry.name for entry in self.path.iterdir() if entry.name not in OWN_FILES)

    def require_ours(self) -> None:
        """Refuse a path that is not a directory, that others may write to, or that holds files
        paws did not write there. Changes nothing on disk."""
        if self.path.exists() and not self.path.is_dir():
            raise SecretsError(
                f"the secrets directory {self.path} is not a directory",
                "point PAWS_SECRETS_DIR at a new directory (paws creates it), or unset it",
            )
        foreign = self.foreign_entries()
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise SecretsError(
                f"the secrets directory {self.path} already holds files paws did not create "
                f"({shown}); paws will not write into it or change its permissions",
                "point PAWS_SECRETS_DIR at a new or empty directory, e.g. "
                f"{self.path / 'paws-secrets'}, or unset it",
            )
        others_may_write = self.path.is_dir() and stat.S_IMODE(self.path.stat().st_mode) & 0o022
        if others_may_write and self._claimed() != CREATED:
            # Whoever may write there may swap a password file; paws never chmods it.
            raise SecretsError(
                f"the secrets directory {self.path} is writable by other users",
                f"`chmod go-w {self.path}`, or point PAWS_SECRETS_DIR at a new directory",
            )

    def _claimed(self) -> str | None:
        """`created` or `adopted` from the marker; None without one."""
        marker = self.path / MARKER
        if not marker.is_file():
            return None
        return marker.read_text(encoding="utf-8").split(" ", 1)[0]

    def _create_dir(self) -> None:
        if self._claim() == CREATED:
            # Only a directory paws made is made private; an empty one the user made is theirs.
            self.path.chmod(0o700)
        gitignore = self.path / GITIGNORE
        if not gitignore.exists():
            # Belt and braces: the repository ignores .paws/, but a custom location may not.
            gitignore.write_text("*\n", encoding="utf-8")

    def _claim(self) -> str:
        """Create the directory or take over an empty one; the marker says which it was."""
        claimed = self._claimed()
        if claimed is not None:
            return claimed
        marker = self.path / MARKER
        if not self.path.exists():
            self.path.mkdir(parents=True, mode=0o700)
            kind = CREATED
        else:
            # Holding only paws' secrets: created by a paws from before the marker existed.
            names = {entry.name for entry in self.path.iterdir()}
            kind = CREATED if names & set(SECRET_NAMES) else ADOPTED
        marker.write_text(f"{kind} {MARKER_TEXT}", encoding="utf-8")
        return kind

    def _write(self, name: str, value: str) -> None:
        target = self.file(name)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)

    def _tighten_modes(self) -> None:
        for name in SECRET_NAMES:
            target = self.file(name)
            if stat.S_IMODE(target.stat().st_mode) != 0o600:
                target.chmod(0o600)
