"""Running the follow-ups (core/followups.py): claim one that is due, run it, mark it done; again.

* **Claim.** A short transaction takes the oldest due follow-up -- pending and past its backoff, or running
  under a lease that expired (its runner died) -- with a conditional UPDATE that only one runner can win
  (PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` first, so runners do not queue on one row) and marks it
  running under this runner's lease.
* **Run.** A second transaction locks the row (PostgreSQL), runs the work -- an event becomes its reactions;
  a reaction calls its function -- and marks the row done *in the same transaction*: a crash in between
  rolls both back and the follow-up runs again once its lease expires (at least once; reactions are
  idempotent). A runner that lost its claim meanwhile rolls back its work.
* **Failure.** The work's transaction is rolled back; the follow-up waits ``backoff_seconds * 2^(n-1)``
  (at most 10 minutes) and is tried again, up to ``attempts`` times, then it is ``failed`` until retried.

Who runs them: every CLI process (at its start and before it exits), every API request that recorded
some (right after its commit), and the server's background thread (``Background``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select, true, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from goodpath.core.db import get_engine, new_session, session_scope
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.followups import (
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    STATUSES,
    WRITTEN,
    Followup,
    dedupe_key,
    fault,
    waiting,
)  # fmt: skip
from goodpath.core.models import utcnow
from goodpath.core.settings import get_settings

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600
LOST = "lost"  # an outcome: another runner holds the follow-up now


@dataclass(frozen=True)
class Reaction:
    """What runs after an event: ``run(session, payload, actor)`` returns a summary of what it did (JSON)."""

    name: str
    run: Callable[[Session, dict, str], dict | None]
    key: Callable[[dict], str] | None = None  # reactions waiting with the same key are one (default: payload)
    describe: Callable[[dict], str] | None = None  # what it did, one line for the user, from its summary

    def key_of(self, payload: dict) -> str:
        return self.key(payload) if self.key is not None else dedupe_key(self.name, payload)


Reactions = Mapping[str, Sequence[Reaction]]
_installed: dict[str, Reactions] = {}


def install(reactions: Reactions) -> None:
    """The reactions this process runs (goodpath.consequences.install, at the start of the CLI and the API)."""
    _installed["reactions"] = reactions


def installed() -> Reactions | None:
    return _installed.get("reactions")


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def _due(now):
    return or_(
        and_(Followup.status == PENDING, Followup.run_after <= now),
        and_(Followup.status == RUNNING, Followup.lease_until < now),
    )


def any_due(url: str | None = None) -> bool:
    """Whether any follow-up is due: one cheap query; False when there is no database (yet) to ask."""
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:" and not Path(path).exists():
            return False  # no database: do not create one
    try:
        with get_engine(url).connect() as connection:
            return connection.execute(select(Followup.id).where(_due(utcnow())).limit(1)).first() is not None
    except SQLAlchemyError:  # no such table yet (before `goodpath db upgrade`), database unreachable
        return False


def run_due(reactions: Reactions | None = None, *, url: str | None = None, limit: int = 1000) -> list[dict]:
    """Run the due follow-ups one by one, oldest first, until none is due (or ``limit``). Returns each
    one's outcome: {id, kind, reaction, status (done, pending: tried again later, failed, lost), result, error}."""
    reactions = reactions if reactions is not None else installed()
    if reactions is None:
        return []  # nothing installed in this process: the follow-ups wait for a process that has them
    url = url or get_settings().database_url
    me = runner_id()
    outcomes: list[dict] = []
    while len(outcomes) < limit:
        claimed = _claim(url, me)
        if claimed is None:
            break
        outcomes.append(_run(reactions, url, me, *claimed))
    return outcomes


def _claim(url: str, me: str) -> tuple[int, bool] | None:
    """The id of the follow-up this runner now holds, and whether a dead runner held it before."""
    lease = get_settings().followups.lease_seconds
    for _ in range(50):  # another runner may win the row between the two statements: take the next
        now = utcnow()
        with session_scope(url) as session:
            query = select(Followup.id, Followup.status).where(_due(now)).order_by(Followup.id).limit(1)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            found = session.execute(query).first()
            if found is None:
                return None
            won = session.execute(
                update(Followup).where(Followup.id == found.id, _due(now)).values(
                    status=RUNNING, claimed_by=me, lease_until=now + timedelta(seconds=lease),
                    attempts=Followup.attempts + 1, updated_at=now,
                ).execution_options(synchronize_session=False)
            ).rowcount  # fmt: skip
            if won:
                return found.id, found.status == RUNNING
    return None


def _run(reactions: Reactions, url: str, me: str, followup_id: int, abandoned: bool) -> dict:
    settings = get_settings().followups
    session = new_session(url)
    try:
        row = session.get(Followup, followup_id, with_for_update=True, populate_existing=True)
        if row is None or row.status != RUNNING or row.claimed_by != me:
            session.rollback()
            return _outcome(followup_id, None, None, LOST)
        what = dict(kind=row.kind, reaction=row.reaction)
        if abandoned and row.attempts > settings.attempts:
            session.rollback()
            error = f"its runner stopped (killed or crashed) while running it, {row.attempts - 1} times"
            return _failed(url, me, followup_id, what, error, give_up=True)
        if row.reaction is None:
            result = _dispatch(session, reactions, row)
        else:
            reaction = next((r for r in reactions.get(row.kind, ()) if r.name == row.reaction), None)
            if reaction is None:
                raise LookupError(f"no reaction {row.reaction!r} to {row.kind!r} is declared")
            result = reaction.run(session, dict(row.payload or {}), row.caused_by)
        fault(f"in_reaction:{row.reaction or row.kind}")
        done = session.execute(
            update(Followup).where(Followup.id == followup_id, Followup.status == RUNNING,
                                   Followup.claimed_by == me).values(
                status=DONE, result=result, lease_until=None, last_error=None, updated_at=utcnow(),
            ).execution_options(synchronize_session=False)
        ).rowcount  # fmt: skip
        if not done:  # another runner took it over (our lease expired): its run counts, ours does not
            session.rollback()
            return _outcome(followup_id, what, None, LOST)
        session.commit()
        return _outcome(followup_id, what, result, DONE)
    except Exception as exc:  # noqa: BLE001 - any failure of the work is recorded on the follow-up
        session.rollback()
        log.warning("follow-up %s failed: %s", followup_id, exc, exc_info=True)
        return _failed(url, me, followup_id, None, f"{type(exc).__name__}: {exc}")
    finally:
        session.close()


def _dispatch(session: Session, reactions: Reactions, row: Followup) -> dict:
    """An event becomes one pending reaction per declared reaction, in the declared order (ids ascending)."""
    declared = reactions.get(row.kind)
    if declared is None:
        raise LookupError(f"no reactions to {row.kind!r} are declared")
    now = utcnow()
    added, joined = [], []
    for reaction in declared:
        key = reaction.key_of(row.payload or {})
        if waiting(session, key, reaction=reaction.name) is not None:
            joined.append(reaction.name)  # the same work waits to run already
            continue
        session.add(Followup(kind=row.kind, reaction=reaction.name, event_id=row.id, payload=row.payload,
                             dedupe_key=key, status=PENDING, attempts=0, caused_by=row.caused_by, run_after=now,
                             created_at=now, updated_at=now))  # fmt: skip
        added.append(reaction.name)
    session.flush()
    return {"reactions": added, "joined": joined}


def _failed(url: str, me: str, followup_id: int, what: dict | None, error: str, *, give_up: bool = False) -> dict:
    settings = get_settings().followups
    with session_scope(url) as session:
        row = session.get(Followup, followup_id, with_for_update=True, populate_existing=True)
        if row is None or row.claimed_by != me or row.status != RUNNING:
            return _outcome(followup_id, what, None, LOST, error)
        what = dict(kind=row.kind, reaction=row.reaction)
        now = utcnow()
        row.last_error, row.lease_until, row.updated_at = error[:4000], None, now
        if give_up or row.attempts >= settings.attempts:
            row.status = FAILED
        else:
            row.status = PENDING
            wait = min(settings.backoff_seconds * 2 ** (row.attempts - 1), MAX_BACKOFF_SECONDS)
            row.run_after = now + timedelta(seconds=wait)
        return _outcome(followup_id, what, None, row.status, error)


def _outcome(followup_id: int, what: dict | None, result, status: str, error: str | None = None) -> dict:
    what = what or {"kind": None, "reaction": None}
    return {"id": followup_id, **what, "status": status, "result": result, "error": error}


def described(outcomes: list[dict], reactions: Reactions | None = None) -> list[str]:
    """One line for the user per reaction done among these outcomes that says what it did (in order)."""
    by_name = {r.name: r for rs in (reactions if reactions is not None else installed() or {}).values() for r in rs}
    lines = []
    for outcome in outcomes:
        reaction = by_name.get(outcome["reaction"] or "")
        if outcome["status"] == DONE and reaction is not None and reaction.describe and outcome["result"] is not None:
            lines.append(reaction.describe(outcome["result"]))
    return lines


def result_of(outcomes: list[dict], reaction: str) -> dict | None:
    """The result of the last run of ``reaction`` among these outcomes (None when it did not run here)."""
    done = [o["result"] for o in outcomes if o["reaction"] == reaction and o["status"] == DONE]
    return done[-1] if done else None


# --- reading and repairing ----------------------------------------------------------------------------


def _shown(status: str | None, include_done: bool):
    """The follow-ups a listing shows: those of ``status``, else all but the done ones (``include_done``: all)."""
    if status is not None:
        if status not in STATUSES:
            raise GoodpathError(f"a follow-up's status is one of {', '.join(STATUSES)}, not {status!r}")
        return Followup.status == status
    return true() if include_done else Followup.status != DONE


def listing(session: Session, *, include_done: bool = False, limit: int = 100, status: str | None = None
            ) -> list[Followup]:  # fmt: skip
    """Pending, running and failed follow-ups (and the latest done ones with ``include_done``; those of one
    ``status`` alone when given): the latest ``limit`` of them, oldest first."""
    query = select(Followup).where(_shown(status, include_done))
    rows = session.scalars(query.order_by(Followup.id.desc()).limit(limit)).all()
    return sorted(rows, key=lambda r: r.id)


def count(session: Session, *, include_done: bool = False, status: str | None = None) -> int:
    """How many follow-ups ``listing`` would show without its limit."""
    return session.scalar(select(func.count()).select_from(Followup).where(_shown(status, include_done))) or 0


def counts(session: Session) -> dict[str, int]:
    """How many follow-ups there are of each status (every status, 0 when none)."""
    found = dict(session.execute(select(Followup.status, func.count()).group_by(Followup.status)).all())
    return {status: found.get(status, 0) for status in STATUSES}


def retry(session: Session, followup_id: int) -> Followup:
    """A failed follow-up runs again (its attempts start over); the request or command that retried it
    runs it after its commit (``followups.WRITTEN``), else any runner does."""
    row = session.get(Followup, followup_id)
    if row is None:
        raise NotFound(f"no follow-up {followup_id}")
    if row.status != FAILED:
        raise Refused(f"follow-up {followup_id} is {row.status}: only a failed one is retried")
    row.status, row.attempts, row.run_after, row.updated_at = PENDING, 0, utcnow(), utcnow()
    row.claimed_by = row.lease_until = None
    session.info[WRITTEN] = True
    session.flush()
    return row


def retry_failed(session: Session) -> list[Followup]:
    """Every failed follow-up runs again, oldest first (as ``retry`` each)."""
    ids = session.scalars(select(Followup.id).where(Followup.status == FAILED).order_by(Followup.id)).all()
    return [retry(session, followup_id) for followup_id in ids]


def purge(session: Session, keep_days: int | None = None) -> int:
    """Delete the follow-ups done more than ``keep_days`` ago."""
    days = keep_days if keep_days is not None else get_settings().followups.keep_days
    before = utcnow() - timedelta(days=days)
    return session.execute(delete(Followup).where(Followup.status == DONE, Followup.updated_at < before)).rowcount


# --- the server's background runner -------------------------------------------------------------------


class Background:
    """A thread of the server that runs the due follow-ups at its start, then every ``poll_seconds`` or
    when ``kick``-ed; it deletes old done ones once an hour."""

    def __init__(self, url: str | None = None, poll_seconds: float | None = None) -> None:
        self.url = url
        self.poll = poll_seconds if poll_seconds is not None else get_settings().followups.poll_seconds
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_at = 0.0

    def start(self) -> Background:
        self._thread = threading.Thread(target=self._loop, name="goodpath-followups", daemon=True)
        self._thread.start()
        return self

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_due(url=self.url)
                if time.monotonic() - self._purged_at > 3600:
                    with session_scope(self.url) as session:
                        purge(session)
                    self._purged_at = time.monotonic()
            except Exception:  # noqa: BLE001 - e.g. the database is away for a moment: try again later
                log.warning("follow-up runner: will try again", exc_info=True)
            self._wake.wait(self.poll)
            self._wake.clear()
