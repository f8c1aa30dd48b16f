"""API routes of the identity review (thin: registry/identity_service.py does the work). Analysts
(registry.edit) only; every read follows the records' markings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import Limit, Offset, RecordId
from goodpath.registry import identity_service

router = APIRouter(tags=["identity"])
analyst = require(Permission.EDIT_REGISTRY)
PartyRef = Field(min_length=1, max_length=80, description="A party's id or key")


class MergeRequest(BaseModel):
    first: str = PartyRef
    second: str = PartyRef
    reason: str = Field(min_length=1, max_length=4000, description="Why these are one party")


class UndoRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=4000, description="Why the merge is undone")


class DecisionRequest(BaseModel):
    first: str = PartyRef
    second: str = PartyRef
    reason: str = Field(min_length=1, max_length=4000, description="Why these are two parties")


@router.get("/identity/candidates")
def candidates(
    min_score: float = Query(identity_service.DEFAULT_MIN_SCORE, ge=0.0, le=1.0),
    party: str | None = Query(None, max_length=80, description="Only this party's pairs (id or key)"),
    limit: Limit = 50,
    viewer: Viewer = Depends(analyst),
    session: Session = SESSION,
) -> dict:
    """Pairs of parties that may be one real-world entity, best first, each score with its features."""
    with invalid_as_422():
        found = identity_service.candidates(session, viewer, min_score=min_score, party_id=party, limit=limit)
    return {"min_score": min_score, "total": len(found), "results": [c.to_dict() for c in found]}


@router.get("/identity/merges")
def merges(
    include_undone: bool = True,
    party: str | None = Query(None, max_length=80),
    limit: Limit = 50,
    offset: Offset = 0,
    viewer: Viewer = Depends(analyst),
    session: Session = SESSION,
) -> dict:
    total, rows = identity_service.merges(
        session, viewer, include_undone=include_undone, party_id=party, limit=limit, offset=offset
    )
    return {"total": total, "limit": limit, "offset": offset, "results": rows}


@router.get("/identity/merges/{merge_id}")
def get_merge(merge_id: RecordId, viewer: Viewer = Depends(analyst), session: Session = SESSION) -> dict:
    return identity_service.get_merge(session, viewer, merge_id)


@router.post("/identity/merges", status_code=201)
def merge(body: MergeRequest, viewer: Viewer = Depends(analyst), session: Session = SESSION) -> dict:
    """Merge two parties into one (audited); the merged party's id and key redirect to the kept one."""
    with invalid_as_422():
        return identity_service.merge(session, viewer, body.first, body.second, reason=body.reason)


@router.post("/identity/merges/{merge_id}/undo")
def undo(merge_id: RecordId, body: UndoRequest, viewer: Viewer = Depends(analyst), session: Session = SESSION) -> dict:
    """Undo a merge: what it moved goes back to the merged party."""
    with invalid_as_422():
        return identity_service.undo(session, viewer, merge_id, reason=body.reason)


@router.post("/identity/decisions", status_code=201)
def reject(body: DecisionRequest, viewer: Viewer = Depends(analyst), session: Session = SESSION) -> dict:
    """Decide that a candidate pair is two parties (audited): not shown again, never merged by a key."""
    with invalid_as_422():
        return identity_service.reject(session, viewer, body.first, body.second, reason=body.reason)
