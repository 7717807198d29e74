"""The paws-stack commands that change the stack: setup, build, up, down, restart, rebuild, dev."""

from __future__ import annotations

import argparse
import signal
import sys

from .console import close_progress, emit_json, err
from .errors import ConfirmationRequired, PawsStackError
from .interrupted import RECOVER_COMMAND
from .stack import Stack
from .statuscli import leftovers, show_health


def cmd_setup(stack: Stack, args: argparse.Namespace) -> int:
    stack.setup(assume_yes=args.yes, interactive=sys.stdin.isatty())
    stack.progress.message("setup complete")
    return 0


def cmd_build(stack: Stack, args: argparse.Namespace) -> int:
    plan = stack.build(source=args.source)
    emit_json(plan.compose_env()) if args.json else stack.progress.message("images ready")
    return 0


def refuse_leftovers(stack: Stack) -> None:
    """`up` stops before compose when an experiment runs or left faults behind."""
    # `compose up` cannot start a paused container, and would restart an experiment's victims.
    found = leftovers(stack)
    if found.running_pid is not None:
        raise PawsStackError(
            f"not starting: {found.problems()[0]}; `up` now would restart its victims",
            f"wait for it to end, or interrupt it (Ctrl-C, or `kill -INT {found.running_pid}`)",
        )
    if found.found:
        raise PawsStackError(
            "not starting: " + "; ".join(found.problems()),
            f"run `{RECOVER_COMMAND}` (undoes them and waits for health), then `up` again",
        )


def cmd_up(stack: Stack, args: argparse.Namespace) -> int:
    refuse_leftovers(stack)
    report = stack.up(timeout=args.timeout, assume_yes=args.yes, interactive=sys.stdin.isatty())
    close_progress(stack.progress)
    show_health(report, args.json)
    return 0


def confirm_deletion(stack: Stack, assume_yes: bool, interactive: bool) -> None:
    """`down --volumes` names what it deletes and asks; without a terminal it needs --yes.

    CI=true is not consent: act sets it too, and there the volumes may be the developer's own.
    """
    stack.require_own_project()
    doomed = stack.inventory().volumes
    if not doomed or assume_yes:
        return
    listing = ", ".join(doomed)
    if not interactive:
        raise ConfirmationRequired(
            f"`down --volumes` would delete {len(doomed)} volumes of project {stack.project} "
            f"({listing}) and nothing confirmed it (no terminal to ask on)",
            "add --yes to delete them: `paws-stack down --volumes --yes`; "
            "plain `paws-stack down` keeps the data",
        )
    err.print(f"`down --volumes` deletes all data of project {stack.project}:", markup=False)
    for name in doomed:
        err.print(f"  {name}", markup=False)
    answer = err.input(f"Delete these {len(doomed)} volumes? [y/N] ", markup=False)
    if answer.strip().lower() not in ("y", "yes"):
        raise ConfirmationRequired(
            "nothing deleted: the deletion was not confirmed",
            "run `paws-stack down` to stop the stack and keep its data",
        )


def cmd_down(stack: Stack, args: argparse.Namespace) -> int:
    if args.volumes:
        confirm_deletion(stack, args.yes, sys.stdin.isatty())
    removed = stack.down(volumes=args.volumes)
    if args.json:
        emit_json({"project": stack.project, "volumes_removed": removed})
    else:
        stack.progress.message(
            f"{stack.project} is down"
            + (f"; removed {len(removed)} volumes" if args.volumes else "; volumes kept")
        )
    return 0


def cmd_restart(stack: Stack, args: argparse.Namespace) -> int:
    stack.restart(args.service)
    stack.progress.message(f"restarted {args.service}")
    return 0


def cmd_rebuild(stack: Stack, args: argparse.Namespace) -> int:
    from .rebuild import rebuild_app

    seconds = rebuild_app(stack, args.service)
    stack.progress.message(f"rebuilt and recreated {args.service} in {seconds:.0f} s")
    return 0


def _reload_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def cmd_dev(stack: Stack, args: argparse.Namespace) -> int:
    from .devloop import run_dev

    polling = args.polling or stack.settings.dev_polling
    # `dev` ends only by a signal: a shell that started it in the background (which ignores
    # SIGINT for its children) must still be able to stop it the way a terminal's Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run_dev(stack, stack.progress.message, polling=polling, reloaded=_reload_line)
    return 0
