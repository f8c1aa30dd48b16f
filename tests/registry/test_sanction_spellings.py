"""Recording the law's facts as an analyst types them: an authority by its code however spaced or
punctuated, or by a title it bore; measures, event kinds and schemas in any case; an ambiguous name is
refused with the valid codes."""

from __future__ import annotations

import pytest

from goodpath.core.errors import GoodpathError
from goodpath.registry import sanction_records
from tests.factories import OPERATOR


def test_authorities_measures_and_kinds_are_read_as_typed(session):
    sanction_records.add_party(session, OPERATOR, "Spelling Test Works", schema="company", country="CN", key="stw")
    by_code = sanction_records.add_sanction(session, OPERATOR, "stw", authority="aeca 73", imposed="1993-08-24",
                                            category="ii", citation="58 FR 52523")  # fmt: skip
    assert by_code.authority_code == "AECA73"
    old_name = sanction_records.add_sanction(session, OPERATOR, "stw", authority="Iran Nonproliferation Act of 2000",
                                             imposed="2005-12-23", citation="70 FR 77441")  # fmt: skip
    assert old_name.authority_code == "INKSNA"
    measure = by_code.measures[0]
    spelled = measure.replace("_", " ").upper()
    event = sanction_records.add_event(session, OPERATOR, by_code.id, kind="Waiver", on="1994-11-01",
                                       citation="59 FR 55981", measures=[spelled])  # fmt: skip
    assert (event.kind, list(event.measures)) == ("waiver", [measure])
    with pytest.raises(GoodpathError, match="unknown authority 'Arms Export Control Act'; valid: AECA73, AECA81"):
        sanction_records.add_sanction(session, OPERATOR, "stw", authority="Arms Export Control Act",
                                      imposed="2000-01-01", citation="x")  # fmt: skip
