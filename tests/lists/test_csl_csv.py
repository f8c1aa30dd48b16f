"""Consolidated Screening List CSV parser (csl-csv): real files, malformed files, generated lists."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.core.settings import get_settings
from goodpath.lists.formats import csl_csv
from goodpath.lists.records import ListFormatError, ParsedAddress, ParsedList

CSL = get_settings().shared_dir / "data" / "csl"
CONSOLIDATED = CSL / "consolidated.csv"
CSL_2023 = CSL / "csl_2023-11.csv"
SAMPLE_2023 = CSL / "consolidated_sample_watchman_cslustest.csv"
SAMPLE_2019 = CSL / "csl_sample_watchman_test.csv"

COLUMNS_2019 = [
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
]
COLUMNS_2022 = ["_id", *COLUMNS_2019]
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
CAP = "Capta List (CAP) - Treasury Department"
EL = "Entity List (EL) - Bureau of Industry and Security"
ISN = "Nonproliferation Sanctions (ISN) - State Department"


@pytest.fixture(scope="module")
def csl_consolidated() -> ParsedList:
    return csl_csv.parse(CONSOLIDATED)


@pytest.fixture(scope="module")
def csl_2023_complete(tmp_path_factory) -> ParsedList:
    """csl_2023-11.csv without its last record, which the stored copy cuts mid-field."""
    data = CSL_2023.read_bytes()
    end = data.rindex(b"\n") + 1
    assert data[end:].startswith(b'"11476","Specially Designated Nationals')
    path = tmp_path_factory.mktemp("csl") / "csl_2023-11_complete.csv"
    path.write_bytes(data[:end])
    return csl_csv.parse(path)


def by_id(parsed: ParsedList, external_id: str):
    return next(e for e in parsed.entities if e.external_id == external_id)


def names_of(entity, kind: str) -> list[str]:
    return [n.value for n in entity.names if n.kind == kind]


def lines_in(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def write_csl(path: Path, rows: list[dict], columns=COLUMNS_2022, quoting=csv.QUOTE_MINIMAL) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=quoting, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
    return path


# --- the real lists --------------------------------------------------------------------


def test_consolidated_counts_and_repeated_ids(csl_consolidated):
    # 14160 data rows. 71 _ids sit on more than one row (112 extra rows): the same OFAC
    # entity number on SDN and CAPTA / NS-MBS / FSE / PLC rows, which differ at least in
    # their source. None of them is an identical copy, so nothing is merged and every
    # row is one entity: 14160 - 0 merged = 14160.
    assert len(csl_consolidated.entities) == 14160
    assert csl_consolidated.format == "csl-csv" and csl_consolidated.default_dataset == "us-csl"
    assert csl_consolidated.published is None
    ids = [e.external_id for e in csl_consolidated.entities]
    assert len(set(ids)) == len(ids)
    suffixed = [i for i in ids if "#" in i]
    assert len(suffixed) == 112 and len({i.split("#")[0] for i in suffixed}) == 71
    assert Counter(i.split("#")[1] for i in suffixed) == {"2": 71, "3": 41}
    assert len(csl_consolidated.notes) == 1
    assert csl_consolidated.notes[0].startswith("71 ids are carried by different rows; the 112 extra rows")
    assert not any("merged" in n for n in csl_consolidated.notes)


def test_consolidated_schemas_and_sources(csl_consolidated):
    assert Counter(e.schema for e in csl_consolidated.entities) == {
        "Person": 5286,
        "LegalEntity": 4533 + 3625,
        "Vessel": 433,
        "Airplane": 283,
    }
    sources = Counter(e.sanctions[0].list_name for e in csl_consolidated.entities)
    assert sources[SDN] == 10026 and sources[EL] == 2001


def test_repeated_id_rows_keep_their_own_lists(csl_consolidated):
    rows = [e for e in csl_consolidated.entities if e.external_id.split("#")[0] == "18725"]
    assert sorted(e.external_id for e in rows) == ["18725", "18725#2", "18725#3"]
    assert {e.sanctions[0].list_name for e in rows} >= {CAP, SDN}
    assert {e.link_key for e in rows} == {"ofac:18725"}


def test_norinco(csl_consolidated):
    norinco = by_id(csl_consolidated, "30957")
    assert norinco.primary_name == "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED"
    assert norinco.link_key == "ofac:30957"
    assert "NORINCO" in names_of(norinco, "alias")
    assert [s.program for s in norinco.sanctions] == ["CMIC-EO13959"]
    assert ("USCC", "91110000710924910P", "cn") in {(i.scheme, i.value, i.country) for i in norinco.identifiers}
    assert norinco.addresses[0].country == "cn"
    assert "Target Type: Private Company" in norinco.remarks


def test_treasury_rows_share_ofac_link_keys(csl_consolidated):
    limmt = by_id(csl_consolidated, "9749")
    assert limmt.link_key == "ofac:9749"
    assert [s.program for s in limmt.sanctions] == ["IFSR", "NPWMD"]
    ceiec = by_id(csl_consolidated, "30502")
    assert "CHINA NATIONAL ELECTRONICS IMPORT AND EXPORT CORPORATION" in names_of(ceiec, "alias")
    for entity in csl_consolidated.entities:
        if "Treasury Department" not in entity.sanctions[0].list_name:
            assert entity.link_key is None


def test_isn_rows_keep_program_and_citation(csl_consolidated):
    isn = [e for e in csl_consolidated.entities if e.sanctions[0].list_name == ISN]
    assert len(isn) == 163
    inksna = [e for e in isn if [s.program for s in e.sanctions] == ["INKSNA"]]
    assert len(inksna) == 34
    assert all(e.sanctions[0].citation and e.link_key is None for e in inksna)
    ardis = next(e for e in inksna if e.primary_name.startswith("Ardis Group of Companies"))
    assert ardis.sanctions[0].citation == "Vol. 87, No. 57, 03/24/2022"
    assert ardis.sanctions[0].start_date == "2022-03-14"


def test_lists_without_programs_use_their_abbreviation(csl_consolidated):
    programs = Counter(
        e.sanctions[0].program
        for e in csl_consolidated.entities
        if e.sanctions[0].list_name.startswith(("Entity List", "Unverified", "Military End User", "Denied"))
    )
    assert set(programs) == {"EL", "UVL", "MEU", "DPL"}


def test_license_terms_go_to_the_sanction(csl_consolidated):
    entity = next(e for e in csl_consolidated.entities if e.primary_name == "al Tawasul al Arabi Net Systems")
    sanction = entity.sanctions[0]
    assert sanction.program == "EL" and sanction.citation == "79 FR 32441" and sanction.start_date == "2014-06-05"
    assert "License requirement: For all items subject to the EAR" in sanction.remarks
    assert "License policy: Presumption of denial." in sanction.remarks
    assert [a.country for a in entity.addresses] == ["lb", "ae"]


def test_old_ids_order_is_read(csl_consolidated):
    # 2022 file writes "country, value, Type"; the parser turns it round.
    entity = by_id(csl_consolidated, "24904")
    assert entity.schema == "Person" and entity.birth_dates == ["1978-08-22"] and entity.countries == ["sy"]
    assert "Gender: Male" in entity.remarks
    assert not any(i.scheme == "Gender" for i in entity.identifiers)


def test_csl_2023_file_is_itself_truncated():
    # The stored copy stops inside the addresses of its last record ("...la Cuspide
    # departament" and no closing quote): a cut file, so it must not import.
    with pytest.raises(ListFormatError) as caught:
        csl_csv.parse(CSL_2023)
    assert caught.value.where == f"line {lines_in(CSL_2023)}" == "line 4233"
    assert "unterminated quote or truncated file" in caught.value.problem


def test_csl_2023_complete_part(csl_2023_complete):
    # 4227 records in the file: 4226 whole ones and the cut last one.
    assert len(csl_2023_complete.entities) == 4226
    assert csl_2023_complete.notes[0] == "1 repeated header rows skipped (line 2)"
    assert csl_2023_complete.notes[1].startswith("7 ids are carried by different rows; the 7 extra rows")
    norinco = by_id(csl_2023_complete, "30957")
    assert norinco.link_key == "ofac:30957" and "Norinco" in names_of(norinco, "alias")
    # The 2023 file writes "Type, value, country".
    assert ("USCC", "91110000710924910P", "cn") in {(i.scheme, i.value, i.country) for i in norinco.identifiers}
    assert "Listing Date (CMIC): 2021-06-03" in norinco.remarks


def test_samples():
    sample_2023 = csl_csv.parse(SAMPLE_2023)
    assert len(sample_2023.entities) == 13 and sample_2023.notes == []
    isn = next(e for e in sample_2023.entities if e.sanctions[0].list_name == ISN)
    assert isn.external_id == "233a4d725770c81fb561ffe3842c14010c2201971d6be62eca1e613b"
    assert [s.program for s in isn.sanctions] == ["INKSNA"]
    assert isn.sanctions[0].citation == "Vol. 88, No. 151, 08/08/2023"
    assert isn.primary_name.startswith("Sinobright Import and Export Company; and any successor")

    sample_2019 = csl_csv.parse(SAMPLE_2019)
    assert len(sample_2019.entities) == 115 and sample_2019.notes == []
    assert len({e.external_id for e in sample_2019.entities}) == 115


def test_2019_layout_derives_stable_ids():
    parsed = csl_csv.parse(SAMPLE_2019)
    holdings = next(e for e in parsed.entities if e.primary_name == "200G PSA HOLDINGS LLC")
    assert holdings.external_id == "SDN:20264" and holdings.link_key == "ofac:20264"
    assert ("Tax ID No.", "80-0890696", "us") in {(i.scheme, i.value, i.country) for i in holdings.identifiers}
    regiment = next(e for e in parsed.entities if e.primary_name == "183rd Guard Air Defense Missile Regiment")
    key = "183rd guard air defense missile regiment||vol. 83, no. 91, 05/10/2018"
    assert regiment.external_id == "ISN:" + hashlib.sha1(key.encode()).hexdigest()[:16]
    assert regiment.sanctions[0].program == "INKSNA" and regiment.link_key is None


def test_2019_ids_do_not_depend_on_row_order(tmp_path):
    lines = SAMPLE_2019.read_text(encoding="utf-8").splitlines(keepends=True)
    reordered = tmp_path / "reordered.csv"
    reordered.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    before = {e.external_id: e.content_hash() for e in csl_csv.parse(SAMPLE_2019).entities}
    after = {e.external_id: e.content_hash() for e in csl_csv.parse(reordered).entities}
    assert before == after


def test_content_hash_is_stable_and_follows_names(tmp_path):
    first = {e.external_id: e.content_hash() for e in csl_csv.parse(SAMPLE_2023).entities}
    assert first == {e.external_id: e.content_hash() for e in csl_csv.parse(SAMPLE_2023).entities}
    changed = tmp_path / "changed.csv"
    changed.write_bytes(SAMPLE_2023.read_bytes().replace(b'"Atlas Sanatgaran"', b'"Atlas Sanatgaran Co"'))
    second = {e.external_id: e.content_hash() for e in csl_csv.parse(changed).entities}
    assert [k for k in first if first[k] != second[k]] == ["1b5979e8fd3920a1a0985bf5088dad930a6a5562d1513f9e4b015e42"]


def test_consolidated_parses_every_row():
    # Speed is measured by bench/import.py, never asserted here.
    assert len(csl_csv.parse(CONSOLIDATED).entities) == 14160


def test_sniff():
    for path in (CONSOLIDATED, CSL_2023, SAMPLE_2023, SAMPLE_2019):
        assert csl_csv.sniff(path)
    assert not csl_csv.sniff(CSL)
    assert not csl_csv.sniff(CSL / "consolidated.csv.gz")
    assert not csl_csv.sniff(CSL.parent / "ofac_sdn_2021" / "sdn.csv")
    assert not csl_csv.sniff(CSL / "missing.csv")


# --- truncated and malformed files -----------------------------------------------------


@pytest.mark.parametrize("source", [CONSOLIDATED, CSL_2023, SAMPLE_2023, SAMPLE_2019], ids=lambda p: p.name)
def test_real_file_cut_at_half_raises(tmp_path, source):
    target = tmp_path / source.name
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError) as caught:
        csl_csv.parse(target)
    assert caught.value.path == str(target)
    assert caught.value.where == f"line {lines_in(target)}"
    assert source.name in str(caught.value)


def row(**fields) -> dict:
    base = {"_id": "1", "source": SDN, "entity_number": "1", "type": "Entity", "programs": "CUBA", "name": "ONE"}
    return base | fields


def test_wrong_field_count_names_the_line(tmp_path):
    path = write_csl(tmp_path / "x.csv", [row(), row(_id="2")])
    path.write_text(path.read_text() + "3,too,short\n" + path.read_text().splitlines()[1] + "\n")
    with pytest.raises(ListFormatError) as caught:
        csl_csv.parse(path)
    assert caught.value.where == "line 4" and "expected 29 fields, found 3" in caught.value.problem


def test_unterminated_quote_names_the_line(tmp_path):
    path = write_csl(tmp_path / "x.csv", [row()])
    path.write_text(path.read_text() + '2,"' + SDN + ",2,Entity,CUBA,TWO\n")
    with pytest.raises(ListFormatError) as caught:
        csl_csv.parse(path)
    assert caught.value.where == "line 3" and "unterminated quote" in caught.value.problem


def test_missing_columns(tmp_path):
    path = write_csl(tmp_path / "x.csv", [row()], columns=[c for c in COLUMNS_2022 if c not in ("ids", "type")])
    with pytest.raises(ListFormatError) as caught:
        csl_csv.parse(path)
    assert caught.value.where == "line 1" and caught.value.problem == "header lacks the columns: type, ids"


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ListFormatError, match="no header row"):
        csl_csv.parse(empty)
    with pytest.raises(ListFormatError, match="no data rows"):
        csl_csv.parse(write_csl(tmp_path / "header.csv", []))


def test_identical_duplicates_merge_and_different_ones_are_numbered(tmp_path):
    rows = [row(), row(), row(_id="2", name="TWO"), row(_id="2", name="TWO", source=CAP), row(_id="3")]
    parsed = csl_csv.parse(write_csl(tmp_path / "x.csv", rows))
    assert [e.external_id for e in parsed.entities] == ["1", "2#2", "2", "3"]
    assert by_id(parsed, "2").sanctions[0].list_name == CAP  # numbered by list, not by row order
    assert parsed.notes == [
        "1 duplicate rows merged (identical to another row with the same id: 1)",
        "1 ids are carried by different rows; the 1 extra rows are kept as separate entities: 2#2",
    ]
    reversed_rows = csl_csv.parse(write_csl(tmp_path / "y.csv", list(reversed(rows))))
    assert {e.external_id: e.sanctions[0].list_name for e in reversed_rows.entities} == {
        e.external_id: e.sanctions[0].list_name for e in parsed.entities
    }


def test_repeated_header_is_skipped(tmp_path):
    path = write_csl(tmp_path / "x.csv", [dict(zip(COLUMNS_2022, COLUMNS_2022, strict=True)), row()])
    parsed = csl_csv.parse(path)
    assert [e.external_id for e in parsed.entities] == ["1"]
    assert parsed.notes == ["1 repeated header rows skipped (line 2)"]


@pytest.mark.parametrize(
    "ids",
    [
        "Passport, A123, CN; Website, www.x.cn; Gender, Male; Secondary sanctions risk:, Section 1, and 2",
        "CN, A123, Passport; www.x.cn, Website; Male, Gender; Section 1, and 2, Secondary sanctions risk:",
    ],
    ids=["type-first", "type-last"],
)
def test_ids_in_either_order(tmp_path, ids):
    entity = csl_csv.parse(write_csl(tmp_path / "x.csv", [row(ids=ids)])).entities[0]
    assert [(i.scheme, i.value, i.country) for i in entity.identifiers] == [
        ("Passport", "A123", "cn"),
        ("Website", "www.x.cn", None),
    ]
    assert entity.remarks.splitlines() == ["Gender: Male", "Secondary sanctions risk: Section 1, and 2"]


def test_row_fields(tmp_path):
    fields = row(
        type="Individual",
        programs="SDGT; IRGC",
        title="Minister",
        addresses="Street 1, Tehran, IR; Somewhere without a code",
        start_date="2020-01-02",
        end_date="not a date",
        remarks="(Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE)",
        alt_names="UNO; ONE; UNO",
        citizenships="IR",
        nationalities="IQ; IR",
        dates_of_birth="1960; circa 1961; 1962 to 1963",
        places_of_birth="Tehran, Iran",
        call_sign="ABCD",
        vessel_flag="Panama",
    )
    entity = csl_csv.parse(write_csl(tmp_path / "x.csv", [fields])).entities[0]
    assert entity.schema == "Person" and entity.link_key == "ofac:1"
    assert [(n.value, n.kind) for n in entity.names] == [("ONE", "primary"), ("UNO", "alias")]
    assert entity.addresses == [
        ParsedAddress(full="Street 1, Tehran, IR", country="ir"),
        ParsedAddress(full="Somewhere without a code"),
    ]
    assert entity.countries == ["ir", "iq", "pa"]
    assert entity.birth_dates == ["1960", "1961", "1962", "1963"]
    assert [(s.program, s.start_date, s.end_date) for s in entity.sanctions] == [
        ("SDGT", "2020-01-02", None),
        ("IRGC", "2020-01-02", None),
    ]
    assert [link.target_name for link in entity.links] == ["ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE"]
    assert entity.identifiers[0].scheme == "Call Sign"
    assert "Title: Minister" in entity.remarks and "Place of birth: Tehran, Iran" in entity.remarks
    assert "End date: not a date" in entity.remarks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_format_errors(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    try:
        csl_csv.parse(path)
    except ListFormatError:
        pass


# --- generated lists round-trip --------------------------------------------------------

# Any script, commas, quotes and apostrophes; no control characters. Aliases and
# addresses may not hold "; ", the CSL's own separator.
any_text = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=25).map(str.strip)
name_text = any_text.filter(lambda s: s and "; " not in s)
# Without a code of their own, the last comma part must not look like one.
address_text = name_text.filter(lambda s: not re.fullmatch(r"[A-Z]{2}", s.rsplit(",", 1)[-1].strip()))
SOURCES = [SDN, CAP, EL, ISN]


@st.composite
def csl_row(draw) -> dict:
    names = draw(st.lists(name_text, min_size=1, max_size=5, unique=True))
    addresses = draw(
        st.lists(st.tuples(address_text, st.sampled_from(["", "CN", "RU", "KP", "IR"])), max_size=3, unique=True)
    )
    return {
        "source": draw(st.sampled_from(SOURCES)),
        "entity_number": draw(st.one_of(st.just(""), st.integers(1, 99999).map(str))),
        "type": draw(st.sampled_from(["", "Entity", "Individual", "Vessel", "Aircraft"])),
        "programs": draw(st.lists(st.from_regex(r"[A-Z][A-Z0-9\-]{0,9}", fullmatch=True), max_size=3, unique=True)),
        "name": names[0],
        "alt_names": names[1:],
        "addresses": [f"{text}, {code}" if code else text for text, code in addresses],
        "countries": [code.lower() or None for _, code in addresses],
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(csl_row(), min_size=1, max_size=5),
    st.sampled_from([COLUMNS_2022, COLUMNS_2019]),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_generated_lists_round_trip(tmp_path, specs, columns, quoting):
    joined = ("alt_names", "addresses", "programs")
    rows = [spec | {"_id": f"id{i}"} | {key: "; ".join(spec[key]) for key in joined} for i, spec in enumerate(specs)]
    if columns is COLUMNS_2019:
        # Derived ids must differ: give each row its own entity number.
        rows = [r | {"entity_number": str(i + 1)} for i, r in enumerate(rows)]
    parsed = csl_csv.parse(write_csl(tmp_path / "gen.csv", rows, columns, quoting))
    assert len(parsed.entities) == len(specs)
    for entity, spec, written in zip(parsed.entities, specs, rows, strict=True):
        abbreviation = csl_csv.source_abbreviation(spec["source"])
        if columns is COLUMNS_2022:
            assert entity.external_id == written["_id"]
        else:
            assert entity.external_id == f"{abbreviation}:{written['entity_number']}"
        assert [(n.value, n.kind) for n in entity.names] == [(spec["name"], "primary")] + [
            (alias, "alias") for alias in spec["alt_names"]
        ]
        assert [s.program for s in entity.sanctions] == (spec["programs"] or [abbreviation])
        assert all(s.list_name == spec["source"] for s in entity.sanctions)
        assert [(a.full, a.country) for a in entity.addresses] == list(
            zip(spec["addresses"], spec["countries"], strict=True)
        )
        number = written["entity_number"]
        assert entity.link_key == (f"ofac:{number}" if number and "Treasury" in spec["source"] else None)
