"""The evidence, company-home, engagement create and other home pages without a browser: who may
see and upload what, field errors that keep what was typed, and the homes of every role."""

from __future__ import annotations

import re

from goodpath.engagement.models import Disclosure
from goodpath.pathway.models import EvidenceDocument
from tests.web.test_pathway_case_pages import HTML, _csrf, _login, _on_pathway, _party


def _upload(client, token: str, **fields):
    files = {"file": (fields.pop("filename", "manual.txt"), fields.pop("content", b"Our ICP manual."), "text/plain")}
    return client.post("/ui/evidence", data={"csrf_token": token, **fields}, files=files, follow_redirects=False)


def test_a_company_officer_uploads_its_own_evidence_and_cannot_see_anothers(session):
    own, other = _party(session, "ownev", "Own Evidence Ltd"), _party(session, "otherev", "Other Evidence Ltd")
    _on_pathway(session, own)
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst.get("/ui/evidence", headers=HTML).text)
    stored = _upload(analyst, token, party="otherev", kind="audit_report", title="Other's audit", content=b"secret")
    assert stored.status_code == 303
    other_doc = session.query(EvidenceDocument.id).filter_by(party_id=other.id).scalar()

    officer = _login(session, "officer1", role="company_officer", clearance="UNCLASSIFIED", organization="OWNEV",
                     company=own.id)  # fmt: skip
    home = officer.get("/", headers=HTML).text
    assert 'data-testid="disclosure-form"' in home and 'data-testid="evidence-upload-form"' in home
    token = _csrf(home)
    missing = _upload(officer, token, kind="", title="Keep this title", back="home")
    assert missing.status_code == 422 and 'value="Keep this title"' in missing.text
    assert "Choose the kind of document." in missing.text
    # a company officer may not upload a determination, nor for another company (the party is its own)
    refused = _upload(officer, token, kind="determination", title="Not ours", party="otherev")
    assert refused.status_code == 422
    done = _upload(officer, token, kind="icp_manual", title="ICP manual 2026", party="otherev")
    assert done.status_code == 303
    document = re.search(r"/ui/evidence/(\d+)", done.headers["location"]).group(1)
    page = officer.get(f"/ui/evidence/{document}", headers=HTML)
    assert page.status_code == 200 and "ICP manual 2026" in page.text and "Own Evidence Ltd" in page.text
    assert officer.get(f"/ui/evidence/{other_doc}", headers=HTML).status_code == 404
    assert "Other's audit" not in officer.get("/ui/evidence", headers=HTML).text
    again = officer.post(f"/ui/evidence/{other_doc}/versions", data={"csrf_token": token},
                         files={"file": ("x.txt", b"new", "text/plain")})  # fmt: skip
    assert again.status_code == 404
    listing = analyst.get("/ui/evidence?kind=icp_manual", headers=HTML).text
    assert "ICP manual 2026" in listing and "Other's audit" not in listing


def test_a_company_officer_discloses_and_sees_the_screening_result(session):
    own = _party(session, "discco", "Disclosing Co")
    session.commit()
    officer = _login(session, "officer2", role="company_officer", clearance="UNCLASSIFIED", organization="DISCCO",
                     company=own.id)  # fmt: skip
    token = _csrf(officer.get("/", headers=HTML).text)
    bad = officer.post("/ui/disclosures", data={"csrf_token": token, "counterparty": "Tehran Tools",
                                                "counterparty_country": "IRN", "value": "ten"})  # fmt: skip
    assert bad.status_code == 422
    assert 'value="Tehran Tools"' in bad.text and "two-letter country code" in bad.text
    assert "Describe the items" in bad.text and "as a number" in bad.text
    good = officer.post("/ui/disclosures", follow_redirects=False, data={
        "csrf_token": token, "counterparty": "Tehran Tools", "counterparty_country": "ir",
        "items": "Machine tool spare parts", "value": "12000", "currency": "usd"})  # fmt: skip
    assert good.status_code == 303
    page = officer.get(good.headers["location"], headers=HTML).text
    assert 'data-testid="screening-result"' in page and "Tehran Tools" in page
    assert session.query(Disclosure).filter_by(party_id=own.id).count() == 1
    analyst = _login(session, "analyst3")
    token = _csrf(analyst.get("/ui/pledges", headers=HTML).text)
    assert analyst.post("/ui/disclosures", data={"csrf_token": token}).status_code == 403


def test_create_forms_keep_what_was_typed_and_create(session):
    client = _login(session, "analyst2")
    token = _csrf(client.get("/ui/consultations", headers=HTML).text)
    bad = client.post("/ui/consultations", data={"csrf_token": token, "title": "Nonproliferation dialogue",
                                                 "cadence_months": "many"})  # fmt: skip
    assert bad.status_code == 422 and 'value="Nonproliferation dialogue"' in bad.text
    assert "Choose the level." in bad.text and "A whole number of months" in bad.text
    good = client.post("/ui/consultations", follow_redirects=False, data={
        "csrf_token": token, "title": "Nonproliferation dialogue", "level": "director_general", "counterpart": "chn",
        "cadence_months": "6"})  # fmt: skip
    assert good.status_code == 303
    assert "Nonproliferation dialogue" in client.get("/ui/consultations", headers=HTML).text

    bad = client.post("/ui/pledges", data={"csrf_token": token, "pledged_by": "CHN", "pledged_to": "USA",
                                           "made_on": "2026-05-01", "due_on": "2026-01-01"})  # fmt: skip
    assert bad.status_code == 422 and "Write what was pledged." in bad.text and "due date is before" in bad.text
    good = client.post(
        "/ui/pledges",
        follow_redirects=False,
        data={"csrf_token": token, "pledged_by": "CHN", "pledged_to": "USA", "text": "Tighten catch-all controls."},
    )
    assert good.status_code == 303 and "Tighten catch-all controls." in client.get(good.headers["location"],
                                                                                    headers=HTML).text  # fmt: skip

    bad = client.post("/ui/projects", data={"csrf_token": token, "title": "EXBS workshop", "kind": "",
                                            "start_on": "2026-06-01", "end_on": "2026-05-01"})  # fmt: skip
    assert bad.status_code == 422 and "Choose the kind of project." in bad.text and "ends before" in bad.text
    good = client.post(
        "/ui/projects", follow_redirects=False, data={"csrf_token": token, "title": "EXBS workshop", "kind": "exbs"}
    )
    assert good.status_code == 303 and "EXBS workshop" in client.get("/ui/projects", headers=HTML).text


def test_icp_scoring_needs_evidence_and_finalizing_every_element(session):
    party = _party(session, "icpco", "ICP Company")
    session.commit()
    client = _login(session, "analyst4")
    token = _csrf(client.get("/ui/icp", headers=HTML).text)
    started = client.post(
        "/ui/icp", follow_redirects=False, data={"csrf_token": token, "party_id": "icpco", "framework": "bis-ecg"}
    )
    assert started.status_code == 303
    assessment = re.search(r"assessment-(\d+)", started.headers["location"]).group(1)
    page = client.get("/ui/icp", headers=HTML).text
    element = re.search(rf'id="element_{assessment}".*?<option value="([^"]+)"', page, re.S).group(1)
    no_evidence = client.post(f"/ui/icp/{assessment}/scores", data={"csrf_token": token, "element": element,
                                                                    "score": "2"})  # fmt: skip
    assert no_evidence.status_code == 422 and "Give the evidence for the score" in no_evidence.text
    scored = client.post(
        f"/ui/icp/{assessment}/scores",
        follow_redirects=False,
        data={"csrf_token": token, "element": element, "score": "2", "evidence": "Manual section 4."},
    )
    assert scored.status_code == 303
    early = client.post(f"/ui/icp/{assessment}/finalize", data={"csrf_token": token})
    assert early.status_code == 409 and "is not complete" in early.text
    assert party.id


def test_the_auditor_and_admin_homes_and_the_partner_home(session):
    auditor = _login(session, "auditor1", role="auditor")
    page = auditor.get("/", headers=HTML).text
    assert 'data-testid="home-audit"' in page and 'data-testid="verify-chain"' in page
    assert 'data-testid="home-users"' not in page
    admin = _login(session, "admin1", role="admin")
    page = admin.get("/", headers=HTML).text
    assert 'data-testid="home-users"' in page and "auditor1" in page and "password" not in page.lower()
    partner = _login(session, "partner2", role="partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    page = partner.get("/", headers=HTML).text
    assert 'href="/ui/enforcement#report"' in page and "Awaiting response" in page


def test_recording_a_notice_checks_its_fields_and_refuses_what_the_service_refuses(session):
    party = _party(session, "noticeco", "Notice Co")
    _on_pathway(session, party)
    session.commit()
    client = _login(session, "analyst5")
    token = _csrf(client.get("/ui/pathway/noticeco", headers=HTML).text)
    empty = client.post("/ui/pathway/noticeco/reliefs/999/notice", data={"csrf_token": token})
    assert empty.status_code == 422
    refused = client.post("/ui/pathway/noticeco/reliefs/999/notice",
                          data={"csrf_token": token, "notice_on": "2025-01-02", "version_id": "1"})  # fmt: skip
    assert refused.status_code == 409 and "no relief 999" in refused.text
    linked = client.post("/ui/pathway/noticeco/links/999", data={"csrf_token": token, "version_id": "1"})
    assert linked.status_code == 409 and 'data-testid="action-error"' in linked.text
