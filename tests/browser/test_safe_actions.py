"""Safe actions in a real Chromium: approving a proposal goes through its review page (what will
change, for whom), and of two users editing the same pledge, the second is told and shown the other's
change instead of overwriting it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT, login

pytestmark = pytest.mark.browser

COMPANY = "hongdu_aviation"  # sanctioned, on no other browser test's pathway
SECOND_ANALYST, SECOND_PASSWORD = "analyst-conf", "goodpath-analyst-conf-demo"


def _accept_confirmations(page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def _propose(page, target: str, rationale: str) -> None:
    page.get_by_test_id("propose-target").select_option(target)
    page.fill("#rationale", rationale)
    page.click("[data-testid=propose-submit]")


def test_an_approver_approves_a_proposal_through_its_review_page(page):
    _accept_confirmations(page)
    login(page, "analyst")
    page.goto(f"/ui/pathway/{COMPANY}")
    page.click("[data-testid=enroll]")
    expect(page.get_by_test_id("done")).to_contain_text("on the pathway now")
    _propose(page, "stage|continued_sanctions", "No answer to the Embassy's approach.")
    expect(page.get_by_test_id("done")).to_contain_text("applied")
    _propose(page, "stage|public_stigma", "It chose not to engage: name it publicly.")
    expect(page.get_by_test_id("done")).to_contain_text("must approve it")
    page.click("[data-testid=logout]")
    page.context.clear_cookies()

    login(page, "approver")
    page.goto(f"/ui/pathway/{COMPANY}")
    proposal = page.get_by_test_id("proposal").filter(has_text="Public stigma")
    proposal.locator("textarea[name=note]").fill("Agreed: it had every chance.")
    proposal.get_by_test_id("approve").click()
    # the review page: nothing changed yet; what will change, for whom, and the form that does it
    expect(page.get_by_test_id("review-title")).to_contain_text("Approve proposal")
    changes = page.get_by_test_id("review-changes")
    expect(changes).to_contain_text("Pending → Approved")
    expect(changes).to_contain_text("Continued sanctions → Public stigma")
    expect(changes).to_contain_text("Agreed: it had every chance.")
    expect(page.get_by_test_id("review-audience")).to_contain_text("Releasable to")
    page.click("[data-testid=review-confirm]")
    expect(page.get_by_test_id("done")).to_contain_text("approved and applied")
    expect(page.get_by_test_id("pathway-stage")).to_have_text("Public stigma")


def test_the_second_of_two_users_editing_a_pledge_is_told_and_shown_the_change(page, browser, live_server):
    _accept_confirmations(page)
    login(page, "analyst")
    page.goto("/ui/pledges")
    page.click("[data-testid=create-pledge] summary")
    page.fill("[data-testid=f-text]", "CPMIEC will explain its end-user checks to the Embassy.")
    page.click("[data-testid=create-submit]")
    expect(page.get_by_test_id("pledge-title")).to_contain_text("Pledge")
    url = page.url.split("?")[0]

    other = browser.new_context(viewport=VIEWPORT, locale="en-US", base_url=live_server)
    try:
        second = other.new_page()
        second.set_default_timeout(10_000)
        _accept_confirmations(second)
        login(second, SECOND_ANALYST, SECOND_PASSWORD)
        second.goto(url)  # both have the pledge open
        page.fill("#ev-text", "CPMIEC officials met the Embassy on 12 May.")
        page.click("form[action$='/evidence'] button")
        expect(page.get_by_test_id("pledge-evidence")).to_contain_text("met the Embassy on 12 May")
        # the second marks it broken from the page drawn before: told, shown the change, its note kept
        second.get_by_test_id("pledge-broken-note").fill("It refused the meeting.")
        second.click("[data-testid=pledge-break]")
        stale = second.get_by_test_id("stale")
        expect(stale).to_contain_text("Someone else changed this record since you opened it")
        expect(stale).to_contain_text("analyst at")
        expect(stale).to_contain_text("Evidence: 0 entries → 1 entry")
        expect(second.get_by_test_id("pledge-evidence")).to_contain_text("met the Embassy on 12 May")
        expect(second.get_by_test_id("pledge-broken-note")).to_have_value("It refused the meeting.")
        expect(second.get_by_test_id("pledge-title")).to_contain_text("Open")  # nothing was overwritten
    finally:
        other.close()
