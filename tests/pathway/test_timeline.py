"""The timeline of one company and the funnel of all, computed from constructed histories."""

from __future__ import annotations

from datetime import date

import pytest

from goodpath.core.errors import NotFound
from goodpath.pathway import proposals, timeline
from tests.pathway.conftest import (
    ANALYST,
    APPROVER,
    COMPANY,
    OTHER_COMPANY,
    add_company,
    give_notice,
    move,
    walk_to_monitoring,
)


def test_the_timeline_lists_stage_changes_and_proposals_with_evidence_in_date_order(session, company):
    walk_to_monitoring(session)
    pending = proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="clean year",
                                effective_on="2005-07-01", evidence=["audit report 2005"])  # fmt: skip
    session.commit()
    view = timeline.pathway(session, ANALYST, "acme")
    assert (view["stage"], view["since"], view["path"], view["relief"]) == ("monitoring", "2004-07-01", "good", None)
    assert [p["id"] for p in view["pending"]] == [pending.id]
    assert {t["to"] for t in view["next"]} == {"recognized"}
    stages = [(e["on"], e["to"]) for e in view["timeline"] if e["type"] == "stage"]
    assert stages == [("2003-05-09", "sanctioned"), ("2003-09-01", "invited"), ("2004-01-10", "in_dialogue"),
                      ("2004-02-01", "commitments_made"), ("2004-06-01", "icp_established"),
                      ("2004-07-01", "monitoring")]  # fmt: skip
    last = view["timeline"][-1]
    assert (last["type"], last["to"], last["status"], last["on"]) == ("proposal", "recognized", "pending", "2005-07-01")
    assert {"kind": "reference", "ref": "audit report 2005", "given": True} in last["evidence"]
    icp = next(e for e in view["timeline"] if e["type"] == "proposal" and e["to"] == "icp_established")
    assert any(r["kind"] == "icp_assessment" for r in icp["evidence"])
    # the company reads its own pathway; another company's officer does not find it
    assert timeline.pathway(session, COMPANY, "acme")["stage"] == "monitoring"
    with pytest.raises(NotFound):  # the company itself is not visible to another company's officer
        timeline.pathway(session, OTHER_COMPANY, "acme")


def test_a_company_never_moved_is_sanctioned_since_its_first_sanction(session, company):
    view = timeline.pathway(session, ANALYST, "acme")
    assert (view["stage"], view["since"], view["timeline"]) == ("sanctioned", "2003-05-09", [])


def test_the_funnel_counts_companies_per_stage_and_days_per_stage(session):
    # a: sanctioned 2003-05-09 -> invited 2003-09-01 (115 days) -> in_dialogue 2004-01-10 (131 days)
    # b: sanctioned 2003-05-09 -> invited 2003-06-08 (30 days) -> declined 2003-07-08 (30 days)
    # c: sanctioned 2003-05-09 -> continued_sanctions 2004-05-09 (366 days) -> public_stigma (two people)
    for key in ("a", "b", "c"):
        add_company(session, key)
    from tests.pathway.conftest import add_meeting

    add_meeting(session, "a")
    session.commit()
    move(session, "invited", "2003-09-01", party="a")
    move(session, "in_dialogue", "2004-01-10", party="a")
    move(session, "invited", "2003-06-08", party="b")
    move(session, "declined", "2003-07-08", party="b")
    move(session, "continued_sanctions", "2004-05-09", party="c")
    move(session, "public_stigma", "2004-06-08", party="c")
    result = timeline.funnel(session, ANALYST, today="2004-07-08")
    assert result["companies"] == 3
    counts = {k: v for k, v in result["at_stage"].items() if v}
    assert counts == {"in_dialogue": 1, "declined": 1, "public_stigma": 1}
    days = result["days"]
    assert (days["sanctioned"]["completed_stays"], days["sanctioned"]["median_days"]) == (3, 115)
    assert days["sanctioned"]["mean_days"] == round((115 + 30 + 366) / 3, 1)
    assert (days["invited"]["mean_days"], days["invited"]["median_days"]) == ((131 + 30) / 2, (131 + 30) / 2)
    assert days["continued_sanctions"]["median_days"] == 30
    assert (days["public_stigma"]["current_stays"], days["public_stigma"]["current_median_days"]) == (1, 30)
    assert days["normalized"] == {"completed_stays": 0, "mean_days": None, "median_days": None,
                                  "current_stays": 0, "current_median_days": None}  # fmt: skip
    assert timeline.funnel(session, COMPANY, today="2004-07-08")["companies"] == 0


def test_a_further_relief_does_not_end_the_stay_in_relief_granted(session):
    from goodpath.registry import authorities
    from goodpath.registry.models import Sanction

    party = add_company(session, "acme", measures=())
    authorities.sync(session)
    sanction = Sanction(party_id=party.id, authority_code="AECA73", program="NPWMD",
                        measures=["import_ban", "missile_contract_ban"], imposed_on=date(2003, 9, 19),
                        status="active", events=[], releasability="ALL")  # fmt: skip
    session.add(sanction)
    session.commit()
    walk_to_monitoring(session)
    move(session, "recognized", "2005-07-01")
    for measure, on in (("import_ban", "2005-08-01"), ("missile_contract_ban", "2005-09-01")):
        move(session, "relief_granted", on, relief={"sanction_id": sanction.id, "measure": measure,
                                                     "route_code": "national_security_waiver"})  # fmt: skip
    give_notice(session, on="2005-09-01")
    move(session, "normalized", "2005-11-30")
    days = timeline.funnel(session, ANALYST, today="2005-12-31")["days"]
    assert (days["relief_granted"]["completed_stays"], days["relief_granted"]["median_days"]) == (1, 121)
    view = timeline.pathway(session, APPROVER, "acme")
    assert view["relief"] == "full" and len(view["reliefs"]) == 2
