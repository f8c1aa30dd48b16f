"""Records through the access policy: the marking of a record a viewer makes, reading only what the
viewer may read, a record's history as the viewer may see it, and permission checks with the words a
user understands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, can_read, level, read_filter
from goodpath.core.api_types import ID_MAX
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import canonical_releasability
from goodpath.core.models import Classification
from goodpath.core.workflow import StatusEvent

PERMISSION_WORDS = {
    Permission.MANAGE_ENGAGEMENT: "manage engagement records",
    Permission.RESPOND_CASES: "respond to cases for the partner government",
    Permission.SUBMIT_DISCLOSURES: "submit disclosures",
    Permission.MANAGE_FOLLOWUPS: "manage follow-up work (administrators)",
    Permission.IMPORT_LISTS: "import sanctions lists",
    Permission.EDIT_REGISTRY: "edit the registry",
    Permission.REVIEW_SCREENING: "review screening results",
    Permission.SCREEN_BATCH: "screen files of names",
    Permission.VERIFY_AUDIT: "verify the audit log",
}


def require(viewer: Viewer, *permissions: Permission) -> None:
    """Refuse unless the viewer holds one of ``permissions``."""
    if not any(can(viewer, p) for p in permissions):
        raise Refused(f"you do not have permission to {PERMISSION_WORDS.get(permissions[0], permissions[0].value)}")


def marking(
    viewer: Viewer,
    classification: str | None = None,
    releasability: str | None = None,
    *,
    share_with: Iterable[str] = (),
    published: bool = False,
) -> dict:
    """The marking of a record ``viewer`` makes. Default: UNCLASSIFIED, releasable to the
    viewer's organization plus ``share_with`` (e.g. the partner government of a case).
    Nobody can mark a record above their own clearance (they could not read it back)."""
    classification = (classification or "UNCLASSIFIED").strip().upper()
    if classification not in Classification.__members__:
        raise GoodpathError(
            f"classification must be one of {', '.join(Classification.__members__)}, not {classification!r}"
        )
    if level(classification) > viewer.clearance:
        raise GoodpathError(f"you cannot mark a record {classification}: above your clearance")
    originator = viewer.organization or "USA"
    return {
        "classification": classification,
        "releasability": canonical_releasability(releasability, [originator, *share_with]),
        "originator": originator,
        "published": published,
    }


def get_readable(session: Session, viewer: Viewer, model, record_id: Any, what: str):
    """The record, or NotFound: a record the viewer may not read does not exist for them (nor does an
    id no database could store: above 2^63-1, an OverflowError on SQLite)."""
    out_of_range = isinstance(record_id, int) and not 1 <= record_id <= ID_MAX
    record = session.get(model, record_id) if record_id is not None and not out_of_range else None
    if record is None or not can_read(viewer, record):
        raise NotFound(f"no {what} {record_id!r}")
    return record


def readable(session: Session, viewer: Viewer, model):
    """A SELECT of ``model`` filtered to what the viewer may read."""
    return select(model).where(read_filter(viewer, model))


def history(session: Session, viewer: Viewer, record_type: str, record_id: int) -> list[dict]:
    rows = session.scalars(
        select(StatusEvent)
        .where(StatusEvent.record_type == record_type, StatusEvent.record_id == record_id)
        .where(read_filter(viewer, StatusEvent))
        .order_by(StatusEvent.occurred_on, StatusEvent.id)
    )
    return [
        {
            "from": e.from_status,
            "to": e.to_status,
            "on": e.occurred_on.isoformat(),
            "by": e.recorded_by,
            "note": e.note,
            "source": e.source,
        }  # fmt: skip
        for e in rows
    ]
