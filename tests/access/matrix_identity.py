"""Authorization matrix: the identity review (see test_authorization_matrix.py): candidates, merges, their
undo, and analysts' decisions that two parties are distinct.

Analysts and approvers alone (registry.edit); the public is asked to log in (401), everyone else refused
(403) before anything is looked up. An analyst never sees, merges or names a party above their reading:
a hidden party is "not found", as one that never existed."""

from __future__ import annotations

from goodpath.core.db import session_scope
from goodpath.registry.models import Party, PartyName
from tests.access.matrix_support import VISIBLE, World

EDITORS = {"analyst", "analyst_conf", "approver"}


def _status(user: str, ok: int) -> int:
    return ok if user in EDITORS else 401 if user == "public" else 403


def _pair(user: str, what: str) -> tuple[str, str]:
    """Two unclassified parties named alike, made for this user and check."""
    ids = (f"id-{what}-{user}-1", f"id-{what}-{user}-2")
    with session_scope() as session:
        for party_id in ids:
            marking = {"classification": "UNCLASSIFIED", "releasability": "ALL", "originator": "USA"}
            session.add(Party(id=party_id, schema="Company", caption=f"Zzmerge {what} {user}", countries=[],
                              birth_dates=[], **marking))  # fmt: skip
            session.flush()
            session.add(PartyName(party_id=party_id, value=f"Zzmerge {what} {user}", kind="primary",
                                  normalized=f"zzmerge {what} {user}", **marking))  # fmt: skip
    return ids


def check_candidates(w: World, user: str) -> None:
    response = w.call(user, "GET", "/identity/candidates", params={"min_score": 0.5, "limit": 1000})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in EDITORS:
        hidden = {w.party_ids[p] for p in set(w.party_ids) - VISIBLE[user]}
        named = {i for c in response.json()["results"] for i in (c["first"], c["second"])}
        assert not named & hidden, user


def check_merges(w: World, user: str) -> None:
    response = w.call(user, "GET", "/identity/merges")
    assert response.status_code == _status(user, 200), (user, response.text)


def check_merge(w: World, user: str) -> None:
    first, second = _pair(user, "merge")
    response = w.call(user, "POST", "/identity/merges", json={"first": first, "second": second, "reason": "one"})
    assert response.status_code == _status(user, 201), (user, response.text)
    if user not in EDITORS:
        assert w.call("analyst", "GET", f"/parties/{second}").json()["id"] == second  # nothing merged
        return
    merge_id = response.json()["id"]
    assert w.call(user, "GET", f"/identity/merges/{merge_id}").json()["merged"] == second
    assert w.call(user, "GET", f"/parties/{second}").json()["id"] == first
    if "s_all" not in VISIBLE[user]:  # a party above the analyst's clearance: as one that never existed
        secret = w.call(user, "POST", "/identity/merges", json={"first": w.party_ids["s_all"], "second": first,
                                                                 "reason": "x"})  # fmt: skip
        assert secret.status_code == 404 and "s_all" not in secret.text.replace(w.party_ids["s_all"], ""), user


def check_get_merge(w: World, user: str) -> None:
    first, second = _pair(user, "get")
    made = w.call("analyst", "POST", "/identity/merges", json={"first": first, "second": second, "reason": "one"})
    assert made.status_code == 201, made.text
    response = w.call(user, "GET", f"/identity/merges/{made.json()['id']}")
    assert response.status_code == _status(user, 200), (user, response.text)
    assert w.call(user, "GET", "/identity/merges/999999").status_code == _status(user, 404)


def check_undo(w: World, user: str) -> None:
    first, second = _pair(user, "undo")
    made = w.call("analyst", "POST", "/identity/merges", json={"first": first, "second": second, "reason": "one"})
    url = f"/identity/merges/{made.json()['id']}/undo"
    response = w.call(user, "POST", url, json={"reason": "two"})
    assert response.status_code == _status(user, 200), (user, response.text)
    if user in EDITORS:
        assert w.call(user, "POST", url, json={"reason": "again"}).status_code == 409
        assert w.call(user, "GET", f"/parties/{second}").json()["id"] == second


def check_decide(w: World, user: str) -> None:
    first, second = _pair(user, "decide")
    response = w.call(user, "POST", "/identity/decisions", json={"first": first, "second": second, "reason": "two"})
    assert response.status_code == _status(user, 201), (user, response.text)


CHECKS = {
    ("GET", "/identity/candidates"): check_candidates,
    ("GET", "/identity/merges"): check_merges,
    ("POST", "/identity/merges"): check_merge,
    ("GET", "/identity/merges/{merge_id}"): check_get_merge,
    ("POST", "/identity/merges/{merge_id}/undo"): check_undo,
    ("POST", "/identity/decisions"): check_decide,
}
