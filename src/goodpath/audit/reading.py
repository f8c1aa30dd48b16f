"""Reading the audit log: entries as a viewer may see them, newest first, optionally filtered."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, marking_readable
from goodpath.core.audit_log import AuditEntry


def entry_for(viewer: Viewer, entry: AuditEntry) -> dict:
    """An entry as the viewer may see it: the chain fields always, the content only within
    the viewer's clearance and releasability."""
    shown = {"seq": entry.seq, "recorded_at": entry.recorded_at, "classification": entry.classification,
             "prev_hash": entry.prev_hash, "hash": entry.hash}  # fmt: skip
    if not marking_readable(viewer, entry.classification, entry.releasability, None):
        return {**shown, "redacted": True}
    return {
        **shown,
        "redacted": False,
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "reason": entry.reason,
        "before": json.loads(entry.before) if entry.before else None,
        "after": json.loads(entry.after) if entry.after else None,
        "releasability": entry.releasability,
    }


def entries(
    session: Session,
    viewer: Viewer,
    *,
    actor: str = "",
    action: str = "",
    target: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """``{"total", "results"}``: entries newest first as ``entry_for`` shows them. A filter (an actor, an
    action prefix, a target id or type) looks at content: only entries the viewer may read can match it,
    else the count of matches would tell what redacted entries hold."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if not (actor or action or target):
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        return {
            "total": total,
            "results": [entry_for(viewer, row) for row in session.scalars(query.limit(limit).offset(offset))],
        }
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if target:
        query = query.where((AuditEntry.target_id == target) | (AuditEntry.target_type == target))
    shown = [e for e in (entry_for(viewer, row) for row in session.scalars(query)) if not e["redacted"]]
    return {"total": len(shown), "results": shown[offset : offset + limit]}
