"""API: ``GET /pathway/{party}/eligibility`` — the legal rule engine's explanation."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from goodpath.access.deps import require_login
from goodpath.access.policy import Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import Day, Key
from goodpath.pathway.eligibility import explain

router = APIRouter(tags=["pathway"])


@router.get("/pathway/{party}/eligibility")
def eligibility(
    party: Key,
    as_of: Day | None = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
) -> dict:
    """Per sanction and measure of the party (id, key or name), whether relief is possible as of
    ``as_of`` (default today). A party or sanction the viewer may not read does not exist here;
    an ambiguous name answers 422 listing the candidates."""
    with invalid_as_422():
        return explain(session, viewer, party, as_of=as_of)
