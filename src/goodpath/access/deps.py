"""FastAPI dependencies: who is asking (``current_viewer``) and may they (``require``).

A request is authenticated by an ``Authorization: Bearer`` API token or, failing that, by
the session cookie of a browser login: ``__Host-goodpath_session`` over https (Secure, no
Domain, Path=/, so no other host or path can set or read it), ``goodpath_session`` over plain
http (``make run`` on 127.0.0.1, where a Secure cookie would never come back). Cookie-
authenticated requests that change state must echo the session's CSRF token (header
``X-CSRF-Token`` or form field ``csrf_token``): a browser sends the cookie on its own, but
only our pages know the token. Refusals (a missing permission, a wrong CSRF token) are
security events: logged, and audited apart from the failing request.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodpath.access import auth, security_events
from goodpath.access.policy import PUBLIC, Permission, Role, Viewer, can
from goodpath.core.api_support import SESSION

SESSION_COOKIE = "goodpath_session"
SECURE_SESSION_COOKIE = "__Host-" + SESSION_COOKIE
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# A client repeating a refused call is audited once a minute (and logged every time).
DENIAL_QUIET_SECONDS = 60

# How a permission reads in "you do not have permission to ...".
PERMISSION_WORDS = {
    Permission.IMPORT_LISTS: "import lists",
    Permission.EDIT_REGISTRY: "edit the registry",
    Permission.MANAGE_USERS: "manage users",
    Permission.VERIFY_AUDIT: "verify the audit log",
    Permission.READ_AUDIT: "read the audit log",
    Permission.REVIEW_SCREENING: "review screening results",
    Permission.MANAGE_ENGAGEMENT: "manage engagement records",
    Permission.RESPOND_CASES: "respond to cases for the partner government",
    Permission.SUBMIT_DISCLOSURES: "submit disclosures",
    Permission.SCREEN_BATCH: "start batch screening jobs",
    Permission.DECIDE_PROPOSALS: "decide pathway proposals (the approver role)",
    Permission.MANAGE_FOLLOWUPS: "manage follow-up work (administrators)",
}


async def current_viewer(request: Request, session: Session = SESSION) -> Viewer:
    """The viewer behind the request's credentials, or ``PUBLIC`` if it carries none.

    Sets ``request.state.credential`` to ``"token"``, ``"session"`` or ``None``."""
    request.state.credential = None
    token = _bearer_token(request)
    if token is not None:
        viewer = await run_in_threadpool(_token_viewer, session, token)
        request.state.credential, request.state.viewer = "token", viewer  # the viewer: for the access log
        return viewer
    cookie = session_cookie(request)
    if not cookie:
        return PUBLIC
    try:
        viewer, csrf_token = await run_in_threadpool(auth.viewer_for_session, session, cookie)
    except auth.AuthenticationFailed:
        return PUBLIC  # a stale cookie: the browser is simply logged out
    if request.method in STATE_CHANGING and not await _csrf_matches(request, csrf_token):
        await run_in_threadpool(record_denial, session, request, viewer, "access.csrf_refused", "csrf")
        raise HTTPException(403, "missing or wrong CSRF token")
    request.state.credential, request.state.viewer = "session", viewer
    return viewer


# --- the session cookie ----------------------------------------------------------------


def session_cookie_name(request: Request) -> str:
    return SECURE_SESSION_COOKIE if request.url.scheme == "https" else SESSION_COOKIE


def session_cookie(request: Request) -> str | None:
    """The session cookie's value, under the name this scheme uses (no other is read)."""
    return request.cookies.get(session_cookie_name(request)) or None


def set_session_cookie(response: Response, request: Request, value: str) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(session_cookie_name(request), value, max_age=int(auth.session_lifetime().total_seconds()),
                        path="/", httponly=True, samesite="strict", secure=secure)  # fmt: skip


def clear_session_cookie(response: Response, request: Request) -> None:
    secure = request.url.scheme == "https"
    response.delete_cookie(session_cookie_name(request), path="/", httponly=True, samesite="strict", secure=secure)


# --- refusals --------------------------------------------------------------------------


def record_denial(session: Session, request: Request, viewer: Viewer, action: str, what: str) -> None:
    """Log a refusal, and audit it in a transaction of its own (the request is about to fail)."""
    client = request.client.host if request.client else "unknown"
    with security_events.apart(session) as own:
        security_events.audited(own, actor=viewer.actor, action=action, target_type="permission", target_id=what,
                                level=logging.WARNING, quiet_seconds=DENIAL_QUIET_SECONDS, role=viewer.role.value,
                                method=request.method, path=request.url.path, client=client)  # fmt: skip


def _bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def _token_viewer(session: Session, token: str) -> Viewer:
    try:
        return auth.viewer_for_token(session, token)
    except auth.AuthenticationFailed as exc:
        security_events.emit("auth.token_refused", level=logging.WARNING, reason=str(exc))
        raise HTTPException(401, str(exc), headers=BEARER_CHALLENGE) from None


async def _csrf_matches(request: Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER) or await _form_field(request, CSRF_FIELD)
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


async def _form_field(request: Request, name: str) -> str | None:
    """A field of a URL-encoded form body (what a plain HTML form posts)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    values = parse_qs((await request.body()).decode("utf-8", "replace")).get(name)
    return values[0] if values else None


def require_login(request: Request, viewer: Viewer = Depends(current_viewer)) -> Viewer:
    if viewer.role is Role.PUBLIC:
        # Logged, not audited: anyone can send these, and they change nothing.
        client = request.client.host if request.client else "unknown"
        security_events.emit("access.login_required", method=request.method, path=request.url.path, client=client)
        raise HTTPException(401, "login required", headers=BEARER_CHALLENGE)
    return viewer


def require(permission: Permission) -> Callable[..., Viewer]:
    """A dependency returning the viewer if it holds ``permission``: 401 when not logged in, else
    403, logged and audited (``access.denied``)."""

    def dependency(request: Request, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> Viewer:
        if not can(viewer, permission):
            record_denial(session, request, viewer, "access.denied", permission.value)
            words = PERMISSION_WORDS.get(permission, permission.value)
            raise HTTPException(403, f"you do not have permission to {words}")
        return viewer

    return dependency
