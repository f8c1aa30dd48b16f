"""A small, fast demo database for the browser tests: the seed cables' engagement parties and
records, the demo users, and a few records made for the journeys (no full sanctions lists)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from goodpath.access import auth
from goodpath.access.policy import Role, Viewer
from goodpath.core.db import new_session, session_scope
from goodpath.core.migrate import upgrade
from goodpath.core.models import Classification
from goodpath.demo import service as demo
from goodpath.demo.engagement_records import load_records
from goodpath.demo.illustrative import load_story
from goodpath.demo.users import ensure_demo_users
from goodpath.engagement import cases, pledges
from goodpath.pathway.models import PathwayProposal
from goodpath.registry.models import Party, PartyName
from goodpath.registry.names import name_script, normalize_name
from tests.browser.seed_dossiers import seed_listed
from tests.browser.seed_pathway import seed_pathway

SECRET_PARTY_KEY = "secret-front"
SECRET_PARTY_NAME = "ORCHID HARBOUR TRADING (SECRET TEST RECORD)"
CONFIDENTIAL_ANALYST = "analyst-conf"
CHINESE_ANALYST = "analyst-zh"  # switches to Chinese, which is remembered for the user: kept apart
ANALYST = Viewer(Role.ANALYST, Classification.SECRET, "USA", 0, "browser-test-seed")


def seed(url: str) -> None:
    upgrade(url)
    demo.load_engagement(lambda: new_session(url), "browser-test-seed")
    with session_scope(url) as session:
        load_records(session, "browser-test-seed")
    with session_scope(url) as session:
        ensure_demo_users(session, "browser-test-seed")
        auth.create_user(session, CONFIDENTIAL_ANALYST, "goodpath-analyst-conf-demo", Role.ANALYST, "CONFIDENTIAL",
                         "USA", display_name="Confidential Analyst", actor="browser-test-seed")  # fmt: skip
        auth.create_user(session, CHINESE_ANALYST, "goodpath-analyst-zh-demo", Role.ANALYST, "SECRET", "USA",
                         display_name="Chinese-speaking Analyst", actor="browser-test-seed")  # fmt: skip
    with session_scope(url) as session:
        _secret_party(session)
        _cases(session)
        _overdue_pledge(session)
        _pending_proposal(session)
    with session_scope(url) as session:
        seed_pathway(session)
    with session_scope(url) as session:
        seed_listed(session)
    with session_scope(url) as session:  # the illustrative company, in monitoring: test_demo_story recognizes it
        load_story(session, until="recognized")


def _secret_party(session) -> None:
    """A SECRET record, releasable to the USA only: the SECRET analyst sees it, a CONFIDENTIAL one does not."""
    marks = {"classification": "SECRET", "releasability": "USA", "originator": "USA"}
    party = Party(id="psecretfront00001", key=SECRET_PARTY_KEY, schema="Company", caption=SECRET_PARTY_NAME,
                  countries=["cn"], birth_dates=[], notes="A front company named in a SECRET report.",
                  **marks)  # fmt: skip
    session.add(party)
    session.flush()
    for value, kind in ((SECRET_PARTY_NAME, "primary"), ("兰港贸易有限公司", "original_script")):
        session.add(PartyName(party_id=party.id, value=value, kind=kind, script=name_script(value),
                              normalized=normalize_name(value), **marks))  # fmt: skip


def _cases(session) -> None:
    cases.raise_case(session, ANALYST, reference="WLC-2007-001", title="Transfer of missile-related items to Iran",
                     facts="A shipment of controlled items, raised with the MFA.", raised_on="2007-09-01",
                     party_id="norinco", partner="CHN")  # fmt: skip
    cases.raise_case(session, ANALYST, reference="WLC-2024-017", title="Dual-use machine tools through a broker",
                     facts="Reported diversion through a trading company.", raised_on=date.today().isoformat(),
                     partner="CHN", classification="CONFIDENTIAL")  # fmt: skip


def _overdue_pledge(session) -> None:
    pledges.create(session, ANALYST, pledged_by="CHN", pledged_to="USA", made_on="2007-08-13", due_on="2007-12-31",
                   owner="MFA Arms Control Department", party_id="norinco", share_with=["CHN"],
                   text="Press NORINCO and CGWIC to engage constructively with the United States.",
                   source="07BEIJING5360 ¶4")  # fmt: skip


def _pending_proposal(session) -> None:
    party_id = session.scalars(select(Party.id).where(Party.key == "cgwic")).one()
    session.add(
        PathwayProposal(
            party_id=party_id, kind="transition", from_stage="sanctioned", to_stage="invited",
            effective_on=date(2007, 9, 1), rationale="Invite CGWIC to a dialogue, as DG Zhang Yan urged.",
            evidence=[], status="pending", proposed_by="analyst",
            classification="UNCLASSIFIED", releasability="USA", originator="USA",
        )
    )  # fmt: skip
