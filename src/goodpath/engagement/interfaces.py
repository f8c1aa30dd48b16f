"""What the engagement commands and routes share: their common options and request fields,
and list output as a table, JSON or an export.

Every export is audited (``goodpath.audit.exports``): a route's ``?format=csv|xlsx`` in the
request's transaction (``Lists``), the CLI's ``--export FILE`` in a transaction of its own,
committed before the file is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import typer
from fastapi import Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from goodpath.access.deps import PERMISSION_WORDS, current_viewer
from goodpath.access.operator import local_viewer
from goodpath.access.policy import Permission, Viewer, can
from goodpath.audit import exports
from goodpath.core.api_support import SESSION
from goodpath.core.cli_support import console, print_json
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError
from goodpath.core.fields import parse_date
from goodpath.engagement import export

CELL_CHARS = 60

# --- the commands' options ---------------------------------------------------------------------

JSON = typer.Option(False, "--json", help="Print as JSON.")
EXPORT = typer.Option(None, "--export", help="Write the list to FILE.csv or FILE.xlsx.")
TODAY = typer.Option(None, "--today", help="Evaluate overdue flags on this day (YYYY-MM-DD).")
ON = typer.Option(None, "--on", help="When it happened (YYYY-MM-DD; default today).")
# The markings of a record between governments (consultations, pledges, projects, cases, enforcement actions)
CLASSIFICATION = typer.Option(None, "--classification", help="Default UNCLASSIFIED.")
RELEASABILITY = typer.Option(None, "--releasability", help="ALL or codes like USA,CHN.")
# The markings of a company's record (dossiers, disclosures, ICP assessments), shared with the company
COMPANY_CLASSIFICATION = typer.Option(None, help="UNCLASSIFIED (default), CONFIDENTIAL or SECRET.")
COMPANY_RELEASABILITY = typer.Option(None, help="ALL or organization codes, e.g. USA,NORINCO.")
SHARE_WITH = typer.Option([], "--share-with", help="Also releasable to this organization (repeatable).")


def parse_today(value: str | None) -> date | None:
    """The ``--today`` option's day."""
    return parse_date(value, "--today")


def colon_parts(value: str, keys: tuple[str, str, str], option: str) -> dict:
    """``A:B:C`` as ``{keys[0]: A, keys[1]: B, keys[2]: C}`` (the last two optional)."""
    parts = [p.strip() for p in value.split(":", 2)]
    if not parts[0]:
        raise GoodpathError(f"{option} must look like {':'.join(k.upper() for k in keys)}, not {value!r}")
    return dict(zip(keys, parts + [None] * (3 - len(parts)), strict=True))


def done(result: dict, as_json: bool, message: str) -> None:
    """What a command that records something prints: the record as JSON, or ``message``."""
    if as_json:
        print_json(result)
    else:
        console.print(message, highlight=False)


# --- the commands' output ----------------------------------------------------------------------


def print_rows(
    rows: Sequence[dict],
    columns: Sequence[str],
    *,
    title: str,
    as_json: bool = False,
    export_to: Path | None = None,
    flags: Callable[[dict], str] | None = None,
) -> None:
    """Print ``rows`` as a table of ``columns`` (or JSON); with ``export_to``, write CSV/Excel."""
    if export_to is not None:
        fmt = export_to.suffix.lower().lstrip(".")
        data = export.export(rows, fmt, title)  # an unknown format fails before anything is audited
        what = f"CLI export of {title} to {export_to.name}"
        with session_scope() as session:
            exports.record_rows(session, local_viewer(), what=what, fmt=fmt, rows=list(rows), name=title)
        export_to.write_bytes(data)
        console.print(f"{len(rows)} rows written to {export_to} ({fmt})", highlight=False)
        return
    if as_json:
        print_json(list(rows))
        return
    table = Table(*columns, *(["flags"] if flags else []), title=f"{title}: {len(rows)}")
    for row in rows:
        cells = [escape(_short("" if row.get(c) is None else str(row.get(c)))) for c in columns]
        table.add_row(*cells, *([escape(flags(row))] if flags else []))
    console.print(table)


def _short(text: str) -> str:
    """Long text is cut in a table (`show` and --json give it whole)."""
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


# --- the routes ------------------------------------------------------------------------------

Format = Literal["csv", "xlsx"] | None


class Marking(BaseModel):
    """The markings of a record between governments (consultations, pledges, projects)."""

    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400, description="ALL or codes, e.g. USA,CHN")
    source: str | None = Field(None, max_length=1000, description='Citation, e.g. "07BEIJING1900 ¶4"')


class CompanyMarking(BaseModel):
    """The markings of a company's record (dossiers, disclosures, ICP assessments)."""

    classification: str | None = Field(None, max_length=20)
    releasability: str | None = Field(None, max_length=400, description="ALL or codes; default yours + share_with")
    share_with: list[str] = Field(default_factory=list, description="Organization codes, e.g. the company's")
    source: str | None = Field(None, max_length=1000, description='Citation, e.g. "07BEIJING5360 ¶3"')


def require_any(viewer: Viewer, *permissions: Permission) -> None:
    """403 unless the viewer holds one of ``permissions`` (the first names what is missing)."""
    if not any(can(viewer, p) for p in permissions):
        raise HTTPException(403, f"you do not have permission to {PERMISSION_WORDS[permissions[0]]}")


@dataclass
class Lists:
    """How a list route answers: ``{"results", "total"}``, or with ``?format=csv|xlsx`` a download,
    audited in the request's transaction (who, the route, the row count, the highest marking)."""

    request: Request
    session: Session
    viewer: Viewer

    def answer(self, rows: list[dict], fmt: str | None, name: str) -> Any:
        return self.download(rows, fmt, name) if fmt else {"results": rows, "total": len(rows)}

    def download(self, rows: list[dict], fmt: str, name: str) -> Response:
        data = export.export(rows, fmt, name)
        url = self.request.url
        what = f"{self.request.method} {url.path}" + (f"?{url.query}" if url.query else "")
        exports.record_rows(self.session, self.viewer, what=what, fmt=fmt, rows=rows, name=name)
        return Response(
            data, media_type=export.MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
        )  # fmt: skip


def _lists(request: Request, viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> Lists:
    return Lists(request, session, viewer)


LISTS = Depends(_lists)
