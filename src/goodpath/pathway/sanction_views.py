"""API: recording the law's facts -- ``POST /parties/{party}/sanctions`` (a sanction a notice imposes) and
``POST /sanctions/{id}/events`` (what a notice says happened to it), through pathway/recorded_facts.py;
``GET /sanctions/{id}/events``. Recording needs registry.edit (analysts, approvers). Bad input answers 4xx
naming the rule (409 when the law refuses it, 422 when the content is malformed); nothing is stored."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import BodyId, Day, Key, RecordId
from goodpath.pathway import recorded_facts
from goodpath.registry import sanction_records, service

router = APIRouter(tags=["registry"])
editor = require(Permission.EDIT_REGISTRY)
Text = Field(min_length=1, max_length=4000)


class SanctionRequest(BaseModel):
    authority: str = Field(max_length=40, description="Authority code of the catalogue (GET /authorities)")
    imposed: Day = Field(description="The notice's effective date of the imposition")
    measures: list[str] = Field(default_factory=list, max_length=20, description="Default: every measure")
    category: Literal["I", "II"] | None = Field(None, description="MTCR item category (AECA73, EAA11B)")
    citation: str = Text
    source: str | None = Field(None, max_length=2000, description="Address of the notice's text")
    document: BodyId | None = Field(None, description="Evidence document (Federal Register publication)")
    expires: Day | None = None
    supersedes: BodyId | None = Field(None, description="The recorded sanction this one corrects")
    note: str | None = Field(None, max_length=4000)
    classification: str | None = Field(None, max_length=16)
    releasability: str | None = Field(None, max_length=200)


class EventRequest(BaseModel):
    kind: str = Field(max_length=20, description=f"One of {', '.join(sanction_records.EVENT_KINDS)}")
    on: Day = Field(description="The day it takes effect")
    measures: list[str] = Field(default_factory=list, max_length=20, description="Default: every measure")
    until: Day | None = Field(None, description="Last day of a time-boxed waiver or renewal")
    citation: str = Text
    source: str | None = Field(None, max_length=2000)
    document: BodyId | None = None
    supersedes: BodyId | None = Field(None, description="The recorded event this one corrects")
    note: str | None = Field(None, max_length=4000)


@router.post("/parties/{party}/sanctions", status_code=201, dependencies=[Depends(editor)])
def add_sanction(
    party: Key, body: SanctionRequest, viewer: Viewer = Depends(require_login), session: Session = SESSION
) -> dict:
    """Record a sanction a notice imposes on the party (id, key or exact name)."""
    with invalid_as_422():
        sanction = recorded_facts.record_sanction(
            session, viewer, party, authority=body.authority, imposed=body.imposed, measures=body.measures,
            category=body.category, citation=body.citation, source_url=body.source, document=body.document,
            expires=body.expires, supersedes=body.supersedes, note=body.note, classification=body.classification,
            releasability=body.releasability,
        )  # fmt: skip
        return service.sanction_dict(sanction)


@router.post("/sanctions/{sanction_id}/events", status_code=201, dependencies=[Depends(editor)])
def add_event(
    sanction_id: RecordId, body: EventRequest, viewer: Viewer = Depends(require_login), session: Session = SESSION
) -> dict:
    """Record what a notice says happened to the sanction."""
    with invalid_as_422():
        event = recorded_facts.record_event(
            session, viewer, sanction_id, kind=body.kind, on=body.on, measures=body.measures, until=body.until,
            citation=body.citation, source_url=body.source, document=body.document, supersedes=body.supersedes,
            note=body.note,
        )  # fmt: skip
        return service.event_dict(event)


@router.get("/sanctions/{sanction_id}/events")
def list_events(sanction_id: RecordId, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> list:
    """The sanction's recorded events the viewer may read (superseded ones marked)."""
    with invalid_as_422():
        sanction = sanction_records._sanction_of(session, viewer, sanction_id)
        return [service.event_dict(e) for e in service.events_of(session, viewer, sanction.id)]
