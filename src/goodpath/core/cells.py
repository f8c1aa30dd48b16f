"""Spreadsheet cells made from data (CSV and Excel exports, batch screening results): never a
formula, never a control character.

A spreadsheet program reads a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (OWASP, "CSV Injection"): such text is written with a leading single
quote in CSV (``csv_cell``; the writers quote every text cell), and as an explicit text cell marked
quote-prefixed in Excel (``xlsx_cell``), so the text itself is kept. Numbers stay numbers (-3 is
not text). Control characters other than tab, line feed and carriage return, which an Excel file
cannot hold at all, are replaced by their visible Unicode pictures (U+0007 becomes U+2407 "␇").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What an XLSX file cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): C0 controls but tab, LF and CR.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PICTURES = str.maketrans({chr(code): chr(0x2400 + code) for code in range(32) if chr(code) not in "\t\n\r"})


def clean_text(text: str) -> str:
    """``text`` with its control characters (but tab, LF, CR) shown as their Unicode pictures."""
    return text.translate(_PICTURES) if CONTROL.search(text) else text


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_cell(value):
    """A value for a CSV cell: text cleaned, and quote-prefixed where a spreadsheet would compute it."""
    if isinstance(value, str):
        value = clean_text(value)
        return "'" + value if is_formula_like(value) else value
    return value


def csv_row(values: Iterable) -> list:
    return [csv_cell(v) for v in values]


def xlsx_cell(sheet, row: int, column: int, value) -> None:
    """Set a cell of an openpyxl ``sheet``: text is always a text cell (never a formula), formula-like
    text marked quote-prefixed (Excel keeps it text when edited), control characters shown."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True
    else:
        cell.value = value
