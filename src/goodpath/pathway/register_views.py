"""API: the public recognition register and the stigma list, no login needed.

``GET /public/register`` and ``GET /public/stigma`` (current entries; ``include_past=true`` adds the
superseded and withdrawn ones) and ``GET /public/statements/{id}``. A request without credentials
reads as the public role, which sees published records only; ``lang`` (en, zh) says which text is
``name``/``text`` in the answer, both texts are always there."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from goodpath.access.deps import current_viewer
from goodpath.access.policy import Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import RecordId
from goodpath.pathway import register
from goodpath.registry.datasets import is_illustrative

router = APIRouter(tags=["public"])
LANG = Query("en", description="Which text is primary (name, text): en or zh; both are always given")
PAST = Query(False, description="Include superseded and withdrawn entries")


@router.get("/public/register")
def recognition_register(
    lang: Literal["en", "zh"] = LANG,
    include_past: bool = PAST,
    viewer: Viewer = Depends(current_viewer),
    session: Session = SESSION,
) -> dict:
    """The public recognition register: companies recognized after a monitoring period without breach."""
    with invalid_as_422():
        return register.listing(session, viewer, "recognition", lang, include_past)


@router.get("/public/stigma")
def stigma_list(
    lang: Literal["en", "zh"] = LANG,
    include_past: bool = PAST,
    viewer: Viewer = Depends(current_viewer),
    session: Session = SESSION,
) -> dict:
    """The public stigma list: companies that declined or stalled, and sanctions snapped back after a breach."""
    with invalid_as_422():
        return register.listing(session, viewer, "stigma", lang, include_past)


@router.get("/public/statements/{statement_id}")
def public_statement(
    statement_id: RecordId,
    lang: Literal["en", "zh"] = LANG,
    viewer: Viewer = Depends(current_viewer),
    session: Session = SESSION,
) -> dict:
    """One published entry of either list."""
    with invalid_as_422():
        entry = register.statement(session, viewer, statement_id)
        return register.as_row(entry, lang, viewer, is_illustrative(session, entry.party_id))
