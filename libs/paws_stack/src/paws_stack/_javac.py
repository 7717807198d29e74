"""The backend's host-side compiler: javac on the changed files, then DevTools' trigger file.

The app image carries a JRE only, and the host has the JDK and Maven that built the jar, so the
host compiles. javac on just the saved files takes about a second; `mvn compile` spends several
more starting Maven. A deleted source, or a change javac alone cannot place, recompiles all.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .devmode import JavaCompile

ERROR_LINES = 6


@dataclass(frozen=True)
class CompileResult:
    """What one compile did: ok, seconds, and javac's first error lines when it failed."""

    ok: bool
    seconds: float
    errors: str = ""


def javac_argv(context: Path, spec: JavaCompile, files: list[Path]) -> list[str]:
    """javac for `files` into the classes directory, against the app's runtime classpath.

    >>> javac_argv(Path("/b"), JavaCompile(), [Path("/b/src/main/java/A.java")])[:5]
    ['javac', '-d', '/b/target/classes', '-cp', '/b/target/classes:/b/target/dev-lib/*']
    """
    classes = context / spec.classes
    classpath = f"{classes}:{context / spec.classpath}/*"
    options = ["--release", spec.release, "-parameters", "-g", "-encoding", "UTF-8", "-proc:none"]
    # A one-shot compiler JVM: the C1 compiler only and the serial collector start it faster.
    options += ["-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"]
    return ["javac", "-d", str(classes), "-cp", classpath, *options, *map(str, files)]


def all_sources(context: Path, spec: JavaCompile) -> list[Path]:
    return sorted((context / spec.sources).rglob("*.java"))


def compile_java(context: Path, spec: JavaCompile, files: list[Path]) -> CompileResult:
    """Compile `files` (all sources when empty); on success, touch the trigger file."""
    started = time.monotonic()
    sources = files or all_sources(context, spec)
    result = subprocess.run(
        javac_argv(context, spec, sources), capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return CompileResult(False, seconds, "\n".join(lines[:ERROR_LINES]))
    touch_trigger(context, spec)
    return CompileResult(True, seconds)


def copy_resources(context: Path, spec: JavaCompile, files: list[Path]) -> None:
    """Mirror changed resource files into the classes directory (a deleted one is removed)."""
    root, classes = context / spec.resources, context / spec.classes
    for path in files:
        target = classes / path.relative_to(root)
        if path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        else:
            target.unlink(missing_ok=True)
    touch_trigger(context, spec)


def touch_trigger(context: Path, spec: JavaCompile) -> None:
    trigger = context / spec.classes / spec.trigger
    trigger.parent.mkdir(parents=True, exist_ok=True)
    trigger.write_text(f"{time.time()}\n", encoding="utf-8")
