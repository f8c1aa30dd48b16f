"""Fields every domain reads and writes alike: dates, required text, codes, releasability, and a
record's columns as JSON-ready values. Each check raises a GoodpathError naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from goodpath.core.api_types import DAY_MAX, DAY_MIN
from goodpath.core.errors import GoodpathError
from goodpath.core.models import RELEASABLE_TO_ALL

ORG_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,39}$")


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
