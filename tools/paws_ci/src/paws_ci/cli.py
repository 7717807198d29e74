"""paws-ci: run the workflows locally with act (`paws-ci run -- -j lint`), build the runner image.

Exit codes: 0 every job succeeded, 1 a job failed, 2 could not run (one clear message).
Arguments after `--` go to act unchanged (job `-j`, workflow `-W`, event name, `--input`, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from . import image as image_mod
from .act import ActOptions, build_argv, passthrough_value, run_act
from .errors import ActFailed, PawsCiError
from .jobuser import JobUser, job_user
from .notice import show_once
from .parity import assess_parity
from .report import as_json, parity_lines, summary_lines
from .runlock import one_run_at_a_time, refuse_foreign_act_run, running_act_containers
from .secrets import Secrets, ensure_ci_secrets, load_secrets, masker
from .settings import CiSettings
from .workflow import Workflow, load_workflows

ACT_TAIL = 15


def _say(text: str) -> None:
    sys.stderr.write(f"paws-ci: {text}\n")
    sys.stderr.flush()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _runner_image(settings: CiSettings, build: bool) -> str:
    image_mod.require_engine()
    base = settings.base_image or image_mod.base_image_for(settings.repo, _say, build)
    return image_mod.RunnerImage.for_host(base).ensure(build, _say)


def cmd_build_image(settings: CiSettings, args: argparse.Namespace) -> int:
    name = _runner_image(settings, build=True)
    sys.stdout.write(name + "\n")
    return 0


def cmd_run(settings: CiSettings, args: argparse.Namespace) -> int:
    passthrough = tuple(args.act_args)
    target = passthrough_value(passthrough, "-W", "--workflows") or ".github/workflows/"
    workflows = load_workflows(settings.repo / target)
    user = job_user(args.job_user, settings.repo)
    with one_run_at_a_time(settings.repo):
        return _run_locked(settings, args, workflows, user)


def _run_locked(
    settings: CiSettings, args: argparse.Namespace, workflows: list[Workflow], user: JobUser | None
) -> int:
    passthrough = tuple(args.act_args)
    image = _runner_image(settings, build=not args.no_build)
    refuse_foreign_act_run(running_act_containers())
    show_once(settings.state_dir, settings.ci_secrets, _say)
    secrets = _secrets(settings, args)
    settings.artifacts.mkdir(parents=True, exist_ok=True)
    options = ActOptions(
        image=image,
        artifacts=settings.artifacts,
        artifact_port=_free_port(),
        secret_file=secrets.file,
        secret_names=tuple(secrets.by_env),
        env=tuple(f"{k}={v}" for k, v in settings.job_env.items()),
        local_actions=settings.local_actions,
        passthrough=passthrough,
        container_options=user.container_options() if user else "",
    )
    argv = build_argv(settings.act, options)
    echo = _echo_to(sys.stderr if args.json else sys.stdout)
    run = run_act(
        argv, settings.repo, {**os.environ, **secrets.by_env}, echo, masker(secrets.values)
    )
    if run.returncode != 0 and not any(j.result == "failure" for j in run.jobs):
        raise ActFailed(
            f"act failed (exit {run.returncode}) outside any job; its last lines:\n    "
            + "\n    ".join(run.tail[-ACT_TAIL:]),
            "read act's message above; `-- --list` shows what act sees in the workflows",
        )
    mapped = frozenset(ref.split("@", 1)[0] for ref, _ in settings.local_actions)
    parity = assess_parity(workflows, {j.job_id for j in run.jobs}, settings.repo, mapped)
    code = 1 if run.failed else 0
    if args.json:
        sys.stdout.write(json.dumps(as_json(run, parity, code), indent=2) + "\n")
    else:
        lines = ["", *summary_lines(run), "", *parity_lines(parity)]
        sys.stdout.write("\n".join(lines) + "\n")
    return code


def _secrets(settings: CiSettings, args: argparse.Namespace) -> Secrets:
    """--secret-file, else the developer's stack secrets if asked, else the CI-only ones."""
    if args.secret_file is None and args.use_stack_secrets:
        _say(f"passing your stack's secrets from {settings.stack_secrets} to the jobs, as asked")
        return load_secrets(None, settings.stack_secrets)
    if args.secret_file is None and ensure_ci_secrets(settings.ci_secrets):
        _say(f"generated CI-only secrets in {settings.ci_secrets}")
    return load_secrets(args.secret_file, settings.ci_secrets)


def _echo_to(stream: object) -> image_mod.Report:
    def echo(line: str) -> None:
        stream.write(line + "\n")  # type: ignore[attr-defined]

    return echo


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paws-ci", description=__doc__, allow_abbrev=False)
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="repository root")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="run workflows with act; other arguments go to act", allow_abbrev=False
    )
    run.add_argument(
        "--secret-file", type=Path, help="KEY=VALUE file (default: the CI-only .paws/ci/secrets)"
    )
    run.add_argument(
        "--use-stack-secrets",
        action="store_true",
        help="pass your own stack's secrets (.paws/secrets) to the jobs instead of CI-only ones",
    )
    run.add_argument(
        "--job-user",
        default="auto",
        metavar="auto|root|UID[:GID]",
        help="user the job's steps run as (auto: the checkout's owner, unless root)",
    )
    run.add_argument("--json", action="store_true", help="one JSON report on stdout")
    run.add_argument("--no-build", action="store_true", help="fail if the runner image is missing")
    run.set_defaults(handler=cmd_run)
    build = sub.add_parser("build-image", help="build the runner image (and base) if missing")
    build.set_defaults(handler=cmd_build_image)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)
    # paws-ci's own options may come anywhere; everything else (and all after `--`) is act's.
    if "--" in extra:
        extra.remove("--")
    if extra and args.command != "run":
        _parser().error(f"unrecognized arguments: {' '.join(extra)}")
    args.act_args = extra
    try:
        settings = CiSettings.load(args.repo)
        code: int = args.handler(settings, args)
        return code
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except PawsCiError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
