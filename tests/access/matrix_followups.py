"""Authorization matrix: the follow-up work after commits (see test_authorization_matrix.py).

Administrators alone list follow-ups and retry failed ones: their payloads, results and errors name
records of any marking. Everyone else logged in is refused (403), the public asked to log in (401),
and a refused retry changes nothing."""

from __future__ import annotations

from goodpath.core.db import session_scope
from goodpath.core.followups import FAILED, PENDING, Followup
from goodpath.core.models import utcnow
from tests.access.matrix_support import World

ADMINS = {"admin"}
ERROR = "RuntimeError: zz the probe's error names p-s_all"


def _failed(w: World) -> int:
    """A failed follow-up naming a SECRET probe record, once per world."""
    if not hasattr(w, "failed_followup"):
        with session_scope() as session:
            now = utcnow()
            row = Followup(kind="matrix_probe", reaction=None, payload={"party_id": w.party_ids["s_all"]},
                           dedupe_key="matrix_probe", status=FAILED, attempts=5, last_error=ERROR, caused_by="setup",
                           run_after=now, created_at=now, updated_at=now)  # fmt: skip
            session.add(row)
            session.flush()
            w.failed_followup = row.id
    return w.failed_followup


def _expected(user: str) -> int:
    return 200 if user in ADMINS else 401 if user == "public" else 403


def _status(w: World) -> str:
    listed = w.call("admin", "GET", "/followups", params={"include_done": "true", "limit": 1000}).json()["results"]
    return next(f["status"] for f in listed if f["id"] == w.failed_followup)


def check_list(w: World, user: str) -> None:
    followup_id = _failed(w)
    response = w.call(user, "GET", "/followups")
    assert response.status_code == _expected(user), (user, response.text)
    if user in ADMINS:
        body = response.json()
        [row] = [f for f in body["results"] if f["id"] == followup_id]
        assert (row["status"], row["last_error"], row["attempts"]) == (FAILED, ERROR, 5)
        assert body["total"] >= len(body["results"]) >= 1
    else:
        assert "zz" not in response.text and "p-s_all" not in response.text
    if user in ADMINS:
        assert w.call(user, "GET", "/followups", params={"status": "lost"}).status_code == 422


def check_retry_one(w: World, user: str) -> None:
    followup_id = _failed(w)
    before = _status(w)
    response = w.call(user, "POST", f"/followups/{followup_id}/retry")
    if user not in ADMINS:
        assert response.status_code == _expected(user), (user, response.text)
        assert "zz" not in response.text and _status(w) == before
        assert w.call(user, "POST", "/followups/999999/retry").status_code == _expected(user)
        return
    assert response.status_code == 200 and response.json()["status"] == PENDING, response.text
    # no reaction to matrix_probe is declared: it ran right after the request and failed again (backoff)
    assert _status(w) == PENDING
    assert w.call(user, "POST", f"/followups/{followup_id}/retry").status_code == 409  # not failed now
    assert w.call(user, "POST", "/followups/999999/retry").status_code == 404


def check_retry_all(w: World, user: str) -> None:
    followup_id = _failed(w)
    response = w.call(user, "POST", "/followups/retry")
    if user not in ADMINS:
        assert response.status_code == _expected(user), (user, response.text)
        assert _status(w) == FAILED
        return
    assert response.status_code == 200, response.text
    assert followup_id in [f["id"] for f in response.json()["results"]]
    assert _status(w) == PENDING


CHECKS = {
    ("GET", "/followups"): check_list,
    ("POST", "/followups/{followup_id}/retry"): check_retry_one,
    ("POST", "/followups/retry"): check_retry_all,
}
