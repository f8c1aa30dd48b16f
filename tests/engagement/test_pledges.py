"""Pledges: fulfilled only with evidence, broken only with a note, evidence only while open,
overdue when open past the due date; refused steps change nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import consultations, pledges
from goodpath.engagement.models import Pledge
from goodpath.registry.models import Party
from tests.factories import OPERATOR, bearer_headers

PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")
NORINCO = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "NORINCO", 8, "norinco", "p-norinco")
OTHER_COMPANY = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "NORINCO", 9, "other", "p-other")
PRESS = "MFA will press NORINCO and CGWIC to engage constructively"


def _pledge(session, **kwargs) -> Pledge:
    args = {"pledged_by": "MFA (PRC)", "pledged_to": "USG", "text": PRESS, "made_on": "2007-03-20",
            "owner": "MFA Arms Control Department", "due_on": "2007-06-30"} | kwargs  # fmt: skip
    pledge = pledges.create(session, OPERATOR, **args)
    session.commit()
    return pledge


def _party(session, party_id: str = "p-norinco") -> str:
    session.add(Party(id=party_id, schema="Company", caption="NORINCO", countries=["cn"], birth_dates=[],
                      classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.commit()
    return party_id


def _state(session, pledge_id: int) -> tuple:
    pledge = session.get(Pledge, pledge_id)
    return (
        pledge.status,
        list(pledge.evidence),
        session.scalar(select(func.count()).select_from(StatusEvent)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_a_pledge_starts_open_with_its_history_and_citation(session):
    pledge = _pledge(session, source="07BEIJING1900 ¶5", demo_key="test-press")
    assert (pledge.status, pledge.status_on, pledge.releasability, pledge.source) == (
        "open", date(2007, 3, 20), "USA", "07BEIJING1900 ¶5"
    )  # fmt: skip
    detail = pledges.detail(session, OPERATOR, pledge.id, today=date(2007, 4, 1))
    assert [(h["from"], h["to"], h["on"]) for h in detail["history"]] == [(None, "open", "2007-03-20")]
    assert detail["overdue"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pledged_by": " "}, "pledged_by is required"),
        ({"text": ""}, "text is required"),
        ({"due_on": "2007-01-01"}, "due_on 2007-01-01 is before made_on"),
        ({"made_on": "20/03/2007"}, "made_on must be a date"),
        ({"party_id": "p-never-was"}, "no party"),
        ({"round_id": 999999}, "no consultation round"),
        ({"meeting_id": 999999}, "no company meeting"),
    ],
)
def test_bad_input_names_the_problem_and_creates_nothing(session, kwargs, message):
    with pytest.raises(GoodpathError, match=message):
        _pledge(session, **kwargs)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Pledge)) == 0
    assert session.scalar(select(func.count()).select_from(StatusEvent)) == 0


def test_fulfilment_is_refused_without_evidence_and_changes_nothing(session):
    pledge = _pledge(session)
    before = _state(session, pledge.id)
    with pytest.raises(Refused, match="cannot be fulfilled without evidence"):
        pledges.fulfil(session, OPERATOR, pledge.id)
    session.rollback()
    assert _state(session, pledge.id) == before
    pledges.add_evidence(session, OPERATOR, pledge.id, text="NORINCO met the Embassy", source="07BEIJING5360 ¶4",
                         occurred_on="2007-08-13")  # fmt: skip
    pledges.fulfil(session, OPERATOR, pledge.id, occurred_on="2007-08-14")
    session.commit()
    assert (pledge.status, pledge.status_on) == ("fulfilled", date(2007, 8, 14))
    assert pledge.evidence == [{"text": "NORINCO met the Embassy", "source": "07BEIJING5360 ¶4",
                                "recorded_by": "test-operator", "on": "2007-08-13"}]  # fmt: skip
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "pledge")))
    assert actions == {"pledge.create", "pledge.evidence", "pledge.fulfilled"}


def test_evidence_given_with_the_fulfilment_counts_but_not_if_the_step_is_refused(session):
    pledge = _pledge(session)
    before = _state(session, pledge.id)
    with pytest.raises(Refused, match="before the pledge's last step"):
        pledges.fulfil(session, OPERATOR, pledge.id, evidence="nonpaper delivered", occurred_on="2007-01-01")
    session.rollback()
    assert _state(session, pledge.id) == before  # the evidence was not written either
    pledges.fulfil(session, OPERATOR, pledge.id, evidence="nonpaper delivered", evidence_source="cable")
    session.commit()
    assert pledge.status == "fulfilled" and pledge.evidence[0]["text"] == "nonpaper delivered"


def test_breaking_needs_a_note_and_final_states_accept_nothing(session):
    pledge = _pledge(session)
    before = _state(session, pledge.id)
    with pytest.raises(GoodpathError, match="note is required"):
        pledges.break_(session, OPERATOR, pledge.id, note="  ")
    session.rollback()
    assert _state(session, pledge.id) == before
    pledges.break_(session, OPERATOR, pledge.id, note="NORINCO declined to meet")
    session.commit()
    before = _state(session, pledge.id)
    with pytest.raises(Refused, match="cannot go from broken to withdrawn"):
        pledges.withdraw(session, OPERATOR, pledge.id)
    with pytest.raises(Refused, match="only be added while it is open"):
        pledges.add_evidence(session, OPERATOR, pledge.id, text="late")
    with pytest.raises(GoodpathError, match="status must be one of"):
        pledges.set_status(session, OPERATOR, pledge.id, "kept")
    session.rollback()
    assert _state(session, pledge.id) == before


def test_overdue_means_open_and_past_due(session):
    late = _pledge(session, due_on="2007-06-30")
    _pledge(session, due_on=None, text="no due date")
    done = _pledge(session, due_on="2007-04-01", text="done")
    pledges.withdraw(session, OPERATOR, done.id)
    session.commit()
    rows = pledges.list_pledges(session, OPERATOR, overdue=True, today=date(2007, 7, 3))
    assert [(r["id"], r["days_overdue"]) for r in rows] == [(late.id, 3)]
    assert pledges.list_pledges(session, OPERATOR, overdue=True, today=date(2007, 6, 30)) == []
    assert len(pledges.list_pledges(session, OPERATOR, status="open")) == 2
    assert [r["id"] for r in pledges.list_pledges(session, OPERATOR, owner="arms control", status="withdrawn")] == [
        done.id
    ]  # fmt: skip
    assert pledges.list_pledges(session, OPERATOR, owner="100%_") == []  # wildcards are literal


def test_a_pledge_made_in_a_round_is_shared_with_the_counterpart(session):
    track = consultations.create(session, OPERATOR, title="DG/AFM", level="director_general", counterpart="CHN")
    held = consultations.add_held_round(session, OPERATOR, track.id, held_on="2007-08-13")
    pledge = _pledge(session, round_id=held.id, pledged_by="USG", pledged_to="MFA (PRC)",
                     text="USG will prepare a nonpaper on enhanced cooperation")  # fmt: skip
    assert pledge.releasability == "CHN,USA"
    assert pledges.get(session, PARTNER, pledge.id).id == pledge.id
    assert [r["id"] for r in pledges.list_pledges(session, PARTNER, round_id=held.id)] == [pledge.id]


def test_a_company_reads_the_pledges_about_itself_only(session):
    _party(session)
    _party(session, "p-other")
    own = _pledge(session, party_id="p-norinco", releasability="USA,NORINCO")
    _pledge(session, party_id="p-other", releasability="USA,NORINCO")
    _pledge(session, releasability="USA,NORINCO")
    assert [r["id"] for r in pledges.list_pledges(session, NORINCO)] == [own.id]
    assert [r["id"] for r in pledges.list_pledges(session, NORINCO, party_id="p-norinco")] == [own.id]
    with pytest.raises(NotFound):
        pledges.get(session, OTHER_COMPANY, own.id)
    with pytest.raises(Refused, match="permission"):
        pledges.add_evidence(session, NORINCO, own.id, text="we did it")


ACTIONS = st.lists(
    st.sampled_from(["evidence", "fulfil", "break_noted", "break_silent", "withdraw"]), min_size=1, max_size=6
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ACTIONS)
def test_any_sequence_of_steps_follows_the_rules(session, actions):
    pledge = _pledge(session)
    status, evidence = "open", 0  # the model the service must agree with
    for action in actions:
        try:
            if action == "evidence":
                pledges.add_evidence(session, OPERATOR, pledge.id, text="seen")
            elif action == "fulfil":
                pledges.fulfil(session, OPERATOR, pledge.id)
            elif action == "withdraw":
                pledges.withdraw(session, OPERATOR, pledge.id)
            else:
                pledges.break_(session, OPERATOR, pledge.id, note="broken" if action == "break_noted" else "")
            session.commit()
            ok = True
        except GoodpathError:
            session.rollback()
            ok = False
        expected_ok = status == "open" and not (action == "fulfil" and evidence == 0) and action != "break_silent"
        assert ok == expected_ok, (actions, action)
        if ok:
            evidence += action == "evidence"
            status = {"fulfil": "fulfilled", "withdraw": "withdrawn", "break_noted": "broken"}.get(action, status)
        assert (session.get(Pledge, pledge.id).status, len(session.get(Pledge, pledge.id).evidence)) == (
            status, evidence
        )  # fmt: skip


# --- interfaces ------------------------------------------------------------------------------


def test_api_pledges_with_clear_errors_and_export(session):
    analyst = bearer_headers(session)
    auditor = bearer_headers(session, "auditor1", "auditor")
    client = TestClient(api)
    body = {"pledged_by": "USG", "pledged_to": "MFA (PRC)", "text": "a nonpaper on enhanced cooperation",
            "made_on": "2007-08-13", "due_on": "2007-10-01", "owner": "EAP/CM"}  # fmt: skip
    made = client.post("/pledges", headers=analyst, json=body)
    assert made.status_code == 201, made.text
    pledge_id = made.json()["id"]
    assert client.post("/pledges", headers=auditor, json=body).status_code == 403
    refused = client.post(f"/pledges/{pledge_id}/status", headers=analyst, json={"status": "fulfilled"})
    assert refused.status_code == 409 and "evidence" in refused.json()["detail"]
    unnoted = client.post(f"/pledges/{pledge_id}/status", headers=analyst, json={"status": "broken"})
    assert unnoted.status_code == 422 and "note" in unnoted.json()["detail"]
    evidence = client.post(f"/pledges/{pledge_id}/evidence", headers=analyst, json={"text": "delivered"})
    assert evidence.status_code == 200 and len(evidence.json()["evidence"]) == 1
    overdue = client.get("/pledges", headers=auditor, params={"overdue": True, "today": "2007-10-02"}).json()
    assert [r["id"] for r in overdue["results"]] == [pledge_id] and overdue["results"][0]["overdue"]
    done = client.post(f"/pledges/{pledge_id}/status", headers=analyst, json={"status": "fulfilled"})
    assert done.status_code == 200 and [h["to"] for h in done.json()["history"]] == ["open", "fulfilled"]
    sheet = client.get("/pledges", headers=auditor, params={"format": "xlsx"})
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert client.get("/pledges/999999", headers=auditor).status_code == 404


def test_cli_pledges(session, tmp_path):
    runner = CliRunner()
    added = runner.invoke(cli, ["pledges", "add", "--by", "MFA (PRC)", "--to", "USG", "--text", PRESS,
                                "--made-on", "2007-03-20", "--due", "2007-06-30", "--owner", "MFA",
                                "--json"])  # fmt: skip
    assert added.exit_code == 0, added.output
    pledge_id = json.loads(added.output)["id"]
    refused = runner.invoke(cli, ["pledges", "fulfil", str(pledge_id)])
    assert refused.exit_code == 1 and "without evidence" in refused.output
    overdue = runner.invoke(cli, ["pledges", "list", "--overdue", "--today", "2007-07-01", "--json"])
    assert [r["id"] for r in json.loads(overdue.output)] == [pledge_id]
    runner.invoke(cli, ["pledges", "evidence", str(pledge_id), "--text", "met", "--source", "07BEIJING5360 ¶4"])
    done = runner.invoke(cli, ["pledges", "fulfil", str(pledge_id), "--json"])
    assert done.exit_code == 0 and json.loads(done.output)["status"] == "fulfilled"
    target = tmp_path / "pledges.csv"
    assert runner.invoke(cli, ["pledges", "list", "--export", str(target)]).exit_code == 0
    assert PRESS in target.read_text()
    shown = runner.invoke(cli, ["pledges", "show", str(pledge_id)])
    assert shown.exit_code == 0 and "fulfilled" in shown.output
