"""Case metrics on constructed histories: outcome shares, time to each step, open cases by age."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.engagement import case_metrics, cases
from tests.engagement.test_cases import OTHER_PARTNER, PARTNER, load_list, raise_sample
from tests.factories import OPERATOR


def _walk(session, case, steps: list[tuple[str, str]]) -> None:
    """Take ``steps`` [(status, date)] on ``case`` as the partner/analyst would."""
    for status, on in steps:
        viewer = PARTNER if status in cases.PARTNER_STEPS else OPERATOR
        cases.advance(session, viewer, case.id, status, occurred_on=on, note="decided", response="answer")
    session.commit()


def _history(session):
    """Five cases raised 2007; three closed, two open."""
    load_list(session, "ALPHA MISSILE TRADING COMPANY")
    a = raise_sample(session, "WLC-A", raised_on="2007-01-01")
    _walk(
        session,
        a,
        [
            ("acknowledged", "2007-01-11"),
            ("under_investigation", "2007-01-21"),
            ("response_reported", "2007-03-02"),
            ("resolved_by_consultation", "2007-04-01"),
        ],
    )
    b = raise_sample(session, "WLC-B", raised_on="2007-02-01")
    _walk(
        session,
        b,
        [
            ("acknowledged", "2007-02-21"),
            ("under_investigation", "2007-03-03"),
            ("response_reported", "2007-04-02"),
            ("resolved_by_consultation", "2008-01-10"),
        ],
    )
    c = raise_sample(session, "WLC-C", raised_on="2007-03-01")
    _walk(session, c, [("acknowledged", "2007-03-31"), ("sanctioned", "2007-08-28")])
    d = raise_sample(session, "WLC-D", raised_on="2007-06-01")
    _walk(session, d, [("acknowledged", "2007-06-06")])
    raise_sample(session, "WLC-E", raised_on="2007-11-15")  # fmt: skip
    return a, b, c, d


def test_outcome_shares_among_closed_cases_overall_and_per_year_of_closure(session):
    _history(session)
    overall = case_metrics.outcome_shares(session, OPERATOR)
    assert overall["closed"] == 3
    assert overall["counts"] == {"resolved_by_consultation": 2, "sanctioned": 1, "closed_unsubstantiated": 0}
    shares = {"resolved_by_consultation": 0.6667, "sanctioned": 0.3333, "closed_unsubstantiated": 0.0}
    assert overall["shares"] == shares
    in_2007 = case_metrics.outcome_shares(session, OPERATOR, year=2007)
    assert in_2007["counts"] == {"resolved_by_consultation": 1, "sanctioned": 1, "closed_unsubstantiated": 0}
    assert in_2007["shares"]["sanctioned"] == 0.5 and in_2007["year"] == 2007
    by_year = case_metrics.outcome_shares_by_year(session, OPERATOR)
    assert {y: v["closed"] for y, v in by_year.items()} == {2007: 2, 2008: 1}
    assert case_metrics.outcome_shares(session, OPERATOR, year=2001)["shares"]["sanctioned"] is None


def test_time_to_each_step_from_the_event_history(session):
    _history(session)
    got = case_metrics.time_to_steps(session, OPERATOR)
    # acknowledged: A 10, B 20, C 30, D 5 days; investigation: A 20, B 30; response: A 60, B 60;
    # outcome: A 90, B 343 (2007-02-01 -> 2008-01-10), C 180.
    assert got["acknowledged"] == {"cases": 4, "median_days": 15.0, "mean_days": 16.25}
    assert got["under_investigation"] == {"cases": 2, "median_days": 25.0, "mean_days": 25.0}
    assert got["response_reported"] == {"cases": 2, "median_days": 60.0, "mean_days": 60.0}
    assert got["outcome"] == {"cases": 3, "median_days": 180.0, "mean_days": round((90 + 343 + 180) / 3, 2)}


def test_open_cases_by_age_against_today(session):
    _history(session)
    got = case_metrics.open_by_age(session, OPERATOR, "2007-12-15")
    # D raised 2007-06-01 (197 days), E 2007-11-15 (30 days: the edge of the first bucket).
    assert got == {"today": "2007-12-15", "open": 2,
                   "buckets": {"0-30": 1, "31-90": 0, "91-180": 0, "181-365": 1, ">365": 0}}  # fmt: skip
    later = case_metrics.open_by_age(session, OPERATOR, date(2008, 6, 2))
    assert later["buckets"] == {"0-30": 0, "31-90": 0, "91-180": 0, "181-365": 1, ">365": 1}


def test_metrics_count_only_cases_the_viewer_may_read(session):
    _history(session)
    raise_sample(session, "WLC-OURS", raised_on="2007-12-01", releasability="USA")
    assert case_metrics.open_by_age(session, OPERATOR, "2007-12-15")["open"] == 3
    assert case_metrics.open_by_age(session, PARTNER, "2007-12-15")["open"] == 2
    nothing = case_metrics.metrics(session, OTHER_PARTNER, today="2007-12-15")
    assert nothing["outcomes"]["closed"] == 0 and nothing["open_by_age"]["open"] == 0
    assert nothing["time_to_step"]["outcome"] == {"cases": 0, "median_days": None, "mean_days": None}


def test_age_buckets_edges():
    assert [case_metrics.age_bucket(d) for d in (0, 30, 31, 90, 91, 180, 181, 365, 366, -4)] == [
        "0-30", "0-30", "31-90", "31-90", "91-180", "91-180", "181-365", "181-365", ">365", "0-30"]  # fmt: skip


PATHS = {
    "open": [],
    "ack": ["acknowledged"],
    "consulted": ["acknowledged", "under_investigation", "response_reported", "resolved_by_consultation"],
    "sanctioned": ["acknowledged", "sanctioned"],
    "unsubstantiated": ["closed_unsubstantiated"],
}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.sampled_from(sorted(PATHS)), st.integers(0, 700), st.integers(1, 40)), max_size=6))
def test_shares_sum_to_one_and_buckets_sum_to_the_open_count(session, plan):
    from sqlalchemy import delete

    from goodpath.core.workflow import StatusEvent
    from goodpath.engagement.models import CaseParty, ViolationCase
    from goodpath.screening.models import ScreenedSubject

    for model in (CaseParty, StatusEvent, ViolationCase, ScreenedSubject):
        session.execute(delete(model))
    session.commit()
    start = date(2006, 1, 1)
    for number, (path, offset, gap) in enumerate(plan):
        raised = start + timedelta(days=offset)
        case = raise_sample(session, f"WLC-P-{number:03d}", raised_on=raised.isoformat(), parties=[])
        _walk(session, case, [(s, (raised + timedelta(days=gap * (i + 1))).isoformat())
                              for i, s in enumerate(PATHS[path])])  # fmt: skip
    got = case_metrics.metrics(session, OPERATOR, today="2008-06-30")
    closed = sum(1 for path, _, _ in plan if PATHS[path] and PATHS[path][-1] in cases.OUTCOMES)
    assert got["outcomes"]["closed"] == closed
    if closed:
        assert abs(sum(got["outcomes"]["shares"].values()) - 1) < 0.001
    assert got["open_by_age"]["open"] == len(plan) - closed == sum(got["open_by_age"]["buckets"].values())
    reached = got["time_to_step"]["acknowledged"]["cases"]
    assert reached == sum(1 for path, _, _ in plan if "acknowledged" in PATHS[path])
    if reached:
        assert got["time_to_step"]["acknowledged"]["median_days"] > 0
