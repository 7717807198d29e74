"""`paws-stack backup [--list]` and `paws-stack restore <backup>`: output and confirmation.

Exit codes: 0 done (restore: healthy and every check matched), 1 restored but a check
differs from the manifest, 2 could not run or refused (nothing touched).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.table import Table

from .backupformat import Listed, Manifest, list_backups
from .console import err, out
from .errors import ConfirmationRequired
from .restorecheck import RestoreReport
from .stack import Stack

MIB = 1024 * 1024


def _size(count: int) -> str:
    return f"{count / MIB:.1f} MiB" if count >= MIB else f"{count / 1024:.0f} KiB"


def summary(manifest: Manifest) -> dict[str, Any]:
    """The figures `--list` and `backup` show for one backup."""
    return {
        "name": manifest.name,
        "created": manifest.created.isoformat(),
        "project": manifest.project,
        "profile": manifest.profile,
        "bytes": manifest.size,
        "seconds": manifest.seconds,
        "postgres_rows": manifest.postgres.rows(),
        "redis_keys": sum(manifest.redis.keys.values()),
        "etcd_keys": manifest.etcd.keys,
        "versions": manifest.versions,
    }


def _listing(entry: Listed) -> dict[str, Any]:
    if entry.manifest is None:
        return {"name": entry.path.name, "path": str(entry.path), "problem": entry.problem}
    return {**summary(entry.manifest), "path": str(entry.path), "problem": ""}


def _list_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="backups", title_justify="left")
    for column in ("name", "project", "profile", "size", "rows", "redis keys", "etcd keys"):
        table.add_column(column)
    for row in rows:
        if row["problem"]:
            table.add_row(row["name"], f"[red]{row['problem']}[/]", "", "", "", "", "")
            continue
        table.add_row(
            row["name"],
            row["project"],
            row["profile"],
            _size(row["bytes"]),
            str(row["postgres_rows"]),
            str(row["redis_keys"]),
            str(row["etcd_keys"]),
        )
    return table


def show_list(stack: Stack, as_json: bool) -> int:
    from .backup import backups_root

    rows = [_listing(entry) for entry in list_backups(backups_root(stack))]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif out.is_terminal:
        out.print(_list_table(rows))
    else:
        for row in rows:
            figures = (
                [row["problem"]]
                if row["problem"]
                else [
                    row["project"],
                    row["profile"],
                    str(row["bytes"]),
                    str(row["postgres_rows"]),
                    str(row["redis_keys"]),
                    str(row["etcd_keys"]),
                ]
            )
            sys.stdout.write("\t".join([row["name"], *figures]) + "\n")
    if not rows:
        err.print("no backups yet: `paws-stack backup` takes one", markup=False)
    return 0


def cmd_backup(stack: Stack, args: argparse.Namespace) -> int:
    if args.list:
        return show_list(stack, args.json)
    from .backup import take_backup

    path, manifest = take_backup(stack)
    facts = summary(manifest)
    if args.json:
        sys.stdout.write(json.dumps({**facts, "path": str(path)}, indent=2) + "\n")
    else:
        sys.stdout.write(f"{path}\n")
        stack.progress.message(
            f"backup {manifest.name}: {_size(manifest.size)} in {manifest.seconds:.1f} s; "
            f"{facts['postgres_rows']} rows, {facts['redis_keys']} Redis keys, "
            f"{facts['etcd_keys']} etcd keys"
        )
    return 0


def confirm_restore(stack: Stack, manifest: Manifest, assume_yes: bool, interactive: bool) -> None:
    """A restore replaces every piece of data: ask on a terminal, else require --yes."""
    if assume_yes:
        return
    what = (
        f"restoring {manifest.name} (project {manifest.project}, {manifest.created:%Y-%m-%d %H:%M}"
        f" UTC) replaces all PostgreSQL, Redis and etcd data of project {stack.project}"
    )
    if not interactive:
        raise ConfirmationRequired(
            f"{what}, and nothing confirmed it (no terminal to ask on)",
            f"add --yes: `paws-stack restore {manifest.name} --yes`; "
            "`paws-stack backup` first keeps today's data",
        )
    answer = err.input(f"{what}. Restore? [y/N] ", markup=False)
    if answer.strip().lower() not in ("y", "yes"):
        raise ConfirmationRequired(
            "nothing restored: the restore was not confirmed",
            "run it again and answer y, or add --yes",
        )


def _report_table(report: RestoreReport) -> Table:
    verdict = "[green]verified[/]" if report.verified else "[red]DIFFERS[/]"
    table = Table(title=f"restore of {report.backup}: {verdict}", title_justify="left")
    for column in ("component", "check", "manifest", "restored", "ok"):
        table.add_column(column)
    for c in report.checks:
        expected, actual = (
            (c.expected[:16], c.actual[:16]) if "digest" in c.item else (c.expected, c.actual)
        )
        table.add_row(c.component, c.item, expected, actual, "yes" if c.ok else "[red]no[/]")
    return table


def show_report(report: RestoreReport, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(
            json.dumps({**report.model_dump(mode="json"), "verified": report.verified}, indent=2)
            + "\n"
        )
    elif out.is_terminal:
        out.print(_report_table(report))
    else:
        for c in report.checks:
            line = [c.component, c.item, c.expected, c.actual, "ok" if c.ok else "DIFFERS"]
            sys.stdout.write("\t".join(line) + "\n")
    failed = [c for c in report.checks if not c.ok]
    for c in failed:
        err.print(
            f"differs: {c.component} {c.item}: manifest {c.expected}, restored {c.actual}",
            markup=False,
        )
    if not as_json:
        state = "verified against the manifest" if not failed else f"{len(failed)} checks differ"
        err.print(
            f"restored {report.backup} in {report.seconds:.1f} s; healthy; {state}", markup=False
        )


def cmd_restore(stack: Stack, args: argparse.Namespace) -> int:
    from .restore import check_backup, restore_backup

    checked = check_backup(stack, args.backup)
    confirm_restore(stack, checked.manifest, args.yes, sys.stdin.isatty())
    report = restore_backup(stack, checked, timeout=args.timeout)
    show_report(report, args.json)
    return 0 if report.verified else 1


def add_commands(add: Any) -> None:
    """Register both commands with cli's `add(name, handler, help)`."""
    backup = add("backup", cmd_backup, "back up PostgreSQL, Redis and etcd to .paws/backups/")
    backup.add_argument("--list", action="store_true", help="list the backups instead")
    restore = add("restore", cmd_restore, "replace the stack's data with a backup's")
    restore.add_argument("backup", help="a backup's name (see `backup --list`) or directory")
    restore.add_argument("--yes", "-y", action="store_true", help="restore without asking")
    restore.add_argument("--timeout", type=float, help="seconds to wait for health")
