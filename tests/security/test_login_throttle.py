"""Login throttling: by (account, client), by client and (bounded) by account, with growing delays.

Nobody can lock an official out: a client's failures slow that client, and failures from
elsewhere on an account delay an unknown client briefly and a known one not at all.
The clock is moved by hand (``clock``), so no test waits.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.access import auth
from goodpath.access.models import LoginAttempt
from tests.access.test_auth import PASSWORD, add_user, probe_app

WRONG = "not the password at all"
OWNER, ATTACKER = "10.0.0.1", "10.6.6.6"


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def fail(session, username="alice", client=ATTACKER) -> None:
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate(session, username, WRONG, client)


def throttled(session, username="alice", client=ATTACKER, password=PASSWORD) -> int:
    with pytest.raises(auth.TooManyAttempts) as refused:
        auth.authenticate(session, username, password, client)
    return refused.value.retry_after_seconds


def logs_in(session, username="alice", client=OWNER) -> bool:
    return auth.authenticate(session, username, PASSWORD, client).username == username


def test_the_delay_of_an_account_and_client_pair_doubles_from_the_third_failure(session, clock):
    add_user(session)
    fail(session)
    fail(session)  # two failures are free
    fail(session)
    delays = []
    for _ in range(9):
        delay = throttled(session)  # refused unchecked, even with the right password
        delays.append(delay)
        clock.advance(delay)
        fail(session)
    assert delays == [2, 4, 8, 16, 32, 64, 128, 256, 300]  # doubling, capped at 5 minutes
    assert throttled(session) == 300


def test_throttled_attempts_neither_count_nor_lengthen_the_delay(session, clock):
    add_user(session)
    for _ in range(3):
        fail(session)
    seen = []
    for _ in range(4):
        seen.append(throttled(session, password=WRONG))
        clock.advance(0.5)
    assert seen == [2, 2, 1, 1]  # counting down, however often it is tried
    assert logs_in(session, client=ATTACKER)  # 2 s are over: the right password is let in
    attempts = session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert sum(a.throttled for a in attempts) == 4 and sum(not a.success and not a.throttled for a in attempts) == 3


def test_an_attacker_cannot_lock_the_owner_out_from_another_client(session, clock):
    add_user(session)
    for _ in range(40):  # as fast as it can: most are throttled
        try:
            auth.authenticate(session, "alice", WRONG, ATTACKER)
        except (auth.AuthenticationFailed, auth.TooManyAttempts):
            pass
        clock.advance(1)
    assert throttled(session) > 0
    assert logs_in(session, client="10.0.0.99")  # a client that never failed and never logged in before


def test_an_attacker_cannot_lock_the_owner_out_over_the_api(session, db):
    add_user(session)
    attacker = TestClient(probe_app(), client=(ATTACKER, 40000))
    owner = TestClient(probe_app(), client=(OWNER, 40001))
    answers = [attacker.post("/auth/login", json={"username": "alice", "password": WRONG}) for _ in range(8)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429, 429, 429, 429]
    assert answers[-1].headers["Retry-After"] in ("1", "2")
    assert "too many failed logins" in answers[-1].json()["detail"]
    assert owner.post("/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    right_but_throttled = attacker.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    assert right_but_throttled.status_code == 429 and int(right_but_throttled.headers["Retry-After"]) > 0


def test_a_distributed_attack_delays_new_clients_briefly_and_known_ones_not_at_all(session, clock):
    add_user(session)
    assert logs_in(session, client=OWNER)  # the owner's usual client is now known to the account
    clock.advance(60)
    for guess in range(24):  # two guesses from each of 12 clients: no pair and no client is ever throttled
        clock.advance(31)  # and each after the account's delay, as a patient botnet would
        fail(session, client=f"10.7.0.{guess // 2}")
    delay = throttled(session, client="10.0.0.99")  # a new client: the account's own delay
    assert 0 < delay <= 30  # bounded: an attacker cannot keep the account closed for long
    assert throttled(session, client="10.7.0.99", password=WRONG) == delay  # a new bot waits just the same
    assert logs_in(session, client=OWNER)  # the owner's known client is never held back by others' failures
    clock.advance(delay)
    assert logs_in(session, client="10.0.0.99")


def test_a_client_failing_across_many_accounts_is_slowed_everywhere(session, clock):
    add_user(session)
    for i in range(10):
        fail(session, username=f"guess{i}")  # one guess per account: no pair is throttled
    fail(session, username="guess10")
    assert throttled(session, username="alice") == 2  # the right password from that client waits too
    clock.advance(2)
    fail(session, username="guess11")
    assert throttled(session, username="someone") == 4
    assert logs_in(session, client=OWNER)  # other clients are not affected
    assert throttled(session, username="alice") == 4  # nor does a success elsewhere reset the client


def test_a_success_resets_the_pair_but_not_the_client(session, clock):
    add_user(session)
    fail(session)
    fail(session)
    assert logs_in(session, client=ATTACKER)
    clock.advance(1)
    fail(session)
    fail(session)  # counted again from the success: still free
    fail(session)
    assert throttled(session) == 2


def test_failures_older_than_the_window_do_not_count(session, clock):
    add_user(session)
    for _ in range(3):
        fail(session)
    assert throttled(session) == 2
    clock.advance(15 * 60 + 1)
    fail(session)
    fail(session)
    assert logs_in(session, client=ATTACKER)


def test_the_numbers_are_settings(session, clock, monkeypatch):
    monkeypatch.setenv("GOODPATH_LOGIN_FREE_FAILURES", "0")
    monkeypatch.setenv("GOODPATH_LOGIN_BASE_DELAY_SECONDS", "10")
    monkeypatch.setenv("GOODPATH_LOGIN_MAX_DELAY_SECONDS", "15")
    add_user(session)
    fail(session)
    assert throttled(session) == 10
    clock.advance(10)
    fail(session)
    assert throttled(session) == 15
