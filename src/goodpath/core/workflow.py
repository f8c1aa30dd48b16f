"""Status workflows every domain shares: the allowed transitions of a record, each change written
with its event (the record's history) and its audit entry in the caller's transaction, so a refused
change changes nothing.

A workflow is a ``Workflow``: its statuses and the allowed transitions. ``transition`` refuses
anything else with a message naming what is allowed. ``actor`` is whoever acts (a viewer: anything
with an ``actor`` name).

Optimistic concurrency: a record users edit through forms carries a ``version`` (the mapper's
``version_id_col``: every UPDATE is ``... WHERE version = <read>`` and bumps it). A form or an API
request names the version it was drawn from (``expected_version``); ``check_version`` (and
``transition``) refuse a record that has moved on since with ``StaleRecord``, naming who changed it,
when, and what (from its latest audit entries); two writers who read the same version: exactly one
wins, the other's flush is refused the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from goodpath.core import audit_log
from goodpath.core.errors import GoodpathError, Refused, StaleRecord
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
    expected_version: int | None = None,
) -> StatusEvent:
    """Move ``record`` to ``target`` if the workflow allows it, with its event and audit entry;
    refused with ``StaleRecord`` if the record is no longer at ``expected_version`` (when given)."""
    check_version(session, record, expected_version, workflow.name)
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
    record_id = record.id  # known before a flush that may fail (and expire the record)
    try:
        event = add_event(session, viewer, workflow.name, record, current, target, occurred_on, note, source)
    except StaleDataError:  # another writer's change of the same version was stored first
        raise concurrent_change(record, workflow.name, record_id) from None
    audited(session, viewer, f"{workflow.name}.{target}", record, before=before, reason=note)
    return event


# --- optimistic concurrency -----------------------------------------------------------------------

UNSHOWN_FIELDS = frozenset({"updated_at", "version"})


def check_version(session: Session, record, expected_version: int | None, record_type: str | None = None) -> None:
    """Refuse (``StaleRecord``) if ``record`` has changed since ``expected_version`` was read."""
    if expected_version is None:
        return
    current = getattr(record, "version", None)
    if current is None or int(expected_version) == current:
        return
    raise stale_record(session, record, int(expected_version), record_type)


def stale_record(session: Session, record, expected: int, record_type: str | None = None) -> StaleRecord:
    """The refusal naming who changed ``record`` since ``expected``, when, and what (its latest audit entries)."""
    name = record_type or record.__tablename__
    current = getattr(record, "version", None)
    count = max(1, min((current or expected + 1) - expected, 5))
    entries = list(session.scalars(
        select(audit_log.AuditEntry)
        .where(audit_log.AuditEntry.target_type == record.__tablename__,
               audit_log.AuditEntry.target_id == str(record.id))
        .order_by(audit_log.AuditEntry.seq.desc())
        .limit(count)
    ))  # fmt: skip
    changes: dict[str, dict] = {}
    for entry in reversed(entries):
        for change in _changes(entry):
            first = changes.get(change["field"])
            changes[change["field"]] = {**change, "before": first["before"]} if first else change
    shown = [c for c in changes.values() if c["before"] != c["after"]]
    latest = entries[0] if entries else None
    who = latest.actor if latest else "someone else"
    when = latest.recorded_at[:19].replace("T", " ") if latest else "an unknown time"
    what = "; ".join(f"{c['field']}: {_short(c['before'])} → {_short(c['after'])}" for c in shown) or "see its history"
    return StaleRecord(
        f"{name} {record.id} was changed by {who} at {when} since you opened it: {what}. Nothing was changed: "
        "look at their change and try again.",
        record_type=name, record_id=record.id, expected=expected, current=current, changed_by=who,
        changed_at=when, changes=shown,
    )  # fmt: skip


def concurrent_change(record, record_type: str | None = None, record_id: object = None) -> StaleRecord:
    """The refusal of a write that lost the race for the same version (the session cannot read on:
    ``record_id`` is the record's id read before the failed flush)."""
    name = record_type or getattr(record, "__tablename__", "record")
    return StaleRecord(
        f"{name} {record_id} was changed by someone else at the same time: nothing was changed. "
        "Open it again to see their change and try again.",
        record_type=name, record_id=record_id,
    )  # fmt: skip


def _changes(entry) -> list[dict]:
    try:
        before = json.loads(entry.before) if entry.before else {}
        after = json.loads(entry.after) if entry.after else {}
    except ValueError:
        return []
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = [k for k in after if k not in UNSHOWN_FIELDS and before.get(k) != after.get(k)]
    return [{"field": k, "before": before.get(k), "after": after.get(k)} for k in keys]


def _short(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


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
