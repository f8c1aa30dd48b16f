"""Authorization matrix: recording the law's facts (issue 19; see test_authorization_matrix.py).

Only registry editors (analysts, approvers) record; everyone else is refused before anything is read (403,
the public 401). An editor sees a refusal of the rule (409) on a party or sanction they may read, and on
one they may not read the same "not found" as for one that never existed. Nothing here changes the
probes' sanctions (the requests on them are refused by the rules), so later checks see the same world."""

from __future__ import annotations

from tests.access.matrix_support import VISIBLE, World

EDITORS = {"analyst", "analyst_conf", "approver"}


def _refused(user: str, response) -> bool:
    if user == "public":
        assert response.status_code == 401, (user, response.text)
        return True
    if user not in EDITORS:
        assert response.status_code == 403, (user, response.text)
        return True
    return False


def check_add_party(w: World, user: str) -> None:
    body = {"name": f"matrix recorded party {user}", "schema": "Company", "country": "CN"}
    response = w.call(user, "POST", "/parties", json=body)
    if not _refused(user, response):
        assert response.status_code == 201 and response.json()["caption"] == body["name"], response.text


def check_add_sanction(w: World, user: str) -> None:
    body = {"authority": "AECA73", "imposed": "1989-01-01", "category": "II", "citation": "matrix"}
    never = None
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "POST", f"/parties/{party_id}/sanctions", json=body)
        if _refused(user, response):
            continue
        if probe in VISIBLE[user]:
            assert response.status_code == 409 and "before AECA73 took effect" in response.json()["detail"]
        else:
            assert response.status_code == 404, (user, probe, response.text)
            never = never or w.call(user, "POST", "/parties/p-never-was/sanctions", json=body).json()["detail"]
            assert response.json()["detail"].replace(party_id, "X") == never.replace("p-never-was", "X")


def _sanction_ids(w: World) -> dict[str, int]:
    """Each probe's sanction id, read by a user who may read it."""
    out = {}
    for probe, party_id in w.party_ids.items():
        reader = next(u for u in ("analyst", "partner", "company") if probe in VISIBLE[u])
        [row] = w.call(reader, "GET", "/sanctions", params={"party_id": party_id}).json()["results"]
        out[probe] = row["id"]
    return out


def check_add_event(w: World, user: str) -> None:
    body = {"kind": "pardon", "on": "2004-01-01", "citation": "matrix"}
    for probe, sanction_id in _sanction_ids(w).items():
        response = w.call(user, "POST", f"/sanctions/{sanction_id}/events", json=body)
        if _refused(user, response):
            continue
        expected = 409 if probe in VISIBLE[user] else 404
        assert response.status_code == expected, (user, probe, response.text)


def check_list_events(w: World, user: str) -> None:
    for probe, sanction_id in _sanction_ids(w).items():
        response = w.call(user, "GET", f"/sanctions/{sanction_id}/events")
        if user == "public":
            assert response.status_code == 401
            continue
        expected = 200 if probe in VISIBLE[user] else 404
        assert response.status_code == expected, (user, probe, response.text)
        if expected == 200:
            assert response.json() == []


CHECKS = {
    ("POST", "/parties"): check_add_party,
    ("POST", "/parties/{party}/sanctions"): check_add_sanction,
    ("POST", "/sanctions/{sanction_id}/events"): check_add_event,
    ("GET", "/sanctions/{sanction_id}/events"): check_list_events,
}
