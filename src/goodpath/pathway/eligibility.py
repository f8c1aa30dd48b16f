"""The legal rule engine: is relief possible for each measure of a party's sanctions, as of a date?

The law is data (registry/data/authorities.yaml, read through ``load_authorities()``); this
module only applies it. ``evaluate`` is pure (facts + catalogue + date -> explanation);
``explain`` and ``check_relief`` fetch the facts the viewer may read and call it.

Rules applied, each from the catalogue:
- a sanction counts from its imposition date; events (waivers, renewals, terminations...)
  and expiry dates are read as of the date, so a past date replays the history;
- each measure is relievable on its own where the authority's ``partial_relief`` allows it,
  otherwise a route relieves the whole sanction (said in the reasons);
- the notice rule is the one in force on the day the notice would be given (``as_of``);
  working days are US federal working days (workdays.py);
- a route waits for the end of the minimum duration when the catalogue says so
  (``after_minimum_duration``; by default only the routes that end a sanction do);
- facts marked K apply but are flagged "unverified: ..." and make the route unverified;
- a sanction whose authority had not taken effect on the date (``in_force.since``) is left out, like one
  not yet imposed; an imposition date is ``exact``, ``listed_by`` (an upper bound: the first list version
  holding the entry) or ``unknown`` -- before a ``listed_by`` date, or without any date, whether the
  sanction was in force is an unverified fact ("unverified"), never "always in force";
- every route of the authority is shown with its ``state``: ``open``, ``open_if`` (a condition's facts
  are unknown: unverified) or ``not_open`` (a condition fails on the date, e.g. AECA 73(c) for a party
  whose country is not an MTCR adherent), and ``why``; a measure is relievable only through an open route.
  The route conditions are data (``applies_if`` in authorities.yaml; regime membership in regimes.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, require_derived
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.registry import service as registry
from goodpath.registry.authorities import add_period
from goodpath.registry.curated import Authority, Catalogue, Duration, Relief, RouteCondition, load_authorities
from goodpath.registry.models import Party, Sanction
from goodpath.registry.regimes import Regimes, load_regimes, member_on

from . import workdays

__all__ = ["AmbiguousParty", "SanctionFacts", "check_relief", "evaluate", "explain", "resolve_party"]

ENDED = ("terminated", "expired", "delisted", "rescinded")
# Relief event kinds that end the measures in their scope, and the status they leave.
ENDING_EVENTS = {
    "termination": "terminated",
    "rescission": "rescinded",
    "delisting": "delisted",
    "expiry": "expired",
    "exemption": "terminated",
}
WAIVING_EVENTS = ("waiver", "renewal")
# Route kinds that end a sanction: by default they wait for a minimum duration to run out.
ENDING_ROUTES = ("termination", "rescission", "exemption", "delisting", "expiry")
BOUNDED_TERMS = ("minimum", "fixed")
PRECISIONS = ("exact", "listed_by", "unknown")
ROUTE_STATES = ("open", "open_if", "not_open")
TO_CONFIRM = "[K: to confirm]"  # a fact of the data marked K: it applies, flagged unverified


class AmbiguousParty(GoodpathError):
    """A name matches several parties; the message lists them (id and caption)."""

    def __init__(self, text: str, candidates: list[Party]):
        self.candidates = [{"id": p.id, "key": p.key, "caption": p.caption} for p in candidates]
        listed = "; ".join(f"{p.id} ({p.caption})" for p in candidates)
        super().__init__(f"{text!r} matches {len(candidates)} parties, give an id: {listed}")


@dataclass(frozen=True)
class SanctionFacts:
    """What the engine needs of a sanction row (no ORM object inside the pure logic)."""

    id: int
    authority: str | None
    program: str | None
    measures: tuple[str, ...]
    imposed_on: date | None
    expires_on: date | None
    status: str
    status_date: date | None
    citation: str | None
    verified: bool
    events: tuple[dict, ...] = field(default_factory=tuple)
    imposed_precision: str = "exact"  # exact | listed_by | unknown
    category: str | None = None  # MTCR Annex item category (I, II) where recorded

    @classmethod
    def of(cls, s: Sanction, recorded: list | None = None) -> SanctionFacts:
        """The facts of a sanction row; ``recorded``: its recorded events (``SanctionEvent`` rows the
        viewer may read, superseded ones left out), added to the curated ``events``."""
        events = [*(s.events or ()), *(event_dict(e) for e in recorded or () if e.superseded_by_id is None)]
        precision = s.imposed_precision or "exact"
        if s.imposed_on is None:
            precision = "unknown"
        return cls(
            id=s.id, authority=s.authority_code, program=s.program, measures=tuple(s.measures or ()),
            imposed_on=s.imposed_on, expires_on=s.expires_on, status=s.status, status_date=s.status_date,
            citation=s.citation, verified=bool(s.verified), events=tuple(events), imposed_precision=precision,
            category=s.category,
        )  # fmt: skip


def event_dict(e) -> dict:
    """A recorded event (``SanctionEvent``) in the shape of the curated events the engine reads."""
    return {
        "id": e.id, "kind": e.kind, "date": e.effective_on.isoformat(), "scope": list(e.measures or ()),
        "until": e.until.isoformat() if e.until else None, "citation": e.citation, "source": e.source_url,
        "verified": "V", "revoked_on": e.revoked_on.isoformat() if e.revoked_on else None, "origin": e.origin,
    }  # fmt: skip


# --------------------------------------------------------------------------- pure logic


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _event_end(event: dict) -> date | None:
    """The last day a time-boxed waiver/licence covers, or None (in effect until revoked)."""
    if event.get("until"):
        return _day(event["until"])
    start, period = _day(event.get("date")), event.get("duration")
    if start and period:
        return add_period(start, period.get("years", 0), period.get("months", 0), period.get("days", 0)) - timedelta(
            days=1
        )
    return None


def _covers(event: dict, measure: str) -> bool:
    return not event.get("scope") or measure in event["scope"]


def _live(events, as_of: date) -> list[dict]:
    """The events still standing on ``as_of``: a relief a snapback revoked stops applying that day."""
    return [e for e in events if not (e.get("revoked_on") and _day(e["revoked_on"]) <= as_of)]


# --------------------------------------------------------------------------- route conditions


def _category(facts: SanctionFacts, authority: Authority) -> str | None:
    """The sanction's MTCR item category: recorded, else told by its measures (Category I measures ->
    I; only Category II ones -> II); None when neither says."""
    if facts.category:
        return facts.category
    told = {m.category for code in facts.measures if (m := authority.measure(code)) is not None and m.category}
    if "I" in told:
        return "I"
    return "II" if told == {"II"} else None


def _condition(
    cond: RouteCondition, authority: Authority, facts: SanctionFacts, party: dict, as_of: date, regimes: Regimes
) -> tuple[bool | None, str]:
    """(True / False / None = unknown, why) of one route condition on ``as_of``."""
    cite = f"{cond.text} ({cond.citation})"
    if cond.kind in ("party_country_member", "party_country_not_member"):
        countries = [c for c in party.get("countries") or () if c]
        if not countries:
            return None, f"{cite}: the party's country is not recorded"
        answers = [member_on(regimes, cond.regime, c, as_of) for c in countries]
        if cond.kind == "party_country_member":
            if any(a.member for a in answers):
                hit = next(a for a in answers if a.member)
                return True, f"{cite}: {hit.why}" + ("" if hit.verified else f" {TO_CONFIRM}")
            if all(a.member is False for a in answers):
                return False, f"{cite}: " + "; ".join(a.why for a in answers)
            return None, f"{cite}: " + "; ".join(a.why for a in answers)
        if all(a.member is False for a in answers):
            return True, f"{cite}: " + "; ".join(a.why for a in answers)
        if any(a.member for a in answers):
            return False, f"{cite}: " + "; ".join(a.why for a in answers if a.member)
        return None, f"{cite}: " + "; ".join(a.why for a in answers)
    if cond.kind == "item_category":
        category = _category(facts, authority)
        if category is None:
            return None, f"{cite}: the item category is not recorded"
        ok = category in cond.categories
        return ok, f"{cite}: Category {category}"
    if cond.kind == "time_since_imposition":
        if facts.imposed_on is None:
            return None, f"{cite}: the imposition date is not known"
        after = add_period(facts.imposed_on, cond.years, cond.months)
        if as_of >= after and facts.imposed_precision == "listed_by":
            return None, f"{cite}: imposed by {facts.imposed_on.isoformat()} at the latest; the period may not have run"
        if as_of >= after:
            return True, f"{cite}: ran on {after.isoformat()}"
        return False, f"{cite}: runs until {after.isoformat()} (imposed {facts.imposed_on.isoformat()})"
    if cond.kind == "prior_event":
        found = [e for e in _live(facts.events, as_of) if e.get("kind") == cond.event and e.get("date")
                 and _day(e["date"]) <= as_of]  # fmt: skip
        if found:
            return True, f"{cite}: {cond.event} of {found[-1]['date']} on record"
        return None, f"{cite}: no {cond.event} on record"
    return None, f"{cite}: condition {cond.kind!r} not evaluated"


def route_conditions(
    relief: Relief, authority: Authority, facts: SanctionFacts, party: dict, as_of: date, regimes: Regimes
) -> tuple[str, list[str], list[str]]:
    """The state of a route from its conditions alone (``open``, ``open_if``, ``not_open``), why, and the
    conditions that hold on K facts (they apply, and make the route unverified)."""
    failed, unknown, held, unverified = [], [], [], []
    for cond in relief.applies_if:
        holds, why = _condition(cond, authority, facts, party, as_of, regimes)
        (held if holds else failed if holds is False else unknown).append(why)
        if holds and (cond.verified != "V" or TO_CONFIRM in why):
            unverified.append(why)
    if failed:
        return "not_open", [f"not open: {w}" for w in failed], []
    if unknown:
        return "open_if", [f"open if: {w}" for w in unknown], unverified
    return "open", [f"holds: {w}" for w in held], unverified


def _term(authority: Authority, measure: str) -> Duration:
    found = authority.measure(measure)
    return found.duration if found and found.duration else authority.duration


def _term_end(facts: SanctionFacts, term: Duration) -> date | None:
    if facts.imposed_on is None or term.type not in BOUNDED_TERMS:
        return None
    return add_period(facts.imposed_on, term.years or 0, term.months or 0)


def _natural_end(facts: SanctionFacts, term: Duration) -> tuple[date | None, bool]:
    """(day the measure ends by itself, whether that day is practice rather than record)."""
    if term.type == "fixed":
        return _term_end(facts, term), False
    if facts.expires_on:
        return facts.expires_on, False
    if term.type == "order_specified" and facts.imposed_on and (term.years or term.months):
        return add_period(facts.imposed_on, term.years or 0, term.months or 0), True
    return None, False


def _sanction_end(facts: SanctionFacts, as_of: date) -> tuple[str, date | None] | None:
    """(status, day) if the whole sanction had ended by ``as_of``; day None = the record says it
    ended but not when."""
    for event in sorted(_live(facts.events, as_of), key=lambda e: str(e.get("date") or "")):
        kind, day = ENDING_EVENTS.get(event.get("kind")), _day(event.get("date"))
        if kind and day and day <= as_of and (not event.get("scope") or set(facts.measures) <= set(event["scope"])):
            return kind, day
    if facts.expires_on and facts.expires_on <= as_of:
        return "expired", facts.expires_on
    if facts.status in ENDED:
        if facts.status_date:
            return (facts.status, facts.status_date) if facts.status_date <= as_of else None
        dated = [e for e in _live(facts.events, as_of) if e.get("date") and e.get("kind") in ENDING_EVENTS]
        if not dated and not facts.expires_on:
            return facts.status, None
    return None


def _flag(reasons: list[str], flags: list[str], text: str) -> None:
    reasons.append(f"unverified: {text}")
    flags.append(text)


def _not_open(relief: Relief, why: str) -> dict:
    return {"type": relief.kind, "code": relief.code, "who": relief.who, "requires": [relief.conditions],
            "notice": None, "earliest_effective": None, "verified": relief.verified == "V", "state": "not_open",
            "why": why}  # fmt: skip


def _route(
    authority: Authority, relief: Relief, facts: SanctionFacts, measure: str, as_of: date, flags: list[str],
    party: dict, regimes: Regimes,
) -> dict:  # fmt: skip
    """One relief route for an in-force measure, with its state (open, open_if, not_open) and why."""
    term = _term(authority, measure)
    state, whys, unconfirmed = route_conditions(relief, authority, facts, party, as_of, regimes)
    if state == "not_open":
        return _not_open(relief, "; ".join(whys))
    requires = [relief.conditions]
    verified = relief.verified == "V"
    notes: list[str] = []
    if not verified:
        notes.append(f"{authority.code} {relief.code}: the route itself (K in legal-rules.md)")
    notice_json = None
    if relief.kind == "expiry":
        end, practice = _natural_end(facts, term)
        if end is None:
            return _not_open(relief, f"no automatic expiry ({term.type} duration: {term.note})")
        earliest = max(end, as_of)
        requires = [relief.conditions, f"the term ends on {end.isoformat()}"]
        if practice:
            verified = False
            notes.append(f"{authority.code} expiry on {end.isoformat()}: from the usual term, not from the notice")
    else:
        earliest = as_of
        rule = relief.notice_on(as_of)
        if relief.notice and rule is None:
            return _not_open(relief, f"no notice rule of {authority.code} in force on {as_of.isoformat()}")
        if rule is not None:
            earliest = workdays.notice_effective(as_of, rule.days, rule.unit)
            unit = "US federal working days" if rule.unit == "working_days" else "calendar days"
            requires.append(f"notice to {', '.join(rule.to)}: {rule.days} {unit} before it takes effect")
            notice_json = {"days": rule.days, "unit": rule.unit, "to": list(rule.to), "verified": True}
            if rule.verified != "V":
                notes.append(f"{authority.code} {relief.code}: notice length {rule.days} {rule.unit}")
            if rule.dates_verified != "V":
                notes.append(
                    f"{authority.code} {relief.code}: the {rule.days}-{rule.unit} rule's date range "
                    f"{rule.effective_from.isoformat()}..{rule.effective_to.isoformat() if rule.effective_to else ''}"
                )
            notice_json["verified"] = rule.verified == "V" and rule.dates_verified == "V"
            verified = verified and notice_json["verified"]
        bounded = relief.after_minimum_duration
        if bounded is None:
            bounded = relief.kind in ENDING_ROUTES
        minimum_end = _term_end(facts, term) if bounded else None
        if minimum_end is not None:
            requires.append(f"not before the {term.type} duration ends on {minimum_end.isoformat()}")
            earliest = max(earliest, minimum_end)
            if term.verified != "V":
                verified = False
                notes.append(f"{authority.code} {measure}: duration ({term.type}) {term.note}")
            if facts.imposed_precision == "listed_by":
                verified = False
                notes.append(f"sanction {facts.id}: the minimum duration counted from the listing date "
                             f"{facts.imposed_on.isoformat()} (an upper bound of the imposition)")  # fmt: skip
        elif bounded and facts.imposed_on is None and term.type in BOUNDED_TERMS:
            verified = False
            notes.append(f"{authority.code} {relief.code}: minimum duration unchecked (imposition date unknown)")
    if state == "open_if":
        verified = False
        notes.append(f"{authority.code} {relief.code}: " + "; ".join(w.removeprefix("open if: ") for w in whys))
    if unconfirmed:
        verified = False
        notes.append(f"{authority.code} {relief.code}: condition on K data: " + "; ".join(unconfirmed))
    flags.extend(notes)
    why = "; ".join(whys) if whys else "no condition of the catalogue limits this route"
    return {
        "type": relief.kind,
        "code": relief.code,
        "who": relief.who,
        "requires": requires,
        "notice": notice_json,
        "earliest_effective": earliest.isoformat(),
        "verified": verified,
        "state": state,
        "why": why,
    }


def _measure(
    authority: Authority | None, facts: SanctionFacts, code: str, ended: tuple[str, date | None] | None,
    as_of: date, flags: list[str], party: dict | None = None, regimes: Regimes | None = None,
) -> dict:  # fmt: skip
    reasons: list[str] = []
    mine: list[str] = []
    citations = list(authority.citations) if authority else []
    if facts.citation:
        citations.append(facts.citation)
    out = {"measure": code, "status": "active", "relief_possible": False, "routes": [], "reasons": reasons,
           "citations": citations}  # fmt: skip
    if authority is None:
        out["status"] = facts.status
        reasons.append(f"authority {facts.authority!r} is not in the catalogue: no rule to apply")
        return out
    if ended is not None:
        status, day = ended
        out["status"] = status
        if day is None:
            reasons.append(f"{status} on a date not in the sources: relief is moot")
            _flag(reasons, mine, f"sanction {facts.id}: {status} on an unknown date; whether it was still "
                                 f"in force on {as_of.isoformat()} is not known")  # fmt: skip
        else:
            reasons.append(f"{status} on {day.isoformat()}: nothing left to relieve")
        flags.extend(mine)
        return out
    if authority.measure(code) is None:
        reasons.append(f"{code} is not a measure of {authority.code}")
        return out
    term = _term(authority, code)
    # Measure-level ends: an event scoped to this measure, or a fixed term that has run out.
    for event in _live(facts.events, as_of):
        kind, day = ENDING_EVENTS.get(event.get("kind")), _day(event.get("date"))
        if kind and day and day <= as_of and _covers(event, code):
            out["status"] = kind
            reasons.append(f"{kind} on {day.isoformat()} ({event.get('citation') or event.get('source')})")
            return out
    natural, practice = _natural_end(facts, term)
    if natural and natural <= as_of:
        out["status"] = "expired"
        reasons.append(f"expired on {natural.isoformat()} ({term.type} term: {term.note})")
        if practice:
            _flag(reasons, mine, f"sanction {facts.id} {code}: expiry from the usual 2-year practice")
        flags.extend(mine)
        return out
    # The latest waiver or renewal in effect on the date (each renewal restarts the clock).
    waivers = sorted(
        (
            e
            for e in _live(facts.events, as_of)
            if e.get("kind") in WAIVING_EVENTS and _covers(e, code) and e.get("date")
        ),
        key=lambda e: _day(e["date"]),
    )
    current = [e for e in waivers if _day(e["date"]) <= as_of]
    if current:
        last, end = current[-1], _event_end(current[-1])
        if end is None or end >= as_of:
            out["status"] = "waived"
            until = f"until {end.isoformat()}" if end else "until revoked"
            reasons.append(f"{last['kind']} of {_day(last['date']).isoformat()} in effect {until} "
                           f"({last.get('citation') or last.get('source')})")  # fmt: skip
            if last.get("note"):
                reasons.append(last["note"])
            if end:
                reasons.append("a renewal may be proposed before the waiver lapses")
            if last.get("verified") == "K":
                _flag(reasons, mine, f"sanction {facts.id} {code}: the {last['kind']} of {last['date']}")
            flags.extend(mine)
            return out
        reasons.append(f"the {last['kind']} of {_day(last['date']).isoformat()} lapsed on {end.isoformat()}")
    for event in _live(facts.events, as_of):
        if event.get("kind") == "licence" and _covers(event, code) and event.get("date"):
            start, end = _day(event["date"]), _event_end(event)
            if start <= as_of and (end is None or end >= as_of):
                reasons.append(f"a licence authorizes some dealings ({event.get('citation') or ''}) — "
                               "partial relief, the measure stays")  # fmt: skip
    if facts.status == "unknown":
        _flag(reasons, mine, f"sanction {facts.id}: end not in the sources; assumed in force on {as_of.isoformat()}")
    if not facts.verified:
        _flag(reasons, mine, f"sanction {facts.id}: the sanction record (secondary sources)")
    if authority.partial_relief.allowed:
        reasons.append(f"relievable on its own: {authority.partial_relief.note}")
    else:
        reasons.append(f"{authority.code} relief applies to the whole sanction, not to this measure alone: "
                       f"{authority.partial_relief.note}")  # fmt: skip
    if authority.partial_relief.verified != "V":
        _flag(reasons, mine, f"{authority.code}: partial relief rule ({authority.partial_relief.note})")
    for relief in authority.relief:
        route = _route(authority, relief, facts, code, as_of, mine, party or {}, regimes or load_regimes())
        out["routes"].append(route)
        if route["state"] == "not_open":
            reasons.append(f"{relief.code}: {route['why']}")
    for note in dict.fromkeys(mine):
        if f"unverified: {note}" not in reasons:
            reasons.append(f"unverified: {note}")
    out["relief_possible"] = any(r["state"] == "open" for r in out["routes"])
    if not out["relief_possible"]:
        conditional = [r["code"] for r in out["routes"] if r["state"] == "open_if"]
        if conditional:
            reasons.append(f"no route of {authority.code} is open on {as_of.isoformat()}; open if their conditions "
                           f"are confirmed: {', '.join(conditional)}")  # fmt: skip
        else:
            reasons.append(f"no relief route of {authority.code} applies")
    flags.extend(mine)
    return out


def _unverified_rows(authority: Authority | None, facts: SanctionFacts, measures: list[str], why: str) -> list[dict]:
    citations = [*(authority.citations if authority else []), *([facts.citation] if facts.citation else [])]
    return [{"measure": code, "status": "unverified", "relief_possible": False, "routes": [],
             "reasons": [f"unverified: {why}"], "citations": citations} for code in measures]  # fmt: skip


def evaluate(
    catalogue: Catalogue, party: dict, sanctions: list[SanctionFacts], as_of: date, regimes: Regimes | None = None
) -> dict:
    """The explanation for ``party`` (``{id, key, caption[, countries]}``) as of ``as_of`` (pure: the
    catalogue, the regimes' membership data and the facts are given)."""
    regimes = regimes or load_regimes()
    flags: list[str] = []
    explained = []
    for facts in sorted(sanctions, key=lambda f: (f.imposed_on or date.min, f.id)):
        authority = catalogue.authorities.get(facts.authority or "")
        if authority is not None and not authority.exists_on(as_of):
            continue  # the authority had not taken effect (or had ended): no sanction under it that day
        program_since = catalogue.program_since(facts.program) if facts.program else None
        if program_since is not None and as_of < program_since:
            continue  # nor under a programme (an order of the authority) not yet made
        if facts.imposed_on is not None and facts.imposed_on > as_of and facts.imposed_precision == "exact":
            continue  # not yet imposed on that date
        measures = list(facts.measures)
        sanction_flags: list[str] = []
        if facts.imposed_on is None:
            sanction_flags.append(f"sanction {facts.id}: imposition date not in the sources")
        if not measures and authority:
            measures = [m.code for m in authority.measures]
            sanction_flags.append(
                f"sanction {facts.id}: measures not in the sources; every measure of {authority.code} assumed"
            )
        head = {
            "id": facts.id, "authority": facts.authority, "program": facts.program,
            "authority_title": authority.title_on(min(facts.imposed_on or as_of, as_of)) if authority else None,
            "imposed_on": facts.imposed_on.isoformat() if facts.imposed_on else None,
            "imposed_precision": facts.imposed_precision,
        }  # fmt: skip
        ended = _sanction_end(facts, as_of)
        undated = facts.imposed_on is None or facts.imposed_precision == "unknown"
        if ended is None and (undated or (facts.imposed_precision == "listed_by" and facts.imposed_on > as_of)):
            # Not known to be in force that day: an unverified fact, never "always in force".
            if undated:
                why = (f"sanction {facts.id}: imposition date unknown; whether it was in force on "
                       f"{as_of.isoformat()} is not established")  # fmt: skip
            else:
                why = (
                    f"sanction {facts.id}: listed by {facts.imposed_on.isoformat()} (the first list version holding "
                    f"it, an upper bound); whether it was imposed by {as_of.isoformat()} is not known"
                )
            flags.extend([*sanction_flags, why])
            explained.append(
                {**head, "status": "unverified", "measures": _unverified_rows(authority, facts, measures, why)}
            )
            continue
        if facts.imposed_precision == "listed_by":
            sanction_flags.append(f"sanction {facts.id}: imposed by {facts.imposed_on.isoformat()} at the latest "
                                  "(listed by: the first list version holding it)")  # fmt: skip
        if ended is not None and ended[1] is None and authority is not None:
            # Recorded as ended, day unknown: the usual term of the order places the end, if it has one.
            natural, _ = _natural_end(facts, authority.duration)
            if natural is not None:
                ended = (ended[0], natural) if natural <= as_of else None
                sanction_flags.append(
                    f"sanction {facts.id}: {facts.status} on a day not in the sources; taken as {natural.isoformat()}"
                    f" ({authority.duration.type} term: {authority.duration.note})"
                )
        rows = [_measure(authority, facts, code, ended, as_of, flags, party, regimes) for code in measures]
        for row in rows:
            row["reasons"][:0] = [f"unverified: {text}" for text in sanction_flags]
        flags.extend(sanction_flags)
        if ended is not None:
            status = ended[0]
        elif rows and all(r["status"] == "waived" for r in rows):
            status = "waived"
        elif rows and all(r["status"] in ENDED for r in rows):
            status = "expired" if all(r["status"] == "expired" for r in rows) else "terminated"
        else:
            status = "active"
        explained.append({**head, "status": status, "measures": rows})
    return {
        "party": party,
        "as_of": as_of.isoformat(),
        "sanctions": explained,
        "unverified": list(dict.fromkeys(flags)),
    }


# --------------------------------------------------------------------------- reads


def resolve_party(session: Session, viewer: Viewer, text: str) -> Party:
    """A party by id, key (any case) or name; several names matching raise AmbiguousParty."""
    text = text.strip()
    for candidate in dict.fromkeys((text, text.casefold())):
        try:
            return registry.get_party(session, viewer, candidate)
        except NotFound:
            pass
    total, found = registry.search_parties(session, viewer, text, limit=20)
    if total == 0:
        raise NotFound(f"no party {text!r}")
    if total == 1:
        return found[0]
    exact = [p for p in found if p.caption.casefold() == text.casefold()]
    if len(exact) == 1:
        return exact[0]
    raise AmbiguousParty(text, found)


def explain(session: Session, viewer: Viewer, party: str, *, as_of: date | None = None) -> dict:
    """Whether relief is possible, per sanction and measure of ``party`` (id, key or name),
    as of ``as_of`` (default today). Only what the viewer may read is considered; a company officer
    asks about their own company alone (another answers as a party that does not exist)."""
    found = resolve_party(session, viewer, party)
    require_derived(viewer, found.id, asked=party.strip())
    facts = [SanctionFacts.of(s, registry.events_of(session, viewer, s.id))
             for s in registry.sanctions_of(session, viewer, found.id) if s.superseded_by_id is None]  # fmt: skip
    summary = {"id": found.id, "key": found.key, "caption": found.caption, "countries": list(found.countries or [])}
    return evaluate(load_authorities(), summary, facts, as_of or date.today(), load_regimes())


def check_relief(
    session: Session, viewer: Viewer, party_id: str, sanction_id: int, measure: str, route_code: str, as_of: date
) -> dict:
    """The measure's explanation with the chosen ``route``; Refused with the reasons when the
    rules do not allow relief of that measure by that route on that date."""
    explanation = explain(session, viewer, party_id, as_of=as_of)
    sanction = next((s for s in explanation["sanctions"] if s["id"] == sanction_id), None)
    if sanction is None:
        raise NotFound(f"no sanction {sanction_id} of {party_id!r} in force on {as_of.isoformat()}")
    row = next((m for m in sanction["measures"] if m["measure"] == measure), None)
    if row is None:
        raise NotFound(f"sanction {sanction_id} has no measure {measure!r}")
    route = next((r for r in row["routes"] if r["code"] == route_code), None)
    if not row["relief_possible"] or route is None or route["state"] != "open":
        offered = ", ".join(r["code"] for r in row["routes"] if r["state"] == "open") or "none"
        if route is not None and route["state"] != "open":
            row = {**row, "reasons": [f"{route_code} is {route['state']}: {route['why']}", *row["reasons"]]}
        raise Refused(
            f"relief of {measure} (sanction {sanction_id}) by {route_code!r} is not possible on "
            f"{as_of.isoformat()} (status {row['status']}; routes: {offered}): " + "; ".join(row["reasons"])
        )
    return {**row, "route": route}
