"""One demo user per role, so the demo can be tried from every seat.

DEMO DATA ONLY: the passwords are public (``goodpath-<username>-demo``) and are returned
so the caller can print them. Never run this against a real deployment.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access import auth
from goodpath.access.models import User
from goodpath.access.policy import Role
from goodpath.registry.models import Party

DEMO_COMPANY_KEY = "norinco"
# (username, role, clearance, organization, display name)
DEMO_USERS: tuple[tuple[str, Role, str, str, str], ...] = (
    ("analyst", Role.ANALYST, "SECRET", "USA", "Demo Analyst"),
    ("approver", Role.APPROVER, "SECRET", "USA", "Demo Approver"),
    ("partner", Role.PARTNER_OFFICER, "CONFIDENTIAL", "CHN", "Demo Partner Officer"),
    ("company", Role.COMPANY_OFFICER, "UNCLASSIFIED", "NORINCO", "Demo Company Officer"),
    ("auditor", Role.AUDITOR, "SECRET", "USA", "Demo Auditor"),
    ("admin", Role.ADMIN, "SECRET", "USA", "Demo Admin"),
)


def demo_password(username: str) -> str:
    return f"goodpath-{username}-demo"


def ensure_demo_users(session: Session, actor: str) -> list[dict]:
    """Create the demo users that are missing; existing ones (and their passwords) are left alone.

    One row per demo user: username, role, clearance, organization, password (the demo
    default), outcome (created, exists or skipped) and a note."""
    company_id = session.scalars(select(Party.id).where(Party.key == DEMO_COMPANY_KEY)).first()
    return [_ensure(session, actor, spec, company_id) for spec in DEMO_USERS]


def _ensure(session: Session, actor: str, spec: tuple, company_id: str | None) -> dict:
    username, role, clearance, organization, display_name = spec
    row = {
        "username": username,
        "role": role.value,
        "clearance": clearance,
        "organization": organization,
        "password": demo_password(username),
        "outcome": "created",
        "note": "demo password: not for real use",
    }
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        return {**row, "outcome": "exists", "note": "already there; its password was left unchanged"}
    if role is Role.COMPANY_OFFICER and company_id is None:
        return {**row, "outcome": "skipped",
                "note": f"no party with key {DEMO_COMPANY_KEY!r}; load the demo data first"}  # fmt: skip
    company = company_id if role is Role.COMPANY_OFFICER else None
    auth.create_user(session, username, demo_password(username), role, clearance, organization,
                     company_party_id=company, display_name=display_name, actor=actor)  # fmt: skip
    return row
