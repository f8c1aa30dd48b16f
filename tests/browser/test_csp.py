"""The main pages run under the Content-Security-Policy without a single violation, and still work:
htmx loaded, charts drawn by Chart.js, confirmations asked by goodpath.js, /docs drawn by Swagger UI."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.seed_pathway import RECOGNIZED_KEY

pytestmark = pytest.mark.browser

# Set before any page script runs (Playwright injects it outside the page's CSP).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""
PAGES = ("/", "/parties", f"/parties/{RECOGNIZED_KEY}", f"/ui/pathway/{RECOGNIZED_KEY}", "/ui/dashboard", "/ui/cases",
         "/screening", "/ui/pledges", "/ui/cables")  # fmt: skip


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and console error it meets collected."""
    page.add_init_script(COLLECT_VIOLATIONS)
    problems: list[str] = []
    page.on("console", lambda message: _console(problems, message))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: problems.append(f"{response.status}: {response.url}") if response.status >= 400 else None,
    )
    page.problems = problems
    return page


def _console(problems: list[str], message) -> None:
    where = message.location.get("url", "")
    if message.type == "error" and not where.endswith("/favicon.ico"):  # the browser's own guess, not the page's
        problems.append(f"console: {message.text} ({where})")


def visit(page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]


def test_main_pages_as_an_analyst_meet_no_csp_violation_and_still_work(watched):
    login(watched, "analyst")
    violations = []
    for path in PAGES:
        violations += visit(watched, path)
        assert watched.evaluate("typeof window.htmx") == "object", f"htmx did not load on {path}"
    assert violations == []
    assert watched.problems == []
    # Chart.js draws the dashboard's charts from their JSON blocks.
    visit(watched, "/ui/dashboard")
    expect(watched.get_by_test_id("chart-funnel")).to_have_class(re.compile("chart-drawn"))
    # goodpath.js asks before a consequential submit (a real click would also need the form filled in).
    visit(watched, f"/ui/pathway/{RECOGNIZED_KEY}")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    watched.on("dialog", dismiss)
    prevented = watched.evaluate("""() => {
      const button = document.querySelector("button[data-confirm]");
      const event = new SubmitEvent("submit", {submitter: button, cancelable: true, bubbles: true});
      button.form.dispatchEvent(event);
      return event.defaultPrevented;
    }""")
    assert questions and prevented  # asked, and dismissing it stopped the submit
    assert watched.evaluate("window.__cspViolations") == [] and watched.problems == []


def test_the_api_docs_are_drawn_from_vendored_swagger_ui(watched):
    assert visit(watched, "/docs") == []
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("goodpath")
    expect(watched.locator(".opblock").first).to_be_visible()
    assert watched.evaluate("window.__cspViolations") == []
    assert watched.problems == []
