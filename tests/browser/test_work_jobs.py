"""Work on records in a real Chromium: an approver assigns a case to an analyst with a due day already
past; the analyst finds it overdue on "My work", comments on it, and the approver's reply is threaded
under the comment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

CASE = "WLC-2024-017"


def test_assign_a_case_see_it_overdue_comment_and_reply(page):
    login(page, "approver")
    page.goto("/ui/cases")
    page.get_by_role("link", name=CASE).first.click()
    case_url = page.url.split("?")[0].split("#")[0]
    panel = page.get_by_test_id("work-panel")
    expect(panel.get_by_test_id("work-unassigned")).to_be_visible()
    panel.get_by_test_id("work-assignee-select").select_option("analyst")
    panel.get_by_test_id("work-due-input").fill("2026-01-02")
    panel.get_by_test_id("work-assign-submit").click()
    expect(page.get_by_test_id("work-done")).to_have_text("The assignment is saved.")
    expect(panel.get_by_test_id("work-assignee")).to_have_text("analyst")
    expect(panel.get_by_test_id("work-overdue")).to_be_visible()
    page.click("[data-testid=logout]")
    page.context.clear_cookies()

    login(page, "analyst")
    page.get_by_test_id("nav-my-work").click()
    row = page.get_by_test_id("work-row").filter(has_text=CASE)
    expect(row).to_have_attribute("data-overdue", "yes")
    expect(row.get_by_test_id("work-row-overdue")).to_be_visible()
    row.get_by_test_id("work-link").click()
    panel = page.get_by_test_id("work-panel")
    panel.get_by_test_id("work-comment-body-input").fill("Checking the broker's shipments this week.")
    panel.get_by_test_id("work-comment-submit").click()
    expect(page.get_by_test_id("work-done")).to_have_text("The comment is added.")
    expect(panel.get_by_test_id("work-comment-body")).to_have_text(["Checking the broker's shipments this week."])
    page.click("[data-testid=logout]")
    page.context.clear_cookies()

    login(page, "approver")
    page.goto(case_url)
    panel = page.get_by_test_id("work-panel")
    first = panel.get_by_test_id("work-comment").first
    first.get_by_test_id("work-reply-toggle").click()
    first.get_by_test_id("work-reply-body").fill("Thanks: report by Friday.")
    first.get_by_test_id("work-reply-submit").click()
    expect(page.get_by_test_id("work-done")).to_have_text("The comment is added.")
    reply = panel.locator("[data-testid=work-comment][data-depth='1']")
    expect(reply.get_by_test_id("work-comment-body")).to_have_text("Thanks: report by Friday.")
    expect(panel.locator("[data-testid=work-comment][data-depth='0']").first).to_contain_text("Checking the broker")
    screenshot(page, "work-case-thread")
