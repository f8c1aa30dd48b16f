"""The case jobs in a real Chromium: an official raises a case, adds a second party (screened on
entry, its hit shown) and an item, and releases it to the partner; the partner officer answers it on
the case page; the official closes it with an outcome. A case kept USA-only stays out of the partner
officer's sight."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.seed_dossiers import LISTED_NAME
from tests.browser.seed_pathway import RECOGNIZED_KEY

pytestmark = pytest.mark.browser


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.context.clear_cookies()


def _raise(page, reference: str, title: str, *, company: str = "", release: bool = False) -> str:
    page.goto("/ui/cases")
    page.click("[data-testid=raise-open]")
    page.fill("[data-testid=case-reference]", reference)
    page.fill("[data-testid=case-title]", title)
    page.fill("[data-testid=case-facts]", "A broker offered controlled goods to an end user in Iran.")
    page.fill("[data-testid=case-destination]", "IR")
    if company:
        page.fill("[data-testid=case-party]", company)
    expect(page.get_by_test_id("marking-release")).not_to_be_checked()  # the user's organization only by default
    if release:
        page.check("[data-testid=marking-release]")
    page.click("[data-testid=raise-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("The case is raised")
    return page.url.split("?")[0]


def _confirm_review(page) -> None:
    """Irreversible steps may ask for a review first: confirm it when it is shown."""
    page.wait_for_load_state()
    confirm = page.locator("[data-testid=review-confirm]")
    if confirm.count():
        confirm.click()


def test_an_official_raises_a_case_the_partner_answers_and_the_official_closes_it(page):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "analyst")
    shared = _raise(page, "WLC-2026-301", "Motor cases via a broker", company=RECOGNIZED_KEY, release=True)
    parties = page.get_by_test_id("case-parties")
    expect(page.get_by_test_id("party-count")).to_have_text("1")  # the company typed is a party
    # A second party, screened on entry: its hit is shown next to it.
    page.select_option("[data-testid=party-role]", "end_user")
    page.fill("[data-testid=party-name]", LISTED_NAME)
    page.fill("[data-testid=party-country]", "IR")
    page.click("[data-testid=add-party-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("The party is added")
    expect(page.get_by_test_id("party-count")).to_have_text("2")
    listed = parties.get_by_test_id("case-party").filter(has_text=LISTED_NAME)
    expect(listed.get_by_test_id("party-hits")).to_contain_text("1 hit")
    # An item: a bad control-list entry is refused with the service's words, then corrected.
    page.fill("[data-testid=item-description]", "solid-propellant rocket motor cases")
    page.fill("[data-testid=item-entry]", "Category 2")
    page.fill("[data-testid=item-quantity]", "12")
    page.click("[data-testid=add-item-submit]")
    expect(page.get_by_test_id("item-error")).to_contain_text("must name a control list")
    expect(page.get_by_test_id("item-description")).to_have_value("solid-propellant rocket motor cases")
    page.fill("[data-testid=item-entry]", "MTCR Category II Item 3")
    page.click("[data-testid=add-item-submit]")
    expect(page.get_by_test_id("item-count")).to_have_text("1")
    expect(page.get_by_test_id("case-items")).to_contain_text("MTCR Category II Item 3")
    usa_only = _raise(page, "WLC-2026-302", "Our own lead, not shared")
    expect(page.get_by_test_id("case-facts")).to_contain_text("USA")
    _logout(page)

    login(page, "partner")
    page.goto("/ui/cases")
    expect(page.get_by_test_id("case-list")).to_contain_text("WLC-2026-301")
    expect(page.get_by_test_id("case-list")).not_to_contain_text("WLC-2026-302")
    page.goto(usa_only)
    expect(page.locator("h1")).to_have_text("Not found")
    page.goto(shared)
    expect(page.get_by_test_id("add-party")).to_have_count(0)  # parties are the official's
    expect(page.get_by_test_id("close-case")).to_have_count(0)  # and so is the outcome
    page.click("[data-testid=do-acknowledged]")
    expect(page.get_by_test_id("case-status")).to_contain_text("Acknowledged")
    page.click("[data-testid=do-under_investigation]")
    expect(page.get_by_test_id("case-status")).to_contain_text("Under investigation")
    page.fill("[data-testid=response-text]", "MOFCOM stopped the shipment and fined the broker.")
    page.click("[data-testid=do-response_reported]")
    expect(page.get_by_test_id("partner-response")).to_contain_text("MOFCOM stopped the shipment")
    _logout(page)

    login(page, "analyst")
    page.goto(shared)
    page.select_option("[data-testid=outcome]", "resolved_by_consultation")
    page.fill("[data-testid=outcome-note]", "The partner acted: resolved through the channel.")
    page.click("[data-testid=do-close]")
    _confirm_review(page)
    expect(page.get_by_test_id("case-status")).to_contain_text("Resolved by consultation")
    expect(page.get_by_test_id("add-party")).to_have_count(0)  # a closed case's parties no longer change
