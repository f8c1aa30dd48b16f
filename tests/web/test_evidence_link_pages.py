"""Linking a stored document to a record from its page, without a browser: the records offered are the
proposals and reliefs of its company (or of the company picked, for a document of none) that the viewer
reads; the link is ``evidence.link``'s, with its errors; only officials see or use the form."""

from __future__ import annotations

import re
from datetime import date

from goodpath.pathway.models import EvidenceLink, PathwayProposal
from tests.web.test_pathway_case_pages import HTML, _csrf, _login, _party


def _proposal(session, party, classification: str = "UNCLASSIFIED") -> PathwayProposal:
    proposal = PathwayProposal(party_id=party.id, kind="transition", from_stage="sanctioned", to_stage="invited",
                               effective_on=date(2020, 1, 1), rationale="Invite them.", evidence=[],
                               status="pending", proposed_by="analyst0", classification=classification,
                               releasability="USA", originator="USA")  # fmt: skip
    session.add(proposal)
    session.flush()
    return proposal


def _document(client, token: str, party: str = "") -> int:
    files = {"file": ("record.txt", b"A meeting record.", "text/plain")}
    fields = {"csrf_token": token, "party": party, "kind": "meeting_record", "title": "Meeting record"}
    stored = client.post("/ui/evidence", data=fields, files=files, follow_redirects=False)
    assert stored.status_code == 303
    return int(re.search(r"/ui/evidence/(\d+)", stored.headers["location"]).group(1))


def test_an_official_links_a_document_of_no_company_to_a_picked_companys_proposal(session):
    company = _party(session, "linkco", "Link Company Ltd")
    open_one, secret_one = _proposal(session, company), _proposal(session, company, "SECRET")
    session.commit()
    conf = _login(session, "conf1", clearance="CONFIDENTIAL")
    token = _csrf(conf.get("/ui/evidence", headers=HTML).text)
    document = _document(conf, token)
    page = conf.get(f"/ui/evidence/{document}", headers=HTML).text
    assert 'data-testid="link-party-form"' in page and 'data-testid="picker-link_party"' in page
    picked = conf.get(f"/ui/evidence/{document}?link_party=linkco", headers=HTML).text
    assert f'value="proposal:{open_one.id}"' in picked and f'value="proposal:{secret_one.id}"' not in picked
    version = re.search(r'<select id="f-version_id" name="version_id"[^>]*>\s*<option value="(\d+)"', picked).group(1)

    missing = conf.post(f"/ui/evidence/{document}/links", data={"csrf_token": token, "link_party": "linkco",
                                                                "version_id": version, "target": ""})  # fmt: skip
    assert missing.status_code == 422 and "Choose the record to link the document to." in missing.text
    hidden = conf.post(f"/ui/evidence/{document}/links", data={"csrf_token": token, "version_id": version,
                                                               "target": f"proposal:{secret_one.id}"})  # fmt: skip
    assert hidden.status_code == 409 and "no proposal" in hidden.text
    linked = conf.post(f"/ui/evidence/{document}/links", data={"csrf_token": token, "version_id": version,
                                                               "target": f"proposal:{open_one.id}",
                                                               "purpose": "supports"},
                       follow_redirects=False)  # fmt: skip
    assert linked.status_code == 303 and linked.headers["location"].endswith("done=linked_record")
    session.expire_all()
    assert [link.proposal_id for link in session.query(EvidenceLink).all()] == [open_one.id]
    again = conf.post(f"/ui/evidence/{document}/links", data={"csrf_token": token, "version_id": version,
                                                              "target": f"proposal:{open_one.id}"})  # fmt: skip
    assert again.status_code == 409 and "already linked" in again.text
    assert f"Proposal #{open_one.id}</a>" in conf.get(f"/ui/evidence/{document}", headers=HTML).text


def test_a_document_of_a_company_offers_only_that_companys_records_and_officers_only(session):
    company, other = _party(session, "ownlink", "Own Link Ltd"), _party(session, "otherlink", "Other Link Ltd")
    ours, theirs = _proposal(session, company), _proposal(session, other)
    session.commit()
    analyst = _login(session, "analyst1")
    token = _csrf(analyst.get("/ui/evidence", headers=HTML).text)
    document = _document(analyst, token, party="ownlink")
    page = analyst.get(f"/ui/evidence/{document}?link_party=otherlink", headers=HTML).text
    assert 'data-testid="link-party-form"' not in page
    assert f'value="proposal:{ours.id}"' in page and f'value="proposal:{theirs.id}"' not in page
    auditor = _login(session, "auditor1", role="auditor")
    fields = {"csrf_token": _csrf(auditor.get("/", headers=HTML).text), "version_id": "1",
              "target": f"proposal:{ours.id}"}  # fmt: skip
    assert auditor.post(f"/ui/evidence/{document}/links", data=fields).status_code == 403
