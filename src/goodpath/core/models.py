"""The declarative base and the marking every stored record carries."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import Boolean, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Classification(enum.IntEnum):
    UNCLASSIFIED = 0
    CONFIDENTIAL = 1
    SECRET = 2


RELEASABLE_TO_ALL = "ALL"
# Published list data: unclassified and releasable to everyone.
PUBLIC_MARKING = {"classification": "UNCLASSIFIED", "releasability": RELEASABLE_TO_ALL, "published": False}


class Marked:
    """Classification and releasability of a record.

    ``releasability`` is ``ALL`` or a comma-separated list of organization codes
    (e.g. ``USA`` or ``USA,CHN``). No marking means: releasable to the originating
    organization only.
    """

    classification: Mapped[str] = mapped_column(String(16), default="UNCLASSIFIED")
    releasability: Mapped[str | None] = mapped_column(String(200), default=None)
    originator: Mapped[str] = mapped_column(String(40), default="USA")
    # Shown to the public (no login): the recognition register, the stigma list, published reports.
    published: Mapped[bool] = mapped_column(Boolean, default=False)


def utcnow() -> datetime:
    return datetime.now(UTC)
