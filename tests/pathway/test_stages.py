"""The stages as data: the catalogue's shape, and the evidence each transition names."""

from __future__ import annotations

from datetime import date

import pytest

from goodpath.core.errors import GoodpathError, Refused
from goodpath.pathway import proposals, stages, timeline
from tests.pathway.conftest import (
    ANALYST,
    APPROVER,
    add_hit,
    add_icp,
    add_meeting,
    add_pledge,
    move,
    walk_to_monitoring,
    with_a_new_stage,
)

GOOD = ["sanctioned", "invited", "in_dialogue", "commitments_made", "icp_established", "monitoring", "recognized",
        "relief_granted", "normalized"]  # fmt: skip
BAD = ["declined", "stalled", "continued_sanctions", "public_stigma", "new_sanctions", "snapped_back"]


def test_the_catalogue_holds_the_good_and_the_bad_path():
    data = stages.load()
    assert list(data.names) == GOOD + BAD
    for a, b in zip(GOOD, GOOD[1:], strict=False):
        assert data.find(a, b) is not None, (a, b)
    assert data.find("invited", "declined") and data.find("declined", "continued_sanctions")
    assert data.find("continued_sanctions", "public_stigma") and data.find("public_stigma", "new_sanctions")
    assert data.find("relief_granted", "snapped_back").kind == "snapback"
    assert data.find("normalized", "snapped_back").kind == "snapback"


def test_grants_and_impositions_need_a_second_approver_and_nothing_else_does():
    data = stages.load()
    second = {(t.to, t.kind) for t in data.transitions if t.second_approver}
    assert second == {("recognized", "transition"), ("relief_granted", "relief"), ("normalized", "transition"),
                      ("public_stigma", "transition"), ("snapped_back", "snapback")}  # fmt: skip
    assert data.find("icp_established", "monitoring").evidence == ("icp_established",)
    assert "monitoring_clean" in data.find("monitoring", "recognized").evidence
    assert data.settings["monitoring_months"] == 12


def test_a_transition_not_in_the_catalogue_is_refused_naming_the_allowed_ones():
    with pytest.raises(Refused, match=r"cannot go to recognized \(allowed from sanctioned: continued_sanctions, "
                                      r"invited\)"):  # fmt: skip
        stages.load().find("sanctioned", "recognized")
    with pytest.raises(GoodpathError, match="stage must be one of"):
        stages.load().find("sanctioned", "heaven")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"from": ["nowhere"], "to": "a", "kind": "transition", "propose": "pathway.propose",
          "second_approver": False}, "unknown stages"),
        ({"from": ["a"], "to": "a", "kind": "magic", "propose": "pathway.propose", "second_approver": False}, "kind"),
        ({"from": ["a"], "to": "a", "kind": "transition", "evidence": ["vibes"], "propose": "pathway.propose",
          "second_approver": False}, "unknown evidence"),
        ({"from": ["a"], "to": "a", "kind": "transition", "propose": "king", "second_approver": False}, "roles"),
        ({"from": ["a"], "to": "a", "kind": "transition", "propose": ["analyst", "approver"],
          "second_approver": False}, "propose names the permission"),
    ],
)  # fmt: skip
def test_a_bad_catalogue_is_rejected_when_loaded(raw, message):
    with pytest.raises(ValueError, match=message):
        stages.parse({"stages": {"a": {"path": "start"}}, "transitions": [raw]})


LABEL = {"en": "A stage", "zh": "一个阶段"}
STEP = {"kind": "transition", "propose": "pathway.propose", "second_approver": False}


@pytest.mark.parametrize(
    ("stages_", "transitions", "message"),
    [
        ({"a": {"path": "start"}}, [], "label needs its English and Chinese"),
        ({"a": {"path": "start", "label": {"en": "A"}}}, [], "label needs its English and Chinese"),
        ({"a": {"path": "sideways", "label": LABEL}}, [], "path must be one of"),
        ({"a": {"path": "start", "label": LABEL}, "b": {"path": "start", "label": LABEL}}, [], "exactly one stage"),
        ({"a": {"path": "start", "label": LABEL, "monitoring": True},
          "b": {"path": "good", "label": LABEL, "monitoring": True}}, [], "one stage at most"),
        ({"a": {"path": "start", "label": LABEL}, "b": {"path": "good", "label": LABEL}},
         [{**STEP, "from": ["a"], "to": "b"}, {**STEP, "from": ["b"], "to": "b", "kind": "relief"}], "of one kind"),
        ({"a": {"path": "start", "label": LABEL}, "b": {"path": "good", "label": LABEL},
          "c": {"path": "good", "label": LABEL}},
         [{**STEP, "from": ["a"], "to": "b", "kind": "relief"}, {**STEP, "from": ["a"], "to": "c", "kind": "relief"}],
         "every relief transition leads to one stage"),
    ],
)  # fmt: skip
def test_a_catalogue_whose_stages_the_code_cannot_read_is_rejected(stages_, transitions, message):
    with pytest.raises(ValueError, match=message):
        stages.parse({"stages": stages_, "transitions": transitions})


def test_what_the_code_needs_of_a_stage_is_read_from_the_catalogue():
    data = stages.load()
    assert data.start == "sanctioned"
    assert data.relief_stages == ("relief_granted", "normalized")
    assert data.monitoring_stage == "monitoring"
    assert (data.grant_stage, data.snapback_stage) == ("relief_granted", "snapped_back")
    assert [data.kind_into(s) for s in ("invited", "relief_granted", "snapped_back", "heaven")] == [
        "transition", "relief", "snapback", "transition"]  # fmt: skip
    assert (data.label("relief_granted"), data.label("relief_granted", "zh_Hans")) == ("Relief granted", "已给予解除")
    assert data.label("heaven") is None
    assert all(t.proposers == ["analyst", "approver"] for t in data.transitions)


# --- a new stage: one entry in a copy of the YAML, with its labels, and no code change ------------------


def test_a_new_stage_in_the_yaml_is_in_the_catalogue_with_its_labels():
    data = with_a_new_stage()
    assert data.names.index("audited") == data.names.index("commitments_made") + 1
    assert data.stages["audited"]["path"] == "good"
    assert data.label("audited", "en") == "Independently audited"
    assert data.label("audited", "zh_Hans") == "已经独立审计"
    assert [t.to for t in data.from_stage("audited")] == ["icp_established"]


def test_a_new_stage_in_the_yaml_can_be_proposed_and_approved(session, company, monkeypatch):
    monkeypatch.setattr(stages, "load", with_a_new_stage)
    add_meeting(session)
    add_pledge(session)
    add_icp(session)
    move(session, "invited", "2003-09-01")
    move(session, "in_dialogue", "2004-01-10")
    move(session, "commitments_made", "2004-02-01")
    proposal = proposals.propose(session, ANALYST, "acme", to_stage="audited", rationale="the audit report is in",
                                 effective_on="2004-03-01")  # fmt: skip
    assert proposal.status == "pending"  # second_approver: true
    assert any(r["kind"] == "pledge" for r in proposal.evidence)  # its evidence check ran
    proposals.approve(session, APPROVER, proposal.id, note="agreed")
    session.commit()
    assert proposals.current(session, company) == ("audited", date(2004, 3, 1))
    view = timeline.pathway(session, ANALYST, "acme")
    assert (view["stage"], view["path"]) == ("audited", "good")
    assert [t["to"] for t in view["next"]] == ["icp_established"]
    assert timeline.funnel(session, ANALYST)["at_stage"]["audited"] == 1
    assert move(session, "icp_established", "2004-06-01").status == "approved"


def test_in_dialogue_needs_a_meeting_or_an_accepted_invitation(session, company):
    move(session, "invited", "2003-09-01")
    with pytest.raises(Refused, match="missing an accepted invitation or a meeting"):
        proposals.propose(session, ANALYST, "acme", to_stage="in_dialogue", rationale="r", effective_on="2004-01-10")
    session.rollback()
    meeting = add_meeting(session)
    proposal = move(session, "in_dialogue", "2004-01-10")
    assert {"kind": "meeting", "id": meeting.id} in proposal.evidence


def test_commitments_need_a_pledge_or_a_meeting(session, company):
    add_meeting(session, held_on=date(2004, 1, 10))
    move(session, "invited", "2003-09-01")
    move(session, "in_dialogue", "2004-01-10")
    proposal = move(session, "commitments_made", "2004-02-01")
    assert proposal.status == "approved" and any(r["kind"] == "meeting" for r in proposal.evidence)
    pledge = add_pledge(session, made_on=date(2004, 2, 1))
    finding = stages._commitment(stages.Context(session, ANALYST, company, "in_dialogue", pledge.made_on,
                                                pledge.made_on))  # fmt: skip
    assert {"kind": "pledge", "id": pledge.id} in finding.refs


def test_icp_established_needs_a_final_assessment_at_the_threshold(session, company):
    add_meeting(session)
    add_pledge(session)
    move(session, "invited", "2003-09-01")
    move(session, "in_dialogue", "2004-01-10")
    move(session, "commitments_made", "2004-02-01")
    add_icp(session, score=0.5)
    with pytest.raises(Refused, match=r"missing a final ICP assessment scoring at least 0.67 \(latest: eu-2019-1318 "
                                      r"0.50\)"):  # fmt: skip
        proposals.propose(session, ANALYST, "acme", to_stage="icp_established", rationale="r",
                          effective_on="2004-06-01")  # fmt: skip
    session.rollback()
    better = add_icp(session, score=0.9, assessed_on=date(2004, 7, 1))
    proposal = move(session, "icp_established", "2004-07-01")
    assert any(r["kind"] == "icp_assessment" and r["id"] == better.id for r in proposal.evidence)


def test_recognition_needs_twelve_months_of_monitoring_without_breach(session, company):
    walk_to_monitoring(session)
    with pytest.raises(Refused, match=r"12 months in monitoring \(since 2004-07-01: not before 2005-07-01\)"):
        proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="r", effective_on="2005-06-30")
    session.rollback()
    add_hit(session)
    with pytest.raises(Refused, match="1 confirmed screening hit"):
        proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="r", effective_on="2005-07-01")
    session.rollback()


def test_recognition_is_blocked_by_a_case_closed_sanctioned_during_monitoring(session, company):
    from tests.pathway.conftest import add_sanctioned_case

    walk_to_monitoring(session)
    add_sanctioned_case(session, closed_on=date(2004, 6, 1))  # before monitoring: no breach
    assert proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="clean",
                             effective_on="2005-07-01").status == "pending"  # fmt: skip
    session.rollback()
    add_sanctioned_case(session, closed_on=date(2005, 1, 1), reference="WLC-2")
    with pytest.raises(Refused, match=r"1 case\(s\) of the company closed 'sanctioned' since 2004-07-01"):
        proposals.propose(session, ANALYST, "acme", to_stage="recognized", rationale="r", effective_on="2005-07-01")


def test_new_sanctions_need_a_sanction_imposed_since_the_stage_began(session, company):

    from goodpath.registry.models import Sanction

    move(session, "continued_sanctions", "2004-01-01")
    with pytest.raises(Refused, match="missing a sanction on the company imposed since 2004-01-01"):
        proposals.propose(session, ANALYST, "acme", to_stage="new_sanctions", rationale="r", effective_on="2005-12-30")
    session.rollback()
    session.add(Sanction(party_id="acme", program="INKSNA", measures=["procurement"], imposed_on=date(2005, 12, 23),
                         status="active", events=[]))  # fmt: skip
    session.commit()
    assert move(session, "new_sanctions", "2005-12-30").status == "approved"
