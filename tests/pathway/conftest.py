"""Shared builders of the pathway tests: a sanctioned company and the engagement facts (meetings,
pledges, ICP assessments, breaches) the stage transitions need, stored directly as records."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
import yaml

from goodpath.access.policy import Role, Viewer
from goodpath.core.models import Classification
from goodpath.engagement.models import CompanyMeeting, Disclosure, Dossier, IcpAssessment, Pledge, ViolationCase
from goodpath.pathway import proposals, stages
from goodpath.registry.models import Party, Sanction
from tests.factories import OPERATOR

ANALYST = OPERATOR
ANALYST2 = Viewer(Role.ANALYST, Classification.SECRET, "USA", 2, "analyst2")
APPROVER = Viewer(Role.APPROVER, Classification.SECRET, "USA", 3, "approver1")
APPROVER2 = Viewer(Role.APPROVER, Classification.SECRET, "USA", 4, "approver2")
COMPANY = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "ACME", 5, "acme-officer", company_party_id="acme")
OTHER_COMPANY = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "ACME", 6, "other", company_party_id="x")
STAMP = {"created_by": "test", "classification": "UNCLASSIFIED", "releasability": "USA", "originator": "USA"}


def add_company(session, party_id: str = "acme", *, measures=("procurement", "assistance", "import"),
                imposed_on: date = date(2003, 5, 9), share: str = "ACME") -> Party:  # fmt: skip
    party = Party(id=party_id, key=party_id, schema="Company", caption=f"{party_id.upper()} Corp", countries=["cn"],
                  birth_dates=[], classification="UNCLASSIFIED", releasability="ALL", originator="USA")  # fmt: skip
    session.add(party)
    session.flush()
    session.add(Sanction(party_id=party_id, authority_code=None, program="TEST", measures=list(measures),
                         imposed_on=imposed_on, status="active", events=[], classification="UNCLASSIFIED",
                         releasability="ALL", originator="USA"))  # fmt: skip
    session.add(Dossier(party_id=party_id, status="in_dialogue", status_on=imposed_on,
                        **{**STAMP, "releasability": ",".join(sorted(["USA", share]))}))  # fmt: skip
    session.flush()
    return party


def add_meeting(session, party_id="acme", held_on=date(2004, 1, 10)) -> CompanyMeeting:
    dossier = session.query(Dossier).filter_by(party_id=party_id).one()
    meeting = CompanyMeeting(dossier_id=dossier.id, party_id=party_id, held_on=held_on, summary="talks", **STAMP)
    session.add(meeting)
    session.flush()
    return meeting


def add_pledge(session, party_id="acme", made_on=date(2004, 2, 1)) -> Pledge:
    pledge = Pledge(made_on=made_on, pledged_by="ACME", pledged_to="USG", text="End transfers to Iran.",
                    party_id=party_id, **STAMP)  # fmt: skip
    session.add(pledge)
    session.flush()
    return pledge


def add_icp(session, party_id="acme", score=0.8, assessed_on=date(2004, 6, 1)) -> IcpAssessment:
    assessment = IcpAssessment(party_id=party_id, framework="eu-2019-1318", assessed_on=assessed_on,
                               assessor="auditor", status="final", score=score, **STAMP)  # fmt: skip
    session.add(assessment)
    session.flush()
    return assessment


def add_hit(session, party_id="acme") -> Disclosure:
    """A disclosed counterparty with a confirmed screening hit: a breach signal."""
    disclosure = Disclosure(party_id=party_id, counterparty="Shahid Hemmat", counterparty_country="IR", items="x",
                            hits=[{"entry_id": "e1", "party_id": None, "caption": "SHIG", "dataset": "d",
                                   "score": 0.99, "verdict": "true_match"}],
                            signal="confirmed_hit", **STAMP)  # fmt: skip
    session.add(disclosure)
    session.flush()
    return disclosure


def add_sanctioned_case(session, party_id="acme", closed_on=date(2005, 3, 1), reference="WLC-1") -> ViolationCase:
    case = ViolationCase(reference=reference, title="t", raised_on=closed_on, status="sanctioned", status_on=closed_on,
                         outcome="sanctioned", facts="f", party_id=party_id, **STAMP)  # fmt: skip
    session.add(case)
    session.flush()
    return case


def determination(session, party="acme", viewer=ANALYST) -> str:
    """A determination document of the company (stored once), as an evidence reference."""
    from goodpath.pathway import evidence

    version = evidence.upload(session, viewer, party_id=party, kind="determination", title="Waiver determination",
                              filename="determination.txt", content=f"determination for {party}".encode())  # fmt: skip
    return f"document:{version.document_id}"


def move(session, to_stage: str, on: str, viewer=ANALYST, party="acme", **kwargs):
    """Propose (and, when needed, approve by APPROVER) one step; commits. A relief proposed here
    carries a determination document unless evidence is given."""
    if kwargs.get("relief") and "evidence" not in kwargs:
        kwargs["evidence"] = [determination(session, party, viewer)]
    proposal = proposals.propose(session, viewer, party, to_stage=to_stage, rationale=f"to {to_stage}",
                                 effective_on=on, **kwargs)  # fmt: skip
    if proposal.status == "pending":
        proposals.approve(session, APPROVER, proposal.id, note="agreed")
    session.commit()
    return proposal


def walk_to_monitoring(session, party="acme") -> None:
    """sanctioned -> invited -> in_dialogue -> commitments_made -> icp_established -> monitoring."""
    add_meeting(session, party)
    add_pledge(session, party)
    add_icp(session, party)
    move(session, "invited", "2003-09-01", party=party)
    move(session, "in_dialogue", "2004-01-10", party=party)
    move(session, "commitments_made", "2004-02-01", party=party)
    move(session, "icp_established", "2004-06-01", party=party)
    move(session, "monitoring", "2004-07-01", party=party)


@pytest.fixture
def company(session) -> Party:
    party = add_company(session)
    session.commit()
    return party


# --- relief, list entries and subsidiaries (breach detection and snapback) --------------------------


def add_missile_sanction(session, party_id="acme") -> Sanction:
    """AECA sec. 73 missile sanctions (the real catalogue's rules: a national-security waiver route)."""
    from goodpath.registry import authorities

    authorities.sync(session)
    sanction = Sanction(party_id=party_id, authority_code="AECA73", program="NPWMD",
                        measures=authorities.default_measures("AECA73"), imposed_on=date(2003, 9, 19),
                        status="active", events=[], classification="UNCLASSIFIED", releasability="ALL")  # fmt: skip
    session.add(sanction)
    session.flush()
    return sanction


@pytest.fixture
def missile_sanction(session, company) -> Sanction:
    """AECA sec. 73 missile sanctions as on NORINCO (68 FR 54930, Sep 19 2003): the real catalogue's rules
    (a national-security waiver that needs 45 working days' notice to Congress)."""
    sanction = add_missile_sanction(session)
    session.commit()
    return sanction


def grant_relief(session, sanction: Sanction, measure="import_ban", on="2005-08-01", party="acme", **kwargs):
    """Propose a relief of ``measure`` by a national-security waiver; APPROVER approves; commits."""
    relief = {"sanction_id": sanction.id, "measure": measure, "route_code": "national_security_waiver"}
    return move(session, "relief_granted", on, party=party, relief=relief, **kwargs)


def walk_to_relief(session, party="acme", **kwargs) -> Sanction:
    """A company at relief_granted (recognized 2005-07-01, relief of import_ban from 2005-08-01)."""
    sanction = add_missile_sanction(session, party)
    walk_to_monitoring(session, party)
    move(session, "recognized", "2005-07-01", party=party)
    grant_relief(session, sanction, party=party, **kwargs)
    return sanction


def add_list_entry(session, party_id="acme", program="NPWMD", listed_on: str | None = "2007-03-01",
                   dataset="test-np", external_id=None):  # fmt: skip
    """A list entry of ``party_id`` under ``program`` (listed on ``listed_on``, per the entry's data)."""
    from goodpath.registry.models import ListEntry

    ext = external_id or f"{party_id}-{program}-{listed_on}"
    data = {"external_id": ext, "sanctions": [{"program": program, "start_date": listed_on}]}
    entry = ListEntry(id=f"e{abs(hash((dataset, ext))) % 10**15}", dataset=dataset, external_id=ext, party_id=party_id,
                      schema="Company", caption=f"{party_id.upper()} listed", content_hash="x", data=data,
                      first_version=2, last_changed_version=2, classification="UNCLASSIFIED", releasability="ALL",
                      originator="LIST")  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def add_subsidiary(session, parent="acme", child="acme-sub"):
    """A company ``child`` that ``parent`` owns (an ownership link with no end date)."""
    from goodpath.registry.models import OwnershipLink

    session.add(Party(id=child, key=child, schema="Company", caption=f"{child} Ltd", countries=["cn"], birth_dates=[],
                      classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.flush()
    session.add(OwnershipLink(parent_id=parent, child_id=child, relation="subsidiary", share=100.0,
                              classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.flush()


def give_notice(session, party="acme", on="2005-08-01", viewer=ANALYST) -> None:
    """Record notice to Congress for every relief of the company awaiting it (one notice document)."""
    from goodpath.pathway import evidence
    from goodpath.pathway import relief as relief_life
    from goodpath.pathway.models import PathwayRelief

    waiting = session.query(PathwayRelief).filter_by(party_id=party, status="awaiting_notice").all()
    if not waiting:
        return
    notice = evidence.upload(session, viewer, party_id=party, kind="congress_notice", title="Notice to Congress",
                             filename=f"notice-{on}.txt", content=f"notice of {on} for {party}".encode())  # fmt: skip
    for relief in waiting:
        relief_life.record_notice(session, viewer, relief.id, on, notice.id)
    session.commit()


# --- a new stage: one entry in a copy of stages.yaml, with its labels, and no code change ----------------

NEW_STAGE = """  audited:
    path: good
    label: {en: Independently audited, zh: 已经独立审计}
    description: "An independent audit of the compliance programme is on record."
"""
NEW_TRANSITIONS = """  - {from: [commitments_made], to: audited, kind: transition,
     evidence: [commitment], propose: pathway.propose, second_approver: true}
  - {from: [audited], to: icp_established, kind: transition,
     evidence: [icp_established], propose: pathway.propose, second_approver: false}
"""


def with_a_new_stage() -> stages.Stages:
    """The real stages.yaml with the stage ``audited`` (between commitments_made and icp_established)."""
    text = resources.files("goodpath.pathway").joinpath("data/stages.yaml").read_text(encoding="utf-8")
    text = text.replace("\n  icp_established:\n", "\n" + NEW_STAGE + "  icp_established:\n", 1)
    text = text.replace("transitions:\n", "transitions:\n" + NEW_TRANSITIONS, 1)
    return stages.parse(yaml.safe_load(text))
