"""API routes of the pathway: a company's pathway, proposals and their decisions, the funnel.
Reads: any logged-in user, filtered by the records' markings. Proposing needs engagement.manage
(and the permission the transition names); approving and rejecting need the approver role (the service
refuses the proposer with 409); withdrawing is the proposer's."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, ExpectedVersion, Key, RecordId
from goodpath.pathway import proposals, register, timeline

router = APIRouter(tags=["pathway"])
manage = require(Permission.MANAGE_ENGAGEMENT)


approver = require(Permission.DECIDE_PROPOSALS)  # refusals logged and audited, as every permission's


class ReliefSpec(BaseModel):
    sanction_id: BodyId
    measure: str = Field(min_length=1, max_length=80)
    route_code: str = Field(min_length=1, max_length=40)


class ProposalRequest(BaseModel):
    to_stage: str | None = Field(None, max_length=40, description="The stage to go to (not for a relief)")
    relief: ReliefSpec | None = Field(None, description="A relief: sanction, measure and route")
    rationale: str = Field(min_length=1, max_length=4000)
    evidence: list[str | dict] = Field(default_factory=list, description="Evidence references")
    effective_on: str | None = Field(None, description="YYYY-MM-DD; default today")
    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400)
    statement: dict[str, str] | None = Field(
        None, description=f'The public statement {{"en", "zh"}} (both) for {", ".join(register.templates())}'
    )
    conditions: list[str] | None = Field(
        None, description="A relief's conditions (codes of pathway/data/conditions.yaml); default: the standard set"
    )


class DecisionRequest(BaseModel):
    note: str | None = Field(None, max_length=4000, description="Required to reject")


@router.get("/pathway/funnel")
def pathway_funnel(
    today: str | None = Query(None, description="Count current stays up to this day (YYYY-MM-DD)"),
    include_illustrative: bool = Query(False, description="Count the illustrative (fictional) companies too"),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """How many companies stand at each stage, and the days spent per stage (illustrative companies apart)."""
    with invalid_as_422():
        return timeline.funnel(session, viewer, today=today, include_illustrative=include_illustrative)


@router.get("/pathway/{party}")
def get_pathway(party: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """The company's stage, reliefs, pending proposals, next steps and timeline."""
    return timeline.pathway(session, viewer, party)


class EnrollRequest(BaseModel):
    on: str | None = Field(None, description="YYYY-MM-DD; default today")
    note: str | None = Field(None, max_length=4000, description="Why the company is put on the pathway")


@router.post("/pathway/{party}/enroll", status_code=201)
def enroll(party: Key, body: EnrollRequest, viewer: Viewer = Depends(manage), session: Session = SESSION) -> dict:
    """Put a sanctioned company on the pathway (stage 'sanctioned'), so breach detection watches it."""
    with invalid_as_422():
        proposals.enroll(session, viewer, party, on=body.on, note=body.note)
    return timeline.pathway(session, viewer, party)


@router.post("/pathway/{party}/proposals", status_code=201)
def propose(party: Key, body: ProposalRequest, viewer: Viewer = Depends(manage), session: Session = SESSION) -> dict:
    """Propose a step or a relief: applied at once unless a second approver is required."""
    fields = body.model_dump()
    with invalid_as_422():
        proposal = proposals.propose(session, viewer, party, **fields)
    return timeline.proposal_row(proposal)


def _decision(
    action, proposal_id: int, body: DecisionRequest | None, viewer: Viewer, session: Session, expected: int | None
) -> dict:
    with invalid_as_422():
        decided = action(session, viewer, proposal_id, (body.note if body else None), expected_version=expected)
    return timeline.proposal_row(decided)


@router.post("/pathway/proposals/{proposal_id}/approve")
def approve(
    proposal_id: RecordId, expected: ExpectedVersion, body: DecisionRequest | None = None,
    viewer: Viewer = Depends(approver), session: Session = SESSION,
) -> dict:  # fmt: skip
    """Approve and apply a pending proposal: an approver who is not its proposer (with If-Match, 409
    if the proposal has changed since that version)."""
    return _decision(proposals.approve, proposal_id, body, viewer, session, expected)


@router.post("/pathway/proposals/{proposal_id}/reject")
def reject(
    proposal_id: RecordId, body: DecisionRequest, expected: ExpectedVersion, viewer: Viewer = Depends(approver),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Reject a pending proposal, saying why: an approver who is not its proposer (with If-Match, 409
    if the proposal has changed since that version)."""
    return _decision(proposals.reject, proposal_id, body, viewer, session, expected)


@router.post("/pathway/proposals/{proposal_id}/withdraw")
def withdraw(
    proposal_id: RecordId, expected: ExpectedVersion, body: DecisionRequest | None = None,
    viewer: Viewer = Depends(require_login), session: Session = SESSION,
) -> dict:  # fmt: skip
    """Withdraw a pending proposal: its proposer only (with If-Match, 409 if the proposal has changed
    since that version)."""
    return _decision(proposals.withdraw, proposal_id, body, viewer, session, expected)
