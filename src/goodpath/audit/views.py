"""API routes for the audit log: chain verification over every entry, entries at the viewer's clearance."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.access.deps import require
from goodpath.access.policy import Permission, Viewer
from goodpath.audit.reading import entry_for
from goodpath.core import audit_log
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Limit, Offset
from goodpath.core.audit_log import AuditEntry

router = APIRouter(tags=["audit"])


@router.get("/audit/verify")
def verify(viewer: Viewer = Depends(require(Permission.VERIFY_AUDIT)), session: Session = SESSION) -> dict:
    """Checks the whole chain, whatever the viewer's clearance: hashes reveal no content."""
    return audit_log.verify(session).to_dict()


@router.get("/audit/entries")
def entries(
    limit: Limit = 50,
    offset: Offset = 0,
    viewer: Viewer = Depends(require(Permission.READ_AUDIT)),
    session: Session = SESSION,
) -> dict:
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit).offset(offset))
    return {"total": total, "results": [entry_for(viewer, e) for e in rows]}
