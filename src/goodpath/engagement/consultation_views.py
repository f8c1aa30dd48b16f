"""API routes of consultations between governments: tracks and their rounds.
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
from goodpath.core.api_types import Day, ExpectedVersion, QueryId, RecordId
from goodpath.engagement import consultations
from goodpath.engagement.interfaces import LISTS, Format, Lists, Marking

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)


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
    expected: ExpectedVersion,
    viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:
    """Suspend (with its cause), resume (optionally: who offered it) or end a track; with If-Match,
    409 if the track has changed since that version."""
    with invalid_as_422():
        consultations.set_status(session, viewer, consultation_id, **body.model_dump(), expected_version=expected)
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
