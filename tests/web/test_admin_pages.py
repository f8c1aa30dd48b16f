"""User and token administration in the browser, without a browser: only an admin opens the pages or
acts (everyone else: 403); each action is the ``auth`` service's, with its errors and its audit entry."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.access import auth
from goodpath.access.models import BrowserSession, User
from goodpath.api import app
from goodpath.core.audit_log import AuditEntry
from goodpath.registry.models import Party
from tests.factories import bearer_headers

HTML = {"Accept": "text/html"}


def _login(session, username: str, role: str = "admin", **user) -> tuple[TestClient, str]:
    bearer_headers(session, username=username, role=role, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    home = client.get("/", headers=HTML).text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)


def _actions(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("role", ["analyst", "auditor"])
def test_only_an_admin_opens_or_uses_the_admin_pages(session, role):
    bearer_headers(session, username="victim", role="analyst")
    client, token = _login(session, "someone", role=role)
    assert client.get("/ui/admin/users", headers=HTML).status_code == 403
    assert client.get("/ui/admin/users/victim", headers=HTML).status_code == 403
    refused = client.post("/ui/admin/users/victim/disable", data={"csrf_token": token})
    assert refused.status_code == 403
    created = client.post("/ui/admin/users", data={"csrf_token": token, "username": "intruder", "role": "admin",
                                                   "clearance": "SECRET", "organization": "USA"})  # fmt: skip
    assert created.status_code == 403
    session.expire_all()
    assert not auth.get_user(session, "victim").disabled
    assert session.scalars(select(User).where(User.username == "intruder")).first() is None
    assert 'href="/ui/admin/users"' not in client.get("/", headers=HTML).text


def test_the_admin_home_links_the_user_pages(session):
    client, _ = _login(session, "admin1")
    assert 'data-testid="admin-users-link"' in client.get("/", headers=HTML).text
    page = client.get("/ui/admin/users", headers=HTML)
    assert page.status_code == 200 and 'data-username="admin1"' in page.text


def test_the_admin_creates_a_user_with_a_password_shown_once_then_disables_and_enables_it(session):
    client, token = _login(session, "admin1")
    created = client.post("/ui/admin/users", data={"csrf_token": token, "username": "New.Analyst",
                                                   "display_name": "New Analyst", "role": "analyst",
                                                   "clearance": "CONFIDENTIAL", "organization": "USA",
                                                   "company": "", "password": ""})  # fmt: skip
    assert created.status_code == 200 and 'data-testid="new-password"' in created.text
    password = re.search(r'data-testid="new-password">([^<]+)<', created.text).group(1)
    session.expire_all()
    user = auth.get_user(session, "new.analyst")
    assert user.clearance == "CONFIDENTIAL" and auth.verify_password(user.password_hash, password)
    assert password not in client.get("/ui/admin/users/new.analyst", headers=HTML).text  # shown once
    [entry] = _actions(session, "users.create")[-1:]
    assert entry.actor == "admin1" and entry.target_id == "new.analyst"

    reviewed = client.post("/ui/admin/users/new.analyst/disable", data={"csrf_token": token})
    assert reviewed.status_code == 200 and "Disable new.analyst?" in reviewed.text  # the review step first
    assert not auth.get_user(session, "new.analyst").disabled
    disabled = client.post("/ui/admin/users/new.analyst/disable", data={"csrf_token": token, "confirmed": "1"},
                           follow_redirects=False)  # fmt: skip
    assert disabled.status_code == 303 and disabled.headers["location"] == "/ui/admin/users/new.analyst?done=disabled"
    session.expire_all()
    assert auth.get_user(session, "new.analyst").disabled
    assert [e.actor for e in _actions(session, "users.disable")] == ["admin1"]
    assert 'data-testid="enable-user"' in client.get("/ui/admin/users/new.analyst", headers=HTML).text
    client.post("/ui/admin/users/new.analyst/enable", data={"csrf_token": token})
    session.expire_all()
    assert not auth.get_user(session, "new.analyst").disabled and len(_actions(session, "users.enable")) == 1


def test_a_refused_creation_shows_the_services_error_and_keeps_what_was_typed(session):
    client, token = _login(session, "admin1")
    refused = client.post("/ui/admin/users", data={"csrf_token": token, "username": "officer9", "role":
                                                   "company_officer", "clearance": "UNCLASSIFIED",
                                                   "organization": "ACME", "company": "no-such-company",
                                                   "display_name": "Officer Nine"})  # fmt: skip
    assert refused.status_code == 409
    assert "no party &#39;no-such-company&#39; to bind the company officer to" in refused.text
    assert 'value="Officer Nine"' in refused.text and 'value="no-such-company"' in refused.text
    assert 'data-testid="new-password"' not in refused.text
    session.expire_all()
    assert session.scalars(select(User).where(User.username == "officer9")).first() is None
    no_csrf = client.post("/ui/admin/users", data={"username": "x1", "role": "analyst", "clearance": "SECRET",
                                                    "organization": "USA"})  # fmt: skip
    assert no_csrf.status_code == 403


def test_a_company_officer_is_bound_to_the_company_picked_by_key(session):
    session.add(Party(id="pacme0001", key="acme", schema="Company", caption="ACME Trading", countries=["cn"],
                      birth_dates=[], classification="UNCLASSIFIED", releasability="ALL",
                      originator="USA"))  # fmt: skip
    session.commit()
    client, token = _login(session, "admin1")
    created = client.post("/ui/admin/users", data={"csrf_token": token, "username": "acme.officer",
                                                   "role": "company_officer", "clearance": "UNCLASSIFIED",
                                                   "organization": "ACME", "company": "acme",
                                                   "password": "a long enough password"})  # fmt: skip
    assert created.status_code == 200 and 'data-testid="new-password"' not in created.text  # typed: not shown
    session.expire_all()
    assert auth.get_user(session, "acme.officer").company_party_id == "pacme0001"


def test_clearance_organization_password_and_sessions(session):
    client, token = _login(session, "admin1")
    other, _ = _login(session, "analyst7", role="analyst")
    assert other.get("/", headers=HTML).status_code == 200
    page = client.get("/ui/admin/users/analyst7", headers=HTML).text
    assert "Open browser sessions: 1." in page

    bad = client.post("/ui/admin/users/analyst7/clearance", data={"csrf_token": token, "clearance": "TOP"})
    assert bad.status_code == 409 and "unknown clearance" in bad.text
    client.post("/ui/admin/users/analyst7/clearance", data={"csrf_token": token, "clearance": "CONFIDENTIAL"})
    client.post("/ui/admin/users/analyst7/organization", data={"csrf_token": token, "organization": "GBR"})
    session.expire_all()
    user = auth.get_user(session, "analyst7")
    assert (user.clearance, user.organization) == ("CONFIDENTIAL", "GBR")
    [change] = _actions(session, "users.clearance")
    assert change.actor == "admin1" and '"SECRET"' in change.before and '"CONFIDENTIAL"' in change.after
    assert len(_actions(session, "users.organization")) == 1

    reset = client.post("/ui/admin/users/analyst7/password", data={"csrf_token": token})
    assert reset.status_code == 200
    password = re.search(r'data-testid="new-password">([^<]+)<', reset.text).group(1)
    session.expire_all()
    assert auth.verify_password(auth.get_user(session, "analyst7").password_hash, password)
    assert other.get("/ui/cases", headers=HTML, follow_redirects=False).status_code == 303  # logged out
    assert len(_actions(session, "users.reset_password")) == 1

    again, _ = _login_with(session, "analyst7", password)
    assert again.get("/", headers=HTML).status_code == 200
    client.post("/ui/admin/users/analyst7/sessions", data={"csrf_token": token})
    session.expire_all()
    assert (
        session.scalars(
            select(BrowserSession).join(User).where(User.username == "analyst7", BrowserSession.revoked_at.is_(None))
        ).all()
        == []
    )
    assert [e.after for e in _actions(session, "users.end_sessions")] == ['{"sessions_ended":1}']


def _login_with(session, username: str, password: str) -> tuple[TestClient, None]:
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert response.status_code == 303
    return client, None


def test_the_admin_lists_and_revokes_a_users_tokens(session):
    client, token = _login(session, "admin1")
    headers = bearer_headers(session, username="robot", role="analyst")
    page = client.get("/ui/admin/users/robot", headers=HTML).text
    [row] = re.findall(r'<tr data-testid="token-row">.*?</tr>', page, re.S)
    assert "tests" in row and 'data-testid="revoke-token"' in row
    token_id = int(re.search(r"/ui/admin/tokens/(\d+)/revoke", row).group(1))
    assert TestClient(app).get("/auth/me", headers=headers).status_code == 200
    reviewed = client.post(f"/ui/admin/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert reviewed.status_code == 200 and "Revoke this token?" in reviewed.text  # the review step first
    revoked = client.post(f"/ui/admin/tokens/{token_id}/revoke", data={"csrf_token": token, "confirmed": "1"},
                          follow_redirects=False)  # fmt: skip
    assert revoked.headers["location"] == "/ui/admin/users/robot?done=revoked"
    assert TestClient(app).get("/auth/me", headers=headers).status_code == 401
    session.expire_all()
    assert [e.actor for e in _actions(session, "tokens.revoke")] == ["admin1"]
    assert client.post("/ui/admin/tokens/999999/revoke", data={"csrf_token": token}).status_code == 404


def test_the_admin_creates_a_token_for_a_user_shown_once_and_it_works(session):
    client, token = _login(session, "admin1")
    bearer_headers(session, username="robot", role="analyst")
    page = client.get("/ui/admin/users/robot", headers=HTML).text
    assert 'data-testid="create-token-form"' in page
    created = client.post("/ui/admin/users/robot/tokens", data={"csrf_token": token, "name": "etl", "days": "7"})
    assert created.status_code == 200 and "The token is created." in created.text
    plaintext = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)
    me = TestClient(app).get("/auth/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert me.status_code == 200 and me.json()["username"] == "robot"
    assert plaintext not in client.get("/ui/admin/users/robot", headers=HTML).text  # shown once
    [entry] = _actions(session, "tokens.create")[-1:]
    assert entry.actor == "admin1"
    assert [t.name for t in auth.list_tokens(session, "robot")].count("etl") == 1
    # the service's refusals are shown by the form, with what was typed, and nothing is created
    refused = client.post("/ui/admin/users/robot/tokens", data={"csrf_token": token, "name": "long", "days": "9999"})
    assert refused.status_code == 409 and 'data-testid="token-error"' in refused.text and 'value="long"' in refused.text
    bad = client.post("/ui/admin/users/robot/tokens", data={"csrf_token": token, "name": "x", "days": "soon"})
    assert bad.status_code == 409 and 'data-testid="token-days-error"' in bad.text
    assert "long" not in [t.name for t in auth.list_tokens(session, "robot")]


@pytest.mark.parametrize("role", ["analyst", "auditor"])
def test_only_an_admin_creates_a_token_for_a_user(session, role):
    bearer_headers(session, username="victim", role="analyst")
    client, token = _login(session, "someone", role=role)
    refused = client.post("/ui/admin/users/victim/tokens", data={"csrf_token": token, "name": "mine", "days": "30"})
    assert refused.status_code == 403
    session.expire_all()
    assert "mine" not in [t.name for t in auth.list_tokens(session, "victim")]
