"""Accessibility (issue 18, item 6): every page, as every role, checked with axe-core against WCAG 2.1 A
and AA -- no serious or critical violation -- plus a skip link that is the first Tab stop and a visible focus
ring on the dark header.

axe-core comes from the npm registry (package.json's devDependencies; ``make test`` installs it into
node_modules through the vendor target). Playwright injects it before any page script, in a context
that bypasses the Content-Security-Policy (the app's policy allows its own scripts only)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import VIEWPORT, login
from tests.browser.seed import CONFIDENTIAL_ANALYST

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Started without waiting, so that one tab's check runs while the other tab's next page is drawn by the server.
START_AXE = """(tags) => {
  window.__axe = null;
  axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]}).then((result) => {
    window.__axe = result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
  });
}"""
ROLES = ("public", "analyst", "approver", "partner", "company", "auditor", "admin")
# The pages of the main menu and the lists; each role visits those it may see (others answer 403/404).
PAGES = (
    "/", "/register", "/login", "/parties", "/screening", "/ui/search?q=norinco", "/ui/worklist", "/ui/alerts",
    "/ui/dispositions", "/ui/watchlist", "/ui/cases", "/ui/disclosures", "/ui/dashboard", "/ui/pathway", "/ui/cables",
    "/ui/pledges", "/ui/consultations", "/ui/enforcement", "/ui/projects", "/ui/icp", "/ui/dossiers", "/ui/evidence",
    "/ui/audit", "/ui/followups", "/ui/admin/users", "/ui/screening/batch",
)  # fmt: skip
# One record page of each kind, found by following the links of the pages above.
RECORD_PAGES = {
    "party": r"^/(ui/)?parties/[^/?#]+$", "pathway": r"^/ui/pathway/[^/?#]+$", "case": r"^/ui/cases/\d+$",
    "pledge": r"^/ui/pledges/\d+$", "cable": r"^/ui/cables/[^/?#]+$", "evidence": r"^/ui/evidence/\d+$",
    "alert": r"^/ui/alerts/\d+$", "disposition": r"^/ui/dispositions/\d+$", "disclosure": r"^/ui/disclosures/\d+$",
    "dossier": r"^/ui/dossiers/[^/?#]+$", "user": r"^/ui/admin/users/[^/?#]+$", "work": r"^/ui/worklist/[a-z_]+/\d+$",
}  # fmt: skip
SERIOUS = ("serious", "critical")
# The page's structure -- its elements with their classes, roles, labels and link targets' kinds, not their
# text -- by which a page already checked (e.g. the same list for another role) is not checked twice.
SKELETON = """() => ["header", "main"].map((part) => part + Array.from(document.querySelectorAll(part + " *"), (e) =>
  [e.tagName, e.className, e.getAttribute("role"), e.getAttribute("aria-label") !== null, e.id,
   e.getAttribute("type")].join("|")).join("\\n"))"""


@pytest.fixture(scope="module")
def context(browser, live_server):
    """One context for every role (logging in and out), axe-core injected into every page."""
    assert AXE.is_file(), f"axe-core is missing at {AXE}: run `make vendor` (npm ci installs it)"
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", base_url=live_server, bypass_csp=True)
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def audited(context):
    return context.new_page()


class Crawl:
    """Pages opened in two tabs of the context by turns, each checked by axe (when its structure is new) while
    the other tab opens the next page; violations by (role, path)."""

    def __init__(self, context) -> None:
        self.tabs = [context.pages[0] if context.pages else context.new_page(), context.new_page()]
        self.turn = 0
        self.pending: dict[int, tuple[str, str]] = {}
        self.seen: set[int] = set()
        self.found: dict[tuple[str, str], list[dict]] = {}
        self.opened = 0

    def log_in_as(self, role: str) -> None:
        self.finish()
        self.tabs[0].context.clear_cookies()
        if role != "public":
            login(self.tabs[0], role)

    def open(self, role: str, path: str) -> set[str]:
        """Open ``path`` as ``role``, start its check; the links of its main content (none if not for ``role``)."""
        index, self.turn = self.turn, 1 - self.turn
        self._collect(index)
        tab = self.tabs[index]
        response = tab.goto(path, wait_until="domcontentloaded")
        if response is None or response.status in (401, 403, 404) or urlparse(tab.url).path != urlparse(path).path:
            return set()  # not for this role (or sent to the login page)
        assert response.status < 500, f"{role}: {path} answered {response.status}"
        self.opened += 1
        hrefs = tab.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
        structure = {hash(part) for part in tab.evaluate(SKELETON)}
        if not structure <= self.seen:
            self.seen.update(structure)
            tab.evaluate(START_AXE, WCAG_21_AA)
            self.pending[index] = (role, path)
        return {urlparse(h).path for h in hrefs if h and h.startswith("/")}

    def _collect(self, index: int) -> None:
        if index in self.pending:
            tab = self.tabs[index]
            tab.wait_for_function("() => window.__axe !== null")
            self.found[self.pending.pop(index)] = tab.evaluate("() => window.__axe")

    def finish(self) -> None:
        for index in (0, 1):
            self._collect(index)

    def role(self, role: str) -> None:
        """Every page of PAGES ``role`` may open, then one record page of each kind found through their links."""
        self.log_in_as(role)
        records: dict[str, str] = {}
        todo = [p for p in PAGES if p != "/login" or role == "public"]
        done: set[str] = set()
        while todo:
            path = todo.pop(0)
            done.add(path)
            for link in sorted(self.open(role, path)):
                for kind, pattern in RECORD_PAGES.items():
                    if kind not in records and re.match(pattern, link) and link not in PAGES:
                        records[kind] = link
                        todo.append(link)
        self.finish()


def test_every_page_as_every_role_has_no_serious_accessibility_violation(context):
    crawl = Crawl(context)
    for role in ROLES:
        crawl.role(role)
    crawl.log_in_as("public")  # and the public pages in Chinese (the same structure: checked whatever was seen)
    crawl.tabs[0].goto("/")
    crawl.tabs[0].click("[data-testid=lang-zh_Hans]")
    for path in ("/", "/register", "/parties", "/login"):
        crawl.seen.clear()
        crawl.open("public (zh)", path)
    crawl.finish()
    assert all(tab.evaluate("document.documentElement.lang").startswith("zh") for tab in crawl.tabs)
    impacts: dict[str, int] = {}
    problems = []
    for (role, path), violations in crawl.found.items():
        for v in violations:
            impacts[v["impact"]] = impacts.get(v["impact"], 0) + 1
            if v["impact"] in SERIOUS:
                problems.append(f"{role} {path}: {v['impact']} {v['id']} ({v['help']}) at {v['targets']}")
    checked = len(crawl.found)
    print(f"axe-core {WCAG_21_AA}: {crawl.opened} pages opened, {checked} checked; violations by impact: {impacts}")
    assert crawl.opened > 100 and checked > 50, f"only {crawl.opened} pages were opened, {checked} checked"
    assert not problems, f"{len(problems)} serious or critical violations:\n" + "\n".join(problems)


def _log_in_as(page, role: str) -> None:
    page.context.clear_cookies()
    if role != "public":
        login(page, role)


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_the_content(audited):
    _log_in_as(audited, CONFIDENTIAL_ANALYST)
    audited.goto("/ui/cases")
    audited.keyboard.press("Tab")
    focused = audited.evaluate("() => [document.activeElement.getAttribute('href'), document.activeElement.innerText]")
    assert focused[0] == "#main" and focused[1].strip() == "Skip to content"
    assert audited.locator("a.skip-link").is_visible()  # shown when focused
    audited.keyboard.press("Enter")
    assert audited.evaluate("() => document.activeElement.id") == "main"


def test_the_dark_header_shows_a_visible_focus_ring(audited):
    _log_in_as(audited, "analyst")
    audited.goto("/ui/cases")
    link = audited.locator(".topbar nav a").first
    link.focus()
    audited.keyboard.press("Shift+Tab")
    audited.keyboard.press("Tab")  # focus by keyboard: :focus-visible applies
    style = link.evaluate(
        "a => [getComputedStyle(a).outlineStyle, getComputedStyle(a).outlineWidth, getComputedStyle(a).outlineColor]"
    )
    assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style
    assert style[2] in ("rgb(255, 255, 255)", "rgb(253, 224, 71)"), style  # light on the navy header


def test_the_header_shows_whole_role_names_and_the_pathway_page_does_not_light_the_dashboard(audited):
    _log_in_as(audited, "company")
    audited.goto("/")
    role = audited.locator("[data-testid=who] .who-role")
    assert role.inner_text() == "Company compliance officer · UNCLASSIFIED"
    assert role.evaluate("e => e.scrollWidth <= e.clientWidth")  # not cut
    _log_in_as(audited, "analyst")
    audited.goto("/ui/pathway/norinco")
    assert audited.locator(".topbar nav a.active").count() == 0
