"""The viewer of the server's operator, as whom the command line acts."""

from __future__ import annotations

from goodpath.access.policy import Role, Viewer
from goodpath.core.cli_support import actor
from goodpath.core.models import Classification
from goodpath.core.settings import hosting_organization


def local_viewer() -> Viewer:
    """The CLI runs on the server, for its operator: an analyst of the hosting organization,
    cleared to the highest level (the operator can read the database files anyway)."""
    return Viewer(
        role=Role.ANALYST,
        clearance=Classification.SECRET,
        organization=hosting_organization(),
        username=actor(),
        user_id=0,
    )
