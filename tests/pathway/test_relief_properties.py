"""Properties of relief over random measures, routes and dates (the issue's "done when"): relief is
never granted where the legal rules refuse it, never takes effect before the route's earliest date
(minimum duration, notice period), is not in effect until its notice has been recorded and has run,
needs a proposer and a distinct approver, and every step is in the audit log. Each example works on
a fresh company of its own (AECA sec. 73 missile sanctions as on NORINCO, from the real catalogue)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import Refused
from goodpath.pathway import eligibility, evidence, proposals
from goodpath.pathway import relief as relief_life
from goodpath.pathway.models import PathwayRelief
from goodpath.pathway.workdays import notice_effective
from tests.pathway.conftest import (
    ANALYST,
    APPROVER,
    APPROVER2,
    add_company,
    add_missile_sanction,
    determination,
    move,
    walk_to_monitoring,
)

NUMBERS = itertools.count(1)
MEASURES = ("import_ban", "missile_contract_ban", "missile_licence_denial")


def _recognized_company(session) -> tuple[str, int]:
    party = f"relief-{next(NUMBERS)}"
    add_company(session, party, measures=())
    sanction = add_missile_sanction(session, party)
    session.commit()
    walk_to_monitoring(session, party)
    move(session, "recognized", "2005-07-01", party=party)
    return party, sanction.id


def _actions(session, target_id) -> set[str]:
    rows = session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(target_id)))
    return set(rows)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    measure=st.sampled_from(MEASURES),
    route_pick=st.integers(0, 5),
    proposed_on=st.dates(date(2005, 7, 1), date(2012, 12, 31)),
    notice_after=st.integers(0, 120),
    checked_after=st.integers(0, 400),
)
def test_relief_follows_the_legal_rules_the_notice_and_two_people(
    session, measure, route_pick, proposed_on, notice_after, checked_after
):
    party, sanction_id = _recognized_company(session)
    rules = eligibility.explain(session, ANALYST, party, as_of=proposed_on)
    sanction = next(s for s in rules["sanctions"] if s["id"] == sanction_id)
    row = next(m for m in sanction["measures"] if m["measure"] == measure)
    offered = [r for r in row["routes"] if r["state"] == "open"]  # shown routes that are not open are refused
    codes = [r["code"] for r in offered] + ["no_such_route"]
    code = codes[route_pick % len(codes)]
    spec = {"sanction_id": sanction_id, "measure": measure, "route_code": code}

    if code == "no_such_route":  # a route the rules do not offer is refused, nothing stored
        with pytest.raises(Refused):
            proposals.propose(session, ANALYST, party, relief=spec, rationale="r", effective_on=proposed_on)
        session.rollback()
        assert not session.scalars(select(PathwayRelief).where(PathwayRelief.party_id == party)).all()
        return

    route = next(r for r in offered if r["code"] == code)
    proposal = proposals.propose(session, ANALYST, party, relief=spec, rationale="r", effective_on=proposed_on,
                                 evidence=[determination(session, party)])  # fmt: skip
    session.commit()
    assert proposal.status == "pending"  # a grant is never applied by its proposer alone
    with pytest.raises(Refused):
        proposals.approve(session, ANALYST, proposal.id)  # not an approver
    session.rollback()
    proposals.approve(session, APPROVER2, proposal.id)
    session.commit()
    assert proposal.decided_by != proposal.proposed_by

    relief = session.scalars(select(PathwayRelief).where(PathwayRelief.proposal_id == proposal.id)).one()
    earliest = date.fromisoformat(route["earliest_effective"])
    assert relief.effective_on >= earliest >= proposed_on  # never before the legal minimum or the notice
    if route["notice"] is None:
        assert relief.status == "active"
    else:
        assert relief.status == "awaiting_notice"
        assert not relief_life.in_effect(relief, date(2100, 1, 1))  # no notice recorded: never in effect
        notice_on = min(proposed_on + timedelta(days=notice_after), date.today())
        letter = evidence.upload(session, ANALYST, party_id=party, kind="congress_notice", title="Notice",
                                 filename="notice.txt", content=f"{party} {notice_on}".encode())  # fmt: skip
        relief_life.record_notice(session, ANALYST, relief.id, notice_on, letter.id)
        session.commit()
        run = notice_effective(notice_on, route["notice"]["days"], route["notice"]["unit"])
        assert relief.effective_on == max(run, earliest)
    checked = relief.effective_on + timedelta(days=checked_after) - timedelta(days=200)
    assert relief_life.in_effect(relief, checked) == (checked >= relief.effective_on)

    assert {"pathway.propose", "pathway.approve"} <= _actions(session, proposal.id)
    assert "pathway.relief" in _actions(session, relief.id)


def test_the_proposer_never_approves_their_own_relief(session):
    party, sanction_id = _recognized_company(session)
    spec = {"sanction_id": sanction_id, "measure": "import_ban", "route_code": "national_security_waiver"}
    proposal = proposals.propose(session, APPROVER, party, relief=spec, rationale="r", effective_on="2006-01-02",
                                 evidence=[determination(session, party)])  # fmt: skip
    session.commit()
    with pytest.raises(Refused, match="a second person with the approver role"):
        proposals.approve(session, APPROVER, proposal.id)
    session.rollback()
    assert session.scalars(select(PathwayRelief).where(PathwayRelief.party_id == party)).all() == []
    proposals.approve(session, APPROVER2, proposal.id)
    session.commit()
    assert session.scalars(select(PathwayRelief.status).where(PathwayRelief.party_id == party)).one() == (
        "awaiting_notice"
    )
