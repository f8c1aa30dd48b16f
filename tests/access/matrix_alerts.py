"""Authorization matrix: the breach-detection routes of the pathway (see test_authorization_matrix.py).

Reading alerts: any logged-in user, filtered by the alerts' markings (a party the user may not see
answers 404 as if it never existed). Scanning and reviewing: an analyst or an approver."""

from __future__ import annotations

from tests.access.matrix_support import VISIBLE, World

SCAN = {"analyst", "analyst_conf", "approver"}


def _status(user: str, allowed: set[str], ok: int) -> int:
    return ok if user in allowed else 401 if user == "public" else 403


def check_list_alerts(w: World, user: str) -> None:
    response = w.call(user, "GET", "/pathway/alerts")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user == "public":
        return
    assert response.json()["total"] == len(response.json()["results"])
    for probe, party_id in w.party_ids.items():
        filtered = w.call(user, "GET", "/pathway/alerts", params={"party": party_id})
        assert filtered.status_code == (200 if probe in VISIBLE[user] else 404), (user, probe, filtered.text)
    bad = w.call(user, "GET", "/pathway/alerts", params={"kind": "bananas"})
    assert bad.status_code == 422, (user, bad.text)


def check_scan(w: World, user: str) -> None:
    response = w.call(user, "POST", "/pathway/alerts/scan", json={})
    assert response.status_code == _status(user, SCAN, 200), (user, response.text)
    if user in SCAN:
        assert set(response.json()["counts"]) == {"breach", "review", "proposals"}
        for probe, party_id in w.party_ids.items():
            one = w.call(user, "POST", "/pathway/alerts/scan", json={"party": party_id})
            assert one.status_code == (200 if probe in VISIBLE[user] else 404), (user, probe, one.text)


def check_review(w: World, user: str) -> None:
    body = {"decision": "dismiss", "note": "not ours"}
    response = w.call(user, "POST", "/pathway/alerts/999999/review", json=body)
    # no such alert: 404 for those who may review, refused before looking for everyone else
    assert response.status_code == _status(user, SCAN, 404), (user, response.text)
    if user in SCAN:
        bad = w.call(user, "POST", "/pathway/alerts/999999/review", json={"decision": "forget", "note": "x"})
        assert bad.status_code == 422, (user, bad.text)


CHECKS = {
    ("GET", "/pathway/alerts"): check_list_alerts,
    ("POST", "/pathway/alerts/scan"): check_scan,
    ("POST", "/pathway/alerts/{alert_id}/review"): check_review,
}
