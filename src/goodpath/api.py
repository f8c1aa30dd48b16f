"""The FastAPI app: each domain's router mounted here. OpenAPI at /docs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from goodpath import __version__, consequences
from goodpath.access.followup_views import router as followups_router
from goodpath.access.views import router as auth_router
from goodpath.access.work_views import router as work_router
from goodpath.audit.views import router as audit_router
from goodpath.cables.views import router as cables_router
from goodpath.core.api_support import INPUT_CHECKS, install_error_handlers
from goodpath.core.db import get_engine
from goodpath.core.followup_runner import Background
from goodpath.core.security_headers import SecurityHeaders
from goodpath.core.telemetry import RequestTelemetry
from goodpath.core.uploads import UploadLimits
from goodpath.engagement.case_views import router as cases_router
from goodpath.engagement.consultation_views import router as consultations_router
from goodpath.engagement.disclosure_views import router as disclosures_router
from goodpath.engagement.dossier_views import router as dossiers_router
from goodpath.engagement.enforcement_views import router as enforcement_router
from goodpath.engagement.icp_views import router as icp_router
from goodpath.engagement.pledge_views import router as pledges_router
from goodpath.engagement.project_views import router as projects_router
from goodpath.lists.views import router as lists_router
from goodpath.observability import install_tracing
from goodpath.observability import router as observability_router
from goodpath.pathway.alert_views import router as pathway_alerts_router
from goodpath.pathway.eligibility_views import router as pathway_eligibility_router
from goodpath.pathway.evidence_views import router as evidence_router
from goodpath.pathway.register_views import router as public_register_router
from goodpath.pathway.sanction_views import router as sanction_records_router
from goodpath.pathway.views import router as pathway_router
from goodpath.registry.identity_views import router as identity_router
from goodpath.registry.views import router as registry_router
from goodpath.reports.views import router as reports_router
from goodpath.screening.batch_views import router as screening_batch_router
from goodpath.screening.review_views import router as screening_review_router
from goodpath.screening.views import router as screening_router
from goodpath.web import install as install_web_ui

consequences.install()


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Follow-up work (re-screening, breach scans) a killed process left, then any that comes due.
    runner = Background().start()
    try:
        yield
    finally:
        await asyncio.to_thread(runner.stop)


app = FastAPI(
    title="goodpath", version=__version__, description="Nonproliferation sanctions engagement.", lifespan=lifespan,
    docs_url=None, redoc_url=None,  # /docs is the web UI's, from vendored files (FastAPI's loads a CDN)
    dependencies=INPUT_CHECKS,  # a NUL character anywhere in a request: 422
)  # fmt: skip
install_error_handlers(app)
app.add_middleware(UploadLimits)  # each upload route's size limit, checked as the body streams in
app.include_router(observability_router)
app.include_router(auth_router)
app.include_router(registry_router)
app.include_router(identity_router)
app.include_router(lists_router)
app.include_router(audit_router)
app.include_router(followups_router)
app.include_router(work_router)
app.include_router(screening_router)
app.include_router(screening_batch_router)
app.include_router(screening_review_router)
app.include_router(consultations_router)
app.include_router(pledges_router)
app.include_router(projects_router)
app.include_router(cases_router)
app.include_router(enforcement_router)
app.include_router(dossiers_router)
app.include_router(disclosures_router)
app.include_router(icp_router)
app.include_router(cables_router)
app.include_router(pathway_eligibility_router)
app.include_router(sanction_records_router)
app.include_router(evidence_router)
app.include_router(reports_router)
app.include_router(public_register_router)
app.include_router(pathway_alerts_router)
app.include_router(pathway_router)
# The web UI (HTML pages, /static): same app, same access policy; API routes are unchanged.
install_web_ui(app)
app.add_middleware(SecurityHeaders)  # CSP and the other security headers on every response
app.add_middleware(RequestTelemetry)  # outermost: request id, metrics and the access log of every request
install_tracing(app)  # OpenTelemetry, only when GOODPATH_OTEL is set


@app.get("/health", tags=["system"])
def health() -> dict:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
