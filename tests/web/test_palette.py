"""Meaningful colour and small defects (issue 18, item 4): one status palette for every badge, with its text;
the pathway page's evidence count counts what its timeline links; the currency field has a hint, not a value."""

from __future__ import annotations

import re

from goodpath.web.labels import TONES, tone
from tests.web.test_evidence_link_pages import _document, _proposal
from tests.web.test_pathway_case_pages import HTML, _csrf, _login, _party

PALETTE = {"good", "progress", "warning", "bad", "neutral"}


def test_every_status_has_one_of_five_tones_and_context_changes_active():
    assert set(TONES.values()) == PALETTE
    assert tone("listed") == "bad" and tone("active", "sanction") == "bad"  # on a list, in force
    assert tone("active") == "progress" and tone("active", "user") == "good"  # a consultation under way; an account
    assert tone("waived", "sanction") == "good" and tone("true_match") == "bad" and tone("false_positive") == "good"
    assert tone("no-such-status") == "neutral" and tone(None) == "neutral"


def test_badges_carry_their_tone_and_the_pathway_counts_the_documents_its_timeline_links(session):
    company = _party(session, "paletteco", "Palette Company Ltd")
    proposal = _proposal(session, company)
    session.commit()
    analyst = _login(session, "palette1")
    token = _csrf(analyst.get("/ui/evidence", headers=HTML).text)
    document = _document(analyst, token)  # filed under no company
    picked = analyst.get(f"/ui/evidence/{document}?link_party=paletteco", headers=HTML).text
    version = re.search(r'<select id="f-version_id" name="version_id"[^>]*>\s*<option value="(\d+)"', picked).group(1)
    linked = analyst.post(f"/ui/evidence/{document}/links", data={"csrf_token": token, "version_id": version,
                                                                  "target": f"proposal:{proposal.id}"})  # fmt: skip
    assert linked.status_code in (200, 303)
    page = analyst.get("/ui/pathway/paletteco", headers=HTML).text
    evidence = page[page.index('data-testid="evidence"') :]
    assert 'Evidence documents <span class="count">1</span>' in evidence  # not 0 beside the linked document
    assert f'href="/ui/evidence/{document}"' in evidence
    assert 'class="status tone-progress status-pending">Pending<' in page  # the proposal's badge: text and tone
    assert "tone-" not in page.split("<main")[0]  # the header has no badge


def test_the_company_disclosure_form_hints_at_codes_instead_of_showing_value_like_placeholders(session):
    company = _party(session, "hintco", "Hint Company Ltd")
    session.commit()
    officer = _login(session, "hint1", role="company_officer", clearance="UNCLASSIFIED", organization="HINTCO",
                     company=company.id)  # fmt: skip
    page = officer.get("/", headers=HTML).text
    assert 'placeholder="USD"' not in page and 'placeholder="IR"' not in page
    assert 'aria-describedby="currency-hint"' in page and "(three-letter code, e.g. USD)" in page
    assert 'aria-describedby="country-hint"' in page and "(two-letter code, e.g. IR)" in page
