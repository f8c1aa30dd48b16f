"""The partner government's reported enforcement actions, and the transparency report per
period: how many actions, of which kinds, with how much detail (07BEIJING1900 ¶2: "share
more and more detailed information about Chinese enforcement actions").

An action may be linked to a case and/or a registry party. Reporting an action moves no case:
the partner's response on the case may cite it (cases.respond). Partner officers
(``RESPOND_CASES``) and analysts (``MANAGE_ENGAGEMENT``) may report. An action is marked
releasable to both sides of the channel: the reporter's organization and the counterpart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date

from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can
from goodpath.access.records import get_readable, marking, readable
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.fields import one_of, parse_date, required_text, to_dict
from goodpath.core.models import utcnow
from goodpath.core.settings import hosting_organization
from goodpath.core.workflow import audited
from goodpath.engagement.models import EnforcementAction, ViolationCase
from goodpath.registry.service import accepts_party_key, party_of

KINDS = ("investigation", "penalty", "licence_denial", "licence_revocation", "seizure", "prosecution", "warning")
DETAIL_LEVELS = ("none", "summary", "detailed")
CURRENCY = re.compile(r"^[A-Z]{3}$")


@accepts_party_key
def report_action(
    session: Session,
    viewer: Viewer,
    *,
    kind: str,
    reported_by: str,
    detail_level: str,
    reported_on: date | str | None = None,
    taken_on: date | str | None = None,
    detail: str | None = None,
    case_id: int | None = None,
    party_id: str | None = None,
    party_name: str | None = None,
    penalty_amount: float | None = None,
    currency: str | None = None,
    partner: str = "CHN",
    classification: str | None = None,
    releasability: str | None = None,
    source: str | None = None,
    demo_key: str | None = None,
) -> EnforcementAction:
    """Record an enforcement action the partner reported. Everything is checked before writing."""
    if not (can(viewer, Permission.RESPOND_CASES) or can(viewer, Permission.MANAGE_ENGAGEMENT)):
        raise Refused("you do not have permission to report enforcement actions")
    kind = one_of(kind, KINDS, "kind")
    detail_level = one_of(detail_level, DETAIL_LEVELS, "detail_level")
    reported_by = required_text(reported_by, "reported_by (the reporting agency, e.g. MOFCOM)", 200)
    today = utcnow().date()
    reported_on = parse_date(reported_on, "reported_on") or today
    taken_on = parse_date(taken_on, "taken_on")
    if reported_on > today:
        raise GoodpathError(f"reported_on {reported_on.isoformat()} is in the future")
    if taken_on is not None and taken_on > reported_on:
        raise GoodpathError(f"taken_on {taken_on.isoformat()} is after reported_on {reported_on.isoformat()}")
    detail = (detail or "").strip() or None
    # The detail level says what the partner shared: "none" means no detail to record.
    if detail_level == "none" and detail:
        raise GoodpathError("detail_level none means the partner gave no detail: leave detail empty or say summary")
    if detail_level != "none" and not detail:
        raise GoodpathError(f"detail is required when detail_level is {detail_level}")
    amount, currency = _penalty(kind, penalty_amount, currency)
    case = get_readable(session, viewer, ViolationCase, case_id, "case") if case_id is not None else None
    party = party_of(session, viewer, party_id)
    party_name = (party_name or "").strip() or (party.caption if party is not None else None)
    if party_name and len(party_name) > 500:
        raise GoodpathError("party_name is longer than 500 characters")
    if case is None and party is None and not party_name:
        raise GoodpathError("an enforcement action needs a case, a registry party or a party_name it concerns")
    partner = (partner or "").strip().upper()
    counterpart = hosting_organization() if viewer.organization == partner else partner
    marks = marking(viewer, classification, releasability, share_with=[counterpart] if counterpart else [])
    action = EnforcementAction(
        case_id=case.id if case else None, party_id=party_id, party_name=party_name, kind=kind, taken_on=taken_on,
        reported_on=reported_on, reported_by=reported_by, detail_level=detail_level, detail=detail,
        penalty_amount=amount, currency=currency, created_by=viewer.actor, source=source, demo_key=demo_key, **marks,
    )  # fmt: skip
    session.add(action)
    session.flush()
    audited(session, viewer, "enforcement.report", action)
    return action


def _penalty(kind: str, amount, currency: str | None) -> tuple[float | None, str | None]:
    currency = (currency or "").strip().upper() or None
    if amount is None:
        if currency is not None:
            raise GoodpathError("currency is given without a penalty_amount")
        return None, None
    try:
        amount = float(amount)
    except (TypeError, ValueError):
        raise GoodpathError(f"penalty_amount must be a number, not {amount!r}") from None
    if kind != "penalty":
        raise GoodpathError(f"a penalty_amount belongs to a penalty, not to a {kind}")
    if not 0 < amount < math.inf:
        raise GoodpathError(f"penalty_amount must be positive and finite, not {amount}")
    if currency is None or not CURRENCY.match(currency):
        raise GoodpathError(f"a penalty_amount needs a three-letter currency (e.g. CNY), not {currency!r}")
    return amount, currency


def action_row(action: EnforcementAction) -> dict:
    return to_dict(action)


@accepts_party_key
def list_actions(
    session: Session,
    viewer: Viewer,
    *,
    case_id: int | None = None,
    party_id: str | None = None,
    kind: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[dict]:
    """Actions the viewer may read, by date reported (``date_from``/``date_to`` inclusive)."""
    query = _period(readable(session, viewer, EnforcementAction), date_from, date_to)
    if case_id is not None:
        query = query.where(EnforcementAction.case_id == case_id)
    if party_id is not None:
        query = query.where(EnforcementAction.party_id == party_id)
    if kind is not None:
        query = query.where(EnforcementAction.kind == one_of(kind, KINDS, "kind"))
    query = query.order_by(EnforcementAction.reported_on, EnforcementAction.id).limit(limit).offset(offset)
    return [action_row(a) for a in session.scalars(query)]


def _period(query, date_from, date_to):
    date_from, date_to = parse_date(date_from, "from"), parse_date(date_to, "to")
    if date_from and date_to and date_from > date_to:
        raise GoodpathError(f"the period's start {date_from.isoformat()} is after its end {date_to.isoformat()}")
    if date_from:
        query = query.where(EnforcementAction.reported_on >= date_from)
    if date_to:
        query = query.where(EnforcementAction.reported_on <= date_to)
    return query


def transparency_report(session: Session, viewer: Viewer, date_from: date | str, date_to: date | str) -> dict:
    """What the partner reported in the period (by date reported, both ends inclusive), from
    what the viewer may read: counts by kind and detail level, the share with detail (summary
    or detailed), actions linked to cases or not, and how many of the cases raised in the period
    have any action reported on them by the period's end."""
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    if start is None or end is None:
        raise GoodpathError("a transparency report needs a period: from and to (YYYY-MM-DD)")
    actions = list_actions(session, viewer, date_from=start, date_to=end, limit=1_000_000)
    kinds = Counter(a["kind"] for a in actions)
    levels = Counter(a["detail_level"] for a in actions)
    with_detail = levels["summary"] + levels["detailed"]
    linked = sum(1 for a in actions if a["case_id"] is not None)
    raised = list(
        session.scalars(
            readable(session, viewer, ViolationCase)
            .where(ViolationCase.raised_on >= start, ViolationCase.raised_on <= end)
            .with_only_columns(ViolationCase.id)
        )
    )
    acted = set(
        session.scalars(
            readable(session, viewer, EnforcementAction)
            .where(EnforcementAction.case_id.in_(raised), EnforcementAction.reported_on <= end)
            .with_only_columns(EnforcementAction.case_id)
        )
    ) if raised else set()  # fmt: skip
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "total": len(actions),
        "by_kind": {k: kinds[k] for k in KINDS},
        "by_detail_level": {d: levels[d] for d in DETAIL_LEVELS},
        "with_detail": with_detail,
        "share_with_detail": _share(with_detail, len(actions)),
        "linked_to_cases": linked,
        "not_linked_to_cases": len(actions) - linked,
        "cases_raised": len(raised),
        "cases_raised_with_action": len(acted),
        "share_of_cases_with_action": _share(len(acted), len(raised)),
        "actions": actions,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
