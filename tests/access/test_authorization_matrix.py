"""Authorization matrix: every API route x every role x every marking of the records behind it.

The routes come from the OpenAPI spec itself: a route without expectations here fails the
test, so a new route cannot escape it. Expectations are written out as a plain table (the
spec, in matrix_support.py), not computed with the policy under test. The engagement routes'
checkers are in matrix_engagement_*.py.
"""

from __future__ import annotations

import io
import re
import tempfile
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from goodpath.access.models import User
from goodpath.api import app
from goodpath.lists import service as lists
from tests.access import (
    matrix_alerts,
    matrix_cables,
    matrix_engagement_cases,
    matrix_engagement_companies,
    matrix_engagement_consultations,
    matrix_evidence,
    matrix_followups,
    matrix_identity,
    matrix_pathway,
    matrix_pathway_eligibility,
    matrix_register,
    matrix_reports,
    matrix_sanction_records,
    matrix_screening_review,
    matrix_users,
    matrix_work,
)
from tests.access.matrix_support import (
    CAN_BATCH,
    CAN_IMPORT,
    CAN_READ_AUDIT,
    CAN_REVIEW_SCREENING,
    CAN_VERIFY_AUDIT,
    PROBES,
    READS_USA_REVIEW,
    USERS,
    VISIBLE,
    World,
    search_token,
)

# --- one checker per route: route -> function(world, user) doing the calls and assertions ----


def check_health(w: World, user: str) -> None:
    assert w.call(user, "GET", "/health").status_code == 200


def check_healthz(w: World, user: str) -> None:
    assert w.call(user, "GET", "/healthz").status_code == 200


def check_readyz(w: World, user: str) -> None:
    response = w.call(user, "GET", "/readyz")  # anyone: what is not ready, never a record
    assert response.status_code in (200, 503) and set(response.json()) == {"ready", "checks"}, response.text


def check_metrics(w: World, user: str) -> None:
    response = w.call(user, "GET", "/metrics")  # the test client is not this machine's loopback address
    assert response.status_code == (200 if user == "admin" else 401 if user == "public" else 403), user


def check_party_detail(w: World, user: str) -> None:
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "GET", f"/parties/{party_id}")
        expected = 200 if probe in VISIBLE[user] else 404
        assert response.status_code == expected, (user, probe, response.text)
        if expected == 404:  # indistinguishable from a party that never existed
            absent = w.call(user, "GET", "/parties/p-never-was").json()["detail"]
            assert response.json()["detail"].replace(party_id, "X") == absent.replace("p-never-was", "X")
        else:
            names = {n["value"] for n in response.json()["names"]}
            assert "zzsecretalias" not in names or user in {"analyst", "approver", "auditor", "admin"}


def check_party_list(w: World, user: str) -> None:
    body = w.call(user, "GET", "/parties", params={"limit": 200}).json()
    probes = {r["id"].removeprefix("p-") for r in body["results"] if r["id"].startswith("p-")}
    assert probes == VISIBLE[user]
    assert body["total"] == len(body["results"])  # no hidden record counted
    for probe in PROBES:
        found = w.call(user, "GET", "/parties", params={"q": search_token(probe)}).json()
        assert found["total"] == (1 if probe in VISIBLE[user] else 0), (user, probe)
    secret = w.call(user, "GET", "/parties", params={"q": "zzsecretalias"}).json()
    assert secret["total"] == (1 if user in {"analyst", "approver", "auditor", "admin"} else 0), user


def check_sanctions(w: World, user: str) -> None:
    body = w.call(user, "GET", "/sanctions", params={"limit": 500}).json()
    programs = {s["program"].removeprefix("prog-") for s in body["results"] if s["program"].startswith("prog-")}
    assert programs == VISIBLE[user]
    for probe, party_id in w.party_ids.items():
        one = w.call(user, "GET", "/sanctions", params={"party_id": party_id}).json()
        assert one["total"] == (1 if probe in VISIBLE[user] else 0)


def check_authorities(w: World, user: str) -> None:
    listed = w.call(user, "GET", "/authorities").json()
    assert any(a["code"] == "INKSNA" for a in listed)  # the law is published


def check_authority(w: World, user: str) -> None:
    assert w.call(user, "GET", "/authorities/INKSNA").status_code == 200
    assert w.call(user, "GET", "/authorities/NOPE").status_code == 404


def check_lists(w: World, user: str) -> None:
    datasets = {d["dataset"] for d in w.call(user, "GET", "/lists").json()}
    assert datasets == (set() if user == "public" else {"probe-list"})


def check_list_versions(w: World, user: str) -> None:
    response = w.call(user, "GET", "/lists/probe-list/versions")
    assert response.status_code == (404 if user == "public" else 200)


def check_list_version(w: World, user: str) -> None:
    response = w.call(user, "GET", "/lists/probe-list/versions/1")
    assert response.status_code == (404 if user == "public" else 200)


def check_list_import(w: World, user: str) -> None:
    upload = {
        "files": (
            "sample.ftm.json",
            io.BytesIO(b'{"id": "x1", "schema": "Person", "properties": {"name": ["Probe Person"]}}\n'),
        )
    }
    response = w.call(user, "POST", "/lists/imports", params={"dataset": f"upload-{user}"}, files=upload)
    expected = 202 if user in CAN_IMPORT else 401 if user == "public" else 403  # 202: the import job started
    assert response.status_code == expected, (user, response.text)


def check_list_imports(w: World, user: str) -> None:
    response = w.call(user, "GET", "/lists/imports")
    assert response.status_code == (200 if user in CAN_IMPORT else 401 if user == "public" else 403), user


def check_get_import(w: World, user: str) -> None:
    """An import job is shared by everyone who may import lists (the analyst started this one)."""
    upload = {
        "files": ("probe.ftm.json", io.BytesIO(b'{"id": "x2", "schema": "Person", "properties": {"name": ["P"]}}\n'))
    }
    started = w.call("analyst", "POST", "/lists/imports", params={"dataset": f"probe-job-{user}"}, files=upload)
    assert started.status_code == 202, started.text
    response = w.call(user, "GET", f"/lists/imports/{started.json()['id']}")
    assert response.status_code == (200 if user in CAN_IMPORT else 401 if user == "public" else 403), user
    if user in CAN_IMPORT:
        assert response.json()["created_by"] == "analyst"
        assert w.call(user, "GET", f"/lists/imports/{'0' * 32}").status_code == 404


def check_audit_verify(w: World, user: str) -> None:
    response = w.call(user, "GET", "/audit/verify")
    expected = 200 if user in CAN_VERIFY_AUDIT else 401 if user == "public" else 403
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["ok"] is True  # over every entry, the SECRET one included


def check_audit_entries(w: World, user: str) -> None:
    response = w.call(user, "GET", "/audit/entries", params={"limit": 500})
    expected = 200 if user in CAN_READ_AUDIT else 401 if user == "public" else 403
    assert response.status_code == expected
    if expected == 200:
        secret = [e for e in response.json()["results"] if e["classification"] == "SECRET"]
        assert secret and all(e["redacted"] == (user == "auditor_conf") for e in secret)
        assert "payload" not in response.text or user != "auditor_conf"


def check_me(w: World, user: str) -> None:
    me = w.call(user, "GET", "/auth/me").json()
    assert me["role"] == ("public" if user == "public" else USERS[user][0])


def check_login(w: World, user: str) -> None:
    if user == "public":
        return  # logging in is the subject of tests/access/test_auth.py
    response = w.client.post("/auth/login", json={"username": user, "password": f"password-of-{user}"})
    assert response.status_code == 200
    w.client.cookies.clear()


def check_logout(w: World, user: str) -> None:
    # Harmless for anyone: it ends the caller's own browser session, if there is one.
    assert w.call(user, "POST", "/auth/logout").status_code == 200


def check_create_token(w: World, user: str) -> None:
    response = w.call(user, "POST", "/auth/tokens", json={"name": "extra", "days": 1})
    # A token cannot mint tokens (a leaked one would renew itself): only a login session can.
    assert response.status_code == (401 if user == "public" else 403)


def check_revoke_token(w: World, user: str) -> None:
    if user == "public":
        assert w.call(user, "DELETE", f"/auth/tokens/{w.token_ids['analyst']}").status_code == 401
        return
    someone_else = next(name for name in w.token_ids if name != user)
    response = w.call(user, "DELETE", f"/auth/tokens/{w.token_ids[someone_else]}")
    assert response.status_code == (200 if user == "admin" else 404), (user, response.text)


def check_screen(w: World, user: str) -> None:
    response = w.call(user, "POST", "/screen", json={"name": "Listed Trading Company"})
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":  # list data: every logged-in user may screen against it
        assert [h["caption"] for h in response.json()["hits"]] == ["LISTED TRADING CO"]


def _writer_status(user: str, ok: int) -> int:
    return ok if user in CAN_REVIEW_SCREENING else 401 if user == "public" else 403


def _review_records(w: World) -> dict:
    """A disposition, a watched name (the company officer's own company) and its alert, made once
    per world by the USA analyst."""
    if not hasattr(w, "review"):
        entry_id = lists.entry_id_for("probe-list", "1")
        disposition = w.call("analyst", "POST", "/screen/dispositions", json={
            "name": "Listed Trading Company", "entry_id": entry_id, "verdict": "true_match", "reason": "matrix",
        })  # fmt: skip
        subject = w.call("analyst", "POST", "/screen/subjects", json={
            "name": "Listed Trading Co", "party_id": w.party_ids["own_company"], "source": "matrix",
        })  # fmt: skip
        rescreen = w.call("analyst", "POST", "/screen/rescreen")
        assert {disposition.status_code, subject.status_code, rescreen.status_code} <= {200, 201}, rescreen.text
        w.review = {"disposition": disposition.json()["id"], "subject": subject.json()["id"],
                    "alert": rescreen.json()["alert_ids"][0]}  # fmt: skip
    return w.review


def check_add_disposition(w: World, user: str) -> None:
    body = {"name": f"Listed Trading {user}", "entry_id": lists.entry_id_for("probe-list", "1"),
            "verdict": "false_positive", "reason": f"matrix {user}"}  # fmt: skip
    response = w.call(user, "POST", "/screen/dispositions", json=body)
    assert response.status_code == _writer_status(user, 201), (user, response.text)
    unknown = w.call(user, "POST", "/screen/dispositions", json=body | {"entry_id": "e-never-was"})
    assert unknown.status_code == _writer_status(user, 404), (user, unknown.text)


def check_list_dispositions(w: World, user: str) -> None:
    made = _review_records(w)["disposition"]
    response = w.call(user, "GET", "/screen/dispositions")
    assert response.status_code == (401 if user == "public" else 200)
    if user != "public":
        assert (made in {d["id"] for d in response.json()}) == (user in READS_USA_REVIEW), user


def check_add_subject(w: World, user: str) -> None:
    response = w.call(user, "POST", "/screen/subjects", json={"name": f"Watched by {user}"})
    assert response.status_code == _writer_status(user, 201), (user, response.text)
    if user in CAN_REVIEW_SCREENING:  # a party the user may not see is one that does not exist
        for probe, party_id in w.party_ids.items():
            own = w.call(user, "POST", "/screen/subjects", json={"name": f"probe {probe}", "party_id": party_id})
            assert own.status_code == (201 if probe in VISIBLE[user] else 404), (user, probe, own.text)


def check_list_subjects(w: World, user: str) -> None:
    made = _review_records(w)["subject"]
    response = w.call(user, "GET", "/screen/subjects")
    assert response.status_code == (401 if user == "public" else 200)
    if user != "public":
        ids = {s["id"] for s in response.json()["results"]}
        # Not even the company officer whose company it is: subjects are the analysts' records.
        assert (made in ids) == (user in READS_USA_REVIEW), user
        assert response.json()["total"] == len(ids)


def check_rescreen(w: World, user: str) -> None:
    response = w.call(user, "POST", "/screen/rescreen")
    assert response.status_code == _writer_status(user, 200), (user, response.text)


def check_list_alerts(w: World, user: str) -> None:
    made = _review_records(w)["alert"]
    response = w.call(user, "GET", "/screen/alerts", params={"status": "all"})
    assert response.status_code == (401 if user == "public" else 200)
    escalated = w.call(user, "GET", "/screen/alerts", params={"status": "escalated"})
    assert escalated.status_code == (401 if user == "public" else 200), (user, escalated.text)
    if user != "public":
        ids = {a["id"] for a in response.json()["results"]}
        assert (made in ids) == (user in READS_USA_REVIEW), user
        assert response.json()["total"] == len(ids)


def check_acknowledge_alert(w: World, user: str) -> None:
    # An alert of its own for each user: a watched name under a source label of the user's.
    source = f"matrix-{user.replace('_', '-')}"
    subject = w.call("analyst", "POST", "/screen/subjects", json={"name": "Listed Trading Co", "source": source})
    w.call("analyst", "POST", "/screen/rescreen")
    alerts = w.call("analyst", "GET", "/screen/alerts", params={"subject_id": subject.json()["id"]}).json()
    alert_id = alerts["results"][0]["id"]
    url = f"/screen/alerts/{alert_id}/acknowledge"
    response = w.call(user, "POST", url, json={"note": "seen"})
    assert response.status_code == _writer_status(user, 200), (user, response.text)
    if user in CAN_REVIEW_SCREENING:
        assert w.call(user, "POST", url).status_code == 409  # already acknowledged
        assert w.call(user, "POST", "/screen/alerts/999999/acknowledge").status_code == 404


# --- batch screening jobs: screening.batch starts one; a job is its starter's alone (404 to anyone else) ---

BATCH_CSV = b"id,name\n1,Listed Trading Company\n2,\n"


@contextmanager
def _batch_jobs_folder():
    """Job files in a temporary folder (jobs run in-process, one worker, and finish inside it)."""
    with tempfile.TemporaryDirectory(prefix="goodpath-jobs-") as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOODPATH_JOBS_DIR", folder)
        patch.setenv("GOODPATH_BATCH_WORKERS", "1")
        yield


def _start_batch(w: World, user: str):
    upload = {"file": ("names.csv", io.BytesIO(BATCH_CSV), "text/csv")}
    return w.call(user, "POST", "/screen/batch", files=upload)


def _finished_batch(w: World, user: str) -> str:
    """The id of a finished batch job that ``user`` started."""
    started = _start_batch(w, user)
    assert started.status_code == 202, (user, started.text)
    job_id, deadline = started.json()["id"], time.monotonic() + 60
    while (status := w.call(user, "GET", f"/screen/batch/{job_id}").json()["status"]) in ("queued", "running"):
        assert time.monotonic() < deadline, (user, status)
        time.sleep(0.05)
    assert status == "done", (user, status)
    return job_id


def _someone_else(user: str) -> str:
    return "approver" if user != "approver" else "analyst"


def check_start_batch(w: World, user: str) -> None:
    with _batch_jobs_folder():
        if user not in CAN_BATCH:
            response = _start_batch(w, user)
            assert response.status_code == (401 if user == "public" else 403), (user, response.text)
            if user != "public":  # no job was written
                assert w.call(user, "GET", "/screen/batch").json() == [], user
            return
        job_id = _finished_batch(w, user)
        result = w.call(user, "GET", f"/screen/batch/{job_id}/result")
        assert "LISTED TRADING CO" in result.text and "zzprobe" not in result.text, (user, result.text)


def check_list_batches(w: World, user: str) -> None:
    with _batch_jobs_folder():
        if user == "public":
            assert w.call(user, "GET", "/screen/batch").status_code == 401
            return
        other = _finished_batch(w, _someone_else(user))
        own = {_finished_batch(w, user)} if user in CAN_BATCH else set()
        ids = {job["id"] for job in w.call(user, "GET", "/screen/batch").json()}
        assert own <= ids and other not in ids, user


def _check_batch_route(w: World, user: str, suffix: str) -> None:
    with _batch_jobs_folder():
        other = _finished_batch(w, _someone_else(user))
        response = w.call(user, "GET", f"/screen/batch/{other}{suffix}")
        assert response.status_code == (401 if user == "public" else 404), (user, response.text)
        if user != "public":
            never = w.call(user, "GET", f"/screen/batch/{'0' * 32}{suffix}")
            assert response.json()["detail"].replace(other, "X") == never.json()["detail"].replace("0" * 32, "X")
            if user in CAN_BATCH:
                own = w.call(user, "GET", f"/screen/batch/{_finished_batch(w, user)}{suffix}")
                assert own.status_code == 200, (user, own.text)


def check_get_batch(w: World, user: str) -> None:
    _check_batch_route(w, user, "")


def check_batch_result(w: World, user: str) -> None:
    _check_batch_route(w, user, "/result")


def check_batch_rejects(w: World, user: str) -> None:
    _check_batch_route(w, user, "/rejects")


CHECKS = {
    ("GET", "/health"): check_health,
    ("GET", "/healthz"): check_healthz,
    ("GET", "/readyz"): check_readyz,
    ("GET", "/metrics"): check_metrics,
    ("GET", "/parties"): check_party_list,
    ("GET", "/parties/{party_id}"): check_party_detail,
    ("GET", "/sanctions"): check_sanctions,
    ("GET", "/authorities"): check_authorities,
    ("GET", "/authorities/{code}"): check_authority,
    ("GET", "/lists"): check_lists,
    ("GET", "/lists/{dataset}/versions"): check_list_versions,
    ("GET", "/lists/{dataset}/versions/{version}"): check_list_version,
    ("POST", "/lists/imports"): check_list_import,
    ("GET", "/lists/imports"): check_list_imports,
    ("GET", "/lists/imports/{job_id}"): check_get_import,
    ("GET", "/audit/verify"): check_audit_verify,
    ("GET", "/audit/entries"): check_audit_entries,
    ("GET", "/auth/me"): check_me,
    ("POST", "/auth/login"): check_login,
    ("POST", "/auth/logout"): check_logout,
    ("POST", "/auth/tokens"): check_create_token,
    ("DELETE", "/auth/tokens/{token_id}"): check_revoke_token,
    ("POST", "/screen"): check_screen,
    ("POST", "/screen/batch"): check_start_batch,
    ("GET", "/screen/batch"): check_list_batches,
    ("GET", "/screen/batch/{job_id}"): check_get_batch,
    ("GET", "/screen/batch/{job_id}/result"): check_batch_result,
    ("GET", "/screen/batch/{job_id}/rejects"): check_batch_rejects,
    ("POST", "/screen/dispositions"): check_add_disposition,
    ("GET", "/screen/dispositions"): check_list_dispositions,
    ("POST", "/screen/subjects"): check_add_subject,
    ("GET", "/screen/subjects"): check_list_subjects,
    ("POST", "/screen/rescreen"): check_rescreen,
    ("GET", "/screen/alerts"): check_list_alerts,
    ("POST", "/screen/alerts/{alert_id}/acknowledge"): check_acknowledge_alert,
}


for part in (
    matrix_alerts,
    matrix_engagement_consultations,
    matrix_engagement_cases,
    matrix_engagement_companies,
    matrix_cables,
    matrix_evidence,
    matrix_followups,
    matrix_identity,
    matrix_pathway,
    matrix_pathway_eligibility,
    matrix_register,
    matrix_reports,
    matrix_sanction_records,
    matrix_screening_review,
    matrix_users,
    matrix_work,
):
    assert not set(part.CHECKS) & set(CHECKS), part.__name__
    CHECKS.update(part.CHECKS)


def spec_routes() -> set[tuple[str, str]]:
    spec = app.openapi()
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}


def test_every_route_in_the_spec_has_expectations():
    missing = spec_routes() - set(CHECKS)
    assert not missing, f"routes without authorization expectations: {sorted(missing)}"
    assert not set(CHECKS) - spec_routes(), "expectations for routes that no longer exist"


ORDER = ["public", "company", "partner", "analyst_conf", "auditor_conf", "auditor", "approver", "analyst", "admin"]


@pytest.mark.parametrize("route", sorted(CHECKS, key=lambda r: (r[1], r[0])), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_for_every_role(world, route):
    # Revoking and logging out change the world: run them last for each user.
    for user in ORDER:
        CHECKS[route](world, user)


def test_no_error_message_names_a_hidden_record(world):
    for user in ORDER:
        for probe, party_id in world.party_ids.items():
            if probe in VISIBLE[user]:
                continue
            text = world.call(user, "GET", f"/parties/{party_id}").text
            assert f"probe {probe}" not in text and "zz" not in text
            assert not re.search(r"classif|releas|clearance|forbidden", text, re.I)


def test_users_table_holds_every_role(session, world):
    roles = set(session.scalars(select(User.role)))
    assert roles == {spec[0] for spec in USERS.values() if spec}
