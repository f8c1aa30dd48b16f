"""What every engagement workflow shares: markings of new records, reading through the access
policy, status transitions with their history and audit entries, and plain-dict output.

A workflow is a ``Workflow``: its statuses and the allowed transitions. ``transition`` refuses
anything else with a message naming what is allowed, and writes the event history and the
audit entry in the caller's transaction, so a refused change changes nothing.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, can_read, level, read_filter
from goodpath.audit import service as audit
from goodpath.core.api_types import DAY_MAX, DAY_MIN, ID_MAX
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import RELEASABLE_TO_ALL, Classification, utcnow
from goodpath.engagement.models import EngagementEvent
from goodpath.registry.models import Party

ORG_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,39}$")

PERMISSION_WORDS = {
    Permission.MANAGE_ENGAGEMENT: "manage engagement records",
    Permission.RESPOND_CASES: "respond to cases for the partner government",
    Permission.SUBMIT_DISCLOSURES: "submit disclosures",
}


def require(viewer: Viewer, *permissions: Permission) -> None:
    """Refuse unless the viewer holds one of ``permissions``."""
    if not any(can(viewer, p) for p in permissions):
        raise Refused(f"you do not have permission to {PERMISSION_WORDS.get(permissions[0], permissions[0].value)}")


def marking(
    viewer: Viewer,
    classification: str | None = None,
    releasability: str | None = None,
    *,
    share_with: Iterable[str] = (),
    published: bool = False,
) -> dict:
    """The marking of a record ``viewer`` makes. Default: UNCLASSIFIED, releasable to the
    viewer's organization plus ``share_with`` (e.g. the partner government of a case).
    Nobody can mark a record above their own clearance (they could not read it back)."""
    classification = (classification or "UNCLASSIFIED").strip().upper()
    if classification not in Classification.__members__:
        raise GoodpathError(
            f"classification must be one of {', '.join(Classification.__members__)}, not {classification!r}"
        )
    if level(classification) > viewer.clearance:
        raise GoodpathError(f"you cannot mark a record {classification}: above your clearance")
    originator = viewer.organization or "USA"
    return {
        "classification": classification,
        "releasability": canonical_releasability(releasability, [originator, *share_with]),
        "originator": originator,
        "published": published,
    }


def canonical_releasability(value: str | None, default: Iterable[str]) -> str:
    """``"ALL"`` or sorted, de-duplicated organization codes without spaces (``"CHN,USA"``)."""
    if value is not None and value.strip().upper() == RELEASABLE_TO_ALL:
        return RELEASABLE_TO_ALL
    codes = [c.strip().upper() for c in value.split(",")] if value else [c.upper() for c in default if c]
    codes = sorted({c for c in codes if c})
    bad = [c for c in codes if not ORG_CODE.match(c)]
    if bad or not codes:
        raise GoodpathError(f"releasability must be ALL or organization codes like USA,CHN; not {value!r}")
    return ",".join(codes)


def get_readable(session: Session, viewer: Viewer, model, record_id: Any, what: str):
    """The record, or NotFound: a record the viewer may not read does not exist for them (nor does an
    id no database could store: above 2^63-1, an OverflowError on SQLite)."""
    out_of_range = isinstance(record_id, int) and not 1 <= record_id <= ID_MAX
    record = session.get(model, record_id) if record_id is not None and not out_of_range else None
    if record is None or not can_read(viewer, record):
        raise NotFound(f"no {what} {record_id!r}")
    return record


def readable(session: Session, viewer: Viewer, model):
    """A SELECT of ``model`` filtered to what the viewer may read."""
    return select(model).where(read_filter(viewer, model))


def party_of(session: Session, viewer: Viewer, party_id: str | None) -> Party | None:
    """The registry party ``party_id`` (None stays None), or NotFound when the viewer cannot see it."""
    if party_id is None:
        return None
    return get_readable(session, viewer, Party, party_id, "party")


def accepts_party_key(service: Callable) -> Callable:
    """Let ``service``'s ``party_id`` be a party's key too (``norinco``), as the registry's routes
    do: the key becomes the id before the service runs, and every access check stays the service's.
    Only the key of a party the viewer may read becomes its id: any other stays as typed, so that what
    the service answers (its "not found") names no hidden party's id."""
    signature = inspect.signature(service)

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        value = bound.arguments.get("party_id")
        if isinstance(value, str) and value:
            session, viewer = bound.arguments["session"], bound.arguments["viewer"]
            found = session.scalars(select(Party.id).where(Party.key == value, read_filter(viewer, Party))).first()
            bound.arguments["party_id"] = found or value
        return service(*bound.args, **bound.kwargs)

    return wrapper


@dataclass(frozen=True)
class Workflow:
    """Statuses and the allowed transitions between them: ``{from: {to, ...}}``."""

    name: str
    transitions: dict[str, frozenset[str]]

    @property
    def statuses(self) -> tuple[str, ...]:
        seen = dict.fromkeys(self.transitions)
        for targets in self.transitions.values():
            seen.update(dict.fromkeys(sorted(targets)))
        return tuple(seen)

    def check(self, current: str, target: str) -> None:
        if target not in self.statuses:
            raise GoodpathError(f"{self.name} status must be one of {', '.join(self.statuses)}, not {target!r}")
        allowed = self.transitions.get(current, frozenset())
        if target not in allowed:
            options = ", ".join(sorted(allowed)) or "none: it is final"
            raise Refused(f"a {self.name} cannot go from {current} to {target} (allowed: {options})")


def transition(
    session: Session,
    viewer: Viewer,
    workflow: Workflow,
    record,
    target: str,
    *,
    occurred_on: date | None = None,
    note: str | None = None,
    source: str | None = None,
    status_field: str = "status",
    date_field: str | None = "status_on",
) -> EngagementEvent:
    """Move ``record`` to ``target`` if the workflow allows it, with its event and audit entry."""
    current = getattr(record, status_field)
    workflow.check(current, target)
    occurred_on = occurred_on or utcnow().date()
    last = last_event_date(session, workflow.name, record.id)
    if last is not None and occurred_on < last:
        raise Refused(f"{occurred_on.isoformat()} is before the {workflow.name}'s last step ({last.isoformat()})")
    before = to_dict(record)
    setattr(record, status_field, target)
    if date_field:
        setattr(record, date_field, occurred_on)
    event = add_event(session, viewer, workflow.name, record, current, target, occurred_on, note, source)
    audited(session, viewer, f"{workflow.name}.{target}", record, before=before, reason=note)
    return event


def add_event(
    session: Session,
    viewer: Viewer,
    record_type: str,
    record,
    from_status: str | None,
    to_status: str,
    occurred_on: date,
    note: str | None = None,
    source: str | None = None,
) -> EngagementEvent:
    event = EngagementEvent(
        record_type=record_type, record_id=record.id, from_status=from_status, to_status=to_status,
        occurred_on=occurred_on, recorded_by=viewer.actor, note=note, source=source,
        party_id=getattr(record, "party_id", None), classification=record.classification,
        releasability=record.releasability, originator=record.originator, published=record.published,
    )  # fmt: skip
    session.add(event)
    session.flush()
    return event


def last_event_date(session: Session, record_type: str, record_id: int) -> date | None:
    return session.scalars(
        select(EngagementEvent.occurred_on)
        .where(EngagementEvent.record_type == record_type, EngagementEvent.record_id == record_id)
        .order_by(EngagementEvent.occurred_on.desc())
        .limit(1)
    ).first()


def history(session: Session, viewer: Viewer, record_type: str, record_id: int) -> list[dict]:
    rows = session.scalars(
        select(EngagementEvent)
        .where(EngagementEvent.record_type == record_type, EngagementEvent.record_id == record_id)
        .where(read_filter(viewer, EngagementEvent))
        .order_by(EngagementEvent.occurred_on, EngagementEvent.id)
    )
    return [
        {"from": e.from_status, "to": e.to_status, "on": e.occurred_on.isoformat(), "by": e.recorded_by,
         "note": e.note, "source": e.source}  # fmt: skip
        for e in rows
    ]


def audited(session: Session, viewer: Viewer, action: str, record, *, before: dict | None = None, reason=None) -> None:
    """One audit entry for a change of ``record``, carrying the record's own marking."""
    session.flush()
    audit.record(
        session, actor=viewer.actor, action=action, target_type=record.__tablename__, target_id=str(record.id),
        before=before, after=to_dict(record), reason=reason, classification=record.classification,
        releasability=record.releasability,
    )  # fmt: skip


def to_dict(record, *, exclude: Iterable[str] = ()) -> dict:
    """The record's columns as JSON-ready values (dates in ISO 8601)."""
    skip = {"demo_key", *exclude}
    return {c.key: _plain(getattr(record, c.key)) for c in record.__table__.columns if c.key not in skip}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def parse_date(value: str | date | None, field: str) -> date | None:
    """An ISO date (YYYY-MM-DD) from 1900 to 2999, or a clear error naming the field."""
    if value is None:
        return None
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise GoodpathError(f"{field} must be a date as YYYY-MM-DD, not {text!r}") from None
    if not DAY_MIN <= day <= DAY_MAX:
        raise GoodpathError(f"{field} must be a day from {DAY_MIN} to {DAY_MAX}, not {day.isoformat()}")
    return day


def required_text(value: str | None, field: str, max_length: int = 4000) -> str:
    text = (value or "").strip()
    if not text:
        raise GoodpathError(f"{field} is required")
    if len(text) > max_length:
        raise GoodpathError(f"{field} is longer than {max_length} characters")
    return text


def one_of(value: str | None, allowed: Iterable[str], field: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise GoodpathError(f"{field} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def country_code(value: str | None, field: str = "country", *, required: bool = False) -> str | None:
    text = (value or "").strip().upper()
    if not text:
        if required:
            raise GoodpathError(f"{field} is required (a two-letter ISO code, e.g. IR)")
        return None
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise GoodpathError(f"{field} must be a two-letter ISO country code (e.g. IR), not {value!r}")
    return text
