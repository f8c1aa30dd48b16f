"""The dossier forms and the disclosure review pages without a browser: who sees the forms and who may
post (analysts and approvers), refusals shown with what was typed, and what the others get (403 when
they may read the record, 404 when they may not)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from goodpath.engagement import disclosures, dossiers
from goodpath.engagement.models import CompanyMeeting, Invitation
from goodpath.lists import service as lists
from goodpath.pathway.models import PathwayState
from goodpath.web import i18n
from tests.engagement.test_dossiers import NORINCO, OFFICER, add_parties
from tests.factories import OPERATOR, entity, parsed, run_followups
from tests.web.test_pathway_case_pages import HTML, _csrf, _login

LISTED = "SHAHID HEMMAT INDUSTRIAL GROUP"
MARKS = {"classification": "UNCLASSIFIED", "releasability": "ALL", "originator": "USA"}


@pytest.fixture
def world(session):
    """NORINCO's dossier (shared with the company), a listed party, and NORINCO's disclosure of business
    with it (one undecided hit)."""
    add_parties(session)
    lists.apply_parsed(session, parsed([entity("1", LISTED)]), dataset="pages-test")
    dossiers.open_dossier(session, OPERATOR, NORINCO, share_with=["NORINCO"], occurred_on="2007-08-13")
    disclosure = disclosures.add_disclosure(session, OFFICER, NORINCO, counterparty="Shahid Hemmat Industrial Group",
                                            counterparty_country="IR", items="machine tools")  # fmt: skip
    session.commit()
    return {"session": session, "disclosure": disclosure.id, "entry": disclosure.hits[0]["entry_id"]}


def _officer(session, username: str, company: str, organization: str):
    return _login(session, username, role="company_officer", clearance="UNCLASSIFIED", organization=organization,
                  company=company)  # fmt: skip


def test_an_analyst_invites_records_the_answer_and_a_backdated_meeting(world):
    session = world["session"]
    analyst = _login(session, "analyst1")
    page = analyst.get("/dossiers/p-norinco", headers=HTML)
    assert page.status_code == 200 and 'data-testid="invite-form"' in page.text
    token = _csrf(page.text)
    refused = analyst.post(
        "/ui/dossiers/p-norinco/invitations",
        data={
            "csrf_token": token,
            "invitees": "",
            "conditions": "unaccompanied by outside advisors",
            "purpose": "Visit",
        },
    )
    assert refused.status_code == 409 and "names at least one senior official" in refused.text
    assert "unaccompanied by outside advisors</textarea>" in refused.text  # kept
    done = analyst.post("/ui/dossiers/p-norinco/invitations", follow_redirects=False, data={
        "csrf_token": token, "invitees": "Zhang Guoqing | President", "conditions": "unaccompanied by outside advisors",
        "purpose": "Dialogue in Washington", "occurred_on": "2007-08-20"})  # fmt: skip
    assert done.status_code == 303 and "done=invited" in done.headers["location"]
    invitation = session.query(Invitation).filter_by(party_id=NORINCO).one()
    url = f"/ui/dossiers/p-norinco/invitations/{invitation.id}/status"
    assert analyst.post(url, data={"csrf_token": token, "status": "sent", "occurred_on": "2007-09-01"},
                        follow_redirects=False).status_code == 303  # fmt: skip
    undated = analyst.post(url, data={"csrf_token": token, "status": "accepted", "response": "Yes"})
    assert undated.status_code == 409 and "needs the date of the response" in undated.text
    assert analyst.post(url, data={"csrf_token": token, "status": "accepted", "occurred_on": "2007-09-20",
                                   "response": "The president will come", "source": "07BEIJING6000 ¶2"},
                        follow_redirects=False).status_code == 303  # fmt: skip
    meeting = analyst.post("/ui/dossiers/p-norinco/meetings", follow_redirects=False, data={
        "csrf_token": token, "held_on": "2007-10-10", "place": "Washington", "invitation": str(invitation.id),
        "topic": "ICP process", "summary": "Talked about the ICP.", "source": "07STATE1234 ¶1",
        "reason": "Recorded from the cable, months later"})  # fmt: skip
    assert meeting.status_code == 303
    page = analyst.get("/ui/dossiers/p-norinco", headers=HTML).text
    assert "Zhang Guoqing" in page and "The president will come" in page
    late = re.search(r'data-testid="late-entries".*?</table>', page, re.S).group(0)
    assert "Recorded from the cable, months later" in late and "07BEIJING6000" in late
    topics = dossiers.get_dossier(session, OPERATOR, NORINCO).topics
    assert next(t for t in topics if t["topic"] == "ICP process")["status"] == "discussed"
    assert session.query(CompanyMeeting).filter_by(party_id=NORINCO).count() == 1


def test_others_who_read_the_dossier_get_no_forms_and_cannot_post(world):
    session = world["session"]
    officer = _officer(session, "officer1", NORINCO, "NORINCO")
    page = officer.get("/dossiers/p-norinco", headers=HTML)
    assert page.status_code == 200 and "invite-form" not in page.text and "meeting-form" not in page.text
    token = _csrf(officer.get("/", headers=HTML).text)
    for path in ("invitations", "meetings", "status", "topics"):
        assert officer.post(f"/ui/dossiers/p-norinco/{path}", data={"csrf_token": token}).status_code == 403
    auditor = _login(session, "auditor1", role="auditor")
    page = auditor.get("/dossiers/p-norinco", headers=HTML)
    assert page.status_code == 200 and "invite-form" not in page.text
    token = _csrf(page.text)
    assert (
        auditor.post("/ui/dossiers/p-norinco/invitations", data={"csrf_token": token, "invitees": "X"}).status_code
        == 403
    )
    assert session.query(Invitation).count() == 0


def test_who_may_not_read_the_dossier_finds_nothing(world):
    session = world["session"]
    other = _officer(session, "officer2", "p-cgwic", "CGWIC")
    assert other.get("/dossiers/p-norinco", headers=HTML).status_code == 404
    token = _csrf(other.get("/", headers=HTML).text)
    assert other.post("/ui/dossiers/p-norinco/invitations", data={"csrf_token": token}).status_code == 404
    partner = _login(session, "partner1", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    assert partner.get("/dossiers/p-norinco", headers=HTML).status_code == 404
    token = _csrf(partner.get("/", headers=HTML).text)
    assert partner.post("/ui/dossiers/p-norinco/meetings", data={"csrf_token": token}).status_code == 404


def test_an_analyst_reviews_a_disclosure_from_the_queue(world):
    session, disclosure, entry = world["session"], world["disclosure"], world["entry"]
    clean = disclosures.add_disclosure(session, OFFICER, NORINCO, counterparty="Harmless Bakery Supplies",
                                       counterparty_country="IR", items="flour")  # fmt: skip
    session.commit()
    analyst = _login(session, "analyst1")
    queue = analyst.get("/ui/disclosures", headers=HTML).text
    rows = re.findall(r'href="/ui/disclosures/(\d+)" data-testid="disclosure-link"', queue)
    assert rows == [str(disclosure), str(clean.id)]  # the one with a hit to decide first
    assert analyst.get("/ui/disclosures?review=to_review", headers=HTML).text.count('data-testid="queue-row"') == 1
    assert "No disclosure matches" in analyst.get("/ui/disclosures?signal=cleared", headers=HTML).text
    page = analyst.get(f"/ui/disclosures/{disclosure}", headers=HTML).text
    assert LISTED in page and 'data-testid="confirm-hit"' in page
    token = _csrf(page)
    url = f"/ui/disclosures/{disclosure}/hits"
    refused = analyst.post(url, data={"csrf_token": token, "entry_id": entry, "verdict": "true_match", "reason": " ",
                                      "source": "kept source"})  # fmt: skip
    assert refused.status_code == 409 and "reason is required" in refused.text and 'value="kept source"' in refused.text
    done = analyst.post(
        url,
        follow_redirects=False,
        data={"csrf_token": token, "entry_id": entry, "verdict": "true_match", "reason": "Same address in Tehran"},
    )
    assert done.status_code == 303
    page = analyst.get(done.headers["location"], headers=HTML).text
    assert "signal about the company" in page and "Same address in Tehran" in page
    assert '/ui/pathway/p-norinco"' in page and "The company is not on the pathway" in page
    assert analyst.get("/", headers=HTML).text.count("/ui/disclosures?review=to_review") == 1


def test_a_confirmed_hit_of_a_company_on_the_pathway_shows_its_alert(world):
    session, disclosure, entry = world["session"], world["disclosure"], world["entry"]
    session.add(PathwayState(party_id=NORINCO, stage="in_dialogue", since=date(2020, 1, 1), **MARKS))
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst.get(f"/ui/disclosures/{disclosure}", headers=HTML).text)
    done = analyst.post(f"/ui/disclosures/{disclosure}/hits", follow_redirects=False, data={
        "csrf_token": token, "entry_id": entry, "verdict": "true_match", "reason": "Same address"})  # fmt: skip
    assert done.status_code == 303
    run_followups(session)
    page = analyst.get(done.headers["location"], headers=HTML).text
    alerts = re.search(r'data-testid="pathway-alerts".*?</ul>', page, re.S).group(0)
    assert f"disclosure {disclosure}" in alerts and "Review" in alerts
    assert 'data-testid="pathway-stage-now"' in page and "not on the pathway" not in page


def test_others_cannot_decide_hits_and_another_company_finds_nothing(world):
    session, disclosure, entry = world["session"], world["disclosure"], world["entry"]
    data = {"entry_id": entry, "verdict": "false_positive", "reason": "not them"}
    officer = _officer(session, "officer1", NORINCO, "NORINCO")
    page = officer.get(f"/ui/disclosures/{disclosure}", headers=HTML)
    assert page.status_code == 200 and "decide-hit" not in page.text
    token = _csrf(page.text)
    assert officer.post(f"/ui/disclosures/{disclosure}/hits", data={"csrf_token": token, **data}).status_code == 403
    auditor = _login(session, "auditor1", role="auditor")
    page = auditor.get(f"/ui/disclosures/{disclosure}", headers=HTML)
    assert page.status_code == 200 and "decide-hit" not in page.text
    assert "/ui/disclosures" not in auditor.get("/", headers=HTML).text.split("</nav>")[0]
    token = _csrf(page.text)
    assert auditor.post(f"/ui/disclosures/{disclosure}/hits", data={"csrf_token": token, **data}).status_code == 403
    other = _officer(session, "officer2", "p-cgwic", "CGWIC")
    assert other.get(f"/ui/disclosures/{disclosure}", headers=HTML).status_code == 404
    assert "Shahid" not in other.get("/ui/disclosures", headers=HTML).text
    token = _csrf(other.get("/", headers=HTML).text)
    assert other.post(f"/ui/disclosures/{disclosure}/hits", data={"csrf_token": token, **data}).status_code == 404
    partner = _login(session, "partner1", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    assert partner.get(f"/ui/disclosures/{disclosure}", headers=HTML).status_code == 404
    session.expire_all()
    assert disclosures.get_disclosure(session, OPERATOR, disclosure).hits[0]["verdict"] is None


def test_an_analyst_opens_a_dossier_from_the_list_and_others_cannot(world):
    session = world["session"]
    analyst = _login(session, "analyst1")
    listing = analyst.get("/dossiers", headers=HTML)
    assert listing.status_code == 200 and "China North Industries Corporation" in listing.text
    token = _csrf(listing.text)
    again = analyst.post("/ui/dossiers", data={"csrf_token": token, "party": "p-norinco", "source": "kept"})
    assert again.status_code == 409 and "already has a dossier" in again.text and 'value="kept"' in again.text
    person = analyst.post("/ui/dossiers", data={"csrf_token": token, "party": "p-person"})
    assert person.status_code == 409 and "is kept for a company" in person.text
    done = analyst.post("/ui/dossiers", follow_redirects=False, data={
        "csrf_token": token, "party": "p-cgwic", "topics": "Space launch services\nICP process", "share_with": "cgwic",
        "model_candidate": "yes"})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/ui/dossiers/p-cgwic?done=opened"
    opened = dossiers.get_dossier(session, OPERATOR, "p-cgwic")
    assert [t["topic"] for t in opened.topics] == ["Space launch services", "ICP process"]
    assert opened.model_candidate and opened.releasability == "CGWIC,USA"
    officer = _officer(session, "officer1", NORINCO, "NORINCO")
    listing = officer.get("/dossiers", headers=HTML).text
    assert "open-dossier" not in listing and "Great Wall" not in listing
    token = _csrf(listing)
    assert officer.post("/ui/dossiers", data={"csrf_token": token, "party": "p-cgwic"}).status_code == 403


def test_the_pages_speak_chinese(world):
    session, disclosure = world["session"], world["disclosure"]
    analyst = _login(session, "analyst1")
    analyst.cookies.set(i18n.LANG_COOKIE, "zh_Hans")
    assert "起草邀请" in analyst.get("/dossiers/p-norinco", headers=HTML).text
    assert "待裁定命中：1" in analyst.get(f"/ui/disclosures/{disclosure}", headers=HTML).text
    assert "找到的披露：1" in analyst.get("/ui/disclosures", headers=HTML).text
    assert "建立档案" in analyst.get("/dossiers", headers=HTML).text


def test_a_dossier_is_opened_for_the_company_picked_by_its_name(world):
    from tests.web.test_search_pages import _party as named_party

    session = world["session"]
    named_party(session, "kalaye", "Kalaye Trading Co", ("卡拉耶贸易公司",))
    session.commit()
    analyst = _login(session, "analyst1")
    listing = analyst.get("/ui/dossiers", headers=HTML).text
    assert 'hx-get="/ui/parties/suggest?field=party"' in listing and 'data-testid="open-party"' in listing
    options = analyst.get("/ui/parties/suggest", params={"field": "party", "party": "卡拉耶"}, headers=HTML).text
    [value] = re.findall(r'<option value="([^"]+)"', options)
    done = analyst.post("/ui/dossiers", follow_redirects=False, data={"csrf_token": _csrf(listing), "party": value})
    assert done.status_code == 303 and done.headers["location"] == "/ui/dossiers/kalaye?done=opened"
    assert dossiers.get_dossier(session, OPERATOR, "kalaye").party_id == "pkalaye"


def test_a_meeting_and_an_invitation_are_marked_as_chosen_else_as_the_dossier(world):
    session = world["session"]
    analyst = _login(session, "analyst1", clearance="SECRET")
    page = analyst.get("/ui/dossiers/p-norinco", headers=HTML).text
    token = _csrf(page)
    form = re.search(r'data-testid="meeting-form".*?</form>', page, re.S).group(0)
    assert 'data-testid="marking-classification"' in form and 'value="NORINCO"' in form and 'value="CHN"' in form
    meeting = {"csrf_token": token, "held_on": "2007-10-10", "place": "Beijing", "topic": "ICP process"}
    assert analyst.post("/ui/dossiers/p-norinco/meetings", follow_redirects=False,
                        data={**meeting, "summary": "Shared as the dossier."}).status_code == 303  # fmt: skip
    kept = {**meeting, "summary": "Kept from the company.", "classification": "CONFIDENTIAL"}
    assert analyst.post("/ui/dossiers/p-norinco/meetings", follow_redirects=False, data=kept).status_code == 303
    assert analyst.post("/ui/dossiers/p-norinco/invitations", follow_redirects=False, data={
        "csrf_token": token, "invitees": "Zhang Guoqing | President", "purpose": "Released to both",
        "share_with": ["NORINCO", "CHN"]}).status_code == 303  # fmt: skip
    marks = {m.summary: (m.classification, m.releasability) for m in session.query(CompanyMeeting)}
    dossier = dossiers.get_dossier(session, OPERATOR, NORINCO)
    assert marks["Shared as the dossier."] == (dossier.classification, dossier.releasability)
    assert marks["Kept from the company."] == ("CONFIDENTIAL", "USA")
    invitation = session.query(Invitation).filter_by(purpose="Released to both").one()
    assert invitation.classification == "UNCLASSIFIED" and set(invitation.releasability.split(",")) == {
        "USA", "NORINCO", "CHN"}  # fmt: skip
    officer = _officer(session, "officer1", NORINCO, "NORINCO").get("/dossiers/p-norinco", headers=HTML).text
    assert "Shared as the dossier." in officer and "Released to both" in officer
    assert "Kept from the company." not in officer


def test_a_classification_above_the_users_clearance_is_refused_by_the_field(world):
    session = world["session"]
    analyst = _login(session, "analyst2", clearance="UNCLASSIFIED")
    token = _csrf(analyst.get("/ui/dossiers/p-norinco", headers=HTML).text)
    refused = analyst.post("/ui/dossiers/p-norinco/meetings", data={
        "csrf_token": token, "held_on": "2007-10-10", "summary": "Too high.", "classification": "SECRET"})  # fmt: skip
    assert refused.status_code == 409
    form = re.search(r'data-testid="meeting-form".*?</form>', refused.text, re.S).group(0)
    assert re.search(r'data-testid="marking-error">[^<]*above your clearance', form)
    assert '<option value="SECRET" selected>' in form and "Too high.</textarea>" in form
    assert session.query(CompanyMeeting).filter_by(summary="Too high.").count() == 0
