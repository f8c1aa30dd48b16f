"""Authorization matrix: the company routes (dossiers, disclosures, ICP assessments); see
test_authorization_matrix.py.

Records of three markings are made through the API: on the company officer's own company,
shared with its organization (NORINCO); on another company, also released to NORINCO (the
company-officer rule must still hide it); SECRET. Who may see each is written out, not computed."""

from __future__ import annotations

from tests.access.matrix_support import DERIVED, VISIBLE, World

MANAGE = {"analyst", "analyst_conf", "approver"}
SUBMIT = MANAGE | {"company"}
USA_READERS = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"}
SEES = {
    "own": USA_READERS | {"company"},
    "other": USA_READERS,
    "secret": {"analyst", "approver", "auditor", "admin"},
}
PARTY = {"own": "own_company", "other": "other_company", "secret": "u_all"}
MARKINGS = {"own": {"share_with": ["NORINCO"]}, "other": {"share_with": ["NORINCO"]},
            "secret": {"classification": "SECRET"}}  # fmt: skip
LISTED = "Listed Trading Company"  # hits the probe list's LISTED TRADING CO


def _status(user: str, allowed: set[str], ok: int) -> int:
    return ok if user in allowed else 401 if user == "public" else 403


def _disclosure(party_id: str, **extra) -> dict:
    return {"party_id": party_id, "counterparty": LISTED, "counterparty_country": "IR", "items": "machine tools",
            "value": 10, "currency": "USD", **extra}  # fmt: skip


def _records(w: World) -> dict:
    """A dossier (with an invitation), a disclosure and a draft ICP assessment of each marking,
    made once per world; the own company's disclosure hit is confirmed (a signal)."""
    made = getattr(w, "_engagement_companies", None)
    if made is not None:
        return made
    made = {"dossiers": {}, "invitations": {}, "disclosures": {}, "assessments": {}, "entries": {}}
    for name, marks in MARKINGS.items():
        party_id = w.party_ids[PARTY[name]]
        made["dossiers"][name] = party_id
        r = w.call("analyst", "POST", "/dossiers", json={"party_id": party_id, **marks})
        assert r.status_code == 201, r.text
        r = w.call("analyst", "POST", f"/dossiers/{party_id}/invitations", json={"invitees": [{"name": "Zhang"}]})
        assert r.status_code == 201, r.text
        made["invitations"][name] = r.json()["id"]
        r = w.call("analyst", "POST", "/icp/assessments", json={"party_id": party_id, "framework": "bis-ecg", **marks})
        assert r.status_code == 201, r.text
        made["assessments"][name] = r.json()["id"]
        if name == "own":  # the company discloses its own business
            r = w.call("company", "POST", "/disclosures", json=_disclosure(party_id))
        else:
            r = w.call("analyst", "POST", "/disclosures", json=_disclosure(party_id, **marks))
        assert r.status_code == 201 and r.json()["hits"], r.text
        made["disclosures"][name] = r.json()["id"]
        made["entries"][name] = r.json()["hits"][0]["entry_id"]
    r = w.call("analyst", "POST", f"/disclosures/{made['disclosures']['own']}/confirm",
               json={"entry_id": made["entries"]["own"], "reason": "matrix"})  # fmt: skip
    assert r.status_code == 200, r.text
    w._engagement_companies = made
    return made


def _visible(user: str, ids: dict) -> set:
    return {ids[name] for name, users in SEES.items() if user in users}


def _check_listing(w: World, user: str, url: str, ids: dict, key: str = "id") -> None:
    response = w.call(user, "GET", url)
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        body = response.json()
        assert {r[key] for r in body["results"]} == _visible(user, ids), (user, url)
        assert body["total"] == len(body["results"])
        export = w.call(user, "GET", url, params={"format": "csv"})
        assert export.status_code == 200 and export.text.count("\n") == 1 + len(body["results"]), (user, url)


def _each_record(w: World, user: str, kind: str, call) -> None:
    """``call(name, id)`` per record: 404 for a record the user may not see, else its own expectation."""
    for name, record_id in _records(w)[kind].items():
        response = call(name, record_id)
        if user in SEES[name]:
            yield name, response
        else:
            assert response.status_code == 404, (user, kind, name, response.text)


def _writes(w: World, user: str, allowed: set[str], kind: str, method: str, url: str, body, ok: int) -> None:
    """A write on each record of ``kind``: 401/403 without the permission, 404 on a record the
    user may not see, ``ok`` otherwise."""
    if user not in allowed:
        record_id = _records(w)[kind]["own"]
        assert w.call(user, method, url.format(record_id), json=body).status_code == _status(user, allowed, ok)
        return
    for name, response in _each_record(w, user, kind, lambda _, rid: w.call(user, method, url.format(rid), json=body)):
        assert response.status_code == ok, (user, name, response.text)


# --- dossiers ------------------------------------------------------------------------------


def check_list_dossiers(w: World, user: str) -> None:
    _check_listing(w, user, "/dossiers", _records(w)["dossiers"], key="party_id")


def check_open_dossier(w: World, user: str) -> None:
    _records(w)
    if user not in MANAGE:
        response = w.call(user, "POST", "/dossiers", json={"party_id": w.party_ids["listdata"]})
        assert response.status_code == _status(user, MANAGE, 201), (user, response.text)
        return
    for probe, party_id in w.party_ids.items():  # a party the user may not see does not exist
        response = w.call(user, "POST", "/dossiers", json={"party_id": party_id})
        if probe not in VISIBLE[user]:
            assert response.status_code == 404, (user, probe, response.text)
        else:  # opened by an earlier user, or now
            assert response.status_code in (201, 409), (user, probe, response.text)


def check_show_dossier(w: World, user: str) -> None:
    if user == "public":
        assert w.call(user, "GET", f"/dossiers/{w.party_ids['own_company']}").status_code == 401
        return
    for name, response in _each_record(w, user, "dossiers", lambda _, pid: w.call(user, "GET", f"/dossiers/{pid}")):
        assert response.status_code == 200 and len(response.json()["invitations"]) == 1, (user, name)


def check_dossier_status(w: World, user: str) -> None:
    # A status that does not exist: past authorization and the read check, then 422; nothing changes.
    _writes(w, user, MANAGE, "dossiers", "POST", "/dossiers/{}/status", {"status": "bogus"}, 422)


def check_dossier_topic(w: World, user: str) -> None:
    _writes(w, user, MANAGE, "dossiers", "POST", "/dossiers/{}/topics", {"topic": f"topic of {user}"}, 200)


def check_invite(w: World, user: str) -> None:
    body = {"invitees": [{"name": "Zhang", "title": "President"}], "conditions": ["unaccompanied"]}
    _writes(w, user, MANAGE, "dossiers", "POST", "/dossiers/{}/invitations", body, 201)


def check_invitation_status(w: World, user: str) -> None:
    _writes(w, user, MANAGE, "invitations", "POST", "/invitations/{}/status", {"status": "bogus"}, 422)


def check_record_meeting(w: World, user: str) -> None:
    body = {"held_on": "2007-11-01", "summary": f"met by {user}"}
    _writes(w, user, MANAGE, "dossiers", "POST", "/dossiers/{}/meetings", body, 201)


# --- disclosures ---------------------------------------------------------------------------


def check_list_disclosures(w: World, user: str) -> None:
    _check_listing(w, user, "/disclosures", _records(w)["disclosures"])


def check_add_disclosure(w: World, user: str) -> None:
    _records(w)
    if user not in SUBMIT:
        response = w.call(user, "POST", "/disclosures", json=_disclosure(w.party_ids["own_company"]))
        assert response.status_code == _status(user, SUBMIT, 201), (user, response.text)
        return
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "POST", "/disclosures", json=_disclosure(party_id))
        # A company officer discloses for their own company only; others' parties do not exist for them.
        allowed = probe == "own_company" if user == "company" else probe in VISIBLE[user]
        assert response.status_code == (201 if allowed else 404), (user, probe, response.text)


def _decide(w: World, user: str, verb: str) -> None:
    made = _records(w)
    if user not in MANAGE:
        url = f"/disclosures/{made['disclosures']['other']}/{verb}"
        response = w.call(user, "POST", url, json={"entry_id": made["entries"]["other"], "reason": "matrix"})
        assert response.status_code == _status(user, MANAGE, 200), (user, response.text)
        return
    # A disclosure of the user's own, decided once (200) and again (409: already decided). A country
    # of the user's own: a false positive cleared by an earlier user would be cleared already.
    country = {"analyst_conf": "IR", "approver": "SY", "analyst": "KP"}[user]
    r = w.call(user, "POST", "/disclosures", json=_disclosure(w.party_ids["u_all"], counterparty_country=country))
    did, entry_id = r.json()["id"], r.json()["hits"][0]["entry_id"]
    body = {"entry_id": entry_id, "reason": f"matrix {user}"}
    assert w.call(user, "POST", f"/disclosures/{did}/{verb}", json=body).status_code == 200, user
    assert w.call(user, "POST", f"/disclosures/{did}/{verb}", json=body).status_code == 409, user
    if user not in SEES["secret"]:
        url = f"/disclosures/{made['disclosures']['secret']}/{verb}"
        assert w.call(user, "POST", url, json={"entry_id": made["entries"]["secret"], "reason": "x"}).status_code == 404


def check_confirm_hit(w: World, user: str) -> None:
    _decide(w, user, "confirm")


def check_clear_hit(w: World, user: str) -> None:
    _decide(w, user, "clear")


def check_signals(w: World, user: str) -> None:
    made = _records(w)
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "GET", f"/disclosures/signals/{party_id}")
        if user == "public":
            assert response.status_code == 401
            return
        assert response.status_code == (200 if probe in DERIVED[user] else 404), (user, probe, response.text)
        if response.status_code == 404:  # exactly as a company that never existed
            assert response.json() == {"detail": f"no party {party_id!r}"}, (user, probe)
        if probe == "own_company" and response.status_code == 200:
            ids = [s["disclosure_id"] for s in response.json()["results"]]
            assert ids == ([made["disclosures"]["own"]] if user in SEES["own"] else []), user


# --- ICP -------------------------------------------------------------------------------------


def check_icp_rubric(w: World, user: str) -> None:
    response = w.call(user, "GET", "/icp/rubric")
    assert response.status_code == (401 if user == "public" else 200)
    if user != "public":
        assert [f["framework"] for f in response.json()] == ["eu-2019-1318", "bis-ecg"]


def check_list_assessments(w: World, user: str) -> None:
    _check_listing(w, user, "/icp/assessments", _records(w)["assessments"])


def check_start_assessment(w: World, user: str) -> None:
    _records(w)
    if user not in MANAGE:
        body = {"party_id": w.party_ids["listdata"], "framework": "bis-ecg"}
        assert w.call(user, "POST", "/icp/assessments", json=body).status_code == _status(user, MANAGE, 201)
        return
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "POST", "/icp/assessments", json={"party_id": party_id, "framework": "eu-2019-1318"})
        assert response.status_code == (201 if probe in VISIBLE[user] else 404), (user, probe, response.text)


def check_show_assessment(w: World, user: str) -> None:
    if user == "public":
        assert w.call(user, "GET", f"/icp/assessments/{_records(w)['assessments']['own']}").status_code == 401
        return
    for name, response in _each_record(w, user, "assessments",
                                       lambda _, aid: w.call(user, "GET", f"/icp/assessments/{aid}")):  # fmt: skip
        assert response.status_code == 200 and response.json()["status"] == "draft", (user, name)


def check_score_element(w: World, user: str) -> None:
    body = {"element": "BIS-1", "score": 2, "evidence": f"statement seen by {user}"}
    _writes(w, user, MANAGE, "assessments", "POST", "/icp/assessments/{}/scores", body, 200)


def check_finalize(w: World, user: str) -> None:
    # The records are incomplete drafts: 409 naming the missing elements, nothing changes.
    _writes(w, user, MANAGE, "assessments", "POST", "/icp/assessments/{}/finalize", {}, 409)
    if user in MANAGE:  # a complete one of the user's own finalizes
        r = w.call(user, "POST", "/icp/assessments", json={"party_id": w.party_ids["u_all"], "framework": "bis-ecg"})
        aid = r.json()["id"]
        for n in range(1, 9):
            body = {"element": f"BIS-{n}", "score": 3, "evidence": "seen"}
            assert w.call(user, "POST", f"/icp/assessments/{aid}/scores", json=body).status_code == 200
        final = w.call(user, "POST", f"/icp/assessments/{aid}/finalize", json={})
        assert final.status_code == 200 and final.json()["score"] == 1.0, (user, final.text)


def check_icp_evidence(w: World, user: str) -> None:
    _records(w)
    for probe, party_id in w.party_ids.items():
        response = w.call(user, "GET", f"/icp/evidence/{party_id}")
        if user == "public":
            assert response.status_code == 401
            return
        assert response.status_code == (200 if probe in DERIVED[user] else 404), (user, probe, response.text)


CHECKS = {
    ("GET", "/dossiers"): check_list_dossiers,
    ("POST", "/dossiers"): check_open_dossier,
    ("GET", "/dossiers/{party_id}"): check_show_dossier,
    ("POST", "/dossiers/{party_id}/status"): check_dossier_status,
    ("POST", "/dossiers/{party_id}/topics"): check_dossier_topic,
    ("POST", "/dossiers/{party_id}/invitations"): check_invite,
    ("POST", "/invitations/{invitation_id}/status"): check_invitation_status,
    ("POST", "/dossiers/{party_id}/meetings"): check_record_meeting,
    ("GET", "/disclosures"): check_list_disclosures,
    ("POST", "/disclosures"): check_add_disclosure,
    ("POST", "/disclosures/{disclosure_id}/confirm"): check_confirm_hit,
    ("POST", "/disclosures/{disclosure_id}/clear"): check_clear_hit,
    ("GET", "/disclosures/signals/{party_id}"): check_signals,
    ("GET", "/icp/rubric"): check_icp_rubric,
    ("POST", "/icp/assessments"): check_start_assessment,
    ("GET", "/icp/assessments"): check_list_assessments,
    ("GET", "/icp/assessments/{assessment_id}"): check_show_assessment,
    ("POST", "/icp/assessments/{assessment_id}/scores"): check_score_element,
    ("POST", "/icp/assessments/{assessment_id}/finalize"): check_finalize,
    ("GET", "/icp/evidence/{party_id}"): check_icp_evidence,
}
