"""API routes of the company dialogue: dossiers, their topics, invitations and meetings.

Reads: any logged-in user, filtered by the records' markings (a company officer sees their own
company's records only). Writes: engagement.manage.
Lists answer JSON ``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, ExpectedVersion, Key, RecordId
from goodpath.core.fields import to_dict
from goodpath.engagement import dossiers
from goodpath.engagement.interfaces import LISTS, CompanyMarking, Format, Lists

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)


class DossierRequest(CompanyMarking):
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


class InvitationRequest(CompanyMarking):
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


class MeetingRequest(CompanyMarking):
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
def dossier_status(
    party_id: Key, body: StatusRequest, expected: ExpectedVersion, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
):  # fmt: skip
    """Move the dossier: proposed -> invited -> in_dialogue <-> paused -> closed (409 otherwise; and,
    with If-Match, 409 if the dossier has changed since that version)."""
    with invalid_as_422():
        dossier = dossiers.set_status(session, viewer, party_id, body.status, occurred_on=body.occurred_on,
                                      note=body.note, source=body.source, expected_version=expected)  # fmt: skip
    return dossiers.dossier_to_dict(session, viewer, dossier)


@router.post("/dossiers/{party_id}/topics")
def dossier_topic(
    party_id: Key, body: TopicRequest, expected: ExpectedVersion, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
):  # fmt: skip
    """Add a topic of the dialogue or update its status (open, discussed, satisfied) and notes (with
    If-Match, 409 if the dossier has changed since that version)."""
    with invalid_as_422():
        dossier = dossiers.set_topic(session, viewer, party_id, body.topic, status=body.status, notes=body.notes,
                                     source=body.source, expected_version=expected)  # fmt: skip
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
