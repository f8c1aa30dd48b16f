"""Continuous re-screening: watched names are screened again after each list import; hits that
are new or changed since the last screening become alerts, unchanged ones do not."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core import audit_log as audit
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.demo import service as demo
from goodpath.lists import service as lists
from goodpath.registry.curated import load_engagement
from goodpath.screening import dispositions, monitoring, service
from goodpath.screening.models import ScreenedSubject, ScreeningAlert
from tests.factories import OPERATOR, bearer_headers, entity, parsed
from tests.lists.import_support import wait_for_import

DATASET = "monitor-test"


def _load(session, *entities):
    result = lists.apply_parsed(session, parsed(list(entities)), dataset=DATASET)
    session.commit()
    return result


def _rescreen(session) -> dict:
    summary = monitoring.rescreen_all(session, "tester")
    session.commit()
    return summary


def _alerts(session) -> set[tuple[str, str, str]]:
    """(watched name, kind, hit caption) of every alert."""
    rows = monitoring.list_alerts(session, OPERATOR, status=None, limit=1000)["results"]
    return {(a["subject"]["name"], a["kind"], a["caption"]) for a in rows}


def _ftm(tmp_path, *names: str):
    path = tmp_path / "upload.ftm.json"
    lines = [{"id": f"u{i}", "schema": "Company", "properties": {"name": [n]}} for i, n in enumerate(names)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_rescreening_alerts_on_new_and_changed_hits_only_and_never_twice(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA PRECISION MACHINERY"))
    for name in ("Alpha Missile Trading", "Precision Machinery Beta", "Gamma Rocket Works", "Delta Bakery"):
        monitoring.watch(session, OPERATOR, name)
    session.commit()
    first = _rescreen(session)
    assert first["subjects"] == 4 and first["alerts"] == {"new": 2, "changed": 0, "cleared": 0}
    assert _alerts(session) == {
        ("Alpha Missile Trading", "new", "ALPHA MISSILE TRADING"),
        ("Precision Machinery Beta", "new", "BETA PRECISION MACHINERY"),
    }
    assert _rescreen(session)["alerts"] == {"new": 0, "changed": 0, "cleared": 0}  # nothing changed
    # Version 2: ALPHA's entry changes (an alias), GAMMA is listed, BETA is as it was.
    _load(session, entity("1", "ALPHA MISSILE TRADING", "AMT"), entity("2", "BETA PRECISION MACHINERY"),
          entity("3", "GAMMA ROCKET WORKS"))  # fmt: skip
    second = _rescreen(session)
    assert second["alerts"] == {"new": 1, "changed": 1, "cleared": 0}
    assert set(second["lists"].items()) == {(DATASET, 2)}
    assert _alerts(session) - _alerts_of(session, first) == {
        ("Alpha Missile Trading", "changed", "ALPHA MISSILE TRADING"),
        ("Gamma Rocket Works", "new", "GAMMA ROCKET WORKS"),
    }
    changed = session.scalars(select(ScreeningAlert).where(ScreeningAlert.kind == "changed")).one()
    alpha = session.get(ScreenedSubject, changed.subject_id)
    assert changed.previous["content_hash"] != alpha.last_hits[changed.hit_party_id]["content_hash"]
    assert changed.hit["entry_id"] == changed.entry_id and changed.lists == {DATASET: 2}
    assert _rescreen(session)["alerts"] == {"new": 0, "changed": 0, "cleared": 0}
    # Version 3: BETA is delisted; its hit is cleared, once.
    _load(session, entity("1", "ALPHA MISSILE TRADING", "AMT"), entity("3", "GAMMA ROCKET WORKS"))
    assert _rescreen(session)["alerts"] == {"new": 0, "changed": 0, "cleared": 1}
    assert ("Precision Machinery Beta", "cleared", "BETA PRECISION MACHINERY") in _alerts(session)
    assert _rescreen(session)["alerts"] == {"new": 0, "changed": 0, "cleared": 0}
    beta = session.scalars(select(ScreenedSubject).where(ScreenedSubject.name == "Precision Machinery Beta")).one()
    assert beta.last_hits == {} and beta.last_lists == {DATASET: 3}
    assert audit.verify(session).ok


def _alerts_of(session, summary: dict) -> set[tuple[str, str, str]]:
    rows = [session.get(ScreeningAlert, i) for i in summary["alert_ids"]]
    return {(session.get(ScreenedSubject, a.subject_id).name, a.kind, a.caption) for a in rows}


def test_a_known_false_positive_raises_no_alert_until_its_entry_changes(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"))
    monitoring.watch(session, OPERATOR, "Alpha Missile Trading", country="FR")
    hit = service.screen(session, OPERATOR, "Alpha Missile Trading", country="FR")["hits"][0]
    dispositions.record(session, OPERATOR, name="trading alpha missile", country="fr", party_id=hit["party_id"],
                        entry_id=hit["entry_id"], verdict="false_positive", reason="a French bakery")  # fmt: skip
    session.commit()
    first = _rescreen(session)
    assert first["alerts"] == {"new": 0, "changed": 0, "cleared": 0} and first["suppressed"] == 1
    _load(session, entity("1", "ALPHA MISSILE TRADING", "ALPHA MISSILES"))  # the entry changes
    second = _rescreen(session)
    assert second["alerts"] == {"new": 0, "changed": 1, "cleared": 0} and second["suppressed"] == 0


def test_watching_is_idempotent_validated_and_audited(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"))
    one = monitoring.watch(session, OPERATOR, "Alpha Missile Trading", country="CN")
    again = monitoring.watch(session, OPERATOR, "trading ALPHA missile", country="cn")
    assert one.id == again.id and one.subject_key == "alpha missile trading|cn"
    assert monitoring.watch(session, OPERATOR, "Alpha Missile Trading", country="CN", source="case-party").id != one.id
    for bad, words in (
        ({"country": "China"}, "ISO 3166-1"),
        ({"source": "Not A Label"}, "source must be"),
        ({"schema": "Spaceship"}, "schema must be one of"),
        ({"name": "  "}, "1 to 500 characters"),
    ):
        with pytest.raises(GoodpathError, match=words):
            monitoring.watch(session, OPERATOR, **({"name": "Alpha"} | bad))
    with pytest.raises(NotFound):
        monitoring.watch(session, OPERATOR, "Alpha", party_id="p-never-was")
    session.commit()
    watched = session.scalar(select(func.count()).select_from(ScreenedSubject))
    assert watched == 2
    assert session.scalar(select(func.count()).where(AuditEntry.action == "screening.watch")) == 2


def test_engaged_companies_are_watched_and_their_own_record_raises_nothing(db, session):
    demo.load_engagement(lambda: new_session(db), "tester")
    companies = [p for p in load_engagement().parties.values() if p.schema_ == "Company"]
    synced = monitoring.sync_engaged_companies(session, "tester")
    session.commit()
    assert synced == {"companies": len(companies), "added": len(companies), "updated": 0, "deactivated": 0}
    assert monitoring.sync_engaged_companies(session, "tester")["added"] == 0
    subjects = monitoring.list_subjects(session, OPERATOR, source=monitoring.ENGAGED_COMPANY, limit=1000)
    names = {s["name"] for s in subjects["results"]}
    assert "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION" in names
    assert "Li Fangwei" not in names and subjects["total"] == len(companies)  # people are not companies
    # Their own curated records (goodpath-engagement) are not a list: no alert from them.
    assert _rescreen(session)["alerts"] == {"new": 0, "changed": 0, "cleared": 0}
    _load(session, entity("9753", "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION"))
    summary = _rescreen(session)
    assert summary["alerts"]["new"] >= 1
    cpmiec = [a for a in monitoring.list_alerts(session, OPERATOR)["results"] if a["subject"]["name"].startswith(
        "CHINA NATIONAL PRECISION")]  # fmt: skip
    assert [(a["kind"], a["dataset"]) for a in cpmiec] == [("new", DATASET)]


def test_acknowledging_an_alert(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"))
    monitoring.watch(session, OPERATOR, "Alpha Missile Trading")
    alert_id = _rescreen(session)["alert_ids"][0]
    done = monitoring.acknowledge(session, OPERATOR, alert_id, note="escalated to the case officer")
    session.commit()
    assert (done["status"], done["acknowledged_by"], done["note"]) == (
        "acknowledged", OPERATOR.actor, "escalated to the case officer",
    )  # fmt: skip
    assert monitoring.list_alerts(session, OPERATOR)["total"] == 0  # open ones
    assert monitoring.list_alerts(session, OPERATOR, status="acknowledged")["total"] == 1
    with pytest.raises(Refused, match="already acknowledged"):
        monitoring.acknowledge(session, OPERATOR, alert_id)
    with pytest.raises(NotFound):
        monitoring.acknowledge(session, OPERATOR, 999_999)


def test_cli_watch_import_alerts_ack(db, session, tmp_path):
    runner = CliRunner()
    added = runner.invoke(cli, ["watch", "add", "Orion Rocket Propellants", "--country", "IR", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["source"] == "manual"
    imported = runner.invoke(cli, ["lists", "import", str(_ftm(tmp_path, "ORION ROCKET PROPELLANTS")),
                                   "--dataset", "upload-test"])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "1 new" in imported.stdout  # re-screened after the import
    alerts = json.loads(runner.invoke(cli, ["alerts", "list", "--json"]).stdout)
    assert [(a["kind"], a["caption"], a["dataset"]) for a in alerts["results"]] == [
        ("new", "ORION ROCKET PROPELLANTS", "upload-test")
    ]
    watched = json.loads(runner.invoke(cli, ["watch", "list", "--json"]).stdout)["results"]
    assert [h["caption"] for h in watched[0]["hits"]] == ["ORION ROCKET PROPELLANTS"]
    acked = runner.invoke(cli, ["alerts", "ack", str(alerts["results"][0]["id"]), "--note", "known", "--json"])
    assert acked.exit_code == 0 and json.loads(acked.stdout)["status"] == "acknowledged"
    assert json.loads(runner.invoke(cli, ["alerts", "list", "--json"]).stdout)["total"] == 0
    rerun = json.loads(runner.invoke(cli, ["rescreen", "--json"]).stdout)
    assert rerun["subjects"] == 1 and rerun["alerts"] == {"new": 0, "changed": 0, "cleared": 0}
    again = runner.invoke(cli, ["alerts", "ack", str(alerts["results"][0]["id"])])
    assert again.exit_code == 1 and "already acknowledged" in again.output


def test_api_watch_upload_alerts_ack(session, tmp_path):
    client = TestClient(api, headers=bearer_headers(session))
    watched = client.post("/screen/subjects", json={"name": "Orion Rocket Propellants", "country": "IR"})
    assert watched.status_code == 201, watched.text
    bad = client.post("/screen/subjects", json={"name": "Orion", "source": "Not A Label"})
    assert bad.status_code == 422
    with open(_ftm(tmp_path, "ORION ROCKET PROPELLANTS"), "rb") as fh:
        upload = client.post("/lists/imports", params={"dataset": "upload-test"}, files={"files": ("o.ftm.json", fh)})
    assert wait_for_import(client, upload)["status"] == "done"  # the import job, then its follow-up re-screening
    alerts = client.get("/screen/alerts").json()
    assert alerts["total"] == 1 and alerts["results"][0]["subject"]["id"] == watched.json()["id"]
    subjects = client.get("/screen/subjects").json()["results"]
    assert [h["caption"] for h in subjects[0]["hits"]] == ["ORION ROCKET PROPELLANTS"]
    alert_id = alerts["results"][0]["id"]
    acked = client.post(f"/screen/alerts/{alert_id}/acknowledge", json={"note": "known"})
    assert acked.status_code == 200 and acked.json()["note"] == "known"
    assert client.post(f"/screen/alerts/{alert_id}/acknowledge").status_code == 409
    rerun = client.post("/screen/rescreen")
    assert rerun.status_code == 200 and rerun.json()["alerts"] == {"new": 0, "changed": 0, "cleared": 0}
    assert client.get("/screen/alerts", params={"status": "all"}).json()["total"] == 1
