"""Continuous re-screening: watched names (screened subjects) are screened again after every
list import (a follow-up of the import: goodpath.consequences), and each hit that is new or
changed since the subject's last screening becomes an alert for an analyst to acknowledge.

* **Subjects.** Any module registers the names it needs watched with ``watch`` under a
  ``source`` label (``manual`` from the CLI/API; disclosed counterparties and case parties
  later). ``sync_engaged_companies`` keeps one subject per engaged company: the registry
  parties of the ``goodpath-engagement`` dataset whose schema is Company.
* **What is compared.** Each subject's last hits are stored by hit party: list entry, score
  and the entry's ``content_hash``. A hit is *new* when its party was not a hit before,
  *changed* when its best list entry is another one, the entry's content changed, or its score
  moved by ``SCORE_CHANGE`` or more (token weights shift a little with every import, so tiny
  moves are not news); a hit that is gone is *cleared*. Unchanged hits raise nothing, so a
  re-run with no list change raises nothing. Hits suppressed as known false positives raise
  nothing either, until their list entry changes.
* **Whose view.** A subject is screened as an analyst of its originating organization cleared
  to its classification, and its alerts carry its marking: whoever may read an alert may read
  every name it cites. The curated ``goodpath-engagement`` dataset is not screened against:
  it describes the engaged companies themselves and is not a list import.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import Session

from goodpath.access.auth import normalize_username
from goodpath.access.policy import Permission, Role, Viewer, can, can_read, level, read_filter
from goodpath.access.records import history
from goodpath.core import audit_log as audit
from goodpath.core import followups, workflow
from goodpath.core.db import advisory_key
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import utcnow
from goodpath.core.settings import hosting_organization
from goodpath.core.work import WorkAssignment
from goodpath.registry.datasets import ENGAGEMENT_DATASET
from goodpath.registry.models import ListEntry, Party
from goodpath.screening import service
from goodpath.screening.dispositions import Suppressions, subject_key
from goodpath.screening.match import best_hits, make_query
from goodpath.screening.models import ScreenedSubject, ScreeningAlert
from goodpath.screening.score import DEFAULT_THRESHOLD

ENGAGED_COMPANY = "engaged-company"
MANUAL = "manual"
SOURCE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
SCHEMATA = ("Company", "Organization", "LegalEntity", "PublicBody", "Person", "Vessel", "Airplane")
# open -> escalated (for a second look) -> acknowledged; or open -> acknowledged.
ALERT_STATUSES = ("open", "escalated", "acknowledged")
ALERT_RECORD = "screening_alert"  # the record type of an alert's status events (core.workflow)
ALERT_WORK = "alert"  # the record type of an alert's assignment (core.work)
MAX_NOTE = 4000
MONITOR_LIMIT = 25  # hits kept per subject
SCORE_CHANGE = 0.01  # a score move this large (since the last alert) is a change
_PG_RESCREEN_LOCK = "rescreen"  # advisory lock: one re-screening at a time
RESCREEN = "rescreen_watched_names"  # the reaction to every list import (goodpath.consequences)


def _marking_for(organization: str | None) -> dict:
    org = organization or hosting_organization()
    return {"classification": "UNCLASSIFIED", "releasability": org, "originator": org, "published": False}


def _subject_viewer(subject: ScreenedSubject, actor: str) -> Viewer:
    """An analyst of the subject's originating organization, cleared to the subject's level."""
    return Viewer(
        role=Role.ANALYST, clearance=level(subject.classification), organization=subject.originator,
        user_id=0, username=actor,
    )  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- subjects ------------------------------------------------------------------------------


def _clean_subject(name: str, country: str | None, schema: str | None, source: str) -> tuple[str, str | None, str]:
    name = (name or "").strip()
    if not name or len(name) > 500:
        raise GoodpathError("a watched name needs 1 to 500 characters")
    country = (country or "").strip().lower() or None
    if country is not None and not re.fullmatch(r"[a-z]{2}", country):
        raise GoodpathError(f"country must be an ISO 3166-1 alpha-2 code (e.g. CN), not {country!r}")
    if schema is not None and schema not in SCHEMATA:
        raise GoodpathError(f"schema must be one of {', '.join(SCHEMATA)}, not {schema!r}")
    if not SOURCE_PATTERN.fullmatch(source or ""):
        raise GoodpathError("source must be a short label of lower-case letters, digits and '-' (e.g. manual)")
    key = subject_key(name, country)
    if not key or key.startswith("|"):
        raise GoodpathError("the watched name has no letters or digits to screen")
    return name, country, key


def watch(
    session: Session,
    viewer: Viewer,
    name: str,
    country: str | None = None,
    schema: str | None = None,
    party_id: str | None = None,
    source: str = MANUAL,
) -> ScreenedSubject:
    """Register a name to be re-screened after every list import (idempotent per name, country,
    source and party). The subject is marked releasable to the viewer's organization. Who may
    register is the caller's rule (the API and CLI require the screening.review permission)."""
    name, country, key = _clean_subject(name, country, schema, source)
    if party_id is not None:
        party = session.get(Party, party_id)
        if party is None or not can_read(viewer, party):
            raise NotFound(f"no party {party_id!r}")
    marking = _marking_for(viewer.organization)
    existing = session.scalars(
        select(ScreenedSubject).where(
            ScreenedSubject.subject_key == key,
            ScreenedSubject.source == source,
            ScreenedSubject.party_id.is_(None) if party_id is None else ScreenedSubject.party_id == party_id,
            ScreenedSubject.originator == marking["originator"],
        )  # fmt: skip
    ).first()
    if existing is not None:
        if not existing.active or (schema and existing.schema != schema):
            before = subject_to_dict(existing)
            existing.active, existing.schema = True, schema or existing.schema
            session.flush()
            _audit_subject(session, viewer.actor, "screening.watch", existing, before)
        return existing
    subject = ScreenedSubject(
        subject_key=key, name=name, country=country, schema=schema, party_id=party_id, source=source, active=True,
        created_by=viewer.actor, created_at=utcnow(), **marking,
    )  # fmt: skip
    session.add(subject)
    session.flush()
    _audit_subject(session, viewer.actor, "screening.watch", subject, None)
    return subject


def _audit_subject(session: Session, actor: str, action: str, subject: ScreenedSubject, before: dict | None) -> None:
    after = {k: v for k, v in subject_to_dict(subject).items() if k not in {"hits", "lists", "last_screened_at"}}
    if before is not None:
        before = {k: v for k, v in before.items() if k not in {"hits", "lists", "last_screened_at"}}
    audit.record(
        session, actor=actor, action=action, target_type="screened_subject", target_id=str(subject.id),
        before=before, after=after, classification=subject.classification, releasability=subject.releasability,
    )  # fmt: skip


def sync_engaged_companies(session: Session, actor: str) -> dict:
    """One ``engaged-company`` subject per company of the goodpath-engagement dataset: added
    when new, renamed when its primary name or country changed, deactivated when it left."""
    rows = session.execute(
        select(ListEntry.party_id, ListEntry.caption, ListEntry.data, ListEntry.status).where(
            ListEntry.dataset == ENGAGEMENT_DATASET, ListEntry.schema == "Company"
        )
    ).all()
    wanted = {}
    for party_id, caption, data, status in rows:
        if status == "listed":
            countries = (data or {}).get("countries") or []
            wanted[party_id] = (caption, countries[0].lower() if countries else None)
    existing = {
        s.party_id: s for s in session.scalars(select(ScreenedSubject).where(ScreenedSubject.source == ENGAGED_COMPANY))
    }
    added = updated = deactivated = 0
    for party_id, (name, country) in sorted(wanted.items()):
        subject = existing.get(party_id)
        key = subject_key(name, country)
        if subject is None:
            subject = ScreenedSubject(
                subject_key=key, name=name, country=country, schema="Company", party_id=party_id,
                source=ENGAGED_COMPANY, active=True, created_by=actor, created_at=utcnow(),
                **_marking_for(hosting_organization()),
            )  # fmt: skip
            session.add(subject)
            session.flush()
            _audit_subject(session, actor, "screening.watch", subject, None)
            added += 1
        elif (subject.name, subject.country, subject.active) != (name, country, True):
            before = subject_to_dict(subject)
            subject.name, subject.country, subject.subject_key, subject.active = name, country, key, True
            session.flush()
            _audit_subject(session, actor, "screening.watch", subject, before)
            updated += 1
    for party_id, subject in sorted(existing.items(), key=lambda item: item[1].id):
        if party_id not in wanted and subject.active:
            before = subject_to_dict(subject)
            subject.active = False
            session.flush()
            _audit_subject(session, actor, "screening.unwatch", subject, before)
            deactivated += 1
    return {"companies": len(wanted), "added": added, "updated": updated, "deactivated": deactivated}


def subject_to_dict(s: ScreenedSubject) -> dict:
    hits = sorted((s.last_hits or {}).values(), key=lambda h: (-h["score"], h["party_id"]))
    return {
        "id": s.id, "name": s.name, "country": s.country, "schema": s.schema, "party_id": s.party_id,
        "source": s.source, "active": s.active, "subject_key": s.subject_key, "created_by": s.created_by,
        "created_at": _iso(s.created_at), "last_screened_at": _iso(s.last_screened_at), "hits": hits,
        "lists": s.last_lists, "classification": s.classification, "releasability": s.releasability,
    }  # fmt: skip


def list_subjects(
    session: Session,
    viewer: Viewer,
    *,
    source: str | None = None,
    include_inactive: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> dict:
    query = select(ScreenedSubject).where(read_filter(viewer, ScreenedSubject))
    if source:
        query = query.where(ScreenedSubject.source == source)
    if not include_inactive:
        query = query.where(ScreenedSubject.active.is_(True))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(ScreenedSubject.id).limit(limit).offset(offset))
    return {"total": total, "results": [subject_to_dict(s) for s in rows]}


def _readable_subject(session: Session, viewer: Viewer, subject_id: int) -> ScreenedSubject:
    subject = session.get(ScreenedSubject, subject_id)
    if subject is None or not can_read(viewer, subject):
        raise NotFound(f"no watched name {subject_id}")
    return subject


def get_subject(session: Session, viewer: Viewer, subject_id: int) -> dict:
    """One watched name the viewer may read, with its hits as last screened."""
    return subject_to_dict(_readable_subject(session, viewer, subject_id))


def unwatch(session: Session, viewer: Viewer, subject_id: int) -> dict:
    """Stop re-screening a watched name (kept, inactive, with its alerts; ``watch`` resumes it).
    Engaged companies are watched while they are engaged: they are not stopped by hand."""
    if not can(viewer, Permission.REVIEW_SCREENING):
        raise Refused("you do not have permission to review screening results")
    subject = _readable_subject(session, viewer, subject_id)
    if subject.source == ENGAGED_COMPANY:
        raise Refused("an engaged company is watched while it is engaged; it cannot be stopped by hand")
    if not subject.active:
        raise Refused(f"{subject.name!r} is not watched any more")
    before = subject_to_dict(subject)
    subject.active = False
    session.flush()
    _audit_subject(session, viewer.actor, "screening.unwatch", subject, before)
    return subject_to_dict(subject)


# --- re-screening --------------------------------------------------------------------------


def _screen_subject(index, markings, subject: ScreenedSubject, viewer: Viewer) -> list:
    query = make_query(index, subject.name, subject.country, subject.schema)

    def readable(number: int) -> bool:
        return index.names[number].dataset != ENGAGEMENT_DATASET and can_read(viewer, markings[number])

    return best_hits(index, query, limit=MONITOR_LIMIT, threshold=DEFAULT_THRESHOLD, readable=readable)


def _content_hashes(session: Session, entry_ids: Iterable[str]) -> dict[str, str]:
    ids, found = sorted(set(entry_ids)), {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(ListEntry.id, ListEntry.content_hash).where(ListEntry.id.in_(ids[start : start + 500]))
        )
        found.update(dict(rows.all()))
    return found


def describe_rescreen(summary: dict) -> str:
    """A re-screening's summary in one line (after ``alerts rescreen`` and after list imports)."""
    a = summary["alerts"]
    return (
        f"re-screened {summary['subjects']} watched names: {summary['hits']} hits, "
        f"{a['new']} new, {a['changed']} changed, {a['cleared']} cleared"
        + (f", {summary['suppressed']} suppressed as known false positives" if summary["suppressed"] else "")
        + (" (goodpath alerts list)" if any(a.values()) else "")
    )


def rescreen_all(session: Session, actor: str) -> dict:
    """Re-screen every active subject (after syncing the engaged companies); store each one's
    hits and raise an alert for every hit new, changed or cleared since its last screening.
    Runs in the caller's transaction; idempotent when no list changed."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": advisory_key(session, _PG_RESCREEN_LOCK)})
    engaged = sync_engaged_companies(session, actor)
    subjects = list(
        session.scalars(select(ScreenedSubject).where(ScreenedSubject.active.is_(True)).order_by(ScreenedSubject.id))
    )
    lists = service.receipt(session)
    now = utcnow()
    screened = []
    if subjects:  # the index of every listed name is built (or taken from the cache) only when needed
        index, markings = service.get_index(session)
        screened = [(s, _screen_subject(index, markings, s, _subject_viewer(s, actor))) for s in subjects]
    hashes = _content_hashes(session, [h.entry_id for _, hits in screened for h in hits])
    suppressions: dict[tuple[str, str], Suppressions] = {}
    counts = {"new": 0, "changed": 0, "cleared": 0}
    alerts: list[ScreeningAlert] = []
    suppressed = total_hits = 0
    for subject, hits in screened:
        group = (subject.classification, subject.originator)
        if group not in suppressions:
            keys = {s.subject_key for s in subjects if (s.classification, s.originator) == group}
            # Many subjects: every readable disposition, rather than a very long IN list.
            wanted = keys if len(keys) <= 500 else None
            suppressions[group] = Suppressions.load(session, _subject_viewer(subject, actor), keys=wanted)
        previous = subject.last_hits or {}
        current: dict[str, dict] = {}
        for hit in hits:
            # a disposition on any list entry of the hit's party applies to it once (a party on several lists)
            numbers = service.party_names(index).get(hit.party_id, ())
            entries = list(dict.fromkeys(index.names[n].entry_id for n in numbers)) or [hit.entry_id]
            is_suppressed = service.party_suppression(suppressions[group], subject.subject_key, entries)[0]
            suppressed += is_suppressed
            stored = {
                "party_id": hit.party_id, "entry_id": hit.entry_id, "dataset": hit.dataset, "caption": hit.caption,
                "matched_name": hit.matched_name, "score": round(hit.score, 4),
                "content_hash": hashes.get(hit.entry_id), "suppressed": is_suppressed,
            }  # fmt: skip
            before = previous.get(hit.party_id)
            kind = _change(before, stored)
            stored["alerted_score"] = stored["score"] if kind or before is None else before.get("alerted_score")
            current[hit.party_id] = stored
            if kind and not is_suppressed:
                alert = _alert(subject, kind, stored, before, hit.to_dict(), lists)
                session.add(alert)
                alerts.append(alert)
                counts[kind] += 1
        for party_id, before in previous.items():
            if party_id not in current and not before.get("suppressed"):
                session.add(alert := _alert(subject, "cleared", before, before, None, lists))
                alerts.append(alert)
                counts["cleared"] += 1
        subject.last_hits, subject.last_lists, subject.last_screened_at = current, lists["lists"], now
        total_hits += len(current)
    session.flush()
    # What follows (disclosed counterparties take their new hits) is declared in goodpath.consequences.
    followups.record(session, "watched_names_rescreened", {}, actor=actor)
    summary = {
        "screened_at": now.isoformat(), "subjects": len(subjects), "hits": total_hits, "suppressed": suppressed,
        "alerts": counts, "alert_ids": [a.id for a in alerts], "lists": lists["lists"],
        "engaged_companies": engaged,
    }  # fmt: skip
    if alerts:
        audit.record(
            session, actor=actor, action="screening.rescreen", target_type="screening_alert",
            target_id=None, after=summary, releasability=hosting_organization(),
        )  # fmt: skip
    return summary


def _change(before: dict | None, now: dict) -> str | None:
    if before is None:
        return "new"
    if before.get("entry_id") != now["entry_id"] or before.get("content_hash") != now["content_hash"]:
        return "changed"
    baseline = before.get("alerted_score", before.get("score"))
    if baseline is None or abs(now["score"] - baseline) >= SCORE_CHANGE:
        return "changed"
    return None


def _alert(subject: ScreenedSubject, kind: str, stored: dict, before: dict | None, hit: dict | None, lists: dict):
    return ScreeningAlert(
        subject_id=subject.id, party_id=subject.party_id, kind=kind, hit_party_id=stored["party_id"],
        entry_id=stored["entry_id"], dataset=stored["dataset"], caption=stored["caption"][:500],
        matched_name=(stored.get("matched_name") or "")[:500] or None,
        score=None if kind == "cleared" else stored["score"], previous=before, hit=hit, lists=lists["lists"],
        created_at=utcnow(), status="open", classification=subject.classification,
        releasability=subject.releasability, originator=subject.originator, published=False,
    )  # fmt: skip


# --- alerts --------------------------------------------------------------------------------


def alert_to_dict(alert: ScreeningAlert, subject: ScreenedSubject) -> dict:
    return {
        "id": alert.id, "kind": alert.kind, "status": alert.status,
        "subject": {"id": subject.id, "name": subject.name, "country": subject.country, "source": subject.source,
                    "party_id": subject.party_id},
        "party_id": alert.hit_party_id, "entry_id": alert.entry_id, "dataset": alert.dataset,
        "caption": alert.caption, "matched_name": alert.matched_name, "score": alert.score,
        "previous": alert.previous, "hit": alert.hit, "lists": alert.lists, "created_at": _iso(alert.created_at),
        "acknowledged_by": alert.acknowledged_by, "acknowledged_at": _iso(alert.acknowledged_at), "note": alert.note,
    }  # fmt: skip


def list_alerts(
    session: Session,
    viewer: Viewer,
    *,
    status: str | None = "open",
    subject_id: int | None = None,
    party_ids: Collection[str] | None = None,
    assigned_to: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict:
    """Alerts the viewer may read, newest first; ``status`` open, escalated, acknowledged, or None
    for all; ``party_ids``: only alerts whose listed party (the hit) or watched party is one of these;
    ``assigned_to``: only alerts assigned to this user (core.work)."""
    if status is not None and status not in ALERT_STATUSES:
        raise GoodpathError(f"status must be one of {', '.join(ALERT_STATUSES)} (or all), not {status!r}")
    query = (
        select(ScreeningAlert, ScreenedSubject)
        .join(ScreenedSubject, ScreenedSubject.id == ScreeningAlert.subject_id)
        .where(read_filter(viewer, ScreeningAlert), read_filter(viewer, ScreenedSubject))
    )
    if status is not None:
        query = query.where(ScreeningAlert.status == status)
    if subject_id is not None:
        query = query.where(ScreeningAlert.subject_id == subject_id)
    if party_ids is not None:
        wanted = sorted(set(party_ids))
        query = query.where(or_(ScreeningAlert.hit_party_id.in_(wanted), ScreeningAlert.party_id.in_(wanted)))
    if assigned_to is not None:
        query = query.where(exists().where(
            WorkAssignment.record_type == ALERT_WORK, WorkAssignment.record_id == ScreeningAlert.id,
            WorkAssignment.assignee == normalize_username(assigned_to),
        ))  # fmt: skip
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(ScreeningAlert.id.desc()).limit(limit).offset(offset))
    return {"total": total, "results": [alert_to_dict(a, s) for a, s in rows]}


def alerts_of_party(session: Session, viewer: Viewer, party_id: str, *, limit: int = 20) -> list[ScreeningAlert]:
    """The newest alerts about this party that the viewer may read, newest first."""
    query = select(ScreeningAlert).where(ScreeningAlert.party_id == party_id, read_filter(viewer, ScreeningAlert))
    return list(session.scalars(query.order_by(ScreeningAlert.id.desc()).limit(limit)))


def alert_records(session: Session, viewer: Viewer, alert_ids: list[int]) -> dict[int, ScreeningAlert]:
    """The alerts with these ids that the viewer may read, by id."""
    query = select(ScreeningAlert).where(ScreeningAlert.id.in_(alert_ids), read_filter(viewer, ScreeningAlert))
    return {alert.id: alert for alert in session.scalars(query)}


def _readable_alert(session: Session, viewer: Viewer, alert_id: int) -> tuple[ScreeningAlert, ScreenedSubject]:
    alert = session.get(ScreeningAlert, alert_id)
    subject = session.get(ScreenedSubject, alert.subject_id) if alert is not None else None
    if alert is None or not can_read(viewer, alert) or not can_read(viewer, subject):
        raise NotFound(f"no alert {alert_id}")
    return alert, subject


def get_alert(session: Session, viewer: Viewer, alert_id: int) -> dict:
    """One alert the viewer may read (and its watched name), with its status history."""
    alert, subject = _readable_alert(session, viewer, alert_id)
    return alert_to_dict(alert, subject) | {"history": history(session, viewer, ALERT_RECORD, alert.id)}


def acknowledge(session: Session, viewer: Viewer, alert_id: int, note: str | None = None) -> dict:
    """Mark an open (or escalated) alert as seen by an analyst, with an optional note."""
    if not can(viewer, Permission.REVIEW_SCREENING):
        raise Refused("you do not have permission to review screening results")
    alert, subject = _readable_alert(session, viewer, alert_id)
    if alert.status == "acknowledged":
        raise Refused(f"alert {alert_id} was already acknowledged by {alert.acknowledged_by}")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise GoodpathError(f"the note is longer than {MAX_NOTE} characters")
    before = alert.status
    alert.status, alert.acknowledged_by, alert.acknowledged_at, alert.note = (
        "acknowledged", viewer.actor, utcnow(), note,
    )  # fmt: skip
    session.flush()
    workflow.add_event(session, viewer, ALERT_RECORD, alert, before, alert.status, utcnow().date(), note)
    audit.record(
        session, actor=viewer.actor, action="screening.alert.acknowledge", target_type="screening_alert",
        target_id=str(alert.id), before={"status": before}, after={"status": alert.status, "note": note},
        classification=alert.classification, releasability=alert.releasability,
    )  # fmt: skip
    return alert_to_dict(alert, subject)


def escalate(session: Session, viewer: Viewer, alert_id: int, note: str) -> dict:
    """Escalate an open alert for a second look (a senior analyst, an approver), saying why: it
    stays to be acknowledged, under ``escalated``; who escalated it and why is its history."""
    if not can(viewer, Permission.REVIEW_SCREENING):
        raise Refused("you do not have permission to review screening results")
    alert, subject = _readable_alert(session, viewer, alert_id)
    if alert.status != "open":
        by = f" by {alert.acknowledged_by}" if alert.status == "acknowledged" else ""
        raise Refused(f"alert {alert_id} is {alert.status}{by} already: only an open alert is escalated")
    note = (note or "").strip()
    if not note:
        raise GoodpathError("an escalation needs a note (why, and for whom)")
    if len(note) > MAX_NOTE:
        raise GoodpathError(f"the note is longer than {MAX_NOTE} characters")
    alert.status = "escalated"
    session.flush()
    workflow.add_event(session, viewer, ALERT_RECORD, alert, "open", alert.status, utcnow().date(), note)
    audit.record(
        session, actor=viewer.actor, action="screening.alert.escalate", target_type="screening_alert",
        target_id=str(alert.id), before={"status": "open"}, after={"status": alert.status}, reason=note,
        classification=alert.classification, releasability=alert.releasability,
    )  # fmt: skip
    return alert_to_dict(alert, subject)
