"""UN Security Council consolidated list parser (un-xml)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.builder import E

from goodpath.core.settings import get_settings
from goodpath.lists.formats import detect, un_xml
from goodpath.lists.records import ListFormatError, ParsedList

UN_FILE = get_settings().shared_dir / "data" / "un" / "consolidated.xml"
FTM_FILE = get_settings().shared_dir / "data" / "opensanctions" / "yente_t1_entities.ftm.json"


@pytest.fixture(scope="module")
def un_list() -> ParsedList:
    return un_xml.parse(UN_FILE)


def by_id(parsed: ParsedList, external_id: str):
    return next(e for e in parsed.entities if e.external_id == external_id)


def names_of(entity, kind: str) -> list[str]:
    return [n.value for n in entity.names if n.kind == kind]


# --- the real list ---------------------------------------------------------------------


def test_real_file_counts_and_metadata(un_list):
    assert un_list.format == "un-xml"
    assert un_list.default_dataset == "un-sc"
    assert un_list.published == "2026-02-27T00:00:09.554Z"
    assert len(un_list.entities) == 1003
    assert Counter(e.schema for e in un_list.entities) == {"Person": 730, "LegalEntity": 273}
    assert un_list.notes == []  # every REFERENCE_NUMBER is present and unique
    assert len(un_list.files) == 1 and un_list.files[0].size == UN_FILE.stat().st_size


def test_ids_are_unique_reference_numbers_with_dataid_kept(un_list):
    ids = [e.external_id for e in un_list.entities]
    assert len(set(ids)) == len(ids)
    for entity in un_list.entities:
        assert entity.sanctions[0].citation == entity.external_id
        dataids = [i.value for i in entity.identifiers if i.scheme == "UN DATAID"]
        assert len(dataids) == 1 and dataids[0].isdigit()


def test_every_entry_has_one_un_sanction(un_list):
    programs = Counter(e.sanctions[0].program for e in un_list.entities)
    assert programs["DPRK"] == 155 and programs["Al-Qaida"] == 341
    for entity in un_list.entities:
        (sanction,) = entity.sanctions
        assert sanction.list_name == "UN Security Council Consolidated List"
        assert sanction.start_date and len(sanction.start_date) == 10
        assert entity.link_key is None


def test_dprk_entity_komid(un_list):
    komid = by_id(un_list, "KPe.001")
    assert komid.schema == "LegalEntity"
    assert komid.primary_name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert names_of(komid, "alias") == [
        "CHANGGWANG SINYONG CORPORATION",
        "EXTERNAL TECHNOLOGY GENERAL CORPORATION",
        "DPRKN MINING DEVELOPMENT TRADING COOPERATION",
        '"KOMID"',
    ]
    assert komid.sanctions[0].program == "DPRK"
    assert komid.sanctions[0].start_date == "2009-04-24"
    (address,) = komid.addresses
    assert (address.street, address.city, address.country) == ("Central District", "Pyongyang", "kp")
    assert komid.remarks.startswith("Primary arms dealer")


def test_fka_alias_is_former_name(un_list):
    ryonbong = by_id(un_list, "KPe.002")
    assert "LYONGAKSAN GENERAL TRADING CORPORATION" in names_of(ryonbong, "former")
    assert "KOREA YONBONG GENERAL CORPORATION" in names_of(ryonbong, "alias")


def test_low_quality_aliases_are_weak(un_list):
    ntaganda = by_id(un_list, "CDi.030")
    assert ntaganda.primary_name == "BOSCO TAGANDA"
    assert names_of(ntaganda, "weak_alias") == ["Lydia", "Terminator", "Tango Romeo", "Romeo", "Major"]
    assert "Bosco Ntaganda" in names_of(ntaganda, "alias")
    assert ntaganda.birth_dates == ["1973", "1974"]  # FROM_YEAR/TO_YEAR
    assert ntaganda.countries == ["cd"]
    assert ntaganda.addresses[0].country == "be"
    assert ntaganda.addresses[0].remarks == "As of 14 December 2022"


def test_alias_holding_several_spellings_is_split(un_list):
    azim = by_id(un_list, "IRi.003")
    aliases = names_of(azim, "alias") + names_of(azim, "weak_alias")
    assert "Azim Adhajani" in aliases and "Azim Agha-Jani" in aliases
    assert not any(";" in n.value for e in un_list.entities for n in e.names)
    # One entity's FIRST_NAME holds two company names.
    cagl = by_id(un_list, "CDe.003")
    assert cagl.primary_name == "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)"
    assert "GREAT LAKES BUSINESS COMPANY (GLBC)" in names_of(cagl, "alias")


def test_original_script_names_are_kept_as_written(un_list):
    saddam = by_id(un_list, "IQi.001")
    (original,) = [n for n in saddam.names if n.kind == "original_script"]
    assert original.value == "صدام حسين التكريتي"
    assert original.lang == "ara"
    scripts = [n for e in un_list.entities for n in e.names if n.kind == "original_script"]
    assert any(n.value == "Умаров Доку Хаматович" and n.lang == "rus" for n in scripts)
    # Arabic script with Persian/Pashto letters is not guessed as Arabic.
    muttaqi = [n for n in by_id(un_list, "TAi.026").names if n.kind == "original_script"]
    assert muttaqi and muttaqi[0].lang is None


def test_documents_become_identifiers(un_list):
    person = by_id(un_list, "CFi.012")
    chad = [i for i in person.identifiers if i.value == "103-00653129-22"]
    assert chad and chad[0].scheme == "National Identification Number" and chad[0].country == "td"
    schemes = Counter(i.scheme for e in un_list.entities for i in e.identifiers)
    assert schemes["Passport"] > 300
    assert not any("\n" in scheme for scheme in schemes)


def test_nationalities_are_iso_codes(un_list):
    codes = {c for e in un_list.entities for c in e.countries}
    assert {"af", "iq", "kp", "ir", "gb"} <= codes
    assert all(c == c.lower() for c in codes)
    assert "na" not in codes  # "na" in the list means not available, not Namibia


def test_content_hash_is_stable_across_parses(un_list):
    again = un_xml.parse(UN_FILE)
    assert [e.content_hash() for e in again.entities] == [e.content_hash() for e in un_list.entities]
    assert again.source_hash == un_list.source_hash


def test_sniff_and_detect():
    assert un_xml.sniff(UN_FILE)
    assert not un_xml.sniff(FTM_FILE)
    assert not un_xml.sniff(UN_FILE.parent)
    assert detect(UN_FILE) == "un-xml"


def test_sniff_allows_bom_and_comment(tmp_path):
    path = tmp_path / "list.xml"
    path.write_bytes(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- copy -->\n<CONSOLIDATED_LIST dateGenerated="x">')
    assert un_xml.sniff(path)
    path.write_bytes(b'<?xml version="1.0"?>\n<OTHER_LIST/>')
    assert not un_xml.sniff(path)


# --- errors ----------------------------------------------------------------------------


def test_file_cut_at_half_names_a_line(tmp_path):
    data = UN_FILE.read_bytes()
    cut = tmp_path / "consolidated.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError) as caught:
        un_xml.parse(cut)
    assert caught.value.path == str(cut)
    assert caught.value.where.startswith("line ")
    assert int(caught.value.where.split()[1].rstrip(",")) > 1000
    assert str(cut) in str(caught.value)


def write_list(path: Path, *entries, generated: str = "2026-01-01T00:00:00Z") -> Path:
    individuals = [e for e in entries if e.tag == "INDIVIDUAL"]
    entities = [e for e in entries if e.tag == "ENTITY"]
    root = E.CONSOLIDATED_LIST(E.INDIVIDUALS(*individuals), E.ENTITIES(*entities), dateGenerated=generated)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return path


def test_missing_dataid_names_the_entry(tmp_path):
    good = E.INDIVIDUAL(E.DATAID("1"), E.FIRST_NAME("A"), E.UN_LIST_TYPE("DPRK"), E.REFERENCE_NUMBER("KPi.1"))
    bad = E.INDIVIDUAL(E.FIRST_NAME("B"), E.UN_LIST_TYPE("DPRK"), E.REFERENCE_NUMBER("KPi.2"))
    path = write_list(tmp_path / "l.xml", good, bad)
    with pytest.raises(ListFormatError, match=r"INDIVIDUAL #2 \(line \d+\): missing DATAID"):
        un_xml.parse(path)


def test_missing_name_names_the_entry(tmp_path):
    path = write_list(tmp_path / "l.xml", E.ENTITY(E.DATAID("9"), E.FIRST_NAME("  "), E.UN_LIST_TYPE("Iran")))
    with pytest.raises(ListFormatError, match=r"ENTITY #1 \(line \d+\): no name"):
        un_xml.parse(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"<a/>", b"<CONSOLIDATED_LIST/>", b"<CONSOLIDATED_LIST><INDIVIDUALS>", b"\xff\xfe\x00<"],
)
def test_malformed_files_raise_format_error(tmp_path, content):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(ListFormatError) as caught:
        un_xml.parse(path)
    assert caught.value.where.startswith("line ")


def test_shared_reference_number_falls_back_to_dataid(tmp_path):
    first = E.INDIVIDUAL(E.DATAID("11"), E.FIRST_NAME("A"), E.UN_LIST_TYPE("Iraq"), E.REFERENCE_NUMBER("IQi.9"))
    second = E.INDIVIDUAL(E.DATAID("12"), E.FIRST_NAME("B"), E.UN_LIST_TYPE("Iraq"), E.REFERENCE_NUMBER("IQi.9"))
    third = E.INDIVIDUAL(E.DATAID("13"), E.FIRST_NAME("C"), E.UN_LIST_TYPE("Iraq"), E.REFERENCE_NUMBER("IQi.10"))
    parsed = un_xml.parse(write_list(tmp_path / "l.xml", first, second, third))
    assert [e.external_id for e in parsed.entities] == ["11", "12", "IQi.10"]
    assert parsed.entities[0].identifiers[0].scheme == "UN Reference Number"
    assert parsed.notes == ["2 entries use DATAID as id (REFERENCE_NUMBER missing or shared)"]


def test_listed_on_with_time_zone_is_a_plain_date(tmp_path):
    entry = E.ENTITY(E.DATAID("5"), E.FIRST_NAME("X"), E.UN_LIST_TYPE("Al-Qaida"), E.LISTED_ON("2015-04-07-04:00"))
    parsed = un_xml.parse(write_list(tmp_path / "l.xml", entry))
    assert parsed.entities[0].sanctions[0].start_date == "2015-04-07"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_format_errors(tmp_path, data):
    path = tmp_path / "random.xml"
    path.write_bytes(data)
    with pytest.raises(ListFormatError):
        un_xml.parse(path)


# --- round trip ------------------------------------------------------------------------

LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÀÉÖçñ-'"
RUSSIAN = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯабвгдежзиклмнопрстуфхцчшщэюя"
ARABIC = "".join(chr(c) for c in range(0x0621, 0x063B)) + "".join(chr(c) for c in range(0x0641, 0x064B))
CJK = "".join(chr(c) for c in range(0x4E00, 0x4E80))
SCRIPTS = {"latin": (LATIN, None), "cyrillic": (RUSSIAN, "rus"), "arabic": (ARABIC, "ara"), "cjk": (CJK, "zho")}

COUNTRIES = {
    "France": "fr",
    "Democratic People's Republic of Korea": "kp",
    "Iran (Islamic Republic of)": "ir",
    "Russian Federation": "ru",
    "China": "cn",
    "Syrian Arab Republic": "sy",
    "Afghanistan": "af",
}
QUALITIES = {"Good": "alias", "a.k.a.": "alias", "": "alias", "Low": "weak_alias", "f.k.a.": "former"}
PROGRAMS = ["DPRK", "Iran", "DRC", "Al-Qaida", "Taliban", "Libya"]


@st.composite
def scripted_name(draw, script: str | None = None) -> str:
    alphabet = SCRIPTS[script or draw(st.sampled_from(sorted(SCRIPTS)))][0]
    words = draw(st.lists(st.text(alphabet, min_size=1, max_size=8), min_size=1, max_size=3))
    return " ".join(words)


@st.composite
def un_entry(draw):
    tag = draw(st.sampled_from(["INDIVIDUAL", "ENTITY"]))
    script = draw(st.sampled_from(["cyrillic", "arabic", "cjk"]))
    names = draw(st.lists(scripted_name(), min_size=1, max_size=5, unique=True))
    original = draw(scripted_name(script))
    if original in names:
        original = None
    return {
        "tag": tag,
        "primary": names[0],
        "aliases": [(draw(st.sampled_from(sorted(QUALITIES))), n) for n in names[1:]],
        "original": (original, SCRIPTS[script][1]) if original else None,
        "program": draw(st.sampled_from(PROGRAMS)),
        "nationalities": draw(st.lists(st.sampled_from(sorted(COUNTRIES)), max_size=2, unique=True)),
        "address_country": draw(st.sampled_from(sorted(COUNTRIES))),
    }


def to_element(spec: dict, number: int) -> etree._Element:
    tag = spec["tag"]
    children = [E.DATAID(str(1000 + number)), E.FIRST_NAME(spec["primary"])]
    children += [E.UN_LIST_TYPE(spec["program"]), E.REFERENCE_NUMBER(f"XXx.{number:03d}")]
    children.append(E.LISTED_ON("2020-01-0" + str(1 + number % 9)))
    if spec["original"]:
        children.append(E.NAME_ORIGINAL_SCRIPT(spec["original"][0]))
    if tag == "INDIVIDUAL" and spec["nationalities"]:
        children.append(E.NATIONALITY(*[E.VALUE(n) for n in spec["nationalities"]]))
    for quality, alias in spec["aliases"]:
        children.append(E(f"{tag}_ALIAS", E.QUALITY(quality), E.ALIAS_NAME(alias)))
    children.append(E(f"{tag}_ALIAS", E.QUALITY("Good"), E.ALIAS_NAME()))  # empty: ignored
    children.append(E(f"{tag}_ADDRESS", E.CITY("Somewhere"), E.COUNTRY(spec["address_country"])))
    return E(tag, *children)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(un_entry(), min_size=1, max_size=6))
def test_generated_lists_round_trip(tmp_path, specs):
    path = write_list(tmp_path / "gen.xml", *[to_element(s, i) for i, s in enumerate(specs)])
    parsed = un_xml.parse(path)
    # The list puts individuals before entities; keep the same order for comparison.
    ordered = [s for s in specs if s["tag"] == "INDIVIDUAL"] + [s for s in specs if s["tag"] == "ENTITY"]
    assert len(parsed.entities) == len(ordered)
    for spec, entity in zip(ordered, parsed.entities, strict=True):
        assert entity.schema == ("Person" if spec["tag"] == "INDIVIDUAL" else "LegalEntity")
        expected = [(spec["primary"], "primary", None)]
        if spec["original"]:
            expected.append((spec["original"][0], "original_script", spec["original"][1]))
        expected += [(alias, QUALITIES[quality], None) for quality, alias in spec["aliases"]]
        assert [(n.value, n.kind, n.lang) for n in entity.names] == expected
        assert [s.program for s in entity.sanctions] == [spec["program"]]
        if spec["tag"] == "INDIVIDUAL":
            assert entity.countries == [COUNTRIES[n] for n in spec["nationalities"]]
        assert [a.country for a in entity.addresses] == [COUNTRIES[spec["address_country"]]]


def test_directory_is_not_a_un_file(tmp_path):
    shutil.copy(UN_FILE, tmp_path / "consolidated.xml")
    assert not un_xml.sniff(tmp_path)
    with pytest.raises(ListFormatError):
        un_xml.parse(tmp_path)
