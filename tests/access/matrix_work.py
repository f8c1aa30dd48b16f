"""Authorization matrix: work on records -- assignments and comments (see test_authorization_matrix.py).

The cases of three markings come from matrix_engagement_cases. A case a user may not read has no work
for them (404, as a case that does not exist); those who may read it but not manage engagement records
(the partner, auditors, the administrator) are refused (403); the public is asked to log in (401).
Who sees and who works on each is written out here, not computed."""

from __future__ import annotations

from tests.access.matrix_engagement_cases import SEES, _records
from tests.access.matrix_support import World

WORKS = {"analyst", "analyst_conf", "approver"}


def _expected(user: str, name: str, ok: int) -> int:
    if user == "public":
        return 401
    if user not in SEES[name]:
        return 404
    return ok if user in WORKS else 403


def _assigned(w: World) -> dict:
    """The approver assigns the SECRET case to the analyst and the shared one to the CONFIDENTIAL analyst,
    and comments on each, once per world."""
    cases = _records(w)["cases"]
    if not getattr(w, "_work_assigned", False):
        for name, assignee in (("secret", "analyst"), ("shared", "analyst_conf")):
            response = w.call("approver", "POST", f"/worklist/case/{cases[name]}/assign",
                              json={"assignee": assignee, "due_on": "2007-06-01"})  # fmt: skip
            assert response.status_code == 200, response.text
            response = w.call("approver", "POST", f"/worklist/case/{cases[name]}/comments", json={"body": f"zz {name}"})
            assert response.status_code == 201, response.text
        w._work_assigned = True
    return cases


def check_my_work(w: World, user: str) -> None:
    cases = _assigned(w)
    response = w.call(user, "GET", "/worklist/mine")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        mine = {r["record_id"] for r in response.json()["results"]}
        expected = {"analyst": {cases["secret"]}, "analyst_conf": {cases["shared"]}}.get(user, set())
        assert mine & set(cases.values()) == expected, user
        assert response.json()["overdue"] >= len(expected)


def check_work_on(w: World, user: str) -> None:
    cases = _assigned(w)
    for name, case_id in cases.items():
        response = w.call(user, "GET", f"/worklist/case/{case_id}")
        expected = 401 if user == "public" else 200 if user in SEES[name] else 404
        assert response.status_code == expected, (user, name, response.text)
        if expected == 404:
            assert "zz" not in response.text
    assert w.call(user, "GET", "/worklist/dossier/1").status_code == (401 if user == "public" else 404)


def check_comments(w: World, user: str) -> None:
    cases = _assigned(w)
    for name, case_id in cases.items():
        response = w.call(user, "GET", f"/worklist/case/{case_id}/comments")
        expected = 401 if user == "public" else 200 if user in SEES[name] else 404
        assert response.status_code == expected, (user, name, response.text)
        if expected == 200 and name in ("secret", "shared"):
            assert f"zz {name}" in {c["body"] for c in response.json()}


def check_assign(w: World, user: str) -> None:
    cases = _assigned(w)
    for name, case_id in cases.items():
        response = w.call(user, "POST", f"/worklist/case/{case_id}/assign", json={"assignee": "approver"})
        assert response.status_code == _expected(user, name, 200), (user, name, response.text)
    for name, assignee in (("secret", "analyst"), ("shared", "analyst_conf")):  # as check_my_work expects
        w.call(
            "approver",
            "POST",
            f"/worklist/case/{cases[name]}/assign",
            json={"assignee": assignee, "due_on": "2007-06-01"},
        )


def check_add_comment(w: World, user: str) -> None:
    cases = _assigned(w)
    for name, case_id in cases.items():
        response = w.call(user, "POST", f"/worklist/case/{case_id}/comments", json={"body": f"by {user}"})
        assert response.status_code == _expected(user, name, 201), (user, name, response.text)


def check_unassign(w: World, user: str) -> None:
    cases = _assigned(w)
    for name, case_id in cases.items():
        response = w.call(user, "DELETE", f"/worklist/case/{case_id}/assign")
        expected = _expected(user, name, 200)
        if expected == 200 and name not in ("secret", "shared"):
            expected = 422  # never assigned: nothing to end
        assert response.status_code == expected, (user, name, response.text)
        if response.status_code == 200:  # put it back as the other checks expect
            assignee = {"secret": "analyst", "shared": "analyst_conf"}[name]
            again = w.call("approver", "POST", f"/worklist/case/{case_id}/assign",
                           json={"assignee": assignee, "due_on": "2007-06-01"})  # fmt: skip
            assert again.status_code == 200, again.text


CHECKS = {
    ("GET", "/worklist/mine"): check_my_work,
    ("DELETE", "/worklist/{record_type}/{record_id}/assign"): check_unassign,
    ("GET", "/worklist/{record_type}/{record_id}"): check_work_on,
    ("GET", "/worklist/{record_type}/{record_id}/comments"): check_comments,
    ("POST", "/worklist/{record_type}/{record_id}/assign"): check_assign,
    ("POST", "/worklist/{record_type}/{record_id}/comments"): check_add_comment,
}
