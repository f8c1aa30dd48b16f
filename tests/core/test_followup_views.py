"""The follow-up work over the API: administrators list it (a failed one with its error and next try)
and retry failed ones, which then run right after the request; everyone else is refused (403), the
public asked to log in (401), and a refused call changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.api import app
from goodpath.core import followup_runner, followups
from goodpath.core.audit_log import AuditEntry
from goodpath.core.followup_runner import Reaction
from goodpath.core.followups import DONE, FAILED, PENDING, Followup
from goodpath.registry.models import Party
from tests.factories import bearer_headers

CALLS: list[dict] = []


def _flaky(failures: int) -> Reaction:
    """A reaction failing ``failures`` times for each payload, then working."""
    left: dict[int, int] = {}

    def run(_session, payload, _actor):
        left.setdefault(payload["n"], failures)
        if left[payload["n"]]:
            left[payload["n"]] -= 1
            raise RuntimeError("the scan broke on p-secret")
        CALLS.append(payload)
        return {"scanned": payload["n"]}

    return Reaction("scan", run)


@pytest.fixture
def failed(session, monkeypatch) -> list[int]:
    """Two failed reactions (one attempt allowed), their events done; each works at its third run."""
    CALLS.clear()
    monkeypatch.setenv("GOODPATH_FOLLOWUP_ATTEMPTS", "1")
    monkeypatch.setitem(followup_runner._installed, "reactions", {"thing_happened": (_flaky(2),)})
    for n in (1, 2):
        followups.record(session, "thing_happened", {"n": n}, actor="tester")
    session.commit()
    outcomes = followup_runner.run_due()
    ids = [o["id"] for o in outcomes if o["reaction"] == "scan"]
    assert [o["status"] for o in outcomes if o["reaction"] == "scan"] == [FAILED, FAILED] and CALLS == []
    return ids


def _status(session, followup_id: int) -> str:
    session.expire_all()
    return session.get(Followup, followup_id).status


def test_an_administrator_sees_a_failed_followup_with_its_error(session, failed):
    client, admin = TestClient(app), bearer_headers(session, username="admin1", role="admin")
    body = client.get("/followups", headers=admin).json()
    assert body["total"] == 2 and [f["id"] for f in body["results"]] == failed
    first = body["results"][0]
    assert (first["kind"], first["reaction"], first["status"], first["attempts"]) == ("thing_happened", "scan",
                                                                                       FAILED, 1)  # fmt: skip
    assert first["last_error"] == "RuntimeError: the scan broke on p-secret"
    assert first["payload"] == {"n": 1} and first["run_after"] and first["caused_by"] == "tester"
    everything = client.get("/followups", headers=admin, params={"include_done": "true"}).json()
    assert [f["status"] for f in everything["results"]] == [DONE, DONE, FAILED, FAILED]  # the events are done
    only = client.get("/followups", headers=admin, params={"status": "done", "limit": 1}).json()
    assert only["total"] == 2 and len(only["results"]) == 1 and only["results"][0]["reaction"] is None
    assert client.get("/followups", headers=admin, params={"status": "lost"}).status_code == 422
    assert client.get("/followups", headers=admin, params={"limit": 0}).status_code == 422


def test_a_retried_followup_is_pending_then_runs(session, failed):
    client, admin = TestClient(app), bearer_headers(session, username="admin1", role="admin")
    retried = client.post(f"/followups/{failed[0]}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == (PENDING, 0)
    # it ran right after the request's commit: failed once more (the reaction fails twice), not given up
    assert _status(session, failed[0]) == FAILED and CALLS == []
    assert client.post(f"/followups/{failed[0]}/retry", headers=admin).status_code == 200
    assert _status(session, failed[0]) == DONE and CALLS == [{"n": 1}]
    [shown] = [f for f in client.get("/followups", headers=admin, params={"include_done": "true"}).json()["results"]
               if f["id"] == failed[0]]  # fmt: skip
    assert (shown["status"], shown["result"], shown["last_error"]) == (DONE, {"scanned": 1}, None)
    # only a failed one is retried; an unknown one is not found
    refused = client.post(f"/followups/{failed[0]}/retry", headers=admin)
    assert refused.status_code == 409 and "only a failed one" in refused.json()["detail"]
    assert client.post("/followups/999999/retry", headers=admin).status_code == 404
    assert client.post("/followups/0/retry", headers=admin).status_code == 422
    audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "followup.retry")).all()
    assert [(e.actor, e.target_id) for e in audited] == [("admin1", str(failed[0]))] * 2
    assert all("p-secret" not in (e.before or "") + (e.after or "") for e in audited)  # no error, no payload


def test_retry_all_failed(session, failed):
    client, admin = TestClient(app), bearer_headers(session, username="admin1", role="admin")
    first = client.post("/followups/retry", headers=admin).json()
    assert first["total"] == 2 and [f["id"] for f in first["results"]] == failed
    assert all(f["status"] == PENDING for f in first["results"])
    assert [_status(session, i) for i in failed] == [FAILED, FAILED]  # each failed once more
    client.post("/followups/retry", headers=admin)
    assert [_status(session, i) for i in failed] == [DONE, DONE] and sorted(c["n"] for c in CALLS) == [1, 2]
    assert client.post("/followups/retry", headers=admin).json() == {"results": [], "total": 0}


def test_everyone_else_is_refused_and_nothing_changes(session, failed):
    marks = {"classification": "UNCLASSIFIED", "releasability": "ALL", "originator": "USA"}
    session.add(Party(id="pcompany000000001", schema="Company", caption="Test Company", countries=["cn"],
                      birth_dates=[], **marks))  # fmt: skip
    session.commit()
    partner = {"clearance": "CONFIDENTIAL", "organization": "CHN"}
    officer = {"clearance": "UNCLASSIFIED", "organization": "TESTCO", "company": "pcompany000000001"}
    users = {
        "analyst1": bearer_headers(session, username="analyst1", role="analyst"),
        "approver1": bearer_headers(session, username="approver1", role="approver"),
        "auditor1": bearer_headers(session, username="auditor1", role="auditor"),
        "partner1": bearer_headers(session, username="partner1", role="partner_officer", **partner),
        "officer1": bearer_headers(session, username="officer1", role="company_officer", **officer),
    }
    client = TestClient(app)
    for user, headers in users.items():
        for method, url in (("GET", "/followups"), ("POST", f"/followups/{failed[0]}/retry"),
                            ("POST", "/followups/retry"), ("POST", "/followups/999999/retry")):  # fmt: skip
            response = client.request(method, url, headers=headers)
            assert response.status_code == 403, (user, method, url, response.text)
            assert response.json() == {"detail": "you do not have permission to manage follow-up work (administrators)"}
            assert "p-secret" not in response.text
    for method, url in (("GET", "/followups"), ("POST", "/followups/retry")):
        assert client.request(method, url).status_code == 401
    assert [_status(session, i) for i in failed] == [FAILED, FAILED] and CALLS == []
    denied = session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "access.denied")).all()
    assert set(denied) == set(users)


def test_the_spec_declares_the_routes_and_their_errors():
    spec = app.openapi()["paths"]
    assert set(spec["/followups"]) == {"get"} and {"403", "422"} <= set(spec["/followups"]["get"]["responses"])
    assert {"403", "404", "409"} <= set(spec["/followups/{followup_id}/retry"]["post"]["responses"])
    assert "post" in spec["/followups/retry"]
