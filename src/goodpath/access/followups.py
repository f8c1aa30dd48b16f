"""The follow-up work (core/followups.py) through the policy: administrators alone list it and retry it.

A follow-up's payload and result name records of any marking (a case, a party, a proposal) and its
last error may quote them, so reading them is not a matter of each record's marking: it takes
``followups.manage``, which administrators hold (as they manage users). The command line, run by the
server's operator, reads and retries them without a viewer (``goodpath followups``).

Retrying is a change: audited under the viewer's name (``followup.retry``, without payload or error).
The retried follow-ups run right after the request's commit, else by any runner.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer
from goodpath.access.records import require
from goodpath.core import audit_log, followup_runner
from goodpath.core.errors import NotFound
from goodpath.core.followups import FAILED, Followup, to_dict


def listing(session: Session, viewer: Viewer, *, status: str | None = None, include_done: bool = False,
            limit: int = 100) -> dict:  # fmt: skip
    """``{results, total}``: the pending, running and failed follow-ups (``include_done``: the done ones
    too; ``status``: that status alone), the latest ``limit`` of them, oldest first; ``total`` without
    the limit."""
    require(viewer, Permission.MANAGE_FOLLOWUPS)
    rows = followup_runner.listing(session, status=status, include_done=include_done, limit=limit)
    total = followup_runner.count(session, status=status, include_done=include_done)
    return {"results": [to_dict(row) for row in rows], "total": total}


def show(session: Session, viewer: Viewer, followup_id: int) -> dict:
    """One follow-up (NotFound when there is none)."""
    require(viewer, Permission.MANAGE_FOLLOWUPS)
    row = session.get(Followup, followup_id)
    if row is None:
        raise NotFound(f"no follow-up {followup_id}")
    return to_dict(row)


def counts(session: Session, viewer: Viewer) -> dict[str, int]:
    """How many follow-ups there are of each status."""
    require(viewer, Permission.MANAGE_FOLLOWUPS)
    return followup_runner.counts(session)


def retry(session: Session, viewer: Viewer, followup_id: int) -> dict:
    """A failed follow-up runs again (its attempts start over): NotFound, or Refused unless it failed."""
    require(viewer, Permission.MANAGE_FOLLOWUPS)
    attempts = _attempts(session, followup_id)
    row = followup_runner.retry(session, followup_id)
    _audit(session, viewer, row, attempts)
    return to_dict(row)


def retry_failed(session: Session, viewer: Viewer) -> dict:
    """``{results, total}``: every failed follow-up, now pending again, oldest first."""
    require(viewer, Permission.MANAGE_FOLLOWUPS)
    attempts = dict(session.execute(select(Followup.id, Followup.attempts).where(Followup.status == FAILED)).all())
    rows = followup_runner.retry_failed(session)
    for row in rows:
        _audit(session, viewer, row, attempts.get(row.id))
    return {"results": [to_dict(row) for row in rows], "total": len(rows)}


def _attempts(session: Session, followup_id: int) -> int | None:
    row = session.get(Followup, followup_id)
    return row.attempts if row is not None else None


def _audit(session: Session, viewer: Viewer, row: Followup, attempts: int | None) -> None:
    what = {"kind": row.kind, "reaction": row.reaction}
    audit_log.record(session, actor=viewer.actor, action="followup.retry", target_type="followup",
                     target_id=str(row.id), before={**what, "status": "failed", "attempts": attempts},
                     after={**what, "status": row.status, "attempts": row.attempts})  # fmt: skip
