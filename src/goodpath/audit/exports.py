"""Exports and downloads of records, audited: who took what, how many rows, at what marking.

Every list export (``?format=csv|xlsx`` over the API, ``--export`` in the CLI), every evidence
download and every download of batch screening results writes one audit entry (action
``export.download``, target the list or file): the actor, what was asked (the route or the command),
the format, the row count and the highest marking among the rows. The entry carries that marking
itself (classification the highest, releasability the organizations every row is released to), so
only those cleared for the rows see what was taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer
from goodpath.core import audit_log
from goodpath.core.audit_log import AuditEntry
from goodpath.core.models import RELEASABLE_TO_ALL, Classification

ACTION = "export.download"


@dataclass(frozen=True)
class Marking:
    classification: str = Classification.UNCLASSIFIED.name
    releasability: str = RELEASABLE_TO_ALL

    def as_dict(self) -> dict:
        return {"classification": self.classification, "releasability": self.releasability}


def highest_marking(markings: Iterable[Mapping], fallback_organization: str | None) -> Marking:
    """The highest classification among ``markings`` (mappings with ``classification``,
    ``releasability`` and ``originator``; rows without one count as UNCLASSIFIED, releasable to all)
    and the organizations every one of them is released to (``ALL`` when all are)."""
    level = Classification.UNCLASSIFIED
    common: set[str] | None = None
    for row in markings:
        name = row.get("classification")
        if name in Classification.__members__:
            level = max(level, Classification[name])
        if "releasability" not in row and "classification" not in row:
            continue  # not a marked record (a count, a derived row): releasable as its list is
        releasability = row.get("releasability")
        if releasability == RELEASABLE_TO_ALL:
            continue
        codes = set(releasability.split(",")) if releasability else {row.get("originator") or ""}
        common = codes if common is None else common & codes
    if common is None:
        return Marking(level.name, RELEASABLE_TO_ALL)
    common.discard("")
    return Marking(level.name, ",".join(sorted(common)) or (fallback_organization or "NONE"))


def record_export(
    session: Session,
    viewer: Viewer,
    *,
    what: str,
    fmt: str,
    rows: int,
    marking: Marking,
    target_type: str = "export",
    target_id: str | None = None,
) -> AuditEntry:
    """One audit entry for one export or download, in the caller's transaction."""
    return audit_log.record(
        session, actor=viewer.actor, action=ACTION, target_type=target_type, target_id=target_id,
        after={"what": what, "format": fmt, "rows": rows, "marking": marking.as_dict()},
        classification=marking.classification, releasability=marking.releasability,
    )  # fmt: skip


def record_rows(session: Session, viewer: Viewer, *, what: str, fmt: str, rows: list[Mapping], name: str) -> None:
    """Audit the export of ``rows`` (dicts of records) as the list ``name``."""
    marking = highest_marking(rows, viewer.organization)
    record_export(session, viewer, what=what, fmt=fmt, rows=len(rows), marking=marking, target_id=name)
