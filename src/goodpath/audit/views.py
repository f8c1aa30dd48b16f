"""API routes for the audit log: chain verification over every entry, entries at the viewer's clearance."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from goodpath.access.deps import require
from goodpath.access.policy import Permission, Viewer
from goodpath.audit import reading
from goodpath.core import audit_log
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Limit, Offset

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
    return reading.entries(session, viewer, limit=limit, offset=offset)
