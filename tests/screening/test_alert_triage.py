"""Triage of re-screening alerts and dispositions beyond the CLI's first steps: escalating an alert,
filtering by party, one alert with its history, stopping a watched name, listing dispositions with
the false positives in force, and reopening a suppressed false positive."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core import audit_log as audit
from goodpath.core import work
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.lists import service as lists
from goodpath.screening import dispositions, monitoring, service
from goodpath.screening.models import ScreenedSubject, ScreeningAlert
from tests.factories import OPERATOR, bearer_headers, entity, parsed

DATASET = "triage-test"
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")
AUDITOR = Viewer(Role.AUDITOR, Classification.SECRET, "USA", 8, "auditor")


def _load(session, *entities):
    lists.apply_parsed(session, parsed(list(entities)), dataset=DATASET)
    session.commit()


def _two_alerts(session) -> list[dict]:
    _load(session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA PRECISION MACHINERY"))
    for name in ("Alpha Missile Trading", "Beta Precision Machinery"):
        monitoring.watch(session, OPERATOR, name)
    monitoring.rescreen_all(session, "tester")
    session.commit()
    return monitoring.list_alerts(session, OPERATOR)["results"]


def test_escalating_then_acknowledging_an_alert_keeps_its_history(session):
    alerts = _two_alerts(session)
    first = alerts[0]["id"]
    with pytest.raises(GoodpathError, match="needs a note"):
        monitoring.escalate(session, OPERATOR, first, "  ")
    with pytest.raises(Refused, match="permission"):
        monitoring.escalate(session, AUDITOR, first, "look again")
    done = monitoring.escalate(session, OPERATOR, first, "same address as a listed front: for the desk officer")
    session.commit()
    assert done["status"] == "escalated"
    assert monitoring.list_alerts(session, OPERATOR)["total"] == 1  # open ones
    assert [a["id"] for a in monitoring.list_alerts(session, OPERATOR, status="escalated")["results"]] == [first]
    with pytest.raises(Refused, match="only an open alert"):
        monitoring.escalate(session, OPERATOR, first, "again")
    acked = monitoring.acknowledge(session, OPERATOR, first, note="the desk officer cleared it")
    session.commit()
    assert acked["status"] == "acknowledged"
    one = monitoring.get_alert(session, OPERATOR, first)
    assert [(h["from"], h["to"], h["by"]) for h in one["history"]] == [
        ("open", "escalated", OPERATOR.actor), ("escalated", "acknowledged", OPERATOR.actor),
    ]  # fmt: skip
    assert one["history"][0]["note"].startswith("same address")
    with pytest.raises(Refused, match="acknowledged"):
        monitoring.escalate(session, OPERATOR, first, "too late")
    with pytest.raises(NotFound):
        monitoring.get_alert(session, PARTNER, first)  # marked releasable to the USA only
    assert monitoring.list_alerts(session, PARTNER, status=None)["total"] == 0
    assert audit.verify(session).ok


def test_alerts_filtered_by_party(session):
    alerts = _two_alerts(session)
    beta = next(a for a in alerts if a["caption"] == "BETA PRECISION MACHINERY")
    only = monitoring.list_alerts(session, OPERATOR, party_ids=[beta["party_id"]])
    assert [a["id"] for a in only["results"]] == [beta["id"]] and only["total"] == 1
    assert monitoring.list_alerts(session, OPERATOR, party_ids=[])["total"] == 0


def test_alerts_assigned_to_a_user(session):
    alerts = _two_alerts(session)
    record = session.get(ScreeningAlert, alerts[1]["id"])
    work.assign(session, "tester", monitoring.ALERT_WORK, record, "analyst", None)
    session.commit()
    mine = monitoring.list_alerts(session, OPERATOR, assigned_to="Analyst")
    assert [a["id"] for a in mine["results"]] == [record.id] and mine["total"] == 1
    assert monitoring.list_alerts(session, OPERATOR, assigned_to="approver")["total"] == 0


def test_stopping_a_watched_name(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"))
    subject = monitoring.watch(session, OPERATOR, "Alpha Missile Trading")
    session.commit()
    with pytest.raises(Refused, match="permission"):
        monitoring.unwatch(session, PARTNER, subject.id)
    with pytest.raises(NotFound):
        monitoring.unwatch(session, OPERATOR, 999_999)
    stopped = monitoring.unwatch(session, OPERATOR, subject.id)
    session.commit()
    assert stopped["active"] is False and monitoring.list_subjects(session, OPERATOR)["total"] == 0
    assert monitoring.rescreen_all(session, "tester")["subjects"] == 0
    with pytest.raises(Refused, match="not watched any more"):
        monitoring.unwatch(session, OPERATOR, subject.id)
    assert monitoring.watch(session, OPERATOR, "Alpha Missile Trading").active  # watching again resumes it
    marks = {"classification": "UNCLASSIFIED", "releasability": "USA", "originator": "USA"}
    engaged = ScreenedSubject(subject_key="x", name="X", source=monitoring.ENGAGED_COMPANY, active=True,
                              created_by="t", **marks)  # fmt: skip
    session.add(engaged)
    session.flush()
    with pytest.raises(Refused, match="engaged company"):
        monitoring.unwatch(session, OPERATOR, engaged.id)


def _false_positive(session, name="Alpha Missile Trading"):
    hit = service.screen(session, OPERATOR, name, include_suppressed=True)["hits"][0]
    return dispositions.record(
        session, OPERATOR, name=name, country=None, party_id=hit["party_id"], entry_id=hit["entry_id"],
        verdict="false_positive", reason="a bakery in Lyon",
    )  # fmt: skip


def test_dispositions_in_force_and_reopening_a_false_positive(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA PRECISION MACHINERY"))
    fp = _false_positive(session)
    hit = service.screen(session, OPERATOR, "Beta Precision Machinery")["hits"][0]
    match = dispositions.record(session, OPERATOR, name="Beta Precision Machinery", country=None, party_id=None,
                                entry_id=hit["entry_id"], verdict="true_match", reason="same address")  # fmt: skip
    session.commit()
    assert service.screen(session, OPERATOR, "Alpha Missile Trading")["hits"] == []  # suppressed
    page = dispositions.page_dispositions(session, OPERATOR, suppressing=True)
    assert [r["id"] for r in page["results"]] == [fp.id] and page["total"] == 1
    assert dispositions.page_dispositions(session, OPERATOR, verdict="true_match")["total"] == 1
    assert dispositions.page_dispositions(session, OPERATOR, party_id=hit["party_id"])["total"] == 1
    with pytest.raises(Refused, match="not a false positive"):
        dispositions.reopen(session, OPERATOR, match.id, "look again")
    with pytest.raises(GoodpathError, match="needs a reason"):
        dispositions.reopen(session, OPERATOR, fp.id, " ")
    with pytest.raises(Refused, match="permission"):
        dispositions.reopen(session, PARTNER, fp.id, "look again")
    with pytest.raises(NotFound):
        dispositions.get_disposition(session, PARTNER, fp.id)  # releasable to the USA only
    reopened = dispositions.reopen(session, OPERATOR, fp.id, "the bakery shares a director with the listed firm")
    session.commit()
    assert reopened.verdict == dispositions.REOPENED
    hits = service.screen(session, OPERATOR, "Alpha Missile Trading")["hits"]
    assert hits and hits[0]["disposition"]["verdict"] == "reopened"  # shown again, with why
    detail = dispositions.get_disposition(session, OPERATOR, fp.id)
    assert detail["superseded"] and not detail["suppressing"]
    assert [d["verdict"] for d in detail["decisions"]] == ["reopened", "false_positive"]
    assert dispositions.page_dispositions(session, OPERATOR, suppressing=True)["total"] == 0
    assert dispositions.page_dispositions(session, OPERATOR, verdict="reopened")["total"] == 1
    with pytest.raises(Refused, match="later decision"):
        dispositions.reopen(session, OPERATOR, fp.id, "again")
    # The CLI's and API's list is as before: the verdicts they know.
    assert {d["verdict"] for d in dispositions.list_dispositions(session, OPERATOR)} == {
        "true_match", "false_positive", "reopened"}  # fmt: skip
    with pytest.raises(GoodpathError, match="verdict must be"):
        dispositions.list_dispositions(session, OPERATOR, verdict="maybe")
    # A new false positive on the same hit suppresses it again.
    _false_positive(session)
    session.commit()
    assert service.screen(session, OPERATOR, "Alpha Missile Trading")["hits"] == []
    assert session.scalars(select(ScreenedSubject)).all() == []
    assert audit.verify(session).ok


def test_cli_escalate_reopen_and_stop_watching(db, session):
    runner = CliRunner()
    alerts = _two_alerts(session)
    first = alerts[0]["id"]
    fp = _false_positive(session, "Beta Precision Machinery")
    session.commit()
    escalated = runner.invoke(cli, ["alerts", "escalate", str(first), "--note", "for the desk officer", "--json"])
    assert escalated.exit_code == 0, escalated.output
    assert json.loads(escalated.stdout)["status"] == "escalated"
    listed = json.loads(runner.invoke(cli, ["alerts", "list", "--status", "escalated", "--json"]).stdout)
    assert [a["id"] for a in listed["results"]] == [first]
    again = runner.invoke(cli, ["alerts", "escalate", str(first), "--note", "again"])
    assert again.exit_code != 0 and "only an open alert" in again.output
    no_note = runner.invoke(cli, ["alerts", "escalate", str(alerts[1]["id"]), "--note", " "])
    assert no_note.exit_code != 0 and "needs a note" in no_note.output
    reopened = runner.invoke(cli, ["dispositions", "reopen", str(fp.id), "--reason", "shares a director", "--json"])
    assert reopened.exit_code == 0, reopened.output
    assert json.loads(reopened.stdout)["verdict"] == dispositions.REOPENED
    twice = runner.invoke(cli, ["dispositions", "reopen", str(fp.id), "--reason", "again"])
    assert twice.exit_code != 0 and "not a suppressed false positive" in twice.output
    subject = alerts[0]["subject"]["id"]
    stopped = runner.invoke(cli, ["watch", "stop", str(subject)])
    assert stopped.exit_code == 0 and "stopped watching" in stopped.output, stopped.output
    already = runner.invoke(cli, ["watch", "stop", str(subject)])
    assert already.exit_code != 0 and "not watched any more" in already.output


def test_api_escalate_reopen_and_stop_watching(session):
    alerts = _two_alerts(session)
    first = alerts[0]["id"]
    fp = _false_positive(session, "Beta Precision Machinery")
    session.commit()
    client = TestClient(api, headers=bearer_headers(session))
    partner = bearer_headers(session, "partner1", "partner_officer", "CONFIDENTIAL", "CHN")
    assert client.post(f"/screen/alerts/{first}/escalate", json={"note": "x"}, headers=partner).status_code == 403
    no_note = client.post(f"/screen/alerts/{first}/escalate", json={"note": " "})
    assert no_note.status_code == 422 and "needs a note" in no_note.text
    escalated = client.post(f"/screen/alerts/{first}/escalate", json={"note": "for the desk officer"})
    assert escalated.status_code == 200 and escalated.json()["status"] == "escalated", escalated.text
    again = client.post(f"/screen/alerts/{first}/escalate", json={"note": "again"})
    assert again.status_code == 409 and "only an open alert" in again.text
    assert client.post("/screen/alerts/999999/escalate", json={"note": "x"}).status_code == 404
    listed = client.get("/screen/alerts", params={"status": "escalated"}).json()
    assert [a["id"] for a in listed["results"]] == [first]
    assert client.get("/screen/alerts").json()["total"] == 1  # the other, still open
    assert client.get("/screen/alerts", params={"status": "bananas"}).status_code == 422
    no_reason = client.post(f"/screen/dispositions/{fp.id}/reopen", json={"reason": ""})
    assert no_reason.status_code == 422 and "needs a reason" in no_reason.text
    reopened = client.post(f"/screen/dispositions/{fp.id}/reopen", json={"reason": "shares a director"})
    assert reopened.status_code == 201 and reopened.json()["verdict"] == dispositions.REOPENED, reopened.text
    listed = client.get("/screen/dispositions", params={"verdict": "reopened"}).json()
    assert [d["id"] for d in listed] == [reopened.json()["id"]]
    twice = client.post(f"/screen/dispositions/{fp.id}/reopen", json={"reason": "again"})
    assert twice.status_code == 409 and "not a suppressed false positive" in twice.text
    subject = alerts[1]["subject"]["id"]
    assert client.post(f"/screen/subjects/{subject}/unwatch", headers=partner).status_code == 403
    stopped = client.post(f"/screen/subjects/{subject}/unwatch")
    assert stopped.status_code == 200 and stopped.json()["active"] is False, stopped.text
    assert client.post(f"/screen/subjects/{subject}/unwatch").status_code == 409
    assert client.post("/screen/subjects/999999/unwatch").status_code == 404
    assert audit.verify(session).ok
