"""The partner's reported enforcement actions and the transparency report per period."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.engagement import cases, enforcement
from goodpath.engagement.models import EnforcementAction
from tests.engagement.test_cases import (
    AUDITOR,
    COMPANY,
    LISTED,
    OTHER_PARTNER,
    PARTNER,
    listed_party_id,
    load_list,
    raise_sample,
    refused,
)
from tests.factories import OPERATOR, bearer_headers


def report(session, viewer=PARTNER, **kwargs):
    fields = dict(kind="investigation", reported_by="MOFCOM", detail_level="summary", detail="Inquiry opened.",
                  reported_on="2007-06-01", party_name="Alpha Missile Trading Co")  # fmt: skip
    fields.update(kwargs)
    action = enforcement.report_action(session, viewer, **fields)
    session.commit()
    return action


def test_the_partner_reports_an_action_on_a_case_marked_for_both_sides(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    party_id = listed_party_id(session)
    action = report(session, case_id=case.id, party_id=party_id, party_name=None, kind="penalty",
                    penalty_amount=500000, currency="cny", taken_on="2007-05-20", detail_level="detailed",
                    detail="Fined for exporting without a licence.", source="MOFCOM note")  # fmt: skip
    assert (action.case_id, action.party_id, action.party_name) == (case.id, party_id, LISTED)
    assert (action.penalty_amount, action.currency) == (500000.0, "CNY")
    assert (action.originator, action.releasability, action.created_by) == ("CHN", "CHN,USA", "partner")
    assert case.status == "raised"  # reporting moves no case
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "enforcement.report")).all()
    # An analyst recording it from a cable: released to the analyst's side and the partner.
    mine = report(session, OPERATOR, case_id=case.id)
    assert (mine.originator, mine.releasability) == ("USA", "CHN,USA")
    assert [a["id"] for a in cases.case_detail(session, PARTNER, case.id)["actions"]] == [action.id, mine.id]


def test_a_response_may_cite_actions_reported_on_its_case(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    other = raise_sample(session, "WLC-2007-002")
    on_case, elsewhere = report(session, case_id=case.id), report(session, case_id=other.id)
    cases.acknowledge(session, PARTNER, case.id, occurred_on="2007-04-03")
    cases.investigate(session, PARTNER, case.id, occurred_on="2007-04-04")
    session.commit()
    refused(
        session,
        GoodpathError,
        cases.respond,
        PARTNER,
        case.id,
        response="see action",
        action_ids=[elsewhere.id],
        match=f"action {elsewhere.id} is not reported on case WLC-2007-001",
    )
    cases.respond(session, PARTNER, case.id, response="Investigated.", action_ids=[on_case.id],
                  occurred_on="2007-06-02")  # fmt: skip
    assert cases.history(session, OPERATOR, "case", case.id)[-1]["note"] == f"cites enforcement actions {on_case.id}"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"kind": "fine"}, "kind must be one of investigation, penalty"),
        ({"detail_level": "full"}, "detail_level must be one of none, summary, detailed"),
        ({"reported_by": " "}, "reported_by .the reporting agency"),
        ({"detail_level": "detailed", "detail": ""}, "detail is required when detail_level is detailed"),
        ({"detail_level": "none"}, "detail_level none means the partner gave no detail"),
        ({"taken_on": "2007-07-01"}, "taken_on 2007-07-01 is after reported_on 2007-06-01"),
        ({"reported_on": "2999-01-01"}, "in the future"),
        ({"reported_on": "01/06/2007"}, "reported_on must be a date"),
        ({"penalty_amount": 100, "currency": "CNY"}, "belongs to a penalty, not to a investigation"),
        ({"kind": "penalty", "penalty_amount": -5, "currency": "CNY"}, "must be positive"),
        ({"kind": "penalty", "penalty_amount": 5}, "needs a three-letter currency"),
        ({"currency": "CNY"}, "currency is given without a penalty_amount"),
        ({"party_name": None}, "needs a case, a registry party or a party_name"),
        ({"classification": "SECRET"}, "above your clearance"),
    ],
)
def test_bad_reports_name_the_problem_and_change_nothing(session, change, match):
    before = session.scalars(select(EnforcementAction)).all()
    with pytest.raises(GoodpathError, match=match):
        report(session, **change)
    session.rollback()
    assert session.scalars(select(EnforcementAction)).all() == before == []


def test_who_may_report_and_on_what(session):
    load_list(session, LISTED)
    ours = raise_sample(session, releasability="USA")
    for viewer in (COMPANY, AUDITOR):
        with pytest.raises(Refused, match="permission to report enforcement actions"):
            report(session, viewer)
    with pytest.raises(NotFound, match=f"no case {ours.id}"):  # not released to the partner
        report(session, case_id=ours.id)
    with pytest.raises(NotFound, match="no party"):
        report(session, party_id="p-never-was")
    session.rollback()
    assert session.scalars(select(EnforcementAction)).all() == []


def test_lists_follow_markings_and_filters(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    a = report(session, case_id=case.id, reported_on="2007-05-01")
    b = report(session, kind="seizure", reported_on="2007-08-01")
    c = report(session, OPERATOR, releasability="USA", reported_on="2007-09-01")
    assert [r["id"] for r in enforcement.list_actions(session, OPERATOR)] == [a.id, b.id, c.id]
    assert [r["id"] for r in enforcement.list_actions(session, PARTNER)] == [a.id, b.id]
    assert enforcement.list_actions(session, OTHER_PARTNER) == []
    assert [r["id"] for r in enforcement.list_actions(session, OPERATOR, case_id=case.id)] == [a.id]
    assert [r["id"] for r in enforcement.list_actions(session, OPERATOR, kind="seizure")] == [b.id]
    window = enforcement.list_actions(session, OPERATOR, date_from="2007-05-02", date_to="2007-09-01")
    assert [r["id"] for r in window] == [b.id, c.id]
    with pytest.raises(GoodpathError, match="start 2007-10-01 is after its end 2007-01-01"):
        enforcement.list_actions(session, OPERATOR, date_from="2007-10-01", date_to="2007-01-01")


def test_the_transparency_report_counts_a_constructed_period(session):
    load_list(session, LISTED)
    in_period = raise_sample(session, raised_on="2007-03-01")
    quiet = raise_sample(session, "WLC-2007-002", raised_on="2007-03-05")
    acted_late = raise_sample(session, "WLC-2007-003", raised_on="2007-04-01")
    before_period = raise_sample(session, "WLC-2006-001", raised_on="2006-11-01")
    report(session, case_id=in_period.id, kind="investigation", detail_level="summary", reported_on="2007-03-10")
    report(session, case_id=in_period.id, kind="penalty", penalty_amount=10000, currency="CNY",
           detail_level="detailed", detail="Fine of CNY 10,000.", reported_on="2007-05-30")  # fmt: skip
    report(session, case_id=before_period.id, kind="licence_denial", detail_level="none", detail=None,
           reported_on="2007-04-15")  # fmt: skip
    report(session, kind="warning", detail_level="none", detail=None, reported_on="2007-06-30")
    report(session, case_id=acted_late.id, kind="seizure", reported_on="2007-07-01")  # after the period
    report(session, kind="prosecution", reported_on="2007-02-28")  # before the period
    hidden = report(session, OPERATOR, kind="seizure", releasability="USA", reported_on="2007-04-01")

    got = enforcement.transparency_report(session, PARTNER, "2007-03-01", "2007-06-30")
    assert {k: v for k, v in got.items() if k != "actions"} == {
        "from": "2007-03-01", "to": "2007-06-30", "total": 4,
        "by_kind": {"investigation": 1, "penalty": 1, "licence_denial": 1, "licence_revocation": 0, "seizure": 0,
                    "prosecution": 0, "warning": 1},
        "by_detail_level": {"none": 2, "summary": 1, "detailed": 1},
        "with_detail": 2, "share_with_detail": 0.5, "linked_to_cases": 3, "not_linked_to_cases": 1,
        "cases_raised": 3, "cases_raised_with_action": 1, "share_of_cases_with_action": 0.3333,
    }  # fmt: skip
    assert [a["reported_on"] for a in got["actions"]] == ["2007-03-10", "2007-04-15", "2007-05-30", "2007-06-30"]
    # The analyst also sees its own USA-only record.
    theirs = enforcement.transparency_report(session, OPERATOR, "2007-03-01", "2007-06-30")
    assert theirs["total"] == 5 and theirs["by_kind"]["seizure"] == 1
    assert hidden.id in {a["id"] for a in theirs["actions"]}
    assert quiet.id  # raised in the period, no action: counted in cases_raised only
    empty = enforcement.transparency_report(session, PARTNER, "2001-01-01", "2001-12-31")
    assert (empty["total"], empty["share_with_detail"], empty["share_of_cases_with_action"]) == (0, None, None)
    with pytest.raises(GoodpathError, match="needs a period"):
        enforcement.transparency_report(session, PARTNER, None, "2007-01-01")


def test_api_and_cli_report_list_and_transparency(db, session, tmp_path):
    load_list(session, LISTED)
    case = raise_sample(session)
    partner = TestClient(api, headers=bearer_headers(session, "partner1", "partner_officer", "CONFIDENTIAL", "CHN"))
    company = TestClient(
        api,
        headers=bearer_headers(
            session, "co1", "company_officer", "UNCLASSIFIED", "NORINCO", company=listed_party_id(session)
        ),
    )
    body = {
        "kind": "penalty",
        "reported_by": "MOFCOM",
        "detail_level": "detailed",
        "detail": "Fined.",
        "reported_on": "2007-06-01",
        "case_id": case.id,
        "penalty_amount": 1000,
        "currency": "CNY",
    }
    made = partner.post("/enforcement-actions", json=body)
    assert made.status_code == 201 and made.json()["releasability"] == "CHN,USA"
    assert company.post("/enforcement-actions", json=body).status_code == 403
    bad = partner.post("/enforcement-actions", json=body | {"detail_level": "lots"})
    assert bad.status_code == 422 and "detail_level must be one of" in bad.json()["detail"]
    assert partner.get("/enforcement-actions").json()["total"] == 1
    assert company.get("/enforcement-actions").json()["total"] == 0
    report = partner.get("/enforcement-actions/report", params={"from": "2007-01-01", "to": "2007-12-31"}).json()
    assert report["by_kind"]["penalty"] == 1 and report["cases_raised_with_action"] == 1
    xlsx = partner.get("/enforcement-actions/report", params={"from": "2007-01-01", "to": "2007-12-31",
                                                              "format": "xlsx"})  # fmt: skip
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    wrong = partner.get("/enforcement-actions/report", params={"from": "2007-12-31", "to": "2007-01-01"})
    assert wrong.status_code == 422 and "is after its end" in wrong.json()["detail"]

    runner = CliRunner()
    reported = runner.invoke(cli, ["enforcement", "report", "--kind", "seizure", "--reported-by", "GAC",
                                   "--detail-level", "summary", "--detail", "Seized at Tianjin.", "--case",
                                   "WLC-2007-001", "--reported-on", "2007-07-01", "--json"])  # fmt: skip
    assert reported.exit_code == 0, reported.output
    assert json.loads(reported.stdout)["case_id"] == case.id
    no_detail = runner.invoke(cli, ["enforcement", "report", "--kind", "seizure", "--reported-by", "GAC",
                                    "--detail-level", "summary", "--party-name", "X"])  # fmt: skip
    assert no_detail.exit_code == 1 and "detail is required" in no_detail.output
    rows = json.loads(runner.invoke(cli, ["enforcement", "list", "--json"]).stdout)
    assert [r["kind"] for r in rows] == ["penalty", "seizure"]
    out = tmp_path / "actions.csv"
    assert runner.invoke(cli, ["enforcement", "list", "--export", str(out)]).exit_code == 0
    assert out.read_text().count("\n") == 3
    text = runner.invoke(cli, ["enforcement", "transparency", "--from", "2007-01-01", "--to", "2007-12-31"])
    assert text.exit_code == 0 and "with detail: 2 (100%)" in text.stdout
    as_json = json.loads(runner.invoke(cli, ["enforcement", "transparency", "--from", "2007-01-01", "--to",
                                             "2007-12-31", "--json"]).stdout)  # fmt: skip
    assert as_json["total"] == 2 and as_json["by_detail_level"] == {"none": 0, "summary": 1, "detailed": 1}
