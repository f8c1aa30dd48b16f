"""One party per real-world entity (issue 20): deterministic keys merged at import, scored candidates,
an analyst's merge carrying every record of a party and its undo, markings that never leak."""

from __future__ import annotations

import csv
import json
import re
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core import audit_log
from goodpath.core.db import new_session
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.lists import service as lists
from goodpath.lists.records import ParsedEntity, ParsedIdentifier, ParsedName, ParsedSanction
from goodpath.registry import identity, identity_score, identity_service
from goodpath.registry import service as registry
from goodpath.registry.models import ListEntry, Party, PartyMerge, PartyName
from goodpath.screening import batch, dispositions, monitoring
from goodpath.screening import service as screening
from goodpath.screening.models import Disposition, ScreenedSubject
from tests.factories import OPERATOR, bearer_headers, parsed

PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")
LOW = Viewer(Role.ANALYST, Classification.UNCLASSIFIED, "USA", 8, "analyst-low")


def person(ext, name, *aliases, passport=None, country="kp", born=None, program="DPRK"):
    identifiers = [ParsedIdentifier("Passport", passport, country)] if passport else []
    return ParsedEntity(
        external_id=ext,
        schema="Person",
        names=[ParsedName(name), *(ParsedName(a, "alias") for a in aliases)],
        identifiers=identifiers,
        countries=[country],
        birth_dates=[born] if born else [],
        sanctions=[ParsedSanction(program=program, start_date="2016-03-02")],
    )


def _load(session, dataset, *entities):
    lists.apply_parsed(session, parsed(list(entities)), dataset=dataset)
    session.commit()


def _party_of(session, dataset, ext) -> str:
    return session.scalar(select(ListEntry.party_id).where(ListEntry.dataset == dataset, ListEntry.external_id == ext))


# --- keys -------------------------------------------------------------------------------------


def test_deterministic_keys_need_a_country_for_national_numbers_and_keep_kinds_apart():
    key = identity.identifier_key
    assert key("Person", "Passport", "PS 472310-1", "KP") == "person:passport:kp:PS4723101"
    assert key("Person", "Passport", "PS4723101", None) is None  # a passport number means nothing alone
    assert key("Person", "Passport", "1234", "kp") is None  # too short to identify
    assert key("Vessel", "IMO", "9187629", None) == "imo:9187629"
    # One tax number on a person and on his firm: two keys, never one party
    assert key("Person", "R.F.C.", "NICR461006T36", "mx") != key("LegalEntity", "R.F.C.", "NICR461006T36", "mx")
    assert key("Person", "Website", "www.example.com", None) is None
    keys = identity.entity_keys(
        "us-ofac-sdn", {"schema": "Person", "link_key": "ofac:9749", "identifiers": [],
                        "remarks": "DOB 1960; UN Ref QDi.001; nationality Iraq."}
    )  # fmt: skip
    assert keys == {"ofac:9749", "unref:QDI.001"}
    assert identity.entity_keys("un-sc", {"schema": "Person", "external_id": "QDi.001"}) == {"unref:QDI.001"}


def test_a_merge_moves_every_record_that_names_a_party():
    moved = {f"{table.name}.{column.name}" for table, column, _pk in identity._party_columns()}
    assert {"list_entry.party_id", "party_name.party_id", "sanction.party_id", "screening_disposition.hit_party_id",
            "screened_subject.party_id", "screening_alert.hit_party_id", "screening_alert.party_id",
            "case_party.party_id", "ownership_link.parent_id", "app_user.company_party_id"} <= moved  # fmt: skip
    assert not {name for name in moved if name.startswith(("party_merge.", "identity_decision."))}


# --- at import --------------------------------------------------------------------------------


def test_an_import_merges_entries_of_other_lists_sharing_a_key_but_never_two_of_one_list(session, tmp_path):
    _load(session, "list-a", person("1", "RI, Su Yong", passport="PS4723101", born="1960-06-23"),
          person("2", "PAE, Won Uk", passport="PD4711102"), person("3", "KIM, Chol", passport="PD9999999"),
          person("4", "KIM, Chol Nam", passport="PD9999999"))  # fmt: skip
    _load(session, "list-b", person("KPi.001", "RI SU YONG", passport="PS4723101", born="1960-06-23"),
          person("KPi.002", "PAE WON UK", passport="PD4711102"),
          person("KPi.003", "KIM CHOL", passport="PD9999999"))  # fmt: skip
    assert _party_of(session, "list-a", "1") == _party_of(session, "list-b", "KPi.001")
    assert _party_of(session, "list-a", "2") == _party_of(session, "list-b", "KPi.002")
    # list-a holds PD9999999 on two entries: ambiguous, nothing merged by it
    assert _party_of(session, "list-b", "KPi.003") not in {_party_of(session, "list-a", e) for e in ("3", "4")}
    assert identity.shared_keys(session) == []  # the target: no two parties share a deterministic key
    merges = session.scalars(select(PartyMerge)).all()
    assert {m.method for m in merges} == {"key"} and len(merges) == 2

    hits = screening.screen(session, OPERATOR, "Ri Su Yong")["hits"]
    assert len(hits) == 1  # one hit per party, listing its lists
    assert hits[0]["lists"] == ["list-a", "list-b"] and len(hits[0]["entries"]) == 2
    # the merged party's id redirects to the kept one (API, CLI and pages all go through get_party)
    merged = merges[0].merged_id
    assert registry.get_party(session, OPERATOR, merged).id == merges[0].kept_id
    assert merged in registry.party_detail(session, OPERATOR, session.get(Party, merges[0].kept_id))["merged_ids"]

    # screen-batch: entity_id is the party, list its lists joined by ";" in sorted order
    source = tmp_path / "names.csv"
    source.write_text("id,name\nq1,Ri Su Yong\n", encoding="utf-8")
    batch.run_batch(session, OPERATOR, source, tmp_path / "hits.csv", workers=1)
    rows = list(csv.DictReader((tmp_path / "hits.csv").open(encoding="utf-8")))
    assert [(r["entity_id"], r["list"]) for r in rows] == [(hits[0]["party_id"], "list-a;list-b")]


# --- merge and undo ---------------------------------------------------------------------------


@pytest.fixture
def two_lists(session):
    _load(session, "list-a", person("1", "CHOE, Chun Sik", born="1954-10-12"))
    _load(session, "list-b", person("KPi.010", "CHOE CHUN SIK", born="1954-10-12"))
    return _party_of(session, "list-a", "1"), _party_of(session, "list-b", "KPi.010")


def test_a_merge_carries_dispositions_and_watches_and_its_undo_restores_them(session, two_lists):
    a, b = two_lists
    hits = screening.screen(session, OPERATOR, "Choe Chun Sik")["hits"]
    assert {h["party_id"] for h in hits} == {a, b}  # two parties: two hits, the same score
    on_b = next(h for h in hits if h["party_id"] == b)
    dispositions.record(session, OPERATOR, name="Choe Chun Sik", country=None, party_id=b, entry_id=on_b["entry_id"],
                        verdict="false_positive", reason="another man, born elsewhere")  # fmt: skip
    subject = monitoring.watch(session, OPERATOR, "Choe Chun Sik")
    subject.last_hits = {a: {"score": 1.0}, b: {"score": 1.0}}
    session.commit()

    record = identity.merge(session, OPERATOR, a, b, reason="same DOB and name, UN and SDN")
    session.commit()
    assert (record.kept_id, record.merged_id) == (a, b)
    assert session.scalar(select(Disposition.hit_party_id)) == a
    assert set(session.get(ScreenedSubject, subject.id).last_hits) == {a}
    result = screening.screen(session, OPERATOR, "Choe Chun Sik", include_suppressed=True)
    assert len(result["hits"]) == 1 and result["hits"][0]["lists"] == ["list-a", "list-b"]
    assert result["hits"][0]["disposition"]["verdict"] == "false_positive"  # applies to the party once
    assert screening.screen(session, OPERATOR, "Choe Chun Sik")["hits"] == []

    identity.undo(session, OPERATOR, record.id, reason="the analyst found two passports")
    session.commit()
    assert session.get(Party, b).merged_into is None
    assert session.scalar(select(Disposition.hit_party_id)) == b
    assert set(session.get(ScreenedSubject, subject.id).last_hits) == {a, b}
    assert {h["party_id"] for h in screening.screen(session, OPERATOR, "Choe Chun Sik")["hits"]} == {a}
    with pytest.raises(Refused):
        identity.undo(session, OPERATOR, record.id, reason="twice")
    # an undone pair is two parties: not a candidate, and no import merges it by a key
    assert (min(a, b), max(a, b)) in identity.distinct_pairs(session)
    assert all({c.first, c.second} != {a, b} for c in identity_score.candidates(session, OPERATOR, min_score=0.5))


def test_an_undo_after_a_reimport_takes_back_what_the_entry_derived_meanwhile(session, two_lists):
    a, b = two_lists
    record = identity.merge(session, OPERATOR, a, b, reason="one man")
    session.commit()
    _load(session, "list-b", person("KPi.010", "CHOE CHUN SIK", "CH'OE CH'UN-SIK", born="1954-10-12"))
    assert session.scalar(select(func.count()).where(PartyName.party_id == a)) == 3
    identity.undo(session, OPERATOR, record.id, reason="two men")
    session.commit()
    assert {n.value for n in session.scalars(select(PartyName).where(PartyName.party_id == b))} == {
        "CHOE CHUN SIK", "CH'OE CH'UN-SIK"}  # fmt: skip
    assert session.scalar(select(func.count()).where(PartyName.party_id == a)) == 1


def test_a_crash_mid_merge_leaves_nothing_half_moved(session, two_lists, monkeypatch):
    a, b = two_lists

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_log, "record", broken)
    with pytest.raises(RuntimeError):
        identity.merge(session, OPERATOR, a, b, reason="one man")
    session.rollback()
    assert session.get(Party, b).merged_into is None
    assert session.scalar(select(ListEntry.party_id).where(ListEntry.dataset == "list-b")) == b
    assert session.scalar(select(func.count(PartyMerge.id))) == 0


def test_a_second_merge_of_a_party_merged_meanwhile_is_refused(session, two_lists):
    a, b = two_lists
    _load(session, "list-c", person("9", "CHOE Chun-sik"))
    c = _party_of(session, "list-c", "9")
    identity.merge(session, OPERATOR, a, b, reason="one man")
    session.commit()
    with pytest.raises(Refused, match="merged into"):  # the second analyst named the old party
        identity.merge(session, OPERATOR, c, b, reason="also him")
    with pytest.raises(Refused, match="itself"):
        identity.merge(session, OPERATOR, a, a, reason="x")


# --- markings ---------------------------------------------------------------------------------


def _recorded(session, name, classification="SECRET", releasability="USA", country="kp"):
    party = Party(id=f"rec-{abs(hash((name, classification))) % 10**12}", schema="Person", caption=name,
                  countries=[country], birth_dates=["1954-10-12"], classification=classification,
                  releasability=releasability, originator="USA")  # fmt: skip
    session.add(party)
    session.add(PartyName(party_id=party.id, value=name, kind="primary", normalized=name.lower(),
                          classification=classification, releasability=releasability, originator="USA"))  # fmt: skip
    session.commit()
    return party.id


def test_a_restricted_party_merges_into_the_public_one_without_leaking(session, two_lists):
    a, _b = two_lists
    secret = _recorded(session, "Choe Chun Sik", country="ir")
    # an analyst-recorded party is a candidate too, for a reader cleared for it only
    assert any(secret in (c.first, c.second) for c in identity_score.candidates(session, OPERATOR, min_score=0.6))
    assert not any(secret in (c.first, c.second) for c in identity_score.candidates(session, LOW, min_score=0.6))
    record = identity.merge(session, OPERATOR, secret, a, reason="our source says so")
    session.commit()
    assert record.kept_id == a  # the less restricted party is kept, whatever the order named
    assert record.classification == "SECRET"
    # a public party holding a SECRET alias: its merge (which tells which rows moved) is SECRET too
    _load(session, "list-c", person("9", "CHOE Chun-sik"))
    c = _party_of(session, "list-c", "9")
    session.add(PartyName(party_id=c, value="zzhidden", kind="alias", normalized="zzhidden",
                          classification="SECRET", releasability="ALL", originator="USA"))  # fmt: skip
    session.commit()
    assert identity.merge(session, OPERATOR, a, c, reason="one man").classification == "SECRET"
    assert session.get(Party, a).countries == ["kp"]  # the secret party's facts stay off the public row
    with pytest.raises(NotFound):  # its id redirects only for those cleared for it
        registry.get_party(session, LOW, secret)
    assert registry.get_party(session, OPERATOR, secret).id == a
    assert identity.list_merges(session, LOW)[0] == 0
    names = registry.party_profile(session, LOW, session.get(Party, a))["names"]
    assert "Choe Chun Sik" not in {n.value for n in names}


def test_parties_marked_for_different_readers_are_not_merged(session):
    ours = _recorded(session, "Choe Chun Sik", classification="CONFIDENTIAL", releasability="USA,GBR")
    shared = _recorded(session, "Choe Chun-sik", classification="CONFIDENTIAL", releasability="CHN,USA")
    with pytest.raises(Refused, match="different readers"):
        identity.merge(session, OPERATOR, ours, shared, reason="same man")
    with pytest.raises(Refused, match="permission"):
        identity.merge(session, PARTNER, ours, shared, reason="same man")


# --- candidates and the interfaces ------------------------------------------------------------


def test_candidates_are_scored_explained_and_rejected_once(session, two_lists):
    a, b = two_lists
    found = identity_service.candidates(session, OPERATOR, min_score=0.8)
    assert [(c.first, c.second) for c in found] == [tuple(sorted((a, b)))]
    assert found[0].features["birth_date"] == 1.0 and found[0].score >= 0.9
    identity_service.reject(session, OPERATOR, a, b, reason="different fathers' names")
    session.commit()
    assert identity_service.candidates(session, OPERATOR, min_score=0.8) == []
    with pytest.raises(Refused):
        identity_service.candidates(session, PARTNER)


def test_cli_and_api(session, two_lists):
    a, b = two_lists
    runner = CliRunner()
    out = runner.invoke(cli, ["identity", "candidates", "--min-score", "0.8", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["results"][0]["score"] >= 0.9
    assert runner.invoke(cli, ["identity", "merge", a, a, "--reason", "x"]).exit_code == 2
    out = runner.invoke(cli, ["identity", "merge", a, b, "--reason", "same man", "--json"])
    assert out.exit_code == 0, out.output
    merge_id = json.loads(out.output)["id"]
    out = runner.invoke(cli, ["identity", "list", "--json"])
    assert json.loads(out.output)["results"][0]["merged"] == b

    client = TestClient(api)
    headers = bearer_headers(session)
    assert client.get(f"/parties/{b}", headers=headers).json()["id"] == a  # the old id keeps resolving
    assert client.post("/identity/merges", json={"first": a, "second": b, "reason": "again"},
                       headers=headers).status_code == 409  # fmt: skip
    response = client.post(f"/identity/merges/{merge_id}/undo", json={"reason": "two men"}, headers=headers)
    assert response.status_code == 200 and response.json()["undone_by"] == "analyst1"
    assert client.get(f"/parties/{b}", headers=headers).json()["id"] == b
    partner = bearer_headers(session, "partner1", role="partner_officer", organization="CHN")
    assert client.get("/identity/candidates", headers=partner).status_code == 403
    assert client.get("/identity/merges/999", headers=headers).status_code == 404


# --- the review page --------------------------------------------------------------------------

HTML = {"Accept": "text/html,application/xhtml+xml"}


def _logged_in(session, username: str, role: str) -> tuple[TestClient, str]:
    bearer_headers(session, username=username, role=role)
    client = TestClient(api)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    home = client.get("/", headers=HTML).text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)


def test_the_review_page_merges_and_undoes_and_old_addresses_keep_working(session, two_lists):
    a, b = two_lists
    client, csrf = _logged_in(session, "analyst2", "analyst")
    page = client.get("/ui/identity", headers=HTML)
    assert page.status_code == 200 and page.text.count('data-testid="candidate-row"') == 1
    assert "The same birth date" in page.text
    form = {"csrf_token": csrf, "first": a, "second": b, "reason": "", "min_score": "0.7"}
    refused = client.post("/ui/identity/merge", data=form, follow_redirects=False)
    assert refused.status_code == 409 and "reason" in refused.text  # nothing merged without a reason
    done = client.post("/ui/identity/merge", data={**form, "reason": "one man"}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(done.headers["location"], headers=HTML).text
    assert 'data-testid="notice"' in page and 'data-undone="false"' in page
    kept_page = client.get(f"/parties/{b}", headers=HTML).text  # the old address: the kept party
    assert "CHOE, Chun Sik" in kept_page and 'data-testid="merged-ids"' in kept_page and b in kept_page
    merge_id = session.scalar(select(PartyMerge.id))
    undone = client.post(f"/ui/identity/merges/{merge_id}/undo", data={"csrf_token": csrf, "reason": "two men"},
                         follow_redirects=False)  # fmt: skip
    assert undone.status_code == 303
    assert 'data-undone="true"' in client.get("/ui/identity", headers=HTML).text
    other, _ = _logged_in(session, "auditor2", "auditor")
    assert other.get("/ui/identity", headers=HTML).status_code == 403
    client.cookies.set("goodpath_lang", "zh_Hans")
    zh = client.get("/ui/identity", headers=HTML).text
    assert "合并" in zh


def test_two_analysts_merging_one_party_at_once_make_one_merge(db, session, two_lists):
    """The second merge waits for the first (PostgreSQL: the party rows' locks; SQLite: the writer's lock)
    and is then refused, whether it read the party before the first committed or after."""
    a, b = two_lists
    _load(session, "list-c", person("9", "CHOE Chun-sik"))
    c = _party_of(session, "list-c", "9")
    first, second = new_session(db), new_session(db)
    outcome = {}

    def other_analyst():
        try:
            identity.merge(second, OPERATOR, c, b, reason="the second analyst's view")
            second.commit()
            outcome["second"] = "merged"
        except Refused as exc:
            second.rollback()
            outcome["second"] = str(exc)

    try:
        identity.merge(first, OPERATOR, a, b, reason="the first analyst's view")
        thread = threading.Thread(target=other_analyst)
        thread.start()
        thread.join(0.3)  # the other merge waits on the first's locks (or has not started yet)
        first.commit()
        thread.join(60)
    finally:
        first.close()
        second.close()
    assert "merged" in outcome["second"] and outcome["second"] != "merged"
    session.expire_all()
    assert session.get(Party, b).merged_into == a
    assert session.scalar(select(func.count(PartyMerge.id)).where(PartyMerge.method == "analyst")) == 1
    assert session.scalar(select(ListEntry.party_id).where(ListEntry.dataset == "list-b")) == a


def test_bulk_merges_only_above_the_benchmarked_floor_and_never_two_of_one_list(session, two_lists):
    _load(session, "list-b", person("KPi.010", "CHOE CHUN SIK", born="1954-10-12"),
          person("KPi.011", "CHOE CHUN SIK", born="1954-10-12"))  # fmt: skip
    with pytest.raises(GoodpathError, match="at least"):
        identity_service.merge_above(session, OPERATOR, 0.8, reason="bulk")
    done = identity_service.merge_above(session, OPERATOR, 0.95, reason="same name and birth date")
    session.commit()
    assert len(done) == 1  # a~KPi.010 or a~KPi.011: after one, the other pair is two entries of list-b
    assert _party_of(session, "list-b", "KPi.010") != _party_of(session, "list-b", "KPi.011")
    assert _party_of(session, "list-a", "1") in {_party_of(session, "list-b", e) for e in ("KPi.010", "KPi.011")}
