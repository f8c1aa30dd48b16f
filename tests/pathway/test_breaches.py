"""Breach detection and snapback (issue 8): each breach kind opens exactly one snapback proposal, an
unrelated programme's listing is a review, scanning is idempotent, approval by a second approver
revokes exactly the reliefs in force, overdue conditions are reviews, and the triggers fire."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from goodpath.core.errors import GoodpathError, Refused
from goodpath.engagement import cases
from goodpath.pathway import breaches, conditions, findings, proposals, timeline
from goodpath.pathway import relief as relief_life
from goodpath.pathway.models import PathwayAlert, PathwayProposal, PathwayRelief
from tests.factories import run_followups
from tests.pathway.conftest import (
    ANALYST,
    APPROVER,
    APPROVER2,
    add_company,
    add_hit,
    add_icp,
    add_list_entry,
    add_sanctioned_case,
    add_subsidiary,
    grant_relief,
    walk_to_relief,
)

ON = "2007-06-01"


def snapbacks(session, party="acme", status=None) -> list[PathwayProposal]:
    query = select(PathwayProposal).where(PathwayProposal.party_id == party, PathwayProposal.kind == "snapback")
    if status:
        query = query.where(PathwayProposal.status == status)
    return list(session.scalars(query))


def alerts(session, party="acme", kind=None) -> list[PathwayAlert]:
    query = select(PathwayAlert).where(PathwayAlert.party_id == party)
    if kind:
        query = query.where(PathwayAlert.kind == kind)
    return list(session.scalars(query.order_by(PathwayAlert.id)))


@pytest.fixture
def relieved(session, company):
    sanction = walk_to_relief(session)
    add_icp(session, assessed_on=date(2007, 1, 1))  # the ICP audit is not overdue on ON
    session.commit()
    return sanction


@pytest.mark.parametrize("breach", ["case", "screening_hit", "list_entry"])
def test_each_breach_kind_opens_exactly_one_snapback_proposal(session, relieved, breach):
    if breach == "case":
        add_sanctioned_case(session, closed_on=date(2007, 2, 1))
    elif breach == "screening_hit":
        add_hit(session)
    else:
        add_list_entry(session, program="NPWMD", listed_on="2007-03-01")
    result = breaches.scan(session, on=ON)
    session.commit()
    found = alerts(session, kind="breach")
    assert [(a.source, a.status) for a in found] == [(breach, "snapback_proposed")]
    [proposal] = snapbacks(session)
    assert proposal.status == "pending" and proposal.proposed_by == "system:pathway"
    assert found[0].proposal_id == proposal.id and found[0].relief_id is not None
    assert {"kind": "pathway_alert", "id": found[0].id}.items() <= proposal.evidence[0].items()
    assert result["counts"]["breach"] == 1 and result["counts"]["proposals"] == 1
    # a second breach later joins the pending proposal instead of opening another
    add_sanctioned_case(session, closed_on=date(2007, 4, 1), reference="WLC-2")
    breaches.scan(session, on=ON)
    session.commit()
    assert len(snapbacks(session)) == 1
    assert {a.proposal_id for a in alerts(session, kind="breach")} == {proposal.id}


def test_scanning_twice_changes_nothing(session, relieved):
    add_hit(session)
    add_list_entry(session, program="VENEZUELA-EO13850", listed_on="2007-03-01")
    breaches.scan(session, on=ON)
    session.commit()
    before = [(a.id, a.kind, a.status, a.proposal_id) for a in alerts(session)]
    again = breaches.scan(session, on=ON)
    session.commit()
    assert [(a.id, a.kind, a.status, a.proposal_id) for a in alerts(session)] == before
    assert again["alerts"] == [] and again["proposals"] == [] and len(snapbacks(session)) == 1


def test_an_unrelated_programme_entry_is_a_review_and_opens_no_proposal(session, relieved):
    # CEIEC's 2020 Venezuela-programme designation: not a nonproliferation programme
    add_list_entry(session, program="VENEZUELA-EO13850", listed_on="2020-11-30")
    add_list_entry(session, program="SOMETHING-NEW", listed_on="2020-12-01")  # unknown: a review too
    result = breaches.scan(session, on="2021-01-01")
    session.commit()
    listed = [a for a in alerts(session) if a.source == "list_entry"]
    assert {a.kind for a in listed} == {"review"} and len(listed) == 2
    assert any("unrelated" in a.detail for a in listed) and any("not classified" in a.detail for a in listed)
    assert snapbacks(session) == [] and result["counts"]["proposals"] == 0


def test_escalating_a_review_opens_a_snapback_the_escalator_cannot_approve(session, relieved):
    add_list_entry(session, program="VENEZUELA-EO13850", listed_on="2007-03-01")
    breaches.scan(session, on=ON)
    session.commit()
    [review] = [a for a in alerts(session) if a.source == "list_entry"]
    with pytest.raises(GoodpathError, match="note"):
        breaches.review(session, APPROVER, review.id, "escalate", " ")
    row = breaches.review(session, APPROVER, review.id, "escalate", "arms to Venezuela matter here")
    session.commit()
    [proposal] = snapbacks(session)
    assert row["snapback_proposal"] == proposal.id and proposal.proposed_by == APPROVER.actor
    with pytest.raises(Refused, match="you proposed"):
        proposals.approve(session, APPROVER, proposal.id)
    session.rollback()
    proposals.approve(session, APPROVER2, proposal.id, note="agreed")
    session.commit()
    run_followups(session)  # the snapback settles its alerts
    assert session.scalars(select(PathwayRelief.status)).all() == ["revoked"]
    assert session.get(PathwayAlert, review.id).status == "snapped_back"


def test_dismissing_a_review_needs_a_note_and_a_breach_is_not_dismissed(session, relieved):
    add_hit(session)
    add_list_entry(session, program="CUBA", listed_on="2007-03-01")
    breaches.scan(session, on=ON)
    session.commit()
    breach = alerts(session, kind="breach")[0]
    review = [a for a in alerts(session, kind="review") if a.source == "list_entry"][0]
    with pytest.raises(Refused, match="snapback_proposed, not open"):
        breaches.review(session, ANALYST, breach.id, "dismiss", "no")
    breaches.review(session, ANALYST, review.id, "dismiss", "a Cuba listing: not our business")
    session.commit()
    assert session.get(PathwayAlert, review.id).status == "dismissed"
    with pytest.raises(Refused, match="dismissed, not open"):
        breaches.review(session, ANALYST, review.id, "escalate", "changed my mind")


def test_snapback_revokes_exactly_the_reliefs_in_force_and_reinstates_their_measures(session, relieved):
    second = grant_relief(session, relieved, "missile_contract_ban", on="2005-09-01")
    other = add_company(session, "other", share="OTHER")
    walk_to_relief(session, "other")
    session.commit()
    other_relief = session.scalars(select(PathwayRelief).where(PathwayRelief.party_id == "other")).one()
    add_sanctioned_case(session, closed_on=date(2007, 2, 1))
    breaches.scan(session, on=ON)
    session.commit()
    [proposal] = snapbacks(session)
    with pytest.raises(Refused, match="only a user with the approver role"):
        proposals.approve(session, ANALYST, proposal.id)
    in_force = {r.id: (r.sanction_id, r.measure) for r in relief_life.reliefs_in_force(session, "acme")}
    assert len(in_force) == 2 and second.status == "approved"
    proposals.approve(session, APPROVER2, proposal.id, note="breach confirmed")
    session.commit()
    run_followups(session)  # the snapback settles its alerts
    assert sorted(proposal.revoked_reliefs) == sorted(in_force)
    assert {r.status for r in session.scalars(select(PathwayRelief).where(PathwayRelief.party_id == "acme"))} == {
        "revoked"
    }
    assert session.get(PathwayRelief, other_relief.id).status in relief_life.IN_FORCE  # another company's: untouched
    assert relief_life.in_force_again(session, "acme") == set(in_force.values())
    assert {a.status for a in alerts(session, kind="breach")} == {"snapped_back"}
    view = timeline.pathway(session, APPROVER, "acme")
    assert view["stage"] == "snapped_back"
    assert {(r["sanction_id"], r["measure"]) for r in view["reinstated"]} == set(in_force.values())
    assert all(r["in_force"] and r["proposal_id"] == proposal.id for r in view["reinstated"])
    assert other.id == "other" and snapbacks(session, "other") == []


def test_a_rejected_snapback_is_not_proposed_again(session, relieved):
    add_hit(session)
    breaches.scan(session, on=ON)
    session.commit()
    [proposal] = snapbacks(session)
    proposals.reject(session, APPROVER, proposal.id, "the hit is old news")
    session.commit()
    breaches.scan(session, on=ON)
    session.commit()
    assert len(snapbacks(session)) == 1
    assert alerts(session, kind="breach")[0].status == "snapback_rejected"


def test_an_overdue_icp_audit_is_a_review_not_a_breach(session, company):
    walk_to_relief(session)  # last final ICP assessment 2004-06-01; relief from 2005-08-01
    session.commit()
    breaches.scan(session, on="2006-09-01")
    session.commit()
    found = alerts(session)
    icp = [a for a in found if a.condition == "periodic_icp_audit"]
    assert [(a.kind, a.source, a.occurred_on) for a in icp] == [("review", "condition", date(2006, 8, 1))]
    assert all(a.kind == "review" for a in found) and snapbacks(session) == []


def test_a_subsidiarys_new_nonproliferation_entry_counts(session, relieved):
    add_subsidiary(session)
    add_list_entry(session, "acme-sub", program="Missile Sanctions laws", listed_on="2007-03-01", dataset="us-csl")
    add_list_entry(session, "acme-sub", program="NPWMD", listed_on="2004-01-01")  # before relief: not new
    breaches.scan(session, on=ON)
    session.commit()
    [breach] = alerts(session, kind="breach")
    assert breach.source == "list_entry" and "subsidiary acme-sub" in breach.detail
    assert len(snapbacks(session)) == 1
    # an ended ownership link is history: no longer the company's subsidiary
    assert findings.subsidiaries(session, "acme") == ["acme-sub"]


def test_relief_conditions_are_data_chosen_by_the_proposer(session, company):
    sanction = walk_to_relief(session)
    relief = session.scalars(select(PathwayRelief)).one()
    assert conditions.codes_of(relief.conditions) == set(conditions.load().defaults)
    with pytest.raises(GoodpathError, match="unknown relief condition 'bananas'"):
        proposals.propose(session, ANALYST, "acme", relief={"sanction_id": sanction.id, "measure":
                          "missile_contract_ban", "route_code": "national_security_waiver"}, rationale="r",
                          effective_on="2005-09-01", conditions=["bananas"])  # fmt: skip
    session.rollback()
    grant_relief(session, sanction, "missile_contract_ban", on="2005-09-01",
                 conditions=["no_transfers_to_countries_of_concern"])  # fmt: skip
    chosen = session.scalars(select(PathwayRelief).where(PathwayRelief.measure == "missile_contract_ban")).one()
    assert chosen.conditions == [{"code": "no_transfers_to_countries_of_concern"}]


def test_a_breach_without_relief_blocks_relief_but_opens_no_snapback(session, company):
    from tests.pathway.conftest import walk_to_monitoring

    walk_to_monitoring(session)
    add_list_entry(session, program="NPWMD", listed_on="2005-01-01")
    breaches.scan(session, on="2005-08-01")
    session.commit()
    assert [a.kind for a in alerts(session, kind="breach")] == ["breach"] and snapbacks(session) == []
    with pytest.raises(Refused, match="nonproliferation list entr"):
        proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="r", effective_on="2005-08-01")


def test_the_trigger_fires_when_a_case_is_closed_sanctioned(session, relieved):
    case = cases.raise_case(session, ANALYST, reference="WLC-9", title="transfer", facts="f", party_id="acme",
                            raised_on="2007-01-05")  # fmt: skip
    cases.close(session, ANALYST, case.id, outcome="sanctioned", note="no response", occurred_on="2007-02-01")
    session.commit()
    run_followups(session)
    [breach] = alerts(session, kind="breach")
    assert (breach.source, breach.source_ref, breach.status) == ("case", str(case.id), "snapback_proposed")
    assert len(snapbacks(session)) == 1


def test_the_triggers_are_cheap_without_pathway_companies(session, company):
    add_sanctioned_case(session)
    assert breaches.after_rescreen(session) is None
    assert breaches.after_list_import(session, "test-np", 1) is None
    assert session.scalar(select(func.count()).select_from(PathwayAlert)) == 0


def test_the_triggers_fire_after_a_list_import_and_a_rescreening(session, relieved):
    from goodpath.engagement import disclosures
    from goodpath.lists import service as lists
    from tests.factories import entity, parsed

    own = add_list_entry(session, program="NPWMD", listed_on="2003-01-01", dataset="engaged")  # the company's key
    own.link_key = "acme-key"
    session.commit()
    lists.apply_parsed(session, parsed([entity("9", "ACME CORP", link_key="acme-key")]), dataset="us-sdn")
    session.commit()
    run_followups(session)
    [breach] = alerts(session, kind="breach")  # listed under NPWMD on 2006-06-13, after relief
    assert breach.source == "list_entry" and breach.status == "snapback_proposed"
    add_hit(session)
    disclosures.refresh_from_subjects(session)
    session.commit()
    run_followups(session)
    assert {a.source for a in alerts(session, kind="breach")} == {"list_entry", "screening_hit"}
    assert len(snapbacks(session)) == 1
