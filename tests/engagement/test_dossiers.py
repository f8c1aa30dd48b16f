"""Company dialogue dossiers: topics, status workflow, invitations to named officials with
attendance conditions, and meeting records; refused steps change nothing."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import dossiers
from goodpath.engagement.models import CompanyMeeting, Dossier, Invitation
from goodpath.registry.models import Party
from tests.factories import OPERATOR, bearer_headers

NORINCO = "p-norinco"
OFFICER = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "NORINCO", 9, "norinco-officer",
                 company_party_id=NORINCO)  # fmt: skip
OTHER_OFFICER = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "CGWIC", 10, "cgwic-officer",
                       company_party_id="p-cgwic")  # fmt: skip
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")


def add_parties(session) -> None:
    for pid, caption, schema in [(NORINCO, "China North Industries Corporation", "Company"),
                                 ("p-cgwic", "China Great Wall Industry Corporation", "Company"),
                                 ("p-person", "Some Person", "Person")]:  # fmt: skip
        session.add(Party(id=pid, schema=schema, caption=caption, countries=["cn"], birth_dates=[],
                          classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.commit()


@pytest.fixture
def parties(session):
    add_parties(session)
    return session


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _audits(session) -> int:
    return _count(session, AuditEntry)


def test_open_dossier_has_the_four_topics_of_the_cable_and_its_history(parties):
    session = parties
    d = dossiers.open_dossier(session, OPERATOR, NORINCO, share_with=["NORINCO"], occurred_on="2007-08-13",
                              source="07BEIJING5360 ¶3", demo_key="dossier-norinco")  # fmt: skip
    session.commit()
    assert [t["topic"] for t in d.topics] == list(dossiers.DEFAULT_TOPICS)
    assert {t["status"] for t in d.topics} == {"open"}
    assert d.status == "proposed" and d.releasability == "NORINCO,USA" and d.source == "07BEIJING5360 ¶3"
    out = dossiers.dossier_to_dict(session, OPERATOR, d)
    assert out["history"][0] | {"by": None} == {"from": None, "to": "proposed", "on": "2007-08-13", "by": None,
                                                "note": None, "source": "07BEIJING5360 ¶3"}  # fmt: skip
    assert out["company"] == "China North Industries Corporation"


def test_one_dossier_per_company_and_only_for_a_readable_company(parties):
    session = parties
    dossiers.open_dossier(session, OPERATOR, NORINCO)
    session.commit()
    before = (_count(session, Dossier), _audits(session))
    with pytest.raises(Refused, match="already has a dossier"):
        dossiers.open_dossier(session, OPERATOR, NORINCO)
    with pytest.raises(GoodpathError, match="is a Person"):
        dossiers.open_dossier(session, OPERATOR, "p-person")
    with pytest.raises(NotFound):
        dossiers.open_dossier(session, OPERATOR, "p-never-was")
    with pytest.raises(GoodpathError, match="only once"):
        dossiers.open_dossier(session, OPERATOR, "p-cgwic", topics=["ICP process", "icp PROCESS"])
    with pytest.raises(Refused, match="permission"):
        dossiers.open_dossier(session, PARTNER, "p-cgwic")
    session.rollback()
    assert (_count(session, Dossier), _audits(session)) == before


def test_status_workflow_allows_pause_and_resume_and_refuses_skipping(parties):
    session = parties
    dossiers.open_dossier(session, OPERATOR, NORINCO, occurred_on="2007-08-13")
    session.commit()
    with pytest.raises(Refused, match="cannot go from proposed to in_dialogue"):
        dossiers.set_status(session, OPERATOR, NORINCO, "in_dialogue")
    session.rollback()
    for status, on in [("invited", "2007-09-01"), ("in_dialogue", "2007-10-01"), ("paused", "2008-01-01"),
                       ("in_dialogue", "2008-03-01")]:  # fmt: skip
        dossiers.set_status(session, OPERATOR, NORINCO, status, occurred_on=on, note="why")
    session.commit()
    d = dossiers.get_dossier(session, OPERATOR, NORINCO)
    assert [h["to"] for h in dossiers.dossier_to_dict(session, OPERATOR, d)["history"]] == [
        "proposed", "invited", "in_dialogue", "paused", "in_dialogue"]  # fmt: skip
    with pytest.raises(GoodpathError, match="needs a note"):
        dossiers.set_status(session, OPERATOR, NORINCO, "closed")
    with pytest.raises(Refused, match="before the dossier's last step"):
        dossiers.set_status(session, OPERATOR, NORINCO, "paused", occurred_on="2007-01-01", note="x")
    with pytest.raises(GoodpathError, match="status must be one of"):
        dossiers.set_status(session, OPERATOR, NORINCO, "frozen")
    session.rollback()
    d = dossiers.get_dossier(session, OPERATOR, NORINCO)
    assert d.status == "in_dialogue" and d.status_on.isoformat() == "2008-03-01"
    dossiers.set_status(session, OPERATOR, NORINCO, "closed", occurred_on="2009-01-01", note="delisted")
    with pytest.raises(Refused, match="none: it is final"):
        dossiers.set_status(session, OPERATOR, NORINCO, "in_dialogue")


def test_topics_are_added_and_updated_ignoring_case(parties):
    session = parties
    dossiers.open_dossier(session, OPERATOR, NORINCO, topics=["ICP process"])
    dossiers.set_topic(session, OPERATOR, NORINCO, "icp process", status="satisfied", notes="manual shown",
                       source="x ¶1")  # fmt: skip
    dossiers.set_topic(session, OPERATOR, NORINCO, "export licensing", notes="new")
    session.commit()
    topics = dossiers.get_dossier(session, OPERATOR, NORINCO).topics
    assert topics == [
        {"topic": "ICP process", "status": "satisfied", "notes": "manual shown", "source": "x ¶1"},
        {"topic": "export licensing", "status": "open", "notes": "new", "source": None},
    ]
    with pytest.raises(GoodpathError, match="topic status must be one of"):
        dossiers.set_topic(session, OPERATOR, NORINCO, "ICP process", status="done")


def test_invitation_needs_named_officials_and_a_response_date(parties):
    session = parties
    dossiers.open_dossier(session, OPERATOR, NORINCO, share_with=["NORINCO"])
    session.commit()
    audits = _audits(session)
    for bad, message in [([], "at least one senior official"), ([{"name": " ", "title": "CEO"}], "needs a name")]:
        with pytest.raises(GoodpathError, match=message):
            dossiers.invite(session, OPERATOR, NORINCO, invitees=bad)
    session.rollback()
    assert _count(session, Invitation) == 0 and _audits(session) == audits
    inv = dossiers.invite(
        session, OPERATOR, NORINCO, invitees=["Zhang San|President", {"name": "Li Si", "title": "VP"}],
        conditions=["unaccompanied by outside advisors"], purpose="start a dialogue", source="07BEIJING5360 ¶3",
        occurred_on="2007-08-20",
    )  # fmt: skip
    session.commit()
    assert inv.invitees == [{"name": "Zhang San", "title": "President"}, {"name": "Li Si", "title": "VP"}]
    assert inv.status == "draft" and inv.releasability == "NORINCO,USA"  # the dossier's marking
    with pytest.raises(Refused, match="cannot go from draft to accepted"):
        dossiers.set_invitation_status(session, OPERATOR, inv.id, "accepted", occurred_on="2007-10-01")
    dossiers.set_invitation_status(session, OPERATOR, inv.id, "sent", occurred_on="2007-09-01")
    session.commit()
    assert inv.issued_on.isoformat() == "2007-09-01"
    with pytest.raises(GoodpathError, match="needs the date of the response"):
        dossiers.set_invitation_status(session, OPERATOR, inv.id, "accepted")
    session.rollback()
    assert session.get(Invitation, inv.id).status == "sent"
    dossiers.set_invitation_status(session, OPERATOR, inv.id, "accepted", occurred_on="2007-10-01", response="yes")
    session.commit()
    assert (inv.status, inv.response, inv.status_on.isoformat()) == ("accepted", "yes", "2007-10-01")
    with pytest.raises(Refused, match="none: it is final"):
        dossiers.set_invitation_status(session, OPERATOR, inv.id, "declined", occurred_on="2007-10-02")


def test_a_meeting_on_a_declined_invitation_is_refused_and_a_held_one_marks_topics_discussed(parties):
    session = parties
    dossiers.open_dossier(session, OPERATOR, NORINCO)
    inv = dossiers.invite(session, OPERATOR, NORINCO, invitees=["Zhang San|President"])
    dossiers.set_invitation_status(session, OPERATOR, inv.id, "sent")
    dossiers.set_invitation_status(session, OPERATOR, inv.id, "declined", occurred_on=inv.status_on)
    session.commit()
    with pytest.raises(Refused, match="declined, not accepted"):
        dossiers.record_meeting(session, OPERATOR, NORINCO, held_on="2007-11-01", summary="x", invitation_id=inv.id)
    with pytest.raises(GoodpathError, match="summary is required"):
        dossiers.record_meeting(session, OPERATOR, NORINCO, held_on="2007-11-01", summary="  ")
    with pytest.raises(GoodpathError, match="held_on must be a date"):
        dossiers.record_meeting(session, OPERATOR, NORINCO, held_on="next week", summary="x")
    session.rollback()
    assert _count(session, CompanyMeeting) == 0
    m = dossiers.record_meeting(
        session, OPERATOR, NORINCO, held_on="2007-11-01", summary="talked", place="Washington",
        participants=["Zhang San", {"name": "A. Official", "side": "USA"}], topics=["ICP process"],
    )  # fmt: skip
    session.commit()
    assert m.participants == [{"name": "Zhang San"}, {"name": "A. Official", "side": "USA"}]
    topics = {t["topic"]: t["status"] for t in dossiers.get_dossier(session, OPERATOR, NORINCO).topics}
    assert topics["ICP process"] == "discussed" and topics["business model and strategic plan"] == "open"


def test_company_officer_reads_only_their_own_dossier(parties):
    session = parties
    dossiers.open_dossier(session, OPERATOR, NORINCO, share_with=["NORINCO"])
    dossiers.open_dossier(session, OPERATOR, "p-cgwic", share_with=["CGWIC"], model_candidate=True)
    dossiers.invite(session, OPERATOR, NORINCO, invitees=["Zhang San"])
    session.commit()
    assert [r["party_id"] for r in dossiers.list_dossiers(session, OFFICER)] == [NORINCO]
    assert [r["party_id"] for r in dossiers.list_dossiers(session, OTHER_OFFICER)] == ["p-cgwic"]
    assert [r["party_id"] for r in dossiers.list_dossiers(session, OPERATOR, model_candidate=True)] == ["p-cgwic"]
    assert dossiers.list_dossiers(session, PARTNER) == []  # releasable to USA and the company only
    with pytest.raises(NotFound):
        dossiers.get_dossier(session, OFFICER, "p-cgwic")
    assert len(dossiers.dossier_to_dict(session, OFFICER, dossiers.get_dossier(session, OFFICER, NORINCO))
               ["invitations"]) == 1  # fmt: skip
    with pytest.raises(Refused, match="permission"):
        dossiers.set_topic(session, OFFICER, NORINCO, "ICP process", status="satisfied")


def test_every_change_is_in_the_history_and_the_audit_log(parties):
    session = parties
    audits = _audits(session)
    dossiers.open_dossier(session, OPERATOR, NORINCO)
    dossiers.set_status(session, OPERATOR, NORINCO, "invited")
    inv = dossiers.invite(session, OPERATOR, NORINCO, invitees=["Zhang San"])
    dossiers.set_invitation_status(session, OPERATOR, inv.id, "sent")
    session.commit()
    assert _audits(session) == audits + 4
    events = session.scalars(select(StatusEvent.to_status).order_by(StatusEvent.id)).all()
    assert events == ["proposed", "invited", "draft", "sent"]


# --- CLI and API ---------------------------------------------------------------------------------


def test_cli_open_invite_meet_and_list(parties, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["dossiers", "open", NORINCO, "--share-with", "NORINCO", "--source", "07BEIJING5360 ¶3"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(cli, ["dossiers", "status", NORINCO, "in_dialogue"])
    assert bad.exit_code == 1 and "cannot go from proposed to in_dialogue" in bad.output
    inv = runner.invoke(cli, ["dossiers", "invite", NORINCO, "--invitee", "Zhang San|President",
                              "--condition", "unaccompanied by outside advisors", "--json"])  # fmt: skip
    assert inv.exit_code == 0, inv.output
    inv_id = json.loads(inv.output)["id"]
    assert runner.invoke(cli, ["dossiers", "invitation-status", str(inv_id), "sent"]).exit_code == 0
    r = runner.invoke(cli, ["dossiers", "invitation-status", str(inv_id), "accepted", "--on", "2030-01-01"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["dossiers", "meeting", NORINCO, "--held-on", "2030-02-01", "--summary", "met",
                            "--invitation", str(inv_id), "--topic", "ICP process"])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["dossiers", "topic", NORINCO, "ICP process", "--status", "satisfied"])
    assert r.exit_code == 0, r.output
    shown = json.loads(runner.invoke(cli, ["dossiers", "show", NORINCO, "--json"]).output)
    assert len(shown["meetings"]) == 1 and shown["meetings"][0]["invitation_id"] == inv_id
    rows = json.loads(runner.invoke(cli, ["dossiers", "list", "--json"]).output)
    assert rows[0]["meetings"] == 1 and rows[0]["topics_open"] == 3
    out = tmp_path / "dossiers.xlsx"
    assert runner.invoke(cli, ["dossiers", "list", "--export", str(out)]).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_api_dossier_routes_follow_permissions_and_markings(parties):
    session = parties
    analyst = bearer_headers(session)
    officer = bearer_headers(session, "officer1", "company_officer", "UNCLASSIFIED", "NORINCO", company=NORINCO)
    client = TestClient(api)
    r = client.post("/dossiers", json={"party_id": NORINCO, "share_with": ["NORINCO"]}, headers=analyst)
    assert r.status_code == 201, r.text
    assert client.post("/dossiers", json={"party_id": "p-cgwic"}, headers=officer).status_code == 403
    r = client.post(f"/dossiers/{NORINCO}/invitations", json={"invitees": []}, headers=analyst)
    assert r.status_code == 422 and "senior official" in r.text
    r = client.post(f"/dossiers/{NORINCO}/status", json={"status": "in_dialogue"}, headers=analyst)
    assert r.status_code == 409 and "cannot go from proposed" in r.json()["detail"]
    r = client.post(f"/dossiers/{NORINCO}/invitations", json={"invitees": [{"name": "Zhang San"}]}, headers=analyst)
    inv = r.json()["id"]
    assert client.post(f"/invitations/{inv}/status", json={"status": "sent"}, headers=analyst).status_code == 200
    r = client.post(f"/dossiers/{NORINCO}/meetings", json={"held_on": "2030-01-01", "summary": "x",
                                                           "invitation_id": inv}, headers=analyst)  # fmt: skip
    assert r.status_code == 409
    assert client.get(f"/dossiers/{NORINCO}", headers=officer).json()["invitations"][0]["id"] == inv
    assert client.get("/dossiers/p-cgwic", headers=officer).status_code == 404
    csv = client.get("/dossiers", params={"format": "csv"}, headers=officer)
    assert csv.status_code == 200 and csv.text.splitlines()[1].startswith('1,"p-norinco"')


def test_cli_plain_output_names_the_records(parties):
    runner = CliRunner()
    runner.invoke(cli, ["dossiers", "open", NORINCO, "--model-candidate", "--on", "2007-08-13"])
    runner.invoke(cli, ["dossiers", "invite", NORINCO, "--invitee", "Zhang San|President"])
    shown = runner.invoke(cli, ["dossiers", "show", NORINCO])
    assert shown.exit_code == 0, shown.output
    assert "proposed since 2007-08-13 (model candidate)" in shown.output and "Zhang San" in shown.output
    listed = runner.invoke(cli, ["dossiers", "list", "--model-candidates"])
    assert listed.exit_code == 0 and "dossiers: 1" in listed.output
    missing = runner.invoke(cli, ["dossiers", "show", "p-cgwic"])
    assert missing.exit_code == 1 and "no dossier for party 'p-cgwic'" in missing.output
