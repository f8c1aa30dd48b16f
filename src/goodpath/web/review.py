"""The review step before anything irreversible, and the version a form was drawn from.

A POST handler of an irreversible action (deciding a proposal, closing a case, withdrawing a pledge,
revoking, disabling, deleting ...) checks its form as usual, then, when the form lacks
``confirmed=1``, answers ``review(...)`` instead of acting: a page (``templates/review.html``) saying
what will change and for whom -- the record, its current -> new state, who will see it (its marking
and releasability) and the consequences ``goodpath.consequences`` declares for the event the action
records -- with a form that posts the same fields again with ``confirmed=1`` and the CSRF token.
Nothing is written before that second post. ``refusal`` runs the action in a savepoint that is
always rolled back, so an action the service would refuse is refused on the form itself, before
any review.

Edit forms carry the ``version`` of the record they were drawn from (``expected_version``); the
services refuse a record changed since with ``StaleRecord``, which the page shows next to the form
with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from fastapi.responses import Response
from sqlalchemy.exc import ResourceClosedError
from sqlalchemy.orm import Session

from goodpath.access.deps import CSRF_FIELD
from goodpath.consequences import REACTIONS
from goodpath.core.api_types import parse_id
from goodpath.core.errors import GoodpathError
from goodpath.web.labels import N_
from goodpath.web.markings import releasable_to
from goodpath.web.rendering import Page

CONFIRMED = "confirmed"
VERSION = "version"

# What each reaction of goodpath.consequences does, as the review page says it (one per reaction).
CONSEQUENCES = {
    "rescreen_watched_names": N_("Every watched name is screened again against the new list data."),
    "breach_scan_of_listed_companies": N_(
        "Companies on the pathway whose list entries changed are scanned for breaches of their commitments."
    ),
    "refresh_disclosures": N_("Companies' disclosed counterparties take their new screening hits."),
    "breach_scan_of_confirmed_hits": N_("Companies with a confirmed hit are scanned for breaches."),
    "breach_scan_of_company": N_("The company is scanned for breaches of its relief conditions."),
    "breach_scan_of_recorded_sanction": N_(
        "Companies on the pathway whose group holds the sanctioned party are scanned for breaches: a new "
        "nonproliferation sanction breaches relief in force and proposes a snapback."
    ),
    "breach_scan_of_case_parties": N_(
        "When the outcome is “sanctioned”, the case's parties on the pathway are scanned for breaches of "
        "their relief conditions: a breach of relief in force proposes a snapback."
    ),
    "close_snapback_alerts": N_("A snapback closes the company's breach alerts (they become “snapped back”)."),
}


@dataclass(frozen=True)
class Change:
    """One line of "what changes": a field (a catalogue message), its value now and after; ``codes``:
    the values are codes drawn by their labels (statuses, stages, outcomes)."""

    field: str
    before: object
    after: object
    codes: bool = True


class Code(str):
    """A detail's value that is a code, drawn by its label (a kind, a status)."""


def confirmed(fields: Mapping[str, str]) -> bool:
    return fields.get(CONFIRMED) == "1"


def expected_version(fields: Mapping[str, str]) -> int | None:
    """The record version the form was drawn from, or None (an older form, or none given)."""
    return parse_id(fields.get(VERSION))


def consequences_of(event: str | None) -> list[str]:
    """What follows from ``event`` (an event of goodpath.consequences), as the review page says it."""
    return [CONSEQUENCES.get(reaction.name, reaction.name) for reaction in REACTIONS.get(event or "", ())]


def refusal(session: Session, action: Callable[[], object]) -> GoodpathError | None:
    """The service's refusal of ``action`` now (a StaleRecord among them), or None: the action runs in
    a savepoint that is always rolled back, so nothing is written either way."""
    nested = session.begin_nested()
    try:
        action()
    except GoodpathError as exc:
        return exc
    finally:
        try:
            nested.rollback()  # also when a failed flush deactivated it
        except ResourceClosedError:  # closed by the action itself
            pass
        session.expire_all()
    return None


def audience(record) -> dict:
    """Who will see the record: its classification, the organizations it is releasable to (None:
    every organization) and whether it is published to the public."""
    get = record.get if isinstance(record, dict) else lambda key, default=None: getattr(record, key, default)
    orgs = releasable_to(get("releasability"), get("originator"))
    return {"classification": get("classification") or "UNCLASSIFIED",
            "organizations": sorted(orgs) if orgs is not None else None,
            "published": bool(get("published", False))}  # fmt: skip


def review(
    page: Page,
    *,
    action: str,
    fields: Mapping[str, str],
    title: str,
    record,
    record_name: str,
    back: str,
    changes: Iterable[Change] = (),
    details: Iterable[tuple[str, object]] = (),
    consequences: Iterable[str] = (),
    button: str = N_("Confirm"),
    danger: bool = True,
    title_args: Mapping[str, object] | None = None,
    visible_to: str | None = None,
) -> Response:
    """The review page of an action: what will change (``changes``; ``details``: (label, value) pairs
    such as the note typed, a ``Code`` value drawn by its label), for whom (``record``'s marking), what
    follows (``consequences``), and a form re-posting ``fields`` to ``action`` with ``confirmed=1``.
    ``back``: where Cancel goes; ``visible_to``: who sees a record without a marking (a user, a
    token: a catalogue message in place of the marking)."""
    hidden = [(k, v) for k, v in fields.items() if k not in (CSRF_FIELD, CONFIRMED)]
    shown = [(name, value, isinstance(value, Code)) for name, value in details if value]
    return page.render(
        "review.html", title=title, title_args=dict(title_args or {}), record=record, record_name=record_name,
        action=action, hidden=hidden, back=back, changes=list(changes), details=shown,
        consequences=list(consequences), audience=audience(record), button=button, danger=danger,
        visible_to=visible_to,
    )  # fmt: skip
