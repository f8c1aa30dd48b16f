"""The engagement workflows' shared parts: markings, transitions, party keys, exports."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from goodpath.access import records
from goodpath.access.policy import Role, Viewer
from goodpath.core import fields, workflow
from goodpath.core.errors import GoodpathError, Refused
from goodpath.core.models import Classification
from goodpath.engagement import dossiers, export
from goodpath.registry.models import Party
from tests.factories import OPERATOR

CONFIDENTIAL_ANALYST = Viewer(Role.ANALYST, Classification.CONFIDENTIAL, "USA", 3, "conf")
FLOW = workflow.Workflow("thing", {"open": frozenset({"done", "dropped"}), "done": frozenset()})


def test_nobody_marks_a_record_above_their_clearance():
    assert records.marking(CONFIDENTIAL_ANALYST, "confidential", share_with=["CHN"])["releasability"] == "CHN,USA"
    with pytest.raises(GoodpathError, match="above your clearance"):
        records.marking(CONFIDENTIAL_ANALYST, "SECRET")
    with pytest.raises(GoodpathError, match="classification must be one of"):
        records.marking(CONFIDENTIAL_ANALYST, "TOP SECRET")


codes = st.lists(st.sampled_from(["USA", "CHN", "NORINCO", "GBR"]), min_size=1, max_size=6)


@given(codes)
def test_releasability_is_canonical_whatever_the_order_case_or_spaces(given_codes):
    written = " , ".join(c.lower() for c in given_codes)
    assert fields.canonical_releasability(written, []) == ",".join(sorted(set(given_codes)))


def test_releasability_rejects_what_is_not_an_organization_code():
    with pytest.raises(GoodpathError, match="organization codes"):
        fields.canonical_releasability("USA;CHN", [])


def test_a_workflow_names_the_allowed_steps_when_it_refuses():
    FLOW.check("open", "done")
    with pytest.raises(Refused, match=r"from done to dropped \(allowed: none: it is final\)"):
        FLOW.check("done", "dropped")
    with pytest.raises(GoodpathError, match="status must be one of open, done, dropped"):
        FLOW.check("open", "closed")


def test_a_party_key_works_wherever_a_party_id_does(session):
    session.add(Party(id="p-1", key="norinco", schema="Company", caption="NORINCO", countries=[], birth_dates=[],
                      classification="UNCLASSIFIED", releasability="ALL", originator="USA"))  # fmt: skip
    session.flush()
    opened = dossiers.open_dossier(session, OPERATOR, "norinco", occurred_on="2007-08-13")
    assert opened.party_id == "p-1"
    assert dossiers.get_dossier(session, OPERATOR, "norinco").id == opened.id


ROWS = [{"id": 1, "title": 'Training, "WMD"', "tags": ["a", "b"]}, {"id": 2, "title": "中国", "extra": None}]


def test_csv_and_excel_exports_hold_every_row_and_column():
    parsed = list(csv.DictReader(io.StringIO(export.to_csv(ROWS).decode("utf-8"))))
    assert parsed == [{"id": "1", "title": 'Training, "WMD"', "tags": '["a", "b"]', "extra": ""},
                      {"id": "2", "title": "中国", "tags": "", "extra": ""}]  # fmt: skip
    sheet = load_workbook(io.BytesIO(export.to_xlsx(ROWS, "pledges"))).active
    assert sheet.title == "pledges"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["id", "title", "tags", "extra"], [1, 'Training, "WMD"', '["a", "b"]', None], [2, "中国", None, None]
    ]  # fmt: skip
    with pytest.raises(GoodpathError, match="export format must be one of csv, xlsx"):
        export.export(ROWS, "pdf")
