"""API routes of consultations (tracks and rounds), pledges and cooperation projects.
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
from goodpath.core.api_types import BodyId, Day, QueryId, RecordId
from goodpath.core.fields import to_dict
from goodpath.engagement import consultations, pledges, projects
from goodpath.engagement.interfaces import LISTS, Lists

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)
Format = Literal["csv", "xlsx"] | None


class Marking(BaseModel):
    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400, description="ALL or codes, e.g. USA,CHN")
    source: str | None = Field(None, max_length=1000, description='Citation, e.g. "07BEIJING1900 ¶4"')


# --- consultations ---------------------------------------------------------------------------


class ConsultationRequest(Marking):
    title: str = Field(min_length=1, max_length=300)
    level: str = Field(description=", ".join(consultations.LEVELS))
    counterpart: str = Field(max_length=8, description="The partner government, e.g. CHN")
    cadence_months: int | None = Field(None, description="Planned interval between rounds (twice a year: 6)")
    notes: str | None = Field(None, max_length=4000)
    occurred_on: str | None = Field(None, description="When the track started (YYYY-MM-DD)")


class ConsultationStatusRequest(BaseModel):
    status: Literal["active", "suspended", "ended"]
    cause: str | None = Field(None, max_length=4000, description="Required to suspend")
    offered_by: str | None = Field(None, max_length=300, description="On resumption: who offered it")
    occurred_on: str | None = None
    source: str | None = Field(None, max_length=1000)


class RoundPlanRequest(Marking):
    scheduled_on: str
    place: str | None = Field(None, max_length=200)
    agenda: list[str] = Field(default_factory=list)
    participants: list[dict] = Field(default_factory=list, description='[{"side", "name", "title"}]')
    occurred_on: str | None = Field(None, description="When it was planned")


class RoundRecordRequest(BaseModel):
    held: bool = Field(True, description="false: the round was cancelled")
    held_on: str | None = Field(None, description="Default: its scheduled date")
    place: str | None = Field(None, max_length=200)
    participants: list[dict] | None = None
    agenda: list[str] | None = None
    outcome: str | None = Field(None, max_length=8000)
    note: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=1000)


@router.get("/consultations", response_model=None)
def list_consultations(
    status: str | None = Query(None, max_length=20),
    counterpart: str | None = Query(None, max_length=8),
    level: str | None = Query(None, max_length=40),
    overdue: bool = False,
    today: Day | None = Query(None, description="Evaluate the overdue flag on this day"),
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
):
    """Consultation tracks with their overdue flag (active and past the cadence since the last round)."""
    with invalid_as_422():
        rows = consultations.list_consultations(
            session, viewer, status=status, counterpart=counterpart, level=level, overdue_only=overdue, today=today
        )
    return listing.answer(rows, format, "consultations")


@router.post("/consultations", status_code=201)
def create_consultation(
    body: ConsultationRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    with invalid_as_422():
        track = consultations.create(session, viewer, **body.model_dump())
    return consultations.row(track)


@router.get("/consultations/metrics")
def consultation_metrics(
    consultation_id: QueryId = None,
    counterpart: str | None = Query(None, max_length=8),
    today: Day | None = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Rounds held, scheduled and expected by the cadence (while active), per year."""
    with invalid_as_422():
        return consultations.metrics(
            session, viewer, consultation_id=consultation_id, counterpart=counterpart, today=today
        )


@router.get("/consultations/{consultation_id}")
def show_consultation(
    consultation_id: RecordId,
    today: Day | None = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """A track with its rounds and history."""
    return consultations.detail(session, viewer, consultation_id, today)


@router.post("/consultations/{consultation_id}/status")
def consultation_status(
    consultation_id: RecordId,
    body: ConsultationStatusRequest,
    viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:
    """Suspend (with its cause), resume (optionally: who offered it) or end a track."""
    with invalid_as_422():
        consultations.set_status(session, viewer, consultation_id, **body.model_dump())
        return consultations.detail(session, viewer, consultation_id)


@router.post("/consultations/{consultation_id}/rounds", status_code=201)
def plan_round(
    consultation_id: RecordId, body: RoundPlanRequest, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    with invalid_as_422():
        planned = consultations.plan_round(session, viewer, consultation_id, **body.model_dump())
    return consultations.round_dict(planned)


@router.post("/consultations/rounds/{round_id}/record")
def record_round(
    round_id: RecordId, body: RoundRecordRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Record a planned round as held (refused while the track was suspended) or cancelled."""
    with invalid_as_422():
        recorded = consultations.record_round(session, viewer, round_id, **body.model_dump())
    return consultations.round_dict(recorded)


# --- pledges -----------------------------------------------------------------------------------


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
    pledge_id: RecordId, body: PledgeStatusRequest, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Fulfil (needs evidence), break (needs a note) or withdraw an open pledge."""
    with invalid_as_422():
        pledges.set_status(session, viewer, pledge_id, **body.model_dump())
        return pledges.detail(session, viewer, pledge_id)


# --- cooperation projects ----------------------------------------------------------------------


class ProjectRequest(Marking):
    title: str = Field(min_length=1, max_length=300)
    kind: str = Field(description=", ".join(projects.KINDS))
    description: str | None = Field(None, max_length=8000)
    proposed_by: str | None = Field(None, max_length=200)
    start_on: str | None = None
    end_on: str | None = None
    participants: list[dict | str] = Field(default_factory=list, description='[{"name", "organization", "role"}]')
    occurred_on: str | None = Field(None, description="When it was proposed")
    share_with: list[str] = Field(default_factory=list, description="Organizations to share it with, e.g. CHN")


class ProjectStatusRequest(BaseModel):
    status: Literal["proposed", "agreed", "active", "completed", "suspended", "cancelled", "resume"] = Field(
        description="resume: back to the state the project was suspended from"
    )
    cause: str | None = Field(None, max_length=4000, description="Required to suspend")
    occurred_on: str | None = None
    source: str | None = Field(None, max_length=1000)


@router.get("/projects", response_model=None)
def list_projects(
    status: str | None = Query(None, max_length=20),
    kind: str | None = Query(None, max_length=20),
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
):
    with invalid_as_422():
        rows = projects.list_projects(session, viewer, status=status, kind=kind)
    return listing.answer(rows, format, "projects")


@router.post("/projects", status_code=201)
def create_project(body: ProjectRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    with invalid_as_422():
        project = projects.create(session, viewer, **body.model_dump())
    return to_dict(project)


@router.get("/projects/{project_id}")
def show_project(project_id: RecordId, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    return projects.detail(session, viewer, project_id)


@router.post("/projects/{project_id}/status")
def project_status(
    project_id: RecordId, body: ProjectStatusRequest, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Advance, suspend (with a cause), resume (to the state it was suspended from) or cancel."""
    with invalid_as_422():
        if body.status == "resume":
            projects.resume(session, viewer, project_id, note=body.cause, occurred_on=body.occurred_on,
                            source=body.source)  # fmt: skip
        else:
            projects.set_status(session, viewer, project_id, **body.model_dump())
        return projects.detail(session, viewer, project_id)
