"""Company disclosures: a company on the good path reports its business with a country of
concern. Every counterparty is screened on entry and watched (re-screened after each list
import); an analyst decides each hit, and confirmed hits are the pathway engine's signals.

Each stored hit carries its ``verdict`` (None until decided, true_match or false_positive).
The disclosure's ``signal`` follows from its hits: confirmed_hit when any hit is a true match,
else possible_hit while any is undecided, cleared when all were false positives, none without
hits. Decisions are also recorded as screening dispositions, so the same name screened again
shows them (and a false positive stays suppressed until its list entry changes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Role, Viewer, level, require_derived
from goodpath.access.records import get_readable, history, marking, readable, require
from goodpath.core import followups
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import canonical_releasability, country_code, one_of, parse_date, required_text, to_dict
from goodpath.core.models import Classification, utcnow
from goodpath.core.settings import hosting_organization
from goodpath.core.workflow import Workflow, add_event, audited, last_event_date, transition
from goodpath.engagement.models import Disclosure
from goodpath.registry.datasets import ENGAGEMENT_DATASET
from goodpath.registry.service import accepts_party_key, get_party, party_of
from goodpath.screening import dispositions, monitoring, service
from goodpath.screening.models import ScreenedSubject

WATCH_SOURCE = "disclosure"
SIGNALS = ("none", "possible_hit", "confirmed_hit", "cleared")
_ANY = frozenset(SIGNALS) - {"none"}
# The signal moves with the hits' verdicts (and new hits after a list import).
SIGNAL = Workflow("disclosure", {s: _ANY - {s} for s in SIGNALS})
SCREEN_LIMIT = 10


def _screening_viewer(classification: str, actor: str) -> Viewer:
    """Counterparties are screened as an analyst of the hosting organization cleared to the
    disclosure's level: a company officer's own (narrow) view must not hide a listed name."""
    return Viewer(role=Role.ANALYST, clearance=level(classification), organization=hosting_organization(),
                  user_id=0, username=actor)  # fmt: skip


def _system_viewer(actor: str) -> Viewer:
    """Re-screening runs for the server's operator, who may read every disclosure."""
    return Viewer(role=Role.ANALYST, clearance=max(Classification), organization=hosting_organization(),
                  user_id=0, username=actor)  # fmt: skip


def _hit(h: dict) -> dict:
    return {"entry_id": h["entry_id"], "party_id": h["party_id"], "caption": h["caption"], "dataset": h["dataset"],
            "score": round(float(h["score"]), 4), "matched_name": h.get("matched_name"), "verdict": None}  # fmt: skip


def derive_signal(hits: Iterable[dict]) -> str:
    verdicts = [h.get("verdict") for h in hits]
    if "true_match" in verdicts:
        return "confirmed_hit"
    if None in verdicts:
        return "possible_hit"
    return "cleared" if verdicts else "none"


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes: they were stored in UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


# --- entry -----------------------------------------------------------------------------------


@accepts_party_key
def add_disclosure(
    session: Session,
    viewer: Viewer,
    party_id: str,
    *,
    counterparty: str,
    counterparty_country: str,
    items: str,
    value: float | None = None,
    currency: str | None = None,
    period_from: date | str | None = None,
    period_to: date | str | None = None,
    classification: str | None = None,
    releasability: str | None = None,
    share_with: Iterable[str] = (),
    source: str | None = None,
    demo_key: str | None = None,
    occurred_on: date | str | None = None,
) -> Disclosure:
    """Record a company's business with a country of concern; the counterparty is screened now
    and watched for every later list import. A company officer discloses for their own company
    only (another company's party does not exist for them)."""
    require(viewer, Permission.SUBMIT_DISCLOSURES)
    if viewer.role is Role.COMPANY_OFFICER and party_id != viewer.company_party_id:
        raise NotFound(f"no party {party_id!r}")
    party = party_of(session, viewer, party_id)
    counterparty = required_text(counterparty, "counterparty", 500)
    country = country_code(counterparty_country, "counterparty_country", required=True)
    items = required_text(items, "items", 4000)
    if value is not None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise GoodpathError(f"value must be a number of at least 0, not {value!r}")
    currency = (currency or "").strip().upper() or None
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise GoodpathError(f"currency must be a three-letter ISO 4217 code (e.g. USD), not {currency!r}")
    if value is not None and currency is None:
        raise GoodpathError("a value needs its currency (a three-letter ISO 4217 code, e.g. USD)")
    start, end = parse_date(period_from, "period_from"), parse_date(period_to, "period_to")
    if start and end and start > end:
        raise GoodpathError(f"period_from ({start}) is after period_to ({end})")
    disclosed_on = parse_date(occurred_on, "occurred_on") or utcnow().date()  # past disclosures: as they were made
    if viewer.role is Role.COMPANY_OFFICER:
        # The company's own record: it originates it, and the hosting organization reads it.
        company_org = viewer.organization or party.id
        mark = {
            **marking(viewer, classification, None),
            "releasability": canonical_releasability(releasability, [company_org, hosting_organization()]),
        }
    else:
        mark = marking(viewer, classification, releasability, share_with=share_with)
    screener = _screening_viewer(mark["classification"], viewer.actor)
    result = service.screen(session, screener, counterparty, country=country, limit=SCREEN_LIMIT,
                            include_suppressed=True)  # fmt: skip
    # The curated engagement dataset describes the engaged companies; it is not a list.
    hits = [_hit(h) for h in result["hits"] if h["dataset"] != ENGAGEMENT_DATASET]
    for hit, screened in zip(hits, [h for h in result["hits"] if h["dataset"] != ENGAGEMENT_DATASET], strict=True):
        prior = screened.get("disposition")
        if prior and prior["verdict"] == "false_positive" and not prior["stale"]:
            hit["verdict"] = "false_positive"  # a known false positive of this name: cleared already
    subject = monitoring.watch(session, screener, counterparty, country=country, source=WATCH_SOURCE)
    disclosure = Disclosure(
        party_id=party.id, counterparty=counterparty, counterparty_country=country, items=items, value=value,
        currency=currency, period_from=start, period_to=end, subject_id=subject.id, hits=hits, screened_at=utcnow(),
        signal=derive_signal(hits), created_by=viewer.actor, source=source, demo_key=demo_key, **mark,
    )  # fmt: skip
    session.add(disclosure)
    session.flush()
    add_event(session, viewer, SIGNAL.name, disclosure, None, disclosure.signal, disclosed_on, source=source)
    audited(session, viewer, "disclosure.add", disclosure)
    return disclosure


# --- decisions on hits -----------------------------------------------------------------------


def _decide(session: Session, viewer: Viewer, disclosure_id: int, entry_id: str, verdict: str, reason: str,
            source: str | None, occurred_on: date | str | None) -> Disclosure:  # fmt: skip
    require(viewer, Permission.MANAGE_ENGAGEMENT)
    on = parse_date(occurred_on, "occurred_on") or utcnow().date()
    disclosure = get_readable(session, viewer, Disclosure, disclosure_id, "disclosure")
    reason = required_text(reason, "reason", dispositions.MAX_REASON)
    hits = [dict(h) for h in disclosure.hits or []]
    hit = next((h for h in hits if h["entry_id"] == entry_id), None)
    if hit is None:
        known = ", ".join(h["entry_id"] for h in hits) or "none"
        raise GoodpathError(f"list entry {entry_id!r} is not a hit of disclosure {disclosure_id} (hits: {known})")
    if hit.get("verdict") == verdict:
        raise Refused(f"the hit on {entry_id} is already decided as {verdict}")
    last = last_event_date(session, SIGNAL.name, disclosure.id)
    if last is not None and on < last:  # checked before the disposition is written
        raise Refused(f"{on.isoformat()} is before the disclosure's last step ({last.isoformat()})")
    dispositions.record(
        session, viewer, name=disclosure.counterparty, country=disclosure.counterparty_country,
        party_id=hit["party_id"], entry_id=entry_id, verdict=verdict, reason=reason,
    )  # fmt: skip
    hit.update(verdict=verdict, reason=reason, decided_by=viewer.actor, decided_on=on.isoformat())
    before = to_dict(disclosure)
    disclosure.hits = hits
    if verdict == "true_match" or derive_signal(hits) != "confirmed_hit":
        disclosure.signal_note = reason
    target = derive_signal(hits)
    if target != disclosure.signal:
        transition(session, viewer, SIGNAL, disclosure, target, occurred_on=on, note=reason, source=source,
                   status_field="signal", date_field=None)  # fmt: skip
    else:
        audited(session, viewer, f"disclosure.{verdict}", disclosure, before=before, reason=reason)
    return disclosure


def confirm_hit(
    session: Session,
    viewer: Viewer,
    disclosure_id: int,
    entry_id: str,
    reason: str,
    *,
    source: str | None = None,
    occurred_on: date | str | None = None,
) -> Disclosure:
    """Confirm a hit of the counterparty as a true match: a signal for the pathway engine."""
    disclosure = _decide(session, viewer, disclosure_id, entry_id, "true_match", reason, source, occurred_on)
    # A breach of relief conditions for the pathway (goodpath.consequences).
    followups.record(session, "hit_confirmed", {"party_id": disclosure.party_id, "disclosure_id": disclosure.id,
                                                "entry_id": entry_id}, actor=viewer.actor)  # fmt: skip
    return disclosure


def clear_hit(
    session: Session,
    viewer: Viewer,
    disclosure_id: int,
    entry_id: str,
    reason: str,
    *,
    source: str | None = None,
    occurred_on: date | str | None = None,
) -> Disclosure:
    """Clear a hit as a false positive (suppressed on later screenings until its entry changes)."""
    return _decide(session, viewer, disclosure_id, entry_id, "false_positive", reason, source, occurred_on)


# --- re-screening ----------------------------------------------------------------------------


def refresh_from_subjects(session: Session, actor: str = "system") -> int:
    """Copy each disclosure's watched subject's latest hits into it (called at the end of every
    re-screening). Decided hits keep their verdict; a confirmed hit no longer listed is kept,
    marked ``current: false``; a new hit raises the signal to possible_hit. Returns how many
    disclosures changed."""
    viewer = _system_viewer(actor)
    changed = 0
    rows = session.execute(
        select(Disclosure, ScreenedSubject)
        .join(ScreenedSubject, ScreenedSubject.id == Disclosure.subject_id)
        .where(ScreenedSubject.last_screened_at.is_not(None))
        .order_by(Disclosure.id)
    )
    for disclosure, subject in rows:
        screened = _aware(subject.last_screened_at)
        if disclosure.screened_at is not None and screened <= _aware(disclosure.screened_at):
            continue
        previous = {h["entry_id"]: h for h in disclosure.hits or []}
        hits, seen = [], set()
        for stored in sorted((subject.last_hits or {}).values(), key=lambda h: (-h["score"], h["party_id"])):
            if stored.get("dataset") == ENGAGEMENT_DATASET:
                continue
            hit = _hit(stored)
            before = previous.get(hit["entry_id"])
            if before is not None:
                hit |= {k: v for k, v in before.items() if k in ("verdict", "reason", "decided_by", "decided_on")}
            if hit["verdict"] is None and stored.get("suppressed"):
                hit["verdict"] = "false_positive"  # a known false positive of this name (decided elsewhere)
            hits.append(hit)
            seen.add(hit["entry_id"])
        # A confirmed hit stays a signal after its entry leaves the list (history, e.g. a delisting).
        gone = [h for e, h in previous.items() if e not in seen and h.get("verdict") == "true_match"]
        hits += [h | {"current": False} for h in gone]
        old = to_dict(disclosure)
        unchanged = [_key(h) for h in hits] == [_key(h) for h in disclosure.hits or []]
        disclosure.screened_at, disclosure.hits = screened, hits
        if unchanged:  # scores drift a little with every import: no news
            continue
        changed += 1
        target = derive_signal(hits)
        if target != disclosure.signal:
            transition(session, viewer, SIGNAL, disclosure, target, note="re-screened after a list update",
                       status_field="signal", date_field=None)  # fmt: skip
        else:
            audited(session, viewer, "disclosure.rescreen", disclosure, before=old)
    session.flush()
    # Confirmed hits of pathway companies are breaches of relief conditions (goodpath.consequences).
    followups.record(session, "disclosures_rescreened", {}, actor=actor)
    return changed


def _key(hit: dict) -> tuple:
    return hit["entry_id"], hit.get("verdict"), hit.get("current", True)


# --- reading -----------------------------------------------------------------------------------


def disclosure_to_dict(session: Session, viewer: Viewer, disclosure: Disclosure, *, with_history: bool = False) -> dict:
    out = to_dict(disclosure)
    if with_history:
        out["history"] = history(session, viewer, SIGNAL.name, disclosure.id)
    return out


def get_disclosure(session: Session, viewer: Viewer, disclosure_id: int) -> Disclosure:
    return get_readable(session, viewer, Disclosure, disclosure_id, "disclosure")


@accepts_party_key
def list_disclosures(
    session: Session, viewer: Viewer, *, party_id: str | None = None, signal: str | None = None
) -> list[dict]:
    """Disclosures the viewer may read, newest first."""
    query = readable(session, viewer, Disclosure)
    if party_id is not None:
        query = query.where(Disclosure.party_id == party_id)
    if signal is not None:
        query = query.where(Disclosure.signal == one_of(signal, SIGNALS, "signal"))
    return [to_dict(d) for d in session.scalars(query.order_by(Disclosure.id.desc()))]


REVIEW_STATES = ("to_review", "reviewed")


def unreviewed(disclosure: Disclosure | dict) -> int:
    """How many of a disclosure's hits no analyst has decided yet."""
    hits = disclosure["hits"] if isinstance(disclosure, dict) else disclosure.hits
    return sum(h.get("verdict") is None for h in hits or [])


@accepts_party_key
def review_queue(
    session: Session,
    viewer: Viewer,
    *,
    party_id: str | None = None,
    signal: str | None = None,
    review: str | None = None,
    limit: int = 25,
    offset: int = 0,
) -> dict:
    """The analysts' queue: the disclosures the viewer may read, those with undecided hits first
    (oldest first: they have waited longest), then the others newest first. ``review``: to_review
    (some hit undecided) or reviewed (hits, all decided). Answers ``{"results", "total"}``; each row
    is the disclosure with ``unreviewed`` (its undecided hits)."""
    query = readable(session, viewer, Disclosure)
    if party_id is not None:
        query = query.where(Disclosure.party_id == party_id)
    if signal is not None:
        query = query.where(Disclosure.signal == one_of(signal, SIGNALS, "signal"))
    if review is not None:
        review = one_of(review, REVIEW_STATES, "review")
    rows = []
    for d in session.scalars(query.order_by(Disclosure.id)):
        waiting = unreviewed(d)
        if review == "to_review" and not waiting or review == "reviewed" and (waiting or not d.hits):
            continue
        rows.append(to_dict(d) | {"unreviewed": waiting})
    rows.sort(key=lambda r: (r["unreviewed"] == 0, r["id"] if r["unreviewed"] else -r["id"]))
    offset, limit = max(int(offset), 0), max(int(limit), 0)
    return {"results": rows[offset : offset + limit], "total": len(rows)}


def disclosing_companies(session: Session, viewer: Viewer) -> list[str]:
    """The party ids of the companies whose disclosures the viewer may read (the queue's filter)."""
    query = readable(session, viewer, Disclosure).with_only_columns(Disclosure.party_id).distinct()
    return sorted(session.scalars(query))


def signals(session: Session, viewer: Viewer, party_id: str) -> list[dict]:
    """The confirmed hits of a company's disclosures: what the pathway engine reads (a view derived from
    the disclosures the viewer may read; a company officer's own company's alone)."""
    party = get_party(session, viewer, party_id)
    require_derived(viewer, party.id, asked=party_id)
    query = readable(session, viewer, Disclosure).where(Disclosure.party_id == party.id)
    out = []
    for d in session.scalars(query.order_by(Disclosure.id)):
        for h in d.hits or []:
            if h.get("verdict") == "true_match":
                out.append({
                    "disclosure_id": d.id, "party_id": d.party_id, "counterparty": d.counterparty,
                    "counterparty_country": d.counterparty_country, "items": d.items,
                    "period_from": d.period_from.isoformat() if d.period_from else None,
                    "period_to": d.period_to.isoformat() if d.period_to else None,
                    "entry_id": h["entry_id"], "hit_party_id": h["party_id"], "caption": h["caption"],
                    "dataset": h["dataset"], "score": h["score"], "reason": h.get("reason"),
                    "confirmed_by": h.get("decided_by"), "confirmed_on": h.get("decided_on"),
                    "still_listed": h.get("current", True), "source": d.source,
                })  # fmt: skip
    return out
