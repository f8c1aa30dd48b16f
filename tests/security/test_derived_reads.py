"""Role-by-record reads of the views derived from records: a company's pathway stage and timeline, its
eligibility for relief, its disclosure signals, its ICP evidence, the funnel and dashboard counts, the
consultation flags and metrics (API and web pages).

A derived view is readable only where its source records are (``policy.can_read_derived``): it is
computed from the records the viewer may read alone (a hidden pathway record is one that does not exist,
never a fallback), the public reads none, and a company officer reads its own company's only; any other
company answers exactly like a party that does not exist (404).

The world is the demo's (engagement parties and records, demo users, the demo pathway: NORINCO and
CGWIC invited, CEIEC enrolled, each marked for the company and the USA), with CEIEC, CPMIEC and LIMMT
joined to list entries (list data, readable by a company officer too), LIMMT on the pathway released to
CHN as well, and CPMIEC never on it. Expectations are written out, not computed with the policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.api import app
from goodpath.core.db import new_session, session_scope
from goodpath.core.settings import get_settings
from goodpath.demo import service as demo
from goodpath.demo.engagement_records import load_records
from goodpath.demo.pathway_records import load_pathway
from goodpath.demo.users import demo_password, ensure_demo_users
from goodpath.engagement import consultations
from goodpath.lists import service as lists
from goodpath.pathway import evidence
from goodpath.pathway.models import PathwayProposal, PathwayRelief
from goodpath.registry.models import Party, Sanction
from tests.browser.seed_pathway import _at_stage
from tests.conftest import _empty_all_tables
from tests.factories import OPERATOR, entity, parsed

HTML = {"Accept": "text/html"}
ROLES = ("analyst", "partner", "company", "auditor", "public")
COMPANIES = ("norinco", "ceiec", "cgwic", "limmt", "cpmiec")
# The stage each role reads, per company (None: the company's derived views answer 404). A pathway record
# the role may not read shows as no record: the start of the pathway, with an empty timeline.
STAGE = {
    "analyst": {"norinco": "invited", "ceiec": "sanctioned", "cgwic": "invited", "limmt": "in_dialogue",
                "cpmiec": "sanctioned"},
    "partner": {"norinco": "sanctioned", "ceiec": "sanctioned", "cgwic": "sanctioned", "limmt": "in_dialogue",
                "cpmiec": "sanctioned"},
    "company": {"norinco": "invited", "ceiec": None, "cgwic": None, "limmt": None, "cpmiec": None},
}  # fmt: skip
STAGE["auditor"] = STAGE["analyst"]
# Stage changes on the timeline each role reads.
EVENTS = {
    "analyst": {"norinco": 2, "ceiec": 1, "cgwic": 2, "limmt": 3, "cpmiec": 0},
    "partner": {"norinco": 0, "ceiec": 0, "cgwic": 0, "limmt": 3, "cpmiec": 0},
    "company": {"norinco": 2},
}
EVENTS["auditor"] = EVENTS["analyst"]
# The registry party itself (list data, or the company's own for its officer): its page is readable.
PARTY_PAGE = {role: set(COMPANIES) for role in ("analyst", "partner", "auditor")} | {
    "company": {"norinco", "ceiec", "limmt", "cpmiec"},  # CGWIC is no list data here
    "public": set(),
}
FUNNEL = {
    "analyst": {"invited": 2, "sanctioned": 1, "in_dialogue": 1},
    "partner": {"in_dialogue": 1},
    "company": {"invited": 1},
}
FUNNEL["auditor"] = FUNNEL["analyst"]
OVERVIEW = {"analyst": {"norinco", "ceiec", "cgwic", "limmt"}, "partner": {"limmt"}, "company": {"norinco"}}
OVERVIEW["auditor"] = OVERVIEW["analyst"]
NORINCO_RATIONALE = "PDAS McNerney conveyed"  # the demo pathway's step of NORINCO (07BEIJING5360 ¶3)
LIMMT_STEPS = [("sanctioned", date(2006, 6, 13)), ("invited", date(2020, 3, 1)), ("in_dialogue", date(2020, 9, 1))]
SHARED_MARKS = {"classification": "UNCLASSIFIED", "releasability": "CHN,USA", "originator": "USA", "published": False}


def _seed(url: str) -> dict:
    with session_scope(url) as session:  # list entries the engagement parties join (list data)
        lists.apply_parsed(session, parsed([
            entity("30502", "CEIEC"), entity("9753", "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION"),
            entity("9749", "LIMMT ECONOMIC AND TRADE COMPANY, LTD."),
        ]), dataset="us-ofac-sdn")  # fmt: skip
    demo.load_engagement(lambda: new_session(url), "derived-reads")
    with session_scope(url) as session:
        load_records(session, "derived-reads")
        ensure_demo_users(session, "derived-reads")
    with session_scope(url) as session:
        load_pathway(session, "derived-reads", get_settings().shared_dir)
        limmt = session.scalars(select(Party).where(Party.key == "limmt")).one()
        _at_stage(session, limmt, LIMMT_STEPS, SHARED_MARKS)
        # A pending relief (shared with CHN) whose determination is released to the USA alone.
        sanction = session.scalars(select(Sanction).where(Sanction.party_id == limmt.id,
                                                          Sanction.status == "active")).first()  # fmt: skip
        relief = PathwayProposal(party_id=limmt.id, kind="relief", from_stage="in_dialogue", to_stage="in_dialogue",
                                 effective_on=date(2021, 1, 4), sanction_id=sanction.id, measure="blocking",
                                 route_code="waiver", rationale="probe relief", evidence=[], status="pending",
                                 proposed_by="derived-reads", **SHARED_MARKS)  # fmt: skip
        session.add(relief)
        session.flush()
        version = evidence.upload(session, OPERATOR, party_id=limmt.id, kind="determination", title="Waiver",
                                  filename="waiver.txt", content=b"determination", releasability="USA")  # fmt: skip
        evidence.link(session, OPERATOR, version.id, proposal_id=relief.id)
        # A relief snapped back (shared with CHN), and the same measure relieved again in SECRET since.
        relief_of = {"party_id": limmt.id, "sanction_id": sanction.id, "measure": "blocking", "route_code": "waiver",
                     "effective_on": date(2020, 10, 1), "conditions": []}  # fmt: skip
        revoked = PathwayRelief(**relief_of, status="revoked", status_on=date(2020, 12, 1), **SHARED_MARKS)
        session.add(revoked)
        session.flush()
        session.add(PathwayProposal(party_id=limmt.id, kind="snapback", from_stage="in_dialogue",
                                    to_stage="in_dialogue", effective_on=date(2020, 12, 1), rationale="probe snapback",
                                    evidence=[], status="approved", proposed_by="derived-reads",
                                    revoked_reliefs=[revoked.id], **SHARED_MARKS))  # fmt: skip
        session.add(PathwayRelief(**relief_of | {"effective_on": date(2021, 2, 1)}, status="active",
                                  status_on=date(2021, 2, 1), classification="SECRET", releasability="USA",
                                  originator="USA"))  # fmt: skip
        # A consultation track shared with CHN, and a round of it held but released to the USA alone.
        track = consultations.create(session, OPERATOR, title="Probe track", level="working_level", counterpart="CHN",
                                     cadence_months=6, occurred_on="2007-01-10", releasability="CHN,USA")  # fmt: skip
        hidden = consultations.plan_round(session, OPERATOR, track.id, scheduled_on="2007-06-01",
                                          releasability="USA")  # fmt: skip
        consultations.record_round(session, OPERATOR, hidden.id, held_on="2007-06-01", outcome="talks")
        return {"track": track.id, "determination": version.document_id}


@pytest.fixture(scope="module")
def world(db_url) -> Iterator[dict]:
    """The seeded database, and one client per role (logged in with the browser session: API and pages)."""
    _empty_all_tables(db_url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOODPATH_DATABASE_URL", db_url)
        made = _seed(db_url)
        clients, csrf = {}, {}
        for role in ROLES:
            clients[role] = TestClient(app)
            if role != "public":
                login = clients[role].post("/auth/login", json={"username": role, "password": demo_password(role)})
                assert login.status_code == 200, login.text
                csrf[role] = login.json()["csrf_token"]
        yield {"clients": clients, "csrf": csrf, **made}
    _empty_all_tables(db_url)


def _never(role: str, route: str) -> int:
    """The status a logged-in role gets from a derived-view API route of a company it may not read."""
    return 401 if role == "public" else 404


@pytest.mark.parametrize(
    "route", ["/pathway/{}", "/pathway/{}/eligibility", "/disclosures/signals/{}", "/icp/evidence/{}"]
)
def test_api_derived_views_answer_only_where_their_records_are_read(world, route):
    for role in ROLES:
        client = world["clients"][role]
        absent = client.get(route.format("no-such-company"))
        assert absent.status_code == _never(role, route), (role, absent.text)
        for company in COMPANIES:
            response = client.get(route.format(company))
            readable = role != "public" and STAGE[role][company] is not None
            assert response.status_code == (200 if readable else _never(role, route)), (role, company, response.text)
            if not readable and role != "public":  # exactly like a company that does not exist
                assert response.json() == {"detail": absent.json()["detail"].replace("no-such-company", company)}


def test_the_pathway_reads_only_the_stage_and_timeline_the_role_may_read(world):
    for role in ("analyst", "partner", "company", "auditor"):
        for company in COMPANIES:
            if STAGE[role][company] is None:
                continue
            body = world["clients"][role].get(f"/pathway/{company}").json()
            stages = [e for e in body["timeline"] if e["type"] == "stage"]
            assert (body["stage"], len(stages)) == (STAGE[role][company], EVENTS[role][company]), (role, company)
            if EVENTS[role][company] == 0:  # no record, or a hidden one: nothing of it shows
                assert body["timeline"] == body["pending"] == body["reliefs"] == [], (role, company)
    partner = world["clients"]["partner"].get("/pathway/norinco")
    assert NORINCO_RATIONALE not in partner.text and "2007-08-13" not in partner.text
    party_id = world["clients"]["partner"].get("/parties/norinco").json()["id"]
    sanctions = world["clients"]["partner"].get("/sanctions", params={"party_id": party_id}).json()["results"]
    # since the company's first sanction (as for a company never enrolled), not the hidden record's date
    assert partner.json()["since"] == min(s["imposed_on"] for s in sanctions if s["imposed_on"])
    assert NORINCO_RATIONALE in world["clients"]["company"].get("/pathway/norinco").text


def _stage_shown(html: str, testid: str) -> str | None:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    return found.group(1).strip() if found else None


LABEL = {"invited": "Invited", "sanctioned": "Sanctioned", "in_dialogue": "In dialogue"}


def test_the_pathway_page_and_the_party_page_show_only_a_readable_stage(world):
    for role in ROLES:
        client = world["clients"][role]
        for company in COMPANIES:
            stage = None if role == "public" else STAGE[role][company]
            page = client.get(f"/ui/pathway/{company}", headers=HTML, follow_redirects=False)
            if role == "public":
                assert page.status_code == 303 and page.headers["location"].startswith("/login"), company
            else:
                assert page.status_code == (200 if stage else 404), (role, company)
                assert _stage_shown(page.text, "pathway-stage") == (LABEL[stage] if stage else None), (role, company)
            party = client.get(f"/parties/{company}", headers=HTML)
            assert party.status_code == (200 if company in PARTY_PAGE[role] else 404), (role, company)
            assert _stage_shown(party.text, "stage") == (LABEL[stage] if stage else None), (role, company)
            if role in ("partner", "public") and company == "norinco":
                for text in (page.text, party.text):
                    assert NORINCO_RATIONALE not in text and "2007-08-13" not in text, role


def test_a_pending_relief_shows_only_the_determinations_the_role_may_read(world):
    link = f'href="/ui/evidence/{world["determination"]}"'
    for role, shown in (("analyst", True), ("auditor", True), ("partner", False)):
        page = world["clients"][role].get("/ui/pathway/limmt", headers=HTML).text
        assert "probe relief" in page, role  # the proposal is shared with CHN
        assert (link in page) == shown and ('data-testid="determination-missing"' in page) != shown, role


def test_a_snapback_reinstates_a_measure_as_far_as_the_role_reads_its_reliefs(world):
    """The measure a snapback reinstated binds again unless relieved since: by a relief the role may read."""
    for role, reliefs, in_force in (("analyst", 2, False), ("partner", 1, True)):
        body = world["clients"][role].get("/pathway/limmt").json()
        assert [r["in_force"] for r in body["reinstated"]] == [in_force], role
        assert len(body["reliefs"]) == reliefs and (body["relief"] is None) == (role == "partner"), role


def test_the_party_json_carries_no_pathway(world):
    for role in ("analyst", "partner", "company"):
        body = world["clients"][role].get("/parties/norinco").json()
        assert "stage" not in body and "pathway" not in body and "invited" not in str(body), role


def test_dossiers_answer_only_where_the_dossier_is_read_and_name_no_hidden_party(world):
    expected = {"analyst": {"norinco", "ceiec", "cgwic"}, "auditor": {"norinco", "ceiec", "cgwic"},
                "partner": set(), "company": {"norinco"}}  # fmt: skip
    for role, readable in expected.items():
        client = world["clients"][role]
        for company in COMPANIES:
            page = client.get(f"/ui/dossiers/{company}", headers=HTML)
            assert page.status_code == (200 if company in readable else 404), (role, company)
            api = client.get(f"/dossiers/{company}")
            assert api.status_code == (200 if company in readable else 404), (role, company)
            if company not in readable and company not in PARTY_PAGE[role]:  # a party the role may not read:
                assert api.json() == {"detail": f"no dossier for party {company!r}"}, role  # its key, not its id


def _funnel_count(html: str) -> int:
    found = re.search(r'data-testid="funnel">\s*<h2>.*?<span class="count">(\d+) compan', html, re.S)
    return int(found.group(1))


def test_funnel_counts_and_the_overview_count_what_the_role_reads(world):
    for role, stages in FUNNEL.items():
        client = world["clients"][role]
        funnel = client.get("/pathway/funnel").json()
        assert {s: n for s, n in funnel["at_stage"].items() if n} == stages, role
        assert funnel["companies"] == sum(stages.values()), role
        assert _funnel_count(client.get("/ui/dashboard", headers=HTML).text) == sum(stages.values()), role
        overview = client.get("/ui/pathway", headers=HTML).text
        assert set(re.findall(r'href="/ui/pathway/([a-z_]+)"', overview)) == OVERVIEW[role], role
    assert world["clients"]["public"].get("/pathway/funnel").status_code == 401


def test_consultation_flags_and_metrics_count_readable_rounds_only(world):
    track = world["track"]
    for role, held in (("analyst", "2007-06-01"), ("partner", None)):
        client = world["clients"][role]
        row = next(r for r in client.get("/consultations").json()["results"] if r["id"] == track)
        assert row["last_held_on"] == held, role
        assert client.get(f"/consultations/{track}").json()["last_held_on"] == held, role
        metrics = client.get("/consultations/metrics", params={"consultation_id": track}).json()
        year = {r["year"]: r for r in metrics["tracks"][0]["years"]}[2007]
        assert (year["held"], year["scheduled"]) == ((1, 1) if held else (0, 0)), role


@pytest.mark.parametrize("name", ["China North Industries Corporation", "NORINCO"])
def test_a_company_officer_screens_its_own_company(world, name):
    """The ownership graph's markings carry their company: the policy's company rule applies to them
    (it crashed with "'Marking' has no __tablename__", a 500)."""
    client = world["clients"]["company"]
    response = client.post("/screen", json={"name": name}, headers={"X-CSRF-Token": world["csrf"]["company"]})
    assert response.status_code == 200, response.text
    assert any(h["caption"] == "China North Industries Corporation" for h in response.json()["hits"])
