"""API route for screening one party (batch jobs come later)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require_login
from goodpath.access.policy import Viewer
from goodpath.core.api_support import SESSION
from goodpath.screening import service
from goodpath.screening.score import DEFAULT_THRESHOLD

router = APIRouter(tags=["screening"])


class ScreenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=500, description="The name to screen, in any script")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code")
    schema_: str | None = Field(
        None, alias="schema", description="Company, Organization, Person, Vessel, Airplane or LegalEntity"
    )
    limit: int = Field(10, ge=1, le=100)
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0, le=1)
    include_suppressed: bool = Field(False, description="Also show hits suppressed as known false positives")
    as_of: datetime | None = Field(
        None, description="Screen against the list versions imported by then (ISO 8601; UTC when no offset)"
    )


@router.post("/screen")
def screen(body: ScreenRequest, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """Explained hits, one per party, best first, with the list versions screened against, each with
    its prior disposition; known false positives are left out (counted) unless include_suppressed."""
    return service.screen(
        session, viewer, body.name, country=body.country, schema=body.schema_, limit=body.limit,
        threshold=body.threshold, include_suppressed=body.include_suppressed, as_of=body.as_of,
    )  # fmt: skip
