"""``goodpath consultations``, ``goodpath pledges``, ``goodpath projects``: consultation tracks and
their rounds, pledges and their fulfilment, cooperation projects, from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError
from goodpath.core.fields import parse_date, to_dict
from goodpath.engagement import consultations, pledges, projects
from goodpath.engagement.interfaces import print_rows

consultations_app = typer.Typer(
    help="Consultation tracks between governments and their rounds; overdue rounds against the cadence.",
    no_args_is_help=True,
)
pledges_app = typer.Typer(
    help="Commitments and pledges: owner, due date, evidence of fulfilment.", no_args_is_help=True
)
projects_app = typer.Typer(help="Cooperation projects: EXBS, trainings, exchanges.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print as JSON.")
EXPORT = typer.Option(None, "--export", help="Write the list to FILE.csv or FILE.xlsx.")
TODAY = typer.Option(None, "--today", help="Evaluate overdue flags on this day (YYYY-MM-DD).")
ON = typer.Option(None, "--on", help="When it happened (YYYY-MM-DD; default today).")
SOURCE = typer.Option(None, "--source", help='Citation, e.g. "07BEIJING1900 ¶4".')
CLASSIFICATION = typer.Option(None, "--classification", help="Default UNCLASSIFIED.")
RELEASABILITY = typer.Option(None, "--releasability", help="ALL or codes like USA,CHN.")


def _today(value: str | None) -> date | None:
    return parse_date(value, "--today")


def _done(result: dict, as_json: bool, message: str) -> None:
    if as_json:
        print_json(result)
    else:
        console.print(message, highlight=False)


def _parts(value: str, keys: tuple[str, str, str], option: str) -> dict:
    parts = [p.strip() for p in value.split(":", 2)]
    if not parts[0]:
        raise GoodpathError(f"{option} must look like {':'.join(k.upper() for k in keys)}, not {value!r}")
    return dict(zip(keys, parts + [None] * (3 - len(parts)), strict=True))


def _round_participants(values: list[str] | None) -> list[dict] | None:
    if not values:
        return None
    out = []
    for value in values:
        part = _parts(value, ("side", "name", "title"), "--participant")
        if not part["name"]:
            raise GoodpathError(f"--participant must look like SIDE:NAME:TITLE, not {value!r}")
        out.append(part)
    return out


# --- consultations ---------------------------------------------------------------------------

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
                                                level=level, overdue_only=overdue, today=_today(today))  # fmt: skip
        print_rows(rows, TRACK_COLUMNS, title="consultations", as_json=as_json, export_to=export_to, flags=_track_flags)


@consultations_app.command("overdue")
def overdue_consultations(today: str | None = TODAY, as_json: bool = JSON, export_to: Path | None = EXPORT) -> None:
    """Active tracks whose last round is older than their cadence, with the date the round was due."""
    with user_errors(), session_scope() as session:
        rows = consultations.list_consultations(session, local_viewer(), overdue_only=True, today=_today(today))
        print_rows(rows, TRACK_COLUMNS, title="overdue consultations", as_json=as_json, export_to=export_to,
                   flags=_track_flags)  # fmt: skip


@consultations_app.command("show")
def show_consultation(consultation_id: int, today: str | None = TODAY, as_json: bool = JSON) -> None:
    """A track with its rounds and history."""
    with user_errors(), session_scope() as session:
        detail = consultations.detail(session, local_viewer(), consultation_id, _today(today))
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
    _done(result, as_json, f"consultation {result['id']}: {result['title']} ({result['status']})")


def _consultation_status(consultation_id: int, status: str, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        track = consultations.set_status(session, local_viewer(), consultation_id, status, **kwargs)
        result = consultations.row(track)
    _done(result, as_json, f"consultation {consultation_id}: {result['status']} since {result['status_since']}")


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
    _done(result, as_json, f"round {result['id']} planned for {result['scheduled_on']}")


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
    _done(result, as_json, f"round {round_id}: {result['status']} {result['held_on'] or ''}")


@consultations_app.command("metrics")
def consultation_metrics(
    consultation_id: int | None = typer.Option(None, "--id", help="Only this track."),
    today: str | None = TODAY,
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Rounds held, scheduled and expected by the cadence, per year."""
    with user_errors(), session_scope() as session:
        result = consultations.metrics(session, local_viewer(), consultation_id=consultation_id, today=_today(today))
        if as_json:
            print_json(result)
            return
        rows = [{"id": t["id"], "title": t["title"]} | y for t in result["tracks"] for y in t["years"]]
        print_rows(rows, ("id", "title", "year", "held", "scheduled", "expected", "active_days"),
                   title="rounds per year", export_to=export_to)  # fmt: skip


# --- pledges -----------------------------------------------------------------------------------

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
                                    party_id=party, round_id=round_id, today=_today(today))  # fmt: skip
        print_rows(rows, PLEDGE_COLUMNS, title="pledges", as_json=as_json, export_to=export_to, flags=_pledge_flags)


@pledges_app.command("show")
def show_pledge(pledge_id: int, today: str | None = TODAY, as_json: bool = JSON) -> None:
    """A pledge with its evidence and history."""
    with user_errors(), session_scope() as session:
        detail = pledges.detail(session, local_viewer(), pledge_id, _today(today))
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
    _done(result, as_json, f"pledge {result['id']}: {result['pledged_by']} → {result['pledged_to']} (open)")


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
    _done(result, as_json, f"pledge {pledge_id}: {len(result['evidence'])} pieces of evidence")


def _pledge_status(pledge_id: int, status: str, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        result = pledges.row(pledges.set_status(session, local_viewer(), pledge_id, status, **kwargs))
    _done(result, as_json, f"pledge {pledge_id}: {result['status']} on {result['status_on']}")


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


# --- projects ----------------------------------------------------------------------------------

PROJECT_COLUMNS = ("id", "title", "kind", "status", "status_on", "proposed_by", "start_on", "end_on")


def _project_participants(values: list[str] | None) -> list[dict]:
    return [_parts(v, ("name", "organization", "role"), "--participant") for v in values or []]


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
    _done(result, as_json, f"project {result['id']}: {result['title']} ({result['status']})")


def _project_status(project_id: int, status: str | None, as_json: bool, **kwargs) -> None:
    with user_errors(), session_scope() as session:
        if status is None:
            project = projects.resume(session, local_viewer(), project_id, **kwargs)
        else:
            project = projects.set_status(session, local_viewer(), project_id, status, **kwargs)
        result = to_dict(project)
    _done(result, as_json, f"project {project_id}: {result['status']} on {result['status_on']}")


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
