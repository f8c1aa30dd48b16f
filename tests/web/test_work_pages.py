"""Work on records in the pages, without a browser: the case page's work panel (assign with a due day,
comment, reply), "My work" with what is overdue, a refused form drawn again with its error and what
was typed, 404 for a record the viewer may not read, 403 for a role that may not work on it; and
the same through the CLI and the API."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.api import app
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.models import utcnow
from goodpath.engagement.models import Pledge, ViolationCase
from goodpath.lists import service as lists
from goodpath.pathway.models import PathwayProposal, PathwayState
from goodpath.registry.models import Party
from goodpath.screening import monitoring
from tests.factories import OPERATOR, bearer_headers, entity, parsed

HTML = {"Accept": "text/html,application/xhtml+xml"}


def _login(session, username: str, role: str, clearance: str = "SECRET", organization: str = "USA"):
    headers = bearer_headers(session, username=username, role=role, clearance=clearance, organization=organization)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    home = client.get("/", headers=HTML).text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', home).group(1), headers


def _case(session, classification="CONFIDENTIAL", releasability="CHN,USA", reference="WLC-W-1") -> int:
    case = ViolationCase(reference=reference, title="Valves to X", raised_on=date(2026, 1, 5), status="raised",
                         status_on=date(2026, 1, 5), facts="f", created_by="t", classification=classification,
                         releasability=releasability, originator="USA")  # fmt: skip
    session.add(case)
    session.commit()
    return case.id


def test_assign_comment_and_reply_from_the_case_page(session):
    case_id = _case(session)
    approver, csrf, _ = _login(session, "approver1", "approver")
    analyst, analyst_csrf, _ = _login(session, "analyst1", "analyst")
    page = approver.get(f"/ui/cases/{case_id}", headers=HTML).text
    assert 'data-testid="work-panel"' in page and 'data-testid="work-unassigned"' in page
    assert '<option value="analyst1"' in page
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    response = approver.post(f"/ui/worklist/case/{case_id}/assign", data={
        "csrf_token": csrf, "assignee": "analyst1", "due_on": yesterday, "note": "check the valves",
        "next": f"/ui/cases/{case_id}"}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/cases/{case_id}?work_done=assigned#work-case-{case_id}"
    mine = analyst.get("/ui/worklist", headers=HTML).text
    assert 'data-testid="work-row" data-overdue="yes"' in mine and "WLC-W-1 · Valves to X" in mine
    assert 'data-testid="work-overdue-count">1<' in mine
    assert 'data-testid="tile-my-work"' in analyst.get("/", headers=HTML).text
    response = analyst.post(f"/ui/worklist/case/{case_id}/comments", data={
        "csrf_token": analyst_csrf, "body": "On it", "classification": "CONFIDENTIAL", "releasability": "USA",
        "next": f"/ui/cases/{case_id}"}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    page = approver.get(f"/ui/cases/{case_id}", headers=HTML).text
    parent = re.search(r'name="parent_id" value="(\d+)"', page).group(1)
    approver.post(f"/ui/worklist/case/{case_id}/comments", data={
        "csrf_token": csrf, "body": "Thanks", "parent_id": parent, "next": f"/ui/cases/{case_id}"})  # fmt: skip
    page = analyst.get(f"/ui/cases/{case_id}", headers=HTML).text
    assert re.search(r'data-depth="0">.*On it.*data-depth="1">.*Thanks', page, re.S)
    assert 'data-testid="work-overdue"' in page and "(C)" in page


def test_a_refused_form_is_drawn_again_with_its_error_and_what_was_typed(session):
    case_id = _case(session)
    approver, csrf, _ = _login(session, "approver1", "approver")
    form = {"csrf_token": csrf, "body": "too secret", "classification": "SECRET", "next": "https://evil.example/"}
    response = approver.post(f"/ui/worklist/case/{case_id}/comments", data=form)
    assert response.status_code == 422
    assert "cannot be SECRET" in response.text and "too secret</textarea>" in response.text
    response = approver.post(f"/ui/worklist/case/{case_id}/assign", data={"csrf_token": csrf, "assignee": "ghost"})
    assert response.status_code == 422 and "no active user" in response.text


def test_hidden_records_are_not_found_and_other_roles_are_refused(session):
    secret = _case(session, "SECRET", "USA")
    low, low_csrf, _ = _login(session, "analyst2", "analyst", clearance="CONFIDENTIAL")
    assert low.get(f"/ui/worklist/case/{secret}", headers=HTML).status_code == 404
    assert low.post(f"/ui/worklist/case/{secret}/assign", data={"csrf_token": low_csrf, "assignee": "analyst2"}
                    ).status_code == 404  # fmt: skip
    assert low.get(f"/ui/cases/{secret}", headers=HTML).status_code == 404
    shared = _case(session, "UNCLASSIFIED", "CHN,USA", "WLC-W-2")
    partner, partner_csrf, _ = _login(session, "partner1", "partner_officer", organization="CHN")
    assert 'data-testid="work-assign"' not in partner.get(f"/ui/worklist/case/{shared}", headers=HTML).text
    response = partner.post(f"/ui/worklist/case/{shared}/comments", data={"csrf_token": partner_csrf, "body": "x"})
    assert response.status_code == 403


def test_the_api_and_the_cli_do_the_same(session, monkeypatch):
    case_id = _case(session)
    _, _, approver = _login(session, "approver1", "approver")
    _, _, analyst = _login(session, "analyst1", "analyst")
    _, _, partner = _login(session, "partner1", "partner_officer", organization="CHN")
    api = TestClient(app)
    response = api.post(f"/worklist/case/{case_id}/assign", json={"assignee": "analyst1", "due_on": "2026-01-01"},
                        headers=approver)  # fmt: skip
    assert response.status_code == 200 and response.json()["overdue"] is True
    assert (
        api.post(f"/worklist/case/{case_id}/assign", json={"assignee": "analyst1"}, headers=partner).status_code == 403
    )
    assert (
        api.post(f"/worklist/case/{case_id}/assign", json={"assignee": "nobody"}, headers=approver).status_code == 422
    )
    assert api.get("/worklist/case/999999/comments", headers=approver).status_code == 404
    assert api.get(f"/worklist/dossier/{case_id}/comments", headers=approver).status_code == 404
    first = api.post(f"/worklist/case/{case_id}/comments", json={"body": "first"}, headers=analyst)
    assert first.status_code == 201 and first.json()["releasability"] == "CHN,USA"
    api.post(f"/worklist/case/{case_id}/comments", json={"body": "reply", "parent_id": first.json()["id"]},
             headers=approver)  # fmt: skip
    listed = api.get(f"/worklist/case/{case_id}/comments", headers=analyst).json()
    assert [(c["body"], c["depth"]) for c in listed] == [("first", 0), ("reply", 1)]
    mine = api.get("/worklist/mine", headers=analyst).json()
    assert (mine["total"], mine["overdue"], mine["results"][0]["record_id"]) == (1, 1, case_id)
    assert api.get("/worklist/mine").status_code == 401
    runner = CliRunner()
    monkeypatch.setenv("GOODPATH_ACTOR", "operator")
    result = runner.invoke(cli, ["work", "assign", "case", str(case_id), "--to", "approver1", "--due", "2999-01-01"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["work", "comment", "case", str(case_id), "from the CLI", "--reply-to",
                                 str(first.json()["id"])])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["work", "mine", "--user", "approver1", "--json"])
    assert result.exit_code == 0 and f'"record_id": {case_id}' in result.output
    result = runner.invoke(cli, ["work", "show", "case", str(case_id)])
    assert "from the CLI" in result.output and "assigned to approver1" in result.output
    result = runner.invoke(cli, ["work", "assign", "case", "999999", "--to", "approver1"])
    assert result.exit_code == 1 and "no case" in result.output


def test_an_alert_is_assigned_from_its_page_and_linked_from_my_work(session):
    lists.apply_parsed(session, parsed([entity("1", "ALPHA MISSILE TRADING")]), dataset="work-pages-test")
    monitoring.watch(session, OPERATOR, "Alpha Missile Trading")
    monitoring.rescreen_all(session, "tester")
    [alert] = monitoring.list_alerts(session, OPERATOR)["results"]
    session.commit()
    analyst, csrf, _ = _login(session, "analyst1", "analyst")
    page = analyst.get(f"/ui/alerts/{alert['id']}", headers=HTML).text
    assert 'data-testid="work-panel"' in page and f'id="work-alert-{alert["id"]}"' in page
    form = {"csrf_token": csrf, "assignee": "analyst1", "next": f"/ui/alerts/{alert['id']}"}
    response = analyst.post(f"/ui/worklist/alert/{alert['id']}/assign", data=form, follow_redirects=True)
    assert response.status_code == 200 and 'data-testid="work-assignee">analyst1<' in response.text
    assert f'href="/ui/alerts/{alert["id"]}"' in analyst.get("/ui/worklist", headers=HTML).text


def test_the_panel_is_on_the_pledge_page_and_on_each_pending_proposal(session):
    pledge = Pledge(made_on=date(2026, 1, 1), pledged_by="MFA", pledged_to="USG", text="Export controls law",
                    status="open", created_by="t", classification="UNCLASSIFIED", releasability="USA",
                    originator="USA")  # fmt: skip
    session.add(pledge)
    session.add(Party(id="pwork", key="workco", schema="Company", caption="Work Trading Co", countries=["cn"],
                      birth_dates=[], classification="UNCLASSIFIED", releasability="ALL"))  # fmt: skip
    session.flush()
    session.add(PathwayState(party_id="pwork", stage="continued_sanctions", since=date(2020, 1, 1),
                             classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.commit()
    approver, csrf, _ = _login(session, "approver1", "approver")
    assert f'id="work-pledge-{pledge.id}"' in approver.get(f"/ui/pledges/{pledge.id}", headers=HTML).text
    proposed = approver.post("/ui/pathway/workco/propose", follow_redirects=False, data={
        "csrf_token": csrf, "target": "stage|public_stigma", "rationale": "It chose not to engage."})  # fmt: skip
    assert proposed.status_code == 303
    proposal_id = session.query(PathwayProposal.id).filter_by(party_id="pwork").scalar()
    page = approver.get("/ui/pathway/workco", headers=HTML).text
    assert f'id="work-proposal-{proposal_id}"' in page
    response = approver.post(f"/ui/worklist/proposal/{proposal_id}/comments", follow_redirects=False, data={
        "csrf_token": csrf, "body": "Evidence attached?", "next": "/ui/pathway/workco"})  # fmt: skip
    assert response.headers["location"] == f"/ui/pathway/workco?work_done=commented#work-proposal-{proposal_id}"
    assert "Evidence attached?" in approver.get("/ui/pathway/workco", headers=HTML).text


def test_an_assignment_is_ended_from_the_page_the_api_and_the_cli(session, monkeypatch):
    case_id = _case(session)
    approver, csrf, approver_headers = _login(session, "approver1", "approver")
    _, _, partner = _login(session, "partner1", "partner_officer", organization="CHN")
    api = TestClient(app)
    api.post(f"/worklist/case/{case_id}/assign", json={"assignee": "approver1"}, headers=approver_headers)
    page = approver.get(f"/ui/cases/{case_id}", headers=HTML).text
    assert 'data-testid="work-unassign"' in page
    response = approver.post(f"/ui/worklist/case/{case_id}/unassign", data={
        "csrf_token": csrf, "next": f"/ui/cases/{case_id}"}, follow_redirects=False)  # fmt: skip
    assert response.headers["location"] == f"/ui/cases/{case_id}?work_done=unassigned#work-case-{case_id}"
    page = approver.get(response.headers["location"], headers=HTML).text
    assert 'data-testid="work-unassigned"' in page and "nobody is assigned" in page
    again = approver.post(f"/ui/worklist/case/{case_id}/unassign", data={"csrf_token": csrf})
    assert again.status_code == 422 and "not assigned to anyone" in again.text
    assert api.get("/worklist/mine", headers=approver_headers).json()["total"] == 0
    api.post(f"/worklist/case/{case_id}/assign", json={"assignee": "approver1"}, headers=approver_headers)
    assert api.delete(f"/worklist/case/{case_id}/assign", headers=partner).status_code == 403
    assert api.delete(f"/worklist/case/{case_id}/assign", headers=approver_headers).json()["unassigned"] == "approver1"
    assert api.delete(f"/worklist/case/{case_id}/assign", headers=approver_headers).status_code == 422
    monkeypatch.setenv("GOODPATH_ACTOR", "operator")
    runner = CliRunner()
    runner.invoke(cli, ["work", "assign", "case", str(case_id), "--to", "approver1"])
    result = runner.invoke(cli, ["work", "unassign", "case", str(case_id)])
    assert result.exit_code == 0 and "no longer assigned to approver1" in result.output
    session.expire_all()
    actors = [e.actor for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "work.unassigned"))]
    assert actors == ["approver1", "approver1", "operator"]
