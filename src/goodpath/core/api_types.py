"""The bounds every route's ids, keys and paging parameters share, as annotated types.

Out-of-bounds input is answered 422 before any route runs, never passed on to the database
(an id above 2^63-1 is an OverflowError on SQLite, a non-ASCII digit a ValueError in int()):

- ``RecordId`` (path), ``QueryId`` (optional query filter), ``BodyId`` (request body field):
  a record's id, 1 to 2^63-1 (a signed 64-bit integer, what both databases store);
  ``VersionNumber`` (path) likewise, a version's number.
- ``RecordKey`` (path): a record's id *or* its reference (a case: ``12`` or ``WLC-2007-001``);
  digits must be ASCII and in the id range, other text is a reference of at most 200 characters.
- ``Key`` (path): a key or id that is never a number (a party, a cable reference, a dataset).
- ``Limit`` (1 to 1000) and ``Offset`` (0 to 10^9) of a paged list.
- ``Day``: a day from 1900-01-01 to 2999-12-31 (``check_day``): what is computed from a day (a
  notice period, the next round of a cadence) never runs past the calendar's end.
- ``BodyInt``: a count or amount in a request body, within a signed 64-bit integer.
- ``ExpectedVersion``: the version of the record a status-changing request was drawn from, as an
  ``If-Match`` header (``"3"``, ``W/"3"`` or ``3``) or an ``expected_version`` query parameter;
  the service answers 409 (``StaleRecord``) when the record has changed since (core.workflow).

``parse_id`` reads an id typed into a form the same way (None when it is not one).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Query
from pydantic import AfterValidator, Field

ID_MAX = 2**63 - 1
INT_MIN = -(2**63)
MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_KEY_LENGTH = 200
DAY_MIN, DAY_MAX = date(1900, 1, 1), date(2999, 12, 31)


def parse_id(text: str | None) -> int | None:
    """``text`` as a record id (ASCII digits, 1 to 2^63-1), or None."""
    value = (text or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(ID_MAX)):
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def check_day(value: date) -> date:
    if not DAY_MIN <= value <= DAY_MAX:
        raise ValueError(f"a day must be from {DAY_MIN} to {DAY_MAX}, not {value}")
    return value


def _id_or_reference(value: str) -> str:
    text = value.strip()
    if text.isdigit() and parse_id(text) is None:  # str.isdigit: any script's digits, and ¹²³
        raise ValueError(f"an id must be written in ASCII digits, from 1 to {ID_MAX}")
    return value


def _no_control_characters(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("a key cannot hold control characters")
    return value


RecordId = Annotated[int, Path(ge=1, le=ID_MAX, description=f"A record's id, 1 to {ID_MAX}")]
VersionNumber = Annotated[int, Path(ge=1, le=ID_MAX, description="A version's number, from 1")]
QueryId = Annotated[int | None, Query(ge=1, le=ID_MAX, description=f"A record's id, 1 to {ID_MAX}")]
BodyId = Annotated[int, Field(ge=1, le=ID_MAX, description=f"A record's id, 1 to {ID_MAX}")]
BodyInt = Annotated[int, Field(ge=INT_MIN, le=ID_MAX)]
RecordKey = Annotated[
    str,
    Path(min_length=1, max_length=MAX_KEY_LENGTH, description="An id (ASCII digits) or a reference"),
    AfterValidator(_id_or_reference),
    AfterValidator(_no_control_characters),
]
Key = Annotated[
    str,
    Path(min_length=1, max_length=MAX_KEY_LENGTH, description="A key or id"),
    AfterValidator(_no_control_characters),
]
Day = Annotated[date, AfterValidator(check_day)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many rows (1 to {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Rows skipped (0 to {MAX_OFFSET})")]


IF_MATCH_HELP = (
    'The record\'s `version` you read (e.g. `"3"` or `W/"3"`): if the record has changed since, nothing '
    "is changed and the answer is 409, naming who changed it, when and what. Optional: without it, no check."
)


def expected_version(
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=40, description=IF_MATCH_HELP)] = None,
    expected: Annotated[
        int | None, Query(alias="expected_version", ge=1, le=ID_MAX, description="The same as If-Match")
    ] = None,
) -> int | None:
    """The record version a status-changing request names (optimistic concurrency), or None."""
    version = None
    if if_match is not None and if_match.strip() != "*":
        text = if_match.strip().removeprefix("W/").strip().strip('"')
        version = parse_id(text)
        if version is None:
            raise HTTPException(422, f'If-Match must name a record version such as "3", not {if_match!r}')
    if version is not None and expected is not None and version != expected:
        raise HTTPException(422, "If-Match and expected_version name different versions")
    return version if version is not None else expected


ExpectedVersion = Annotated[int | None, Depends(expected_version)]
