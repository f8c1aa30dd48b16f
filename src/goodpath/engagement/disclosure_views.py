"""API routes of the companies' disclosures: screened counterparties, confirmed hits as signals.

Reads: any logged-in user, filtered by the records' markings (a company officer sees their own
company's records only). Writes: disclosures.submit (a company officer for their own company
only: another company's party answers 404); confirming or clearing a hit: engagement.manage.
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
from goodpath.core.fields import to_dict
from goodpath.engagement import disclosures
from goodpath.engagement.interfaces import LISTS, CompanyMarking, Format, Lists

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)
submit = require(Permission.SUBMIT_DISCLOSURES)


class DisclosureRequest(CompanyMarking):
    party_id: str = Field(min_length=1, max_length=24, description="The disclosing company")
    counterparty: str = Field(max_length=500)
    counterparty_country: str = Field(max_length=8, description="Two-letter ISO code, e.g. IR")
    items: str = Field(max_length=4000)
    value: float | None = None
    currency: str | None = Field(None, max_length=8, description="ISO 4217, e.g. USD")
    period_from: str | None = None
    period_to: str | None = None


class HitDecision(BaseModel):
    entry_id: str = Field(min_length=1, max_length=40, description="The hit's list entry (hits[].entry_id)")
    reason: str = Field(max_length=4000)
    source: str | None = Field(None, max_length=1000)


@router.get("/disclosures")
def list_disclosures(
    party_id: str | None = Query(None, max_length=24),
    signal: str | None = Query(None, description=", ".join(disclosures.SIGNALS)),
    format: Format = None,  # noqa: A002 - the query parameter's name
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """Disclosures, newest first, each with its screening hits and signal."""
    with invalid_as_422():
        rows = disclosures.list_disclosures(session, viewer, party_id=party_id, signal=signal)
    return listing.answer(rows, format, "disclosures")


@router.post("/disclosures", status_code=201)
def add_disclosure(body: DisclosureRequest, viewer: Viewer = Depends(submit), session: Session = SESSION):
    """Disclose business with a country of concern; the counterparty is screened now and after every list update."""
    with invalid_as_422():
        disclosure = disclosures.add_disclosure(
            session, viewer, body.party_id, counterparty=body.counterparty,
            counterparty_country=body.counterparty_country, items=body.items, value=body.value, currency=body.currency,
            period_from=body.period_from, period_to=body.period_to, classification=body.classification,
            releasability=body.releasability, share_with=body.share_with, source=body.source,
        )  # fmt: skip
    return to_dict(disclosure)


@router.post("/disclosures/{disclosure_id}/confirm")
def confirm_hit(
    disclosure_id: RecordId, body: HitDecision, viewer: Viewer = Depends(manage), session: Session = SESSION
):
    """Confirm a hit as a true match: a signal for the pathway engine."""
    with invalid_as_422():
        disclosure = disclosures.confirm_hit(session, viewer, disclosure_id, body.entry_id, body.reason,
                                             source=body.source)  # fmt: skip
    return to_dict(disclosure)


@router.post("/disclosures/{disclosure_id}/clear")
def clear_hit(disclosure_id: RecordId, body: HitDecision, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Clear a hit as a false positive."""
    with invalid_as_422():
        disclosure = disclosures.clear_hit(session, viewer, disclosure_id, body.entry_id, body.reason,
                                           source=body.source)  # fmt: skip
    return to_dict(disclosure)


@router.get("/disclosures/signals/{party_id}")
def disclosure_signals(
    party_id: Key,
    format: Format = None,  # noqa: A002 - the query parameter's name
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """The confirmed hits of a company's disclosures (what the pathway engine reads)."""
    return listing.answer(disclosures.signals(session, viewer, party_id), format, "signals")
