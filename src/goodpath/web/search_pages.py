"""Finding anything: the one search box of the header (``/ui/search?q=``) and the party picker's
suggestions (``/ui/parties/suggest``).

The search composes each domain's own search with the page's viewer: parties by any of their names in
any script (``registry.service.search_parties``), cases and pledges by their text
(``engagement.search``), cables by subject and text (``cables.ingest.list_cables``). Every one reads
through the access policy, so a record the viewer may not read is neither listed nor counted. The
suggestions are the first parties of the same party search, as options of a datalist (or JSON).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from goodpath.cables import ingest as cables
from goodpath.engagement import search as engagement_search
from goodpath.registry import service as registry
from goodpath.web.rendering import ENV, Page, page

router = APIRouter(include_in_schema=False)

SHOWN = 10  # rows of each kind on the search page
SUGGESTED = 10  # parties the picker suggests at most
MAX_QUERY = 200
CABLE_LIMIT = 200  # cables counted at most (the list says "200 or more")


def _query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


@router.get("/ui/search", response_class=HTMLResponse)
def search_page(q: str = "", page: Page = Depends(page)) -> Response:
    page.require_login()
    q = _query(q)
    return page.render("search.html", q=q, results=find_everything(page, q) if q else None,
                       shown=SHOWN, cable_limit=CABLE_LIMIT)  # fmt: skip


def find_everything(page: Page, q: str) -> dict:
    """Parties, cases, cables and pledges matching ``q`` that the viewer may read, with their totals."""
    session, viewer = page.session, page.viewer
    party_total, parties = registry_search(page, q, SHOWN)
    found_ids = [p.id for p in registry_search(page, q, 50)[1]] if party_total > SHOWN else [p.id for p in parties]
    case_total, case_rows = engagement_search.search_cases(session, viewer, q, party_ids=found_ids, limit=SHOWN)
    pledge_total, pledge_rows = engagement_search.search_pledges(session, viewer, q, party_ids=found_ids,
                                                                 limit=SHOWN)  # fmt: skip
    cable_rows = cables.list_cables(session, viewer, q=q, limit=CABLE_LIMIT)
    return {
        "parties": {"total": party_total, "rows": parties},
        "cases": {"total": case_total, "rows": case_rows},
        "cables": {"total": len(cable_rows), "rows": cable_rows[:SHOWN]},
        "pledges": {"total": pledge_total, "rows": pledge_rows},
        "total": party_total + case_total + len(cable_rows) + pledge_total,
    }


def registry_search(page: Page, q: str, limit: int) -> tuple[int, list]:
    return registry.search_parties(page.session, page.viewer, q, limit=limit)


@router.get("/ui/parties/suggest")
def suggest_parties(request: Request, q: str = "", field: str = "", format: str = "",  # noqa: A002
                    page: Page = Depends(page)) -> Response:  # fmt: skip
    """At most ten readable parties whose names hold every word typed: ``<option>`` elements for the
    picker's datalist, or JSON (``format=json`` or ``Accept: application/json``). The picker's input
    sends its own name (``field``) and value; ``q`` works too."""
    page.require_login()
    text = _query(request.query_params.get(field) if field and field != "q" else q) or _query(q)
    total, found = registry_search(page, text, SUGGESTED) if text else (0, [])
    rows = [{"id": p.id, "key": p.key, "caption": p.caption, "schema": p.schema,
             "countries": list(p.countries or []), "classification": p.classification,
             "portion": (p.classification or "UNCLASSIFIED")[0]} for p in found]  # fmt: skip
    if format == "json" or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"q": text, "total": total, "results": rows}, headers={"Cache-Control": "no-store"})
    html = ENV.get_template("_party_options.html").render(parties=rows)
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Vary": "Accept, Cookie"})
