"""Authentication: passwords, login rate limits, API tokens, browser sessions with CSRF, the CLI.

The API tests run a small app of their own (the auth router plus a few probe routes), so
they do not depend on the main app's routes.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import typer
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from goodpath.access import auth
from goodpath.access.commands import tokens_app, users_app
from goodpath.access.deps import SECURE_SESSION_COOKIE, SESSION_COOKIE, current_viewer, require, require_login
from goodpath.access.models import ApiToken, BrowserSession, LoginAttempt, User
from goodpath.access.policy import Permission, Role, Viewer
from goodpath.access.views import router
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import Refused
from goodpath.core.models import Base, Classification, utcnow
from goodpath.demo.users import demo_password, ensure_demo_users
from goodpath.registry.models import Party

PASSWORD = "correct horse battery staple"


# --- fixtures --------------------------------------------------------------------------


def probe_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)

    @app.get("/probe")
    def probe(viewer: Viewer = Depends(current_viewer)) -> dict:
        return {"username": viewer.username, "role": viewer.role.value}

    @app.post("/probe")
    def change(viewer: Viewer = Depends(require_login)) -> dict:
        return {"changed_by": viewer.username}

    @app.post("/probe/admin")
    def admin_only(viewer: Viewer = Depends(require(Permission.MANAGE_USERS))) -> dict:
        return {"ok": viewer.username}

    return app


@pytest.fixture
def client(db) -> TestClient:
    return TestClient(probe_app())


def add_user(session, username="alice", role="analyst", password=PASSWORD, **kw) -> User:
    kw.setdefault("clearance", "SECRET")
    kw.setdefault("organization", "USA")
    user = auth.create_user(session, username, password, role, kw.pop("clearance"), kw.pop("organization"),
                            actor="tester", **kw)  # fmt: skip
    session.commit()  # the API and CLI use sessions of their own
    return user


def add_party(session, key="norinco") -> Party:
    party = Party(id=f"p-{key}", key=key, schema="Company", caption=key.upper())
    session.add(party)
    session.commit()
    return party


def login(client: TestClient, username="alice", password=PASSWORD):
    return client.post("/auth/login", json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- passwords -------------------------------------------------------------------------


def test_password_is_stored_as_an_argon2_hash(session):
    user = add_user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert auth.verify_password(user.password_hash, PASSWORD)
    assert not auth.verify_password(user.password_hash, PASSWORD + "!")
    assert not auth.verify_password("not a hash", PASSWORD)


@settings(max_examples=10, deadline=None)
@given(password=st.text(min_size=1, max_size=64), other=st.text(min_size=1, max_size=64))
def test_any_password_round_trips_and_no_other_matches(password, other):
    stored = auth.hash_password(password)
    assert auth.verify_password(stored, password)
    if other != password:
        assert not auth.verify_password(stored, other)


def test_an_outdated_hash_is_replaced_at_login(session):
    user = add_user(session)
    weak = auth.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    session.commit()
    auth.authenticate(session, "alice", PASSWORD, "10.0.0.1")
    assert user.password_hash != weak and auth.verify_password(user.password_hash, PASSWORD)


def _all_stored_text(session) -> str:
    rows = []
    for table in Base.metadata.sorted_tables:
        rows.extend(str(tuple(row)) for row in session.execute(select(table)))
    return "\n".join(rows)


def test_no_plaintext_secret_is_stored_printed_or_logged(db, session, client, caplog, capsys, monkeypatch):
    acting_admin(session, monkeypatch)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # SQL with its parameters
    user = add_user(session)
    _, token = auth.create_token(session, user, "ci", actor="tester")
    session.commit()
    assert login(client).status_code == 200
    assert login(client, password="wrong password, long enough").status_code == 401
    assert client.get("/probe", headers=bearer(token)).json()["username"] == "alice"
    cli_password = "a cli password of some length"
    result = CliRunner().invoke(cli(), ["users", "add", "bob", "--role", "auditor", "--clearance", "SECRET",
                                        "--org", "USA", "--password-stdin"], input=cli_password + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    session.expire_all()
    stored = _all_stored_text(session)
    captured = capsys.readouterr()
    shown = caplog.text + captured.out + captured.err + result.output
    assert "INSERT INTO app_user" in caplog.text  # SQL and its parameters were logged, and checked
    for secret in (PASSWORD, token, cli_password, "wrong password, long enough"):
        assert secret not in stored
        assert secret not in shown
    assert auth._digest(token) in stored  # what is kept instead


# --- users -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role": "company_officer", "organization": "NORINCO"}, "needs a company"),
        ({"role": "company_officer", "company_party_id": "nope"}, "no party 'nope'"),
        ({"role": "analyst", "company_party_id": "p-norinco"}, "only a company_officer"),
        ({"role": "public"}, "unknown role 'public'"),
        ({"role": "wizard"}, "unknown role 'wizard'"),
        ({"clearance": "TOP SECRET"}, "unknown clearance"),
        ({"password": "short"}, "at least 12 characters"),
        ({"username": "Alice Smith"}, "is not allowed"),
        ({"organization": " "}, "organization is required"),
    ],
)
def test_invalid_users_are_refused(session, change, message):
    add_party(session)
    with pytest.raises(Refused, match=message):
        add_user(session, **change)
    session.rollback()
    assert session.scalars(select(User)).all() == []


def test_usernames_are_unique_whatever_the_case(session):
    add_user(session)
    with pytest.raises(Refused, match="already exists"):
        add_user(session, username="ALICE")


def test_company_officer_is_bound_to_a_party_by_id_or_key(session):
    party = add_party(session)
    officer = add_user(session, "officer", "company_officer", clearance="UNCLASSIFIED", organization="NORINCO",
                       company_party_id="norinco")  # fmt: skip
    viewer = auth.viewer_of(officer)
    assert viewer == Viewer(role=Role.COMPANY_OFFICER, clearance=Classification.UNCLASSIFIED, organization="NORINCO",
                            user_id=officer.id, username="officer", company_party_id=party.id)  # fmt: skip


def test_user_changes_are_audited_without_secrets(session):
    user = add_user(session)
    auth.create_token(session, user, "ci", actor="admin")
    auth.disable_user(session, "alice", actor="admin")
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [(e.actor, e.action, e.target_id) for e in entries] == [
        ("tester", "users.create", "alice"), ("admin", "tokens.create", str(user.tokens[0].id)),
        ("admin", "users.disable", "alice"),
    ]  # fmt: skip
    assert "password" not in entries[0].after and "hash" not in entries[1].after


# --- login -----------------------------------------------------------


def test_wrong_username_and_wrong_password_look_the_same(session, client):
    add_user(session)
    wrong_name, wrong_password = login(client, username="mallory"), login(client, password="not the password")
    assert wrong_name.status_code == wrong_password.status_code == 401
    assert wrong_name.json() == wrong_password.json() == {"detail": "wrong username or password"}
    assert wrong_name.headers.get("set-cookie") is None and wrong_password.headers.get("set-cookie") is None


def test_login_accepts_a_form(session, client):
    add_user(session)
    response = client.post("/auth/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["username"] == "alice"
    assert client.post("/auth/login", data={"username": "alice"}).status_code == 422


def test_every_attempt_is_recorded(session, client):
    add_user(session)
    login(client, password="nope nope nope")
    login(client)
    attempts = session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [(a.username, a.client, a.success) for a in attempts] == [("alice", "testclient", False),
                                                                     ("alice", "testclient", True)]  # fmt: skip


# Throttling (by account and client, growing delays) is tested in tests/security/test_login_throttle.py.


def test_disabled_users_cannot_log_in_and_their_credentials_stop_working(session, client):
    user = add_user(session)
    _, token = auth.create_token(session, user, "ci", actor="tester")
    session.commit()
    login(client)
    assert client.get("/probe").json()["username"] == "alice"
    auth.disable_user(session, "alice", actor="admin")
    session.commit()
    assert login(client).json() == {"detail": "wrong username or password"}
    response = client.get("/probe", headers=bearer(token))
    assert response.status_code == 401 and response.json() == {"detail": "invalid token"}
    assert client.get("/probe").json()["role"] == "public"  # the session cookie no longer counts


# --- API tokens ------------------------------------------------------------------------


def test_a_token_authenticates_until_it_expires(session, client):
    user = add_user(session)
    token, plaintext = auth.create_token(session, user, "ci", actor="tester")
    session.commit()
    assert plaintext.startswith("gp_") and token.prefix == plaintext[:8]
    assert client.get("/probe", headers=bearer(plaintext)).json() == {"username": "alice", "role": "analyst"}
    session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    response = client.get("/probe", headers=bearer(plaintext))
    assert response.status_code == 401 and response.json() == {"detail": "token expired"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_of_zero_days_is_already_expired(session, client):
    _, plaintext = auth.create_token(session, add_user(session), "now", days=0, actor="tester")
    session.commit()
    assert client.get("/probe", headers=bearer(plaintext)).json() == {"detail": "token expired"}


def test_revoked_and_unknown_tokens_are_refused(session, client):
    token, plaintext = auth.create_token(session, add_user(session), "ci", actor="tester")
    auth.revoke_token(session, token, actor="tester")
    session.commit()
    assert client.get("/probe", headers=bearer(plaintext)).json() == {"detail": "token revoked"}
    for bad in ("gp_nothing", ""):
        response = client.get("/probe", headers=bearer(bad))
        assert response.status_code == 401 and response.json() == {"detail": "invalid token"}


def test_token_use_is_noted(session, client):
    token, plaintext = auth.create_token(session, add_user(session), "ci", actor="tester")
    session.commit()
    client.get("/probe", headers=bearer(plaintext))
    session.refresh(token)
    assert token.last_used_at is not None


def test_users_create_and_revoke_their_own_tokens_over_the_api(session, client):
    add_user(session)
    add_user(session, "bob")
    csrf = login(client).json()["csrf_token"]
    created = client.post("/auth/tokens", json={"name": "laptop", "days": 7}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "token", "expires_at"}
    assert client.get("/probe", headers=bearer(body["token"])).json()["username"] == "alice"
    # A token cannot mint more tokens; a leaked one would otherwise never die.
    minted = client.post("/auth/tokens", json={"name": "more"}, headers=bearer(body["token"]))
    assert minted.status_code == 403
    # Someone else's token does not exist as far as bob is concerned.
    bobs = TestClient(probe_app())
    bob_csrf = login(bobs, "bob").json()["csrf_token"]
    assert bobs.delete(f"/auth/tokens/{body['id']}", headers={"X-CSRF-Token": bob_csrf}).status_code == 404
    revoked = client.delete(f"/auth/tokens/{body['id']}", headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/probe", headers=bearer(body["token"])).json() == {"detail": "token revoked"}


def test_an_admin_may_revoke_anyones_token(session, client):
    token, _ = auth.create_token(session, add_user(session), "ci", actor="tester")
    add_user(session, "root", "admin")
    _, admin_token = auth.create_token(session, session.scalars(select(User).filter_by(username="root")).one(),
                                       "ops", actor="tester")  # fmt: skip
    session.commit()
    assert client.delete(f"/auth/tokens/{token.id}", headers=bearer(admin_token)).status_code == 200
    assert client.delete("/auth/tokens/999999", headers=bearer(admin_token)).status_code == 404


def test_token_routes_need_a_login(client):
    assert client.post("/auth/tokens", json={"name": "x"}).json() == {"detail": "login required"}
    assert client.delete("/auth/tokens/1").status_code == 401


# --- browser sessions, cookies and CSRF ------------------------------------------------


def test_login_sets_a_strict_http_only_cookie(session, client):
    add_user(session)
    response = login(client)
    assert response.status_code == 200
    assert set(response.json()) == {"username", "role", "csrf_token"}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    assert session.scalars(select(BrowserSession)).one().session_hash != client.cookies[SESSION_COOKIE]


def test_the_cookie_is_secure_and_host_prefixed_over_https(session, db):
    add_user(session)
    secure_client = TestClient(probe_app(), base_url="https://testserver")
    cookie = login(secure_client).headers["set-cookie"]
    assert cookie.startswith(f"{SECURE_SESSION_COOKIE}=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie  # what the __Host- prefix requires
    assert secure_client.get("/probe").json()["username"] == "alice"
    # Over https the plain name is not read: a cookie set by a plain-http page or a sibling host does not count.
    plain = TestClient(probe_app(), base_url="https://testserver")
    plain.cookies.set(SESSION_COOKIE, secure_client.cookies[SECURE_SESSION_COOKIE])
    assert plain.get("/probe").json()["role"] == "public"


def test_cookie_requests_that_change_state_need_the_csrf_token(session, client):
    add_user(session)
    csrf = login(client).json()["csrf_token"]
    assert client.get("/probe").json()["username"] == "alice"  # reads need none
    missing = client.post("/probe")
    wrong = client.post("/probe", headers={"X-CSRF-Token": "not-it"})
    assert missing.status_code == wrong.status_code == 403
    assert missing.json() == wrong.json() == {"detail": "missing or wrong CSRF token"}
    assert client.post("/probe", headers={"X-CSRF-Token": csrf}).json() == {"changed_by": "alice"}
    assert client.post("/probe", data={"csrf_token": csrf}).json() == {"changed_by": "alice"}


def test_bearer_requests_need_no_csrf_token(session, client):
    _, token = auth.create_token(session, add_user(session), "ci", actor="tester")
    session.commit()
    assert client.post("/probe", headers=bearer(token)).json() == {"changed_by": "alice"}


def test_me_and_logout(session, client):
    add_user(session)
    assert client.get("/auth/me").json() == {"username": "public", "role": "public", "clearance": "UNCLASSIFIED",
                                             "organization": None, "company": None}  # fmt: skip
    csrf = login(client).json()["csrf_token"]
    assert client.get("/auth/me").json() == {"username": "alice", "role": "analyst", "clearance": "SECRET",
                                             "organization": "USA", "company": None}  # fmt: skip
    assert client.post("/auth/logout").status_code == 403  # CSRF-checked like any change
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/auth/me").json()["role"] == "public"
    with pytest.raises(auth.AuthenticationFailed, match="session ended"):
        auth.viewer_for_session(session, cookie)


def test_sessions_expire(session, client):
    add_user(session)
    login(client)
    session.execute(update(BrowserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert client.get("/probe").json()["role"] == "public"


def test_require_says_login_required_or_names_the_permission(session, client):
    add_user(session)
    add_user(session, "root", "admin")
    assert client.post("/probe/admin").json() == {"detail": "login required"}
    assert client.post("/probe/admin").status_code == 401
    csrf = login(client).json()["csrf_token"]
    refused = client.post("/probe/admin", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403 and refused.json() == {"detail": "you do not have permission to manage users"}
    root_csrf = login(client, "root").json()["csrf_token"]
    assert client.post("/probe/admin", headers={"X-CSRF-Token": root_csrf}).json() == {"ok": "root"}


# --- CLI -------------------------------------------------------------------------------


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    return app


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli(), list(args), input=input)


def acting_admin(session, monkeypatch, username="boss") -> User:
    """An admin the CLI acts as (the operator account setting names them)."""
    user = add_user(session, username, role="admin")
    monkeypatch.setenv("GOODPATH_OPERATOR", username)
    return user


def test_cli_users_add_list_disable(db, session, monkeypatch):
    acting_admin(session, monkeypatch)
    added = run("users", "add", "carol", "--role", "approver", "--clearance", "secret", "--org", "USA",
                "--name", "Carol C", "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = json.loads(run("users", "list", "--json").stdout)
    assert [(u["username"], u["display_name"], u["role"], u["clearance"], u["disabled"]) for u in listed] == [
        ("boss", "boss", "admin", "SECRET", False),
        ("carol", "Carol C", "approver", "SECRET", False),
    ]
    assert "password" not in json.dumps(listed)
    assert auth.authenticate(session, "carol", PASSWORD, "cli").username == "carol"
    session.commit()
    assert run("users", "disable", "carol").exit_code == 0
    assert json.loads(run("users", "list", "--json").stdout)[1]["disabled"] is True
    actors = session.scalars(select(AuditEntry.actor).where(AuditEntry.target_id == "carol")).all()
    assert actors == ["boss", "boss"]  # the acting user, by name


def test_cli_prompts_twice_for_a_hidden_password(db, session, monkeypatch):
    acting_admin(session, monkeypatch)
    added = run("users", "add", "dave", "--role", "auditor", "--clearance", "SECRET", "--org", "USA",
                input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output  # hidden input is not echoed
    assert auth.verify_password(session.scalars(select(User.password_hash).filter_by(username="dave")).one(), PASSWORD)


def test_cli_errors_are_one_line(db, session, monkeypatch):
    acting_admin(session, monkeypatch)
    short = run("users", "add", "erin", "--role", "analyst", "--clearance", "SECRET", "--org", "USA",
                "--password-stdin", input="short\n")  # fmt: skip
    assert short.exit_code == 1
    assert short.stderr.strip() == "error: the password must be at least 12 characters long"
    company = run("users", "add", "erin", "--role", "company_officer", "--clearance", "SECRET", "--org", "X",
                  "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert company.exit_code == 1 and "needs a company" in company.stderr
    assert run("users", "disable", "nobody").stderr.strip() == "error: no user 'nobody'"


def test_cli_tokens_create_list_revoke(db, session, client, monkeypatch):
    add_user(session)
    acting_admin(session, monkeypatch)
    created = run("tokens", "create", "alice", "--name", "ci", "--days", "3", "--json")
    assert created.exit_code == 0, created.output
    body = json.loads(created.stdout)
    assert "shown only once" in body["warning"]
    assert client.get("/probe", headers=bearer(body["token"])).json()["username"] == "alice"
    listed = run("tokens", "list", "alice", "--json")
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["name"], r["prefix"], r["revoked_at"]) for r in rows] == [
        (body["id"], "ci", body["token"][:8], None)
    ]
    assert body["token"] not in listed.stdout
    plain = run("tokens", "create", "alice")
    assert plain.exit_code == 0 and "shown only once" in plain.stderr
    assert run("tokens", "revoke", str(body["id"])).exit_code == 0
    assert client.get("/probe", headers=bearer(body["token"])).json() == {"detail": "token revoked"}
    assert json.loads(run("tokens", "list", "--json").stdout)[0]["revoked_at"] is not None
    assert run("tokens", "revoke", "999999").stderr.strip() == "error: no token 999999"


# --- demo users ------------------------------------------------------------------------


def test_demo_users_are_created_once(session):
    add_party(session)
    first = ensure_demo_users(session, "demo")
    session.commit()
    assert [(r["username"], r["outcome"]) for r in first] == [
        (name, "created") for name in ("analyst", "approver", "partner", "company", "auditor", "admin")
    ]
    company = session.scalars(select(User).filter_by(username="company")).one()
    assert (company.role, company.company_party_id, company.organization) == ("company_officer", "p-norinco", "NORINCO")
    for row in first:
        assert len(row["password"]) >= 12
        assert auth.authenticate(session, row["username"], row["password"], "demo").role.value == row["role"]
    # A changed password survives a second run.
    analyst = session.scalars(select(User).filter_by(username="analyst")).one()
    analyst.password_hash = auth.hash_password("a password of its own")
    session.commit()
    again = ensure_demo_users(session, "demo")
    assert {r["outcome"] for r in again} == {"exists"}
    assert auth.verify_password(analyst.password_hash, "a password of its own")
    assert session.scalar(select(text("count(*)")).select_from(User)) == 6


def test_demo_company_officer_is_skipped_without_the_party(session):
    rows = {r["username"]: r for r in ensure_demo_users(session, "demo")}
    assert rows["company"]["outcome"] == "skipped" and "norinco" in rows["company"]["note"]
    assert rows["company"]["password"] == demo_password("company")
    assert len(session.scalars(select(User)).all()) == 5
