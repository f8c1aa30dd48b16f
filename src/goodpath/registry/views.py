"""API routes for parties, sanctions and legal authorities (thin: services do the work)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.deps import current_viewer
from goodpath.access.policy import Viewer, read_filter
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Key, Limit, Offset
from goodpath.core.errors import NotFound
from goodpath.registry import service
from goodpath.registry.models import LegalAuthority

router = APIRouter(tags=["registry"])


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
