"""The main journeys of the web UI, as each role, in a real Chromium. Each test leaves a 1280x800
screenshot of its page in tests/browser/screenshots/."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.browser.seed import CHINESE_ANALYST, CONFIDENTIAL_ANALYST, SECRET_PARTY_KEY, SECRET_PARTY_NAME

pytestmark = pytest.mark.browser

BANNER = "[data-testid=banner-top]"


def test_the_public_sees_the_recognition_register_without_logging_in(page):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Recognition register")
    expect(page.get_by_test_id("register")).to_be_visible()
    expect(page.locator(BANNER)).to_have_text("UNCLASSIFIED")
    expect(page.get_by_test_id("login-link")).to_be_visible()
    screenshot(page, "public-register")


def test_login_shows_errors_next_to_the_fields_and_keeps_the_username(page):
    page.goto("/login")
    page.click("[data-testid=login-submit]")
    expect(page.locator("#username-error")).to_have_text("Enter your username.")
    expect(page.locator("#password-error")).to_have_text("Enter your password.")
    page.fill("#username", "analyst")
    page.fill("#password", "not-the-password")
    page.click("[data-testid=login-submit]")
    expect(page.get_by_test_id("form-error")).to_have_text("Wrong username or password.")
    expect(page.locator("#username")).to_have_value("analyst")
    screenshot(page, "login-errors")


def test_login_goes_back_to_the_page_asked_for(page):
    page.goto("/screening")
    expect(page).to_have_url(re.compile(r"/login\?next=/screening$"))
    page.fill("#username", "analyst")
    page.fill("#password", "goodpath-analyst-demo")
    page.click("[data-testid=login-submit]")
    expect(page).to_have_url(re.compile(r"/screening$"))


def test_an_analyst_sees_the_queue(page):
    login(page, "analyst")
    expect(page.locator("h1")).to_have_text("My queue")
    cases = page.get_by_test_id("open-cases")
    expect(cases).to_contain_text("WLC-2007-001")
    expect(cases).to_contain_text("WLC-2024-017")  # CONFIDENTIAL: the analyst is cleared SECRET
    expect(page.get_by_test_id("overdue-pledges")).to_contain_text("Days overdue")
    expect(page.get_by_test_id("proposals")).to_contain_text("China Great Wall Industry")
    # The banner is at the level of the most classified record shown: the CONFIDENTIAL case.
    expect(page.locator(BANNER)).to_contain_text("CONFIDENTIAL")
    expect(page.locator(BANNER)).to_have_class(re.compile("banner-confidential"))
    expect(page.locator(".portion-c").first).to_have_text("(C)")
    screenshot(page, "analyst-queue")


def test_an_approver_sees_pending_proposals_first(page):
    login(page, "approver")
    first_section = page.locator("main section.card").first
    expect(first_section).to_have_attribute("data-testid", "proposals")
    expect(first_section).to_contain_text("Invited")
    screenshot(page, "approver-home")


def test_a_partner_officer_sees_the_cases_awaiting_response(page):
    login(page, "partner")
    waiting = page.get_by_test_id("awaiting-response")
    expect(waiting).to_contain_text("WLC-2007-001")
    expect(waiting).to_contain_text("WLC-2024-017")  # CONFIDENTIAL, releasable to CHN: the partner is cleared for it
    screenshot(page, "partner-home")


def test_search_a_party_and_open_its_page(page):
    login(page, "analyst")
    page.click("nav >> text=Parties")
    page.fill("[data-testid=party-q]", "中国北方工业")
    page.click("[data-testid=party-search]")
    results = page.get_by_test_id("party-results")
    expect(results).to_contain_text("China North Industries Corporation")
    screenshot(page, "party-search")
    results.get_by_role("link", name="China North Industries Corporation", exact=True).click()
    expect(page.get_by_test_id("party-caption")).to_contain_text("China North Industries Corporation")
    names = page.get_by_test_id("names")
    expect(names).to_contain_text("中国北方工业公司")
    expect(names.locator("[lang=zh]").first).to_be_visible()
    sanctions = page.get_by_test_id("sanctions")
    expect(sanctions).to_contain_text("EO12938")
    expect(sanctions).to_contain_text("Executive Order 12938")
    expect(page.get_by_test_id("list-history")).to_contain_text("goodpath-engagement")
    expect(page.get_by_test_id("stage")).to_be_visible()
    screenshot(page, "party-page")


def test_screening_validates_the_form_and_explains_its_hits(page):
    login(page, "analyst")
    page.goto("/screening")
    page.fill("[data-testid=screen-country]", "C1")
    page.click("[data-testid=screen-submit]")
    expect(page.locator("#name-error")).to_have_text("Enter a name to screen.")
    expect(page.locator("#country-error")).to_contain_text("two-letter country code")
    expect(page.locator("[data-testid=screen-country]")).to_have_value("C1")  # kept, to be corrected
    page.fill("[data-testid=screen-name]", "China North Industries Corp")
    page.fill("[data-testid=screen-country]", "CN")
    page.click("[data-testid=screen-submit]")
    hits = page.get_by_test_id("hit")
    expect(hits.first).to_contain_text("China North Industries")
    expect(hits.first.get_by_test_id("explanation")).to_contain_text("alike")
    expect(page.locator("#name-error")).to_have_count(0)
    screenshot(page, "screening")


def test_chinese_labels_render_in_a_cjk_font(page):
    fonts = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in fonts, "the CJK font is missing: run `bash scripts/ensure-browser` (fonts-noto-cjk)"
    login(page, CHINESE_ANALYST, "goodpath-analyst-zh-demo")
    page.click("[data-testid=lang-zh_Hans]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("我的待办")
    expect(page.locator("nav")).to_contain_text("当事方")
    # Ideographs are drawn full-width by a CJK font (a missing font draws nothing or boxes).
    width = page.evaluate("""() => {
        const probe = document.createElement('span');
        probe.lang = 'zh-Hans'; probe.style.cssText = 'position:absolute;font-size:20px';
        probe.textContent = '中文标签';
        document.body.appendChild(probe);
        const w = probe.getBoundingClientRect().width; probe.remove(); return w; }""")
    assert 76 <= width <= 84, width
    screenshot(page, "analyst-queue-zh")
    page.click("nav >> text=筛查")
    page.fill("[data-testid=screen-name]", "中国北方工业公司")
    page.click("[data-testid=screen-submit]")
    expect(page.get_by_test_id("hit").first).to_contain_text("China North Industries")
    screenshot(page, "screening-zh")
    page.click("[data-testid=logout]")  # the choice is remembered for the user, on any browser
    page.context.clear_cookies()
    login(page, CHINESE_ANALYST, "goodpath-analyst-zh-demo")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.click("[data-testid=lang-en]")
    expect(page.locator("h1")).to_have_text("My queue")


def test_a_company_officer_sees_only_its_own_company(page):
    login(page, "company")
    expect(page.locator("h1")).to_have_text("My dossier")
    expect(page.get_by_test_id("dossier")).to_be_visible()
    expect(page.get_by_test_id("own-party")).to_have_text("China North Industries Corporation")
    screenshot(page, "company-dossier")
    for other in ("/parties/cgwic", "/dossiers/cgwic"):
        response = page.goto(other)
        assert response.status == 404, other
        expect(page.locator("h1")).to_have_text("Not found")
        expect(page.locator("body")).not_to_contain_text("Great Wall")
    screenshot(page, "company-other-company")
    assert page.goto("/dossiers/norinco").status == 200


def test_a_secret_record_is_absent_for_a_confidential_user(page):
    login(page, "analyst")
    page.goto(f"/parties/{SECRET_PARTY_KEY}")
    expect(page.get_by_test_id("party-caption")).to_contain_text(SECRET_PARTY_NAME)
    expect(page.locator(BANNER)).to_contain_text("SECRET//USA ONLY")
    expect(page.locator(BANNER)).to_have_class(re.compile("banner-secret"))
    screenshot(page, "secret-party")
    page.click("[data-testid=logout]")

    login(page, CONFIDENTIAL_ANALYST, "goodpath-analyst-conf-demo")
    page.goto("/parties?q=orchid")
    expect(page.get_by_test_id("party-results")).to_contain_text("0 parties match")
    expect(page.locator("body")).not_to_contain_text("ORCHID HARBOUR")
    response = page.goto(f"/parties/{SECRET_PARTY_KEY}")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("ORCHID HARBOUR")
    expect(page.locator(BANNER)).not_to_contain_text("SECRET")
    page.goto("/parties?q=orchid")
    screenshot(page, "confidential-search")


def test_logout_ends_the_session(page):
    login(page, "analyst")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/login\?logged_out=1$"))
    expect(page.locator("[role=status]")).to_have_text("You have logged out.")
    screenshot(page, "logged-out")
    page.goto("/screening")
    expect(page).to_have_url(re.compile(r"/login\?next="))
