"""The cable, audit, screening and engagement pages without a browser: who may do what."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from goodpath.api import app
from goodpath.registry.models import Party
from goodpath.web.audit_pages import _changes
from tests.factories import bearer_headers

HTML = {"Accept": "text/html,application/xhtml+xml"}
CABLE = b"not a cable at all"


def _logged_in(session, username: str, role: str, **user) -> tuple[TestClient, str]:
    bearer_headers(session, username=username, role=role, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    page = client.get("/ui/cables", headers=HTML).text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_company_officer_cannot_read_the_audit_log(session):
    marks = {"classification": "UNCLASSIFIED", "releasability": "ALL", "originator": "USA"}
    session.add(Party(id="pcompany000000001", schema="Company", caption="Test Company", countries=["cn"],
                      birth_dates=[], **marks))  # fmt: skip
    session.commit()
    client, token = _logged_in(session, "officer", "company_officer", clearance="UNCLASSIFIED",
                               organization="TESTCO", company="pcompany000000001")  # fmt: skip
    response = client.get("/ui/audit", headers=HTML)
    assert response.status_code == 403 and "Not allowed" in response.text and "audit-entry" not in response.text
    assert client.post("/ui/audit/verify", data={"csrf_token": token}).status_code == 403
    assert "/ui/audit" not in client.get("/", headers=HTML).text  # not in the menu either


def test_an_auditor_reads_the_log_and_verifies_the_chain(session):
    client, token = _logged_in(session, "auditor1", "auditor")
    page = client.get("/ui/audit", headers=HTML)
    assert page.status_code == 200 and 'data-testid="audit-entry"' in page.text
    verified = client.post("/ui/audit/verify", data={"csrf_token": token})
    assert verified.status_code == 200 and "The chain is intact" in verified.text
    assert client.post("/ui/audit/verify", data={}).status_code == 403  # no CSRF token


def test_the_public_cannot_upload_cables_nor_read_them(session):
    client = TestClient(app)
    upload = client.post("/ui/cables", files=[("files", ("x.txt", CABLE))], follow_redirects=False)
    assert upload.status_code == 303 and upload.headers["location"].startswith("/login")
    listing = client.get("/ui/cables", headers=HTML, follow_redirects=False)
    assert listing.status_code == 303 and listing.headers["location"] == "/login?next=/ui/cables"


def test_an_upload_needs_the_csrf_token_and_the_right_role(session):
    client, token = _logged_in(session, "partner1", "partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    assert (
        client.post("/ui/cables", data={"csrf_token": "wrong"}, files=[("files", ("x.txt", CABLE))]).status_code == 403
    )
    refused = client.post("/ui/cables", data={"csrf_token": token}, files=[("files", ("x.txt", CABLE))])
    assert refused.status_code == 403 and "Your role does not allow this." in refused.text


def test_an_analyst_upload_reports_each_file(session):
    client, token = _logged_in(session, "analyst9", "analyst")
    response = client.post("/ui/cables", data={"csrf_token": token}, files=[("files", ("x.txt", CABLE))])
    assert response.status_code == 200
    assert "rec-outcome-refused" in response.text and "x.txt" in response.text
    assert client.get("/ui/cables/07NOSUCH1", headers=HTML).status_code == 404


def test_engagement_pages_draw_for_an_analyst_without_raw_json(session):
    client, _ = _logged_in(session, "analyst8", "analyst")
    for path in ("/ui/pledges", "/ui/consultations", "/ui/enforcement", "/ui/projects", "/ui/icp",
                 "/ui/screening/batch"):  # fmt: skip
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert '"classification":' not in response.text, path  # no raw JSON of a record


def test_audit_changes_are_readable_lines():
    rows = _changes({"status": "open", "text": "x"}, {"status": "fulfilled", "text": "x", "evidence": [{"on": "2007"}]})
    assert rows == [
        {"key": "evidence", "old": "—", "new": "on: 2007"},
        {"key": "status", "old": "open", "new": "fulfilled"},
    ]
