"""API of breach detection: the pathway alerts, a scan, and the review of an alert.

``GET /pathway/alerts``: any logged-in user, filtered by the alerts' markings (those of the company's
pathway). ``POST /pathway/alerts/scan`` and ``POST /pathway/alerts/{id}/review``: an analyst or an
approver (engagement.manage); a scan answers only what the caller may read. Registered before the
pathway router, whose ``/pathway/{party}`` would otherwise take ``/pathway/alerts``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import RecordId
from goodpath.pathway import breaches
from goodpath.registry.service import get_party

router = APIRouter(tags=["pathway"])
manage = require(Permission.MANAGE_ENGAGEMENT)


analyst_or_approver = manage  # engagement.manage: analysts and approvers alone (refusals audited)


class ScanRequest(BaseModel):
    party: str | None = Field(None, max_length=120, description="Scan this company only (id or key)")
    on: str | None = Field(None, description="As of this day (YYYY-MM-DD; default today)")


class ReviewRequest(BaseModel):
    decision: Literal["dismiss", "escalate"]
    note: str = Field(min_length=1, max_length=4000, description="Why (required)")


@router.get("/pathway/alerts")
def list_alerts(
    party: str | None = Query(None, description="Party id or key"),
    status: str | None = Query(None, description=", ".join(breaches.ALERT_STATUSES)),
    kind: str | None = Query(None, description="breach or review"),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Breach and review alerts the viewer may read, newest first."""
    with invalid_as_422():
        rows = breaches.list_alerts(session, viewer, party=party, status=status, kind=kind)
    return {"total": len(rows), "results": rows}


@router.post("/pathway/alerts/scan")
def scan(
    body: ScanRequest | None = None,
    viewer: Viewer = Depends(analyst_or_approver),
    session: Session = SESSION,
) -> dict:
    """Look for breaches now: the alerts and snapback proposals opened (those the caller may read)."""
    body = body or ScanRequest()
    with invalid_as_422():
        party_ids = [get_party(session, viewer, body.party).id] if body.party else None
        return breaches.scan(session, viewer, party_ids=party_ids, on=body.on)


@router.post("/pathway/alerts/{alert_id}/review")
def review(
    alert_id: RecordId,
    body: ReviewRequest,
    viewer: Viewer = Depends(analyst_or_approver),
    session: Session = SESSION,
) -> dict:
    """Dismiss a review alert, or escalate an alert to a breach (a snapback proposal if relief is in force)."""
    with invalid_as_422():
        return breaches.review(session, viewer, alert_id, body.decision, body.note)
