"""API routes for the follow-up work after commits (core/followups.py): what is pending, running or
failed, with its error and next try, and retrying failed ones. Administrators alone
(``followups.manage``): a follow-up's payload, result and error name records of any marking."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from goodpath.access import followups
from goodpath.access.deps import require
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Limit, RecordId

router = APIRouter(tags=["followups"])

ADMINISTRATOR = Depends(require(Permission.MANAGE_FOLLOWUPS))


@router.get("/followups")
def list_followups(
    status: Literal["pending", "running", "failed", "done"] | None = Query(
        None, description="Only the follow-ups of this status"
    ),
    include_done: bool = Query(False, description="The latest done ones too (when no status is given)"),
    limit: Limit = 100,
    viewer: Viewer = ADMINISTRATOR,
    session: Session = SESSION,
) -> dict:
    """Follow-ups (events and the reactions to them), the latest ``limit``, oldest first: kind, reaction,
    payload, status, attempts, last error, next try (``run_after``) and result. ``total`` counts them all."""
    return followups.listing(session, viewer, status=status, include_done=include_done, limit=limit)


@router.post("/followups/retry")
def retry_all_failed(viewer: Viewer = ADMINISTRATOR, session: Session = SESSION) -> dict:
    """Every failed follow-up is pending again (its attempts start over) and runs right after this request."""
    return followups.retry_failed(session, viewer)


@router.post("/followups/{followup_id}/retry")
def retry_followup(followup_id: RecordId, viewer: Viewer = ADMINISTRATOR, session: Session = SESSION) -> dict:
    """A failed follow-up is pending again (its attempts start over) and runs right after this request;
    409 unless it failed."""
    return followups.retry(session, viewer, followup_id)
