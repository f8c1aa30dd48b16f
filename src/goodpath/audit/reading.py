"""Reading the audit log: an entry as a viewer may see it."""

from __future__ import annotations

import json

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
