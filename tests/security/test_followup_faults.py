"""Kill-at-a-point fault tests on PostgreSQL: what must happen after an import's commit (re-screening the
watched names) is never lost. A process is killed (os._exit, as by kill -9) at a chosen point; the next
process -- any CLI command, or the server starting -- does the work, and the alert is raised exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from goodpath.access import auth
from goodpath.api import app as api
from goodpath.cli import app as cli
from goodpath.core import followup_runner
from goodpath.core.followups import DONE, RUNNING, Followup
from goodpath.core.models import utcnow
from goodpath.lists import service as lists
from goodpath.lists.models import ListVersion
from goodpath.screening import monitoring
from goodpath.screening.models import ScreeningAlert
from tests.factories import OPERATOR

AS_ADMIN = ("--as", "ops-admin")  # `goodpath followups` is for administrators, as on the API


def _ops_admin(session) -> None:
    auth.create_user(session, "ops-admin", "a long enough password", "admin", "SECRET", "USA", actor="setup")
    session.commit()


pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)

NAME, LISTED = "Orion Rocket Propellants", "ORION ROCKET PROPELLANTS"
DATASET = "fault-test"
KILLED = 137
# Killed in the re-screening itself, whatever calls it: after the import's commit.
CRASH_IN_RESCREEN = (
    "import os, sys\n"
    "from goodpath.screening import monitoring\n"
    "monitoring.rescreen_all = lambda *args, **kwargs: os._exit(137)\n"
    "from goodpath.cli import app\n"
    "app(sys.argv[1:])\n"
)
RUN_FOLLOWUPS = (  # a runner process (what every CLI command and the server run)
    "from goodpath import consequences\n"
    "from goodpath.core import followup_runner\n"
    "consequences.install()\n"
    "followup_runner.run_due()\n"
)


def goodpath(db: str, *args: str, fault: str | None = None, code: str | None = None, **env: str):
    """The goodpath CLI in a process of its own (the test's database)."""
    environment = {**os.environ, "GOODPATH_DATABASE_URL": db, **env}
    if fault:
        environment["GOODPATH_FAULT"] = fault
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "goodpath.cli", *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=180)


@pytest.fixture
def newly_listed(session, tmp_path):
    """A watched name, and a list file that newly lists it."""
    monitoring.watch(session, OPERATOR, NAME, country="IR")
    session.commit()
    path = tmp_path / "orion.ftm.json"
    path.write_text(json.dumps({"id": "o1", "schema": "Company", "properties": {"name": [LISTED]}}) + "\n")
    return path


def alerts(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(a.kind, a.caption) for a in session.scalars(select(ScreeningAlert).order_by(ScreeningAlert.id))]


def imported(session) -> int:
    return session.scalar(select(func.count()).select_from(ListVersion).where(ListVersion.dataset == DATASET))


def test_a_crash_after_the_imports_commit_loses_no_alert(db, session, newly_listed):
    killed = goodpath(db, "lists", "import", str(newly_listed), "--dataset", DATASET, code=CRASH_IN_RESCREEN,
                      GOODPATH_FOLLOWUP_LEASE_SECONDS="1")  # fmt: skip
    assert killed.returncode == KILLED, killed.stderr
    assert imported(session) == 1 and alerts(session) == []  # committed; the re-screening was lost with the process
    again = CliRunner().invoke(cli, ["lists", "import", str(newly_listed), "--dataset", DATASET])
    assert "unchanged: nothing to do" in again.stdout
    time.sleep(1.2)  # the dead process's claim on the re-screening expires
    shown = CliRunner().invoke(cli, ["alerts", "list", "--json"])  # any command runs what is due first
    assert [(a["kind"], a["caption"]) for a in json.loads(shown.stdout)["results"]] == [("new", LISTED)]
    assert alerts(session) == [("new", LISTED)]
    CliRunner().invoke(cli, ["lists", "status"])
    assert alerts(session) == [("new", LISTED)]  # exactly once


def test_killed_between_the_commit_and_the_followups_the_server_start_runs_them(db, session, newly_listed):
    _ops_admin(session)
    killed = goodpath(db, "lists", "import", str(newly_listed), "--dataset", DATASET,
                      fault="after_commit:list_imported")  # fmt: skip
    assert killed.returncode == KILLED, killed.stderr
    assert imported(session) == 1 and alerts(session) == []
    pending = json.loads(CliRunner().invoke(cli, [*AS_ADMIN, "followups", "--json"]).stdout)  # lists them, runs nothing
    assert [(f["kind"], f["reaction"], f["status"]) for f in pending] == [("list_imported", None, "pending")]
    with TestClient(api):  # the server starts: its background runner does what is due
        deadline = time.monotonic() + 60
        while not alerts(session) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert alerts(session) == [("new", LISTED)]
    assert not followup_runner.any_due(db)
    CliRunner().invoke(cli, [*AS_ADMIN, "followups", "run"])
    assert alerts(session) == [("new", LISTED)]


def test_killed_in_the_middle_of_a_reaction_it_runs_again_once_its_lease_expires(db, session, newly_listed):
    lists.import_list(session, newly_listed, dataset=DATASET, actor="tester")
    session.commit()
    killed = goodpath(db, code=RUN_FOLLOWUPS, fault="in_reaction:rescreen_watched_names")
    assert killed.returncode == KILLED, killed.stderr
    assert alerts(session) == []  # the re-screening's alert was written, but not committed
    [held] = session.scalars(select(Followup).where(Followup.reaction == monitoring.RESCREEN)).all()
    assert (held.status, held.attempts) == (RUNNING, 1)
    ran = followup_runner.run_due()  # while the dead runner's lease holds, the row is left alone
    assert monitoring.RESCREEN not in {o["reaction"] for o in ran} and alerts(session) == []
    session.execute(update(Followup).where(Followup.id == held.id).values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()  # ... until it expires
    ran = followup_runner.run_due()
    assert (monitoring.RESCREEN, DONE) in {(o["reaction"], o["status"]) for o in ran}
    assert alerts(session) == [("new", LISTED)]
    session.expire_all()
    assert session.get(Followup, held.id).attempts == 2
    assert followup_runner.run_due() == [] and alerts(session) == [("new", LISTED)]


def test_two_runners_at_once_run_each_followup_once(db, session, newly_listed):
    lists.import_list(session, newly_listed, dataset=DATASET, actor="tester")
    session.commit()
    start, results = threading.Barrier(2), {}

    def runner(name: str) -> None:
        start.wait()
        results[name] = followup_runner.run_due()

    threads = [threading.Thread(target=runner, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    ran = [(o["id"], o["status"]) for outcomes in results.values() for o in outcomes if o["status"] != "lost"]
    assert len(ran) == len({i for i, _ in ran}) and {s for _, s in ran} == {DONE}  # each one once
    assert alerts(session) == [("new", LISTED)]
    assert set(session.scalars(select(Followup.status))) == {DONE}
