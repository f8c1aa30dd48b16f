"""As whom a ``goodpath pathway`` command acts: the command line's acting user, or with ``--as USERNAME``
a real user of the users table, so that approving needs a second person with the approver role on the
command line too (``goodpath --as USER pathway ...`` does the same for every command). Shared by the command
modules (commands.py, alert_commands.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodpath.access import operator
from goodpath.access.operator import local_viewer
from goodpath.access.policy import Viewer


def acting_viewer(session: Session, username: str | None) -> Viewer:
    """The command line's acting user (``goodpath --as USER``, else the operator), or the user ``username``
    (unknown or disabled: refused with exit status 2, as for ``goodpath --as``)."""
    if not username:
        return local_viewer()
    return operator.acting_viewer(session, username)
