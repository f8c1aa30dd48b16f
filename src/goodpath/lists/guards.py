"""What keeps a list import from losing data: the removal guard and one import of a dataset at a time.

- A new version that delists more than the larger of ``removal_guard_min`` entries and
  ``removal_guard_share`` of the dataset (settings) is refused, with its change-set summary, unless
  removals are accepted: a file cut short or a sample under the full list's name looks just like that.
- Two imports of one dataset at once: the dataset is locked for the importing transaction
  (PostgreSQL: a transaction-level advisory lock, tried without waiting; SQLite: the database's
  write lock, taken early). The loser is refused naming the winner, whether the winner is still
  running or committed while the loser was reading its files; nothing of the loser is stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from goodpath.core.db import advisory_key
from goodpath.core.errors import Refused
from goodpath.core.settings import get_settings
from goodpath.lists.models import ListVersion

REMOVED_SHOWN = 20  # removed entries named in a refusal
LOCK_CLASS = 0x6770  # the first key of goodpath's list-import advisory locks ("gp")
LABEL = "goodpath import: "  # the application_name a PostgreSQL importer shows while it holds the lock


class RemovalsRefused(Refused):
    """The change-set delists more than the guard allows; ``details`` holds its summary."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.details = details


class ImportConflict(Refused):
    """Another import of the same dataset is running or committed meanwhile."""


def allowed_removals(listed: int) -> int:
    intake = get_settings().intake
    return max(intake.removal_guard_min, int(intake.removal_guard_share * listed))


def check_removals(
    dataset: str, *, listed: int, added: int, changed: int, unchanged: int, removed: list[tuple[str, str]],
    accept: bool,
) -> None:  # fmt: skip
    """Refuse (RemovalsRefused) a change-set delisting more than allowed, unless ``accept``."""
    allowed = allowed_removals(listed)
    if accept or len(removed) <= allowed:
        return
    shown = sorted(removed, key=lambda item: _natural(item[0]))[:REMOVED_SHOWN]
    details = {
        "dataset": dataset, "listed": listed, "allowed": allowed, "added": added, "removed": len(removed),
        "changed": changed, "unchanged": unchanged,
        "first_removed": [{"external_id": ext, "caption": caption} for ext, caption in shown],
    }  # fmt: skip
    more = f"\n  … and {len(removed) - len(shown):,} more" if len(removed) > len(shown) else ""
    names = "".join(f"\n  {ext}  {caption}" for ext, caption in shown)
    raise RemovalsRefused(
        f"{dataset}: this file would delist {len(removed):,} of {listed:,} listed entries, more than the "
        f"{allowed:,} allowed (the larger of {get_settings().intake.removal_guard_min} entries and "
        f"{get_settings().intake.removal_guard_share:.0%} of the dataset): it looks like a sample or a partial file.\n"
        f"change-set: {added:,} added, {len(removed):,} removed, {changed:,} changed, {unchanged:,} unchanged\n"
        f"first removed:{names}{more}\n"
        "Nothing was stored. Check that the file is complete, import a sample under its own --dataset name, "
        "or pass --accept-removals (API: accept_removals=true) if the list really shrank.",
        details,
    )


def _natural(external_id: str) -> tuple:
    """Sort key: numbers as numbers (OFAC entity 36 before 100)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", external_id))


# --- one import of a dataset at a time -----------------------------------------------------------


def lock_dataset(session: Session, dataset: str) -> None:
    """Hold ``dataset`` for this transaction, or raise ImportConflict naming who holds it."""
    if session.get_bind().dialect.name == "postgresql":
        key = advisory_key(session, f"list import {dataset}")
        if session.scalar(text("SELECT pg_try_advisory_xact_lock(:c, :k)"), {"c": LOCK_CLASS, "k": key}):
            return
        holder = session.execute(
            text(
                "SELECT a.application_name, a.xact_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid::bigint = :c AND l.objid::bigint = :k "
                "AND l.objsubid = 2 AND l.granted AND l.pid <> pg_backend_pid()"
            ),
            {"c": LOCK_CLASS, "k": key},
        ).first()
        who = holder[0].removeprefix(LABEL) if holder and (holder[0] or "").startswith(LABEL) else "by another user"
        since = f", started {_when(holder[1])}" if holder and holder[1] else ""
        raise ImportConflict(f"another import of {dataset} ({who}{since}) is running; try again when it is done")
    try:  # SQLite: one writer at a time; take the write lock now (waits for the busy timeout)
        session.execute(text("UPDATE list_version SET id = id WHERE 1 = 0"))
    except OperationalError as exc:
        if "locked" not in str(exc.orig):
            raise
        raise ImportConflict(
            f"another import of {dataset} (or another long write) has held the database for too long; try again"
        ) from None


def announce(session: Session, dataset: str, version: int, actor: str) -> None:
    """Show who imports which version while the lock is held (PostgreSQL: to a refused competitor)."""
    if session.get_bind().dialect.name == "postgresql":
        label = f"{LABEL}version {version} by {actor}"[:63]
        session.execute(text("SELECT set_config('application_name', :label, true)"), {"label": label})


def check_base(session: Session, dataset: str, base_version: int, latest: ListVersion | None) -> None:
    """Refuse when another import committed a version since this one read ``base_version``."""
    if latest is not None and latest.version != base_version:
        raise _committed(dataset, latest)


def committed_meanwhile(session: Session, dataset: str, seen: int) -> ImportConflict | None:
    """After a unique violation: the conflict with a version committed since ``seen``, if that is what it was.
    Read on a connection of its own, since the failed transaction may no longer answer."""
    with Session(session.get_bind()) as other:
        latest = other.scalars(
            select(ListVersion).where(ListVersion.dataset == dataset).order_by(ListVersion.version.desc()).limit(1)
        ).first()
        if latest is None or latest.version <= seen:
            return None
        return _committed(dataset, latest)


def _committed(dataset: str, latest: ListVersion) -> ImportConflict:
    return ImportConflict(
        f"another import of {dataset} (version {latest.version} by {latest.imported_by}, "
        f"imported {_when(latest.imported_at)}) was committed while this one was prepared; try again "
        f"(it will be compared with version {latest.version})"
    )


def _when(moment: datetime) -> str:
    """UTC, to the second (SQLite gives back naive UTC times)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
