"""The paws-stack action's one step: mask secrets, run the command, set outputs, report failures.

Standard library only; it drives the `paws-stack` console script of the action's venv. Inputs
arrive as INPUT_* variables (set in action.yml); outputs go to $GITHUB_OUTPUT.

Two rules keep a job from hurting what it did not make:
- `down` deletes volumes only of a project this job's `up` created (a state file under
  $RUNNER_TEMP records it), unless told otherwise: under plain act the project may be the
  developer's own.
- Text that comes from containers (logs, health details) is printed between
  `::stop-commands::<random token>` and `::<token>::`, each line prefixed with `| `, so a log
  line cannot act as a workflow command (`::set-output`, `::add-mask`, ...).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

LOG_TAIL = 40
BIN = Path(sys.executable).parent
QUOTE = "| "
VOLUMES_CHOICES = ("auto", "true", "false")


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


def escape_data(text: str) -> str:
    """A command's message on one line, as the runner decodes it (`%`, CR and LF escaped).

    >>> escape_data("50% done\\n::add-mask::x")
    '50%25 done%0A::add-mask::x'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def quote_line(line: str) -> str:
    """One line of untrusted text, made inert: no line it prints starts with `::`.

    >>> quote_line("::add-mask::x")
    '| ::add-mask::x'
    """
    return QUOTE + line


def untrusted(lines: Iterable[str]) -> None:
    """Print container-made text so that the runner interprets none of it as a command."""
    token = uuid.uuid4().hex
    command(f"::stop-commands::{token}")
    for line in lines:
        sys.stdout.write(quote_line(line.rstrip("\n")) + "\n")
    command(f"::{token}::")


def stream_untrusted(*args: str) -> int:
    """Run paws-stack (e.g. `logs`) and print its output as untrusted text, line by line."""
    argv = [str(BIN / "paws-stack"), *args, "--profile", _input("PROFILE", "full")]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, errors="replace") as process:
        untrusted(process.stdout or ())
    return process.returncode


def project_info() -> dict[str, Any]:
    """This profile's compose project name and whether any of it (containers, volumes) exists."""
    code = (
        "import json, sys; from paws_stack import Stack; "
        "s = Stack.from_settings(profile=sys.argv[1]); i = s.inventory(); "
        "print(json.dumps({'project': s.project, 'exists': bool(i.members or i.volumes)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, _input("PROFILE", "full")],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"::error::cannot inspect the stack: {result.stderr.strip()[-500:]}")
    info: dict[str, Any] = json.loads(result.stdout)
    return info


def state_file(project: str) -> Path:
    """Where `up` records that this job created `project` (the job's own temp directory)."""
    return Path(os.environ.get("RUNNER_TEMP", "/tmp")) / "paws-stack-action" / f"{project}.json"


def record_creation(project: str, created: bool) -> None:
    path = state_file(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"project": project, "created": created}) + "\n", "utf-8")


def created_by_this_job(project: str) -> bool:
    try:
        return bool(json.loads(state_file(project).read_text("utf-8")).get("created"))
    except (OSError, ValueError):
        return False


def delete_volumes(choice: str, created: bool) -> bool:
    """`volumes` input -> whether down deletes the volumes.

    >>> [delete_volumes(c, made) for c in ("auto", "true", "false") for made in (True, False)]
    [True, False, True, True, False, False]
    """
    return choice == "true" or (choice == "auto" and created)


def down() -> int:
    choice = _input("VOLUMES", "auto").lower()
    if choice not in VOLUMES_CHOICES:
        command(f"::error::volumes must be auto, true or false, not {choice!r}")
        return 2
    project = str(project_info()["project"])
    created = created_by_this_job(project)
    wipe = delete_volumes(choice, created)
    if wipe:
        why = "this job created it" if created else "volumes: true"
        sys.stdout.write(f"removing project {project} and its volumes ({why})\n")
    else:
        sys.stdout.write(
            f"stopping project {project}, keeping its volumes "
            f"({'volumes: false' if choice == 'false' else 'this job did not create it'})\n"
        )
    code = paws("down", *(["--volumes", "--yes"] if wipe else []), capture=False).returncode
    if code == 0 and wipe:
        state_file(project).unlink(missing_ok=True)
    return code


def mask_secrets() -> None:
    """Create the secrets if needed (setup prints none), then mask every one of them."""
    code = "from paws_stack.settings import load_settings; print(load_settings().secrets_path)"
    where = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    # The secrets; the directory's .gitignore and paws' marker file are not secret.
    for path in sorted(Path(where).glob("*")):
        if path.is_file() and not path.name.startswith("."):
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
    message = f"paws-stack {_input('COMMAND', 'up')} failed: {why.strip()[:2000]}"
    command(f"::error::{escape_data(message)}")
    health = paws("health", "--json")
    command("::group::paws-stack health report")
    untrusted((health.stdout or health.stderr).strip().splitlines())
    command("::endgroup::")
    try:
        components = json.loads(health.stdout).get("components", [])
        failing = [str(c["name"]) for c in components if not c.get("healthy")]
    except (ValueError, AttributeError):
        failing = []
    for service in failing or [""]:
        logs = paws("logs", "--tail", str(LOG_TAIL), *([service] if service else []))
        command(f"::group::last logs of {service or 'all services'}")
        untrusted((logs.stdout or logs.stderr).strip().splitlines())
        command("::endgroup::")
    return 1


def up() -> int:
    info = project_info()
    created = not info["exists"]
    # Recorded before starting: a failed `up` that left volumes behind is still this job's.
    record_creation(str(info["project"]), created)
    set_outputs({"created": "true" if created else "false"})
    result = paws("up", "--yes", "--json", "--timeout", _input("WAIT_TIMEOUT", "300"))
    untrusted(result.stderr.splitlines())
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
        return down()
    setup = paws("setup", "--yes")
    if setup.returncode != 0:
        return report_failure(setup.stderr or setup.stdout)
    mask_secrets()
    if name == "up":
        return up()
    if name == "logs":
        return stream_untrusted("logs", *services)
    health = paws("health", "--json")
    untrusted(health.stdout.splitlines())
    if health.returncode != 0:
        return report_failure(health.stderr or "not healthy")
    if health.stdout:
        set_outputs(endpoint_outputs(health.stdout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
