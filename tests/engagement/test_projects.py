"""Cooperation projects: proposed → agreed → active → completed; suspension needs a cause and
resumes to the state it came from; final states accept nothing; refused steps change nothing."""

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
from goodpath.engagement import projects
from goodpath.engagement.models import CooperationProject
from tests.factories import OPERATOR, bearer_headers

PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")
TRAINING = "Training on identification of WMD-related commodities"


def _project(session, **kwargs) -> CooperationProject:
    args = {"title": TRAINING, "kind": "training", "proposed_by": "USG", "occurred_on": "2007-03-20",
            "participants": [{"name": "MOFCOM", "role": "trainees"}, "EXBS"]} | kwargs  # fmt: skip
    project = projects.create(session, OPERATOR, **args)
    session.commit()
    return project


def _state(session, project_id: int) -> tuple:
    p = session.get(CooperationProject, project_id)
    return (
        p.status, p.status_on, p.status_cause, p.start_on, p.end_on,
        session.scalar(select(func.count()).select_from(StatusEvent)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )  # fmt: skip


def test_a_project_is_proposed_with_participants_and_its_history(session):
    project = _project(session, source="07BEIJING1900 ¶8", share_with=["CHN"])
    assert (project.status, project.status_on, project.releasability) == ("proposed", date(2007, 3, 20), "CHN,USA")
    assert project.participants == [{"name": "MOFCOM", "organization": None, "role": "trainees"},
                                    {"name": "EXBS", "organization": None, "role": None}]  # fmt: skip
    detail = projects.detail(session, PARTNER, project.id)
    assert detail["history"] == [{"from": None, "to": "proposed", "on": "2007-03-20", "by": "test-operator",
                                  "note": "proposed by USG", "source": "07BEIJING1900 ¶8"}]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "seminar"}, "kind must be one of"),
        ({"title": ""}, "title is required"),
        ({"start_on": "2007-05-01", "end_on": "2007-04-01"}, "end_on 2007-04-01 is before start_on"),
        ({"participants": [{"role": "x"}]}, r"participants\[0\].name is required"),
    ],
)
def test_bad_input_names_the_problem_and_creates_nothing(session, kwargs, message):
    with pytest.raises(GoodpathError, match=message):
        _project(session, **kwargs)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CooperationProject)) == 0


def test_the_full_path_sets_start_and_end_dates(session):
    project = _project(session)
    projects.advance(session, OPERATOR, project.id, "agreed", occurred_on="2007-05-01")
    projects.advance(session, OPERATOR, project.id, "active", occurred_on="2007-06-01")
    projects.advance(session, OPERATOR, project.id, "completed", occurred_on="2007-06-05")
    session.commit()
    assert (project.status, project.start_on, project.end_on) == ("completed", date(2007, 6, 1), date(2007, 6, 5))
    history = projects.detail(session, OPERATOR, project.id)["history"]
    assert [h["to"] for h in history] == ["proposed", "agreed", "active", "completed"]
    before = _state(session, project.id)
    with pytest.raises(Refused, match="none: it is final"):
        projects.suspend(session, OPERATOR, project.id, cause="x")
    session.rollback()
    assert _state(session, project.id) == before


def test_skipping_a_step_is_refused_and_changes_nothing(session):
    project = _project(session)
    before = _state(session, project.id)
    with pytest.raises(Refused, match="cannot go from proposed to active"):
        projects.advance(session, OPERATOR, project.id, "active")
    with pytest.raises(Refused, match="cannot go from proposed to completed"):
        projects.advance(session, OPERATOR, project.id, "completed")
    with pytest.raises(Refused, match="before the project's last step"):
        projects.advance(session, OPERATOR, project.id, "agreed", occurred_on="2007-01-01")
    session.rollback()
    assert _state(session, project.id) == before


def test_suspension_needs_a_cause_and_resumes_to_the_prior_state(session):
    project = _project(session)
    projects.advance(session, OPERATOR, project.id, "agreed", occurred_on="2007-05-01")
    session.commit()
    before = _state(session, project.id)
    with pytest.raises(GoodpathError, match="cause"):
        projects.suspend(session, OPERATOR, project.id, cause=" ")
    session.rollback()
    assert _state(session, project.id) == before
    projects.suspend(session, OPERATOR, project.id, cause="consultations suspended", occurred_on="2007-06-01")
    session.commit()
    assert (project.status, project.status_cause) == ("suspended", "consultations suspended")
    before = _state(session, project.id)
    with pytest.raises(Refused, match="it resumes to agreed, not active"):
        projects.advance(session, OPERATOR, project.id, "active")
    session.rollback()
    assert _state(session, project.id) == before
    projects.resume(session, OPERATOR, project.id, occurred_on="2007-07-01")
    session.commit()
    assert (project.status, project.status_cause) == ("agreed", None)
    with pytest.raises(Refused, match="not suspended"):
        projects.resume(session, OPERATOR, project.id)


def test_a_suspended_project_can_be_cancelled(session):
    project = _project(session)
    projects.suspend(session, OPERATOR, project.id, cause="funding", occurred_on="2007-04-01")
    projects.advance(session, OPERATOR, project.id, "cancelled", cause="no funding", occurred_on="2007-05-01")
    session.commit()
    assert (project.status, project.status_cause) == ("cancelled", "no funding")


def test_projects_are_read_through_their_marking(session):
    project = _project(session)  # USA only
    with pytest.raises(NotFound):
        projects.get(session, PARTNER, project.id)
    assert projects.list_projects(session, PARTNER) == []
    assert [p["id"] for p in projects.list_projects(session, OPERATOR, kind="training")] == [project.id]
    with pytest.raises(Refused, match="permission"):
        projects.advance(session, PARTNER, project.id, "agreed")


STEPS = st.lists(
    st.sampled_from(["agreed", "active", "completed", "cancelled", "proposed", "suspend", "resume"]), max_size=8
)
NEXT = {"proposed": "agreed", "agreed": "active", "active": "completed"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(STEPS)
def test_any_sequence_of_steps_follows_the_workflow(session, steps):
    project = _project(session)
    status, prior = "proposed", None  # the model the service must agree with
    for step in steps:
        try:
            if step == "suspend":
                projects.suspend(session, OPERATOR, project.id, cause="why")
            elif step == "resume":
                projects.resume(session, OPERATOR, project.id)
            else:
                projects.advance(session, OPERATOR, project.id, step)
            session.commit()
            ok = True
        except GoodpathError:
            session.rollback()
            ok = False
        if step == "suspend":
            expected = status in NEXT
            new = "suspended"
        elif step == "resume":
            expected, new = status == "suspended", prior
        elif step == "cancelled":
            expected, new = status not in ("completed", "cancelled"), "cancelled"
        elif status == "suspended":
            expected, new = step == prior, step
        else:
            expected, new = NEXT.get(status) == step, step
        assert ok == expected, (steps, step, status)
        if ok:
            prior = status if new == "suspended" else prior
            status = new
        assert session.get(CooperationProject, project.id).status == status


def test_api_and_cli_projects(session, tmp_path):
    analyst = bearer_headers(session)
    partner = bearer_headers(session, "partner1", "partner_officer", "CONFIDENTIAL", "CHN")
    client = TestClient(api)
    made = client.post("/projects", headers=analyst, json={"title": TRAINING, "kind": "training",
                                                           "share_with": ["CHN"]})  # fmt: skip
    assert made.status_code == 201, made.text
    project_id = made.json()["id"]
    assert client.post("/projects", headers=partner, json={"title": "x", "kind": "exbs"}).status_code == 403
    skipped = client.post(f"/projects/{project_id}/status", headers=analyst, json={"status": "completed"})
    assert skipped.status_code == 409 and "cannot go from proposed to completed" in skipped.json()["detail"]
    uncaused = client.post(f"/projects/{project_id}/status", headers=analyst, json={"status": "suspended"})
    assert uncaused.status_code == 422 and "cause" in uncaused.json()["detail"]
    client.post(f"/projects/{project_id}/status", headers=analyst, json={"status": "suspended", "cause": "why"})
    resumed = client.post(f"/projects/{project_id}/status", headers=analyst, json={"status": "resume"})
    assert resumed.status_code == 200 and resumed.json()["status"] == "proposed"
    assert client.get(f"/projects/{project_id}", headers=partner).json()["title"] == TRAINING
    csv = client.get("/projects", headers=partner, params={"format": "csv"})
    assert csv.status_code == 200 and TRAINING in csv.text

    runner = CliRunner()
    added = runner.invoke(cli, ["projects", "add", "--title", "EXBS exchange", "--kind", "exbs",
                                "--participant", "Jane Doe:EXBS:trainer", "--json"])  # fmt: skip
    assert added.exit_code == 0, added.output
    new_id = json.loads(added.output)["id"]
    refused = runner.invoke(cli, ["projects", "advance", str(new_id), "active"])
    assert refused.exit_code == 1 and "cannot go from proposed to active" in refused.output
    assert runner.invoke(cli, ["projects", "advance", str(new_id), "agreed"]).exit_code == 0
    assert runner.invoke(cli, ["projects", "suspend", str(new_id), "--cause", "on hold"]).exit_code == 0
    resumed = runner.invoke(cli, ["projects", "resume", str(new_id), "--json"])
    assert json.loads(resumed.output)["status"] == "agreed"
    listed = runner.invoke(cli, ["projects", "list", "--kind", "exbs", "--json"])
    assert [p["participants"][0]["organization"] for p in json.loads(listed.output)] == ["EXBS"]
    target = tmp_path / "projects.xlsx"
    assert runner.invoke(cli, ["projects", "list", "--export", str(target)]).exit_code == 0
    assert target.read_bytes()[:2] == b"PK"
