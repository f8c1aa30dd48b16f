"""API routes for work on records (``access.work``): the caller's work with what is overdue, assigning
a case, alert, pledge or proposal with a due date, and its threaded, marked comments. A record the
caller may not read answers 404 (as does a record type without work); assigning and commenting need
the record type's permission (403)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access import work
from goodpath.access.deps import record_denial, require_login
from goodpath.access.policy import Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, RecordId

router = APIRouter(tags=["work"])

LOGGED_IN = Depends(require_login)


class AssignIn(BaseModel):
    assignee: str = Field(max_length=64, description="The assignee's username")
    due_on: date | None = Field(None, description="Due day (a past day makes the work overdue)")
    note: str | None = Field(None, max_length=1000, description="What is expected")


class CommentIn(BaseModel):
    body: str = Field(max_length=4000, description="The comment")
    parent_id: BodyId | None = Field(None, description="The comment this one answers (same record)")
    classification: str | None = Field(None, max_length=16, description="Default: the record's; never above it")
    releasability: str | None = Field(
        None, max_length=200, description="ALL or organization codes; default: the record's"
    )


def _may_work(request: Request, session: Session, viewer: Viewer, record_type: str, record_id: int) -> None:
    """404 unless the viewer may read the record; then 403 (audited) unless they may work on it."""
    work.get_record(session, viewer, record_type, record_id)
    if not work.may_work(viewer, record_type):
        record_denial(session, request, viewer, "access.denied", work.work_type(record_type).permission.value)
        raise HTTPException(403, f"you do not have permission to work on {work.work_type(record_type).what}s")


@router.get("/worklist/mine")
def my_work(include_done: bool = False, viewer: Viewer = LOGGED_IN, session: Session = SESSION) -> dict:
    """What is assigned to the caller and they may read, overdue first (``overdue`` counts it); work on
    records that are over (a closed case, a decided proposal) only with ``include_done``."""
    return work.my_work(session, viewer, include_done=include_done)


@router.get("/worklist/{record_type}/{record_id}")
def work_on(record_type: str, record_id: RecordId, viewer: Viewer = LOGGED_IN, session: Session = SESSION) -> dict:
    """A record's assignment and comments (those the caller may read), and whom it may be assigned to."""
    return work.work_on(session, viewer, record_type, record_id)


@router.post("/worklist/{record_type}/{record_id}/assign")
def assign(
    record_type: str, record_id: RecordId, body: AssignIn, request: Request, viewer: Viewer = LOGGED_IN,
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Assign the record (replacing any earlier assignment) to an active user who may read it and work on
    it; audited as ``work.assigned`` or ``work.reassigned``."""
    _may_work(request, session, viewer, record_type, record_id)
    with invalid_as_422():
        return work.assign(session, viewer, record_type, record_id, body.assignee, body.due_on, body.note)


@router.delete("/worklist/{record_type}/{record_id}/assign")
def unassign(
    record_type: str, record_id: RecordId, request: Request, viewer: Viewer = LOGGED_IN, session: Session = SESSION
) -> dict:
    """End the record's assignment (422 when it has none); audited as ``work.unassigned``."""
    _may_work(request, session, viewer, record_type, record_id)
    with invalid_as_422():
        return work.unassign(session, viewer, record_type, record_id)


@router.get("/worklist/{record_type}/{record_id}/comments")
def list_comments(
    record_type: str, record_id: RecordId, viewer: Viewer = LOGGED_IN, session: Session = SESSION
) -> list[dict]:
    """The record's comments the caller may read, threaded (replies after what they answer, ``depth``)."""
    return work.comments(session, viewer, record_type, record_id)


@router.post("/worklist/{record_type}/{record_id}/comments", status_code=201)
def add_comment(
    record_type: str, record_id: RecordId, body: CommentIn, request: Request, viewer: Viewer = LOGGED_IN,
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """A comment (or a reply) on the record, marked by its author (default: as the record; never above
    their clearance nor beyond the record's marking); audited as ``work.commented``."""
    _may_work(request, session, viewer, record_type, record_id)
    with invalid_as_422():
        return work.comment(session, viewer, record_type, record_id, body.body, classification=body.classification,
                            releasability=body.releasability, parent_id=body.parent_id)  # fmt: skip
