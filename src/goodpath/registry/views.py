"""API routes for parties, sanctions and legal authorities (thin: services do the work)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.core.api_support import get_session
from goodpath.core.errors import NotFound
from goodpath.registry import service
from goodpath.registry.models import LegalAuthority, Party, Sanction

router = APIRouter(tags=["registry"])


@router.get("/parties")
def list_parties(
    q: str | None = Query(None, description="Words of a name, any script"),
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0),
    include_delisted: bool = False,
    session: Session = Depends(get_session),
) -> dict:
    if q:
        total, parties = service.search_parties(
            session, q, limit=limit, offset=offset, include_delisted=include_delisted
        )
    else:
        total = session.scalar(select(func.count()).select_from(Party)) or 0
        parties = session.scalars(select(Party).order_by(Party.caption, Party.id).limit(limit).offset(offset))
    return {"total": total, "limit": limit, "offset": offset, "results": [service.party_summary(p) for p in parties]}


@router.get("/parties/{party_id}")
def get_party(party_id: str, session: Session = Depends(get_session)) -> dict:
    return service.party_detail(session, service.get_party(session, party_id))


@router.get("/sanctions")
def list_sanctions(
    party_id: str | None = None,
    authority: str | None = None,
    status: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    session: Session = Depends(get_session),
) -> dict:
    query = select(Sanction)
    if party_id:
        query = query.where(Sanction.party_id == party_id)
    if authority:
        query = query.where(Sanction.authority_code == authority)
    if status:
        query = query.where(Sanction.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Sanction.id).limit(limit).offset(offset))
    return {"total": total, "results": [service.sanction_dict(s) for s in rows]}


@router.get("/authorities")
def list_authorities(session: Session = Depends(get_session)) -> list[dict]:
    rows = session.scalars(select(LegalAuthority).order_by(LegalAuthority.code))
    return [{"code": a.code, "title": a.title, "kind": a.kind} for a in rows]


@router.get("/authorities/{code}")
def get_authority(code: str, session: Session = Depends(get_session)) -> dict:
    authority = session.get(LegalAuthority, code)
    if authority is None:
        raise NotFound(f"no legal authority {code!r}")
    return authority.data
