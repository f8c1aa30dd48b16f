"""Batch screening needs the screening.batch permission (analysts and approvers): the web page hides
its upload form from everyone else and refuses their upload; their own jobs stay theirs to read.
(The API's ``POST /screen/batch`` is in the authorization matrix.)"""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from goodpath.access.policy import PERMISSIONS, Permission, Role
from goodpath.api import app
from tests.factories import bearer_headers

HTML = {"Accept": "text/html"}


def test_only_analysts_and_approvers_hold_the_batch_permission():
    holders = {role for role, permissions in PERMISSIONS.items() if Permission.SCREEN_BATCH in permissions}
    assert holders == {Role.ANALYST, Role.APPROVER}


def _login(session, username: str, role: str) -> TestClient:
    bearer_headers(session, username=username, role=role)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


@pytest.mark.parametrize("role, allowed", [("analyst", True), ("approver", True), ("auditor", False),
                                           ("partner_officer", False), ("admin", False)])  # fmt: skip
def test_the_batch_page_offers_and_accepts_an_upload_only_with_the_permission(session, role, allowed, tmp_path,
                                                                               monkeypatch):  # fmt: skip
    monkeypatch.setenv("GOODPATH_JOBS_DIR", str(tmp_path))
    monkeypatch.setenv("GOODPATH_BATCH_WORKERS", "1")
    client = _login(session, f"batch-{role}", role)
    page = client.get("/ui/screening/batch", headers=HTML)
    assert page.status_code == 200 and ('data-testid="batch-upload"' in page.text) == allowed
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # the header's logout form
    upload = client.post("/ui/screening/batch", data={"csrf_token": token}, headers=HTML, follow_redirects=False,
                         files={"file": ("names.csv", b"id,name\n1,Acme\n", "text/csv")})  # fmt: skip
    assert upload.status_code == (303 if allowed else 403), upload.text
    assert any(tmp_path.iterdir()) == allowed  # nothing written for a refused upload
    deadline = time.monotonic() + 60
    while any(job["status"] in ("queued", "running") for job in client.get("/screen/batch").json()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert len(client.get("/screen/batch").json()) == (1 if allowed else 0)  # one's own jobs, as before
