"""Authorization matrix: the public recognition register and stigma list (see test_authorization_matrix.py).

Everyone, logged in or not, reads the published entries; nothing unpublished shows there (not the
proposal's rationale); who published an entry is shown to logged-in users only. The entry here is a
public stigma the USA analyst proposes and the approver approves on the probe company u_all."""

from __future__ import annotations

from tests.access.matrix_support import World

RATIONALE = "zzunpublished rationale"


def _published(w: World) -> int:
    """A published stigma list entry, once per world."""
    if not hasattr(w, "register_entry"):
        party = w.party_ids["u_all"]
        first = w.call("analyst", "POST", f"/pathway/{party}/proposals",
                       json={"to_stage": "continued_sanctions", "rationale": "no reply"})  # fmt: skip
        assert first.status_code == 201, first.text
        stigma = w.call("analyst", "POST", f"/pathway/{party}/proposals", json={
            "to_stage": "public_stigma", "rationale": RATIONALE,
            "statement": {"en": "Probe declined the dialogue.", "zh": "探针公司拒绝对话。"},
        })  # fmt: skip
        assert stigma.status_code == 201 and stigma.json()["status"] == "pending", stigma.text
        assert w.call("public", "GET", "/public/stigma").json()["entries"] == []  # not while pending
        approved = w.call("approver", "POST", f"/pathway/proposals/{stigma.json()['id']}/approve", json={})
        assert approved.status_code == 200, approved.text
        w.register_entry = w.call("public", "GET", "/public/stigma").json()["entries"][0]["id"]
    return w.register_entry


def _check_row(user: str, row: dict) -> None:
    assert (row["text_en"], row["text_zh"], row["status"]) == ("Probe declined the dialogue.", "探针公司拒绝对话。",
                                                              "current")  # fmt: skip
    assert ("published_by" in row) == (user != "public"), (user, row)


def check_register(w: World, user: str) -> None:
    _published(w)
    for params in ({}, {"lang": "zh"}, {"include_past": "true"}):
        response = w.call(user, "GET", "/public/register", params=params)
        assert response.status_code == 200 and response.json()["entries"] == [], (user, response.text)
    assert w.call(user, "GET", "/public/register", params={"lang": "fr"}).status_code == 422


def check_stigma(w: World, user: str) -> None:
    entry = _published(w)
    response = w.call(user, "GET", "/public/stigma", params={"lang": "zh"})
    assert response.status_code == 200, (user, response.text)
    (row,) = response.json()["entries"]
    assert row["id"] == entry and row["text"] == "探针公司拒绝对话。" and RATIONALE not in response.text
    _check_row(user, row)


def check_statement(w: World, user: str) -> None:
    entry = _published(w)
    response = w.call(user, "GET", f"/public/statements/{entry}")
    assert response.status_code == 200, (user, response.text)
    _check_row(user, response.json())
    assert w.call(user, "GET", "/public/statements/999999").status_code == 404


CHECKS = {
    ("GET", "/public/register"): check_register,
    ("GET", "/public/stigma"): check_stigma,
    ("GET", "/public/statements/{statement_id}"): check_statement,
}
