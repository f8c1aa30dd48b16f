"""The screening review pages without a browser: alerts (paged, filtered, triaged), dispositions
(reopening a false positive), the watch list; who sees the forms, whose posts are refused, and that
alerts the viewer may not read are neither listed nor counted."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from goodpath.api import app
from goodpath.lists import service as lists
from goodpath.screening import dispositions, monitoring, service
from goodpath.screening.models import ScreeningAlert
from goodpath.web import i18n
from tests.factories import OPERATOR, bearer_headers, entity, parsed

HTML = {"Accept": "text/html"}
DATASET = "alert-pages-test"


def _login(session, username: str, **user) -> TestClient:
    bearer_headers(session, username=username, **user)
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": f"password-of-{username}"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return client


def _total(number: int) -> str:
    return f'data-testid="total">{number}<'


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def alerts(session) -> dict[str, int]:
    """Two alerts releasable to the USA: ALPHA's UNCLASSIFIED, BETA's SECRET; and a false positive."""
    lists.apply_parsed(session, parsed([entity("1", "ALPHA MISSILE TRADING"),
                                        entity("2", "BETA PRECISION MACHINERY"),
                                        entity("3", "GAMMA ROCKET WORKS")]), dataset=DATASET)  # fmt: skip
    for name in ("Alpha Missile Trading", "Beta Precision Machinery"):
        monitoring.watch(session, OPERATOR, name)
    monitoring.rescreen_all(session, "tester")
    found = {a["caption"]: a["id"] for a in monitoring.list_alerts(session, OPERATOR)["results"]}
    session.get(ScreeningAlert, found["BETA PRECISION MACHINERY"]).classification = "SECRET"
    hit = service.screen(session, OPERATOR, "Gamma Rocket Works")["hits"][0]
    fp = dispositions.record(
        session, OPERATOR, name="Gamma Rocket Works", country=None, party_id=None, entry_id=hit["entry_id"],
        verdict="false_positive", reason="a model-rocket club",
    )  # fmt: skip
    session.commit()
    alpha = session.get(ScreeningAlert, found["ALPHA MISSILE TRADING"])
    return {"alpha": alpha.id, "beta": found["BETA PRECISION MACHINERY"], "fp": fp.id, "party": alpha.hit_party_id}


def test_an_analyst_triages_alerts_and_reopens_a_false_positive(session, alerts):
    client = _login(session, "analyst1")
    listing = client.get("/ui/alerts", headers=HTML)
    assert listing.status_code == 200 and _total(2) in listing.text
    assert "ALPHA MISSILE TRADING" in client.get("/ui/alerts?party=alpha missile", headers=HTML).text
    assert "BETA PRECISION" not in client.get("/ui/alerts?party=alpha missile", headers=HTML).text
    assert "No party has this name." in client.get("/ui/alerts?party=zzzz", headers=HTML).text
    assert "No alert matches." in client.get("/ui/alerts?mine=1", headers=HTML).text
    page = client.get(f"/ui/alerts/{alerts['alpha']}", headers=HTML)
    assert 'data-testid="do-acknowledge"' in page.text and 'data-testid="do-escalate"' in page.text
    token = _csrf(page.text)
    refused = client.post(f"/ui/alerts/{alerts['alpha']}/escalate", data={"csrf_token": token, "note": " "})
    assert refused.status_code == 409 and "an escalation needs a note" in refused.text
    done = client.post(f"/ui/alerts/{alerts['alpha']}/escalate", data={"csrf_token": token, "note": "for the desk"},
                       follow_redirects=True)  # fmt: skip
    assert "The alert is escalated" in done.text and "for the desk" in done.text
    done = client.post(f"/ui/alerts/{alerts['beta']}/acknowledge", data={"csrf_token": token, "note": "known"},
                       follow_redirects=True)  # fmt: skip
    assert "The alert is acknowledged." in done.text
    again = client.post(f"/ui/alerts/{alerts['beta']}/acknowledge", data={"csrf_token": token, "note": "twice"})
    assert again.status_code == 409 and "already acknowledged" in again.text
    assert _total(1) in client.get("/ui/alerts?status=escalated", headers=HTML).text
    assert client.get("/ui/alerts/999999", headers=HTML).status_code == 404

    listing = client.get("/ui/dispositions?in_force=1", headers=HTML)
    assert _total(1) in listing.text and "Gamma Rocket Works" in listing.text
    page = client.get(f"/ui/dispositions/{alerts['fp']}", headers=HTML)
    assert 'data-testid="do-reopen"' in page.text
    refused = client.post(f"/ui/dispositions/{alerts['fp']}/reopen", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 409 and "needs a reason" in refused.text
    done = client.post(f"/ui/dispositions/{alerts['fp']}/reopen", data={"csrf_token": token, "reason": "a director"},
                       follow_redirects=True)  # fmt: skip
    assert "The false positive is reopened" in done.text
    assert _total(0) in client.get("/ui/dispositions?in_force=1", headers=HTML).text

    page = client.get("/ui/watchlist", headers=HTML)
    assert _total(2) in page.text
    added = client.post("/ui/watchlist", data={"csrf_token": token, "name": "Delta Bakery", "country": "China"})
    assert added.status_code == 409 and "ISO 3166-1" in added.text and "Delta Bakery" in added.text
    added = client.post("/ui/watchlist", data={"csrf_token": token, "name": "Delta Bakery", "country": "FR"},
                        follow_redirects=True)  # fmt: skip
    assert "The name is watched" in added.text and _total(3) in added.text
    rescreened = client.post("/ui/watchlist/rescreen", data={"csrf_token": token}, follow_redirects=True)
    assert "Re-screened 3 watched names" in rescreened.text
    subject = next(s for s in monitoring.list_subjects(session, OPERATOR)["results"] if s["name"] == "Delta Bakery")
    stopped = client.post(f"/ui/watchlist/{subject['id']}/stop", data={"csrf_token": token}, follow_redirects=True)
    assert "The name is not watched any more." in stopped.text and _total(2) in stopped.text


@pytest.mark.parametrize("user", [
    {"username": "partner1", "role": "partner_officer", "clearance": "CONFIDENTIAL", "organization": "CHN"},
    {"username": "auditor1", "role": "auditor"},
    {"username": "officer1", "role": "company_officer", "clearance": "UNCLASSIFIED", "organization": "NORINCO",
     "company": "the listed party"},
])  # fmt: skip
def test_other_roles_get_no_triage_forms_and_their_posts_are_refused(session, alerts, user):
    client = _login(session, **(user | ({"company": alerts["party"]} if "company" in user else {})))
    paths = ("/ui/alerts?status=all", "/ui/dispositions", "/ui/watchlist")
    pages = [client.get(path, headers=HTML) for path in paths]
    assert all(p.status_code == 200 for p in pages)
    for p in pages:
        assert "do-acknowledge" not in p.text and "watch-submit" not in p.text and "stop-watching" not in p.text
        if user["role"] != "auditor":
            assert "ALPHA MISSILE" not in p.text and "Gamma Rocket" not in p.text
    if user["role"] == "auditor":  # cleared and of the USA: reads them, acts on none
        assert _total(2) in pages[0].text
        page = client.get(f"/ui/alerts/{alerts['alpha']}", headers=HTML)
        assert page.status_code == 200 and "do-acknowledge" not in page.text
    else:  # releasable to the USA only: neither listed nor counted
        assert _total(0) in pages[0].text and _total(0) in pages[1].text
        assert client.get(f"/ui/alerts/{alerts['alpha']}", headers=HTML).status_code == 404
    token = _csrf(pages[0].text)
    for path, data in ((f"/ui/alerts/{alerts['alpha']}/acknowledge", {"note": "x"}),
                       (f"/ui/alerts/{alerts['alpha']}/escalate", {"note": "x"}),
                       (f"/ui/dispositions/{alerts['fp']}/reopen", {"reason": "x"}),
                       ("/ui/watchlist", {"name": "Epsilon"}), ("/ui/watchlist/rescreen", {})):  # fmt: skip
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert monitoring.get_alert(session, OPERATOR, alerts["alpha"])["status"] == "open"


def test_a_confidential_analyst_neither_sees_nor_counts_a_secret_alert(session, alerts):
    client = _login(session, "conf1", clearance="CONFIDENTIAL")
    page = client.get("/ui/alerts", headers=HTML)
    assert _total(1) in page.text and "ALPHA MISSILE TRADING" in page.text and "BETA PRECISION" not in page.text
    assert client.get(f"/ui/alerts/{alerts['beta']}", headers=HTML).status_code == 404
    token = _csrf(page.text)
    assert client.post(f"/ui/alerts/{alerts['beta']}/acknowledge", data={"csrf_token": token}).status_code == 404


def test_a_watched_names_own_party_is_found_by_its_name(session, alerts):
    client = _login(session, "analyst1")
    token = _csrf(client.get("/ui/watchlist", headers=HTML).text)
    unknown = client.post("/ui/watchlist", data={"csrf_token": token, "name": "Alpha", "party": "zzzz"})
    assert unknown.status_code == 422 and "No party has this name." in unknown.text
    several = client.post("/ui/watchlist", data={"csrf_token": token, "name": "Alpha", "party": "a"})
    assert several.status_code == 422 and 'data-testid="watch-party-id"' in several.text
    done = client.post("/ui/watchlist", data={"csrf_token": token, "name": "Alpha", "party": "alpha missile"},
                       follow_redirects=True)  # fmt: skip
    assert "The name is watched" in done.text
    watched = [s for s in monitoring.list_subjects(session, OPERATOR)["results"] if s["name"] == "Alpha"]
    assert [s["party_id"] for s in watched] == [alerts["party"]]
    client.cookies.set(i18n.LANG_COOKIE, "zh_Hans")
    chinese = client.get("/ui/alerts", headers=HTML)
    assert chinese.status_code == 200 and i18n.translations("zh_Hans").gettext("Screening alerts") in chinese.text


def _key(session, party_id: str) -> str:
    """What the party picker sends for a party: its key, or its id."""
    from goodpath.registry.models import Party

    party = session.get(Party, party_id)
    return party.key or party.id


def test_the_party_fields_are_pickers_and_take_what_the_picker_sends(session, alerts):
    client = _login(session, "analyst1")
    picked = _key(session, alerts["party"])
    for path in ("/ui/alerts", "/ui/dispositions", "/ui/watchlist"):
        page = client.get(path, headers=HTML).text
        assert 'hx-get="/ui/parties/suggest?field=party"' in page and 'list="' in page, path
    options = client.get("/ui/parties/suggest", params={"field": "party", "party": "alpha missile"}, headers=HTML).text
    assert re.findall(r'<option value="([^"]+)"', options) == [picked]
    filtered = client.get("/ui/alerts", params={"party": picked}, headers=HTML).text
    assert _total(1) in filtered and "ALPHA MISSILE TRADING" in filtered and "BETA PRECISION" not in filtered
    assert "No party has this name." not in client.get("/ui/dispositions", params={"party": picked},
                                                       headers=HTML).text  # fmt: skip
    token = _csrf(client.get("/ui/watchlist", headers=HTML).text)
    done = client.post("/ui/watchlist", data={"csrf_token": token, "name": "Alpha by key", "party": picked},
                       follow_redirects=True)  # fmt: skip
    assert "The name is watched" in done.text
    watched = [s for s in monitoring.list_subjects(session, OPERATOR)["results"] if s["name"] == "Alpha by key"]
    assert [s["party_id"] for s in watched] == [alerts["party"]]


def test_the_analysts_home_counts_open_and_escalated_alerts_and_links_each(session, alerts):
    monitoring.escalate(session, OPERATOR, alerts["alpha"], "for the desk")
    session.commit()
    home = _login(session, "analyst1").get("/", headers=HTML).text
    section = home[home.index('data-testid="alerts"') :]
    assert '<span class="count">2</span>' in section  # the escalated one still to be dealt with
    links = re.findall(r'href="/ui/alerts/(\d+)" data-testid="alert-link"', section)
    assert sorted(links) == sorted([str(alerts["alpha"]), str(alerts["beta"])])
    conf = _login(session, "conf1", clearance="CONFIDENTIAL").get("/", headers=HTML).text
    section = conf[conf.index('data-testid="alerts"') :]
    assert '<span class="count">1</span>' in section and f'/ui/alerts/{alerts["beta"]}"' not in section
    monitoring.acknowledge(session, OPERATOR, alerts["alpha"], "known")
    session.commit()
    home = _login(session, "analyst2").get("/", headers=HTML).text
    assert re.findall(r'href="/ui/alerts/(\d+)" data-testid="alert-link"', home) == [str(alerts["beta"])]
