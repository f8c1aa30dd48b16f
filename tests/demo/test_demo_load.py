"""Demo data: the seed cables' engagement parties and the real lists, loaded idempotently."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.cli import app
from goodpath.core.db import new_session
from goodpath.core.followups import Followup
from goodpath.core.workflow import StatusEvent
from goodpath.demo import service as demo
from goodpath.demo.engagement_records import load_records
from goodpath.engagement.models import Consultation, ConsultationRound, CooperationProject, Dossier, Invitation, Pledge
from goodpath.lists import service as lists
from goodpath.lists.models import ListVersion
from goodpath.registry import service as registry
from goodpath.registry.curated import load_engagement
from goodpath.registry.models import ListEntry, OwnershipLink, Party, Sanction
from tests.factories import OPERATOR


def counts(session) -> dict:
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in (Party, Sanction, OwnershipLink)
    }


def test_engagement_parties_load_once_with_their_sourced_sanctions(db, session):
    data = load_engagement()
    first = demo.load_engagement(lambda: new_session(db), "tester")
    assert first == {"outcome": "loaded", "parties": len(data.parties)}
    assert counts(session)["sanction"] == len(data.sanctions())
    before = counts(session)
    again = demo.load_engagement(lambda: new_session(db), "tester")
    assert again["outcome"] == "already loaded"
    assert counts(session) == before
    norinco = registry.get_party(session, OPERATOR, "norinco")
    names = {n.value for n in norinco.names}
    assert {"China North Industries Corporation", "NORINCO", "中国北方工业公司"} <= names
    assert all(n.source for n in norinco.names)
    # The 2003 missile sanctions keep their waiver history (07BEIJING5360 context, 68 FR 54930).
    aeca = [s for s in norinco.sanctions if s.authority_code == "AECA73"]
    assert aeca and any(event["kind"] == "waiver" for event in aeca[0].events)
    assert registry.search_parties(session, OPERATOR, "长城")[0] >= 1  # CGWIC and Great Wall Airlines by Chinese name


def test_engagement_party_joins_the_list_party_that_describes_it(db, session, shared_data):
    lists.import_list(session, shared_data / "ofac_sdn_2021")
    session.commit()
    sdn_party = session.scalar(select(ListEntry.party_id).where(ListEntry.external_id == "30502"))
    demo.load_engagement(lambda: new_session(db), "tester")
    ceiec = registry.get_party(session, OPERATOR, "ceiec")
    assert ceiec.id == sdn_party
    datasets = {e.dataset for e in registry.list_entries_of(session, OPERATOR, ceiec.id)}
    assert datasets == {"us-ofac-sdn", demo.ENGAGEMENT_DATASET}
    authorities = {s.authority_code for s in ceiec.sanctions}
    assert {"OFAC_VENEZUELA", "INKSNA"} <= authorities, authorities


def test_ended_ownership_is_history_not_control(db, session):
    demo.load_engagement(lambda: new_session(db), "tester")
    cgwic = registry.get_party(session, OPERATOR, "cgwic")
    airline = registry.get_party(session, OPERATOR, "great_wall_airlines")
    aerospace = registry.get_party(session, OPERATOR, "gw_aerospace")
    reached = {r.party_id for r in registry.controlled_by(session, OPERATOR, cgwic.id)}
    assert aerospace.id in reached  # a subsidiary: INKSNA-style measures reach it
    assert airline.id not in reached  # CGWIC's 51% stake ended in 2006
    assert any(link.parent_id == cgwic.id for link in registry.direct_links(session, OPERATOR, airline.id)["owners"])


def test_cli_demo_load_is_idempotent(db, session, monkeypatch):
    # The loop over the real lists, on the small ones (the big ones have their own tests).
    small = tuple(item for item in demo.DEMO_LISTS if not item[0].startswith(("ofac", "csl/consolidated.csv")))
    monkeypatch.setattr(demo, "DEMO_LISTS", small)
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "load", "--json"])
    assert first.exit_code == 0, first.output
    loaded = json.loads(first.stdout)
    assert [s["outcome"] for s in loaded["lists"]] == ["imported"] * len(small)
    # the imports' follow-ups ran in the same process: the engaged companies re-screened, nothing left
    assert loaded["rescreen"]["subjects"] >= 1
    assert session.scalars(select(Followup.status).where(Followup.status != "done")).all() == []
    versions = session.scalar(select(func.count()).select_from(ListVersion))
    second = json.loads(runner.invoke(app, ["demo", "load", "--json"]).stdout)
    assert [s["outcome"] for s in second["lists"]] == ["skipped"] * len(small)
    assert second["engagement"]["outcome"] == "already loaded"
    assert session.scalar(select(func.count()).select_from(ListVersion)) == versions


def test_engagement_records_reproduce_the_cables_once(db, session):
    demo.load_engagement(lambda: new_session(db), "tester")
    first = load_records(session, "tester")
    session.commit()
    assert first == {"consultations": 2, "rounds": 2, "pledges": 7, "projects": 3, "dossiers": 3, "invitations": 1}
    # Every record cites a seed cable and a paragraph.
    for model in (Consultation, ConsultationRound, Pledge, CooperationProject, Dossier, Invitation):
        for record in session.scalars(select(model)):
            assert re.search(r"07BEIJING(1900|5360) ¶\d", record.source or ""), (model.__tablename__, record.id)
    track = session.scalars(select(Consultation).where(Consultation.demo_key == "dg_afm_consultations")).one()
    events = session.scalars(
        select(StatusEvent)
        .where(StatusEvent.record_type == "consultation", StatusEvent.record_id == track.id)
        .order_by(StatusEvent.occurred_on, StatusEvent.id)
    ).all()
    steps = [(e.to_status, e.occurred_on.year) for e in events]
    assert [s for s in steps if s[0] != "active"] == [("suspended", 2006)] and steps[-1] == ("active", 2007)
    assert "Great Wall Airlines" in next(e.note for e in events if e.to_status == "suspended")
    invitation = session.scalars(select(Invitation)).one()
    assert any("unaccompanied" in c.lower() for c in invitation.conditions)
    norinco = registry.get_party(session, OPERATOR, "norinco")
    pressed = session.scalars(select(Pledge).where(Pledge.party_id == norinco.id)).one()
    assert pressed.pledged_by.startswith("MFA") and pressed.status == "open"
    assert load_records(session, "tester") == dict.fromkeys(first, 0)  # idempotent


def test_demo_pathway_follows_the_cables_once(db, session, shared_data):
    from goodpath.cables.models import StoredCable
    from goodpath.demo.cables import load_cables
    from goodpath.demo.pathway_records import load_pathway
    from goodpath.pathway import proposals
    from goodpath.pathway.models import EvidenceDocument, EvidenceLink, PathwayProposal

    demo.load_engagement(lambda: new_session(db), "tester")
    load_records(session, "tester")
    cables = load_cables(session, "tester", shared_data.parent)
    assert sorted(r["outcome"] for r in cables) == ["stored"] * 3
    first = load_pathway(session, "tester", shared_data.parent)
    session.commit()
    assert (first["documents"], first["companies"], first["steps"]) == (2, 3, 2)
    stages = {key: proposals.current(session, registry.get_party(session, OPERATOR, key))[0]
              for key in ("norinco", "cgwic", "ceiec")}  # fmt: skip
    assert stages == {"norinco": "invited", "cgwic": "invited", "ceiec": "sanctioned"}
    # every step cites its cable paragraph and links the cable stored as a SECRET meeting record
    for proposal in session.scalars(select(PathwayProposal)):
        assert re.search(r"07BEIJING5360 ¶\d", proposal.rationale), proposal.rationale
    documents = session.scalars(select(EvidenceDocument)).all()
    assert {(d.kind, d.classification) for d in documents} == {("meeting_record", "SECRET")}
    assert session.scalar(select(func.count()).select_from(EvidenceLink)) == 2
    assert session.scalar(select(func.count()).select_from(StoredCable)) == 3
    again = load_pathway(session, "tester", shared_data.parent)
    assert (again["documents"], again["companies"], again["steps"]) == (0, 0, 0)  # idempotent
    assert [r["outcome"] for r in load_cables(session, "tester", shared_data.parent)] == ["unchanged"] * 3


def test_the_demo_accepts_removals_only_for_the_real_sdn_history(db, monkeypatch, shared_data):
    asked = {}

    def record(session, path, **options):
        asked[path.relative_to(shared_data).as_posix()] = options["accept_removals"]
        return lists.ImportResult(options["dataset"] or "x", 1, 0, 0, 0, 0, 0)

    monkeypatch.setattr(lists, "import_list", record)
    demo.load_lists(lambda: new_session(db), shared_data, "tester")
    assert {path for path, accepted in asked.items() if accepted} == {"ofac_sdn_2021", "ofac_sdn_2024"}
    assert len(asked) == len(demo.DEMO_LISTS)
