"""Journeys of the dossier and disclosure pages in a real Chromium: an analyst invites NORINCO's
president, records the acceptance and a meeting held weeks ago (backdated, with its reason), and moves
the company to *in dialogue* on its pathway; a company officer discloses business with a listed party,
and an analyst finds it in the review queue and confirms the hit with a reason. Each leaves a 1280x800
screenshot in tests/browser/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.seed_dossiers import LISTED_NAME

pytestmark = pytest.mark.browser


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.context.clear_cookies()


def test_invitation_meeting_then_dialogue_on_the_pathway(page):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "analyst")
    page.goto("/dossiers/norinco")
    page.locator("[data-testid=invite-form] summary").click()
    page.fill("[data-testid=invite-purpose]", "Dialogue in Washington on the company's ICP")
    page.fill("[data-testid=invite-conditions]", "unaccompanied by outside advisors")
    page.click("[data-testid=invite-submit]")
    expect(page.get_by_test_id("dossier-refused")).to_contain_text("names at least one senior official")
    expect(page.get_by_test_id("invite-conditions")).to_have_value("unaccompanied by outside advisors")  # kept
    page.fill("[data-testid=invite-invitees]", "Zhang Guoqing | President")
    page.fill("[data-testid=invite-drafted-on]", _days_ago(40))
    page.click("[data-testid=invite-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("The invitation is drafted")
    invitation = page.get_by_test_id("invitation").filter(has_text="Zhang Guoqing")
    expect(invitation.get_by_test_id("invitation-status")).to_have_text("Draft")
    number = invitation.get_attribute("id").removeprefix("invitation-")
    answer = page.locator(f"#answer-{number}")
    answer.get_by_test_id("invitation-step").select_option("sent")
    answer.get_by_test_id("invitation-on").fill(_days_ago(38))
    answer.get_by_test_id("invitation-step-submit").click()
    expect(page.get_by_test_id("done")).to_contain_text("marked sent")
    answer = page.locator(f"#answer-{number}")
    answer.get_by_test_id("invitation-step").select_option("accepted")
    answer.get_by_test_id("invitation-response").fill("The president accepts and will come alone.")
    answer.get_by_test_id("invitation-on").fill(_days_ago(30))
    answer.get_by_test_id("invitation-source").fill("07BEIJING6012 ¶2")
    answer.get_by_test_id("invitation-step-submit").click()
    expect(page.get_by_test_id("done")).to_contain_text("acceptance is recorded")
    expect(invitation.get_by_test_id("invitation-status")).to_have_text("Accepted")

    page.locator("[data-testid=meeting-form] summary").click()
    page.fill("[data-testid=meeting-held-on]", _days_ago(21))
    page.fill("[data-testid=meeting-place]", "Washington")
    page.get_by_test_id("meeting-invitation").select_option(index=1)
    page.get_by_test_id("meeting-form").get_by_label("ICP process").check()
    page.fill("[data-testid=meeting-summary]", "The president described the company's export control process.")
    page.fill("[data-testid=meeting-source]", "07STATE1402 ¶1-4")
    page.fill("[data-testid=meeting-reason]", "Reported by cable three weeks later")
    page.click("[data-testid=meeting-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("The meeting is recorded")
    expect(page.get_by_test_id("meetings")).to_contain_text("Washington")
    expect(page.get_by_test_id("dossier-topics").locator("tr", has_text="ICP process")).to_contain_text("Discussed")
    late = page.get_by_test_id("late-entries")
    expect(late).to_contain_text("Reported by cable three weeks later")
    expect(late).to_contain_text("07BEIJING6012")
    late.scroll_into_view_if_needed()
    screenshot(page, "dossier-meeting-recorded")

    page.goto("/ui/pathway/norinco")
    page.click("[data-testid=enroll]")
    for stage, label in (("invited", "Invited"), ("in_dialogue", "In dialogue")):
        page.get_by_test_id("propose-target").select_option(f"stage|{stage}")
        page.fill("#rationale", "The president accepted the invitation and met us in Washington.")
        page.click("[data-testid=propose-submit]")
        expect(page.get_by_test_id("pathway-stage")).to_have_text(label)
    expect(page.get_by_test_id("done")).to_contain_text("applied")
    screenshot(page, "pathway-in-dialogue")


def test_a_disclosure_with_a_listed_counterparty_is_reviewed(page):
    page.on("dialog", lambda dialog: dialog.accept())  # the disclosure asks to confirm before it is sent
    login(page, "company")
    page.fill("[data-testid=disclosure-counterparty]", "Kalaye Electric Company")
    page.fill("[data-testid=disclosure-country]", "IR")
    page.fill("[data-testid=disclosure-items]", "Frequency converters, order refused after screening")
    page.click("[data-testid=disclosure-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("counterparty screened")
    _logout(page)

    login(page, "analyst")
    page.click("[data-testid=disclosure-queue-link]")
    row = page.get_by_test_id("queue-row").first
    expect(row).to_contain_text("Kalaye Electric Company")
    expect(row).to_contain_text("Possible hit")
    screenshot(page, "disclosure-queue")
    row.get_by_test_id("disclosure-link").click()
    hit = page.get_by_test_id("hit").filter(has_text=LISTED_NAME)
    expect(hit.get_by_test_id("hit-verdict")).to_contain_text("To decide")
    form = page.get_by_test_id("decide-hit").first
    form.get_by_test_id("confirm-hit").click()
    expect(page.get_by_test_id("action-error")).to_contain_text("reason is required")
    form = page.get_by_test_id("decide-hit").first
    form.get_by_test_id("hit-reason").fill("Same name and address in Tehran as the listed entity")
    form.get_by_test_id("confirm-hit").click()
    expect(page.get_by_test_id("done")).to_contain_text("signal about the company")
    expect(page.get_by_test_id("hit").filter(has_text=LISTED_NAME).get_by_test_id("hit-verdict")).to_contain_text(
        "True match")  # fmt: skip
    expect(page.get_by_test_id("pathway-signal")).to_contain_text("Confirmed hit")
    screenshot(page, "disclosure-confirmed")
    page.click("[data-testid=pathway-link]")
    expect(page.get_by_test_id("pathway-stage")).to_be_visible()
