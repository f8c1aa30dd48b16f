"""The legal-authority catalogue (registry/data/authorities.yaml) as the registry uses it."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.core import audit_log as audit
from goodpath.core.models import PUBLIC_MARKING
from goodpath.registry.curated import load_authorities
from goodpath.registry.models import LegalAuthority

# The law is public: the catalogue is shown to everyone, logged in or not.
PUBLISHED = {**PUBLIC_MARKING, "published": True}


@cache
def for_program(program: str | None, dataset: str | None = None) -> str | None:
    """The authority code a list's program code rests on, or None when unmapped.

    The dataset matters: UN regimes share codes such as "DPRK" with OFAC programs."""
    if not program:
        return None
    authority = load_authorities().authority_for_program(program, dataset)
    return authority.code if authority else None


@cache
def _measures(code: str) -> tuple[str, ...]:
    authority = load_authorities().authorities.get(code)
    return tuple(m.code for m in authority.measures) if authority else ()


def default_measures(code: str | None) -> list[str]:
    """A list entry says only the program: assume every measure of its authority."""
    return list(_measures(code)) if code else []


def sync(session: Session, actor: str = "system") -> None:
    """Mirror the catalogue into legal_authority so sanctions can reference it (audited)."""
    catalogue = load_authorities()
    stored = {a.code: a for a in session.scalars(select(LegalAuthority))}
    added, updated = [], []
    for code, authority in catalogue.authorities.items():
        data = authority.model_dump(mode="json")
        row = stored.get(code)
        if row is None:
            session.add(LegalAuthority(code=code, title=authority.title, kind=authority.kind, data=data, **PUBLISHED))
            added.append(code)
        elif row.data != data:
            row.title, row.kind, row.data = authority.title, authority.kind, data
            updated.append(code)
    if added or updated:
        audit.record(
            session,
            actor=actor,
            action="registry.authorities.sync",
            target_type="legal_authority",
            after={"added": added, "updated": updated},
            reason="legal-authority catalogue (registry/data/authorities.yaml) changed",
        )
    session.flush()


def add_period(start: date | None, years: int = 0, months: int = 0, days: int = 0) -> date | None:
    """``start`` plus a calendar period (31 Jan + 1 month = 28/29 Feb)."""
    if start is None:
        return None
    total = start.month - 1 + months + 12 * years
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=days)


def term_dates(code: str | None, imposed_on: date | None) -> tuple[date | None, date | None]:
    """(earliest possible end, natural expiry) of a sanction under an authority.

    A minimum term gives the earliest end only; a fixed term ends by itself; terms set by
    each order (INKSNA) or indefinite ones (EO 13382) give neither without the order."""
    authority = load_authorities().authorities.get(code) if code else None
    if authority is None or imposed_on is None:
        return None, None
    duration = authority.duration
    if duration.type not in ("minimum", "fixed"):
        return None, None
    end = add_period(imposed_on, duration.years or 0, duration.months or 0)
    return end, end if duration.type == "fixed" else None
