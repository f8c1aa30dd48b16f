"""FollowTheMoney JSON lines parser (ftm-json)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.core.settings import get_settings
from goodpath.lists.formats import detect, ftm_json
from goodpath.lists.records import ListFormatError, ParsedList

DATA = get_settings().shared_dir / "data" / "opensanctions"
T1_FILE = DATA / "yente_t1_entities.ftm.json"
ZALA_FILE = DATA / "yente_zala_entities.ftm.json"
UN_FILE = get_settings().shared_dir / "data" / "un" / "consolidated.xml"

ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"
ZALA_CST = "NK-abdzbEBkqyT29GyREbiURZ"
KALASHNIKOV = "NK-nR5AXM9AVPq4pQaSPSaVam"


@pytest.fixture(scope="module")
def t1() -> ParsedList:
    return ftm_json.parse(T1_FILE)


@pytest.fixture(scope="module")
def zala() -> ParsedList:
    return ftm_json.parse(ZALA_FILE)


def by_id(parsed: ParsedList, external_id: str):
    return next(e for e in parsed.entities if e.external_id == external_id)


def names_of(entity, kind: str) -> list[str]:
    return [n.value for n in entity.names if n.kind == kind]


# --- the real fixtures -----------------------------------------------------------------


def test_t1_parties_and_dataset(t1):
    assert t1.format == "ftm-json"
    assert t1.default_dataset == "eu-fsf"
    assert len(t1.entities) == 6
    assert Counter(e.schema for e in t1.entities) == {"Person": 4, "Organization": 2}
    assert t1.published is None


def test_t1_address_entity_is_not_a_party(t1):
    # The file's one Address (Mombasa) is referenced by nobody: the two addressEntity
    # values point at ids that are not in the file. It is noted, not made a party.
    assert not any("Mombasa" in a.full for e in t1.entities for a in e.addresses)
    assert "addressEntity references not in the file: 2" in t1.notes
    assert "Address entities no party refers to (skipped): 1" in t1.notes


def test_t1_organization_fields(t1):
    tobacco = by_id(t1, "NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert tobacco.primary_name == "LLC “Inter Tobacco”"
    assert "Общество с ограниченной ответственностью “Интер Тобако”" in names_of(tobacco, "alias")
    assert tobacco.countries == ["by"]
    assert [(i.scheme, i.value) for i in tobacco.identifiers] == [("registrationNumber", "808000714")]
    assert tobacco.link_key == "ofac:32733"  # from the OpenSanctions referent "ofac-32733"
    assert tobacco.remarks == "Belarus (Minsk Free Economic Zone)"


def test_t1_person_fields(t1):
    kuzmenko = by_id(t1, "NK-2Ka3UvopqbpZmVDFjWd4LA")
    assert kuzmenko.schema == "Person"
    assert kuzmenko.birth_dates == ["1971-01-22"]
    assert "Виталий Юрьевич КУЗЬМЕНКО" in [n.value for n in kuzmenko.names]
    assert ("taxNumber", "366510784303") in [(i.scheme, i.value) for i in kuzmenko.identifiers]


def test_zala_parties(zala):
    assert zala.default_dataset == "yente-zala-entities"  # many datasets: named after the file
    assert len(zala.entities) == 17
    assert Counter(e.schema for e in zala.entities) == {"Company": 11, "Person": 6}


def test_zala_sanctions_attached(zala):
    assert sum(len(e.sanctions) for e in zala.entities) == 41
    assert len(by_id(zala, ZALA_CST).sanctions) == 28
    zakharov = by_id(zala, ZAKHAROV)
    assert len(zakharov.sanctions) == 13
    ukraine = next(s for s in zakharov.sanctions if s.program == "UA-SA1644")
    assert ukraine.list_name == "National Security and Defense Council"
    assert (ukraine.start_date, ukraine.end_date) == ("2023-07-01", "2033-07-01")
    assert ukraine.citation == "https://drs.nsdc.gov.ua/"
    programs = {s.program for s in zakharov.sanctions}
    assert {"US-RUSHAR", "GB-RUS", "EU-UKR"} <= programs
    for entity in zala.entities:
        for sanction in entity.sanctions:
            assert sanction.program and sanction.source_url


def test_zala_ofac_link_keys(zala):
    assert by_id(zala, ZAKHAROV).link_key == "ofac:45937"
    assert by_id(zala, KALASHNIKOV).link_key == "ofac:16911"
    # ZALA/CST is two SDN entries merged by OpenSanctions: the lowest number is kept, and said.
    assert by_id(zala, ZALA_CST).link_key == "ofac:45928"
    assert any("45928, 45934" in note for note in zala.notes)
    assert by_id(zala, "NK-56Edov9bas9puzaChH5pBy").link_key is None  # EGRUL only


def test_zala_ownership_links_with_shares(zala):
    cst = by_id(zala, ZALA_CST)
    current = {(link.relation, link.target_id): link.share for link in cst.links if link.end_date is None}
    assert current == {("owned_by", KALASHNIKOV): 49.0, ("owned_by", ZAKHAROV): 51.0}
    # Eleven EGRUL ownerships carry an endDate: kept with their dates, as history.
    assert "Ownership entities with an endDate (kept as history): 11" in zala.notes
    ended = [link for party in zala.entities for link in party.links if link.end_date]
    assert ended and all(link.start_date is None or link.start_date <= link.end_date for link in ended)


def test_zala_directorship_and_family_links(zala):
    zakharov = by_id(zala, ZAKHAROV)
    assert {(lk.relation, lk.target_id) for lk in zakharov.links} == {
        ("linked_to", ZALA_CST),
        ("linked_to", "NK-SiYwWfxwLVrVeFswsvAvsm"),
    }
    family = [e for e in zala.entities if ("linked_to", ZAKHAROV) in [(lk.relation, lk.target_id) for lk in e.links]]
    assert len(family) == 4


def test_zala_names_addresses_identifiers(zala):
    osetrova = by_id(zala, "NK-2Tbri3s6GgNtAwsSXh4qpL")
    assert names_of(osetrova, "former") == ["Maria Aleksandrovna Zakharova", "Мария Александровна Захарова"]
    cst = by_id(zala, ZALA_CST)
    assert "ЗАЛА АЭРО" in names_of(cst, "alias")
    assert "ZALA" in names_of(cst, "weak_alias")
    assert "ザラ・アエロ・グループ" in [n.value for n in cst.names]
    structured = [a for a in cst.addresses if a.city == "Moscow" and a.postal_code == "127055"]
    assert structured and structured[0].country == "ru"
    assert len({a.full for a in cst.addresses}) == len(cst.addresses)
    schemes = {i.scheme for i in cst.identifiers}
    assert {"innCode", "ogrnCode", "kppCode"} <= schemes
    assert "Passport entities without number or known holder (skipped): 1" in zala.notes


def test_content_hash_is_stable_across_parses(zala):
    again = ftm_json.parse(ZALA_FILE)
    assert [e.content_hash() for e in again.entities] == [e.content_hash() for e in zala.entities]


def test_sniff_and_detect():
    assert ftm_json.sniff(T1_FILE) and ftm_json.sniff(ZALA_FILE)
    assert not ftm_json.sniff(UN_FILE)
    assert not ftm_json.sniff(DATA)
    assert detect(ZALA_FILE) == "ftm-json"


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("source", [T1_FILE, ZALA_FILE])
def test_file_cut_at_half_names_a_line(tmp_path, source):
    data = source.read_bytes()
    cut = tmp_path / source.name
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError) as caught:
        ftm_json.parse(cut)
    assert caught.value.path == str(cut)
    assert caught.value.where.startswith("line ")
    assert str(cut) in str(caught.value)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


PERSON = {"id": "p1", "schema": "Person", "properties": {"name": ["A B"]}, "datasets": ["x"]}


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ('{"schema": "Person", "properties": {}}', "no id"),
        ('{"id": "q", "properties": {}}', "no schema"),
        ('{"id": "q", "schema": "Spaceship", "properties": {}}', "unknown schema 'Spaceship'"),
        ('{"id": "q", "schema": "Person", "properties": []}', "properties is not an object"),
        ('{"id": "q", "schema": "Person", "properties": {"name": [{}]}}', "expected text"),
        ("[1, 2]", "expected a JSON object"),
        ('{"id": "q", "schema": "Per', "invalid JSON"),
    ],
)
def test_bad_lines_name_their_line(tmp_path, bad, problem):
    path = write_lines(tmp_path / "e.json", [json.dumps(PERSON), "", bad])
    with pytest.raises(ListFormatError, match=problem) as caught:
        ftm_json.parse(path)
    assert caught.value.where.startswith("line 3")


def test_file_without_parties_is_an_error(tmp_path):
    address = {"id": "a1", "schema": "Address", "properties": {"full": ["x"]}}
    with pytest.raises(ListFormatError, match="no party entities"):
        ftm_json.parse(write_lines(tmp_path / "e.json", [json.dumps(address)]))
    with pytest.raises(ListFormatError, match="empty file"):
        ftm_json.parse(write_lines(tmp_path / "e.json", ["", "  "]))


def test_fragments_with_one_id_are_merged(tmp_path):
    more = {"id": "p1", "schema": "LegalEntity", "properties": {"alias": ["C D"], "country": ["RU"]}}
    parsed = ftm_json.parse(write_lines(tmp_path / "e.json", [json.dumps(PERSON), json.dumps(more)]))
    (person,) = parsed.entities
    assert person.schema == "Person"
    assert [(n.value, n.kind) for n in person.names] == [("A B", "primary"), ("C D", "alias")]
    assert person.countries == ["ru"]
    assert parsed.notes == ["lines merged into an earlier line with the same id: 1"]


def test_other_legal_entities_become_organizations_and_vessels_are_parties(tmp_path):
    body = {"id": "b", "schema": "PublicBody", "properties": {"name": ["Ministry"]}, "datasets": ["d"]}
    ship = {"id": "v", "schema": "Vessel", "properties": {"name": ["Ship"], "imoNumber": ["IMO1"]}}
    ship["datasets"] = ["d"]
    parsed = ftm_json.parse(write_lines(tmp_path / "e.json", [json.dumps(body), json.dumps(ship)]))
    assert [e.schema for e in parsed.entities] == ["Organization", "Vessel"]
    assert parsed.entities[1].identifiers[0].scheme == "imoNumber"
    assert parsed.default_dataset == "d"


def test_ofac_details_url_on_a_sanction_sets_link_key(tmp_path):
    sanction = {
        "id": "s1",
        "schema": "Sanction",
        "properties": {
            "entity": ["p1"],
            "authority": ["Office of Foreign Assets Control"],
            "program": ["NPWMD"],
            "sourceUrl": ["https://sanctionssearch.ofac.treas.gov/Details.aspx?id=9749"],
        },
    }
    parsed = ftm_json.parse(write_lines(tmp_path / "e.json", [json.dumps(PERSON), json.dumps(sanction)]))
    (person,) = parsed.entities
    assert person.link_key == "ofac:9749"
    assert person.sanctions[0].program == "NPWMD"
    assert person.sanctions[0].list_name == "Office of Foreign Assets Control"


# --- property tests --------------------------------------------------------------------

LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÀÉÖçñ-'"
CYRILLIC = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯабвгдежзиклмнопрстуфхцчшщэюяІЇЄ"
ARABIC = "".join(chr(c) for c in range(0x0621, 0x063B)) + "".join(chr(c) for c in range(0x0641, 0x064B))
CJK = "".join(chr(c) for c in range(0x4E00, 0x4E80))

SCHEMATA = {
    "Person": "Person",
    "Company": "Company",
    "Organization": "Organization",
    "LegalEntity": "LegalEntity",
    "PublicBody": "Organization",
    "Vessel": "Vessel",
}
CODES = ["ru", "cn", "ir", "kp", "by", "us"]
PROGRAMS = ["US-RUSHAR", "EU-UKR", "GB-RUS", "UA-SA1644", "NPWMD", "IFSR"]
NAME_KINDS = {"name": "alias", "alias": "alias", "previousName": "former", "weakAlias": "weak_alias"}

name_text = st.sampled_from([LATIN, CYRILLIC, ARABIC, CJK]).flatmap(
    lambda alphabet: st.lists(st.text(alphabet, min_size=1, max_size=8), min_size=1, max_size=3).map(" ".join)
)
timestamp = st.datetimes().map(lambda d: d.isoformat(timespec="seconds"))


@st.composite
def party(draw, number: int):
    schema = draw(st.sampled_from(sorted(SCHEMATA)))
    all_names = draw(st.lists(name_text, min_size=1, max_size=6, unique=True))
    props: dict[str, list[str]] = {"name": [all_names[0]]}
    for value in all_names[1:]:
        props.setdefault(draw(st.sampled_from(sorted(NAME_KINDS))), []).append(value)
    if countries := draw(st.lists(st.sampled_from(CODES), max_size=3, unique=True)):
        props["country"] = countries
    return {
        "id": f"e-{number}",
        "schema": schema,
        "properties": props,
        "programs": draw(st.lists(st.sampled_from(PROGRAMS), max_size=3)),
        "owner": draw(st.none() | st.integers(min_value=0, max_value=20)),
        "share": draw(st.integers(min_value=0, max_value=100)),
    }


@st.composite
def ftm_file(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    parties = [draw(party(i)) for i in range(count)]
    datasets = draw(st.sampled_from([["eu_fsf"], ["us_ofac_sdn"], None]))
    return parties, datasets


def ftm_lines(parties, datasets, seen: str) -> list[str]:
    lines = []
    for i, spec in enumerate(parties):
        ds = datasets or [f"set_{i % 2}"]
        entity = {"id": spec["id"], "schema": spec["schema"], "properties": spec["properties"], "datasets": ds}
        entity.update(first_seen=seen, last_seen=seen, last_change=seen, caption=seen)
        lines.append(json.dumps(entity, ensure_ascii=False))
        for k, program in enumerate(spec["programs"]):
            props = {"entity": [spec["id"]], "programId": [program], "authority": ["Authority"]}
            lines.append(json.dumps({"id": f"{spec['id']}-s{k}", "schema": "Sanction", "properties": props}))
        if spec["owner"] is not None and len(parties) > 1:
            owner = parties[spec["owner"] % len(parties)]["id"]
            props = {"asset": [spec["id"]], "owner": [owner], "percentage": [str(spec["share"])]}
            lines.append(json.dumps({"id": f"{spec['id']}-o", "schema": "Ownership", "properties": props}))
    return lines


def expected_names(props: dict[str, list[str]]) -> list[tuple[str, str]]:
    names = []
    for prop in ("name", "alias", "previousName", "weakAlias"):
        names += [(value, NAME_KINDS[prop]) for value in props.get(prop, [])]
    names[0] = (names[0][0], "primary")
    return names


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ftm_file(), timestamp, timestamp)
def test_generated_files_round_trip(tmp_path, generated, seen_a, seen_b):
    parties, datasets = generated
    parsed = ftm_json.parse(write_lines(tmp_path / "gen.ftm.json", ftm_lines(parties, datasets, seen_a)))
    assert len(parsed.entities) == len(parties)
    if datasets:
        assert parsed.default_dataset == datasets[0].replace("_", "-")
    elif len(parties) > 1:
        assert parsed.default_dataset == "gen"
    for spec, entity in zip(parties, parsed.entities, strict=True):
        assert entity.external_id == spec["id"]
        assert entity.schema == SCHEMATA[spec["schema"]]
        assert [(n.value, n.kind) for n in entity.names] == expected_names(spec["properties"])
        assert entity.countries == spec["properties"].get("country", [])
        assert [s.program for s in entity.sanctions] == spec["programs"]
        if spec["owner"] is not None and len(parties) > 1:
            owner = parties[spec["owner"] % len(parties)]["id"]
            assert [(lk.relation, lk.target_id, lk.share) for lk in entity.links] == [
                ("owned_by", owner, float(spec["share"]))
            ]
    # first_seen / last_seen / last_change / caption are bookkeeping, not content.
    other = ftm_json.parse(write_lines(tmp_path / "gen2.ftm.json", ftm_lines(parties, datasets, seen_b)))
    assert [e.content_hash() for e in other.entities] == [e.content_hash() for e in parsed.entities]


garbage_line = st.one_of(
    st.text(max_size=60).filter(lambda s: "\n" not in s and s.strip()),
    st.sampled_from(
        [
            "{}",
            "[]",
            "null",
            "NaN",
            '"text"',
            '{"id": 1, "schema": "Person"}',
            '{"id": "x", "schema": "Nope", "properties": {}}',
            '{"id": "x", "schema": "Person", "properties": {"name": [null]}}',
            '{"id": "x", "schema": "Person", "properties": {"name": ["\\ud800"]}}',
            '{"id": "x", "schema": "Person", "properties"',
            "[" * 5000,
        ]
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ftm_file(), garbage_line, st.integers(min_value=0, max_value=100))
def test_garbage_lines_raise_only_format_errors(tmp_path, generated, garbage, position):
    parties, datasets = generated
    lines = ftm_lines(parties, datasets, "2024-01-01T00:00:00")
    index = position % (len(lines) + 1)
    lines.insert(index, garbage)
    with pytest.raises(ListFormatError) as caught:
        ftm_json.parse(write_lines(tmp_path / "bad.json", lines))
    assert caught.value.where.startswith(f"line {index + 1}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_format_errors(tmp_path, data):
    path = tmp_path / "random.json"
    path.write_bytes(data)
    with pytest.raises(ListFormatError):
        ftm_json.parse(path)
