"""Lists cut short: the real SDN file cut at a line boundary, the real UN list cut at element boundaries.

A file cut where a line or an element ends parses cleanly, so only its change-set can tell: it delists
every entity past the cut. Such a version is refused (nothing stored) unless removals are accepted, and
when one was accepted by mistake, the genuine file brings the list back with --restore.
(SQLite only: the rules are the store's alike; tests/lists/test_import_guards.py runs both databases.)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import Refused
from goodpath.lists import formats, service
from goodpath.lists.guards import allowed_removals
from goodpath.lists.models import ListVersion
from goodpath.lists.records import ListFormatError
from goodpath.registry.models import ListEntry
from tests.conftest import DATA

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def stored(session) -> dict:
    session.expire_all()
    return {
        "versions": session.scalar(select(func.count()).select_from(ListVersion)),
        "listed": session.scalar(select(func.count()).where(ListEntry.status == "listed")),
        "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
    }


def cut_sdn(shared_data: Path, tmp_path: Path, share: float = 0.85) -> Path:
    """The 2021 SDN folder with sdn.csv cut after ``share`` of its lines (add.csv, alt.csv whole)."""
    folder = tmp_path / "sdn_cut"
    shutil.copytree(shared_data / "ofac_sdn_2021", folder)
    lines = (folder / "sdn.csv").read_bytes().splitlines(keepends=True)
    (folder / "sdn.csv").write_bytes(b"".join(lines[: int(len(lines) * share)]))
    return folder


def test_the_sdn_cut_at_85_percent_of_its_lines_is_refused_and_the_genuine_file_restores_the_list(
    db, session, shared_data, tmp_path
):
    full_path, cut_path = shared_data / "ofac_sdn_2021", cut_sdn(shared_data, tmp_path)
    full, cut = formats.parse(full_path), formats.parse(cut_path)
    gone = {e.external_id for e in full.entities} - {e.external_id for e in cut.entities}
    assert len(gone) == 1346 and len(full.entities) == 8976  # every entity past the cut: 15% of the list
    service.apply_parsed(session, full, actor="analyst1")
    session.commit()
    before = stored(session)

    with pytest.raises(service.RemovalsRefused) as refused:
        service.apply_parsed(session, cut, actor="analyst1")
    session.rollback()
    out = str(refused.value)  # what the CLI prints (tests/lists/test_import_guards.py), and the API's job shows
    assert f"would delist 1,346 of 8,976 listed entries, more than the {allowed_removals(8976)} allowed" in out
    assert "1,346 removed" in out and "first removed:" in out and "--accept-removals" in out
    first = min(gone, key=int)
    assert f"\n  {first}  {next(e.primary_name for e in full.entities if e.external_id == first)}\n" in out
    assert refused.value.details["first_removed"][0]["external_id"] == first
    assert stored(session) == before  # nothing stored, not even an audit entry

    # Accepted by mistake, the cut becomes version 2; the genuine file is then a roll-back ...
    assert service.apply_parsed(session, cut, actor="analyst1", accept_removals=True).removed == 1346
    session.commit()
    with pytest.raises(Refused, match=r"already imported as version 1\b.*--restore"):
        service.apply_parsed(session, full, actor="analyst1")
    session.rollback()
    # ... that --restore brings back as version 3, audited as the restoring of version 1.
    result = service.apply_parsed(session, full, actor="analyst1", restore=True)
    session.commit()
    assert (result.version, result.restored_from, result.added) == (3, 1, 1346)
    assert stored(session)["listed"] == 8976
    v3 = session.scalars(select(ListVersion).where(ListVersion.version == 3)).one()
    assert (v3.restored_from, v3.added, v3.removed) == (1, 1346, 0)
    audited = session.scalars(select(AuditEntry).where(AuditEntry.seq == v3.audit_seq)).one()
    assert audited.actor == "analyst1" and audited.reason.startswith("restore of version 1: import of ")


# --- the UN list cut at any element boundary ------------------------------------------------------

UN = DATA / "un" / "consolidated.xml"
_un_text: list[str] = []


def un_text() -> str:
    if not _un_text:
        _un_text.append(UN.read_text(encoding="utf-8"))
    return _un_text[0]


def un_cut(kept: int, closed: bool) -> str:
    """The UN list up to the end of its ``kept``-th INDIVIDUAL or ENTITY element; ``closed``: with the
    closing tags of the open lists added (a well-formed file that is merely incomplete)."""
    text = un_text()
    ends = [m.end() for m in re.finditer(r"</(?:INDIVIDUAL|ENTITY)>", text)]
    cut = text[: ends[kept - 1]] if kept else text[: text.index("<INDIVIDUALS>") + len("<INDIVIDUALS>")]
    if closed:
        cut += f"\n  </{'ENTITIES' if '<ENTITIES>' in cut else 'INDIVIDUALS'}>\n</CONSOLIDATED_LIST>\n"
    return cut


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kept=st.integers(0, 1003), closed=st.booleans())
@example(kept=903, closed=True)  # 100 dropped: as many as allowed
@example(kept=902, closed=True)  # 101: one too many
@example(kept=1003, closed=False)  # every element, the closing tags cut off
@example(kept=0, closed=True)  # nothing left but the empty, closed list
def test_the_un_list_cut_at_any_element_boundary_never_shrinks_the_list_unasked(db, session, tmp_path, kept, closed):
    if service.latest_version(session, "un-sc") is None:
        assert service.import_list(session, UN).entities == 1003
        session.commit()
    before = stored(session)
    path = tmp_path / "consolidated.xml"
    path.write_text(un_cut(kept, closed), encoding="utf-8")
    dropped = 1003 - kept
    try:
        result = service.import_list(session, path, fmt="un-xml")
    except ListFormatError as exc:
        if kept == 0 and closed:  # well formed but empty: refused as no list at all
            assert "no INDIVIDUAL or ENTITY entries" in str(exc)
        else:
            assert not closed and "Premature end of data" in str(exc)  # a cut without its closing tags: malformed
    except service.RemovalsRefused as exc:
        assert closed and dropped > allowed_removals(1003) and exc.details["removed"] == dropped
    else:
        assert closed and dropped <= allowed_removals(1003) and result.removed == dropped
    finally:
        session.rollback()
    assert stored(session) == before
