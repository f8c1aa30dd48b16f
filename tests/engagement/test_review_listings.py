"""What the dossier and disclosure review pages read: entries recorded after the fact (with the reason a
meeting was recorded late, from its audit entry), and the analysts' disclosure queue (undecided hits
first, filters, paging)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError
from goodpath.core.models import utcnow
from goodpath.engagement import disclosures, dossiers
from goodpath.lists import service as lists
from tests.engagement.test_dossiers import NORINCO, OFFICER, OTHER_OFFICER, add_parties
from tests.factories import OPERATOR, entity, parsed

LISTED = "SHAHID HEMMAT INDUSTRIAL GROUP"


def test_a_backdated_meeting_and_answer_are_listed_with_their_reason(session):
    add_parties(session)
    dossier = dossiers.open_dossier(session, OPERATOR, NORINCO, share_with=["NORINCO"], occurred_on="2007-08-13")
    invitation = dossiers.invite(session, OPERATOR, NORINCO, invitees=["Zhang|President"], occurred_on="2007-08-20")
    dossiers.set_invitation_status(session, OPERATOR, invitation.id, "sent", occurred_on="2007-09-01")
    dossiers.set_invitation_status(session, OPERATOR, invitation.id, "accepted", occurred_on="2007-09-20",
                                   response="He will come", source="07BEIJING6000 ¶2")  # fmt: skip
    meeting = dossiers.record_meeting(session, OPERATOR, NORINCO, held_on="2007-10-10", summary="Talked.",
                                      invitation_id=invitation.id, reason="From the cable, months later")  # fmt: skip
    today = dossiers.record_meeting(session, OPERATOR, NORINCO, held_on=utcnow().date(), summary="Today.")
    session.commit()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "company_meeting.record",
                                                     AuditEntry.target_id == str(meeting.id))).one()  # fmt: skip
    assert entry.reason == "From the cable, months later"
    late = dossiers.late_entries(session, OPERATOR, dossier)
    kinds = {(r["kind"], r["id"], r["to"]) for r in late}
    assert ("meeting", meeting.id, None) in kinds and ("meeting", today.id, None) not in kinds
    assert {("invitation", invitation.id, "accepted"), ("dossier", dossier.id, "proposed")} <= kinds
    row = next(r for r in late if r["kind"] == "meeting")
    assert row["reason"] == "From the cable, months later" and row["days"] > 6000 and row["by"] == OPERATOR.actor
    answer = next(r for r in late if r["to"] == "accepted")
    assert (answer["reason"], answer["source"]) == ("He will come", "07BEIJING6000 ¶2")
    # what another company's officer cannot read is not listed for them; nor is the record-keeping of
    # the government side shown to the company's own officer, who reads the meeting itself
    assert dossiers.late_entries(session, OTHER_OFFICER, dossier) == []
    assert dossiers.get_dossier(session, OFFICER, NORINCO).id == dossier.id
    assert dossiers.late_entries(session, OFFICER, dossier) == []


@pytest.fixture
def queued(session):
    add_parties(session)
    lists.apply_parsed(session, parsed([entity("1", LISTED)]), dataset="queue-test")
    made = []
    for name in ("Shahid Hemmat Industrial Group", "Harmless Bakery Supplies", "Shahid Hemmat Industrial Group"):
        made.append(disclosures.add_disclosure(session, OFFICER, NORINCO, counterparty=name,
                                               counterparty_country="IR", items="tools"))  # fmt: skip
    session.commit()
    return session, [d.id for d in made]


def test_the_queue_puts_undecided_hits_first_and_filters_and_pages(queued):
    session, (first, clean, second) = queued
    queue = disclosures.review_queue(session, OPERATOR)
    assert queue["total"] == 3 and [r["id"] for r in queue["results"]] == [first, second, clean]
    assert [r["unreviewed"] for r in queue["results"]] == [1, 1, 0]
    entry = queue["results"][0]["hits"][0]["entry_id"]
    disclosures.clear_hit(session, OPERATOR, first, entry, "another group")
    session.commit()
    assert [r["id"] for r in disclosures.review_queue(session, OPERATOR)["results"]] == [second, clean, first]
    assert [r["id"] for r in disclosures.review_queue(session, OPERATOR, review="to_review")["results"]] == [second]
    assert [r["id"] for r in disclosures.review_queue(session, OPERATOR, review="reviewed")["results"]] == [first]
    assert [r["id"] for r in disclosures.review_queue(session, OPERATOR, signal="none")["results"]] == [clean]
    page = disclosures.review_queue(session, OPERATOR, limit=2, offset=2)
    assert page["total"] == 3 and [r["id"] for r in page["results"]] == [first]
    assert disclosures.review_queue(session, OPERATOR, party_id="p-cgwic")["total"] == 0
    assert disclosures.review_queue(session, OTHER_OFFICER)["total"] == 0
    assert disclosures.disclosing_companies(session, OPERATOR) == [NORINCO]
    assert disclosures.disclosing_companies(session, OTHER_OFFICER) == []
    with pytest.raises(GoodpathError, match="review must be one of"):
        disclosures.review_queue(session, OPERATOR, review="later")
