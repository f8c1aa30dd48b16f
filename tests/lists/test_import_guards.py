"""The import guards: the removal threshold, restoring an earlier version's files, concurrent imports.

Built on hand-made ParsedLists (tests/factories.py) so that the rules are tested apart from any file
format; the real, cut SDN file is in tests/security/test_cut_files.py.
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.cli import app
from goodpath.core.audit_log import AuditEntry
from goodpath.core.db import new_session
from goodpath.core.errors import Refused
from goodpath.lists import service
from goodpath.lists.models import ListVersion
from goodpath.registry.models import ListEntry
from tests.factories import entity, parsed

runner = CliRunner()


def names(n: int, start: int = 0) -> list:
    return [entity(str(i), f"NAME {i}") for i in range(start, start + n)]


def stored(session) -> dict:
    return {
        "versions": session.scalar(select(func.count()).select_from(ListVersion)),
        "listed": session.scalar(select(func.count()).where(ListEntry.status == "listed")),
        "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
    }


# --- the removal threshold ---------------------------------------------------------------------


def test_more_than_100_removals_of_a_small_list_are_refused_with_the_changeset(session):
    service.apply_parsed(session, parsed(names(300)))
    session.commit()
    before = stored(session)
    with pytest.raises(service.RemovalsRefused) as refused:
        service.apply_parsed(session, parsed(names(199, start=101)))  # 101 of 300 gone: 2% would be 6
    session.rollback()
    assert stored(session) == before
    message = str(refused.value)
    assert "delist 101 of 300" in message and "more than the 100 allowed" in message
    assert "NAME 0" in message and "--accept-removals" in message and "sample or a partial file" in message
    details = refused.value.details
    assert (details["removed"], details["allowed"], details["unchanged"]) == (101, 100, 199)
    assert [r["external_id"] for r in details["first_removed"]] == [str(i) for i in range(20)]


def test_exactly_the_allowed_number_of_removals_goes_through(session):
    service.apply_parsed(session, parsed(names(300)))
    result = service.apply_parsed(session, parsed(names(200, start=100)))  # 100 removed: not more than 100
    assert (result.version, result.removed) == (2, 100)


def test_on_a_large_list_the_share_decides(session, monkeypatch):
    monkeypatch.setenv("GOODPATH_REMOVAL_GUARD_MIN", "10")
    monkeypatch.setenv("GOODPATH_REMOVAL_GUARD_SHARE", "0.05")
    service.apply_parsed(session, parsed(names(400)))  # 5% of 400 = 20 > 10
    assert service.apply_parsed(session, parsed(names(380))).removed == 20
    with pytest.raises(service.RemovalsRefused, match="delist 20 of 380 .* more than the 19 allowed"):
        service.apply_parsed(session, parsed(names(360)))


def test_accepted_removals_are_imported(session):
    service.apply_parsed(session, parsed(names(300)))
    result = service.apply_parsed(session, parsed(names(10)), accept_removals=True)
    assert (result.version, result.removed) == (2, 290)


def test_a_first_import_has_nothing_to_remove(session):
    assert service.apply_parsed(session, parsed(names(5))).added == 5


def test_the_cli_prints_the_changeset_and_stores_nothing(db, session, tmp_path):
    def ftm(count: int, start: int = 0):
        path = tmp_path / f"guard-{start}-{count}.ftm.json"
        rows = [{"id": f"x{i}", "schema": "Person", "datasets": ["guard"], "properties": {"name": [f"Person {i}"]}}
                for i in range(start, start + count)]  # fmt: skip
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return str(path)

    assert runner.invoke(app, ["lists", "import", ftm(150), "--dataset", "guard"]).exit_code == 0
    before = stored(session)
    refused = runner.invoke(app, ["lists", "import", ftm(20, start=130), "--dataset", "guard"])
    assert refused.exit_code == 1
    assert "delist 130 of 150" in refused.output and "Person 0" in refused.output
    assert "--accept-removals" in refused.output and "Traceback" not in refused.output
    assert stored(session) == before
    accepted = runner.invoke(app, ["lists", "import", ftm(20, start=130), "--dataset", "guard", "--accept-removals"])
    assert accepted.exit_code == 0, accepted.output
    assert "130 removed" in accepted.output


# --- restoring an earlier version's files --------------------------------------------------------


def test_an_earlier_versions_files_are_refused_with_a_pointer_to_restore(session):
    full, cut = parsed(names(300)), parsed(names(150))
    service.apply_parsed(session, full)
    service.apply_parsed(session, cut, accept_removals=True)
    with pytest.raises(Refused, match=r"already imported as version 1\b.*--restore"):
        service.apply_parsed(session, parsed(names(300)))


def test_restore_imports_the_earlier_files_as_a_new_audited_version(session):
    service.apply_parsed(session, parsed(names(300)))
    service.apply_parsed(session, parsed(names(150)), accept_removals=True)  # the cut file, accepted by mistake
    result = service.apply_parsed(session, parsed(names(300)), restore=True)
    session.commit()
    assert (result.version, result.added, result.removed, result.restored_from) == (3, 150, 0, 1)
    assert session.scalar(select(func.count()).where(ListEntry.status == "listed")) == 300
    v3 = session.scalars(select(ListVersion).where(ListVersion.version == 3)).one()
    assert v3.restored_from == 1 and v3.source_hash == session.get(ListVersion, 1).source_hash
    assert {c["change"] for c in v3.changeset} == {"relisted"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.seq == v3.audit_seq)).one()
    assert json.loads(entry.after)["restored_from"] == 1 and "restore of version 1" in entry.reason
    assert service.version_to_dict(v3)["restored_from"] == 1
    # The restored files are now the latest: importing them once more is a no-op.
    assert service.apply_parsed(session, parsed(names(300))).noop


def test_restore_keeps_the_removal_guard(session):
    service.apply_parsed(session, parsed(names(150)))
    service.apply_parsed(session, parsed(names(300)))
    session.commit()
    with pytest.raises(service.RemovalsRefused):
        service.apply_parsed(session, parsed(names(150)), restore=True)  # back to 150 delists 150
    session.rollback()
    result = service.apply_parsed(session, parsed(names(150)), restore=True, accept_removals=True)
    assert (result.version, result.removed, result.restored_from) == (3, 150, 1)


def test_restore_of_files_never_imported_is_refused(session):
    service.apply_parsed(session, parsed(names(3)))
    with pytest.raises(Refused, match="match no earlier version"):
        service.apply_parsed(session, parsed(names(4)), restore=True)


def test_restore_from_the_cli(db, session, tmp_path):
    def write(count: int) -> str:
        path = tmp_path / f"r{count}" / "restore.ftm.json"
        path.parent.mkdir(exist_ok=True)
        rows = [{"id": f"r{i}", "schema": "Company", "datasets": ["restore"], "properties": {"name": [f"Firm {i}"]}}
                for i in range(count)]  # fmt: skip
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return str(path)

    full, cut = write(200), write(50)
    assert runner.invoke(app, ["lists", "import", full]).exit_code == 0
    assert runner.invoke(app, ["lists", "import", cut, "--accept-removals"]).exit_code == 0
    again = runner.invoke(app, ["lists", "import", full])
    assert again.exit_code == 1 and "--restore" in again.output
    restored = runner.invoke(app, ["lists", "import", full, "--restore", "--json"])
    assert restored.exit_code == 0, restored.output
    out = json.loads(restored.stdout)
    assert (out["version"], out["added"], out["restored_from"]) == (3, 150, 1)


# --- concurrent imports ------------------------------------------------------------------------


def test_a_version_committed_meanwhile_refuses_the_slower_import_naming_it(db, session):
    service.apply_parsed(session, parsed(names(10)), actor="first")
    session.commit()
    slow = new_session(db)
    try:
        base = service.latest_version(slow, "test-list").version  # what the slower import compared with
        slow.commit()
        service.apply_parsed(session, parsed(names(12)), actor="analyst-a")
        session.commit()
        conflict = r"another import of test-list \(version 2 by analyst-a, .*committed.*try again"
        with pytest.raises(Refused, match=conflict):
            service.apply_parsed(slow, parsed(names(11)), actor="analyst-b", base_version=base)
    finally:
        slow.rollback()
        slow.close()
    assert session.scalar(select(func.count()).select_from(ListVersion)) == 2


def test_two_simultaneous_imports_one_wins_the_other_is_refused_naming_it(db, session):
    """Two threads, two connections; the first pauses inside its import, holding the dataset. On
    PostgreSQL the second is refused at once (the first is running); SQLite lets one writer in at a
    time, so the second waits for the first's commit and is then refused (the first committed)."""
    service.apply_parsed(session, parsed(names(10)), actor="first")
    session.commit()
    postgres = db.startswith("postgresql")
    holding, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def winner() -> None:
        with new_session(db) as s:

            def pause(stage: str, done: int, total: int) -> None:
                if not holding.is_set():
                    holding.set()
                    release.wait(30)

            outcome["winner"] = service.apply_parsed(s, parsed(names(12)), actor="analyst-a", progress=pause)
            s.commit()

    def loser() -> None:
        with new_session(db) as s:
            try:
                service.apply_parsed(s, parsed(names(11)), actor="analyst-b", base_version=1)
            except Refused as exc:
                outcome["loser"] = str(exc)

    first = threading.Thread(target=winner)
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=loser)
    try:
        second.start()
        second.join(1.0 if not postgres else 30)  # SQLite: the second waits for the database's write lock
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert outcome["winner"].version == 2
    expected = "is running; try again" if postgres else "was committed while this one was prepared; try again"
    assert "another import of test-list (version 2 by analyst-a, " in outcome["loser"]
    assert expected in outcome["loser"]
    assert session.scalar(select(func.count()).select_from(ListVersion)) == 2
