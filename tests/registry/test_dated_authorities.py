"""Dated authorities and regime membership (issue 19): every authority of the catalogue carries the day it
took effect with its source, renames keep their history, route conditions name regimes with data, and the
curated engagement data imposes nothing before its authority existed."""

from __future__ import annotations

from datetime import date

import pytest

from goodpath.registry.curated import (
    CatalogueError,
    authorities_path,
    load_authorities,
    load_authorities_from,
    load_engagement,
)
from goodpath.registry.regimes import load_regimes, member_on

CATALOGUE = load_authorities()
REGIMES = load_regimes()


def test_every_authority_is_dated_with_its_source():
    for code, authority in CATALOGUE.authorities.items():
        dated = authority.in_force
        assert dated.source and all(s.strip() for s in dated.source), code
        assert date(1900, 1, 1) < dated.since <= date.today(), code
        assert not authority.exists_on(dated.since.replace(year=dated.since.year - 1)), code
        assert authority.exists_on(dated.since), code


@pytest.mark.parametrize(
    ("code", "since"),
    [("INKSNA", "2000-03-14"), ("EO12938", "1994-11-14"), ("EO13382", "2005-06-28"), ("AECA73", "1990-11-05"),
     ("EAA11B", "1990-11-05"), ("AECA81", "1991-12-04"), ("IIANPA", "1992-10-23"), ("OFAC_IFSR", "2010-08-16")],
)  # fmt: skip
def test_the_nonproliferation_authorities_dates(code, since):
    assert CATALOGUE.authorities[code].in_force.since == date.fromisoformat(since)


def test_renames_and_lapses_keep_the_history():
    inksna = CATALOGUE.authorities["INKSNA"]
    assert inksna.title_on(date(2000, 3, 14)).startswith("Iran Nonproliferation Act of 2000")
    assert inksna.title_on(date(2006, 1, 1)).startswith("Iran and Syria Nonproliferation Act")
    assert inksna.title_on(date(2020, 1, 1)).startswith("Iran, North Korea, and Syria Nonproliferation Act")
    eaa = CATALOGUE.authorities["EAA11B"]
    events = [h.event for h in eaa.in_force.history]
    assert {"lapsed", "continued", "recodified"} <= set(events)
    assert eaa.exists_on(date(1995, 1, 1)) and eaa.exists_on(date(2020, 1, 1))  # kept in force through the lapses


def test_route_conditions_name_known_regimes_and_china_is_no_mtcr_partner():
    for authority in CATALOGUE.authorities.values():
        for relief in authority.relief:
            for cond in relief.applies_if:
                if cond.regime:
                    assert cond.regime in REGIMES.regimes, (authority.code, relief.code)
    adherent = CATALOGUE.authorities["AECA73"].relief_path("adherent_enforcement_termination")
    assert [c.regime for c in adherent.applies_if] == ["MTCR"]
    for day in (date(1993, 1, 1), date(2004, 9, 1), date(2024, 1, 1)):
        assert member_on(REGIMES, "MTCR", "cn", day).member is False
    assert member_on(REGIMES, "MTCR", "fr", date(1994, 1, 1)).member is True
    assert member_on(REGIMES, "MTCR", "in", date(2010, 1, 1)).member is False  # joined 2016
    assert member_on(REGIMES, "NSG", "br", date(2010, 1, 1)).member is None  # incomplete list: unknown


def test_curated_sanctions_are_never_before_their_authority():
    for party, sanction in load_engagement().sanctions():
        if sanction.imposed is not None:
            since = CATALOGUE.authorities[sanction.authority].in_force.since
            assert sanction.imposed >= since, (party.key, sanction.key)


def test_an_authority_ending_before_it_began_is_refused(tmp_path):
    text = authorities_path().read_text()
    since = "    in_force:\n      since: 2005-06-28"
    broken = text.replace(since, f"{since}\n      until: 2001-01-01", 1)
    assert broken != text
    path = tmp_path / "authorities.yaml"
    path.write_text(broken)
    with pytest.raises(CatalogueError, match="until is before since"):
        load_authorities_from(path)


def test_a_programme_later_than_its_authority_dates_its_sanctions():
    from goodpath.pathway.eligibility import SanctionFacts, evaluate

    assert CATALOGUE.program_since("RUSSIA-EO14024") == date(2021, 4, 15)
    assert CATALOGUE.program_since("NPWMD") == CATALOGUE.authorities["EO13382"].in_force.since
    listed = SanctionFacts(1, "OFAC_RUSSIA_UKRAINE", "RUSSIA-EO14024", ("blocking",), None, None, "active", None,
                           "SDN", True, imposed_precision="unknown")  # fmt: skip
    party = {"id": "p", "key": None, "caption": "P", "countries": ["ru"]}
    assert evaluate(CATALOGUE, party, [listed], date(2020, 1, 1), REGIMES)["sanctions"] == []
    assert evaluate(CATALOGUE, party, [listed], date(2022, 1, 1), REGIMES)["sanctions"][0]["status"] == "unverified"
