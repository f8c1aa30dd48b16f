"""Work on records through the access policy (access/work.py): who may assign and comment, whom a
record may be assigned to, a comment's marking (never above the author's clearance nor the record's
marking), comments and "my work" filtered by what each viewer may read, overdue first; a record the
viewer may not read has no work for them (NotFound)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from goodpath.access import auth, work
from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import utcnow
from goodpath.engagement.models import Pledge, ViolationCase


def _user(session, username, role="analyst", clearance="SECRET", organization="USA"):
    user = auth.create_user(session, username, f"password-of-{username}", role, clearance, organization,
                            actor="test-setup")  # fmt: skip
    return auth.viewer_of(user)


def _case(session, reference, classification="CONFIDENTIAL", releasability="CHN,USA", status="raised"):
    case = ViolationCase(reference=reference, title=f"Case {reference}", raised_on=date(2026, 1, 5), status=status,
                         status_on=date(2026, 1, 5), facts="f", created_by="t", classification=classification,
                         releasability=releasability, originator="USA")  # fmt: skip
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def people(session):
    return {
        "approver": _user(session, "approver1", "approver"),
        "analyst": _user(session, "analyst1", "analyst"),
        "low": _user(session, "analyst2", "analyst", clearance="UNCLASSIFIED"),
        "partner": _user(session, "partner1", "partner_officer", clearance="SECRET", organization="CHN"),
        "auditor": _user(session, "auditor1", "auditor"),
    }


def test_an_approver_assigns_a_case_and_the_analyst_sees_it_overdue_first(session, people):
    late, later = _case(session, "WLC-1"), _case(session, "WLC-2")
    yesterday = utcnow().date() - timedelta(days=1)
    work.assign(session, people["approver"], "case", later.id, "analyst1", utcnow().date() + timedelta(days=5))
    row = work.assign(session, people["approver"], "case", late.id, "Analyst1 ", yesterday.isoformat(), "check it")
    assert (row["assignee"], row["overdue"], row["note"]) == ("analyst1", True, "check it")
    mine = work.my_work(session, people["analyst"])
    assert [r["record_id"] for r in mine["results"]] == [late.id, later.id]
    assert (mine["total"], mine["overdue"]) == (2, 1)
    assert mine["results"][0]["title"] == "WLC-1 · Case WLC-1"
    assert work.my_work(session, people["approver"])["total"] == 0


def test_work_on_a_closed_case_leaves_my_work(session, people):
    case = _case(session, "WLC-3", status="closed")
    work.assign(session, people["approver"], "case", case.id, "analyst1")
    assert work.my_work(session, people["analyst"])["total"] == 0
    assert work.my_work(session, people["analyst"], include_done=True)["total"] == 1


def test_the_assignee_must_be_an_active_user_who_may_read_and_work_on_it(session, people):
    case = _case(session, "WLC-4", classification="SECRET", releasability="USA")
    for name, why in (("nobody", "no active user"), ("analyst2", "may not read"), ("auditor1", "may not work"),
                      ("partner1", "may not work"), ("", "assignee is required")):  # fmt: skip
        with pytest.raises(GoodpathError, match=why):
            work.assign(session, people["approver"], "case", case.id, name)
    assert [u["username"] for u in work.assignees(session, people["approver"], "case", case.id)] == [
        "analyst1",
        "approver1",
    ]
    with pytest.raises(GoodpathError, match="due_on"):
        work.assign(session, people["approver"], "case", case.id, "analyst1", "next week")


def test_a_record_the_viewer_may_not_read_has_no_work_for_them(session, people):
    secret = _case(session, "WLC-5", classification="SECRET", releasability="USA")
    work.assign(session, people["approver"], "case", secret.id, "analyst1")
    work.comment(session, people["approver"], "case", secret.id, "secret note")
    for call in (
        lambda: work.assign(session, people["low"], "case", secret.id, "analyst1"),
        lambda: work.comment(session, people["low"], "case", secret.id, "x"),
        lambda: work.comments(session, people["low"], "case", secret.id),
        lambda: work.work_on(session, people["partner"], "case", secret.id),
        lambda: work.work_on(session, people["analyst"], "case", 987654),
        lambda: work.work_on(session, people["analyst"], "dossier", secret.id),
    ):
        with pytest.raises(NotFound):
            call()


def test_a_reader_without_the_permission_is_refused(session, people):
    case = _case(session, "WLC-6")
    for call in (lambda: work.assign(session, people["partner"], "case", case.id, "analyst1"),
                 lambda: work.comment(session, people["partner"], "case", case.id, "x")):  # fmt: skip
        with pytest.raises(Refused):
            call()
    assert work.work_on(session, people["partner"], "case", case.id)["may_work"] is False


def test_comments_are_marked_by_their_author_and_read_through_the_policy(session, people):
    case = _case(session, "WLC-7", classification="CONFIDENTIAL", releasability="CHN,USA")
    shared = work.comment(session, people["analyst"], "case", case.id, "shared")  # default: as the record
    assert (shared["classification"], shared["releasability"]) == ("CONFIDENTIAL", "CHN,USA")
    ours = work.comment(session, people["analyst"], "case", case.id, "ours", releasability="USA")
    work.comment(session, people["approver"], "case", case.id, "reply", parent_id=ours["id"],
                 classification="UNCLASSIFIED", releasability="USA")  # fmt: skip
    with pytest.raises(GoodpathError, match="classification"):
        work.comment(session, people["analyst"], "case", case.id, "x", classification="SECRET")
    with pytest.raises(GoodpathError, match="releasability"):
        work.comment(session, people["analyst"], "case", case.id, "x", releasability="ALL")
    with pytest.raises(NotFound):
        work.comment(session, people["analyst"], "case", case.id, "x", parent_id=999999)
    seen = work.comments(session, people["analyst"], "case", case.id)
    assert [(c["body"], c["depth"]) for c in seen] == [("shared", 0), ("ours", 0), ("reply", 1)]
    assert [c["body"] for c in work.comments(session, people["partner"], "case", case.id)] == ["shared"]
    # never above the author's own clearance
    open_case = _case(session, "WLC-8", classification="CONFIDENTIAL", releasability="USA")
    open_case.classification = "UNCLASSIFIED"
    session.flush()
    with pytest.raises(GoodpathError, match="above your clearance"):
        work.comment(session, people["low"], "case", open_case.id, "x", classification="CONFIDENTIAL")


def test_every_assignment_and_comment_is_audited(session, people):
    case = _case(session, "WLC-9")
    work.assign(session, people["approver"], "case", case.id, "analyst1")
    work.assign(session, people["approver"], "case", case.id, "approver1")
    work.comment(session, people["approver"], "case", case.id, "hello")
    query = select(AuditEntry.action).where(AuditEntry.target_id == str(case.id))
    actions = session.scalars(query.where(AuditEntry.target_type == "violation_case")).all()
    assert actions == ["work.assigned", "work.reassigned", "work.commented"]


def test_pledges_are_assigned_like_cases(session, people):
    pledge = Pledge(made_on=date(2026, 1, 1), pledged_by="MFA", pledged_to="USG", text="Export controls law",
                    status="open", created_by="t", classification="UNCLASSIFIED", releasability="USA",
                    originator="USA")  # fmt: skip
    session.add(pledge)
    session.flush()
    work.assign(session, people["approver"], "pledge", pledge.id, "analyst1", "2026-01-02")
    [row] = work.my_work(session, people["analyst"])["results"]
    assert (row["record_type"], row["title"], row["overdue"]) == ("pledge", "Export controls law", True)
