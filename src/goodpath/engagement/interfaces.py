"""What the engagement commands and routes share: list output as a table, JSON or an export.

Every export is audited (``goodpath.audit.exports``): a route's ``?format=csv|xlsx`` in the
request's transaction (``Lists``), the CLI's ``--export FILE`` in a transaction of its own,
committed before the file is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, Request, Response
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from goodpath.access.deps import current_viewer
from goodpath.access.operator import local_viewer
from goodpath.access.policy import Viewer
from goodpath.audit import exports
from goodpath.core.api_support import SESSION
from goodpath.core.cli_support import console, print_json
from goodpath.core.db import session_scope
from goodpath.engagement import export

CELL_CHARS = 60


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
