"""Recording the law's facts: parties, sanctions and their events, as the notices announce them.

Analysts record what a Federal Register notice (or another official text) says: a party, a sanction under
an authority of the catalogue (registry/data/authorities.yaml) from its imposition date, and what happened
to it since (a waiver, renewal, termination, rescission, expiry or delisting). Each record names its
source (``citation``, optionally ``source_url`` and the evidence ``document_id`` of the notice) and is
audited. A recorded fact is never edited: a correction is a new record that ``supersedes`` the old one
(which is then marked ``superseded_by`` it, the only change it ever receives). List imports never touch
these records (they only replace the sanctions that came from their own entries).

Every input is checked against the catalogue before anything is stored (``RecordError``, a ``Refused``
that names the rule): an unknown authority, measure or event kind lists the valid ones; an imposition
before the authority took effect, an event before the imposition, measures outside the authority or the
sanction, a measure of the other MTCR item category are refused.

What a recorded fact sets off (the pathway's breach scan, as after a list import) is announced with a
follow-up event (``sanction_recorded``), declared in goodpath.consequences.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer
from goodpath.access.records import get_readable, marking, require
from goodpath.core import followups
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import country_code, parse_date, required_text, to_dict
from goodpath.core.workflow import audited
from goodpath.registry import authorities as authority_sync
from goodpath.registry.curated import Authority, load_authorities
from goodpath.registry.models import EVENT_KINDS, Party, PartyName, Sanction, SanctionEvent
from goodpath.registry.names import name_script, normalize_name

__all__ = [
    "EVENT_KINDS",
    "RECORDED",
    "SCHEMATA",
    "RecordError",
    "add_event",
    "add_party",
    "add_sanction",
    "parse_names",
    "relief_event",
    "revoke_relief_event",
]

SCHEMATA = ("Company", "Person", "Organization")
CATEGORIES = ("I", "II")
RECORDED = "sanction_recorded"  # the follow-up event of a recorded sanction or event
KEY = re.compile(r"^[a-z][a-z0-9_-]{1,79}$")
LANG = re.compile(r"^[a-z]{2,3}$")
# The pathway's relief routes -> the event a relief writes when it takes effect (a licence writes none).
RELIEF_EVENTS = {"waiver": "waiver", "termination": "termination", "exemption": "termination",
                 "rescission": "rescission", "delisting": "delisting", "expiry": "expiry"}  # fmt: skip


class RecordError(Refused):
    """A fact the rules refuse; the message names the rule (nothing was stored)."""


def _valid(kind: str, value, allowed) -> str:
    """``value`` as one of ``allowed``, whatever its case (``Waiver``, ``COMPANY``)."""
    allowed = tuple(allowed)
    value = next((a for a in allowed if isinstance(value, str) and a.lower() == value.strip().lower()), value)
    if value not in allowed:
        raise RecordError(f"unknown {kind} {value!r}; valid: {', '.join(allowed)}")
    return value


# --- parties -----------------------------------------------------------------------------------------


def parse_names(values) -> list[tuple[str | None, str]]:
    """``LANG:TEXT`` (e.g. ``zh:中国精密机械进出口总公司``) or plain ``TEXT`` -> (lang, text)."""
    out = []
    for raw in values or ():
        text = str(raw or "").strip()
        lang, sep, rest = text.partition(":")
        if sep and LANG.match(lang.strip().lower()) and rest.strip():
            out.append((lang.strip().lower(), rest.strip()))
        elif text:
            out.append((None, text))
    return out


def add_party(
    session: Session, viewer: Viewer, name: str, *, schema: str, country: str, key: str | None = None,
    names=(), note: str | None = None, classification: str | None = None, releasability: str | None = None,
) -> Party:  # fmt: skip
    """A party as a notice names it: its primary name, schema, country, and other names (``LANG:TEXT``)."""
    require(viewer, Permission.EDIT_REGISTRY)
    primary = required_text(name, "name", 500)
    schema = _valid("schema", schema, SCHEMATA)
    cc = country_code(country, required=True).lower()
    if key is not None:
        key = key.strip().lower()
        if not KEY.match(key):
            raise RecordError(f"key {key!r} must be 2-80 lower-case letters, digits, '-' or '_', from a letter")
        if session.scalars(select(Party.id).where(Party.key == key)).first() is not None:
            raise RecordError(f"key {key!r} is taken by another party")
    marks = marking(viewer, classification, releasability)
    party = Party(id=f"rec-{uuid.uuid4().hex[:16]}", key=key, schema=schema, caption=primary, countries=[cc],
                  birth_dates=[], notes=(note or "").strip() or None, **marks)  # fmt: skip
    session.add(party)
    session.flush()
    source = f"recorded by {viewer.actor}"
    rows = [(None, primary, "primary"), *((lang, text, "alias") for lang, text in parse_names(names))]
    seen = set()
    for lang, text, kind in rows:
        if (text, kind) in seen or (kind == "alias" and text == primary and lang is None):
            continue
        seen.add((text, kind))
        script = name_script(text)
        session.add(PartyName(party_id=party.id, value=text[:500], kind=kind, lang=lang, script=script,
                              normalized=normalize_name(text)[:600], source=source, **marks))  # fmt: skip
    audited(session, viewer, "registry.party.add", party, reason=f"party recorded: {primary} ({schema}, {cc.upper()})")
    return party


# --- sanctions ---------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _title_aliases(title: str) -> list[str]:
    """A title as written, without its section or parenthesis (``Iran Nonproliferation Act of 2000``),
    and the acronyms it gives in parentheses (``INA``)."""
    short = re.split(r"\s*[(,;]", title, maxsplit=1)[0]
    return [title, short, *re.findall(r"\(([A-Z][A-Za-z0-9 .-]{1,20})\)", title)]


def _authority(code: str | None) -> Authority:
    """The catalogue's authority named by its code, however spaced or punctuated (``AECA 73``, ``aeca_73``,
    ``E.O. 13382``), or by its title or a title it bore (``Iran Nonproliferation Act of 2000``)."""
    catalogue = load_authorities()
    text = (code or "").strip().upper()
    found = catalogue.authorities.get(text)
    if found is None and text:
        named: dict[str, set[str]] = {}
        for authority in catalogue.authorities.values():
            titles = [authority.title, *(h.title for h in authority.in_force.history if h.title)]
            for alias in (authority.code, *(a for t in titles for a in _title_aliases(t))):
                named.setdefault(_plain(alias), set()).add(authority.code)
        matches = named.get(_plain(text), set())
        if len(matches) == 1:  # an alias two authorities share names neither
            found = catalogue.authorities[next(iter(matches))]
    if found is None:
        raise RecordError(f"unknown authority {code!r}; valid: {', '.join(sorted(catalogue.authorities))}")
    return found


def _spelled(measures, valid: list[str]) -> list[str]:
    """Measure codes as given, each read as the valid code it spells ("missile-contract-ban", "Missile
    contract ban"); what spells none is kept as typed, for the error to name."""
    spelled = {_plain(m): m for m in valid}
    return [spelled.get(_plain(str(m)), str(m).strip()) for m in measures or () if str(m).strip()]


def _measures(authority: Authority, measures, category: str | None) -> list[str]:
    valid = [m.code for m in authority.measures]
    codes = _spelled(measures, valid)
    unknown = [m for m in codes if m not in valid]
    if unknown:
        raise RecordError(f"measures {', '.join(unknown)} are not measures of {authority.code}; "
                          f"valid: {', '.join(valid)}")  # fmt: skip
    if not codes and category is None and any(m.category for m in authority.measures):
        raise RecordError(f"{authority.code}'s measures depend on the MTCR item category: give the category "
                          f"(I or II) or the measures the notice imposes ({', '.join(valid)})")  # fmt: skip
    if not codes:  # the notice imposes every measure; with a category, that category's (an import ban for a
        # substantial contribution, AECA 73(a)(2)(C), is named with --measure when the notice imposes it)
        codes = [m.code for m in authority.measures if category is None or m.category == category]
    if category is not None:
        told = {m: (found.category if (found := authority.measure(m)) else None) for m in codes}
        other = [m for m, cat in told.items() if cat not in (None, category)]
        if other:
            cite = "; ".join(authority.citations)
            raise RecordError(f"measures {', '.join(other)} answer the other MTCR item category than {category} "
                              f"({authority.code}: {cite})")  # fmt: skip
    return list(dict.fromkeys(codes))


def _within_authority(authority: Authority, day: date, what: str) -> None:
    since, until = authority.in_force.since, authority.in_force.until
    if day < since:
        raise RecordError(
            f"{what} {day.isoformat()} is before {authority.code} took effect on {since.isoformat()} "
            f"({'; '.join(authority.in_force.source)}): no sanction under it before that day"
        )
    if until is not None and day > until:
        raise RecordError(f"{what} {day.isoformat()} is after {authority.code} ended on {until.isoformat()}")


def _sanction_of(session: Session, viewer: Viewer, sanction_id) -> Sanction:
    try:
        number = int(sanction_id)
    except (TypeError, ValueError):
        raise NotFound(f"no sanction {sanction_id!r}") from None
    return get_readable(session, viewer, Sanction, number, "sanction")


def _party_of(session: Session, viewer: Viewer, party: str) -> Party:
    """A party by id, key or (unique) exact name, among those the viewer may read."""
    text = (party or "").strip()
    found = session.scalars(select(Party).where((Party.id == text) | (Party.key == text.lower()))).first()
    if found is None and text:
        named = [p for p in session.scalars(select(Party).where(Party.caption == text).limit(5))]
        if len(named) > 1:
            raise RecordError(f"{text!r} names {len(named)} parties; give the id: "
                              + "; ".join(f"{p.id} ({p.caption})" for p in named))  # fmt: skip
        found = named[0] if named else None
    # Absent or hidden alike: the record layer's one "not found" (it names no hidden party).
    return get_readable(session, viewer, Party, found.id if found is not None else text, "party")


def _marks_like(viewer: Viewer, record, classification: str | None, releasability: str | None) -> dict:
    """As given, else the marking of ``record`` (a sanction is read by whoever reads its party)."""
    if classification is None and releasability is None:
        return {"classification": record.classification, "releasability": record.releasability,
                "originator": viewer.organization or record.originator, "published": False}  # fmt: skip
    return marking(viewer, classification or record.classification, releasability or record.releasability)


def add_sanction(
    session: Session, viewer: Viewer, party: str, *, authority: str, imposed: date | str, citation: str,
    measures=(), category: str | None = None, source_url: str | None = None, document_id: int | None = None,
    expires: date | str | None = None, supersedes: int | None = None, note: str | None = None,
    classification: str | None = None, releasability: str | None = None, actor: str | None = None,
) -> Sanction:  # fmt: skip
    """A sanction as its notice imposes it (``imposed``: the notice's effective date, exact)."""
    require(viewer, Permission.EDIT_REGISTRY)
    found = _party_of(session, viewer, party)
    law = _authority(authority)
    day = parse_date(imposed, "imposed")
    if day is None:
        raise GoodpathError("imposed is required (the notice's effective date, YYYY-MM-DD)")
    _within_authority(law, day, "imposed")
    if category is not None:
        category = _valid("item category", str(category).strip().upper(), CATEGORIES)
        if not any(m.category for m in law.measures):
            raise RecordError(f"{law.code} has no MTCR item categories (only AECA73 and EAA11B do)")
    codes = _measures(law, measures, category)
    until = parse_date(expires, "expires")
    if until is not None and until < day:
        raise RecordError(f"expires {until.isoformat()} is before the imposition {day.isoformat()}")
    text = required_text(citation, "citation")
    old = None
    if supersedes is not None:
        old = _sanction_of(session, viewer, supersedes)
        if old.superseded_by_id is not None:
            raise RecordError(f"sanction {old.id} was already corrected by sanction {old.superseded_by_id}")
        if old.entry_id is not None:
            raise RecordError(f"sanction {old.id} comes from a list entry: the list's next import corrects it")
        if old.party_id != found.id:
            raise RecordError(f"sanction {old.id} is another party's")
    authority_sync.sync(session, viewer.actor)
    earliest_end, natural = authority_sync.term_dates(law.code, day)
    sanction = Sanction(
        party_id=found.id, authority_code=law.code, program=None, list_name=None, measures=codes, imposed_on=day,
        minimum_end=earliest_end, expires_on=until or natural, citation=text,
        source_url=(source_url or "").strip() or None, status="active", verified=True,
        notes=(note or "").strip() or None, events=[], imposed_precision="exact",
        category=category, origin="analyst", document_id=document_id, recorded_by=actor or viewer.actor,
        supersedes_id=old.id if old else None, **_marks_like(viewer, found, classification, releasability),
    )  # fmt: skip
    session.add(sanction)
    session.flush()
    audited(session, viewer, "registry.sanction.add", sanction,
            reason=f"{law.code} on {found.caption} from {day.isoformat()}: {text}")  # fmt: skip
    if old is not None:
        before = to_dict(old)
        old.superseded_by_id = sanction.id
        audited(session, viewer, "registry.sanction.superseded", old, before=before,
                reason=f"corrected by sanction {sanction.id}")  # fmt: skip
    followups.record(session, RECORDED, {"party_id": found.id, "sanction_id": sanction.id}, actor=viewer.actor)
    return sanction


# --- events ------------------------------------------------------------------------------------------


def add_event(
    session: Session, viewer: Viewer, sanction_id, *, kind: str, on: date | str, citation: str, measures=(),
    until: date | str | None = None, source_url: str | None = None, document_id: int | None = None,
    supersedes: int | None = None, note: str | None = None, origin: str = "analyst", relief_id: int | None = None,
) -> SanctionEvent:  # fmt: skip
    """What a notice says happened to a sanction (all its measures, or those named), from ``on``."""
    require(viewer, Permission.EDIT_REGISTRY)
    sanction = _sanction_of(session, viewer, sanction_id)
    if sanction.superseded_by_id is not None:
        raise RecordError(f"sanction {sanction.id} was corrected by sanction {sanction.superseded_by_id}: "
                          "record the event on the correction")  # fmt: skip
    kind = _valid("event kind", kind, EVENT_KINDS)
    day = parse_date(on, "on")
    if day is None:
        raise GoodpathError("on is required (the day the event takes effect, YYYY-MM-DD)")
    if sanction.imposed_on is not None and day < sanction.imposed_on:
        raise RecordError(f"the {kind} on {day.isoformat()} is before the sanction was imposed "
                          f"({sanction.imposed_on.isoformat()}): an event cannot precede its sanction")  # fmt: skip
    law = load_authorities().authorities.get(sanction.authority_code or "")
    if law is not None:
        _within_authority(law, day, f"the {kind} on")
    own = list(sanction.measures or ())
    codes = _spelled(measures, own)
    stray = [m for m in codes if m not in own]
    if stray:
        raise RecordError(f"measures {', '.join(stray)} are not measures of sanction {sanction.id}; "
                          f"valid: {', '.join(own) or '(none recorded)'}")  # fmt: skip
    last = parse_date(until, "until")
    if last is not None and kind not in ("waiver", "renewal"):
        raise RecordError(f"until applies to a waiver or renewal (time-boxed), not to a {kind}")
    if last is not None and last < day:
        raise RecordError(f"until {last.isoformat()} is before the {kind} takes effect ({day.isoformat()})")
    text = required_text(citation, "citation")
    old = None
    if supersedes is not None:
        old = session.get(SanctionEvent, int(supersedes))
        if old is None or old.sanction_id != sanction.id:
            raise NotFound(f"no event {supersedes!r} of sanction {sanction.id}")
        if old.superseded_by_id is not None:
            raise RecordError(f"event {old.id} was already corrected by event {old.superseded_by_id}")
    event = SanctionEvent(
        sanction_id=sanction.id, kind=kind, effective_on=day, measures=list(dict.fromkeys(codes)), until=last,
        citation=text, source_url=(source_url or "").strip() or None, document_id=document_id, origin=origin,
        relief_id=relief_id, supersedes_id=old.id if old else None, recorded_by=viewer.actor,
        note=(note or "").strip() or None, classification=sanction.classification,
        releasability=sanction.releasability, originator=sanction.originator, published=False,
    )  # fmt: skip
    session.add(event)
    session.flush()
    scope = ", ".join(event.measures) or "all measures"
    audited(session, viewer, "registry.sanction_event.add", event,
            reason=f"{kind} of sanction {sanction.id} ({scope}) from {day.isoformat()}: {text}")  # fmt: skip
    if old is not None:
        before = to_dict(old)
        old.superseded_by_id = event.id
        audited(session, viewer, "registry.sanction_event.superseded", old, before=before,
                reason=f"corrected by event {event.id}")  # fmt: skip
    followups.record(session, RECORDED, {"party_id": sanction.party_id, "sanction_id": sanction.id},
                     actor=viewer.actor)  # fmt: skip
    return event


# --- written by the pathway: a relief's event ---------------------------------------------------------


def _relief_event_of(session: Session, relief_id: int) -> SanctionEvent | None:
    query = select(SanctionEvent).where(SanctionEvent.relief_id == relief_id, SanctionEvent.superseded_by_id.is_(None))
    return session.scalars(query).first()


def relief_event(
    session: Session, viewer: Viewer, *, relief_id: int, sanction_id: int, measure: str, route_kind: str,
    route_code: str, on: date, citation: str,
) -> SanctionEvent | None:  # fmt: skip
    """The event a relief decided in the pathway writes when it takes effect (idempotent: one per relief;
    a new effective day replaces the day of its event). A licence relieves nothing by itself: no event."""
    kind = RELIEF_EVENTS.get(route_kind)
    if kind is None:
        return None
    existing = _relief_event_of(session, relief_id)
    if existing is not None and existing.effective_on == on:
        return existing
    sanction = session.get(Sanction, sanction_id)
    if sanction is None:
        return None
    event = SanctionEvent(
        sanction_id=sanction.id, kind=kind, effective_on=on, measures=[measure], until=None, citation=citation,
        origin="pathway", relief_id=relief_id, supersedes_id=existing.id if existing else None,
        recorded_by=viewer.actor, note=f"relief {relief_id} by route {route_code}",
        classification=sanction.classification, releasability=sanction.releasability,
        originator=sanction.originator, published=False,
    )  # fmt: skip
    session.add(event)
    session.flush()
    audited(session, viewer, "registry.sanction_event.relief", event,
            reason=f"relief {relief_id} ({route_code}) takes effect on {on.isoformat()}")  # fmt: skip
    if existing is not None:
        before = to_dict(existing)
        existing.superseded_by_id = event.id
        audited(session, viewer, "registry.sanction_event.superseded", existing, before=before,
                reason=f"relief {relief_id}: effective day now {on.isoformat()}")  # fmt: skip
    return event


def revoke_relief_event(session: Session, viewer: Viewer, relief_id: int, on: date) -> SanctionEvent | None:
    """A snapback revoked the relief: its event stops applying from ``on`` (the measure binds again)."""
    event = _relief_event_of(session, relief_id)
    if event is None or event.revoked_on is not None:
        return event
    before = to_dict(event)
    event.revoked_on = max(on, event.effective_on)
    audited(session, viewer, "registry.sanction_event.revoked", event, before=before,
            reason=f"relief {relief_id} revoked from {on.isoformat()}")  # fmt: skip
    return event
