"""The dashboard: the pathway funnel, how cases were resolved over time, the time to resolution and
the consultations held against those planned. Each chart is drawn in the browser by the vendored
Chart.js (static/charts.js) from a JSON block on the page, and each also has a table with its numbers,
so the page reads without JavaScript. Everything counted is what the viewer may read."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from goodpath.core.models import utcnow
from goodpath.engagement import case_metrics, consultations
from goodpath.engagement.cases import OUTCOMES
from goodpath.pathway import stages as catalogue
from goodpath.pathway import timeline
from goodpath.web.labels import N_
from goodpath.web.rendering import Page, gettext, label, page

router = APIRouter(include_in_schema=False)

PATH_COLOURS = {"start": "#64748b", "good": "#15803d", "bad": "#b91c1c"}
OUTCOME_COLOURS = {"resolved_by_consultation": "#15803d", "sanctioned": "#b91c1c", "closed_unsubstantiated": "#94a3b8"}
STEP_NAMES = {
    "acknowledged": N_("Acknowledged"),
    "under_investigation": N_("Under investigation"),
    "response_reported": N_("Response reported"),
    "outcome": N_("Outcome recorded"),
}


def funnel_chart(page: Page) -> dict:
    """Companies per stage, in the catalogue's order, with the days spent per stage."""
    data = timeline.funnel(page.session, page.viewer)
    stages = catalogue.load().stages
    apart = data["illustrative"]  # the illustrative (fictional) companies: shown, counted apart
    rows = [{"stage": name, "label": label(name), "path": stages[name]["path"], "count": count,
             "illustrative": apart["at_stage"].get(name, 0), **data["days"].get(name, {})}
            for name, count in data["at_stage"].items()]  # fmt: skip
    chart = {
        "type": "bar",
        "labels": [r["label"] for r in rows],
        "datasets": [
            {
                "label": gettext(N_("Companies")),
                "data": [r["count"] for r in rows],
                "backgroundColor": [PATH_COLOURS.get(r["path"], "#1f5fae") for r in rows],
            }
        ],  # fmt: skip
        "horizontal": True,
        "legend": False,
    }
    if apart["companies"]:
        chart["datasets"].append({"label": gettext(N_("Illustrative scenario")),
                                  "data": [r["illustrative"] for r in rows], "backgroundColor": "#f59e0b"})  # fmt: skip
        chart["legend"] = True
    return {"rows": rows, "companies": data["companies"], "illustrative": apart["companies"], "chart": chart}


def outcomes_chart(page: Page) -> dict:
    by_year = case_metrics.outcome_shares_by_year(page.session, page.viewer)
    years = sorted(by_year)
    rows = [{"year": y, **{o: by_year[y]["counts"][o] for o in OUTCOMES}, "closed": by_year[y]["closed"]}
            for y in years]  # fmt: skip
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [str(y) for y in years],
        "datasets": [
            {"label": label(o), "data": [r[o] for r in rows], "backgroundColor": OUTCOME_COLOURS[o]} for o in OUTCOMES
        ],  # fmt: skip
    }
    totals = case_metrics.outcome_shares(page.session, page.viewer)
    return {"rows": rows, "chart": chart, "totals": totals}


def resolution_chart(page: Page) -> dict:
    steps = case_metrics.time_to_steps(page.session, page.viewer)
    rows = [{"step": s, "label": gettext(STEP_NAMES[s]), **steps[s]} for s in case_metrics.STEPS]
    chart = {
        "type": "bar",
        "labels": [r["label"] for r in rows],
        "datasets": [
            {
                "label": gettext(N_("Median days")),
                "data": [r["median_days"] for r in rows],
                "backgroundColor": "#1f5fae",
            },
            {"label": gettext(N_("Mean days")), "data": [r["mean_days"] for r in rows], "backgroundColor": "#93b8e6"},
        ],
    }
    return {"rows": rows, "chart": chart}


def consultations_chart(page: Page) -> dict:
    data = consultations.metrics(page.session, page.viewer, today=utcnow().date())
    rows = data["years"]
    chart = {
        "type": "bar",
        "labels": [str(r["year"]) for r in rows],
        "datasets": [
            {"label": gettext(N_("Held")), "data": [r["held"] for r in rows], "backgroundColor": "#15803d"},
            {"label": gettext(N_("Planned")), "data": [r["scheduled"] for r in rows], "backgroundColor": "#93b8e6"},
            {
                "label": gettext(N_("Expected by cadence")),
                "data": [r["expected"] for r in rows],
                "type": "line",
                "borderColor": "#b45309",
                "backgroundColor": "#b45309",
            },
        ],
    }
    return {"rows": rows, "chart": chart, "tracks": data["tracks"]}


@router.get("/ui/dashboard", response_class=HTMLResponse)
def dashboard(page: Page = Depends(page)) -> Response:
    page.require_login()
    # The charts' labels are translated while the page is drawn: build them inside the drawing.
    return page.render("dashboard.html", charts=lambda: {
        "funnel": funnel_chart(page), "outcomes": outcomes_chart(page),
        "resolution": resolution_chart(page), "consultations": consultations_chart(page),
    })  # fmt: skip
