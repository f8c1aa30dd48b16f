"""The administration of users beyond create and disable: enable, clearance, organization, a new password
and ending sessions; each checks its input, is audited as the acting admin, and changes nothing twice."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.access import auth
from goodpath.access.models import BrowserSession
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import NotFound, Refused
from tests.factories import bearer_headers


def _user(session, username: str = "someone"):
    return auth.create_user(session, username, "a long enough password", "analyst", "SECRET", "USA", actor="admin1")


def _audited(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_enable_clearance_and_organization_are_checked_and_audited(session):
    user = _user(session)
    auth.disable_user(session, "someone", actor="admin1")
    assert not auth.enable_user(session, "someone", actor="admin1").disabled
    auth.enable_user(session, "someone", actor="admin1")  # already enabled: nothing recorded
    assert [e.actor for e in _audited(session, "users.enable")] == ["admin1"]
    with pytest.raises(Refused, match="unknown clearance"):
        auth.set_clearance(session, "someone", "TOP SECRET", actor="admin1")
    assert auth.set_clearance(session, "someone", "confidential", actor="admin1").clearance == "CONFIDENTIAL"
    auth.set_clearance(session, "someone", "CONFIDENTIAL", actor="admin1")
    assert len(_audited(session, "users.clearance")) == 1
    with pytest.raises(Refused, match="an organization is required"):
        auth.set_organization(session, "someone", "  ", actor="admin1")
    with pytest.raises(Refused, match="at most 40"):
        auth.set_organization(session, "someone", "X" * 41, actor="admin1")
    assert auth.set_organization(session, "someone", " GBR ", actor="admin1").organization == "GBR"
    assert auth.viewer_of(user).organization == "GBR"
    with pytest.raises(NotFound):
        auth.set_clearance(session, "nobody", "SECRET", actor="admin1")


def test_a_new_password_replaces_the_old_and_ends_the_sessions(session):
    user = _user(session)
    cookie, _ = auth.create_browser_session(session, user)
    auth.create_browser_session(session, user)
    assert auth.live_sessions(session, "someone") == 2
    _, password = auth.reset_password(session, "someone", actor="admin1")
    assert len(password) >= auth.MIN_PASSWORD_LENGTH and auth.verify_password(user.password_hash, password)
    assert not auth.verify_password(user.password_hash, "a long enough password")
    assert auth.live_sessions(session, "someone") == 0
    with pytest.raises(auth.AuthenticationFailed):
        auth.viewer_for_session(session, cookie)
    [entry] = _audited(session, "users.reset_password")
    assert entry.actor == "admin1" and password not in (entry.after or "")


def test_ending_sessions_ends_only_that_users(session):
    user, other = _user(session), _user(session, "other")
    auth.create_browser_session(session, user)
    kept, _ = auth.create_browser_session(session, other)
    assert auth.end_user_sessions(session, "someone", actor="admin1") == 1
    assert auth.end_user_sessions(session, "someone", actor="admin1") == 0
    assert auth.viewer_for_session(session, kept)[0].username == "other"
    ended = session.scalars(select(BrowserSession).where(BrowserSession.revoked_at.is_not(None))).all()
    assert [s.user_id for s in ended] == [user.id]
    assert len(_audited(session, "users.end_sessions")) == 2


def test_cli_enable_clearance_organization_password_sessions(db, session, monkeypatch):
    auth.create_user(session, "chief", "a long enough password", "admin", "SECRET", "USA", actor="setup")
    user = _user(session)
    auth.disable_user(session, "someone", actor="admin1")
    auth.create_browser_session(session, user)
    session.commit()
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--as", "chief", "users", *args])

    assert run("enable", "someone").exit_code == 0
    assert run("set-clearance", "someone", "confidential").exit_code == 0
    bad = run("set-clearance", "someone", "TOP SECRET")
    assert bad.exit_code == 1 and "unknown clearance" in bad.output
    assert run("set-organization", "someone", "GBR").exit_code == 0
    assert "an organization is required" in run("set-organization", "someone", " ").output
    assert "no user 'nobody'" in run("enable", "nobody").output
    ended = run("end-sessions", "someone")
    assert ended.exit_code == 0 and "ended 1 browser session" in ended.output
    reset = run("reset-password", "someone", "--json")
    assert reset.exit_code == 0, reset.output
    password = json.loads(reset.stdout)["password"]
    session.expire_all()
    stored = auth.get_user(session, "someone")
    assert (stored.disabled, stored.clearance, stored.organization) == (False, "CONFIDENTIAL", "GBR")
    assert auth.verify_password(stored.password_hash, password)
    assert {e.actor for e in _audited(session, "users.clearance")} == {"chief"}


def test_api_user_administration_is_for_admins(session):
    user = _user(session)
    auth.disable_user(session, "someone", actor="admin1")
    auth.create_browser_session(session, user)
    client = TestClient(api)
    admin = bearer_headers(session, "admin1", "admin", "SECRET", "USA")
    analyst = bearer_headers(session, "analyst1")
    routes = (("enable", None), ("clearance", {"clearance": "SECRET"}), ("organization", {"organization": "GBR"}),
              ("password", None), ("sessions/end", None))  # fmt: skip
    for url, body in routes:
        assert client.post(f"/users/someone/{url}", json=body, headers=analyst).status_code == 403, url
        assert client.post(f"/users/someone/{url}", json=body).status_code == 401, url
    enabled = client.post("/users/someone/enable", headers=admin)
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False
    assert "password_hash" not in enabled.text
    bad = client.post("/users/someone/clearance", json={"clearance": "TOP SECRET"}, headers=admin)
    assert bad.status_code == 409 and "unknown clearance" in bad.text
    cleared = client.post("/users/someone/clearance", json={"clearance": "confidential"}, headers=admin)
    assert cleared.json()["clearance"] == "CONFIDENTIAL"
    empty = client.post("/users/someone/organization", json={"organization": " "}, headers=admin)
    assert empty.status_code == 409 and "an organization is required" in empty.text
    assert client.post("/users/someone/organization", json={"organization": "GBR"}, headers=admin).json()[
        "organization"] == "GBR"  # fmt: skip
    assert client.post("/users/nobody/enable", headers=admin).status_code == 404
    ended = client.post("/users/someone/sessions/end", headers=admin)
    assert ended.json() == {"username": "someone", "sessions_ended": 1}
    # A new password only from a login session: a leaked token must not become someone's password.
    assert client.post("/users/someone/password", headers=admin).status_code == 403
    csrf = client.post("/auth/login", json={"username": "admin1", "password": "password-of-admin1"}).json()
    reset = client.post("/users/someone/password", headers={"X-CSRF-Token": csrf["csrf_token"]})
    assert reset.status_code == 200, reset.text
    session.expire_all()
    assert auth.verify_password(auth.get_user(session, "someone").password_hash, reset.json()["password"])
    assert {e.actor for e in _audited(session, "users.organization")} == {"admin1"}


def test_api_lists_creates_and_disables_users(session):
    client = TestClient(api)
    admin = bearer_headers(session, "admin1", "admin", "SECRET", "USA")
    analyst = bearer_headers(session, "analyst1")
    body = {"username": "Newcomer", "role": "analyst", "clearance": "confidential", "organization": "USA"}
    assert client.get("/users", headers=analyst).status_code == 403
    assert client.post("/users", json=body, headers=analyst).status_code == 403
    assert client.post("/users/analyst1/disable", headers=analyst).status_code == 403
    listed = client.get("/users", headers=admin)
    assert [u["username"] for u in listed.json()] == ["admin1", "analyst1"] and "password" not in listed.text
    # A new account's password is made here and shown once: from a login session, never with a token.
    assert client.post("/users", json=body, headers=admin).status_code == 403
    login = client.post("/auth/login", json={"username": "admin1", "password": "password-of-admin1"})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    created = client.post("/users", json=body, headers=csrf)
    assert created.status_code == 201, created.text
    made = created.json()
    assert (made["username"], made["clearance"], made["disabled"]) == ("newcomer", "CONFIDENTIAL", False)
    session.expire_all()
    assert auth.verify_password(auth.get_user(session, "newcomer").password_hash, made["password"])
    assert client.post("/users", json=body, headers=csrf).status_code == 409  # the name is taken
    bad = client.post("/users", json={**body, "username": "x2", "role": "emperor"}, headers=csrf)
    assert bad.status_code == 409 and "analyst" in bad.text  # the error lists the valid roles
    disabled = client.post("/users/newcomer/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert client.post("/users/nobody/disable", headers=admin).status_code == 404
    refused = TestClient(api).post("/auth/login", json={"username": "newcomer", "password": made["password"]})
    assert refused.status_code == 401
    assert [e.actor for e in _audited(session, "users.create") if e.target_id == "newcomer"] == ["admin1"]
