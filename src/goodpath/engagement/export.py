"""Lists exported as CSV or Excel (openpyxl): one row per record, nested values as JSON text.

No cell is ever a formula or holds a control character (``goodpath.core.cells``): text that a
spreadsheet would compute is quote-prefixed in CSV and an explicit text cell in Excel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from openpyxl import Workbook

from goodpath.core.cells import csv_row, xlsx_cell
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
    columns = _columns(rows)
    csv.writer(out, lineterminator="\n").writerow(csv_row(columns))
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)  # every text cell quoted
    for row in rows:
        writer.writerow(csv_row("" if (v := _cell(row.get(c))) is None else v for c in columns))
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: Sequence[dict], title: str = "export") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on sheet names
    columns = _columns(rows)
    for column, name in enumerate(columns, start=1):
        xlsx_cell(sheet, 1, column, name)
    for number, row in enumerate(rows, start=2):
        for column, name in enumerate(columns, start=1):
            xlsx_cell(sheet, number, column, _cell(row.get(name)))
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


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
