"""Cooperation projects: EXBS and other projects, trainings (e.g. on WMD commodity
identification, 07BEIJING1900), exchanges.

Workflow: proposed → agreed → active → completed. Any non-final state may be suspended (with a
cause) and resumes to the state it was suspended from; anything not final may be cancelled.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer
from goodpath.access.records import get_readable, history, marking, readable, require
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import one_of, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import (
    StatusEvent,
    Workflow,
    add_event,
    audited,
    check_version,
    last_event_date,
    transition,
)
from goodpath.engagement.models import CooperationProject

RECORD = "project"
KINDS = ("exbs", "training", "exchange", "other")
RUNNING = ("proposed", "agreed", "active")  # the states a suspension can return to
WORKFLOW = Workflow(
    RECORD,
    {
        "proposed": frozenset({"agreed", "suspended", "cancelled"}),
        "agreed": frozenset({"active", "suspended", "cancelled"}),
        "active": frozenset({"completed", "suspended", "cancelled"}),
        "suspended": frozenset({*RUNNING, "cancelled"}),
        "completed": frozenset(),
        "cancelled": frozenset(),
    },
)


def participants_of(value) -> list[dict]:
    """``[{"name", "organization", "role"}]``: a name is required (a person or an agency)."""
    out = []
    for i, item in enumerate(value or []):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise GoodpathError(f"participants[{i}] must be an object with name, organization and role")
        out.append({
            "name": required_text(item.get("name"), f"participants[{i}].name", 200),
            "organization": (item.get("organization") or "").strip() or None,
            "role": (item.get("role") or "").strip() or None,
        })  # fmt: skip
    return out


def create(
    session: Session,
    viewer: Viewer,
    *,
    title: str,
    kind: str,
    description: str | None = None,
    proposed_by: str | None = None,
    start_on: date | str | None = None,
    end_on: date | str | None = None,
    participants: list | None = None,
    occurred_on: date | str | None = None,
    share_with: list[str] | tuple[str, ...] = (),
    classification: str | None = None,
    releasability: str | None = None,
    source: str | None = None,
    demo_key: str | None = None,
) -> CooperationProject:
    """A proposed project; ``occurred_on`` is when it was proposed (may be in the past)."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    proposed_on = parse_date(occurred_on, "occurred_on") or utcnow().date()
    start, end = parse_date(start_on, "start_on"), parse_date(end_on, "end_on")
    _check_dates(start, end)
    record = CooperationProject(
        title=required_text(title, "title", 300), kind=one_of((kind or "").strip().lower(), KINDS, "kind"),
        description=(description or "").strip() or None, proposed_by=(proposed_by or "").strip() or None,
        start_on=start, end_on=end, participants=participants_of(participants), status="proposed",
        status_on=proposed_on, created_by=viewer.actor, source=source, demo_key=demo_key,
        **marking(viewer, classification, releasability, share_with=share_with),
    )  # fmt: skip
    session.add(record)
    session.flush()
    add_event(session, viewer, RECORD, record, None, "proposed", proposed_on, note=record.proposed_by and
              f"proposed by {record.proposed_by}", source=source)  # fmt: skip
    audited(session, viewer, f"{RECORD}.create", record)
    return record


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise GoodpathError(f"end_on {end.isoformat()} is before start_on {start.isoformat()}")


def get(session: Session, viewer: Viewer, project_id: int) -> CooperationProject:
    return get_readable(session, viewer, CooperationProject, project_id, "project")


def suspended_from(session: Session, project_id: int) -> str | None:
    """The state the project was in when last suspended (what a resumption returns to)."""
    return session.scalars(
        select(StatusEvent.from_status)
        .where(
            StatusEvent.record_type == RECORD,
            StatusEvent.record_id == project_id,
            StatusEvent.to_status == "suspended",
        )  # fmt: skip
        .order_by(StatusEvent.occurred_on.desc(), StatusEvent.id.desc())
        .limit(1)
    ).first()


def set_status(
    session: Session,
    viewer: Viewer,
    project_id: int,
    status: str,
    *,
    cause: str | None = None,
    occurred_on: date | str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
) -> CooperationProject:
    """Move a project along its workflow. Suspending needs a cause; a suspended project goes back
    only to the state it was suspended from (or is cancelled). Becoming active sets start_on and
    completing sets end_on when they are not set yet. Refused (``StaleRecord``) if it changed
    since ``expected_version`` was read."""
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    record = get(session, viewer, project_id)
    check_version(session, record, expected_version, RECORD)
    WORKFLOW.check(record.status, status)
    when = parse_date(occurred_on, "occurred_on")
    cause = (cause or "").strip() or None
    if status == "suspended":
        cause = required_text(cause, "cause (why the project is suspended)")
    if record.status == "suspended" and status in RUNNING:
        prior = suspended_from(session, record.id)
        if prior and status != prior:
            raise Refused(f"project {record.id} was suspended while {prior}: it resumes to {prior}, not {status}")
    day = when or utcnow().date()
    last = last_event_date(session, RECORD, record.id)
    if last is not None and day < last:  # checked before the dates below are set: a refusal changes nothing
        raise Refused(f"{day.isoformat()} is before the project's last step ({last.isoformat()})")
    if status == "completed" and record.end_on is None and record.start_on and day < record.start_on:
        raise GoodpathError(f"completed on {day.isoformat()}, before it started ({record.start_on.isoformat()})")
    if status == "active" and record.start_on is None:
        record.start_on = day
    if status == "completed" and record.end_on is None:
        record.end_on = day
    transition(session, viewer, WORKFLOW, record, status, occurred_on=when, note=cause, source=source)
    record.status_cause = cause if status in ("suspended", "cancelled") else None
    session.flush()
    return record


def advance(session, viewer, project_id, status, **kwargs) -> CooperationProject:
    return set_status(session, viewer, project_id, status, **kwargs)


def suspend(session, viewer, project_id, *, cause, occurred_on=None, source=None) -> CooperationProject:
    return set_status(session, viewer, project_id, "suspended", cause=cause, occurred_on=occurred_on, source=source)


def resume(
    session, viewer, project_id, *, note=None, occurred_on=None, source=None, expected_version=None
) -> CooperationProject:
    """Back to the state the project was suspended from (``StaleRecord`` if it changed since
    ``expected_version``)."""
    record = get(session, viewer, project_id)
    check_version(session, record, expected_version, RECORD)
    if record.status != "suspended":
        raise Refused(f"project {record.id} is {record.status}, not suspended: nothing to resume")
    prior = suspended_from(session, record.id) or "proposed"
    return set_status(session, viewer, project_id, prior, cause=note, occurred_on=occurred_on, source=source)


def list_projects(
    session: Session, viewer: Viewer, *, status: str | None = None, kind: str | None = None
) -> list[dict]:
    if status is not None and status not in WORKFLOW.statuses:
        raise GoodpathError(f"status must be one of {', '.join(WORKFLOW.statuses)}, not {status!r}")
    query = readable(session, viewer, CooperationProject).order_by(CooperationProject.id)
    if status:
        query = query.where(CooperationProject.status == status)
    if kind:
        query = query.where(CooperationProject.kind == one_of(kind.strip().lower(), KINDS, "kind"))
    return [to_dict(p) for p in session.scalars(query)]


def detail(session: Session, viewer: Viewer, project_id: int) -> dict:
    record = get(session, viewer, project_id)
    return to_dict(record) | {"history": history(session, viewer, RECORD, record.id)}
