"""Authorization matrix: the eligibility route of the legal rule engine (see test_authorization_matrix.py).

Any logged-in user may ask; a party the user may not read (a company officer: any company but their own)
answers exactly like one that never existed, and only the sanctions the user may read are explained."""

from __future__ import annotations

from tests.access.matrix_support import DERIVED, World


def check_eligibility(w: World, user: str) -> None:
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "GET", f"/pathway/{party_id}/eligibility", params={"as_of": "2007-08-15"})
        if user == "public":
            assert response.status_code == 401, (user, probe, response.text)
            continue
        expected = 200 if probe in DERIVED[user] else 404
        assert response.status_code == expected, (user, probe, response.text)
        if expected == 404:
            never = w.call(user, "GET", "/pathway/p-never-was/eligibility").json()["detail"]
            assert response.json()["detail"].replace(party_id, "X") == never.replace("p-never-was", "X")
        else:
            assert response.json()["party"]["id"] == party_id
            assert len(response.json()["sanctions"]) == 1  # the probe's own sanction, same marking


CHECKS = {("GET", "/pathway/{party}/eligibility"): check_eligibility}
