"""Commands inside the stack's containers, for backup and restore.

Output is streamed to files (a dump can be large); input that carries a password goes on
stdin, never into an argv or the environment. The one-off container that rewrites volumes
runs with no network and is removed however its script ends.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .compose import last_lines
from .errors import BackupError

ONEOFF_TIMEOUT_S = 300


def exec_to_file(
    client: Any,
    container: str,
    argv: list[str],
    target: Path,
    user: str = "",
    environment: Mapping[str, str] | None = None,
) -> str:
    """Run argv in a container, its stdout into `target`; returns its stderr."""
    api = client.api
    created = api.exec_create(
        container, argv, stdout=True, stderr=True, user=user, environment=dict(environment or {})
    )
    errors: list[bytes] = []
    with target.open("wb") as out:
        for stdout, stderr in api.exec_start(created["Id"], stream=True, demux=True):
            if stdout:
                out.write(stdout)
            if stderr:
                errors.append(stderr)
    stderr_text = b"".join(errors).decode(errors="replace")
    code = api.exec_inspect(created["Id"])["ExitCode"]
    if code != 0:
        raise BackupError(
            f"`{' '.join(argv[:2])}` in {container} failed (exit {code}): "
            f"{last_lines(stderr_text)}",
            f"see `paws-stack logs` for {container}; then run the command again",
        )
    return stderr_text


def exec_output(client: Any, container: str, argv: list[str], user: str = "") -> str:
    """Run argv in a container and return its stdout (small outputs)."""
    result = client.containers.get(container).exec_run(argv, user=user, demux=True)
    stdout, stderr = result.output
    if result.exit_code != 0:
        detail = last_lines((stderr or b"").decode(errors="replace"))
        raise BackupError(
            f"`{' '.join(argv[:2])}` in {container} failed (exit {result.exit_code}): {detail}",
            f"see `paws-stack logs` for {container}; then run the command again",
        )
    return (stdout or b"").decode(errors="replace")


def exec_with_stdin(
    engine_client: str,
    container: str,
    argv: list[str],
    stdin: bytes | BinaryIO,
    user: str = "",
    timeout: float = ONEOFF_TIMEOUT_S,
) -> subprocess.CompletedProcess[bytes]:
    """Run argv in a container with `stdin` as its input (`docker exec -i`)."""
    command = [engine_client, "exec", "-i", *(["-u", user] if user else []), container, *argv]
    if isinstance(stdin, bytes):
        return subprocess.run(
            command, input=stdin, capture_output=True, timeout=timeout, check=False
        )
    return subprocess.run(command, stdin=stdin, capture_output=True, timeout=timeout, check=False)


def _archive(files: Mapping[str, Path | bytes]) -> bytes:
    """A tar of `files` (path in the archive -> host file or content)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory in sorted({str(Path(name).parent) for name in files} - {"."}):
            entry = tarfile.TarInfo(directory)
            entry.type, entry.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(entry)
        for name, source in files.items():
            if isinstance(source, Path):
                tar.add(str(source), arcname=name)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(source)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(source))
    return buffer.getvalue()


def run_oneoff(
    client: Any,
    image: str,
    name: str,
    volumes: Mapping[str, str],
    script: str,
    files: Mapping[str, Path | bytes],
    labels: Mapping[str, str],
) -> str:
    """Run `script` (sh, as root, no network) with `volumes` mounted and `files` under /;
    returns its output. The container is removed whatever happens."""
    container = client.containers.create(
        image,
        entrypoint=["sh", "-c", script],
        name=name,
        user="0",
        network_mode="none",
        labels=dict(labels),
        volumes={volume: {"bind": path, "mode": "rw"} for volume, path in volumes.items()},
    )
    try:
        container.put_archive("/", _archive(files))
        container.start()
        code = int(container.wait(timeout=ONEOFF_TIMEOUT_S)["StatusCode"])
        output = str(container.logs(stdout=True, stderr=True).decode(errors="replace"))
    finally:
        container.remove(force=True)
    if code != 0:
        raise BackupError(
            f"preparing the volumes failed (exit {code}): {last_lines(output)}",
            "the stack is stopped half-way: fix the cause, then run the restore again",
        )
    return output
