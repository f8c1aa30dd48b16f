"""Alleged export-control violation cases raised through the working-level channel
(07BEIJING1900 ¶15): the sanctioning side raises a case, the partner government acknowledges,
investigates and reports its response, and the sanctioning side records the outcome.

The workflow (``CASE``)::

    raised -> acknowledged -> under_investigation -> response_reported -> resolved_by_consultation
                                                                        -> sanctioned
                                                                        -> closed_unsubstantiated

Any open case may also be closed unsubstantiated (the allegation did not hold up, whatever
the partner did) or sanctioned (the partner did not engage; sanctions stay a tool of US law,
07BEIJING1900 ¶19); resolution *by consultation* needs the partner's response first. The
three outcomes are final. Closing always needs an outcome and a note saying why.

Who: the sanctioning side (``MANAGE_ENGAGEMENT``) raises and closes; the partner
(``RESPOND_CASES``) acknowledges, investigates and responds. An analyst may record a partner
step on the partner's behalf (e.g. from a cable); the event's note says so.

A case is marked releasable to its raiser's organization and the partner (the channel is
bilateral); its parties carry the case's marking. Each party is screened on entry (hits kept
on the party) and registered as a watched subject, so it is re-screened after every list import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can
from goodpath.access.records import get_readable, history, marking, readable
from goodpath.core import audit_log, followups
from goodpath.core.api_types import ID_MAX
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import country_code, one_of, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.workflow import Workflow, add_event, audited, check_version, transition
from goodpath.engagement.models import CaseParty, EnforcementAction, ViolationCase
from goodpath.registry.service import accepts_party_key, party_of
from goodpath.screening import monitoring
from goodpath.screening import service as screening

RECORD_TYPE = "case"
OUTCOMES = ("resolved_by_consultation", "sanctioned", "closed_unsubstantiated")
PARTNER_STEPS = ("acknowledged", "under_investigation", "response_reported")
OPEN_STATUSES = ("raised", *PARTNER_STEPS)
PARTY_ROLES = ("exporter", "broker", "end_user", "consignee", "manufacturer", "other")
WATCH_SOURCE = "case-party"
REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9./-]{2,39}$")
# Control-list entries: the regime lists and national lists a case may cite.
CONTROL_ENTRY = re.compile(r"^(MTCR|NSG|AG|CWC|WA|Wassenaar|ECCN|EAR99|USML|EU|PRC|China|UNSCR|Other)\b", re.IGNORECASE)
ECCN = re.compile(r"^ECCN\s+[0-9][A-E][0-9]{3}(\.[a-z0-9.]+)?$", re.IGNORECASE)
MAX_ITEMS = 100
MAX_PARTIES = 50
HITS_KEPT = 10

_FINAL = frozenset()
CASE = Workflow(
    RECORD_TYPE,
    {
        "raised": frozenset({"acknowledged", "sanctioned", "closed_unsubstantiated"}),
        "acknowledged": frozenset({"under_investigation", "sanctioned", "closed_unsubstantiated"}),
        "under_investigation": frozenset({"response_reported", "sanctioned", "closed_unsubstantiated"}),
        "response_reported": frozenset(OUTCOMES),
        **dict.fromkeys(OUTCOMES, _FINAL),
    },
)


# --- validation ----------------------------------------------------------------------------


def clean_items(items: Iterable[dict] | None) -> list[dict]:
    """Items as ``[{"description", "control_entry", "quantity"}]``, or an error naming the bad one."""
    cleaned = []
    for number, item in enumerate(items or (), start=1):
        if not isinstance(item, dict):
            raise GoodpathError(f"item {number} must be an object with description, control_entry and quantity")
        unknown = set(item) - {"description", "control_entry", "quantity"}
        if unknown:
            raise GoodpathError(f"item {number} has unknown fields: {', '.join(sorted(unknown))}")
        description = required_text(item.get("description"), f"item {number} description", 1000)
        entry = (item.get("control_entry") or "").strip() or None
        if entry is not None:
            if len(entry) > 200 or not CONTROL_ENTRY.match(entry):
                raise GoodpathError(
                    f"item {number} control_entry must name a control list (e.g. 'MTCR Category II Item 3', "
                    f"'NSG Part 2 ...', 'ECCN 9A004'), not {entry!r}"
                )
            if entry.upper().startswith("ECCN") and not ECCN.match(entry):
                raise GoodpathError(f"item {number} control_entry: an ECCN looks like 'ECCN 9A004', not {entry!r}")
        cleaned.append({"description": description, "control_entry": entry,
                        "quantity": _quantity(item.get("quantity"), number)})  # fmt: skip
    if len(cleaned) > MAX_ITEMS:
        raise GoodpathError(f"a case holds at most {MAX_ITEMS} items")
    return cleaned


def _quantity(value, number: int) -> int | float | str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise GoodpathError(f"item {number} quantity must be a positive number or a text like '12 units'")
    if isinstance(value, int | float):
        if not value > 0:
            raise GoodpathError(f"item {number} quantity must be positive, not {value}")
        if not (math.isfinite(value) and value <= ID_MAX):  # what a JSON column holds (64-bit integers)
            raise GoodpathError(f"item {number} quantity must be at most {ID_MAX}, not {value}")
        return value
    text = str(value).strip()
    if len(text) > 100:
        raise GoodpathError(f"item {number} quantity is longer than 100 characters")
    return text


def clean_party(session: Session, viewer: Viewer, party: dict, number: int = 1) -> dict:
    if not isinstance(party, dict):
        raise GoodpathError(f"party {number} must be an object with role, name, country and party_id")
    unknown = set(party) - {"role", "name", "country", "party_id"}
    if unknown:
        raise GoodpathError(f"party {number} has unknown fields: {', '.join(sorted(unknown))}")
    role = one_of(party.get("role"), PARTY_ROLES, f"party {number} role")
    name = required_text(party.get("name"), f"party {number} name", 500)
    country = country_code(party.get("country"), f"party {number} country")
    party_id = party.get("party_id") or None
    party_of(session, viewer, party_id)  # a registry party the viewer cannot see does not exist
    return {"role": role, "name": name, "country": country, "party_id": party_id}


def _not_future(day: date, field: str) -> date:
    if day > utcnow().date():
        raise GoodpathError(f"{field} {day.isoformat()} is in the future")
    return day


# --- raising and parties ---------------------------------------------------------------------


@accepts_party_key
def raise_case(
    session: Session,
    viewer: Viewer,
    *,
    reference: str,
    title: str,
    facts: str,
    raised_on: date | str | None = None,
    destination: str | None = None,
    end_user: str | None = None,
    items: Sequence[dict] | None = None,
    parties: Sequence[dict] | None = None,
    party_id: str | None = None,
    partner: str = "CHN",
    classification: str | None = None,
    releasability: str | None = None,
    source: str | None = None,
    demo_key: str | None = None,
) -> ViolationCase:
    """Raise a case; every party is screened and watched. Everything is checked before writing."""
    require_manage(viewer, "raise cases")
    reference = (reference or "").strip().upper()
    if not REFERENCE.match(reference):
        raise GoodpathError(f"reference must be 3 to 40 letters, digits, '-', '.' or '/' (e.g. WLC-2007-001), "
                            f"not {reference!r}")  # fmt: skip
    title = required_text(title, "title", 300)
    facts = required_text(facts, "facts")
    raised_on = _not_future(parse_date(raised_on, "raised_on") or utcnow().date(), "raised_on")
    destination = country_code(destination, "destination")
    end_user = (end_user or "").strip() or None
    if end_user and len(end_user) > 300:
        raise GoodpathError("end_user is longer than 300 characters")
    items = clean_items(items)
    parties = [clean_party(session, viewer, p, n) for n, p in enumerate(parties or (), start=1)]
    if len(parties) > MAX_PARTIES:
        raise GoodpathError(f"a case holds at most {MAX_PARTIES} parties")
    party_of(session, viewer, party_id)
    partner = (partner or "").strip().upper()
    marks = marking(viewer, classification, releasability, share_with=[partner] if partner else [])
    if session.scalars(select(ViolationCase.id).where(ViolationCase.reference == reference)).first() is not None:
        raise Refused(f"a case with reference {reference} already exists")
    case = ViolationCase(
        reference=reference, title=title, raised_on=raised_on, status="raised", status_on=raised_on, facts=facts,
        destination=destination, end_user=end_user, items=items, party_id=party_id, created_by=viewer.actor,
        source=source, demo_key=demo_key, **marks,
    )  # fmt: skip
    session.add(case)
    session.flush()
    add_event(session, viewer, RECORD_TYPE, case, None, "raised", raised_on, note=None, source=source)
    audited(session, viewer, "case.raise", case)
    for party in parties:
        _add_party(session, viewer, case, party)
    return case


@accepts_party_key
def add_party(
    session: Session,
    viewer: Viewer,
    case_id: int,
    *,
    role: str,
    name: str,
    country: str | None = None,
    party_id: str | None = None,
) -> CaseParty:
    """Add a party to an open case (screened and watched like those raised with it)."""
    require_manage(viewer, "add parties to cases")
    case = get_case(session, viewer, case_id)
    if case.status not in OPEN_STATUSES:
        raise Refused(f"case {case.reference} is closed ({case.status}): no parties can be added")
    cleaned = clean_party(session, viewer, {"role": role, "name": name, "country": country, "party_id": party_id})
    return _add_party(session, viewer, case, cleaned)


def _open_case(session: Session, viewer: Viewer, case_id: int | str, what: str) -> ViolationCase:
    require_manage(viewer, what)
    case = get_case(session, viewer, case_id)
    if case.status not in OPEN_STATUSES:
        raise Refused(f"case {case.reference} is closed ({case.status}): its parties and items cannot change")
    return case


def remove_party(session: Session, viewer: Viewer, case_id: int | str, party_row_id: int) -> CaseParty:
    """Remove a party from an open case (audited with what it was). Its watched subject stays
    watched: the watch list is shared with other cases and the screening desk."""
    case = _open_case(session, viewer, case_id, "remove parties from cases")
    valid = isinstance(party_row_id, int) and 1 <= party_row_id <= ID_MAX
    row = session.get(CaseParty, party_row_id) if valid else None
    if row is None or row.case_id != case.id:
        raise NotFound(f"no party {party_row_id!r} on case {case.reference}")
    before = to_dict(row)
    audit_log.record(
        session, actor=viewer.actor, action="case.party.remove", target_type=row.__tablename__,
        target_id=str(row.id), before=before, after=None, reason=None, classification=row.classification,
        releasability=row.releasability,
    )  # fmt: skip
    session.delete(row)
    session.flush()
    return row


def add_item(
    session: Session,
    viewer: Viewer,
    case_id: int | str,
    *,
    description: str,
    control_entry: str | None = None,
    quantity: int | float | str | None = None,
) -> ViolationCase:
    """Add an item to an open case (checked like the items it was raised with)."""
    case = _open_case(session, viewer, case_id, "add items to cases")
    item = {"description": description, "control_entry": control_entry, "quantity": quantity}
    items = clean_items([*(case.items or []), item])
    before = to_dict(case)
    case.items = items
    audited(session, viewer, "case.items", case, before=before)
    return case


def remove_item(session: Session, viewer: Viewer, case_id: int | str, number: int) -> ViolationCase:
    """Remove item ``number`` (1 for the first) from an open case."""
    case = _open_case(session, viewer, case_id, "remove items from cases")
    items = list(case.items or [])
    if not (isinstance(number, int) and 1 <= number <= len(items)):
        raise NotFound(f"no item {number!r} on case {case.reference}")
    before = to_dict(case)
    case.items = items[: number - 1] + items[number:]
    audited(session, viewer, "case.items", case, before=before)
    return case


def _add_party(session: Session, viewer: Viewer, case: ViolationCase, party: dict) -> CaseParty:
    result = screening.screen(session, viewer, party["name"], country=party["country"], limit=HITS_KEPT)
    hits = [
        {
            "entry_id": h["entry_id"],
            "party_id": h["party_id"],
            "caption": h["caption"],
            "dataset": h["dataset"],
            "score": h["score"],
            "matched_name": h["matched_name"],
        }  # fmt: skip
        for h in result["hits"]
    ]
    subject = monitoring.watch(
        session, viewer, party["name"], country=party["country"], party_id=party["party_id"], source=WATCH_SOURCE
    )
    row = CaseParty(
        case_id=case.id, role=party["role"], name=party["name"], country=party["country"],
        party_id=party["party_id"], subject_id=subject.id, hits=hits, screened_at=utcnow(),
        classification=case.classification, releasability=case.releasability, originator=case.originator,
        published=case.published,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audited(session, viewer, "case.party", row)
    return row


# --- the workflow ----------------------------------------------------------------------------


def require_manage(viewer: Viewer, what: str) -> None:
    if not can(viewer, Permission.MANAGE_ENGAGEMENT):
        raise Refused(f"you do not have permission to {what}")


def _partner_step(viewer: Viewer, note: str | None) -> str | None:
    """Partner steps: the partner itself, or an analyst recording them on its behalf (noted)."""
    if can(viewer, Permission.RESPOND_CASES):
        return note
    if can(viewer, Permission.MANAGE_ENGAGEMENT):
        noted = f"recorded on the partner's behalf by {viewer.actor}"
        return f"{note} ({noted})" if note else noted
    raise Refused("you do not have permission to respond to cases for the partner government")


def _step(session, viewer, case_id, target, *, occurred_on, note, source) -> ViolationCase:
    case = get_case(session, viewer, case_id)
    day = parse_date(occurred_on, "occurred_on")
    if day is not None:
        _not_future(day, "occurred_on")
    transition(session, viewer, CASE, case, target, occurred_on=day, note=note, source=source)
    return case


def acknowledge(session, viewer, case_id, *, occurred_on=None, note=None, source=None) -> ViolationCase:
    """The partner acknowledges the case."""
    note = _partner_step(viewer, (note or "").strip() or None)
    return _step(session, viewer, case_id, "acknowledged", occurred_on=occurred_on, note=note, source=source)


def investigate(session, viewer, case_id, *, occurred_on=None, note=None, source=None) -> ViolationCase:
    """The partner opens its investigation."""
    note = _partner_step(viewer, (note or "").strip() or None)
    return _step(session, viewer, case_id, "under_investigation", occurred_on=occurred_on, note=note, source=source)


def respond(
    session: Session,
    viewer: Viewer,
    case_id: int,
    *,
    response: str,
    occurred_on: date | str | None = None,
    note: str | None = None,
    source: str | None = None,
    action_ids: Iterable[int] = (),
) -> ViolationCase:
    """The partner reports its response (text required), optionally citing enforcement actions
    reported on this case."""
    response = required_text(response, "the partner's response")
    note = _partner_step(viewer, (note or "").strip() or None)
    case = get_case(session, viewer, case_id)
    cited = []
    for action_id in action_ids:
        action = get_readable(session, viewer, EnforcementAction, action_id, "enforcement action")
        if action.case_id != case.id:
            raise GoodpathError(f"enforcement action {action_id} is not reported on case {case.reference}")
        cited.append(str(action.id))
    if cited:
        cites = f"cites enforcement actions {', '.join(cited)}"
        note = f"{note}; {cites}" if note else cites
    _step(session, viewer, case.id, "response_reported", occurred_on=occurred_on, note=note, source=source)
    # The step is recorded first (it refuses before writing); then the response, audited on its own.
    before = to_dict(case)
    case.partner_response = response
    audited(session, viewer, "case.response", case, before=before)
    return case


def close(
    session: Session,
    viewer: Viewer,
    case_id: int,
    *,
    outcome: str | None,
    note: str | None,
    occurred_on: date | str | None = None,
    source: str | None = None,
    expected_version: int | None = None,
) -> ViolationCase:
    """Record the outcome: resolved_by_consultation, sanctioned or closed_unsubstantiated.
    Refused without an outcome or without a note saying why, and (``StaleRecord``) if the case
    changed since ``expected_version`` was read."""
    require_manage(viewer, "record the outcome of cases")
    if not outcome:
        raise GoodpathError(f"closing a case needs an outcome: one of {', '.join(OUTCOMES)}")
    outcome = one_of(outcome, OUTCOMES, "outcome")
    note = required_text(note, "an outcome note (why the case is closed this way)")
    case = get_case(session, viewer, case_id)
    check_version(session, case, expected_version, RECORD_TYPE)
    _step(session, viewer, case.id, outcome, occurred_on=occurred_on, note=note, source=source)
    before = to_dict(case)
    case.outcome, case.outcome_note = outcome, note
    audited(session, viewer, "case.outcome", case, before=before, reason=note)
    # 'sanctioned': a breach of relief conditions for its parties on the pathway (goodpath.consequences).
    followups.record(session, "case_closed", {"case_id": case.id, "outcome": outcome}, actor=viewer.actor)
    return case


def advance(
    session: Session,
    viewer: Viewer,
    case_id: int,
    status: str,
    *,
    note: str | None = None,
    response: str | None = None,
    outcome: str | None = None,
    occurred_on: date | str | None = None,
    source: str | None = None,
    action_ids: Iterable[int] = (),
    expected_version: int | None = None,
) -> ViolationCase:
    """One entry point for the API: ``status`` is a step of the workflow, or ``closed`` with an
    ``outcome`` (an outcome as the status works too). Refused (``StaleRecord``) if the case changed
    since ``expected_version`` was read."""
    if expected_version is not None:
        check_version(session, get_case(session, viewer, case_id), expected_version, RECORD_TYPE)
    if status == "acknowledged":
        return acknowledge(session, viewer, case_id, occurred_on=occurred_on, note=note, source=source)
    if status == "under_investigation":
        return investigate(session, viewer, case_id, occurred_on=occurred_on, note=note, source=source)
    if status == "response_reported":
        return respond(session, viewer, case_id, response=response, occurred_on=occurred_on, note=note,
                       source=source, action_ids=action_ids)  # fmt: skip
    if status == "closed" or status in OUTCOMES:
        if status in OUTCOMES and outcome not in (None, status):
            raise GoodpathError(f"status {status} and outcome {outcome} disagree")
        return close(session, viewer, case_id, outcome=outcome or (status if status in OUTCOMES else None),
                     note=note, occurred_on=occurred_on, source=source)  # fmt: skip
    steps = (*PARTNER_STEPS, "closed", *OUTCOMES)
    raise GoodpathError(f"status must be one of {', '.join(steps)}, not {status!r}")


# --- reading ---------------------------------------------------------------------------------


def get_case(session: Session, viewer: Viewer, case_id: int | str) -> ViolationCase:
    """A case by id or by reference (e.g. WLC-2007-001); NotFound when the viewer cannot read it."""
    if isinstance(case_id, str) and not (case_id.strip().isascii() and case_id.strip().isdigit()):
        found = session.scalars(
            readable(session, viewer, ViolationCase).where(ViolationCase.reference == case_id.strip().upper())
        ).first()
        if found is None:
            raise NotFound(f"no case {case_id!r}")
        return found
    return get_readable(session, viewer, ViolationCase, int(case_id), "case")


def case_row(case: ViolationCase) -> dict:
    row = to_dict(case)
    row["open"] = case.status in OPEN_STATUSES
    return row


@accepts_party_key
def list_cases(
    session: Session,
    viewer: Viewer,
    *,
    status: str | None = None,
    open_only: bool = False,
    party_id: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict]:
    """Cases the viewer may read, newest raised first."""
    query = readable(session, viewer, ViolationCase)
    if status is not None:
        query = query.where(ViolationCase.status == one_of(status, CASE.statuses, "status"))
    if open_only:
        query = query.where(ViolationCase.status.in_(OPEN_STATUSES))
    if party_id is not None:
        query = query.where(ViolationCase.party_id == party_id)
    query = query.order_by(ViolationCase.raised_on.desc(), ViolationCase.id.desc()).limit(limit).offset(offset)
    return [case_row(c) for c in session.scalars(query)]


def case_detail(session: Session, viewer: Viewer, case_id: int | str) -> dict:
    """A case with its parties (and their screening hits), history and enforcement actions."""
    case = get_case(session, viewer, case_id)
    parties = session.scalars(
        readable(session, viewer, CaseParty).where(CaseParty.case_id == case.id).order_by(CaseParty.id)
    )
    actions = session.scalars(
        readable(session, viewer, EnforcementAction)
        .where(EnforcementAction.case_id == case.id)
        .order_by(EnforcementAction.reported_on, EnforcementAction.id)
    )
    return {
        **case_row(case),
        "parties": [to_dict(p) for p in parties],
        "history": history(session, viewer, RECORD_TYPE, case.id),
        "actions": [to_dict(a) for a in actions],
    }
