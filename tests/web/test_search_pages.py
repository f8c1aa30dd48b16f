"""The one search box and the party picker's suggestions, without a browser: parties in any script, cases
and pledges, each through its service with the viewer's read rules: nothing hidden is listed or counted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from goodpath.api import app
from goodpath.engagement import cases, pledges
from goodpath.registry.models import Party, PartyName
from goodpath.registry.names import name_script, normalize_name
from tests.factories import OPERATOR, bearer_headers

HTML = {"Accept": "text/html"}
SECRET_NAME = "兰港秘密贸易公司"


def _party(session, key: str, caption: str, names: tuple[str, ...], classification: str = "UNCLASSIFIED",
           releasability: str = "ALL") -> Party:  # fmt: skip
    marks = {"classification": classification, "releasability": releasability, "originator": "USA"}
    party = Party(id=f"p{key}", key=key, schema="Company", caption=caption, countries=["cn"], birth_dates=[],
                  **marks)  # fmt: skip
    session.add(party)
    session.flush()
    for value in (caption, *names):
        session.add(PartyName(party_id=party.id, value=value, kind="primary" if value == caption else "alias",
                              script=name_script(value), normalized=normalize_name(value), **marks))  # fmt: skip
    return party


def _world(session) -> None:
    _party(session, "lan-harbour", "LAN HARBOUR TRADING", ("兰港贸易有限公司",))
    _party(session, "secret-lan", "ORCHID LAN FRONT", (SECRET_NAME,), classification="SECRET", releasability="USA")
    session.flush()
    cases.raise_case(session, OPERATOR, reference="WLC-2024-950", title="Lan harbour gyroscopes",
                     facts="Open reporting.", partner="CHN")  # fmt: skip
    cases.raise_case(session, OPERATOR, reference="WLC-2024-951", title="Secret lan front gyroscopes",
                     facts="SECRET reporting.", partner="CHN", classification="SECRET")  # fmt: skip
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="Stop the lan gyroscopes.",
                   classification="SECRET")  # fmt: skip
    session.commit()


def _login(session, username: str, **user) -> TestClient:
    bearer_headers(session, username=username, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


def _count(html: str, section: str) -> int:
    found = re.search(rf'data-testid="search-{section}">\s*<h2>[^<]*<span class="count">(\d+)', html)
    return int(found.group(1))


def test_the_search_lists_and_counts_only_what_the_viewer_reads(session):
    _world(session)
    secret = _login(session, "secret1", role="analyst", clearance="SECRET")
    page = secret.get("/ui/search", params={"q": "gyroscopes"}, headers=HTML)
    assert page.status_code == 200
    assert _count(page.text, "cases") == 2 and _count(page.text, "pledges") == 1
    assert "WLC-2024-951" in page.text and "banner-secret" in page.text

    conf = _login(session, "conf1", role="analyst", clearance="CONFIDENTIAL")
    page = conf.get("/ui/search", params={"q": "gyroscopes"}, headers=HTML).text
    assert _count(page, "cases") == 1 and _count(page, "pledges") == 0
    assert "WLC-2024-951" not in page and "Secret lan front" not in page
    assert "that you may read: 1." in page

    chinese = conf.get("/ui/search", params={"q": "兰港"}, headers=HTML).text
    assert _count(chinese, "parties") == 1 and "LAN HARBOUR TRADING" in chinese
    assert "ORCHID" not in chinese and SECRET_NAME not in chinese
    secret_chinese = secret.get("/ui/search", params={"q": "兰港"}, headers=HTML).text
    assert _count(secret_chinese, "parties") == 2 and "ORCHID LAN FRONT" in secret_chinese


def test_the_header_has_the_search_box_and_the_search_needs_a_login(session):
    client = _login(session, "analyst1", role="analyst")
    assert 'action="/ui/search"' in client.get("/", headers=HTML).text
    anonymous = TestClient(app).get("/ui/search?q=x", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert TestClient(app).get("/ui/parties/suggest?q=x", follow_redirects=False).status_code == 303


def test_suggestions_are_read_filtered_at_most_ten_and_any_script(session):
    _world(session)
    for number in range(12):
        _party(session, f"lan-{number:02d}", f"LAN SHIPPING {number:02d}", ())
    session.commit()
    conf = _login(session, "conf1", role="analyst", clearance="CONFIDENTIAL")
    found = conf.get("/ui/parties/suggest", params={"q": "lan", "format": "json"}).json()
    assert found["total"] == 13 and len(found["results"]) == 10  # the SECRET party neither listed nor counted
    assert all(r["key"] != "secret-lan" for r in found["results"])
    options = conf.get("/ui/parties/suggest", params={"field": "company", "company": "兰港"}, headers=HTML).text
    assert re.findall(r'<option value="([^"]+)"', options) == ["lan-harbour"]
    assert "(U) LAN HARBOUR TRADING" in options
    assert "<option" not in conf.get("/ui/parties/suggest", params={"q": SECRET_NAME}).text
    secret = _login(session, "secret1", role="analyst", clearance="SECRET")
    options = secret.get("/ui/parties/suggest", params={"q": SECRET_NAME}).text
    assert 'value="secret-lan"' in options and "(S) ORCHID LAN FRONT" in options
    assert secret.get("/ui/parties/suggest", params={"q": " "}).text.strip() == ""
