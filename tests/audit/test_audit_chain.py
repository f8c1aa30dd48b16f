"""The audit chain detects any altered, removed or reordered entry, and names it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner

from goodpath.core import audit_log as audit
from goodpath.core.audit_log import GENESIS, HASHED_FIELDS, check_chain, entry_hash


def _write(session, n: int) -> None:
    for i in range(n):
        audit.record(
            session, actor=f"analyst{i % 2}", action="test.write", target_type="party", target_id=f"p{i}",
            before={"name": f"old {i}"}, after={"name": f"new {i}", "中文": "长城"}, reason="because",
        )  # fmt: skip
    session.commit()


def test_intact_chain_verifies(session):
    _write(session, 5)
    result = audit.verify(session)
    assert result.ok and result.checked == 5


def test_altered_entry_is_named(session):
    _write(session, 6)
    session.execute(text("UPDATE audit_entry SET after = :v WHERE seq = 4"), {"v": '{"name":"forged"}'})
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 4 and "altered" in result.problem


def test_removed_entry_is_named(session):
    _write(session, 6)
    session.execute(text("DELETE FROM audit_entry WHERE seq = 3"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 3 and "missing" in result.problem


def test_reordered_entries_are_found(session):
    _write(session, 6)
    # Swap the content of entries 2 and 5, keeping each one's own hash: the links break.
    session.execute(text("UPDATE audit_entry SET seq = -2 WHERE seq = 2"))
    session.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 5"))
    session.execute(text("UPDATE audit_entry SET seq = 5 WHERE seq = -2"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 2


def test_entries_cut_off_the_end_are_found(session):
    _write(session, 4)
    session.execute(text("DELETE FROM audit_entry WHERE seq = 4"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 4


def test_cli_verify_fails_naming_the_altered_entry(session, db):
    from goodpath.cli import app

    _write(session, 3)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--json"])
    assert ok.exit_code == 0 and '"ok": true' in ok.stdout
    session.execute(text("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 2"))
    session.commit()
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "entry 2" in bad.output


# --- pure property tests over the chain check ---------------------------------------------


@dataclass(frozen=True)
class Row:
    seq: int
    recorded_at: str
    actor: str
    action: str
    target_type: str
    target_id: str | None
    reason: str | None
    before: str | None
    after: str | None
    classification: str
    releasability: str | None
    prev_hash: str
    hash: str


def _chain(payloads: list[str]) -> list[Row]:
    rows, prev = [], GENESIS
    for i, payload in enumerate(payloads, start=1):
        fields = dict(seq=i, recorded_at=f"2026-01-01T00:00:{i:02d}", actor="a", action="x", target_type="t",
                      target_id=None, reason=None, before=None, after=payload, classification="UNCLASSIFIED",
                      releasability="ALL")  # fmt: skip
        digest = entry_hash(prev, fields)
        rows.append(Row(**fields, prev_hash=prev, hash=digest))
        prev = digest
    return rows


payloads = st.lists(st.text(max_size=30), min_size=1, max_size=12)
mutable = [f for f in HASHED_FIELDS if f not in ("seq",)]


@given(payloads, st.data())
def test_any_single_field_change_is_detected_at_that_entry(items, data):
    rows = _chain(items)
    index = data.draw(st.integers(0, len(rows) - 1))
    name = data.draw(st.sampled_from(mutable))
    new_value = data.draw(st.text(min_size=1, max_size=20).filter(lambda v: v != getattr(rows[index], name)))
    rows[index] = replace(rows[index], **{name: new_value})
    result = check_chain(rows, (len(rows), _chain(items)[-1].hash))
    assert not result.ok and result.first_bad_seq == index + 1


@given(payloads.filter(lambda p: len(p) >= 2), st.data())
def test_any_swap_is_detected(items, data):
    rows = _chain(items)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    swapped = list(rows)
    swapped[i], swapped[j] = replace(rows[j], seq=rows[i].seq), replace(rows[i], seq=rows[j].seq)
    assert not check_chain(swapped, (len(rows), rows[-1].hash)).ok


@given(payloads)
def test_untouched_chain_passes(items):
    rows = _chain(items)
    assert check_chain(rows, (len(rows), rows[-1].hash)).ok


def test_a_writer_waiting_for_the_lock_appends_after_the_holder(db):
    """Two writers at once: the second waits for the first's commit and then appends after its
    entry (the head is read under the write lock, never before it)."""
    import threading
    import time

    from goodpath.core.db import new_session

    first, second = new_session(db), new_session(db)
    errors: list[BaseException] = []
    try:
        audit.record(first, actor="a", action="test.write", target_type="party", target_id="p0")
        first.commit()
        audit.record(first, actor="a", action="test.write", target_type="party", target_id="p1")  # holds the lock

        def other() -> None:
            try:
                audit.record(second, actor="b", action="test.write", target_type="party", target_id="p2")
                second.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)  # the other writer is now waiting (or has read a head that is about to go stale)
        first.commit()
        thread.join(30)
        assert errors == []
        assert audit.verify(first).ok
        seqs = first.execute(text("SELECT seq FROM audit_entry ORDER BY seq")).scalars().all()
        assert seqs == [1, 2, 3]
    finally:
        second.rollback()
        first.close()
        second.close()
