"""``goodpath consultations``: consultation tracks between governments and their rounds, and the
rounds overdue against the cadence, from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError
from goodpath.engagement import consultations
from goodpath.engagement.interfaces import (
    CLASSIFICATION,
    EXPORT,
    JSON,
    ON,
    RELEASABILITY,
    TODAY,
    colon_parts,
    done,
    parse_today,
    print_rows,
)

consultations_app = typer.Typer(
    help="Consultation tracks between governments and their rounds; overdue rounds against the cadence.",
    no_args_is_help=True,
)

SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶4".')


def _round_participants(values: list[str] | None) -> list[dict] | None:
    if not values:
        return None
    out = []
    for value in values:
        part = colon_parts(value, ("side", "name", "title"), "--participant")
        if not part["name"]:
            raise GoodpathError(f"--participant must look like SIDE:NAME:TITLE, not {value!r}")
        out.append(part)
    return out


TRACK_COLUMNS = ("id", "title", "level", "counterpart", "cadence_months", "status", "status_since", "last_held_on",
                 "due_on")  # fmt: skip


def _track_flags(row: dict) -> str:
    if row["overdue"]:
        return f"OVERDUE since {row['due_since']} ({row['days_overdue']} days)"
    if row["status"] == "suspended":
        return f"suspended {row['suspended_days']} days: {row['status_cause']}"
    return ""


@consultations_app.command("list")
def list_consultations(
    status: str | None = typer.Option(None, help="active, suspended or ended."),
    counterpart: str | None = typer.Option(None, help="The partner government, e.g. CHN."),
    level: str | None = typer.Option(None, help=", ".join(consultations.LEVELS)),
    overdue: bool = typer.Option(False, "--overdue", help="Only tracks overdue for a round."),
    today: str | None = TODAY,
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Consultation tracks, flagged when overdue for a round against their cadence."""
    with user_errors(), session_scope() as session:
        rows = consultations.list_consultations(session, local_viewer(), status=status, counterpart=counterpart,
                                                level=level, overdue_only=overdue,
                                                today=parse_today(today))  # fmt: skip
        print_rows(rows, TRACK_COLUMNS, title="consultations", as_json=as_json, export_to=export_to, flags=_track_flags)


@consultations_app.command("overdue")
def overdue_consultations(today: str | None = TODAY, as_json: bool = JSON, export_to: Path | None = EXPORT) -> None:
    """Active tracks whose last round is older than their cadence, with the date the round was due."""
    with user_errors(), session_scope() as session:
        rows = consultations.list_consultations(session, local_viewer(), overdue_only=True, today=parse_today(today))
        print_rows(rows, TRACK_COLUMNS, title="overdue consultations", as_json=as_json, export_to=export_to,
                   flags=_track_flags)  # fmt: skip


@consultations_app.command("show")
def show_consultation(consultation_id: int, today: str | None = TODAY, as_json: bool = JSON) -> None:
    """A track with its rounds and history."""
    with user_errors(), session_scope() as session:
        detail = consultations.detail(session, local_viewer(), consultation_id, parse_today(today))
    if as_json:
        print_json(detail)
        return
    heading = f"[bold]{detail['title']}[/] ({detail['level']}, with {detail['counterpart']})"
    console.print(
        f"{heading}: {detail['status']} since {detail['status_since']} {_track_flags(detail)}", highlight=False
    )
    for r in detail["rounds"]:
        who = ", ".join(f"{p['side']} {p['name']}" for p in r["participants"])
        console.print(f"  round {r['id']}: {r['status']} {r['held_on'] or r['scheduled_on']} {r['place'] or ''} "
                      f"{who} {r['outcome'] or ''}", highlight=False)  # fmt: skip
    for h in detail["history"]:
        console.print(f"  {h['on']} {h['from'] or '-'} → {h['to']} {h['note'] or ''}", highlight=False)


@consultations_app.command("add")
def add_consultation(
    title: str = typer.Option(..., help="e.g. DG/AFM-level nonproliferation consultations."),
    level: str = typer.Option(..., help=", ".join(consultations.LEVELS)),
    counterpart: str = typer.Option(..., help="The partner government, e.g. CHN."),
    cadence_months: int | None = typer.Option(None, help="Planned interval between rounds (twice a year: 6)."),
    notes: str | None = typer.Option(None),
    on: str | None = ON,
    classification: str | None = CLASSIFICATION,
    releasability: str | None = RELEASABILITY,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Start a consultation track (active)."""
    with user_errors(), session_scope() as session:
        track = consultations.create(session, local_viewer(), title=title, level=level, counterpart=counterpart,
                                     cadence_months=cadence_months, notes=notes, occurred_on=on,
                                     classification=classification, releasability=releasability,
                                     source=source)  # fmt: skip
        result = consultations.row(track)
    done(result, as_json, f"consultation {result['id']}: {result['title']} ({result['status']})")


def _consultation_status(consultation_id: int, status: str, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        track = consultations.set_status(session, local_viewer(), consultation_id, status, **kwargs)
        result = consultations.row(track)
    done(result, as_json, f"consultation {consultation_id}: {result['status']} since {result['status_since']}")


@consultations_app.command("suspend")
def suspend_consultation(
    consultation_id: int,
    cause: str = typer.Option(..., help="Why, e.g. suspended by China in 2006 after sanctions on Great Wall Airlines."),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Suspend a track (its cause is required)."""
    _consultation_status(consultation_id, "suspended", as_json, cause=cause, occurred_on=on, source=source)


@consultations_app.command("resume")
def resume_consultation(
    consultation_id: int,
    offered_by: str | None = typer.Option(None, help="Who offered the resumption, e.g. DG Zhang Yan."),
    note: str | None = typer.Option(None),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Resume a suspended track."""
    _consultation_status(consultation_id, "active", as_json, offered_by=offered_by, cause=note, occurred_on=on,
                         source=source)  # fmt: skip


@consultations_app.command("end")
def end_consultation(
    consultation_id: int,
    cause: str | None = typer.Option(None, help="Why it ended."),
    on: str | None = ON,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """End a track (final)."""
    _consultation_status(consultation_id, "ended", as_json, cause=cause, occurred_on=on, source=source)


@consultations_app.command("plan-round")
def plan_round(
    consultation_id: int,
    on: str = typer.Option(..., "--on", help="The scheduled date (YYYY-MM-DD)."),
    place: str | None = typer.Option(None),
    agenda: list[str] | None = typer.Option(None, "--agenda", help="An agenda item (repeatable)."),
    participant: list[str] | None = typer.Option(None, "--participant", help="SIDE:NAME:TITLE (repeatable)."),
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Plan a round of a track."""
    with user_errors(), session_scope() as session:
        planned = consultations.plan_round(session, local_viewer(), consultation_id, scheduled_on=on, place=place,
                                           agenda=agenda or [], participants=_round_participants(participant),
                                           source=source)  # fmt: skip
        result = consultations.round_dict(planned)
    done(result, as_json, f"round {result['id']} planned for {result['scheduled_on']}")


@consultations_app.command("record-round")
def record_round(
    round_id: int,
    held_on: str | None = typer.Option(None, help="When it was held (default: its scheduled date)."),
    place: str | None = typer.Option(None),
    participant: list[str] | None = typer.Option(None, "--participant", help="SIDE:NAME:TITLE (repeatable)."),
    agenda: list[str] | None = typer.Option(None, "--agenda", help="An agenda item (repeatable)."),
    outcome: str | None = typer.Option(None),
    cancelled: bool = typer.Option(False, "--cancelled", help="The round did not take place."),
    note: str | None = typer.Option(None),
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Record a planned round as held (refused while the track was suspended) or cancelled."""
    with user_errors(), session_scope() as session:
        recorded = consultations.record_round(
            session, local_viewer(), round_id, held=not cancelled, held_on=held_on, place=place,
            participants=_round_participants(participant), agenda=agenda or None, outcome=outcome, note=note,
            source=source,
        )  # fmt: skip
        result = consultations.round_dict(recorded)
    done(result, as_json, f"round {round_id}: {result['status']} {result['held_on'] or ''}")


@consultations_app.command("metrics")
def consultation_metrics(
    consultation_id: int | None = typer.Option(None, "--id", help="Only this track."),
    today: str | None = TODAY,
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Rounds held, scheduled and expected by the cadence, per year."""
    with user_errors(), session_scope() as session:
        result = consultations.metrics(
            session, local_viewer(), consultation_id=consultation_id, today=parse_today(today)
        )
        if as_json:
            print_json(result)
            return
        rows = [{"id": t["id"], "title": t["title"]} | y for t in result["tracks"] for y in t["years"]]
        print_rows(rows, ("id", "title", "year", "held", "scheduled", "expected", "active_days"),
                   title="rounds per year", export_to=export_to)  # fmt: skip
