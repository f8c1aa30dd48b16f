"""API routes of ICP assessments: the rubric, assessments and their scores, the evidence they give.

Reads: any logged-in user, filtered by the records' markings (a company officer sees their own
company's records only). Writes: engagement.manage.
Lists answer JSON ``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import Key, RecordId
from goodpath.engagement import icp
from goodpath.engagement.interfaces import LISTS, CompanyMarking, Format, Lists

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)


class AssessmentRequest(CompanyMarking):
    party_id: str = Field(min_length=1, max_length=24)
    framework: str = Field(description="eu-2019-1318 or bis-ecg")
    assessed_on: str | None = Field(None, description="YYYY-MM-DD; default today")


class ScoreRequest(BaseModel):
    element: str = Field(max_length=40, description="The rubric's element code, e.g. EU-4")
    score: int = Field(description="0 absent, 1 initial, 2 established, 3 effective")
    evidence: str = Field(max_length=20000, description="Required")
    expected_stamp: str | None = Field(
        None, max_length=40,
        description="The element's `stamp` as read (\"\" if it was unscored): 409 if it was scored since",
    )  # fmt: skip


class FinalizeRequest(BaseModel):
    occurred_on: str | None = None
    note: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=1000)


@router.get("/icp/rubric")
def icp_rubric(framework: str | None = None, viewer: Viewer = Depends(require_login)) -> list[dict]:
    """The frameworks' elements with citations and guidance questions."""
    with invalid_as_422():
        return icp.rubric(framework)


@router.post("/icp/assessments", status_code=201)
def start_assessment(body: AssessmentRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Start a draft assessment of a company's ICP, with you as assessor."""
    with invalid_as_422():
        assessment = icp.start_assessment(
            session, viewer, body.party_id, body.framework, assessed_on=body.assessed_on,
            classification=body.classification, releasability=body.releasability, share_with=body.share_with,
            source=body.source,
        )  # fmt: skip
    return icp.assessment_to_dict(session, viewer, assessment)


@router.get("/icp/assessments")
def list_assessments(
    party_id: str | None = Query(None, max_length=24),
    framework: str | None = None,
    format: Format = None,  # noqa: A002 - the query parameter's name
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """Assessments over time, newest first, with per-element scores."""
    with invalid_as_422():
        rows = icp.list_assessments(session, viewer, party_id=party_id, framework=framework)
    return listing.answer(rows, format, "icp-assessments")


@router.get("/icp/assessments/{assessment_id}")
def show_assessment(assessment_id: RecordId, viewer: Viewer = Depends(require_login), session: Session = SESSION):
    return icp.assessment_to_dict(session, viewer, icp.get_assessment(session, viewer, assessment_id))


@router.post("/icp/assessments/{assessment_id}/scores")
def score_element(
    assessment_id: RecordId, body: ScoreRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
):
    """Score one element with evidence (re-scoring replaces it); a final assessment answers 409."""
    with invalid_as_422():
        icp.score_element(session, viewer, assessment_id, body.element, body.score, body.evidence,
                          expected_stamp=body.expected_stamp)  # fmt: skip
    return icp.assessment_to_dict(session, viewer, icp.get_assessment(session, viewer, assessment_id))


@router.post("/icp/assessments/{assessment_id}/finalize")
def finalize_assessment(
    assessment_id: RecordId,
    body: FinalizeRequest,
    viewer: Viewer = Depends(manage),
    session: Session = SESSION,
):
    """Finalize when every element is scored (409 naming the missing ones); final is immutable."""
    with invalid_as_422():
        assessment = icp.finalize(session, viewer, assessment_id, occurred_on=body.occurred_on, note=body.note,
                                  source=body.source)  # fmt: skip
    return icp.assessment_to_dict(session, viewer, assessment)


@router.get("/icp/evidence/{party_id}")
def icp_evidence(
    party_id: Key,
    threshold: float = Query(icp.DEFAULT_THRESHOLD, ge=0, le=1),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """The latest final score per framework and whether it meets ``threshold`` ("ICP established")."""
    return icp.icp_evidence(session, viewer, party_id, threshold=threshold)
