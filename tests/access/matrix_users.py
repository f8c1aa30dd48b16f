"""Authorization matrix: user administration (see test_authorization_matrix.py).

Administrators alone (users.manage): the public is asked to log in (401), every other role is refused (403).
The routes act on a user of their own ("matrix-target"), made once per world, so the matrix's users keep
their seats. A new password is given from a login session only, never with a token (403 for the admin too)."""

from __future__ import annotations

from goodpath.access import auth
from goodpath.core.db import session_scope
from tests.access.matrix_support import World

ADMINS = {"admin"}
TARGET = "matrix-target"


def _status(user: str, ok: int) -> int:
    return ok if user in ADMINS else 401 if user == "public" else 403


def _target(w: World) -> str:
    if not getattr(w, "_user_target", False):
        with session_scope() as session:
            auth.create_user(session, TARGET, "password-of-matrix-target", "analyst", "SECRET", "USA", actor="setup")
        w._user_target = True
    return TARGET


def check_enable_user(w: World, user: str) -> None:
    response = w.call(user, "POST", f"/users/{_target(w)}/enable")
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in ADMINS:
        assert w.call(user, "POST", "/users/nobody/enable").status_code == 404


def check_set_clearance(w: World, user: str) -> None:
    response = w.call(user, "POST", f"/users/{_target(w)}/clearance", json={"clearance": "CONFIDENTIAL"})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in ADMINS:
        assert response.json()["clearance"] == "CONFIDENTIAL"
        bad = w.call(user, "POST", f"/users/{TARGET}/clearance", json={"clearance": "TOP SECRET"})
        assert bad.status_code == 409, bad.text


def check_set_organization(w: World, user: str) -> None:
    response = w.call(user, "POST", f"/users/{_target(w)}/organization", json={"organization": "GBR"})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in ADMINS:
        assert response.json()["organization"] == "GBR"
        assert w.call(user, "POST", f"/users/{TARGET}/organization", json={"organization": ""}).status_code == 409


def check_reset_password(w: World, user: str) -> None:
    response = w.call(user, "POST", f"/users/{_target(w)}/password")
    assert response.status_code == (401 if user == "public" else 403), (user, response.text)  # tokens: never
    if user in ADMINS:
        login = w.client.post("/auth/login", json={"username": user, "password": f"password-of-{user}"})
        try:
            reset = w.client.post(f"/users/{TARGET}/password", headers={"X-CSRF-Token": login.json()["csrf_token"]})
            assert reset.status_code == 200 and reset.json()["password"], reset.text
        finally:
            w.client.cookies.clear()


def check_end_sessions(w: World, user: str) -> None:
    response = w.call(user, "POST", f"/users/{_target(w)}/sessions/end")
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in ADMINS:
        assert response.json()["username"] == TARGET


def check_list_users(w: World, user: str) -> None:
    response = w.call(user, "GET", "/users")
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in ADMINS:
        assert {"admin", "analyst"} <= {u["username"] for u in response.json()} and "password" not in response.text


def check_create_user(w: World, user: str) -> None:
    body = {"username": f"made-by-{user}", "role": "analyst", "clearance": "SECRET", "organization": "USA"}
    response = w.call(user, "POST", "/users", json=body)
    assert response.status_code == (401 if user == "public" else 403), (user, response.text)  # tokens: never
    if user in ADMINS:
        login = w.client.post("/auth/login", json={"username": user, "password": f"password-of-{user}"})
        try:
            made = w.client.post("/users", json=body, headers={"X-CSRF-Token": login.json()["csrf_token"]})
            assert made.status_code == 201 and made.json()["password"], made.text
        finally:
            w.client.cookies.clear()


def check_disable_user(w: World, user: str) -> None:
    response = w.call(user, "POST", f"/users/{_target(w)}/disable")
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in ADMINS:
        assert response.json()["disabled"] is True
        assert w.call(user, "POST", f"/users/{TARGET}/enable").json()["disabled"] is False  # the seat is kept


CHECKS = {
    ("GET", "/users"): check_list_users,
    ("POST", "/users"): check_create_user,
    ("POST", "/users/{username}/disable"): check_disable_user,
    ("POST", "/users/{username}/enable"): check_enable_user,
    ("POST", "/users/{username}/clearance"): check_set_clearance,
    ("POST", "/users/{username}/organization"): check_set_organization,
    ("POST", "/users/{username}/password"): check_reset_password,
    ("POST", "/users/{username}/sessions/end"): check_end_sessions,
}
