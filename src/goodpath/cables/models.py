"""Stored cables, their versions, their organizations linked to registry parties, and the drafts
found in them.

A stored cable carries its own classification (so the access policy applies to it like to any
record); its versions, links and drafts carry the cable's marking, so they are never shown to someone
who cannot read the cable. ``data`` is the parsed cable as ``goodpath cables parse --json`` prints it:
the cable row holds its *current* version's, for search and display; every copy ever ingested is a
``CableVersion`` (current, pending or superseded) with its file's bytes, so nothing stored is ever
replaced by less without an analyst accepting it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from goodpath.core.models import Base, Marked, utcnow


class StoredCable(Marked, Base):
    __tablename__ = "cable"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_id: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. 07BEIJING1900
    date_time_group: Mapped[str | None] = mapped_column(String(40))
    created: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The cable's day: ``created`` when the copy states it, else the DTG's day (for date filters).
    dated: Mapped[date | None] = mapped_column(Date, index=True)
    caveats: Mapped[list] = mapped_column(JSON, default=list)
    origin: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # ",PREL,PARM,": the tags in a column a LIKE can filter on, the same on SQLite and PostgreSQL.
    tag_index: Mapped[str] = mapped_column(String(400), default="")
    data: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")  # the paragraphs, for full-text search
    content_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str | None] = mapped_column(String(300))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class CableVersion(Marked, Base):
    """One copy of a cable as ingested (or re-derived by ``cables reparse``): its file's bytes, what
    the parser read from them and the parser's warnings. Exactly one version of a cable is
    ``current`` (the cable row and its links and drafts are derived from it); a copy that differs
    from it waits as ``pending`` until an analyst accepts it; an accepted version's predecessor
    becomes ``superseded`` and stays readable. Marked like the cable, at the classification its
    own text states."""

    __tablename__ = "cable_version"
    __table_args__ = (
        UniqueConstraint("cable_id", "number"),
        # One current version per cable, whatever two analysts do at the same moment.
        Index(
            "uq_cable_version_one_current",
            "cable_id",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[int] = mapped_column(ForeignKey("cable.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per cable
    status: Mapped[str] = mapped_column(String(20))  # current, pending, superseded
    origin: Mapped[str] = mapped_column(String(20))  # ingest, reparse, migration
    # SHA-256 of the file's bytes with line endings as LF; None: a version migrated without its file.
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    data_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the parsed record (canonical JSON)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # the file as received
    data: Mapped[dict] = mapped_column(JSON)
    paragraph_count: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    source_name: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_by: Mapped[str | None] = mapped_column(String(120))  # who made it current
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CableLink(Marked, Base):
    """An organization the cable mentions, linked to a registry party by screening, or unlinked."""

    __tablename__ = "cable_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[int] = mapped_column(ForeignKey("cable.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))  # as the extractor names it
    kind: Mapped[str | None] = mapped_column(String(40))  # company, government, ...
    forms: Mapped[list] = mapped_column(JSON, default=list)  # as written in the cable
    paragraphs: Mapped[list] = mapped_column(JSON, default=list)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id", ondelete="SET NULL"), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    matched_name: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))  # linked, unlinked


class CableDraft(Marked, Base):
    """A pledge, proposed consultation or request found in a paragraph, awaiting an analyst.

    Nothing drafted counts as an engagement record until confirmed; confirming creates the
    record and keeps its type and id here."""

    __tablename__ = "cable_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cable_id: Mapped[int] = mapped_column(ForeignKey("cable.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # pledge, consultation, request
    paragraph: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)  # the sentence
    rule: Mapped[str] = mapped_column(String(80))  # the phrase that found it, e.g. "pledged to"
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # proposed values of the record
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, confirmed, discarded
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)  # why it was discarded
    confirmed_record_type: Mapped[str | None] = mapped_column(String(40))
    confirmed_record_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(80))  # e.g. "07BEIJING5360 ¶5"
    # The version that, made current, no longer yielded this draft (kept, never deleted); None: yielded.
    stale_since_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
