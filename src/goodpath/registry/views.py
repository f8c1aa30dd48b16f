"""API routes for parties, sanctions and legal authorities (thin: services do the work)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.deps import current_viewer, require, require_login
from goodpath.access.policy import Permission, Viewer, read_filter
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import Key, Limit, Offset
from goodpath.core.errors import NotFound
from goodpath.registry import sanction_records, service
from goodpath.registry.models import LegalAuthority

router = APIRouter(tags=["registry"])
editor = require(Permission.EDIT_REGISTRY)


class PartyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=500, description="The name as the notice gives it")
    schema_: Literal["Company", "Person", "Organization"] = Field(alias="schema")
    country: str = Field(min_length=2, max_length=2, description="Two-letter ISO country code")
    key: str | None = Field(None, max_length=80, description="A stable key (e.g. cpmiec)")
    names: list[str] = Field(default_factory=list, max_length=50, description="Other names, LANG:TEXT")
    note: str | None = Field(None, max_length=4000)
    classification: str | None = Field(None, max_length=16)
    releasability: str | None = Field(None, max_length=200)


@router.post("/parties", status_code=201, dependencies=[Depends(editor)])
def add_party(body: PartyRequest, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """Record a party a notice names (audited); the stored party with its id."""
    with invalid_as_422():
        party = sanction_records.add_party(
            session, viewer, body.name, schema=body.schema_, country=body.country, key=body.key, names=body.names,
            note=body.note, classification=body.classification, releasability=body.releasability,
        )  # fmt: skip
        return service.party_detail(session, viewer, party)


@router.get("/parties")
def list_parties(
    q: str | None = Query(None, description="Words of a name, any script"),
    limit: Limit = 20,
    offset: Offset = 0,
    include_delisted: bool = False,
    viewer: Viewer = Depends(current_viewer),
    session: Session = SESSION,
) -> dict:
    if q:
        total, parties = service.search_parties(
            session, viewer, q, limit=limit, offset=offset, include_delisted=include_delisted
        )
    else:
        total, parties = service.list_parties(session, viewer, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "results": [service.party_summary(p) for p in parties]}


@router.get("/parties/{party_id}")
def get_party(party_id: Key, viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> dict:
    return service.party_detail(session, viewer, service.get_party(session, viewer, party_id))


@router.get("/sanctions")
def list_sanctions(
    party_id: str | None = None,
    authority: str | None = None,
    status: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    viewer: Viewer = Depends(current_viewer),
    session: Session = SESSION,
) -> dict:
    total, rows = service.list_sanctions(
        session, viewer, party_id=party_id, authority=authority, status=status, limit=limit, offset=offset
    )
    return {"total": total, "results": [service.sanction_dict(s) for s in rows]}


@router.get("/authorities")
def list_authorities(viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> list[dict]:
    rows = session.scalars(
        select(LegalAuthority).where(read_filter(viewer, LegalAuthority)).order_by(LegalAuthority.code)
    )
    return [{"code": a.code, "title": a.title, "kind": a.kind} for a in rows]


@router.get("/authorities/{code}")
def get_authority(code: Key, viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> dict:
    query = select(LegalAuthority).where(LegalAuthority.code == code, read_filter(viewer, LegalAuthority))
    authority = session.scalars(query).first()
    if authority is None:
        raise NotFound(f"no legal authority {code!r}")
    return authority.data
