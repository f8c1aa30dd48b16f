"""Consultation tracks and rounds: the suspension/resumption workflow, rounds refused while
suspended, the overdue flag against the cadence, and held vs. expected rounds per year."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.access.policy import Role, Viewer
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import consultations
from goodpath.engagement.consultations import add_months
from goodpath.engagement.models import Consultation, ConsultationRound
from tests.factories import OPERATOR, bearer_headers

PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.CONFIDENTIAL, "CHN", 7, "partner")
RUSSIA = Viewer(Role.ANALYST, Classification.SECRET, "RUS", 8, "rus-analyst")
AUDITOR = Viewer(Role.AUDITOR, Classification.SECRET, "USA", 9, "auditor")
GREAT_WALL = "suspended by China in 2006 after US financial sanctions on Great Wall Airlines"


def _track(session, **kwargs):
    args = {"title": "DG/AFM nonproliferation consultations", "level": "director_general", "counterpart": "CHN",
            "cadence_months": 6, "occurred_on": "2004-01-15"} | kwargs  # fmt: skip
    track = consultations.create(session, OPERATOR, **args)
    session.commit()
    return track


def _counts(session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(StatusEvent)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
        session.scalar(select(func.count()).select_from(ConsultationRound)),
    )


# --- workflow ---------------------------------------------------------------------------------


def test_a_track_is_marked_for_both_governments_and_starts_active(session):
    track = _track(session, source="07BEIJING1900 ¶2", demo_key="test-dg")
    assert (track.status, track.status_since, track.releasability) == ("active", date(2004, 1, 15), "CHN,USA")
    assert consultations.get(session, PARTNER, track.id).id == track.id  # the counterpart reads it
    with pytest.raises(NotFound):
        consultations.get(session, RUSSIA, track.id)
    history = consultations.detail(session, OPERATOR, track.id)["history"]
    assert [(h["from"], h["to"], h["on"]) for h in history] == [(None, "active", "2004-01-15")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "ambassador"}, "level must be one of"),
        ({"counterpart": "china!"}, "counterpart must be"),
        ({"cadence_months": 0}, "cadence_months"),
        ({"title": "  "}, "title is required"),
        ({"occurred_on": "March 2007"}, "occurred_on must be a date"),
        ({"classification": "TOP_SECRET_X"}, "classification must be one of"),
    ],
)
def test_bad_input_names_the_problem_and_creates_nothing(session, kwargs, message):
    before = _counts(session)
    with pytest.raises(GoodpathError, match=message):
        _track(session, **kwargs)
    session.rollback()
    assert _counts(session) == before
    assert session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_only_engagement_managers_write(session):
    with pytest.raises(Refused, match="permission to manage engagement"):
        consultations.create(session, AUDITOR, title="x", level="other", counterpart="CHN")
    track = _track(session)
    with pytest.raises(Refused, match="permission"):
        consultations.suspend(session, PARTNER, track.id, cause="x")


def test_suspension_needs_a_cause_and_resumption_clears_it_keeping_the_history(session):
    track = _track(session)
    before = _counts(session)
    with pytest.raises(GoodpathError, match="cause"):
        consultations.suspend(session, OPERATOR, track.id, cause="  ", occurred_on="2006-09-01")
    session.rollback()
    assert _counts(session) == before and session.get(Consultation, track.id).status == "active"

    consultations.suspend(session, OPERATOR, track.id, cause=GREAT_WALL, occurred_on="2006-09-01")
    session.commit()
    assert (track.status, track.status_cause, track.status_since) == ("suspended", GREAT_WALL, date(2006, 9, 1))
    consultations.resume(session, OPERATOR, track.id, offered_by="DG Zhang Yan", occurred_on="2007-03-20",
                         source="07BEIJING1900 ¶2")  # fmt: skip
    session.commit()
    assert (track.status, track.status_cause) == ("active", None)
    history = consultations.detail(session, OPERATOR, track.id)["history"]
    assert [h["to"] for h in history] == ["active", "suspended", "active"]
    assert history[1]["note"] == GREAT_WALL
    assert history[2]["note"] == "resumption offered by DG Zhang Yan"
    assert history[2]["source"] == "07BEIJING1900 ¶2"
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "consultation")))
    assert {"consultation.create", "consultation.suspended", "consultation.active"} <= actions


def test_refused_transitions_change_nothing(session):
    track = _track(session)
    before = _counts(session)
    with pytest.raises(Refused, match="cannot go from active to active"):
        consultations.resume(session, OPERATOR, track.id)
    consultations.end(session, OPERATOR, track.id, cause="superseded", occurred_on="2008-01-01")
    session.commit()
    before = _counts(session)
    with pytest.raises(Refused, match="none: it is final"):
        consultations.suspend(session, OPERATOR, track.id, cause="x")
    with pytest.raises(Refused, match="has ended"):
        consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2008-06-01")
    session.rollback()
    assert _counts(session) == before and session.get(Consultation, track.id).status == "ended"


def test_a_step_cannot_predate_the_last_one(session):
    track = _track(session)
    consultations.suspend(session, OPERATOR, track.id, cause=GREAT_WALL, occurred_on="2006-09-01")
    session.commit()
    with pytest.raises(Refused, match="before the consultation's last step"):
        consultations.resume(session, OPERATOR, track.id, occurred_on="2006-01-01")
    session.rollback()
    assert session.get(Consultation, track.id).status == "suspended"


# --- rounds -------------------------------------------------------------------------------------


def test_a_planned_round_is_recorded_held_with_participants_agenda_and_outcome(session):
    track = _track(session)
    planned = consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2005-03-01", occurred_on="2005-01-10")
    session.commit()
    consultations.record_round(
        session, OPERATOR, planned.id, held_on="2005-03-02", place="Beijing",
        participants=[{"side": "usa", "name": "Stephen Rood", "title": "A/S"},
                      {"side": "CHN", "name": "Zhang Yan", "title": "DG"}],
        agenda=["missile nonproliferation", "enforcement"], outcome="agreed to meet again in six months",
        today=date(2007, 1, 1),
    )  # fmt: skip
    session.commit()
    assert (planned.status, planned.held_on, planned.place) == ("held", date(2005, 3, 2), "Beijing")
    assert planned.participants[0] == {"side": "USA", "name": "Stephen Rood", "title": "A/S"}
    detail = consultations.detail(session, OPERATOR, track.id, today=date(2005, 4, 1))
    assert detail["rounds"][0]["history"][-1]["to"] == "held"
    assert detail["last_held_on"] == "2005-03-02"


def test_bad_participants_and_future_rounds_are_refused(session):
    track = _track(session)
    planned = consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2005-03-01")
    session.commit()
    with pytest.raises(GoodpathError, match=r"participants\[0\].name is required"):
        consultations.record_round(session, OPERATOR, planned.id, participants=[{"side": "USA"}])
    with pytest.raises(GoodpathError, match="in the future"):
        consultations.record_round(session, OPERATOR, planned.id, held_on="2005-03-01", today=date(2005, 2, 1))
    session.rollback()
    assert session.get(ConsultationRound, planned.id).status == "planned"


def test_a_round_cannot_be_held_while_the_track_is_suspended_but_past_rounds_can(session):
    track = _track(session)
    consultations.suspend(session, OPERATOR, track.id, cause=GREAT_WALL, occurred_on="2006-09-01")
    past = consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2006-03-10")
    during = consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2006-11-10")
    session.commit()
    before = _counts(session)
    with pytest.raises(Refused, match="was suspended on 2006-11-10"):
        consultations.record_round(session, OPERATOR, during.id)
    session.rollback()
    assert _counts(session) == before and session.get(ConsultationRound, during.id).status == "planned"
    # A round held before the suspension is history, recorded now.
    consultations.record_round(session, OPERATOR, past.id, outcome="last round before the suspension")
    consultations.record_round(session, OPERATOR, during.id, held=False, note="suspended")
    session.commit()
    assert (past.status, during.status) == ("held", "cancelled")
    with pytest.raises(Refused, match="cannot go from cancelled to held"):
        consultations.record_round(session, OPERATOR, during.id)


def test_add_held_round_records_a_past_round_in_one_step(session):
    track = _track(session)
    held = consultations.add_held_round(session, OPERATOR, track.id, held_on="2007-08-13", place="Beijing",
                                        outcome="small-group meeting", source="07BEIJING5360 ¶1",
                                        demo_key="test-round")  # fmt: skip
    session.commit()
    assert (held.status, held.held_on, held.scheduled_on, held.source) == (
        "held", date(2007, 8, 13), date(2007, 8, 13), "07BEIJING5360 ¶1"
    )  # fmt: skip
    assert held.demo_key == "test-round"


# --- overdue ---------------------------------------------------------------------------------


def test_an_active_track_is_overdue_once_its_cadence_passes_since_the_last_held_round(session):
    track = _track(session)
    consultations.add_held_round(session, OPERATOR, track.id, held_on="2005-03-31")
    session.commit()
    assert consultations.overdue(track, date(2005, 9, 30))["overdue"] is False
    flag = consultations.overdue(track, date(2005, 10, 5))
    assert (flag["overdue"], flag["due_since"], flag["days_overdue"]) == (True, "2005-09-30", 5)
    listed = consultations.list_consultations(session, OPERATOR, overdue_only=True, today=date(2005, 10, 5))
    assert [r["id"] for r in listed] == [track.id]
    assert consultations.list_consultations(session, OPERATOR, overdue_only=True, today=date(2005, 9, 1)) == []


def test_a_suspended_track_is_not_overdue_but_shows_how_long_and_resumption_restarts_the_clock(session):
    track = _track(session)
    consultations.add_held_round(session, OPERATOR, track.id, held_on="2005-03-31")
    consultations.suspend(session, OPERATOR, track.id, cause=GREAT_WALL, occurred_on="2006-09-01")
    session.commit()
    flag = consultations.overdue(track, date(2007, 3, 1))
    assert (flag["overdue"], flag["suspended_since"], flag["suspended_days"]) == (False, "2006-09-01", 181)
    consultations.resume(session, OPERATOR, track.id, occurred_on="2007-03-20")
    session.commit()
    assert consultations.overdue(track, date(2007, 9, 20))["overdue"] is False
    assert consultations.overdue(track, date(2007, 9, 21))["due_since"] == "2007-09-20"


def test_a_track_without_cadence_is_never_overdue(session):
    track = _track(session, cadence_months=None)
    assert consultations.overdue(track, date(2030, 1, 1))["overdue"] is False


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_count_held_and_expected_rounds_per_year_from_the_history(session):
    track = _track(session, occurred_on="2005-01-01")
    for day in ("2005-03-01", "2005-09-01", "2006-04-01"):
        consultations.add_held_round(session, OPERATOR, track.id, held_on=day)
    consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2006-10-01")
    consultations.suspend(session, OPERATOR, track.id, cause=GREAT_WALL, occurred_on="2006-07-02")
    consultations.resume(session, OPERATOR, track.id, occurred_on="2007-07-02")
    session.commit()
    result = consultations.metrics(session, OPERATOR, today=date(2007, 12, 31))
    years = {y["year"]: y for y in result["tracks"][0]["years"]}
    assert [(y, years[y]["held"], years[y]["scheduled"]) for y in (2005, 2006, 2007)] == [
        (2005, 2, 2), (2006, 1, 2), (2007, 0, 0)
    ]  # fmt: skip
    assert years[2005]["expected"] == 2.0  # active all year, twice a year
    assert years[2006]["active_days"] == 182 and years[2006]["expected"] == 1.0  # suspended at mid-year
    assert years[2007]["active_days"] == 183 and years[2007]["expected"] == 1.0
    assert [t["year"] for t in result["years"]] == [2005, 2006, 2007]
    assert result["years"][0] == {"year": 2005, "held": 2, "scheduled": 2, "expected": 2.0}


def test_metrics_only_count_readable_tracks(session):
    _track(session, releasability="USA")
    assert consultations.metrics(session, PARTNER, today=date(2007, 1, 1)) == {
        "today": "2007-01-01", "tracks": [], "years": []
    }  # fmt: skip


@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.integers(1, 120))
def test_add_months_lands_in_the_right_month_never_past_the_day(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day
    assert later.day == day.day or (later + timedelta(days=1)).month != later.month  # clamped to the month's end


# --- interfaces ------------------------------------------------------------------------------


def test_api_creates_suspends_and_refuses_with_clear_errors(session):
    analyst = bearer_headers(session)
    partner = bearer_headers(session, "partner1", "partner_officer", "CONFIDENTIAL", "CHN")
    client = TestClient(api)
    made = client.post("/consultations", headers=analyst, json={
        "title": "DG/AFM", "level": "director_general", "counterpart": "CHN", "cadence_months": 6,
        "occurred_on": "2004-01-01"})  # fmt: skip
    assert made.status_code == 201, made.text
    track_id = made.json()["id"]
    assert client.post("/consultations", headers=partner, json={"title": "x", "level": "other",
                                                                "counterpart": "CHN"}).status_code == 403  # fmt: skip
    bad = client.post(f"/consultations/{track_id}/status", headers=analyst, json={"status": "suspended"})
    assert bad.status_code == 422 and "cause" in bad.json()["detail"]
    ok = client.post(f"/consultations/{track_id}/status", headers=analyst,
                     json={"status": "suspended", "cause": GREAT_WALL, "occurred_on": "2006-09-01"})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["status"] == "suspended"
    planned = client.post(f"/consultations/{track_id}/rounds", headers=analyst, json={"scheduled_on": "2006-10-01"})
    assert planned.status_code == 201, planned.text
    refused = client.post(f"/consultations/rounds/{planned.json()['id']}/record", headers=analyst, json={})
    assert refused.status_code == 409 and "suspended" in refused.json()["detail"]
    shown = client.get(f"/consultations/{track_id}", headers=partner).json()
    assert shown["status"] == "suspended" and [r["status"] for r in shown["rounds"]] == ["planned"]
    assert [h["to"] for h in shown["history"]] == ["active", "suspended"]
    listed = client.get("/consultations", headers=partner, params={"format": "csv"})
    assert listed.status_code == 200 and listed.text.splitlines()[0].startswith("id,")
    assert "DG/AFM" in listed.text
    metrics = client.get("/consultations/metrics", headers=partner, params={"today": "2007-01-01"})
    assert metrics.status_code == 200 and metrics.json()["tracks"][0]["id"] == track_id
    assert client.get("/consultations/999999", headers=partner).status_code == 404


def test_cli_adds_suspends_lists_and_exports(session, tmp_path):
    runner = CliRunner()
    added = runner.invoke(cli, ["consultations", "add", "--title", "DG/AFM", "--level", "director_general",
                                "--counterpart", "CHN", "--cadence-months", "6", "--on", "2004-01-01",
                                "--json"])  # fmt: skip
    assert added.exit_code == 0, added.output
    track_id = json.loads(added.output)["id"]
    refused = runner.invoke(cli, ["consultations", "suspend", str(track_id), "--cause", " "])
    assert refused.exit_code == 1 and "cause" in refused.output
    runner.invoke(cli, ["consultations", "suspend", str(track_id), "--cause", GREAT_WALL, "--on", "2006-09-01"])
    listed = runner.invoke(cli, ["consultations", "list", "--json"])
    assert [r["status"] for r in json.loads(listed.output)] == ["suspended"]
    target = tmp_path / "tracks.xlsx"
    exported = runner.invoke(cli, ["consultations", "list", "--export", str(target)])
    assert exported.exit_code == 0 and target.read_bytes()[:2] == b"PK"
    shown = runner.invoke(cli, ["consultations", "show", str(track_id), "--json"])
    assert json.loads(shown.output)["status_cause"] == GREAT_WALL
    planned = runner.invoke(cli, ["consultations", "plan-round", str(track_id), "--on", "2006-03-01", "--json"])
    round_id = json.loads(planned.output)["id"]
    recorded = runner.invoke(cli, ["consultations", "record-round", str(round_id), "--place", "Beijing",
                                   "--participant", "USA:Stephen Rood:A/S", "--agenda", "missiles",
                                   "--json"])  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assert json.loads(recorded.output)["participants"] == [{"side": "USA", "name": "Stephen Rood", "title": "A/S"}]
    overdue = runner.invoke(cli, ["consultations", "overdue", "--json"])
    assert overdue.exit_code == 0 and json.loads(overdue.output) == []  # suspended: not overdue
    metrics = runner.invoke(cli, ["consultations", "metrics", "--id", str(track_id), "--today", "2006-12-31",
                                  "--json"])  # fmt: skip
    years = {y["year"]: y for y in json.loads(metrics.output)["tracks"][0]["years"]}
    assert (years[2006]["held"], years[2005]["expected"]) == (1, 2.0)
    ended = runner.invoke(cli, ["consultations", "end", str(track_id), "--cause", "superseded", "--json"])
    assert ended.exit_code == 0 and json.loads(ended.output)["status"] == "ended"
    again = runner.invoke(cli, ["consultations", "resume", str(track_id)])
    assert again.exit_code == 1 and "cannot go from ended to active" in again.output
