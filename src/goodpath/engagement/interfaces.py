"""What the engagement commands and routes share: list output as a table, JSON or an export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import Response
from rich.markup import escape
from rich.table import Table

from goodpath.core.cli_support import console, print_json
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
        fmt = export.write(rows, export_to, title)
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


def export_response(rows: Sequence[dict], fmt: str, name: str) -> Response:
    """A download of ``rows`` as CSV or Excel."""
    data = export.export(rows, fmt, name)
    return Response(
        data, media_type=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )  # fmt: skip
