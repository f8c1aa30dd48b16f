"""Dispositions: an analyst's verdict on a hit, shown on later screenings of the same name; a false
positive stays suppressed until the list entry it was decided on changes."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core import audit_log as audit
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.lists import service as lists
from goodpath.screening import dispositions, service
from goodpath.screening.dispositions import Suppressions, subject_key
from goodpath.screening.models import Disposition
from tests.factories import OPERATOR, bearer_headers, entity, parsed

ALPHA = "ALPHA MISSILE TRADING COMPANY"
DATASET = "disposition-test"
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")


def _load(session, *entities):
    lists.apply_parsed(session, parsed(list(entities)), dataset=DATASET)
    session.commit()


def _hit(session, name: str, **kwargs) -> dict:
    hits = service.screen(session, OPERATOR, name, **kwargs)["hits"]
    assert hits, name
    return hits[0]


def _decide(session, name: str, verdict: str, reason: str = "checked the address and owners", **kwargs):
    hit = _hit(session, name, include_suppressed=True, country=kwargs.get("country"))
    recorded = dispositions.record(
        session, OPERATOR, name=name, country=kwargs.get("country"), party_id=hit["party_id"],
        entry_id=hit["entry_id"], verdict=verdict, reason=reason,
    )  # fmt: skip
    session.commit()
    return recorded


def test_subject_key_ignores_word_order_case_punctuation_and_adds_the_country():
    assert subject_key("Haige  GUANGZHOU", "CN") == "guangzhou haige|cn"
    assert subject_key("guangzhou, haige.") == subject_key("HAIGE Guangzhou") == "guangzhou haige"
    assert subject_key("中國北方工業") == subject_key("zhong guo bei fang gong ye")  # any script
    assert subject_key("Guangzhou Haige", "FR") != subject_key("Guangzhou Haige", "CN")


def test_a_false_positive_is_suppressed_in_any_word_order_until_the_entry_changes(session):
    _load(session, entity("1", ALPHA), entity("2", "BETA PRECISION MACHINERY"))
    _decide(session, "Alpha Missile Trading Company", "false_positive", "a bakery in Lyon, not the listed trader")
    later = service.screen(session, OPERATOR, "trading COMPANY alpha, missile")
    assert later["hits"] == [] and later["suppressed"] == 1
    shown = service.screen(session, OPERATOR, "Trading Company Alpha Missile", include_suppressed=True)
    assert shown["suppressed"] == 1 and [h["caption"] for h in shown["hits"]] == [ALPHA]
    prior = shown["hits"][0]["disposition"]
    assert prior["verdict"] == "false_positive" and prior["stale"] is False
    assert prior["reason"] == "a bakery in Lyon, not the listed trader" and prior["decided_by"] == OPERATOR.actor
    # Another subject (the same name with a country) is not covered by this decision.
    other = service.screen(session, OPERATOR, "Alpha Missile Trading Company", country="FR")
    assert [h["caption"] for h in other["hits"]] == [ALPHA] and other["hits"][0]["disposition"] is None
    # The list changes the entry (a new alias): the hit comes back, its disposition marked stale.
    _load(session, entity("1", ALPHA, "AMTC"), entity("2", "BETA PRECISION MACHINERY"))
    back = service.screen(session, OPERATOR, "Alpha Missile Trading Company")
    assert back["suppressed"] == 0 and [h["caption"] for h in back["hits"]] == [ALPHA]
    assert back["hits"][0]["disposition"]["verdict"] == "false_positive"
    assert back["hits"][0]["disposition"]["stale"] is True
    # Decided again on the changed entry: suppressed again.
    _decide(session, "Alpha Missile Trading Company", "false_positive", "still the bakery")
    assert service.screen(session, OPERATOR, "Alpha Missile Trading Company")["suppressed"] == 1


def test_a_suppressed_hit_leaves_room_for_the_next_one(session):
    _load(session, entity("1", "ORION TRADING"), entity("2", "ORION TRADING LTD"))
    first = _hit(session, "Orion Trading", limit=1)
    dispositions.record(session, OPERATOR, name="Orion Trading", country=None, party_id=first["party_id"],
                        entry_id=first["entry_id"], verdict="false_positive", reason="not them")  # fmt: skip
    session.commit()
    result = service.screen(session, OPERATOR, "Orion Trading", limit=1)
    assert len(result["hits"]) == 1 and result["hits"][0]["entry_id"] != first["entry_id"]
    assert result["suppressed"] == 1


def test_a_true_match_is_shown_with_its_disposition_and_the_latest_decision_wins(session):
    _load(session, entity("1", ALPHA))
    _decide(session, "Alpha Missile Trading Company", "true_match", "same address as the 2006 designation")
    result = service.screen(session, OPERATOR, "alpha missile trading company")
    assert result["suppressed"] == 0
    prior = result["hits"][0]["disposition"]
    assert (prior["verdict"], prior["reason"], prior["stale"]) == (
        "true_match", "same address as the 2006 designation", False,
    )  # fmt: skip
    _decide(session, "Alpha Missile Trading Company", "false_positive", "a new document shows otherwise")
    assert service.screen(session, OPERATOR, "Alpha Missile Trading Company")["suppressed"] == 1
    _decide(session, "Alpha Missile Trading Company", "true_match", "the document was forged")
    again = service.screen(session, OPERATOR, "Alpha Missile Trading Company")
    assert again["suppressed"] == 0 and again["hits"][0]["disposition"]["reason"] == "the document was forged"


def test_dispositions_are_audited(session):
    _load(session, entity("1", ALPHA))
    recorded = _decide(session, "Alpha Missile Trading Company", "true_match", "matching registration number")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "screening.disposition")).one()
    assert entry.target_id == str(recorded.id) and entry.actor == OPERATOR.actor
    assert entry.reason == "matching registration number" and recorded.audit_seq == entry.seq
    assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"verdict": "maybe"}, GoodpathError, "verdict must be one of true_match, false_positive"),
        ({"reason": "   "}, GoodpathError, "needs a reason"),
        ({"entry_id": "e-never-was"}, NotFound, "no list entry 'e-never-was'"),
        ({"party_id": "p-someone-else"}, GoodpathError, "is not an entry of party"),
        ({"name": "..."}, GoodpathError, "no letters or digits"),
    ],
)
def test_bad_dispositions_are_refused_clearly_and_store_nothing(session, change, error, words):
    _load(session, entity("1", ALPHA))
    hit = _hit(session, ALPHA)
    audited = audit.verify(session).checked
    arguments = {"name": ALPHA, "country": None, "party_id": hit["party_id"], "entry_id": hit["entry_id"],
                 "verdict": "false_positive", "reason": "not them"} | change  # fmt: skip
    with pytest.raises(error) as raised:
        dispositions.record(session, OPERATOR, **arguments)
    assert words in str(raised.value)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Disposition)) == 0
    assert audit.verify(session).checked == audited


def test_dispositions_follow_the_access_policy(session):
    _load(session, entity("1", ALPHA))
    _decide(session, "Alpha Missile Trading Company", "false_positive", "not them")
    key = subject_key("Alpha Missile Trading Company")
    entry_id = _hit(session, ALPHA, include_suppressed=True)["entry_id"]
    assert Suppressions.load(session, OPERATOR).is_suppressed(key, entry_id)
    # A partner of another organization neither sees the USA analyst's decision nor is affected by it.
    assert not Suppressions.load(session, PARTNER).is_suppressed(key, entry_id)
    assert Suppressions.load(session, PARTNER).prior(key, entry_id) is None
    theirs = service.screen(session, PARTNER, "Alpha Missile Trading Company")
    assert theirs["suppressed"] == 0 and theirs["hits"][0]["disposition"] is None
    assert dispositions.list_dispositions(session, PARTNER) == []
    with pytest.raises(Refused):
        dispositions.record(session, PARTNER, name=ALPHA, country=None, party_id=None, entry_id=entry_id,
                            verdict="true_match", reason="we think so")  # fmt: skip


def test_api_dispositions_and_include_suppressed(session):
    _load(session, entity("1", ALPHA))
    client = TestClient(api, headers=bearer_headers(session))
    hit = client.post("/screen", json={"name": "Alpha Missile Trading Company"}).json()["hits"][0]
    assert hit["disposition"] is None
    body = {"name": "Alpha Missile Trading Company", "entry_id": hit["entry_id"], "party_id": hit["party_id"],
            "verdict": "false_positive", "reason": "a bakery"}  # fmt: skip
    created = client.post("/screen/dispositions", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["verdict"] == "false_positive" and created.json()["stale"] is False
    hidden = client.post("/screen", json={"name": "TRADING ALPHA MISSILE COMPANY"}).json()
    assert hidden["hits"] == [] and hidden["suppressed"] == 1
    shown = client.post("/screen", json={"name": "Trading Alpha Missile Company", "include_suppressed": True}).json()
    assert shown["hits"][0]["disposition"]["verdict"] == "false_positive"
    listed = client.get("/screen/dispositions", params={"name": "company trading missile alpha"}).json()
    assert [d["id"] for d in listed] == [created.json()["id"]] and listed[0]["stale"] is False
    bad_verdict = client.post("/screen/dispositions", json=body | {"verdict": "maybe"})
    assert bad_verdict.status_code == 422
    blank = client.post("/screen/dispositions", json=body | {"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.json()["detail"]
    unknown = client.post("/screen/dispositions", json=body | {"entry_id": "e-never-was"})
    assert unknown.status_code == 404 and "e-never-was" in unknown.json()["detail"]
    assert session.scalar(select(func.count()).select_from(Disposition)) == 1


def test_cli_dispositions_and_screen_include_suppressed(db, session, monkeypatch, wide_terminal):
    _load(session, entity("1", ALPHA))
    runner = CliRunner()
    hit = json.loads(runner.invoke(cli, ["screen", "Alpha Missile Trading Company", "--json"]).stdout)["hits"][0]
    added = runner.invoke(cli, [
        "dispositions", "add", "Alpha Missile Trading Company", "--entry", hit["entry_id"],
        "--verdict", "false_positive", "--reason", "a bakery in Lyon", "--json",
    ])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["verdict"] == "false_positive"
    hidden = json.loads(runner.invoke(cli, ["screen", "missile alpha trading company", "--json"]).stdout)
    assert hidden["hits"] == [] and hidden["suppressed"] == 1
    table = runner.invoke(cli, ["screen", "missile alpha trading company", "--include-suppressed"])
    assert table.exit_code == 0 and "false_positive" in table.stdout and "a bakery in Lyon" in table.stdout
    listed = json.loads(runner.invoke(cli, ["dispositions", "list", "--json"]).stdout)
    assert [d["reason"] for d in listed] == ["a bakery in Lyon"]
    bad = runner.invoke(cli, ["dispositions", "add", "Alpha", "--entry", hit["entry_id"], "--verdict", "maybe",
                              "--reason", "x"])  # fmt: skip
    assert bad.exit_code == 1 and "verdict must be one of" in bad.output
    assert session.scalar(select(func.count()).select_from(Disposition)) == 1
