"""Security events are audited and logged (logger ``goodpath.security``), and survive the failing request.

A failed login answers 401 and a denied call 403: the request's own transaction is rolled
back, so the attempt and its audit entry must be written apart — read back here through a
session of their own. Never a password in the audit log or the log.
"""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.access import auth, security_events
from goodpath.access.models import LoginAttempt
from goodpath.core import audit_log as audit
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from tests.access.test_auth import PASSWORD, add_user, bearer, login, probe_app

WRONG = "a wrong password, typed with care"
CLIENT = ("10.1.2.3", 40000)


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="goodpath.security")
    return caplog


def stored(db: str, action: str | None = None) -> list[AuditEntry]:
    """The audit entries as another connection sees them: only what was committed."""
    with new_session(db) as fresh:
        query = select(AuditEntry).order_by(AuditEntry.seq)
        return list(fresh.scalars(query.where(AuditEntry.action == action) if action else query))


def details(entry: AuditEntry) -> dict:
    return json.loads(entry.after)


def events(caplog, action: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "goodpath.security" and r.getMessage().startswith(action + " ")]


def test_a_failed_login_is_kept_though_its_request_fails(db, session, security_log):
    add_user(session)
    client = TestClient(probe_app(), client=CLIENT)
    assert login(client, password=WRONG).status_code == 401
    assert login(client, username="mallory", password=WRONG).status_code == 401
    failed = stored(db, "auth.login_failed")
    assert [(e.actor, e.target_id, details(e)) for e in failed] == [
        ("public", "alice", {"username": "alice", "client": "10.1.2.3", "reason": "wrong password"}),
        ("public", "mallory", {"username": "mallory", "client": "10.1.2.3", "reason": "unknown user"}),
    ]
    with new_session(db) as fresh:
        assert [(a.username, a.client, a.success) for a in fresh.scalars(select(LoginAttempt))] == [
            ("alice", "10.1.2.3", False), ("mallory", "10.1.2.3", False),
        ]  # fmt: skip
    lines = events(security_log, "auth.login_failed")
    assert len(lines) == 2 and all(r.levelno == logging.WARNING for r in lines)
    assert "username='alice'" in lines[0].getMessage() and "client='10.1.2.3'" in lines[0].getMessage()
    assert audit.verify(session).ok
    everything = security_log.text + " ".join(e.after or "" for e in stored(db))
    assert WRONG not in everything and PASSWORD not in everything


def test_throttled_logins_are_kept_and_audited_once_a_minute(db, session, security_log):
    add_user(session)
    client = TestClient(probe_app(), client=CLIENT)
    answers = [login(client, password=WRONG).status_code for _ in range(6)]
    assert answers == [401, 401, 401, 429, 429, 429]
    throttled = stored(db, "auth.login_throttled")
    assert len(throttled) == 1  # three refusals within the minute: one audit entry ...
    assert details(throttled[0])["client"] == "10.1.2.3" and details(throttled[0])["retry_after"] > 0
    assert len(events(security_log, "auth.login_throttled")) == 3  # ... and every one logged
    with new_session(db) as fresh:
        assert sum(a.throttled for a in fresh.scalars(select(LoginAttempt))) == 3


def test_the_login_page_answers_429_with_retry_after_and_audits(db, session):
    from goodpath.api import app

    add_user(session)
    browser = TestClient(app, client=CLIENT)
    form = {"username": "alice", "password": WRONG}
    assert [browser.post("/login", data=form).status_code for _ in range(3)] == [422, 422, 422]
    throttled = browser.post("/login", data={"username": "alice", "password": PASSWORD})
    assert throttled.status_code == 429 and 0 < int(throttled.headers["Retry-After"]) <= 2
    assert "Too many failed logins" in throttled.text
    assert len(stored(db, "auth.login_failed")) == 3 and len(stored(db, "auth.login_throttled")) == 1


def test_access_denials_are_audited_apart_and_not_flooded(db, session, security_log):
    add_user(session)
    client = TestClient(probe_app(), client=CLIENT)
    csrf = login(client).json()["csrf_token"]
    for _ in range(3):
        refused = client.post("/probe/admin", headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 403
    denied = stored(db, "access.denied")
    assert [(e.actor, e.target_type, e.target_id) for e in denied] == [("alice", "permission", "users.manage")]
    assert details(denied[0]) == {"role": "analyst", "method": "POST", "path": "/probe/admin", "client": "10.1.2.3"}
    assert len(events(security_log, "access.denied")) == 3


def test_a_wrong_csrf_token_is_audited(db, session):
    add_user(session)
    client = TestClient(probe_app(), client=CLIENT)
    login(client)
    assert client.post("/probe", headers={"X-CSRF-Token": "forged"}).status_code == 403
    refused = stored(db, "access.csrf_refused")
    assert [(e.actor, e.target_id, details(e)["path"]) for e in refused] == [("alice", "csrf", "/probe")]


def test_anonymous_calls_to_protected_routes_are_logged_not_audited(db, session, security_log):
    client = TestClient(probe_app(), client=CLIENT)
    assert client.post("/probe/admin").status_code == 401
    assert len(events(security_log, "access.login_required")) == 1
    assert stored(db) == []


def test_token_and_user_changes_are_audited_and_logged(db, session, security_log):
    user = add_user(session)
    client = TestClient(probe_app(), client=CLIENT)
    csrf = login(client).json()["csrf_token"]
    token = client.post("/auth/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": csrf}).json()
    assert client.delete(f"/auth/tokens/{token['id']}", headers=bearer(token["token"])).status_code == 200
    auth.disable_user(session, user.username, actor="admin")
    session.commit()
    actions = [(e.actor, e.action, e.target_id) for e in stored(db)]
    assert actions == [
        ("tester", "users.create", "alice"),
        ("alice", "tokens.create", str(token["id"])),
        ("alice", "tokens.revoke", str(token["id"])),
        ("admin", "users.disable", "alice"),
    ]
    for action in ("users.create", "tokens.create", "tokens.revoke", "users.disable", "auth.login"):
        assert len(events(security_log, action)) == 1, action
    assert token["token"] not in security_log.text


def test_an_event_is_written_apart_even_when_the_request_already_writes(db, session):
    """SQLite has one writer: a request that has flushed a write (a session's last use) must not
    leave the event's own transaction waiting for it."""
    user = add_user(session)
    user.display_name = "Alice, renamed in this request"
    session.flush()  # the request's session now writes
    with security_events.apart(session) as own:
        security_events.audited(own, actor="alice", action="access.denied", target_type="permission",
                                target_id="users.manage", path="/probe/admin")  # fmt: skip
    assert [e.action for e in stored(db, "access.denied")] == ["access.denied"]


def test_refusals_outside_the_permission_dependency_are_audited_too(db, session):
    """A web page refusing an action (a partner officer posting a cable), and an analyst deciding
    a pathway proposal (the approver's permission), are audited as every refusal is."""
    from goodpath.api import app

    add_user(session, "li", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    add_user(session, "bob", role="analyst")
    partner = TestClient(app, client=CLIENT)
    csrf = login(partner, "li").json()["csrf_token"]
    page = partner.post("/ui/cables", data={"csrf_token": csrf}, files={"files": ("c.txt", b"x")},
                        headers={"accept": "text/html"})  # fmt: skip
    assert page.status_code == 403
    analyst = TestClient(app, client=CLIENT)
    csrf = login(analyst, "bob").json()["csrf_token"]
    decided = analyst.post("/pathway/proposals/1/approve", headers={"X-CSRF-Token": csrf})
    assert decided.status_code == 403
    denied = [(e.actor, e.target_id) for e in stored(db, "access.denied")]
    assert denied == [("li", "/ui/cables"), ("bob", "pathway.decide")]
