"""Authorization matrix: the engagement cases routes (see test_authorization_matrix.py).

Cases and enforcement actions of three markings are made through the API (by the SECRET analyst
of USA, and the partner officer of CHN); who may see each is written out below, not computed."""

from __future__ import annotations

from tests.access.matrix_support import VISIBLE, World

MANAGE = {"analyst", "analyst_conf", "approver"}
RESPOND = MANAGE | {"partner"}
# Who may see a record of each marking: shared with the partner (UNCLASSIFIED, CHN,USA), kept
# to USA (UNCLASSIFIED, USA), SECRET (CHN,USA).
SEES = {
    "shared": {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin", "partner"},
    "usa_only": {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"},
    "secret": {"analyst", "approver", "auditor", "admin"},
}
MARKINGS = {"shared": {}, "usa_only": {"releasability": "USA"}, "secret": {"classification": "SECRET"}}


def _writer_status(user: str, allowed: set[str], ok: int) -> int:
    return ok if user in allowed else 401 if user == "public" else 403


def _case_body(reference: str, **extra) -> dict:
    return {"reference": reference, "title": "Motor cases", "facts": "Offered to an end user in Iran.",
            "raised_on": "2007-04-02", "destination": "IR", **extra}  # fmt: skip


def _records(w: World) -> dict:
    """The cases and actions of each marking, made once per world."""
    made = getattr(w, "_engagement_cases", None)
    if made is not None:
        return made
    made = {"cases": {}, "actions": {}}
    for name, marks in MARKINGS.items():
        response = w.call("analyst", "POST", "/cases", json=_case_body(f"MX-{name.upper().replace('_', '-')}", **marks))
        assert response.status_code == 201, response.text
        made["cases"][name] = response.json()["id"]
    action = {"kind": "investigation", "reported_by": "MOFCOM", "detail_level": "summary", "detail": "Opened.",
              "reported_on": "2007-05-01"}  # fmt: skip
    shared = w.call("partner", "POST", "/enforcement-actions", json=action | {"case_id": made["cases"]["shared"]})
    assert shared.status_code == 201, shared.text
    made["actions"]["shared"] = shared.json()["id"]
    for name in ("usa_only", "secret"):
        response = w.call("analyst", "POST", "/enforcement-actions",
                          json=action | {"case_id": made["cases"][name], **MARKINGS[name]})  # fmt: skip
        assert response.status_code == 201, response.text
        made["actions"][name] = response.json()["id"]
    w._engagement_cases = made
    return made


def _visible(user: str, ids: dict) -> set[int]:
    return {ids[name] for name, users in SEES.items() if user in users}


def check_list_cases(w: World, user: str) -> None:
    made = _records(w)["cases"]
    response = w.call(user, "GET", "/cases")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        body = response.json()
        assert {c["id"] for c in body["results"]} == _visible(user, made), user
        assert body["total"] == len(body["results"])
        export = w.call(user, "GET", "/cases", params={"format": "csv"})
        assert ("MX-SECRET" in export.text) == (user in SEES["secret"]), user


def check_raise_case(w: World, user: str) -> None:
    reference = f"MX-NEW-{user.upper().replace('_', '-')}"
    response = w.call(user, "POST", "/cases", json=_case_body(reference))
    assert response.status_code == _writer_status(user, MANAGE, 201), (user, response.text)
    if user in MANAGE:  # a registry party the user may not see is one that does not exist
        for probe, party_id in w.party_ids.items():
            linked = w.call(user, "POST", "/cases", json=_case_body(f"{reference}-{probe.upper().replace('_', '-')}",
                                                                    party_id=party_id))  # fmt: skip
            assert linked.status_code == (201 if probe in VISIBLE[user] else 404), (user, probe, linked.text)


def check_case_metrics(w: World, user: str) -> None:
    made = _records(w)["cases"]
    response = w.call(user, "GET", "/cases/metrics", params={"today": "2007-06-01"})
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        assert response.json()["open_by_age"]["open"] == len(_visible(user, made)), user


def check_case_detail(w: World, user: str) -> None:
    made = _records(w)["cases"]
    for name, case_id in made.items():
        response = w.call(user, "GET", f"/cases/{case_id}")
        expected = 401 if user == "public" else 200 if user in SEES[name] else 404
        assert response.status_code == expected, (user, name, response.text)
        if expected == 404:  # indistinguishable from a case that never existed
            absent = w.call(user, "GET", "/cases/999999").json()["detail"]
            assert response.json()["detail"].replace(str(case_id), "X") == absent.replace("999999", "X")
        if expected == 200:
            actions = {a["id"] for a in response.json()["actions"]}
            assert actions == {_records(w)["actions"][name]} & _visible(user, _records(w)["actions"]), (user, name)


def check_case_status(w: World, user: str) -> None:
    made = _records(w)["cases"]
    # A fresh case of the user's own, shared with the partner: the partner's step, then the outcome.
    fresh = w.call("analyst", "POST", "/cases", json=_case_body(f"MX-STEP-{user.upper().replace('_', '-')}"))
    url = f"/cases/{fresh.json()['id']}/status"
    step = w.call(user, "POST", url, json={"status": "acknowledged", "occurred_on": "2007-04-03"})
    assert step.status_code == _writer_status(user, RESPOND, 200), (user, step.text)
    close = {"status": "closed", "outcome": "closed_unsubstantiated", "note": "civilian end use"}
    closed = w.call(user, "POST", url, json=close)
    assert closed.status_code == _writer_status(user, MANAGE, 200), (user, closed.text)
    if user in RESPOND:  # a case the user may not see does not exist for them
        for name, case_id in made.items():
            hidden = w.call(user, "POST", f"/cases/{case_id}/status", json={"status": "acknowledged"})
            assert (hidden.status_code == 404) == (user not in SEES[name]), (user, name, hidden.text)


def check_add_case_party(w: World, user: str) -> None:
    made = _records(w)["cases"]
    fresh = w.call("analyst", "POST", "/cases", json=_case_body(f"MX-PARTY-{user.upper().replace('_', '-')}"))
    body = {"role": "broker", "name": "Beijing Alite Technologies", "country": "CN"}
    response = w.call(user, "POST", f"/cases/{fresh.json()['id']}/parties", json=body)
    assert response.status_code == _writer_status(user, MANAGE, 201), (user, response.text)
    if user in MANAGE:
        assert any(p["name"] == body["name"] for p in response.json()["parties"])
        for name, case_id in made.items():  # a case the user may not see does not exist for them
            hidden = w.call(user, "POST", f"/cases/{case_id}/parties", json=body)
            assert (hidden.status_code == 404) == (user not in SEES[name]), (user, name, hidden.text)


def check_remove_case_party(w: World, user: str) -> None:
    fresh = w.call("analyst", "POST", "/cases", json=_case_body(f"MX-UNPARTY-{user.upper().replace('_', '-')}"))
    case_id = fresh.json()["id"]
    added = w.call(
        "analyst", "POST", f"/cases/{case_id}/parties", json={"role": "broker", "name": "Alite", "country": "CN"}
    )
    row_id = added.json()["parties"][-1]["id"]
    response = w.call(user, "DELETE", f"/cases/{case_id}/parties/{row_id}")
    assert response.status_code == _writer_status(user, MANAGE, 200), (user, response.text)
    if user in MANAGE:
        assert all(p["id"] != row_id for p in response.json()["parties"]), user


def check_add_case_item(w: World, user: str) -> None:
    made = _records(w)["cases"]
    fresh = w.call("analyst", "POST", "/cases", json=_case_body(f"MX-ITEM-{user.upper().replace('_', '-')}"))
    body = {"description": "Gyroscopes", "control_entry": "ECCN 7A001"}
    response = w.call(user, "POST", f"/cases/{fresh.json()['id']}/items", json=body)
    assert response.status_code == _writer_status(user, MANAGE, 201), (user, response.text)
    if user in MANAGE:
        assert any(i["description"] == "Gyroscopes" for i in response.json()["items"]), user
        for name, case_id in made.items():  # a case the user may not see does not exist for them
            hidden = w.call(user, "POST", f"/cases/{case_id}/items", json=body)
            assert (hidden.status_code == 404) == (user not in SEES[name]), (user, name, hidden.text)


def check_remove_case_item(w: World, user: str) -> None:
    made = _records(w)["cases"]
    body = {"description": "Accelerometers"}
    fresh = w.call("analyst", "POST", "/cases", json=_case_body(f"MX-UNITEM-{user.upper().replace('_', '-')}"))
    case_id = fresh.json()["id"]
    w.call("analyst", "POST", f"/cases/{case_id}/items", json=body)
    response = w.call(user, "DELETE", f"/cases/{case_id}/items/1")
    assert response.status_code == _writer_status(user, MANAGE, 200), (user, response.text)
    if user in MANAGE:
        assert response.json()["items"] == [], user
        for name, hidden_id in made.items():  # an item on a case the user may not see does not exist for them
            number = len(w.call("analyst", "POST", f"/cases/{hidden_id}/items", json=body).json()["items"])
            hidden = w.call(user, "DELETE", f"/cases/{hidden_id}/items/{number}")
            assert hidden.status_code == (200 if user in SEES[name] else 404), (user, name, hidden.text)


def check_list_actions(w: World, user: str) -> None:
    made = _records(w)["actions"]
    response = w.call(user, "GET", "/enforcement-actions")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        assert {a["id"] for a in response.json()["results"]} == _visible(user, made), user


def check_report_action(w: World, user: str) -> None:
    made = _records(w)["cases"]
    body = {"kind": "warning", "reported_by": "MOFCOM", "detail_level": "none", "reported_on": "2007-05-02",
            "case_id": made["shared"]}  # fmt: skip
    response = w.call(user, "POST", "/enforcement-actions", json=body)
    assert response.status_code == _writer_status(user, RESPOND, 201), (user, response.text)
    if user in RESPOND:
        for name, case_id in made.items():
            on_case = w.call(user, "POST", "/enforcement-actions", json=body | {"case_id": case_id})
            assert on_case.status_code == (201 if user in SEES[name] else 404), (user, name, on_case.text)
        for probe, party_id in w.party_ids.items():
            on_party = w.call(user, "POST", "/enforcement-actions", json=body | {"case_id": None, "party_id": party_id})
            assert on_party.status_code == (201 if probe in VISIBLE[user] else 404), (user, probe, on_party.text)


def check_transparency_report(w: World, user: str) -> None:
    made = _records(w)["actions"]
    params = {"from": "2007-01-01", "to": "2007-12-31"}
    response = w.call(user, "GET", "/enforcement-actions/report", params=params)
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        body = response.json()
        assert {a["id"] for a in body["actions"]} == _visible(user, made) and body["total"] == len(body["actions"])
        assert body["cases_raised"] == len(_visible(user, _records(w)["cases"])), user


CHECKS = {
    ("GET", "/cases"): check_list_cases,
    ("POST", "/cases"): check_raise_case,
    ("GET", "/cases/metrics"): check_case_metrics,
    ("GET", "/cases/{case_id}"): check_case_detail,
    ("POST", "/cases/{case_id}/status"): check_case_status,
    ("POST", "/cases/{case_id}/parties"): check_add_case_party,
    ("DELETE", "/cases/{case_id}/parties/{party_id}"): check_remove_case_party,
    ("POST", "/cases/{case_id}/items"): check_add_case_item,
    ("DELETE", "/cases/{case_id}/items/{number}"): check_remove_case_item,
    ("GET", "/enforcement-actions"): check_list_actions,
    ("POST", "/enforcement-actions"): check_report_action,
    ("GET", "/enforcement-actions/report"): check_transparency_report,
}
