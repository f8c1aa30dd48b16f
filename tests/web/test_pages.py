"""The web UI without a browser: content negotiation with the API, the catalogues, safe redirects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from goodpath.api import app
from goodpath.web import i18n
from goodpath.web.markings import PageMarks
from goodpath.web.pages import safe_next
from tests.factories import bearer_headers

ROOT = Path(__file__).resolve().parents[2]
HTML = {"Accept": "text/html,application/xhtml+xml"}


def test_the_api_answers_json_and_a_browser_gets_the_page(session):
    headers = bearer_headers(session)
    client = TestClient(app)
    api = client.get("/parties", headers=headers)
    assert api.headers["content-type"].startswith("application/json") and "results" in api.json()
    assert client.get("/parties").headers["content-type"].startswith("application/json")  # no Accept: the API
    page = client.get("/parties?q=x", headers=HTML)
    assert page.headers["content-type"].startswith("text/html") and "<html" in page.text
    assert client.get("/parties", headers={**HTML, **headers}).headers["content-type"].startswith("application/json")
    assert client.get("/parties/nobody", headers=HTML).status_code == 404
    assert client.get("/parties/nobody").json() == {"detail": "no party 'nobody'"}


def test_pages_ask_for_a_login_and_logout_needs_the_csrf_token(session):
    client = TestClient(app)
    bearer_headers(session, username="webuser")  # password: password-of-webuser
    response = client.get("/screening", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/screening"
    login = client.post("/login", data={"username": "webuser", "password": "password-of-webuser", "next": "//evil"},
                        follow_redirects=False)  # fmt: skip
    assert login.status_code == 303 and login.headers["location"] == "/"
    assert client.post("/logout", data={}, headers=HTML).status_code == 403
    assert client.get("/screening", headers=HTML).status_code == 200  # still logged in


def test_every_message_has_a_chinese_translation():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "web-i18n"), "--check"], capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout
    assert i18n.translations("zh_Hans").gettext("Parties") == "当事方"
    assert i18n.translations("zh_Hans").ngettext("%(num)d hit for “%(name)s”", "%(num)d hits for “%(name)s”", 2)


def test_language_from_cookie_then_browser_then_english():
    assert i18n.choose_language("zh_Hans", "en") == "zh_Hans"
    assert i18n.choose_language(None, "fr;q=0.9, zh-CN;q=0.8, en;q=0.5") == "zh_Hans"
    assert i18n.choose_language("xx", "de") == "en"


def test_banner_is_the_highest_marking_shown_and_common_releasability():
    marks = PageMarks()
    assert marks.banner == "UNCLASSIFIED"
    marks.add("CONFIDENTIAL", "CHN,USA")
    marks.add("UNCLASSIFIED", "USA")
    assert (marks.banner, marks.css_class) == ("CONFIDENTIAL//USA ONLY", "confidential")


def test_only_local_paths_are_followed_after_login():
    assert safe_next("/parties?q=x") == "/parties?q=x"
    for bad in ("https://evil.example", "//evil.example", "/\\evil", "", None):
        assert safe_next(bad) == "/"


def test_a_party_page_shows_the_screening_hits_of_its_names(session):
    from sqlalchemy import select

    from goodpath.lists import service as lists
    from goodpath.registry.models import Party
    from goodpath.screening import monitoring
    from tests.factories import OPERATOR, entity, parsed

    lists.apply_parsed(session, parsed([entity("1", "ALPHA MISSILE TRADING")]), dataset="page-hits")
    lists.apply_parsed(session, parsed([entity("9", "Alpha Missile Trading Company")]), dataset="page-own")
    own = session.scalars(select(Party.id).where(Party.caption == "Alpha Missile Trading Company")).one()
    monitoring.watch(session, OPERATOR, "Alpha Missile Trading Company", party_id=own)
    session.commit()
    monitoring.rescreen_all(session, "tester")
    session.commit()
    client = TestClient(app)
    bearer_headers(session, username="hitsviewer")
    client.post("/login", data={"username": "hitsviewer", "password": "password-of-hitsviewer"})
    page = client.get(f"/parties/{own}", headers=HTML)
    assert page.status_code == 200 and 'data-testid="screening-hits"' in page.text
    section = page.text.split('data-testid="screening-hits"', 1)[1].split("</section>", 1)[0]
    assert "page-hits" in section and "ALPHA MISSILE TRADING" in section
