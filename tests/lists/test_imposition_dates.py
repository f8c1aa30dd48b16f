"""Imposition dates of list sanctions with their precision (issue 19): the row's own start date is exact;
without one, the first list version holding the entry dates it "listed by" (an upper bound, kept when the
entry changes, renewed when it is relisted); OFAC remarks' listing dates are read; analysts' records are
never touched by an import."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from goodpath.lists import service
from goodpath.lists.formats.ofac_csv import remark_dates
from goodpath.lists.records import ParsedSanction
from goodpath.registry import sanction_records
from goodpath.registry.models import Sanction
from tests.factories import OPERATOR, entity, parsed


def _undated(ext: str, name: str):
    found = entity(ext, name, program="IFSR")
    return dataclasses.replace(found, sanctions=[ParsedSanction(program="IFSR")])


def _published(entities, day: str, tag: str):
    return dataclasses.replace(parsed(entities, tag=tag), published=day)


def _sanction(session, ext: str) -> Sanction:
    session.expire_all()
    return session.scalars(select(Sanction).where(Sanction.entry_id == service.entry_id_for("test-list", ext))).one()


def test_start_date_is_exact_else_the_first_version_lists_it_by(session):
    sanction_records.add_party(session, OPERATOR, "Analyst Co", schema="Company", country="CN", key="analyst-co")
    own = sanction_records.add_sanction(session, OPERATOR, "analyst-co", authority="INKSNA", imposed="2005-12-23",
                                        citation="70 FR 77441")  # fmt: skip
    service.apply_parsed(session, _published([entity("1", "DATED CO"), _undated("2", "UNDATED CO")], "2019-05-01", "a"))
    session.commit()
    dated, undated = _sanction(session, "1"), _sanction(session, "2")
    assert (dated.imposed_on, dated.imposed_precision) == (date(2006, 6, 13), "exact")
    assert (undated.imposed_on, undated.imposed_precision) == (date(2019, 5, 1), "listed_by")
    assert undated.expires_on is None and undated.minimum_end is None  # no term from an upper bound

    changed = _undated("2", "UNDATED COMPANY")  # a changed entry keeps the day it was first listed by
    service.apply_parsed(session, _published([entity("1", "DATED CO"), changed], "2021-01-01", "b"))
    session.commit()
    assert _sanction(session, "2").imposed_on == date(2019, 5, 1)
    session.expire_all()
    kept = session.get(Sanction, own.id)
    assert (kept.imposed_on, kept.origin, kept.citation) == (date(2005, 12, 23), "analyst", "70 FR 77441")


def test_ofac_remarks_dates():
    remarks = "Listing Date (EO 14024 Directive 2): 24 Feb 2022; Effective Date (EO 14024 Directive 2): 26 Mar 2022."
    assert remark_dates(remarks) == [("EO 14024 Directive 2", "2022-02-24"), ("EO 14024 Directive 2", "2022-03-26")]
    assert remark_dates("no date here") == []
