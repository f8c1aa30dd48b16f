"""Screening review: analysts' dispositions of hits, the watched (screened) subjects, and the
alerts continuous re-screening raises on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodpath.core.models import Base, Marked, utcnow


class Disposition(Marked, Base):
    """An analyst's decision on one hit: the screened name (by its ``subject_key``) against one
    list entry. A false positive suppresses the hit while the entry's ``content_hash`` is unchanged."""

    __tablename__ = "screening_disposition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(600), index=True)  # see dispositions.subject_key
    name: Mapped[str] = mapped_column(String(500))  # as screened
    country: Mapped[str | None] = mapped_column(String(8))
    # The registry party of the hit (the listed party), not the screened subject.
    hit_party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("list_entry.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(120))
    verdict: Mapped[str] = mapped_column(String(20))  # true_match | false_positive
    reason: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))  # the entry's, when decided
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_seq: Mapped[int | None] = mapped_column(Integer)


class ScreenedSubject(Marked, Base):
    """A watched name, re-screened after every list import. Other modules register theirs
    (disclosed counterparties, case parties) under their own ``source`` label."""

    __tablename__ = "screened_subject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(600), index=True)
    name: Mapped[str] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(8))
    schema: Mapped[str | None] = mapped_column(String(20))
    # The subject's own registry party, when it is one (an engaged company).
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"), index=True)
    source: Mapped[str] = mapped_column(String(40), index=True)  # engaged-company, manual, ...
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_screened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # {hit party id: {entry_id, dataset, caption, matched_name, score, content_hash}}
    last_hits: Mapped[dict | None] = mapped_column(JSON)
    last_lists: Mapped[dict | None] = mapped_column(JSON)  # the receipt's list versions


class ScreeningAlert(Marked, Base):
    """A hit of a watched subject that is new, changed (score or list entry) or cleared since
    the subject's previous screening. Carries the subject's marking."""

    __tablename__ = "screening_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("screened_subject.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"), index=True)  # the subject's party
    kind: Mapped[str] = mapped_column(String(20))  # new | changed | cleared
    hit_party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("list_entry.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(120))
    caption: Mapped[str] = mapped_column(String(500))
    matched_name: Mapped[str | None] = mapped_column(String(500))
    score: Mapped[float | None] = mapped_column(Float)
    previous: Mapped[dict | None] = mapped_column(JSON)  # the hit as last screened, for changed/cleared
    hit: Mapped[dict | None] = mapped_column(JSON)  # the hit as now screened (features included)
    lists: Mapped[dict] = mapped_column(JSON)  # list versions screened against
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | acknowledged
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
