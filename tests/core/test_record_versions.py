"""Optimistic concurrency (core.workflow): a record edited through forms carries a version; a change
drawn from an older version is refused with StaleRecord naming who changed it, when and what, and
changes nothing; of two writers who read the same version, exactly one wins. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import StaleDataError

from goodpath.api import app
from goodpath.core.api_support import install_error_handlers
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import Refused, StaleRecord
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import cases, pledges
from goodpath.engagement.models import Pledge, ViolationCase
from tests.factories import OPERATOR, bearer_headers


def _pledge(session) -> int:
    pledge = pledges.create(session, OPERATOR, pledged_by="MFA (PRC)", pledged_to="USG", made_on="2007-03-20",
                            text="MFA will press NORINCO to engage constructively", due_on="2007-06-30")  # fmt: skip
    session.commit()
    return pledge.id


def _counts(session, pledge_id: int) -> tuple:
    session.expire_all()
    events = session.scalar(select(func.count()).select_from(StatusEvent).where(StatusEvent.record_id == pledge_id))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return session.get(Pledge, pledge_id).status, session.get(Pledge, pledge_id).version, events, audits


def test_a_new_record_is_version_1_and_every_change_moves_it_on(session):
    pledge_id = _pledge(session)
    assert session.get(Pledge, pledge_id).version == 1
    pledges.add_evidence(session, OPERATOR, pledge_id, text="NORINCO met the Embassy")
    session.commit()
    assert session.get(Pledge, pledge_id).version == 2
    assert pledges.detail(session, OPERATOR, pledge_id)["version"] == 2  # shown to clients, who send it back


def test_a_change_from_an_older_version_is_refused_naming_the_other_change(session):
    pledge_id = _pledge(session)
    pledges.set_status(session, OPERATOR, pledge_id, "broken", note="NORINCO shipped again", expected_version=1)
    session.commit()
    before = _counts(session, pledge_id)
    with pytest.raises(StaleRecord) as refused:
        pledges.set_status(session, OPERATOR, pledge_id, "withdrawn", expected_version=1)
    session.rollback()
    assert isinstance(refused.value, Refused)  # a 409 in the API, an error next to the form in the pages
    message = str(refused.value)
    assert f"pledge {pledge_id} was changed by {OPERATOR.actor}" in message
    assert "since you opened it" in message and "status: open → broken" in message
    assert refused.value.changed_by == OPERATOR.actor and refused.value.expected == 1 and refused.value.current == 2
    assert {"field": "status", "before": "open", "after": "broken"} in refused.value.changes
    assert _counts(session, pledge_id) == before  # nothing changed


def test_the_current_version_or_none_is_accepted(session):
    pledge_id = _pledge(session)
    pledges.set_status(session, OPERATOR, pledge_id, "withdrawn", expected_version=1)
    session.commit()
    assert session.get(Pledge, pledge_id).status == "withdrawn"
    case = cases.raise_case(session, OPERATOR, reference="WLC-2007-009", title="Carbon fibre",
                            facts="Shipped to an end user in Iran.", raised_on="2007-05-01")  # fmt: skip
    session.commit()
    cases.advance(session, OPERATOR, case.id, "acknowledged")  # no version given: as before
    session.commit()
    with pytest.raises(StaleRecord, match="status: raised → acknowledged"):
        cases.advance(session, OPERATOR, case.id, "closed", outcome="closed_unsubstantiated", note="No evidence.",
                      expected_version=1)  # fmt: skip
    session.rollback()
    assert session.get(ViolationCase, case.id).status == "acknowledged"


def test_two_sessions_read_version_1_and_both_write_exactly_one_wins(db, session):
    pledge_id = _pledge(session)
    first, second = new_session(db), new_session(db)
    try:
        a = first.get(Pledge, pledge_id)
        b = second.get(Pledge, pledge_id)
        assert a.version == b.version == 1
        pledges.set_status(first, OPERATOR, pledge_id, "withdrawn")
        first.commit()
        with pytest.raises(StaleRecord, match="changed by someone else at the same time"):
            pledges.set_status(second, OPERATOR, pledge_id, "broken", note="Shipped again")
        second.rollback()
    finally:
        first.close()
        second.close()
    session.expire_all()
    row = session.execute(text("SELECT status, version FROM pledge WHERE id = :id"), {"id": pledge_id}).one()
    assert tuple(row) == ("withdrawn", 2)
    events = session.scalars(select(StatusEvent.to_status).where(StatusEvent.record_id == pledge_id)).all()
    assert events.count("withdrawn") == 1 and "broken" not in events  # the loser wrote nothing


def test_the_api_takes_if_match_and_answers_409_when_stale(session):
    pledge_id = _pledge(session)
    headers = bearer_headers(session, username="analyst9")
    client = TestClient(app)
    shown = client.get(f"/pledges/{pledge_id}", headers=headers).json()
    assert shown["version"] == 1
    pledges.add_evidence(session, OPERATOR, pledge_id, text="NORINCO met the Embassy")  # someone else: version 2
    session.commit()
    stale = client.post(f"/pledges/{pledge_id}/status", json={"status": "withdrawn"},
                        headers=headers | {"If-Match": 'W/"1"'})  # fmt: skip
    assert stale.status_code == 409
    assert f"pledge {pledge_id} was changed by {OPERATOR.actor}" in stale.json()["detail"]
    assert client.post(f"/pledges/{pledge_id}/status?expected_version=1", json={"status": "withdrawn"},
                       headers=headers).status_code == 409  # fmt: skip
    bad = client.post(f"/pledges/{pledge_id}/status", json={"status": "withdrawn"}, headers=headers | {"If-Match": "x"})
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(Pledge, pledge_id).status == "open"
    done = client.post(f"/pledges/{pledge_id}/status", json={"status": "withdrawn"},
                       headers=headers | {"If-Match": '"2"'})  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "withdrawn" and done.json()["version"] == 3
    spec = client.get("/openapi.json").json()["paths"]
    for path in ("/pledges/{pledge_id}/status", "/cases/{case_id}/status", "/pathway/proposals/{proposal_id}/approve",
                 "/consultations/{consultation_id}/status", "/projects/{project_id}/status",
                 "/dossiers/{party_id}/status"):  # fmt: skip
        names = {p["name"] for p in spec[path]["post"]["parameters"]}
        assert {"If-Match", "expected_version"} <= names, path
        assert "409" in spec[path]["post"]["responses"]


def test_a_write_that_loses_the_race_outside_a_workflow_step_answers_409():
    bare = FastAPI()
    install_error_handlers(bare)

    @bare.get("/race")
    def race():
        raise StaleDataError("UPDATE statement on table 'pledge' expected to update 1 row(s); 0 were matched.")

    answer = TestClient(bare).get("/race")
    assert answer.status_code == 409 and "changed by someone else at the same time" in answer.json()["detail"]
