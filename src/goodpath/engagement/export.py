"""Lists exported as CSV or Excel (openpyxl): one row per record, nested values as JSON text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from goodpath.core.errors import GoodpathError

FORMATS = ("csv", "xlsx")


def _cell(value) -> str | int | float | bool | None:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _columns(rows: Sequence[dict]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def to_csv(rows: Sequence[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = _columns(rows)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if (v := _cell(row.get(c))) is None else v for c in columns])
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: Sequence[dict], title: str = "export") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on sheet names
    columns = _columns(rows)
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in columns])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(rows: Sequence[dict], fmt: str, title: str = "export") -> bytes:
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "xlsx":
        return to_xlsx(rows, title)
    raise GoodpathError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def write(rows: Sequence[dict], path: Path, title: str = "export") -> str:
    """Write ``rows`` to ``path``; the format comes from its suffix (.csv or .xlsx)."""
    fmt = path.suffix.lower().lstrip(".")
    data = export(rows, fmt, title)
    path.write_bytes(data)
    return fmt


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
