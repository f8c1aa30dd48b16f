"""Journeys of the evidence pages and of the company officer's home in a real Chromium: a company
officer discloses (its counterparty screened) and uploads its ICP manual, cannot reach another
company's evidence, and the evidence page lists versions with their hashes. Each leaves a 1280x800
screenshot in tests/browser/screenshots/."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

MANUAL = b"NORINCO internal compliance programme manual, 2026 edition."
OTHER = b"Audit report of another company."


def _accept_confirmations(page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.context.clear_cookies()


def test_a_company_officer_discloses_and_uploads_its_icp_manual(page):
    _accept_confirmations(page)
    # An analyst stores another company's audit report first: the officer must not reach it.
    login(page, "analyst")
    page.goto("/ui/evidence")
    page.fill("#ev-party", "cgwic")
    page.select_option("[data-testid=evidence-kind]", "audit_report")
    page.fill("[data-testid=evidence-title]", "CGWIC export control audit")
    page.set_input_files("[data-testid=evidence-file]", files=[{"name": "audit.txt", "mimeType": "text/plain",
                                                                 "buffer": OTHER}])  # fmt: skip
    page.click("[data-testid=evidence-upload]")
    expect(page.get_by_test_id("done")).to_contain_text("The document is stored")
    other_url = page.url.split("?")[0]
    _logout(page)

    login(page, "company")
    expect(page.get_by_test_id("disclosure-form")).to_be_visible()
    page.fill("[data-testid=disclosure-counterparty]", "Shahid Bakeri Industrial Group")
    page.fill("[data-testid=disclosure-country]", "IRN")
    page.click("[data-testid=disclosure-submit]")
    expect(page.locator("#counterparty_country-error")).to_contain_text("two-letter country code")
    expect(page.locator("#items-error")).to_have_text("Describe the items or services.")
    expect(page.get_by_test_id("disclosure-counterparty")).to_have_value("Shahid Bakeri Industrial Group")  # kept
    page.fill("[data-testid=disclosure-country]", "IR")
    page.fill("[data-testid=disclosure-items]", "Solid-propellant mixers, enquiry declined")
    page.click("[data-testid=disclosure-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("counterparty screened")
    expect(page.get_by_test_id("screening-result")).to_contain_text("Shahid Bakeri Industrial Group")
    expect(page.get_by_test_id("disclosure-row").first).to_contain_text("Shahid Bakeri Industrial Group")
    page.get_by_test_id("screening-result").scroll_into_view_if_needed()
    screenshot(page, "company-disclosure")

    page.select_option("[data-testid=evidence-kind]", "icp_manual")
    page.fill("[data-testid=evidence-title]", "NORINCO ICP manual 2026")
    page.set_input_files("[data-testid=evidence-file]", files=[{"name": "icp-manual.txt", "mimeType": "text/plain",
                                                                 "buffer": MANUAL}])  # fmt: skip
    page.click("[data-testid=evidence-upload]")
    expect(page.get_by_test_id("done")).to_contain_text("The document is stored")
    expect(page.get_by_test_id("company-evidence")).to_contain_text("NORINCO ICP manual 2026")
    page.get_by_test_id("company-evidence").scroll_into_view_if_needed()
    screenshot(page, "company-home")

    page.click("nav >> text=Evidence")
    expect(page.get_by_test_id("evidence-list")).to_contain_text("NORINCO ICP manual 2026")
    expect(page.get_by_test_id("evidence-list")).not_to_contain_text("CGWIC export control audit")
    response = page.goto(other_url)
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("CGWIC export control audit")


def test_the_evidence_page_lists_versions_with_their_hashes(page):
    _accept_confirmations(page)
    login(page, "analyst")
    page.goto("/ui/evidence")
    page.fill("#ev-party", "norinco")
    page.select_option("[data-testid=evidence-kind]", "meeting_record")
    page.fill("[data-testid=evidence-title]", "Record of the meeting with NORINCO, Beijing")
    page.set_input_files("[data-testid=evidence-file]", files=[{"name": "meeting-v1.txt", "mimeType": "text/plain",
                                                                 "buffer": b"Minutes, first draft."}])  # fmt: skip
    page.click("[data-testid=evidence-upload]")
    expect(page.get_by_test_id("done")).to_contain_text("The document is stored")
    page.click("[data-testid=version-upload]")
    expect(page.locator("#file-error")).to_have_text("Choose a file to upload.")
    second = b"Minutes, as agreed by both sides."
    page.set_input_files("[data-testid=version-file]", files=[{"name": "meeting-v2.txt", "mimeType": "text/plain",
                                                               "buffer": second}])  # fmt: skip
    page.fill("#note", "Agreed text")
    page.click("[data-testid=version-upload]")
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    digest = hashlib.sha256(second).hexdigest()
    expect(page.get_by_test_id("sha256").first).to_have_attribute("title", digest)
    expect(page.get_by_test_id("versions")).to_contain_text("v2")
    expect(page.get_by_test_id("banner-top")).to_contain_text("UNCLASSIFIED")
    href = page.get_by_test_id("download").first.get_attribute("href")
    assert re.fullmatch(r"/evidence/\d+/versions/2/content", href)
    body = page.request.get(href)
    assert body.ok and body.body() == second and body.headers["x-content-sha256"] == digest
    assert "{&#34;" not in page.content()
    screenshot(page, "evidence-document")
    page.goto("/ui/evidence?kind=meeting_record")
    expect(page.get_by_test_id("evidence-row")).to_contain_text(["Record of the meeting with NORINCO"])
    screenshot(page, "evidence-list")


def test_the_partner_menu_stays_on_one_line(page):
    login(page, "partner")
    expect(page.get_by_test_id("report-enforcement")).to_be_visible()
    tops = page.evaluate("() => [...document.querySelectorAll('.nav a')].map(a => a.getBoundingClientRect().top)")
    assert len(set(tops)) == 1, tops  # one row of links at 1280 px
    right = page.evaluate("() => document.querySelector('.session').getBoundingClientRect().right")
    assert right <= 1280, right
    screenshot(page, "partner-menu")
