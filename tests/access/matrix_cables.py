"""Authorization matrix: the cables routes (see test_authorization_matrix.py).

Cables of two classifications are uploaded once per world by the SECRET analyst of USA (so they are
releasable to USA only); who may see each is written out below, not computed."""

from __future__ import annotations

import io

from goodpath.core.settings import get_settings
from tests.access.matrix_support import World

MANAGE = {"analyst", "analyst_conf", "approver"}
# Releasable to USA only: the partner (CHN), the company officer and the public see neither.
SEES = {
    "07BEIJING1760": {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"},  # CONFIDENTIAL
    "07BEIJING5360": {"analyst", "approver", "auditor", "admin"},  # SECRET
}
SEEDS = get_settings().shared_dir
FILES = {
    "07BEIJING1760": SEEDS / "cables" / "07BEIJING1760.html",
    "07BEIJING5360": SEEDS / "seeds" / "001_bedb6463c994f4a0.txt",
}


def _status(user: str, allowed: set[str], ok: int) -> int:
    return ok if user in allowed else 401 if user == "public" else 403


def _upload(w: World, user: str, *names: str):
    files = [("files", (FILES[n].name, io.BytesIO(FILES[n].read_bytes()))) for n in names]
    return w.call(user, "POST", "/cables", files=files)


def _cables(w: World) -> dict:
    """The two cables and their drafts (ids by cable), stored once per world."""
    made = getattr(w, "_cables", None)
    if made is None:
        response = _upload(w, "analyst", *FILES)
        assert response.status_code == 201 and response.json()["stored"] == 2, response.text
        made = {ref: [d["id"] for d in w.call("analyst", "GET", f"/cables/{ref}").json()["drafts"]] for ref in FILES}
        w._cables = made
    return made


def check_upload(w: World, user: str) -> None:
    _cables(w)
    response = _upload(w, user, "07BEIJING1760")
    assert response.status_code == _status(user, MANAGE, 201), (user, response.text)
    if user in MANAGE:
        assert response.json()["results"][0]["outcome"] == "unchanged"
        secret = _upload(w, user, "07BEIJING5360").json()["results"][0]
        assert secret["outcome"] == ("unchanged" if user != "analyst_conf" else "refused"), (user, secret)


def check_list(w: World, user: str) -> None:
    _cables(w)
    response = w.call(user, "GET", "/cables")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        body = response.json()
        assert {c["reference_id"] for c in body["results"]} == {r for r, who in SEES.items() if user in who}, user
        assert body["total"] == len(body["results"])
        found = w.call(user, "GET", "/cables", params={"q": "nonpaper"}).json()["total"]
        assert found == (1 if user in SEES["07BEIJING5360"] else 0), user


def check_show(w: World, user: str) -> None:
    _cables(w)
    for ref, who in SEES.items():
        response = w.call(user, "GET", f"/cables/{ref}")
        expected = 401 if user == "public" else 200 if user in who else 404
        assert response.status_code == expected, (user, ref, response.text)


def check_list_drafts(w: World, user: str) -> None:
    made = _cables(w)
    response = w.call(user, "GET", "/cables/drafts")
    assert response.status_code == (401 if user == "public" else 200), (user, response.text)
    if user != "public":
        ids = {d["id"] for d in response.json()["results"]}
        expected = {i for ref, who in SEES.items() if user in who for i in made[ref]}
        assert ids == expected, user


def _draft_for(w: World, user: str, ref: str, index: int) -> int:
    """A draft of ``ref`` of its own for each user (each checker decides one)."""
    drafts = _cables(w)[ref]
    users = ["public", "company", "partner", "analyst_conf", "auditor_conf", "auditor", "approver", "analyst", "admin"]
    return drafts[(users.index(user) * 2 + index) % len(drafts)]


def _check_decision(w: World, user: str, action: str, body: dict) -> None:
    for ref, who in SEES.items():
        draft = _draft_for(w, user, ref, 0 if action == "confirm" else 1)
        response = w.call(user, "POST", f"/cables/drafts/{draft}/{action}", json=body)
        if user not in MANAGE:
            assert response.status_code == (401 if user == "public" else 403), (user, response.text)
        elif user not in who:  # a draft of a cable the user may not read does not exist for them
            assert response.status_code == 404, (user, ref, response.text)
        else:
            assert response.status_code in (200, 409, 422), (user, ref, response.text)  # decided, or incomplete
            assert w.call(user, "POST", f"/cables/drafts/999999/{action}", json=body).status_code == 404


def check_confirm(w: World, user: str) -> None:
    _check_decision(w, user, "confirm", {"as_kind": "pledge", "fields": {"pledged_by": "PRC", "pledged_to": "USG"}})


def check_discard(w: World, user: str) -> None:
    _check_decision(w, user, "discard", {"reason": "matrix"})


def check_versions(w: World, user: str) -> None:
    _cables(w)
    for ref, who in SEES.items():
        response = w.call(user, "GET", f"/cables/{ref}/versions")
        expected = 401 if user == "public" else 200 if user in who else 404
        assert response.status_code == expected, (user, ref, response.text)
        if expected == 200:
            assert [v["number"] for v in response.json()["results"]] == [1], (user, ref)


def check_accept_version(w: World, user: str) -> None:
    """Version 1 is current already: a manager who reads the cable is refused (409), never 200."""
    _cables(w)
    for ref, who in SEES.items():
        response = w.call(user, "POST", f"/cables/{ref}/versions/1/accept", json={})
        if user not in MANAGE:
            assert response.status_code == (401 if user == "public" else 403), (user, response.text)
        elif user not in who:
            assert response.status_code == 404, (user, ref, response.text)
        else:
            assert response.status_code == 409, (user, ref, response.text)
            assert w.call(user, "POST", f"/cables/{ref}/versions/9/accept", json={}).status_code == 404


CHECKS = {
    ("POST", "/cables"): check_upload,
    ("GET", "/cables"): check_list,
    ("GET", "/cables/{reference_id}"): check_show,
    ("GET", "/cables/drafts"): check_list_drafts,
    ("POST", "/cables/drafts/{draft_id}/confirm"): check_confirm,
    ("POST", "/cables/drafts/{draft_id}/discard"): check_discard,
    ("GET", "/cables/{reference_id}/versions"): check_versions,
    ("POST", "/cables/{reference_id}/versions/{number}/accept"): check_accept_version,
}
