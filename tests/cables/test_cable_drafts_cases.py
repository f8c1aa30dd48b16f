"""Cases drafted from demarches and confirmed through the case workflow; possible duplicates of
records already made."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.api import app
from goodpath.cables import drafts, ingest
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.settings import get_settings
from goodpath.core.workflow import StatusEvent
from goodpath.engagement import cases, consultations, pledges
from goodpath.engagement.models import CaseParty, ViolationCase
from goodpath.screening.models import ScreenedSubject
from tests.factories import OPERATOR, bearer_headers

HTML = {"Accept": "text/html,application/xhtml+xml"}

DEMARCHES = Path(__file__).resolve().parents[1] / "data" / "cable_drafts" / "demarches"
SEED_5360 = get_settings().shared_dir / "seeds" / "001_bedb6463c994f4a0.txt"
SEED_1900 = get_settings().shared_dir / "seeds" / "000_6a1cbc83fd7c25d4.txt"


def only(session, reference_id: str, kind: str) -> dict:
    found = [d for d in drafts.list_drafts(session, OPERATOR, reference_id=reference_id) if d["kind"] == kind]
    assert len(found) == 1, found
    return found[0]


def test_a_demarche_drafts_a_case_that_confirms_with_its_parties_screened_and_watched(session):
    assert ingest.ingest_paths(session, OPERATOR, [DEMARCHES / "08STATE14066.txt"])[0]["outcome"] == "stored"
    draft = only(session, "08STATE14066", "case")
    assert draft["fields"]["parties"][0]["name"] == "Dalian Sunny Industries"
    assert draft["fields"]["parties"][0]["role"] == "supplier" and draft["fields"]["partner"] == "CHN"
    assert draft["classification"] == "SECRET" and draft["source"] == "08STATE14066 ¶2"
    with pytest.raises(GoodpathError, match="has no field"):
        drafts.confirm_draft(session, OPERATOR, draft["id"], pledged_by="USG")
    done = drafts.confirm_draft(session, OPERATOR, draft["id"])
    case = session.get(ViolationCase, done.confirmed_record_id)
    assert (done.confirmed_record_type, case.reference, case.status) == ("violation_case", "08STATE14066", "raised")
    assert case.classification == "SECRET" and "CHN" not in (case.releasability or "")  # not shared unless asked
    assert case.raised_on.isoformat() == "2008-02-11" and case.source == "08STATE14066 ¶2"
    (party,) = session.scalars(select(CaseParty).where(CaseParty.case_id == case.id))
    assert (party.name, party.role) == ("Dalian Sunny Industries", "exporter")
    assert party.screened_at is not None and session.get(ScreenedSubject, party.subject_id) is not None
    with pytest.raises(Refused):
        drafts.confirm_draft(session, OPERATOR, draft["id"])


def test_a_reply_citing_a_case_cable_confirms_as_the_partners_step(session):
    case = cases.raise_case(session, OPERATOR, reference="08STATE83144", title="Iranian procurement in China",
                            facts="Aluminum alloys, vacuum pumps and carbon fiber sought from Chinese companies.",
                            raised_on="2008-07-20", classification="SECRET")  # fmt: skip
    ingest.ingest_paths(session, OPERATOR, [DEMARCHES / "08BEIJING3039.txt"])
    update = only(session, "08BEIJING3039", "case_update")
    assert (update["fields"]["case_reference"], update["fields"]["step"]) == ("08STATE83144", "acknowledged")
    assert [d for d in drafts.list_drafts(session, OPERATOR, reference_id="08BEIJING3039") if d["kind"] == "case"] == []
    drafts.confirm_draft(session, OPERATOR, update["id"])
    assert session.get(ViolationCase, case.id).status == "acknowledged"
    event = session.scalars(
        select(StatusEvent).where(
            StatusEvent.record_type == "case", StatusEvent.record_id == case.id, StatusEvent.to_status == "acknowledged"
        )
    ).one()
    assert "share the information" in event.note and event.source == update["source"]


def test_a_pledge_already_recorded_is_a_possible_duplicate_not_a_new_act(session):
    kept = pledges.create(session, OPERATOR, pledged_by="Zhang Yan", pledged_to="USG", made_on="2007-08-13",
                          text="Zhang pledged to press NORINCO and CGWIC to work constructively with the USG.",
                          classification="SECRET", source="MEMCON 2007-08-13")  # fmt: skip
    other = pledges.create(session, OPERATOR, pledged_by="USG", pledged_to="PRC", made_on="2007-08-13",
                           text="The USG will fund two EXBS commodity identification trainings.",
                           classification="SECRET")  # fmt: skip
    track = consultations.create(session, OPERATOR, title="DG-level nonproliferation consultations",
                                 level="director_general", counterpart="CHN", cadence_months=6,
                                 occurred_on="2006-01-10", classification="SECRET")  # fmt: skip
    ingest.ingest_paths(session, OPERATOR, [SEED_5360, SEED_1900])
    found = {d["text"]: d for d in drafts.list_drafts(session, OPERATOR, reference_id="07BEIJING5360")}
    zhang = found["Zhang pledged to press NORINCO and CGWIC to work constructively with the USG."]
    assert [(d["type"], d["id"]) for d in zhang["fields"]["possible_duplicates"]] == [("pledge", kept.id)]
    assert all(other.id not in [d["id"] for d in f["fields"]["possible_duplicates"]] for f in found.values())
    resume = next(d for d in drafts.list_drafts(session, OPERATOR, reference_id="07BEIJING1900")
                  if d["text"].startswith("immediately resuming nonproliferation consultations"))  # fmt: skip
    assert ("consultation", track.id) in [(d["type"], d["id"]) for d in resume["fields"]["possible_duplicates"]]


def test_the_cable_page_shows_a_case_draft_and_confirms_it(session):
    ingest.ingest_paths(session, OPERATOR, [DEMARCHES / "08STATE14066.txt"])
    session.commit()
    bearer_headers(session, username="analyst-web", role="analyst", clearance="SECRET")
    client = TestClient(app)
    login = client.post("/login", data={"username": "analyst-web", "password": "password-of-analyst-web"},
                        follow_redirects=False)  # fmt: skip
    assert login.status_code == 303
    page = client.get("/ui/cables/08STATE14066", headers=HTML)
    assert page.status_code == 200 and 'data-testid="draft-case"' in page.text
    assert "Dalian Sunny Industries" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    draft = only(session, "08STATE14066", "case")
    done = client.post(f"/ui/cables/drafts/{draft['id']}/confirm", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text
    case = session.scalars(select(ViolationCase).where(ViolationCase.reference == "08STATE14066")).one()
    assert f"/ui/cases/{case.id}" in client.get("/ui/cables/08STATE14066", headers=HTML).text
