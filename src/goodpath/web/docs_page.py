"""``/docs``: the API's Swagger UI, from the vendored copy (``make vendor``), never a CDN.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script, both of
which the Content-Security-Policy refuses; this one loads it from ``/static/vendor`` and starts
it from ``/static/swagger-init.js``, which reads the OpenAPI address from a ``data-`` attribute.
Without the vendored files it says how to get them and links the OpenAPI document itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from goodpath.web.rendering import ENV, VENDOR_DIR

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    available = (VENDOR_DIR / "swagger-ui-bundle.js").is_file() and (VENDOR_DIR / "swagger-ui.css").is_file()
    html = ENV.get_template("docs.html").render(
        title=f"{request.app.title} API", openapi_url=request.app.openapi_url or "/openapi.json", available=available
    )
    return HTMLResponse(html)
