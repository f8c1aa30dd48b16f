"""The legal-authority catalogue (registry/data/authorities.yaml) as the registry uses it."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.registry.catalogue import load_authorities
from goodpath.registry.models import LegalAuthority


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


def sync(session: Session) -> None:
    """Mirror the catalogue into legal_authority so sanctions can reference it."""
    catalogue = load_authorities()
    stored = {a.code: a for a in session.scalars(select(LegalAuthority))}
    for code, authority in catalogue.authorities.items():
        data = authority.model_dump(mode="json")
        row = stored.get(code)
        if row is None:
            session.add(LegalAuthority(code=code, title=authority.title, kind=authority.kind, data=data))
        elif row.data != data:
            row.title, row.kind, row.data = authority.title, authority.kind, data
    session.flush()
