"""The paws-stack action's one step: mask secrets, run the command, set outputs, report failures.

Standard library only; it drives the `paws-stack` console script of the action's venv. Inputs
arrive as INPUT_* variables (set in action.yml); outputs go to $GITHUB_OUTPUT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

LOG_TAIL = 40
BIN = Path(sys.executable).parent


def _input(name: str, default: str = "") -> str:
    return os.environ.get(f"INPUT_{name}", default).strip() or default


def paws(*args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
    """Run paws-stack with the chosen profile; output captured unless capture=False."""
    argv = [str(BIN / "paws-stack"), *args, "--profile", _input("PROFILE", "full")]
    return subprocess.run(argv, capture_output=capture, text=True, check=False)


def command(line: str) -> None:
    """Print one workflow command (::group::, ::add-mask::, ...) on its own line."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def mask_secrets() -> None:
    """Create the secrets if needed (setup prints none), then mask every one of them."""
    code = "from paws_stack.settings import load_settings; print(load_settings().secrets_path)"
    where = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    for path in sorted(Path(where).glob("*")):
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.strip():
                    command(f"::add-mask::{line.strip()}")


def set_outputs(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        for name, value in values.items():
            delimiter = f"paws_{uuid.uuid4().hex}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def endpoint_outputs(health: str) -> dict[str, str]:
    result = paws("endpoints", "--json", "--show-secrets")
    if result.returncode != 0:
        raise SystemExit(f"::error::paws-stack endpoints failed: {result.stderr.strip()}")
    data: dict[str, Any] = json.loads(result.stdout)
    return {
        "postgres-url": data["postgres_url"],
        "postgres-ro-url": data["postgres_ro_url"],
        "redis-url": data["redis_url"],
        "sentinels": ",".join(data["sentinels"]),
        "etcd-endpoints": ",".join(data["etcd_endpoints"]),
        "health-json": json.dumps(json.loads(health), separators=(",", ":")) if health else "",
    }


def report_failure(why: str) -> int:
    """Health report and the failing services' last logs, each in a collapsible group."""
    command(f"::error::paws-stack {_input('COMMAND', 'up')} failed: {why.strip()[:2000]}")
    health = paws("health", "--json")
    command("::group::paws-stack health report")
    sys.stdout.write((health.stdout or health.stderr).strip() + "\n")
    command("::endgroup::")
    try:
        components = json.loads(health.stdout).get("components", [])
        failing = [str(c["name"]) for c in components if not c.get("healthy")]
    except (ValueError, AttributeError):
        failing = []
    for service in failing or [""]:
        logs = paws("logs", "--tail", str(LOG_TAIL), *([service] if service else []))
        command(f"::group::last logs of {service or 'all services'}")
        sys.stdout.write((logs.stdout or logs.stderr).strip() + "\n")
        command("::endgroup::")
    return 1


def up() -> int:
    result = paws("up", "--yes", "--json", "--timeout", _input("WAIT_TIMEOUT", "300"))
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        return report_failure(result.stderr or result.stdout)
    set_outputs(endpoint_outputs(result.stdout))
    report = json.loads(result.stdout)
    healthy = sum(1 for c in report.get("components", []) if c.get("healthy"))
    sys.stdout.write(f"paws stack {report.get('project')} is healthy ({healthy} members)\n")
    return 0


def main() -> int:
    name = _input("COMMAND", "up")
    services = _input("SERVICES").split()
    if name not in ("up", "down", "health", "logs"):
        command(f"::error::unknown command {name!r}: use up, down, health or logs")
        return 2
    if name == "down":
        volumes = ["--volumes", "--yes"] if _input("VOLUMES", "true") == "true" else []
        return paws("down", *volumes, capture=False).returncode
    setup = paws("setup", "--yes")
    if setup.returncode != 0:
        return report_failure(setup.stderr or setup.stdout)
    mask_secrets()
    if name == "up":
        return up()
    if name == "logs":
        return paws("logs", *services, capture=False).returncode
    health = paws("health", "--json")
    sys.stdout.write(health.stdout)
    if health.returncode != 0:
        return report_failure(health.stderr or "not healthy")
    if health.stdout:
        set_outputs(endpoint_outputs(health.stdout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
