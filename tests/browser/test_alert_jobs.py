"""The screening review jobs in a real Chromium: an analyst opens every alert from the home page,
filters them, acknowledges one with a note and escalates another, reopens a suppressed false positive,
and watches a new name and re-screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goodpath.access.policy import Role, Viewer
from goodpath.core.db import session_scope
from goodpath.core.models import Classification
from goodpath.lists import service as lists
from goodpath.screening import dispositions, monitoring, service
from tests.browser.conftest import login, screenshot
from tests.factories import entity, parsed

pytestmark = pytest.mark.browser

DATASET = "browser-alert-list"  # a list of its own: other journeys' lists keep their versions
ANALYST = Viewer(Role.ANALYST, Classification.SECRET, "USA", 0, "browser-test-seed")


@pytest.fixture(scope="module")
def alert_records(live_server, tmp_path_factory) -> None:
    """Two alerts (watched names listed) and a false positive, written to the live server's database."""
    (database,) = tmp_path_factory.getbasetemp().glob("browser[0-9]*/goodpath.db")  # the live server's (conftest)
    with session_scope(f"sqlite:///{database}") as session:
        names = ("ORION ROCKET PROPELLANTS", "VEGA PRECISION MACHINERY", "LYRA TRADING HOUSE", "CYGNUS AEROSPACE")
        lists.apply_parsed(session, parsed([entity(f"BA-{i}", n) for i, n in enumerate(names)]), dataset=DATASET)
        monitoring.watch(session, ANALYST, "Orion Rocket Propellants")
        monitoring.watch(session, ANALYST, "Vega Precision Machinery")
        monitoring.rescreen_all(session, ANALYST.actor)
        hit = service.screen(session, ANALYST, "Lyra Trading House")["hits"][0]
        dispositions.record(
            session, ANALYST, name="Lyra Trading House", country=None, party_id=None, entry_id=hit["entry_id"],
            verdict="false_positive", reason="A tea merchant in Hangzhou, not the listed trader.",
        )  # fmt: skip


def test_an_analyst_triages_alerts_reopens_a_false_positive_and_watches_a_name(page, alert_records):
    login(page, "analyst")
    page.click("[data-testid=all-alerts]")
    alerts = page.get_by_test_id("alert-list")
    expect(alerts).to_contain_text("ORION ROCKET PROPELLANTS")
    expect(alerts).to_contain_text("VEGA PRECISION MACHINERY")

    page.fill("[data-testid=filter-party]", "Orion")
    page.click("[data-testid=filter-submit]")
    expect(page.get_by_test_id("alert-row")).to_have_count(1)
    screenshot(page, "alerts-filtered")
    page.click("[data-testid=alert-link]")
    page.fill("[data-testid=acknowledge-note]", "Known front company; raised with the partner as WLC-2026-201.")
    page.click("[data-testid=do-acknowledge]")
    expect(page.get_by_test_id("done")).to_contain_text("The alert is acknowledged.")
    expect(page.get_by_test_id("alert-status")).to_contain_text("Acknowledged")
    expect(page.get_by_test_id("ack-note")).to_contain_text("WLC-2026-201")
    expect(page.get_by_test_id("triage")).to_have_count(0)

    page.goto("/ui/alerts")
    expect(alerts).not_to_contain_text("ORION ROCKET PROPELLANTS")  # open ones: it is acknowledged
    page.get_by_test_id("alert-row").filter(has_text="VEGA PRECISION MACHINERY").get_by_test_id("alert-link").click()
    page.click("[data-testid=do-escalate]")  # no note: the browser asks for one
    expect(page.get_by_test_id("alert-status")).to_contain_text("Open")
    page.fill("[data-testid=escalate-note]", "Same address as a listed front: for the desk officer.")
    page.click("[data-testid=do-escalate]")
    expect(page.get_by_test_id("alert-status")).to_contain_text("Escalated")
    expect(page.get_by_test_id("alert-history")).to_contain_text("for the desk officer")
    screenshot(page, "alert-escalated")
    page.goto("/ui/alerts")
    page.select_option("[data-testid=filter-status]", "escalated")
    page.click("[data-testid=filter-submit]")
    expect(page.get_by_test_id("alert-row")).to_have_count(1)

    page.goto("/ui/dispositions")
    page.check("[data-testid=filter-in-force]")
    page.click("[data-testid=filter-submit]")
    page.get_by_test_id("disposition-row").filter(has_text="Lyra Trading House").get_by_test_id(
        "disposition-link").click()  # fmt: skip
    expect(page.get_by_test_id("disposition-state")).to_contain_text("leave this hit out")
    page.fill("[data-testid=reopen-reason]", "The merchant shares a director with the listed trader.")
    page.click("[data-testid=do-reopen]")
    expect(page.get_by_test_id("done")).to_contain_text("The false positive is reopened")
    expect(page.get_by_test_id("disposition-verdict")).to_contain_text("Reopened")
    expect(page.get_by_test_id("disposition-detail")).to_contain_text("LYRA TRADING HOUSE")  # the listed party
    expect(page.get_by_test_id("disposition-decisions")).to_contain_text("A tea merchant in Hangzhou")
    screenshot(page, "disposition-reopened")

    page.click("[data-testid=nav-alerts]")
    page.click(".page-head a[href='/ui/watchlist']")
    page.fill("[data-testid=watch-name]", "Cygnus Aerospace")
    page.fill("[data-testid=watch-country]", "Iran")
    page.click("[data-testid=watch-submit]")
    expect(page.get_by_test_id("form-refused")).to_contain_text("ISO 3166-1")
    expect(page.get_by_test_id("watch-name")).to_have_value("Cygnus Aerospace")  # kept, to be corrected
    page.fill("[data-testid=watch-country]", "IR")
    page.click("[data-testid=watch-submit]")
    expect(page.get_by_test_id("done")).to_contain_text("The name is watched")
    expect(page.get_by_test_id("watch-list")).to_contain_text("Cygnus Aerospace")
    page.click("[data-testid=rescreen]")
    expect(page.get_by_test_id("rescreened")).to_contain_text("1 new")
    screenshot(page, "watchlist-rescreened")
