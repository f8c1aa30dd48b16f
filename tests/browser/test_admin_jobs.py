"""The administrator's and the finder's jobs in a real Chromium: the admin creates a company officer,
picking the company with the party picker's suggestions (typed in Chinese), and disables the user; an
analyst finds a party by its Chinese name in the header's search box; a CONFIDENTIAL analyst's search
does not list the SECRET party."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.seed import CONFIDENTIAL_ANALYST, SECRET_PARTY_NAME

pytestmark = pytest.mark.browser


def test_the_admin_creates_a_user_with_the_picker_and_disables_it(page):
    login(page, "admin")
    page.get_by_test_id("admin-users-link").click()
    page.get_by_test_id("create-user-open").click()
    page.fill("#f-username", "norinco.officer")
    page.fill("#f-display_name", "NORINCO compliance officer")
    page.select_option("#f-role", "company_officer")
    page.fill("#f-organization", "NORINCO")
    picker = page.get_by_test_id("picker-company")
    picker.fill("中国北方工业")  # the suggestions come as the admin types, in any script
    option = page.locator("#f-company-suggestions option").first
    expect(option).to_have_attribute("value", "norinco")
    expect(option).to_have_attribute("label", "(U) China North Industries Corporation · CN")
    picker.fill(option.get_attribute("value"))  # what choosing the suggestion does
    page.get_by_test_id("create-user-submit").click()
    expect(page.get_by_test_id("done")).to_have_text("The user is created.")
    expect(page.get_by_test_id("new-password")).not_to_be_empty()
    expect(page.get_by_test_id("user-title")).to_contain_text("norinco.officer")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("disable-user").click()
    expect(page.get_by_test_id("review-title")).to_contain_text("Disable norinco.officer?")
    page.click("[data-testid=review-confirm]")  # the review step
    expect(page.get_by_test_id("user-status")).to_have_text("Disabled")
    expect(page.get_by_test_id("enable-user")).to_be_visible()
    page.goto("/ui/admin/users")
    expect(page.locator("[data-username='norinco.officer']")).to_contain_text("Disabled")


def test_a_search_in_chinese_finds_a_party_only_for_those_who_may_read_it(page):
    login(page, "analyst")
    page.get_by_test_id("header-search").fill("兰港")
    page.get_by_test_id("header-search").press("Enter")
    parties = page.get_by_test_id("search-parties")
    expect(parties.get_by_test_id("search-party")).to_have_count(1)
    expect(parties).to_contain_text(SECRET_PARTY_NAME)
    page.get_by_test_id("search-q").fill("中国北方工业")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-parties")).to_contain_text("China North Industries Corporation")

    page.get_by_test_id("logout").click()
    login(page, CONFIDENTIAL_ANALYST, "goodpath-analyst-conf-demo")
    page.goto("/ui/search?q=兰港")
    expect(page.get_by_test_id("search-parties").locator(".count")).to_have_text("0")
    expect(page.locator("body")).not_to_contain_text(SECRET_PARTY_NAME)
