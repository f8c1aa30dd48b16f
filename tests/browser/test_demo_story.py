"""The illustrative company's path through the pages, in Chinese, as two people: an analyst proposes its
recognition after more than 12 months of monitoring, an approver approves it; the analyst proposes a
waiver on its determination, the approver approves it; the public register then shows the recognition,
labelled as an illustrative scenario, in Chinese and English (demo/illustrative.py; the browser seed
loads the scenario up to monitoring)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from goodpath.demo.illustrative import party_key
from goodpath.demo.users import demo_password
from goodpath.web import i18n
from tests.browser.conftest import VIEWPORT, screenshot

pytestmark = pytest.mark.browser

NAME_ZH = "星云精密仪器有限公司（示例）"


@pytest.fixture
def zh_page(browser, live_server):
    """A tab whose language is Chinese by its cookie (chosen here, not remembered for the users)."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server)
    context.add_cookies([{"name": i18n.LANG_COOKIE, "value": "zh_Hans", "url": live_server}])
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.on("dialog", lambda dialog: dialog.accept())
    try:
        yield tab
    finally:
        context.close()


def _login(page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", demo_password(username))
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_load_state()


def _upload(page, kind: str, title: str) -> str:
    """Upload a document of the company from its pathway page; its number."""
    page.select_option("#kind", kind)
    page.fill("#title", title)
    page.set_input_files("#file", files=[{"name": f"{kind}.txt", "mimeType": "text/plain",
                                          "buffer": f"ILLUSTRATIVE SCENARIO - {title}".encode()}])  # fmt: skip
    page.click("[data-testid=upload]")
    row = page.get_by_test_id("evidence").locator("tr", has_text=title)
    href = row.get_by_test_id("download").get_attribute("href")
    return re.search(r"/evidence/(\d+)/", href).group(1)


def _relief_option(page, measure: str, route: str) -> str:
    option = page.get_by_test_id("propose-target").locator(f"option[value^='relief|'][value$='|{measure}|{route}']")
    return option.first.get_attribute("value")


def test_the_illustrative_company_is_recognized_by_two_people_in_chinese(zh_page):
    page = zh_page
    _login(page, "analyst")
    page.goto(f"/ui/pathway/{party_key()}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_test_id("illustrative-note")).to_contain_text("示例情景")
    expect(page.get_by_test_id("pathway-stage")).to_have_text("监测中")  # Monitoring, for more than 12 months
    page.get_by_test_id("propose-target").select_option("stage|recognized")
    page.fill("#rationale", "示例情景：监测期超过十二个月且无违规，合规计划运行良好。")
    page.click("[data-testid=propose-submit]")
    proposal = page.get_by_test_id("proposal").filter(has_text="已获认可").first
    expect(proposal).to_be_visible()
    expect(proposal.get_by_test_id("approve")).to_have_count(0)  # the proposer cannot approve it
    expect(page.get_by_test_id("pathway-stage")).to_have_text("监测中")  # nothing applied yet
    screenshot(page, "demo-story-proposed-zh")
    _logout(page)

    _login(page, "approver")
    page.goto(f"/ui/pathway/{party_key()}")
    proposal = page.get_by_test_id("proposal").filter(has_text="已获认可").first
    proposal.get_by_test_id("approve").click()
    page.click("[data-testid=review-confirm]")  # the review step
    expect(page.get_by_test_id("pathway-stage")).to_have_text("已获认可")
    expect(page.get_by_test_id("timeline")).to_contain_text("approver")
    screenshot(page, "demo-story-recognized-zh")
    page.goto("/ui/dashboard")  # the funnel shows it in a column of its own, not in the figures
    expect(page.get_by_test_id("funnel-illustrative")).to_contain_text("示例情景")
    expect(page.get_by_test_id("funnel-illustrative-recognized")).to_have_text("1")
    _logout(page)

    # The next step: a waiver of the import ban, resting on its determination; a second person approves it.
    _login(page, "analyst")
    page.goto(f"/ui/pathway/{party_key()}")
    document = _upload(page, "determination", "示例情景：国家安全豁免决定（虚构）")
    page.get_by_test_id("propose-target").select_option(_relief_option(page, "import_ban", "national_security_waiver"))
    page.fill("#rationale", "示例情景：获认可后豁免进口禁令。")
    page.fill("#evidence_refs", f"document:{document}")
    page.click("[data-testid=propose-submit]")
    proposal = page.get_by_test_id("proposal").filter(has_text="进口禁令").first
    expect(proposal.get_by_test_id("determination")).to_contain_text("已记录的决定")
    _logout(page)
    _login(page, "approver")
    page.goto(f"/ui/pathway/{party_key()}")
    page.get_by_test_id("proposal").filter(has_text="进口禁令").first.get_by_test_id("approve").click()
    page.click("[data-testid=review-confirm]")
    expect(page.get_by_test_id("pathway-stage")).to_have_text("已给予解除")
    expect(page.get_by_test_id("reliefs")).to_contain_text("等待通知")  # awaiting its notice to Congress
    screenshot(page, "demo-story-relief-zh")
    _logout(page)
    page.goto("/register")  # the public register, without logging in

    entry = page.get_by_test_id("register").get_by_test_id("register-entry").filter(has_text=NAME_ZH)
    expect(entry).to_have_count(1)
    expect(entry.get_by_test_id("illustrative")).to_have_text("示例情景")
    expect(entry.get_by_test_id("statement")).to_contain_text(f"美国政府认可{NAME_ZH}")
    expect(entry.get_by_test_id("statement-other")).to_contain_text("The United States Government recognizes")
    screenshot(page, "demo-story-register-zh")
