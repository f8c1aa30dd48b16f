"""CSV and Excel downloads of the list pages: ``/ui/export/<list>?format=csv|xlsx`` with the list page's
own filters (the ``_export_buttons.html`` partial links them from each list).

Each list is read through the same service call as its page and its API route, with the page's viewer,
so a download holds exactly the rows the viewer may read; it is written by the same export functions as
the API's ``?format=csv|xlsx`` (``engagement.interfaces.Lists.download``: ``engagement.export`` and
``core.cells``, no cell a formula) and audited the same way (``audit.exports``: who, what was asked,
the format, the row count and the highest marking among the rows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from goodpath.access.policy import Permission, Role
from goodpath.audit import reading
from goodpath.core.errors import GoodpathError
from goodpath.core.models import utcnow
from goodpath.engagement import cases, consultations, disclosures, dossiers, enforcement, icp, pledges, projects
from goodpath.engagement.case_metrics import AGE_BUCKETS, age_bucket
from goodpath.engagement.export import FORMATS
from goodpath.engagement.interfaces import Lists
from goodpath.registry import service as registry
from goodpath.web.labels import N_
from goodpath.web.rendering import Page, PageError, page

router = APIRouter(include_in_schema=False)

MAX_PARTIES = 10_000  # a party export holds at most this many rows (the registry can hold millions)
MAX_AUDIT = 10_000
MAX_ROWS = 100_000  # a list read in full (as the other lists' limit=100_000)


def _get(page: Page, key: str) -> str | None:
    value = (page.request.query_params.get(key) or "").strip()
    return value or None


def _flag(page: Page, key: str) -> bool:
    return (page.request.query_params.get(key) or "").strip().lower() in ("1", "true", "on", "yes")


def _consultations(page: Page) -> list[dict]:
    return consultations.list_consultations(page.session, page.viewer, status=_get(page, "status"),
                                            overdue_only=_flag(page, "overdue"))  # fmt: skip


def _pledges(page: Page) -> list[dict]:
    return pledges.list_pledges(page.session, page.viewer, status=_get(page, "status"), overdue=_flag(page, "overdue"))


def _projects(page: Page) -> list[dict]:
    return projects.list_projects(page.session, page.viewer, status=_get(page, "status"), kind=_get(page, "kind"))


def _enforcement(page: Page) -> list[dict]:
    """Every action the viewer reads, as the page's list counts them (its period is the report's, not the list's)."""
    return enforcement.list_actions(page.session, page.viewer, limit=100_000)


def _cases(page: Page) -> list[dict]:
    """As the case list shows them: a status (or ``open``) and an age bucket."""
    status, age = _get(page, "status"), _get(page, "age")
    rows = cases.list_cases(page.session, page.viewer, open_only=status == "open",
                            status=status if status and status != "open" else None, limit=100_000)  # fmt: skip
    if age in {name for name, _, _ in AGE_BUCKETS}:
        today = utcnow().date()
        rows = [r for r in rows if age_bucket(_age(r, today)) == age]
    return rows


def _age(case: dict, today: date) -> int:
    end = today if case["open"] else date.fromisoformat(case["status_on"])
    return max((end - date.fromisoformat(case["raised_on"])).days, 0)


def _icp(page: Page) -> list[dict]:
    own = page.viewer.company_party_id if page.viewer.role is Role.COMPANY_OFFICER else None
    return icp.list_assessments(page.session, page.viewer, party_id=own)


def _dossiers(page: Page) -> list[dict]:
    """As the dossier list shows them: a status (one of the dossier's; any other is ignored, as on the page)
    and the model candidates only."""
    status = _get(page, "status")
    return dossiers.list_dossiers(page.session, page.viewer, status=status if status in dossiers.DOSSIER.statuses
                                  else None, model_candidate=True if _flag(page, "candidates") else None)  # fmt: skip


def _disclosures(page: Page) -> list[dict]:
    """As the analysts' queue shows them (those with hits to decide first), with its company, signal and
    review filters (an unknown signal or review is ignored, as on the page), every page of it."""
    signal, review = _get(page, "signal"), _get(page, "review")
    return disclosures.review_queue(
        page.session, page.viewer, party_id=_get(page, "company"),
        signal=signal if signal in disclosures.SIGNALS else None,
        review=review if review in disclosures.REVIEW_STATES else None, limit=MAX_ROWS,
    )["results"]  # fmt: skip


def _parties(page: Page) -> list[dict]:
    q = _get(page, "q")
    if q:
        _, found = registry.search_parties(page.session, page.viewer, q, limit=MAX_PARTIES,
                                           include_delisted=_flag(page, "include_delisted"))  # fmt: skip
    else:
        _, found = registry.list_parties(page.session, page.viewer, limit=MAX_PARTIES)
    return [registry.party_summary(p) | {"releasability": p.releasability, "originator": p.originator} for p in found]


def _audit(page: Page) -> list[dict]:
    """The entries the viewer reads in full (a redacted entry is not exported), newest first."""
    if not page.can(Permission.READ_AUDIT):
        page.deny()
        raise PageError(403, N_("Your role does not allow this."))
    found = reading.entries(page.session, page.viewer, actor=_get(page, "actor") or "",
                            action=_get(page, "action") or "", target=_get(page, "target") or "",
                            limit=MAX_AUDIT)  # fmt: skip
    return [e for e in found["results"] if not e["redacted"]]


# list name -> (how its rows are read, the download's name: the API's where it has one)
LISTS: dict[str, tuple[Callable[[Page], list[dict]], str]] = {
    "consultations": (_consultations, "consultations"),
    "pledges": (_pledges, "pledges"),
    "projects": (_projects, "projects"),
    "enforcement": (_enforcement, "enforcement-actions"),
    "cases": (_cases, "cases"),
    "icp": (_icp, "icp-assessments"),
    "dossiers": (_dossiers, "dossiers"),
    "disclosures": (_disclosures, "disclosures"),
    "parties": (_parties, "parties"),
    "audit": (_audit, "audit-log"),
}


@router.get("/ui/export/{name}")
def export_list(name: str, request: Request, format: str = "csv", page: Page = Depends(page)) -> Response:  # noqa: A002
    page.require_login()
    if name not in LISTS:
        raise PageError(404, N_("There is no such record, or you may not see it."))
    if format not in FORMATS:
        raise PageError(422, N_("Choose CSV or Excel."))
    read, filename = LISTS[name]
    try:
        rows = read(page)
    except GoodpathError as exc:
        raise PageError(422, str(exc)) from None
    return Lists(request, page.session, page.viewer).download(rows, format, filename)
