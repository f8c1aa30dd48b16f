"""API routes of the company workflows: dialogue dossiers (topics, invitations, meetings),
disclosures (screened counterparties, confirmed hits as signals) and ICP assessments.

Reads: any logged-in user, filtered by the records' markings (a company officer sees their own
company's records only). Writes: engagement.manage; disclosures: disclosures.submit (a company
officer for their own company only: another company's party answers 404). Lists answer JSON
``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, Key, RecordId
from goodpath.core.fields import to_dict
from goodpath.engagement import disclosures, dossiers, icp
from goodpath.engagement.interfaces import LISTS, Lists

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)
submit = require(Permission.SUBMIT_DISCLOSURES)
Format = Literal["csv", "xlsx"] | None


class Marking(BaseModel):
    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400, description="ALL or codes; default yours + share_with")
    share_with: list[str] = Field(default_factory=list, description="Organization codes, e.g. the company's")
    source: str | None = Field(None, max_length=1000, description='Citation, e.g. "07BEIJING5360 ¶3"')


# --- dossiers ------------------------------------------------------------------------------


class DossierRequest(Marking):
    party_id: str = Field(min_length=1, max_length=24, description="The company's registry party")
    topics: list[str] | None = Field(None, description="Default: the four topics of 07BEIJING5360 ¶3")
    model_candidate: bool = False
    occurred_on: str | None = Field(None, description="YYYY-MM-DD; default today")


class StatusRequest(BaseModel):
    status: str = Field(description=", ".join(dossiers.DOSSIER.statuses))
    occurred_on: str | None = Field(None, description="YYYY-MM-DD; default today")
    note: str | None = Field(None, max_length=4000, description="Required to pause or close")
    source: str | None = Field(None, max_length=1000)


class TopicRequest(BaseModel):
    topic: str = Field(min_length=1, max_length=300)
    status: str = Field("open", description=", ".join(dossiers.TOPIC_STATUSES))
    notes: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=1000)
    model_candidate: bool | None = Field(None, description="Also set or unset the model-candidate flag")


class Invitee(BaseModel):
    name: str = Field(max_length=200)
    title: str | None = Field(None, max_length=200)


class InvitationRequest(Marking):
    invitees: list[Invitee] = Field(description="Named senior officials: at least one")
    conditions: list[str] = Field(default_factory=list, description='e.g. "unaccompanied by outside advisors"')
    purpose: str | None = Field(None, max_length=4000)
    issued_on: str | None = None
    occurred_on: str | None = Field(None, description="When drafted; default issued_on or today")


class InvitationStatusRequest(BaseModel):
    status: str = Field(description=", ".join(dossiers.INVITATION.statuses))
    occurred_on: str | None = Field(None, description="YYYY-MM-DD; required to accept or decline")
    response: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=1000)


class MeetingRequest(Marking):
    held_on: str = Field(description="YYYY-MM-DD")
    summary: str = Field(max_length=20000)
    place: str | None = Field(None, max_length=200)
    participants: list[dict] = Field(default_factory=list, description='[{"name", "title", "side"}]')
    topics: list[str] = Field(default_factory=list)
    invitation_id: BodyId | None = Field(None, description="The accepted invitation the meeting answers")


@router.get("/dossiers")
def list_dossiers(
    status: str | None = None,
    model_candidate: bool | None = None,
    format: Format = None,  # noqa: A002 - the query parameter's name
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
) -> Any:
    """Company dialogue dossiers, one row each (topics open, invitations, meetings)."""
    with invalid_as_422():
        rows = dossiers.list_dossiers(session, viewer, status=status, model_candidate=model_candidate)
    return listing.answer(rows, format, "dossiers")


@router.post("/dossiers", status_code=201)
def open_dossier(body: DossierRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Open the dialogue dossier of a company (status proposed)."""
    with invalid_as_422():
        dossier = dossiers.open_dossier(
            session, viewer, body.party_id, topics=body.topics, model_candidate=body.model_candidate,
            occurred_on=body.occurred_on, classification=body.classification, releasability=body.releasability,
            share_with=body.share_with, source=body.source,
        )  # fmt: skip
    return dossiers.dossier_to_dict(session, viewer, dossier)


@router.get("/dossiers/{party_id}")
def show_dossier(party_id: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION):
    """A company's dossier with its invitations, meetings and status history."""
    return dossiers.dossier_to_dict(session, viewer, dossiers.get_dossier(session, viewer, party_id))


@router.post("/dossiers/{party_id}/status")
def dossier_status(party_id: Key, body: StatusRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Move the dossier: proposed -> invited -> in_dialogue <-> paused -> closed (409 otherwise)."""
    with invalid_as_422():
        dossier = dossiers.set_status(session, viewer, party_id, body.status, occurred_on=body.occurred_on,
                                      note=body.note, source=body.source)  # fmt: skip
    return dossiers.dossier_to_dict(session, viewer, dossier)


@router.post("/dossiers/{party_id}/topics")
def dossier_topic(party_id: Key, body: TopicRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Add a topic of the dialogue or update its status (open, discussed, satisfied) and notes."""
    with invalid_as_422():
        dossier = dossiers.set_topic(session, viewer, party_id, body.topic, status=body.status, notes=body.notes,
                                     source=body.source)  # fmt: skip
        if body.model_candidate is not None:
            dossier = dossiers.set_model_candidate(session, viewer, party_id, body.model_candidate, note=body.notes)
    return dossiers.dossier_to_dict(session, viewer, dossier)


@router.post("/dossiers/{party_id}/invitations", status_code=201)
def invite(party_id: Key, body: InvitationRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Draft an invitation to named senior officials of the company, with attendance conditions."""
    with invalid_as_422():
        invitation = dossiers.invite(
            session, viewer, party_id, invitees=[i.model_dump() for i in body.invitees], conditions=body.conditions,
            purpose=body.purpose, issued_on=body.issued_on, occurred_on=body.occurred_on,
            classification=body.classification, releasability=body.releasability, share_with=body.share_with,
            source=body.source,
        )  # fmt: skip
    return to_dict(invitation)


@router.post("/invitations/{invitation_id}/status")
def invitation_status(
    invitation_id: RecordId,
    body: InvitationStatusRequest,
    viewer: Viewer = Depends(manage),
    session: Session = SESSION,
):
    """draft -> sent -> accepted | declined | expired; accepting or declining needs the response date."""
    with invalid_as_422():
        invitation = dossiers.set_invitation_status(
            session, viewer, invitation_id, body.status, occurred_on=body.occurred_on, response=body.response,
            source=body.source,
        )  # fmt: skip
    return to_dict(invitation)


@router.post("/dossiers/{party_id}/meetings", status_code=201)
def record_meeting(party_id: Key, body: MeetingRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    """Record a meeting with the company; one on an invitation needs it accepted (409 otherwise)."""
    with invalid_as_422():
        meeting = dossiers.record_meeting(
            session, viewer, party_id, held_on=body.held_on, summary=body.summary, place=body.place,
            participants=body.participants, topics=body.topics, invitation_id=body.invitation_id,
            classification=body.classification, releasability=body.releasability, share_with=body.share_with,
            source=body.source,
        )  # fmt: skip
    return to_dict(meeting)


# --- disclosures ---------------------------------------------------------------------------


class DisclosureRequest(Marking):
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


# --- ICP assessment ------------------------------------------------------------------------


class AssessmentRequest(Marking):
    party_id: str = Field(min_length=1, max_length=24)
    framework: str = Field(description="eu-2019-1318 or bis-ecg")
    assessed_on: str | None = Field(None, description="YYYY-MM-DD; default today")


class ScoreRequest(BaseModel):
    element: str = Field(max_length=40, description="The rubric's element code, e.g. EU-4")
    score: int = Field(description="0 absent, 1 initial, 2 established, 3 effective")
    evidence: str = Field(max_length=20000, description="Required")


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
        icp.score_element(session, viewer, assessment_id, body.element, body.score, body.evidence)
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
