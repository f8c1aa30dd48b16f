"""As whom a ``goodpath pathway`` command acts: the local operator (an analyst), or with ``--as USERNAME``
a real user of the users table, so that approving needs a second person with the approver role on the
command line too. Shared by the command modules (commands.py, alert_commands.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodpath.access import auth
from goodpath.access.operator import local_viewer
from goodpath.access.policy import Viewer
from goodpath.core.errors import Refused


def acting_viewer(session: Session, username: str | None) -> Viewer:
    """The operator, or the user ``username`` (refused when disabled)."""
    if not username:
        return local_viewer()
    user = auth.get_user(session, username)
    if user.disabled:
        raise Refused(f"user {user.username} is disabled")
    return auth.viewer_of(user)
