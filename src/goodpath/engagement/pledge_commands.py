"""``goodpath pledges``: commitments and pledges, their owner, due date and evidence of
fulfilment, from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.engagement import pledges
from goodpath.engagement.interfaces import (
    CLASSIFICATION,
    EXPORT,
    JSON,
    ON,
    RELEASABILITY,
    TODAY,
    done,
    parse_today,
    print_rows,
)

pledges_app = typer.Typer(
    help="Commitments and pledges: owner, due date, evidence of fulfilment.", no_args_is_help=True
)

SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶4".')

PLEDGE_COLUMNS = ("id", "made_on", "pledged_by", "pledged_to", "text", "owner", "due_on", "status")


def _pledge_flags(row: dict) -> str:
    return f"OVERDUE {row['days_overdue']} days" if row["overdue"] else ""


@pledges_app.command("list")
def list_pledges(
    status: str | None = typer.Option(None, help="open, fulfilled, broken or withdrawn."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open pledges past their due date."),
    owner: str | None = typer.Option(None, help="Part of the owner's name."),
    party: str | None = typer.Option(None, help="The company a pledge concerns (registry party id)."),
    round_id: int | None = typer.Option(None, "--round", help="Made in this consultation round."),
    today: str | None = TODAY,
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Pledges, flagged when open past their due date."""
    with user_errors(), session_scope() as session:
        rows = pledges.list_pledges(session, local_viewer(), status=status, overdue=overdue, owner=owner,
                                    party_id=party, round_id=round_id, today=parse_today(today))  # fmt: skip
        print_rows(rows, PLEDGE_COLUMNS, title="pledges", as_json=as_json, export_to=export_to, flags=_pledge_flags)


@pledges_app.command("show")
def show_pledge(pledge_id: int, today: str | None = TODAY, as_json: bool = JSON) -> None:
    """A pledge with its evidence and history."""
    with user_errors(), session_scope() as session:
        detail = pledges.detail(session, local_viewer(), pledge_id, parse_today(today))
    if as_json:
        print_json(detail)
        return
    console.print(f"pledge {detail['id']} ({detail['status']}): {detail['pledged_by']} to {detail['pledged_to']} on "
                  f"{detail['made_on']}: {detail['text']} {_pledge_flags(detail)}", highlight=False)  # fmt: skip
    for e in detail["evidence"]:
        console.print(f"  evidence {e['on']}: {e['text']} ({e['source'] or 'no source'})", highlight=False)
    for h in detail["history"]:
        console.print(f"  {h['on']} {h['from'] or '-'} → {h['to']} {h['note'] or ''}", highlight=False)


@pledges_app.command("add")
def add_pledge(
    pledged_by: str = typer.Option(..., "--by", help='Who pledged, e.g. "MFA (PRC)".'),
    pledged_to: str = typer.Option(..., "--to", help='To whom, e.g. "USG".'),
    text: str = typer.Option(..., help="What was pledged."),
    made_on: str | None = typer.Option(None, "--made-on", help="When (YYYY-MM-DD; default today)."),
    owner: str | None = typer.Option(None, help="Who must act on it."),
    due: str | None = typer.Option(None, "--due", help="Due date (YYYY-MM-DD)."),
    round_id: int | None = typer.Option(None, "--round", help="The consultation round it was made in."),
    meeting_id: int | None = typer.Option(None, "--meeting", help="The company meeting it was made in."),
    party: str | None = typer.Option(None, help="The company it concerns (registry party id)."),
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record a pledge (open)."""
    with user_errors(), session_scope() as session:
        pledge = pledges.create(session, local_viewer(), pledged_by=pledged_by, pledged_to=pledged_to, text=text,
                                made_on=made_on, owner=owner, due_on=due, round_id=round_id, meeting_id=meeting_id,
                                party_id=party, classification=classification, releasability=releasability,
                                source=source)  # fmt: skip
        result = pledges.row(pledge)
    done(result, as_json, f"pledge {result['id']}: {result['pledged_by']} → {result['pledged_to']} (open)")


@pledges_app.command("evidence")
def add_evidence(
    pledge_id: int,
    text: str = typer.Option(..., help="What shows the pledge kept."),
    source: str | None = typer.Option(None, help="Where that is from."),
    on: str | None = ON,
    as_json: bool = JSON,
) -> None:
    """Add evidence of fulfilment to an open pledge."""
    with user_errors(), session_scope() as session:
        result = pledges.row(pledges.add_evidence(session, local_viewer(), pledge_id, text=text, source=source,
                                                  occurred_on=on))  # fmt: skip
    done(result, as_json, f"pledge {pledge_id}: {len(result['evidence'])} pieces of evidence")


def _pledge_status(pledge_id: int, status: str, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        result = pledges.row(pledges.set_status(session, local_viewer(), pledge_id, status, **kwargs))
    done(result, as_json, f"pledge {pledge_id}: {result['status']} on {result['status_on']}")


@pledges_app.command("fulfil")
def fulfil_pledge(
    pledge_id: int,
    evidence: str | None = typer.Option(None, help="Evidence of fulfilment, if not added before."),
    evidence_source: str | None = typer.Option(None),
    note: str | None = typer.Option(None),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Mark a pledge fulfilled (refused without evidence)."""
    _pledge_status(pledge_id, "fulfilled", as_json, evidence=evidence, evidence_source=evidence_source, note=note,
                   occurred_on=on, source=source)  # fmt: skip


@pledges_app.command("break")
def break_pledge(
    pledge_id: int,
    note: str = typer.Option(..., help="How it was broken."),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Mark a pledge broken."""
    _pledge_status(pledge_id, "broken", as_json, note=note, occurred_on=on, source=source)


@pledges_app.command("withdraw")
def withdraw_pledge(
    pledge_id: int, note: str | None = typer.Option(None), on: str | None = ON, source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:  # fmt: skip
    """Mark a pledge withdrawn."""
    _pledge_status(pledge_id, "withdrawn", as_json, note=note, occurred_on=on, source=source)
