"""Finding cases and pledges by words: every word must occur (any case, any script); only what the viewer
may read is returned or counted."""

from __future__ import annotations

from goodpath.access.policy import Role, Viewer
from goodpath.core.models import Classification
from goodpath.engagement import cases, pledges
from goodpath.engagement.search import search_cases, search_pledges
from goodpath.registry.models import Party
from tests.factories import OPERATOR

CONFIDENTIAL = Viewer(Role.ANALYST, Classification.CONFIDENTIAL, "USA", 0, "conf-analyst")
PARTNER = Viewer(Role.PARTNER_OFFICER, Classification.SECRET, "CHN", 0, "partner")


def _records(session) -> None:
    cases.raise_case(session, OPERATOR, reference="WLC-2024-900", title="Gyroscopes to a SECRET end user",
                     facts="Reporting on 陀螺仪 shipments.", partner="CHN", classification="SECRET")  # fmt: skip
    cases.raise_case(session, OPERATOR, reference="WLC-2024-901", title="Gyroscopes through a broker",
                     facts="A broker in Dalian.", partner="CHN", classification="UNCLASSIFIED")  # fmt: skip
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="Stop the gyroscope shipments.",
                   classification="SECRET")  # fmt: skip
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="Review GYROSCOPE licences.",
                   share_with=["CHN"])  # fmt: skip
    session.flush()


def test_every_word_any_case_and_only_readable_cases_are_found_and_counted(session):
    _records(session)
    total, rows = search_cases(session, OPERATOR, "gyroscopes")
    assert total == 2 and {r["reference"] for r in rows} == {"WLC-2024-901", "WLC-2024-900"}
    assert search_cases(session, OPERATOR, "GYROSCOPES broker")[0] == 1
    assert search_cases(session, OPERATOR, "陀螺仪")[0] == 1
    assert search_cases(session, OPERATOR, "wlc-2024-901")[1][0]["title"] == "Gyroscopes through a broker"
    total, rows = search_cases(session, CONFIDENTIAL, "gyroscopes")
    assert total == 1 and [r["reference"] for r in rows] == ["WLC-2024-901"]
    assert search_cases(session, CONFIDENTIAL, "陀螺仪") == (0, [])
    assert search_cases(session, OPERATOR, "   ") == (0, [])
    assert search_cases(session, OPERATOR, "100%_")[0] == 0  # LIKE wildcards are taken literally


def test_a_case_or_pledge_of_a_found_party_is_found_by_the_partys_name(session):
    session.add(Party(id="plan0001", key="lan-harbour", schema="Company", caption="Lan Harbour Trading",
                      countries=["cn"], birth_dates=[], classification="UNCLASSIFIED", releasability="ALL",
                      originator="USA"))  # fmt: skip
    session.flush()
    cases.raise_case(session, OPERATOR, reference="WLC-2024-902", title="Machine tools", facts="Diversion.",
                     party_id="plan0001", partner="CHN")  # fmt: skip
    pledges.create(session, OPERATOR, pledged_by="CHN", pledged_to="USA", text="Investigate.", party_id="plan0001")
    session.flush()
    assert search_cases(session, OPERATOR, "harbour") == (0, [])
    total, rows = search_cases(session, OPERATOR, "harbour", party_ids=["plan0001"])
    assert total == 1 and rows[0]["reference"] == "WLC-2024-902"
    assert search_pledges(session, OPERATOR, "harbour", party_ids=["plan0001"])[0] == 1


def test_pledges_are_found_by_their_words_and_read_rules(session):
    _records(session)
    assert search_pledges(session, OPERATOR, "gyroscope")[0] == 2
    total, rows = search_pledges(session, CONFIDENTIAL, "gyroscope")
    assert total == 1 and rows[0]["text"] == "Review GYROSCOPE licences."
    assert search_pledges(session, PARTNER, "gyroscope")[0] == 1  # shared with CHN
    assert search_pledges(session, OPERATOR, "gyroscope", limit=1)[0] == 2  # the total is not the page
    assert len(search_pledges(session, OPERATOR, "gyroscope", limit=1)[1]) == 1
