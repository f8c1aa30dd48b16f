"""Work on records through the access policy: assigning a case, alert, pledge or proposal to a user
with a due date, commenting on it (threaded, marked), and each user's work with what is overdue.

Which records carry work, and who may assign and comment on them, is declared in ``WORK_TYPES``: a
record type names its table (its model is found in the tables' registry, so this package imports no
domain above it), the permission its work needs and when it is done. A viewer who may not read a
record can neither see nor add work on it (``NotFound``); one who may read it but lacks the
permission is refused (``Refused``). Comments are read through the policy like any record: each
viewer sees the comments whose marking they may read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access import auth
from goodpath.access.models import User
from goodpath.access.policy import Permission, Viewer, can, can_read, read_filter
from goodpath.access.records import get_readable, marking
from goodpath.core import work
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import parse_date
from goodpath.core.models import Base, utcnow
from goodpath.core.work import WorkAssignment, WorkComment


@dataclass(frozen=True)
class WorkType:
    name: str  # as in /worklist/{record_type}/...
    table: str  # the record's table
    permission: Permission  # to assign it, be assigned it and comment on it
    what: str  # how a message names the record
    done: Callable[[object], bool]  # whether its work is over (it leaves "my work")
    title: Callable[[object], str]


WORK_TYPES: dict[str, WorkType] = {
    t.name: t
    for t in (
        WorkType("case", "violation_case", Permission.MANAGE_ENGAGEMENT, "case",
                 lambda r: r.status == "closed", lambda r: f"{r.reference} · {r.title}"),
        WorkType("alert", "screening_alert", Permission.REVIEW_SCREENING, "alert",
                 lambda r: r.status not in ("open", "escalated"), lambda r: r.caption),
        WorkType("pledge", "pledge", Permission.MANAGE_ENGAGEMENT, "pledge",
                 lambda r: r.status != "open", lambda r: r.text),
        WorkType("proposal", "pathway_proposal", Permission.PROPOSE_PATHWAY, "proposal",
                 lambda r: r.status != "pending", lambda r: f"{r.party_id}: {r.kind} {r.from_stage} → {r.to_stage}"),
    )
}  # fmt: skip
RECORD_TYPES = tuple(WORK_TYPES)


def work_type(record_type: str) -> WorkType:
    found = WORK_TYPES.get(record_type)
    if found is None:
        raise NotFound(f"no record type {record_type!r} (one of {', '.join(RECORD_TYPES)})")
    return found


def model_of(kind: WorkType):
    """The mapped class of the record type's table (every domain's models are loaded by the app)."""
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == kind.table:
            return mapper.class_
    raise LookupError(f"the table {kind.table!r} is not loaded")


def get_record(session: Session, viewer: Viewer, record_type: str, record_id: int):
    """The record type and the record, or NotFound if the viewer may not read it."""
    kind = work_type(record_type)
    return kind, get_readable(session, viewer, model_of(kind), record_id, kind.what)


def may_work(viewer: Viewer, record_type: str) -> bool:
    """Whether ``viewer`` may assign and comment on records of this type (the record being readable)."""
    kind = WORK_TYPES.get(record_type)
    return kind is not None and can(viewer, kind.permission)


def _require(viewer: Viewer, kind: WorkType) -> None:
    if not can(viewer, kind.permission):
        raise Refused(f"you do not have permission to work on {kind.what}s")


# --- assignment ----------------------------------------------------------------------------------


def assign(
    session: Session,
    viewer: Viewer,
    record_type: str,
    record_id: int,
    assignee: str,
    due_on: str | date | None = None,
    note: str | None = None,
) -> dict:
    """Assign a record to ``assignee`` (an active user who may read it and work on it), due ``due_on``
    (a past day is allowed: the work is then overdue)."""
    kind, record = get_record(session, viewer, record_type, record_id)
    _require(viewer, kind)
    user = _assignable(session, kind, record, assignee)
    day = parse_date(due_on, "due_on")
    note = (note or "").strip() or None
    row = work.assign(session, viewer.actor, kind.name, record, user.username, day, note)
    return assignment_dict(row)


def unassign(session: Session, viewer: Viewer, record_type: str, record_id: int) -> dict:
    """End a record's assignment (it goes back to nobody's work); refused when it has none."""
    kind, record = get_record(session, viewer, record_type, record_id)
    _require(viewer, kind)
    row = work.unassign(session, viewer.actor, kind.name, record)
    return {"record_type": kind.name, "record_id": record.id, "unassigned": row.assignee}


def _assignable(session: Session, kind: WorkType, record, username: str) -> User:
    name = auth.normalize_username(username or "")
    if not name:
        raise GoodpathError("assignee is required (a username)")
    user = session.scalars(select(User).where(User.username == name)).first()
    if user is None or user.disabled:
        raise GoodpathError(f"assignee: no active user {name!r}")
    colleague = auth.viewer_of(user)
    if not can(colleague, kind.permission):
        raise GoodpathError(f"assignee: {name} may not work on {kind.what}s (their role does not allow it)")
    if not can_read(colleague, record):
        raise GoodpathError(f"assignee: {name} may not read this {kind.what} (its marking)")
    return user


def assignees(session: Session, viewer: Viewer, record_type: str, record_id: int) -> list[dict]:
    """Who may be assigned the record: active users who may work on it and read it."""
    kind, record = get_record(session, viewer, record_type, record_id)
    out = []
    for user in session.scalars(select(User).where(User.disabled.is_(False)).order_by(User.username)):
        colleague = auth.viewer_of(user)
        if can(colleague, kind.permission) and can_read(colleague, record):
            out.append({"username": user.username, "display_name": user.display_name, "role": user.role})
    return out


def assignment_dict(row: WorkAssignment, today: date | None = None) -> dict:
    return {
        "record_type": row.record_type, "record_id": row.record_id, "assignee": row.assignee,
        "due_on": row.due_on.isoformat() if row.due_on else None, "overdue": work.is_overdue(row.due_on, today),
        "note": row.note, "assigned_by": row.assigned_by,
        "assigned_at": row.assigned_at.isoformat() if row.assigned_at else None,
        "classification": row.classification, "releasability": row.releasability, "originator": row.originator,
    }  # fmt: skip


# --- comments ------------------------------------------------------------------------------------


def comment(
    session: Session,
    viewer: Viewer,
    record_type: str,
    record_id: int,
    body: str,
    *,
    classification: str | None = None,
    releasability: str | None = None,
    parent_id: int | None = None,
) -> dict:
    """A comment on the record (a reply if ``parent_id``), marked by its author: by default as the record
    is; never above the author's clearance nor beyond what the record allows."""
    kind, record = get_record(session, viewer, record_type, record_id)
    _require(viewer, kind)
    parent = None
    if parent_id is not None:
        parent = session.get(WorkComment, parent_id) if isinstance(parent_id, int) and parent_id > 0 else None
        if (
            parent is None
            or not can_read(viewer, parent)
            or (parent.record_type, parent.record_id) != (kind.name, record.id)
        ):
            raise NotFound(f"no comment {parent_id!r} on this {kind.what}")
    chosen = marking(
        viewer,
        classification or record.classification,
        releasability if releasability and releasability.strip() else (record.releasability or record.originator),
    )
    row = work.add_comment(session, viewer.actor, kind.name, record, body, chosen, parent)
    return comment_dict(row)


def comments(session: Session, viewer: Viewer, record_type: str, record_id: int) -> list[dict]:
    """The comments on the record the viewer may read, threaded: replies right after what they answer,
    each with its ``depth``."""
    kind, record = get_record(session, viewer, record_type, record_id)
    rows = list(
        session.scalars(
            select(WorkComment)
            .where(WorkComment.record_type == kind.name, WorkComment.record_id == record.id)
            .where(read_filter(viewer, WorkComment))
            .order_by(WorkComment.created_at, WorkComment.id)
        )
    )
    return [{**comment_dict(c), "depth": depth} for c, depth in work.thread(rows)]


def comment_dict(row: WorkComment) -> dict:
    return {
        "id": row.id, "record_type": row.record_type, "record_id": row.record_id, "parent_id": row.parent_id,
        "author": row.author, "body": row.body, "created_at": row.created_at.isoformat() if row.created_at else None,
        "classification": row.classification, "releasability": row.releasability, "originator": row.originator,
    }  # fmt: skip


# --- a record's work and a user's work ------------------------------------------------------------


def work_on(session: Session, viewer: Viewer, record_type: str, record_id: int) -> dict:
    """Everything the work panel of a record shows the viewer: its assignment, comments, and what the
    viewer may do (and whom they may assign it to)."""
    kind, record = get_record(session, viewer, record_type, record_id)
    row = work.current_assignment(session, kind.name, record.id)
    allowed = can(viewer, kind.permission)
    return {
        "record_type": kind.name, "record_id": record.id, "title": kind.title(record),
        "status": getattr(record, "status", None), "done": kind.done(record),
        "assignment": assignment_dict(row) if row is not None and can_read(viewer, row) else None,
        "comments": comments(session, viewer, kind.name, record.id), "may_work": allowed,
        "assignees": assignees(session, viewer, kind.name, record.id) if allowed else [],
        "classification": record.classification, "releasability": record.releasability,
        "originator": record.originator, "party_id": getattr(record, "party_id", None),
    }  # fmt: skip


def my_work(session: Session, viewer: Viewer, *, include_done: bool = False, today: date | None = None) -> dict:
    """What is assigned to ``viewer`` and they may read: overdue first, then by due day (undated last).
    Work on a record that is over (a closed case, a decided proposal) is left out unless ``include_done``."""
    today = today or utcnow().date()
    rows = session.scalars(
        select(WorkAssignment)
        .where(WorkAssignment.assignee == auth.normalize_username(viewer.username))
        .where(read_filter(viewer, WorkAssignment))
        .order_by(WorkAssignment.assigned_at, WorkAssignment.id)
    )
    results = []
    for row in rows:
        kind = WORK_TYPES.get(row.record_type)
        record = session.get(model_of(kind), row.record_id) if kind is not None else None
        if record is None or not can_read(viewer, record):
            continue
        done = kind.done(record)
        if done and not include_done:
            continue
        results.append({**assignment_dict(row, today), "title": kind.title(record),
                        "status": getattr(record, "status", None), "done": done,
                        "party_id": getattr(record, "party_id", None)})  # fmt: skip
    results.sort(key=lambda r: (not r["overdue"], r["due_on"] is None, r["due_on"] or "", r["assigned_at"] or ""))
    return {"username": viewer.username, "today": today.isoformat(), "total": len(results),
            "overdue": sum(1 for r in results if r["overdue"]), "results": results}  # fmt: skip
