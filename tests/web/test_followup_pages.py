"""The administrator's follow-up page without a browser: the admin's home links it with the failed count;
it shows a failed follow-up with its error, and its Retry button (a form with the CSRF token) makes it
pending, after which it runs; everyone else is refused; English and Chinese."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from goodpath import consequences
from goodpath.api import app
from goodpath.core import followup_runner, followups
from goodpath.core.followup_runner import Reaction
from goodpath.core.followups import DONE, FAILED, Followup
from goodpath.web import followup_pages
from tests.factories import bearer_headers

HTML = {"Accept": "text/html,application/xhtml+xml"}
RAN: list[dict] = []


def _logged_in(session, username: str, role: str) -> tuple[TestClient, str]:
    bearer_headers(session, username=username, role=role)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    home = client.get("/", headers=HTML).text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)


@pytest.fixture
def failed(session, monkeypatch) -> int:
    """A failed breach scan (one attempt allowed) whose second run works."""
    RAN.clear()
    left = {"n": 1}

    def scan(_session, payload, _actor):
        if left["n"]:
            left["n"] -= 1
            raise RuntimeError("the scan broke")
        RAN.append(payload)
        return {"companies": 1}

    monkeypatch.setenv("GOODPATH_FOLLOWUP_ATTEMPTS", "1")
    table = {"case_closed": (Reaction("breach_scan_of_case_parties", scan),)}
    monkeypatch.setitem(followup_runner._installed, "reactions", table)
    followups.record(session, "case_closed", {"case_id": 7, "outcome": "sanctioned"}, actor="analyst1")
    session.commit()
    [_, outcome] = followup_runner.run_due()
    assert outcome["status"] == FAILED
    return outcome["id"]


def test_the_admin_home_links_the_page_and_it_shows_the_failed_one(session, failed):
    client, _ = _logged_in(session, "admin1", "admin")
    home = client.get("/", headers=HTML).text
    assert 'href="/ui/followups"' in home and 'data-testid="home-followups-failed">1<' in home
    page = client.get("/ui/followups", headers=HTML)
    assert page.status_code == 200
    [row] = re.findall(r'<tr data-testid="followup-row" data-status="failed">.*?</tr>', page.text, re.S)
    assert "Breach scan of the case's parties" in row and "breach_scan_of_case_parties" in row
    assert "A case was closed" in row and "case_id=7 outcome=sanctioned" in row
    assert "RuntimeError: the scan broke" in row and 'data-testid="retry"' in row
    assert "tried again after 5 seconds" in page.text and "1 time in all" in page.text
    done = client.get("/ui/followups?view=done", headers=HTML).text
    assert 'data-status="done"' in done and 'data-status="failed"' not in done


def test_retry_needs_the_csrf_token_then_runs_the_followup(session, failed):
    client, token = _logged_in(session, "admin1", "admin")
    assert client.post(f"/ui/followups/{failed}/retry", data={}).status_code == 403
    assert session.get(Followup, failed).status == FAILED and RAN == []
    retried = client.post(f"/ui/followups/{failed}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert retried.status_code == 303 and retried.headers["location"] == f"/ui/followups?retried={failed}"
    session.expire_all()
    assert session.get(Followup, failed).status == DONE and RAN == [{"case_id": 7, "outcome": "sanctioned"}]
    page = client.get(retried.headers["location"], headers=HTML).text
    assert f"Follow-up {failed} was retried and is done." in page and 'data-status="failed"' not in page
    again = client.post(f"/ui/followups/{failed}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert again.headers["location"] == "/ui/followups?error=not_failed"
    assert "no longer failed" in client.get(again.headers["location"], headers=HTML).text
    assert client.post("/ui/followups/999999/retry", data={"csrf_token": token}).status_code == 404
    everything = client.post("/ui/followups/retry", data={"csrf_token": token}, follow_redirects=False)
    assert everything.headers["location"] == "/ui/followups?count=0"
    assert "No follow-up had failed." in client.get(everything.headers["location"], headers=HTML).text


def test_retry_every_failed_one(session, failed):
    client, token = _logged_in(session, "admin1", "admin")
    assert 'data-testid="retry-all"' in client.get("/ui/followups", headers=HTML).text
    response = client.post("/ui/followups/retry", data={"csrf_token": token})
    assert response.status_code == 200 and "1 failed follow-up was retried" in response.text
    session.expire_all()
    assert session.get(Followup, failed).status == DONE


@pytest.mark.parametrize("role", ["analyst", "auditor", "approver", "partner_officer"])
def test_others_are_refused_and_not_shown_the_link(session, failed, role):
    client, token = _logged_in(session, f"{role}1", role)
    assert "/ui/followups" not in client.get("/", headers=HTML).text
    page = client.get("/ui/followups", headers=HTML)
    assert page.status_code == 403 and "the scan broke" not in page.text
    for url in (f"/ui/followups/{failed}/retry", "/ui/followups/retry"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert session.get(Followup, failed).status == FAILED


def test_the_public_is_asked_to_log_in(session):
    response = TestClient(app).get("/ui/followups", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/ui/followups"


def test_the_page_in_chinese(session, failed):
    client, _ = _logged_in(session, "admin1", "admin")
    client.cookies.set("goodpath_lang", "zh_Hans")
    page = client.get("/ui/followups", headers=HTML).text
    assert "后续工作" in page and "对案件当事方进行违约扫描" in page and "重试" in page
    assert "打开后续工作" in client.get("/", headers=HTML).text


def test_every_declared_event_and_reaction_has_a_name():
    for kind, reactions in consequences.REACTIONS.items():
        assert kind in followup_pages.KINDS, kind
        for reaction in reactions:
            assert reaction.name in followup_pages.REACTIONS, reaction.name


def test_an_undeclared_kind_shows_its_code_escaped(session, monkeypatch):
    monkeypatch.setenv("GOODPATH_FOLLOWUP_ATTEMPTS", "1")
    monkeypatch.setitem(followup_runner._installed, "reactions", {})
    followups.record(session, "<i>odd_thing</i>", {"note": "<b>x</b>"}, actor="tester")
    session.commit()
    followup_runner.run_due()
    client, _ = _logged_in(session, "admin1", "admin")
    page = client.get("/ui/followups", headers=HTML).text
    assert "&lt;i&gt;odd thing&lt;/i&gt;" in page and "<i>" not in page and "<b>" not in page
    assert "no reactions to &#39;&lt;i&gt;odd_thing&lt;/i&gt;&#39; are declared" in page
