"""The demo's illustrative scenario (demo/illustrative.py): one fictional company walks the whole good path
on dated records through the product's services, is labelled "Illustrative scenario" wherever it is shown,
never comes back from screening, and is left out of the statistics unless asked."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.access.policy import PUBLIC
from goodpath.api import app
from goodpath.core.db import get_engine, new_session, session_scope
from goodpath.core.migrate import upgrade
from goodpath.core.models import utcnow
from goodpath.core.workflow import StatusEvent
from goodpath.demo import service as demo
from goodpath.demo.illustrative import load_story, party_key
from goodpath.demo.users import demo_password, ensure_demo_users
from goodpath.engagement.models import ViolationCase
from goodpath.pathway import evidence, register, timeline, workdays
from goodpath.pathway.models import EvidenceDocument, PathwayProposal, PathwayRelief
from goodpath.registry.authorities import add_period
from goodpath.registry.datasets import ILLUSTRATIVE_DATASET, illustrative_party_ids
from goodpath.registry.models import Party, PartyName
from goodpath.screening import service as screening
from goodpath.web import i18n
from tests.factories import OPERATOR, run_followups

HTML = {"Accept": "text/html"}
GOOD_PATH = ["sanctioned", "invited", "in_dialogue", "commitments_made", "icp_established", "monitoring",
             "recognized", "relief_granted", "snapped_back"]  # fmt: skip


def _stages(session, party_id: str) -> list[str]:
    events = session.scalars(
        select(StatusEvent).where(StatusEvent.record_type == "pathway", StatusEvent.party_id == party_id)
        .order_by(StatusEvent.occurred_on, StatusEvent.id)
    ).all()  # fmt: skip
    return [e.to_status for e in events]


def test_the_illustrative_company_walks_the_whole_good_path_on_dated_records(session):
    today = utcnow().date()
    answer = load_story(session)
    session.commit()
    assert answer["outcome"] == "loaded" and answer["stage"] == "snapped_back"
    party = session.get(Party, answer["party_id"])
    assert _stages(session, party.id) == GOOD_PATH
    proposals = {p.to_stage: p for p in session.scalars(select(PathwayProposal).where(
        PathwayProposal.party_id == party.id))}  # fmt: skip
    assert all(p.status == "approved" and p.effective_on <= today for p in proposals.values())
    # The two-person rule: recognition, relief and snapback were each approved by another person.
    for stage in ("recognized", "relief_granted", "snapped_back"):
        assert proposals[stage].decided_by == "approver" != proposals[stage].proposed_by, stage
    assert proposals["recognized"].proposed_by == "analyst"
    assert proposals["snapped_back"].proposed_by == "system:pathway"  # breach detection opened it
    # 12 months of monitoring before recognition.
    monitoring = proposals["monitoring"].effective_on
    assert proposals["recognized"].effective_on >= add_period(monitoring, months=12)
    # The waiver: its determination, its notice to Congress and the notice period run before it took effect.
    relief_proposal = proposals["relief_granted"]
    assert relief_proposal.route_code == "national_security_waiver" and relief_proposal.measure == "import_ban"
    assert evidence.determinations_of(session, relief_proposal.id)
    relief = session.scalars(select(PathwayRelief).where(PathwayRelief.party_id == party.id)).one()
    rule = relief_proposal.legal["route"]["notice"]
    assert (rule["days"], rule["unit"]) == (45, "working_days")
    assert relief.notice_on is not None and relief.notice_version_id is not None
    assert relief.effective_on == workdays.notice_effective(relief.notice_on, 45, "working_days")
    # In effect for months before the breach, then revoked by the snapback.
    case = session.scalars(select(ViolationCase).where(ViolationCase.party_id == party.id)).one()
    assert case.outcome == "sanctioned" and relief.effective_on < case.raised_on < case.status_on
    assert relief.status == "revoked" and relief.status_on == proposals["snapped_back"].effective_on
    # The public register: the recognition (withdrawn by the snapback) and the snapback, in both languages.
    entries = {e.kind: e for e in register.register(session, PUBLIC, "recognition", include_past=True)
               + register.register(session, PUBLIC, "stigma", include_past=True)}  # fmt: skip
    assert set(entries) == {"recognized", "snapped_back"}
    assert entries["recognized"].status == "withdrawn" and entries["snapped_back"].status == "current"
    for entry in entries.values():
        assert entry.text_en.startswith("The United States Government") and "(illustrative)" in entry.text_en
        assert entry.text_zh.startswith("美国政府") and "（示例）" in entry.text_zh
    # Loading again writes nothing.
    assert load_story(session) == {"outcome": "already loaded", "steps": 0}
    assert len(_stages(session, party.id)) == len(GOOD_PATH)


# --- screening, the pages and the statistics, on one demo database for the module (SQLite) -------------


@pytest.fixture(scope="module")
def story_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('story') / 'goodpath.db'}"
    upgrade(url)
    demo.load_engagement(lambda: new_session(url), "tester")
    with session_scope(url) as session:
        load_story(session)
    with session_scope(url) as session:
        ensure_demo_users(session, "tester")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOODPATH_DATABASE_URL", url)
        with session_scope(url) as session:
            run_followups(session)
        yield url
    get_engine(url).dispose()


def _client(username: str | None = None, language: str = "en") -> TestClient:
    client = TestClient(app)
    client.cookies.set(i18n.LANG_COOKIE, language)
    if username:
        response = client.post("/login", data={"username": username, "password": demo_password(username)},
                               follow_redirects=False)  # fmt: skip
        assert response.status_code == 303
    return client


def test_statistics_leave_the_illustrative_company_out_unless_asked(story_db):
    with session_scope(story_db) as session:
        party_id = session.scalars(select(Party.id).where(Party.key == party_key())).one()
        assert illustrative_party_ids(session) == {party_id, party_key()}
        real = timeline.funnel(session, OPERATOR)
        everything = timeline.funnel(session, OPERATOR, include_illustrative=True)
    assert real["at_stage"]["snapped_back"] == 0 and real["illustrative"]["at_stage"]["snapped_back"] == 1
    assert everything["at_stage"]["snapped_back"] == 1
    assert everything["companies"] == real["companies"] + 1
    client = _client("analyst")
    assert client.get(f"/parties/{party_key()}").json()["illustrative"] is True
    assert client.get("/parties/norinco").json()["illustrative"] is False
    assert client.get("/pathway/funnel").json()["at_stage"]["snapped_back"] == 0
    assert client.get("/pathway/funnel?include_illustrative=true").json()["at_stage"]["snapped_back"] == 1
    # The scenario's breach case is no real statistic either.
    sanctioned = [client.get(f"/cases/metrics{q}").json()["outcomes"]["counts"]["sanctioned"]
                  for q in ("", "?include_illustrative=true")]  # fmt: skip
    assert sanctioned == [0, 1]
    dashboard = client.get("/ui/dashboard", headers=HTML).text
    assert 'data-testid="funnel-illustrative"' in dashboard  # shown apart, in its own column
    assert re.search(r'data-testid="funnel-illustrative-snapped_back">1<', dashboard)


@pytest.mark.parametrize("language,label", [("en", "Illustrative scenario"), ("zh_Hans", "示例情景")])
def test_every_page_of_the_illustrative_company_says_so(story_db, language, label):
    client = _client("analyst", language)
    with session_scope(story_db) as session:
        party_id = session.scalars(select(Party.id).where(Party.key == party_key())).one()
        case_id = session.scalars(select(ViolationCase.id).where(ViolationCase.party_id == party_id)).one()
        document_id = session.scalars(select(EvidenceDocument.id).where(EvidenceDocument.party_id == party_id)).first()
    pages = (f"/ui/pathway/{party_key()}", f"/parties/{party_id}", f"/dossiers/{party_id}", f"/ui/cases/{case_id}",
             f"/ui/evidence/{document_id}")  # fmt: skip
    for url in pages:
        page = client.get(url, headers=HTML)
        assert page.status_code == 200, url
        assert 'data-testid="illustrative-note"' in page.text and label in page.text, url
    overview = client.get("/ui/pathway", headers=HTML).text
    row = re.search(r"<tr>(?:(?!</tr>).)*" + re.escape(party_key()) + r"(?:(?!</tr>).)*</tr>", overview, re.S)
    assert row and 'data-testid="illustrative"' in row.group(0)
    listings = (("/ui/cases", "ILLUSTRATIVE-2"), ("/ui/dossiers", party_id), ("/ui/evidence", "Xingyun Precision"),
                ("/ui/pledges", "Illustrative scenario: end all"), ("/parties?q=Xingyun", "Xingyun"),
                ("/ui/search?q=Xingyun", "search-party"))  # fmt: skip
    for url, mark in listings:
        listing = client.get(url, headers=HTML).text
        rows = re.findall(r"<tr[ >](?:(?!</tr>).)*</tr>", listing, re.S)
        ours = [r for r in rows if mark in r]
        assert ours and all('data-testid="illustrative"' in r for r in ours), url
        assert all('data-testid="illustrative"' not in r for r in rows if r not in ours), url
    # The public register, without logging in: each public step, in English and Chinese, labelled.
    public = _client(language=language).get("/register", headers=HTML).text
    entries = re.findall(r'<tr data-testid="register-entry">.*?</tr>', public, re.S)
    ours = [e for e in entries if "星云精密仪器有限公司" in e]
    assert len(ours) == 2  # the snapback (current) and the recognition it withdrew (earlier entries)
    for entry in ours:
        assert 'data-testid="illustrative"' in entry and label in entry
        assert "美国政府" in entry and "The United States Government" in entry
    listed = _client().get("/public/stigma?include_past=true").json()["entries"]
    assert [e["illustrative"] for e in listed if "星云" in (e["name_zh"] or "")] == [True]
    assert not any(e["illustrative"] for e in listed if "星云" not in (e["name_zh"] or ""))
    real_names = [e for e in entries if "星云" not in e]
    assert all('data-testid="illustrative"' not in e for e in real_names)


def test_screening_never_returns_the_illustrative_company(story_db):
    session = new_session(story_db)
    party_id = session.scalars(select(Party.id).where(Party.key == party_key())).one()
    names = session.scalars(select(PartyName.value).where(PartyName.party_id == party_id)).all()
    assert len(names) == 2  # its English and Chinese names are in the registry ...
    index, _ = screening.get_index(session)
    assert index.names and not [n for n in index.names if n.dataset == ILLUSTRATIVE_DATASET]  # ... not in the index
    for name in (*names, "Xingyun Precision Instruments", "星云精密仪器", "China North Industries Corporation",
                 "China Great Wall Industry Corporation"):  # fmt: skip
        for as_of in (None, utcnow()):  # now, and as of the list versions of a moment
            hits = screening.screen(session, OPERATOR, name, threshold=0.5, as_of=as_of)
            assert party_id not in {h["party_id"] for h in hits["hits"] + hits["indirect_hits"]}, name
    real = screening.screen(session, OPERATOR, "China North Industries Corporation")["hits"]
    assert real and real[0]["caption"] == "China North Industries Corporation"  # the real name is still found
    session.close()
