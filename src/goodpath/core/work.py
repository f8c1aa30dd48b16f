"""Work on records: who is assigned a record and by when (``WorkAssignment``), and the threaded,
marked comments on it (``WorkComment``). Like the workflows' history (``workflow.StatusEvent``), both
are keyed by ``record_type`` + ``record_id``, so any record can carry work; which record types do,
and who may assign them, is the access package's concern (``access.work``).

An assignment carries its record's marking (copied when it is made); a comment carries its own,
chosen by its author, never above what the record allows (``check_comment_marking``). Every
assignment, reassignment and comment is audited with the record's marking.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from goodpath.core import audit_log
from goodpath.core.errors import GoodpathError
from goodpath.core.fields import to_dict
from goodpath.core.models import RELEASABLE_TO_ALL, Base, Classification, Marked, utcnow

COMMENT_MAX = 4000
NOTE_MAX = 1000


class WorkAssignment(Marked, Base):
    """Who works on a record now, and by when: one per record (a reassignment replaces it; the audit
    log keeps every one). Carries the record's marking and company (``party_id``)."""

    __tablename__ = "work_assignment"
    __table_args__ = (UniqueConstraint("record_type", "record_id", name="uq_work_assignment_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40), index=True)  # case, alert, pledge, proposal
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    assignee: Mapped[str] = mapped_column(String(64), index=True)  # a username
    due_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    assigned_by: Mapped[str] = mapped_column(String(120))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)


class WorkComment(Marked, Base):
    """A comment on a record, possibly a reply to another comment of the same record (``parent_id``);
    marked by its author."""

    __tablename__ = "work_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40), index=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_comment.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)


# --- pure rules --------------------------------------------------------------------------------


def is_overdue(due_on: date | None, today: date | None = None) -> bool:
    """Due before today (a task due today is not yet overdue)."""
    return due_on is not None and due_on < (today or utcnow().date())


def organizations(releasability: str | None, originator: str | None) -> frozenset[str] | None:
    """Whom a marking releases to: None for everyone (``ALL``), else the organization codes
    (unmarked: its originator alone)."""
    if releasability == RELEASABLE_TO_ALL:
        return None
    if releasability is None:
        return frozenset({originator} if originator else ())
    return frozenset(c for c in releasability.split(",") if c)


def check_comment_marking(record, classification: str, releasability: str | None, originator: str | None) -> None:
    """Refuse a comment marked above its record: a higher classification, or released to anyone the
    record is not released to (a comment is read where its record is)."""
    if Classification[classification] > Classification[record.classification or "UNCLASSIFIED"]:
        raise GoodpathError(f"classification: a comment on a {record.classification} record cannot be {classification}")
    allowed = organizations(record.releasability, record.originator)
    wanted = organizations(releasability, originator)
    if allowed is None:
        return
    if wanted is None:
        raise GoodpathError(f"releasability: the record is releasable to {', '.join(sorted(allowed))} only, not to ALL")
    beyond = sorted(wanted - allowed)
    if beyond:
        raise GoodpathError(
            f"releasability: the record is not releasable to {', '.join(beyond)} "
            f"(it is releasable to {', '.join(sorted(allowed))})"
        )


def record_marking(record) -> dict:
    """The marking columns of ``record`` (and its company), to copy onto its work."""
    return {
        "classification": record.classification,
        "releasability": record.releasability,
        "originator": record.originator,
        "published": False,
        "party_id": getattr(record, "party_id", None),
    }


# --- writes (the caller has checked who may) ---------------------------------------------------


def assign(
    session: Session,
    actor: str,
    record_type: str,
    record,
    assignee: str,
    due_on: date | None,
    note: str | None = None,
) -> WorkAssignment:
    """Assign ``record`` to ``assignee`` (replacing any earlier assignment), audited with the record's
    marking as ``work.assigned`` or ``work.reassigned``."""
    if note is not None and len(note) > NOTE_MAX:
        raise GoodpathError(f"note is longer than {NOTE_MAX} characters")
    current = current_assignment(session, record_type, record.id)
    before = to_dict(current) if current is not None else None
    if current is None:
        current = WorkAssignment(record_type=record_type, record_id=record.id)
        session.add(current)
    for key, value in record_marking(record).items():
        setattr(current, key, value)
    current.assignee, current.due_on, current.note = assignee, due_on, note
    current.assigned_by, current.assigned_at = actor, utcnow()
    session.flush()
    _audit(session, actor, "work.reassigned" if before else "work.assigned", record, before, to_dict(current))
    return current


def unassign(session: Session, actor: str, record_type: str, record) -> WorkAssignment:
    """End ``record``'s assignment, audited as ``work.unassigned`` (the audit keeps who had it)."""
    current = current_assignment(session, record_type, record.id)
    if current is None:
        raise GoodpathError(f"this {record_type} is not assigned to anyone")
    before = to_dict(current)
    session.delete(current)
    session.flush()
    _audit(session, actor, "work.unassigned", record, before, {"assignee": None})
    return current


def add_comment(
    session: Session,
    actor: str,
    record_type: str,
    record,
    body: str,
    marking: dict,
    parent: WorkComment | None = None,
) -> WorkComment:
    """A comment on ``record`` marked ``marking`` (classification, releasability, originator), audited
    with the record's marking as ``work.commented``."""
    text = (body or "").strip()
    if not text:
        raise GoodpathError("comment is required")
    if len(text) > COMMENT_MAX:
        raise GoodpathError(f"comment is longer than {COMMENT_MAX} characters")
    if parent is not None and (parent.record_type, parent.record_id) != (record_type, record.id):
        raise GoodpathError("the comment replied to is on another record")
    check_comment_marking(record, marking["classification"], marking["releasability"], marking["originator"])
    comment = WorkComment(
        record_type=record_type, record_id=record.id, parent_id=parent.id if parent is not None else None,
        author=actor, body=text, classification=marking["classification"],
        releasability=marking["releasability"], originator=marking["originator"], published=False,
        party_id=getattr(record, "party_id", None),
    )  # fmt: skip
    session.add(comment)
    session.flush()
    _audit(session, actor, "work.commented", record, None, to_dict(comment))
    return comment


def current_assignment(session: Session, record_type: str, record_id: int) -> WorkAssignment | None:
    return session.scalars(
        select(WorkAssignment).where(WorkAssignment.record_type == record_type, WorkAssignment.record_id == record_id)
    ).first()


def _audit(session: Session, actor: str, action: str, record, before: dict | None, after: dict) -> None:
    audit_log.record(
        session, actor=actor, action=action, target_type=record.__tablename__, target_id=str(record.id),
        before=before, after=after, classification=record.classification, releasability=record.releasability,
    )  # fmt: skip


def thread(comments: list) -> list[tuple[object, int]]:
    """Comments (anything with ``id``, ``parent_id``, in order) as a thread: each with its depth, replies
    right after what they answer; a reply whose parent is not among ``comments`` starts a thread."""
    ids = {c.id for c in comments}
    children: dict[int | None, list] = {}
    for c in comments:
        parent = c.parent_id if c.parent_id in ids else None
        children.setdefault(parent, []).append(c)
    out: list[tuple[object, int]] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:  # depth first, without recursion (a thread may be long)
        comment, depth = stack.pop()
        out.append((comment, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(comment.id, [])))
    return out
