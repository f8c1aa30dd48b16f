"""Exports and batch results never run code in a spreadsheet (OWASP CSV injection) and survive
control characters: formula-leading text is quote-prefixed (and quoted) in CSV and an explicit text
cell in Excel, numbers stay numbers, control characters are shown as their Unicode pictures."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from goodpath.api import app
from goodpath.engagement import export, pledges
from goodpath.lists import service as lists
from goodpath.screening.batch import run_batch
from tests.factories import OPERATOR, bearer_headers, entity, parsed

pytestmark = pytest.mark.usefixtures("cheap_hashing")  # a user is made per test; the hash is not what is probed
FORMULAS = ["=1+1", "+SUM(A1:A2)", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x.test","go")']
HARMLESS = ["NORINCO", "中国北方工业公司", "a=b", "x-1", " ", "", "It's fine"]
ROWS = [
    {"id": n, "text": text, "amount": -3, "share": -0.5, "tags": ["=1+1"], "done": True}
    for n, text in enumerate(FORMULAS + HARMLESS, start=1)
]


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_csv_quote_prefixes_formula_text_and_keeps_numbers():
    data = export.to_csv(ROWS)
    header, *rows = _cells(data)
    assert header == ["id", "text", "amount", "share", "tags", "done"]
    assert [r[1] for r in rows] == ["'" + f for f in FORMULAS] + HARMLESS
    assert all(r[2] == "-3" and r[3] == "-0.5" and r[4] == '["=1+1"]' for r in rows)
    lines = data.decode("utf-8").splitlines()
    assert lines[1] == '1,"\'=1+1",-3,-0.5,"[""=1+1""]",True'  # text quoted, numbers bare: -3 is not text


def test_csv_and_xlsx_show_control_characters_instead_of_failing():
    rows = [{"id": 1, "text": "bell\x07 nul\x00 esc\x1b tab\tnew\nline"}]
    assert _cells(export.to_csv(rows))[1][1] == "bell␇ nul␀ esc␛ tab\tnew\nline"
    sheet = load_workbook(io.BytesIO(export.to_xlsx(rows))).active
    assert sheet["B2"].value == "bell␇ nul␀ esc␛ tab\tnew\nline"


def test_xlsx_never_holds_a_formula_and_keeps_the_text():
    sheet = load_workbook(io.BytesIO(export.to_xlsx(ROWS, "pledges"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [sheet.cell(row=n, column=2) for n in range(2, len(ROWS) + 2)]
    assert [c.value or "" for c in texts] == FORMULAS + HARMLESS  # the text itself, as it was
    assert all(c.quotePrefix for c in texts[: len(FORMULAS)]) and not any(c.quotePrefix for c in texts[len(FORMULAS) :])
    assert all(sheet.cell(row=n, column=3).value == -3 for n in range(2, len(ROWS) + 2))  # a number, not text


def test_api_exports_of_a_pledge_with_a_formula_and_a_control_character(session):
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="=HYPERLINK(\"http://x.test\")\x01",
                   owner="@owner")  # fmt: skip
    session.commit()
    client = TestClient(app, headers=bearer_headers(session))
    sheet = client.get("/pledges", params={"format": "xlsx"})
    assert sheet.status_code == 200
    values = {c.value: c.data_type for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows() for c in row}
    assert values['=HYPERLINK("http://x.test")␁'] == "s" and values["@owner"] == "s"
    table = client.get("/pledges", params={"format": "csv"})
    header, row = _cells(table.content)
    assert row[header.index("text")] == '\'=HYPERLINK("http://x.test")␁' and row[header.index("owner")] == "'@owner"


def test_batch_results_and_rejects_escape_input_ids_and_list_names(session, tmp_path):
    lists.apply_parsed(session, parsed([entity("1", "=HYPERLINK(EVIL) TRADING"), entity("2", "+GAMMA ROCKETS")]),
                       dataset="injection-test")  # fmt: skip
    session.commit()
    source = tmp_path / "in.csv"
    source.write_text('id,name\n"=1+1","=HYPERLINK(EVIL) TRADING"\n@cmd,+GAMMA ROCKETS\n-2,\n', encoding="utf-8")
    run_batch(session, OPERATOR, source, tmp_path / "out.csv", workers=1)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        hits = list(csv.DictReader(handle))
    assert [(h["id"], h["matched_name"], h["caption"]) for h in hits] == [
        ("'=1+1", "'=HYPERLINK(EVIL) TRADING", "'=HYPERLINK(EVIL) TRADING"),
        ("'@cmd", "'+GAMMA ROCKETS", "'+GAMMA ROCKETS"),
    ]
    assert float(hits[0]["score"]) > 0.9 and hits[0]["rank"] == "1"
    with open(tmp_path / "out.rejects.csv", encoding="utf-8", newline="") as handle:
        assert [(r["line"], r["id"]) for r in csv.DictReader(handle)] == [("4", "'-2")]
