"""Drafts found in cables: pledges, consultations and requests citing cable and paragraph, confirmed
into the engagement workflows or discarded by an analyst; nothing drafted counts before that."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from goodpath.access.policy import Role, Viewer
from goodpath.cables import drafts, ingest, review
from goodpath.cables.models import CableDraft
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Classification
from goodpath.engagement import consultations, pledges
from goodpath.engagement.models import Consultation, Pledge
from tests.cables.test_ingest import CONFIDENTIAL_ANALYST, engagement_parties  # noqa: F401 - a fixture
from tests.factories import OPERATOR

AUDITOR = Viewer(Role.AUDITOR, Classification.SECRET, "USA", 9, "auditor")


@pytest.fixture
def stored(session, cable_files, engagement_parties):  # noqa: F811 - the parties first: their load commits
    ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"], cable_files["07BEIJING1900"]])
    session.flush()


def find(session, reference_id: str, paragraph: int, words: str) -> dict:
    found = [d for d in drafts.list_drafts(session, OPERATOR, reference_id=reference_id)
             if d["paragraph"] == paragraph and words in d["text"]]  # fmt: skip
    assert len(found) == 1, (reference_id, paragraph, words, found)
    return found[0]


def test_drafts_are_found_with_their_actor_and_citation(session, stored):
    zhang = find(session, "07BEIJING5360", 1, "Zhang pledged to press NORINCO and CGWIC")
    assert (zhang["kind"], zhang["source"], zhang["status"]) == ("pledge", "07BEIJING5360 ¶1", "draft")
    assert zhang["fields"]["pledged_by"] == "Zhang Yan" and zhang["fields"]["pledged_to"] == "USG"
    # ¶5 restates it ("He pledged to press the companies"): one draft, the restatement kept with it
    assert [r["paragraph"] for r in zhang["fields"]["restated"]] == [5]
    nonpaper = find(session, "07BEIJING5360", 4, "the USG would prepare for China a nonpaper")
    assert (nonpaper["kind"], nonpaper["source"]) == ("pledge", "07BEIJING5360 ¶4")
    assert (nonpaper["fields"]["pledged_by"], nonpaper["fields"]["pledged_to"]) == ("USG", "PRC")
    assert nonpaper["fields"]["speaker"] == "Patricia McNerney"
    # "Zhang's proposals include:" -- one proposal per item, each Zhang's
    items = [d for d in drafts.list_drafts(session, OPERATOR, reference_id="07BEIJING1900")
             if d["fields"].get("lead") and "proposals include" in d["fields"]["lead"]]  # fmt: skip
    assert len(items) == 5 and {d["fields"]["actor"] for d in items} == {"Zhang Yan"}
    resume = find(session, "07BEIJING1900", 1, "immediately resuming nonproliferation consultations")
    assert resume["kind"] == "proposal" and resume["fields"]["record"] == "consultation"
    assert (resume["fields"]["level"], resume["fields"]["counterpart"]) == ("director_general", "CHN")
    assert resume["fields"]["cadence_months"] == 6  # "twice per year" in ¶4, which restates it
    suspended = find(session, "07BEIJING1900", 4, "were suspended last year by China")
    assert (suspended["kind"], suspended["fields"]["status"], suspended["fields"]["side"]) == ("status", "suspended",
                                                                                                "PRC")  # fmt: skip
    incentive = find(session, "07BEIJING5360", 1, "outlined a U.S. proposal")
    assert incentive["fields"]["actor"] == "Patricia McNerney"
    assert any('"good path"' in c for c in incentive["fields"]["conditions"])  # ¶2's terms, one proposal
    assert any('"bad path"' in c for c in incentive["fields"]["conditions"])
    encouraged = find(session, "07BEIJING5360", 1, "encouraged the United States")
    assert encouraged["kind"] == "request" and encouraged["fields"]["requested_of"] == "USG"
    assert {d["classification"] for d in drafts.list_drafts(session, OPERATOR)} == {"SECRET"}  # the cables' marking


def test_nothing_drafted_counts_as_confirmed(session, stored):
    assert session.scalar(select(func.count()).select_from(Pledge)) == 0
    assert session.scalar(select(func.count()).select_from(Consultation)) == 0
    assert pledges.list_pledges(session, OPERATOR) == []
    assert {d["status"] for d in drafts.list_drafts(session, OPERATOR)} == {"draft"}


def test_confirm_creates_a_pledge_citing_the_paragraph(session, stored):
    draft = find(session, "07BEIJING5360", 4, "would prepare for China a nonpaper")
    confirmed = drafts.confirm_draft(session, OPERATOR, draft["id"], owner="ISN")
    assert (confirmed.status, confirmed.confirmed_record_type, confirmed.decided_by) == ("confirmed", "pledge",
                                                                                         "test-operator")  # fmt: skip
    pledge = session.get(Pledge, confirmed.confirmed_record_id)
    assert pledge.source == "07BEIJING5360 ¶4"
    assert (pledge.pledged_by, pledge.pledged_to, pledge.owner, pledge.status) == ("USG", "PRC", "ISN", "open")
    assert "nonpaper" in pledge.text and pledge.made_on.isoformat() == "2007-08-15"
    assert pledge.classification == "SECRET"  # as classified as the cable it comes from
    with pytest.raises(Refused, match="cannot go from confirmed"):
        drafts.confirm_draft(session, OPERATOR, draft["id"])
    assert session.scalar(select(func.count()).select_from(Pledge)) == 1
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "cable_draft.confirm")).one()


def test_confirm_with_a_party_and_a_consultation(session, stored):
    zhang = find(session, "07BEIJING5360", 1, "Zhang pledged")
    made = drafts.confirm_draft(session, OPERATOR, zhang["id"], party_id="norinco", pledged_by="MFA (PRC)")
    pledge = session.get(Pledge, made.confirmed_record_id)
    assert pledge.pledged_by == "MFA (PRC)" and pledge.party_id is not None
    resume = find(session, "07BEIJING1900", 1, "immediately resuming nonproliferation consultations")
    track = drafts.confirm_draft(session, OPERATOR, resume["id"])
    consultation = session.get(Consultation, track.confirmed_record_id)
    assert (consultation.cadence_months, consultation.counterpart, consultation.level) == (6, "CHN", "director_general")
    assert consultation.source == "07BEIJING1900 ¶1"


def test_a_status_statement_confirms_as_the_suspension_of_a_consultation(session, stored):
    suspended = find(session, "07BEIJING1900", 4, "were suspended last year by China")
    with pytest.raises(GoodpathError, match="consultation_id"):
        drafts.confirm_draft(session, OPERATOR, suspended["id"])
    track = consultations.create(session, OPERATOR, title="DG-level nonproliferation consultations",
                                 level="director_general", counterpart="CHN", cadence_months=6,
                                 occurred_on="2006-01-10", classification="SECRET")  # fmt: skip
    done = drafts.confirm_draft(session, OPERATOR, suspended["id"], consultation_id=track.id,
                                occurred_on="2007-03-13")  # fmt: skip
    assert (done.status, done.confirmed_record_type, done.confirmed_record_id) == ("confirmed", "consultation",
                                                                                   track.id)  # fmt: skip
    assert session.get(Consultation, track.id).status == "suspended"


def test_bad_confirmations_change_nothing(session, stored):
    urged = find(session, "07BEIJING5360", 1, "encouraged the United States")
    with pytest.raises(Refused, match="confirm it as a pledge or a consultation"):
        drafts.confirm_draft(session, OPERATOR, urged["id"])
    with pytest.raises(GoodpathError, match="has no field"):
        drafts.confirm_draft(session, OPERATOR, urged["id"], as_kind="pledge", colour="red")
    with pytest.raises(GoodpathError, match="due_on"):
        drafts.confirm_draft(session, OPERATOR, urged["id"], as_kind="pledge", due_on="soon")
    with pytest.raises(Refused, match="permission"):
        drafts.confirm_draft(session, AUDITOR, urged["id"])
    with pytest.raises(NotFound):
        drafts.confirm_draft(session, CONFIDENTIAL_ANALYST, urged["id"])  # a SECRET cable's draft
    with pytest.raises(NotFound):
        drafts.confirm_draft(session, OPERATOR, 999999)
    assert session.get(CableDraft, urged["id"]).status == "draft"
    assert session.scalar(select(func.count()).select_from(Pledge)) == 0
    request = drafts.confirm_draft(session, OPERATOR, urged["id"], as_kind="pledge")
    assert session.get(Pledge, request.confirmed_record_id).pledged_by == "USG"  # the requested side


def test_discard_keeps_the_reason_and_is_final(session, stored):
    draft = find(session, "07BEIJING1900", 9, "We invite greater cooperation")
    with pytest.raises(GoodpathError, match="reason is required"):
        drafts.discard_draft(session, OPERATOR, draft["id"], " ")
    done = drafts.discard_draft(session, OPERATOR, draft["id"], "a general invitation, not a commitment")
    assert (done.status, done.decision_note) == ("discarded", "a general invitation, not a commitment")
    with pytest.raises(Refused):
        drafts.confirm_draft(session, OPERATOR, draft["id"])
    assert [d["id"] for d in drafts.list_drafts(session, OPERATOR, status="discarded")] == [draft["id"]]
    with pytest.raises(GoodpathError, match="status must be one of"):
        drafts.list_drafts(session, OPERATOR, status="maybe")


def test_decisions_survive_a_new_version_of_the_cable(session, stored, cable_files, tmp_path):
    keep = find(session, "07BEIJING5360", 4, "would prepare")
    drafts.confirm_draft(session, OPERATOR, keep["id"])
    dropped = find(session, "07BEIJING5360", 1, "encouraged the United States")
    drafts.discard_draft(session, OPERATOR, dropped["id"], "not ours to track")
    changed = tmp_path / "5360.txt"
    text = cable_files["07BEIJING5360"].read_text(encoding="utf-8")
    changed.write_text(text.replace("responded enthusiastically", "responded warmly"), encoding="utf-8")
    assert ingest.ingest_paths(session, OPERATOR, [changed])[0]["outcome"] == "pending_version"
    result = review.accept_version(session, OPERATOR, "07BEIJING5360", 2)
    assert result["decided_kept"] == 2 and result["decided_no_longer_found"] == []
    assert session.get(CableDraft, keep["id"]).status == "confirmed"
    assert session.get(CableDraft, dropped["id"]).status == "discarded"
    mine = drafts.list_drafts(session, OPERATOR, reference_id="07BEIJING5360")
    assert sum(1 for d in mine if "would prepare" in d["text"]) == 1  # not drafted again


def test_sentences_split_at_ends_not_at_abbreviations():
    text = "The U.S. proposal was welcomed. A/S Rood agreed to come. He said so.\n- a list item"
    assert list(drafts.sentences(text)) == ["The U.S. proposal was welcomed.", "A/S Rood agreed to come.",
                                            "He said so.", "a list item"]  # fmt: skip
