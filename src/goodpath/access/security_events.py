"""Security events: who tried what and was refused, or changed who may do what.

Every event goes to the ``goodpath.security`` logger; the ones an auditor must be able to
find later also go to the audit log (through its one writer). Failed and throttled logins
and access denials happen in requests that then fail, and a failing request's session is
rolled back: ``apart`` writes them in a short transaction of their own, so they are kept
whatever becomes of the request. No password, token or cookie value is ever given here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from goodpath.core import audit_log as audit
from goodpath.core.audit_log import AuditEntry
from goodpath.core.models import utcnow

log = logging.getLogger("goodpath.security")


def emit(action: str, *, level: int = logging.INFO, **details) -> None:
    """One log line: the action, then ``key='value'`` pairs (repr: a newline cannot forge a line)."""
    words = " ".join(f"{key}={value!r}" for key, value in details.items())
    log.log(level, "%s %s", action, words, extra={"security_event": action, "details": details})


def audited(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | None,
    level: int = logging.INFO,
    quiet_seconds: int | None = None,
    **details,
) -> bool:
    """Log the event and append it to the audit log in ``session``'s transaction.

    ``quiet_seconds``: not audited again (only logged) if the same actor's same action on the
    same target is already in the audit log that recently — a client repeating a refused call
    does not flood the log. Returns whether an audit entry was written."""
    emit(action, level=level, actor=actor, target=f"{target_type}:{target_id}", **details)
    if quiet_seconds and _recently_audited(session, actor, action, target_id, quiet_seconds):
        return False
    audit.record(session, actor=actor, action=action, target_type=target_type, target_id=target_id,
                 after=details or None)  # fmt: skip
    return True


def _recently_audited(session: Session, actor: str, action: str, target_id: str | None, seconds: int) -> bool:
    since = (utcnow() - timedelta(seconds=seconds)).isoformat(timespec="microseconds")  # stored as ISO text
    query = select(AuditEntry.seq).where(
        AuditEntry.action == action, AuditEntry.target_id == target_id, AuditEntry.actor == actor,
        AuditEntry.recorded_at >= since,
    )  # fmt: skip
    return session.scalars(query.limit(1)).first() is not None


@contextmanager
def apart(session: Session) -> Iterator[Session]:
    """A short transaction of its own on ``session``'s database, committed at once.

    Meant for logins and permission checks, before the request has changed anything of its own.
    SQLite has one writer at a time: if ``session`` already writes (a session's last-use time,
    flushed), a second writer would wait for it forever, so ``session`` is committed first."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if engine.dialect.name == "sqlite" and _writing(session):
        session.commit()
    with Session(engine, expire_on_commit=False) as own, own.begin():
        yield own


def _writing(session: Session) -> bool:
    """Whether ``session`` holds SQLite's write lock (the driver begins a transaction at the first write)."""
    if not session.in_transaction():
        return False
    return bool(session.connection().connection.dbapi_connection.in_transaction)
