"""Status workflows every domain shares: the allowed transitions of a record, each change written
with its event (the record's history) and its audit entry in the caller's transaction, so a refused
change changes nothing.

A workflow is a ``Workflow``: its statuses and the allowed transitions. ``transition`` refuses
anything else with a message naming what is allowed. ``actor`` is whoever acts (a viewer: anything
with an ``actor`` name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from goodpath.core import audit_log
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import to_dict
from goodpath.core.models import Base, Marked, utcnow


class Actor(Protocol):
    @property
    def actor(self) -> str: ...


class StatusEvent(Marked, Base):
    """One status change of any record with a workflow: the workflows' shared history (its table keeps
    its first name)."""

    __tablename__ = "engagement_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40), index=True)  # consultation, case, project, ...
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)  # when it happened (may precede its recording)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)  # e.g. the cause of a suspension
    source: Mapped[str | None] = mapped_column(Text)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)


@dataclass(frozen=True)
class Workflow:
    """Statuses and the allowed transitions between them: ``{from: {to, ...}}``."""

    name: str
    transitions: dict[str, frozenset[str]]

    @property
    def statuses(self) -> tuple[str, ...]:
        seen = dict.fromkeys(self.transitions)
        for targets in self.transitions.values():
            seen.update(dict.fromkeys(sorted(targets)))
        return tuple(seen)

    def check(self, current: str, target: str) -> None:
        if target not in self.statuses:
            raise GoodpathError(f"{self.name} status must be one of {', '.join(self.statuses)}, not {target!r}")
        allowed = self.transitions.get(current, frozenset())
        if target not in allowed:
            options = ", ".join(sorted(allowed)) or "none: it is final"
            raise Refused(f"a {self.name} cannot go from {current} to {target} (allowed: {options})")


def transition(
    session: Session,
    viewer: Actor,
    workflow: Workflow,
    record,
    target: str,
    *,
    occurred_on: date | None = None,
    note: str | None = None,
    source: str | None = None,
    status_field: str = "status",
    date_field: str | None = "status_on",
) -> StatusEvent:
    """Move ``record`` to ``target`` if the workflow allows it, with its event and audit entry."""
    current = getattr(record, status_field)
    workflow.check(current, target)
    occurred_on = occurred_on or utcnow().date()
    last = last_event_date(session, workflow.name, record.id)
    if last is not None and occurred_on < last:
        raise Refused(f"{occurred_on.isoformat()} is before the {workflow.name}'s last step ({last.isoformat()})")
    before = to_dict(record)
    setattr(record, status_field, target)
    if date_field:
        setattr(record, date_field, occurred_on)
    event = add_event(session, viewer, workflow.name, record, current, target, occurred_on, note, source)
    audited(session, viewer, f"{workflow.name}.{target}", record, before=before, reason=note)
    return event


def add_event(
    session: Session,
    viewer: Actor,
    record_type: str,
    record,
    from_status: str | None,
    to_status: str,
    occurred_on: date,
    note: str | None = None,
    source: str | None = None,
) -> StatusEvent:
    event = StatusEvent(
        record_type=record_type, record_id=record.id, from_status=from_status, to_status=to_status,
        occurred_on=occurred_on, recorded_by=viewer.actor, note=note, source=source,
        party_id=getattr(record, "party_id", None), classification=record.classification,
        releasability=record.releasability, originator=record.originator, published=record.published,
    )  # fmt: skip
    session.add(event)
    session.flush()
    return event


def last_event_date(session: Session, record_type: str, record_id: int) -> date | None:
    return session.scalars(
        select(StatusEvent.occurred_on)
        .where(StatusEvent.record_type == record_type, StatusEvent.record_id == record_id)
        .order_by(StatusEvent.occurred_on.desc())
        .limit(1)
    ).first()


def audited(session: Session, viewer: Actor, action: str, record, *, before: dict | None = None, reason=None) -> None:
    """One audit entry for a change of ``record``, carrying the record's own marking."""
    session.flush()
    audit_log.record(
        session, actor=viewer.actor, action=action, target_type=record.__tablename__, target_id=str(record.id),
        before=before, after=to_dict(record), reason=reason, classification=record.classification,
        releasability=record.releasability,
    )  # fmt: skip
