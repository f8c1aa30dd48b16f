"""API routes of pledges and the evidence of their fulfilment.
Reads: any logged-in user, filtered by the records' markings; writes: engagement managers.
Lists answer JSON ``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, Day, ExpectedVersion, QueryId, RecordId
from goodpath.engagement import pledges
from goodpath.engagement.interfaces import LISTS, Format, Lists, Marking

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)


class PledgeRequest(Marking):
    pledged_by: str = Field(min_length=1, max_length=200)
    pledged_to: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=4000)
    made_on: str | None = None
    owner: str | None = Field(None, max_length=200)
    due_on: str | None = None
    round_id: BodyId | None = None
    meeting_id: BodyId | None = None
    party_id: str | None = Field(None, max_length=24)


class EvidenceRequest(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    source: str | None = Field(None, max_length=500)
    occurred_on: str | None = None


class PledgeStatusRequest(BaseModel):
    status: Literal["fulfilled", "broken", "withdrawn"]
    note: str | None = Field(None, max_length=4000, description="Required to mark it broken")
    evidence: str | None = Field(None, max_length=4000, description="Evidence of fulfilment, if not added before")
    evidence_source: str | None = Field(None, max_length=500)
    occurred_on: str | None = None
    source: str | None = Field(None, max_length=1000)


@router.get("/pledges", response_model=None)
def list_pledges(
    status: str | None = Query(None, max_length=20),
    overdue: bool = False,
    owner: str | None = Query(None, max_length=200),
    party_id: str | None = Query(None, max_length=24),
    round_id: QueryId = None,
    today: Day | None = None,
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
):
    """Pledges, each flagged overdue when open past its due date."""
    with invalid_as_422():
        rows = pledges.list_pledges(session, viewer, status=status, overdue=overdue, owner=owner, party_id=party_id,
                                    round_id=round_id, today=today)  # fmt: skip
    return listing.answer(rows, format, "pledges")


@router.post("/pledges", status_code=201)
def create_pledge(body: PledgeRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    with invalid_as_422():
        pledge = pledges.create(session, viewer, **body.model_dump())
    return pledges.row(pledge)


@router.get("/pledges/{pledge_id}")
def show_pledge(
    pledge_id: RecordId, today: Day | None = None, viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    return pledges.detail(session, viewer, pledge_id, today)


@router.post("/pledges/{pledge_id}/evidence")
def add_pledge_evidence(
    pledge_id: RecordId, body: EvidenceRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    with invalid_as_422():
        pledge = pledges.add_evidence(session, viewer, pledge_id, **body.model_dump())
    return pledges.row(pledge)


@router.post("/pledges/{pledge_id}/status")
def pledge_status(
    pledge_id: RecordId, body: PledgeStatusRequest, expected: ExpectedVersion, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Fulfil (needs evidence), break (needs a note) or withdraw an open pledge; with If-Match, 409 if
    the pledge has changed since that version."""
    with invalid_as_422():
        pledges.set_status(session, viewer, pledge_id, **body.model_dump(), expected_version=expected)
        return pledges.detail(session, viewer, pledge_id)
