"""OFAC legacy SDN CSV parser (ofac-csv): real files, malformed files, generated lists."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.core.settings import get_settings
from goodpath.lists.formats import ofac_csv
from goodpath.lists.records import ListFormatError, ParsedAddress, ParsedList

DATA = get_settings().shared_dir / "data"
SDN_2019 = DATA / "ofac_sdn_2019"
SDN_2021 = DATA / "ofac_sdn_2021"
SDN_2024 = DATA / "ofac_sdn_2024"
EMPTY = "-0- "


@pytest.fixture(scope="module")
def ofac_2019() -> ParsedList:
    return ofac_csv.parse(SDN_2019)


@pytest.fixture(scope="module")
def ofac_2021() -> ParsedList:
    return ofac_csv.parse(SDN_2021)


@pytest.fixture(scope="module")
def ofac_2024() -> ParsedList:
    return ofac_csv.parse(SDN_2024)


def by_id(parsed: ParsedList, external_id: str):
    return next(e for e in parsed.entities if e.external_id == external_id)


def names_of(entity, kind: str) -> list[str]:
    return [n.value for n in entity.names if n.kind == kind]


def programs_of(entity) -> list[str]:
    return [s.program for s in entity.sanctions]


def lines_in(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def copy_folder(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for file in source.iterdir():
        shutil.copy(file, target / file.name)
    return target


# --- the real lists --------------------------------------------------------------------


def test_real_counts(ofac_2019, ofac_2021, ofac_2024):
    assert len(ofac_2019.entities) == 7379
    assert len(ofac_2021.entities) == 8976
    assert len(ofac_2024.entities) == 14965
    for parsed in (ofac_2019, ofac_2021, ofac_2024):
        assert parsed.format == "ofac-csv" and parsed.default_dataset == "us-ofac-sdn"
        assert parsed.published is None
        ids = [e.external_id for e in parsed.entities]
        assert len(set(ids)) == len(ids)
        assert all(e.link_key == f"ofac:{e.external_id}" for e in parsed.entities)


def test_real_schemas_follow_sdn_type(ofac_2024):
    assert Counter(e.schema for e in ofac_2024.entities) == {
        "LegalEntity": 6884,
        "Person": 6854,
        "Vessel": 851,
        "Airplane": 376,
    }


def test_2021_ceiec(ofac_2021):
    ceiec = by_id(ofac_2021, "30502")
    assert ceiec.primary_name == "CEIEC"
    assert "CHINA NATIONAL ELECTRONICS IMPORT AND EXPORT CORPORATION" in names_of(ceiec, "alias")
    assert programs_of(ceiec) == ["VENEZUELA"]
    assert ceiec.sanctions[0].list_name == "Specially Designated Nationals (SDN) - Treasury Department"
    uscc = [i for i in ceiec.identifiers if i.scheme == "USCC"]
    assert [(i.value, i.country) for i in uscc] == [("9111000010000106X1", "cn")]
    assert {a.country for a in ceiec.addresses} == {"cn", "ve"}


def test_2019_weak_alias_from_remarks(ofac_2019):
    bnc = by_id(ofac_2019, "306")
    assert names_of(bnc, "weak_alias") == ["BNC"]
    assert names_of(bnc, "alias") == ["NATIONAL BANK OF CUBA"]  # from alt.csv


def test_limmt_has_two_programs_in_every_version(ofac_2019, ofac_2021, ofac_2024):
    for parsed in (ofac_2019, ofac_2021, ofac_2024):
        limmt = by_id(parsed, "9749")
        assert limmt.primary_name == "LIMMT ECONOMIC AND TRADE COMPANY, LTD."
        assert programs_of(limmt) == ["NPWMD", "IFSR"]
        assert limmt.schema == "LegalEntity"


def test_li_fangwei_dob_and_address(ofac_2021, ofac_2024):
    li = by_id(ofac_2021, "11447")
    assert li.schema == "Person" and li.birth_dates == ["1972-09-18"] and li.countries == ["cn"]
    assert any("LIMMT" in a.full and a.country == "cn" for a in li.addresses)
    assert by_id(ofac_2024, "11447").addresses == []  # 2024 has no add.csv


def test_2024_has_no_companions(ofac_2024):
    assert ofac_2024.unknown_fields == ["addresses", "aliases"]
    assert "add.csv not present: addresses unknown in this version (previous addresses kept)" in ofac_2024.notes
    assert any(n.startswith("alt.csv not present") for n in ofac_2024.notes)
    assert any(n.startswith("sdn_comments.csv not present: 17 remarks") for n in ofac_2024.notes)
    assert [f.path for f in ofac_2024.files] == [str(SDN_2024 / "sdn.csv")]
    # Weak a.k.a.s live in the remarks, so they survive without alt.csv.
    assert names_of(by_id(ofac_2024, "306"), "weak_alias") == ["BNC"]


def test_2019_notes_and_damaged_add_tail(ofac_2019):
    assert ofac_2019.unknown_fields == []
    # The sdn_comments.csv copy was edited by its repository: 10 of its rows name
    # entries that are not in the 2019 sdn.csv.
    assert any(n.startswith("sdn_comments.csv: 10 rows for ent_nums not in sdn.csv ignored") for n in ofac_2019.notes)
    # add.csv ends "...,-0" (the marker's last bytes are gone) on the last SDN entry.
    assert any(
        n.startswith("add.csv line 11696: the file ends inside the '-0- ' empty marker") for n in ofac_2019.notes
    )
    last = by_id(ofac_2019, "26235")
    assert last.addresses[-1] == ParsedAddress(full="St. Petersburg, Russia", city="St. Petersburg", country="ru")
    assert len(ofac_2019.files) == 4


def test_2021_comments_continue_the_remarks(ofac_2021):
    entity = by_id(ofac_2021, "12300")
    # sdn.csv stops at "PROMO RAI", sdn_comments.csv goes on with "Z S.A.S.; ...".
    targets = [link.target_name for link in entity.links]
    assert "PROMO RAIZ S.A.S." in targets
    assert "RED MUNDIAL INMOBILIARIA, S.A. DE C.V." in targets
    assert "PROMO RAIZ S.A.S." in entity.remarks
    assert ofac_2021.notes == []


def test_real_vessel_fields(ofac_2024):
    vessels = [e for e in ofac_2024.entities if e.schema == "Vessel"]
    tug = next(e for e in vessels if any(i.value == "CL2192" for i in e.identifiers))
    assert tug.identifiers[0].scheme == "Call Sign"
    assert "cu" in tug.countries  # the vessel flag
    assert "Vessel Type: Tug" in tug.remarks and "GRT: 212" in tug.remarks
    assert [(link.relation, link.target_name) for link in tug.links] == [("owned_by", "Samir de Navegacion S.A.")]
    assert sum(1 for e in vessels for i in e.identifiers if i.scheme == "IMO") > 800


def test_2024_parses_every_entity():
    # Speed is measured by bench/import.py, never asserted here.
    assert len(ofac_csv.parse(SDN_2024).entities) == 14965


def test_content_hash_is_stable_and_follows_names(tmp_path, ofac_2021):
    again = ofac_csv.parse(SDN_2021)
    assert [e.content_hash() for e in again.entities] == [e.content_hash() for e in ofac_2021.entities]

    folder = copy_folder(SDN_2021, tmp_path / "sdn")
    sdn = folder / "sdn.csv"
    sdn.write_bytes(sdn.read_bytes().replace(b'30502,"CEIEC"', b'30502,"CEIEC GROUP"'))
    changed = {e.external_id: e.content_hash() for e in ofac_csv.parse(folder).entities}
    before = {e.external_id: e.content_hash() for e in ofac_2021.entities}
    assert changed["30502"] != before["30502"]
    assert {k for k in before if before[k] != changed[k]} == {"30502"}


# --- files and folders -----------------------------------------------------------------


def test_sniff():
    assert ofac_csv.sniff(SDN_2019)
    assert ofac_csv.sniff(SDN_2024 / "sdn.csv")
    assert not ofac_csv.sniff(SDN_2021 / "add.csv")
    assert not ofac_csv.sniff(DATA / "csl" / "consolidated.csv")
    assert not ofac_csv.sniff(DATA / "un" / "consolidated.xml")
    assert not ofac_csv.sniff(DATA / "csl")  # a folder without sdn.csv
    assert not ofac_csv.sniff(DATA / "nothing-here")


def test_sdn_file_uses_its_siblings():
    from_file = ofac_csv.parse(SDN_2021 / "sdn.csv")
    assert from_file.unknown_fields == []
    assert len(from_file.files) == 4
    assert names_of(by_id(from_file, "30502"), "alias")


def test_renamed_sdn_file_does_not_take_siblings(tmp_path):
    folder = copy_folder(SDN_2021, tmp_path / "sdn")
    renamed = folder / "sdn_2021-07-07.csv"
    (folder / "sdn.csv").rename(renamed)
    parsed = ofac_csv.parse(renamed)
    assert parsed.unknown_fields == ["addresses", "aliases"]
    assert len(parsed.entities) == 8976


def test_folder_without_sdn_csv(tmp_path):
    with pytest.raises(ListFormatError, match="no sdn.csv"):
        ofac_csv.parse(tmp_path)


# --- malformed and truncated files -----------------------------------------------------

REAL_FILES = [
    (SDN_2019, "sdn.csv"),
    (SDN_2019, "add.csv"),
    (SDN_2019, "alt.csv"),
    (SDN_2019, "sdn_comments.csv"),
    (SDN_2021, "sdn.csv"),
    (SDN_2021, "add.csv"),
    (SDN_2021, "alt.csv"),
    (SDN_2021, "sdn_comments.csv"),
    (SDN_2024, "sdn.csv"),
]


@pytest.mark.parametrize(("folder", "name"), REAL_FILES, ids=[f"{f.name}/{n}" for f, n in REAL_FILES])
def test_real_file_cut_at_half_raises(tmp_path, folder, name):
    copy = copy_folder(folder, tmp_path / folder.name)
    target = copy / name
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError) as caught:
        ofac_csv.parse(copy)
    assert caught.value.path == str(target)
    assert caught.value.where == f"line {lines_in(target)}"
    assert name in str(caught.value)


def write_sdn(path: Path, text: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "sdn.csv").write_bytes(text.encode("cp1252"))
    return path


ROW = '{n},"NAME {n}",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (ROW.format(n=1) + '2,"NAME 2",-0- ,"CUBA"\r\n', "line 2", "expected 12 fields, found 4"),
        (ROW.format(n=1) + '2,"NAME 2,-0- ,"CUBA"\r\n' + ROW.format(n=3), "line 2", "malformed CSV"),
        (ROW.format(n=1) + '2,"NAME 2,-0- \r\n', "line 2", "unterminated quote or truncated file"),
        (ROW.format(n=1) + ROW.format(n=1), "line 2", "duplicate ent_num 1 (first on line 1)"),
        (ROW.format(n="X1"), "line 1", "ent_num 'X1' is not a number"),
        ("", "line 1", "the file is empty"),
        ("\x1a", "line 1", "the file is empty"),
        (ROW.format(n=1) + ROW.format(n=2)[:-5], "line 2", "the file ends inside a value"),
        (ROW.format(n=1) + ROW.format(n=2)[:-4], "line 2", "the file ends inside a value"),
        (ROW.format(n=1) + ROW.format(n=2)[:-6], "line 2", "the file ends inside a value"),
    ],
)
def test_malformed_sdn(tmp_path, text, where, problem):
    folder = write_sdn(tmp_path / "sdn", text)
    with pytest.raises(ListFormatError) as caught:
        ofac_csv.parse(folder)
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(folder / "sdn.csv") in str(caught.value)


def test_eof_byte_and_unterminated_last_line_are_fine(tmp_path):
    folder = write_sdn(tmp_path / "a", ROW.format(n=1) + ROW.format(n=2) + "\x1a")
    assert [e.external_id for e in ofac_csv.parse(folder).entities] == ["1", "2"]
    folder = write_sdn(tmp_path / "b", ROW.format(n=1) + ROW.format(n=2).rstrip("\r\n"))
    assert [e.external_id for e in ofac_csv.parse(folder).entities] == ["1", "2"]


def test_companion_rows_for_unknown_entries_are_noted(tmp_path):
    folder = write_sdn(tmp_path / "sdn", ROW.format(n=1) + ROW.format(n=2))
    (folder / "add.csv").write_text('1,10,"Street 1","Havana","Cuba",-0- \r\n9,11,-0- ,-0- ,"Cuba",-0- \r\n')
    (folder / "alt.csv").write_text('7,20,"aka","OTHER",-0- \r\n8,21,"aka","OTHER",-0- \r\n')
    parsed = ofac_csv.parse(folder)
    assert "add.csv: 1 rows for ent_nums not in sdn.csv ignored (9)" in parsed.notes
    assert "alt.csv: 2 rows for ent_nums not in sdn.csv ignored (7, 8)" in parsed.notes
    assert by_id(parsed, "1").addresses == [
        ParsedAddress(full="Street 1, Havana, Cuba", street="Street 1", city="Havana", country="cu")
    ]


def test_cut_companion_is_refused_unless_its_last_row_is_the_last_entry(tmp_path):
    folder = write_sdn(tmp_path / "sdn", ROW.format(n=1) + ROW.format(n=2))
    (folder / "alt.csv").write_text('1,20,"aka","ONE",-0- \r\n1,21,"aka","UNO",-0')
    with pytest.raises(ListFormatError) as caught:
        ofac_csv.parse(folder)
    assert caught.value.path == str(folder / "alt.csv") and caught.value.where == "line 2"
    (folder / "alt.csv").write_text('1,20,"aka","ONE",-0- \r\n2,21,"aka","DOS",-0')
    parsed = ofac_csv.parse(folder)
    assert names_of(by_id(parsed, "2"), "alias") == ["DOS"]
    assert any(n.startswith("alt.csv line 2: the file ends inside") for n in parsed.notes)


def test_comment_continues_a_remark_cut_at_a_space(tmp_path):
    row = ROW.format(n=1).replace("-0- \r\n", '"DOB 1970; Passport "\r\n')
    folder = write_sdn(tmp_path / "sdn", row)
    (folder / "sdn_comments.csv").write_text('1,"123 (Cuba); a.k.a. \'UNO\'."\r\n2,"orphan"\r\n')
    parsed = ofac_csv.parse(folder)
    entity = by_id(parsed, "1")
    assert entity.remarks == "DOB 1970; Passport 123 (Cuba); a.k.a. 'UNO'."
    assert [(i.scheme, i.value, i.country) for i in entity.identifiers] == [("Passport", "123", "cu")]
    assert names_of(entity, "weak_alias") == ["UNO"]
    assert "sdn_comments.csv: 1 rows for ent_nums not in sdn.csv ignored (2)" in parsed.notes


def test_alt_kinds(tmp_path):
    folder = write_sdn(tmp_path / "sdn", ROW.format(n=1))
    (folder / "alt.csv").write_text(
        '1,1,"aka","A",-0- \r\n1,2,"fka","F",-0- \r\n1,3,"nka","N",-0- \r\n'
        '1,4,"aka","W","weak a.k.a."\r\n1,5,"weak aka","V",-0- \r\n1,6,"aka","NAME 1",-0- \r\n'
    )
    entity = by_id(ofac_csv.parse(folder), "1")
    assert [(n.value, n.kind) for n in entity.names] == [
        ("NAME 1", "primary"),
        ("A", "alias"),
        ("F", "former"),
        ("N", "alias"),
        ("W", "weak_alias"),
        ("V", "weak_alias"),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_format_errors(tmp_path, data):
    (tmp_path / "sdn.csv").write_bytes(data)
    try:
        parsed = ofac_csv.parse(tmp_path)
    except ListFormatError:
        return
    assert parsed.entities


# --- remarks ---------------------------------------------------------------------------


def test_remarks_clauses():
    info = ofac_csv.parse_remarks(
        "DOB 18 Sep 1972; alt. DOB 1970; POB Dalian, China; nationality China; citizen Korea, North; "
        "Gender Male; Passport G123 (China) issued 01 Jan 2010; alt. Passport X9 (Atlantis); "
        "Registration Number 16382287 (China); Unified Social Credit Code (USCC) 9111000010000106X1 (China); "
        "Vessel Registration Identification IMO 9187629; MMSI 572469210; Website www.example.com; "
        "Email Address a@b.cn; Tax ID No. AABA 670850 Y; Kuwaiti National ID No. 281020505755 (Kuwait); "
        "Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo; "
        "a.k.a. 'ABU-'UMAR'; f.k.a. 'OLD NAME, LTD.'; Linked To: PERSIAN GULF PETROCHEMICAL INDUSTRY CO."
    )
    assert info.birth_dates == ["1972-09-18", "1970"]
    assert info.countries == ["cn", "kp"]
    found = {(i.scheme, i.value, i.country, i.note) for i in info.identifiers}
    assert found == {
        ("Passport", "G123", "cn", "issued 01 Jan 2010"),
        ("Passport", "X9", None, "Atlantis"),
        ("Registration Number", "16382287", "cn", None),
        ("USCC", "9111000010000106X1", "cn", None),
        ("IMO", "9187629", None, None),
        ("MMSI", "572469210", None, None),
        ("Website", "www.example.com", None, None),
        ("Email Address", "a@b.cn", None, None),
        ("Tax ID No.", "AABA 670850 Y", None, None),
        ("Kuwaiti National ID No.", "281020505755", "kw", None),
        ("Digital Currency Address - XBT", "1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo", None, None),
    }
    assert [(n.value, n.kind) for n in info.names] == [("ABU-'UMAR", "weak_alias"), ("OLD NAME, LTD.", "former")]
    # The final "." belongs to "CO.", so it stays.
    assert [link.target_name for link in info.links] == ["PERSIAN GULF PETROCHEMICAL INDUSTRY CO."]


def test_final_period_is_dropped_after_a_plain_word():
    info = ofac_csv.parse_remarks("Linked To: USA REALLY.")
    assert [link.target_name for link in info.links] == ["USA REALLY"]
    assert [n.value for n in ofac_csv.parse_remarks("a.k.a. 'K.A.S.'.").names] == ["K.A.S."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18 Sep 1972", ["1972-09-18"]),
        ("Sep 1972", ["1972-09"]),
        ("1972", ["1972"]),
        ("circa 1960", ["1960"]),
        ("1950 to 1952", ["1950", "1951", "1952"]),
        ("circa 1958-1960", ["1958", "1959", "1960"]),
        ("01 Jan 1960 to 31 Dec 1962", ["1960", "1961", "1962"]),
        ("Mar 1960 to Mar 1960", ["1960-03"]),
        ("01 Mar 1960 to 30 Mar 1960", ["1960-03"]),
        ("1900 to 1980", ["1900", "1980"]),
        ("31 Feb 1970", ["1970-02"]),
        ("1972-09-18", ["1972-09-18"]),
        ("sometime", []),
    ],
)
def test_dob_forms(text, expected):
    assert ofac_csv.parse_dob(text) == expected


def test_split_programs():
    assert ofac_csv.split_programs("NPWMD] [IFSR") == ["NPWMD", "IFSR"]
    assert ofac_csv.split_programs("[SDGT] [IRGC] [IFSR]") == ["SDGT", "IRGC", "IFSR"]
    assert ofac_csv.split_programs("CAATSA - RUSSIA") == ["CAATSA - RUSSIA"]
    assert ofac_csv.split_programs("") == []


REMARK_ALPHABET = st.sampled_from(list("a.k'; DOB0123456789()LinkedTo:-,nationalityPassportIMO \"Xf"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(REMARK_ALPHABET, max_size=120)))
def test_remarks_parser_never_fails(text):
    info = ofac_csv.parse_remarks(text)
    assert isinstance(info, ofac_csv.RemarksInfo)
    assert all(n.value.strip() for n in info.names)
    assert all(len(code) == 2 and code.islower() for code in info.countries)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_dob_parser_never_fails(text):
    assert all(value[:4].isdigit() for value in ofac_csv.parse_dob(text))


# --- generated lists round-trip --------------------------------------------------------

COUNTRIES = {"China": "cn", "Russia": "ru", "Korea, North": "kp", "Iran": "ir", "Cote d Ivoire": "ci"}
SCHEMA_OF = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "LegalEntity"}

# cp1252 text: Latin letters with accents, the few non-Latin letters cp1252 has, commas,
# quotes and apostrophes. No control characters; ";" is the remarks separator.
cp1252_text = (
    st.text(
        st.characters(codec="cp1252", exclude_categories=("Cc", "Cs"), exclude_characters=";"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(lambda s: s and s != "-0-")
)
program = st.from_regex(r"[A-Z][A-Z0-9\-]{0,9}", fullmatch=True)


@st.composite
def sdn_entry(draw) -> dict:
    names = draw(st.lists(cp1252_text, min_size=1, max_size=6, unique=True))
    split = draw(st.integers(1, len(names)))
    alt_kinds = draw(st.lists(st.sampled_from(["aka", "fka", "nka"]), min_size=split - 1, max_size=split - 1))
    addresses = draw(
        st.lists(
            st.tuples(
                st.one_of(st.just(""), cp1252_text),
                st.one_of(st.just(""), cp1252_text),
                st.sampled_from(["", *COUNTRIES]),
            ).filter(any),
            max_size=3,
            unique=True,
        )
    )
    return {
        "type": draw(st.sampled_from(list(SCHEMA_OF))),
        "primary": names[0],
        "aliases": list(zip(names[1:split], alt_kinds, strict=True)),
        "weak": names[split:],
        "programs": draw(st.lists(program, min_size=1, max_size=3, unique=True)),
        "addresses": addresses,
        "dob": draw(st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2010, 12, 31)))),
        "nationality": draw(st.one_of(st.none(), st.sampled_from(list(COUNTRIES)))),
    }


def remarks_for(entry: dict) -> str:
    clauses = []
    if entry["dob"]:
        clauses.append(f"DOB {entry['dob'].strftime('%d %b %Y')}")
    if entry["nationality"]:
        clauses.append(f"nationality {entry['nationality']}")
    clauses += [f"a.k.a. '{name}'" for name in entry["weak"]]
    return "; ".join(clauses) + "." if clauses else ""


def write_generated(folder: Path, entries: list[dict]) -> None:
    def write(name: str, rows: list[list]) -> None:
        with open(folder / name, "w", encoding="cp1252", newline="") as fh:
            csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n").writerows(rows)

    sdn, add, alt = [], [], []
    for number, entry in enumerate(entries, start=100):
        title_and_vessel = [EMPTY] * 7
        programs = "] [".join(entry["programs"])
        sdn.append(
            [number, entry["primary"], entry["type"] or EMPTY, programs, *title_and_vessel, remarks_for(entry) or EMPTY]
        )
        for street, city, country in entry["addresses"]:
            add.append([number, len(add) + 1, street or EMPTY, city or EMPTY, country or EMPTY, EMPTY])
        for name, kind in entry["aliases"]:
            alt.append([number, len(alt) + 1, kind, name, EMPTY])
    write("sdn.csv", sdn)
    write("add.csv", add)
    write("alt.csv", alt)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(sdn_entry(), min_size=1, max_size=5))
def test_generated_lists_round_trip(tmp_path, entries):
    write_generated(tmp_path, entries)
    parsed = ofac_csv.parse(tmp_path)
    assert len(parsed.entities) == len(entries)
    kinds = {"aka": "alias", "fka": "former", "nka": "alias"}
    for entity, entry in zip(parsed.entities, entries, strict=True):
        assert entity.schema == SCHEMA_OF[entry["type"]]
        expected_names = [(entry["primary"], "primary")]
        expected_names += [(name, kinds[kind]) for name, kind in entry["aliases"]]
        expected_names += [(name, "weak_alias") for name in entry["weak"]]
        assert [(n.value, n.kind) for n in entity.names] == expected_names
        assert programs_of(entity) == entry["programs"]
        assert entity.addresses == [
            ParsedAddress(
                full=", ".join(p for p in (street, city, country) if p),
                street=street or None,
                city=city or None,
                country=COUNTRIES.get(country),
            )
            for street, city, country in entry["addresses"]
        ]
        assert entity.birth_dates == ([entry["dob"].isoformat()] if entry["dob"] else [])
        assert entity.countries == ([COUNTRIES[entry["nationality"]]] if entry["nationality"] else [])
