"""Dispositions: an analyst's verdict on a screening hit, shown on later screenings of the
same name, and false positives suppressed until the list entry they were decided on changes.

A disposition is keyed by the screened name (``subject_key``: word-order-free, any script,
plus the country when one was given) and the hit's list entry. It stores the entry's
``content_hash`` at decision time: when the list changes the entry, the disposition is
*stale*, a false positive is no longer suppressed, and the hit shows again with its prior
(stale) disposition for the analyst to decide anew. A suppressed false positive is *reopened*
by a later disposition whose verdict is ``reopened`` (with a reason): the hit shows again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from goodpath.access.policy import Permission, Viewer, can, can_read, read_filter
from goodpath.core import audit_log as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import utcnow
from goodpath.registry.models import ListEntry
from goodpath.screening.models import Disposition
from goodpath.screening.normalize import name_key, tokens

VERDICTS = ("true_match", "false_positive")
REOPENED = "reopened"  # a later disposition that lifts a false positive's suppression
SHOWN_VERDICTS = (*VERDICTS, REOPENED)
MAX_REASON = 4000


def subject_key(name: str, country: str | None = None) -> str:
    """The word-order-free normalized key of a screened name, plus its country when given:
    ``subject_key("Haige  GUANGZHOU", "CN") == "guangzhou haige|cn"``."""
    key = name_key(tokens(name))
    return f"{key}|{country.strip().lower()}" if country and country.strip() else key


def _holder_marking(viewer: Viewer) -> dict:
    """What a viewer records is releasable to their own organization."""
    organization = viewer.organization or "USA"
    return {"classification": "UNCLASSIFIED", "releasability": organization, "originator": organization,
            "published": False}  # fmt: skip


def to_dict(d: Disposition, current_hash: str | None = None) -> dict:
    out = {
        "id": d.id,
        "subject_key": d.subject_key,
        "name": d.name,
        "country": d.country,
        "party_id": d.hit_party_id,
        "entry_id": d.entry_id,
        "dataset": d.dataset,
        "verdict": d.verdict,
        "reason": d.reason,
        "decided_by": d.decided_by,
        "decided_at": _iso(d.decided_at),
    }
    if current_hash is not None:
        out["stale"] = current_hash != d.content_hash
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Suppressions:
    """The dispositions a viewer may read, by (subject key, entry id), with each entry's current
    content hash: what a screening needs to annotate and suppress hits, from one query."""

    def __init__(self, latest: dict[tuple[str, str], tuple[Disposition, str]]):
        self._latest = latest

    @classmethod
    def load(cls, session: Session, viewer: Viewer, keys: Iterable[str] | None = None) -> Suppressions:
        """One query; only dispositions the viewer may read. ``keys`` narrows to those subject keys."""
        query = (
            select(Disposition, ListEntry.content_hash)
            .join(ListEntry, ListEntry.id == Disposition.entry_id)
            .where(read_filter(viewer, Disposition))
            .order_by(Disposition.decided_at, Disposition.id)
        )
        if keys is not None:
            query = query.where(Disposition.subject_key.in_(sorted(set(keys))))
        latest: dict[tuple[str, str], tuple[Disposition, str]] = {}
        for disposition, current_hash in session.execute(query):
            latest[(disposition.subject_key, disposition.entry_id)] = (disposition, current_hash)
        return cls(latest)

    def __len__(self) -> int:
        return len(self._latest)

    def is_suppressed(self, key: str, entry_id: str) -> bool:
        """True when the latest disposition is a false positive decided on the entry as it is now."""
        found = self._latest.get((key, entry_id))
        if found is None:
            return False
        disposition, current_hash = found
        return disposition.verdict == "false_positive" and disposition.content_hash == current_hash

    def prior(self, key: str, entry_id: str) -> dict | None:
        """The latest disposition for display (verdict, reason, decided_by, decided_at, stale), or None."""
        found = self._latest.get((key, entry_id))
        if found is None:
            return None
        disposition, current_hash = found
        return {
            "id": disposition.id,
            "verdict": disposition.verdict,
            "reason": disposition.reason,
            "decided_by": disposition.decided_by,
            "decided_at": _iso(disposition.decided_at),
            "stale": disposition.content_hash != current_hash,
        }


def record(
    session: Session,
    viewer: Viewer,
    *,
    name: str,
    country: str | None,
    party_id: str | None,
    entry_id: str,
    verdict: str,
    reason: str,
) -> Disposition:
    """Record a verdict on the hit of ``name`` (as screened, with ``country``) on list entry
    ``entry_id``. ``party_id`` is the hit's registry party (optional; it must be the entry's)."""
    if not can(viewer, Permission.REVIEW_SCREENING):
        raise Refused("you do not have permission to review screening results")
    if verdict not in VERDICTS:
        raise GoodpathError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    reason = (reason or "").strip()
    if not reason:
        raise GoodpathError("a disposition needs a reason (why this hit is or is not the party)")
    if len(reason) > MAX_REASON:
        raise GoodpathError(f"the reason is longer than {MAX_REASON} characters")
    key = subject_key(name or "", country)
    if not key or key.startswith("|"):
        raise GoodpathError("the screened name has no letters or digits to decide on")
    entry = session.get(ListEntry, entry_id) if entry_id else None
    if entry is None or not can_read(viewer, entry):
        raise NotFound(f"no list entry {entry_id!r}")
    if party_id and party_id != entry.party_id:
        raise GoodpathError(f"list entry {entry_id!r} is not an entry of party {party_id!r}")
    disposition = Disposition(
        subject_key=key, name=name.strip(), country=country.strip().lower() if country else None,
        hit_party_id=entry.party_id, entry_id=entry.id, dataset=entry.dataset, verdict=verdict, reason=reason,
        content_hash=entry.content_hash, decided_by=viewer.actor, decided_at=utcnow(), **_holder_marking(viewer),
    )  # fmt: skip
    session.add(disposition)
    session.flush()
    marking = _holder_marking(viewer)
    entry_audit = audit.record(
        session, actor=viewer.actor, action="screening.disposition", target_type="screening_disposition",
        target_id=str(disposition.id), after=to_dict(disposition) | {"content_hash": entry.content_hash},
        reason=reason, classification=marking["classification"], releasability=marking["releasability"],
    )  # fmt: skip
    disposition.audit_seq = entry_audit.seq
    session.flush()
    return disposition


def _superseded(viewer: Viewer):
    """True for a disposition with a later one (that the viewer may read) on the same name and entry."""
    later = aliased(Disposition)
    return exists().where(
        later.subject_key == Disposition.subject_key, later.entry_id == Disposition.entry_id,
        (later.decided_at > Disposition.decided_at)
        | and_(later.decided_at == Disposition.decided_at, later.id > Disposition.id),
        read_filter(viewer, later),
    )  # fmt: skip


def _query(viewer: Viewer, name, country, entry_id, verdict, party_id=None, suppressing: bool = False):
    query = (
        select(Disposition, ListEntry.content_hash, _superseded(viewer).label("superseded"))
        .join(ListEntry, ListEntry.id == Disposition.entry_id)
        .where(read_filter(viewer, Disposition))
    )
    if name:
        query = query.where(Disposition.subject_key == subject_key(name, country))
    if entry_id:
        query = query.where(Disposition.entry_id == entry_id)
    if party_id:
        query = query.where(Disposition.hit_party_id == party_id)
    if verdict:
        allowed = SHOWN_VERDICTS if verdict == REOPENED else VERDICTS
        if verdict not in allowed:
            raise GoodpathError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        query = query.where(Disposition.verdict == verdict)
    if suppressing:  # false positives in force: the latest decision, on the entry as it is now
        query = query.where(
            Disposition.verdict == "false_positive", Disposition.content_hash == ListEntry.content_hash,
            ~_superseded(viewer),
        )  # fmt: skip
    return query


def _row(d: Disposition, current: str | None, superseded: bool) -> dict:
    out = to_dict(d, current) | {"superseded": bool(superseded)}
    out["suppressing"] = d.verdict == "false_positive" and not out["stale"] and not out["superseded"]
    return out


def list_dispositions(
    session: Session,
    viewer: Viewer,
    *,
    name: str | None = None,
    country: str | None = None,
    entry_id: str | None = None,
    verdict: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict]:
    """Dispositions the viewer may read, newest first, each with ``stale`` against the entry now."""
    query = _query(viewer, name, country, entry_id, verdict)
    query = query.order_by(Disposition.decided_at.desc(), Disposition.id.desc()).limit(limit).offset(offset)
    return [to_dict(d, current) for d, current, _ in session.execute(query)]


def page_dispositions(
    session: Session,
    viewer: Viewer,
    *,
    name: str | None = None,
    country: str | None = None,
    party_id: str | None = None,
    verdict: str | None = None,
    suppressing: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> dict:
    """As ``list_dispositions``, with the total and, on each, ``superseded`` (a later decision on
    the same name and entry) and ``suppressing`` (a false positive in force); ``verdict`` may also be
    ``reopened``; ``suppressing``: only false positives in force; ``party_id``: the hit's party."""
    query = _query(viewer, name, country, None, verdict, party_id=party_id, suppressing=suppressing)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Disposition.decided_at.desc(), Disposition.id.desc()).limit(limit).offset(offset)
    return {"total": total, "results": [_row(*row) for row in session.execute(query)]}


def get_disposition(session: Session, viewer: Viewer, disposition_id: int) -> dict:
    """One disposition the viewer may read, with ``stale``, ``superseded``, ``suppressing``, and
    ``decisions``: every decision on the same name and entry the viewer may read, newest first."""
    found = session.execute(
        _query(viewer, None, None, None, None).where(Disposition.id == disposition_id)
    ).first()  # fmt: skip
    if found is None:
        raise NotFound(f"no disposition {disposition_id}")
    out = _row(*found)
    same = _query(viewer, None, None, found[0].entry_id, None).where(Disposition.subject_key == found[0].subject_key)
    rows = session.execute(same.order_by(Disposition.decided_at.desc(), Disposition.id.desc()))
    return out | {"decisions": [_row(*row) for row in rows]}


def reopen(session: Session, viewer: Viewer, disposition_id: int, reason: str) -> Disposition:
    """Lift a suppressed false positive, saying why: a later disposition ``reopened`` on the same
    name and entry, so later screenings show the hit again (with this as its prior decision)."""
    if not can(viewer, Permission.REVIEW_SCREENING):
        raise Refused("you do not have permission to review screening results")
    found = get_disposition(session, viewer, disposition_id)
    if not found["suppressing"]:
        why = (
            "it is not a false positive" if found["verdict"] != "false_positive"
            else "a later decision on the same hit replaced it" if found["superseded"]
            else "its list entry changed since, so it no longer suppresses the hit"
        )  # fmt: skip
        raise Refused(f"disposition {disposition_id} is not a suppressed false positive: {why}")
    reason = (reason or "").strip()
    if not reason:
        raise GoodpathError("reopening needs a reason (why the hit should be reviewed again)")
    if len(reason) > MAX_REASON:
        raise GoodpathError(f"the reason is longer than {MAX_REASON} characters")
    original = session.get(Disposition, disposition_id)
    entry = session.get(ListEntry, original.entry_id)
    disposition = Disposition(
        subject_key=original.subject_key, name=original.name, country=original.country,
        hit_party_id=original.hit_party_id, entry_id=original.entry_id, dataset=original.dataset, verdict=REOPENED,
        reason=reason, content_hash=entry.content_hash, decided_by=viewer.actor,
        decided_at=max(utcnow(), _aware(original.decided_at)), **_holder_marking(viewer),
    )  # fmt: skip
    session.add(disposition)
    session.flush()
    marking = _holder_marking(viewer)
    entry_audit = audit.record(
        session, actor=viewer.actor, action="screening.disposition.reopen", target_type="screening_disposition",
        target_id=str(disposition.id), before={"id": original.id, "verdict": original.verdict},
        after=to_dict(disposition), reason=reason, classification=marking["classification"],
        releasability=marking["releasability"],
    )  # fmt: skip
    disposition.audit_seq = entry_audit.seq
    session.flush()
    return disposition


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)
