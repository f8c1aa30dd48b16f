"""``goodpath projects``: cooperation projects (EXBS, trainings, exchanges), from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.fields import to_dict
from goodpath.engagement import projects
from goodpath.engagement.interfaces import (
    CLASSIFICATION,
    EXPORT,
    JSON,
    ON,
    RELEASABILITY,
    colon_parts,
    done,
    print_rows,
)

projects_app = typer.Typer(help="Cooperation projects: EXBS, trainings, exchanges.", no_args_is_help=True)

SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶4".')

PROJECT_COLUMNS = ("id", "title", "kind", "status", "status_on", "proposed_by", "start_on", "end_on")


def _project_participants(values: list[str] | None) -> list[dict]:
    return [colon_parts(v, ("name", "organization", "role"), "--participant") for v in values or []]


@projects_app.command("list")
def list_projects(
    status: str | None = typer.Option(None, help=", ".join(projects.WORKFLOW.statuses)),
    kind: str | None = typer.Option(None, help=", ".join(projects.KINDS)),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Cooperation projects."""
    with user_errors(), session_scope() as session:
        rows = projects.list_projects(session, local_viewer(), status=status, kind=kind)
        print_rows(rows, PROJECT_COLUMNS, title="projects", as_json=as_json, export_to=export_to,
                   flags=lambda r: r["status_cause"] or "")  # fmt: skip


@projects_app.command("show")
def show_project(project_id: int, as_json: bool = JSON) -> None:
    """A project with its participants and history."""
    with user_errors(), session_scope() as session:
        detail = projects.detail(session, local_viewer(), project_id)
    if as_json:
        print_json(detail)
        return
    console.print(f"project {detail['id']} ({detail['kind']}, {detail['status']}): {detail['title']}", highlight=False)
    for p in detail["participants"]:
        console.print(f"  {p['name']} {p['organization'] or ''} {p['role'] or ''}", highlight=False)
    for h in detail["history"]:
        console.print(f"  {h['on']} {h['from'] or '-'} → {h['to']} {h['note'] or ''}", highlight=False)


@projects_app.command("add")
def add_project(
    title: str = typer.Option(..., help="e.g. Training on WMD commodity identification."),
    kind: str = typer.Option(..., help=", ".join(projects.KINDS)),
    description: str | None = typer.Option(None),
    proposed_by: str | None = typer.Option(None, help="e.g. USG."),
    start: str | None = typer.Option(None, "--start", help="Start date (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="End date (YYYY-MM-DD)."),
    participant: list[str] | None = typer.Option(None, "--participant", help="NAME:ORGANIZATION:ROLE (repeatable)."),
    share_with: list[str] | None = typer.Option(None, "--share-with", help="Also releasable to, e.g. CHN."),
    on: str | None = typer.Option(None, "--on", help="When it was proposed (YYYY-MM-DD)."),
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Propose a cooperation project."""
    with user_errors(), session_scope() as session:
        project = projects.create(
            session, local_viewer(), title=title, kind=kind, description=description, proposed_by=proposed_by,
            start_on=start, end_on=end, participants=_project_participants(participant), occurred_on=on,
            share_with=share_with or (), classification=classification, releasability=releasability, source=source,
        )  # fmt: skip
        result = to_dict(project)
    done(result, as_json, f"project {result['id']}: {result['title']} ({result['status']})")


def _project_status(project_id: int, status: str | None, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        if status is None:
            project = projects.resume(session, local_viewer(), project_id, **kwargs)
        else:
            project = projects.set_status(session, local_viewer(), project_id, status, **kwargs)
        result = to_dict(project)
    done(result, as_json, f"project {project_id}: {result['status']} on {result['status_on']}")


@projects_app.command("advance")
def advance_project(
    project_id: int,
    status: str = typer.Argument(..., help="agreed, active, completed or cancelled."),
    cause: str | None = typer.Option(None, help="Why (e.g. of a cancellation)."),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Move a project along proposed → agreed → active → completed (or cancel it)."""
    _project_status(project_id, status, as_json, cause=cause, occurred_on=on, source=source)


@projects_app.command("suspend")
def suspend_project(
    project_id: int, cause: str = typer.Option(..., help="Why it is suspended."), on: str | None = ON,
    source: str | None = SOURCE, as_json: bool = JSON,
) -> None:  # fmt: skip
    """Suspend a project (its cause is required)."""
    _project_status(project_id, "suspended", as_json, cause=cause, occurred_on=on, source=source)


@projects_app.command("resume")
def resume_project(
    project_id: int, note: str | None = typer.Option(None), on: str | None = ON, source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:  # fmt: skip
    """Resume a suspended project to the state it was suspended from."""
    _project_status(project_id, None, as_json, note=note, occurred_on=on, source=source)
