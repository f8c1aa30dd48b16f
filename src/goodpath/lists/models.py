"""Imported lists: each dataset's versions with their change-sets, and the import jobs of the API.
The entries themselves are the registry's (``registry.models.ListEntry``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from goodpath.core.models import Base, Marked, utcnow


class ListVersion(Marked, Base):
    __tablename__ = "list_version"
    __table_args__ = (UniqueConstraint("dataset", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(120))
    source_hash: Mapped[str] = mapped_column(String(64), index=True)
    files: Mapped[list] = mapped_column(JSON)  # [{path, sha256, size}]
    list_published_at: Mapped[str | None] = mapped_column(String(40))  # as the list states it
    entities: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    unknown_fields: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[list] = mapped_column(JSON, default=list)
    # [{external_id, caption, change: added|removed|changed, fields: {...}}]
    changeset: Mapped[list] = mapped_column(JSON, default=list)
    audit_seq: Mapped[int | None] = mapped_column(Integer)
    # The earlier version whose files this one imported again (``--restore``), else None.
    restored_from: Mapped[int | None] = mapped_column(Integer)


class ListImportJob(Base):
    """A list import started over the API: its uploaded files are imported in the background."""

    __tablename__ = "list_import_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: not guessable
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    filenames: Mapped[list] = mapped_column(JSON)  # as uploaded (base names)
    format: Mapped[str] = mapped_column(String(20))
    dataset: Mapped[str | None] = mapped_column(String(120), index=True)  # None: the file names it (FtM)
    accept_removals: Mapped[bool] = mapped_column(Boolean, default=False)
    restore: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued running done failed refused interrupted
    result: Mapped[dict | None] = mapped_column(JSON)  # the import's result, or a refusal's details
    error: Mapped[str | None] = mapped_column(Text)  # why it failed or was refused
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
