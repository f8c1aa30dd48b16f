"""Follow-up work after a commit (a transactional outbox): what happened, recorded with the change.

A domain that changes something other domains react to records what happened in the same transaction:
``record(session, "list_imported", {"dataset": ..., "version": ...}, actor=...)``. It never calls the
reactions itself, nor imports the domains that react: they are declared in one table at the top
(``goodpath.consequences``) and run by ``core.followup_runner`` -- at least once, each in a transaction
of its own that also marks it done, so a crash between the commit and the reactions loses nothing.

A row is either an *event* (``reaction`` empty: what happened) or a *reaction* to one (``reaction``: which,
``event_id``: the event). The runner turns an event into its reactions, then runs each; a reaction that
fails is tried again later (backoff), and after the last attempt shows as ``failed`` until retried.

Events and reactions with the same ``dedupe_key`` that are still waiting to run are one: ten list imports
in a row re-screen the watched names once.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from goodpath.core.models import Base, utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATUSES = (PENDING, RUNNING, DONE, FAILED)
WRITTEN = "goodpath.followups_written"  # session.info flag: this session recorded follow-ups
FAULT_ENV = "GOODPATH_FAULT"


class Followup(Base):
    __tablename__ = "followup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # what happened: list_imported, case_closed, ...
    reaction: Mapped[str | None] = mapped_column(String(60))  # None: the event; else the reaction to run
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)  # a reaction's event
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)  # what a reaction did (its summary)
    caused_by: Mapped[str] = mapped_column(String(200))  # the actor whose change it follows
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # the runner (host:pid:thread)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # a running one is the runner's
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # not before (backoff)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_followup_status_run_after", "status", "run_after"),)


def dedupe_key(kind: str, payload: dict) -> str:
    """The default identity of a follow-up: its kind and payload (hashed when long)."""
    text = f"{kind}:{json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)}"
    return text if len(text) <= 200 else f"{kind}:sha256:{hashlib.sha256(text.encode()).hexdigest()}"


def waiting(session: Session, key: str, *, reaction: str | None) -> int | None:
    """A follow-up with this key that has not been tried yet (so one more would do the same work)."""
    query = select(Followup.id).where(
        Followup.dedupe_key == key, Followup.status == PENDING, Followup.attempts == 0,
        Followup.reaction.is_(None) if reaction is None else Followup.reaction == reaction,
    )  # fmt: skip
    return session.scalars(query.limit(1)).first()


def record(session: Session, kind: str, payload: dict | None = None, *, actor: str, key: str | None = None) -> int:
    """Record that ``kind`` happened, in the caller's transaction: its reactions run after the commit.
    ``key``: events with the same key waiting to run are one (default: kind and payload). Returns its id."""
    payload = dict(payload or {})
    key = key or dedupe_key(kind, payload)
    session.info[WRITTEN] = True
    _fault_after_commit(session, kind)
    existing = waiting(session, key, reaction=None)
    if existing is not None:
        return existing
    now = utcnow()
    row = Followup(kind=kind, payload=payload, dedupe_key=key, status=PENDING, attempts=0, caused_by=actor[:200],
                   run_after=now, created_at=now, updated_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives datetimes back without their zone: they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def to_dict(row: Followup) -> dict:
    return {
        "id": row.id, "kind": row.kind, "reaction": row.reaction, "event_id": row.event_id, "payload": row.payload,
        "status": row.status, "attempts": row.attempts, "last_error": row.last_error, "result": row.result,
        "caused_by": row.caused_by, "claimed_by": row.claimed_by,
        "lease_until": _iso(row.lease_until), "run_after": _iso(row.run_after),
        "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
    }  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None


# --- fault points: the kill-at-a-point tests (tests/security/test_followup_faults.py) ------------------


def fault(point: str) -> None:
    """GOODPATH_FAULT=<point> kills the process at that point, as a power cut would (tests only)."""
    if os.environ.get(FAULT_ENV) == point:
        os._exit(137)


def _fault_after_commit(session: Session, kind: str) -> None:
    # ``after_commit:<kind>``: right after the commit of a transaction that recorded ``kind``.
    if os.environ.get(FAULT_ENV) == f"after_commit:{kind}":
        event.listen(session, "after_commit", lambda _session: fault(f"after_commit:{kind}"), once=True)
