"""``goodpath work``: assign a case, alert, pledge or proposal with a due date, comment on it (threaded,
marked), show a record's work, and list a user's work with what is overdue -- the same services
(``access.work``) as ``/worklist/...`` and the work panel of the pages."""

from __future__ import annotations

from dataclasses import replace

import typer
from rich.markup import escape
from rich.table import Table

from goodpath.access import auth, work
from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope

work_app = typer.Typer(help="Work on records: assignments, due dates, comments; a user's work.", no_args_is_help=True)

TYPES_HELP = f"The record type: {', '.join(work.RECORD_TYPES)}."


@work_app.command("assign")
def assign(
    record_type: str = typer.Argument(..., help=TYPES_HELP),
    record_id: int = typer.Argument(..., help="The record's id."),
    to: str = typer.Option(..., "--to", help="The assignee's username."),
    due: str = typer.Option(None, "--due", help="Due day, YYYY-MM-DD (a past day makes it overdue)."),
    note: str = typer.Option(None, "--note", help="What is expected."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Assign a record to a user (replacing any earlier assignment); audited."""
    with user_errors(), session_scope() as session:
        row = work.assign(session, local_viewer(), record_type, record_id, to, due, note)
    if as_json:
        print_json(row)
        return
    due_text = f", due {row['due_on']}" + (" (overdue)" if row["overdue"] else "") if row["due_on"] else ""
    console.print(f"{record_type} {record_id} assigned to {escape(row['assignee'])}{due_text}")


@work_app.command("unassign")
def unassign(
    record_type: str = typer.Argument(..., help=TYPES_HELP),
    record_id: int = typer.Argument(..., help="The record's id."),
) -> None:
    """End a record's assignment (it is nobody's work until assigned again); audited."""
    with user_errors(), session_scope() as session:
        row = work.unassign(session, local_viewer(), record_type, record_id)
    console.print(f"{record_type} {record_id} is no longer assigned to {escape(row['unassigned'])}")


@work_app.command("comment")
def comment(
    record_type: str = typer.Argument(..., help=TYPES_HELP),
    record_id: int = typer.Argument(..., help="The record's id."),
    body: str = typer.Argument(..., help="The comment."),
    reply_to: int = typer.Option(None, "--reply-to", help="The id of the comment this answers."),
    classification: str = typer.Option(None, help="Default: the record's. Never above the record's."),
    releasability: str = typer.Option(None, help="ALL or organization codes; default: the record's."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Comment on a record (or reply to a comment), marked; audited."""
    with user_errors(), session_scope() as session:
        row = work.comment(session, local_viewer(), record_type, record_id, body, classification=classification,
                           releasability=releasability, parent_id=reply_to)  # fmt: skip
    if as_json:
        print_json(row)
        return
    console.print(f"comment {row['id']} on {record_type} {record_id} ({row['classification']}, {row['releasability']})")


@work_app.command("show")
def show(
    record_type: str = typer.Argument(..., help=TYPES_HELP),
    record_id: int = typer.Argument(..., help="The record's id."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A record's assignment and its comments, threaded."""
    with user_errors(), session_scope() as session:
        data = work.work_on(session, local_viewer(), record_type, record_id)
    if as_json:
        print_json(data)
        return
    console.print(f"{record_type} {record_id}: {escape(data['title'])}")
    a = data["assignment"]
    if a is None:
        console.print("not assigned")
    else:
        overdue = " [bold red]overdue[/]" if a["overdue"] else ""
        console.print(f"assigned to {escape(a['assignee'])} by {escape(a['assigned_by'])}, "
                      f"due {a['due_on'] or '-'}{overdue}")  # fmt: skip
    for c in data["comments"]:
        mark = c["classification"][0]
        console.print(f"{'  ' * c['depth']}#{c['id']} ({mark}) {escape(c['author'])}: {escape(c['body'])}")


@work_app.command("mine")
def mine(
    user: str = typer.Option(None, "--user", help="Whose work (default: the acting user), as you may read it."),
    all_: bool = typer.Option(False, "--all", help="Also work on records that are over (closed, decided)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A user's work, overdue first, as the acting user may read it (their clearance, organization and role:
    someone else's work never shows more than one's own need-to-know)."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        if user:
            whose = auth.get_user(session, user)
            viewer = replace(viewer, username=whose.username, user_id=whose.id)
        data = work.my_work(session, viewer, include_done=all_)
    if as_json:
        print_json(data)
        return
    if not data["results"]:
        console.print(f"nothing is assigned to {escape(data['username'])}")
        return
    table = Table("type", "id", "what", "status", "due", "assigned by")
    for r in data["results"]:
        due = (r["due_on"] or "-") + (" overdue" if r["overdue"] else "")
        table.add_row(r["record_type"], str(r["record_id"]), escape(r["title"][:80]), r["status"] or "", due,
                      escape(r["assigned_by"]))  # fmt: skip
    console.print(table)
    console.print(f"{data['total']} assigned, {data['overdue']} overdue")
