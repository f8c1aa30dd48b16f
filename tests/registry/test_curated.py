"""The legal-authority catalogue and the engagement data: they load, they cover every
programme code in the real list files, notice periods follow the date, and broken
copies are rejected with a message naming the entry."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import glob
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from goodpath.core.settings import get_settings
from goodpath.registry.curated import (
    CatalogueError,
    authorities_path,
    authority_for_program,
    engagement_path,
    load_authorities,
    load_authorities_from,
    load_engagement,
    load_engagement_from,
    notice_period,
)

SHARED_DATA = get_settings().shared_dir / "data"


# --------------------------------------------------------------------------- loading


def test_authorities_load():
    catalogue = load_authorities()
    for code in (
        "INKSNA", "EO12938", "EO13382", "AECA73", "EAA11B", "AECA81", "EAA11C", "CBW_ACT_307",
        "IIANPA", "ENTITY_LIST", "UNSC", "BIS_DPL", "BIS_UVL", "BIS_MEU", "DDTC_DEBARRED",
        "OFAC_IFSR", "OFAC_VENEZUELA", "OFAC_CMIC", "OFAC_TERRORISM", "OFAC_IEEPA_OTHER",
    ):  # fmt: skip
        assert code in catalogue.authorities, code
    assert catalogue.authorities["OFAC_IEEPA_OTHER"].generic
    inksna = catalogue.authorities["INKSNA"]
    assert {"procurement_ban", "assistance_ban", "usml_sales_ban", "dual_use_licence_denial"} <= inksna.measure_codes
    assert "successor, sub-unit, or subsidiary" in (inksna.scope_note or "")
    assert load_authorities() is catalogue  # cached


def test_engagement_loads_with_the_cable_parties():
    data = load_engagement()
    assert data.classification == "UNCLASSIFIED"
    for key in ("norinco", "cgwic", "ceiec", "great_wall_airlines", "gw_aerospace", "cpmiec", "limmt", "li_fangwei"):
        assert key in data.parties, key
    gwa = {o.parent: o.share for o in data.parties["great_wall_airlines"].ownership}
    assert gwa["singapore_airlines_cargo"] == 25 and gwa["dahlia_investments"] == 24 and gwa["cgwic"] == 51
    assert {o.parent for o in data.parties["gw_aerospace"].ownership} == {"cgwic"}
    notes = {(n.cable, n.paragraph): set(n.parties) for n in data.engagement_notes}
    assert notes[("07BEIJING1900", "6")] == {"cgwic", "ceiec"}
    assert "norinco" in notes[("07BEIJING5360", "3")]
    assert load_engagement() is data


def test_norinco_2003_waiver_is_scoped_and_renewed():
    sanction = next(s for s in load_engagement().parties["norinco"].sanctions if s.key == "aeca73_2003")
    assert sanction.authority == "AECA73" and sanction.imposed == dt.date(2003, 9, 19)
    kinds = [(e.kind, e.date) for e in sanction.relief_events]
    assert kinds[0] == ("waiver", dt.date(2003, 9, 19))
    assert [k for k, _ in kinds[1:]] == ["renewal"] * 3
    assert all(e.scope == ["import_ban"] for e in sanction.relief_events)


def test_every_sanction_name_and_link_has_a_source():
    data = load_engagement()
    for party in data.parties.values():
        for name in party.names:
            assert name.source.strip(), (party.key, name.value)
        for sanction in party.sanctions:
            assert sanction.source.strip() and sanction.citation.strip(), (party.key, sanction.key)
            if sanction.verified == "K":
                assert sanction.note, (party.key, sanction.key)
            for event in sanction.relief_events:
                assert event.source.strip(), (party.key, sanction.key, event.kind)
        for link in party.ownership:
            assert link.source.strip(), (party.key, link.parent)
    for note in data.engagement_notes:
        assert note.source.strip()
    for authority in load_authorities().authorities.values():
        assert authority.sources and all(s.strip() for s in authority.sources), authority.code


def test_chinese_names_only_with_a_source():
    for party in load_engagement().parties.values():
        for name in party.names:
            if re.search(r"[\u4e00-\u9fff]", name.value):
                assert name.lang == "zho" and name.source.startswith("http"), (party.key, name.value)


# --------------------------------------------------------------------------- programmes


def test_program_lookup_is_case_insensitive_and_trimmed():
    assert authority_for_program("  npwmd ").code == "EO13382"
    assert authority_for_program("CAATSA  -  RUSSIA").code == "OFAC_RUSSIA_UKRAINE"
    assert authority_for_program("e.o. 13382").code == "EO13382"
    assert authority_for_program("DPRK").code == "OFAC_DPRK"
    assert authority_for_program("un:dprk").code == "UNSC"
    assert authority_for_program("DPRK", dataset="un-sc").code == "UNSC"
    assert authority_for_program("no such programme") is None
    assert authority_for_program("") is None


def _ofac_codes() -> set[str]:
    codes = set()
    for path in glob.glob(str(SHARED_DATA / "ofac_sdn_20*" / "sdn.csv")):
        text = Path(path).read_bytes().decode("cp1252").replace("\x1a", "")
        for row in csv.reader(text.splitlines()):
            if len(row) > 3 and row[0].strip().isdigit():
                for code in re.split(r"\]\s*\[", row[3]):
                    code = code.strip().strip("[]").strip()
                    if code and code != "-0-":
                        codes.add(code)
    return codes


def _csl_codes() -> set[str]:
    codes = set()
    for path in glob.glob(str(SHARED_DATA / "csl" / "*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["source"] == "source":  # the 2023 subset repeats its header
                    continue
                programs = [p.strip() for p in (row["programs"] or "").split(";") if p.strip()]
                if programs:
                    codes.update(programs)
                else:
                    match = re.search(r"\(([^)]+)\)", row["source"])
                    codes.add(match.group(1) if match else row["source"])
    return codes


def _un_codes() -> set[str]:
    text = (SHARED_DATA / "un" / "consolidated.xml").read_text(encoding="utf-8")
    return {f"UN:{t.strip()}" for t in re.findall(r"<UN_LIST_TYPE>([^<]*)</UN_LIST_TYPE>", text)}


def _ftm_codes() -> set[str]:
    codes = set()
    for path in glob.glob(str(SHARED_DATA / "opensanctions" / "*.ftm.json")):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            entity = json.loads(line)
            if entity.get("schema") != "Sanction":
                continue
            props = entity.get("properties", {})
            datasets = entity.get("datasets", [])
            if props.get("programId"):
                codes.update(props["programId"])
            else:
                codes.update(f"ftm-dataset:{d}" for d in datasets)
            # what the FtM parser falls back to: programId, program, authority, dataset
            chain = props.get("programId") or props.get("program") or props.get("authority") or datasets
            if chain:
                codes.add(chain[0])
    return codes


def test_every_program_code_in_the_real_files_maps_to_an_authority():
    assert SHARED_DATA.is_dir(), f"the shared list data is missing at {SHARED_DATA}"
    found = {
        "ofac": _ofac_codes(),
        "csl": _csl_codes(),
        "un": _un_codes(),
        "ftm": _ftm_codes(),
    }
    assert {"NPWMD", "IFSR", "VENEZUELA"} <= found["ofac"]
    assert {"CMIC-EO13959", "INKSNA", "EL", "DPL", "UVL", "MEU", "DTC"} <= found["csl"]
    assert "UN:DPRK" in found["un"] and "EU-UKR" in found["ftm"]
    catalogue = load_authorities()
    unmapped = {
        src: sorted(c for c in codes if catalogue.authority_for_program(c) is None) for src, codes in found.items()
    }
    assert not any(unmapped.values()), unmapped


def test_the_generic_authority_is_used_only_with_a_note():
    for mapping in load_authorities().programs.values():
        if load_authorities().authorities[mapping.authority].generic:
            assert mapping.note and mapping.note.startswith("GENERIC"), mapping.program


# --------------------------------------------------------------------------- notice periods


def test_aeca73_waiver_notice_was_20_working_days_in_1994_and_is_45_today():
    then = notice_period("AECA73", "national_security_waiver", dt.date(1994, 11, 1))
    assert (then.days, then.unit) == (20, "working_days")
    now = notice_period("AECA73", "national_security_waiver", dt.date.today())
    assert (now.days, now.unit) == (45, "working_days")
    assert now.dates_verified == "K"  # the change point is not sourced: marked, not asserted
    # the parallel EAA 11B waiver still requires 20 working days
    assert notice_period("EAA11B", "national_security_waiver", dt.date.today()).days == 20
    assert notice_period("AECA73", "national_security_waiver", dt.date(1989, 1, 1)) is None
    assert notice_period("AECA73", "no_such_relief", dt.date.today()) is None
    assert notice_period("NO_SUCH", "national_security_waiver", dt.date.today()) is None


_RELIEF_WITH_NOTICE = sorted(
    (a.code, r.code) for a in load_authorities().authorities.values() for r in a.relief if r.notice
)


@given(
    on=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    pair=st.sampled_from(_RELIEF_WITH_NOTICE),
)
def test_notice_period_returns_the_rule_in_force_on_that_date(on, pair):
    authority_code, relief_code = pair
    relief = load_authorities().authorities[authority_code].relief_path(relief_code)
    containing = [
        n for n in relief.notice if n.effective_from <= on and (n.effective_to is None or on <= n.effective_to)
    ]
    assert len(containing) <= 1
    got = notice_period(authority_code, relief_code, on)
    if containing:
        assert got == containing[0]
    else:
        assert got is None


@given(on=st.dates(min_value=dt.date(1990, 11, 5), max_value=dt.date(2040, 12, 31)))
def test_aeca73_waiver_always_has_a_rule_after_enactment(on):
    assert notice_period("AECA73", "national_security_waiver", on) is not None


# --------------------------------------------------------------------------- broken copies


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    out = tmp_path / name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def _authority(data: dict, code: str) -> dict:
    return next(a for a in data["authorities"] if a["code"] == code)


def _party(data: dict, key: str) -> dict:
    return next(p for p in data["parties"] if p["key"] == key)


def _sanction(data: dict, party: str, key: str) -> dict:
    return next(s for s in _party(data, party)["sanctions"] if s["key"] == key)


def test_the_unmodified_copies_load(tmp_path):
    catalogue = load_authorities_from(_write(tmp_path, "authorities.yaml", _raw(authorities_path())))
    assert catalogue.authorities.keys() == load_authorities().authorities.keys()
    data = load_engagement_from(_write(tmp_path, "engagement.yaml", _raw(engagement_path())), catalogue)
    assert data.parties.keys() == load_engagement().parties.keys()


def test_authorities_with_an_unknown_authority_in_a_program_is_rejected(tmp_path):
    data = _raw(authorities_path())
    next(m for m in data["programs"] if m["program"] == "NPWMD")["authority"] = "EO99999"
    path = _write(tmp_path, "authorities.yaml", data)
    with pytest.raises(
        CatalogueError, match=r"programs\[\d+\] \(program='NPWMD'\).*unknown authority 'EO99999'"
    ) as err:
        load_authorities_from(path)
    assert str(path) in str(err.value)


def test_authorities_with_a_missing_source_is_rejected(tmp_path):
    data = _raw(authorities_path())
    del _authority(data, "AECA73")["sources"]
    with pytest.raises(CatalogueError, match=r"authorities\[\d+\] \(code='AECA73'\)\.sources"):
        load_authorities_from(_write(tmp_path, "authorities.yaml", data))


def test_authorities_with_an_unknown_key_is_rejected(tmp_path):
    data = _raw(authorities_path())
    _authority(data, "INKSNA")["measures"][0]["severity"] = "high"
    with pytest.raises(CatalogueError, match=r"code='INKSNA'.*measures\[0\].*severity.*[Ee]xtra"):
        load_authorities_from(_write(tmp_path, "authorities.yaml", data))


def test_authorities_with_overlapping_notice_rules_is_rejected(tmp_path):
    data = _raw(authorities_path())
    relief = next(r for r in _authority(data, "AECA73")["relief"] if r["code"] == "national_security_waiver")
    relief["notice"][0]["effective_to"] = dt.date(2000, 1, 1)
    with pytest.raises(CatalogueError, match=r"code='AECA73'.*relief\[\d+\].*overlap"):
        load_authorities_from(_write(tmp_path, "authorities.yaml", data))


def test_authorities_with_a_bad_date_is_rejected(tmp_path):
    data = _raw(authorities_path())
    _authority(data, "IIANPA")["relief"][0]["notice"][0]["effective_from"] = "the nineties"
    with pytest.raises(CatalogueError, match=r"code='IIANPA'.*effective_from"):
        load_authorities_from(_write(tmp_path, "authorities.yaml", data))


def _engagement_error(tmp_path: Path, data: dict) -> str:
    path = _write(tmp_path, "engagement.yaml", data)
    with pytest.raises(CatalogueError) as err:
        load_engagement_from(path, load_authorities())
    assert str(path) in str(err.value)
    return str(err.value)


def test_engagement_with_an_unknown_authority_is_rejected(tmp_path):
    data = _raw(engagement_path())
    _sanction(data, "norinco", "inksna_2005")["authority"] = "NO_SUCH_ACT"
    message = _engagement_error(tmp_path, data)
    assert "key='norinco'" in message and "key='inksna_2005'" in message and "NO_SUCH_ACT" in message


def test_engagement_with_an_unknown_measure_is_rejected(tmp_path):
    data = _raw(engagement_path())
    _sanction(data, "cgwic", "eo13382_2006")["measures"] = ["blocking", "import_ban"]
    message = _engagement_error(tmp_path, data)
    assert "key='cgwic'" in message and "key='eo13382_2006'" in message and "import_ban" in message


def test_engagement_with_a_relief_event_outside_the_sanction_is_rejected(tmp_path):
    data = _raw(engagement_path())
    _sanction(data, "norinco", "aeca73_2003")["relief_events"][0]["scope"] = ["usml_licence_denial"]
    message = _engagement_error(tmp_path, data)
    assert "key='aeca73_2003'" in message and "relief_events[0]" in message


def test_engagement_with_a_missing_source_is_rejected(tmp_path):
    data = _raw(engagement_path())
    del _sanction(data, "limmt", "eo13382_2006")["source"]
    message = _engagement_error(tmp_path, data)
    assert "key='limmt'" in message and "key='eo13382_2006'" in message and "source" in message


def test_engagement_with_an_empty_name_source_is_rejected(tmp_path):
    data = _raw(engagement_path())
    _party(data, "ceiec")["names"][0]["source"] = "  "
    message = _engagement_error(tmp_path, data)
    assert "key='ceiec'" in message and "names[0]" in message and "source" in message


def test_engagement_with_an_unknown_owner_is_rejected(tmp_path):
    data = _raw(engagement_path())
    _party(data, "gw_aerospace")["ownership"][0]["parent"] = "nobody"
    message = _engagement_error(tmp_path, data)
    assert "key='gw_aerospace'" in message and "ownership[0]" in message and "nobody" in message


def test_engagement_with_an_unknown_key_is_rejected(tmp_path):
    data = copy.deepcopy(_raw(engagement_path()))
    _party(data, "norinco")["nickname"] = "the test case"
    message = _engagement_error(tmp_path, data)
    assert "key='norinco'" in message and "nickname" in message


def test_engagement_with_a_k_sanction_without_note_is_rejected(tmp_path):
    data = _raw(engagement_path())
    del _sanction(data, "limmt", "inksna_2004")["note"]
    message = _engagement_error(tmp_path, data)
    assert "key='inksna_2004'" in message and "verified K" in message
