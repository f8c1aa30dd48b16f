"""Journeys of the pathway, case and dashboard pages in a real Chromium; each leaves a 1280x800
screenshot in tests/browser/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.seed_pathway import RECOGNIZED_KEY

pytestmark = pytest.mark.browser


def _accept_confirmations(page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.context.clear_cookies()


def test_raise_a_case_and_resolve_it_by_consultation(page):
    _accept_confirmations(page)
    login(page, "analyst")
    page.goto("/ui/cases")
    page.click("[data-testid=raise-open]")
    page.fill("[data-testid=case-reference]", "WLC-2026-101")
    page.fill("[data-testid=case-destination]", "IRN")
    page.click("[data-testid=raise-submit]")
    expect(page.locator("#title-error")).to_have_text("Enter a title.")
    expect(page.locator("#facts-error")).to_have_text("Describe the facts of the case.")
    expect(page.locator("#destination-error")).to_contain_text("two-letter country code")
    expect(page.get_by_test_id("case-reference")).to_have_value("WLC-2026-101")  # kept, to be corrected
    screenshot(page, "case-raise-errors")
    page.fill("[data-testid=case-title]", "Carbon fibre to a missile programme")
    page.fill("[data-testid=case-facts]", "A broker in Dalian shipped carbon fibre to an end user in Iran.")
    page.fill("[data-testid=case-destination]", "IR")
    page.check("[data-testid=marking-release]")  # released to the partner government: its choice
    page.click("[data-testid=raise-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("The case is raised")
    expect(page.get_by_test_id("case-status")).to_contain_text("Raised")
    case_url = page.url.split("?")[0]
    _logout(page)

    login(page, "partner")
    page.goto(case_url)
    expect(page.get_by_test_id("close-case")).to_have_count(0)  # the outcome is not the partner's
    page.click("[data-testid=do-acknowledged]")
    expect(page.get_by_test_id("case-status")).to_contain_text("Acknowledged")
    page.click("[data-testid=do-under_investigation]")
    expect(page.get_by_test_id("case-status")).to_contain_text("Under investigation")
    page.click("[data-testid=do-response_reported]")
    expect(page.locator("#response-error")).to_have_text("Enter the partner's response.")
    page.fill("[data-testid=response-text]", "MOFCOM revoked the broker's export licence and fined it.")
    page.click("[data-testid=do-response_reported]")
    expect(page.get_by_test_id("partner-response")).to_contain_text("MOFCOM revoked")
    screenshot(page, "case-partner-response")
    _logout(page)

    login(page, "analyst")
    page.goto(case_url)
    page.select_option("[data-testid=outcome]", "resolved_by_consultation")
    page.fill("[data-testid=outcome-note]", "The partner acted on the case: resolved through the channel.")
    page.click("[data-testid=do-close]")
    expect(page.get_by_test_id("review-changes")).to_contain_text("Response reported → Resolved by consultation")
    page.click("[data-testid=review-confirm]")  # the review step: closing cannot be undone
    expect(page.get_by_test_id("case-status")).to_contain_text("Resolved by consultation")
    expect(page.get_by_test_id("case-history")).to_contain_text("Response reported")
    screenshot(page, "case-resolved")
    page.goto("/ui/cases?status=resolved_by_consultation")
    expect(page.get_by_test_id("case-list")).to_contain_text("WLC-2026-101")


def test_propose_a_relief_then_a_second_person_approves_it(page):
    _accept_confirmations(page)
    login(page, "analyst")
    page.goto(f"/parties/{RECOGNIZED_KEY}")
    page.click("[data-testid=pathway-link]")
    expect(page.get_by_test_id("pathway-stage")).to_have_text("Recognized")
    expect(page.get_by_test_id("eligibility")).to_contain_text("Earliest effective date")
    # A relief rests on a determination on record: upload it, then name it as the proposal's evidence.
    page.select_option("#kind", "determination")
    page.fill("#title", "Determination to remove Poly Technologies from the Entity List")
    page.set_input_files("#file", files=[{"name": "determination.txt", "mimeType": "text/plain",
                                          "buffer": b"The ERC determines to remove the entity."}])  # fmt: skip
    page.click("[data-testid=upload]")
    expect(page.get_by_test_id("done")).to_contain_text("The document is stored")
    href = page.get_by_test_id("evidence").get_by_test_id("download").first.get_attribute("href")
    document = re.search(r"/evidence/(\d+)/", href).group(1)
    target = page.get_by_test_id("propose-target")
    relief = target.locator("option[value^='relief|']").first.get_attribute("value")
    target.select_option(relief)
    page.click("[data-testid=propose-submit]")
    expect(page.locator("#rationale-error")).to_contain_text("rationale is required")
    expect(target).to_have_value(relief)  # kept
    page.fill("#rationale", "Recognized a year ago without breach; the licence requirement may be lifted.")
    page.click("[data-testid=propose-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("must approve it")
    proposal = page.get_by_test_id("proposal").filter(has_text="Relief").first
    expect(proposal).to_contain_text("Relief")
    # Proposed without its determination: the page says what is missing; link the uploaded one.
    expect(proposal.get_by_test_id("determination-missing")).to_contain_text("Missing: the determination")
    proposal.get_by_test_id("link-submit").click()
    expect(page.locator("[id^=link_version_][id$=-error]")).to_have_text("Choose the document to link.")
    proposal = page.get_by_test_id("proposal").filter(has_text="Relief").first
    choice = proposal.get_by_test_id("link-version").locator("option", has_text=f"#{document} v1")
    proposal.get_by_test_id("link-version").select_option(choice.get_attribute("value"))
    proposal.get_by_test_id("link-submit").click()
    expect(page.get_by_test_id("done")).to_contain_text("linked to the proposal")
    proposal = page.get_by_test_id("proposal").filter(has_text="Relief").first
    expect(proposal.get_by_test_id("determination")).to_contain_text("Determination on record")
    expect(proposal.get_by_test_id("needs-approver")).to_contain_text("second person with the approver role")
    expect(proposal.get_by_test_id("approve")).to_have_count(0)  # the analyst cannot approve
    page.locator("#pending").scroll_into_view_if_needed()
    screenshot(page, "pathway-proposed")
    _logout(page)

    login(page, "approver")
    expect(page.get_by_test_id("proposals")).to_contain_text("Poly Technologies")
    page.get_by_test_id("proposals").get_by_test_id("proposal-link").filter(has_text="Relief").first.click()
    page.get_by_test_id("proposal").filter(has_text="Relief").get_by_test_id("approve").click()
    expect(page.get_by_test_id("review-changes")).to_contain_text("Pending → Approved")
    page.click("[data-testid=review-confirm]")  # the review step
    expect(page.get_by_test_id("done")).to_contain_text("approved and applied")
    expect(page.get_by_test_id("pathway-stage")).to_have_text("Relief granted")
    expect(page.get_by_test_id("reliefs")).to_contain_text("In effect")
    expect(page.get_by_test_id("timeline")).to_contain_text("approver")
    screenshot(page, "pathway-approved")


def test_the_dashboard_draws_its_charts_with_their_numbers(page):
    login(page, "analyst")
    page.click("nav >> text=Dashboard")
    expect(page).to_have_url(re.compile(r"/ui/dashboard$"))
    for name in ("funnel", "resolution"):
        chart = page.get_by_test_id(f"chart-{name}")
        expect(chart.locator("canvas")).to_be_visible()
        expect(chart).to_have_class(re.compile("chart-drawn"))  # Chart.js drew it
    expect(page.get_by_test_id("funnel-table")).to_contain_text("Recognized")
    expect(page.get_by_test_id("resolution-table")).to_contain_text("Outcome recorded")
    assert "{&#34;" not in page.content() and '{"type"' not in page.inner_text("main")  # no raw JSON shown
    screenshot(page, "dashboard")
    page.click("[data-testid=pathway-overview-link]")
    expect(page.get_by_test_id("chart-funnel")).to_have_class(re.compile("chart-drawn"))
    expect(page.get_by_test_id("pathway-companies")).to_contain_text("Poly Technologies")
    screenshot(page, "pathway-overview")
