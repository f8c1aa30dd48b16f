"""Metrics of the working-level channel, computed from stored cases and their event history:
how closed cases ended (by consultation, by sanctions, unsubstantiated), how long each step
took from raising, and how old the open cases are. Only cases (and events) the viewer may
read are counted; the cases of illustrative (fictional) companies only when asked
(``include_illustrative``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import mean, median

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, read_filter
from goodpath.access.records import readable
from goodpath.core.errors import GoodpathError
from goodpath.core.fields import parse_date
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent
from goodpath.engagement.cases import OPEN_STATUSES, OUTCOMES, RECORD_TYPE
from goodpath.engagement.models import ViolationCase
from goodpath.registry.datasets import illustrative_parties

# Steps timed from raising: the first event reaching each; "outcome" is the first final status.
STEPS = ("acknowledged", "under_investigation", "response_reported", "outcome")
AGE_BUCKETS = (("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("181-365", 181, 365), (">365", 366, None))


def _cases(session: Session, viewer: Viewer, include_illustrative: bool = False) -> list[ViolationCase]:
    query = readable(session, viewer, ViolationCase)
    if not include_illustrative:  # a fictional company's case is no real statistic
        query = query.where(ViolationCase.party_id.is_(None) | ViolationCase.party_id.not_in(illustrative_parties()))
    return list(session.scalars(query.order_by(ViolationCase.id)))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def outcome_shares(
    session: Session, viewer: Viewer, *, year: int | None = None, include_illustrative: bool = False
) -> dict:
    """Among closed cases (closed in ``year`` if given): count and share of each outcome."""
    closed = [c for c in _cases(session, viewer, include_illustrative) if c.status in OUTCOMES]
    if year is not None:
        closed = [c for c in closed if c.status_on.year == year]
    return _shares(closed) | {"year": year}


def _shares(closed: list[ViolationCase]) -> dict:
    counts = {o: sum(1 for c in closed if c.status == o) for o in OUTCOMES}
    return {"closed": len(closed), "counts": counts, "shares": {o: _share(n, len(closed)) for o, n in counts.items()}}


def outcome_shares_by_year(session: Session, viewer: Viewer, include_illustrative: bool = False) -> dict[int, dict]:
    """``outcome_shares`` for each year of closure that has closed cases."""
    by_year: dict[int, list[ViolationCase]] = defaultdict(list)
    for case in _cases(session, viewer, include_illustrative):
        if case.status in OUTCOMES:
            by_year[case.status_on.year].append(case)
    return {y: _shares(cases) for y, cases in sorted(by_year.items())}


def step_days(session: Session, viewer: Viewer, include_illustrative: bool = False) -> dict[int, dict[str, int]]:
    """For each readable case: days from raising to the first event reaching each step."""
    cases = {c.id: c for c in _cases(session, viewer, include_illustrative)}
    if not cases:
        return {}
    events = session.scalars(
        select(StatusEvent)
        .where(StatusEvent.record_type == RECORD_TYPE, StatusEvent.record_id.in_(cases))
        .where(read_filter(viewer, StatusEvent))
        .order_by(StatusEvent.occurred_on, StatusEvent.id)
    )
    days: dict[int, dict[str, int]] = {case_id: {} for case_id in cases}
    for event in events:
        step = "outcome" if event.to_status in OUTCOMES else event.to_status
        if step in STEPS and step not in days[event.record_id]:
            days[event.record_id][step] = (event.occurred_on - cases[event.record_id].raised_on).days
    return days


def time_to_steps(session: Session, viewer: Viewer, include_illustrative: bool = False) -> dict[str, dict]:
    """Per step: how many cases reached it, and the median and mean days from raising."""
    per_case = step_days(session, viewer, include_illustrative)
    out = {}
    for step in STEPS:
        values = [d[step] for d in per_case.values() if step in d]
        out[step] = {
            "cases": len(values),
            "median_days": float(median(values)) if values else None,
            "mean_days": round(mean(values), 2) if values else None,
        }
    return out


def open_by_age(
    session: Session, viewer: Viewer, today: date | str | None = None, include_illustrative: bool = False
) -> dict:
    """Open cases by days since raising, in buckets 0-30, 31-90, 91-180, 181-365, >365."""
    today = parse_date(today, "today") or utcnow().date()
    buckets = dict.fromkeys((name for name, _, _ in AGE_BUCKETS), 0)
    open_cases = [c for c in _cases(session, viewer, include_illustrative) if c.status in OPEN_STATUSES]
    for case in open_cases:
        buckets[age_bucket((today - case.raised_on).days)] += 1
    return {"today": today.isoformat(), "open": len(open_cases), "buckets": buckets}


def age_bucket(days: int) -> str:
    """The bucket of an age in days (a case raised after ``today`` counts as 0 days old)."""
    days = max(days, 0)
    for name, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return name
    raise GoodpathError(f"no bucket for {days} days")  # unreachable: the buckets cover every age


def metrics(
    session: Session, viewer: Viewer, *, today: date | str | None = None, year: int | None = None,
    include_illustrative: bool = False,
) -> dict:  # fmt: skip
    """All case metrics in one answer (what the CLI and API show)."""
    apart = include_illustrative
    return {
        "outcomes": outcome_shares(session, viewer, year=year, include_illustrative=apart),
        "outcomes_by_year": outcome_shares_by_year(session, viewer, apart),
        "time_to_step": time_to_steps(session, viewer, apart),
        "open_by_age": open_by_age(session, viewer, today, apart),
        "include_illustrative": include_illustrative,
    }
