"""API routes of alleged-violation cases. Reads: any logged-in user, filtered by the records'
markings. Writes: raising and closing cases and adding or removing parties and items need
engagement.manage; the partner's steps on a case need cases.respond or engagement.manage (403 otherwise).
Lists answer JSON ``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, ExpectedVersion, RecordId, RecordKey
from goodpath.engagement import case_metrics, cases
from goodpath.engagement.interfaces import LISTS, Format, Lists, require_any

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)


class CaseRequest(BaseModel):
    reference: str = Field(min_length=1, max_length=40, description="Unique, e.g. WLC-2007-001")
    title: str = Field(min_length=1, max_length=300)
    facts: str = Field(min_length=1, max_length=4000)
    raised_on: str | None = Field(None, description="YYYY-MM-DD; default today")
    destination: str | None = Field(None, max_length=8, description="Two-letter country code, e.g. IR")
    end_user: str | None = Field(None, max_length=300)
    items: list[dict] = Field(default_factory=list, description='[{"description", "control_entry", "quantity"}]')
    parties: list[dict] = Field(
        default_factory=list, description='[{"role", "name", "country", "party_id"}]; each is screened and watched'
    )
    party_id: str | None = Field(None, max_length=24, description="The main company's registry party")
    partner: str = Field("CHN", max_length=40, description="The partner government the case is released to")
    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400, description="ALL or codes; default yours + partner")
    source: str | None = Field(None, max_length=1000, description='Citation, e.g. "07BEIJING1900 ¶15"')


class CasePartyRequest(BaseModel):
    role: str = Field(min_length=1, max_length=40, description=", ".join(cases.PARTY_ROLES))
    name: str = Field(min_length=1, max_length=300)
    country: str | None = Field(None, max_length=8, description="Two-letter country code")
    party_id: str | None = Field(None, max_length=24, description="The registry party, when known")


class CaseItemRequest(BaseModel):
    description: str = Field(min_length=1, max_length=1000)
    control_entry: str | None = Field(None, max_length=200, description="e.g. MTCR Category II Item 3, ECCN 9A004")
    quantity: int | float | str | None = Field(None, description="A positive number or a text like '12 units'")


class CaseStatusRequest(BaseModel):
    status: str = Field(
        description="acknowledged, under_investigation, response_reported (partner steps); closed with an outcome"
    )
    outcome: str | None = Field(None, description=", ".join(cases.OUTCOMES))
    note: str | None = Field(None, max_length=4000, description="Required to close: why this outcome")
    response: str | None = Field(None, max_length=4000, description="The partner's response (response_reported)")
    action_ids: list[BodyId] = Field(default_factory=list, max_length=1000, description="Enforcement actions cited")
    occurred_on: str | None = Field(None, description="YYYY-MM-DD; default today")
    source: str | None = Field(None, max_length=1000)


@router.get("/cases", response_model=None)
def list_cases(
    status: str | None = Query(None, max_length=40),
    open_only: bool = Query(False, alias="open", description="Only open cases"),
    party_id: str | None = Query(None, max_length=24),
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """Alleged-violation cases, newest raised first."""
    with invalid_as_422():
        rows = cases.list_cases(session, viewer, status=status, open_only=open_only, party_id=party_id)
    return listing.answer(rows, format, "cases")


@router.post("/cases", status_code=201)
def raise_case(body: CaseRequest, viewer: Viewer = Depends(manage), session: Session = SESSION) -> dict:
    """Raise a case through the working-level channel; its parties are screened and watched."""
    with invalid_as_422():
        case = cases.raise_case(session, viewer, **body.model_dump())
    return cases.case_detail(session, viewer, case.id)


@router.get("/cases/metrics")
def case_metrics_route(
    today: str | None = Query(None, description="Age open cases against this day (YYYY-MM-DD)"),
    year: int | None = Query(None, ge=1900, le=2200, description="Outcome shares of cases closed this year"),
    include_illustrative: bool = Query(False, description="Count the illustrative (fictional) companies' cases too"),
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Outcome shares, time to each step, open cases by age: from the cases the viewer may read."""
    with invalid_as_422():
        return case_metrics.metrics(session, viewer, today=today, year=year,
                                    include_illustrative=include_illustrative)  # fmt: skip


@router.get("/cases/{case_id}")
def get_case(case_id: RecordKey, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """A case (by id or reference) with its parties and their hits, history and enforcement actions."""
    return cases.case_detail(session, viewer, case_id)


@router.post("/cases/{case_id}/status")
def case_status(
    case_id: RecordKey,
    body: CaseStatusRequest,
    expected: ExpectedVersion,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Take the next step: the partner's (acknowledged, under_investigation, response_reported, by
    a partner officer or recorded on its behalf by an analyst) or the outcome (closed + outcome).
    With If-Match, 409 if the case has changed since that version."""
    if body.status in cases.PARTNER_STEPS:
        require_any(viewer, Permission.RESPOND_CASES, Permission.MANAGE_ENGAGEMENT)
    else:
        require_any(viewer, Permission.MANAGE_ENGAGEMENT)
    case = cases.get_case(session, viewer, case_id)
    with invalid_as_422():
        cases.advance(session, viewer, case.id, **body.model_dump(), expected_version=expected)
    return cases.case_detail(session, viewer, case.id)


@router.post("/cases/{case_id}/parties", status_code=201)
def add_case_party(
    case_id: RecordKey, body: CasePartyRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Add a party to an open case: screened now, watched like the parties raised with the case."""
    case = cases.get_case(session, viewer, case_id)
    with invalid_as_422():
        cases.add_party(session, viewer, case.id, **body.model_dump())
    return cases.case_detail(session, viewer, case.id)


@router.delete("/cases/{case_id}/parties/{party_id}")
def remove_case_party(
    case_id: RecordKey, party_id: RecordId, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Remove a party (the case party's id) from an open case."""
    case = cases.get_case(session, viewer, case_id)
    with invalid_as_422():
        cases.remove_party(session, viewer, case.id, party_id)
    return cases.case_detail(session, viewer, case.id)


@router.post("/cases/{case_id}/items", status_code=201)
def add_case_item(
    case_id: RecordKey, body: CaseItemRequest, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Add an item to an open case."""
    case = cases.get_case(session, viewer, case_id)
    with invalid_as_422():
        cases.add_item(session, viewer, case.id, **body.model_dump())
    return cases.case_detail(session, viewer, case.id)


@router.delete("/cases/{case_id}/items/{number}")
def remove_case_item(
    case_id: RecordKey, number: RecordId, viewer: Viewer = Depends(manage), session: Session = SESSION
) -> dict:
    """Remove item ``number`` (1 for the first) from an open case."""
    case = cases.get_case(session, viewer, case_id)
    with invalid_as_422():
        cases.remove_item(session, viewer, case.id, number)
    return cases.case_detail(session, viewer, case.id)
