"""Finding engagement records by words: cases and pledges whose text holds every word typed (any case,
any script), read through the access policy, so that a record the viewer may not read is neither
listed nor counted. The one search box of the web (``/ui/search``) composes these with the registry's
party search and the cables' text search."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer
from goodpath.access.records import readable
from goodpath.engagement import cases, pledges
from goodpath.engagement.models import Pledge, ViolationCase

MAX_WORDS = 8


def _pattern(word: str) -> str:
    return "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def words_match(text: str, *columns) -> ColumnElement[bool] | None:
    """Every word of ``text`` occurs in one of ``columns`` (any case); None when nothing was typed."""
    words = (text or "").split()[:MAX_WORDS]
    if not words:
        return None
    return and_(*[or_(*[func.lower(c).like(_pattern(w), escape="\\") for c in columns]) for w in words])


def _count_and_page(session: Session, query, limit: int, offset: int) -> tuple[int, list]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return total, list(session.scalars(query.limit(limit).offset(offset)))


def search_cases(
    session: Session,
    viewer: Viewer,
    text: str,
    *,
    party_ids: Iterable[str] = (),
    limit: int = 10,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """Readable cases whose reference, title, facts, end user or partner response hold every word of
    ``text``, or that concern one of ``party_ids`` (parties the caller found, and so may read);
    newest raised first: ``(total, rows)``."""
    matched = words_match(text, ViolationCase.reference, ViolationCase.title, ViolationCase.facts,
                          ViolationCase.end_user, ViolationCase.partner_response)  # fmt: skip
    if matched is None:
        return 0, []
    party_ids = [p for p in party_ids if p]
    clause = or_(matched, ViolationCase.party_id.in_(party_ids)) if party_ids else matched
    query = readable(session, viewer, ViolationCase).where(clause)
    query = query.order_by(ViolationCase.raised_on.desc(), ViolationCase.id.desc())
    total, found = _count_and_page(session, query, limit, offset)
    return total, [cases.case_row(c) for c in found]


def search_pledges(
    session: Session,
    viewer: Viewer,
    text: str,
    *,
    party_ids: Iterable[str] = (),
    limit: int = 10,
    offset: int = 0,
    today: date | None = None,
) -> tuple[int, list[dict]]:
    """Readable pledges whose text, owner, maker or addressee hold every word of ``text``, or that
    concern one of ``party_ids``; newest made first: ``(total, rows)``."""
    matched = words_match(text, Pledge.text, Pledge.owner, Pledge.pledged_by, Pledge.pledged_to)
    if matched is None:
        return 0, []
    party_ids = [p for p in party_ids if p]
    clause = or_(matched, Pledge.party_id.in_(party_ids)) if party_ids else matched
    query = readable(session, viewer, Pledge).where(clause).order_by(Pledge.made_on.desc(), Pledge.id.desc())
    total, found = _count_and_page(session, query, limit, offset)
    return total, [pledges.row(p, today) for p in found]
