"""Batch screening: a CSV of names in, hits out in input order; rejects; strict; workers; suppression."""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.access.policy import PUBLIC
from goodpath.cli import app
from goodpath.lists import service as lists
from goodpath.lists.records import ParsedName
from goodpath.registry.models import Party
from goodpath.screening import batch, dispositions, service
from goodpath.screening.batch import COLUMNS, BatchInputError, Header, RowRejected, run_batch, validate_row
from tests.factories import OPERATOR, entity, parsed

HEADER = "id,name,country,schema\n"


def _load(session, *entities, dataset="batch-test"):
    lists.apply_parsed(session, parsed(list(entities)), dataset=dataset)
    session.commit()


@pytest.fixture
def listed(session):
    """A few listed parties: one with an alias, a country, and three parties of the same name (ties)."""
    limmt = entity("9749", "LIMMT ECONOMIC AND TRADE COMPANY, LTD.", "LIMMT (DALIAN) METALLURGY AND MINERALS")
    poly = entity("20", "POLY TECHNOLOGIES")
    poly.countries = ["cn"]
    twins = [entity(f"3{n}", "ORIENT STAR SHIPPING") for n in range(3)]
    _load(session, limmt, poly, entity("2", "BANCO NACIONAL DE CUBA"), *twins)
    return session


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _run(session, tmp_path, text, viewer=OPERATOR, **options):
    source = _write(tmp_path / "in.csv", text)
    summary = run_batch(session, viewer, source, tmp_path / "out.csv", **options)
    return summary, _rows(tmp_path / "out.csv")


def test_columns_input_order_ranks_and_ties(listed, tmp_path):
    text = HEADER + "a,Orient Star Shipping,,\nb,Nobody Such Trading GmbH,,\nc,LIMMT Economic and Trade Company,,\n"
    summary, rows = _run(listed, tmp_path, text, workers=1)
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(COLUMNS)
    assert [(r["id"], r["rank"]) for r in rows] == [("a", "1"), ("a", "2"), ("a", "3"), ("c", "1")]
    twins = [r for r in rows if r["id"] == "a"]
    assert len({r["score"] for r in twins}) == 1  # equal scores: ranked by entity id
    assert [r["entity_id"] for r in twins] == sorted(r["entity_id"] for r in twins)
    party_ids = set(listed.scalars(select(Party.id)))
    for row in rows:
        assert row["entity_id"] in party_ids and row["list"] == "batch-test"
        assert 0 <= float(row["score"]) <= 1
    assert rows[-1]["caption"] == "LIMMT ECONOMIC AND TRADE COMPANY, LTD."
    assert (summary.rows, summary.screened, summary.hits, summary.rejected) == (3, 3, 4, 0)
    assert summary.receipt["lists"] == {"batch-test": 1}


def test_matched_name_is_the_alias_that_matched(listed, tmp_path):
    _, rows = _run(listed, tmp_path, "id,name\nx,Limmt Dalian Metallurgy and Minerals\n", workers=1)
    assert rows[0]["matched_name"] == "LIMMT (DALIAN) METALLURGY AND MINERALS"
    assert rows[0]["caption"] == "LIMMT ECONOMIC AND TRADE COMPANY, LTD."


def test_limit_per_query(listed, tmp_path):
    for limit, expected in ((1, 1), (2, 2), (3, 3), (10, 3)):
        _, rows = _run(listed, tmp_path, "id,name\nq,Orient Star Shipping\n", limit=limit, workers=1)
        assert [r["rank"] for r in rows] == [str(n) for n in range(1, expected + 1)], limit


def test_threshold_and_country(listed, tmp_path):
    text = "id,name,country\ntypo,LIMMT ECONOMC AND TRADE,\nsame,Poly Technologies,cn\nother,Poly Technologies,FR\n"
    _, low = _run(listed, tmp_path, text, threshold=0.5, workers=1)
    scores = {r["id"]: float(r["score"]) for r in low}
    assert 0.5 <= scores["typo"] < 1.0
    assert scores["other"] < scores["same"]  # the country is passed to the matcher
    _, high = _run(listed, tmp_path, text, threshold=scores["typo"] + 0.0001, workers=1)
    assert "typo" not in {r["id"] for r in high}
    assert all(float(r["score"]) >= scores["typo"] + 0.0001 for r in high)
    _, exact = _run(listed, tmp_path, text, threshold=scores["typo"], workers=1)
    assert "typo" in {r["id"] for r in exact}  # "at or above"


def test_rejects_are_reported_with_line_numbers(listed, tmp_path):
    text = (
        b"id,name,country,schema\n"  # line 1
        b"ok1,Banco Nacional de Cuba,,\n"  # 2
        b"\n"  # 3: blank, skipped
        b"e1,   ,,\n"  # 4
        b"e2,Acme,China,\n"  # 5
        b"e3,Acme,,Ship\n"  # 6
        b"e4,Acme, Ltd,CN,Company\n"  # 7: unquoted comma
        b"e5,Caf\xe9 Latin-1,,\n"  # 8
        b",No Id,,\n"  # 9
        b'e6,"two\nlines",,\n'  # 10-11
        b"e7,---,,\n"  # 12
        b"ok2,poly technologies,cn,company\n"  # 13
    )
    summary, rows = _run(listed, tmp_path, text, workers=1)
    assert [r["id"] for r in rows] == ["ok1", "ok2"]
    rejects = _rows(tmp_path / "out.rejects.csv")
    assert [(r["line"], r["id"]) for r in rejects] == [
        ("4", "e1"), ("5", "e2"), ("6", "e3"), ("7", "e4"), ("8", "e5"), ("9", ""), ("10", "e6"), ("12", "e7"),
    ]  # fmt: skip
    reasons = [r["reason"] for r in rejects]
    assert reasons[0] == "empty name"
    assert "2-letter" in reasons[1] and "Ship" in reasons[2] and "quoted" in reasons[3]
    assert "UTF-8" in reasons[4] and reasons[5] == "empty id" and "lines 10-11" in reasons[6]
    assert "letter or digit" in reasons[7]
    assert (summary.rows, summary.screened, summary.rejected) == (10, 2, 8)


def test_tabs_and_mojibake_in_names_are_screened_not_rejected(listed, tmp_path):
    # Real list names hold C1 controls from mis-decoded apostrophes ("Xi\x92an"); tabs are whitespace.
    summary, rows = _run(listed, tmp_path, "id,name\n1,Poly\tTechnologies\n2,Banco Nacional\x92 de Cuba\n", workers=1)
    assert summary.rejected == 0 and [r["id"] for r in rows] == ["1", "2"]


def test_rejects_path_option_and_nothing_rejected(listed, tmp_path):
    source = _write(tmp_path / "in.csv", "id,name\n1,Banco Nacional de Cuba\n")
    run_batch(listed, OPERATOR, source, tmp_path / "hits.csv", rejects_path=tmp_path / "bad.csv", workers=1)
    assert _rows(tmp_path / "bad.csv") == [] and not (tmp_path / "hits.rejects.csv").exists()


def test_strict_stops_at_the_first_malformed_row_and_leaves_nothing(listed, tmp_path):
    source = _write(tmp_path / "in.csv", "id,name\n1,Banco Nacional de Cuba\n2,\n3,Poly Technologies\n")
    (tmp_path / "out.csv").write_text("an older result\n")
    with pytest.raises(BatchInputError, match="line 3: empty name"):
        run_batch(listed, OPERATOR, source, tmp_path / "out.csv", strict=True, workers=1)
    assert (tmp_path / "out.csv").read_text() == "an older result\n"  # left as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]  # no partial or rejects file


def test_cli_strict_exits_non_zero_naming_the_line(db, listed, tmp_path):
    source = _write(tmp_path / "in.csv", "id,name,country\n1,Banco Nacional de Cuba,\n2,Acme,Cuba\n")
    result = CliRunner().invoke(app, ["screen-batch", str(source), "--output", str(tmp_path / "o.csv"), "--strict"])
    assert result.exit_code == 1
    assert "line 3" in result.output and "2-letter" in result.output
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "o.rejects.csv").exists()


def test_cli_screen_batch(db, listed, tmp_path):
    source = _write(tmp_path / "in.csv", "id,name\n1,Banco Nacional de Cuba\n2,\n3,Poly Technologies\n")
    out = tmp_path / "o.csv"
    args = ["screen-batch", str(source), "--output", str(out), "--limit", "1", "--workers", "1", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["rows"], body["screened"], body["hits"], body["rejected"]) == (3, 2, 2, 1)
    assert body["rejects"] == str(tmp_path / "o.rejects.csv")
    assert [r["id"] for r in _rows(out)] == ["1", "3"]
    assert _rows(tmp_path / "o.rejects.csv") == [{"line": "3", "id": "2", "reason": "empty name"}]


def test_cli_reports_an_unusable_file(db, tmp_path):
    source = _write(tmp_path / "in.csv", "id,label\n1,x\n")
    result = CliRunner().invoke(app, ["screen-batch", str(source), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 1 and "no 'name' column" in result.output


def test_one_and_two_workers_give_identical_output(listed, tmp_path):
    names = ["Orient Star Shipping", "Banco Nacional de Cuba", "Nobody Trading", "limmt economic trade", "Poly Tech"]
    lines = [f"r{n},{names[n % len(names)]},{'CN' if n % 3 == 0 else ''},\n" for n in range(1300)]
    lines[700] = "bad,,,\n"
    source = _write(tmp_path / "in.csv", HEADER + "".join(lines))
    seen: dict[int, list[int]] = {1: [], 2: []}
    summaries = {}
    for workers in (1, 2):
        summaries[workers] = run_batch(
            listed, OPERATOR, source, tmp_path / f"out{workers}.csv", workers=workers, progress=seen[workers].append
        )
    assert (tmp_path / "out1.csv").read_bytes() == (tmp_path / "out2.csv").read_bytes()
    assert (tmp_path / "out1.rejects.csv").read_bytes() == (tmp_path / "out2.rejects.csv").read_bytes()
    assert summaries[1].hits == summaries[2].hits > 1000 and summaries[2].rejected == 1
    for progress in seen.values():  # every chunk reported, in order, up to every row
        assert progress == sorted(progress) and progress[-1] == 1300 and len(progress) >= 3
    ids = [r["id"] for r in _rows(tmp_path / "out2.csv")]
    order = {f"r{n}": n for n in range(1300)}
    assert [order[i] for i in ids] == sorted(order[i] for i in ids)  # input order


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_stopped_midway_leaves_no_partial_output(listed, tmp_path, workers):
    source = _write(tmp_path / "in.csv", "id,name\n" + "".join(f"{n},Poly Technologies\n" for n in range(2000)))

    def stop(done: int) -> None:
        raise KeyboardInterrupt  # as Ctrl-C in the middle of the run

    with pytest.raises(KeyboardInterrupt):
        run_batch(listed, OPERATOR, source, tmp_path / "out.csv", workers=workers, progress=stop)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    again = run_batch(listed, OPERATOR, source, tmp_path / "out.csv", workers=workers)  # the workers are gone
    assert again.hits == 2000


def test_suppressed_false_positives_are_left_out_unless_asked(listed, tmp_path):
    hit = service.screen(listed, OPERATOR, "Banco Nacional de Cuba")["hits"][0]
    dispositions.record(
        listed, OPERATOR, name="Banco Nacional de Cuba", country=None, party_id=hit["party_id"],
        entry_id=hit["entry_id"], verdict="false_positive", reason="our customer is a different bank",
    )  # fmt: skip
    listed.commit()
    text = "id,name\n1,banco nacional de cuba\n2,Poly Technologies\n3,BANCO NACIONAL DE CUBA\n"
    summary, rows = _run(listed, tmp_path, text, workers=1)
    assert [r["id"] for r in rows] == ["2"] and summary.hits == 1
    _, everything = _run(listed, tmp_path, text, include_suppressed=True, workers=1)
    assert [(r["id"], r["suppressed"]) for r in everything] == [("1", "true"), ("2", "false"), ("3", "true")]
    assert list(everything[0]) == [*COLUMNS, "suppressed"]
    _, two_workers = _run(listed, tmp_path, text, workers=2)
    assert [r["id"] for r in two_workers] == ["2"]


def test_a_true_match_is_not_suppressed(listed, tmp_path):
    hit = service.screen(listed, OPERATOR, "Poly Technologies")["hits"][0]
    dispositions.record(
        listed, OPERATOR, name="Poly Technologies", country=None, party_id=hit["party_id"],
        entry_id=hit["entry_id"], verdict="true_match", reason="same company",
    )  # fmt: skip
    listed.commit()
    _, rows = _run(listed, tmp_path, "id,name\n1,Poly Technologies\n", workers=1)
    assert [r["entity_id"] for r in rows] == [hit["party_id"]]


def test_hits_go_through_the_access_policy(listed, tmp_path):
    summary, rows = _run(listed, tmp_path, "id,name\n1,Banco Nacional de Cuba\n", viewer=PUBLIC, workers=1)
    assert rows == [] and summary.screened == 1


def test_weak_alias_and_chinese_script(session, tmp_path):
    norinco = entity("30957", "CHINA NORTH INDUSTRIES CORPORATION")
    norinco.names.append(ParsedName("NORINCO", "weak_alias"))
    _load(session, norinco)
    _, rows = _run(session, tmp_path, "id,name\n1,中国北方工业公司\n2,Norinco\n", workers=1)
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[1]["matched_name"] == "NORINCO"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"id,label\n1,x\n", "no 'name' column"),
        (b"id,name,name\n1,x,y\n", "appears twice"),
        (b"id,nom\xe9\n1,x\n", "not UTF-8"),
        (codecs.BOM_UTF16_LE + "id,name\n".encode("utf-16-le"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "spreadsheet"),
        (b"id,name\r1,Acme\r", "carriage return"),
    ],
)
def test_unusable_files_are_refused_clearly(listed, tmp_path, content, message):
    source = _write(tmp_path / "in.csv", content)
    with pytest.raises(BatchInputError, match=message):
        run_batch(listed, OPERATOR, source, tmp_path / "out.csv", workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_paths_are_checked(listed, tmp_path):
    source = _write(tmp_path / "in.csv", "id,name\n1,x\n")
    with pytest.raises(BatchInputError, match="no such file"):
        run_batch(listed, OPERATOR, tmp_path / "missing.csv", tmp_path / "out.csv")
    with pytest.raises(BatchInputError, match="overwrite the input"):
        run_batch(listed, OPERATOR, source, source)
    with pytest.raises(BatchInputError, match="no folder"):
        run_batch(listed, OPERATOR, source, tmp_path / "nowhere" / "out.csv")


def test_bom_semicolons_and_no_id_column(listed, tmp_path):
    _, rows = _run(listed, tmp_path, codecs.BOM_UTF8 + b"Name;Country\nPoly Technologies;CN\n", workers=1)
    assert [r["id"] for r in rows] == ["2"]  # no id column: the line number is the id
    _, rows = _run(listed, tmp_path, codecs.BOM_UTF8 + b"id,name\nx,Poly Technologies\n", workers=1)
    assert [r["id"] for r in rows] == ["x"]


def test_an_overlong_line_is_rejected_without_stopping(listed, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "MAX_LINE", 1000)
    text = "id,name\n1,Poly Technologies\n2," + "x" * 5000 + "\n3,Banco Nacional de Cuba\n"
    summary, rows = _run(listed, tmp_path, text, workers=1)
    assert [r["id"] for r in rows] == ["1", "3"]
    assert [(r["line"], "longer" in r["reason"]) for r in _rows(tmp_path / "out.rejects.csv")] == [("3", True)]


# --- row validation: any row is accepted or rejected with a reason, never a crash --------------

HEADERS = [Header({"id": 0, "name": 1}, 2), Header({"id": 0, "name": 1, "country": 2, "schema": 3}, 4),
           Header({"name": 0}, 1)]  # fmt: skip


@given(st.sampled_from(HEADERS), st.lists(st.text(max_size=30), max_size=6), st.integers(2, 10**7))
def test_validate_row_accepts_or_rejects_with_a_reason(header, fields, line):
    try:
        row = validate_row(header, fields, line)
    except RowRejected as exc:
        assert exc.reason
        return
    assert row.name.strip() == row.name and any(ch.isalnum() for ch in row.name) and row.id
    assert row.country is None or (len(row.country) == 2 and row.country.isupper())
    assert row.schema is None or row.schema in batch.SCHEMATA


cell = st.one_of(
    st.text(max_size=12), st.sampled_from(["CN", "xx", "Company", "vessel", "", " ", '"', "a,b", "\n", "\r"])
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, max_size=5), max_size=12), junk=st.binary(max_size=20))
def test_any_csv_is_screened_or_rejected_row_by_row(listed, tmp_path, rows, junk):
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "country", "schema"])
        writer.writerows(rows)
    with open(source, "ab") as handle:
        handle.write(junk)
    summary = run_batch(listed, OPERATOR, source, tmp_path / "out.csv", workers=1)
    rejects = _rows(tmp_path / "out.rejects.csv")
    assert summary.rows == summary.screened + summary.rejected and len(rejects) == summary.rejected
    assert all(int(r["line"]) >= 2 and r["reason"] for r in rejects)
    assert all(0 <= float(r["score"]) <= 1 for r in _rows(tmp_path / "out.csv"))
