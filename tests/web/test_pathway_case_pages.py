"""The pathway and case pages without a browser: who may open what, and the two-person rule."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from goodpath.api import app
from goodpath.pathway import stages
from goodpath.pathway.models import PathwayProposal, PathwayState
from goodpath.registry.models import Party
from goodpath.web import i18n
from tests.factories import bearer_headers
from tests.pathway.conftest import with_a_new_stage

HTML = {"Accept": "text/html"}
SECRET_RATIONALE = "Name them publicly: SECRET reporting shows continued supply"


def _party(session, key: str, caption: str) -> Party:
    party = Party(id=f"p{key}", key=key, schema="Company", caption=caption, countries=["cn"], birth_dates=[],
                  classification="UNCLASSIFIED", releasability="ALL", originator="USA")  # fmt: skip
    session.add(party)
    session.flush()
    return party


def _on_pathway(session, party: Party, stage: str = "continued_sanctions") -> None:
    session.add(PathwayState(party_id=party.id, stage=stage, since=date(2020, 1, 1), classification="UNCLASSIFIED",
                             releasability="ALL", originator="USA"))  # fmt: skip


def _login(session, username: str, **user) -> TestClient:
    bearer_headers(session, username=username, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_company_officer_cannot_open_another_companys_pathway(session):
    own, other = _party(session, "ownco", "Own Company Ltd"), _party(session, "otherco", "Other Company Ltd")
    _on_pathway(session, own)
    _on_pathway(session, other)
    session.commit()
    client = _login(session, "officer1", role="company_officer", clearance="UNCLASSIFIED", organization="OWNCO",
                    company=own.id)  # fmt: skip
    assert client.get("/ui/pathway/ownco", headers=HTML).status_code == 200
    response = client.get("/ui/pathway/otherco", headers=HTML)
    assert response.status_code == 404 and "Other Company" not in response.text
    assert client.get(f"/ui/pathway/{other.id}", headers=HTML).status_code == 404
    page = client.get("/ui/pathway/ownco", headers=HTML).text
    assert "Propose a step" not in page  # a company officer proposes nothing


def test_a_confidential_user_does_not_see_a_secret_proposal(session):
    party = _party(session, "stigmaco", "Stigma Candidate Co")
    _on_pathway(session, party)
    session.add(PathwayProposal(party_id=party.id, kind="transition", from_stage="continued_sanctions",
                                to_stage="public_stigma", effective_on=date(2024, 1, 1), rationale=SECRET_RATIONALE,
                                evidence=[], status="pending", proposed_by="someone", classification="SECRET",
                                releasability="USA", originator="USA"))  # fmt: skip
    session.commit()
    secret = _login(session, "secret1", clearance="SECRET")
    page = secret.get("/ui/pathway/stigmaco", headers=HTML)
    assert SECRET_RATIONALE in page.text and "SECRET" in page.text
    confidential = _login(session, "conf1", clearance="CONFIDENTIAL")
    page = confidential.get("/ui/pathway/stigmaco", headers=HTML)
    assert page.status_code == 200
    assert SECRET_RATIONALE not in page.text and "banner-secret" not in page.text
    assert SECRET_RATIONALE not in confidential.get("/", headers=HTML).text


def test_an_approver_cannot_approve_their_own_proposal_and_nothing_is_lost(session):
    party = _party(session, "stallco", "Stalled Trading Co")
    _on_pathway(session, party)
    session.commit()
    client = _login(session, "approver1", role="approver")
    token = _csrf(client.get("/ui/pathway/stallco", headers=HTML).text)
    empty = client.post("/ui/pathway/stallco/propose", data={"csrf_token": token, "target": "stage|public_stigma"})
    assert empty.status_code == 422 and "the rationale is required" in empty.text
    proposed = client.post("/ui/pathway/stallco/propose", follow_redirects=False, data={
        "csrf_token": token, "target": "stage|public_stigma", "rationale": "It chose not to engage."})  # fmt: skip
    assert proposed.status_code == 303
    page = client.get(proposed.headers["location"], headers=HTML).text
    assert "a second person with the approver role must approve it" in page
    assert 'data-testid="approve"' not in page  # not offered to its proposer
    proposal_id = session.query(PathwayProposal.id).filter_by(party_id=party.id).scalar()
    refused = client.post(f"/ui/pathway/stallco/proposals/{proposal_id}/approve",
                          data={"csrf_token": token, "note": "my own note"})  # fmt: skip
    assert refused.status_code == 409
    assert "a second person with the approver role must approve it" in refused.text
    assert "my own note" in refused.text  # what was typed is kept
    assert client.post(f"/ui/pathway/stallco/proposals/{proposal_id}/approve", data={}).status_code == 403  # no CSRF
    other = _login(session, "approver2", role="approver")
    token = _csrf(other.get("/ui/pathway/stallco", headers=HTML).text)
    review = other.post(f"/ui/pathway/stallco/proposals/{proposal_id}/approve", data={"csrf_token": token})
    assert review.status_code == 200 and 'data-testid="review-confirm"' in review.text  # reviewed first
    approved = other.post(f"/ui/pathway/stallco/proposals/{proposal_id}/approve",
                          data={"csrf_token": token, "confirmed": "1"}, follow_redirects=False)  # fmt: skip
    assert approved.status_code == 303
    assert "Public stigma" in other.get("/ui/pathway/stallco", headers=HTML).text


def test_raising_a_case_keeps_the_form_and_shows_field_errors(session):
    client = _login(session, "analyst1")
    token = _csrf(client.get("/ui/cases", headers=HTML).text)
    bad = client.post(
        "/ui/cases",
        data={
            "csrf_token": token,
            "reference": "x",
            "title": "Broker case",
            "destination": "IRN",
            "classification": "UNCLASSIFIED",
            "partner": "CHN",
        },
    )
    assert bad.status_code == 422
    assert "such as WLC-2007-001" in bad.text and "Describe the facts" in bad.text and "two-letter" in bad.text
    assert 'value="Broker case"' in bad.text
    good = client.post("/ui/cases", follow_redirects=False, data={
        "csrf_token": token, "reference": "WLC-2026-050", "title": "Broker case", "facts": "Machine tools.",
        "classification": "UNCLASSIFIED", "partner": "CHN", "release_to_partner": "1"})  # fmt: skip
    assert good.status_code == 303
    page = client.get(good.headers["location"], headers=HTML).text
    assert "WLC-2026-050" in page and "Record the outcome" in page and "Acknowledge" in page
    partner = _login(session, "partner1", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    page = partner.get(good.headers["location"], headers=HTML).text
    assert "Acknowledge" in page and "Record the outcome" not in page
    assert "Raise a case" not in partner.get("/ui/cases", headers=HTML).text


def test_a_new_stage_of_the_yaml_shows_with_its_labels_in_english_and_chinese(session, monkeypatch):
    monkeypatch.setattr(stages, "load", with_a_new_stage)  # stages.yaml with the stage "audited" added
    party = _party(session, "auditco", "Audited Trading Co")
    _on_pathway(session, party, stage="audited")
    session.commit()
    client = _login(session, "analyst9")
    page = client.get("/ui/pathway/auditco", headers=HTML)
    assert page.status_code == 200 and "Independently audited" in page.text
    assert "Independently audited" in client.get("/ui/pathway", headers=HTML).text
    client.cookies.set(i18n.LANG_COOKIE, "zh_Hans")
    assert "已经独立审计" in client.get("/ui/pathway/auditco", headers=HTML).text
    assert "已经独立审计" in client.get("/ui/pathway", headers=HTML).text


def test_every_stage_is_named_by_its_labels_in_stages_yaml(session):
    client = _login(session, "analyst8")
    for language, key in (("en", "en"), ("zh_Hans", "zh")):
        client.cookies.set(i18n.LANG_COOKIE, language)
        page = client.get("/ui/dashboard", headers=HTML)  # the funnel names every stage
        assert page.status_code == 200
        for name, spec in stages.load().stages.items():
            assert f"</span>{spec['label'][key]}</td>" in page.text, (language, name)
