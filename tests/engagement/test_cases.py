"""Alleged-violation cases: raising (parties screened and watched), the partner's steps, the
outcome, and the refused transitions that change nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.fields import to_dict
from goodpath.core.models import Classification
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import cases
from goodpath.engagement.models import CaseParty, ViolationCase
from goodpath.lists import service as lists
from goodpath.registry.models import Party
from goodpath.screening import monitoring
from goodpath.screening.models import ScreenedSubject
from tests.factories import OPERATOR, bearer_headers, entity, parsed

PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")
OTHER_PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.SECRET, "RUS", 8, "other-partner")
COMPANY = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "NORINCO", 9, "company", company_party_id="x")
AUDITOR = Viewer(Role.AUDITOR, Classification.SECRET, "USA", 10, "auditor")
LISTED = "ALPHA MISSILE TRADING COMPANY"

ITEMS = [
    {"description": "solid-propellant rocket motor cases", "control_entry": "MTCR Category II Item 3", "quantity": 12},
    {"description": "flow-forming machine", "control_entry": "ECCN 2B009", "quantity": "1 unit"},
]


def load_list(session, *names: str, dataset: str = "case-test") -> None:
    lists.apply_parsed(session, parsed([entity(str(i), n) for i, n in enumerate(names, 1)]), dataset=dataset)
    session.commit()


def listed_party_id(session, caption: str = LISTED) -> str:
    return session.scalars(select(Party.id).where(Party.caption == caption)).one()


def raise_sample(session, reference: str = "WLC-2007-001", *, raised_on="2007-04-02", viewer=OPERATOR, **kwargs):
    fields = dict(
        reference=reference, title="Rocket motor cases to Iran", raised_on=raised_on,
        facts="A Chinese trader offered motor cases to an Iranian end user.", destination="IR",
        end_user="Shahid Hemmat Industrial Group", items=ITEMS,
        parties=[{"role": "exporter", "name": "Alpha Missile Trading Co", "country": "CN"},
                 {"role": "end_user", "name": "Shahid Hemmat Industrial Group", "country": "IR"}],
        source="07BEIJING1900 ¶15",
    )  # fmt: skip
    fields.update(kwargs)
    case = cases.raise_case(session, viewer, **fields)
    session.commit()
    return case


def snapshot(session) -> tuple:
    """Everything a refused step must leave alone."""
    session.expire_all()
    counts = tuple(
        session.scalar(select(func.count()).select_from(m)) for m in (ViolationCase, CaseParty, StatusEvent,
                                                                      AuditEntry, ScreenedSubject)
    )  # fmt: skip
    rows = tuple(sorted((to_dict(c, exclude=("updated_at",)) for c in session.scalars(select(ViolationCase))),
                        key=lambda r: r["id"]))  # fmt: skip
    return counts, str(rows)


def refused(session, error, call, *args, match: str, **kwargs):
    """``call`` fails with ``error`` naming the problem, and nothing changes."""
    before = snapshot(session)
    with pytest.raises(error, match=match):
        call(session, *args, **kwargs)
    session.rollback()
    assert snapshot(session) == before


# --- raising -----------------------------------------------------------------------------------


def test_raising_a_case_stores_it_marked_for_both_sides_with_its_history_and_audit(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    assert (case.reference, case.status, case.status_on, case.destination) == (
        "WLC-2007-001",
        "raised",
        date(2007, 4, 2),
        "IR",
    )
    assert case.items[0] == ITEMS[0] and case.items[1]["control_entry"] == "ECCN 2B009"
    assert (case.classification, case.releasability, case.originator) == ("UNCLASSIFIED", "CHN,USA", "USA")
    assert case.source == "07BEIJING1900 ¶15" and case.created_by == OPERATOR.actor
    assert cases.history(session, OPERATOR, "case", case.id) == [
        {"from": None, "to": "raised", "on": "2007-04-02", "by": OPERATOR.actor, "note": None,
         "source": "07BEIJING1900 ¶15"}
    ]  # fmt: skip
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"case.raise", "case.party"} <= actions


def test_each_party_is_screened_on_entry_and_watched_for_later_list_imports(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    exporter, end_user = case.parties
    assert exporter.role == "exporter" and exporter.screened_at is not None
    assert [h["caption"] for h in exporter.hits] == [LISTED]
    hit = exporter.hits[0]
    assert set(hit) == {"entry_id", "party_id", "caption", "dataset", "score", "matched_name"}
    assert hit["dataset"] == "case-test" and hit["score"] > 0.8
    assert end_user.hits == []  # not listed (yet)
    subjects = {s.id: s for s in session.scalars(select(ScreenedSubject))}
    assert {subjects[p.subject_id].name for p in case.parties} == {
        "Alpha Missile Trading Co",
        "Shahid Hemmat Industrial Group",
    }
    assert all(subjects[p.subject_id].source == "case-party" and subjects[p.subject_id].active for p in case.parties)
    # The end user is listed later: the re-screening after that import raises an alert for it.
    load_list(session, LISTED, "SHAHID HEMMAT INDUSTRIAL GROUP", dataset="case-test")
    monitoring.rescreen_all(session, "test")
    session.commit()
    alerts = monitoring.list_alerts(session, OPERATOR, subject_id=end_user.subject_id)
    assert [a["caption"] for a in alerts["results"]] == ["SHAHID HEMMAT INDUSTRIAL GROUP"]


def test_parties_link_to_registry_parties_the_raiser_can_read(session):
    load_list(session, LISTED)
    party_id = listed_party_id(session)
    linked = [{"role": "exporter", "name": LISTED, "party_id": party_id}]
    case = raise_sample(session, party_id=party_id, parties=linked)
    assert case.party_id == party_id and case.parties[0].party_id == party_id
    session.add(Party(id="p-secret", schema="Company", caption="hidden", countries=[], birth_dates=[],
                      classification="SECRET", releasability="USA", originator="USA"))  # fmt: skip
    session.commit()
    low = Viewer(Role.ANALYST, Classification.CONFIDENTIAL, "USA", 3, "low")
    refused(
        session,
        NotFound,
        cases.raise_case,
        low,
        reference="WLC-2007-002",
        title="t",
        facts="f",
        parties=[{"role": "broker", "name": "Hidden", "party_id": "p-secret"}],
        match="no party 'p-secret'",
    )
    refused(session, NotFound, cases.raise_case, low, reference="WLC-2007-002", title="t", facts="f",
            party_id="p-secret", match="no party")  # fmt: skip


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"facts": "  "}, "facts is required"),
        ({"title": ""}, "title is required"),
        ({"reference": "x"}, "reference must be"),
        ({"raised_on": "2007-13-01"}, "raised_on must be a date"),
        ({"raised_on": "2999-01-01"}, "in the future"),
        ({"destination": "Iran"}, "destination must be a two-letter"),
        ({"items": [{"description": "motor", "control_entry": "whatever list"}]}, "item 1 control_entry"),
        ({"items": [{"description": "x", "control_entry": "ECCN 9Z"}]}, "an ECCN looks like"),
        ({"items": [{"control_entry": "NSG Part 2 2.B.1"}]}, "item 1 description is required"),
        ({"items": [{"description": "x", "quantity": -3}]}, "item 1 quantity must be positive"),
        ({"items": [{"description": "x", "price": 3}]}, "unknown fields: price"),
        ({"parties": [{"role": "smuggler", "name": "X"}]}, "party 1 role must be one of"),
        ({"parties": [{"role": "broker", "name": ""}]}, "party 1 name is required"),
        ({"parties": [{"role": "broker", "name": "X", "country": "CHN"}]}, "party 1 country"),
        ({"classification": "TOP SECRET"}, "classification must be one of"),
        ({"classification": "SECRET", "viewer": PARTNER}, "permission to raise cases"),
    ],
)
def test_raising_with_bad_input_names_the_problem_and_changes_nothing(session, change, match):
    load_list(session, LISTED)
    change = dict(change)
    viewer = change.pop("viewer", OPERATOR)
    error = Refused if viewer is PARTNER else GoodpathError
    fields = dict(reference="WLC-2007-009", title="t", facts="f", raised_on="2007-04-02") | change
    refused(session, error, cases.raise_case, viewer, match=match, **fields)


def test_a_reference_is_unique(session):
    load_list(session, LISTED)
    raise_sample(session)
    refused(session, Refused, cases.raise_case, OPERATOR, reference="wlc-2007-001", title="again", facts="f",
            match="WLC-2007-001 already exists")  # fmt: skip


# --- the workflow ------------------------------------------------------------------------------


def test_the_partner_works_the_case_and_the_analyst_records_the_outcome(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    cases.acknowledge(session, PARTNER, case.id, occurred_on="2007-04-10", source="MFA note")
    cases.investigate(session, PARTNER, case.id, occurred_on="2007-05-01", note="MOFCOM opened an inquiry")
    cases.respond(session, PARTNER, case.id, response="The shipment was stopped; licence denied.",
                  occurred_on="2007-06-15")  # fmt: skip
    cases.close(session, OPERATOR, case.id, outcome="resolved_by_consultation", occurred_on="2007-07-01",
                note="Partner stopped the shipment and explained its steps.")  # fmt: skip
    session.commit()
    assert (case.status, case.status_on, case.outcome) == ("resolved_by_consultation", date(2007, 7, 1),
                                                           "resolved_by_consultation")  # fmt: skip
    assert case.partner_response == "The shipment was stopped; licence denied."
    assert case.outcome_note == "Partner stopped the shipment and explained its steps."
    steps = cases.history(session, OPERATOR, "case", case.id)
    assert [(s["to"], s["on"], s["by"]) for s in steps] == [
        ("raised", "2007-04-02", OPERATOR.actor), ("acknowledged", "2007-04-10", "partner"),
        ("under_investigation", "2007-05-01", "partner"), ("response_reported", "2007-06-15", "partner"),
        ("resolved_by_consultation", "2007-07-01", OPERATOR.actor),
    ]  # fmt: skip
    assert steps[2]["note"] == "MOFCOM opened an inquiry" and steps[1]["source"] == "MFA note"
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-5:] == ["case.under_investigation", "case.response_reported", "case.response",
                            "case.resolved_by_consultation", "case.outcome"]  # fmt: skip
    # Final: nothing moves it any more.
    refused(session, Refused, cases.close, OPERATOR, case.id, outcome="sanctioned", note="changed our mind",
            match="cannot go from resolved_by_consultation to sanctioned.*final")  # fmt: skip


def test_closing_without_an_outcome_or_a_note_is_refused_and_changes_nothing(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    for outcome in (None, ""):
        refused(session, GoodpathError, cases.close, OPERATOR, case.id, outcome=outcome, note="n/a",
                match="closing a case needs an outcome: one of resolved_by_consultation")  # fmt: skip
    refused(session, GoodpathError, cases.close, OPERATOR, case.id, outcome="withdrawn", note="n/a",
            match="outcome must be one of")  # fmt: skip
    refused(session, GoodpathError, cases.close, OPERATOR, case.id, outcome="closed_unsubstantiated", note=" ",
            match="outcome note")  # fmt: skip
    assert session.get(ViolationCase, case.id).status == "raised"


def test_steps_out_of_order_are_refused_naming_what_is_allowed(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    refused(session, Refused, cases.respond, PARTNER, case.id, response="done",
            match="cannot go from raised to response_reported .allowed: acknowledged, closed_unsubstantiated, "
                  "sanctioned")  # fmt: skip
    refused(session, Refused, cases.investigate, PARTNER, case.id, match="from raised to under_investigation")
    # Resolution by consultation needs the partner's response first.
    refused(session, Refused, cases.close, OPERATOR, case.id, outcome="resolved_by_consultation", note="talked",
            match="from raised to resolved_by_consultation")  # fmt: skip
    cases.acknowledge(session, PARTNER, case.id, occurred_on="2007-04-20")
    session.commit()
    refused(session, Refused, cases.acknowledge, PARTNER, case.id, match="from acknowledged to acknowledged")
    refused(session, Refused, cases.investigate, PARTNER, case.id, occurred_on="2007-04-19",
            match="2007-04-19 is before the case's last step .2007-04-20.")  # fmt: skip
    refused(session, GoodpathError, cases.investigate, PARTNER, case.id, occurred_on="2999-01-01",
            match="in the future")  # fmt: skip


def test_a_response_needs_its_text(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    cases.acknowledge(session, PARTNER, case.id, occurred_on="2007-04-10")
    cases.investigate(session, PARTNER, case.id, occurred_on="2007-04-11")
    session.commit()
    refused(session, GoodpathError, cases.respond, PARTNER, case.id, response="  ", match="response is required")
    assert session.get(ViolationCase, case.id).partner_response is None


def test_an_open_case_may_be_closed_unsubstantiated_or_sanctioned_early(session):
    load_list(session, LISTED)
    early = raise_sample(session)
    cases.close(session, OPERATOR, early.id, outcome="closed_unsubstantiated", note="The end user was civilian.",
                occurred_on="2007-05-01")  # fmt: skip
    ignored = raise_sample(session, "WLC-2007-002")
    cases.acknowledge(session, PARTNER, ignored.id, occurred_on="2007-04-05")
    cases.close(session, OPERATOR, ignored.id, outcome="sanctioned", note="No investigation in a year.",
                occurred_on="2007-06-01")  # fmt: skip
    session.commit()
    assert (early.status, ignored.status) == ("closed_unsubstantiated", "sanctioned")


def test_who_may_take_which_step(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    refused(session, Refused, cases.close, PARTNER, case.id, outcome="closed_unsubstantiated", note="no",
            match="permission to record the outcome")  # fmt: skip
    for viewer in (COMPANY, AUDITOR):
        refused(session, Refused, cases.acknowledge, viewer, case.id, match="permission to respond to cases")
    # An analyst records the partner's step from a cable, on the partner's behalf.
    cases.acknowledge(session, OPERATOR, case.id, occurred_on="2007-04-08", note="told the DCM",
                      source="07BEIJING1900 ¶15")  # fmt: skip
    session.commit()
    step = cases.history(session, OPERATOR, "case", case.id)[-1]
    assert step["note"] == f"told the DCM (recorded on the partner's behalf by {OPERATOR.actor})"
    # A partner officer of another government cannot see the case at all.
    refused(session, NotFound, cases.investigate, OTHER_PARTNER, case.id, match=f"no case {case.id}")


def test_partners_see_only_cases_released_to_them(session):
    load_list(session, LISTED)
    shared = raise_sample(session)
    ours = raise_sample(session, "WLC-2007-002", releasability="USA")
    secret = raise_sample(session, "WLC-2007-003", classification="SECRET")
    assert {c["reference"] for c in cases.list_cases(session, OPERATOR)} == {"WLC-2007-001", "WLC-2007-002",
                                                                              "WLC-2007-003"}  # fmt: skip
    assert [c["reference"] for c in cases.list_cases(session, PARTNER)] == ["WLC-2007-001"]
    assert cases.list_cases(session, COMPANY) == []
    for hidden in (ours, secret):
        with pytest.raises(NotFound):
            cases.case_detail(session, PARTNER, hidden.id)
        with pytest.raises(NotFound):
            cases.get_case(session, PARTNER, hidden.reference)
    detail = cases.case_detail(session, PARTNER, "wlc-2007-001")
    assert detail["id"] == shared.id and len(detail["parties"]) == 2 and detail["history"][0]["to"] == "raised"
    assert detail["parties"][0]["hits"][0]["caption"] == LISTED


def test_lists_filter_by_status_and_openness(session):
    load_list(session, LISTED)
    raise_sample(session)
    closed = raise_sample(session, "WLC-2007-002")
    cases.close(session, OPERATOR, closed.id, outcome="closed_unsubstantiated", note="n", occurred_on="2007-05-01")
    session.commit()
    assert [c["reference"] for c in cases.list_cases(session, OPERATOR, open_only=True)] == ["WLC-2007-001"]
    assert [c["reference"] for c in cases.list_cases(session, OPERATOR, status="closed_unsubstantiated")] == [
        "WLC-2007-002"]  # fmt: skip
    with pytest.raises(GoodpathError, match="status must be one of"):
        cases.list_cases(session, OPERATOR, status="shut")


def test_advance_maps_statuses_to_steps(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    cases.advance(session, PARTNER, case.id, "acknowledged", occurred_on="2007-04-03")
    with pytest.raises(GoodpathError, match="closing a case needs an outcome"):
        cases.advance(session, OPERATOR, case.id, "closed", note="x")
    with pytest.raises(GoodpathError, match="status must be one of"):
        cases.advance(session, OPERATOR, case.id, "reopened")
    cases.advance(session, OPERATOR, case.id, "closed", outcome="sanctioned", note="x", occurred_on="2007-04-04")
    assert case.status == "sanctioned"


def test_parties_may_be_added_to_open_cases_only(session):
    load_list(session, LISTED)
    case = raise_sample(session, parties=[])
    party = cases.add_party(session, OPERATOR, case.id, role="broker", name=LISTED, country="CN")
    assert party.hits and party.releasability == case.releasability and party.subject_id is not None
    cases.close(session, OPERATOR, case.id, outcome="closed_unsubstantiated", note="n", occurred_on="2007-05-01")
    session.commit()
    refused(session, Refused, cases.add_party, OPERATOR, case.id, role="broker", name="Late Co",
            match="is closed")  # fmt: skip


def test_parties_and_items_may_be_removed_and_items_added_on_open_cases_only(session):
    load_list(session, LISTED)
    case = raise_sample(session)
    party = session.scalars(select(CaseParty).where(CaseParty.case_id == case.id).order_by(CaseParty.id)).first()
    refused(session, Refused, cases.remove_party, PARTNER, case.id, party.id, match="permission to remove parties")
    refused(session, NotFound, cases.remove_party, OPERATOR, case.id, 10**6, match="no party")
    cases.remove_party(session, OPERATOR, case.id, party.id)
    session.commit()
    assert [p["role"] for p in cases.case_detail(session, OPERATOR, case.id)["parties"]] == ["end_user"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.party.remove")).one()
    assert "Alpha Missile Trading Co" in entry.before and entry.after is None
    refused(session, GoodpathError, cases.add_item, OPERATOR, case.id, description="x", control_entry="??",
            match="item 3 control_entry")  # fmt: skip
    refused(session, Refused, cases.add_item, AUDITOR, case.id, description="x", match="permission to add items")
    cases.add_item(session, OPERATOR, case.id, description="guidance kit", control_entry="ECCN 9A004", quantity=2)
    session.commit()
    assert [i["description"] for i in case.items][-1] == "guidance kit"
    refused(session, NotFound, cases.remove_item, OPERATOR, case.id, 4, match="no item 4")
    cases.remove_item(session, OPERATOR, case.id, 1)
    session.commit()
    assert [i["description"] for i in case.items] == ["flow-forming machine", "guidance kit"]
    cases.close(session, OPERATOR, case.id, outcome="closed_unsubstantiated", note="n", occurred_on="2007-05-01")
    session.commit()
    refused(session, Refused, cases.remove_item, OPERATOR, case.id, 1, match="is closed")
    refused(session, Refused, cases.add_item, OPERATOR, case.id, description="x", match="is closed")


def test_a_case_without_a_partner_stays_with_its_raiser(session):
    case = raise_sample(session, parties=[], partner="")
    assert case.releasability == "USA"
    assert cases.list_cases(session, PARTNER) == []


# --- interfaces --------------------------------------------------------------------------------


def test_api_raise_step_close_and_list(session):
    load_list(session, LISTED)
    analyst = TestClient(api, headers=bearer_headers(session))
    partner = TestClient(api, headers=bearer_headers(session, "partner1", "partner_officer", "CONFIDENTIAL", "CHN"))
    body = {
        "reference": "WLC-2007-001",
        "title": "Motor cases",
        "facts": "Offered to Iran.",
        "raised_on": "2007-04-02",
        "items": ITEMS,
        "parties": [{"role": "exporter", "name": "Alpha Missile Trading Co", "country": "CN"}],
    }
    created = analyst.post("/cases", json=body)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["releasability"] == "CHN,USA" and case["parties"][0]["hits"][0]["caption"] == LISTED
    assert partner.post("/cases", json=body | {"reference": "WLC-2007-002"}).status_code == 403
    bad = analyst.post(
        "/cases", json=body | {"reference": "WLC-2007-003", "items": [{"description": "x", "control_entry": "??"}]}
    )
    assert bad.status_code == 422 and "item 1 control_entry" in bad.json()["detail"]
    assert analyst.post("/cases", json=body).status_code == 409  # the reference is taken
    url = f"/cases/{case['id']}/status"
    step = partner.post(url, json={"status": "acknowledged", "occurred_on": "2007-04-05"})
    assert step.status_code == 200 and step.json()["status"] == "acknowledged"
    # Out of order: 409, nothing changed; closing needs an outcome (422) and is the analyst's.
    assert partner.post(url, json={"status": "response_reported", "response": "x"}).status_code == 409
    assert partner.post(url, json={"status": "closed", "outcome": "sanctioned", "note": "x"}).status_code == 403
    no_outcome = analyst.post(url, json={"status": "closed", "note": "done"})
    assert no_outcome.status_code == 422 and "needs an outcome" in no_outcome.json()["detail"]
    assert analyst.get(f"/cases/{case['id']}").json()["status"] == "acknowledged"
    closed = analyst.post(url, json={"status": "closed", "outcome": "closed_unsubstantiated", "note": "civilian use",
                                     "occurred_on": "2007-05-01"})  # fmt: skip
    assert closed.status_code == 200 and closed.json()["outcome"] == "closed_unsubstantiated"
    assert [h["to"] for h in partner.get("/cases/WLC-2007-001").json()["history"]] == [
        "raised", "acknowledged", "closed_unsubstantiated"]  # fmt: skip
    listed = partner.get("/cases").json()
    assert listed["total"] == 1 and listed["results"][0]["reference"] == "WLC-2007-001"
    csv = analyst.get("/cases", params={"format": "csv"})
    assert csv.status_code == 200 and "WLC-2007-001" in csv.text and csv.text.startswith("id,")
    metrics = analyst.get("/cases/metrics", params={"today": "2007-06-01"}).json()
    assert metrics["outcomes"]["counts"]["closed_unsubstantiated"] == 1 and metrics["open_by_age"]["open"] == 0
    assert analyst.get("/cases/metrics", params={"today": "June"}).status_code == 422
    assert TestClient(api).get("/cases").status_code == 401


def test_cli_raise_step_close_list_and_metrics(db, session, tmp_path, monkeypatch, wide_terminal):
    load_list(session, LISTED)
    runner = CliRunner()
    raised = runner.invoke(cli, [
        "cases", "raise", "WLC-2007-001", "--title", "Motor cases", "--facts", "Offered to Iran.",
        "--raised-on", "2007-04-02", "--destination", "IR", "--item", "motor cases|MTCR Category II Item 3|12",
        "--party", "exporter:Alpha Missile Trading Co:CN", "--source", "07BEIJING1900 ¶15", "--json",
    ])  # fmt: skip
    assert raised.exit_code == 0, raised.output
    detail = json.loads(raised.stdout)
    assert detail["items"][0]["quantity"] == 12 and detail["parties"][0]["hits"][0]["caption"] == LISTED
    added = runner.invoke(cli, ["cases", "add-party", "WLC-2007-001", "broker:Alpha Missile Trading Co:CN", "--json"])
    assert added.exit_code == 0, added.output
    assert [p["role"] for p in json.loads(added.stdout)["parties"]] == ["exporter", "broker"]
    bad = runner.invoke(cli, ["cases", "add-party", "WLC-2007-001", "pilot:Someone"])
    assert bad.exit_code == 1 and "role" in bad.output
    for args in (["acknowledge", "WLC-2007-001", "--on", "2007-04-05"],
                 ["investigate", "WLC-2007-001", "--on", "2007-04-20"]):  # fmt: skip
        assert runner.invoke(cli, ["cases", *args]).exit_code == 0
    refused_close = runner.invoke(cli, ["cases", "close", "WLC-2007-001", "--note", "done"])
    assert refused_close.exit_code == 1 and "needs an outcome" in refused_close.output
    responded = runner.invoke(cli, ["cases", "respond", "WLC-2007-001", "--response", "Stopped.", "--on",
                                    "2007-05-01", "--json"])  # fmt: skip
    assert json.loads(responded.stdout)["history"][-1]["note"].startswith("recorded on the partner's behalf")
    closed = runner.invoke(cli, ["cases", "close", "WLC-2007-001", "--outcome", "resolved_by_consultation",
                                 "--note", "Explained.", "--on", "2007-05-10"])  # fmt: skip
    assert closed.exit_code == 0 and "resolved_by_consultation" in closed.stdout
    listed = json.loads(runner.invoke(cli, ["cases", "list", "--json"]).stdout)
    assert [c["status"] for c in listed] == ["resolved_by_consultation"]
    out = tmp_path / "cases.xlsx"
    assert runner.invoke(cli, ["cases", "list", "--export", str(out)]).exit_code == 0 and out.stat().st_size > 0
    shown = runner.invoke(cli, ["cases", "show", "WLC-2007-001"])
    assert shown.exit_code == 0 and "MTCR Category II Item 3" in shown.stdout and LISTED in shown.stdout
    metrics = json.loads(runner.invoke(cli, ["cases", "metrics", "--json"]).stdout)
    assert metrics["time_to_step"]["outcome"] == {"cases": 1, "median_days": 38.0, "mean_days": 38.0}
    assert "resolved_by_consultation: 1 (100%)" in runner.invoke(cli, ["cases", "metrics"]).stdout


def test_api_and_cli_add_and_remove_items_and_remove_parties(db, session):
    load_list(session, LISTED)
    case = raise_sample(session)
    analyst = TestClient(api, headers=bearer_headers(session))
    partner = TestClient(api, headers=bearer_headers(session, "partner1", "partner_officer", "CONFIDENTIAL", "CHN"))
    url = f"/cases/{case.id}"
    added = analyst.post(f"{url}/items", json={"description": "guidance kit", "control_entry": "ECCN 9A004"})
    assert added.status_code == 201 and added.json()["items"][-1]["description"] == "guidance kit"
    assert analyst.post(f"{url}/items", json={"description": "x", "control_entry": "??"}).status_code == 422
    assert partner.post(f"{url}/items", json={"description": "x"}).status_code == 403
    assert analyst.delete(f"{url}/items/9").status_code == 404
    assert len(analyst.delete(f"{url}/items/3").json()["items"]) == 2
    first = added.json()["parties"][0]["id"]
    assert partner.delete(f"{url}/parties/{first}").status_code == 403
    assert [p["role"] for p in analyst.delete(f"{url}/parties/{first}").json()["parties"]] == ["end_user"]
    assert analyst.delete(f"{url}/parties/{first}").status_code == 404
    runner = CliRunner()
    out = runner.invoke(cli, ["cases", "add-item", "WLC-2007-001", "motor cases|MTCR Category II Item 3|12", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["items"][-1]["quantity"] == 12
    assert runner.invoke(cli, ["cases", "remove-item", "WLC-2007-001", "1"]).exit_code == 0
    second = json.loads(runner.invoke(cli, ["cases", "show", "WLC-2007-001", "--json"]).stdout)["parties"][0]["id"]
    removed = runner.invoke(cli, ["cases", "remove-party", "WLC-2007-001", str(second)])
    assert removed.exit_code == 0 and "removed" in removed.stdout
    assert runner.invoke(cli, ["cases", "remove-party", "WLC-2007-001", str(second)]).exit_code == 1
