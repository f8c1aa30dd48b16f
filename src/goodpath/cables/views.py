"""API routes of stored cables: upload (files or zip archives), search, one cable with its links and
drafts, its versions and the acceptance of one, and the analyst's decision on a draft. Reads: any
logged-in user, filtered by the cables' classification and releasability; writes: engagement managers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.cables import drafts, ingest, review
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import Day, Key, RecordId
from goodpath.core.uploads import read_upload

router = APIRouter(tags=["cables"])
manage = require(Permission.MANAGE_ENGAGEMENT)


class ConfirmRequest(BaseModel):
    as_kind: Literal["pledge", "consultation"] | None = Field(None, description="Record a request as this")
    fields: dict[str, Any] = Field(default_factory=dict, description="Values replacing the proposed ones")


class DiscardRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


class AcceptRequest(BaseModel):
    note: str | None = Field(None, max_length=4000, description="Why this version is accepted (audited)")


VERSION_NUMBER = Path(ge=1, le=2**31 - 1, description="The version's number (1, 2, ...)")


@router.post("/cables", status_code=201)
async def upload_cables(
    files: list[UploadFile] = File(..., description="Cable files (raw, web-archive, cablegate HTML) or zip archives"),
    viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:
    """Store uploaded cables; one result per file (stored, pending_version, unchanged or refused, with why).
    A copy that differs from a stored cable is kept as a pending version: the stored cable is unchanged."""
    contents = []
    for upload in files:  # each file within its limit (413 past it), read off the event loop
        contents.append((upload.filename or "", await run_in_threadpool(read_upload, upload, "cables")))
    with invalid_as_422():
        results = ingest.ingest_upload(session, viewer, contents)
    outcomes = [r["outcome"] for r in results]
    return {"results": results, **{o: outcomes.count(o) for o in ingest.OUTCOMES}}


@router.get("/cables")
def list_cables(
    q: str | None = Query(None, max_length=400, description="Words that must all occur in the subject or text"),
    tag: str | None = Query(None, max_length=20),
    date_from: Day | None = Query(None, alias="from"),
    date_to: Day | None = Query(None, alias="to"),
    classification: str | None = Query(None, max_length=20),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    with invalid_as_422():
        rows = ingest.list_cables(session, viewer, q=q, tag=tag, date_from=date_from, date_to=date_to,
                                  classification=classification)  # fmt: skip
    return {"results": rows, "total": len(rows)}


@router.get("/cables/drafts")
def list_drafts(
    status: str | None = Query(None, max_length=20),
    kind: str | None = Query(None, max_length=20),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    with invalid_as_422():
        rows = drafts.list_drafts(session, viewer, status=status, kind=kind)
    return {"results": rows, "total": len(rows)}


@router.get("/cables/{reference_id}")
def show_cable(reference_id: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION):
    """A cable with its parsed record, linked organizations and drafts (404 if it cannot be read)."""
    return ingest.detail(session, viewer, reference_id)


@router.get("/cables/{reference_id}/versions")
def list_versions(reference_id: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """The cable's versions (current, pending, superseded), each with its diff summary against the current one."""
    rows = review.list_versions(session, viewer, reference_id)
    return {"results": rows, "total": len(rows)}


@router.post("/cables/{reference_id}/versions/{number}/accept")
def accept_version(
    reference_id: Key, number: int = VERSION_NUMBER, body: AcceptRequest | None = None,
    viewer: Viewer = Depends(manage), session: Session = SESSION,
) -> dict:  # fmt: skip
    """Make the version current: paragraphs, links and drafts derived from it again (decisions kept,
    drafts it no longer yields kept and flagged); the previous one superseded (409 if already current)."""
    with invalid_as_422():
        return review.accept_version(session, viewer, reference_id, number, note=(body or AcceptRequest()).note)


@router.post("/cables/drafts/{draft_id}/confirm")
def confirm_draft(
    draft_id: RecordId, body: ConfirmRequest | None = None, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Create the engagement record the draft proposes, citing its cable and paragraph (409 if decided)."""
    body = body or ConfirmRequest()
    with invalid_as_422():
        draft = drafts.confirm_draft(session, viewer, draft_id, as_kind=body.as_kind, **body.fields)
    return drafts.draft_dict(draft)


@router.post("/cables/drafts/{draft_id}/discard")
def discard_draft(
    draft_id: RecordId, body: DiscardRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    with invalid_as_422():
        return drafts.draft_dict(drafts.discard_draft(session, viewer, draft_id, body.reason))
