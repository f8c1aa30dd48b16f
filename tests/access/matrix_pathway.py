"""Authorization matrix: the pathway routes (see test_authorization_matrix.py).

A company's pathway is read through its registry party (a party the user may not see is a pathway
that does not exist); proposing needs engagement.manage; approving and rejecting need the approver
role (and never the proposer); withdrawing is the proposer's alone. The pathway records the USA
analyst makes here are UNCLASSIFIED and releasable to USA."""

from __future__ import annotations

from tests.access.matrix_support import DERIVED, VISIBLE, World

MANAGE = {"analyst", "analyst_conf", "approver"}
READS_USA = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"}
# each writer proposes on a probe company of its own (all visible to it)
OWN_PROBE = {"analyst": "u_all", "analyst_conf": "c_all", "approver": "published"}


def _status(user: str, allowed: set[str], ok: int) -> int:
    return ok if user in allowed else 401 if user == "public" else 403


def _pending(w: World) -> int:
    """A pending proposal (public stigma) the USA analyst made, once per world."""
    if not hasattr(w, "pathway_pending"):
        party = w.party_ids["u_all"]
        first = w.call(
            "analyst",
            "POST",
            f"/pathway/{party}/proposals",
            json={"to_stage": "continued_sanctions", "rationale": "no reply"},
        )
        assert first.status_code == 201, first.text
        stigma = w.call(
            "analyst", "POST", f"/pathway/{party}/proposals", json={"to_stage": "public_stigma", "rationale": "name it"}
        )
        assert stigma.status_code == 201 and stigma.json()["status"] == "pending", stigma.text
        w.pathway_pending = stigma.json()["id"]
    return w.pathway_pending


def check_funnel(w: World, user: str) -> None:
    response = w.call(user, "GET", "/pathway/funnel")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)


def check_pathway(w: World, user: str) -> None:
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "GET", f"/pathway/{party_id}")
        expected = 401 if user == "public" else 200 if probe in DERIVED[user] else 404
        assert response.status_code == expected, (user, probe, response.text)


def check_propose(w: World, user: str) -> None:
    probe = OWN_PROBE.get(user, "u_all")
    body = {"to_stage": "invited", "rationale": "dialogue"}
    response = w.call(user, "POST", f"/pathway/{w.party_ids[probe]}/proposals", json=body)
    assert response.status_code == _status(user, MANAGE, 201), (user, response.text)
    if user in MANAGE:  # a company the user may not see does not exist for them
        for other, party_id in w.party_ids.items():
            if other not in VISIBLE[user]:
                hidden = w.call(user, "POST", f"/pathway/{party_id}/proposals", json=body)
                assert hidden.status_code == 404, (user, other, hidden.text)


ENROLL_PROBE = {"analyst": "c_relusa", "analyst_conf": "u_unmarked_usa", "approver": "own_company"}


def check_enroll(w: World, user: str) -> None:
    probe = ENROLL_PROBE.get(user, "u_all")
    response = w.call(user, "POST", f"/pathway/{w.party_ids[probe]}/enroll", json={"note": "watch it"})
    assert response.status_code == _status(user, MANAGE, 201), (user, response.text)
    if user in MANAGE:
        assert response.json()["stage"] == "sanctioned"
        again = w.call(user, "POST", f"/pathway/{w.party_ids[probe]}/enroll", json={})
        assert again.status_code == 409, (user, again.text)


def check_approve(w: World, user: str) -> None:
    pid = _pending(w)
    response = w.call(user, "POST", f"/pathway/proposals/{pid}/approve", json={"note": "agreed"})
    assert response.status_code == _status(user, {"approver"}, 200), (user, response.text)
    if user == "approver":
        assert response.json()["status"] == "approved"


def check_reject(w: World, user: str) -> None:
    pid = _pending(w)
    response = w.call(user, "POST", f"/pathway/proposals/{pid}/reject", json={"note": "not yet"})
    assert response.status_code == _status(user, {"approver"}, 200), (user, response.text)


def check_withdraw(w: World, user: str) -> None:
    pid = _pending(w)
    response = w.call(user, "POST", f"/pathway/proposals/{pid}/withdraw", json={})
    # ORDER runs approver before analyst, and admin after: the proposer alone withdraws it
    expected = 401 if user == "public" else 404 if user not in READS_USA else 200 if user == "analyst" else 409
    assert response.status_code == expected, (user, response.text)


CHECKS = {
    ("GET", "/pathway/funnel"): check_funnel,
    ("GET", "/pathway/{party}"): check_pathway,
    ("POST", "/pathway/{party}/proposals"): check_propose,
    ("POST", "/pathway/{party}/enroll"): check_enroll,
    ("POST", "/pathway/proposals/{proposal_id}/approve"): check_approve,
    ("POST", "/pathway/proposals/{proposal_id}/reject"): check_reject,
    ("POST", "/pathway/proposals/{proposal_id}/withdraw"): check_withdraw,
}
