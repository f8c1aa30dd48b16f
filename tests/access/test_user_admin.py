"""The administration of users beyond create and disable: enable, clearance, organization, a new password
and ending sessions; each checks its input, is audited as the acting admin, and changes nothing twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from goodpath.access import auth
from goodpath.access.models import BrowserSession
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import NotFound, Refused


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
