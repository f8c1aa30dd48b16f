"""Probe: a truncated copy of a stored cable never replaces it. Whatever the cut point (in a file or
in a zip archive), the stored cable keeps every paragraph, link and draft; the copy is refused or
kept as a pending version for an analyst."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from goodpath.cables import ingest
from goodpath.cables.models import CableDraft, CableLink, CableVersion, StoredCable
from goodpath.core.settings import get_settings
from tests.factories import OPERATOR

SEED = get_settings().shared_dir / "seeds" / "000_6a1cbc83fd7c25d4.txt"  # 07BEIJING1900
REF = "07BEIJING1900"


def held(session) -> tuple:
    """The stored cable's current content: paragraphs, links and drafts, as rows."""
    session.expire_all()
    cable = session.scalars(select(StoredCable).where(StoredCable.reference_id == REF)).one()
    links = session.execute(select(CableLink.id, CableLink.name, CableLink.party_id).where(
        CableLink.cable_id == cable.id).order_by(CableLink.id)).all()  # fmt: skip
    found = session.execute(select(CableDraft.id, CableDraft.text, CableDraft.status).where(
        CableDraft.cable_id == cable.id).order_by(CableDraft.id)).all()  # fmt: skip
    current = session.scalars(select(CableVersion.number).where(
        CableVersion.cable_id == cable.id, CableVersion.status == "current")).all()  # fmt: skip
    return cable.data["paragraphs"], cable.content_hash, links, found, current


@pytest.fixture
def stored(session) -> tuple:
    assert SEED.exists(), f"the seed cable is missing at {SEED}"
    assert ingest.ingest_paths(session, OPERATOR, [SEED])[0]["outcome"] == "stored"
    session.commit()
    before = held(session)
    assert (len(before[0]), len(before[2]), len(before[3]), before[4]) == (9, 9, 17, [1])
    return before


def test_a_cut_copy_never_replaces_the_stored_cable(session, stored, tmp_path):
    raw = SEED.read_bytes()
    for share in (0.05, 0.3, 0.45, 0.6, 0.9, 0.999):  # before the subject, in ¶2, ¶4, ¶6, ¶9, the last bytes
        cut = tmp_path / f"cut-{share}.txt"
        cut.write_bytes(raw[: int(len(raw) * share)])
        result = ingest.ingest_paths(session, OPERATOR, [cut])[0]
        session.commit()
        assert result["outcome"] == "pending_version", (share, result)
        assert held(session) == stored, share


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(SEED.read_bytes()) - 1) if SEED.exists() else st.just(0))
def test_at_any_cut_point_the_current_version_loses_nothing(session, stored, tmp_path, cut):
    path = tmp_path / f"cut-{cut}.txt"
    path.write_bytes(SEED.read_bytes()[:cut])
    result = ingest.ingest_paths(session, OPERATOR, [path])[0]
    assert result["outcome"] in {"pending_version", "unchanged", "refused"}, result
    assert held(session) == stored


def test_a_cut_zip_and_a_zip_of_a_cut_copy_change_nothing(session, stored):
    raw = SEED.read_bytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cables/1900.txt", raw)
        z.writestr("cables/1900-cut.txt", raw[: len(raw) // 3])
    whole = archive.getvalue()
    cut_zip = ingest.ingest_upload(session, OPERATOR, [("cables.zip", whole[: len(whole) // 2])])
    assert [r["outcome"] for r in cut_zip] == ["refused"] and "zip" in cut_zip[0]["reason"]
    full_zip = ingest.ingest_upload(session, OPERATOR, [("cables.zip", whole)])
    session.commit()
    assert {r["file"]: r["outcome"] for r in full_zip} == {
        "cables.zip:cables/1900-cut.txt": "pending_version", "cables.zip:cables/1900.txt": "unchanged",
    }  # fmt: skip
    assert held(session) == stored


def test_a_copy_cut_within_its_header_never_starts_a_cable(session, tmp_path):
    raw = SEED.read_bytes()
    banner = raw.index(b"BEIJING 001900")
    for end in (banner + len(b"BEIJING 0019"), banner + len(b"BEIJING 001900")):  # the serial cut short, whole
        cut = tmp_path / f"cut-{end}.txt"
        cut.write_bytes(raw[:end])
        result = ingest.ingest_paths(session, OPERATOR, [cut])[0]
        assert result["outcome"] == "refused" and "no subject and no text" in result["reason"], result
    assert session.scalars(select(StoredCable)).all() == []
