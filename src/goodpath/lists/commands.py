"""``goodpath lists ...``: import real list files, show datasets and change-sets."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from goodpath.access.operator import local_viewer
from goodpath.access.policy import Permission
from goodpath.access.records import require
from goodpath.core.cli_support import console, print_json, run_followups, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import NotFound
from goodpath.core.followup_runner import described
from goodpath.lists import formats, service

app = typer.Typer(help="Sanctions lists: import and status.", no_args_is_help=True)


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="A list file, or a folder holding a list's files."),
    format: str | None = typer.Option(None, "--format", "-f", help=f"One of {', '.join(formats.FORMATS)}."),
    dataset: str | None = typer.Option(None, help="Dataset name (default by format: us-ofac-sdn, un-sc, ...)."),
    accept_removals: bool = typer.Option(
        False, help="Allow a version that delists more than the guard allows (the larger of 100 entries and 2%)."
    ),
    restore: bool = typer.Option(
        False, help="Import files equal to an earlier version's again, as a new version (a roll-back)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import a list as the next version of its dataset (a no-op when unchanged)."""
    with (
        user_errors(),
        Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True, disable=as_json,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task(f"reading {path}", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        importer = local_viewer()
        require(importer, Permission.IMPORT_LISTS)  # as on the API
        with session_scope() as session:
            result = service.import_list(
                session, path, fmt=format, dataset=dataset, actor=importer.actor, accept_removals=accept_removals,
                restore=restore, progress=progress,
            )  # fmt: skip
        followed: list[dict] = []
        if not result.noop:  # the import is committed: what follows it (goodpath.consequences) runs now
            bar.update(task, description="re-screening watched names, checking the pathway", completed=0, total=None)
            followed = run_followups()
    if as_json:
        print_json(result.to_dict())
        return
    what = "unchanged: nothing to do" if result.noop else f"imported as version {result.version}"
    if result.restored_from:
        what += f" (restoring version {result.restored_from}'s files)"
    console.print(
        f"{result.dataset} {what} — {result.entities} entities, {result.added} added, "
        f"{result.removed} removed, {result.changed} changed, {result.unchanged} unchanged"
    )
    for note in result.notes:
        console.print(f"  note: {note}")
    for line in described(followed):
        console.print(line, highlight=False)


@app.command("status")
def status(
    dataset: str | None = typer.Option(None, help="Show this dataset's versions and latest change-set."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Datasets with their latest version, or one dataset's version history."""
    with user_errors(), session_scope() as session:
        if dataset:
            rows = [
                service.version_to_dict(v, with_changes=True)
                for v in service.versions(session, local_viewer(), dataset)
            ]
            if not rows:
                raise NotFound(f"no dataset {dataset!r} has been imported")
        else:
            rows = service.dataset_status(session, local_viewer())
    if as_json:
        print_json(rows)
        return
    table = Table("dataset", "version", "entities", "listed", "delisted", "added", "removed", "changed")
    for r in rows:
        table.add_row(
            r["dataset"], str(r["version"]), str(r["entities"]), str(r.get("listed", "")),
            str(r.get("delisted", "")), str(r["added"]), str(r["removed"]), str(r["changed"]),
        )  # fmt: skip
    console.print(table)
    if dataset:
        last = rows[-1]
        for change in last["changeset"][:50]:
            console.print(f"  {change['change']:>8}  {change['external_id']}  {change['caption']}")
        if len(last["changeset"]) > 50:
            console.print(f"  … {len(last['changeset']) - 50} more (use --json for all)")
