"""As whom the command line acts: a named user of the users table, never the OS account.

``goodpath --as USER ...`` names the user; without it the command acts as the configured operator
account (``GOODPATH_OPERATOR``, ``operator`` by default). Either way the command gets that user's
viewer -- role, clearance, organization, company -- and every service call applies the same policy
checks and need-to-know rules as the API does for that user; the audit log names the user.

The operator account is created the first time it is needed (``make run`` creates it through
``goodpath demo load``): an analyst of the hosting organization cleared to SECRET, as the command line
acted before it had users. It has a random password nobody is told, so it cannot log in to the web
until an admin resets it. An admin may disable it; every command then needs ``--as`` a user who is
enabled. Whoever runs commands on the server can read the database files anyway: the operator account
makes what they do attributable, not more powerful."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from goodpath.access import auth
from goodpath.access.models import User
from goodpath.access.policy import Permission, Role, Viewer
from goodpath.access.records import require
from goodpath.core.cli_support import ActingUserRefused, acting_username
from goodpath.core.db import session_scope
from goodpath.core.models import Classification
from goodpath.core.settings import hosting_organization, operator_username

OPERATOR_DISPLAY_NAME = "Operator (command line)"


def local_viewer() -> Viewer:
    """The viewer of the user this command acts as (``--as USER``, else the operator account).

    Raises ``ActingUserRefused`` (exit status 2 under ``user_errors``) for an unknown or disabled user;
    the operator account itself is created when it is missing."""
    with session_scope() as session:
        return acting_viewer(session, acting_username())


def acting_with(*permissions: Permission) -> Viewer:
    """``local_viewer()``, refused (as the API refuses with 403) unless the user holds one of ``permissions``:
    for commands whose service leaves the permission check to the route that calls it."""
    viewer = local_viewer()
    require(viewer, *permissions)
    return viewer


def acting_viewer(session: Session, username: str) -> Viewer:
    """The viewer of ``username``, refused when unknown or disabled; the operator account is created
    on first use."""
    name = auth.normalize_username(username)
    user = session.scalars(select(User).where(User.username == name)).first()
    if user is None and name == operator_username():
        user = ensure_operator(session)
    if user is None:
        raise ActingUserRefused(f"no user {username!r} to act as (goodpath users list shows the users)")
    if user.disabled:
        raise ActingUserRefused(f"user {user.username} is disabled: act as another user (goodpath --as USER ...)")
    return auth.viewer_of(user)


def ensure_operator(session: Session) -> User:
    """The operator account (``GOODPATH_OPERATOR``), created when missing; its creation is audited
    under its own name."""
    name = operator_username()
    user = session.scalars(select(User).where(User.username == name)).first()
    if user is not None:
        return user
    try:
        with session.begin_nested():
            user = auth.create_user(
                session, name, auth.generate_password(), Role.ANALYST, Classification.SECRET,
                hosting_organization(), display_name=OPERATOR_DISPLAY_NAME, actor=name,
            )  # fmt: skip
    except IntegrityError:  # another process created it meanwhile
        user = session.scalars(select(User).where(User.username == name)).one()
    return user
