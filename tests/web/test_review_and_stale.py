"""Safe actions on the pages: an irreversible action is reviewed first (what will change, for whom,
what follows), and posting it without ``confirmed=1`` changes nothing; a form drawn from an older
version of its record is refused, showing the other user's change and keeping what was typed."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from goodpath.api import app
from goodpath.consequences import REACTIONS
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import StaleRecord
from goodpath.engagement import cases, consultations, dossiers, icp, pledges, projects
from goodpath.engagement.models import Consultation, CooperationProject, Pledge, ViolationCase
from goodpath.pathway.models import PathwayProposal, PathwayState
from goodpath.registry.models import Party
from goodpath.web import review
from tests.engagement.test_dossiers import NORINCO, add_parties
from tests.factories import OPERATOR, bearer_headers

HTML = {"Accept": "text/html"}


def _login(session, username: str, **user) -> TestClient:
    bearer_headers(session, username=username, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path, headers=HTML).text).group(1)


def _audits(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry))


def test_every_consequence_is_said_on_the_review_page():
    for event, reactions in REACTIONS.items():
        assert all(r.name in review.CONSEQUENCES for r in reactions), event
    assert review.consequences_of("snapback_applied") == [
        "A snapback closes the company's breach alerts (they become “snapped back”)."
    ]
    assert review.consequences_of("no_such_event") == []


def test_approving_a_proposal_is_reviewed_first_and_the_review_changes_nothing(session):
    party = Party(id="pstall", key="stallco", schema="Company", caption="Stalled Trading Co", countries=["cn"],
                  birth_dates=[], classification="UNCLASSIFIED", releasability="ALL", originator="USA")  # fmt: skip
    session.add(party)
    session.flush()
    session.add(PathwayState(party_id=party.id, stage="continued_sanctions", since=date(2020, 1, 1),
                             classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst, "/ui/pathway/stallco")
    proposed = analyst.post("/ui/pathway/stallco/propose", follow_redirects=False, data={
        "csrf_token": token, "target": "stage|public_stigma", "rationale": "It chose not to engage."})  # fmt: skip
    assert proposed.status_code == 303
    proposal = session.scalars(select(PathwayProposal).where(PathwayProposal.party_id == party.id)).one()
    assert proposal.version == 1
    approver = _login(session, "approver1", role="approver")
    token = _csrf(approver, "/ui/pathway/stallco")
    assert 'name="version" value="1"' in approver.get("/ui/pathway/stallco", headers=HTML).text  # the form carries it
    before = _audits(session)
    url = f"/ui/pathway/stallco/proposals/{proposal.id}/approve"
    page = approver.post(url, data={"csrf_token": token, "version": "1", "note": "Agreed."})
    assert page.status_code == 200
    text = page.text
    assert f"Approve proposal {proposal.id}?" in text and "Nothing has changed yet" in text
    changes = re.findall(r'data-testid="review-change">(.*?)</dd>', text, re.S)
    assert "Pending → <strong>Approved</strong>" in changes[0]
    assert "Continued sanctions → <strong>Public stigma</strong>" in changes[1]
    assert "Stalled Trading Co" in text and "Agreed." in text  # the company, and the note typed
    assert re.search(r'data-testid="review-releasable">\s*every organization', text)  # who will see it
    assert 'name="confirmed" value="1"' in text and 'name="version" value="1"' in text  # re-posts the same fields
    session.expire_all()
    assert session.get(PathwayProposal, proposal.id).status == "pending"  # the review changed nothing
    assert session.get(PathwayProposal, proposal.id).version == 1 and _audits(session) == before
    done = approver.post(url, follow_redirects=False,
                         data={"csrf_token": token, "version": "1", "note": "Agreed.", "confirmed": "1"})  # fmt: skip
    assert done.status_code == 303
    session.expire_all()
    assert session.get(PathwayProposal, proposal.id).status == "approved"
    assert session.get(PathwayProposal, proposal.id).version > 1


def test_a_stale_decision_is_refused_naming_the_other_change(session):
    party = Party(id="pstall2", key="stallco2", schema="Company", caption="Stalled Two", countries=["cn"],
                  birth_dates=[], classification="UNCLASSIFIED", releasability="ALL", originator="USA")  # fmt: skip
    session.add(party)
    session.flush()
    session.add(PathwayState(party_id=party.id, stage="continued_sanctions", since=date(2020, 1, 1),
                             classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst, "/ui/pathway/stallco2")
    analyst.post("/ui/pathway/stallco2/propose", data={
        "csrf_token": token, "target": "stage|public_stigma", "rationale": "It chose not to engage."})  # fmt: skip
    proposal_id = session.scalar(select(PathwayProposal.id).where(PathwayProposal.party_id == party.id))
    approver = _login(session, "approver1", role="approver")
    approver_token = _csrf(approver, "/ui/pathway/stallco2")  # the approver's page: version 1
    withdrawn = analyst.post(f"/ui/pathway/stallco2/proposals/{proposal_id}/withdraw", follow_redirects=False,
                             data={"csrf_token": token, "version": "1", "confirmed": "1"})  # fmt: skip
    assert withdrawn.status_code == 303
    stale = approver.post(f"/ui/pathway/stallco2/proposals/{proposal_id}/approve",
                          data={"csrf_token": approver_token, "version": "1", "note": "My careful note"})  # fmt: skip
    assert stale.status_code == 409
    assert f"proposal {proposal_id} was changed by analyst1" in stale.text and "since you opened it" in stale.text
    assert "status: pending → withdrawn" in stale.text  # (no longer pending: the page offers no decision)
    session.expire_all()
    assert session.get(PathwayProposal, proposal_id).status == "withdrawn"


def test_a_pledge_withdrawn_or_broken_is_reviewed_and_a_stale_form_shows_the_other_change(session):
    pledge = pledges.create(session, OPERATOR, pledged_by="MFA (PRC)", pledged_to="USG", made_on="2007-03-20",
                            text="MFA will press NORINCO to engage constructively", due_on="2007-06-30")  # fmt: skip
    session.commit()
    first, second = _login(session, "analyst1"), _login(session, "analyst2")
    url = f"/ui/pledges/{pledge.id}"
    first_token, second_token = _csrf(first, url), _csrf(second, url)  # both drew the page at version 1
    assert 'name="version" value="1"' in second.get(url, headers=HTML).text
    # the first adds evidence: version 2
    first.post(f"{url}/evidence", data={"csrf_token": first_token, "text": "NORINCO officials met the Embassy"})
    # the second, from version 1, marks it broken: told, shown the change, the note kept, nothing changed
    form = {"csrf_token": second_token, "status": "broken", "note": "Shipped again in May", "version": "1"}
    stale = second.post(f"{url}/status", data=form | {"confirmed": "1"})
    assert stale.status_code == 409
    shown = re.search(r'data-testid="stale">(.*?)</div>', stale.text, re.S).group(1)
    assert "Someone else changed this record since you opened it" in shown and "analyst1" in shown
    assert "Evidence: 0 entries → <strong>1 entry</strong>" in shown
    assert 'value="Shipped again in May"' in stale.text  # kept in the form
    assert 'name="version" value="2"' in stale.text  # the redrawn form is of the current version
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "open"
    # from version 2: the review first, which changes nothing
    before = _audits(session)
    page = second.post(f"{url}/status", data=form | {"version": "2"})
    assert page.status_code == 200 and f"Mark pledge {pledge.id} broken?" in page.text
    assert "Open → <strong>Broken</strong>" in page.text and "Shipped again in May" in page.text
    assert re.search(r'data-testid="review-releasable">\s*USA', page.text)  # the pledge's own marking
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "open" and _audits(session) == before
    done = second.post(f"{url}/status", data=form | {"version": "2", "confirmed": "1"}, follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "broken"


def test_closing_a_case_is_reviewed_with_its_consequences_and_a_stale_close_is_refused(session):
    case = cases.raise_case(session, OPERATOR, reference="WLC-2007-031", title="Carbon fibre to Iran",
                            facts="A broker shipped carbon fibre.", raised_on="2007-05-01")  # fmt: skip
    session.commit()
    analyst = _login(session, "analyst1")
    url = f"/ui/cases/{case.id}"
    token = _csrf(analyst, url)
    form = {"csrf_token": token, "step": "closed", "outcome": "sanctioned", "note": "MOFCOM fined the broker.",
            "version": "1"}  # fmt: skip
    page = analyst.post(f"{url}/step", data=form)
    assert page.status_code == 200 and "Close case WLC-2007-031?" in page.text
    assert "Raised → <strong>Sanctioned</strong>" in page.text
    consequences = re.search(r'data-testid="review-consequences">(.*?)</section>', page.text, re.S).group(1)
    assert "the case's parties on the pathway are scanned for breaches" in consequences.replace("&#39;", "'")
    session.expire_all()
    assert session.get(ViolationCase, case.id).status == "raised"  # nothing written
    cases.advance(session, OPERATOR, case.id, "acknowledged", note="Seen by the partner")  # meanwhile: version 2
    session.commit()
    stale = analyst.post(f"{url}/step", data=form | {"confirmed": "1"})
    assert stale.status_code == 409
    assert "was changed by test-operator" in stale.text and "status: raised → acknowledged" in stale.text
    assert "MOFCOM fined the broker." in stale.text  # kept
    session.expire_all()
    assert session.get(ViolationCase, case.id).status == "acknowledged"


def test_a_stale_consultation_status_form_is_refused_and_the_page_shows_the_track_as_it_is(session):
    track = consultations.create(session, OPERATOR, title="Nonproliferation consultations", level="director_general",
                                 counterpart="CHN", occurred_on="2007-01-10")  # fmt: skip
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst, "/ui/consultations")
    assert 'name="version" value="1"' in analyst.get("/ui/consultations", headers=HTML).text
    consultations.set_status(session, OPERATOR, track.id, "suspended", cause="After the missile test")  # version 2
    session.commit()
    stale = analyst.post(f"/ui/consultations/{track.id}/status",
                         data={"csrf_token": token, "status": "ended", "version": "1"})  # fmt: skip
    assert stale.status_code == 200 and "Someone else changed this record since you opened the page" in stale.text
    assert "After the missile test" in stale.text  # the other's change, as the page shows the track now
    session.expire_all()
    assert session.get(Consultation, track.id).status == "suspended"


def test_a_stale_dossier_status_form_is_refused_naming_the_other_change(session):
    add_parties(session)
    dossiers.open_dossier(session, OPERATOR, NORINCO, occurred_on="2007-08-13")
    session.commit()
    analyst = _login(session, "analyst1")
    url = f"/ui/dossiers/{NORINCO}"
    token = _csrf(analyst, url)
    assert 'name="version" value="1"' in analyst.get(url, headers=HTML).text
    dossiers.set_status(session, OPERATOR, NORINCO, "invited")  # meanwhile
    session.commit()
    stale = analyst.post(f"{url}/status", data={"csrf_token": token, "status": "closed", "version": "1",
                                                "note": "It refused every contact"})  # fmt: skip
    assert stale.status_code == 409
    assert "was changed by test-operator" in stale.text and "status: proposed → invited" in stale.text
    assert "It refused every contact" in stale.text  # what was typed is kept


def test_a_stale_topic_form_does_not_overwrite_the_other_change(session):
    add_parties(session)
    dossiers.open_dossier(session, OPERATOR, NORINCO, occurred_on="2007-08-13")
    session.commit()
    analyst = _login(session, "analyst1")
    url = f"/ui/dossiers/{NORINCO}"
    token = _csrf(analyst, url)
    topic = dossiers.get_dossier(session, OPERATOR, NORINCO).topics[0]["topic"]
    page = analyst.get(url, headers=HTML).text
    assert page.count('name="version" value="1"') >= 3  # the status, model-candidate and topic forms
    dossiers.set_topic(session, OPERATOR, NORINCO, topic, status="satisfied", notes="Settled at the meeting")
    session.commit()  # meanwhile
    stale = analyst.post(f"{url}/topics", data={"csrf_token": token, "topic": topic, "status": "discussed",
                                                "notes": "Still open", "version": "1"})  # fmt: skip
    assert stale.status_code == 409 and "was changed by test-operator" in stale.text
    assert "Still open" in stale.text  # what was typed is kept
    candidate = analyst.post(f"{url}/model-candidate", data={"csrf_token": token, "candidate": "yes", "version": "1"})
    assert candidate.status_code == 409
    session.expire_all()
    dossier = dossiers.get_dossier(session, OPERATOR, NORINCO)
    assert (dossier.topics[0]["status"], dossier.topics[0]["notes"]) == ("satisfied", "Settled at the meeting")
    assert not dossier.model_candidate
    # The API: If-Match with the version read; 409 when stale, applied when current.
    api = TestClient(app)
    headers = bearer_headers(session, "analyst2", "analyst")
    body = {"topic": topic, "status": "discussed"}
    assert api.post(f"/dossiers/{NORINCO}/topics", json=body, headers={**headers, "If-Match": '"1"'}).status_code == 409
    fresh = api.post(f"/dossiers/{NORINCO}/topics", json=body, headers={**headers, "If-Match": f'"{dossier.version}"'})
    assert fresh.status_code == 200, fresh.text


def test_a_stale_icp_score_form_does_not_overwrite_a_colleagues_score(session):
    add_parties(session)
    assessment = icp.start_assessment(session, OPERATOR, NORINCO, "eu-2019-1318", assessed_on="2008-01-10")
    first, second = icp.element_codes("eu-2019-1318")[:2]
    icp.score_element(session, OPERATOR, assessment.id, second, 1, "A draft manual")
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst, "/ui/icp")
    drawn = re.search(r'name="drawn" value="([^"]*)"', analyst.get("/ui/icp", headers=HTML).text).group(1)
    assert drawn.startswith(f"{second}=")
    icp.score_element(session, OPERATOR, assessment.id, first, 3, "Board minutes")  # meanwhile
    session.commit()
    form = {"csrf_token": token, "drawn": drawn, "score": "1", "evidence": "A memo only"}
    stale = analyst.post(f"/ui/icp/{assessment.id}/scores", data={**form, "element": first})
    assert stale.status_code == 409 and f"element {first} was scored 3" in stale.text and "test-operator" in stale.text
    assert analyst.post(f"/ui/icp/{assessment.id}/scores", data={**form, "element": second},
                        follow_redirects=False).status_code == 303  # fmt: skip  # unchanged since drawn: applied
    session.expire_all()
    scores = {s["element"]: (s["score"], s["evidence"]) for s in icp.assessment_to_dict(
        session, OPERATOR, icp.get_assessment(session, OPERATOR, assessment.id))["scores"]}  # fmt: skip
    assert scores == {first: (3, "Board minutes"), second: (1, "A memo only")}
    api = TestClient(app)
    headers = bearer_headers(session, "analyst2", "analyst")
    body = {"element": first, "score": 0, "evidence": "x", "expected_stamp": ""}  # read as unscored: stale
    assert api.post(f"/icp/assessments/{assessment.id}/scores", json=body, headers=headers).status_code == 409


def test_ending_a_consultation_or_cancelling_a_project_is_reviewed_first(session):
    track = consultations.create(session, OPERATOR, title="Nonproliferation consultations", level="director_general",
                                 counterpart="CHN", occurred_on="2007-01-10")  # fmt: skip
    project = projects.create(session, OPERATOR, title="Commodity identification training", kind="training",
                              occurred_on="2007-02-01")  # fmt: skip
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst, "/ui/consultations")
    for url, target, title in ((f"/ui/consultations/{track.id}/status", "ended", "End these consultations?"),
                               (f"/ui/projects/{project.id}/status", "cancelled", "Cancel this project?")):  # fmt: skip
        page = analyst.post(url, data={"csrf_token": token, "status": target, "version": "1"})
        assert page.status_code == 200 and title in page.text and "The status is final" in page.text
        assert re.search(r"→ <strong>(Ended|Cancelled)</strong>", page.text)
    session.expire_all()
    assert session.get(Consultation, track.id).status == "active"  # the reviews changed nothing
    assert session.get(CooperationProject, project.id).status == "proposed"
    analyst.post(f"/ui/consultations/{track.id}/status",
                 data={"csrf_token": token, "status": "ended", "version": "1", "confirmed": "1"})  # fmt: skip
    session.expire_all()
    assert session.get(Consultation, track.id).status == "ended"


def test_a_dry_run_writes_nothing_and_leaves_the_session_usable_after_a_lost_race(db, session):
    pledge = pledges.create(session, OPERATOR, pledged_by="MFA (PRC)", pledged_to="USG", made_on="2007-03-20",
                            text="MFA will press CPMIEC", due_on="2007-06-30")  # fmt: skip
    session.commit()
    before = _audits(session)
    assert review.refusal(session, lambda: pledges.withdraw(session, OPERATOR, pledge.id)) is None
    assert session.get(Pledge, pledge.id).status == "open" and _audits(session) == before  # nothing written
    session.commit()  # as the request's session does (SQLite: the savepoint kept the write lock till then)
    assert session.get(Pledge, pledge.id).version == 1  # read now, before the other's change
    other = new_session(db)
    try:
        pledges.withdraw(other, OPERATOR, pledge.id)
        other.commit()
    finally:
        other.close()
    refused = review.refusal(session, lambda: pledges.break_(session, OPERATOR, pledge.id, note="Shipped again"))
    assert isinstance(refused, StaleRecord)  # the flush lost the race for version 1
    session.expire_all()
    assert session.get(Pledge, pledge.id).status == "withdrawn"  # the session reads on


def test_removing_a_case_party_or_item_is_reviewed_first(session):
    case = cases.raise_case(session, OPERATOR, reference="WLC-2007-032", title="Machine tools to Iran",
                            facts="A broker shipped machine tools.", raised_on="2007-05-01",
                            items=[{"description": "flow-forming machine", "control_entry": "ECCN 2B009"},
                                   {"description": "spare spindles"}],
                            parties=[{"role": "broker", "name": "Dalian Tools Trading"}])  # fmt: skip
    session.commit()
    party_id = case.parties[0].id
    analyst = _login(session, "analyst1")
    url = f"/ui/cases/{case.id}"
    token = _csrf(analyst, url)
    before = _audits(session)
    page = analyst.post(f"{url}/parties/{party_id}/remove", data={"csrf_token": token})
    assert page.status_code == 200 and "Remove Dalian Tools Trading from case WLC-2007-032?" in page.text
    assert "Nothing has changed yet" in page.text and 'name="confirmed"' in page.text
    item = analyst.post(f"{url}/items/1/remove", data={"csrf_token": token})
    assert item.status_code == 200 and "Remove item 1 from case WLC-2007-032?" in item.text
    assert "flow-forming machine" in item.text and "ECCN 2B009" in item.text
    session.expire_all()
    assert len(session.get(ViolationCase, case.id).parties) == 1 and len(session.get(ViolationCase, case.id).items) == 2
    assert _audits(session) == before  # the reviews wrote nothing
    assert analyst.post(f"{url}/items/9/remove", data={"csrf_token": token}).status_code == 404  # refused on the form
    assert analyst.post(f"{url}/parties/999999/remove", data={"csrf_token": token}).status_code == 404
    removed = analyst.post(f"{url}/parties/{party_id}/remove", data={"csrf_token": token, "confirmed": "1"},
                           follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303
    removed = analyst.post(f"{url}/items/1/remove", data={"csrf_token": token, "confirmed": "1"},
                           follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303
    session.expire_all()
    record = session.get(ViolationCase, case.id)
    assert record.parties == [] and [i["description"] for i in record.items] == ["spare spindles"]
    cases.advance(session, OPERATOR, case.id, "closed", outcome="closed_unsubstantiated", note="Not our broker")
    session.commit()
    closed = analyst.post(f"{url}/items/1/remove", data={"csrf_token": token})  # the service's refusal, no review
    assert closed.status_code == 409 and "its parties and items cannot change" in closed.text


def test_closing_a_dossier_is_reviewed_first(session):
    add_parties(session)
    dossiers.open_dossier(session, OPERATOR, NORINCO, occurred_on="2007-08-13")
    session.commit()
    analyst = _login(session, "analyst1")
    url = f"/ui/dossiers/{NORINCO}"
    token = _csrf(analyst, url)
    form = {"csrf_token": token, "status": "closed", "version": "1", "note": "It refused every contact"}
    before = _audits(session)
    page = analyst.post(f"{url}/status", data=form)
    assert page.status_code == 200 and "Close the dossier of China North Industries Corporation?" in page.text
    assert "Proposed → <strong>Closed</strong>" in page.text and "It refused every contact" in page.text
    assert "its status cannot be changed again" in page.text
    session.expire_all()
    assert dossiers.get_dossier(session, OPERATOR, NORINCO).status == "proposed" and _audits(session) == before
    refused = analyst.post(f"{url}/status", data=form | {"version": "7"})  # stale: refused on the form, no review
    assert refused.status_code == 409
    invited = analyst.post(f"{url}/status", data=form | {"status": "invited"}, follow_redirects=False)
    assert invited.status_code == 303  # not final: no review
    closed = analyst.post(f"{url}/status", data=form | {"version": "2", "confirmed": "1"}, follow_redirects=False)
    assert closed.status_code == 303
    session.expire_all()
    assert dossiers.get_dossier(session, OPERATOR, NORINCO).status == "closed"
