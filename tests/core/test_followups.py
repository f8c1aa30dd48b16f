"""The outbox of follow-up work: an event recorded with a change becomes its declared reactions, each run
once per claim and marked done with its work; waiting duplicates are one; failures are retried with
backoff, then shown as failed until retried; a dead runner's claim expires; concurrent runners never
run one twice; every CLI command runs what is due; running the real reactions twice changes nothing."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from goodpath.access import auth
from goodpath.cli import app as cli
from goodpath.core import followup_runner, followups
from goodpath.core.audit_log import AuditEntry
from goodpath.core.followup_runner import Reaction
from goodpath.core.followups import DONE, FAILED, PENDING, RUNNING, Followup
from goodpath.core.models import utcnow
from goodpath.engagement import cases
from goodpath.lists import service as lists
from goodpath.pathway.models import PathwayAlert, PathwayProposal
from goodpath.screening import monitoring
from goodpath.screening.models import ScreeningAlert
from tests.factories import OPERATOR, entity, parsed, run_followups

AS_ADMIN = ("--as", "ops-admin")  # `goodpath followups` is for administrators, as on the API


def _ops_admin(session) -> None:
    auth.create_user(session, "ops-admin", "a long enough password", "admin", "SECRET", "USA", actor="setup")
    session.commit()


CALLS: list[tuple[str, dict]] = []


def _reaction(name: str, *, key=None, fails: int = 0, pause: float = 0.0) -> Reaction:
    failures = {"left": fails}

    def run(session, payload, actor):
        if pause:
            time.sleep(pause)
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError(f"{name} broke")
        CALLS.append((name, payload))
        return {"ran": name, "by": actor}

    return Reaction(name, run, key=key)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def record(session, kind="thing_happened", payload=None, **kwargs) -> int:
    followup_id = followups.record(session, kind, payload or {"n": 1}, actor="tester", **kwargs)
    session.commit()
    return followup_id


def rows(session) -> list[tuple]:
    session.expire_all()
    return [(f.kind, f.reaction, f.status, f.attempts) for f in session.scalars(select(Followup).order_by(Followup.id))]


def test_an_event_becomes_its_reactions_in_the_declared_order_each_run_once(session):
    table = {"thing_happened": (_reaction("first"), _reaction("second"))}
    record(session)
    outcomes = followup_runner.run_due(table)
    assert [(o["reaction"], o["status"]) for o in outcomes] == [(None, DONE), ("first", DONE), ("second", DONE)]
    assert outcomes[1]["result"] == {"ran": "first", "by": "tester"}
    assert [name for name, _ in CALLS] == ["first", "second"]
    assert rows(session) == [("thing_happened", None, DONE, 1), ("thing_happened", "first", DONE, 1),
                             ("thing_happened", "second", DONE, 1)]  # fmt: skip
    assert followup_runner.run_due(table) == [] and len(CALLS) == 2
    assert not followup_runner.any_due()


def test_waiting_duplicates_are_one(session):
    table = {"thing_happened": (_reaction("once", key=lambda _p: "once"), _reaction("each"))}
    for n in (1, 2, 2, 3):  # the same event twice while it waits: one
        followups.record(session, "thing_happened", {"n": n}, actor="tester")
    session.commit()
    assert len(rows(session)) == 3
    followup_runner.run_due(table)
    assert sorted(CALLS, key=str) == [("each", {"n": 1}), ("each", {"n": 2}), ("each", {"n": 3}), ("once", {"n": 1})]
    record(session, payload={"n": 1})  # done ones do not swallow a new event: it runs again
    followup_runner.run_due(table)
    assert [c for c in CALLS if c[0] == "once"] == [("once", {"n": 1})] * 2


def test_a_failing_reaction_backs_off_then_fails_is_listed_and_retried(session, monkeypatch):
    _ops_admin(session)
    monkeypatch.setenv("GOODPATH_FOLLOWUP_BACKOFF_SECONDS", "60")
    table = {"thing_happened": (_reaction("flaky", fails=10),)}
    record(session)
    [_, failed] = followup_runner.run_due(table)
    assert (failed["status"], failed["error"]) == (PENDING, "RuntimeError: flaky broke")
    row = session.get(Followup, failed["id"])
    assert followups.aware(row.run_after) > utcnow() + timedelta(seconds=50)  # backed off: not due now
    assert followup_runner.run_due(table) == []
    monkeypatch.setenv("GOODPATH_FOLLOWUP_BACKOFF_SECONDS", "0")
    monkeypatch.setenv("GOODPATH_FOLLOWUP_ATTEMPTS", "3")
    session.execute(update(Followup).values(run_after=utcnow()))
    session.commit()
    again = followup_runner.run_due(table)
    assert [o["status"] for o in again] == [PENDING, FAILED]  # attempts 2 and 3, then it gives up
    assert rows(session)[-1] == ("thing_happened", "flaky", FAILED, 3) and CALLS == []
    # `goodpath followups` shows it (and runs nothing); `retry` runs it again
    monkeypatch.setitem(followup_runner._installed, "reactions", {"thing_happened": (_reaction("flaky"),)})
    shown = CliRunner().invoke(cli, [*AS_ADMIN, "followups", "--json"])
    [listed] = json.loads(shown.stdout)
    assert (listed["reaction"], listed["status"]) == ("flaky", FAILED)
    assert listed["last_error"] == "RuntimeError: flaky broke"
    assert "flaky" in CliRunner().invoke(cli, [*AS_ADMIN, "followups"]).stdout
    refused = CliRunner().invoke(cli, [*AS_ADMIN, "followups", "retry", str(listed["id"] - 1)])
    assert refused.exit_code == 1 and "only a failed one" in refused.output
    retried = CliRunner().invoke(cli, [*AS_ADMIN, "followups", "retry", str(listed["id"]), "--json"])
    assert [(o["id"], o["status"]) for o in json.loads(retried.stdout)] == [(listed["id"], DONE)]
    assert CALLS == [("flaky", {"n": 1})]
    assert json.loads(CliRunner().invoke(cli, [*AS_ADMIN, "followups", "--json"]).stdout) == []
    everything = json.loads(CliRunner().invoke(cli, [*AS_ADMIN, "followups", "--all", "--json"]).stdout)
    assert [f["status"] for f in everything] == [DONE, DONE]


def test_an_undeclared_event_fails_rather_than_vanishes(session, monkeypatch):
    monkeypatch.setenv("GOODPATH_FOLLOWUP_ATTEMPTS", "1")
    record(session, kind="nobody_listens")
    [outcome] = followup_runner.run_due({})
    assert outcome["status"] == FAILED and "no reactions to 'nobody_listens'" in outcome["error"]


def test_a_dead_runners_claim_expires_and_a_runner_dying_every_time_ends_failed(session, monkeypatch):
    table = {"thing_happened": (_reaction("work"),)}
    record(session)
    followup_runner.run_due(table, limit=1)  # the event: one pending reaction
    dead = {"status": RUNNING, "claimed_by": "elsewhere:1:1", "attempts": 1}
    session.execute(update(Followup).where(Followup.status == PENDING).values(
        lease_until=utcnow() + timedelta(minutes=5), **dead))  # fmt: skip
    session.commit()
    assert followup_runner.run_due(table) == [] and not followup_runner.any_due()  # its lease holds
    session.execute(update(Followup).where(Followup.status == RUNNING).values(lease_until=utcnow()))
    session.commit()
    [outcome] = followup_runner.run_due(table)
    assert outcome["status"] == DONE and rows(session)[-1] == ("thing_happened", "work", DONE, 2)
    # a follow-up whose runner died at every attempt is given up
    monkeypatch.setenv("GOODPATH_FOLLOWUP_ATTEMPTS", "2")
    record(session, payload={"n": 2})
    followup_runner.run_due(table, limit=1)
    session.execute(update(Followup).where(Followup.status == PENDING).values(
        lease_until=utcnow() - timedelta(seconds=1), **{**dead, "attempts": 2}))  # fmt: skip
    session.commit()
    [given_up] = followup_runner.run_due(table)
    assert given_up["status"] == FAILED and "its runner stopped" in given_up["error"]
    assert len(CALLS) == 1


def test_concurrent_runners_run_each_followup_once(session):
    table = {"thing_happened": (_reaction("slow", pause=0.01),)}
    for n in range(15):
        followups.record(session, "thing_happened", {"n": n}, actor="tester")
    session.commit()
    start, results = threading.Barrier(3), []

    def runner() -> None:
        start.wait()
        results.extend(followup_runner.run_due(table))

    threads = [threading.Thread(target=runner) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    done = [o["id"] for o in results if o["status"] == DONE]
    assert len(done) == len(set(done)) == 30
    assert sorted(p["n"] for _, p in CALLS) == list(range(15))


def test_every_cli_command_runs_what_is_due_and_followups_only_shows_it(session, monkeypatch):
    _ops_admin(session)
    monkeypatch.setitem(followup_runner._installed, "reactions", {"thing_happened": (_reaction("work"),)})
    record(session)
    listed = json.loads(CliRunner().invoke(cli, [*AS_ADMIN, "followups", "--json"]).stdout)
    assert [(f["kind"], f["status"]) for f in listed] == [("thing_happened", PENDING)] and CALLS == []
    assert CliRunner().invoke(cli, ["lists", "status", "--json"]).exit_code == 0
    assert CALLS == [("work", {"n": 1})] and not followup_runner.any_due()


def test_no_database_no_question(tmp_path):
    url = f"sqlite:///{tmp_path / 'never' / 'goodpath.db'}"
    assert followup_runner.any_due(url) is False
    assert not (tmp_path / "never").exists()


def test_old_done_followups_are_purged(session):
    record(session)
    followup_runner.run_due({"thing_happened": ()})
    assert followup_runner.purge(session, keep_days=1) == 0
    session.execute(update(Followup).values(updated_at=utcnow() - timedelta(days=2)))
    assert followup_runner.purge(session, keep_days=1) == 1


# --- the real reactions (goodpath.consequences) run twice change nothing --------------------------------


def _counts(session) -> dict:
    session.expire_all()
    return {
        "screening_alerts": session.scalar(select(func.count()).select_from(ScreeningAlert)),
        "pathway_alerts": sorted(session.execute(select(PathwayAlert.source, PathwayAlert.status)).all()),
        "snapbacks": sorted(
            session.execute(
                select(PathwayProposal.id, PathwayProposal.status).where(PathwayProposal.kind == "snapback")
            ).all()
        ),
        "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
    }


def _run_every_reaction_again(session) -> list[dict]:
    session.execute(update(Followup).where(Followup.reaction.is_not(None)).values(
        status=PENDING, attempts=0, run_after=utcnow()))  # fmt: skip
    session.commit()
    return run_followups(session)


def test_the_real_reactions_run_twice_raise_no_second_alert_or_proposal(session):
    from tests.pathway.conftest import APPROVER2, add_company, add_hit, add_icp, add_list_entry, walk_to_relief

    add_company(session)
    walk_to_relief(session)
    add_icp(session, assessed_on=date(2007, 1, 1))
    own = add_list_entry(session, program="NPWMD", listed_on="2003-01-01", dataset="engaged")
    own.link_key = "acme-key"
    monitoring.watch(session, OPERATOR, "Orion Rocket Propellants", country="IR")
    add_hit(session)
    session.commit()
    lists.apply_parsed(session, parsed([entity("9", "ACME CORP", link_key="acme-key"),
                                        entity("8", "ORION ROCKET PROPELLANTS")]), dataset="us-sdn")  # fmt: skip
    case = cases.raise_case(session, OPERATOR, reference="WLC-9", title="transfer", facts="f", party_id="acme",
                            raised_on="2007-01-05")  # fmt: skip
    cases.close(session, OPERATOR, case.id, outcome="sanctioned", note="no response", occurred_on="2007-02-01")
    session.commit()
    ran = run_followups(session)
    assert {o["status"] for o in ran} == {DONE}
    first = _counts(session)
    assert first["screening_alerts"] == 1 and len(first["snapbacks"]) == 1
    assert {source for source, _ in first["pathway_alerts"]} >= {"case", "list_entry", "screening_hit"}
    assert {o["status"] for o in _run_every_reaction_again(session)} == {DONE}
    assert _counts(session) == first
    # the snapback approved: its alerts are settled, once
    from goodpath.pathway import proposals

    proposals.approve(session, APPROVER2, first["snapbacks"][0][0], note="breach confirmed")
    session.commit()
    run_followups(session)
    settled = _counts(session)
    assert {status for source, status in settled["pathway_alerts"] if source != "condition"} == {"snapped_back"}
    _run_every_reaction_again(session)
    assert _counts(session) == settled
