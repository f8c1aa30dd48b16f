"""Authorization matrix: the consultation, pledge and cooperation-project routes (see
test_authorization_matrix.py). One record of each kind per probe marking; a pledge about the
probe companies carries that company's party id (so its officer reads it), consultations and
projects carry none (no company reads them, whatever their releasability)."""

from __future__ import annotations

import os

from goodpath.core.db import new_session
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import consultations, pledges, projects
from tests.access.matrix_support import LOGGED_IN, PROBES, VISIBLE, World
from tests.factories import OPERATOR

CAN_MANAGE = {"analyst", "analyst_conf", "approver"}
MARKING_KEYS = ("classification", "releasability", "originator", "published")


def _status(user: str, ok: int) -> int:
    return ok if user in CAN_MANAGE else 401 if user == "public" else 403


def _read_status(user: str, visible: bool) -> int:
    return 401 if user == "public" else 200 if visible else 404


def _sees(user: str, probe: str, *, company_tied: bool) -> bool:
    if not company_tied and user == "company" and probe == "own_company":
        return False  # releasable to the company's organization, but not about the company
    return probe in VISIBLE[user]


RECORD_TYPES = {"consultation": "consultation", "consultation_round": "consultation_round", "pledge": "pledge",
                "cooperation_project": "project"}  # fmt: skip


def _remark(session, record, probe: str) -> None:
    """Give ``record`` (and its history) the probe's marking."""
    classification, releasability, originator, published, _ = PROBES[probe]
    marking = dict(zip(MARKING_KEYS, (classification, releasability, originator, published), strict=True))
    events = session.query(StatusEvent).filter_by(record_type=RECORD_TYPES[record.__tablename__], record_id=record.id)
    for target in (record, *events):
        for key, value in marking.items():
            setattr(target, key, value)


def _records(w: World) -> dict:
    """Per probe marking: a consultation with a planned round, a pledge, a project (made once per world)."""
    if hasattr(w, "consultation_records"):
        return w.consultation_records
    session = new_session(os.environ["GOODPATH_DATABASE_URL"])
    made: dict[str, dict[str, int]] = {"track": {}, "round": {}, "pledge": {}, "project": {}}
    try:
        for probe in PROBES:
            track = consultations.create(session, OPERATOR, title=f"track {probe}", level="working_level",
                                         counterpart="CHN", cadence_months=6, occurred_on="2007-01-01")  # fmt: skip
            planned = consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2007-03-01")
            company = PROBES[probe][4]
            pledge = pledges.create(session, OPERATOR, pledged_by="MFA", pledged_to="USG", text=f"pledge {probe}",
                                    made_on="2007-01-01", due_on="2007-02-01",
                                    party_id=w.party_ids[probe] if company else None)  # fmt: skip
            project = projects.create(session, OPERATOR, title=f"project {probe}", kind="training")
            for record in (track, planned, pledge, project):
                _remark(session, record, probe)
            made["track"][probe], made["round"][probe] = track.id, planned.id
            made["pledge"][probe], made["project"][probe] = pledge.id, project.id
        session.commit()
    finally:
        session.close()
    w.consultation_records = made
    return made


def _own(w: World, kind: str, user: str) -> int:
    """A fresh record of the analyst's for ``user`` to change (releasable to USA and CHN)."""
    if kind == "track":
        body = {"title": f"track of {user}", "level": "other", "counterpart": "CHN", "occurred_on": "2007-01-01"}
        response = w.call("analyst", "POST", "/consultations", json=body)
    elif kind == "round":
        track = _own(w, "track", user)
        response = w.call("analyst", "POST", f"/consultations/{track}/rounds", json={"scheduled_on": "2007-02-01"})
    elif kind == "pledge":
        body = {"pledged_by": "USG", "pledged_to": "MFA", "text": f"pledge of {user}", "made_on": "2007-01-01"}
        response = w.call("analyst", "POST", "/pledges", json=body)
    else:
        response = w.call("analyst", "POST", "/projects", json={"title": f"project of {user}", "kind": "exbs"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _check_list(w: World, user: str, url: str, kind: str, *, company_tied: bool = False, key: str = "results"):
    made = _records(w)[kind]
    response = w.call(user, "GET", url)
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user == "public":
        return
    body = response.json()
    rows = body[key]
    seen = {probe for probe, record_id in made.items() if record_id in {r["id"] for r in rows}}
    assert seen == {p for p in PROBES if _sees(user, p, company_tied=company_tied)}, (user, url)
    if key == "results":
        assert body["total"] == len(rows)
        export = w.call(user, "GET", url, params={"format": "csv"})
        assert export.status_code == 200 and export.text.count("\n") == len(rows) + 1, user


def _check_detail(w: World, user: str, url: str, kind: str, *, company_tied: bool = False) -> None:
    for probe, record_id in _records(w)[kind].items():
        response = w.call(user, "GET", url.format(id=record_id))
        expected = _read_status(user, _sees(user, probe, company_tied=company_tied))
        assert response.status_code == expected, (user, probe, response.text)
        if expected == 404:  # indistinguishable from a record that never existed
            absent = w.call(user, "GET", url.format(id=999999)).json()["detail"]
            assert response.json()["detail"].replace(str(record_id), "X") == absent.replace("999999", "X")


def _check_write_on_probes(w: World, user: str, method_url: str, kind: str, body: dict) -> None:
    """Writers: the probe records they cannot read answer 404 and stay as they were."""
    if user not in CAN_MANAGE:
        return
    for probe, record_id in _records(w)[kind].items():
        if probe in VISIBLE[user]:
            continue
        response = w.call(user, "POST", method_url.format(id=record_id), json=body)
        assert response.status_code == 404, (user, probe, response.text)


# --- consultations -------------------------------------------------------------------------------


def check_list_consultations(w: World, user: str) -> None:
    _check_list(w, user, "/consultations", "track")


def check_consultation_metrics(w: World, user: str) -> None:
    _check_list(w, user, "/consultations/metrics", "track", key="tracks")


def check_show_consultation(w: World, user: str) -> None:
    _check_detail(w, user, "/consultations/{id}", "track")


def check_create_consultation(w: World, user: str) -> None:
    body = {"title": f"by {user}", "level": "working_level", "counterpart": "CHN"}
    response = w.call(user, "POST", "/consultations", json=body)
    assert response.status_code == _status(user, 201), (user, response.text)
    if user in CAN_MANAGE:
        assert w.call(user, "POST", "/consultations", json=body | {"level": "x"}).status_code == 422
        secret = w.call(user, "POST", "/consultations", json=body | {"classification": "SECRET"})
        assert secret.status_code == (201 if user != "analyst_conf" else 422), (user, secret.text)


def check_consultation_status(w: World, user: str) -> None:
    track = _own(w, "track", user) if user in LOGGED_IN else 1
    body = {"status": "suspended", "cause": "matrix"}
    response = w.call(user, "POST", f"/consultations/{track}/status", json=body)
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in CAN_MANAGE:
        again = w.call(user, "POST", f"/consultations/{track}/status", json=body)
        assert again.status_code == 409, again.text
    _check_write_on_probes(w, user, "/consultations/{id}/status", "track", body)


def check_plan_round(w: World, user: str) -> None:
    track = _own(w, "track", user) if user in LOGGED_IN else 1
    response = w.call(user, "POST", f"/consultations/{track}/rounds", json={"scheduled_on": "2007-06-01"})
    assert response.status_code == _status(user, 201), (user, response.text)
    _check_write_on_probes(w, user, "/consultations/{id}/rounds", "track", {"scheduled_on": "2007-06-01"})


def check_record_round(w: World, user: str) -> None:
    planned = _own(w, "round", user) if user in LOGGED_IN else 1
    url = f"/consultations/rounds/{planned}/record"
    response = w.call(user, "POST", url, json={"outcome": "met"})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in CAN_MANAGE:
        assert w.call(user, "POST", url, json={}).status_code == 409  # already held
    _check_write_on_probes(w, user, "/consultations/rounds/{id}/record", "round", {"held": False})


# --- pledges -----------------------------------------------------------------------------------


def check_list_pledges(w: World, user: str) -> None:
    _check_list(w, user, "/pledges", "pledge", company_tied=True)


def check_show_pledge(w: World, user: str) -> None:
    _check_detail(w, user, "/pledges/{id}", "pledge", company_tied=True)


def check_create_pledge(w: World, user: str) -> None:
    body = {"pledged_by": "USG", "pledged_to": "MFA", "text": f"by {user}"}
    response = w.call(user, "POST", "/pledges", json=body)
    assert response.status_code == _status(user, 201), (user, response.text)
    if user in CAN_MANAGE:  # a company the writer may not see is one that does not exist
        for probe, party_id in w.party_ids.items():
            about = w.call(user, "POST", "/pledges", json=body | {"party_id": party_id})
            assert about.status_code == (201 if probe in VISIBLE[user] else 404), (user, probe, about.text)


def check_pledge_evidence(w: World, user: str) -> None:
    pledge = _own(w, "pledge", user) if user in LOGGED_IN else 1
    response = w.call(user, "POST", f"/pledges/{pledge}/evidence", json={"text": "seen"})
    assert response.status_code == _status(user, 200), (user, response.text)
    _check_write_on_probes(w, user, "/pledges/{id}/evidence", "pledge", {"text": "seen"})


def check_pledge_status(w: World, user: str) -> None:
    pledge = _own(w, "pledge", user) if user in LOGGED_IN else 1
    url = f"/pledges/{pledge}/status"
    if user in CAN_MANAGE:
        assert w.call(user, "POST", url, json={"status": "fulfilled"}).status_code == 409  # no evidence yet
    response = w.call(user, "POST", url, json={"status": "withdrawn"})
    assert response.status_code == _status(user, 200), (user, response.text)
    _check_write_on_probes(w, user, "/pledges/{id}/status", "pledge", {"status": "withdrawn"})


# --- projects ----------------------------------------------------------------------------------


def check_list_projects(w: World, user: str) -> None:
    _check_list(w, user, "/projects", "project")


def check_show_project(w: World, user: str) -> None:
    _check_detail(w, user, "/projects/{id}", "project")


def check_create_project(w: World, user: str) -> None:
    response = w.call(user, "POST", "/projects", json={"title": f"by {user}", "kind": "exchange"})
    assert response.status_code == _status(user, 201), (user, response.text)
    if user in CAN_MANAGE:
        assert w.call(user, "POST", "/projects", json={"title": "x", "kind": "party"}).status_code == 422


def check_project_status(w: World, user: str) -> None:
    project = _own(w, "project", user) if user in LOGGED_IN else 1
    url = f"/projects/{project}/status"
    response = w.call(user, "POST", url, json={"status": "agreed"})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in CAN_MANAGE:
        assert w.call(user, "POST", url, json={"status": "completed"}).status_code == 409
    _check_write_on_probes(w, user, "/projects/{id}/status", "project", {"status": "cancelled"})


CHECKS = {
    ("GET", "/consultations"): check_list_consultations,
    ("POST", "/consultations"): check_create_consultation,
    ("GET", "/consultations/metrics"): check_consultation_metrics,
    ("GET", "/consultations/{consultation_id}"): check_show_consultation,
    ("POST", "/consultations/{consultation_id}/status"): check_consultation_status,
    ("POST", "/consultations/{consultation_id}/rounds"): check_plan_round,
    ("POST", "/consultations/rounds/{round_id}/record"): check_record_round,
    ("GET", "/pledges"): check_list_pledges,
    ("POST", "/pledges"): check_create_pledge,
    ("GET", "/pledges/{pledge_id}"): check_show_pledge,
    ("POST", "/pledges/{pledge_id}/evidence"): check_pledge_evidence,
    ("POST", "/pledges/{pledge_id}/status"): check_pledge_status,
    ("GET", "/projects"): check_list_projects,
    ("POST", "/projects"): check_create_project,
    ("GET", "/projects/{project_id}"): check_show_project,
    ("POST", "/projects/{project_id}/status"): check_project_status,
}
