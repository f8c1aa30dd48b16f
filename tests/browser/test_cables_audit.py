"""Cables, the audit log, screening decisions and batches, and engagement records in a real
Chromium. Each test leaves a 1280x800 screenshot in tests/browser/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.seed import CONFIDENTIAL_ANALYST
from tests.cables.conftest import SEED_5360

pytestmark = pytest.mark.browser

BANNER = "[data-testid=banner-top]"
REFERENCE = "07BEIJING5360"


def _upload(page) -> None:
    page.goto("/ui/cables")
    page.set_input_files("[data-testid=cable-files]", str(SEED_5360))
    page.click("[data-testid=cable-upload-submit]")
    expect(page.get_by_test_id("upload-results")).to_contain_text(REFERENCE)


def _ensure_cable(page) -> None:
    """The SECRET seed cable is stored (uploading it again is "unchanged")."""
    if page.goto(f"/ui/cables/{REFERENCE}").status == 404:
        _upload(page)


def test_an_analyst_uploads_a_cable_and_reads_it_with_its_markings_and_parties(page):
    if not SEED_5360.exists():
        pytest.skip(f"missing seed cable {SEED_5360}")
    login(page, "analyst")
    page.click("nav >> text=Cables")
    _upload(page)
    result = page.get_by_test_id("upload-result").first
    expect(result).to_contain_text(re.compile("Stored|Unchanged"))
    expect(page.locator("body")).not_to_contain_text('{"')  # no raw JSON anywhere
    screenshot(page, "cable-upload")

    page.get_by_test_id("upload-results").get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_test_id("cable-title")).to_contain_text(REFERENCE)
    expect(page.locator(BANNER)).to_contain_text("SECRET")
    expect(page.locator(BANNER)).to_have_class(re.compile("banner-secret"))
    paragraphs = page.get_by_test_id("paragraph")
    expect(paragraphs.first.locator(".portion")).to_have_text("(S)")
    expect(paragraphs.last.locator(".portion")).to_have_text("(U)")  # ¶6 is marked unclassified
    linked = page.get_by_test_id("linked-parties")
    expect(linked).to_contain_text("China North Industries Corporation")
    expect(linked).to_contain_text("China Great Wall Industry")
    expect(page.get_by_test_id("cable-header")).to_contain_text("Embassy Beijing")
    screenshot(page, "cable-page")
    linked.get_by_role("link", name="China North Industries Corporation").first.click()
    expect(page.get_by_test_id("party-caption")).to_contain_text("China North Industries Corporation")


def test_an_analyst_confirms_a_drafted_pledge_and_finds_it_among_the_pledges(page):
    login(page, "analyst")
    _ensure_cable(page)
    page.goto(f"/ui/cables/{REFERENCE}")
    draft = page.get_by_test_id("draft").filter(has_text="Zhang pledged to press NORINCO").first
    expect(draft.locator("input[name=pledged_by]")).to_have_value("Zhang Yan")
    page.once("dialog", lambda dialog: dialog.accept())
    draft.get_by_test_id("draft-confirm").click()
    expect(page.get_by_test_id("notice")).to_contain_text("confirmed")
    draft = page.get_by_test_id("draft").filter(has_text="Zhang pledged to press NORINCO").first
    expect(draft).to_contain_text("Confirmed")
    screenshot(page, "cable-draft-confirmed")
    draft.get_by_test_id("draft-record").click()
    expect(page.get_by_test_id("pledge-title")).to_contain_text("Pledge")
    expect(page.locator(".lead")).to_contain_text("Zhang pledged to press NORINCO")
    page.click("text=Pledges >> nth=0")
    rows = page.get_by_test_id("pledges")
    expect(rows).to_contain_text("Zhang pledged to press NORINCO")
    expect(rows).to_contain_text(f"{REFERENCE} ¶1")
    screenshot(page, "pledges")


def test_a_pledge_is_fulfilled_only_with_evidence(page):
    login(page, "analyst")
    page.goto("/ui/pledges")
    page.get_by_test_id("pledge-row").filter(has_text="engage constructively with the United States").get_by_role(
        "link"
    ).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=pledge-fulfil]")
    expect(page.get_by_test_id("form-error")).to_contain_text("only with evidence")
    page.fill("#ev-text", "NORINCO officials met the Embassy on 2007-11-02.")
    page.click("text=Add evidence >> nth=1")
    expect(page.get_by_test_id("notice")).to_contain_text("evidence is added")
    expect(page.get_by_test_id("pledge-evidence")).to_contain_text("NORINCO officials met the Embassy")
    screenshot(page, "pledge-evidence")


def test_an_analyst_records_a_decision_on_a_screening_hit(page):
    login(page, "analyst")
    page.goto("/screening")
    page.fill("[data-testid=screen-name]", "China North Industries Corp")
    page.fill("[data-testid=screen-country]", "CN")
    page.click("[data-testid=screen-submit]")
    hit = page.get_by_test_id("hit").first
    expect(hit).to_contain_text("China North Industries")
    hit.get_by_test_id("dispose-verdict").select_option("true_match")
    hit.get_by_test_id("dispose-reason").fill("Same address and registration number as the listed entity.")
    hit.get_by_test_id("dispose-submit").click()
    expect(page.get_by_test_id("disposed")).to_contain_text("true match")
    expect(page.get_by_test_id("hit").first.get_by_test_id("explanation")).to_contain_text(
        "Earlier decision: True match"
    )
    screenshot(page, "screening-disposition")


def test_an_auditor_verifies_the_audit_chain(page):
    login(page, "auditor")
    page.click("nav >> text=Audit log")
    expect(page.locator("h1")).to_have_text("Audit log")
    expect(page.get_by_test_id("audit-entry").first).to_be_visible()
    page.click("[data-testid=verify-chain]")
    expect(page.get_by_test_id("verify-result")).to_contain_text("The chain is intact")
    screenshot(page, "audit-verify")
    page.fill("[data-testid=audit-action]", "pledge")
    page.click("[data-testid=audit-filter]")
    expect(page.get_by_test_id("audit-entries")).to_contain_text("pledge.create")


def test_a_confidential_user_does_not_see_a_secret_cable(page):
    login(page, "analyst")
    _ensure_cable(page)
    page.click("[data-testid=logout]")
    login(page, CONFIDENTIAL_ANALYST, "goodpath-analyst-conf-demo")
    page.goto("/ui/cables")
    expect(page.get_by_test_id("cable-list")).not_to_contain_text(REFERENCE)
    expect(page.locator(BANNER)).not_to_contain_text("SECRET")
    screenshot(page, "cables-confidential")
    response = page.goto(f"/ui/cables/{REFERENCE}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.locator("body")).not_to_contain_text("NONPROLIFERATION DIALOGUE")


def test_a_partner_officer_reports_an_enforcement_action(page):
    login(page, "partner")
    page.goto("/ui/enforcement")
    page.select_option("#kind", "penalty")
    page.fill("#party_name", "Dalian Sunny Industries")
    page.click("[data-testid=report-submit]")
    expect(page.locator("#reported_by-error")).to_contain_text("reporting agency")
    expect(page.locator("#party_name")).to_have_value("Dalian Sunny Industries")
    page.fill("#reported_by", "MOFCOM")
    page.fill("#detail", "A fine for exporting controlled graphite without a licence.")
    page.fill("#penalty_amount", "500000")
    page.fill("#currency", "CNY")
    page.click("[data-testid=report-submit]")
    expect(page.get_by_test_id("notice")).to_contain_text("recorded")
    expect(page.get_by_test_id("actions")).to_contain_text("Dalian Sunny Industries")
    expect(page.get_by_test_id("transparency")).to_contain_text("Actions reported")
    screenshot(page, "enforcement")
