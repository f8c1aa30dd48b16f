"""API routes of the partner's enforcement actions and the transparency report. Reads: any
logged-in user, filtered by the records' markings. Writes: reporting an enforcement action needs
cases.respond or engagement.manage (403 otherwise).
Lists answer JSON ``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, QueryId
from goodpath.core.fields import to_dict
from goodpath.engagement import enforcement
from goodpath.engagement.interfaces import LISTS, Format, Lists, require_any

router = APIRouter(tags=["engagement"])


class ActionRequest(BaseModel):
    kind: str = Field(description=", ".join(enforcement.KINDS))
    reported_by: str = Field(min_length=1, max_length=200, description="The reporting agency, e.g. MOFCOM")
    detail_level: str = Field(description=", ".join(enforcement.DETAIL_LEVELS))
    reported_on: str | None = Field(None, description="YYYY-MM-DD; default today")
    taken_on: str | None = None
    detail: str | None = Field(None, max_length=4000)
    case_id: BodyId | None = None
    party_id: str | None = Field(None, max_length=24)
    party_name: str | None = Field(None, max_length=500)
    penalty_amount: float | None = None
    currency: str | None = Field(None, max_length=3)
    partner: str = Field("CHN", max_length=40)
    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400)
    source: str | None = Field(None, max_length=1000)


@router.get("/enforcement-actions", response_model=None)
def list_actions(
    case_id: QueryId = None,
    party_id: str | None = Query(None, max_length=24),
    kind: str | None = Query(None, max_length=40),
    date_from: str | None = Query(None, alias="from", description="Reported on or after (YYYY-MM-DD)"),
    date_to: str | None = Query(None, alias="to", description="Reported on or before (YYYY-MM-DD)"),
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """The partner's reported enforcement actions, by date reported."""
    with invalid_as_422():
        rows = enforcement.list_actions(
            session, viewer, case_id=case_id, party_id=party_id, kind=kind, date_from=date_from, date_to=date_to
        )
    return listing.answer(rows, format, "enforcement-actions")


@router.post("/enforcement-actions", status_code=201)
def report_action(body: ActionRequest, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """Record an enforcement action the partner reported (it moves no case by itself)."""
    require_any(viewer, Permission.RESPOND_CASES, Permission.MANAGE_ENGAGEMENT)
    with invalid_as_422():
        action = enforcement.report_action(session, viewer, **body.model_dump())
    return to_dict(action)


@router.get("/enforcement-actions/report", response_model=None)
def transparency_report(
    date_from: str = Query(alias="from", description="Period start (YYYY-MM-DD)"),
    date_to: str = Query(alias="to", description="Period end (YYYY-MM-DD), inclusive"),
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """The transparency report of the period; with ?format=csv|xlsx, its list of actions."""
    with invalid_as_422():
        report = enforcement.transparency_report(session, viewer, date_from, date_to)
    if format:
        return listing.download(report["actions"], format, f"enforcement-{report['from']}-{report['to']}")
    return report
