"""Company disclosures: counterparties screened on entry and after every list update; confirmed
hits become the pathway engine's signals; company officers disclose for their own company only."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.settings import hosting_organization
from goodpath.engagement import disclosures
from goodpath.engagement.models import Disclosure
from goodpath.lists import service as lists
from goodpath.screening import monitoring, service
from goodpath.screening.models import Disposition, ScreenedSubject
from tests.engagement.test_dossiers import NORINCO, OFFICER, OTHER_OFFICER, PARTNER, add_parties
from tests.factories import OPERATOR, bearer_headers, entity, parsed, run_followups

DATASET = "disclosure-test"
SHAHID = "SHAHID HEMMAT INDUSTRIAL GROUP"


def _load(session, *entities):
    lists.apply_parsed(session, parsed(list(entities)), dataset=DATASET)
    session.commit()


@pytest.fixture
def listed(session):
    add_parties(session)
    _load(session, entity("1", SHAHID), entity("2", "ALPHA PRECISION MACHINERY"))
    return session


def _disclose(session, viewer=OPERATOR, name="Shahid Hemmat Industrial Group", **kwargs):
    args = {"counterparty_country": "IR", "items": "machine tools", "value": 1200000, "currency": "USD",
            "period_from": "2006-01-01", "period_to": "2006-12-31", "share_with": ["NORINCO"]} | kwargs  # fmt: skip
    d = disclosures.add_disclosure(session, viewer, NORINCO, counterparty=name, **args)
    session.commit()
    return d


def test_every_counterparty_is_screened_on_entry_and_watched(listed):
    session = listed
    d = _disclose(session, source="demo ¶1")
    assert d.signal == "possible_hit" and d.screened_at is not None
    assert [(h["caption"], h["dataset"], h["verdict"]) for h in d.hits] == [(SHAHID, DATASET, None)]
    assert set(d.hits[0]) >= {"entry_id", "party_id", "caption", "dataset", "score", "matched_name"}
    subject = session.get(ScreenedSubject, d.subject_id)
    assert (subject.source, subject.name, subject.country, subject.party_id) == (
        "disclosure", "Shahid Hemmat Industrial Group", "ir", None)  # fmt: skip
    clean = _disclose(session, name="Harmless Bakery Supplies")
    assert (clean.signal, clean.hits) == ("none", [])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"counterparty_country": "IRN"}, "two-letter ISO country code"),
        ({"counterparty_country": ""}, "counterparty_country is required"),
        ({"items": " "}, "items is required"),
        ({"value": -1}, "value must be a number of at least 0"),
        ({"value": float("nan")}, "value must be a number of at least 0"),
        ({"currency": "US"}, "three-letter ISO 4217"),
        ({"currency": None}, "a value needs its currency"),
        ({"period_from": "2007-01-01", "period_to": "2006-01-01"}, "is after period_to"),
        ({"period_to": "31/12/2006"}, "period_to must be a date"),
    ],
)
def test_bad_disclosures_are_refused_with_the_field_named_and_change_nothing(listed, kwargs, message):
    session = listed
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(GoodpathError, match=message):
        _disclose(session, **kwargs)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Disclosure)) == 0
    assert session.scalar(select(func.count()).select_from(ScreenedSubject)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_a_company_officer_discloses_for_their_own_company_only(listed):
    session = listed
    own = _disclose(session, viewer=OFFICER, share_with=())
    # The company originates it; the hosting organization reads it too.
    assert (own.originator, own.releasability) == ("NORINCO", f"NORINCO,{hosting_organization()}")
    assert own.signal == "possible_hit"  # screened as an analyst would, not limited by the officer's view
    with pytest.raises(NotFound, match="no party 'p-cgwic'"):
        disclosures.add_disclosure(session, OFFICER, "p-cgwic", counterparty="X", counterparty_country="IR",
                                   items="x")  # fmt: skip
    with pytest.raises(Refused, match="permission to submit disclosures"):
        disclosures.add_disclosure(session, PARTNER, NORINCO, counterparty="X", counterparty_country="IR",
                                   items="x")  # fmt: skip
    assert [d["id"] for d in disclosures.list_disclosures(session, OPERATOR)] == [own.id]
    assert [d["id"] for d in disclosures.list_disclosures(session, OFFICER)] == [own.id]
    assert disclosures.list_disclosures(session, OTHER_OFFICER) == []
    with pytest.raises(Refused, match="manage engagement"):
        disclosures.confirm_hit(session, OFFICER, own.id, own.hits[0]["entry_id"], "it is them")


def test_a_confirmed_hit_becomes_a_signal_with_a_true_match_disposition(listed):
    session = listed
    d = _disclose(session, source="07BEIJING5360 ¶3")
    entry_id = d.hits[0]["entry_id"]
    with pytest.raises(GoodpathError, match="reason is required"):
        disclosures.confirm_hit(session, OPERATOR, d.id, entry_id, "  ")
    with pytest.raises(GoodpathError, match="is not a hit of disclosure"):
        disclosures.confirm_hit(session, OPERATOR, d.id, "e-other", "why")
    session.rollback()
    assert session.get(Disclosure, d.id).signal == "possible_hit"
    assert session.scalar(select(func.count()).select_from(Disposition)) == 0
    disclosures.confirm_hit(session, OPERATOR, d.id, entry_id, "same address in Tehran")
    session.commit()
    assert (d.signal, d.signal_note) == ("confirmed_hit", "same address in Tehran")
    disposition = session.scalars(select(Disposition)).one()
    assert (disposition.verdict, disposition.entry_id) == ("true_match", entry_id)
    with pytest.raises(Refused, match="already decided as true_match"):
        disclosures.confirm_hit(session, OPERATOR, d.id, entry_id, "again")
    [signal] = disclosures.signals(session, OPERATOR, NORINCO)
    assert signal | {"confirmed_on": None} == signal | {
        "disclosure_id": d.id, "party_id": NORINCO, "counterparty": "Shahid Hemmat Industrial Group",
        "counterparty_country": "IR", "entry_id": entry_id, "caption": SHAHID, "reason": "same address in Tehran",
        "confirmed_by": OPERATOR.actor, "still_listed": True, "source": "07BEIJING5360 ¶3", "confirmed_on": None,
    }  # fmt: skip
    assert disclosures.signals(session, OFFICER, NORINCO)[0]["entry_id"] == entry_id  # their own
    with pytest.raises(NotFound):
        disclosures.signals(session, OFFICER, "p-cgwic")
    history = disclosures.disclosure_to_dict(session, OPERATOR, d, with_history=True)["history"]
    assert [(h["from"], h["to"]) for h in history] == [(None, "possible_hit"), ("possible_hit", "confirmed_hit")]


def test_a_cleared_hit_is_a_false_positive_and_stays_suppressed_on_rescreening(listed):
    session = listed
    d = _disclose(session)
    disclosures.clear_hit(session, OPERATOR, d.id, d.hits[0]["entry_id"], "different company, other city")
    session.commit()
    assert d.signal == "cleared" and disclosures.signals(session, OPERATOR, NORINCO) == []
    assert session.scalars(select(Disposition.verdict)).one() == "false_positive"
    # Screened again by name: the hit is suppressed.
    assert service.screen(session, OPERATOR, d.counterparty, country="IR")["suppressed"] == 1
    monitoring.rescreen_all(session, "test")
    session.commit()
    run_followups(session)  # the disclosures take the new hits
    session.refresh(d)
    assert d.signal == "cleared" and d.hits[0]["verdict"] == "false_positive"


def test_a_list_update_raises_the_signal_for_a_new_hit(listed):
    session = listed
    d = _disclose(session, name="Beta Rocket Works")
    assert d.signal == "none"
    monitoring.rescreen_all(session, "test")
    session.commit()
    run_followups(session)  # the disclosures take the new hits
    session.refresh(d)
    assert d.signal == "none"
    _load(session, entity("1", SHAHID), entity("2", "ALPHA PRECISION MACHINERY"), entity("3", "BETA ROCKET WORKS"))
    monitoring.rescreen_all(session, "test")  # runs after every import: refreshes the disclosures
    session.commit()
    run_followups(session)  # the disclosures take the new hits
    session.refresh(d)
    assert d.signal == "possible_hit" and [h["caption"] for h in d.hits] == ["BETA ROCKET WORKS"]
    history = disclosures.disclosure_to_dict(session, OPERATOR, d, with_history=True)["history"]
    assert history[-1]["to"] == "possible_hit" and history[-1]["note"] == "re-screened after a list update"
    # Nothing changed since: a second refresh changes nothing.
    assert disclosures.refresh_from_subjects(session) == 0


def test_a_confirmed_hit_stays_a_signal_after_the_entry_leaves_the_list(listed):
    session = listed
    d = _disclose(session)
    disclosures.confirm_hit(session, OPERATOR, d.id, d.hits[0]["entry_id"], "it is them")
    session.commit()
    _load(session, entity("2", "ALPHA PRECISION MACHINERY"))  # the entry was delisted
    monitoring.rescreen_all(session, "test")
    session.commit()
    run_followups(session)  # the disclosures take the new hits
    session.refresh(d)
    assert d.signal == "confirmed_hit"
    assert disclosures.signals(session, OPERATOR, NORINCO)[0]["still_listed"] is False


# --- CLI and API ---------------------------------------------------------------------------------


def test_cli_add_confirm_and_signals(listed, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["disclosures", "add", NORINCO, "--counterparty", "X", "--country", "Iran",
                              "--items", "x"])  # fmt: skip
    assert bad.exit_code == 1 and "two-letter ISO country code" in bad.output
    added = runner.invoke(cli, ["disclosures", "add", NORINCO, "--counterparty", "Shahid Hemmat Industrial Group",
                                "--country", "IR", "--items", "machine tools", "--value", "10", "--currency", "USD",
                                "--json"])  # fmt: skip
    assert added.exit_code == 0, added.output
    body = json.loads(added.output)
    assert body["signal"] == "possible_hit"
    entry_id = body["hits"][0]["entry_id"]
    r = runner.invoke(cli, ["disclosures", "confirm", str(body["id"]), entry_id, "--reason", "same address"])
    assert r.exit_code == 0, r.output
    signals = json.loads(runner.invoke(cli, ["disclosures", "signals", NORINCO, "--json"]).output)
    assert [s["entry_id"] for s in signals] == [entry_id]
    rows = json.loads(runner.invoke(cli, ["disclosures", "list", "--party", NORINCO, "--json"]).output)
    assert rows[0]["signal"] == "confirmed_hit"
    out = tmp_path / "disclosures.csv"
    assert runner.invoke(cli, ["disclosures", "list", "--export", str(out)]).exit_code == 0
    assert "Shahid Hemmat" in out.read_text()


def test_api_disclosures_company_officer_and_analyst(listed):
    session = listed
    analyst = bearer_headers(session)
    officer = bearer_headers(session, "officer1", "company_officer", "UNCLASSIFIED", "NORINCO", company=NORINCO)
    client = TestClient(api)
    body = {"party_id": NORINCO, "counterparty": "Shahid Hemmat Industrial Group", "counterparty_country": "IR",
            "items": "machine tools", "value": 5, "currency": "USD"}  # fmt: skip
    r = client.post("/disclosures", json=body, headers=officer)
    assert r.status_code == 201, r.text
    did, entry_id = r.json()["id"], r.json()["hits"][0]["entry_id"]
    assert client.post("/disclosures", json=body | {"party_id": "p-cgwic"}, headers=officer).status_code == 404
    assert client.post("/disclosures", json=body | {"value": -1}, headers=officer).status_code == 422
    confirm = {"entry_id": entry_id, "reason": "same address"}
    assert client.post(f"/disclosures/{did}/confirm", json=confirm, headers=officer).status_code == 403
    r = client.post(f"/disclosures/{did}/clear", json=confirm | {"entry_id": "e-x"}, headers=analyst)
    assert r.status_code == 422
    assert client.post(f"/disclosures/{did}/confirm", json=confirm, headers=analyst).json()["signal"] == "confirmed_hit"
    assert client.get(f"/disclosures/signals/{NORINCO}", headers=officer).json()["results"][0]["entry_id"] == entry_id
    assert client.get("/disclosures/signals/p-cgwic", headers=officer).status_code == 404
    xlsx = client.get("/disclosures", params={"format": "xlsx"}, headers=officer)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_known_false_positive_is_cleared_already_on_entry(listed):
    session = listed
    first = _disclose(session)
    disclosures.clear_hit(session, OPERATOR, first.id, first.hits[0]["entry_id"], "another company")
    session.commit()
    again = _disclose(session)
    assert (again.signal, again.hits[0]["verdict"]) == ("cleared", "false_positive")


@given(st.lists(st.sampled_from([None, "true_match", "false_positive"]), max_size=6))
def test_the_signal_follows_the_verdicts_of_the_hits(verdicts):
    signal = disclosures.derive_signal([{"verdict": v} for v in verdicts])
    if not verdicts:
        assert signal == "none"
    elif "true_match" in verdicts:  # one confirmed hit is a signal, whatever the others are
        assert signal == "confirmed_hit"
    elif all(v == "false_positive" for v in verdicts):
        assert signal == "cleared"
    else:
        assert signal == "possible_hit"


def test_past_decisions_are_dated_as_they_happened(listed):
    session = listed
    d = _disclose(session, occurred_on="2007-09-01")
    disclosures.confirm_hit(session, OPERATOR, d.id, d.hits[0]["entry_id"], "it is them", occurred_on="2007-10-01")
    session.commit()
    history = disclosures.disclosure_to_dict(session, OPERATOR, d, with_history=True)["history"]
    assert [h["on"] for h in history] == ["2007-09-01", "2007-10-01"]
    assert disclosures.signals(session, OPERATOR, NORINCO)[0]["confirmed_on"] == "2007-10-01"
    with pytest.raises(Refused, match="before the disclosure's last step"):
        disclosures.clear_hit(session, OPERATOR, d.id, d.hits[0]["entry_id"], "no", occurred_on="2007-01-01")
    assert session.scalars(select(Disposition.verdict)).all() == ["true_match"]  # no false positive written
