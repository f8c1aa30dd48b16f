"""Authorization matrix: the report routes (see test_authorization_matrix.py).

The company dossier: analysts, approvers and auditors, of the parties they may read; a company officer
their own company's alone (any other answers like one that never existed); partner officers, admins and
the public are refused. The case file: analysts, approvers, auditors and partner officers, of the cases
they may read. A report carries the highest marking of what it shows (a SECRET party's dossier is SECRET)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.access import matrix_engagement_cases
from tests.access.matrix_support import DERIVED, World

DOSSIER_READERS = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "company"}
CASE_READERS = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "partner"}
# A few probes of different markings (each report is a PDF drawn: seconds, not milliseconds).
DOSSIER_PROBES = {"s_all": "SECRET", "own_company": "UNCLASSIFIED//REL TO NORINCO, USA", "u_unmarked_chn": None}


def _status(user: str, readers: set[str], visible: bool) -> int:
    if user == "public":
        return 401
    if user not in readers:
        return 403
    return 200 if visible else 404


def _banner(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def check_dossier(w: World, user: str) -> None:
    for probe, banner in DOSSIER_PROBES.items():
        response = w.call(user, "GET", f"/reports/dossier/{w.party_ids[probe]}", params={"as_of": "2007-08-15"})
        expected = _status(user, DOSSIER_READERS, probe in DERIVED[user])
        assert response.status_code == expected, (user, probe, response.text[:300])
        if expected == 200:
            assert response.headers["content-type"] == "application/pdf"
            assert banner is None or banner in _banner(response.content), (user, probe)


def check_case_file(w: World, user: str) -> None:
    made = matrix_engagement_cases._records(w)["cases"]
    for name, case_id in made.items():
        response = w.call(user, "GET", f"/reports/cases/{case_id}", params={"lang": "zh"})
        expected = _status(user, CASE_READERS, user in matrix_engagement_cases.SEES[name])
        assert response.status_code == expected, (user, name, response.text[:300])
        if expected == 200:
            assert ("SECRET" in _banner(response.content)) == (name == "secret"), (user, name)


CHECKS = {("GET", "/reports/dossier/{party}"): check_dossier, ("GET", "/reports/cases/{case}"): check_case_file}
