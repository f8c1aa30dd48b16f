"""The legal rule engine (pathway/eligibility.py): each authority's rules, the notice period by
date, minimum durations, partial relief, waived and ended sanctions, unverified flags, the demo
companies, and property tests. The rules come from registry/data/authorities.yaml."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from goodpath.core.db import new_session
from goodpath.core.errors import NotFound, Refused
from goodpath.demo import service as demo
from goodpath.pathway import eligibility as engine
from goodpath.pathway.eligibility import AmbiguousParty, SanctionFacts, check_relief, evaluate, explain
from goodpath.pathway.eligibility_commands import eligibility
from goodpath.pathway.workdays import add_working_days, notice_effective
from goodpath.registry import authorities
from goodpath.registry.authorities import add_period
from goodpath.registry.curated import load_authorities
from goodpath.registry.models import Party, PartyName, Sanction
from goodpath.registry.names import normalize_name
from tests.factories import OPERATOR

CATALOGUE = load_authorities()
PARTY = {"id": "p1", "key": "acme", "caption": "Acme"}


def facts(authority: str, measures=(), imposed=date(2003, 9, 19), *, id=1, expires=None, status="active",
          status_date=None, events=(), verified=True, citation="68 FR 54930") -> SanctionFacts:  # fmt: skip
    return SanctionFacts(
        id=id, authority=authority, program=None, measures=tuple(measures), imposed_on=imposed, expires_on=expires,
        status=status, status_date=status_date, citation=citation, verified=verified, events=tuple(events),
    )  # fmt: skip


def run(*sanctions: SanctionFacts, as_of: date, catalogue=CATALOGUE) -> dict:
    return evaluate(catalogue, PARTY, list(sanctions), as_of)


def measure(result: dict, code: str, sanction: int = 0) -> dict:
    return next(m for m in result["sanctions"][sanction]["measures"] if m["measure"] == code)


def route(row: dict, code: str) -> dict:
    return next(r for r in row["routes"] if r["code"] == code)


# --------------------------------------------------------------------------- per authority


def test_shape_is_exactly_the_issue_json():
    result = run(facts("AECA73", ["import_ban"]), as_of=date(2007, 8, 15))
    assert set(result) == {"party", "as_of", "sanctions", "unverified"}
    assert set(result["sanctions"][0]) == {
        "id",
        "authority",
        "authority_title",
        "program",
        "status",
        "imposed_on",
        "imposed_precision",
        "measures",
    }
    row = result["sanctions"][0]["measures"][0]
    assert set(row) == {"measure", "status", "relief_possible", "routes", "reasons", "citations"}
    assert set(row["routes"][0]) == {
        "type",
        "code",
        "who",
        "requires",
        "notice",
        "earliest_effective",
        "verified",
        "state",
        "why",
    }
    assert set(route(row, "national_security_waiver")["notice"]) == {"days", "unit", "to", "verified"}
    json.dumps(result)  # serializable as is


def test_aeca73_waiver_notice_is_20_working_days_until_7_nov_1994_then_45():
    sanction = facts("AECA73", ["missile_contract_ban", "missile_licence_denial"], imposed=date(1993, 8, 24))
    # 1994-11-01: the CPMIEC waiver (Public Notice 2111): 20 working days.
    waiver = route(measure(run(sanction, as_of=date(1994, 11, 1)), "missile_contract_ban"), "national_security_waiver")
    assert waiver["notice"]["days"] == 20 and waiver["notice"]["unit"] == "working_days"
    assert waiver["type"] == "waiver" and "national security" in waiver["requires"][0]
    # Last day of the 20-day rule: Nov 11 (Veterans Day) and Nov 24 (Thanksgiving) fall in the window.
    on_7 = route(measure(run(sanction, as_of=date(1994, 11, 7)), "missile_contract_ban"), "national_security_waiver")
    assert on_7["notice"]["days"] == 20
    assert on_7["earliest_effective"] == "1994-12-08"  # 20th working day after Nov 7 is Dec 7
    on_8 = route(measure(run(sanction, as_of=date(1994, 11, 8)), "missile_contract_ban"), "national_security_waiver")
    assert on_8["notice"]["days"] == 45
    assert on_8["earliest_effective"] == (add_working_days(date(1994, 11, 8), 45) + timedelta(days=1)).isoformat()
    # The boundary date is K in the catalogue: the route applies but is flagged.
    assert on_8["verified"] is False and on_8["notice"]["verified"] is False
    assert any("date range" in r for r in measure(run(sanction, as_of=date(1994, 11, 8)), "missile_contract_ban")
               ["reasons"] if r.startswith("unverified:"))  # fmt: skip


def test_aeca73_in_2007_is_45_working_days_and_the_waiver_does_not_wait_for_two_years():
    sanction = facts("AECA73", ["import_ban"], imposed=date(2007, 8, 1))
    result = run(sanction, as_of=date(2007, 8, 15))
    row = measure(result, "import_ban")
    waiver = route(row, "national_security_waiver")
    assert waiver["notice"]["days"] == 45
    assert waiver["earliest_effective"] == notice_effective(date(2007, 8, 15), 45, "working_days").isoformat()
    # Sep 3 (Labor Day) and Oct 8 (Columbus Day) skipped: 45th working day Fri Oct 19, effect the day after.
    assert waiver["earliest_effective"] == "2007-10-20"
    # 73(c) termination needs no 2-year wait, but only for a person under an MTCR adherent's jurisdiction:
    # the party's country is not recorded here, so the route is open only if it is (unverified).
    adherent = route(row, "adherent_enforcement_termination")
    assert adherent["earliest_effective"] == "2007-08-15"
    assert adherent["state"] == "open_if" and adherent["verified"] is False and "MTCR" in adherent["why"]
    # Category I / import ban never expire by themselves: the expiry route is shown, not open.
    assert route(row, "expiry")["state"] == "not_open" and route(row, "expiry")["earliest_effective"] is None
    assert any("no automatic expiry" in r for r in row["reasons"])
    assert "AECA sec. 73, 22 U.S.C. 2797b (conduct after November 5, 1990)" in row["citations"]
    assert "68 FR 54930" in row["citations"]
    assert row["relief_possible"] is True


def test_aeca73_category_ii_measures_expire_after_exactly_two_years():
    sanction = facts("AECA73", ["missile_contract_ban", "import_ban"], imposed=date(2003, 9, 19))
    before = measure(run(sanction, as_of=date(2005, 9, 18)), "missile_contract_ban")
    assert before["status"] == "active" and route(before, "expiry")["earliest_effective"] == "2005-09-19"
    after = run(sanction, as_of=date(2005, 9, 19))
    assert measure(after, "missile_contract_ban")["status"] == "expired"
    assert measure(after, "missile_contract_ban")["relief_possible"] is False
    assert measure(after, "import_ban")["status"] == "active"  # "not less than 2 years": stays
    assert after["sanctions"][0]["status"] == "active"


def test_eaa11b_waiver_is_20_working_days_in_1994_and_2007():
    for as_of in (date(1994, 11, 1), date(2007, 8, 15)):
        row = measure(run(facts("EAA11B", ["import_ban"], imposed=date(1993, 8, 24)), as_of=as_of), "import_ban")
        waiver = route(row, "national_security_waiver")
        assert (waiver["notice"]["days"], waiver["notice"]["unit"]) == (20, "working_days")
        assert waiver["earliest_effective"] == notice_effective(as_of, 20, "working_days").isoformat()
        assert any("4612" in c for c in row["citations"])


def test_inksna_rescission_any_time_exemption_after_15_days_expiry_from_the_order():
    sanction = facts("INKSNA", ["procurement_ban", "dual_use_licence_denial"], imposed=date(2005, 12, 23),
                     expires=date(2007, 12, 23), citation="70 FR 77441")  # fmt: skip
    row = measure(run(sanction, as_of=date(2007, 8, 15)), "dual_use_licence_denial")
    # The 2-year term is the order's, not a minimum: a rescission may come before it (70 FR 77441 precedent).
    assert route(row, "rescission")["earliest_effective"] == "2007-08-15"
    exemption = route(row, "sec5_exemption")
    assert exemption["notice"] == {"days": 15, "unit": "days", "to": exemption["notice"]["to"], "verified": False}
    assert exemption["earliest_effective"] == "2007-08-31"  # 15 full days after the report
    assert route(row, "expiry")["earliest_effective"] == "2007-12-23"
    assert "P.L. 106-178, 114 Stat. 38 (2000), as amended (P.L. 109-353, 2006)" in row["citations"]
    assert any(r.startswith("relievable on its own") for r in row["reasons"])
    assert measure(run(sanction, as_of=date(2007, 12, 23)), "procurement_ban")["status"] == "expired"


def test_eo12938_termination_is_unverified_and_flagged():
    sanction = facts("EO12938", ["import_ban", "procurement_ban"], imposed=date(2003, 5, 9), expires=date(2005, 5, 9))
    result = run(sanction, as_of=date(2004, 1, 1))
    row = measure(result, "import_ban")
    termination = route(row, "termination_cessation")
    assert termination["type"] == "termination" and termination["verified"] is False
    assert termination["earliest_effective"] == "2004-01-01"
    assert any(r.startswith("unverified:") and "termination_cessation" in r for r in row["reasons"])
    assert any("termination_cessation" in flag for flag in result["unverified"])
    assert route(row, "expiry")["earliest_effective"] == "2005-05-09"
    assert "EO 13094, 63 FR 40803 (Jul 30 1998)" in row["citations"]
    assert run(sanction, as_of=date(2005, 6, 1))["sanctions"][0]["status"] == "expired"


def test_eo13382_delisting_by_petition_no_expiry():
    row = measure(run(facts("EO13382", ["blocking"], imposed=date(2006, 6, 13)), as_of=date(2007, 8, 15)), "blocking")
    delisting = route(row, "delisting_501_807")
    assert delisting["type"] == "delisting" and delisting["notice"] is None and delisting["verified"] is True
    assert delisting["earliest_effective"] == "2007-08-15"  # indefinite: no minimum
    assert "remedial steps" in delisting["requires"][0]
    assert route(row, "ofac_licence")["verified"] is False
    assert "31 CFR 501.807 (delisting procedure)" in row["citations"]
    assert "expiry" not in {r["code"] for r in row["routes"]}  # indefinite: until delisted


def test_cbw_waiver_and_termination_wait_for_the_12_month_minimum():
    imposed = date(2001, 3, 1)
    for code in ("AECA81", "EAA11C"):
        # In the first 12 months neither route is open (a condition of the catalogue: time since imposition).
        row = measure(run(facts(code, ["import_ban"], imposed=imposed), as_of=date(2001, 4, 1)), "import_ban")
        for name in ("national_security_waiver", "cessation_termination"):
            assert route(row, name)["state"] == "not_open"
            assert "runs until 2002-03-01" in route(row, name)["why"]
        assert {r["type"] for r in row["routes"] if r["state"] == "open"} <= {"licence"}  # exceptions only
        # From the day the 12 months have run, both are open.
        row = measure(run(facts(code, ["import_ban"], imposed=imposed), as_of=date(2002, 3, 1)), "import_ban")
        waiver = route(row, "national_security_waiver")
        assert waiver["state"] == "open" and row["relief_possible"] is True
        assert waiver["notice"]["days"] == 20 and waiver["notice"]["unit"] == "days"
        assert waiver["earliest_effective"] == "2002-03-22"  # 20 full days after notice on the first day
        assert route(row, "cessation_termination")["earliest_effective"] == "2002-03-01"
        late = measure(run(facts(code, ["import_ban"], imposed=imposed), as_of=date(2003, 1, 6)), "import_ban")
        assert route(late, "national_security_waiver")["earliest_effective"] == "2003-01-27"  # 20 full days


def test_iianpa_fixed_term_waiver_any_time():
    row = measure(run(facts("IIANPA", ["procurement_ban"], imposed=date(2004, 1, 1)), as_of=date(2004, 6, 1)),
                  "procurement_ban")  # fmt: skip
    assert route(row, "national_interest_waiver")["earliest_effective"] == "2004-06-17"
    assert route(row, "expiry")["earliest_effective"] == "2006-01-01"


# --------------------------------------------------------------------------- history as of a date


def test_time_boxed_waiver_then_renewals_then_lapse():
    events = [
        {"kind": "waiver", "date": "2003-09-19", "scope": ["import_ban"], "duration": {"years": 1},
         "citation": "68 FR 54930", "verified": "V"},
        {"kind": "renewal", "date": "2004-09-18", "scope": ["import_ban"], "duration": {"years": 1},
         "citation": "69 FR 56261", "verified": "V"},
    ]  # fmt: skip
    sanction = facts("AECA73", ["missile_contract_ban", "import_ban"], events=events)
    waived = measure(run(sanction, as_of=date(2004, 1, 1)), "import_ban")
    assert waived["status"] == "waived" and waived["relief_possible"] is False and waived["routes"] == []
    assert any("until 2004-09-18" in r for r in waived["reasons"])
    renewed = measure(run(sanction, as_of=date(2005, 1, 1)), "import_ban")
    assert renewed["status"] == "waived" and any("until 2005-09-17" in r for r in renewed["reasons"])
    lapsed = measure(run(sanction, as_of=date(2006, 1, 1)), "import_ban")
    assert lapsed["status"] == "active" and lapsed["relief_possible"] is True
    assert any("lapsed on 2005-09-17" in r for r in lapsed["reasons"])
    # The other measure was never waived.
    assert measure(run(sanction, as_of=date(2004, 1, 1)), "missile_contract_ban")["status"] == "active"


def test_open_ended_waiver_remains_in_effect_unless_revoked():
    events = [{"kind": "waiver", "date": "1994-11-01", "scope": [], "verified": "V", "citation": "Public Notice 2111"}]
    sanction = facts("AECA73", ["missile_contract_ban", "import_ban"], imposed=date(1993, 8, 24), events=events)
    result = run(sanction, as_of=date(1994, 11, 1))
    assert result["sanctions"][0]["status"] == "waived"
    assert any("until revoked" in r for r in measure(result, "import_ban")["reasons"])
    assert run(sanction, as_of=date(1994, 10, 31))["sanctions"][0]["status"] == "active"


def test_terminated_and_delisted_sanctions_show_why_no_relief():
    terminated = facts("AECA73", ["import_ban"], imposed=date(1991, 6, 1), status="terminated",
                       status_date=date(1992, 3, 1))  # fmt: skip
    row = measure(run(terminated, as_of=date(1993, 1, 1)), "import_ban")
    assert row["status"] == "terminated" and row["relief_possible"] is False
    assert "terminated on 1992-03-01" in row["reasons"][0]
    assert measure(run(terminated, as_of=date(1991, 12, 1)), "import_ban")["status"] == "active"
    delisted = facts(
        "EO13382",
        ["blocking"],
        imposed=date(2006, 8, 1),
        events=[{"kind": "delisting", "date": "2006-12-13", "scope": ["blocking"], "verified": "V"}],
    )
    assert run(delisted, as_of=date(2006, 12, 13))["sanctions"][0]["status"] == "delisted"
    assert run(delisted, as_of=date(2006, 12, 12))["sanctions"][0]["status"] == "active"
    unknown_day = facts("EO13382", ["blocking"], imposed=date(2006, 6, 13), status="delisted",
                        events=[{"kind": "delisting", "scope": ["blocking"], "verified": "K"}])  # fmt: skip
    result = run(unknown_day, as_of=date(2020, 1, 1))
    assert measure(result, "blocking")["status"] == "delisted"
    assert any("unknown date" in flag for flag in result["unverified"])


def test_sanctions_not_yet_imposed_are_left_out():
    assert run(facts("EO13382", ["blocking"], imposed=date(2006, 6, 13)), as_of=date(2006, 6, 12))["sanctions"] == []


def test_partial_relief_not_allowed_applies_routes_to_the_whole_sanction():
    authority = CATALOGUE.authorities["EO12938"]
    whole = authority.model_copy(update={"partial_relief": authority.partial_relief.model_copy(
        update={"allowed": False, "note": "test: one decision for all measures"})})  # fmt: skip
    catalogue = CATALOGUE.model_copy(update={"authorities": {**CATALOGUE.authorities, "EO12938": whole}})
    row = measure(run(facts("EO12938", ["import_ban"], imposed=date(2003, 5, 9)), as_of=date(2004, 1, 1),
                      catalogue=catalogue), "import_ban")  # fmt: skip
    assert any("applies to the whole sanction" in r for r in row["reasons"])
    assert row["relief_possible"] is True


def test_unverified_records_and_rules_are_flagged_not_dropped():
    sanction = facts("AECA81", ["procurement_ban"], imposed=date(1997, 5, 21), verified=False)
    result = run(sanction, as_of=date(1999, 1, 4))
    row = measure(result, "procurement_ban")
    waiver = route(row, "national_security_waiver")  # relief K, notice K: applies, flagged
    assert waiver["verified"] is False and row["relief_possible"] is True
    assert any("secondary sources" in flag for flag in result["unverified"])
    assert any("notice length" in flag for flag in result["unverified"])
    no_date = facts("INKSNA", [], imposed=None, status="expired")
    result = run(no_date, as_of=date(2007, 8, 15))
    assert any("imposition date not in the sources" in f for f in result["unverified"])
    assert any("every measure of INKSNA assumed" in f for f in result["unverified"])


# --------------------------------------------------------------------------- property tests

AUTHORITIES = ["AECA73", "EAA11B", "INKSNA", "EO12938", "EO13382", "AECA81", "EAA11C", "IIANPA", "CBW_ACT_307"]


@st.composite
def cases(draw):
    code = draw(st.sampled_from(AUTHORITIES))
    authority = CATALOGUE.authorities[code]
    measures = draw(st.lists(st.sampled_from([m.code for m in authority.measures]), min_size=1, unique=True))
    imposed = draw(st.dates(min_value=max(date(1991, 1, 1), authority.in_force.since), max_value=date(2024, 12, 31)))
    as_of = imposed + timedelta(days=draw(st.integers(min_value=0, max_value=1500)))
    return facts(code, measures, imposed=imposed), as_of


@settings(max_examples=200, deadline=None)
@given(cases())
def test_earliest_effective_never_before_the_minimum_nor_the_notice(case):
    sanction, as_of = case
    authority = CATALOGUE.authorities[sanction.authority]
    for row in run(sanction, as_of=as_of)["sanctions"][0]["measures"]:
        assert row["relief_possible"] == any(r["state"] == "open" for r in row["routes"])
        if row["status"] != "active":
            assert not row["routes"]
        found = authority.measure(row["measure"])
        term = found.duration or authority.duration
        for r in row["routes"]:
            relief = authority.relief_path(r["code"])
            assert r["state"] in ("open", "open_if", "not_open") and r["why"]
            if r["state"] == "not_open":
                continue
            earliest = date.fromisoformat(r["earliest_effective"])
            assert earliest >= as_of
            rule = relief.notice_on(as_of)
            if rule is not None:
                assert earliest >= notice_effective(as_of, rule.days, rule.unit)
                assert earliest > as_of + timedelta(days=rule.days)
            waits = relief.after_minimum_duration
            if waits is None:
                waits = relief.kind in engine.ENDING_ROUTES
            if waits and term.type in ("minimum", "fixed"):
                assert earliest >= add_period(sanction.imposed_on, term.years or 0, term.months or 0)
            assert r["verified"] in (True, False)


# --------------------------------------------------------------------------- with the database


def _party(session, party_id: str, caption: str, *names: str) -> Party:
    party = Party(id=party_id, key=None, schema="Company", caption=caption, countries=[], birth_dates=[],
                  classification="UNCLASSIFIED", releasability="ALL")  # fmt: skip
    session.add(party)
    session.flush()
    for value in (caption, *names):
        session.add(PartyName(party_id=party_id, value=value, kind="primary", normalized=normalize_name(value),
                              classification="UNCLASSIFIED", releasability="ALL"))  # fmt: skip
    return party


@pytest.fixture
def demo_db(db, session):
    demo.load_engagement(lambda: new_session(db), "tester")
    return session


def test_norinco_as_of_15_aug_2007(demo_db):
    result = explain(demo_db, OPERATOR, "norinco", as_of=date(2007, 8, 15))
    assert result["party"]["key"] == "norinco" and result["as_of"] == "2007-08-15"
    by = {(s["authority"], s["imposed_on"]): s for s in result["sanctions"]}
    assert by[("EO12938", "2003-05-09")]["status"] == "expired"
    assert by[("INKSNA", "2003-06-26")]["status"] == "expired"
    aeca = by[("AECA73", "2003-09-19")]
    assert aeca["status"] == "active"
    rows = {m["measure"]: m for m in aeca["measures"]}
    assert rows["missile_contract_ban"]["status"] == "expired"  # Category II: 2 years
    assert rows["import_ban"]["status"] == "active"  # the government-activities waiver lapsed Sep 2006
    assert any("lapsed on 2006-09-17" in r for r in rows["import_ban"]["reasons"])
    waiver = route(rows["import_ban"], "national_security_waiver")
    assert waiver["notice"]["days"] == 45 and waiver["earliest_effective"] == "2007-10-20"
    assert "68 FR 54930 (Sep 19 2003), Public Notice 4493" in rows["import_ban"]["citations"]
    eaa = by[("EAA11B", "2003-09-19")]
    assert route(next(m for m in eaa["measures"] if m["measure"] == "import_ban"),
                 "national_security_waiver")["notice"]["days"] == 20  # fmt: skip
    inksna = by[("INKSNA", "2005-12-23")]
    assert inksna["status"] == "active"
    assert route(inksna["measures"][0], "expiry")["earliest_effective"] == "2007-12-23"
    # In 2004 the import ban was waived (one-year waiver of Sep 19 2003).
    earlier = explain(demo_db, OPERATOR, "norinco", as_of=date(2004, 1, 1))
    aeca_2004 = next(s for s in earlier["sanctions"] if s["authority"] == "AECA73")
    assert next(m for m in aeca_2004["measures"] if m["measure"] == "import_ban")["status"] == "waived"
    assert "inksna_2005" not in json.dumps(earlier) and all(
        s["imposed_on"] != "2005-12-23" for s in earlier["sanctions"]
    )


def test_cgwic_and_ceiec(demo_db):
    cgwic = explain(demo_db, OPERATOR, "cgwic", as_of=date(2007, 8, 15))
    statuses = {s["authority"]: s["status"] for s in cgwic["sanctions"]}
    assert statuses == {"AECA73": "terminated", "EO13382": "delisted"}
    assert any("unknown date" in f for f in cgwic["unverified"])  # the delisting date is not in the sources
    ceiec = explain(demo_db, OPERATOR, "ceiec", as_of=date(2007, 8, 15))
    assert [s["authority"] for s in ceiec["sanctions"]] == ["INKSNA"]  # Venezuela 2020 not yet imposed
    row = ceiec["sanctions"][0]["measures"][0]
    assert row["relief_possible"] and route(row, "rescission")["earliest_effective"] == "2007-08-15"
    assert any("taken as 2008-12-01" in f for f in ceiec["unverified"])  # expired, day not in the sources
    today = explain(demo_db, OPERATOR, "ceiec", as_of=date(2024, 6, 1))
    venezuela = next(s for s in today["sanctions"] if s["authority"] == "OFAC_VENEZUELA")
    assert venezuela["status"] == "active" and venezuela["measures"][0]["relief_possible"]


def test_cpmiec_1993_missile_sanctions_waived_in_1994(demo_db):
    before = explain(demo_db, OPERATOR, "cpmiec", as_of=date(1994, 10, 31))
    aeca = next(s for s in before["sanctions"] if s["authority"] == "AECA73" and s["imposed_on"] == "1993-08-24")
    assert route(aeca["measures"][0], "national_security_waiver")["notice"]["days"] == 20
    after = explain(demo_db, OPERATOR, "cpmiec", as_of=date(1994, 11, 1))
    aeca = next(s for s in after["sanctions"] if s["authority"] == "AECA73" and s["imposed_on"] == "1993-08-24")
    assert aeca["status"] == "waived"


def test_party_by_id_key_or_name_ambiguous_and_unknown(demo_db):
    norinco = explain(demo_db, OPERATOR, "NORINCO", as_of=date(2007, 8, 15))  # the key, any case
    assert norinco["party"]["key"] == "norinco"
    by_id = explain(demo_db, OPERATOR, norinco["party"]["id"], as_of=date(2007, 8, 15))
    assert by_id["party"] == norinco["party"]
    assert explain(demo_db, OPERATOR, "Great Wall Airlines")["party"]["key"] == "great_wall_airlines"
    with pytest.raises(AmbiguousParty) as err:
        explain(demo_db, OPERATOR, "great wall")
    assert "China Great Wall Industry Corporation" in str(err.value) and len(err.value.candidates) >= 2
    with pytest.raises(NotFound):
        explain(demo_db, OPERATOR, "no such company zz")


def test_check_relief_accepts_a_possible_route_and_refuses_others(demo_db):
    result = explain(demo_db, OPERATOR, "norinco", as_of=date(2007, 8, 15))
    party_id = result["party"]["id"]
    aeca = next(s for s in result["sanctions"] if s["authority"] == "AECA73")
    ok = check_relief(demo_db, OPERATOR, party_id, aeca["id"], "import_ban", "national_security_waiver",
                      date(2007, 8, 15))  # fmt: skip
    assert ok["route"]["earliest_effective"] == "2007-10-20"
    with pytest.raises(Refused, match="expired on 2005-09-19"):
        check_relief(demo_db, OPERATOR, party_id, aeca["id"], "missile_contract_ban", "national_security_waiver",
                     date(2007, 8, 15))  # fmt: skip
    with pytest.raises(Refused, match="routes: "):
        check_relief(demo_db, OPERATOR, party_id, aeca["id"], "import_ban", "expiry", date(2007, 8, 15))
    with pytest.raises(NotFound):
        check_relief(demo_db, OPERATOR, party_id, 999999, "import_ban", "expiry", date(2007, 8, 15))


def test_constructed_party_in_the_database(session):
    authorities.sync(session)
    _party(session, "p-acme", "Acme Missile Trading")
    session.add(Sanction(party_id="p-acme", authority_code="AECA73", measures=["import_ban"],
                         imposed_on=date(1994, 1, 3), status="active", events=[], citation="test notice",
                         classification="UNCLASSIFIED", releasability="ALL"))  # fmt: skip
    session.flush()
    result = explain(session, OPERATOR, "acme missile", as_of=date(1994, 11, 7))
    assert (
        route(result["sanctions"][0]["measures"][0], "national_security_waiver")["earliest_effective"] == "1994-12-08"
    )


def test_cli_json_and_human(demo_db):
    app = typer.Typer()
    app.command("eligibility")(eligibility)
    app.command("noop")(lambda: None)  # a group, so the command is called by name
    runner = CliRunner()
    out = runner.invoke(app, ["eligibility", "norinco", "--as-of", "2007-08-15", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["as_of"] == "2007-08-15"
    human = runner.invoke(app, ["eligibility", "norinco", "--as-of", "2007-08-15"])
    assert human.exit_code == 0, human.output
    assert "national_security_waiver" in human.stdout and "45 working days" in human.stdout
    assert "2007-10-20" in human.stdout and "unverified" in human.stdout
    ambiguous = runner.invoke(app, ["eligibility", "great wall"])
    assert ambiguous.exit_code == 1 and "Great Wall Airlines" in " ".join(ambiguous.output.split())
    bad = runner.invoke(app, ["eligibility", "norinco", "--as-of", "15/08/2007"])
    assert bad.exit_code != 0


def test_api_route(demo_db):
    from fastapi.testclient import TestClient

    from goodpath.api import app
    from tests.factories import bearer_headers

    client = TestClient(app)
    assert client.get("/pathway/norinco/eligibility").status_code == 401
    headers = bearer_headers(demo_db)
    demo_db.commit()
    response = client.get("/pathway/norinco/eligibility", params={"as_of": "2007-08-15"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["as_of"] == "2007-08-15"
    assert client.get("/pathway/nobody-zz/eligibility", headers=headers).status_code == 404
    assert client.get("/pathway/great%20wall/eligibility", headers=headers).status_code == 422
