"""The marking fields of every form that creates a record (the ``marking_fields`` macro of
templates/_macros.html draws them): a classification, and whether the record is released to the
other side of the channel. By default a record stays with its maker's organization (what
``access.records.marking`` does with no ``share_with``); releasing it to the partner government is
an explicit choice. Nothing is checked here: the services refuse a classification above the
user's clearance or a bad organization code, and the page shows their error.
"""

from __future__ import annotations

from collections.abc import Mapping

from goodpath.access.policy import Viewer
from goodpath.core.models import Classification
from goodpath.core.settings import hosting_organization

CLASSIFICATIONS = tuple(Classification.__members__)
PARTNER = "CHN"  # the partner government of the working-level channel, as the services' defaults
RELEASE_FIELD = "release_to_partner"
DEFAULTS = {"classification": "UNCLASSIFIED"}


def other_side(viewer: Viewer, *candidates: str | None) -> str:
    """The government across the channel from ``viewer``: the first of ``candidates`` (e.g. the
    form's partner or counterpart; default the partner government) that is not the viewer's own
    organization, else, for the partner's own officers, the hosting organization."""
    own = viewer.organization or hosting_organization()
    codes = [(c or "").strip().upper() for c in candidates or (PARTNER,)]
    for code in codes:
        if code and code != own:
            return code
    return hosting_organization() if own != hosting_organization() else ""


def typed(fields: Mapping[str, str]) -> dict[str, str]:
    """The marking fields as typed, to draw the form again."""
    return {
        "classification": (fields.get("classification") or "").strip().upper(),
        RELEASE_FIELD: "1" if fields.get(RELEASE_FIELD) else "",
    }


def releases(fields: Mapping[str, str]) -> bool:
    return bool(fields.get(RELEASE_FIELD))


def read(viewer: Viewer, fields: Mapping[str, str], *candidates: str | None) -> dict[str, str | None]:
    """``classification`` and ``releasability`` for a service's create call: the viewer's own
    organization, plus the other side of the channel (see ``other_side``) when the form releases
    the record to it."""
    own = viewer.organization or hosting_organization()
    shared = other_side(viewer, *candidates) if releases(fields) else ""
    return {
        "classification": (fields.get("classification") or "").strip().upper() or None,
        "releasability": ",".join(code for code in (own, shared) if code),
    }


def place(errors: dict[str, str], key: str = "form") -> dict[str, str]:
    """A service's refusal of the marking (``errors[key]``) moved next to the marking field it is about."""
    text = errors.get(key, "")
    for prefix, field in (("you cannot mark", "classification"), ("classification", "classification"),
                          ("releasability", "releasability")):  # fmt: skip
        if text.lower().startswith(prefix):
            return {field: errors[key]} | {k: v for k, v in errors.items() if k != key}
    return errors
