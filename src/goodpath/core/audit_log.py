"""The audit log: one hash-chained row per change, its one writer, and the chain check.

Each entry's hash covers its content and the previous entry's hash, so altering, removing or
reordering any entry breaks the chain from that entry on. Every domain writes through ``record``
in its own transaction; who may read an entry is the audit package's concern (``audit.reading``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from goodpath.core.db import advisory_key
from goodpath.core.models import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Kept as text, exactly as hashed, so SQLite and PostgreSQL verify alike.
    recorded_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[str | None] = mapped_column(String(120), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    classification: Mapped[str] = mapped_column(String(16), default="UNCLASSIFIED")
    releasability: Mapped[str | None] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last link, kept apart so that cutting entries off the end shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


GENESIS = "0" * 64


HASHED_FIELDS = (
    "seq", "recorded_at", "actor", "action", "target_type", "target_id",
    "reason", "before", "after", "classification", "releasability",
)  # fmt: skip


_PG_AUDIT_LOCK = "audit chain"  # advisory lock: one writer extends the chain at a time


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps({k: fields[k] for k in HASHED_FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    classification: str = "UNCLASSIFIED",
    releasability: str | None = "ALL",
) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction."""
    _lock_chain(session)
    # Read under the lock, never from the session's copy: another writer may have moved the head.
    head = session.get(AuditHead, 1, populate_existing=True)
    prev_seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    fields = {
        "seq": prev_seq + 1,
        "recorded_at": utcnow().isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "reason": reason,
        "before": canonical_json(before),
        "after": canonical_json(after),
        "classification": classification,
        "releasability": releasability,
    }
    digest = entry_hash(prev_hash, fields)
    entry = AuditEntry(**fields, prev_hash=prev_hash, hash=digest)
    session.add(entry)
    if head is None:
        session.add(AuditHead(id=1, seq=entry.seq, hash=digest))
    else:
        head.seq, head.hash = entry.seq, digest
    session.flush()
    return entry


def _lock_chain(session: Session) -> None:
    """Take the chain's write lock before the head is read, so that two writers never extend it
    from the same head. PostgreSQL: an advisory lock held to the end of the transaction. SQLite:
    a write to the head row begins the write transaction (the database's one writer lock), after
    which reads are of the latest committed head."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": advisory_key(session, _PG_AUDIT_LOCK)})
    else:
        session.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "first_bad_seq": self.first_bad_seq,
                "problem": self.problem}  # fmt: skip


def verify(session: Session) -> VerifyResult:
    """Walk the stored chain in order; name the first entry that does not fit."""
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000))
    head = session.get(AuditHead, 1)
    return check_chain((row[0] for row in rows), (head.seq, head.hash) if head else None)


def check_chain(entries: Iterable, head: tuple[int, str] | None) -> VerifyResult:
    """Check entries (in seq order, anything with the hashed fields, prev_hash and hash)."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"entry {expected_seq} is missing (next found is {entry.seq})")  # fmt: skip
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, checked, entry.seq,
                                f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                                "(removed or reordered entries)")  # fmt: skip
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry_hash(entry.prev_hash, fields) != entry.hash:
            return VerifyResult(False, checked, entry.seq, f"entry {entry.seq} was altered")
        expected_prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    last_seq = expected_seq - 1
    if head is not None and (head[0] != last_seq or head[1] != expected_prev):
        return VerifyResult(False, checked, last_seq + 1,
                            f"the chain ends at entry {last_seq} but its head says {head[0]} "
                            "(entries removed from the end)")  # fmt: skip
    if head is None and checked:
        return VerifyResult(False, checked, None, "the chain head is missing")
    return VerifyResult(True, checked)
