"""The API of recording the law's facts (issue 19): POST /parties, POST /parties/{party}/sanctions,
POST /sanctions/{id}/events -- stored and audited for analysts, refused with the rule (4xx) and nothing
stored on bad input, refused to roles that may not edit the registry; a relief's event from the pathway."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from goodpath.api import app
from goodpath.core.audit_log import AuditEntry
from goodpath.pathway.eligibility import explain
from goodpath.registry import sanction_records
from goodpath.registry.models import Party, Sanction, SanctionEvent
from tests.factories import OPERATOR, bearer_headers

ACA_2006 = "https://www.armscontrol.org/act/2006-07/iran-nuclear-briefs/us-sanctions-five-companies-iran-trade"


@pytest.fixture
def client(session) -> TestClient:
    return TestClient(app, headers=bearer_headers(session))


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_record_party_sanction_and_event_over_the_api(client, session):
    new = {"name": "China Great Wall Industry Corporation", "schema": "Company", "country": "CN", "key": "cgwic",
           "names": ["zh:中国长城工业集团有限公司"]}  # fmt: skip
    party = client.post("/parties", json=new)
    assert party.status_code == 201, party.text
    assert party.json()["key"] == "cgwic" and {n["lang"] for n in party.json()["names"]} == {None, "zh"}
    body = {
        "authority": "EO13382",
        "imposed": "2006-06-13",
        "citation": "EO 13382 designation of Jun 13 2006",
        "source": ACA_2006,
    }
    sanction = client.post("/parties/cgwic/sanctions", json=body)
    assert sanction.status_code == 201, sanction.text
    stored = sanction.json()
    assert stored["measures"] == ["blocking"] and stored["origin"] == "analyst" and stored["id"]
    delisting = {"kind": "delisting", "on": "2009-01-01", "citation": "OFAC recent actions (scenario)"}
    event = client.post(f"/sanctions/{stored['id']}/events", json=delisting)
    assert event.status_code == 201, event.text
    assert client.get(f"/sanctions/{stored['id']}/events").json()[0]["kind"] == "delisting"
    session.expire_all()
    answer = explain(session, OPERATOR, "cgwic", as_of=date(2009, 1, 1))
    assert answer["sanctions"][0]["status"] == "delisted"
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"registry.party.add", "registry.sanction.add", "registry.sanction_event.add"} <= actions


def test_bad_input_is_refused_with_the_rule_and_nothing_is_stored(client, session):
    client.post("/parties", json={"name": "Acme", "schema": "Company", "country": "CN", "key": "acme"})
    before = (_count(session, Sanction), _count(session, SanctionEvent))
    cases = [
        ({"authority": "NOPE", "imposed": "2004-01-01", "citation": "x"}, "valid: AECA73"),
        ({"authority": "EO13382", "imposed": "2004-01-01", "citation": "x"}, "before EO13382 took effect"),
        ({"authority": "IIANPA", "imposed": "2004-01-01", "measures": ["blocking"], "citation": "x"},
         "not measures of IIANPA"),
    ]  # fmt: skip
    for body, message in cases:
        answer = client.post("/parties/acme/sanctions", json=body)
        assert 400 <= answer.status_code < 500 and message in answer.json()["detail"], answer.text
    ok = client.post("/parties/acme/sanctions", json={"authority": "IIANPA", "imposed": "2004-01-01", "citation": "x"})
    sid = ok.json()["id"]
    for body, message in [
        ({"kind": "pardon", "on": "2004-02-01", "citation": "x"}, "valid: waiver"),
        ({"kind": "waiver", "on": "2003-02-01", "citation": "x"}, "before the sanction was imposed"),
        ({"kind": "termination", "on": "2004-02-01", "until": "2004-03-01", "citation": "x"}, "until applies"),
    ]:
        answer = client.post(f"/sanctions/{sid}/events", json=body)
        assert 400 <= answer.status_code < 500 and message in answer.json()["detail"], answer.text
    assert (_count(session, Sanction), _count(session, SanctionEvent)) == (before[0] + 1, before[1])
    assert client.post("/parties", json={"name": "B", "schema": "Ship", "country": "CN"}).status_code == 422
    assert client.post("/parties/nobody/sanctions", json={"authority": "IIANPA", "imposed": "2004-01-01",
                                                          "citation": "x"}).status_code == 404  # fmt: skip


def test_only_registry_editors_record(session):
    auditor = TestClient(app, headers=bearer_headers(session, "auditor1", "auditor"))
    answer = auditor.post("/parties", json={"name": "X", "schema": "Company", "country": "CN"})
    assert answer.status_code == 403
    assert _count(session, Party) == 0


def test_a_relief_writes_its_event_and_a_snapback_revokes_it(session):
    """The pathway's side: a relief taking effect writes the sanction's event; revoked, the event stops."""
    sanction_records.add_party(session, OPERATOR, "Acme", schema="Company", country="CN", key="acme")
    sanction = sanction_records.add_sanction(session, OPERATOR, "acme", authority="IIANPA", imposed="2004-01-01",
                                             citation="scenario")  # fmt: skip
    event = sanction_records.relief_event(session, OPERATOR, relief_id=77, sanction_id=sanction.id,
                                          measure="procurement_ban", route_kind="waiver",
                                          route_code="national_interest_waiver", on=date(2004, 6, 17),
                                          citation="pathway relief 77")  # fmt: skip
    assert event.kind == "waiver" and event.origin == "pathway" and event.measures == ["procurement_ban"]
    again = sanction_records.relief_event(session, OPERATOR, relief_id=77, sanction_id=sanction.id,
                                          measure="procurement_ban", route_kind="waiver",
                                          route_code="national_interest_waiver", on=date(2004, 6, 17),
                                          citation="pathway relief 77")  # fmt: skip
    assert again.id == event.id  # idempotent
    session.flush()
    rows = {m["measure"]: m["status"] for m in explain(session, OPERATOR, "acme", as_of=date(2004, 7, 1))
            ["sanctions"][0]["measures"]}  # fmt: skip
    assert rows == {"procurement_ban": "waived", "export_licence_denial": "active"}
    sanction_records.revoke_relief_event(session, OPERATOR, 77, date(2005, 1, 1))
    session.flush()
    later = explain(session, OPERATOR, "acme", as_of=date(2005, 1, 1))["sanctions"][0]["measures"]
    assert {m["measure"]: m["status"] for m in later}["procurement_ban"] == "active"
    assert sanction_records.relief_event(session, OPERATOR, relief_id=78, sanction_id=sanction.id,
                                         measure="procurement_ban", route_kind="licence", route_code="x",
                                         on=date(2004, 6, 17), citation="c") is None  # fmt: skip
