"""API routes for reviewing screening: dispositions of hits, watched subjects, re-screening and
its alerts. Reads follow the records' markings; writes need the screening.review permission."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Limit, Offset, QueryId, RecordId
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.screening import dispositions, monitoring

router = APIRouter(tags=["screening"])
review = require(Permission.REVIEW_SCREENING)


@contextmanager
def _invalid_as_422() -> Iterator[None]:
    """A rule the request breaks (bad verdict, empty reason, ...) answers 422 with its message;
    NotFound (404) and Refused (409) go to the app's handlers."""
    try:
        yield
    except (NotFound, Refused):
        raise
    except GoodpathError as exc:
        raise HTTPException(422, str(exc)) from None


class DispositionRequest(BaseModel):
    name: str = Field(min_length=1, max_length=500, description="The name as screened")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="The country it was screened with")
    entry_id: str = Field(min_length=1, max_length=24, description="The hit's list entry (hit.entry_id)")
    party_id: str | None = Field(None, max_length=24, description="The hit's registry party (hit.party_id)")
    verdict: Literal["true_match", "false_positive"]
    reason: str = Field(min_length=1, max_length=4000)


@router.post("/screen/dispositions", status_code=201)
def add_disposition(body: DispositionRequest, viewer: Viewer = Depends(review), session: Session = SESSION) -> dict:
    """Mark a hit as a true match or a false positive, with a reason. A false positive is left out
    of later screenings of the same name until the list entry changes."""
    with _invalid_as_422():
        disposition = dispositions.record(
            session, viewer, name=body.name, country=body.country, party_id=body.party_id,
            entry_id=body.entry_id, verdict=body.verdict, reason=body.reason,
        )  # fmt: skip
    return dispositions.to_dict(disposition, disposition.content_hash)


class ReopenRequest(BaseModel):
    reason: str = Field(max_length=4000, description="Why the hit should be reviewed again")


@router.post("/screen/dispositions/{disposition_id}/reopen", status_code=201)
def reopen_disposition(
    disposition_id: RecordId, body: ReopenRequest, viewer: Viewer = Depends(review), session: Session = SESSION
) -> dict:
    """Lift a suppressed false positive, with a reason: a later disposition ``reopened`` on the same
    name and entry, so later screenings show the hit again. 409 if it suppresses nothing."""
    with _invalid_as_422():
        disposition = dispositions.reopen(session, viewer, disposition_id, body.reason)
    return dispositions.to_dict(disposition, disposition.content_hash)


@router.get("/screen/dispositions")
def list_dispositions(
    name: str | None = Query(None, max_length=500, description="The name as screened (any word order)"),
    country: str | None = Query(None, pattern=r"^[A-Za-z]{2}$"),
    entry_id: str | None = Query(None, max_length=24),
    verdict: Literal["true_match", "false_positive", "reopened"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> list[dict]:
    """Dispositions, newest first, each with ``stale`` (the list entry changed since)."""
    return dispositions.list_dispositions(
        session, viewer, name=name, country=country, entry_id=entry_id, verdict=verdict, limit=limit, offset=offset
    )


class SubjectRequest(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    schema_: str | None = Field(None, alias="schema", description=", ".join(monitoring.SCHEMATA))
    party_id: str | None = Field(None, max_length=24, description="The subject's own registry party, if any")
    source: str = Field(monitoring.MANUAL, pattern=monitoring.SOURCE_PATTERN.pattern)


@router.get("/screen/subjects")
def list_subjects(
    source: str | None = Query(None, max_length=40),
    include_inactive: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Watched names with their hits as last screened."""
    return monitoring.list_subjects(
        session, viewer, source=source, include_inactive=include_inactive, limit=limit, offset=offset
    )


@router.post("/screen/subjects", status_code=201)
def add_subject(body: SubjectRequest, viewer: Viewer = Depends(review), session: Session = SESSION) -> dict:
    """Watch a name: it is re-screened after every list import (the first re-screening raises
    an alert for each of its hits)."""
    with _invalid_as_422():
        subject = monitoring.watch(
            session, viewer, body.name, country=body.country, schema=body.schema_, party_id=body.party_id,
            source=body.source,
        )  # fmt: skip
    return monitoring.subject_to_dict(subject)


@router.post("/screen/subjects/{subject_id}/unwatch")
def unwatch_subject(subject_id: RecordId, viewer: Viewer = Depends(review), session: Session = SESSION) -> dict:
    """Stop re-screening a watched name (kept, inactive, with its alerts; watching it again resumes it).
    An engaged company is watched while it is engaged: 409."""
    with _invalid_as_422():
        return monitoring.unwatch(session, viewer, subject_id)


@router.post("/screen/rescreen")
def rescreen(viewer: Viewer = Depends(review), session: Session = SESSION) -> dict:
    """Re-screen every watched name now (this also runs after every list import)."""
    return monitoring.rescreen_all(session, viewer.actor)


@router.get("/screen/alerts")
def list_alerts(
    status: Literal["open", "escalated", "acknowledged", "all"] = "open",
    subject_id: QueryId = None,
    limit: Limit = 100,
    offset: Offset = 0,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Re-screening alerts (new, changed or cleared hits of watched names), newest first."""
    return monitoring.list_alerts(
        session, viewer, status=None if status == "all" else status, subject_id=subject_id, limit=limit,
        offset=offset,
    )  # fmt: skip


class AcknowledgeRequest(BaseModel):
    note: str | None = Field(None, max_length=4000)


@router.post("/screen/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    alert_id: RecordId,
    body: AcknowledgeRequest | None = None,
    viewer: Viewer = Depends(review),
    session: Session = SESSION,
) -> dict:
    """Mark an alert as seen, with an optional note."""
    with _invalid_as_422():
        return monitoring.acknowledge(session, viewer, alert_id, note=body.note if body else None)


class EscalateRequest(BaseModel):
    note: str = Field(max_length=4000, description="Why, and for whom")


@router.post("/screen/alerts/{alert_id}/escalate")
def escalate_alert(
    alert_id: RecordId, body: EscalateRequest, viewer: Viewer = Depends(review), session: Session = SESSION
) -> dict:
    """Escalate an open alert for a second look, with a note; it stays to be acknowledged."""
    with _invalid_as_422():
        return monitoring.escalate(session, viewer, alert_id, body.note)
